// SPDX-License-Identifier: MIT
#pragma once
// How a pathway run's results are analysed (`[analysis]` and `partners.<name>.reserves` in
// a scenario): discounting, the effect measure, willingness-to-pay thresholds, reserves and
// stated precision targets. The simulation never reads these; analysis (mhsim report,
// mhsim compare) reads them back from the scenario text stored in the results file, and
// command-line options override them.

#include <array>
#include <cstddef>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace mhsim::scenario {

/// Metric names a precision target (`analysis.precision.<metric>`) may name.
inline constexpr std::array<std::string_view, 8> kPrecisionMetrics = {"cost", "qalys", "wemwbs_points", "commissioner_spend",
                                                          "incremental_cost", "incremental_qalys",
                                                          "incremental_wemwbs_points", "incremental_nmb"};

struct PrecisionTarget {
  std::string metric;       ///< one of kPrecisionMetrics
  double half_width = 0;    ///< wanted half-width of the 95% CI of the mean (metric's unit), > 0
};

/// `[analysis.groups.<name>]`: uncertain inputs whose value of information is assessed
/// together (what one study would measure at once).
struct ParameterGroup {
  std::string name;
  std::vector<std::string> parameters;  ///< names of `[uncertainty.<name>]` tables, 1 to 20
  std::string description;
};

struct AnalysisSettings {
  /// analysis.discount_rate: a year, for costs and effects (NICE reference case, PMG36).
  double discount_rate = 0.035;
  /// analysis.discount_timing = "year_start" (year 0 undiscounted) or "mid_year".
  bool mid_year = false;
  /// analysis.horizon_years: years counted in costs and effects; 0 = every simulated year.
  std::size_t horizon_years = 0;
  /// analysis.willingness_to_pay: £ per unit of effect at which NMB is reported
  /// (NICE's £20,000 and £30,000 per QALY by default).
  std::vector<double> willingness_to_pay = {20000.0, 30000.0};
  /// analysis.ceac_max: the CEAC and EVPI curves run from 0 to this (£ per unit of effect),
  /// in analysis.ceac_points evenly spaced points.
  double ceac_max = 100000.0;
  std::size_t ceac_points = 51;
  /// analysis.effect = "qalys" or "wemwbs_points": the effect of ICERs, NMB, CEAC and EVPI.
  std::string effect = "qalys";
  /// analysis.cost_basis = "ledger" (resource cost of the activity) or "commissioner_spend"
  /// (what the contracts pay; needs contracts in every arm).
  std::string cost_basis = "ledger";
  /// analysis.base_arm: index of the arm differences are taken against (default arm 0).
  std::size_t base_arm = 0;
  /// analysis.risk_level: level of value-at-risk and expected shortfall.
  double risk_level = 0.95;
  /// partners.<name>.reserves [P]: pounds a partner holds against painshare over the
  /// analysed horizon; NaN = not stated.
  std::vector<double> reserves;
  /// analysis.commissioner_budget: pounds a year the commissioner has for the services;
  /// NaN = not stated.
  double commissioner_budget = std::numeric_limits<double>::quiet_NaN();
  /// analysis.precision.<metric> = half-width: replication counts are reported for these.
  std::vector<PrecisionTarget> precision;
  /// analysis.voi_decisions_per_year and analysis.voi_years: population value of
  /// information = per-decision value x sum over t < voi_years of decisions / (1 + r)^t.
  double voi_decisions_per_year = 1.0;
  std::size_t voi_years = 1;
  /// [analysis.groups.<name>]: groups of uncertain inputs assessed together.
  std::vector<ParameterGroup> groups;
  /// ... as read, by metric (kPrecisionMetrics order; 0 = none): `precision` lists them.
  std::array<double, std::size(kPrecisionMetrics)> precision_by_metric{};
};

}  // namespace mhsim::scenario
