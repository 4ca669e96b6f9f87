// SPDX-License-Identifier: MIT
// The closed forms of analysis/queueing_theory.hpp against textbook values worked by hand (the
// working is beside each check), so that a wrong formula cannot hide a wrong simulation: the
// statistical tests in tests/engine/mmc_queue_test.cpp and tests/models/network_theory_test.cpp
// trust these functions.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <Eigen/Dense>

#include "analysis/queueing_theory.hpp"

namespace theory = mhsim::analysis::theory;

TEST_CASE("Erlang B: textbook values", "[analysis]") {
  // B(0, a) = 1: with no servers everyone is refused.
  CHECK(theory::erlang_b(0, 2.0) == 1.0);
  // B(1, a) = a / (1 + a).
  for (const double a : {0.1, 0.5, 1.0, 2.0, 7.5}) {
    INFO("a = " << a);
    CHECK(theory::erlang_b(1, a) == Approx(a / (1.0 + a)).epsilon(1e-14));
  }
  // B(c, a) = (a^c / c!) / sum_{k=0..c} a^k / k!
  // B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2
  CHECK(theory::erlang_b(2, 1.0) == Approx(0.2).epsilon(1e-14));
  // B(5, 3): terms 3^k/k! for k = 0..5 are 1, 3, 4.5, 4.5, 3.375, 2.025; sum 18.4;
  // B = 2.025 / 18.4 = 0.1100543478
  CHECK(theory::erlang_b(5, 3.0) == Approx(2.025 / 18.4).epsilon(1e-14));
  // B(10, 5) = 0.0183846 (Erlang B tables: 10 circuits, 5 erlangs, 1.84%; re-computed on
  // 2026-11-23 by the direct sum above in exact rational arithmetic).
  CHECK(theory::erlang_b(10, 5.0) == Approx(0.018384570336648).epsilon(1e-10));
  // No load, no refusals.
  CHECK(theory::erlang_b(3, 0.0) == 0.0);
  CHECK_THROWS_AS(theory::erlang_b(-1, 1.0), std::domain_error);
  CHECK_THROWS_AS(theory::erlang_b(2, -1.0), std::domain_error);
}

TEST_CASE("Erlang C: M/M/1 gives rho, and multi-server values by hand", "[analysis]") {
  // One server: P(wait) = rho.
  for (const double rho : {0.1, 0.5, 0.8, 0.95}) CHECK(theory::erlang_c(1, rho) == Approx(rho).epsilon(1e-14));
  // C = B / (1 - rho + rho B).
  // c 2, a 1: B(2, 1) = 0.2, rho 0.5 -> C = 0.2 / (0.5 + 0.1) = 1/3
  CHECK(theory::erlang_c(2, 1.0) == Approx(1.0 / 3.0).epsilon(1e-14));
  // c 3, a 2.4 (rho 0.8): B(1) = 2.4 / 3.4 = 0.705882; B(2) = 2.4 B(1) / (2 + 2.4 B(1)) = 0.458599;
  // B(3) = 2.4 B(2) / (3 + 2.4 B(2)) = 0.268407; C = 0.268407 / (0.2 + 0.8 x 0.268407) = 0.647191
  CHECK(theory::erlang_c(3, 2.4) == Approx(0.647191).epsilon(1e-6));
  // Unstable or meaningless loads are refused.
  CHECK_THROWS_AS(theory::erlang_c(2, 2.0), std::domain_error);
  CHECK_THROWS_AS(theory::erlang_c(0, 0.5), std::domain_error);
}

TEST_CASE("M/M/c measures: M/M/1 and M/M/2 by hand", "[analysis]") {
  // M/M/1, lambda 0.8, mu 1: rho 0.8, Wq = rho / (mu - lambda) = 4, Lq = rho^2 / (1 - rho) = 3.2,
  // W = 1 / (mu - lambda) = 5, L = rho / (1 - rho) = 4.
  const theory::MmcMeasures m1 = theory::mmc(0.8, 1.0, 1);
  CHECK(m1.rho == Approx(0.8).epsilon(1e-14));
  CHECK(m1.p_wait == Approx(0.8).epsilon(1e-14));
  CHECK(m1.mean_wait == Approx(4.0).epsilon(1e-13));
  CHECK(m1.mean_queue == Approx(3.2).epsilon(1e-13));
  CHECK(m1.mean_sojourn == Approx(5.0).epsilon(1e-13));
  CHECK(m1.mean_in_system == Approx(4.0).epsilon(1e-13));
  // M/M/1 Wq = rho / (mu - lambda) for other loads too (per day: lambda 3, mu 4 -> 0.75 / 1).
  CHECK(theory::mmc(3.0, 4.0, 1).mean_wait == Approx(0.75).epsilon(1e-13));
  // M/M/2, lambda 1, mu 1 (rho 0.5): C = 1/3, Wq = C / (2 mu - lambda) = 1/3; the textbook
  // Lq = 2 rho^3 / (1 - rho^2) = 0.25 / 0.75 = 1/3 agrees; W = 4/3, L = 4/3.
  const theory::MmcMeasures m2 = theory::mmc(1.0, 1.0, 2);
  CHECK(m2.mean_wait == Approx(1.0 / 3.0).epsilon(1e-13));
  CHECK(m2.mean_queue == Approx(1.0 / 3.0).epsilon(1e-13));
  CHECK(m2.mean_sojourn == Approx(4.0 / 3.0).epsilon(1e-13));
  CHECK(m2.mean_in_system == Approx(4.0 / 3.0).epsilon(1e-13));
  // lambda >= c mu: unstable, every measure infinite.
  const theory::MmcMeasures unstable = theory::mmc(3.0, 1.0, 2);
  CHECK(std::isinf(unstable.mean_wait));
  CHECK(std::isinf(unstable.mean_in_system));
  CHECK(std::isinf(theory::mmc(2.0, 1.0, 2).mean_wait));  // rho exactly 1
}

TEST_CASE("Pollaczek-Khinchine: exponential service gives M/M/1, deterministic gives half", "[analysis]") {
  // Wq = lambda E[S^2] / (2 (1 - rho)); exponential S has Var = E[S]^2, so E[S^2] = 2 / mu^2 and
  // Wq = lambda / (mu^2 (1 - rho)) = rho / (mu - lambda), the M/M/1 value.
  for (const double lambda : {0.2, 0.5, 0.8, 0.95}) {
    INFO("lambda = " << lambda);
    CHECK(theory::mg1_mean_wait(lambda, 1.0, 1.0) == Approx(theory::mmc(lambda, 1.0, 1).mean_wait).epsilon(1e-12));
    CHECK(theory::mg1_mean_wait(lambda, 1.0, 1.0) == Approx(lambda / (1.0 - lambda)).epsilon(1e-12));
  }
  // Mean service 2 (mu 0.5), lambda 0.3: rho 0.6, Wq = 0.6 / (0.5 - 0.3) = 3.
  CHECK(theory::mg1_mean_wait(0.3, 2.0, 4.0) == Approx(3.0).epsilon(1e-12));
  // M/D/1, lambda 0.8, D = 1: Wq = 0.8 x 1 / (2 x 0.2) = 2, half the M/M/1 value.
  CHECK(theory::mg1_mean_wait(0.8, 1.0, 0.0) == Approx(2.0).epsilon(1e-12));
  // Gamma(shape 0.5, scale 2): E[S] = 1, Var 2, E[S^2] = 3; lambda 0.5: Wq = 1.5 / 1 = 1.5.
  CHECK(theory::mg1_mean_wait(0.5, 1.0, 2.0) == Approx(1.5).epsilon(1e-12));
  CHECK(std::isinf(theory::mg1_mean_wait(1.0, 1.0, 1.0)));
}

TEST_CASE("Cobham: one class reduces to Pollaczek-Khinchine, two and three classes by hand", "[analysis]") {
  // One class: W = (lambda E[S^2] / 2) / (1 - rho), which is P-K.
  for (const double lambda : {0.3, 0.6, 0.9}) {
    INFO("lambda = " << lambda);
    CHECK(theory::priority_mg1_waits({lambda}, {1.0}, {2.0})[0] ==
          Approx(theory::mg1_mean_wait(lambda, 1.0, 1.0)).epsilon(1e-12));
    CHECK(theory::priority_mg1_waits({lambda}, {1.0}, {1.0})[0] ==
          Approx(theory::mg1_mean_wait(lambda, 1.0, 0.0)).epsilon(1e-12));
  }
  // Two classes, lambda 0.3 and 0.4, exponential service of mean 1 (E[S^2] = 2):
  // W0 = (0.3 x 2 + 0.4 x 2) / 2 = 0.7; class 0: 0.7 / (1 x 0.7) = 1; class 1: 0.7 / (0.7 x 0.3) = 10/3.
  const std::vector<double> two = theory::priority_mg1_waits({0.3, 0.4}, {1.0, 1.0}, {2.0, 2.0});
  REQUIRE(two.size() == 2);
  CHECK(two[0] == Approx(1.0).epsilon(1e-12));
  CHECK(two[1] == Approx(10.0 / 3.0).epsilon(1e-12));
  // Kleinrock's conservation law for a work-conserving non-preemptive discipline:
  // sum_k rho_k W_k = rho W0 / (1 - rho): 0.3 x 1 + 0.4 x 10/3 = 1.633333 = 0.7 x 0.7 / 0.3.
  CHECK(0.3 * two[0] + 0.4 * two[1] == Approx(0.7 * 0.7 / 0.3).epsilon(1e-12));
  // Three classes: lambda (0.2, 0.3, 0.1), E[S] (1, 0.5, 2), exponential so E[S^2] = 2 E[S]^2 = (2, 0.5, 8).
  // W0 = (0.4 + 0.15 + 0.8) / 2 = 0.675; cumulative loads 0.2, 0.35, 0.55;
  // W = 0.675 / (1 x 0.8) = 0.84375, 0.675 / (0.8 x 0.65) = 1.298077, 0.675 / (0.65 x 0.45) = 2.307692.
  const std::vector<double> three = theory::priority_mg1_waits({0.2, 0.3, 0.1}, {1.0, 0.5, 2.0}, {2.0, 0.5, 8.0});
  REQUIRE(three.size() == 3);
  CHECK(three[0] == Approx(0.84375).epsilon(1e-12));
  CHECK(three[1] == Approx(0.675 / 0.52).epsilon(1e-12));
  CHECK(three[2] == Approx(0.675 / 0.2925).epsilon(1e-12));
}

TEST_CASE("Traffic equations: a feedback network solved by hand", "[analysis]") {
  // lambda = gamma + P^T lambda with gamma = (1, 0, 0) and
  //   a -> b 0.6, a -> c 0.4, b -> c 0.5, c -> a 0.2 (the rest exits):
  //   l_a = 1 + 0.2 l_c; l_b = 0.6 l_a; l_c = 0.4 l_a + 0.5 l_b = 0.7 l_a
  //   => l_a = 1 / (1 - 0.14) = 1.162791, l_b = 0.697674, l_c = 0.813953.
  Eigen::VectorXd gamma(3);
  gamma << 1.0, 0.0, 0.0;
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(3, 3);
  p(0, 1) = 0.6;
  p(0, 2) = 0.4;
  p(1, 2) = 0.5;
  p(2, 0) = 0.2;
  const Eigen::VectorXd l = theory::traffic_rates(gamma, p);
  REQUIRE(l.size() == 3);
  CHECK(l(0) == Approx(1.0 / 0.86).epsilon(1e-12));
  CHECK(l(1) == Approx(0.6 / 0.86).epsilon(1e-12));
  CHECK(l(2) == Approx(0.7 / 0.86).epsilon(1e-12));
  // Flow balance: what leaves by exit routes equals what enters from outside:
  // exits = 0.5 l_b + 0.8 l_c = (0.3 + 0.56) / 0.86 = 1 = sum(gamma).
  CHECK(0.5 * l(1) + 0.8 * l(2) == Approx(1.0).epsilon(1e-12));
  // A tandem line with two entry points: gamma = (0.5, 0.25), 0 -> 1 with probability 1:
  // l_0 = 0.5, l_1 = 0.25 + 0.5 = 0.75.
  Eigen::VectorXd g2(2);
  g2 << 0.5, 0.25;
  Eigen::MatrixXd tandem = Eigen::MatrixXd::Zero(2, 2);
  tandem(0, 1) = 1.0;
  const Eigen::VectorXd t = theory::traffic_rates(g2, tandem);
  CHECK(t(0) == Approx(0.5).epsilon(1e-12));
  CHECK(t(1) == Approx(0.75).epsilon(1e-12));
  // A closed loop with no exit has no solution.
  Eigen::MatrixXd loop = Eigen::MatrixXd::Zero(2, 2);
  loop(0, 1) = 1.0;
  loop(1, 0) = 1.0;
  CHECK_THROWS_AS(theory::traffic_rates(g2, loop), std::domain_error);
}

TEST_CASE("Jackson: each station is the M/M/c of its traffic rate", "[analysis]") {
  // The network above with service rates (2/3, 5/6, 1/3) and servers (2, 1, 3).
  Eigen::VectorXd gamma(3);
  gamma << 1.0, 0.0, 0.0;
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(3, 3);
  p(0, 1) = 0.6;
  p(0, 2) = 0.4;
  p(1, 2) = 0.5;
  p(2, 0) = 0.2;
  Eigen::VectorXd mu(3);
  mu << 1.0 / 1.5, 1.0 / 1.2, 1.0 / 3.0;
  const std::vector<theory::MmcMeasures> m = theory::jackson(gamma, p, mu, {2, 1, 3});
  REQUIRE(m.size() == 3);
  const double rates[] = {1.0 / 0.86, 0.6 / 0.86, 0.7 / 0.86};
  const std::int64_t servers[] = {2, 1, 3};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("station " << i);
    const theory::MmcMeasures alone = theory::mmc(rates[i], mu(static_cast<Eigen::Index>(i)), servers[i]);
    CHECK(m[i].mean_wait == Approx(alone.mean_wait).epsilon(1e-12));
    CHECK(m[i].rho == Approx(alone.rho).epsilon(1e-12));
  }
  // Station b is M/M/1 at lambda 0.697674, mu 0.833333: Wq = rho / (mu - lambda) =
  // 0.837209 / 0.135659 = 6.171429.
  CHECK(m[1].mean_wait == Approx(0.6 / 0.86 * 1.2 / (1.0 / 1.2 - 0.6 / 0.86)).epsilon(1e-12));
  // Doubling the external rate overloads station a (lambda 2.33 > 2 x 2/3): infinite measures.
  const std::vector<theory::MmcMeasures> overloaded = theory::jackson(2.0 * gamma, p, mu, {2, 1, 3});
  CHECK(std::isinf(overloaded[0].mean_wait));
}
