// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/simulation.hpp"
#include "engine/stats.hpp"
#include "engine/time.hpp"

namespace mhsim::engine {

/// How a Resource chooses whom to serve next.
enum class Discipline {
  kFifo,      ///< first come, first served
  kPriority,  ///< smallest priority value first; FIFO among equals (non-preemptive)
};

/// Capacity that makes queues: `capacity` identical units (servers, slots, beds) and a
/// waiting line. A request is granted at once if a unit is free, else it waits, or it is
/// refused when the waiting line is at its limit. When a unit is released it is handed
/// directly to the next in line, in the same event, so nobody can overtake them.
///
/// The resource knows nothing of what its users are: a request carries an opaque `token`
/// (typically an index into the model's own table), and the grant handler given at
/// construction is called with that token when a queued request is granted.
class Resource {
 public:
  using Token = std::uint64_t;
  /// Called when a waiting request is granted: (token, days it waited).
  using GrantHandler = std::function<void(Token, Days)>;

  enum class Outcome { kGranted, kQueued, kRefused };

  /// `capacity` >= 1. `queue_limit` bounds the waiting line (0 = a loss system, as
  /// M/M/c/c); nullopt = unbounded.
  Resource(Simulation& sim, std::string name, std::int64_t capacity, Discipline discipline,
           std::optional<std::uint64_t> queue_limit, GrantHandler on_grant);

  /// Asks for one unit. kGranted: the caller holds a unit now (the handler is NOT called).
  /// kQueued: the handler will be called when a unit is handed over. kRefused: the line was full.
  Outcome request(Token token, Priority priority = 0);

  /// Returns one unit; if anyone waits, the unit goes to the next in line at once.
  void release();
  /// Removes a waiting request (reneging: the person left the line); returns false if no
  /// request with this token is waiting. Linear in the length of the line.
  bool withdraw(Token token);

  /// Makes `capacity` (>= 0) units available from now (a capacity schedule: opening,
  /// phasing, closing). More units: those waiting are granted, in the order they would be
  /// served, until the units are used up, each through the grant handler. Fewer units:
  /// nobody holding a unit loses it (the caller decides whether anyone leaves); a unit
  /// released while in_use() > capacity() is retired instead of handed over, so in_use()
  /// falls to the new capacity as holders leave.
  void set_capacity(std::int64_t capacity);

  /// Restarts all statistics at `now` (end of warm-up), keeping the current state.
  void reset_statistics();

  const std::string& name() const noexcept { return name_; }
  std::int64_t capacity() const noexcept { return capacity_; }
  std::int64_t in_use() const noexcept { return in_use_; }
  std::size_t waiting() const noexcept { return fifo_.size() + heap_.size(); }

  /// Waits of requests granted since the last reset (0 for immediate grants).
  const Tally& waits() const noexcept { return waits_; }
  /// Time-average number of units in use, divided by the time-average capacity (the
  /// capacity itself while it has never changed). NaN when no capacity was ever available.
  double utilisation() const noexcept {
    const double units = scheduled_ ? capacity_in_time_.mean(sim_.now()) : static_cast<double>(capacity_);
    return busy_.mean(sim_.now()) / units;
  }
  /// Time-average length of the waiting line.
  double mean_queue_length() const noexcept { return queue_len_.mean(sim_.now()); }
  std::uint64_t requests() const noexcept { return requests_; }
  std::uint64_t refused() const noexcept { return refused_; }

 private:
  struct Waiting {
    Token token;
    Priority priority;
    Days since;
    std::uint64_t seq;
  };
  static bool later(const Waiting& a, const Waiting& b) noexcept {
    // Heap comparator: true when a should be served after b.
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.seq > b.seq;
  }
  void enqueue(const Waiting& w);
  Waiting dequeue();
  void note_queue_change();

  Simulation& sim_;
  std::string name_;
  std::int64_t capacity_;
  Discipline discipline_;
  std::optional<std::uint64_t> queue_limit_;
  GrantHandler on_grant_;

  std::int64_t in_use_ = 0;
  std::deque<Waiting> fifo_;
  std::vector<Waiting> heap_;
  std::uint64_t next_seq_ = 0;

  Tally waits_;
  TimeWeighted busy_;
  TimeWeighted queue_len_;
  TimeWeighted capacity_in_time_;  ///< read only once set_capacity was called
  bool scheduled_ = false;
  std::uint64_t requests_ = 0;
  std::uint64_t refused_ = 0;
};

}  // namespace mhsim::engine
