// SPDX-License-Identifier: MIT
#pragma once
// `mhsim init`: a scenario for another borough, written from a template scenario and a few
// stated inputs (population, need-group rates, service capacities, a budget). Every number
// that depends on the borough's size is re-derived and says how in its comment:
//   - stated inputs are written as given;
//   - capacities, staffed posts, starting caseloads and services' yearly fixed costs scale
//     with the borough's yearly new episodes against the template's (the demand ratio);
//   - contract amounts and thresholds are re-derived from a baseline pass: the first R
//     replications of the template and of the scaled borough at the template's seed. Each
//     contract's money (pounds, volumes) moves with the simulated cost of what the contract
//     covers in its arm, its per-head rates with that cost per resident, and the levels of its
//     KRAs and indicators with their KPI's simulated yearly value; so every contract keeps
//     the template's relation to what it pays for, whatever its family;
//   - partners' reserves move with the partner's cost in the first arm, and a variant's
//     value with its key's base (a 15% demand surge stays 15%);
//   - with `derived`, each number of the pass is also written as a [derived] rule, its scale
//     the template's number over the template's measured quantity, so that each run
//     re-derives it from a baseline pass of the borough as it then is.
// Rates per person, prices, fractions and behaviour are the template's. Nothing is written
// unless the result loads as a scenario.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::pipeline {

struct BoroughInputs {
  double population = 0;                                    ///< people in the borough
  std::vector<std::pair<std::string, double>> rates;        ///< need group -> new episodes per 1,000 a year
  std::vector<std::pair<std::string, double>> capacities;   ///< service -> slots or beds
  std::optional<double> budget;                             ///< the commissioner's pounds a year
  std::string name;                                         ///< scenario.name ("" keeps a derived one)
  std::uint64_t pilot_replications = 40;                    ///< R of the baseline pass
  int threads = 0;                                          ///< 0: every hardware thread
  std::string template_label;                               ///< how the header names the template
  /// Also write the contract amounts, levels, reserves and budgets the baseline pass sizes as
  /// `[derived]` rules (models/scenario/derived.hpp) with the template's relation to what each
  /// measures, so that every run re-derives them from the borough as it then is.
  bool derived = false;
};

/// One number init changed: where, from what, to what and why.
struct Derivation {
  std::string key;
  double from = 0, to = 0;
  std::string how;
};

struct Borough {
  std::string text;                    ///< the scenario file to write
  std::vector<Derivation> derived;     ///< in the order written
  double demand_ratio = 1;             ///< the borough's yearly new episodes / the template's
};

/// The borough's scenario. Throws scenario::ScenarioError naming each bad input ("command
/// line", the option) — an unknown group or service, a template without the key a stated
/// input needs — and std::runtime_error if the written text does not load (a bug).
Borough init_borough(const scenario::PathwayScenario& tmpl, const BoroughInputs& in);

}  // namespace mhsim::pipeline
