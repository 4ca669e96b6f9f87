// SPDX-License-Identifier: MIT
// The pathway model on hand-computable cases: deterministic episodes whose waits, ledger
// postings and year splits are worked out beside each test; and common random numbers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Dense>
#include <unsupported/Eigen/MatrixFunctions>

#include "analysis/queueing_theory.hpp"
#include "engine/distribution.hpp"
#include "engine/error.hpp"
#include "engine/random.hpp"
#include "models/pathway/pathway.hpp"
#include "models/pathway/pathway_fixtures.hpp"

namespace pw = mhsim::models::pathway;
namespace dist = mhsim::engine::dist;
using mhsim::engine::Distribution;
using mhsim::engine::RandomStreams;
using pw::Measure;
using pw::ServiceKpi;
using pw::SystemKpi;
namespace theory = mhsim::analysis::theory;
using pw::GoalStatus;

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

// ---------------------------------------------------------------------------------------
// The pathway model against theory: Markov-chain occupancy of an open network of
// infinite-server services (Eigen), M/M/c waits (Erlang C), the behaviour of each service
// parameter (drop-out, sessions, recovery, crisis and relapse hazards, diversion, hand-off
// loss, gatekeeping), SIOF goal dynamics, QALYs, exit hazards and conservation.
//
// Method. Seeds are fixed, so every outcome is deterministic. Each statistical check states its
// standard error (SE) beside it and accepts within 4 SE:
//  - proportions from n independent people: the binomial SE sqrt(p (1 - p) / n), with p the
//    value under test (so the tolerance does not depend on the estimate);
//  - time averages and waits: R independent replications, each replication's value over the
//    later years (after a warm-up year) is one observation; SE = sample sd / sqrt(R);
//  - counts of events in a known exposure (deaths): the Poisson SE sqrt(count) / exposure.
// Where cheap, a "power" check shows the same band rejects a plausible wrong model (a 10%
// error in a rate, a missing feedback loop, an ignored risk multiplier ...).
namespace {

constexpr double kZ = 4.0;  // acceptance band, in standard errors

using mhsim::test::Estimate;
using mhsim::test::estimate;

bool within(const Estimate& e, double expected, double z = kZ) { return std::fabs(e.mean - expected) <= z * e.se; }

// A proportion k / n against p, with the binomial SE under p.
double binomial_se(double p, double n) { return std::sqrt(p * (1.0 - p) / n); }
bool binomial_close(double k, double n, double p, double z = kZ) {
  return std::fabs(k / n - p) <= z * binomial_se(p, n);
}

double sum_years(const pw::ArmResult& r, SystemKpi k, std::size_t from = 0) {
  double t = 0;
  for (std::size_t y = from; y < r.years; ++y) t += r.sys(y, k);
  return t;
}
double sum_years(const pw::ArmResult& r, std::size_t s, ServiceKpi k, std::size_t from = 0) {
  double t = 0;
  for (std::size_t y = from; y < r.years; ++y) t += r.svc(y, s, k);
  return t;
}
double sum_years(const pw::ArmResult& r, std::size_t s, Measure m) {
  double t = 0;
  for (std::size_t y = 0; y < r.years; ++y) t += r.act(y, s, m);
  return t;
}
double goals(const pw::ArmResult& r, std::size_t y, std::size_t d, GoalStatus g) {
  return r.goals[(y * pw::kSiofDomains + d) * pw::kGoalStatuses + static_cast<std::size_t>(g)];
}
double goals_all_years(const pw::ArmResult& r, std::size_t d, GoalStatus g) {
  double t = 0;
  for (std::size_t y = 0; y < r.years; ++y) t += goals(r, y, d, g);
  return t;
}

// A service of a given kind and partner.
pw::ServiceSpec service(std::string name, pw::ServiceKind kind, Distribution duration, std::int64_t capacity = 0,
                        std::size_t partner = 0) {
  pw::ServiceSpec s = mhsim::test::service(std::move(name), duration, capacity);
  s.kind = kind;
  s.partner = partner;
  return s;
}

// A need group whose risk multiplier is 1 to within ~1e-3: risk ~ Beta(a, a) with huge a has
// mean 0.5 and sd 0.5 / sqrt(2a + 1) = 3.5e-4, so risk / mean risk = 1 +- 7e-4.
void flat_risk(pw::PathwaySpec& spec) {
  spec.population.groups[0].risk_beta_a = 1e6;
  spec.population.groups[0].risk_beta_b = 1e6;
}

// A starting waiting list of n people at service s: with unlimited capacity they all start a
// full (not part-way) episode at day 0, which makes per-episode probabilities binomial.
void cohort(pw::PathwaySpec& spec, std::size_t s, std::uint64_t n) { spec.initial.push_back(pw::InitialStock{s, 0, 0, n}); }

}  // namespace

// -------------------------------------------------------------------------------------------
// 1. An open network of infinite-server services is a Markov chain per person.
// -------------------------------------------------------------------------------------------

TEST_CASE("Pathway theory: occupancy of an uncapacitated network matches the Markov chain (Eigen)",
          "[models][pathway][statistical]") {
  // Poisson arrivals at lambda = 10,000 x 73 / 1,000 / 365 = 2 a day; entry A 0.7, B 0.3.
  // Exponential episodes (means A 20, B 45, C 30, D 60 days), no capacity limits, no
  // follow-up, no exit hazards; routes on completion (the rest is discharge):
  //   A -> B 0.5, C 0.3;  B -> C 0.4, D 0.2;  C -> A 0.25 (feedback);  D -> B 0.3.
  // One person's state is a CTMC on {A, B, C, D, gone} with transient generator
  //   Q = diag(mu) (P - I);
  // the expected time in each service per arrival is alpha' (-Q)^-1, so by Little (and
  // M/G/inf) the steady-state mean occupancy is lambda alpha' (-Q)^-1, which must equal the
  // traffic-equation rates lambda_i = (I - P')^-1 (lambda alpha) times the mean episode.
  // The run starts empty, so the exact expectation over the observed window [t1, t2] is
  //   E[N(t)] = lambda alpha' (-Q)^-1 (I - e^{Qt}),
  //   window mean = lambda alpha' M (I - M (e^{Q t1} - e^{Q t2}) / (t2 - t1)),  M = (-Q)^-1,
  // and the expected referral rate into i over it is lambda alpha_i + sum_j mu_j P_ji N_j.
  constexpr int kYears = 5;
  constexpr int kReps = 20;
  const double lambda = 2.0;
  const std::vector<double> mean_days = {20.0, 45.0, 30.0, 60.0};
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(4, 4);
  p(0, 1) = 0.5;
  p(0, 2) = 0.3;
  p(1, 2) = 0.4;
  p(1, 3) = 0.2;
  p(2, 0) = 0.25;
  p(3, 1) = 0.3;
  Eigen::VectorXd alpha(4);
  alpha << 0.7, 0.3, 0.0, 0.0;

  auto spec = mhsim::test::base_spec(73.0, 10000.0, kYears);
  for (std::size_t s = 0; s < 4; ++s) {
    spec.services.push_back(mhsim::test::service(std::string(1, static_cast<char>('A' + s)),
                                                 Distribution(dist::Exponential{mean_days[s]})));
  }
  for (std::size_t s = 0; s < 4; ++s) {
    const Eigen::Index i = static_cast<Eigen::Index>(s);
    for (std::size_t t = 0; t < 4; ++t) {
      const double q = p(i, static_cast<Eigen::Index>(t));
      if (q > 0) spec.services[s].routes.push_back(pw::Route{t, q});
    }
    spec.services[s].routes.push_back(pw::Route{pw::kDischarge, 1.0 - p.row(i).sum()});
  }
  spec.arms.push_back(mhsim::test::arm(spec, "network"));
  spec.arms[0].entry[0] = {pw::Route{0, 0.7}, pw::Route{1, 0.3}};
  REQUIRE(pw::check_spec(spec).empty());

  auto chain = [&](const Eigen::MatrixXd& routing, Eigen::VectorXd& occupancy_ss, Eigen::VectorXd& occupancy_window,
                   Eigen::VectorXd& referral_rate, Eigen::VectorXd& visits) {
    Eigen::VectorXd mu(4);
    for (Eigen::Index i = 0; i < 4; ++i) mu(i) = 1.0 / mean_days[static_cast<std::size_t>(i)];
    const Eigen::MatrixXd id = Eigen::MatrixXd::Identity(4, 4);
    const Eigen::MatrixXd q = mu.asDiagonal() * (routing - id);
    const Eigen::MatrixXd m = (-q).inverse();
    occupancy_ss = lambda * (alpha.transpose() * m).transpose();
    const double t1 = 365.0, t2 = 365.0 * kYears;
    const Eigen::MatrixXd e1 = (q * t1).exp(), e2 = (q * t2).exp();
    occupancy_window = lambda * (alpha.transpose() * m * (id - m * (e1 - e2) / (t2 - t1))).transpose();
    referral_rate = lambda * alpha + routing.transpose() * mu.asDiagonal() * occupancy_window;
    visits = (id - routing.transpose()).lu().solve(alpha);  // expected referrals per arrival
  };
  Eigen::VectorXd occ_ss, occ_window, ref_rate, visits;
  chain(p, occ_ss, occ_window, ref_rate, visits);

  // The two routes to steady state agree: lambda alpha' (-Q)^-1 = traffic rates x mean episode.
  const Eigen::VectorXd traffic = theory::traffic_rates(lambda * alpha, p);
  for (Eigen::Index i = 0; i < 4; ++i) {
    CHECK(occ_ss(i) == Approx(traffic(i) * mean_days[static_cast<std::size_t>(i)]).epsilon(1e-12));
    CHECK(visits(i) == Approx(traffic(i) / lambda).epsilon(1e-12));
    // A year of warm-up leaves the window within 1% of steady state (so "later years" works).
    CHECK(std::fabs(occ_window(i) / occ_ss(i) - 1.0) < 0.01);
  }

  std::vector<std::vector<double>> occ(4), refs(4), share(4);
  for (int rep = 0; rep < kReps; ++rep) {
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{101, static_cast<std::uint64_t>(rep)});
    const double window = 365.0 * (kYears - 1);
    const double arrivals = sum_years(r, SystemKpi::kArrivals, 1);
    for (std::size_t s = 0; s < 4; ++s) {
      double o = 0;
      for (std::size_t y = 1; y < r.years; ++y) o += r.svc(y, s, ServiceKpi::kMeanOccupancy);
      occ[s].push_back(o / (kYears - 1));  // equal-length years: the mean of year means
      const double referrals = sum_years(r, s, ServiceKpi::kReferrals, 1);
      refs[s].push_back(referrals / window);
      share[s].push_back(referrals / arrivals);
    }
  }

  // Power: the same band rejects the model without the C -> A feedback loop.
  Eigen::MatrixXd no_feedback = p;
  no_feedback(2, 0) = 0.0;
  Eigen::VectorXd nf_ss, nf_window, nf_rate, nf_visits;
  chain(no_feedback, nf_ss, nf_window, nf_rate, nf_visits);

  for (std::size_t s = 0; s < 4; ++s) {
    const Eigen::Index i = static_cast<Eigen::Index>(s);
    const Estimate o = estimate(occ[s]), rr = estimate(refs[s]), sh = estimate(share[s]);
    INFO("service " << spec.services[s].name << ": occupancy " << o.mean << " (SE " << o.se << ") vs chain "
                    << occ_window(i) << " (steady state " << occ_ss(i) << "); referrals a day " << rr.mean << " (SE "
                    << rr.se << ") vs " << ref_rate(i) << "; referrals per arrival " << sh.mean << " (SE " << sh.se
                    << ") vs expected visits " << visits(i));
    CHECK(within(o, occ_window(i)));  // 4 SE, SE = sd of 20 replications' 4-year means / sqrt(20)
    CHECK(within(rr, ref_rate(i)));   // same SE construction
    // Referrals per arrival = the chain's expected visits per arrival (with the C -> A loop a
    // person can visit A, B, C more than once; these exceed the probability of ever visiting).
    // Over the window the exact expectation is ref_rate / lambda, within 0.5% of the steady
    // visits; the ratio estimator's bias (~1e-4 relative) is far below the SE (~0.3%).
    CHECK(std::fabs(ref_rate(i) / lambda - visits(i)) < 0.005 * visits(i));
    CHECK(within(sh, ref_rate(i) / lambda));  // 4 SE, SE over 20 replications' ratios
    // Power: a 10% error in the occupancy is outside the band.
    CHECK_FALSE(within(o, 1.1 * occ_window(i)));
    CHECK_FALSE(within(o, 0.9 * occ_window(i)));
  }
  // Without the loop every service would be predicted 10-17% lower: rejected.
  for (Eigen::Index i = 0; i < 4; ++i) {
    CHECK_FALSE(within(estimate(occ[static_cast<std::size_t>(i)]), nf_window(i)));
  }
}

// -------------------------------------------------------------------------------------------
// 2. Capacity makes M/M/c queues.
// -------------------------------------------------------------------------------------------

TEST_CASE("Pathway theory: waits grow as capacity shrinks, as Erlang C predicts", "[models][pathway][statistical]") {
  // One service, Poisson arrivals 2.4 a day (10,000 x 87.6 / 1,000 / 365), exponential
  // episodes of mean 1 day, FIFO; three arms with c = 3, 4, 6 slots (offered load 2.4:
  // utilisation 0.8, 0.6, 0.4) on the same people (common random numbers). Year 1 is warm-up;
  // each replication's observation is the mean wait of all episodes started in years 2-11
  // (year means weighted by episodes), and replications are independent.
  constexpr int kYears = 11;
  constexpr int kReps = 16;
  const double lambda = 2.4, mu = 1.0;
  auto spec = mhsim::test::base_spec(87.6, 10000.0, kYears);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Exponential{1.0 / mu}), 3));
  const std::vector<std::int64_t> caps = {3, 4, 6};
  for (const std::int64_t c : caps) {
    spec.arms.push_back(mhsim::test::arm(spec, "c" + std::to_string(c)));
    spec.arms.back().capacity[0] = c;
  }
  REQUIRE(pw::check_spec(spec).empty());

  std::vector<std::vector<double>> waits(caps.size());
  for (int rep = 0; rep < kReps; ++rep) {
    const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{202, static_cast<std::uint64_t>(rep)});
    for (std::size_t a = 0; a < caps.size(); ++a) {
      double total = 0, n = 0;
      for (std::size_t y = 1; y < r.arms[a].years; ++y) {
        const double episodes = r.arms[a].svc(y, 0, ServiceKpi::kEpisodes);
        total += r.arms[a].svc(y, 0, ServiceKpi::kMeanWait) * episodes;
        n += episodes;
      }
      waits[a].push_back(total / n);
    }
  }
  std::vector<double> means;
  for (std::size_t a = 0; a < caps.size(); ++a) {
    const theory::MmcMeasures m = theory::mmc(lambda, mu, caps[a]);
    const Estimate w = estimate(waits[a]);
    means.push_back(w.mean);
    INFO("c = " << caps[a] << ": mean wait " << w.mean << " (SE " << w.se << ") vs Erlang C " << m.mean_wait);
    CHECK(within(w, m.mean_wait));  // 4 SE, SE = sd of 16 replications' 10-year mean waits / sqrt(16)
    // Power: a 10% higher arrival rate predicts a wait outside the band.
    CHECK_FALSE(within(w, theory::mmc(1.1 * lambda, mu, caps[a]).mean_wait));
  }
  // Power at c = 3: c separate M/M/1 queues with lambda / c each (Wq = rho / (mu - lambda / c) = 4 days).
  CHECK_FALSE(within(estimate(waits[0]), 0.8 / (mu - lambda / 3.0)));
  // Strictly decreasing in c.
  CHECK(means[0] > means[1]);
  CHECK(means[1] > means[2]);
}

// -------------------------------------------------------------------------------------------
// 3. Service behaviours.
// -------------------------------------------------------------------------------------------

TEST_CASE("Pathway theory: drop-out ends a uniform fraction of the episode", "[models][pathway][statistical]") {
  // 20,000 people start a 30-day episode at day 0; each drops out with p = 0.3 after a uniform
  // fraction of it. Completed / episodes ~ 1 - p (binomial); the occupied days per person have
  // mean D (1 - p + p / 2) = 25.5 and variance D^2 ((1 - p) + p / 3) - mean^2 = 69.75.
  constexpr std::uint64_t kN = 20000;
  const double p = 0.3, d = 30.0;
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 1);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{d})));
  spec.services[0].dropout_probability = p;
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  cohort(spec, 0, kN);
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{303, 0});
  const double n = static_cast<double>(kN);
  REQUIRE(r.svc(0, 0, ServiceKpi::kEpisodes) == n);
  const double completed = r.svc(0, 0, ServiceKpi::kCompleted);
  INFO("completed " << completed << " of " << n);
  CHECK(binomial_close(completed, n, 1.0 - p));         // 4 SE, SE = sqrt(0.21 / 20,000) = 0.0032
  CHECK_FALSE(binomial_close(completed, n, 1.0 - 1.1 * p));  // power: p 10% higher (0.67)
  // Those who complete leave (no follow-up); drop-outs stay, with their need unmet (the
  // group has no unmet-need hazards here, so they stay to the horizon).
  CHECK(r.sys(0, SystemKpi::kDischarged) == completed);
  CHECK(r.sys(0, SystemKpi::kUntreatedAtYearEnd) == n - completed);
  const double mean_days = d * (1.0 - p + p / 2.0);
  const double var_days = d * d * ((1.0 - p) + p / 3.0) - mean_days * mean_days;
  const double days = r.act(0, 0, Measure::kDays) / n;
  INFO("days per person " << days << " vs " << mean_days);
  CHECK(std::fabs(days - mean_days) <= kZ * std::sqrt(var_days / n));  // SE = sqrt(69.75 / 20,000) = 0.059
  // Power: drop-outs leaving at once (mean 21) or at the end (mean 30) are far outside.
  CHECK(std::fabs(days - d * (1.0 - p)) > kZ * std::sqrt(var_days / n));
}

TEST_CASE("Pathway theory: session-based episodes give one contact per rounded session", "[models][pathway][statistical]") {
  constexpr std::uint64_t kN = 20000;
  const double n = static_cast<double>(kN);
  SECTION("deterministic sessions: exact counts") {
    // 6 weekly sessions: 6 contacts and 42 days per person, exactly.
    auto spec = mhsim::test::base_spec(0.0, 1000.0, 1);
    pw::ServiceSpec s = mhsim::test::service("iapt", Distribution(dist::Deterministic{1.0}));
    s.kind = pw::ServiceKind::kTalkingTherapies;
    s.duration.reset();
    s.sessions = Distribution(dist::Deterministic{6.0});
    s.session_interval_days = 7.0;
    spec.services.push_back(s);
    spec.arms.push_back(mhsim::test::arm(spec, "only"));
    cohort(spec, 0, kN);
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{304, 0});
    CHECK(r.svc(0, 0, ServiceKpi::kCompleted) == n);
    CHECK(r.act(0, 0, Measure::kContacts) == 6.0 * n);
    CHECK(r.act(0, 0, Measure::kDays) == 42.0 * n);
  }
  SECTION("gamma sessions: mean contacts = mean of max(1, round(X))") {
    // X ~ Gamma(shape 2, scale 3) (mean 6); n = max(1, round(X)), so P(n = 1) = F(1.5) and
    // P(n = k) = F(k + 0.5) - F(k - 0.5) for k >= 2; the mean and variance of n are summed
    // from the CDF (to k = 400; P(X > 400) is ~1e-55). Two years so every episode ends.
    const Distribution sessions(dist::Gamma{2.0, 3.0});
    double en = 0, en2 = 0;
    for (int k = 1; k <= 400; ++k) {
      const double kd = static_cast<double>(k);
      const double pk = k == 1 ? sessions.cdf(1.5) : sessions.cdf(kd + 0.5) - sessions.cdf(kd - 0.5);
      en += kd * pk;
      en2 += kd * kd * pk;
    }
    const double var = en2 - en * en;
    auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
    pw::ServiceSpec s = mhsim::test::service("iapt", Distribution(dist::Deterministic{1.0}));
    s.kind = pw::ServiceKind::kTalkingTherapies;
    s.duration.reset();
    s.sessions = sessions;
    s.session_interval_days = 7.0;
    spec.services.push_back(s);
    spec.arms.push_back(mhsim::test::arm(spec, "only"));
    cohort(spec, 0, kN);
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{305, 0});
    const double completed = sum_years(r, 0, ServiceKpi::kCompleted);
    REQUIRE(completed == n);
    const double contacts = sum_years(r, 0, Measure::kContacts);
    const double per_episode = contacts / completed;
    const double se = std::sqrt(var / n);  // SE of a mean of n independent session counts
    INFO("contacts per episode " << per_episode << " vs " << en << " (SE " << se << ")");
    CHECK(std::fabs(per_episode - en) <= kZ * se);
    CHECK(std::fabs(per_episode - 1.1 * en) > kZ * se);  // power: 10% more sessions
    // Each episode lasts its sessions x 7 days.
    CHECK(sum_years(r, 0, Measure::kDays) == Approx(7.0 * contacts).epsilon(1e-12));
  }
}

TEST_CASE("Pathway theory: recovery probability shows in the WEMWBS change at discharge", "[models][pathway][statistical]") {
  // Baseline WEMWBS 40 for everyone (sd 1e-9 rounds away); on completion +8 if recovered
  // (p = 0.4) and +2 if not, both with sd 0. So every discharge improves, and the mean
  // change is 2 + 6 x (share recovered): (mean - 2) / 6 x n is an integer count, binomial.
  constexpr std::uint64_t kN = 20000;
  const double n = static_cast<double>(kN), p = 0.4;
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 1);
  spec.population.groups[0].wemwbs_mean = 40;
  spec.population.groups[0].wemwbs_sd = 1e-9;
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{20.0})));
  spec.services[0].recovery_probability = p;
  spec.services[0].wemwbs_change = pw::ScoreChange{2.0, 0.0};
  spec.services[0].wemwbs_change_recovered = pw::ScoreChange{8.0, 0.0};
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  cohort(spec, 0, kN);
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{306, 0});
  CHECK(r.sys(0, SystemKpi::kWemwbsImproved) == n);
  CHECK(r.sys(0, SystemKpi::kWemwbsDecreased) == 0.0);
  CHECK(r.sys(0, SystemKpi::kShareImproved) == 1.0);
  const double change = r.sys(0, SystemKpi::kWemwbsMeanChange);
  const double recovered = (change - 2.0) / 6.0 * n;
  INFO("mean change " << change << ": " << recovered << " recovered of " << n);
  CHECK(std::fabs(recovered - std::round(recovered)) < 1e-6);
  CHECK(binomial_close(recovered, n, p));         // 4 SE, SE = sqrt(0.24 / 20,000) = 0.0035
  CHECK_FALSE(binomial_close(recovered, n, 1.1 * p));  // power: p 10% higher
}

TEST_CASE("Pathway theory: crisis hazard during an episode, scaled by the risk multiplier", "[models][pathway][statistical]") {
  // 20,000 people start a 73-day episode; crisis hazard 2.5 a year x multiplier m. With x =
  // 2.5 x 73 / 365 = 0.5: P(crisis | m) = 1 - exp(-m x).
  //  - risk ~ Beta(1e6, 1e6): m = 1 (+-7e-4), P = 1 - e^-0.5 = 0.39347;
  //  - risk ~ Beta(1, 1): m = risk / 0.5 = 2U, P = 1 - E[e^{-2Ux}] = 1 - (1 - e^{-2x}) / (2x) = 0.36788.
  // The two differ by 7 binomial SE, so each run also rejects the other's model.
  constexpr std::uint64_t kN = 20000;
  const double n = static_cast<double>(kN), x = 2.5 * 73.0 / 365.0;
  const double p_flat = 1.0 - std::exp(-x), p_uniform = 1.0 - (1.0 - std::exp(-2.0 * x)) / (2.0 * x);
  auto run = [&](double beta) {
    auto spec = mhsim::test::base_spec(0.0, 1000.0, 1);
    spec.population.groups[0].risk_beta_a = beta;
    spec.population.groups[0].risk_beta_b = beta;
    spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{73.0})));
    spec.services.push_back(service("crisis", pw::ServiceKind::kCrisis, Distribution(dist::Deterministic{5.0})));
    spec.services[0].crisis_per_year = 2.5;
    spec.services[0].crisis_to = 1;
    spec.arms.push_back(mhsim::test::arm(spec, "only"));
    cohort(spec, 0, kN);
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{307, 0});
    REQUIRE(r.svc(0, 0, ServiceKpi::kEpisodes) == n);
    // Every episode ends in a crisis or completes; crises all go to the crisis team.
    CHECK(r.sys(0, SystemKpi::kCrises) + r.svc(0, 0, ServiceKpi::kCompleted) == n);
    CHECK(r.svc(0, 1, ServiceKpi::kReferrals) == r.sys(0, SystemKpi::kCrises));
    return r.sys(0, SystemKpi::kCrises);
  };
  const double flat = run(1e6), uniform = run(1.0);
  INFO("crisis share: flat risk " << flat / n << " vs " << p_flat << "; uniform risk " << uniform / n << " vs "
                                  << p_uniform);
  CHECK(binomial_close(flat, n, p_flat));         // 4 SE, SE = sqrt(p (1 - p) / 20,000) = 0.0035
  CHECK(binomial_close(uniform, n, p_uniform));
  CHECK_FALSE(binomial_close(uniform, n, p_flat));  // power: the multiplier matters
  CHECK_FALSE(binomial_close(flat, n, 1.0 - std::exp(-1.1 * x)));  // power: rate 10% higher
}

TEST_CASE("Pathway theory: relapse hazard during follow-up", "[models][pathway][statistical]") {
  // 20,000 people complete a 10-day episode and enter 182.5 days of follow-up with relapse
  // hazard 1 a year (multiplier 1): P(relapse) = 1 - exp(-182.5 / 365) = 0.39347. Relapses go
  // to a second service with no relapse hazard of its own.
  constexpr std::uint64_t kN = 20000;
  const double n = static_cast<double>(kN);
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 1);
  flat_risk(spec);
  spec.outcomes.follow_up_days = 182.5;
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{10.0})));
  spec.services.push_back(mhsim::test::service("back", Distribution(dist::Deterministic{5.0})));
  spec.services[0].relapse_per_year = 1.0;
  spec.services[0].relapse_to = 1;
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  cohort(spec, 0, kN);
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{308, 0});
  REQUIRE(r.svc(0, 0, ServiceKpi::kCompleted) == n);
  const double relapses = r.sys(0, SystemKpi::kRelapses);
  const double p = 1.0 - std::exp(-0.5);
  INFO("relapse share " << relapses / n << " vs " << p);
  CHECK(r.svc(0, 1, ServiceKpi::kReferrals) == relapses);
  CHECK(binomial_close(relapses, n, p));                                // 4 SE, SE = 0.0035
  CHECK_FALSE(binomial_close(relapses, n, 1.0 - std::exp(-0.55)));       // power: rate 10% higher
  // Those who did not relapse left at the end of follow-up (day 192.5, inside year 1).
  CHECK(r.sys(0, SystemKpi::kDischarged) >= n - relapses);
}

TEST_CASE("Pathway theory: front-door diversion keeps a share of onward referrals", "[models][pathway][statistical]") {
  // A front door (10 days) routes 0.6 to the CMHT (secondary care), 0.4 to discharge. Arm
  // "divert" keeps 25% of those it would refer; arm "refer" keeps none.
  constexpr std::uint64_t kN = 20000;
  const double n = static_cast<double>(kN), q = 0.6, d = 0.25;
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 1);
  spec.services.push_back(service("front door", pw::ServiceKind::kFrontDoor, Distribution(dist::Deterministic{10.0})));
  spec.services.push_back(service("cmht", pw::ServiceKind::kCmht, Distribution(dist::Deterministic{10.0})));
  spec.services[0].routes = {pw::Route{1, q}, pw::Route{pw::kDischarge, 1.0 - q}};
  spec.arms.push_back(mhsim::test::arm(spec, "divert"));
  spec.arms.push_back(mhsim::test::arm(spec, "refer"));
  spec.arms[0].front_door_diversion = d;
  cohort(spec, 0, kN);
  const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{309, 0});
  const pw::ArmResult& a = r.arms[0];
  const double diverted = a.sys(0, SystemKpi::kDiverted), referred = a.svc(0, 1, ServiceKpi::kReferrals);
  const double routed = diverted + referred;
  INFO("routed to secondary " << routed << ", diverted " << diverted);
  CHECK(a.sys(0, SystemKpi::kFrontDoorSupported) == n);
  CHECK(binomial_close(routed, n, q));          // 4 SE, SE = sqrt(0.24 / 20,000) = 0.0035
  CHECK(binomial_close(diverted, routed, d));   // 4 SE, SE = sqrt(0.1875 / ~12,000) = 0.004
  CHECK_FALSE(binomial_close(diverted, routed, 1.1 * d));  // power
  CHECK(a.sys(0, SystemKpi::kReferralsSecondary) == referred);
  CHECK(r.arms[1].sys(0, SystemKpi::kDiverted) == 0.0);
}

TEST_CASE("Pathway theory: front-door diversion by year takes the value of the year of the decision",
          "[models][pathway][statistical]") {
  // Two years of arrivals (about 20,000 a year) go to a front door (10 days) that refers
  // everyone to the CMHT (secondary care). Diversion is 0.2 in year 1 and 0.7 in year 2, drawn
  // when the front-door episode ends. Of the n_y people the front door routes to secondary care
  // in year y (diverted + referred), Binomial(n_y, p_y) are diverted: 4 SE with the binomial
  // SE = sqrt(p (1 - p) / n) = sqrt(0.16 / ~20,000) = 0.0028 in year 1 and
  // sqrt(0.21 / ~20,000) = 0.0032 in year 2.
  const std::array<double, 2> p = {0.2, 0.7};
  auto spec = mhsim::test::base_spec(2000.0, 10000.0, 2);
  spec.services.push_back(service("front door", pw::ServiceKind::kFrontDoor, Distribution(dist::Deterministic{10.0})));
  spec.services.push_back(service("cmht", pw::ServiceKind::kCmht, Distribution(dist::Deterministic{10.0})));
  spec.services[0].routes = {pw::Route{1, 1.0}};
  spec.arms.push_back(mhsim::test::arm(spec, "by year"));
  spec.arms[0].front_door_diversion = pw::ByYear(std::vector<double>{p[0], p[1]});
  REQUIRE(pw::check_spec(spec).empty());
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{313, 0});
  std::array<double, 2> diverted{}, routed{};
  for (std::size_t y = 0; y < 2; ++y) {
    diverted[y] = r.sys(y, SystemKpi::kDiverted);
    routed[y] = diverted[y] + r.svc(y, 1, ServiceKpi::kReferrals);
    INFO("year " << y + 1 << ": routed to secondary care " << routed[y] << ", diverted " << diverted[y] << " ("
                 << diverted[y] / routed[y] << " vs " << p[y] << ", SE " << binomial_se(p[y], routed[y]) << ")");
    CHECK(routed[y] == r.svc(y, 0, ServiceKpi::kCompleted));  // every completion is routed to the CMHT
    CHECK(routed[y] > 18000);
    CHECK(binomial_close(diverted[y], routed[y], p[y]));
  }
  // Power: the same band rejects the values swapped between the years (and a single value
  // for both years, which is one of the two).
  CHECK_FALSE(binomial_close(diverted[0], routed[0], p[1]));
  CHECK_FALSE(binomial_close(diverted[1], routed[1], p[0]));
}

TEST_CASE("Pathway theory: hand-off loss, gatekeeping and step-down speed take the value of their decision's year",
          "[models][pathway]") {
  using pw::ByYear;
  using V = std::vector<double>;
  SECTION("hand-off loss: the year of the referral") {
    // About 1,000 arrivals a year at a service of partner 0 that refers everyone to a service
    // of partner 1. Loss 0 in year 1 and 1 in year 2 (a uniform draw is always < 1).
    auto spec = mhsim::test::base_spec(100.0, 10000.0, 2);
    spec.partners.push_back(pw::PartnerSpec{"charity", "vcse"});
    spec.services.push_back(service("a", pw::ServiceKind::kOther, Distribution(dist::Deterministic{10.0})));
    spec.services.push_back(service("b", pw::ServiceKind::kOther, Distribution(dist::Deterministic{10.0}), 0, 1));
    spec.services[0].routes = {pw::Route{1, 1.0}};
    spec.arms.push_back(mhsim::test::arm(spec, "lossless, then lossy"));
    spec.arms[0].handoff_loss = ByYear(V{0.0, 1.0});
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{314, 0});
    CHECK(r.svc(0, 0, ServiceKpi::kCompleted) > 900);
    CHECK(r.svc(1, 0, ServiceKpi::kCompleted) > 900);
    CHECK(r.sys(0, SystemKpi::kHandoffLosses) == 0.0);
    CHECK(r.svc(0, 1, ServiceKpi::kReferrals) == r.svc(0, 0, ServiceKpi::kCompleted));
    CHECK(r.sys(1, SystemKpi::kHandoffLosses) == r.svc(1, 0, ServiceKpi::kCompleted));
    CHECK(r.svc(1, 1, ServiceKpi::kReferrals) == 0.0);
  }
  SECTION("gatekeeping: the year of the referral") {
    // About 1,000 arrivals a year at a gatekept service with 10 places and 1,000-day episodes:
    // it is full within days, so occupancy is 1 and gatekeeping 1 refuses every referral.
    auto spec = mhsim::test::base_spec(100.0, 10000.0, 2);
    spec.services.push_back(service("team", pw::ServiceKind::kCmht, Distribution(dist::Deterministic{1000.0}), 10));
    spec.services[0].gatekept = true;
    spec.arms.push_back(mhsim::test::arm(spec, "strict, then open"));
    spec.arms.push_back(mhsim::test::arm(spec, "open, then strict"));
    spec.arms[0].gatekeeping = ByYear(V{1.0, 0.0});
    spec.arms[1].gatekeeping = ByYear(V{0.0, 1.0});
    REQUIRE(pw::check_spec(spec).empty());
    const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{315, 0});
    const pw::ArmResult &strict_first = r.arms[0], &open_first = r.arms[1];
    CHECK(strict_first.sys(0, SystemKpi::kGatekeptRefusals) > 900);
    CHECK(strict_first.sys(1, SystemKpi::kGatekeptRefusals) == 0.0);
    CHECK(open_first.sys(0, SystemKpi::kGatekeptRefusals) == 0.0);
    CHECK(open_first.sys(1, SystemKpi::kGatekeptRefusals) == open_first.sys(1, SystemKpi::kArrivals));
  }
  SECTION("step-down speed: the year the episode starts") {
    // 100 people start a 200-day CMHT episode at day 0 (year 1, speed 0.5: 400 days, ending in
    // year 2), and 100 start one at day 500 after a 500-day wait elsewhere (year 2, speed 2:
    // 100 days). CMHT days = 100 x 400 + 100 x 100 = 50,000; one speed for both would give
    // 80,000 (0.5) or 20,000 (2). Year 3 repeats year 2's speed.
    auto spec = mhsim::test::base_spec(0.0, 1000.0, 3);
    spec.services.push_back(service("before", pw::ServiceKind::kOther, Distribution(dist::Deterministic{500.0})));
    spec.services.push_back(service("cmht", pw::ServiceKind::kCmht, Distribution(dist::Deterministic{200.0})));
    spec.services[0].routes = {pw::Route{1, 1.0}};
    spec.arms.push_back(mhsim::test::arm(spec, "slow, then fast"));
    spec.arms[0].step_down_speed = ByYear(V{0.5, 2.0});
    cohort(spec, 0, 100);
    cohort(spec, 1, 100);
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{316, 0});
    CHECK(sum_years(r, 1, Measure::kDays) == 50000.0);
    CHECK(r.svc(1, 1, ServiceKpi::kCompleted) == 200.0);  // days 400 and 600
    CHECK(sum_years(r, 1, ServiceKpi::kCompleted) == 200.0);
  }
}

namespace {

// Front door (partner 0) -> CMHT (partner 0) 0.6 or charity service (partner 1) 0.3 or
// discharge; used with the arms below to compare behaviour arms decision by decision.
pw::PathwaySpec behaviour_arms(bool from_arrivals) {
  auto spec = mhsim::test::base_spec(from_arrivals ? 1000.0 : 0.0, 10000.0, 1);
  spec.partners.push_back(pw::PartnerSpec{"charity", "vcse"});
  spec.services.push_back(service("front door", pw::ServiceKind::kFrontDoor, Distribution(dist::Exponential{10.0})));
  spec.services.push_back(service("cmht", pw::ServiceKind::kCmht, Distribution(dist::Exponential{10.0})));
  spec.services.push_back(service("charity", pw::ServiceKind::kOther, Distribution(dist::Exponential{10.0}), 0, 1));
  spec.services[0].routes = {pw::Route{1, 0.6}, pw::Route{2, 0.3}, pw::Route{pw::kDischarge, 0.1}};
  spec.arms.push_back(mhsim::test::arm(spec, "plain"));
  spec.arms.push_back(mhsim::test::arm(spec, "divert and lose"));
  spec.arms[1].front_door_diversion = 0.25;
  spec.arms[1].handoff_loss = 0.3;
  spec.arms.push_back(mhsim::test::arm(spec, "plain again"));
  if (!from_arrivals) cohort(spec, 0, 20000);
  return spec;
}

// With common random numbers a person's route draw at the front door is the same in every
// arm, so the arm without diversion or loss refers exactly the people the other arm diverted
// or lost, as well as those it referred; and a copy of an arm gives identical results.
void check_same_decisions(const pw::PathwayResult& r) {
  const pw::ArmResult &plain = r.arms[0], &other = r.arms[1];
  const double diverted = other.sys(0, SystemKpi::kDiverted), lost = other.sys(0, SystemKpi::kHandoffLosses);
  INFO("diverted " << diverted << ", lost " << lost);
  CHECK(diverted > 1000);
  CHECK(lost > 500);
  CHECK(plain.svc(0, 1, ServiceKpi::kReferrals) == other.svc(0, 1, ServiceKpi::kReferrals) + diverted);
  CHECK(plain.svc(0, 2, ServiceKpi::kReferrals) == other.svc(0, 2, ServiceKpi::kReferrals) + lost);
  CHECK(plain.svc(0, 0, ServiceKpi::kCompleted) == other.svc(0, 0, ServiceKpi::kCompleted));
  CHECK(same_bytes(r.arms[0].system, r.arms[2].system));
  CHECK(same_bytes(r.arms[0].service, r.arms[2].service));
  CHECK(same_bytes(r.arms[0].activity, r.arms[2].activity));
}

}  // namespace

TEST_CASE("Pathway theory: behaviour arms make the same decisions for the same arrivals", "[models][pathway]") {
  // About 10,000 arrivals in the year.
  const pw::PathwaySpec spec = behaviour_arms(true);
  REQUIRE(pw::check_spec(spec).empty());
  check_same_decisions(pw::simulate_pathway(spec, RandomStreams{312, 0}));
}

// Regression: seed_initial_stock once stored a pointer to a loop-local StreamKeys in every
// starting-caseload person (ASan: stack-use-after-scope in draws <- discharge <- end_episode),
// so their later draws used whatever the stack held: results varied from process to process
// and arms with the same caseload stopped sharing random numbers (the same cross-arm referral
// identities, run on a 20,000-person caseload, missed by a few referrals and changed from run
// to run; identical arms of the every-feature scenario below differed).
TEST_CASE("Pathway theory: a starting caseload makes the same decisions in every arm", "[models][pathway]") {
  const pw::PathwaySpec spec = behaviour_arms(false);
  REQUIRE(pw::check_spec(spec).empty());
  for (std::uint64_t rep = 0; rep < 4; ++rep) {
    INFO("replication " << rep);
    check_same_decisions(pw::simulate_pathway(spec, RandomStreams{313, rep}));
  }
}

// Regression: when an episode ended and the onward referral was lost in a hand-off, the
// person was still marked in service, so leave_system vacated the service a second time: the
// episode's days and contacts were posted twice and the unsigned caseload count wrapped. In
// the hand-off case above (20,000 10-day episodes, 2,942 lost) days at "a" were 229,420
// instead of 200,000, and caseload_at_year_end 2^64 - 2,942.
TEST_CASE("Pathway theory: a hand-off loss after an episode posts the episode once", "[models][pathway]") {
  // Arrivals (~2,000 in the year) complete a 10-day episode at "a" and are all referred on to
  // "b" of another partner; half of those referrals are lost. Every completed episode posts
  // 10 days; episodes running at the year end post less. So days(a) <= 10 x episodes(a),
  // and the caseload is at most the number of episodes started.
  auto spec = mhsim::test::base_spec(200.0, 10000.0, 1);
  spec.partners.push_back(pw::PartnerSpec{"charity", "vcse"});
  spec.services.push_back(mhsim::test::service("a", Distribution(dist::Deterministic{10.0})));
  spec.services.push_back(service("b", pw::ServiceKind::kOther, Distribution(dist::Deterministic{10.0}), 0, 1));
  spec.services[0].routes = {pw::Route{1, 1.0}};
  spec.services[0].contacts_per_week = 7;
  spec.arms.push_back(mhsim::test::arm(spec, "lossy"));
  spec.arms[0].handoff_loss = 0.5;
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{314, 0});
  const double episodes = r.svc(0, 0, ServiceKpi::kEpisodes), completed = r.svc(0, 0, ServiceKpi::kCompleted);
  INFO("episodes " << episodes << ", completed " << completed << ", lost " << r.sys(0, SystemKpi::kHandoffLosses)
                   << ", days " << r.act(0, 0, Measure::kDays) << ", contacts " << r.act(0, 0, Measure::kContacts));
  REQUIRE(r.sys(0, SystemKpi::kHandoffLosses) > 500);
  CHECK(r.act(0, 0, Measure::kDays) <= 10.0 * episodes);
  CHECK(r.act(0, 0, Measure::kContacts) <= 10.0 * episodes);
  CHECK(r.svc(0, 0, ServiceKpi::kCaseloadAtYearEnd) <= episodes - completed);
  CHECK(r.svc(0, 0, ServiceKpi::kMeanOccupancy) <= 10.0 * episodes / 365.0);
}

TEST_CASE("Pathway theory: hand-offs between partners lose people, within a partner they do not",
          "[models][pathway][statistical]") {
  // Service "a" (partner 0) routes 0.5 to "b" (partner 1) and 0.5 to "c" (partner 0); the arm
  // loses a cross-partner referral with probability 0.3. So
  //   completions of a = referrals to b + referrals to c + losses (exactly),
  //   losses / (losses + referrals to b) ~ 0.3, referrals to c / completions ~ 0.5 (no loss);
  // (The same decisions across arms, by common random numbers, are checked further down.)
  constexpr std::uint64_t kN = 20000;
  const double n = static_cast<double>(kN), h = 0.3;
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 1);
  spec.partners.push_back(pw::PartnerSpec{"charity", "vcse"});
  spec.services.push_back(mhsim::test::service("a", Distribution(dist::Deterministic{10.0})));
  spec.services.push_back(service("b", pw::ServiceKind::kOther, Distribution(dist::Deterministic{10.0}), 0, 1));
  spec.services.push_back(service("c", pw::ServiceKind::kOther, Distribution(dist::Deterministic{10.0}), 0, 0));
  spec.services[0].routes = {pw::Route{1, 0.5}, pw::Route{2, 0.5}};
  spec.arms.push_back(mhsim::test::arm(spec, "lossy"));
  spec.arms.push_back(mhsim::test::arm(spec, "lossless"));
  spec.arms[0].handoff_loss = h;
  cohort(spec, 0, kN);
  REQUIRE(pw::check_spec(spec).empty());
  const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{310, 0});
  const pw::ArmResult& a = r.arms[0];
  const double losses = a.sys(0, SystemKpi::kHandoffLosses);
  const double to_b = a.svc(0, 1, ServiceKpi::kReferrals), to_c = a.svc(0, 2, ServiceKpi::kReferrals);
  INFO("losses " << losses << ", to b " << to_b << ", to c " << to_c);
  CHECK(a.svc(0, 0, ServiceKpi::kCompleted) == n);
  CHECK(to_b + to_c + losses == n);
  CHECK(binomial_close(losses, losses + to_b, h));     // 4 SE, SE = sqrt(0.21 / ~10,000) = 0.0046
  CHECK(binomial_close(to_c, n, 0.5));                 // 4 SE, SE = 0.0035; a loss here too would give 0.35
  CHECK_FALSE(binomial_close(to_c, n, 0.5 * (1 - h)));
  CHECK(r.arms[1].sys(0, SystemKpi::kHandoffLosses) == 0.0);
}

TEST_CASE("Pathway theory: gatekeeping refuses more as occupancy rises, as a birth-death chain predicts",
          "[models][pathway][statistical]") {
  // Poisson referrals at lambda = 4 a day into a gatekept service with c slots and exponential
  // episodes of mean 20 days; a referral is refused with probability g x min(1, N / c), N =
  // in service + waiting. N is a birth-death chain with births lambda (1 - g min(1, n/c)) and
  // deaths mu min(n, c); its stationary law (truncated at n = 2,000) gives the mean number in
  // service and, by PASTA, the refusal share sum_n pi_n g min(1, n/c).
  // Arms: (c 100, g 0) M/M/100 at utilisation 0.8; (c 200, g 0.6); (c 100, g 0.6).
  constexpr int kYears = 3;
  constexpr int kReps = 12;
  const double lambda = 4.0, mu = 1.0 / 20.0;
  auto spec = mhsim::test::base_spec(146.0, 10000.0, kYears);
  spec.services.push_back(service("cmht", pw::ServiceKind::kCmht, Distribution(dist::Exponential{20.0}), 100));
  spec.services[0].gatekept = true;
  struct ArmCase {
    std::int64_t c;
    double g;
  };
  const std::vector<ArmCase> cases = {{100, 0.0}, {200, 0.6}, {100, 0.6}};
  for (const ArmCase& k : cases) {
    spec.arms.push_back(mhsim::test::arm(spec, "c" + std::to_string(k.c) + " g" + std::to_string(k.g)));
    spec.arms.back().capacity[0] = k.c;
    spec.arms.back().gatekeeping = k.g;
  }
  REQUIRE(pw::check_spec(spec).empty());

  struct Theory {
    double in_service, refused;
  };
  auto chain = [&](std::int64_t c, double g) {
    constexpr int kMax = 2000;
    const double cd = static_cast<double>(c);
    std::vector<double> pi(kMax + 1, 0.0);
    pi[0] = 1.0;
    double total = 1.0;
    for (int k = 0; k < kMax; ++k) {
      const double kd = static_cast<double>(k);
      const double birth = lambda * (1.0 - g * std::min(1.0, kd / cd));
      const double death = mu * std::min(kd + 1.0, cd);
      pi[static_cast<std::size_t>(k) + 1] = pi[static_cast<std::size_t>(k)] * birth / death;
      total += pi[static_cast<std::size_t>(k) + 1];
    }
    Theory t{0.0, 0.0};
    for (int k = 0; k <= kMax; ++k) {
      const double kd = static_cast<double>(k), w = pi[static_cast<std::size_t>(k)] / total;
      t.in_service += w * std::min(kd, cd);
      t.refused += w * g * std::min(1.0, kd / cd);
    }
    return t;
  };

  std::vector<std::vector<double>> occ(cases.size()), refused(cases.size()), admitted(cases.size());
  for (int rep = 0; rep < kReps; ++rep) {
    const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{311, static_cast<std::uint64_t>(rep)});
    for (std::size_t a = 0; a < cases.size(); ++a) {
      const pw::ArmResult& x = r.arms[a];
      occ[a].push_back((x.svc(1, 0, ServiceKpi::kMeanOccupancy) + x.svc(2, 0, ServiceKpi::kMeanOccupancy)) / 2.0);
      refused[a].push_back(sum_years(x, SystemKpi::kGatekeptRefusals, 1) / sum_years(x, 0, ServiceKpi::kReferrals, 1));
      admitted[a].push_back(sum_years(x, 0, ServiceKpi::kEpisodes, 1));
    }
  }
  std::vector<double> refusal_means, admission_means;
  for (std::size_t a = 0; a < cases.size(); ++a) {
    const Theory t = chain(cases[a].c, cases[a].g);
    const Estimate o = estimate(occ[a]), f = estimate(refused[a]), e = estimate(admitted[a]);
    refusal_means.push_back(f.mean);
    admission_means.push_back(e.mean);
    INFO("arm " << spec.arms[a].name << ": occupancy " << o.mean << " (SE " << o.se << ") vs " << t.in_service
                << "; refused " << f.mean << " (SE " << f.se << ") vs " << t.refused);
    CHECK(within(o, t.in_service));  // 4 SE, SE = sd of 12 replications' 2-year means / sqrt(12)
    if (cases[a].g > 0) {
      CHECK(within(f, t.refused));
      CHECK_FALSE(within(f, 1.1 * t.refused));  // power
      // Power: refusal at a flat rate g (blind to occupancy) would give lambda (1 - g) / mu.
      CHECK_FALSE(within(o, lambda * (1.0 - cases[a].g) / mu));
    } else {
      CHECK(f.mean == 0.0);
    }
  }
  // Fewer slots at the same gatekeeping: fuller, so more refusals and fewer admissions.
  CHECK(refusal_means[2] > refusal_means[1]);
  CHECK(admission_means[2] < admission_means[1]);
  CHECK(admission_means[1] < admission_means[0]);
}

// -------------------------------------------------------------------------------------------
// 4. SIOF goals.
// -------------------------------------------------------------------------------------------

TEST_CASE("Pathway theory: SIOF goals resolve by competing clocks and are closed when support ends",
          "[models][pathway][statistical]") {
  // 4,000 people start a 300-day alliance-support episode at day 0, each setting Poisson(3)
  // goals spread evenly over the first three domains. Per domain, rates a (achieve), c (close)
  // and f (fail) a year: a goal resolves at Exp(t = a + c + f), before the episode ends with
  // probability q = 1 - exp(-t 300 / 365); goals still open then are closed. So per goal set
  //   achieved a/t q, not achieved f/t q, closed c/t q + (1 - q);
  // achieved among achieved + not achieved a / (a + f); and an achieved goal is sustained if
  // its Exp(lapse) life exceeds 182 days: exp(-lapse 182 / 365). Two years, so every sustain
  // date (at most day 482) falls inside the run.
  constexpr std::uint64_t kN = 4000;
  const std::array<double, 3> a = {2.0, 1.0, 0.5}, c = {0.5, 1.0, 0.2}, f = {0.5, 1.0, 1.3}, lapse = {1.0, 0.5, 2.0};
  const double days = 300.0;
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
  spec.population.groups[0].goals_mean = 3.0;
  spec.population.groups[0].goal_domain_weights = {1, 1, 1, 0, 0, 0, 0, 0};
  spec.population.groups[0].wemwbs_mean = 40;
  spec.population.groups[0].wemwbs_sd = 1e-9;
  spec.services.push_back(service("alliance", pw::ServiceKind::kAllianceSupport, Distribution(dist::Deterministic{days})));
  for (std::size_t d = 0; d < 3; ++d) {
    spec.services[0].goals.achieve_per_year[d] = a[d];
    spec.services[0].goals.close_per_year[d] = c[d];
    spec.services[0].goals.fail_per_year[d] = f[d];
    spec.services[0].goals.lapse_per_year[d] = lapse[d];
  }
  spec.services[0].goals.wemwbs_per_goal_achieved = 1.0;
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  cohort(spec, 0, kN);
  REQUIRE(pw::check_spec(spec).empty());
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{404, 0});

  double achieved_total = 0;
  for (std::size_t d = 0; d < 3; ++d) {
    const double t = a[d] + c[d] + f[d], q = 1.0 - std::exp(-t * days / 365.0);
    const double set = goals_all_years(r, d, GoalStatus::kSet);
    const double achieved = goals_all_years(r, d, GoalStatus::kAchieved);
    const double closed = goals_all_years(r, d, GoalStatus::kClosed);
    const double failed = goals_all_years(r, d, GoalStatus::kNotAchieved);
    const double sustained = goals_all_years(r, d, GoalStatus::kSustained);
    achieved_total += achieved;
    INFO("domain " << d << ": set " << set << ", achieved " << achieved << ", closed " << closed << ", not achieved "
                   << failed << ", sustained " << sustained);
    REQUIRE(set > 3000);  // ~4,000 a domain
    // Every goal resolved within the episode, so nothing is progressing at either year end.
    CHECK(achieved + closed + failed == set);
    CHECK(goals(r, 0, d, GoalStatus::kProgressing) == 0.0);
    CHECK(goals(r, 1, d, GoalStatus::kProgressing) == 0.0);
    // Multinomial shares, 4 binomial SE each (SE = sqrt(p (1 - p) / set) <= 0.008).
    CHECK(binomial_close(achieved, set, a[d] / t * q));
    CHECK(binomial_close(failed, set, f[d] / t * q));
    CHECK(binomial_close(closed, set, c[d] / t * q + (1.0 - q)));
    CHECK(binomial_close(achieved, achieved + failed, a[d] / (a[d] + f[d])));
    CHECK(binomial_close(sustained, achieved, std::exp(-lapse[d] * 182.0 / 365.0)));
    // Power: if open goals were not closed at the end, the closed share would be c/t q.
    CHECK_FALSE(binomial_close(closed, set, c[d] / t * q));
    // Power: a one-year sustain window (exp(-lapse)) instead of 182 days.
    CHECK_FALSE(binomial_close(sustained, achieved, std::exp(-lapse[d])));
  }
  // Nothing in the other domains; WEMWBS rises by one point per achieved goal (no clamping
  // from a baseline of 40), so the change summed over discharges is the goals achieved.
  for (std::size_t d = 3; d < pw::kSiofDomains; ++d) CHECK(goals_all_years(r, d, GoalStatus::kSet) == 0.0);
  const double discharges = r.sys(0, SystemKpi::kWemwbsImproved) + r.sys(0, SystemKpi::kWemwbsDecreased) +
                            r.sys(0, SystemKpi::kWemwbsUnchanged);
  CHECK(discharges == static_cast<double>(kN));
  CHECK(r.sys(0, SystemKpi::kWemwbsMeanChange) * discharges == Approx(achieved_total).epsilon(1e-12));
  CHECK(r.sys(0, SystemKpi::kGoalsAchieved) == achieved_total);
}

TEST_CASE("Pathway theory: support that ends with goals lasts until the last goal resolves, at most its duration",
          "[models][pathway][statistical]") {
  // 4,000 people start alliance support at day 0 with a 300-day maximum and Poisson(m = 3)
  // goals in one domain, each resolving at Exp(t), t = a + c + f = 3 a year. With
  // support_ends_with_goals a person's episode lasts min(300, M), M the last goal's time (a
  // person without goals keeps the 300 days). P(M <= x) = E[(1 - e^{-tx})^K] = exp(-m e^{-tx})
  // (the Poisson pgf), so the mean length is
  //   e^{-m} 300 + integral_0^300 (1 - exp(-m e^{-t x / 365})) dx.
  // Goals resolving before the end are counted as before; those open at 300 days are closed:
  // per goal, closed c/t q + (1 - q), q = 1 - exp(-t 300 / 365), as without the rule.
  constexpr std::uint64_t kN = 4000;
  const double a = 2.0, c = 0.5, f = 0.5, t = a + c + f, m = 3.0, days = 300.0;
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
  spec.population.groups[0].goals_mean = m;
  spec.population.groups[0].goal_domain_weights = {1, 0, 0, 0, 0, 0, 0, 0};
  spec.services.push_back(service("alliance", pw::ServiceKind::kAllianceSupport, Distribution(dist::Deterministic{days})));
  spec.services[0].goals.achieve_per_year[0] = a;
  spec.services[0].goals.close_per_year[0] = c;
  spec.services[0].goals.fail_per_year[0] = f;
  spec.services[0].goals.support_ends_with_goals = true;
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  cohort(spec, 0, kN);
  REQUIRE(pw::check_spec(spec).empty());
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{405, 0});

  // The expected mean length, by the midpoint rule on 30,000 steps (error far below a day).
  double integral = 0;
  constexpr int kSteps = 30000;
  for (int k = 0; k < kSteps; ++k) {
    const double x = (k + 0.5) * days / kSteps;
    integral += (1.0 - std::exp(-m * std::exp(-t * x / 365.0))) * days / kSteps;
  }
  const double expected = std::exp(-m) * days + integral;
  // Every episode starts at day 0 and ends by day 300, inside year 1: person-days = mean
  // caseload x 365. Lengths lie in [0, 300], so their SD is at most 150 and the mean's SE at
  // most 150 / sqrt(4,000) = 2.4 days; 4 of those.
  const double mean_length = r.svc(0, 0, ServiceKpi::kMeanOccupancy) * 365.0 / static_cast<double>(kN);
  INFO("mean length " << mean_length << " days, expected " << expected);
  CHECK(std::fabs(mean_length - expected) <= 4 * 150 / std::sqrt(static_cast<double>(kN)));
  CHECK(r.svc(0, 0, ServiceKpi::kCompleted) == static_cast<double>(kN));
  // Power: without the rule every episode lasts 300 days.
  CHECK(expected < days - 20 * 150 / std::sqrt(static_cast<double>(kN)));

  const double q = 1.0 - std::exp(-t * days / 365.0);
  const double set = goals_all_years(r, 0, GoalStatus::kSet);
  const double closed = goals_all_years(r, 0, GoalStatus::kClosed);
  REQUIRE(set > 10000);
  CHECK(binomial_close(closed, set, c / t * q + (1.0 - q)));
  CHECK(goals_all_years(r, 0, GoalStatus::kAchieved) + closed + goals_all_years(r, 0, GoalStatus::kNotAchieved) == set);
}

TEST_CASE("Pathway theory: goals open at a year end are progressing, open at the episode end, closed",
          "[models][pathway]") {
  // Goals with no resolution clocks (all rates 0) never resolve by themselves. People set
  // goals at day 0 in an episode of 500 days: at the end of year 1 every goal set is
  // progressing; at day 500 (year 2) they are all closed, and none is progressing.
  // With a 1,000-day episode they are still progressing at the horizon (end of year 2).
  for (const double days : {500.0, 1000.0}) {
    auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
    spec.population.groups[0].goals_mean = 2.0;
    spec.services.push_back(service("alliance", pw::ServiceKind::kAllianceSupport, Distribution(dist::Deterministic{days})));
    spec.arms.push_back(mhsim::test::arm(spec, "only"));
    cohort(spec, 0, 200);
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{405, 0});
    const double set = r.sys(0, SystemKpi::kGoalsSet);
    INFO("episode " << days << " days, goals set " << set);
    CHECK(set > 300);
    CHECK(r.sys(1, SystemKpi::kGoalsSet) == 0.0);
    CHECK(r.sys(0, SystemKpi::kGoalsProgressing) == set);
    CHECK(r.sys(0, SystemKpi::kGoalsClosed) == 0.0);
    if (days < 730.0) {
      CHECK(r.sys(1, SystemKpi::kGoalsClosed) == set);
      CHECK(r.sys(1, SystemKpi::kGoalsProgressing) == 0.0);
    } else {
      CHECK(r.sys(1, SystemKpi::kGoalsClosed) == 0.0);
      CHECK(r.sys(1, SystemKpi::kGoalsProgressing) == set);
    }
    CHECK(r.sys(1, SystemKpi::kGoalsAchieved) + r.sys(1, SystemKpi::kGoalsNotAchieved) == 0.0);
  }
}

// -------------------------------------------------------------------------------------------
// 5. QALYs.
// -------------------------------------------------------------------------------------------

TEST_CASE("Pathway theory: QALYs of one person, worked by hand", "[models][pathway]") {
  // One person, WEMWBS 40 at day 0 (sd 1e-9 rounds away), a 100-day episode that adds 10
  // points on completion; then discharged (no follow-up) and, with no death or moving away,
  // the last score is kept to the horizon (two years). Utility = clamp(i + s x WEMWBS, min, 1).
  struct Case {
    double intercept, slope, u40, u50;
  };
  // u(40), u(50): 0.1 + 0.015 w -> 0.7, 0.85; -1 + 0.01 w -> -0.6 (clamped to -0.594), -0.5;
  // 0.5 + 0.02 w -> 1.3, 1.5 (both clamped to 1).
  for (const Case& k : {Case{0.1, 0.015, 0.7, 0.85}, Case{-1.0, 0.01, -0.594, -0.5}, Case{0.5, 0.02, 1.0, 1.0}}) {
    auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
    spec.population.groups[0].wemwbs_mean = 40;
    spec.population.groups[0].wemwbs_sd = 1e-9;
    spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{100.0})));
    spec.services[0].wemwbs_change = pw::ScoreChange{10.0, 0.0};
    spec.outcomes.utility_intercept = k.intercept;
    spec.outcomes.utility_slope = k.slope;
    spec.arms.push_back(mhsim::test::arm(spec, "only"));
    cohort(spec, 0, 1);
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{501, 0});
    INFO("intercept " << k.intercept << ", slope " << k.slope);
    REQUIRE(r.sys(0, SystemKpi::kWemwbsMeanChange) == 10.0);
    // Year 1: u40 for 100 days, u50 for 265; year 2: u50 all year.
    CHECK(r.sys(0, SystemKpi::kQalys) == Approx((k.u40 * 100.0 + k.u50 * 265.0) / 365.0).epsilon(1e-12));
    CHECK(r.sys(1, SystemKpi::kQalys) == Approx(k.u50).epsilon(1e-12));
  }
}

TEST_CASE("Pathway theory: QALYs stop at death", "[models][pathway][statistical]") {
  // 20,000 people at utility 0.7 (WEMWBS 40, 0.1 + 0.015 w) stay in a service for the whole
  // run and die at hazard r = 0.5 a year. Per person, year 1 accrues 0.7 min(T, 1), T ~ Exp(r):
  //   E = 0.7 (1 - e^-r) / r, E[min(T, 1)^2] = 2 (1 - e^-r (1 + r)) / r^2;
  // year 2 accrues 0.7 e^-r E[min(T, 1)] on average (memoryless).
  constexpr std::uint64_t kN = 20000;
  const double n = static_cast<double>(kN), rate = 0.5, u = 0.7;
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
  spec.population.groups[0].wemwbs_mean = 40;
  spec.population.groups[0].wemwbs_sd = 1e-9;
  spec.population.groups[0].death_per_year = rate;
  spec.outcomes.utility_intercept = 0.1;
  spec.outcomes.utility_slope = 0.015;
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{10000.0})));
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  cohort(spec, 0, kN);
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{502, 0});
  const double m1 = (1.0 - std::exp(-rate)) / rate, m2 = 2.0 * (1.0 - std::exp(-rate) * (1.0 + rate)) / (rate * rate);
  const double se = u * std::sqrt((m2 - m1 * m1) / n);  // SE of the year-1 mean per person
  const double year1 = r.sys(0, SystemKpi::kQalys) / n;
  INFO("year-1 QALYs per person " << year1 << " vs " << u * m1 << " (SE " << se << ")");
  CHECK(std::fabs(year1 - u * m1) <= kZ * se);
  CHECK(std::fabs(year1 - u) > kZ * se);  // power: ignoring deaths
  // Year 2: survivors S ~ Bin(n, e^-r) each accrue 0.7 min(T, 1) again; SE from both parts,
  // Var(year-2 total / n) = 0.7^2 (e^-r m2 - (e^-r m1)^2) / n.
  const double p2 = std::exp(-rate) * m1, se2 = u * std::sqrt((std::exp(-rate) * m2 - p2 * p2) / n);
  CHECK(std::fabs(r.sys(1, SystemKpi::kQalys) / n - u * p2) <= kZ * se2);
}

// -------------------------------------------------------------------------------------------
// 6. Exits and conservation.
// -------------------------------------------------------------------------------------------

TEST_CASE("Pathway theory: deaths and moves per person-year in the system match the hazards",
          "[models][pathway][statistical]") {
  // A starting caseload of 10,000 and arrivals of 5,000 a year into a service of exponential
  // episodes (mean 200 days) followed by 100 days of follow-up; death 0.3 and moving away 0.4
  // a year while in the system. Deaths D in exposure E person-years: D - rate E is a
  // martingale with variance E[D], so the SE of D / E is sqrt(D) / E.
  auto spec = mhsim::test::base_spec(500.0, 10000.0, 3);
  spec.outcomes.follow_up_days = 100;
  spec.population.groups[0].death_per_year = 0.3;
  spec.population.groups[0].move_away_per_year = 0.4;
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Exponential{200.0})));
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  cohort(spec, 0, 10000);
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{601, 0});
  const double exposure = r.person_days / 365.0;
  const double died = sum_years(r, SystemKpi::kDied), moved = sum_years(r, SystemKpi::kMovedAway);
  INFO("person-years " << exposure << ": deaths " << died << " (" << died / exposure << " a year), moves " << moved
                       << " (" << moved / exposure << " a year)");
  REQUIRE(exposure > 12000);
  CHECK(std::fabs(died / exposure - 0.3) <= kZ * std::sqrt(died) / exposure);    // Poisson SE, ~1.6%
  CHECK(std::fabs(moved / exposure - 0.4) <= kZ * std::sqrt(moved) / exposure);  // Poisson SE, ~1.4%
  CHECK(std::fabs(died / exposure - 0.33) > kZ * std::sqrt(died) / exposure);    // power: 10% error
  CHECK(std::fabs(moved / exposure - 0.44) > kZ * std::sqrt(moved) / exposure);
  CHECK(r.arrived == r.exited + r.in_system);
}

namespace {

// Every feature at once: two need groups with different routes, risk and goals; eleven
// services over three partners (sessions, drop-out, recovery, crisis, relapse, capacities,
// priority waiting lists, overflow from local acute beds to unlimited out-of-area beds,
// gatekeeping, fallback, goals, long-term step-down); a starting caseload; exit hazards; and
// arms that differ in services, behaviour, diversion and redirection.
pw::PathwaySpec kitchen_sink() {
  using pw::Route;
  using pw::ServiceKind;
  pw::PathwaySpec spec = mhsim::test::base_spec(30.0, 20000.0, 3);
  spec.population.groups[0].name = "cmd";
  spec.population.groups[0].risk_beta_a = 2;
  spec.population.groups[0].risk_beta_b = 5;
  spec.population.groups[0].wemwbs_mean = 45;
  spec.population.groups[0].wemwbs_sd = 8;
  spec.population.groups[0].goals_mean = 1.5;
  spec.population.groups[0].monthly_multiplier = {1.2, 1.1, 1, 1, 0.9, 0.8, 0.8, 0.9, 1, 1.1, 1.1, 1.1};
  pw::NeedGroup smi;
  smi.name = "smi";
  smi.rate_per_1000_per_year = 8;
  smi.risk_beta_a = 5;
  smi.risk_beta_b = 2;
  smi.wemwbs_mean = 38;
  smi.goals_mean = 2.5;
  spec.population.groups.push_back(smi);
  spec.population.groups[0].death_per_year = 0.01;
  spec.population.groups[0].move_away_per_year = 0.05;
  spec.population.groups[1].death_per_year = 0.03;
  spec.population.groups[1].move_away_per_year = 0.04;
  spec.partners.push_back(pw::PartnerSpec{"charity", "vcse"});
  spec.partners.push_back(pw::PartnerSpec{"practices", "gp_practices"});
  spec.outcomes.follow_up_days = 180;
  spec.outcomes.utility_intercept = 0.1;
  spec.outcomes.utility_slope = 0.015;

  enum : std::size_t { kGp, kTt, kFront, kPeer, kCmht, kCrisis, kAcute, kOoa, kRehab, kPlace, kAlliance };
  spec.services = {
      service("gp", ServiceKind::kGp, Distribution(dist::Deterministic{1.0}), 0, 2),
      service("iapt", ServiceKind::kTalkingTherapies, Distribution(dist::Deterministic{1.0}), 15, 1),
      service("front door", ServiceKind::kFrontDoor, Distribution(dist::Exponential{21.0}), 10, 1),
      service("peer", ServiceKind::kPeerSupport, Distribution(dist::Uniform{30.0, 90.0}), 0, 1),
      service("cmht", ServiceKind::kCmht, Distribution(dist::Gamma{2.0, 90.0}), 40, 0),
      service("crisis", ServiceKind::kCrisis, Distribution(dist::Exponential{14.0}), 6, 0),
      service("acute", ServiceKind::kAcute, Distribution(dist::Lognormal{30.0, 20.0}), 8, 0),
      service("out of area", ServiceKind::kOutOfArea, Distribution(dist::Lognormal{45.0, 30.0}), 0, 0),
      service("rehab", ServiceKind::kRehab, Distribution(dist::Weibull{1.5, 300.0}), 5, 0),
      service("placement", ServiceKind::kPlacement, Distribution(dist::Exponential{500.0}), 0, 0),
      service("alliance", ServiceKind::kAllianceSupport, Distribution(dist::Triangular{60.0, 120.0, 365.0}), 20, 1),
  };
  auto& s = spec.services;
  s[kGp].duration.reset();
  s[kGp].sessions = Distribution(dist::Gamma{2.0, 1.5});
  s[kGp].session_interval_days = 14;
  s[kGp].cost_per_contact = 39;
  s[kGp].routes = {Route{kTt, 0.5}, Route{kFront, 0.3}, Route{pw::kDischarge, 0.2}};
  s[kGp].routes_by_group = {std::nullopt, pw::Routes{Route{kCmht, 0.6}, Route{kFront, 0.4}}};
  s[kTt].duration.reset();
  s[kTt].sessions = Distribution(dist::Uniform{1.0, 12.0});
  s[kTt].dropout_probability = 0.3;
  s[kTt].recovery_probability = 0.5;
  s[kTt].wemwbs_change = pw::ScoreChange{2, 3};
  s[kTt].wemwbs_change_recovered = pw::ScoreChange{8, 4};
  s[kTt].cost_per_contact = 100;
  s[kTt].relapse_per_year = 0.3;
  s[kTt].relapse_to = kGp;
  s[kTt].routes = {Route{pw::kDischarge, 0.9}, Route{kCmht, 0.1}};
  s[kFront].contacts_per_week = 1;
  s[kFront].cost_per_contact = 60;
  s[kFront].routes = {Route{kCmht, 0.4}, Route{kPeer, 0.2}, Route{kAlliance, 0.2}, Route{pw::kDischarge, 0.2}};
  s[kCmht].discipline = mhsim::engine::Discipline::kPriority;
  s[kCmht].contacts_per_week = 0.5;
  s[kCmht].cost_per_contact = 150;
  s[kCmht].annual_fixed_cost = 1e5;
  s[kCmht].crisis_per_year = 0.4;
  s[kCmht].crisis_to = kCrisis;
  s[kCmht].relapse_per_year = 0.5;
  s[kCmht].relapse_to = kCrisis;
  s[kCmht].gatekept = true;
  s[kCmht].rejected_to = kFront;
  s[kCmht].routes = {Route{pw::kDischarge, 0.7}, Route{kRehab, 0.1}, Route{kAlliance, 0.2}};
  s[kCrisis].cost_per_day = 300;
  s[kCrisis].routes = {Route{kAcute, 0.3}, Route{kCmht, 0.5}, Route{pw::kDischarge, 0.2}};
  s[kAcute].overflow = kOoa;
  s[kAcute].cost_per_day = 450;
  s[kAcute].routes = {Route{kCmht, 0.8}, Route{pw::kDischarge, 0.2}};
  s[kOoa].cost_per_day = 650;
  s[kOoa].routes = {Route{kCmht, 1.0}};
  s[kRehab].cost_per_day = 250;
  s[kRehab].routes = {Route{kPlace, 0.3}, Route{kCmht, 0.7}};
  s[kPlace].cost_per_day = 200;
  s[kAlliance].fallback = kPeer;
  s[kAlliance].cost_per_episode = 900;
  for (std::size_t d = 0; d < pw::kSiofDomains; ++d) {
    s[kAlliance].goals.achieve_per_year[d] = 1.0 + 0.1 * static_cast<double>(d);
    s[kAlliance].goals.close_per_year[d] = 0.3;
    s[kAlliance].goals.fail_per_year[d] = 0.5;
    s[kAlliance].goals.lapse_per_year[d] = 0.8;
  }
  s[kAlliance].goals.wemwbs_per_goal_achieved = 1.5;

  pw::ArmSpec current = mhsim::test::arm(spec, "current");
  current.enabled[kAlliance] = false;
  current.entry = {pw::Routes{Route{kGp, 0.8}, Route{kTt, 0.15}, Route{pw::kDischarge, 0.05}},
                   pw::Routes{Route{kGp, 0.5}, Route{kCrisis, 0.2}, Route{kCmht, 0.3}}};
  current.gatekeeping = 0.3;
  current.handoff_loss = 0.05;
  pw::ArmSpec alliance = current;
  alliance.name = "alliance";
  alliance.enabled[kAlliance] = true;
  alliance.gatekeeping = 0.1;
  alliance.handoff_loss = 0.02;
  alliance.step_down_speed = 1.5;
  alliance.front_door_diversion = 0.3;
  alliance.diversion_to = kAlliance;
  alliance.redirect.assign(s.size(), pw::kDischarge);
  alliance.redirect[kCmht] = kFront;
  alliance.capacity[kAcute] = 6;
  spec.arms = {current, alliance};

  spec.initial = {pw::InitialStock{kCmht, 1, 30, 10}, pw::InitialStock{kAcute, 1, 8, 2},
                  pw::InitialStock{kTt, 0, 10, 20}, pw::InitialStock{kAlliance, 1, 5, 0},
                  pw::InitialStock{kRehab, 1, 5, 3}};
  return spec;
}

}  // namespace

// This test found both regressions above (the caseload count wrapping at the front door of arm
// "current", and the identical arms "alliance" and "alliance copy" differing).
TEST_CASE("Pathway theory: people are conserved with every feature at once, in every replication",
          "[models][pathway][statistical]") {
  pw::PathwaySpec spec = kitchen_sink();
  // Two more arms: a copy of "alliance" (must match it byte for byte), and "alliance" with
  // only its hand-off loss changed (must see the same arrivals).
  pw::ArmSpec copy = spec.arms[1];
  copy.name = "alliance copy";
  pw::ArmSpec lossless = spec.arms[1];
  lossless.name = "alliance without hand-off loss";
  lossless.handoff_loss = 0.0;
  spec.arms.push_back(copy);
  spec.arms.push_back(lossless);
  const auto problems = pw::check_spec(spec);
  for (const std::string& m : problems) UNSCOPED_INFO(m);
  REQUIRE(problems.empty());
  std::uint64_t stock = 0;
  for (const pw::InitialStock& st : spec.initial) stock += st.in_service + st.waiting;

  double crises = 0, relapses = 0, refusals = 0, losses = 0, diverted = 0, out_of_area = 0, goals_set = 0, deaths = 0;
  for (std::uint64_t rep = 0; rep < 12; ++rep) {
    INFO("replication " << rep);
    pw::PathwayResult r;
    REQUIRE_NOTHROW(r = pw::simulate_pathway(spec, RandomStreams{606, rep}));
    for (std::size_t a = 0; a < r.arms.size(); ++a) {
      const pw::ArmResult& x = r.arms[a];
      INFO("arm " << spec.arms[a].name);
      const std::size_t last = x.years - 1;
      CHECK(x.arrived == x.exited + x.in_system);
      CHECK(static_cast<double>(x.arrived) == sum_years(x, SystemKpi::kArrivals) + static_cast<double>(stock));
      double by_reason = 0;
      for (const SystemKpi k : {SystemKpi::kDischarged, SystemKpi::kDied, SystemKpi::kMovedAway, SystemKpi::kRemitted}) {
        by_reason += sum_years(x, k);
      }
      CHECK(by_reason == static_cast<double>(x.exited));
      CHECK(x.sys(last, SystemKpi::kInSystemAtYearEnd) == static_cast<double>(x.in_system));
      for (std::size_t y = 0; y < x.years; ++y) {
        double held = 0;
        for (std::size_t s = 0; s < x.services; ++s) {
          held += x.svc(y, s, ServiceKpi::kCaseloadAtYearEnd) + x.svc(y, s, ServiceKpi::kWaitingAtYearEnd);
          if (spec.arms[a].capacity[s] > 0) {
            CHECK(x.svc(y, s, ServiceKpi::kCaseloadAtYearEnd) <= static_cast<double>(spec.arms[a].capacity[s]));
          }
          CHECK(x.svc(y, s, ServiceKpi::kMeanOccupancy) >= 0.0);
        }
        CHECK(held <= x.sys(y, SystemKpi::kInSystemAtYearEnd));  // the rest are in follow-up
        // Goals: progressing (a stock) = cumulative set - achieved - closed - not achieved, >= 0.
        for (std::size_t d = 0; d < pw::kSiofDomains; ++d) {
          double open = 0;
          for (std::size_t z = 0; z <= y; ++z) {
            open += goals(x, z, d, GoalStatus::kSet) - goals(x, z, d, GoalStatus::kAchieved) -
                    goals(x, z, d, GoalStatus::kClosed) - goals(x, z, d, GoalStatus::kNotAchieved);
          }
          CHECK(goals(x, y, d, GoalStatus::kProgressing) == open);
          CHECK(open >= 0.0);
        }
      }
      crises += sum_years(x, SystemKpi::kCrises);
      relapses += sum_years(x, SystemKpi::kRelapses);
      refusals += sum_years(x, SystemKpi::kGatekeptRefusals);
      losses += sum_years(x, SystemKpi::kHandoffLosses);
      diverted += sum_years(x, SystemKpi::kDiverted);
      out_of_area += sum_years(x, SystemKpi::kOutOfAreaDays);
      goals_set += sum_years(x, SystemKpi::kGoalsSet);
      deaths += sum_years(x, SystemKpi::kDied);
    }
    // Identical arms, identical results; behaviour changes leave arrivals alone.
    CHECK(same_bytes(r.arms[1].activity, r.arms[2].activity));
    CHECK(same_bytes(r.arms[1].system, r.arms[2].system));
    CHECK(same_bytes(r.arms[1].service, r.arms[2].service));
    CHECK(same_bytes(r.arms[1].goals, r.arms[2].goals));
    CHECK(r.arms[1].events == r.arms[2].events);
    for (std::size_t y = 0; y < r.arms[1].years; ++y) {
      for (std::size_t a = 0; a < r.arms.size(); ++a) {
        CHECK(r.arms[a].sys(y, SystemKpi::kArrivals) == r.arms[1].sys(y, SystemKpi::kArrivals));
        CHECK(r.arms[a].sys(y, SystemKpi::kLeftUnserved) == r.arms[1].sys(y, SystemKpi::kLeftUnserved));
      }
    }
    CHECK(sum_years(r.arms[3], SystemKpi::kHandoffLosses) == 0.0);
  }
  // The scenario exercises what it claims to.
  INFO("crises " << crises << ", relapses " << relapses << ", refusals " << refusals << ", losses " << losses
                 << ", diverted " << diverted << ", out-of-area days " << out_of_area << ", goals " << goals_set
                 << ", deaths " << deaths);
  CHECK(crises > 0);
  CHECK(relapses > 0);
  CHECK(refusals > 0);
  CHECK(losses > 0);
  CHECK(diverted > 0);
  CHECK(out_of_area > 0);
  CHECK(goals_set > 0);
  CHECK(deaths > 0);
}

TEST_CASE("Pathway theory: a number and an array of that number by year give byte-identical results",
          "[models][pathway][reproducibility]") {
  // The every-feature scenario (three years): its "alliance" arm with each behaviour parameter
  // a number, an array of that number per year, and a one-element array; then with every
  // parameter changed in year 3 only, which leaves years 1 and 2 as they were.
  pw::PathwaySpec spec = kitchen_sink();
  const pw::ArmSpec scalar = spec.arms[1];
  const auto every_year = [](const pw::ByYear& v, std::size_t years) {
    return pw::ByYear(std::vector<double>(years, v.in_year(0)));
  };
  pw::ArmSpec arrays = scalar, single = scalar, year3 = scalar;
  arrays.name = "arrays";
  single.name = "one-element arrays";
  year3.name = "changed in year 3";
  for (pw::ArmSpec* a : {&arrays, &single}) {
    const std::size_t n = a == &arrays ? 3 : 1;
    a->gatekeeping = every_year(scalar.gatekeeping, n);
    a->handoff_loss = every_year(scalar.handoff_loss, n);
    a->front_door_diversion = every_year(scalar.front_door_diversion, n);
    a->step_down_speed = every_year(scalar.step_down_speed, n);
  }
  const auto in_year3 = [](const pw::ByYear& v, double x) {
    return pw::ByYear(std::vector<double>{v.in_year(0), v.in_year(1), x});
  };
  year3.gatekeeping = in_year3(scalar.gatekeeping, 0.6);
  year3.handoff_loss = in_year3(scalar.handoff_loss, 0.2);
  year3.front_door_diversion = in_year3(scalar.front_door_diversion, 0.7);
  year3.step_down_speed = in_year3(scalar.step_down_speed, 3.0);
  spec.arms = {scalar, arrays, single, year3};
  REQUIRE(pw::check_spec(spec).empty());
  CHECK(arrays.front_door_diversion == scalar.front_door_diversion);
  CHECK(arrays.front_door_diversion == 0.3);
  CHECK_FALSE(year3.front_door_diversion == scalar.front_door_diversion);

  const auto years_1_2 = [](const std::vector<double>& v, std::size_t per_year) {
    return std::vector<double>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(2 * per_year));
  };
  for (std::uint64_t rep = 0; rep < 3; ++rep) {
    INFO("replication " << rep);
    const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{607, rep});
    const pw::ArmResult& base = r.arms[0];
    for (std::size_t a = 1; a <= 2; ++a) {
      INFO("arm " << spec.arms[a].name);
      const pw::ArmResult& x = r.arms[a];
      CHECK(same_bytes(x.activity, base.activity));
      CHECK(same_bytes(x.cost, base.cost));
      CHECK(same_bytes(x.partner_cost, base.partner_cost));
      CHECK(same_bytes(x.system, base.system));
      CHECK(same_bytes(x.service, base.service));
      CHECK(same_bytes(x.goals, base.goals));
      CHECK(x.events == base.events);
      CHECK(x.arrived == base.arrived);
      CHECK(x.exited == base.exited);
      CHECK(std::memcmp(&x.person_days, &base.person_days, sizeof(double)) == 0);
    }
    // Causality: a change in year 3 leaves years 1 and 2 untouched, and shows in year 3.
    const pw::ArmResult& y3 = r.arms[3];
    const std::size_t S = base.services;
    CHECK(same_bytes(years_1_2(y3.system, pw::kSystemKpis), years_1_2(base.system, pw::kSystemKpis)));
    CHECK(same_bytes(years_1_2(y3.service, S * pw::kServiceKpis), years_1_2(base.service, S * pw::kServiceKpis)));
    CHECK(same_bytes(years_1_2(y3.activity, S * pw::kMeasures), years_1_2(base.activity, S * pw::kMeasures)));
    CHECK_FALSE(same_bytes(y3.system, base.system));
    CHECK(y3.sys(2, SystemKpi::kDiverted) > base.sys(2, SystemKpi::kDiverted));
    CHECK(y3.sys(2, SystemKpi::kHandoffLosses) > base.sys(2, SystemKpi::kHandoffLosses));
  }
}

// -------------------------------------------------------------------------------------------
// A starting caseload in steady state stays there (M/G/infinity).
// -------------------------------------------------------------------------------------------

TEST_CASE("Pathway theory: a stationary starting caseload keeps an infinite-server service at lambda E[L]",
          "[models][pathway][statistical]") {
  // Poisson arrivals at lambda a day into a service without capacity limit, episode length L
  // lognormal (mean 600 days, sd 500: long against the two-year run), no exits. In steady
  // state the number in service has mean lambda E[L] at every time, and the remaining time of
  // an episode in progress is a uniform fraction of a length-biased length. So with N0 =
  // lambda E[L] people in service at day 0 with `stationary` remaining times,
  //   E[N(t)] = N0 P(R > t) + lambda int_0^t P(L > s) ds = lambda E[L] for every t,
  // since P(R > t) = 1 - (1 / E[L]) int_0^t P(L > s) ds. The time-average occupancy of each
  // year then has mean N0 too. With `uniform` remaining times (a fraction of a fresh length,
  // mean 300 days instead of E[L^2] / (2 E[L]) = 508) the caseload thins in year one, and the
  // same check must reject it. SE from 40 replications (estimate(): sd / sqrt(R)).
  const double lambda = 2.0;  // a day
  const Distribution length = dist::Lognormal{600.0, 500.0};
  // 730 arrivals a year in a population of 100,000: 7.3 per 1,000.
  pw::PathwaySpec spec = mhsim::test::base_spec(lambda * 365.0 / 100.0, 100000.0, 2);
  spec.services.push_back(service("team", pw::ServiceKind::kCmht, length));
  spec.arms.push_back(mhsim::test::arm(spec, "arm"));
  const auto n0 = static_cast<std::uint64_t>(lambda * 600.0);  // 1,200
  const auto occupancy = [&](bool stationary) {
    pw::PathwaySpec s = spec;
    pw::InitialStock st{0, 0, n0, 0};
    st.stationary = stationary;
    s.initial.push_back(st);
    REQUIRE(pw::check_spec(s).empty());
    std::vector<double> y1, y2;
    for (std::uint64_t rep = 0; rep < 40; ++rep) {
      const pw::PathwayResult r = pw::simulate_pathway(s, RandomStreams{4242, rep});
      y1.push_back(r.arms[0].svc(0, 0, ServiceKpi::kMeanOccupancy));
      y2.push_back(r.arms[0].svc(1, 0, ServiceKpi::kMeanOccupancy));
    }
    return std::pair<Estimate, Estimate>{estimate(y1), estimate(y2)};
  };
  const auto [s1, s2] = occupancy(true);
  INFO("stationary: year 1 " << s1.mean << " (SE " << s1.se << "), year 2 " << s2.mean << " (SE " << s2.se
                             << "); expected " << n0);
  CHECK(within(s1, static_cast<double>(n0)));
  CHECK(within(s2, static_cast<double>(n0)));
  const auto [u1, u2] = occupancy(false);
  INFO("uniform: year 1 " << u1.mean << " (SE " << u1.se << "), year 2 " << u2.mean << " (SE " << u2.se << ")");
  CHECK_FALSE(within(u1, static_cast<double>(n0)));
  CHECK(u1.mean < static_cast<double>(n0));
}

TEST_CASE("Pathway: unit costs inflate by their cost categories, by hand", "[models][pathway][inflation]") {
  // One person in an 800-day episode from day 0 with a weekly contact, over three years.
  // Cost categories pay (10% a year) and non_pay (0%); the team's costs are half each, so
  // its unit costs are x 1 in year 1, x (0.5 x 1.1 + 0.5) = 1.05 in year 2 and
  // x (0.5 x 1.21 + 0.5) = 1.105 in year 3.
  //   days 365, 365, 70 at £2:            730, 766.5, 154.7
  //   contacts 53, 52, 10 at £10:         530, 546, 110.5   (day 7k: k 0-52, 53-104, 105-114)
  //   a team-year of £1,000 each year:    1,000, 1,050, 1,105
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 3);
  auto svc = mhsim::test::service("team", Distribution(dist::Deterministic{800.0}), 1);
  svc.contacts_per_week = 1;
  svc.cost_per_day = 2;
  svc.cost_per_contact = 10;
  svc.annual_fixed_cost = 1000;
  svc.cost_mix = {0.5, 0.5};
  spec.services.push_back(svc);
  spec.cost_categories = {pw::CostCategory{"pay", "", 0.1}, pw::CostCategory{"non_pay", "", 0.0}};
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  spec.initial.push_back(pw::InitialStock{0, 0, 0, 1});
  REQUIRE(pw::check_spec(spec).empty());
  CHECK(pw::cost_factor(spec, 0, 0) == 1.0);
  CHECK(pw::cost_factor(spec, 0, 1) == Approx(1.05).epsilon(1e-15));
  CHECK(pw::cost_factor(spec, 0, 2) == Approx(1.105).epsilon(1e-15));

  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
  CHECK(r.act(0, 0, Measure::kContacts) == 53.0);
  CHECK(r.act(1, 0, Measure::kContacts) == 52.0);
  CHECK(r.act(2, 0, Measure::kContacts) == 10.0);
  CHECK(r.cst(0, 0, Measure::kDays) == 730.0);
  CHECK(r.cst(1, 0, Measure::kDays) == Approx(766.5).epsilon(1e-12));
  CHECK(r.cst(2, 0, Measure::kDays) == Approx(154.7).epsilon(1e-12));
  CHECK(r.cst(1, 0, Measure::kContacts) == Approx(546).epsilon(1e-12));
  CHECK(r.cst(2, 0, Measure::kContacts) == Approx(110.5).epsilon(1e-12));
  CHECK(r.cst(2, 0, Measure::kTeamYears) == Approx(1105).epsilon(1e-12));
  CHECK(r.partner_cost[0] == 730.0 + 530.0 + 1000.0);
  CHECK(r.partner_cost[2] == Approx(154.7 + 110.5 + 1105).epsilon(1e-12));

  // Inflation moves cost, never activity: the same people and the same draws, and without
  // a cost mix the costs of the first run's first year, bit for bit.
  auto flat = spec;
  flat.services[0].cost_mix.clear();
  const pw::ArmResult f = pw::simulate_arm(flat, 0, RandomStreams{1, 0});
  CHECK(same_bytes(f.activity, r.activity));
  CHECK(f.cst(0, 0, Measure::kDays) == r.cst(0, 0, Measure::kDays));
  CHECK(f.cst(2, 0, Measure::kDays) == 140.0);

  // check_spec refuses shares that do not sum to 1 and more shares than categories.
  auto bad = spec;
  bad.services[0].cost_mix = {0.5, 0.4};
  CHECK(pw::check_spec(bad) == std::vector<std::string>{"service team: cost_mix shares must be in [0, 1] and sum to 1"});
  bad.services[0].cost_mix = {0.5, 0.25, 0.25};
  CHECK(pw::check_spec(bad) ==
        std::vector<std::string>{"service team: cost_mix has more shares than there are cost categories"});
}

TEST_CASE("Pathway: with every service's costs inflating, a random network's cost grows by the factor and its "
          "activity is unchanged", "[models][pathway][inflation]") {
  // The kitchen-sink network (every feature at once): give every service the same mix, and
  // each year's ledger cost is the uninflated run's times that year's factor (same people).
  pw::PathwaySpec spec = kitchen_sink();
  spec.cost_categories = {pw::CostCategory{"pay", "", 0.04}, pw::CostCategory{"placements", "", 0.09}};
  pw::PathwaySpec flat = spec;
  for (pw::ServiceSpec& s : spec.services) s.cost_mix = {0.7, 0.3};
  REQUIRE(pw::check_spec(spec).empty());
  for (std::uint64_t rep = 0; rep < 3; ++rep) {
    const pw::PathwayResult a = pw::simulate_pathway(spec, RandomStreams{77, rep});
    const pw::PathwayResult b = pw::simulate_pathway(flat, RandomStreams{77, rep});
    for (std::size_t arm = 0; arm < a.arms.size(); ++arm) {
      CHECK(same_bytes(a.arms[arm].activity, b.arms[arm].activity));
      for (std::size_t y = 0; y < a.arms[arm].years; ++y) {
        const double factor = 0.7 * std::pow(1.04, static_cast<double>(y)) + 0.3 * std::pow(1.09, static_cast<double>(y));
        CHECK(a.arms[arm].sys(y, SystemKpi::kCost) == Approx(factor * b.arms[arm].sys(y, SystemKpi::kCost)).epsilon(1e-12));
      }
    }
  }
}

// -------------------------------------------------------------------------------------------
// Capacity schedules (issue 22 item 2).
// -------------------------------------------------------------------------------------------

namespace {
// Five people on the waiting list at day 0 of a one-slot team with 10-day episodes; a second
// team "other" (unlimited, 5-day episodes) that takes transfers.
pw::PathwaySpec five_waiting() {
  auto spec = mhsim::test::base_spec(0.0, 1000.0);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{10.0}), 1));
  spec.services.push_back(mhsim::test::service("other", Distribution(dist::Deterministic{5.0}), 0));
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  spec.initial.push_back(pw::InitialStock{0, 0, 0, 5});
  return spec;
}
}  // namespace

TEST_CASE("Pathway: a capacity schedule opens, finishes, discharges and transfers, by hand",
          "[models][pathway][capacity]") {
  // Without a change people 0..4 start at 0, 10, 20, 30, 40. With a second slot from day 15:
  // person 2 starts at 15 (ends 25), person 3 at 20 when 1 leaves (ends 30), person 4 at 25
  // when 2 leaves (ends 35). Waits 0, 10, 15, 20, 25: mean 14.
  auto spec = five_waiting();
  spec.arms[0].capacity_changes.push_back(pw::CapacityChange{0, 15.0, 2});
  REQUIRE(pw::check_spec(spec).empty());
  pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
  CHECK(r.svc(0, 0, ServiceKpi::kMeanWait) == 14.0);
  CHECK(r.svc(0, 0, ServiceKpi::kCompleted) == 5.0);
  CHECK(r.act(0, 0, Measure::kDays) == 50.0);

  SECTION("finish: the caseload drains to the new capacity") {
    // Back to one slot on day 22: 2 (since 15) and 3 (since 20) finish; at 25 the unit 2
    // frees is retired (2 in use > 1); at 30 3's unit goes to 4, who waited 30 days.
    // Waits 0, 10, 15, 20, 30: mean 15.
    spec.arms[0].capacity_changes.push_back(pw::CapacityChange{0, 22.0, 1, pw::Excess::kFinish});
    REQUIRE(pw::check_spec(spec).empty());
    r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    CHECK(r.svc(0, 0, ServiceKpi::kMeanWait) == 15.0);
    CHECK(r.svc(0, 0, ServiceKpi::kCompleted) == 5.0);
    CHECK(r.act(0, 0, Measure::kDays) == 50.0);
    CHECK(r.act(0, 1, Measure::kEpisodes) == 0.0);
  }
  SECTION("transfer: the person in service longest moves on") {
    // One slot from day 22 with transfer: 2 (in service since 15) goes to "other" at 22 (7
    // days in the team; 5 in "other", to day 27); 3 keeps the slot and hands it to 4 at 30.
    // Waits 0, 10, 15, 20, 30: mean 15. Team days 10 + 10 + 7 + 10 + 10 = 47; completed 4.
    spec.arms[0].capacity_changes.push_back(pw::CapacityChange{0, 22.0, 1, pw::Excess::kTransfer, 1});
    REQUIRE(pw::check_spec(spec).empty());
    r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    CHECK(r.svc(0, 0, ServiceKpi::kMeanWait) == 15.0);
    CHECK(r.svc(0, 0, ServiceKpi::kCompleted) == 4.0);
    CHECK(r.act(0, 0, Measure::kDays) == 47.0);
    CHECK(r.act(0, 1, Measure::kEpisodes) == 1.0);
    CHECK(r.act(0, 1, Measure::kDays) == 5.0);
    CHECK(r.arrived == 5);
    CHECK(r.exited == 5);
  }
  SECTION("discharge to close: the excess leave with their need unmet; the waiting list waits") {
    // Closed on day 22: 2 (since 15, 7 days) and 3 (since 20, 2 days) leave unmet; 4 waits
    // for good. Team days 10 + 10 + 7 + 2 = 29; episodes 4, completed 2; nobody in service
    // at the year end, one waiting. People: 5 arrived = 2 discharged + 3 still in the system.
    spec.arms[0].capacity_changes.push_back(pw::CapacityChange{0, 22.0, 0, pw::Excess::kDischargeEarly});
    REQUIRE(pw::check_spec(spec).empty());
    r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    CHECK(r.svc(0, 0, ServiceKpi::kEpisodes) == 4.0);
    CHECK(r.svc(0, 0, ServiceKpi::kCompleted) == 2.0);
    CHECK(r.act(0, 0, Measure::kDays) == 29.0);
    CHECK(r.svc(0, 0, ServiceKpi::kCaseloadAtYearEnd) == 0.0);
    CHECK(r.arrived == 5);
    CHECK(r.exited == 2);
    CHECK(r.in_system == 3);
  }
}

TEST_CASE("Pathway theory: a capacity that doubles mid-run gives Erlang C's waits before and after",
          "[models][pathway][statistical][capacity]") {
  // One service, Poisson arrivals 2.4 a day, exponential episodes of mean 1 day, FIFO: 3 slots
  // (utilisation 0.8) for years 1-5 and 6 slots (0.4) from day 1,825. Year 1 is warm-up and
  // year 6 the transition; each replication's observations are the mean waits of the
  // episodes started in years 2-5 and in years 7-10, against the piecewise steady state.
  constexpr int kYears = 10;
  constexpr int kReps = 16;
  const double lambda = 2.4, mu = 1.0;
  auto spec = mhsim::test::base_spec(87.6, 10000.0, kYears);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Exponential{1.0 / mu}), 3));
  spec.arms.push_back(mhsim::test::arm(spec, "scheduled"));
  spec.arms.back().capacity_changes.push_back(pw::CapacityChange{0, 5 * 365.0, 6});
  REQUIRE(pw::check_spec(spec).empty());
  std::vector<double> before, after;
  for (int rep = 0; rep < kReps; ++rep) {
    const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{303, static_cast<std::uint64_t>(rep)});
    const auto mean_wait = [&](std::size_t from, std::size_t to) {
      double total = 0, n = 0;
      for (std::size_t y = from; y < to; ++y) {
        const double episodes = r.arms[0].svc(y, 0, ServiceKpi::kEpisodes);
        total += r.arms[0].svc(y, 0, ServiceKpi::kMeanWait) * episodes;
        n += episodes;
      }
      return total / n;
    };
    before.push_back(mean_wait(1, 5));
    after.push_back(mean_wait(6, 10));
  }
  const Estimate b = estimate(before), a = estimate(after);
  const double wq3 = theory::mmc(lambda, mu, 3).mean_wait, wq6 = theory::mmc(lambda, mu, 6).mean_wait;
  INFO("before: " << b.mean << " (SE " << b.se << ") vs " << wq3 << "; after: " << a.mean << " (SE " << a.se
                  << ") vs " << wq6);
  CHECK(within(b, wq3));  // 4 SE, SE = sd of 16 replications' 4-year mean waits / sqrt(16)
  CHECK(within(a, wq6));
  // Power: neither regime is the other's, nor the run's average capacity's (c = 4).
  CHECK_FALSE(within(b, wq6));
  CHECK_FALSE(within(a, wq3));
  CHECK_FALSE(within(a, theory::mmc(lambda, mu, 4).mean_wait));
}

TEST_CASE("Pathway: a team's fixed cost follows the capacity in force, so phasing and double-running cost what they keep "
          "open", "[models][pathway][capacity]") {
  // Two years. "old" has 10 places and £1,000 a team-year; it halves on day 182.5 and closes
  // on day 438. Year 1: (182.5 x 10 + 182.5 x 5) / (365 x 10) = 0.75 team-years, £750.
  // Year 2: 73 days at 5 places: 73 x 5 / 3,650 = 0.1 team-years, £100. "new" (4 places,
  // £2,000) opens at 0 places on day 0 and takes 4 on day 292: year 1 73 / 365 = 0.2 (£400),
  // year 2 1 (£2,000). "plain", without a schedule, costs its £500 in both years.
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
  for (const auto& [name, places, fixed] : std::vector<std::tuple<std::string, std::int64_t, double>>{
           {"old", 10, 1000.0}, {"new", 4, 2000.0}, {"plain", 3, 500.0}}) {
    spec.services.push_back(mhsim::test::service(name, Distribution(dist::Deterministic{10.0}), places));
    spec.services.back().annual_fixed_cost = fixed;
  }
  spec.arms.push_back(mhsim::test::arm(spec, "switch"));
  spec.arms[0].capacity_changes = {pw::CapacityChange{0, 438.0, 0}, pw::CapacityChange{0, 182.5, 5},
                                   pw::CapacityChange{1, 0.0, 0}, pw::CapacityChange{1, 292.0, 4}};
  REQUIRE(pw::check_spec(spec).empty());
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
  CHECK(r.act(0, 0, Measure::kTeamYears) == Approx(0.75).epsilon(1e-12));
  CHECK(r.act(1, 0, Measure::kTeamYears) == Approx(0.1).epsilon(1e-12));
  CHECK(r.cst(0, 0, Measure::kTeamYears) == Approx(750.0).epsilon(1e-12));
  CHECK(r.cst(1, 0, Measure::kTeamYears) == Approx(100.0).epsilon(1e-12));
  CHECK(r.act(0, 1, Measure::kTeamYears) == Approx(0.2).epsilon(1e-12));
  CHECK(r.act(1, 1, Measure::kTeamYears) == 1.0);
  CHECK(r.cst(0, 1, Measure::kTeamYears) == Approx(400.0).epsilon(1e-12));
  CHECK(r.act(0, 2, Measure::kTeamYears) == 1.0);
  CHECK(r.act(1, 2, Measure::kTeamYears) == 1.0);
  CHECK(r.partner_cost[0] == Approx(750.0 + 400.0 + 500.0).epsilon(1e-12));
  CHECK(r.partner_cost[1] == Approx(100.0 + 2000.0 + 500.0).epsilon(1e-12));
}

TEST_CASE("Pathway theory: places follow staff, vacancies settle at t r / (1 + t r) and agency cover costs its premium",
          "[models][pathway][statistical][capacity]") {
  // 100 posts for 100 places and £1,000 a team-year; turnover t = 0.5 a year, recruitment r =
  // 73 days = 0.2 years: vacant posts are an M/M/inf-like birth-death process with long-run
  // share v = t r / (1 + t r) = 1/11, started there (9 posts vacant). A waiting list that
  // never empties (8,000 people, 10-day episodes) keeps every place in force busy.
  // Without agency cover, team-years a year average 1 - v = 10/11. With every vacancy
  // covered (cover 1, premium 0.5) the places never change (exactly 100 busy all the time)
  // and team-years average 1 + 0.5 v. Observations: per replication, the mean of the two
  // years' team-years; 100 replications; 4 SE.
  constexpr int kReps = 100;
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{10.0}), 100));
  spec.services.back().annual_fixed_cost = 1000;
  spec.services.back().staff = pw::StaffSpec{100, 0.09, 0.5, 73.0, 0.0, 0.0};
  spec.arms.push_back(mhsim::test::arm(spec, "no_cover"));
  spec.initial.push_back(pw::InitialStock{0, 0, 0, 8000});
  REQUIRE(pw::check_spec(spec).empty());
  auto covered = spec;
  covered.services[0].staff->agency_cover = 1.0;
  covered.services[0].staff->agency_premium = 0.5;
  std::vector<double> bare, agency;
  for (int rep = 0; rep < kReps; ++rep) {
    const RandomStreams streams{404, static_cast<std::uint64_t>(rep)};
    const pw::ArmResult a = pw::simulate_arm(spec, 0, streams), b = pw::simulate_arm(covered, 0, streams);
    bare.push_back((a.act(0, 0, Measure::kTeamYears) + a.act(1, 0, Measure::kTeamYears)) / 2);
    agency.push_back((b.act(0, 0, Measure::kTeamYears) + b.act(1, 0, Measure::kTeamYears)) / 2);
    CHECK(b.svc(0, 0, ServiceKpi::kMeanOccupancy) == Approx(100.0).epsilon(1e-12));
    CHECK(b.svc(1, 0, ServiceKpi::kMeanOccupancy) == Approx(100.0).epsilon(1e-12));
    CHECK(a.cst(0, 0, Measure::kTeamYears) == Approx(1000.0 * a.act(0, 0, Measure::kTeamYears)).epsilon(1e-12));
  }
  const Estimate e0 = estimate(bare), e1 = estimate(agency);
  INFO("no cover: " << e0.mean << " (SE " << e0.se << ") vs " << 10.0 / 11.0 << "; covered: " << e1.mean << " (SE "
                    << e1.se << ") vs " << 1.0 + 0.5 / 11.0);
  CHECK(within(e0, 10.0 / 11.0));
  CHECK(within(e1, 1.0 + 0.5 / 11.0));
  // Power: vacancy read as t r (0.1) rather than t r / (1 + t r), and no vacancy at all.
  CHECK_FALSE(within(e0, 0.9));
  CHECK_FALSE(within(e0, 1.0));
  CHECK_FALSE(within(e1, 1.05));
}

TEST_CASE("Pathway: one-off costs post to the partner and the system in their day's year, and change nothing else",
          "[models][pathway][transition]") {
  // Two years, one team (£1,000 a team-year, contacts at £10). One-off costs of £5,000 on
  // day 0 and £2,500 + £500 on day 400 (year 2): partner cost rises by exactly those, in
  // those years; system cost too; ledger/cost, activity and every KPI are bit for bit the
  // run's without them (they draw nothing).
  auto spec = mhsim::test::base_spec(0.0, 1000.0, 2);
  auto svc = mhsim::test::service("team", Distribution(dist::Deterministic{30.0}), 5);
  svc.contacts_per_week = 1;
  svc.cost_per_contact = 10;
  svc.annual_fixed_cost = 1000;
  spec.services.push_back(svc);
  spec.arms.push_back(mhsim::test::arm(spec, "switch"));
  spec.initial.push_back(pw::InitialStock{0, 0, 3, 2});
  const auto plain = spec;
  spec.arms[0].one_off_costs = {pw::OneOffCost{0, 0.0, 5000.0, "premises"}, pw::OneOffCost{0, 400.0, 2500.0, "IT"},
                                pw::OneOffCost{0, 729.5, 500.0, "training"}};
  REQUIRE(pw::check_spec(spec).empty());
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{7, 0});
  const pw::ArmResult p = pw::simulate_arm(plain, 0, RandomStreams{7, 0});
  CHECK(r.one_off_cost(0, 0) == 5000.0);
  CHECK(r.one_off_cost(1, 0) == 3000.0);
  CHECK(r.partner_cost[0] == p.partner_cost[0] + 5000.0);
  CHECK(r.partner_cost[1] == p.partner_cost[1] + 3000.0);
  CHECK(r.sys(0, SystemKpi::kCost) == p.sys(0, SystemKpi::kCost) + 5000.0);
  CHECK(r.sys(1, SystemKpi::kCost) == p.sys(1, SystemKpi::kCost) + 3000.0);
  CHECK(same_bytes(r.cost, p.cost));
  CHECK(same_bytes(r.activity, p.activity));
  CHECK(same_bytes(r.service, p.service));
  CHECK(r.events == p.events);
  // The monthly picture counts each in its month: day 0 in month 1, day 400 in month 14
  // ((400 - 365) / (365 / 12) = 1.15), day 729.5 in month 24; the other months are unchanged.
  using MM = pw::MonthlyMeasure;
  for (std::size_t m = 0; m < 24; ++m) {
    INFO("month " << m + 1);
    const double extra = m == 0 ? 5000.0 : m == 13 ? 2500.0 : m == 23 ? 500.0 : 0.0;
    CHECK(r.mon(m, 0, MM::kMonthCost) == p.mon(m, 0, MM::kMonthCost) + extra);
    CHECK(r.mon(m, 0, MM::kEpisodesStarted) == p.mon(m, 0, MM::kEpisodesStarted));
  }
  // Without one-off costs the array is all zeros (and the results file leaves it out).
  CHECK(p.one_off == std::vector<double>(2, 0.0));

  // check_spec refuses one of a service the arm does not have, and a negative amount.
  auto bad = spec;
  bad.arms[0].one_off_costs.push_back(pw::OneOffCost{3, 0.0, 1.0, ""});
  bad.arms[0].one_off_costs.push_back(pw::OneOffCost{0, 0.0, -1.0, ""});
  CHECK(pw::check_spec(bad) == std::vector<std::string>{
                                   "arm switch: a one-off cost of a service the arm does not have",
                                   "arm switch: a one-off cost needs day >= 0 and a finite amount >= 0"});
}

namespace {
// Routes by history (issue 15): five people wait at day 0 for a ward (10-day stays, places
// for all); the ward refers to a community team (5 days) and the team back to the ward, a
// loop; "rehab" (20 days) discharges. Follow-up is 0 days, so discharge is exit.
enum : std::size_t { kWard, kTeam, kRehabUnit };
pw::PathwaySpec revolving_door() {
  auto spec = mhsim::test::base_spec(0.0, 1000.0);
  spec.services.push_back(mhsim::test::service("ward", Distribution(dist::Deterministic{10.0}), 100));
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{5.0}), 0));
  spec.services.push_back(mhsim::test::service("rehab", Distribution(dist::Deterministic{20.0}), 0));
  spec.services[kWard].routes = {pw::Route{kTeam, 1.0}};
  spec.services[kTeam].routes = {pw::Route{kWard, 1.0}};
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  spec.initial.push_back(pw::InitialStock{kWard, 0, 0, 5});
  return spec;
}
pw::HistoryRoutes after(std::int64_t n, std::vector<bool> counted, pw::Routes routes) {
  pw::HistoryRoutes h;
  h.service = kWard;
  h.counted = std::move(counted);
  h.at_least = n;
  h.routes = std::move(routes);
  return h;
}
}  // namespace

TEST_CASE("Pathway: routes by history send the Nth admission on, by hand", "[models][pathway][history]") {
  auto spec = revolving_door();
  const pw::Routes to_rehab = {pw::Route{kRehabUnit, 1.0}};
  SECTION("without a rule the loop runs all year and nobody reaches rehab") {
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    // A cycle is 15 days: ward stays start at 0, 15, ..., 360: 25 each, 125 in all.
    CHECK(r.act(0, kWard, Measure::kEpisodes) == 125.0);
    CHECK(r.act(0, kRehabUnit, Measure::kEpisodes) == 0.0);
    CHECK(r.exited == 0);
  }
  SECTION("the third ward stay ends in rehab") {
    // Ward [0, 10], team [10, 15], ward [15, 25], team [25, 30], ward [30, 40], rehab [40, 60],
    // exit at 60: per person 3 ward stays, 2 team episodes, 1 rehab episode.
    spec.arms[0].history_routes.push_back(after(3, {true, false, false}, to_rehab));
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    CHECK(r.act(0, kWard, Measure::kEpisodes) == 15.0);
    CHECK(r.act(0, kWard, Measure::kDays) == 150.0);
    CHECK(r.act(0, kTeam, Measure::kEpisodes) == 10.0);
    CHECK(r.act(0, kRehabUnit, Measure::kEpisodes) == 5.0);
    CHECK(r.act(0, kRehabUnit, Measure::kDays) == 100.0);
    CHECK(r.arrived == 5);
    CHECK(r.exited == 5);
    CHECK(r.in_system == 0);
  }
  SECTION("counting the team's episodes too, the second ward stay is the third episode") {
    // Ward, team, ward (3 counted episodes at its end, day 25): rehab [25, 45].
    spec.arms[0].history_routes.push_back(after(3, {true, true, false}, to_rehab));
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    CHECK(r.act(0, kWard, Measure::kEpisodes) == 10.0);
    CHECK(r.act(0, kTeam, Measure::kEpisodes) == 5.0);
    CHECK(r.act(0, kRehabUnit, Measure::kEpisodes) == 5.0);
    CHECK(r.exited == 5);
  }
  SECTION("of the rules that hold, the highest at_least applies, whatever the order written") {
    // at_least 1 keeps the loop (its routes are the ward's own); at_least 4 sends on the 4th.
    spec.arms[0].history_routes.push_back(after(4, {true, false, false}, to_rehab));
    spec.arms[0].history_routes.push_back(after(1, {true, false, false}, {pw::Route{kTeam, 1.0}}));
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    CHECK(r.act(0, kWard, Measure::kEpisodes) == 20.0);
    CHECK(r.act(0, kTeam, Measure::kEpisodes) == 15.0);
    CHECK(r.act(0, kRehabUnit, Measure::kEpisodes) == 5.0);
  }
  SECTION("a rule for other need groups does not apply") {
    pw::HistoryRoutes h = after(3, {true, false, false}, to_rehab);
    h.groups = {false};
    spec.arms[0].history_routes.push_back(h);
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    CHECK(r.act(0, kRehabUnit, Measure::kEpisodes) == 0.0);
    CHECK(r.act(0, kWard, Measure::kEpisodes) == 125.0);
  }
  SECTION("at_least 0 always holds: the arm's own routes below a higher rule") {
    // The ward discharges (0) until the second stay, which goes to rehab; but the second stay
    // never comes, as the first discharges: 5 stays, nobody in rehab, everyone out by day 10.
    spec.arms[0].history_routes.push_back(after(0, {true, false, false}, {pw::Route{pw::kDischarge, 1.0}}));
    spec.arms[0].history_routes.push_back(after(2, {true, false, false}, to_rehab));
    REQUIRE(pw::check_spec(spec).empty());
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
    CHECK(r.act(0, kWard, Measure::kEpisodes) == 5.0);
    CHECK(r.act(0, kTeam, Measure::kEpisodes) == 0.0);
    CHECK(r.act(0, kRehabUnit, Measure::kEpisodes) == 0.0);
    CHECK(r.exited == 5);
  }
  SECTION("a malformed rule is refused") {
    pw::HistoryRoutes h = after(-1, {true}, to_rehab);
    spec.arms[0].history_routes.push_back(h);
    CHECK(pw::check_spec(spec).size() == 2);  // at_least < 0; counted of the wrong size
  }
}

TEST_CASE("Pathway theory: routes by history draw nothing, and keep people conserved",
          "[models][pathway][history][statistical]") {
  pw::PathwaySpec spec = kitchen_sink();
  enum : std::size_t { kCmht = 4, kAcute = 6, kOoa = 7, kRehab = 8 };
  std::vector<bool> admissions(spec.services.size(), false);
  admissions[kAcute] = admissions[kOoa] = true;
  // "unreached": the alliance arm with a rule no one meets in three years: byte-identical.
  pw::ArmSpec unreached = spec.arms[1];
  unreached.name = "unreached rule";
  pw::HistoryRoutes never;
  never.service = kAcute;
  never.counted = admissions;
  never.at_least = 1000;
  never.routes = {pw::Route{kRehab, 1.0}};
  unreached.history_routes.push_back(never);
  // "rule": after the second admission, acute and community-team completions go to rehab.
  pw::ArmSpec ruled = spec.arms[1];
  ruled.name = "rule";
  for (const std::size_t s : {std::size_t{kAcute}, std::size_t{kCmht}}) {
    pw::HistoryRoutes h = never;
    h.service = s;
    h.at_least = 2;
    ruled.history_routes.push_back(h);
  }
  spec.arms.push_back(unreached);
  spec.arms.push_back(ruled);
  const auto problems = pw::check_spec(spec);
  for (const std::string& m : problems) UNSCOPED_INFO(m);
  REQUIRE(problems.empty());
  std::uint64_t stock = 0;
  for (const pw::InitialStock& st : spec.initial) stock += st.in_service + st.waiting;
  double more_rehab = 0;
  for (std::uint64_t rep = 0; rep < 6; ++rep) {
    INFO("replication " << rep);
    const pw::PathwayResult r = pw::simulate_pathway(spec, RandomStreams{77, rep});
    const pw::ArmResult& base = r.arms[1];
    const pw::ArmResult& same = r.arms[2];
    CHECK(same_bytes(base.activity, same.activity));
    CHECK(same_bytes(base.cost, same.cost));
    CHECK(same_bytes(base.system, same.system));
    CHECK(same_bytes(base.service, same.service));
    for (const pw::ArmResult* x : {&base, &same, &r.arms[3]}) {
      CHECK(x->arrived == x->exited + x->in_system);
      CHECK(static_cast<double>(x->arrived) == sum_years(*x, SystemKpi::kArrivals) + static_cast<double>(stock));
    }
    for (std::size_t y = 0; y < base.years; ++y) {
      more_rehab += r.arms[3].svc(y, kRehab, ServiceKpi::kReferrals) - base.svc(y, kRehab, ServiceKpi::kReferrals);
    }
  }
  // Power: the rule refers people to rehab whom the alliance arm's own routes do not.
  CHECK(more_rehab > 0);
}

// ---- the monthly picture (issue 22 item 7) ------------------------------------------------

namespace {
double mon(const pw::ArmResult& r, std::size_t month, std::size_t s, pw::MonthlyMeasure q) { return r.mon(month, s, q); }
}  // namespace

TEST_CASE("Pathway monthly: a waiting list served one at a time gives the hand-computed months", "[models][pathway][monthly]") {
  // Five people on the waiting list at day 0, one place, 10-day episodes: person k starts at
  // 10k (wait 10k). Months are 365 / 12 = 30.4167 days: month 1 is [0, 30.4167), month 2
  // [30.4167, 60.8333). Month 1: episodes at 0, 10, 20, 30 (4, mean wait 15); at its end
  // person 3 is in service (30..40) and person 4 waits. Month 2: person 4 starts at 40 (wait
  // 40), ends at 50; nobody at its end. Cost: £100 an episode, £10 a day, £1,200 a team-year
  // (£100 a month): month 1 = 400 + 304.1667 + 100; month 2 = 100 + (50 - 30.4167) x 10 + 100.
  auto spec = mhsim::test::base_spec(0.0, 1000.0);
  auto svc = mhsim::test::service("team", Distribution(dist::Deterministic{10.0}), 1);
  svc.cost_per_episode = 100;
  svc.cost_per_day = 10;
  svc.annual_fixed_cost = 1200;
  spec.services.push_back(svc);
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  spec.initial.push_back(pw::InitialStock{0, 0, 0, 5});
  REQUIRE(pw::check_spec(spec).empty());
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
  using Q = pw::MonthlyMeasure;
  REQUIRE(r.months == 12);
  REQUIRE(r.monthly.size() == 12 * 1 * pw::kMonthlyMeasures);
  CHECK(mon(r, 0, 0, Q::kEpisodesStarted) == 4.0);
  CHECK(mon(r, 0, 0, Q::kMeanWaitOfStarted) == 15.0);
  CHECK(mon(r, 0, 0, Q::kInServiceAtEnd) == 1.0);
  CHECK(mon(r, 0, 0, Q::kWaitingAtEnd) == 1.0);
  CHECK(mon(r, 0, 0, Q::kPlacesAtEnd) == 1.0);
  CHECK(std::isnan(mon(r, 0, 0, Q::kStaffAtEnd)));  // no staff model
  CHECK(mon(r, 1, 0, Q::kEpisodesStarted) == 1.0);
  CHECK(mon(r, 1, 0, Q::kMeanWaitOfStarted) == 40.0);
  CHECK(mon(r, 1, 0, Q::kInServiceAtEnd) == 0.0);
  CHECK(mon(r, 1, 0, Q::kWaitingAtEnd) == 0.0);
  for (std::size_t m = 2; m < 12; ++m) {
    CHECK(mon(r, m, 0, Q::kEpisodesStarted) == 0.0);
    CHECK(mon(r, m, 0, Q::kMeanWaitOfStarted) == 0.0);
    CHECK(mon(r, m, 0, Q::kMonthCost) == Approx(100.0).epsilon(1e-12));
  }
  CHECK(mon(r, 0, 0, Q::kMonthCost) == Approx(400.0 + 3650.0 / 12.0 + 100.0).epsilon(1e-12));
  CHECK(mon(r, 1, 0, Q::kMonthCost) == Approx(100.0 + (50.0 - 365.0 / 12.0) * 10.0 + 100.0).epsilon(1e-12));
}

TEST_CASE("Pathway monthly: a capacity change at a known day shows in places in force from that month",
          "[models][pathway][monthly][capacity]") {
  // One place; a second from day 100 (month 4, which starts at day 91.25); closed from day
  // 300 (month 10, from 273.75). Places at month ends: 1, 1, 1, 2 x 6, 0 x 3.
  auto spec = mhsim::test::base_spec(0.0, 1000.0);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{10.0}), 1));
  spec.services.push_back(mhsim::test::service("unlimited", Distribution(dist::Deterministic{10.0}), 0));
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  spec.arms[0].capacity_changes = {pw::CapacityChange{0, 100.0, 2}, pw::CapacityChange{0, 300.0, 0}};
  REQUIRE(pw::check_spec(spec).empty());
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
  const std::array<double, 12> want = {1, 1, 1, 2, 2, 2, 2, 2, 2, 0, 0, 0};
  for (std::size_t m = 0; m < 12; ++m) {
    INFO("month " << m + 1);
    CHECK(mon(r, m, 0, pw::MonthlyMeasure::kPlacesAtEnd) == want[m]);
    CHECK(std::isnan(mon(r, m, 1, pw::MonthlyMeasure::kPlacesAtEnd)));  // unlimited: NaN
  }
}

TEST_CASE("Pathway monthly: the months of a year sum to its ledger cost and episodes, month 12 is the year end",
          "[models][pathway][monthly]") {
  // A busy two-service pathway over three years with every kind of posting: contacts,
  // days, episodes, fixed team costs, a capacity schedule, staff with turnover and agency
  // cover (team-years accrued as they go) and cost inflation by category.
  auto spec = mhsim::test::base_spec(40.0, 10000.0, 3);
  auto team = mhsim::test::service("team", Distribution(dist::Exponential{40.0}), 30);
  team.contacts_per_week = 1.5;
  team.cost_per_contact = 55;
  team.cost_per_day = 3;
  team.cost_per_episode = 120;
  team.annual_fixed_cost = 250000;
  team.cost_mix = {0.7, 0.3};
  team.staff = pw::StaffSpec{20, 0.15, 0.3, 60.0, 0.5, 0.4};
  team.routes = {pw::Route{1, 0.5}, pw::Route{pw::kDischarge, 0.5}};
  spec.services.push_back(team);
  auto ward = mhsim::test::service("ward", Distribution(dist::Exponential{20.0}), 5);
  ward.cost_per_day = 400;
  ward.annual_fixed_cost = 90000;
  ward.cost_mix = {1.0, 0.0};
  spec.services.push_back(ward);
  spec.cost_categories = {pw::CostCategory{"pay", "", 0.05}, pw::CostCategory{"non_pay", "", 0.02}};
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  spec.arms[0].capacity_changes = {pw::CapacityChange{1, 500.0, 8}};
  REQUIRE(pw::check_spec(spec).empty());
  for (std::uint64_t rep = 0; rep < 3; ++rep) {
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{77, rep});
    for (std::size_t y = 0; y < 3; ++y) {
      for (std::size_t s = 0; s < 2; ++s) {
        double cost = 0, ledger = 0, episodes = 0;
        for (std::size_t m = 12 * y; m < 12 * y + 12; ++m) {
          cost += r.mon(m, s, pw::MonthlyMeasure::kMonthCost);
          episodes += r.mon(m, s, pw::MonthlyMeasure::kEpisodesStarted);
        }
        for (std::size_t q = 0; q < pw::kMeasures; ++q) ledger += r.cst(y, s, static_cast<Measure>(q));
        INFO("rep " << rep << ", year " << y + 1 << ", service " << s);
        CHECK(ledger > 0);
        CHECK(cost == Approx(ledger).epsilon(1e-12));  // floating rounding only
        CHECK(episodes == r.svc(y, s, ServiceKpi::kEpisodes));
        const std::size_t last = 12 * y + 11;
        CHECK(r.mon(last, s, pw::MonthlyMeasure::kWaitingAtEnd) == r.svc(y, s, ServiceKpi::kWaitingAtYearEnd));
        CHECK(r.mon(last, s, pw::MonthlyMeasure::kInServiceAtEnd) == r.svc(y, s, ServiceKpi::kCaseloadAtYearEnd));
      }
    }
    // Staff in post: filled + 0.5 x vacant, between 17 + 1.5 and 20 posts; places follow it.
    for (std::size_t m = 0; m < 36; ++m) {
      const double staff = r.mon(m, 0, pw::MonthlyMeasure::kStaffAtEnd);
      CHECK(staff >= 10.0);
      CHECK(staff <= 20.0);
      CHECK(r.mon(m, 0, pw::MonthlyMeasure::kPlacesAtEnd) == static_cast<double>(std::llround(30.0 * (staff / 20.0))));
      CHECK(std::isnan(r.mon(m, 1, pw::MonthlyMeasure::kStaffAtEnd)));
      CHECK(r.mon(m, 1, pw::MonthlyMeasure::kPlacesAtEnd) == (m < 16 ? 5.0 : 8.0));  // day 500 is in month 17
    }
    CHECK(r.mon(0, 0, pw::MonthlyMeasure::kStaffAtEnd) != r.mon(35, 0, pw::MonthlyMeasure::kStaffAtEnd));
  }
}

TEST_CASE("Pathway monthly: month-end caseloads of an M/M/infinity service match the transient Poisson mean",
          "[models][pathway][monthly][statistical]") {
  // Poisson arrivals at 2 a day (73 per 1,000 a year in 10,000 people), exponential episodes
  // of mean 10 days, unlimited places, empty at day 0: N(t) is Poisson with mean
  // (lambda / mu)(1 - exp(-mu t)) (M/M/infinity transient). Each replication's observation
  // is its mean month-end caseload over the 12 months, against the mean of the 12 expected
  // values; tolerance 4 SE from 40 replications (fixed seed 2207). Episodes started in a
  // month: mean lambda x 365 / 12.
  auto spec = mhsim::test::base_spec(73.0, 10000.0);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Exponential{10.0}), 0));
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  REQUIRE(pw::check_spec(spec).empty());
  const double lambda = 2.0, mu = 0.1;
  double expected = 0;
  for (std::size_t m = 0; m < 12; ++m) expected += lambda / mu * (1.0 - std::exp(-mu * pw::month_start(m + 1))) / 12.0;
  std::vector<double> caseload, started;
  for (std::uint64_t rep = 0; rep < 40; ++rep) {
    const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{2207, rep});
    double c = 0, e = 0;
    for (std::size_t m = 0; m < 12; ++m) {
      c += r.mon(m, 0, pw::MonthlyMeasure::kInServiceAtEnd) / 12.0;
      e += r.mon(m, 0, pw::MonthlyMeasure::kEpisodesStarted) / 12.0;
      CHECK(r.mon(m, 0, pw::MonthlyMeasure::kWaitingAtEnd) == 0.0);
      CHECK(r.mon(m, 0, pw::MonthlyMeasure::kMeanWaitOfStarted) == 0.0);
    }
    caseload.push_back(c);
    started.push_back(e);
  }
  const auto c = mhsim::test::estimate(caseload), e = mhsim::test::estimate(started);
  INFO("caseload " << c.mean << " (SE " << c.se << ") vs " << expected << "; started " << e.mean << " (SE " << e.se << ")");
  CHECK(std::fabs(c.mean - expected) <= 4 * c.se);
  CHECK(std::fabs(e.mean - lambda * 365.0 / 12.0) <= 4 * e.se);
  // Power: a caseload 10% off would be caught.
  CHECK(std::fabs(c.mean - 1.1 * expected) > 4 * c.se);
}

TEST_CASE("Pathway monthly: staff in post and a staffed team's cost, by hand", "[models][pathway][monthly]") {
  // 10 posts, 20% vacant at day 0 (8 filled, 2 vacant), nobody leaves and no vacancy is
  // filled within the run (mean recruitment 1e12 days); half the vacant posts are covered by
  // agency staff at a 50% premium. Staff in post = 8 + 0.5 x 2 = 9 at every month end;
  // places = round(20 x 9 / 10) = 18; team-years accrue at (8 + 1.5 x 0.5 x 2) / 10 = 0.95
  // a year, so £1,200 a team-year costs 1,200 x 0.95 / 12 = £95 a month.
  auto spec = mhsim::test::base_spec(0.0, 1000.0);
  spec.services.push_back(mhsim::test::service("team", Distribution(dist::Deterministic{10.0}), 20));
  spec.services.back().annual_fixed_cost = 1200;
  spec.services.back().staff = pw::StaffSpec{10, 0.2, 0.0, 1e12, 0.5, 0.5};
  spec.arms.push_back(mhsim::test::arm(spec, "only"));
  REQUIRE(pw::check_spec(spec).empty());
  const pw::ArmResult r = pw::simulate_arm(spec, 0, RandomStreams{1, 0});
  for (std::size_t m = 0; m < 12; ++m) {
    INFO("month " << m + 1);
    CHECK(r.mon(m, 0, pw::MonthlyMeasure::kStaffAtEnd) == 9.0);
    CHECK(r.mon(m, 0, pw::MonthlyMeasure::kPlacesAtEnd) == 18.0);
    CHECK(r.mon(m, 0, pw::MonthlyMeasure::kMonthCost) == Approx(95.0).epsilon(1e-12));
  }
}
