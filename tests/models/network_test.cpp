// SPDX-License-Identifier: MIT
// Hand-computable networks: deterministic inter-arrival and service times make every
// statistic exact, so the expected values below are worked out by hand in the comments.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/error.hpp"
#include "models/queueing/network.hpp"

namespace q = mhsim::models::queueing;
namespace dist = mhsim::engine::dist;
using mhsim::engine::RandomStreams;

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

TEST_CASE("Network: same streams give identical results; different replications differ", "[models][reproducibility]") {
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
