// SPDX-License-Identifier: MIT
#include "pipeline/borough.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <variant>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "models/contracts/pathway_ledger.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/toml_reader.hpp"
#include "models/schema/paths.hpp"
#include "models/schema/schema.hpp"
#include "models/schema/source.hpp"

namespace mhsim::pipeline {

namespace {

namespace pw = models::pathway;
namespace ct = models::contracts;
namespace ld = models::ledger;
using scenario::Diagnostic;

const std::set<std::string, std::less<>> kMoney = {"pounds", "pounds per year", "pounds over the agreement"};
const std::set<std::string, std::less<>> kLevels = {"the KPI's unit", "the metric's unit"};
const std::set<std::string, std::less<>> kStaffed = {"slots", "servers", "posts"};

std::string number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}
std::string ratio_text(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

/// The KPIs a contract's levels are stated in: "kras[k]" and "indicators[k]" -> the KPI.
std::map<std::string, ct::KpiRef> contract_kpis(const ct::Contract& c) {
  std::map<std::string, ct::KpiRef> out;
  const auto add = [&](const char* what, std::size_t k, const ct::KpiRef& ref) {
    out[std::string(what) + "[" + std::to_string(k) + "]"] = ref;
  };
  if (const auto* a = std::get_if<ct::AllianceTerms>(&c.terms)) {
    for (std::size_t k = 0; k < a->kras.size(); ++k) add("kras", k, a->kras[k].kpi);
  }
  const std::vector<ct::Indicator>* indicators = nullptr;
  if (const auto* o = std::get_if<ct::OutcomesTerms>(&c.terms)) indicators = &o->indicators;
  if (const auto* b = std::get_if<ct::BlendedTerms>(&c.terms)) indicators = &b->indicators;
  for (std::size_t k = 0; indicators != nullptr && k < indicators->size(); ++k) add("indicators", k, (*indicators)[k].kpi);
  return out;
}

/// Yearly means over the baseline pass, per arm: the cost of what each contract covers, the
/// KPIs its levels are stated in, and each partner's cost.
struct Baseline {
  std::vector<std::vector<double>> contract_cost;                     // [A][C]
  std::vector<std::vector<std::map<std::string, double>>> kpi;        // [A][C] "kras[k]" -> mean
  std::vector<std::vector<double>> partner_cost;                      // [A][P]
  std::vector<double> total;                                          // [A]
  std::vector<double> referrals;                                      // [S] a year, summed over the arms
};

Baseline baseline(const scenario::PathwayScenario& sc, std::uint64_t R, int threads) {
  const std::size_t A = sc.spec.arms.size(), P = sc.spec.partners.size(), Y = static_cast<std::size_t>(sc.spec.years);
  const ct::LedgerShape shape = ct::ledger_shape(sc.spec, sc.group_share);
  std::vector<Baseline> per(R);
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, R), [&](const tbb::blocked_range<std::uint64_t>& range) {
      for (std::uint64_t r = range.begin(); r != range.end(); ++r) {
        const pw::PathwayResult result = pw::simulate_pathway(sc.spec, engine::RandomStreams(sc.run.seed, r));
        Baseline& b = per[r];
        b.contract_cost.assign(A, {});
        b.kpi.assign(A, {});
        b.partner_cost.assign(A, std::vector<double>(P, 0.0));
        b.total.assign(A, 0.0);
        b.referrals.assign(sc.spec.services.size(), 0.0);
        for (std::size_t a = 0; a < A; ++a) {
          for (std::size_t y = 0; y < Y; ++y) {
            for (std::size_t s = 0; s < b.referrals.size(); ++s) {
              b.referrals[s] += result.arms[a].svc(y, s, ld::ServiceKpi::kReferrals) / static_cast<double>(Y);
            }
          }
          const ct::Terms& terms = a < sc.contracts.size() ? sc.contracts[a].terms : ct::Terms{};
          const std::vector<std::size_t> cover = ct::covering(terms, shape.service_partner);
          b.contract_cost[a].assign(terms.contracts.size(), 0.0);
          b.kpi[a].resize(terms.contracts.size());
          for (std::size_t y = 0; y < Y; ++y) {
            const ct::YearInput in = ct::from_arm_result(shape, result.arms[a], y);
            for (std::size_t s = 0; s < cover.size() && s < in.service_cost.size(); ++s) {
              if (cover[s] < terms.contracts.size()) b.contract_cost[a][cover[s]] += in.service_cost[s] / static_cast<double>(Y);
            }
            for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
              for (const auto& [label, ref] : contract_kpis(terms.contracts[c])) {
                b.kpi[a][c][label] += ct::kpi_value(ref, in) / static_cast<double>(Y);
              }
            }
            for (std::size_t p = 0; p < P; ++p) {
              b.partner_cost[a][p] += in.partner_cost[p] / static_cast<double>(Y);
              b.total[a] += in.partner_cost[p] / static_cast<double>(Y);
            }
          }
        }
      }
    });
  });
  // Added in replication order, so the result does not depend on the threads.
  Baseline out = per.empty() ? Baseline{} : per.front();
  for (std::uint64_t r = 1; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t c = 0; c < out.contract_cost[a].size(); ++c) {
        out.contract_cost[a][c] += per[r].contract_cost[a][c];
        for (auto& [label, v] : out.kpi[a][c]) v += per[r].kpi[a][c].at(label);
      }
      for (std::size_t p = 0; p < P; ++p) out.partner_cost[a][p] += per[r].partner_cost[a][p];
      out.total[a] += per[r].total[a];
    }
    for (std::size_t s = 0; s < out.referrals.size(); ++s) out.referrals[s] += per[r].referrals[s];
  }
  const double n = static_cast<double>(std::max<std::uint64_t>(R, 1));
  for (std::size_t a = 0; a < out.contract_cost.size(); ++a) {
    for (std::size_t c = 0; c < out.contract_cost[a].size(); ++c) {
      out.contract_cost[a][c] /= n;
      for (auto& [label, v] : out.kpi[a][c]) v /= n;
    }
    for (double& v : out.partner_cost[a]) v /= n;
    out.total[a] /= n;
  }
  for (double& v : out.referrals) v /= n;
  return out;
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

/// new / old, or `fallback` when old is not a positive number.
double ratio(double now, double before, double fallback) { return before > 0 && now >= 0 ? now / before : fallback; }

/// A derived number as the file shows it: an integer key rounded (at least 1 where the
/// template's was positive), any other to 4 significant figures, which is finer than the
/// baseline pass can tell apart.
double rounded(double x, bool integer, double template_value) {
  if (!integer) {
    if (x == 0 || !std::isfinite(x)) return x;
    const double scale = std::pow(10.0, 3 - std::floor(std::log10(std::fabs(x))));
    return std::nearbyint(x * scale) / scale;
  }
  const double r = std::nearbyint(x);
  return template_value > 0 && r < 1 ? 1 : r;
}

/// `text` with `line` inserted after the header of table `table` (which must be a [table]).
struct Insertion {
  std::string table, line;
};
std::string with_insertions(const std::string& text, const std::string& file, const std::vector<Insertion>& inserts) {
  const toml::table doc = scenario::parse_toml(text, file);
  std::vector<std::pair<std::uint32_t, std::string>> at;
  for (const Insertion& in : inserts) {
    const toml::node* node = doc.at_path(in.table).node();
    if (node == nullptr || !node->is_table()) throw std::logic_error("init: no table " + in.table);
    at.emplace_back(node->source().begin.line, in.line);
  }
  // From the bottom up, so that each header's line number still holds.
  std::stable_sort(at.begin(), at.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out = text;
  for (const auto& [line, content] : at) {
    const std::size_t nl = out.find('\n', scenario::source_offset(out, line, 1));
    out.insert(nl == std::string::npos ? out.size() : nl + 1, content + "\n");
  }
  return out;
}

/// A TOML basic string holding `s`.
std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

/// `text` with the string at `key` (written in it) replaced by `value`.
std::string with_string(const std::string& text, const std::string& file, const std::string& key, const std::string& value) {
  const toml::table doc = scenario::parse_toml(text, file);
  const toml::node* node = doc.at_path(key).node();
  if (node == nullptr || !node->is_string()) return text;
  const toml::source_region& r = node->source();  // the end column is one past the closing quote
  const std::size_t b = scenario::source_offset(text, r.begin.line, r.begin.column);
  const std::size_t e = scenario::source_offset(text, r.end.line, r.end.column);
  return text.substr(0, b) + toml_string(value) + text.substr(e);
}

}  // namespace

Borough init_borough(const scenario::PathwayScenario& tmpl, const BoroughInputs& in) {
  std::vector<Diagnostic> bad;
  std::vector<std::string> groups, services;
  for (const pw::NeedGroup& g : tmpl.spec.population.groups) groups.push_back(g.name);
  for (const pw::ServiceSpec& s : tmpl.spec.services) services.push_back(s.name);
  const auto names = [](const std::vector<std::string>& v) { return schema::quoted(v); };
  std::map<std::string, double> rates, capacities;
  for (const auto& [g, r] : in.rates) {
    if (index_of(groups, g) == groups.size()) {
      bad.push_back(Diagnostic{"command line", 0, 0, "--rate", "a need group of " + tmpl.file + " (" + names(groups) + ")", "\"" + g + "\""});
    } else if (!rates.emplace(g, r).second) {
      bad.push_back(Diagnostic{"command line", 0, 0, "--rate", "each need group once", "\"" + g + "\" twice"});
    }
  }
  for (const auto& [s, c] : in.capacities) {
    if (index_of(services, s) == services.size()) {
      bad.push_back(Diagnostic{"command line", 0, 0, "--capacity", "a service of " + tmpl.file + " (" + names(services) + ")", "\"" + s + "\""});
    } else if (!capacities.emplace(s, c).second) {
      bad.push_back(Diagnostic{"command line", 0, 0, "--capacity", "each service once", "\"" + s + "\" twice"});
    }
  }
  if (!(in.population > 0)) bad.push_back(Diagnostic{"command line", 0, 0, "--population", "a number of people > 0", number(in.population)});
  if (!bad.empty()) throw scenario::ScenarioError(std::move(bad));

  // The demand ratio: yearly new episodes, stated rates against the template's.
  const double N0 = tmpl.spec.population.size, N = in.population;
  double before = 0, after = 0;
  for (const pw::NeedGroup& g : tmpl.spec.population.groups) {
    before += N0 * g.rate_per_1000_per_year;
    after += N * (rates.count(g.name) ? rates.at(g.name) : g.rate_per_1000_per_year);
  }
  Borough out;
  const double D = ratio(after, before, N / N0);
  out.demand_ratio = D;
  const std::string Dtext = ratio_text(D);
  const std::uint64_t R = std::max<std::uint64_t>(in.pilot_replications, 1);
  const std::string pass = " in " + std::to_string(R) + " replications (baseline pass)";
  const Baseline bt = baseline(tmpl, R, in.threads);

  // Each service's demand ratio. With the template's rates every service's demand moves with
  // the population, so it is D. A stated rate moves the services its need group uses more
  // than the others: the service's ratio is then the borough's size over the template's, times
  // the referrals the service receives in a pass of the template with the borough's rates
  // against the template's own (the same people's streams, at the template's size and
  // capacities), summed over the arms. A service with no referrals in the pass keeps D.
  std::vector<double> service_ratio(services.size(), D);
  if (!rates.empty()) {
    scenario::PathwayScenario rated = tmpl;
    std::vector<std::string> rate_keys, rate_values;
    for (const auto& [g, r] : rates) {
      rate_keys.push_back("groups." + g + ".rate_per_1000_per_year");
      rate_values.push_back(scenario::round_trip_text(r));
    }
    std::vector<Diagnostic> ds = scenario::set_values(rated, rate_keys, rate_values, scenario::Settable::kAny);
    if (!ds.empty()) throw scenario::ScenarioError(std::move(ds));
    const Baseline br = baseline(rated, R, in.threads);
    for (std::size_t s = 0; s < services.size() && s < bt.referrals.size(); ++s) {
      if (bt.referrals[s] > 0) service_ratio[s] = N / N0 * br.referrals[s] / bt.referrals[s];
    }
  }
  // The service a written number belongs to (services.<s>..., variants.<v>.services.<s>...,
  // arms.<a>.capacity.<s>, arms.<a>.capacity_changes[k]..., initial[i]...), or none.
  const auto service_of = [&](const std::vector<schema::PathStep>& steps) -> std::size_t {
    const std::string& head = steps.front().key;
    if (head == "services" && steps.size() >= 2) return index_of(services, steps[1].key);
    if (head == "variants" && steps.size() >= 4 && steps[2].key == "services") return index_of(services, steps[3].key);
    if (head == "initial" && !steps.front().indices.empty() && steps.front().indices[0] < tmpl.spec.initial.size()) {
      return tmpl.spec.initial[steps.front().indices[0]].service;
    }
    if (head == "arms" && steps.size() >= 4 && steps[2].key == "capacity") return index_of(services, steps[3].key);
    if (head == "arms" && steps.size() >= 3 && steps[2].key == "capacity_changes" && !steps[2].indices.empty()) {
      const std::size_t a = index_of(tmpl.source->names_of("arms"), steps[1].key);
      if (a < tmpl.spec.arms.size() && steps[2].indices[0] < tmpl.spec.arms[a].capacity_changes.size()) {
        return tmpl.spec.arms[a].capacity_changes[steps[2].indices[0]].service;
      }
    }
    return services.size();
  };
  // The template's number x the demand ratio of its service (D for a number of no service),
  // and how, for the line's comment.
  const auto by_demand = [&](const std::vector<schema::PathStep>& steps, double value, bool integer,
                             double keep) -> std::pair<double, std::string> {
    const std::size_t s = service_of(steps);
    if (rates.empty() || s >= services.size()) {
      return {rounded(value * D, integer, keep), "the template's " + number(value) + " x the demand ratio " + Dtext};
    }
    return {rounded(value * service_ratio[s], integer, keep),
            "the template's " + number(value) + " x " + ratio_text(service_ratio[s]) + ", the demand ratio of service \"" +
                services[s] + "\": the borough's size over the template's x the service's referrals with the borough's "
                "rates against the template's" + pass};
  };

  // Stage 1: what the borough's size sets directly.
  const std::vector<scenario::WrittenNumber> written = scenario::written_numbers(tmpl);
  std::vector<std::string> keys, comments;
  std::vector<double> values;
  std::map<std::string, std::pair<double, double>> changed;  // key -> (template's, borough's)
  const auto set = [&](const scenario::WrittenNumber& w, double to, const std::string& how) {
    if (to == w.value) return;  // nothing to say (a zero stays zero)
    keys.push_back(w.key);
    values.push_back(to);
    comments.push_back(how);
    changed[w.key] = {w.value, to};
    out.derived.push_back(Derivation{w.key, w.value, to, how});
  };
  std::set<std::string> stated_capacity_written;
  for (const scenario::WrittenNumber& w : written) {
    if (w.contract) continue;
    const auto steps = schema::parse_path(w.key);
    const std::string& head = steps->front().key;
    if (w.key == "population.size") {
      set(w, N, "stated: the borough's population");
    } else if (head == "groups" && steps->size() == 3 && (*steps)[2].key == "rate_per_1000_per_year" &&
               rates.count((*steps)[1].key)) {
      set(w, rates.at((*steps)[1].key), "stated: new episodes per 1,000 a year");
    } else if (head == "services" && steps->size() == 3 && (*steps)[2].key == "capacity" &&
               capacities.count((*steps)[1].key)) {
      stated_capacity_written.insert((*steps)[1].key);
      set(w, capacities.at((*steps)[1].key), "stated: the service's capacity");
    } else if (kStaffed.count(w.unit) || (head == "services" && w.unit == "pounds per year")) {
      const auto [to, how] = by_demand(*steps, w.value, w.integer, w.value);
      set(w, to, how);
    } else if (head == "initial" && w.unit == "people") {
      // A starting caseload moves with its service's capacity where that is stated, else with demand.
      const std::size_t i = steps->front().indices.empty() ? tmpl.spec.initial.size() : steps->front().indices[0];
      const std::size_t s = i < tmpl.spec.initial.size() ? tmpl.spec.initial[i].service : services.size();
      const auto stated = s < services.size() ? capacities.find(services[s]) : capacities.end();
      if (stated != capacities.end() && tmpl.spec.services[s].capacity > 0) {
        const double k = stated->second / static_cast<double>(tmpl.spec.services[s].capacity);
        set(w, rounded(w.value * k, w.integer, 0), "the template's " + number(w.value) + " x " + ratio_text(k) +
                                                       ", the service's stated capacity against the template's");
      } else {
        const auto [to, how] = by_demand(*steps, w.value, w.integer, 0);
        set(w, to, how);
      }
    }
  }
  std::vector<Insertion> inserts;
  for (const auto& [s, c] : capacities) {
    if (stated_capacity_written.count(s)) continue;
    inserts.push_back(Insertion{"services." + s, "capacity = " + number(c) + "   # mhsim init: stated: the service's capacity"});
    out.derived.push_back(Derivation{"services." + s + ".capacity", 0, c, "stated: the service's capacity (unlimited in the template)"});
  }
  scenario::PathwayScenario scaled = tmpl;
  {
    std::vector<std::string> set_keys = keys, set_values;
    for (const double v : values) set_values.push_back(scenario::round_trip_text(v));
    for (const auto& [s, c] : capacities) {
      if (stated_capacity_written.count(s)) continue;
      set_keys.push_back("services." + s + ".capacity");
      set_values.push_back(scenario::round_trip_text(c));
    }
    std::vector<Diagnostic> ds = scenario::set_values(scaled, set_keys, set_values, scenario::Settable::kAny);
    for (Diagnostic& d : ds) d.expected += " (after mhsim init's scaling)";
    if (!ds.empty()) throw scenario::ScenarioError(std::move(ds));
  }

  // Stage 2: the baseline pass, and what it sizes.
  const Baseline bs = baseline(scaled, R, in.threads);
  // --derived: the same numbers as rules, scale = the template's number / the template's
  // measured quantity (keys the template already derives keep the template's rule).
  struct Rule {
    std::string key, body, why;
  };
  std::vector<Rule> rules;
  std::set<std::string> ruled;
  for (const scenario::DerivedNumber& d : tmpl.derived) ruled.insert(scenario::canonical_key(d.name));
  const auto add_rule = [&](const std::string& key, double value, double base, const std::string& body,
                            const std::string& what) {
    if (!in.derived || !(base > 0) || value == 0 || ruled.count(scenario::canonical_key(key)) != 0) return;
    const double scale = rounded(value / base, false, 0);
    rules.push_back(Rule{key, body + "scale = " + number(scale) + "\n",
                         "the template's " + number(value) + " over " + what + " in the template (" + number(base) + ")" + pass});
  };
  const auto quoted_name = [](const std::string& n) { return toml_string(n); };
  for (const scenario::WrittenNumber& w : written) {
    const auto steps = schema::parse_path(w.key);
    if (!w.contract) {
      if (steps->front().key == "partners" && steps->size() == 3 && kMoney.count(w.unit)) {
        const std::size_t p = index_of(tmpl.source->names_of("partners"), (*steps)[1].key);
        if (p >= tmpl.spec.partners.size() || bt.partner_cost.empty()) continue;
        const double k = ratio(bs.partner_cost[0][p], bt.partner_cost[0][p], D);
        set(w, rounded(w.value * k, w.integer, w.value), "the template's " + number(w.value) + " x " + ratio_text(k) + ", the partner's simulated cost in arm \"" +
                                tmpl.spec.arms[0].name + "\" here against the template's" + pass);
        add_rule(w.key, w.value, bt.partner_cost[0][p],
                 "of = \"partner_cost\"\npartner = " + quoted_name((*steps)[1].key) + "\narm = " + quoted_name(tmpl.spec.arms[0].name) + "\n",
                 "the partner's yearly cost in arm \"" + tmpl.spec.arms[0].name + "\"");
      }
      continue;
    }
    const std::size_t a = index_of(tmpl.source->names_of("arms"), (*steps)[1].key);
    if (a >= tmpl.contracts.size() || (*steps)[2].indices.size() != 1) continue;
    const std::size_t c = (*steps)[2].indices[0];
    if (c >= tmpl.contracts[a].terms.contracts.size()) continue;
    const double cost_k = ratio(bs.contract_cost[a][c], bt.contract_cost[a][c], D);
    const std::string what = "the cost of what the contract covers in arm \"" + tmpl.spec.arms[a].name + "\"";
    if (kMoney.count(w.unit) || w.unit == "units per year") {
      set(w, rounded(w.value * cost_k, w.integer, w.value), "the template's " + number(w.value) + " x " + ratio_text(cost_k) + ", " + what +
                                   " here against the template's" + pass);
      if (!w.integer) add_rule(w.key, w.value, bt.contract_cost[a][c], "of = \"contract_cost\"\n", "the yearly cost of what the contract covers");
    } else if (w.unit == "pounds per person per year") {
      const double k = cost_k * N0 / N;
      set(w, rounded(w.value * k, w.integer, w.value), "the template's " + number(w.value) + " x " + ratio_text(k) + ", " + what +
                              " per resident here against the template's" + pass);
      if (!w.integer) {
        add_rule(w.key, w.value, bt.contract_cost[a][c] / N0, "of = \"contract_cost\"\nper_head = true\n",
                 "the yearly cost per resident of what the contract covers");
      }
    } else if (kLevels.count(w.unit) && steps->size() >= 4) {
      const std::string label = (*steps)[3].key + "[" + ((*steps)[3].indices.empty() ? std::string("?") : std::to_string((*steps)[3].indices[0])) + "]";
      const auto t = bt.kpi[a][c].find(label);
      if (t == bt.kpi[a][c].end()) continue;
      const double k = ratio(bs.kpi[a][c].at(label), t->second, D);
      set(w, rounded(w.value * k, w.integer, w.value), "the template's " + number(w.value) + " x " + ratio_text(k) + ", the KPI's simulated yearly value in arm \"" +
                              tmpl.spec.arms[a].name + "\" here against the template's" + pass);
      const ct::KpiRef ref = contract_kpis(tmpl.contracts[a].terms.contracts[c]).at(label);
      const std::string kpi =
          ref.scope == ct::KpiRef::Scope::kSystem
              ? "kpi = " + quoted_name(std::string(ld::system_kpis()[ref.index].name)) + "\n"
              : "kpi = " + quoted_name(std::string(ld::service_kpis()[ref.index].name)) + "\nservice = " +
                    quoted_name(services[ref.service]) + "\n";
      if (!w.integer) add_rule(w.key, w.value, t->second, "of = \"kpi\"\n" + kpi, "the KPI's yearly value");
    }
  }

  // The budget: stated, else as the first arm's total cost.
  const double total_k = bt.total.empty() ? D : ratio(bs.total[0], bt.total[0], D);
  bool budget_written = false;
  {
    const toml::table doc = scenario::parse_toml(tmpl.text, tmpl.file);
    budget_written = doc.at_path("analysis.commissioner_budget").is_number();
    if (const toml::table* cs = doc["commissioners"].as_table()) {
      for (const auto& [name, node] : *cs) {
        const toml::node* b = node.as_table() != nullptr ? node.as_table()->get("budget") : nullptr;
        if (b == nullptr || !b->is_number()) continue;
        const double v = b->value<double>().value_or(0);
        scenario::WrittenNumber w{"commissioners." + std::string(name.str()) + ".budget", v, b->is_integer(), "pounds per year", false};
        set(w, rounded(v * total_k, false, v), "the template's " + number(v) + " x " + ratio_text(total_k) + ", the simulated spend of arm \"" +
                                tmpl.spec.arms[0].name + "\" here against the template's" + pass);
        if (!bt.total.empty()) {
          add_rule(w.key, v, bt.total[0], "of = \"cost\"\narm = " + quoted_name(tmpl.spec.arms[0].name) + "\n",
                   "the whole system's yearly cost in arm \"" + tmpl.spec.arms[0].name + "\"");
        }
      }
    }
    if (budget_written) {
      const double v = doc.at_path("analysis.commissioner_budget").value<double>().value_or(0);
      scenario::WrittenNumber w{"analysis.commissioner_budget", v, false, "pounds per year", false};
      if (in.budget) set(w, *in.budget, "stated: the commissioner's budget");
      else set(w, rounded(v * total_k, false, v), "the template's " + number(v) + " x " + ratio_text(total_k) + ", the simulated spend of arm \"" +
                                   tmpl.spec.arms[0].name + "\" here against the template's" + pass);
    } else if (in.budget) {
      if (doc["analysis"].as_table() == nullptr) {
        throw scenario::ScenarioError({Diagnostic{"command line", 0, 0, "--budget", "a template with an [analysis] table", tmpl.file + " has none"}});
      }
      inserts.push_back(Insertion{"analysis", "commissioner_budget = " + number(*in.budget) +
                                                  "   # mhsim init: stated: the commissioner's budget"});
      out.derived.push_back(Derivation{"analysis.commissioner_budget", 0, *in.budget, "stated: the commissioner's budget"});
    }
  }

  // The elements of one array (a KRA's thresholds) share one comment, on the last of them.
  for (std::size_t i = 0; i < keys.size();) {
    const std::size_t open = keys[i].rfind('[');
    const std::string base = keys[i].back() == ']' && open != std::string::npos ? keys[i].substr(0, open) : std::string();
    std::size_t j = i + 1;
    while (!base.empty() && j < keys.size() && keys[j].compare(0, base.size() + 1, base + "[") == 0 &&
           keys[j].find('.', base.size()) == std::string::npos) {
      ++j;
    }
    const std::size_t at = comments[i].find(" x ");
    if (j - i > 1 && at != std::string::npos && comments[i].rfind("the template's ", 0) == 0) {
      std::string list;
      for (std::size_t k = i; k < j; ++k) list += (list.empty() ? "" : ", ") + number(changed.at(keys[k]).first);
      const std::string joined = "the template's [" + list + "]" + comments[i].substr(at);
      for (std::size_t k = i; k < j; ++k) comments[k] = k + 1 == j ? joined : std::string();
    }
    i = j;
  }

  // The text: every derived number in place, its comment saying how.
  scenario::PathwayScenario edit = tmpl;
  edit.text = scenario::calibrated_text(tmpl, keys, values, comments, "", "mhsim init: ", true);
  // A variant's number moves with its key's base (a 15% surge stays 15%).
  for (const scenario::ScenarioVariant& v : tmpl.variants) {
    std::vector<std::string> vk, vc;
    std::vector<double> vv;
    for (std::size_t i = 0; i < v.keys.size(); ++i) {
      const auto it = changed.find(v.keys[i]);
      if (it == changed.end() || !(it->second.first != 0)) continue;
      const double k = it->second.second / it->second.first;
      const bool integer = std::find_if(written.begin(), written.end(), [&](const scenario::WrittenNumber& w) {
                             return w.key == v.keys[i] && w.integer;
                           }) != written.end();
      vk.push_back(v.keys[i]);
      vv.push_back(rounded(v.values[i] * k, integer, v.values[i]));
      vc.push_back("the template's " + number(v.values[i]) + " x " + ratio_text(k) + ", as its key's base");
      out.derived.push_back(Derivation{"variants." + v.name + "." + v.keys[i], v.values[i], vv.back(), vc.back()});
    }
    if (!vk.empty()) edit.text = scenario::calibrated_text(edit, vk, vv, vc, v.name, "mhsim init: ", true);
  }
  if (!rules.empty() && R != 40 && !tmpl.source->present("run.baseline_replications")) {
    inserts.push_back(Insertion{"run", "baseline_replications = " + std::to_string(R) +
                                           "   # mhsim init: stated: replications of the baseline pass (--pilot-reps)"});
  }
  std::string text = with_insertions(edit.text, tmpl.file, inserts);
  if (!rules.empty()) {
    text += "\n# ---- Derived amounts (mhsim init --derived) ---------------------------------------------\n"
            "# The contract amounts, levels, reserves and budgets above that the baseline pass sized, as\n"
            "# rules (docs/contracts.md, \"Derived amounts\"): every run re-derives each from a baseline\n"
            "# pass of this borough as it then is, keeping the template's relation to what it measures.\n"
            "# The figures written above are the ones init derived; a run replaces them.\n";
    for (const Rule& r : rules) {
      text += "\n[derived." + toml_string(r.key) + "]   # mhsim init: scale = " + r.why + "\n" + r.body;
    }
  }
  const std::string name = !in.name.empty() ? in.name : "A borough of " + number(N) + " people (mhsim init from " + tmpl.name + ")";
  text = with_string(text, tmpl.file, "scenario.name", name);

  std::string rates_text, capacity_text;
  for (const auto& [g, r] : rates) rates_text += (rates_text.empty() ? "" : ", ") + g + " " + number(r);
  for (const auto& [s, c] : capacities) capacity_text += (capacity_text.empty() ? "" : ", ") + s + " " + number(c);
  std::string header;
  header += "# Written by `mhsim init` from " + (in.template_label.empty() ? tmpl.file : in.template_label) + ".\n";
  header += "# Stated: population " + number(N) + (rates_text.empty() ? "" : "; new episodes per 1,000 a year: " + rates_text) +
            (capacity_text.empty() ? "" : "; capacities: " + capacity_text) +
            (in.budget ? "; budget " + number(*in.budget) + " pounds a year" : "") + ".\n";
  header += "# Demand ratio " + Dtext + ": the borough's yearly new episodes against the template's (" + number(after / 1000) +
            " against " + number(before / 1000) + ").\n";
  header += "# Baseline pass: replications 0-" + std::to_string(R - 1) + " of the template and of this borough at seed " +
            std::to_string(tmpl.run.seed) + " (without contract responses).\n";
  header += "# Every number marked \"mhsim init:\" was derived as its comment says, the template's note after \"was:\";\n";
  header += "# every other line is the template's, with its sources. Re-run mhsim init after changing the pathway.\n";
  if (!rules.empty()) {
    header += "# " + std::to_string(rules.size()) + " of them are also [derived] rules (the end of the file): each run re-derives those.\n";
  }
  header += "#\n";
  out.text = header + text;
  try {
    (void)scenario::parse_pathway_scenario(out.text, "mhsim init");
  } catch (const scenario::ScenarioError& e) {
    std::string what;
    for (const Diagnostic& d : e.diagnostics()) what += "\n  " + d.key + ": expected " + d.expected + ", got " + d.got;
    throw std::runtime_error("mhsim init wrote a scenario that does not load:" + what);
  }
  return out;
}

}  // namespace mhsim::pipeline
