// SPDX-License-Identifier: MIT
// `mhsim report` and `mhsim compare`: analyse a pathway results file (analysis/results_analysis)
// and write the HTML report, JSON and CSV summaries, or print the arms side by side.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/analysis_output.hpp"
#include "analysis/results_analysis.hpp"
#include "analysis/results_file.hpp"
#include "analysis/stress.hpp"
#include "cli/commands.hpp"
#include "cli/report_explorer.hpp"
#include "cli/text.hpp"
#include "models/scenario/diagnostics.hpp"

#ifndef MHSIM_REPORT_DIR
#define MHSIM_REPORT_DIR "report"
#endif

namespace mhsim::cli {
namespace {

using scenario::Diagnostic;

std::string assets_dir(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("MHSIM_REPORT_ASSETS"); env != nullptr && *env != '\0') return env;
  if (std::string installed = installed_data("report"); !installed.empty()) return installed;
  return MHSIM_REPORT_DIR;
}

// Opens, checks and analyses a results file; prints every problem and returns the exit code
// on failure.
std::optional<analysis::Analysis> analyse(const std::string& results, const AnalysisOverrides& overrides,
                                          std::vector<Diagnostic>& errors, int& exit_code,
                                          const std::function<void(scenario::AnalysisSettings&,
                                                                   const scenario::PathwayScenario&)>& adjust = {}) {
  exit_code = kExitBadInput;
  if (!std::filesystem::is_regular_file(results)) {
    errors.push_back(Diagnostic{results, 0, 0, "results", "an existing results file (HDF5) written by `mhsim run`",
                                "no such file"});
    return std::nullopt;
  }
  try {
    const analysis::ResultsReader file(results);
    const scenario::PathwayScenario sc = analysis::stored_scenario(file, results);
    scenario::AnalysisSettings settings = sc.analysis;
    apply_analysis_overrides(overrides, sc, settings, errors);
    if (adjust) adjust(settings, sc);
    if (!errors.empty()) return std::nullopt;
    try {
      return analysis::analyse_pathway(file, results, sc, settings);
    } catch (const std::invalid_argument& e) {
      errors.push_back(Diagnostic{results, 0, 0, "analysis", "settings that fit the run", e.what()});
      return std::nullopt;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: %s\n", e.what());
    exit_code = kExitBadInput;
    return std::nullopt;
  }
}

// ---- text tables ------------------------------------------------------------------------------

std::string value(double x, const std::string& unit) {
  if (!std::isfinite(x)) return "-";
  if (unit == "£") return money(x);
  char buf[48];
  const double a = std::fabs(x);
  std::snprintf(buf, sizeof buf, a >= 1000 ? "%.0f" : a >= 10 ? "%.1f" : "%.3f", x);
  return buf;
}

// EVPPI ranked at the first willingness to pay, with every threshold's value beside it, and
// each partner's risk attributed to the inputs that explain most of it.
template <class Visible>
void print_value_of_information(const analysis::Analysis& a, const Visible& visible) {
  const auto& s = a.settings;
  if (!a.evppi.empty()) {
    const std::string unit = s.effect == "wemwbs_points" ? "WEMWBS point" : "QALY";
    std::printf("\nValue of information (EVPPI per decision, from the PSA draws; all %zu arms decided between). "
                "Population: x %.3g (%g decision%s a year for %zu year%s, discounted).\n",
                a.arms.size(), a.voi_population_factor, s.voi_decisions_per_year,
                s.voi_decisions_per_year == 1 ? "" : "s", s.voi_years, s.voi_years == 1 ? "" : "s");
    std::vector<std::vector<std::string>> t = {{"input or group", "method"}};
    std::vector<double> wtps;
    for (const auto& e : a.evppi) {
      if (std::find(wtps.begin(), wtps.end(), e.wtp) == wtps.end()) wtps.push_back(e.wtp);
    }
    for (const double w : wtps) {
      t[0].push_back("EVPPI at " + money(w) + " [+-1.96 SE]");
      t[0].push_back("of EVPI");
    }
    t[0].push_back("population EVPPI at " + money(wtps.front()));
    t[0].push_back("explains of iNMB");
    std::vector<std::string> evpi_row = {"(EVPI: everything the run samples)", ""};
    for (const double w : wtps) {
      for (const auto& e : a.evppi) {
        if (e.wtp != w) continue;
        evpi_row.push_back(money(e.evpi));
        evpi_row.push_back("100%");
        break;
      }
    }
    evpi_row.push_back(money(a.evppi.front().evpi * a.voi_population_factor));
    evpi_row.push_back("");
    for (const auto& first : a.evppi) {
      if (first.wtp != wtps.front()) continue;
      std::vector<std::string> row = {first.kind == "group" ? first.name + " (group)" : first.name, first.method};
      for (const double w : wtps) {
        for (const auto& e : a.evppi) {
          if (e.wtp != w || e.name != first.name || e.kind != first.kind) continue;
          row.push_back(money(e.evppi) + " [+-" + money(1.96 * e.se) + "]");
          row.push_back(e.evpi > 0 ? percent(e.evppi / e.evpi) : "-");
        }
      }
      row.push_back(money(first.population_evppi));
      row.push_back(percent(first.inmb_share));
      t.push_back(row);
    }
    t.push_back(evpi_row);
    print_table(t);
    std::printf("Willingness to pay in pounds per %s. \"explains of iNMB\": share of the variance of the net-benefit "
                "difference between the two leading arms at %s that the input explains alone; it ranks inputs whose "
                "EVPPI ties (at 0 when one arm wins in every replication).\n",
                unit.c_str(), money(wtps.front()).c_str());
  }
  if (!a.risk_attribution.empty()) {
    std::printf("\nWhat drives each partner's risk: share of the variance each input explains alone (first-order; the "
                "rest is interactions and the run's own randomness; correlated inputs share what they explain).\n");
    std::vector<std::vector<std::string>> t = {{"arm", "partner", "output", "inputs that explain most"}};
    for (std::size_t i = 0; i < a.risk_attribution.size();) {
      const auto& head = a.risk_attribution[i];
      std::size_t j = i;
      std::string text;
      int shown = 0;
      while (j < a.risk_attribution.size() && a.risk_attribution[j].arm == head.arm &&
             a.risk_attribution[j].partner == head.partner && a.risk_attribution[j].output == head.output) {
        const auto& r = a.risk_attribution[j];
        if (r.kind == "parameter" && shown < 3 && r.share >= 0.005) {
          text += (text.empty() ? "" : ", ") + r.name + " " + percent(r.share);
          ++shown;
        }
        ++j;
      }
      if (visible(head.arm)) {
        t.push_back({head.arm, head.partner, head.output == "gain_pain" ? "gain/pain" : "P(painshare > reserve)",
                     text.empty() ? "none above 0.5%" : text});
      }
      i = j;
    }
    print_table(t);
  }
}

void print_comparison(const analysis::Analysis& a, const std::set<std::string>& shown) {
  const auto& s = a.settings;
  const std::string& base = a.arms[s.base_arm];
  const auto visible = [&](const std::string& arm) { return shown.empty() || shown.count(arm) != 0; };
  std::printf("%s: %llu replications, seed %llu, %s\n", a.results_file.c_str(),
              static_cast<unsigned long long>(a.replications), static_cast<unsigned long long>(a.seed),
              a.scenario_name.c_str());
  std::printf("Over %zu year%s; money and effects discounted at %.1f%% a year (%s); kpi rows undiscounted.\n"
              "Cells: mean [95%% CI of the mean]; differences are paired, replication by replication, against \"%s\".\n\n",
              s.horizon_years, s.horizon_years == 1 ? "" : "s", 100 * s.discount_rate,
              s.mid_year ? "mid-year" : "start of year", base.c_str());

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"metric"};
  for (const std::string& arm : a.arms) {
    if (visible(arm)) head.push_back(arm);
  }
  for (const std::string& arm : a.arms) {
    if (visible(arm) && arm != base) {
      head.push_back(arm + " - " + base);
      head.push_back("P(lower)");
    }
  }
  rows.push_back(head);
  std::map<std::string, std::map<std::string, const analysis::MetricRow*>> by_metric;
  std::vector<std::string> order;
  for (const auto& m : a.metrics) {
    if (by_metric[m.metric].empty()) order.push_back(m.metric);
    by_metric[m.metric][m.arm] = &m;
  }
  for (const std::string& id : order) {
    const auto& cells = by_metric[id];
    const analysis::MetricRow& first = *cells.begin()->second;
    std::vector<std::string> row = {first.label + (first.unit.empty() || first.unit == "£" ? "" : " [" + first.unit + "]")};
    for (const std::string& arm : a.arms) {
      if (!visible(arm)) continue;
      const auto& x = cells.at(arm)->summary;
      row.push_back(value(x.mean, first.unit) + " [" + value(x.ci_low, first.unit) + ", " + value(x.ci_high, first.unit) + "]");
    }
    for (const auto& d : a.differences) {
      if (d.metric != id || !visible(d.arm)) continue;
      row.push_back(value(d.paired.mean_difference, d.unit) + " [" + value(d.paired.ci_low, d.unit) + ", " +
                    value(d.paired.ci_high, d.unit) + "]");
      row.push_back(percent(d.paired.prob_b_below_a));
    }
    rows.push_back(row);
  }
  print_table(rows);

  if (!a.icers.empty()) {
    std::printf("\nCost-effectiveness against \"%s\" (effect: %s; cost basis: %s)\n", base.c_str(),
                a.effect_label.c_str(), s.cost_basis.c_str());
    std::vector<std::vector<std::string>> t = {{"arm", "delta cost", "delta effect", "ICER"}};
    for (const auto& wtp : s.willingness_to_pay) {
      t[0].push_back("iNMB at " + money(wtp));
      t[0].push_back("P(cost-effective)");
    }
    const std::string unit = s.effect == "wemwbs_points" ? "WEMWBS point" : "QALY";
    for (const auto& i : a.icers) {
      if (!visible(i.arm)) continue;
      std::string icer;
      switch (i.icer.kind) {
        // "Dominates" only when it holds in enough paired replications (the report's rule).
        case analysis::decision::IcerCase::b_dominates:
          icer = i.prob_dominates >= analysis::decision::kClearProbability
                     ? "dominates (cheaper and better in " + percent(i.prob_dominates) + ")"
                     : "cheaper, no worse on average (both in only " + percent(i.prob_dominates) + ")";
          break;
        case analysis::decision::IcerCase::a_dominates:
          icer = i.prob_dominated >= analysis::decision::kClearProbability
                     ? "dominated (dearer and worse in " + percent(i.prob_dominated) + ")"
                     : "dearer, no better on average (both in only " + percent(i.prob_dominated) + ")";
          break;
        case analysis::decision::IcerCase::north_east: icer = money(i.icer.ratio) + " per " + unit + " gained"; break;
        case analysis::decision::IcerCase::south_west: icer = money(i.icer.ratio) + " saved per " + unit + " lost"; break;
        case analysis::decision::IcerCase::identical: icer = "identical"; break;
      }
      std::vector<std::string> row = {i.arm, money(i.icer.delta_cost), value(i.icer.delta_effect, ""), icer};
      for (const auto& n : a.nmb) {
        if (n.arm != i.arm) continue;
        row.push_back(money(n.incremental.mean_difference) + " [" + money(n.incremental.ci_low) + ", " +
                      money(n.incremental.ci_high) + "]");
        row.push_back(percent(n.prob_positive));
      }
      t.push_back(row);
    }
    print_table(t);
  }

  if (!a.risk.empty()) {
    char level[16];
    std::snprintf(level, sizeof level, "%.0f%%", 100 * s.risk_level);
    std::printf("\nRisk over the horizon (cash, undiscounted). Partners: loss = painshare; commissioner: loss = spend, "
                "reserve = budget.\n");
    std::vector<std::vector<std::string>> t = {{"arm", "partner", "mean payment", "mean margin", "mean painshare",
                                                std::string("VaR ") + level, std::string("ES ") + level, "reserve",
                                                "P(loss > reserve)", "P(any painshare)", "P(cap binds)"}};
    for (const auto& r : a.risk) {
      if (!visible(r.arm)) continue;
      t.push_back({r.arm, r.partner, money(r.mean_payment), money(r.mean_margin), money(r.mean_painshare), money(r.var),
                   money(r.es), r.reserve ? money(*r.reserve) : "-", r.p_above_reserve ? percent(*r.p_above_reserve) : "-",
                   percent(r.p_any_painshare), r.p_cap_binds ? percent(*r.p_cap_binds) : "-"});
    }
    print_table(t);
  }
  if (std::any_of(a.risk.begin(), a.risk.end(), [](const analysis::RiskRow& r) { return !r.commissioner; })) {
    char level[16];
    std::snprintf(level, sizeof level, "%.0f%%", 100 * s.risk_level);
    std::printf("\nReserves over the agreement (cash): the stated reserves plus each year's gain/pain; exhausted = "
                "below £0 at the end of a year.\n");
    std::vector<std::vector<std::string>> t = {{"arm", "partner", std::string("reserves needed ") + level, "stated",
                                                "P(exhausted) by year 1, 2, ...", "lowest: median", "lowest: 5th pct"}};
    for (const analysis::RiskRow& r : a.risk) {
      if (r.commissioner || !visible(r.arm)) continue;
      std::string by_year;
      for (const analysis::ReservePathRow& y : a.reserve_paths) {
        if (y.arm == r.arm && y.partner == r.partner) {
          by_year += (by_year.empty() ? "" : ", ") + percent(y.reserves.p_exhausted_by);
        }
      }
      t.push_back({r.arm, r.partner, money(r.reserves_needed), r.reserve ? money(*r.reserve) : "-",
                   by_year.empty() ? "-" : by_year, r.lowest_reserve ? money(r.lowest_reserve->q50) : "-",
                   r.lowest_reserve ? money(r.lowest_reserve->q05) : "-"});
    }
    print_table(t);
  }
  if (std::any_of(a.risk.begin(), a.risk.end(), [&](const analysis::RiskRow& r) { return r.p_cash_exhausted && visible(r.arm); })) {
    std::printf("\nCash by quarter against the same reserves: the stated reserves plus the risk share's cash to date "
                "(payments on account, balances after the reconciliation lag; other margin spent as it accrues); "
                "exhausted = below £0 at the end of some quarter up to the year's reconciliation.\n");
    std::vector<std::vector<std::string>> t = {{"arm", "partner", "stated", "P(cash exhausted) by year 1, 2, ...",
                                                "lowest cash: median", "lowest cash: 5th pct", "lowest most often in"}};
    for (const analysis::RiskRow& r : a.risk) {
      if (!r.p_cash_exhausted || !visible(r.arm)) continue;
      std::string by_year;
      for (const analysis::ReservePathRow& y : a.reserve_paths) {
        if (y.arm == r.arm && y.partner == r.partner) by_year += (by_year.empty() ? "" : ", ") + percent(y.p_cash_exhausted_by);
      }
      const std::size_t q = r.lowest_cash_quarter.value_or(0);
      t.push_back({r.arm, r.partner, money(*r.reserve), by_year.empty() ? "-" : by_year, money(r.lowest_cash->q50),
                   money(r.lowest_cash->q05), q == 0 ? "never below the opening" : "quarter " + std::to_string(q)});
    }
    print_table(t);
  }
  print_value_of_information(a, visible);
  if (!a.replications_needed.empty()) {
    std::printf("\nReplications for the stated precision (95%% CI half-width)\n");
    std::vector<std::vector<std::string>> t = {{"metric", "arm", "half-width", "SD", "needed", "run"}};
    for (const auto& r : a.replications_needed) {
      if (!visible(r.arm)) continue;
      t.push_back({r.metric, r.arm, value(r.half_width, ""), value(r.sd, ""), std::to_string(r.needed),
                   std::to_string(r.have)});
    }
    print_table(t);
  }
}

// Writes every requested output, all or nothing across them (analysis::OutputFiles, issue
// 18): each goes to a temporary name first, and only when every one is whole are they renamed
// into place; on any failure none is, and files that were there before are left as they were.
// `design` (mhsim design) adds its object to the document and its section to the page;
// `extra` files (path, text) are written with the others, all or nothing.
int write_outputs(const analysis::Analysis& a, const std::string& html, const std::string& json,
                  const std::string& csv, const std::string& assets, bool quiet, const std::string& h5 = "",
                  const analysis::Design* design = nullptr,
                  const std::vector<std::pair<std::string, std::string>>& extra = {},
                  const analysis::Stress* stress = nullptr, const analysis::SideBySide* runs = nullptr,
                  const std::string& explorer = "", std::size_t chart_limit = 0) {
  try {
    // Everything is produced in memory first, so a missing asset writes nothing at all.
    const std::string doc = analysis::analysis_json(a, design, stress, runs);
    std::string page;
    if (!html.empty()) {
      // The page's charts of a large run draw from order statistics (--chart-samples); the
      // JSON file keeps every replication.
      const bool thin = chart_limit > 0 && a.replications > chart_limit;
      page = analysis::report_html(analysis::load_report_assets(assets_dir(assets)),
                                   thin ? analysis::analysis_json(a, design, stress, runs, chart_limit) : doc, explorer);
    }
    const auto tables = csv.empty() ? std::vector<std::pair<std::string, std::string>>{} : analysis::analysis_csv_tables(a);
    analysis::OutputFiles files;
    try {
      if (!json.empty()) files.write(json, doc);
      for (const auto& [name, text] : tables) {
        files.write((std::filesystem::path(csv) / name).string(), analysis::csv_file_text(text));
      }
      if (!h5.empty()) {
        // The value-of-information tables and, for runs that have it, the monthly picture.
        std::vector<analysis::Table> h5_tables = analysis::voi_tables(a);
        if (!a.monthly.arms.empty()) h5_tables.push_back(analysis::monthly_table(a.monthly));
        analysis::write_table_file(files, h5, h5_tables, analysis::voi_table_attributes(a));
      }
      if (!html.empty()) files.write(html, page);
      for (const auto& [path, text] : extra) files.write(path, analysis::csv_file_text(text));  // CSV files, each
      files.commit();
    } catch (const std::exception& e) {
      files.discard();
      std::fprintf(stderr, "mhsim: %s\nmhsim: nothing was written: every output of this command is as it was\n",
                   e.what());
      return kExitFailure;
    }
    if (!quiet) {
      if (!html.empty()) std::fprintf(stderr, "mhsim: wrote %s (%.1f MB)\n", html.c_str(), static_cast<double>(page.size()) / 1e6);
      if (!json.empty()) std::fprintf(stderr, "mhsim: wrote %s\n", json.c_str());
      if (!csv.empty()) std::fprintf(stderr, "mhsim: wrote %zu CSV tables in %s/\n", tables.size(), csv.c_str());
      if (!h5.empty()) std::fprintf(stderr, "mhsim: wrote %s (value-of-information tables)\n", h5.c_str());
    }
  } catch (const std::exception& e) {  // before any file was begun: missing assets, say
    std::fprintf(stderr, "mhsim: %s\nmhsim: nothing was written\n", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void apply_analysis_overrides(const AnalysisOverrides& o, const scenario::PathwayScenario& sc,
                     scenario::AnalysisSettings& s, std::vector<Diagnostic>& errors) {
  std::vector<std::string> arms, partners;
  for (const auto& a : sc.spec.arms) arms.push_back(a.name);
  for (const auto& p : sc.spec.partners) partners.push_back(p.name);
  if (!o.wtp.empty()) {
    std::vector<double> values;
    for (const std::string& part : split(o.wtp, ',')) {
      if (auto v = number_option(part, "--wtp", 0, 1e12, "comma-separated amounts in pounds, each >= 0", errors)) {
        values.push_back(*v);
      }
    }
    s.willingness_to_pay = values;
  }
  if (!o.discount_rate.empty()) {
    if (auto v = number_option(o.discount_rate, "--discount-rate", 0, 1, "a yearly rate in [0, 1], e.g. 0.035", errors)) {
      s.discount_rate = *v;
    }
  }
  if (!o.horizon.empty()) {
    const std::string expected = "whole years in [1, " + std::to_string(sc.spec.years) + "] (the run's years)";
    if (auto v = number_option(o.horizon, "--horizon", 1, static_cast<double>(sc.spec.years), expected, errors)) {
      if (*v != std::floor(*v)) errors.push_back(Diagnostic{"command line", 0, 0, "--horizon", expected, "\"" + o.horizon + "\""});
      else s.horizon_years = static_cast<std::size_t>(*v);
    }
  }
  if (!o.effect.empty()) {
    if (o.effect == "qalys" || o.effect == "wemwbs_points") s.effect = o.effect;
    else errors.push_back(Diagnostic{"command line", 0, 0, "--effect", "one of \"qalys\", \"wemwbs_points\"", "\"" + o.effect + "\""});
  }
  if (!o.cost_basis.empty()) {
    if (o.cost_basis == "ledger" || o.cost_basis == "commissioner_spend") s.cost_basis = o.cost_basis;
    else errors.push_back(Diagnostic{"command line", 0, 0, "--cost-basis", "one of \"ledger\", \"commissioner_spend\"",
                                     "\"" + o.cost_basis + "\""});
  }
  if (!o.base_arm.empty()) {
    bool found = false;
    for (std::size_t a = 0; a < arms.size(); ++a) {
      if (arms[a] == o.base_arm) {
        s.base_arm = a;
        found = true;
      }
    }
    if (!found) errors.push_back(Diagnostic{"command line", 0, 0, "--base-arm", "an arm of the run (" + names_list(arms) + ")", "\"" + o.base_arm + "\""});
  }
  if (!o.risk_level.empty()) {
    if (auto v = number_option(o.risk_level, "--risk-level", 0.5, 0.9999, "a level in [0.5, 0.9999], e.g. 0.95", errors)) {
      s.risk_level = *v;
    }
  }
  if (!o.budget.empty()) {
    if (auto v = number_option(o.budget, "--budget", 0, 1e15, "pounds a year, >= 0", errors)) s.commissioner_budget = *v;
  }
  if (s.reserves.size() != partners.size()) s.reserves.assign(partners.size(), std::nan(""));
  for (const std::string& r : o.reserves) {
    const std::size_t eq = r.find('=');
    const std::string name = eq == std::string::npos ? "" : r.substr(0, eq);
    std::size_t p = partners.size();
    for (std::size_t i = 0; i < partners.size(); ++i) {
      if (partners[i] == name) p = i;
    }
    if (p == partners.size()) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--reserve",
                                  "partner=pounds with a partner of the run (" + names_list(partners) + ")", "\"" + r + "\""});
      continue;
    }
    if (auto v = number_option(r.substr(eq + 1), "--reserve", 0, 1e15, "partner=pounds with pounds >= 0", errors)) {
      s.reserves[p] = *v;
    }
  }
}

int report_command(const ReportOptions& o) {
  std::vector<Diagnostic> errors;
  if (o.html.empty() && o.json.empty() && o.csv.empty() && o.h5.empty() && o.replications.empty()) {
    errors.push_back(Diagnostic{"command line", 0, 0, "report",
                                "at least one of --html FILE, --json FILE, --csv DIR, --h5 FILE, --replications FILE",
                                "none"});
  }
  if (!o.labels.empty() && o.labels.size() != o.results.size()) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--label", "one label per results file (" +
                                std::to_string(o.results.size()) + ")", std::to_string(o.labels.size()) + " labels"});
  }
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < o.results.size(); ++i) {
    labels.push_back(i < o.labels.size() ? o.labels[i] : std::filesystem::path(o.results[i]).filename().string());
    for (std::size_t j = 0; j < i; ++j) {
      if (labels[j] == labels[i]) {
        errors.push_back(Diagnostic{"command line", 0, 0, o.labels.empty() ? "results" : "--label",
                                    "a different name for each results file (give --label)", "\"" + labels[i] + "\" twice"});
      }
    }
  }
  // Every file is opened and analysed before anything is written, and every problem with any
  // of them is reported at once.
  std::vector<analysis::SideRun> runs;
  bool failed = false;
  for (std::size_t i = 0; i < o.results.size(); ++i) {
    int code = kExitOk;  // analyse() refuses a file with kExitBadInput, the code returned below
    std::optional<analysis::Analysis> a = analyse(o.results[i], o.overrides, errors, code);
    if (!a) {
      failed = true;
      continue;
    }
    runs.push_back({labels[i], std::move(*a)});
  }
  if (failed || !errors.empty()) {
    if (!errors.empty()) print_diagnostics(errors);
    return kExitBadInput;
  }
  std::string explorer;  // the terms explorer's data and module (issue 17), for the page only
  if (!o.html.empty()) {
    try {
      explorer = explorer_script(o.results.front(), runs.front().analysis, o.explorer_max_replications);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mhsim: %s\nmhsim: nothing was written\n", e.what());
      return kExitFailure;
    }
  }
  // The tidy per-replication table of the first results file (the one reported in full).
  std::vector<std::pair<std::string, std::string>> extra;
  if (!o.replications.empty()) {
    try {
      const analysis::ResultsReader file(o.results.front());
      extra.emplace_back(o.replications, analysis::replications_csv(file, runs.front().analysis));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mhsim: %s\nmhsim: nothing was written\n", e.what());
      return kExitFailure;
    }
  }
  const auto written = [&](int code) {
    if (code == kExitOk && !o.quiet && !o.replications.empty()) {
      const std::string& text = extra.front().second;
      std::fprintf(stderr, "mhsim: wrote %s (%zu rows: one per arm, replication, year and metric)\n", o.replications.c_str(),
                   static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 1);
    }
    return code;
  };
  if (runs.size() == 1) {
    return written(write_outputs(runs.front().analysis, o.html, o.json, o.csv, o.assets, o.quiet, o.h5, nullptr, extra,
                                 nullptr, nullptr, explorer, static_cast<std::size_t>(o.chart_samples)));
  }
  const analysis::SideBySide sb = analysis::side_by_side(std::move(runs));
  if (!o.csv.empty()) extra.emplace_back((std::filesystem::path(o.csv) / "side_by_side.csv").string(), analysis::side_by_side_csv(sb));
  return written(write_outputs(sb.runs.front().analysis, o.html, o.json, o.csv, o.assets, o.quiet, o.h5, nullptr, extra,
                               nullptr, &sb, explorer, static_cast<std::size_t>(o.chart_samples)));
}

int write_design_report(const DesignOptions& o, const analysis::Design& design, const std::string& csv) {
  std::vector<Diagnostic> errors;
  int code = kExitOk;
  const std::optional<analysis::Analysis> a = analyse(o.results, o.overrides, errors, code);
  if (!a || !errors.empty()) {
    if (!errors.empty()) print_diagnostics(errors);
    return a ? kExitBadInput : code;
  }
  std::vector<std::pair<std::string, std::string>> extra;
  if (!o.out.empty()) extra.emplace_back(o.out, csv);
  // The page of a large run draws its charts from order statistics, as mhsim report's does by
  // default (--chart-samples); the JSON file keeps every replication.
  return write_outputs(*a, o.html, o.json, "", o.assets, false, "", &design, extra, nullptr, nullptr, "",
                       static_cast<std::size_t>(kDefaultChartSamples));
}

int write_stress_report(const StressOptions& o, const analysis::Stress& stress,
                        const std::vector<std::pair<std::string, std::string>>& extra) {
  return write_outputs(stress.cases.front().analysis, o.html, o.json, "", o.assets, false, "", nullptr, extra, &stress,
                       nullptr, "", static_cast<std::size_t>(kDefaultChartSamples));
}

void check_report_assets(const std::string& given, std::vector<Diagnostic>& errors) {
  try {
    (void)analysis::load_report_assets(assets_dir(given));
  } catch (const std::exception& e) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--assets", "the report's assets (for --html)", e.what()});
  }
}

int compare_command(const CompareOptions& o) {
  std::vector<Diagnostic> errors;
  std::set<std::string> shown;
  int code = kExitOk;
  const auto choose_arms = [&](scenario::AnalysisSettings& s, const scenario::PathwayScenario& sc) {
    if (o.arms.empty()) return;
    std::vector<std::string> names;
    for (const auto& arm : sc.spec.arms) names.push_back(arm.name);
    const std::vector<std::string> wanted = split(o.arms, ',');
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const auto it = std::find(names.begin(), names.end(), wanted[i]);
      if (it == names.end()) {
        errors.push_back(Diagnostic{"command line", 0, 0, "--arms", "arms of the run (" + names_list(names) + ")",
                                    "\"" + wanted[i] + "\""});
        continue;
      }
      if (i == 0) s.base_arm = static_cast<std::size_t>(it - names.begin());
      shown.insert(wanted[i]);
    }
  };
  const std::optional<analysis::Analysis> a = analyse(o.results, o.overrides, errors, code, choose_arms);
  if (!a) {
    if (!errors.empty()) print_diagnostics(errors);
    return code;
  }
  print_comparison(*a, shown);
  if (o.csv.empty() && o.json.empty()) return kExitOk;
  return write_outputs(*a, "", o.json, o.csv, "", false);
}

}  // namespace mhsim::cli
