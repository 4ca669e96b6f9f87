// SPDX-License-Identifier: MIT
#pragma once
// Turns a pathway run's results file into answers (issue 5): summaries of every metric per
// arm, paired differences against the base arm, cost-effectiveness (ICER with dominance,
// NMB, CEAC, EVPI, discounting), each partner's and the commissioner's risk (VaR, expected
// shortfall, painshare above reserves, caps binding), key-result-area bands, one-way
// sensitivity from the PSA draws, and convergence. Reads the datasets the run wrote and the
// scenario text stored in the file; never re-runs the model. docs/analysis.md documents
// every definition here for users.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/behaviour.hpp"
#include "analysis/decision.hpp"
#include "analysis/partner_risk.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/results_file.hpp"
#include "models/scenario/analysis_settings.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::analysis {

/// Summary of one metric in one arm across replications.
struct MetricRow {
  std::string metric, label, unit, arm;
  decision::Summary summary;
};

/// Paired (common random numbers) difference of one metric: arm minus base arm.
struct DifferenceRow {
  std::string metric, label, unit, arm, base_arm;
  decision::Paired paired;
  double prob_higher = 0;  ///< share of replications with arm > base arm
};

struct SampleRow {
  std::uint64_t replication = 0;
  std::size_t arm = 0;
  double cost = 0, effect = 0;
  double commissioner_spend = 0;  ///< NaN when the run has no payouts
};

struct IcerRow {
  std::string arm, base_arm;
  decision::Icer icer;
  /// Shares of paired replications in which the arm costs less and gains more than the base
  /// (dominates) or costs more and gains less (is dominated): what the words "dominates" and
  /// "dominated" need before they are said (decision::kClearProbability).
  double prob_dominates = 0, prob_dominated = 0;
};

struct NmbRow {
  std::string arm, base_arm;
  double wtp = 0;
  decision::Paired incremental;  ///< of NMB(arm) - NMB(base) per replication
  double prob_positive = 0;
};

struct PayoutSample {
  std::uint64_t replication = 0;
  std::size_t arm = 0, partner = 0;
  double gain_pain = 0, margin = 0;
  double painshare = 0;  ///< the sum over the horizon's years of max(0, -gain_pain): the risk table's loss
};

struct KraBandRow {
  std::string arm, kra, band;
  double share = 0;  ///< of (replication, year) cells in the horizon with a band
};

struct CurvePoint {
  double wtp = 0;
  std::vector<double> values;  ///< CEAC: per arm; EVPI: one value
};

struct TornadoRow {
  std::string output, output_label, parameter, key;
  double low_value = 0, high_value = 0;  ///< the parameter's 5th and 95th percentiles
  double base_output = 0;                ///< metamodel prediction at the parameters' means
  double output_at_low = 0, output_at_high = 0;
  double r_squared = 0;                  ///< of the output's linear metamodel
};

struct PsaRow {
  std::string name, key, distribution, source;
  double base = 0, mean = 0, sd = 0, q05 = 0, q95 = 0;
  double sample_mean = 0;  ///< of the values drawn in this run
};

/// Expected value of partial perfect information of one uncertain input or a group
/// (analysis/voi.hpp), per decision and for the population, at one willingness to pay.
struct EvppiRow {
  std::string name;                     ///< the input's or the group's name
  std::string kind;                     ///< "parameter" or "group"
  std::vector<std::string> parameters;  ///< the inputs it covers
  std::string description;              ///< a group's description
  std::string method;                   ///< "gam" (one input) or "gp" (a group)
  double wtp = 0;
  double evppi = 0, se = 0;             ///< per decision, £
  double evpi = 0;                      ///< of everything the run samples, per decision, £
  double population_evppi = 0;          ///< evppi x the population factor
  /// Share of the variance of the decisive net-benefit difference (between the two arms
  /// with the highest mean NMB at this wtp) that the input explains alone: how far it moves
  /// the decision's payoff even where it never changes the decision. Ties of EVPPI (often
  /// all 0 when one arm always wins) are ranked by it.
  double inmb_share = 0;
};

/// EVPPI of one input or group from the first n replications (at the first willingness to pay).
struct EvppiConvergencePoint {
  std::string name;
  std::uint64_t n = 0;
  double evppi = 0, se = 0;
};

/// How much of a partner's risk one uncertain input (or group) explains: the share of the
/// variance of `output` explained by the input alone (a first-order index, analysis/voi.hpp).
struct RiskAttributionRow {
  std::string arm, partner;
  std::string output;  ///< "gain_pain" (over the horizon) or "painshare_above_reserve" (0 or 1)
  std::string name, kind;
  double share = 0;
};

struct ConvergencePoint {
  std::string metric, label;
  std::uint64_t n = 0;
  double mean = 0, se = 0;
};

struct ReplicationsNeeded {
  std::string metric, arm;
  double half_width = 0, sd = 0;
  std::uint64_t needed = 0, have = 0;
};

/// Everything `mhsim report` and `mhsim compare` show, and the JSON/CSV summaries hold.
struct Analysis {
  // Provenance (root attributes of the results file).
  std::string scenario_name, scenario_description, scenario_file, scenario_sha256;
  std::string mhsim_version, created_utc, results_file, analysed_utc;
  /// The run's [derived] numbers as resolved ("key = value: how"; root attribute `derived`).
  std::vector<std::string> derived;
  std::uint64_t seed = 0, replications = 0, years = 0;

  scenario::AnalysisSettings settings;  ///< as applied (horizon resolved to years analysed)
  std::string effect_label;             ///< "QALYs" or "WEMWBS points"
  std::vector<std::string> arms, partners;

  std::vector<MetricRow> metrics;
  std::vector<DifferenceRow> differences;
  std::vector<SampleRow> samples;   ///< [replication][arm] order
  std::vector<IcerRow> icers;
  std::vector<NmbRow> nmb;
  std::vector<RiskRow> risk;
  std::vector<ReservePathRow> reserve_paths;  ///< partners with stated reserves, years 1..horizon
  std::vector<CashPathRow> cash_paths;        ///< partners with stated reserves, quarters 1..4 x horizon + lag
  std::vector<PayoutSample> payout_samples;
  std::vector<KraBandRow> kra_bands;
  std::vector<CurvePoint> ceac, evpi;
  std::vector<TornadoRow> tornado;
  std::vector<PsaRow> psa;
  std::vector<ConvergencePoint> convergence;
  std::vector<ReplicationsNeeded> replications_needed;
  /// How providers responded to their contracts (runs with [incentives] on; else empty).
  std::vector<BehaviourRow> behaviour;
  std::vector<EvppiRow> evppi;           ///< ranked by EVPPI within each willingness to pay
  std::vector<EvppiConvergencePoint> evppi_convergence;
  std::vector<RiskAttributionRow> risk_attribution;  ///< ranked by share within arm, partner and output
  /// Per-replication values [arm][replication] of the headline metrics (ids without a dot:
  /// cost, qalys, wemwbs_points, commissioner_spend or ledger_cost, cost_contracted,
  /// cost_wider_system), for comparisons paired across results files; not written out.
  std::vector<std::pair<std::string, std::vector<std::vector<double>>>> headline_values;
  double voi_population_factor = 1;      ///< decisions the information informs, discounted
  bool has_payouts = false;
  /// The monthly picture across replications (monthly/values); empty (no arms) for files
  /// from before it.
  MonthlySummary monthly = {};
};

/// Analyses a complete pathway results file under `settings` (normally the scenario's,
/// with command-line overrides). `scenario` is the scenario stored in the file (its
/// contracts give the partners' caps; its uncertainty spec the PSA distributions).
/// Throws std::runtime_error naming the file for a file that is not a complete pathway run,
/// and std::invalid_argument for settings that do not fit it (e.g. a horizon beyond the
/// simulated years).
Analysis analyse_pathway(const ResultsReader& file, const std::string& results_path,
                         const scenario::PathwayScenario& scenario, const scenario::AnalysisSettings& settings);

/// Value of information from the PSA draws x[j][r] of the inputs `params`, into `out`
/// (whose settings, arms, partners and replications are set): EVPPI of every input and
/// stated group at every willingness to pay, its convergence, and each partner's risk
/// attributed input by input. cost and effect are [arm][replication]; gain_pain and
/// painshare [arm][partner][replication] (empty where a partner takes no part).
void value_of_information(Analysis& out, const std::vector<std::vector<double>>& x,
                          const std::vector<const scenario::UncertainParameter*>& params,
                          const std::vector<std::vector<double>>& cost, const std::vector<std::vector<double>>& effect,
                          const std::vector<std::vector<std::vector<double>>>& gain_pain,
                          const std::vector<std::vector<std::vector<double>>>& painshare);

/// The scenario stored in a results file (root attribute scenario_text), parsed again, with
/// the run's `--set` settings applied (stored_settings).
scenario::PathwayScenario stored_scenario(const ResultsReader& file, const std::string& results_path);

/// The `mhsim run --set` settings a results file was made with (root attribute `settings`,
/// one "key=value" a line), in order; empty when none.
std::vector<std::string> stored_settings(const ResultsReader& file);

/// One-way sensitivity through a linear metamodel (Jalal et al. 2013, Med Decis Making
/// 33:880): fits y = b0 + sum_j b_j (x_j - mean_j) by least squares over the replications
/// and predicts y at each parameter's `low` and `high` with the others at their means.
/// `x[j][r]` is parameter j in replication r; returns, per parameter, the predictions at
/// low and high, the prediction at the means (base) and the fit's R^2. Needs more
/// replications than parameters + 1; returns an empty result otherwise.
struct Metamodel {
  double base = 0, r_squared = 0;
  std::vector<double> at_low, at_high;
};
Metamodel linear_metamodel(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                           const std::vector<double>& low, const std::vector<double>& high);

}  // namespace mhsim::analysis
