// SPDX-License-Identifier: MIT
#pragma once

#include <any>
#include <atomic>
#include <cstdint>
#include <map>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/network_results.hpp"
#include "analysis/results_file.hpp"
#include "cli/cluster.hpp"
#include "engine/runner.hpp"
#include "models/scenario/network_scenario.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::cli {

/// A problem with how the run was asked for (exit code 2), e.g. a partial run exists and
/// --resume was not given, or it belongs to another scenario.
class RunInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunConfig {
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

struct RunOutcome {
  bool completed = false;             ///< false when cancelled: finished chunks stay in partial_dir
  std::uint64_t replications_run = 0;     ///< simulated by this process in this invocation
  std::uint64_t replications_resumed = 0; ///< found finished in the checkpoint directory
  std::uint64_t first = 0;            ///< the block of replications in the output file
  std::uint64_t count = 0;
  double wall_seconds = 0;
  std::string partial_dir;
};

using NetworkRunConfig = RunConfig;
using NetworkRunOutcome = RunOutcome;

/// What the chunked runner needs from a model: what to record, how to simulate one
/// replication, and how to write a block of finished replications.
struct ModelRun {
  std::string model;          ///< the "model" root attribute: "queueing-network", "pathway"
  std::string file, name, text;  ///< the scenario, for provenance
  /// `mhsim run --set` settings applied to the scenario, one "key=value" a line ("" = none):
  /// with `text` they reproduce the run.
  std::string settings;
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  std::map<std::string, analysis::AttributeValue> attributes;  ///< model-specific root attributes
  std::function<std::any(const engine::ReplicationContext&)> simulate;
  /// Writes replications [first, first + results.size()) with `attributes` at the root.
  std::function<void(analysis::ResultsWriter&, const std::map<std::string, analysis::AttributeValue>& attributes,
                     std::uint64_t first, std::vector<std::any>& results)>
      write_block;
  /// Optional: adds datasets derived from the whole run (every replication) to the merged
  /// file before it is committed; called only for complete runs (not for one shard).
  std::function<void(analysis::ResultsWriter&, const std::vector<std::string>& blocks)> finalise;
};

/// Runs a model's replications (all, or one shard) and writes the results file.
///
/// Finished replications are written in chunks, each a small results file renamed into
/// "<out>.partial/" when complete, so a run that is killed loses only the chunks in flight;
/// with `resume` it runs just the missing chunks. When every chunk is there, they are merged
/// into `out` (through a temporary name) and the directory is removed. `out` itself appears
/// only complete; an existing file there is replaced only at that moment.
RunOutcome run_replications(const ModelRun& job, const RunConfig& config);

/// The queueing-network and pathway models through run_replications.
RunOutcome run_network(const scenario::NetworkScenario& scenario, const RunConfig& config);
RunOutcome run_pathway(const scenario::PathwayScenario& scenario, const RunConfig& config);

/// Settles the ledgers of a complete pathway run held in `blocks` (in replication order)
/// under the scenario's contracts and writes the payouts datasets into `out`.
void settle_into(analysis::ResultsWriter& out, const scenario::PathwayScenario& scenario,
                 const std::vector<std::string>& blocks);

}  // namespace mhsim::cli
