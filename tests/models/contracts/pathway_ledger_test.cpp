// SPDX-License-Identifier: MIT
// The bridge from a pathway spec to settlement's LedgerShape, and the settlement input it
// gives for a hand-built arm result.
#include <catch2/catch.hpp>

#include <vector>

#include "models/contracts/pathway_ledger.hpp"

namespace ct = mhsim::models::contracts;
namespace pw = mhsim::models::pathway;

TEST_CASE("Pathway ledger: a spec's services, partners and population become the ledger shape", "[settlement]") {
  pw::PathwaySpec spec;
  spec.years = 1;
  spec.population.size = 120'000;
  spec.partners = {{"trust", "nhs_trust"}, {"vcse", "vcse"}, {"council", "local_authority"}};
  spec.services.resize(4);
  spec.services[0].partner = 2;
  spec.services[1].partner = 0;
  spec.services[2].partner = 1;
  spec.services[3].partner = 0;
  const ct::LedgerShape shape = ct::ledger_shape(spec, {0.9, 0.1});
  CHECK(shape.service_partner == std::vector<std::size_t>{2, 0, 1, 0});
  CHECK(shape.partners == 3);
  CHECK(shape.population == 120'000);
  CHECK(shape.group_share == std::vector<double>{0.9, 0.1});

  // Partner 0 owns services 1 and 3: its activity is theirs summed.
  pw::ArmResult r;
  r.years = 1;
  r.services = 4;
  r.partners = 3;
  r.activity.assign(4 * pw::kMeasures, 0.0);
  r.cost.assign(4 * pw::kMeasures, 0.0);
  r.partner_cost = {10, 20, 30};
  r.system.assign(pw::kSystemKpis, 0.0);
  r.service.assign(4 * pw::kServiceKpis, 0.0);
  r.at(r.activity, 0, 1, 1, pw::kMeasures) = 4;  // service 1, days
  r.at(r.activity, 0, 3, 1, pw::kMeasures) = 6;  // service 3, days
  const ct::YearInput in = ct::from_arm_result(shape, r, 0);
  CHECK(in.partner_activity[0][1] == 10);
  CHECK(in.partner_activity[1][1] == 0);
  CHECK(in.partner_cost == std::vector<double>{10, 20, 30});

  // A result from a spec with another shape is refused.
  spec.partners.pop_back();
  CHECK_THROWS_AS(ct::from_arm_result(ct::ledger_shape(spec), r, 0), std::out_of_range);
}
