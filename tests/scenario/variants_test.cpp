// SPDX-License-Identifier: MIT
// Scenario variants ([variants.<name>], models/scenario/variants.hpp) and the targets-file
// features the reproductions use: goal statistics, sums, `per`, one-sided bounds, targets
// of one variant, and multiplier parameters over several keys (calibration_targets.hpp).
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/calibrate.hpp"
#include "engine/runner.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/variants.hpp"
#include "scenario/psa_fixtures.hpp"

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

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> got;
  try {
    (void)parse_pathway_scenario(text, "v.toml");
  } catch (const ScenarioError& e) {
    for (const Diagnostic& d : e.diagnostics()) got.push_back(d.to_string());
  }
  return got;
}

}  // namespace

TEST_CASE("Variants: read in file order, applied in place, and the base stays as written", "[scenario][variants]") {
  const PathwayScenario sc = parse_pathway_scenario(with_variants(), "v.toml");
  REQUIRE(sc.variants.size() == 2);
  CHECK(sc.variants[0].name == "strong");
  CHECK(sc.variants[0].description == "A stronger front door");
  CHECK(sc.variants[0].keys == std::vector<std::string>{"arms.alliance.front_door_diversion", "arms.alliance.gatekeeping"});
  CHECK(sc.variants[0].values == std::vector<double>{0.6, 0.1});
  CHECK(sc.variants[1].keys.empty());
  CHECK(sc.spec.arms[1].front_door_diversion == 0.3);  // the file's base value

  const PathwayScenario strong = apply_variant(sc, "strong");
  CHECK(strong.variant == "strong");
  CHECK(strong.name == sc.name + " (variant strong)");
  CHECK(strong.spec.arms[1].front_door_diversion == 0.6);
  CHECK(strong.spec.arms[1].gatekeeping == 0.1);
  CHECK(strong.spec.arms[0].gatekeeping == sc.spec.arms[0].gatekeeping);
  // Its text is the file with the two values replaced (and marked): the run is reproducible
  // from the text a results file stores.
  CHECK(strong.text.find("front_door_diversion = 0.6                # assumption  # variant strong") != std::string::npos);
  const PathwayScenario again = parse_pathway_scenario(strong.text, "again.toml");
  CHECK(again.spec.arms[1].front_door_diversion == 0.6);

  // An empty variant is the file as written.
  const PathwayScenario same = apply_variant(sc, "as_written");
  CHECK(same.spec.arms[1].front_door_diversion == 0.3);

  CHECK_THROWS_WITH(apply_variant(sc, "weak"),
                    "v.toml has no variant \"weak\"; its variants are \"strong\", \"as_written\"");
}

TEST_CASE("Variants: every problem at once, at the key, including a variant the scenario is invalid under",
          "[scenario][variants]") {
  const std::string text = test::minimal_text() + R"(
[variants.bad]
description = 3
"arms.alliance.no_such" = 0.5
"run.seed" = 4
"arms.alliance.gatekeeping" = "high"
[variants.invalid]
"arms.alliance.front_door_diversion" = 1.5
)";
  const std::vector<std::string> got = errors_of(text);
  const std::vector<std::string> expected = {
      "v.toml:247:15: variants.bad.description: expected a string: what this variant is, got 3",
      "v.toml:248:1: variants.bad.arms.alliance.no_such: expected the dotted path of a number in the scenario, got \"arms.alliance.no_such\", which it does not have (no key \"no_such\" in arms.alliance (its keys: services, capacity, entry, gatekeeping, handoff_loss, front_door_diversion, diversion_to, redirect, step_down_speed, contracts))",
      "v.toml:249:1: variants.bad.run.seed: expected a key the simulation reads (not under run, model or scenario: run settings are not uncertain), got \"run.seed\"",
      "v.toml:250:1: variants.bad.arms.alliance.gatekeeping: expected a number: the value of arms.alliance.gatekeeping in this variant, got the string \"high\"",
      "v.toml:251:1: variants.invalid: expected numbers under which the scenario is valid, got with this variant, "
      "arms.alliance.front_door_diversion: expected a number in [0, 1], got 1.5",
  };
  CHECK(got == expected);
  // A variant is tried even when other parts of the file have problems: every error at once.
  const std::vector<std::string> invalid = errors_of(test::minimal_text() + R"(
[variants.invalid]
"arms.alliance.front_door_diversion" = 1.5
)");
  REQUIRE(invalid.size() == 1);
  INFO(invalid[0]);
  CHECK(invalid[0].rfind("v.toml:246:1: variants.invalid: expected numbers under which the scenario is valid, got "
                         "with this variant, arms.alliance.front_door_diversion: expected a number in [0, 1]",
                         0) == 0);
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

  cli::CalibrationRunOptions o;
  o.replications = 3;
  o.seed = 7;
  o.threads = 2;
  const std::vector<cli::TargetStatistic> stats = cli::simulate_scenario_targets(sc, base, o);
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

TEST_CASE("Targets: a multiplier parameter scales several keys, integer keys are rounded, and per/relative_to "
          "cannot be combined", "[scenario][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(test::minimal_text(), "m.toml");
  const CalibrationSpec spec = parse_calibration_targets(R"(
[parameters.goal_pace]
keys = ["services.recovery.goals.close_per_year", "services.recovery.goals.fail_per_year"]
low = 0.5
high = 2
[parameters.capacity]
key = "services.therapy.capacity"
low = 5
high = 500
[targets.a]
statistic = "kpi.goals_closed"
arm = "alliance"
year = 1
value = 1
tolerance = 1
source = "assumption"
[targets.b]
statistic = "kpi.arrivals"
arm = "block"
year = 1
value = 1
tolerance = 1
source = "assumption"
)",
                                                         "t.toml", sc);
  REQUIRE(spec.parameters.size() == 2);
  CHECK(spec.parameters[0].multiplier);
  CHECK(spec.parameters[0].start == 1.0);
  CHECK(spec.parameters[0].key_values == std::vector<double>{0.5, 0.3});
  CHECK(spec.parameters[1].integer == std::vector<bool>{true});
  const std::vector<double> values = spec.key_values({2.0, 47.6});
  REQUIRE(values.size() == 3);
  CHECK(values[0] == 1.0);
  CHECK(values[1] == Approx(0.6).epsilon(1e-15));
  CHECK(values[2] == 48.0);
  const PathwayScenario fitted = with_numbers(sc, spec.keys(), values);
  CHECK(fitted.spec.services[6].goals.close_per_year[0] == 1.0);
  // The calibrated text keeps an integer an integer.
  const std::string text = calibrated_text(sc, spec.keys(), values, {"c", "c", "c"});
  CHECK(text.find("capacity = 48") != std::string::npos);
  CHECK(parse_pathway_scenario(text, "c.toml").spec.services[1].capacity == 48);

  std::vector<std::string> got;
  try {
    (void)parse_calibration_targets(R"(
[targets.x]
statistic = "goals.nowhere.achieved"
per = "goals.all.sometimes"
relative_to = "block"
arm = "alliance"
year = 1
value = 1
tolerance = 1
bound = "near"
variant = "strong"
source = "assumption"
)",
                                    "t.toml", sc, "", false);
  } catch (const ScenarioError& e) {
    for (const Diagnostic& d : e.diagnostics()) got.push_back(d.to_string());
  }
  const std::vector<std::string> expected = {
      "t.toml:3:13: targets.x.statistic: expected goals.<domain>.<status> with a SIOF domain (\"mental_wellbeing\", \"community_participation\", \"social_networks\", \"physical_health\", \"education_training\", \"volunteering\", \"employment\", \"finance\") or \"all\", got \"goals.nowhere.achieved\"",
      "t.toml:4:7: targets.x.per: expected goals.<domain>.<status> with a goal status (\"set\", \"achieved\", \"sustained\", \"closed\", \"not_achieved\", \"progressing\"), got \"goals.all.sometimes\"",
      "t.toml:4:7: targets.x.per: expected either per (a ratio within the arm) or relative_to (a ratio between arms), not both, got both",
      "t.toml:10:9: targets.x.bound: expected \"at_least\" or \"at_most\" (a one-sided target), got the string \"near\"",
      "t.toml:11:11: targets.x.variant: expected a variant of the scenario (it declares none), got \"strong\"",
  };
  CHECK(got == expected);
}
