// SPDX-License-Identifier: MIT
#include "models/scenario/uncertainty.hpp"

#include <cmath>
#include <stdexcept>

#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::scenario {

PathwayScenario with_parameters(const PathwayScenario& sc, const std::vector<double>& values) {
  const std::vector<UncertainParameter>& ps = sc.uncertainty.parameters;
  if (values.size() != ps.size()) {
    throw std::invalid_argument("with_parameters: expected " + std::to_string(ps.size()) + " values (one per uncertain "
                                "parameter), got " + std::to_string(values.size()));
  }
  if (ps.empty()) return sc;
  std::vector<std::string> keys;
  std::vector<double> used, each;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    used.push_back(ps[i].integer ? std::round(values[i]) : values[i]);
    for (const std::string& k : ps[i].keys) {
      keys.push_back(k);
      each.push_back(used.back());
    }
  }
  PathwayScenario out = sc;
  std::vector<Diagnostic> ds = set_numbers(out, keys, each, Settable::kModel);
  if (!ds.empty()) {
    std::string list;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      list += (list.empty() ? "" : ", ") + ps[i].name + " (" + ps[i].key + ") = " + number_text(used[i]);
    }
    ds.push_back(Diagnostic{sc.file, 0, 0, "uncertainty", "uncertain parameters under which the scenario is valid", list});
    throw ScenarioError(std::move(ds));
  }
  return out;
}

}  // namespace mhsim::scenario
