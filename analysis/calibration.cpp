// SPDX-License-Identifier: MIT
#include "analysis/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>
#include <nlopt.hpp>

#include "analysis/summary.hpp"

namespace mhsim::analysis {

const char* minimiser_name(Minimiser m) noexcept {
  switch (m) {
    case Minimiser::kSubplex: return "subplex";
    case Minimiser::kBobyqa: return "bobyqa";
    case Minimiser::kNelderMead: break;
  }
  return "nelder-mead";
}

MinimiseResult minimise(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x0,
                        const Eigen::VectorXd& step, const MinimiseOptions& options) {
  const Eigen::Index n = x0.size();
  if (n == 0) throw std::invalid_argument("minimise: x0 is empty, but must have at least one coordinate");
  if (step.size() != n) {
    throw std::invalid_argument("minimise: step has " + std::to_string(step.size()) + " coordinates, but x0 has " +
                                std::to_string(n));
  }
  const bool has_bounds = options.lower.size() > 0 || options.upper.size() > 0;
  if (has_bounds && (options.lower.size() != n || options.upper.size() != n)) {
    throw std::invalid_argument("minimise: lower and upper must both have " + std::to_string(n) +
                                " coordinates or both be empty");
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(step[i] != 0) || !std::isfinite(step[i])) {
      throw std::invalid_argument("minimise: step[" + std::to_string(i) + "] is " + std::to_string(step[i]) +
                                  ", but must be finite and nonzero");
    }
    if (has_bounds && !(x0[i] >= options.lower[i] && x0[i] <= options.upper[i])) {
      throw std::invalid_argument("minimise: x0[" + std::to_string(i) + "] is " + std::to_string(x0[i]) +
                                  ", but must be inside [" + std::to_string(options.lower[i]) + ", " +
                                  std::to_string(options.upper[i]) + "]");
    }
  }

  const nlopt::algorithm algorithm = options.method == Minimiser::kSubplex ? nlopt::LN_SBPLX
                                     : options.method == Minimiser::kBobyqa ? nlopt::LN_BOBYQA
                                                                            : nlopt::LN_NELDERMEAD;
  const auto un = static_cast<unsigned>(n);
  nlopt::opt opt(algorithm, un);
  MinimiseResult result;
  struct Objective {
    const std::function<double(const Eigen::VectorXd&)>* f;
    MinimiseResult* result;
  } objective{&f, &result};
  opt.set_min_objective(
      [](unsigned dim, const double* x, double* /*gradient: derivative-free methods only*/, void* data) {
        auto* o = static_cast<Objective*>(data);
        ++o->result->evaluations;
        const double v = (*o->f)(Eigen::Map<const Eigen::VectorXd>(x, static_cast<Eigen::Index>(dim)));
        return std::isnan(v) ? std::numeric_limits<double>::infinity() : v;
      },
      &objective);
  const auto to_std = [](const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); };
  if (has_bounds) {
    opt.set_lower_bounds(to_std(options.lower));
    opt.set_upper_bounds(to_std(options.upper));
  }
  opt.set_initial_step(to_std(step.cwiseAbs()));
  opt.set_maxeval(options.max_evaluations);
  // x only, no ftol: NLopt stops at the first criterion met, and on an objective that is flat
  // near its optimum (statistics counting whole people under common random numbers) two equal
  // best values would stop it at the first point of the flat interval it meets.
  opt.set_xtol_abs(options.x_tolerance);

  std::vector<double> x = to_std(x0);
  double fx = std::numeric_limits<double>::infinity();
  nlopt::result code = nlopt::FAILURE;
  try {
    code = opt.optimize(x, fx);
  } catch (const nlopt::roundoff_limited&) {
    code = nlopt::ROUNDOFF_LIMITED;  // x holds the best point found; not converged
  }
  result.x = Eigen::Map<const Eigen::VectorXd>(x.data(), n);
  result.f = fx;
  result.converged = code == nlopt::FTOL_REACHED || code == nlopt::XTOL_REACHED || code == nlopt::SUCCESS;
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
