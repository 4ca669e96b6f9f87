// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/contracts/arm_terms.hpp"
#include "models/incentives/incentives.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/analysis_settings.hpp"
#include "models/scenario/derived.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/run_settings.hpp"
#include "models/scenario/uncertainty.hpp"

namespace mhsim::schema {
struct Source;
}

namespace mhsim::scenario {

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
  /// `[commissioners.<name>]` in file order (empty: one implicit commissioner pays all).
  std::vector<models::contracts::Commissioner> commissioners;
  /// [G] share of the catchment in each need group (`population.group_share`), empty when
  /// the file has none. The simulation does not use it; copy it into
  /// contracts::YearInput::group_share before settling capitation with need weights (the
  /// loader requires it whenever a contract has them).
  std::vector<double> group_share;
  /// `[analysis]` and `partners.<name>.reserves`: how results are analysed. The simulation
  /// never reads it.
  AnalysisSettings analysis;
  /// `[incentives]` and `partners.<name>.elasticity`: how providers respond to the price their
  /// contract puts on their decisions (models/incentives). Off unless an elasticity is not 0.
  models::incentives::IncentiveSpec incentives;
  /// `[uncertainty.<name>]` and `[[correlation]]`: the parameters a probabilistic sensitivity
  /// analysis draws once per replication (empty: none). `spec` holds their base values.
  UncertaintySpec uncertainty;
  /// `[variants.<name>]`: named sets of numbers that replace the file's base values
  /// (models/scenario/variants.hpp applies one). In file order.
  std::vector<ScenarioVariant> variants;
  /// `[derived."<key>"]`: numbers the run measures in a baseline pass before it simulates
  /// (pipeline/derived.hpp), in file order. Their keys hold the file's values until then.
  std::vector<DerivedNumber> derived;
  /// `run.baseline_replications`: the replications of that pass.
  std::uint64_t baseline_replications = 40;
  /// How each derived number was resolved ("key = value: how"), once it has been
  /// (pipeline::with_derived); the results file records it (root attribute `derived`).
  std::vector<std::string> derived_record;
  /// The variant this scenario was made with (apply_variant), "" for the file as written.
  std::string variant;
  /// `key=value` settings applied after loading (apply_settings, `mhsim run --set`), in order.
  std::vector<std::string> settings;
  /// What the loader warns about without refusing the file (e.g. an arm that extends
  /// another and so loses the uncertainty of the other's key).
  std::vector<Diagnostic> warnings;
  /// Where everything is in the file (shared by copies, never changed): values set later are
  /// checked with messages located in it.
  std::shared_ptr<const schema::Source> source;
};

/// Reads and validates a pathway scenario file. Throws ScenarioError listing every problem
/// (file:line:col: key.path: expected ..., got ...), including those only a variant shows;
/// never returns a partial scenario.
PathwayScenario load_pathway_scenario(const std::string& path);

/// The same, from text already in memory (`file` is used in messages only).
PathwayScenario parse_pathway_scenario(std::string_view text, const std::string& file);

/// Which keys a caller may set: every field, or only those of one purpose.
enum class Settable {
  kAny,        ///< `mhsim run --set`: any key
  kModel,      ///< variants, uncertainty, calibration: numbers the simulation reads
  kContracts,  ///< `mhsim sweep --set`: contract terms
};

/// Sets `keys[i]` to `values[i]` in `sc` directly (typed; no text is read) and checks the
/// result with every rule the loader applies. Returns the problems (a key that is unknown,
/// not settable for `who`, of another type or out of range, or a scenario the values make
/// invalid), located in the file; `sc` is then not to be used.
std::vector<Diagnostic> set_values(PathwayScenario& sc, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& values, Settable who = Settable::kAny);
/// The same with numbers.
std::vector<Diagnostic> set_numbers(PathwayScenario& sc, const std::vector<std::string>& keys,
                                    const std::vector<double>& values, Settable who = Settable::kModel);

/// The scenario with `key=value` settings applied (`mhsim run --set`), recorded in
/// `settings`. Throws ScenarioError naming each bad setting (or what the values break).
PathwayScenario apply_settings(const PathwayScenario& sc, const std::vector<std::string>& settings);

/// A number that variants, uncertainty and calibration may give values: at `key` (the
/// [uncertainty] key syntax), read by the simulation, and written in the file (its value
/// there is the base). Else `expected` and `got` say why not.
struct SettableNumber {
  std::optional<double> value;
  bool integer = false;  ///< the key holds an integer
  std::string expected, got;
};
SettableNumber settable_number(const PathwayScenario& sc, const std::string& key, const char* in = "the scenario");
/// The number at `key` (any key path the scenario declares, written or defaulted), or
/// nothing when the path names no number.
std::optional<double> number_at(const PathwayScenario& sc, const std::string& key);
/// `key` written back from its parsed steps (quoting normalised), so that two spellings of
/// one path compare equal; `key` itself when it is not a key path.
std::string canonical_key(const std::string& key);

/// Sets one numeric contract term of a loaded scenario, for sweeps (`mhsim sweep --set path=value`).
/// `path` is the term's key path with the contract named instead of indexed:
/// arms.<arm>.contracts.<contract name>.<term>; members by partner
/// (`members.<partner>.fee`) and KRAs by name (`kras.<kra>.thresholds.<band>`). Every number
/// of a contract can be set; `target` (a fixed target in pounds, replacing one set from
/// another arm), `target_scale` and `target_percentile` are kept as short names. For the
/// optional limits (cap, floor, pain_cap, gain_cap, members.<partner>.cap) a value of +inf
/// removes the limit. Returns an error message (naming the path, and what is settable
/// there) or nullopt; the caller re-runs contracts::check_terms afterwards.
std::optional<std::string> set_contract_term(PathwayScenario& scenario, std::string_view path, double value);

/// The current number of the contract term at `path` (as set_contract_term names it), or
/// nullopt when the path names no numeric term or the term is no number (a target set from
/// another arm's cost; a limit not set, unless the field reads it as +inf).
std::optional<double> contract_term_value(const PathwayScenario& scenario, std::string_view path);

/// A number written in the file, as `written_numbers` lists it.
struct WrittenNumber {
  std::string key;       ///< its key path with element indices (arms.a.contracts[0].kras[1].thresholds[2])
  double value = 0;      ///< as loaded
  bool integer = false;  ///< the key holds an integer
  std::string unit;      ///< the unit its declaration states ("" when none)
  bool contract = false; ///< a contract term (arms.<arm>.contracts[i]...)
};

/// Every number written in the file that the scenario's declarations read:
/// the model's and the contracts' keys, not those of [run], [variants], [uncertainty],
/// [[correlation]] or [analysis], in key order. `mhsim init` scales a borough's numbers by their units.
std::vector<WrittenNumber> written_numbers(const PathwayScenario& sc);

/// Which loader a scenario needs: "network" or "pathway", from the root key `model`
/// (absent = "network"). Throws ScenarioError on a bad value or on text that is not TOML.
std::string scenario_model(std::string_view text, const std::string& file);

}  // namespace mhsim::scenario
