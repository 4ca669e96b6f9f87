// SPDX-License-Identifier: MIT
#pragma once
// What reading a file left behind for the later checks of its typed values: where each key
// is written, which keys were read with an error, and the names each collection declares.
// A loaded scenario keeps it (shared by copies, never changed), so that values set after
// loading (variants, uncertainty draws, calibration, --set) are checked with messages
// located in the file as if they had been read from it.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/schema/diagnostics.hpp"

namespace mhsim::schema {

using Position = std::pair<std::uint32_t, std::uint32_t>;  ///< 1-based line and column; {0, 0} = none

struct Source {
  std::string file;
  /// Key path -> where its value is written (falling back to its table's position).
  std::unordered_map<std::string, Position> at;
  /// Table path -> where the table itself is ("" is the file); messages about a table, and
  /// about a key missing from it, point here.
  std::unordered_map<std::string, Position> here;
  /// Key path -> the value as written, for messages ("the string \"x\"", "0.5", "a table").
  std::unordered_map<std::string, std::string> written;
  /// Key paths read with an error (a later check involving them would only add noise).
  std::set<std::string, std::less<>> bad;
  /// An entry that `extends` another: its path -> the other's (keys it does not write are
  /// the other's).
  std::unordered_map<std::string, std::string> extends;
  /// Collection -> its names in file order ("services" -> {"gp", "cmht"}).
  std::map<std::string, std::vector<std::string>, std::less<>> names;

  /// Whether `path` is written in the file (or inherited through `extends`).
  bool present(const std::string& path) const;
  /// Whether `path` and everything under it was read without error.
  bool ok(std::string_view path) const;
  /// Where a message about key `path` goes: its value, else its table.
  Position position(const std::string& path) const;
  /// Where a message about table `path` goes.
  Position table_position(const std::string& path) const;
  /// The names of a collection (empty when it has none).
  const std::vector<std::string>& names_of(std::string_view collection) const;
  /// A located diagnostic about key `path`.
  Diagnostic diagnostic(const std::string& path, std::string expected, std::string got) const {
    const auto [line, col] = position(path);
    return Diagnostic{file, line, col, path, std::move(expected), std::move(got)};
  }
};

/// `parent.leaf`, or `leaf` at the root.
std::string child_path(std::string_view parent, std::string_view leaf);

}  // namespace mhsim::schema
