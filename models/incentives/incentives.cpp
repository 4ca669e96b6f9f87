// SPDX-License-Identifier: MIT
#include "models/incentives/incentives.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace mhsim::models::incentives {

namespace ct = contracts;
namespace pw = pathway;
using ledger::Measure;
using ledger::kMeasures;

namespace {

constexpr auto idx(Measure m) noexcept { return static_cast<std::size_t>(m); }

void add_into(std::vector<double>& to, const std::vector<double>& from) {
  if (to.size() < from.size()) to.resize(from.size(), 0.0);
  for (std::size_t i = 0; i < from.size(); ++i) to[i] += from[i];
}
void add_into(std::vector<std::array<double, kMeasures>>& to, const std::vector<std::array<double, kMeasures>>& from) {
  if (to.size() < from.size()) to.resize(from.size(), std::array<double, kMeasures>{});
  for (std::size_t i = 0; i < from.size(); ++i) {
    for (std::size_t m = 0; m < kMeasures; ++m) to[i][m] += from[i][m];
  }
}
void scale(std::vector<double>& v, double k) {
  for (double& x : v) x *= k;
}
void scale(std::vector<std::array<double, kMeasures>>& v, double k) {
  for (auto& row : v) {
    for (double& x : row) x *= k;
  }
}

}  // namespace

bool IncentiveSpec::on() const noexcept {
  for (const double e : elasticity) {
    if (e != 0.0) return true;
  }
  for (const auto& row : partner) {
    for (const double e : row) {
      if (e == e && e != 0.0) return true;
    }
  }
  return false;
}

Position mean_position(const ct::LedgerShape& shape, const std::vector<const ledger::ArmResult*>& results,
                       std::size_t year) {
  Position out;
  const std::size_t S = shape.service_partner.size();
  out.measure_cost.assign(S, std::array<double, kMeasures>{});
  ct::YearInput one;
  bool first = true;
  for (const ledger::ArmResult* r : results) {
    ct::from_arm_result(shape, *r, year, one);
    if (first) {
      out.input = one;
      first = false;
    } else {
      add_into(out.input.partner_cost, one.partner_cost);
      add_into(out.input.partner_activity, one.partner_activity);
      add_into(out.input.service_cost, one.service_cost);
      add_into(out.input.service_one_off, one.service_one_off);
      add_into(out.input.service_activity, one.service_activity);
      add_into(out.input.kpi, one.kpi);
      add_into(out.input.service_kpi, one.service_kpi);
    }
    for (std::size_t s = 0; s < S; ++s) {
      for (std::size_t m = 0; m < kMeasures; ++m) out.measure_cost[s][m] += r->cst(year, s, static_cast<Measure>(m));
    }
  }
  if (results.empty()) {
    out.input.year = static_cast<int>(year);
    out.input.service_partner = shape.service_partner;
    out.input.partner_cost.assign(shape.partners, 0.0);
    out.input.partner_activity.assign(shape.partners, std::array<double, kMeasures>{});
    out.input.service_cost.assign(S, 0.0);
    out.input.service_activity.assign(S, std::array<double, kMeasures>{});
    out.input.population = shape.population;
    out.input.group_share = shape.group_share;
    return out;
  }
  const double k = 1.0 / static_cast<double>(results.size());
  scale(out.input.partner_cost, k);
  scale(out.input.partner_activity, k);
  scale(out.input.service_cost, k);
  scale(out.input.service_one_off, k);
  scale(out.input.service_activity, k);
  scale(out.input.kpi, k);
  scale(out.input.service_kpi, k);
  scale(out.measure_cost, k);
  return out;
}

Unit episode(const Position& at, std::size_t s) {
  Unit u;
  const auto& act = at.input.service_activity.at(s);
  const auto& cost = at.measure_cost.at(s);
  const double episodes = act[idx(Measure::kEpisodes)];
  if (!(episodes > 0.0)) return u;
  for (const Measure m : {Measure::kContacts, Measure::kDays}) u.activity[idx(m)] = act[idx(m)] / episodes;
  u.activity[idx(Measure::kEpisodes)] = 1.0;
  u.cost = (cost[idx(Measure::kContacts)] + cost[idx(Measure::kDays)] + cost[idx(Measure::kEpisodes)]) / episodes;
  return u;
}

Unit month(const Position& at, std::size_t s) {
  Unit u;
  const auto& act = at.input.service_activity.at(s);
  const auto& cost = at.measure_cost.at(s);
  const double days = act[idx(Measure::kDays)];
  if (!(days > 0.0)) return u;
  const double k = pw::kDaysPerMonth / days;
  u.activity[idx(Measure::kDays)] = pw::kDaysPerMonth;
  u.activity[idx(Measure::kContacts)] = act[idx(Measure::kContacts)] * k;
  u.cost = (cost[idx(Measure::kContacts)] + cost[idx(Measure::kDays)]) * k;
  return u;
}

namespace {

// Partner p's margin when `unit` is added at service s of `at` (see margin_change).
double margin_with(const ct::Terms& terms, const ct::YearInput& at, std::size_t s, const Unit& unit, std::size_t p,
                   ct::YearPayout& scratch) {
  ct::YearInput with = at;
  const std::size_t owner = with.service_partner.at(s);
  for (std::size_t m = 0; m < kMeasures; ++m) {
    with.service_activity.at(s)[m] += unit.activity[m];
    with.partner_activity.at(owner)[m] += unit.activity[m];
  }
  with.service_cost.at(s) += unit.cost;
  with.partner_cost.at(owner) += unit.cost;
  for (const auto& [k, amount] : unit.kpi) {
    if (k < with.kpi.size()) with.kpi[k] += amount;
  }
  ct::settle(terms, with, scratch);
  return p < scratch.partners.size() ? scratch.partners[p].margin : 0.0;
}

// Every partner's margin in `at` as it stands.
std::vector<double> margins(const ct::Terms& terms, const ct::YearInput& at, ct::YearPayout& scratch) {
  ct::settle(terms, at, scratch);
  std::vector<double> out;
  for (const ct::PartnerPayout& x : scratch.partners) out.push_back(x.margin);
  return out;
}

// A unit at an inpatient service adds its days to the bed-day counts.
void add_bed_days(pw::ServiceKind kind, Unit& u) {
  if (!pw::is_inpatient(kind)) return;
  const double days = u.activity[idx(Measure::kDays)];
  u.kpi.push_back({static_cast<std::size_t>(ledger::SystemKpi::kBedDays), days});
  if (kind == pw::ServiceKind::kOutOfArea) u.kpi.push_back({static_cast<std::size_t>(ledger::SystemKpi::kOutOfAreaDays), days});
}

}  // namespace

double margin_change(const ct::Terms& terms, const ct::YearInput& at, std::size_t s, const Unit& unit, std::size_t p,
                     ct::YearPayout& scratch) {
  if (terms.contracts.empty()) return 0.0;
  const std::vector<double> before = margins(terms, at, scratch);
  return margin_with(terms, at, s, unit, p, scratch) - (p < before.size() ? before[p] : 0.0);
}

Signals signals(const pw::PathwaySpec& spec, std::size_t arm, const ct::Terms& terms, const Position& at) {
  const std::size_t S = spec.services.size();
  const pw::ArmSpec& a = spec.arms.at(arm);
  Signals out;
  for (std::size_t d = 0; d < kDecisions; ++d) {
    out.signal[d].assign(S, 0.0);
    out.stake[d].assign(S, 0.0);
  }
  out.diversion.assign(S * S, 0.0);
  ct::YearPayout scratch;
  if (terms.contracts.empty()) return out;  // nothing is paid: every signal is 0
  // The expected year settled once; each unit is settled against it.
  const std::vector<double> base = margins(terms, at.input, scratch);
  const auto margin_change_of = [&](std::size_t s, const Unit& u, std::size_t p) {
    return margin_with(terms, at.input, s, u, p, scratch) - (p < base.size() ? base[p] : 0.0);
  };
  using ledger::SystemKpi;
  const auto kpi = [](SystemKpi k) { return static_cast<std::size_t>(k); };
  // One more episode at `where` (kDischarge: none), with the system KPIs that count it: an
  // admission and its bed-days at an inpatient service, a referral into secondary care when
  // `referred` (the front door's decision: the gatekeeper's referral is counted before it
  // decides), and `extra` (the refusal or diversion the alternative counts).
  const auto change = [&](std::size_t where, std::size_t p, bool referred, std::optional<SystemKpi> extra) {
    Unit u = where == pw::kDischarge ? Unit{} : episode(at, where);
    if (where != pw::kDischarge && u.activity[idx(Measure::kEpisodes)] > 0.0) {
      const pw::ServiceKind kind = spec.services[where].kind;
      if (pw::is_inpatient(kind)) u.kpi.push_back({kpi(SystemKpi::kAdmissions), 1.0});
      add_bed_days(kind, u);
      if (referred && pw::is_secondary(kind)) u.kpi.push_back({kpi(SystemKpi::kReferralsSecondary), 1.0});
    }
    if (extra) u.kpi.push_back({kpi(*extra), 1.0});
    if (u.cost == 0.0 && u.kpi.empty()) return 0.0;
    return margin_change_of(where == pw::kDischarge ? 0 : where, u, p);
  };
  const auto episode_change = [&](std::size_t where, std::size_t p) { return change(where, p, false, std::nullopt); };
  const auto stake_of = [](double signal, double cost) { return cost > 0.0 ? -signal / cost : 0.0; };
  for (std::size_t s = 0; s < S; ++s) {
    if (s >= a.enabled.size() || !a.enabled[s]) continue;
    const pw::ServiceSpec& svc = spec.services[s];
    const std::size_t p = svc.partner;
    if (svc.gatekept) {
      const std::size_t g = static_cast<std::size_t>(Decision::kGatekeeping);
      const std::size_t refused =
          svc.rejected_to == pw::kDischarge ? pw::kDischarge : pw::referral_destination(spec, a, svc.rejected_to, pw::kDischarge);
      out.signal[g][s] = episode_change(s, p) - change(refused, p, true, SystemKpi::kGatekeptRefusals);
      out.stake[g][s] = stake_of(out.signal[g][s], episode(at, s).cost);
    }
    if (pw::is_long_term(svc.kind) && svc.duration) {
      const std::size_t k = static_cast<std::size_t>(Decision::kStepDown);
      Unit one = month(at, s);
      add_bed_days(svc.kind, one);
      out.signal[k][s] = margin_change_of(s, one, p);
      out.stake[k][s] = stake_of(out.signal[k][s], one.cost);
    }
    if (pw::is_front_door(svc.kind)) {
      const std::size_t kept =
          a.diversion_to == pw::kDischarge ? pw::kDischarge : pw::referral_destination(spec, a, a.diversion_to, s);
      const double keep = change(kept, p, false, SystemKpi::kDiverted);
      std::vector<double> refer(S, 0.0);  // signal of referring on to each secondary service
      for (std::size_t t = 0; t < S; ++t) {
        if (t >= a.enabled.size() || !a.enabled[t] || !pw::is_secondary(spec.services[t].kind)) continue;
        refer[t] = change(t, p, true, std::nullopt) - keep;
        out.diversion[s * S + t] = stake_of(refer[t], episode(at, t).cost);
      }
      // For reporting: the stake and signal over the secondary destinations of s's routes.
      const std::size_t v = static_cast<std::size_t>(Decision::kDiversion);
      double weight = 0, stake = 0, signal = 0;
      for (const pw::Route& r : svc.routes) {
        const std::size_t t = r.target == pw::kDischarge ? pw::kDischarge : pw::taking_service(spec, a, r.target);
        if (t == pw::kDischarge || !pw::is_secondary(spec.services[t].kind)) continue;
        weight += r.probability;
        stake += r.probability * out.diversion[s * S + t];
        signal += r.probability * refer[t];
      }
      if (weight > 0.0) {
        out.stake[v][s] = stake / weight;
        out.signal[v][s] = signal / weight;
      }
    }
  }
  return out;
}

double factor(double elasticity, double stake, double max_factor) noexcept {
  if (elasticity == 0.0 || stake == 0.0) return 1.0;
  const double f = std::exp(elasticity * stake);
  return std::clamp(f, 1.0 / max_factor, max_factor);
}

void respond(pw::PathwaySpec& spec, const std::vector<std::vector<Signals>>& signals, const IncentiveSpec& how) {
  const std::size_t S = spec.services.size();
  for (std::size_t a = 0; a < spec.arms.size(); ++a) {
    pw::Response& r = spec.arms[a].response;
    r = pw::Response{};
    if (!how.on() || a >= signals.size() || signals[a].empty()) continue;
    const std::vector<Signals>& by_year = signals[a];
    const auto by_years = [&](double elasticity, auto stake_in_year) {
      std::vector<double> f;
      for (std::size_t y = 0; y < by_year.size(); ++y) f.push_back(factor(elasticity, stake_in_year(y), how.max_factor));
      return pw::ByYear(std::move(f));
    };
    r.gatekeeping.reserve(S);
    r.step_down.reserve(S);
    r.diversion.reserve(S * S);
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t p = spec.services[s].partner;
      r.gatekeeping.push_back(by_years(how.of(p, Decision::kGatekeeping), [&](std::size_t y) {
        return by_year[y].stake[static_cast<std::size_t>(Decision::kGatekeeping)][s];
      }));
      r.step_down.push_back(by_years(how.of(p, Decision::kStepDown), [&](std::size_t y) {
        return by_year[y].stake[static_cast<std::size_t>(Decision::kStepDown)][s];
      }));
    }
    for (std::size_t f = 0; f < S; ++f) {
      const double e = how.of(spec.services[f].partner, Decision::kDiversion);
      for (std::size_t t = 0; t < S; ++t) {
        r.diversion.push_back(by_years(e, [&](std::size_t y) { return by_year[y].diversion[f * S + t]; }));
      }
    }
  }
}

}  // namespace mhsim::models::incentives
