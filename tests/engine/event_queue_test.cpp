// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <algorithm>
#include <tuple>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>

#include "engine/event_queue.hpp"
#include "engine/random.hpp"

using mhsim::engine::EventQueue;

TEST_CASE("EventQueue: pops in (time, priority, insertion) order, ties included", "[engine]") {
  // Times and priorities drawn from tiny ranges so that most events tie on both.
  mhsim::engine::Rng rng(42);
  boost::random::uniform_int_distribution<int> time(0, 5), prio(-1, 1);
  EventQueue q;
  struct Pushed {
    double at;
    int priority;
    std::uint64_t seq;
    std::uint32_t handle;
  };
  std::vector<Pushed> pushed;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    const double at = time(rng);
    const int p = prio(rng);
    const std::uint64_t seq = q.push(at, p, i);
    pushed.push_back({at, p, seq, i});
  }
  // The reference order, by an independent method (std::stable_sort over the key tuple).
  std::stable_sort(pushed.begin(), pushed.end(), [](const Pushed& a, const Pushed& b) {
    return std::tie(a.at, a.priority, a.seq) < std::tie(b.at, b.priority, b.seq);
  });
  for (const Pushed& expected : pushed) {
    REQUIRE_FALSE(q.empty());
    const EventQueue::Entry e = q.pop();
    CHECK(e.handle == expected.handle);
  }
  CHECK(q.empty());
}

TEST_CASE("EventQueue: sequence numbers are unique and increasing", "[engine]") {
  EventQueue q;
  CHECK(q.push(1.0, 0, 0) == 0);
  CHECK(q.push(1.0, 0, 1) == 1);
  q.pop();
  CHECK(q.push(0.5, 0, 2) == 2);
  CHECK(q.pop().handle == 2);  // earlier time first, whatever its sequence
  CHECK(q.pop().handle == 1);
}
