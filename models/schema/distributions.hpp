// SPDX-License-Identifier: MIT
#pragma once
// Internal to mhsim::scenario: a distribution table as written
// (`{ distribution = "gamma", mean = 2, cv = 0.5 }`), its keys' one declaration, and the way
// between it and engine::Distribution (both directions, so that one parameter of a loaded
// distribution can be changed as if the file had said it).

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "engine/distribution.hpp"
#include "models/schema/schema.hpp"

namespace mhsim::schema {

inline constexpr std::array<std::string_view, 8> kDistributionNames = {
    "exponential", "deterministic", "uniform", "triangular", "gamma", "erlang", "lognormal", "weibull"};

struct DistParams {
  std::size_t family = 0;  ///< index into kDistributionNames
  std::optional<double> mean, rate, value, min, mode, max, shape, scale, cv, sd;
  std::optional<std::int64_t> k;
};

/// The keys of a distribution table; with `family` < kDistributionNames.size(), only that
/// family's parameters (and not the `distribution` key itself).
template <class V>
void describe(V& v, DistParams& d, std::size_t family = kDistributionNames.size()) {
  using namespace schema;
  const bool all = family >= kDistributionNames.size();
  const auto takes = [&](std::string_view key) {
    static constexpr std::array<std::string_view, 8> kKeys = {
        " mean rate ", " value ", " min max ", " min mode max ", " shape scale mean cv ", " k mean ", " mean sd ",
        " shape scale "};
    return all || kKeys[family].find(" " + std::string(key) + " ") != std::string_view::npos;
  };
  if (all) {
    v(choice("distribution", d.family, kDistributionNames).required()
          .doc("The family; its parameters are the other keys of the table."));
  }
  if (takes("mean")) {
    v(number("mean", d.mean).range(0, 1e9).positive().unit("key's unit")
          .doc("Mean (> 0): exponential (or `rate`), gamma (with `cv`), erlang (with `k`), lognormal (with `sd`)."));
  }
  if (takes("rate")) v(number("rate", d.rate).range(0, 1e12).positive().unit("per key's unit").doc("Rate (> 0) of an exponential, instead of `mean`."));
  if (takes("value")) v(number("value", d.value).range(0, 1e9).unit("key's unit").doc("The constant of a deterministic distribution."));
  if (takes("min")) v(number("min", d.min).range(0, 1e9).unit("key's unit").doc("Lower bound: uniform, triangular."));
  if (takes("mode")) v(number("mode", d.mode).range(0, 1e9).unit("key's unit").doc("Most likely value: triangular (min <= mode <= max)."));
  if (takes("max")) v(number("max", d.max).range(0, 1e9).unit("key's unit").doc("Upper bound: uniform, triangular (> min)."));
  if (takes("shape")) v(number("shape", d.shape).range(0, 1e6).positive().doc("Shape (> 0): gamma (with `scale`), weibull."));
  if (takes("scale")) v(number("scale", d.scale).range(0, 1e9).positive().unit("key's unit").doc("Scale (> 0): gamma (with `shape`), weibull."));
  if (takes("cv")) v(number("cv", d.cv).range(0, 100).positive().doc("Coefficient of variation (> 0): gamma, with `mean`."));
  if (takes("k")) v(integer("k", d.k).range(1, 1000).doc("Number of phases: erlang."));
  if (takes("sd")) {
    v(number("sd", d.sd).range(0, 1e9).positive().unit("key's unit")
          .doc("Standard deviation (> 0) of the variable itself: lognormal, with `mean`."));
  }
}

/// "mean or rate", "shape and scale, or mean and cv" ...: what a family takes, for messages.
std::string_view parameters_of(std::size_t family);

/// A problem: (key of the table or "" for the table itself, expected, got).
using Report = std::function<void(std::string_view key, std::string expected, std::string got)>;

/// The distribution a table gives, or nothing after reporting which parameters are missing
/// or given twice (`present(key)` says whether a key is written; absent keys that were
/// written had their own error).
std::optional<engine::Distribution> build(const DistParams& d, const std::function<bool(std::string_view)>& present,
                                          const Report& report);
/// Reports parameters that are each in range but not together (max > min, min <= mode <= max).
void check_relations(const DistParams& d, const Report& report);
/// The table a distribution was given by.
DistParams written_params(const engine::Distribution& d);

}  // namespace mhsim::schema
