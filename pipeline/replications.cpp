// SPDX-License-Identifier: MIT
#include "pipeline/replications.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <boost/version.hpp>
#include <tbb/version.h>

#include "analysis/merge.hpp"
#include "analysis/sha256.hpp"
#include "engine/random.hpp"
#include "pipeline/version.hpp"


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
      {"mhsim_version", std::string(mhsim::version())},
      {"boost_version", std::string(BOOST_LIB_VERSION)},
      {"tbb_version", std::string(TBB_runtime_version())},
      {"hdf5_version", analysis::hdf5_library_version()},
      {"compiler", std::string(__VERSION__)},
      {"rng", std::string("boost::random::mt19937_64")},
      {"rng_scheme", std::uint64_t{engine::kRngScheme}},
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
                                   std::string("chunk_size"), std::string("mhsim_version"), std::string("settings"),
                                   std::string("rng_scheme")}) {
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

// Who runs a checkpoint directory: an flock on "<out>.partial/lock", held for as long as the
// process runs it, so that two processes (two --resume at once) never write, merge or remove
// one directory together (issue 18). The kernel releases the lock when its process ends in
// any way, so a lock left by a killed process is no obstacle. The file holds the holder's
// process id, for the message.
class PartialLock {
 public:
  PartialLock() = default;
  ~PartialLock() { release(); }
  PartialLock(const PartialLock&) = delete;
  PartialLock& operator=(const PartialLock&) = delete;

  // Takes the lock of `dir` (creating its file when `create`). Returns false when the file
  // does not exist and `create` is false. Throws RunInputError if another process holds it.
  bool acquire(const fs::path& dir, const std::string& out, bool create) {
    const std::string file = (dir / "lock").string();
    for (int attempt = 0; attempt < 10; ++attempt) {
      const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
      if (fd < 0) {
        const int err = errno;
        if (err == ENOENT && !create) return false;
        std::error_code ec;
        if (err == ENOENT && fs::create_directories(dir, ec)) continue;  // the directory went away meanwhile
        throw std::runtime_error(file + ": cannot open the run's lock file: " + std::strerror(err));
      }
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[32] = {};
        const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        std::string holder(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
        ::close(fd);
        if (err == EWOULDBLOCK) {
          throw RunInputError("another mhsim process" + (holder.empty() ? std::string() : " (pid " + holder + ")") +
                              " is running " + out + " from " + dir.string() + " (it holds " + file +
                              "): expected one process at a time; wait for it to end (or stop it), then run the same "
                              "command with --resume");
        }
        throw std::runtime_error(file + ": cannot lock the run's lock file: " + std::strerror(err));
      }
      // The holder before us may have finished and removed the directory between our open
      // and our lock: then this lock guards nothing; take the new one.
      struct stat held{}, now{};
      if (::fstat(fd, &held) != 0 || ::stat(file.c_str(), &now) != 0 || held.st_ino != now.st_ino ||
          held.st_dev != now.st_dev) {
        ::close(fd);
        if (!create) return false;
        continue;
      }
      // Who holds it, for another process's message (best effort: a full disk must not stop
      // a resume). A lock only looked at (`create` false) is left as it was.
      if (create && ::ftruncate(fd, 0) == 0) {
        const std::string pid = std::to_string(::getpid()) + "\n";
        const ssize_t written = ::pwrite(fd, pid.data(), pid.size(), 0);
        (void)written;
      }
      fd_ = fd;
      return true;
    }
    throw std::runtime_error(file + ": cannot lock the run's lock file: the directory keeps being removed");
  }
  void release() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool held() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Whether `dir` holds a finished chunk (anything worth keeping for --resume).
bool holds_chunks(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("chunk-", 0) == 0 && name.find(".tmp-") == std::string::npos) return true;
  }
  return false;
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
  PartialLock lock;  // rank 0: this process alone runs the checkpoint directory

  void store(std::uint64_t k, const std::vector<unsigned char>& image) const {
    analysis::OutputFiles file;  // the chunk appears whole or not at all
    file.write((partial / chunk_name(k)).string(), image.data(), image.size(),
               analysis::OutputFiles::Parents::kMustExist);
    file.commit();
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
  if (block.count == 0) {
    // Shards are made of whole chunks; refused before anything is created.
    const std::uint64_t chunks = s.plan.chunks();
    throw RunInputError("--shard " + std::to_string(config.shard_index) + "/" + std::to_string(config.shard_count) +
                        ": this shard holds no replications: the run's " + std::to_string(job.replications) +
                        " replications make " + std::to_string(chunks) + " checkpoint chunk" +
                        (chunks == 1 ? "" : "s") + " and a shard is a run of whole chunks; expected at most " +
                        std::to_string(chunks) + " shard" + (chunks == 1 ? "" : "s") + " (--shard i/" +
                        std::to_string(chunks) + ") or more replications; nothing was written");
  }
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
      // Another process running it says so; a lock file is not created here.
      if (s.lock.acquire(s.partial, config.out, false)) s.lock.release();
      throw RunInputError("a partial run of " + config.out + " exists in " + s.partial.string() +
                          ": expected --resume to continue it (or delete the directory to start again)");
    }
    if (out_path.has_parent_path()) fs::create_directories(out_path.parent_path());
    fs::create_directories(s.partial);
    s.lock.acquire(s.partial, config.out, true);
    // A process killed while merging left "<out>.tmp-<pid>": remove it once that process is gone.
    analysis::remove_stale_temporaries(config.out);
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

ChunkedRun::~ChunkedRun() {
  // A run that fails before any chunk is finished leaves nothing behind (an interrupted run
  // keeps its directory, as its message says).
  State& s = *state_;
  if (!s.lock.held() || s.outcome.completed || std::uncaught_exceptions() == 0 || holds_chunks(s.partial)) return;
  std::error_code ec;
  fs::remove_all(s.partial, ec);
}

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
  try {
    analysis::merge_results(chunks, s.config.out, s.config.shard_count == 1, overrides,
                            s.config.shard_count == 1 ? finalise : Finalise{});
  } catch (const analysis::MergeError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "\n  the temporary file is removed; the finished chunks are kept in " +
                             s.partial.string() + ": run the same command with --resume to finish the run");
  }
  s.outcome.completed = true;
  std::error_code ec;  // the results are in place: a directory that will not go is only reported
  fs::remove_all(s.partial, ec);
  if (ec) std::fprintf(stderr, "mhsim: cannot remove %s: %s\n", s.partial.c_str(), ec.message().c_str());
  return s.outcome;
}

}  // namespace mhsim::pipeline
