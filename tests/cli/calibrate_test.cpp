// SPDX-License-Identifier: MIT
// `mhsim calibrate` (cli/calibrate.hpp): common random numbers, recovery of a known
// parameter, and the command end to end.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/calibrate.hpp"
#include "cli/process.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/psa_fixtures.hpp"

using namespace mhsim;

namespace {

/// pathway_minimal.toml cut to one year and a smaller catchment, so that an evaluation is cheap.
std::string small_minimal() {
  std::string text = test::minimal_text();
  const auto replace = [&text](const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace("years = 2 ", "years = 1 ");
  replace("size = 100000 ", "size = 50000  ");
  return text;
}

const char* kTargets = R"(# Recover the alliance's front-door diversion.
[parameters.diversion]
key = "arms.alliance.front_door_diversion"
low = 0.05
high = 0.8
start = 0.6

[targets.diverted]
statistic = "kpi.diverted"
arm = "alliance"
year = 1
value = 1
tolerance = 1
source = "simulated at front_door_diversion = 0.3"

[targets.referrals]
statistic = "kpi.referrals_secondary"
arm = "alliance"
relative_to = "block"
year = "all"
value = 1
tolerance = 1
source = "simulated at front_door_diversion = 0.3"
)";

}  // namespace

TEST_CASE("mhsim calibrate: writes the calibrated scenario, and nothing on bad input (exit 2)", "[cli][calibration]") {
  const std::string dir = "/tmp/mhsim_calibrate_test_" + std::to_string(::getpid());
  std::string mk = "mkdir -p " + dir;
  REQUIRE(std::system(mk.c_str()) == 0);
  const std::string scenario = dir + "/small.toml", targets = dir + "/targets.toml", out = dir + "/calibrated.toml";
  std::ofstream(scenario) << small_minimal();
  std::string good = kTargets;
  good.replace(good.find("value = 1\ntolerance = 1"), 23, "value = 300\ntolerance = 30");
  good.replace(good.find("value = 1\ntolerance = 1"), 23, "value = 0.8\ntolerance = 0.1");
  std::ofstream(targets) << good;

  const test::ProcessResult ok = test::run_process({MHSIM_BINARY, "calibrate", scenario, "--targets", targets, "--out",
                                                    out, "--reps", "2", "--threads", "2", "--max-evaluations", "15"});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.out.find("Fitted parameters") != std::string::npos);
  CHECK(ok.out.find("Goodness of fit") != std::string::npos);
  CHECK(ok.out.find("simulated at front_door_diversion = 0.3") != std::string::npos);
  const std::string written = test::slurp_file(out);
  CHECK(written.find("# assumption  # calibrated: mhsim calibrate to diverted, referrals of targets.toml (2 replications, seed 20260101): front_door_diversion was 0.3 (SE ") !=
        std::string::npos);
  CHECK_NOTHROW(scenario::parse_pathway_scenario(written, out));

  std::remove(out.c_str());
  std::ofstream(targets) << good << "\n[targets.bad]\nstatistic = \"kpi.nothing\"\n";
  const test::ProcessResult bad = test::run_process(
      {MHSIM_BINARY, "calibrate", scenario, "--targets", targets, "--out", out, "--reps", "x"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("targets.toml:26:13: targets.bad.statistic: expected a statistic") != std::string::npos);
  CHECK(bad.err.find("targets.toml:25:1: targets.bad.arm: expected the name of an arm (required; one of \"block\", "
                     "\"alliance\"), got nothing (the key is missing)") != std::string::npos);
  CHECK(bad.err.find("command line: --reps: expected an integer in [1, 1000000], got \"x\"") != std::string::npos);
  CHECK(bad.err.find("errors; nothing was written") != std::string::npos);
  CHECK(!std::ifstream(out).good());

  // Calibration fits stated behaviour: a scenario whose providers respond to their contracts
  // (docs/incentives.md) is refused with the other problems, and nothing is written.
  std::ofstream(scenario) << small_minimal() << "\n[incentives]\ngatekeeping = 0.5\n";
  std::ofstream(targets) << good;
  const test::ProcessResult responding = test::run_process(
      {MHSIM_BINARY, "calibrate", scenario, "--targets", targets, "--out", out, "--reps", "0"});
  CHECK(responding.exit_code == 2);
  CHECK(responding.err.find("small.toml: incentives: expected a scenario whose providers do not respond to their "
                            "contracts") != std::string::npos);
  CHECK(responding.err.find("--reps") != std::string::npos);
  CHECK(!std::ifstream(out).good());
  std::string rm = "rm -rf " + dir;
  CHECK(std::system(rm.c_str()) == 0);
}

TEST_CASE("mhsim calibrate --parameters fits a subset and names an unknown one", "[cli][calibration]") {
  const std::string dir = "/tmp/mhsim_calibrate_subset_" + std::to_string(::getpid());
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  const std::string scenario = dir + "/small.toml", targets = dir + "/targets.toml";
  std::ofstream(scenario) << small_minimal();
  std::string good = kTargets;
  good.replace(good.find("value = 1\ntolerance = 1"), 23, "value = 300\ntolerance = 30");
  good.replace(good.find("value = 1\ntolerance = 1"), 23, "value = 0.8\ntolerance = 0.1");
  good += "\n[parameters.handoff]\nkey = \"arms.alliance.handoff_loss\"\nlow = 0.0\nhigh = 0.5\nstart = 0.1\n";
  std::ofstream(targets) << good;
  const test::ProcessResult one = test::run_process({MHSIM_BINARY, "calibrate", scenario, "--targets", targets, "--reps",
                                                     "2", "--threads", "2", "--max-evaluations", "5", "--parameters",
                                                     "handoff"});
  INFO(one.out << one.err);
  CHECK(one.exit_code == 0);
  CHECK(one.out.find("Calibrating 1 parameter of") != std::string::npos);
  CHECK(one.out.find("arms.alliance.handoff_loss") != std::string::npos);
  CHECK(one.out.find("arms.alliance.front_door_diversion  ") == std::string::npos);
  const test::ProcessResult bad = test::run_process(
      {MHSIM_BINARY, "calibrate", scenario, "--targets", targets, "--parameters", "handoff,nothing"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("command line: --parameters: expected names of [parameters.<name>] tables of " + targets) !=
        std::string::npos);
  CHECK(bad.err.find("got \"nothing\"") != std::string::npos);

  // --method chooses NLopt's minimiser and says so; a name it does not offer is refused (exit 2).
  const test::ProcessResult bobyqa = test::run_process({MHSIM_BINARY, "calibrate", scenario, "--targets", targets,
                                                        "--reps", "2", "--threads", "2", "--max-evaluations", "5",
                                                        "--parameters", "handoff", "--method", "bobyqa"});
  INFO(bobyqa.out << bobyqa.err);
  CHECK(bobyqa.exit_code == 0);
  CHECK(bobyqa.out.find("bobyqa (NLopt): ") != std::string::npos);
  CHECK(one.out.find("nelder-mead (NLopt): ") != std::string::npos);
  const test::ProcessResult typo = test::run_process(
      {MHSIM_BINARY, "calibrate", scenario, "--targets", targets, "--method", "simplex"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("--method") != std::string::npos);
  CHECK(typo.err.find("simplex") != std::string::npos);
  CHECK(std::system(("rm -rf " + dir).c_str()) == 0);
}
