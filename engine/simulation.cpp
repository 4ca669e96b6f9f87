// SPDX-License-Identifier: MIT
#include "engine/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "engine/error.hpp"

namespace mhsim::engine {

namespace {
thread_local const std::atomic<bool>* t_cancel = nullptr;
}  // namespace

CancellationScope::CancellationScope(const std::atomic<bool>* flag) noexcept : previous_(t_cancel) { t_cancel = flag; }
CancellationScope::~CancellationScope() { t_cancel = previous_; }
const std::atomic<bool>* CancellationScope::current() noexcept { return t_cancel; }

Simulation::Storage& Simulation::spare() noexcept {
  thread_local Storage storage;
  return storage;
}

Simulation::Simulation() {
  Storage& s = spare();
  slots_.swap(s.slots);
  free_slots_.swap(s.free_slots);
  std::swap(queue_, s.queue);
  slots_.clear();
  free_slots_.clear();
  queue_.reset();
}

Simulation::~Simulation() {
  slots_.clear();  // destroys the actions of events still waiting
  free_slots_.clear();
  queue_.reset();
  Storage& s = spare();
  if (slots_.capacity() > s.slots.capacity()) slots_.swap(s.slots);
  if (free_slots_.capacity() > s.free_slots.capacity()) free_slots_.swap(s.free_slots);
  if (queue_.capacity() > s.queue.capacity()) std::swap(queue_, s.queue);
}

void Simulation::schedule_in(Days delay, Priority priority, Action action, Entity entity) {
  if (!(delay >= 0.0) || !std::isfinite(delay)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", delay);
    throw SimulationError("cannot schedule an event " + std::string(buf) +
                              " days ahead: the delay must be finite and >= 0",
                          "", now_);
  }
  schedule_at(now_ + delay, priority, std::move(action), entity);
}

void Simulation::schedule_at(Days at, Priority priority, Action action, Entity entity) {
  if (!(at >= now_) || !std::isfinite(at)) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%g (now is %g)", at, now_);
    throw SimulationError("cannot schedule an event at day " + std::string(buf) +
                              ": events must be finite and not in the past",
                          "", now_);
  }
  std::uint32_t handle;
  if (!free_slots_.empty()) {
    handle = free_slots_.back();
    free_slots_.pop_back();
    Slot& slot = slots_[handle];
    slot.action = std::move(action);
    slot.entity = entity;
  } else {
    handle = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{std::move(action), entity});
  }
  queue_.push(at, priority, handle);
}

void Simulation::run_until(Days until) {
  const std::atomic<bool>* cancel = CancellationScope::current();
  window_start_ = now_;
  window_events_ = executed_;
  window_pending_ = queue_.size();
  while (!queue_.empty() && queue_.top_at() <= until) {
    const EventQueue::Entry e = queue_.pop();
    now_ = e.at;
    // Moved out of the slab: the action may schedule events, which may reuse its slot or
    // grow the slab.
    Slot& slot = slots_[e.handle];
    Action action = std::move(slot.action);
    running_ = slot.entity;
    free_slots_.push_back(e.handle);
#if defined(__GNUC__)
    // The next event's slot is usually cold (a slab of up to the most events ever waiting):
    // fetch it while this event runs. Reads nothing, so changes nothing but time.
    if (!queue_.empty()) __builtin_prefetch(&slots_[queue_.top().handle]);
#endif
    if (++executed_ % kCheckEvery == 0) check(cancel);
    action();
  }
  if (std::isfinite(until) && until > now_) now_ = until;
}

void Simulation::check(const std::atomic<bool>* cancel) {
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) throw Cancelled(now_);
  window_pending_ = std::max(window_pending_, queue_.size());
  if (now_ - window_start_ >= 1.0) {
    window_start_ = now_;
    window_events_ = executed_;
    window_pending_ = queue_.size();
    return;
  }
  const double limit = kStuckBase + kStuckPerPending * static_cast<double>(window_pending_);
  const auto events = static_cast<double>(executed_ - window_events_);
  if (events <= limit) return;
  char text[320];
  std::snprintf(text, sizeof text,
                "the clock is stuck: %.0f events since day %.6g without the clock moving a day on (the bound is "
                "%.0f + %.0f per waiting event, %.0f here); a cycle of steps that take no time, or almost none?",
                events, window_start_, kStuckBase, kStuckPerPending, limit);
  const std::string who = running_ == kNoEntity ? std::string()
                          : namer_               ? namer_(running_)
                                                 : "entity " + std::to_string(running_);
  throw SimulationError(text, who, now_);
}

}  // namespace mhsim::engine
