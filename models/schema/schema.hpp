// SPDX-License-Identifier: MIT
#pragma once
// Typed field descriptors: the one declaration of every key a scenario file may hold.
//
// A struct that a file describes declares its fields once, beside the struct, in a function
//
//   template <class V> void describe(V& v, ServiceSpec& s) {
//     v(integer("capacity", s.capacity).range(0, 1e7).unit("slots").otherwise("0 (unlimited)")
//           .doc("Caseload slots or beds; 0 = unlimited (nobody waits)."));
//     ...
//   }
//
// naming the key, the member it fills, its type (by the builder), range, unit, default and a
// one-line doc. Visitors then walk the same declarations for every purpose: models/scenario
// reads TOML into the structs (every error at once, located), checks the values, sets numbers
// by key path for variants, uncertainty draws, calibration and --set, and writes the key
// reference (scenarios/KEYS.md, `mhsim keys`). Nothing here knows TOML or any domain: a
// descriptor is a name, a pointer and metadata.
//
// A visitor provides
//   void operator()(const Field<T>& f);               // a leaf: a number, a name, routes ...
//   void operator()(const Field<T>& f, Body&& body);  // a container: tables, arrays, maps
//   void check(Check&& c);                            // a rule across the fields of a struct
// and Check is a callable taking the visitor's `Checker&` (only the validating visitor runs it).

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mhsim::schema {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
/// A reference that names nothing ("discharge", or an absent optional name).
inline constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

/// How a key is written and stored; each kind is read, checked, set and documented by one
/// piece of code in each visitor.
enum class Kind : std::uint8_t {
  kNumber,        ///< a number in [min, max] (and > 0 when `positive`)
  kInteger,       ///< an integer in [min, max]
  kBoolean,       ///< true or false
  kText,          ///< a string
  kChoice,        ///< one of `choices`, stored as an enum, a string or a bool (index != 0)
  kReference,     ///< the name of an entry of `collection`, stored as its index (kNone: "discharge")
  kNumberOrNone,  ///< a number, or the string "none" (std::optional<double>)
  kNumbers,       ///< an array of numbers, each in [min, max] (std::vector or std::array)
  kNames,         ///< an array of names of `collection` (std::vector<bool> by index, or strings)
  kMatrix,        ///< an array of arrays of numbers
  kDistribution,  ///< a distribution table { distribution = "gamma", mean = 2, cv = 0.5 }
  kRoutes,        ///< { <name of collection> = p, ..., <exit word> = q }: probabilities summing to 1
  kByYear,        ///< a number (every year) or an array, one per simulated year
  kTable,         ///< a sub-table whose keys the body declares
  kNamedTables,   ///< [collection.<name>] sub-tables, one per entry, in file order
  kTableArray,    ///< [[key]] tables
  kVariant,       ///< a key (`tag`) whose value chooses which other keys the table takes
  kMap,           ///< a table by name of `collection` (or of `choices`), one entry each
};

/// Who may set a field once the file is read (every field may be set by `mhsim run --set`).
enum class Vary : std::uint8_t {
  kModel,     ///< a number the simulation reads: [uncertainty], [variants], calibration
  kPolicy,    ///< a contract term: a policy choice, varied by `mhsim sweep --set`
  kRun,       ///< how the scenario is run (run, model, scenario)
  kAnalysis,  ///< how results are analysed ([analysis], partners' reserves)
  kMeta,      ///< the file's own uncertainty and variants
};

/// Everything said about a key besides where it lives.
struct Info {
  std::string_view name;
  Kind kind = Kind::kNumber;
  std::string_view unit;
  std::string_view doc;
  std::string_view otherwise;   ///< the default as documented ("" with `required`)
  double min = -kInf, max = kInf;
  bool positive = false;        ///< also > 0 (reported after the range)
  bool required = false;
  const std::string_view* choices = nullptr;  ///< kChoice, kMap by fixed names: the names
  std::size_t choice_count = 0;
  std::string_view collection;  ///< kReference, kNames, kMap, kRoutes: whose names ("services")
  std::string_view noun;        ///< what a name names, for messages ("service", "need group")
  bool discharge = false;       ///< kReference: "discharge" is also allowed (stored as kNone)
  std::size_t size = 0;         ///< kNumbers into a std::array: the exact length
  std::string_view size_text;   ///< ... and what a wrong length is told ("exactly 12 numbers ...")
  double max_entries = kInf;    ///< kNamedTables
  std::string_view key_field;   ///< kTableArray: the field that names an element in key paths
  std::string_view tag;         ///< kVariant: the key that chooses
  std::string_view entry_doc;   ///< kMap: the doc of one entry
  bool or_number = false;       ///< kMap of numbers: a single number sets every entry
  bool every = false;           ///< kMap: every name of the collection is required
  bool inherits = false;        ///< kNamedTables: an entry may say `extends = "<other entry>"`
  bool open = false;            ///< kNamedTables: entries hold keys declared elsewhere too (not reported)
  std::string_view exit;        ///< kRoutes: the word for leaving ("discharge", "exit")
  const std::vector<bool>* allowed = nullptr;  ///< kRoutes: entries of the collection allowed (nullptr: all)
  std::string_view restriction; ///< ... and what the allowed ones are ("in arm \"block\"")
  std::string_view expect;      ///< what the key is, when a generic phrase would not say it
  std::string_view none = "none";  ///< kNumberOrNone: the word for no number
  Vary vary = Vary::kModel;

  bool has_choices() const noexcept { return choices != nullptr; }
  std::string_view choice(std::size_t i) const noexcept { return choices[i]; }
};

/// Nothing: the value of a table described only by its body.
struct Unit {};

/// One declared key: its Info and the value it fills (nullptr for Unit tables).
template <class T>
struct Field {
  Info info;
  T* value = nullptr;

  Field& unit(std::string_view s) { info.unit = s; return *this; }
  Field& doc(std::string_view s) { info.doc = s; return *this; }
  /// The default, as the docs show it.
  Field& otherwise(std::string_view s) { info.otherwise = s; return *this; }
  Field& range(double lo, double hi) { info.min = lo; info.max = hi; return *this; }
  /// Also strictly positive (the range includes 0 so that it prints simply).
  Field& positive() { info.positive = true; return *this; }
  Field& required() { info.required = true; return *this; }
  Field& vary(Vary v) { info.vary = v; return *this; }
  Field& noun(std::string_view s) { info.noun = s; return *this; }
  Field& max_entries(double n) { info.max_entries = n; return *this; }
  Field& key_field(std::string_view s) { info.key_field = s; return *this; }
  Field& entry_doc(std::string_view s) { info.entry_doc = s; return *this; }
  Field& or_number() { info.or_number = true; return *this; }
  Field& every() { info.every = true; return *this; }
  Field& inherits() { info.inherits = true; return *this; }
  /// Entries may hold keys that no field declares (another reader takes them).
  Field& open() { info.open = true; return *this; }
  /// Routes: the word for leaving is also a target.
  Field& exit(std::string_view word) { info.exit = word; return *this; }
  /// Routes: only these entries of the collection may be targets.
  Field& only(const std::vector<bool>& allowed, std::string_view restriction) {
    info.allowed = &allowed;
    info.restriction = restriction;
    return *this;
  }
  /// kNumberOrNone: the word that stands for no number ("none", "all").
  Field& none(std::string_view word) { info.none = word; return *this; }
  /// What the key is, in messages, when the kind's generic phrase would not say it.
  Field& expect(std::string_view s) { info.expect = s; return *this; }
  Field& discharge() { info.discharge = true; return *this; }
  Field& size(std::size_t n, std::string_view text) { info.size = n; info.size_text = text; return *this; }
  template <std::size_t N>
  Field& choices(const std::array<std::string_view, N>& names) {
    info.choices = names.data();
    info.choice_count = N;
    return *this;
  }
};

/// Visitors that list every key whatever the choices a file makes (the key reference) say
/// `static constexpr bool kEveryKey = true;`: a describe() that declares some keys only for
/// some choices declares them all for such a visitor.
template <class V, class = void> struct lists_every_key : std::false_type {};
template <class V> struct lists_every_key<V, std::void_t<decltype(V::kEveryKey)>> : std::true_type {};

/// `"a", "b"` (with `first` ahead when given): names as messages list them.
inline std::string quoted(const std::vector<std::string>& names, std::string_view first = {}) {
  std::string out;
  if (!first.empty()) out = "\"" + std::string(first) + "\"";
  for (const std::string& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return out;
}
/// "a" or "an" before `noun`.
inline std::string article(std::string_view noun) {
  return !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos ? "an" : "a";
}

namespace detail {
template <class T>
Field<T> make(std::string_view name, Kind kind, T* value) {
  Field<T> f;
  f.info.name = name;
  f.info.kind = kind;
  f.value = value;
  return f;
}
}  // namespace detail

// Builders: the kind of a key, and where its value goes.
template <class T> Field<T> number(std::string_view name, T& v) { return detail::make(name, Kind::kNumber, &v); }
template <class T> Field<T> integer(std::string_view name, T& v) { return detail::make(name, Kind::kInteger, &v); }
inline Field<bool> boolean(std::string_view name, bool& v) { return detail::make(name, Kind::kBoolean, &v); }
template <class T> Field<T> text(std::string_view name, T& v) { return detail::make(name, Kind::kText, &v); }
/// `names` must outlive the field (a static array).
template <class T, std::size_t N>
Field<T> choice(std::string_view name, T& v, const std::array<std::string_view, N>& names) {
  return detail::make(name, Kind::kChoice, &v).choices(names);
}
/// The name of an entry of the named tables `collection`, stored as its index.
inline Field<std::size_t> reference(std::string_view name, std::size_t& v, std::string_view collection,
                                    std::string_view noun) {
  Field<std::size_t> f = detail::make(name, Kind::kReference, &v);
  f.info.collection = collection;
  f.info.noun = noun;
  return f;
}
template <class T> Field<T> number_or_none(std::string_view name, T& v) { return detail::make(name, Kind::kNumberOrNone, &v); }
template <class T> Field<T> numbers(std::string_view name, T& v) { return detail::make(name, Kind::kNumbers, &v); }
template <class T>
Field<T> names(std::string_view name, T& v, std::string_view collection, std::string_view noun) {
  Field<T> f = detail::make(name, Kind::kNames, &v);
  f.info.collection = collection;
  f.info.noun = noun;
  return f;
}
template <class T> Field<T> matrix(std::string_view name, T& v) { return detail::make(name, Kind::kMatrix, &v); }
template <class T> Field<T> distribution(std::string_view name, T& v) { return detail::make(name, Kind::kDistribution, &v); }
/// Routes to entries of `collection` (and, with exit_word(), out).
template <class T>
Field<T> routes(std::string_view name, T& v, std::string_view collection, std::string_view noun) {
  Field<T> f = detail::make(name, Kind::kRoutes, &v);
  f.info.collection = collection;
  f.info.noun = noun;
  return f;
}
template <class T> Field<T> by_year(std::string_view name, T& v) { return detail::make(name, Kind::kByYear, &v); }
/// A sub-table; its body declares the keys. With a value (a struct, or std::optional of one,
/// present when the file has the table), the body receives it.
inline Field<Unit> table(std::string_view name) { return detail::make<Unit>(name, Kind::kTable, nullptr); }
template <class T> Field<T> table(std::string_view name, T& v) { return detail::make(name, Kind::kTable, &v); }
/// [name.<entry>] tables into a std::vector of structs with a `name` member, in file order.
template <class T>
Field<T> named(std::string_view name, T& v, std::string_view noun) {
  Field<T> f = detail::make(name, Kind::kNamedTables, &v);
  f.info.noun = noun;
  return f;
}
/// [[name]] tables into a std::vector of structs.
template <class T> Field<T> tables(std::string_view name, T& v) { return detail::make(name, Kind::kTableArray, &v); }
/// The key `tag` chooses the alternative of std::variant `v` by `names` (in alternative order).
template <class T, std::size_t N>
Field<T> variant(std::string_view tag, T& v, const std::array<std::string_view, N>& names) {
  Field<T> f = detail::make(tag, Kind::kVariant, &v).choices(names);
  f.info.tag = tag;
  return f;
}
/// A table by name of `collection` into a std::vector indexed like the collection; the
/// body declares one entry (a leaf named by its key).
template <class T>
Field<T> map(std::string_view name, T& v, std::string_view collection, std::string_view noun) {
  Field<T> f = detail::make(name, Kind::kMap, &v);
  f.info.collection = collection;
  f.info.noun = noun;
  return f;
}

}  // namespace mhsim::schema
