// SPDX-License-Identifier: MIT
#pragma once
// Settlement of a pathway run's stored ledgers (issue 4): resolves each arm's contract
// terms (an alliance's target may be a percentile of another arm's simulated cost, so it
// needs every replication), settles every (replication, arm, year) with the pure
// contracts::settle, checks that money is conserved, and writes the payouts datasets.
// Analysis never re-runs the model: it reads the ledgers the run wrote.

#include <array>
#include <cstdint>
#include <string_view>
#include <string>
#include <vector>

#include "analysis/payout_fields.hpp"
#include "analysis/results_file.hpp"
#include "analysis/summary.hpp"
#include "models/contracts/arm_terms.hpp"
#include "models/pathway/pathway.hpp"

namespace mhsim::analysis {

/// Settled payouts summarised per arm and partner over replications and years, for the run
/// and merge printouts and for sweeps: one definition of each statistic.
struct PartnerPayoutSummary {
  bool in_contract = false;  ///< false when every payment, margin and gain/pain is zero
  /// A year's value: the mean over replications of each replication's yearly mean, with the
  /// 95% confidence half-width over replications (the independent observations).
  MeanInterval payment, margin, gain_pain;
  double p_pain = 0;        ///< share of replication-years with a painshare (gain_pain < 0)
  double p5_gain_pain = 0;  ///< 5th percentile (type 7, decision::quantile) of the yearly gain/pain
};
struct ArmPayoutSummary {
  bool settled = false;     ///< false for an arm without contracts (nothing was added)
  MeanInterval commissioner_spend;  ///< a year, as for partners
  double p_pain_cap_binds = 0;      ///< share of replication-years in which the painshare cap bound
  std::vector<PartnerPayoutSummary> partners;
};

class PayoutSummariser {
 public:
  PayoutSummariser(std::size_t arms, std::size_t years, std::size_t partners);
  /// One replication of one arm: partner_rows [Y][P][PartnerField], arm_rows [Y][ArmField].
  void add(std::size_t arm, const double* partner_rows, const double* arm_rows);
  /// Room for `replications` of each arm, so that add() copies without reallocating.
  void reserve(std::size_t replications);
  std::vector<ArmPayoutSummary> summaries() const;

 private:
  std::size_t A_, Y_, P_;
  std::vector<std::vector<double>> partner_;  // [A][R * Y * P * F] as added
  std::vector<std::vector<double>> arm_;      // [A][R * Y * G]
};

/// The payouts datasets of a settled results file, summarised (reads them in full).
std::vector<ArmPayoutSummary> summarise_payouts(const ResultsReader& file);

/// Terms with every alliance target resolved to pounds per year (target_cost_by_year).
struct ResolvedTerms {
  std::vector<models::contracts::Terms> arms;
};

/// Resolves target rules from the ledgers in `inputs` (results files holding, together,
/// every replication of one run, in order): a kArmCost target is the given percentile
/// (linear interpolation between order statistics) across replications of the reference
/// arm's yearly cost of the alliance members' partners, times its scale.
ResolvedTerms resolve_terms(const models::pathway::PathwaySpec& spec,
                            const std::vector<models::contracts::ArmContracts>& contracts,
                            const std::vector<std::string>& inputs);

/// The same from results already in memory (sweeps).
ResolvedTerms resolve_terms(const models::pathway::PathwaySpec& spec,
                            const std::vector<models::contracts::ArmContracts>& contracts,
                            const std::vector<models::pathway::PathwayResult>& results);

/// True when any arm has a contract (otherwise a run has nothing to settle).
bool has_contracts(const std::vector<models::contracts::ArmContracts>& contracts);

/// Defines payouts/partner, payouts/arm, payouts/kra_band and their labels in `out`, and,
/// when the scenario names `commissioners` (a pooled budget), payouts/commissioner
/// [R, A, Y, K]: each commissioner's spend (NaN for arms without contracts).
/// When an arm's alliance is paid on account (`interim`), payouts/cash [R, A, Q, P, 2]: each
/// partner's receipts and costs in each quarter of the agreement (contracts::quarterly_cash;
/// Q = cash_quarters; zeros for arms without contracts and quarters beyond an arm's own).
/// The quarters payouts/cash holds: the most any arm with an interim alliance spans; 0 when
/// no arm has one (and the dataset is not written).
std::size_t cash_quarters(const models::pathway::PathwaySpec& spec,
                          const std::vector<models::contracts::ArmContracts>& contracts);

void define_payout_datasets(ResultsWriter& out, const models::pathway::PathwaySpec& spec,
                            const std::vector<models::contracts::ArmContracts>& contracts,
                            const std::vector<std::string>& commissioners = {});

/// Settles every replication in `inputs` under `terms` and writes the payouts rows into `out`
/// (whose rows are the same replications). `group_share` is the population's share by need
/// group (capitation with need weights). Throws std::runtime_error naming the
/// replication, arm and year if money is not conserved: commissioner spend != the sum of
/// payments, providers' share + commissioner residual != the underrun, or (with
/// `commissioners`) the commissioners' spends do not add up to the commissioner spend.
void write_payouts(ResultsWriter& out, const models::pathway::PathwaySpec& spec,
                   const std::vector<models::contracts::ArmContracts>& contracts, const ResolvedTerms& terms,
                   const std::vector<std::string>& inputs, const std::vector<double>& group_share = {},
                   const std::vector<std::string>& commissioners = {});

}  // namespace mhsim::analysis
