// SPDX-License-Identifier: MIT
#include "cli/calibrate.hpp"


#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/math/distributions/chi_squared.hpp>

#include "analysis/analysis_output.hpp"
#include "analysis/calibration.hpp"
#include "analysis/summary.hpp"
#include "cli/commands.hpp"
#include "engine/runner.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/diagnostics.hpp"

namespace mhsim::cli {

namespace {

namespace pw = models::pathway;
using scenario::CalibrationSpec;
using scenario::CalibrationTarget;
using scenario::Diagnostic;
using scenario::StatisticKind;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// One arm's value of a target's statistic in one replication.
double arm_value(const pw::ArmResult& a, const CalibrationTarget& t) {
  const auto year_value = [&](std::size_t y) {
    switch (t.kind) {
      case StatisticKind::kSystemKpi: return a.system[y * pw::kSystemKpis + t.index];
      case StatisticKind::kServiceKpi: return a.service[(y * a.services + t.service) * pw::kServiceKpis + t.index];
      case StatisticKind::kPartnerCost: return a.partner_cost[y * a.partners + t.index];
    }
    return kNaN;
  };
  if (t.year > 0) return year_value(static_cast<std::size_t>(t.year - 1));
  double sum = 0;
  for (std::size_t y = 0; y < a.years; ++y) sum += year_value(y);
  return t.averaged ? sum / static_cast<double>(a.years) : sum;
}

}  // namespace

std::vector<TargetStatistic> simulate_targets(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                                              const std::vector<double>& values, const CalibrationRunOptions& options) {
  const scenario::PathwayScenario run = scenario::with_numbers(sc, spec.keys(), values);
  const std::size_t nt = spec.targets.size();
  const std::size_t nr = static_cast<std::size_t>(options.replications);
  // [replication][target][numerator, denominator]
  std::vector<std::vector<double>> rows(nr);
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
          row[2 * t] = arm_value(result.arms[target.arm], target);
          row[2 * t + 1] = target.relative ? arm_value(result.arms[target.relative_to], target) : 1.0;
        }
        return row;
      },
      [&](std::uint64_t r, std::vector<double>&& row) { rows[static_cast<std::size_t>(r)] = std::move(row); });

  std::vector<TargetStatistic> out(nt);
  const double n = static_cast<double>(nr);
  const double tq = nr > 1 ? analysis::t_critical(0.95, nr - 1) : kNaN;
  for (std::size_t t = 0; t < nt; ++t) {
    // Sums in replication order: the same bits at any thread count.
    double sx = 0, sy = 0;
    for (const auto& row : rows) {
      sx += row[2 * t];
      sy += row[2 * t + 1];
    }
    const double mx = sx / n, my = sy / n;
    TargetStatistic& s = out[t];
    s.mean = mx / my;
    // Delta method for the ratio of means (paired replications): d_r = (x_r - R y_r) / mean(y).
    double ss = 0;
    for (const auto& row : rows) {
      const double d = (row[2 * t] - s.mean * row[2 * t + 1]) / my;
      ss += d * d;
    }
    s.se = nr > 1 ? std::sqrt(ss / (n - 1.0) / n) : kNaN;
    s.ci_low = s.mean - tq * s.se;
    s.ci_high = s.mean + tq * s.se;
  }
  return out;
}

double calibration_objective(const CalibrationSpec& spec, const std::vector<TargetStatistic>& stats) {
  double sum = 0;
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const double r = (stats[t].mean - spec.targets[t].value) / spec.targets[t].tolerance;
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
  const auto to_std = [](const Eigen::VectorXd& x) { return std::vector<double>(x.data(), x.data() + x.size()); };
  const auto residuals = [&](const Eigen::VectorXd& x) {
    Eigen::VectorXd r(nt);
    std::vector<TargetStatistic> stats;
    try {
      stats = simulate_targets(sc, spec, to_std(x), options);
    } catch (const scenario::ScenarioError&) {
      return Eigen::VectorXd(Eigen::VectorXd::Constant(nt, std::numeric_limits<double>::infinity()));
    }
    for (Eigen::Index t = 0; t < nt; ++t) {
      const CalibrationTarget& target = spec.targets[static_cast<std::size_t>(t)];
      r[t] = (stats[static_cast<std::size_t>(t)].mean - target.value) / target.tolerance;
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
      analysis::nelder_mead([&](const Eigen::VectorXd& x) { return residuals(x).squaredNorm(); }, x0, step, nm);
  out.fitted = to_std(fit.x);
  out.objective = fit.f;
  out.evaluations = fit.evaluations;
  out.converged = fit.converged;
  out.jacobian = analysis::finite_difference_jacobian(residuals, fit.x, h, lower, upper);
  out.covariance = analysis::gauss_newton_covariance(out.jacobian);
  for (Eigen::Index i = 0; i < np; ++i) out.se.push_back(std::sqrt(out.covariance(i, i)));
  out.degrees_of_freedom = static_cast<int>(nt - np);
  out.p_value = out.degrees_of_freedom > 0 && std::isfinite(out.objective)
                    ? boost::math::cdf(boost::math::complement(
                          boost::math::chi_squared_distribution<double>(out.degrees_of_freedom), out.objective))
                    : kNaN;
  out.statistics = simulate_targets(sc, spec, out.fitted, options);
  return out;
}

// ---- the command ----------------------------------------------------------------------------

namespace {

std::optional<std::uint64_t> integer_option(const std::string& text, const char* flag, std::uint64_t min,
                                            std::uint64_t max, std::vector<Diagnostic>& errors) {
  bool digits = !text.empty() && text.size() <= 19;
  for (const char c : text) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    const std::uint64_t v = std::stoull(text);
    if (v >= min && v <= max) return v;
  }
  errors.push_back(Diagnostic{"command line", 0, 0, flag,
                              "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]",
                              "\"" + text + "\""});
  return std::nullopt;
}

std::string num(double x, int sig = 6) {
  if (std::isnan(x)) return "-";
  char b[48];
  std::snprintf(b, sizeof b, "%.*g", sig, x);
  return b;
}

std::string pad(const std::string& s, std::size_t width) {
  std::size_t chars = 0;
  for (const char c : s) chars += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  return s + std::string(width > chars ? width - chars : 1, ' ');
}

void emit(std::string line) {
  line.erase(line.find_last_not_of(' ') + 1);
  std::printf("%s\n", line.c_str());
}

}  // namespace

int calibrate_command(const CalibrateOptions& o) {
  std::vector<Diagnostic> errors;
  std::optional<scenario::PathwayScenario> sc;
  try {
    std::ifstream in(o.scenario, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (in && scenario::scenario_model(text.str(), o.scenario) != "pathway") {
      errors.push_back(Diagnostic{o.scenario, 0, 0, "model", "a pathway scenario (model = \"pathway\")",
                                  "another model"});
    } else {
      sc = scenario::load_pathway_scenario(o.scenario);
    }
  } catch (const scenario::ScenarioError& e) {
    errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  std::optional<CalibrationSpec> spec;
  if (o.targets.empty()) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--targets", "a targets file (TOML)", "nothing"});
  } else if (sc) {
    try {
      spec = scenario::load_calibration_targets(o.targets, *sc);
    } catch (const scenario::ScenarioError& e) {
      errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  CalibrationRunOptions run;
  run.replications = sc ? sc->run.replications : 10;
  run.seed = sc ? sc->run.seed : 0;
  run.threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  if (!o.reps.empty()) {
    if (const auto v = integer_option(o.reps, "--reps", 1, 1'000'000, errors)) run.replications = *v;
  }
  if (!o.seed.empty()) {
    if (const auto v = integer_option(o.seed, "--seed", 0, std::numeric_limits<std::uint64_t>::max() / 2, errors)) {
      run.seed = *v;
    }
  }
  if (!o.threads.empty()) {
    if (const auto v = integer_option(o.threads, "--threads", 1, 1024, errors)) run.threads = static_cast<int>(*v);
  }
  if (const auto v = integer_option(o.max_evaluations, "--max-evaluations", 1, 100'000, errors)) {
    run.max_evaluations = static_cast<int>(*v);
  }
  if (!errors.empty()) {
    print_diagnostics(errors);
    return kExitBadInput;
  }

  try {
    std::printf("Calibrating %zu parameter%s of %s to %zu target%s of %s: %llu replications (seed %llu), "
                "common random numbers\n",
                spec->parameters.size(), spec->parameters.size() == 1 ? "" : "s", o.scenario.c_str(),
                spec->targets.size(), spec->targets.size() == 1 ? "" : "s", o.targets.c_str(),
                static_cast<unsigned long long>(run.replications), static_cast<unsigned long long>(run.seed));
    std::fflush(stdout);
    const CalibrationOutcome fit = calibrate_pathway(*sc, *spec, run);

    std::printf("\nFitted parameters (standard errors: Gauss-Newton, (J^T J)^-1 of the standardised residuals)\n");
    emit(pad("parameter", 20) + pad("key", 44) + pad("start", 12) + pad("fitted", 14) + pad("SE", 12) +
         pad("bounds", 20));
    for (std::size_t i = 0; i < spec->parameters.size(); ++i) {
      const scenario::CalibrationParameter& p = spec->parameters[i];
      emit(pad(p.name, 20) + pad(p.key, 44) + pad(num(fit.start[i]), 12) + pad(num(fit.fitted[i], 8), 14) +
           pad(num(fit.se[i], 3), 12) + pad("[" + num(p.low) + ", " + num(p.high) + "]", 20));
    }
    std::printf("\nTargets at the fitted values: mean over replications and 95%% confidence interval\n");
    emit(pad("target", 22) + pad("statistic", 46) + pad("target value", 14) + pad("tolerance", 11) +
         pad("simulated", 12) + pad("95% CI", 24) + pad("met", 5) + "source");
    std::size_t met = 0;
    for (std::size_t t = 0; t < spec->targets.size(); ++t) {
      const CalibrationTarget& g = spec->targets[t];
      const TargetStatistic& s = fit.statistics[t];
      const bool ok = std::fabs(s.mean - g.value) <= g.tolerance;
      met += ok;
      std::string what = g.statistic + " " + sc->spec.arms[g.arm].name;
      if (g.relative) what += "/" + sc->spec.arms[g.relative_to].name;
      what += g.year > 0 ? " y" + std::to_string(g.year) : " all";
      emit(pad(g.name, 22) + pad(what, 46) + pad(num(g.value), 14) + pad(num(g.tolerance), 11) + pad(num(s.mean), 12) +
           pad("[" + num(s.ci_low) + ", " + num(s.ci_high) + "]", 24) + pad(ok ? "yes" : "no", 5) + g.source);
    }
    std::printf("\nGoodness of fit: objective sum((simulated - target) / tolerance)^2 = %s (start %s); %zu of %zu "
                "targets within tolerance\n",
                num(fit.objective).c_str(), num(fit.objective_start).c_str(), met, spec->targets.size());
    if (fit.degrees_of_freedom > 0) {
      std::printf("Chi-square-like: %s on %d degree%s of freedom (targets - parameters), P(chi2 >= it) = %s\n",
                  num(fit.objective).c_str(), fit.degrees_of_freedom, fit.degrees_of_freedom == 1 ? "" : "s",
                  num(fit.p_value, 3).c_str());
    } else {
      std::printf("Chi-square-like: no degrees of freedom (as many targets as parameters): an exact fit is expected\n");
    }
    std::printf("Nelder-Mead: %d evaluations, %s\n", fit.evaluations,
                fit.converged ? "converged" : "stopped at --max-evaluations before converging");

    if (!o.out.empty()) {
      std::vector<std::string> comments;
      std::string names;
      for (const CalibrationTarget& g : spec->targets) names += (names.empty() ? "" : ", ") + g.name;
      const std::string targets_name = std::filesystem::path(o.targets).filename().string();
      for (std::size_t i = 0; i < spec->parameters.size(); ++i) {
        comments.push_back("calibrated: mhsim calibrate to " + names + " (" + targets_name + "; was " +
                           num(spec->parameters[i].scenario_value, 15) + ", SE " + num(fit.se[i], 3) + ", " +
                           std::to_string(run.replications) + " replications, seed " + std::to_string(run.seed) + ")");
      }
      const std::string text = scenario::calibrated_text(*sc, spec->keys(), fit.fitted, comments);
      (void)scenario::parse_pathway_scenario(text, o.out);  // the written file must load
      analysis::write_file_atomically(o.out, text);
      std::printf("Wrote %s\n", o.out.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim calibrate: %s\n", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace mhsim::cli
