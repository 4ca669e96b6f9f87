// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/contracts/arm_terms.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/analysis_settings.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/run_settings.hpp"
#include "models/scenario/uncertainty.hpp"

namespace mhsim::scenario {

/// The parsed file, kept so that with_parameters can read it again with some numbers
/// replaced. Opaque: defined in models/scenario (toml++ stays there).
struct ParsedDocument;

/// One `[variants.<name>]` table: dotted keys (the [uncertainty] key syntax) and the values
/// they take in this variant.
struct ScenarioVariant {
  std::string name;
  std::string description;
  std::vector<std::string> keys;
  std::vector<double> values;
  std::vector<std::uint32_t> lines;  ///< where each value is written in the file (1-based)
};

/// A validated pathway scenario (`model = "pathway"`): typed, complete, and immutable once
/// loaded. Groups, partners, services and arms keep the order of the file, which is their
/// index order in the spec.
struct PathwayScenario {
  std::string file;         ///< path as given
  std::string text;         ///< the file's exact bytes (stored in results for provenance)
  std::string name;
  std::string description;
  RunSettings run;
  models::pathway::PathwaySpec spec;
  /// Per arm (same order as spec.arms): the contracts that settle its ledger (`[[arms.<arm>.contracts]]`),
  /// checked with contracts::check_terms. An alliance with a fixed target already has its
  /// target_cost; one set from another arm's cost is resolved after simulation.
  std::vector<models::contracts::ArmContracts> contracts;
  /// [G] share of the catchment in each need group (`population.group_share`), empty when
  /// the file has none. The simulation does not use it; copy it into
  /// contracts::YearInput::group_share before settling capitation with need weights (the
  /// loader requires it whenever a contract has them).
  std::vector<double> group_share;
  /// `[analysis]` and `partners.<name>.reserves`: how results are analysed. The simulation
  /// never reads it.
  AnalysisSettings analysis;
  /// `[uncertainty.<name>]` and `[[correlation]]`: the parameters a probabilistic sensitivity
  /// analysis draws once per replication (empty: none). `spec` holds their base values.
  UncertaintySpec uncertainty;
  /// `[variants.<name>]`: named sets of numbers that replace the file's base values
  /// (models/scenario/variants.hpp applies one). In file order.
  std::vector<ScenarioVariant> variants;
  /// The variant this scenario was made with (apply_variant), "" for the file as written.
  std::string variant;
  /// The parsed file (shared by copies; never modified): with_parameters reads it again.
  std::shared_ptr<const ParsedDocument> document;
};

/// Reads and validates a pathway scenario file. Throws ScenarioError listing every problem
/// (file:line:col: key.path: expected ..., got ...); never returns a partial scenario.
PathwayScenario load_pathway_scenario(const std::string& path);

/// The same, from text already in memory (`file` is used in messages only).
PathwayScenario parse_pathway_scenario(std::string_view text, const std::string& file);

/// Sets one numeric contract term of a loaded scenario, for sweeps (`mhsim sweep --set path=value`).
/// `path` is the term's key path as written in the file with the contract named instead of
/// indexed: arms.<arm>.contracts.<contract name>.<term>. Settable terms, by contract type:
///   block:      annual, indexation
///   activity:   baseline_payment, marginal_rate, below_baseline_rate, cap, floor
///   capitation: per_head, corridor.width, corridor.share (when it has a corridor)
///   outcomes:   value, at_risk
///   blended:    fixed, variable_rate, quality_share, value, corridor.width, corridor.share
///   alliance:   target (a fixed target in pounds; replaces a target set from another arm),
///               target_scale, target_percentile (a target set from another arm),
///               target_indexation, share, pain_cap, gain_cap, reward_pool, max_liability,
///               modifier, members.<partner>.fee | fee_rate | cap | allocation,
///               kras.<kra name>.thresholds.<failure|poor|minimum|stretch|game_breaking> | weight
/// For the optional limits (cap, floor, pain_cap, gain_cap, members.<partner>.cap) a value of
/// +inf removes the limit. Returns an error message (naming the path and listing what is
/// settable there) or nullopt. Values are not range-checked here, except the target rule's
/// (which settlement never sees): the caller re-runs contracts::check_terms afterwards.
std::optional<std::string> set_contract_term(PathwayScenario& scenario, std::string_view path, double value);

/// Which loader a scenario needs: "network" or "pathway", from the root key `model`
/// (absent = "network"). Throws ScenarioError on a bad value or on text that is not TOML.
std::string scenario_model(std::string_view text, const std::string& file);

}  // namespace mhsim::scenario
