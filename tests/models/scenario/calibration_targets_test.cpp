// SPDX-License-Identifier: MIT
// The targets file of `mhsim calibrate` and how fitted values go back into a scenario
// (models/scenario/calibration_targets.hpp).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/psa_fixtures.hpp"

using namespace mhsim::scenario;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t nl = text.find('\n', at);
    out.push_back(text.substr(at, nl == std::string::npos ? std::string::npos : nl - at));
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("Calibration targets: every problem of a bad file at once, with file:line:col", "[scenario][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(mhsim::test::minimal_text(), "pathway_minimal.toml");
  const std::string bad = R"(unknown_root = 1

[parameters.a]
key = "arms.alliance.no_such_key"
low = 0.1
high = 0.8

[parameters.b]
key = "arms.alliance.front_door_diversion"
low = 0.8
high = 0.1

[parameters.c]
key = "arms.alliance.handoff_loss"
low = 0.1
high = 0.5
start = 0.9
colour = "red"

[parameters.d]
key = "run.seed"
low = 1
high = 2

[parameters.e]
keys = "services.therapy.capacity"
low = 10
high = 100

[parameters.f]
key = "arms.alliance.gatekeeping"
low = 0.5
high = 1.5

[parameters.g]
key = "arms.block.handoff_loss"
low = 0.01
high = 1.5

[targets.t1]
statistic = "kpi.no_such"
arm = "nowhere"
year = 3
value = 1
tolerance = 0
source = ""

[targets.t2]
statistic = "service.cmht.mean_wait"
arm = "block"
relative_to = "block"
year = "some"
value = "high"
)";
  std::vector<std::string> got;
  try {
    (void)parse_calibration_targets(bad, "targets.toml", sc);
  } catch (const ScenarioError& e) {
    for (const Diagnostic& d : e.diagnostics()) got.push_back(d.to_string());
  }
  const std::vector<std::string> expected = {
      "targets.toml:1:1: unknown_root: expected one of parameters, targets, derived, got an unknown key \"unknown_root\"",
      "targets.toml:4:7: parameters.a.key: expected the dotted path of a number in the scenario, got \"arms.alliance.no_such_key\", which it does not have (no key \"no_such_key\" in arms.alliance (its keys: services, capacity, entry, gatekeeping, handoff_loss, front_door_diversion, diversion_to, redirect, step_down_speed, capacity_changes, one_off_costs, history_routes, contracts))",
      "targets.toml:11:8: parameters.b.high: expected an upper bound greater than low = 0.8, got 0.1",
      "targets.toml:17:9: parameters.c.start: expected a start value strictly between low = 0.1 and high = 0.5, got 0.9",
      "targets.toml:18:1: parameters.c.colour: expected one of key, keys, low, high, start, got an unknown key \"colour\"",
      "targets.toml:21:7: parameters.d.key: expected a key the simulation reads (not under run, model or scenario: run settings are not uncertain), got \"run.seed\"",
      "targets.toml:26:8: parameters.e.keys: expected a non-empty array of dotted key paths: the numbers the fitted multiplier scales, got the string \"services.therapy.capacity\"",
      "targets.toml:31:7: parameters.f.key: expected a start value strictly between low = 0.5 and high = 1.5 (there is no start, so the scenario's value is the start), got 0.2 at pathway_minimal.toml:154:15",
      "targets.toml:38:8: parameters.g.high: expected a bound at which the scenario is valid, got arms.block.handoff_loss = 1.5, which the loader refuses: arms.block.handoff_loss: expected a number in [0, 1], got 1.5",
      "targets.toml:40:1: targets: expected at least as many targets as parameters (7), so that the fit is determined (targets with role = \"validate\" are not fitted), got 2",
      "targets.toml:41:13: targets.t1.statistic: expected a statistic: kpi.<system KPI> (one of \"arrivals\", \"referrals_secondary\", \"admissions\", \"bed_days\", \"out_of_area_days\", \"readmissions\", \"front_door_supported\", \"diverted\", \"gatekept_refusals\", \"handoff_losses\", \"crises\", \"crises_outside_services\", \"relapses\", \"presentations\", \"represented\", \"deteriorated\", \"discharged\", \"died\", \"moved_away\", \"remitted\", \"left_unserved\", \"untreated_person_years\", \"untreated_at_year_end\", \"wemwbs_improved\", \"wemwbs_decreased\", \"wemwbs_unchanged\", \"wemwbs_mean_change\", \"share_improved\", \"goals_set\", \"goals_achieved\", \"goals_sustained\", \"goals_closed\", \"goals_not_achieved\", \"goals_progressing\", \"qalys\", \"in_system_at_year_end\", \"cost\", \"presentation_cost\"), cost, qalys, service.<service>.<KPI> (one of \"referrals\", \"episodes\", \"completed\", \"mean_wait\", \"p90_wait\", \"caseload_at_year_end\", \"waiting_at_year_end\", \"mean_occupancy\"), partner_cost.<partner>, service_cost.<service> or goals.<SIOF domain or all>.<status>, or a sum of them joined by \" + \", got \"kpi.no_such\"",
      "targets.toml:42:7: targets.t1.arm: expected the name of an arm (one of \"block\", \"alliance\"), got an unknown arm \"nowhere\"",
      "targets.toml:43:8: targets.t1.year: expected a year of the run, 1 to 2, or \"all\", got 3",
      "targets.toml:45:13: targets.t1.tolerance: expected a number > 0: the stated tolerance, got 0",
      "targets.toml:46:10: targets.t1.source: expected where the target comes from (a source tag and what it says), got an empty string",
      "targets.toml:48:1: targets.t2.tolerance: expected a number > 0: the stated tolerance (required), got nothing (the key is missing)",
      "targets.toml:48:1: targets.t2.source: expected where the target comes from (a source tag and what it says) (required), got nothing (the key is missing)",
      "targets.toml:51:15: targets.t2.relative_to: expected an arm other than the target's own (\"block\"), got \"block\"",
      "targets.toml:52:8: targets.t2.year: expected a year of the run, 1 to 2, or \"all\", got the string \"some\"",
      "targets.toml:53:9: targets.t2.value: expected a number: the target value, got the string \"high\"",
  };
  CHECK(got == expected);
}

TEST_CASE("Calibration targets: an empty file asks for parameters and targets", "[scenario][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(mhsim::test::minimal_text(), "pathway_minimal.toml");
  std::vector<std::string> got;
  try {
    (void)parse_calibration_targets("# nothing\n", "targets.toml", sc);
  } catch (const ScenarioError& e) {
    for (const Diagnostic& d : e.diagnostics()) got.push_back(d.to_string());
  }
  const std::vector<std::string> expected = {
      "targets.toml:1:1: parameters: expected at least one [parameters.<name>] table (a number to fit), got none",
      "targets.toml:1:1: targets: expected at least one [targets.<name>] table, got none",
  };
  CHECK(got == expected);
}

TEST_CASE("Calibration targets: a good file is read in file order with its statistics resolved",
          "[scenario][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(mhsim::test::minimal_text(), "pathway_minimal.toml");
  const CalibrationSpec spec = parse_calibration_targets(R"(
[parameters.diversion]
key = "arms.alliance.front_door_diversion"
low = 0.1
high = 0.8
[targets.referrals]
statistic = "kpi.referrals_secondary"
arm = "alliance"
year = 1
relative_to = "block"
value = 0.57
tolerance = 0.05
source = "[SEED 000] referrals fell 43% in year one"
[targets.wait]
statistic = "service.cmht.mean_wait"
arm = "block"
year = "all"
value = 30
tolerance = 5
source = "assumption"
[targets.cost]
statistic = "partner_cost.charity"
arm = "alliance"
year = 2
value = 1e5
tolerance = 1e4
source = "assumption"
)",
                                                         "targets.toml", sc);
  REQUIRE(spec.parameters.size() == 1);
  CHECK(spec.parameters[0].start == 0.3);  // the scenario's value
  CHECK(spec.parameters[0].line == 156);
  CHECK(spec.parameters[0].column == 24);
  REQUIRE(spec.targets.size() == 3);
  CHECK(spec.targets[0].name == "referrals");
  CHECK(spec.targets[0].relative);
  CHECK(spec.targets[0].arm == 1);
  CHECK(spec.targets[0].relative_to == 0);
  CHECK(spec.targets[1].terms.at(0).kind == StatisticKind::kServiceKpi);
  CHECK(spec.targets[1].terms.at(0).averaged);
  CHECK(spec.targets[1].year == 0);
  CHECK(spec.targets[2].terms.at(0).kind == StatisticKind::kPartnerCost);
  CHECK(spec.targets[2].terms.at(0).index == 1);
}

TEST_CASE("Calibration: the calibrated text replaces values in place, keeps every comment and loads",
          "[scenario][calibration]") {
  const std::string original = mhsim::test::minimal_text();
  const PathwayScenario sc = parse_pathway_scenario(original, "pathway_minimal.toml");
  // A plain key with a comment after it, and a number inside an inline table.
  const std::vector<std::string> keys = {"arms.alliance.front_door_diversion", "services.therapy.wemwbs_change.mean"};
  const std::vector<double> values = {0.123456789012345678, 2.5};
  const std::string text = calibrated_text(sc, keys, values, {"calibrated: a", "calibrated: b"});
  const std::vector<std::string> before = lines_of(original), after = lines_of(text);
  REQUIRE(before.size() == after.size());
  int changed = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i] == after[i]) continue;
    ++changed;
    if (before[i].rfind("front_door_diversion", 0) == 0) {
      CHECK(after[i] == "front_door_diversion = 0.12345678901234568                # assumption  # calibrated: a");
    } else {
      CHECK(after[i] == "wemwbs_change = { mean = 2.5, sd = 4 }                              # assumption  "
                        "# calibrated: b");
    }
  }
  CHECK(changed == 2);
  const PathwayScenario loaded = parse_pathway_scenario(text, "calibrated.toml");
  CHECK(loaded.spec.arms[1].front_door_diversion == values[0]);  // bit for bit
  const PathwayScenario in_memory = with_numbers(sc, keys, values);
  CHECK(in_memory.spec.arms[1].front_door_diversion == values[0]);
  CHECK(in_memory.spec.services[1].wemwbs_change.mean == loaded.spec.services[1].wemwbs_change.mean);
}

TEST_CASE("Calibration: a recalibration replaces the earlier calibration comment and keeps the source comment",
          "[scenario][calibration]") {
  const std::string original = mhsim::test::minimal_text();
  const std::vector<std::string> keys = {"arms.alliance.front_door_diversion"};
  const PathwayScenario sc = parse_pathway_scenario(original, "pathway_minimal.toml");
  const std::string once = calibrated_text(sc, keys, {0.25}, {"was 0.3"}, {}, "calibrated: first fit: ");
  const PathwayScenario sc1 = parse_pathway_scenario(once, "once.toml");
  const std::string twice = calibrated_text(sc1, keys, {0.5}, {"was 0.25"}, {}, "calibrated: second fit: ");
  std::string line;
  for (const std::string& l : lines_of(twice)) {
    if (l.rfind("front_door_diversion", 0) == 0) line = l;
  }
  CHECK(line == "front_door_diversion = 0.5                # assumption  # calibrated: second fit: was 0.25");
  CHECK(parse_pathway_scenario(twice, "twice.toml").spec.arms[1].front_door_diversion == 0.5);
}

TEST_CASE("Calibration: round_trip_text is the shortest text that reads back exactly", "[scenario][calibration]") {
  CHECK(round_trip_text(0.3) == "0.3");
  CHECK(round_trip_text(2.0) == "2.0");
  CHECK(round_trip_text(1e-5) == "1e-05");
  CHECK(std::stod(round_trip_text(0.1 + 0.2)) == 0.1 + 0.2);
}

namespace {

/// A target of pathway_minimal's alliance arm, with the extra keys given.
std::string target(const std::string& name, const std::string& extra, const std::string& statistic = "kpi.diverted") {
  return "[targets." + name + "]\nstatistic = \"" + statistic + "\"\narm = \"alliance\"\nyear = 1\nvalue = 1\n" +
         "tolerance = 1\nsource = \"assumption\"\n" + extra + "\n";
}

}  // namespace

TEST_CASE("Calibration targets: the honest count of independent figures, fitted and derived numbers",
          "[scenario][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(mhsim::test::minimal_text(), "pathway_minimal.toml");
  // Calibration: a closed group of three shares (counts 2), a group with a held-out member
  // (not closed: its calibration members count fully), a group closed by a member fixed by
  // construction, a one-sided bound, a target by construction, and four derived numbers.
  // Held out: the open group's held-out member is constrained by its fitted members (counts 0);
  // two more that are a whole group of their own (they sum to 1: count 1).
  const std::string text = R"(
[parameters.diversion]
key = "arms.alliance.front_door_diversion"
low = 0.1
high = 0.8
[derived.by_hand]
count = 4
source = "solved from the shares by hand"
)" + target("a1", "shares = \"a\"") + target("a2", "shares = \"a\"") + target("a3", "shares = \"a\"") +
                           target("b1", "shares = \"b\"") + target("b2", "shares = \"b\"") +
                           target("b3", "shares = \"b\"\nrole = \"validate\"") +
                           target("c1", "shares = \"c\"") + target("c2", "shares = \"c\"") +
                           target("c3", "shares = \"c\"\nby_construction = \"fixed at 0 by a zero rate\"") +
                           target("bound", "bound = \"at_least\"") + target("input", "by_construction = \"an input\"") +
                           target("v1", "role = \"validate\"\nshares = \"v\"") +
                           target("v2", "role = \"validate\"\nshares = \"v\"") + target("plain", "");
  const CalibrationSpec spec = parse_calibration_targets(text, "t.toml", sc);
  REQUIRE(spec.targets.size() == 14);
  CHECK(spec.count(TargetRole::kCalibrate) == 11);
  CHECK(spec.count(TargetRole::kValidate) == 3);
  CHECK(spec.targets[5].role == TargetRole::kValidate);
  CHECK(spec.targets[8].by_construction == "fixed at 0 by a zero rate");
  REQUIRE(spec.derived.size() == 1);
  CHECK(spec.derived[0].count == 4);

  const TargetAccounting c = spec.accounting(TargetRole::kCalibrate, 1);
  CHECK(c.figures == 11);
  CHECK(c.by_construction == 2);   // c3, input
  CHECK(c.one_sided == 1);         // bound
  CHECK(c.share_constraints == 2); // a (all counted), c (c3 fixed); not b (b3 held out)
  // a1..a3, b1, b2, c1, c2, plain = 8 counted, less 2 constraints.
  CHECK(c.independent == 6);
  CHECK(c.fitted == 1);
  CHECK(c.derived == 4);
  CHECK(c.degrees_of_freedom() == 1);

  const TargetAccounting v = spec.accounting(TargetRole::kValidate, 0);
  CHECK(v.figures == 3);
  CHECK(v.share_constraints == 2);  // b: b1, b2 fitted fix b3; v: v1 + v2 = 1
  CHECK(v.independent == 1);
  CHECK(v.derived == 0);
  CHECK(v.degrees_of_freedom() == 1);
}

TEST_CASE("Calibration targets: held-out targets do not count towards determining the fit", "[scenario][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(mhsim::test::minimal_text(), "pathway_minimal.toml");
  const std::string params = R"(
[parameters.diversion]
key = "arms.alliance.front_door_diversion"
low = 0.1
high = 0.8
[parameters.gatekeeping]
key = "arms.alliance.gatekeeping"
low = 0.0
high = 0.5
)";
  const std::string text = params + target("fitted", "") + target("held_out", "role = \"validate\"");
  try {
    (void)parse_calibration_targets(text, "t.toml", sc);
    FAIL("two parameters and one calibration target were accepted");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].expected.find("at least as many targets as parameters (2)") == 0);
    CHECK(e.diagnostics()[0].got == "1");
  }
  // mhsim reproduce (no parameters needed) reads the same file.
  CHECK(parse_calibration_targets(text, "t.toml", sc, "", false).targets.size() == 2);
}

TEST_CASE("Calibration targets: bad role, shares, by_construction and derived tables, all at once",
          "[scenario][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(mhsim::test::minimal_text(), "pathway_minimal.toml");
  const std::string text = R"([parameters.diversion]
key = "arms.alliance.front_door_diversion"
low = 0.1
high = 0.8
[derived.bad]
count = 1.5
source = " "
[derived.none]
source = "x"
[targets.t]
statistic = "kpi.diverted"
arm = "alliance"
year = 1
value = 1
tolerance = 1
source = "assumption"
role = "predict"
shares = ""
by_construction = 3
)";
  try {
    (void)parse_calibration_targets(text, "t.toml", sc);
    FAIL("accepted");
  } catch (const ScenarioError& e) {
    std::vector<std::string> got;
    for (const Diagnostic& d : e.diagnostics()) got.push_back(d.to_string());
    const std::vector<std::string> expected = {
        "t.toml:6:9: derived.bad.count: expected a whole number >= 1: how many numbers were derived, got 1.5",
        "t.toml:7:10: derived.bad.source: expected how they were derived, and from which targets, got an empty string",
        "t.toml:8:1: derived.none.count: expected a whole number >= 1: how many numbers were derived (required), got "
        "nothing (the key is missing)",
        "t.toml:17:8: targets.t.role: expected \"calibrate\" (fitted by mhsim calibrate) or \"validate\" (held out and "
        "predicted), got the string \"predict\"",
        "t.toml:18:10: targets.t.shares: expected the name of a group of shares of one whole (its members sum to 1), got "
        "an empty string",
        "t.toml:19:19: targets.t.by_construction: expected why the target equals an input or is fixed by construction, "
        "got 3",
    };
    CHECK(got == expected);
  }
}

TEST_CASE("Calibration targets: several multipliers of one key multiply, a key fitted as a value is its parameter's alone",
          "[scenario][calibration]") {
  const PathwayScenario sc = parse_pathway_scenario(mhsim::test::minimal_text(), "pathway_minimal.toml");
  const std::string text = R"(
[parameters.pace]
keys = ["services.recovery.goals.achieve_per_year.mental_wellbeing"]
low = 0.1
high = 10
[parameters.split]
keys = ["services.recovery.goals.achieve_per_year.mental_wellbeing", "services.recovery.goals.achieve_per_year.finance"]
low = 0.1
high = 10
)" + target("a", "") + target("b", "");
  const CalibrationSpec spec = parse_calibration_targets(text, "t.toml", sc);
  const std::vector<std::string> keys = spec.keys();
  REQUIRE(keys.size() == 2);  // the shared key once, where it first appears
  CHECK(keys[0] == "services.recovery.goals.achieve_per_year.mental_wellbeing");
  CHECK(keys[1] == "services.recovery.goals.achieve_per_year.finance");
  // The scenario: achieve 2 (mental wellbeing) and 1.5 (finance). pace 3, split 0.5:
  // mental wellbeing 2 x 3 x 0.5 = 3; finance 1.5 x 0.5 = 0.75.
  const std::vector<double> values = spec.key_values({3.0, 0.5});
  REQUIRE(values.size() == 2);
  CHECK(values[0] == 3.0);
  CHECK(values[1] == 0.75);

  const std::string value_and_multiplier = R"(
[parameters.rate]
key = "services.recovery.goals.achieve_per_year.finance"
low = 0.1
high = 5
[parameters.split]
keys = ["services.recovery.goals.achieve_per_year.mental_wellbeing", "services.recovery.goals.achieve_per_year.finance"]
low = 0.1
high = 10
)" + target("a", "") + target("b", "");
  try {
    (void)parse_calibration_targets(value_and_multiplier, "t.toml", sc);
    FAIL("a key fitted as a value and scaled by a multiplier was accepted");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].key == "parameters.split.keys");
    CHECK(e.diagnostics()[0].expected == "a key no parameter fits as a value (several multipliers may share a key)");
  }
}
