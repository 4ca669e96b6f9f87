// SPDX-License-Identifier: MIT
// The pathway model on hand-computable cases: deterministic episodes whose waits, ledger
// postings and year splits are worked out beside each test; and common random numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "engine/distribution.hpp"
#include "engine/error.hpp"
#include "models/pathway/pathway.hpp"
#include "models/pathway_fixtures.hpp"

namespace pw = mhsim::models::pathway;
namespace dist = mhsim::engine::dist;
using mhsim::engine::Distribution;
using mhsim::engine::RandomStreams;
using pw::Measure;
using pw::ServiceKpi;
using pw::SystemKpi;

namespace {

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("Pathway: a waiting list served one at a time gives the hand-computed waits and ledger", "[models][pathway]") {
  // Five people on the waiting list at day 0, one slot, 10-day episodes, a contact every
  // 2 days (3.5 a week): person k starts at 10k and waits 10k days.
  //   waits 0, 10, 20, 30, 40: mean 20; 90th percentile (nearest rank ceil(0.9 x 5) = 5th) 40
  //   days 5 x 10 = 50; contacts at 0, 2, 4, 6, 8 of each episode: 25; episodes 5
  //   cost = 25 x 30 + 50 x 0 + 5 x 100 + 1 x 1000 = 2250
  auto spec = mhsim::test::base_spec(0.0, 1000.0);
  auto svc = mhsim::test::service("team", Distribution(dist::Deterministic{10.0}), 1);
  svc.contacts_per_week = 3.5;
  svc.cost_per_contact = 30;
  svc.cost_per_episode = 100;
  svc.annual_fixed_cost = 1000;
  spec.services.push_back(svc);
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  spec.initial.push_back(pw::InitialStock{0, 0, 0, 5});
  REQUIRE(pw::check_spec(spec).empty());

  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
  CHECK(r.svc(0, 0, ServiceKpi::kMeanWait) == 20.0);
  CHECK(r.svc(0, 0, ServiceKpi::kP90Wait) == 40.0);
  CHECK(r.svc(0, 0, ServiceKpi::kEpisodes) == 5.0);
  CHECK(r.svc(0, 0, ServiceKpi::kCompleted) == 5.0);
  CHECK(r.act(0, 0, Measure::kDays) == 50.0);
  CHECK(r.act(0, 0, Measure::kContacts) == 25.0);
  CHECK(r.act(0, 0, Measure::kEpisodes) == 5.0);
  CHECK(r.act(0, 0, Measure::kTeamYears) == 1.0);
  CHECK(r.sys(0, SystemKpi::kCost) == 2250.0);
  CHECK(r.partner_cost[0] == 2250.0);
  // Everyone was discharged (no follow-up): arrived 5 = exited 5 + 0 in the system.
  CHECK(r.arrived == 5);
  CHECK(r.exited == 5);
  CHECK(r.in_system == 0);
  CHECK(r.sys(0, SystemKpi::kDischarged) == 5.0);
  CHECK(r.svc(0, 0, ServiceKpi::kCaseloadAtYearEnd) == 0.0);
  // Occupancy: one person in the service for 50 of 365 days.
  CHECK(r.svc(0, 0, ServiceKpi::kMeanOccupancy) == Approx(50.0 / 365.0).epsilon(1e-12));
}

TEST_CASE("Pathway: an episode across a year end is split between the years", "[models][pathway]") {
  // One person starts a 400-day episode at day 0 with a weekly contact (days 0, 7, ..., 399):
  //   year 1 [0, 365): 365 days, contacts k = 0..52 -> 53; year 2 [365, 400): 35 days,
  //   contacts k = 53..57 -> 5 (ceil(400 / 7) = 58 in all).
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
  auto svc = mhsim::test::service("team", Distribution(dist::Deterministic{400.0}), 1);
  svc.contacts_per_week = 1;
  svc.cost_per_day = 2;
  spec.services.push_back(svc);
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  spec.initial.push_back(pw::InitialStock{0, 0, 0, 1});

  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
  CHECK(r.act(0, 0, Measure::kDays) == 365.0);
  CHECK(r.act(1, 0, Measure::kDays) == 35.0);
  CHECK(r.act(0, 0, Measure::kContacts) == 53.0);
  CHECK(r.act(1, 0, Measure::kContacts) == 5.0);
  CHECK(r.cst(0, 0, Measure::kDays) == 730.0);
  CHECK(r.cst(1, 0, Measure::kDays) == 70.0);
  CHECK(r.svc(0, 0, ServiceKpi::kCaseloadAtYearEnd) == 1.0);
  CHECK(r.svc(1, 0, ServiceKpi::kCaseloadAtYearEnd) == 0.0);
  CHECK(r.sys(0, SystemKpi::kInSystemAtYearEnd) == 1.0);
}

TEST_CASE("Pathway: two identical arms give identical results in every replication", "[models][pathway][reproducibility]") {
  auto spec = mhsim::test::base_spec(20.0, 10000.0, 2);
  auto svc = mhsim::test::service("team", Distribution(dist::Exponential{60.0}), 8);
  svc.contacts_per_week = 1;
  svc.cost_per_contact = 50;
  svc.crisis_per_year = 0.5;
  svc.relapse_per_year = 0.8;
  spec.services.push_back(svc);
  spec.services.push_back(mhsim::test::service("crisis", Distribution(dist::Exponential{20.0}), 2));
  spec.services[0].crisis_to = 1;
  spec.services[0].relapse_to = 1;
  spec.services[1].routes = {pw::Route{0, 0.5}, pw::Route{pw::kDischarge, 0.5}};
  spec.outcomes.follow_up_days = 180;
  spec.population.groups[0].death_per_year = 0.05;
  spec.population.groups[0].move_away_per_year = 0.1;
  spec.arms.push_back(mhsim::test::arm(spec, "a"));
  spec.arms.push_back(mhsim::test::arm(spec, "b"));
  REQUIRE(pw::check_spec(spec).empty());
  for (std::uint64_t rep = 0; rep < 5; ++rep) {
    const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{7, rep});
    REQUIRE(r.arms.size() == 2);
    CHECK(same_bytes(r.arms[0].activity, r.arms[1].activity));
    CHECK(same_bytes(r.arms[0].cost, r.arms[1].cost));
    CHECK(same_bytes(r.arms[0].system, r.arms[1].system));
    CHECK(same_bytes(r.arms[0].service, r.arms[1].service));
    CHECK(r.arms[0].events == r.arms[1].events);
    CHECK(r.arms[0].arrived > 300);  // 200 a year over two years, and a real amount of work
  }
}

TEST_CASE("Pathway: arms with different capacity see the same people", "[models][pathway]") {
  auto spec = mhsim::test::base_spec(20.0, 10000.0, 1);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Exponential{30.0}), 20));
  spec.arms.push_back(mhsim::test::arm(spec, "wide"));
  spec.arms.push_back(mhsim::test::arm(spec, "narrow"));
  spec.arms[1].capacity[0] = 3;
  spec.outcomes.utility_intercept = 0.1;
  spec.outcomes.utility_slope = 0.015;
  const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{3, 0});
  CHECK(r.arms[0].sys(0, SystemKpi::kArrivals) == r.arms[1].sys(0, SystemKpi::kArrivals));
  CHECK(r.arms[0].sys(0, SystemKpi::kQalys) != 0.0);
  CHECK(r.arms[1].svc(0, 0, ServiceKpi::kMeanWait) > r.arms[0].svc(0, 0, ServiceKpi::kMeanWait));
}

TEST_CASE("Pathway: more people than max_in_system stops the run with arm, replication and seed", "[models][pathway]") {
  auto spec = mhsim::test::base_spec(50.0, 10000.0, 1);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{1000.0}), 1));
  spec.max_in_system = 50;
  spec.arms.push_back(mhsim::test::arm(spec, "tight"));
  try {
    (void)pw::simulate_pathway(spec, RandomStreams{11, 4});
    FAIL("expected a SimulationError");
  } catch (const mhsim::engine::SimulationError& e) {
    const std::string m = e.what();
    CHECK(m.find("max_in_system") != std::string::npos);
    CHECK(m.find("arm \"tight\"") != std::string::npos);
    CHECK(m.find("replication 4, seed 11") != std::string::npos);
  }
}
