// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/simulation.hpp"

using mhsim::engine::Simulation;

TEST_CASE("Simulation: runs events in time order and advances the clock", "[engine]") {
  Simulation sim;
  std::vector<std::string> log;
  sim.schedule_in(2.0, 0, [&] { log.push_back("b@" + std::to_string(sim.now())); });
  sim.schedule_in(1.0, 0, [&] {
    log.push_back("a@" + std::to_string(sim.now()));
    sim.schedule_in(0.5, 0, [&] { log.push_back("a2@" + std::to_string(sim.now())); });
  });
  sim.run_until(10.0);
  CHECK(log == std::vector<std::string>{"a@1.000000", "a2@1.500000", "b@2.000000"});
  CHECK(sim.now() == 10.0);
  CHECK(sim.events_executed() == 3);
}

TEST_CASE("Simulation: at equal times, lower priority first, then insertion order", "[engine]") {
  Simulation sim;
  std::string order;
  sim.schedule_at(1.0, mhsim::engine::kDefaultPriority, [&] { order += "A"; });
  sim.schedule_at(1.0, mhsim::engine::kObserverPriority, [&] { order += "O"; });
  sim.schedule_at(1.0, mhsim::engine::kReleasePriority, [&] { order += "R"; });
  sim.schedule_at(1.0, mhsim::engine::kDefaultPriority, [&] { order += "B"; });
  sim.run_until(1.0);
  CHECK(order == "RABO");
}

TEST_CASE("Simulation: run_until stops before later events and resumes", "[engine]") {
  Simulation sim;
  int fired = 0;
  sim.schedule_at(5.0, 0, [&] { ++fired; });
  sim.run_until(4.999);
  CHECK(fired == 0);
  CHECK(sim.pending() == 1);
  sim.run_until(5.0);  // an event exactly at the limit runs
  CHECK(fired == 1);
}

TEST_CASE("Simulation: negative, NaN and past times are refused with a clear error", "[engine]") {
  Simulation sim;
  sim.run_until(3.0);
  CHECK_THROWS_WITH(sim.schedule_in(-1.0, 0, [] {}), Catch::Contains("must be finite and >= 0"));
  CHECK_THROWS_AS(sim.schedule_in(std::nan(""), 0, [] {}), mhsim::engine::SimulationError);
  CHECK_THROWS_WITH(sim.schedule_at(2.0, 0, [] {}), Catch::Contains("not in the past"));
  CHECK_THROWS_WITH(sim.schedule_in(-1.0, 0, [] {}), Catch::Contains("at day 3.00"));
}

TEST_CASE("SimulationError: carries replication, seed and arm for replay", "[engine]") {
  mhsim::engine::SimulationError e("length of stay is -3, but must be positive", "person 18231", 412.5);
  CHECK(std::string(e.what()) == "person 18231 at day 412.50: length of stay is -3, but must be positive");
  e.set_context(117, 20240601, "alliance");
  CHECK(std::string(e.what()) ==
        "person 18231 at day 412.50: length of stay is -3, but must be positive "
        "(arm \"alliance\", replication 117, seed 20240601)");
}

TEST_CASE("Simulation: a cycle of events that take no time stops with a located error, not a hang", "[engine]") {
  // One entity re-schedules itself at the same instant for ever: the clock never moves, so
  // the stuck-clock bound (kStuckBase + kStuckPerPending x waiting events) is what stops it.
  Simulation sim;
  sim.set_namer([](Simulation::Entity e) { return "widget " + std::to_string(e); });
  sim.schedule_in(100.0, 0, [] {});  // one more event waiting
  std::function<void()> loop = [&] { sim.schedule_in(0.0, 0, loop, 7); };
  sim.schedule_in(2.5, 0, loop, 7);
  try {
    sim.run_until(1000.0);
    FAIL("a stuck clock was not detected");
  } catch (const mhsim::engine::SimulationError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("widget 7 at day 2.50: the clock is stuck"));
    CHECK(e.at() == 2.5);
  }
  const double bound = Simulation::kStuckBase + Simulation::kStuckPerPending * 2;
  CHECK(static_cast<double>(sim.events_executed()) > bound);
  // The bound is checked every kCheckEvery events, and the window starts at the first check
  // after the clock stopped: at most two check intervals beyond the bound.
  CHECK(static_cast<double>(sim.events_executed()) <= bound + 2.0 * static_cast<double>(Simulation::kCheckEvery));
}

TEST_CASE("Simulation: many events a day are not a stuck clock while the clock moves on", "[engine]") {
  // 5 million events a simulated day (half the bound) for two days: no error.
  Simulation sim;
  std::function<void()> tick = [&] { sim.schedule_in(2e-7, 0, tick); };
  sim.schedule_in(0.0, 0, tick);
  CHECK_NOTHROW(sim.run_until(2.0));
  CHECK(sim.events_executed() >= 9999990);
}

TEST_CASE("Simulation: a cancellation flag stops run_until with Cancelled", "[engine]") {
  std::atomic<bool> flag{false};
  Simulation sim;
  std::function<void()> tick = [&] {
    if (sim.now() >= 1.0) flag = true;
    sim.schedule_in(1e-3, 0, tick);
  };
  sim.schedule_in(0.0, 0, tick);
  {
    const mhsim::engine::CancellationScope scope(&flag);
    try {
      sim.run_until(100.0);
      FAIL("not cancelled");
    } catch (const mhsim::engine::Cancelled& c) {
      CHECK(c.at() >= 1.0);
      CHECK(c.at() <= 1.0 + 1e-3 * static_cast<double>(Simulation::kCheckEvery));
    }
  }
  // Outside the scope the flag is not seen: the run finishes.
  CHECK(mhsim::engine::CancellationScope::current() == nullptr);
  CHECK_NOTHROW(sim.run_until(101.0));
}

TEST_CASE("Simulation: actions of every size run once and are destroyed, run or pending", "[engine]") {
  // A shared_ptr's use count sees every copy of a closure that holds it: a closure moved
  // without its destructor, or a pending one never destroyed, would leave it above 1.
  auto token = std::make_shared<int>(0);
  std::array<double, 16> big{};  // 128 bytes: beyond InlineAction::kInline, so on the heap
  big[15] = 2.0;
  {
    Simulation sim;
    int small = 0;
    double sum = 0;
    sim.schedule_at(1.0, 0, [&small] { ++small; });                      // trivially copyable, inline
    sim.schedule_at(2.0, 0, [token] { ++*token; });                      // not trivially copyable, inline
    sim.schedule_at(3.0, 0, [token, big, &sum] { ++*token; sum += big[15]; });  // on the heap
    for (int k = 0; k < 100; ++k) sim.schedule_at(4.0 + k, 0, [token] { ++*token; });  // slab regrows
    sim.schedule_at(50.0, 0, [token, big] { *token += static_cast<int>(big[15]); });  // still pending
    CHECK(token.use_count() == 1 + 1 + 1 + 100 + 1);
    sim.run_until(10.0);
    CHECK(small == 1);
    CHECK(sum == 2.0);
    CHECK(*token == 1 + 1 + 7);  // events at days 2, 3 and 4 ... 10
    CHECK(token.use_count() == 1 + (100 - 7) + 1);
  }
  CHECK(token.use_count() == 1);  // the pending ones were destroyed with the Simulation, not run
  CHECK(*token == 9);
}

TEST_CASE("Simulation: a second Simulation on the thread starts empty at sequence 0", "[engine]") {
  // The slab and heap pass from one Simulation to the next; nothing else may.
  std::string first, second;
  {
    Simulation sim;
    for (int k = 0; k < 50; ++k) sim.schedule_at(5.0, 0, [&first] { first += "x"; });
    sim.schedule_at(1.0, 0, [&first] { first += "a"; });
    sim.run_until(2.0);  // leaves 50 pending
  }
  Simulation sim;
  CHECK(sim.pending() == 0);
  CHECK(sim.now() == 0.0);
  sim.schedule_at(1.0, 0, [&second] { second += "b"; });
  sim.schedule_at(1.0, 0, [&second] { second += "c"; });
  sim.run_until(10.0);
  CHECK(first == "a");
  CHECK(second == "bc");
  CHECK(sim.events_executed() == 2);
}
