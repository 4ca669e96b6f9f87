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

/// What a target is for (`role`): fitted by `mhsim calibrate`, or held out and predicted.
enum class TargetRole {
  kCalibrate,  ///< `role = "calibrate"` (the default): in the fit's objective
  kValidate,   ///< `role = "validate"`: never in the fit; predicted, with a prediction interval
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
  TargetRole role = TargetRole::kCalibrate;
  std::string shares;             ///< `shares`: the group of shares of one whole (summing to 1) it belongs to; "" none
  std::string by_construction;    ///< `by_construction`: why it equals an input or is fixed by construction; "" = an
                                  ///< independent figure
  // As written, before they are resolved into the fields above:
  std::size_t relative_arm = std::numeric_limits<std::size_t>::max();  ///< `relative_to`
  std::optional<double> year_written;  ///< nullopt: "all"
  std::string bound_written;
  std::string role_written;

  /// Whether a figure it counts as an independent piece of evidence: two-sided and not by
  /// construction (a one-sided bound constrains the fit but determines nothing).
  bool counted() const noexcept { return bound == TargetBound::kAbout && by_construction.empty(); }
  /// Whether a simulated mean meets the target.
  bool met(double mean) const noexcept;
  /// The standardised residual 1.96 (mean - value) / tolerance; 0 on the right side of a bound.
  double residual(double mean) const noexcept;
  /// "± 0.05", ">= 5000" or "<= 3": the criterion as printed.
  std::string criterion() const;
};

/// Numbers of the scenario that were solved from the targets by hand or analytically before
/// any fit (`[derived.<name>]`): they spend degrees of freedom like fitted parameters.
struct DerivedParameters {
  std::string name;
  double count = 0;     ///< how many numbers (an integer >= 1)
  std::string source;   ///< how they were derived, from which targets
};

/// The honest count of evidence for one role: figures, how many are independent, and the
/// numbers fitted or derived from them.
struct TargetAccounting {
  std::size_t figures = 0;           ///< targets of the role
  std::size_t independent = 0;       ///< two-sided, not by construction, less one per closed group of shares
  std::size_t by_construction = 0;   ///< flagged by_construction (not counted)
  std::size_t one_sided = 0;         ///< bounds (not counted)
  std::size_t share_constraints = 0; ///< groups of shares whose counted members must sum to a fixed total
  std::size_t fitted = 0;            ///< parameters fitted by mhsim calibrate
  std::size_t derived = 0;           ///< numbers derived from the targets before the fit ([derived])
  /// independent - fitted - derived (may be negative: more numbers than evidence).
  long degrees_of_freedom() const noexcept {
    return static_cast<long>(independent) - static_cast<long>(fitted) - static_cast<long>(derived);
  }
};

struct CalibrationSpec {
  std::string file;
  std::vector<CalibrationParameter> parameters;  ///< in file order
  std::vector<CalibrationTarget> targets;        ///< in file order (those of the variant read)
  std::vector<DerivedParameters> derived;        ///< in file order
  /// How many targets have each role.
  std::size_t count(TargetRole role) const;
  /// The accounting of the targets of `role` against `fitted` parameters and the derived
  /// numbers (those only for kCalibrate; a validation figure spends nothing). A group of
  /// shares constrains the counted members of a role when every other member of the group is
  /// fixed: by construction, or, for the held-out role, a fitted calibration target (their
  /// total is then fixed); it then counts one figure fewer.
  TargetAccounting accounting(TargetRole role, std::size_t fitted) const;
  /// Every key the parameters set, once each, in parameter order (a multiplier's keys in its
  /// order; a key several multipliers share where it first appears).
  std::vector<std::string> keys() const;
  /// The value of each key of keys() when the parameters take `values` (a key's scenario value
  /// times each multiplier that scales it; integer keys rounded to the nearest integer).
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
/// variant's table instead. With `replace_comment`, a line's own comment gives way to the
/// new one, its words kept after it as "; was: <words>".
std::string calibrated_text(const PathwayScenario& sc, const std::vector<std::string>& keys,
                            const std::vector<double>& values, const std::vector<std::string>& comments,
                            const std::string& variant = {}, const std::string& line_prefix = {},
                            bool replace_comment = false);

/// Whether variant `variant` of the scenario sets `key`.
bool variant_sets(const PathwayScenario& sc, const std::string& variant, const std::string& key);

/// The byte offset in `text` of a toml++ source position (1-based line, and column counted in
/// code points from 1). Throws std::logic_error when the text has no such line.
std::size_t source_offset(std::string_view text, std::uint32_t line, std::uint32_t column);

/// The shortest decimal text that reads back as `x` (at most 17 significant digits).
std::string round_trip_text(double x);

}  // namespace mhsim::scenario
