// SPDX-License-Identifier: MIT
#include "models/pathway/statistics.hpp"

#include <algorithm>
#include <limits>
#include <optional>

namespace mhsim::models::pathway {

namespace {

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return out;
}

std::optional<std::size_t> index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<std::size_t>(it - names.begin());
}

/// KPIs whose "all years" value is the mean over years (rates, means and stocks), not the sum.
bool averaged_system_kpi(std::size_t k) {
  using K = SystemKpi;
  const auto is = [k](K x) { return k == static_cast<std::size_t>(x); };
  return is(K::kWemwbsMeanChange) || is(K::kShareImproved) || is(K::kGoalsProgressing) || is(K::kInSystemAtYearEnd);
}
bool averaged_service_kpi(std::size_t k) {
  using K = ServiceKpi;
  const auto is = [k](K x) { return k == static_cast<std::size_t>(x); };
  return is(K::kMeanWait) || is(K::kP90Wait) || is(K::kCaseloadAtYearEnd) || is(K::kWaitingAtYearEnd) ||
         is(K::kMeanOccupancy);
}

/// Parses one term of a statistic against the scenario; "" on success, else what was expected.
std::string parse_term(const std::string& s, const std::vector<std::string>& services,
                       const std::vector<std::string>& partners, StatisticTerm& t) {
  std::vector<std::string> system, service, domains, statuses;
  for (const auto& k : system_kpis()) system.emplace_back(k.name);
  for (const auto& k : service_kpis()) service.emplace_back(k.name);
  for (const std::string_view d : kSiofDomainNames) domains.emplace_back(d);
  for (const auto st : kGoalStatusNames) statuses.emplace_back(st);
  const std::string general =
      "a statistic: kpi.<system KPI> (one of " + list_names(system) + "), cost, qalys, service.<service>.<KPI> (one of " +
      list_names(service) + "), partner_cost.<partner>, service_cost.<service> or goals.<SIOF domain or all>.<status>, or a sum of them "
      "joined by \" + \"";
  std::string name = s;
  if (s == "cost" || s == "qalys") name = "kpi." + s;
  if (name.rfind("kpi.", 0) == 0) {
    if (const auto k = index_of(system, name.substr(4))) {
      t.kind = StatisticKind::kSystemKpi;
      t.index = *k;
      t.averaged = averaged_system_kpi(*k);
      return "";
    }
    return general;
  }
  if (name.rfind("partner_cost.", 0) == 0) {
    if (const auto p = index_of(partners, name.substr(13))) {
      t.kind = StatisticKind::kPartnerCost;
      t.index = *p;
      return "";
    }
    return "partner_cost.<partner> with a partner of the scenario (" + list_names(partners) + ")";
  }
  if (name.rfind("service_cost.", 0) == 0) {
    if (const auto svc = index_of(services, name.substr(13))) {
      t.kind = StatisticKind::kServiceCost;
      t.service = *svc;
      return "";
    }
    return "service_cost.<service> with a service of the scenario (" + list_names(services) + ")";
  }
  if (name.rfind("goals.", 0) == 0) {
    const std::string rest = name.substr(6);
    const std::size_t dot = rest.find('.');
    const std::string domain = rest.substr(0, dot);
    const std::optional<std::size_t> d = domain == "all" ? std::optional<std::size_t>(kSiofDomains)
                                                         : index_of(domains, domain);
    if (!d) return "goals.<domain>.<status> with a SIOF domain (" + list_names(domains) + ") or \"all\"";
    const std::optional<std::size_t> st = dot == std::string::npos ? std::nullopt : index_of(statuses, rest.substr(dot + 1));
    if (!st) return "goals.<domain>.<status> with a goal status (" + list_names(statuses) + ")";
    t.kind = StatisticKind::kGoals;
    t.domain = *d;
    t.index = *st;
    t.last_year = *st == static_cast<std::size_t>(GoalStatus::kProgressing);
    return "";
  }
  if (name.rfind("service.", 0) == 0) {
    const std::string rest = name.substr(8);
    const std::size_t dot = rest.rfind('.');
    if (dot == std::string::npos) return general;
    const auto svc = index_of(services, rest.substr(0, dot));
    if (!svc) return "service.<service>.<KPI> with a service of the scenario (" + list_names(services) + ")";
    const auto k = index_of(service, rest.substr(dot + 1));
    if (!k) return "service.<service>.<KPI> with a service KPI (" + list_names(service) + ")";
    t.kind = StatisticKind::kServiceKpi;
    t.service = *svc;
    t.index = *k;
    t.averaged = averaged_service_kpi(*k);
    return "";
  }
  return general;
}

}  // namespace

std::string parse_statistic(const std::string& s, const std::vector<std::string>& services,
                            const std::vector<std::string>& partners, std::vector<StatisticTerm>& terms) {
  std::size_t at = 0;
  while (true) {
    const std::size_t plus = s.find('+', at);
    std::string part = s.substr(at, plus == std::string::npos ? std::string::npos : plus - at);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    StatisticTerm t;
    if (std::string why = parse_term(part, services, partners, t); !why.empty()) return why;
    terms.push_back(t);
    if (plus == std::string::npos) return "";
    at = plus + 1;
  }
}



double statistic_value(const ArmResult& a, const std::vector<StatisticTerm>& terms, int year) {
  double total = 0;
  for (const StatisticTerm& t : terms) {
    const auto year_value = [&](std::size_t y) {
      switch (t.kind) {
        case StatisticKind::kSystemKpi: return a.system[y * kSystemKpis + t.index];
        case StatisticKind::kServiceKpi: return a.service[(y * a.services + t.service) * kServiceKpis + t.index];
        case StatisticKind::kPartnerCost: return a.partner_cost[y * a.partners + t.index];
        case StatisticKind::kServiceCost: {
          double sum = 0;
          for (std::size_t m = 0; m < kMeasures; ++m) sum += a.cost[(y * a.services + t.service) * kMeasures + m];
          return sum;
        }
        case StatisticKind::kGoals: {
          double sum = 0;
          const std::size_t first = t.domain == kSiofDomains ? 0 : t.domain;
          const std::size_t last = t.domain == kSiofDomains ? kSiofDomains : t.domain + 1;
          for (std::size_t d = first; d < last; ++d) sum += a.goals[(y * kSiofDomains + d) * kGoalStatuses + t.index];
          return sum;
        }
      }
      return std::numeric_limits<double>::quiet_NaN();
    };
    if (year > 0) {
      total += year_value(static_cast<std::size_t>(year - 1));
    } else if (t.last_year) {
      total += year_value(a.years - 1);
    } else {
      double sum = 0;
      for (std::size_t y = 0; y < a.years; ++y) sum += year_value(y);
      total += t.averaged ? sum / static_cast<double>(a.years) : sum;
    }
  }
  return total;
}

}  // namespace mhsim::models::pathway
