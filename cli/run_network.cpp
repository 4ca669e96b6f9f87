// SPDX-License-Identifier: MIT
#include "cli/run_network.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <boost/version.hpp>
#include <tbb/version.h>

#include "analysis/analysis_output.hpp"
#include "analysis/merge.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/results_file.hpp"
#include "analysis/sha256.hpp"
#include "engine/random.hpp"
#include "engine/runner.hpp"
#include "engine/work_plan.hpp"

#ifndef MHSIM_VERSION
#define MHSIM_VERSION "unknown"
#endif

namespace mhsim::cli {

namespace {

namespace fs = std::filesystem;
namespace q = models::queueing;
using analysis::AttributeValue;
using Attributes = std::map<std::string, AttributeValue>;

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      const auto start = line.find_first_not_of(" \t", colon + 1);
      return start == std::string::npos ? "unknown" : line.substr(start);
    }
  }
  return "unknown";
}

std::string hostname() {
  char buf[256] = {};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

// Root attributes: enough to know what produced the file and to re-run it exactly.
Attributes provenance(const ModelRun& job, const RunConfig& config, std::uint64_t chunk_size, int processes) {
  Attributes a{
      {"format", std::string("mhsim-results")},
      {"schema_version", std::uint64_t{1}},
      {"model", job.model},
      {"scenario_file", job.file},
      {"scenario_name", job.name},
      {"scenario_text", job.text},
      {"scenario_sha256", analysis::sha256_hex(job.text)},
      {"seed", job.seed},
      {"replications", job.replications},
      {"chunk_size", chunk_size},
      {"mhsim_version", std::string(MHSIM_VERSION)},
      {"boost_version", std::string(BOOST_LIB_VERSION)},
      {"tbb_version", std::string(TBB_runtime_version())},
      {"hdf5_version", analysis::hdf5_library_version()},
      {"compiler", std::string(__VERSION__)},
      {"rng", std::string("boost::random::mt19937_64")},
      {"stream_allocation", std::string(engine::kStreamAllocationDescription)},
      {"threads", static_cast<std::uint64_t>(config.threads)},
      {"processes", static_cast<std::uint64_t>(processes)},
      {"hostname", hostname()},
      {"cpu_model", cpu_model()},
      {"hardware_threads", static_cast<std::uint64_t>(std::thread::hardware_concurrency())},
      {"created_utc", analysis::utc_timestamp()},
      {"command_line", config.command_line},
      {"settings", job.settings},
  };
  for (const auto& [k, v] : job.attributes) a[k] = v;
  return a;
}

std::string chunk_name(std::uint64_t k) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "chunk-%012llu.h5", static_cast<unsigned long long>(k));
  return buf;
}



// Chunks already finished in `dir` for this run. A chunk from another run is an input error:
// resuming it would mix results.
std::set<std::uint64_t> finished_chunks(const fs::path& dir, const engine::WorkPlan& plan, const Attributes& identity) {
  std::set<std::uint64_t> done;
  std::vector<std::string> problems;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) {
      fs::remove(entry.path());  // a chunk being written when the run stopped
      continue;
    }
    if (name.rfind("chunk-", 0) != 0 || entry.path().extension() != ".h5") continue;
    const std::uint64_t k = std::stoull(name.substr(6, 12));
    analysis::ResultsReader chunk(entry.path().string());
    const Attributes attrs = chunk.attributes();
    for (const std::string& key : {std::string("scenario_sha256"), std::string("seed"), std::string("replications"),
                                   std::string("chunk_size"), std::string("mhsim_version"), std::string("settings")}) {
      const auto it = attrs.find(key);
      if (it == attrs.end() || it->second != identity.at(key)) {
        problems.push_back(entry.path().string() + ": " + key + ": expected " + analysis::describe(identity.at(key), 16) +
                           " (this run), got " + (it == attrs.end() ? "none" : analysis::describe(it->second, 16)));
      }
    }
    const engine::Block b = plan.chunk(k);
    if (k >= plan.chunks() || attrs.count("first_replication") == 0 ||
        attrs.at("first_replication") != AttributeValue(b.first)) {
      problems.push_back(entry.path().string() + ": expected chunk " + std::to_string(k) + " of this run's plan, got another block");
    }
    done.insert(k);
  }
  if (!problems.empty()) {
    std::string message = "cannot resume from " + dir.string() + ", which holds another run's results:";
    for (const std::string& p : problems) message += "\n  " + p;
    message += "\n  (run again with the original scenario, seed and replications, or delete the directory)";
    throw RunInputError(message);
  }
  return done;
}

}  // namespace

RunOutcome run_replications(const ModelRun& job, const RunConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Cluster> alone;
  Cluster& cluster = config.cluster ? *config.cluster : *(alone = single_process());
  const bool root = cluster.rank() == 0;

  const engine::WorkPlan plan(job.replications, config.chunk_size);
  const auto [k_begin, k_end] = plan.shard_chunks(config.shard_index, config.shard_count);
  const engine::Block block = plan.shard_block(config.shard_index, config.shard_count);
  const Attributes attrs = provenance(job, config, plan.chunk_size(), cluster.size());

  RunOutcome outcome;
  outcome.first = block.first;
  outcome.count = block.count;
  const fs::path out_path(config.out);
  const fs::path partial = config.out + ".partial";
  outcome.partial_dir = partial.string();

  // Rank 0 owns the checkpoint directory; every rank learns which chunks are done.
  std::vector<std::uint64_t> done_list;
  if (root) {
    if (fs::exists(partial) && !config.resume) {
      throw RunInputError("a partial run of " + config.out + " exists in " + partial.string() +
                          ": expected --resume to continue it (or delete the directory to start again)");
    }
    if (out_path.has_parent_path()) fs::create_directories(out_path.parent_path());
    fs::create_directories(partial);
    const std::set<std::uint64_t> done = finished_chunks(partial, plan, attrs);
    done_list.assign(done.begin(), done.end());
  }
  done_list = cluster.share_done_chunks(done_list);
  const std::set<std::uint64_t> done(done_list.begin(), done_list.end());

  // This process's chunks: its shard's, divided again among cluster ranks.
  const std::uint64_t shard_chunks = k_end - k_begin;
  const auto rank_part = [&](int r) {
    const auto n = static_cast<std::uint64_t>(cluster.size()), i = static_cast<std::uint64_t>(r);
    return std::pair<std::uint64_t, std::uint64_t>{k_begin + shard_chunks * i / n, k_begin + shard_chunks * (i + 1) / n};
  };
  const auto [my_begin, my_end] = rank_part(cluster.rank());
  std::vector<std::uint64_t> order;
  if (!config.order.empty()) {
    order = config.order;
  } else {
    for (std::uint64_t k = my_begin; k < my_end; ++k) {
      if (done.count(k)) continue;
      for (std::uint64_t r = plan.chunk(k).first; r < plan.chunk(k).end(); ++r) order.push_back(r);
    }
  }
  for (std::uint64_t k = k_begin; k < k_end; ++k) {
    if (done.count(k)) outcome.replications_resumed += plan.chunk(k).count;
  }
  std::uint64_t expected_from_others = 0;
  if (root) {
    for (int r = 1; r < cluster.size(); ++r) {
      const auto [b, e] = rank_part(r);
      for (std::uint64_t k = b; k < e; ++k) {
        if (done.count(k) == 0) ++expected_from_others;
      }
    }
  }

  auto store_chunk = [&](std::uint64_t k, const std::vector<unsigned char>& image) {
    analysis::write_file_atomically((partial / chunk_name(k)).string(), image.data(), image.size());
  };
  auto drain = [&]() {
    std::uint64_t k;
    std::vector<unsigned char> image;
    while (expected_from_others > 0 && cluster.poll_chunk(k, image)) {
      store_chunk(k, image);
      --expected_from_others;
    }
  };

  // Results wait in their chunk's buffer until the chunk is complete.
  std::map<std::uint64_t, std::vector<std::any>> pending;
  std::map<std::uint64_t, std::uint64_t> filled;
  engine::Runner::Options ro;
  ro.seed = job.seed;
  ro.order = std::move(order);
  ro.threads = config.threads;
  ro.cancel = config.cancel;
  engine::Runner(std::move(ro)).run<std::any>(
      [&](const engine::ReplicationContext& rep) { return job.simulate(rep); },
      [&](std::uint64_t replication, std::any&& r) {
        const std::uint64_t k = plan.chunk_of(replication);
        const engine::Block b = plan.chunk(k);
        auto& slots = pending[k];
        if (slots.empty()) slots.resize(static_cast<std::size_t>(b.count));
        slots[static_cast<std::size_t>(replication - b.first)] = std::move(r);
        ++outcome.replications_run;
        if (++filled[k] == b.count) {
          auto writer = analysis::ResultsWriter::in_memory(b.count, b.first);
          job.write_block(writer, attrs, b.first, slots);
          if (root) store_chunk(k, writer.image());
          else cluster.send_chunk(k, writer.image());
          pending.erase(k);
          filled.erase(k);
        }
        if (root) drain();
        if (config.on_replication) config.on_replication();
      });
  if (config.cancel != nullptr && config.cancel->load() && cluster.size() > 1) {
    // Finished chunks are safe on rank 0's disk; stop every rank rather than wait for chunks
    // that will never come.
    if (root) std::fprintf(stderr, "mhsim: interrupted; finished chunks are kept in %s (use --resume)\n", partial.c_str());
    cluster.abort_all(130);
  }
  if (config.cancel != nullptr && config.cancel->load() && !pending.empty()) return outcome;
  if (!root) {
    outcome.completed = true;
    return outcome;
  }
  while (expected_from_others > 0) {
    std::uint64_t k;
    std::vector<unsigned char> image;
    cluster.receive_chunk(k, image);
    store_chunk(k, image);
    --expected_from_others;
  }
  if (config.cancel != nullptr && config.cancel->load()) {
    // Cancelled exactly at a chunk boundary: check that every chunk is really there.
    for (std::uint64_t k = k_begin; k < k_end; ++k) {
      if (!fs::exists(partial / chunk_name(k))) return outcome;
    }
  }

  std::vector<std::string> chunks;
  for (std::uint64_t k = k_begin; k < k_end; ++k) chunks.push_back((partial / chunk_name(k)).string());
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Attributes overrides = attrs;
  overrides.erase("scenario_text");
  overrides["wall_seconds"] = outcome.wall_seconds;
  std::function<void(analysis::ResultsWriter&, const std::vector<std::string>&)> finalise;
  if (config.shard_count == 1) finalise = job.finalise;
  analysis::merge_results(chunks, config.out, config.shard_count == 1, overrides, finalise);
  fs::remove_all(partial);
  outcome.completed = true;
  return outcome;
}

void settle_into(analysis::ResultsWriter& out, const scenario::PathwayScenario& sc,
                 const std::vector<std::string>& blocks) {
  const analysis::ResolvedTerms terms = analysis::resolve_terms(sc.spec, sc.contracts, blocks);
  analysis::define_payout_datasets(out, sc.spec, sc.contracts);
  analysis::write_payouts(out, sc.spec, sc.contracts, terms, blocks, sc.group_share);
}

RunOutcome run_network(const scenario::NetworkScenario& sc, const RunConfig& config) {
  ModelRun job;
  job.model = "queueing-network";
  job.file = sc.file;
  job.name = sc.name;
  job.text = sc.text;
  for (const std::string& s : sc.settings) job.settings += s + "\n";
  job.seed = sc.run.seed;
  job.replications = sc.run.replications;
  job.attributes = {{"horizon_days", sc.network.horizon}, {"warmup_days", sc.network.warmup}};
  job.simulate = [&sc](const engine::ReplicationContext& rep) {
    return std::any(q::simulate_network(sc.network, rep.streams()));
  };
  job.write_block = [&sc](analysis::ResultsWriter& out, const Attributes& attrs, std::uint64_t first,
                          std::vector<std::any>& results) {
    std::vector<q::NetworkResult> rows;
    rows.reserve(results.size());
    for (std::any& r : results) rows.push_back(std::move(*std::any_cast<q::NetworkResult>(&r)));
    analysis::write_network_block(out, sc.network, attrs, first, rows);
  };
  return run_replications(job, config);
}

RunOutcome run_pathway(const scenario::PathwayScenario& sc, const RunConfig& config) {
  ModelRun job;
  job.model = "pathway";
  job.file = sc.file;
  job.name = sc.name;
  job.text = sc.text;
  job.seed = sc.run.seed;
  job.replications = sc.run.replications;
  for (const std::string& s : sc.settings) job.settings += s + "\n";
  job.attributes = {{"years", static_cast<std::uint64_t>(sc.spec.years)},
                    {"arms", static_cast<std::uint64_t>(sc.spec.arms.size())},
                    {"variant", sc.variant}};
  // Probabilistic sensitivity analysis: each replication draws the uncertain parameters from
  // its own "psa" stream (seed, replication) and runs every arm on the one scenario they
  // give, so arms stay paired; the values are recorded in psa/values.
  analysis::PsaParameters psa;
  for (const scenario::UncertainParameter& p : sc.uncertainty.parameters) {
    psa.name.push_back(p.name);
    psa.key.push_back(p.key);
    psa.distribution.emplace_back(scenario::kUncertainDistributionNames[static_cast<std::size_t>(p.distribution)]);
    psa.base.push_back(p.base);
  }
  job.simulate = [&sc](const engine::ReplicationContext& rep) {
    if (sc.uncertainty.empty()) return std::any(models::pathway::simulate_pathway(sc.spec, rep.streams()));
    std::vector<double> values = scenario::draw_parameters(sc.uncertainty, rep.seed, rep.index);
    std::optional<scenario::PathwayScenario> drawn;
    try {
      drawn = scenario::with_parameters(sc, values);
    } catch (const scenario::ScenarioError& e) {
      throw std::runtime_error("replication " + std::to_string(rep.index) + " (seed " + std::to_string(rep.seed) +
                               "): the uncertain parameters drawn make the scenario invalid:\n" + e.what());
    }
    models::pathway::PathwayResult result = models::pathway::simulate_pathway(drawn->spec, rep.streams());
    result.psa_values = std::move(values);
    return std::any(std::move(result));
  };
  job.write_block = [&sc, psa](analysis::ResultsWriter& out, const Attributes& attrs, std::uint64_t first,
                               std::vector<std::any>& results) {
    std::vector<models::pathway::PathwayResult> rows;
    rows.reserve(results.size());
    for (std::any& r : results) rows.push_back(std::move(*std::any_cast<models::pathway::PathwayResult>(&r)));
    analysis::write_pathway_block(out, sc.spec, attrs, first, rows, psa);
  };
  if (analysis::has_contracts(sc.contracts)) {
    job.finalise = [&sc](analysis::ResultsWriter& out, const std::vector<std::string>& blocks) {
      settle_into(out, sc, blocks);
    };
  }
  return run_replications(job, config);
}

}  // namespace mhsim::cli
