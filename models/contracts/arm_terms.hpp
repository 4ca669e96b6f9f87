// SPDX-License-Identifier: MIT
#pragma once
// The contract terms of one arm as a scenario states them: the terms settlement applies,
// plus the rule that sets an alliance's target outturn cost (which may depend on another
// arm's simulated costs, so it is resolved after simulation, never by settlement itself).

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "models/contracts/settlement.hpp"

namespace mhsim::models::contracts {

/// A commissioner of the scenario (`[commissioners.<name>]`): several can pool a budget
/// (Contract::funders). Without any, one implicit commissioner pays every contract.
struct Commissioner {
  std::string name;
  std::string description;
  /// Pounds a year it has for these services; the analysis reports P(spend > budget). NaN:
  /// not stated. Settlement never reads it.
  double budget = std::numeric_limits<double>::quiet_NaN();
};

/// Every contract of one arm.
struct ArmContracts {
  Terms terms;  ///< empty: the arm is simulated but not settled

  /// The rule that sets the target of the arm's alliance, or nullptr (no alliance).
  const TargetRule* target() const noexcept {
    for (const Contract& c : terms.contracts) {
      if (const auto* a = std::get_if<AllianceTerms>(&c.terms)) return a->target_rule ? &*a->target_rule : nullptr;
    }
    return nullptr;
  }
};

}  // namespace mhsim::models::contracts
