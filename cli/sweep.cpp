// SPDX-License-Identifier: MIT
// mhsim sweep: re-settles a run's stored ledgers over a grid of contract terms, without
// re-simulating (settlement is a pure function of ledger, KPIs and terms, and behaviour
// does not depend on the terms). Prints, per combination, arm and partner, the payout
// distribution; writes the same table as CSV; reports what the sweep cost against one
// settlement pass and against the simulation that produced the ledgers.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "analysis/decision.hpp"
#include "analysis/design.hpp"
#include "analysis/merge.hpp"
#include "analysis/partner_risk.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/results_analysis.hpp"
#include "analysis/results_file.hpp"
#include "analysis/text_format.hpp"
#include "analysis/sha256.hpp"
#include "cli/commands.hpp"
#include "cli/term_sets.hpp"
#include "cli/text.hpp"
#include "models/contracts/pathway_ledger.hpp"
#include "models/scenario/analysis_settings.hpp"
#include "models/schema/limits.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "pipeline/version.hpp"

namespace mhsim::cli {

namespace {

namespace ct = models::contracts;
namespace pw = models::pathway;
using scenario::Diagnostic;
using Clock = std::chrono::steady_clock;

using analysis::csv_number;  // one rule for every CSV file: analysis/text_format.hpp

/// A term's value on the grid: as csv_number, but a term with no limit is "inf", as the
/// command line writes it (--set ...pain_cap=inf), not an empty cell.
std::string term_number(double v) { return std::isinf(v) ? (v > 0 ? "inf" : "-inf") : csv_number(v); }

constexpr std::size_t kTermAxis = std::numeric_limits<std::size_t>::max();

// A grid of contract terms over a run's stored ledgers, loaded and checked (sweep, design).
struct Grid {
  std::optional<scenario::PathwayScenario> base;
  scenario::AnalysisSettings settings;
  std::vector<pw::PathwayResult> results;
  std::vector<Axis> axes;
  /// [axes] the partner whose opening reserves the axis sets (partners.<partner>.reserves),
  /// or kTermAxis for a contract term. Reserves move only the risk columns, never a payout.
  std::vector<std::size_t> reserve_partner;
  std::size_t total = 0;  ///< combinations
  std::size_t H = 0;      ///< years of the agreement the risk covers
  /// Commissioners with columns of their own: the scenario's when it names several
  /// (`[commissioners.<name>]`, a pooled budget), else 0 (one commissioner pays all).
  std::size_t K = 0;
  /// Quarters of the per-replication file's sweep/cash: 4 x years + the longest
  /// reconciliation lag an arm paid on account takes in any combination; 0 when no arm is
  /// (`interim` is not a number, so no axis turns it on).
  std::size_t cash_quarters = 0;
  double simulation_seconds = 0;
};

// One (combination, arm, partner in contract) of a settled grid.
struct GridCell {
  std::size_t combination = 0;  ///< kReference: the scenario's own terms
  const std::vector<std::string>* values = nullptr;  ///< the axes' values, as the CSV writes them
  std::size_t arm = 0, partner = 0;
  const analysis::PartnerPayoutSummary* q = nullptr;
  const analysis::ArmPayoutSummary* arm_summary = nullptr;
  const analysis::PartnerRisk* risk = nullptr;
  const analysis::RiskRow* commissioner = nullptr;
  const analysis::RiskRow* commissioners = nullptr;  ///< [Grid::K] each pooling commissioner's, in the arm
};
constexpr std::size_t kReference = std::numeric_limits<std::size_t>::max();

// An axis `partners.<partner>.reserves`: the partner's index, its values checked (finite
// pounds >= 0: a board varies reserves it could hold; "not stated" is the scenario without
// the axis). kTermAxis for any other path (a contract term, checked by the caller). The
// partner must be one of the run's, its reserves set by no earlier axis and no --reserve.
std::size_t reserve_axis(const scenario::PathwayScenario& sc, const Axis& axis, const AnalysisOverrides& overrides,
                         const std::vector<std::size_t>& earlier, std::vector<Diagnostic>& errors) {
  const std::string& path = axis.path;
  if (path.rfind("partners.", 0) != 0) return kTermAxis;
  std::vector<std::string> names;
  for (const pw::PartnerSpec& p : sc.spec.partners) names.push_back(p.name);
  const std::string key = "--set " + path;
  const std::size_t dot = path.rfind('.');
  const std::string partner = dot > 9 ? path.substr(9, dot - 9) : "";
  const auto it = std::find(names.begin(), names.end(), partner);
  if (path.compare(dot + 1, std::string::npos, "reserves") != 0 || it == names.end()) {
    errors.push_back(Diagnostic{"command line", 0, 0, key,
                                "partners.<partner>.reserves with a partner of the run (" + names_list(names) + ")",
                                "\"" + path + "\""});
    return kTermAxis;
  }
  const std::size_t p = static_cast<std::size_t>(it - names.begin());
  for (const double v : axis.values) {
    if (!(v >= 0 && v <= schema::limits::kMaxMoney)) {
      errors.push_back(Diagnostic{"command line", 0, 0, key,
                                  "opening reserves in pounds, finite, in [0, 1e12] (for reserves not stated, leave the "
                                  "partner off the grid)",
                                  std::isinf(v) ? "inf" : csv_number(v)});
      return kTermAxis;
    }
  }
  if (std::find(earlier.begin(), earlier.end(), p) != earlier.end()) {
    errors.push_back(Diagnostic{"command line", 0, 0, key, "one axis for a partner's reserves", "two"});
    return kTermAxis;
  }
  for (const std::string& r : overrides.reserves) {
    if (r.rfind(partner + "=", 0) == 0) {
      errors.push_back(Diagnostic{"command line", 0, 0, key, "either --reserve " + partner + "=pounds or the axis, not both",
                                  "both"});
      return kTermAxis;
    }
  }
  return p;
}

// Loads the scenario and results and checks every axis; problems go to `errors`.
Grid load_grid(const std::string& scenario_file, const std::string& results_file, const std::vector<std::string>& sets,
               const AnalysisOverrides& overrides, std::vector<Diagnostic>& errors) {
  Grid g;
  for (const std::string& s : sets) {
    if (auto a = parse_set(s, errors)) g.axes.push_back(*a);
  }
  double combinations = 1;
  for (const Axis& a : g.axes) combinations *= static_cast<double>(a.values.size());
  if (combinations > 1e6) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--set", "at most 1,000,000 combinations", csv_number(combinations)});
  }
  g.total = static_cast<std::size_t>(std::min(combinations, 1e6));
  try {
    g.base = scenario::load_pathway_scenario(scenario_file);
    g.settings = g.base->analysis;
  } catch (const scenario::ScenarioError& e) {
    errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  if (!g.base) return g;
  try {
    const analysis::ResultsReader file(results_file);
    if (!file.has_attribute("scenario_sha256") ||
        file.string_attribute("scenario_sha256") != analysis::sha256_hex(g.base->text)) {
      errors.push_back(Diagnostic{results_file, 0, 0, "scenario_sha256",
                                  "results of this scenario file (run it with mhsim run first)",
                                  "results of another scenario or version of it"});
    } else if (file.has_attribute("incentives") && file.string_attribute("incentives") == "respond") {
      // Re-settling stored ledgers holds behaviour fixed; with [incentives] the terms move it.
      errors.push_back(Diagnostic{results_file, 0, 0, "incentives",
                                  "results of a run whose providers do not respond to their contracts (re-settling "
                                  "stored ledgers under other terms holds behaviour fixed)",
                                  "a run with [incentives] on: other terms would change what providers do, so run "
                                  "each set of terms with `mhsim run --set` (or `mhsim stress`) instead"});
    } else {
      const std::vector<std::string> names = file.datasets();
      const bool has_ledger = std::find(names.begin(), names.end(), "ledger/partner_cost") != names.end();
      const std::vector<std::uint64_t> shape = has_ledger ? file.shape("ledger/partner_cost") : std::vector<std::uint64_t>{};
      analysis::require_complete_run(file, results_file, shape.empty() ? 0 : shape[0]);
      g.results = analysis::read_pathway_results(file);
      // The run's own `--set` settings: its terms (an alliance paid on account, a share) are
      // the ones its payouts and the report read, and the grid varies them from there.
      if (const std::vector<std::string> settings = analysis::stored_settings(file); !settings.empty()) {
        g.base = scenario::apply_settings(*g.base, settings);
        g.settings = g.base->analysis;
      }
      if (file.has_attribute("wall_seconds")) g.simulation_seconds = file.double_attribute("wall_seconds");
    }
  } catch (const std::exception& e) {
    errors.push_back(Diagnostic{results_file, 0, 0, "", "a pathway results file", e.what()});
  }
  apply_analysis_overrides(overrides, *g.base, g.settings, errors);
  // Every combination's terms must be valid before anything is settled.
  for (const Axis& a : g.axes) {
    g.reserve_partner.push_back(reserve_axis(*g.base, a, overrides, g.reserve_partner, errors));
    if (g.reserve_partner.back() != kTermAxis || a.path.rfind("partners.", 0) == 0) continue;
    scenario::PathwayScenario probe = *g.base;
    for (const double v : a.values) {
      if (auto problem = scenario::set_contract_term(probe, a.path, v)) {
        errors.push_back(Diagnostic{"command line", 0, 0, "--set " + a.path, "a settable contract term", *problem});
        break;
      }
    }
  }
  if (g.base->commissioners.size() > 1) g.K = g.base->commissioners.size();
  const std::size_t Y = static_cast<std::size_t>(g.base->spec.years), P = g.base->spec.partners.size();
  for (const ct::ArmContracts& c : g.base->contracts) {
    const ct::AllianceTerms* a = ct::interim_alliance(c.terms);
    if (a == nullptr) continue;
    std::size_t lag = static_cast<std::size_t>(std::max(0, a->reconciliation_lag));
    for (const Axis& axis : g.axes) {
      const std::string tail = ".reconciliation_lag";
      if (axis.path.size() < tail.size() || axis.path.compare(axis.path.size() - tail.size(), tail.size(), tail) != 0) continue;
      for (const double v : axis.values) lag = std::max(lag, static_cast<std::size_t>(std::max(0.0, v)));
    }
    g.cash_quarters = std::max(g.cash_quarters, 4 * Y + lag);
  }
  // The risk covers the agreement's first H years (analysis.horizon_years, else all).
  g.H = g.settings.horizon_years == 0 ? Y : std::min(g.settings.horizon_years, Y);
  if (g.settings.reserves.size() != P) g.settings.reserves.assign(P, std::numeric_limits<double>::quiet_NaN());
  return g;
}

// ",v1,v2,...": a combination's values as CSV fields after its number.
std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += "," + v;
  return out;
}

int refuse(const std::vector<Diagnostic>& errors) {
  for (const Diagnostic& d : errors) std::fprintf(stderr, "mhsim: %s\n", d.to_string().c_str());
  std::fprintf(stderr, "mhsim: %zu error%s; nothing was written\n", errors.size(), errors.size() == 1 ? "" : "s");
  return kExitBadInput;
}

// One combination settled, as settle_grid shows it to its visitor.
struct SettledCombination {
  std::size_t combination = 0;                        ///< kReference: the scenario's own terms
  std::vector<std::string> values;                    ///< the axes' values, as the CSV writes them
  std::vector<std::string> problems;                  ///< the terms' problems; nothing is settled with any
  bool settled = false;                               ///< settled (not when invalid, or when a later one was)
  std::exception_ptr error;                           ///< what settling it threw, rethrown when it is visited
  std::vector<analysis::ArmPayoutSummary> summary;    ///< [A]
  std::vector<analysis::RiskRow> commissioner;        ///< [A], for settled arms
  std::vector<analysis::PartnerRisk> risk;            ///< [A][P], for partners in contract in settled arms
  std::vector<analysis::RiskRow> pooled;              ///< [A][Grid::K] each pooling commissioner's, settled arms
  std::vector<double> term_values;                    ///< the axes' values
  // Kept only for the per-replication file: [A][R][Y][P][F] (zeros in arms not settled, as in
  // a run's payouts/partner), [A][R][Y][G] (NaN there, as payouts/arm), [A][R][Y][K] each
  // commissioner's spend (NaN there, as payouts/commissioner; K = the scenario's
  // commissioners) and [A][R][Grid::cash_quarters][P][2] receipts and costs (zeros there and
  // in quarters beyond an arm's own, as payouts/cash).
  std::vector<double> partner_rows, arm_rows, commissioner_rows, cash_rows;
  double seconds = 0;                                 ///< settling it (not visiting it)
};

// A worker's buffers, reused from one combination to the next: every element is written
// before it is read, so what a combination gets does not depend on which worker settles it.
struct SettleScratch {
  ct::YearPayout pay;
  std::vector<std::vector<double>> partner_rows, arm_rows;  // per arm, [R][Y][P][F] and [R][Y][G]
  std::vector<std::vector<double>> commissioner_rows;       // per arm, [R][Y][K] (K: the scenario's commissioners)
  std::vector<std::vector<double>> cash_rows;               // per arm, [R][Q][P][2] as payouts/cash (Q: the arm's)
  std::vector<double> receipts, costs;                      // [Q][P] one replication's (contracts::quarterly_cash)
};

constexpr std::size_t kEveryArm = std::numeric_limits<std::size_t>::max();

// Settles combination `c` (kReference: the scenario's own terms) of the grid into `out`, in
// arm `only_arm` or in every arm (kEveryArm), from the settlement inputs built once,
// [R][A][Y]. Every arm's terms are checked. `keep_rows`: copies the settled rows into `out`.
// Pure: reads only `g` and `inputs`.
void settle_combination(const Grid& g, const std::vector<ct::YearInput>& inputs, std::size_t c, std::size_t only_arm,
                        bool settle, bool keep_rows, SettleScratch& scratch, SettledCombination& out) {
  const auto t0 = Clock::now();
  const scenario::PathwayScenario& base = *g.base;
  const pw::PathwaySpec& spec = base.spec;
  const std::size_t A = spec.arms.size(), Y = static_cast<std::size_t>(spec.years), P = spec.partners.size();
  const std::size_t R = g.results.size(), PF = Y * P * analysis::kPartnerPayoutFieldCount,
                    AF = Y * analysis::kArmPayoutFieldCount;
  out.combination = c;
  scenario::PathwayScenario sc = base;
  std::vector<double> reserves = g.settings.reserves;  // [P] the combination's opening reserves
  if (c != kReference) {
    // The combination's value of each axis: the last axis turns fastest.
    std::size_t rest = c;
    std::vector<std::size_t> index(g.axes.size(), 0);
    for (std::size_t k = g.axes.size(); k-- > 0;) {
      index[k] = rest % g.axes[k].values.size();
      rest /= g.axes[k].values.size();
    }
    for (std::size_t k = 0; k < g.axes.size(); ++k) {
      const double v = g.axes[k].values[index[k]];
      if (g.reserve_partner[k] == kTermAxis) (void)scenario::set_contract_term(sc, g.axes[k].path, v);
      else reserves[g.reserve_partner[k]] = v;
      out.values.push_back(term_number(v));
      out.term_values.push_back(v);
    }
  }
  for (std::size_t a = 0; a < A; ++a) {
    for (const std::string& m : ct::check_terms(sc.contracts[a].terms, P, spec.services.size())) {
      out.problems.push_back("combination " + std::to_string(c) + joined(out.values) + ": arm " + spec.arms[a].name + ": " + m);
    }
  }
  if (!settle || !out.problems.empty()) return;
  const analysis::ResolvedTerms terms = analysis::resolve_terms(spec, sc.contracts, g.results);
  // One summary of settled payouts for sweeps, run and merge (analysis::PayoutSummariser).
  analysis::PayoutSummariser summariser(A, Y, P);
  summariser.reserve(R);
  const std::size_t K = base.commissioners.size();  // payouts/commissioner's; the columns are Grid::K's
  // The quarters of each arm's cash: those of an arm paid on account (its risk needs them),
  // and every arm's when the per-replication file holds sweep/cash.
  std::vector<std::size_t> quarters(A, 0);
  scratch.partner_rows.resize(A);
  scratch.arm_rows.resize(A);
  scratch.commissioner_rows.resize(A);
  scratch.cash_rows.resize(A);
  for (std::size_t a = 0; a < A; ++a) {  // every row of an arm with contracts is written before it is read
    if (ct::interim_alliance(terms.arms[a]) != nullptr || (keep_rows && g.cash_quarters > 0)) {
      quarters[a] = ct::cash_quarters(terms.arms[a], Y);
    }
    scratch.partner_rows[a].resize(R * PF);
    scratch.arm_rows[a].resize(R * AF);
    scratch.commissioner_rows[a].resize(R * Y * K);
    scratch.cash_rows[a].resize(R * quarters[a] * P * 2);
  }
  ct::YearPayout& pay = scratch.pay;
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      if (terms.arms[a].contracts.empty() || (only_arm != kEveryArm && a != only_arm)) continue;
      double* prow = &scratch.partner_rows[a][r * PF];
      double* arow = &scratch.arm_rows[a][r * AF];
      double* krow = scratch.commissioner_rows[a].data() + r * Y * K;
      const std::size_t Q = quarters[a];
      scratch.receipts.assign(Q * P, 0.0);  // within capacity after the first: no allocation
      scratch.costs.assign(Q * P, 0.0);
      ct::AgreementState agreement;
      for (std::size_t y = 0; y < Y; ++y) {
        ct::settle_year(terms.arms[a], inputs[(r * A + a) * Y + y], y + 1 == Y, agreement, pay);
        if (Q > 0) ct::quarterly_cash(terms.arms[a], pay, y, scratch.receipts, scratch.costs);
        const auto arm_f = analysis::arm_fields(pay);
        std::copy(arm_f.begin(), arm_f.end(), arow + y * arm_f.size());
        for (std::size_t p = 0; p < P; ++p) {
          const auto f = analysis::partner_fields(pay.partners[p]);
          std::copy(f.begin(), f.end(), prow + (y * P + p) * f.size());
        }
        // Each commissioner's spend, as a run writes payouts/commissioner.
        for (std::size_t k = 0; k < K; ++k) krow[y * K + k] = k < pay.commissioner.size() ? pay.commissioner[k] : 0.0;
      }
      // Receipts and costs by quarter, laid out as payouts/cash.
      double* cash = scratch.cash_rows[a].data() + r * Q * P * 2;
      for (std::size_t i = 0; i < Q * P; ++i) {
        cash[2 * i] = scratch.receipts[i];
        cash[2 * i + 1] = scratch.costs[i];
      }
      summariser.add(a, prow, arow);
    }
  }
  out.summary = summariser.summaries();
  out.commissioner.resize(A);
  out.risk.resize(A * P);
  out.pooled.resize(A * g.K);
  for (std::size_t a = 0; a < A; ++a) {
    if (!out.summary[a].settled) continue;
    // Risk over the agreement: one definition with `mhsim report` (analysis::partner_risk).
    const analysis::ArmPayoutRows rows{scratch.partner_rows[a].data(), scratch.arm_rows[a].data(), R, Y, P, PF, AF};
    analysis::ArmCashRows cash;  // as the report reads it: an arm paid on account brings its cash
    if (ct::interim_alliance(terms.arms[a]) != nullptr) cash = {scratch.cash_rows[a].data(), quarters[a], quarters[a] * P * 2};
    out.commissioner[a] =
        analysis::commissioner_risk(rows, g.H, std::numeric_limits<double>::quiet_NaN(), g.settings.risk_level);
    for (std::size_t p = 0; p < P; ++p) {
      if (!out.summary[a].partners[p].in_contract) continue;
      out.risk[a * P + p] =
          analysis::partner_risk(rows, p, g.H, sc.contracts[a].terms, reserves[p], g.settings.risk_level, cash);
    }
    for (std::size_t k = 0; k < g.K; ++k) {
      const ct::Commissioner& who = base.commissioners[k];
      const std::vector<double> spend =
          analysis::pooled_spend_over_horizon(scratch.commissioner_rows[a].data(), R, Y * K, Y, K, k, g.H);
      out.pooled[a * K + k] = analysis::pooled_commissioner_risk(who.name, spend, g.H, who.budget, g.settings.risk_level);
    }
  }
  if (keep_rows) {
    const std::size_t QF = g.cash_quarters * P * 2;
    out.partner_rows.assign(A * R * PF, 0.0);
    out.arm_rows.assign(A * R * AF, std::numeric_limits<double>::quiet_NaN());
    out.commissioner_rows.assign(A * R * Y * K, std::numeric_limits<double>::quiet_NaN());
    out.cash_rows.assign(A * R * QF, 0.0);
    for (std::size_t a = 0; a < A; ++a) {
      if (!out.summary[a].settled) continue;
      const auto at = [](std::vector<double>& v, std::size_t i) { return v.begin() + static_cast<std::ptrdiff_t>(i); };
      std::copy(scratch.partner_rows[a].begin(), scratch.partner_rows[a].end(), at(out.partner_rows, a * R * PF));
      std::copy(scratch.arm_rows[a].begin(), scratch.arm_rows[a].end(), at(out.arm_rows, a * R * AF));
      std::copy(scratch.commissioner_rows[a].begin(), scratch.commissioner_rows[a].end(),
                at(out.commissioner_rows, a * R * Y * K));
      const std::size_t own = quarters[a] * P * 2;  // the arm's quarters, the first of the file's
      for (std::size_t r = 0; r < R && QF > 0; ++r) {
        std::copy(at(scratch.cash_rows[a], r * own), at(scratch.cash_rows[a], (r + 1) * own),
                  at(out.cash_rows, (a * R + r) * QF));
      }
    }
  }
  out.settled = true;
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
}

// Settles every combination (and first the scenario's own terms when `with_reference`), in
// arm `only_arm` or in every arm (kEveryArm), and visits each partner in contract,
// combination by combination in order. Combinations are
// settled in parallel on TBB's workers, each worker with its own buffers; the visits run on
// one thread at a time in combination order, so what is visited is the same at any number
// of threads. Returns kExitBadInput, having printed them, when some combination's terms are
// invalid together. `seconds` times the grid, `first_pass` its first combination. After a
// combination's cells, `visit_combination` (if any) visits the combination itself, with its
// settled rows when `keep_rows`.
int settle_grid(const Grid& g, bool with_reference, std::size_t only_arm, const std::function<void(const GridCell&)>& visit, double& seconds,
                double& first_pass, bool keep_rows = false,
                const std::function<void(const SettledCombination&)>& visit_combination = {}) {
  const scenario::PathwayScenario& base = *g.base;
  const pw::PathwaySpec& spec = base.spec;
  const std::size_t A = spec.arms.size(), Y = static_cast<std::size_t>(spec.years), P = spec.partners.size();
  const std::size_t R = g.results.size();
  // Settlement inputs are built once: each combination costs only the settlements.
  std::vector<ct::YearInput> inputs(R * A * Y);
  const ct::LedgerShape shape = ct::ledger_shape(spec, base.group_share);
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t y = 0; y < Y; ++y) ct::from_arm_result(shape, g.results[r].arms[a], y, inputs[(r * A + a) * Y + y]);
    }
  }
  const auto t0 = Clock::now();
  std::vector<std::string> problems;
  std::atomic<bool> invalid{false};  // once a combination is invalid nothing more is visited: stop settling
  tbb::enumerable_thread_specific<SettleScratch> scratch;
  // Step 0 is the scenario's own terms, step c + 1 combination c.
  const auto settle_step = [&](std::size_t step) {
    auto done = std::make_shared<SettledCombination>();
    try {
      settle_combination(g, inputs, step == 0 ? kReference : step - 1, only_arm,
                         !invalid.load(std::memory_order_relaxed), keep_rows && step > 0, scratch.local(), *done);
    } catch (...) {
      done->error = std::current_exception();
    }
    if (!done->problems.empty()) invalid.store(true, std::memory_order_relaxed);
    return done;
  };
  const auto visit_step = [&](const SettledCombination& done) {
    const auto tv = Clock::now();
    problems.insert(problems.end(), done.problems.begin(), done.problems.end());
    // As if settled one by one in order: the first failure in order is the one thrown, and
    // after an invalid combination nothing is settled or visited (one left unsettled because
    // a later one was invalid is not visited either: nothing is written then).
    if (problems.empty() && done.error) std::rethrow_exception(done.error);
    if (problems.empty() && done.settled) {
      for (std::size_t a = 0; a < A; ++a) {
        if (!done.summary[a].settled) continue;
        for (std::size_t p = 0; p < P; ++p) {
          const analysis::PartnerPayoutSummary& q = done.summary[a].partners[p];
          if (!q.in_contract) continue;
          visit(GridCell{done.combination, &done.values, a, p, &q, &done.summary[a], &done.risk[a * P + p],
                         &done.commissioner[a], g.K > 0 ? &done.pooled[a * g.K] : nullptr});
        }
      }
      if (visit_combination) visit_combination(done);
    }
    if (done.combination == 0) first_pass = done.seconds + std::chrono::duration<double>(Clock::now() - tv).count();
  };
  // The scenario's own terms, then the first combination alone: "one settlement pass" is
  // timed warm, as the combinations after it run, and without them competing for the
  // processors. Sweep settles its own terms too, unvisited, as a warm-up (one pass more).
  // Then the rest in parallel.
  std::size_t next = 0;
  for (; next <= std::min<std::size_t>(1, g.total); ++next) {
    if (next == 0 && !with_reference) {
      SettledCombination warm_up;
      settle_combination(g, inputs, kReference, only_arm, true, false, scratch.local(), warm_up);
      continue;
    }
    visit_step(*settle_step(next));
  }
  // At most two combinations in flight per worker: memory stays that of a few combinations.
  const std::size_t in_flight = 2 * static_cast<std::size_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  tbb::parallel_pipeline(
      in_flight,
      tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                          [&](tbb::flow_control& fc) -> std::size_t {
                                            if (next > g.total) {
                                              fc.stop();
                                              return 0;
                                            }
                                            return next++;
                                          }) &
          tbb::make_filter<std::size_t, std::shared_ptr<SettledCombination>>(tbb::filter_mode::parallel, settle_step) &
          tbb::make_filter<std::shared_ptr<SettledCombination>, void>(
              tbb::filter_mode::serial_in_order,
              [&](const std::shared_ptr<SettledCombination>& done) { visit_step(*done); }));
  seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!problems.empty()) {
    for (const std::string& m : problems) std::fprintf(stderr, "mhsim: %s\n", m.c_str());
    std::fprintf(stderr, "mhsim: %zu invalid combination%s; nothing was written\n", problems.size(),
                 problems.size() == 1 ? "" : "s");
    return kExitBadInput;
  }
  return kExitOk;
}

void print_cost(const char* command, const Grid& g, double seconds, double first_pass) {
  const std::size_t A = g.base->spec.arms.size(), Y = static_cast<std::size_t>(g.base->spec.years);
  std::fprintf(stderr,
               "mhsim %s: %zu combination%s x %zu replications x %zu arms x %zu years settled in %.3f s; one "
               "settlement pass %.4f s (%s / one pass = %.1f)",
               command, g.total, g.total == 1 ? "" : "s", g.results.size(), A, Y, seconds, first_pass, command,
               first_pass > 0 ? seconds / first_pass : 0.0);
  if (g.simulation_seconds > 0) {
    std::fprintf(stderr, "; the simulation took %.2f s (%s / simulation = %.3f)", g.simulation_seconds, command,
                 seconds / g.simulation_seconds);
  }
  std::fprintf(stderr, "\n");
}

// CSV text to `out` ("" = standard output), all or nothing.
int write_csv(const std::string& out, const std::string& csv) {
  if (out.empty()) {
    std::fputs(analysis::csv_file_text(csv).c_str(), stdout);
    return kExitOk;
  }
  try {
    analysis::OutputFiles files;  // all or nothing, no temporary left behind (issue 18)
    files.write(out, analysis::csv_file_text(csv));
    files.commit();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: %s\nmhsim: %s is unchanged\n", e.what(), out.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

// ",commissioner.<name>.spend_horizon,...": the columns of each pooling commissioner (none
// when the scenario has one commissioner: its columns are commissioner_spend_horizon and
// var_commissioner_spend).
std::string commissioner_header(const scenario::PathwayScenario& sc, std::size_t K) {
  std::string out;
  for (std::size_t k = 0; k < K; ++k) {
    const std::string c = ",commissioner." + sc.commissioners[k].name + ".";
    out += c + "spend_horizon" + c + "var_spend" + c + "p_over_budget";
  }
  return out;
}

// The values of commissioner_header's columns: each commissioner's spend over the horizon
// (mean and VaR) and P(spend > budget x years), empty without a budget (pooled_commissioner_risk).
std::string commissioner_fields(const analysis::RiskRow* rows, std::size_t K) {
  std::string out;
  for (std::size_t k = 0; k < K; ++k) {
    out += "," + csv_number(rows[k].mean_payment) + "," + csv_number(rows[k].var) + "," +
           (rows[k].p_above_reserve ? csv_number(*rows[k].p_above_reserve) : std::string());
  }
  return out;
}

// The per-replication file's provenance, labels and datasets (docs/results-schema.md,
// "Sweep per replication"); rows are combinations.
void define_per_replication(analysis::ResultsWriter& h5, const Grid& g, const SweepOptions& options) {
  const pw::PathwaySpec& spec = g.base->spec;
  const auto A = static_cast<std::uint64_t>(spec.arms.size()), Y = static_cast<std::uint64_t>(spec.years),
             P = static_cast<std::uint64_t>(spec.partners.size()), R = static_cast<std::uint64_t>(g.results.size()),
             T = static_cast<std::uint64_t>(g.axes.size());
  const std::uint64_t F = analysis::kPartnerPayoutFieldCount, G = analysis::kArmPayoutFieldCount;
  h5.attribute("format", std::string("mhsim-sweep"));
  h5.attribute("schema_version", std::uint64_t{1});
  h5.attribute("scenario_file", options.scenario);
  h5.attribute("scenario_sha256", analysis::sha256_hex(g.base->text));
  h5.attribute("results_file", options.results);
  h5.attribute("combinations", static_cast<std::uint64_t>(g.total));
  h5.attribute("replications", R);
  h5.attribute("years", Y);
  h5.attribute("mhsim_version", std::string(mhsim::version()));
  h5.attribute("hdf5_version", analysis::hdf5_library_version());
  h5.attribute("created_utc", analysis::utc_timestamp());
  h5.attribute("command_line", options.command_line);
  std::vector<std::string> paths, arms, partners;
  for (const Axis& a : g.axes) paths.push_back(a.path);
  for (const pw::ArmSpec& a : spec.arms) arms.push_back(a.name);
  for (const pw::PartnerSpec& p : spec.partners) partners.push_back(p.name);
  h5.labels("sweep/term_path", paths);
  h5.labels("sweep/arm_name", arms);
  h5.labels("sweep/partner_name", partners);
  h5.labels("sweep/partner_field",
            std::vector<std::string>(analysis::kPartnerPayoutFields.begin(), analysis::kPartnerPayoutFields.end()));
  h5.labels("sweep/arm_field", std::vector<std::string>(analysis::kArmPayoutFields.begin(), analysis::kArmPayoutFields.end()));
  h5.define("sweep/terms", analysis::ResultsWriter::Type::kFloat64, T);
  // One chunk per (combination, arm): a combination's rows are written whole, chunk by chunk.
  h5.define_shape("sweep/partner", analysis::ResultsWriter::Type::kFloat64, {A, R, Y, P, F}, {1, 1, R, Y, P, F});
  h5.define_shape("sweep/arm", analysis::ResultsWriter::Type::kFloat64, {A, R, Y, G}, {1, 1, R, Y, G});
  // As a run's payouts/commissioner and payouts/cash, when it would write them.
  if (const auto K = static_cast<std::uint64_t>(g.base->commissioners.size()); K > 0) {
    std::vector<std::string> names;
    for (const ct::Commissioner& c : g.base->commissioners) names.push_back(c.name);
    h5.labels("sweep/commissioner_name", names);
    h5.define_shape("sweep/commissioner", analysis::ResultsWriter::Type::kFloat64, {A, R, Y, K}, {1, 1, R, Y, K});
  }
  if (const auto Q = static_cast<std::uint64_t>(g.cash_quarters); Q > 0) {
    h5.define_shape("sweep/cash", analysis::ResultsWriter::Type::kFloat64, {A, R, Q, P, 2}, {1, 1, R, Q, P, 2});
  }
}

}  // namespace

namespace {
// Digits after the decimal point of a plain decimal ("0.05": 2, "3": 0), or -1 for anything
// else (an exponent, "inf").
int decimal_places(const std::string& s) {
  if (s.find_first_of("eEnN") != std::string::npos) return -1;
  const auto dot = s.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}
}  // namespace

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
    double from = 0, to = 0, step = 0;
    if (!number(spec.substr(0, c1), from) || !number(spec.substr(c1 + 1, c2 - c1 - 1), to) ||
        !number(spec.substr(c2 + 1), step) || !(step > 0) || to < from) {
      return bad("from:to:step with from <= to and step > 0");
    }
    const double n = std::floor((to - from) / step + 1e-6);
    if (n > 1e5) return bad("at most 100,000 values on one axis");
    // The values are the decimals the grid names: with from and step written in d decimal
    // places, the k-th is the integer (from + k step) x 10^d over 10^d, so 0.05:1:0.05 has 0.7
    // as written (from + k x step would give 0.7000000000000001 and print it so). A grid
    // written with exponents or too many places for exact integers uses from + k x step.
    const int places = std::max(decimal_places(spec.substr(0, c1)), decimal_places(spec.substr(c2 + 1)));
    const double scale = places >= 0 && places <= 15 ? std::pow(10.0, places) : 0.0;
    const double from_units = std::round(from * scale), step_units = std::round(step * scale);
    const bool exact = scale > 0 && std::abs(from_units) + (n + 1) * step_units < 9007199254740992.0 &&
                       from_units / scale == from && step_units / scale == step;
    for (double k = 0; k <= n; ++k) axis.values.push_back(exact ? (from_units + k * step_units) / scale : from + k * step);
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

int sweep_command(const SweepOptions& options) {
  std::vector<Diagnostic> errors;
  const Grid g = load_grid(options.scenario, options.results, options.sets, options.overrides, errors);
  if (!options.per_replication.empty()) {
    std::error_code dir_error;
    if (std::filesystem::is_directory(options.per_replication, dir_error)) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--per-replication", "an HDF5 file name",
                                  "\"" + options.per_replication + "\", a directory"});
    } else if (options.per_replication == options.out) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--per-replication", "a file other than --out",
                                  "\"" + options.per_replication + "\""});
    }
  }
  if (!errors.empty()) return refuse(errors);
  const pw::PathwaySpec& spec = g.base->spec;
  std::string csv = "combination";
  for (const Axis& a : g.axes) csv += "," + a.path;
  csv += ",arm,partner,mean_payment,mean_margin,mean_gain_pain,p_pain,p5_gain_pain,p_pain_cap_binds,mean_commissioner_spend,"
         "horizon_years,mean_painshare,var_painshare,es_painshare,p_partner_cap_binds,reserve,p_painshare_above_reserve,"
         "p_reserves_exhausted,lowest_reserve_q05,reserves_needed,p_cash_exhausted,lowest_cash_q05,commissioner_spend_horizon,"
         "var_commissioner_spend" +
         commissioner_header(*g.base, g.K) + "\n";
  const auto opt = [](const std::optional<double>& v) { return v ? csv_number(*v) : std::string(); };
  // Every output is written whole to a temporary and renamed into place only when all are
  // (a failure, or an invalid combination found part-way, leaves every earlier file as it was).
  analysis::OutputFiles files;
  std::optional<analysis::ResultsWriter> h5;
  double seconds = 0, first_pass = 0;
  int status = kExitOk;
  try {
    if (!options.per_replication.empty()) {
      h5.emplace(files, options.per_replication, static_cast<std::uint64_t>(g.total));
      define_per_replication(*h5, g, options);
    }
    status = settle_grid(g, false, kEveryArm, [&](const GridCell& x) {
      const analysis::PartnerPayoutSummary& q = *x.q;
      const analysis::RiskRow& k = x.risk->row;
      const auto num = [&](double v) { return x.risk->takes_part ? csv_number(v) : std::string(); };
      csv += std::to_string(x.combination) + joined(*x.values) + "," + spec.arms[x.arm].name + "," + spec.partners[x.partner].name +
             "," + csv_number(q.payment.mean) + "," + csv_number(q.margin.mean) + "," + csv_number(q.gain_pain.mean) + "," +
             csv_number(q.p_pain) + "," + csv_number(q.p5_gain_pain) + "," + csv_number(x.arm_summary->p_pain_cap_binds) +
             "," + csv_number(x.arm_summary->commissioner_spend.mean) + "," + std::to_string(g.H) + "," +
             num(k.mean_painshare) + "," + num(k.var) + "," + num(k.es) + "," + opt(k.p_cap_binds) + "," + opt(k.reserve) +
             "," + opt(k.p_above_reserve) + "," + opt(k.p_exhausted) + "," +
             (k.lowest_reserve ? csv_number(k.lowest_reserve->q05) : std::string()) + "," + num(k.reserves_needed) + "," +
             opt(k.p_cash_exhausted) + "," + (k.lowest_cash ? csv_number(k.lowest_cash->q05) : std::string()) + "," +
             csv_number(x.commissioner->mean_payment) + "," + csv_number(x.commissioner->var) +
             commissioner_fields(x.commissioners, g.K) + "\n";
    }, seconds, first_pass, h5.has_value(), [&](const SettledCombination& done) {
      if (!h5) return;
      h5->write("sweep/terms", done.combination, done.term_values.data());
      h5->write("sweep/partner", done.combination, done.partner_rows.data());
      h5->write("sweep/arm", done.combination, done.arm_rows.data());
      if (!g.base->commissioners.empty()) h5->write("sweep/commissioner", done.combination, done.commissioner_rows.data());
      if (g.cash_quarters > 0) h5->write("sweep/cash", done.combination, done.cash_rows.data());
    });
    if (status != kExitOk) return status;  // nothing is renamed: `files` removes the temporaries
    if (!options.out.empty()) files.write(options.out, analysis::csv_file_text(csv));
    if (h5) h5->commit();  // finishes the file; `files` renames it with the CSV
    files.commit();
  } catch (const analysis::WriteError& e) {
    std::fprintf(stderr, "mhsim: %s\n", e.what());
    for (const std::string& f : {options.out, options.per_replication}) {
      if (!f.empty()) std::fprintf(stderr, "mhsim: %s is unchanged\n", f.c_str());
    }
    return kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: %s\nmhsim: nothing was written\n", e.what());
    return kExitFailure;
  }
  if (options.out.empty()) std::fputs(analysis::csv_file_text(csv).c_str(), stdout);
  print_cost("sweep", g, seconds, first_pass);
  if (!options.out.empty()) std::printf("%s: %zu combinations\n", options.out.c_str(), g.total);
  if (h5) {
    std::printf("%s: %zu combinations x %zu replications, per arm, year and partner\n", options.per_replication.c_str(),
                g.total, g.results.size());
  }
  return kExitOk;
}

int design_command(const DesignOptions& options) {
  std::vector<Diagnostic> errors;
  const Grid g = load_grid(options.scenario, options.results, options.sets, options.overrides, errors);
  const auto number = [&](const std::string& text, const char* key, double lo, double hi, const char* expected,
                          double fallback) {
    if (text.empty()) return fallback;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !(v >= lo && v <= hi)) {
      errors.push_back(Diagnostic{"command line", 0, 0, key, expected, "\"" + text + "\""});
    }
    return v;
  };
  const double max_exhaustion = number(options.max_exhaustion, "--max-exhaustion", 0, 1, "a probability in [0, 1]", 0.05);
  const double max_cash = number(options.max_cash_exhaustion, "--max-cash-exhaustion", 0, 1, "a probability in [0, 1]", 1.0);
  const double min_gain = number(options.min_gain, "--min-gain", -1e15, 1e15, "pounds over the agreement, e.g. 0", 0.0);
  // The files to write: each a file (not a directory), no two the same.
  const std::vector<std::pair<const char*, const std::string*>> outputs = {
      {"--out", &options.out}, {"--html", &options.html}, {"--json", &options.json}};
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::string& path = *outputs[i].second;
    if (path.empty()) continue;
    std::error_code dir_error;
    if (std::filesystem::is_directory(path, dir_error)) {
      errors.push_back(Diagnostic{"command line", 0, 0, outputs[i].first, "a file name", "\"" + path + "\", a directory"});
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (path == *outputs[j].second) {
        errors.push_back(Diagnostic{"command line", 0, 0, outputs[i].first, std::string("a file other than ") + outputs[j].first,
                                    "\"" + path + "\""});
      }
    }
  }
  // The report carries every combination: a grid a page can draw.
  constexpr std::size_t kMaxReportCombinations = 100000;
  if ((!options.html.empty() || !options.json.empty()) && g.total > kMaxReportCombinations) {
    errors.push_back(Diagnostic{"command line", 0, 0, options.html.empty() ? "--json" : "--html",
                                "at most 100,000 combinations in a report (--out writes the CSV of any grid)",
                                std::to_string(g.total)});
  }
  std::size_t arm = 0;
  if (g.base) {
    const auto& arms = g.base->spec.arms;
    arm = static_cast<std::size_t>(
        std::find_if(arms.begin(), arms.end(), [&](const pw::ArmSpec& a) { return a.name == options.arm; }) - arms.begin());
    std::string names;
    for (const auto& a : arms) names += (names.empty() ? "\"" : ", \"") + a.name + "\"";
    if (arm == arms.size()) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--arm", "an arm of the scenario (" + names + ")", "\"" + options.arm + "\""});
    } else if (arm >= g.base->contracts.size() || g.base->contracts[arm].terms.contracts.empty()) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--arm", "an arm with contracts", "\"" + options.arm + "\""});
    } else if (std::none_of(g.settings.reserves.begin(), g.settings.reserves.end(), [](double r) { return !std::isnan(r); }) &&
               std::all_of(g.reserve_partner.begin(), g.reserve_partner.end(), [](std::size_t p) { return p == kTermAxis; })) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--reserve",
                                  "partners' reserves (partners.<name>.reserves, --reserve partner=pounds or an axis "
                                  "--set partners.<name>.reserves=...): the constraint is on P(reserves exhausted)",
                                  "none stated"});
    }
  }
  if (!errors.empty()) return refuse(errors);
  const pw::PathwaySpec& spec = g.base->spec;

  analysis::Design design;
  design.arm = options.arm;
  design.scenario_file = options.scenario;
  design.results_file = options.results;
  design.constraints.max_exhaustion = max_exhaustion;
  design.constraints.max_cash_exhaustion = max_cash;
  design.constraints.min_gain = min_gain;
  design.constraints.budget_per_year = g.settings.commissioner_budget;  // NaN: no constraint
  design.constraints.horizon_years = g.H;
  for (std::size_t k = 0; k < g.axes.size(); ++k) {
    design.axes.push_back({g.axes[k].path, g.axes[k].values});
    // The scenario's own value of the term: the reference point's.
    const std::size_t p = g.reserve_partner[k];
    design.reference.values.push_back(p != kTermAxis ? g.settings.reserves[p]
                                                     : scenario::contract_term_value(*g.base, g.axes[k].path)
                                                           .value_or(std::numeric_limits<double>::quiet_NaN()));
  }
  for (std::size_t p = 0; p < spec.partners.size(); ++p) {
    if (!std::isnan(g.settings.reserves[p]) && std::find(g.reserve_partner.begin(), g.reserve_partner.end(), p) == g.reserve_partner.end()) {
      design.reserves.emplace_back(spec.partners[p].name, g.settings.reserves[p]);
    }
  }

  // Per combination: the commissioner's spend, the worst partner's P(exhausted), the lowest
  // expected gain/pain over the agreement (analysis::DesignRow).
  std::vector<analysis::DesignRow> rows(g.total);
  for (std::size_t c = 0; c < g.total; ++c) {  // the combination's value of each axis: the last turns fastest
    rows[c].combination = c;
    rows[c].values.resize(g.axes.size());
    std::size_t rest = c;
    for (std::size_t k = g.axes.size(); k-- > 0;) {
      rows[c].values[k] = g.axes[k].values[rest % g.axes[k].values.size()];
      rest /= g.axes[k].values.size();
    }
  }
  std::vector<bool> seen(g.total, false);
  std::vector<std::vector<analysis::RiskRow>> commissioners(g.total);  // [Grid::K] each pooling commissioner's, in the arm
  double seconds = 0, first_pass = 0;
  // Only the designed arm is settled (every arm's terms are still checked).
  const int status = settle_grid(g, true, arm, [&](const GridCell& x) {
    if (x.arm != arm) return;
    const bool reference = x.combination == kReference;
    analysis::DesignRow& row = reference ? design.reference : rows[x.combination];
    if (!reference) {
      seen[x.combination] = true;
      if (x.commissioners != nullptr) commissioners[x.combination].assign(x.commissioners, x.commissioners + g.K);
    }
    row.spend = x.commissioner->mean_payment;
    const analysis::RiskRow& k = x.risk->row;
    if (!x.risk->takes_part) return;
    if (k.p_exhausted && (*k.p_exhausted > row.worst || row.worst_partner.empty())) {
      row.worst = *k.p_exhausted;
      row.worst_partner = spec.partners[x.partner].name;
    }
    if (k.p_cash_exhausted && (*k.p_cash_exhausted > row.worst_cash || row.worst_cash_partner.empty())) {
      row.worst_cash = *k.p_cash_exhausted;
      row.worst_cash_partner = spec.partners[x.partner].name;
    }
    // Expected gain/pain over the agreement, of the partners who share risk (not always 0).
    if (std::all_of(x.risk->gain_pain.begin(), x.risk->gain_pain.end(), [](double v) { return v == 0; })) return;
    const double gain = analysis::decision::summarise_values(x.risk->gain_pain).mean;
    if (gain < row.lowest_gain) {
      row.lowest_gain = gain;
      row.lowest_partner = spec.partners[x.partner].name;
    }
  }, seconds, first_pass);
  if (status != kExitOk) return status;
  // settle_grid visits every combination or fails; one never visited could meet no constraint.
  for (std::size_t c = 0; c < rows.size(); ++c) {
    if (!seen[c]) rows[c].worst = std::numeric_limits<double>::quiet_NaN();
  }
  analysis::mark_frontier(rows, design.constraints);
  design.reference.feasible = analysis::meets(design.reference, design.constraints);
  std::size_t feasible = 0;
  for (const analysis::DesignRow& r : rows) feasible += r.feasible ? 1 : 0;

  std::string csv = "combination";
  for (const Axis& a : g.axes) csv += "," + a.path;
  csv += ",arm,commissioner_spend,saving,worst_p_exhausted,worst_partner,worst_p_cash_exhausted,worst_cash_partner,"
         "lowest_expected_gain,lowest_gain_partner,feasible,frontier" + commissioner_header(*g.base, g.K) + "\n";
  for (std::size_t c = 0; c < rows.size(); ++c) {
    const analysis::DesignRow& r = rows[c];
    if (!seen[c]) continue;
    std::vector<std::string> values;
    for (const double v : r.values) values.push_back(term_number(v));
    csv += std::to_string(c) + joined(values) + "," + options.arm + "," + csv_number(r.spend) + "," +
           csv_number(design.reference.spend - r.spend) + "," + csv_number(r.worst) + "," + r.worst_partner + "," +
           csv_number(r.worst_cash) + "," + r.worst_cash_partner + "," +
           (r.lowest_partner.empty() ? std::string() : csv_number(r.lowest_gain)) + "," + r.lowest_partner + "," +
           (r.feasible ? "1" : "0") + "," + (r.frontier ? "1" : "0") +
           commissioner_fields(commissioners[c].data(), commissioners[c].size()) + "\n";
  }
  if (!options.html.empty() || !options.json.empty()) {
    // The report with the design's section, and the CSV with it: all or nothing.
    design.rows = std::move(rows);
    if (const int w = write_design_report(options, design, csv); w != kExitOk) return w;
    rows = std::move(design.rows);
  } else if (!options.out.empty()) {
    if (const int w = write_csv(options.out, csv); w != kExitOk) return w;
  }

  std::printf("Design of arm \"%s\" over %zu year%s: %zu of %zu combinations keep every partner's P(reserves "
              "exhausted) <= %s, each partner's expected gain/pain >= %s",
              options.arm.c_str(), g.H, g.H == 1 ? "" : "s", feasible, g.total, percent(max_exhaustion).c_str(), money(min_gain).c_str());
  const double budget = design.constraints.budget_over_horizon();
  if (design.constraints.max_cash_exhaustion < 1) {
    std::printf(", every partner's P(cash below 0 in a quarter) <= %s", percent(design.constraints.max_cash_exhaustion).c_str());
  }
  if (!std::isnan(budget)) std::printf(" and the commissioner's expected spend <= %s", money(budget).c_str());
  std::printf(".\nThe scenario's own terms: commissioner spend %s, worst P(exhausted) %s (%s), worst P(cash exhausted) "
              "%s (%s).\n",
              money(design.reference.spend).c_str(), percent(design.reference.worst).c_str(),
              design.reference.worst_partner.c_str(), percent(design.reference.worst_cash).c_str(),
              design.reference.worst_cash_partner.c_str());
  const std::vector<const analysis::DesignRow*> frontier = analysis::frontier_rows(rows);
  if (frontier.empty()) {
    std::printf("No combination meets every constraint.\n");
  } else {
    std::printf("The frontier: the most the commissioner saves against the scenario's terms for each level of the worst "
                "partner's risk.\n");
    std::vector<std::vector<std::string>> t = {{}};
    for (const Axis& a : g.axes) t[0].push_back(a.path.substr(a.path.rfind('.') + 1));
    for (const char* h : {"commissioner spend", "saving", "worst P(exhausted)", "lowest expected gain/pain"}) t[0].push_back(h);
    for (const analysis::DesignRow* r : frontier) {
      std::vector<std::string> line;
      for (const double v : r->values) line.push_back(term_number(v));
      line.push_back(money(r->spend));
      line.push_back(money(design.reference.spend - r->spend));
      line.push_back(percent(r->worst) + " (" + r->worst_partner + ")");
      line.push_back(r->lowest_partner.empty() ? "-" : money(r->lowest_gain) + " (" + r->lowest_partner + ")");
      t.push_back(line);
    }
    print_table(t, 0);
  }
  print_cost("design", g, seconds, first_pass);
  if (!options.out.empty()) std::printf("%s: %zu combinations\n", options.out.c_str(), g.total);
  if (!options.html.empty()) std::printf("%s: the run's report with the design\n", options.html.c_str());
  if (!options.json.empty()) std::printf("%s: the report's document with the design\n", options.json.c_str());
  return kExitOk;
}

}  // namespace mhsim::cli
