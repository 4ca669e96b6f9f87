// SPDX-License-Identifier: MIT
#include <algorithm>

#include "models/schema/check.hpp"
#include "models/schema/traits.hpp"
#include "models/schema/source.hpp"

namespace mhsim::schema {

// ---- words ------------------------------------------------------------------------------

std::string child_path(std::string_view parent, std::string_view leaf) {
  if (parent.empty()) return std::string(leaf);
  if (leaf.empty()) return std::string(parent);
  return std::string(parent) + "." + std::string(leaf);
}

std::string placeholder(std::string_view collection) {
  std::string_view one = collection;
  if (!one.empty() && one.back() == 's') one.remove_suffix(1);
  return "<" + std::string(one) + ">";
}

std::vector<std::string> choice_names(const Info& info) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < info.choice_count; ++i) out.emplace_back(info.choice(i));
  return out;
}

std::string range_phrase(const Info& info) {
  if (info.positive) return "a number in (0, " + number_text(info.max) + "]";
  return "a number in [" + number_text(info.min) + ", " + number_text(info.max) + "]";
}

std::string expectation(const Info& info) {
  if (!info.expect.empty()) return std::string(info.expect);
  const std::string range = "[" + number_text(info.min) + ", " + number_text(info.max) + "]";
  switch (info.kind) {
    case Kind::kText: return "a string";
    case Kind::kInteger: return "an integer in " + range;
    case Kind::kNumber:
    case Kind::kByYear: return "a number in " + range;
    case Kind::kChoice: {
      std::string s = "one of ";
      for (std::size_t i = 0; i < info.choice_count; ++i) s += (i ? ", \"" : "\"") + std::string(info.choice(i)) + "\"";
      return s;
    }
    case Kind::kReference:
      return "the name of " + article(info.noun) + " " + std::string(info.noun) + (info.discharge ? " or \"discharge\"" : "");
    case Kind::kTable:
    case Kind::kNamedTables: return "a table";
    case Kind::kDistribution: return "a distribution table such as { distribution = \"exponential\", mean = 2.0 }";
    case Kind::kRoutes:
      return "a table of probabilities such as { next_" + std::string(info.noun) + " = 0.3, " + std::string(info.exit) +
             " = 0.7 }";
    case Kind::kBoolean: return "true or false";
    case Kind::kNumbers: return "an array of numbers in " + range;
    case Kind::kNames: return "an array of names (strings)";
    case Kind::kMap: return info.or_number ? "a number in " + range + ", or a table of such numbers by name" : "a table";
    case Kind::kTableArray: return "an array of tables ([[" + std::string(info.name) + "]])";
    case Kind::kNumberOrNone: return "a number in " + range + ", or \"" + std::string(info.none) + "\"";
    case Kind::kMatrix: return "a square array of arrays of numbers in " + range;
    case Kind::kVariant: return "one of the types";
  }
  return "?";
}

// ---- Source -----------------------------------------------------------------------------

bool Source::present(const std::string& path) const {
  if (at.count(path) != 0) return true;
  // An entry that extends another has the other's keys it does not write.
  for (const auto& [entry, base] : extends) {
    if (path.size() > entry.size() && path.compare(0, entry.size(), entry) == 0 &&
        (path[entry.size()] == '.' || path[entry.size()] == '[')) {
      return present(base + path.substr(entry.size()));
    }
  }
  return false;
}

bool Source::ok(std::string_view path) const {
  // Bad paths are sorted: those at `path` or under it share its prefix.
  for (auto it = bad.lower_bound(path); it != bad.end() && it->compare(0, path.size(), path) == 0; ++it) {
    if (it->size() == path.size() || (*it)[path.size()] == '.' || (*it)[path.size()] == '[') return false;
  }
  return true;
}

Position Source::position(const std::string& path) const {
  if (const auto it = at.find(path); it != at.end()) return it->second;
  for (const auto& [entry, base] : extends) {
    if (path.size() > entry.size() && path.compare(0, entry.size(), entry) == 0 && path[entry.size()] == '.') {
      if (const auto b = at.find(base + path.substr(entry.size())); b != at.end()) return b->second;
    }
  }
  std::string parent = path;
  while (true) {
    const auto cut = parent.find_last_of(".[");
    parent = cut == std::string::npos ? std::string() : parent.substr(0, cut);
    if (const auto it = here.find(parent); it != here.end()) return it->second;
    if (parent.empty()) return {1, 1};
  }
}

Position Source::table_position(const std::string& path) const {
  if (const auto it = here.find(path); it != here.end()) return it->second;
  return position(path);
}

const std::vector<std::string>& Source::names_of(std::string_view collection) const {
  static const std::vector<std::string> kEmpty;
  const auto it = names.find(collection);
  return it == names.end() ? kEmpty : it->second;
}

// ---- Validator --------------------------------------------------------------------------

bool Validator::all_ok(std::string_view array, std::string_view leaf) const {
  const std::string base = child(array);
  for (std::size_t i = 0;; ++i) {
    const std::string element = base + "[" + std::to_string(i) + "]";
    if (ctx_.source.at.count(element) == 0) return true;
    if (!ctx_.source.ok(child_path(element, leaf))) return false;
  }
}

std::string Validator::written(std::string_view leaf) const {
  const auto it = ctx_.source.written.find(child(leaf));
  return it == ctx_.source.written.end() ? std::string("a value") : it->second;
}

void Validator::error_here(std::string expected, std::string got) {
  const auto [line, col] = ctx_.source.table_position(path_);
  ctx_.diag.add(Diagnostic{ctx_.source.file, line, col, path_, std::move(expected), std::move(got)});
}

bool Validator::clean() const { return ctx_.diag.empty() && ctx_.source.bad.empty(); }

namespace {
// Whether `key` is `path` or a key inside it ("path.x", "path[0]").
bool is_under(std::string_view key, std::string_view path) {
  return key.compare(0, path.size(), path) == 0 &&
         (key.size() == path.size() || key[path.size()] == '.' || key[path.size()] == '[');
}
}  // namespace

bool Validator::reported_under(std::string_view path) const {
  return std::any_of(ctx_.diag.items().begin(), ctx_.diag.items().end(),
                     [&](const Diagnostic& d) { return is_under(d.key, path); });
}

bool Validator::clean_under(std::string_view path) const {
  return !reported_under(path) && std::none_of(ctx_.source.bad.begin(), ctx_.source.bad.end(),
                                               [&](const std::string& bad) { return is_under(bad, path); });
}

void Validator::add_at(const std::string& path, Position at, std::string expected, std::string got) {
  ctx_.diag.add(Diagnostic{ctx_.source.file, at.first, at.second, path, std::move(expected), std::move(got)});
}

}  // namespace mhsim::schema
