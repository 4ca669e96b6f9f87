// SPDX-License-Identifier: MIT
#include "pipeline/replications.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <boost/version.hpp>
#include <tbb/version.h>

#include "analysis/analysis_output.hpp"
#include "analysis/merge.hpp"
#include "analysis/sha256.hpp"
#include "engine/random.hpp"

#ifndef MHSIM_VERSION
#define MHSIM_VERSION "unknown"
#endif

namespace mhsim::pipeline {

namespace {

namespace fs = std::filesystem;
using analysis::AttributeValue;

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
Attributes provenance(const RunIdentity& job, const RunConfig& config, std::uint64_t chunk_size, int processes) {
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

struct ChunkedRun::State {
  State(const RunIdentity& j, const RunConfig& c) : config(c), plan(j.replications, c.chunk_size) {}

  RunConfig config;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::unique_ptr<Cluster> alone;
  Cluster* cluster = nullptr;
  bool root = true;
  engine::WorkPlan plan;
  std::uint64_t k_begin = 0, k_end = 0;  // this shard's chunks
  Attributes attrs;
  RunOutcome outcome;
  fs::path partial;
  std::vector<std::uint64_t> order;
  std::uint64_t seed = 0;
  std::uint64_t expected_from_others = 0;  // chunks rank 0 still awaits from other ranks

  void store(std::uint64_t k, const std::vector<unsigned char>& image) const {
    analysis::write_file_atomically((partial / chunk_name(k)).string(), image.data(), image.size());
  }
  void drain() {
    std::uint64_t k;
    std::vector<unsigned char> image;
    while (expected_from_others > 0 && cluster->poll_chunk(k, image)) {
      store(k, image);
      --expected_from_others;
    }
  }
  bool cancelled() const { return config.cancel != nullptr && config.cancel->load(); }
};

ChunkedRun::ChunkedRun(const RunIdentity& job, const RunConfig& config) : state_(std::make_unique<State>(job, config)) {
  State& s = *state_;
  s.cluster = config.cluster;
  if (s.cluster == nullptr) s.cluster = (s.alone = single_process()).get();
  Cluster& cluster = *s.cluster;
  s.root = cluster.rank() == 0;
  s.seed = job.seed;
  std::tie(s.k_begin, s.k_end) = s.plan.shard_chunks(config.shard_index, config.shard_count);
  const engine::Block block = s.plan.shard_block(config.shard_index, config.shard_count);
  s.attrs = provenance(job, config, s.plan.chunk_size(), cluster.size());
  s.outcome.first = block.first;
  s.outcome.count = block.count;
  const fs::path out_path(config.out);
  s.partial = config.out + ".partial";
  s.outcome.partial_dir = s.partial.string();

  // Rank 0 owns the checkpoint directory; every rank learns which chunks are done.
  std::vector<std::uint64_t> done_list;
  if (s.root) {
    if (fs::exists(s.partial) && !config.resume) {
      throw RunInputError("a partial run of " + config.out + " exists in " + s.partial.string() +
                          ": expected --resume to continue it (or delete the directory to start again)");
    }
    if (out_path.has_parent_path()) fs::create_directories(out_path.parent_path());
    fs::create_directories(s.partial);
    const std::set<std::uint64_t> done = finished_chunks(s.partial, s.plan, s.attrs);
    done_list.assign(done.begin(), done.end());
  }
  done_list = cluster.share_done_chunks(done_list);
  const std::set<std::uint64_t> done(done_list.begin(), done_list.end());

  // This process's chunks: its shard's, divided again among cluster ranks.
  const std::uint64_t shard_chunks = s.k_end - s.k_begin;
  const auto rank_part = [&](int r) {
    const auto n = static_cast<std::uint64_t>(cluster.size()), i = static_cast<std::uint64_t>(r);
    return std::pair<std::uint64_t, std::uint64_t>{s.k_begin + shard_chunks * i / n,
                                                   s.k_begin + shard_chunks * (i + 1) / n};
  };
  const auto [my_begin, my_end] = rank_part(cluster.rank());
  if (!config.order.empty()) {
    s.order = config.order;
  } else {
    for (std::uint64_t k = my_begin; k < my_end; ++k) {
      if (done.count(k)) continue;
      for (std::uint64_t r = s.plan.chunk(k).first; r < s.plan.chunk(k).end(); ++r) s.order.push_back(r);
    }
  }
  for (std::uint64_t k = s.k_begin; k < s.k_end; ++k) {
    if (done.count(k)) s.outcome.replications_resumed += s.plan.chunk(k).count;
  }
  if (s.root) {
    for (int r = 1; r < cluster.size(); ++r) {
      const auto [b, e] = rank_part(r);
      for (std::uint64_t k = b; k < e; ++k) {
        if (done.count(k) == 0) ++s.expected_from_others;
      }
    }
  }
}

ChunkedRun::~ChunkedRun() = default;

engine::Runner::Options ChunkedRun::runner_options() const {
  engine::Runner::Options ro;
  ro.seed = state_->seed;
  ro.order = state_->order;
  ro.threads = state_->config.threads;
  ro.cancel = state_->config.cancel;
  return ro;
}

const engine::WorkPlan& ChunkedRun::plan() const noexcept { return state_->plan; }
const Attributes& ChunkedRun::attributes() const noexcept { return state_->attrs; }

void ChunkedRun::chunk_done(std::uint64_t chunk, analysis::ResultsWriter& block) {
  State& s = *state_;
  if (s.root) s.store(chunk, block.image());
  else s.cluster->send_chunk(chunk, block.image());
}

void ChunkedRun::replication_done() {
  State& s = *state_;
  ++s.outcome.replications_run;
  if (s.root) s.drain();
  if (s.config.on_replication) s.config.on_replication();
}

RunOutcome ChunkedRun::finish(bool chunks_pending, const Finalise& finalise) {
  State& s = *state_;
  Cluster& cluster = *s.cluster;
  if (s.cancelled() && cluster.size() > 1) {
    // Finished chunks are safe on rank 0's disk; stop every rank rather than wait for chunks
    // that will never come.
    if (s.root) std::fprintf(stderr, "mhsim: interrupted; finished chunks are kept in %s (use --resume)\n", s.partial.c_str());
    cluster.abort_all(130);
  }
  if (s.cancelled() && chunks_pending) return s.outcome;
  if (!s.root) {
    s.outcome.completed = true;
    return s.outcome;
  }
  while (s.expected_from_others > 0) {
    std::uint64_t k;
    std::vector<unsigned char> image;
    cluster.receive_chunk(k, image);
    s.store(k, image);
    --s.expected_from_others;
  }
  if (s.cancelled()) {
    // Cancelled exactly at a chunk boundary: check that every chunk is really there.
    for (std::uint64_t k = s.k_begin; k < s.k_end; ++k) {
      if (!fs::exists(s.partial / chunk_name(k))) return s.outcome;
    }
  }

  std::vector<std::string> chunks;
  for (std::uint64_t k = s.k_begin; k < s.k_end; ++k) chunks.push_back((s.partial / chunk_name(k)).string());
  s.outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.start).count();
  Attributes overrides = s.attrs;
  overrides.erase("scenario_text");
  overrides["wall_seconds"] = s.outcome.wall_seconds;
  analysis::merge_results(chunks, s.config.out, s.config.shard_count == 1, overrides,
                          s.config.shard_count == 1 ? finalise : Finalise{});
  fs::remove_all(s.partial);
  s.outcome.completed = true;
  return s.outcome;
}

}  // namespace mhsim::pipeline
