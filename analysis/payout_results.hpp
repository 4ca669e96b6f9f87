// SPDX-License-Identifier: MIT
#pragma once
// Settlement of a pathway run's stored ledgers (issue 4): resolves each arm's contract
// terms (an alliance's target may be a percentile of another arm's simulated cost, so it
// needs every replication), settles every (replication, arm, year) with the pure
// contracts::settle, checks that money is conserved, and writes the payouts datasets.
// Analysis never re-runs the model: it reads the ledgers the run wrote.

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/results_file.hpp"
#include "models/contracts/arm_terms.hpp"
#include "models/pathway/pathway.hpp"

namespace mhsim::analysis {

/// Fields of payouts/partner [R, A, Y, P, F], in order.
inline constexpr const char* kPartnerPayoutFields[] = {"payment", "cost", "margin", "limb1", "limb2", "gain_pain",
                                                       "capped_amount"};
inline constexpr std::size_t kPartnerPayoutFieldCount = 7;
/// Fields of payouts/arm [R, A, Y, G], in order.
inline constexpr const char* kArmPayoutFields[] = {
    "commissioner_spend", "target", "actual", "fee_total", "underrun", "providers_share", "commissioner_residual",
    "kra_component", "limb3", "cap_shortfall", "kpi_return", "gate_passed", "pain_cap_binds", "gain_cap_binds"};
inline constexpr std::size_t kArmPayoutFieldCount = 14;

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

/// Defines payouts/partner, payouts/arm, payouts/kra_band and their labels in `out`.
void define_payout_datasets(ResultsWriter& out, const models::pathway::PathwaySpec& spec,
                            const std::vector<models::contracts::ArmContracts>& contracts);

/// Settles every replication in `inputs` under `terms` and writes the payouts rows into `out`
/// (whose rows are the same replications). `group_share` is the population's share by need
/// group (capitation with need weights). Throws std::runtime_error naming the
/// replication, arm and year if money is not conserved: commissioner spend != the sum of
/// payments, or providers' share + commissioner residual != the underrun.
void write_payouts(ResultsWriter& out, const models::pathway::PathwaySpec& spec,
                   const std::vector<models::contracts::ArmContracts>& contracts, const ResolvedTerms& terms,
                   const std::vector<std::string>& inputs, const std::vector<double>& group_share = {});

}  // namespace mhsim::analysis
