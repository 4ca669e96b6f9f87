// SPDX-License-Identifier: MIT
// The minimisers (NLopt) and the Gauss-Newton covariance (analysis/calibration.hpp).
#include <cmath>
#include <limits>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "analysis/calibration.hpp"

using mhsim::analysis::finite_difference_jacobian;
using mhsim::analysis::gauss_newton_covariance;
using mhsim::analysis::minimise;
using mhsim::analysis::Minimiser;
using mhsim::analysis::MinimiseOptions;

TEST_CASE("minimise: each method finds the minimum of the Rosenbrock function from (-1.2, 1)", "[analysis][calibration]") {
  const auto rosenbrock = [](const Eigen::VectorXd& x) {
    return 100.0 * std::pow(x[1] - x[0] * x[0], 2) + std::pow(1.0 - x[0], 2);
  };
  for (const Minimiser m : {Minimiser::kNelderMead, Minimiser::kSubplex, Minimiser::kBobyqa}) {
    CAPTURE(mhsim::analysis::minimiser_name(m));
    MinimiseOptions o;
    o.method = m;
    o.max_evaluations = 2000;
    o.x_tolerance = 1e-8;
    o.lower = Eigen::Vector2d(-5.0, -5.0);  // BOBYQA needs a box
    o.upper = Eigen::Vector2d(5.0, 5.0);
    const auto r = minimise(rosenbrock, Eigen::Vector2d(-1.2, 1.0), Eigen::Vector2d(0.1, 0.1), o);
    CHECK(r.converged);
    CHECK(r.x[0] == Approx(1.0).margin(1e-5));
    CHECK(r.x[1] == Approx(1.0).margin(1e-5));
    CHECK(r.f < 1e-10);
    CHECK(r.evaluations <= 2000);
    // Deterministic: the same start gives the same bits.
    const auto again = minimise(rosenbrock, Eigen::Vector2d(-1.2, 1.0), Eigen::Vector2d(0.1, 0.1), o);
    CHECK(again.x == r.x);
    CHECK(again.evaluations == r.evaluations);
  }
}

TEST_CASE("minimise: a bounded quadratic with its optimum on a bound never leaves the box and reaches the bound",
          "[analysis][calibration]") {
  // Unconstrained minimum at (2, 0.3); the box [0, 1] x [0, 1] puts the bounded one at (1, 0.3).
  for (const Minimiser m : {Minimiser::kNelderMead, Minimiser::kSubplex, Minimiser::kBobyqa}) {
    CAPTURE(mhsim::analysis::minimiser_name(m));
    int outside = 0;
    const auto f = [&outside](const Eigen::VectorXd& x) {
      if (x[0] < 0 || x[0] > 1 || x[1] < 0 || x[1] > 1) ++outside;
      return std::pow(x[0] - 2.0, 2) + 10.0 * std::pow(x[1] - 0.3, 2);
    };
    MinimiseOptions o;
    o.method = m;
    o.max_evaluations = 1000;
    o.x_tolerance = 1e-7;
    o.lower = Eigen::Vector2d(0.0, 0.0);
    o.upper = Eigen::Vector2d(1.0, 1.0);
    const auto r = minimise(f, Eigen::Vector2d(0.5, 0.5), Eigen::Vector2d(0.1, 0.1), o);
    CHECK(outside == 0);
    CHECK(r.converged);
    CHECK(r.x[0] <= 1.0);
    CHECK(r.x[0] == Approx(1.0).margin(1e-4));
    CHECK(r.x[1] == Approx(0.3).margin(1e-4));
    CHECK(r.f == Approx(1.0).margin(1e-4));
  }
}

TEST_CASE("minimise: stops at max_evaluations, not converged", "[analysis][calibration]") {
  const auto f = [](const Eigen::VectorXd& x) { return std::pow(x[0] - 3.0, 2) + std::pow(x[1] + 1.0, 2); };
  MinimiseOptions o;
  o.max_evaluations = 7;
  const auto r = minimise(f, Eigen::Vector2d(0.0, 0.0), Eigen::Vector2d(0.5, 0.5), o);
  CHECK_FALSE(r.converged);
  CHECK(r.evaluations == 7);
}

TEST_CASE("minimise: refuses a start outside the bounds, a zero step and mismatched sizes", "[analysis][calibration]") {
  const auto f = [](const Eigen::VectorXd& x) { return x.squaredNorm(); };
  MinimiseOptions o;
  o.lower = Eigen::VectorXd::Constant(1, 0.0);
  o.upper = Eigen::VectorXd::Constant(1, 1.0);
  CHECK_THROWS_WITH(minimise(f, Eigen::VectorXd::Constant(1, 1.5), Eigen::VectorXd::Constant(1, 0.1), o),
                    Catch::Contains("x0[0] is 1.500000, but must be inside [0.000000, 1.000000]"));
  CHECK_THROWS_WITH(minimise(f, Eigen::VectorXd::Constant(1, 0.5), Eigen::VectorXd::Constant(1, 0.0), o),
                    Catch::Contains("step[0] is 0.000000, but must be finite and nonzero"));
  CHECK_THROWS_AS(minimise(f, Eigen::VectorXd::Constant(2, 0.5), Eigen::VectorXd::Constant(1, 0.1), o),
                  std::invalid_argument);
}

TEST_CASE("gauss_newton_covariance: linear least squares gives sigma^2 (X^T X)^-1", "[analysis][calibration]") {
  // r(b) = (X b - y) / sigma: J = X / sigma, so (J^T J)^-1 = sigma^2 (X^T X)^-1 exactly.
  Eigen::MatrixXd x(4, 2);
  x << 1, 0, 1, 1, 1, 2, 1, 3;
  const Eigen::Vector4d y(1, 3, 2, 5);
  const double sigma = 0.5;
  const auto r = [&](const Eigen::VectorXd& b) { return Eigen::VectorXd((x * b - y) / sigma); };
  const Eigen::MatrixXd j = finite_difference_jacobian(r, Eigen::Vector2d(0.3, 0.7), Eigen::Vector2d(0.01, 0.01),
                                                       Eigen::VectorXd(), Eigen::VectorXd());
  const Eigen::MatrixXd expected = sigma * sigma * (x.transpose() * x).inverse();
  CHECK((gauss_newton_covariance(j) - expected).cwiseAbs().maxCoeff() < 1e-10);
  // A parameter the residuals do not depend on is not determined.
  Eigen::MatrixXd singular = Eigen::MatrixXd::Zero(3, 2);
  singular(0, 0) = 1;
  CHECK(std::isnan(gauss_newton_covariance(singular)(1, 1)));
}

TEST_CASE("Calibration statistics: ratio of means with its delta-method standard error, and the chi-square tail",
          "[analysis][calibration]") {
  using mhsim::analysis::ratio_of_means;
  // A plain mean (every y = 1): x = 1, 2, 3 -> mean 2, sd 1, se 1/sqrt(3); t(0.975, 2) = 4.302653.
  const auto plain = ratio_of_means({1, 2, 3}, {1, 1, 1});
  CHECK(plain.mean == Approx(2.0));
  CHECK(plain.se == Approx(1.0 / std::sqrt(3.0)));
  CHECK(plain.ci_low == Approx(2.0 - 4.302653 / std::sqrt(3.0)).epsilon(1e-6));
  CHECK(plain.ci_high == Approx(2.0 + 4.302653 / std::sqrt(3.0)).epsilon(1e-6));
  // A ratio: x = 2, 4; y = 1, 3 -> R = 3 / 2 = 1.5; d = (x - R y) / mean(y) = 0.25, -0.25;
  // se = sqrt((0.0625 + 0.0625) / 1 / 2) = 0.25.
  const auto ratio = ratio_of_means({2, 4}, {1, 3});
  CHECK(ratio.mean == Approx(1.5));
  CHECK(ratio.se == Approx(0.25));
  // One replication: a value, no standard error.
  const auto one = ratio_of_means({5}, {2});
  CHECK(one.mean == Approx(2.5));
  CHECK(std::isnan(one.se));
  CHECK_THROWS_AS(ratio_of_means({1, 2}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(ratio_of_means({}, {}), std::invalid_argument);

  // Chi-square with 2 df is exponential with mean 2: P(X >= 2) = e^-1.
  CHECK(mhsim::analysis::chi_square_upper_tail(2.0, 2) == Approx(std::exp(-1.0)));
  CHECK(std::isnan(mhsim::analysis::chi_square_upper_tail(2.0, 0)));
  CHECK(std::isnan(mhsim::analysis::chi_square_upper_tail(std::numeric_limits<double>::infinity(), 3)));
}
