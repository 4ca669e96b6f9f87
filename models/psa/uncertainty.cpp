// SPDX-License-Identifier: MIT
#include "models/psa/uncertainty.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/random/normal_distribution.hpp>

#include "engine/random.hpp"
#include "models/psa/uncertainty_schema.hpp"

namespace mhsim::models::psa {

namespace {

// Calls f(boost::math distribution) for a parameter.
template <class F>
auto with_distribution(const UncertainParameter& p, F&& f) {
  const std::vector<double>& a = p.parameters;
  switch (p.distribution) {
    case UncertainDistribution::kBeta: return f(boost::math::beta_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kGamma: return f(boost::math::gamma_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kLognormal: return f(boost::math::lognormal_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kNormal: return f(boost::math::normal_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kUniform: return f(boost::math::uniform_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kTriangular:
      return f(boost::math::triangular_distribution<double>(a.at(0), a.at(1), a.at(2)));
  }
  throw std::logic_error("UncertainParameter: unknown distribution");
}

// The probability a draw is mapped through, away from 0 and 1 so that every quantile is finite.
constexpr double kMinP = 1e-12;

double rounded(const UncertainParameter& p, double v) { return p.integer ? std::round(v) : v; }

}  // namespace

double UncertainParameter::quantile(double p) const {
  return with_distribution(*this, [p](const auto& d) { return boost::math::quantile(d, p); });
}

double UncertainParameter::mean() const {
  return with_distribution(*this, [](const auto& d) { return boost::math::mean(d); });
}

double UncertainParameter::sd() const {
  return with_distribution(*this, [](const auto& d) { return boost::math::standard_deviation(d); });
}

std::vector<double> draw_parameters(const UncertaintySpec& u, std::uint64_t seed, std::uint64_t replication) {
  const std::size_t n = u.parameters.size();
  std::vector<double> out(n);
  if (n == 0) return out;
  engine::Rng rng = engine::RandomStreams(seed, replication).stream("psa");
  boost::random::normal_distribution<double> standard;
  std::vector<double> z(n);
  for (double& x : z) x = standard(rng);
  const bool correlated = u.cholesky.rows() == static_cast<Eigen::Index>(n) &&
                          u.cholesky.cols() == static_cast<Eigen::Index>(n);
  const boost::math::normal_distribution<double> phi;
  for (std::size_t i = 0; i < n; ++i) {
    // x = L z by an explicit loop in a fixed order (not Eigen's product, whose summation
    // order may depend on the build's vector instructions): the same bits everywhere.
    double x = z[i];
    if (correlated) {
      x = 0.0;
      for (std::size_t j = 0; j <= i; ++j) {
        x += u.cholesky(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * z[j];
      }
    }
    const double p = std::clamp(boost::math::cdf(phi, x), kMinP, 1.0 - kMinP);
    out[i] = rounded(u.parameters[i], u.parameters[i].quantile(p));
  }
  return out;
}

// ---- the rules of [uncertainty.<name>] and [[correlation]] ----------------------------------

std::string_view uncertain_parameters_text(std::size_t family) {
  static constexpr std::array<std::string_view, 6> kText = {
      "alpha and beta, or mean and sd", "shape and scale, or mean and sd", "meanlog and sdlog, or mean and sd",
      "mean and sd", "low and high", "low, mode and high"};
  return family < kText.size() ? kText[family] : std::string_view();
}

namespace {

using Written = UncertainParameter::Written;

/// The parameters of a family as the boost distributions take them, from what is written
/// (nothing when a parameter is missing: its rule reports it).
std::optional<std::vector<double>> family_parameters(std::size_t family, const Written& w) {
  const auto all = [](std::initializer_list<std::optional<double>> xs) {
    return std::all_of(xs.begin(), xs.end(), [](const std::optional<double>& x) { return x.has_value(); });
  };
  const bool moments = w.mean.has_value() || w.sd.has_value();
  switch (family) {
    case 0:
      if (!moments) return all({w.alpha, w.beta}) ? std::optional<std::vector<double>>({*w.alpha, *w.beta}) : std::nullopt;
      if (!all({w.mean, w.sd})) return std::nullopt;
      {
        const double c = *w.mean * (1.0 - *w.mean) / (*w.sd * *w.sd) - 1.0;
        return std::vector<double>{*w.mean * c, (1.0 - *w.mean) * c};
      }
    case 1:
      if (!moments) return all({w.shape, w.scale}) ? std::optional<std::vector<double>>({*w.shape, *w.scale}) : std::nullopt;
      if (!all({w.mean, w.sd})) return std::nullopt;
      return std::vector<double>{*w.mean * *w.mean / (*w.sd * *w.sd), *w.sd * *w.sd / *w.mean};
    case 2:
      if (!moments) return all({w.meanlog, w.sdlog}) ? std::optional<std::vector<double>>({*w.meanlog, *w.sdlog}) : std::nullopt;
      if (!all({w.mean, w.sd})) return std::nullopt;
      {
        const double s2 = std::log1p((*w.sd / *w.mean) * (*w.sd / *w.mean));
        return std::vector<double>{std::log(*w.mean) - s2 / 2.0, std::sqrt(s2)};
      }
    case 3: return all({w.mean, w.sd}) ? std::optional<std::vector<double>>({*w.mean, *w.sd}) : std::nullopt;
    case 4: return all({w.low, w.high}) ? std::optional<std::vector<double>>({*w.low, *w.high}) : std::nullopt;
    case 5:
      return all({w.low, w.mode, w.high}) ? std::optional<std::vector<double>>({*w.low, *w.mode, *w.high}) : std::nullopt;
    default: return std::nullopt;
  }
}

}  // namespace

void finish_uncertainty(UncertaintySpec& u) {
  for (UncertainParameter& p : u.parameters) {
    if (p.keys.empty() && !p.key.empty()) p.keys = {p.key};
    if (p.keys.size() > 1 || p.key.empty()) {
      p.key.clear();
      for (const std::string& k : p.keys) p.key += (p.key.empty() ? "" : ", ") + k;
    }
    if (p.family < kUncertainDistributionNames.size()) {
      p.distribution = static_cast<UncertainDistribution>(p.family);
      if (auto params = family_parameters(p.family, p.written)) p.parameters = std::move(*params);
    }
  }
  const std::size_t n = u.parameters.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) index.emplace(u.parameters[i].name, i);
  Eigen::MatrixXd correlation = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (const CorrelationGroup& g : u.groups) {
    for (std::size_t i = 0; i < g.parameters.size(); ++i) {
      for (std::size_t j = 0; j < g.parameters.size(); ++j) {
        const auto a = index.find(g.parameters[i]), b = index.find(g.parameters[j]);
        if (a == index.end() || b == index.end() || i >= g.matrix.size() || j >= g.matrix[i].size()) continue;
        correlation(static_cast<Eigen::Index>(a->second), static_cast<Eigen::Index>(b->second)) = g.matrix[i][j];
      }
    }
  }
  u.correlation.resize(0, 0);
  u.cholesky.resize(0, 0);
  if (n > 0) {
    // Groups are disjoint blocks, each positive definite, so the whole matrix is too.
    const Eigen::LLT<Eigen::MatrixXd> llt(correlation);
    u.cholesky = llt.matrixL();
    u.correlation = std::move(correlation);
  }
}

}  // namespace mhsim::models::psa
