// SPDX-License-Identifier: MIT
#include "cli/run_network.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/version.hpp>
#include <tbb/version.h>

#include "analysis/results_file.hpp"
#include "analysis/sha256.hpp"
#include "engine/random.hpp"
#include "engine/runner.hpp"

#ifndef MHSIM_VERSION
#define MHSIM_VERSION "unknown"
#endif

namespace mhsim::cli {

namespace {

namespace q = models::queueing;

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

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string hostname() {
  char buf[256] = {};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

// Root attributes: enough to know what produced the file and to re-run it exactly.
void write_provenance(analysis::ResultsWriter& out, const scenario::NetworkScenario& sc, const NetworkRunConfig& config) {
  out.attribute("format", std::string("mhsim-results"));
  out.attribute("schema_version", std::uint64_t{1});
  out.attribute("model", std::string("queueing-network"));
  out.attribute("scenario_file", sc.file);
  out.attribute("scenario_name", sc.name);
  out.attribute("scenario_text", sc.text);
  out.attribute("scenario_sha256", analysis::sha256_hex(sc.text));
  out.attribute("seed", sc.run.seed);
  out.attribute("replications", sc.run.replications);
  out.attribute("horizon_days", sc.network.horizon);
  out.attribute("warmup_days", sc.network.warmup);
  out.attribute("mhsim_version", std::string(MHSIM_VERSION));
  out.attribute("boost_version", std::string(BOOST_LIB_VERSION));
  out.attribute("tbb_version", std::string(TBB_runtime_version()));
  out.attribute("hdf5_version", analysis::hdf5_library_version());
  out.attribute("compiler", std::string(__VERSION__));
  out.attribute("rng", std::string("boost::random::mt19937_64"));
  out.attribute("stream_allocation", std::string(engine::kStreamAllocationDescription));
  out.attribute("threads", static_cast<std::uint64_t>(config.threads));
  out.attribute("hostname", hostname());
  out.attribute("cpu_model", cpu_model());
  out.attribute("hardware_threads", static_cast<std::uint64_t>(std::thread::hardware_concurrency()));
  out.attribute("created_utc", utc_now());
  out.attribute("command_line", config.command_line);
}

}  // namespace

NetworkRunOutcome run_network(const scenario::NetworkScenario& sc, const NetworkRunConfig& config,
                              analysis::NetworkSummary& summary) {
  const std::filesystem::path out_path(config.out);
  if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());
  analysis::ResultsWriter out(config.out, sc.run.replications);
  write_provenance(out, sc, config);
  analysis::define_network_datasets(out, sc.network);

  engine::Runner::Options ro;
  ro.seed = sc.run.seed;
  ro.order = config.order.empty() ? engine::Runner::first(sc.run.replications) : config.order;
  ro.threads = config.threads;
  ro.cancel = config.cancel;
  if (ro.order.size() != sc.run.replications) {
    throw std::invalid_argument("run_network: the replication order has " + std::to_string(ro.order.size()) +
                                " entries, but the scenario has " + std::to_string(sc.run.replications));
  }

  // Summaries must see replications in index order whatever order they ran in (floating-point
  // sums depend on order); with the natural order they are summarised as they arrive.
  const bool natural = config.order.empty();
  NetworkRunOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  engine::Runner(std::move(ro)).run<q::NetworkResult>(
      [&](const engine::ReplicationContext& rep) { return q::simulate_network(sc.network, rep.streams()); },
      [&](std::uint64_t replication, q::NetworkResult&& r) {
        analysis::write_network_result(out, replication, r);
        if (natural) summary.add(r);
        ++outcome.replications_done;
        if (config.on_replication) config.on_replication();
      });
  if (config.cancel != nullptr && config.cancel->load() && outcome.replications_done < sc.run.replications) {
    return outcome;  // `out` is destroyed uncommitted: its temporary file is removed
  }
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.attribute("wall_seconds", outcome.wall_seconds);
  out.commit();
  outcome.completed = true;
  return outcome;
}

}  // namespace mhsim::cli
