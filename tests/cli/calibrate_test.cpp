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
#include "scenario/psa_fixtures.hpp"

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

TEST_CASE("calibrate: target statistics do not depend on the thread count", "[cli][calibration][reproducibility]") {
  const scenario::PathwayScenario sc = scenario::parse_pathway_scenario(small_minimal(), "small.toml");
  const scenario::CalibrationSpec spec = scenario::parse_calibration_targets(kTargets, "targets.toml", sc);
  cli::CalibrationRunOptions o;
  o.replications = 3;
  o.seed = 7;
  o.threads = 1;
  const auto one = cli::simulate_targets(sc, spec, {0.3}, o);
  o.threads = 3;
  const auto three = cli::simulate_targets(sc, spec, {0.3}, o);
  REQUIRE(one.size() == 2);
  for (std::size_t t = 0; t < one.size(); ++t) {
    CHECK(one[t].mean == three[t].mean);
    CHECK(one[t].se == three[t].se);
  }
}

TEST_CASE("calibrate: recovers a known front-door diversion from its own simulated statistics",
          "[cli][calibration]") {
  const auto started = std::chrono::steady_clock::now();
  const scenario::PathwayScenario sc = scenario::parse_pathway_scenario(small_minimal(), "small.toml");
  scenario::CalibrationSpec spec = scenario::parse_calibration_targets(kTargets, "targets.toml", sc);
  cli::CalibrationRunOptions o;
  o.replications = 4;
  o.seed = 20260101;
  o.threads = 2;
  o.max_evaluations = 60;
  // The targets are the statistics simulated at the known value 0.3 with the same seeds,
  // each with a tolerance of 5% of its value.
  const double truth = 0.3;
  const auto at_truth = cli::simulate_targets(sc, spec, {truth}, o);
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    spec.targets[t].value = at_truth[t].mean;
    spec.targets[t].tolerance = 0.05 * at_truth[t].mean;
  }
  const cli::CalibrationOutcome fit = cli::calibrate_pathway(sc, spec, o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO("fitted " << fit.fitted[0] << ", SE " << fit.se[0] << ", objective " << fit.objective << ", "
                 << fit.evaluations << " evaluations, " << seconds << " s");
  std::printf("calibrate recovery: fitted %.6f (truth 0.3), SE %.4f, objective %.3g, %d evaluations, %.1f s\n",
              fit.fitted[0], fit.se[0], fit.objective, fit.evaluations, seconds);
  std::fflush(stdout);  // before the next test forks the binary
  REQUIRE(std::isfinite(fit.se[0]));
  CHECK(fit.se[0] > 0);
  // Under common random numbers the objective is exactly 0 at the truth, and it stays 0 on a
  // small interval around it (the statistics count whole people), so the fit's error is that
  // granularity, not Monte Carlo noise. Require it within one Gauss-Newton SE (how far the
  // parameter can move before the objective grows by one, i.e. by one standard deviation,
  // tolerance / 1.96, on one target): measured 0.2915 against 0.3 with SE 0.0091 (seed
  // 20260101, 4 replications).
  CHECK(std::fabs(fit.fitted[0] - truth) < fit.se[0]);
  CHECK(fit.objective < 0.05);
  CHECK(fit.objective_start > 1.0);
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    CHECK(std::fabs(fit.statistics[t].mean - spec.targets[t].value) <= spec.targets[t].tolerance);
  }
  // The written scenario reproduces the fitted statistics.
  const std::string text = scenario::calibrated_text(sc, spec.keys(), fit.fitted, {"calibrated: test"});
  const scenario::PathwayScenario written = scenario::parse_pathway_scenario(text, "calibrated.toml");
  CHECK(written.spec.arms[1].front_door_diversion == fit.fitted[0]);
  const auto again = cli::simulate_targets(written, spec, {written.spec.arms[1].front_door_diversion.in_year(0)}, o);
  for (std::size_t t = 0; t < spec.targets.size(); ++t) CHECK(again[t].mean == fit.statistics[t].mean);
}

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
  CHECK(std::system(("rm -rf " + dir).c_str()) == 0);
}
