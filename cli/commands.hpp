// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/text_format.hpp"
#include "pipeline/cluster.hpp"
#include "models/scenario/diagnostics.hpp"

namespace mhsim::analysis {
struct Design;
struct Stress;
}  // namespace mhsim::analysis

namespace mhsim::scenario {
struct PathwayScenario;
struct AnalysisSettings;
}  // namespace mhsim::scenario

namespace mhsim::cli {

/// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      ///< the run failed (simulation or I/O error)
inline constexpr int kExitBadInput = 2;     ///< the scenario or the command line is wrong
inline constexpr int kExitTargetsMissed = 3;  ///< mhsim reproduce: some target not met
inline constexpr int kExitInterrupted = 130;

/// Options of `mhsim run`, as typed: validated by run_command so that their errors are
/// reported together with the scenario's.
struct RunOptions {
  std::string scenario;
  std::string reps;     ///< "" = the scenario's run.replications
  std::string seed;     ///< "" = the scenario's run.seed
  std::string threads;  ///< "" = all hardware threads
  std::string out = "results.h5";
  bool quiet = false;
  bool resume = false;
  std::string shard;    ///< "i/N" or ""
  std::string variant;  ///< "" = the scenario as written; else one of its [variants.<name>]
  std::vector<std::string> sets;  ///< "key=value": scenario keys set for this run (after the variant)
  std::string command_line;
};

/// Settings of the analysis given on the command line (override the scenario's [analysis]),
/// as typed, validated together by the command.
struct AnalysisOverrides {
  std::string wtp;            ///< "20000,30000"
  std::string discount_rate;  ///< "0.035"
  std::string horizon;        ///< years
  std::string effect;         ///< qalys | wemwbs_points
  std::string cost_basis;     ///< ledger | commissioner_spend
  std::string base_arm;       ///< arm name
  std::string risk_level;     ///< e.g. 0.95
  std::string budget;         ///< commissioner budget, pounds a year
  std::vector<std::string> reserves;  ///< "partner=pounds"
};

/// Applies `o` to `s` (the analysis settings of `sc`): a partner's reserves, the horizon,
/// the risk level and the rest, each checked; problems are added to `errors`.
void apply_analysis_overrides(const AnalysisOverrides& o, const scenario::PathwayScenario& sc,
                              scenario::AnalysisSettings& s, std::vector<scenario::Diagnostic>& errors);

/// Options of `mhsim design`.
struct DesignOptions {
  std::string scenario, results;  ///< as for sweep
  std::vector<std::string> sets;  ///< the term space: axes as for sweep
  std::string arm;                ///< the arm whose terms are designed
  std::string max_exhaustion;     ///< "" = 0.05: every partner's P(reserves exhausted) at most this
  std::string max_cash_exhaustion;  ///< "" = no limit: every partner's P(cash position below 0 in a quarter) at most this
  std::string min_gain;           ///< "" = 0: every partner's expected gain/pain over the agreement at least this
  std::string out;                ///< CSV of every combination ("" = none)
  AnalysisOverrides overrides;    ///< --horizon, --risk-level, --reserve, --budget
  std::string html = {};          ///< the run's HTML report with the design's section ("" = none)
  std::string json = {};          ///< that report's JSON document, with its `design` object ("" = none)
  std::string assets = {};        ///< report/ directory, as for report ("" = $MHSIM_REPORT_ASSETS or the source tree's)
};

/// Options of `mhsim settle`.
struct SettleOptions {
  std::string scenario;           ///< the scenario whose terms are settled
  std::string ledger;             ///< tidy CSV: year, partner, service, quantity, value
  std::string arm;                ///< the arm whose contracts are settled
  std::vector<std::string> sets;  ///< "path=value": contract terms set first, as for sweep
  std::string out;                ///< directory for partner_payouts.csv and arm_payouts.csv ("" = none)
};

/// Options of `mhsim sweep`.
struct SweepOptions {
  std::string scenario;
  std::string results;            ///< the run's results file (its ledgers are re-settled)
  std::vector<std::string> sets;  ///< "path=from:to:step", "path=a,b,c" or "path=v"
  std::string out;                ///< CSV file ("" = standard output)
  AnalysisOverrides overrides;    ///< --horizon, --risk-level and --reserve only
  std::string per_replication = {};  ///< HDF5 file of every settled payout ("" = none)
  std::string command_line = {};     ///< recorded in the per-replication file
};


/// Above this many replications an HTML page (report, design, stress) draws its charts from
/// order statistics and an evenly spaced subset (mhsim report --chart-samples).
inline constexpr std::uint64_t kDefaultChartSamples = 2000;

/// Options of `mhsim report`.
struct ReportOptions {
  /// Results files of `mhsim run`: the first is reported in full; with more, the report also
  /// sets them side by side (each analysed with the same settings).
  std::vector<std::string> results;
  std::vector<std::string> labels;  ///< --label, one per results file ("" = file names)
  /// --explorer-max-replications: the terms explorer carries a run's ledgers only up to this
  /// many replications (0: never), so that a large run's page stays responsive.
  std::uint64_t explorer_max_replications = 2000;
  /// --chart-samples: above this many replications the page's charts draw from order
  /// statistics and an evenly spaced subset instead of every replication (0: never);
  /// --json keeps every replication.
  std::uint64_t chart_samples = kDefaultChartSamples;
  std::string html;      ///< HTML report to write ("" = none)
  std::string json;      ///< JSON summary to write ("" = none)
  std::string csv;       ///< directory for the CSV tables ("" = none)
  std::string h5;        ///< HDF5 file for the value-of-information tables ("" = none)
  std::string replications;  ///< tidy per-replication CSV of the first results file ("" = none)
  std::string assets;    ///< report/ directory ("" = $MHSIM_REPORT_ASSETS, share/mhsim/report or the source tree's)
  bool quiet = false;
  AnalysisOverrides overrides;
};

/// Options of `mhsim compare`.
struct CompareOptions {
  std::string results;
  std::string arms;      ///< "a,b,c": arms to show, the first is the base ("" = all, base from settings)
  std::string csv;       ///< directory for the CSV tables ("" = none)
  std::string json;      ///< JSON summary ("" = none)
  AnalysisOverrides overrides;
};

/// Options of `mhsim calibrate`, as typed (validated with the scenario and targets).
struct CalibrateOptions {
  std::string scenario;
  std::string targets;                ///< targets file (TOML, docs/calibration.md)
  std::string out;                    ///< calibrated scenario to write ("" = none)
  std::string reps;                   ///< "" = the scenario's run.replications
  std::string threads;                ///< "" = all hardware threads
  std::string max_evaluations = "100";
  std::string method = "nelder-mead";  ///< the minimiser: nelder-mead, subplex or bobyqa (NLopt's)
  std::string seed;                   ///< "" = the scenario's run.seed
  std::string variant;                ///< "" = the scenario as written
  std::string parameters;             ///< "a,b": fit only these [parameters.*] ("" = all)
  bool leave_one_out = false;         ///< also refit without each counted calibration target and predict it
};

/// Options of `mhsim reproduce`, as typed.
struct ReproduceOptions {
  std::string what;       ///< a scenario file, or a shipped reproduction's name ("lambeth", "stockport")
  std::string targets;    ///< "" = <scenario>.targets.toml beside the scenario
  std::string variant;    ///< "" = every variant the scenario declares (or the file as written if none)
  std::string reps;       ///< "" = the scenario's run.replications
  std::string threads;    ///< "" = all hardware threads
  std::string seed;       ///< "" = the scenario's run.seed
  bool tornado = false;   ///< also the one-way sensitivity of each target to each uncertain parameter
};

/// Options of `mhsim stress`, as typed.
struct StressOptions {
  std::string scenario;
  std::string cases;      ///< "a,b": these [variants] as the adverse cases ("" = every variant)
  std::string reps;       ///< "" = the scenario's run.replications
  std::string threads;    ///< "" = all hardware threads
  std::string seed;       ///< "" = the scenario's run.seed
  std::string out;        ///< a new or empty directory for stress.csv and each case's results ("" = keep none)
  std::string command_line;
  AnalysisOverrides overrides;
  std::string html = {};    ///< the base run's HTML report with a "Stress tests" section ("" = none)
  std::string json = {};    ///< that report's JSON document, with its `stress` object ("" = none)
  std::string assets = {};  ///< report/ directory, as for report ("" = $MHSIM_REPORT_ASSETS or the source tree's)
};

/// Options of `mhsim init`, as typed.
struct InitOptions {
  std::string population;                 ///< people in the borough (required)
  std::vector<std::string> rates;         ///< "group=per_1000" (repeat)
  std::vector<std::string> capacities;    ///< "service=slots" (repeat)
  std::string budget;                     ///< pounds a year ("" = not stated)
  std::string from;                       ///< the template ("" = the shipped default scenario)
  std::string name;                       ///< scenario.name ("" = derived)
  std::string pilot_reps = "40";          ///< replications of the baseline pass
  std::string threads;                    ///< "" = all hardware threads
  std::string out;                        ///< the new scenario file (never overwritten)
  bool derived = false;                   ///< also write the pass's numbers as [derived] rules
};

/// A command-line integer in [min, max], or a diagnostic naming the flag added to `errors`.
std::optional<std::uint64_t> parse_option(const std::string& text, const char* flag, double min, double max,
                                          std::vector<scenario::Diagnostic>& errors);
/// A finite command-line number in [min, max], or a diagnostic naming the flag (`expected` says
/// what it should be) added to `errors`.
std::optional<double> number_option(const std::string& text, const char* flag, double min, double max,
                                    const std::string& expected, std::vector<scenario::Diagnostic>& errors);

/// Prints each warning on stderr ("warning: file:line:col: key: expected ..., got ...").
void print_warnings(const std::vector<scenario::Diagnostic>& warnings);
/// Prints every diagnostic on stderr, then "mhsim: N errors; nothing was written".
void print_diagnostics(const std::vector<scenario::Diagnostic>& diagnostics);

int run_command(const RunOptions& options, pipeline::Cluster& cluster);
int sweep_command(const SweepOptions& options);
/// Searches a grid of terms over stored ledgers for terms that meet a board's constraints.
int design_command(const DesignOptions& options);
/// design --html/--json: the results file analysed as `mhsim report` does (under the design's
/// overrides), written with the design's section, and `csv` to options.out when it is given,
/// all or nothing. Returns the exit code, having printed any problem.
int write_design_report(const DesignOptions& options, const analysis::Design& design, const std::string& csv);
/// stress --html/--json: the base case's analysis written as `mhsim report` writes it, with
/// the stress tests' section, and each `extra` file (path, text; stress.csv), all or nothing.
/// Returns the exit code, having printed any problem.
int write_stress_report(const StressOptions& options, const analysis::Stress& stress,
                        const std::vector<std::pair<std::string, std::string>>& extra);
/// <the running executable's directory>/../share/mhsim/<what> when that exists (an installed
/// mhsim: `cmake --install` puts the report's assets in share/mhsim/report and the scenarios
/// in share/mhsim/scenarios), else "" (a binary in the build tree, which falls back to the
/// source tree's copies).
std::string installed_data(const std::string& what);
/// Where the shipped scenarios are: $MHSIM_SCENARIO_DIR, else share/mhsim/scenarios beside an
/// installed mhsim, else the source tree's scenarios/.
std::string shipped_scenarios();
/// Checks that the report's assets (template, script, Vega libraries) are where `given` (or
/// $MHSIM_REPORT_ASSETS, or share/mhsim/report beside an installed binary, or the source tree) says, before a long run that would write a report.
void check_report_assets(const std::string& given, std::vector<scenario::Diagnostic>& errors);
/// Settles one arm's terms on a ledger the user supplies (docs/contracts.md).
int settle_command(const SettleOptions& options);
int merge_command(const std::vector<std::string>& inputs, const std::string& out);
int validate_command(const std::string& scenario);
int keys_command();
int report_command(const ReportOptions& options);
int compare_command(const CompareOptions& options);
int calibrate_command(const CalibrateOptions& options);
int reproduce_command(const ReproduceOptions& options);
int stress_command(const StressOptions& options);
int init_command(const InitOptions& options);

}  // namespace mhsim::cli
