// SPDX-License-Identifier: MIT
// Goodness of fit for every sampler engine::Distribution offers (the method of Stan's
// sampler tests): N = 10,000 draws, K = round(2 N^0.4) = 80 equiprobable bins whose edges are
// quantiles computed with boost::math directly (not with the code under test), and the
// chi-square statistic compared with the chi-square(K - 1) quantile at 0.999. With a fixed
// seed the outcome is deterministic; a correct sampler fails with probability 0.001.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/math/distributions/weibull.hpp>

#include "engine/distribution.hpp"
#include "engine/random.hpp"
#include "engine/stats.hpp"

namespace dist = mhsim::engine::dist;
using mhsim::engine::Distribution;

namespace {

constexpr int kDraws = 10000;

// Chi-square statistic of kDraws samples against the reference quantile function.
double chi_square(const Distribution& d, const std::function<double(double)>& reference_quantile,
                  const std::string& purpose) {
  const int k = static_cast<int>(std::lround(2.0 * std::pow(kDraws, 0.4)));
  std::vector<double> edges;
  for (int i = 1; i < k; ++i) edges.push_back(reference_quantile(static_cast<double>(i) / k));
  std::vector<int> counts(static_cast<std::size_t>(k), 0);
  auto rng = mhsim::engine::RandomStreams{20261123, 0}.stream(purpose);
  for (int i = 0; i < kDraws; ++i) {
    const double x = d.sample(rng);
    const auto bin = std::upper_bound(edges.begin(), edges.end(), x) - edges.begin();
    ++counts[static_cast<std::size_t>(bin)];
  }
  const double expected = static_cast<double>(kDraws) / k;
  double stat = 0;
  for (int c : counts) stat += (c - expected) * (c - expected) / expected;
  return stat;
}

double critical() {
  const int k = static_cast<int>(std::lround(2.0 * std::pow(kDraws, 0.4)));
  return boost::math::quantile(boost::math::chi_squared(k - 1), 0.999);
}

}  // namespace

TEST_CASE("Distribution: every sampler passes a chi-square goodness-of-fit test", "[engine][statistical]") {
  namespace bm = boost::math;
  const double crit = critical();
  struct Case {
    std::string name;
    Distribution d;
    std::function<double(double)> q;
  };
  const std::vector<Case> cases = {
      {"exponential", dist::Exponential{2.5}, [](double p) { return bm::quantile(bm::exponential_distribution<>(0.4), p); }},
      {"uniform", dist::Uniform{1.0, 4.0}, [](double p) { return bm::quantile(bm::uniform_distribution<>(1.0, 4.0), p); }},
      {"triangular", dist::Triangular{1.0, 2.0, 7.0},
       [](double p) { return bm::quantile(bm::triangular_distribution<>(1.0, 2.0, 7.0), p); }},
      {"gamma", dist::Gamma{0.7, 3.0}, [](double p) { return bm::quantile(bm::gamma_distribution<>(0.7, 3.0), p); }},
      {"gamma-large-shape", dist::Gamma{9.0, 0.5}, [](double p) { return bm::quantile(bm::gamma_distribution<>(9.0, 0.5), p); }},
      {"erlang", dist::Erlang{3, 6.0}, [](double p) { return bm::quantile(bm::gamma_distribution<>(3.0, 2.0), p); }},
      // lognormal with mean 32 and sd 40 days: sigma^2 = ln(1 + (40/32)^2), mu = ln 32 - sigma^2 / 2
      {"lognormal", dist::Lognormal{32.0, 40.0},
       [](double p) {
         const double s2 = std::log(1.0 + (40.0 / 32.0) * (40.0 / 32.0));
         return bm::quantile(bm::lognormal_distribution<>(std::log(32.0) - s2 / 2, std::sqrt(s2)), p);
       }},
      {"weibull", dist::Weibull{1.5, 10.0}, [](double p) { return bm::quantile(bm::weibull_distribution<>(1.5, 10.0), p); }},
  };
  for (const Case& c : cases) {
    INFO(c.name << ": " << c.d.describe());
    const double stat = chi_square(c.d, c.q, "gof/" + c.name);
    INFO("chi-square " << stat << " vs critical " << crit);
    CHECK(stat < crit);
  }
}

TEST_CASE("Distribution: the test above can fail (a wrong parameter is rejected)", "[engine][statistical]") {
  // Samples from exponential(mean 2.5) tested against mean 2.2: a 12% error in the mean
  // must be detected, or the goodness-of-fit test would have no power.
  namespace bm = boost::math;
  const double stat = chi_square(dist::Exponential{2.5},
                                 [](double p) { return bm::quantile(bm::exponential_distribution<>(1.0 / 2.2), p); },
                                 "gof/power");
  CHECK(stat > critical());
}

TEST_CASE("Distribution: deterministic returns its value", "[engine]") {
  Distribution d = dist::Deterministic{3.25};
  auto rng = mhsim::engine::RandomStreams{1, 0}.stream("d");
  for (int i = 0; i < 10; ++i) CHECK(d.sample(rng) == 3.25);
  CHECK(d.mean() == 3.25);
  CHECK(d.variance() == 0.0);
}

TEST_CASE("Distribution: mean and variance match closed forms and samples", "[engine][statistical]") {
  // Closed forms, worked by hand:
  //   triangular(1, 2, 7): mean 10/3; variance (1 + 49 + 4 - 7 - 2 - 14) / 18 = 31/18
  //   erlang(k 3, mean 6): variance 36/3 = 12
  //   weibull(1, 4) is exponential(mean 4): mean 4, variance 16
  //   gamma(shape 2, scale 3): mean 6, variance 18
  CHECK(Distribution(dist::Triangular{1, 2, 7}).mean() == Approx(10.0 / 3.0));
  CHECK(Distribution(dist::Triangular{1, 2, 7}).variance() == Approx(31.0 / 18.0));
  CHECK(Distribution(dist::Erlang{3, 6.0}).variance() == Approx(12.0));
  CHECK(Distribution(dist::Weibull{1.0, 4.0}).mean() == Approx(4.0));
  CHECK(Distribution(dist::Weibull{1.0, 4.0}).variance() == Approx(16.0));
  CHECK(Distribution(dist::Gamma{2.0, 3.0}).mean() == 6.0);
  CHECK(Distribution(dist::Gamma{2.0, 3.0}).variance() == 18.0);
  CHECK(Distribution(dist::Lognormal{32.0, 40.0}).variance() == 1600.0);

  // Sample means within 4 standard errors (sigma / sqrt(n)); sample variances within 4
  // standard errors of the variance estimate, sqrt((mu4 - sigma^4) / n) bounded here by the
  // sample's own fourth moment. Fixed seed: a false alarm has probability ~6e-5 per check.
  for (const Distribution& d : {Distribution(dist::Gamma{2.0, 3.0}), Distribution(dist::Triangular{1, 2, 7}),
                                Distribution(dist::Weibull{1.5, 10.0}), Distribution(dist::Uniform{0, 1})}) {
    INFO(d.describe());
    auto rng = mhsim::engine::RandomStreams{5, 0}.stream("moments/" + d.describe());
    constexpr int n = 200000;
    mhsim::engine::Tally t, dev4;
    std::vector<double> xs;
    for (int i = 0; i < n; ++i) xs.push_back(d.sample(rng));
    for (double x : xs) t.add(x);
    for (double x : xs) dev4.add(std::pow(x - t.mean(), 4));
    CHECK(std::fabs(t.mean() - d.mean()) < 4.0 * std::sqrt(d.variance() / n));
    const double var_se = std::sqrt((dev4.mean() - t.variance() * t.variance()) / n);
    CHECK(std::fabs(t.variance() - d.variance()) < 4.0 * var_se);
  }
}

TEST_CASE("Distribution: cdf and quantile are inverses", "[engine]") {
  for (const Distribution& d :
       {Distribution(dist::Exponential{2}), Distribution(dist::Gamma{0.7, 3}), Distribution(dist::Lognormal{32, 40}),
        Distribution(dist::Weibull{1.5, 10}), Distribution(dist::Triangular{1, 2, 7}), Distribution(dist::Uniform{1, 4}),
        Distribution(dist::Erlang{3, 6})}) {
    INFO(d.describe());
    for (double p : {0.01, 0.25, 0.5, 0.9, 0.999}) CHECK(d.cdf(d.quantile(p)) == Approx(p).epsilon(1e-9));
  }
}

TEST_CASE("Distribution: samplers pass the same goodness-of-fit test on per-entity streams", "[engine][statistical]") {
  // Draws taken one per entity (the first draw of each of 10,000 people's streams), as a
  // model does for "one decision per person": across people they must be distributed as
  // specified. Same chi-square method and 0.999 critical value as above.
  namespace bm = boost::math;
  const int k = static_cast<int>(std::lround(2.0 * std::pow(kDraws, 0.4)));
  const mhsim::engine::RandomStreams streams{20261123, 0};
  struct Case {
    Distribution d;
    std::function<double(double)> q;
  };
  const std::vector<Case> cases = {
      {dist::Uniform{0.0, 1.0}, [](double p) { return p; }},
      {dist::Exponential{2.5}, [](double p) { return bm::quantile(bm::exponential_distribution<>(0.4), p); }},
      {dist::Gamma{0.7, 3.0}, [](double p) { return bm::quantile(bm::gamma_distribution<>(0.7, 3.0), p); }},
  };
  for (const Case& c : cases) {
    INFO(c.d.describe());
    std::vector<double> edges;
    for (int i = 1; i < k; ++i) edges.push_back(c.q(static_cast<double>(i) / k));
    std::vector<int> counts(static_cast<std::size_t>(k), 0);
    for (std::uint64_t person = 0; person < static_cast<std::uint64_t>(kDraws); ++person) {
      auto rng = streams.entity("decision", person);
      const double x = c.d.sample(rng);
      ++counts[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin())];
    }
    const double expected = static_cast<double>(kDraws) / k;
    double stat = 0;
    for (int n : counts) stat += (n - expected) * (n - expected) / expected;
    CHECK(stat < critical());
  }
}
