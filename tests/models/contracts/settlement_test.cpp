// SPDX-License-Identifier: MIT
// Contract settlement (issue 4). Every expected value is hand-computed; the arithmetic is
// written beside each check. Money is in pounds; checks allow a 1e-6 pound margin for
// floating-point rounding on sums of millions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "models/contracts/settlement.hpp"

namespace ct = mhsim::models::contracts;
namespace pw = mhsim::models::ledger;
using ct::AllianceTerms;

namespace {

constexpr double kPound = 1e-6;  // margin for money checks

/// One service per partner (service i belongs to partner i), all activity and KPIs zero.
ct::YearInput input(std::vector<double> partner_cost, int year = 0) {
  const std::size_t n = partner_cost.size();
  ct::YearInput in;
  in.year = year;
  in.partner_cost = partner_cost;
  in.partner_activity.assign(n, {});
  in.service_cost = std::move(partner_cost);
  in.service_activity.assign(n, {});
  in.service_partner.resize(n);
  for (std::size_t i = 0; i < n; ++i) in.service_partner[i] = i;
  in.kpi.assign(pw::kSystemKpis, 0.0);
  in.service_kpi.assign(n * pw::kServiceKpis, 0.0);
  in.population = 0;
  return in;
}

void set_kpi(ct::YearInput& in, pw::SystemKpi k, double v) { in.kpi[static_cast<std::size_t>(k)] = v; }

ct::Terms one(ct::ContractTerms t, std::string name = "c") {
  ct::Terms terms;
  terms.contracts.push_back(ct::Contract{std::move(name), std::move(t)});
  return terms;
}

AllianceTerms& alliance_of(ct::Terms& t) { return std::get<AllianceTerms>(t.contracts[0].terms); }

ct::Kra kra(std::string name, ct::KpiRef kpi, ct::Direction dir, std::array<double, 5> thresholds, double weight) {
  ct::Kra k;
  k.name = std::move(name);
  k.kpi = kpi;
  k.direction = dir;
  k.thresholds = thresholds;
  k.weight = weight;
  return k;
}

// ---- Brief 2.6 worked example -------------------------------------------------------------
// TOC 10.0m; fee F = 0.5m fixed (trust 0.35m, A 0.10m, B 0.05m); s = 0.5; kappa = 1; KRA pool
// 0.1m; P = +0.4; budget shares 70/20/10 (the partners' costs are split 70/20/10 of AOC).
// KRAs: "wellbeing" (share improved, higher is better, weight 0.4) at game-breaking (+1) and
// "readmissions" (lower is better, weight 0.6) at minimum (0): P = 0.4 x 1 + 0.6 x 0 = 0.4.
ct::Terms worked_example() {
  AllianceTerms a;
  a.members = {{0, 350e3, 0, 0, {}}, {1, 100e3, 0, 0, {}}, {2, 50e3, 0, 0, {}}};
  a.target_cost = 10e6;
  a.share = 0.5;
  a.pain_cap = 1.0;
  a.reward_pool = 0.1e6;
  a.max_liability = 0.1e6;
  a.kras = {kra("wellbeing", ct::KpiRef::system(pw::SystemKpi::kShareImproved), ct::Direction::kHigherIsBetter,
                {0.3, 0.4, 0.5, 0.6, 0.7}, 0.4),
            kra("readmissions", ct::KpiRef::system(pw::SystemKpi::kReadmissions), ct::Direction::kLowerIsBetter,
                {200, 150, 100, 80, 60}, 0.6)};
  a.allocation = AllianceTerms::Allocation::kBudgetShare;
  return one(a, "alliance");
}

ct::YearInput worked_input(double aoc, double readmissions = 90) {
  ct::YearInput in = input({0.7 * aoc, 0.2 * aoc, 0.1 * aoc});
  set_kpi(in, pw::SystemKpi::kShareImproved, 0.75);           // >= 0.7: game-breaking, +1
  set_kpi(in, pw::SystemKpi::kReadmissions, readmissions);    // 90 in (80, 100]: minimum, 0
  return in;
}

}  // namespace

TEST_CASE("Settlement: brief 2.6 worked example, underrun", "[settlement]") {
  const ct::Terms terms = worked_example();
  REQUIRE(ct::check_terms(terms, 3).empty());
  const ct::YearPayout out = ct::settle(terms, worked_input(9.4e6));
  CHECK(out.kras[0].band == 4);
  CHECK(out.kras[1].band == 2);
  CHECK(out.kpi_return == Approx(0.4));                          // 0.4 x 1 + 0.6 x 0
  CHECK(out.underrun == Approx(0.6e6).margin(kPound));          // 10.0 - 9.4
  CHECK(out.providers_share == Approx(0.30e6).margin(kPound));  // 0.5 x 0.6
  CHECK(out.commissioner_residual == Approx(0.30e6).margin(kPound));  // 0.6 - 0.3
  CHECK(out.kra_component == Approx(0.04e6).margin(kPound));    // 0.4 x 0.1
  CHECK(out.limb3 == Approx(0.34e6).margin(kPound));            // 0.30 + 0.04
  CHECK(out.partners[0].gain_pain == Approx(0.238e6).margin(kPound));  // 0.7 x 0.34
  CHECK(out.partners[1].gain_pain == Approx(0.068e6).margin(kPound));  // 0.2 x 0.34
  CHECK(out.partners[2].gain_pain == Approx(0.034e6).margin(kPound));  // 0.1 x 0.34
  CHECK_FALSE(out.pain_cap_binds);
  // Trust: Limb 1 6.58m (0.7 x 9.4) + fee 0.35m + L3 0.238m = 7.168m; margin = fee + L3.
  CHECK(out.partners[0].payment == Approx(7.168e6).margin(kPound));
  CHECK(out.partners[0].margin == Approx(0.588e6).margin(kPound));  // 0.35 + 0.238
  // Commissioner: AOC 9.4 + F 0.5 + L3 0.34 = 10.24m.
  CHECK(out.commissioner_spend == Approx(10.24e6).margin(kPound));
}

TEST_CASE("Settlement: brief 2.6 worked example, overrun inside the cap", "[settlement]") {
  const ct::YearPayout out = ct::settle(worked_example(), worked_input(10.8e6));
  CHECK(out.underrun == Approx(-0.8e6).margin(kPound));               // 10.0 - 10.8
  CHECK(out.providers_share == Approx(-0.40e6).margin(kPound));       // 0.5 x -0.8, above -0.5 cap
  CHECK(out.commissioner_residual == Approx(-0.40e6).margin(kPound)); // -0.8 - (-0.4)
  CHECK(out.limb3 == Approx(-0.36e6).margin(kPound));                 // -0.40 + 0.04
  CHECK(out.partners[0].gain_pain == Approx(-0.252e6).margin(kPound)); // 0.7 x -0.36
  CHECK(out.partners[1].gain_pain == Approx(-0.072e6).margin(kPound)); // 0.2 x -0.36
  CHECK(out.partners[2].gain_pain == Approx(-0.036e6).margin(kPound)); // 0.1 x -0.36
  CHECK_FALSE(out.pain_cap_binds);
}

TEST_CASE("Settlement: brief 2.6 worked example, overrun beyond the cap", "[settlement]") {
  const ct::YearPayout out = ct::settle(worked_example(), worked_input(11.5e6));
  CHECK(out.underrun == Approx(-1.5e6).margin(kPound));               // 10.0 - 11.5
  CHECK(out.providers_share == Approx(-0.50e6).margin(kPound));       // max(0.5 x -1.5, -1 x 0.5)
  CHECK(out.commissioner_residual == Approx(-1.00e6).margin(kPound)); // -1.5 - (-0.5)
  CHECK(out.limb3 == Approx(-0.46e6).margin(kPound));                 // -0.50 + 0.04; floor -0.5 not hit
  CHECK(out.partners[0].gain_pain == Approx(-0.322e6).margin(kPound)); // 0.7 x -0.46
  CHECK(out.partners[1].gain_pain == Approx(-0.092e6).margin(kPound)); // 0.2 x -0.46
  CHECK(out.partners[2].gain_pain == Approx(-0.046e6).margin(kPound)); // 0.1 x -0.46
  CHECK(out.pain_cap_binds);
  // Fixed 70/20/10 allocation gives the same split whatever the costs.
  ct::Terms fixed = worked_example();
  alliance_of(fixed).allocation = AllianceTerms::Allocation::kFixed;
  alliance_of(fixed).members[0].allocation = 0.7;
  alliance_of(fixed).members[1].allocation = 0.2;
  alliance_of(fixed).members[2].allocation = 0.1;
  REQUIRE(ct::check_terms(fixed, 3).empty());
  ct::YearInput skewed = worked_input(11.5e6);
  skewed.partner_cost = {9.0e6, 2.0e6, 0.5e6};  // AOC still 11.5m
  const ct::YearPayout f = ct::settle(fixed, skewed);
  CHECK(f.partners[0].gain_pain == Approx(-0.322e6).margin(kPound));
  CHECK(f.partners[2].gain_pain == Approx(-0.046e6).margin(kPound));
}

TEST_CASE("Settlement: brief 2.6 variant C gate withholds the underrun gainshare", "[settlement]") {
  ct::Terms terms = worked_example();
  alliance_of(terms).gate = true;
  // Readmissions 120 is in (100, 150]: "poor", score -0.5. P = 0.4 x 1 + 0.6 x -0.5 = 0.1.
  const ct::YearPayout under = ct::settle(terms, worked_input(9.4e6, 120));
  CHECK(under.kras[1].band == 1);
  CHECK_FALSE(under.gate_passed);
  CHECK(under.kpi_return == Approx(0.1));
  CHECK(under.providers_share == 0.0);                                  // min(0.30, 0): withheld
  CHECK(under.commissioner_residual == Approx(0.6e6).margin(kPound));  // the owner keeps all of U
  CHECK(under.kra_component == Approx(0.01e6).margin(kPound));         // 0.1 x 0.1m
  CHECK(under.partners[0].gain_pain == Approx(0.007e6).margin(kPound));  // 0.7 x 0.01
  // Overrun rows: the gate changes nothing in the cost component.
  const ct::YearPayout over = ct::settle(terms, worked_input(10.8e6, 120));
  CHECK(over.providers_share == Approx(-0.40e6).margin(kPound));
  const ct::YearPayout beyond = ct::settle(terms, worked_input(11.5e6, 120));
  CHECK(beyond.providers_share == Approx(-0.50e6).margin(kPound));
  // Every KRA at minimum or better: the gate passes and row 1 stands.
  const ct::YearPayout ok = ct::settle(terms, worked_input(9.4e6, 90));
  CHECK(ok.gate_passed);
  CHECK(ok.providers_share == Approx(0.30e6).margin(kPound));
}

// ---- Block, activity, capitation, outcomes, blended ------------------------------------------

TEST_CASE("Settlement: block payment with indexation", "[settlement]") {
  const ct::Terms terms = one(ct::BlockTerms{0, 1e6, 0.03});
  const ct::YearPayout y0 = ct::settle(terms, input({900e3}, 0));
  CHECK(y0.partners[0].payment == Approx(1e6));                      // 1m x 1.03^0
  CHECK(y0.partners[0].margin == Approx(100e3));                     // 1m - 0.9m
  const ct::YearPayout y2 = ct::settle(terms, input({900e3}, 2));
  CHECK(y2.partners[0].payment == Approx(1'060'900).margin(kPound));  // 1m x 1.03^2 = 1m x 1.0609
  CHECK(y2.commissioner_spend == y2.partners[0].payment);
}

TEST_CASE("Settlement: paid partners are each contract's partner and every alliance member", "[settlement]") {
  // Partners 0..5: a block with 1, activity with 4, an alliance of 0 and 2; 3 and 5 are in
  // no contract (the wider system: an A&E, the police), and an index past the end is ignored.
  ct::Terms terms = one(ct::BlockTerms{1, 1e6, 0});
  ct::ActivityTerms act;
  act.partner = 4;
  terms.contracts.push_back(ct::Contract{"activity", act});
  AllianceTerms a;
  a.members.push_back(ct::AllianceMember{0, 0, 0, 0, std::nullopt});
  a.members.push_back(ct::AllianceMember{2, 0, 0, 0, std::nullopt});
  a.members.push_back(ct::AllianceMember{9, 0, 0, 0, std::nullopt});
  terms.contracts.push_back(ct::Contract{"alliance", a});
  CHECK(ct::paid_partners(terms, 6) == std::vector<bool>{true, true, true, false, true, false});
  CHECK(ct::paid_partners(ct::Terms{}, 3) == std::vector<bool>{false, false, false});
}

TEST_CASE("Settlement: cost and volume above and below the baseline, with cap and floor", "[settlement]") {
  // One line: contacts at £100, baseline 10,000 contacts (V0 = £1m), block B0 = £1m, m = 0.5.
  ct::ActivityTerms cv;
  cv.partner = 0;
  cv.tariffs = {ct::Tariff{pw::Measure::kContacts, ct::Tariff::kPartnerServices, 100, 10'000}};
  cv.baseline_payment = 1e6;
  cv.marginal_rate = 0.5;
  cv.below_baseline_rate = 0.25;
  ct::YearInput in = input({1e6});
  in.partner_activity[0][0] = 12'000;
  CHECK(ct::settle(one(cv), in).partners[0].payment == Approx(1.1e6));  // 1m + 0.5 x 100 x (12,000 - 10,000)
  ct::ActivityTerms capped = cv;
  capped.cap = 1.05e6;
  CHECK(ct::settle(one(capped), in).partners[0].payment == Approx(1.05e6));  // min(1.1m, 1.05m)

  in.partner_activity[0][0] = 8'000;
  CHECK(ct::settle(one(cv), in).partners[0].payment == Approx(0.95e6));  // 1m - 0.25 x 100 x 2,000
  ct::ActivityTerms floored = cv;
  floored.floor = 0.97e6;
  CHECK(ct::settle(one(floored), in).partners[0].payment == Approx(0.97e6));  // max(0.95m, 0.97m)
  ct::ActivityTerms block_below = cv;
  block_below.below_baseline_rate = 0;
  CHECK(ct::settle(one(block_below), in).partners[0].payment == Approx(1e6));  // the block B0 stands

  // Plain activity (PbR-like): £100 a contact over the partner's services + £350 a bed-day at
  // service 1 (owned by partner 1, paid under partner 0's contract as lead provider).
  ct::ActivityTerms pbr;
  pbr.partner = 0;
  pbr.tariffs = {ct::Tariff{pw::Measure::kContacts, ct::Tariff::kPartnerServices, 100, 0},
                 ct::Tariff{pw::Measure::kDays, 1, 350, 0}};
  ct::YearInput two = input({0, 0});
  two.partner_activity[0][0] = 3'000;
  two.service_activity[0][0] = 3'000;
  two.service_activity[1][1] = 400;
  CHECK(ct::settle(one(pbr), two).partners[0].payment == Approx(440e3));  // 100 x 3,000 + 350 x 400
}

TEST_CASE("Settlement: capitation with need weights and the corridor on both sides", "[settlement]") {
  // £50 a head, 100,000 people, weights 0.8 / 1.5 on shares 0.75 / 0.25: need = 0.6 + 0.375
  // = 0.975; budget = 50 x 100,000 x 0.975 = 4,875,000. Corridor delta 2% (£97,500), rho 0.5.
  ct::CapitationTerms cap;
  cap.partner = 0;
  cap.per_head = 50;
  cap.need_weights = {0.8, 1.5};
  cap.corridor = ct::RiskCorridor{0.02, 0.5};
  ct::YearInput in = input({5'275'000});
  in.population = 100'000;
  in.group_share = {0.75, 0.25};
  // Overspend 400,000; beyond the corridor 302,500; commissioner pays 0.5 x 302,500 = 151,250.
  ct::YearPayout over = ct::settle(one(cap), in);
  CHECK(over.partners[0].gain_pain == Approx(151'250).margin(kPound));
  CHECK(over.partners[0].payment == Approx(5'026'250).margin(kPound));  // 4,875,000 + 151,250
  // Underspend 300,000; beyond 202,500; clawed back 0.5 x 202,500 = 101,250.
  in.partner_cost[0] = 4'575'000;
  ct::YearPayout under = ct::settle(one(cap), in);
  CHECK(under.partners[0].gain_pain == Approx(-101'250).margin(kPound));
  CHECK(under.partners[0].payment == Approx(4'773'750).margin(kPound));  // 4,875,000 - 101,250
  // Inside the corridor (25,000 < 97,500): no adjustment.
  in.partner_cost[0] = 4'900'000;
  CHECK(ct::settle(one(cap), in).partners[0].payment == Approx(4'875'000));
  // No weights: need 1, budget 5,000,000.
  ct::CapitationTerms flat = cap;
  flat.need_weights.clear();
  flat.corridor.reset();
  CHECK(ct::settle(one(flat), in).partners[0].payment == Approx(5'000'000));
  // Weights without group shares in the input cannot be settled.
  in.group_share.clear();
  CHECK_THROWS_AS(ct::settle(one(cap), in), std::invalid_argument);
}

TEST_CASE("Settlement: outcomes-based bonus and withhold", "[settlement]") {
  // V = £2m, alpha = 10%. Indicator 1: share improved, zero 0.4, full 0.6, at 0.55 -> a = 0.75.
  // Indicator 2: service 0's mean wait, lower is better, zero 56 days, full 28, at 42 -> a = 0.5.
  // sum w a = 0.5 x 0.75 + 0.5 x 0.5 = 0.625; earned = 0.1 x 2m x 0.625 = 125,000.
  ct::OutcomesTerms o;
  o.partner = 0;
  o.value = 2e6;
  o.at_risk = 0.1;
  o.indicators = {
      ct::Indicator{"improved", ct::KpiRef::system(pw::SystemKpi::kShareImproved), ct::Direction::kHigherIsBetter,
                    0.4, 0.6, 0.5},
      ct::Indicator{"wait", ct::KpiRef::of_service(0, pw::ServiceKpi::kMeanWait), ct::Direction::kLowerIsBetter, 56,
                    28, 0.5}};
  ct::YearInput in = input({1.9e6});
  set_kpi(in, pw::SystemKpi::kShareImproved, 0.55);
  in.service_kpi[static_cast<std::size_t>(pw::ServiceKpi::kMeanWait)] = 42;
  REQUIRE(ct::check_terms(one(o), 1).empty());
  o.mode = ct::OutcomesTerms::Mode::kBonus;
  CHECK(ct::settle(one(o), in).partners[0].payment == Approx(2'125'000));  // 2m + 125,000
  o.mode = ct::OutcomesTerms::Mode::kWithhold;
  CHECK(ct::settle(one(o), in).partners[0].payment == Approx(1'925'000));  // 2m x 0.9 + 125,000
  // Beyond full on both: a = 1 each; withhold pays the whole 2m.
  set_kpi(in, pw::SystemKpi::kShareImproved, 0.9);
  in.service_kpi[static_cast<std::size_t>(pw::ServiceKpi::kMeanWait)] = 10;
  CHECK(ct::settle(one(o), in).partners[0].payment == Approx(2e6));
}

TEST_CASE("Settlement: blended payment with a 1.25% CQUIN withhold and a corridor", "[settlement]") {
  // V = £10m, q = 1.25%, F = V (1 - q) = 9,875,000. Variable: £120 a contact off a plan of
  // 20,000 at v = 0.5; 21,000 done -> 0.5 x 120 x 1,000 = 60,000. CQUIN achievement 0.6 ->
  // 0.0125 x 10m x 0.6 = 75,000. Pay = 9,875,000 + 60,000 + 75,000 = 10,010,000.
  ct::BlendedTerms b;
  b.partner = 0;
  b.fixed = 9'875'000;
  b.variable = {ct::Tariff{pw::Measure::kContacts, ct::Tariff::kPartnerServices, 120, 20'000}};
  b.variable_rate = 0.5;
  b.quality_share = 0.0125;
  b.value = 10e6;
  b.indicators = {ct::Indicator{"cquin", ct::KpiRef::system(pw::SystemKpi::kShareImproved),
                                ct::Direction::kHigherIsBetter, 0, 1, 1}};
  ct::YearInput in = input({10e6});
  in.partner_activity[0][0] = 21'000;
  set_kpi(in, pw::SystemKpi::kShareImproved, 0.6);
  REQUIRE(ct::check_terms(one(b), 1).empty());
  CHECK(ct::settle(one(b), in).partners[0].payment == Approx(10'010'000).margin(kPound));
  // Corridor delta 1%, rho 0.5 on budget F + variable + qV = 9,875,000 + 60,000 + 125,000 =
  // 10,060,000; cost 10.5m: over by 440,000, beyond 100,600 -> 339,400; + 0.5 x 339,400 = 169,700.
  b.corridor = ct::RiskCorridor{0.01, 0.5};
  in.partner_cost[0] = 10.5e6;
  const ct::YearPayout out = ct::settle(one(b), in);
  CHECK(out.partners[0].gain_pain == Approx(169'700).margin(kPound));
  CHECK(out.partners[0].payment == Approx(10'179'700).margin(kPound));  // 10,010,000 + 169,700
  // Below plan the variable element is negative: 19,000 done -> 0.5 x 120 x -1,000 = -60,000.
  in.partner_activity[0][0] = 19'000;
  in.partner_cost[0] = 10e6;
  b.corridor.reset();
  CHECK(ct::settle(one(b), in).partners[0].payment == Approx(9'890'000).margin(kPound));  // 9,875,000 - 60,000 + 75,000
}

// ---- Alliance variants -----------------------------------------------------------------------

TEST_CASE("Settlement: alliance fee as a percentage of Limb 1", "[settlement]") {
  // Costs 600k / 300k / 100k (AOC 1m), fee 5% of Limb 1: 30k / 15k / 5k, F = 50k. TOC 1.1m:
  // U = 100k, G = 0.5 x 100k = 50k, no KRAs: L3 = 50k, shared equally: 16,666.67 each.
  AllianceTerms a;
  a.members = {{0, 0, 0.05, 0, {}}, {1, 0, 0.05, 0, {}}, {2, 0, 0.05, 0, {}}};
  a.target_cost = 1.1e6;
  a.allocation = AllianceTerms::Allocation::kEqual;
  const ct::Terms terms = one(a);
  REQUIRE(ct::check_terms(terms, 3).empty());
  const ct::YearPayout out = ct::settle(terms, input({600e3, 300e3, 100e3}));
  CHECK(out.fee_total == Approx(50e3));
  CHECK(out.partners[0].limb2 == Approx(30e3));  // 0.05 x 600k
  CHECK(out.partners[2].limb2 == Approx(5e3));   // 0.05 x 100k
  CHECK(out.partners[1].gain_pain == Approx(50e3 / 3));
  CHECK(out.partners[0].payment == Approx(600e3 + 30e3 + 50e3 / 3));
  CHECK(out.commissioner_spend == Approx(1.1e6));  // AOC 1m + F 50k + L3 50k
}

TEST_CASE("Settlement: alliance sliding share bands", "[settlement]") {
  // TOC 1m. Gain: 50% of the first 5% of TOC (50k), 25% up to 10% (next 50k), 0 beyond.
  // Pain: 50% of the first 5%, 100% beyond. Fees 100k, kappa 1.
  AllianceTerms a;
  a.members = {{0, 100e3, 0, 0, {}}};
  a.target_cost = 1e6;
  a.gain_bands = {{0.05, 0.5}, {0.10, 0.25}};
  a.pain_bands = {{0.05, 0.5}, {std::numeric_limits<double>::infinity(), 1.0}};
  const ct::Terms terms = one(a);
  REQUIRE(ct::check_terms(terms, 1).empty());
  // U = 120k: 0.5 x 50k + 0.25 x 50k + 0 x 20k = 37,500.
  const ct::YearPayout gain = ct::settle(terms, input({880e3}));
  CHECK(gain.providers_share == Approx(37'500));
  CHECK(gain.commissioner_residual == Approx(82'500));  // 120k - 37.5k
  // U = 30k, inside the first band: 0.5 x 30k = 15k.
  CHECK(ct::settle(terms, input({970e3})).providers_share == Approx(15e3));
  // U = -80k: -(0.5 x 50k + 1.0 x 30k) = -55k.
  const ct::YearPayout pain = ct::settle(terms, input({1.08e6}));
  CHECK(pain.providers_share == Approx(-55e3));
  CHECK(pain.commissioner_residual == Approx(-25e3));  // -80k + 55k
}

TEST_CASE("Settlement: alliance gain cap", "[settlement]") {
  AllianceTerms a;
  a.members = {{0, 100e3, 0, 0, {}}};
  a.target_cost = 1e6;
  a.gain_cap = 40e3;
  const ct::YearPayout out = ct::settle(one(a), input({880e3}));
  CHECK(out.providers_share == Approx(40e3));        // min(0.5 x 120k, 40k)
  CHECK(out.commissioner_residual == Approx(80e3));  // 120k - 40k
  CHECK(out.gain_cap_binds);
  CHECK_FALSE(ct::settle(one(a), input({950e3})).gain_cap_binds);  // 0.5 x 50k = 25k < 40k
}

TEST_CASE("Settlement: alliance modifier on the gain only vs on both", "[settlement]") {
  // One KRA at "poor" (score -0.5, weight 1): P = -0.5; mu = 0.5. TOC 1m, fee 100k.
  AllianceTerms a;
  a.members = {{0, 100e3, 0, 0, {}}};
  a.target_cost = 1e6;
  a.modifier = 0.5;
  a.kras = {kra("k", ct::KpiRef::system(pw::SystemKpi::kShareImproved), ct::Direction::kHigherIsBetter,
                {0.1, 0.2, 0.3, 0.4, 0.5}, 1.0)};
  ct::YearInput under = input({900e3});  // U = +100k, G = 50k
  ct::YearInput over = input({1.1e6});   // U = -100k, G = -50k
  set_kpi(under, pw::SystemKpi::kShareImproved, 0.25);
  set_kpi(over, pw::SystemKpi::kShareImproved, 0.25);
  a.modifier_scope = AllianceTerms::ModifierScope::kGainOnly;
  CHECK(ct::settle(one(a), under).kpi_return == Approx(-0.5));
  CHECK(ct::settle(one(a), under).providers_share == Approx(37'500));  // 50k x (1 + 0.5 x -0.5)
  CHECK(ct::settle(one(a), over).providers_share == Approx(-50e3));    // pain untouched
  a.modifier_scope = AllianceTerms::ModifierScope::kBoth;
  CHECK(ct::settle(one(a), under).providers_share == Approx(37'500));
  CHECK(ct::settle(one(a), over).providers_share == Approx(-62'500));  // -50k x (1 - 0.5 x -0.5)
  // Good performance lightens the pain: stretch (+0.5) -> -50k x (1 - 0.25) = -37,500.
  set_kpi(over, pw::SystemKpi::kShareImproved, 0.45);
  CHECK(ct::settle(one(a), over).providers_share == Approx(-37'500));
  CHECK(ct::settle(one(a), over).commissioner_residual == Approx(-62'500));  // -100k + 37.5k
}

TEST_CASE("Settlement: KRA bands, interpolation and direction", "[settlement]") {
  ct::Kra k = kra("k", ct::KpiRef::system(pw::SystemKpi::kShareImproved), ct::Direction::kHigherIsBetter,
                  {0.1, 0.2, 0.3, 0.4, 0.5}, 1.0);
  int band = -1;
  CHECK(ct::kra_score(k, 0.05, &band) == -1.0);
  CHECK(band == 0);
  CHECK(ct::kra_score(k, 0.2, &band) == -0.5);  // reaching a threshold reaches its band
  CHECK(band == 1);
  CHECK(ct::kra_score(k, 0.35, &band) == 0.0);
  CHECK(band == 2);
  CHECK(ct::kra_score(k, 0.9, &band) == 1.0);
  CHECK(band == 4);
  k.interpolate = true;
  CHECK(ct::kra_score(k, 0.35, &band) == Approx(0.25));  // 0 + 0.5 x (0.35 - 0.3) / 0.1
  CHECK(band == 2);
  CHECK(ct::kra_score(k, 0.15) == Approx(-0.75));  // -1 + 0.5 x 0.5
  CHECK(ct::kra_score(k, 0.0) == -1.0);            // clamped
  // Lower is better: thresholds descending in value.
  ct::Kra w = kra("wait", ct::KpiRef::system(pw::SystemKpi::kReadmissions), ct::Direction::kLowerIsBetter,
                  {200, 150, 100, 80, 60}, 1.0);
  CHECK(ct::kra_score(w, 70, &band) == 0.5);  // 70 <= 80: stretch
  CHECK(band == 3);
  w.interpolate = true;
  CHECK(ct::kra_score(w, 70) == Approx(0.75));  // 0.5 + 0.5 x (80 - 70) / 20
}

namespace {
// Four partners, equal allocation of L3 = -100k (U = -200k, s = 0.5, no overall cap).
// Fees (= caps at kappa 1): p0 100k uncapped, p1 10k, p2 28k, p3 40k.
ct::Terms capped_alliance(AllianceTerms::Shortfall rule, bool cap_p0) {
  AllianceTerms a;
  a.members = {{0, 100e3, 0, 0, {}}, {1, 10e3, 0, 0, 1.0}, {2, 28e3, 0, 0, 1.0}, {3, 40e3, 0, 0, 1.0}};
  if (cap_p0) {
    a.members[0].fee = 20e3;
    a.members[0].cap = 1.0;
  }
  a.target_cost = 1e6;
  a.pain_cap.reset();
  a.allocation = AllianceTerms::Allocation::kEqual;
  a.shortfall = rule;
  return one(a);
}
ct::YearInput four() { return input({300e3, 300e3, 300e3, 300e3}); }  // AOC 1.2m, U = -200k
}  // namespace

TEST_CASE("Settlement: partner caps with the shortfall borne by the commissioner", "[settlement]") {
  const ct::YearPayout out = ct::settle(capped_alliance(AllianceTerms::Shortfall::kCommissioner, false), four());
  CHECK(out.limb3 == Approx(-100e3));                 // 0.5 x -200k
  CHECK(out.partners[0].gain_pain == Approx(-25e3));  // -100k / 4
  CHECK(out.partners[1].gain_pain == Approx(-10e3));  // capped at -10k (spared 15k)
  CHECK(out.partners[1].capped);
  CHECK(out.partners[1].capped_amount == Approx(15e3));
  CHECK(out.partners[2].gain_pain == Approx(-25e3));  // -25k > -28k: not capped
  CHECK_FALSE(out.partners[2].capped);
  CHECK(out.cap_shortfall == Approx(15e3));
  CHECK(out.providers_limb3() == Approx(-85e3));      // -100k + 15k = -25 - 10 - 25 - 25
}

TEST_CASE("Settlement: partner caps with the shortfall reallocated", "[settlement]") {
  // Round 0: -25k each; p1 capped at -10k. Round 1: (-100k + 10k) / 3 = -30k; p2 capped at
  // -28k. Round 2: (-100k + 10k + 28k) / 2 = -31k for p0 and p3 (p3's floor -40k holds).
  const ct::YearPayout out = ct::settle(capped_alliance(AllianceTerms::Shortfall::kReallocate, false), four());
  CHECK(out.partners[0].gain_pain == Approx(-31e3));
  CHECK(out.partners[1].gain_pain == Approx(-10e3));
  CHECK(out.partners[2].gain_pain == Approx(-28e3));
  CHECK(out.partners[3].gain_pain == Approx(-31e3));
  CHECK(out.partners[1].capped_amount == Approx(15e3));  // -10k - (-25k)
  CHECK(out.partners[2].capped_amount == Approx(2e3));   // -28k - (-30k)
  CHECK(out.cap_shortfall == 0.0);                       // all reallocated
  // Everyone capped: p0's cap 20k too. Round 0: p0, p1 capped; round 1: (-100 + 30) / 2 =
  // -35k, p2 capped; round 2: -42k < -40k, p3 capped. The commissioner bears
  // -100k - (-20 - 10 - 28 - 40)k = 2k.
  const ct::YearPayout all = ct::settle(capped_alliance(AllianceTerms::Shortfall::kReallocate, true), four());
  CHECK(all.partners[0].gain_pain == Approx(-20e3));
  CHECK(all.partners[3].gain_pain == Approx(-40e3));
  CHECK(all.cap_shortfall == Approx(2e3));
  CHECK(all.providers_limb3() == Approx(-98e3));
}

TEST_CASE("Settlement: allocation equal, by budget, by fee and fixed", "[settlement]") {
  // Fees 50k / 30k / 20k (F = 100k); costs 400k / 400k / 200k (AOC 1m); TOC 1.2m: U = 200k,
  // G = 100k = L3.
  AllianceTerms a;
  a.members = {{0, 50e3, 0, 0.6, {}}, {1, 30e3, 0, 0.3, {}}, {2, 20e3, 0, 0.1, {}}};
  a.target_cost = 1.2e6;
  const ct::YearInput in = input({400e3, 400e3, 200e3});
  const auto split = [&](AllianceTerms::Allocation rule) {
    a.allocation = rule;
    const ct::YearPayout out = ct::settle(one(a), in);
    return std::vector<double>{out.partners[0].gain_pain, out.partners[1].gain_pain, out.partners[2].gain_pain};
  };
  const auto eq = split(AllianceTerms::Allocation::kEqual);
  CHECK(eq[0] == Approx(100e3 / 3));
  CHECK(eq[2] == Approx(100e3 / 3));
  const auto budget = split(AllianceTerms::Allocation::kBudgetShare);  // 40 / 40 / 20 %
  CHECK(budget[0] == Approx(40e3));
  CHECK(budget[1] == Approx(40e3));
  CHECK(budget[2] == Approx(20e3));
  const auto fee = split(AllianceTerms::Allocation::kFee);  // 50 / 30 / 20 %
  CHECK(fee[0] == Approx(50e3));
  CHECK(fee[1] == Approx(30e3));
  CHECK(fee[2] == Approx(20e3));
  const auto fixed = split(AllianceTerms::Allocation::kFixed);  // 60 / 30 / 10 %
  CHECK(fixed[0] == Approx(60e3));
  CHECK(fixed[1] == Approx(30e3));
  CHECK(fixed[2] == Approx(10e3));
}

TEST_CASE("Settlement: KRA liability and the overall floor", "[settlement]") {
  // F = 100k, kappa 1. U = -180k -> G = -90k; one KRA at failure (P = -1), L_max 50k:
  // G_kra = -50k; L3 = -140k floored at -100k.
  AllianceTerms a;
  a.members = {{0, 100e3, 0, 0, {}}};
  a.target_cost = 1e6;
  a.max_liability = 50e3;
  a.kras = {kra("k", ct::KpiRef::system(pw::SystemKpi::kShareImproved), ct::Direction::kHigherIsBetter,
                {0.1, 0.2, 0.3, 0.4, 0.5}, 1.0)};
  const ct::YearPayout out = ct::settle(one(a), input({1.18e6}));
  CHECK(out.providers_share == Approx(-90e3));
  CHECK(out.kra_component == Approx(-50e3));
  CHECK(out.limb3 == Approx(-100e3));
  CHECK(out.pain_cap_binds);
  a.floor_total = false;
  CHECK(ct::settle(one(a), input({1.18e6})).limb3 == Approx(-140e3));
}

TEST_CASE("Settlement: mixed arm, uncovered partners and the target by year", "[settlement]") {
  // Partner 0 on a block, partners 1-2 in the alliance, partner 3 in no contract.
  AllianceTerms a;
  a.members = {{1, 10e3, 0, 0, {}}, {2, 10e3, 0, 0, {}}};
  a.target_cost = 999;  // overridden by target_cost_by_year
  a.target_cost_by_year = {200e3, 220e3};
  a.allocation = AllianceTerms::Allocation::kEqual;
  ct::Terms terms;
  terms.contracts = {ct::Contract{"block", ct::BlockTerms{0, 50e3, 0}}, ct::Contract{"alliance", a}};
  REQUIRE(ct::check_terms(terms, 4).empty());
  const ct::YearPayout y3 = ct::settle(terms, input({40e3, 100e3, 100e3, 70e3}, 3));
  CHECK(y3.target == 220e3);  // the last value repeats
  CHECK(y3.underrun == Approx(20e3));
  CHECK(y3.partners[3].payment == 0.0);  // outside the arm's contracts: zeros
  CHECK(y3.partners[3].cost == 0.0);
  CHECK(y3.partners[1].payment == Approx(100e3 + 10e3 + 5e3));  // L1 + fee + 0.5 x 0.5 x 20k
  CHECK(y3.commissioner_spend == Approx(50e3 + 2 * 115e3));
}

TEST_CASE("Settlement: from_arm_result reads one year of the ledger", "[settlement]") {
  ct::LedgerShape shape;
  shape.service_partner = {0, 1, 0};
  shape.partners = 2;
  shape.population = 300'000;
  shape.group_share = {0.6, 0.4};
  pw::ArmResult r;
  r.years = 2;
  r.services = 3;
  r.partners = 2;
  r.activity.assign(2 * 3 * pw::kMeasures, 0.0);
  r.cost.assign(2 * 3 * pw::kMeasures, 0.0);
  r.partner_cost = {1, 2, 30, 40};
  r.system.assign(2 * pw::kSystemKpis, 0.0);
  r.service.assign(2 * 3 * pw::kServiceKpis, 0.0);
  r.at(r.activity, 1, 0, 0, pw::kMeasures) = 5;  // year 1, service 0, contacts
  r.at(r.activity, 1, 2, 0, pw::kMeasures) = 7;  // year 1, service 2 (also partner 0)
  r.at(r.cost, 1, 2, 1, pw::kMeasures) = 11;
  r.at(r.cost, 1, 2, 2, pw::kMeasures) = 13;
  r.system[pw::kSystemKpis + static_cast<std::size_t>(pw::SystemKpi::kCrises)] = 9;
  r.at(r.service, 1, 1, static_cast<std::size_t>(pw::ServiceKpi::kMeanWait), pw::kServiceKpis) = 21;
  const ct::YearInput in = ct::from_arm_result(shape, r, 1);
  CHECK(in.year == 1);
  CHECK(in.partner_cost == std::vector<double>{30, 40});
  CHECK(in.partner_activity[0][0] == 12);  // 5 + 7
  CHECK(in.service_cost[2] == 24);         // 11 + 13
  CHECK(in.service_partner == std::vector<std::size_t>{0, 1, 0});
  CHECK(in.kpi[static_cast<std::size_t>(pw::SystemKpi::kCrises)] == 9);
  CHECK(in.service_kpi[1 * pw::kServiceKpis + static_cast<std::size_t>(pw::ServiceKpi::kMeanWait)] == 21);
  CHECK(in.population == 300'000);
  CHECK(in.group_share == std::vector<double>{0.6, 0.4});
  CHECK_THROWS_AS(ct::from_arm_result(shape, r, 2), std::out_of_range);
}

TEST_CASE("Settlement: settling into a reused payout does not reallocate", "[settlement]") {
  const ct::Terms terms = worked_example();
  ct::YearPayout out;
  ct::settle(terms, worked_input(9.4e6), out);
  const auto* partners = out.partners.data();
  const auto* kras = out.kras.data();
  for (double aoc : {9.0e6, 10.8e6, 11.5e6}) {
    ct::settle(terms, worked_input(aoc), out);
    CHECK(out.partners.data() == partners);
    CHECK(out.kras.data() == kras);
  }
}

// ---- Conservation over random terms ---------------------------------------------------------

TEST_CASE("Settlement: money is conserved over random terms and inputs", "[settlement]") {
  boost::random::mt19937_64 rng(20240601);
  boost::random::uniform_real_distribution<double> unit(0.0, 1.0);
  boost::random::bernoulli_distribution<double> coin(0.5);
  const auto uni = [&](double lo, double hi) { return lo + (hi - lo) * unit(rng); };
  const auto pick = [&](int lo, int hi) { return boost::random::uniform_int_distribution<int>(lo, hi)(rng); };
  constexpr std::size_t P = 6;
  const auto rel = [](double scale) { return 1e-9 * std::max(1.0, std::fabs(scale)); };

  // How often each branch was exercised (checked at the end, so the property test cannot
  // silently stop reaching caps, gates and reallocation).
  int partner_capped = 0, all_capped = 0, pain_capped = 0, gain_capped = 0, gated = 0, reallocated = 0;
  for (int trial = 0; trial < 20'000; ++trial) {
    ct::YearInput in = input(std::vector<double>(P, 0.0), pick(0, 4));
    for (std::size_t p = 0; p < P; ++p) {
      in.partner_cost[p] = uni(0, 5e6);
      in.partner_activity[p] = {uni(0, 1e4), uni(0, 1e3), uni(0, 500), 1};
      in.service_activity[p] = in.partner_activity[p];
    }
    for (double& k : in.kpi) k = uni(0, 1);
    in.population = 1e5;
    in.group_share = {0.7, 0.3};

    // Alliance over a random non-empty subset; other partners on random bilateral contracts.
    std::vector<bool> member(P, false);
    const int members = pick(1, static_cast<int>(P));
    for (int i = 0; i < members; ++i) member[static_cast<std::size_t>(i)] = true;
    AllianceTerms a;
    double allocation_sum = 0;
    for (std::size_t p = 0; p < P; ++p) {
      if (!member[p]) continue;
      ct::AllianceMember m{p, coin(rng) ? uni(0, 5e5) : 0.0, coin(rng) ? uni(0, 0.08) : 0.0, uni(0.01, 1), {}};
      if (coin(rng)) m.cap = uni(0, 1.5);
      allocation_sum += m.allocation;
      a.members.push_back(m);
    }
    for (auto& m : a.members) m.allocation /= allocation_sum;
    a.target_cost = uni(0.5, 1.5) * static_cast<double>(members) * 2.5e6;
    a.share = uni(0, 1);
    if (coin(rng)) a.gain_bands = {{uni(0.01, 0.05), uni(0, 1)}, {uni(0.06, 0.2), uni(0, 1)}};
    if (coin(rng)) a.pain_bands = {{uni(0.01, 0.05), uni(0, 1)}, {std::numeric_limits<double>::infinity(), uni(0, 1)}};
    if (coin(rng)) a.pain_cap = uni(0, 2); else a.pain_cap.reset();
    if (coin(rng)) a.gain_cap = uni(0, 1e6);
    a.floor_total = coin(rng);
    const int kras = pick(0, 3);
    double w = 0;
    for (int k = 0; k < kras; ++k) {
      std::array<double, 5> t{};
      for (double& x : t) x = unit(rng);
      std::sort(t.begin(), t.end());
      const bool lower = coin(rng);
      if (lower) std::reverse(t.begin(), t.end());
      ct::Kra kk = kra("k", ct::KpiRef::system(static_cast<pw::SystemKpi>(pick(0, 20))),
                       lower ? ct::Direction::kLowerIsBetter : ct::Direction::kHigherIsBetter, t, uni(0.1, 1));
      kk.interpolate = coin(rng);
      w += kk.weight;
      a.kras.push_back(kk);
    }
    for (auto& kk : a.kras) kk.weight /= w;
    if (kras > 0) {
      a.reward_pool = uni(0, 2e5);
      a.max_liability = uni(0, 2e5);
      a.modifier = coin(rng) ? uni(0, 1) : 0.0;
      a.modifier_scope = coin(rng) ? AllianceTerms::ModifierScope::kBoth : AllianceTerms::ModifierScope::kGainOnly;
      a.gate = coin(rng);
    }
    a.allocation = static_cast<AllianceTerms::Allocation>(pick(0, 3));
    a.shortfall = coin(rng) ? AllianceTerms::Shortfall::kReallocate : AllianceTerms::Shortfall::kCommissioner;

    ct::Terms terms;
    terms.contracts.push_back({"alliance", a});
    for (std::size_t p = static_cast<std::size_t>(members); p < P; ++p) {
      switch (pick(0, 5)) {
        case 0: terms.contracts.push_back({"block", ct::BlockTerms{p, uni(0, 5e6), uni(0, 0.05)}}); break;
        case 1: {
          ct::ActivityTerms t;
          t.partner = p;
          t.tariffs = {ct::Tariff{pw::Measure::kContacts, ct::Tariff::kPartnerServices, uni(50, 200), uni(0, 1e4)}};
          t.baseline_payment = uni(0, 1e6);
          t.marginal_rate = uni(0, 1);
          t.below_baseline_rate = uni(0, 1);
          terms.contracts.push_back({"activity", t});
          break;
        }
        case 2: {
          ct::CapitationTerms t;
          t.partner = p;
          t.per_head = uni(0, 50);
          t.need_weights = {uni(0.5, 1), uni(1, 2)};
          t.corridor = ct::RiskCorridor{uni(0, 0.05), uni(0, 1)};
          terms.contracts.push_back({"capitation", t});
          break;
        }
        case 3: {
          ct::OutcomesTerms t;
          t.partner = p;
          t.value = uni(0, 5e6);
          t.at_risk = uni(0, 0.2);
          t.mode = coin(rng) ? ct::OutcomesTerms::Mode::kBonus : ct::OutcomesTerms::Mode::kWithhold;
          t.indicators = {ct::Indicator{"i", ct::KpiRef::system(pw::SystemKpi::kShareImproved),
                                        ct::Direction::kHigherIsBetter, 0.2, 0.8, 1}};
          terms.contracts.push_back({"outcomes", t});
          break;
        }
        case 4: {
          ct::BlendedTerms t;
          t.partner = p;
          t.fixed = uni(0, 5e6);
          t.variable = {ct::Tariff{pw::Measure::kDays, p, uni(100, 400), uni(0, 1e3)}};
          t.variable_rate = uni(0, 1);
          t.quality_share = 0.0125;
          t.value = t.fixed;
          t.indicators = {ct::Indicator{"i", ct::KpiRef::system(pw::SystemKpi::kShareImproved),
                                        ct::Direction::kHigherIsBetter, 0.2, 0.8, 1}};
          if (coin(rng)) t.corridor = ct::RiskCorridor{uni(0, 0.05), uni(0, 1)};
          terms.contracts.push_back({"blended", t});
          break;
        }
        default: break;  // outside the arm's contracts
      }
    }
    const auto problems = ct::check_terms(terms, P);
    INFO("trial " << trial << (problems.empty() ? "" : ": " + problems.front()));
    REQUIRE(problems.empty());

    const ct::YearPayout out = ct::settle(terms, in);
    bool any_capped = false;
    for (const ct::AllianceMember& m : a.members) any_capped = any_capped || out.partners[m.partner].capped;
    partner_capped += any_capped;
    all_capped += out.cap_shortfall > 0 && a.shortfall == AllianceTerms::Shortfall::kReallocate;
    reallocated += any_capped && a.shortfall == AllianceTerms::Shortfall::kReallocate && out.cap_shortfall == 0;
    pain_capped += out.pain_cap_binds;
    gain_capped += out.gain_cap_binds;
    gated += !out.gate_passed && a.gate;
    // Commissioner spend is the sum of the payments, and each payment is its parts.
    double spend = 0, l3 = 0;
    for (const ct::PartnerPayout& pp : out.partners) spend += pp.payment;
    REQUIRE(out.commissioner_spend == spend);
    for (const ct::AllianceMember& m : a.members) {
      const ct::PartnerPayout& pp = out.partners[m.partner];
      REQUIRE(pp.payment == Approx(pp.limb1 + pp.limb2 + pp.gain_pain).margin(rel(pp.payment)));
      REQUIRE(pp.margin == pp.payment - pp.cost);
      l3 += pp.gain_pain;
      // Partner caps hold after allocation.
      if (m.cap) REQUIRE(pp.gain_pain >= -*m.cap * pp.limb2 - rel(pp.limb2));
    }
    // Gain and pain add up to the under/overrun.
    REQUIRE(out.providers_share + out.commissioner_residual == Approx(out.underrun).margin(rel(out.underrun)));
    // Members' Limb 3 = the providers' total + the capped shortfall the commissioner bears.
    REQUIRE(l3 == Approx(out.providers_limb3()).margin(rel(out.limb3)));
    REQUIRE(out.cap_shortfall >= 0);
    // Caps: the cost component and (with the floor) Limb 3 respect -kappa F; gain <= C_gain.
    if (a.pain_cap) {
      REQUIRE(out.providers_share >= -*a.pain_cap * out.fee_total - rel(out.fee_total));
      if (a.floor_total) REQUIRE(out.limb3 >= -*a.pain_cap * out.fee_total - rel(out.fee_total));
    }
    if (a.gain_cap) REQUIRE(out.providers_share <= *a.gain_cap + rel(*a.gain_cap));
    REQUIRE(out.kpi_return >= -1.0 - 1e-12);
    REQUIRE(out.kpi_return <= 1.0 + 1e-12);
    // Partners in no contract settle to zeros.
    for (std::size_t p = 0; p < P; ++p) {
      bool covered = false;
      for (const ct::Contract& c : terms.contracts) {
        std::visit(
            [&](const auto& t) {
              if constexpr (std::is_same_v<std::decay_t<decltype(t)>, AllianceTerms>) {
                for (const auto& m : t.members) covered = covered || m.partner == p;
              } else {
                covered = covered || t.partner == p;
              }
            },
            c.terms);
      }
      if (!covered) REQUIRE((out.partners[p].payment == 0.0 && out.partners[p].cost == 0.0));
    }
  }
  INFO("partner caps " << partner_capped << ", reallocated " << reallocated << ", all capped " << all_capped
                       << ", pain cap " << pain_capped << ", gain cap " << gain_capped << ", gated " << gated);
  CHECK(partner_capped > 500);
  CHECK(reallocated > 100);
  CHECK(all_capped > 100);
  CHECK(pain_capped > 500);
  CHECK(gain_capped > 500);
  CHECK(gated > 500);
}

// ---- Validation -------------------------------------------------------------------------------

namespace {
bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}
}  // namespace

TEST_CASE("Settlement: check_terms reports every problem readably", "[settlement]") {
  AllianceTerms a;
  a.members = {{0, -5, 0, 0.7, {}}, {1, 10, 0, 0.2, -1.0}, {7, 10, 0, 1.4, {}}};
  a.allocation = AllianceTerms::Allocation::kFixed;
  a.share = 1.4;
  a.gain_bands = {{0.1, 0.5}, {0.05, 0.5}};
  a.pain_cap = -1.0;
  a.modifier = 2;
  a.kras = {kra("k", ct::KpiRef::system(pw::SystemKpi::kShareImproved), ct::Direction::kHigherIsBetter,
                {0.1, 0.3, 0.2, 0.4, 0.5}, 0.5)};
  ct::ActivityTerms act;
  act.partner = 0;  // already in the alliance
  act.cap = 10;
  act.floor = 20;
  ct::Terms terms;
  terms.contracts = {ct::Contract{"alliance", a}, ct::Contract{"act", act},
                     ct::Contract{"cap", ct::CapitationTerms{1, 5, {}, ct::RiskCorridor{0.01, 1.5}}},
                     ct::Contract{"a2", AllianceTerms{}}};
  const std::vector<std::string> problems = ct::check_terms(terms, 3);
  for (const std::string& p : problems) UNSCOPED_INFO(p);
  CHECK(mentions(problems, "contract 0 \"alliance\" (alliance): share is 1.4, but must be in [0, 1]"));
  CHECK(mentions(problems, "members[0].fee is -5, but must be a finite number >= 0"));
  CHECK(mentions(problems, "members[1].cap is -1"));
  CHECK(mentions(problems, "members[2].partner is 7, but there are 3 partners"));
  CHECK(mentions(problems, "members[2].allocation is 1.4, but must be in [0, 1]"));
  CHECK(mentions(problems, "member allocations sum to 2.3, but must sum to 1"));
  CHECK(mentions(problems, "gain_bands[1].upper is 0.05, but band bounds must be > 0 and strictly ascending"));
  CHECK(mentions(problems, "pain_cap is -1"));
  CHECK(mentions(problems, "modifier is 2, but must be in [0, 1]"));
  CHECK(mentions(problems, "kras[0].thresholds are out of order: minimum (0.2) is worse than poor (0.3)"));
  CHECK(mentions(problems, "KRA weights sum to 0.5, but must sum to 1"));
  CHECK(mentions(problems, "contract 1 \"act\" (activity): floor is 20, but must not exceed cap (10)"));
  CHECK(mentions(problems, "partner 0 is already paid by contract 0"));
  CHECK(mentions(problems, "corridor.share is 1.5, but must be in [0, 1]"));
  CHECK(mentions(problems, "partner 1 is already paid by contract 0"));
  CHECK(mentions(problems, "contract 3 \"a2\" (alliance): members are empty"));
  CHECK(mentions(problems, "there are 2 alliance contracts, but at most one is allowed"));
  // Outcomes: weights, direction.
  ct::OutcomesTerms o;
  o.at_risk = 0.1;
  o.indicators = {ct::Indicator{"x", ct::KpiRef::of_service(4, pw::ServiceKpi::kMeanWait),
                                ct::Direction::kLowerIsBetter, 10, 20, 0.9}};
  const auto op = ct::check_terms(one(o, "o"), 1, 2);
  for (const std::string& p : op) UNSCOPED_INFO(p);
  CHECK(mentions(op, "indicators[0] is lower-is-better, so full_level (20) must be <= zero_level (10)"));
  CHECK(mentions(op, "indicators[0].kpi.service is 4, but there are 2 services"));
  CHECK(mentions(op, "indicator weights sum to 0.9"));
  // Sound terms have no problems.
  CHECK(ct::check_terms(worked_example(), 3).empty());
}

// ---- Over the life of the agreement (contracts::carry) -------------------------------------
namespace {

// One member (partner 0), fee 100 a year, target 1,000 every year, providers' share 1: the
// member's gain/pain in a year is 1,000 minus its cost.
ct::Terms agreement(double retention, std::optional<double> life_cap) {
  AllianceTerms a;
  a.members = {{0, 100, 0, 0, {}}};
  a.target_cost = 1000;
  a.share = 1;
  a.retention = retention;
  a.pain_cap_life = life_cap;
  return one(a, "alliance");
}

// Settles the years with costs `aoc` in order, carrying the agreement.
std::vector<ct::YearPayout> settle_years(const ct::Terms& terms, const std::vector<double>& aoc) {
  std::vector<ct::YearPayout> out;
  ct::AgreementState state;
  for (std::size_t y = 0; y < aoc.size(); ++y) {
    ct::YearPayout pay;
    ct::settle_year(terms, input({aoc[y]}, static_cast<int>(y)), y + 1 == aoc.size(), state, pay);
    out.push_back(pay);
  }
  return out;
}

}  // namespace

TEST_CASE("Agreement: retention withholds half of each gainshare, meets a later painshare from it, pays the rest "
          "at the end, by hand", "[settlement][agreement]") {
  // Annual gain/pain +100, -60, +50. With rho = 0.5:
  //   year 1: 50 withheld (pot 50), 50 paid;  year 2: the 60 of pain met by the pot's 50 first,
  //   10 paid out of pocket (pot 0);  year 3: 25 withheld, then the pot (25) paid: 50 in all.
  const ct::Terms terms = agreement(0.5, std::nullopt);
  REQUIRE(ct::check_terms(terms, 1).empty());
  const std::vector<ct::YearPayout> y = settle_years(terms, {900, 1060, 950});
  CHECK(y[0].partners[0].gain_pain == 50);
  CHECK(y[1].partners[0].gain_pain == -10);
  CHECK(y[2].partners[0].gain_pain == 50);
  CHECK(y[0].partners[0].payment == 900 + 100 + 50);
  CHECK(y[1].partners[0].payment == 1060 + 100 - 10);
  CHECK(y[2].partners[0].payment == 950 + 100 + 50);
  CHECK(y[1].partners[0].margin == 100 - 10);
  for (const ct::YearPayout& p : y) CHECK(p.commissioner_spend == p.partners[0].payment);
  // Retention moves cash between years only: the agreement pays what annual settlement pays.
  const std::vector<ct::YearPayout> annual = settle_years(agreement(0, std::nullopt), {900, 1060, 950});
  CHECK(y[0].commissioner_spend + y[1].commissioner_spend + y[2].commissioner_spend ==
        annual[0].commissioner_spend + annual[1].commissioner_spend + annual[2].commissioner_spend);
  // The arm's accounts of the year are the annual ones.
  CHECK(y[1].underrun == -60);
  CHECK(y[1].providers_share == -60);
}

TEST_CASE("Agreement: a painshare cap over the life of the agreement, by hand", "[settlement][agreement]") {
  // kappa_L = 0.5 of the fees to date (100 a year). Annual pains 60, 30, 40 (and a year-4 gain):
  //   year 1: allowed 0.5 x 100 = 50: 50 charged, 10 spared (the commissioner bears it);
  //   year 2: allowed 0.5 x 200 - 50 = 50: all 30 charged (80 to date);
  //   year 3: allowed 0.5 x 300 - 80 = 70: all 40 charged;  year 4: a gain of 20 is untouched.
  const ct::Terms terms = agreement(0, 0.5);
  const std::vector<ct::YearPayout> y = settle_years(terms, {1060, 1030, 1040, 980});
  CHECK(y[0].partners[0].gain_pain == -50);
  CHECK(y[0].partners[0].capped_amount == 10);
  CHECK(y[0].partners[0].capped);
  CHECK(y[0].cap_shortfall == 10);
  CHECK(y[0].partners[0].payment == 1060 + 100 - 50);
  CHECK(y[1].partners[0].gain_pain == -30);
  CHECK(y[1].partners[0].capped_amount == 0);
  CHECK(y[2].partners[0].gain_pain == -40);
  CHECK(y[3].partners[0].gain_pain == 20);
  // A tighter cap: 0.2 of fees to date lets through 20, 20, 20 of the same pains.
  const std::vector<ct::YearPayout> t = settle_years(agreement(0, 0.2), {1060, 1030, 1040, 980});
  CHECK(t[0].partners[0].gain_pain == -20);
  CHECK(t[1].partners[0].gain_pain == -20);
  CHECK(t[2].partners[0].gain_pain == -20);
  CHECK(t[2].partners[0].capped_amount == 20);
  // With retention too: a gain after capped pains is withheld as usual, and paid at the end.
  const std::vector<ct::YearPayout> both = settle_years(agreement(0.5, 0.5), {1060, 980, 1010});
  CHECK(both[0].partners[0].gain_pain == -50);  // 60 of pain, 50 allowed
  CHECK(both[1].partners[0].gain_pain == 10);   // +20: 10 withheld
  CHECK(both[2].partners[0].gain_pain == 0);    // 10 of pain met from the pot; nothing left to release
}

TEST_CASE("Agreement: without retention or a life cap nothing changes, with retention alone money over the "
          "agreement is conserved (20,000 random agreements)", "[settlement][agreement]") {
  boost::random::mt19937_64 rng(20261205);
  boost::random::uniform_real_distribution<double> cost(700, 1300), rho(0, 1);
  boost::random::uniform_int_distribution<int> years(1, 6);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<double> aoc(static_cast<std::size_t>(years(rng)));
    for (double& c : aoc) c = cost(rng);
    const std::vector<ct::YearPayout> plain = settle_years(agreement(0, std::nullopt), aoc);
    for (std::size_t k = 0; k < aoc.size(); ++k) {
      const ct::YearPayout direct = ct::settle(agreement(0, std::nullopt), input({aoc[k]}, static_cast<int>(k)));
      REQUIRE(plain[k].partners[0].payment == direct.partners[0].payment);
      REQUIRE(plain[k].commissioner_spend == direct.commissioner_spend);
    }
    const std::vector<ct::YearPayout> kept = settle_years(agreement(rho(rng), std::nullopt), aoc);
    double paid = 0, annual = 0, pot_min = 0;
    for (std::size_t k = 0; k < aoc.size(); ++k) {
      paid += kept[k].commissioner_spend;
      annual += plain[k].commissioner_spend;
      pot_min = std::min(pot_min, annual - paid);  // the commissioner never pays ahead of the annual terms
    }
    REQUIRE(paid == Approx(annual).margin(1e-9));
    REQUIRE(pot_min >= -1e-9);
  }
}

TEST_CASE("Agreement: check_terms refuses a retention outside [0, 1] and a negative life cap", "[settlement][agreement]") {
  ct::Terms terms = agreement(1.5, -1);
  const std::vector<std::string> problems = ct::check_terms(terms, 1);
  REQUIRE(problems.size() == 2);
  CHECK_THAT(problems[0] + problems[1], Catch::Contains("retention is 1.5, but must be in [0, 1]") &&
                                            Catch::Contains("pain_cap_life"));
}

// ---- The pool over the life of the agreement (settle_year): cumulative settlement, carry
// forward, the pool's life caps and rebasing. Every expected figure is hand-computed below.
namespace {

// One member (partner 0), fee 100 a year, target 1,000 a year, share 0.5, pain cap 1 x F.
AllianceTerms pool_terms() {
  AllianceTerms a;
  a.members = {{0, 100, 0, 0, {}}};
  a.target_cost = 1000;
  a.share = 0.5;
  return a;
}

std::vector<double> limb3s(const std::vector<ct::YearPayout>& ys) {
  std::vector<double> out;
  for (const ct::YearPayout& y : ys) out.push_back(y.partners[0].gain_pain);
  return out;
}

}  // namespace

TEST_CASE("Agreement: cumulative settlement trues the share up against the target to date, by hand",
          "[settlement][agreement][pool]") {
  // Costs 1,400, 950, 1,300 against 1,000 a year; share 0.5; pain cap 1 x fees (100 a year).
  // Annual: -200 capped at -100;  +25;  -150 capped at -100:  -100, +25, -100 (-175).
  // Carry forward: -100 (100 held back);  +25 - 100 = -75 (within the cap);  -150 capped at
  //   -100 (50 held back and dropped at the end):  -100, -75, -100 (-275).
  // Cumulative (T, A, G = 0.5 (T - A), cap 100 x years):
  //   y1: T 1,000, A 1,400: G -200, Q = max(-200, -100) = -100: -100;
  //   y2: T 2,000, A 2,350: G -175, Q = max(-175, -200) = -175: -75;
  //   y3: T 3,000, A 3,650: G -325, Q = max(-325, -300) = -300: -125  (-300 in all).
  const std::vector<double> aoc = {1400, 950, 1300};
  AllianceTerms annual = pool_terms();
  CHECK(limb3s(settle_years(one(annual), aoc)) == std::vector<double>{-100, 25, -100});
  AllianceTerms forward = pool_terms();
  forward.carry_forward = true;
  const std::vector<ct::YearPayout> f = settle_years(one(forward), aoc);
  CHECK(limb3s(f) == std::vector<double>{-100, -75, -100});
  CHECK(f[0].carried == -100);
  CHECK(f[1].carried == 0);
  CHECK(f[2].carried == -50);
  CHECK(f[0].pain_cap_binds);
  CHECK_FALSE(f[1].pain_cap_binds);
  AllianceTerms cumulative = pool_terms();
  cumulative.settlement = AllianceTerms::Settlement::kCumulative;
  const std::vector<ct::YearPayout> c = settle_years(one(cumulative), aoc);
  CHECK(limb3s(c) == std::vector<double>{-100, -75, -125});
  CHECK(c[0].pain_cap_binds);
  CHECK_FALSE(c[1].pain_cap_binds);
  CHECK(c[2].pain_cap_binds);
  // The year's accounts stay the year's: share + residual = the year's underrun.
  for (std::size_t y = 0; y < 3; ++y) {
    CHECK(c[y].underrun == 1000 - aoc[y]);
    CHECK(c[y].providers_share + c[y].commissioner_residual == c[y].underrun);
    CHECK(c[y].commissioner_spend == aoc[y] + 100 + c[y].partners[0].gain_pain);
  }
  // Costs 1,300, 800, 900: annual -100, +100, +50 (+50); cumulative -100, +50, +50: the
  // cumulative position ends at T = A, so the providers end with nothing, as 0.5 x 0.
  CHECK(limb3s(settle_years(one(annual), {1300, 800, 900})) == std::vector<double>{-100, 100, 50});
  CHECK(limb3s(settle_years(one(cumulative), {1300, 800, 900})) == std::vector<double>{-100, 50, 50});
}

TEST_CASE("Agreement: carry forward pays a capped gainshare the next year, by hand", "[settlement][agreement][pool]") {
  // Gain cap 50 pounds a year; costs 800 and 1,000: the year-1 gain of 100 is capped at 50 and
  // the 50 held back is paid in year 2 (its own share 0). Without carry forward: 50, 0.
  AllianceTerms a = pool_terms();
  a.gain_cap = 50;
  CHECK(limb3s(settle_years(one(a), {800, 1000})) == std::vector<double>{50, 0});
  a.carry_forward = true;
  const std::vector<ct::YearPayout> y = settle_years(one(a), {800, 1000});
  CHECK(limb3s(y) == std::vector<double>{50, 50});
  CHECK(y[0].gain_cap_binds);
  CHECK(y[0].carried == 50);
  // Cumulatively the pounds cap is 50 a year to date: 50, then min(100, 100) - 50 = 50.
  a.carry_forward = false;
  a.settlement = AllianceTerms::Settlement::kCumulative;
  CHECK(limb3s(settle_years(one(a), {800, 1000})) == std::vector<double>{50, 50});
  // ... and a third year at 1,000 pays nothing more (the share to date, 100, is paid).
  CHECK(limb3s(settle_years(one(a), {800, 1000, 1000})) == std::vector<double>{50, 50, 0});
}

TEST_CASE("Agreement: a gate forfeits a gated year's gain for good under cumulative settlement, by hand",
          "[settlement][agreement][pool]") {
  // Share 1, no caps, gate on one KRA that fails in year 2. Costs 1,100, 900, 1,000.
  // y1: D = -100 (a pain passes the gate): -100.  y2: D = +100, gated to 0; M stays -100: 0.
  // y3: D = 0: 0. The gain of year 2 is not paid later.
  AllianceTerms a = pool_terms();
  a.share = 1;
  a.pain_cap.reset();
  a.gate = true;
  a.settlement = AllianceTerms::Settlement::kCumulative;
  a.kras = {kra("wellbeing", ct::KpiRef::system(pw::SystemKpi::kShareImproved), ct::Direction::kHigherIsBetter,
                {0.1, 0.2, 0.3, 0.4, 0.5}, 1)};
  const ct::Terms terms = one(a);
  ct::AgreementState state;
  std::vector<double> got;
  const std::vector<double> aoc = {1100, 900, 1000};
  for (std::size_t y = 0; y < 3; ++y) {
    ct::YearInput in = input({aoc[y]}, static_cast<int>(y));
    set_kpi(in, pw::SystemKpi::kShareImproved, y == 1 ? 0.0 : 0.35);  // failure in year 2, minimum otherwise
    ct::YearPayout pay;
    ct::settle_year(terms, in, y == 2, state, pay);
    got.push_back(pay.partners[0].gain_pain);
    CHECK(pay.gate_passed == (y != 1));
  }
  CHECK(got == std::vector<double>{-100, 0, 0});
}

TEST_CASE("Agreement: cumulative settlement pays, over the agreement, the share of the cumulative under- or "
          "overrun within the caps to date (2,000 random agreements)", "[settlement][agreement][pool]") {
  // With no modifier or gate, sum_y L3_y = clamp(s (T - A), -kappa F_to_date, gain cap x years),
  // whatever the path; and year 1 is the annual settlement, bit for bit.
  boost::random::mt19937_64 rng(20261206);
  boost::random::uniform_real_distribution<double> cost(700, 1300), share(0, 1), kappa(0, 2), cap(0, 300);
  boost::random::uniform_int_distribution<int> years(1, 7);
  for (int trial = 0; trial < 2000; ++trial) {
    AllianceTerms a = pool_terms();
    a.share = share(rng);
    a.pain_cap = kappa(rng);
    a.gain_cap = cap(rng);
    a.floor_total = trial % 2 == 0;
    a.settlement = AllianceTerms::Settlement::kCumulative;
    std::vector<double> aoc(static_cast<std::size_t>(years(rng)));
    for (double& c : aoc) c = cost(rng);
    const std::vector<ct::YearPayout> got = settle_years(one(a), aoc);
    double paid = 0, under = 0;
    for (std::size_t y = 0; y < aoc.size(); ++y) {
      paid += got[y].partners[0].gain_pain;
      under += 1000 - aoc[y];
      const double n = static_cast<double>(y + 1);
      const double expect = std::clamp(a.share * under, -*a.pain_cap * 100 * n, *a.gain_cap * n);
      REQUIRE(paid == Approx(expect).margin(1e-9));
    }
    AllianceTerms yearly = a;
    yearly.settlement = AllianceTerms::Settlement::kAnnual;
    REQUIRE(got[0].partners[0].payment == ct::settle(one(yearly), input({aoc[0]})).partners[0].payment);
  }
}

TEST_CASE("Agreement: the pool's caps over the life of the agreement, by hand", "[settlement][agreement][pool]") {
  // Two members with fee 100 each (F = 200 a year), share 1, no annual cap, allocation by
  // Limb 1; pool_pain_cap_life 0.5 x fees to date. Overruns 300, 40, 200 (split evenly):
  //   y1: allowed 0.5 x 200 - 0 = 100: L3 -100 (-50 each);  y2: allowed 200 - 100 = 100: -40;
  //   y3: allowed 300 - 140 = 160: -160 (-80 each). The commissioner keeps the rest.
  AllianceTerms a;
  a.members = {{0, 100, 0, 0, {}}, {1, 100, 0, 0, {}}};
  a.target_cost = 1000;
  a.share = 1;
  a.pain_cap.reset();
  a.pool_pain_cap_life = 0.5;
  const ct::Terms terms = one(a);
  ct::AgreementState state;
  const std::vector<std::vector<double>> costs = {{650, 650}, {520, 520}, {600, 600}};
  const std::vector<double> l3 = {-100, -40, -160};
  for (std::size_t y = 0; y < 3; ++y) {
    ct::YearPayout pay;
    ct::settle_year(terms, input(costs[y], static_cast<int>(y)), y == 2, state, pay);
    CHECK(pay.limb3 == l3[y]);
    CHECK(pay.partners[0].gain_pain == l3[y] / 2);
    CHECK(pay.partners[1].gain_pain == l3[y] / 2);
    CHECK(pay.pain_cap_binds == (y != 1));
  }
  // pool_gain_cap_life 150 pounds: gains 100, 100, 10 are paid 100, 50, 0.
  AllianceTerms g = pool_terms();
  g.share = 1;
  g.pool_gain_cap_life = 150;
  const std::vector<ct::YearPayout> y = settle_years(one(g), {900, 900, 990});
  CHECK(limb3s(y) == std::vector<double>{100, 50, 0});
  CHECK_FALSE(y[0].gain_cap_binds);
  CHECK(y[1].gain_cap_binds);
  // A pain in between does not restore gain headroom (the cap counts gains paid, not net).
  CHECK(limb3s(settle_years(one(g), {900, 1050, 900, 900})) == std::vector<double>{100, -50, 50, 0});
}

TEST_CASE("Agreement: rebasing moves the target towards the outturn, by hand", "[settlement][agreement][pool]") {
  // Target 1,000 indexed 10% a year, rebased every 2 years half way to the outturn.
  //   y0: TOC 1,000 (AOC 1,200);  y1: TOC 1,100 (AOC 1,300);
  //   y2 (a rebase): R = 1 - 0.5 + 0.5 x 1,300 / 1,100 = 12/11: TOC 1,210 x 12/11 = 1,320;
  //   y3: TOC 1,331 x 12/11 = 1,452 (AOC 1,210);
  //   y4 (a rebase): R = 12/11 x (0.5 + 0.5 x 1,210 / 1,452) = 12/11 x 11/12 = 1: TOC 1,464.1.
  AllianceTerms a = pool_terms();
  a.target_indexation = 0.1;
  a.rebase_every = 2;
  a.rebase_weight = 0.5;
  const std::vector<ct::YearPayout> y = settle_years(one(a), {1200, 1300, 1400, 1210, 1000});
  const std::vector<double> toc = {1000, 1100, 1320, 1452, 1464.1};
  for (std::size_t k = 0; k < toc.size(); ++k) CHECK(y[k].target == Approx(toc[k]).epsilon(1e-12));
  // The rebased target drives the share: year 2's underrun is 1,320 - 1,400 = -80, share -40.
  CHECK(y[2].underrun == Approx(-80).epsilon(1e-12));
  CHECK(y[2].partners[0].gain_pain == Approx(-40).epsilon(1e-12));
  // With w = 1 every year, TOC_y = (1 + i) AOC_{y-1} whatever the costs.
  a.rebase_every = 1;
  a.rebase_weight = 1;
  const std::vector<double> aoc = {1234, 987, 1111, 1333};
  const std::vector<ct::YearPayout> r = settle_years(one(a), aoc);
  for (std::size_t k = 1; k < aoc.size(); ++k) CHECK(r[k].target == Approx(1.1 * aoc[k - 1]).epsilon(1e-12));
  // Settled on its own (no agreement), a year is never rebased.
  CHECK(ct::settle(one(a), input({1000}, 3)).target == Approx(1331).epsilon(1e-12));
}

TEST_CASE("Agreement: check_terms refuses carry forward with cumulative settlement and out-of-range pool terms",
          "[settlement][agreement][pool]") {
  AllianceTerms a = pool_terms();
  a.settlement = AllianceTerms::Settlement::kCumulative;
  a.carry_forward = true;
  a.rebase_weight = 1.5;
  a.rebase_every = -1;
  a.pool_pain_cap_life = -0.5;
  a.pool_gain_cap_life = std::numeric_limits<double>::infinity();
  const std::vector<std::string> problems = ct::check_terms(one(a, "alliance"), 1);
  std::string all;
  for (const std::string& p : problems) all += p + "\n";
  INFO(all);
  CHECK(problems.size() == 5);
  CHECK_THAT(all, Catch::Contains("carry_forward is set with cumulative settlement") &&
                      Catch::Contains("rebase_weight is 1.5, but must be in [0, 1]") &&
                      Catch::Contains("rebase_every is -1, but must be >= 0 years") &&
                      Catch::Contains("pool_pain_cap_life is -0.5") && Catch::Contains("pool_gain_cap_life is inf"));
}

TEST_CASE("Agreement: quarterly cash with the target paid on account and a lagged reconciliation, by hand",
          "[settlement][agreement][cash]") {
  // One member, fee 100, target 1,000, share 0.5, pain cap 1 x fee; paid on account, the
  // balance one quarter after the year. Costs 1,200 then 900:
  //   y1: payment 1,200 + 100 - 100 = 1,200; on account 1,000 + 100 = 1,100 (275 a quarter);
  //       balance 100 in quarter 5; costs 300 a quarter: cash -25 x 4.
  //   y2: payment 900 + 100 + 50 = 1,050; on account 1,100; balance -50 in quarter 9 (after
  //       the agreement); costs 225 a quarter: cash 275 + 100 - 225 = 150, then 50 x 3, then -50.
  AllianceTerms a = pool_terms();
  a.interim = true;
  const ct::Terms terms = one(a);
  REQUIRE(ct::check_terms(terms, 1).empty());
  const std::size_t Q = ct::cash_quarters(terms, 2);
  REQUIRE(Q == 9);
  std::vector<double> receipts(Q, 0.0), costs(Q, 0.0);
  const std::vector<ct::YearPayout> y = settle_years(terms, {1200, 900});
  for (std::size_t k = 0; k < 2; ++k) ct::quarterly_cash(terms, y[k], k, receipts, costs);
  std::vector<double> cash(Q);
  for (std::size_t q = 0; q < Q; ++q) cash[q] = receipts[q] - costs[q];
  CHECK(cash == std::vector<double>{-25, -25, -25, -25, 150, 50, 50, 50, -50});
  // Summed, receipts are the payments and costs the costs.
  double r = 0, c = 0;
  for (std::size_t q = 0; q < Q; ++q) {
    r += receipts[q];
    c += costs[q];
  }
  CHECK(r == 1200 + 1050);
  CHECK(c == 1200 + 900);
  // Lag 0: the balance comes with the year's last instalment, and there are 8 quarters.
  a.reconciliation_lag = 0;
  const ct::Terms now = one(a);
  REQUIRE(ct::cash_quarters(now, 2) == 8);
  std::vector<double> r0(8, 0.0), c0(8, 0.0);
  const std::vector<ct::YearPayout> y0 = settle_years(now, {1200, 900});
  for (std::size_t k = 0; k < 2; ++k) ct::quarterly_cash(now, y0[k], k, r0, c0);
  CHECK(r0 == std::vector<double>{275, 275, 275, 375, 275, 275, 275, 225});
  // Without interim, a quarter of each year's payment each quarter.
  const ct::Terms plain = one(pool_terms());
  REQUIRE(ct::cash_quarters(plain, 2) == 8);
  std::vector<double> r1(8, 0.0), c1(8, 0.0);
  const std::vector<ct::YearPayout> y1 = settle_years(plain, {1200, 900});
  for (std::size_t k = 0; k < 2; ++k) ct::quarterly_cash(plain, y1[k], k, r1, c1);
  CHECK(r1 == std::vector<double>{300, 300, 300, 300, 262.5, 262.5, 262.5, 262.5});
  // A buffer too short for the year is refused, not overrun.
  std::vector<double> short_r(4, 0.0), short_c(4, 0.0);
  CHECK_THROWS_AS(ct::quarterly_cash(terms, y[1], 1, short_r, short_c), std::invalid_argument);
}

TEST_CASE("Agreement: quarterly cash splits the target on account by Limb 1 and conserves every partner's "
          "payments (2,000 random agreements)", "[settlement][agreement][cash]") {
  // Two members (fees 50 and 80) and a third partner on a block of 300; with interim, member
  // i is paid TOC x Limb1_i / AOC + fee_i on account. Each partner's receipts over the
  // quarters add to its payments, and its costs to its costs.
  boost::random::mt19937_64 rng(20261207);
  boost::random::uniform_real_distribution<double> cost(200, 900);
  boost::random::uniform_int_distribution<int> years(1, 5), lag(0, 3);
  for (int trial = 0; trial < 2000; ++trial) {
    AllianceTerms a;
    a.members = {{0, 50, 0, 0, {}}, {1, 80, 0, 0, {}}};
    a.target_cost = 1000;
    a.interim = true;
    a.reconciliation_lag = lag(rng);
    a.settlement = trial % 2 == 0 ? AllianceTerms::Settlement::kCumulative : AllianceTerms::Settlement::kAnnual;
    a.retention = trial % 3 == 0 ? 0.5 : 0.0;
    ct::Terms terms = one(a, "alliance");
    ct::BlockTerms b;
    b.partner = 2;
    b.annual = 300;
    terms.contracts.push_back(ct::Contract{"block", b});
    const auto Y = static_cast<std::size_t>(years(rng));
    const std::size_t Q = ct::cash_quarters(terms, Y);
    REQUIRE(Q == 4 * Y + static_cast<std::size_t>(a.reconciliation_lag));
    std::vector<double> receipts(Q * 3, 0.0), costs(Q * 3, 0.0), paid(3, 0.0), spent(3, 0.0);
    ct::AgreementState state;
    for (std::size_t y = 0; y < Y; ++y) {
      const ct::YearInput in = input({cost(rng), cost(rng), cost(rng)}, static_cast<int>(y));
      ct::YearPayout pay;
      ct::settle_year(terms, in, y + 1 == Y, state, pay);
      ct::quarterly_cash(terms, pay, y, receipts, costs);
      for (std::size_t p = 0; p < 3; ++p) {
        paid[p] += pay.partners[p].payment;
        spent[p] += pay.partners[p].cost;
      }
      // On account in a quarter of the year no balance lands in (the last year's comes in
      // quarter lag - 1 of this one): a quarter of TOC x share + fee.
      const std::size_t k = 4 * y + (a.reconciliation_lag == 3 ? 0 : 2);
      const double share0 = pay.partners[0].limb1 / pay.actual;
      REQUIRE(receipts[k * 3 + 0] == Approx((1000 * share0 + 50) / 4).epsilon(1e-12));
      REQUIRE(receipts[k * 3 + 2] == Approx(300.0 / 4).epsilon(1e-12));
    }
    for (std::size_t p = 0; p < 3; ++p) {
      double r = 0, c = 0;
      for (std::size_t q = 0; q < Q; ++q) {
        r += receipts[q * 3 + p];
        c += costs[q * 3 + p];
      }
      REQUIRE(r == Approx(paid[p]).margin(1e-9));
      REQUIRE(c == Approx(spent[p]).margin(1e-9));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Several contracts for one partner (issue 16 item 3): contracts scoped to services.

namespace {

/// Partners trust 0 and vcse 1. Services: cmht 0, rehab 1, acute 2 (trust), recovery 3
/// (vcse). Costs 1000, 400, 600, 200; days 30 on cmht and 50 on acute.
ct::YearInput scoped_input() {
  ct::YearInput in;
  in.partner_cost = {2000, 200};
  in.partner_activity.assign(2, {});
  in.service_cost = {1000, 400, 600, 200};
  in.service_activity.assign(4, {});
  const auto days = static_cast<std::size_t>(pw::Measure::kDays);
  in.service_activity[0][days] = 30;
  in.service_activity[2][days] = 50;
  in.partner_activity[0][days] = 80;
  in.service_partner = {0, 0, 0, 1};
  in.kpi.assign(pw::kSystemKpis, 0.0);
  in.service_kpi.assign(4 * pw::kServiceKpis, 0.0);
  in.population = 1000;
  return in;
}

/// An alliance of trust (fee 10% of Limb 1) and vcse (fee 20) over rehab and recovery,
/// target 700, share 0.5, allocation by Limb 1.
ct::Contract rehab_alliance() {
  AllianceTerms a;
  a.members = {{0, 0, 0.1, 0, {}}, {1, 20, 0, 0, {}}};
  a.target_cost = 700;
  ct::Contract c{"rehab_alliance", a};
  c.services = {false, true, false, true};
  return c;
}

ct::CapitationTerms capitation_with_corridor() {
  ct::CapitationTerms cap;
  cap.partner = 0;
  cap.per_head = 1;                                   // budget 1 x 1000 = 1000
  cap.corridor = ct::RiskCorridor{0.0, 0.5};
  return cap;
}

}  // namespace

TEST_CASE("Settlement: an alliance over some services and a block for the partner's others, by hand",
          "[settlement][scoped]") {
  ct::Terms terms;
  terms.contracts = {rehab_alliance(), ct::Contract{"trust_block", ct::BlockTerms{0, 1500, 0}}};
  REQUIRE(ct::check_terms(terms, 2, 4, {0, 0, 0, 1}).empty());
  CHECK(ct::covering(terms, {0, 0, 0, 1}) == std::vector<std::size_t>{1, 0, 1, 0});
  const ct::YearPayout out = ct::settle(terms, scoped_input());
  // Limb 1: trust 400 (rehab only, not its 2000), vcse 200; AOC 600, TOC 700, U = 100,
  // fees 0.1 x 400 + 20 = 60, G = 0.5 x 100 = 50, by Limb 1: trust 400/600, vcse 200/600.
  CHECK(out.actual == Approx(600));
  CHECK(out.fee_total == Approx(60));
  CHECK(out.underrun == Approx(100));
  CHECK(out.partners[0].limb1 == Approx(400));
  CHECK(out.partners[0].limb2 == Approx(40));
  CHECK(out.partners[0].gain_pain == Approx(50.0 * 400 / 600));
  CHECK(out.partners[1].gain_pain == Approx(50.0 * 200 / 600));
  // trust: block 1500 + 400 + 40 + 33.33 = 1973.33 against its whole cost 2000.
  CHECK(out.partners[0].payment == Approx(1500 + 400 + 40 + 50.0 * 400 / 600));
  CHECK(out.partners[0].cost == 2000);
  CHECK(out.partners[0].margin == Approx(1973.0 + 1.0 / 3 - 2000));
  CHECK(out.partners[1].payment == Approx(200 + 20 + 50.0 / 3));
  CHECK(out.commissioner_spend == Approx(1500 + 400 + 40 + 200 + 20 + 50));
  // The same alliance without services would reimburse the trust's whole 2000: not scoped.
  ct::Terms whole;
  whole.contracts = {rehab_alliance()};
  whole.contracts[0].services.clear();
  CHECK(ct::settle(whole, scoped_input()).actual == Approx(2200));
}

TEST_CASE("Settlement: scoped tariffs and a corridor read only the contract's services, by hand",
          "[settlement][scoped]") {
  // Trust: activity on acute (days at 10 over "the partner's services", which are now acute
  // only: 50 days, not the trust's 80) and capitation over the rest (cmht + rehab = 1400).
  ct::ActivityTerms act;
  act.partner = 0;
  act.tariffs = {ct::Tariff{pw::Measure::kDays, ct::Tariff::kPartnerServices, 10, 0}};
  ct::Contract acute{"acute", act};
  acute.services = {false, false, true, false};
  ct::Terms terms;
  terms.contracts = {acute, ct::Contract{"capitation", capitation_with_corridor()}};
  REQUIRE(ct::check_terms(terms, 2, 4, {0, 0, 0, 1}).empty());
  const ct::YearPayout out = ct::settle(terms, scoped_input());
  // Activity 50 x 10 = 500. Capitation: budget 1000, cost 1400, corridor 0.5 x 400 = +200.
  CHECK(out.partners[0].gain_pain == Approx(200));
  CHECK(out.partners[0].payment == Approx(500 + 1000 + 200));
  CHECK(out.partners[1].payment == 0.0);  // the vcse is in no contract
  // Unscoped, the activity contract alone would pay all 80 days.
  CHECK(ct::settle(one(act), scoped_input()).partners[0].payment == Approx(800));
}

TEST_CASE("Agreement: retention withholds only the alliance's gainshare of a member with a corridor contract too",
          "[settlement][scoped][agreement]") {
  ct::Contract alliance = rehab_alliance();
  std::get<AllianceTerms>(alliance.terms).retention = 0.5;
  ct::Terms terms;
  terms.contracts = {alliance, ct::Contract{"capitation", capitation_with_corridor()}};
  REQUIRE(ct::check_terms(terms, 2, 4, {0, 0, 0, 1}).empty());
  ct::YearPayout out = ct::settle(terms, scoped_input());
  // Capitation over cmht + acute: cost 1600 against 1000, corridor +300. Alliance share 33.33.
  REQUIRE(out.partners[0].gain_pain == Approx(300 + 50.0 * 400 / 600));
  ct::AgreementState state;
  ct::carry(terms, false, state, out);
  // Half of 33.33 withheld; the corridor's 300 untouched.
  CHECK(state.retained[0] == Approx(50.0 * 200 / 600));
  CHECK(out.partners[0].limb3 == Approx(50.0 * 200 / 600));
  CHECK(out.partners[0].gain_pain == Approx(300 + 50.0 * 200 / 600));
  CHECK(out.partners[0].payment == Approx(1000 + 300 + 400 + 40 + 50.0 * 200 / 600));
  CHECK(out.commissioner_spend == Approx(1000 + 300 + 400 + 40 + 50.0 * 200 / 600 + 200 + 20 + 50.0 / 6));
}

TEST_CASE("Settlement: check_terms places each service's cost in exactly one contract", "[settlement][scoped]") {
  const std::vector<std::size_t> owners = {0, 0, 0, 1};
  const auto problems = [&](ct::Terms t) { return ct::check_terms(t, 2, 4, owners); };
  // Two contracts for the trust without services.
  ct::Terms two;
  two.contracts = {ct::Contract{"a", ct::BlockTerms{0, 1, 0}}, ct::Contract{"b", ct::BlockTerms{0, 1, 0}}};
  REQUIRE(problems(two).size() == 1);
  CHECK(problems(two)[0] ==
        "contract 1 \"b\" (block): partner 0 is already paid by contract 0 without services; a partner may hold one "
        "contract without services (the others name theirs)");
  // A service in two contracts' services; a service of a partner the contract does not pay.
  ct::Contract x{"x", ct::BlockTerms{0, 1, 0}};
  x.services = {true, true, false, false};
  ct::Contract y{"y", ct::BlockTerms{0, 1, 0}};
  y.services = {false, true, true, true};
  ct::Terms overlap;
  overlap.contracts = {x, y};
  CHECK(problems(overlap) ==
        std::vector<std::string>{
            "contract 1 \"y\" (block): service 3 is in its services, but belongs to partner 1, whom the contract does not pay",
            "terms: service 1 is in the services of contracts 0 and 1; a service's cost belongs to one contract"});
  // A service of a split partner in no contract; an empty scope; a scope of the wrong size.
  ct::Contract z{"z", ct::BlockTerms{0, 1, 0}};
  z.services = {true, false, false, false};
  ct::Contract none{"none", ct::BlockTerms{1, 1, 0}};
  none.services = {false, false, false, false};
  ct::Terms gaps;
  gaps.contracts = {z, none};
  CHECK(problems(gaps) ==
        std::vector<std::string>{
            "contract 1 \"none\" (block): services is empty, but a contract's services must name at least one service",
            "terms: service 1 of partner 0 is in no contract, but the partner's other services are: name it in a "
            "contract's services or give the partner a contract without services",
            "terms: service 2 of partner 0 is in no contract, but the partner's other services are: name it in a "
            "contract's services or give the partner a contract without services",
            "terms: service 3 of partner 1 is in no contract, but the partner's other services are: name it in a "
            "contract's services or give the partner a contract without services"});
  ct::Contract short_scope{"s", ct::BlockTerms{0, 1, 0}};
  short_scope.services = {true};
  ct::Terms wrong;
  wrong.contracts = {short_scope, ct::Contract{"rest", ct::BlockTerms{0, 1, 0}}};
  CHECK(problems(wrong) ==
        std::vector<std::string>{"contract 0 \"s\" (block): services has 1 entries, but there are 4 services"});
}

TEST_CASE("Settlement: with scoped contracts each service's cost reaches one contract and money is conserved",
          "[settlement][scoped]") {
  // Conservation: each service's cost reaches exactly one contract's basis, so with every
  // service covered by cost-reimbursing terms (alliances' Limb 1) the AOC is the covered cost.
  ct::Contract alliance = rehab_alliance();
  ct::ActivityTerms rest;
  rest.partner = 0;
  ct::Terms terms;
  terms.contracts = {alliance, ct::Contract{"rest", rest}};
  const ct::YearInput in = scoped_input();
  const ct::YearPayout out = ct::settle(terms, in);
  CHECK(out.actual == in.service_cost[1] + in.service_cost[3]);
  double spend = 0;
  for (const ct::PartnerPayout& p : out.partners) spend += p.payment;
  CHECK(out.commissioner_spend == spend);
}

// ---------------------------------------------------------------------------------------
// Asymmetric and tiered corridors, caps and fees as a fraction of the target (issue 16 item 3).

TEST_CASE("Settlement: an asymmetric tiered corridor, by hand", "[settlement][tiers]") {
  ct::CapitationTerms cap;
  cap.partner = 0;
  cap.per_head = 1000;  // x population 1000 = budget 1,000,000
  ct::RiskCorridor c;
  c.over = {{0.02, 0.0}, {0.10, 0.5}, {std::numeric_limits<double>::infinity(), 0.75}};
  c.under = {{0.05, 0.0}, {std::numeric_limits<double>::infinity(), 0.25}};
  cap.corridor = c;
  REQUIRE(ct::check_terms(one(cap), 1).empty());
  const auto pay = [&](double cost) {
    ct::YearInput in = input({cost});
    in.population = 1000;
    return ct::settle(one(cap), in).partners[0];
  };
  // Overspend 150k: 0 x 20k + 0.5 x 80k + 0.75 x 50k = 77,500 paid on top.
  CHECK(pay(1.15e6).gain_pain == Approx(77500));
  CHECK(pay(1.15e6).payment == Approx(1077500));
  // Underspend 100k: 0 x 50k + 0.25 x 50k = 12,500 clawed back.
  CHECK(pay(0.9e6).gain_pain == Approx(-12500));
  CHECK(pay(0.9e6).payment == Approx(987500));
  // Inside the first tier on either side: nothing.
  CHECK(pay(1.01e6).gain_pain == 0.0);
  CHECK(pay(0.96e6).gain_pain == 0.0);
  // Tiers beyond the last bound share nothing: a capped tier set.
  c.over = {{0.02, 0.0}, {0.10, 0.5}};
  cap.corridor = c;
  CHECK(pay(1.5e6).gain_pain == Approx(40000));
}

TEST_CASE("Settlement: width and share are the tiers [{width, 0}, {none, share}], bit for bit", "[settlement][tiers]") {
  ct::BlendedTerms plain;
  plain.partner = 0;
  plain.fixed = 1e6;
  plain.corridor = ct::RiskCorridor{0.02, 0.5};
  ct::BlendedTerms tiered = plain;
  ct::RiskCorridor t;
  t.over = t.under = {{0.02, 0.0}, {std::numeric_limits<double>::infinity(), 0.5}};
  tiered.corridor = t;
  for (const double cost : {0.0, 0.5e6, 0.97e6, 0.98e6, 0.99e6, 1e6, 1.0123e6, 1.02e6, 1.3e6, 7.7e6}) {
    INFO(cost);
    CHECK(ct::settle(one(tiered), input({cost})).partners[0].payment ==
          ct::settle(one(plain), input({cost})).partners[0].payment);
  }
}

TEST_CASE("Settlement: alliance caps as a fraction of the target take the tighter limit, by hand", "[settlement][tiers]") {
  AllianceTerms a;
  a.members = {{0, 200e3, 0, 0, {}}};
  a.target_cost = 1e6;
  a.share = 0.5;
  a.pain_cap = 1.0;             // kappa F = 200k
  a.pain_cap_of_target = 0.05;  // 50k: tighter
  a.gain_cap = 80e3;
  a.gain_cap_of_target = 0.06;  // 60k: tighter
  REQUIRE(ct::check_terms(one(a), 1).empty());
  // AOC 1.2m: U = -200k, G = -100k, capped at -50k.
  const ct::YearPayout pain = ct::settle(one(a), input({1.2e6}));
  CHECK(pain.providers_share == Approx(-50e3));
  CHECK(pain.limb3 == Approx(-50e3));
  CHECK(pain.pain_cap_binds);
  // AOC 0.8m: U = 200k, G = 100k, capped at 60k.
  const ct::YearPayout gain = ct::settle(one(a), input({0.8e6}));
  CHECK(gain.providers_share == Approx(60e3));
  CHECK(gain.gain_cap_binds);
  // The looser limit in pounds binds when it is the tighter one.
  a.gain_cap = 40e3;
  CHECK(ct::settle(one(a), input({0.8e6})).providers_share == Approx(40e3));
  // Indexed target: year 2 TOC = 1m x 1.1^2 = 1.21m; pain cap 0.05 x 1.21m = 60,500.
  a.target_indexation = 0.1;
  const ct::YearPayout y2 = ct::settle(one(a), input({1.6e6, }, 2));
  CHECK(y2.target == Approx(1.21e6));
  CHECK(y2.providers_share == Approx(-60500));
}

TEST_CASE("Settlement: alliance fees as a fraction of the target, allocated by fee, by hand", "[settlement][tiers]") {
  AllianceTerms a;
  a.members = {{0, 1000, 0.02, 0, {}}, {1, 0, 0, 0, {}}};
  a.members[0].fee_of_target = 0.03;
  a.members[1].fee_of_target = 0.01;
  a.target_cost = 1e6;
  a.share = 0.5;
  a.allocation = AllianceTerms::Allocation::kFee;
  REQUIRE(ct::check_terms(one(a), 2).empty());
  // Limb 1: 600k and 200k; AOC 800k, U = 200k, G = 100k. Fees: 1,000 + 0.02 x 600k +
  // 0.03 x 1m = 43,000 and 0.01 x 1m = 10,000; F = 53,000; Limb 3 by fee 43/53 and 10/53.
  const ct::YearPayout out = ct::settle(one(a), input({600e3, 200e3}));
  CHECK(out.fee_total == Approx(53000));
  CHECK(out.partners[0].limb2 == Approx(43000));
  CHECK(out.partners[1].limb2 == Approx(10000));
  CHECK(out.partners[0].gain_pain == Approx(100e3 * 43 / 53));
  CHECK(out.partners[1].gain_pain == Approx(100e3 * 10 / 53));
  CHECK(out.partners[1].payment == Approx(200e3 + 10000 + 100e3 * 10 / 53));
}

TEST_CASE("Settlement: check_terms reads tiers and caps of the target", "[settlement][tiers]") {
  ct::CapitationTerms cap;
  cap.partner = 0;
  ct::RiskCorridor c;
  c.over = {{0.1, 0.5}, {0.05, 1.5}};
  cap.corridor = c;
  CHECK(ct::check_terms(one(cap, "cap"), 1) ==
        std::vector<std::string>{
            "contract 0 \"cap\" (capitation): corridor.over[1].upper is 0.05, but band bounds must be > 0 and strictly "
            "ascending (previous 0.1)",
            "contract 0 \"cap\" (capitation): corridor.over[1].share is 1.5, but must be in [0, 1]"});
  AllianceTerms a;
  a.members = {{0, 1, 0, 0, {}}};
  a.members[0].fee_of_target = -0.1;
  a.pain_cap_of_target = -1;
  a.gain_cap_of_target = std::numeric_limits<double>::quiet_NaN();
  CHECK(ct::check_terms(one(a, "a"), 1) ==
        std::vector<std::string>{
            "contract 0 \"a\" (alliance): members[0].fee_of_target is -0.1, but must be a finite number >= 0",
            "contract 0 \"a\" (alliance): gain_cap_of_target is nan, but must be a finite number >= 0",
            "contract 0 \"a\" (alliance): pain_cap_of_target is -1, but must be a finite number >= 0"});
}

// ---------------------------------------------------------------------------------------
// A pooled budget of several commissioners (issue 16 item 3).

namespace {

/// Commissioners: icb 0, council 1. An alliance of partners 0 and 1 (fees 100k each, TOC
/// 10m, share 0.5, by budget share) funded 80/20 and a block for partner 2 funded by the
/// council alone.
ct::Terms pooled(std::vector<double> residual_split) {
  AllianceTerms a;
  a.members = {{0, 100e3, 0, 0, {}}, {1, 100e3, 0, 0, {}}};
  a.target_cost = 10e6;
  a.residual_split = std::move(residual_split);
  ct::Contract alliance{"alliance", a};
  alliance.funders = {0.8, 0.2};
  ct::Contract block{"block", ct::BlockTerms{2, 1e6, 0}};
  block.funders = {0.0, 1.0};
  ct::Terms terms;
  terms.contracts = {alliance, block};
  return terms;
}

}  // namespace

TEST_CASE("Settlement: a pooled budget's funders and the split of its out-turn, by hand", "[settlement][pooled]") {
  // AOC 6m + 3.4m = 9.4m; U = 0.6m; G = L3 = 0.3m; the alliance pays 9.4 + 0.2 + 0.3 = 9.9m.
  const ct::YearInput in = input({6e6, 3.4e6, 1e6});
  ct::Terms split = pooled({0.5, 0.5});
  REQUIRE(ct::check_terms(split, 3).empty());
  REQUIRE(ct::commissioners(split) == 2);
  const ct::YearPayout out = ct::settle(split, in);
  CHECK(out.contract_payment == std::vector<double>{9.9e6, 1e6});
  // Pooled budget TOC + F = 10.2m, saved 0.3m: icb 0.8 x 10.2m - 0.5 x 0.3m = 8.01m;
  // council 0.2 x 10.2m - 0.5 x 0.3m + the block's 1m = 2.89m.
  REQUIRE(out.commissioner.size() == 2);
  CHECK(out.commissioner[0] == Approx(8.01e6));
  CHECK(out.commissioner[1] == Approx(2.89e6));
  CHECK(out.commissioner[0] + out.commissioner[1] == Approx(out.commissioner_spend));
  // Without a residual split the out-turn follows the funding: 0.8 and 0.2 of 9.9m.
  const ct::YearPayout plain = ct::settle(pooled({}), in);
  CHECK(plain.commissioner[0] == Approx(7.92e6));
  CHECK(plain.commissioner[1] == Approx(1.98e6 + 1e6));
  // Retention (half of the 0.3m withheld this year) reaches the commissioners through the
  // alliance's payment: 9.75m; icb 8.16m - 0.5 x 0.45m = 7.935m, council 2.04m - 0.225m + 1m.
  std::get<AllianceTerms>(split.contracts[0].terms).retention = 0.5;
  ct::YearPayout kept = ct::settle(split, in);
  ct::AgreementState state;
  ct::carry(split, false, state, kept);
  CHECK(kept.contract_payment[0] == Approx(9.75e6));
  CHECK(kept.commissioner[0] == Approx(7.935e6));
  CHECK(kept.commissioner[1] == Approx(2.815e6));
  CHECK(kept.commissioner[0] + kept.commissioner[1] == Approx(kept.commissioner_spend));
}

TEST_CASE("Settlement: one commissioner is the whole spend, bit for bit", "[settlement][pooled]") {
  ct::Terms terms = pooled({});
  for (ct::Contract& c : terms.contracts) c.funders.clear();
  REQUIRE(ct::commissioners(terms) == 1);
  const ct::YearPayout out = ct::settle(terms, input({6e6, 3.4e6, 1e6}));
  REQUIRE(out.commissioner.size() == 1);
  CHECK(out.commissioner[0] == out.commissioner_spend);
}

TEST_CASE("Settlement: check_terms wants funders and a residual split that sum to 1", "[settlement][pooled]") {
  ct::Terms terms = pooled({0.5, 0.6});
  terms.contracts[1].funders = {0.3, 0.6};
  CHECK(ct::check_terms(terms, 3) ==
        std::vector<std::string>{
            "contract 0 \"alliance\" (alliance): residual_split sum to 1.1, but must sum to 1",
            "contract 1 \"block\" (block): funders sum to 0.9, but must sum to 1"});
}

TEST_CASE("Settlement: one-off costs inside or outside the contract, by hand", "[settlement][transition]") {
  // Brief 2.6's worked example at AOC 9.4m, of which £0.8m is the trust's one-off set-up cost.
  ct::YearInput in = worked_input(9.4e6);
  in.service_one_off = {0.8e6, 0.0, 0.0};
  // Inside (the default): the one-off is cost like any other; the numbers are those of the
  // worked example bit for bit.
  ct::Terms terms = worked_example();
  const ct::YearPayout plain = ct::settle(terms, worked_input(9.4e6));
  const ct::YearPayout inside = ct::settle(terms, in);
  for (std::size_t p = 0; p < 3; ++p) CHECK(inside.partners[p].payment == plain.partners[p].payment);
  CHECK(inside.commissioner_spend == plain.commissioner_spend);
  // Outside: settled on 8.6m (trust 5.78m), the £0.8m paid on top. U = 10 - 8.6 = 1.4m;
  // share 0.5 x 1.4 = 0.7m; L3 = 0.7 + 0.04 (KRAs) = 0.74m, by budget share 5.78 / 8.6 to the
  // trust = 0.497348837m. Trust: 5.78 + 0.35 + 0.497348837 + 0.8 = 7.427348837m; its margin
  // 7.427348837 - 6.58 = 0.847348837m (fee + L3). Commissioner: 8.6 + 0.5 + 0.74 + 0.8 = 10.64m.
  terms.contracts[0].one_off = ct::OneOffCosts::kOutside;
  const ct::YearPayout out = ct::settle(terms, in);
  CHECK(out.actual == Approx(8.6e6).margin(kPound));
  CHECK(out.underrun == Approx(1.4e6).margin(kPound));
  CHECK(out.limb3 == Approx(0.74e6).margin(kPound));
  CHECK(out.partners[0].limb1 == Approx(5.78e6).margin(kPound));
  CHECK(out.partners[0].limb3 == Approx(497'348.837209).margin(1e-3));
  CHECK(out.partners[0].payment == Approx(7'427'348.837209).margin(1e-3));
  CHECK(out.partners[0].margin == Approx(847'348.837209).margin(1e-3));
  CHECK(out.partners[1].limb3 == Approx(0.74e6 * 1.88 / 8.6).margin(1e-3));
  CHECK(out.commissioner_spend == Approx(10.64e6).margin(kPound));

  // A block: £900k of cost of which £200k one-off. Inside, the provider absorbs it (payment
  // £1m, margin £100k); outside it is paid on top (£1.2m, margin £300k).
  ct::YearInput b = input({900e3});
  b.service_one_off = {200e3};
  ct::Terms block = one(ct::BlockTerms{0, 1e6, 0.0});
  CHECK(ct::settle(block, b).partners[0].payment == 1e6);
  CHECK(ct::settle(block, b).partners[0].margin == 100e3);
  block.contracts[0].one_off = ct::OneOffCosts::kOutside;
  CHECK(ct::settle(block, b).partners[0].payment == 1.2e6);
  CHECK(ct::settle(block, b).partners[0].margin == 300e3);
  CHECK(ct::settle(block, b).commissioner_spend == 1.2e6);
  // With no one-off costs, outside changes nothing.
  CHECK(ct::settle(block, input({900e3})).partners[0].payment == 1e6);
}
