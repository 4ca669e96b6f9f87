// SPDX-License-Identifier: MIT
#include "models/scenario/calibration_targets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "models/scenario/pathway_document.hpp"
#include "models/scenario/toml_reader.hpp"

namespace mhsim::scenario {

std::vector<std::string> CalibrationSpec::keys() const {
  std::vector<std::string> out;
  for (const CalibrationParameter& p : parameters) out.insert(out.end(), p.keys.begin(), p.keys.end());
  return out;
}

std::vector<double> CalibrationSpec::key_values(const std::vector<double>& values) const {
  if (values.size() != parameters.size()) {
    throw std::invalid_argument("key_values: " + std::to_string(parameters.size()) + " parameters but " +
                                std::to_string(values.size()) + " values");
  }
  std::vector<double> out;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const CalibrationParameter& p = parameters[i];
    for (std::size_t k = 0; k < p.keys.size(); ++k) {
      const double x = p.multiplier ? values[i] * p.key_values[k] : values[i];
      out.push_back(p.integer[k] ? std::nearbyint(x) : x);
    }
  }
  return out;
}

bool CalibrationTarget::met(double mean) const noexcept {
  switch (bound) {
    case TargetBound::kAtLeast: return mean >= value;
    case TargetBound::kAtMost: return mean <= value;
    case TargetBound::kAbout: break;
  }
  return std::fabs(mean - value) <= tolerance;
}

double CalibrationTarget::residual(double mean) const noexcept {
  // The tolerance is a 95% half-width: 1.96 standard deviations of the figure's error.
  const double r = 1.96 * (mean - value) / tolerance;
  switch (bound) {
    case TargetBound::kAtLeast: return std::min(r, 0.0);
    case TargetBound::kAtMost: return std::max(r, 0.0);
    case TargetBound::kAbout: break;
  }
  return r;
}

std::string CalibrationTarget::criterion() const {
  switch (bound) {
    case TargetBound::kAtLeast: return ">= " + number_text(value);
    case TargetBound::kAtMost: return "<= " + number_text(value);
    case TargetBound::kAbout: break;
  }
  return "± " + number_text(tolerance);
}

namespace {

namespace pw = models::pathway;

std::optional<double> number_of(const toml::node& n) {
  if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
  if (n.is_floating_point()) return n.as_floating_point()->get();
  return std::nullopt;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + quoted(n);
  return out;
}

/// The sub-tables of `parent[key]` in file order; non-tables are reported.
std::vector<std::pair<std::string, const toml::table*>> tables_in_order(const toml::table& root, std::string_view key,
                                                                         const std::string& file, Diagnostics& diag,
                                                                         std::string_view noun) {
  std::vector<std::pair<std::string, const toml::table*>> out;
  const toml::node* node = root.get(key);
  if (node == nullptr) return out;
  const toml::table* t = node->as_table();
  if (t == nullptr) {
    const auto [line, col] = position(*node);
    diag.add(Diagnostic{file, line, col, std::string(key), "a table of " + std::string(noun) + " tables",
                        describe(*node)});
    return out;
  }
  for (const auto& [k, v] : *t) {
    const std::string path = std::string(key) + "." + std::string(k.str());
    if (const toml::table* sub = v.as_table()) {
      out.emplace_back(std::string(k.str()), sub);
    } else {
      const auto [line, col] = key_position(k, v, t);
      diag.add(Diagnostic{file, line, col, path, "a table describing a " + std::string(noun), describe(v)});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return first_position(*a.second) < first_position(*b.second);
  });
  return out;
}

/// Reads the keys of one table, reporting problems at the key (or the table when absent).
struct Reader {
  const toml::table& table;
  std::string path;
  const std::string& file;
  Diagnostics& diag;
  std::set<std::string> allowed;

  void error(std::string_view leaf, std::string expected, std::string got) const {
    const toml::node* n = leaf.empty() ? nullptr : table.get(leaf);
    const auto [line, col] = n != nullptr ? position(*n, &table) : position(table);
    diag.add(Diagnostic{file, line, col, leaf.empty() ? path : path + "." + std::string(leaf), std::move(expected),
                        std::move(got)});
  }
  void missing(std::string_view leaf, const std::string& expected) const {
    const auto [line, col] = position(table);
    diag.add(Diagnostic{file, line, col, path + "." + std::string(leaf), expected + " (required)",
                        "nothing (the key is missing)"});
  }
  std::optional<std::string> string(std::string_view leaf, const std::string& expected, bool required = true) const {
    const toml::node* n = table.get(leaf);
    if (n == nullptr) {
      if (required) missing(leaf, expected);
      return std::nullopt;
    }
    if (!n->is_string()) {
      error(leaf, expected, describe(*n));
      return std::nullopt;
    }
    return n->as_string()->get();
  }
  std::optional<double> number(std::string_view leaf, const std::string& expected, bool required = true) const {
    const toml::node* n = table.get(leaf);
    if (n == nullptr) {
      if (required) missing(leaf, expected);
      return std::nullopt;
    }
    const std::optional<double> x = number_of(*n);
    if (!x || !std::isfinite(*x)) {
      error(leaf, expected, describe(*n));
      return std::nullopt;
    }
    return x;
  }
  void finish() const {
    std::string expected;
    for (const std::string& a : allowed) expected += (expected.empty() ? "" : ", ") + a;
    for (const auto& [k, v] : table) {
      if (allowed.count(std::string(k.str())) != 0) continue;
      const auto [line, col] = key_position(k, v, &table);
      diag.add(Diagnostic{file, line, col, path + "." + std::string(k.str()), "one of the keys " + expected,
                          "an unknown key"});
    }
  }
};

std::optional<std::size_t> index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<std::size_t>(it - names.begin());
}

/// KPIs whose "all years" value is the mean over years (rates, means and stocks), not the sum.
bool averaged_system_kpi(std::size_t k) {
  using K = pw::SystemKpi;
  const auto is = [k](K x) { return k == static_cast<std::size_t>(x); };
  return is(K::kWemwbsMeanChange) || is(K::kShareImproved) || is(K::kGoalsProgressing) || is(K::kInSystemAtYearEnd);
}
bool averaged_service_kpi(std::size_t k) {
  using K = pw::ServiceKpi;
  const auto is = [k](K x) { return k == static_cast<std::size_t>(x); };
  return is(K::kMeanWait) || is(K::kP90Wait) || is(K::kCaseloadAtYearEnd) || is(K::kWaitingAtYearEnd) ||
         is(K::kMeanOccupancy);
}

/// Parses one term of a statistic against the scenario; "" on success, else what was expected.
std::string parse_term(const std::string& s, const PathwayScenario& sc, StatisticTerm& t) {
  std::vector<std::string> system, service, services, partners, domains, statuses;
  for (const auto& k : pw::system_kpis()) system.emplace_back(k.name);
  for (const auto& k : pw::service_kpis()) service.emplace_back(k.name);
  for (const auto& x : sc.spec.services) services.push_back(x.name);
  for (const auto& x : sc.spec.partners) partners.push_back(x.name);
  for (const char* d : pw::kSiofDomainNames) domains.emplace_back(d);
  for (const auto st : pw::kGoalStatusNames) statuses.emplace_back(st);
  const std::string general =
      "a statistic: kpi.<system KPI> (one of " + list_names(system) + "), cost, qalys, service.<service>.<KPI> (one of " +
      list_names(service) + "), partner_cost.<partner>, service_cost.<service> or goals.<SIOF domain or all>.<status>, or a sum of them "
      "joined by \" + \"";
  std::string name = s;
  if (s == "cost" || s == "qalys") name = "kpi." + s;
  if (name.rfind("kpi.", 0) == 0) {
    if (const auto k = index_of(system, name.substr(4))) {
      t.kind = StatisticKind::kSystemKpi;
      t.index = *k;
      t.averaged = averaged_system_kpi(*k);
      return "";
    }
    return general;
  }
  if (name.rfind("partner_cost.", 0) == 0) {
    if (const auto p = index_of(partners, name.substr(13))) {
      t.kind = StatisticKind::kPartnerCost;
      t.index = *p;
      return "";
    }
    return "partner_cost.<partner> with a partner of the scenario (" + list_names(partners) + ")";
  }
  if (name.rfind("service_cost.", 0) == 0) {
    if (const auto svc = index_of(services, name.substr(13))) {
      t.kind = StatisticKind::kServiceCost;
      t.service = *svc;
      return "";
    }
    return "service_cost.<service> with a service of the scenario (" + list_names(services) + ")";
  }
  if (name.rfind("goals.", 0) == 0) {
    const std::string rest = name.substr(6);
    const std::size_t dot = rest.find('.');
    const std::string domain = rest.substr(0, dot);
    const std::optional<std::size_t> d = domain == "all" ? std::optional<std::size_t>(pw::kSiofDomains)
                                                         : index_of(domains, domain);
    if (!d) return "goals.<domain>.<status> with a SIOF domain (" + list_names(domains) + ") or \"all\"";
    const std::optional<std::size_t> st = dot == std::string::npos ? std::nullopt : index_of(statuses, rest.substr(dot + 1));
    if (!st) return "goals.<domain>.<status> with a goal status (" + list_names(statuses) + ")";
    t.kind = StatisticKind::kGoals;
    t.domain = *d;
    t.index = *st;
    t.last_year = *st == static_cast<std::size_t>(pw::GoalStatus::kProgressing);
    return "";
  }
  if (name.rfind("service.", 0) == 0) {
    const std::string rest = name.substr(8);
    const std::size_t dot = rest.rfind('.');
    if (dot == std::string::npos) return general;
    const auto svc = index_of(services, rest.substr(0, dot));
    if (!svc) return "service.<service>.<KPI> with a service of the scenario (" + list_names(services) + ")";
    const auto k = index_of(service, rest.substr(dot + 1));
    if (!k) return "service.<service>.<KPI> with a service KPI (" + list_names(service) + ")";
    t.kind = StatisticKind::kServiceKpi;
    t.service = *svc;
    t.index = *k;
    t.averaged = averaged_service_kpi(*k);
    return "";
  }
  return general;
}

/// Parses a statistic: terms joined by " + ". "" on success, else what was expected.
std::string parse_statistic(const std::string& s, const PathwayScenario& sc, std::vector<StatisticTerm>& terms) {
  std::size_t at = 0;
  while (true) {
    const std::size_t plus = s.find('+', at);
    std::string part = s.substr(at, plus == std::string::npos ? std::string::npos : plus - at);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    StatisticTerm t;
    if (std::string why = parse_term(part, sc, t); !why.empty()) return why;
    terms.push_back(t);
    if (plus == std::string::npos) return "";
    at = plus + 1;
  }
}

/// How the loader takes the number at `node`: 0 = no reader, 1 = a number, 2 = an integer key.
/// Also whether the scenario is valid with `value` there (the loader's first message otherwise).
int reader_of(const ParsedDocument& doc, const std::string& file, const toml::node* node, double value,
              std::string& refusal) {
  NumberOverrides overrides;
  overrides.set(node, value);
  try {
    (void)read_pathway_overridden(doc, file, overrides);
  } catch (const ScenarioError& e) {
    const std::vector<Diagnostic>& ds = e.diagnostics();
    refusal = ds.empty() ? "an invalid scenario"
                         : (ds.front().key.empty() ? "" : ds.front().key + ": ") + "expected " + ds.front().expected +
                               ", got " + ds.front().got;
  }
  if (!overrides.used(0)) return 0;
  return overrides.used_as_integer(0) ? 2 : 1;
}

/// The number variant `variant` sets for `key` in the file, or nullptr: the quoted form
/// ("arms.a.x[1]" = 0.3) or TOML dotted keys (arms.a.x = 0.3).
const toml::node* variant_entry(const toml::table& doc, const std::string& variant, const std::string& key) {
  const toml::node* vs = doc.get("variants");
  const toml::table* v = vs != nullptr && vs->as_table() != nullptr ? vs->as_table()->get_as<toml::table>(variant) : nullptr;
  if (v == nullptr) return nullptr;
  if (const toml::node* n = v->get(key); n != nullptr && !n->is_table()) return n;
  const toml::node* at = v;
  std::size_t from = 0;
  while (at != nullptr && at->is_table()) {
    const std::size_t dot = key.find('.', from);
    at = at->as_table()->get(key.substr(from, dot == std::string::npos ? std::string::npos : dot - from));
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  return at != nullptr && (at->is_integer() || at->is_floating_point()) ? at : nullptr;
}

std::vector<const toml::node*> nodes_of(const PathwayScenario& sc, const std::vector<std::string>& keys,
                                        const std::string& variant = {}) {
  if (!sc.document) {
    throw std::invalid_argument("with_numbers: the scenario holds no parsed file to read again (load it with "
                                "load_pathway_scenario or parse_pathway_scenario)");
  }
  std::vector<const toml::node*> nodes;
  for (const std::string& k : keys) {
    if (!variant.empty()) {
      if (const toml::node* n = variant_entry(sc.document->table, variant, k)) {
        nodes.push_back(n);
        continue;
      }
    }
    std::string expected, got;
    const toml::node* n = find_number_key(sc.document->table, k, expected, got);
    if (n == nullptr) throw std::invalid_argument("with_numbers: " + k + ": expected " + expected + ", got " + got);
    nodes.push_back(n);
  }
  return nodes;
}

}  // namespace

CalibrationSpec parse_calibration_targets(std::string_view text, const std::string& file, const PathwayScenario& sc,
                                          const std::string& variant, bool need_parameters) {
  if (!sc.document) throw std::invalid_argument("parse_calibration_targets: the scenario holds no parsed file");
  const toml::table root = parse_toml(text, file);
  Diagnostics diag;
  CalibrationSpec out;
  out.file = file;
  for (const auto& [k, v] : root) {
    if (k.str() == "parameters" || k.str() == "targets") continue;
    const auto [line, col] = key_position(k, v, &root);
    diag.add(Diagnostic{file, line, col, std::string(k.str()), "one of the tables parameters, targets",
                        "an unknown key"});
  }
  std::vector<std::string> arms, variants;
  for (const auto& a : sc.spec.arms) arms.push_back(a.name);
  for (const auto& v : sc.variants) variants.push_back(v.name);

  // ---- [parameters.<name>] ----
  std::set<const toml::node*> fitted;
  const auto params = tables_in_order(root, "parameters", file, diag, "parameter to fit");
  for (const auto& [name, table] : params) {
    Reader r{*table, "parameters." + name, file, diag, {"high", "key", "keys", "low", "start"}};
    CalibrationParameter p;
    p.name = name;
    bool ok = true;
    std::vector<const toml::node*> nodes;
    // The keys: `key` (one number) or `keys` (a multiplier of several).
    std::vector<std::pair<std::string, std::string>> wanted;  // (key, leaf it was written under)
    const toml::node* keys_node = table->get("keys");
    if (keys_node != nullptr && table->get("key") != nullptr) {
      r.error("keys", "either key (one number) or keys (a multiplier of several numbers), not both", "both");
      ok = false;
    } else if (keys_node != nullptr) {
      p.multiplier = true;
      const toml::array* arr = keys_node->as_array();
      bool strings = arr != nullptr && !arr->empty();
      if (arr != nullptr) {
        for (const toml::node& e : *arr) strings = strings && e.is_string();
      }
      if (!strings) {
        r.error("keys", "a non-empty array of dotted key paths: the numbers the fitted multiplier scales",
                describe(*keys_node));
        ok = false;
      } else {
        for (const toml::node& e : *arr) wanted.emplace_back(e.as_string()->get(), "keys");
      }
    } else if (const auto key = r.string("key", "the dotted key path of a number in the scenario (or keys = [...], "
                                                "a multiplier of several)")) {
      wanted.emplace_back(*key, "key");
    } else {
      ok = false;
    }
    for (const auto& [key, leaf] : wanted) {
      std::string expected, got;
      const toml::node* node = find_number_key(sc.document->table, key, expected, got);
      if (node == nullptr) {
        r.error(leaf, expected, got);
      } else if (!fitted.insert(node).second) {
        r.error(leaf, "a key no other parameter fits", quoted(key) + ", already fitted");
        node = nullptr;
      } else {
        std::string refusal;
        const int how = reader_of(*sc.document, sc.file, node, *number_of(*node), refusal);
        if (how == 0) {
          r.error(leaf, "a key whose number the loader reads", quoted(key) + ", which no reader takes");
          node = nullptr;
        } else {
          p.integer.push_back(how == 2);  // fitted in real numbers, rounded to the nearest integer
        }
      }
      if (node == nullptr) {
        ok = false;
      } else {
        nodes.push_back(node);
        p.keys.push_back(key);
        p.key_values.push_back(*number_of(*node));
        p.key += (p.key.empty() ? "" : ", ") + key;
      }
    }
    if (ok && !nodes.empty()) {
      p.scenario_value = p.multiplier ? 1.0 : p.key_values.front();
      p.line = nodes.front()->source().begin.line;
      p.column = nodes.front()->source().begin.column;
    }
    const auto low = r.number("low", "a number: the lower bound");
    const auto high = r.number("high", "a number: the upper bound");
    const auto start = r.number("start", "a number: where the fit starts", false);
    if (low && high && !(*low < *high)) {
      r.error("high", "an upper bound greater than low = " + number_text(*low), number_text(*high));
      ok = false;
    }
    if (!low || !high) ok = false;
    if (ok) {
      p.low = *low;
      p.high = *high;
      p.start = start ? *start : p.scenario_value;
      if (!(p.start > p.low && p.start < p.high)) {
        const std::string what = "a start value strictly between low = " + number_text(p.low) +
                                 " and high = " + number_text(p.high);
        if (start) {
          r.error("start", what, number_text(p.start));
        } else if (p.multiplier) {
          r.error("keys", what + " (there is no start, so a multiplier starts at 1)", "1");
        } else {
          r.error("key", what + " (there is no start, so the scenario's value is the start)",
                  number_text(p.start) + " at " + sc.file + ":" + std::to_string(p.line) + ":" +
                      std::to_string(p.column));
        }
        ok = false;
      } else {
        // Every value the fit can take must leave the scenario valid: check both bounds
        // (each key of a multiplier on its own).
        for (const double b : {p.low, p.high}) {
          for (std::size_t k = 0; k < nodes.size(); ++k) {
            std::string refusal;
            double x = p.multiplier ? b * p.key_values[k] : b;
            if (p.integer[k]) x = std::nearbyint(x);
            (void)reader_of(*sc.document, sc.file, nodes[k], x, refusal);
            if (!refusal.empty()) {
              r.error(b == p.low ? "low" : "high", "a bound at which the scenario is valid",
                      p.keys[k] + " = " + number_text(x) + ", which the loader refuses: " + refusal);
              ok = false;
              break;
            }
          }
        }
      }
    }
    r.finish();
    if (ok) out.parameters.push_back(std::move(p));
  }
  if (params.empty() && need_parameters) {
    diag.add(Diagnostic{file, 1, 1, "parameters", "at least one [parameters.<name>] table (a number to fit)",
                        "none"});
  }

  // ---- [targets.<name>] ----
  const auto targets = tables_in_order(root, "targets", file, diag, "target");
  const int years = sc.spec.years;
  for (const auto& [name, table] : targets) {
    Reader r{*table, "targets." + name, file, diag,
             {"arm", "bound", "per", "relative_to", "source", "statistic", "tolerance", "value", "variant", "year"}};
    CalibrationTarget t;
    t.name = name;
    bool ok = true;
    if (const auto s = r.string("statistic", "a statistic such as \"kpi.referrals_secondary\"")) {
      t.statistic = *s;
      if (const std::string why = parse_statistic(*s, sc, t.terms); !why.empty()) {
        r.error("statistic", why, quoted(*s));
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const auto s = r.string("per", "a statistic to divide by, such as \"goals.all.set\"", false)) {
      t.per = *s;
      if (const std::string why = parse_statistic(*s, sc, t.per_terms); !why.empty()) {
        r.error("per", why, quoted(*s));
        ok = false;
      }
    } else if (table->get("per") != nullptr) {
      ok = false;
    }
    if (const auto b = r.string("bound", "\"at_least\" or \"at_most\" (a one-sided target)", false)) {
      if (*b == "at_least") {
        t.bound = TargetBound::kAtLeast;
      } else if (*b == "at_most") {
        t.bound = TargetBound::kAtMost;
      } else {
        r.error("bound", "\"at_least\" or \"at_most\" (a one-sided target)", quoted(*b));
        ok = false;
      }
    } else if (table->get("bound") != nullptr) {
      ok = false;
    }
    const std::string variant_list = variants.empty() ? std::string("a variant of the scenario (it declares none)")
                                                      : "a variant of the scenario (" + list_names(variants) + ")";
    if (const auto v = r.string("variant", variant_list, false)) {
      if (index_of(variants, *v)) {
        t.variant = *v;
      } else {
        r.error("variant", variant_list, quoted(*v));
        ok = false;
      }
    } else if (table->get("variant") != nullptr) {
      ok = false;
    }
    const std::string arm_list = "an arm of the scenario (" + list_names(arms) + ")";
    if (const auto a = r.string("arm", arm_list)) {
      if (const auto i = index_of(arms, *a)) {
        t.arm = *i;
      } else {
        r.error("arm", arm_list, quoted(*a));
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const auto a = r.string("relative_to", arm_list, false)) {
      if (const auto i = index_of(arms, *a)) {
        t.relative = true;
        t.relative_to = *i;
        if (*i == t.arm) {
          r.error("relative_to", "an arm other than the target's own (" + quoted(arms[t.arm]) + ")", quoted(*a));
          ok = false;
        }
      } else {
        r.error("relative_to", arm_list, quoted(*a));
        ok = false;
      }
    } else if (table->get("relative_to") != nullptr) {
      ok = false;
    }
    if (t.relative && !t.per.empty()) {
      r.error("per", "either per (a ratio within the arm) or relative_to (a ratio between arms), not both", "both");
      ok = false;
    }
    const std::string year_expected =
        "a year of the run, 1 to " + std::to_string(years) + ", or \"all\"";
    if (const toml::node* y = table->get("year")) {
      if (y->is_string() && y->as_string()->get() == "all") {
        t.year = 0;
      } else if (y->is_integer() && y->as_integer()->get() >= 1 && y->as_integer()->get() <= years) {
        t.year = static_cast<int>(y->as_integer()->get());
      } else {
        r.error("year", year_expected, describe(*y));
        ok = false;
      }
    } else {
      r.missing("year", year_expected);
      ok = false;
    }
    if (const auto v = r.number("value", "a number: the target value")) {
      t.value = *v;
    } else {
      ok = false;
    }
    if (const auto tol = r.number("tolerance", "a number > 0: the stated tolerance")) {
      if (*tol > 0) {
        t.tolerance = *tol;
      } else {
        r.error("tolerance", "a number > 0: the stated tolerance", number_text(*tol));
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const auto s = r.string("source", "where the target comes from (a source tag and what it says)")) {
      t.source = *s;
      if (s->find_first_not_of(" \t") == std::string::npos) {
        r.error("source", "where the target comes from (a source tag and what it says)", "an empty string");
        ok = false;
      }
    } else {
      ok = false;
    }
    r.finish();
    if (ok && (t.variant.empty() || t.variant == variant)) out.targets.push_back(std::move(t));
  }
  // Targets of this variant (or of every variant), good or bad: enough for the parameters?
  std::size_t applicable = 0;
  for (const auto& target : targets) {
    const toml::node* v = target.second->get("variant");
    if (v == nullptr || !v->is_string() || v->as_string()->get() == variant) ++applicable;
  }
  if (targets.empty()) {
    diag.add(Diagnostic{file, 1, 1, "targets", "at least one [targets.<name>] table", "none"});
  } else if (need_parameters && applicable < params.size()) {
    const auto [line, col] = first_position(*root.get("targets"));
    diag.add(Diagnostic{file, line, col, "targets",
                        "at least as many targets as parameters (" + std::to_string(params.size()) +
                            "), so that the fit is determined",
                        std::to_string(applicable) + (variant.empty() ? std::string() : " for variant " + quoted(variant))});
  }
  diag.throw_if_any();
  return out;
}

CalibrationSpec load_calibration_targets(const std::string& path, const PathwayScenario& sc, const std::string& variant,
                                         bool need_parameters) {
  return parse_calibration_targets(read_scenario_file(path), path, sc, variant, need_parameters);
}

PathwayScenario with_numbers(const PathwayScenario& sc, const std::vector<std::string>& keys,
                             const std::vector<double>& values) {
  if (keys.size() != values.size()) {
    throw std::invalid_argument("with_numbers: " + std::to_string(keys.size()) + " keys but " +
                                std::to_string(values.size()) + " values");
  }
  const std::vector<const toml::node*> nodes = nodes_of(sc, keys);
  NumberOverrides overrides;
  for (std::size_t i = 0; i < nodes.size(); ++i) overrides.set(nodes[i], values[i]);
  PathwayScenario out = read_pathway_overridden(*sc.document, sc.file, overrides);
  out.text = sc.text;
  out.run = sc.run;
  out.document = sc.document;
  return out;
}

bool variant_sets(const PathwayScenario& sc, const std::string& variant, const std::string& key) {
  for (const ScenarioVariant& v : sc.variants) {
    if (v.name == variant) return std::find(v.keys.begin(), v.keys.end(), key) != v.keys.end();
  }
  return false;
}

std::string round_trip_text(double x) {
  char buffer[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, x);
    if (std::stod(buffer) == x) break;
  }
  std::string s = buffer;
  // TOML wants a digit before an exponent's sign and allows "1e-05"; keep a float a float.
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string calibrated_text(const PathwayScenario& sc, const std::vector<std::string>& keys,
                            const std::vector<double>& values, const std::vector<std::string>& comments,
                            const std::string& variant, const std::string& line_prefix) {
  if (keys.size() != values.size() || keys.size() != comments.size()) {
    throw std::invalid_argument("calibrated_text: keys, values and comments differ in number");
  }
  const std::vector<const toml::node*> nodes = nodes_of(sc, keys, variant);
  const std::string& text = sc.text;
  // Byte offsets of line starts; toml++ columns count code points from 1.
  std::vector<std::size_t> line_start{0};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_start.push_back(i + 1);
  }
  const auto offset = [&](std::uint32_t line, std::uint32_t column) {
    if (line == 0 || line > line_start.size()) throw std::logic_error("calibrated_text: no source position");
    std::size_t at = line_start[line - 1];
    for (std::uint32_t c = 1; c < column; ++c) {
      ++at;
      while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;  // UTF-8 continuation
    }
    return at;
  };
  struct Edit {
    std::size_t begin, end, line_end;
    std::string value, comment;
  };
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const toml::source_region& src = nodes[i]->source();
    Edit e;
    e.begin = offset(src.begin.line, src.begin.column);
    e.end = offset(src.end.line, src.end.column);
    e.line_end = text.find('\n', e.end);
    if (e.line_end == std::string::npos) e.line_end = text.size();
    if (e.line_end > 0 && text[e.line_end - 1] == '\r') --e.line_end;
    // An integer in the file stays an integer (integer keys are read as such).
    e.value = nodes[i]->is_integer() && values[i] == std::nearbyint(values[i]) && std::fabs(values[i]) < 9e15
                  ? std::to_string(static_cast<long long>(values[i]))
                  : round_trip_text(values[i]);
    e.comment = comments[i];
    edits.push_back(std::move(e));
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  std::string out;
  std::size_t at = 0;
  for (std::size_t i = 0; i < edits.size(); ++i) {
    const Edit& e = edits[i];
    out.append(text, at, e.begin - at);
    out += e.value;
    at = e.end;
    // The comment goes at the end of the line, after the last edit on it (inline tables).
    const bool last_on_line = i + 1 == edits.size() || edits[i + 1].begin > e.line_end;
    if (last_on_line && !e.comment.empty()) {
      std::string comment;
      for (std::size_t j = i + 1; j-- > 0 && edits[j].line_end == e.line_end;) {
        comment = edits[j].comment + (comment.empty() ? "" : "; " + comment);
      }
      out.append(text, at, e.line_end - at);
      at = e.line_end;
      out += "  # " + line_prefix + comment;
    }
  }
  out.append(text, at, std::string::npos);
  return out;
}

}  // namespace mhsim::scenario
