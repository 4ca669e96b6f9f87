// SPDX-License-Identifier: MIT
#include "models/pathway/population.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/random/discrete_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>

#include "engine/gamma.hpp"

namespace mhsim::models::pathway {

int month_of(engine::Days t) noexcept {
  const double in_year = std::fmod(t, engine::kDaysPerYear);
  return std::min(11, static_cast<int>(in_year / (engine::kDaysPerYear / 12.0)));
}

namespace {
void check(const NeedGroup& g) {
  const std::string where = "need group '" + g.name + "': ";
  if (!(g.rate_per_1000_per_year >= 0) || !std::isfinite(g.rate_per_1000_per_year)) {
    throw std::invalid_argument(where + "rate_per_1000_per_year must be a finite number >= 0");
  }
  for (double m : g.monthly_multiplier) {
    if (!(m >= 0) || !std::isfinite(m)) throw std::invalid_argument(where + "monthly multipliers must be >= 0");
  }
  if (!(g.risk_beta_a > 0) || !(g.risk_beta_b > 0)) throw std::invalid_argument(where + "risk Beta parameters must be > 0");
  if (!(g.wemwbs_sd >= 0)) throw std::invalid_argument(where + "wemwbs_sd must be >= 0");
  if (!(g.goals_mean >= 0)) throw std::invalid_argument(where + "goals_mean must be >= 0");
  double total = 0;
  for (double w : g.goal_domain_weights) {
    if (!(w >= 0)) throw std::invalid_argument(where + "goal domain weights must be >= 0");
    total += w;
  }
  if (g.goals_mean > 0 && !(total > 0)) throw std::invalid_argument(where + "goal domain weights must not all be 0");
  if (!(g.trend_per_year > -1) || !std::isfinite(g.trend_per_year)) {
    throw std::invalid_argument(where + "trend_per_year must be a finite number > -1");
  }
  for (const RateChange& c : g.rate_changes) {
    if (!(c.from_day >= 0) || !std::isfinite(c.from_day) || !(c.to_day > c.from_day) || !(c.multiplier >= 0) ||
        !std::isfinite(c.multiplier)) {
      throw std::invalid_argument(where + "a rate change needs 0 <= from_day < to_day and a finite multiplier >= 0");
    }
  }
}

// The time-varying part of the rate apart from seasonality: the trend and the changes.
double change_factor(const NeedGroup& g, engine::Days t) noexcept {
  double f = 1.0;
  if (g.trend_per_year != 0) f *= std::pow(1.0 + g.trend_per_year, t / engine::kDaysPerYear);
  for (const RateChange& c : g.rate_changes) {
    if (t >= c.from_day && t < c.to_day) f *= c.multiplier;
  }
  return f;
}
}  // namespace

double rate_multiplier(const NeedGroup& group, engine::Days t) noexcept {
  return group.monthly_multiplier[static_cast<std::size_t>(month_of(t))] * change_factor(group, t);
}

ArrivalGenerator::ArrivalGenerator(const PopulationSpec& spec, const engine::RandomStreams& streams,
                                   engine::Days horizon)
    : spec_(spec), streams_(streams), horizon_(horizon) {
  if (!(spec.size >= 0) || !std::isfinite(spec.size)) throw std::invalid_argument("population size must be >= 0");
  for (const NeedGroup& g : spec.groups) {
    check(g);
    const double base = spec.size / 1000.0 * g.rate_per_1000_per_year / engine::kDaysPerYear;
    // Every change that raises the rate, as if all were in force at once, bounds the changes.
    double bound = 1.0;
    for (const RateChange& c : g.rate_changes) bound *= std::max(1.0, c.multiplier);
    double peak = base * *std::max_element(g.monthly_multiplier.begin(), g.monthly_multiplier.end());
    if (bound != 1.0) peak *= bound;
    groups_.push_back(GroupState{streams.stream("population/arrivals/" + g.name), peak, base, 0.0});
    groups_.back().peak_without_trend = peak;
    groups_.back().person = engine::StreamId::named("person/" + g.name);
    if (g.trend_per_year > 0) set_piece(groups_.size() - 1, 0.0);
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) advance(g);
}

// A growing trend: the bound of year k = [k, k + 1) x 365 is the changes' bound x (1 + trend)^(k + 1).
void ArrivalGenerator::set_piece(std::size_t g, engine::Days from) {
  GroupState& s = groups_[g];
  const double year = std::floor(from / engine::kDaysPerYear);
  s.piece_end = (year + 1.0) * engine::kDaysPerYear;
  s.peak_rate = s.peak_without_trend * std::pow(1.0 + spec_.groups[g].trend_per_year, year + 1.0);
}

void ArrivalGenerator::advance(std::size_t g) {
  GroupState& s = groups_[g];
  if (!(s.peak_rate > 0)) {
    s.next_at = engine::kNever;
    return;
  }
  // Thinning: candidates at the peak rate, each kept with probability rate(t) / peak.
  const NeedGroup& group = spec_.groups[g];
  const auto& multipliers = group.monthly_multiplier;
  const bool changes = group.trend_per_year != 0 || !group.rate_changes.empty();
  for (;;) {
    const double gap = boost::random::exponential_distribution<double>(s.peak_rate)(s.rng);
    if (s.next_at + gap >= s.piece_end) {  // past this year's bound: restart at the next year's
      s.next_at = s.piece_end;
      set_piece(g, s.next_at);
      continue;
    }
    s.next_at += gap;
    if (s.next_at > horizon_) {  // nothing after the horizon is ever asked for
      s.next_at = engine::kNever;
      return;
    }
    double rate = s.base_rate * multipliers[static_cast<std::size_t>(month_of(s.next_at))];
    if (changes) rate *= change_factor(group, s.next_at);
    const double keep = rate / s.peak_rate;
    if (boost::random::uniform_01<double>()(s.rng) < keep) return;
  }
}

Person draw_person(const NeedGroup& group, std::uint32_t group_index, engine::EntityRng& rng) {
  Person p;
  p.group = group_index;
  // Each attribute is drawn in a fixed order from the person's own stream.
  p.risk = engine::draw_beta(rng, group.risk_beta_a, group.risk_beta_b);
  const double w = boost::random::normal_distribution<double>(group.wemwbs_mean, group.wemwbs_sd)(rng);
  p.wemwbs = static_cast<int>(std::clamp(std::lround(w), static_cast<long>(kWemwbsMin), static_cast<long>(kWemwbsMax)));
  if (group.goals_mean > 0) {
    const int n = boost::random::poisson_distribution<int, double>(group.goals_mean)(rng);
    boost::random::discrete_distribution<std::size_t, double> domain(group.goal_domain_weights.begin(),
                                                                     group.goal_domain_weights.end());
    for (int i = 0; i < n; ++i) {
      std::uint8_t& count = p.goals[domain(rng)];
      if (count < 255) ++count;
    }
  }
  return p;
}

Person ArrivalGenerator::draw_person(std::size_t g, engine::Days at, std::uint64_t index) const {
  const NeedGroup& group = spec_.groups[g];
  engine::EntityRng rng = streams_.entity(groups_[g].person, index);
  Person p = pathway::draw_person(group, static_cast<std::uint32_t>(g), rng);
  p.index_in_group = index;
  p.arrived = at;
  return p;
}

std::optional<Person> ArrivalGenerator::next(engine::Days horizon) {
  std::size_t best = groups_.size();
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].next_at <= horizon && (best == groups_.size() || groups_[g].next_at < groups_[best].next_at)) best = g;
  }
  if (best == groups_.size()) return std::nullopt;
  GroupState& s = groups_[best];
  Person p = draw_person(best, s.next_at, s.count++);
  p.id = next_id_++;
  advance(best);
  return p;
}

}  // namespace mhsim::models::pathway
