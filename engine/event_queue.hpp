// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "engine/time.hpp"

namespace mhsim::engine {

/// Tie-breaker between events at the same time: the smaller value runs first.
/// Releases of capacity use a lower value than arrivals, so a server freed at t is
/// available to an arrival at t (as in simmer and OMNeT++).
using Priority = std::int32_t;

/// The future event set: a 4-ary min-heap in the total order (time, priority, insertion
/// sequence). `seq` is unique per queue, so no two events compare equal and the order never
/// depends on pointers, hashes or the heap's layout: any correct heap pops the same sequence.
///
/// Handles are small integers owned by the caller (the Simulation keeps the actions in a slab
/// indexed by handle); the handles of events waiting at once must differ. The heap holds
/// 16-byte records (time, priority, handle) and keeps the sequence numbers beside it, indexed
/// by handle: they are read only to break a tie of time and priority, which is rare. The four
/// children of a node are one 64-byte cache line, so a sift-down step costs at most one miss.
class EventQueue {
 public:
  struct Entry {
    Days at;
    Priority priority;
    std::uint32_t handle;
    std::uint64_t seq;
  };

  EventQueue() : heap_(kPad) {}

  bool empty() const noexcept { return heap_.size() == kPad; }
  std::size_t size() const noexcept { return heap_.size() - kPad; }
  /// The earliest event. Precondition: !empty().
  Entry top() const noexcept {
    const Node& n = heap_[kPad];
    return Entry{n.at, n.priority, n.handle, seq_[n.handle]};
  }
  /// The time of the earliest event. Precondition: !empty().
  Days top_at() const noexcept { return heap_[kPad].at; }

  /// Inserts an event; returns the sequence number it was given.
  std::uint64_t push(Days at, Priority priority, std::uint32_t handle) {
    const std::uint64_t seq = next_seq_++;
    if (handle >= seq_.size()) seq_.resize(static_cast<std::size_t>(handle) + 1);
    seq_[handle] = seq;
    const Node item{at, priority, handle};
    std::size_t i = size();
    heap_.push_back(item);
    Node* h = heap_.data() + kPad;
    while (i > 0) {  // sift up
      const std::size_t parent = (i - 1) / kArity;
      if (!less(item, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = item;
    return seq;
  }

  /// Removes and returns the earliest event. Precondition: !empty().
  Entry pop() {
    const Entry result = top();
    const Node last = heap_.back();
    heap_.pop_back();
    const std::size_t n = size();
    if (n == 0) return result;
    Node* h = heap_.data() + kPad;
    std::size_t i = 0;
    for (;;) {  // sift the former last record down from the root
      const std::size_t first = kArity * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < end; ++c) {
        if (less(h[c], h[best])) best = c;
      }
      if (!less(h[best], last)) break;
      h[i] = h[best];
      i = best;
    }
    h[i] = last;
    return result;
  }

  void clear() noexcept { heap_.resize(kPad); }
  /// Empties the queue and restarts the sequence at 0 (a new run), keeping the memory.
  void reset() noexcept {
    clear();
    next_seq_ = 0;
  }
  void reserve(std::size_t n) { heap_.reserve(n + kPad); }
  std::size_t capacity() const noexcept { return heap_.capacity() - kPad; }

 private:
  struct Node {
    Days at;
    Priority priority;
    std::uint32_t handle;
  };
  static_assert(sizeof(Node) == 16, "four children in a 64-byte line");

  /// Allocates on 64-byte boundaries: with kPad records in front, the children 4i+1 ... 4i+4
  /// of every node share one cache line.
  template <class T>
  struct LineAligned {
    using value_type = T;
    LineAligned() noexcept = default;
    template <class U>
    LineAligned(const LineAligned<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{64}); }
    friend bool operator==(const LineAligned&, const LineAligned&) noexcept { return true; }
    friend bool operator!=(const LineAligned&, const LineAligned&) noexcept { return false; }
  };

  static constexpr std::size_t kArity = 4;
  static constexpr std::size_t kPad = 3;  // index 1 (the root's first child) at byte 64

  /// The total order (time, priority, sequence).
  bool less(const Node& a, const Node& b) const noexcept {
    if (a.at != b.at) return a.at < b.at;
    if (a.priority != b.priority) return a.priority < b.priority;
    return seq_[a.handle] < seq_[b.handle];
  }

  std::vector<Node, LineAligned<Node>> heap_;  // kPad unused records, then the heap
  std::vector<std::uint64_t> seq_;             // insertion sequence, by handle
  std::uint64_t next_seq_ = 0;
};

}  // namespace mhsim::engine
