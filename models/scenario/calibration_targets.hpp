// SPDX-License-Identifier: MIT
#pragma once
// Calibration input (`mhsim calibrate --targets <file>`): the scenario numbers to fit, with
// their bounds, and the target statistics they are fitted to (docs/calibration.md). Also
// the two ways a fitted value goes back into a scenario: re-read in memory
// (with_numbers) and written into the file's text in place (calibrated_text).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/pathway/statistics.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::scenario {

/// One number of the scenario to fit, `[parameters.<name>]`: the number at `key`, or a
/// multiplier of the numbers at `keys` (each scaled from its value in the scenario).
struct CalibrationParameter {
  std::string name;   ///< the table's name
  std::string key;    ///< `key`, or `keys` joined by ", " (for display)
  std::vector<std::string> keys;       ///< dotted key paths (the [uncertainty] syntax); one unless a multiplier
  bool multiplier = false;             ///< `keys`: the fitted value multiplies each key's scenario value
  double low = 0;     ///< bounds, low < high; the fit stays strictly inside them
  double high = 0;
  double start = 0;   ///< `start`, else the scenario's value (a multiplier: 1); strictly inside (low, high)
  double scenario_value = 0;           ///< the value written in the scenario (a multiplier: 1)
  std::vector<double> key_values;      ///< [keys] each key's value in the scenario
  std::vector<bool> integer;           ///< [keys] the loader reads it as an integer: values are rounded
  std::uint32_t line = 0;              ///< where the (first) value is in the scenario file (1-based)
  std::uint32_t column = 0;
  std::optional<double> start_written;  ///< `start` as written
};

using models::pathway::StatisticKind;
using models::pathway::StatisticTerm;

/// How a target's simulated mean is compared with its value.
enum class TargetBound {
  kAbout,    ///< met when |mean - value| <= tolerance
  kAtLeast,  ///< `bound = "at_least"`: met when mean >= value ("over 5,000")
  kAtMost,   ///< `bound = "at_most"`: met when mean <= value
};

/// One target statistic: `[targets.<name>]`.
struct CalibrationTarget {
  std::string name;
  std::string statistic;          ///< as written: a sum of kpi.<name>, cost, qalys, service.<svc>.<kpi>,
                                  ///< partner_cost.<p>, service_cost.<svc>, goals.<domain|all>.<status>
  std::vector<StatisticTerm> terms;
  std::string per;                ///< as written, "" for none: the statistic is statistic / per (ratio of means)
  std::vector<StatisticTerm> per_terms;
  std::size_t arm = 0;
  bool relative = false;          ///< the statistic is arm / relative_to (ratio of the means)
  std::size_t relative_to = 0;
  int year = 0;                   ///< 1-based; 0 = every year of the run ("all")
  double value = 0;
  double tolerance = 0;           ///< > 0: the 95% half-width of the figure's precision (1.96 SD)
  TargetBound bound = TargetBound::kAbout;
  std::string variant;            ///< "" = every variant of the scenario; else only that one
  std::string source;
  // As written, before they are resolved into the fields above:
  std::size_t relative_arm = std::numeric_limits<std::size_t>::max();  ///< `relative_to`
  std::optional<double> year_written;  ///< nullopt: "all"
  std::string bound_written;

  /// Whether a simulated mean meets the target.
  bool met(double mean) const noexcept;
  /// The standardised residual 1.96 (mean - value) / tolerance; 0 on the right side of a bound.
  double residual(double mean) const noexcept;
  /// "± 0.05", ">= 5000" or "<= 3": the criterion as printed.
  std::string criterion() const;
};

struct CalibrationSpec {
  std::string file;
  std::vector<CalibrationParameter> parameters;  ///< in file order
  std::vector<CalibrationTarget> targets;        ///< in file order (those of the variant read)
  /// Every key the parameters set, in parameter order (a multiplier's keys in its order).
  std::vector<std::string> keys() const;
  /// The value of each key of keys() when the parameters take `values` (a multiplier times
  /// each key's scenario value; integer keys rounded to the nearest integer).
  std::vector<double> key_values(const std::vector<double>& values) const;
};

/// Reads a targets file against a loaded pathway scenario (its keys, arms, services,
/// partners, years and variants). Throws ScenarioError listing every problem (file:line:col).
/// Targets of other variants than `variant` are checked, then left out ("" = the scenario
/// as written: targets without a variant). With `need_parameters` false (mhsim reproduce) the
/// file needs no [parameters] and may have fewer targets than parameters.
CalibrationSpec parse_calibration_targets(std::string_view text, const std::string& file, const PathwayScenario& sc,
                                          const std::string& variant = {}, bool need_parameters = true);
CalibrationSpec load_calibration_targets(const std::string& path, const PathwayScenario& sc,
                                         const std::string& variant = {}, bool need_parameters = true);

/// The scenario with the numbers at `keys` set to `values`, each typed value set directly
/// and the result checked by every rule of the loader (as with_parameters does). The result
/// has no [uncertainty] (a calibrated scenario runs at the base values). Throws
/// ScenarioError when the values make the scenario invalid, std::invalid_argument for an
/// unknown key or sizes that differ.
PathwayScenario with_numbers(const PathwayScenario& sc, const std::vector<std::string>& keys,
                             const std::vector<double>& values);

/// The scenario's text with each key's value replaced in place by values[i] (written so
/// that it reads back as the same double) and `comments[i]` appended to that line as
/// "  # <line_prefix><comment>" (the comments of several values on one line, as in an
/// inline table, joined by "; " after one prefix). Everything else, comments included, is
/// kept byte for byte. With a `variant`, a key that variant sets is replaced in the
/// variant's table instead.
std::string calibrated_text(const PathwayScenario& sc, const std::vector<std::string>& keys,
                            const std::vector<double>& values, const std::vector<std::string>& comments,
                            const std::string& variant = {}, const std::string& line_prefix = {});

/// Whether variant `variant` of the scenario sets `key`.
bool variant_sets(const PathwayScenario& sc, const std::string& variant, const std::string& key);

/// The shortest decimal text that reads back as `x` (at most 17 significant digits).
std::string round_trip_text(double x);

}  // namespace mhsim::scenario
