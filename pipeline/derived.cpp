// SPDX-License-Identifier: MIT
#include "pipeline/derived.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <numeric>

#include "analysis/decision.hpp"
#include "analysis/text_format.hpp"
#include "engine/random.hpp"
#include "models/contracts/pathway_ledger.hpp"
#include "models/contracts/settlement.hpp"
#include "models/pathway/pathway.hpp"
#include "models/schema/source.hpp"

namespace mhsim::pipeline {

namespace {

namespace ct = models::contracts;
namespace pw = models::pathway;
namespace ledger = models::ledger;
using scenario::DerivedNumber;
using scenario::DerivedQuantity;
using scenario::DerivedStatistic;

/// The rule's reference arm.
std::size_t arm_of(const DerivedNumber& d) { return d.arm != schema::kNone ? d.arm : d.own_arm; }

/// The quantity of `d` in one year of its reference arm.
double measure(const DerivedNumber& d, const ct::YearInput& in, const std::vector<std::size_t>& cover) {
  double x = 0;
  switch (d.quantity) {
    case DerivedQuantity::kCost:
      x = std::accumulate(in.partner_cost.begin(), in.partner_cost.end(), 0.0);
      break;
    case DerivedQuantity::kContractCost:
      for (std::size_t s = 0; s < in.service_cost.size() && s < cover.size(); ++s) {
        if (cover[s] == d.own_contract) x += in.service_cost[s];
      }
      break;
    case DerivedQuantity::kPartnerCost:
      x = d.partner < in.partner_cost.size() ? in.partner_cost[d.partner] : 0.0;
      break;
    case DerivedQuantity::kServiceCost:
      for (std::size_t s = 0; s < in.service_cost.size() && s < d.services.size(); ++s) {
        if (d.services[s]) x += in.service_cost[s];
      }
      break;
    case DerivedQuantity::kActivity:
      for (std::size_t s = 0; s < in.service_activity.size() && s < d.services.size(); ++s) {
        if (d.services[s]) x += in.service_activity[s][d.measure];
      }
      break;
    case DerivedQuantity::kKpi:
      x = ct::kpi_value(d.kpi, in);
      break;
  }
  return d.per_head && in.population > 0 ? x / in.population : x;
}

/// How the rule reads, for the record: "the median over 40 baseline replications of ...".
std::string describe_rule(const scenario::PathwayScenario& sc, const DerivedNumber& d, std::uint64_t R) {
  std::string stat;
  switch (d.statistic) {
    case DerivedStatistic::kMean: stat = "the mean"; break;
    case DerivedStatistic::kMedian: stat = "the median"; break;
    case DerivedStatistic::kPercentile: stat = "percentile " + schema::number_text(d.percentile); break;
  }
  const std::string arm = "arm \"" + sc.spec.arms[arm_of(d)].name + "\"";
  std::string what;
  const auto list = [&] {
    std::string names;
    for (std::size_t s = 0; s < d.services.size(); ++s) {
      if (d.services[s]) names += (names.empty() ? "\"" : ", \"") + sc.spec.services[s].name + "\"";
    }
    return names;
  };
  switch (d.quantity) {
    case DerivedQuantity::kCost: what = "the whole system's cost in " + arm; break;
    case DerivedQuantity::kContractCost: {
      const auto& c = sc.contracts[d.own_arm].terms.contracts[d.own_contract];
      what = "the cost in " + arm + " of the services contract \"" + c.name + "\" covers";
      break;
    }
    case DerivedQuantity::kPartnerCost: what = "partner \"" + sc.spec.partners[d.partner].name + "\"'s cost in " + arm; break;
    case DerivedQuantity::kServiceCost: what = "the cost of " + list() + " in " + arm; break;
    case DerivedQuantity::kActivity:
      what = std::string(ledger::kMeasureNames[d.measure]) + " of " + list() + " in " + arm;
      break;
    case DerivedQuantity::kKpi:
      what = "KPI \"" + d.kpi_name + "\"" +
             (d.kpi_service != schema::kNone ? " of \"" + sc.spec.services[d.kpi_service].name + "\"" : std::string()) +
             " in " + arm;
      break;
  }
  if (d.per_head) what += " per head of population";
  what += d.year ? " in year " + schema::number_text(*d.year) : std::string(" a year (the mean of every simulated year)");
  std::string out = stat + " over " + std::to_string(R) + " baseline replications of " + what;
  if (d.scale != 1) out += ", x " + schema::number_text(d.scale);
  return out;
}

}  // namespace

std::vector<ResolvedNumber> resolve_derived(const scenario::PathwayScenario& sc, int threads) {
  std::vector<ResolvedNumber> out;
  if (sc.derived.empty()) return out;
  const std::uint64_t R = std::max<std::uint64_t>(sc.baseline_replications, 1);
  // Keys already set (--set): their value stands.
  std::vector<bool> kept(sc.derived.size(), false);
  for (const std::string& s : sc.settings) {
    const std::size_t eq = s.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = scenario::canonical_key(s.substr(0, eq));
    for (std::size_t i = 0; i < sc.derived.size(); ++i) {
      if (scenario::canonical_key(sc.derived[i].name) == key) kept[i] = true;
    }
  }
  // A year the loader accepted that a --set of run.years has since removed.
  std::vector<scenario::Diagnostic> late;
  for (std::size_t i = 0; i < sc.derived.size(); ++i) {
    const DerivedNumber& d = sc.derived[i];
    if (kept[i] || !d.year || *d.year <= static_cast<double>(sc.spec.years)) continue;
    const auto [line, column] = sc.source->table_position("derived." + d.name);
    late.push_back(scenario::Diagnostic{sc.file, line, column, "derived." + d.name + ".year",
                                        "a simulated year, 1 to run.years (" + std::to_string(sc.spec.years) + "), or \"all\"",
                                        schema::number_text(*d.year)});
  }
  if (!late.empty()) throw scenario::ScenarioError(std::move(late));
  const bool any = std::find(kept.begin(), kept.end(), false) != kept.end();
  const std::size_t N = sc.derived.size(), Y = static_cast<std::size_t>(sc.spec.years);
  const ct::LedgerShape shape = ct::ledger_shape(sc.spec, sc.group_share);
  // What each rule reads, fixed for the pass: the services its contract covers (contract_cost)
  // and the arms any rule measures.
  const std::size_t A = sc.spec.arms.size();
  std::vector<std::vector<std::size_t>> cover(N);
  std::vector<bool> measured(A, false);
  for (std::size_t i = 0; i < N; ++i) {
    if (kept[i]) continue;
    const DerivedNumber& d = sc.derived[i];
    if (d.quantity == DerivedQuantity::kContractCost) cover[i] = ct::covering(sc.contracts[d.own_arm].terms, shape.service_partner);
    measured[arm_of(d)] = true;
  }
  // [rule][replication]: each rule's value in each replication, combined in index order below.
  std::vector<std::vector<double>> values(N, std::vector<double>(any ? R : 0, 0.0));
  if (any) {
    tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, R), [&](const tbb::blocked_range<std::uint64_t>& range) {
        std::vector<ct::YearInput> in(A);  // each measured arm's year, read once for every rule
        std::vector<double> sum(N);
        for (std::uint64_t r = range.begin(); r != range.end(); ++r) {
          const pw::PathwayResult result =
              pw::simulate_pathway(sc.spec, engine::RandomStreams(sc.run.seed, kBaselineFirstReplication + r));
          std::fill(sum.begin(), sum.end(), 0.0);
          for (std::size_t y = 0; y < Y; ++y) {
            for (std::size_t a = 0; a < A; ++a) {
              if (measured[a]) ct::from_arm_result(shape, result.arms[a], y, in[a]);
            }
            for (std::size_t i = 0; i < N; ++i) {
              const DerivedNumber& d = sc.derived[i];
              if (kept[i] || (d.year && static_cast<std::size_t>(*d.year) != y + 1)) continue;
              sum[i] += measure(d, in[arm_of(d)], cover[i]);
            }
          }
          for (std::size_t i = 0; i < N; ++i) {
            if (!kept[i]) values[i][r] = sc.derived[i].year ? sum[i] : sum[i] / static_cast<double>(Y);
          }
        }
      });
    });
  }
  for (std::size_t i = 0; i < N; ++i) {
    const DerivedNumber& d = sc.derived[i];
    ResolvedNumber n;
    n.key = d.name;
    if (kept[i]) {
      n.kept = true;
      n.value = scenario::number_at(sc, d.name).value_or(0.0);
      n.how = "set by --set; its [derived] rule (" + describe_rule(sc, d, R) + ") not applied";
      out.push_back(std::move(n));
      continue;
    }
    const std::vector<double>& v = values[i];
    double stat = 0;
    switch (d.statistic) {
      case DerivedStatistic::kMean:
        stat = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
        break;
      case DerivedStatistic::kMedian: stat = analysis::decision::quantile(v, 0.5); break;
      case DerivedStatistic::kPercentile: stat = analysis::decision::quantile(v, d.percentile / 100.0); break;
    }
    n.value = d.scale * stat;
    n.how = describe_rule(sc, d, R);
    out.push_back(std::move(n));
  }
  return out;
}

scenario::PathwayScenario apply_derived(const scenario::PathwayScenario& sc, const std::vector<ResolvedNumber>& values) {
  scenario::PathwayScenario out = sc;
  std::vector<std::string> keys, texts;
  for (const ResolvedNumber& n : values) {
    if (n.kept) continue;
    keys.push_back(n.key);
    texts.push_back(analysis::csv_number(n.value));
  }
  std::vector<scenario::Diagnostic> errors;
  if (!keys.empty()) {
    scenario::PathwayScenario trial = sc;
    const std::vector<scenario::Diagnostic> ds = scenario::set_values(trial, keys, texts);
    for (const scenario::Diagnostic& d : ds) {
      // Located at the rule whose key the message names, or one inside the key it names (a
      // level of a KRA's thresholds), else at the first rule.
      std::string rule = keys.front();
      const std::string named = scenario::canonical_key(d.key);
      for (auto k = keys.rbegin(); !d.key.empty() && k != keys.rend(); ++k) {
        const std::string c = scenario::canonical_key(*k);
        if (c == named || (c.rfind(named, 0) == 0 && c.size() > named.size() && (c[named.size()] == '[' || c[named.size()] == '.'))) {
          rule = *k;
        }
      }
      const auto [line, column] = sc.source->table_position("derived." + rule);
      errors.push_back(scenario::Diagnostic{sc.file, line, column, "derived." + rule,
                                            "values of the [derived] rules under which the scenario is valid",
                                            "with the baseline pass's values, " + (d.key.empty() ? std::string() : d.key + ": ") +
                                                "expected " + d.expected + ", got " + d.got});
    }
    if (!errors.empty()) throw scenario::ScenarioError(std::move(errors));
    out = std::move(trial);
    for (std::size_t i = 0; i < keys.size(); ++i) out.settings.push_back(keys[i] + "=" + texts[i]);
  }
  out.derived_record.clear();
  for (const ResolvedNumber& n : values) out.derived_record.push_back(n.key + " = " + analysis::csv_number(n.value) + ": " + n.how);
  return out;
}

scenario::PathwayScenario with_derived(const scenario::PathwayScenario& sc, int threads) {
  if (sc.derived.empty()) return sc;
  return apply_derived(sc, resolve_derived(sc, threads));
}

}  // namespace mhsim::pipeline
