// SPDX-License-Identifier: MIT
// Values set after loading (variants, uncertainty draws, calibration trials, --set) go
// straight into the typed scenario and are checked by the loader's own rules: the result
// must be the scenario the file would give with those values written in it, bit for bit.
// Also arms that extend other arms, and uncertain parameters with several keys.
#include <cstring>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/random.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/variants.hpp"
#include "scenario/psa_fixtures.hpp"

namespace sc = mhsim::scenario;
namespace pw = mhsim::models::pathway;

namespace {

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

/// Whether two scenarios simulate the same replications, bit for bit, in every arm.
bool simulate_alike(const sc::PathwayScenario& a, const sc::PathwayScenario& b, int replications = 2) {
  for (int r = 0; r < replications; ++r) {
    const mhsim::engine::RandomStreams streams(a.run.seed, static_cast<std::uint64_t>(r));
    const pw::PathwayResult x = pw::simulate_pathway(a.spec, streams), y = pw::simulate_pathway(b.spec, streams);
    if (x.arms.size() != y.arms.size()) return false;
    for (std::size_t k = 0; k < x.arms.size(); ++k) {
      const pw::ArmResult &p = x.arms[k], &q = y.arms[k];
      if (!same_bytes(p.activity, q.activity) || !same_bytes(p.cost, q.cost) || !same_bytes(p.system, q.system) ||
          !same_bytes(p.service, q.service) || !same_bytes(p.goals, q.goals) || p.events != q.events) {
        return false;
      }
    }
  }
  return true;
}

sc::PathwayScenario parse(const std::string& text) { return sc::parse_pathway_scenario(text, "o.toml"); }

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> out;
  try {
    (void)parse(text);
  } catch (const sc::ScenarioError& e) {
    for (const auto& d : e.diagnostics()) out.push_back(d.to_string());
  }
  return out;
}

}  // namespace

TEST_CASE("Overrides: values set on the typed scenario give what the file gives with them written in",
          "[scenario][overrides]") {
  const sc::PathwayScenario base = parse(mhsim::test::minimal_with_uncertainty());
  // Numbers of every shape: a plain number, an integer, an element of a starting caseload, a
  // number in an inline table, a distribution's parameter, a route, an arm's capacity override.
  const std::vector<std::string> keys = {"arms.alliance.front_door_diversion", "services.cmht.capacity",
                                         "initial[0].in_service",             "services.therapy.wemwbs_change.mean",
                                         "services.cmht.duration.mean",       "services.gp.routes.therapy",
                                         "services.gp.routes.discharge",       "arms.alliance.capacity.cmht"};
  const std::vector<double> values = {0.45, 40, 12, 3.5, 250, 0.25, 0.55, 25};
  for (std::size_t i = 0; i < keys.size(); ++i) REQUIRE(sc::settable_number(base, keys[i]).value.has_value());
  const sc::PathwayScenario typed = sc::with_numbers(base, keys, values);
  const std::vector<std::string> comments(keys.size(), "test");
  const sc::PathwayScenario written = parse(sc::calibrated_text(base, keys, values, comments));
  CHECK(typed.spec.arms[1].front_door_diversion == 0.45);
  CHECK(typed.spec.arms[0].capacity[2] == 40);  // the block arm takes the service's capacity
  CHECK(typed.spec.arms[1].capacity[2] == 25);  // the alliance its own
  CHECK(simulate_alike(typed, written));
  // ... and the unchanged scenario simulates differently (the test could fail).
  CHECK_FALSE(simulate_alike(base, written));
}

TEST_CASE("Overrides: a replication's uncertainty draws are the file's numbers replaced by them", "[scenario][overrides]") {
  const sc::PathwayScenario base = parse(mhsim::test::minimal_with_uncertainty());
  REQUIRE(base.uncertainty.parameters.size() == 5);
  for (std::uint64_t r = 0; r < 3; ++r) {
    const std::vector<double> drawn = sc::draw_parameters(base.uncertainty, base.run.seed, r);
    const sc::PathwayScenario typed = sc::with_parameters(base, drawn);
    std::vector<std::string> keys, comments;
    for (const auto& p : base.uncertainty.parameters) keys.push_back(p.key);
    comments.assign(keys.size(), "draw");
    const sc::PathwayScenario written = parse(sc::calibrated_text(base, keys, drawn, comments));
    INFO("replication " << r);
    CHECK(simulate_alike(typed, written, 1));
  }
}

TEST_CASE("Overrides: a value a key may not take is refused, located, and the scenario is not changed",
          "[scenario][overrides]") {
  const sc::PathwayScenario base = parse(mhsim::test::minimal_text());
  sc::PathwayScenario copy = base;
  const auto ds = sc::set_numbers(copy, {"arms.alliance.gatekeeping", "services.gp.routes.therapy"}, {1.5, 0.9});
  REQUIRE(ds.size() == 1);  // the first refuses its value; the routes' sum is not checked until both are valid
  CHECK(ds[0].to_string().find("arms.alliance.gatekeeping: expected a number in [0, 1], got 1.5") != std::string::npos);
  // A value each key accepts but that breaks a rule across keys: the routes' sum.
  sc::PathwayScenario other = base;
  const auto sum = sc::set_numbers(other, {"services.gp.routes.therapy"}, {0.9});
  REQUIRE(sum.size() == 1);
  CHECK(sum[0].key == "services.gp.routes");
  CHECK(sum[0].expected == "probabilities that sum to 1");
  // Contract terms are policy, not numbers the simulation draws or fits.
  sc::PathwayScenario policy = base;
  const auto refused = sc::set_numbers(policy, {"arms.block.contracts[0].annual"}, {1e6});
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].expected.find("not a contract term") != std::string::npos);
  CHECK(sc::set_contract_term(policy, "arms.block.contracts.trust_block.annual", 1e6) == std::nullopt);
}

TEST_CASE("Overrides: --set takes any key, including names, choices and run settings", "[scenario][overrides]") {
  const sc::PathwayScenario base = parse(mhsim::test::minimal_text());
  const sc::PathwayScenario set = sc::apply_settings(
      base, {"run.years=3", "services.cmht.discipline=priority", "arms.alliance.diversion_to=discharge",
             "services.therapy.gatekept=true", "arms.block.gatekeeping=0.25"});
  CHECK(set.spec.years == 3);
  CHECK(set.spec.services[2].discipline == mhsim::engine::Discipline::kPriority);
  CHECK(set.spec.arms[1].diversion_to == pw::kDischarge);
  CHECK(set.spec.services[1].gatekept);
  CHECK(set.spec.arms[0].gatekeeping == 0.25);
  CHECK(set.settings.size() == 5);
  std::vector<std::string> messages;
  try {
    (void)sc::apply_settings(base, {"services.cmht.discipline=lifo", "arms.alliance.diversion_to=nowhere", "nokey"});
  } catch (const sc::ScenarioError& e) {
    for (const auto& d : e.diagnostics()) messages.push_back(d.to_string());
  }
  REQUIRE(messages.size() == 1);  // a malformed setting is reported before any value is set
  CHECK(messages[0] == "command line: --set: expected key=value, got \"nokey\"");
  try {
    (void)sc::apply_settings(base, {"services.cmht.discipline=lifo", "arms.alliance.diversion_to=nowhere"});
    FAIL("bad values were accepted");
  } catch (const sc::ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 2);
    CHECK(e.diagnostics()[0].expected.rfind("one of \"fifo\", \"priority\"", 0) == 0);
    CHECK(e.diagnostics()[1].expected.find("one of \"discharge\", \"gp\"") != std::string::npos);
  }
}

TEST_CASE("Extends: an arm starts as a copy of another and overrides only what it writes", "[scenario][extends]") {
  const std::string text = mhsim::test::minimal_text() + R"(
[arms.alliance_tight]
extends = "alliance"
gatekeeping = 0.5            # assumption
capacity = { acute = 8 }     # assumption
[arms.alliance_tight.entry]
severe = { gp = 0.5, cmht = 0.5 }   # assumption
)";
  const sc::PathwayScenario s = parse(text);
  REQUIRE(s.spec.arms.size() == 3);
  const pw::ArmSpec &alliance = s.spec.arms[1], &tight = s.spec.arms[2];
  CHECK(tight.name == "alliance_tight");
  CHECK(tight.gatekeeping == 0.5);                                 // written
  CHECK(tight.handoff_loss == alliance.handoff_loss);              // inherited
  CHECK(tight.front_door_diversion == alliance.front_door_diversion);
  CHECK(tight.redirect == alliance.redirect);
  CHECK(tight.enabled == alliance.enabled);
  // Tables merge key by key: cmht's capacity is inherited, acute's written.
  CHECK(tight.capacity[2] == 30);
  CHECK(tight.capacity[4] == 8);
  CHECK(tight.entry[0].size() == alliance.entry[0].size());        // common: inherited
  REQUIRE(tight.entry[1].size() == 2);                              // severe: written
  CHECK(tight.entry[1][1].target == 2);
  // Arrays are copied whole: its contracts are the alliance arm's.
  REQUIRE(s.contracts[2].terms.contracts.size() == s.contracts[1].terms.contracts.size());
  CHECK(s.contracts[2].terms.contracts[0].name == s.contracts[1].terms.contracts[0].name);
  // The same arm written out in full simulates identically.
  const std::string full = mhsim::test::minimal_text() + R"(
[arms.alliance_tight]
capacity = { cmht = 30, acute = 8 }
gatekeeping = 0.5
handoff_loss = 0.01
front_door_diversion = 0.3
diversion_to = "recovery"
redirect = { cmht = "front_door" }
step_down_speed = 1.5
[arms.alliance_tight.entry]
common = { recovery = 0.4, gp = 0.6 }
severe = { gp = 0.5, cmht = 0.5 }
)";
  const sc::PathwayScenario written = parse(full);
  const mhsim::engine::RandomStreams streams(s.run.seed, 0);
  const pw::ArmResult a = pw::simulate_arm(s.spec, 2, streams), b = pw::simulate_arm(written.spec, 2, streams);
  CHECK(same_bytes(a.system, b.system));
  CHECK(same_bytes(a.cost, b.cost));
}

TEST_CASE("Extends: unknown, self and circular bases are refused, located", "[scenario][extends]") {
  const std::vector<std::string> unknown = errors_of(mhsim::test::minimal_text() + R"(
[arms.x]
extends = "nowhere"
)");
  REQUIRE_FALSE(unknown.empty());
  CHECK(unknown.back().find("arms.x.extends: expected the name of another arm (one of \"block\", \"alliance\"), got the "
                        "string \"nowhere\"") != std::string::npos);
  const std::vector<std::string> self = errors_of(mhsim::test::minimal_text() + "[arms.x]\nextends = \"x\"\n");
  REQUIRE_FALSE(self.empty());
  CHECK(self.back().find("arms.x.extends: expected the name of another arm") != std::string::npos);
  CHECK(self.back().find("got the arm itself") != std::string::npos);
  const std::vector<std::string> cycle = errors_of(mhsim::test::minimal_text() + R"(
[arms.x]
extends = "y"
[arms.y]
extends = "x"
)");
  bool found = false;
  for (const std::string& m : cycle) found = found || m.find("a cycle through") != std::string::npos;
  CHECK(found);
}

TEST_CASE("Uncertainty: one parameter can drive several keys; a copied arm that loses one is warned of",
          "[scenario][uncertainty][extends]") {
  const std::string head = mhsim::test::minimal_text() + R"(
[arms.copy]
extends = "alliance"
)";
  const sc::PathwayScenario both = parse(head + R"(
[uncertainty.diversion]
keys = ["arms.alliance.front_door_diversion", "arms.copy.front_door_diversion"]
distribution = "uniform"
low = 0.1
high = 0.5
source = "assumption: a test"
)");
  REQUIRE(both.uncertainty.parameters.size() == 1);
  const auto& p = both.uncertainty.parameters[0];
  CHECK(p.keys.size() == 2);
  CHECK(p.key == "arms.alliance.front_door_diversion, arms.copy.front_door_diversion");
  CHECK(p.base == 0.3);
  CHECK(both.warnings.empty());
  const std::vector<double> drawn = sc::draw_parameters(both.uncertainty, both.run.seed, 4);
  const sc::PathwayScenario at = sc::with_parameters(both, drawn);
  CHECK(at.spec.arms[1].front_door_diversion == drawn[0]);
  CHECK(at.spec.arms[2].front_door_diversion == drawn[0]);
  // The copy written as a key of its own? No: only its source is varied, so it is warned of.
  const sc::PathwayScenario lost = parse(head + R"(
[uncertainty.diversion]
key = "arms.alliance.front_door_diversion"
distribution = "uniform"
low = 0.1
high = 0.5
source = "assumption: a test"
)");
  REQUIRE(lost.warnings.size() == 1);
  CHECK(lost.warnings[0].key == "arms.copy.front_door_diversion");
  CHECK(lost.warnings[0].expected.find("add \"arms.copy.front_door_diversion\" to the keys of uncertainty.diversion") !=
        std::string::npos);
  // A key written in the copy is its own: no warning.
  CHECK(parse(head + "front_door_diversion = 0.2\n" + R"(
[uncertainty.diversion]
key = "arms.alliance.front_door_diversion"
distribution = "uniform"
low = 0.1
high = 0.5
source = "assumption: a test"
)").warnings.empty());
}
