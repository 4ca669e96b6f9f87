// SPDX-License-Identifier: MIT
#include "cli/calibrate.hpp"


#include <algorithm>
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
#include "analysis/text_format.hpp"
#include "cli/commands.hpp"
#include "cli/text.hpp"
#include "engine/runner.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/variants.hpp"

namespace mhsim::cli {

namespace {

namespace pw = models::pathway;
using scenario::CalibrationSpec;
using scenario::CalibrationTarget;
using scenario::Diagnostic;
using scenario::StatisticKind;


}  // namespace

// ---- the commands --------------------------------------------------------------------------

std::optional<scenario::PathwayScenario> load_pathway_for_command(const std::string& path,
                                                                  std::vector<Diagnostic>& errors) {
  try {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (in && scenario::scenario_model(text.str(), path) != "pathway") {
      errors.push_back(Diagnostic{path, 0, 0, "model", "a pathway scenario (model = \"pathway\")", "another model"});
      return std::nullopt;
    }
    return scenario::load_pathway_scenario(path);
  } catch (const scenario::ScenarioError& e) {
    errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  return std::nullopt;
}

void read_run_options(const std::string& reps, const std::string& seed, const std::string& threads,
                      const scenario::PathwayScenario* sc, CalibrationRunOptions& run, std::vector<Diagnostic>& errors) {
  run.replications = sc != nullptr ? sc->run.replications : 10;
  run.seed = sc != nullptr ? sc->run.seed : 0;
  run.threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  if (!reps.empty()) {
    if (const auto v = parse_option(reps, "--reps", 1, 1e6, errors)) run.replications = *v;
  }
  if (!seed.empty()) {
    if (const auto v = parse_option(seed, "--seed", 0, static_cast<double>(std::numeric_limits<std::uint64_t>::max() / 2), errors)) {
      run.seed = *v;
    }
  }
  if (!threads.empty()) {
    if (const auto v = parse_option(threads, "--threads", 1, 1024, errors)) run.threads = static_cast<int>(*v);
  }
}

namespace {

std::string num(double x, int sig = 6) {
  if (std::isnan(x)) return "-";
  char b[48];
  std::snprintf(b, sizeof b, "%.*g", sig, x);
  return b;
}

}  // namespace

std::string describe_statistic(const scenario::PathwayScenario& sc, const CalibrationTarget& g) {
  std::string what = g.statistic;
  if (!g.per.empty()) what = "(" + what + ") / (" + g.per + ")";
  what += " " + sc.spec.arms[g.arm].name;
  if (g.relative) what += "/" + sc.spec.arms[g.relative_to].name;
  what += g.year > 0 ? " y" + std::to_string(g.year) : " all";
  return what;
}

namespace {

// The calibration tables (analysis::table_text): every column left-aligned; a cell longer than
// kMaxColumn characters (a statistic summing many services' costs) overflows its column on
// its own row instead of widening it for every row.
constexpr std::size_t kLeftAligned = std::numeric_limits<std::size_t>::max();
constexpr std::size_t kMaxColumn = 90;

/// "  <target>: <text>", wrapped to the terminal's width: a target's statistic and source.
std::string target_note(const std::string& name, const std::string& text) {
  return analysis::wrapped_text("  " + name + ": ", text, terminal_width(), 6);
}

/// A calibration table within the terminal's width, then each row's statistic and source.
void print_calibration_table(const std::vector<std::vector<std::string>>& rows, const std::vector<std::string>& notes) {
  std::fputs(analysis::table_text(rows, kLeftAligned, kMaxColumn, terminal_width()).c_str(), stdout);
  if (notes.empty()) return;
  std::printf("\nWhat each target is and where it comes from:\n");
  for (const std::string& n : notes) std::fputs(n.c_str(), stdout);
}

std::string whole_percent(double share) {
  if (std::isnan(share)) return "-";
  char b[16];
  std::snprintf(b, sizeof b, "%.0f%%", 100 * share);
  return b;
}

}  // namespace

std::size_t print_target_table(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                               const std::vector<TargetStatistic>& stats, scenario::TargetRole role) {
  std::vector<std::vector<std::string>> rows = {
      {"target", "target value", "tolerance", "simulated", "95% CI", "1 run in", "met"}};
  std::vector<std::string> notes;
  std::size_t met = 0;
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const CalibrationTarget& g = spec.targets[t];
    if (g.role != role) continue;
    const TargetStatistic& s = stats[t];
    const bool ok = g.met(s.mean);
    met += ok;
    rows.push_back({g.name, num(g.value), g.criterion(), num(s.mean), "[" + num(s.ci_low) + ", " + num(s.ci_high) + "]",
                    whole_percent(s.coverage), ok ? "yes" : "no"});
    notes.push_back(target_note(g.name, describe_statistic(sc, g) + ". " +
                                            (g.by_construction.empty() ? "" : "(by construction) ") + g.source));
  }
  print_calibration_table(rows, notes);
  return met;
}

std::size_t print_prediction_table(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                                   const std::vector<TargetStatistic>& stats,
                                   const std::vector<pipeline::TargetPrediction>& predictions, bool parameters_included) {
  const scenario::TargetRole role = scenario::TargetRole::kValidate;
  std::printf("Predicted, not fitted (held out: role = \"validate\"): the 95%% prediction interval is where the published "
              "figure should fall if the model is right, from the figure's own precision (its tolerance), the Monte Carlo "
              "error%s; met when the figure is inside it\n",
              parameters_included ? " and the fitted parameters' uncertainty (Gauss-Newton, through each target's gradient)"
                                  : "");
  std::vector<std::vector<std::string>> rows = {
      {"target", "target value", "predicted", "95% prediction interval", "z", "1 run in", "met"}};
  std::vector<std::string> notes;
  std::size_t met = 0;
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const CalibrationTarget& g = spec.targets[t];
    if (g.role != role) continue;
    const pipeline::TargetPrediction& p = predictions[t];
    met += p.met;
    rows.push_back({g.name, num(g.value) + (g.bound == scenario::TargetBound::kAbout ? "" : " (" + g.criterion() + ")"),
                    num(stats[t].mean), "[" + num(p.low) + ", " + num(p.high) + "]", num(p.z, 3),
                    whole_percent(stats[t].coverage), p.met ? "yes" : "no"});
    notes.push_back(target_note(g.name, describe_statistic(sc, g) + ". " +
                                            (std::isnan(p.parameter_sd) ? "(parameter uncertainty not determined) " : "") +
                                            g.source));
  }
  print_calibration_table(rows, notes);
  return met;
}

void print_accounting(const CalibrationSpec& spec, std::size_t fitted) {
  const scenario::TargetAccounting c = spec.accounting(scenario::TargetRole::kCalibrate, fitted);
  const scenario::TargetAccounting v = spec.accounting(scenario::TargetRole::kValidate, 0);
  const auto details = [](const scenario::TargetAccounting& a) {
    std::string d;
    const auto add = [&](std::size_t n, const char* what) {
      if (n > 0) d += (d.empty() ? "" : ", ") + std::to_string(n) + " " + what;
    };
    add(a.share_constraints, a.share_constraints == 1 ? "group of shares summing to 1 (counts one fewer)"
                                                     : "groups of shares summing to 1 (each counts one fewer)");
    add(a.by_construction, "by construction");
    add(a.one_sided, "one-sided (a bound, not a figure)");
    return d.empty() ? std::string() : " (not counted: " + d + ")";
  };
  std::printf("Evidence: %zu calibration target%s, %zu independent%s, against %zu fitted parameter%s and %zu number%s "
              "derived from the targets before the fit: %ld degree%s of freedom\n",
              c.figures, c.figures == 1 ? "" : "s", c.independent, details(c).c_str(), c.fitted, c.fitted == 1 ? "" : "s",
              c.derived, c.derived == 1 ? "" : "s", c.degrees_of_freedom(), c.degrees_of_freedom() == 1 ? "" : "s");
  if (c.degrees_of_freedom() <= 0) {
    std::printf("  so meeting the calibration targets is a consistency check, not evidence: as many numbers were fitted "
                "or derived as the targets carry\n");
  }
  std::printf("Held out: %zu target%s predicted, not fitted, %zu independent%s\n", v.figures, v.figures == 1 ? "" : "s",
              v.independent, details(v).c_str());
  for (const scenario::DerivedParameters& d : spec.derived) {
    std::printf("  derived %s: %g number%s, %s\n", d.name.c_str(), d.count, d.count == 1 ? "" : "s", d.source.c_str());
  }
  for (const CalibrationTarget& g : spec.targets) {
    if (!g.by_construction.empty()) std::printf("  by construction %s: %s\n", g.name.c_str(), g.by_construction.c_str());
  }
}

int calibrate_command(const CalibrateOptions& o) {
  std::vector<Diagnostic> errors;
  std::optional<scenario::PathwayScenario> file_sc = load_pathway_for_command(o.scenario, errors);
  std::optional<scenario::PathwayScenario> sc;
  if (file_sc && !o.variant.empty()) {
    try {
      sc = scenario::apply_variant(*file_sc, o.variant);
    } catch (const std::invalid_argument& e) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--variant", "a variant the scenario declares", e.what()});
    } catch (const scenario::ScenarioError& e) {
      errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  } else {
    sc = file_sc;
  }
  if (sc && sc->incentives.on()) {
    errors.push_back(Diagnostic{o.scenario, 0, 0, "incentives",
                                "a scenario whose providers do not respond to their contracts (calibration fits the "
                                "stated behaviour)",
                                "[incentives] with an elasticity that is not 0"});
  }
  std::optional<CalibrationSpec> spec;
  if (o.targets.empty()) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--targets", "a targets file (TOML)", "nothing"});
  } else if (sc) {
    try {
      spec = scenario::load_calibration_targets(o.targets, *sc, o.variant);
    } catch (const scenario::ScenarioError& e) {
      errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  // The honest count charges every parameter the targets file fits, also those --parameters
  // leaves at their (earlier fitted) values.
  const std::size_t file_parameters = spec ? spec->parameters.size() : 0;
  if (spec && !o.parameters.empty()) {
    // Keep only the named parameters, in the file's order; every name must exist.
    std::vector<std::string> wanted;
    for (std::size_t at = 0; at <= o.parameters.size();) {
      const std::size_t comma = std::min(o.parameters.find(',', at), o.parameters.size());
      wanted.push_back(o.parameters.substr(at, comma - at));
      at = comma + 1;
    }
    std::string names;
    for (const scenario::CalibrationParameter& p : spec->parameters) names += (names.empty() ? "" : ", ") + p.name;
    for (const std::string& w : wanted) {
      const bool known = std::any_of(spec->parameters.begin(), spec->parameters.end(),
                                     [&](const scenario::CalibrationParameter& p) { return p.name == w; });
      if (!known) {
        errors.push_back(Diagnostic{"command line", 0, 0, "--parameters",
                                    "names of [parameters.<name>] tables of " + o.targets + " (" + names + ")",
                                    "\"" + w + "\""});
      }
    }
    std::vector<scenario::CalibrationParameter> kept;
    for (const scenario::CalibrationParameter& p : spec->parameters) {
      if (std::find(wanted.begin(), wanted.end(), p.name) != wanted.end()) kept.push_back(p);
    }
    spec->parameters = std::move(kept);
  }
  CalibrationRunOptions run;
  read_run_options(o.reps, o.seed, o.threads, sc ? &*sc : nullptr, run, errors);
  if (const auto v = parse_option(o.max_evaluations, "--max-evaluations", 1, 1e5, errors)) {
    run.max_evaluations = static_cast<int>(*v);
  }
  // CLI11 checked the name (--method); the enum is the minimiser's.
  run.method = o.method == "subplex"  ? analysis::Minimiser::kSubplex
               : o.method == "bobyqa" ? analysis::Minimiser::kBobyqa
                                      : analysis::Minimiser::kNelderMead;
  if (!errors.empty()) {
    print_diagnostics(errors);
    return kExitBadInput;
  }

  try {
    const std::size_t n_fit = spec->count(scenario::TargetRole::kCalibrate);
    const std::size_t n_held = spec->count(scenario::TargetRole::kValidate);
    std::printf("Calibrating %zu parameter%s of %s%s to %zu calibration target%s of %s%s: %llu replications (seed %llu), "
                "common random numbers\n",
                spec->parameters.size(), spec->parameters.size() == 1 ? "" : "s", o.scenario.c_str(),
                o.variant.empty() ? "" : (" (variant " + o.variant + ")").c_str(), n_fit, n_fit == 1 ? "" : "s",
                o.targets.c_str(), n_held == 0 ? "" : (" (" + std::to_string(n_held) + " held out, not fitted)").c_str(),
                static_cast<unsigned long long>(run.replications), static_cast<unsigned long long>(run.seed));
    std::fflush(stdout);
    const CalibrationOutcome fit = calibrate_pathway(*sc, *spec, run);

    std::printf("\nFitted parameters (standard errors: Gauss-Newton, (J^T J)^-1 of the standardised residuals)\n");
    std::vector<std::vector<std::string>> parameters = {{"parameter", "key", "start", "fitted", "SE", "bounds"}};
    for (std::size_t i = 0; i < spec->parameters.size(); ++i) {
      const scenario::CalibrationParameter& p = spec->parameters[i];
      const std::string key = p.multiplier ? "x (" + p.key + ")" : p.key;
      parameters.push_back({p.name, key, num(fit.start[i]), num(fit.fitted[i], 8), num(fit.se[i], 3),
                            "[" + num(p.low) + ", " + num(p.high) + "]"});
    }
    std::fputs(analysis::table_text(parameters, kLeftAligned, kMaxColumn, terminal_width()).c_str(), stdout);
    std::printf("\nCalibration targets at the fitted values: mean over replications, its 95%% confidence interval, and the "
                "share of single replications inside the tolerance (1 run in)\n");
    const std::size_t met = print_target_table(*sc, *spec, fit.statistics);
    const std::size_t n_calibrate = spec->count(scenario::TargetRole::kCalibrate);
    std::printf("\nGoodness of fit: objective sum(1.96 (simulated - target) / tolerance)^2 over the calibration targets = %s "
                "(start %s); %zu of %zu met\n",
                num(fit.objective).c_str(), num(fit.objective_start).c_str(), met, n_calibrate);
    print_accounting(*spec, file_parameters);
    const long dof = spec->accounting(scenario::TargetRole::kCalibrate, file_parameters).degrees_of_freedom();
    if (dof > 0) {
      std::printf("Chi-square-like: %s on %ld degree%s of freedom, P(chi2 >= it) = %s\n", num(fit.objective).c_str(), dof,
                  dof == 1 ? "" : "s",
                  num(analysis::chi_square_upper_tail(fit.objective, static_cast<int>(dof)), 3).c_str());
    } else {
      std::printf("Chi-square-like: no degrees of freedom left, so no test of fit\n");
    }
    std::printf("%s (NLopt): %d evaluations, %s\n", analysis::minimiser_name(run.method), fit.evaluations,
                fit.converged ? "converged" : "stopped at --max-evaluations before converging");
    if (spec->count(scenario::TargetRole::kValidate) > 0) {
      std::printf("\n");
      const std::size_t predicted = print_prediction_table(*sc, *spec, fit.statistics, fit.predictions, true);
      std::printf("\n%zu of %zu held-out targets inside their prediction interval\n", predicted,
                  spec->count(scenario::TargetRole::kValidate));
    }
    if (o.leave_one_out) {
      std::printf("\nLeave-one-out: each counted calibration target left out in turn, the parameters refitted from the "
                  "fitted values without it (at most %d evaluations), and the target predicted by the refit. \"predicted\": "
                  "the figure is inside the refit's 95%% prediction interval and that interval is at most twice the "
                  "tolerance; \"absorbed\": without it the parameters are not determined (the interval is wider, or "
                  "not defined, at the refit or at the full fit, where the target's own gradient shows what it depends "
                  "on), so the model fits it but cannot predict it; \"missed\": outside an interval at most twice the "
                  "tolerance\n",
                  run.max_evaluations);
      std::fflush(stdout);
      const std::vector<pipeline::LeftOut> loo = pipeline::leave_one_out(*sc, *spec, fit, run);
      std::vector<std::vector<std::string>> rows = {{"left out", "target value", "tolerance", "full fit", "refit predicts",
                                                     "95% prediction interval", "z", "width/tol", "at full fit", "refit",
                                                     "verdict"}};
      std::size_t predicted = 0, absorbed = 0, missed = 0;
      for (const pipeline::LeftOut& l : loo) {
        const CalibrationTarget& g = spec->targets[l.target];
        const pipeline::TargetPrediction& p = l.prediction;
        const double ratio = l.width_ratio;
        const char* verdict = pipeline::verdict_name(l.verdict);
        (l.verdict == pipeline::LeftOutVerdict::kPredicted  ? predicted
         : l.verdict == pipeline::LeftOutVerdict::kAbsorbed ? absorbed
                                                            : missed)++;
        rows.push_back({g.name, num(g.value), g.criterion(), num(fit.statistics[l.target].mean), num(l.statistic.mean),
                        "[" + num(p.low) + ", " + num(p.high) + "]", num(p.z, 3), num(ratio, 3),
                        num(l.width_ratio_at_fit, 3), std::to_string(l.evaluations) + (l.converged ? " conv." : " capped"), verdict});
      }
      std::fputs(analysis::table_text(rows, kLeftAligned, kMaxColumn, terminal_width()).c_str(), stdout);
      std::printf("\nLeave-one-out: %zu predicted, %zu absorbed, %zu missed of %zu\n", predicted, absorbed, missed, loo.size());
    }

    if (!o.out.empty()) {
      std::string names;
      std::size_t n_fitted_to = 0;
      for (const CalibrationTarget& g : spec->targets) {
        if (g.role != scenario::TargetRole::kCalibrate) continue;
        names += (names.empty() ? "" : ", ") + g.name;
        ++n_fitted_to;
      }
      if (n_fitted_to > 4) names = "the " + std::to_string(n_fitted_to) + " calibration targets";
      const std::string targets_name = std::filesystem::path(o.targets).filename().string();
      const std::vector<std::string> keys = spec->keys();
      const std::vector<double> values = spec->key_values(fit.fitted);
      // One comment a key: its value before, and each parameter that set or scaled it.
      std::vector<std::string> comments;
      for (const std::string& key : keys) {
        const std::string leaf = key.substr(key.find_last_of('.') + 1);
        std::string was, by;
        for (std::size_t i = 0; i < spec->parameters.size(); ++i) {
          const scenario::CalibrationParameter& p = spec->parameters[i];
          for (std::size_t j = 0; j < p.keys.size(); ++j) {
            if (p.keys[j] != key) continue;
            was = num(p.key_values[j], 15);
            by += p.multiplier ? " x " + num(fit.fitted[i], 6) + " (" + p.name + ", SE " + num(fit.se[i], 3) + ")"
                               : " (SE " + num(fit.se[i], 3) + ")";
          }
        }
        comments.push_back(leaf + " was " + was + by);
        if (!o.variant.empty() && !scenario::variant_sets(*file_sc, o.variant, key)) {
          std::printf("Note: variant %s does not set %s: the fitted value replaces the base value, which every "
                      "variant without its own value shares\n",
                      o.variant.c_str(), key.c_str());
        }
      }
      const std::string prefix = "calibrated: mhsim calibrate to " + names + " of " + targets_name +
                                 (o.variant.empty() ? "" : ", variant " + o.variant) + " (" +
                                 std::to_string(run.replications) + " replications, seed " + std::to_string(run.seed) +
                                 "): ";
      const std::string text = scenario::calibrated_text(*file_sc, keys, values, comments, o.variant, prefix);
      (void)scenario::parse_pathway_scenario(text, o.out);  // the written file must load
      analysis::write_file_atomically(o.out, text);
      std::printf("Wrote %s\n", o.out.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: calibrate: %s\n", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace mhsim::cli
