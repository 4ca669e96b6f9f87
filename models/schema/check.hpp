// SPDX-License-Identifier: MIT
#pragma once
// Internal to mhsim::scenario: Validator walks the field descriptors over typed values and
// applies the rules that involve more than one number: routes that sum to 1, distribution
// parameters that agree, by-year arrays no longer than the run, and each struct's own
// `check` rules (which receive the Validator as their checker). It runs after a file is read
// and again after any value is set (variants, uncertainty draws, calibration, --set), with
// messages located by the Source of the first read. No TOML here.

#include <cmath>
#include <string>
#include <variant>

#include "models/schema/distributions.hpp"
#include "models/schema/traits.hpp"
#include "models/schema/source.hpp"

namespace mhsim::schema {

class Validator {
 public:
  struct Context {
    const Source& source;
    Diagnostics& diag;
    int years = 0;          ///< the run's years, for by-year arrays
    bool years_ok = false;  ///< ... when they were read
  };

  Validator(Context& ctx, std::string path) : ctx_(ctx), path_(std::move(path)) {}

  template <class T>
  void operator()(const Field<T>& f) {
    // Only routes, distributions and by-year arrays have rules here; their path is built
    // then (this runs for every field after every uncertainty draw).
    switch (f.info.kind) {
      case Kind::kRoutes:
        if constexpr (is_routes<std::remove_reference_t<decltype(filled(*f.value))>>::value) {
          if constexpr (is_optional<T>::value) {
            if (!f.value->has_value()) return;
          }
          const std::string path = child(f.info.name);
          if (!ctx_.source.present(path) || !ctx_.source.ok(path)) return;
          double sum = 0;
          for (const auto& r : filled(*f.value)) sum += r.probability;
          if (std::fabs(sum - 1.0) > 1e-9) add(path, "probabilities that sum to 1", "a sum of " + number(sum));
        }
        return;
      case Kind::kDistribution:
        if constexpr (std::is_same_v<std::remove_reference_t<decltype(filled(*f.value))>, engine::Distribution>) {
          if constexpr (is_optional<T>::value) {
            if (!f.value->has_value()) return;
          }
          const std::string path = child(f.info.name);
          if (!ctx_.source.ok(path)) return;
          check_relations(written_params(filled(*f.value)), [&](std::string_view key, std::string expected, std::string got) {
            add(child_path(path, key), std::move(expected), std::move(got));
          });
        }
        return;
      case Kind::kByYear:
        if constexpr (has_values<T>::value) {
          const std::size_t n = f.value->values().size();
          if (ctx_.years_ok && n > static_cast<std::size_t>(ctx_.years)) {
            add(child(f.info.name),
                range_phrase(f.info) + ", or an array of 1 to " + std::to_string(ctx_.years) +
                    " such numbers (one per simulated year, run.years = " + std::to_string(ctx_.years) + ")",
                "an array of " + std::to_string(n) + " numbers");
          }
        }
        return;
      case Kind::kMap:
        return;
      default:
        return;
    }
  }

  template <class T, class Body>
  void operator()(const Field<T>& f, Body&& body) {
    const std::string path = child(f.info.name);
    if constexpr (is_variant<T>::value) {
      if (!ctx_.source.ok(child(f.info.tag))) return;
      std::visit([&](auto& alt) { body(*this, alt); }, *f.value);
    } else if constexpr (entry_of_array<Body, Validator, T>::value) {
      for (std::size_t i = 0; i < f.value->size(); ++i) {
        auto& e = (*f.value)[i];
        std::string at = path + "[" + std::to_string(i) + "]";
        if (f.info.kind == Kind::kNamedTables) {
          if constexpr (has_name_member<typename T::value_type>::value) at = path + "." + e.name;
        }
        Validator sub(ctx_, at);
        body(sub, e, i);
      }
    } else if constexpr (entry_of_map<Body, Validator, T>::value) {
      const std::vector<std::string> names =
          f.info.has_choices() ? choice_names(f.info) : ctx_.source.names_of(f.info.collection);
      Validator sub(ctx_, path);
      for (std::size_t i = 0; i < names.size() && i < f.value->size(); ++i) body(sub, (*f.value)[i], names[i]);
    } else {
      Validator sub(ctx_, path);
      if constexpr (std::is_same_v<T, Unit>) {
        body(sub);
      } else if constexpr (is_optional<T>::value) {
        if (f.value->has_value()) body(sub, **f.value);
      } else {
        body(sub, *f.value);
      }
    }
  }

  template <class C>
  void check(C&& c) {
    c(*this);
  }

  // ---- the checker's interface (what `check` rules call) --------------------------------

  const std::string& path() const noexcept { return path_; }
  std::string child(std::string_view leaf) const { return child_path(path_, leaf); }
  /// Whether key `leaf` of this table is written (or inherited).
  bool present(std::string_view leaf) const { return ctx_.source.present(child(leaf)); }
  /// Whether key `leaf` (and everything under it) was read without error.
  bool ok(std::string_view leaf) const { return ctx_.source.ok(child(leaf)); }
  /// Whether key `leaf` of every element of the array of tables `array` is ok.
  bool all_ok(std::string_view array, std::string_view leaf) const;
  /// The value of key `leaf` as written.
  std::string written(std::string_view leaf) const;
  /// A problem with key `leaf` of this table (located at it, or at the table).
  void error(std::string_view leaf, std::string expected, std::string got) {
    add(child(leaf), std::move(expected), std::move(got));
  }
  /// A problem with this table.
  void error_here(std::string expected, std::string got);
  /// A problem with the table at `path` from the file's root (located at the table itself).
  void error_at_table(const std::string& path, std::string expected, std::string got) {
    add_at(path, ctx_.source.table_position(path), std::move(expected), std::move(got));
  }
  /// A problem with the key at `path` from the file's root.
  void error_at(const std::string& path, std::string expected, std::string got) {
    add(path, std::move(expected), std::move(got));
  }
  /// "<what> that sum to 1" at `leaf` when `sum` is not 1 (within 1e-9).
  void sums_to_one(std::string_view leaf, const std::string& what, double sum) {
    if (std::fabs(sum - 1.0) > 1e-9) error(leaf, what + " that sum to 1", "a sum of " + number(sum));
  }
  /// The names of a collection, quoted and listed (after "discharge" when `with_discharge`).
  std::string names(std::string_view collection, bool with_discharge = false) const {
    return quoted(ctx_.source.names_of(collection), with_discharge ? "discharge" : "");
  }
  const std::vector<std::string>& names_of(std::string_view collection) const {
    return ctx_.source.names_of(collection);
  }
  static std::string number(double x) { return number_text(x); }
  /// Nothing reported so far, by the reader or any rule: whole-file rules may run.
  bool clean() const;
  /// Whether something was reported at `path` or under it.
  bool reported_under(std::string_view path) const;
  /// Nothing was reported, by the reader or any rule, at `path` or under it.
  bool clean_under(std::string_view path) const;
  /// A problem at `path` located at `at`.
  void add_at(const std::string& path, Position at, std::string expected, std::string got);
  const Source& source() const noexcept { return ctx_.source; }

 private:
  void add(const std::string& path, std::string expected, std::string got) {
    ctx_.diag.add(ctx_.source.diagnostic(path, std::move(expected), std::move(got)));
  }

  Context& ctx_;
  std::string path_;
};

}  // namespace mhsim::schema
