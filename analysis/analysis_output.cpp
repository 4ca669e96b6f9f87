// SPDX-License-Identifier: MIT
#include "analysis/analysis_output.hpp"

#include <algorithm>
#include <cerrno>
#include <strings.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "analysis/chart_samples.hpp"
#include "analysis/payout_fields.hpp"
#include "analysis/text_format.hpp"
#include "models/ledger/ledger.hpp"

namespace mhsim::analysis {
namespace {

namespace fs = std::filesystem;

// Numbers and strings as JSON text (analysis/text_format.hpp): numbers in the CSV files' shortest
// round-trip form, null when not finite; strings escaped by nlohmann::json, never a literal
// '<' (the JSON is inlined in a <script> element of the report).
std::string number(double v) { return json_number(v); }
std::string quoted(const std::string& s) { return json_string(s); }

std::string optional_number(const std::optional<double>& v) { return v ? number(*v) : "null"; }

// A JSON object written field by field: {"a": 1, "b": "x"}.
class Object {
 public:
  Object& field(const char* name, const std::string& json_value) {
    text_ += (text_.empty() ? "{" : ", ") + quoted(name) + ": " + json_value;
    return *this;
  }
  Object& num(const char* name, double v) { return field(name, number(v)); }
  Object& str(const char* name, const std::string& v) { return field(name, quoted(v)); }
  Object& uint(const char* name, std::uint64_t v) { return field(name, std::to_string(v)); }
  std::string done() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

template <class Rows, class F>
std::string array(const Rows& rows, F&& to_json) {
  std::string out = "[";
  bool first = true;
  for (const auto& row : rows) {
    out += (first ? "\n  " : ",\n  ") + to_json(row);
    first = false;
  }
  return out + (first ? "]" : "\n]");
}

std::string strings(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quoted(v[i]);
  return out + "]";
}

std::string numbers(const std::vector<double>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + number(v[i]);
  return out + "]";
}

// The monthly picture: one series per arm, service and measure (months 1..n), each
// statistic an array over months; series whose every value is 0 or NaN are left out.
std::string monthly_json(const MonthlySummary& m) {
  std::vector<std::string> series;
  const std::size_t K = kMonthlyStatistics.size();
  for (std::size_t a = 0; a < m.arms.size(); ++a) {
    for (std::size_t s = 0; s < m.services.size(); ++s) {
      for (std::size_t q = 0; q < m.measures.size(); ++q) {
        bool any = false;
        std::vector<std::vector<double>> v(K, std::vector<double>(m.months));
        for (std::size_t mo = 0; mo < m.months; ++mo) {
          for (std::size_t k = 0; k < K; ++k) {
            v[k][mo] = m.at(a, mo, s, q, k);
            any = any || (std::isfinite(v[k][mo]) && v[k][mo] != 0);
          }
        }
        if (!any) continue;
        Object o;
        o.str("arm", m.arms[a]).str("service", m.services[s]).str("measure", m.measures[q]);
        for (std::size_t k = 0; k < K; ++k) o.field(kMonthlyStatistics[k], numbers(v[k]));
        series.push_back(o.done());
      }
    }
  }
  std::vector<std::string> measures;
  for (std::size_t q = 0; q < m.measures.size(); ++q) {
    measures.push_back(Object().str("name", m.measures[q]).str("unit", m.units[q]).done());
  }
  return Object()
      .uint("months", m.months)
      .num("days_per_month", 365.0 / 12.0)
      .field("services", strings(m.services))
      .field("measures", array(measures, [](const std::string& j) { return j; }))
      .field("series", array(series, [](const std::string& j) { return j; }))
      .done();
}

const char* icer_kind(decision::IcerCase c) {
  switch (c) {
    case decision::IcerCase::b_dominates: return "dominates";
    case decision::IcerCase::a_dominates: return "dominated";
    case decision::IcerCase::north_east: return "north_east";
    case decision::IcerCase::south_west: return "south_west";
    case decision::IcerCase::identical: return "identical";
  }
  return "?";
}

// ---- CSV -------------------------------------------------------------------------------------

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_optional(const std::optional<double>& v) { return v ? csv_number(*v) : ""; }

// A statistic of a risk row's lowest reserve or lowest cash position, when reserves are stated.
std::optional<double> lowest(const std::optional<decision::Summary>& s, double decision::Summary::*field) {
  if (!s) return std::nullopt;
  return (*s).*field;
}

std::optional<double> quarter(const std::optional<std::size_t>& q) {
  if (!q) return std::nullopt;
  return static_cast<double>(*q);
}

class Csv {
 public:
  explicit Csv(const std::vector<std::string>& header) { row(header); }
  void row(const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) text_ += (i ? "," : "") + csv_field(cells[i]);
    text_ += "\r\n";
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Escapes "</script" (any case) so inlined text cannot close its script element.
std::string script_safe(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/' && i + 7 < text.size() &&
        strncasecmp(text.c_str() + i + 2, "script", 6) == 0) {
      out += "<\\/";
      ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

// The `design` object (docs/analysis.md, "Designing terms"). Infinite term values (no
// limit) are written as null, as every non-finite number is.
std::string design_json(const Design& d) {
  const DesignConstraints& c = d.constraints;
  // A combination (or, without its number and frontier flag, the scenario's own terms).
  const auto row = [&](const DesignRow& r, bool combination) {
    Object o;
    if (combination) o.uint("combination", r.combination);
    o.field("terms", numbers(r.values)).num("commissioner_spend", r.spend).num("saving", d.reference.spend - r.spend)
        .num("worst_p_exhausted", r.worst).str("worst_partner", r.worst_partner)
        .field("lowest_expected_gain", r.lowest_partner.empty() ? "null" : number(r.lowest_gain))
        .str("lowest_gain_partner", r.lowest_partner)
        .field("feasible", r.feasible ? "true" : "false");
    if (combination) o.field("frontier", r.frontier ? "true" : "false");
    return o.done();
  };
  std::size_t feasible = 0, frontier = 0;
  for (const DesignRow& r : d.rows) {
    feasible += r.feasible ? 1 : 0;
    frontier += r.frontier ? 1 : 0;
  }
  return Object()
      .str("arm", d.arm)
      .str("scenario_file", d.scenario_file)
      .str("results_file", d.results_file)
      .uint("horizon_years", c.horizon_years)
      .field("constraints", Object()
                                .num("max_p_exhausted", c.max_exhaustion)
                                .num("min_expected_gain", c.min_gain)
                                .num("budget_per_year", c.budget_per_year)
                                .num("budget_over_horizon", c.budget_over_horizon())
                                .done())
      .field("axes", array(d.axes, [](const Design::Axis& x) {
               return Object().str("path", x.path).field("values", numbers(x.values)).done();
             }))
      .field("reserves", array(d.reserves, [](const std::pair<std::string, double>& r) {
               return Object().str("partner", r.first).num("reserve", r.second).done();
             }))
      .uint("combinations", d.rows.size())
      .uint("feasible", feasible)
      .uint("frontier", frontier)
      .field("reference", row(d.reference, false))
      .field("rows", array(d.rows, [&](const DesignRow& r) { return row(r, true); }))
      .done();
}

// The `stress` object (docs/analysis.md, "Stress tests"): every case's risk rows with
// stress.csv's columns (the same RiskRow figures), which of them the terminal shows, and each
// case's reserve paths.
std::string stress_json(const Stress& st) {
  const auto shown = stress_shown_rows(st);
  const auto is_shown = [&](const RiskRow& r) {
    for (const auto& [arm, partner] : shown) {
      if (arm == r.arm && partner == r.partner) return true;
    }
    return false;
  };
  std::vector<std::string> rows, paths;
  for (const StressCase& c : st.cases) {
    for (const RiskRow& r : c.analysis.risk) {
      rows.push_back(Object()
                         .str("case", c.name).str("arm", r.arm).str("partner", r.partner)
                         .field("commissioner", r.commissioner ? "true" : "false")
                         .field("shown", is_shown(r) ? "true" : "false")
                         .num("mean_payment", r.mean_payment).num("mean_margin", r.mean_margin)
                         .num("mean_painshare", r.mean_painshare).num("var", r.var).num("es", r.es)
                         .field("reserve", optional_number(r.reserve))
                         .field("p_above_reserve", optional_number(r.p_above_reserve))
                         .num("p_any_painshare", r.p_any_painshare).field("p_cap_binds", optional_number(r.p_cap_binds))
                         .field("p_exhausted", optional_number(r.p_exhausted))
                         .field("lowest_reserve_mean", optional_number(lowest(r.lowest_reserve, &decision::Summary::mean)))
                         .field("lowest_reserve_q05", optional_number(lowest(r.lowest_reserve, &decision::Summary::q05)))
                         .num("reserves_needed", r.reserves_needed)
                         .field("spend_q05", optional_number(lowest(r.spend, &decision::Summary::q05)))
                         .field("spend_q95", optional_number(lowest(r.spend, &decision::Summary::q95)))
                         .field("change_from_base", optional_number(change_from_base(st, c, r)))
                         .done());
    }
    for (const ReservePathRow& r : c.analysis.reserve_paths) {
      paths.push_back(Object()
                          .str("case", c.name).str("arm", r.arm).str("partner", r.partner).uint("year", r.year)
                          .num("opening", r.opening).num("mean", r.reserves.mean).num("q05", r.reserves.q05)
                          .num("q50", r.reserves.q50).num("q95", r.reserves.q95)
                          .num("p_exhausted_by", r.reserves.p_exhausted_by)
                          .done());
    }
  }
  const auto& s = st.cases.empty() ? scenario::AnalysisSettings{} : st.cases.front().analysis.settings;
  return Object()
      .str("scenario_file", st.scenario_file)
      .uint("replications", st.replications)
      .uint("seed", st.seed)
      .uint("horizon_years", s.horizon_years)
      .num("risk_level", s.risk_level)
      .field("held_targets", strings(st.held_targets))
      .field("cases", array(st.cases, [](const StressCase& c) {
               return Object().str("name", c.name).str("description", c.description).done();
             }))
      .field("rows", array(rows, [](const std::string& j) { return j; }))
      .field("reserve_paths", array(paths, [](const std::string& j) { return j; }))
      .done();
}

// The `runs` object (docs/analysis.md, "Several results side by side"): each file's
// provenance, headline figures by arm, partners' risk rows and change from the first file.
std::string runs_json(const SideBySide& sb) {
  const auto summary = [](Object o, const decision::Summary& m) {
    return o.uint("n", m.n).num("mean", m.mean).num("ci_low", m.ci_low).num("ci_high", m.ci_high).num("q05", m.q05)
        .num("q95", m.q95);
  };
  std::vector<std::string> risk;
  for (std::size_t i = 0; i < sb.risk.size(); ++i) {
    const RiskRow& r = sb.risk[i];
    risk.push_back(Object()
                       .str("run", sb.risk_runs[i]).str("arm", r.arm).str("partner", r.partner)
                       .str("loss", r.commissioner ? "spend" : "painshare")
                       .num("mean_payment", r.mean_payment).num("mean_painshare", r.mean_painshare).num("var", r.var)
                       .num("es", r.es).field("reserve", optional_number(r.reserve))
                       .field("p_above_reserve", optional_number(r.p_above_reserve))
                       .field("p_exhausted", optional_number(r.p_exhausted))
                       .field("cap", optional_number(r.cap)).field("shared_cap", optional_number(r.shared_cap))
                       .done());
  }
  return Object()
      .field("runs", array(sb.runs, [](const SideRun& r) {
               const Analysis& a = r.analysis;
               return Object()
                   .str("label", r.label).str("results_file", a.results_file).str("scenario_name", a.scenario_name)
                   .str("scenario_file", a.scenario_file).str("scenario_sha256", a.scenario_sha256)
                   .uint("seed", a.seed).uint("replications", a.replications)
                   .field("arms", strings(a.arms)).str("base_arm", a.arms.empty() ? "" : a.arms[a.settings.base_arm])
                   .done();
             }))
      .field("figures", array(sb.figures, [&](const SideFigure& f) {
               return summary(Object().str("run", f.run).str("arm", f.arm).str("metric", f.metric).str("label", f.label)
                                  .str("unit", f.unit),
                              f.summary)
                   .done();
             }))
      .field("changes", array(sb.changes, [](const SideChange& c) {
               return Object()
                   .str("run", c.run).str("base_run", c.base_run).str("arm", c.arm).str("metric", c.metric)
                   .str("label", c.label).str("unit", c.unit).field("paired", c.paired ? "true" : "false")
                   .num("mean", c.mean).num("ci_low", c.ci_low).num("ci_high", c.ci_high).num("prob_lower", c.prob_lower)
                   .done();
             }))
      .field("risk", array(risk, [](const std::string& j) { return j; }))
      .done();
}

// What the charts draw from when a run has more than `limit` replications: for every
// histogram and exceedance curve, min(limit, kChartQuantilePoints) order statistics of its
// values with the exact count at or below each (analysis/chart_samples.hpp); `shown`
// replications are in paired_samples for the cost-effectiveness plane.
std::string chart_samples_json(const Analysis& a, std::size_t limit, std::size_t shown) {
  const std::size_t points = std::min(limit, kChartQuantilePoints);
  const std::size_t A = a.arms.size();
  const std::size_t base = a.settings.base_arm;
  std::vector<std::string> series;
  const auto add = [&](Object o, const char* field, std::vector<double> v) {
    const Quantiles q = quantiles(std::move(v), points);
    if (q.n == 0) return;
    std::string at_most = "[";
    for (std::size_t i = 0; i < q.at_most.size(); ++i) at_most += (i ? ", " : "") + std::to_string(q.at_most[i]);
    series.push_back(o.str("field", field).uint("n", q.n).num("mean", q.mean).field("values", numbers(q.values))
                         .field("at_most", at_most + "]").done());
  };
  for (std::size_t k = 0; k < A; ++k) {
    std::vector<double> cost, effect, spend;
    for (const SampleRow& r : a.samples) {
      if (r.arm != k) continue;
      cost.push_back(r.cost);
      effect.push_back(r.effect);
      spend.push_back(r.commissioner_spend);
    }
    add(Object().str("of", "samples").str("arm", a.arms[k]), "cost", std::move(cost));
    add(Object().str("of", "samples").str("arm", a.arms[k]), "effect", std::move(effect));
    add(Object().str("of", "samples").str("arm", a.arms[k]), "commissioner_spend", std::move(spend));
  }
  for (std::size_t k = 0; k < A; ++k) {
    if (k == base) continue;
    std::vector<double> dc, de;
    for (std::size_t i = 0; i + A <= a.samples.size(); i += A) {
      dc.push_back(a.samples[i + k].cost - a.samples[i + base].cost);
      de.push_back(a.samples[i + k].effect - a.samples[i + base].effect);
    }
    const auto o = [&] { return Object().str("of", "paired_samples").str("arm", a.arms[k]).str("base_arm", a.arms[base]); };
    add(o(), "delta_cost", std::move(dc));
    add(o(), "delta_effect", std::move(de));
  }
  for (std::size_t k = 0; k < A; ++k) {
    for (std::size_t p = 0; p < a.partners.size(); ++p) {
      std::vector<double> gain_pain, painshare;
      for (const PayoutSample& x : a.payout_samples) {
        if (x.arm != k || x.partner != p) continue;
        gain_pain.push_back(x.gain_pain);
        painshare.push_back(x.painshare);
      }
      if (gain_pain.empty()) continue;
      const auto o = [&] { return Object().str("of", "payout_samples").str("arm", a.arms[k]).str("partner", a.partners[p]); };
      add(o(), "gain_pain", std::move(gain_pain));
      add(o(), "painshare", std::move(painshare));
    }
  }
  return Object()
      .uint("replications", a.replications).uint("limit", limit).uint("quantile_points", points)
      .uint("shown_replications", shown).field("series", array(series, [](const std::string& j) { return j; }))
      .done();
}

}  // namespace

std::string analysis_json(const Analysis& a, const Design* design, const Stress* stress, const SideBySide* runs,
                          std::size_t chart_limit) {
  std::ostringstream os;
  write_analysis_json(a, os, design, stress, runs, chart_limit);
  return os.str();
}

void write_analysis_json(const Analysis& a, std::ostream& out, const Design* design, const Stress* stress,
                         const SideBySide* runs, std::size_t chart_limit) {
  const auto& s = a.settings;
  const auto arm = [&](std::size_t i) { return quoted(a.arms[i]); };
  Object doc;
  doc.str("schema", "mhsim-analysis/1");
  doc.field("meta", Object()
                        .str("scenario_name", a.scenario_name)
                        .str("scenario_description", a.scenario_description)
                        .str("scenario_file", a.scenario_file)
                        .str("scenario_sha256", a.scenario_sha256)
                        .uint("seed", a.seed)
                        .uint("replications", a.replications)
                        .uint("years", a.years)
                        .str("mhsim_version", a.mhsim_version)
                        .str("created_utc", a.created_utc)
                        .str("results_file", a.results_file)
                        .str("analysed_utc", a.analysed_utc)
                        .field("derived", strings(a.derived))
                        .done());
  doc.field("settings", Object()
                            .num("discount_rate", s.discount_rate)
                            .str("discount_timing", s.mid_year ? "mid_year" : "year_start")
                            .uint("horizon_years", s.horizon_years)
                            .field("willingness_to_pay", numbers(s.willingness_to_pay))
                            .str("effect", s.effect)
                            .str("effect_label", a.effect_label)
                            .str("cost_basis", s.cost_basis)
                            .str("base_arm", a.arms.empty() ? "" : a.arms[s.base_arm])
                            .num("risk_level", s.risk_level)
                            .num("clear_probability", decision::kClearProbability)
                            .num("commissioner_budget", s.commissioner_budget)
                            .num("voi_decisions_per_year", s.voi_decisions_per_year)
                            .uint("voi_years", s.voi_years)
                            .num("voi_population_factor", a.voi_population_factor)
                            .done());
  doc.field("arms", strings(a.arms));
  doc.field("partners", strings(a.partners));
  doc.field("metrics", array(a.metrics, [](const MetricRow& m) {
              const auto& x = m.summary;
              return Object()
                  .str("metric", m.metric).str("label", m.label).str("unit", m.unit).str("arm", m.arm)
                  .uint("n", x.n).num("mean", x.mean).num("sd", x.sd).num("se", x.se)
                  .num("ci_low", x.ci_low).num("ci_high", x.ci_high)
                  .num("q05", x.q05).num("q25", x.q25).num("q50", x.q50).num("q75", x.q75).num("q95", x.q95)
                  .done();
            }));
  doc.field("differences", array(a.differences, [](const DifferenceRow& d) {
              const auto& p = d.paired;
              return Object()
                  .str("metric", d.metric).str("label", d.label).str("unit", d.unit).str("arm", d.arm)
                  .str("base_arm", d.base_arm).uint("n", p.n).num("mean", p.mean_difference).num("se", p.se)
                  .num("ci_low", p.ci_low).num("ci_high", p.ci_high).num("prob_lower", p.prob_b_below_a)
                  .num("prob_higher", d.prob_higher)
                  .done();
            }));
  // Above chart_limit replications the charts draw from order statistics and an evenly
  // spaced subset (chart_samples_json); the tables' figures above come from every replication.
  const bool thin = chart_limit > 0 && a.replications > chart_limit;
  const std::vector<std::size_t> shown = shown_replications(static_cast<std::size_t>(a.replications), thin ? chart_limit : a.replications);
  if (thin) doc.field("chart_samples", chart_samples_json(a, chart_limit, shown.size()));
  doc.field("samples", thin ? "[]" : array(a.samples, [&](const SampleRow& r) {
              return Object()
                  .uint("replication", r.replication).field("arm", arm(r.arm)).num("cost", r.cost)
                  .num("effect", r.effect).num("commissioner_spend", r.commissioner_spend)
                  .done();
            }));
  // Paired samples: every arm but the base, replication by replication (when thinned, the
  // replications the cost-effectiveness plane shows).
  std::vector<std::string> paired;
  const std::size_t A = a.arms.size();
  for (std::size_t k0 = 0; A > 0 && k0 < shown.size() && (shown[k0] + 1) * A <= a.samples.size(); ++k0) {
    const std::size_t i = shown[k0] * A;
    const SampleRow& b = a.samples[i + s.base_arm];
    for (std::size_t k = 0; k < A; ++k) {
      if (k == s.base_arm) continue;
      const SampleRow& r = a.samples[i + k];
      paired.push_back(Object()
                           .uint("replication", r.replication).field("arm", arm(k)).field("base_arm", arm(s.base_arm))
                           .num("delta_cost", r.cost - b.cost).num("delta_effect", r.effect - b.effect)
                           .done());
    }
  }
  doc.field("paired_samples", array(paired, [](const std::string& j) { return j; }));
  doc.field("icer", array(a.icers, [](const IcerRow& r) {
              return Object()
                  .str("arm", r.arm).str("base_arm", r.base_arm).num("delta_cost", r.icer.delta_cost)
                  .num("delta_effect", r.icer.delta_effect).str("kind", icer_kind(r.icer.kind))
                  .num("ratio", r.icer.ratio).num("prob_dominates", r.prob_dominates)
                  .num("prob_dominated", r.prob_dominated)
                  .done();
            }));
  doc.field("nmb", array(a.nmb, [](const NmbRow& r) {
              return Object()
                  .str("arm", r.arm).str("base_arm", r.base_arm).num("wtp", r.wtp)
                  .num("incremental_nmb", r.incremental.mean_difference).num("ci_low", r.incremental.ci_low)
                  .num("ci_high", r.incremental.ci_high).num("prob_positive", r.prob_positive)
                  .done();
            }));
  doc.field("risk", array(a.risk, [](const RiskRow& r) {
              return Object()
                  .str("arm", r.arm).str("partner", r.partner).str("loss", r.commissioner ? "spend" : "painshare")
                  .num("mean_payment", r.mean_payment).num("mean_margin", r.mean_margin)
                  .num("mean_painshare", r.mean_painshare).num("var", r.var).num("es", r.es)
                  .field("reserve", optional_number(r.reserve)).field("p_above_reserve", optional_number(r.p_above_reserve))
                  .num("p_any_painshare", r.p_any_painshare).field("p_cap_binds", optional_number(r.p_cap_binds))
                  .field("cap", optional_number(r.cap)).field("shared_cap", optional_number(r.shared_cap))
                  .field("p_exhausted", optional_number(r.p_exhausted))
                  .field("lowest_reserve_mean", optional_number(lowest(r.lowest_reserve, &decision::Summary::mean)))
                  .field("lowest_reserve_q05", optional_number(lowest(r.lowest_reserve, &decision::Summary::q05)))
                  .field("lowest_reserve_q50", optional_number(lowest(r.lowest_reserve, &decision::Summary::q50)))
                  .field("reserves_needed", r.commissioner ? "null" : number(r.reserves_needed))
                  .field("p_cash_exhausted", optional_number(r.p_cash_exhausted))
                  .field("lowest_cash_mean", optional_number(lowest(r.lowest_cash, &decision::Summary::mean)))
                  .field("lowest_cash_q05", optional_number(lowest(r.lowest_cash, &decision::Summary::q05)))
                  .field("lowest_cash_q50", optional_number(lowest(r.lowest_cash, &decision::Summary::q50)))
                  .field("lowest_cash_quarter", optional_number(quarter(r.lowest_cash_quarter)))
                  .done();
            }));
  doc.field("reserve_paths", array(a.reserve_paths, [](const ReservePathRow& r) {
              return Object()
                  .str("arm", r.arm).str("partner", r.partner).uint("year", r.year).num("opening", r.opening)
                  .num("mean", r.reserves.mean).num("q05", r.reserves.q05).num("q50", r.reserves.q50)
                  .num("q95", r.reserves.q95).num("p_exhausted_by", r.reserves.p_exhausted_by)
                  .num("p_cash_exhausted_by", r.p_cash_exhausted_by)
                  .done();
            }));
  doc.field("cash_paths", array(a.cash_paths, [](const CashPathRow& r) {
              return Object()
                  .str("arm", r.arm).str("partner", r.partner).uint("quarter", r.quarter).num("opening", r.opening)
                  .num("mean", r.position.mean).num("q05", r.position.q05).num("q50", r.position.q50)
                  .num("q95", r.position.q95).num("p_exhausted_by", r.position.p_exhausted_by)
                  .done();
            }));
  doc.field("payout_samples", thin ? "[]" : array(a.payout_samples, [&](const PayoutSample& p) {
              return Object()
                  .uint("replication", p.replication).field("arm", arm(p.arm)).str("partner", a.partners[p.partner])
                  .num("gain_pain", p.gain_pain).num("margin", p.margin).num("painshare", p.painshare)
                  .done();
            }));
  doc.field("kra_bands", array(a.kra_bands, [](const KraBandRow& k) {
              return Object().str("arm", k.arm).str("kra", k.kra).str("band", k.band).num("share", k.share).done();
            }));
  std::vector<std::string> ceac;
  for (const CurvePoint& c : a.ceac) {
    for (std::size_t k = 0; k < c.values.size() && k < A; ++k) {
      ceac.push_back(Object().num("wtp", c.wtp).field("arm", arm(k)).num("probability", c.values[k]).done());
    }
  }
  doc.field("ceac", array(ceac, [](const std::string& j) { return j; }));
  doc.field("evpi", array(a.evpi, [](const CurvePoint& c) {
              return Object().num("wtp", c.wtp).num("evpi", c.values.empty() ? 0.0 : c.values[0]).done();
            }));
  doc.field("tornado", array(a.tornado, [](const TornadoRow& t) {
              return Object()
                  .str("output", t.output).str("output_label", t.output_label).str("parameter", t.parameter)
                  .str("key", t.key).num("low_value", t.low_value).num("high_value", t.high_value)
                  .num("base_output", t.base_output).num("output_at_low", t.output_at_low)
                  .num("output_at_high", t.output_at_high).num("r_squared", t.r_squared)
                  .done();
            }));
  doc.field("psa", array(a.psa, [](const PsaRow& p) {
              return Object()
                  .str("name", p.name).str("key", p.key).str("distribution", p.distribution).num("base", p.base)
                  .num("mean", p.mean).num("sd", p.sd).num("q05", p.q05).num("q95", p.q95)
                  .num("sample_mean", p.sample_mean).str("source", p.source)
                  .done();
            }));
  doc.field("convergence", array(a.convergence, [](const ConvergencePoint& c) {
              return Object().str("metric", c.metric).str("label", c.label).uint("n", c.n).num("mean", c.mean)
                  .num("se", c.se).done();
            }));
  doc.field("evppi", array(a.evppi, [](const EvppiRow& e) {
              return Object()
                  .str("name", e.name).str("kind", e.kind).field("parameters", strings(e.parameters))
                  .str("description", e.description).str("method", e.method).num("wtp", e.wtp)
                  .num("evppi", e.evppi).num("se", e.se).num("evpi", e.evpi)
                  .num("population_evppi", e.population_evppi).num("inmb_share", e.inmb_share)
                  .done();
            }));
  doc.field("evppi_convergence", array(a.evppi_convergence, [](const EvppiConvergencePoint& c) {
              return Object().str("name", c.name).uint("n", c.n).num("evppi", c.evppi).num("se", c.se).done();
            }));
  doc.field("risk_attribution", array(a.risk_attribution, [](const RiskAttributionRow& r) {
              return Object()
                  .str("arm", r.arm).str("partner", r.partner).str("output", r.output).str("name", r.name)
                  .str("kind", r.kind).num("share", r.share)
                  .done();
            }));
  doc.field("replications_needed", array(a.replications_needed, [](const ReplicationsNeeded& r) {
              return Object()
                  .str("metric", r.metric).str("arm", r.arm).num("half_width", r.half_width).num("sd", r.sd)
                  .uint("needed", r.needed).uint("have", r.have)
                  .done();
            }));
  doc.field("behaviour", array(a.behaviour, [](const BehaviourRow& r) {
              return Object()
                  .str("arm", r.arm).str("decision", r.decision).str("service", r.service).str("partner", r.partner)
                  .str("parameter", r.parameter).num("stated", r.stated).num("signal", r.signal).num("stake", r.stake)
                  .num("factor", r.factor).num("in_force", r.in_force).num("explicit", r.explicit_part)
                  .num("response", r.response_part)
                  .done();
            }));
  doc.field("monthly", monthly_json(a.monthly));
  if (design != nullptr) doc.field("design", design_json(*design));
  if (stress != nullptr) doc.field("stress", stress_json(*stress));
  if (runs != nullptr) doc.field("runs", runs_json(*runs));
  out << doc.done() << '\n';
}

std::vector<std::pair<std::string, std::string>> analysis_csv_tables(const Analysis& a) {
  std::vector<std::pair<std::string, std::string>> files;
  {
    Csv t({"metric", "label", "unit", "arm", "n", "mean", "sd", "se", "ci_low", "ci_high", "q05", "q25", "q50", "q75", "q95"});
    for (const MetricRow& m : a.metrics) {
      const auto& x = m.summary;
      t.row({m.metric, m.label, m.unit, m.arm, std::to_string(x.n), csv_number(x.mean), csv_number(x.sd),
             csv_number(x.se), csv_number(x.ci_low), csv_number(x.ci_high), csv_number(x.q05), csv_number(x.q25),
             csv_number(x.q50), csv_number(x.q75), csv_number(x.q95)});
    }
    files.emplace_back("summary.csv", t.text());
  }
  {
    Csv t({"metric", "label", "unit", "arm", "base_arm", "n", "mean_difference", "se", "ci_low", "ci_high",
           "prob_lower", "prob_higher"});
    for (const DifferenceRow& d : a.differences) {
      const auto& p = d.paired;
      t.row({d.metric, d.label, d.unit, d.arm, d.base_arm, std::to_string(p.n), csv_number(p.mean_difference),
             csv_number(p.se), csv_number(p.ci_low), csv_number(p.ci_high), csv_number(p.prob_b_below_a),
             csv_number(d.prob_higher)});
    }
    files.emplace_back("differences.csv", t.text());
  }
  {
    Csv t({"arm", "base_arm", "delta_cost", "delta_effect", "effect", "icer_kind", "icer", "wtp", "incremental_nmb",
           "nmb_ci_low", "nmb_ci_high", "prob_nmb_positive"});
    for (const IcerRow& i : a.icers) {
      const std::vector<std::string> head = {i.arm, i.base_arm, csv_number(i.icer.delta_cost),
                                             csv_number(i.icer.delta_effect), a.effect_label, icer_kind(i.icer.kind),
                                             csv_number(i.icer.ratio)};
      for (const NmbRow& n : a.nmb) {
        if (n.arm != i.arm) continue;
        std::vector<std::string> row = head;
        for (const std::string& c : {csv_number(n.wtp), csv_number(n.incremental.mean_difference),
                                     csv_number(n.incremental.ci_low), csv_number(n.incremental.ci_high),
                                     csv_number(n.prob_positive)}) {
          row.push_back(c);
        }
        t.row(row);
      }
    }
    files.emplace_back("cea.csv", t.text());
  }
  {
    // Long, like the other tables: one row per willingness to pay and arm (as the JSON's ceac).
    Csv t({"wtp", "arm", "probability"});
    for (const CurvePoint& c : a.ceac) {
      for (std::size_t k = 0; k < c.values.size() && k < a.arms.size(); ++k) {
        t.row({csv_number(c.wtp), a.arms[k], csv_number(c.values[k])});
      }
    }
    files.emplace_back("ceac.csv", t.text());
    Csv e({"wtp", "evpi_per_decision"});
    for (const CurvePoint& c : a.evpi) e.row({csv_number(c.wtp), csv_number(c.values.empty() ? 0.0 : c.values[0])});
    files.emplace_back("evpi.csv", e.text());
  }
  {
    Csv t({"arm", "partner", "loss", "mean_payment", "mean_margin", "mean_painshare", "var", "es", "reserve",
           "p_above_reserve", "p_any_painshare", "p_cap_binds", "cap", "p_exhausted", "lowest_reserve_mean",
           "lowest_reserve_q05", "lowest_reserve_q50", "reserves_needed", "p_cash_exhausted", "lowest_cash_mean",
           "lowest_cash_q05", "lowest_cash_q50", "lowest_cash_quarter", "shared_cap"});
    for (const RiskRow& r : a.risk) {
      t.row({r.arm, r.partner, r.commissioner ? "spend" : "painshare", csv_number(r.mean_payment),
             csv_number(r.mean_margin), csv_number(r.mean_painshare), csv_number(r.var), csv_number(r.es),
             csv_optional(r.reserve), csv_optional(r.p_above_reserve), csv_number(r.p_any_painshare),
             csv_optional(r.p_cap_binds), csv_optional(r.cap), csv_optional(r.p_exhausted),
             csv_optional(lowest(r.lowest_reserve, &decision::Summary::mean)),
             csv_optional(lowest(r.lowest_reserve, &decision::Summary::q05)),
             csv_optional(lowest(r.lowest_reserve, &decision::Summary::q50)),
             r.commissioner ? "" : csv_number(r.reserves_needed), csv_optional(r.p_cash_exhausted),
             csv_optional(lowest(r.lowest_cash, &decision::Summary::mean)),
             csv_optional(lowest(r.lowest_cash, &decision::Summary::q05)),
             csv_optional(lowest(r.lowest_cash, &decision::Summary::q50)), csv_optional(quarter(r.lowest_cash_quarter)),
             csv_optional(r.shared_cap)});
    }
    files.emplace_back("risk.csv", t.text());
  }
  {
    Csv t({"arm", "partner", "year", "opening", "mean", "q05", "q50", "q95", "p_exhausted_by", "p_cash_exhausted_by"});
    for (const ReservePathRow& r : a.reserve_paths) {
      t.row({r.arm, r.partner, std::to_string(r.year), csv_number(r.opening), csv_number(r.reserves.mean),
             csv_number(r.reserves.q05), csv_number(r.reserves.q50), csv_number(r.reserves.q95),
             csv_number(r.reserves.p_exhausted_by), csv_number(r.p_cash_exhausted_by)});
    }
    files.emplace_back("reserve_paths.csv", t.text());
  }
  {
    Csv t({"arm", "partner", "quarter", "opening", "mean", "q05", "q50", "q95", "p_exhausted_by"});
    for (const CashPathRow& r : a.cash_paths) {
      t.row({r.arm, r.partner, std::to_string(r.quarter), csv_number(r.opening), csv_number(r.position.mean),
             csv_number(r.position.q05), csv_number(r.position.q50), csv_number(r.position.q95),
             csv_number(r.position.p_exhausted_by)});
    }
    files.emplace_back("cash_paths.csv", t.text());
  }
  if (!a.monthly.arms.empty()) {
    const MonthlySummary& m = a.monthly;
    Csv t({"arm", "month", "service", "measure", "mean", "p05", "p25", "p50", "p75", "p95"});
    for (std::size_t arm = 0; arm < m.arms.size(); ++arm) {
      for (std::size_t mo = 0; mo < m.months; ++mo) {
        for (std::size_t s = 0; s < m.services.size(); ++s) {
          for (std::size_t q = 0; q < m.measures.size(); ++q) {
            std::vector<std::string> row = {m.arms[arm], std::to_string(mo + 1), m.services[s], m.measures[q]};
            for (std::size_t k = 0; k < kMonthlyStatistics.size(); ++k) row.push_back(csv_number(m.at(arm, mo, s, q, k)));
            t.row(row);
          }
        }
      }
    }
    files.emplace_back("monthly.csv", t.text());
  }
  {
    Csv t({"arm", "kra", "band", "share"});
    for (const KraBandRow& k : a.kra_bands) t.row({k.arm, k.kra, k.band, csv_number(k.share)});
    files.emplace_back("kra_bands.csv", t.text());
  }
  {
    Csv t({"output", "output_label", "parameter", "key", "low_value", "high_value", "base_output", "output_at_low",
           "output_at_high", "r_squared"});
    for (const TornadoRow& r : a.tornado) {
      t.row({r.output, r.output_label, r.parameter, r.key, csv_number(r.low_value), csv_number(r.high_value),
             csv_number(r.base_output), csv_number(r.output_at_low), csv_number(r.output_at_high),
             csv_number(r.r_squared)});
    }
    files.emplace_back("tornado.csv", t.text());
  }
  {
    Csv t({"name", "key", "distribution", "base", "mean", "sd", "q05", "q95", "sample_mean", "source"});
    for (const PsaRow& p : a.psa) {
      t.row({p.name, p.key, p.distribution, csv_number(p.base), csv_number(p.mean), csv_number(p.sd),
             csv_number(p.q05), csv_number(p.q95), csv_number(p.sample_mean), p.source});
    }
    files.emplace_back("psa.csv", t.text());
  }
  {
    Csv t({"wtp", "rank", "name", "kind", "parameters", "method", "evppi_per_decision", "se", "evpi_per_decision",
           "population_evppi", "inmb_share", "description"});
    double wtp = std::nan("");
    std::size_t rank = 0;
    for (const EvppiRow& e : a.evppi) {
      rank = e.wtp == wtp ? rank + 1 : 1;
      wtp = e.wtp;
      std::string members;
      for (const std::string& p : e.parameters) members += (members.empty() ? "" : " ") + p;
      t.row({csv_number(e.wtp), std::to_string(rank), e.name, e.kind, members, e.method, csv_number(e.evppi),
             csv_number(e.se), csv_number(e.evpi), csv_number(e.population_evppi), csv_number(e.inmb_share),
             e.description});
    }
    files.emplace_back("evppi.csv", t.text());
    Csv c({"name", "n", "evppi_per_decision", "se"});
    for (const EvppiConvergencePoint& p : a.evppi_convergence) {
      c.row({p.name, std::to_string(p.n), csv_number(p.evppi), csv_number(p.se)});
    }
    files.emplace_back("evppi_convergence.csv", c.text());
    Csv r({"arm", "partner", "output", "name", "kind", "share_of_variance"});
    for (const RiskAttributionRow& x : a.risk_attribution) {
      r.row({x.arm, x.partner, x.output, x.name, x.kind, csv_number(x.share)});
    }
    files.emplace_back("risk_attribution.csv", r.text());
  }
  {
    Csv t({"metric", "arm", "half_width", "sd", "needed", "have"});
    for (const ReplicationsNeeded& r : a.replications_needed) {
      t.row({r.metric, r.arm, csv_number(r.half_width), csv_number(r.sd), std::to_string(r.needed),
             std::to_string(r.have)});
    }
    files.emplace_back("replications_needed.csv", t.text());
  }
  if (!a.behaviour.empty()) {
    Csv t({"arm", "decision", "service", "partner", "parameter", "stated", "signal", "stake", "factor", "in_force",
           "explicit_part", "response_part"});
    for (const BehaviourRow& r : a.behaviour) {
      t.row({r.arm, r.decision, r.service, r.partner, r.parameter, csv_number(r.stated), csv_number(r.signal),
             csv_number(r.stake), csv_number(r.factor), csv_number(r.in_force), csv_number(r.explicit_part),
             csv_number(r.response_part)});
    }
    files.emplace_back("behaviour.csv", t.text());
  }
  return files;
}

std::string replications_csv(const ResultsReader& file, const Analysis& a) {
  namespace led = models::ledger;
  const std::uint64_t R = a.replications;
  const std::size_t A = a.arms.size(), P = a.partners.size(), H = a.settings.horizon_years;
  const std::size_t Y = a.years, K = led::kSystemKpis;
  const auto read = [&](const char* path, const std::vector<std::uint64_t>& shape) {
    if (file.shape(path) != shape) {
      throw std::runtime_error(file.file_path() + ": dataset " + path + " does not have the shape the analysis read");
    }
    return file.read_double(path);
  };
  const std::vector<double> partner_cost = read("ledger/partner_cost", {R, A, Y, P});
  const std::vector<double> kpi = read("kpi/system", {R, A, Y, K});
  std::vector<double> pay, arm_pay;
  if (a.has_payouts) {
    pay = read("payouts/partner", {R, A, Y, P, kPartnerPayoutFieldCount});
    arm_pay = read("payouts/arm", {R, A, Y, kArmPayoutFieldCount});
  }
  const auto k = [](led::SystemKpi x) { return static_cast<std::size_t>(x); };
  const decision::DiscountTiming timing =
      a.settings.mid_year ? decision::DiscountTiming::mid_year : decision::DiscountTiming::year_start;
  Csv t({"arm", "replication", "year", "metric", "partner", "unit", "value", "discount_factor"});
  for (std::size_t arm = 0; arm < A; ++arm) {
    for (std::uint64_t r = 0; r < R; ++r) {
      for (std::size_t y = 0; y < H; ++y) {
        const std::size_t ray = (r * A + arm) * Y + y;
        const std::string rep = std::to_string(r), year = std::to_string(y + 1);
        const std::string df = csv_number(decision::discount_factor(static_cast<int>(y), a.settings.discount_rate, timing));
        const auto row = [&](const char* metric, const std::string& partner, const char* unit, double v) {
          t.row({a.arms[arm], rep, year, metric, partner, unit, csv_number(v), df});
        };
        // As analyse_pathway adds them up: the ledger cost is the partners' costs summed in order.
        double ledger_cost = 0;
        for (std::size_t p = 0; p < P; ++p) ledger_cost += partner_cost[ray * P + p];
        const double* ky = &kpi[ray * K];
        const double discharged = ky[k(led::SystemKpi::kWemwbsImproved)] + ky[k(led::SystemKpi::kWemwbsDecreased)] +
                                  ky[k(led::SystemKpi::kWemwbsUnchanged)];
        row("ledger_cost", "", "£", ledger_cost);
        row("qalys", "", "QALYs", ky[k(led::SystemKpi::kQalys)]);
        row("wemwbs_points", "", "points", ky[k(led::SystemKpi::kWemwbsMeanChange)] * discharged);
        if (a.has_payouts) {
          row("commissioner_spend", "", "£", field(&arm_pay[ray * kArmPayoutFieldCount], ArmField::kCommissionerSpend));
        }
        for (std::size_t p = 0; p < P; ++p) {
          row("partner_cost", a.partners[p], "£", partner_cost[ray * P + p]);
          if (!a.has_payouts) continue;
          const double* q = &pay[(ray * P + p) * kPartnerPayoutFieldCount];
          const double gain_pain = field(q, PartnerField::kGainPain);
          row("payment", a.partners[p], "£", field(q, PartnerField::kPayment));
          row("margin", a.partners[p], "£", field(q, PartnerField::kMargin));
          row("gain_pain", a.partners[p], "£", gain_pain);
          row("painshare", a.partners[p], "£", std::max(0.0, -gain_pain));
        }
      }
    }
  }
  return t.text();
}

std::vector<Table> voi_tables(const Analysis& a) {
  const std::string per = std::string("pounds per ") + (a.settings.effect == "wemwbs_points" ? "WEMWBS point" : "QALY");
  const auto number = [](std::string name, std::string unit, std::string description) {
    return TableColumn{std::move(name), std::move(unit), std::move(description), false, {}, {}};
  };
  const auto text = [](std::string name, std::string description) {
    return TableColumn{std::move(name), "", std::move(description), true, {}, {}};
  };
  Table e{"evppi",
          "Expected value of partial perfect information of each uncertain input and stated group, per decision, "
          "ranked within each willingness to pay (docs/analysis.md, Value of information)",
          {number("wtp", per, "willingness to pay"), number("rank", "", "rank within the willingness to pay, from 1"),
           text("name", "the input's or group's name"), text("kind", "parameter or group"),
           text("parameters", "the inputs covered, space-separated"),
           text("method", "gam (penalised spline, one input) or gp (Gaussian process, a group)"),
           number("evppi", "pounds", "EVPPI per decision"), number("se", "pounds", "standard error of the EVPPI"),
           number("evpi", "pounds", "EVPI per decision at this willingness to pay"),
           number("population_evppi", "pounds", "EVPPI times the population factor (root attribute)"),
           number("inmb_share", "fraction",
                  "share of the variance of the net-benefit difference between the two leading arms explained by the input alone"),
           text("description", "a group's description")}};
  double wtp = std::nan("");
  double rank = 0;
  for (const EvppiRow& r : a.evppi) {
    rank = r.wtp == wtp ? rank + 1 : 1;
    wtp = r.wtp;
    std::string members;
    for (const std::string& p : r.parameters) members += (members.empty() ? "" : " ") + p;
    auto& c = e.columns;
    c[0].numbers.push_back(r.wtp);
    c[1].numbers.push_back(rank);
    c[2].strings.push_back(r.name);
    c[3].strings.push_back(r.kind);
    c[4].strings.push_back(members);
    c[5].strings.push_back(r.method);
    c[6].numbers.push_back(r.evppi);
    c[7].numbers.push_back(r.se);
    c[8].numbers.push_back(r.evpi);
    c[9].numbers.push_back(r.population_evppi);
    c[10].numbers.push_back(r.inmb_share);
    c[11].strings.push_back(r.description);
  }
  Table conv{"evppi_convergence",
             "EVPPI from the first n replications, at the first willingness to pay",
             {text("name", "the input's or group's name"), number("n", "replications", "replications used"),
              number("evppi", "pounds", "EVPPI per decision"), number("se", "pounds", "its standard error")}};
  for (const EvppiConvergencePoint& p : a.evppi_convergence) {
    conv.columns[0].strings.push_back(p.name);
    conv.columns[1].numbers.push_back(static_cast<double>(p.n));
    conv.columns[2].numbers.push_back(p.evppi);
    conv.columns[3].numbers.push_back(p.se);
  }
  Table risk{"risk_attribution",
             "Share of the variance of each partner's gain/pain over the horizon, and of the event painshare > "
             "reserves, that each uncertain input or group explains alone (first-order)",
             {text("arm", "arm"), text("partner", "partner"), text("output", "gain_pain or painshare_above_reserve"),
              text("name", "the input's or group's name"), text("kind", "parameter or group"),
              number("share", "fraction", "first-order share of the output's variance")}};
  for (const RiskAttributionRow& r : a.risk_attribution) {
    auto& c = risk.columns;
    c[0].strings.push_back(r.arm);
    c[1].strings.push_back(r.partner);
    c[2].strings.push_back(r.output);
    c[3].strings.push_back(r.name);
    c[4].strings.push_back(r.kind);
    c[5].numbers.push_back(r.share);
  }
  return {e, conv, risk};
}

std::vector<std::pair<std::string, std::string>> voi_table_attributes(const Analysis& a) {
  char factor[40];
  std::snprintf(factor, sizeof factor, "%.17g", a.voi_population_factor);
  return {{"schema", "mhsim-voi/1"},
          {"results_file", a.results_file},
          {"scenario_name", a.scenario_name},
          {"scenario_sha256", a.scenario_sha256},
          {"mhsim_version", a.mhsim_version},
          {"analysed_utc", a.analysed_utc},
          {"effect", a.effect_label},
          {"population_factor", factor}};
}

ReportAssets load_report_assets(const std::string& dir) {
  const fs::path root(dir);
  const std::vector<fs::path> libs = {root / "node_modules/vega/build/vega.min.js",
                                      root / "node_modules/vega-lite/build/vega-lite.min.js",
                                      root / "node_modules/vega-embed/build/vega-embed.min.js"};
  std::vector<std::string> missing;
  for (const fs::path& p : {root / "template.html", root / "report.js", root / "explorer.js"}) {
    if (!fs::is_regular_file(p)) missing.push_back(p.string());
  }
  bool libs_missing = false;
  for (const fs::path& p : libs) {
    if (!fs::is_regular_file(p)) {
      missing.push_back(p.string());
      libs_missing = true;
    }
  }
  if (!missing.empty()) {
    std::string msg = "the HTML report's assets are missing:";
    for (const std::string& m : missing) msg += "\n  " + m;
    if (libs_missing) msg += "\ninstall the Vega libraries from npm with: npm ci --prefix " + root.string();
    msg += "\n(set MHSIM_REPORT_ASSETS or --assets to another report/ directory)";
    throw std::runtime_error(msg);
  }
  ReportAssets a;
  a.template_html = read_text(root / "template.html");
  a.report_js = read_text(root / "report.js");
  a.explorer_js = read_text(root / "explorer.js");
  for (const fs::path& p : libs) a.libraries += read_text(p) + "\n;\n";
  return a;
}

std::string report_html(const ReportAssets& assets, const std::string& json, const std::string& explorer) {
  // Every placeholder is found in the template itself before anything is inserted, so text
  // inside the inserted pieces (a scenario description, say) can never be taken for one.
  struct Slot {
    const char* placeholder;
    const char* what;
    const std::string* value;
    std::size_t at = std::string::npos;
  };
  const std::string data = script_safe(json), js = script_safe(assets.report_js), libs = script_safe(assets.libraries);
  const std::string explorer_js =
      script_safe((explorer.empty() ? std::string("window.MHSIM_EXPLORER = null;\n") : explorer) + assets.explorer_js);
  std::vector<Slot> slots = {{"\"MHSIM_DATA\"", "the analysis JSON", &data},
                             {"/*MHSIM_REPORT_JS*/", "report.js", &js},
                             {"/*MHSIM_VEGA_LIBS*/", "the Vega libraries", &libs},
                             {"/*MHSIM_EXPLORER_JS*/", "the terms explorer", &explorer_js}};
  const std::string& t = assets.template_html;
  for (Slot& s : slots) {
    s.at = t.find(s.placeholder);
    if (s.at == std::string::npos) {
      throw std::runtime_error(std::string("report template: placeholder ") + s.placeholder + " (" + s.what +
                               ") is missing");
    }
  }
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.at < b.at; });
  std::string html;
  html.reserve(t.size() + data.size() + js.size() + libs.size() + explorer_js.size());
  std::size_t from = 0;
  for (const Slot& s : slots) {
    html.append(t, from, s.at - from);
    html += *s.value;
    from = s.at + std::strlen(s.placeholder);
  }
  html.append(t, from, std::string::npos);
  return html;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  write_file_atomically(path, content.data(), content.size());
}

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) throw std::runtime_error(path + ": cannot create its directory: " + ec.message());
  const fs::path temp = target.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(temp, ec);
      throw std::runtime_error(path + ": write failed (disk full?)");
    }
  }
  fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw std::runtime_error(path + ": cannot rename the temporary file into place: " + ec.message());
  }
}

}  // namespace mhsim::analysis
