// SPDX-License-Identifier: MIT
#pragma once
// Internal to mhsim::scenario: the only place that sees toml++ types.

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <toml++/toml.h>

#include "engine/distribution.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/keys.hpp"

namespace mhsim::scenario {

/// Reads the keys of one TOML table against their KeySpecs, reporting every problem to
/// `diag` (never throwing) and remembering which keys were read, so that finish() can
/// report the ones nobody declared.
class TableReader {
 public:
  /// `pattern` is the table's path in the key table ("", "run", "stations.<name>", "<dist>"):
  /// it tells finish() which keys belong here.
  TableReader(const toml::table& table, std::string path, std::string pattern, const std::string& file,
              Diagnostics& diag);

  std::optional<std::int64_t> integer(const KeySpec& spec);
  std::optional<double> number(const KeySpec& spec);
  std::optional<std::string> string(const KeySpec& spec);
  std::optional<std::string> choice(const KeySpec& spec);
  const toml::table* table(const KeySpec& spec);
  std::optional<engine::Distribution> distribution(const KeySpec& spec);
  /// Whether the key is present (and marks it as read).
  bool has(std::string_view leaf);

  /// Reports keys that were present but never read, naming the keys this table takes
  /// (or `expected`, when given).
  void finish(std::string expected = {});

  /// Reports a problem at this table (or at one of its keys, if present).
  void error(std::string_view leaf, std::string expected, std::string got);
  /// Reports a problem at the table itself.
  void error_here(std::string expected, std::string got);

  const std::string& path() const noexcept { return path_; }
  std::string child_path(std::string_view leaf) const;
  const toml::table& raw() const noexcept { return table_; }
  const std::string& file() const noexcept { return file_; }
  Diagnostics& diagnostics() noexcept { return diag_; }

 private:
  const toml::node* find(const KeySpec& spec);
  void missing(const KeySpec& spec);
  void wrong(const KeySpec& spec, const toml::node& node);

  const toml::table& table_;
  std::string path_;
  std::string pattern_;
  const std::string& file_;
  Diagnostics& diag_;
  std::set<std::string, std::less<>> read_;
};

/// "a string \"four\"", "-3", "a table", ... : what a node holds, for messages.
std::string describe(const toml::node& node);
/// Position of a node, falling back to `fallback` when toml++ has none (implicit tables).
std::pair<std::uint32_t, std::uint32_t> position(const toml::node& node, const toml::node* fallback = nullptr);
/// Position of a key as written (for "unknown key" messages), else of its value.
std::pair<std::uint32_t, std::uint32_t> key_position(const toml::key& k, const toml::node& value,
                                                     const toml::node* fallback = nullptr);

}  // namespace mhsim::scenario
