// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <variant>

#include "engine/random.hpp"

namespace mhsim::engine {

/// Non-negative continuous distributions for durations (days) and inter-arrival times.
/// Sampling uses Boost.Random distributions only, so a given (engine state, parameters)
/// yields the same draw on every platform with the same Boost.
namespace dist {
// Where a family can be given in two ways, the second is remembered beside the parameters
// used for sampling, so that the distribution can be written back (or one of its
// parameters changed) as it was given; sampling never reads it.
struct Exponential {
  double mean;
  double rate = 0;  ///< > 0: given as this rate (mean = 1 / rate)
};
struct Deterministic { double value; };
struct Uniform { double min, max; };
struct Triangular { double min, mode, max; };
struct Gamma {
  double shape, scale;
  double mean = 0, cv = 0;  ///< cv > 0: given as this mean and coefficient of variation
};
struct Erlang { int k; double mean; };                 ///< sum of k exponentials, total mean
struct Lognormal { double mean, sd; };                 ///< moments of the variable itself
struct Weibull { double shape, scale; };
}  // namespace dist

class Distribution {
 public:
  using Variant = std::variant<dist::Exponential, dist::Deterministic, dist::Uniform,
                               dist::Triangular, dist::Gamma, dist::Erlang, dist::Lognormal,
                               dist::Weibull>;

  Distribution() : v_(dist::Deterministic{0.0}) {}
  template <class D>
  Distribution(D d) : v_(d) {}  // NOLINT(google-explicit-constructor): a value type

  double sample(Rng& rng) const;
  double sample(EntityRng& rng) const;
  /// A draw from the length-biased distribution, density x f(x) / E[X]: the length of the
  /// interval that covers a random time in a stationary renewal process (the inspection
  /// paradox). Its mean is E[X^2] / E[X]. Exact for every family: exponential(m) ->
  /// gamma(2, m); gamma(k, s) -> gamma(k + 1, s); Erlang likewise; lognormal(mu, sigma) on
  /// the log scale -> lognormal(mu + sigma^2, sigma); Weibull(k, l) -> l G^(1/k) with
  /// G ~ gamma(1 + 1/k, 1); uniform(a, b) by inversion, sqrt(a^2 + U (b^2 - a^2));
  /// triangular by rejection (accept x with probability x / max); deterministic unchanged.
  double sample_length_biased(Rng& rng) const;
  double sample_length_biased(EntityRng& rng) const;
  double mean() const;
  double variance() const;
  /// Whether the parameters, each perhaps in range, give a distribution that can be used:
  /// a finite mean and variance (so length-biased draws are defined too) and finite
  /// internal parameters (a lognormal's log-scale mu and sigma). Draws from one that is not
  /// can be infinite or NaN.
  bool well_defined() const;
  /// P(X <= x), from boost::math (used by goodness-of-fit tests and theory checks).
  double cdf(double x) const;
  /// Inverse CDF for p in (0, 1).
  double quantile(double p) const;
  /// E.g. "gamma(shape=2, scale=1.5)".
  std::string describe() const;
  /// True for the exponential: what makes a station Markovian.
  bool is_exponential() const noexcept { return std::holds_alternative<dist::Exponential>(v_); }

  const Variant& variant() const noexcept { return v_; }

 private:
  Variant v_;
};

}  // namespace mhsim::engine
