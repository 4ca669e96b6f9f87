// SPDX-License-Identifier: MIT
// Same (scenario, seed) -> byte-identical datasets, whatever the thread count, the order in
// which replications run, or the process that ran them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include "analysis/results_file.hpp"
#include "cli/datasets.hpp"
#include "cli/process.hpp"
#include "cli/run_network.hpp"
#include "engine/runner.hpp"

namespace fs = std::filesystem;

namespace {
using mhsim::test::Datasets;
Datasets datasets_of(const fs::path& file) { return mhsim::test::datasets_of(file.string()); }

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_repro_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

fs::path run(const mhsim::scenario::NetworkScenario& sc, int threads, std::vector<std::uint64_t> order,
             const std::string& name) {
  mhsim::cli::NetworkRunConfig config;
  config.out = scratch(name).string();
  config.threads = threads;
  config.order = std::move(order);
  REQUIRE(mhsim::cli::run_network(sc, config).completed);
  return config.out;
}
}  // namespace

TEST_CASE("Reproducibility: 1, 2 and 4 threads and shuffled order give byte-identical datasets",
          "[reproducibility]") {
  auto sc = mhsim::scenario::load_network_scenario(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/small_network.toml");
  sc.run.replications = 12;
  const Datasets one = datasets_of(run(sc, 1, {}, "t1.h5"));
  REQUIRE(one.size() >= 15);
  CHECK(datasets_of(run(sc, 2, {}, "t2.h5")) == one);
  CHECK(datasets_of(run(sc, 4, {}, "t4.h5")) == one);
  std::vector<std::uint64_t> shuffled = mhsim::engine::Runner::first(12);
  std::reverse(shuffled.begin(), shuffled.end());
  std::swap(shuffled[2], shuffled[9]);
  CHECK(datasets_of(run(sc, 2, shuffled, "shuffled.h5")) == one);

  sc.run.seed += 1;
  const Datasets other_seed = datasets_of(run(sc, 2, {}, "seed.h5"));
  CHECK(other_seed.at("stations/mean_wait") != one.at("stations/mean_wait"));
  CHECK(other_seed.at("stations/name") == one.at("stations/name"));
}

TEST_CASE("Reproducibility: two runs of the binary agree byte for byte", "[reproducibility][cli]") {
  const std::string scenario = std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/jackson.toml";
  const fs::path a = scratch("run_a.h5"), b = scratch("run_b.h5");
  for (const fs::path& p : {a, b}) {
    const auto r = mhsim::test::run_process(
        {MHSIM_BINARY, "run", scenario, "--reps", "6", "--threads", p == a ? "1" : "2", "--out", p.string(), "-q"});
    REQUIRE(r.exit_code == 0);
  }
  CHECK(datasets_of(a) == datasets_of(b));
}

TEST_CASE("Reproducibility: chunk size does not change the datasets", "[reproducibility]") {
  auto sc = mhsim::scenario::load_network_scenario(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/mm1.toml");
  sc.run.replications = 7;
  sc.network.horizon = 2000;
  sc.network.warmup = 200;
  std::vector<Datasets> results;
  for (std::uint64_t chunk : {1u, 3u, 7u}) {
    mhsim::cli::NetworkRunConfig config;
    config.out = scratch("chunk" + std::to_string(chunk) + ".h5").string();
    config.threads = 2;
    config.chunk_size = chunk;
    REQUIRE(mhsim::cli::run_network(sc, config).completed);
    CHECK_FALSE(fs::exists(config.out + ".partial"));  // checkpoints are removed once merged
    results.push_back(datasets_of(config.out));
  }
  CHECK(results[1] == results[0]);
  CHECK(results[2] == results[0]);
}

#ifdef MHSIM_WITH_MPI
TEST_CASE("Reproducibility: mpirun -np 2 gives the single-process datasets byte for byte", "[reproducibility][cli][mpi]") {
  const std::string scenario = std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/small_network.toml";
  const fs::path single = scratch("mpi_single.h5"), ranks = scratch("mpi_ranks.h5"), resumed = scratch("mpi_resumed.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", scenario, "--reps", "30", "--out", single.string(), "-q"})
              .exit_code == 0);
  const std::vector<std::string> mpirun = {"/usr/bin/mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2"};
  auto with_mpi = [&](std::vector<std::string> args) {
    args.insert(args.begin(), mpirun.begin(), mpirun.end());
    return args;
  };
  const auto r = mhsim::test::run_process(
      with_mpi({MHSIM_BINARY, "run", scenario, "--reps", "30", "--threads", "1", "--out", ranks.string(), "-q"}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("x 2 MPI ranks"));
  CHECK(datasets_of(ranks) == datasets_of(single));
  CHECK(mhsim::analysis::ResultsReader(ranks.string()).uint_attribute("processes") == 2);

  // A partial run left by one process resumes under MPI (rank 0 shares what is done).
  const auto killed = mhsim::test::run_process(
      {MHSIM_BINARY, "run", scenario, "--reps", "30", "--threads", "1", "--out", resumed.string()},
      "progress: 9/30", SIGKILL);
  REQUIRE(killed.exit_code == 128 + SIGKILL);
  const auto again = mhsim::test::run_process(with_mpi(
      {MHSIM_BINARY, "run", scenario, "--reps", "30", "--threads", "1", "--out", resumed.string(), "-q", "--resume"}));
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("Resumed: "));
  CHECK(datasets_of(resumed) == datasets_of(single));
}
#endif
