// SPDX-License-Identifier: MIT
// Contract terms in pathway scenarios (issue 4): every [[arms.<arm>.contracts]] key reaches
// its field of models::contracts::Terms, the brief's worked example loads from TOML and
// settles to its table, every problem is one located diagnostic (bad corpus:
// tests/data/bad/pathway/contract_*.toml, "# expect:" lines checked by hand against the
// files), and sweeps can set terms by path.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "models/contracts/settlement.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/keys.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace fs = std::filesystem;
namespace ct = mhsim::models::contracts;
namespace pw = mhsim::models::pathway;
using mhsim::scenario::Diagnostic;
using mhsim::scenario::PathwayScenario;
using mhsim::scenario::ScenarioError;
using mhsim::scenario::set_contract_term;

namespace {

constexpr double kPound = 1e-6;

// Partners (index order): trust 0, charity 1, practices 2, council 3. Services: gp 0,
// therapy 1, cmht 2 (trust), recovery 3 (charity), placement 4 (council). Arms: block 0,
// alliance 1. 64 lines: contracts appended start on line 65.
const std::string kBase = R"(model = "pathway"

[run]
seed = 1
replications = 2
years = 2

[population]
size = 100000
group_share = { common = 0.9, severe = 0.1 }

[groups.common]
rate_per_1000_per_year = 10

[groups.severe]
rate_per_1000_per_year = 1

[partners.trust]
kind = "nhs_trust"

[partners.charity]
kind = "vcse"

[partners.practices]
kind = "gp_practices"

[partners.council]
kind = "local_authority"

[services.gp]
kind = "gp"
partner = "practices"
sessions = { distribution = "deterministic", value = 1 }
routes = { therapy = 0.5, discharge = 0.5 }

[services.therapy]
kind = "talking_therapies"
partner = "trust"
sessions = { distribution = "deterministic", value = 6 }

[services.cmht]
kind = "cmht"
partner = "trust"
duration = { distribution = "exponential", mean = 100 }

[services.recovery]
kind = "alliance_support"
partner = "charity"
duration = { distribution = "exponential", mean = 50 }

[services.placement]
kind = "placement"
partner = "council"
duration = { distribution = "exponential", mean = 300 }

[arms.block]
[arms.block.entry]
common = { gp = 1 }
severe = { cmht = 1 }

[arms.alliance]
[arms.alliance.entry]
common = { gp = 1 }
severe = { cmht = 1 }
)";

PathwayScenario load(const std::string& contracts) {
  return mhsim::scenario::parse_pathway_scenario(kBase + contracts, "c.toml");
}

std::vector<std::string> messages_of(const std::string& contracts) {
  try {
    load(contracts);
  } catch (const ScenarioError& e) {
    std::vector<std::string> out;
    for (const Diagnostic& d : e.diagnostics()) out.push_back(d.to_string());
    return out;
  }
  return {};
}

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

template <class T>
const T& terms_of(const PathwayScenario& sc, std::size_t arm, std::size_t contract) {
  REQUIRE(arm < sc.contracts.size());
  REQUIRE(contract < sc.contracts[arm].terms.contracts.size());
  const ct::ContractTerms& t = sc.contracts[arm].terms.contracts[contract].terms;
  REQUIRE(std::holds_alternative<T>(t));
  return std::get<T>(t);
}

// Every contract type, every key (the alliance arm's alliance takes its target from the block arm).
const std::string kAllTypes = R"(
[[arms.block.contracts]]
name = "gp_block"
type = "block"
partner = "practices"
annual = 1200000
indexation = 0.02

[[arms.block.contracts]]
name = "trust_activity"
type = "activity"
partner = "trust"
baseline_payment = 5000000
marginal_rate = 0.5
below_baseline_rate = 0.25
cap = 6000000
floor = 4000000
[[arms.block.contracts.tariffs]]
measure = "contacts"
service = "therapy"
price = 110
baseline_volume = 20000
[[arms.block.contracts.tariffs]]
measure = "days"
price = 30

[[arms.block.contracts]]
name = "charity_capitation"
type = "capitation"
partner = "charity"
per_head = 4.5
need_weights = { common = 1, severe = 5 }
corridor = { width = 0.02, share = 0.5 }

[[arms.block.contracts]]
name = "council_outcomes"
type = "outcomes"
partner = "council"
value = 800000
at_risk = 0.04
mode = "bonus"
[[arms.block.contracts.indicators]]
name = "wellbeing"
kpi = "share_improved"
direction = "higher_is_better"
zero_level = 0.3
full_level = 0.6
weight = 0.75
[[arms.block.contracts.indicators]]
kpi = "mean_wait"
service = "placement"
direction = "lower_is_better"
zero_level = 60
full_level = 20
weight = 0.25

[[arms.alliance.contracts]]
name = "gp_blended"
type = "blended"
partner = "practices"
fixed = 1000000
variable_rate = 0.5
quality_share = 0.0125
value = 1100000
corridor = { width = 0.01, share = 0.25 }
[[arms.alliance.contracts.variable]]
measure = "contacts"
service = "gp"
price = 39
baseline_volume = 25000
[[arms.alliance.contracts.indicators]]
kpi = "referrals"
service = "gp"
direction = "higher_is_better"
zero_level = 100
full_level = 100
weight = 1

[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { arm = "block", percentile = 60, scale = 0.95 }
target_indexation = 0.01
share = 0.4
gain_bands = [ { upper = 0.02, share = 0.5 }, { upper = "none", share = 0.25 } ]
pain_bands = [ { upper = 0.05, share = 0.5 } ]
pain_cap = 0.5
gain_cap = 300000
floor_total = false
reward_pool = 100000
max_liability = 50000
modifier = 0.2
modifier_scope = "both"
gate = true
allocation = "fixed"
shortfall = "reallocate"
[[arms.alliance.contracts.members]]
partner = "trust"
fee = 350000
fee_rate = 0.01
allocation = 0.7
cap = 1
[[arms.alliance.contracts.members]]
partner = "charity"
fee = 100000
allocation = 0.2
[[arms.alliance.contracts.members]]
partner = "council"
fee_rate = 0.05
allocation = 0.1
cap = 0.5
[[arms.alliance.contracts.kras]]
name = "wellbeing"
kpi = "share_improved"
direction = "higher_is_better"
thresholds = [0.3, 0.4, 0.5, 0.6, 0.7]
weight = 0.4
[[arms.alliance.contracts.kras]]
name = "cmht_wait"
kpi = "mean_wait"
service = "cmht"
direction = "lower_is_better"
thresholds = [60, 45, 30, 20, 10]
scores = [-1, -0.6, 0, 0.4, 1]
interpolate = true
weight = 0.6
)";

std::size_t sys(pw::SystemKpi k) { return static_cast<std::size_t>(k); }
std::size_t svc(pw::ServiceKpi k) { return static_cast<std::size_t>(k); }

}  // namespace

TEST_CASE("Contract scenario: every contract type maps every key to its Terms field", "[scenario]") {
  const PathwayScenario sc = load(kAllTypes);
  REQUIRE(sc.contracts.size() == 2);
  CHECK(sc.group_share == std::vector<double>{0.9, 0.1});
  REQUIRE(sc.contracts[0].terms.contracts.size() == 4);
  REQUIRE(sc.contracts[1].terms.contracts.size() == 2);
  CHECK(sc.contracts[0].terms.contracts[0].name == "gp_block");
  CHECK(sc.contracts[0].terms.contracts[1].name == "trust_activity");
  CHECK(sc.contracts[0].terms.contracts[2].name == "charity_capitation");
  CHECK(sc.contracts[0].terms.contracts[3].name == "council_outcomes");
  CHECK(sc.contracts[1].terms.contracts[0].name == "gp_blended");
  CHECK(sc.contracts[1].terms.contracts[1].name == "alliance");
  CHECK_FALSE(sc.contracts[0].target() != nullptr);  // no alliance in the block arm

  const auto& block = terms_of<ct::BlockTerms>(sc, 0, 0);
  CHECK(block.partner == 2);  // practices
  CHECK(block.annual == 1200000.0);
  CHECK(block.indexation == 0.02);

  const auto& activity = terms_of<ct::ActivityTerms>(sc, 0, 1);
  CHECK(activity.partner == 0);  // trust
  CHECK(activity.baseline_payment == 5000000.0);
  CHECK(activity.marginal_rate == 0.5);
  CHECK(activity.below_baseline_rate == 0.25);
  CHECK(activity.cap == std::optional<double>(6000000.0));
  CHECK(activity.floor == std::optional<double>(4000000.0));
  REQUIRE(activity.tariffs.size() == 2);
  CHECK(activity.tariffs[0].measure == pw::Measure::kContacts);
  CHECK(activity.tariffs[0].service == 1);  // therapy
  CHECK(activity.tariffs[0].price == 110.0);
  CHECK(activity.tariffs[0].baseline_volume == 20000.0);
  CHECK(activity.tariffs[1].measure == pw::Measure::kDays);
  CHECK(activity.tariffs[1].service == ct::Tariff::kPartnerServices);  // all the trust's services
  CHECK(activity.tariffs[1].price == 30.0);
  CHECK(activity.tariffs[1].baseline_volume == 0.0);

  const auto& capitation = terms_of<ct::CapitationTerms>(sc, 0, 2);
  CHECK(capitation.partner == 1);  // charity
  CHECK(capitation.per_head == 4.5);
  CHECK(capitation.need_weights == std::vector<double>{1.0, 5.0});  // common, severe
  REQUIRE(capitation.corridor.has_value());
  CHECK(capitation.corridor->width == 0.02);
  CHECK(capitation.corridor->share == 0.5);

  const auto& outcomes = terms_of<ct::OutcomesTerms>(sc, 0, 3);
  CHECK(outcomes.partner == 3);  // council
  CHECK(outcomes.value == 800000.0);
  CHECK(outcomes.at_risk == 0.04);
  CHECK(outcomes.mode == ct::OutcomesTerms::Mode::kBonus);
  REQUIRE(outcomes.indicators.size() == 2);
  const ct::Indicator& wellbeing = outcomes.indicators[0];
  CHECK(wellbeing.name == "wellbeing");
  CHECK(wellbeing.kpi.scope == ct::KpiRef::Scope::kSystem);
  CHECK(wellbeing.kpi.index == sys(pw::SystemKpi::kShareImproved));
  CHECK(wellbeing.direction == ct::Direction::kHigherIsBetter);
  CHECK(wellbeing.zero_level == 0.3);
  CHECK(wellbeing.full_level == 0.6);
  CHECK(wellbeing.weight == 0.75);
  const ct::Indicator& wait = outcomes.indicators[1];
  CHECK(wait.name == "mean_wait");  // defaults to the KPI's name
  CHECK(wait.kpi.scope == ct::KpiRef::Scope::kService);
  CHECK(wait.kpi.index == svc(pw::ServiceKpi::kMeanWait));
  CHECK(wait.kpi.service == 4);  // placement
  CHECK(wait.direction == ct::Direction::kLowerIsBetter);
  CHECK(wait.zero_level == 60.0);
  CHECK(wait.full_level == 20.0);
  CHECK(wait.weight == 0.25);

  const auto& blended = terms_of<ct::BlendedTerms>(sc, 1, 0);
  CHECK(blended.partner == 2);
  CHECK(blended.fixed == 1000000.0);
  CHECK(blended.variable_rate == 0.5);
  CHECK(blended.quality_share == 0.0125);
  CHECK(blended.value == 1100000.0);
  REQUIRE(blended.corridor.has_value());
  CHECK(blended.corridor->width == 0.01);
  CHECK(blended.corridor->share == 0.25);
  REQUIRE(blended.variable.size() == 1);
  CHECK(blended.variable[0].measure == pw::Measure::kContacts);
  CHECK(blended.variable[0].service == 0);  // gp
  CHECK(blended.variable[0].price == 39.0);
  CHECK(blended.variable[0].baseline_volume == 25000.0);  // the planned volume
  REQUIRE(blended.indicators.size() == 1);
  CHECK(blended.indicators[0].kpi.scope == ct::KpiRef::Scope::kService);
  CHECK(blended.indicators[0].kpi.index == svc(pw::ServiceKpi::kReferrals));
  CHECK(blended.indicators[0].kpi.service == 0);
  CHECK(blended.indicators[0].zero_level == 100.0);
  CHECK(blended.indicators[0].full_level == 100.0);
  CHECK(blended.indicators[0].weight == 1.0);

  const auto& al = terms_of<ct::AllianceTerms>(sc, 1, 1);
  REQUIRE(sc.contracts[1].target() != nullptr);
  const ct::TargetRule& rule = *sc.contracts[1].target();
  CHECK(rule.kind == ct::TargetRule::Kind::kArmCost);
  CHECK(rule.arm == 0);
  CHECK(rule.percentile == 60.0);
  CHECK(rule.scale == 0.95);
  CHECK(al.target_cost == 0.0);  // resolved from the block arm's costs after simulation
  CHECK(al.target_indexation == 0.01);
  CHECK(al.share == 0.4);
  REQUIRE(al.gain_bands.size() == 2);
  CHECK(al.gain_bands[0].upper == 0.02);
  CHECK(al.gain_bands[0].share == 0.5);
  CHECK(al.gain_bands[1].upper == std::numeric_limits<double>::infinity());  // "none"
  CHECK(al.gain_bands[1].share == 0.25);
  REQUIRE(al.pain_bands.size() == 1);
  CHECK(al.pain_bands[0].upper == 0.05);
  CHECK(al.pain_bands[0].share == 0.5);
  CHECK(al.pain_cap == std::optional<double>(0.5));
  CHECK(al.gain_cap == std::optional<double>(300000.0));
  CHECK_FALSE(al.floor_total);
  CHECK(al.reward_pool == 100000.0);
  CHECK(al.max_liability == 50000.0);
  CHECK(al.modifier == 0.2);
  CHECK(al.modifier_scope == ct::AllianceTerms::ModifierScope::kBoth);
  CHECK(al.gate);
  CHECK(al.allocation == ct::AllianceTerms::Allocation::kFixed);
  CHECK(al.shortfall == ct::AllianceTerms::Shortfall::kReallocate);
  REQUIRE(al.members.size() == 3);
  CHECK(al.members[0].partner == 0);
  CHECK(al.members[0].fee == 350000.0);
  CHECK(al.members[0].fee_rate == 0.01);
  CHECK(al.members[0].allocation == 0.7);
  CHECK(al.members[0].cap == std::optional<double>(1.0));
  CHECK(al.members[1].partner == 1);
  CHECK(al.members[1].fee == 100000.0);
  CHECK(al.members[1].fee_rate == 0.0);
  CHECK(al.members[1].allocation == 0.2);
  CHECK_FALSE(al.members[1].cap.has_value());
  CHECK(al.members[2].partner == 3);
  CHECK(al.members[2].fee == 0.0);
  CHECK(al.members[2].fee_rate == 0.05);
  CHECK(al.members[2].allocation == 0.1);
  CHECK(al.members[2].cap == std::optional<double>(0.5));
  REQUIRE(al.kras.size() == 2);
  CHECK(al.kras[0].name == "wellbeing");
  CHECK(al.kras[0].kpi.scope == ct::KpiRef::Scope::kSystem);
  CHECK(al.kras[0].kpi.index == sys(pw::SystemKpi::kShareImproved));
  CHECK(al.kras[0].direction == ct::Direction::kHigherIsBetter);
  CHECK(al.kras[0].thresholds == std::array<double, 5>{0.3, 0.4, 0.5, 0.6, 0.7});
  CHECK(al.kras[0].scores == std::array<double, 5>{-1.0, -0.5, 0.0, 0.5, 1.0});  // the default
  CHECK_FALSE(al.kras[0].interpolate);
  CHECK(al.kras[0].weight == 0.4);
  CHECK(al.kras[1].name == "cmht_wait");
  CHECK(al.kras[1].kpi.scope == ct::KpiRef::Scope::kService);
  CHECK(al.kras[1].kpi.index == svc(pw::ServiceKpi::kMeanWait));
  CHECK(al.kras[1].kpi.service == 2);  // cmht
  CHECK(al.kras[1].direction == ct::Direction::kLowerIsBetter);
  CHECK(al.kras[1].thresholds == std::array<double, 5>{60, 45, 30, 20, 10});
  CHECK(al.kras[1].scores == std::array<double, 5>{-1.0, -0.6, 0.0, 0.4, 1.0});
  CHECK(al.kras[1].interpolate);
  CHECK(al.kras[1].weight == 0.6);

  for (const auto& arm : sc.contracts) CHECK(ct::check_terms(arm.terms, 4, 5).empty());
}

TEST_CASE("Contract scenario: keys left out get settlement's defaults", "[scenario]") {
  const PathwayScenario sc = load(R"(
[[arms.block.contracts]]
name = "trust_activity"
type = "activity"
partner = "trust"

[[arms.block.contracts]]
name = "charity_outcomes"
type = "outcomes"
partner = "charity"
value = 1000

[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 66000000 }
pain_cap = "none"
[[arms.alliance.contracts.members]]
partner = "trust"
[[arms.alliance.contracts.members]]
partner = "council"

[[arms.alliance.contracts]]
name = "blended"
type = "blended"
partner = "practices"
fixed = 100
)");
  const auto& activity = terms_of<ct::ActivityTerms>(sc, 0, 0);
  CHECK(activity.tariffs.empty());
  CHECK(activity.baseline_payment == 0.0);
  CHECK(activity.marginal_rate == 1.0);
  CHECK(activity.below_baseline_rate == 0.0);
  CHECK_FALSE(activity.cap.has_value());
  CHECK_FALSE(activity.floor.has_value());
  const auto& outcomes = terms_of<ct::OutcomesTerms>(sc, 0, 1);
  CHECK(outcomes.at_risk == 0.0);
  CHECK(outcomes.mode == ct::OutcomesTerms::Mode::kWithhold);
  CHECK(outcomes.indicators.empty());
  const auto& al = terms_of<ct::AllianceTerms>(sc, 1, 0);
  REQUIRE(sc.contracts[1].target() != nullptr);
  CHECK(sc.contracts[1].target()->kind == ct::TargetRule::Kind::kFixed);
  CHECK(sc.contracts[1].target()->amount == 66000000.0);
  CHECK(al.target_cost == 66000000.0);  // a fixed target is resolved at load
  CHECK(al.target_indexation == 0.0);
  CHECK(al.share == 0.5);
  CHECK(al.gain_bands.empty());
  CHECK(al.pain_bands.empty());
  CHECK_FALSE(al.pain_cap.has_value());  // "none": uncapped
  CHECK_FALSE(al.gain_cap.has_value());
  CHECK(al.floor_total);
  CHECK(al.reward_pool == 0.0);
  CHECK(al.max_liability == 0.0);
  CHECK(al.modifier == 0.0);
  CHECK(al.modifier_scope == ct::AllianceTerms::ModifierScope::kGainOnly);
  CHECK_FALSE(al.gate);
  CHECK(al.allocation == ct::AllianceTerms::Allocation::kBudgetShare);
  CHECK(al.shortfall == ct::AllianceTerms::Shortfall::kCommissioner);
  REQUIRE(al.members.size() == 2);
  CHECK(al.members[1].partner == 3);
  CHECK(al.members[1].fee == 0.0);
  CHECK(al.members[1].fee_rate == 0.0);
  CHECK_FALSE(al.members[1].cap.has_value());
  CHECK(al.kras.empty());
  const auto& blended = terms_of<ct::BlendedTerms>(sc, 1, 1);
  CHECK(blended.variable_rate == 1.0);
  CHECK(blended.quality_share == 0.0);
  CHECK(blended.value == 0.0);
  CHECK_FALSE(blended.corridor.has_value());
  // The default pain cap is kappa = 1 [R1].
  const PathwayScenario one = load(R"(
[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 1 }
[[arms.alliance.contracts.members]]
partner = "trust"
)");
  CHECK(terms_of<ct::AllianceTerms>(one, 1, 0).pain_cap == std::optional<double>(1.0));
  CHECK(one.contracts[0].terms.contracts.empty());  // the block arm is simulated but not settled
}

namespace {
// Brief 2.6 as a scenario: TOC 10.0m, fees 0.35m / 0.10m / 0.05m (F = 0.5m), s = 0.5,
// kappa = 1, KRA pool 0.1m, budget shares 70/20/10 (trust, charity, council).
const std::string kWorkedExample = R"(
[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 10000000 }
share = 0.5
pain_cap = 1
reward_pool = 100000
max_liability = 100000
allocation = "budget_share"
[[arms.alliance.contracts.members]]
partner = "trust"
fee = 350000
[[arms.alliance.contracts.members]]
partner = "charity"
fee = 100000
[[arms.alliance.contracts.members]]
partner = "council"
fee = 50000
[[arms.alliance.contracts.kras]]
name = "wellbeing"
kpi = "share_improved"
direction = "higher_is_better"
thresholds = [0.3, 0.4, 0.5, 0.6, 0.7]
weight = 0.4
[[arms.alliance.contracts.kras]]
name = "readmissions"
kpi = "readmissions"
direction = "lower_is_better"
thresholds = [200, 150, 100, 80, 60]
weight = 0.6
)";

// A year of the alliance arm with actual outturn cost `aoc` split 70/20/10 between trust,
// charity and council; share improved 0.75 (game-breaking, +1) and 90 readmissions
// (minimum, 0), so P = 0.4 x 1 + 0.6 x 0 = +0.4.
ct::YearInput worked_year(const PathwayScenario& sc, double aoc) {
  const std::size_t P = sc.spec.partners.size(), S = sc.spec.services.size();
  ct::YearInput in;
  in.partner_cost = {0.7 * aoc, 0.2 * aoc, 0.0, 0.1 * aoc};
  in.partner_activity.assign(P, {});
  in.service_cost.assign(S, 0.0);
  in.service_activity.assign(S, {});
  for (const auto& s : sc.spec.services) in.service_partner.push_back(s.partner);
  in.kpi.assign(pw::kSystemKpis, 0.0);
  in.kpi[sys(pw::SystemKpi::kShareImproved)] = 0.75;
  in.kpi[sys(pw::SystemKpi::kReadmissions)] = 90;
  in.service_kpi.assign(S * pw::kServiceKpis, 0.0);
  in.population = sc.spec.population.size;
  return in;
}
}  // namespace

TEST_CASE("Contract scenario: brief 2.6 worked example loads and settles to the brief's table", "[scenario]") {
  const PathwayScenario sc = load(kWorkedExample);
  const ct::Terms& terms = sc.contracts[1].terms;
  REQUIRE(ct::check_terms(terms, 4, 5).empty());
  struct Row {
    double aoc, u, g_cost, owner, g_kra, l3, trust, a, b;
  };
  // Brief 2.6, all figures in pounds.
  const std::vector<Row> table = {
      {9.4e6, 0.6e6, 0.30e6, 0.30e6, 0.04e6, 0.34e6, 0.238e6, 0.068e6, 0.034e6},       // underrun
      {10.8e6, -0.8e6, -0.40e6, -0.40e6, 0.04e6, -0.36e6, -0.252e6, -0.072e6, -0.036e6},  // overrun inside the cap
      {11.5e6, -1.5e6, -0.50e6, -1.00e6, 0.04e6, -0.46e6, -0.322e6, -0.092e6, -0.046e6},  // beyond the cap
  };
  for (const Row& row : table) {
    INFO("AOC " << row.aoc);
    const ct::YearPayout out = ct::settle(terms, worked_year(sc, row.aoc));
    CHECK(out.target == Approx(10e6).margin(kPound));
    CHECK(out.fee_total == Approx(0.5e6).margin(kPound));
    CHECK(out.kpi_return == Approx(0.4));
    CHECK(out.underrun == Approx(row.u).margin(kPound));
    CHECK(out.providers_share == Approx(row.g_cost).margin(kPound));
    CHECK(out.commissioner_residual == Approx(row.owner).margin(kPound));
    CHECK(out.kra_component == Approx(row.g_kra).margin(kPound));
    CHECK(out.limb3 == Approx(row.l3).margin(kPound));
    CHECK(out.partners[0].gain_pain == Approx(row.trust).margin(kPound));
    CHECK(out.partners[1].gain_pain == Approx(row.a).margin(kPound));
    CHECK(out.partners[3].gain_pain == Approx(row.b).margin(kPound));
    CHECK(out.partners[2].payment == 0.0);  // practices: in no contract
    CHECK(out.pain_cap_binds == (row.aoc == 11.5e6));
  }
}

TEST_CASE("Contract scenario: every bad contract file reports exactly its expected diagnostics", "[scenario]") {
  const fs::path dir = fs::path(MHSIM_SOURCE_DIR) / "tests" / "data" / "bad" / "pathway";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("contract_", 0) == 0 && entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 11);
  for (const fs::path& file : files) {
    INFO("file: " << file.string());
    const std::vector<std::string> expected = expectations(file);
    REQUIRE_FALSE(expected.empty());
    std::vector<std::string> got;
    try {
      mhsim::scenario::load_pathway_scenario(file.string());
    } catch (const ScenarioError& e) {
      for (const Diagnostic& d : e.diagnostics()) got.push_back(d.to_string());
    }
    std::vector<std::string> want;
    for (const std::string& e : expected) want.push_back(file.string() + ":" + e);
    CHECK(got == want);
  }
}

TEST_CASE("Contract scenario: more located errors, all reported at once", "[scenario]") {
  // Contracts start on line 66 (line 65 is blank).
  CHECK(messages_of(R"(
[[arms.block.contracts]]
name = ""
type = "block"
partner = "trust"
annual = 5
[[arms.block.contracts.kras]]
name = "x"

[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 10, percentile = 50 }
allocation = "fixed"
members = []
[[arms.alliance.contracts.kras]]
name = "k"
kpi = "mean_wait"
service = "gp"
direction = "sideways"
thresholds = [1, 2, 3, 4, 5]
scores = [-1, 0, 1]
weight = 1
)") == std::vector<std::string>{
            "c.toml:67:8: arms.block.contracts[0].name: expected a non-empty name, got the string \"\"",
            "c.toml:71:24: arms.block.contracts[0].kras: expected one of name, type, partner, annual, indexation, funders, one_off_costs, services (the "
            "keys of a block contract), got an unknown key \"kras\"",
            "c.toml:77:37: arms.alliance.contracts[0].target.percentile: expected no percentile with a fixed target "
            "(percentile and scale go with arm), got 50",
            "c.toml:79:11: arms.alliance.contracts[0].members: expected at least one member, got none",
            "c.toml:84:13: arms.alliance.contracts[0].kras[0].direction: expected one of \"higher_is_better\", "
            "\"lower_is_better\", got the string \"sideways\"",
            "c.toml:86:10: arms.alliance.contracts[0].kras[0].scores: expected exactly 5 scores (failure, poor, "
            "minimum, stretch, game_breaking), got 3 numbers",
        });
  // Group shares must sum to 1.
  std::string base = kBase;
  const std::string shares = "group_share = { common = 0.9, severe = 0.1 }";
  base.replace(base.find(shares), shares.size(), "group_share = { common = 0.9, severe = 0.2 }");
  try {
    mhsim::scenario::parse_pathway_scenario(base, "c.toml");
    FAIL("no error");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].to_string() ==
          "c.toml:10:15: population.group_share: expected shares that sum to 1, got a sum of 1.1");
  }
}

TEST_CASE("Contract scenario: set_contract_term sets each term by path", "[scenario]") {
  PathwayScenario sc = load(kAllTypes);
  const auto set = [&](const std::string& path, double v) { return set_contract_term(sc, path, v); };
  CHECK_FALSE(set("arms.block.contracts.gp_block.annual", 1.5e6));
  CHECK_FALSE(set("arms.block.contracts.gp_block.indexation", 0.03));
  CHECK(terms_of<ct::BlockTerms>(sc, 0, 0).annual == 1.5e6);
  CHECK(terms_of<ct::BlockTerms>(sc, 0, 0).indexation == 0.03);

  CHECK_FALSE(set("arms.block.contracts.trust_activity.marginal_rate", 0.75));
  CHECK_FALSE(set("arms.block.contracts.trust_activity.baseline_payment", 4.5e6));
  CHECK_FALSE(set("arms.block.contracts.trust_activity.below_baseline_rate", 0.1));
  CHECK_FALSE(set("arms.block.contracts.trust_activity.floor", 1e6));
  CHECK_FALSE(set("arms.block.contracts.trust_activity.cap", std::numeric_limits<double>::infinity()));
  const auto& activity = terms_of<ct::ActivityTerms>(sc, 0, 1);
  CHECK(activity.marginal_rate == 0.75);
  CHECK(activity.baseline_payment == 4.5e6);
  CHECK(activity.below_baseline_rate == 0.1);
  CHECK(activity.floor == std::optional<double>(1e6));
  CHECK_FALSE(activity.cap.has_value());  // +inf removes the cap

  CHECK_FALSE(set("arms.block.contracts.charity_capitation.per_head", 5.5));
  CHECK_FALSE(set("arms.block.contracts.charity_capitation.corridor.width", 0.03));
  CHECK_FALSE(set("arms.block.contracts.charity_capitation.corridor.share", 0.4));
  const auto& capitation = terms_of<ct::CapitationTerms>(sc, 0, 2);
  CHECK(capitation.per_head == 5.5);
  CHECK(capitation.corridor->width == 0.03);
  CHECK(capitation.corridor->share == 0.4);

  CHECK_FALSE(set("arms.block.contracts.council_outcomes.at_risk", 0.2));
  CHECK_FALSE(set("arms.block.contracts.council_outcomes.value", 9e5));
  CHECK(terms_of<ct::OutcomesTerms>(sc, 0, 3).at_risk == 0.2);
  CHECK(terms_of<ct::OutcomesTerms>(sc, 0, 3).value == 9e5);

  CHECK_FALSE(set("arms.alliance.contracts.gp_blended.quality_share", 0.025));
  CHECK_FALSE(set("arms.alliance.contracts.gp_blended.variable_rate", 0.8));
  CHECK_FALSE(set("arms.alliance.contracts.gp_blended.fixed", 2e6));
  CHECK_FALSE(set("arms.alliance.contracts.gp_blended.value", 3e6));
  const auto& blended = terms_of<ct::BlendedTerms>(sc, 1, 0);
  CHECK(blended.quality_share == 0.025);
  CHECK(blended.variable_rate == 0.8);
  CHECK(blended.fixed == 2e6);
  CHECK(blended.value == 3e6);

  const std::string a = "arms.alliance.contracts.alliance.";
  // Both sides of this alliance are split by bands, so its flat share is never read: setting
  // it would change nothing, and is refused (issue 16); a band's share is set instead.
  CHECK(set(a + "share", 0.3) ==
        std::optional<std::string>(a + "share: this contract splits both under- and overruns by gain_bands and "
                                       "pain_bands, so share is never read; set a band's share (e.g. gain_bands[0].share)"));
  CHECK_FALSE(set(a + "gain_bands[1].share", 0.3));
  CHECK_FALSE(set(a + "pain_bands[0].share", 0.35));
  CHECK_FALSE(set(a + "pain_cap", 2));
  CHECK_FALSE(set(a + "gain_cap", std::numeric_limits<double>::infinity()));
  CHECK_FALSE(set(a + "target_scale", 0.9));
  CHECK_FALSE(set(a + "target_percentile", 75));
  CHECK_FALSE(set(a + "target_indexation", 0.02));
  CHECK_FALSE(set(a + "reward_pool", 2e5));
  CHECK_FALSE(set(a + "max_liability", 1e5));
  CHECK_FALSE(set(a + "modifier", 0.1));
  CHECK_FALSE(set(a + "members.trust.fee", 4e5));
  CHECK_FALSE(set(a + "members.council.fee_rate", 0.03));
  CHECK_FALSE(set(a + "members.charity.cap", 1.5));
  CHECK_FALSE(set(a + "members.trust.allocation", 0.6));
  CHECK_FALSE(set(a + "members.charity.allocation", 0.3));
  CHECK_FALSE(set(a + "kras.cmht_wait.thresholds.stretch", 25));
  CHECK_FALSE(set(a + "kras.wellbeing.thresholds.game_breaking", 0.8));
  CHECK_FALSE(set(a + "kras.wellbeing.weight", 0.4));
  const auto& al = terms_of<ct::AllianceTerms>(sc, 1, 1);
  CHECK(al.share == 0.4);  // as written
  CHECK(al.gain_bands[1].share == 0.3);
  CHECK(al.pain_bands[0].share == 0.35);
  CHECK(al.pain_cap == std::optional<double>(2.0));
  CHECK_FALSE(al.gain_cap.has_value());
  CHECK(sc.contracts[1].target()->scale == 0.9);
  CHECK(sc.contracts[1].target()->percentile == 75.0);
  CHECK(al.target_indexation == 0.02);
  CHECK(al.reward_pool == 2e5);
  CHECK(al.max_liability == 1e5);
  CHECK(al.modifier == 0.1);
  CHECK(al.members[0].fee == 4e5);
  CHECK(al.members[2].fee_rate == 0.03);
  CHECK(al.members[1].cap == std::optional<double>(1.5));
  CHECK(al.members[0].allocation == 0.6);
  CHECK(al.members[1].allocation == 0.3);
  CHECK(al.kras[1].thresholds[3] == 25.0);
  CHECK(al.kras[0].thresholds[4] == 0.8);
  CHECK(al.kras[0].weight == 0.4);
  for (const auto& arm : sc.contracts) CHECK(ct::check_terms(arm.terms, 4, 5).empty());

  // A fixed target replaces the rule that set it from the block arm.
  CHECK_FALSE(set(a + "target", 3.3e7));
  CHECK(sc.contracts[1].target()->kind == ct::TargetRule::Kind::kFixed);
  CHECK(sc.contracts[1].target()->amount == 3.3e7);
  CHECK(al.target_cost == 3.3e7);

  // The caller re-runs check_terms: a weight that breaks the sum is its to find.
  CHECK_FALSE(set(a + "kras.wellbeing.weight", 0.5));
  CHECK(ct::check_terms(sc.contracts[1].terms, 4, 5) ==
        std::vector<std::string>{"contract 1 \"alliance\" (alliance): KRA weights sum to 1.1, but must sum to 1"});
}

TEST_CASE("Contract scenario: set_contract_term names the path and what is settable there", "[scenario]") {
  PathwayScenario sc = load(kAllTypes);
  const PathwayScenario before = sc;
  const auto set = [&](const std::string& path, double v) { return set_contract_term(sc, path, v).value_or(""); };
  const std::string a = "arms.alliance.contracts.alliance.";
  CHECK(set("arm.block.contracts.gp_block.annual", 1) ==
        "arm.block.contracts.gp_block.annual: expected a path of the form arms.<arm>.contracts.<contract>.<term>");
  // Each names the path, what is not there, and what is.
  const std::string term = "expected arms.<arm>.contracts.<contract>.<term> naming a term of the scenario (";
  CHECK(set("arms.blok.contracts.gp_block.annual", 1) ==
        "arms.blok.contracts.gp_block.annual: " + term + "no arm named \"blok\" (one of \"block\", \"alliance\"))");
  CHECK(set("arms.block.contracts.gp.annual", 1) ==
        "arms.block.contracts.gp.annual: " + term + "no contracts named \"gp\" (one of \"gp_block\", \"trust_activity\", "
        "\"charity_capitation\", \"council_outcomes\"))");
  CHECK(set("arms.block.contracts.gp_block.share", 1) ==
        "arms.block.contracts.gp_block.share: " + term +
            "no key \"share\" in arms.block.contracts.gp_block (its keys: name, type, partner, annual, indexation, funders, one_off_costs, services))");
  CHECK(set("arms.block.contracts.council_outcomes.mode", 1) ==
        "arms.block.contracts.council_outcomes.mode: expected one of \"bonus\", \"withhold\", got 1");
  CHECK(set(a + "fee", 1) ==
        a + "fee: " + term +
            "no key \"fee\" in arms.alliance.contracts.alliance (its keys: name, type, target, target_indexation, share, "
            "gain_bands, pain_bands, pain_cap, gain_cap, pain_cap_of_target, gain_cap_of_target, floor_total, "
            "reward_pool, max_liability, modifier, "
            "modifier_scope, gate, allocation, shortfall, retention, pain_cap_life, settlement, carry_forward, "
            "pool_pain_cap_life, pool_gain_cap_life, rebase_every, rebase_weight, interim, reconciliation_lag, "
            "residual_split, members, kras, funders, one_off_costs, "
            "services))");
  CHECK(set(a + "members.practices.fee", 1) ==
        a + "members.practices.fee: " + term + "no members named \"practices\" (one of \"trust\", \"charity\", \"council\"))");
  CHECK(set(a + "members.trust.share", 1) ==
        a + "members.trust.share: " + term +
            "no key \"share\" in arms.alliance.contracts.alliance.members.trust (its keys: partner, fee, fee_rate, "
            "fee_of_target, allocation, cap))");
  CHECK(set(a + "kras.waits.weight", 1) ==
        a + "kras.waits.weight: " + term + "no kras named \"waits\" (one of \"wellbeing\", \"cmht_wait\"))");
  CHECK(set(a + "kras.wellbeing.thresholds.great", 1) ==
        a + "kras.wellbeing.thresholds.great: " + term +
            "an element of thresholds (thresholds[i], or thresholds.<one of \"failure\", \"poor\", \"minimum\", "
            "\"stretch\", \"game_breaking\">))");
  CHECK(set(a + "kras.wellbeing.scores", 1) == a + "kras.wellbeing.scores: " + term + "an element of scores (scores[i]))");
  CHECK(set(a + "target_percentile", 101) == a + "target_percentile: expected a number in [0, 100], got 101");
  CHECK(set(a + "share", std::nan("")) == a + "share: the value is not a number");
  CHECK(set(a + "target", -1) == a + "target: a fixed target must be a finite number >= 0");
  // Nothing was changed by the failed calls.
  CHECK(terms_of<ct::AllianceTerms>(sc, 1, 1).share == terms_of<ct::AllianceTerms>(before, 1, 1).share);
  CHECK(sc.contracts[1].target()->kind == ct::TargetRule::Kind::kArmCost);

  // A fixed target has no scale or percentile; a corridor term needs a corridor; an arm
  // without contracts has nothing to set.
  PathwayScenario worked = load(kWorkedExample);
  CHECK(set_contract_term(worked, a + "target_scale", 0.9).value_or("") ==
        a + "target_scale: target_scale applies to a target set from another arm; this one is fixed (set target)");
  CHECK(set_contract_term(worked, "arms.block.contracts.x.annual", 1).value_or("") ==
        "arms.block.contracts.x.annual: " + term + "no contracts named \"x\" (there are none))");
  CHECK(set_contract_term(worked, a + "members.trust.allocation", 0.5).value_or("") ==
        a + "members.trust.allocation: member allocations apply only with allocation = \"fixed\"");
  PathwayScenario plain = load(R"(
[[arms.block.contracts]]
name = "cap"
type = "capitation"
partner = "charity"
per_head = 1
)");
  CHECK(set_contract_term(plain, "arms.block.contracts.cap.corridor.width", 0.1).value_or("") ==
        "arms.block.contracts.cap.corridor.width: " + term + "no corridor in the file)");
}

TEST_CASE("Contract scenario: names with dots are matched whole", "[scenario]") {
  PathwayScenario sc = load(R"(
[[arms.block.contracts]]
name = "gp.block"
type = "block"
partner = "practices"
annual = 1

[[arms.block.contracts]]
name = "gp"
type = "block"
partner = "trust"
annual = 2
)");
  CHECK_FALSE(set_contract_term(sc, "arms.block.contracts.gp.block.annual", 10));
  CHECK_FALSE(set_contract_term(sc, "arms.block.contracts.gp.annual", 20));
  CHECK(terms_of<ct::BlockTerms>(sc, 0, 0).annual == 10.0);
  CHECK(terms_of<ct::BlockTerms>(sc, 0, 1).annual == 20.0);
}

TEST_CASE("Contract scenario: the shipped scenarios' contracts", "[scenario]") {
  const auto sc = mhsim::scenario::load_pathway_scenario(std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml");
  const std::size_t P = sc.spec.partners.size(), S = sc.spec.services.size();
  REQUIRE(sc.spec.arms.size() == 2);
  REQUIRE(sc.contracts.size() == 2);
  // Between its two arms the default settles every contract type (issue 4's "done when").
  std::set<std::size_t> types;
  for (const ct::ArmContracts& arm : sc.contracts) {
    for (const ct::Contract& c : arm.terms.contracts) types.insert(c.terms.index());
  }
  CHECK(types.size() == std::variant_size_v<ct::ContractTerms>);
  // Block arm: a contract for every provider (block, capitation, blended), and the independent
  // sector paid per bed day.
  const ct::Terms& block = sc.contracts[0].terms;
  REQUIRE(block.contracts.size() == 4);
  std::vector<bool> paid(P, false);
  for (const ct::Contract& c : block.contracts) {
    std::visit(
        [&](const auto& t) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(t)>, ct::AllianceTerms>) paid[t.partner] = true;
        },
        c.terms);
  }
  // certitude has no services in this arm; the acute trust, ambulance service and police bear
  // the costs of unmet need and are in no contract (issue 14).
  CHECK(paid == std::vector<bool>{true, true, false, true, true, false, false, false});
  CHECK(std::holds_alternative<ct::ActivityTerms>(block.contracts[3].terms));
  CHECK(ct::check_terms(block, P, S).empty());
  CHECK_FALSE(sc.contracts[0].target() != nullptr);

  // Living Well arm: the alliance takes its target from the block arm's P50 [R1].
  const ct::ArmContracts& lw = sc.contracts[1];
  CHECK(ct::check_terms(lw.terms, P, S).empty());
  REQUIRE(lw.target() != nullptr);
  CHECK(lw.target()->kind == ct::TargetRule::Kind::kArmCost);
  CHECK(lw.target()->arm == 0);
  CHECK(lw.target()->percentile == 50.0);
  CHECK(lw.target()->scale == 1.0);
  const ct::AllianceTerms* al = nullptr;
  for (const ct::Contract& c : lw.terms.contracts) {
    if (const auto* t = std::get_if<ct::AllianceTerms>(&c.terms)) al = t;
  }
  REQUIRE(al != nullptr);
  CHECK(al->share == 0.5);
  CHECK(al->pain_cap == std::optional<double>(1.0));
  CHECK(al->allocation == ct::AllianceTerms::Allocation::kBudgetShare);
  CHECK(al->shortfall == ct::AllianceTerms::Shortfall::kCommissioner);
  CHECK(al->members.size() == 3);
  CHECK(al->kras.size() == 4);
  CHECK(al->reward_pool > 0);

  // The minimal example settles too.
  const auto minimal =
      mhsim::scenario::load_pathway_scenario(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/pathway_minimal.toml");
  REQUIRE(minimal.contracts.size() == 2);
  for (const auto& arm : minimal.contracts) {
    CHECK_FALSE(arm.terms.contracts.empty());
    CHECK(ct::check_terms(arm.terms, minimal.spec.partners.size(), minimal.spec.services.size()).empty());
  }
}

TEST_CASE("Contract scenario: the contract keys are declared for pathway scenarios only", "[scenario]") {
  using mhsim::scenario::KeyModel;
  std::size_t n = 0;
  for (const auto& k : mhsim::scenario::all_keys()) {
    if (k.path.rfind("arms.<name>.contracts", 0) != 0) continue;
    INFO(k.path);
    ++n;
    CHECK(k.model == KeyModel::kPathway);
    CHECK_FALSE(k.doc.empty());
  }
  CHECK(n >= 60);
  CHECK(mhsim::scenario::key("arms.<name>.contracts.pain_cap").expectation() == "a number in [0, 100], or \"none\"");
  const std::string md = mhsim::scenario::keys_markdown();
  CHECK(md.find("| `arms.<name>.contracts.pain_cap` | number or \"none\" |") != std::string::npos);
  CHECK(md.find("| `population.group_share` |") != std::string::npos);
}

TEST_CASE("Contract scenario: a partner holds several contracts scoped to services", "[scenario][scoped]") {
  // The trust and the charity in an alliance over cmht and recovery; the trust's therapy on
  // a block (its contract without services covers the rest).
  const PathwayScenario sc = load(R"(
[[arms.alliance.contracts]]
name = "recovery_alliance"
type = "alliance"
services = ["cmht", "recovery"]
target = { fixed = 1000000 }
[[arms.alliance.contracts.members]]
partner = "trust"
fee = 10000
[[arms.alliance.contracts.members]]
partner = "charity"

[[arms.alliance.contracts]]
name = "therapy_block"
type = "block"
partner = "trust"
annual = 500000
)");
  const ct::Terms& terms = sc.contracts[1].terms;
  REQUIRE(terms.contracts.size() == 2);
  CHECK(terms.contracts[0].services == std::vector<bool>{false, false, true, true, false});
  CHECK_FALSE(terms.contracts[1].scoped());
  // gp -> no contract (practices unpaid), therapy -> block, cmht and recovery -> alliance.
  CHECK(ct::covering(terms, {2, 0, 0, 1, 3}) ==
        std::vector<std::size_t>{ct::kNoContract, 1, 0, 0, ct::kNoContract});
  // An unknown service is reported alone: the scope's other checks need the list read.
  CHECK(messages_of(R"(
[[arms.alliance.contracts]]
name = "a"
type = "block"
partner = "trust"
annual = 1
services = ["cmht", "nowhere"]
)") == std::vector<std::string>{"c.toml:71:21: arms.alliance.contracts[0].services[1]: expected the name of a service (one of "
                                "\"gp\", \"therapy\", \"cmht\", \"recovery\", \"placement\"), got an unknown service "
                                "\"nowhere\""});
  // Every other problem with scopes, located, at once (contracts start on line 66; the
  // uncovered services are reported at the arm's first contract and sort first).
  CHECK(messages_of(R"(
[[arms.alliance.contracts]]
name = "recovery_alliance"
type = "alliance"
services = ["cmht", "gp"]
target = { fixed = 1000000 }
[[arms.alliance.contracts.members]]
partner = "trust"
[[arms.alliance.contracts.members]]
partner = "charity"

[[arms.alliance.contracts]]
name = "empty"
type = "block"
partner = "council"
annual = 1
services = []

[[arms.alliance.contracts]]
name = "therapy"
type = "activity"
partner = "trust"
services = ["cmht"]
[[arms.alliance.contracts.tariffs]]
measure = "contacts"
service = "therapy"
price = 10
)") == std::vector<std::string>{
            "c.toml:66:1: arms.alliance.contracts: expected each service of partner \"trust\" in one contract of arm "
            "\"alliance\" (name it in a contract's services, or give the partner a contract without services), got "
            "the service \"therapy\" in none",
            "c.toml:66:1: arms.alliance.contracts: expected each service of partner \"charity\" in one contract of arm "
            "\"alliance\" (name it in a contract's services, or give the partner a contract without services), got "
            "the service \"recovery\" in none",
            "c.toml:69:12: arms.alliance.contracts[0].services: expected services of the partner(s) the contract "
            "pays, got the service \"gp\", of partner \"practices\", which it does not pay",
            "c.toml:81:12: arms.alliance.contracts[1].services: expected at least one service, got an empty list",
            "c.toml:87:12: arms.alliance.contracts[2].services: expected a service in no other contract's services, "
            "got \"cmht\", already in the services of contract \"recovery_alliance\"",
            "c.toml:90:11: arms.alliance.contracts[2].tariffs[0].service: expected one of the contract's services "
            "(\"cmht\"), got the service \"therapy\", which another contract covers",
        });
}

TEST_CASE("Contract scenario: tiered corridors and caps and fees of the target reach their fields", "[scenario][tiers]") {
  const PathwayScenario sc = load(R"(
[[arms.block.contracts]]
name = "charity_capitation"
type = "capitation"
partner = "charity"
per_head = 10
corridor = { over = [ { upper = 0.02, share = 0 }, { upper = "none", share = 0.75 } ], under = [ { upper = 0.05, share = 0.25 } ] }

[[arms.block.contracts]]
name = "gp_blended"
type = "blended"
partner = "practices"
fixed = 1000000
corridor = { width = 0.01, share = 0.5, under = [ { upper = 0.1, share = 1 } ] }

[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 1000000 }
pain_cap_of_target = 0.05
gain_cap_of_target = 0.06
[[arms.alliance.contracts.members]]
partner = "trust"
fee_of_target = 0.03
)");
  const auto& cap = terms_of<ct::CapitationTerms>(sc, 0, 0);
  REQUIRE(cap.corridor.has_value());
  REQUIRE(cap.corridor->over.size() == 2);
  CHECK(cap.corridor->over[0].upper == 0.02);
  CHECK(cap.corridor->over[0].share == 0.0);
  CHECK(cap.corridor->over[1].upper == std::numeric_limits<double>::infinity());
  CHECK(cap.corridor->over[1].share == 0.75);
  REQUIRE(cap.corridor->under.size() == 1);
  CHECK(cap.corridor->under[0].share == 0.25);
  const auto& blended = terms_of<ct::BlendedTerms>(sc, 0, 1);
  CHECK(blended.corridor->width == 0.01);
  CHECK(blended.corridor->over.empty());
  CHECK(blended.corridor->under.size() == 1);
  const auto& al = terms_of<ct::AllianceTerms>(sc, 1, 0);
  CHECK(al.pain_cap_of_target == std::optional<double>(0.05));
  CHECK(al.gain_cap_of_target == std::optional<double>(0.06));
  CHECK(al.members[0].fee_of_target == 0.03);
  // Width and share are required unless both sides have tiers (contracts start on line 66).
  CHECK(messages_of(R"(
[[arms.block.contracts]]
name = "charity_capitation"
type = "capitation"
partner = "charity"
per_head = 10
corridor = { over = [ { upper = 0.02, share = 0 } ], share = 0.5 }
)") == std::vector<std::string>{"c.toml:71:12: arms.block.contracts[0].corridor.width: expected a number in [0, 1] "
                                "(width is required unless both over and under are given), got nothing (the key is "
                                "missing)"});
}

TEST_CASE("Contract scenario: commissioners pool a budget with funders and a residual split", "[scenario][pooled]") {
  const PathwayScenario sc = load(R"(
[commissioners.icb]
description = "integrated care board"
[commissioners.council]

[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 1000000 }
funders = { icb = 0.8, council = 0.2 }
residual_split = { icb = 0.5, council = 0.5 }
[[arms.alliance.contracts.members]]
partner = "trust"

[[arms.alliance.contracts]]
name = "placements"
type = "block"
partner = "council"
annual = 100
funders = { council = 1 }
)");
  REQUIRE(sc.commissioners.size() == 2);
  CHECK(sc.commissioners[0].name == "icb");
  CHECK(sc.commissioners[0].description == "integrated care board");
  CHECK(sc.commissioners[1].name == "council");
  const ct::Terms& terms = sc.contracts[1].terms;
  CHECK(terms.contracts[0].funders == std::vector<double>{0.8, 0.2});
  CHECK(terms_of<ct::AllianceTerms>(sc, 1, 0).residual_split == std::vector<double>{0.5, 0.5});
  CHECK(terms.contracts[1].funders == std::vector<double>{0.0, 1.0});
  CHECK(ct::commissioners(terms) == 2);
  CHECK(ct::commissioners(sc.contracts[0].terms) == 1);  // the block arm has no contracts
  // Shares that do not sum to 1, and a commissioner the file does not declare (line 66 on).
  CHECK(messages_of(R"(
[commissioners.icb]
[commissioners.council]

[[arms.alliance.contracts]]
name = "placements"
type = "block"
partner = "council"
annual = 100
funders = { icb = 0.5, council = 0.4 }

[[arms.alliance.contracts]]
name = "therapy"
type = "block"
partner = "trust"
annual = 100
funders = { nhse = 1 }
)") == std::vector<std::string>{
            "c.toml:74:11: arms.alliance.contracts[0].funders: expected funders' shares that sum to 1, got a sum of 0.9",
            "c.toml:81:13: arms.alliance.contracts[1].funders.nhse: expected a commissioner (one of \"icb\", "
            "\"council\"), got an unknown commissioner \"nhse\""});
}

TEST_CASE("Contract scenario: an agreement's pool keys reach their fields and are checked where written",
          "[scenario][pool]") {
  const PathwayScenario sc = load(R"(
[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 1000000 }
settlement = "cumulative"
pool_pain_cap_life = 0.5
pool_gain_cap_life = 250000
rebase_every = 2
rebase_weight = 0.5
[[arms.alliance.contracts.members]]
partner = "trust"
)");
  const auto& al = terms_of<ct::AllianceTerms>(sc, 1, 0);
  CHECK(al.settlement == ct::AllianceTerms::Settlement::kCumulative);
  CHECK_FALSE(al.carry_forward);
  CHECK(al.pool_pain_cap_life == std::optional<double>(0.5));
  CHECK(al.pool_gain_cap_life == std::optional<double>(250000));
  CHECK(al.rebase_every == 2);
  CHECK(al.rebase_weight == 0.5);
  // Defaults: annual, no carry forward, no pool caps, never rebased.
  const PathwayScenario plain_sc = load(R"(
[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 1000000 }
carry_forward = true
[[arms.alliance.contracts.members]]
partner = "trust"
)");
  const auto& plain = terms_of<ct::AllianceTerms>(plain_sc, 1, 0);
  CHECK(plain.settlement == ct::AllianceTerms::Settlement::kAnnual);
  CHECK(plain.carry_forward);
  CHECK_FALSE(plain.pool_pain_cap_life.has_value());
  CHECK(plain.rebase_every == 0);
  CHECK_FALSE(plain.interim);
  CHECK(plain.reconciliation_lag == 1);
  const PathwayScenario paid_sc = load(R"(
[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 1000000 }
interim = true
reconciliation_lag = 0
[[arms.alliance.contracts.members]]
partner = "trust"
)");
  const auto& paid = terms_of<ct::AllianceTerms>(paid_sc, 1, 0);
  CHECK(paid.interim);
  CHECK(paid.reconciliation_lag == 0);
  // A lag without payments on account is refused where it is written (line 70).
  CHECK(messages_of(R"(
[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 1000000 }
reconciliation_lag = 2
[[arms.alliance.contracts.members]]
partner = "trust"
)") == std::vector<std::string>{"c.toml:70:22: arms.alliance.contracts[0].reconciliation_lag: expected no "
                                "reconciliation_lag without interim = true (nothing is paid on account), got 2"});
  // Carry forward with cumulative settlement, a weight without a rebase, a bad choice and a
  // fractional year, all at once and located (contracts start on line 66).
  CHECK(messages_of(R"(
[[arms.alliance.contracts]]
name = "alliance"
type = "alliance"
target = { fixed = 1000000 }
settlement = "cumulative"
carry_forward = true
rebase_weight = 0.5
[[arms.alliance.contracts.members]]
partner = "trust"

[[arms.block.contracts]]
name = "other"
type = "alliance"
target = { fixed = 1000000 }
settlement = "yearly"
rebase_every = 1.5
[[arms.block.contracts.members]]
partner = "charity"
)") == std::vector<std::string>{
            "c.toml:71:17: arms.alliance.contracts[0].carry_forward: expected no carry_forward with settlement = "
            "\"cumulative\" (cumulative settlement already pays or charges what a cap held back once the position to "
            "date comes back inside it), got true",
            "c.toml:72:17: arms.alliance.contracts[0].rebase_weight: expected no rebase_weight without rebase_every (the "
            "target is never rebased), got 0.5",
            "c.toml:80:14: arms.block.contracts[0].settlement: expected one of \"annual\", \"cumulative\", got the string "
            "\"yearly\"",
            "c.toml:81:16: arms.block.contracts[0].rebase_every: expected an integer in [0, 100], got 1.5"});
}

TEST_CASE("Contract scenario: contract_term_value reads the number set_contract_term sets, changing nothing",
          "[scenario]") {
  using mhsim::scenario::contract_term_value;
  PathwayScenario sc = load(kAllTypes);
  const std::string a = "arms.alliance.contracts.alliance.";
  // As written in kAllTypes: pain_cap = 0.5, the target from the block arm (not a number).
  CHECK(contract_term_value(sc, a + "pain_cap") == std::optional<double>(0.5));
  CHECK_FALSE(contract_term_value(sc, a + "target").has_value());
  CHECK(contract_term_value(sc, a + "target_percentile") == std::optional<double>(60));
  CHECK(contract_term_value(sc, a + "target_scale") == std::optional<double>(0.95));
  CHECK(terms_of<ct::AllianceTerms>(sc, 1, 1).pain_cap == std::optional<double>(0.5));  // reading changed nothing
  CHECK(sc.contracts[1].target()->kind == ct::TargetRule::Kind::kArmCost);
  // Each value set is the value read.
  for (const auto& [path, v] : std::vector<std::pair<std::string, double>>{
           {"arms.block.contracts.gp_block.annual", 1.5e6}, {a + "pain_cap", 2}, {a + "members.trust.fee", 4e5},
           {a + "kras.wellbeing.weight", 0.4}, {a + "target_percentile", 75}, {a + "target", 3.3e7}}) {
    INFO(path);
    REQUIRE_FALSE(mhsim::scenario::set_contract_term(sc, path, v));
    CHECK(contract_term_value(sc, path) == std::optional<double>(v));
  }
  // A limit removed reads as no finite number; a path that names no term reads as nothing.
  REQUIRE_FALSE(mhsim::scenario::set_contract_term(sc, a + "gain_cap", std::numeric_limits<double>::infinity()));
  const std::optional<double> none = contract_term_value(sc, a + "gain_cap");
  CHECK((!none || std::isinf(*none)));
  CHECK_FALSE(contract_term_value(sc, "arms.blok.contracts.gp_block.annual").has_value());
  CHECK_FALSE(contract_term_value(sc, "arms.block.contracts.gp_block.share").has_value());
}

TEST_CASE("Contract scenario: one-off costs reach the arm, their contract says inside or outside, errors located",
          "[scenario][transition]") {
  // kBase has 64 lines; the appended text starts on line 65.
  const PathwayScenario sc = load(R"(
[[arms.alliance.one_off_costs]]
service = "recovery"
day = 30
amount = 250000
what = "premises and recruitment"

[[arms.alliance.contracts]]
name = "charity_block"
type = "block"
partner = "charity"
annual = 1000000
one_off_costs = "outside"

[[arms.alliance.contracts]]
name = "trust_block"
type = "block"
partner = "trust"
annual = 2000000
)");
  const pw::ArmSpec& arm = sc.spec.arms.at(1);
  REQUIRE(arm.one_off_costs.size() == 1);
  CHECK(arm.one_off_costs[0].service == 3);
  CHECK(arm.one_off_costs[0].day == 30);
  CHECK(arm.one_off_costs[0].amount == 250000);
  CHECK(arm.one_off_costs[0].what == "premises and recruitment");
  CHECK(sc.spec.arms.at(0).one_off_costs.empty());
  const auto& contracts = sc.contracts.at(1).terms.contracts;
  CHECK(contracts.at(0).one_off == ct::OneOffCosts::kOutside);
  CHECK(contracts.at(1).one_off == ct::OneOffCosts::kInside);  // the default

  // Located, all at once: a service the arm does not have is refused by name, a day past
  // the run (2 years: day 730), a negative amount and an unknown placement of the costs.
  const std::vector<std::string> m = messages_of(R"(
[[arms.alliance.one_off_costs]]
service = "nowhere"
day = 730
amount = -5

[[arms.alliance.contracts]]
name = "charity_block"
type = "block"
partner = "charity"
annual = 1000000
one_off_costs = "beside"
)");
  std::string all;
  for (const std::string& x : m) all += x + "\n";
  INFO(all);
  CHECK(all.find("c.toml:67:11: arms.alliance.one_off_costs[0].service: expected") != std::string::npos);
  CHECK(all.find("c.toml:69:10: arms.alliance.one_off_costs[0].amount: expected a number in [0, ") != std::string::npos);
  CHECK(all.find("c.toml:76:17: arms.alliance.contracts[0].one_off_costs: expected one of \"inside\", \"outside\"") !=
        std::string::npos);
  // The day is checked across the file once the keys themselves are sound.
  const std::vector<std::string> late = messages_of(R"(
[[arms.alliance.one_off_costs]]
service = "recovery"
day = 730
amount = 5
)");
  REQUIRE(late.size() == 1);
  CHECK(late[0].find("arms.alliance.one_off_costs[0].day: expected a day within the run (before 730, run.years x "
                     "365), got 730") != std::string::npos);
}
