// SPDX-License-Identifier: MIT
#pragma once
// The mental-health pathway model (issue 3): people move through services owned by partner
// organisations; capacity makes waiting lists; every contact, bed-day, episode and team-year
// is posted to a ledger; KPIs and outcomes are counted per year. One replication simulates
// every arm on the same people with the same per-person random draws (common random numbers).
//
// The model posts activity; it never computes payments (that is settlement's job), and
// behaviour under a contract enters only through the arm's stated parameters.

#include <array>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/random.hpp"
#include "engine/resource.hpp"
#include "models/ledger/ledger.hpp"
#include "models/pathway/population.hpp"

namespace mhsim::models::pathway {

inline constexpr double kDaysPerYear = 365.0;
/// A month of the monthly picture: a twelfth of a 365-day year.
inline constexpr double kDaysPerMonth = kDaysPerYear / 12.0;
/// The day month `month` (0-based, over the whole run) starts: 365 y + k x 365 / 12 for
/// month k of year y, so that months 0, 12, 24 ... start exactly at year starts.
inline double month_start(std::size_t month) noexcept {
  return static_cast<double>(month / 12) * kDaysPerYear + static_cast<double>(month % 12) * kDaysPerMonth;
}

/// The ledger, KPI and result types (models/ledger/ledger.hpp), which settlement reads
/// without linking the model.
using ledger::ArmResult;
using ledger::GoalStatus;
using ledger::KpiInfo;
using ledger::Measure;
using ledger::MonthlyMeasure;
using ledger::kMonthlyMeasures;
using ledger::kMonthsPerYear;
using ledger::monthly_measures;
using ledger::PathwayResult;
using ledger::ServiceKpi;
using ledger::SystemKpi;
using ledger::kGoalStatuses;
using ledger::kGoalStatusNames;
using ledger::kMeasureNames;
using ledger::kMeasures;
using ledger::kResponseFieldNames;
using ledger::kServiceKpis;
using ledger::kSystemKpis;
using ledger::service_kpis;
using ledger::system_kpis;


/// What a service is, for KPIs and for the arm's behaviour parameters. Behaviour is
/// otherwise set by the service's own parameters, never by its kind.
enum class ServiceKind {
  kGp,                ///< GP consultations (primary care)
  kTalkingTherapies,  ///< NHS Talking Therapies (IAPT): sessions, drop-out, recovery
  kFrontDoor,         ///< Living Well front door: triage, short-term support, signposting
  kPeerSupport,       ///< peer support (front-door family)
  kCmht,              ///< community mental health team caseload (secondary care)
  kCrisis,            ///< crisis resolution and home treatment (secondary care)
  kAcute,             ///< local acute beds (secondary care, inpatient)
  kOutOfArea,         ///< out-of-area acute placements (secondary care, inpatient)
  kRehab,             ///< rehabilitation (secondary care, long-term)
  kPlacement,         ///< long-term placements (secondary care, long-term)
  kAllianceSupport,   ///< Stockport-style recovery service with SIOF goals
  kOther,
  /// Where people with unmet need present without an episode (A&E, NHS 111, 999 and
  /// ambulance, police, crisis lines): each presentation is one contact at
  /// cost_per_contact, borne by the service's partner. In every arm; takes no referrals.
  kPresentation,
};
inline constexpr std::array<std::string_view, 13> kServiceKindNames = {
    "gp", "talking_therapies", "front_door", "peer_support", "cmht", "crisis",
    "acute", "out_of_area", "rehab", "placement", "alliance_support", "other", "presentation"};
std::string_view kind_name(ServiceKind kind) noexcept;
/// Referrals into these count as referrals into secondary care.
bool is_secondary(ServiceKind kind) noexcept;
/// Episodes here are admissions, their days bed-days.
bool is_inpatient(ServiceKind kind) noexcept;
/// Front-door family: episodes count as "people supported by the front door", and onward
/// referrals into secondary care are subject to the arm's front-door diversion.
bool is_front_door(ServiceKind kind) noexcept;
/// Long-term secondary care, whose episode lengths the arm's step-down speed divides.
bool is_long_term(ServiceKind kind) noexcept;
/// A presentation service (A&E, NHS 111, 999, police, crisis line): contacts, no episodes.
inline bool is_presentation(ServiceKind kind) noexcept { return kind == ServiceKind::kPresentation; }

// kDischarge, Route, Routes and ScoreChange are in population.hpp (need groups use them).
// A route to "discharge" after an episode sends the person into community follow-up, at
// risk of relapse, and out of the system if none comes; a referral from outside services
// that no service takes leaves them with unmet need (NeedGroup::unmet).

/// Goal dynamics of an alliance-support service, per SIOF domain (rates per year). A goal
/// resolves at the first of three competing exponential clocks (achieved, closed, not
/// achieved); goals still open when the episode ends are closed then. An achieved goal is
/// sustained if it lasts `sustain_days` without lapsing (lapse rate per year).
struct GoalDynamics {
  std::array<double, kSiofDomains> achieve_per_year{};
  std::array<double, kSiofDomains> close_per_year{};
  std::array<double, kSiofDomains> fail_per_year{};
  std::array<double, kSiofDomains> lapse_per_year{};
  double wemwbs_per_goal_achieved = 0;  ///< WEMWBS points added at discharge per achieved goal
  /// Support lasts while goals are open: the episode ends when the person's last goal
  /// resolves, or at its drawn duration (then a maximum) if that comes first. A person
  /// without goals keeps the drawn duration.
  bool support_ends_with_goals = false;
};

/// A service's staff (issue 22 item 3): its places follow the posts filled or covered.
/// Filled posts leave at `turnover_per_year` each; each vacancy is filled after an
/// exponential time of mean `recruitment_days`; `agency_cover` of the vacant posts are
/// covered by agency staff at `agency_premium` over a substantive post. In an arm the
/// service's capacity in force is round(capacity x (filled + agency_cover x vacant) / posts)
/// and its team-years (annual_fixed_cost: the full establishment's staff cost a year) accrue
/// at (filled + (1 + agency_premium) x agency_cover x vacant) / posts.
struct StaffSpec {
  std::int64_t posts = 1;        ///< funded posts
  double vacancy = 0;            ///< share of posts vacant at day 0 (rounded to whole posts)
  double turnover_per_year = 0;  ///< leavers a year per filled post
  double recruitment_days = 90;  ///< mean time to fill a vacancy
  double agency_cover = 0;       ///< share of vacant posts covered by agency staff
  double agency_premium = 0;     ///< agency cost over a substantive post, a fraction
};

struct ServiceSpec {
  std::string name;
  ServiceKind kind = ServiceKind::kOther;
  std::size_t partner = 0;              ///< index into PathwaySpec::partners
  std::int64_t capacity = 0;            ///< caseload slots or beds; 0 = unlimited (never waits)
  engine::Discipline discipline = engine::Discipline::kFifo;  ///< kPriority: higher risk first
  std::size_t overflow = kDischarge;    ///< when full, go here at once instead of waiting (kDischarge = wait)

  /// Episode length: a duration in days, or a number of sessions (rounded, at least 1) a
  /// fixed interval apart. Exactly one is set.
  std::optional<engine::Distribution> duration;
  std::optional<engine::Distribution> sessions;
  double session_interval_days = 7;
  double contacts_per_week = 0;         ///< contacts during duration-based episodes

  double dropout_probability = 0;       ///< leaves after a uniform fraction of the episode
  double recovery_probability = 0;      ///< of those who complete
  ScoreChange wemwbs_change;            ///< at completion, not recovered
  ScoreChange wemwbs_change_recovered;  ///< at completion, recovered

  double cost_per_contact = 0;          ///< per contact or session
  double cost_per_day = 0;              ///< per occupied day (bed-day, placement day)
  double cost_per_episode = 0;          ///< per episode started
  double annual_fixed_cost = 0;         ///< per year the service exists in the arm
  /// [PathwaySpec::cost_categories] the shares of the service's unit costs in each cost
  /// category (pay, non-pay, placements ...), summing to 1; empty: its costs never inflate.
  std::vector<double> cost_mix = {};

  double crisis_per_year = 0;           ///< hazard during an episode (x the person's risk multiplier)
  std::size_t crisis_to = kDischarge;   ///< where a crisis sends the person (ends the episode)
  double relapse_per_year = 0;          ///< hazard in follow-up after discharge from here
  std::size_t relapse_to = kDischarge;  ///< where a relapse sends the person

  Routes routes;                        ///< on completion; empty = discharge
  std::vector<std::optional<Routes>> routes_by_group;  ///< per need group override (size = groups or 0)
  std::size_t fallback = kDischarge;    ///< referrals here go there in arms without this service
  bool gatekept = false;                ///< the arm's gatekeeping applies to referrals here
  std::size_t rejected_to = kDischarge; ///< where a refused referral goes

  GoalDynamics goals;                   ///< used by alliance_support services
  std::optional<StaffSpec> staff = std::nullopt;  ///< places follow staff (needs a finite capacity)
};

/// A behaviour parameter that may change from one simulated year to the next. in_year(y) is
/// its value in year y + 1 (days [365 y, 365 (y + 1))); years beyond the last value given
/// keep the last value. A plain number is the value of every year. Never empty.
class ByYear {
 public:
  ByYear(double every_year = 0) : values_{every_year} {}  // NOLINT(google-explicit-constructor): every year's value
  /// One value per year, the first for year 1; throws std::invalid_argument when empty.
  explicit ByYear(std::vector<double> by_year);

  /// The value in the year with 0-based index `year` (the last value for later years).
  double in_year(std::size_t year) const noexcept { return values_[year < values_.size() ? year : values_.size() - 1]; }
  /// The values as stored: one per year from year 1 (the scenario loader stores one per
  /// simulated year).
  const std::vector<double>& values() const noexcept { return values_; }

  /// Whether the value is `x` in every year.
  friend bool operator==(const ByYear& a, double x) noexcept {
    for (const double v : a.values_) {
      if (!(v == x)) return false;
    }
    return true;
  }
  friend bool operator==(double x, const ByYear& a) noexcept { return a == x; }
  friend bool operator!=(const ByYear& a, double x) noexcept { return !(a == x); }
  friend bool operator!=(double x, const ByYear& a) noexcept { return !(a == x); }
  /// Whether the two give the same value in every year (a shorter one repeats its last).
  friend bool operator==(const ByYear& a, const ByYear& b) noexcept {
    const std::size_t n = a.values_.size() > b.values_.size() ? a.values_.size() : b.values_.size();
    for (std::size_t y = 0; y < n; ++y) {
      if (!(a.in_year(y) == b.in_year(y))) return false;
    }
    return true;
  }
  friend bool operator!=(const ByYear& a, const ByYear& b) noexcept { return !(a == b); }

 private:
  std::vector<double> values_;
};
/// "0.3", or "[0.2, 0.7]" when there is more than one value (for messages and test output).
std::ostream& operator<<(std::ostream& out, const ByYear& v);

/// An arm: a service configuration plus behaviour parameters (each an assumption with a
/// range; nothing here is read by settlement). The behaviour parameters may differ by
/// simulated year; the model takes the value of the year in which each decision happens.
/// What happens to people in service when a scheduled capacity falls below their number.
enum class Excess : std::uint8_t {
  kFinish,     ///< they finish their episodes; nobody new starts until the caseload is below capacity
  kDischargeEarly,  ///< the excess leave now with the need for the service unmet (as after a dropout)
  kTransfer,   ///< the excess are referred now to another service (`transfer_to`)
};
inline constexpr std::array<std::string_view, 3> kExcessNames = {"finish", "discharge", "transfer"};

/// A service's capacity in one arm changes at a stated day (opening, phased decommissioning,
/// closing to 0). When it falls below the people in service, the excess are those in
/// service longest (earliest start; the earlier admitted among equals).
struct CapacityChange {
  std::size_t service = 0;
  double day = 0;
  std::int64_t capacity = 0;  ///< from `day`; 0 = closed (nobody starts; the waiting list stays)
  Excess excess = Excess::kFinish;
  std::size_t transfer_to = kDischarge;  ///< kTransfer: the service that takes the excess
};

/// A one-off cost in one arm (issue 22 item 4): setting up a service, a transition team,
/// premises, IT. Posted on `day` to the service's partner, in that day's year, as written
/// (cost inflation does not apply). Contract terms say whether it counts against the target
/// (`one_off_costs = "inside"`) or is paid on top (`"outside"`).
struct OneOffCost {
  std::size_t service = 0;
  double day = 0;
  double amount = 0;         ///< pounds
  std::string what = {};     ///< what it pays for (for messages and the report)
};

/// Routes that depend on a person's history (issue 15): in an arm, when an episode at
/// `service` completes and the person has had at least `at_least` episodes at the services
/// `counted` during the run (the episode now ending included when its service is counted, and
/// an episode in progress at day 0 counted as one), `routes` replace the routes the service
/// would use (its own or its group's). Several rules for one service: the one with the highest
/// `at_least` among those that hold (the first written of equals). The rule draws nothing: the
/// same uniform chooses among whichever routes apply, so an arm without rules is unchanged.
struct HistoryRoutes {
  std::size_t service = kDischarge;
  std::vector<bool> counted = {};  ///< per service: whose episodes count
  std::int64_t at_least = 1;       ///< episodes at the counted services (0: always holds)
  std::vector<bool> groups = {};   ///< per need group: whom the rule applies to (empty: everyone)
  Routes routes = {};              ///< probabilities summing to 1; empty = discharge
};

/// Multipliers of an arm's behaviour parameters that providers' responses to their contract
/// set (models/incentives, issue 21): per service, by year. Empty: no response (every
/// parameter as stated). The model reads them; it never knows why they are what they are.
struct Response {
  std::vector<ByYear> gatekeeping = {};  ///< [S] P(refuse) at gatekept service s = min(1, gatekeeping x this) x occupancy
  std::vector<ByYear> step_down = {};    ///< [S] step-down speed at long-term service s = step_down_speed x this
  /// [S x S] (front-door service f, secondary service t) row-major: P(divert a referral from f
  /// to t) = min(1, front_door_diversion x this)
  std::vector<ByYear> diversion = {};
  bool empty() const noexcept { return gatekeeping.empty() && step_down.empty() && diversion.empty(); }
};

struct ArmSpec {
  std::string name;
  std::vector<bool> enabled;            ///< per service
  std::vector<std::int64_t> capacity;   ///< per service: the service's own unless overridden (the simulation reads this)
  /// Per service (or empty): the scenario's overrides of the service's own capacity, from
  /// which the scenario derives `capacity`.
  std::vector<std::optional<std::int64_t>> capacity_override;
  std::vector<Routes> entry;            ///< per need group: where arrivals go (kDischarge = not served)
  ByYear gatekeeping = 0.0;             ///< P(refuse a gatekept referral) = gatekeeping x occupancy; year of the referral
  ByYear handoff_loss = 0.0;            ///< P(a referral between different partners is lost); year of the referral
  ByYear step_down_speed = 1.0;         ///< long-term episode lengths are divided by this; year the episode starts
  ByYear front_door_diversion = 0.0;    ///< P(front door keeps someone it would refer to secondary care); year of completion
  std::size_t diversion_to = kDischarge;///< where diverted people go
  /// Per service (or empty): referrals to it from outside secondary care and the front door
  /// (primary care, new arrivals, relapses) go to this service instead — a single point of
  /// access such as the Living Well front door. kDischarge = no redirection.
  std::vector<std::size_t> redirect;
  /// Capacity schedules (file order; applied at their days, after the starting caseload).
  std::vector<CapacityChange> capacity_changes = {};
  /// One-off costs (set-up, transition), posted at their days.
  std::vector<OneOffCost> one_off_costs = {};
  /// Routes by history (file order); empty: every route is the service's own.
  std::vector<HistoryRoutes> history_routes = {};
  /// Providers' responses to the arm's contract (not a scenario key: set by models/incentives
  /// before the run). Empty: the behaviour parameters above apply as stated.
  Response response = {};
};

/// People already in the system at day 0 (waiting lists, caseloads, wards).
struct InitialStock {
  std::size_t service = 0;
  std::size_t group = 0;
  std::uint64_t in_service = 0;
  std::uint64_t waiting = 0;
  /// Those in service have a uniform fraction of a length-biased episode left (the steady
  /// state's remaining time), not of a fresh one.
  bool stationary = false;
};

struct OutcomeSpec {
  double follow_up_days = 365;          ///< relapse watch after discharge; then the person leaves
  double readmission_window_days = 365; ///< an admission within this of the last discharge from an inpatient service
  double goal_sustain_days = 182;       ///< SIOF: sustained = lasting six months [SEED 004]
  /// QALY mapping: utility = clamp(intercept + slope x WEMWBS, min_utility, 1), accrued from
  /// arrival to death, moving away or the horizon.
  double utility_intercept = 0;
  double utility_slope = 0;
  double min_utility = -0.594;
};

/// A partner organisation that owns services (and, in settlement, is paid).
struct PartnerSpec {
  std::string name;
  std::string kind;  ///< nhs_trust, vcse, user_led, gp_practices, local_authority, commissioner, other
  /// Pounds the partner holds against painshare over the analysed horizon; NaN = not stated.
  /// Neither the simulation nor settlement reads it (the analysis does).
  double reserves = std::numeric_limits<double>::quiet_NaN();
};

/// A category of cost (`[cost_categories.pay]`) whose unit costs rise at its own rate.
struct CostCategory {
  std::string name;
  std::string description;
  double inflation = 0;  ///< per year: unit costs in year y (0-based) are x (1 + inflation)^y
};

struct PathwaySpec {
  int years = 1;
  std::uint64_t max_in_system = 10'000'000;
  PopulationSpec population;
  std::vector<PartnerSpec> partners;
  std::vector<ServiceSpec> services;
  std::vector<ArmSpec> arms;
  std::vector<InitialStock> initial;
  OutcomeSpec outcomes;
  std::vector<CostCategory> cost_categories = {};
};



/// Unit cost of a measure at a service, in the first year.
double unit_cost(const ServiceSpec& s, Measure m) noexcept;
/// What a service's unit costs are multiplied by in year `year` (0-based):
/// sum over categories k of cost_mix_k x (1 + inflation_k)^year; 1 without a cost mix.
double cost_factor(const PathwaySpec& spec, std::size_t service, std::size_t year) noexcept;

/// Simulates one arm of one replication. Throws engine::SimulationError (with the arm's
/// name) if a conservation check fails or the system holds more than max_in_system people.
ArmResult simulate_arm(const PathwaySpec& spec, std::size_t arm, const engine::RandomStreams& streams);

/// Every arm of one replication, on the same people and per-person random draws.
PathwayResult simulate_pathway(const PathwaySpec& spec, const engine::RandomStreams& streams);

/// The service that takes a referral to `target` in `arm`, following the fallbacks of
/// services the arm does not run; kDischarge when none does (or on a fallback cycle, which
/// check_spec refuses). One rule for the simulation and the progress proofs.
std::size_t taking_service(const PathwaySpec& spec, const ArmSpec& arm, std::size_t target) noexcept;

/// Where a referral to `target` from service `from` (kDischarge: from outside services) goes
/// in `arm`: the taking service, redirected by the arm's `redirect` when the referral comes
/// from outside secondary care and the front door; kDischarge when no service takes it.
std::size_t referral_destination(const PathwaySpec& spec, const ArmSpec& arm, std::size_t target,
                                 std::size_t from) noexcept;

/// Checks a spec's internal consistency (indices in range, probabilities summing to 1, one
/// of duration/sessions per service ...); returns the problems found, empty when sound. The
/// scenario loader reports its own, located errors; this guards programmatic specs.
std::vector<std::string> check_spec(const PathwaySpec& spec);

}  // namespace mhsim::models::pathway
