// SPDX-License-Identifier: MIT
#include "models/scenario/variants.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/scenario/calibration_targets.hpp"

namespace mhsim::scenario {

using namespace schema;

std::string variant_names(const PathwayScenario& sc) {
  std::string out;
  for (const ScenarioVariant& v : sc.variants) out += (out.empty() ? "\"" : ", \"") + v.name + "\"";
  return out;
}

PathwayScenario apply_variant(const PathwayScenario& sc, const std::string& name) {
  const auto it = std::find_if(sc.variants.begin(), sc.variants.end(),
                               [&](const ScenarioVariant& v) { return v.name == name; });
  if (it == sc.variants.end()) {
    throw std::invalid_argument(sc.variants.empty()
                                    ? sc.file + " declares no variants (no [variants.<name>] tables), so none named \"" +
                                          name + "\""
                                    : sc.file + " has no variant \"" + name + "\"; its variants are " + variant_names(sc));
  }
  PathwayScenario out = sc;
  std::vector<Diagnostic> ds = set_numbers(out, it->keys, it->values, Settable::kModel);
  if (!ds.empty()) throw ScenarioError(std::move(ds));  // the loader checked every variant: not expected
  // A variant's value is the base value of an uncertain parameter on the same key.
  for (UncertainParameter& p : out.uncertainty.parameters) {
    const auto k = std::find(it->keys.begin(), it->keys.end(), p.keys.front());
    if (k != it->keys.end()) p.base = it->values[static_cast<std::size_t>(k - it->keys.begin())];
  }
  // Results store the text with the variant's numbers written in, so that it alone
  // reproduces the run (writing text, never reading it).
  const std::vector<std::string> comments(it->keys.size(), "variant " + name);
  out.text = calibrated_text(sc, it->keys, it->values, comments);
  out.variant = name;
  out.name += " (variant " + name + ")";
  return out;
}

}  // namespace mhsim::scenario
