// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/action.hpp"
#include "engine/event_queue.hpp"
#include "engine/time.hpp"

namespace mhsim::engine {

/// Default priorities. Smaller runs first among events at the same time.
inline constexpr Priority kReleasePriority = -10;  ///< capacity freed before it is sought
inline constexpr Priority kDefaultPriority = 0;
inline constexpr Priority kObserverPriority = 100;  ///< statistics resets, snapshots: after the work at t

/// Thrown by Simulation::run_until when the run is cancelled (see CancellationScope).
class Cancelled : public std::runtime_error {
 public:
  explicit Cancelled(Days at) : std::runtime_error("cancelled"), at_(at) {}
  Days at() const noexcept { return at_; }

 private:
  Days at_;
};

/// While alive, simulations run on this thread stop with Cancelled soon after `*flag`
/// becomes true (checked every Simulation::kCheckEvery events). The Runner installs one per
/// replication from its Options::cancel, so a signal stops a long replication, not only the
/// start of the next one.
class CancellationScope {
 public:
  explicit CancellationScope(const std::atomic<bool>* flag) noexcept;
  ~CancellationScope();
  CancellationScope(const CancellationScope&) = delete;
  CancellationScope& operator=(const CancellationScope&) = delete;
  /// The flag in force on this thread, or null.
  static const std::atomic<bool>* current() noexcept;

 private:
  const std::atomic<bool>* previous_;
};

/// The clock and the future event set of one replication. Single-threaded by design:
/// parallelism lives in the Runner, one Simulation per replication.
class Simulation {
 public:
  /// What an event does: any `void()` callable. Callables of up to InlineAction::kInline
  /// bytes (a lambda capturing an object, indices and a few numbers) are kept in the event's
  /// slot, so scheduling allocates nothing.
  using Action = InlineAction;
  /// What an event is about (a person, a customer ...), for messages; kNoEntity: nothing.
  using Entity = std::uint64_t;
  static constexpr Entity kNoEntity = ~Entity{0};
  /// Names an entity in an error message (the model's words: "person 12 ...").
  using Namer = std::function<std::string(Entity)>;

  /// Events between checks of the cancellation flag and of the clock.
  static constexpr std::uint64_t kCheckEvery = 4096;
  /// The stuck-clock bound: run_until throws SimulationError when, within one simulated day
  /// (a window that restarts each time the clock has moved a day on), it has executed more
  /// than kStuckBase + kStuckPerPending x (the most events waiting in that window) events.
  /// A legitimate model does a bounded amount of work per person per day; a cycle of steps
  /// that take no time (or almost none) does unbounded work without moving the clock.
  static constexpr double kStuckBase = 1e7;
  static constexpr double kStuckPerPending = 100;

  /// Takes the memory of the last Simulation destroyed on this thread (slab and heap), so
  /// that one replication after another does not grow them afresh.
  Simulation();
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Days since the start of the run.
  Days now() const noexcept { return now_; }

  /// Schedules `action` to run `delay` days from now. `delay` must be finite and >= 0;
  /// a violation throws SimulationError naming the delay.
  void schedule_in(Days delay, Priority priority, Action action, Entity entity = kNoEntity);
  /// Schedules `action` at absolute time `at` (>= now).
  void schedule_at(Days at, Priority priority, Action action, Entity entity = kNoEntity);
  /// How errors name the entity of the event that was running (default: "entity <n>").
  void set_namer(Namer namer) { namer_ = std::move(namer); }

  /// Runs events in (time, priority, sequence) order until the next one would be after
  /// `until` or none remain; then sets the clock to `until` (if finite). Throws Cancelled
  /// when this thread's CancellationScope flag is set, and SimulationError (naming the
  /// entity of the last event) when the clock is stuck (kStuckBase).
  void run_until(Days until);

  /// Number of events executed so far.
  std::uint64_t events_executed() const noexcept { return executed_; }
  /// Number of events waiting.
  std::size_t pending() const noexcept { return queue_.size(); }

 private:
  void check(const std::atomic<bool>* cancel);

  EventQueue queue_;

  struct Slot {
    Action action;
    Entity entity = kNoEntity;  // what the event is about
  };
  std::vector<Slot> slots_;             // slab indexed by EventQueue handle
  /// Memory kept between Simulations on one thread (empty: nothing to reuse).
  struct Storage {
    std::vector<Slot> slots;
    std::vector<std::uint32_t> free_slots;
    EventQueue queue;
  };
  static Storage& spare() noexcept;
  std::vector<std::uint32_t> free_slots_;
  Days now_ = 0.0;
  std::uint64_t executed_ = 0;
  Entity running_ = kNoEntity;          // the entity of the event being (or last) run
  Namer namer_;
  Days window_start_ = 0.0;             // the stuck-clock window (kStuckBase)
  std::uint64_t window_events_ = 0;
  std::size_t window_pending_ = 0;
};

}  // namespace mhsim::engine
