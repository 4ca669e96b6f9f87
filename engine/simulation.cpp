// SPDX-License-Identifier: MIT
#include "engine/simulation.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "engine/error.hpp"

namespace mhsim::engine {

void Simulation::schedule_in(Days delay, Priority priority, Action action) {
  if (!(delay >= 0.0) || !std::isfinite(delay)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", delay);
    throw SimulationError("cannot schedule an event " + std::string(buf) +
                              " days ahead: the delay must be finite and >= 0",
                          "", now_);
  }
  schedule_at(now_ + delay, priority, std::move(action));
}

void Simulation::schedule_at(Days at, Priority priority, Action action) {
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
    actions_[handle] = std::move(action);
  } else {
    handle = static_cast<std::uint32_t>(actions_.size());
    actions_.push_back(std::move(action));
  }
  queue_.push(at, priority, handle);
}

void Simulation::run_until(Days until) {
  while (!queue_.empty() && queue_.top().key.at <= until) {
    const EventQueue::Entry e = queue_.pop();
    now_ = e.key.at;
    Action action = std::move(actions_[e.handle]);
    free_slots_.push_back(e.handle);
    ++executed_;
    action();
  }
  if (std::isfinite(until) && until > now_) now_ = until;
}

}  // namespace mhsim::engine
