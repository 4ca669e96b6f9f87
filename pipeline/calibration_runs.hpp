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

#include "analysis/calibration.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::pipeline {

struct CalibrationRunOptions {
  std::uint64_t replications = 10;  ///< the same replications (seeds) at every evaluation
  std::uint64_t seed = 0;
  int threads = 1;
  int max_evaluations = 100;        ///< objective evaluations at most (the Jacobian's 2n are extra)
  analysis::Minimiser method = analysis::Minimiser::kNelderMead;  ///< NLopt's method (--method)
};

/// One target's simulated statistic over the replications.
struct TargetStatistic {
  double mean = 0;    ///< mean over replications (for relative_to or per: the ratio of means)
  double se = 0;      ///< Monte Carlo standard error (delta method for a ratio; NaN with one replication)
  double ci_low = 0;  ///< 95% confidence interval (Student t, n - 1 df)
  double ci_high = 0;
  /// The share of single replications whose own value (ratio) meets the target: how often one
  /// run of the system, like the one published, would fall inside the tolerance.
  double coverage = 0;
};

/// A held-out target's prediction: where the published figure should fall if the model is
/// right, allowing for the figure's own precision (its tolerance), the Monte Carlo error of
/// the simulated mean and the fitted parameters' uncertainty (Gauss-Newton covariance,
/// propagated through the target's gradient).
struct TargetPrediction {
  double low = 0, high = 0;  ///< 95% prediction interval for the published figure
  double z = 0;              ///< (value - mean) / prediction SD (0 inside a one-sided bound)
  double parameter_sd = 0;   ///< the parameters' share of the prediction SD; NaN when not determined
  bool met = false;          ///< the published figure is inside the prediction interval (|z| <= 1.96)
};

/// The prediction of every target (calibration targets too: meaningful for a held-out one)
/// from its statistic, the Jacobian of all targets' standardised residuals with respect to the
/// parameters (rows in spec order) and the parameters' covariance. With no parameters, or a
/// covariance that is not determined (NaN), the interval leaves the parameters out and
/// parameter_sd is NaN (0 with no parameters).
std::vector<TargetPrediction> predict_targets(const scenario::CalibrationSpec& spec,
                                              const std::vector<TargetStatistic>& stats,
                                              const Eigen::MatrixXd& jacobian, const Eigen::MatrixXd& covariance);

/// Every target's statistic with the spec's parameters at `values` (in spec order), from
/// replications 0..R-1 of `options.seed`, simulated in parallel and reduced in replication order.
std::vector<TargetStatistic> simulate_targets(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                                              const std::vector<double>& values, const CalibrationRunOptions& options);

/// Every target's statistic on `run` as it is (its spec at base values: no PSA draws, the
/// spec's parameters not applied), from replications 0..R-1 of `options.seed`.
std::vector<TargetStatistic> simulate_scenario_targets(const scenario::PathwayScenario& run,
                                                       const scenario::CalibrationSpec& spec,
                                                       const CalibrationRunOptions& options);

/// sum_t z_t^2 over the calibration targets (role "calibrate"; held-out targets never enter
/// it), z_t = 1.96 (mean_t - value_t) / tolerance_t (0 on the right side of a one-sided
/// target); infinity when not finite.
double calibration_objective(const scenario::CalibrationSpec& spec, const std::vector<TargetStatistic>& stats);

struct CalibrationOutcome {
  std::vector<double> start, fitted;
  std::vector<double> se;        ///< Gauss-Newton standard errors (NaN when not determined)
  Eigen::MatrixXd covariance;    ///< (J_c^T J_c)^-1, J_c = the calibration targets' rows of the Jacobian
  Eigen::MatrixXd jacobian;      ///< d(standardised residuals)/d(parameters), every target (spec order)
  double objective_start = 0, objective = 0;
  int evaluations = 0;           ///< Nelder-Mead's (the Jacobian's are not counted)
  bool converged = false;
  scenario::TargetAccounting accounting;  ///< of the calibration targets against the fitted and derived numbers
  int degrees_of_freedom = 0;    ///< accounting.degrees_of_freedom(): independent figures - fitted - derived
  double p_value = 0;            ///< P(chi-square(df) >= objective); NaN when df < 1
  std::vector<TargetStatistic> statistics;  ///< at the fitted values, every target (spec order)
  std::vector<TargetPrediction> predictions;  ///< every target (spec order); for the held-out ones
};

/// Fits the spec's parameters to its calibration targets (role "calibrate") from their start
/// values; every target is simulated at each evaluation, the held-out ones predicted.
CalibrationOutcome calibrate_pathway(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                                     const CalibrationRunOptions& options);

/// The Jacobian of every target's standardised residual with respect to the spec's parameters
/// at `values`, by central differences of 1% of each parameter's range (one-sided at a bound).
Eigen::MatrixXd target_jacobian(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                                const std::vector<double>& values, const CalibrationRunOptions& options);

/// The Gauss-Newton covariance of the parameters from the calibration targets' rows of a
/// target_jacobian (NaN entries when they do not determine a parameter).
Eigen::MatrixXd calibration_covariance(const scenario::CalibrationSpec& spec, const Eigen::MatrixXd& jacobian);

/// What leaving a target out shows.
enum class LeftOutVerdict {
  kPredicted,  ///< inside the refit's prediction interval, which is at most twice the tolerance
  kAbsorbed,   ///< without it the parameters are not determined: the interval is wider, or not defined
               ///< (whether the figure falls inside it then says nothing)
  kMissed,     ///< outside the refit's prediction interval, which is at most twice the tolerance
};
const char* verdict_name(LeftOutVerdict v) noexcept;

/// One calibration target left out: the refit without it and its prediction.
struct LeftOut {
  std::size_t target = 0;        ///< index in spec.targets
  TargetStatistic statistic;     ///< at the refit
  TargetPrediction prediction;   ///< of the left-out target from the refit
  double width_ratio = 0;        ///< the interval's half-width over the tolerance; NaN when not determined
  /// The same at the full fit: the other targets' information about the parameters (their rows
  /// of the full fit's Jacobian), through the left-out target's own gradient there. NaN when
  /// they do not determine what it depends on.
  double width_ratio_at_fit = 0;
  LeftOutVerdict verdict = LeftOutVerdict::kMissed;
  std::vector<double> fitted;    ///< the refit's parameters
  int evaluations = 0;
  bool converged = false;
};

/// Leave-one-out cross-validation: for each counted calibration target in turn (two-sided, not
/// by construction), refits without it from `fit`'s values (at most options.max_evaluations)
/// and predicts it. Deterministic: the same replications at every refit. The verdict is
/// "absorbed" when the other targets do not determine the parameters the target depends on,
/// judged both at the refit and at the full fit: a parameter only the target pinned can drift
/// in the refit to where the target hardly moves with it (a wait of a team far from full), and
/// the refit's linearisation alone would then read the drift as a confident, missed prediction.
std::vector<LeftOut> leave_one_out(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                                   const CalibrationOutcome& fit, const CalibrationRunOptions& options);

}  // namespace mhsim::pipeline
