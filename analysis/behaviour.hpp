// SPDX-License-Identifier: MIT
#pragma once
// The behaviour that resulted when providers responded to their contracts (issue 21,
// docs/incentives.md): per arm, decision and service, the stated parameter, the deciding
// provider's stake and factor, the parameter in force, and how much of its difference from
// the base arm comes from what the arms state and how much from the response.

#include <string>
#include <vector>

#include "analysis/results_file.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::analysis {

/// One decision at one service in one arm, averaged over replications and the years analysed.
/// stated x factor is the parameter in force (probabilities capped at 1 in the model). With
/// the base arm's b: stated x factor - b.stated x b.factor = explicit + response exactly, where
///   explicit = (stated - b.stated) x (factor + b.factor) / 2,
///   response = (factor - b.factor) x (stated + b.stated) / 2
/// (the symmetric two-factor split of a product); NaN when the base arm lacks the decision.
struct BehaviourRow {
  std::string arm, decision, service, partner;
  std::string parameter;  ///< gatekeeping, step_down_speed or front_door_diversion
  double stated = 0;      ///< the arm's parameter as the scenario states it (its base value)
  double signal = 0;      ///< pounds: the provider's margin change for the decision, against its alternative
  double stake = 0;       ///< the share of the decision's cost the provider bears
  double factor = 1;      ///< what the response multiplied the stated parameter by
  double in_force = 0;    ///< stated x factor (a probability capped at 1)
  double explicit_part = 0, response_part = 0;  ///< of in_force's difference from the base arm (uncapped)
};

/// The rows of a results file with incentives/response (empty without it): decisions that
/// arise (a gatekept, a long-term or a front-door service the arm has), over the first
/// `years` years. `base_arm` indexes the scenario's arms.
std::vector<BehaviourRow> behaviour_rows(const ResultsReader& file, const scenario::PathwayScenario& sc,
                                         std::size_t base_arm, std::size_t years);

}  // namespace mhsim::analysis
