// SPDX-License-Identifier: MIT
#pragma once
// Risk of each partner (and of the commissioner) over a multi-year agreement, from one arm's
// settled payouts: painshare VaR and expected shortfall, P(painshare > reserves), the caps
// binding, the reserve path (reserves moved year by year by gain and pain; the chance they
// are exhausted by each year; the lowest reserve), and the cash position by quarter against
// the same reserves (cash_positions). One definition, used by `report` and `compare`
// (analysis::analyse_pathway), by `sweep` and `design` for every combination of terms, and
// by `settle`. Pure: it reads rows already in memory. docs/analysis.md states every formula.

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
  /// A member of an alliance whose pool's painshare is capped (pain_cap, pain_cap_of_target):
  /// the mean over replications of that cap over the horizon, pounds. It bounds what all the
  /// members pay together, so no member pays more; p_cap_binds then says how often it bound.
  std::optional<double> shared_cap;
  // A partner with stated reserves: the reserve path (decision::reserve_path).
  std::optional<double> p_exhausted;      ///< P(reserves < 0 at the end of some year of the horizon)
  std::optional<decision::Summary> lowest_reserve;  ///< of min(R_0, R_1, ..., R_H)
  // A partner with stated reserves: its cash position by quarter (cash_positions), over the
  // quarters up to the one in which the horizon's last year is reconciled.
  std::optional<double> p_cash_exhausted;           ///< P(C_q < 0 in some quarter)
  std::optional<decision::Summary> lowest_cash;     ///< of min(R_0, C_1, ..., C_n)
  /// The quarter (1 = the first of the horizon) in which the lowest cash position most often
  /// falls, among the replications whose cash falls below the opening (the earliest of
  /// equals); 0 when none does.
  std::optional<std::size_t> lowest_cash_quarter;
  /// A partner: the value at risk (at the risk level) of its drawdown D = -min(0, min_k
  /// sum_{t<=k} gain_pain_t), the deepest its cumulative position falls below where it
  /// started. Opening reserves of at least this keep P(reserves exhausted) at or below
  /// 1 - risk level (D > R_0 exactly when reserves R_0 are exhausted). NaN for the commissioner.
  double reserves_needed = std::numeric_limits<double>::quiet_NaN();
  /// The commissioner: its cash spend over the horizon across replications (mean, 5th and
  /// 95th percentiles, ...), the loss whose VaR and ES are above. Empty for a partner.
  std::optional<decision::Summary> spend = std::nullopt;
};

/// One year of a partner's reserve path.
struct ReservePathRow {
  std::string arm, partner;
  std::size_t year = 0;  ///< 1 = the end of the first analysed year
  double opening = 0;    ///< R_0, the stated reserves
  decision::ReserveYear reserves;
  /// P(the cash position is below 0 in some quarter up to the one in which year `year` is
  /// reconciled: quarter 4 x year + the reconciliation lag).
  double p_cash_exhausted_by = 0;
};

/// One quarter of a partner's cash position (cash_positions) across replications: the mean
/// and quantiles of C_q, and in p_exhausted_by the share of replications with C_j < 0 for
/// some j <= q.
struct CashPathRow {
  std::string arm, partner;
  std::size_t quarter = 0;  ///< 1 = the first quarter of the first analysed year
  double opening = 0;       ///< R_0, the stated reserves
  decision::ReserveYear position;
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

/// One arm's quarterly cash in memory (contracts::quarterly_cash), laid out as payouts/cash:
/// the receipts of (replication r, quarter q, partner p) at data + r * stride + (q * partners
/// + p) * 2, its costs one further, for q < quarters = contracts::cash_quarters(terms, years)
/// (4 x years + the reconciliation lag). `data` null: the arm has no alliance paid on
/// account, so every payment arrives in four equal instalments and costs accrue evenly
/// (what quarterly_cash gives such terms), and there is no lag.
struct ArmCashRows {
  const double* data = nullptr;
  std::size_t quarters = 0, stride = 0;
};

/// Partner `p`'s cash position at the end of each of the first `n` quarters of replication
/// `r`, into position[0..n): with opening reserves R_0 and, in quarter q (from 1),
///   C_q = R_0 + sum_{j<=q} (receipts_j - costs_j) - sum_y (margin_y - gain_pain_y) e_y(q) / 4,
/// e_y(q) the quarters of year y elapsed by q (0 to 4). The margin outside the risk share
/// (fees, a block's surplus or deficit) moves no reserves on the year-end path, so it is
/// taken to be spent as it accrues; what is left is the risk share's cash with its timing.
/// Computed as C_q = R_{y} + (i / 4) g_{y+1} + D_q for the i-th quarter of year y + 1, with
/// R_y the year-end reserves (decision::reserve_path's sums, in its order) and D_q the cash
/// received ahead of four equal instalments of each year's payment against even costs
/// (0 without `cash.data`), so that without payments on account C at the end of year k is
/// R_k bit for bit, and in between lies between R_{k-1} and R_k. Quarters after the last
/// year (the lag) move by D alone. `n` <= 4 x years + the lag.
void cash_positions(const ArmPayoutRows& rows, const ArmCashRows& cash, std::size_t r, std::size_t p, double opening,
                    std::size_t n, double* position);

/// The low point of one replication's cash positions position[0..n) opened at `opening`:
/// the lowest of R_0 and the positions, the quarter it falls in (1 = the first; the earliest
/// of equals; 0 when nothing is below the opening) and the first quarter below 0 (0: none;
/// exactly 0 is spent, not exhausted).
struct CashLow {
  double lowest = 0;
  std::size_t quarter = 0, first_below = 0;
};
CashLow cash_low(const double* position, std::size_t n, double opening);

/// A partner's risk, with what the caller may go on to analyse per replication.
struct PartnerRisk {
  bool takes_part = false;        ///< some payment or cost in the horizon; nothing else is set otherwise
  RiskRow row;                    ///< arm and partner names left empty
  std::vector<double> gain_pain;  ///< per replication, summed over the horizon
  std::vector<double> painshare;  ///< per replication, summed over the horizon
  std::vector<double> margin;     ///< per replication, summed over the horizon
  std::vector<decision::ReserveYear> path;  ///< years 1..H when reserves are stated
  std::vector<double> cash_exhausted_by;     ///< years 1..H when reserves are stated: ReservePathRow's
  /// Quarters 1..4H + lag when reserves are stated and the quarterly path was asked for.
  std::vector<decision::ReserveYear> cash_path;
};

/// Partner `p`'s risk over the first `horizon` years under `terms` (which say whether, and
/// how, its painshare is capped, and whether an alliance is paid on account), with opening
/// reserves `reserve` (NaN: not stated) and VaR/ES at `risk_level`. `cash` is the arm's
/// quarterly cash, needed when an alliance of `terms` is paid on account (else
/// std::invalid_argument); with reserves stated the cash figures cover the quarters up to
/// the one in which the horizon's last year is reconciled (4 x horizon + the lag), and
/// `quarterly_path` also summarises each quarter (cash_path; report only: it sorts every
/// quarter's values).
PartnerRisk partner_risk(const ArmPayoutRows& rows, std::size_t p, std::size_t horizon,
                         const models::contracts::Terms& terms, double reserve, double risk_level,
                         const ArmCashRows& cash, bool quarterly_path = false);

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
