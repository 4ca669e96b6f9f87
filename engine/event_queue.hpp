// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "engine/time.hpp"

namespace mhsim::engine {

/// Tie-breaker between events at the same time: the smaller value runs first.
/// Releases of capacity use a lower value than arrivals, so a server freed at t is
/// available to an arrival at t (as in simmer and OMNeT++).
using Priority = std::int32_t;

/// Where an event sits in the total order: (time, priority, insertion sequence).
/// `seq` is unique per queue, so no two keys compare equal and the order never depends
/// on pointers, hashes or the heap's internal layout.
struct EventKey {
  Days at;
  Priority priority;
  std::uint64_t seq;

  friend bool operator<(const EventKey& a, const EventKey& b) noexcept {
    if (a.at != b.at) return a.at < b.at;
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.seq < b.seq;
  }
};

/// A binary min-heap of (key, handle) pairs. Handles are small integers owned by the caller
/// (the Simulation keeps the actions in a slab indexed by handle), so sifting moves 32-byte
/// records and never a callable.
class EventQueue {
 public:
  struct Entry {
    EventKey key;
    std::uint32_t handle;
  };

  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  const Entry& top() const noexcept { return heap_.front(); }

  /// Inserts an event; returns the sequence number it was given.
  std::uint64_t push(Days at, Priority priority, std::uint32_t handle);
  /// Removes and returns the earliest event. Precondition: !empty().
  Entry pop();
  void clear() noexcept { heap_.clear(); }
  void reserve(std::size_t n) { heap_.reserve(n); }

 private:
  std::vector<Entry> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace mhsim::engine
