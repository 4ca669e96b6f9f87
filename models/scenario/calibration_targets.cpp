// SPDX-License-Identifier: MIT
#include "models/scenario/calibration_targets.hpp"
#include "models/pathway/statistics.hpp"
#include "models/schema/source.hpp"
#include "models/schema/limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "models/schema/check.hpp"
#include "models/schema/docs.hpp"
#include "models/schema/paths.hpp"
#include "models/scenario/toml_reader.hpp"

namespace mhsim::scenario {

std::vector<std::string> CalibrationSpec::keys() const {
  std::vector<std::string> out;
  for (const CalibrationParameter& p : parameters) {
    for (const std::string& k : p.keys) {
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
    }
  }
  return out;
}

std::vector<double> CalibrationSpec::key_values(const std::vector<double>& values) const {
  if (values.size() != parameters.size()) {
    throw std::invalid_argument("key_values: " + std::to_string(parameters.size()) + " parameters but " +
                                std::to_string(values.size()) + " values");
  }
  const std::vector<std::string> ks = keys();
  std::vector<double> out(ks.size(), 1.0);
  std::vector<bool> integer(ks.size(), false), base_set(ks.size(), false);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const CalibrationParameter& p = parameters[i];
    for (std::size_t k = 0; k < p.keys.size(); ++k) {
      const std::size_t at =
          static_cast<std::size_t>(std::find(ks.begin(), ks.end(), p.keys[k]) - ks.begin());
      integer[at] = p.integer[k];
      if (p.multiplier) {
        // Multipliers of one key multiply: the scenario's value once, times each of them.
        if (!base_set[at]) out[at] *= p.key_values[k];
        base_set[at] = true;
        out[at] *= values[i];
      } else {
        out[at] = values[i];
      }
    }
  }
  for (std::size_t at = 0; at < ks.size(); ++at) {
    if (integer[at]) out[at] = std::nearbyint(out[at]);
  }
  return out;
}

std::size_t CalibrationSpec::count(TargetRole role) const {
  return static_cast<std::size_t>(
      std::count_if(targets.begin(), targets.end(), [&](const CalibrationTarget& t) { return t.role == role; }));
}

TargetAccounting CalibrationSpec::accounting(TargetRole role, std::size_t fitted) const {
  TargetAccounting a;
  a.fitted = fitted;
  if (role == TargetRole::kCalibrate) {
    for (const DerivedParameters& d : derived) a.derived += static_cast<std::size_t>(d.count);
  }
  std::set<std::string> groups;
  for (const CalibrationTarget& t : targets) {
    if (t.role != role) continue;
    ++a.figures;
    if (!t.by_construction.empty()) {
      ++a.by_construction;
    } else if (t.bound != TargetBound::kAbout) {
      ++a.one_sided;
    } else {
      ++a.independent;
      if (!t.shares.empty()) groups.insert(t.shares);
    }
  }
  // A group's counted members of this role sum to a fixed total when every other member is
  // fixed: by construction, or (for the held-out role) fitted by the calibration. One of them
  // is then implied by the rest.
  for (const std::string& g : groups) {
    const bool closed = std::all_of(targets.begin(), targets.end(), [&](const CalibrationTarget& t) {
      return t.shares != g || !t.by_construction.empty() || (t.role == role && t.counted()) ||
             (role == TargetRole::kValidate && t.role == TargetRole::kCalibrate && t.counted());
    });
    if (closed) {
      ++a.share_constraints;
      --a.independent;
    }
  }
  return a;
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

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + in_quotes(n);
  return out;
}


/// The targets file as written.
struct TargetsFile {
  std::vector<CalibrationParameter> parameters;
  std::vector<CalibrationTarget> targets;
  std::vector<DerivedParameters> derived;
};

constexpr std::array<std::string_view, 2> kBoundNames = {"at_least", "at_most"};
constexpr std::array<std::string_view, 2> kRoleNames = {"calibrate", "validate"};

template <class V>
void describe(V& v, TargetsFile& f, const std::string& year_text) {
  using namespace schema;
  v(named("parameters", f.parameters, "parameter to fit").otherwise("required by mhsim calibrate")
        .doc("The numbers to fit, `[parameters.<name>]`, in file order."),
    [&](V& w, CalibrationParameter& p, std::size_t) {
      w(text("key", p.key).otherwise("required (or keys)")
            .expect("the dotted key path of a number in the scenario (or keys = [...], a multiplier of several)")
            .doc("The dotted key path of the number fitted (the [uncertainty] key syntax)."));
      w(names("keys", p.keys, "", "key").otherwise("none (or key)")
            .expect("a non-empty array of dotted key paths: the numbers the fitted multiplier scales")
            .doc("Several numbers fitted as one multiplier of their scenario values, instead of `key`."));
      w(number("low", p.low).required().expect("a number: the lower bound").doc("The lower bound of the fit."));
      w(number("high", p.high).required().expect("a number: the upper bound").doc("The upper bound of the fit (> low)."));
      w(number("start", p.start_written).otherwise("the scenario's value (a multiplier: 1)")
            .expect("a number: where the fit starts").doc("Where the fit starts, strictly between low and high."));
      w.check([&](auto& c) {
        if (c.present("key") && c.present("keys")) {
          c.error("keys", "either key (one number) or keys (a multiplier of several numbers), not both", "both");
        } else if (!c.present("key") && !c.present("keys")) {
          c.error("key", "the dotted key path of a number in the scenario (or keys = [...], a multiplier of several) (required)",
                  "nothing (the key is missing)");
        } else if (c.present("keys") && c.ok("keys") && p.keys.empty()) {
          c.error("keys", "a non-empty array of dotted key paths: the numbers the fitted multiplier scales", "an empty array");
        }
        if (c.ok("low") && c.ok("high") && c.present("low") && c.present("high") && !(p.low < p.high)) {
          c.error("high", "an upper bound greater than low = " + c.number(p.low), c.number(p.high));
        }
      });
    });
  v(named("targets", f.targets, "target").otherwise("required").doc("The target statistics, `[targets.<name>]`."),
    [&](V& w, CalibrationTarget& t, std::size_t) {
      w(text("statistic", t.statistic).required().expect("a statistic such as \"kpi.referrals_secondary\"")
            .doc("A sum of kpi.<name>, cost, qalys, service.<service>.<KPI>, partner_cost.<partner>, "
                 "service_cost.<service>, goals.<domain|all>.<status>, joined by \" + \"."));
      w(text("per", t.per).otherwise("none").expect("a statistic to divide by, such as \"goals.all.set\"")
            .doc("A statistic to divide by: the target is the ratio of the means."));
      w(choice("bound", t.bound_written, kBoundNames).otherwise("none (two-sided)")
            .expect("\"at_least\" or \"at_most\" (a one-sided target)").doc("A one-sided target."));
      w(text("variant", t.variant).otherwise("every variant").doc("Only for this variant of the scenario."));
      w(choice("role", t.role_written, kRoleNames).otherwise("\"calibrate\"")
            .expect("\"calibrate\" (fitted by mhsim calibrate) or \"validate\" (held out and predicted)")
            .doc("\"calibrate\": in the fit's objective; \"validate\": never fitted, predicted with a prediction interval."));
      w(text("shares", t.shares).otherwise("none")
            .expect("the name of a group of shares of one whole (its members sum to 1)")
            .doc("Shares of one whole that sum to 1 carry one figure fewer than their number: name the group."));
      w(text("by_construction", t.by_construction).otherwise("none (an independent figure)")
            .expect("why the target equals an input or is fixed by construction")
            .doc("The target equals an input or is fixed by construction: shown, not counted as evidence."));
      w(reference("arm", t.arm, "arms", "arm").required().doc("The arm whose statistic it is."));
      w(reference("relative_to", t.relative_arm, "arms", "arm").otherwise("none")
            .doc("Another arm: the target is the ratio of the arm's mean to this arm's."));
      w(number_or_none("year", t.year_written).none("all").range(1, schema::limits::kMaxYears).required().expect(year_text)
            .doc("A year of the run, or \"all\" (the sum over years, or the mean for rates and stocks)."));
      w(number("value", t.value).required().expect("a number: the target value").doc("The published figure."));
      w(number("tolerance", t.tolerance).required().expect("a number > 0: the stated tolerance")
            .doc("The 95% half-width the figure's own precision allows (> 0)."));
      w(text("source", t.source).required().expect("where the target comes from (a source tag and what it says)")
            .doc("Where the target comes from."));
      w.check([&](auto& c) {
        if (c.ok("tolerance") && c.present("tolerance") && !(t.tolerance > 0)) {
          c.error("tolerance", "a number > 0: the stated tolerance", c.number(t.tolerance));
        }
        if (c.ok("source") && c.present("source") && t.source.find_first_not_of(" \t") == std::string::npos) {
          c.error("source", "where the target comes from (a source tag and what it says)", "an empty string");
        }
        if (c.ok("year") && t.year_written && *t.year_written != std::floor(*t.year_written)) {
          c.error("year", year_text, c.number(*t.year_written));
        }
        if (c.ok("relative_to") && t.relative_arm != schema::kNone && t.relative_arm == t.arm && c.ok("arm")) {
          c.error("relative_to", "an arm other than the target's own (\"" + c.names_of("arms")[t.arm] + "\")",
                  "\"" + c.names_of("arms")[t.arm] + "\"");
        }
        for (const char* key : {"shares", "by_construction"}) {
          const std::string& written = std::string_view(key) == "shares" ? t.shares : t.by_construction;
          if (c.present(key) && c.ok(key) && written.find_first_not_of(" \t") == std::string::npos) {
            c.error(key, std::string(key) == "shares" ? "the name of a group of shares of one whole (its members sum to 1)"
                                                      : "why the target equals an input or is fixed by construction",
                    "an empty string");
          }
        }
        if (c.present("relative_to") && c.present("per")) {
          c.error("per", "either per (a ratio within the arm) or relative_to (a ratio between arms), not both", "both");
        }
        const std::vector<std::string>& variants = c.names_of("scenario variants");
        if (c.present("variant") && c.ok("variant") && std::find(variants.begin(), variants.end(), t.variant) == variants.end()) {
          c.error("variant",
                  variants.empty() ? std::string("a variant of the scenario (it declares none)")
                                   : "a variant of the scenario (" + list_names(variants) + ")",
                  in_quotes(t.variant));
        }
      });
    });
  v(named("derived", f.derived, "set of derived numbers").otherwise("none")
        .doc("Numbers of the scenario solved from the targets before any fit (by hand or analytically), "
             "`[derived.<name>]`: they count against the degrees of freedom like fitted parameters."),
    [&](V& w, DerivedParameters& d, std::size_t) {
      w(number("count", d.count).required().range(1, 1e6)
            .expect("a whole number >= 1: how many numbers were derived").doc("How many numbers were derived."));
      w(text("source", d.source).required().expect("how they were derived, and from which targets")
            .doc("How they were derived, and from which targets."));
      w.check([&](auto& c) {
        if (c.ok("count") && c.present("count") && d.count != std::floor(d.count)) {
          c.error("count", "a whole number >= 1: how many numbers were derived", c.number(d.count));
        }
        if (c.ok("source") && c.present("source") && d.source.find_first_not_of(" \t") == std::string::npos) {
          c.error("source", "how they were derived, and from which targets", "an empty string");
        }
      });
    });
}

}  // namespace

CalibrationSpec parse_calibration_targets(std::string_view text, const std::string& file, const PathwayScenario& sc,
                                          const std::string& variant, bool need_parameters) {
  const toml::table root = parse_toml(text, file);
  Diagnostics diag;
  Source source;
  source.file = file;
  for (const auto& a : sc.spec.arms) source.names["arms"].push_back(a.name);
  for (const auto& v : sc.variants) source.names["scenario variants"].push_back(v.name);
  const int years = sc.spec.years;
  const std::string year_text = "a year of the run, 1 to " + std::to_string(years) + ", or \"all\"";
  TargetsFile f;
  NameScan scan(source, root);
  describe(scan, f, year_text);
  Reader::Context ctx{source, diag};
  Reader reader(ctx, root, "");
  describe(reader, f, year_text);
  reader.finish();

  CalibrationSpec out;
  out.file = file;
  out.derived = f.derived;
  // ---- parameters: keys of the scenario, each fitted once, valid at both bounds ----
  std::map<std::string, bool> fitted;  // key -> fitted by a multiplier
  for (CalibrationParameter& p : f.parameters) {
    const std::string base = "parameters." + p.name;
    bool ok = true;
    const std::string leaf = source.present(base + ".keys") ? "keys" : "key";
    p.multiplier = leaf == "keys";
    std::vector<std::string> wanted = p.multiplier ? p.keys : std::vector<std::string>{p.key};
    if (!source.present(base + "." + leaf) || !source.ok(base + "." + leaf)) wanted.clear();
    p.keys.clear();
    p.key.clear();
    for (const std::string& key : wanted) {
      const auto error = [&](std::string expected, std::string got) {
        diag.add(source.diagnostic(base + "." + leaf, std::move(expected), std::move(got)));
        ok = false;
      };
      const SettableNumber number = settable_number(sc, key);
      if (!number.value) {
        error(number.expected, number.got);
        continue;
      }
      // A key may be scaled by several multipliers (their product applies), but a key
      // fitted as a value belongs to that parameter alone.
      const auto [was, inserted] = fitted.emplace(key, p.multiplier);
      if (!inserted && !(was->second && p.multiplier)) {
        error(p.multiplier ? "a key no parameter fits as a value (several multipliers may share a key)"
                           : "a key no other parameter fits",
              in_quotes(key) + ", already fitted");
        continue;
      }
      const Position at = sc.source->position(key);
      p.integer.push_back(number.integer);  // fitted in real numbers, rounded to the nearest integer
      p.keys.push_back(key);
      p.key_values.push_back(*number.value);
      p.key += (p.key.empty() ? "" : ", ") + key;
      if (p.keys.size() == 1) {
        p.line = at.first;
        p.column = at.second;
      }
    }
    if (!ok || p.keys.empty() || !source.ok(base + ".low") || !source.ok(base + ".high") || !(p.low < p.high)) continue;
    p.scenario_value = p.multiplier ? 1.0 : p.key_values.front();
    p.start = p.start_written.value_or(p.scenario_value);
    if (!(p.start > p.low && p.start < p.high)) {
      const std::string what = "a start value strictly between low = " + number_text(p.low) + " and high = " + number_text(p.high);
      if (p.start_written) {
        diag.add(source.diagnostic(base + ".start", what, number_text(p.start)));
      } else if (p.multiplier) {
        diag.add(source.diagnostic(base + ".keys", what + " (there is no start, so a multiplier starts at 1)", "1"));
      } else {
        diag.add(source.diagnostic(base + ".key", what + " (there is no start, so the scenario's value is the start)",
                                   number_text(p.start) + " at " + sc.file + ":" + std::to_string(p.line) + ":" +
                                       std::to_string(p.column)));
      }
      continue;
    }
    // Every value the fit can take must leave the scenario valid: check both bounds (each
    // key of a multiplier on its own).
    bool bounds_ok = true;
    for (const double b : {p.low, p.high}) {
      for (std::size_t k = 0; k < p.keys.size() && bounds_ok; ++k) {
        double x = p.multiplier ? b * p.key_values[k] : b;
        if (p.integer[k]) x = std::nearbyint(x);
        PathwayScenario trial = sc;
        const std::vector<Diagnostic> ds = set_numbers(trial, {p.keys[k]}, {x}, Settable::kModel);
        if (ds.empty()) continue;
        const Diagnostic& d = ds.front();
        diag.add(source.diagnostic(base + (b == p.low ? ".low" : ".high"), "a bound at which the scenario is valid",
                                   p.keys[k] + " = " + number_text(x) + ", which the loader refuses: " +
                                       (d.key.empty() ? "" : d.key + ": ") + "expected " + d.expected + ", got " + d.got));
        bounds_ok = false;
      }
    }
    if (bounds_ok) out.parameters.push_back(p);
  }
  if (f.parameters.empty() && need_parameters) {
    diag.add(Diagnostic{file, 1, 1, "parameters", "at least one [parameters.<name>] table (a number to fit)", "none"});
  }

  // ---- targets: statistics of the scenario ----
  for (CalibrationTarget& t : f.targets) {
    const std::string base = "targets." + t.name;
    bool ok = source.ok(base);
    if (source.present(base + ".statistic") && source.ok(base + ".statistic")) {
      if (const std::string why = models::pathway::parse_statistic(t.statistic, sc.source->names_of("services"), sc.source->names_of("partners"), t.terms); !why.empty()) {
        diag.add(source.diagnostic(base + ".statistic", why, in_quotes(t.statistic)));
        ok = false;
      }
    }
    if (source.present(base + ".per") && source.ok(base + ".per")) {
      if (const std::string why = models::pathway::parse_statistic(t.per, sc.source->names_of("services"), sc.source->names_of("partners"), t.per_terms); !why.empty()) {
        diag.add(source.diagnostic(base + ".per", why, in_quotes(t.per)));
        ok = false;
      }
    }
    t.relative = t.relative_arm != schema::kNone;
    t.relative_to = t.relative ? t.relative_arm : 0;
    t.bound = t.bound_written == "at_least" ? TargetBound::kAtLeast
              : t.bound_written == "at_most" ? TargetBound::kAtMost
                                             : TargetBound::kAbout;
    if (t.year_written && *t.year_written > years && source.ok(base + ".year")) {
      diag.add(source.diagnostic(base + ".year", year_text, number_text(*t.year_written)));
      ok = false;
    }
    t.year = t.year_written ? static_cast<int>(*t.year_written) : 0;
    t.role = t.role_written == "validate" ? TargetRole::kValidate : TargetRole::kCalibrate;
    if (ok && (t.variant.empty() || t.variant == variant)) out.targets.push_back(t);
  }
  Validator::Context vctx{source, diag};
  Validator validator(vctx, "");
  describe(validator, f, year_text);
  // Targets of this variant (or of every variant), good or bad: enough for the parameters?
  std::size_t applicable = 0;
  for (const CalibrationTarget& t : f.targets) {
    if ((!source.present("targets." + t.name + ".variant") || t.variant == variant) && t.role_written != "validate") {
      ++applicable;
    }
  }
  if (f.targets.empty()) {
    diag.add(Diagnostic{file, 1, 1, "targets", "at least one [targets.<name>] table", "none"});
  } else if (need_parameters && applicable < f.parameters.size()) {
    const Position at = first_position(*root.get("targets"));
    diag.add(Diagnostic{file, at.first, at.second, "targets",
                        "at least as many targets as parameters (" + std::to_string(f.parameters.size()) +
                            "), so that the fit is determined (targets with role = \"validate\" are not fitted)",
                        std::to_string(applicable) + (variant.empty() ? std::string() : " for variant " + in_quotes(variant))});
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
  PathwayScenario out = sc;
  std::vector<Diagnostic> ds = set_numbers(out, keys, values, Settable::kModel);
  if (!ds.empty()) {
    for (const Diagnostic& d : ds) {
      if (d.line == 0 && d.expected == "a key of the scenario") throw std::invalid_argument("with_numbers: " + d.key + ": " + d.got);
    }
    throw ScenarioError(std::move(ds));
  }
  out.uncertainty = UncertaintySpec{};
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

namespace {

/// The node a key path names in `doc`, or nullptr.
const toml::node* node_at(const toml::table& doc, const std::string& key) {
  const auto steps = parse_path(key);
  if (!steps) return nullptr;
  const toml::node* node = &doc;
  for (const PathStep& s : *steps) {
    const auto* t = node->as_table();
    node = t != nullptr ? t->get(s.key) : nullptr;
    for (const std::size_t i : s.indices) {
      const auto* a = node != nullptr ? node->as_array() : nullptr;
      node = a != nullptr && i < a->size() ? a->get(i) : nullptr;
    }
    if (node == nullptr) return nullptr;
  }
  return node != nullptr && (node->is_integer() || node->is_floating_point()) ? node : nullptr;
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

}  // namespace

std::size_t source_offset(std::string_view text, std::uint32_t line, std::uint32_t column) {
  if (line == 0) throw std::logic_error("source_offset: no source position");
  std::size_t at = 0;
  for (std::uint32_t l = 1; l < line; ++l) {
    const std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) throw std::logic_error("source_offset: no line " + std::to_string(line));
    at = nl + 1;
  }
  for (std::uint32_t c = 1; c < column; ++c) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;  // UTF-8 continuation
  }
  return at;
}

std::string calibrated_text(const PathwayScenario& sc, const std::vector<std::string>& keys,
                            const std::vector<double>& values, const std::vector<std::string>& comments,
                            const std::string& variant, const std::string& line_prefix, bool replace_comment) {
  if (keys.size() != values.size() || keys.size() != comments.size()) {
    throw std::invalid_argument("calibrated_text: keys, values and comments differ in number");
  }
  // Writing text is not reading it: the file is parsed once more only to find where each
  // value is written, byte for byte.
  const toml::table doc = parse_toml(sc.text, sc.file);
  std::vector<const toml::node*> nodes;
  for (const std::string& k : keys) {
    const toml::node* n = variant.empty() ? nullptr : variant_entry(doc, variant, k);
    if (n == nullptr) n = node_at(doc, k);
    if (n == nullptr) throw std::invalid_argument("calibrated_text: " + k + " is not a number written in " + sc.file);
    nodes.push_back(n);
  }
  const std::string& text = sc.text;
  const auto offset = [&](std::uint32_t line, std::uint32_t column) { return source_offset(text, line, column); };
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
    bool commented = false;
    for (std::size_t j = i + 1; j-- > 0 && edits[j].line_end == e.line_end;) commented = commented || !edits[j].comment.empty();
    if (last_on_line && commented) {
      std::string comment;
      for (std::size_t j = i + 1; j-- > 0 && edits[j].line_end == e.line_end;) {
        if (!edits[j].comment.empty()) comment = edits[j].comment + (comment.empty() ? "" : "; " + comment);
      }
      // A calibration comment of an earlier run on this line (it starts with the prefix's
      // first word, "calibrated:") gives way to this one: the file states the latest fit.
      std::size_t tail_end = e.line_end;
      const std::string earlier = "# " + line_prefix.substr(0, line_prefix.find(' '));
      if (const std::size_t c = text.find(earlier, at); !line_prefix.empty() && c < e.line_end) {
        tail_end = c;
        while (tail_end > at && (text[tail_end - 1] == ' ' || text[tail_end - 1] == '\t')) --tail_end;
      } else if (const std::size_t h = text.find('#', at); replace_comment && h < e.line_end) {
        // The line's own comment gives way, its words kept after the new one's.
        std::string was = text.substr(h + 1, e.line_end - h - 1);
        while (!was.empty() && (was.front() == ' ' || was.front() == '#')) was.erase(was.begin());
        while (!was.empty() && (was.back() == ' ' || was.back() == '\t')) was.pop_back();
        if (!was.empty()) comment += "; was: " + was;
        tail_end = h;
        while (tail_end > at && (text[tail_end - 1] == ' ' || text[tail_end - 1] == '\t')) --tail_end;
      }
      out.append(text, at, tail_end - at);
      at = e.line_end;
      out += "  # " + line_prefix + comment;
    }
  }
  out.append(text, at, std::string::npos);
  return out;
}

}  // namespace mhsim::scenario
