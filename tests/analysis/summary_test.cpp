// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "analysis/summary.hpp"

using mhsim::analysis::summarise;
using mhsim::analysis::t_critical;

TEST_CASE("summarise: hand-computed mean, SD, SE and t interval", "[analysis]") {
  // {1, 2, 3, 4}: mean 2.5, SD sqrt(5/3) = 1.290994, SE = SD / 2 = 0.645497;
  // t(0.975, 3) = 3.182446 (statistical tables), half-width 2.054261.
  const auto s = summarise({1, 2, 3, 4});
  CHECK(s.n == 4);
  CHECK(s.mean == 2.5);
  CHECK(s.sd == Approx(1.2909944).epsilon(1e-7));
  CHECK(s.se == Approx(0.6454972).epsilon(1e-7));
  CHECK(s.ci_low == Approx(2.5 - 2.0542605).epsilon(1e-6));
  CHECK(s.ci_high == Approx(2.5 + 2.0542605).epsilon(1e-6));
}

TEST_CASE("summarise: NaN replications are counted as missing, not averaged", "[analysis]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto s = summarise({nan, 2.0, 4.0, nan});
  CHECK(s.n == 2);
  CHECK(s.missing == 2);
  CHECK(s.mean == 3.0);
}

TEST_CASE("t_critical: matches statistical tables", "[analysis]") {
  CHECK(t_critical(0.95, 1) == Approx(12.7062).epsilon(1e-5));
  CHECK(t_critical(0.95, 10) == Approx(2.2281).epsilon(1e-4));
  CHECK(t_critical(0.95, 1000000) == Approx(1.95996).epsilon(1e-5));
}
