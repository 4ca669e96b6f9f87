// SPDX-License-Identifier: MIT
#pragma once
// Probabilistic sensitivity analysis (PSA): numbers of a scenario given distributions
// (`[uncertainty.<name>]` tables), optionally correlated through a Gaussian copula
// (`[[correlation]]` groups), and drawn once per replication from a stream that depends on
// (seed, replication) only, so that every arm of a replication runs with the same values.
// No file format here: models/scenario reads these structs by their descriptors
// (models/psa/uncertainty_schema.hpp) and sets the drawn values on a scenario.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

namespace mhsim::models::psa {

enum class UncertainDistribution { kBeta, kGamma, kLognormal, kNormal, kUniform, kTriangular };
/// The names of UncertainDistribution's values, as written in a scenario and in psa/distribution.
inline constexpr std::array<std::string_view, 6> kUncertainDistributionNames = {"beta",   "gamma",   "lognormal",
                                                                                 "normal", "uniform", "triangular"};

/// One uncertain parameter: one or more numeric keys of the scenario and their distribution.
struct UncertainParameter {
  std::string name;               ///< the table's name: [uncertainty.<name>]
  std::string key;                ///< `key`, or `keys` joined by ", " (for display and psa/key)
  std::vector<std::string> keys;  ///< dotted key paths of the numbers it replaces (each takes the drawn value)
  UncertainDistribution distribution = UncertainDistribution::kUniform;
  std::size_t family = kUncertainDistributionNames.size();  ///< as read (the size: not read)
  /// Parameters, by distribution:
  ///   beta: alpha, beta        gamma: shape, scale       lognormal: meanlog, sdlog
  ///   normal: mean, sd         uniform: low, high        triangular: low, mode, high
  std::vector<double> parameters;
  std::string source;  ///< provenance text (required in the file)
  double base = 0;     ///< the value written in the scenario at the (first) key
  /// The keys hold integers (a capacity, initial[i].in_service ...): values are rounded to
  /// the nearest integer when drawn.
  bool integer = false;
  /// The distribution's parameters as written (either family's own or mean and sd).
  struct Written {
    std::optional<double> alpha, beta, shape, scale, meanlog, sdlog, mean, sd, low, mode, high;
  } written;

  double quantile(double p) const;  ///< inverse CDF (boost::math)
  double mean() const;
  double sd() const;
};

/// A `[[correlation]]` group as written.
struct CorrelationGroup {
  std::vector<std::string> parameters;
  std::vector<std::vector<double>> matrix;
};

struct UncertaintySpec {
  std::vector<UncertainParameter> parameters;  ///< in file order
  std::vector<CorrelationGroup> groups;        ///< as written
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

}  // namespace mhsim::models::psa
