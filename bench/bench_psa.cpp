// SPDX-License-Identifier: MIT
// Per-replication cost of probabilistic sensitivity analysis (issue 13): drawing a
// replication's [uncertainty] parameters, and applying them to the scenario (a copy of the
// typed scenario with the drawn numbers set through the field declarations), against
// simulating that replication. Median over the replications of several passes. The same
// source builds against the build before the scenario redesign, where applying the draws
// re-read the scenario text: docs/benchmarks.md runs both. Usage:
//   bench_psa [--reps R] [--repeats K] [--scenario path]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/random.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/uncertainty.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t reps = 200;
  int repeats = 3;
  std::string scenario = std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps")) reps = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--scenario")) scenario = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: bench_psa [--reps R] [--repeats K] [--scenario path]\n");
      return 2;
    }
  }
  const auto sc = mhsim::scenario::load_pathway_scenario(scenario);
  if (sc.uncertainty.parameters.empty()) {
    std::fprintf(stderr, "%s has no [uncertainty] parameters\n", scenario.c_str());
    return 2;
  }
  std::vector<double> draw, apply;
  double checksum = 0;
  for (int k = 0; k < repeats; ++k) {
    for (std::uint64_t r = 0; r < reps; ++r) {
      auto t0 = Clock::now();
      const std::vector<double> values = mhsim::scenario::draw_parameters(sc.uncertainty, sc.run.seed, r);
      draw.push_back(seconds_since(t0));
      t0 = Clock::now();
      const auto drawn = mhsim::scenario::with_parameters(sc, values);
      apply.push_back(seconds_since(t0));
      checksum += static_cast<double>(drawn.spec.services.size()) + values.front();
    }
  }
  // One replication's simulation, for scale (a few replications: it is far slower).
  std::vector<double> simulate;
  for (std::uint64_t r = 0; r < 3; ++r) {
    const auto t0 = Clock::now();
    const auto result = mhsim::models::pathway::simulate_pathway(sc.spec, mhsim::engine::RandomStreams{sc.run.seed, r});
    simulate.push_back(seconds_since(t0));
    checksum += static_cast<double>(result.arms.size());
  }
  const double d = median(draw), a = median(apply), s = median(simulate);
  std::printf("%s: %zu uncertain parameters, %zu arms x %d years; median over %llu replications x %d passes\n",
              scenario.c_str(), sc.uncertainty.parameters.size(), sc.spec.arms.size(), sc.spec.years,
              static_cast<unsigned long long>(reps), repeats);
  std::printf("draw the parameters:        %8.1f us a replication\n", d * 1e6);
  std::printf("apply them to the scenario: %8.1f us a replication\n", a * 1e6);
  std::printf("simulate the replication:   %8.1f ms (median of 3)\n", s * 1e3);
  std::printf("(draw + apply) / simulate:  %.2e\n", (d + a) / s);
  std::printf("(checksum %.6g)\n", checksum);
  return 0;
}
