// SPDX-License-Identifier: MIT
#pragma once
// Value of information from a PSA sample (issue 23, docs/analysis.md "Value of
// information"): the expected value of partial perfect information (EVPPI) of one
// uncertain input or a group, by the regression method of Strong, Oakley and Brennan
// (2014, Med Decis Making 34:311-326), and the share of an output's variance each input
// explains (its first-order Sobol index, estimated by the same regression). Pure functions
// of the draws and outputs they are given: no files, no model, no re-simulation.
//
// The regression ("metamodel") estimates g(x) = E[y | inputs in the group = x] at every
// replication:
// - one input: a penalised cubic regression spline (P-spline, Eilers and Marx 1996: cubic
//   B-splines on equally spaced knots, a second-difference penalty whose null space is the
//   straight line, the smoothing parameter chosen by generalised cross-validation), the
//   one-dimensional GAM of Strong et al.;
// - a group: Gaussian-process regression with a squared-exponential kernel and one length
//   scale per input, hyperparameters by maximum (profile) likelihood, as in Strong et al.
// Inputs enter on the rank scale u = (rank - 1/2) / R: g(x) = E[y | x] = E[y | u] for any
// strictly increasing transform, so nothing changes but the conditioning of the fit.
//
// Randomness (the posterior draws behind standard errors) comes from Boost.Random's
// mt19937 seeded with a fixed constant: the same inputs give the same bits everywhere.

#include <cstdint>
#include <string>
#include <vector>

namespace mhsim::analysis::voi {

/// The inputs of a regression: one column of R values per input.
using Columns = std::vector<const std::vector<double>*>;

enum class Method { kSpline, kGaussianProcess };
const char* method_name(Method m);  ///< "gam" or "gp"

struct Options {
  /// Posterior draws of the fitted values behind the standard errors.
  std::size_t draws = 500;
  /// The Gaussian process is fitted to the first `gp_points` replications (its cost grows
  /// with the cube of the points used) and predicts at every replication; its length scales
  /// are estimated on the first `gp_hyper_points`.
  std::size_t gp_points = 500;
  std::size_t gp_hyper_points = 150;
};

/// The inputs of evppi() and variance_share(): R >= kMinReplications values each, 1 to
/// kMaxGroup inputs, no NaN; std::invalid_argument (naming the argument) otherwise.
inline constexpr std::size_t kMinReplications = 20;
inline constexpr std::size_t kMaxGroup = 20;

struct Evppi {
  double value = 0;  ///< EVPPI per decision, in the unit of the net benefits
  double se = 0;     ///< standard error from the metamodels' posterior (Strong et al. 2014, section 5)
  Method method = Method::kSpline;
};

/// EVPPI of the inputs x for a decision between arms whose net benefits are nb[arm][r]
/// (any common unit; one arm is as good a base as another):
///   EVPPI = mean_r max_k g_k(x_r) - max_k mean_r g_k(x_r),
/// with g_k the regression of the incremental net benefit nb[k] - nb[0] on x (g_0 = 0).
/// At least two arms of R values each.
Evppi evppi(const std::vector<const std::vector<double>*>& x, const std::vector<std::vector<double>>& nb,
            const Options& options = {});

/// First-order share of y's variance that the inputs x explain, Var(E[y | x]) / Var(y): the
/// first-order Sobol index of the group, estimated by the same regression as its adjusted
/// R^2, 1 - (RSS / (R - edf)) / (TSS / (R - 1)) with edf the fit's effective degrees of
/// freedom, clamped to [0, 1] (so an input that does not matter scores about 0, not about
/// edf / R). 0 when y does not vary; NaN when the fit has R - 1 or more degrees of freedom.
double variance_share(const std::vector<const std::vector<double>*>& x, const std::vector<double>& y,
                      const Options& options = {});

/// The factor that turns a per-decision value into a population value: the sum over
/// t = 0 .. years - 1 of decisions_per_year / (1 + rate)^t.
double population_factor(double decisions_per_year, std::size_t years, double rate);

}  // namespace mhsim::analysis::voi
