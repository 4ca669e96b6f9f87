// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/network_results.hpp"
#include "cli/cluster.hpp"
#include "models/scenario/network_scenario.hpp"

namespace mhsim::cli {

/// A problem with how the run was asked for (exit code 2), e.g. a partial run exists and
/// --resume was not given, or it belongs to another scenario.
class RunInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NetworkRunConfig {
  std::string out;                    ///< final results path (written via a temporary name)
  int threads = 1;
  /// Replication indices in the order to run them; empty = every replication this process
  /// owns, in order. Any permutation gives the same datasets (tests use this).
  std::vector<std::uint64_t> order;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void()> on_replication;  ///< progress callback, called in the writer thread
  std::string command_line;
  bool resume = false;                ///< continue from <out>.partial
  std::uint64_t shard_index = 0;      ///< --shard i/N: this process runs shard i of N
  std::uint64_t shard_count = 1;
  std::uint64_t chunk_size = 0;       ///< replications per checkpoint chunk; 0 = automatic
  Cluster* cluster = nullptr;         ///< nullptr = this process alone
};

struct NetworkRunOutcome {
  bool completed = false;             ///< false when cancelled: finished chunks stay in partial_dir
  std::uint64_t replications_run = 0;     ///< simulated by this process in this invocation
  std::uint64_t replications_resumed = 0; ///< found finished in the checkpoint directory
  std::uint64_t first = 0;            ///< the block of replications in the output file
  std::uint64_t count = 0;
  double wall_seconds = 0;
  std::string partial_dir;
};

/// Runs a network scenario's replications (all, or one shard) and writes the results file.
///
/// Finished replications are written in chunks, each a small results file renamed into
/// "<out>.partial/" when complete, so a run that is killed loses only the chunks in flight;
/// with `resume` it runs just the missing chunks. When every chunk is there, they are merged
/// into `out` (through a temporary name) and the directory is removed. `out` itself appears
/// only complete; an existing file there is replaced only at that moment.
NetworkRunOutcome run_network(const scenario::NetworkScenario& scenario, const NetworkRunConfig& config);

}  // namespace mhsim::cli
