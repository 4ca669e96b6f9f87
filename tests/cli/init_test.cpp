// SPDX-License-Identifier: MIT
// `mhsim init`, end to end as the README's worked example runs it: a smaller borough written,
// run and reported; an existing file never overwritten; every bad option named at once,
// exit 2 and nothing written.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "cli/process.hpp"

namespace fs = std::filesystem;
using mhsim::test::run_process;

namespace {

const std::string kBin = MHSIM_BINARY;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_init_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::remove_all(dir / name);
  return dir / name;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("mhsim init: a borough of another size is written, run and reported", "[cli][init]") {
  const fs::path toml = scratch("borough.toml"), h5 = scratch("borough.h5"), json = scratch("borough.json");
  const auto init = run_process({kBin, "init", "--population", "120000", "--rate", "smi=3.5", "--pilot-reps", "3",
                                 "--threads", "2", "--out", toml.string()});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  CHECK(init.out.find("a borough of 120,000 people") != std::string::npos);
  const std::string text = read(toml);
  CHECK(text.rfind("# Written by `mhsim init` from the shipped default scenario", 0) == 0);
  CHECK(text.find("size = 120000  # mhsim init: stated: the borough's population") != std::string::npos);
  CHECK(run_process({kBin, "validate", toml.string()}).exit_code == 0);
  const auto run = run_process({kBin, "run", toml.string(), "--reps", "2", "--threads", "2", "--out", h5.string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto report = run_process({kBin, "report", h5.string(), "--json", json.string(), "-q"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  CHECK(read(json).find("A borough of 120000 people") != std::string::npos);
}

TEST_CASE("mhsim init: an existing file is never overwritten, and bad options are named at once (exit 2)", "[cli][init]") {
  const fs::path toml = scratch("kept.toml");
  { std::ofstream(toml) << "precious\n"; }
  const auto r = run_process({kBin, "init", "--population", "-5", "--rate", "smi", "--capacity", "cmht=1.5", "--pilot-reps",
                              "0", "--out", toml.string()});
  CHECK(r.exit_code == 2);
  for (const char* flag : {"--population", "--rate", "--capacity", "--pilot-reps", "--out"}) {
    INFO(flag << "\n" << r.err);
    CHECK(r.err.find(std::string(flag) + ": expected") != std::string::npos);
  }
  CHECK(read(toml) == "precious\n");
  const fs::path fresh = scratch("fresh.toml");
  const auto unknown = run_process({kBin, "init", "--population", "1000", "--rate", "anxiety=2", "--out", fresh.string()});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("--rate: expected a need group of") != std::string::npos);
  CHECK_FALSE(fs::exists(fresh));
}
