// SPDX-License-Identifier: MIT
// `mhsim reproduce`: runs a reference scenario (each of its variants) and prints its published
// targets against the simulated values (docs/reproductions.md). The targets file is the one
// `mhsim calibrate` fits to; here nothing is fitted.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/calibrate.hpp"
#include "cli/commands.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/variants.hpp"

namespace mhsim::cli {

namespace {

namespace fs = std::filesystem;
using scenario::Diagnostic;

bool is_targets_file(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() > 13 && name.compare(name.size() - 13, 13, ".targets.toml") == 0;
}

/// The scenario file `what` names: a path, or <dir>/<what>.toml, or the one <dir>/<what>_*.toml.
std::optional<std::string> resolve_scenario(const std::string& what, std::vector<Diagnostic>& errors) {
  if (fs::is_regular_file(what)) return what;
  const fs::path dir = shipped_scenarios();
  std::vector<fs::path> found;
  std::vector<std::string> names;
  std::error_code ec;
  if (fs::is_regular_file(dir / (what + ".toml"))) return (dir / (what + ".toml")).string();
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const fs::path& p = e.path();
    if (!e.is_regular_file() || p.extension() != ".toml" || is_targets_file(p)) continue;
    const fs::path targets = fs::path(p).replace_extension(".targets.toml");
    if (!fs::is_regular_file(targets)) continue;
    const std::string stem = p.stem().string();
    names.push_back(stem);
    if (stem.rfind(what + "_", 0) == 0) found.push_back(p);
  }
  if (found.size() == 1) return found.front().string();
  std::sort(names.begin(), names.end());
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  errors.push_back(Diagnostic{"command line", 0, 0, "what",
                              "a scenario file, or a reproduction in " + dir.string() +
                                  (list.empty() ? std::string(" (there is none)") : " (" + list + ")"),
                              "\"" + what + "\"" + (found.size() > 1 ? ", which names several" : "")});
  return std::nullopt;
}

std::string num(double x) {
  if (std::isnan(x)) return "-";
  char b[48];
  std::snprintf(b, sizeof b, "%.4g", x);
  return b;
}

/// One-way sensitivity: each target with each uncertain parameter at its 2.5% and 97.5%
/// quantiles (the others at their base values), same replications and seed.
void print_tornado(const scenario::PathwayScenario& sc, const scenario::CalibrationSpec& spec,
                   const std::vector<TargetStatistic>& base, const CalibrationRunOptions& run) {
  const auto& ps = sc.uncertainty.parameters;
  if (ps.empty()) {
    std::printf("\nTornado: the scenario has no [uncertainty] parameters to vary.\n");
    return;
  }
  struct Swing {
    std::string parameter;
    double low_value, high_value;
    std::vector<double> low, high;
  };
  std::vector<Swing> swings;
  for (const scenario::UncertainParameter& p : ps) {
    Swing s;
    s.parameter = p.name + " (" + p.key + ")";
    for (const double q : {0.025, 0.975}) {
      double x = p.quantile(q);
      if (p.integer) x = std::nearbyint(x);
      // Every key of the parameter takes the value (one quantity in several places).
      const std::vector<std::string> keys = p.keys.empty() ? std::vector<std::string>{p.key} : p.keys;
      const scenario::PathwayScenario at = scenario::with_numbers(sc, keys, std::vector<double>(keys.size(), x));
      std::vector<double> means;
      for (const TargetStatistic& t : simulate_scenario_targets(at, spec, run)) means.push_back(t.mean);
      (q < 0.5 ? s.low_value : s.high_value) = x;
      (q < 0.5 ? s.low : s.high) = std::move(means);
    }
    swings.push_back(std::move(s));
  }
  std::printf("\nTornado: each target with one [uncertainty] parameter at its 2.5%% and 97.5%% quantiles, the others "
              "at their base values (re-simulated, same replications and seed); largest swing first\n");
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const scenario::CalibrationTarget& g = spec.targets[t];
    std::printf("\n  %s: %s (base %s, target %s %s)\n", g.name.c_str(), describe_statistic(sc, g).c_str(),
                num(base[t].mean).c_str(), num(g.value).c_str(), g.criterion().c_str());
    std::vector<std::size_t> order(swings.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto swing = [&](std::size_t i) { return std::fabs(swings[i].high[t] - swings[i].low[t]); };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return swing(a) > swing(b); });
    for (const std::size_t i : order) {
      const Swing& s = swings[i];
      std::printf("    %-60s %10s -> %-10s  at %s .. %s%s\n", s.parameter.c_str(), num(s.low[t]).c_str(),
                  num(s.high[t]).c_str(), num(s.low_value).c_str(), num(s.high_value).c_str(),
                  g.met(s.low[t]) && g.met(s.high[t]) ? "" : "  (target missed at a bound)");
    }
  }
}

}  // namespace

int reproduce_command(const ReproduceOptions& o) {
  std::vector<Diagnostic> errors;
  const std::optional<std::string> path = resolve_scenario(o.what, errors);
  std::optional<scenario::PathwayScenario> sc;
  if (path) sc = load_pathway_for_command(*path, errors);
  std::string targets = o.targets;
  if (path && targets.empty()) targets = fs::path(*path).replace_extension(".targets.toml").string();
  std::vector<std::string> variants;
  if (sc) {
    if (!o.variant.empty()) {
      variants.push_back(o.variant);
    } else {
      for (const scenario::ScenarioVariant& v : sc->variants) variants.push_back(v.name);
      if (variants.empty()) variants.emplace_back();
    }
  }
  // Every variant and its targets are checked before anything runs.
  std::vector<scenario::PathwayScenario> runs;
  std::vector<scenario::CalibrationSpec> specs;
  for (const std::string& v : variants) {
    try {
      runs.push_back(v.empty() ? *sc : scenario::apply_variant(*sc, v));
      specs.push_back(scenario::load_calibration_targets(targets, runs.back(), v, false));
    } catch (const std::invalid_argument& e) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--variant", "a variant the scenario declares", e.what()});
      break;
    } catch (const scenario::ScenarioError& e) {
      errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
      break;
    }
  }
  CalibrationRunOptions run;
  read_run_options(o.reps, o.seed, o.threads, sc ? &*sc : nullptr, run, errors);
  if (!errors.empty()) {
    print_diagnostics(errors);
    return kExitBadInput;
  }

  std::size_t met = 0, total = 0, calibration_met = 0, calibration_total = 0, held_met = 0, held_total = 0;
  try {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const scenario::PathwayScenario& r = runs[i];
      std::printf("%s%s\n", i == 0 ? "" : "\n", r.name.c_str());
      if (!variants[i].empty()) {
        for (const scenario::ScenarioVariant& v : sc->variants) {
          if (v.name == variants[i] && !v.description.empty()) std::printf("  %s\n", v.description.c_str());
        }
      }
      std::printf("  %s, targets %s: %llu replications (seed %llu) at the scenario's values; 95%% CI over "
                  "replications (Student t; delta method for ratios)\n\n",
                  path->c_str(), targets.c_str(), static_cast<unsigned long long>(run.replications),
                  static_cast<unsigned long long>(run.seed));
      std::fflush(stdout);
      // The scenario runs as written (its fitted values); the targets file's parameters only
      // say what was fitted, and give the held-out predictions their parameter uncertainty.
      const scenario::CalibrationSpec& spec = specs[i];
      const std::vector<TargetStatistic> stats = simulate_scenario_targets(r, spec, run);
      const std::size_t n_calibrate = spec.count(scenario::TargetRole::kCalibrate);
      const std::size_t n_validate = spec.count(scenario::TargetRole::kValidate);
      std::printf("Calibration targets (fitted by mhsim calibrate or derived from them): simulated mean, its 95%% CI, and "
                  "the share of single replications inside the tolerance (1 run in)\n");
      const std::size_t m = print_target_table(r, spec, stats);
      std::printf("\n%zu of %zu calibration targets met\n", m, n_calibrate);
      print_accounting(spec, spec.parameters.size());
      std::size_t p = 0;
      if (n_validate > 0) {
        Eigen::MatrixXd jacobian(static_cast<Eigen::Index>(spec.targets.size()), 0), covariance;
        if (!spec.parameters.empty()) {
          std::vector<double> at;
          for (const scenario::CalibrationParameter& q : spec.parameters) at.push_back(q.scenario_value);
          jacobian = pipeline::target_jacobian(r, spec, at, run);
          covariance = pipeline::calibration_covariance(spec, jacobian);
        }
        std::printf("\n");
        p = print_prediction_table(r, spec, stats, pipeline::predict_targets(spec, stats, jacobian, covariance),
                                   !spec.parameters.empty());
        std::printf("\n%zu of %zu held-out targets inside their prediction interval\n", p, n_validate);
      }
      std::printf("\n%zu of %zu targets met%s\n", m + p, spec.targets.size(),
                  variants[i].empty() ? "" : (" (variant " + variants[i] + ")").c_str());
      met += m + p;
      total += spec.targets.size();
      calibration_met += m;
      calibration_total += n_calibrate;
      held_met += p;
      held_total += n_validate;
      if (o.tornado) print_tornado(r, spec, stats, run);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: reproduce: %s\n", e.what());
    return kExitFailure;
  }
  if (runs.size() > 1) {
    std::printf("\nAll variants: %zu of %zu targets met (calibration %zu of %zu; held out %zu of %zu inside their "
                "prediction interval)\n",
                met, total, calibration_met, calibration_total, held_met, held_total);
  }
  // A calibration target missed means the scenario no longer reproduces what it was fitted to:
  // exit 3. A held-out target outside its prediction interval is a finding, reported above.
  return calibration_met == calibration_total ? kExitOk : kExitTargetsMissed;
}

}  // namespace mhsim::cli
