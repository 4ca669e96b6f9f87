// SPDX-License-Identifier: MIT
// engine::standard_gamma (Marsaglia and Tsang) and engine::draw_beta against boost::math's
// CDFs, which share no code with them. The goodness-of-fit recipe is distribution_test.cpp's
// at a larger N, since these samplers carry most of the model's draws: N = 100,000 draws,
// K = round(2 N^0.4) = 200 equiprobable bins cut at boost::math quantiles, and Pearson's
// statistic against the chi-square(K - 1) quantile at 0.999. A correct sampler fails one check
// with probability 0.001; the seeds are fixed, so each outcome is deterministic. The shapes
// straddle every branch of the sampler: below 1 (boosted from shape + 1), exactly 1 (the
// exponential), just above 1 (d = 2/3, where the squeeze accepts least often) and large.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/non_central_chi_squared.hpp>

#include "engine/gamma.hpp"
#include "engine/random.hpp"

namespace bm = boost::math;
using mhsim::engine::RandomStreams;

namespace {

constexpr std::uint64_t kSeed = 20261207;
constexpr std::size_t kDraws = 100000;

std::size_t bins() { return static_cast<std::size_t>(std::lround(2.0 * std::pow(static_cast<double>(kDraws), 0.4))); }

double critical_value() { return bm::quantile(bm::chi_squared_distribution<>(static_cast<double>(bins() - 1)), 0.999); }

std::vector<double> edges(const std::function<double(double)>& quantile) {
  std::vector<double> e;
  for (std::size_t i = 1; i < bins(); ++i) e.push_back(quantile(static_cast<double>(i) / static_cast<double>(bins())));
  return e;
}

double chi_square(const std::function<double()>& draw, const std::function<double(double)>& quantile) {
  const std::vector<double> e = edges(quantile);
  std::vector<std::size_t> counts(bins(), 0);
  for (std::size_t i = 0; i < kDraws; ++i) {
    ++counts[static_cast<std::size_t>(std::upper_bound(e.begin(), e.end(), draw()) - e.begin())];
  }
  const double expected = static_cast<double>(kDraws) / static_cast<double>(bins());
  double stat = 0.0;
  for (const std::size_t c : counts) stat += (static_cast<double>(c) - expected) * (static_cast<double>(c) - expected) / expected;
  return stat;
}

const std::vector<double> kShapes = {0.05, 0.3, 0.7, 0.999, 1.0, 1.001, 1.5, 1.5625, 2.7778, 6.25, 44.444, 1000.0};

}  // namespace

TEST_CASE("standard_gamma: the recipe's K and critical value", "[engine][statistical]") {
  // 2 x 100000^0.4 = 2 x 100 = 200 bins, 199 degrees of freedom. Wilson-Hilferty with the
  // normal 0.999 quantile z = 3.090232: 199 (1 - 2/1791 + z sqrt(2/1791))^3 = 199 x 1.10215^3
  // = 266.4 (to ~0.1%).
  CHECK(bins() == 200);
  const double nu = 199.0;
  CHECK(critical_value() == Approx(nu * std::pow(1.0 - 2.0 / (9.0 * nu) + 3.090232 * std::sqrt(2.0 / (9.0 * nu)), 3.0))
                                .epsilon(0.003));
}

TEST_CASE("standard_gamma: chi-square goodness of fit at every branch, on both generators", "[engine][statistical]") {
  const double crit = critical_value();
  const RandomStreams streams{kSeed, 0};
  for (const double shape : kShapes) {
    const bm::gamma_distribution<> ref(shape, 1.0);
    const auto quantile = [&](double p) { return bm::quantile(ref, p); };
    mhsim::engine::Rng mt = streams.stream("gamma/" + std::to_string(shape));
    const double s_mt = chi_square([&] { return mhsim::engine::standard_gamma(mt, shape); }, quantile);
    mhsim::engine::EntityRng entity = streams.entity("gamma/" + std::to_string(shape), 0);
    const double s_entity = chi_square([&] { return mhsim::engine::standard_gamma(entity, shape); }, quantile);
    // One draw per entity, as the model draws once per person and decision.
    std::uint64_t person = 0;
    const double s_first = chi_square([&] {
      mhsim::engine::EntityRng first = streams.entity("gamma/first/" + std::to_string(shape), person++);
      return mhsim::engine::standard_gamma(first, shape);
    }, quantile);
    INFO("shape " << shape << ": chi-square mt19937_64 " << s_mt << ", entity " << s_entity << ", first draws "
                  << s_first << "; critical " << crit);
    CHECK(s_mt < crit);
    CHECK(s_entity < crit);
    CHECK(s_first < crit);
  }
}

TEST_CASE("standard_gamma: sample mean and variance within 4 standard errors", "[engine][statistical]") {
  // Gamma(k, 1): mean k, variance k, fourth central moment 3k^2 + 6k. The standard error of the
  // sample mean is sqrt(k / N); of the sample variance sqrt((mu4 - k^2) / N) = sqrt((2k^2 + 6k) / N).
  const RandomStreams streams{kSeed, 1};
  for (const double k : kShapes) {
    mhsim::engine::EntityRng rng = streams.entity("gamma/moments", static_cast<std::uint64_t>(k * 1000));
    double sum = 0, sum2 = 0;
    std::size_t bad = 0;  // negative, infinite or NaN draws
    for (std::size_t i = 0; i < kDraws; ++i) {
      const double x = mhsim::engine::standard_gamma(rng, k);
      if (!(x >= 0.0 && std::isfinite(x))) ++bad;
      sum += x;
      sum2 += x * x;
    }
    CHECK(bad == 0);
    const double n = static_cast<double>(kDraws);
    const double mean = sum / n, var = (sum2 - n * mean * mean) / (n - 1);
    INFO("shape " << k << ": mean " << mean << ", variance " << var);
    CHECK(std::abs(mean - k) < 4.0 * std::sqrt(k / n));
    CHECK(std::abs(var - k) < 4.0 * std::sqrt((2 * k * k + 6 * k) / n));
  }
}

TEST_CASE("draw_gamma scales, draw_beta is X / (X + Y) of two gammas", "[engine][statistical]") {
  const double crit = critical_value();
  const RandomStreams streams{kSeed, 2};
  SECTION("gamma(2.7778, scale 36) is 36 x gamma(2.7778, 1)") {
    mhsim::engine::EntityRng a = streams.entity("scale", 0), b = streams.entity("scale", 0);
    for (int i = 0; i < 1000; ++i) CHECK(mhsim::engine::draw_gamma(a, 2.7778, 36.0) == mhsim::engine::standard_gamma(b, 2.7778) * 36.0);
  }
  SECTION("beta fits boost::math's beta, shapes below, at and above 1") {
    const std::vector<std::pair<double, double>> shapes = {{2, 8}, {4, 4}, {6, 3}, {1, 9}, {0.5, 0.5}, {0.3, 2.5}};
    for (const auto& [a, b] : shapes) {
      const bm::beta_distribution<> ref(a, b);
      std::uint64_t person = 0;
      const std::string name = "beta/" + std::to_string(a) + "/" + std::to_string(b);
      const double stat = chi_square([&] {
        mhsim::engine::EntityRng rng = streams.entity(name, person++);
        return mhsim::engine::draw_beta(rng, a, b);
      }, [&](double p) { return bm::quantile(ref, p); });
      INFO("beta(" << a << ", " << b << "): chi-square " << stat << ", critical " << crit);
      CHECK(stat < crit);
    }
  }
}

TEST_CASE("standard_gamma: the test has power against a 3% error in the shape", "[engine][statistical]") {
  // A sampler of Gamma(2) judged against Gamma(2.06): the statistic is noncentral chi-square(K - 1)
  // with noncentrality N K sum_i (p_i - 1/K)^2, p_i the Gamma(2) probability of bin i of
  // Gamma(2.06)'s cuts. Worked here with boost::math, and the power required to exceed
  // 1 - 1e-6 before the observed statistic is required to exceed the critical value.
  const double crit = critical_value();
  const bm::gamma_distribution<> truth(2.0, 1.0), wrong(2.06, 1.0);
  const std::vector<double> e = edges([&](double p) { return bm::quantile(wrong, p); });
  double lambda = 0, below = 0;
  const double k = static_cast<double>(bins());
  for (std::size_t i = 0; i <= e.size(); ++i) {
    const double upto = i < e.size() ? bm::cdf(truth, e[i]) : 1.0;
    lambda += (upto - below - 1.0 / k) * (upto - below - 1.0 / k);
    below = upto;
  }
  lambda *= static_cast<double>(kDraws) * k;
  const double power = bm::cdf(bm::complement(bm::non_central_chi_squared_distribution<>(k - 1.0, lambda), crit));
  INFO("noncentrality " << lambda << ", power " << power);
  REQUIRE(power > 1.0 - 1e-6);
  mhsim::engine::EntityRng rng = RandomStreams{kSeed, 3}.entity("gamma/power", 0);
  const double stat = chi_square([&] { return mhsim::engine::standard_gamma(rng, 2.0); },
                                 [&](double p) { return bm::quantile(wrong, p); });
  INFO("chi-square " << stat << ", critical " << crit);
  CHECK(stat > crit);
}
