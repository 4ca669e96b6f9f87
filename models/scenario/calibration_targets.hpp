// SPDX-License-Identifier: MIT
#pragma once
// Calibration input (`mhsim calibrate --targets <file>`): the scenario numbers to fit, with
// their bounds, and the target statistics they are fitted to (docs/calibration.md). Also
// the two ways a fitted value goes back into a scenario: re-read in memory
// (with_numbers) and written into the file's text in place (calibrated_text).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::scenario {

/// One number of the scenario to fit: `[parameters.<name>]`.
struct CalibrationParameter {
  std::string name;   ///< the table's name
  std::string key;    ///< dotted key path of the number in the scenario (the [uncertainty] syntax)
  double low = 0;     ///< bounds, low < high; the fit stays strictly inside them
  double high = 0;
  double start = 0;   ///< `start`, else the scenario's value; strictly inside (low, high)
  double scenario_value = 0;     ///< the value written in the scenario
  std::uint32_t line = 0;        ///< where the value is in the scenario file (1-based)
  std::uint32_t column = 0;
};

/// What a target measures, per arm and replication.
enum class StatisticKind { kSystemKpi, kServiceKpi, kPartnerCost };

/// One target statistic: `[targets.<name>]`.
struct CalibrationTarget {
  std::string name;
  std::string statistic;          ///< as written: kpi.<name>, cost, qalys, service.<svc>.<kpi>, partner_cost.<p>
  StatisticKind kind = StatisticKind::kSystemKpi;
  std::size_t index = 0;          ///< SystemKpi / ServiceKpi / partner index
  std::size_t service = 0;        ///< service index (kServiceKpi)
  bool averaged = false;          ///< year "all" takes the mean over years (rates, means, stocks), not the sum
  std::size_t arm = 0;
  bool relative = false;          ///< the statistic is arm / relative_to (ratio of the means)
  std::size_t relative_to = 0;
  int year = 0;                   ///< 1-based; 0 = every year of the run ("all")
  double value = 0;
  double tolerance = 0;           ///< > 0: the residual's scale in the objective
  std::string source;
};

struct CalibrationSpec {
  std::string file;
  std::vector<CalibrationParameter> parameters;  ///< in file order
  std::vector<CalibrationTarget> targets;        ///< in file order
  std::vector<std::string> keys() const;
};

/// Reads a targets file against a loaded pathway scenario (its keys, arms, services,
/// partners and years). Throws ScenarioError listing every problem (file:line:col).
CalibrationSpec parse_calibration_targets(std::string_view text, const std::string& file, const PathwayScenario& sc);
CalibrationSpec load_calibration_targets(const std::string& path, const PathwayScenario& sc);

/// The scenario with the numbers at `keys` set to `values`: its parsed file read again by
/// the same loader (as with_parameters does). The result has no [uncertainty] (a calibrated
/// scenario runs at the base values). Throws ScenarioError when the values make the
/// scenario invalid, std::invalid_argument for an unknown key or sizes that differ.
PathwayScenario with_numbers(const PathwayScenario& sc, const std::vector<std::string>& keys,
                             const std::vector<double>& values);

/// The scenario's text with each key's value replaced in place by values[i] (written so
/// that it reads back as the same double) and `comments[i]` appended to that line as
/// "  # <comment>". Everything else, comments included, is kept byte for byte.
std::string calibrated_text(const PathwayScenario& sc, const std::vector<std::string>& keys,
                            const std::vector<double>& values, const std::vector<std::string>& comments);

/// The shortest decimal text that reads back as `x` (at most 17 significant digits).
std::string round_trip_text(double x);

}  // namespace mhsim::scenario
