// SPDX-License-Identifier: MIT
#pragma once
// Internal to mhsim::scenario: the only place that sees toml++ types.

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "engine/distribution.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/keys.hpp"

namespace mhsim::scenario {

/// The names a table of routes may name, for TableReader::routes.
struct RouteTargets {
  std::vector<std::string> names;  ///< in index order
  std::string exit_word;           ///< the way out: "exit", "discharge"
  std::string noun;                ///< what a name names: "station", "service"
  std::vector<bool> allowed = {};  ///< per name; empty = every name is allowed
  std::string restriction = {};    ///< what allowed names are, e.g. "in arm \"block\""
};
/// The index of the exit in a RouteList.
inline constexpr std::size_t kRouteExit = std::numeric_limits<std::size_t>::max();
/// (target index or kRouteExit, probability > 0), in the order written.
using RouteList = std::vector<std::pair<std::size_t, double>>;

/// Reads the keys of one TOML table against their KeySpecs, reporting every problem to
/// `diag` (never throwing) and remembering which keys were read, so that finish() can
/// report the ones nobody declared.
class TableReader {
 public:
  /// `pattern` is the table's path in the key table ("", "run", "stations.<name>", "<dist>"):
  /// it tells finish() which keys belong here.
  /// `model` says which keys finish() lists as expected (those of the model, and common ones).
  TableReader(const toml::table& table, std::string path, std::string pattern, const std::string& file,
              Diagnostics& diag, KeyModel model = KeyModel::kNetwork);

  /// A reader of a sub-table, with this reader's file, diagnostics and model.
  TableReader sub(const toml::table& table, std::string path, std::string pattern) const;

  // Each reads the key `spec.leaf()`, or `leaf` when given (for keys declared by pattern,
  // such as arms.<name>.capacity.<service>); reports a missing required key, a wrong type or
  // a value out of range, and returns nothing then.
  std::optional<std::int64_t> integer(const KeySpec& spec, std::string_view leaf = {});
  std::optional<double> number(const KeySpec& spec, std::string_view leaf = {});
  std::optional<std::string> string(const KeySpec& spec, std::string_view leaf = {});
  std::optional<std::string> choice(const KeySpec& spec);
  std::optional<bool> boolean(const KeySpec& spec);
  const toml::table* table(const KeySpec& spec);
  std::optional<engine::Distribution> distribution(const KeySpec& spec);
  /// A number in the spec's range or the string "none" (a kNumberOrNone key): nothing when
  /// the key is absent or bad (reported); else the number, or nullopt for "none".
  std::optional<std::optional<double>> number_or_none(const KeySpec& spec);
  /// An array of numbers, each in the spec's range.
  std::optional<std::vector<double>> numbers(const KeySpec& spec);
  /// A number for every name, or a table of numbers by name (names left out get
  /// `missing`); the result has one value per name, in the order of `names`. `noun` names
  /// what the names are in messages ("SIOF domain").
  std::optional<std::vector<double>> by_name(const KeySpec& spec, const std::vector<std::string>& names,
                                             std::string_view noun, double missing);
  /// A table of probabilities by target name summing to 1 (within 1e-9), in the order
  /// written; zero probabilities are dropped.
  std::optional<RouteList> routes(const KeySpec& spec, const RouteTargets& targets, std::string_view leaf = {});
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
  KeyModel model() const noexcept { return model_; }

 private:
  const toml::node* find(const KeySpec& spec, std::string_view leaf = {});
  void missing(const KeySpec& spec, std::string_view leaf = {});
  void wrong(const KeySpec& spec, const toml::node& node, std::string_view leaf = {});

  const toml::table& table_;
  std::string path_;
  std::string pattern_;
  const std::string& file_;
  Diagnostics& diag_;
  KeyModel model_;
  std::set<std::string, std::less<>> read_;
};

/// A user-named sub-table (a station, service, group ...).
struct NamedTable {
  std::string name;
  const toml::table* table;
};

/// The sub-tables of the table at `spec` (e.g. [services.*]) in the order the file declares
/// them (toml++ sorts keys). Entries that are not tables are reported, as "a table
/// describing a <noun>"; so are an empty table and more than `max_entries` entries. Returns
/// nothing when the key is absent (a missing required key is reported).
std::vector<NamedTable> named_tables(TableReader& parent, const KeySpec& spec, std::string_view noun,
                                     double max_entries);

/// Parses TOML text; bad TOML is reported as a ScenarioError ("expected valid TOML").
toml::table parse_toml(std::string_view text, const std::string& file);
/// The bytes of a scenario file; a file that cannot be read is a ScenarioError.
std::string read_scenario_file(const std::string& path);

/// "a string \"four\"", "-3", "a table", ... : what a node holds, for messages.
std::string describe(const toml::node& node);
/// Where a node begins in the file; for a table toml++ made implicitly (only its
/// sub-tables written out), the earliest position of anything in it. {0, 0} if none.
std::pair<std::uint32_t, std::uint32_t> first_position(const toml::node& node);
/// Position of a node, falling back to `fallback` when toml++ has none (implicit tables).
std::pair<std::uint32_t, std::uint32_t> position(const toml::node& node, const toml::node* fallback = nullptr);
/// Position of a key as written (for "unknown key" messages), else of its value.
std::pair<std::uint32_t, std::uint32_t> key_position(const toml::key& k, const toml::node& value,
                                                     const toml::node* fallback = nullptr);

}  // namespace mhsim::scenario
