// SPDX-License-Identifier: MIT
#pragma once
// `mhsim calibrate` and `mhsim reproduce`: the commands over pipeline/calibration_runs.hpp
// (the fit) and analysis (the statistics): options, loading and printing (docs/calibration.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "pipeline/calibration_runs.hpp"

namespace mhsim::cli {

using pipeline::CalibrationOutcome;
using pipeline::CalibrationRunOptions;
using pipeline::TargetStatistic;
using pipeline::calibrate_pathway;
using pipeline::calibration_objective;
using pipeline::simulate_scenario_targets;
using pipeline::simulate_targets;

// ---- shared by mhsim calibrate and mhsim reproduce ----

/// The pathway scenario at `path`, or its diagnostics added to `errors`.
std::optional<scenario::PathwayScenario> load_pathway_for_command(const std::string& path,
                                                                  std::vector<scenario::Diagnostic>& errors);
/// --reps, --seed and --threads over the scenario's defaults (all hardware threads).
void read_run_options(const std::string& reps, const std::string& seed, const std::string& threads,
                      const scenario::PathwayScenario* sc, CalibrationRunOptions& run,
                      std::vector<scenario::Diagnostic>& errors);
/// "statistic arm[/relative_to] y<year>|all", with a ratio written out.
std::string describe_statistic(const scenario::PathwayScenario& sc, const scenario::CalibrationTarget& target);
/// Prints one row per target of `role` (target, statistic, value, tolerance, simulated mean,
/// 95% CI, the share of single replications inside the tolerance, met, source); returns how
/// many are met. Targets by construction are marked so.
std::size_t print_target_table(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                               const std::vector<TargetStatistic>& stats,
                               scenario::TargetRole role = scenario::TargetRole::kCalibrate);
/// Prints the held-out targets (role "validate"): "predicted, not fitted", each with its 95%
/// prediction interval for the published figure and z; returns how many fall inside it.
std::size_t print_prediction_table(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                                   const std::vector<TargetStatistic>& stats,
                                   const std::vector<pipeline::TargetPrediction>& predictions, bool parameters_included);
/// Prints the honest count: independent figures against fitted and derived numbers, for the
/// calibration targets and the held-out ones, with each target by construction and why.
void print_accounting(const scenario::CalibrationSpec& spec, std::size_t fitted);


}  // namespace mhsim::cli
