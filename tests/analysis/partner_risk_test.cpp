// SPDX-License-Identifier: MIT
// Risk over a multi-year agreement from settled rows (analysis/partner_risk.hpp), by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

#include "analysis/partner_risk.hpp"
#include "analysis/payout_results.hpp"

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
  const a::PartnerRisk idle = a::partner_risk(rows.view(), 0, 3, none, 100, 0.95);
  CHECK_FALSE(idle.takes_part);

  const a::PartnerRisk risk = a::partner_risk(rows.view(), 1, 3, none, 100, 0.95);
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
  const a::PartnerRisk two = a::partner_risk(rows.view(), 1, 2, none, 100, 0.95);
  CHECK(two.row.p_above_reserve == 0.25);
  CHECK(two.row.p_exhausted == 0.25);
  CHECK(two.path.size() == 2);
  CHECK(two.row.reserves_needed == Approx(100 + 0.85 * 50).epsilon(1e-12));

  // No reserves stated: no reserve path, but the reserves needed are still given.
  const a::PartnerRisk unstated = a::partner_risk(rows.view(), 1, 3, none, std::nan(""), 0.95);
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
  const a::PartnerRisk with_cap = a::partner_risk(rows.view(), 1, 3, capped, 100, 0.95);
  CHECK(with_cap.row.p_cap_binds == 0.25);
  CHECK(with_cap.row.cap == Approx(0.5 * 100 * 3).epsilon(1e-15));

  // The commissioner: spend over the horizon against its budget.
  const a::RiskRow c = a::commissioner_risk(rows.view(), 3, 4000, 0.95);
  CHECK(c.commissioner);
  CHECK(c.mean_payment == 15000);
  CHECK(c.reserve == 12000);
  CHECK(c.p_above_reserve == 1.0);
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
  const double needed = a::partner_risk(rows.view(), 0, 2, none, std::nan(""), 0.90).row.reserves_needed;
  CHECK(needed == Approx(90.1).epsilon(1e-12));
  const a::PartnerRisk at_needed = a::partner_risk(rows.view(), 0, 2, none, needed, 0.90);
  CHECK(*at_needed.row.p_exhausted == Approx(0.10).epsilon(1e-12));
  CHECK(*at_needed.row.p_exhausted <= 1 - 0.90 + 1e-12);
  // The gain in year 2 restores every replication: the year-2 reserves are all above the opening.
  CHECK(at_needed.path[1].q05 > needed);
}
