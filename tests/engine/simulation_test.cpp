// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>
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
