// SPDX-License-Identifier: MIT
// Kernel benchmark (issue 2):
//  1. events per second of an M/M/c queue (c = 10, rho = 0.9, 10^6 customers) on one thread,
//     with the engine (Simulation + Resource + Distribution) and with a minimal hand-written
//     heap loop of the same model: their ratio is the engine's overhead;
//  2. replications per second of the default scenario at 1 and 2 threads (engine::Runner).
// Each figure is the median of several repetitions. Usage:
//   bench_kernel [--customers N] [--repeats K] [--reps R] [--scenario path]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include <boost/random/exponential_distribution.hpp>

#include "bench/mmc_engine.hpp"
#include "engine/distribution.hpp"
#include "engine/random.hpp"
#include "engine/resource.hpp"
#include "engine/runner.hpp"
#include "engine/simulation.hpp"
#include "engine/stats.hpp"
#include "models/queueing/network.hpp"
#include "models/scenario/network_scenario.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using mhsim::bench::EngineMmc;
using mhsim::bench::kLambda;
using mhsim::bench::kMu;
using mhsim::bench::kServers;
using mhsim::bench::QueueRun;

// ---- the minimal loop: a binary heap of (time, kind), a counter and a FIFO --------------
QueueRun minimal_mmc(std::uint64_t customers) {
  struct Ev {
    double at;
    std::uint64_t seq;
    bool departure;
  };
  auto later = [](const Ev& a, const Ev& b) { return a.at != b.at ? a.at > b.at : a.seq > b.seq; };
  const auto t0 = Clock::now();
  auto arrivals = mhsim::engine::RandomStreams{1, 0}.stream("arrivals");
  auto service = mhsim::engine::RandomStreams{1, 0}.stream("service");
  boost::random::exponential_distribution<double> gap(kLambda), work(kMu);
  std::vector<Ev> heap;
  std::deque<double> line;
  std::uint64_t seq = 0, generated = 1, events = 0;
  int busy = 0;
  double wait_sum = 0;
  std::uint64_t served = 0;
  heap.push_back({gap(arrivals), seq++, false});
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Ev e = heap.back();
    heap.pop_back();
    ++events;
    if (e.departure) {
      if (line.empty()) {
        --busy;
      } else {
        wait_sum += e.at - line.front();
        ++served;
        line.pop_front();
        heap.push_back({e.at + work(service), seq++, true});
        std::push_heap(heap.begin(), heap.end(), later);
      }
    } else {
      if (busy < kServers && line.empty()) {
        ++busy;
        ++served;
        heap.push_back({e.at + work(service), seq++, true});
        std::push_heap(heap.begin(), heap.end(), later);
      } else {
        line.push_back(e.at);
      }
      if (generated < customers) {
        ++generated;
        heap.push_back({e.at + gap(arrivals), seq++, false});
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
  }
  QueueRun r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.events = events;
  r.mean_wait = wait_sum / static_cast<double>(served);
  return r;
}

template <class F>
double median_of(int repeats, F&& f) {
  std::vector<double> v;
  for (int i = 0; i < repeats; ++i) v.push_back(f());
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double reps_per_second(const mhsim::scenario::NetworkScenario& sc, int threads, std::uint64_t reps) {
  mhsim::engine::Runner::Options o;
  o.seed = sc.run.seed;
  o.order = mhsim::engine::Runner::first(reps);
  o.threads = threads;
  double checksum = 0;
  const auto t0 = Clock::now();
  mhsim::engine::Runner(o).run<mhsim::models::queueing::NetworkResult>(
      [&](const mhsim::engine::ReplicationContext& rep) {
        return mhsim::models::queueing::simulate_network(sc.network, rep.streams());
      },
      [&](mhsim::models::queueing::NetworkResult&& r) { checksum += r.mean_time_in_system; });
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!(checksum > 0)) std::fprintf(stderr, "unexpected checksum\n");
  return static_cast<double>(reps) / s;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t customers = 1'000'000, reps = 64;
  int repeats = 5;
  std::string scenario = std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/small_network.toml";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--customers")) customers = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--reps")) reps = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--scenario")) scenario = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: bench_kernel [--customers N] [--repeats K] [--reps R] [--scenario path]\n");
      return 2;
    }
  }

  std::printf("M/M/c: c = %d, lambda = %g, mu = %g (rho = %g), %llu customers, median of %d runs\n", kServers,
              kLambda, kMu, kLambda / (kServers * kMu), static_cast<unsigned long long>(customers), repeats);
  QueueRun engine_run{}, minimal_run{};
  const double engine_eps = median_of(repeats, [&] {
    engine_run = EngineMmc(customers).run();
    return static_cast<double>(engine_run.events) / engine_run.seconds;
  });
  const double minimal_eps = median_of(repeats, [&] {
    minimal_run = minimal_mmc(customers);
    return static_cast<double>(minimal_run.events) / minimal_run.seconds;
  });
  std::printf("engine:        %.3g events/s (%llu events), mean wait %.4f days\n", engine_eps,
              static_cast<unsigned long long>(engine_run.events), engine_run.mean_wait);
  std::printf("minimal loop:  %.3g events/s (%llu events), mean wait %.4f days\n", minimal_eps,
              static_cast<unsigned long long>(minimal_run.events), minimal_run.mean_wait);
  std::printf("Erlang C mean wait: 0.6687 days (both runs estimate it from one long path)\n");
  std::printf("engine / minimal speed: %.2f (target >= 0.5)\n", engine_eps / minimal_eps);

  const auto sc = mhsim::scenario::load_network_scenario(scenario);
  std::printf("\nReplications of %s (%g days each), %llu replications, median of %d runs\n", scenario.c_str(),
              sc.network.horizon, static_cast<unsigned long long>(reps), repeats);
  const double one = median_of(repeats, [&] { return reps_per_second(sc, 1, reps); });
  const double two = median_of(repeats, [&] { return reps_per_second(sc, 2, reps); });
  std::printf("1 thread:   %.2f replications/s\n", one);
  std::printf("2 threads:  %.2f replications/s\n", two);
  std::printf("speed-up:   %.2fx (target >= 1.8x)\n", two / one);
  return 0;
}
