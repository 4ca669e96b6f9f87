// SPDX-License-Identifier: MIT
#pragma once
// The bridge from the pathway model to settlement: the LedgerShape of a pathway spec.
// Header-only and outside the contracts library, which links the ledger types and never
// the model (tests/models/contracts builds settlement alone to prove it).

#include <utility>
#include <vector>

#include "models/contracts/settlement.hpp"
#include "models/pathway/pathway.hpp"

namespace mhsim::models::contracts {

/// Who owns each service, the partner count and the population of `spec`; `group_share`
/// (population share by need group, for need-weighted capitation) as the scenario gives it.
inline LedgerShape ledger_shape(const pathway::PathwaySpec& spec, std::vector<double> group_share = {}) {
  LedgerShape shape;
  shape.service_partner.reserve(spec.services.size());
  for (const pathway::ServiceSpec& s : spec.services) shape.service_partner.push_back(s.partner);
  shape.partners = spec.partners.size();
  shape.population = spec.population.size;
  shape.group_share = std::move(group_share);
  return shape;
}

}  // namespace mhsim::models::contracts
