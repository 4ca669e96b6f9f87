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
#include "cli/commands.hpp"
#include "cli/text.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/keys.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/variants.hpp"
#include "pipeline/model_runs.hpp"
#include "pipeline/replications.hpp"

namespace mhsim::cli {
namespace {

using scenario::Diagnostic;

std::string csv_cell(double x) {
  if (!std::isfinite(x)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}
std::string csv_cell(const std::optional<double>& x) { return x ? csv_cell(*x) : std::string(); }

// One case's analysis, as the table and the CSV show it.
struct Case {
  std::string name, description;
  analysis::Analysis analysis;
};

// The rows a board reads: partners who can bear a painshare in some case, and every
// commissioner row.
std::vector<std::pair<std::string, std::string>> shown_rows(const std::vector<Case>& cases) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::set<std::pair<std::string, std::string>> seen;
  for (const Case& c : cases) {
    for (const analysis::RiskRow& r : c.analysis.risk) {
      const bool shown = r.commissioner || r.p_any_painshare > 0 || (r.p_cap_binds && *r.p_cap_binds > 0);
      if (shown && seen.insert({r.arm, r.partner}).second) rows.emplace_back(r.arm, r.partner);
    }
  }
  return rows;
}

const analysis::RiskRow* find_row(const Case& c, const std::string& arm, const std::string& partner) {
  for (const analysis::RiskRow& r : c.analysis.risk) {
    if (r.arm == arm && r.partner == partner) return &r;
  }
  return nullptr;
}

void print_cases(const std::vector<Case>& cases) {
  const analysis::Analysis& base = cases.front().analysis;
  const std::string level = percent(base.settings.risk_level);
  std::printf("\nOver the agreement (%llu year%s), per replication; cash pounds, undiscounted. VaR and P at risk level %s.\n",
              static_cast<unsigned long long>(base.settings.horizon_years), base.settings.horizon_years == 1 ? "" : "s",
              level.c_str());
  std::vector<std::vector<std::string>> table = {{"case", "arm", "partner", "mean margin", "mean painshare",
                                                  "painshare VaR", "reserves", "P(pain > reserves)",
                                                  "P(exhausted)", "lowest reserve (mean)"}};
  const auto rows = shown_rows(cases);
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
    const analysis::RiskRow* b = find_row(cases.front(), arm, partner);
    for (const Case& c : cases) {
      const analysis::RiskRow* r = find_row(c, arm, partner);
      if (r == nullptr) continue;
      spend.push_back({c.name, arm, money(r->mean_payment), money(r->var),
                       &c == &cases.front() || b == nullptr ? "-" : money(r->mean_payment - b->mean_payment)});
    }
  }
  print_table(spend, 2);
}

std::string cases_csv(const std::vector<Case>& cases) {
  std::string out =
      "case,arm,partner,commissioner,mean_payment,mean_margin,mean_painshare,var,es,reserve,p_above_reserve,"
      "p_any_painshare,p_cap_binds,p_exhausted,lowest_reserve_mean,lowest_reserve_q05,reserves_needed\n";
  for (const Case& c : cases) {
    for (const analysis::RiskRow& r : c.analysis.risk) {
      out += c.name + "," + r.arm + "," + r.partner + "," + (r.commissioner ? "1" : "0") + "," +
             csv_cell(r.mean_payment) + "," + csv_cell(r.mean_margin) + "," + csv_cell(r.mean_painshare) + "," +
             csv_cell(r.var) + "," + csv_cell(r.es) + "," + csv_cell(r.reserve) + "," + csv_cell(r.p_above_reserve) +
             "," + csv_cell(r.p_any_painshare) + "," + csv_cell(r.p_cap_binds) + "," + csv_cell(r.p_exhausted) + "," +
             (r.lowest_reserve ? csv_cell(r.lowest_reserve->mean) : "") + "," +
             (r.lowest_reserve ? csv_cell(r.lowest_reserve->q05) : "") + "," + csv_cell(r.reserves_needed) + "\n";
    }
  }
  return out;
}

// The terms are signed before the adverse case happens: an alliance whose target is set from
// another arm's simulated cost keeps the base case's target, year by year, in every case
// (rather than one re-set from that case's own reference arm). Prints the targets held.
void fix_targets(std::vector<scenario::PathwayScenario>& runs, const analysis::ResolvedTerms& signed_terms) {
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
      std::printf("  alliance %s (arm %s): target held at the base case's %s a year in every case\n",
                  base[k].name.c_str(), runs.front().spec.arms[a].name.c_str(), years.c_str());
      for (std::size_t r = 1; r < runs.size(); ++r) {
        auto& held = std::get<ct::AllianceTerms>(runs[r].contracts[a].terms.contracts[k].terms);
        held.target_rule = ct::TargetRule{ct::TargetRule::Kind::kFixed, resolved->target_cost};
        held.target_cost = resolved->target_cost;
        held.target_cost_by_year = resolved->target_cost_by_year;
      }
    }
  }
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
  std::vector<scenario::PathwayScenario> runs;
  if (errors.empty()) {
    try {
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

  const int n_threads = threads ? static_cast<int>(*threads)
                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
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
  std::vector<Case> cases;
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
      if (k == 0) fix_targets(runs, analysis::resolve_terms(runs[0].spec, runs[0].contracts, std::vector<std::string>{out}));
    }
    print_cases(cases);
    const std::string csv = cases_csv(cases);
    if (keep) {
      analysis::write_file_atomically((dir / "stress.csv").string(), csv);
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
