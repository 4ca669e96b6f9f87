// SPDX-License-Identifier: MIT
// The mhsim binary, end to end: exit codes, all errors at once, and outputs that are
// either complete or absent (an existing file is never damaged).
#include <catch2/catch.hpp>

#include <filesystem>
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
  const auto r = run_process({kBin, "validate", kSrc + "/scenarios/default.toml"});
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
  CHECK_THAT(r.err, Catch::Contains("nothing was written to /proc/forbidden/results.h5"));
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

TEST_CASE("mhsim run: an interrupted run writes nothing and keeps the earlier file", "[cli]") {
  const fs::path dir = scratch_dir() / "interrupt";
  fs::create_directories(dir);
  const fs::path out = dir / "results.h5";
  { std::ofstream(out) << "earlier results"; }
  // Far more replications than can finish before SIGINT arrives, sent once the run has begun.
  const auto r = run_process({kBin, "run", kSrc + "/scenarios/default.toml", "--reps", "1000000", "--threads", "1",
                              "--out", out.string()},
                             "mhsim run ");
  CHECK(r.exit_code == 130);
  CHECK_THAT(r.err, Catch::Contains("interrupted after"));
  CHECK(slurp_file(out.string()) == "earlier results");
  CHECK(files_in(dir) == 1);
}
