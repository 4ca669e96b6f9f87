// SPDX-License-Identifier: MIT
// `mhsim reproduce` (cli/reproduce.cpp) on the shipped reference scenarios: every published
// target met within its stated tolerance (docs/reproductions.md justifies each tolerance by
// the published figure's own precision), at the scenario's own replications and seed, the
// run the docs show; and calibration works on both scenarios.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "cli/process.hpp"
#include "models/scenario/pathway_scenario.hpp"

using namespace mhsim;

namespace {

const std::string kScenarios = std::string(MHSIM_SOURCE_DIR) + "/scenarios/";

/// The rows of the calibration and held-out blocks whose "met" column says yes or no, and the
/// held-out rows missed, by name.
struct Rows {
  std::size_t calibration = 0, calibration_missed = 0, held_out = 0;
  std::vector<std::string> held_out_missed;
};

Rows rows_of(const std::string& out) {
  Rows r;
  bool held_out = false;
  std::size_t at = 0;
  while (at < out.size()) {
    const std::size_t nl = out.find('\n', at);
    const std::string line = out.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? out.size() : nl + 1;
    if (line.rfind("Calibration targets", 0) == 0) held_out = false;
    if (line.rfind("Predicted, not fitted", 0) == 0) held_out = true;
    // The "met" column is the table's last (each target's statistic and source follow the table).
    const auto ends_with = [&](const std::string& cell) {
      return line.size() >= cell.size() && line.compare(line.size() - cell.size(), cell.size(), cell) == 0;
    };
    const bool yes = ends_with("  yes"), no = ends_with("  no");
    if (!yes && !no) continue;
    if (held_out) {
      ++r.held_out;
      if (no) r.held_out_missed.push_back(line.substr(0, line.find(' ')));
    } else {
      ++r.calibration;
      if (no) {
        ++r.calibration_missed;
        UNSCOPED_INFO("missed: " << line);
      }
    }
  }
  return r;
}

}  // namespace

TEST_CASE("mhsim reproduce stockport: calibration targets met, the held-out domain shares predicted",
          "[cli][reproduce]") {
  const test::ProcessResult r = test::run_process({MHSIM_BINARY, "reproduce", "stockport", "--threads", "2"});
  INFO(r.out << r.err);
  // Exit 0: every calibration target is met (a held-out miss is a finding, not an error).
  CHECK(r.exit_code == 0);
  // Calibration: 595 goals set, the 8 progressing shares, the all-domain row, the WEMWBS shares.
  CHECK(r.out.find("16 of 16 calibration targets met") != std::string::npos);
  CHECK(r.out.find("16 calibration targets, 13 independent") != std::string::npos);
  CHECK(r.out.find("against 13 fitted parameters and 0 numbers derived from the targets before the fit: 0 degrees "
                   "of freedom") != std::string::npos);
  CHECK(r.out.find("Held out: 24 targets predicted, not fitted, 16 independent") != std::string::npos);
  const Rows rows = rows_of(r.out);
  CHECK(rows.calibration == 16);
  CHECK(rows.calibration_missed == 0);
  CHECK(rows.held_out == 24);
  // docs/reproductions.md states the held-out figures the model misses, and why (one split
  // for every domain: physical health closes more goals than it and achieves fewer, finance
  // the reverse). Physical health's achieved share sits on its interval's edge: z = -1.93
  // under RNG scheme 1, -1.97 under scheme 2 (issue 19's gamma sampler), the same
  // over-prediction (0.33 against 0.18) either way.
  CHECK(rows.held_out_missed == std::vector<std::string>{"physical_health_achieved", "physical_health_closed",
                                                         "finance_achieved", "finance_closed", "finance_not_achieved"});
  CHECK(r.out.find("19 of 24 held-out targets inside their prediction interval") != std::string::npos);
}

TEST_CASE("mhsim reproduce lambeth: both readings of the year-two fall, calibration met, consequences predicted",
          "[cli][reproduce]") {
  const test::ProcessResult r = test::run_process({MHSIM_BINARY, "reproduce", "lambeth", "--threads", "2"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("(variant further)") != std::string::npos);
  CHECK(r.out.find("(variant vs_baseline)") != std::string::npos);
  const Rows rows = rows_of(r.out);
  CHECK(rows.calibration == 10);  // 5 a variant
  CHECK(rows.calibration_missed == 0);
  CHECK(rows.held_out == 6);      // the community teams' wait, caseload and savings, in each variant
  CHECK(r.out.find("5 calibration targets, 3 independent (not counted: 1 by construction, 1 one-sided") !=
        std::string::npos);
  // docs/reproductions.md: every held-out figure inside its prediction interval at the
  // scenario's 40 replications; under "vs_baseline" the wait only just (a predicted 24 days
  // against the published week, inside an interval made wide by the steep queue).
  CHECK(rows.held_out_missed.empty());
  CHECK(r.out.find("All variants: 16 of 16 targets met (calibration 10 of 10; held out 6 of 6") != std::string::npos);
}

TEST_CASE("mhsim reproduce: bad input is reported at once with exit 2, a missed target exits 3", "[cli][reproduce]") {
  const test::ProcessResult unknown = test::run_process({MHSIM_BINARY, "reproduce", "atlantis"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("command line: what: expected a scenario file, or a reproduction in") != std::string::npos);
  CHECK(unknown.err.find("lambeth_living_well, stockport_alliance") != std::string::npos);

  const test::ProcessResult variant =
      test::run_process({MHSIM_BINARY, "reproduce", "lambeth", "--variant", "sideways", "--reps", "0"});
  CHECK(variant.exit_code == 2);
  CHECK(variant.err.find("--variant: expected a variant the scenario declares, got") != std::string::npos);
  CHECK(variant.err.find("has no variant \"sideways\"; its variants are \"further\", \"vs_baseline\"") !=
        std::string::npos);
  CHECK(variant.err.find("--reps: expected an integer in [1, 1000000], got \"0\"") != std::string::npos);

  // A target the scenario cannot meet: the table says so and the exit code is 3.
  const std::string dir = "/tmp/mhsim_reproduce_test_" + std::to_string(::getpid());
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  const std::string targets = dir + "/impossible.targets.toml";
  std::ofstream(targets) << R"([targets.everyone_achieves]
statistic = "goals.all.achieved"
per = "goals.all.set"
arm = "pps_alliance"
year = "all"
value = 1
tolerance = 0.01
source = "assumption: a target no service meets"
)";
  const test::ProcessResult missed = test::run_process(
      {MHSIM_BINARY, "reproduce", kScenarios + "stockport_alliance.toml", "--targets", targets, "--reps", "20"});
  CHECK(missed.exit_code == 3);
  CHECK(missed.out.find("0 of 1 targets met") != std::string::npos);
  CHECK(std::system(("rm -rf " + dir).c_str()) == 0);
}

TEST_CASE("mhsim reproduce --tornado varies a parameter written on several keys on all of them", "[cli][reproduce]") {
  // One uncertain quantity in two places (`keys`): the tornado sets both to each quantile.
  const std::string dir = "/tmp/mhsim_reproduce_tornado_" + std::to_string(::getpid());
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  std::ifstream in(kScenarios + "stockport_alliance.toml");
  std::stringstream whole;
  whole << in.rdbuf();
  std::string text = whole.str();
  text += R"(
[uncertainty.exits]
keys = ["groups.pps_referrals.death_per_year", "groups.pps_referrals.move_away_per_year"]
distribution = "uniform"
low = 0.001
high = 0.5
source = "assumption: a test of a parameter on two keys"
)";
  const std::string scenario = dir + "/stockport.toml";
  std::ofstream(scenario) << text;
  const test::ProcessResult r =
      test::run_process({MHSIM_BINARY, "reproduce", scenario, "--targets", kScenarios + "stockport_alliance.targets.toml",
                         "--reps", "3", "--threads", "2", "--tornado"});
  INFO(r.out << r.err);
  CHECK((r.exit_code == 0 || r.exit_code == 3));  // 3 replications may miss a target; the tornado runs either way
  CHECK(r.err.find("expected a dotted key path") == std::string::npos);
  CHECK(r.out.find("Tornado: each target") != std::string::npos);
  // Its row under every target: both keys at uniform(0.001, 0.5)'s 2.5% and 97.5% quantiles,
  // 0.001 + 0.025 x 0.499 = 0.013475 and 0.001 + 0.975 x 0.499 = 0.487525 (printed to 4
  // significant digits). At a 0.49 exit hazard on both keys about 60% leave in a year, so
  // shares of goals achieved move: some target's two ends differ.
  const std::string name = "exits (groups.pps_referrals.death_per_year, groups.pps_referrals.move_away_per_year)";
  std::size_t rows = 0, moved = 0;
  for (std::size_t at = r.out.find(name); at != std::string::npos; at = r.out.find(name, at + 1)) {
    const std::string line = r.out.substr(at + name.size(), r.out.find('\n', at) - at - name.size());
    ++rows;
    CHECK(line.find("at 0.01348 .. 0.4875") != std::string::npos);
    char low[32] = {0}, high[32] = {0};
    if (std::sscanf(line.c_str(), " %31s -> %31s", low, high) == 2 && std::string(low) != high) ++moved;
  }
  CHECK(rows == 40);  // one row for each of the 40 targets
  CHECK(moved > 0);
  CHECK(std::system(("rm -rf " + dir).c_str()) == 0);
}

TEST_CASE("mhsim calibrate works on both reference scenarios and writes a scenario that loads", "[cli][reproduce]") {
  const std::string dir = "/tmp/mhsim_reproduce_cal_" + std::to_string(::getpid());
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  for (const std::string name : {"stockport_alliance", "lambeth_living_well"}) {
    const std::string out = dir + "/" + name + ".toml";
    // A short fit (few replications and evaluations): this checks that the shipped targets
    // files drive the fitter end to end; the shipped values came from the full runs in
    // docs/reproductions.md.
    const test::ProcessResult r =
        test::run_process({MHSIM_BINARY, "calibrate", kScenarios + name + ".toml", "--targets",
                           kScenarios + name + ".targets.toml", "--reps", "4", "--max-evaluations", "6", "--threads", "2",
                           "--out", out});
    INFO(name << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Fitted parameters") != std::string::npos);
    CHECK(r.out.find("Goodness of fit") != std::string::npos);
    CHECK_NOTHROW(scenario::load_pathway_scenario(out));
  }
  CHECK(std::system(("rm -rf " + dir).c_str()) == 0);
}

namespace {

// Fields of a table line, split at runs of two or more spaces (no cell holds two spaces).
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    const std::size_t end = line.find("  ", i);
    out.push_back(line.substr(i, end == std::string::npos ? std::string::npos : end - i));
    if (end == std::string::npos) break;
    i = line.find_first_not_of(' ', end);
  }
  return out;
}

// The leave-one-out table's cell in column `header` of the target's row (the block of columns
// that holds that header).
std::string loo_cell(const std::string& out, const std::string& target, const std::string& header) {
  std::size_t at = out.find("\nleft out ");
  const std::size_t summary = out.find("\nLeave-one-out: ", at);
  while (at != std::string::npos && at < summary) {
    const std::string head = out.substr(at + 1, out.find('\n', at + 1) - at - 1);
    const std::vector<std::string> names = cells(head);
    for (std::size_t c = 0; c < names.size(); ++c) {
      if (names[c] != header) continue;
      const std::size_t row = out.find("\n" + target + " ", at);
      if (row == std::string::npos || row > summary) return "";
      const std::vector<std::string> v = cells(out.substr(row + 1, out.find('\n', row + 1) - row - 1));
      return c < v.size() ? v[c] : "";
    }
    at = out.find("\nleft out ", at + 1);
  }
  return "";
}

/// The verdict of a leave-one-out row, "" when the target has no row.
std::string verdict_of(const std::string& out, const std::string& target) { return loo_cell(out, target, "verdict"); }

}  // namespace

TEST_CASE("mhsim calibrate --leave-one-out on both reference scenarios: which targets are predicted, which absorbed",
          "[cli][reproduce]") {
  // Short runs (fewer replications and evaluations than docs/reproductions.md's): the refits
  // start from the shipped fit, so they stay near it.
  const test::ProcessResult s = test::run_process(
      {MHSIM_BINARY, "calibrate", kScenarios + "stockport_alliance.toml", "--targets",
       kScenarios + "stockport_alliance.targets.toml", "--reps", "40", "--max-evaluations", "40", "--threads", "2",
       "--leave-one-out"});
  INFO(s.out << s.err);
  CHECK(s.exit_code == 0);
  unsigned predicted = 0, absorbed = 0, missed = 0, total = 0;
  const std::size_t summary = s.out.find("Leave-one-out: ", s.out.find("\nleft out "));
  REQUIRE(summary != std::string::npos);
  REQUIRE(std::sscanf(s.out.c_str() + summary, "Leave-one-out: %u predicted, %u absorbed, %u missed of %u", &predicted,
                      &absorbed, &missed, &total) == 4);
  // Every counted calibration target: goals set, 8 progressing shares, 3 of the all-domain row,
  // 3 WEMWBS shares (all_progressing is by construction).
  CHECK(total == 15);
  CHECK(predicted + absorbed + missed == total);
  // Each of these is the only target of its parameter (the referral rate; a domain's pace):
  // without it the parameter is free, so the model can fit the figure but not predict it.
  for (const char* t : {"goals_set", "mental_wellbeing_progressing", "finance_progressing", "employment_progressing"}) {
    INFO(t);
    CHECK(verdict_of(s.out, t) == "absorbed");
  }

  const test::ProcessResult l = test::run_process(
      {MHSIM_BINARY, "calibrate", kScenarios + "lambeth_living_well.toml", "--targets",
       kScenarios + "lambeth_living_well.targets.toml", "--variant", "further", "--reps", "4", "--max-evaluations", "8",
       "--threads", "2", "--leave-one-out"});
  INFO(l.out << l.err);
  CHECK(l.exit_code == 0);
  const std::size_t lsummary = l.out.find("Leave-one-out: ", l.out.find("\nleft out "));
  REQUIRE(lsummary != std::string::npos);
  REQUIRE(std::sscanf(l.out.c_str() + lsummary, "Leave-one-out: %u predicted, %u absorbed, %u missed of %u", &predicted,
                      &absorbed, &missed, &total) == 4);
  CHECK(total == 3);  // the baseline wait and the two falls in referrals (front door: by construction and one-sided)
  // One parameter a target: each is absorbed. Judged at the full fit too, where the target's
  // own gradient shows what it depends on: without it the other two determine little of its
  // parameter (only through the finite-difference noise in their gradients), so the interval
  // there is wider than twice the tolerance or not defined ("-"), whatever the refit's drift
  // does to the interval at the refit (under RNG scheme 2 a 60-evaluation refit took the
  // baseline wait's parameter to where the wait hardly moves, and that interval alone read
  // "missed").
  const auto undetermined_at_fit = [](const std::string& cell) {
    return cell == "-" || (!cell.empty() && std::stod(cell) > 2);
  };
  for (const char* t : {"wait_baseline", "referrals_year1", "referrals_year2_further"}) {
    INFO(t << ": width/tol at the full fit " << loo_cell(l.out, t, "at full fit"));
    CHECK(verdict_of(l.out, t) == "absorbed");
    CHECK(undetermined_at_fit(loo_cell(l.out, t, "at full fit")));
  }
  // Stockport's goals set, the only figure of the referral rate: likewise at the full fit.
  INFO("goals_set at the full fit: " << loo_cell(s.out, "goals_set", "at full fit"));
  CHECK(undetermined_at_fit(loo_cell(s.out, "goals_set", "at full fit")));
}
