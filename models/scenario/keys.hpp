// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mhsim::scenario {

enum class KeyType {
  kString, kInteger, kNumber, kChoice, kTable, kDistribution, kRoutes,
  kBoolean,     ///< true or false
  kNumbers,     ///< an array of numbers, each in [min, max]
  kStrings,     ///< an array of strings (names)
  kByName,      ///< a number for every name, or a table of numbers by name (e.g. SIOF domain)
  kTableArray,  ///< an array of tables ([[initial]])
  kNumberOrNone,  ///< a number in [min, max], or the string "none" (no limit)
  kMatrix,      ///< an array of arrays of numbers, each in [min, max] (a correlation matrix)
};

/// Which scenario model a key belongs to (`model = "network"` or `"pathway"` at the root).
enum class KeyModel { kBoth, kNetwork, kPathway };

/// The one declaration of a scenario key: the reader validates against it, and
/// `mhsim keys` (scenarios/KEYS.md) documents it. `<name>` in a path stands for a
/// user-chosen name (a station, service, group, partner or arm); `<group>` and `<service>`
/// for the name of a need group or service declared elsewhere; `<dist>` for any key
/// holding a distribution table.
struct KeySpec {
  std::string_view path;
  KeyType type;
  std::string_view unit;          ///< "days", "per day", "" (dimensionless)
  double min;                     ///< inclusive range for numbers and integers
  double max;
  bool required;
  std::string_view default_text;  ///< shown in the docs when not required ("" = none)
  std::string_view doc;
  std::vector<std::string_view> choices = {};  ///< for kChoice
  KeyModel model = KeyModel::kBoth;             ///< set by the table's sections

  /// Whether a scenario of model `m` (kNetwork or kPathway) may hold this key.
  bool applies_to(KeyModel m) const noexcept { return model == KeyModel::kBoth || model == m; }

  /// The last component of the path: the key as written in its table.
  std::string_view leaf() const noexcept;
  /// "an integer in [1, 10000000]", "one of "fifo", "priority"", ... for messages.
  std::string expectation() const;
};

/// Limits that stop absurd inputs early with a clear message instead of exhausting memory.
namespace limits {
inline constexpr double kMaxReplications = 1e7;
inline constexpr double kMaxHorizonDays = 365.0 * 1000.0;
inline constexpr double kMaxServers = 1e7;
inline constexpr double kMaxStations = 10000;
inline constexpr double kMaxInSystem = 1e8;
inline constexpr double kMaxSeed = 9007199254740991.0;  // 2^53 - 1: exact as a double, so ranges print exactly
// Pathway scenarios.
inline constexpr double kMaxPopulation = 1e9;
inline constexpr double kMaxYears = 100;
inline constexpr double kMaxServices = 1000;
inline constexpr double kMaxGroups = 100;
inline constexpr double kMaxArms = 100;
inline constexpr double kMaxInitialPeople = 1e7;  // the whole starting caseload
// Contracts.
inline constexpr double kMaxMoney = 1e12;         // pounds: any one amount
inline constexpr double kMaxLevel = 1e12;         // magnitude of a KPI level in a threshold
// Analysis and uncertainty.
inline constexpr double kMaxThresholds = 20;      // willingness-to-pay values
inline constexpr double kMaxUncertain = 1000;     // uncertain parameters
inline constexpr double kMaxParameter = 1e12;     // magnitude of a distribution parameter
}  // namespace limits

/// The whole key table, in the order the docs list it.
const std::vector<KeySpec>& all_keys();
/// The keys a queueing-network scenario may hold (model network or both).
const std::vector<KeySpec>& network_keys();
/// The keys a pathway scenario may hold (model pathway or both).
const std::vector<KeySpec>& pathway_keys();

/// Finds a key by its path; throws std::logic_error if the table has no such key
/// (a programming error: every key read must be declared).
const KeySpec& key(std::string_view path);

/// Markdown reference generated from the table (the content of scenarios/KEYS.md).
std::string keys_markdown();

}  // namespace mhsim::scenario
