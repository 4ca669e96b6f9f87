// SPDX-License-Identifier: MIT
// The closed forms against values computed by hand (working beside each check), so that a
// wrong formula cannot hide a wrong simulation.
#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/queueing_theory.hpp"

namespace theory = mhsim::analysis::theory;

TEST_CASE("Erlang B: textbook values", "[analysis]") {
  CHECK(theory::erlang_b(0, 2.0) == 1.0);
  CHECK(theory::erlang_b(1, 2.0) == Approx(2.0 / 3.0));  // a / (1 + a)
  // B(2, 1) = (a^2/2) / (1 + a + a^2/2) = 0.5 / 2.5 = 0.2
  CHECK(theory::erlang_b(2, 1.0) == Approx(0.2));
  // B(5, 3) = (3^5/120) / sum_{k=0..5} 3^k/k! = 2.025 / 18.4 = 0.110054
  CHECK(theory::erlang_b(5, 3.0) == Approx(2.025 / 18.4));
}

TEST_CASE("Erlang C: M/M/1 gives rho; c = 2 by hand", "[analysis]") {
  CHECK(theory::erlang_c(1, 0.7) == Approx(0.7));
  // c = 2, a = 1: C = (a^2/2 * 1/(1 - a/2)) / (1 + a + a^2/2 * 1/(1 - a/2)) = 1 / 3
  CHECK(theory::erlang_c(2, 1.0) == Approx(1.0 / 3.0));
  CHECK_THROWS_AS(theory::erlang_c(2, 2.0), std::domain_error);
}

TEST_CASE("M/M/c measures: M/M/1 by hand and an unstable queue", "[analysis]") {
  const auto m = theory::mmc(0.8, 1.0, 1);
  CHECK(m.rho == Approx(0.8));
  CHECK(m.mean_wait == Approx(4.0));       // rho / (mu - lambda)
  CHECK(m.mean_queue == Approx(3.2));      // rho^2 / (1 - rho)
  CHECK(m.mean_sojourn == Approx(5.0));    // 1 / (mu - lambda)
  CHECK(m.mean_in_system == Approx(4.0));  // rho / (1 - rho)
  CHECK(std::isinf(theory::mmc(3.0, 1.0, 2).mean_wait));
}

TEST_CASE("Pollaczek-Khinchine: exponential service reduces to M/M/1", "[analysis]") {
  CHECK(theory::mg1_mean_wait(0.8, 1.0, 1.0) == Approx(theory::mmc(0.8, 1.0, 1).mean_wait));
  CHECK(theory::mg1_mean_wait(0.8, 1.0, 0.0) == Approx(2.0));  // M/D/1 is half of M/M/1
}

TEST_CASE("Cobham: one class reduces to Pollaczek-Khinchine", "[analysis]") {
  CHECK(theory::priority_mg1_waits({0.6}, {1.0}, {2.0})[0] == Approx(theory::mg1_mean_wait(0.6, 1.0, 1.0)));
}

TEST_CASE("Traffic equations: a feedback network solved by hand", "[analysis]") {
  // l_a = 1 + 0.2 l_c; l_b = 0.6 l_a; l_c = 0.4 l_a + 0.5 l_b = 0.7 l_a
  // => l_a = 1 / (1 - 0.14) = 1.162791, l_b = 0.697674, l_c = 0.813953
  Eigen::VectorXd gamma(3);
  gamma << 1.0, 0.0, 0.0;
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(3, 3);
  p(0, 1) = 0.6;
  p(0, 2) = 0.4;
  p(1, 2) = 0.5;
  p(2, 0) = 0.2;
  const Eigen::VectorXd l = theory::traffic_rates(gamma, p);
  CHECK(l(0) == Approx(1.0 / 0.86));
  CHECK(l(1) == Approx(0.6 / 0.86));
  CHECK(l(2) == Approx(0.7 / 0.86));
  // A closed loop with no exit has no solution.
  Eigen::MatrixXd loop = Eigen::MatrixXd::Zero(2, 2);
  loop(0, 1) = 1.0;
  loop(1, 0) = 1.0;
  Eigen::VectorXd g2(2);
  g2 << 1.0, 0.0;
  CHECK_THROWS_AS(theory::traffic_rates(g2, loop), std::domain_error);
}
