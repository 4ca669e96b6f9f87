// SPDX-License-Identifier: MIT
// Scenario variants ([variants.<name>], models/scenario/variants.hpp) and the targets-file
// features the reproductions use: goal statistics, sums, `per`, one-sided bounds, targets
// of one variant, and multiplier parameters over several keys (calibration_targets.hpp).
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/pathway/pathway.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/variants.hpp"
#include "models/scenario/psa_fixtures.hpp"

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
      "v.toml:248:1: variants.bad.arms.alliance.no_such: expected the dotted path of a number in the scenario, got \"arms.alliance.no_such\", which it does not have (no key \"no_such\" in arms.alliance (its keys: services, capacity, entry, gatekeeping, handoff_loss, front_door_diversion, diversion_to, redirect, step_down_speed, capacity_changes, one_off_costs, history_routes, contracts))",
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
