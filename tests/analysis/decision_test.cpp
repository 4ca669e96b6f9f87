// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "analysis/decision.hpp"
#include "analysis/summary.hpp"

namespace d = mhsim::analysis::decision;

namespace {

std::vector<double> normal_sample(std::uint64_t seed, std::size_t n, double mean, double sd) {
  boost::random::mt19937_64 rng(seed);
  boost::random::normal_distribution<double> dist(mean, sd);
  std::vector<double> v(n);
  for (double& x : v) x = dist(rng);
  return v;
}

double sample_sd(const std::vector<double>& v) { return mhsim::analysis::summarise(v).sd; }

}  // namespace

TEST_CASE("decision::quantile: Hyndman-Fan type 7 by hand", "[analysis][decision]") {
  // Sorted {1, 2, 3, 4}: h = 3p. p = 0.1 -> h = 0.3 -> 1 + 0.3 * (2 - 1) = 1.3;
  // p = 0.5 -> h = 1.5 -> 2.5; p = 0.9 -> h = 2.7 -> 3.7 (R: quantile(1:4, c(.1,.5,.9))).
  const std::vector<double> v{4, 1, 3, 2};
  CHECK(d::quantile(v, 0.1) == Approx(1.3).epsilon(1e-12));
  CHECK(d::quantile(v, 0.5) == Approx(2.5).epsilon(1e-12));
  CHECK(d::quantile(v, 0.9) == Approx(3.7).epsilon(1e-12));
  CHECK(d::quantile(v, 0.0) == 1.0);
  CHECK(d::quantile(v, 1.0) == 4.0);
  CHECK(d::quantile({7.0}, 0.3) == 7.0);
  // NaN replications are left out: the same answer as without them.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(d::quantile({nan, 4, 1, nan, 3, 2}, 0.1) == Approx(1.3).epsilon(1e-12));
  CHECK(std::isnan(d::quantile({}, 0.5)));
  CHECK_THROWS_AS(d::quantile(v, 1.5), std::invalid_argument);
}

TEST_CASE("decision::quantile: standard normal sample matches boost::math quantiles",
          "[analysis][decision][statistical]") {
  constexpr std::size_t n = 200000;
  const std::vector<double> v = normal_sample(20261123, n, 0.0, 1.0);
  const boost::math::normal z;
  for (const double p : {0.05, 0.25, 0.5, 0.75, 0.95}) {
    const double x_p = boost::math::quantile(z, p);
    // Asymptotic SE of a sample quantile: sqrt(p (1 - p) / n) / f(x_p); about 0.0048 at
    // p = 0.05 and 0.0028 at the median. Tolerance 4 SE (five checks, so a false failure
    // has probability about 3e-4).
    const double se = std::sqrt(p * (1 - p) / static_cast<double>(n)) / boost::math::pdf(z, x_p);
    INFO("p = " << p << ", SE = " << se);
    CHECK(d::quantile(v, p) == Approx(x_p).margin(4 * se));
  }
  // summarise_values reports the same type-7 quantiles and the usual moments.
  const d::Summary s = d::summarise_values(v);
  CHECK(s.n == n);
  CHECK(s.missing == 0);
  CHECK(s.q05 == d::quantile(v, 0.05));
  CHECK(s.q25 == d::quantile(v, 0.25));
  CHECK(s.q50 == d::quantile(v, 0.50));
  CHECK(s.q75 == d::quantile(v, 0.75));
  CHECK(s.q95 == d::quantile(v, 0.95));
  // Mean of N(0,1) has SE 1/sqrt(n) = 0.00224: 4 SE. SD: SE about 1/sqrt(2n) = 0.00158: 4 SE.
  CHECK(s.mean == Approx(0.0).margin(4 / std::sqrt(static_cast<double>(n))));
  CHECK(s.sd == Approx(1.0).margin(4 / std::sqrt(2.0 * static_cast<double>(n))));
  CHECK(s.se == Approx(s.sd / std::sqrt(static_cast<double>(n))).epsilon(1e-12));
  CHECK(s.ci_low < s.mean);
  CHECK(s.ci_high > s.mean);
}

TEST_CASE("decision::summarise_values: hand case with NaN", "[analysis][decision]") {
  // {1, 2, 3, 4} plus one NaN: mean 2.5, SD sqrt(5/3) = 1.2909944, t(0.975, 3) half-width
  // 2.0542605 (as in summary_test); median 2.5, q25 = 1 + 0.75 = 1.75, q95 = 3 + 0.85 = 3.85.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const d::Summary s = d::summarise_values({1, nan, 2, 3, 4});
  CHECK(s.n == 4);
  CHECK(s.missing == 1);
  CHECK(s.mean == 2.5);
  CHECK(s.sd == Approx(1.2909944).epsilon(1e-7));
  CHECK(s.ci_low == Approx(2.5 - 2.0542605).epsilon(1e-6));
  CHECK(s.ci_high == Approx(2.5 + 2.0542605).epsilon(1e-6));
  CHECK(s.q05 == Approx(1.15).epsilon(1e-12));
  CHECK(s.q25 == Approx(1.75).epsilon(1e-12));
  CHECK(s.q50 == Approx(2.5).epsilon(1e-12));
  CHECK(s.q75 == Approx(3.25).epsilon(1e-12));
  CHECK(s.q95 == Approx(3.85).epsilon(1e-12));
}

TEST_CASE("decision::risk: VaR, expected shortfall and exceedance by hand", "[analysis][decision]") {
  // Losses 1..20. VaR(0.90): h = 19 * 0.9 = 17.1 -> x[17] + 0.1 (x[18] - x[17]) = 18.1.
  // ES(0.90) = mean of losses >= 18.1 = mean{19, 20} = 19.5.
  std::vector<double> losses;
  for (int i = 1; i <= 20; ++i) losses.push_back(i);
  CHECK(d::value_at_risk(losses, 0.90) == Approx(18.1).epsilon(1e-12));
  CHECK(d::expected_shortfall(losses, 0.90) == Approx(19.5).epsilon(1e-12));
  // VaR(0.95) = 19 + 0.05 = 19.05; only 20 is at or beyond it.
  CHECK(d::value_at_risk(losses, 0.95) == Approx(19.05).epsilon(1e-12));
  CHECK(d::expected_shortfall(losses, 0.95) == 20.0);
  // Painshare above a reserve of 15: losses 16..20, 5 of 20.
  CHECK(d::probability_above(losses, 15.0) == 0.25);
  CHECK(d::probability_above(losses, 20.0) == 0.0);
  CHECK_THROWS_AS(d::value_at_risk(losses, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(d::expected_shortfall(losses, 0.0), std::invalid_argument);
}

TEST_CASE("decision::risk: lognormal VaR and expected shortfall match closed forms",
          "[analysis][decision][statistical]") {
  constexpr std::size_t n = 200000;
  constexpr double mu = 0.0;
  constexpr double sigma = 0.5;
  constexpr double alpha = 0.95;
  boost::random::mt19937_64 rng(5);
  boost::random::lognormal_distribution<double> dist(mu, sigma);
  std::vector<double> losses(n);
  for (double& x : losses) x = dist(rng);

  const boost::math::normal z;
  const boost::math::lognormal ln(mu, sigma);
  const double z_a = boost::math::quantile(z, alpha);  // 1.644854
  const double nn = static_cast<double>(n);

  // VaR = exp(mu + sigma z_a) = 2.2760. SE of the sample quantile
  // sqrt(a (1 - a) / n) / f(VaR) is about 0.0057; tolerance 4 SE.
  const double var = boost::math::quantile(ln, alpha);
  const double var_se = std::sqrt(alpha * (1 - alpha) / nn) / boost::math::pdf(ln, var);
  CHECK(d::value_at_risk(losses, alpha) == Approx(var).margin(4 * var_se));

  // ES = E[X | X > VaR] = exp(mu + sigma^2/2) Phi(sigma - z_a) / (1 - a) = 2.8578.
  // Second tail moment E[X^2 | X > VaR] = exp(2 mu + 2 sigma^2) Phi(2 sigma - z_a) / (1 - a).
  // Asymptotic SE of the tail-mean estimator (e.g. Yamai & Yoshiba 2002; Manistre & Hancock
  // 2005): sqrt{ [Var(X | X > VaR) + a (VaR - ES)^2] / (n (1 - a)) }, about 0.0087;
  // tolerance 4 SE.
  const double es = std::exp(mu + sigma * sigma / 2) * boost::math::cdf(z, sigma - z_a) / (1 - alpha);
  const double tail_m2 =
      std::exp(2 * mu + 2 * sigma * sigma) * boost::math::cdf(z, 2 * sigma - z_a) / (1 - alpha);
  const double es_se =
      std::sqrt((tail_m2 - es * es + alpha * (var - es) * (var - es)) / (nn * (1 - alpha)));
  INFO("VaR " << var << " (SE " << var_se << "), ES " << es << " (SE " << es_se << ")");
  CHECK(d::expected_shortfall(losses, alpha) == Approx(es).margin(4 * es_se));

  // P(X > VaR) = 1 - a; binomial SE sqrt(a (1 - a) / n) = 0.00049; tolerance 4 SE.
  CHECK(d::probability_above(losses, var) ==
        Approx(1 - alpha).margin(4 * std::sqrt(alpha * (1 - alpha) / nn)));
}

TEST_CASE("decision::paired: hand case and size mismatch", "[analysis][decision]") {
  // d = b - a = {-1, 0, -2, 1}: mean -0.5; deviations {-0.5, 0.5, -1.5, 1.5}, squares sum 5,
  // SD sqrt(5/3) = 1.2909944, SE 0.6454972, t(0.975, 3) half-width 2.0542605.
  // b < a in replications 0 and 2: P = 2/4.
  const d::Paired p = d::paired({10, 12, 9, 11}, {9, 12, 7, 12});
  CHECK(p.n == 4);
  CHECK(p.mean_difference == -0.5);
  CHECK(p.se == Approx(0.6454972).epsilon(1e-7));
  CHECK(p.ci_low == Approx(-0.5 - 2.0542605).epsilon(1e-6));
  CHECK(p.ci_high == Approx(-0.5 + 2.0542605).epsilon(1e-6));
  CHECK(p.prob_b_below_a == 0.5);
  // A NaN on either side drops the pair.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(d::paired({10, nan, 12}, {9, 1, nan}).n == 1);
  CHECK_THROWS_AS(d::paired({1, 2}, {1}), std::invalid_argument);
}

TEST_CASE("decision::icer: all quadrants, dominance and NMB by hand", "[analysis][decision]") {
  // North-east: b costs £10,000 more for 0.5 QALY more: ICER 10000 / 0.5 = £20,000/QALY.
  const d::Icer ne = d::icer(10000, 0.5);
  CHECK(ne.kind == d::IcerCase::north_east);
  CHECK(ne.ratio == 20000.0);
  CHECK(d::prefers_b(ne, 30000));   // 20,000 < 30,000: worth it
  CHECK_FALSE(d::prefers_b(ne, 15000));
  // NMB check at lambda = 30,000: 30000 * 0.5 - 10000 = 5000 > 0.
  CHECK(d::net_monetary_benefit(10000, 0.5, 30000) == 5000.0);

  // South-west: b saves £6,000 and loses 0.2 QALY: ratio -6000 / -0.2 = £30,000 saved per
  // QALY lost. At lambda 20,000 the saving outweighs the loss (NMB 20000 * -0.2 + 6000 = 2000).
  const d::Icer sw = d::icer(-6000, -0.2);
  CHECK(sw.kind == d::IcerCase::south_west);
  CHECK(sw.ratio == Approx(30000.0).epsilon(1e-12));
  CHECK(d::prefers_b(sw, 20000));
  CHECK_FALSE(d::prefers_b(sw, 40000));  // NMB 40000 * -0.2 + 6000 = -2000
  CHECK(d::net_monetary_benefit(-6000, -0.2, 20000) == Approx(2000.0).epsilon(1e-12));

  // North-west: b dearer (+£500) and worse (-0.1): a dominates; no ratio reported
  // (500 / -0.1 = -5000 would be indistinguishable from the south-east case below).
  const d::Icer nw = d::icer(500, -0.1);
  CHECK(nw.kind == d::IcerCase::a_dominates);
  CHECK(std::isnan(nw.ratio));
  CHECK_FALSE(d::prefers_b(nw, 1e9));

  // South-east: b cheaper (-£500) and better (+0.1): b dominates.
  const d::Icer se = d::icer(-500, 0.1);
  CHECK(se.kind == d::IcerCase::b_dominates);
  CHECK(std::isnan(se.ratio));
  CHECK(d::prefers_b(se, 0));

  // Axes: same cost and better -> b dominates (weakly); same effect and dearer -> a dominates.
  CHECK(d::icer(0, 0.1).kind == d::IcerCase::b_dominates);
  CHECK(d::icer(100, 0).kind == d::IcerCase::a_dominates);
  CHECK(d::icer(0, 0).kind == d::IcerCase::identical);
  CHECK_FALSE(d::prefers_b(d::icer(0, 0), 20000));

  // NMB = lambda * effect - cost: 20000 * 0.3 - 1500 = 4500.
  CHECK(d::net_monetary_benefit(1500, 0.3, 20000) == 4500.0);
}

TEST_CASE("decision::ceac: hand case, and rows sum to one", "[analysis][decision]") {
  // Arm A: cost 100, effect 1 in every replication. Arm B: costs {200, 300, 150, 400},
  // effects {2, 1.5, 1.2, 3}.
  //   lambda = 0:    NMB A = -100; B = {-200, -300, -150, -400}: A wins all -> {1, 0}.
  //   lambda = 100:  A = 0; B = {0, -150, -30, -100}: tie in rep 0 (half each), A wins 3
  //                  -> A = 3.5 / 4 = 0.875, B = 0.125.
  //   lambda = 1000: A = 900; B = {1800, 1200, 1050, 2600}: B wins all -> {0, 1}.
  const std::vector<std::vector<double>> costs{{100, 100, 100, 100}, {200, 300, 150, 400}};
  const std::vector<std::vector<double>> effects{{1, 1, 1, 1}, {2, 1.5, 1.2, 3}};
  const auto curve = d::ceac(costs, effects, {0, 100, 1000});
  REQUIRE(curve.size() == 3);
  CHECK(curve[0] == std::vector<double>{1.0, 0.0});
  CHECK(curve[1] == std::vector<double>{0.875, 0.125});
  CHECK(curve[2] == std::vector<double>{0.0, 1.0});

  // Three random arms: each row sums to 1 (to rounding) at every lambda.
  boost::random::mt19937_64 rng(42);
  boost::random::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::vector<double>> c(3, std::vector<double>(1000));
  std::vector<std::vector<double>> e(3, std::vector<double>(1000));
  for (std::size_t a = 0; a < 3; ++a) {
    for (std::size_t r = 0; r < 1000; ++r) {
      c[a][r] = 1000.0 * u(rng);
      e[a][r] = u(rng);
    }
  }
  for (const auto& row : d::ceac(c, e, {0, 500, 1000, 5000, 1e6})) {
    double sum = 0;
    for (const double p : row) sum += p;
    CHECK(sum == Approx(1.0).margin(1e-12));
  }
  CHECK_THROWS_AS(d::ceac({{1, 2}, {1}}, {{1, 2}, {1, 2}}, {0}), std::invalid_argument);
}

TEST_CASE("decision::evpi: normal NMB difference matches closed form",
          "[analysis][decision][statistical]") {
  // Option A: NMB 0. Option B: NMB D ~ Normal(m, s), encoded as cost -D and effect 0.
  // EVPI = E[max(0, D)] - max(0, m) = s phi(m/s) + m Phi(m/s) - max(0, m);
  // m = 0.5, s = 2: 2 * 0.386668 + 0.5 * 0.598706 - 0.5 = 0.572689.
  constexpr std::size_t n = 200000;
  constexpr double m = 0.5;
  constexpr double s = 2.0;
  const std::vector<double> diff = normal_sample(99, n, m, s);
  std::vector<std::vector<double>> costs{std::vector<double>(n, 0.0), std::vector<double>(n)};
  const std::vector<std::vector<double>> effects(2, std::vector<double>(n, 0.0));
  std::vector<double> shortfall(n);
  for (std::size_t r = 0; r < n; ++r) {
    costs[1][r] = -diff[r];
    shortfall[r] = std::max(0.0, -diff[r]);
  }
  const boost::math::normal z;
  const double exact = s * boost::math::pdf(z, m / s) + m * boost::math::cdf(z, m / s) - m;
  // While the sample mean of D is positive (m / (s / sqrt(n)) = 112 SE away from 0), the
  // estimator is mean(max(0, D)) - mean(D) = mean(max(0, -D)), so its MC SE is
  // sd(max(0, -D)) / sqrt(n), about 0.0021 here. Tolerance 4 SE.
  const double se = sample_sd(shortfall) / std::sqrt(static_cast<double>(n));
  INFO("exact EVPI " << exact << ", MC SE " << se);
  CHECK(d::evpi(costs, effects, 20000) == Approx(exact).margin(4 * se));

  // When B always wins (D = 1 + |N(0,1)| > 0), perfect information is worth nothing.
  const std::vector<double> noise = normal_sample(7, 10000, 0.0, 1.0);
  std::vector<std::vector<double>> always{std::vector<double>(noise.size(), 0.0),
                                          std::vector<double>(noise.size())};
  for (std::size_t r = 0; r < noise.size(); ++r) always[1][r] = -(1.0 + std::fabs(noise[r]));
  const std::vector<std::vector<double>> zero(2, std::vector<double>(noise.size(), 0.0));
  CHECK(d::evpi(always, zero, 20000) == Approx(0.0).margin(1e-12));
}

TEST_CASE("decision::discount_factor: NICE 3.5% by hand", "[analysis][decision]") {
  // Year 0 at year start is undiscounted; year 1: 1 / 1.035 = 0.9661836;
  // year 2: 1 / 1.035^2 = 0.9335107; year 0 mid-year: 1 / 1.035^0.5 = 0.9829464;
  // year 2 mid-year: 1 / 1.035^2.5 = 0.9175910.
  CHECK(d::kNiceDiscountRate == 0.035);
  CHECK(d::discount_factor(0) == 1.0);
  CHECK(d::discount_factor(1) == Approx(0.9661836).epsilon(1e-7));
  CHECK(d::discount_factor(2) == Approx(0.9335107).epsilon(1e-7));
  CHECK(d::discount_factor(0, 0.035, d::DiscountTiming::mid_year) == Approx(0.9829464).epsilon(1e-7));
  CHECK(d::discount_factor(2, 0.035, d::DiscountTiming::mid_year) == Approx(0.9175910).epsilon(1e-7));
  // 1.5% (NICE's sensitivity rate): year 3 -> 1 / 1.015^3 = 0.9563170.
  CHECK(d::discount_factor(3, 0.015) == Approx(0.9563170).epsilon(1e-7));
  CHECK(d::discount_factor(5, 0.0) == 1.0);
  CHECK_THROWS_AS(d::discount_factor(-1), std::invalid_argument);
  CHECK_THROWS_AS(d::discount_factor(1, -1.0), std::invalid_argument);
}

TEST_CASE("decision::replications_for_half_width: by hand", "[analysis][decision]") {
  // SD 10, half-width 1, 95%: normal answer (1.959964 * 10 / 1)^2 = 384.15 -> 385.
  // With t: n = 386 gives t(0.975, 385) = 1.966145, 1.966145 * 10 / sqrt(386) = 1.000741 > 1;
  // n = 387 gives t(0.975, 386) = 1.966129, 19.66129 / 19.672316 = 0.999439 <= 1 -> 387.
  CHECK(d::replications_for_half_width(10, 1) == 387);
  // SD 1, half-width 1: n = 7: t(0.975, 6) = 2.446912 / sqrt(7) = 0.924846 <= 1;
  // n = 6: t(0.975, 5) = 2.570582 / sqrt(6) = 1.049436 > 1 -> 7.
  CHECK(d::replications_for_half_width(1, 1) == 7);
  // 90%: SD 2, half-width 0.5: z = 1.644854, (1.644854 * 4)^2 = 43.29 -> 44; t(0.95, 43) =
  // 1.681071 * 2 / sqrt(44) = 0.506862 > 0.5; t(0.95, 44) = 1.680230 * 2 / sqrt(45) = 0.500948;
  // t(0.95, 45) = 1.679427 * 2 / sqrt(46) = 0.495236 <= 0.5 -> 46.
  CHECK(d::replications_for_half_width(2, 0.5, 0.90) == 46);
  CHECK(d::replications_for_half_width(0, 1) == 2);
  CHECK_THROWS_AS(d::replications_for_half_width(1, 0), std::invalid_argument);
  CHECK_THROWS_AS(d::replications_for_half_width(-1, 1), std::invalid_argument);
  CHECK_THROWS_AS(d::replications_for_half_width(1, 1, 1.0), std::invalid_argument);
}

TEST_CASE("decision::reserve_path: reserves moved year by year, exhaustion and the lowest reserve by hand",
          "[analysis][decision][reserves]") {
  // Opening reserves 100; gain (+) or pain (-) by year, four replications:
  //   r0 +50 -200 +100 -> 150  -50   50  exhausted in year 2 (a later gain does not undo it); lowest -50
  //   r1 -100  0   -1  ->   0    0   -1  exactly 0 is spent, not exhausted; exhausted in year 3; lowest -1
  //   r2 -30 -30  -30  ->  70   40   10  never; lowest 10
  //   r3 +20 +20  +20  -> 120  140  160  never; lowest 100 (the opening reserves)
  const std::vector<std::vector<double>> gp = {{50, -200, 100}, {-100, 0, -1}, {-30, -30, -30}, {20, 20, 20}};
  const d::ReservePath path = d::reserve_path(gp, 100);
  REQUIRE(path.years.size() == 3);
  CHECK(path.years[0].p_exhausted_by == 0.0);
  CHECK(path.years[1].p_exhausted_by == 0.25);
  CHECK(path.years[2].p_exhausted_by == 0.5);
  CHECK(path.p_exhausted == 0.5);
  CHECK(path.years[0].mean == Approx((150 + 0 + 70 + 120) / 4.0).epsilon(1e-15));
  CHECK(path.years[1].mean == Approx((-50 + 0 + 40 + 140) / 4.0).epsilon(1e-15));
  CHECK(path.years[2].mean == Approx((50 - 1 + 10 + 160) / 4.0).epsilon(1e-15));
  // Year 2 sorted {-50, 0, 40, 140}: type 7 q05 at h = 0.15 -> -50 + 0.15 * 50 = -42.5;
  // q50 at h = 1.5 -> 20; q95 at h = 2.85 -> 40 + 0.85 * 100 = 125.
  CHECK(path.years[1].q05 == Approx(-42.5).epsilon(1e-12));
  CHECK(path.years[1].q50 == Approx(20.0).epsilon(1e-12));
  CHECK(path.years[1].q95 == Approx(125.0).epsilon(1e-12));
  // Lowest {-50, -1, 10, 100}: mean 14.75; median -1 + 0.5 * 11 = 4.5; q05 -50 + 0.15 * 49 = -42.65.
  CHECK(path.lowest.n == 4);
  CHECK(path.lowest.mean == Approx(14.75).epsilon(1e-12));
  CHECK(path.lowest.q50 == Approx(4.5).epsilon(1e-12));
  CHECK(path.lowest.q05 == Approx(-42.65).epsilon(1e-12));

  // A replication with a missing year is left out; no replication leaves NaN; no years, nothing.
  const d::ReservePath partial = d::reserve_path({{50, -200, 100}, {1, std::nan(""), 1}}, 100);
  CHECK(partial.lowest.n == 1);
  CHECK(partial.p_exhausted == 1.0);
  CHECK(std::isnan(d::reserve_path({{std::nan("")}}, 0).years[0].p_exhausted_by));
  CHECK(d::reserve_path({}, 5).years.empty());
  CHECK(d::reserve_path({}, 5).p_exhausted == 0.0);
  // Reserves of 0: any pain exhausts them.
  CHECK(d::reserve_path({{0, 0}, {0, -0.01}}, 0).p_exhausted == 0.5);
  CHECK_THROWS_AS(d::reserve_path(gp, std::numeric_limits<double>::infinity()), std::invalid_argument);
  CHECK_THROWS_AS(d::reserve_path({{1, 2}, {1}}, 0), std::invalid_argument);
}

TEST_CASE("decision::reserve_path: a painshare above reserves is necessary for exhaustion, and yearly risk "
          "understates the agreement's", "[analysis][decision][reserves]") {
  // Independent normal years (mean -10, sd 60), opening 100, 5 years, 2,000 replications (fixed seed).
  // Exhaustion needs the summed painshare (gains not netted) above the reserves, so
  // P(exhausted) <= P(painshare > reserves); and it only grows with the years.
  const std::vector<double> draws = normal_sample(20261205, 2000 * 5, -10, 60);
  std::vector<std::vector<double>> gp(2000, std::vector<double>(5));
  std::vector<double> painshare(2000, 0), first_year_pain(2000, 0);
  for (std::size_t r = 0; r < 2000; ++r) {
    for (std::size_t y = 0; y < 5; ++y) {
      gp[r][y] = draws[r * 5 + y];
      painshare[r] += std::max(0.0, -gp[r][y]);
    }
    first_year_pain[r] = std::max(0.0, -gp[r][0]);
  }
  const d::ReservePath path = d::reserve_path(gp, 100);
  CHECK(path.p_exhausted <= d::probability_above(painshare, 100));
  for (std::size_t k = 1; k < 5; ++k) CHECK(path.years[k].p_exhausted_by >= path.years[k - 1].p_exhausted_by);
  CHECK(path.years[0].p_exhausted_by == d::probability_above(first_year_pain, 100));
  // Over five years exhaustion is far likelier than in any one year. The first year alone:
  // P(N(-10, 60) < -100) = Phi(-1.5) = 0.0668. A random walk with drift -10 and step sd 60
  // falls below -100 within 5 steps with probability 0.458 (an independent simulation of
  // 200,000 walks in Python, standard error 0.0011). Tolerances: 4 Monte Carlo standard
  // errors of a proportion from n = 2,000 (0.022 and 0.045).
  CHECK(path.years[0].p_exhausted_by == Approx(0.0668).margin(4 * std::sqrt(0.0668 * 0.9332 / 2000)));
  CHECK(path.p_exhausted == Approx(0.458).margin(4 * std::sqrt(0.458 * 0.542 / 2000)));
}
