// SPDX-License-Identifier: MIT
#pragma once
// Probabilistic sensitivity analysis (PSA): scenario parameters given distributions in
// `[uncertainty.<name>]` tables, optionally correlated through `[[correlation]]` groups.
// Values are drawn once per replication, from a stream that depends on (seed, replication)
// only, and the same values serve every arm of that replication.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

namespace mhsim::scenario {

struct PathwayScenario;

enum class UncertainDistribution { kBeta, kGamma, kLognormal, kNormal, kUniform, kTriangular };
/// The names of UncertainDistribution's values, as written in a scenario and in psa/distribution.
inline constexpr std::array<std::string_view, 6> kUncertainDistributionNames = {"beta",   "gamma",   "lognormal",
                                                                                 "normal", "uniform", "triangular"};

/// One uncertain parameter: a numeric key of the scenario and its distribution.
struct UncertainParameter {
  std::string name;    ///< the table's name: [uncertainty.<name>]
  std::string key;     ///< dotted key path of the number it replaces, e.g. "arms.living_well.front_door_diversion"
  UncertainDistribution distribution = UncertainDistribution::kUniform;
  /// Parameters, by distribution:
  ///   beta: alpha, beta        gamma: shape, scale       lognormal: meanlog, sdlog
  ///   normal: mean, sd         uniform: low, high        triangular: low, mode, high
  std::vector<double> parameters;
  std::string source;  ///< provenance text (required in the file)
  double base = 0;     ///< the value written in the scenario at `key`
  /// The loader reads `key` as an integer (a capacity, initial[i].in_service ...): values
  /// are rounded to the nearest integer when drawn and written back.
  bool integer = false;

  double quantile(double p) const;  ///< inverse CDF (boost::math)
  double mean() const;
  double sd() const;
};

struct UncertaintySpec {
  std::vector<UncertainParameter> parameters;  ///< in file order
  /// Correlation of the parameters' Gaussian copula [N x N]; identity when no correlation
  /// groups are given. Cholesky factor below, computed at load (the loader reports a matrix
  /// that is not positive definite).
  Eigen::MatrixXd correlation;
  Eigen::MatrixXd cholesky;
  bool empty() const noexcept { return parameters.empty(); }
};

/// The values of every uncertain parameter in replication `replication` of a run with
/// master seed `seed`: z ~ N(0, I) from the replication's "psa" stream (Boost.Random),
/// x = L z, value_i = F_i^{-1}(Phi(x_i)) with Phi(x_i) clamped to [1e-12, 1 - 1e-12], and
/// rounded to the nearest integer for integer keys: the values the simulation uses.
/// Depends on (seed, replication) only.
std::vector<double> draw_parameters(const UncertaintySpec& u, std::uint64_t seed, std::uint64_t replication);

/// The scenario with the uncertain parameters set to `values` (one per parameter, in
/// order): the stored parsed file read again by the same loader, with those keys' numbers
/// replaced (integer keys rounded). `file`, `text`, `run`, `uncertainty` and `document`
/// are those of `sc`; everything else comes from the file, so changes made to `sc` after
/// loading (other than `run`) are not carried over. Throws ScenarioError if the values make
/// the scenario invalid: the loader's diagnostics (showing the replaced values), then one
/// naming every parameter, its key and its value. Throws std::invalid_argument if
/// values.size() differs from the number of parameters or `sc` was not loaded from text.
PathwayScenario with_parameters(const PathwayScenario& sc, const std::vector<double>& values);

}  // namespace mhsim::scenario
