// SPDX-License-Identifier: MIT
#pragma once
// Designing terms (`mhsim design`, docs/contracts.md "Designing terms"): which combinations of
// a grid of contract terms meet a board's constraints, and the Pareto frontier among them
// between the commissioner's expected spend and the worst partner's P(reserves exhausted).
// Pure: it reads figures already computed per combination (by the sweep's settlement and
// analysis::partner_risk) and decides nothing else. The design's JSON (the `design` object of
// the report's document, docs/analysis.md) is written by analysis_output.

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace mhsim::analysis {

/// What a board asks of the terms, over the agreement's `horizon_years`.
struct DesignConstraints {
  double max_exhaustion = 0.05;  ///< every partner's P(reserves exhausted) at most this
  /// every partner's P(cash below 0 in some quarter) at most this (1: no limit)
  double max_cash_exhaustion = 1;
  double min_gain = 0;           ///< every risk-sharing partner's expected gain/pain at least this, pounds
  /// The commissioner's budget a year (NaN: none): its expected spend over the agreement at
  /// most budget_per_year x horizon_years.
  double budget_per_year = std::numeric_limits<double>::quiet_NaN();
  std::size_t horizon_years = 1;
  double budget_over_horizon() const { return budget_per_year * static_cast<double>(horizon_years); }
};

/// One combination of terms (or the scenario's own terms) and its figures, all over the
/// agreement.
struct DesignRow {
  std::size_t combination = 0;
  std::vector<double> values = {};  ///< the axes' values (+inf: no limit)
  double spend = 0;                 ///< the commissioner's expected spend
  double worst = 0;                 ///< the highest P(reserves exhausted) among partners with stated reserves
  std::string worst_partner = {};
  double worst_cash = 0;            ///< the highest P(cash exhausted in some quarter) among those partners
  std::string worst_cash_partner = {};
  /// The lowest expected gain/pain among the partners who share risk (+inf and an empty
  /// partner when none does).
  double lowest_gain = std::numeric_limits<double>::infinity();
  std::string lowest_partner = {};
  bool feasible = false, frontier = false;
};

/// Whether `r` meets every constraint: worst <= max_exhaustion, worst_cash <=
/// max_cash_exhaustion, lowest_gain >= min_gain and,
/// with a budget, spend <= budget over the horizon. (A row whose partners share no risk has
/// lowest_gain = +inf: the gain constraint holds; a row whose worst is NaN meets none.)
bool meets(const DesignRow& r, const DesignConstraints& c);

/// Sets `feasible` of every row, then `frontier`: the feasible rows that no other feasible
/// row dominates, where o dominates r when o.spend <= r.spend and o.worst <= r.worst, one of
/// them strictly. Rows with equal spend and worst do not dominate each other (both are on
/// the frontier, or neither). O(n log n).
void mark_frontier(std::vector<DesignRow>& rows, const DesignConstraints& c);

/// The frontier's rows, by spend (lowest first: the largest saving), then worst, then
/// combination: the order `mhsim design` prints them and the report lists them.
std::vector<const DesignRow*> frontier_rows(const std::vector<DesignRow>& rows);

/// A design searched: the constraints, the grid, the scenario's own terms and every
/// combination. What the report's "Designing terms" section draws.
struct Design {
  std::string arm;                      ///< the arm whose terms were designed
  std::string scenario_file, results_file;
  DesignConstraints constraints;
  struct Axis {
    std::string path;
    std::vector<double> values = {};
  };
  std::vector<Axis> axes;
  /// Partners' opening reserves behind P(reserves exhausted), where stated (a partner on a
  /// reserves axis takes the axis' values instead).
  std::vector<std::pair<std::string, double>> reserves;
  /// The scenario's own terms (its combination is ignored). Its values are the scenario's own
  /// value of each axis' term (a reserves axis: the partner's stated reserves), +inf for a
  /// limit not set, NaN where it has none that is a number (a target set from another arm's
  /// cost, reserves not stated).
  DesignRow reference;
  std::vector<DesignRow> rows;          ///< every combination, in combination order
};

}  // namespace mhsim::analysis
