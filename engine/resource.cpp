// SPDX-License-Identifier: MIT
#include "engine/resource.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "engine/error.hpp"

namespace mhsim::engine {

Resource::Resource(Simulation& sim, std::string name, std::int64_t capacity,
                   Discipline discipline, std::optional<std::uint64_t> queue_limit,
                   GrantHandler on_grant)
    : sim_(sim),
      name_(std::move(name)),
      capacity_(capacity),
      discipline_(discipline),
      queue_limit_(queue_limit),
      on_grant_(std::move(on_grant)),
      busy_(sim.now()),
      queue_len_(sim.now()),
      capacity_in_time_(sim.now(), static_cast<double>(capacity)) {
  if (capacity_ < 1) {
    throw std::invalid_argument("Resource '" + name_ + "': capacity is " +
                                std::to_string(capacity_) + ", but must be >= 1");
  }
  if (!on_grant_) throw std::invalid_argument("Resource '" + name_ + "': no grant handler");
}

Resource::Outcome Resource::request(Token token, Priority priority) {
  ++requests_;
  if (in_use_ < capacity_ && waiting() == 0) {
    ++in_use_;
    busy_.update(sim_.now(), static_cast<double>(in_use_));
    waits_.add(0.0);
    return Outcome::kGranted;
  }
  if (queue_limit_ && waiting() >= *queue_limit_) {
    ++refused_;
    return Outcome::kRefused;
  }
  enqueue(Waiting{token, priority, sim_.now(), next_seq_++});
  note_queue_change();
  return Outcome::kQueued;
}

void Resource::release() {
  if (in_use_ <= 0) {
    throw SimulationError("released more units than were held", "resource '" + name_ + "'",
                          sim_.now());
  }
  // Nobody waits, or the capacity fell below the units in use: the unit is retired.
  if (waiting() == 0 || in_use_ > capacity_) {
    --in_use_;
    busy_.update(sim_.now(), static_cast<double>(in_use_));
    return;
  }
  // Hand the unit straight to the next in line: in_use_ is unchanged.
  const Waiting next = dequeue();
  note_queue_change();
  const Days waited = sim_.now() - next.since;
  waits_.add(waited);
  on_grant_(next.token, waited);
}

bool Resource::withdraw(Token token) {
  const auto match = [token](const Waiting& w) { return w.token == token; };
  if (discipline_ == Discipline::kFifo) {
    const auto it = std::find_if(fifo_.begin(), fifo_.end(), match);
    if (it == fifo_.end()) return false;
    fifo_.erase(it);
  } else {
    const auto it = std::find_if(heap_.begin(), heap_.end(), match);
    if (it == heap_.end()) return false;
    heap_.erase(it);
    std::make_heap(heap_.begin(), heap_.end(), later);
  }
  note_queue_change();
  return true;
}

void Resource::set_capacity(std::int64_t capacity) {
  if (capacity < 0) {
    throw std::invalid_argument("Resource '" + name_ + "': capacity set to " + std::to_string(capacity) +
                                ", but must be >= 0");
  }
  capacity_ = capacity;
  capacity_in_time_.update(sim_.now(), static_cast<double>(capacity_));
  scheduled_ = true;
  // The handler may release or request in turn: the condition is read afresh every time.
  while (in_use_ < capacity_ && waiting() > 0) {
    const Waiting next = dequeue();
    note_queue_change();
    ++in_use_;
    busy_.update(sim_.now(), static_cast<double>(in_use_));
    const Days waited = sim_.now() - next.since;
    waits_.add(waited);
    on_grant_(next.token, waited);
  }
}

void Resource::reset_statistics() {
  waits_.reset();
  busy_.reset(sim_.now());
  queue_len_.reset(sim_.now());
  capacity_in_time_.reset(sim_.now());
  requests_ = 0;
  refused_ = 0;
}

void Resource::enqueue(const Waiting& w) {
  if (discipline_ == Discipline::kFifo) {
    fifo_.push_back(w);
  } else {
    heap_.push_back(w);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
}

Resource::Waiting Resource::dequeue() {
  if (discipline_ == Discipline::kFifo) {
    const Waiting w = fifo_.front();
    fifo_.pop_front();
    return w;
  }
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const Waiting w = heap_.back();
  heap_.pop_back();
  return w;
}

void Resource::note_queue_change() {
  queue_len_.update(sim_.now(), static_cast<double>(waiting()));
}

}  // namespace mhsim::engine
