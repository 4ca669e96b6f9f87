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

#include <nlohmann/json.hpp>

#include "analysis/chart_samples.hpp"
#include "analysis/payout_fields.hpp"
#include "analysis/text_format.hpp"
#include "models/ledger/ledger.hpp"

namespace mhsim::analysis {
namespace {

namespace fs = std::filesystem;

// The analysis document is built as a value (nlohmann::ordered_json: keys stay in the order
// they are set) and written once, by json_text below.
using Json = nlohmann::ordered_json;

// An optional figure: null when absent. (NaN and infinities are kept as numbers in the value
// and written null by json_text.)
Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(); }

// An array of one object per element of `rows` (a table's rows).
template <class Rows, class F>
Json rows_of(const Rows& rows, F&& to_json) {
  Json out = Json::array();
  for (const auto& row : rows) out.push_back(to_json(row));
  return out;
}

// The document's text. nlohmann writes every string (escaped; bytes that are not UTF-8 become
// U+FFFD), integer, boolean and null; a double is written as the CSV files write it
// (json_number: shortest round trip, a whole number without ".0" as JavaScript writes it, null
// when NaN or infinite), so the JSON and the CSV tables show the same text for the same
// figure. The layout is for people reading the file: an array of objects (a table's rows)
// one row to a line, everything else on the line where it starts. The caller makes it safe
// to inline in a <script> element (script_safe_json).
void json_text(const Json& j, std::string& out) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it != j.begin()) out += ", ";
        json_text(Json(it.key()), out);
        out += ": ";
        json_text(it.value(), out);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      const bool rows = !j.empty() && j.front().is_object();
      out += '[';
      for (std::size_t i = 0; i < j.size(); ++i) {
        out += rows ? (i > 0 ? ",\n  " : "\n  ") : (i > 0 ? ", " : "");
        json_text(j[i], out);
      }
      out += rows ? "\n]" : "]";
      return;
    }
    case Json::value_t::number_float: out += json_number(j.get<double>()); return;
    default: out += j.dump(-1, ' ', false, Json::error_handler_t::replace); return;
  }
}

// The monthly picture: one series per arm, service and measure (months 1..n), each
// statistic an array over months; series whose every value is 0 or NaN are left out.
Json monthly_json(const MonthlySummary& m) {
  Json series = Json::array();
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
        Json o{{"arm", m.arms[a]}, {"service", m.services[s]}, {"measure", m.measures[q]}};
        for (std::size_t k = 0; k < K; ++k) o[kMonthlyStatistics[k]] = v[k];
        series.push_back(std::move(o));
      }
    }
  }
  Json measures = Json::array();
  for (std::size_t q = 0; q < m.measures.size(); ++q) {
    measures.push_back({{"name", m.measures[q]}, {"unit", m.units[q]}});
  }
  return {{"months", m.months},
          {"days_per_month", 365.0 / 12.0},
          {"services", m.services},
          {"measures", std::move(measures)},
          {"series", std::move(series)}};
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
Json design_json(const Design& d) {
  const DesignConstraints& c = d.constraints;
  // A combination (or, without its number and frontier flag, the scenario's own terms).
  const auto row = [&](const DesignRow& r, bool combination) {
    Json o = Json::object();
    if (combination) o["combination"] = r.combination;
    o["terms"] = r.values;
    o["commissioner_spend"] = r.spend;
    o["saving"] = d.reference.spend - r.spend;
    o["worst_p_exhausted"] = r.worst;
    o["worst_partner"] = r.worst_partner;
    o["lowest_expected_gain"] = r.lowest_partner.empty() ? Json() : Json(r.lowest_gain);
    o["lowest_gain_partner"] = r.lowest_partner;
    o["feasible"] = r.feasible;
    if (combination) o["frontier"] = r.frontier;
    return o;
  };
  std::size_t feasible = 0, frontier = 0;
  for (const DesignRow& r : d.rows) {
    feasible += r.feasible ? 1 : 0;
    frontier += r.frontier ? 1 : 0;
  }
  return {{"arm", d.arm},
          {"scenario_file", d.scenario_file},
          {"results_file", d.results_file},
          {"horizon_years", c.horizon_years},
          {"constraints",
           {{"max_p_exhausted", c.max_exhaustion},
            {"min_expected_gain", c.min_gain},
            {"budget_per_year", c.budget_per_year},
            {"budget_over_horizon", c.budget_over_horizon()}}},
          {"axes", rows_of(d.axes, [](const Design::Axis& x) { return Json{{"path", x.path}, {"values", x.values}}; })},
          {"reserves", rows_of(d.reserves,
                               [](const std::pair<std::string, double>& r) {
                                 return Json{{"partner", r.first}, {"reserve", r.second}};
                               })},
          {"combinations", d.rows.size()},
          {"feasible", feasible},
          {"frontier", frontier},
          {"reference", row(d.reference, false)},
          {"rows", rows_of(d.rows, [&](const DesignRow& r) { return row(r, true); })}};
}

// The `stress` object (docs/analysis.md, "Stress tests"): every case's risk rows with
// stress.csv's columns (the same RiskRow figures), which of them the terminal shows, and each
// case's reserve paths.
Json stress_json(const Stress& st) {
  const auto shown = stress_shown_rows(st);
  const auto is_shown = [&](const RiskRow& r) {
    for (const auto& [arm, partner] : shown) {
      if (arm == r.arm && partner == r.partner) return true;
    }
    return false;
  };
  Json rows = Json::array(), paths = Json::array();
  for (const StressCase& c : st.cases) {
    for (const RiskRow& r : c.analysis.risk) {
      rows.push_back(Json{{"case", c.name},
                          {"arm", r.arm},
                          {"partner", r.partner},
                          {"commissioner", r.commissioner},
                          {"shown", is_shown(r)},
                          {"mean_payment", r.mean_payment},
                          {"mean_margin", r.mean_margin},
                          {"mean_painshare", r.mean_painshare},
                          {"var", r.var},
                          {"es", r.es},
                          {"reserve", optional_number(r.reserve)},
                          {"p_above_reserve", optional_number(r.p_above_reserve)},
                          {"p_any_painshare", r.p_any_painshare},
                          {"p_cap_binds", optional_number(r.p_cap_binds)},
                          {"p_exhausted", optional_number(r.p_exhausted)},
                          {"lowest_reserve_mean", optional_number(lowest(r.lowest_reserve, &decision::Summary::mean))},
                          {"lowest_reserve_q05", optional_number(lowest(r.lowest_reserve, &decision::Summary::q05))},
                          {"reserves_needed", r.reserves_needed},
                          {"spend_q05", optional_number(lowest(r.spend, &decision::Summary::q05))},
                          {"spend_q95", optional_number(lowest(r.spend, &decision::Summary::q95))},
                          {"change_from_base", optional_number(change_from_base(st, c, r))}});
    }
    for (const ReservePathRow& r : c.analysis.reserve_paths) {
      paths.push_back(Json{{"case", c.name},
                           {"arm", r.arm},
                           {"partner", r.partner},
                           {"year", r.year},
                           {"opening", r.opening},
                           {"mean", r.reserves.mean},
                           {"q05", r.reserves.q05},
                           {"q50", r.reserves.q50},
                           {"q95", r.reserves.q95},
                           {"p_exhausted_by", r.reserves.p_exhausted_by}});
    }
  }
  const auto& s = st.cases.empty() ? scenario::AnalysisSettings{} : st.cases.front().analysis.settings;
  return {{"scenario_file", st.scenario_file},
          {"replications", st.replications},
          {"seed", st.seed},
          {"horizon_years", s.horizon_years},
          {"risk_level", s.risk_level},
          {"held_targets", st.held_targets},
          {"cases", rows_of(st.cases,
                            [](const StressCase& c) { return Json{{"name", c.name}, {"description", c.description}}; })},
          {"rows", std::move(rows)},
          {"reserve_paths", std::move(paths)}};
}

// The `runs` object (docs/analysis.md, "Several results side by side"): each file's
// provenance, headline figures by arm, partners' risk rows and change from the first file.
Json runs_json(const SideBySide& sb) {
  Json risk = Json::array();
  for (std::size_t i = 0; i < sb.risk.size(); ++i) {
    const RiskRow& r = sb.risk[i];
    risk.push_back(Json{{"run", sb.risk_runs[i]},
                        {"arm", r.arm},
                        {"partner", r.partner},
                        {"loss", r.commissioner ? "spend" : "painshare"},
                        {"mean_payment", r.mean_payment},
                        {"mean_painshare", r.mean_painshare},
                        {"var", r.var},
                        {"es", r.es},
                        {"reserve", optional_number(r.reserve)},
                        {"p_above_reserve", optional_number(r.p_above_reserve)},
                        {"p_exhausted", optional_number(r.p_exhausted)},
                        {"cap", optional_number(r.cap)},
                        {"shared_cap", optional_number(r.shared_cap)}});
  }
  return {{"runs", rows_of(sb.runs,
                           [](const SideRun& r) {
                             const Analysis& a = r.analysis;
                             return Json{{"label", r.label},
                                         {"results_file", a.results_file},
                                         {"scenario_name", a.scenario_name},
                                         {"scenario_file", a.scenario_file},
                                         {"scenario_sha256", a.scenario_sha256},
                                         {"seed", a.seed},
                                         {"replications", a.replications},
                                         {"arms", a.arms},
                                         {"base_arm", a.arms.empty() ? "" : a.arms[a.settings.base_arm]}};
                           })},
          {"figures", rows_of(sb.figures,
                              [](const SideFigure& f) {
                                const decision::Summary& m = f.summary;
                                return Json{{"run", f.run},     {"arm", f.arm},         {"metric", f.metric},
                                            {"label", f.label}, {"unit", f.unit},       {"n", m.n},
                                            {"mean", m.mean},   {"ci_low", m.ci_low},   {"ci_high", m.ci_high},
                                            {"q05", m.q05},     {"q95", m.q95}};
                              })},
          {"changes", rows_of(sb.changes,
                              [](const SideChange& c) {
                                return Json{{"run", c.run},       {"base_run", c.base_run},   {"arm", c.arm},
                                            {"metric", c.metric}, {"label", c.label},         {"unit", c.unit},
                                            {"paired", c.paired}, {"mean", c.mean},           {"ci_low", c.ci_low},
                                            {"ci_high", c.ci_high}, {"prob_lower", c.prob_lower}};
                              })},
          {"risk", std::move(risk)}};
}

// What the charts draw from when a run has more than `limit` replications: for every
// histogram and exceedance curve, min(limit, kChartQuantilePoints) order statistics of its
// values with the exact count at or below each (analysis/chart_samples.hpp); `shown`
// replications are in paired_samples for the cost-effectiveness plane.
Json chart_samples_json(const Analysis& a, std::size_t limit, std::size_t shown) {
  const std::size_t points = std::min(limit, kChartQuantilePoints);
  const std::size_t A = a.arms.size();
  const std::size_t base = a.settings.base_arm;
  Json series = Json::array();
  // `o` names the series (of, arm...); the field and its order statistics follow.
  const auto add = [&](Json o, const char* field, std::vector<double> v) {
    const Quantiles q = quantiles(std::move(v), points);
    if (q.n == 0) return;
    o["field"] = field;
    o["n"] = q.n;
    o["mean"] = q.mean;
    o["values"] = q.values;
    o["at_most"] = q.at_most;
    series.push_back(std::move(o));
  };
  for (std::size_t k = 0; k < A; ++k) {
    std::vector<double> cost, effect, spend;
    for (const SampleRow& r : a.samples) {
      if (r.arm != k) continue;
      cost.push_back(r.cost);
      effect.push_back(r.effect);
      spend.push_back(r.commissioner_spend);
    }
    const Json o{{"of", "samples"}, {"arm", a.arms[k]}};
    add(o, "cost", std::move(cost));
    add(o, "effect", std::move(effect));
    add(o, "commissioner_spend", std::move(spend));
  }
  for (std::size_t k = 0; k < A; ++k) {
    if (k == base) continue;
    std::vector<double> dc, de;
    for (std::size_t i = 0; i + A <= a.samples.size(); i += A) {
      dc.push_back(a.samples[i + k].cost - a.samples[i + base].cost);
      de.push_back(a.samples[i + k].effect - a.samples[i + base].effect);
    }
    const Json o{{"of", "paired_samples"}, {"arm", a.arms[k]}, {"base_arm", a.arms[base]}};
    add(o, "delta_cost", std::move(dc));
    add(o, "delta_effect", std::move(de));
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
      const Json o{{"of", "payout_samples"}, {"arm", a.arms[k]}, {"partner", a.partners[p]}};
      add(o, "gain_pain", std::move(gain_pain));
      add(o, "painshare", std::move(painshare));
    }
  }
  return {{"replications", a.replications},
          {"limit", limit},
          {"quantile_points", points},
          {"shown_replications", shown},
          {"series", std::move(series)}};
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
  Json doc;
  doc["schema"] = "mhsim-analysis/1";
  doc["meta"] = {{"scenario_name", a.scenario_name},
                 {"scenario_description", a.scenario_description},
                 {"scenario_file", a.scenario_file},
                 {"scenario_sha256", a.scenario_sha256},
                 {"seed", a.seed},
                 {"replications", a.replications},
                 {"years", a.years},
                 {"mhsim_version", a.mhsim_version},
                 {"created_utc", a.created_utc},
                 {"results_file", a.results_file},
                 {"analysed_utc", a.analysed_utc},
                 {"derived", a.derived}};
  doc["settings"] = {{"discount_rate", s.discount_rate},
                     {"discount_timing", s.mid_year ? "mid_year" : "year_start"},
                     {"horizon_years", s.horizon_years},
                     {"willingness_to_pay", s.willingness_to_pay},
                     {"effect", s.effect},
                     {"effect_label", a.effect_label},
                     {"cost_basis", s.cost_basis},
                     {"base_arm", a.arms.empty() ? "" : a.arms[s.base_arm]},
                     {"risk_level", s.risk_level},
                     {"clear_probability", decision::kClearProbability},
                     {"commissioner_budget", s.commissioner_budget},
                     {"voi_decisions_per_year", s.voi_decisions_per_year},
                     {"voi_years", s.voi_years},
                     {"voi_population_factor", a.voi_population_factor}};
  doc["arms"] = a.arms;
  doc["partners"] = a.partners;
  doc["metrics"] = rows_of(a.metrics, [](const MetricRow& m) {
    const auto& x = m.summary;
    return Json{{"metric", m.metric}, {"label", m.label},     {"unit", m.unit}, {"arm", m.arm},
                {"n", x.n},           {"mean", x.mean},       {"sd", x.sd},     {"se", x.se},
                {"ci_low", x.ci_low}, {"ci_high", x.ci_high}, {"q05", x.q05},   {"q25", x.q25},
                {"q50", x.q50},       {"q75", x.q75},         {"q95", x.q95}};
  });
  doc["differences"] = rows_of(a.differences, [](const DifferenceRow& d) {
    const auto& p = d.paired;
    return Json{{"metric", d.metric},        {"label", d.label},         {"unit", d.unit},
                {"arm", d.arm},              {"base_arm", d.base_arm},   {"n", p.n},
                {"mean", p.mean_difference}, {"se", p.se},               {"ci_low", p.ci_low},
                {"ci_high", p.ci_high},      {"prob_lower", p.prob_b_below_a}, {"prob_higher", d.prob_higher}};
  });
  // Above chart_limit replications the charts draw from order statistics and an evenly
  // spaced subset (chart_samples_json); the tables' figures above come from every replication.
  const bool thin = chart_limit > 0 && a.replications > chart_limit;
  const std::vector<std::size_t> shown = shown_replications(static_cast<std::size_t>(a.replications), thin ? chart_limit : a.replications);
  if (thin) doc["chart_samples"] = chart_samples_json(a, chart_limit, shown.size());
  doc["samples"] = thin ? Json::array() : rows_of(a.samples, [&](const SampleRow& r) {
    return Json{{"replication", r.replication},
                {"arm", a.arms[r.arm]},
                {"cost", r.cost},
                {"effect", r.effect},
                {"commissioner_spend", r.commissioner_spend}};
  });
  // Paired samples: every arm but the base, replication by replication (when thinned, the
  // replications the cost-effectiveness plane shows).
  Json paired = Json::array();
  const std::size_t A = a.arms.size();
  for (std::size_t k0 = 0; A > 0 && k0 < shown.size() && (shown[k0] + 1) * A <= a.samples.size(); ++k0) {
    const std::size_t i = shown[k0] * A;
    const SampleRow& b = a.samples[i + s.base_arm];
    for (std::size_t k = 0; k < A; ++k) {
      if (k == s.base_arm) continue;
      const SampleRow& r = a.samples[i + k];
      paired.push_back(Json{{"replication", r.replication},
                            {"arm", a.arms[k]},
                            {"base_arm", a.arms[s.base_arm]},
                            {"delta_cost", r.cost - b.cost},
                            {"delta_effect", r.effect - b.effect}});
    }
  }
  doc["paired_samples"] = std::move(paired);
  doc["icer"] = rows_of(a.icers, [](const IcerRow& r) {
    return Json{{"arm", r.arm},
                {"base_arm", r.base_arm},
                {"delta_cost", r.icer.delta_cost},
                {"delta_effect", r.icer.delta_effect},
                {"kind", icer_kind(r.icer.kind)},
                {"ratio", r.icer.ratio},
                {"prob_dominates", r.prob_dominates},
                {"prob_dominated", r.prob_dominated}};
  });
  doc["nmb"] = rows_of(a.nmb, [](const NmbRow& r) {
    return Json{{"arm", r.arm},
                {"base_arm", r.base_arm},
                {"wtp", r.wtp},
                {"incremental_nmb", r.incremental.mean_difference},
                {"ci_low", r.incremental.ci_low},
                {"ci_high", r.incremental.ci_high},
                {"prob_positive", r.prob_positive}};
  });
  doc["risk"] = rows_of(a.risk, [](const RiskRow& r) {
    return Json{{"arm", r.arm},
                {"partner", r.partner},
                {"loss", r.commissioner ? "spend" : "painshare"},
                {"mean_payment", r.mean_payment},
                {"mean_margin", r.mean_margin},
                {"mean_painshare", r.mean_painshare},
                {"var", r.var},
                {"es", r.es},
                {"reserve", optional_number(r.reserve)},
                {"p_above_reserve", optional_number(r.p_above_reserve)},
                {"p_any_painshare", r.p_any_painshare},
                {"p_cap_binds", optional_number(r.p_cap_binds)},
                {"cap", optional_number(r.cap)},
                {"shared_cap", optional_number(r.shared_cap)},
                {"p_exhausted", optional_number(r.p_exhausted)},
                {"lowest_reserve_mean", optional_number(lowest(r.lowest_reserve, &decision::Summary::mean))},
                {"lowest_reserve_q05", optional_number(lowest(r.lowest_reserve, &decision::Summary::q05))},
                {"lowest_reserve_q50", optional_number(lowest(r.lowest_reserve, &decision::Summary::q50))},
                {"reserves_needed", r.commissioner ? Json() : Json(r.reserves_needed)},
                {"p_cash_exhausted", optional_number(r.p_cash_exhausted)},
                {"lowest_cash_mean", optional_number(lowest(r.lowest_cash, &decision::Summary::mean))},
                {"lowest_cash_q05", optional_number(lowest(r.lowest_cash, &decision::Summary::q05))},
                {"lowest_cash_q50", optional_number(lowest(r.lowest_cash, &decision::Summary::q50))},
                {"lowest_cash_quarter", optional_number(quarter(r.lowest_cash_quarter))}};
  });
  doc["reserve_paths"] = rows_of(a.reserve_paths, [](const ReservePathRow& r) {
    return Json{{"arm", r.arm},
                {"partner", r.partner},
                {"year", r.year},
                {"opening", r.opening},
                {"mean", r.reserves.mean},
                {"q05", r.reserves.q05},
                {"q50", r.reserves.q50},
                {"q95", r.reserves.q95},
                {"p_exhausted_by", r.reserves.p_exhausted_by},
                {"p_cash_exhausted_by", r.p_cash_exhausted_by}};
  });
  doc["cash_paths"] = rows_of(a.cash_paths, [](const CashPathRow& r) {
    return Json{{"arm", r.arm},
                {"partner", r.partner},
                {"quarter", r.quarter},
                {"opening", r.opening},
                {"mean", r.position.mean},
                {"q05", r.position.q05},
                {"q50", r.position.q50},
                {"q95", r.position.q95},
                {"p_exhausted_by", r.position.p_exhausted_by}};
  });
  doc["payout_samples"] = thin ? Json::array() : rows_of(a.payout_samples, [&](const PayoutSample& p) {
    return Json{{"replication", p.replication},
                {"arm", a.arms[p.arm]},
                {"partner", a.partners[p.partner]},
                {"gain_pain", p.gain_pain},
                {"margin", p.margin},
                {"painshare", p.painshare}};
  });
  doc["kra_bands"] = rows_of(a.kra_bands, [](const KraBandRow& k) {
    return Json{{"arm", k.arm}, {"kra", k.kra}, {"band", k.band}, {"share", k.share}};
  });
  Json ceac = Json::array();
  for (const CurvePoint& c : a.ceac) {
    for (std::size_t k = 0; k < c.values.size() && k < A; ++k) {
      ceac.push_back(Json{{"wtp", c.wtp}, {"arm", a.arms[k]}, {"probability", c.values[k]}});
    }
  }
  doc["ceac"] = std::move(ceac);
  doc["evpi"] = rows_of(a.evpi, [](const CurvePoint& c) {
    return Json{{"wtp", c.wtp}, {"evpi", c.values.empty() ? 0.0 : c.values[0]}};
  });
  doc["tornado"] = rows_of(a.tornado, [](const TornadoRow& t) {
    return Json{{"output", t.output},
                {"output_label", t.output_label},
                {"parameter", t.parameter},
                {"key", t.key},
                {"low_value", t.low_value},
                {"high_value", t.high_value},
                {"base_output", t.base_output},
                {"output_at_low", t.output_at_low},
                {"output_at_high", t.output_at_high},
                {"r_squared", t.r_squared}};
  });
  doc["psa"] = rows_of(a.psa, [](const PsaRow& p) {
    return Json{{"name", p.name}, {"key", p.key}, {"distribution", p.distribution},
                {"base", p.base}, {"mean", p.mean}, {"sd", p.sd},
                {"q05", p.q05},   {"q95", p.q95},   {"sample_mean", p.sample_mean},
                {"source", p.source}};
  });
  doc["convergence"] = rows_of(a.convergence, [](const ConvergencePoint& c) {
    return Json{{"metric", c.metric}, {"label", c.label}, {"n", c.n}, {"mean", c.mean}, {"se", c.se}};
  });
  doc["evppi"] = rows_of(a.evppi, [](const EvppiRow& e) {
    return Json{{"name", e.name},
                {"kind", e.kind},
                {"parameters", e.parameters},
                {"description", e.description},
                {"method", e.method},
                {"wtp", e.wtp},
                {"evppi", e.evppi},
                {"se", e.se},
                {"evpi", e.evpi},
                {"population_evppi", e.population_evppi},
                {"inmb_share", e.inmb_share}};
  });
  doc["evppi_convergence"] = rows_of(a.evppi_convergence, [](const EvppiConvergencePoint& c) {
    return Json{{"name", c.name}, {"n", c.n}, {"evppi", c.evppi}, {"se", c.se}};
  });
  doc["risk_attribution"] = rows_of(a.risk_attribution, [](const RiskAttributionRow& r) {
    return Json{{"arm", r.arm},   {"partner", r.partner}, {"output", r.output},
                {"name", r.name}, {"kind", r.kind},       {"share", r.share}};
  });
  doc["replications_needed"] = rows_of(a.replications_needed, [](const ReplicationsNeeded& r) {
    return Json{{"metric", r.metric}, {"arm", r.arm},       {"half_width", r.half_width},
                {"sd", r.sd},         {"needed", r.needed}, {"have", r.have}};
  });
  doc["behaviour"] = rows_of(a.behaviour, [](const BehaviourRow& r) {
    return Json{{"arm", r.arm},
                {"decision", r.decision},
                {"service", r.service},
                {"partner", r.partner},
                {"parameter", r.parameter},
                {"stated", r.stated},
                {"signal", r.signal},
                {"stake", r.stake},
                {"factor", r.factor},
                {"in_force", r.in_force},
                {"explicit", r.explicit_part},
                {"response", r.response_part}};
  });
  doc["monthly"] = monthly_json(a.monthly);
  if (design != nullptr) doc["design"] = design_json(*design);
  if (stress != nullptr) doc["stress"] = stress_json(*stress);
  if (runs != nullptr) doc["runs"] = runs_json(*runs);
  std::string text;
  json_text(doc, text);
  out << script_safe_json(text) << '\n';
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
