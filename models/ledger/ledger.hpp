// SPDX-License-Identifier: MIT
#pragma once
// The ledger, KPI and result types of one pathway replication: what the model posts and
// what settlement and analysis read. Header-only and free of the model: settlement links
// this target and not the pathway model, so "settlement is pure" is enforced by the build.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace mhsim::models::ledger {

/// Ledger measures: what each column of activity counts, and what its unit cost is per.
enum class Measure : std::size_t { kContacts = 0, kDays = 1, kEpisodes = 2, kTeamYears = 3 };
inline constexpr std::size_t kMeasures = 4;
inline constexpr std::array<std::string_view, kMeasures> kMeasureNames = {"contacts", "days", "episodes", "team_years"};

/// System KPIs per year (kpi/system), in dataset column order.
enum class SystemKpi : std::size_t {
  kArrivals, kReferralsSecondary, kAdmissions, kBedDays, kOutOfAreaDays, kReadmissions,
  kFrontDoorSupported, kDiverted, kGatekeptRefusals, kHandoffLosses, kCrises, kCrisesOutside, kRelapses,
  kPresentations, kRepresentations, kDeteriorations,
  kDischarged, kDied, kMovedAway, kRemitted, kLeftUnserved,
  kUntreatedPersonYears, kUntreatedAtYearEnd,
  kWemwbsImproved, kWemwbsDecreased, kWemwbsUnchanged, kWemwbsMeanChange, kShareImproved,
  kGoalsSet, kGoalsAchieved, kGoalsSustained, kGoalsClosed, kGoalsNotAchieved, kGoalsProgressing,
  kQalys, kInSystemAtYearEnd, kCost, kPresentationCost,
  kCount
};
inline constexpr std::size_t kSystemKpis = static_cast<std::size_t>(SystemKpi::kCount);
struct KpiInfo {
  std::string_view name;
  std::string_view unit;
  std::string_view doc;
};
inline const std::array<KpiInfo, kSystemKpis>& system_kpis() {
  static const std::array<KpiInfo, kSystemKpis> k = {{
      {"arrivals", "people", "new arrivals in the year (the starting caseload is not counted)"},
      {"referrals_secondary", "referrals", "referrals received by secondary care from outside it (after hand-off losses, before gatekeeping)"},
      {"admissions", "admissions", "episodes started in inpatient services (local acute and out of area)"},
      {"bed_days", "days", "occupied days in local acute beds"},
      {"out_of_area_days", "days", "occupied days in out-of-area placements"},
      {"readmissions", "admissions", "admissions within readmission_window_days of the person's last inpatient discharge"},
      {"front_door_supported", "episodes", "episodes started in front-door and peer-support services"},
      {"diverted", "people", "people the front door kept instead of referring them to secondary care"},
      {"gatekept_refusals", "referrals", "referrals refused by gatekeeping"},
      {"handoff_losses", "people", "referrals between services of different partners that were lost (the person stays, with unmet need)"},
      {"crises", "people", "crises: episodes ended by a crisis, and crises of people waiting or with unmet need"},
      {"crises_outside_services", "people", "the crises of people waiting or with unmet need (part of crises)"},
      {"relapses", "people", "relapses during follow-up after discharge"},
      {"presentations", "contacts", "presentations of people with unmet need at presentation services (A&E, NHS 111, 999, police, crisis lines)"},
      {"represented", "people", "people with unmet need who sought help again"},
      {"deteriorated", "people", "people whose mental health deteriorated while they had unmet need"},
      {"discharged", "people", "people who left the system after a follow-up period without relapse"},
      {"died", "people", "people who died while in the system"},
      {"moved_away", "people", "people who moved away while in the system"},
      {"remitted", "people", "people whose need resolved without treatment (they leave the system)"},
      {"left_unserved", "people", "arrivals no service in the arm takes (they stay, with unmet need)"},
      {"untreated_person_years", "person-years", "time people spent waiting or with unmet need in the year"},
      {"untreated_at_year_end", "people", "people waiting or with unmet need at year end (a stock)"},
      {"wemwbs_improved", "people", "discharges with WEMWBS above the person's baseline"},
      {"wemwbs_decreased", "people", "discharges with WEMWBS below the baseline"},
      {"wemwbs_unchanged", "people", "discharges with WEMWBS equal to the baseline"},
      {"wemwbs_mean_change", "points", "mean WEMWBS change from baseline at discharge (0 when nobody was discharged)"},
      {"share_improved", "fraction", "wemwbs_improved / discharges (0 when nobody was discharged)"},
      {"goals_set", "goals", "SIOF goals set"},
      {"goals_achieved", "goals", "SIOF goals achieved"},
      {"goals_sustained", "goals", "achieved goals that reached goal_sustain_days without lapsing"},
      {"goals_closed", "goals", "SIOF goals closed (including goals open when support ended)"},
      {"goals_not_achieved", "goals", "SIOF goals resolved as not achieved"},
      {"goals_progressing", "goals", "SIOF goals open at year end (a stock)"},
      {"qalys", "QALYs", "quality-adjusted life years accrued in the year by everyone who has arrived"},
      {"in_system_at_year_end", "people", "people waiting, in a service, in follow-up or with unmet need at year end (a stock)"},
      {"cost", "pounds", "ledger cost of the year: every partner, contracted or not (whole-system cost)"},
      {"presentation_cost", "pounds", "ledger cost of presentations (part of cost)"},
  }};
  return k;
}

/// Service KPIs per year (kpi/service).
enum class ServiceKpi : std::size_t {
  kReferrals, kEpisodes, kCompleted, kMeanWait, kP90Wait, kCaseloadAtYearEnd, kWaitingAtYearEnd,
  kMeanOccupancy,
  kCount
};
inline constexpr std::size_t kServiceKpis = static_cast<std::size_t>(ServiceKpi::kCount);
inline const std::array<KpiInfo, kServiceKpis>& service_kpis() {
  static const std::array<KpiInfo, kServiceKpis> k = {{
      {"referrals", "referrals", "referrals received (after hand-off losses, including those refused or overflowed)"},
      {"episodes", "episodes", "episodes started"},
      {"completed", "episodes", "episodes completed (not ended by drop-out, crisis, death or moving away)"},
      {"mean_wait", "days", "mean wait of episodes started in the year (0 when none)"},
      {"p90_wait", "days", "90th percentile (nearest rank) wait of episodes started in the year (0 when none)"},
      {"caseload_at_year_end", "people", "people in the service at year end"},
      {"waiting_at_year_end", "people", "people on the waiting list at year end"},
      {"mean_occupancy", "people", "time-average number in the service over the year"},
  }};
  return k;
}

/// Goal outcomes per year and SIOF domain (goals/by_domain): flows in the year except
/// progressing, which is the stock of open goals at year end.
enum class GoalStatus : std::size_t { kSet, kAchieved, kSustained, kClosed, kNotAchieved, kProgressing, kCount };
inline constexpr std::size_t kGoalStatuses = static_cast<std::size_t>(GoalStatus::kCount);
inline constexpr std::array<std::string_view, kGoalStatuses> kGoalStatusNames = {
    "set", "achieved", "sustained", "closed", "not_achieved", "progressing"};

/// Monthly picture per service (monthly/values, issue 22 item 7). A month is a twelfth of
/// a simulated 365-day year (365 / 12 = 30.4167 days; month m of year y starts at day
/// 365 y + (m - 1) 365 / 12), so the months of a year are exactly that year. Stocks are
/// taken at month end (after the work at that instant, as the year-end KPIs are); flows
/// are what happened in the month. Recording draws no random numbers.
enum class MonthlyMeasure : std::size_t { kWaitingAtEnd, kInServiceAtEnd, kPlacesAtEnd, kStaffAtEnd, kEpisodesStarted, kMeanWaitOfStarted, kMonthCost, kCount };
inline constexpr std::size_t kMonthlyMeasures = static_cast<std::size_t>(MonthlyMeasure::kCount);
inline constexpr std::size_t kMonthsPerYear = 12;
inline const std::array<KpiInfo, kMonthlyMeasures>& monthly_measures() {
  static const std::array<KpiInfo, kMonthlyMeasures> k = {{
      {"waiting", "people", "people on the service's waiting list at month end"},
      {"in_service", "people", "people in the service (caseload, occupied beds) at month end"},
      {"places", "places", "places in force at month end (the capacity after schedules and staff); NaN when unlimited or the arm lacks the service"},
      {"staff", "posts", "staff in post at month end: filled posts + agency-covered vacant posts (agency_cover x vacant); NaN for services without staff"},
      {"episodes", "episodes", "episodes started in the month (the starting caseload is not counted)"},
      {"mean_wait", "days", "mean wait of the episodes started in the month (0 when none)"},
      {"cost", "pounds", "ledger cost posted in the month (inflation included) and one-off costs falling in it: the months of a year sum to the year's ledger cost plus its one-off costs (kpi/system cost)"},
  }};
  return k;
}

/// Everything one arm of one replication produced. Arrays are row-major.
struct ArmResult {
  std::size_t years = 0, services = 0, partners = 0;
  std::vector<double> activity;      ///< [year][service][measure]
  std::vector<double> cost;          ///< [year][service][measure], pounds
  std::vector<double> partner_cost;  ///< [year][partner], one-off costs included
  /// [year][service] pounds: one-off costs (set-up, transition) posted to the service's
  /// partner. They are in partner_cost and the system's cost, not in `cost` (which is
  /// activity x unit cost). Empty (read as zeros) in results written before they existed.
  std::vector<double> one_off = {};
  std::vector<double> system;        ///< [year][SystemKpi]
  std::vector<double> service;       ///< [year][service][ServiceKpi]
  std::vector<double> goals;         ///< [year][domain][GoalStatus]
  std::size_t months = 0;            ///< years x 12
  std::vector<double> monthly = {};  ///< [month][service][MonthlyMeasure]
  // Conservation over the whole run.
  std::uint64_t arrived = 0;         ///< including the starting caseload
  std::uint64_t exited = 0;
  std::uint64_t in_system = 0;       ///< counted from people's states at the horizon
  std::uint64_t events = 0;
  double person_days = 0;            ///< days people spent in the system (waiting, in service, follow-up)

  double& at(std::vector<double>& v, std::size_t y, std::size_t s, std::size_t m, std::size_t width) {
    return v[(y * services + s) * width + m];
  }
  double sys(std::size_t y, SystemKpi k) const { return system[y * kSystemKpis + static_cast<std::size_t>(k)]; }
  double svc(std::size_t y, std::size_t s, ServiceKpi k) const {
    return service[(y * services + s) * kServiceKpis + static_cast<std::size_t>(k)];
  }
  double act(std::size_t y, std::size_t s, Measure m) const {
    return activity[(y * services + s) * kMeasures + static_cast<std::size_t>(m)];
  }
  double mon(std::size_t month, std::size_t s, MonthlyMeasure q) const {
    return monthly[(month * services + s) * kMonthlyMeasures + static_cast<std::size_t>(q)];
  }
  double cst(std::size_t y, std::size_t s, Measure m) const {
    return cost[(y * services + s) * kMeasures + static_cast<std::size_t>(m)];
  }
  /// The one-off cost of service s in year y (0 when none was posted).
  double one_off_cost(std::size_t y, std::size_t s) const {
    const std::size_t i = y * services + s;
    return i < one_off.size() ? one_off[i] : 0.0;
  }
};

struct PathwayResult {
  std::vector<ArmResult> arms;
  /// Probabilistic sensitivity analysis: the values of the scenario's uncertain parameters
  /// this replication ran with (every arm the same), in the order of the scenario's
  /// [uncertainty] tables; empty when the scenario has none. The runner fills it.
  std::vector<double> psa_values = {};
  /// Providers' responses to their contracts (models/incentives), when any responds:
  /// [arm][year][decision][service][field] with fields kResponseFieldNames; empty otherwise.
  /// The runner fills it.
  std::vector<double> response = {};
};
/// The fields of PathwayResult::response: the deciding provider's signal (pounds), its stake
/// (share of the decision's cost it bears) and the factor its behaviour parameter was scaled by.
inline constexpr std::array<std::string_view, 3> kResponseFieldNames = {"signal", "stake", "factor"};

}  // namespace mhsim::models::ledger
