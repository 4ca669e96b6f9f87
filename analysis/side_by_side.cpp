// SPDX-License-Identifier: MIT
#include "analysis/side_by_side.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "analysis/summary.hpp"
#include "analysis/text_format.hpp"

namespace mhsim::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const MetricRow* find_metric(const Analysis& a, const std::string& metric, const std::string& arm) {
  for (const MetricRow& m : a.metrics) {
    if (m.metric == metric && m.arm == arm) return &m;
  }
  return nullptr;
}

// Per-replication values of a headline metric of one arm, in replication order; empty when the
// analysis does not have it.
std::vector<double> replication_values(const Analysis& a, const std::string& metric, const std::string& arm) {
  const auto it = std::find(a.arms.begin(), a.arms.end(), arm);
  if (it == a.arms.end()) return {};
  const std::size_t k = static_cast<std::size_t>(it - a.arms.begin());
  for (const auto& [id, values] : a.headline_values) {
    if (id == metric && k < values.size()) return values[k];
  }
  return {};
}

}  // namespace

const std::vector<std::string>& side_by_side_metrics() {
  static const std::vector<std::string> m = {"commissioner_spend", "cost_contracted", "cost", "cost_wider_system",
                                             "qalys", "wemwbs_points"};
  return m;
}

SideBySide side_by_side(std::vector<SideRun> runs) {
  SideBySide out;
  out.runs = std::move(runs);
  for (const SideRun& run : out.runs) {
    const Analysis& a = run.analysis;
    for (const std::string& arm : a.arms) {
      for (const std::string& metric : side_by_side_metrics()) {
        if (const MetricRow* m = find_metric(a, metric, arm)) out.figures.push_back({run.label, arm, metric, m->label, m->unit, m->summary});
      }
    }
    for (const RiskRow& r : a.risk) {
      out.risk.push_back(r);
      out.risk_runs.push_back(run.label);
    }
  }
  if (out.runs.empty()) return out;
  const Analysis& ref = out.runs.front().analysis;
  for (std::size_t k = 1; k < out.runs.size(); ++k) {
    const Analysis& a = out.runs[k].analysis;
    // The same people: the same seed and the same replications (numbers 0..R-1 of the run).
    const bool same_people = a.seed == ref.seed && a.replications == ref.replications;
    for (const std::string& arm : a.arms) {
      for (const std::string& metric : side_by_side_metrics()) {
        const MetricRow* m = find_metric(a, metric, arm);
        const MetricRow* b = find_metric(ref, metric, arm);
        if (m == nullptr || b == nullptr) continue;
        SideChange c{out.runs[k].label, out.runs.front().label, arm, metric, m->label, m->unit};
        const std::vector<double> x = same_people ? replication_values(a, metric, arm) : std::vector<double>{};
        const std::vector<double> y = same_people ? replication_values(ref, metric, arm) : std::vector<double>{};
        if (!x.empty() && x.size() == y.size()) {
          const decision::Paired p = decision::paired(y, x);
          c.paired = true;
          c.mean = p.mean_difference;
          c.ci_low = p.ci_low;
          c.ci_high = p.ci_high;
          c.prob_lower = p.prob_b_below_a;
        } else {
          // Different people: the difference of two independent means, Welch's interval.
          const decision::Summary& s1 = m->summary;
          const decision::Summary& s0 = b->summary;
          c.mean = s1.mean - s0.mean;
          const double v1 = s1.se * s1.se, v0 = s0.se * s0.se, se = std::sqrt(v1 + v0);
          c.prob_lower = kNaN;
          if (se > 0 && s1.n > 1 && s0.n > 1) {
            const double df = (v1 + v0) * (v1 + v0) /
                              (v1 * v1 / static_cast<double>(s1.n - 1) + v0 * v0 / static_cast<double>(s0.n - 1));
            const double t = t_critical(0.95, static_cast<std::uint64_t>(std::max(1.0, std::floor(df))));
            c.ci_low = c.mean - t * se;
            c.ci_high = c.mean + t * se;
          } else {
            c.ci_low = c.ci_high = c.mean;
          }
        }
        out.changes.push_back(std::move(c));
      }
    }
  }
  return out;
}

std::string side_by_side_csv(const SideBySide& s) {
  std::string out = "run,arm,metric,label,unit,n,mean,ci_low,ci_high,q05,q95,change_from,change,change_ci_low,"
                    "change_ci_high,paired,prob_lower\n";
  const auto quoted = [](const std::string& t) {
    if (t.find_first_of(",\"\n") == std::string::npos) return t;
    std::string q = "\"";
    for (char ch : t) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  for (const SideFigure& f : s.figures) {
    out += quoted(f.run) + "," + quoted(f.arm) + "," + f.metric + "," + quoted(f.label) + "," + quoted(f.unit) + "," +
           std::to_string(f.summary.n) + "," + csv_number(f.summary.mean) + "," + csv_number(f.summary.ci_low) + "," +
           csv_number(f.summary.ci_high) + "," + csv_number(f.summary.q05) + "," + csv_number(f.summary.q95);
    const SideChange* c = nullptr;
    for (const SideChange& x : s.changes) {
      if (x.run == f.run && x.arm == f.arm && x.metric == f.metric) c = &x;
    }
    if (c != nullptr) {
      out += "," + quoted(c->base_run) + "," + csv_number(c->mean) + "," + csv_number(c->ci_low) + "," + csv_number(c->ci_high) +
             "," + (c->paired ? "1" : "0") + "," + csv_number(c->prob_lower);
    } else {
      out += ",,,,,,";
    }
    out += "\n";
  }
  return out;
}

}  // namespace mhsim::analysis
