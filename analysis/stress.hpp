// SPDX-License-Identifier: MIT
#pragma once
// Stress tests (`mhsim stress`, docs/analysis.md "Stress tests"): the scenario as written (the
// base) and named adverse cases, each a whole run on the same people (same seed, common random
// numbers) with the alliance targets held at the base's, each analysed with the one definition
// `mhsim report` uses (analysis::analyse_pathway). Pure: it holds the cases' analyses and
// writes them out; stress.csv and the report's `stress` object (analysis_json) both come from
// here, from the same RiskRow figures the terminal table prints.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/results_analysis.hpp"

namespace mhsim::analysis {

struct StressCase {
  std::string name;         ///< "base" for the scenario as written, else the variant's name
  std::string description;  ///< the variant's description (empty for the base)
  Analysis analysis;
};

struct Stress {
  std::string scenario_file;
  std::uint64_t replications = 0, seed = 0;
  /// One sentence per alliance whose target was held at the base case's, e.g. "alliance x
  /// (arm y): target held at the base case's £1.00m, £1.02m a year in every case".
  std::vector<std::string> held_targets = {};
  std::vector<StressCase> cases = {};  ///< cases.front() is the base
};

/// The (arm, partner) rows a board reads, in the order the terminal prints them: partners who
/// bear a painshare (or whose cap binds) in some case, and every commissioner row.
std::vector<std::pair<std::string, std::string>> stress_shown_rows(const Stress& s);

/// The change of `r`'s mean payment (the commissioner's mean spend) from the base case's same
/// arm and partner; empty for the base case itself or a row the base does not have.
std::optional<double> change_from_base(const Stress& s, const StressCase& c, const RiskRow& r);

/// stress.csv: one row per case, arm and partner (every risk row), numbers with 17
/// significant digits, empty cells for figures that do not apply.
std::string stress_csv(const Stress& s);

}  // namespace mhsim::analysis
