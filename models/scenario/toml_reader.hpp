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

/// Numbers that replace some of a parsed file's numbers while it is read: the uncertain
/// parameters of with_parameters (models/scenario/uncertainty.hpp). The parsed table is
/// shared and never modified (toml++ copies drop source positions, which the reader needs
/// for the file's order and for messages); readers ask here first. A value for an integer
/// key must be whole. Each replacement a reader uses is marked (and how it was read), so a
/// key that no reader takes can be reported.
class NumberOverrides {
 public:
  void set(const toml::node* node, double value) {
    items_.push_back({node, value});
    used_.push_back(0);
  }
  /// The replacement for `node`, or nullptr; marks it as used, and as read by an integer
  /// key when `as_integer`.
  const double* find(const toml::node& node, bool as_integer = false) {
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].first == &node) {
        used_[i] = static_cast<char>(used_[i] | (as_integer ? 3 : 1));
        return &items_[i].second;
      }
    }
    return nullptr;
  }
  std::size_t size() const noexcept { return items_.size(); }
  /// Whether replacement i was read, and whether by a reader of an integer key.
  bool used(std::size_t i) const noexcept { return (used_[i] & 1) != 0; }
  bool used_as_integer(std::size_t i) const noexcept { return (used_[i] & 2) != 0; }

 private:
  std::vector<std::pair<const toml::node*, double>> items_;
  std::vector<char> used_;
};

/// Reads the keys of one TOML table against their KeySpecs, reporting every problem to
/// `diag` (never throwing) and remembering which keys were read, so that finish() can
/// report the ones nobody declared.
class TableReader {
 public:
  /// `pattern` is the table's path in the key table ("", "run", "stations.<name>", "<dist>"):
  /// it tells finish() which keys belong here.
  /// `model` says which keys finish() lists as expected (those of the model, and common ones).
  /// `overrides`, when given, replaces numbers of the table as they are read (and is passed
  /// on to sub-readers).
  TableReader(const toml::table& table, std::string path, std::string pattern, const std::string& file,
              Diagnostics& diag, KeyModel model = KeyModel::kNetwork, NumberOverrides* overrides = nullptr);

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

  /// A TOML integer or float as a double, after any override; nothing for other nodes.
  std::optional<double> value_of(const toml::node& node) const;
  /// describe(node), showing an overriding value instead of the file's.
  std::string describe_value(const toml::node& node) const;

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
  NumberOverrides* overrides() const noexcept { return overrides_; }

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
  NumberOverrides* overrides_;
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
