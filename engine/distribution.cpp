// SPDX-License-Identifier: MIT
#include "engine/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <boost/random/weibull_distribution.hpp>

#include "engine/gamma.hpp"

namespace mhsim::engine {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Log-scale parameters of a lognormal with the given mean and standard deviation.
struct LogParams {
  double mu, sigma;
};
LogParams log_params(const dist::Lognormal& d) {
  const double s2 = std::log1p((d.sd * d.sd) / (d.mean * d.mean));
  return {std::log(d.mean) - 0.5 * s2, std::sqrt(s2)};
}

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

namespace {
template <class Generator>
double draw(const Distribution::Variant& v, Generator& rng) {
  return std::visit(
      Overloaded{
          [&](const dist::Exponential& d) {
            return boost::random::exponential_distribution<double>(1.0 / d.mean)(rng);
          },
          [&](const dist::Deterministic& d) { return d.value; },
          [&](const dist::Uniform& d) {
            return boost::random::uniform_real_distribution<double>(d.min, d.max)(rng);
          },
          [&](const dist::Triangular& d) {
            return boost::random::triangle_distribution<double>(d.min, d.mode, d.max)(rng);
          },
          [&](const dist::Gamma& d) {
            return draw_gamma(rng, d.shape, d.scale);
          },
          [&](const dist::Erlang& d) {
            return draw_gamma(rng, d.k, d.mean / d.k);
          },
          [&](const dist::Lognormal& d) {
            const LogParams p = log_params(d);
            return boost::random::lognormal_distribution<double>(p.mu, p.sigma)(rng);
          },
          [&](const dist::Weibull& d) {
            return boost::random::weibull_distribution<double>(d.shape, d.scale)(rng);
          },
      },
      v);
}
}  // namespace

namespace {
template <class Generator>
double draw_length_biased(const Distribution::Variant& v, Generator& rng) {
  return std::visit(
      Overloaded{
          [&](const dist::Exponential& d) { return draw_gamma(rng, 2.0, d.mean); },
          [&](const dist::Deterministic& d) { return d.value; },
          [&](const dist::Uniform& d) {
            const double u = boost::random::uniform_real_distribution<double>(0.0, 1.0)(rng);
            return std::sqrt(d.min * d.min + u * (d.max * d.max - d.min * d.min));
          },
          [&](const dist::Triangular& d) {
            if (!(d.max > 0.0)) return 0.0;
            boost::random::triangle_distribution<double> tri(d.min, d.mode, d.max);
            boost::random::uniform_real_distribution<double> accept(0.0, d.max);
            while (true) {
              const double x = tri(rng);
              if (accept(rng) < x) return x;  // accepted with probability x / max
            }
          },
          [&](const dist::Gamma& d) {
            return draw_gamma(rng, d.shape + 1.0, d.scale);
          },
          [&](const dist::Erlang& d) {
            return draw_gamma(rng, d.k + 1.0, d.mean / d.k);
          },
          [&](const dist::Lognormal& d) {
            const LogParams p = log_params(d);
            return boost::random::lognormal_distribution<double>(p.mu + p.sigma * p.sigma, p.sigma)(rng);
          },
          [&](const dist::Weibull& d) {
            const double g = standard_gamma(rng, 1.0 + 1.0 / d.shape);
            return d.scale * std::pow(g, 1.0 / d.shape);
          },
      },
      v);
}
}  // namespace

double Distribution::sample(Rng& rng) const { return draw(v_, rng); }
double Distribution::sample(EntityRng& rng) const { return draw(v_, rng); }
double Distribution::sample_length_biased(Rng& rng) const { return draw_length_biased(v_, rng); }
double Distribution::sample_length_biased(EntityRng& rng) const { return draw_length_biased(v_, rng); }

double Distribution::mean() const {
  return std::visit(
      Overloaded{
          [](const dist::Exponential& d) { return d.mean; },
          [](const dist::Deterministic& d) { return d.value; },
          [](const dist::Uniform& d) { return 0.5 * (d.min + d.max); },
          [](const dist::Triangular& d) { return (d.min + d.mode + d.max) / 3.0; },
          [](const dist::Gamma& d) { return d.shape * d.scale; },
          [](const dist::Erlang& d) { return d.mean; },
          [](const dist::Lognormal& d) { return d.mean; },
          [](const dist::Weibull& d) { return d.scale * std::tgamma(1.0 + 1.0 / d.shape); },
      },
      v_);
}

double Distribution::variance() const {
  return std::visit(
      Overloaded{
          [](const dist::Exponential& d) { return d.mean * d.mean; },
          [](const dist::Deterministic&) { return 0.0; },
          [](const dist::Uniform& d) { return (d.max - d.min) * (d.max - d.min) / 12.0; },
          [](const dist::Triangular& d) {
            const double a = d.min, c = d.mode, b = d.max;
            return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
          },
          [](const dist::Gamma& d) { return d.shape * d.scale * d.scale; },
          [](const dist::Erlang& d) { return d.mean * d.mean / d.k; },
          [](const dist::Lognormal& d) { return d.sd * d.sd; },
          [](const dist::Weibull& d) {
            const double g1 = std::tgamma(1.0 + 1.0 / d.shape);
            const double g2 = std::tgamma(1.0 + 2.0 / d.shape);
            return d.scale * d.scale * (g2 - g1 * g1);
          },
      },
      v_);
}

bool Distribution::well_defined() const {
  const double m = mean(), v = variance();
  if (!std::isfinite(m) || !std::isfinite(v) || !(m >= 0) || !(v >= 0)) return false;
  if (const auto* d = std::get_if<dist::Lognormal>(&v_)) {
    const LogParams p = log_params(*d);
    return std::isfinite(p.mu) && std::isfinite(p.sigma) && std::isfinite(p.mu + p.sigma * p.sigma);
  }
  return true;
}

double Distribution::cdf(double x) const {
  namespace bm = boost::math;
  return std::visit(
      Overloaded{
          [&](const dist::Exponential& d) {
            return x <= 0 ? 0.0 : bm::cdf(bm::exponential_distribution<>(1.0 / d.mean), x);
          },
          [&](const dist::Deterministic& d) { return x < d.value ? 0.0 : 1.0; },
          [&](const dist::Uniform& d) {
            return bm::cdf(bm::uniform_distribution<>(d.min, d.max), std::clamp(x, d.min, d.max));
          },
          [&](const dist::Triangular& d) {
            return bm::cdf(bm::triangular_distribution<>(d.min, d.mode, d.max),
                           std::clamp(x, d.min, d.max));
          },
          [&](const dist::Gamma& d) {
            return x <= 0 ? 0.0 : bm::cdf(bm::gamma_distribution<>(d.shape, d.scale), x);
          },
          [&](const dist::Erlang& d) {
            return x <= 0 ? 0.0 : bm::cdf(bm::gamma_distribution<>(d.k, d.mean / d.k), x);
          },
          [&](const dist::Lognormal& d) {
            const LogParams p = log_params(d);
            return x <= 0 ? 0.0 : bm::cdf(bm::lognormal_distribution<>(p.mu, p.sigma), x);
          },
          [&](const dist::Weibull& d) {
            return x <= 0 ? 0.0 : bm::cdf(bm::weibull_distribution<>(d.shape, d.scale), x);
          },
      },
      v_);
}

double Distribution::quantile(double p) const {
  namespace bm = boost::math;
  return std::visit(
      Overloaded{
          [&](const dist::Exponential& d) {
            return bm::quantile(bm::exponential_distribution<>(1.0 / d.mean), p);
          },
          [&](const dist::Deterministic& d) { return d.value; },
          [&](const dist::Uniform& d) { return bm::quantile(bm::uniform_distribution<>(d.min, d.max), p); },
          [&](const dist::Triangular& d) {
            return bm::quantile(bm::triangular_distribution<>(d.min, d.mode, d.max), p);
          },
          [&](const dist::Gamma& d) { return bm::quantile(bm::gamma_distribution<>(d.shape, d.scale), p); },
          [&](const dist::Erlang& d) {
            return bm::quantile(bm::gamma_distribution<>(d.k, d.mean / d.k), p);
          },
          [&](const dist::Lognormal& d) {
            const LogParams lp = log_params(d);
            return bm::quantile(bm::lognormal_distribution<>(lp.mu, lp.sigma), p);
          },
          [&](const dist::Weibull& d) {
            return bm::quantile(bm::weibull_distribution<>(d.shape, d.scale), p);
          },
      },
      v_);
}

std::string Distribution::describe() const {
  return std::visit(
      Overloaded{
          [](const dist::Exponential& d) { return "exponential(mean=" + num(d.mean) + ")"; },
          [](const dist::Deterministic& d) { return "deterministic(value=" + num(d.value) + ")"; },
          [](const dist::Uniform& d) { return "uniform(min=" + num(d.min) + ", max=" + num(d.max) + ")"; },
          [](const dist::Triangular& d) {
            return "triangular(min=" + num(d.min) + ", mode=" + num(d.mode) + ", max=" + num(d.max) + ")";
          },
          [](const dist::Gamma& d) { return "gamma(shape=" + num(d.shape) + ", scale=" + num(d.scale) + ")"; },
          [](const dist::Erlang& d) { return "erlang(k=" + std::to_string(d.k) + ", mean=" + num(d.mean) + ")"; },
          [](const dist::Lognormal& d) { return "lognormal(mean=" + num(d.mean) + ", sd=" + num(d.sd) + ")"; },
          [](const dist::Weibull& d) { return "weibull(shape=" + num(d.shape) + ", scale=" + num(d.scale) + ")"; },
      },
      v_);
}

}  // namespace mhsim::engine
