// SPDX-License-Identifier: MIT
#include "pipeline/calibration_runs.hpp"

#include <cmath>
#include <limits>
#include <utility>

#include "analysis/calibration.hpp"
#include "engine/runner.hpp"
#include "models/pathway/pathway.hpp"
#include "models/pathway/statistics.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/variants.hpp"

namespace mhsim::pipeline {

namespace {
namespace pw = models::pathway;
using scenario::CalibrationSpec;
using scenario::CalibrationTarget;
}  // namespace

std::vector<TargetStatistic> simulate_targets(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                                              const std::vector<double>& values, const CalibrationRunOptions& options) {
  return simulate_scenario_targets(scenario::with_numbers(sc, spec.keys(), spec.key_values(values)), spec, options);
}

std::vector<TargetStatistic> simulate_scenario_targets(const scenario::PathwayScenario& run, const CalibrationSpec& spec,
                                                       const CalibrationRunOptions& options) {
  const std::size_t nt = spec.targets.size();
  const std::size_t nr = static_cast<std::size_t>(options.replications);
  // [target][replication]: numerator and denominator (1 for a plain mean).
  std::vector<std::vector<double>> x(nt, std::vector<double>(nr)), y(nt, std::vector<double>(nr));
  engine::Runner::Options ro;
  ro.seed = options.seed;
  ro.order = engine::Runner::first(options.replications);
  ro.threads = options.threads;
  engine::Runner(ro).run<std::vector<double>>(
      [&](const engine::ReplicationContext& rep) {
        const pw::PathwayResult result = pw::simulate_pathway(run.spec, rep.streams());
        std::vector<double> row(2 * nt);
        for (std::size_t t = 0; t < nt; ++t) {
          const CalibrationTarget& target = spec.targets[t];
          const pw::ArmResult& arm = result.arms[target.arm];
          row[2 * t] = pw::statistic_value(arm, target.terms, target.year);
          row[2 * t + 1] = target.relative          ? pw::statistic_value(result.arms[target.relative_to], target.terms, target.year)
                           : target.per_terms.empty() ? 1.0
                                                      : pw::statistic_value(arm, target.per_terms, target.year);
        }
        return row;
      },
      [&](std::uint64_t r, std::vector<double>&& row) {
        for (std::size_t t = 0; t < nt; ++t) {
          x[t][static_cast<std::size_t>(r)] = row[2 * t];
          y[t][static_cast<std::size_t>(r)] = row[2 * t + 1];
        }
      });
  std::vector<TargetStatistic> out(nt);
  for (std::size_t t = 0; t < nt; ++t) {
    const analysis::RatioEstimate e = analysis::ratio_of_means(x[t], y[t]);
    out[t] = TargetStatistic{e.mean, e.se, e.ci_low, e.ci_high};
  }
  return out;
}

double calibration_objective(const CalibrationSpec& spec, const std::vector<TargetStatistic>& stats) {
  double sum = 0;
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const double r = spec.targets[t].residual(stats[t].mean);
    sum += r * r;
  }
  return std::isfinite(sum) ? sum : std::numeric_limits<double>::infinity();
}

CalibrationOutcome calibrate_pathway(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                                     const CalibrationRunOptions& options) {
  const Eigen::Index np = static_cast<Eigen::Index>(spec.parameters.size());
  const Eigen::Index nt = static_cast<Eigen::Index>(spec.targets.size());
  Eigen::VectorXd x0(np), step(np), lower(np), upper(np), h(np);
  double x_tolerance = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < np; ++i) {
    const scenario::CalibrationParameter& p = spec.parameters[static_cast<std::size_t>(i)];
    x0[i] = p.start;
    lower[i] = p.low;
    upper[i] = p.high;
    step[i] = 0.1 * (p.high - p.low);
    h[i] = 0.01 * (p.high - p.low);
    x_tolerance = std::min(x_tolerance, 1e-4 * (p.high - p.low));
  }
  const auto to_std = [](const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); };
  const auto residuals = [&](const Eigen::VectorXd& v) {
    Eigen::VectorXd r(nt);
    std::vector<TargetStatistic> stats;
    try {
      stats = simulate_targets(sc, spec, to_std(v), options);
    } catch (const scenario::ScenarioError&) {
      return Eigen::VectorXd(Eigen::VectorXd::Constant(nt, std::numeric_limits<double>::infinity()));
    }
    for (Eigen::Index t = 0; t < nt; ++t) {
      const CalibrationTarget& target = spec.targets[static_cast<std::size_t>(t)];
      r[t] = target.residual(stats[static_cast<std::size_t>(t)].mean);
    }
    return r;
  };

  CalibrationOutcome out;
  out.start = to_std(x0);
  out.objective_start = residuals(x0).squaredNorm();
  analysis::NelderMeadOptions nm;
  nm.max_evaluations = options.max_evaluations;
  nm.f_tolerance = 1e-6;
  nm.x_tolerance = x_tolerance;
  nm.lower = lower;
  nm.upper = upper;
  const analysis::NelderMeadResult fit =
      analysis::nelder_mead([&](const Eigen::VectorXd& v) { return residuals(v).squaredNorm(); }, x0, step, nm);
  out.fitted = to_std(fit.x);
  out.objective = fit.f;
  out.evaluations = fit.evaluations;
  out.converged = fit.converged;
  out.jacobian = analysis::finite_difference_jacobian(residuals, fit.x, h, lower, upper);
  out.covariance = analysis::gauss_newton_covariance(out.jacobian);
  out.se = analysis::standard_errors(out.covariance);
  out.degrees_of_freedom = static_cast<int>(nt - np);
  out.p_value = analysis::chi_square_upper_tail(out.objective, out.degrees_of_freedom);
  out.statistics = simulate_targets(sc, spec, out.fitted, options);
  return out;
}

}  // namespace mhsim::pipeline
