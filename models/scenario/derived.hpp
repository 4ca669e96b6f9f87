// SPDX-License-Identifier: MIT
#pragma once
// `[derived."<key>"]`: a number of the scenario (a contract term, a partner's reserves, a
// commissioner's budget) written as a quantity the run measures in a baseline pass before it
// simulates, instead of as a figure: "the block arm's median cost in year 1", "1% of the
// cost of what this contract covers", "the readmission rate in the block arm". The pass
// (pipeline/derived.hpp) resolves each rule into a `key=value` setting that the results file
// records with the rule, so the file alone reproduces the run. Declared here once; read,
// checked and documented by the scenario's visitors like every other key.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/contracts/settlement.hpp"
#include "models/contracts/terms_schema.hpp"
#include "models/ledger/ledger.hpp"
#include "models/schema/schema.hpp"

namespace mhsim::scenario {

/// What a rule measures in the reference arm, per replication and year.
enum class DerivedQuantity : std::uint8_t {
  kCost,          ///< the arm's whole-system cost (every partner's)
  kContractCost,  ///< the cost of the services the key's own contract covers
  kPartnerCost,   ///< one partner's cost
  kServiceCost,   ///< the cost of `services`
  kActivity,      ///< `measure` over `services`
  kKpi,           ///< a system KPI, or a service KPI with `service`
};
inline constexpr std::array<std::string_view, 6> kDerivedQuantityNames = {"cost",          "contract_cost", "partner_cost",
                                                                         "service_cost", "activity",      "kpi"};

/// How the per-replication values become one number.
enum class DerivedStatistic : std::uint8_t { kMean, kMedian, kPercentile };
inline constexpr std::array<std::string_view, 3> kDerivedStatisticNames = {"mean", "median", "percentile"};

/// One `[derived."<key>"]` table.
struct DerivedNumber {
  std::string name;  ///< the dotted key path of the number it sets (the table's name)
  DerivedQuantity quantity = DerivedQuantity::kCost;
  std::size_t arm = schema::kNone;  ///< the reference arm (kNone: the key's own arm)
  std::size_t partner = schema::kNone;
  std::vector<bool> services;       ///< kServiceCost, kActivity: by service index
  std::size_t measure = 0;          ///< kActivity: ledger::Measure
  std::string kpi_name;             ///< kKpi
  std::size_t kpi_service = schema::kNone;
  models::contracts::KpiRef kpi;    ///< resolved from kpi_name and kpi_service
  DerivedStatistic statistic = DerivedStatistic::kMean;
  double percentile = 50;
  std::optional<double> year;       ///< 1-based simulated year; nullopt: the mean of every year
  double scale = 1;
  bool per_head = false;            ///< divided by the population
  // Set by the loader from `name`: where the key lives when it is a contract's term.
  std::size_t own_arm = schema::kNone;       ///< the arm of `arms.<arm>...` keys
  std::size_t own_contract = schema::kNone;  ///< the contract of `arms.<arm>.contracts[i]...` keys
};

template <class V>
void describe(V& v, DerivedNumber& d) {
  using namespace schema;
  v(choice("of", d.quantity, kDerivedQuantityNames).required().vary(Vary::kMeta)
        .doc("What the baseline pass measures in the reference arm, per replication and simulated year: `cost` (the "
             "whole system's), `contract_cost` (of the services the key's own contract covers, so a key inside "
             "`arms.<arm>.contracts[i]`), `partner_cost` (with `partner`), `service_cost` (with `services`), "
             "`activity` (`measure` over `services`) or `kpi` (with `kpi`, and `service` for a service KPI)."));
  v(reference("arm", d.arm, "arms", "arm").otherwise("the key's own arm (required for a key outside `arms`)")
        .vary(Vary::kMeta).doc("The arm whose simulated ledger is measured."));
  v(reference("partner", d.partner, "partners", "partner").otherwise("none").vary(Vary::kMeta)
        .doc("`of = \"partner_cost\"`: whose cost."));
  v(names("services", d.services, "services", "service").otherwise("none").vary(Vary::kMeta)
        .doc("`of = \"service_cost\"` or `\"activity\"`: the services summed, `[\"crisis\", \"acute\"]`."));
  v(choice("measure", d.measure, models::ledger::kMeasureNames).otherwise("\"contacts\"").vary(Vary::kMeta)
        .doc("`of = \"activity\"`: the ledger measure counted."));
  v(text("kpi", d.kpi_name).otherwise("none").vary(Vary::kMeta)
        .doc("`of = \"kpi\"`: a system KPI (e.g. `readmissions`) or, with `service`, a service KPI (e.g. "
             "`mean_wait`): the names of the results' kpi datasets."));
  v(reference("service", d.kpi_service, "services", "service").otherwise("none (system KPI)").vary(Vary::kMeta)
        .doc("`of = \"kpi\"`: the service whose KPI it is (required for a service KPI, not allowed for a system KPI)."));
  v(choice("statistic", d.statistic, kDerivedStatisticNames).otherwise("\"mean\"").vary(Vary::kMeta)
        .doc("How the replications' values become one number: their `mean`, `median`, or a `percentile` (type 7, as "
             "R's default)."));
  v(number("percentile", d.percentile).range(0, 100).otherwise("50").vary(Vary::kMeta)
        .doc("`statistic = \"percentile\"`: which, in [0, 100]."));
  v(number_or_none("year", d.year).range(1, 1000).unit("year").none("all").otherwise("\"all\" (the mean simulated year)")
        .vary(Vary::kMeta)
        .doc("The simulated year measured (1 = the first), or `\"all\"`: each replication's mean over every simulated "
             "year."));
  v(number("scale", d.scale).range(0, 1e6).unit("multiplier").otherwise("1").vary(Vary::kMeta)
        .doc("Multiplies the statistic: 0.01 for 1% of a cost, 0.95 for a target 5% below it."));
  v(boolean("per_head", d.per_head).otherwise("false").vary(Vary::kMeta)
        .doc("Divide by the population (a capitation rate per head from a cost)."));
  // A KPI is named as an indicator's or a KRA's is (the scenario checks the other keys).
  v.check([&](auto& c) {
    if (d.quantity == DerivedQuantity::kKpi) models::contracts::schema_detail::check_kpi(c, d.kpi_name);
  });
}

}  // namespace mhsim::scenario
