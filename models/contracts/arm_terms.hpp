// SPDX-License-Identifier: MIT
#pragma once
// The contract terms of one arm as a scenario states them: the terms settlement applies,
// plus the rule that sets an alliance's target outturn cost (which may depend on another
// arm's simulated costs, so it is resolved after simulation, never by settlement itself).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "models/contracts/settlement.hpp"

namespace mhsim::models::contracts {

/// How an alliance's target outturn cost (TOC) is set.
struct TargetRule {
  enum class Kind {
    kFixed,    ///< `amount` pounds in year 1 (a pooled budget or a negotiated figure); the
               ///< alliance terms' target_indexation / target_cost_by_year apply after
    kArmCost,  ///< a percentile of another arm's simulated cost of the alliance members'
               ///< partners, per year, across replications, times `scale`
  };
  Kind kind = Kind::kFixed;
  double amount = 0;
  std::size_t arm = 0;      ///< kArmCost: the reference arm
  double percentile = 50;   ///< kArmCost: in [0, 100]
  double scale = 1;         ///< kArmCost: e.g. 0.95 for a target 5% below the reference
};

/// Every contract of one arm.
struct ArmContracts {
  Terms terms;                       ///< empty: the arm is simulated but not settled
  std::optional<TargetRule> target;  ///< for the arm's alliance contract, if it has one
};

}  // namespace mhsim::models::contracts
