// SPDX-License-Identifier: MIT
#pragma once
// The numerical side of calibration (`mhsim calibrate`, docs/calibration.md): bounded
// derivative-free minimisers (NLopt's Nelder-Mead, Subplex, BOBYQA) and the Gauss-Newton uncertainty of a least-squares fit. Pure
// functions of their arguments: no model, no random numbers.

#include <functional>
#include <vector>

#include <Eigen/Dense>

namespace mhsim::analysis {

/// The derivative-free local methods `mhsim calibrate --method` offers, all NLopt's.
enum class Minimiser {
  kNelderMead,  ///< NLOPT_LN_NELDERMEAD: the simplex method (the default)
  kSubplex,     ///< NLOPT_LN_SBPLX: Nelder-Mead on subspaces, steadier on noisy objectives
  kBobyqa,      ///< NLOPT_LN_BOBYQA: bounded quadratic models, few evaluations on smooth ones
};
/// "nelder-mead", "subplex", "bobyqa".
const char* minimiser_name(Minimiser m) noexcept;

struct MinimiseOptions {
  Minimiser method = Minimiser::kNelderMead;
  int max_evaluations = 200;   ///< calls of f at most (the initial simplex included)
  /// Converged when a step moves every coordinate of x by at most x_tolerance (NLopt's
  /// xtol_abs; no tolerance on f, which would stop on the first two equal values of a flat
  /// objective).
  double x_tolerance = 1e-6;
  /// Box bounds, each of size n or empty (unbounded; BOBYQA needs them). Trial points stay
  /// inside the closed box: an optimum on a bound can be reached.
  Eigen::VectorXd lower;
  Eigen::VectorXd upper;
};

struct MinimiseResult {
  Eigen::VectorXd x;   ///< the best point found
  double f = 0;        ///< f(x)
  int evaluations = 0;
  bool converged = false;  ///< a tolerance was met (else max_evaluations was reached, or NLopt gave up)
};

/// Minimises f from x0 with NLopt's `options.method`. The first steps are `step` in each
/// coordinate (Nelder-Mead's initial simplex is x0 and x0 + step_i e_i, or x0 - step_i e_i
/// where that one leaves the box). x0 must be inside the bounds and every step nonzero:
/// std::invalid_argument otherwise. NaN values of f count as +infinity. Deterministic: the
/// same f gives the same path.
MinimiseResult minimise(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x0,
                        const Eigen::VectorXd& step, const MinimiseOptions& options);

/// Jacobian [m x n] of residuals r(x) by central differences with steps h (one-sided, into
/// the box, where x +- h would leave [lower, upper]; bounds may be empty).
Eigen::MatrixXd finite_difference_jacobian(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& r,
                                           const Eigen::VectorXd& x, const Eigen::VectorXd& h,
                                           const Eigen::VectorXd& lower, const Eigen::VectorXd& upper);

/// Gauss-Newton covariance (J^T J)^-1 of parameters fitted by least squares on residuals
/// standardised to unit variance; NaN entries when J^T J is singular (a parameter the
/// targets do not determine).
Eigen::MatrixXd gauss_newton_covariance(const Eigen::MatrixXd& jacobian);

/// A statistic that is a ratio of two means over paired replications (a plain mean when
/// every y is 1): the estimate, its Monte Carlo standard error by the delta method, and a
/// 95% confidence interval (Student t, n - 1 df). Sums run in replication order, so the
/// bits do not depend on how the replications were scheduled. se and the interval are NaN
/// with one replication.
struct RatioEstimate {
  double mean = 0;
  double se = 0;
  double ci_low = 0;
  double ci_high = 0;
};
/// x[r], y[r]: numerator and denominator of replication r (same length, at least one).
RatioEstimate ratio_of_means(const std::vector<double>& x, const std::vector<double>& y);

/// P(chi-square(df) >= x): the goodness of fit of a least-squares calibration whose
/// objective is a sum of df + parameters squared standardised residuals. NaN when df < 1
/// or x is not finite.
double chi_square_upper_tail(double x, int df);

/// Standard errors of fitted parameters: sqrt of the covariance's diagonal (NaN where the
/// targets do not determine a parameter).
std::vector<double> standard_errors(const Eigen::MatrixXd& covariance);

}  // namespace mhsim::analysis
