// SPDX-License-Identifier: MIT
// The mhsim binary, end to end: exit codes, all errors at once, and outputs that are
// either complete or absent (an existing file is never damaged).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>

#include "analysis/results_file.hpp"
#include "analysis/sha256.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;
using mhsim::test::run_process;
using mhsim::test::slurp_file;

namespace {
const std::string kBin = MHSIM_BINARY;
const std::string kSrc = MHSIM_SOURCE_DIR;

fs::path scratch_dir() {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::size_t files_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}
}  // namespace

TEST_CASE("mhsim validate: a good scenario passes with exit 0", "[cli]") {
  const auto r = run_process({kBin, "validate", kSrc + "/scenarios/examples/small_network.toml"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("valid: 4 stations"));
}

TEST_CASE("mhsim run: bad scenario -> exit 2, every error, no output, existing file untouched", "[cli]") {
  const fs::path dir = scratch_dir() / "bad";
  fs::create_directories(dir);
  const fs::path out = dir / "results.h5";
  { std::ofstream(out) << "earlier results"; }
  const std::string bad = kSrc + "/tests/data/bad/many_errors.toml";
  const auto r = run_process({kBin, "run", bad, "--out", out.string(), "--reps", "1000000000000"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("command line: --reps: expected an integer in [1, 10000000], got \"1000000000000\""));
  CHECK_THAT(r.err, Catch::Contains(bad + ":8:8: run.seed: expected an integer"));
  CHECK_THAT(r.err, Catch::Contains(bad + ":16:10: stations.triage.routes: expected probabilities that sum to 1"));
  CHECK_THAT(r.err, Catch::Contains("6 errors; nothing was written"));
  CHECK(slurp_file(out.string()) == "earlier results");
  CHECK(files_in(dir) == 1);  // no temporary left behind
  CHECK(r.out.empty());
}

TEST_CASE("mhsim run: a bad output directory fails cleanly", "[cli]") {
  const auto r = run_process({kBin, "run", kSrc + "/scenarios/examples/mm1.toml", "--reps", "2", "--out",
                              "/proc/forbidden/results.h5", "-q"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("mhsim: /proc/forbidden/results.h5 is unchanged"));
}

TEST_CASE("mhsim: unknown options and subcommands exit 2", "[cli]") {
  CHECK(run_process({kBin, "run", "x.toml", "--frobnicate"}).exit_code == 2);
  CHECK(run_process({kBin, "explode"}).exit_code == 2);
  CHECK(run_process({kBin}).exit_code == 2);
  const auto help = run_process({kBin, "run", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--threads"));
}

TEST_CASE("mhsim run: writes a complete HDF5 file with provenance", "[cli]") {
  const fs::path out = scratch_dir() / "good" / "mm1.h5";  // parent directory is created
  const std::string scenario = kSrc + "/scenarios/examples/mm1.toml";
  const auto r = run_process({kBin, "run", scenario, "--reps", "3", "--seed", "11", "--threads", "2", "--out",
                              out.string(), "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("theory (Jackson)"));
  mhsim::analysis::ResultsReader f(out.string());
  CHECK(f.string_attribute("format") == "mhsim-results");
  CHECK(f.uint_attribute("seed") == 11);
  CHECK(f.uint_attribute("replications") == 3);
  CHECK(f.uint_attribute("threads") == 2);
  const std::string text = slurp_file(scenario);
  CHECK(f.string_attribute("scenario_text") == text);
  CHECK(f.string_attribute("scenario_sha256") == mhsim::analysis::sha256_hex(text));
  CHECK(f.string_attribute("rng") == "boost::random::mt19937_64");
  CHECK(f.shape("stations/mean_wait") == std::vector<std::uint64_t>{3, 1});
  CHECK(f.labels("stations/name") == std::vector<std::string>{"server"});
  for (double w : f.read_double("stations/mean_wait")) CHECK(w > 0.0);
  // Conservation of people, replication by replication, read back from the file.
  const auto entered = f.read_uint("network/entered"), exited = f.read_uint("network/exited"),
             refused = f.read_uint("network/refused"), inside = f.read_uint("network/in_system_at_end");
  for (std::size_t i = 0; i < entered.size(); ++i) CHECK(entered[i] == exited[i] + refused[i] + inside[i]);
}

TEST_CASE("mhsim run: the file is readable by HDF5's own tools", "[cli]") {
  const fs::path out = scratch_dir() / "h5dump.h5";
  REQUIRE(run_process({kBin, "run", kSrc + "/scenarios/examples/erlang_loss.toml", "--reps", "2", "--out",
                       out.string(), "-q"})
              .exit_code == 0);
  const auto dump = run_process({"/usr/bin/h5dump", "-H", out.string()});
  REQUIRE(dump.exit_code == 0);
  CHECK_THAT(dump.out, Catch::Contains("DATASET \"mean_wait\""));
  CHECK_THAT(dump.out, Catch::Contains("DATASPACE  SIMPLE { ( 2, 1 ) / ( 2, 1 ) }"));
  CHECK_THAT(dump.out, Catch::Contains("ATTRIBUTE \"scenario_sha256\""));
}

namespace {
std::map<std::string, std::vector<unsigned char>> datasets_of(const fs::path& file) {
  mhsim::analysis::ResultsReader r(file.string());
  std::map<std::string, std::vector<unsigned char>> out;
  for (const std::string& name : r.datasets()) out[name] = r.raw(name);
  return out;
}
std::size_t chunk_files(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".h5";
  return n;
}
}  // namespace

TEST_CASE("mhsim run: interrupted or killed runs resume to the identical file", "[cli][reproducibility]") {
  const fs::path dir = scratch_dir() / "resume";
  fs::create_directories(dir);
  const std::string scenario = kSrc + "/scenarios/examples/small_network.toml";
  const std::vector<std::string> common = {"--reps", "400", "--threads", "1", "--seed", "77"};
  auto args = [&](const fs::path& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {kBin, "run", scenario, "--out", out.string()};
    a.insert(a.end(), common.begin(), common.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  // The reference: one uninterrupted run.
  const fs::path reference = dir / "reference.h5";
  REQUIRE(run_process(args(reference, {"-q"})).exit_code == 0);

  for (const int signal : {SIGINT, SIGKILL}) {
    INFO("signal " << signal);
    const fs::path out = dir / ("results-" + std::to_string(signal) + ".h5");
    { std::ofstream(out) << "earlier results"; }
    // Stop the run once it has written some chunks ("progress:" lines come every 10%).
    const auto stopped = run_process(args(out), "progress: 80/400", signal);
    CHECK(stopped.exit_code == (signal == SIGINT ? 130 : 128 + SIGKILL));
    CHECK(slurp_file(out.string()) == "earlier results");  // untouched
    const fs::path partial = out.string() + ".partial";
    REQUIRE(fs::exists(partial));
    const std::size_t kept = chunk_files(partial);
    CHECK(kept >= 8);   // at least 80 of 400 replications in chunks of 8
    CHECK(kept < 50);   // not finished
    // Without --resume the checkpoint is not overwritten.
    const auto refused = run_process(args(out, {"-q"}));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("expected --resume to continue it"));
    // Another seed cannot resume it.
    auto other_seed = args(out, {"-q", "--resume"});
    *std::find(other_seed.begin(), other_seed.end(), "77") = "78";
    const auto wrong = run_process(other_seed);
    CHECK(wrong.exit_code == 2);
    CHECK_THAT(wrong.err, Catch::Contains("seed: expected 78 (this run), got 77"));
    // Resume: runs only what is missing and ends with the same datasets as the reference.
    const auto resumed = run_process(args(out, {"-q", "--resume"}));
    REQUIRE(resumed.exit_code == 0);
    CHECK_THAT(resumed.out, Catch::Contains("Resumed: " + std::to_string(kept * 8) + " replications were already finished"));
    CHECK_FALSE(fs::exists(partial));
    CHECK(datasets_of(out) == datasets_of(reference));
  }
}

TEST_CASE("mhsim run --shard and mhsim merge: shards join to the single-run datasets", "[cli][reproducibility]") {
  const fs::path dir = scratch_dir() / "shards";
  fs::create_directories(dir);
  const std::string scenario = kSrc + "/scenarios/examples/jackson.toml";
  const fs::path single = dir / "single.h5";
  REQUIRE(run_process({kBin, "run", scenario, "--reps", "10", "--out", single.string(), "-q"}).exit_code == 0);
  std::vector<std::string> shards;
  for (int i = 0; i < 3; ++i) {
    const fs::path shard = dir / ("shard" + std::to_string(i) + ".h5");
    const auto r = run_process({kBin, "run", scenario, "--reps", "10", "--shard", std::to_string(i) + "/3", "--out",
                                shard.string(), "-q", "--threads", "1"});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Shard " + std::to_string(i) + "/3"));
    shards.push_back(shard.string());
  }
  const fs::path merged = dir / "merged.h5";
  // Any order of inputs.
  const auto m = run_process({kBin, "merge", shards[2], shards[0], shards[1], "--out", merged.string()});
  REQUIRE(m.exit_code == 0);
  CHECK(datasets_of(merged) == datasets_of(single));
  CHECK(mhsim::analysis::ResultsReader(merged.string()).uint_attribute("replications_in_file") == 10);

  // Missing, overlapping and foreign inputs are refused, every problem listed, nothing written.
  const fs::path bad = dir / "bad.h5";
  const auto missing = run_process({kBin, "merge", shards[0], shards[2], "--out", bad.string()});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains(": expected in one of the inputs, got none (missing)"));
  const auto overlap = run_process({kBin, "merge", shards[0], shards[0], shards[1], shards[2], "--out", bad.string()});
  CHECK(overlap.exit_code == 2);
  CHECK_THAT(overlap.err, Catch::Contains("(overlap)"));
  const fs::path foreign = dir / "foreign.h5";
  REQUIRE(run_process({kBin, "run", scenario, "--reps", "10", "--seed", "5", "--shard", "1/3", "--out",
                       foreign.string(), "-q"})
              .exit_code == 0);
  const auto mixed = run_process({kBin, "merge", shards[0], foreign.string(), shards[2], "--out", bad.string()});
  CHECK(mixed.exit_code == 2);
  CHECK_THAT(mixed.err, Catch::Contains("seed: expected 4"));
  CHECK_THAT(mixed.err, Catch::Contains("(not the same run)"));
  CHECK_FALSE(fs::exists(bad));
  CHECK(run_process({kBin, "run", scenario, "--shard", "3/3", "--out", bad.string()}).exit_code == 2);
}
