// SPDX-License-Identifier: MIT
// The pathway scenario loader: every key reaches its spec field, every problem is reported
// at once and located, and the bad-input corpus under tests/data/bad/pathway states the
// diagnostics each file must produce ("# expect: line:col: key: expected ..., got ..."
// lines, as in tests/data/bad; positions were checked by hand against the files).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/random.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/keys.hpp"
#include "models/scenario/network_scenario.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/psa_fixtures.hpp"
#include "models/scenario/uncertainty.hpp"
#include "models/scenario/variants.hpp"

namespace fs = std::filesystem;
namespace pw = mhsim::models::pathway;
using mhsim::scenario::Diagnostic;
using mhsim::scenario::ScenarioError;
namespace sc = mhsim::scenario;

namespace {

/// A by-year parameter's value in each of the three years of these tests' runs.
std::vector<double> per_year(const mhsim::models::pathway::ByYear& b, std::size_t years = 3) {
  std::vector<double> out;
  for (std::size_t y = 0; y < years; ++y) out.push_back(b.in_year(y));
  return out;
}


const std::size_t kD = pw::kDischarge;

std::vector<std::string> expectations(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  std::string line;
  const std::string tag = "# expect: ";
  while (std::getline(in, line)) {
    if (line.rfind(tag, 0) == 0) out.push_back(line.substr(tag.size()));
  }
  return out;
}

// Every diagnostic as text, in the order reported (sorted by position).
std::vector<std::string> messages_of(const std::string& text, const std::string& file = "test.toml") {
  try {
    mhsim::scenario::parse_pathway_scenario(text, file);
  } catch (const ScenarioError& e) {
    std::vector<std::string> out;
    for (const Diagnostic& d : e.diagnostics()) out.push_back(d.to_string());
    return out;
  }
  return {};
}

std::vector<Diagnostic> diagnostics_of(const std::string& path) {
  try {
    mhsim::scenario::load_pathway_scenario(path);
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

bool same_routes(const pw::Routes& got, const std::vector<std::pair<std::size_t, double>>& want) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i].target != want[i].first || got[i].probability != want[i].second) return false;
  }
  return true;
}

const std::string kMinimal = std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/pathway_minimal.toml";

// `text` with the first occurrence of `from` replaced by `to` (which must be there).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("test text lacks " + from);
  return text.replace(at, from.size(), to);
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// A three-year pathway: arrivals go to a front door that refers on to a gatekept CMHT of
// another partner. The arm's behaviour lines are appended by each test.
const std::string kByYearHead = R"(model = "pathway"
[run]
seed = 11
replications = 1
years = 3
[population]
size = 10000
[groups.g]
rate_per_1000_per_year = 50
[partners.trust]
kind = "nhs_trust"
[partners.charity]
kind = "vcse"
[services.front]
kind = "front_door"
partner = "charity"
duration = { distribution = "exponential", mean = 10 }
routes = { cmht = 0.8, discharge = 0.2 }
[services.cmht]
kind = "cmht"
partner = "trust"
capacity = 20
gatekept = true
duration = { distribution = "exponential", mean = 60 }
[arms.x]
entry = { g = { front = 1 } }
diversion_to = "discharge"
)";

}  // namespace

TEST_CASE("Pathway scenario: the minimal example maps every key to its spec field", "[scenario]") {
  const auto sc = mhsim::scenario::load_pathway_scenario(kMinimal);
  const pw::PathwaySpec& spec = sc.spec;
  CHECK(sc.file == kMinimal);
  CHECK(sc.text.find("model = \"pathway\"") != std::string::npos);
  CHECK(sc.name == "pathway minimal");
  CHECK(sc.description.rfind("Smallest pathway", 0) == 0);
  CHECK(sc.run.seed == 20260101);
  CHECK(sc.run.replications == 4);
  CHECK(spec.years == 2);
  CHECK(spec.max_in_system == 200000);

  // Need groups, in file order.
  CHECK(spec.population.size == 100000.0);
  REQUIRE(spec.population.groups.size() == 2);
  const pw::NeedGroup& common = spec.population.groups[0];
  const pw::NeedGroup& severe = spec.population.groups[1];
  CHECK(common.name == "common");
  CHECK(severe.name == "severe");
  CHECK(common.rate_per_1000_per_year == 20.0);
  CHECK(common.monthly_multiplier[0] == 1.2);
  CHECK(common.monthly_multiplier[6] == 0.8);
  CHECK(common.monthly_multiplier[11] == 1.1);
  CHECK(common.risk_beta_a == 1.0);
  CHECK(common.risk_beta_b == 9.0);
  CHECK(common.wemwbs_mean == 40.0);
  CHECK(common.wemwbs_sd == 8.0);
  CHECK(common.goals_mean == 1.5);
  // Domains by name; domains left out weigh 0.
  CHECK(common.goal_domain_weights == std::array<double, pw::kSiofDomains>{184, 0, 0, 0, 0, 0, 40, 88});
  CHECK(common.death_per_year == 0.002);
  CHECK(common.move_away_per_year == 0.05);
  // Defaults.
  CHECK(severe.rate_per_1000_per_year == 2.0);
  CHECK(severe.monthly_multiplier == std::array<double, 12>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  CHECK(severe.risk_beta_a == 3.0);
  CHECK(severe.wemwbs_mean == 34.0);
  CHECK(severe.wemwbs_sd == 8.96);
  CHECK(severe.goals_mean == 0.0);
  CHECK(severe.goal_domain_weights == std::array<double, pw::kSiofDomains>{1, 1, 1, 1, 1, 1, 1, 1});
  CHECK(severe.death_per_year == 0.01);
  CHECK(severe.move_away_per_year == 0.0);

  REQUIRE(spec.partners.size() == 3);
  CHECK(spec.partners[0].name == "trust");
  CHECK(spec.partners[0].kind == "nhs_trust");
  CHECK(spec.partners[1].name == "charity");
  CHECK(spec.partners[1].kind == "vcse");
  CHECK(spec.partners[2].kind == "gp_practices");

  // Services, in file order: gp 0, therapy 1, cmht 2, crisis 3, acute 4, out_of_area 5,
  // recovery 6, front_door 7.
  REQUIRE(spec.services.size() == 8);
  const std::vector<std::string> names = {"gp",          "therapy",  "cmht",      "crisis",
                                          "acute",       "out_of_area", "recovery", "front_door"};
  for (std::size_t s = 0; s < names.size(); ++s) {
    CHECK(spec.services[s].name == names[s]);
    CHECK(spec.services[s].routes_by_group.size() == 2);
  }
  const pw::ServiceSpec& gp = spec.services[0];
  CHECK(gp.kind == pw::ServiceKind::kGp);
  CHECK(gp.partner == 2);
  CHECK(gp.capacity == 0);
  CHECK_FALSE(gp.duration.has_value());
  REQUIRE(gp.sessions.has_value());
  CHECK(gp.sessions->mean() == 1.0);
  CHECK(gp.cost_per_contact == 39.0);
  // Routes in the order written, not toml++'s alphabetical order.
  CHECK(same_routes(gp.routes, {{1, 0.3}, {6, 0.2}, {kD, 0.5}}));
  CHECK_FALSE(gp.routes_by_group[0].has_value());
  REQUIRE(gp.routes_by_group[1].has_value());
  CHECK(same_routes(*gp.routes_by_group[1], {{2, 0.8}, {kD, 0.2}}));
  CHECK(gp.fallback == kD);
  CHECK(gp.overflow == kD);

  const pw::ServiceSpec& therapy = spec.services[1];
  CHECK(therapy.kind == pw::ServiceKind::kTalkingTherapies);
  CHECK(therapy.partner == 0);
  CHECK(therapy.capacity == 50);
  CHECK(therapy.discipline == mhsim::engine::Discipline::kFifo);
  REQUIRE(therapy.sessions.has_value());
  CHECK(therapy.sessions->mean() == 7.0);
  CHECK(therapy.session_interval_days == 7.0);
  CHECK(therapy.dropout_probability == 0.3);
  CHECK(therapy.recovery_probability == 0.5);
  CHECK(therapy.wemwbs_change.mean == 2.0);
  CHECK(therapy.wemwbs_change.sd == 4.0);
  CHECK(therapy.wemwbs_change_recovered.mean == 8.0);
  CHECK(therapy.wemwbs_change_recovered.sd == 5.0);
  CHECK(therapy.cost_per_contact == 110.0);
  CHECK(therapy.relapse_per_year == 0.2);
  CHECK(therapy.relapse_to == 0);
  CHECK(therapy.crisis_per_year == 0.0);
  CHECK(therapy.crisis_to == kD);
  CHECK(therapy.gatekept);
  CHECK(therapy.rejected_to == kD);
  CHECK(therapy.fallback == 0);
  CHECK(therapy.routes.empty());  // everyone is discharged

  const pw::ServiceSpec& cmht = spec.services[2];
  CHECK(cmht.kind == pw::ServiceKind::kCmht);
  CHECK(cmht.capacity == 20);
  CHECK(cmht.discipline == mhsim::engine::Discipline::kPriority);
  REQUIRE(cmht.duration.has_value());
  CHECK(cmht.duration->mean() == Approx(180.0));
  CHECK_FALSE(cmht.sessions.has_value());
  CHECK(cmht.contacts_per_week == 0.5);
  CHECK(cmht.cost_per_contact == 150.0);
  CHECK(cmht.annual_fixed_cost == 100000.0);
  CHECK(cmht.crisis_per_year == 0.5);
  CHECK(cmht.crisis_to == 3);
  CHECK(same_routes(cmht.routes, {{0, 0.7}, {kD, 0.3}}));
  CHECK(cmht.rejected_to == 1);

  CHECK(spec.services[3].kind == pw::ServiceKind::kCrisis);
  CHECK(spec.services[3].cost_per_episode == 2000.0);
  CHECK(same_routes(spec.services[3].routes, {{4, 0.2}, {2, 0.5}, {kD, 0.3}}));
  CHECK(spec.services[4].overflow == 5);
  CHECK(spec.services[4].cost_per_day == 450.0);
  CHECK(spec.services[5].kind == pw::ServiceKind::kOutOfArea);
  CHECK(spec.services[5].capacity == 0);

  const pw::ServiceSpec& recovery = spec.services[6];
  CHECK(recovery.kind == pw::ServiceKind::kAllianceSupport);
  CHECK(recovery.partner == 1);
  CHECK(recovery.duration->mean() == Approx(100.0));  // triangular (30 + 90 + 180) / 3
  CHECK(recovery.goals.achieve_per_year == std::array<double, pw::kSiofDomains>{2, 0, 0, 0, 0, 0, 0, 1.5});
  CHECK(recovery.goals.close_per_year == std::array<double, pw::kSiofDomains>{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
  CHECK(recovery.goals.fail_per_year == std::array<double, pw::kSiofDomains>{0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3});
  CHECK(recovery.goals.lapse_per_year == std::array<double, pw::kSiofDomains>{0.4, 0, 0, 0, 0, 0, 0, 0});
  CHECK(recovery.goals.wemwbs_per_goal_achieved == 1.5);
  CHECK(spec.services[7].kind == pw::ServiceKind::kFrontDoor);
  CHECK(same_routes(spec.services[7].routes, {{2, 0.3}, {6, 0.3}, {kD, 0.4}}));

  // Arms, in file order.
  REQUIRE(spec.arms.size() == 2);
  const pw::ArmSpec& block = spec.arms[0];
  CHECK(block.name == "block");
  CHECK(block.enabled == std::vector<bool>{true, true, true, true, true, true, false, false});
  CHECK(block.capacity == std::vector<std::int64_t>{0, 50, 20, 0, 10, 0, 0, 0});  // each service's own
  REQUIRE(block.entry.size() == 2);
  CHECK(same_routes(block.entry[0], {{0, 0.9}, {kD, 0.1}}));
  CHECK(same_routes(block.entry[1], {{0, 0.5}, {2, 0.5}}));
  CHECK(block.handoff_loss == 0.05);
  CHECK(block.gatekeeping == 0.0);
  CHECK(block.front_door_diversion == 0.0);
  CHECK(block.diversion_to == kD);
  CHECK(block.step_down_speed == 1.0);
  CHECK(block.redirect.empty());  // no single point of access

  const pw::ArmSpec& alliance = spec.arms[1];
  CHECK(alliance.name == "alliance");
  CHECK(alliance.enabled == std::vector<bool>(8, true));
  CHECK(alliance.capacity == std::vector<std::int64_t>{0, 50, 30, 0, 12, 0, 0, 0});  // cmht and acute overridden
  CHECK(same_routes(alliance.entry[0], {{6, 0.4}, {0, 0.6}}));
  CHECK(same_routes(alliance.entry[1], {{0, 1.0}}));
  CHECK(alliance.gatekeeping == 0.2);
  CHECK(alliance.handoff_loss == 0.01);
  CHECK(alliance.front_door_diversion == 0.3);
  CHECK(alliance.diversion_to == 6);
  CHECK(alliance.step_down_speed == 1.5);
  CHECK(alliance.redirect == std::vector<std::size_t>{kD, kD, 7, kD, kD, kD, kD, kD});  // cmht -> front_door

  REQUIRE(spec.initial.size() == 2);
  CHECK(spec.initial[0].service == 2);
  CHECK(spec.initial[0].group == 1);
  CHECK(spec.initial[0].in_service == 15);
  CHECK(spec.initial[0].waiting == 5);
  CHECK(spec.initial[1].service == 1);
  CHECK(spec.initial[1].group == 0);
  CHECK(spec.initial[1].in_service == 10);
  CHECK(spec.initial[1].waiting == 0);

  CHECK(spec.outcomes.follow_up_days == 180.0);
  CHECK(spec.outcomes.readmission_window_days == 90.0);
  CHECK(spec.outcomes.goal_sustain_days == 182.0);
  CHECK(spec.outcomes.utility_intercept == -0.1);
  CHECK(spec.outcomes.utility_slope == 0.02);
  CHECK(spec.outcomes.min_utility == -0.594);

  CHECK(pw::check_spec(spec).empty());
}

TEST_CASE("Pathway scenario: a small file gets the documented defaults", "[scenario]") {
  const char* text = R"(model = "pathway"
[run]
seed = 3
replications = 1
years = 1
[population]
size = 500
[groups.only]
rate_per_1000_per_year = 1
[partners.p]
kind = "other"
[services.s]
kind = "other"
partner = "p"
duration = { distribution = "deterministic", value = 10 }
[arms.a]
entry = { only = { s = 1 } }
)";
  const auto sc = mhsim::scenario::parse_pathway_scenario(text, "dir/small.toml");
  CHECK(sc.name == "small.toml");
  CHECK(sc.description.empty());
  const pw::PathwaySpec& spec = sc.spec;
  CHECK(spec.max_in_system == 10'000'000);
  const pw::ServiceSpec& s = spec.services.at(0);
  CHECK(s.capacity == 0);
  CHECK(s.discipline == mhsim::engine::Discipline::kFifo);
  CHECK(s.session_interval_days == 7.0);
  CHECK(s.overflow == kD);
  CHECK(s.fallback == kD);
  CHECK(s.rejected_to == kD);
  CHECK_FALSE(s.gatekept);
  CHECK(s.routes.empty());
  REQUIRE(s.routes_by_group.size() == 1);
  CHECK_FALSE(s.routes_by_group[0].has_value());
  CHECK(s.goals.achieve_per_year == std::array<double, pw::kSiofDomains>{});
  const pw::ArmSpec& a = spec.arms.at(0);
  CHECK(a.enabled == std::vector<bool>{true});
  CHECK(a.capacity == std::vector<std::int64_t>{0});
  CHECK(a.step_down_speed == 1.0);
  CHECK(spec.initial.empty());
  CHECK(spec.outcomes.follow_up_days == 365.0);
  CHECK(spec.outcomes.readmission_window_days == 365.0);
  CHECK(spec.outcomes.goal_sustain_days == 182.0);
  CHECK(spec.outcomes.min_utility == -0.594);
}

TEST_CASE("Pathway scenario: a file with several mistakes reports every one, located", "[scenario]") {
  const char* text = R"(model = "pathway"
[run]
seed = -1
replications = 2
years = 0
[population]
size = 0
[groups.a]
rate_per_1000_per_year = "ten"
goals_mean = 2
goal_domain_weights = 0
[partners.p]
kind = "charity"
[services.s]
kind = "gp"
partner = "q"
duration = { distribution = "exponential", mean = 5 }
routes = { t = 1 }
[arms.x]
step_down_speed = 0
[arms.x.entry]
a = { s = 0.5 }
)";
  const std::vector<std::string> want = {
      "many.toml:3:8: run.seed: expected an integer in [0, 9007199254740991], got -1",
      "many.toml:5:9: run.years: expected an integer in [1, 100], got 0",
      "many.toml:7:8: population.size: expected a number > 0, got 0",
      "many.toml:9:26: groups.a.rate_per_1000_per_year: expected a number in [0, 1000000], got the string \"ten\"",
      "many.toml:11:23: groups.a.goal_domain_weights: expected at least one weight > 0 (goals_mean is 2), got every weight 0",
      "many.toml:13:8: partners.p.kind: expected one of \"nhs_trust\", \"vcse\", \"user_led\", \"gp_practices\", "
      "\"local_authority\", \"commissioner\", \"ambulance_service\", \"police\", \"other\", got the string \"charity\"",
      "many.toml:16:11: services.s.partner: expected the name of a partner (one of \"p\"), got an unknown partner \"q\"",
      "many.toml:18:12: services.s.routes.t: expected a route to a service or to discharge (one of \"discharge\", "
      "\"s\"), got an unknown service \"t\"",
      "many.toml:20:19: arms.x.step_down_speed: expected a number > 0, got 0",
      "many.toml:22:5: arms.x.entry.a: expected probabilities that sum to 1, got a sum of 0.5",
  };
  CHECK(messages_of(text, "many.toml") == want);
}

TEST_CASE("Pathway scenario: unknown keys are listed against the pathway keys only", "[scenario]") {
  const char* text = R"(model = "pathway"
[run]
seed = 1
replications = 1
years = 1
warmup_days = 10
[population]
size = 10
[groups.g]
rate_per_1000_per_year = 1
risk = { a = 2, c = 3 }
[partners.p]
kind = "vcse"
[services.s]
kind = "alliance_support"
partner = "p"
duration = { distribution = "exponential", mean = 5, sd = 1 }
[services.s.goals]
achieve_per_year = { finanse = 1 }
sustain_days = 3
[arms.x]
servises = ["s"]
entry = { g = { s = 1 } }
[outcomes]
qaly = 1
)";
  const std::vector<std::string> want = {
      "k.toml:6:1: run.warmup_days: expected one of seed, replications, years, baseline_replications, max_in_system, got an unknown key \"warmup_days\"",
      "k.toml:11:17: groups.g.risk.c: expected one of a, b, got an unknown key \"c\"",
      "k.toml:17:54: services.s.duration.sd: expected a parameter of the exponential distribution (mean or rate), got an unknown key \"sd\"",
      "k.toml:19:22: services.s.goals.achieve_per_year.finanse: expected a SIOF domain (one of \"mental_wellbeing\", "
      "\"community_participation\", \"social_networks\", \"physical_health\", \"education_training\", \"volunteering\", "
      "\"employment\", \"finance\"), got an unknown SIOF domain \"finanse\"",
      "k.toml:20:1: services.s.goals.sustain_days: expected one of achieve_per_year, close_per_year, fail_per_year, "
      "lapse_per_year, wemwbs_per_goal_achieved, support_ends_with_goals, got an unknown key \"sustain_days\"",
      "k.toml:22:1: arms.x.servises: expected one of services, capacity, entry, gatekeeping, handoff_loss, "
      "front_door_diversion, diversion_to, redirect, step_down_speed, capacity_changes, one_off_costs, history_routes, contracts, got an unknown key \"servises\"",
      "k.toml:25:1: outcomes.qaly: expected one of follow_up_days, readmission_window_days, goal_sustain_days, "
      "utility_intercept, utility_slope, min_utility, got an unknown key \"qaly\"",
  };
  CHECK(messages_of(text, "k.toml") == want);
}

TEST_CASE("Pathway scenario: every bad file reports exactly its expected diagnostics", "[scenario]") {
  const fs::path dir = fs::path(MHSIM_SOURCE_DIR) / "tests" / "data" / "bad" / "pathway";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 15);
  for (const fs::path& file : files) {
    INFO("file: " << file.string());
    const std::vector<std::string> expected = expectations(file);
    REQUIRE_FALSE(expected.empty());
    const std::vector<Diagnostic> got = diagnostics_of(file.string());
    std::string all;
    for (const Diagnostic& d : got) all += d.to_string() + "\n";
    INFO("diagnostics:\n" << all);
    REQUIRE(got.size() == expected.size());
    // Exactly, and in order: diagnostics come sorted by position.
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].to_string() == file.string() + ":" + expected[i]);
    for (const Diagnostic& d : got) {
      CHECK(d.file == file.string());
      CHECK(d.line > 0);
      CHECK(d.column > 0);
      CHECK_FALSE(d.expected.empty());
      CHECK_FALSE(d.got.empty());
    }
  }
}

TEST_CASE("Pathway scenario: a missing file is one clear error", "[scenario]") {
  const auto got = diagnostics_of("/nonexistent/pathway.toml");
  REQUIRE(got.size() == 1);
  CHECK(got[0].to_string() == "/nonexistent/pathway.toml: expected a readable scenario file, got No such file or directory");
}

TEST_CASE("Scenario model: the root key model picks the loader", "[scenario]") {
  using mhsim::scenario::scenario_model;
  CHECK(scenario_model("[run]\nseed = 1\n", "a.toml") == "network");
  CHECK(scenario_model("model = \"network\"\n", "a.toml") == "network");
  CHECK(scenario_model("model = \"pathway\"\n[run]\n", "a.toml") == "pathway");
  try {
    scenario_model("# a comment\nmodel = \"queue\"\n", "a.toml");
    FAIL("no error");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].to_string() == "a.toml:2:9: model: expected one of \"network\", \"pathway\", got the string \"queue\"");
  }
  try {
    scenario_model("model = 2\n", "a.toml");
    FAIL("no error");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].to_string() == "a.toml:1:9: model: expected one of \"network\", \"pathway\", got 2");
  }
  try {
    scenario_model("model = = 1\n", "a.toml");
    FAIL("no error");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].expected == "valid TOML");
  }
}

TEST_CASE("Scenario model: the network loader accepts model = network and nothing else", "[scenario]") {
  const std::string network = R"(
[run]
seed = 7
replications = 3
horizon_days = 50
[stations.only]
arrival_rate = 1.0
servers = 1
service = { distribution = "exponential", mean = 0.5 }
)";
  CHECK_NOTHROW(mhsim::scenario::parse_network_scenario("model = \"network\"\n" + network, "n.toml"));
  const auto network_messages = [&](const std::string& head) {
    try {
      mhsim::scenario::parse_network_scenario(head + network, "n.toml");
    } catch (const ScenarioError& e) {
      std::vector<std::string> out;
      for (const Diagnostic& d : e.diagnostics()) out.push_back(d.to_string());
      return out;
    }
    return std::vector<std::string>{};
  };
  CHECK(network_messages("model = \"pathway\"\n") ==
        std::vector<std::string>{"n.toml:1:9: model: expected a queueing-network scenario (model = \"network\"); a "
                                 "pathway scenario needs its own loader, got the string \"pathway\""});
  // A bad value is one more located error; the rest of the file is still checked.
  CHECK(network_messages("model = \"queue\"\n[scenario]\nnmae = \"x\"\n") ==
        std::vector<std::string>{
            "n.toml:1:9: model: expected one of \"network\", \"pathway\", got the string \"queue\"",
            "n.toml:3:1: scenario.nmae: expected one of name, description, got an unknown key \"nmae\""});
  // Network files list network keys only.
  CHECK(network_messages("[population]\nsize = 3\n") ==
        std::vector<std::string>{"n.toml:1:2: population: expected one of model, scenario, run, stations, got an "
                                 "unknown key \"population\""});
}

TEST_CASE("Scenario model: every shipped scenario loads with the loader its model names", "[scenario]") {
  std::set<std::string> models;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(MHSIM_SOURCE_DIR) / "scenarios")) {
    const std::string name = e.path().filename().string();
    const bool targets = name.size() > 13 && name.compare(name.size() - 13, 13, ".targets.toml") == 0;
    if (e.path().extension() != ".toml" || targets) continue;  // targets files: mhsim reproduce
    INFO(e.path().string());
    std::ifstream in(e.path());
    std::ostringstream buffer;  // (not istreambuf_iterator: GCC 12 -O3 warns of a null dereference)
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const std::string model = mhsim::scenario::scenario_model(text, e.path().string());
    models.insert(model);
    if (model == "pathway") CHECK_NOTHROW(mhsim::scenario::load_pathway_scenario(e.path().string()));
    else CHECK_NOTHROW(mhsim::scenario::load_network_scenario(e.path().string()));
  }
  CHECK(models == std::set<std::string>{"network", "pathway"});
}

TEST_CASE("Scenario keys: each model has its own keys, every path is declared once", "[scenario]") {
  using mhsim::scenario::KeyModel;
  std::set<std::string_view> paths;
  for (const auto& k : mhsim::scenario::all_keys()) {
    INFO(k.path);
    CHECK(paths.insert(k.path).second);
    CHECK_FALSE(k.doc.empty());
  }
  for (const auto& k : mhsim::scenario::network_keys()) {
    CHECK(k.applies_to(KeyModel::kNetwork));
    CHECK(k.path.rfind("services", 0) != 0);
  }
  for (const auto& k : mhsim::scenario::pathway_keys()) {
    CHECK(k.applies_to(KeyModel::kPathway));
    CHECK(k.path.rfind("stations", 0) != 0);
  }
  CHECK(mhsim::scenario::key("run.seed").model == KeyModel::kBoth);
  CHECK(mhsim::scenario::key("run.horizon_days").model == KeyModel::kNetwork);
  CHECK(mhsim::scenario::key("run.years").model == KeyModel::kPathway);

  // The choices come from the model's own name tables.
  const auto& kinds = mhsim::scenario::key("services.<name>.kind").choices;
  CHECK(std::equal(kinds.begin(), kinds.end(), pw::kServiceKindNames.begin(), pw::kServiceKindNames.end()));
  const std::string_view weights_doc = mhsim::scenario::key("groups.<name>.goal_domain_weights").doc;
  for (const std::string_view domain : pw::kSiofDomainNames) CHECK(weights_doc.find(domain) != std::string_view::npos);

  // The reference has a section per model, and every key of each in its own section.
  const std::string md = mhsim::scenario::keys_markdown();
  const auto network_at = md.find("## Queueing-network scenarios");
  const auto pathway_at = md.find("## Pathway scenarios");
  REQUIRE(network_at != std::string::npos);
  REQUIRE(pathway_at != std::string::npos);
  REQUIRE(network_at < pathway_at);
  for (const auto& k : mhsim::scenario::all_keys()) {
    const auto at = md.find("| `" + std::string(k.path) + "` |");
    INFO(k.path);
    REQUIRE(at != std::string::npos);
    if (k.model == KeyModel::kBoth) CHECK(at < network_at);
    if (k.model == KeyModel::kNetwork) CHECK((at > network_at && at < pathway_at));
    if (k.model == KeyModel::kPathway) CHECK(at > pathway_at);
  }
}

TEST_CASE("Pathway scenario: arm behaviour by year, as a number or an array padded to run.years", "[scenario]") {
  const auto sc = mhsim::scenario::parse_pathway_scenario(kByYearHead + R"(gatekeeping = [0.1, 0.4]
handoff_loss = 0.05
front_door_diversion = [0.2, 0.7, 0.5]
step_down_speed = [2]
)", "by_year.toml");
  const pw::ArmSpec& a = sc.spec.arms.at(0);
  CHECK(per_year(a.gatekeeping) == std::vector<double>{0.1, 0.4, 0.4});  // the last value repeats
  CHECK(per_year(a.handoff_loss) == std::vector<double>{0.05, 0.05, 0.05});
  CHECK(per_year(a.front_door_diversion) == std::vector<double>{0.2, 0.7, 0.5});
  CHECK(per_year(a.step_down_speed) == std::vector<double>{2.0, 2.0, 2.0});
  CHECK(a.gatekeeping.in_year(1) == 0.4);
  CHECK(a.gatekeeping.in_year(7) == 0.4);  // clamped to the last year
  CHECK(a.handoff_loss == 0.05);
  CHECK(pw::check_spec(sc.spec).empty());
}

TEST_CASE("Pathway scenario: a number and an array of that number by year give byte-identical results",
          "[scenario][reproducibility]") {
  const std::string numbers = kByYearHead + R"(gatekeeping = 0.3
handoff_loss = 0.05
front_door_diversion = 0.45
step_down_speed = 1.3
)";
  const std::string arrays = kByYearHead + R"(gatekeeping = [0.3, 0.3, 0.3]
handoff_loss = [0.05, 0.05]
front_door_diversion = [0.45]
step_down_speed = [1.3, 1.3, 1.3]
)";
  const auto a = mhsim::scenario::parse_pathway_scenario(numbers, "numbers.toml");
  const auto b = mhsim::scenario::parse_pathway_scenario(arrays, "arrays.toml");
  const pw::ArmSpec &x = a.spec.arms.at(0), &y = b.spec.arms.at(0);
  CHECK(per_year(x.gatekeeping) == per_year(y.gatekeeping));
  CHECK(per_year(x.handoff_loss) == per_year(y.handoff_loss));
  CHECK(per_year(x.front_door_diversion) == per_year(y.front_door_diversion));
  CHECK(per_year(x.step_down_speed) == per_year(y.step_down_speed));
  double diverted = 0, lost = 0, refused = 0;
  for (std::uint64_t rep = 0; rep < 3; ++rep) {
    INFO("replication " << rep);
    const mhsim::engine::RandomStreams streams(a.run.seed, rep);
    const pw::ArmResult ra = pw::simulate_arm(a.spec, 0, streams), rb = pw::simulate_arm(b.spec, 0, streams);
    CHECK(same_bytes(ra.activity, rb.activity));
    CHECK(same_bytes(ra.cost, rb.cost));
    CHECK(same_bytes(ra.system, rb.system));
    CHECK(same_bytes(ra.service, rb.service));
    CHECK(same_bytes(ra.goals, rb.goals));
    CHECK(ra.events == rb.events);
    for (std::size_t t = 0; t < ra.years; ++t) {
      diverted += ra.sys(t, pw::SystemKpi::kDiverted);
      lost += ra.sys(t, pw::SystemKpi::kHandoffLosses);
      refused += ra.sys(t, pw::SystemKpi::kGatekeptRefusals);
    }
  }
  // Every parameter is exercised.
  CHECK(diverted > 0);
  CHECK(lost > 0);
  CHECK(refused > 0);
}

TEST_CASE("Pathway scenario: bad arm behaviour arrays are all reported, located", "[scenario]") {
  const std::string text = kByYearHead + R"(front_door_diversion = []
gatekeeping = [0.1, 0.2, 0.3, 0.4]
handoff_loss = [0.1, 1.5, -0.2]
step_down_speed = [1, 0, 11]
[arms.y]
entry = { g = { front = 1 } }
gatekeeping = "high"
)";
  const std::vector<std::string> want = {
      "bad.toml:28:24: arms.x.front_door_diversion: expected a number in [0, 1], or an array of 1 to 3 such numbers "
      "(one per simulated year, run.years = 3), got an empty array",
      "bad.toml:29:15: arms.x.gatekeeping: expected a number in [0, 1], or an array of 1 to 3 such numbers (one per "
      "simulated year, run.years = 3), got an array of 4 numbers",
      "bad.toml:30:22: arms.x.handoff_loss[1]: expected a number in [0, 1], got 1.5",
      "bad.toml:30:27: arms.x.handoff_loss[2]: expected a number in [0, 1], got -0.2",
      "bad.toml:31:23: arms.x.step_down_speed[1]: expected a number in (0, 10], got 0",
      "bad.toml:31:26: arms.x.step_down_speed[2]: expected a number in (0, 10], got 11",
      "bad.toml:34:15: arms.y.gatekeeping: expected a number in [0, 1], or an array of such numbers (one per "
      "simulated year), got the string \"high\"",
  };
  CHECK(messages_of(text, "bad.toml") == want);
  // A number out of range keeps the message of every other number key.
  CHECK(messages_of(kByYearHead + "step_down_speed = 0\n", "n.toml") ==
        std::vector<std::string>{"n.toml:28:19: arms.x.step_down_speed: expected a number > 0, got 0"});
  // Diversion in any year needs somewhere to send people.
  CHECK(messages_of(replaced(kByYearHead, "diversion_to = \"discharge\"\n", "front_door_diversion = [0, 0.5]\n"),
                    "d.toml")
            .size() == 1);
}

TEST_CASE("Pathway scenario: uncertainty and calibration keys address an element of a behaviour array",
          "[scenario]") {
  const std::string text = kByYearHead + R"(front_door_diversion = [0.2, 0.7]
handoff_loss = 0.05
[uncertainty.year2]
key = "arms.x.front_door_diversion[1]"
distribution = "uniform"
low = 0.6
high = 0.8
source = "assumption: a test"
)";
  const auto sc = mhsim::scenario::parse_pathway_scenario(text, "psa.toml");
  REQUIRE(sc.uncertainty.parameters.size() == 1);
  CHECK(sc.uncertainty.parameters[0].base == 0.7);
  CHECK(per_year(sc.spec.arms[0].front_door_diversion) == std::vector<double>{0.2, 0.7, 0.7});

  // with_parameters replaces year 2, and the padding repeats the replaced value.
  const auto drawn = mhsim::scenario::with_parameters(sc, {0.75});
  CHECK(per_year(drawn.spec.arms[0].front_door_diversion) == std::vector<double>{0.2, 0.75, 0.75});
  CHECK(drawn.spec.arms[0].handoff_loss == 0.05);

  // with_numbers replaces an element, or a number, by its key.
  const auto year1 = mhsim::scenario::with_numbers(sc, {"arms.x.front_door_diversion[0]"}, {0.3});
  CHECK(per_year(year1.spec.arms[0].front_door_diversion) == std::vector<double>{0.3, 0.7, 0.7});
  const auto both = mhsim::scenario::with_numbers(
      sc, {"arms.x.front_door_diversion[1]", "arms.x.handoff_loss"}, {0.4, 0.1});
  CHECK(per_year(both.spec.arms[0].front_door_diversion) == std::vector<double>{0.2, 0.4, 0.4});
  CHECK(per_year(both.spec.arms[0].handoff_loss) == std::vector<double>{0.1, 0.1, 0.1});
  // Elements are range-checked like the file's numbers; the array itself is not a number.
  CHECK_THROWS_AS(mhsim::scenario::with_numbers(sc, {"arms.x.front_door_diversion[0]"}, {1.5}),
                  mhsim::scenario::ScenarioError);
  CHECK_THROWS_AS(mhsim::scenario::with_numbers(sc, {"arms.x.front_door_diversion"}, {0.5}), std::invalid_argument);
  CHECK_THROWS_AS(mhsim::scenario::with_numbers(sc, {"arms.x.front_door_diversion[2]"}, {0.5}), std::invalid_argument);

  // A fitted value is written into the array in place.
  const std::string written =
      mhsim::scenario::calibrated_text(sc, {"arms.x.front_door_diversion[1]"}, {0.55}, {"fitted"});
  CHECK(written.find("front_door_diversion = [0.2, 0.55]  # fitted\n") != std::string::npos);
  CHECK(per_year(mhsim::scenario::parse_pathway_scenario(written, "fitted.toml").spec.arms[0].front_door_diversion) ==
        std::vector<double>{0.2, 0.55, 0.55});

  // A distribution that takes an element out of range at its 0.001 or 0.999 quantile is refused.
  try {
    (void)mhsim::scenario::parse_pathway_scenario(replaced(text, "high = 0.8", "high = 1.8"), "q.toml");
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].got.find("arms.x.front_door_diversion[1]: expected a number in [0, 1]") !=
          std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------
// [analysis] and partners' reserves in the pathway loader: defaults when absent, every key
// to its field, and the checks that need the rest of the file (run.years, arms, contracts).// to its field, and the checks that need the rest of the file (run.years, arms, contracts).
// Problems with single keys are in the bad-input corpus (tests/data/bad/pathway/analysis_*.toml).

TEST_CASE("Analysis settings: a file without [analysis] gets the documented defaults", "[scenario]") {
  const sc::PathwayScenario s = sc::parse_pathway_scenario(mhsim::test::minimal_text(), "m.toml");
  const sc::AnalysisSettings& a = s.analysis;
  CHECK(a.discount_rate == 0.035);
  CHECK_FALSE(a.mid_year);
  CHECK(a.horizon_years == 0);
  CHECK(a.willingness_to_pay == std::vector<double>{20000, 30000});
  CHECK(a.ceac_max == 100000);
  CHECK(a.ceac_points == 51);
  CHECK(a.effect == "qalys");
  CHECK(a.cost_basis == "ledger");
  CHECK(a.base_arm == 0);
  CHECK(a.risk_level == 0.95);
  CHECK(std::isnan(a.commissioner_budget));
  CHECK(a.precision.empty());
  CHECK(a.voi_decisions_per_year == 1);
  CHECK(a.voi_years == 1);
  CHECK(a.groups.empty());
  // One reserve per partner, NaN when not stated.
  REQUIRE(a.reserves.size() == 3);
  for (const double r : a.reserves) CHECK(std::isnan(r));
}

TEST_CASE("Analysis settings: every key reaches its field", "[scenario]") {
  std::string text = mhsim::test::minimal_text();
  const std::string charity = "[partners.charity]\nkind = \"vcse\"\n";
  REQUIRE(text.find(charity) != std::string::npos);
  text.replace(text.find(charity), charity.size(), charity + "reserves = 250000\n");
  text += R"(
[analysis]
discount_rate = 0.015
discount_timing = "mid_year"
horizon_years = 2
willingness_to_pay = [15000, 20000, 30000.5]
ceac_max = 50000
ceac_points = 11
effect = "wemwbs_points"
cost_basis = "commissioner_spend"
base_arm = "alliance"
risk_level = 0.9
commissioner_budget = 2500000
precision = { qalys = 5, incremental_cost = 500000, incremental_nmb = 1e5 }
)";
  const sc::PathwayScenario s = sc::parse_pathway_scenario(text, "a.toml");
  const sc::AnalysisSettings& a = s.analysis;
  CHECK(a.discount_rate == 0.015);
  CHECK(a.mid_year);
  CHECK(a.horizon_years == 2);
  CHECK(a.willingness_to_pay == std::vector<double>{15000, 20000, 30000.5});
  CHECK(a.ceac_max == 50000);
  CHECK(a.ceac_points == 11);
  CHECK(a.effect == "wemwbs_points");
  CHECK(a.cost_basis == "commissioner_spend");
  CHECK(a.base_arm == 1);
  CHECK(a.risk_level == 0.9);
  CHECK(a.commissioner_budget == 2500000);
  // Precision targets in the order written.
  REQUIRE(a.precision.size() == 3);
  CHECK(a.precision[0].metric == "qalys");
  CHECK(a.precision[0].half_width == 5);
  CHECK(a.precision[1].metric == "incremental_cost");
  CHECK(a.precision[2].metric == "incremental_nmb");
  CHECK(a.precision[2].half_width == 1e5);
  REQUIRE(a.reserves.size() == 3);
  CHECK(std::isnan(a.reserves[0]));
  CHECK(a.reserves[1] == 250000);
  CHECK(std::isnan(a.reserves[2]));
}

TEST_CASE("Analysis settings: value-of-information keys reach their fields", "[scenario]") {
  const std::string text = mhsim::test::minimal_with_uncertainty() + R"(
[analysis]
voi_decisions_per_year = 12.5
voi_years = 10

[analysis.groups.pilot]
parameters = ["step_down", "diversion"]
description = "a pilot of the front door"

[analysis.groups.costs]
parameters = ["gp_cost"]
)";
  const sc::PathwayScenario s = sc::parse_pathway_scenario(text, "v.toml");
  const sc::AnalysisSettings& a = s.analysis;
  CHECK(a.voi_decisions_per_year == 12.5);
  CHECK(a.voi_years == 10);
  REQUIRE(a.groups.size() == 2);  // in file order
  CHECK(a.groups[0].name == "pilot");
  CHECK(a.groups[0].parameters == std::vector<std::string>{"step_down", "diversion"});
  CHECK(a.groups[0].description == "a pilot of the front door");
  CHECK(a.groups[1].name == "costs");
  CHECK(a.groups[1].parameters == std::vector<std::string>{"gp_cost"});
  CHECK(a.groups[1].description.empty());
  // A group needs uncertain parameters to name: without [uncertainty] every name is unknown.
  const std::vector<std::string> none = messages_of(mhsim::test::minimal_text() +
                                                        "\n[analysis.groups.g]\nparameters = [\"x\"]\n", "n.toml");
  REQUIRE(none.size() == 1);
  CHECK_THAT(none[0], Catch::EndsWith("analysis.groups.g.parameters[0]: expected the name of an uncertain parameter (the "
                                      "file has no [uncertainty] tables), got an unknown parameter \"x\""));
}

TEST_CASE("Analysis settings: checks against the rest of the file", "[scenario]") {
  // horizon_years against run.years (2 in the example).
  const std::vector<std::string> horizon = messages_of(mhsim::test::minimal_text() + "\n[analysis]\nhorizon_years = 3\n", "a.toml");
  REQUIRE(horizon.size() == 1);
  CHECK_THAT(horizon[0], Catch::EndsWith(":17: analysis.horizon_years: expected an integer in [0, 2] (at most "
                                         "run.years; 0 = every year), got 3"));
  // commissioner_spend needs contracts in every arm: strip the example's contracts.
  std::string text = mhsim::test::minimal_text();
  text = text.substr(0, text.find("# ---- contracts"));
  CHECK(sc::parse_pathway_scenario(text + "[analysis]\ncost_basis = \"ledger\"\n", "a.toml").analysis.cost_basis ==
        "ledger");
  const std::vector<std::string> got = messages_of(text + "[analysis]\ncost_basis = \"commissioner_spend\"\n", "a.toml");
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0], Catch::EndsWith("analysis.cost_basis: expected \"ledger\", or contracts in every arm for "
                                     "\"commissioner_spend\" (what the contracts pay), got \"commissioner_spend\" "
                                     "with arms \"block\", \"alliance\" settled by no contract"));
}

// ---------------------------------------------------------------------------------------
// Values set after loading (variants, uncertainty draws, calibration trials, --set) go
// straight into the typed scenario and are checked by the loader's own rules: the result
// must be the scenario the file would give with those values written in it, bit for bit.
// Also arms that extend other arms, and uncertain parameters with several keys.
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
  REQUIRE(messages.size() == 3);  // every problem at once: the malformed setting first
  CHECK(messages[0] == "command line: --set: expected key=value, got \"nokey\"");
  CHECK_THAT(messages[1], Catch::Contains("services.cmht.discipline"));
  CHECK_THAT(messages[2], Catch::Contains("arms.alliance.diversion_to"));
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

TEST_CASE("Uncertainty: one parameter can drive several keys, a copied arm that loses one is warned of",
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

TEST_CASE("Pathway scenario: cost categories and a service's cost mix reach the spec, and mistakes are located",
          "[scenario][inflation]") {
  const std::string text = replaced(kByYearHead, "gatekept = true\n",
                                    "gatekept = true\ncost_mix = { pay = 0.7, placements = 0.3 }\n") +
                           "[cost_categories.pay]\ndescription = \"staff\"\ninflation = 0.03\n"
                           "[cost_categories.placements]\ninflation = 0.08\n";
  const auto sc = mhsim::scenario::parse_pathway_scenario(text, "c.toml");
  REQUIRE(sc.spec.cost_categories.size() == 2);
  CHECK(sc.spec.cost_categories[0].name == "pay");
  CHECK(sc.spec.cost_categories[0].description == "staff");
  CHECK(sc.spec.cost_categories[0].inflation == 0.03);
  CHECK(sc.spec.cost_categories[1].inflation == 0.08);
  CHECK(sc.spec.services[1].cost_mix == std::vector<double>{0.7, 0.3});
  CHECK(sc.spec.services[0].cost_mix.empty());
  CHECK(pw::cost_factor(sc.spec, 1, 2) == Approx(0.7 * 1.03 * 1.03 + 0.3 * 1.08 * 1.08).epsilon(1e-15));
  CHECK(pw::cost_factor(sc.spec, 0, 2) == 1.0);
  // A category the file does not declare and an inflation out of range, at once (cost_mix
  // is line 24 of the file, the appended inflation line 30); then shares that do not sum to 1.
  const std::string bad = replaced(kByYearHead, "gatekept = true\n",
                                   "gatekept = true\ncost_mix = { pay = 0.5, energy = 0.3 }\n") +
                          "[cost_categories.pay]\ninflation = 3\n";
  CHECK(messages_of(bad, "c.toml") ==
        std::vector<std::string>{"c.toml:24:25: services.cmht.cost_mix.energy: expected a cost category (one of "
                                 "\"pay\"), got an unknown cost category \"energy\"",
                                 "c.toml:30:13: cost_categories.pay.inflation: expected a number in [-0.5, 1], got 3"});
  const std::string short_mix = replaced(kByYearHead, "gatekept = true\n", "gatekept = true\ncost_mix = { pay = 0.5 }\n") +
                                "[cost_categories.pay]\ninflation = 0.03\n";
  CHECK(messages_of(short_mix, "c.toml") ==
        std::vector<std::string>{"c.toml:24:12: services.cmht.cost_mix: expected cost shares that sum to 1, got a sum of 0.5"});
}

TEST_CASE("Pathway scenario: a need group's demand trend and rate changes reach the spec, and a backward shock is "
          "located", "[scenario][demand]") {
  const std::string good = replaced(kByYearHead, "rate_per_1000_per_year = 50\n",
                                    "rate_per_1000_per_year = 50\ntrend_per_year = 0.03\n"
                                    "rate_changes = [ { from_day = 365, multiplier = 1.2 }, "
                                    "{ from_day = 400, to_day = 490, multiplier = 1.5 } ]\n");
  const auto sc = mhsim::scenario::parse_pathway_scenario(good, "d.toml");
  const pw::NeedGroup& g = sc.spec.population.groups.at(0);
  CHECK(g.trend_per_year == 0.03);
  REQUIRE(g.rate_changes.size() == 2);
  CHECK(g.rate_changes[0].from_day == 365);
  CHECK(std::isinf(g.rate_changes[0].to_day));
  CHECK(g.rate_changes[0].multiplier == 1.2);
  CHECK(g.rate_changes[1].to_day == 490);
  // The rate changes key is line 11 of the file; its second table starts at column 56.
  const std::string bad = replaced(kByYearHead, "rate_per_1000_per_year = 50\n",
                                   "rate_per_1000_per_year = 50\ntrend_per_year = -2\n"
                                   "rate_changes = [ { from_day = 365, multiplier = 1.2 }, "
                                   "{ from_day = 400, to_day = 300, multiplier = 1.5 } ]\n");
  CHECK(messages_of(bad, "d.toml") ==
        std::vector<std::string>{
            "d.toml:10:18: groups.g.trend_per_year: expected a number in [-0.5, 1], got -2",
            "d.toml:11:83: groups.g.rate_changes[1].to_day: expected a day after from_day (400), got 300"});
}

TEST_CASE("Pathway scenario: an arm's capacity schedule reaches the spec, and every mistake is located",
          "[scenario][capacity]") {
  const auto sc = mhsim::scenario::parse_pathway_scenario(
      kByYearHead + "capacity_changes = [ { service = \"cmht\", day = 365, capacity = 30 }, "
                    "{ service = \"cmht\", day = 548, capacity = 0, when_reduced = \"transfer\", transfer_to = \"front\" } ]\n",
      "c.toml");
  const pw::ArmSpec& a = sc.spec.arms.at(0);
  REQUIRE(a.capacity_changes.size() == 2);
  CHECK(a.capacity_changes[0].service == 1);
  CHECK(a.capacity_changes[0].day == 365);
  CHECK(a.capacity_changes[0].capacity == 30);
  CHECK(a.capacity_changes[0].excess == pw::Excess::kFinish);
  CHECK(a.capacity_changes[1].excess == pw::Excess::kTransfer);
  CHECK(a.capacity_changes[1].transfer_to == 0);
  // Line 28 holds the key. The keys' own mistakes first: a transfer without its target, and a
  // target without a transfer (rules across the file wait until these are fixed).
  const auto joined = [](const std::vector<std::string>& m) {
    std::string all;
    for (const std::string& s : m) all += s + "\n";
    return all;
  };
  std::vector<std::string> m = messages_of(kByYearHead +
                                               "capacity_changes = [ { service = \"cmht\", day = 10, capacity = 5, "
                                               "when_reduced = \"transfer\" }, { service = \"cmht\", day = 20, "
                                               "capacity = 4, transfer_to = \"front\" } ]\n",
                                           "c.toml");
  INFO(joined(m));
  REQUIRE(m.size() == 2);
  CHECK(m[0].rfind("c.toml:28:", 0) == 0);
  CHECK(m[0].find("arms.x.capacity_changes[0].transfer_to: expected a service (required when when_reduced = "
                  "\"transfer\"), got nothing (the key is missing)") != std::string::npos);
  CHECK(m[1].find("arms.x.capacity_changes[1].transfer_to: expected no transfer_to (it applies only with "
                  "when_reduced = \"transfer\"), got the string \"front\"") != std::string::npos);
  // Then the rules across the file: an unlimited service (front has capacity 0); two changes
  // of cmht on day 10; a transfer to the service itself.
  m = messages_of(kByYearHead +
                      "capacity_changes = [ { service = \"front\", day = 10, capacity = 5 }, "
                      "{ service = \"cmht\", day = 10, capacity = 5 }, { service = \"cmht\", day = 10, capacity = 4 }, "
                      "{ service = \"cmht\", day = 20, capacity = 4, when_reduced = \"transfer\", transfer_to = \"cmht\" } ]\n",
                  "c.toml");
  INFO(joined(m));
  REQUIRE(m.size() == 3);
  CHECK(m[0].find("arms.x.capacity_changes[0].service: expected a service arm \"x\" has, with a finite capacity in "
                  "it, got \"front\", with capacity 0 (unlimited)") != std::string::npos);
  CHECK(m[1].find("arms.x.capacity_changes[2].day: expected one change of \"cmht\" a day, got a second change on "
                  "day 10") != std::string::npos);
  CHECK(m[2].find("arms.x.capacity_changes[3].transfer_to: expected another service arm \"x\" has that takes "
                  "referrals, got \"cmht\"") != std::string::npos);
  for (const std::string& s : m) CHECK(s.rfind("c.toml:28:", 0) == 0);
}

TEST_CASE("Pathway scenario: an arm's routes by history reach the spec, and every mistake is located",
          "[scenario][history]") {
  const auto sc = mhsim::scenario::parse_pathway_scenario(
      kByYearHead + "history_routes = [ { service = \"cmht\", counted = [\"cmht\"], at_least = 3, "
                    "routes = { front = 0.25, discharge = 0.75 } }, { service = \"front\", counted = [\"front\", "
                    "\"cmht\"], at_least = 2, groups = [\"g\"], routes = { cmht = 1 } } ]\n",
      "h.toml");
  const pw::ArmSpec& a = sc.spec.arms.at(0);
  REQUIRE(a.history_routes.size() == 2);
  CHECK(a.history_routes[0].service == 1);
  CHECK(a.history_routes[0].counted == std::vector<bool>{false, true});
  CHECK(a.history_routes[0].at_least == 3);
  CHECK(a.history_routes[0].groups.empty());
  REQUIRE(a.history_routes[0].routes.size() == 2);
  CHECK(a.history_routes[0].routes[0].target == 0);
  CHECK(a.history_routes[0].routes[0].probability == 0.25);
  CHECK(a.history_routes[0].routes[1].target == pw::kDischarge);
  CHECK(a.history_routes[1].counted == std::vector<bool>{true, true});
  CHECK(a.history_routes[1].groups == std::vector<bool>{true});
  // Line 28 holds the key: an unknown service, at_least -1, routes that sum to 0.9, and a
  // missing counted, all at once.
  const std::vector<std::string> m =
      messages_of(kByYearHead + "history_routes = [ { service = \"ward\", counted = [\"cmht\"], at_least = -1, "
                                "routes = { front = 0.9 } }, { service = \"cmht\", at_least = 2, routes = { front = 1 } } ]\n",
                  "h.toml");
  std::string all;
  for (const std::string& s : m) all += s + "\n";
  INFO(all);
  REQUIRE(m.size() == 4);
  for (const std::string& s : m) CHECK(s.rfind("h.toml:28:", 0) == 0);
  CHECK(all.find("arms.x.history_routes[0].service: expected") != std::string::npos);
  CHECK(all.find("arms.x.history_routes[0].at_least: expected") != std::string::npos);
  CHECK(all.find("arms.x.history_routes[0].routes") != std::string::npos);
  CHECK(all.find("arms.x.history_routes[1].counted: expected") != std::string::npos);
}

TEST_CASE("Pathway scenario: a service's staff reach the spec, staff on an unlimited service are located",
          "[scenario][capacity]") {
  const std::string staffed = replaced(kByYearHead, "gatekept = true\n",
                                       "gatekept = true\nstaff = { posts = 4, vacancy = 0.25, turnover_per_year = 0.1, "
                                       "recruitment_days = 60, agency_cover = 0.5, agency_premium = 0.6 }\n");
  const auto sc = mhsim::scenario::parse_pathway_scenario(staffed, "s.toml");
  const auto& st = sc.spec.services.at(1).staff;
  REQUIRE(st.has_value());
  CHECK(st->posts == 4);
  CHECK(st->vacancy == 0.25);
  CHECK(st->turnover_per_year == 0.1);
  CHECK(st->recruitment_days == 60);
  CHECK(st->agency_cover == 0.5);
  CHECK(st->agency_premium == 0.6);
  CHECK_FALSE(sc.spec.services.at(0).staff.has_value());
  // The front door has capacity 0 (unlimited): staff cannot set its places. Line 19 is its
  // staff key (the table starts at column 9; recruitment_days' value is at column 41).
  const std::string bad = replaced(kByYearHead, "routes = { cmht = 0.8, discharge = 0.2 }\n",
                                   "routes = { cmht = 0.8, discharge = 0.2 }\nstaff = { posts = 3, recruitment_days = 0 }\n");
  CHECK(messages_of(bad, "s.toml") ==
        std::vector<std::string>{"s.toml:19:41: services.front.staff.recruitment_days: expected a number > 0, got 0"});
  const std::string unlimited = replaced(kByYearHead, "routes = { cmht = 0.8, discharge = 0.2 }\n",
                                         "routes = { cmht = 0.8, discharge = 0.2 }\nstaff = { posts = 3 }\n");
  CHECK(messages_of(unlimited, "s.toml") ==
        std::vector<std::string>{"s.toml:19:9: services.front.staff: expected a service with a finite capacity in every "
                                 "arm that has it (staff set its places), got capacity 0 (unlimited) in arm \"x\""});
}
