// SPDX-License-Identifier: MIT
#pragma once
// Several results side by side (`mhsim report a.h5 b.h5 ...`, docs/analysis.md "Several results
// side by side"): each file analysed with the one definition `mhsim report` uses
// (analysis::analyse_pathway, the same settings for all), its headline figures per arm and its
// partners' risk, and each file's change from the first, paired replication by replication
// when the two runs drew the same people (same seed and replications), else unpaired. Pure: it
// reads analyses, never a file; the report's `runs` object and side_by_side.csv come from here.

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/results_analysis.hpp"

namespace mhsim::analysis {

struct SideRun {
  std::string label;  ///< --label, else the file name without its directory
  Analysis analysis;
};

/// One headline figure of one arm of one run: a metric of the analysis (mean, 95% CI of the
/// mean, 5th and 95th percentiles across replications).
struct SideFigure {
  std::string run, arm, metric, label, unit;
  decision::Summary summary;
};

/// A run's change from the first run, same arm and metric: paired over replications when both
/// runs have the same seed and replications (common random numbers: the same people), else the
/// difference of the two means with a Welch interval.
struct SideChange {
  std::string run, base_run, arm, metric, label, unit;
  bool paired = false;
  double mean = 0, ci_low = 0, ci_high = 0;
  double prob_lower = 0;  ///< paired: share of replications lower than in the first run; else NaN
};

struct SideBySide {
  std::vector<SideRun> runs;             ///< runs.front() is the reference
  std::vector<SideFigure> figures;       ///< run order, then arm, then metric order below
  std::vector<RiskRow> risk;             ///< every run's partner and commissioner rows, `arm` as "run: arm"
  std::vector<std::string> risk_runs;    ///< the run of each risk row
  std::vector<SideChange> changes;       ///< runs after the first, arms both have
};

/// The metrics shown side by side, in order: the commissioner's cash, the contracted, the
/// whole-system and the wider system's cost, and both effect measures.
const std::vector<std::string>& side_by_side_metrics();

/// Builds the comparison from analyses of several files (at least one).
SideBySide side_by_side(std::vector<SideRun> runs);

/// side_by_side.csv: a row per run, arm and metric (mean, CI, percentiles) and, for runs after
/// the first, the change from the first; numbers with 17 significant digits.
std::string side_by_side_csv(const SideBySide& s);

}  // namespace mhsim::analysis
