// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mhsim::scenario {

enum class KeyType { kString, kInteger, kNumber, kChoice, kTable, kDistribution, kRoutes };

/// The one declaration of a scenario key: the reader validates against it, and
/// `mhsim keys` (scenarios/KEYS.md) documents it. `<name>` in a path stands for a
/// user-chosen name (a station); `<dist>` for any key holding a distribution table.
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
}  // namespace limits

/// The key table of a queueing-network scenario.
const std::vector<KeySpec>& network_keys();

/// Finds a key by its path; throws std::logic_error if the table has no such key
/// (a programming error: every key read must be declared).
const KeySpec& key(std::string_view path);

/// Markdown reference generated from the table (the content of scenarios/KEYS.md).
std::string keys_markdown();

}  // namespace mhsim::scenario
