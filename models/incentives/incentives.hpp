// SPDX-License-Identifier: MIT
#pragma once
// Providers respond to incentives (issue 21). Three decisions of a provider have a price
// under its contract:
//   gatekeeping  accepting a referral to a gatekept service it owns (versus refusing it, when
//                the person goes where the service sends refusals);
//   step_down    keeping a person one more month at a long-term service it owns (versus
//                stepping them down);
//   diversion    referring someone from a front-door service it owns on to secondary care
//                (versus keeping them: the arm's diversion_to, or nothing).
// The incentive signal of a decision is the change in the deciding provider's margin
// (payment minus cost, as settlement computes it) when the decision's unit of activity is
// added to the ledger, minus the change for the alternative; it is found by settling a year
// twice (finite differences through contracts::settle), so every contract family, corridor,
// cap, share band and allocation rule prices the decision exactly as it pays. The unit is
// one mean episode (or one month) at the provider's expected position: the mean year of a
// pilot of the arm without any response. The stake is the signal's cost share,
//   stake = -(signal) / (cost of the unit),
// 1 under a block (the provider bears every marginal pound), 0 when the marginal pound is
// paid back, s x (its allocation) inside an alliance, negative when a tariff pays above cost.
// A responding provider scales the arm's stated behaviour parameter by
//   factor = clamp(exp(elasticity x stake), 1 / max_factor, max_factor),
// so elasticity 0 leaves every parameter as stated (and the results byte-identical). The
// arm's stated parameters are then the behaviour of a provider with no financial stake.
//
// Pure: no clock, no random numbers, no I/O. Settlement stays pure (it is only called).

#include <array>
#include <cstddef>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "models/contracts/settlement.hpp"
#include "models/ledger/ledger.hpp"
#include "models/pathway/pathway.hpp"

namespace mhsim::models::incentives {

enum class Decision : std::size_t { kGatekeeping = 0, kStepDown = 1, kDiversion = 2 };
inline constexpr std::size_t kDecisions = 3;
inline constexpr std::array<std::string_view, kDecisions> kDecisionNames = {"gatekeeping", "step_down", "diversion"};

/// How providers respond (`[incentives]`, `partners.<name>.elasticity`).
struct IncentiveSpec {
  /// Elasticity of each decision's behaviour parameter in the provider's stake (0: no response).
  std::array<double, kDecisions> elasticity{};
  /// [P] per-partner elasticities; NaN: the default above. Empty: every partner the default.
  std::vector<std::array<double, kDecisions>> partner = {};
  double max_factor = 4;              ///< a response multiplies a parameter by at most this, at least 1 / this
  std::int64_t pilot_replications = 20;  ///< replications of the pilot that gives the expected position

  /// Partner p's elasticity for decision d.
  double of(std::size_t p, Decision d) const noexcept {
    const auto k = static_cast<std::size_t>(d);
    if (p < partner.size() && partner[p][k] == partner[p][k]) return partner[p][k];
    return elasticity[k];
  }
  /// Whether any provider responds to anything.
  bool on() const noexcept;
};

/// One unit of a decision at a service: the activity and cost one more of it adds, and the
/// changes it makes to the system KPIs that count it (SystemKpi index, amount), which KRAs
/// and outcome indicators may read.
struct Unit {
  std::array<double, ledger::kMeasures> activity{};
  double cost = 0;
  std::vector<std::pair<std::size_t, double>> kpi = {};
};

/// An arm's expected year: settlement's input and each service's cost by measure, averaged
/// over replications (the pilot).
struct Position {
  contracts::YearInput input;
  std::vector<std::array<double, ledger::kMeasures>> measure_cost;  ///< [S][Measure] pounds
};

/// The mean of year `year` of `results` (one arm's results, one per replication).
Position mean_position(const contracts::LedgerShape& shape, const std::vector<const ledger::ArmResult*>& results,
                       std::size_t year);

/// One more episode at service s: the mean contacts and days per episode, one episode, and
/// their mean cost (team-years and one-off costs, which do not move with an episode, left
/// out). Zeros when s started no episodes.
Unit episode(const Position& at, std::size_t s);
/// One more occupied month (365 / 12 days) at s: the days and the contacts that come with
/// them at s's rate per day, and their cost. Zeros when s had no days.
Unit month(const Position& at, std::size_t s);

/// The change in partner p's margin (payment - cost) when `unit` is added at service s (its
/// activity and cost to s and s's owner, its KPI changes to the year's system KPIs), settling
/// `at` with and without it. `scratch` is reused.
double margin_change(const contracts::Terms& terms, const contracts::YearInput& at, std::size_t s, const Unit& unit,
                     std::size_t p, contracts::YearPayout& scratch);

/// The signals of one arm in one year.
struct Signals {
  /// [Decision][S] the deciding provider's signal in pounds (margin change of the decision
  /// minus that of its alternative) and its stake (minus the signal over the unit's cost;
  /// 0 when the unit costs nothing). 0 where the decision does not arise. Diversion: per
  /// front-door service, the mean over its routes' secondary destinations weighted by their
  /// probabilities (for reporting; the model uses `diversion`).
  std::array<std::vector<double>, kDecisions> signal;
  std::array<std::vector<double>, kDecisions> stake;
  /// [S x S] diversion stake of a referral from front-door service f to secondary service t,
  /// row-major (f, t).
  std::vector<double> diversion;
};

/// The signals of arm `arm` at `at` under `terms` (targets resolved for the year).
Signals signals(const pathway::PathwaySpec& spec, std::size_t arm, const contracts::Terms& terms, const Position& at);

/// clamp(exp(elasticity x stake), 1 / max_factor, max_factor); exactly 1 when elasticity or
/// stake is 0.
double factor(double elasticity, double stake, double max_factor) noexcept;

/// Sets every arm's response multipliers (ArmSpec::response) from the signals [arm][year]
/// and the providers' elasticities; clears them when nobody responds.
void respond(pathway::PathwaySpec& spec, const std::vector<std::vector<Signals>>& signals, const IncentiveSpec& how);

}  // namespace mhsim::models::incentives
