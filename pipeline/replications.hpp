// SPDX-License-Identifier: MIT
#pragma once
// The replication pipeline, for any model: chunks written as they finish, checkpoints and
// --resume, shards, the MPI gather on rank 0, provenance, and the merge into one results
// file. It knows nothing of a model beyond the typed seam ModelRun<Result>: how to simulate
// one replication into a Result, and how to write a block of Results.
//
// The chunked run itself (plan, checkpoint directory, cluster, merge) is ChunkedRun, compiled
// once in replications.cpp; run_replications<Result> only adds the typed buffer of results
// waiting for their chunk to complete.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "analysis/results_file.hpp"
#include "engine/runner.hpp"
#include "engine/work_plan.hpp"
#include "pipeline/cluster.hpp"

namespace mhsim::pipeline {

/// A problem with how the run was asked for (exit code 2), e.g. a partial run exists and
/// --resume was not given, or it belongs to another scenario.
class RunInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Root attributes of a results file.
using Attributes = std::map<std::string, analysis::AttributeValue>;

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

/// What identifies a run: recorded as provenance, and compared on --resume.
struct RunIdentity {
  std::string model;             ///< the "model" root attribute: "queueing-network", "pathway"
  std::string file, name, text;  ///< the scenario
  /// Settings applied to the scenario (`mhsim run --set`), one "key=value" a line ("" =
  /// none): with `text` they reproduce the run.
  std::string settings;
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  Attributes attributes;         ///< model-specific root attributes
};

/// Writes datasets derived from the whole run (every replication, in `blocks`) into the
/// merged file before it is committed: settlement of a pathway run's ledgers, say.
using Finalise = std::function<void(analysis::ResultsWriter&, const std::vector<std::string>& blocks)>;

/// The typed seam between a model and the pipeline. Result must be default-constructible
/// and movable.
template <class Result>
struct ModelRun : RunIdentity {
  /// Simulates one replication (on any thread; it must depend on nothing but the context).
  std::function<Result(const engine::ReplicationContext&)> simulate;
  /// Writes replications [first, first + results.size()) with `attributes` at the root.
  std::function<void(analysis::ResultsWriter&, const Attributes& attributes, std::uint64_t first,
                     const std::vector<Result>& results)>
      write_block;
  /// Optional; called only for complete runs (not for one shard).
  Finalise finalise;
};

/// The model-independent part of one run, for run_replications. Construct, run the
/// replications in runner_options() order, hand each finished chunk to chunk_done, then
/// finish().
class ChunkedRun {
 public:
  /// Plans the run, checks or creates the checkpoint directory (rank 0) and learns which
  /// chunks are finished. Throws RunInputError for a partial run without --resume, or one
  /// that belongs to another run.
  ChunkedRun(const RunIdentity& job, const RunConfig& config);
  ~ChunkedRun();
  ChunkedRun(const ChunkedRun&) = delete;
  ChunkedRun& operator=(const ChunkedRun&) = delete;

  /// Seed, order (this process's unfinished replications, or config.order), threads, cancel.
  engine::Runner::Options runner_options() const;
  const engine::WorkPlan& plan() const noexcept;
  /// Provenance: what every chunk's root carries.
  const Attributes& attributes() const noexcept;
  /// Chunk `chunk` is complete in `block` (an in-memory results file): rank 0 stores it in
  /// the checkpoint directory, other ranks send it to rank 0.
  void chunk_done(std::uint64_t chunk, analysis::ResultsWriter& block);
  /// After each replication is consumed: counts it, stores chunks other ranks sent, reports
  /// progress.
  void replication_done();
  /// After the runner returns. `chunks_pending`: some chunk was started and not completed
  /// (the run was cancelled). Gathers other ranks' chunks, merges every chunk into
  /// config.out (with `finalise` for a complete, unsharded run) and removes the checkpoint
  /// directory; a cancelled run returns completed = false and keeps it.
  RunOutcome finish(bool chunks_pending, const Finalise& finalise);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Runs a model's replications (all, or one shard) and writes the results file.
///
/// Finished replications are written in chunks, each a small results file renamed into
/// "<out>.partial/" when complete, so a run that is killed loses only the chunks in flight;
/// with `resume` it runs just the missing chunks. When every chunk is there, they are merged
/// into `out` (through a temporary name) and the directory is removed. `out` itself appears
/// only complete; an existing file there is replaced only at that moment.
template <class Result>
RunOutcome run_replications(const ModelRun<Result>& job, const RunConfig& config) {
  ChunkedRun run(job, config);
  const engine::WorkPlan& plan = run.plan();
  // Results wait in their chunk's buffer until the chunk is complete.
  std::map<std::uint64_t, std::vector<Result>> pending;
  std::map<std::uint64_t, std::uint64_t> filled;
  engine::Runner(run.runner_options())
      .run<Result>([&](const engine::ReplicationContext& rep) { return job.simulate(rep); },
                   [&](std::uint64_t replication, Result&& r) {
                     const std::uint64_t k = plan.chunk_of(replication);
                     const engine::Block b = plan.chunk(k);
                     std::vector<Result>& slots = pending[k];
                     if (slots.empty()) slots.resize(static_cast<std::size_t>(b.count));
                     slots[static_cast<std::size_t>(replication - b.first)] = std::move(r);
                     if (++filled[k] == b.count) {
                       auto block = analysis::ResultsWriter::in_memory(b.count, b.first);
                       job.write_block(block, run.attributes(), b.first, slots);
                       run.chunk_done(k, block);
                       pending.erase(k);
                       filled.erase(k);
                     }
                     run.replication_done();
                   });
  return run.finish(!pending.empty(), job.finalise);
}

}  // namespace mhsim::pipeline
