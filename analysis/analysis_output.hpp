// SPDX-License-Identifier: MIT
#pragma once
// An Analysis (analysis/results_analysis.hpp) written out: the JSON document (schema
// "mhsim-analysis/1", docs/analysis.md), CSV tables for spreadsheets, and the
// self-contained HTML report (report/template.html + report/report.js + the Vega libraries
// from npm, inlined). Every file is written to a temporary name and renamed, so a failure
// leaves no partial file and an existing file is replaced only when the new one is whole.

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/results_analysis.hpp"
#include "analysis/results_file.hpp"
#include "analysis/side_by_side.hpp"
#include "analysis/stress.hpp"

namespace mhsim::analysis {

/// The JSON document the report draws from. NaN and infinities are written as null. With a
/// design (`mhsim design --html/--json`), the document also has its `design` object; with
/// stress tests (`mhsim stress --html/--json`, `a` being the base case's analysis), its
/// `stress` object, whose rows carry stress.csv's columns with the same figures.
/// With several results files (`mhsim report a.h5 b.h5 ...`, `a` being the first's analysis),
/// its `runs` object: every file's headline figures, partners' risk and change from the first.
///
/// `chart_limit` (`mhsim report --chart-samples`; 0: no limit): a run of more replications than
/// this carries, instead of every replication in `samples` and `payout_samples` (then empty),
/// the object `chart_samples` with order statistics of every series the charts draw
/// (analysis::quantiles, min(chart_limit, kChartQuantilePoints) points each), and in
/// `paired_samples` only chart_limit evenly spaced replications (analysis::shown_replications)
/// for the cost-effectiveness plane. Every other figure still comes from every replication.
void write_analysis_json(const Analysis& a, std::ostream& out, const Design* design = nullptr,
                         const Stress* stress = nullptr, const SideBySide* runs = nullptr, std::size_t chart_limit = 0);
std::string analysis_json(const Analysis& a, const Design* design = nullptr, const Stress* stress = nullptr,
                          const SideBySide* runs = nullptr, std::size_t chart_limit = 0);

/// Order statistics per chart series when a report's charts are thinned (above).
inline constexpr std::size_t kChartQuantilePoints = 1000;

/// The CSV tables, by file name: summary.csv (every metric by arm), differences.csv,
/// cea.csv (ICER and NMB), ceac.csv, evpi.csv, risk.csv, kra_bands.csv, tornado.csv, psa.csv,
/// evppi.csv, evppi_convergence.csv, risk_attribution.csv, replications_needed.csv. RFC 4180 quoting; numbers with 17 significant digits.
std::vector<std::pair<std::string, std::string>> analysis_csv_tables(const Analysis& a);

/// The tidy per-replication table (`mhsim report --replications FILE`; docs/analysis.md):
/// columns arm, replication, year, metric, partner, unit, value, discount_factor; one row
/// per arm, replication (0-based, as the JSON's samples), year of the analysis's horizon
/// (1-based) and metric, in that order. Each arm's metrics, partner empty: ledger_cost,
/// qalys, wemwbs_points and, for a settled run, commissioner_spend; then per partner (in
/// the file's order): partner_cost and, for a settled run, payment, margin, gain_pain and
/// painshare (max(0, -gain_pain)). Values are the year's, undiscounted; value x
/// discount_factor summed over the years is the analysis's per-replication cost or effect.
/// Rows: arms x replications x years x (3 + settled + partners x (1 + 4 x settled)).
/// `file` is the results file `a` was analysed from.
std::string replications_csv(const ResultsReader& file, const Analysis& a);
/// The metrics of replications_csv, arm-level then per-partner (for the settled case).
inline constexpr const char* kReplicationArmMetrics[] = {"ledger_cost", "qalys", "wemwbs_points", "commissioner_spend"};
inline constexpr const char* kReplicationPartnerMetrics[] = {"partner_cost", "payment", "margin", "gain_pain", "painshare"};

/// The value-of-information tables for write_table_file (analysis/results_file.hpp):
/// evppi, evppi_convergence and risk_attribution, with units and descriptions, and the
/// provenance of the analysis as root attributes (schema "mhsim-voi/1").
std::vector<Table> voi_tables(const Analysis& a);
std::vector<std::pair<std::string, std::string>> voi_table_attributes(const Analysis& a);

/// Where the report's assets are: `dir` must hold template.html, report.js and
/// node_modules/{vega,vega-lite,vega-embed}/build/*.min.js (`npm ci` in report/).
/// Throws std::runtime_error naming every missing file and how to install it.
struct ReportAssets {
  std::string template_html, report_js, libraries;
  std::string explorer_js;  ///< report/explorer.js, the terms explorer's page code
};
ReportAssets load_report_assets(const std::string& dir);

/// The report's HTML: the template with the libraries, report.js and the JSON inlined.
/// `</script` inside inlined text is escaped so it cannot end the script element.
/// `explorer`: the terms explorer's data and module (cli::explorer_script), or "" (a page
/// without it: design and stress reports).
std::string report_html(const ReportAssets& assets, const std::string& json, const std::string& explorer = "");

/// Writes `content` to `path` through a temporary file in the same directory, renamed on
/// success (creating missing parent directories). Throws std::runtime_error naming the path.
void write_file_atomically(const std::string& path, const std::string& content);
void write_file_atomically(const std::string& path, const void* data, std::size_t size);

}  // namespace mhsim::analysis
