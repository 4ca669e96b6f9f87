// SPDX-License-Identifier: MIT
#pragma once
// Internal to mhsim::scenario: the parsed pathway file that a PathwayScenario keeps, and the
// pieces of the loader that probabilistic sensitivity analysis shares with it
// (pathway_scenario.cpp reads the file; uncertainty.cpp reads [uncertainty] and
// [[correlation]] and sets parameters).

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/toml_reader.hpp"

namespace mhsim::scenario {

struct ParsedDocument {
  toml::table table;
  /// [N] the node of the file each uncertain parameter replaces (UncertaintySpec order).
  std::vector<const toml::node*> nodes;
};

/// Reads the pathway scenario in `doc` again with `overrides` replacing some of its numbers.
/// `[uncertainty]` and `[[correlation]]` are skipped (the first read checked them): the
/// result has no uncertainty, text or document. Throws ScenarioError like the first read.
PathwayScenario read_pathway_overridden(const ParsedDocument& doc, const std::string& file,
                                        NumberOverrides& overrides);

/// What read_uncertainty found: the spec, and each parameter's table (for messages).
struct UncertaintyTables {
  UncertaintySpec spec;
  std::vector<const toml::table*> tables;  ///< [N]
};

/// Reads `[uncertainty.<name>]` and `[[correlation]]` of a pathway file's root table,
/// reporting every problem to the root reader's diagnostics; fills doc.nodes. Parameters
/// with problems are left out of the result.
UncertaintyTables read_uncertainty(TableReader& root, ParsedDocument& doc);

/// For a file that read cleanly: sets each parameter's `integer` (whether the loader reads
/// its key as an integer), and reports any whose key no reader takes and each under which
/// the scenario stops being valid at its 0.001 or 0.999 quantile (the others at their base
/// values).
void check_uncertainty_quantiles(const ParsedDocument& doc, const std::string& file, UncertaintyTables& u,
                                 Diagnostics& diag);

/// What read_variants found: each variant, the file's nodes its keys replace, its table.
struct VariantTables {
  std::vector<ScenarioVariant> variants;
  std::vector<std::vector<const toml::node*>> nodes;  ///< [variant][key]
  std::vector<const toml::table*> tables;
};

/// Reads `[variants.<name>]` of a pathway file's root table (models/scenario/variants.cpp),
/// reporting every problem to the root reader's diagnostics: keys the file does not have, or
/// may not vary (the [uncertainty] rules), values that are not numbers, a key set twice.
VariantTables read_variants(TableReader& root, ParsedDocument& doc);

/// For a file that read cleanly: reports each variant under which the scenario is not valid,
/// and each key no reader takes.
void check_variants(const ParsedDocument& doc, const std::string& file, const VariantTables& v, Diagnostics& diag);

/// The number that dotted key `key` (the [uncertainty] key syntax) names in `table`, or
/// nullptr with `expected` and `got` set for a Diagnostic: a malformed path, a key that may
/// not vary (run, analysis, contract terms ...), a path the file does not have, or a value
/// that is not a number. Used by calibration (models/scenario/calibration_targets.cpp).
const toml::node* find_number_key(const toml::table& table, const std::string& key, std::string& expected,
                                  std::string& got);

}  // namespace mhsim::scenario
