// SPDX-License-Identifier: MIT
#pragma once
// The report's terms explorer (issue 17): re-settles a run's stored ledgers under terms the
// reader sets in the page, with the project's own settlement (contracts::settle_year) and
// risk definitions (analysis::partner_risk, commissioner_risk), compiled to WebAssembly by
// report/wasm/ (never a second settlement in JavaScript). No HDF5, no TBB, no clock here:
// `mhsim report` packs the inputs natively (pack_ledgers, pack_targets), and the module
// built from this translation unit settles them in the page (Explorer). docs/analysis.md,
// "The terms explorer", states what it shows.

#include <cstddef>
#include <string>
#include <vector>

#include "models/contracts/arm_terms.hpp"
#include "models/ledger/ledger.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::analysis::explorer {

/// Doubles per (replication, arm) in pack_ledgers' layout: for each of the run's Y years the
/// ledger fields contracts::from_arm_result reads, [Y][P] partner_cost, [Y][S][M] activity,
/// [Y][S][M] cost, [Y][S] one_off (zeros when none), [Y][SystemKpi] system and
/// [Y][S][ServiceKpi] service KPIs.
std::size_t ledger_record_size(std::size_t years, std::size_t partners, std::size_t services);

/// Every (replication, arm) ledger of `results`, in that order, in ledger_record_size's layout.
std::vector<double> pack_ledgers(const std::vector<models::ledger::PathwayResult>& results, std::size_t years,
                                 std::size_t partners, std::size_t services);

/// The targets resolved from the run's ledgers (analysis::resolve_terms' arms): for each arm
/// and each of its contracts in order, an alliance's target_cost, the number n of its
/// target_cost_by_year and those n values; nothing for other contracts.
std::vector<double> pack_targets(const std::vector<models::contracts::Terms>& resolved);

/// What the page's explorer shows, at the report's own settings.
struct Settings {
  std::vector<double> reserves;  ///< [P] opening reserves, NaN: not stated
  double risk_level = 0.95;
  std::size_t horizon = 0;       ///< years the risk covers (1..Y)
};

/// A control of the explorer: a numeric contract term (a `mhsim sweep --set` path) or a
/// partner's opening reserves (partners.<partner>.reserves), with its value in the run.
struct Control {
  std::string key, arm, contract, term, unit;
  double value = 0;
};

class Explorer {
 public:
  /// `scenario_text` and `settings` as stored in the results file (the report's scenario);
  /// `ledgers` from pack_ledgers, `targets` from pack_targets. Throws std::invalid_argument
  /// when their sizes do not fit the scenario.
  Explorer(const std::string& scenario_text, const std::string& scenario_file, const std::vector<std::string>& settings,
           std::vector<double> ledgers, const std::vector<double>& targets, Settings analysis);

  /// The numeric terms of every arm's contracts that the explorer can set (every number of
  /// a contract that mhsim sweep --set accepts, found by contract_term_value; an alliance's
  /// target by its short names: `target` when fixed, else `target_percentile` and
  /// `target_scale`), then each partner's reserves.
  std::vector<Control> controls() const;

  /// Re-settles every replication of every arm with contracts with `keys` set to `values`
  /// (as `mhsim sweep --set key=value` sets them) and returns a JSON object: "problems" (the
  /// terms' problems, nothing settled then), and per arm "commissioner" (the spend over the
  /// horizon: mean, VaR, ES, quantiles) and per partner taking part the risk row (mean
  /// payment and painshare, VaR, ES, P(painshare > reserves), P(reserves exhausted)) with its
  /// gain/pain over the horizon in every replication.
  std::string settle(const std::vector<std::string>& keys, const std::vector<double>& values) const;

  std::size_t replications() const noexcept { return R_; }

 private:
  /// Resolves the target of `al` (an alliance of `terms`) from its rule and the page's
  /// ledgers, as analysis::resolve_terms does from the results file: for a rule the page moved.
  void resolve_target(const models::contracts::Terms& terms, models::contracts::AllianceTerms& al) const;

  scenario::PathwayScenario base_;
  std::vector<double> targets_;
  Settings settings_;
  std::size_t R_ = 0, A_ = 0, Y_ = 0, P_ = 0;
  std::vector<models::contracts::YearInput> inputs_;  ///< [R][A][Y], as mhsim sweep builds them
};

/// Controls as a JSON array.
std::string controls_json(const std::vector<Control>& controls);

}  // namespace mhsim::analysis::explorer
