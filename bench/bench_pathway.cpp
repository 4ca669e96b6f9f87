// SPDX-License-Identifier: MIT
// Pathway benchmark (issue 3): person-years simulated per second on the default scenario
// (every arm of each replication; person-years = days people spent in the system / 365),
// at 1 and 2 threads through engine::Runner, median of several runs. Peak memory at 100 and
// 1,000 replications is measured on the real command by bench/pathway_memory.sh. It also runs
// the kernel benchmark's M/M/c queue (bench/mmc_engine.hpp) and prints the pathway's events/s
// at one thread as a ratio to the kernel's, both measured in this run (issue 19), so the
// ratio means something on a shared machine where absolute rates drift. Usage:
//   bench_pathway [--reps R] [--repeats K] [--scenario path] [--customers N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/mmc_engine.hpp"
#include "engine/runner.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace pw = mhsim::models::pathway;

struct Rate {
  double person_years_per_s = 0;
  double replications_per_s = 0;
  double events_per_s = 0;
};

Rate measure(const pw::PathwaySpec& spec, std::uint64_t seed, int threads, std::uint64_t reps) {
  mhsim::engine::Runner::Options o;
  o.seed = seed;
  o.threads = threads;
  o.order = mhsim::engine::Runner::first(reps);
  double person_days = 0, events = 0;
  const auto t0 = Clock::now();
  mhsim::engine::Runner(std::move(o)).run<pw::PathwayResult>(
      [&](const mhsim::engine::ReplicationContext& rep) { return pw::simulate_pathway(spec, rep.streams()); },
      [&](pw::PathwayResult&& r) {
        for (const pw::ArmResult& a : r.arms) {
          person_days += a.person_days;
          events += static_cast<double>(a.events);
        }
      });
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return Rate{person_days / 365.0 / s, static_cast<double>(reps) / s, events / s};
}

Rate median(std::vector<Rate> v) {
  std::sort(v.begin(), v.end(), [](const Rate& a, const Rate& b) { return a.person_years_per_s < b.person_years_per_s; });
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t reps = 16;
  int repeats = 3;
  std::uint64_t customers = 1'000'000;
  std::string scenario = std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps")) reps = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--scenario")) scenario = argv[i + 1];
    else if (!std::strcmp(argv[i], "--customers")) customers = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: bench_pathway [--reps R] [--repeats K] [--scenario path] [--customers N]\n");
      return 2;
    }
  }
  const auto sc = mhsim::scenario::load_pathway_scenario(scenario);
  std::printf("%s: %zu arms x %d years, %llu replications, median of %d runs\n", scenario.c_str(),
              sc.spec.arms.size(), sc.spec.years, static_cast<unsigned long long>(reps), repeats);
  Rate at[2];
  for (int t = 1; t <= 2; ++t) {
    std::vector<Rate> runs;
    for (int k = 0; k < repeats; ++k) runs.push_back(measure(sc.spec, sc.run.seed, t, reps));
    at[t - 1] = median(runs);
    std::printf("%d thread%s: %.4g person-years/s, %.2f replications/s, %.3g events/s\n", t, t == 1 ? " " : "s",
                at[t - 1].person_years_per_s, at[t - 1].replications_per_s, at[t - 1].events_per_s);
  }
  std::printf("speed-up: %.2fx\n", at[1].person_years_per_s / at[0].person_years_per_s);
  // The kernel's M/M/c events/s, as bench_kernel measures it, interleaved with the pathway's
  // one-thread runs so that both see the same machine.
  std::vector<double> kernel, ratio;
  for (int k = 0; k < repeats; ++k) {
    const mhsim::bench::QueueRun q = mhsim::bench::EngineMmc(customers).run();
    const double kernel_eps = static_cast<double>(q.events) / q.seconds;
    const double pathway_eps = measure(sc.spec, sc.run.seed, 1, reps).events_per_s;
    kernel.push_back(kernel_eps);
    ratio.push_back(pathway_eps / kernel_eps);
  }
  std::sort(kernel.begin(), kernel.end());
  std::sort(ratio.begin(), ratio.end());
  std::printf("kernel M/M/c (c = %d, %llu customers, this run): %.3g events/s\n", mhsim::bench::kServers,
              static_cast<unsigned long long>(customers), kernel[kernel.size() / 2]);
  std::printf("pathway / kernel events/s, 1 thread: %.3f (median of %d paired runs; issue 19 aims >= 0.25)\n",
              ratio[ratio.size() / 2], repeats);
  return 0;
}
