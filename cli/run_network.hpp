// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/network_results.hpp"
#include "models/scenario/network_scenario.hpp"

namespace mhsim::cli {

struct NetworkRunConfig {
  std::string out;                    ///< final results path (written via a temporary name)
  int threads = 1;
  /// Replication indices in the order to run them; empty = 0..replications-1.
  /// Any permutation gives the same datasets: rows are addressed by replication index.
  std::vector<std::uint64_t> order;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void()> on_replication;  ///< progress callback, called in the writer thread
  std::string command_line;
};

struct NetworkRunOutcome {
  bool completed = false;   ///< false when cancelled: nothing was written
  std::uint64_t replications_done = 0;
  double wall_seconds = 0;
};

/// Runs every replication of a network scenario and writes the results file (provenance
/// attributes + per-replication datasets). The file appears at `config.out` only if every
/// replication succeeded; on error or cancellation nothing is left behind and an existing
/// file at that path is untouched. `summary` receives the replications in index order.
NetworkRunOutcome run_network(const scenario::NetworkScenario& scenario, const NetworkRunConfig& config,
                              analysis::NetworkSummary& summary);

}  // namespace mhsim::cli
