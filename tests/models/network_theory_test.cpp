// SPDX-License-Identifier: MIT
// The queueing-network model against theory. Method as in tests/engine/mmc_queue_test.cpp:
// R independent replications; each replication's value is one observation; the grand mean
// must lie within 3 standard errors of the across-replication mean from theory.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "analysis/network_results.hpp"
#include "engine/stats.hpp"
#include "models/queueing/network.hpp"

namespace q = mhsim::models::queueing;
namespace dist = mhsim::engine::dist;

namespace {

q::StationSpec station(std::string name, std::int64_t servers, double mean_service) {
  q::StationSpec s;
  s.name = std::move(name);
  s.servers = servers;
  s.service = dist::Exponential{mean_service};
  return s;
}

// The network of scenarios/examples/jackson.toml.
q::NetworkSpec jackson_network() {
  q::NetworkSpec net;
  net.horizon = 20000.0;
  net.warmup = 2000.0;
  net.stations = {station("a", 2, 1.5), station("b", 1, 1.2), station("c", 3, 3.0)};
  net.stations[0].interarrival = mhsim::engine::Distribution(dist::Exponential{1.0});
  net.stations[0].routes = {{1, 0.6}, {2, 0.4}};
  net.stations[1].routes = {{2, 0.5}, {q::kExit, 0.5}};
  net.stations[2].routes = {{0, 0.2}, {q::kExit, 0.8}};
  return net;
}

std::vector<q::NetworkResult> replicate(const q::NetworkSpec& net, std::uint64_t seed, int n) {
  std::vector<q::NetworkResult> out;
  for (int r = 0; r < n; ++r) out.push_back(q::simulate_network(net, mhsim::engine::RandomStreams{seed, static_cast<std::uint64_t>(r)}));
  return out;
}

}  // namespace

TEST_CASE("Jackson network: per-station waits, queues and utilisation match the product form", "[models][statistical]") {
  const q::NetworkSpec net = jackson_network();
  const auto prediction = mhsim::analysis::jackson_prediction(net);
  REQUIRE(prediction.has_value());
  const auto runs = replicate(net, 201, 30);
  for (std::size_t s = 0; s < net.stations.size(); ++s) {
    mhsim::engine::Tally wait, queue, util;
    for (const auto& r : runs) {
      wait.add(r.stations[s].mean_wait);
      queue.add(r.stations[s].mean_queue_length);
      util.add(r.stations[s].utilisation);
    }
    const auto& m = (*prediction)[s];
    INFO("station " << net.stations[s].name << ": wait " << wait.mean() << " +- " << wait.standard_error()
                    << " vs " << m.mean_wait);
    CHECK(std::fabs(wait.mean() - m.mean_wait) <= 3.0 * wait.standard_error());
    CHECK(std::fabs(queue.mean() - m.mean_queue) <= 3.0 * queue.standard_error());
    CHECK(std::fabs(util.mean() - m.rho) <= 3.0 * util.standard_error());
  }
}

TEST_CASE("Jackson network: Little's law L = lambda W at every station", "[models][statistical]") {
  const q::NetworkSpec net = jackson_network();
  const double window = net.horizon - net.warmup;
  const auto runs = replicate(net, 202, 20);
  for (std::size_t s = 0; s < net.stations.size(); ++s) {
    // Per replication, d = L - lambda W with lambda counted in the window. Little's law makes
    // d vanish except for people present at the window's edges: each contributes to L for
    // part of their stay but to W wholly or not at all, so |E[d]| <= E[L] E[W] / window
    // (about 0.002 here). Accept within 3 SE of d plus that boundary term.
    mhsim::engine::Tally d, l, w;
    for (const auto& r : runs) {
      const auto& st = r.stations[s];
      l.add(st.mean_in_station);
      w.add(st.mean_sojourn);
      d.add(st.mean_in_station - static_cast<double>(st.arrivals) / window * st.mean_sojourn);
    }
    const double edge = l.mean() * w.mean() / window;
    INFO("station " << s << ": mean L - lambda W = " << d.mean() << " (SE " << d.standard_error() << ", edge " << edge << ")");
    CHECK(std::fabs(d.mean()) <= 3.0 * d.standard_error() + edge);
  }
}

TEST_CASE("Network: people are conserved in every replication, including refusals", "[models]") {
  q::NetworkSpec net = jackson_network();
  net.horizon = 3000.0;
  net.stations[2].queue_limit = 1;  // some arrivals at c are refused and leave
  for (const auto& r : replicate(net, 203, 10)) {
    CHECK(r.entered == r.exited + r.refused + r.in_system_at_end);
    CHECK(r.refused > 0);
  }
}

TEST_CASE("Network: a loss station refuses at the Erlang B rate", "[models][statistical]") {
  q::NetworkSpec net;
  net.horizon = 10000.0;
  net.warmup = 500.0;
  net.stations = {station("beds", 5, 10.0)};
  net.stations[0].interarrival = mhsim::engine::Distribution(dist::Exponential{1.0 / 0.3});
  net.stations[0].queue_limit = 0;
  mhsim::engine::Tally blocked;
  for (const auto& r : replicate(net, 204, 30)) {
    blocked.add(static_cast<double>(r.stations[0].refused) / static_cast<double>(r.stations[0].arrivals));
  }
  CHECK(std::fabs(blocked.mean() - mhsim::analysis::theory::erlang_b(5, 3.0)) <= 3.0 * blocked.standard_error());
}
