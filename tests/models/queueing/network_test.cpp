// SPDX-License-Identifier: MIT
// Hand-computable networks: deterministic inter-arrival and service times make every
// statistic exact, so the expected values below are worked out by hand in the comments.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "analysis/network_results.hpp"
#include "analysis/queueing_theory.hpp"
#include "engine/distribution.hpp"
#include "engine/error.hpp"
#include "engine/random.hpp"
#include "models/queueing/network.hpp"

namespace q = mhsim::models::queueing;
namespace dist = mhsim::engine::dist;
using mhsim::engine::RandomStreams;
namespace theory = mhsim::analysis::theory;
using mhsim::engine::Distribution;

namespace {
q::StationSpec station(std::string name, std::int64_t servers, mhsim::engine::Distribution service) {
  q::StationSpec s;
  s.name = std::move(name);
  s.servers = servers;
  s.service = service;
  return s;
}
}  // namespace

TEST_CASE("Network: deterministic tandem line has exact waits and counts", "[models]") {
  // Arrivals every 1 day at a (1 server, service 0.5) then b (1 server, service 0.75).
  // First arrival at t = 1; nobody ever waits; sojourn a = 0.5, b = 0.75; time in system 1.25.
  q::NetworkSpec net;
  net.horizon = 100.0;
  net.stations.push_back(station("a", 1, dist::Deterministic{0.5}));
  net.stations.push_back(station("b", 1, dist::Deterministic{0.75}));
  net.stations[0].interarrival = mhsim::engine::Distribution(dist::Deterministic{1.0});
  net.stations[0].routes = {{1, 1.0}};
  const q::NetworkResult r = q::simulate_network(net, RandomStreams{1, 0});
  // Arrivals at t = 1..100: 100 at a. The one at t = 100 reaches b at 100.5 <= 100? No:
  // b receives people who finished a by t = 100, i.e. arrivals 1..99 finish at 1.5..99.5: 99.
  CHECK(r.stations[0].arrivals == 100);
  CHECK(r.stations[1].arrivals == 99);
  CHECK(r.stations[0].mean_wait == 0.0);
  CHECK(r.stations[0].mean_sojourn == 0.5);
  CHECK(r.stations[1].mean_sojourn == 0.75);
  CHECK(r.mean_time_in_system == 1.25);
  // a is busy 0.5 of every day from t = 1: 99 full services + the one started at 100
  // (ending 100.5) cut at the horizon: busy time 99 x 0.5 = 49.5 over 100 days.
  CHECK(r.stations[0].utilisation == Approx(0.495).epsilon(1e-12));
  // Exits: the people who finished b by t = 100: arrivals 1..98 (b ends at t + 1.25 <= 100 for t <= 98).
  CHECK(r.exited == 98);
  CHECK(r.entered == 100);
  CHECK(r.in_system_at_end == 2);
}

TEST_CASE("Network: deterministic overload queues grow exactly", "[models]") {
  // One server, service 2, arrivals every 1 from t = 1. Person k (k = 1, 2, ...) arrives at k
  // and starts at 1 + 2 (k - 1), so waits k - 1 days. Starts by t = 20: 1 + 2(k - 1) <= 20,
  // k <= 10 (k = 10 starts at 19). Mean wait of those granted = (0 + ... + 9) / 10 = 4.5.
  q::NetworkSpec net;
  net.horizon = 20.0;
  net.stations.push_back(station("slow", 1, dist::Deterministic{2.0}));
  net.stations[0].interarrival = mhsim::engine::Distribution(dist::Deterministic{1.0});
  const q::NetworkResult r = q::simulate_network(net, RandomStreams{1, 0});
  CHECK(r.stations[0].mean_wait == 4.5);
  CHECK(r.stations[0].arrivals == 20);
  CHECK(r.stations[0].completions == 9);  // starts at 1, 3, ..., 17 end at 3, ..., 19; the 10th ends at 21
  CHECK(r.in_system_at_end == 11);
}

TEST_CASE("Network: warm-up resets statistics but keeps people", "[models]") {
  q::NetworkSpec net;
  net.horizon = 20.0;
  net.warmup = 10.0;
  net.stations.push_back(station("slow", 1, dist::Deterministic{2.0}));
  net.stations[0].interarrival = mhsim::engine::Distribution(dist::Deterministic{1.0});
  const q::NetworkResult r = q::simulate_network(net, RandomStreams{1, 0});
  // Window (10, 20]: arrivals at 11..20 = 10 (the one at exactly 10 precedes the reset,
  // which runs after other events at t = 10). Services start at 11, 13, 15, 17, 19 for
  // persons 6..10, who waited 5..9 days: mean 7. Busy throughout: utilisation 1.
  CHECK(r.stations[0].arrivals == 10);
  CHECK(r.stations[0].mean_wait == 7.0);
  CHECK(r.stations[0].utilisation == 1.0);
  CHECK(r.entered == 20);  // whole run
}

TEST_CASE("Network: routing splits in proportion to the probabilities", "[models][statistical]") {
  // 1 in 4 go to b. Over many arrivals the count at b is Binomial(n, 0.25); we accept
  // within 4 binomial standard deviations (p ~ 6e-5 of a false alarm for this fixed seed).
  q::NetworkSpec net;
  net.horizon = 10000.0;
  net.stations.push_back(station("a", 1000, dist::Exponential{0.01}));
  net.stations.push_back(station("b", 1000, dist::Exponential{0.01}));
  net.stations[0].interarrival = mhsim::engine::Distribution(dist::Exponential{0.5});
  net.stations[0].routes = {{1, 0.25}, {q::kExit, 0.75}};
  const q::NetworkResult r = q::simulate_network(net, RandomStreams{5, 0});
  const double n = static_cast<double>(r.stations[0].completions);
  const double sd = std::sqrt(n * 0.25 * 0.75);
  CHECK(std::fabs(static_cast<double>(r.stations[1].arrivals) - 0.25 * n) < 4.0 * sd + 1.0);
}

TEST_CASE("Network: an unstable network stops with a clear error instead of exhausting memory", "[models]") {
  q::NetworkSpec net;
  net.horizon = 1e6;
  net.max_in_system = 1000;
  net.stations.push_back(station("jam", 1, dist::Deterministic{2.0}));
  net.stations[0].interarrival = mhsim::engine::Distribution(dist::Deterministic{1.0});
  CHECK_THROWS_WITH(q::simulate_network(net, RandomStreams{1, 0}),
                    Catch::Contains("more than 1000 people are in the network at once"));
}

TEST_CASE("Network: same streams give identical results, different replications differ", "[models][reproducibility]") {
  q::NetworkSpec net;
  net.horizon = 500.0;
  net.stations.push_back(station("a", 2, dist::Gamma{2.0, 0.5}));
  net.stations[0].interarrival = mhsim::engine::Distribution(dist::Exponential{0.6});
  const q::NetworkResult r1 = q::simulate_network(net, RandomStreams{3, 4});
  const q::NetworkResult r2 = q::simulate_network(net, RandomStreams{3, 4});
  const q::NetworkResult r3 = q::simulate_network(net, RandomStreams{3, 5});
  CHECK(r1.stations[0].mean_wait == r2.stations[0].mean_wait);
  CHECK(r1.events == r2.events);
  CHECK(r1.stations[0].mean_wait != r3.stations[0].mean_wait);
}

// ---------------------------------------------------------------------------------------
// The queueing-network model (models::queueing::simulate_network) against theory.
// Method as in tests/engine/mmc_queue_test.cpp: R = 30 independent replications, each with a
// warm-up; each replication's value is one observation; the grand mean must lie within 3
// standard errors of the across-replication mean (sample sd / sqrt(R)) of the theoretical value.
// For a correct model a check fails with probability about 0.5% (Student t, 29 degrees of
// freedom, beyond +-3); the seeds are fixed, so each outcome is deterministic.
namespace {

constexpr int kReplications = 30;

// The network of scenarios/examples/jackson.toml: external Poisson arrivals at a (1 a day),
// a -> b 0.6, a -> c 0.4, b -> c 0.5, b -> exit 0.5, c -> a 0.2 (feedback), c -> exit 0.8.
q::NetworkSpec jackson_network() {
  q::NetworkSpec net;
  net.warmup = 2000.0;
  net.horizon = 22000.0;
  net.stations = {station("a", 2, dist::Exponential{1.5}), station("b", 1, dist::Exponential{1.2}),
                  station("c", 3, dist::Exponential{3.0})};
  net.stations[0].interarrival = Distribution(dist::Exponential{1.0});
  net.stations[0].routes = {{1, 0.6}, {2, 0.4}};
  net.stations[1].routes = {{2, 0.5}, {q::kExit, 0.5}};
  net.stations[2].routes = {{0, 0.2}, {q::kExit, 0.8}};
  return net;
}

// Traffic equations of that network, solved by hand:
//   l_a = 1 + 0.2 l_c,  l_b = 0.6 l_a,  l_c = 0.4 l_a + 0.5 l_b = 0.7 l_a
//   => l_a = 1 / (1 - 0.2 x 0.7) = 1 / 0.86 = 1.162791, l_b = 0.697674, l_c = 0.813953 a day.
// Station loads l_i E[S_i] / c_i: a 0.872093, b 0.837209, c 0.813953.
const double kRates[] = {1.0 / 0.86, 0.6 / 0.86, 0.7 / 0.86};

std::vector<q::NetworkResult> replicate(const q::NetworkSpec& net, std::uint64_t seed, int replications) {
  std::vector<q::NetworkResult> out;
  for (int r = 0; r < replications; ++r) {
    out.push_back(q::simulate_network(net, mhsim::engine::RandomStreams{seed, static_cast<std::uint64_t>(r)}));
  }
  return out;
}

// Across-replication mean and standard error, computed here (two-pass).
struct Estimate {
  double mean;
  double se;
};

Estimate estimate(const std::vector<q::NetworkResult>& runs, const std::function<double(const q::NetworkResult&)>& value) {
  const double n = static_cast<double>(runs.size());
  double sum = 0.0;
  for (const q::NetworkResult& r : runs) sum += value(r);
  const double mean = sum / n;
  double ss = 0.0;
  for (const q::NetworkResult& r : runs) ss += (value(r) - mean) * (value(r) - mean);
  return Estimate{mean, std::sqrt(ss / (n - 1.0) / n)};
}

bool within_3se(const Estimate& e, double theory_value) { return std::fabs(e.mean - theory_value) <= 3.0 * e.se; }

}  // namespace

TEST_CASE("Jackson network: the prediction solves the traffic equations worked by hand", "[models][analysis]") {
  const q::NetworkSpec net = jackson_network();
  const auto prediction = mhsim::analysis::jackson_prediction(net);
  REQUIRE(prediction.has_value());
  REQUIRE(prediction->size() == 3);
  // The same network entered by hand into analysis::theory::jackson.
  Eigen::VectorXd gamma(3);
  gamma << 1.0, 0.0, 0.0;
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(3, 3);
  p(0, 1) = 0.6;
  p(0, 2) = 0.4;
  p(1, 2) = 0.5;
  p(2, 0) = 0.2;
  Eigen::VectorXd mu(3);
  mu << 1.0 / 1.5, 1.0 / 1.2, 1.0 / 3.0;
  const std::vector<theory::MmcMeasures> by_hand = theory::jackson(gamma, p, mu, {2, 1, 3});
  const std::vector<double> load = mhsim::analysis::offered_load(net);
  const double hand_load[] = {kRates[0] * 1.5 / 2.0, kRates[1] * 1.2, kRates[2] * 3.0 / 3.0};
  for (std::size_t s = 0; s < 3; ++s) {
    INFO("station " << net.stations[s].name);
    CHECK((*prediction)[s].rho == Approx(hand_load[s]).epsilon(1e-12));
    CHECK((*prediction)[s].mean_wait == Approx(by_hand[s].mean_wait).epsilon(1e-12));
    CHECK(load[s] == Approx(hand_load[s]).epsilon(1e-12));
  }
  // Station b is M/M/1 at rho 0.837209: Wq = rho / (mu - lambda) = 0.837209 / (1/1.2 - 0.697674) = 6.171429.
  CHECK((*prediction)[1].mean_wait == Approx(6.171429).epsilon(1e-6));
  // The product form applies only to exponential, FIFO, unbounded stations.
  q::NetworkSpec bounded = net;
  bounded.stations[2].queue_limit = 4;
  CHECK_FALSE(mhsim::analysis::jackson_prediction(bounded).has_value());
  q::NetworkSpec deterministic = net;
  deterministic.stations[1].service = dist::Deterministic{1.2};
  CHECK_FALSE(mhsim::analysis::jackson_prediction(deterministic).has_value());
}

TEST_CASE("Jackson network: per-station mean waits and utilisation match the product form",
          "[models][statistical]") {
  // Predicted Wq: a 4.764257 (M/M/2), b 6.171429 (M/M/1), c 3.601462 (M/M/3) days.
  // Long replications (a window of 80,000 days) so that the 3 SE band is under 5% of every
  // predicted wait (checked below): at loads 0.81-0.87 a 20,000-day window gave 5.4-7.1%.
  q::NetworkSpec net = jackson_network();
  net.horizon = net.warmup + 80000.0;
  const auto prediction = mhsim::analysis::jackson_prediction(net);
  REQUIRE(prediction.has_value());
  const std::vector<q::NetworkResult> runs = replicate(net, 201, kReplications);
  const double window = net.horizon - net.warmup;
  for (std::size_t s = 0; s < net.stations.size(); ++s) {
    const theory::MmcMeasures& m = (*prediction)[s];
    const Estimate wait = estimate(runs, [s](const q::NetworkResult& r) { return r.stations[s].mean_wait; });
    const Estimate util = estimate(runs, [s](const q::NetworkResult& r) { return r.stations[s].utilisation; });
    const Estimate rate = estimate(
        runs, [s, window](const q::NetworkResult& r) { return static_cast<double>(r.stations[s].arrivals) / window; });
    INFO("station " << net.stations[s].name << ": Wq " << wait.mean << " (SE " << wait.se << ") vs " << m.mean_wait
                    << "; utilisation " << util.mean << " (SE " << util.se << ") vs " << m.rho << "; arrival rate "
                    << rate.mean << " (SE " << rate.se << ") vs " << kRates[s]);
    CHECK(within_3se(wait, m.mean_wait));
    CHECK(within_3se(util, m.rho));
    CHECK(within_3se(rate, kRates[s]));
  }
  // Power: ignoring the feedback c -> a would predict station a as M/M/2 at lambda 1
  // (Wq = 1.928571): the simulated wait must reject it.
  const Estimate wait_a = estimate(runs, [](const q::NetworkResult& r) { return r.stations[0].mean_wait; });
  CHECK_FALSE(within_3se(wait_a, theory::mmc(1.0, 1.0 / 1.5, 2).mean_wait));
  // And the band is narrow: 3 SE is under 5% of every predicted wait.
  for (std::size_t s = 0; s < net.stations.size(); ++s) {
    const Estimate wait = estimate(runs, [s](const q::NetworkResult& r) { return r.stations[s].mean_wait; });
    CHECK(3.0 * wait.se < 0.05 * (*prediction)[s].mean_wait);
  }
}

TEST_CASE("Jackson network: Little's law L = lambda W at every station", "[models][statistical]") {
  // Per replication and station, d = L - lambda W with L = mean_in_station (time-average number
  // waiting or in service), lambda = accepted arrivals / window and W = mean_sojourn. Little's
  // law makes E[d] vanish up to the people present at the window's edges, whose expected
  // contributions at the start and the end are equal in steady state; so the check is
  // |mean d| <= 3 SE of the per-replication differences, with no extra allowance.
  const q::NetworkSpec net = jackson_network();
  const double window = net.horizon - net.warmup;
  const auto prediction = mhsim::analysis::jackson_prediction(net);
  REQUIRE(prediction.has_value());
  const std::vector<q::NetworkResult> runs = replicate(net, 202, kReplications);
  for (std::size_t s = 0; s < net.stations.size(); ++s) {
    const Estimate d = estimate(runs, [s, window](const q::NetworkResult& r) {
      const q::StationResult& st = r.stations[s];
      const double lambda = static_cast<double>(st.arrivals - st.refused) / window;
      return st.mean_in_station - lambda * st.mean_sojourn;
    });
    const Estimate l = estimate(runs, [s](const q::NetworkResult& r) { return r.stations[s].mean_in_station; });
    INFO("station " << net.stations[s].name << ": mean (L - lambda W) " << d.mean << " (SE " << d.se << "); L "
                    << l.mean << " (SE " << l.se << ") vs " << (*prediction)[s].mean_in_system);
    CHECK(within_3se(d, 0.0));
    CHECK(within_3se(l, (*prediction)[s].mean_in_system));
  }
}

TEST_CASE("Network: people are conserved in every replication", "[models]") {
  SECTION("the Jackson network with a warm-up") {
    for (const q::NetworkResult& r : replicate(jackson_network(), 203, 10)) {
      CHECK(r.entered == r.exited + r.refused + r.in_system_at_end);
      CHECK(r.entered > 0);
    }
  }
  SECTION("with refusals, cross-checked against the per-station counts") {
    // No warm-up, so the station counters cover the whole run and give a second, independent
    // account of the same people:
    //   each entry is one arrival at a station, and each completion is either an exit or one
    //   arrival at the next station => sum(arrivals) = entered + sum(completions) - exited;
    //   people at a station at the end = arrivals - refused - completions there;
    //   sum over stations of refused = network refused.
    q::NetworkSpec net = jackson_network();
    net.warmup = 0.0;
    net.horizon = 3000.0;
    net.stations[2].queue_limit = 1;  // arrivals at c that find someone waiting are refused
    for (const q::NetworkResult& r : replicate(net, 204, 10)) {
      std::uint64_t arrivals = 0, completions = 0, refused = 0, present = 0;
      for (const q::StationResult& st : r.stations) {
        arrivals += st.arrivals;
        completions += st.completions;
        refused += st.refused;
        present += st.arrivals - st.refused - st.completions;
      }
      CHECK(r.refused > 0);  // the refusal path is exercised
      CHECK(r.entered == r.exited + r.refused + r.in_system_at_end);
      CHECK(refused == r.refused);
      CHECK(present == r.in_system_at_end);
      CHECK(arrivals + r.exited == r.entered + completions);
    }
  }
}

TEST_CASE("Network: a loss station refuses at the Erlang B rate", "[models][statistical]") {
  // c 5 servers, no waiting room (queue_limit 0), Poisson arrivals 0.3 a day, mean stay
  // 10 days: a = 3 erlangs, B(5, 3) = 0.110054. Observation: refused / arrivals per replication.
  const double b = theory::erlang_b(5, 3.0);
  REQUIRE(b == Approx(0.110054).epsilon(1e-5));
  SECTION("exponential stays, external Poisson arrivals") {
    q::NetworkSpec net;
    net.warmup = 500.0;
    net.horizon = 20500.0;
    net.stations = {station("beds", 5, dist::Exponential{10.0})};
    net.stations[0].interarrival = Distribution(dist::Exponential{1.0 / 0.3});
    net.stations[0].queue_limit = 0;
    const std::vector<q::NetworkResult> runs = replicate(net, 205, kReplications);
    const Estimate blocked = estimate(runs, [](const q::NetworkResult& r) {
      return static_cast<double>(r.stations[0].refused) / static_cast<double>(r.stations[0].arrivals);
    });
    INFO("refused fraction " << blocked.mean << " (SE " << blocked.se << "), Erlang B " << b);
    CHECK(within_3se(blocked, b));
    CHECK_FALSE(within_3se(blocked, theory::erlang_b(4, 3.0)));  // power: one bed fewer, 0.206107
    CHECK_FALSE(within_3se(blocked, theory::erlang_b(6, 3.0)));  // one bed more, 0.052157
    for (const q::NetworkResult& r : runs) CHECK(r.stations[0].mean_wait == 0.0);
  }
  SECTION("lognormal stays, arrivals routed from an upstream M/M/1") {
    // Burke's theorem: the departures of a stationary M/M/1 (here lambda 0.3, mean service 2,
    // rho 0.6) form a Poisson process of rate 0.3. Erlang B is insensitive to the service
    // distribution beyond its mean (M/G/c/c), so lognormal stays of mean 10 and sd 15 give the
    // same B(5, 3).
    q::NetworkSpec net;
    net.warmup = 500.0;
    net.horizon = 20500.0;
    net.stations = {station("triage", 1, dist::Exponential{2.0}), station("beds", 5, dist::Lognormal{10.0, 15.0})};
    net.stations[0].interarrival = Distribution(dist::Exponential{1.0 / 0.3});
    net.stations[0].routes = {{1, 1.0}};
    net.stations[1].queue_limit = 0;
    const std::vector<q::NetworkResult> runs = replicate(net, 206, kReplications);
    const Estimate blocked = estimate(runs, [](const q::NetworkResult& r) {
      return static_cast<double>(r.stations[1].refused) / static_cast<double>(r.stations[1].arrivals);
    });
    INFO("refused fraction " << blocked.mean << " (SE " << blocked.se << "), Erlang B " << b);
    CHECK(within_3se(blocked, b));
    for (const q::NetworkResult& r : runs) CHECK(r.stations[0].refused == 0);
  }
}
