// SPDX-License-Identifier: MIT
// [analysis] and partners' reserves in the pathway loader: defaults when absent, every key
// to its field, and the checks that need the rest of the file (run.years, arms, contracts).
// Problems with single keys are in the bad-input corpus (tests/data/bad/pathway/analysis_*.toml).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "models/scenario/pathway_scenario.hpp"
#include "scenario/psa_fixtures.hpp"

namespace sc = mhsim::scenario;

namespace {
std::vector<std::string> messages_of(const std::string& text) {
  try {
    (void)sc::parse_pathway_scenario(text, "a.toml");
  } catch (const sc::ScenarioError& e) {
    std::vector<std::string> out;
    for (const sc::Diagnostic& d : e.diagnostics()) out.push_back(d.to_string());
    return out;
  }
  return {};
}
}  // namespace

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

TEST_CASE("Analysis settings: checks against the rest of the file", "[scenario]") {
  // horizon_years against run.years (2 in the example).
  const std::vector<std::string> horizon = messages_of(mhsim::test::minimal_text() + "\n[analysis]\nhorizon_years = 3\n");
  REQUIRE(horizon.size() == 1);
  CHECK_THAT(horizon[0], Catch::EndsWith(":17: analysis.horizon_years: expected an integer in [0, 2] (at most "
                                         "run.years; 0 = every year), got 3"));
  // commissioner_spend needs contracts in every arm: strip the example's contracts.
  std::string text = mhsim::test::minimal_text();
  text = text.substr(0, text.find("# ---- contracts"));
  CHECK(sc::parse_pathway_scenario(text + "[analysis]\ncost_basis = \"ledger\"\n", "a.toml").analysis.cost_basis ==
        "ledger");
  const std::vector<std::string> got = messages_of(text + "[analysis]\ncost_basis = \"commissioner_spend\"\n");
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0], Catch::EndsWith("analysis.cost_basis: expected \"ledger\", or contracts in every arm for "
                                     "\"commissioner_spend\" (what the contracts pay), got \"commissioner_spend\" "
                                     "with arms \"block\", \"alliance\" settled by no contract"));
}
