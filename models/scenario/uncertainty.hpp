// SPDX-License-Identifier: MIT
#pragma once
// Probabilistic sensitivity analysis in a scenario: its uncertain parameters
// (models/psa/uncertainty.hpp) and how a replication's drawn values are set on it.

#include <string>
#include <vector>

#include "models/psa/uncertainty.hpp"

namespace mhsim::scenario {

struct PathwayScenario;

using models::psa::CorrelationGroup;
using models::psa::draw_parameters;
using models::psa::kUncertainDistributionNames;
using models::psa::UncertainDistribution;
using models::psa::UncertainParameter;
using models::psa::UncertaintySpec;

/// The scenario with the uncertain parameters set to `values` (one per parameter, in
/// order; integer keys rounded): each key's typed value set directly, then every rule the
/// loader applies checked again (no text is read). Throws ScenarioError if the values make
/// the scenario invalid: the diagnostics (showing the values), then one naming every
/// parameter, its key and its value. Throws std::invalid_argument if values.size() differs
/// from the number of parameters.
PathwayScenario with_parameters(const PathwayScenario& sc, const std::vector<double>& values);

}  // namespace mhsim::scenario
