// SPDX-License-Identifier: MIT
// `mhsim stress`: the question a board asks before signing. Runs the scenario as written (the
// base) and each named adverse case (its [variants]: a demand surge, a capacity loss, a bad
// year ...) with the same seed, so every case sees the same people (common random numbers),
// and prints per case, arm and partner the risk over the agreement: mean margin, the
// painshare's VaR, P(painshare > reserves), P(reserves exhausted) and the lowest reserve, with
// the commissioner's spend. Each case is a whole run (`mhsim run` with the variant), analysed
// with the one definition `mhsim report` uses (analysis::analyse_pathway).

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include <unistd.h>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "analysis/analysis_output.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/results_analysis.hpp"
#include "analysis/results_file.hpp"
#include "analysis/stress.hpp"
#include "cli/commands.hpp"
#include "cli/text.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/keys.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/variants.hpp"
#include "pipeline/derived.hpp"
#include "pipeline/model_runs.hpp"
#include "pipeline/replications.hpp"

namespace mhsim::cli {
namespace {

using scenario::Diagnostic;

using Case = analysis::StressCase;

const analysis::RiskRow* find_row(const Case& c, const std::string& arm, const std::string& partner) {
  for (const analysis::RiskRow& r : c.analysis.risk) {
    if (r.arm == arm && r.partner == partner) return &r;
  }
  return nullptr;
}

void print_cases(const analysis::Stress& stress) {
  const std::vector<Case>& cases = stress.cases;
  const analysis::Analysis& base = cases.front().analysis;
  const std::string level = percent(base.settings.risk_level);
  std::printf("\nOver the agreement (%llu year%s), per replication; cash pounds, undiscounted. VaR and P at risk level %s.\n",
              static_cast<unsigned long long>(base.settings.horizon_years), base.settings.horizon_years == 1 ? "" : "s",
              level.c_str());
  std::vector<std::vector<std::string>> table = {{"case", "arm", "partner", "mean margin", "mean painshare",
                                                  "painshare VaR", "reserves", "P(pain > reserves)",
                                                  "P(exhausted)", "lowest reserve (mean)"}};
  const auto rows = analysis::stress_shown_rows(stress);
  for (const auto& [arm, partner] : rows) {
    if (partner == "commissioner") continue;
    for (const Case& c : cases) {
      const analysis::RiskRow* r = find_row(c, arm, partner);
      if (r == nullptr) continue;
      table.push_back({c.name, arm, partner, money(r->mean_margin), money(r->mean_painshare), money(r->var),
                       r->reserve ? money(*r->reserve) : "not stated",
                       r->p_above_reserve ? percent(*r->p_above_reserve) : "-",
                       r->p_exhausted ? percent(*r->p_exhausted) : "-",
                       r->lowest_reserve ? money(r->lowest_reserve->mean) : "-"});
    }
  }
  print_table(table, 3);
  std::printf("\nThe commissioner's spend over the agreement\n");
  std::vector<std::vector<std::string>> spend = {{"case", "arm", "mean spend", "spend VaR", "change from base"}};
  for (const auto& [arm, partner] : rows) {
    if (partner != "commissioner") continue;
    for (const Case& c : cases) {
      const analysis::RiskRow* r = find_row(c, arm, partner);
      if (r == nullptr) continue;
      const std::optional<double> change = analysis::change_from_base(stress, c, *r);
      spend.push_back({c.name, arm, money(r->mean_payment), money(r->var), change ? money(*change) : "-"});
    }
  }
  print_table(spend, 2);
}

// The terms are signed before the adverse case happens: an alliance whose target is set from
// another arm's simulated cost keeps the base case's target, year by year, in every case
// (rather than one re-set from that case's own reference arm). Prints the targets held.
std::vector<std::string> fix_targets(std::vector<scenario::PathwayScenario>& runs,
                                     const analysis::ResolvedTerms& signed_terms) {
  std::vector<std::string> held;
  namespace ct = models::contracts;
  for (std::size_t a = 0; a < runs.front().contracts.size(); ++a) {
    const std::vector<ct::Contract>& base = runs.front().contracts[a].terms.contracts;
    for (std::size_t k = 0; k < base.size(); ++k) {
      const auto* rule_of = std::get_if<ct::AllianceTerms>(&base[k].terms);
      const auto* resolved = std::get_if<ct::AllianceTerms>(&signed_terms.arms[a].contracts[k].terms);
      if (rule_of == nullptr || resolved == nullptr || !rule_of->target_rule ||
          rule_of->target_rule->kind != ct::TargetRule::Kind::kArmCost) {
        continue;
      }
      std::string years;
      for (const double t : resolved->target_cost_by_year) years += (years.empty() ? "" : ", ") + money(t);
      held.push_back("alliance " + base[k].name + " (arm " + runs.front().spec.arms[a].name +
                     "): target held at the base case's " + years + " a year in every case");
      std::printf("  %s\n", held.back().c_str());
      for (std::size_t r = 1; r < runs.size(); ++r) {
        auto& terms = std::get<ct::AllianceTerms>(runs[r].contracts[a].terms.contracts[k].terms);
        terms.target_rule = ct::TargetRule{ct::TargetRule::Kind::kFixed, resolved->target_cost};
        terms.target_cost = resolved->target_cost;
        terms.target_cost_by_year = resolved->target_cost_by_year;
      }
    }
  }
  return held;
}

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

int stress_command(const StressOptions& o) {
  std::vector<Diagnostic> errors;
  std::optional<std::uint64_t> reps, seed, threads;
  if (!o.reps.empty()) reps = parse_option(o.reps, "--reps", 1, scenario::limits::kMaxReplications, errors);
  if (!o.seed.empty()) seed = parse_option(o.seed, "--seed", 0, scenario::limits::kMaxSeed, errors);
  if (!o.threads.empty()) threads = parse_option(o.threads, "--threads", 1, 1024, errors);
  std::error_code ec;
  if (!o.out.empty() && std::filesystem::exists(o.out, ec) &&
      (!std::filesystem::is_directory(o.out, ec) || !std::filesystem::is_empty(o.out, ec))) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--out", "a new or empty directory (nothing in it is overwritten)",
                                "\"" + o.out + "\", which " +
                                    (std::filesystem::is_directory(o.out, ec) ? "is not empty" : "is a file")});
  }
  // The report's files: each a file (not a directory), not the same one; the assets there
  // before the cases run, not after.
  if (!o.html.empty() || !o.json.empty()) {
    for (const auto& [flag, path] : {std::pair<const char*, const std::string*>{"--html", &o.html}, {"--json", &o.json}}) {
      if (!path->empty() && std::filesystem::is_directory(*path, ec)) {
        errors.push_back(Diagnostic{"command line", 0, 0, flag, "a file name", "\"" + *path + "\", a directory"});
      }
    }
    if (o.html == o.json) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--json", "a file other than --html", "\"" + o.json + "\""});
    }
  }
  if (!o.html.empty()) check_report_assets(o.assets, errors);
  std::optional<scenario::PathwayScenario> sc;
  try {
    sc = scenario::load_pathway_scenario(o.scenario);
  } catch (const scenario::ScenarioError& e) {
    errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  std::vector<std::string> names;
  if (sc) {
    std::vector<std::string> declared;
    for (const scenario::ScenarioVariant& v : sc->variants) declared.push_back(v.name);
    if (declared.empty()) {
      errors.push_back(Diagnostic{o.scenario, 0, 0, "variants",
                                  "[variants.<name>] tables: the adverse cases to test against the scenario as written",
                                  "none"});
    }
    names = o.cases.empty() ? declared : split(o.cases, ',');
    std::set<std::string> seen;
    for (const std::string& n : names) {
      if (std::find(declared.begin(), declared.end(), n) == declared.end()) {
        errors.push_back(Diagnostic{"command line", 0, 0, "--cases", "variants of the scenario (" + (declared.empty() ? std::string("none") : names_list(declared)) + ")",
                                    "\"" + n + "\""});
      } else if (!seen.insert(n).second) {
        errors.push_back(Diagnostic{"command line", 0, 0, "--cases", "each case once", "\"" + n + "\" twice"});
      }
    }
    if (!analysis::has_contracts(sc->contracts)) {
      errors.push_back(Diagnostic{o.scenario, 0, 0, "arms.<arm>.contracts",
                                  "contracts in some arm (stress tests report the partners' risk under them)", "none"});
    }
  }
  const int n_threads = threads ? static_cast<int>(*threads)
                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<scenario::PathwayScenario> runs;
  if (errors.empty()) {
    try {
      // [derived] numbers from one baseline pass of the scenario without a variant (at the
      // run's seed): every case is then a what-if against the same terms.
      if (!sc->derived.empty()) {
        if (seed) sc->run.seed = *seed;
        sc = pipeline::with_derived(*sc, n_threads);
      }
      runs.push_back(*sc);
      for (const std::string& n : names) runs.push_back(scenario::apply_variant(*sc, n));
      for (scenario::PathwayScenario& r : runs) {
        if (reps) r.run.replications = *reps;
        if (seed) r.run.seed = *seed;
      }
      // Reserves and other analysis settings from the command line apply to every case.
      for (scenario::PathwayScenario& r : runs) apply_analysis_overrides(o.overrides, r, r.analysis, errors);
    } catch (const scenario::ScenarioError& e) {
      errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
    } catch (const std::invalid_argument& e) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--cases", "variants that apply to the scenario", e.what()});
    }
  }
  if (!errors.empty()) {
    print_diagnostics(errors);
    return kExitBadInput;
  }

  const bool keep = !o.out.empty();
  std::error_code existed_ec;
  const bool existed = keep && std::filesystem::is_directory(o.out, existed_ec);
  const std::filesystem::path dir =
      keep ? std::filesystem::path(o.out)
           : std::filesystem::temp_directory_path() / ("mhsim-stress-" + std::to_string(::getpid()));
  // Everything in `dir` is this command's (it was new or empty): on failure or interrupt it
  // goes, so nothing partial is left (an empty directory given stays).
  const auto discard = [&] {
    std::filesystem::remove_all(dir, ec);
    if (existed) std::filesystem::create_directory(dir, ec);
  };
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_stop_signal);
  analysis::Stress stress;
  stress.scenario_file = sc->file;
  stress.replications = runs.front().run.replications;
  stress.seed = runs.front().run.seed;
  std::vector<Case>& cases = stress.cases;
  try {
    std::filesystem::create_directories(dir);
    std::printf("Stress tests of %s: %llu replications each, seed %llu, %d thread%s; every case sees the same people "
                "(common random numbers)\n",
                sc->file.c_str(), static_cast<unsigned long long>(runs.front().run.replications),
                static_cast<unsigned long long>(runs.front().run.seed), n_threads, n_threads == 1 ? "" : "s");
    for (std::size_t k = 0; k < runs.size(); ++k) {
      Case c;
      c.name = k == 0 ? "base" : names[k - 1];
      for (const scenario::ScenarioVariant& v : sc->variants) {
        if (k > 0 && v.name == c.name) c.description = v.description;
      }
      std::fprintf(stderr, "mhsim stress: running case \"%s\" (%zu of %zu)\n", c.name.c_str(), k + 1, runs.size());
      const std::string out = (dir / (c.name + ".h5")).string();
      pipeline::RunConfig config;
      config.out = out;
      config.threads = n_threads;
      config.command_line = o.command_line;
      config.cancel = &g_stop;
      const pipeline::RunOutcome outcome = pipeline::run_pathway(runs[k], config);
      if (!outcome.completed) {
        discard();
        std::fprintf(stderr, "mhsim: interrupted; nothing was kept\n");
        return kExitInterrupted;
      }
      std::printf("  %-14s %6.2f s  %s\n", c.name.c_str(), outcome.wall_seconds,
                  k == 0 ? "the scenario as written" : c.description.c_str());
      std::fflush(stdout);  // each case as it finishes, also through a pipe
      const analysis::ResultsReader file(out);
      c.analysis = analysis::analyse_pathway(file, out, runs[k], runs[k].analysis);
      cases.push_back(std::move(c));
      if (k == 0) {
        stress.held_targets =
            fix_targets(runs, analysis::resolve_terms(runs[0].spec, runs[0].contracts, std::vector<std::string>{out}));
      }
    }
    print_cases(stress);
    std::fflush(stdout);
    const std::string csv = analysis::stress_csv(stress);
    if (g_stop.load()) {  // a signal after the last case finished: still nothing is kept
      discard();
      std::fprintf(stderr, "mhsim: interrupted; nothing was kept\n");
      return kExitInterrupted;
    }
    if (!o.html.empty() || !o.json.empty()) {
      // stress.csv, the report and its JSON together, all or nothing (analysis::OutputFiles).
      std::vector<std::pair<std::string, std::string>> extra;
      if (keep) extra.emplace_back((dir / "stress.csv").string(), csv);
      if (const int code = write_stress_report(o, stress, extra); code != kExitOk) {
        discard();
        return code;
      }
    } else if (keep) {
      analysis::write_file_atomically((dir / "stress.csv").string(), analysis::csv_file_text(csv));
    }
    if (!o.html.empty()) std::printf("\n%s: the base case's report with the stress tests\n", o.html.c_str());
    if (!o.json.empty()) std::printf("%s%s: the report's document with the stress tests\n", o.html.empty() ? "\n" : "",
                                     o.json.c_str());
    if (keep) {
      std::printf("\nResults: %s (stress.csv, and one results file a case for mhsim report)\n", dir.string().c_str());
    } else {
      std::filesystem::remove_all(dir, ec);
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: stress test failed: %s; nothing was kept\n", e.what());
    discard();
    return kExitFailure;
  }
}

}  // namespace mhsim::cli
