// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace mhsim::analysis::theory {

/// Erlang B: probability that an arrival finds all `c` servers busy in M/M/c/c with offered
/// load `a` = lambda / mu erlangs. Computed by the stable recursion B(0)=1,
/// B(k) = a B(k-1) / (k + a B(k-1)).
double erlang_b(std::int64_t c, double a);

/// Erlang C: probability of waiting in M/M/c with offered load a < c.
double erlang_c(std::int64_t c, double a);

/// Steady-state measures of an M/M/c queue (lambda, mu per day).
struct MmcMeasures {
  double rho;         ///< utilisation lambda / (c mu)
  double p_wait;      ///< Erlang C
  double mean_wait;   ///< Wq, days
  double mean_queue;  ///< Lq
  double mean_sojourn;  ///< W = Wq + 1/mu
  double mean_in_system;  ///< L = lambda W
};
/// Requires lambda < c mu (throws std::domain_error otherwise).
MmcMeasures mmc(double lambda, double mu, std::int64_t c);

/// Mean wait in M/G/1 by Pollaczek-Khinchine: lambda E[S^2] / (2 (1 - rho)).
double mg1_mean_wait(double lambda, double mean_service, double var_service);

/// Open Jackson network: solves the traffic equations lambda = gamma + P^T lambda,
/// with gamma the external arrival rates and P[i][j] the routing probability i -> j
/// (rows may sum to < 1: the rest exits). Throws if I - P^T is singular.
Eigen::VectorXd traffic_rates(const Eigen::VectorXd& gamma, const Eigen::MatrixXd& routing);

/// Per-station product-form measures of an open Jackson network; each station behaves as
/// an independent M/M/c_i with arrival rate lambda_i. Stations with lambda_i >= c_i mu_i
/// are unstable: their measures are +inf.
std::vector<MmcMeasures> jackson(const Eigen::VectorXd& gamma, const Eigen::MatrixXd& routing,
                                 const Eigen::VectorXd& mu, const std::vector<std::int64_t>& servers);

/// Non-preemptive priority M/G/1 (Cobham): mean wait of class k (0 = highest priority),
/// given per-class arrival rates and service-time first and second moments.
std::vector<double> priority_mg1_waits(const std::vector<double>& lambda, const std::vector<double>& es,
                                       const std::vector<double>& es2);

}  // namespace mhsim::analysis::theory
