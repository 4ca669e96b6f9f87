// SPDX-License-Identifier: MIT
#pragma once
// The statistics of a pathway run that a calibration or reproduction target can name:
// kpi.<system KPI>, cost, qalys, service.<service>.<KPI>, partner_cost.<partner>,
// service_cost.<service>, goals.<SIOF domain or all>.<status>, and sums of them. What each
// means over a whole run (a sum, a mean over years, or the last year's stock) is the
// results' own property, so it is defined here, beside them.

#include <cstddef>
#include <string>
#include <vector>

#include "models/pathway/pathway.hpp"

namespace mhsim::models::pathway {

/// What a statistic term measures, per arm and replication.
enum class StatisticKind { kSystemKpi, kServiceKpi, kPartnerCost, kServiceCost, kGoals };

/// One term of a statistic (a statistic is a sum of terms: "kpi.a + kpi.b").
struct StatisticTerm {
  StatisticKind kind = StatisticKind::kSystemKpi;
  std::size_t index = 0;          ///< SystemKpi / ServiceKpi / partner / GoalStatus index
  std::size_t service = 0;        ///< service index (kServiceKpi, kServiceCost)
  std::size_t domain = 0;         ///< SIOF domain (kGoals); kSiofDomains = every domain
  bool averaged = false;          ///< year "all" takes the mean over years (rates, means, stocks), not the sum
  bool last_year = false;         ///< year "all" takes the last year's value (goals progressing: a stock)
};

/// Parses a statistic, terms joined by " + ", against a run's services and partners (in
/// index order): "" on success, else what was expected.
std::string parse_statistic(const std::string& text, const std::vector<std::string>& services,
                            const std::vector<std::string>& partners, std::vector<StatisticTerm>& terms);

/// One arm's value of a statistic in one replication: in year `year` (1-based), or over the
/// whole run (0).
double statistic_value(const ArmResult& a, const std::vector<StatisticTerm>& terms, int year);

}  // namespace mhsim::models::pathway
