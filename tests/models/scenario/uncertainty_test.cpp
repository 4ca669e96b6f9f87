// SPDX-License-Identifier: MIT
// Probabilistic sensitivity analysis: each family's quantiles against hand values, its draws
// against its mean and SD, the Gaussian copula's correlation, draws that depend on (seed,
// replication) only, the method-of-moments parameters the loader derives, and
// with_parameters changing exactly the named keys. Statistical tolerances are 4 Monte Carlo
// standard errors, so a correct sampler fails a check with probability about 6e-5.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>

#include "engine/random.hpp"
#include "engine/stats.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/uncertainty.hpp"
#include "models/scenario/psa_fixtures.hpp"

namespace sc = mhsim::scenario;
namespace pw = mhsim::models::pathway;
using sc::UncertainDistribution;
using sc::UncertainParameter;
using sc::UncertaintySpec;

namespace {

UncertainParameter parameter(const std::string& name, UncertainDistribution d, std::vector<double> params) {
  UncertainParameter p;
  p.name = name;
  p.key = "test." + name;
  p.distribution = d;
  p.parameters = std::move(params);
  return p;
}

// Full kurtosis E[(X - mu)^4] / sigma^4 of a parameter's distribution (boost::math).
double kurtosis_of(const UncertainParameter& p) {
  const auto& a = p.parameters;
  switch (p.distribution) {
    case UncertainDistribution::kBeta: return boost::math::kurtosis(boost::math::beta_distribution<double>(a[0], a[1]));
    case UncertainDistribution::kGamma: return boost::math::kurtosis(boost::math::gamma_distribution<double>(a[0], a[1]));
    case UncertainDistribution::kLognormal:
      return boost::math::kurtosis(boost::math::lognormal_distribution<double>(a[0], a[1]));
    case UncertainDistribution::kNormal: return 3.0;
    case UncertainDistribution::kUniform: return 1.8;
    case UncertainDistribution::kTriangular:
      return boost::math::kurtosis(boost::math::triangular_distribution<double>(a[0], a[1], a[2]));
  }
  return 0;
}

// F(x) of a parameter's distribution, for normal scores.
double cdf_of(const UncertainParameter& p, double x) {
  const auto& a = p.parameters;
  switch (p.distribution) {
    case UncertainDistribution::kBeta: return boost::math::cdf(boost::math::beta_distribution<double>(a[0], a[1]), x);
    case UncertainDistribution::kGamma: return boost::math::cdf(boost::math::gamma_distribution<double>(a[0], a[1]), x);
    case UncertainDistribution::kLognormal:
      return boost::math::cdf(boost::math::lognormal_distribution<double>(a[0], a[1]), x);
    case UncertainDistribution::kNormal: return boost::math::cdf(boost::math::normal_distribution<double>(a[0], a[1]), x);
    case UncertainDistribution::kUniform: return boost::math::cdf(boost::math::uniform_distribution<double>(a[0], a[1]), x);
    case UncertainDistribution::kTriangular:
      return boost::math::cdf(boost::math::triangular_distribution<double>(a[0], a[1], a[2]), x);
  }
  return 0;
}

UncertaintySpec six_families() {
  UncertaintySpec u;
  u.parameters = {
      parameter("beta", UncertainDistribution::kBeta, {9, 11}),
      parameter("gamma", UncertainDistribution::kGamma, {4, 25}),
      parameter("lognormal", UncertainDistribution::kLognormal, {1, 0.5}),
      parameter("normal", UncertainDistribution::kNormal, {-3, 2}),
      parameter("uniform", UncertainDistribution::kUniform, {2, 6}),
      parameter("triangular", UncertainDistribution::kTriangular, {1, 2, 6}),
  };
  const auto n = static_cast<Eigen::Index>(u.parameters.size());
  u.correlation = Eigen::MatrixXd::Identity(n, n);
  u.cholesky = Eigen::MatrixXd::Identity(n, n);
  return u;
}

bool same_arm(const pw::ArmResult& a, const pw::ArmResult& b) {
  return a.activity == b.activity && a.cost == b.cost && a.partner_cost == b.partner_cost && a.system == b.system &&
         a.service == b.service && a.goals == b.goals && a.arrived == b.arrived && a.exited == b.exited &&
         a.in_system == b.in_system && a.events == b.events && a.person_days == b.person_days;
}

bool same_result(const pw::PathwayResult& a, const pw::PathwayResult& b) {
  if (a.arms.size() != b.arms.size()) return false;
  for (std::size_t i = 0; i < a.arms.size(); ++i) {
    if (!same_arm(a.arms[i], b.arms[i])) return false;
  }
  return true;
}

/// `text` with the first occurrence of `from` replaced by `to` (which must exist).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("Uncertainty: quantiles of each family match hand-computed values", "[scenario]") {
  // Hand values: Phi^-1(0.975) = 1.959963984540054; uniform and triangular by their linear
  // and quadratic CDFs; Gamma(1, 2) is exponential with mean 2, so F^-1(p) = -2 ln(1 - p);
  // Beta(2, 1) has F(x) = x^2; a lognormal's median is exp(meanlog).
  CHECK(parameter("n", UncertainDistribution::kNormal, {0, 1}).quantile(0.975) == Approx(1.959963984540054).epsilon(1e-13));
  CHECK(parameter("n", UncertainDistribution::kNormal, {10, 2}).quantile(0.5) == Approx(10).epsilon(1e-15));
  CHECK(parameter("u", UncertainDistribution::kUniform, {2, 6}).quantile(0.25) == Approx(3).epsilon(1e-15));
  CHECK(parameter("t", UncertainDistribution::kTriangular, {0, 1, 2}).quantile(0.5) == Approx(1).epsilon(1e-14));
  CHECK(parameter("t", UncertainDistribution::kTriangular, {0, 1, 2}).quantile(0.125) == Approx(0.5).epsilon(1e-14));
  CHECK(parameter("g", UncertainDistribution::kGamma, {1, 2}).quantile(0.5) == Approx(2 * std::log(2.0)).epsilon(1e-13));
  CHECK(parameter("g", UncertainDistribution::kGamma, {1, 2}).quantile(0.9) == Approx(-2 * std::log(0.1)).epsilon(1e-13));
  CHECK(parameter("b", UncertainDistribution::kBeta, {2, 1}).quantile(0.25) == Approx(0.5).epsilon(1e-13));
  CHECK(parameter("b", UncertainDistribution::kBeta, {1, 1}).quantile(0.3) == Approx(0.3).epsilon(1e-13));
  CHECK(parameter("l", UncertainDistribution::kLognormal, {0.7, 0.4}).quantile(0.5) == Approx(std::exp(0.7)).epsilon(1e-13));
  CHECK(parameter("l", UncertainDistribution::kLognormal, {0, 1}).quantile(0.975) ==
        Approx(std::exp(1.959963984540054)).epsilon(1e-12));
  // Means and SDs by the closed forms: Beta(9, 11) 0.45 and sqrt(ab / ((a+b)^2 (a+b+1)));
  // triangular (a + c + b) / 3.
  CHECK(parameter("b", UncertainDistribution::kBeta, {9, 11}).mean() == Approx(0.45));
  CHECK(parameter("b", UncertainDistribution::kBeta, {9, 11}).sd() == Approx(std::sqrt(99.0 / (400.0 * 21.0))));
  CHECK(parameter("t", UncertainDistribution::kTriangular, {1, 2, 6}).mean() == Approx(3));
  CHECK(parameter("g", UncertainDistribution::kGamma, {4, 25}).sd() == Approx(50));
}

TEST_CASE("Uncertainty: draws of each family have its mean and SD", "[scenario][statistical]") {
  const UncertaintySpec u = six_families();
  constexpr std::uint64_t n = 20000;
  std::vector<mhsim::engine::Tally> t(u.parameters.size());
  for (std::uint64_t r = 0; r < n; ++r) {
    const std::vector<double> v = sc::draw_parameters(u, 20261123, r);
    for (std::size_t i = 0; i < v.size(); ++i) t[i].add(v[i]);
  }
  for (std::size_t i = 0; i < u.parameters.size(); ++i) {
    const UncertainParameter& p = u.parameters[i];
    INFO(p.name << ": sample mean " << t[i].mean() << ", sd " << t[i].stddev() << "; expected " << p.mean() << ", "
                << p.sd());
    // 4 Monte Carlo standard errors: SE(mean) = sd / sqrt(n); SE(sd) = sd sqrt((kurtosis - 1) / (4n)),
    // the delta method on the sample variance.
    const double se_mean = p.sd() / std::sqrt(static_cast<double>(n));
    const double se_sd = p.sd() * std::sqrt((kurtosis_of(p) - 1.0) / (4.0 * static_cast<double>(n)));
    CHECK(std::fabs(t[i].mean() - p.mean()) <= 4 * se_mean);
    CHECK(std::fabs(t[i].stddev() - p.sd()) <= 4 * se_sd);
  }
}

TEST_CASE("Uncertainty: the Gaussian copula gives the stated correlation of normal scores", "[scenario][statistical]") {
  const sc::PathwayScenario s = sc::parse_pathway_scenario(mhsim::test::minimal_with_uncertainty(), "psa.toml");
  const UncertaintySpec& u = s.uncertainty;
  REQUIRE(u.parameters.size() == 5);
  REQUIRE(u.parameters[0].name == "diversion");
  REQUIRE(u.parameters[1].name == "step_down");
  CHECK(u.correlation(0, 1) == 0.5);
  CHECK(u.correlation(1, 0) == 0.5);
  CHECK(u.correlation(0, 2) == 0.0);
  CHECK(u.correlation(4, 4) == 1.0);
  CHECK((u.cholesky * u.cholesky.transpose() - u.correlation).cwiseAbs().maxCoeff() < 1e-15);

  constexpr std::uint64_t n = 20000;
  const boost::math::normal_distribution<double> phi;
  double sxy = 0, sxx = 0, syy = 0, sx = 0, sy = 0, sz = 0, sxz = 0, szz = 0;
  for (std::uint64_t r = 0; r < n; ++r) {
    const std::vector<double> v = sc::draw_parameters(u, 7, r);
    const double x = boost::math::quantile(phi, cdf_of(u.parameters[0], v[0]));
    const double y = boost::math::quantile(phi, cdf_of(u.parameters[1], v[1]));
    const double z = boost::math::quantile(phi, cdf_of(u.parameters[4], v[4]));
    sx += x, sy += y, sz += z, sxy += x * y, sxx += x * x, syy += y * y, sxz += x * z, szz += z * z;
  }
  const double m = static_cast<double>(n);
  const double rho_xy = (sxy - sx * sy / m) / std::sqrt((sxx - sx * sx / m) * (syy - sy * sy / m));
  const double rho_xz = (sxz - sx * sz / m) / std::sqrt((sxx - sx * sx / m) * (szz - sz * sz / m));
  // SE of a sample correlation ~ (1 - rho^2) / sqrt(n); 4 of them.
  INFO("correlation of normal scores: " << rho_xy << " (stated 0.5), " << rho_xz << " (independent)");
  CHECK(std::fabs(rho_xy - 0.5) <= 4 * (1 - 0.25) / std::sqrt(m));
  CHECK(std::fabs(rho_xz) <= 4 / std::sqrt(m));
}

TEST_CASE("Uncertainty: draws depend on (seed, replication) only", "[scenario][reproducibility]") {
  const UncertaintySpec u = six_families();
  std::vector<std::vector<double>> forward, backward(10);
  for (std::uint64_t r = 0; r < 10; ++r) forward.push_back(sc::draw_parameters(u, 42, r));
  for (std::uint64_t r = 10; r-- > 0;) backward[r] = sc::draw_parameters(u, 42, r);
  CHECK(forward == backward);
  CHECK(sc::draw_parameters(u, 42, 3) == forward[3]);  // and again, after other draws
  CHECK(sc::draw_parameters(u, 43, 3) != forward[3]);
  CHECK(forward[3] != forward[4]);
  // The "psa" stream is its own: drawing it does not depend on any other stream's use.
  const mhsim::engine::RandomStreams streams(42, 3);
  (void)streams.stream("arrivals")();
  CHECK(sc::draw_parameters(u, 42, 3) == forward[3]);
  // Every value comes from its family's support.
  for (const auto& v : forward) {
    CHECK((v[0] > 0 && v[0] < 1));
    CHECK(v[1] > 0);
    CHECK(v[2] > 0);
    CHECK((v[4] >= 2 && v[4] <= 6));
    CHECK((v[5] >= 1 && v[5] <= 6));
  }
}

TEST_CASE("Uncertainty: the loader reads the parameters, their base values and method-of-moments inputs",
          "[scenario]") {
  const std::string text = mhsim::test::minimal_with_uncertainty() + R"(
[uncertainty.gamma_direct]
key = "services.cmht.cost_per_contact"
distribution = "gamma"
shape = 4
scale = 37.5
source = "assumption"

[uncertainty.lognormal_moments]
key = "services.crisis.cost_per_episode"
distribution = "lognormal"
mean = 2000
sd = 500
source = "assumption"

[uncertainty.lognormal_direct]
key = "services.acute.cost_per_day"
distribution = "lognormal"
meanlog = 6.1
sdlog = 0.1
source = "assumption"

[uncertainty.beta_direct]
key = "arms.alliance.gatekeeping"
distribution = "beta"
alpha = 2
beta = 8
source = "[SEED 000] a test"
)";
  const sc::PathwayScenario s = sc::parse_pathway_scenario(text, "psa.toml");
  const auto& ps = s.uncertainty.parameters;
  REQUIRE(ps.size() == 9);
  const auto find = [&](const std::string& name) -> const UncertainParameter& {
    const auto it = std::find_if(ps.begin(), ps.end(), [&](const UncertainParameter& p) { return p.name == name; });
    REQUIRE(it != ps.end());
    return *it;
  };
  // File order, keys, bases, provenance.
  CHECK(ps[0].name == "diversion");
  CHECK(ps[8].name == "beta_direct");
  CHECK(ps[0].key == "arms.alliance.front_door_diversion");
  CHECK(ps[0].base == 0.3);
  CHECK(ps[8].source == "[SEED 000] a test");
  CHECK(find("stock").base == 15);
  CHECK(find("change").base == 2);
  // Only keys the loader reads as integers are rounded: in_service, not a WEMWBS mean
  // written as 2.
  CHECK(find("stock").integer);
  CHECK_FALSE(find("change").integer);
  CHECK_FALSE(find("gp_cost").integer);
  // Method of moments gives the stated mean and SD.
  CHECK(find("diversion").mean() == Approx(0.3).epsilon(1e-12));
  CHECK(find("diversion").sd() == Approx(0.1).epsilon(1e-12));
  CHECK(find("gp_cost").mean() == Approx(39).epsilon(1e-12));
  CHECK(find("gp_cost").sd() == Approx(6).epsilon(1e-12));
  CHECK(find("lognormal_moments").mean() == Approx(2000).epsilon(1e-12));
  CHECK(find("lognormal_moments").sd() == Approx(500).epsilon(1e-12));
  // Parameters given directly are kept as given.
  CHECK(find("gamma_direct").parameters == std::vector<double>{4, 37.5});
  CHECK(find("lognormal_direct").parameters == std::vector<double>{6.1, 0.1});
  CHECK(find("beta_direct").parameters == std::vector<double>{2, 8});
  CHECK(find("step_down").parameters == std::vector<double>{1, 1.5, 2});
  CHECK(find("beta_direct").distribution == UncertainDistribution::kBeta);
  // Parameters outside correlation groups are independent.
  CHECK(s.uncertainty.correlation.rows() == 9);
  CHECK(s.uncertainty.correlation(8, 0) == 0.0);

  // A file without uncertainty has none.
  CHECK(sc::parse_pathway_scenario(mhsim::test::minimal_text(), "m.toml").uncertainty.empty());
}

TEST_CASE("Uncertainty: with_parameters changes exactly the named keys, rounding integer keys", "[scenario]") {
  const std::string text = mhsim::test::minimal_with_uncertainty();
  const sc::PathwayScenario s = sc::parse_pathway_scenario(text, "psa.toml");
  const mhsim::engine::RandomStreams streams(99, 4);
  const pw::PathwayResult base_result = pw::simulate_pathway(s.spec, streams);

  SECTION("base values give the scenario as written") {
    std::vector<double> base;
    for (const UncertainParameter& p : s.uncertainty.parameters) base.push_back(p.base);
    const sc::PathwayScenario same = sc::with_parameters(s, base);
    CHECK(same_result(pw::simulate_pathway(same.spec, streams), base_result));
    CHECK(same.text == s.text);
    CHECK(same.file == s.file);
  }

  SECTION("other values change those keys and nothing else") {
    // diversion, step_down, stock (an integer key: 17.6 -> 18), change (2.5 is not rounded), gp_cost
    const std::vector<double> values = {0.37, 1.25, 17.6, 2.5, 41.5};
    const sc::PathwayScenario v = sc::with_parameters(s, values);
    CHECK(v.spec.arms[1].front_door_diversion == 0.37);
    CHECK(v.spec.arms[1].step_down_speed == 1.25);
    CHECK(v.spec.initial[0].in_service == 18);
    CHECK(v.spec.services[1].wemwbs_change.mean == 2.5);
    CHECK(v.spec.services[0].cost_per_contact == 41.5);
    CHECK(v.text == s.text);
    CHECK(v.uncertainty.parameters.size() == 5);
    // The same file with those numbers written in gives the same simulation, bit for bit:
    // with_parameters changed no other field.
    std::string edited = replaced(text, "front_door_diversion = 0.3 ", "front_door_diversion = 0.37 ");
    edited = replaced(edited, "step_down_speed = 1.5 ", "step_down_speed = 1.25 ");
    edited = replaced(edited, "in_service = 15 ", "in_service = 18 ");
    edited = replaced(edited, "wemwbs_change = { mean = 2, sd = 4 }", "wemwbs_change = { mean = 2.5, sd = 4 }");
    edited = replaced(edited, "cost_per_contact = 39 ", "cost_per_contact = 41.5 ");
    const sc::PathwayScenario by_hand = sc::parse_pathway_scenario(edited, "psa.toml");
    const pw::PathwayResult result = pw::simulate_pathway(v.spec, streams);
    CHECK(same_result(result, pw::simulate_pathway(by_hand.spec, streams)));
    CHECK_FALSE(same_result(result, base_result));
    // The original is untouched.
    CHECK(s.spec.arms[1].front_door_diversion == 0.3);
    CHECK(same_result(pw::simulate_pathway(s.spec, streams), base_result));
  }

  SECTION("values that break the scenario are reported, naming every parameter") {
    try {
      (void)sc::with_parameters(s, {1.5, 1.5, 15, 2, 39});
      FAIL("no error");
    } catch (const sc::ScenarioError& e) {
      const auto& d = e.diagnostics();
      REQUIRE(d.size() == 2);
      CHECK(d[0].key == "arms.alliance.front_door_diversion");
      CHECK(d[0].expected == "a number in [0, 1]");
      CHECK(d[0].got == "1.5");
      CHECK(d[0].line > 0);
      CHECK(d[1].key == "uncertainty");
      CHECK(d[1].got ==
            "diversion (arms.alliance.front_door_diversion) = 1.5, step_down (arms.alliance.step_down_speed) = 1.5, "
            "stock (initial[0].in_service) = 15, change (services.therapy.wemwbs_change.mean) = 2, "
            "gp_cost (services.gp.cost_per_contact) = 39");
    }
    CHECK_THROWS_AS(sc::with_parameters(s, {0.3}), std::invalid_argument);
  }

  SECTION("drawn values are the ones with_parameters writes") {
    for (std::uint64_t r = 0; r < 5; ++r) {
      const std::vector<double> v = sc::draw_parameters(s.uncertainty, 20260101, r);
      CHECK(v[2] == std::round(v[2]));  // the integer key's value is whole
      const sc::PathwayScenario d = sc::with_parameters(s, v);
      CHECK(d.spec.arms[1].front_door_diversion == v[0]);
      CHECK(d.spec.initial[0].in_service == static_cast<std::uint64_t>(v[2]));
    }
  }
}
