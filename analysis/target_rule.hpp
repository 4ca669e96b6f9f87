// SPDX-License-Identifier: MIT
#pragma once
// How an alliance's target rule becomes its target outturn cost, given the reference arm's
// simulated cost: one definition for mhsim (analysis::resolve_terms, from a run's results) and
// the report's terms explorer (from the page's ledgers). Header-only, so that the
// WebAssembly module, which has no HDF5, uses it too.

#include <vector>

#include "analysis/decision.hpp"
#include "models/contracts/settlement.hpp"

namespace mhsim::analysis {

/// Sets `alliance`'s target from `rule`: a fixed rule's amount in year 1 (later years as the
/// terms' own target_cost_by_year and indexation say); a rule from another arm's cost, per
/// year y, scale x the type-7 percentile across replications of `cost_by_year[y]` (the
/// reference arm's cost of what the alliance covers, one value per replication; unread for a
/// fixed rule).
inline void apply_target_rule(const models::contracts::TargetRule& rule, const std::vector<std::vector<double>>& cost_by_year,
                              models::contracts::AllianceTerms& alliance) {
  if (rule.kind == models::contracts::TargetRule::Kind::kFixed) {
    alliance.target_cost = rule.amount;
    return;
  }
  alliance.target_cost_by_year.clear();
  for (const std::vector<double>& cost : cost_by_year) {
    alliance.target_cost_by_year.push_back(rule.scale * decision::quantile(cost, rule.percentile / 100.0));
  }
  alliance.target_cost = alliance.target_cost_by_year.empty() ? 0.0 : alliance.target_cost_by_year.front();
}

}  // namespace mhsim::analysis
