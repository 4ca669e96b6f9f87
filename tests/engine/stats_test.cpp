// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "engine/stats.hpp"

using mhsim::engine::Tally;
using mhsim::engine::TimeWeighted;

TEST_CASE("Tally: moments match a two-pass computation", "[engine]") {
  const std::vector<double> xs = {2, 4, 4, 4, 5, 5, 7, 9};
  Tally t;
  for (double x : xs) t.add(x);
  // By hand: mean 40/8 = 5; squared deviations sum to 32; sample variance 32/7.
  CHECK(t.count() == 8);
  CHECK(t.mean() == 5.0);
  CHECK(t.variance() == Approx(32.0 / 7.0).epsilon(1e-14));
  CHECK(t.standard_error() == Approx(std::sqrt(32.0 / 7.0 / 8.0)).epsilon(1e-14));
  CHECK(t.min() == 2.0);
  CHECK(t.max() == 9.0);
}

TEST_CASE("Tally: merging equals seeing both samples", "[engine]") {
  Tally a, b, all;
  for (int i = 0; i < 10; ++i) {
    const double x = i * i * 0.5 - 3.0;
    (i < 4 ? a : b).add(x);
    all.add(x);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  CHECK(a.mean() == Approx(all.mean()).epsilon(1e-14));
  CHECK(a.variance() == Approx(all.variance()).epsilon(1e-14));
  CHECK(a.min() == all.min());
  CHECK(a.max() == all.max());
}

TEST_CASE("Tally: an empty tally says NaN, not zero", "[engine]") {
  Tally t;
  CHECK(std::isnan(t.mean()));
  t.add(3.0);
  CHECK(t.mean() == 3.0);
  CHECK(std::isnan(t.variance()));
}

TEST_CASE("TimeWeighted: integrates a step function exactly", "[engine]") {
  TimeWeighted q(0.0, 0.0);
  q.update(1.0, 3.0);  // 0 on [0,1)
  q.update(3.0, 1.0);  // 3 on [1,3)
  // 1 on [3,5]: area = 0 + 6 + 2 = 8 over 5 days.
  CHECK(q.mean(5.0) == Approx(1.6).epsilon(1e-15));
  CHECK(q.max() == 3.0);
  q.reset(5.0);
  CHECK(q.mean(7.0) == 1.0);
}
