// SPDX-License-Identifier: MIT
#include "analysis/partner_risk.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>

#include "analysis/payout_fields.hpp"

namespace mhsim::analysis {
namespace {

namespace ct = models::contracts;
using PF = PartnerField;
using AF = ArmField;

// The member's own painshare cap (a share of its fee, limb 2), if the terms give one.
std::optional<double> member_cap(const ct::Terms& t, std::size_t p) {
  for (const ct::Contract& c : t.contracts) {
    if (const auto* al = std::get_if<ct::AllianceTerms>(&c.terms)) {
      for (const ct::AllianceMember& m : al->members) {
        if (m.partner == p && m.cap) return *m.cap;
      }
    }
  }
  return std::nullopt;
}

// The alliance whose painshare is capped alliance-wide that partner p is a member of, if any.
const ct::AllianceTerms* shared_cap_alliance(const ct::Terms& t, std::size_t p) {
  for (const ct::Contract& c : t.contracts) {
    if (const auto* al = std::get_if<ct::AllianceTerms>(&c.terms)) {
      for (const ct::AllianceMember& m : al->members) {
        if (m.partner == p) return al->pain_cap || al->pain_cap_of_target ? al : nullptr;
      }
    }
  }
  return nullptr;
}

// The alliance-wide painshare cap over years [0, H) of one replication, in pounds: the cap
// settlement applies to the pool (min(kappa x fees, pain_cap_of_target x target)), year by
// year when annual, and on the agreement to date when cumulative (so the whole horizon's).
double pool_pain_cap(const ct::AllianceTerms& al, const ArmPayoutRows& rows, std::size_t r, std::size_t H) {
  const auto cap = [&](double fees, double target) {
    double c = al.pain_cap ? *al.pain_cap * fees : std::numeric_limits<double>::infinity();
    if (al.pain_cap_of_target) c = std::min(c, *al.pain_cap_of_target * target);
    return c;
  };
  double total = 0, fees = 0, target = 0;
  for (std::size_t y = 0; y < H; ++y) {
    const double* row = rows.arm_row(r, y);
    fees += field(row, AF::kFeeTotal);
    target += field(row, AF::kTarget);
    if (al.settlement != ct::AllianceTerms::Settlement::kCumulative) total += cap(field(row, AF::kFeeTotal), field(row, AF::kTarget));
  }
  return al.settlement == ct::AllianceTerms::Settlement::kCumulative ? cap(fees, target) : total;
}

void cash_risk(const ArmPayoutRows& rows, const ArmCashRows& cash, std::size_t p, std::size_t H, double opening,
               bool quarterly_path, PartnerRisk& out);

}  // namespace

const double* ArmPayoutRows::partner_row(std::size_t r, std::size_t y, std::size_t p) const {
  return partner + r * partner_stride + (y * partners + p) * kPartnerPayoutFieldCount;
}

const double* ArmPayoutRows::arm_row(std::size_t r, std::size_t y) const {
  return arm + r * arm_stride + y * kArmPayoutFieldCount;
}

void cash_positions(const ArmPayoutRows& rows, const ArmCashRows& cash, std::size_t r, std::size_t p, double opening,
                    std::size_t n, double* position) {
  double reserve = opening;  // R_y: after the years before this quarter's
  double ahead = 0;          // D_q: cash received ahead of four equal instalments, net of costs
  for (std::size_t q = 0; q < n; ++q) {
    const std::size_t y = q / 4, i = q % 4 + 1;
    double g = 0, instalment = 0, accrued = 0;
    if (y < rows.years) {
      const double* row = rows.partner_row(r, y, p);
      g = field(row, PF::kGainPain);
      instalment = field(row, PF::kPayment) / 4;
      accrued = field(row, PF::kCost) / 4;
    }
    if (cash.data != nullptr) {
      const double* c = cash.data + r * cash.stride + (q * rows.partners + p) * 2;
      ahead += (c[0] - instalment) - (c[1] - accrued);
    }
    position[q] = reserve + (static_cast<double>(i) / 4) * g + ahead;
    if (i == 4) reserve += g;
  }
}

CashLow cash_low(const double* position, std::size_t n, double opening) {
  CashLow low{opening, 0, 0};
  for (std::size_t q = 0; q < n; ++q) {
    if (position[q] < low.lowest) {
      low.lowest = position[q];
      low.quarter = q + 1;
    }
    if (position[q] < 0 && low.first_below == 0) low.first_below = q + 1;
  }
  return low;
}

PartnerRisk partner_risk(const ArmPayoutRows& rows, std::size_t p, std::size_t horizon, const ct::Terms& terms,
                         double reserve, double risk_level, const ArmCashRows& cash, bool quarterly_path) {
  const std::size_t R = rows.replications, H = std::min(horizon, rows.years);
  if (ct::interim_alliance(terms) != nullptr && cash.data == nullptr) {
    throw std::invalid_argument("partner_risk: an alliance of the arm is paid on account, but its quarterly cash "
                                "(payouts/cash) is not given");
  }
  if (cash.data != nullptr && cash.quarters < 4 * rows.years) {
    throw std::invalid_argument("partner_risk: the quarterly cash spans " + std::to_string(cash.quarters) +
                                " quarters, fewer than the " + std::to_string(rows.years) + " years' " +
                                std::to_string(4 * rows.years));
  }
  PartnerRisk out;
  for (std::size_t r = 0; r < R && !out.takes_part; ++r) {
    for (std::size_t y = 0; y < H; ++y) {
      const double* row = rows.partner_row(r, y, p);
      if (field(row, PF::kPayment) != 0 || field(row, PF::kCost) != 0) out.takes_part = true;
    }
  }
  if (!out.takes_part) return out;
  std::vector<double> payment(R, 0), cap(R, 0);
  out.gain_pain.assign(R, 0);
  out.painshare.assign(R, 0);
  out.margin.assign(R, 0);
  std::vector<std::vector<double>> yearly(R, std::vector<double>(H, 0));
  std::vector<double> drawdown(R, 0);
  std::uint64_t capped = 0;
  const std::optional<double> kappa = member_cap(terms, p);
  const ct::AllianceTerms* pool = shared_cap_alliance(terms, p);
  const bool shared_cap = !kappa && pool != nullptr;
  std::vector<double> pool_cap(pool != nullptr ? R : 0, 0.0);
  for (std::size_t r = 0; r < R; ++r) {
    bool bound = false;
    for (std::size_t y = 0; y < H; ++y) {
      const double* row = rows.partner_row(r, y, p);
      const double g = field(row, PF::kGainPain);
      payment[r] += field(row, PF::kPayment);
      out.margin[r] += field(row, PF::kMargin);
      out.gain_pain[r] += g;
      out.painshare[r] += std::max(0.0, -g);
      yearly[r][y] = g;
      if (kappa) {
        cap[r] += *kappa * field(row, PF::kLimb2);
        bound = bound || field(row, PF::kCappedAmount) > 0;
      } else if (shared_cap) {
        bound = bound || field(rows.arm_row(r, y), AF::kPainCapBinds) > 0;
      }
    }
    if (bound) ++capped;
    if (pool != nullptr) pool_cap[r] = pool_pain_cap(*pool, rows, r, H);
    double position = 0;
    for (std::size_t y = 0; y < H; ++y) {
      position += yearly[r][y];
      drawdown[r] = std::max(drawdown[r], -position);
    }
  }
  RiskRow& row = out.row;
  row.reserves_needed = decision::value_at_risk(drawdown, risk_level);
  row.mean_payment = decision::summarise_values(payment).mean;
  row.mean_margin = decision::summarise_values(out.margin).mean;
  row.mean_painshare = decision::summarise_values(out.painshare).mean;
  row.var = decision::value_at_risk(out.painshare, risk_level);
  row.es = decision::expected_shortfall(out.painshare, risk_level);
  row.p_any_painshare = decision::probability_above(out.painshare, 0.0);
  if (!std::isnan(reserve)) {
    row.reserve = reserve;
    row.p_above_reserve = decision::probability_above(out.painshare, reserve);
    const decision::ReservePath path = decision::reserve_path(yearly, reserve);
    row.p_exhausted = path.p_exhausted;
    row.lowest_reserve = path.lowest;
    out.path = path.years;
    cash_risk(rows, cash, p, H, reserve, quarterly_path, out);
  }
  if (kappa || shared_cap) row.p_cap_binds = static_cast<double>(capped) / static_cast<double>(R);
  if (kappa) row.cap = decision::summarise_values(cap).mean;
  if (pool != nullptr) row.shared_cap = decision::summarise_values(pool_cap).mean;
  return out;
}

namespace {

// The cash figures of partner_risk: over the quarters up to the one in which year H is
// reconciled, per replication the lowest of R_0 and the positions, the quarter it falls in
// and the first quarter below 0. Buffers are sized once per call, never per replication.
void cash_risk(const ArmPayoutRows& rows, const ArmCashRows& cash, std::size_t p, std::size_t H, double opening,
               bool quarterly_path, PartnerRisk& out) {
  const std::size_t R = rows.replications;
  const std::size_t lag = cash.data != nullptr ? cash.quarters - 4 * rows.years : 0, n = 4 * H + lag;
  std::vector<double> position(n), lowest;
  std::vector<std::uint64_t> below_by(n + 1, 0), lowest_at(n + 1, 0);  // by quarter 1..n; [0]: the opening
  std::vector<std::vector<double>> level(quarterly_path ? n : 0);      // [quarter][replication]
  lowest.reserve(R);
  for (auto& l : level) l.reserve(R);
  for (std::size_t r = 0; r < R; ++r) {
    cash_positions(rows, cash, r, p, opening, n, position.data());
    if (std::any_of(position.begin(), position.end(), [](double c) { return std::isnan(c); })) continue;
    const CashLow low = cash_low(position.data(), n, opening);
    lowest.push_back(low.lowest);
    ++lowest_at[low.quarter];
    if (low.first_below > 0) ++below_by[low.first_below];
    for (std::size_t q = 0; q < level.size(); ++q) level[q].push_back(position[q]);
  }
  const double m = static_cast<double>(lowest.size());
  const auto share = [m](std::uint64_t k) { return m > 0 ? static_cast<double>(k) / m : std::nan(""); };
  for (std::size_t q = 1; q <= n; ++q) below_by[q] += below_by[q - 1];  // cumulative: below 0 by quarter q
  RiskRow& row = out.row;
  row.p_cash_exhausted = share(below_by[n]);
  row.lowest_cash = decision::summarise_values(lowest);
  // Among the replications whose cash falls below the opening; 0 when none does.
  const auto most = std::max_element(lowest_at.begin() + 1, lowest_at.end());
  row.lowest_cash_quarter = most != lowest_at.end() && *most > 0 ? static_cast<std::size_t>(most - lowest_at.begin()) : 0;
  out.cash_exhausted_by.resize(H);
  for (std::size_t k = 1; k <= H; ++k) out.cash_exhausted_by[k - 1] = share(below_by[4 * k + lag]);
  for (std::size_t q = 0; q < level.size(); ++q) {
    const decision::Summary s = decision::summarise_values(level[q]);
    out.cash_path.push_back({s.mean, s.q05, s.q50, s.q95, share(below_by[q + 1])});
  }
}

}  // namespace

std::vector<double> pooled_spend_over_horizon(const double* spend, std::size_t replications, std::size_t stride,
                                              std::size_t years, std::size_t commissioners, std::size_t k,
                                              std::size_t horizon) {
  const std::size_t H = std::min(horizon, years);
  std::vector<double> total(replications, 0.0);
  for (std::size_t r = 0; r < replications; ++r) {
    for (std::size_t y = 0; y < H; ++y) total[r] += spend[r * stride + y * commissioners + k];
  }
  return total;
}

RiskRow pooled_commissioner_risk(const std::string& name, const std::vector<double>& spend, std::size_t horizon,
                                 double budget_per_year, double risk_level) {
  RiskRow row;
  row.partner = "commissioner: " + name;
  row.commissioner = true;
  row.spend = decision::summarise_values(spend);
  row.mean_payment = row.spend->mean;
  row.mean_margin = std::nan("");
  row.mean_painshare = std::nan("");
  row.var = decision::value_at_risk(spend, risk_level);
  row.es = decision::expected_shortfall(spend, risk_level);
  row.p_any_painshare = std::nan("");
  if (!std::isnan(budget_per_year)) {
    row.reserve = budget_per_year * static_cast<double>(horizon);
    row.p_above_reserve = decision::probability_above(spend, *row.reserve);
  }
  return row;
}

RiskRow commissioner_risk(const ArmPayoutRows& rows, std::size_t horizon, double budget_per_year, double risk_level) {
  const std::size_t R = rows.replications, H = std::min(horizon, rows.years);
  std::vector<double> cash(R, 0), pain(R, 0);
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t y = 0; y < H; ++y) {
      cash[r] += field(rows.arm_row(r, y), AF::kCommissionerSpend);
      pain[r] += std::max(0.0, -field(rows.arm_row(r, y), AF::kCommissionerResidual));
    }
  }
  RiskRow row;
  row.partner = "commissioner";
  row.commissioner = true;
  row.spend = decision::summarise_values(cash);
  row.mean_payment = row.spend->mean;
  row.mean_margin = std::nan("");
  row.mean_painshare = decision::summarise_values(pain).mean;
  row.var = decision::value_at_risk(cash, risk_level);
  row.es = decision::expected_shortfall(cash, risk_level);
  row.p_any_painshare = decision::probability_above(pain, 0.0);
  if (!std::isnan(budget_per_year)) {
    row.reserve = budget_per_year * static_cast<double>(H);
    row.p_above_reserve = decision::probability_above(cash, *row.reserve);
  }
  return row;
}

}  // namespace mhsim::analysis
