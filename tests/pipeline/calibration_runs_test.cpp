// SPDX-License-Identifier: MIT
// The pathway model run in memory for calibration (pipeline/calibration_runs.hpp): target
// statistics as stated (checked against the model's own results by hand), independent of
// the thread count, and a known parameter recovered from its own simulated statistics.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/runner.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/psa_fixtures.hpp"
#include "models/scenario/variants.hpp"
#include "pipeline/calibration_runs.hpp"

using namespace mhsim;
using namespace mhsim::scenario;

namespace {

std::string with_variants() {
  return test::minimal_text() + R"(
[variants.strong]
description = "A stronger front door"
"arms.alliance.front_door_diversion" = 0.6
arms.alliance.gatekeeping = 0.1
[variants.as_written]
description = "The file's values"
)";
}

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

TEST_CASE("calibrate: target statistics do not depend on the thread count", "[pipeline][calibration][reproducibility]") {
  const scenario::PathwayScenario sc = scenario::parse_pathway_scenario(small_minimal(), "small.toml");
  const scenario::CalibrationSpec spec = scenario::parse_calibration_targets(kTargets, "targets.toml", sc);
  pipeline::CalibrationRunOptions o;
  o.replications = 3;
  o.seed = 7;
  o.threads = 1;
  const auto one = pipeline::simulate_targets(sc, spec, {0.3}, o);
  o.threads = 3;
  const auto three = pipeline::simulate_targets(sc, spec, {0.3}, o);
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
  pipeline::CalibrationRunOptions o;
  o.replications = 4;
  o.seed = 20260101;
  o.threads = 2;
  o.max_evaluations = 60;
  // The targets are the statistics simulated at the known value 0.3 with the same seeds,
  // each with a tolerance of 5% of its value.
  const double truth = 0.3;
  const auto at_truth = pipeline::simulate_targets(sc, spec, {truth}, o);
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    spec.targets[t].value = at_truth[t].mean;
    spec.targets[t].tolerance = 0.05 * at_truth[t].mean;
  }
  const pipeline::CalibrationOutcome fit = pipeline::calibrate_pathway(sc, spec, o);
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
  const auto again = pipeline::simulate_targets(written, spec, {written.spec.arms[1].front_door_diversion.in_year(0)}, o);
  for (std::size_t t = 0; t < spec.targets.size(); ++t) CHECK(again[t].mean == fit.statistics[t].mean);
}

TEST_CASE("Targets: goal statistics, sums, per, bounds and variant targets are simulated as stated",
          "[scenario][variants][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(with_variants(), "v.toml");
  const std::string targets = R"(
[targets.achieved_share]
statistic = "goals.all.achieved"
per = "goals.all.set"
arm = "alliance"
year = "all"
value = 0.4
tolerance = 0.05
source = "assumption"
[targets.wellbeing_open]
statistic = "goals.mental_wellbeing.progressing"
arm = "alliance"
year = "all"
value = 1
tolerance = 1
bound = "at_least"
source = "assumption"
[targets.discharges]
statistic = "kpi.wemwbs_improved + kpi.wemwbs_decreased + kpi.wemwbs_unchanged"
arm = "alliance"
year = 1
value = 1e9
tolerance = 1
bound = "at_most"
source = "assumption"
[targets.strong_only]
statistic = "kpi.diverted"
arm = "alliance"
year = 1
value = 1
tolerance = 1
variant = "strong"
source = "assumption"
)";
  const CalibrationSpec base = parse_calibration_targets(targets, "t.toml", sc, "", false);
  REQUIRE(base.targets.size() == 3);  // strong_only belongs to the variant
  const CalibrationSpec strong = parse_calibration_targets(targets, "t.toml", apply_variant(sc, "strong"), "strong", false);
  REQUIRE(strong.targets.size() == 4);
  CHECK(strong.targets[3].name == "strong_only");
  CHECK(base.targets[1].terms.at(0).last_year);
  CHECK(base.targets[2].terms.size() == 3);

  pipeline::CalibrationRunOptions o;
  o.replications = 3;
  o.seed = 7;
  o.threads = 2;
  const std::vector<pipeline::TargetStatistic> stats = pipeline::simulate_scenario_targets(sc, base, o);
  // The same numbers from the model's own results, by hand.
  double achieved = 0, set = 0, open_end = 0, discharges = 0;
  for (std::uint64_t r = 0; r < o.replications; ++r) {
    const engine::ReplicationContext ctx{r, o.seed};
    const models::pathway::PathwayResult res = models::pathway::simulate_pathway(sc.spec, ctx.streams());
    const models::pathway::ArmResult& a = res.arms[1];
    namespace pw = models::pathway;
    for (std::size_t y = 0; y < a.years; ++y) {
      for (std::size_t d = 0; d < pw::kSiofDomains; ++d) {
        const std::size_t at = (y * pw::kSiofDomains + d) * pw::kGoalStatuses;
        achieved += a.goals[at + static_cast<std::size_t>(pw::GoalStatus::kAchieved)];
        set += a.goals[at + static_cast<std::size_t>(pw::GoalStatus::kSet)];
      }
    }
    open_end += a.goals[((a.years - 1) * pw::kSiofDomains + 0) * pw::kGoalStatuses +
                        static_cast<std::size_t>(pw::GoalStatus::kProgressing)];
    for (const auto k : {pw::SystemKpi::kWemwbsImproved, pw::SystemKpi::kWemwbsDecreased, pw::SystemKpi::kWemwbsUnchanged}) {
      discharges += a.system[0 * pw::kSystemKpis + static_cast<std::size_t>(k)];
    }
  }
  REQUIRE(set > 0);
  CHECK(stats[0].mean == Approx(achieved / set).epsilon(1e-12));
  CHECK(stats[1].mean == Approx(open_end / 3.0).epsilon(1e-12));
  CHECK(stats[2].mean == Approx(discharges / 3.0).epsilon(1e-12));
  // One-sided targets: no residual on the right side, met by the bound alone.
  CHECK(base.targets[2].met(5e8));
  CHECK_FALSE(base.targets[2].met(2e9));
  CHECK(base.targets[2].residual(5e8) == 0.0);
  CHECK(base.targets[2].residual(1e9 + 2) == Approx(3.92));  // 1.96 x 2 / tolerance 1
  CHECK(base.targets[1].residual(0.0) == Approx(-1.96));
  CHECK(base.targets[1].criterion() == ">= 1");
  CHECK(base.targets[0].criterion() == "± 0.05");
}

TEST_CASE("predict_targets: the prediction interval adds the figure's precision, Monte Carlo error and parameter "
          "uncertainty", "[pipeline][calibration]") {
  const scenario::PathwayScenario sc = scenario::parse_pathway_scenario(small_minimal(), "small.toml");
  scenario::CalibrationSpec spec = scenario::parse_calibration_targets(kTargets, "targets.toml", sc);
  // Hand-made numbers: target 0 value 10, tolerance 1.96 (figure SD 1); simulated mean 12, SE 1.
  // Jacobian row (standardised units) 2; parameter variance 0.25: parameter SD of the mean
  // = 1 x 2 x 0.5 = 1. Prediction SD sqrt(1 + 1 + 1) = sqrt 3; z = (10 - 12) / sqrt 3.
  spec.targets[0].value = 10;
  spec.targets[0].tolerance = 1.96;
  spec.targets[1].value = 5;
  spec.targets[1].tolerance = 1.96;
  spec.targets[1].bound = scenario::TargetBound::kAtLeast;
  std::vector<pipeline::TargetStatistic> stats(2);
  stats[0].mean = 12;
  stats[0].se = 1;
  stats[1].mean = 6;  // above the lower bound 5: z is 0
  stats[1].se = 0;
  Eigen::MatrixXd jacobian(2, 1);
  jacobian << 2, 1;
  Eigen::MatrixXd covariance(1, 1);
  covariance << 0.25;
  const auto p = pipeline::predict_targets(spec, stats, jacobian, covariance);
  REQUIRE(p.size() == 2);
  CHECK(p[0].parameter_sd == Approx(1.0).epsilon(1e-12));
  CHECK(p[0].z == Approx(-2 / std::sqrt(3.0)).epsilon(1e-12));
  CHECK(p[0].low == Approx(12 - 1.96 * std::sqrt(3.0)).epsilon(1e-12));
  CHECK(p[0].high == Approx(12 + 1.96 * std::sqrt(3.0)).epsilon(1e-12));
  CHECK(p[0].met);
  CHECK(p[1].z == 0);
  CHECK(p[1].met);
  // Far outside: missed. Undetermined parameters: NaN parameter SD, the rest still counted.
  stats[0].mean = 20;
  Eigen::MatrixXd undetermined(1, 1);
  undetermined << std::numeric_limits<double>::quiet_NaN();
  const auto q = pipeline::predict_targets(spec, stats, jacobian, undetermined);
  CHECK(std::isnan(q[0].parameter_sd));
  CHECK(q[0].z == Approx(-10 / std::sqrt(2.0)).epsilon(1e-12));
  CHECK_FALSE(q[0].met);
  // No parameters: the figure and the Monte Carlo error only.
  const auto r = pipeline::predict_targets(spec, stats, Eigen::MatrixXd(2, 0), Eigen::MatrixXd());
  CHECK(r[0].parameter_sd == 0);
  CHECK(r[0].z == Approx(-10 / std::sqrt(2.0)).epsilon(1e-12));
}

TEST_CASE("calibrate: a held-out target never enters the fit, and leave-one-out is the fit without the target",
          "[pipeline][calibration]") {
  const scenario::PathwayScenario sc = scenario::parse_pathway_scenario(small_minimal(), "small.toml");
  scenario::CalibrationSpec spec = scenario::parse_calibration_targets(kTargets, "targets.toml", sc);
  pipeline::CalibrationRunOptions o;
  o.replications = 4;  // as the recovery test: enough people that the statistics move within a 1% step
  o.seed = 20260101;
  o.threads = 2;
  o.max_evaluations = 40;
  // Both targets at their values at diversion 0.3 (tolerance 5%): both inform the one parameter.
  const auto at_truth = pipeline::simulate_targets(sc, spec, {0.3}, o);
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    spec.targets[t].value = at_truth[t].mean;
    spec.targets[t].tolerance = 0.05 * at_truth[t].mean;
  }
  // A held-out target with an absurd value changes nothing in the fit.
  scenario::CalibrationSpec with_held_out = spec;
  scenario::CalibrationTarget absurd = spec.targets[0];
  absurd.name = "absurd";
  absurd.value = 1e9;
  absurd.role = scenario::TargetRole::kValidate;
  with_held_out.targets.push_back(absurd);
  const pipeline::CalibrationOutcome fit = pipeline::calibrate_pathway(sc, spec, o);
  const pipeline::CalibrationOutcome fit_h = pipeline::calibrate_pathway(sc, with_held_out, o);
  CHECK(fit_h.fitted == fit.fitted);
  CHECK(fit_h.objective == fit.objective);
  CHECK(fit_h.evaluations == fit.evaluations);
  REQUIRE(fit_h.predictions.size() == 3);
  CHECK_FALSE(fit_h.predictions[2].met);
  CHECK(std::isfinite(fit_h.se[0]));
  CHECK(fit_h.accounting.independent == 2);
  CHECK(fit_h.degrees_of_freedom == 1);

  // Leave-one-out: one refit per counted calibration target, each the fit of the spec with
  // that target held out, started from the full fit.
  const std::vector<pipeline::LeftOut> loo = pipeline::leave_one_out(sc, with_held_out, fit_h, o);
  REQUIRE(loo.size() == 2);
  for (const pipeline::LeftOut& l : loo) {
    scenario::CalibrationSpec without = with_held_out;
    without.targets[l.target].role = scenario::TargetRole::kValidate;
    without.parameters[0].start = fit_h.fitted[0];
    const pipeline::CalibrationOutcome refit = pipeline::calibrate_pathway(sc, without, o);
    CHECK(l.fitted == refit.fitted);
    CHECK(l.statistic.mean == refit.statistics[l.target].mean);
    // One target determines the one parameter, so the other is predicted: it was simulated at
    // the same truth.
    INFO("left out " << l.target << ": jacobian " << refit.jacobian.transpose() << ", covariance " << refit.covariance
                     << ", fitted " << refit.fitted[0]);
    CHECK(l.prediction.met);
    CHECK(std::isfinite(l.prediction.parameter_sd));
  }
}

TEST_CASE("simulate_targets: the share of single replications inside the tolerance", "[pipeline][calibration]") {
  const scenario::PathwayScenario sc = scenario::parse_pathway_scenario(small_minimal(), "small.toml");
  scenario::CalibrationSpec spec = scenario::parse_calibration_targets(kTargets, "targets.toml", sc);
  pipeline::CalibrationRunOptions o;
  o.replications = 8;
  o.seed = 3;
  o.threads = 2;
  const auto base = pipeline::simulate_targets(sc, spec, {0.3}, o);
  // Each replication's own value, by hand, against a tolerance around the mean.
  spec.targets[0].value = base[0].mean;
  spec.targets[0].tolerance = 1e-9 + 0.5 * std::fabs(base[0].mean);
  spec.targets[1].value = base[1].mean;
  spec.targets[1].tolerance = 1e9;
  const auto wide = pipeline::simulate_targets(sc, spec, {0.3}, o);
  CHECK(wide[1].coverage == 1.0);
  spec.targets[1].tolerance = 1e-12;
  spec.targets[1].value = -1;  // no replication's ratio is negative
  const auto none = pipeline::simulate_targets(sc, spec, {0.3}, o);
  CHECK(none[1].coverage == 0.0);
  // Coverage is a share of 8 replications.
  CHECK(wide[0].coverage * 8 == std::round(wide[0].coverage * 8));
  // Narrowing the tolerance never raises it.
  spec.targets[0].tolerance *= 0.2;
  const auto narrow = pipeline::simulate_targets(sc, spec, {0.3}, o);
  CHECK(narrow[0].coverage <= wide[0].coverage);
}
