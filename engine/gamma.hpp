// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>

namespace mhsim::engine {

/// A draw from Gamma(shape, 1) by Marsaglia and Tsang's method ("A simple method for
/// generating gamma variables", ACM TOMS 26(3), 2000), on Boost.Random's own unit normal
/// (a ziggurat) and uniform_01, so the same engine state gives the same draw everywhere.
///
/// shape >= 1: with d = shape - 1/3 and c = 1 / sqrt(9 d), draw a normal x until
/// v = (1 + c x)^3 > 0 and accept d v with a uniform u when u < 1 - 0.0331 x^4 (the squeeze,
/// about 98% of draws for shape 2) or log u < x^2 / 2 + d (1 - v + log v). Acceptance is
/// above 95% for every shape >= 1, and most draws take one normal, one uniform and no
/// transcendental function; Boost's own gamma_distribution (Cheng's method) takes a `tan`,
/// an `exp` and a `log` per attempt, which was a tenth of the pathway model's time.
/// shape == 1: Boost's unit exponential (a ziggurat), exact and faster.
/// shape < 1: Gamma(shape + 1) U^(1 / shape), U uniform on (0, 1] (Marsaglia and Tsang, §4).
///
/// Which sampler draws a gamma is part of the RNG scheme (kRngScheme in random.hpp): a
/// change here changes results and must change the scheme's version.
/// tests/engine/distribution_test.cpp checks the draws against boost::math's gamma CDF.
template <class Engine>
double standard_gamma(Engine& rng, double shape) {
  if (shape == 1.0) return boost::random::exponential_distribution<double>(1.0)(rng);
  if (shape < 1.0) {
    const double g = standard_gamma(rng, shape + 1.0);
    const double u = 1.0 - boost::random::uniform_01<double>()(rng);  // (0, 1]
    return g * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  for (;;) {
    double x, v;
    do {
      x = normal(rng);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = boost::random::uniform_01<double>()(rng);
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

/// Gamma(shape, scale).
template <class Engine>
double draw_gamma(Engine& rng, double shape, double scale) {
  return standard_gamma(rng, shape) * scale;
}

/// Beta(a, b) as X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b), drawn in that order (as
/// boost::random::beta_distribution does, on the sampler above).
template <class Engine>
double draw_beta(Engine& rng, double a, double b) {
  const double x = standard_gamma(rng, a);
  const double y = standard_gamma(rng, b);
  return x / (x + y);
}

}  // namespace mhsim::engine
