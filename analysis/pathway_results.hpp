// SPDX-License-Identifier: MIT
#pragma once
// The results schema of the pathway model (issue 3): which datasets a run writes, how a
// replication's PathwayResult becomes one row of each, how rows read back, and a streaming
// summary across replications. The queueing-network equivalent is analysis/network_results.hpp.
// Documented for users in docs/results-schema.md ("Pathway model").

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/results_file.hpp"
#include "engine/stats.hpp"
#include "models/pathway/pathway.hpp"

namespace mhsim::analysis {

/// Root attribute holding the number of simulated years (also dimension 2 of every
/// per-arm-and-year dataset).
inline constexpr const char* kPathwayYears = "years";

/// One-off costs [R, A, Y, S] pounds (set-up, transition): written only when an arm of the
/// scenario has `one_off_costs`; a file without it reads as zeros.
inline constexpr const char* kOneOffDataset = "ledger/one_off";

/// The uncertain parameters of a run with probabilistic sensitivity analysis, for the psa/*
/// datasets (one entry per parameter, in the scenario's order); empty = no PSA.
struct PsaParameters {
  std::vector<std::string> name;          ///< [uncertainty.<name>]
  std::vector<std::string> key;           ///< the dotted key each replaces
  std::vector<std::string> distribution;  ///< "beta", "gamma", ...
  std::vector<double> base;               ///< the value written in the file
  bool empty() const noexcept { return name.empty(); }
};

/// Defines every dataset of a pathway run in `out` and sets the `years` root attribute.
/// Labels (strings): arms/name [A], services/name, services/kind, services/partner (the
/// owning partner's name) [S], partners/name, partners/kind [P], groups/name [G],
/// kpi/system_name, kpi/system_unit [K], kpi/service_name, kpi/service_unit [KS],
/// ledger/measure [M], goals/domain [8], goals/status [6].
/// Per-replication datasets (first dimension = replications; float64 unless said):
///   ledger/activity, ledger/cost [R, A, Y, S, M]   ledger/partner_cost [R, A, Y, P]
///   kpi/system [R, A, Y, K]   kpi/service [R, A, Y, S, KS]   goals/by_domain [R, A, Y, 8, 6]
///   checks/arrived, checks/exited, checks/in_system, checks/events [R, A] uint64.
///   ledger/one_off [R, A, Y, S] when an arm has one-off costs (also in ledger/partner_cost
///   and kpi/system's cost; not in ledger/cost).
/// With uncertain parameters (`psa` not empty): labels psa/name, psa/key, psa/distribution
/// and psa/base [N] (the base values as text that reads back exactly, "%.17g" at most), and
/// psa/values [R, N] float64, the values each replication used.
/// Throws std::invalid_argument if a service names a partner that does not exist, or if the
/// psa vectors differ in length.
void define_pathway_datasets(ResultsWriter& out, const models::pathway::PathwaySpec& spec,
                             const PsaParameters& psa = {});

/// Writes one replication's row of every dataset. `r` must have the spec's shape (as given
/// to define_pathway_datasets); throws std::invalid_argument, naming the replication and
/// arm, if its arms disagree with each other or their arrays with their stated sizes. Its
/// psa_values, when not empty, go to psa/values (which must have been defined).
void write_pathway_result(ResultsWriter& out, std::uint64_t replication, const models::pathway::PathwayResult& r);

/// Writes replications [first, first + results.size()) as a self-contained results file:
/// `attributes` at the root, plus first_replication and replications_in_file, then every
/// dataset (like write_network_block). `out` must hold exactly those rows.
void write_pathway_block(ResultsWriter& out, const models::pathway::PathwaySpec& spec,
                         const std::map<std::string, AttributeValue>& attributes, std::uint64_t first,
                         const std::vector<models::pathway::PathwayResult>& results, const PsaParameters& psa = {});

/// Reads file rows [first, first + count) back into PathwayResults, the inverse of
/// write_pathway_result (row i of a block file is replication first_replication + i). Each
/// ArmResult's years, services and partners come from the file's dataset shapes. Throws
/// std::runtime_error if the datasets' shapes disagree with each other or with this build's
/// measures, KPIs, SIOF domains or goal statuses. psa_values come from psa/values when the
/// file has it (else they stay empty).
std::vector<models::pathway::PathwayResult> read_pathway_results(const ResultsReader& file, std::uint64_t first,
                                                                 std::uint64_t count);
/// Every row of the file.
std::vector<models::pathway::PathwayResult> read_pathway_results(const ResultsReader& file);

/// The psa/* labels of a file (name, key, distribution, base parsed back to numbers);
/// empty when the run had no uncertain parameters.
PsaParameters read_psa_parameters(const ResultsReader& file);

/// How a system KPI's per-year values combine into its whole-run value.
enum class WholeRun {
  kSum,               ///< flows (arrivals, bed days, goals set, QALYs, cost, ...): sum over years
  kLastYear,          ///< stocks at year end (in_system_at_year_end, goals_progressing): the last year
  kDischargeWeighted, ///< wemwbs_mean_change: mean over years weighted by discharges
                      ///< (improved + decreased + unchanged); 0 when nobody was discharged
  kShareOfDischarges, ///< share_improved: sum of improved / sum of discharges; 0 when none
};
WholeRun whole_run_rule(models::pathway::SystemKpi k) noexcept;

/// Whole-run value of system KPI `k` in one arm of one replication (by whole_run_rule(k)).
double whole_run_value(const models::pathway::ArmResult& arm, models::pathway::SystemKpi k);
/// Ledger cost of one arm over every year, service and measure (pounds).
double whole_run_cost(const models::pathway::ArmResult& arm);

/// Streaming summary across replications, fed in replication order (so deterministic). It
/// keeps engine::Tally running moments, never the values, so memory does not grow with
/// replications. NaN values (rows never written) are skipped, as in NetworkSummary.
class PathwaySummary {
 public:
  PathwaySummary(std::size_t arms, std::size_t years, std::size_t services, std::size_t partners);

  /// Folds in one replication; throws std::invalid_argument if its shape is not the summary's.
  void add(const models::pathway::PathwayResult& r);
  std::uint64_t replications() const noexcept { return replications_; }

  /// System KPI `k` of `arm` in `year`.
  const engine::Tally& system(std::size_t arm, std::size_t year, models::pathway::SystemKpi k) const;
  /// Whole-run value of system KPI `k` (see WholeRun for how years combine).
  const engine::Tally& system_total(std::size_t arm, models::pathway::SystemKpi k) const;
  /// Service KPI `k` of `service` in `arm` and `year`.
  const engine::Tally& service(std::size_t arm, std::size_t year, std::size_t service,
                               models::pathway::ServiceKpi k) const;
  /// Ledger cost of `partner`'s services in `arm` and `year` (pounds).
  const engine::Tally& partner_cost(std::size_t arm, std::size_t year, std::size_t partner) const;
  /// Ledger cost of `arm` over every year and service (pounds).
  const engine::Tally& total_cost(std::size_t arm) const;
  /// Per replication, whole-run KPI `k` of `arm` minus that of the base arm (arm 0): the
  /// paired (common-random-numbers) difference. Arm 0's differences are all 0.
  const engine::Tally& paired_difference(std::size_t arm, models::pathway::SystemKpi k) const;
  /// Per replication, total cost of `arm` minus that of arm 0 (pounds).
  const engine::Tally& paired_cost_difference(std::size_t arm) const;
  /// var(paired cost differences) / (var(total cost of arm) + var(total cost of arm 0)): the
  /// variance of the paired difference relative to that of two independent runs' difference
  /// (the common-random-numbers variance ratio; below 1 means pairing helped). NaN for arm 0,
  /// with fewer than two replications, or when both arms' costs are constant.
  double crn_variance_ratio(std::size_t arm) const;

  std::size_t arms() const noexcept { return arms_; }
  std::size_t years() const noexcept { return years_; }
  std::size_t services() const noexcept { return services_; }
  std::size_t partners() const noexcept { return partners_; }

 private:
  std::size_t arms_, years_, services_, partners_;
  std::vector<engine::Tally> system_;        // [arm][year][K]
  std::vector<engine::Tally> system_total_;  // [arm][K]
  std::vector<engine::Tally> service_;       // [arm][year][service][KS]
  std::vector<engine::Tally> partner_cost_;  // [arm][year][partner]
  std::vector<engine::Tally> total_cost_;    // [arm]
  std::vector<engine::Tally> paired_;        // [arm][K]
  std::vector<engine::Tally> paired_cost_;   // [arm]
  std::uint64_t replications_ = 0;
};

/// The monthly picture (issue 22 item 7): monthly/values [R, A, months, S, Q] float64 (Q =
/// models::ledger::kMonthlyMeasures, months = years x 12), with labels monthly/measure and
/// monthly/unit [Q]. Its summary across replications, per arm, month, service and measure:
/// the mean and type-7 quantiles 5, 25, 50, 75 and 95 of the replications' values (NaN
/// values skipped; every statistic NaN when all are NaN: unlimited places, services
/// without staff).
inline constexpr std::array<const char*, 6> kMonthlyStatistics = {"mean", "p05", "p25", "p50", "p75", "p95"};
struct MonthlySummary {
  std::vector<std::string> arms, services, measures, units;
  std::size_t months = 0;
  std::vector<double> stats;  ///< [arm][month][service][measure][statistic]
  double at(std::size_t a, std::size_t m, std::size_t s, std::size_t q, std::size_t k) const {
    return stats[(((a * months + m) * services.size() + s) * measures.size() + q) * kMonthlyStatistics.size() + k];
  }
};
/// Whether the file has monthly/values (files written before issue 22 item 7 do not).
bool has_monthly(const ResultsReader& file);
/// The summary of the file's monthly/values, read one arm at a time (memory: replications x
/// months x services x measures doubles). Throws std::runtime_error when it is missing or
/// its shape is not [R, A, years x 12, S, Q].
MonthlySummary summarise_monthly(const ResultsReader& file);
/// The summary as one long table "monthly" (arm, month, service, measure, mean, p05, p25,
/// p50, p75, p95), for `mhsim report --csv` and `--h5`.
Table monthly_table(const MonthlySummary& m);

/// Summary of a pathway results file, rows folded in index order, read in slabs of 256 rows
/// so memory does not grow with the number of replications. Dimensions come from the file.
PathwaySummary summarise_pathway_file(const ResultsReader& file);

}  // namespace mhsim::analysis
