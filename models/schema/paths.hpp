// SPDX-License-Identifier: MIT
#pragma once
// Internal to mhsim::scenario: key paths (`arms.living_well.front_door_diversion[1]`,
// `services.cmht.duration.mean`, `arms.a.contracts.alliance.members.trust.fee`) and Setter,
// which walks the field descriptors to the field a path names and reads or sets its typed
// value directly: the one mechanism behind [variants], [uncertainty] draws, calibration,
// `mhsim sweep --set` and `mhsim run --set`. No TOML here, and no re-reading of anything.

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/schema/distributions.hpp"
#include "models/schema/traits.hpp"
#include "models/schema/source.hpp"

namespace mhsim::schema {

/// One component of a key path: a key, and the array indices written after it.
struct PathStep {
  std::string key;
  std::vector<std::size_t> indices;
};
/// Parses a.b[0].c and "quoted key".d; nothing when the syntax is wrong.
std::optional<std::vector<PathStep>> parse_path(std::string_view path);
/// The steps written back as a path.
std::string path_text(const std::vector<PathStep>& steps, std::size_t count);

/// A value to set: a number (uncertainty, variants, calibration, sweeps) or text as typed
/// on a command line (`--set key=value`), which also serves names, choices and booleans.
struct SetValue {
  std::optional<double> number;
  std::string text;
  static SetValue of(double x) { return SetValue{x, {}}; }
  /// From command-line text: a number when it reads as one.
  static SetValue parse(const std::string& text);
};

/// Splits "key=value" (a --set option) into its key and value; false when it is not of that form.
bool split_setting(const std::string& setting, std::string& key, SetValue& value);

/// What Setter found (and did) at a path.
struct SetResult {
  bool found = false;              ///< the path names a field
  Info info;               ///< that field's (for a map entry or an element, the entry's)
  std::optional<double> current;   ///< its number before any change (numeric fields)
  bool integer = false;            ///< the field holds an integer (values are rounded by callers that draw)
  std::string expected, got;       ///< when the value was refused: why (a located message's parts)
  std::string missing;             ///< when the path names nothing: what is not there
  bool ok() const noexcept { return found && expected.empty(); }
};

/// Walks describe(root) along a path; with a value, sets it (after checking it against the
/// field: type, range, choices, names), else only reads the current one.
class Setter {
 public:
  struct Request {
    const std::vector<PathStep>& steps;
    const SetValue* value;  ///< nullptr: read only
    const Source* source;   ///< names of collections
    SetResult result;
    /// Which fields may be set: "" when this one may, else what may (a refused value's message).
    std::function<std::string(const Info&)> permit = {};
  };

  Setter(Request& r, std::size_t step) : r_(r), step_(step) {}

  template <class T>
  void operator()(const Field<T>& f) {
    names_.push_back(f.info.name);
    if (!matches(f.info)) return;
    const PathStep& s = r_.steps[step_];
    const bool last = step_ + 1 == r_.steps.size();
    switch (f.info.kind) {
      case Kind::kNumbers:
        if constexpr (is_vector<T>::value || is_array<T>::value) {
          if constexpr (std::is_arithmetic_v<typename T::value_type> && !std::is_same_v<typename T::value_type, bool>) {
          std::optional<std::size_t> i;
          if (last && s.indices.size() == 1) i = s.indices[0];
          if (!last && step_ + 2 == r_.steps.size() && s.indices.empty() && f.info.has_choices()) {
            const std::vector<std::string> names = choice_names(f.info);
            const auto it = std::find(names.begin(), names.end(), r_.steps[step_ + 1].key);
            if (it != names.end()) i = static_cast<std::size_t>(it - names.begin());
          }
          if (!i) {
            std::string options = std::string(f.info.name) + "[i]";
            if (f.info.has_choices()) options += ", or " + std::string(f.info.name) + ".<one of " + quoted(choice_names(f.info)) + ">";
            return miss("an element of " + std::string(f.info.name) + " (" + options + ")");
          }
          if (*i >= f.value->size()) return miss(std::string(f.info.name) + " has " + count(f.value->size()));
          return number_at(f.info, (*f.value)[*i], false);
          }
        }
        return;
      case Kind::kByYear:
        if constexpr (has_values<T>::value) {
          if (!last || s.indices.size() > 1) return miss("a key of " + std::string(f.info.name));
          std::vector<double> values = f.value->values();
          if (s.indices.empty()) {
            double x = values.front();
            const bool all_same = std::all_of(values.begin(), values.end(), [&](double v) { return v == x; });
            if (!all_same) return miss(std::string(f.info.name) + " is an array (give an element: [i])");
            number_at(f.info, x, false);
            if (r_.result.ok() && r_.value != nullptr) *f.value = T(std::vector<double>{x});
            return;
          }
          if (s.indices[0] >= values.size()) return miss(std::string(f.info.name) + " has " + count(values.size()));
          number_at(f.info, values[s.indices[0]], false);
          if (r_.result.ok() && r_.value != nullptr) *f.value = T(std::move(values));
        }
        return;
      case Kind::kRoutes:
        if constexpr (is_routes<std::remove_reference_t<decltype(filled(*f.value))>>::value) {
          if (last || step_ + 2 != r_.steps.size() || !s.indices.empty()) return miss("a route: " + std::string(f.info.name) + ".<target>");
          if constexpr (is_optional<T>::value) {
            if (!f.value->has_value()) return miss("no " + std::string(f.info.name) + " in the file");
          }
          const std::string& target = r_.steps[step_ + 1].key;
          const std::vector<std::string>& names = r_.source->names_of(f.info.collection);
          for (auto& route : filled(*f.value)) {
            const bool is = route.target == kNone ? target == f.info.exit
                                                          : route.target < names.size() && names[route.target] == target;
            if (!is) continue;
            Info p = f.info;
            p.kind = Kind::kNumber;
            p.min = 0;
            p.max = 1;
            return number_at(p, route.probability, false);
          }
          return miss("no route to \"" + target + "\" in " + std::string(f.info.name));
        }
        return;
      case Kind::kDistribution:
        if constexpr (std::is_same_v<std::remove_reference_t<decltype(filled(*f.value))>, engine::Distribution>) {
          if (last || step_ + 2 != r_.steps.size()) return miss("a parameter: " + std::string(f.info.name) + ".<parameter>");
          if constexpr (is_optional<T>::value) {
            if (!f.value->has_value()) return miss("no " + std::string(f.info.name) + " in the file");
          }
          return parameter(f.info, filled(*f.value), r_.steps[step_ + 1].key);
        }
        return;
      case Kind::kMap:
        if constexpr (is_vector<T>::value || is_array<T>::value) {
          using E = typename T::value_type;
          if constexpr (std::is_floating_point_v<E>) {
            const std::vector<std::string> names =
                f.info.has_choices() ? choice_names(f.info) : r_.source->names_of(f.info.collection);
            if (last) {
              if (!f.info.or_number || f.value->size() == 0) return miss("an entry of " + std::string(f.info.name));
              const double x = (*f.value)[0];
              number_at(f.info, (*f.value)[0], false);
              if (r_.result.ok() && r_.value != nullptr) {
                for (auto& e : *f.value) e = (*f.value)[0];
              }
              (void)x;
              return;
            }
            if (step_ + 2 != r_.steps.size()) return miss("a key of " + std::string(f.info.name));
            const auto it = std::find(names.begin(), names.end(), r_.steps[step_ + 1].key);
            if (it == names.end() || static_cast<std::size_t>(it - names.begin()) >= f.value->size()) {
              return miss("no entry \"" + r_.steps[step_ + 1].key + "\" in " + std::string(f.info.name));
            }
            Info e = f.info;
            e.kind = Kind::kNumber;
            e.name = r_.steps[step_ + 1].key;
            return number_at(e, (*f.value)[static_cast<std::size_t>(it - names.begin())], false);
          }
        }
        return;
      default:
        if (!last || !s.indices.empty()) return miss(std::string(f.info.name) + " has no keys");
        return scalar(f);
    }
  }

  template <class T, class Body>
  void operator()(const Field<T>& f, Body&& body) {
    names_.push_back(f.info.name);
    if constexpr (is_variant<T>::value) {
      if (r_.result.found || !r_.result.missing.empty() || step_ >= r_.steps.size()) return;
      if (r_.steps[step_].key == f.info.tag && step_ + 1 == r_.steps.size()) {
        return refuse(f.info, "a term (the type of a contract is not a number to set)");
      }
      std::visit([&](auto& alt) { body(*this, alt); }, *f.value);
      return;
    } else {
      if (!matches(f.info)) return;
      const PathStep& s = r_.steps[step_];
      const bool last = step_ + 1 == r_.steps.size();
      if constexpr (entry_of_array<Body, Setter, T>::value) {
        const bool by_name = f.info.kind == Kind::kNamedTables;
        std::optional<std::size_t> i;
        std::size_t next = step_ + 1;
        if (s.indices.size() == 1 && !by_name) {
          i = s.indices[0];
          if (*i >= f.value->size()) return miss(std::string(f.info.name) + " has " + count(f.value->size()));
        } else if (s.indices.empty() && (by_name || !f.info.key_field.empty()) && step_ + 1 < r_.steps.size()) {
          std::vector<std::string> names;
          for (auto& e : *f.value) names.push_back(key_of(e, by_name ? std::string_view("name") : f.info.key_field, body));
          // Names may hold dots: the longest name the next steps spell, leaving a key after it.
          for (std::size_t k = 0; k < names.size(); ++k) {
            for (std::size_t n = step_ + 1; n + 1 < r_.steps.size(); ++n) {
              if (path_text(r_.steps, n + 1).substr(path_text(r_.steps, step_ + 1).size() + 1) != names[k]) continue;
              if (!i || n + 1 > next) {
                i = k;
                next = n + 1;
              }
            }
          }
          if (!i) {
            return miss("no " + std::string(by_name ? f.info.noun : f.info.name) + " named \"" +
                        r_.steps[step_ + 1].key + "\" (" + (names.empty() ? std::string("there are none") : "one of " + quoted(names)) + ")");
          }
        }
        if (!i || next >= r_.steps.size()) return miss("an element of " + std::string(f.info.name));
        Setter sub(r_, next);
        body(sub, (*f.value)[*i], *i);
        return sub.not_found(path_text(r_.steps, next), r_.steps[next].key);
      } else if constexpr (entry_of_map<Body, Setter, T>::value) {
        if (last || step_ + 2 != r_.steps.size()) return miss("an entry: " + std::string(f.info.name) + ".<name>");
        const std::vector<std::string>& names = r_.source->names_of(f.info.collection);
        const std::string& name = r_.steps[step_ + 1].key;
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) return miss("no entry \"" + name + "\" in " + std::string(f.info.name));
        const auto i = static_cast<std::size_t>(it - names.begin());
        if (i >= f.value->size()) return miss("no " + std::string(f.info.name) + " in the file");
        Setter sub(r_, step_ + 1);
        body(sub, (*f.value)[i], names[i]);
        return sub.not_found(path_text(r_.steps, step_ + 1), name);
      } else {
        if (last || !s.indices.empty()) return miss(std::string(f.info.name) + " is a table");
        Setter sub(r_, step_ + 1);
        if constexpr (std::is_same_v<T, Unit>) {
          body(sub);
        } else if constexpr (is_optional<T>::value) {
          if (!f.value->has_value()) return miss("no " + std::string(f.info.name) + " in the file");
          body(sub, **f.value);
        } else {
          body(sub, *f.value);
        }
        return sub.not_found(path_text(r_.steps, step_ + 1), r_.steps[step_ + 1].key);
      }
    }
  }

  template <class C>
  void check(C&&) {}

 private:
  bool matches(const Info& info) const {
    return !r_.result.found && r_.result.missing.empty() && step_ < r_.steps.size() && r_.steps[step_].key == info.name;
  }
  void miss(std::string what) {
    if (r_.result.missing.empty()) r_.result.missing = std::move(what);
  }
  /// After a sub-walk: the key it was given named no field.
  void not_found(const std::string& where, const std::string& key) {
    if (r_.result.found || !r_.result.missing.empty()) return;
    std::string keys;
    for (const std::string_view n : names_) keys += (keys.empty() ? "" : ", ") + std::string(n);
    miss("no key \"" + key + "\" in " + where + (keys.empty() ? std::string() : " (its keys: " + keys + ")"));
  }

 public:
  /// The keys the walk met at its level (for a message naming what is there).
  const std::vector<std::string_view>& names() const noexcept { return names_; }

 private:
  static std::string count(std::size_t n) { return std::to_string(n) + " element" + (n == 1 ? "" : "s"); }
  /// Whether the request may not set this field (then refused with the permit's message).
  bool refused(const Info& info) {
    if (!r_.permit) return false;
    std::string why = r_.permit(info);
    if (why.empty()) return false;
    refuse(info, std::move(why));
    return true;
  }
  void refuse(const Info& info, std::string expected) {
    r_.result.found = true;
    r_.result.info = info;
    r_.result.expected = std::move(expected);
    r_.result.got = r_.value != nullptr ? describe_value() : std::string();
  }
  std::string describe_value() const {
    return r_.value->number ? number_text(*r_.value->number) : "\"" + r_.value->text + "\"";
  }

  /// A number at a field (or element) described by `info`: reads it, and sets it when the
  /// value is a number in range.
  template <class N>
  void number_at(const Info& info, N& slot, bool integer) {
    r_.result.found = true;
    r_.result.info = info;
    r_.result.integer = integer;
    if constexpr (is_optional<N>::value) {
      if (slot) r_.result.current = static_cast<double>(*slot);
    } else {
      r_.result.current = static_cast<double>(slot);
    }
    if (r_.value == nullptr || refused(info)) return;
    if (!r_.value->number) return refuse(info, "a number");
    const double x = *r_.value->number;
    if constexpr (is_optional<N>::value) {
      if (std::isinf(x) && x > 0) {  // +inf removes an optional limit
        slot.reset();
        return;
      }
    }
    if (integer && (x != std::floor(x) || !(x >= info.min && x <= info.max))) return refuse(info, expectation(info));
    if (!std::isfinite(x) || x < info.min || x > info.max) return refuse(info, expectation(info));
    if (info.positive && !(x > 0.0)) return refuse(info, "a number > 0");
    using Plain = std::remove_reference_t<decltype(filled(slot))>;
    filled(slot) = static_cast<Plain>(x);
  }

  template <class T>
  void scalar(const Field<T>& f) {
    using V = std::remove_reference_t<decltype(filled(*f.value))>;
    const Info& info = f.info;
    switch (info.kind) {
      case Kind::kNumber:
        if constexpr (std::is_floating_point_v<V>) return number_at(info, *f.value, false);
        return;
      case Kind::kInteger:
        if constexpr (std::is_arithmetic_v<V>) return number_at(info, *f.value, true);
        return;
      case Kind::kNumberOrNone:
        if constexpr (std::is_floating_point_v<V>) {
          if (r_.value != nullptr && !r_.value->number && r_.value->text == info.none) {
            r_.result.found = true;
            r_.result.info = info;
            if (refused(info)) return;
            if constexpr (is_optional<T>::value) f.value->reset();
            else *f.value = std::numeric_limits<double>::infinity();
            return;
          }
          return number_at(info, *f.value, false);
        }
        return;
      default:
        break;
    }
    // Names, choices, text and booleans: from command-line text only.
    r_.result.found = true;
    r_.result.info = info;
    if (r_.value == nullptr || refused(info)) return;
    const std::string& t = r_.value->number ? std::string() : r_.value->text;
    switch (info.kind) {
      case Kind::kBoolean:
        if constexpr (std::is_same_v<V, bool>) {
          if (t == "true" || t == "false") {
            *f.value = t == "true";
            return;
          }
        }
        return refuse(info, "true or false");
      case Kind::kText:
        if constexpr (std::is_same_v<V, std::string>) {
          filled(*f.value) = r_.value->text;
          return;
        }
        return refuse(info, "a string");
      case Kind::kChoice:
        for (std::size_t i = 0; i < info.choice_count; ++i) {
          if (info.choice(i) != t) continue;
          if constexpr (std::is_same_v<V, std::string>) *f.value = t;
          else if constexpr (std::is_same_v<V, bool>) *f.value = i != 0;
          else if constexpr (std::is_enum_v<V> || std::is_integral_v<V>) *f.value = static_cast<V>(i);
          return;
        }
        return refuse(info, expectation(info));
      case Kind::kReference:
        if constexpr (std::is_same_v<V, std::size_t>) {
          const std::vector<std::string>& names = r_.source->names_of(info.collection);
          if (info.discharge && t == "discharge") {
            *f.value = kNone;
            return;
          }
          const auto it = std::find(names.begin(), names.end(), t);
          if (it != names.end()) {
            *f.value = static_cast<std::size_t>(it - names.begin());
            return;
          }
          return refuse(info, expectation(info) + " (one of " + quoted(names, info.discharge ? "discharge" : "") + ")");
        }
        return;
      default:
        return refuse(info, "a key that can be set on its own");
    }
  }

  void parameter(const Info& info, engine::Distribution& d, const std::string& key);

  /// The name of an element of an array of tables, read from its key field.
  template <class E, class Body>
  std::string key_of(E& element, std::string_view key_field, Body& body);

  Request& r_;
  std::size_t step_;
  std::vector<std::string_view> names_;
};

template <class T, class = void> struct has_name : std::false_type {};
template <class T> struct has_name<T, std::void_t<decltype(std::declval<const T&>().name)>> : std::true_type {};
template <class T, class = void> struct has_partner : std::false_type {};
template <class T> struct has_partner<T, std::void_t<decltype(std::declval<const T&>().partner)>> : std::true_type {};

template <class E, class Body>
std::string Setter::key_of(E& element, std::string_view key_field, Body&) {
  if constexpr (has_name<E>::value) {
    if (key_field == "name") return element.name;
  }
  if constexpr (has_partner<E>::value) {
    const auto& names = r_.source->names_of("partners");
    if (key_field == "partner" && element.partner < names.size()) return names[element.partner];
  }
  return {};
}

}  // namespace mhsim::schema
