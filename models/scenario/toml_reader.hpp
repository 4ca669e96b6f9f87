// SPDX-License-Identifier: MIT
#pragma once
// Internal to mhsim::scenario: the only place that sees toml++ types. Reader walks the field
// descriptors of a struct (models/schema) over one TOML table: it reads each declared key
// into its field, reports what is missing, of the wrong type, out of range or unknown (every
// problem, never throwing), and records in a Source where everything is, so that the later
// checks of typed values (check.hpp) can locate their messages too.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "models/schema/distributions.hpp"
#include "models/schema/traits.hpp"
#include "models/schema/source.hpp"

namespace mhsim::scenario {

// The scenario layer is the schema library's main user: its names are this layer's own.
using namespace schema;

/// Parses TOML text; bad TOML is reported as a ScenarioError ("expected valid TOML").
toml::table parse_toml(std::string_view text, const std::string& file);
/// The bytes of a scenario file; a file that cannot be read is a ScenarioError.
std::string read_scenario_file(const std::string& path);

/// "a string \"four\"", "-3", "a table", ... : what a node holds, for messages.
std::string node_text(const toml::node& node);
/// Where a node begins in the file; for a table toml++ made implicitly (only its
/// sub-tables written out), the earliest position of anything in it. {0, 0} if none.
Position first_position(const toml::node& node);
/// Position of a node, falling back to `fallback` when toml++ has none (implicit tables),
/// else {1, 1}.
Position position(const toml::node& node, const toml::node* fallback = nullptr);
/// Position of a key as written (for "unknown key" messages), else of its value.
Position key_position(const toml::key& k, const toml::node& value, const toml::node* fallback = nullptr);
/// A TOML integer or float as a double; nothing for other nodes.
std::optional<double> number_of(const toml::node& node);
/// The sub-tables of `table` in the order the file declares them (toml++ sorts keys), with
/// the entries that are not tables separately (key, node).
struct Entries {
  std::vector<std::pair<std::string, const toml::table*>> tables;
  std::vector<std::pair<const toml::key*, const toml::node*>> others;
};
Entries entries_in_order(const toml::table& table);

/// Reads the declared keys of one TOML table into the fields a describe() function names.
class Reader {
 public:
  struct Context {
    Source& source;
    Diagnostics& diag;
    /// The run's years once read (by-year arrays are told how long they may be), or nullptr.
    const int* years = nullptr;
  };

  Reader(Context& ctx, const toml::table& table, std::string path) : ctx_(ctx), table_(table), path_(std::move(path)) {
    ctx_.source.here.emplace(path_, position(table_));
  }

  template <class T>
  void operator()(const schema::Field<T>& f) {
    const toml::node* node = take(f.info);
    if (node != nullptr) leaf(f, *node);
  }

  template <class T, class Body>
  void operator()(const schema::Field<T>& f, Body&& body) {
    using schema::Kind;
    if constexpr (is_variant<T>::value) {
      variant(f, body);
    } else {
      const toml::node* node = take(f.info);
      if (node == nullptr) return;
      if constexpr (entry_of_array<Body, Reader, T>::value) {
        if constexpr (has_name_member<typename T::value_type>::value) {
          if (f.info.kind == Kind::kNamedTables) return named(f, *node, body);
        }
        tables(f, *node, body);
      } else if constexpr (entry_of_map<Body, Reader, T>::value) {
        map(f, *node, &body);
      } else {
        table(f, *node, body);
      }
    }
  }

  /// Cross-field rules run later, on the typed values (check.hpp).
  template <class C>
  void check(C&&) {}

  /// Reports keys present here but declared by no field, naming the declared ones (or
  /// `expected`). Not for tables whose keys depend on a choice that could not be read.
  void finish(std::string expected = {});
  /// Keys this table takes besides those its fields declare (read elsewhere).
  void also(std::string_view key) { read_.emplace(key); }

  const toml::table& raw() const noexcept { return table_; }
  const std::string& path() const noexcept { return path_; }
  Source& source() noexcept { return ctx_.source; }
  Diagnostics& diagnostics() noexcept { return ctx_.diag; }
  std::string child(std::string_view leaf) const { return child_path(path_, leaf); }
  /// Reports a problem at key `leaf` (or this table when the key is absent).
  void error(std::string_view leaf, std::string expected, std::string got);
  /// Reports a problem at this table.
  void error_here(std::string expected, std::string got);
  /// Reports a problem at a node.
  void error_at(const toml::node& node, const std::string& path, std::string expected, std::string got);
  void mark_bad(const std::string& path) { ctx_.source.bad.insert(path); }

 private:
  /// The node of key `info.name` (recorded as read, with its position), or nullptr after
  /// reporting it if it is required.
  const toml::node* take(const schema::Info& info);
  void missing(const schema::Info& info, std::string_view leaf);
  void wrong(const schema::Info& info, const toml::node& node, std::string_view leaf);
  /// Records a node read at `path` (its position, its text, and its own position as a table).
  void record(const std::string& path, const toml::node& node, const toml::node* parent);
  /// Range and positivity of a number read as `x` at `leaf`: false after reporting.
  bool in_range(const schema::Info& info, double x, const toml::node& node, std::string_view leaf);
  std::optional<std::size_t> reference(const schema::Info& info, const toml::node& node, std::string_view leaf);
  std::optional<std::vector<double>> number_array(const schema::Info& info, const toml::node& node,
                                                  std::string_view leaf, const std::string& element);
  std::optional<engine::Distribution> distribution(const schema::Info& info, const toml::node& node);
  bool by_year(const schema::Info& info, const toml::node& node, std::vector<double>& out);
  /// Reads routes to the entries of info.collection (ordered as written).
  bool route_list(const schema::Info& info, const toml::node& node, std::vector<std::pair<std::size_t, double>>& out);

  template <class T>
  void leaf(const schema::Field<T>& f, const toml::node& node);
  template <class T, class Body>
  void table(const schema::Field<T>& f, const toml::node& node, Body& body);
  template <class T, class Body>
  void named(const schema::Field<T>& f, const toml::node& node, Body& body);
  template <class T, class Body>
  void tables(const schema::Field<T>& f, const toml::node& node, Body& body);
  template <class T, class Body>
  void map(const schema::Field<T>& f, const toml::node& node, Body* body);
  template <class T, class Body>
  void variant(const schema::Field<T>& f, Body& body);

  Context& ctx_;
  const toml::table& table_;
  std::string path_;
  std::vector<std::string_view> declared_;   ///< keys the fields declare here, in order
  std::set<std::string, std::less<>> read_;  ///< keys present and read
  std::string required_in_;                  ///< " in a block contract": where a required key is required
  std::string finish_note_;                  ///< " (the keys of a block contract)"
  bool abandoned_ = false;                   ///< a choice the other keys depend on failed: no finish()
  bool finished_ = false;
};

// ---- leaves -------------------------------------------------------------------------------

template <class T>
void Reader::leaf(const schema::Field<T>& f, const toml::node& node) {
  using schema::Kind;
  const schema::Info& info = f.info;
  const std::string_view name = info.name;
  T& value = *f.value;
  using V = std::remove_reference_t<decltype(filled(value))>;
  switch (info.kind) {
    case Kind::kNumber: {
      const std::optional<double> x = number_of(node);
      if (!x || !in_range(info, *x, node, name)) {
        if (!x) wrong(info, node, name);
        return;
      }
      if constexpr (std::is_floating_point_v<V>) filled(value) = *x;
      return;
    }
    case Kind::kInteger: {
      const std::optional<double> x = node.is_integer() ? number_of(node) : std::nullopt;
      if (!x || !(*x >= info.min && *x <= info.max)) return wrong(info, node, name);
      if constexpr (std::is_arithmetic_v<V>) filled(value) = static_cast<V>(*x);
      return;
    }
    case Kind::kBoolean:
      if (const auto* b = node.as_boolean()) {
        if constexpr (std::is_same_v<V, bool>) value = b->get();
        return;
      }
      return wrong(info, node, name);
    case Kind::kText:
      if (const auto* s = node.as_string()) {
        if constexpr (std::is_same_v<V, std::string>) filled(value) = s->get();
        return;
      }
      return wrong(info, node, name);
    case Kind::kChoice: {
      const auto* s = node.as_string();
      for (std::size_t i = 0; s != nullptr && i < info.choice_count; ++i) {
        if (info.choice(i) != s->get()) continue;
        if constexpr (std::is_same_v<V, std::string>) value = s->get();
        else if constexpr (std::is_same_v<V, bool>) value = i != 0;
        else if constexpr (std::is_enum_v<V> || std::is_integral_v<V>) value = static_cast<V>(i);
        return;
      }
      return wrong(info, node, name);
    }
    case Kind::kReference:
      if constexpr (std::is_same_v<V, std::size_t>) {
        if (auto i = reference(info, node, name)) filled(value) = *i;
      }
      return;
    case Kind::kNumberOrNone: {
      if (const auto* s = node.as_string(); s != nullptr && s->get() == info.none) {
        if constexpr (is_optional<T>::value) value.reset();
        else if constexpr (std::is_floating_point_v<T>) value = std::numeric_limits<double>::infinity();
        return;
      }
      const std::optional<double> x = number_of(node);
      if (!x || !std::isfinite(*x) || *x < info.min || *x > info.max) return wrong(info, node, name);
      if constexpr (std::is_floating_point_v<V>) filled(value) = *x;
      return;
    }
    case Kind::kNumbers:
      if constexpr (is_numbers<V>::value) {
        const auto xs = number_array(info, node, name, range_phrase(info));
        if (!xs) return;
        if (info.size > 0 && xs->size() != info.size) {
          error(name, std::string(info.size_text), std::to_string(xs->size()) + " numbers");
          mark_bad(child(name));
          return;
        }
        if constexpr (is_vector<V>::value) value = *xs;
        else std::copy_n(xs->begin(), std::min(xs->size(), value.size()), value.begin());
      }
      return;
    case Kind::kNames:
      if constexpr (std::is_same_v<V, std::vector<bool>> || std::is_same_v<V, std::vector<std::string>>) {
      const auto* list = node.as_array();
      if (list == nullptr) return wrong(info, node, name);
      const std::vector<std::string>& names = ctx_.source.names_of(info.collection);
      if constexpr (std::is_same_v<V, std::vector<bool>>) value.assign(names.size(), false);
      if constexpr (std::is_same_v<V, std::vector<std::string>>) value.clear();
      for (std::size_t i = 0; i < list->size(); ++i) {
        const toml::node& item = *list->get(i);
        const std::string at = child(name) + "[" + std::to_string(i) + "]";
        record(at, item, &node);
        const auto* s = item.as_string();
        if constexpr (std::is_same_v<V, std::vector<std::string>>) {
          value.push_back(s != nullptr ? s->get() : std::string());
          if (s == nullptr) error_at(item, at, "a string", node_text(item));
          continue;
        } else {
          const auto it = s ? std::find(names.begin(), names.end(), s->get()) : names.end();
          if (it != names.end()) {
            value[static_cast<std::size_t>(it - names.begin())] = true;
            continue;
          }
          error_at(item, at, "the name of " + article(info.noun) + " " + std::string(info.noun) + " (one of " + quoted(names) + ")",
                   s ? "an unknown " + std::string(info.noun) + " \"" + s->get() + "\"" : node_text(item));
        }
      }
      }
      return;
    case Kind::kDistribution:
      if constexpr (std::is_same_v<V, engine::Distribution>) {
        if (auto d = distribution(info, node)) filled(value) = *d;
      }
      return;
    case Kind::kRoutes:
      if constexpr (is_routes<V>::value) {
        std::vector<std::pair<std::size_t, double>> list;
        if (!route_list(info, node, list)) return;
        V& out = filled(value);
        out.clear();
        for (const auto& [t, p] : list) out.push_back({t, p});
      }
      return;
    case Kind::kByYear:
      if constexpr (has_values<V>::value) {
        std::vector<double> xs;
        if (by_year(info, node, xs)) value = V(std::move(xs));
      }
      return;
    case Kind::kMatrix:
      if constexpr (std::is_same_v<V, std::vector<std::vector<double>>>) {
        const auto* rows = node.as_array();
        if (rows == nullptr) return wrong(info, node, name);
        value.clear();
        for (std::size_t i = 0; i < rows->size(); ++i) {
          const toml::node& row_node = *rows->get(i);
          const std::string row_path = child(name) + "[" + std::to_string(i) + "]";
          record(row_path, row_node, &node);
          value.emplace_back();
          const auto* row = row_node.as_array();
          if (row == nullptr) {
            mark_bad(row_path);
            continue;
          }
          for (std::size_t j = 0; j < row->size(); ++j) {
            const toml::node& e = *row->get(j);
            record(row_path + "[" + std::to_string(j) + "]", e, &row_node);
            value.back().push_back(number_of(e).value_or(std::numeric_limits<double>::quiet_NaN()));
          }
        }
      }
      return;
    case Kind::kMap:
      if constexpr (is_numbers<V>::value) map(f, node, static_cast<const int*>(nullptr));
      return;
    default:
      return;
  }
}

// ---- containers ---------------------------------------------------------------------------

template <class T, class Body>
void Reader::table(const schema::Field<T>& f, const toml::node& node, Body& body) {
  const auto* t = node.as_table();
  if (t == nullptr) return wrong(f.info, node, f.info.name);
  Reader sub(ctx_, *t, child(f.info.name));
  if constexpr (std::is_same_v<T, schema::Unit>) {
    body(sub);
  } else {
    body(sub, filled(*f.value));
  }
  sub.finish();
}

template <class T, class Body>
void Reader::named(const schema::Field<T>& f, const toml::node& node, Body& body) {
  const std::string path = child(f.info.name);
  const auto* t = node.as_table();
  if (t == nullptr) return wrong(f.info, node, f.info.name);
  const Entries entries = entries_in_order(*t);
  for (const auto& [k, v] : entries.others) {
    error_at(*v, path + "." + std::string(k->str()),
             "a table describing " + article(f.info.noun) + " ([" + path + "." + std::string(k->str()) + "])",
             node_text(*v));
  }
  if (entries.tables.empty() && t->empty()) {
    error_at(*t, path, "at least one " + std::string(f.info.noun), "none");
  } else if (static_cast<double>(entries.tables.size()) > f.info.max_entries) {
    error_at(*t, path, "at most " + number_text(f.info.max_entries) + " " + std::string(f.info.noun) + "s",
             std::to_string(entries.tables.size()));
  }
  T& list = *f.value;
  list.clear();
  list.resize(entries.tables.size());
  // An entry that extends another starts as a copy of it: read the others first.
  std::vector<std::size_t> base(entries.tables.size(), entries.tables.size());
  if (f.info.inherits) {
    for (std::size_t i = 0; i < entries.tables.size(); ++i) {
      const toml::node* e = entries.tables[i].second->get("extends");
      if (e == nullptr) continue;
      const std::string at = path + "." + entries.tables[i].first + ".extends";
      record(at, *e, entries.tables[i].second);
      std::size_t j = 0;
      while (j < entries.tables.size() && !(e->is_string() && entries.tables[j].first == e->as_string()->get())) ++j;
      if (j == entries.tables.size() || j == i) {
        std::vector<std::string> others;
        for (std::size_t k = 0; k < entries.tables.size(); ++k) {
          if (k != i) others.push_back(entries.tables[k].first);
        }
        error_at(*e, at, "the name of another " + std::string(f.info.noun) + " (one of " + quoted(others) + ")",
                 j == i ? "the " + std::string(f.info.noun) + " itself" : node_text(*e));
      } else {
        base[i] = j;
      }
    }
  }
  std::vector<int> state(entries.tables.size(), 0);  // 0 to read, 1 reading, 2 read
  const auto read = [&](std::size_t i, const auto& self) -> void {
    if (state[i] != 0) {
      if (state[i] == 1) {
        const std::string at = path + "." + entries.tables[i].first + ".extends";
        ctx_.diag.add(ctx_.source.diagnostic(at, "an entry that does not extend itself through others",
                                             "a cycle through \"" + entries.tables[i].first + "\""));
      }
      return;
    }
    state[i] = 1;
    const std::string entry_path = path + "." + entries.tables[i].first;
    if (base[i] < entries.tables.size()) {
      self(base[i], self);
      if (state[base[i]] == 2) {  // read (not on a cycle through this entry)
        list[i] = list[base[i]];
        ctx_.source.extends.emplace(entry_path, path + "." + entries.tables[base[i]].first);
      }
    }
    list[i].name = entries.tables[i].first;
    Reader sub(ctx_, *entries.tables[i].second, entry_path);
    if (f.info.inherits) sub.also("extends");
    body(sub, list[i], i);
    if (!f.info.open) sub.finish();
    state[i] = 2;
  };
  for (std::size_t i = 0; i < entries.tables.size(); ++i) read(i, read);
}

template <class T, class Body>
void Reader::tables(const schema::Field<T>& f, const toml::node& node, Body& body) {
  const std::string path = child(f.info.name);
  const auto* list = node.as_array();
  if (list == nullptr) return wrong(f.info, node, f.info.name);
  T& out = *f.value;
  out.clear();
  out.resize(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string at = path + "[" + std::to_string(i) + "]";
    record(at, item, &node);
    const auto* t = item.as_table();
    if (t == nullptr) {
      error_at(item, at, "a table ([[" + std::string(f.info.name) + "]])", node_text(item));
      continue;
    }
    Reader sub(ctx_, *t, at);
    body(sub, out[i], i);
    sub.finish();
  }
}

template <class T, class Body>
void Reader::map(const schema::Field<T>& f, const toml::node& node, Body* body) {
  const schema::Info& info = f.info;
  const std::string path = child(info.name);
  const std::vector<std::string> names =
      info.has_choices() ? choice_names(info) : ctx_.source.names_of(info.collection);
  T& out = *f.value;
  using E = typename T::value_type;
  const auto reset = [&](const E& fill) {
    if constexpr (is_vector<T>::value) out.assign(names.size(), fill);
    else out.fill(fill);
  };
  const auto* t = node.as_table();
  if (t == nullptr) {
    if constexpr (std::is_floating_point_v<E>) {
      const std::optional<double> x = number_of(node);
      if (info.or_number && x && in_range(info, *x, node, info.name)) {
        reset(*x);
        return;
      }
      if (info.or_number && x) return;
    }
    return wrong(info, node, info.name);
  }
  // A table replaces a std::array's entries (names left out: 0); a vector of the right size
  // already holds an inherited entry's values, which the table's keys overwrite one by one.
  if constexpr (is_array<T>::value) {
    reset(E{});
  } else if (out.size() != names.size()) {
    if constexpr (std::is_same_v<E, std::size_t>) reset(schema::kNone);
    else reset(E{});
  }
  Reader sub(ctx_, *t, path);
  for (const auto& [k, v] : *t) {
    const auto it = std::find(names.begin(), names.end(), k.str());
    if (it != names.end()) continue;
    const Position at = key_position(k, v, t);
    ctx_.diag.add(Diagnostic{ctx_.source.file, at.first, at.second, path + "." + std::string(k.str()),
                             article(info.noun) + " " + std::string(info.noun) + " (one of " + quoted(names) + ")",
                             "an unknown " + std::string(info.noun) + " \"" + std::string(k.str()) + "\""});
    mark_bad(path + "." + std::string(k.str()));
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!info.every && t->get(names[i]) == nullptr) continue;
    if constexpr (std::is_same_v<Body, const int>) {
      schema::Field<E> entry{info, &out[i]};
      entry.info.name = names[i];
      entry.info.kind = schema::Kind::kNumber;
      sub(entry);
    } else {
      (*body)(sub, out[i], names[i]);
    }
  }
}

template <class T, class Body>
void Reader::variant(const schema::Field<T>& f, Body& body) {
  schema::Field<std::size_t> tag;
  std::size_t index = f.info.choice_count;
  tag.info = f.info;
  tag.info.kind = schema::Kind::kChoice;
  tag.value = &index;
  (*this)(tag);
  if (index >= f.info.choice_count) {
    abandoned_ = true;  // its other keys depend on the choice
    return;
  }
  const std::string alternative(f.info.choice(index));
  const std::string saved = required_in_;
  required_in_ = " in " + article(alternative) + " " + alternative + " " + std::string(f.info.noun);
  finish_note_ = " (the keys of " + article(alternative) + " " + alternative + " " + std::string(f.info.noun) + ")";
  emplace_alternative(*f.value, index, [&](auto& alt) { body(*this, alt); });
  required_in_ = saved;
}

/// Collects the names of a root table's named collections before anything is read, so that
/// any key may refer to any entry.
class NameScan {
 public:
  NameScan(Source& source, const toml::table& root) : source_(source), root_(root) {}
  template <class T>
  void operator()(const schema::Field<T>&) {}
  template <class T, class Body>
  void operator()(const schema::Field<T>& f, Body&&) {
    if (f.info.kind != schema::Kind::kNamedTables) return;
    std::vector<std::string>& names = source_.names[std::string(f.info.name)];
    names.clear();
    const toml::node* node = root_.get(f.info.name);
    if (node == nullptr || !node->is_table()) return;
    for (const auto& [name, table] : entries_in_order(*node->as_table()).tables) names.push_back(name);
  }
  template <class C>
  void check(C&&) {}

 private:
  Source& source_;
  const toml::table& root_;
};

}  // namespace mhsim::scenario
