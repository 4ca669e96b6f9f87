// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "models/pathway/pathway.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/run_settings.hpp"

namespace mhsim::scenario {

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
};

/// Reads and validates a pathway scenario file. Throws ScenarioError listing every problem
/// (file:line:col: key.path: expected ..., got ...); never returns a partial scenario.
PathwayScenario load_pathway_scenario(const std::string& path);

/// The same, from text already in memory (`file` is used in messages only).
PathwayScenario parse_pathway_scenario(std::string_view text, const std::string& file);

/// Which loader a scenario needs: "network" or "pathway", from the root key `model`
/// (absent = "network"). Throws ScenarioError on a bad value or on text that is not TOML.
std::string scenario_model(std::string_view text, const std::string& file);

}  // namespace mhsim::scenario
