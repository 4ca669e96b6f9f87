// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace mhsim::engine {

/// A move-only `void()` callable that keeps callables of up to kInline bytes in itself, so
/// scheduling an event allocates nothing (std::function allocates for any capture larger than
/// two words, e.g. an object, an index and a counter). A trivially copyable
/// callable (a lambda capturing pointers, indices and numbers) is moved by copying bytes and
/// needs no destructor call; anything else is moved and destroyed through its own manager,
/// and one larger than kInline lives on the heap.
class InlineAction {
 public:
  /// Bytes kept inline: five words, e.g. an object, an index, two counters and two numbers.
  static constexpr std::size_t kInline = 40;
  static constexpr std::size_t kAlign = alignof(void*);

  InlineAction() noexcept = default;

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, InlineAction> && std::is_invocable_r_v<void, D&>>>
  InlineAction(F&& f) {  // NOLINT(google-explicit-constructor): any callable converts, as to std::function
    if constexpr (sizeof(D) <= kInline && alignof(D) <= kAlign &&
                  std::is_nothrow_move_constructible_v<D>) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      invoke_ = [](void* p) { (*static_cast<D*>(p))(); };
      if constexpr (!(std::is_trivially_copyable_v<D> && std::is_trivially_destructible_v<D>)) {
        manage_ = [](void* from, void* to) {
          D* src = static_cast<D*>(from);
          if (to != nullptr) ::new (to) D(std::move(*src));
          src->~D();
        };
      }
    } else {
      D* heap = new D(std::forward<F>(f));
      std::memcpy(buf_, &heap, sizeof heap);
      invoke_ = [](void* p) {
        D* q;
        std::memcpy(&q, p, sizeof q);
        (*q)();
      };
      manage_ = [](void* from, void* to) {
        if (to != nullptr) {
          std::memcpy(to, from, sizeof(D*));
          return;
        }
        D* q;
        std::memcpy(&q, from, sizeof q);
        delete q;
      };
    }
  }

  InlineAction(InlineAction&& other) noexcept { take(other); }
  InlineAction& operator=(InlineAction&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  InlineAction(const InlineAction&) = delete;
  InlineAction& operator=(const InlineAction&) = delete;
  ~InlineAction() { reset(); }

  explicit operator bool() const noexcept { return invoke_ != nullptr; }
  /// Calls the callable. Precondition: it holds one.
  void operator()() { invoke_(buf_); }

  /// Destroys the callable held, if any.
  void reset() noexcept {
    if (manage_ != nullptr) manage_(buf_, nullptr);
    invoke_ = nullptr;
    manage_ = nullptr;
  }

 private:
  using Invoke = void (*)(void*);
  /// Moves the callable at `from` to `to` and destroys it at `from`; `to` null: destroys it.
  using Manage = void (*)(void* from, void* to);

  void take(InlineAction& other) noexcept {
    if (other.manage_ != nullptr) {
      other.manage_(other.buf_, buf_);
    } else {
      std::memcpy(buf_, other.buf_, kInline);
    }
    invoke_ = other.invoke_;
    manage_ = other.manage_;
    other.invoke_ = nullptr;
    other.manage_ = nullptr;
  }

  Invoke invoke_ = nullptr;
  Manage manage_ = nullptr;  // null: nothing to do to move (copy the bytes) or destroy
  alignas(kAlign) unsigned char buf_[kInline] = {};
};

}  // namespace mhsim::engine
