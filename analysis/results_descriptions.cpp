// SPDX-License-Identifier: MIT
#include "analysis/results_descriptions.hpp"

#include <map>

#include "analysis/network_results.hpp"

namespace mhsim::analysis {

namespace {

// The axes, each named once: label and scale dataset (string labels written by the models'
// writers, or numbers generated under scales/).
Axis generated(const char* label, const char* scale, std::uint64_t first) { return Axis{label, scale, first, true, {}}; }
const Axis kReplication = generated("replication", "scales/replication", 0);
const Axis kYear = generated("year", "scales/year", 1);
const Axis kMonth = generated("month", "scales/month", 1);
const Axis kQuarter = generated("quarter", "scales/quarter", 1);
const Axis kArm{"arm", "arms/name"};
const Axis kService{"service", "services/name"};
const Axis kPartner{"partner", "partners/name"};
const Axis kMeasure{"measure", "ledger/measure"};
const Axis kSystemKpi{"kpi", "kpi/system_name"};
const Axis kServiceKpi{"kpi", "kpi/service_name"};
const Axis kDomain{"domain", "goals/domain"};
const Axis kStatus{"status", "goals/status"};
const Axis kMonthlyMeasure{"measure", "monthly/measure"};
const Axis kParameter{"parameter", "psa/name"};
const Axis kDecision{"decision", "incentives/decision"};
const Axis kResponseField{"field", "incentives/field"};
const Axis kPartnerField{"field", "payouts/partner_field"};
const Axis kArmField{"field", "payouts/arm_field"};
// payouts/kra_name is [arm, kra]: names differ by arm, so the scale numbers the positions.
const Axis kKra = generated("kra", "scales/kra", 0);
const Axis kCommissioner{"commissioner", "payouts/commissioner_name"};
const Axis kFlow{"flow", "scales/flow", 0, true, {"receipts", "costs"}};
const Axis kStation{"station", "stations/name"};
const Axis kCombination = generated("combination", "scales/combination", 0);
const Axis kTerm{"term", "sweep/term_path"};
const Axis kSweepArm{"arm", "sweep/arm_name"};
const Axis kSweepPartner{"partner", "sweep/partner_name"};
const Axis kSweepPartnerField{"field", "sweep/partner_field"};
const Axis kSweepArmField{"field", "sweep/arm_field"};
const Axis kSweepCommissioner{"commissioner", "sweep/commissioner_name"};
const Axis kSweepReplication = generated("replication", "scales/replication", 0);

std::string si_unit(const std::string& unit) {
  if (unit == "fraction") return "1";
  if (unit == "pounds") return "GBP";
  return unit;
}

std::vector<DatasetDescription> build() {
  std::vector<DatasetDescription> d = {
      // Generated scales: numbers of the positions of an axis.
      {"scales/replication", "1", "", "replication number (0-based, as in a run's seeds)", {kReplication}},
      {"scales/year", "year", "", "simulated year, from 1 (a year is 365 days)", {}, true},
      {"scales/month", "month", "", "simulated month, from 1 (a twelfth of a 365-day year)", {}, true},
      {"scales/quarter", "quarter", "", "quarter of the agreement, from 1", {}, true},
      {"scales/kra", "1", "",
       "position of a key result area in its arm's list, from 0 (its name is payouts/kra_name[arm, kra])", {}, true},
      {"scales/flow", "", "", "cash flow: receipts or costs", {}, true},
      {"scales/combination", "1", "",
       "combination number of a sweep, from 0, as in its CSV (its terms are sweep/terms[combination, term])", {}, true},
      // Pathway model.
      {"ledger/activity", "various", "ledger/measure",
       "activity posted to the ledger in the year: contacts, occupied days, episodes started or team-years, "
       "by the measure axis",
       {kReplication, kArm, kYear, kService, kMeasure}},
      {"ledger/cost", "GBP", "", "ledger cost of the year's activity of one measure at one service (activity x unit cost)",
       {kReplication, kArm, kYear, kService, kMeasure}},
      {"ledger/partner_cost", "GBP", "",
       "ledger cost of the year summed over a partner's services and measures, plus its one-off costs",
       {kReplication, kArm, kYear, kPartner}},
      {"ledger/one_off", "GBP", "", "one-off (set-up, transition) cost falling in the year at a service",
       {kReplication, kArm, kYear, kService}},
      {"kpi/system", "various", "kpi/system_unit", "system KPI of the year (units by KPI in kpi/system_unit)",
       {kReplication, kArm, kYear, kSystemKpi}},
      {"kpi/service", "various", "kpi/service_unit", "service KPI of the year (units by KPI in kpi/service_unit)",
       {kReplication, kArm, kYear, kService, kServiceKpi}},
      {"goals/by_domain", "goals", "",
       "SIOF goals of a domain reaching a status in the year (progressing: open at year end)",
       {kReplication, kArm, kYear, kDomain, kStatus}},
      {"checks/arrived", "people", "", "arrivals over the whole run, including the starting caseload",
       {kReplication, kArm}},
      {"checks/exited", "people", "", "people who left the system over the whole run", {kReplication, kArm}},
      {"checks/in_system", "people", "", "people in the system at the horizon", {kReplication, kArm}},
      {"checks/events", "count", "", "kernel events executed", {kReplication, kArm}},
      {"checks/person_days", "days", "", "days people spent in the system", {kReplication, kArm}},
      {"monthly/values", "various", "monthly/unit",
       "a monthly measure of one service in one month (units by measure in monthly/unit)",
       {kReplication, kArm, kMonth, kService, kMonthlyMeasure}},
      {"psa/values", "various", "",
       "the value an uncertain parameter took in the replication, in the units of its scenario key (psa/key)",
       {kReplication, kParameter}},
      {"psa/base", "various", "", "the value written in the scenario at the parameter's key (psa/key), in its units",
       {kParameter}, true},
      {"incentives/response", "various", "",
       "a provider's response to a decision: signal (GBP, its margin change), stake (1, its share of the "
       "decision's cost) or factor (1, the multiplier of its behaviour parameter), by the field axis",
       {kReplication, kArm, kYear, kDecision, kService, kResponseField}},
      {"payouts/partner", "GBP", "",
       "a partner's settled payout field of the year: payment, cost, margin, limbs, gain/pain share, capped amount",
       {kReplication, kArm, kYear, kPartner, kPartnerField}},
      {"payouts/arm", "GBP", "",
       "an arm's settled field of the year, in GBP except gate_passed, pain_cap_binds and gain_cap_binds (1 true, "
       "0 false); NaN for arms without contracts",
       {kReplication, kArm, kYear, kArmField}},
      {"payouts/kra_band", "1", "",
       "band a key result area reached in the year: 0 failure, 1 poor, 2 minimum, 3 stretch, 4 game-breaking "
       "(NaN none); its name is payouts/kra_name[arm, kra]",
       {kReplication, kArm, kYear, kKra}},
      {"payouts/commissioner", "GBP", "", "a commissioner's spend in the year", {kReplication, kArm, kYear, kCommissioner}},
      {"payouts/cash", "GBP", "", "a partner's receipts (flow 0) or costs (flow 1) in a quarter of the agreement",
       {kReplication, kArm, kQuarter, kPartner, kFlow}},
      // Sweep per replication (its first axis is the combination; a sweep file holds whole runs).
      {"sweep/terms", "various", "", "the value of a swept term in a combination, in the units of its key",
       {kCombination, kTerm}},
      {"sweep/partner", "GBP", "", "a combination's settled payouts/partner field",
       {kCombination, kSweepArm, kSweepReplication, kYear, kSweepPartner, kSweepPartnerField}},
      {"sweep/arm", "GBP", "", "a combination's settled payouts/arm field (flags 1 true, 0 false)",
       {kCombination, kSweepArm, kSweepReplication, kYear, kSweepArmField}},
      {"sweep/commissioner", "GBP", "", "a combination's commissioner spend",
       {kCombination, kSweepArm, kSweepReplication, kYear, kSweepCommissioner}},
      {"sweep/cash", "GBP", "", "a combination's partner receipts (flow 0) or costs (flow 1) by quarter",
       {kCombination, kSweepArm, kSweepReplication, kQuarter, kSweepPartner, kFlow}},
  };
  // Queueing-network model: the metrics' own declarations (network_results.cpp).
  for (const StationMetric& m : station_metrics()) {
    d.push_back({std::string("stations/") + m.name, si_unit(m.unit), "", std::string(m.doc) + ", per station",
                 {kReplication, kStation}});
  }
  for (const StationMetric& m : network_metrics()) {
    d.push_back({std::string("network/") + m.name, si_unit(m.unit), "", m.doc, {kReplication}});
  }
  return d;
}

}  // namespace

const std::vector<DatasetDescription>& dataset_descriptions() {
  static const std::vector<DatasetDescription> d = build();
  return d;
}

const DatasetDescription* describe_dataset(const std::string& path) {
  static const std::map<std::string, const DatasetDescription*> index = [] {
    std::map<std::string, const DatasetDescription*> m;
    for (const DatasetDescription& d : dataset_descriptions()) m[d.path] = &d;
    return m;
  }();
  const auto it = index.find(path);
  return it == index.end() ? nullptr : it->second;
}

bool is_fixed_dataset(const std::string& path) {
  const DatasetDescription* d = describe_dataset(path);
  return d != nullptr && d->fixed;
}

bool is_generated_scale(const std::string& path) { return path.rfind("scales/", 0) == 0; }

}  // namespace mhsim::analysis
