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

/// The scenario with variant `name` applied: each of the variant's numbers set directly on
/// the typed scenario (no text is read), which the loader has checked. Its [uncertainty]
/// takes the variant's values as base values, `variant` names it and `name` says so; its
/// `text` has the variant's numbers written in place (calibrated_text, with a "variant
/// <name>" comment), so that results files store a text that alone reproduces the run.
/// Throws std::invalid_argument naming the declared variants when the scenario has no
/// variant `name`.
PathwayScenario apply_variant(const PathwayScenario& sc, const std::string& name);

/// The declared variants' names, in file order ("" when none), for messages.
std::string variant_names(const PathwayScenario& sc);

}  // namespace mhsim::scenario
