// SPDX-License-Identifier: MIT
// mhsim sweep: re-settles a run's stored ledgers over a grid of contract terms, without
// re-simulating (settlement is a pure function of ledger, KPIs and terms, and behaviour
// does not depend on the terms). Prints, per combination, arm and partner, the payout
// distribution; writes the same table as CSV; reports what the sweep cost against one
// settlement pass and against the simulation that produced the ledgers.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "analysis/merge.hpp"
#include "analysis/partner_risk.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/results_file.hpp"
#include "analysis/sha256.hpp"
#include "cli/commands.hpp"
#include "models/contracts/pathway_ledger.hpp"
#include "models/scenario/analysis_settings.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::cli {

namespace {

namespace ct = models::contracts;
namespace pw = models::pathway;
using scenario::Diagnostic;
using Clock = std::chrono::steady_clock;

struct Axis {
  std::string path;
  std::vector<double> values;
};

// "path=v", "path=a,b,c" or "path=from:to:step" (inclusive of `to` within step/1e6). A listed
// value may be "inf" (how a limit such as pain_cap is removed; the term's own rules decide
// whether it takes one); ranges are finite.
std::optional<Axis> parse_set(const std::string& text, std::vector<Diagnostic>& errors) {
  const auto bad = [&](const std::string& why) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--set", why, "\"" + text + "\""});
    return std::nullopt;
  };
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return bad("path=value, path=a,b,c or path=from:to:step");
  Axis axis{text.substr(0, eq), {}};
  const std::string spec = text.substr(eq + 1);
  const auto number = [](const std::string& s, double& x) {
    char* end = nullptr;
    x = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size() && std::isfinite(x);
  };
  const auto value = [&](const std::string& s, double& x) {
    if (s == "inf" || s == "+inf") {
      x = std::numeric_limits<double>::infinity();
      return true;
    }
    return number(s, x);
  };
  if (std::count(spec.begin(), spec.end(), ':') == 2) {
    const auto c1 = spec.find(':'), c2 = spec.rfind(':');
    double from, to, step;
    if (!number(spec.substr(0, c1), from) || !number(spec.substr(c1 + 1, c2 - c1 - 1), to) ||
        !number(spec.substr(c2 + 1), step) || !(step > 0) || to < from) {
      return bad("from:to:step with from <= to and step > 0");
    }
    const double n = std::floor((to - from) / step + 1e-6);
    if (n > 1e5) return bad("at most 100,000 values on one axis");
    for (double k = 0; k <= n; ++k) axis.values.push_back(from + k * step);
  } else {
    std::size_t start = 0;
    while (start <= spec.size()) {
      const auto comma = spec.find(',', start);
      const std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      double x;
      if (!value(item, x)) return bad("numbers (or inf): path=value, path=a,b,c or path=from:to:step");
      axis.values.push_back(x);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return axis;
}

std::string csv_number(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

}  // namespace

int sweep_command(const SweepOptions& options) {
  std::vector<Diagnostic> errors;
  std::vector<Axis> axes;
  for (const std::string& s : options.sets) {
    if (auto a = parse_set(s, errors)) axes.push_back(*a);
  }
  double combinations = 1;
  for (const Axis& a : axes) combinations *= static_cast<double>(a.values.size());
  if (combinations > 1e6) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--set", "at most 1,000,000 combinations", csv_number(combinations)});
  }
  std::optional<scenario::PathwayScenario> base;
  scenario::AnalysisSettings settings;
  try {
    base = scenario::load_pathway_scenario(options.scenario);
    settings = base->analysis;
  } catch (const scenario::ScenarioError& e) {
    errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  std::vector<pw::PathwayResult> results;
  double simulation_seconds = 0;
  if (base) {
    try {
      const analysis::ResultsReader file(options.results);
      if (!file.has_attribute("scenario_sha256") ||
          file.string_attribute("scenario_sha256") != analysis::sha256_hex(base->text)) {
        errors.push_back(Diagnostic{options.results, 0, 0, "scenario_sha256",
                                    "results of this scenario file (run it with mhsim run first)",
                                    "results of another scenario or version of it"});
      } else {
        const std::vector<std::string> names = file.datasets();
        const bool has_ledger = std::find(names.begin(), names.end(), "ledger/partner_cost") != names.end();
        const std::vector<std::uint64_t> shape = has_ledger ? file.shape("ledger/partner_cost") : std::vector<std::uint64_t>{};
        analysis::require_complete_run(file, options.results, shape.empty() ? 0 : shape[0]);
        results = analysis::read_pathway_results(file);
        if (file.has_attribute("wall_seconds")) simulation_seconds = file.double_attribute("wall_seconds");
      }
    } catch (const std::exception& e) {
      errors.push_back(Diagnostic{options.results, 0, 0, "", "a pathway results file", e.what()});
    }
    apply_analysis_overrides(options.overrides, *base, settings, errors);
    // Every combination's terms must be valid before anything is settled.
    for (const Axis& a : axes) {
      scenario::PathwayScenario probe = *base;
      for (const double v : a.values) {
        if (auto problem = scenario::set_contract_term(probe, a.path, v)) {
          errors.push_back(Diagnostic{"command line", 0, 0, "--set " + a.path, "a settable contract term", *problem});
          break;
        }
      }
    }
  }
  if (!errors.empty()) {
    for (const Diagnostic& d : errors) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    std::fprintf(stderr, "mhsim: %zu error%s; nothing was written\n", errors.size(), errors.size() == 1 ? "" : "s");
    return kExitBadInput;
  }
  const pw::PathwaySpec& spec = base->spec;
  const std::size_t A = spec.arms.size(), Y = static_cast<std::size_t>(spec.years), P = spec.partners.size();
  // The risk columns cover the agreement's first H years (analysis.horizon_years, else all).
  const std::size_t H = settings.horizon_years == 0 ? Y : std::min(settings.horizon_years, Y);
  if (settings.reserves.size() != P) settings.reserves.assign(P, std::numeric_limits<double>::quiet_NaN());

  // Settlement inputs are built once: each combination costs only the settlements.
  std::vector<ct::YearInput> inputs(results.size() * A * Y);
  const ct::LedgerShape shape = ct::ledger_shape(spec, base->group_share);
  for (std::size_t r = 0; r < results.size(); ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t y = 0; y < Y; ++y) {
        ct::YearInput& in = inputs[(r * A + a) * Y + y];
        ct::from_arm_result(shape, results[r].arms[a], y, in);
      }
    }
  }

  std::string csv = "combination";
  for (const Axis& a : axes) csv += "," + a.path;
  csv += ",arm,partner,mean_payment,mean_margin,mean_gain_pain,p_pain,p5_gain_pain,p_pain_cap_binds,mean_commissioner_spend,"
         "horizon_years,mean_painshare,var_painshare,es_painshare,p_partner_cap_binds,reserve,p_painshare_above_reserve,"
         "p_reserves_exhausted,lowest_reserve_q05,reserves_needed,commissioner_spend_horizon,var_commissioner_spend\n";
  std::vector<std::size_t> index(axes.size(), 0);
  const auto total = static_cast<std::size_t>(combinations);
  const auto t0 = Clock::now();
  double first_pass = 0;
  ct::YearPayout pay;
  std::vector<std::vector<double>> partner_rows(A), arm_rows(A);  // per arm, [R][Y][P][F] and [R][Y][G]
  std::vector<std::string> problems;
  for (std::size_t c = 0; c < total; ++c) {
    const auto tc = Clock::now();
    scenario::PathwayScenario sc = *base;
    std::string values;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      (void)scenario::set_contract_term(sc, axes[k].path, axes[k].values[index[k]]);
      values += "," + csv_number(axes[k].values[index[k]]);
    }
    for (std::size_t a = 0; a < A; ++a) {
      for (const std::string& m : ct::check_terms(sc.contracts[a].terms, P, spec.services.size())) {
        problems.push_back("combination " + std::to_string(c) + values + ": arm " + spec.arms[a].name + ": " + m);
      }
    }
    if (problems.empty()) {
      const analysis::ResolvedTerms terms = analysis::resolve_terms(spec, sc.contracts, results);
      // One summary of settled payouts for sweeps, run and merge (analysis::PayoutSummariser).
      analysis::PayoutSummariser summariser(A, Y, P);
      const std::size_t R = results.size(), PF = Y * P * analysis::kPartnerPayoutFieldCount,
                        AF = Y * analysis::kArmPayoutFieldCount;
      for (std::size_t a = 0; a < A; ++a) {
        partner_rows[a].assign(R * PF, 0.0);
        arm_rows[a].assign(R * AF, 0.0);
      }
      for (std::size_t r = 0; r < R; ++r) {
        for (std::size_t a = 0; a < A; ++a) {
          if (terms.arms[a].contracts.empty()) continue;
          double* prow = &partner_rows[a][r * PF];
          double* arow = &arm_rows[a][r * AF];
          ct::AgreementState agreement;
          for (std::size_t y = 0; y < Y; ++y) {
            ct::settle(terms.arms[a], inputs[(r * A + a) * Y + y], pay);
            ct::carry(terms.arms[a], y + 1 == Y, agreement, pay);
            const auto arm_f = analysis::arm_fields(pay);
            std::copy(arm_f.begin(), arm_f.end(), arow + y * arm_f.size());
            for (std::size_t p = 0; p < P; ++p) {
              const auto f = analysis::partner_fields(pay.partners[p]);
              std::copy(f.begin(), f.end(), prow + (y * P + p) * f.size());
            }
          }
          summariser.add(a, prow, arow);
        }
      }
      const std::vector<analysis::ArmPayoutSummary> summary = summariser.summaries();
      for (std::size_t a = 0; a < A; ++a) {
        if (!summary[a].settled) continue;
        // Risk over the agreement: one definition with `mhsim report` (analysis::partner_risk).
        const analysis::ArmPayoutRows rows{partner_rows[a].data(), arm_rows[a].data(), R, Y, P, PF, AF};
        const analysis::RiskRow commissioner =
            analysis::commissioner_risk(rows, H, std::numeric_limits<double>::quiet_NaN(), settings.risk_level);
        for (std::size_t p = 0; p < P; ++p) {
          const analysis::PartnerPayoutSummary& q = summary[a].partners[p];
          if (!q.in_contract) continue;
          const analysis::PartnerRisk risk =
              analysis::partner_risk(rows, p, H, sc.contracts[a].terms, settings.reserves[p], settings.risk_level);
          const analysis::RiskRow& k = risk.row;
          const auto opt = [](const std::optional<double>& v) { return v ? csv_number(*v) : std::string(); };
          const auto num = [&](double v) { return risk.takes_part ? csv_number(v) : std::string(); };
          csv += std::to_string(c) + values + "," + spec.arms[a].name + "," + spec.partners[p].name + "," +
                 csv_number(q.payment.mean) + "," + csv_number(q.margin.mean) + "," + csv_number(q.gain_pain.mean) +
                 "," + csv_number(q.p_pain) + "," + csv_number(q.p5_gain_pain) + "," +
                 csv_number(summary[a].p_pain_cap_binds) + "," + csv_number(summary[a].commissioner_spend.mean) + "," +
                 std::to_string(H) + "," + num(k.mean_painshare) + "," + num(k.var) + "," + num(k.es) + "," +
                 opt(k.p_cap_binds) + "," + opt(k.reserve) + "," + opt(k.p_above_reserve) + "," + opt(k.p_exhausted) +
                 "," + (k.lowest_reserve ? csv_number(k.lowest_reserve->q05) : std::string()) + "," +
                 num(k.reserves_needed) + "," + csv_number(commissioner.mean_payment) + "," +
                 csv_number(commissioner.var) + "\n";
        }
      }
    }
    if (c == 0) first_pass = std::chrono::duration<double>(Clock::now() - tc).count();
    for (std::size_t k = axes.size(); k-- > 0;) {  // odometer: the last axis turns fastest
      if (++index[k] < axes[k].values.size()) break;
      index[k] = 0;
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!problems.empty()) {
    for (const std::string& p : problems) std::fprintf(stderr, "%s\n", p.c_str());
    std::fprintf(stderr, "mhsim: %zu invalid combination%s; nothing was written\n", problems.size(),
                 problems.size() == 1 ? "" : "s");
    return kExitBadInput;
  }
  if (!options.out.empty()) {
    try {
      analysis::OutputFiles files;  // all or nothing, no temporary left behind (issue 18)
      files.write(options.out, csv);
      files.commit();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mhsim: %s\nmhsim: %s is unchanged\n", e.what(), options.out.c_str());
      return kExitFailure;
    }
  } else {
    std::fputs(csv.c_str(), stdout);
  }
  std::fprintf(stderr,
               "mhsim sweep: %zu combination%s x %zu replications x %zu arms x %zu years settled in %.3f s; one "
               "settlement pass %.4f s (sweep / one pass = %.1f)",
               total, total == 1 ? "" : "s", results.size(), A, Y, seconds, first_pass,
               first_pass > 0 ? seconds / first_pass : 0.0);
  if (simulation_seconds > 0) {
    std::fprintf(stderr, "; the simulation took %.2f s (sweep / simulation = %.3f)", simulation_seconds,
                 seconds / simulation_seconds);
  }
  std::fprintf(stderr, "\n");
  if (!options.out.empty()) std::printf("%s: %zu combinations\n", options.out.c_str(), total);
  return kExitOk;
}

}  // namespace mhsim::cli
