// SPDX-License-Identifier: MIT
#pragma once
// Risk of each partner (and of the commissioner) over a multi-year agreement, from one arm's
// settled payouts: painshare VaR and expected shortfall, P(painshare > reserves), the caps
// binding, and the reserve path (reserves moved year by year by gain and pain; the chance
// they are exhausted by each year; the lowest reserve). One definition, used by `report`
// (analysis::analyse_pathway) and by `sweep` for every combination of terms. Pure: it reads
// rows already in memory. docs/analysis.md states every formula.

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "analysis/decision.hpp"
#include "models/contracts/arm_terms.hpp"

namespace mhsim::analysis {

/// Risk of one partner (or the commissioner) in one arm over the analysed horizon, in cash
/// (undiscounted) pounds. For a partner the loss is its painshare: the sum over years of
/// max(0, -gain_pain). For the commissioner the loss is its spend; `reserve` is then its
/// budget over the horizon.
struct RiskRow {
  std::string arm, partner;
  bool commissioner = false;
  double mean_payment = 0, mean_margin = 0;
  double mean_painshare = 0;
  double var = 0, es = 0;                 ///< value at risk and expected shortfall of the loss
  std::optional<double> reserve;          ///< stated reserves (or budget), pounds
  std::optional<double> p_above_reserve;  ///< P(loss > reserve)
  double p_any_painshare = 0;             ///< P(painshare > 0)
  std::optional<double> p_cap_binds;      ///< P(the partner's painshare cap binds in some year)
  std::optional<double> cap;              ///< mean painshare cap over the horizon, pounds
  // A partner with stated reserves: the reserve path (decision::reserve_path).
  std::optional<double> p_exhausted;      ///< P(reserves < 0 at the end of some year of the horizon)
  std::optional<decision::Summary> lowest_reserve;  ///< of min(R_0, R_1, ..., R_H)
  /// A partner: the value at risk (at the risk level) of its drawdown D = -min(0, min_k
  /// sum_{t<=k} gain_pain_t), the deepest its cumulative position falls below where it
  /// started. Opening reserves of at least this keep P(reserves exhausted) at or below
  /// 1 - risk level (D > R_0 exactly when reserves R_0 are exhausted). NaN for the commissioner.
  double reserves_needed = std::numeric_limits<double>::quiet_NaN();
};

/// One year of a partner's reserve path.
struct ReservePathRow {
  std::string arm, partner;
  std::size_t year = 0;  ///< 1 = the end of the first analysed year
  double opening = 0;    ///< R_0, the stated reserves
  decision::ReserveYear reserves;
};

/// One arm's settled payouts in memory: the payouts/partner row of (replication r, year y,
/// partner p) starts at partner + r * partner_stride + (y * partners + p) * kPartnerPayoutFieldCount,
/// and the payouts/arm row of (r, y) at arm + r * arm_stride + y * kArmPayoutFieldCount.
struct ArmPayoutRows {
  const double* partner = nullptr;
  const double* arm = nullptr;
  std::size_t replications = 0, years = 0, partners = 0;
  std::size_t partner_stride = 0, arm_stride = 0;
  const double* partner_row(std::size_t r, std::size_t y, std::size_t p) const;
  const double* arm_row(std::size_t r, std::size_t y) const;
};

/// A partner's risk, with what the caller may go on to analyse per replication.
struct PartnerRisk {
  bool takes_part = false;        ///< some payment or cost in the horizon; nothing else is set otherwise
  RiskRow row;                    ///< arm and partner names left empty
  std::vector<double> gain_pain;  ///< per replication, summed over the horizon
  std::vector<double> painshare;  ///< per replication, summed over the horizon
  std::vector<double> margin;     ///< per replication, summed over the horizon
  std::vector<decision::ReserveYear> path;  ///< years 1..H when reserves are stated
};

/// Partner `p`'s risk over the first `horizon` years under `terms` (which say whether, and
/// how, its painshare is capped), with opening reserves `reserve` (NaN: not stated) and
/// VaR/ES at `risk_level`.
PartnerRisk partner_risk(const ArmPayoutRows& rows, std::size_t p, std::size_t horizon,
                         const models::contracts::Terms& terms, double reserve, double risk_level);

/// The commissioner's risk: its spend over the horizon against `budget_per_year` x horizon
/// (NaN: not stated); `mean_painshare` is its share of an overrun.
RiskRow commissioner_risk(const ArmPayoutRows& rows, std::size_t horizon, double budget_per_year, double risk_level);

/// Commissioner `k`'s spend over the first `horizon` years, per replication, from spends laid
/// out as payouts/commissioner is for one arm: the spend of (replication r, year y,
/// commissioner k) at spend[r * stride + y * commissioners + k], for r < replications and
/// y < years. The loss pooled_commissioner_risk takes (report and sweep alike).
std::vector<double> pooled_spend_over_horizon(const double* spend, std::size_t replications, std::size_t stride,
                                              std::size_t years, std::size_t commissioners, std::size_t k,
                                              std::size_t horizon);

/// One of several commissioners pooling a budget: `spend[r]` is its spend over the horizon
/// in replication r (payouts/commissioner); the loss is the spend, the reserve its budget
/// over the horizon (NaN per year: not stated). Its share of an overrun is not split out
/// (mean_painshare NaN).
RiskRow pooled_commissioner_risk(const std::string& name, const std::vector<double>& spend, std::size_t horizon,
                                 double budget_per_year, double risk_level);

}  // namespace mhsim::analysis
