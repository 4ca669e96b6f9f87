// SPDX-License-Identifier: MIT
// Risk over a multi-year agreement from settled rows (analysis/partner_risk.hpp), by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <variant>
#include <vector>

#include "analysis/partner_risk.hpp"
#include "analysis/payout_results.hpp"
#include "models/contracts/settlement.hpp"
#include "models/ledger/ledger.hpp"

namespace a = mhsim::analysis;
namespace ct = mhsim::models::contracts;

namespace {

constexpr std::size_t F = a::kPartnerPayoutFieldCount, G = a::kArmPayoutFieldCount;

// One arm's rows, [R][Y][P][F] and [R][Y][G], for P partners, all zero.
struct Rows {
  std::size_t R, Y, P;
  std::vector<double> partner, arm;
  Rows(std::size_t r, std::size_t y, std::size_t p) : R(r), Y(y), P(p), partner(r * y * p * F, 0.0), arm(r * y * G, 0.0) {}
  double& at(std::size_t r, std::size_t y, std::size_t p, a::PartnerField f) {
    return partner[((r * Y + y) * P + p) * F + static_cast<std::size_t>(f)];
  }
  double& at(std::size_t r, std::size_t y, a::ArmField f) { return arm[(r * Y + y) * G + static_cast<std::size_t>(f)]; }
  a::ArmPayoutRows view() const { return {partner.data(), arm.data(), R, Y, P, Y * P * F, Y * G}; }
};

// One alliance member (fee 100, target 1,000 a year, share 0.5, pain cap 1 x fee), its
// years settled (contracts::settle_year) on the given costs into `rows` (replication r) and
// its cash by quarter (contracts::quarterly_cash) into `cash`, laid out as payouts/cash.
void settle_member(const ct::Terms& terms, std::size_t r, const std::vector<double>& costs, Rows& rows,
                   std::vector<double>& cash) {
  const std::size_t Y = costs.size(), Q = ct::cash_quarters(terms, Y);
  std::vector<double> receipts(Q, 0.0), spent(Q, 0.0);
  ct::AgreementState state;
  for (std::size_t y = 0; y < Y; ++y) {
    ct::YearInput in;
    in.year = static_cast<int>(y);
    in.partner_cost = {costs[y]};
    in.partner_activity.assign(1, {});
    in.service_cost = {costs[y]};
    in.service_activity.assign(1, {});
    in.service_partner = {0};
    in.kpi.assign(mhsim::models::ledger::kSystemKpis, 0.0);
    in.service_kpi.assign(mhsim::models::ledger::kServiceKpis, 0.0);
    ct::YearPayout pay;
    ct::settle_year(terms, in, y + 1 == Y, state, pay);
    ct::quarterly_cash(terms, pay, y, receipts, spent);
    const auto f = a::partner_fields(pay.partners[0]);
    for (std::size_t k = 0; k < F; ++k) rows.partner[((r * Y + y) * 1) * F + k] = f[k];
  }
  cash.resize(rows.R * Q * 2);
  for (std::size_t q = 0; q < Q; ++q) {
    cash[(r * Q + q) * 2] = receipts[q];
    cash[(r * Q + q) * 2 + 1] = spent[q];
  }
}

ct::Terms member_terms(bool interim) {
  ct::AllianceTerms al;
  al.members = {ct::AllianceMember{0, 100, 0, 0, {}}};
  al.target_cost = 1000;
  al.share = 0.5;
  al.interim = interim;
  al.reconciliation_lag = 1;
  ct::Terms t;
  t.contracts.push_back(ct::Contract{"alliance", al});
  return t;
}

}  // namespace

TEST_CASE("partner_risk: painshare, reserves, exhaustion and reserves needed over the agreement, by hand",
          "[analysis][reserves]") {
  // Partner 1 (of 2) is paid 1,000 a year; its gain/pain by year in four replications:
  //   r0 +50 -200 +100   painshare 200  drawdown 150 (cumulative +50, -150, -50)
  //   r1 -100  0   -1    painshare 101  drawdown 101
  //   r2 -30 -30  -30    painshare  90  drawdown  90
  //   r3 +20 +20  +20    painshare   0  drawdown   0
  const double gp[4][3] = {{50, -200, 100}, {-100, 0, -1}, {-30, -30, -30}, {20, 20, 20}};
  Rows rows(4, 3, 2);
  for (std::size_t r = 0; r < 4; ++r) {
    for (std::size_t y = 0; y < 3; ++y) {
      rows.at(r, y, 1, a::PartnerField::kPayment) = 1000 + gp[r][y];
      rows.at(r, y, 1, a::PartnerField::kGainPain) = gp[r][y];
      rows.at(r, y, 1, a::PartnerField::kMargin) = gp[r][y];
      rows.at(r, y, a::ArmField::kCommissionerSpend) = 5000;
    }
  }
  const ct::Terms none;
  const a::PartnerRisk idle = a::partner_risk(rows.view(), 0, 3, none, 100, 0.95, a::ArmCashRows{});
  CHECK_FALSE(idle.takes_part);

  const a::PartnerRisk risk = a::partner_risk(rows.view(), 1, 3, none, 100, 0.95, a::ArmCashRows{});
  REQUIRE(risk.takes_part);
  const a::RiskRow& row = risk.row;
  CHECK(row.mean_painshare == Approx((200 + 101 + 90 + 0) / 4.0).epsilon(1e-15));
  CHECK(row.p_any_painshare == 0.75);
  CHECK(row.p_above_reserve == 0.5);  // 200 and 101 exceed 100
  CHECK(row.p_exhausted == 0.5);      // r0 (year 2) and r1 (year 3)
  REQUIRE(risk.path.size() == 3);
  CHECK(risk.path[0].p_exhausted_by == 0.0);
  CHECK(risk.path[1].p_exhausted_by == 0.25);
  REQUIRE(row.lowest_reserve);
  CHECK(row.lowest_reserve->mean == Approx(14.75).epsilon(1e-12));  // lowest {-50, -1, 10, 100}
  // Reserves needed at 95%: type-7 95th percentile of the drawdowns {0, 90, 101, 150}:
  // h = 2.85 -> 101 + 0.85 * 49 = 142.65.
  CHECK(row.reserves_needed == Approx(142.65).epsilon(1e-12));
  CHECK_FALSE(row.p_cap_binds);  // no cap in these terms

  // Over the first two years only: painshares {200, 100, 60, 0}; r1 ends year 2 at 0 (spent,
  // not exhausted); drawdowns {150, 100, 60, 0}.
  const a::PartnerRisk two = a::partner_risk(rows.view(), 1, 2, none, 100, 0.95, a::ArmCashRows{});
  CHECK(two.row.p_above_reserve == 0.25);
  CHECK(two.row.p_exhausted == 0.25);
  CHECK(two.path.size() == 2);
  CHECK(two.row.reserves_needed == Approx(100 + 0.85 * 50).epsilon(1e-12));

  // No reserves stated: no reserve path, but the reserves needed are still given.
  const a::PartnerRisk unstated = a::partner_risk(rows.view(), 1, 3, none, std::nan(""), 0.95, a::ArmCashRows{});
  CHECK_FALSE(unstated.row.p_exhausted);
  CHECK_FALSE(unstated.row.lowest_reserve);
  CHECK(unstated.path.empty());
  CHECK(unstated.row.reserves_needed == Approx(142.65).epsilon(1e-12));

  // A member cap: P(cap binds in some year) from the capped amounts; the cap is kappa x fee.
  ct::AllianceTerms alliance;
  alliance.members = {ct::AllianceMember{1, 0, 0, 0, 0.5}};
  ct::Terms capped;
  capped.contracts.push_back(ct::Contract{"alliance", alliance});
  for (std::size_t y = 0; y < 3; ++y) {
    for (std::size_t r = 0; r < 4; ++r) rows.at(r, y, 1, a::PartnerField::kLimb2) = 100;
  }
  rows.at(0, 1, 1, a::PartnerField::kCappedAmount) = 150;  // r0's year 2 would have been -350
  const a::PartnerRisk with_cap = a::partner_risk(rows.view(), 1, 3, capped, 100, 0.95, a::ArmCashRows{});
  CHECK(with_cap.row.p_cap_binds == 0.25);
  CHECK(with_cap.row.cap == Approx(0.5 * 100 * 3).epsilon(1e-15));

  // The commissioner: spend over the horizon against its budget.
  const a::RiskRow c = a::commissioner_risk(rows.view(), 3, 4000, 0.95);
  CHECK(c.commissioner);
  CHECK(c.mean_payment == 15000);
  CHECK(c.reserve == 12000);
  CHECK(c.p_above_reserve == 1.0);
}

TEST_CASE("partner_risk: a member under an alliance-wide painshare cap is shown that cap, by hand", "[analysis][reserves]") {
  // Two replications, two years. The pool's fees are 100 then 200, its target 1,000 a year;
  // kappa = 0.5 of fees and 6% of the target: the tighter of the two applies.
  //   annual:     min(50, 60) + min(100, 60) = 110, in every replication;
  //   cumulative: on the agreement to date, min(0.5 x 300, 0.06 x 2,000) = 120.
  Rows rows(2, 2, 2);
  const double fees[2] = {100, 200};
  for (std::size_t r = 0; r < 2; ++r) {
    for (std::size_t y = 0; y < 2; ++y) {
      rows.at(r, y, 0, a::PartnerField::kPayment) = 500;
      rows.at(r, y, 0, a::PartnerField::kGainPain) = r == 0 ? -40.0 : 10.0;
      rows.at(r, y, a::ArmField::kFeeTotal) = fees[y];
      rows.at(r, y, a::ArmField::kTarget) = 1000;
    }
  }
  rows.at(0, 1, a::ArmField::kPainCapBinds) = 1;  // r0's second year hit the pool's cap
  ct::AllianceTerms al;
  al.members = {ct::AllianceMember{0, 50, 0, 0, {}}, ct::AllianceMember{1, 50, 0, 0, {}}};
  al.pain_cap = 0.5;
  al.pain_cap_of_target = 0.06;
  ct::Terms terms;
  terms.contracts.push_back(ct::Contract{"alliance", al});
  const a::PartnerRisk annual = a::partner_risk(rows.view(), 0, 2, terms, 1000, 0.95, a::ArmCashRows{});
  REQUIRE(annual.row.shared_cap);
  CHECK(*annual.row.shared_cap == Approx(110).epsilon(1e-15));
  CHECK_FALSE(annual.row.cap);           // no cap of its own
  CHECK(annual.row.p_cap_binds == 0.5);  // r0 only

  std::get<ct::AllianceTerms>(terms.contracts[0].terms).settlement = ct::AllianceTerms::Settlement::kCumulative;
  const a::PartnerRisk cumulative = a::partner_risk(rows.view(), 0, 2, terms, 1000, 0.95, a::ArmCashRows{});
  REQUIRE(cumulative.row.shared_cap);
  CHECK(*cumulative.row.shared_cap == Approx(120).epsilon(1e-15));

  // No pool cap at all: nothing is shown.
  auto& open = std::get<ct::AllianceTerms>(terms.contracts[0].terms);
  open.pain_cap.reset();
  open.pain_cap_of_target.reset();
  const a::PartnerRisk uncapped = a::partner_risk(rows.view(), 0, 2, terms, 1000, 0.95, a::ArmCashRows{});
  CHECK_FALSE(uncapped.row.shared_cap);
  CHECK_FALSE(uncapped.row.p_cap_binds);
}

TEST_CASE("partner_risk: opening reserves of the reserves needed keep exhaustion at or below 1 - level",
          "[analysis][reserves]") {
  // 100 replications of a partner losing 1..100 in year 1 and gaining 1,000 in year 2:
  // drawdowns 1..100; the 90% VaR (type 7) is x[89.1] = 90.1; with that as the opening
  // reserves exactly the 10 drawdowns 91..100 exceed it: P(exhausted) = 0.10.
  Rows rows(100, 2, 1);
  for (std::size_t r = 0; r < 100; ++r) {
    rows.at(r, 0, 0, a::PartnerField::kPayment) = 1;
    rows.at(r, 0, 0, a::PartnerField::kGainPain) = -static_cast<double>(r + 1);
    rows.at(r, 1, 0, a::PartnerField::kGainPain) = 1000;
  }
  const ct::Terms none;
  const double needed = a::partner_risk(rows.view(), 0, 2, none, std::nan(""), 0.90, a::ArmCashRows{}).row.reserves_needed;
  CHECK(needed == Approx(90.1).epsilon(1e-12));
  const a::PartnerRisk at_needed = a::partner_risk(rows.view(), 0, 2, none, needed, 0.90, a::ArmCashRows{});
  CHECK(*at_needed.row.p_exhausted == Approx(0.10).epsilon(1e-12));
  CHECK(*at_needed.row.p_exhausted <= 1 - 0.90 + 1e-12);
  // The gain in year 2 restores every replication: the year-2 reserves are all above the opening.
  CHECK(at_needed.path[1].q05 > needed);
}

TEST_CASE("cash_positions: payments on account with a lagged reconciliation take cash below reserves that the "
          "year-end path never exhausts, by hand", "[analysis][reserves][cash]") {
  // A two-year alliance (one member: fee 100, target 1,000 a year, share 0.5, pain cap 1 x
  // fee) paid on account, each year's balance one quarter after its end; opening reserves
  // 150. Each quarter the member is paid 275 on account (a quarter of target + fee); its fee
  // (100 a year, the margin outside the risk share) is taken as spent as it accrues, 25 a
  // quarter, as the year-end path never counts it. C_q = 150 + cash to date - 25 x quarters
  // of the agreement elapsed.
  //   r0, costs 1,200 then 900 (docs/contracts.md, "Cash by quarter"):
  //     y1: U = -200, share -100 (= the cap): gain/pain -100, payment 1,200, margin 0.
  //         Costs 300 a quarter: cash -25 a quarter; position 150 - 50 k: 100, 50, 0, -50.
  //     y2: U = +100, share +50: payment 1,050, margin 150. Quarter 5: 275 + the year-1
  //         balance 1,200 - 1,100 = 100, costs 225: +150 - 25 -> 75; quarters 6-8: +50 - 25
  //         -> 100, 125, 150; quarter 9 (after the agreement): the year-2 balance 1,050 -
  //         1,100 = -50 -> 100.
  //     Year-end reserves 150 - 100 = 50, then 100: never exhausted. The cash is exhausted
  //     in quarter 4 (-50), the low point; 0 in quarter 3 is spent, not exhausted.
  //   r1, costs 1,000 and 1,000: on target, paid exactly on account: 150 throughout.
  //   r2, costs 1,100 then 1,000: y1 share -50, payment 1,150: cash 275 - 275 = 0 a quarter,
  //     less 25 of fee: 125, 100, 75, 50; quarter 5: 275 + 50 - 250 - 25 = +50 -> 100;
  //     then 100 to the end. Year-end reserves 100, 100.
  const ct::Terms terms = member_terms(true);
  REQUIRE(ct::check_terms(terms, 1).empty());
  REQUIRE(ct::cash_quarters(terms, 2) == 9);
  Rows rows(3, 2, 1);
  std::vector<double> cash;
  const std::vector<std::vector<double>> costs = {{1200, 900}, {1000, 1000}, {1100, 1000}};
  for (std::size_t r = 0; r < 3; ++r) settle_member(terms, r, costs[r], rows, cash);
  // The settlement is the one worked out above.
  CHECK(rows.at(0, 0, 0, a::PartnerField::kGainPain) == -100);
  CHECK(rows.at(0, 0, 0, a::PartnerField::kMargin) == 0);
  CHECK(rows.at(0, 1, 0, a::PartnerField::kGainPain) == 50);
  CHECK(rows.at(0, 1, 0, a::PartnerField::kPayment) == 1050);
  CHECK(rows.at(2, 0, 0, a::PartnerField::kPayment) == 1150);
  CHECK(cash[4 * 2] == 375);  // r0, quarter 5: on account and the year-1 balance
  CHECK(cash[8 * 2] == -50);  // r0, quarter 9: the year-2 balance given back

  const a::ArmCashRows quarterly{cash.data(), 9, 9 * 2};
  std::vector<double> position(9);
  a::cash_positions(rows.view(), quarterly, 0, 0, 150, 9, position.data());
  CHECK(position == std::vector<double>{100, 50, 0, -50, 75, 100, 125, 150, 100});
  a::cash_positions(rows.view(), quarterly, 1, 0, 150, 9, position.data());
  CHECK(position == std::vector<double>(9, 150.0));
  a::cash_positions(rows.view(), quarterly, 2, 0, 150, 9, position.data());
  CHECK(position == std::vector<double>{125, 100, 75, 50, 100, 100, 100, 100, 100});
  const a::CashLow low = a::cash_low(position.data(), 9, 150);
  CHECK(low.lowest == 50);
  CHECK(low.quarter == 4);
  CHECK(low.first_below == 0);

  const a::PartnerRisk risk = a::partner_risk(rows.view(), 0, 2, terms, 150, 0.95, quarterly, true);
  REQUIRE(risk.takes_part);
  const a::RiskRow& row = risk.row;
  CHECK(row.p_exhausted == 0.0);  // year ends: 50, 100 | 150, 150 | 100, 100
  REQUIRE(row.lowest_reserve);
  CHECK(row.lowest_reserve->mean == Approx((50 + 150 + 100) / 3.0).epsilon(1e-15));
  REQUIRE(row.p_cash_exhausted);
  CHECK(*row.p_cash_exhausted == Approx(1 / 3.0).epsilon(1e-15));  // r0 in quarter 4
  REQUIRE(row.lowest_cash);
  CHECK(row.lowest_cash->mean == Approx((-50 + 150 + 50) / 3.0).epsilon(1e-15));
  CHECK(row.lowest_cash->q50 == 50);
  CHECK(row.lowest_cash_quarter == 4u);  // r0 and r2; r1 never falls below its opening
  // Among the replications that fall below the opening: r0 and r1 alone still give quarter 4.
  const a::ArmPayoutRows first_two{rows.partner.data(), rows.arm.data(), 2, 2, 1, 2 * F, 2 * G};
  CHECK(a::partner_risk(first_two, 0, 2, terms, 150, 0.95, quarterly).row.lowest_cash_quarter == 4u);
  // By year k: quarters up to 4k + 1, the year's reconciliation.
  CHECK(risk.cash_exhausted_by == std::vector<double>{1 / 3.0, 1 / 3.0});
  REQUIRE(risk.cash_path.size() == 9);
  CHECK(risk.cash_path[2].p_exhausted_by == 0.0);  // r0 reaches 0 in quarter 3: spent, not exhausted
  CHECK(risk.cash_path[3].p_exhausted_by == Approx(1 / 3.0).epsilon(1e-15));
  CHECK(risk.cash_path[3].mean == Approx((-50 + 150 + 50) / 3.0).epsilon(1e-15));
  CHECK(risk.cash_path[3].q05 == Approx(-50 + 0.1 * 100).epsilon(1e-15));  // type 7 on {-50, 50, 150}
  // Reserves 200: r0's low point is exactly 0, spent but not exhausted.
  CHECK(a::partner_risk(rows.view(), 0, 2, terms, 200, 0.95, quarterly).row.p_cash_exhausted == 0.0);
  // Over the first year: quarters 1 to 5 (year 1 and its reconciliation).
  const a::PartnerRisk first = a::partner_risk(rows.view(), 0, 1, terms, 150, 0.95, quarterly, true);
  CHECK(first.cash_path.size() == 5);
  CHECK(*first.row.p_cash_exhausted == Approx(1 / 3.0).epsilon(1e-15));
  CHECK(first.row.lowest_cash->mean == row.lowest_cash->mean);
  // An arm paid on account without its cash is refused, not taken to be paid in instalments.
  CHECK_THROWS_AS(a::partner_risk(rows.view(), 0, 2, terms, 150, 0.95, a::ArmCashRows{}), std::invalid_argument);
  // No reserves stated: no cash figures, as no reserve path.
  CHECK_FALSE(a::partner_risk(rows.view(), 0, 2, terms, std::nan(""), 0.95, quarterly).row.p_cash_exhausted);
}

TEST_CASE("cash_positions: without payments on account the cash figures are the year-end path's, bit for bit",
          "[analysis][reserves][cash]") {
  // Four equal instalments of each year's payment against even costs: the position moves by
  // a quarter of the year's gain/pain each quarter, ends each year on R_k exactly and never
  // passes outside [R_{k-1}, R_k] in between. The same with quarterly_cash's own instalments
  // as with none given. Costs that give awkward binary fractions, several reserves.
  const ct::Terms terms = member_terms(false);
  const std::vector<std::vector<double>> costs = {{1234.567, 987.654, 1100.1},  {999.99, 1000.01, 1333.3},
                                                  {1050.5, 1020.2, 900.9},      {1200.3, 1200.7, 1200.11}};
  Rows rows(4, 3, 1);
  std::vector<double> cash;
  for (std::size_t r = 0; r < 4; ++r) settle_member(terms, r, costs[r], rows, cash);
  REQUIRE(ct::cash_quarters(terms, 3) == 12);
  const a::ArmCashRows quarterly{cash.data(), 12, 12 * 2};
  for (const double reserve : {0.0, 50.0, 99.999, 150.0, 1e6}) {
    INFO("reserves " << reserve);
    const a::PartnerRisk none = a::partner_risk(rows.view(), 0, 3, terms, reserve, 0.95, a::ArmCashRows{}, true);
    const a::PartnerRisk given = a::partner_risk(rows.view(), 0, 3, terms, reserve, 0.95, quarterly, true);
    for (const a::PartnerRisk* k : {&none, &given}) {
      CHECK(k->row.p_cash_exhausted == k->row.p_exhausted);
      CHECK(k->row.lowest_cash->mean == k->row.lowest_reserve->mean);
      CHECK(k->row.lowest_cash->q05 == k->row.lowest_reserve->q05);
      for (std::size_t y = 0; y < 3; ++y) {
        CHECK(k->cash_exhausted_by[y] == k->path[y].p_exhausted_by);
        CHECK(k->cash_path[4 * y + 3].mean == k->path[y].mean);
      }
    }
    CHECK(none.cash_path.size() == given.cash_path.size());
    for (std::size_t q = 0; q < none.cash_path.size(); ++q) {
      CHECK(none.cash_path[q].mean == given.cash_path[q].mean);
      CHECK(none.cash_path[q].q05 == given.cash_path[q].q05);
    }
  }
  // Every replication's positions against its own reserve path, quarter by quarter.
  std::vector<double> position(12);
  for (std::size_t r = 0; r < 4; ++r) {
    a::cash_positions(rows.view(), quarterly, r, 0, 100, 12, position.data());
    double reserve = 100;
    for (std::size_t y = 0; y < 3; ++y) {
      const double next = reserve + rows.at(r, y, 0, a::PartnerField::kGainPain);
      for (std::size_t i = 0; i < 4; ++i) {
        CHECK(position[4 * y + i] >= std::min(reserve, next));
        CHECK(position[4 * y + i] <= std::max(reserve, next));
      }
      CHECK(position[4 * y + 3] == next);
      reserve = next;
    }
  }
}
