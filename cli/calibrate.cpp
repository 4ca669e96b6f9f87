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
#include "cli/commands.hpp"
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

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

std::size_t print_target_table(const scenario::PathwayScenario& sc, const CalibrationSpec& spec,
                               const std::vector<TargetStatistic>& stats) {
  std::size_t width = 10;
  for (const CalibrationTarget& g : spec.targets) width = std::max(width, describe_statistic(sc, g).size() + 2);
  width = std::min<std::size_t>(width, 90);
  emit(pad("target", 26) + pad("statistic", width) + pad("target value", 14) + pad("tolerance", 12) +
       pad("simulated", 12) + pad("95% CI", 26) + pad("met", 5) + "source");
  std::size_t met = 0;
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const CalibrationTarget& g = spec.targets[t];
    const TargetStatistic& s = stats[t];
    const bool ok = g.met(s.mean);
    met += ok;
    const std::string what = describe_statistic(sc, g);
    // At least two spaces between columns, also after a statistic wider than its column.
    emit(pad(g.name, 26) + (g.name.size() + 1 >= 26 ? " " : "") + pad(what, width) + (what.size() + 1 >= width ? " " : "") +
         pad(num(g.value), 14) +
         pad(g.criterion(), 12) +
         pad(num(s.mean), 12) + pad("[" + num(s.ci_low) + ", " + num(s.ci_high) + "]", 26) + pad(ok ? "yes" : "no", 5) +
         g.source);
  }
  return met;
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
  if (!errors.empty()) {
    print_diagnostics(errors);
    return kExitBadInput;
  }

  try {
    std::printf("Calibrating %zu parameter%s of %s%s to %zu target%s of %s: %llu replications (seed %llu), "
                "common random numbers\n",
                spec->parameters.size(), spec->parameters.size() == 1 ? "" : "s", o.scenario.c_str(),
                o.variant.empty() ? "" : (" (variant " + o.variant + ")").c_str(), spec->targets.size(),
                spec->targets.size() == 1 ? "" : "s", o.targets.c_str(),
                static_cast<unsigned long long>(run.replications), static_cast<unsigned long long>(run.seed));
    std::fflush(stdout);
    const CalibrationOutcome fit = calibrate_pathway(*sc, *spec, run);

    std::printf("\nFitted parameters (standard errors: Gauss-Newton, (J^T J)^-1 of the standardised residuals)\n");
    emit(pad("parameter", 24) + pad("key", 44) + pad("start", 12) + pad("fitted", 14) + pad("SE", 12) +
         pad("bounds", 20));
    for (std::size_t i = 0; i < spec->parameters.size(); ++i) {
      const scenario::CalibrationParameter& p = spec->parameters[i];
      const std::string key = p.multiplier ? "x (" + p.key + ")" : p.key;
      emit(pad(p.name, 24) + pad(key, 44) + pad(num(fit.start[i]), 12) + pad(num(fit.fitted[i], 8), 14) +
           pad(num(fit.se[i], 3), 12) + pad("[" + num(p.low) + ", " + num(p.high) + "]", 20));
    }
    std::printf("\nTargets at the fitted values: mean over replications and 95%% confidence interval\n");
    const std::size_t met = print_target_table(*sc, *spec, fit.statistics);
    std::printf("\nGoodness of fit: objective sum(1.96 (simulated - target) / tolerance)^2 = %s (start %s); %zu of %zu "
                "targets met\n",
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
      std::string names;
      for (const CalibrationTarget& g : spec->targets) names += (names.empty() ? "" : ", ") + g.name;
      if (spec->targets.size() > 4) names = "the " + std::to_string(spec->targets.size()) + " targets";
      const std::string targets_name = std::filesystem::path(o.targets).filename().string();
      const std::vector<double> values = spec->key_values(fit.fitted);
      std::vector<std::string> comments;
      std::size_t k = 0;
      for (std::size_t i = 0; i < spec->parameters.size(); ++i) {
        const scenario::CalibrationParameter& p = spec->parameters[i];
        for (std::size_t j = 0; j < p.keys.size(); ++j, ++k) {
          const std::string& key = p.keys[j];
          const std::string leaf = key.substr(key.find_last_of('.') + 1);
          const std::string was = num(p.key_values[j], 15);
          comments.push_back(p.multiplier ? leaf + " x " + num(fit.fitted[i], 6) + " of " + was + " (" + p.name + ", SE " +
                                                num(fit.se[i], 3) + ")"
                                          : leaf + " was " + was + " (SE " + num(fit.se[i], 3) + ")");
          if (!o.variant.empty() && !scenario::variant_sets(*file_sc, o.variant, key)) {
            std::printf("Note: variant %s does not set %s: the fitted value replaces the base value, which every "
                        "variant without its own value shares\n",
                        o.variant.c_str(), key.c_str());
          }
        }
      }
      const std::string prefix = "calibrated: mhsim calibrate to " + names + " of " + targets_name +
                                 (o.variant.empty() ? "" : ", variant " + o.variant) + " (" +
                                 std::to_string(run.replications) + " replications, seed " + std::to_string(run.seed) +
                                 "): ";
      const std::string text = scenario::calibrated_text(*file_sc, spec->keys(), values, comments, o.variant, prefix);
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
