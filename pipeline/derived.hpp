// SPDX-License-Identifier: MIT
#pragma once
// The baseline pass that resolves a scenario's `[derived."<key>"]` numbers (models/scenario/
// derived.hpp) before a run: `run.baseline_replications` replications of the scenario at its
// base values, on random streams of their own (never a replication of the run, nor of the
// incentives pilot), with no provider response (the response depends on the terms being
// derived). Each rule measures its quantity in its reference arm per replication (a year, or
// the mean of every year), takes the statistic across replications and multiplies by its
// scale. Deterministic at any thread count: values are combined in replication order.

#include <cstdint>
#include <string>
#include <vector>

#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::pipeline {

/// The baseline pass's replications are numbered from here: beyond any run's own (at most
/// 10^7) and below the incentives pilot's (from 2^62).
inline constexpr std::uint64_t kBaselineFirstReplication = std::uint64_t{1} << 61;

/// One derived number as the pass resolved it.
struct ResolvedNumber {
  std::string key;   ///< the rule's key, as the file writes it
  double value = 0;  ///< what the key is set to
  std::string how;   ///< "the median over 40 baseline replications of arm \"block\"'s cost in year 1 (x 0.95)"
  bool kept = false; ///< the key was already set (`--set`): the value stands and the rule is not applied
};

/// Resolves every `[derived]` rule of `sc` by a baseline pass of `sc` itself: call it on the
/// scenario before a variant is applied (a variant is a what-if against agreed terms) and
/// after the run's `--set` settings and seed. A rule whose key `sc.settings` already sets is
/// `kept`, with that setting's value. No pass when there are no rules. Throws
/// scenario::ScenarioError when a rule's year is beyond run.years as set since loading.
std::vector<ResolvedNumber> resolve_derived(const scenario::PathwayScenario& sc, int threads);

/// `sc` with `values` set, each as a `key=value` setting (exact: shortest round-trip), and
/// recorded in `derived_record`. Throws scenario::ScenarioError located at each rule whose
/// value the scenario refuses (e.g. a KRA's levels out of order).
scenario::PathwayScenario apply_derived(const scenario::PathwayScenario& sc, const std::vector<ResolvedNumber>& values);

/// apply_derived(sc, resolve_derived(sc, threads)); `sc` itself when it has no rules.
scenario::PathwayScenario with_derived(const scenario::PathwayScenario& sc, int threads);

}  // namespace mhsim::pipeline
