// SPDX-License-Identifier: MIT
#pragma once
// The pathway model run in memory for calibration and reproduction (docs/calibration.md):
// target statistics over a fixed set of replications (common random numbers at every
// evaluation), and the fit of scenario numbers to targets by Nelder-Mead with Gauss-Newton
// standard errors. No results file; the statistics themselves are analysis' (one
// definition, analysis/calibration.hpp).

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::pipeline {

struct CalibrationRunOptions {
  std::uint64_t replications = 10;  ///< the same replications (seeds) at every evaluation
  std::uint64_t seed = 0;
  int threads = 1;
  int max_evaluations = 100;        ///< Nelder-Mead evaluations at most (the Jacobian's 2n are extra)
};

/// One target's simulated statistic over the replications.
struct TargetStatistic {
  double mean = 0;    ///< mean over replications (for relative_to or per: the ratio of means)
  double se = 0;      ///< Monte Carlo standard error (delta method for a ratio; NaN with one replication)
  double ci_low = 0;  ///< 95% confidence interval (Student t, n - 1 df)
  double ci_high = 0;
};

/// Every target's statistic with the spec's parameters at `values` (in spec order), from
/// replications 0..R-1 of `options.seed`, simulated in parallel and reduced in replication order.
std::vector<TargetStatistic> simulate_targets(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                                              const std::vector<double>& values, const CalibrationRunOptions& options);

/// Every target's statistic on `run` as it is (its spec at base values: no PSA draws, the
/// spec's parameters not applied), from replications 0..R-1 of `options.seed`.
std::vector<TargetStatistic> simulate_scenario_targets(const scenario::PathwayScenario& run,
                                                       const scenario::CalibrationSpec& spec,
                                                       const CalibrationRunOptions& options);

/// sum_t z_t^2, z_t = 1.96 (mean_t - value_t) / tolerance_t (0 on the right side of a one-sided
/// target); infinity when not finite.
double calibration_objective(const scenario::CalibrationSpec& spec, const std::vector<TargetStatistic>& stats);

struct CalibrationOutcome {
  std::vector<double> start, fitted;
  std::vector<double> se;        ///< Gauss-Newton standard errors (NaN when not determined)
  Eigen::MatrixXd covariance;    ///< (J^T J)^-1, J = d(standardised residuals)/d(parameters)
  Eigen::MatrixXd jacobian;
  double objective_start = 0, objective = 0;
  int evaluations = 0;           ///< Nelder-Mead's (the Jacobian's are not counted)
  bool converged = false;
  int degrees_of_freedom = 0;    ///< targets - parameters
  double p_value = 0;            ///< P(chi-square(df) >= objective); NaN when df = 0
  std::vector<TargetStatistic> statistics;  ///< at the fitted values
};

/// Fits the spec's parameters to its targets from their start values.
CalibrationOutcome calibrate_pathway(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                                     const CalibrationRunOptions& options);

}  // namespace mhsim::pipeline
