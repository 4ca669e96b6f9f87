// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "analysis/chart_samples.hpp"

using mhsim::analysis::quantiles;
using mhsim::analysis::shown_replications;

TEST_CASE("quantiles: hand-computed order statistics, exact counts at or below, NaN left out", "[analysis]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Finite values sorted: 1 2 2 3 4 5 6 (n = 7). Three points: the minimum, then ranks
  // ceil(i * 7 / 3) = 3, 5, 7 (1-based): 2, 4, 6. Values at or below each: 1, 3, 5, 7.
  const auto q = quantiles({5, 1, 4, 2, nan, 3, 2, 6}, 3);
  CHECK(q.n == 7);
  CHECK(q.mean == Approx(23.0 / 7.0).epsilon(1e-15));
  CHECK(q.values == std::vector<double>{1, 2, 4, 6});
  CHECK(q.at_most == std::vector<std::size_t>{1, 3, 5, 7});
}

TEST_CASE("quantiles: ties are counted in full, so P(X > value) is exact", "[analysis]") {
  // 0 0 0 0 0 0 1 2 (n = 8), two points: ranks 4 and 8 (1-based) after the minimum: 0 and 2.
  // Six values are at or below 0: P(X > 0) = 2 / 8, not the 4 / 8 the rank alone would give.
  const auto q = quantiles({0, 1, 0, 0, 2, 0, 0, 0}, 2);
  CHECK(q.values == std::vector<double>{0, 0, 2});
  CHECK(q.at_most == std::vector<std::size_t>{6, 6, 8});
}

TEST_CASE("quantiles: with as many points as values every value is kept", "[analysis]") {
  const auto q = quantiles({3, 1, 3}, 5);
  CHECK(q.values == std::vector<double>{1, 3, 3});
  CHECK(q.at_most == std::vector<std::size_t>{1, 3, 3});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto none = quantiles({nan, nan}, 3);  // a run without payouts: commissioner spend is NaN
  CHECK(none.n == 0);
  CHECK(none.values.empty());
  CHECK_THROWS(quantiles({1, 2}, 0));
}

// The order statistic (0-based rank) that is the i/m quantile of n values, found by search:
// the smallest k (1-based) with k / n >= i / m.
static std::size_t rank_of(std::size_t i, std::size_t m, std::size_t n) {
  std::size_t k = 1;
  while (k * m < i * n) ++k;
  return k - 1;
}

TEST_CASE("quantiles: 1,000 points of 10,000 and 10,007 known values are their exact order statistics", "[analysis]") {
  for (const std::size_t n : {std::size_t{10000}, std::size_t{10007}}) {
    // A permutation of 1..n (7919 is prime, coprime with both n), so the order statistics are
    // known: the k-th smallest is k.
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = static_cast<double>((k * 7919) % n + 1);
    const auto q = quantiles(v, 1000);
    REQUIRE(q.n == n);
    REQUIRE(q.values.size() == 1001);
    CHECK(q.mean == Approx((static_cast<double>(n) + 1) / 2).epsilon(1e-12));
    CHECK(q.values.front() == 1);
    CHECK(q.values.back() == static_cast<double>(n));
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    std::size_t mismatches = 0;
    for (std::size_t i = 1; i <= 1000; ++i) {
      const std::size_t r = rank_of(i, 1000, n);
      if (q.values[i] != sorted[r] || q.values[i] != static_cast<double>(r + 1)) ++mismatches;
      // Distinct values: exactly r + 1 at or below the (r + 1)-th smallest.
      if (q.at_most[i] != r + 1) ++mismatches;
    }
    CHECK(mismatches == 0);
    if (n == 10000) {
      CHECK(q.values[1] == 10);    // x_(10)
      CHECK(q.values[500] == 5000);
      CHECK(q.at_most[999] == 9990);
    } else {
      CHECK(q.values[1] == 11);    // x_(ceil(10.007)) = x_(11)
      CHECK(q.values[500] == 5004);  // x_(ceil(5003.5))
    }
  }
}

TEST_CASE("quantiles: P(X > value) from the counts equals the count over every value", "[analysis]") {
  // Many ties (a painshare is 0 in most replications): 10,000 values in 0..49 with 0 most often.
  std::vector<double> v;
  for (std::size_t k = 0; k < 10000; ++k) v.push_back(k % 3 == 0 ? static_cast<double>((k * 31) % 50) : 0.0);
  const auto q = quantiles(v, 1000);
  std::size_t wrong = 0, weight = 0;
  for (std::size_t i = 0; i < q.values.size(); ++i) {
    const auto above = static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [&](double x) { return x > q.values[i]; }));
    if (q.n - q.at_most[i] != above) ++wrong;
    weight += q.at_most[i] - (i ? q.at_most[i - 1] : 0);
  }
  CHECK(wrong == 0);
  CHECK(weight == 10000);  // each value is stood for once in a histogram
}

TEST_CASE("shown_replications: every replication up to the limit, else evenly spaced, deterministic", "[analysis]") {
  CHECK(shown_replications(5, 10) == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(shown_replications(4, 4) == std::vector<std::size_t>{0, 1, 2, 3});
  // floor(i * 10 / 4): 0, 2.5, 5, 7.5 -> 0, 2, 5, 7.
  CHECK(shown_replications(10, 4) == std::vector<std::size_t>{0, 2, 5, 7});
  const auto s = shown_replications(10000, 2000);
  REQUIRE(s.size() == 2000);
  std::size_t not_fifth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) not_fifth += s[i] != 5 * i;
  CHECK(not_fifth == 0);  // replications 0, 5, 10, ..., 9995
  const auto t = shown_replications(10001, 2000);
  REQUIRE(t.size() == 2000);
  CHECK(t.front() == 0);
  CHECK(t.back() < 10001);
  CHECK(std::adjacent_find(t.begin(), t.end(), [](std::size_t a, std::size_t b) { return b <= a; }) == t.end());
  CHECK(shown_replications(10001, 2000) == t);
}
