// SPDX-License-Identifier: MIT
#include "cli/args.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/version.hpp>

#include "models/scenario/keys.hpp"
#include "pipeline/version.hpp"


namespace mhsim::cli {

namespace {

/// `mhsim --version`, `-V` and `mhsim version`: the version (git describe, as every results
/// file records it in mhsim_version), the compiler and Boost (recorded there too), and CLI11.
std::string version_text() {
  std::string boost = BOOST_LIB_VERSION;
  std::replace(boost.begin(), boost.end(), '_', '.');
#if defined(__clang__)
  const std::string compiler = __VERSION__;  // "Debian Clang 14.0.6"
#elif defined(__GNUC__)
  const std::string compiler = std::string("GCC ") + __VERSION__;  // GCC's is the bare number
#else
  const std::string compiler = __VERSION__;
#endif
  return std::string("mhsim ") + mhsim::version() + "\ncompiler " + compiler + "\nBoost " + boost +
         ", CLI11 " + CLI11_VERSION;
}

/// Edit distance between `a` and `b` (case ignored), a swap of neighbours counting as one
/// edit (optimal string alignment): "rn" -> "run" is 1, "reprot" -> "report" is 1.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const auto low = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = low(a[i - 1]) == low(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

/// The message for a command that is not one of `names`: the nearest by edit distance when it
/// is close enough (one edit for names of up to five letters, two for longer ones, and never
/// as many edits as the typed word has letters), else the list of commands.
std::string unknown_command(const std::string& given, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = 0;
  for (const std::string& n : names) {
    const std::size_t d = edit_distance(given, n);
    if (best.empty() || d < best_distance) {
      best = n;
      best_distance = d;
    }
  }
  const std::size_t allowed = best.size() <= 5 ? 1 : 2;
  if (!best.empty() && best_distance <= allowed && best_distance < given.size()) {
    return "mhsim: unknown command '" + given + "'; did you mean '" + best + "'?\n";
  }
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return "mhsim: unknown command '" + given + "'; the commands are " + list + " (see mhsim --help)\n";
}

/// Every line of `text` begun with "mhsim: ", so that every error message says where it is from.
std::string with_prefix(const std::string& text) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out += "mhsim: " + line + "\n";
  }
  return out;
}

}  // namespace

Args parse_args(int argc, const char* const* argv) {
  Args a;
  CLI::App app{"mhsim: discrete-event Monte Carlo simulation of care pathways and contracts", "mhsim"};
  app.set_version_flag("--version,-V", version_text(), "Print the version and the build's compiler and libraries, and exit");
  app.require_subcommand(1);
  // CLI11's own errors ("The following argument was not expected: --x") as the program's:
  // "mhsim: ..." and where to look.
  app.failure_message([](const CLI::App* top, const CLI::Error& e) {
    std::string command = "mhsim";
    for (const CLI::App* sub : top->get_subcommands()) command += " " + sub->get_name();
    return with_prefix(e.what()) + "mhsim: see '" + command + " --help'\n";
  });
  app.footer("Exit codes: 0 success; 1 the run or a read or write failed; 2 bad scenario, options or request; "
             "3 a reproduction's calibration target missed (mhsim reproduce); 130 interrupted.\n"
             "Example (in the source tree):\n  mhsim run scenarios/default.toml --out results/default.h5");

  RunOptions& run = a.run;
  for (int i = 0; i < argc; ++i) run.command_line += (i ? " " : "") + std::string(argv[i]);
  CLI::App* run_cmd = app.add_subcommand("run", "Run a scenario's replications and write results to HDF5");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required()->type_name("FILE");
  // Ranges come from the scenario keys' own declarations.
  const std::string reps_range = mhsim::scenario::key("run.replications").range;
  const std::string seed_range = mhsim::scenario::key("run.seed").range;
  run_cmd->add_option("--reps,-r", run.reps, "Replications, an integer in " + reps_range + " (default: the scenario's run.replications)")->type_name("INT");
  run_cmd->add_option("--seed,-s", run.seed, "Master seed, an integer in " + seed_range + " (default: the scenario's run.seed)")->type_name("INT");
  run_cmd->add_option("--threads,-t", run.threads, "Worker threads (default: all hardware threads)")->type_name("INT");
  run_cmd->add_option("--out,-o", run.out, "Results file to write (HDF5)")->capture_default_str()->type_name("FILE");
  run_cmd->add_flag("--quiet,-q", run.quiet, "No progress output on stderr");
  run_cmd->add_flag("--resume", run.resume, "Continue an interrupted run from <out>.partial");
  run_cmd->add_option("--variant", run.variant, "Run this [variants.<name>] of the scenario (its numbers replace the base values)")->type_name("NAME");
  run_cmd->add_option("--set", run.sets,
                      "Set a scenario key for this run, key=value (repeat): any key of `mhsim keys`, such as "
                      "arms.block.gatekeeping=0.4, services.cmht.capacity=1500 or run.years=5; applied after --variant, "
                      "checked like the file, and recorded in the results")->type_name("KEY=VALUE");
  run_cmd->add_option("--shard", run.shard, "Run only shard i of N (i/N, e.g. 0/4) for array jobs; join with mhsim merge")->type_name("I/N");

  std::vector<std::string>& merge_inputs = a.merge_inputs;
  std::string& merge_out = a.merge_out;
  CLI::App* merge_cmd = app.add_subcommand("merge", "Join shard files of one run into a single results file");
  // A missing shard is a bad command line (exit 2), not a failed merge (1); the type already
  // says FILE, so the check adds nothing to the help.
  CLI::Validator existing_file = CLI::ExistingFile;
  existing_file.description("");
  merge_cmd->add_option("inputs", merge_inputs, "Shard files (any order)")->required()->type_name("FILE")->check(existing_file);
  merge_cmd->add_option("--out,-o", merge_out, "Merged results file")->required()->type_name("FILE");

  std::string& validate_path = a.validate_path;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a scenario file without running it");
  validate_cmd->add_option("scenario", validate_path, "Scenario file (TOML)")->required()->type_name("FILE");

  // --excel on every command that writes CSV: one process-wide switch (analysis::set_excel_csv).
  const auto excel_flag = [&a](CLI::App* cmd) {
    cmd->add_flag("--excel", a.excel,
                  "Begin each CSV file (and CSV on standard output) with a UTF-8 byte order mark, so that Excel on "
                  "Windows shows \"£\" and not \"Â£\" (default: no mark)");
  };

  SweepOptions& sweep = a.sweep;
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep", "Re-settle a run's stored ledgers over a grid of contract terms (no re-simulation)");
  sweep_cmd->add_option("scenario", sweep.scenario, "Scenario file (TOML) the results were run from")->required()->type_name("FILE");
  sweep_cmd->add_option("--results", sweep.results, "Results file of `mhsim run` on this scenario (HDF5)")->required()->type_name("FILE");
  sweep_cmd->add_option("--set", sweep.sets,
                        "Term to vary: arms.<arm>.contracts.<contract>.<key>=from:to:step (or =a,b,c or =v), or a "
                        "partner's opening reserves, partners.<partner>.reserves=from:to:step; repeat for a grid")
      ->required()->type_name("TERM=VALUES");
  sweep_cmd->add_option("--out,-o", sweep.out, "CSV file to write (default: standard output)")->type_name("FILE");
  excel_flag(sweep_cmd);
  sweep_cmd->add_option("--per-replication", sweep.per_replication,
                        "HDF5 file of every settled payout: per combination, arm, replication, year and partner, with "
                        "the combination's term values (docs/results-schema.md)")->type_name("FILE");
  sweep_cmd->add_option("--horizon", sweep.overrides.horizon,
                        "Years of the agreement the risk columns cover, from the first (default: analysis.horizon_years, else every simulated year)")->type_name("YEARS");
  sweep_cmd->add_option("--risk-level", sweep.overrides.risk_level, "Level of value at risk, expected shortfall and reserves needed (default: analysis.risk_level, 0.95)")->type_name("NUMBER");
  sweep_cmd->add_option("--reserve", sweep.overrides.reserves, "A partner's opening reserves: partner=pounds (repeat; default: partners.<name>.reserves)")->type_name("PARTNER=POUNDS");

  sweep.command_line = run.command_line;

  DesignOptions& design = a.design;
  CLI::App* design_cmd = app.add_subcommand(
      "design", "Search a grid of contract terms over a run's stored ledgers for terms that meet a board's constraints, "
                "with the frontier between the commissioner's saving and the worst partner's risk");
  design_cmd->add_option("scenario", design.scenario, "Scenario file (TOML) the results were run from")->required()->type_name("FILE");
  design_cmd->add_option("--results", design.results, "Results file of `mhsim run` on this scenario (HDF5)")->required()->type_name("FILE");
  design_cmd->add_option("--arm", design.arm, "Arm whose terms are designed")->required()->type_name("NAME");
  design_cmd->add_option("--set", design.sets, "Term to vary, as for sweep: arms.<arm>.contracts.<contract>.<key>=from:to:step or partners.<partner>.reserves=from:to:step (repeat)")
      ->required()->type_name("TERM=VALUES");
  design_cmd->add_option("--max-exhaustion", design.max_exhaustion, "Most P(reserves exhausted) any partner may bear (default 0.05)")->type_name("NUMBER");
  design_cmd->add_option("--max-cash-exhaustion", design.max_cash_exhaustion, "Most P(cash position below 0 in some quarter) any partner may bear (default: no limit)")->type_name("NUMBER");
  design_cmd->add_option("--min-gain", design.min_gain, "Least expected gain/pain, pounds over the agreement, any partner may have (default 0)")->type_name("POUNDS");
  design_cmd->add_option("--budget", design.overrides.budget, "Commissioner's budget, pounds a year: expected spend over the agreement at most this x years (default: analysis.commissioner_budget)")->type_name("POUNDS");
  design_cmd->add_option("--horizon", design.overrides.horizon, "Years of the agreement (default: analysis.horizon_years, else every simulated year)")->type_name("YEARS");
  design_cmd->add_option("--reserve", design.overrides.reserves, "A partner's opening reserves: partner=pounds (repeat; default: partners.<name>.reserves)")->type_name("PARTNER=POUNDS");
  design_cmd->add_option("--out,-o", design.out, "CSV of every combination with its constraints and frontier flags")->type_name("FILE");
  excel_flag(design_cmd);
  design_cmd->add_option("--html", design.html, "Also write the run's HTML report (as mhsim report --html) with a section on the design: the constraints, every combination's saving and worst risk, and the frontier")->type_name("FILE");
  design_cmd->add_option("--json", design.json, "Also write that report's JSON document, with the design as its `design` object (docs/analysis.md)")->type_name("FILE");
  design_cmd->add_option("--assets", design.assets, "The report/ directory with template.html, report.js and node_modules (default: $MHSIM_REPORT_ASSETS, else share/mhsim/report beside an installed mhsim, else the source tree's)")->type_name("DIR");

  SettleOptions& settle = a.settle;
  CLI::App* settle_cmd = app.add_subcommand(
      "settle", "Settle one arm's contract terms on a ledger you supply (year-end actuals, tidy CSV), as a run settles its own");
  settle_cmd->add_option("scenario", settle.scenario, "Scenario file (TOML) with the contract terms")->required()->type_name("FILE");
  settle_cmd->add_option("--ledger", settle.ledger, "Ledger CSV with columns year, partner, service, quantity, value (docs/contracts.md)")->required()->type_name("FILE");
  settle_cmd->add_option("--arm", settle.arm, "Arm whose contracts are settled")->required()->type_name("NAME");
  settle_cmd->add_option("--set", settle.sets, "A contract term to set first: arms.<arm>.contracts.<contract>.<key>=value (repeat), e.g. an alliance's target in pounds")->type_name("TERM=VALUE");
  settle_cmd->add_option("--out,-o", settle.out, "Directory to write partner_payouts.csv and arm_payouts.csv into")->type_name("DIR");
  excel_flag(settle_cmd);

  // Analysis settings shared by report and compare (override the scenario's [analysis]).
  const auto analysis_options = [](CLI::App* cmd, AnalysisOverrides& o) {
    cmd->add_option("--wtp", o.wtp, "Willingness to pay, pounds per unit of effect, comma-separated (default: analysis.willingness_to_pay)")->type_name("POUNDS,...");
    cmd->add_option("--discount-rate", o.discount_rate, "Yearly discount rate of costs and effects (default: analysis.discount_rate, 0.035)")->type_name("NUMBER");
    cmd->add_option("--horizon", o.horizon, "Years analysed, from the first (default: every simulated year)")->type_name("YEARS");
    cmd->add_option("--effect", o.effect, "Effect of the ICER, NMB and CEAC: qalys or wemwbs_points")->type_name("qalys|wemwbs_points");
    cmd->add_option("--cost-basis", o.cost_basis, "Cost of the comparison: ledger or commissioner_spend")->type_name("ledger|commissioner_spend");
    cmd->add_option("--base-arm", o.base_arm, "Arm the others are compared with (default: analysis.base_arm, else the first)")->type_name("NAME");
    cmd->add_option("--risk-level", o.risk_level, "Level of value at risk and expected shortfall (default 0.95)")->type_name("NUMBER");
    cmd->add_option("--budget", o.budget, "Commissioner's budget, pounds a year (default: analysis.commissioner_budget)")->type_name("POUNDS");
    cmd->add_option("--reserve", o.reserves, "A partner's reserves against painshare over the horizon: partner=pounds (repeat)")->type_name("PARTNER=POUNDS");
  };

  ReportOptions& report = a.report;
  CLI::App* report_cmd = app.add_subcommand(
      "report", "Analyse a results file: HTML report, JSON and CSV summaries (distributions, paired differences, "
                "cost-effectiveness, risk, sensitivity, convergence)");
  report_cmd->add_option("results", report.results, "Results files of `mhsim run` on pathway scenarios (HDF5): the first is reported in full; with several (variants, sensitivity runs, before and after a change of terms) the report also sets them side by side")->required()->type_name("FILE");
  report_cmd->add_option("--label", report.labels, "A name for each results file in the side-by-side comparison, in the same order, comma-separated or repeated (default: the file names)")
      ->delimiter(',')->allow_extra_args(false)->type_name("NAME");
  report_cmd->add_option("--explorer-max-replications", report.explorer_max_replications, "The terms explorer (--html) carries the run's ledgers only up to this many replications, so that the page stays responsive; 0 leaves it out (default 2000)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1000000000}));
  report_cmd->add_option("--chart-samples", report.chart_samples, "Above this many replications the page's histograms and exceedance curves are drawn from min(this, 1,000) order statistics per series and the cost-effectiveness plane from this many evenly spaced replications, so that the page stays small; tables and probabilities still use every replication, and --json keeps them all; 0 never thins (default 2000)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1000000000}));
  report_cmd->add_option("--html", report.html, "Self-contained HTML report to write")->type_name("FILE");
  report_cmd->add_option("--json", report.json, "JSON summary to write (the report's data)")->type_name("FILE");
  report_cmd->add_option("--csv", report.csv, "Directory to write the CSV tables into")->type_name("DIR");
  report_cmd->add_option("--replications", report.replications,
                         "Tidy CSV of every replication: one row per arm, replication, year, metric and partner with "
                         "its value (cost, QALYs, commissioner's spend, each partner's cost, payment, margin, gain/pain "
                         "and painshare; docs/analysis.md)")->type_name("FILE");
  excel_flag(report_cmd);
  report_cmd->add_option("--h5", report.h5, "HDF5 file to write the value-of-information tables into (EVPPI, its convergence, risk attribution)")->type_name("FILE");
  report_cmd->add_option("--assets", report.assets, "The report/ directory with template.html, report.js and node_modules (default: $MHSIM_REPORT_ASSETS, else share/mhsim/report beside an installed mhsim, else the source tree's)")->type_name("DIR");
  report_cmd->add_flag("--quiet,-q", report.quiet, "Do not list the files written");
  analysis_options(report_cmd, report.overrides);

  CompareOptions& compare = a.compare;
  CLI::App* compare_cmd = app.add_subcommand("compare", "Print a results file's arms side by side with paired differences, cost-effectiveness and risk");
  compare_cmd->add_option("results", compare.results, "Results file of `mhsim run` on a pathway scenario (HDF5)")->required()->type_name("FILE");
  compare_cmd->add_option("--arms", compare.arms, "Arms to show, comma-separated; the first is the base (default: all)")->type_name("NAME,...");
  compare_cmd->add_option("--csv", compare.csv, "Also write the CSV tables into this directory")->type_name("DIR");
  excel_flag(compare_cmd);
  compare_cmd->add_option("--json", compare.json, "Also write the JSON summary")->type_name("FILE");
  analysis_options(compare_cmd, compare.overrides);

  CalibrateOptions& calibrate = a.calibrate;
  CLI::App* calibrate_cmd = app.add_subcommand(
      "calibrate", "Fit scenario numbers to target statistics (NLopt's Nelder-Mead, Subplex or BOBYQA; common random numbers) and write the "
                   "calibrated scenario");
  calibrate_cmd->add_option("scenario", calibrate.scenario, "Pathway scenario file (TOML)")->required()->type_name("FILE");
  calibrate_cmd->add_option("--targets", calibrate.targets, "Targets file: [parameters.*] to fit and [targets.*] (docs/calibration.md)")->required()->type_name("FILE");
  calibrate_cmd->add_option("--out,-o", calibrate.out, "Calibrated scenario to write: the scenario's text with the fitted values in place")->type_name("FILE");
  calibrate_cmd->add_option("--reps,-r", calibrate.reps, "Replications per evaluation, the same at each (default: the scenario's run.replications)")->type_name("INT");
  calibrate_cmd->add_option("--threads,-t", calibrate.threads, "Worker threads (default: all hardware threads)")->type_name("INT");
  calibrate_cmd->add_option("--max-evaluations", calibrate.max_evaluations, "Evaluations of the objective at most")->capture_default_str()->type_name("INT");
  calibrate_cmd->add_option("--method", calibrate.method, "Minimiser (NLopt's): nelder-mead (the simplex method), subplex (Nelder-Mead on subspaces, steadier when the objective is noisy) or bobyqa (bounded quadratic models, fewest evaluations when it is smooth)")
      ->capture_default_str()->check(CLI::IsMember({"nelder-mead", "subplex", "bobyqa"}))->type_name("METHOD");
  calibrate_cmd->add_option("--seed,-s", calibrate.seed, "Master seed (default: the scenario's run.seed)")->type_name("INT");
  calibrate_cmd->add_option("--parameters", calibrate.parameters, "Fit only these [parameters.<name>], comma-separated (default: all); the others keep the scenario's values")->type_name("NAME,...");
  calibrate_cmd->add_option("--variant", calibrate.variant, "Calibrate this [variants.<name>] of the scenario, with the targets for it; a fitted key the variant sets is written in its table")->type_name("NAME");
  calibrate_cmd->add_flag("--leave-one-out", calibrate.leave_one_out, "Also refit without each calibration target in turn (from the fitted values, at most --max-evaluations each) and report how well the refit predicts it");

  ReproduceOptions& reproduce = a.reproduce;
  CLI::App* reproduce_cmd = app.add_subcommand(
      "reproduce", "Run a reference scenario and print its published targets against the simulated values (target, "
                   "source, simulated mean and 95% CI, tolerance, met)");
  reproduce_cmd->add_option("what", reproduce.what, "A shipped reproduction (lambeth, stockport) or a scenario file")->required()->type_name("NAME|FILE");
  reproduce_cmd->add_option("--targets", reproduce.targets, "Targets file (default: <scenario>.targets.toml beside the scenario)")->type_name("FILE");
  reproduce_cmd->add_option("--variant", reproduce.variant, "Only this variant (default: every variant the scenario declares)")->type_name("NAME");
  reproduce_cmd->add_option("--reps,-r", reproduce.reps, "Replications (default: the scenario's run.replications)")->type_name("INT");
  reproduce_cmd->add_option("--threads,-t", reproduce.threads, "Worker threads (default: all hardware threads)")->type_name("INT");
  reproduce_cmd->add_option("--seed,-s", reproduce.seed, "Master seed (default: the scenario's run.seed)")->type_name("INT");
  reproduce_cmd->add_flag("--tornado", reproduce.tornado, "Also re-simulate each target with each [uncertainty] parameter at its 2.5% and 97.5% quantiles (one-way sensitivity)");

  StressOptions& stress = a.stress;
  CLI::App* stress_cmd = app.add_subcommand(
      "stress", "Run the scenario and each adverse case (its [variants]) on the same people and print, per case, arm "
                "and partner, the risk over the agreement: painshare VaR, P(painshare > reserves), P(reserves "
                "exhausted), the lowest reserve, and the commissioner's spend");
  stress_cmd->add_option("scenario", stress.scenario, "Pathway scenario file with contracts and [variants.<name>] tables")->required()->type_name("FILE");
  stress_cmd->add_option("--cases", stress.cases, "The variants to test, comma-separated (default: every variant)")->type_name("NAME,...");
  stress_cmd->add_option("--reps,-r", stress.reps, "Replications of each case (default: the scenario's run.replications)")->type_name("INT");
  stress_cmd->add_option("--threads,-t", stress.threads, "Worker threads (default: all hardware threads)")->type_name("INT");
  stress_cmd->add_option("--seed,-s", stress.seed, "Master seed of every case (default: the scenario's run.seed)")->type_name("INT");
  stress_cmd->add_option("--out,-o", stress.out, "A new or empty directory to keep stress.csv and each case's results file in")->type_name("DIR");
  excel_flag(stress_cmd);
  stress_cmd->add_option("--html", stress.html, "Also write the base case's HTML report (as mhsim report --html) with a section on the stress tests: per partner and case P(painshare > reserves), VaR, the lowest reserve and the commissioner's spend")->type_name("FILE");
  stress_cmd->add_option("--json", stress.json, "Also write that report's JSON document, with the stress tests as its `stress` object (docs/analysis.md)")->type_name("FILE");
  stress_cmd->add_option("--assets", stress.assets, "The report/ directory with template.html, report.js and node_modules (default: $MHSIM_REPORT_ASSETS, else share/mhsim/report beside an installed mhsim, else the source tree's)")->type_name("DIR");
  stress.command_line = run.command_line;
  analysis_options(stress_cmd, stress.overrides);

  InitOptions& init = a.init;
  CLI::App* init_cmd = app.add_subcommand(
      "init", "Write a scenario for another borough from a template and a few stated inputs: capacities and starting "
              "caseloads scaled with demand, contract amounts and thresholds re-derived from a baseline pass");
  init_cmd->add_option("--population,-p", init.population, "People in the borough")->required()->type_name("PEOPLE");
  init_cmd->add_option("--rate", init.rates, "A need group's new episodes per 1,000 people a year, group=rate (repeat; default: the template's)")->type_name("GROUP=RATE");
  init_cmd->add_option("--capacity", init.capacities, "A service's capacity in slots or beds, service=slots (repeat; default: the template's scaled with demand)")->type_name("SERVICE=SLOTS");
  init_cmd->add_option("--budget", init.budget, "The commissioner's budget, pounds a year (analysis.commissioner_budget; default: the template's scaled with spend)")->type_name("POUNDS");
  init_cmd->add_option("--from", init.from, "The template scenario (default: the shipped default scenario)")->type_name("FILE");
  init_cmd->add_option("--name", init.name, "The scenario's name (default: derived from the population and the template)")->type_name("NAME");
  init_cmd->add_flag("--derived", init.derived,
                     "Also write the contract amounts, KRA levels, reserves and budgets as [derived] rules, so that every run "
                     "re-derives them from the borough as it then is (docs/contracts.md)");
  init_cmd->add_option("--pilot-reps", init.pilot_reps, "Replications of the baseline pass that sizes the contracts (default: 40)")->type_name("INT");
  init_cmd->add_option("--threads,-t", init.threads, "Worker threads (default: all hardware threads)")->type_name("INT");
  init_cmd->add_option("--out,-o", init.out, "The new scenario file (an existing file is never overwritten)")->required()->type_name("FILE");

  CLI::App* keys_cmd = app.add_subcommand("keys", "Print the reference of every scenario key (Markdown)");
  CLI::App* version_cmd = app.add_subcommand("version", "Print the version and the build's compiler and libraries (as --version)");

  // One example per command, on files of the source tree (tests/cli/args_test.cpp checks that
  // each command has one and that the files it names exist).
  const std::string alliance = "arms.living_well.contracts.living_well_alliance";
  const std::vector<std::pair<CLI::App*, std::string>> examples = {
      {run_cmd, "mhsim run scenarios/default.toml --reps 20 --seed 7 --out results/default.h5"},
      {merge_cmd, "mhsim run scenarios/default.toml --shard 0/2 --out s0.h5\n"
                  "  mhsim run scenarios/default.toml --shard 1/2 --out s1.h5\n"
                  "  mhsim merge s0.h5 s1.h5 --out results/default.h5"},
      {validate_cmd, "mhsim validate scenarios/default.toml"},
      {sweep_cmd, "mhsim sweep scenarios/default.toml --results results/default.h5 --set " + alliance +
                      ".share=0.3:0.7:0.1 --out sweep.csv"},
      {design_cmd, "mhsim design scenarios/default.toml --results results/default.h5 --arm living_well --set " + alliance +
                       ".share=0.3:0.7:0.1 --set " + alliance + ".pain_cap=0.05:1:0.05 --html design.html"},
      {settle_cmd, "mhsim settle tests/data/settle/alliance.toml --ledger tests/data/settle/ledger.csv --arm alliance "
                   "--set arms.alliance.contracts.alliance.target=3000000 --out settled"},
      {report_cmd, "mhsim report results/default.h5 --html results/default.html --json results/default.json"},
      {compare_cmd, "mhsim compare results/default.h5 --arms block,living_well"},
      {calibrate_cmd, "mhsim calibrate scenarios/stockport_alliance.toml --targets "
                      "scenarios/stockport_alliance.targets.toml --out calibrated.toml"},
      {reproduce_cmd, "mhsim reproduce lambeth --reps 20"},
      {stress_cmd, "mhsim stress scenarios/default.toml --cases demand_surge,capacity_loss --out stress"},
      {init_cmd, "mhsim init --population 160000 --rate smi=3.5 --out borough.toml"},
      {keys_cmd, "mhsim keys > keys.md"},
      {version_cmd, "mhsim version"},
  };
  for (const auto& [cmd, line] : examples) {
    // A command that reads results/default.h5 starts with the run that writes it.
    const bool needs_run = line.find(" results/default.h5") != std::string::npos &&
                           line.find("--out results/default.h5") == std::string::npos;
    cmd->footer("Example (in the source tree):\n" +
                std::string(needs_run ? "  mhsim run scenarios/default.toml --out results/default.h5\n" : "") + "  " + line);
  }

  // A first word that is no command ("mhsim rn"): CLI11 would say only that a subcommand is
  // required; say which word, and the command it is nearest to.
  if (argc >= 2 && argv[1][0] != '-') {
    const std::string given = argv[1];
    std::vector<std::string> names;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      names.push_back(sub->get_name());
      known = known || sub->check_name(given);
    }
    if (!known) {
      a.err = unknown_command(given, names);
      a.exit_code = kExitBadInput;
      return a;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // What CLI::App::exit would print (help, version, or the error and the hint to --help),
    // kept for the caller to print.
    std::ostringstream out, err;
    const int rc = app.exit(e, out, err);
    a.out = out.str();
    a.err = err.str();
    a.exit_code = rc == 0 ? kExitOk : kExitBadInput;
    return a;
  }
  // An option given an empty value (`--reps ""`, often an unset shell variable) would
  // otherwise read as not given and silently take the default: refuse it, every one at once.
  for (const CLI::App* sub : app.get_subcommands()) {
    for (const CLI::Option* opt : sub->get_options()) {
      if (opt->count() == 0 || opt->get_type_size() == 0) continue;  // not given, or a flag
      for (const std::string& value : opt->results()) {
        if (value.empty()) {
          a.errors.push_back(scenario::Diagnostic{"command line", 0, 0, opt->get_name(), "a value", "\"\""});
          break;
        }
      }
    }
  }
  if (!a.errors.empty()) {
    a.exit_code = kExitBadInput;
    return a;
  }
  if (*version_cmd) {
    a.out = version_text() + "\n";
    a.exit_code = kExitOk;
    return a;
  }
  if (*run_cmd) a.command = Command::kRun;
  else if (*merge_cmd) a.command = Command::kMerge;
  else if (*validate_cmd) a.command = Command::kValidate;
  else if (*keys_cmd) a.command = Command::kKeys;
  else if (*sweep_cmd) a.command = Command::kSweep;
  else if (*settle_cmd) a.command = Command::kSettle;
  else if (*design_cmd) a.command = Command::kDesign;
  else if (*report_cmd) a.command = Command::kReport;
  else if (*compare_cmd) a.command = Command::kCompare;
  else if (*calibrate_cmd) a.command = Command::kCalibrate;
  else if (*reproduce_cmd) a.command = Command::kReproduce;
  else if (*stress_cmd) a.command = Command::kStress;
  else if (*init_cmd) a.command = Command::kInit;
  return a;
}

}  // namespace mhsim::cli
