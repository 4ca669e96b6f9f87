// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/event_queue.hpp"
#include "engine/time.hpp"

namespace mhsim::engine {

/// Default priorities. Smaller runs first among events at the same time.
inline constexpr Priority kReleasePriority = -10;  ///< capacity freed before it is sought
inline constexpr Priority kDefaultPriority = 0;
inline constexpr Priority kObserverPriority = 100;  ///< statistics resets, snapshots: after the work at t

/// The clock and the future event set of one replication. Single-threaded by design:
/// parallelism lives in the Runner, one Simulation per replication.
class Simulation {
 public:
  using Action = std::function<void()>;

  /// Days since the start of the run.
  Days now() const noexcept { return now_; }

  /// Schedules `action` to run `delay` days from now. `delay` must be finite and >= 0;
  /// a violation throws SimulationError naming the delay.
  void schedule_in(Days delay, Priority priority, Action action);
  /// Schedules `action` at absolute time `at` (>= now).
  void schedule_at(Days at, Priority priority, Action action);

  /// Runs events in (time, priority, sequence) order until the next one would be after
  /// `until` or none remain; then sets the clock to `until` (if finite).
  void run_until(Days until);

  /// Number of events executed so far.
  std::uint64_t events_executed() const noexcept { return executed_; }
  /// Number of events waiting.
  std::size_t pending() const noexcept { return queue_.size(); }

 private:
  EventQueue queue_;
  std::vector<Action> actions_;         // slab indexed by EventQueue handle
  std::vector<std::uint32_t> free_slots_;
  Days now_ = 0.0;
  std::uint64_t executed_ = 0;
};

}  // namespace mhsim::engine
