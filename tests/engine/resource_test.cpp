// SPDX-License-Identifier: MIT
// Hand-computed timelines: every expected number is worked out in the comments.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/resource.hpp"
#include "engine/simulation.hpp"

using mhsim::engine::Discipline;
using mhsim::engine::Resource;
using mhsim::engine::Simulation;

namespace {
struct Granted {
  Resource::Token token;
  double waited;
  double at;
};
}  // namespace

TEST_CASE("Resource: grants while capacity lasts, then queues FIFO and hands over on release", "[engine]") {
  Simulation sim;
  std::vector<Granted> grants;
  Resource r(sim, "pool", 2, Discipline::kFifo, std::nullopt,
             [&](Resource::Token t, double w) { grants.push_back({t, w, sim.now()}); });
  CHECK(r.request(1) == Resource::Outcome::kGranted);
  CHECK(r.request(2) == Resource::Outcome::kGranted);
  CHECK(r.request(3) == Resource::Outcome::kQueued);
  sim.schedule_at(1.0, 0, [&] { CHECK(r.request(4) == Resource::Outcome::kQueued); });
  sim.schedule_at(4.0, 0, [&] { r.release(); });   // 3 waited 4 days
  sim.schedule_at(6.0, 0, [&] { r.release(); });   // 4 waited 5 days
  sim.schedule_at(8.0, 0, [&] { r.release(); });
  sim.schedule_at(10.0, 0, [&] { r.release(); });
  sim.run_until(10.0);
  REQUIRE(grants.size() == 2);
  CHECK(grants[0].token == 3);
  CHECK(grants[0].waited == 4.0);
  CHECK(grants[1].token == 4);
  CHECK(grants[1].waited == 5.0);
  CHECK(r.in_use() == 0);
  // Waits: 0, 0, 4, 5 -> mean 2.25.
  CHECK(r.waits().count() == 4);
  CHECK(r.waits().mean() == 2.25);
  // Busy units: 2 on [0, 8), 1 on [8, 10) -> area 18 over 10 days, over 2 units = 0.9.
  CHECK(r.utilisation() == Approx(0.9).epsilon(1e-12));
  // Waiting: 1 on [0,1), 2 on [1,4), 1 on [4,6), 0 after -> area 1 + 6 + 2 = 9 over 10 days.
  CHECK(r.mean_queue_length() == Approx(0.9).epsilon(1e-12));
}

TEST_CASE("Resource: priority discipline serves smallest priority first, FIFO among equals", "[engine]") {
  Simulation sim;
  std::vector<Resource::Token> order;
  Resource r(sim, "triage", 1, Discipline::kPriority, std::nullopt,
             [&](Resource::Token t, double) { order.push_back(t); });
  REQUIRE(r.request(0, 0) == Resource::Outcome::kGranted);
  r.request(1, 5);
  r.request(2, 1);
  r.request(3, 5);
  r.request(4, 1);
  for (int i = 0; i < 4; ++i) r.release();
  CHECK(order == std::vector<Resource::Token>{2, 4, 1, 3});
}

TEST_CASE("Resource: a full waiting line refuses, queue_limit 0 is a loss system", "[engine]") {
  Simulation sim;
  Resource loss(sim, "beds", 1, Discipline::kFifo, 0, [](Resource::Token, double) {});
  CHECK(loss.request(1) == Resource::Outcome::kGranted);
  CHECK(loss.request(2) == Resource::Outcome::kRefused);
  CHECK(loss.refused() == 1);
  CHECK(loss.requests() == 2);

  Resource line(sim, "clinic", 1, Discipline::kFifo, 2, [](Resource::Token, double) {});
  CHECK(line.request(1) == Resource::Outcome::kGranted);
  CHECK(line.request(2) == Resource::Outcome::kQueued);
  CHECK(line.request(3) == Resource::Outcome::kQueued);
  CHECK(line.request(4) == Resource::Outcome::kRefused);
  CHECK(line.waiting() == 2);
}

TEST_CASE("Resource: nobody overtakes the waiting line when a unit frees", "[engine]") {
  // A release hands the unit straight to the head of the line, so a request arriving at
  // the same instant must queue behind it.
  Simulation sim;
  std::vector<Resource::Token> order;
  Resource r(sim, "desk", 1, Discipline::kFifo, std::nullopt, [&](Resource::Token t, double) { order.push_back(t); });
  r.request(1);
  r.request(2);
  r.release();
  CHECK(order == std::vector<Resource::Token>{2});
  CHECK(r.request(3) == Resource::Outcome::kQueued);
}

TEST_CASE("Resource: bad construction and over-release are errors", "[engine]") {
  Simulation sim;
  CHECK_THROWS_WITH(Resource(sim, "none", 0, Discipline::kFifo, std::nullopt, [](Resource::Token, double) {}),
                    Catch::Contains("capacity is 0, but must be >= 1"));
  Resource r(sim, "one", 1, Discipline::kFifo, std::nullopt, [](Resource::Token, double) {});
  CHECK_THROWS_AS(r.release(), mhsim::engine::SimulationError);
}

TEST_CASE("Resource: reset_statistics forgets the past but keeps the state", "[engine]") {
  Simulation sim;
  Resource r(sim, "pool", 1, Discipline::kFifo, std::nullopt, [](Resource::Token, double) {});
  r.request(1);
  sim.run_until(5.0);
  r.reset_statistics();
  sim.run_until(10.0);
  CHECK(r.in_use() == 1);
  CHECK(r.utilisation() == 1.0);  // busy throughout [5, 10]
  CHECK(r.waits().count() == 0);
  CHECK(r.requests() == 0);
}

TEST_CASE("Resource: a capacity schedule grants the waiting when it rises and retires units when it falls",
          "[engine]") {
  Simulation sim;
  std::vector<Granted> grants;
  Resource r(sim, "beds", 2, Discipline::kFifo, std::nullopt,
             [&](Resource::Token t, double w) { grants.push_back({t, w, sim.now()}); });
  CHECK(r.request(1) == Resource::Outcome::kGranted);  // t = 0: 1 and 2 hold units, 3 waits
  CHECK(r.request(2) == Resource::Outcome::kGranted);
  CHECK(r.request(3) == Resource::Outcome::kQueued);
  sim.schedule_at(1.0, 0, [&] { CHECK(r.request(4) == Resource::Outcome::kQueued); });
  // t = 2: four units. 3 (waited 2) and 4 (waited 1) are granted at once, in line order.
  sim.schedule_at(2.0, 0, [&] {
    r.set_capacity(4);
    CHECK(r.in_use() == 4);
    CHECK(r.waiting() == 0);
  });
  // t = 3: one unit. Nobody loses theirs; 5 arrives and waits although 4 are in use.
  sim.schedule_at(3.0, 0, [&] {
    r.set_capacity(1);
    CHECK(r.in_use() == 4);
    CHECK(r.request(5) == Resource::Outcome::kQueued);
  });
  // t = 4, 5, 6: three releases retire units (4 -> 3 -> 2 -> 1) with 5 still waiting.
  for (double t : {4.0, 5.0, 6.0}) sim.schedule_at(t, 0, [&] {
    r.release();
    CHECK(r.waiting() == 1);
  });
  // t = 7: in_use 1 = capacity, so the release hands the unit to 5 (waited 4).
  sim.schedule_at(7.0, 0, [&] {
    r.release();
    CHECK(r.in_use() == 1);
    CHECK(r.waiting() == 0);
  });
  // t = 8: closed. 6 waits; 5's release retires the last unit and 6 keeps waiting.
  sim.schedule_at(8.0, 0, [&] {
    r.set_capacity(0);
    CHECK(r.request(6) == Resource::Outcome::kQueued);
    r.release();
    CHECK(r.in_use() == 0);
    CHECK(r.waiting() == 1);
  });
  sim.run_until(10.0);
  REQUIRE(grants.size() == 3);
  CHECK(grants[0].token == 3);
  CHECK(grants[0].waited == 2.0);
  CHECK(grants[0].at == 2.0);
  CHECK(grants[1].token == 4);
  CHECK(grants[1].waited == 1.0);
  CHECK(grants[2].token == 5);
  CHECK(grants[2].waited == 4.0);
  CHECK(grants[2].at == 7.0);
  // Units in use: 2 on [0,2), 4 on [2,4), 3 on [4,5), 2 on [5,6), 1 on [6,8), 0 on [8,10):
  // area 4 + 8 + 3 + 2 + 2 = 19. Capacity: 2 on [0,2), 4 on [2,3), 1 on [3,8), 0 on [8,10):
  // area 4 + 4 + 5 = 13. Utilisation = 19 / 13 (time averages over the same 10 days).
  CHECK(r.utilisation() == Approx(19.0 / 13.0).epsilon(1e-12));
  CHECK_THROWS_AS(r.set_capacity(-1), std::invalid_argument);
}
