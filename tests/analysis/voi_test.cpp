// SPDX-License-Identifier: MIT
// Value of information (analysis/voi): EVPPI against closed forms and quadrature, EVPPI of
// every input against EVPI, an input that does not enter the model, first-order variance
// shares against their analytic values, and exact reproducibility.
//
// Statistical tests use fixed seeds. Each tolerance is 4 standard errors, where the
// standard error combines the Monte Carlo error of the PSA sample (computed here from the
// true conditional expectation on the same sample, so it does not depend on the code under
// test) and the metamodel's own posterior standard error that evppi() reports.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/distributions/normal.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "analysis/decision.hpp"
#include "analysis/voi.hpp"

namespace voi = mhsim::analysis::voi;

namespace {

struct Sample {
  std::vector<double> x1, x2, x3, noise;
};

Sample normal_sample(std::size_t R, std::uint32_t seed) {
  boost::random::mt19937 rng(seed);
  boost::random::normal_distribution<double> z;
  Sample s;
  for (std::size_t r = 0; r < R; ++r) {
    s.x1.push_back(z(rng));
    s.x2.push_back(z(rng));
    s.x3.push_back(z(rng));
    s.noise.push_back(z(rng));
  }
  return s;
}

double phi(double x) { return boost::math::pdf(boost::math::normal(), x); }
double Phi(double x) { return boost::math::cdf(boost::math::normal(), x); }

// E[max(0, Z)] - max(0, m) for Z ~ N(m, s^2): the EVPPI of a two-arm decision whose
// incremental net benefit, given the inputs learnt, is N(m, s^2) over them.
double normal_evppi(double m, double s) { return m * Phi(m / s) + s * phi(m / s) - std::max(0.0, m); }

// Monte Carlo standard error of mean_r max(0, g_r) - max(0, mean_r g_r) when mean g is
// clearly positive: the SE of the mean of max(0, -g_r).
double mc_se(const std::vector<double>& g) {
  std::vector<double> h;
  for (const double v : g) h.push_back(std::max(0.0, -v));
  const double n = static_cast<double>(h.size());
  double m = 0;
  for (const double v : h) m += v / n;
  double ss = 0;
  for (const double v : h) ss += (v - m) * (v - m);
  return std::sqrt(ss / (n - 1) / n);
}

voi::Options fast() {
  voi::Options o;
  o.gp_points = 400;
  o.gp_hyper_points = 200;
  o.draws = 300;
  return o;
}

}  // namespace

TEST_CASE("voi: EVPPI of one input of a linear-Gaussian model equals its closed form", "[analysis][statistical]") {
  // INB = a + b x1 + c x2 + s e, inputs and noise independent N(0, 1). Learning x1 leaves
  // INB | x1 ~ N(a + b x1, ...), so EVPPI(x1) = E[max(0, a + b x1)] - max(0, a), the normal
  // loss formula with m = a and s = |b|.
  const double a = 0.2, b = 1.0, c = 0.7, s = 1.0;
  const std::size_t R = 2000;
  const Sample smp = normal_sample(R, 11);
  std::vector<std::vector<double>> nb(2, std::vector<double>(R));
  std::vector<double> g1(R), g2(R);
  for (std::size_t r = 0; r < R; ++r) {
    // Arm 0 carries a common term: EVPPI depends on the difference alone.
    nb[0][r] = 5 + 2 * smp.x2[r] + smp.noise[r];
    nb[1][r] = nb[0][r] + a + b * smp.x1[r] + c * smp.x2[r] + s * smp.x3[r];
    g1[r] = a + b * smp.x1[r];
    g2[r] = a + c * smp.x2[r];
  }
  const voi::Evppi e1 = voi::evppi({&smp.x1}, nb, fast());
  const voi::Evppi e2 = voi::evppi({&smp.x2}, nb, fast());
  CHECK(e1.method == voi::Method::kSpline);
  CHECK(e1.se > 0);
  const double t1 = normal_evppi(a, b), t2 = normal_evppi(a, c);  // 0.3175..., 0.1877...
  INFO("EVPPI(x1) " << e1.value << " +- " << e1.se << " vs " << t1 << "; EVPPI(x2) " << e2.value << " vs " << t2);
  CHECK(std::fabs(e1.value - t1) <= 4 * std::hypot(mc_se(g1), e1.se));
  CHECK(std::fabs(e2.value - t2) <= 4 * std::hypot(mc_se(g2), e2.se));
  CHECK(e1.value > e2.value);  // |b| > |c|: the steeper input is worth more
}

TEST_CASE("voi: EVPPI of a nonlinear three-arm decision matches quadrature", "[analysis][statistical]") {
  // nb0 = 0, nb1 = 0.3 + x1 - 0.5 x2 + e1, nb2 = 0.1 + 0.8 (x1^2 - 1) + 0.4 x2 + e2.
  // Given x1 the conditional means are g1 = 0.3 + x1 and g2 = 0.1 + 0.8 (x1^2 - 1), so
  // EVPPI(x1) = integral of max(0, g1, g2) phi(x) dx - max(0, 0.3, 0.1).
  const std::size_t R = 3000;
  const Sample smp = normal_sample(R, 29);
  boost::random::mt19937 rng(7);
  boost::random::normal_distribution<double> z;
  std::vector<std::vector<double>> nb(3, std::vector<double>(R, 0.0));
  std::vector<double> best(R);
  for (std::size_t r = 0; r < R; ++r) {
    const double x = smp.x1[r];
    nb[1][r] = 0.3 + x - 0.5 * smp.x2[r] + smp.noise[r];
    nb[2][r] = 0.1 + 0.8 * (x * x - 1) + 0.4 * smp.x2[r] + z(rng);
    best[r] = std::max({0.0, 0.3 + x, 0.1 + 0.8 * (x * x - 1)});
  }
  double truth = 0;
  const int steps = 200000;
  const double lo = -10, h = 20.0 / steps;
  for (int i = 0; i <= steps; ++i) {  // trapezoid rule on [-10, 10]
    const double x = lo + h * i;
    const double w = (i == 0 || i == steps) ? 0.5 : 1.0;
    truth += w * h * std::max({0.0, 0.3 + x, 0.1 + 0.8 * (x * x - 1)}) * phi(x);
  }
  truth -= 0.3;
  // Monte Carlo error of mean_r max(0, g1, g2) (the second term's error is second order).
  double m = 0, ss = 0;
  for (const double v : best) m += v / static_cast<double>(R);
  for (const double v : best) ss += (v - m) * (v - m);
  const double se_mc = std::sqrt(ss / (R - 1.0) / R);
  const voi::Evppi e = voi::evppi({&smp.x1}, nb, fast());
  INFO("EVPPI(x1) " << e.value << " +- " << e.se << " (MC " << se_mc << ") vs quadrature " << truth);
  CHECK(std::fabs(e.value - truth) <= 4 * std::hypot(se_mc, e.se));
}

TEST_CASE("voi: EVPPI of a group is its closed form, of every input, EVPI when there is no other noise",
          "[analysis][statistical]") {
  const double a = 0.2, b = 1.0, c = 0.7;
  const std::size_t R = 1500;
  const Sample smp = normal_sample(R, 41);
  SECTION("with stochastic noise: the group's EVPPI is the normal loss with s = sqrt(b^2 + c^2)") {
    std::vector<std::vector<double>> nb(2, std::vector<double>(R, 0.0));
    std::vector<double> g(R);
    for (std::size_t r = 0; r < R; ++r) {
      g[r] = a + b * smp.x1[r] + c * smp.x2[r];
      nb[1][r] = g[r] + smp.noise[r];
    }
    const voi::Evppi e = voi::evppi({&smp.x1, &smp.x2}, nb, fast());
    CHECK(e.method == voi::Method::kGaussianProcess);
    const double truth = normal_evppi(a, std::hypot(b, c));
    INFO("EVPPI(x1, x2) " << e.value << " +- " << e.se << " vs " << truth);
    CHECK(std::fabs(e.value - truth) <= 4 * std::hypot(mc_se(g), e.se));
  }
  SECTION("without: EVPPI of every input equals the EVPI of the same sample") {
    std::vector<std::vector<double>> effects(2, std::vector<double>(R, 0.0)), costs = effects;
    for (std::size_t r = 0; r < R; ++r) effects[1][r] = a + b * smp.x1[r] + c * smp.x2[r];
    const double evpi = mhsim::analysis::decision::evpi(costs, effects, 1.0);
    const voi::Evppi e = voi::evppi({&smp.x1, &smp.x2}, effects, fast());
    INFO("EVPPI(all) " << e.value << " +- " << e.se << " vs EVPI " << evpi);
    // Both are means over the same sample, so only the metamodel's error separates them.
    CHECK(std::fabs(e.value - evpi) <= 4 * e.se + 1e-9);
    CHECK(e.value > 0.3);
  }
}

TEST_CASE("voi: an input that does not enter the model is worth nothing", "[analysis][statistical]") {
  // x3 is independent of everything; the decision is close (a = 0.05), so a metamodel
  // that read noise as signal would show a clearly positive EVPPI.
  const std::size_t R = 2000;
  const Sample smp = normal_sample(R, 53);
  std::vector<std::vector<double>> nb(2, std::vector<double>(R, 0.0));
  for (std::size_t r = 0; r < R; ++r) nb[1][r] = 0.05 + smp.x1[r] + smp.noise[r];
  const voi::Evppi none = voi::evppi({&smp.x3}, nb, fast());
  const voi::Evppi some = voi::evppi({&smp.x1}, nb, fast());
  INFO("EVPPI(x3) " << none.value << " +- " << none.se << "; EVPPI(x1) " << some.value);
  CHECK(none.value <= 4 * none.se);
  CHECK(none.value < 0.05 * some.value);
  // A constant input carries no information at all.
  const std::vector<double> constant(R, 3.0);
  const voi::Evppi c = voi::evppi({&constant}, nb, fast());
  CHECK(c.value == 0.0);
  CHECK(c.se == 0.0);
}

TEST_CASE("voi: first-order variance shares match their analytic values", "[analysis][statistical]") {
  // y = b x1 + c x2 + s e: the first-order index of x1 is b^2 / (b^2 + c^2 + s^2) and of the
  // pair (b^2 + c^2) / (...). Twenty independent samples; the mean estimate must be within
  // 4 standard errors (from the estimates' own spread) of the truth.
  const double b = 1.0, c = 0.7, s = 1.0;
  const double total = b * b + c * c + s * s;
  const std::size_t R = 1000, K = 20;
  std::vector<double> one, pair, zero;
  for (std::size_t k = 0; k < K; ++k) {
    const Sample smp = normal_sample(R, static_cast<std::uint32_t>(100 + k));
    std::vector<double> y(R);
    for (std::size_t r = 0; r < R; ++r) y[r] = b * smp.x1[r] + c * smp.x2[r] + s * smp.noise[r];
    one.push_back(voi::variance_share({&smp.x1}, y, fast()));
    zero.push_back(voi::variance_share({&smp.x3}, y, fast()));
    if (k < 5) pair.push_back(voi::variance_share({&smp.x1, &smp.x2}, y, fast()));
  }
  const auto mean_se = [](const std::vector<double>& v) {
    double m = 0;
    for (const double x : v) m += x / static_cast<double>(v.size());
    double ss = 0;
    for (const double x : v) ss += (x - m) * (x - m);
    return std::pair<double, double>{m, std::sqrt(ss / (static_cast<double>(v.size()) - 1) / static_cast<double>(v.size()))};
  };
  const auto [m1, se1] = mean_se(one);
  const auto [m2, se2] = mean_se(pair);
  const auto [m0, se0] = mean_se(zero);
  INFO("share(x1) " << m1 << " +- " << se1 << " vs " << b * b / total << "; pair " << m2 << " +- " << se2 << " vs "
                    << (b * b + c * c) / total << "; x3 " << m0 << " +- " << se0);
  CHECK(std::fabs(m1 - b * b / total) <= 4 * se1);
  CHECK(std::fabs(m2 - (b * b + c * c) / total) <= 4 * se2);
  // An irrelevant input explains nothing: the adjusted R^2 takes out what a smoother with a
  // few effective degrees of freedom picks up from noise; only the clamp at 0 leaves a
  // small positive mean, within 4 standard errors of 0.
  CHECK(m0 <= 4 * se0 + 1e-12);
}

TEST_CASE("voi: the same inputs give the same bits", "[analysis][reproducibility]") {
  const std::size_t R = 300;
  const Sample smp = normal_sample(R, 3);
  std::vector<std::vector<double>> nb(3, std::vector<double>(R, 0.0));
  for (std::size_t r = 0; r < R; ++r) {
    nb[1][r] = 0.1 + smp.x1[r] + smp.noise[r];
    nb[2][r] = 0.2 * smp.x2[r] - 0.1;
  }
  const voi::Evppi a = voi::evppi({&smp.x1, &smp.x2}, nb, fast());
  const voi::Evppi b = voi::evppi({&smp.x1, &smp.x2}, nb, fast());
  CHECK(a.value == b.value);
  CHECK(a.se == b.se);
  const voi::Evppi c = voi::evppi({&smp.x1}, nb, fast());
  const voi::Evppi d = voi::evppi({&smp.x1}, nb, fast());
  CHECK(c.value == d.value);
  CHECK(c.se == d.se);
}

TEST_CASE("voi: population factor and arguments", "[analysis]") {
  // 2 decisions a year for 3 years at 3.5%: 2 + 2 / 1.035 + 2 / 1.035^2.
  CHECK(voi::population_factor(2, 3, 0.035) == Approx(2 + 2 / 1.035 + 2 / (1.035 * 1.035)).epsilon(1e-14));
  CHECK(voi::population_factor(1, 1, 0.035) == 1.0);
  CHECK(voi::population_factor(5, 0, 0.035) == 0.0);
  CHECK_THROWS_AS(voi::population_factor(-1, 3, 0.035), std::invalid_argument);
  const std::vector<double> x(10, 1.0), y(10, 2.0);
  CHECK_THROWS_WITH(voi::evppi({&x}, {y, y}), Catch::Contains("at least 20"));
  std::vector<double> x30(30, 1.0), y30(30, 0.0);
  CHECK_THROWS_WITH(voi::evppi({&x30}, {y30}), Catch::Contains("at least 2"));
  CHECK_THROWS_WITH(voi::evppi({}, {y30, y30}), Catch::Contains("1 to 20"));
  x30[4] = std::nan("");
  CHECK_THROWS_WITH(voi::evppi({&x30}, {y30, y30}), Catch::Contains("not a finite number"));
}

TEST_CASE("voi: a group of many inputs on few replications does not take noise for signal", "[analysis][statistical]") {
  // Seven inputs, one of which matters (y = x1 + e, Var(e) = 1), on 100 replications. A
  // process that passes through every point would explain all of y's variance and give the
  // group an EVPPI near EVPI; the truth is a share of 1/2 and the EVPPI of x1 alone.
  const std::size_t R = 100, K = 10;
  const double a = 0.1;
  std::vector<double> shares, errors, se_total;
  for (std::size_t k = 0; k < K; ++k) {
    boost::random::mt19937 rng(static_cast<std::uint32_t>(700 + k));
    boost::random::normal_distribution<double> z;
    std::vector<std::vector<double>> x(7, std::vector<double>(R));
    std::vector<std::vector<double>> nb(2, std::vector<double>(R, 0.0));
    std::vector<double> g(R);
    for (std::size_t r = 0; r < R; ++r) {
      for (auto& col : x) col[r] = z(rng);
      g[r] = a + x[0][r];
      nb[1][r] = g[r] + z(rng);
    }
    std::vector<const std::vector<double>*> group;
    for (const auto& col : x) group.push_back(&col);
    shares.push_back(voi::variance_share(group, nb[1], fast()));
    const voi::Evppi e = voi::evppi(group, nb, fast());
    errors.push_back(e.value - normal_evppi(a, 1.0));
    se_total.push_back(std::hypot(mc_se(g), e.se));
  }
  double mean_share = 0, mean_error = 0, mean_se = 0;
  for (std::size_t k = 0; k < K; ++k) {
    mean_share += shares[k] / K;
    mean_error += errors[k] / K;
    mean_se += se_total[k] / K;
  }
  INFO("mean share " << mean_share << " (truth 0.5); mean EVPPI error " << mean_error << " (typical SE " << mean_se << ")");
  // Each share has SE about 2 rho (1 - rho^2) / sqrt(R) = 0.07 at rho^2 = 1/2; the mean of ten
  // has about 0.022, and 4 of those is 0.09. An interpolating fit gives about 1.
  CHECK(std::fabs(mean_share - 0.5) <= 0.09);
  // The mean error of ten EVPPIs against the truth: within 4 of its standard errors.
  CHECK(std::fabs(mean_error) <= 4 * mean_se / std::sqrt(static_cast<double>(K)));
}

TEST_CASE("voi: EVPPI of an input correlated with another that enters a product", "[analysis][statistical]") {
  // The structure of published case studies (Brennan et al. 2007, Strong et al. 2014): net
  // benefit as products of correlated inputs. INB = a b - c with (a, b) bivariate normal,
  // means 1, SDs 0.3, correlation 0.6, and c ~ N(1.05, 0.2^2) independent. Learning a alone
  // also tells about b: E[INB | a] = a (1 + 0.6 (a - 1)) - 1.05, so
  // EVPPI(a) = integral of max(0, E[INB | a]) phi - max(0, E[INB]) with
  // E[INB] = 1 + 0.6 x 0.09 - 1.05 = 0.004, by quadrature.
  const std::size_t R = 3000;
  boost::random::mt19937 rng(97);
  boost::random::normal_distribution<double> z;
  const double rho = 0.6, sd = 0.3;
  std::vector<double> a(R), b(R), c(R), g(R);
  std::vector<std::vector<double>> nb(2, std::vector<double>(R, 0.0));
  const auto conditional = [&](double av) { return av * (1 + rho * (av - 1)) - 1.05; };
  for (std::size_t r = 0; r < R; ++r) {
    const double z1 = z(rng), z2 = z(rng);
    a[r] = 1 + sd * z1;
    b[r] = 1 + sd * (rho * z1 + std::sqrt(1 - rho * rho) * z2);
    c[r] = 1.05 + 0.2 * z(rng);
    nb[1][r] = a[r] * b[r] - c[r];
    g[r] = conditional(a[r]);
  }
  double truth = 0;
  const int steps = 200000;
  for (int i = 0; i <= steps; ++i) {  // trapezoid over a in mean +- 10 SD
    const double zz = -10 + 20.0 * i / steps;
    const double w = (i == 0 || i == steps) ? 0.5 : 1.0;
    truth += w * (20.0 / steps) * std::max(0.0, conditional(1 + sd * zz)) * phi(zz);
  }
  truth -= std::max(0.0, 1 + rho * sd * sd - 1.05);
  // Monte Carlo error: the SD of max(0, g) - g over the sample (E[INB] is near 0, so take
  // both terms' fluctuation together, conservatively as the SD of max(0, g) plus that of g).
  double m1 = 0, m2 = 0, s1 = 0, s2 = 0;
  for (std::size_t r = 0; r < R; ++r) {
    m1 += std::max(0.0, g[r]) / R;
    m2 += g[r] / R;
  }
  for (std::size_t r = 0; r < R; ++r) {
    s1 += (std::max(0.0, g[r]) - m1) * (std::max(0.0, g[r]) - m1);
    s2 += (g[r] - m2) * (g[r] - m2);
  }
  const double se_mc = (std::sqrt(s1 / (R - 1.0)) + std::sqrt(s2 / (R - 1.0))) / std::sqrt(static_cast<double>(R));
  const voi::Evppi e = voi::evppi({&a}, nb, fast());
  INFO("EVPPI(a) " << e.value << " +- " << e.se << " (MC " << se_mc << ") vs quadrature " << truth);
  CHECK(std::fabs(e.value - truth) <= 4 * std::hypot(se_mc, e.se));
  // b is as informative about a b as a is (the model is symmetric in them).
  const voi::Evppi eb = voi::evppi({&b}, nb, fast());
  CHECK(std::fabs(eb.value - truth) <= 4 * std::hypot(se_mc, eb.se));
}
