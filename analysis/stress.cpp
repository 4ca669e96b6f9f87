// SPDX-License-Identifier: MIT
#include "analysis/stress.hpp"

#include "analysis/summary.hpp"
#include "analysis/text_format.hpp"

#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

namespace mhsim::analysis {
namespace {

std::string csv_cell(double x) { return csv_number(x); }
std::string csv_cell(const std::optional<double>& x) { return x ? csv_number(*x) : std::string(); }

}  // namespace

std::vector<std::pair<std::string, std::string>> stress_shown_rows(const Stress& s) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::set<std::pair<std::string, std::string>> seen;
  for (const StressCase& c : s.cases) {
    for (const RiskRow& r : c.analysis.risk) {
      const bool shown = r.commissioner || r.p_any_painshare > 0 || (r.p_cap_binds && *r.p_cap_binds > 0);
      if (shown && seen.insert({r.arm, r.partner}).second) rows.emplace_back(r.arm, r.partner);
    }
  }
  return rows;
}

std::optional<double> change_from_base(const Stress& s, const StressCase& c, const RiskRow& r) {
  if (s.cases.empty() || &c == &s.cases.front()) return std::nullopt;
  for (const RiskRow& b : s.cases.front().analysis.risk) {
    if (b.arm == r.arm && b.partner == r.partner) return r.mean_payment - b.mean_payment;
  }
  return std::nullopt;
}

std::string stress_csv(const Stress& s) {
  std::string out =
      "case,arm,partner,commissioner,mean_payment,mean_margin,mean_painshare,var,es,reserve,p_above_reserve,"
      "p_any_painshare,p_cap_binds,p_exhausted,lowest_reserve_mean,lowest_reserve_q05,reserves_needed,spend_q05,"
      "spend_q95\n";
  for (const StressCase& c : s.cases) {
    for (const RiskRow& r : c.analysis.risk) {
      out += c.name + "," + r.arm + "," + r.partner + "," + (r.commissioner ? "1" : "0") + "," +
             csv_cell(r.mean_payment) + "," + csv_cell(r.mean_margin) + "," + csv_cell(r.mean_painshare) + "," +
             csv_cell(r.var) + "," + csv_cell(r.es) + "," + csv_cell(r.reserve) + "," + csv_cell(r.p_above_reserve) +
             "," + csv_cell(r.p_any_painshare) + "," + csv_cell(r.p_cap_binds) + "," + csv_cell(r.p_exhausted) + "," +
             (r.lowest_reserve ? csv_cell(r.lowest_reserve->mean) : "") + "," +
             (r.lowest_reserve ? csv_cell(r.lowest_reserve->q05) : "") + "," + csv_cell(r.reserves_needed) + "," +
             (r.spend ? csv_cell(r.spend->q05) : "") + "," + (r.spend ? csv_cell(r.spend->q95) : "") + "\n";
    }
  }
  return out;
}

}  // namespace mhsim::analysis
