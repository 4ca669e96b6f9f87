// SPDX-License-Identifier: MIT
#include "engine/event_queue.hpp"

#include <utility>

namespace mhsim::engine {

std::uint64_t EventQueue::push(Days at, Priority priority, std::uint32_t handle) {
  const std::uint64_t seq = next_seq_++;
  heap_.push_back(Entry{EventKey{at, priority, seq}, handle});
  // Sift up.
  std::size_t i = heap_.size() - 1;
  const Entry item = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!(item.key < heap_[parent].key)) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = item;
  return seq;
}

EventQueue::Entry EventQueue::pop() {
  const Entry result = heap_.front();
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return result;
  // Sift the former last element down from the root.
  std::size_t i = 0;
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].key < heap_[child].key) ++child;
    if (!(heap_[child].key < last.key)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = last;
  return result;
}

}  // namespace mhsim::engine
