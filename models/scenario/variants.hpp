// SPDX-License-Identifier: MIT
#pragma once
// Named variants of a pathway scenario: `[variants.<name>]` tables that set some of the
// file's numbers to other values (docs/pathway-model.md, "Variants"). A published figure
// that can be read two ways, a local policy option, a sensitivity case: one file, several
// named sets of numbers, each run with `--variant <name>`.

#include <string>
#include <vector>

#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::scenario {

/// The scenario with variant `name` applied: its text with each of the variant's numbers
/// written in place of the base value (calibrated_text, with a "variant <name>" comment),
/// read again by the loader. The result is an ordinary scenario: its [uncertainty] takes the
/// variant's values as base values, its text (stored in results files) reproduces the run,
/// and `variant` and `name` say which variant it is. Throws std::invalid_argument naming the
/// declared variants when the scenario has no variant `name`.
PathwayScenario apply_variant(const PathwayScenario& sc, const std::string& name);

/// The declared variants' names, in file order ("" when none), for messages.
std::string variant_names(const PathwayScenario& sc);

}  // namespace mhsim::scenario
