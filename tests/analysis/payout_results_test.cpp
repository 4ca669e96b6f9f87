// SPDX-License-Identifier: MIT
// The payout fields' one declaration, and the payout summary that run, merge and sweep
// print, on hand-computed rows.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "analysis/payout_results.hpp"

namespace an = mhsim::analysis;
namespace ct = mhsim::models::contracts;

TEST_CASE("Payout fields: a partner's and an arm's year in dataset order", "[analysis][settlement]") {
  ct::PartnerPayout q;
  q.payment = 1;
  q.cost = 2;
  q.margin = 3;
  q.limb1 = 4;
  q.limb2 = 5;
  q.gain_pain = 6;
  q.capped_amount = 7;
  const auto f = an::partner_fields(q);
  CHECK(std::vector<double>(f.begin(), f.end()) == std::vector<double>{1, 2, 3, 4, 5, 6, 7});
  CHECK(an::kPartnerPayoutFields[static_cast<std::size_t>(an::PartnerField::kGainPain)] == "gain_pain");
  ct::YearPayout pay;
  pay.commissioner_spend = 10;
  pay.commissioner_residual = 16;
  pay.pain_cap_binds = true;
  const auto g = an::arm_fields(pay);
  CHECK(an::field(g.data(), an::ArmField::kCommissionerSpend) == 10);
  CHECK(g[6] == 16);  // commissioner_residual is the seventh column of payouts/arm
  CHECK(g[12] == 1);  // pain_cap_binds the thirteenth
  CHECK(an::kArmPayoutFields[12] == "pain_cap_binds");
}

TEST_CASE("Payout summary: yearly means over replications, P(pain), the type-7 5th percentile", "[analysis][settlement]") {
  // One arm, two years, two partners; partner 1 is in no contract (all zero). Four
  // replications; partner 0's gain/pain by (replication, year):
  //   r0: -10, 20   r1: 0, 40   r2: -30, -50   r3: 10, 60
  // P(pain) = 3 of 8 replication-years. Sorted: -50 -30 -10 0 10 20 40 60; type 7 at
  // p = 0.05: h = 0.05 x 7 = 0.35 -> -50 + 0.35 x 20 = -43.
  // Payment = 100 + gain/pain; replication yearly means 105, 120, 60, 135 -> mean 105.
  const double gp[4][2] = {{-10, 20}, {0, 40}, {-30, -50}, {10, 60}};
  constexpr std::size_t F = an::kPartnerPayoutFieldCount, G = an::kArmPayoutFieldCount;
  an::PayoutSummariser s(2, 2, 2);  // arm 1 gets nothing: not settled
  for (std::size_t r = 0; r < 4; ++r) {
    std::vector<double> partner(2 * 2 * F, 0.0), arm(2 * G, 0.0);
    for (std::size_t y = 0; y < 2; ++y) {
      double* row = &partner[(y * 2 + 0) * F];
      row[static_cast<std::size_t>(an::PartnerField::kGainPain)] = gp[r][y];
      row[static_cast<std::size_t>(an::PartnerField::kPayment)] = 100 + gp[r][y];
      arm[y * G + static_cast<std::size_t>(an::ArmField::kCommissionerSpend)] = 1000.0 * static_cast<double>(r + 1);
      arm[y * G + static_cast<std::size_t>(an::ArmField::kPainCapBinds)] = (r == 2 && y == 1) ? 1.0 : 0.0;
    }
    s.add(0, partner.data(), arm.data());
  }
  const auto summary = s.summaries();
  REQUIRE(summary.size() == 2);
  CHECK_FALSE(summary[1].settled);
  REQUIRE(summary[0].settled);
  const an::PartnerPayoutSummary& p0 = summary[0].partners[0];
  CHECK(p0.in_contract);
  CHECK_FALSE(summary[0].partners[1].in_contract);
  CHECK(p0.p_pain == Approx(3.0 / 8.0));
  CHECK(p0.p5_gain_pain == Approx(-43.0));
  CHECK(p0.payment.mean == Approx(105.0));
  CHECK(p0.payment.n == 4);
  // Replication means 105, 120, 60, 135: sd = sqrt(((0)^2 + 15^2 + 45^2 + 30^2) / 3) = sqrt(1050);
  // half-width = t(0.975, 3) x sd / 2 = 3.182446 x 32.4037 / 2.
  CHECK(p0.payment.half_width == Approx(3.182446 * std::sqrt(1050.0) / 2.0).epsilon(1e-6));
  CHECK(summary[0].commissioner_spend.mean == Approx(2500.0));
  CHECK(summary[0].p_pain_cap_binds == Approx(1.0 / 8.0));
}
