// SPDX-License-Identifier: MIT
#include "analysis/queueing_theory.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace mhsim::analysis::theory {

double erlang_b(std::int64_t c, double a) {
  if (c < 0 || !(a >= 0)) throw std::domain_error("erlang_b: needs c >= 0 and a >= 0");
  double b = 1.0;
  for (std::int64_t k = 1; k <= c; ++k) b = a * b / (static_cast<double>(k) + a * b);
  return b;
}

double erlang_c(std::int64_t c, double a) {
  if (c < 1 || !(a >= 0) || !(a < static_cast<double>(c))) {
    throw std::domain_error("erlang_c: needs c >= 1 and 0 <= a < c, got c = " + std::to_string(c) +
                            ", a = " + std::to_string(a));
  }
  const double b = erlang_b(c, a);
  const double rho = a / static_cast<double>(c);
  return b / (1.0 - rho + rho * b);
}

MmcMeasures mmc(double lambda, double mu, std::int64_t c) {
  const double a = lambda / mu;
  const double cc = static_cast<double>(c);
  if (!(a < cc)) {
    const double inf = std::numeric_limits<double>::infinity();
    return MmcMeasures{a / cc, 1.0, inf, inf, inf, inf};
  }
  MmcMeasures m{};
  m.rho = a / cc;
  m.p_wait = erlang_c(c, a);
  m.mean_wait = m.p_wait / (cc * mu - lambda);
  m.mean_queue = lambda * m.mean_wait;
  m.mean_sojourn = m.mean_wait + 1.0 / mu;
  m.mean_in_system = lambda * m.mean_sojourn;
  return m;
}

double mg1_mean_wait(double lambda, double mean_service, double var_service) {
  const double rho = lambda * mean_service;
  if (!(rho < 1.0)) return std::numeric_limits<double>::infinity();
  const double es2 = var_service + mean_service * mean_service;
  return lambda * es2 / (2.0 * (1.0 - rho));
}

Eigen::VectorXd traffic_rates(const Eigen::VectorXd& gamma, const Eigen::MatrixXd& routing) {
  const Eigen::Index n = gamma.size();
  const Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n, n) - routing.transpose();
  Eigen::FullPivLU<Eigen::MatrixXd> lu(a);
  if (!lu.isInvertible()) {
    throw std::domain_error("traffic equations are singular: some stations never lead to exit");
  }
  return lu.solve(gamma);
}

std::vector<MmcMeasures> jackson(const Eigen::VectorXd& gamma, const Eigen::MatrixXd& routing,
                                 const Eigen::VectorXd& mu, const std::vector<std::int64_t>& servers) {
  const Eigen::VectorXd lambda = traffic_rates(gamma, routing);
  std::vector<MmcMeasures> out;
  for (Eigen::Index i = 0; i < lambda.size(); ++i) {
    out.push_back(mmc(lambda(i), mu(i), servers[static_cast<std::size_t>(i)]));
  }
  return out;
}

std::vector<double> priority_mg1_waits(const std::vector<double>& lambda, const std::vector<double>& es,
                                       const std::vector<double>& es2) {
  double w0 = 0.0;
  for (std::size_t k = 0; k < lambda.size(); ++k) w0 += 0.5 * lambda[k] * es2[k];
  std::vector<double> waits;
  double sigma_prev = 0.0;
  for (std::size_t k = 0; k < lambda.size(); ++k) {
    const double sigma = sigma_prev + lambda[k] * es[k];
    waits.push_back(w0 / ((1.0 - sigma_prev) * (1.0 - sigma)));
    sigma_prev = sigma;
  }
  return waits;
}

}  // namespace mhsim::analysis::theory
