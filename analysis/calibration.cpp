// SPDX-License-Identifier: MIT
#include "analysis/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>

#include "analysis/summary.hpp"

namespace mhsim::analysis {

namespace {

/// x <-> u for the box: bounded coordinates through the logistic function, others as they are.
struct BoxTransform {
  Eigen::VectorXd lower, upper;
  bool bounded(Eigen::Index i) const { return lower.size() > 0 && std::isfinite(lower[i]) && std::isfinite(upper[i]); }
  Eigen::VectorXd to_x(const Eigen::VectorXd& u) const {
    Eigen::VectorXd x = u;
    for (Eigen::Index i = 0; i < u.size(); ++i) {
      if (bounded(i)) x[i] = lower[i] + (upper[i] - lower[i]) / (1.0 + std::exp(-u[i]));
    }
    return x;
  }
  Eigen::VectorXd to_u(const Eigen::VectorXd& x) const {
    Eigen::VectorXd u = x;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      if (bounded(i)) {
        const double p = (x[i] - lower[i]) / (upper[i] - lower[i]);
        u[i] = std::log(p / (1.0 - p));
      }
    }
    return u;
  }
};

}  // namespace

NelderMeadResult nelder_mead(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x0,
                             const Eigen::VectorXd& step, const NelderMeadOptions& options) {
  const Eigen::Index n = x0.size();
  if (n == 0) throw std::invalid_argument("nelder_mead: x0 is empty, but must have at least one coordinate");
  if (step.size() != n) {
    throw std::invalid_argument("nelder_mead: step has " + std::to_string(step.size()) + " coordinates, but x0 has " +
                                std::to_string(n));
  }
  const bool has_bounds = options.lower.size() > 0 || options.upper.size() > 0;
  if (has_bounds && (options.lower.size() != n || options.upper.size() != n)) {
    throw std::invalid_argument("nelder_mead: lower and upper must both have " + std::to_string(n) +
                                " coordinates or both be empty");
  }
  const BoxTransform box{has_bounds ? options.lower : Eigen::VectorXd(), has_bounds ? options.upper : Eigen::VectorXd()};
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(step[i] != 0) || !std::isfinite(step[i])) {
      throw std::invalid_argument("nelder_mead: step[" + std::to_string(i) + "] is " + std::to_string(step[i]) +
                                  ", but must be finite and nonzero");
    }
    if (box.bounded(i) && !(x0[i] > box.lower[i] && x0[i] < box.upper[i])) {
      throw std::invalid_argument("nelder_mead: x0[" + std::to_string(i) + "] is " + std::to_string(x0[i]) +
                                  ", but must be strictly inside (" + std::to_string(box.lower[i]) + ", " +
                                  std::to_string(box.upper[i]) + ")");
    }
  }

  NelderMeadResult result;
  const auto eval = [&](const Eigen::VectorXd& u) {
    ++result.evaluations;
    const double v = f(box.to_x(u));
    return std::isnan(v) ? std::numeric_limits<double>::infinity() : v;
  };

  // Initial simplex, built in x (so `step` is in the caller's units) and mapped to u.
  std::vector<Eigen::VectorXd> u(static_cast<std::size_t>(n + 1));
  std::vector<double> fu(u.size());
  u[0] = box.to_u(x0);
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::VectorXd x = x0;
    x[i] += step[i];
    if (box.bounded(i) && !(x[i] > box.lower[i] && x[i] < box.upper[i])) {
      x[i] = x0[i] - step[i];
      if (!(x[i] > box.lower[i] && x[i] < box.upper[i])) x[i] = 0.5 * (x0[i] + (step[i] > 0 ? box.upper[i] : box.lower[i]));
    }
    u[static_cast<std::size_t>(i + 1)] = box.to_u(x);
  }
  for (std::size_t k = 0; k < u.size(); ++k) fu[k] = eval(u[k]);

  std::vector<std::size_t> order(u.size());
  const auto sort = [&] {
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return fu[a] < fu[b]; });
  };
  const auto converged = [&] {
    const double best = fu[order.front()];
    if (!(fu[order.back()] - best <= options.f_tolerance * (1.0 + std::fabs(best)))) return false;
    const Eigen::VectorXd xb = box.to_x(u[order.front()]);
    for (std::size_t k = 1; k < u.size(); ++k) {
      if ((box.to_x(u[k]) - xb).cwiseAbs().maxCoeff() > options.x_tolerance) return false;
    }
    return true;
  };

  sort();
  while (!(result.converged = converged()) && result.evaluations < options.max_evaluations) {
    ++result.iterations;
    const std::size_t worst = order.back(), second = order[order.size() - 2], best = order.front();
    Eigen::VectorXd centroid = Eigen::VectorXd::Zero(n);
    for (std::size_t k = 0; k + 1 < order.size(); ++k) centroid += u[order[k]];
    centroid /= static_cast<double>(n);

    const Eigen::VectorXd reflected = centroid + (centroid - u[worst]);
    const double fr = eval(reflected);
    if (fr < fu[best]) {
      const Eigen::VectorXd expanded = centroid + 2.0 * (centroid - u[worst]);
      const double fe = eval(expanded);
      if (fe < fr) {
        u[worst] = expanded;
        fu[worst] = fe;
      } else {
        u[worst] = reflected;
        fu[worst] = fr;
      }
    } else if (fr < fu[second]) {
      u[worst] = reflected;
      fu[worst] = fr;
    } else {
      // Contract: outside when the reflection improved on the worst, else inside.
      const bool outside = fr < fu[worst];
      const Eigen::VectorXd contracted =
          outside ? Eigen::VectorXd(centroid + 0.5 * (reflected - centroid))
                  : Eigen::VectorXd(centroid + 0.5 * (u[worst] - centroid));
      const double fc = eval(contracted);
      if (fc < (outside ? fr : fu[worst])) {
        u[worst] = contracted;
        fu[worst] = fc;
      } else {
        for (std::size_t k = 0; k < u.size(); ++k) {
          if (k == best) continue;
          u[k] = u[best] + 0.5 * (u[k] - u[best]);
          fu[k] = eval(u[k]);
        }
      }
    }
    sort();
  }
  result.x = box.to_x(u[order.front()]);
  result.f = fu[order.front()];
  return result;
}

Eigen::MatrixXd finite_difference_jacobian(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& r,
                                           const Eigen::VectorXd& x, const Eigen::VectorXd& h,
                                           const Eigen::VectorXd& lower, const Eigen::VectorXd& upper) {
  const Eigen::Index n = x.size();
  if (h.size() != n) throw std::invalid_argument("finite_difference_jacobian: h and x differ in size");
  Eigen::MatrixXd j;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(h[i] > 0)) throw std::invalid_argument("finite_difference_jacobian: h[" + std::to_string(i) + "] must be > 0");
    double up = x[i] + h[i], down = x[i] - h[i];
    if (upper.size() == n && up > upper[i]) up = x[i];
    if (lower.size() == n && down < lower[i]) down = x[i];
    if (up == down) throw std::invalid_argument("finite_difference_jacobian: the box is narrower than h");
    Eigen::VectorXd xu = x, xd = x;
    xu[i] = up;
    xd[i] = down;
    const Eigen::VectorXd column = (r(xu) - r(xd)) / (up - down);
    if (j.size() == 0) j = Eigen::MatrixXd::Zero(column.size(), n);
    j.col(i) = column;
  }
  return j;
}

Eigen::MatrixXd gauss_newton_covariance(const Eigen::MatrixXd& jacobian) {
  const Eigen::Index n = jacobian.cols();
  const Eigen::MatrixXd jtj = jacobian.transpose() * jacobian;
  const Eigen::FullPivLU<Eigen::MatrixXd> lu(jtj);
  if (lu.rank() < n) return Eigen::MatrixXd::Constant(n, n, std::numeric_limits<double>::quiet_NaN());
  return lu.inverse();
}

RatioEstimate ratio_of_means(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || x.size() != y.size()) {
    throw std::invalid_argument("ratio_of_means: expected paired, non-empty samples, got " + std::to_string(x.size()) +
                                " and " + std::to_string(y.size()));
  }
  const std::size_t nr = x.size();
  const double n = static_cast<double>(nr);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double sx = 0, sy = 0;
  for (std::size_t r = 0; r < nr; ++r) {
    sx += x[r];
    sy += y[r];
  }
  const double mx = sx / n, my = sy / n;
  RatioEstimate e;
  e.mean = mx / my;
  // Delta method for the ratio of means (paired replications): d_r = (x_r - R y_r) / mean(y).
  double ss = 0;
  for (std::size_t r = 0; r < nr; ++r) {
    const double d = (x[r] - e.mean * y[r]) / my;
    ss += d * d;
  }
  e.se = nr > 1 ? std::sqrt(ss / (n - 1.0) / n) : nan;
  const double tq = nr > 1 ? t_critical(0.95, nr - 1) : nan;
  e.ci_low = e.mean - tq * e.se;
  e.ci_high = e.mean + tq * e.se;
  return e;
}

double chi_square_upper_tail(double x, int df) {
  if (df < 1 || !std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(df), x));
}

std::vector<double> standard_errors(const Eigen::MatrixXd& covariance) {
  std::vector<double> se;
  for (Eigen::Index i = 0; i < covariance.rows(); ++i) se.push_back(std::sqrt(covariance(i, i)));
  return se;
}

}  // namespace mhsim::analysis
