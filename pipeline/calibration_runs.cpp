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
    std::size_t inside = 0;
    for (std::size_t r = 0; r < nr; ++r) {
      // A replication whose denominator is 0 has no value of its own: not inside.
      if (y[t][r] != 0 && spec.targets[t].met(x[t][r] / y[t][r])) ++inside;
    }
    out[t] = TargetStatistic{e.mean, e.se, e.ci_low, e.ci_high,
                             nr == 0 ? std::numeric_limits<double>::quiet_NaN()
                                     : static_cast<double>(inside) / static_cast<double>(nr)};
  }
  return out;
}

std::vector<TargetPrediction> predict_targets(const CalibrationSpec& spec, const std::vector<TargetStatistic>& stats,
                                              const Eigen::MatrixXd& jacobian, const Eigen::MatrixXd& covariance) {
  std::vector<TargetPrediction> out(spec.targets.size());
  const bool determined = covariance.size() == 0 || covariance.allFinite();
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const CalibrationTarget& g = spec.targets[t];
    const TargetStatistic& s = stats[t];
    TargetPrediction& p = out[t];
    // The figure's own error has SD tolerance / 1.96; the residuals are in units of it.
    const double figure_sd = g.tolerance / 1.96;
    const double mc_var = std::isfinite(s.se) ? s.se * s.se : 0.0;
    double parameter_var = 0;
    if (jacobian.cols() > 0) {
      if (determined && jacobian.rows() == static_cast<Eigen::Index>(spec.targets.size())) {
        const Eigen::RowVectorXd row = jacobian.row(static_cast<Eigen::Index>(t));
        parameter_var = figure_sd * figure_sd * (row * covariance * row.transpose())(0, 0);
        p.parameter_sd = std::sqrt(std::max(parameter_var, 0.0));
      } else {
        p.parameter_sd = std::numeric_limits<double>::quiet_NaN();
        parameter_var = 0;
      }
    }
    const double sd = std::sqrt(figure_sd * figure_sd + mc_var + std::max(parameter_var, 0.0));
    p.low = s.mean - 1.96 * sd;
    p.high = s.mean + 1.96 * sd;
    double z = (g.value - s.mean) / sd;
    if (g.bound == scenario::TargetBound::kAtLeast) z = std::max(z, 0.0);
    if (g.bound == scenario::TargetBound::kAtMost) z = std::min(z, 0.0);
    p.z = z;
    p.met = std::fabs(z) <= 1.96;
  }
  return out;
}

double calibration_objective(const CalibrationSpec& spec, const std::vector<TargetStatistic>& stats) {
  double sum = 0;
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    if (spec.targets[t].role != scenario::TargetRole::kCalibrate) continue;
    const double r = spec.targets[t].residual(stats[t].mean);
    sum += r * r;
  }
  return std::isfinite(sum) ? sum : std::numeric_limits<double>::infinity();
}

namespace {

struct Box {
  Eigen::VectorXd x0, step, lower, upper, h;
  double x_tolerance = std::numeric_limits<double>::infinity();
};

Box box_of(const CalibrationSpec& spec) {
  const Eigen::Index np = static_cast<Eigen::Index>(spec.parameters.size());
  Box b;
  b.x0.resize(np), b.step.resize(np), b.lower.resize(np), b.upper.resize(np), b.h.resize(np);
  for (Eigen::Index i = 0; i < np; ++i) {
    const scenario::CalibrationParameter& p = spec.parameters[static_cast<std::size_t>(i)];
    b.x0[i] = p.start;
    b.lower[i] = p.low;
    b.upper[i] = p.high;
    b.step[i] = 0.1 * (p.high - p.low);
    b.h[i] = 0.01 * (p.high - p.low);
    b.x_tolerance = std::min(b.x_tolerance, 1e-4 * (p.high - p.low));
  }
  return b;
}

std::vector<double> to_std(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

/// Every target's standardised residual at v (infinite where the values make the scenario invalid).
Eigen::VectorXd all_residuals(const scenario::PathwayScenario& sc, const CalibrationSpec& spec, const Eigen::VectorXd& v,
                              const CalibrationRunOptions& options) {
  const Eigen::Index nt = static_cast<Eigen::Index>(spec.targets.size());
  Eigen::VectorXd r(nt);
  std::vector<TargetStatistic> stats;
  try {
    stats = simulate_targets(sc, spec, to_std(v), options);
  } catch (const scenario::ScenarioError&) {
    return Eigen::VectorXd(Eigen::VectorXd::Constant(nt, std::numeric_limits<double>::infinity()));
  }
  for (Eigen::Index t = 0; t < nt; ++t) {
    r[t] = spec.targets[static_cast<std::size_t>(t)].residual(stats[static_cast<std::size_t>(t)].mean);
  }
  return r;
}

/// The rows of the calibration targets.
Eigen::MatrixXd calibration_rows(const CalibrationSpec& spec, const Eigen::MatrixXd& jacobian) {
  std::vector<Eigen::Index> rows;
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    if (spec.targets[t].role == scenario::TargetRole::kCalibrate) rows.push_back(static_cast<Eigen::Index>(t));
  }
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), jacobian.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = jacobian.row(rows[i]);
  return out;
}

}  // namespace

Eigen::MatrixXd calibration_covariance(const CalibrationSpec& spec, const Eigen::MatrixXd& jacobian) {
  return analysis::gauss_newton_covariance(calibration_rows(spec, jacobian));
}

Eigen::MatrixXd target_jacobian(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                                const std::vector<double>& values, const CalibrationRunOptions& options) {
  const Box b = box_of(spec);
  const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  return analysis::finite_difference_jacobian(
      [&](const Eigen::VectorXd& v) { return all_residuals(sc, spec, v, options); }, x, b.h, b.lower, b.upper);
}

CalibrationOutcome calibrate_pathway(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                                     const CalibrationRunOptions& options) {
  const Box b = box_of(spec);
  // The objective sees only the calibration targets (the held-out ones are simulated, not fitted).
  const auto objective = [&](const Eigen::VectorXd& v) {
    try {
      return calibration_objective(spec, simulate_targets(sc, spec, to_std(v), options));
    } catch (const scenario::ScenarioError&) {
      return std::numeric_limits<double>::infinity();  // values the scenario refuses
    }
  };

  CalibrationOutcome out;
  out.start = to_std(b.x0);
  out.objective_start = objective(b.x0);
  analysis::MinimiseOptions nm;
  nm.method = options.method;
  nm.max_evaluations = options.max_evaluations;
  nm.x_tolerance = b.x_tolerance;
  nm.lower = b.lower;
  nm.upper = b.upper;
  const analysis::MinimiseResult fit = analysis::minimise(objective, b.x0, b.step, nm);
  out.fitted = to_std(fit.x);
  out.objective = fit.f;
  out.evaluations = fit.evaluations;
  out.converged = fit.converged;
  out.jacobian = target_jacobian(sc, spec, out.fitted, options);
  out.covariance = calibration_covariance(spec, out.jacobian);
  out.se = analysis::standard_errors(out.covariance);
  out.accounting = spec.accounting(scenario::TargetRole::kCalibrate, spec.parameters.size());
  out.degrees_of_freedom = static_cast<int>(out.accounting.degrees_of_freedom());
  out.p_value = analysis::chi_square_upper_tail(out.objective, out.degrees_of_freedom);
  out.statistics = simulate_targets(sc, spec, out.fitted, options);
  out.predictions = predict_targets(spec, out.statistics, out.jacobian, out.covariance);
  return out;
}

const char* verdict_name(LeftOutVerdict v) noexcept {
  switch (v) {
    case LeftOutVerdict::kPredicted: return "predicted";
    case LeftOutVerdict::kAbsorbed: return "absorbed";
    case LeftOutVerdict::kMissed: break;
  }
  return "missed";
}

namespace {
// A prediction interval's half-width in tolerances of its target; NaN when the parameters'
// share of it is not determined.
double width_over_tolerance(const TargetPrediction& p, const CalibrationTarget& g) {
  return std::isnan(p.parameter_sd) ? std::numeric_limits<double>::quiet_NaN() : (p.high - p.low) / 2 / g.tolerance;
}
}  // namespace

std::vector<LeftOut> leave_one_out(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                                   const CalibrationOutcome& fit, const CalibrationRunOptions& options) {
  std::vector<LeftOut> out;
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const CalibrationTarget& g = spec.targets[t];
    if (g.role != scenario::TargetRole::kCalibrate || !g.counted()) continue;
    CalibrationSpec without = spec;
    without.targets[t].role = scenario::TargetRole::kValidate;  // out of the objective, still simulated
    for (std::size_t i = 0; i < without.parameters.size(); ++i) without.parameters[i].start = fit.fitted[i];
    const CalibrationOutcome refit = calibrate_pathway(sc, without, options);
    LeftOut l;
    l.target = t;
    l.statistic = refit.statistics[t];
    l.prediction = refit.predictions[t];
    const TargetPrediction& p = l.prediction;
    l.width_ratio = width_over_tolerance(p, g);
    // The same question at the full fit, where the target's gradient shows what it depends on.
    l.width_ratio_at_fit =
        fit.jacobian.rows() == static_cast<Eigen::Index>(spec.targets.size())
            ? width_over_tolerance(
                  predict_targets(without, fit.statistics, fit.jacobian, calibration_covariance(without, fit.jacobian))[t], g)
            : std::numeric_limits<double>::quiet_NaN();
    // Not determined without it: where the refit left the parameters says nothing, so
    // neither inside nor outside is a prediction.
    const auto undetermined = [](double w) { return std::isnan(w) || w > 2; };
    l.verdict = (undetermined(l.width_ratio) || undetermined(l.width_ratio_at_fit)) ? LeftOutVerdict::kAbsorbed
                : p.met                                           ? LeftOutVerdict::kPredicted
                                                                  : LeftOutVerdict::kMissed;
    l.fitted = refit.fitted;
    l.evaluations = refit.evaluations;
    l.converged = refit.converged;
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace mhsim::pipeline
