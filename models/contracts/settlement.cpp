// SPDX-License-Identifier: MIT
#include "models/contracts/settlement.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace mhsim::models::contracts {

namespace lg = ledger;

// ---------------------------------------------------------------------------------------
// Input.

void from_arm_result(const LedgerShape& shape, const lg::ArmResult& r, std::size_t year, YearInput& out) {
  const std::size_t P = shape.partners, S = shape.service_partner.size();
  if (year >= r.years) {
    throw std::out_of_range("from_arm_result: year is " + std::to_string(year) + ", but the result has " +
                            std::to_string(r.years) + " year(s)");
  }
  if (r.partners != P || r.services != S || r.partner_cost.size() < r.years * P ||
      r.activity.size() < r.years * S * kMeasures || r.cost.size() < r.years * S * kMeasures ||
      r.system.size() < r.years * lg::kSystemKpis || r.service.size() < r.years * S * lg::kServiceKpis) {
    throw std::out_of_range("from_arm_result: the arm result's shape does not match (" +
                            std::to_string(r.partners) + " partners, " + std::to_string(r.services) +
                            " services; the shape has " + std::to_string(P) + " and " + std::to_string(S) + ")");
  }
  out.year = static_cast<int>(year);
  out.partner_cost.assign(r.partner_cost.begin() + static_cast<std::ptrdiff_t>(year * P),
                          r.partner_cost.begin() + static_cast<std::ptrdiff_t>((year + 1) * P));
  out.partner_activity.assign(P, std::array<double, kMeasures>{});
  out.service_cost.assign(S, 0.0);
  out.service_one_off.assign(S, 0.0);
  out.service_activity.assign(S, std::array<double, kMeasures>{});
  out.service_partner.resize(S);
  for (std::size_t s = 0; s < S; ++s) {
    const std::size_t p = shape.service_partner[s];
    out.service_partner[s] = p;
    for (std::size_t m = 0; m < kMeasures; ++m) {
      const auto measure = static_cast<Measure>(m);
      const double a = r.act(year, s, measure);
      out.service_activity[s][m] = a;
      out.service_cost[s] += r.cst(year, s, measure);
      if (p < P) out.partner_activity[p][m] += a;
    }
    out.service_one_off[s] = r.one_off_cost(year, s);
    out.service_cost[s] += out.service_one_off[s];
  }
  out.kpi.assign(r.system.begin() + static_cast<std::ptrdiff_t>(year * lg::kSystemKpis),
                 r.system.begin() + static_cast<std::ptrdiff_t>((year + 1) * lg::kSystemKpis));
  out.service_kpi.assign(r.service.begin() + static_cast<std::ptrdiff_t>(year * S * lg::kServiceKpis),
                         r.service.begin() + static_cast<std::ptrdiff_t>((year + 1) * S * lg::kServiceKpis));
  out.population = shape.population;
  out.group_share = shape.group_share;
}

YearInput from_arm_result(const LedgerShape& shape, const lg::ArmResult& result, std::size_t year) {
  YearInput in;
  from_arm_result(shape, result, year, in);
  return in;
}

// ---------------------------------------------------------------------------------------
// Pieces.

namespace {

[[noreturn]] void bad_input(const std::string& what) { throw std::invalid_argument("settle: " + what); }

/// What one contract settles on, per partner: the cost and activity of the services it
/// covers (the partners' whole ledger unless contracts are scoped to services).
struct Basis {
  const double* cost;
  const std::array<double, kMeasures>* activity;
};

}  // namespace

double kpi_value(const KpiRef& ref, const YearInput& in) {
  if (ref.scope == KpiRef::Scope::kSystem) {
    if (ref.index >= in.kpi.size()) {
      bad_input("system KPI " + std::to_string(ref.index) + " is not in the input (" + std::to_string(in.kpi.size()) +
                " KPIs)");
    }
    return in.kpi[ref.index];
  }
  const std::size_t at = ref.service * lg::kServiceKpis + ref.index;
  if (ref.index >= lg::kServiceKpis || ref.service >= in.services() || at >= in.service_kpi.size()) {
    bad_input("service KPI " + std::to_string(ref.index) + " of service " + std::to_string(ref.service) +
              " is not in the input");
  }
  return in.service_kpi[at];
}

namespace {

void check_partner(std::size_t p, const YearInput& in) {
  if (p >= in.partners()) {
    bad_input("partner " + std::to_string(p) + " is not in the input (" + std::to_string(in.partners()) + " partners)");
  }
}

double tariff_units(const Tariff& t, std::size_t partner, const YearInput& in, const Basis& b) {
  const auto m = static_cast<std::size_t>(t.measure);
  if (t.service == Tariff::kPartnerServices) return b.activity[partner][m];
  if (t.service >= in.service_activity.size()) {
    bad_input("tariff service " + std::to_string(t.service) + " is not in the input (" +
              std::to_string(in.service_activity.size()) + " services)");
  }
  return in.service_activity[t.service][m];
}

double weighted_achievement(const std::vector<Indicator>& indicators, const YearInput& in) {
  double sum = 0;
  for (const Indicator& k : indicators) sum += k.weight * achievement(k, kpi_value(k.kpi, in));
  return sum;
}

/// Added to the payment: + rho x (|C - B| beyond delta B) x sign(C - B), or the banded
/// shares of the side's tiers.
double corridor_adjustment(const std::optional<RiskCorridor>& corridor, double cost, double budget) noexcept {
  if (!corridor) return 0;
  const double d = cost - budget;
  const std::vector<ShareBand>& tiers = d >= 0 ? corridor->over : corridor->under;
  const double shared = !tiers.empty() ? banded(tiers, std::fabs(d), std::fabs(budget))
                                       : corridor->share * std::max(0.0, std::fabs(d) - corridor->width * std::fabs(budget));
  return d >= 0 ? shared : -shared;
}

PartnerPayout& touch(YearPayout& out, const YearInput& in, std::size_t p) {
  PartnerPayout& pp = out.partners[p];
  pp.cost = in.partner_cost[p];
  return pp;
}

void settle_one(const BlockTerms& t, const YearInput& in, const Basis&, YearPayout& out) {
  check_partner(t.partner, in);
  touch(out, in, t.partner).payment += t.annual * std::pow(1.0 + t.indexation, static_cast<double>(in.year));
}

void settle_one(const ActivityTerms& t, const YearInput& in, const Basis& b, YearPayout& out) {
  check_partner(t.partner, in);
  double value = 0, baseline = 0;
  for (const Tariff& l : t.tariffs) {
    value += l.price * tariff_units(l, t.partner, in, b);
    baseline += l.price * l.baseline_volume;
  }
  double pay = value >= baseline ? t.baseline_payment + t.marginal_rate * (value - baseline)
                                 : t.baseline_payment - t.below_baseline_rate * (baseline - value);
  if (t.cap) pay = std::min(pay, *t.cap);
  if (t.floor) pay = std::max(pay, *t.floor);
  touch(out, in, t.partner).payment += pay;
}

void settle_one(const CapitationTerms& t, const YearInput& in, const Basis& b, YearPayout& out) {
  check_partner(t.partner, in);
  double need = 1;
  if (!t.need_weights.empty()) {
    if (in.group_share.size() != t.need_weights.size()) {
      bad_input("capitation has " + std::to_string(t.need_weights.size()) + " need weights but the input has " +
                std::to_string(in.group_share.size()) + " group shares");
    }
    need = 0;
    for (std::size_t g = 0; g < t.need_weights.size(); ++g) need += t.need_weights[g] * in.group_share[g];
  }
  const double budget = t.per_head * in.population * need;
  PartnerPayout& pp = touch(out, in, t.partner);
  const double rs = corridor_adjustment(t.corridor, b.cost[t.partner], budget);
  pp.gain_pain += rs;
  pp.payment += budget + rs;
}

void settle_one(const OutcomesTerms& t, const YearInput& in, const Basis&, YearPayout& out) {
  check_partner(t.partner, in);
  const double earned = t.at_risk * t.value * weighted_achievement(t.indicators, in);
  const double core = t.mode == OutcomesTerms::Mode::kBonus ? t.value : t.value * (1.0 - t.at_risk);
  touch(out, in, t.partner).payment += core + earned;
}

void settle_one(const BlendedTerms& t, const YearInput& in, const Basis& b, YearPayout& out) {
  check_partner(t.partner, in);
  double off_plan = 0;
  for (const Tariff& l : t.variable) off_plan += l.price * (tariff_units(l, t.partner, in, b) - l.baseline_volume);
  const double variable = t.variable_rate * off_plan;
  const double quality = t.quality_share * t.value * weighted_achievement(t.indicators, in);
  PartnerPayout& pp = touch(out, in, t.partner);
  const double rs = corridor_adjustment(t.corridor, b.cost[t.partner], t.fixed + variable + t.quality_share * t.value);
  pp.gain_pain += rs;
  pp.payment += t.fixed + variable + quality + rs;
}

double allocation_weight(const AllianceTerms& t, std::size_t i, double limb1_total, double fee_total, double toc,
                         const Basis& in) {
  const AllianceMember& m = t.members[i];
  const double equal = 1.0 / static_cast<double>(t.members.size());
  switch (t.allocation) {
    case AllianceTerms::Allocation::kEqual: return equal;
    case AllianceTerms::Allocation::kBudgetShare:
      return limb1_total > 0 ? in.cost[m.partner] / limb1_total : equal;
    case AllianceTerms::Allocation::kFee:
      return fee_total > 0 ? (m.fee + m.fee_rate * in.cost[m.partner] + m.fee_of_target * toc) / fee_total : equal;
    case AllianceTerms::Allocation::kFixed: return m.allocation;
  }
  return equal;
}

// `pool` holds the agreement's earlier years (settle_year) and is advanced past this one;
// nullptr settles the year on its own, as an agreement's first.
void settle_one(const AllianceTerms& t, const YearInput& in, const Basis& b, YearPayout& out, PoolState* pool) {
  const std::size_t n = t.members.size();
  if (n == 0) return;
  static const PoolState kFresh{};
  const PoolState& h = pool != nullptr ? *pool : kFresh;
  double toc = t.target_cost * std::pow(1.0 + t.target_indexation, static_cast<double>(in.year));
  if (!t.target_cost_by_year.empty()) {
    const auto y = std::min(static_cast<std::size_t>(std::max(in.year, 0)), t.target_cost_by_year.size() - 1);
    toc = t.target_cost_by_year[y];
  }
  // Rebasing: in years n, 2n, ... the factor on the scheduled TOC moves w of the way to the
  // previous year's outturn.
  double rebase = h.rebase;
  if (t.rebase_every > 0 && in.year > 0 && in.year % t.rebase_every == 0 && h.years > 0 && h.last_target > 0) {
    rebase *= 1.0 - t.rebase_weight + t.rebase_weight * h.last_actual / h.last_target;
  }
  if (rebase != 1.0) toc *= rebase;
  double aoc = 0, fees = 0;
  for (const AllianceMember& m : t.members) {
    check_partner(m.partner, in);
    const double l1 = b.cost[m.partner];
    aoc += l1;
    fees += m.fee + m.fee_rate * l1 + m.fee_of_target * toc;
  }
  const double u = toc - aoc;

  // KRAs: P = sum_k w_k sigma_k; the gate needs every KRA at "minimum" or better.
  out.kras.resize(t.kras.size());
  double p_return = 0;
  bool passed = true;
  for (std::size_t k = 0; k < t.kras.size(); ++k) {
    int band = 0;
    const double score = kra_score(t.kras[k], kpi_value(t.kras[k].kpi, in), &band);
    out.kras[k] = KraResult{band, score};
    p_return += t.kras[k].weight * score;
    passed = passed && band >= 2;
  }

  // Cost component: share, modifier, gate, then the caps as the outermost limits.
  const bool cumulative = t.settlement == AllianceTerms::Settlement::kCumulative;
  // The caps apply to the year (annual) or to the agreement to date (cumulative: this year's
  // target, fees and pounds cap added to those of the years before).
  const double cap_target = cumulative ? h.target + toc : toc;
  const double cap_fees = cumulative ? h.fees + fees : fees;
  const double cap_years = cumulative ? static_cast<double>(h.years + 1) : 1.0;
  double g = cumulative ? cost_share(t, cap_target - (h.actual + aoc), cap_target) -
                              cost_share(t, h.target - h.actual, h.target)
                        : cost_share(t, u, toc);
  // Good performance (P > 0) raises a gain and, with kBoth, lightens a pain; poor performance
  // the reverse. (The brief's G (1 + mu P) applied literally to a pain would lighten it for
  // poor performance, so a pain is scaled by (1 - mu P).)
  if (t.modifier != 0) {
    if (g > 0) {
      g *= 1.0 + t.modifier * p_return;
    } else if (g < 0 && t.modifier_scope == AllianceTerms::ModifierScope::kBoth) {
      g *= 1.0 - t.modifier * p_return;
    }
  }
  if (t.gate && !passed) g = std::min(g, 0.0);
  if (cumulative) {
    g += h.share;  // M: the modified share to date, which the caps to date then bound
  } else if (t.carry_forward) {
    g += h.carried;
  }
  const double uncapped = g;
  double gain_cap = t.gain_cap ? *t.gain_cap * cap_years : std::numeric_limits<double>::infinity();
  if (t.gain_cap_of_target) gain_cap = std::min(gain_cap, *t.gain_cap_of_target * cap_target);
  if (g > gain_cap) {
    g = gain_cap;
    out.gain_cap_binds = true;
  }
  double pain_cap = t.pain_cap ? *t.pain_cap * cap_fees : std::numeric_limits<double>::infinity();
  if (t.pain_cap_of_target) pain_cap = std::min(pain_cap, *t.pain_cap_of_target * cap_target);
  if (g < -pain_cap) {
    g = -pain_cap;
    out.pain_cap_binds = true;
  }
  if (cumulative) g -= h.paid;  // Q - Q_prev
  const double g_kra = p_return >= 0 ? p_return * t.reward_pool : p_return * t.max_liability;
  double l3 = g + g_kra;
  const double floor = cumulative ? -pain_cap - h.limb3 : -pain_cap;
  if (t.floor_total && l3 < floor) {
    l3 = floor;
    out.pain_cap_binds = true;
  }
  // The pool's caps over the life of the agreement, before allocation.
  if (t.pool_pain_cap_life && l3 < 0) {
    const double allowed = std::max(0.0, *t.pool_pain_cap_life * (h.fees + fees) - h.pain);
    if (-l3 > allowed) {
      l3 = -allowed;
      out.pain_cap_binds = true;
    }
  }
  if (t.pool_gain_cap_life && l3 > 0) {
    const double allowed = std::max(0.0, *t.pool_gain_cap_life - h.gain);
    if (l3 > allowed) {
      l3 = allowed;
      out.gain_cap_binds = true;
    }
  }
  out.carried = !cumulative && t.carry_forward ? uncapped - g : 0.0;
  if (pool != nullptr) {
    pool->years = h.years + 1;
    pool->target = h.target + toc;
    pool->actual = h.actual + aoc;
    pool->fees = h.fees + fees;
    pool->last_target = toc;
    pool->last_actual = aoc;
    pool->rebase = rebase;
    pool->share = cumulative ? uncapped : 0.0;
    pool->paid = h.paid + g;
    pool->limb3 = h.limb3 + l3;
    pool->carried = out.carried;
    pool->pain = h.pain + std::max(0.0, -l3);
    pool->gain = h.gain + std::max(0.0, l3);
  }

  out.target = toc;
  out.actual = aoc;
  out.fee_total = fees;
  out.underrun = u;
  out.providers_share = g;
  out.commissioner_residual = u - g;  // so providers_share + commissioner_residual = U
  out.kra_component = g_kra;
  out.limb3 = l3;
  out.kpi_return = p_return;
  out.gate_passed = passed;

  // Allocation, then partner caps (L3_i >= -kappa_i fee_i).
  for (std::size_t i = 0; i < n; ++i) {
    const AllianceMember& m = t.members[i];
    PartnerPayout& pp = touch(out, in, m.partner);
    pp.limb1 = b.cost[m.partner];
    pp.limb2 = m.fee + m.fee_rate * pp.limb1 + m.fee_of_target * toc;
    pp.limb3 = l3 * allocation_weight(t, i, aoc, fees, toc, b);
    pp.capped = false;
    pp.capped_amount = 0;
  }
  const auto floor_of = [&](std::size_t i) {
    const AllianceMember& m = t.members[i];
    return m.cap ? -*m.cap * out.partners[m.partner].limb2 : -std::numeric_limits<double>::infinity();
  };
  double shortfall = 0;
  if (t.shortfall == AllianceTerms::Shortfall::kCommissioner) {
    for (std::size_t i = 0; i < n; ++i) {
      PartnerPayout& pp = out.partners[t.members[i].partner];
      const double f = floor_of(i);
      if (pp.limb3 < f) {
        pp.capped = true;
        pp.capped_amount = f - pp.limb3;
        shortfall += pp.capped_amount;
        pp.limb3 = f;
      }
    }
  } else {
    // Water-filling: cap every partner whose pro-rata share of what is left breaches its cap,
    // spread the rest over the uncapped pro rata to their weights, until no new cap binds.
    // Shares only fall as partners are capped, so at most n rounds.
    double remaining = l3, weight = 0;
    for (std::size_t i = 0; i < n; ++i) weight += allocation_weight(t, i, aoc, fees, toc, b);
    for (std::size_t round = 0; round <= n; ++round) {
      bool newly = false;
      double next_remaining = remaining, next_weight = weight;
      for (std::size_t i = 0; i < n; ++i) {
        PartnerPayout& pp = out.partners[t.members[i].partner];
        if (pp.capped) continue;
        const double w = allocation_weight(t, i, aoc, fees, toc, b);
        const double share = weight > 0 ? remaining * (w / weight) : 0.0;
        const double f = floor_of(i);
        if (share < f) {
          pp.capped = true;
          pp.capped_amount = f - share;
          pp.limb3 = f;
          next_remaining -= f;
          next_weight -= w;
          newly = true;
        } else {
          pp.limb3 = share;
        }
      }
      if (!newly) break;
      remaining = next_remaining;
      weight = next_weight;
      if (!(weight > 1e-15)) {  // everyone with a weight is capped: the rest is the commissioner's
        for (std::size_t i = 0; i < n; ++i) {
          PartnerPayout& pp = out.partners[t.members[i].partner];
          if (!pp.capped) pp.limb3 = 0;
        }
        shortfall = -remaining;
        break;
      }
    }
  }
  out.cap_shortfall = shortfall;
  for (const AllianceMember& m : t.members) {
    PartnerPayout& pp = out.partners[m.partner];
    pp.gain_pain += pp.limb3;
    pp.payment += pp.limb1 + pp.limb2 + pp.limb3;
  }
}

template <class T>
void settle_contract(const T& t, const YearInput& in, const Basis& b, YearPayout& out, PoolState* pool) {
  if constexpr (std::is_same_v<T, AllianceTerms>) {
    settle_one(t, in, b, out, pool);
  } else {
    settle_one(t, in, b, out);
  }
}

void settle_terms(const Terms& terms, const YearInput& in, YearPayout& out, PoolState* pool);

}  // namespace

double achievement(const Indicator& k, double level) noexcept {
  if (k.full_level == k.zero_level) {
    const bool met = k.direction == Direction::kHigherIsBetter ? level >= k.full_level : level <= k.full_level;
    return met ? 1.0 : 0.0;
  }
  return std::clamp((level - k.zero_level) / (k.full_level - k.zero_level), 0.0, 1.0);
}

double kra_score(const Kra& kra, double level, int* band_out) noexcept {
  // Orient so that higher is better: negate level and thresholds for lower-is-better.
  const double sign = kra.direction == Direction::kHigherIsBetter ? 1.0 : -1.0;
  const double x = sign * level;
  std::array<double, 5> t{};
  for (std::size_t b = 0; b < 5; ++b) t[b] = sign * kra.thresholds[b];
  std::size_t band = 0;
  for (std::size_t b = 1; b < 5; ++b) {
    if (x >= t[b]) band = b;
  }
  if (band_out) *band_out = static_cast<int>(band);
  if (!kra.interpolate) return kra.scores[band];
  if (x <= t[0]) return kra.scores[0];
  if (x >= t[4]) return kra.scores[4];
  // t[band] <= x < t[band + 1], and x > t[0], so the segment has positive width.
  const double lo = t[band], hi = t[band + 1];
  if (!(hi > lo)) return kra.scores[band];
  return kra.scores[band] + (kra.scores[band + 1] - kra.scores[band]) * (x - lo) / (hi - lo);
}

double banded(const std::vector<ShareBand>& bands, double size, double base) noexcept {
  double lo = 0, g = 0;
  for (const ShareBand& b : bands) {
    const double hi = b.upper * base;
    if (size > lo) g += b.share * (std::min(size, hi) - lo);
    if (size <= hi) break;
    lo = hi;
  }
  return g;
}

double cost_share(const AllianceTerms& t, double u, double target) noexcept {
  const std::vector<ShareBand>& bands = u >= 0 ? t.gain_bands : t.pain_bands;
  if (bands.empty()) return t.share * u;
  const double g = banded(bands, std::fabs(u), target);
  return u >= 0 ? g : -g;
}

// ---------------------------------------------------------------------------------------
// Settlement.

void settle(const Terms& terms, const YearInput& in, YearPayout& out) { settle_terms(terms, in, out, nullptr); }

void settle_year(const Terms& terms, const YearInput& in, bool last_year, AgreementState& state, YearPayout& pay) {
  settle_terms(terms, in, pay, &state.pool);
  carry(terms, last_year, state, pay);
}

namespace {

void settle_terms(const Terms& terms, const YearInput& in, YearPayout& out, PoolState* pool) {
  const std::size_t P = in.partners();
  if (in.partner_activity.size() != P) bad_input("partner_activity has a size other than partner_cost's");
  if (in.service_activity.size() != in.services()) bad_input("service_activity has a size other than service_cost's");
  out.partners.assign(P, PartnerPayout{});
  out.kras.clear();
  out.commissioner_spend = 0;
  out.target = out.actual = out.fee_total = 0;
  out.underrun = out.providers_share = out.commissioner_residual = 0;
  out.kra_component = out.limb3 = out.cap_shortfall = out.kpi_return = 0;
  out.gate_passed = true;
  out.pain_cap_binds = out.gain_cap_binds = false;
  out.carried = 0;

  out.contract_payment.assign(terms.contracts.size(), 0.0);
  const auto paid = [&] {
    double sum = 0;
    for (const PartnerPayout& pp : out.partners) sum += pp.payment;
    return sum;
  };
  // One-off costs paid outside a contract: only when some are (otherwise the numbers are
  // those of before, bit for bit).
  bool outside = false;
  for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
    if (!terms.contracts[c].one_off_outside()) continue;
    for (const double x : in.service_one_off) outside = outside || x != 0.0;
  }
  if (outside && in.service_one_off.size() != in.services()) bad_input("service_one_off has a size other than service_cost's");
  if (!terms.scoped() && !outside) {
    const Basis whole{in.partner_cost.data(), in.partner_activity.data()};
    for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
      const double before = paid();
      std::visit([&](const auto& t) { settle_contract(t, in, whole, out, pool); }, terms.contracts[c].terms);
      out.contract_payment[c] = paid() - before;
    }
  } else {
    // A partner with a scoped contract is split: each of its contracts settles on the
    // services it covers. Other partners keep their whole ledger (the same numbers as
    // unscoped terms give).
    if (in.service_partner.size() != in.services()) bad_input("service_partner has a size other than service_cost's");
    covering(terms, in.service_partner, out.scratch_cover);
    for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
      out.scratch_cost = in.partner_cost;
      out.scratch_activity = in.partner_activity;
      for (std::size_t p = 0; p < P; ++p) {
        bool split = false;
        for (const Contract& other : terms.contracts) split = split || (other.scoped() && pays(other, p));
        if (!split || !pays(terms.contracts[c], p)) continue;
        out.scratch_cost[p] = 0;
        out.scratch_activity[p] = {};
        for (std::size_t s = 0; s < in.services(); ++s) {
          if (in.service_partner[s] != p || out.scratch_cover[s] != c) continue;
          out.scratch_cost[p] += in.service_cost[s];
          for (std::size_t m = 0; m < kMeasures; ++m) out.scratch_activity[p][m] += in.service_activity[s][m];
        }
      }
      // One-off costs outside this contract: out of what it settles on, paid on top.
      const bool pass = outside && terms.contracts[c].one_off_outside();
      if (pass) {
        for (std::size_t s = 0; s < in.services(); ++s) {
          if (out.scratch_cover[s] == c) out.scratch_cost[in.service_partner[s]] -= in.service_one_off[s];
        }
      }
      const Basis basis{out.scratch_cost.data(), out.scratch_activity.data()};
      const double before = paid();
      std::visit([&](const auto& t) { settle_contract(t, in, basis, out, pool); }, terms.contracts[c].terms);
      if (pass) {
        for (std::size_t s = 0; s < in.services(); ++s) {
          if (out.scratch_cover[s] == c) touch(out, in, in.service_partner[s]).payment += in.service_one_off[s];
        }
      }
      out.contract_payment[c] = paid() - before;
    }
  }
  double spend = 0;
  for (PartnerPayout& pp : out.partners) {
    pp.margin = pp.payment - pp.cost;
    spend += pp.payment;
  }
  out.commissioner_spend = spend;
  split_spend(terms, out);
}

}  // namespace

std::size_t commissioners(const Terms& terms) noexcept {
  std::size_t k = 1;
  for (const Contract& c : terms.contracts) {
    k = std::max(k, c.funders.size());
    if (const auto* a = std::get_if<AllianceTerms>(&c.terms)) k = std::max(k, a->residual_split.size());
  }
  return k;
}

void split_spend(const Terms& terms, YearPayout& pay) {
  const std::size_t K = commissioners(terms);
  pay.commissioner.assign(K, 0.0);
  if (K == 1) {  // one commissioner pays everything (bit for bit the spend)
    pay.commissioner[0] = pay.commissioner_spend;
    return;
  }
  for (std::size_t c = 0; c < terms.contracts.size() && c < pay.contract_payment.size(); ++c) {
    const Contract& k = terms.contracts[c];
    const double paid = pay.contract_payment[c];
    const auto share = [](const std::vector<double>& xs, std::size_t i) {
      return xs.empty() ? (i == 0 ? 1.0 : 0.0) : (i < xs.size() ? xs[i] : 0.0);
    };
    const auto* a = std::get_if<AllianceTerms>(&k.terms);
    const double budget = a != nullptr ? pay.target + pay.fee_total : 0.0;
    for (std::size_t i = 0; i < K; ++i) {
      const double f = share(k.funders, i);
      if (a != nullptr && !a->residual_split.empty()) {
        pay.commissioner[i] += f * budget - share(a->residual_split, i) * (budget - paid);
      } else {
        pay.commissioner[i] += f * paid;
      }
    }
  }
}

YearPayout settle(const Terms& terms, const YearInput& in) {
  YearPayout out;
  settle(terms, in, out);
  return out;
}

bool pays(const Contract& c, std::size_t p) noexcept {
  if (const auto* a = std::get_if<AllianceTerms>(&c.terms)) {
    return std::any_of(a->members.begin(), a->members.end(), [p](const AllianceMember& m) { return m.partner == p; });
  }
  return std::visit(
      [p](const auto& t) {
        if constexpr (std::is_same_v<std::decay_t<decltype(t)>, AllianceTerms>) {
          return false;
        } else {
          return t.partner == p;
        }
      },
      c.terms);
}

void covering(const Terms& terms, const std::vector<std::size_t>& service_partner, std::vector<std::size_t>& out) {
  const std::size_t S = service_partner.size();
  out.assign(S, kNoContract);
  for (std::size_t s = 0; s < S; ++s) {
    std::size_t scoped = kNoContract, whole = kNoContract;
    for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
      const Contract& k = terms.contracts[c];
      if (!pays(k, service_partner[s])) continue;
      if (k.scoped()) {
        if (scoped == kNoContract && s < k.services.size() && k.services[s]) scoped = c;
      } else if (whole == kNoContract) {
        whole = c;
      }
    }
    out[s] = scoped != kNoContract ? scoped : whole;
  }
}

std::vector<std::size_t> covering(const Terms& terms, const std::vector<std::size_t>& service_partner) {
  std::vector<std::size_t> out;
  covering(terms, service_partner, out);
  return out;
}

std::vector<bool> alliance_scope(const Terms& terms, const std::vector<std::size_t>& service_partner) {
  if (!terms.scoped()) return {};
  const std::vector<std::size_t> cover = covering(terms, service_partner);
  std::size_t alliance = kNoContract;
  for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
    if (std::holds_alternative<AllianceTerms>(terms.contracts[c].terms)) alliance = c;
  }
  std::vector<bool> scope(service_partner.size(), false);
  for (std::size_t s = 0; s < service_partner.size(); ++s) scope[s] = cover[s] == alliance;
  return scope;
}

void carry(const Terms& terms, bool last_year, AgreementState& state, YearPayout& pay) {
  const AllianceTerms* t = nullptr;
  std::size_t alliance = kNoContract;
  for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
    if (const auto* a = std::get_if<AllianceTerms>(&terms.contracts[c].terms)) {
      t = a;
      alliance = c;
    }
  }
  if (t == nullptr || (t->retention == 0 && !t->pain_cap_life)) return;
  const std::size_t P = pay.partners.size();
  if (state.retained.size() != P) {
    state.retained.assign(P, 0.0);
    state.fees.assign(P, 0.0);
    state.charged.assign(P, 0.0);
  }
  for (const AllianceMember& m : t->members) {
    if (m.partner >= P) bad_input("an alliance member is partner " + std::to_string(m.partner) + " of " + std::to_string(P));
    PartnerPayout& q = pay.partners[m.partner];
    const double g = q.limb3;
    double cash = g;
    state.fees[m.partner] += q.limb2;
    if (g < 0 && t->pain_cap_life) {
      const double allowed = std::max(0.0, *t->pain_cap_life * state.fees[m.partner] - state.charged[m.partner]);
      const double charged = std::min(-g, allowed);
      const double spared = -g - charged;
      if (spared > 0) {
        cash = -charged;
        q.capped_amount += spared;
        q.capped = true;
        pay.cap_shortfall += spared;
      }
      state.charged[m.partner] += charged;
    }
    if (t->retention > 0) {
      double& pot = state.retained[m.partner];
      if (cash > 0) {
        const double withheld = t->retention * cash;
        pot += withheld;
        cash -= withheld;
      } else if (cash < 0) {
        const double used = std::min(pot, -cash);
        pot -= used;
        cash += used;
      }
      if (last_year) {
        cash += pot;
        pot = 0;
      }
    }
    if (cash == g) continue;
    const double delta = cash - g;
    q.limb3 = cash;
    q.gain_pain += delta;
    q.payment += delta;
    if (alliance < pay.contract_payment.size()) pay.contract_payment[alliance] += delta;
    q.margin = q.payment - q.cost;
  }
  double spend = 0;
  for (const PartnerPayout& pp : pay.partners) spend += pp.payment;
  pay.commissioner_spend = spend;
  split_spend(terms, pay);
}

const AllianceTerms* interim_alliance(const Terms& terms) noexcept {
  for (const Contract& c : terms.contracts) {
    if (const auto* a = std::get_if<AllianceTerms>(&c.terms); a != nullptr && a->interim) return a;
  }
  return nullptr;
}

std::size_t cash_quarters(const Terms& terms, std::size_t years) noexcept {
  const AllianceTerms* a = interim_alliance(terms);
  return 4 * years + (a != nullptr ? static_cast<std::size_t>(std::max(0, a->reconciliation_lag)) : 0);
}

void quarterly_cash(const Terms& terms, const YearPayout& pay, std::size_t year, std::vector<double>& receipts,
                    std::vector<double>& costs) {
  const std::size_t P = pay.partners.size();
  const AllianceTerms* a = interim_alliance(terms);
  const std::size_t lag = a != nullptr ? static_cast<std::size_t>(std::max(0, a->reconciliation_lag)) : 0;
  const std::size_t first = 4 * year, balance_at = first + 3 + lag;
  if (receipts.size() < (balance_at + 1) * P || costs.size() < (balance_at + 1) * P) {
    bad_input("quarterly_cash: the buffers hold fewer quarters than year " + std::to_string(year + 1) + " needs");
  }
  if (a != nullptr) {
    for (const AllianceMember& m : a->members) {
      if (m.partner >= P) bad_input("an alliance member is partner " + std::to_string(m.partner) + " of " + std::to_string(P));
    }
  }
  const auto member = [a](std::size_t p) {  // no allocation: this runs for every replication, arm and year
    return a != nullptr && std::any_of(a->members.begin(), a->members.end(),
                                       [p](const AllianceMember& m) { return m.partner == p; });
  };
  const double n = a != nullptr ? static_cast<double>(a->members.size()) : 1.0;
  for (std::size_t p = 0; p < P; ++p) {
    const PartnerPayout& q = pay.partners[p];
    double spread = q.payment;  // paid in four equal instalments
    if (member(p)) {
      const double alliance = q.limb1 + q.limb2 + q.limb3;
      const double on_account = pay.target * (pay.actual > 0 ? q.limb1 / pay.actual : 1.0 / n) + q.limb2;
      spread = q.payment - alliance + on_account;
      receipts[balance_at * P + p] += alliance - on_account;
    }
    for (std::size_t k = 0; k < 4; ++k) {
      receipts[(first + k) * P + p] += spread / 4;
      costs[(first + k) * P + p] += q.cost / 4;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Validation.

namespace {

std::string num(double v) {
  std::ostringstream s;
  s << std::setprecision(12) << v;
  return s.str();
}

const char* kind_of(const ContractTerms& t) {
  static constexpr std::array<const char*, 6> names = {"block", "activity", "capitation", "outcomes", "blended",
                                                       "alliance"};
  return names[t.index()];
}

struct Checker {
  std::vector<std::string>& problems;
  std::size_t partners, services;
  std::string where;  // e.g. `contract 2 "trust" (block)`

  void add(const std::string& field, const std::string& text) { problems.push_back(where + ": " + field + " " + text); }
  void finite(const std::string& field, double v) {
    if (!std::isfinite(v)) add(field, "is " + num(v) + ", but must be finite");
  }
  void non_negative(const std::string& field, double v) {
    if (!(v >= 0) || std::isinf(v)) add(field, "is " + num(v) + ", but must be a finite number >= 0");
  }
  void unit(const std::string& field, double v) {
    if (!(v >= 0 && v <= 1)) add(field, "is " + num(v) + ", but must be in [0, 1]");
  }
  void growth(const std::string& field, double v) {
    if (!(v > -1) || std::isinf(v)) add(field, "is " + num(v) + ", but must be a finite number > -1");
  }
  void partner(const std::string& field, std::size_t p) {
    if (p >= partners) {
      add(field, "is " + std::to_string(p) + ", but there are " + std::to_string(partners) + " partners");
    }
  }
  void service(const std::string& field, std::size_t s) {
    if (services != std::numeric_limits<std::size_t>::max() && s >= services) {
      add(field, "is " + std::to_string(s) + ", but there are " + std::to_string(services) + " services");
    }
  }
  void kpi(const std::string& field, const KpiRef& ref) {
    if (ref.scope == KpiRef::Scope::kSystem) {
      if (ref.index >= lg::kSystemKpis) {
        add(field + ".index", "is " + std::to_string(ref.index) + ", but there are " +
                                  std::to_string(lg::kSystemKpis) + " system KPIs");
      }
    } else {
      if (ref.index >= lg::kServiceKpis) {
        add(field + ".index", "is " + std::to_string(ref.index) + ", but there are " +
                                  std::to_string(lg::kServiceKpis) + " service KPIs");
      }
      service(field + ".service", ref.service);
    }
  }
  void weights_sum(const std::string& field, double sum) {
    if (!(std::fabs(sum - 1.0) <= 1e-9)) add(field, "sum to " + num(sum) + ", but must sum to 1");
  }
  void tariffs(const std::string& field, const std::vector<Tariff>& ts, const char* volume_name) {
    for (std::size_t l = 0; l < ts.size(); ++l) {
      const std::string f = field + "[" + std::to_string(l) + "]";
      if (static_cast<std::size_t>(ts[l].measure) >= kMeasures) add(f + ".measure", "is not a ledger measure");
      if (ts[l].service != Tariff::kPartnerServices) service(f + ".service", ts[l].service);
      non_negative(f + ".price", ts[l].price);
      non_negative(f + "." + volume_name, ts[l].baseline_volume);
    }
  }
  void indicators(const std::vector<Indicator>& ks) {
    double sum = 0;
    for (std::size_t k = 0; k < ks.size(); ++k) {
      const Indicator& ind = ks[k];
      const std::string f = "indicators[" + std::to_string(k) + "]";
      kpi(f + ".kpi", ind.kpi);
      non_negative(f + ".weight", ind.weight);
      sum += ind.weight;
      finite(f + ".zero_level", ind.zero_level);
      finite(f + ".full_level", ind.full_level);
      if (ind.direction == Direction::kHigherIsBetter && ind.full_level < ind.zero_level) {
        add(f, "is higher-is-better, so full_level (" + num(ind.full_level) + ") must be >= zero_level (" +
                   num(ind.zero_level) + ")");
      }
      if (ind.direction == Direction::kLowerIsBetter && ind.full_level > ind.zero_level) {
        add(f, "is lower-is-better, so full_level (" + num(ind.full_level) + ") must be <= zero_level (" +
                   num(ind.zero_level) + ")");
      }
    }
    if (!ks.empty()) weights_sum("indicator weights", sum);
  }
  void corridor(const std::optional<RiskCorridor>& c) {
    if (!c) return;
    non_negative("corridor.width", c->width);
    unit("corridor.share", c->share);
    bands("corridor.over", c->over);
    bands("corridor.under", c->under);
  }
  void bands(const std::string& field, const std::vector<ShareBand>& bs) {
    double last = 0;
    for (std::size_t b = 0; b < bs.size(); ++b) {
      const std::string f = field + "[" + std::to_string(b) + "]";
      if (!(bs[b].upper > last)) {
        add(f + ".upper", "is " + num(bs[b].upper) + ", but band bounds must be > 0 and strictly ascending (previous " +
                              num(last) + ")");
      }
      unit(f + ".share", bs[b].share);
      if (bs[b].upper > last) last = bs[b].upper;
    }
  }

  void operator()(const BlockTerms& t) {
    partner("partner", t.partner);
    non_negative("annual", t.annual);
    growth("indexation", t.indexation);
  }
  void operator()(const ActivityTerms& t) {
    partner("partner", t.partner);
    tariffs("tariffs", t.tariffs, "baseline_volume");
    non_negative("baseline_payment", t.baseline_payment);
    non_negative("marginal_rate", t.marginal_rate);
    non_negative("below_baseline_rate", t.below_baseline_rate);
    if (t.cap) non_negative("cap", *t.cap);
    if (t.floor) non_negative("floor", *t.floor);
    if (t.cap && t.floor && *t.floor > *t.cap) {
      add("floor", "is " + num(*t.floor) + ", but must not exceed cap (" + num(*t.cap) + ")");
    }
  }
  void operator()(const CapitationTerms& t) {
    partner("partner", t.partner);
    non_negative("per_head", t.per_head);
    for (std::size_t g = 0; g < t.need_weights.size(); ++g) {
      non_negative("need_weights[" + std::to_string(g) + "]", t.need_weights[g]);
    }
    corridor(t.corridor);
  }
  void operator()(const OutcomesTerms& t) {
    partner("partner", t.partner);
    non_negative("value", t.value);
    unit("at_risk", t.at_risk);
    if (t.at_risk > 0 && t.indicators.empty()) add("indicators", "are empty, but at_risk is " + num(t.at_risk));
    indicators(t.indicators);
  }
  void operator()(const BlendedTerms& t) {
    partner("partner", t.partner);
    non_negative("fixed", t.fixed);
    tariffs("variable", t.variable, "planned_volume");
    non_negative("variable_rate", t.variable_rate);
    unit("quality_share", t.quality_share);
    non_negative("value", t.value);
    if (t.quality_share > 0 && t.indicators.empty()) {
      add("indicators", "are empty, but quality_share is " + num(t.quality_share));
    }
    indicators(t.indicators);
    corridor(t.corridor);
  }
  void operator()(const AllianceTerms& t) {
    if (t.members.empty()) add("members", "are empty, but an alliance needs at least one partner");
    double allocation = 0;
    for (std::size_t i = 0; i < t.members.size(); ++i) {
      const AllianceMember& m = t.members[i];
      const std::string f = "members[" + std::to_string(i) + "]";
      partner(f + ".partner", m.partner);
      non_negative(f + ".fee", m.fee);
      non_negative(f + ".fee_rate", m.fee_rate);
      non_negative(f + ".fee_of_target", m.fee_of_target);
      if (m.cap) non_negative(f + ".cap", *m.cap);
      if (t.allocation == AllianceTerms::Allocation::kFixed) unit(f + ".allocation", m.allocation);
      allocation += m.allocation;
    }
    if (t.allocation == AllianceTerms::Allocation::kFixed && !t.members.empty()) {
      weights_sum("member allocations", allocation);
    }
    non_negative("target_cost", t.target_cost);
    growth("target_indexation", t.target_indexation);
    for (std::size_t y = 0; y < t.target_cost_by_year.size(); ++y) {
      non_negative("target_cost_by_year[" + std::to_string(y) + "]", t.target_cost_by_year[y]);
    }
    unit("share", t.share);
    bands("gain_bands", t.gain_bands);
    bands("pain_bands", t.pain_bands);
    if (t.pain_cap) non_negative("pain_cap", *t.pain_cap);
    if (t.pain_cap_life) non_negative("pain_cap_life", *t.pain_cap_life);
    unit("retention", t.retention);
    if (t.pool_pain_cap_life) non_negative("pool_pain_cap_life", *t.pool_pain_cap_life);
    if (t.pool_gain_cap_life) non_negative("pool_gain_cap_life", *t.pool_gain_cap_life);
    if (t.rebase_every < 0) add("rebase_every", "is " + std::to_string(t.rebase_every) + ", but must be >= 0 years");
    unit("rebase_weight", t.rebase_weight);
    if (t.reconciliation_lag < 0 || t.reconciliation_lag > 8) {
      add("reconciliation_lag", "is " + std::to_string(t.reconciliation_lag) + ", but must be 0 to 8 quarters");
    }
    if (t.settlement == AllianceTerms::Settlement::kCumulative && t.carry_forward) {
      add("carry_forward", "is set with cumulative settlement, which already settles what a cap held back later");
    }
    if (t.gain_cap) non_negative("gain_cap", *t.gain_cap);
    if (t.gain_cap_of_target) non_negative("gain_cap_of_target", *t.gain_cap_of_target);
    if (t.pain_cap_of_target) non_negative("pain_cap_of_target", *t.pain_cap_of_target);

    double sum = 0;
    for (std::size_t k = 0; k < t.kras.size(); ++k) {
      const Kra& kra = t.kras[k];
      const std::string f = "kras[" + std::to_string(k) + "]";
      kpi(f + ".kpi", kra.kpi);
      non_negative(f + ".weight", kra.weight);
      sum += kra.weight;
      const double sign = kra.direction == Direction::kHigherIsBetter ? 1.0 : -1.0;
      for (std::size_t b = 0; b < 5; ++b) finite(f + ".thresholds[" + std::to_string(b) + "]", kra.thresholds[b]);
      for (std::size_t b = 1; b < 5; ++b) {
        if (sign * kra.thresholds[b] < sign * kra.thresholds[b - 1]) {
          add(f + ".thresholds",
              std::string("are out of order: ") + std::string(kKraBandNames[b]) + " (" + num(kra.thresholds[b]) + ") is worse than " +
                  std::string(kKraBandNames[b - 1]) + " (" + num(kra.thresholds[b - 1]) + ") for a " +
                  (sign > 0 ? "higher" : "lower") + "-is-better KPI");
        }
      }
      for (std::size_t b = 0; b < 5; ++b) {
        if (!(kra.scores[b] >= -1 && kra.scores[b] <= 1)) {
          add(f + ".scores[" + std::to_string(b) + "]", "is " + num(kra.scores[b]) + ", but must be in [-1, 1]");
        }
        if (b > 0 && kra.scores[b] < kra.scores[b - 1]) {
          add(f + ".scores", std::string("decrease from ") + std::string(kKraBandNames[b - 1]) + " to " + std::string(kKraBandNames[b]) +
                                 ", but must be non-decreasing");
        }
      }
    }
    if (!t.kras.empty()) weights_sum("KRA weights", sum);
    non_negative("reward_pool", t.reward_pool);
    non_negative("max_liability", t.max_liability);
    unit("modifier", t.modifier);
    if (t.kras.empty()) {
      if (t.gate) add("gate", "is on, but there are no KRAs to gate on");
      if (t.reward_pool > 0 || t.max_liability > 0) add("reward_pool/max_liability", "are set, but there are no KRAs");
      if (t.modifier > 0) add("modifier", "is " + num(t.modifier) + ", but there are no KRAs");
    }
  }
};

}  // namespace

std::vector<std::string> check_terms(const Terms& terms, std::size_t partners, std::size_t services,
                                     const std::vector<std::size_t>& service_partner) {
  std::vector<std::string> problems;
  std::vector<std::size_t> owner(partners, std::numeric_limits<std::size_t>::max());  // the unscoped contract
  std::size_t alliances = 0;
  for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
    const Contract& contract = terms.contracts[c];
    const std::string where =
        "contract " + std::to_string(c) + " \"" + contract.name + "\" (" + kind_of(contract.terms) + ")";
    Checker check{problems, partners, services, where};
    std::visit(check, contract.terms);
    const auto shares = [&](const std::string& field, const std::vector<double>& xs) {
      if (xs.empty()) return;
      double sum = 0;
      for (std::size_t k = 0; k < xs.size(); ++k) {
        check.unit(field + "[" + std::to_string(k) + "]", xs[k]);
        sum += xs[k];
      }
      check.weights_sum(field, sum);
    };
    shares("funders", contract.funders);
    if (const auto* a = std::get_if<AllianceTerms>(&contract.terms)) shares("residual_split", a->residual_split);

    const auto claim = [&](std::size_t p) {
      if (p >= partners || contract.scoped()) return;
      if (owner[p] != std::numeric_limits<std::size_t>::max()) {
        problems.push_back(where + ": partner " + std::to_string(p) + " is already paid by contract " +
                           std::to_string(owner[p]) +
                           " without services; a partner may hold one contract without services (the others name theirs)");
      } else {
        owner[p] = c;
      }
    };
    if (contract.scoped()) {
      if (services != std::numeric_limits<std::size_t>::max() && contract.services.size() != services) {
        problems.push_back(where + ": services has " + std::to_string(contract.services.size()) + " entries, but there are " +
                           std::to_string(services) + " services");
      } else if (std::none_of(contract.services.begin(), contract.services.end(), [](bool b) { return b; })) {
        problems.push_back(where + ": services is empty, but a contract's services must name at least one service");
      }
      for (std::size_t s = 0; s < contract.services.size() && s < service_partner.size(); ++s) {
        if (contract.services[s] && !pays(contract, service_partner[s])) {
          problems.push_back(where + ": service " + std::to_string(s) + " is in its services, but belongs to partner " +
                             std::to_string(service_partner[s]) + ", whom the contract does not pay");
        }
      }
    }
    if (const auto* a = std::get_if<AllianceTerms>(&contract.terms)) {
      ++alliances;
      for (const AllianceMember& m : a->members) claim(m.partner);
    } else {
      std::visit(
          [&](const auto& t) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(t)>, AllianceTerms>) claim(t.partner);
          },
          contract.terms);
    }
  }
  if (alliances > 1) {
    problems.push_back("terms: there are " + std::to_string(alliances) + " alliance contracts, but at most one is allowed");
  }
  // Each service of a partner with a scoped contract is covered by exactly one contract.
  if (terms.scoped() && service_partner.size() == services) {
    for (std::size_t s = 0; s < services; ++s) {
      const std::size_t p = service_partner[s];
      std::vector<std::size_t> by;
      bool split = false;
      for (std::size_t c = 0; c < terms.contracts.size(); ++c) {
        const Contract& k = terms.contracts[c];
        if (!k.scoped() || !pays(k, p)) continue;
        split = true;
        if (s < k.services.size() && k.services[s]) by.push_back(c);
      }
      if (by.size() > 1) {
        problems.push_back("terms: service " + std::to_string(s) + " is in the services of contracts " +
                           std::to_string(by[0]) + " and " + std::to_string(by[1]) +
                           "; a service's cost belongs to one contract");
      } else if (split && by.empty() && p < partners && owner[p] == std::numeric_limits<std::size_t>::max()) {
        problems.push_back("terms: service " + std::to_string(s) + " of partner " + std::to_string(p) +
                           " is in no contract, but the partner's other services are: name it in a contract's services "
                           "or give the partner a contract without services");
      }
    }
  }
  return problems;
}

std::vector<bool> paid_partners(const Terms& terms, std::size_t partners) {
  std::vector<bool> paid(partners, false);
  const auto mark = [&](std::size_t p) {
    if (p < partners) paid[p] = true;
  };
  for (const Contract& c : terms.contracts) {
    std::visit(
        [&](const auto& t) {
          if constexpr (std::is_same_v<std::decay_t<decltype(t)>, AllianceTerms>) {
            for (const AllianceMember& m : t.members) mark(m.partner);
          } else {
            mark(t.partner);
          }
        },
        c.terms);
  }
  return paid;
}

}  // namespace mhsim::models::contracts
