// SPDX-License-Identifier: MIT
#include "models/pathway/pathway.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>

#include "engine/error.hpp"
#include "engine/simulation.hpp"
#include "engine/stats.hpp"
#include "models/pathway/unmet_need.hpp"

namespace mhsim::models::pathway {

ByYear::ByYear(std::vector<double> by_year) : values_(std::move(by_year)) {
  if (values_.empty()) throw std::invalid_argument("ByYear: at least one value (year 1) is needed");
}

std::ostream& operator<<(std::ostream& out, const ByYear& v) {
  const std::vector<double>& x = v.values();
  if (x.size() == 1) return out << x.front();
  out << '[';
  for (std::size_t y = 0; y < x.size(); ++y) out << (y == 0 ? "" : ", ") << x[y];
  return out << ']';
}

std::string_view kind_name(ServiceKind kind) noexcept { return kServiceKindNames[static_cast<std::size_t>(kind)]; }

bool is_secondary(ServiceKind k) noexcept {
  return k == ServiceKind::kCmht || k == ServiceKind::kCrisis || k == ServiceKind::kAcute ||
         k == ServiceKind::kOutOfArea || k == ServiceKind::kRehab || k == ServiceKind::kPlacement;
}
bool is_inpatient(ServiceKind k) noexcept { return k == ServiceKind::kAcute || k == ServiceKind::kOutOfArea; }
bool is_front_door(ServiceKind k) noexcept { return k == ServiceKind::kFrontDoor || k == ServiceKind::kPeerSupport; }
std::size_t taking_service(const PathwaySpec& spec, const ArmSpec& arm, std::size_t target) noexcept {
  for (std::size_t hops = 0; target != kDischarge && !arm.enabled[target]; ++hops) {
    if (hops > spec.services.size()) return kDischarge;  // a cycle: check_spec rejects these
    target = spec.services[target].fallback;
  }
  return target;
}

std::size_t referral_destination(const PathwaySpec& spec, const ArmSpec& arm, std::size_t target,
                                 std::size_t from) noexcept {
  std::size_t s = taking_service(spec, arm, target);
  if (s != kDischarge && !arm.redirect.empty() && arm.redirect[s] != kDischarge &&
      (from == kDischarge || (!is_secondary(spec.services[from].kind) && !is_front_door(spec.services[from].kind)))) {
    s = taking_service(spec, arm, arm.redirect[s]);
  }
  return s;
}

bool is_long_term(ServiceKind k) noexcept {
  return k == ServiceKind::kCmht || k == ServiceKind::kRehab || k == ServiceKind::kPlacement;
}



double unit_cost(const ServiceSpec& s, Measure m) noexcept {
  switch (m) {
    case Measure::kContacts: return s.cost_per_contact;
    case Measure::kDays: return s.cost_per_day;
    case Measure::kEpisodes: return s.cost_per_episode;
    case Measure::kTeamYears: return s.annual_fixed_cost;
  }
  return 0;
}

double cost_factor(const PathwaySpec& spec, std::size_t service, std::size_t year) noexcept {
  const std::vector<double>& mix = spec.services[service].cost_mix;
  if (mix.empty()) return 1.0;
  double f = 0;
  for (std::size_t k = 0; k < mix.size() && k < spec.cost_categories.size(); ++k) {
    f += mix[k] * std::pow(1.0 + spec.cost_categories[k].inflation, static_cast<double>(year));
  }
  return f;
}

namespace {

constexpr std::size_t idx(SystemKpi k) { return static_cast<std::size_t>(k); }
constexpr std::size_t idx(ServiceKpi k) { return static_cast<std::size_t>(k); }
constexpr std::size_t idx(Measure m) { return static_cast<std::size_t>(m); }
constexpr std::size_t idx(GoalStatus g) { return static_cast<std::size_t>(g); }

// kUnmet: outside services with need (refused, lost at a hand-off, diverted without a
// service, dropped out, never referred). Waiting people have unmet need too.
enum class Where : std::uint8_t { kWaiting, kInService, kFollowUp, kUnmet };
enum class End : std::uint8_t { kComplete, kDropout, kCrisis };
enum class Exit : std::uint8_t { kDischarged, kDied, kMovedAway, kRemitted };

struct Goal {
  std::uint8_t domain;
  GoalStatus outcome;  // kAchieved, kClosed or kNotAchieved; kProgressing = no clock fires
  engine::Days resolve_at;
  engine::Days sustained_at;  // kNever unless an achieved goal is sustained
};

// Common random numbers. Every random decision about a person is drawn from a stream keyed
// by (who, phase, person, service, visit): "who" is the arrival group (or starting-caseload
// entry), the phase says which decision (referral, episode, completion, discharge, goals),
// and the visit counts the person's referrals to that service. So a person's draws at their
// n-th visit to the community team are the same in every arm, whatever happened on the way
// there; arms then differ only where their configuration makes people's paths differ.
// Unmet-need events use phase "unmet", keyed by the person's count of such events.
enum class Phase : std::size_t { kEntry, kReferral, kEpisode, kCompletion, kDischarge, kGoals, kExit, kUnmet, kCount };
constexpr std::array<const char*, static_cast<std::size_t>(Phase::kCount)> kPhaseNames = {
    "entry", "referral", "episode", "completion", "discharge", "goals", "exit", "unmet"};

struct StreamKeys {
  std::array<engine::StreamId, static_cast<std::size_t>(Phase::kCount)> phase{};
  explicit StreamKeys(const std::string& who) {
    for (std::size_t k = 0; k < phase.size(); ++k) {
      phase[k] = engine::StreamId::named("pathway/" + std::string(kPhaseNames[k]) + "/" + who);
    }
  }
};

// A person in the system. Slots are reused once a person leaves, so memory follows the
// number of people in the system; events carry the slot's generation to detect staleness.
struct Slot {
  // Ordered so that the fields read by most events (the stamps, where the person is, their
  // stream keys) share the first 64-byte line, with no padding between fields: 176 bytes.
  std::uint32_t generation = 0;
  std::uint32_t episode = 0;  // bumped at every move; scheduled events carry it
  std::uint32_t group = 0;
  std::uint32_t unmet_draws = 0;      // unmet-need events drawn so far (their stream's key)
  bool live = false;
  bool goals_used = false;
  bool served = false;
  Where where = Where::kFollowUp;
  bool holds_unit = false;
  bool deteriorated = false;          // in this spell without a service
  std::size_t service = kDischarge;
  std::size_t need = kDischarge;      // the service an unmet need is for (kDischarge: none)
  double risk_multiplier = 1;
  const StreamKeys* keys = nullptr;
  std::uint64_t key = 0;             // the person's index within their group (or stock entry)
  engine::Days since = 0;         // wait start or episode start
  engine::Days episode_end = 0;   // planned end of the current episode
  double contact_gap = engine::kNever;
  engine::Days death_at = engine::kNever, move_at = engine::kNever;
  engine::Days qaly_from = 0;
  engine::Days entered = 0;
  engine::Days last_inpatient_discharge = -engine::kNever;
  engine::Days untreated_since = engine::kNever;  // waiting or unmet since (kNever: neither)
  int wemwbs = 0, baseline = 0;
  std::array<std::uint8_t, kSiofDomains> goal_counts{};
  // The person's referrals and episodes so far, per service, are in ArmSim::counts_ (one
  // block per slot, not a vector each: no allocation per person, 48 bytes less per slot).
  std::vector<Goal> goals;
};
static_assert(sizeof(void*) != 8 || sizeof(Slot) == 176, "Slot: no padding between fields (see the order above)");

double uniform(engine::EntityRng& rng) { return boost::random::uniform_01<double>()(rng); }
double unit_exponential(engine::EntityRng& rng) { return boost::random::exponential_distribution<double>(1.0)(rng); }

// refer(): the need of someone a referral leaves without a service is its target.
constexpr std::size_t kNeedIsTarget = kDischarge - 1;

std::size_t draw_route(const Routes& routes, double u) {
  double acc = 0;
  std::size_t last = kDischarge;
  for (const Route& r : routes) {
    if (!(r.probability > 0)) continue;  // a route written with probability 0 is never taken
    acc += r.probability;
    if (u < acc) return r.target;
    last = r.target;
  }
  return last;  // rounding: the sum is 1 within 1e-9 (no routes: discharge)
}

class ArmSim {
 public:
  ArmSim(const PathwaySpec& spec, std::size_t arm, const engine::RandomStreams& streams)
      : spec_(spec), arm_(spec.arms[arm]), streams_(streams), horizon_(spec.years * kDaysPerYear) {
    const std::size_t Y = static_cast<std::size_t>(spec.years), S = spec.services.size(), P = spec.partners.size();
    r_.years = Y;
    r_.services = S;
    r_.partners = P;
    r_.activity.assign(Y * S * kMeasures, 0.0);
    r_.cost.assign(Y * S * kMeasures, 0.0);
    r_.partner_cost.assign(Y * P, 0.0);
    r_.one_off.assign(Y * S, 0.0);
    r_.system.assign(Y * kSystemKpis, 0.0);
    r_.service.assign(Y * S * kServiceKpis, 0.0);
    r_.goals.assign(Y * kSiofDomains * kGoalStatuses, 0.0);
    r_.months = Y * kMonthsPerYear;
    r_.monthly.assign(r_.months * S * kMonthlyMeasures, 0.0);
    month_wait_sum_.assign(r_.months * S, 0.0);
    team_months_.assign(r_.months * S, 0.0);
    in_service_.assign(S, 0);
    waiting_.assign(S, 0);
    occupancy_.assign(S, engine::TimeWeighted(0.0, 0.0));
    waits_.resize(S);
    resources_.resize(S);
    cost_factor_.resize(Y * S);
    for (std::size_t y = 0; y < Y; ++y) {
      for (std::size_t s = 0; s < S; ++s) cost_factor_[y * S + s] = cost_factor(spec, s, y);
    }
    for (std::size_t s = 0; s < S; ++s) {
      if (!arm_.enabled[s] || arm_.capacity[s] <= 0) continue;
      resources_[s] = std::make_unique<engine::Resource>(
          sim_, spec.services[s].name, arm_.capacity[s], spec.services[s].discipline, std::nullopt,
          [this, s](engine::Resource::Token token, engine::Days waited) { granted(static_cast<std::size_t>(token), s, waited); });
    }
    // Teams whose places follow a capacity schedule or their staff.
    teams_.resize(S);
    team_years_.assign(Y * S, 0.0);
    for (const CapacityChange& c : arm_.capacity_changes) {
      if (c.service < S) teams_[c.service].tracked = true;
    }
    for (std::size_t s = 0; s < S; ++s) {
      Team& t = teams_[s];
      t.tracked = resources_[s] && (t.tracked || spec.services[s].staff.has_value());
      if (!t.tracked) continue;
      t.base = arm_.capacity[s];
      if (const auto& st = spec.services[s].staff) {
        t.vacant = std::min(st->posts, static_cast<std::int64_t>(std::llround(static_cast<double>(st->posts) * st->vacancy)));
        t.filled = st->posts - t.vacant;
        t.stream = engine::StreamId::named("pathway/staff/" + spec.services[s].name);
        resources_[s]->set_capacity(places(s));  // before the starting caseload takes its places
      }
      t.rate = cost_rate(s);
    }
    for (const InitialStock& st : spec.initial) {
      stock_keys_.emplace_back("initial/" + spec.services[st.service].name + "/" + spec.population.groups[st.group].name);
    }
    sim_.set_namer([this](engine::Simulation::Entity e) { return describe_person(static_cast<std::size_t>(e)); });
    for (const NeedGroup& g : spec.population.groups) {
      group_keys_.emplace_back(g.name);
      mean_risk_.push_back(g.risk_beta_a / (g.risk_beta_a + g.risk_beta_b));
    }
    counts_per_slot_ = S * (arm_.history_routes.empty() ? 1 : 2);
  }

  ArmResult run() {
    // Fixed team costs: one team-year per year for every service the arm has; a team whose
    // places follow a schedule or its staff accrues them as it goes (Team, posted at the end).
    for (std::size_t y = 0; y < r_.years; ++y) {
      for (std::size_t s = 0; s < r_.services; ++s) {
        if (arm_.enabled[s] && !teams_[s].tracked && spec_.services[s].annual_fixed_cost > 0) {
          post(y, s, Measure::kTeamYears, 1.0);
        }
      }
      sim_.schedule_at(static_cast<double>(y + 1) * kDaysPerYear, engine::kObserverPriority, [this, y] { year_end(y); });
    }
    // One-off costs: posted to their day's year (no event: they change nothing else).
    for (const OneOffCost& c : arm_.one_off_costs) {
      if (!(c.day < horizon_)) continue;
      const std::size_t y = year_of(c.day);
      r_.one_off[y * r_.services + c.service] += c.amount;
      r_.partner_cost[y * r_.partners + spec_.services[c.service].partner] += c.amount;
      month_at(month_of(c.day), c.service, MonthlyMeasure::kMonthCost) += c.amount;
    }
    // The monthly picture: fixed team costs a twelfth a month, and a snapshot at every month
    // end (the last month of each year is taken by year_end). Month-end events draw nothing
    // and are not counted in checks/events, so every other result is as without them.
    for (std::size_t mo = 0; mo < r_.months; ++mo) {
      for (std::size_t s = 0; s < r_.services; ++s) {
        if (arm_.enabled[s] && !teams_[s].tracked && spec_.services[s].annual_fixed_cost > 0) {
          post_month(mo, s, Measure::kTeamYears, 1.0 / static_cast<double>(kMonthsPerYear));
        }
      }
      if (mo % kMonthsPerYear != kMonthsPerYear - 1) {
        sim_.schedule_at(month_start(mo + 1), engine::kObserverPriority, [this, mo] {
          ++month_events_;
          month_end(mo);
        });
      }
    }
    seed_initial_stock();
    // Capacity schedules, in file order at equal times; before anyone arrives or is referred
    // at that time (a change at day 0 applies to the starting caseload).
    for (const CapacityChange& c : arm_.capacity_changes) {
      if (c.day < horizon_) sim_.schedule_at(c.day, engine::kReleasePriority, [this, &c] { change_capacity(c); });
    }
    for (std::size_t s = 0; s < teams_.size(); ++s) {
      if (teams_[s].tracked && spec_.services[s].staff) schedule_staff_event(s);
    }
    arrivals_.emplace(spec_.population, streams_, horizon_);
    schedule_next_arrival();
    sim_.run_until(horizon_);
    finish();
    r_.events = sim_.events_executed() - month_events_;
    check();
    return std::move(r_);
  }

 private:
  // ---- people ---------------------------------------------------------------------------

  std::size_t admit_person(const Person& p, const StreamKeys& keys, std::uint64_t key) {
    std::size_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
    } else {
      i = slots_.size();
      slots_.emplace_back();
    }
    Slot& s = slots_[i];
    s.live = true;
    s.goals_used = false;
    s.served = false;
    s.group = p.group;
    s.service = kDischarge;
    s.where = Where::kFollowUp;
    s.risk_multiplier = mean_risk_[p.group] > 0 ? p.risk / mean_risk_[p.group] : 1.0;
    s.wemwbs = s.baseline = p.wemwbs;
    s.goal_counts = p.goals;
    s.qaly_from = sim_.now();
    s.entered = sim_.now();
    s.last_inpatient_discharge = -engine::kNever;
    s.holds_unit = false;
    s.deteriorated = false;
    s.need = kDischarge;
    s.unmet_draws = 0;
    s.untreated_since = engine::kNever;
    s.goals.clear();
    s.keys = &keys;
    s.key = key;
    if (counts_.size() < slots_.size() * counts_per_slot_) counts_.resize(slots_.size() * counts_per_slot_);
    std::fill_n(counts_.begin() + static_cast<std::ptrdiff_t>(i * counts_per_slot_), counts_per_slot_, std::uint16_t{0});
    // Death and moving away are drawn once, so they are the same in every arm.
    engine::EntityRng exit_rng = draws(s, Phase::kExit, spec_.services.size());
    const NeedGroup& h = spec_.population.groups[p.group];
    const double e1 = unit_exponential(exit_rng), e2 = unit_exponential(exit_rng);
    s.death_at = h.death_per_year > 0 ? sim_.now() + e1 * kDaysPerYear / h.death_per_year : engine::kNever;
    s.move_at = h.move_away_per_year > 0 ? sim_.now() + e2 * kDaysPerYear / h.move_away_per_year : engine::kNever;
    const engine::Days leave = std::min(s.death_at, s.move_at);
    if (leave < horizon_) {
      const std::uint32_t gen = s.generation;
      const Exit why = s.death_at <= s.move_at ? Exit::kDied : Exit::kMovedAway;
      sim_.schedule_at(leave, engine::kDefaultPriority, [this, i, gen, why] {
        if (slots_[i].generation == gen && slots_[i].live) leave_system(i, why);
      }, i);
    }
    ++r_.arrived;
    if (++live_ > spec_.max_in_system) {
      throw engine::SimulationError("more than " + std::to_string(spec_.max_in_system) +
                                        " people in the system at once (run.max_in_system): is demand far above capacity?",
                                    "pathway", sim_.now());
    }
    return i;
  }

  void schedule_next_arrival() {
    std::optional<Person> p = arrivals_->next(horizon_);
    if (!p) return;
    // One arrival waits at a time: the person is kept here, so the event captures only
    // `this` and is stored inline in the event (no allocation per arrival).
    next_arrival_ = *p;
    sim_.schedule_at(p->arrived, engine::kDefaultPriority, [this] {
      const Person person = next_arrival_;
      arrive(person);
      schedule_next_arrival();
    });
  }

  void arrive(const Person& p) {
    sys(SystemKpi::kArrivals) += 1;
    const std::size_t i = admit_person(p, group_keys_[p.group], p.index_in_group);
    engine::EntityRng rng = draws(slots_[i], Phase::kEntry, spec_.services.size());
    const std::size_t target = draw_route(arm_.entry[p.group], uniform(rng));
    if (target == kDischarge) {
      // Not served in this arm: they stay in the population with their need.
      sys(SystemKpi::kLeftUnserved) += 1;
      become_unmet(i, kDischarge);
      return;
    }
    refer(i, target, kDischarge);
  }

  void seed_initial_stock() {
    for (std::size_t e = 0; e < spec_.initial.size(); ++e) {
      const InitialStock& st = spec_.initial[e];
      const StreamKeys& keys = stock_keys_[e];  // outlives the people who point to it
      const engine::StreamId attrs = engine::StreamId::named(
          "person/initial/" + spec_.services[st.service].name + "/" + spec_.population.groups[st.group].name);
      const std::uint64_t total = st.in_service + st.waiting;
      for (std::uint64_t k = 0; k < total; ++k) {
        engine::EntityRng rng = streams_.entity(attrs, k);
        Person p = draw_person(spec_.population.groups[st.group], static_cast<std::uint32_t>(st.group), rng);
        p.index_in_group = k;
        const std::size_t i = admit_person(p, keys, k);
        std::size_t s = resolve(st.service);
        if (s == kDischarge) {
          become_unmet(i, st.service);  // the arm has no such service: their need is unmet
          continue;
        }
        // Those in service first (part-way through an episode), then the waiting list, in
        // order; the arm's capacity decides who actually has a place.
        resuming_ = k < st.in_service;
        resuming_stationary_ = resuming_ && st.stationary;
        visit(slots_[i], s);
        admit(i, s, false);
        resuming_ = false;
        resuming_stationary_ = false;
      }
    }
  }

  // "person 12 of need group "common" (at service "cmht")", for errors.
  std::string describe_person(std::size_t i) const {
    if (i >= slots_.size()) return "person slot " + std::to_string(i);
    const Slot& p = slots_[i];
    std::string text = "person " + std::to_string(p.key) + " of need group \"" +
                       (p.group < spec_.population.groups.size() ? spec_.population.groups[p.group].name : "?") + "\"";
    if (p.service < spec_.services.size()) text += " (last at service \"" + spec_.services[p.service].name + "\")";
    return text;
  }

  // ---- referral and admission -----------------------------------------------------------

  // The service that takes referrals to `s` in this arm (following fallbacks), or discharge.
  std::size_t resolve(std::size_t s) const { return taking_service(spec_, arm_, s); }

  // Refers person i to `target` from service `from` (kDischarge: from outside services:
  // a new arrival, a relapse, a refusal, a crisis or re-presentation with unmet need). When
  // no service takes the referral, a person coming from an episode goes into follow-up; one
  // from outside services is left with unmet need for `need` (default: the target).
  void refer(std::size_t i, std::size_t target, std::size_t from, std::size_t need = kNeedIsTarget) {
    Slot& p = slots_[i];
    const std::size_t s = referral_destination(spec_, arm_, target, from);
    if (s == kDischarge) {
      if (from != kDischarge) discharge(i, from);
      else become_unmet(i, need == kNeedIsTarget ? target : need);
      return;
    }
    // Both behaviour draws are made at every referral, used or not, so that arms differing
    // in behaviour parameters keep the same draws for the same decisions. The parameters
    // are those of the year of the referral.
    visit(p, s);
    engine::EntityRng rng = draws(p, Phase::kReferral, s);
    const double u_handoff = uniform(rng), u_gate = uniform(rng);
    const ServiceSpec& svc = spec_.services[s];
    const std::size_t year = year_of(sim_.now());
    if (from != kDischarge && spec_.services[from].partner != svc.partner && u_handoff < arm_.handoff_loss.in_year(year)) {
      // Lost between providers: they stay in the population with their need, and may come back.
      sys(SystemKpi::kHandoffLosses) += 1;
      become_unmet(i, s);
      return;
    }
    kpi(s, ServiceKpi::kReferrals) += 1;
    if (is_secondary(svc.kind) && (from == kDischarge || !is_secondary(spec_.services[from].kind))) {
      sys(SystemKpi::kReferralsSecondary) += 1;
    }
    if (svc.gatekept && arm_.capacity[s] > 0) {
      // The capacity now (a schedule may have changed it; closed counts as full).
      const std::int64_t places = resources_[s] ? resources_[s]->capacity() : arm_.capacity[s];
      const double occupancy =
          places > 0 ? std::min(1.0, static_cast<double>(in_service_[s] + waiting_[s]) / static_cast<double>(places))
                     : 1.0;
      double gatekeeping = arm_.gatekeeping.in_year(year);
      if (!arm_.response.gatekeeping.empty()) {
        gatekeeping = std::min(1.0, gatekeeping * arm_.response.gatekeeping[s].in_year(year));
      }
      if (u_gate < gatekeeping * occupancy) {
        sys(SystemKpi::kGatekeptRefusals) += 1;
        refer(i, svc.rejected_to, kDischarge, s);  // refused: the need for s stays unless rejected_to takes them
        return;
      }
    }
    admit(i, s, true);
  }

  // Places a person at service s: a unit if free, else the overflow service if s has one
  // (and `allow_overflow`), else the waiting list.
  void admit(std::size_t i, std::size_t s, bool allow_overflow) {
    Slot& p = slots_[i];
    ++p.episode;
    p.service = s;
    engine::Resource* res = resources_[s].get();
    if (res == nullptr) {
      start_episode(i, s, 0.0);
      return;
    }
    const std::size_t overflow = spec_.services[s].overflow;
    if (allow_overflow && overflow != kDischarge && (res->in_use() >= res->capacity() || res->waiting() > 0)) {
      const std::size_t o = resolve(overflow);
      if (o != kDischarge && o != s) {
        kpi(o, ServiceKpi::kReferrals) += 1;
        visit(p, o);
        admit(i, o, true);  // check_spec rules out overflow cycles
        return;
      }
    }
    switch (res->request(i, priority_of(p))) {
      case engine::Resource::Outcome::kGranted:
        p.holds_unit = true;
        start_episode(i, s, 0.0);
        break;
      case engine::Resource::Outcome::kQueued:
        p.where = Where::kWaiting;
        p.since = sim_.now();
        ++waiting_[s];
        // Waiting is need without a service: its hazards apply until the episode starts.
        p.need = s;
        set_untreated(p, true, sim_.now());
        schedule_unmet(i);
        break;
      case engine::Resource::Outcome::kRefused:  // no queue limits in this model
        throw engine::SimulationError("a waiting list refused a referral", spec_.services[s].name, sim_.now());
    }
  }

  // The person's stream for one decision at their current visit to service s (s = number of
  // services for decisions not tied to a service).
  engine::EntityRng draws(const Slot& p, Phase phase, std::size_t s) const {
    const std::uint64_t visit = s < spec_.services.size() ? visits_of(p)[s] : 0U;
    const std::uint64_t entity = (p.key << 20) | (static_cast<std::uint64_t>(s & 0x3FFU) << 10) | visit;
    return streams_.entity(p.keys->phase[static_cast<std::size_t>(phase)], entity);
  }
  void visit(const Slot& p, std::size_t s) {
    std::uint16_t& v = visits_of(p)[s];
    if (v < 1023) ++v;  // beyond, draws repeat (a person with 1,000 referrals to one service)
  }
  // The person's counts: referrals per service, then (only when the arm has history_routes)
  // episodes per service. `p` is an element of slots_, whose index names its block.
  std::size_t slot_index(const Slot& p) const noexcept { return static_cast<std::size_t>(&p - slots_.data()); }
  std::uint16_t* visits_of(const Slot& p) noexcept { return counts_.data() + slot_index(p) * counts_per_slot_; }
  const std::uint16_t* visits_of(const Slot& p) const noexcept {
    return counts_.data() + slot_index(p) * counts_per_slot_;
  }
  const std::uint16_t* episodes_of(const Slot& p) const noexcept { return visits_of(p) + spec_.services.size(); }
  bool counts_episodes() const noexcept { return !arm_.history_routes.empty(); }

  static engine::Priority priority_of(const Slot& p) {
    // Higher risk first where the discipline is "priority"; risk multiplier in [0, ~1e3].
    return static_cast<engine::Priority>(-std::lround(std::min(p.risk_multiplier, 1000.0) * 1e6));
  }

  void granted(std::size_t i, std::size_t s, engine::Days waited) {
    Slot& p = slots_[i];
    --waiting_[s];
    p.holds_unit = true;
    start_episode(i, s, waited);
  }

  // ---- capacity schedules ---------------------------------------------------------------

  // A team whose places follow a capacity schedule or its staff: the capacity in force
  // (schedule), the staff, and its team-years accrued at `rate` since `since`.
  struct Team {
    bool tracked = false;
    std::int64_t base = 0;            ///< the schedule's capacity in force
    std::int64_t filled = 0, vacant = 0;
    double rate = 1;                  ///< team-years a year now
    engine::Days since = 0;
    engine::StreamId stream{};
    std::uint64_t draws = 0;          ///< staff events drawn (their stream's key)
  };

  // Places in force: the schedule's capacity x the share of posts filled or covered.
  std::int64_t places(std::size_t s) const {
    const Team& t = teams_[s];
    const auto& st = spec_.services[s].staff;
    if (!st) return t.base;
    const double staffed =
        (static_cast<double>(t.filled) + st->agency_cover * static_cast<double>(t.vacant)) / static_cast<double>(st->posts);
    return static_cast<std::int64_t>(std::llround(static_cast<double>(t.base) * staffed));
  }

  // Team-years a year: the schedule's capacity over the arm's own, x the staff cost of the
  // posts filled and covered (agency at its premium) over the full establishment's.
  double cost_rate(std::size_t s) const {
    const Team& t = teams_[s];
    const auto& st = spec_.services[s].staff;
    const double scale = static_cast<double>(t.base) / static_cast<double>(arm_.capacity[s]);
    if (!st) return scale;
    return scale *
           (static_cast<double>(t.filled) + (1.0 + st->agency_premium) * st->agency_cover * static_cast<double>(t.vacant)) /
           static_cast<double>(st->posts);
  }

  // Adds the team-years of [since, now) at the current rate, split at year ends.
  void accrue(std::size_t s, engine::Days now) {
    Team& t = teams_[s];
    engine::Days lo = t.since;
    while (lo < now) {
      const std::size_t y = year_of(lo);
      const engine::Days hi = std::min(now, static_cast<double>(y + 1) * kDaysPerYear);
      if (!(hi > lo)) break;  // the last year runs to the horizon
      team_years_[y * r_.services + s] += t.rate * (hi - lo) / kDaysPerYear;
      lo = hi;
    }
    // The same split by month, for the monthly picture.
    for (std::size_t mo = month_of(t.since); t.since < now; ++mo) {
      const engine::Days a = mo == month_of(t.since) ? t.since : month_start(mo);
      const engine::Days b = mo + 1 >= r_.months ? now : std::min(now, month_start(mo + 1));
      if (b > a) team_months_[mo * r_.services + s] += t.rate * (b - a) / kDaysPerYear;
      if (b >= now || mo + 1 >= r_.months) break;
    }
    t.since = now;
  }

  // The team's places after a change of schedule or staff; the excess under `excess`.
  void apply_places(std::size_t s, Excess excess, std::size_t transfer_to) {
    engine::Resource& res = *resources_[s];
    const std::int64_t cap = places(s);
    res.set_capacity(cap);  // a rise starts waiting people's episodes at once
    if (excess == Excess::kFinish || res.in_use() <= cap) return;
    // The excess: those in service longest (earliest start, then the lower slot), whose
    // units are retired as they leave.
    std::vector<std::size_t> holders;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slot& p = slots_[i];
      if (p.where == Where::kInService && p.service == s && p.holds_unit) holders.push_back(i);
    }
    std::sort(holders.begin(), holders.end(), [this](std::size_t a, std::size_t b) {
      return slots_[a].since != slots_[b].since ? slots_[a].since < slots_[b].since : a < b;
    });
    holders.resize(std::min(static_cast<std::size_t>(res.in_use() - cap), holders.size()));
    for (const std::size_t i : holders) {
      vacate(i);
      if (excess == Excess::kDischargeEarly) become_unmet(i, s);
      else refer(i, transfer_to, s);
    }
  }

  // A scheduled change of a service's capacity (CapacityChange).
  void change_capacity(const CapacityChange& c) {
    accrue(c.service, sim_.now());
    teams_[c.service].base = c.capacity;
    teams_[c.service].rate = cost_rate(c.service);
    apply_places(c.service, c.excess, c.transfer_to);
  }

  // The team's next staff event: a filled post leaves (rate turnover a year each) or a
  // vacancy is filled (rate 1 / recruitment_days each), competing exponentials drawn from
  // the team's own stream, so every arm with the same staff sees the same staff events.
  void schedule_staff_event(std::size_t s) {
    Team& t = teams_[s];
    const StaffSpec& st = *spec_.services[s].staff;
    const double leave = static_cast<double>(t.filled) * st.turnover_per_year / kDaysPerYear;
    const double fill = static_cast<double>(t.vacant) / st.recruitment_days;
    if (!(leave + fill > 0)) return;
    engine::EntityRng rng = streams_.entity(t.stream, t.draws++);
    const double e = unit_exponential(rng), u = uniform(rng);
    const engine::Days at = sim_.now() + e / (leave + fill);
    if (!(at < horizon_)) return;
    const bool leaves = u * (leave + fill) < leave;
    sim_.schedule_at(at, engine::kReleasePriority, [this, s, leaves] { staff_change(s, leaves); });
  }

  void staff_change(std::size_t s, bool leaves) {
    Team& t = teams_[s];
    accrue(s, sim_.now());
    t.filled += leaves ? -1 : 1;
    t.vacant += leaves ? 1 : -1;
    t.rate = cost_rate(s);
    apply_places(s, Excess::kFinish, kDischarge);  // a leaver's caseload is finished by the team
    schedule_staff_event(s);
  }

  // ---- episodes -------------------------------------------------------------------------

  void start_episode(std::size_t i, std::size_t s, engine::Days waited) {
    Slot& p = slots_[i];
    const ServiceSpec& svc = spec_.services[s];
    const engine::Days now = sim_.now();
    const bool initial_in_service = resuming_;
    p.where = Where::kInService;
    p.service = s;
    p.since = now;
    p.served = true;
    set_untreated(p, false, now);
    p.deteriorated = false;
    p.need = kDischarge;
    set_in_service(s, in_service_[s] + 1);
    if (counts_episodes()) {
      std::uint16_t& n = visits_of(p)[spec_.services.size() + s];
      if (n < std::numeric_limits<std::uint16_t>::max()) ++n;
    }
    const std::size_t y = year_of(now);
    if (!initial_in_service) {
      waits_[s].push_back(waited);
      kpi(s, ServiceKpi::kEpisodes) += 1;
      post(y, s, Measure::kEpisodes, 1.0);
      const std::size_t mo = month_of(now);
      month_at(mo, s, MonthlyMeasure::kEpisodesStarted) += 1;
      month_wait_sum_[mo * r_.services + s] += waited;
      post_month(mo, s, Measure::kEpisodes, 1.0);
      if (is_inpatient(svc.kind)) {
        sys(SystemKpi::kAdmissions) += 1;
        if (now - p.last_inpatient_discharge <= spec_.outcomes.readmission_window_days) sys(SystemKpi::kReadmissions) += 1;
      }
      if (is_front_door(svc.kind)) sys(SystemKpi::kFrontDoorSupported) += 1;
    }
    // Length: sessions a fixed interval apart, or a duration (divided by the arm's
    // step-down speed in the year the episode starts, for long-term services).
    engine::EntityRng rng = draws(p, Phase::kEpisode, s);
    engine::Days length;
    // A stationary starting caseload: the episode in progress is length-biased (then cut at
    // a uniform fraction below).
    const bool biased = initial_in_service && resuming_stationary_;
    if (svc.sessions) {
      const double n =
          std::max(1.0, std::round(biased ? svc.sessions->sample_length_biased(rng) : svc.sessions->sample(rng)));
      length = n * svc.session_interval_days;
      p.contact_gap = svc.session_interval_days;
    } else {
      length = biased ? svc.duration->sample_length_biased(rng) : svc.duration->sample(rng);
      if (is_long_term(svc.kind)) {
        double speed = arm_.step_down_speed.in_year(y);
        if (!arm_.response.step_down.empty()) speed *= arm_.response.step_down[s].in_year(y);
        length /= speed;
      }
      p.contact_gap = svc.contacts_per_week > 0 ? 7.0 / svc.contacts_per_week : engine::kNever;
    }
    const double u_part = uniform(rng), u_drop = uniform(rng), u_cut = uniform(rng), e = unit_exponential(rng);
    if (initial_in_service) length *= u_part;  // already part-way through (assumption)
    End end = End::kComplete;
    if (u_drop < svc.dropout_probability) {
      end = End::kDropout;
      length *= u_cut;
    }
    const double rate = svc.crisis_per_year * p.risk_multiplier / kDaysPerYear;
    if (rate > 0 && e / rate < length) {
      length = e / rate;
      end = End::kCrisis;
    }
    p.episode_end = now + length;
    if (svc.kind == ServiceKind::kAllianceSupport && !p.goals_used) {
      set_goals(p, s);  // its own stream: the draws above do not depend on it
      if (svc.goals.support_ends_with_goals && !p.goals.empty()) {
        engine::Days last = now;
        for (const Goal& g : p.goals) last = std::max(last, g.resolve_at);
        if (last < p.episode_end) {  // every goal resolved before the episode would end otherwise
          p.episode_end = last;
          end = End::kComplete;
        }
      }
    }
    const std::uint32_t gen = p.generation, ep = ++p.episode;
    sim_.schedule_at(p.episode_end, engine::kReleasePriority, [this, i, gen, ep, end] {
      if (slots_[i].generation == gen && slots_[i].episode == ep) end_episode(i, end);
    }, i);
  }

  void set_goals(Slot& p, std::size_t s) {
    p.goals_used = true;
    const GoalDynamics& g = spec_.services[s].goals;
    engine::EntityRng rng = draws(p, Phase::kGoals, s);
    const engine::Days now = sim_.now();
    for (std::size_t d = 0; d < kSiofDomains; ++d) {
      for (std::uint8_t k = 0; k < p.goal_counts[d]; ++k) {
        Goal goal{static_cast<std::uint8_t>(d), GoalStatus::kProgressing, engine::kNever, engine::kNever};
        goals_at(year_of(now), d, GoalStatus::kSet) += 1;
        // Competing clocks, one exponential and one uniform per goal, always drawn.
        const double total = g.achieve_per_year[d] + g.close_per_year[d] + g.fail_per_year[d];
        const double e = unit_exponential(rng), u = uniform(rng), lapse = unit_exponential(rng);
        if (total > 0) {
          goal.resolve_at = now + e * kDaysPerYear / total;
          const double a = u * total;
          goal.outcome = a < g.achieve_per_year[d]                              ? GoalStatus::kAchieved
                         : a < g.achieve_per_year[d] + g.close_per_year[d]       ? GoalStatus::kClosed
                                                                                 : GoalStatus::kNotAchieved;
          if (goal.outcome == GoalStatus::kAchieved) {
            const double lapse_days =
                g.lapse_per_year[d] > 0 ? lapse * kDaysPerYear / g.lapse_per_year[d] : engine::kNever;
            const engine::Days sustained = goal.resolve_at + spec_.outcomes.goal_sustain_days;
            if (lapse_days > spec_.outcomes.goal_sustain_days && sustained < std::min(p.death_at, p.move_at)) {
              goal.sustained_at = sustained;
            }
          }
        }
        p.goals.push_back(goal);
      }
    }
  }

  // Counts the goals of an ending alliance-support episode; those still open are closed now,
  // or stay progressing when the run ends. Returns the number achieved.
  int close_goals(Slot& p, bool at_horizon) {
    int achieved = 0;
    const engine::Days now = sim_.now();
    for (const Goal& g : p.goals) {
      if (g.resolve_at <= now) {
        goals_at(year_of(g.resolve_at), g.domain, g.outcome) += 1;
        if (g.outcome == GoalStatus::kAchieved) {
          ++achieved;
          if (g.sustained_at < horizon_) goals_at(year_of(g.sustained_at), g.domain, GoalStatus::kSustained) += 1;
        }
      } else if (!at_horizon) {
        goals_at(year_of(now), g.domain, GoalStatus::kClosed) += 1;
      }
    }
    p.goals.clear();
    return achieved;
  }

  // Posts the activity of the current episode from its start to now, split by year:
  // occupied days, and contacts at start + k x gap (k = 0, 1, ...) before now.
  void post_episode(std::size_t i) {
    const Slot& p = slots_[i];
    const std::size_t s = p.service;
    const engine::Days a = p.since, b = sim_.now();
    for (std::size_t y = year_of(a);; ++y) {
      const engine::Days lo = std::max(a, static_cast<double>(y) * kDaysPerYear);
      const engine::Days hi = std::min(b, static_cast<double>(y + 1) * kDaysPerYear);
      if (hi > lo) {
        post(y, s, Measure::kDays, hi - lo);
        const ServiceKind kind = spec_.services[s].kind;
        if (kind == ServiceKind::kAcute) r_.system[y * kSystemKpis + idx(SystemKpi::kBedDays)] += hi - lo;
        if (kind == ServiceKind::kOutOfArea) r_.system[y * kSystemKpis + idx(SystemKpi::kOutOfAreaDays)] += hi - lo;
        if (p.contact_gap < engine::kNever) {
          const double n = std::ceil((hi - a) / p.contact_gap) - std::ceil((lo - a) / p.contact_gap);
          if (n > 0) post(y, s, Measure::kContacts, n);
        }
      }
      if (hi >= b || y + 1 >= r_.years) break;
    }
    // The same activity's cost by month (the months of a year telescope to the year's).
    const std::size_t first = month_of(a);
    for (std::size_t mo = first;; ++mo) {
      const engine::Days lo = mo == first ? a : std::max(a, month_start(mo));
      const engine::Days hi = mo + 1 >= r_.months ? b : std::min(b, month_start(mo + 1));
      if (hi > lo) {
        post_month(mo, s, Measure::kDays, hi - lo);
        if (p.contact_gap < engine::kNever) {
          const double n = std::ceil((hi - a) / p.contact_gap) - std::ceil((lo - a) / p.contact_gap);
          if (n > 0) post_month(mo, s, Measure::kContacts, n);
        }
      }
      if (hi >= b || mo + 1 >= r_.months) break;
    }
  }

  // Leaves the current service (episode over, or removed): activity, unit, counts.
  void vacate(std::size_t i, bool at_horizon = false) {
    Slot& p = slots_[i];
    const std::size_t s = p.service;
    post_episode(i);
    set_in_service(s, in_service_[s] - 1);
    if (is_inpatient(spec_.services[s].kind)) p.last_inpatient_discharge = sim_.now();
    const int achieved = p.goals.empty() ? 0 : close_goals(p, at_horizon);
    if (achieved > 0) change_wemwbs(p, spec_.services[s].goals.wemwbs_per_goal_achieved * achieved);
    p.where = Where::kFollowUp;  // between services until routed (refer, discharge or leave_system)
    ++p.episode;
    if (p.holds_unit) {
      p.holds_unit = false;
      resources_[s]->release();  // may start the next person's episode at once
    }
  }

  void end_episode(std::size_t i, End end) {
    const std::size_t s = slots_[i].service;
    const ServiceSpec& svc = spec_.services[s];
    vacate(i);
    Slot& p = slots_[i];
    if (end == End::kCrisis) {
      sys(SystemKpi::kCrises) += 1;
      refer(i, svc.crisis_to, s);
      return;
    }
    if (end == End::kDropout) {
      become_unmet(i, s);  // left part-way: the need for s is not met
      return;
    }
    kpi(s, ServiceKpi::kCompleted) += 1;
    // Outcome and route draws are always made, so the streams stay aligned across arms.
    engine::EntityRng rng = draws(p, Phase::kCompletion, s);
    const double u_recover = uniform(rng), u_route = uniform(rng), u_divert = uniform(rng);
    const double z = boost::random::normal_distribution<double>(0.0, 1.0)(rng);
    const ScoreChange& change = u_recover < svc.recovery_probability ? svc.wemwbs_change_recovered : svc.wemwbs_change;
    change_wemwbs(p, change.mean + change.sd * z);
    const auto& by_group = svc.routes_by_group;
    const Routes& own = p.group < by_group.size() && by_group[p.group] ? *by_group[p.group] : svc.routes;
    const Routes& routes = history_routes(p, s, own);
    std::size_t target = draw_route(routes, u_route);
    if (is_front_door(svc.kind)) {
      const std::size_t resolved = resolve(target);
      const std::size_t year = year_of(sim_.now());
      double diversion = arm_.front_door_diversion.in_year(year);
      if (resolved != kDischarge && !arm_.response.diversion.empty()) {
        diversion = std::min(1.0, diversion * arm_.response.diversion[s * spec_.services.size() + resolved].in_year(year));
      }
      if (resolved != kDischarge && is_secondary(spec_.services[resolved].kind) && u_divert < diversion) {
        sys(SystemKpi::kDiverted) += 1;
        if (resolve(arm_.diversion_to) == kDischarge) {
          become_unmet(i, resolved);  // kept without a service: the need for secondary care stays
          return;
        }
        target = arm_.diversion_to;
      }
    }
    refer(i, target, s);
  }

  // The routes of the arm's history_routes rule for service s that holds for p (the highest
  // at_least; the first written of equals), or `own` when none does.
  const Routes& history_routes(const Slot& p, std::size_t s, const Routes& own) const {
    if (!counts_episodes()) return own;
    const std::uint16_t* episodes = episodes_of(p);
    const HistoryRoutes* best = nullptr;
    for (const HistoryRoutes& h : arm_.history_routes) {
      if (h.service != s || (best != nullptr && h.at_least <= best->at_least)) continue;
      if (!h.groups.empty() && !(p.group < h.groups.size() && h.groups[p.group])) continue;
      std::int64_t n = 0;
      for (std::size_t c = 0; c < h.counted.size() && c < spec_.services.size(); ++c) {
        if (h.counted[c]) n += episodes[c];
      }
      if (n >= h.at_least) best = &h;
    }
    return best != nullptr ? best->routes : own;
  }

  void change_wemwbs(Slot& p, double delta) {
    accrue_qalys(p, sim_.now());
    const long w = std::lround(static_cast<double>(p.wemwbs) + delta);
    p.wemwbs = static_cast<int>(std::clamp(w, static_cast<long>(kWemwbsMin), static_cast<long>(kWemwbsMax)));
  }

  // ---- need without a service ----------------------------------------------------------
  // People waiting for a service or outside services with unmet need (NeedGroup::unmet):
  // competing hazards of a crisis, presentations, re-presentation, deterioration and
  // remission, redrawn after every event (each from the person's "unmet" stream, keyed by
  // how many such events they have drawn, so the same person draws the same numbers in
  // every arm).

  UnmetRates unmet_rates_of(const Slot& p) const {
    return unmet_rates(spec_.population.groups[p.group].unmet, spec_.services, p.need, p.risk_multiplier, p.deteriorated,
                       p.where == Where::kWaiting);
  }

  // Person i has need for service `need` (kDischarge: none in particular) and no service.
  void become_unmet(std::size_t i, std::size_t need) {
    Slot& p = slots_[i];
    p.where = Where::kUnmet;
    p.service = kDischarge;
    p.need = need;
    set_untreated(p, true, sim_.now());
    schedule_unmet(i);
  }

  // The person's next unmet-need event (any earlier one is cancelled).
  void schedule_unmet(std::size_t i) {
    Slot& p = slots_[i];
    const std::uint32_t gen = p.generation, ep = ++p.episode;
    const double total = unmet_rates_of(p).total();
    if (!(total > 0)) return;
    const std::uint64_t entity = (p.key << 20) | (p.unmet_draws++ & 0xFFFFFU);
    engine::EntityRng rng = streams_.entity(p.keys->phase[static_cast<std::size_t>(Phase::kUnmet)], entity);
    const double e = unit_exponential(rng), u = uniform(rng);
    const double z = boost::random::normal_distribution<double>(0.0, 1.0)(rng);
    const engine::Days at = sim_.now() + e * kDaysPerYear / total;
    if (at > horizon_) return;
    sim_.schedule_at(at, engine::kDefaultPriority, [this, i, gen, ep, u, z] {
      const Slot& q = slots_[i];
      if (q.generation != gen || q.episode != ep || !q.live) return;
      if (q.where == Where::kWaiting || q.where == Where::kUnmet) unmet_event(i, u, z);
    }, i);
  }

  // Which of the competing events happened: u in [0, 1) picks it in proportion to its hazard.
  void unmet_event(std::size_t i, double u, double z) {
    Slot& p = slots_[i];
    const UnmetNeed& un = spec_.population.groups[p.group].unmet;
    const UnmetRates r = unmet_rates_of(p);
    const UnmetChoice c = choose_unmet_event(r, un, spec_.services, u);
    switch (c.event) {
      case UnmetEvent::kCrisis:
        crisis_outside(i, r.crisis_to);
        return;
      case UnmetEvent::kPresentation:
        if (c.service != kDischarge) present(c.service);
        schedule_unmet(i);
        return;
      case UnmetEvent::kRepresent:
        sys(SystemKpi::kRepresentations) += 1;
        refer(i, draw_route(un.represent_to.empty() ? arm_.entry[p.group] : un.represent_to, c.u), kDischarge, p.need);
        return;
      case UnmetEvent::kDeteriorate:
        sys(SystemKpi::kDeteriorations) += 1;
        change_wemwbs(p, un.deterioration.mean + un.deterioration.sd * z);
        p.deteriorated = true;
        schedule_unmet(i);
        return;
      case UnmetEvent::kRemit:
        change_wemwbs(p, un.remission.mean + un.remission.sd * z);
        leave_system(i, Exit::kRemitted);
        return;
    }
  }

  // A crisis of someone waiting or with unmet need: they leave any waiting list and are
  // referred to `to` (from outside services, so no hand-off loss applies).
  void crisis_outside(std::size_t i, std::size_t to) {
    Slot& p = slots_[i];
    sys(SystemKpi::kCrises) += 1;
    sys(SystemKpi::kCrisesOutside) += 1;
    const std::size_t need = p.need;
    if (p.where == Where::kWaiting) {
      const std::size_t s = p.service;
      if (!resources_[s]->withdraw(i)) {
        throw engine::SimulationError("a person on the waiting list was not found in it", spec_.services[s].name,
                                      sim_.now());
      }
      --waiting_[s];
      p.where = Where::kUnmet;
      p.service = kDischarge;
    }
    refer(i, to, kDischarge, need);
  }

  // A presentation at presentation service s: one contact, on its partner's ledger.
  void present(std::size_t s) {
    const std::size_t y = year_of(sim_.now());
    post(y, s, Measure::kContacts, 1.0);
    post_month(month_of(sim_.now()), s, Measure::kContacts, 1.0);
    sys(SystemKpi::kPresentations) += 1;
    sys(SystemKpi::kPresentationCost) += price(y, s, Measure::kContacts);
  }

  // Starts or ends a spell waiting or with unmet need, counting its person-years by year.
  void set_untreated(Slot& p, bool on, engine::Days at) {
    if (on) {
      if (p.untreated_since == engine::kNever) {
        p.untreated_since = at;
        ++untreated_;
      }
      return;
    }
    if (p.untreated_since == engine::kNever) return;
    for (std::size_t y = year_of(p.untreated_since); y < r_.years; ++y) {
      const engine::Days lo = std::max(p.untreated_since, static_cast<double>(y) * kDaysPerYear);
      const engine::Days hi = std::min(at, static_cast<double>(y + 1) * kDaysPerYear);
      if (hi > lo) r_.system[y * kSystemKpis + idx(SystemKpi::kUntreatedPersonYears)] += (hi - lo) / kDaysPerYear;
      if (hi >= at) break;
    }
    p.untreated_since = engine::kNever;
    --untreated_;
  }

  // ---- follow-up and leaving ------------------------------------------------------------

  void discharge(std::size_t i, std::size_t from) {
    Slot& p = slots_[i];
    set_untreated(p, false, sim_.now());
    const std::size_t y = year_of(sim_.now());
    if (p.served) {
      const int d = p.wemwbs - p.baseline;
      sys(d > 0 ? SystemKpi::kWemwbsImproved : d < 0 ? SystemKpi::kWemwbsDecreased : SystemKpi::kWemwbsUnchanged) += 1;
      wemwbs_change_sum_[y] += d;
    }
    p.where = Where::kFollowUp;
    p.service = from;
    const std::uint32_t gen = p.generation, ep = ++p.episode;
    const double rate =
        from == kDischarge ? 0.0 : spec_.services[from].relapse_per_year * p.risk_multiplier / kDaysPerYear;
    engine::EntityRng rng = draws(p, Phase::kDischarge, from == kDischarge ? spec_.services.size() : from);
    const double e = unit_exponential(rng);
    const engine::Days follow = spec_.outcomes.follow_up_days;
    if (rate > 0 && e / rate < follow) {
      const std::size_t to = spec_.services[from].relapse_to;
      sim_.schedule_in(e / rate, engine::kDefaultPriority, [this, i, gen, ep, to] {
        if (slots_[i].generation != gen || slots_[i].episode != ep) return;
        sys(SystemKpi::kRelapses) += 1;
        refer(i, to, kDischarge);
      }, i);
      return;
    }
    sim_.schedule_in(follow, engine::kDefaultPriority, [this, i, gen, ep] {
      if (slots_[i].generation != gen || slots_[i].episode != ep) return;
      leave_system(i, Exit::kDischarged);
    }, i);
  }

  void leave_system(std::size_t i, Exit why) {
    Slot& p = slots_[i];
    set_untreated(p, false, sim_.now());
    if (p.where == Where::kWaiting) {
      const std::size_t s = p.service;
      if (!resources_[s]->withdraw(i)) {
        throw engine::SimulationError("a person on the waiting list was not found in it", spec_.services[s].name,
                                      sim_.now());
      }
      --waiting_[s];
    } else if (p.where == Where::kInService) {
      vacate(i);
    }
    switch (why) {
      case Exit::kDischarged: sys(SystemKpi::kDischarged) += 1; break;
      case Exit::kDied: sys(SystemKpi::kDied) += 1; break;
      case Exit::kMovedAway: sys(SystemKpi::kMovedAway) += 1; break;
      case Exit::kRemitted: sys(SystemKpi::kRemitted) += 1; break;
    }
    // Wellbeing after leaving: the last score is kept until death, moving away or the
    // horizon (an assumption; documented with the QALY mapping).
    const engine::Days until = why == Exit::kDied || why == Exit::kMovedAway
                                   ? sim_.now()
                                   : std::min({p.death_at, p.move_at, horizon_});
    accrue_qalys(p, until);
    r_.person_days += sim_.now() - p.entered;
    p.live = false;
    p.where = Where::kFollowUp;
    ++p.generation;
    ++p.episode;
    --live_;
    ++r_.exited;
    free_.push_back(i);
  }

  void accrue_qalys(Slot& p, engine::Days until) {
    const OutcomeSpec& o = spec_.outcomes;
    const double u = std::clamp(o.utility_intercept + o.utility_slope * p.wemwbs, o.min_utility, 1.0);
    for (std::size_t y = year_of(p.qaly_from); y < r_.years && p.qaly_from < until; ++y) {
      const engine::Days hi = std::min(until, static_cast<double>(y + 1) * kDaysPerYear);
      if (hi > p.qaly_from) r_.system[y * kSystemKpis + idx(SystemKpi::kQalys)] += u * (hi - p.qaly_from) / kDaysPerYear;
      p.qaly_from = hi;
    }
    p.qaly_from = std::max(p.qaly_from, until);
  }

  // ---- years, ledger, checks ------------------------------------------------------------

  void year_end(std::size_t y) {
    const engine::Days now = sim_.now();
    for (std::size_t s = 0; s < r_.services; ++s) {
      auto& w = waits_[s];
      double mean = 0, p90 = 0;
      if (!w.empty()) {
        for (const double x : w) mean += x;
        mean /= static_cast<double>(w.size());
        const std::size_t rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(w.size()))) - 1;
        std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(rank), w.end());
        p90 = w[rank];
      }
      w.clear();
      w.shrink_to_fit();
      r_.at(r_.service, y, s, idx(ServiceKpi::kMeanWait), kServiceKpis) = mean;
      r_.at(r_.service, y, s, idx(ServiceKpi::kP90Wait), kServiceKpis) = p90;
      r_.at(r_.service, y, s, idx(ServiceKpi::kCaseloadAtYearEnd), kServiceKpis) = static_cast<double>(in_service_[s]);
      r_.at(r_.service, y, s, idx(ServiceKpi::kWaitingAtYearEnd), kServiceKpis) = static_cast<double>(waiting_[s]);
      r_.at(r_.service, y, s, idx(ServiceKpi::kMeanOccupancy), kServiceKpis) = occupancy_[s].mean(now);
      occupancy_[s].reset(now);
    }
    r_.system[y * kSystemKpis + idx(SystemKpi::kInSystemAtYearEnd)] = static_cast<double>(live_);
    r_.system[y * kSystemKpis + idx(SystemKpi::kUntreatedAtYearEnd)] = static_cast<double>(untreated_);
    month_end(y * kMonthsPerYear + kMonthsPerYear - 1);
  }

  // The month-end stocks of the monthly picture (no random numbers; changes nothing).
  void month_end(std::size_t mo) {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t s = 0; s < r_.services; ++s) {
      month_at(mo, s, MonthlyMeasure::kWaitingAtEnd) = static_cast<double>(waiting_[s]);
      month_at(mo, s, MonthlyMeasure::kInServiceAtEnd) = static_cast<double>(in_service_[s]);
      month_at(mo, s, MonthlyMeasure::kPlacesAtEnd) =
          resources_[s] ? static_cast<double>(resources_[s]->capacity()) : kNaN;
      const auto& st = spec_.services[s].staff;
      month_at(mo, s, MonthlyMeasure::kStaffAtEnd) =
          st && teams_[s].tracked
              ? static_cast<double>(teams_[s].filled) + st->agency_cover * static_cast<double>(teams_[s].vacant)
              : kNaN;
    }
  }

  void finish() {
    // Teams that accrued their team-years: the rest of the run, then posted by year.
    for (std::size_t s = 0; s < teams_.size(); ++s) {
      if (!teams_[s].tracked || spec_.services[s].annual_fixed_cost <= 0) continue;
      accrue(s, horizon_);
      for (std::size_t y = 0; y < r_.years; ++y) post(y, s, Measure::kTeamYears, team_years_[y * r_.services + s]);
      for (std::size_t mo = 0; mo < r_.months; ++mo) {
        post_month(mo, s, Measure::kTeamYears, team_months_[mo * r_.services + s]);
      }
    }
    // Episodes still running at the horizon: post their activity so far; goals stay open.
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      Slot& p = slots_[i];
      if (!p.live) continue;
      if (p.where == Where::kInService) {
        post_episode(i);
        for (const Goal& g : p.goals) {
          if (g.resolve_at <= horizon_) {
            goals_at(year_of(g.resolve_at), g.domain, g.outcome) += 1;
            if (g.outcome == GoalStatus::kAchieved && g.sustained_at < horizon_) {
              goals_at(year_of(g.sustained_at), g.domain, GoalStatus::kSustained) += 1;
            }
          }
        }
      }
      set_untreated(p, false, horizon_);
      accrue_qalys(p, horizon_);
      r_.person_days += horizon_ - p.entered;
    }
    for (std::size_t y = 0; y < r_.years; ++y) {
      double* k = &r_.system[y * kSystemKpis];
      const double discharges = k[idx(SystemKpi::kWemwbsImproved)] + k[idx(SystemKpi::kWemwbsDecreased)] +
                                k[idx(SystemKpi::kWemwbsUnchanged)];
      k[idx(SystemKpi::kWemwbsMeanChange)] = discharges > 0 ? wemwbs_change_sum_[y] / discharges : 0.0;
      k[idx(SystemKpi::kShareImproved)] = discharges > 0 ? k[idx(SystemKpi::kWemwbsImproved)] / discharges : 0.0;
      double cost = 0;
      for (std::size_t i = y * r_.services * kMeasures; i < (y + 1) * r_.services * kMeasures; ++i) cost += r_.cost[i];
      for (std::size_t s = 0; s < r_.services; ++s) cost += r_.one_off[y * r_.services + s];
      k[idx(SystemKpi::kCost)] = cost;
      // Goals: system totals, and the stock still open at year end.
      for (std::size_t d = 0; d < kSiofDomains; ++d) {
        const double open_before = y == 0 ? 0.0 : goals_at(y - 1, d, GoalStatus::kProgressing);
        goals_at(y, d, GoalStatus::kProgressing) = open_before + goals_at(y, d, GoalStatus::kSet) -
                                                   goals_at(y, d, GoalStatus::kAchieved) -
                                                   goals_at(y, d, GoalStatus::kClosed) -
                                                   goals_at(y, d, GoalStatus::kNotAchieved);
        k[idx(SystemKpi::kGoalsSet)] += goals_at(y, d, GoalStatus::kSet);
        k[idx(SystemKpi::kGoalsAchieved)] += goals_at(y, d, GoalStatus::kAchieved);
        k[idx(SystemKpi::kGoalsSustained)] += goals_at(y, d, GoalStatus::kSustained);
        k[idx(SystemKpi::kGoalsClosed)] += goals_at(y, d, GoalStatus::kClosed);
        k[idx(SystemKpi::kGoalsNotAchieved)] += goals_at(y, d, GoalStatus::kNotAchieved);
        k[idx(SystemKpi::kGoalsProgressing)] += goals_at(y, d, GoalStatus::kProgressing);
      }
    }
    for (std::size_t mo = 0; mo < r_.months; ++mo) {
      for (std::size_t s = 0; s < r_.services; ++s) {
        const double n = month_at(mo, s, MonthlyMeasure::kEpisodesStarted);
        month_at(mo, s, MonthlyMeasure::kMeanWaitOfStarted) = n > 0 ? month_wait_sum_[mo * r_.services + s] / n : 0.0;
      }
    }
    std::uint64_t in_system = 0;
    for (const Slot& p : slots_) in_system += p.live ? 1U : 0U;
    r_.in_system = in_system;
  }

  // Conservation of people and of money; a failure stops the run with arm, replication and seed.
  void check() const {
    const auto fail = [&](const std::string& what) { throw engine::SimulationError(what, "pathway", horizon_); };
    if (r_.arrived != r_.exited + r_.in_system) {
      fail("people are not conserved: arrived " + std::to_string(r_.arrived) + " != exited " +
           std::to_string(r_.exited) + " + in the system " + std::to_string(r_.in_system));
    }
    double exits = 0;
    for (std::size_t y = 0; y < r_.years; ++y) {
      for (const SystemKpi k : {SystemKpi::kDischarged, SystemKpi::kDied, SystemKpi::kMovedAway, SystemKpi::kRemitted}) {
        exits += r_.sys(y, k);
      }
    }
    if (exits != static_cast<double>(r_.exited)) {
      fail("exits by reason (" + std::to_string(exits) + ") do not add up to exits (" + std::to_string(r_.exited) + ")");
    }
    double total = 0, by_partner = 0;
    for (std::size_t y = 0; y < r_.years; ++y) {
      for (std::size_t s = 0; s < r_.services; ++s) {
        for (std::size_t m = 0; m < kMeasures; ++m) {
          const double c = r_.cst(y, s, static_cast<Measure>(m));
          const double expected = r_.act(y, s, static_cast<Measure>(m)) * price(y, s, static_cast<Measure>(m));
          if (std::fabs(c - expected) > 1e-9 * std::max(1.0, std::fabs(expected))) {
            fail("ledger cost " + std::to_string(c) + " != activity x unit cost " + std::to_string(expected) +
                 " (year " + std::to_string(y + 1) + ", service " + spec_.services[s].name + ", " +
                 std::string(kMeasureNames[m]) + ")");
          }
          total += c;
        }
        total += r_.one_off[y * r_.services + s];
      }
      for (std::size_t q = 0; q < r_.partners; ++q) by_partner += r_.partner_cost[y * r_.partners + q];
    }
    if (std::fabs(total - by_partner) > 1e-9 * std::max(1.0, std::fabs(total))) {
      fail("ledger cost by partner (" + std::to_string(by_partner) + ") != by service (" + std::to_string(total) + ")");
    }
  }

  // The unit cost of measure m at service s in year y (its cost mix's inflation applied).
  double price(std::size_t y, std::size_t s, Measure m) const {
    const double base = unit_cost(spec_.services[s], m);
    const double f = cost_factor_[y * r_.services + s];
    return f == 1.0 ? base : base * f;
  }

  void post(std::size_t y, std::size_t s, Measure m, double units) {
    const double p = price(y, s, m);
    r_.at(r_.activity, y, s, idx(m), kMeasures) += units;
    r_.at(r_.cost, y, s, idx(m), kMeasures) += units * p;
    r_.partner_cost[y * r_.partners + spec_.services[s].partner] += units * p;
  }

  // The monthly picture's cost: the same units at the same (year's) price as post().
  void post_month(std::size_t mo, std::size_t s, Measure m, double units) {
    month_at(mo, s, MonthlyMeasure::kMonthCost) += units * price(mo / kMonthsPerYear, s, m);
  }
  double& month_at(std::size_t mo, std::size_t s, MonthlyMeasure q) {
    return r_.monthly[(mo * r_.services + s) * kMonthlyMeasures + static_cast<std::size_t>(q)];
  }
  // The month (0-based over the run) of time t: within year_of(t), so a month's ledger year
  // is always the one post() uses.
  std::size_t month_of(engine::Days t) const {
    const std::size_t y = year_of(t);
    const double k = std::floor((t - static_cast<double>(y) * kDaysPerYear) / kDaysPerMonth);
    const std::size_t within = k <= 0 ? 0 : std::min(kMonthsPerYear - 1, static_cast<std::size_t>(k));
    return y * kMonthsPerYear + within;
  }

  void set_in_service(std::size_t s, std::uint64_t n) {
    in_service_[s] = n;
    occupancy_[s].update(sim_.now(), static_cast<double>(n));
  }

  std::size_t year_of(engine::Days t) const {
    const double y = std::floor(t / kDaysPerYear);
    return y <= 0 ? 0 : std::min(r_.years - 1, static_cast<std::size_t>(y));
  }
  double& sys(SystemKpi k) { return r_.system[year_of(sim_.now()) * kSystemKpis + idx(k)]; }
  double& kpi(std::size_t s, ServiceKpi k) { return r_.at(r_.service, year_of(sim_.now()), s, idx(k), kServiceKpis); }
  double& goals_at(std::size_t y, std::size_t d, GoalStatus g) {
    return r_.goals[(y * kSiofDomains + d) * kGoalStatuses + idx(g)];
  }

  const PathwaySpec& spec_;
  const ArmSpec& arm_;
  engine::RandomStreams streams_;
  const engine::Days horizon_;
  engine::Simulation sim_;
  ArmResult r_;
  std::vector<std::unique_ptr<engine::Resource>> resources_;
  std::vector<Team> teams_;          // [S]
  std::vector<double> team_years_;   // [Y][S] accrued by tracked teams
  std::vector<double> team_months_;  // [months][S] the same by month
  std::vector<double> month_wait_sum_;  // [months][S] waits of episodes started in the month
  std::uint64_t month_events_ = 0;   // month-end snapshots run (not counted in checks/events)
  std::vector<std::uint64_t> in_service_, waiting_;
  std::vector<engine::TimeWeighted> occupancy_;
  std::vector<std::vector<double>> waits_;
  std::vector<double> cost_factor_;  // [Y x S] cost_factor() of each service and year
  std::vector<double> wemwbs_change_sum_ = std::vector<double>(static_cast<std::size_t>(spec_.years), 0.0);
  std::vector<StreamKeys> group_keys_, stock_keys_;  // people point into these: never resized after construction
  std::vector<double> mean_risk_;
  std::optional<ArrivalGenerator> arrivals_;
  Person next_arrival_;              // the arrival scheduled (one at a time)
  std::vector<Slot> slots_;
  std::vector<std::uint16_t> counts_;  // per slot: visits, then episodes (see visits_of)
  std::size_t counts_per_slot_ = 0;
  std::vector<std::size_t> free_;
  std::uint64_t live_ = 0;
  std::uint64_t untreated_ = 0;  // people waiting or with unmet need now
  bool resuming_ = false;  // seeding the starting caseload: episodes already under way
  bool resuming_stationary_ = false;  // ... with a steady-state (length-biased) remaining time
};

}  // namespace

ArmResult simulate_arm(const PathwaySpec& spec, std::size_t arm, const engine::RandomStreams& streams) {
  try {
    return ArmSim(spec, arm, streams).run();
  } catch (engine::SimulationError& e) {
    e.set_context(streams.replication(), streams.seed(), spec.arms[arm].name);
    throw;
  }
}

PathwayResult simulate_pathway(const PathwaySpec& spec, const engine::RandomStreams& streams) {
  PathwayResult r;
  r.arms.reserve(spec.arms.size());
  for (std::size_t a = 0; a < spec.arms.size(); ++a) r.arms.push_back(simulate_arm(spec, a, streams));
  return r;
}

}  // namespace mhsim::models::pathway

namespace mhsim::models::pathway {

namespace {

void check_routes(const Routes& routes, std::size_t services, const std::string& where, std::vector<std::string>& out) {
  double total = 0;
  for (const Route& r : routes) {
    if (r.target != kDischarge && r.target >= services) out.push_back(where + ": route to service index " + std::to_string(r.target) + " out of range");
    if (!(r.probability >= 0 && r.probability <= 1)) out.push_back(where + ": route probability " + std::to_string(r.probability) + " outside [0, 1]");
    total += r.probability;
  }
  if (!routes.empty() && std::fabs(total - 1.0) > 1e-9) out.push_back(where + ": route probabilities sum to " + std::to_string(total) + ", not 1");
}

}  // namespace

std::vector<std::string> check_spec(const PathwaySpec& spec) {
  std::vector<std::string> out;
  const std::size_t S = spec.services.size(), G = spec.population.groups.size();
  const auto in_range = [S](std::size_t t) { return t == kDischarge || t < S; };
  if (spec.years < 1) out.push_back("years must be >= 1");
  if (G == 0) out.push_back("at least one need group is needed");
  if (spec.arms.empty()) out.push_back("at least one arm is needed");
  for (std::size_t g = 0; g < G; ++g) {
    const NeedGroup& n = spec.population.groups[g];
    if (!(n.risk_beta_a > 0 && n.risk_beta_b > 0)) out.push_back("group " + n.name + ": risk Beta parameters must be > 0");
    if (!(n.death_per_year >= 0 && n.move_away_per_year >= 0)) out.push_back("group " + n.name + ": exit hazards must be >= 0");
    const UnmetNeed& u = n.unmet;
    for (const double h : {u.crisis_per_year.value_or(0.0), u.represent_per_year, u.deteriorate_per_year, u.remit_per_year,
                           u.deteriorated_risk}) {
      if (!(h >= 0 && std::isfinite(h))) out.push_back("group " + n.name + ": unmet-need hazards must be finite and >= 0");
    }
    if (u.presentations.size() > S) out.push_back("group " + n.name + ": unmet presentations has more entries than services");
    for (std::size_t s = 0; s < u.presentations.size() && s < S; ++s) {
      if (!(u.presentations[s] >= 0 && std::isfinite(u.presentations[s]))) {
        out.push_back("group " + n.name + ": unmet presentation hazards must be finite and >= 0");
      } else if (u.presentations[s] > 0 && !is_presentation(spec.services[s].kind)) {
        out.push_back("group " + n.name + ": unmet presentations go to services of kind presentation, not " +
                      spec.services[s].name);
      }
    }
    if (u.crisis_to != kDischarge && u.crisis_to >= S) out.push_back("group " + n.name + ": unmet crisis_to out of range");
    if (u.crisis_per_year.value_or(0.0) > 0 && u.crisis_to == kDischarge) {
      out.push_back("group " + n.name + ": unmet crisis_per_year > 0 needs crisis_to");
    }
    check_routes(u.represent_to, S, "group " + n.name + " unmet represent_to", out);
  }
  for (const CostCategory& k : spec.cost_categories) {
    if (!(k.inflation > -1) || !std::isfinite(k.inflation)) {
      out.push_back("cost category " + k.name + ": inflation must be finite and > -1");
    }
  }
  for (std::size_t s = 0; s < S; ++s) {
    const ServiceSpec& v = spec.services[s];
    const std::string w = "service " + v.name;
    if (v.partner >= spec.partners.size()) out.push_back(w + ": partner index out of range");
    if (is_presentation(v.kind)) {
      if (v.duration || v.sessions || v.capacity != 0 || !v.routes.empty()) {
        out.push_back(w + ": a presentation service has no episodes (no duration, sessions, capacity or routes)");
      }
    } else if (v.duration.has_value() == v.sessions.has_value()) {
      out.push_back(w + ": exactly one of duration and sessions is needed");
    }
    if (!(v.session_interval_days > 0)) out.push_back(w + ": session_interval_days must be > 0");
    if (v.capacity < 0) out.push_back(w + ": capacity must be >= 0");
    if (const auto& st = v.staff) {
      if (st->posts < 1 || !(st->vacancy >= 0 && st->vacancy <= 1) || !(st->turnover_per_year >= 0) ||
          !(st->recruitment_days > 0) || !(st->agency_cover >= 0 && st->agency_cover <= 1) || !(st->agency_premium >= 0)) {
        out.push_back(w + ": staff need posts >= 1, vacancy and agency_cover in [0, 1], turnover and premium >= 0, "
                          "recruitment_days > 0");
      }
    }
    if (v.cost_mix.size() > spec.cost_categories.size()) {
      out.push_back(w + ": cost_mix has more shares than there are cost categories");
    } else if (!v.cost_mix.empty()) {
      double sum = 0;
      for (const double x : v.cost_mix) sum += (x >= 0 && x <= 1) ? x : std::numeric_limits<double>::quiet_NaN();
      if (!(std::fabs(sum - 1.0) <= 1e-9)) out.push_back(w + ": cost_mix shares must be in [0, 1] and sum to 1");
    }
    for (const double p : {v.dropout_probability, v.recovery_probability}) {
      if (!(p >= 0 && p <= 1)) out.push_back(w + ": probabilities must be in [0, 1]");
    }
    for (const double c : {v.cost_per_contact, v.cost_per_day, v.cost_per_episode, v.annual_fixed_cost, v.contacts_per_week,
                           v.crisis_per_year, v.relapse_per_year}) {
      if (!(c >= 0 && std::isfinite(c))) out.push_back(w + ": costs, contact rates and hazards must be finite and >= 0");
    }
    for (const std::size_t t : {v.overflow, v.crisis_to, v.relapse_to, v.fallback, v.rejected_to}) {
      if (!in_range(t)) out.push_back(w + ": a target service index is out of range");
    }
    if (v.overflow == s) out.push_back(w + ": overflow to itself");
    if (v.crisis_per_year > 0 && v.crisis_to == kDischarge) out.push_back(w + ": crisis_per_year > 0 needs crisis_to");
    if (v.relapse_per_year > 0 && v.relapse_to == kDischarge) out.push_back(w + ": relapse_per_year > 0 needs relapse_to");
    check_routes(v.routes, S, w + " routes", out);
    if (!v.routes_by_group.empty() && v.routes_by_group.size() != G) out.push_back(w + ": routes_by_group must have one entry per group");
    for (const auto& r : v.routes_by_group) {
      if (r) check_routes(*r, S, w + " routes_by_group", out);
    }
  }
  // Presentation services take presentations, never referrals.
  const auto referral_to = [&](std::size_t t, const std::string& where) {
    if (t != kDischarge && t < S && is_presentation(spec.services[t].kind)) {
      out.push_back(where + ": refers to presentation service " + spec.services[t].name + ", which takes no referrals");
    }
  };
  const auto routes_to = [&](const Routes& rs, const std::string& where) {
    for (const Route& r : rs) referral_to(r.target, where);
  };
  for (const ServiceSpec& v : spec.services) {
    for (const std::size_t t : {v.overflow, v.crisis_to, v.relapse_to, v.fallback, v.rejected_to}) referral_to(t, "service " + v.name);
    routes_to(v.routes, "service " + v.name);
    for (const auto& r : v.routes_by_group) {
      if (r) routes_to(*r, "service " + v.name);
    }
  }
  for (const NeedGroup& n : spec.population.groups) {
    referral_to(n.unmet.crisis_to, "group " + n.name);
    routes_to(n.unmet.represent_to, "group " + n.name);
  }
  for (const ArmSpec& a : spec.arms) {
    referral_to(a.diversion_to, "arm " + a.name);
    for (const Routes& r : a.entry) routes_to(r, "arm " + a.name);
    for (const std::size_t t : a.redirect) referral_to(t, "arm " + a.name);
    for (const HistoryRoutes& h : a.history_routes) routes_to(h.routes, "arm " + a.name);
  }
  // Overflow chains must end.
  for (std::size_t s = 0; s < S; ++s) {
    std::size_t t = s, hops = 0;
    while (t != kDischarge && t < S && spec.services[t].overflow != kDischarge && hops <= S) {
      t = spec.services[t].overflow;
      ++hops;
    }
    if (hops > S) out.push_back("service " + spec.services[s].name + ": overflow chain loops");
  }
  for (const ArmSpec& a : spec.arms) {
    const std::string w = "arm " + a.name;
    if (a.enabled.size() != S || a.capacity.size() != S) {
      out.push_back(w + ": enabled and capacity need one entry per service");
      continue;
    }
    if (a.entry.size() != G) out.push_back(w + ": entry routes need one entry per need group");
    for (const Routes& r : a.entry) check_routes(r, S, w + " entry", out);
    // Behaviour parameters: every year's value, and no more values than years.
    const std::pair<const char*, const ByYear*> behaviour[] = {{"gatekeeping", &a.gatekeeping},
                                                               {"handoff_loss", &a.handoff_loss},
                                                               {"front_door_diversion", &a.front_door_diversion},
                                                               {"step_down_speed", &a.step_down_speed}};
    for (const auto& [name, by_year] : behaviour) {
      const std::vector<double>& values = by_year->values();
      const std::string what = w + ": " + name;
      if (spec.years >= 1 && values.size() > static_cast<std::size_t>(spec.years)) {
        out.push_back(what + " has " + std::to_string(values.size()) + " yearly values, more than the run's " +
                      std::to_string(spec.years) + " years");
      }
      const bool speed = by_year == &a.step_down_speed;
      for (std::size_t y = 0; y < values.size(); ++y) {
        const double v = values[y];
        const bool ok = speed ? v > 0 && std::isfinite(v) : v >= 0 && v <= 1;
        if (!ok) {
          out.push_back(what + " in year " + std::to_string(y + 1) +
                        (speed ? " must be finite and > 0" : " must be a probability in [0, 1]"));
        }
      }
    }
    if (!in_range(a.diversion_to)) out.push_back(w + ": diversion_to out of range");
    // Response multipliers (models/incentives): none, or one per service (per pair for
    // diversion), each finite and > 0 in every year.
    const std::tuple<const char*, const std::vector<ByYear>*, std::size_t> response[] = {
        {"gatekeeping", &a.response.gatekeeping, S}, {"step_down", &a.response.step_down, S},
        {"diversion", &a.response.diversion, S * S}};
    for (const auto& [name, factors, n] : response) {
      if (!factors->empty() && factors->size() != n) {
        out.push_back(w + ": response " + name + " needs " + std::to_string(n) + " entries, not " +
                      std::to_string(factors->size()));
      }
      for (const ByYear& f : *factors) {
        for (const double v : f.values()) {
          if (!(v > 0 && std::isfinite(v))) out.push_back(w + ": response " + name + " factors must be finite and > 0");
        }
      }
    }
    if (!a.redirect.empty() && a.redirect.size() != S) out.push_back(w + ": redirect needs one entry per service");
    for (const std::size_t t : a.redirect) {
      if (!in_range(t)) out.push_back(w + ": a redirect target is out of range");
    }
    for (std::size_t s = 0; s < S; ++s) {
      if (spec.services[s].staff && a.enabled[s] && a.capacity[s] <= 0) {
        out.push_back(w + ": staffed service " + spec.services[s].name + " needs a finite capacity");
      }
    }
    for (const HistoryRoutes& h : a.history_routes) {
      if (h.service >= S || !a.enabled[h.service] || is_presentation(spec.services[h.service].kind)) {
        out.push_back(w + ": history_routes of a service the arm does not have, or a presentation service");
      }
      if (h.counted.size() != S) out.push_back(w + ": history_routes counted needs one entry per service");
      if (!h.groups.empty() && h.groups.size() != G) out.push_back(w + ": history_routes groups needs one entry per need group");
      if (h.at_least < 0) out.push_back(w + ": history_routes at_least must be >= 0");
      check_routes(h.routes, S, w + " history_routes", out);
    }
    for (const CapacityChange& c : a.capacity_changes) {
      // Changes only services with a place-limited queue in the arm (the simulation's Resources).
      if (c.service >= S || !a.enabled[c.service] || a.capacity[c.service] <= 0 ||
          spec.services[c.service].kind == ServiceKind::kPresentation) {
        out.push_back(w + ": a capacity change of a service the arm does not have with a finite capacity");
      }
      if (!(c.day >= 0) || c.capacity < 0) out.push_back(w + ": a capacity change needs day >= 0 and capacity >= 0");
      if (c.excess == Excess::kTransfer &&
          (c.transfer_to >= S || c.transfer_to == c.service || !a.enabled[c.transfer_to])) {
        out.push_back(w + ": a capacity change transfers to another service the arm has");
      }
    }
    for (const OneOffCost& c : a.one_off_costs) {
      if (c.service >= S || !a.enabled[c.service]) out.push_back(w + ": a one-off cost of a service the arm does not have");
      if (!(c.day >= 0) || !(c.amount >= 0) || !std::isfinite(c.amount)) {
        out.push_back(w + ": a one-off cost needs day >= 0 and a finite amount >= 0");
      }
    }
    for (std::size_t s = 0; s < S; ++s) {
      if (a.capacity[s] < 0) out.push_back(w + ": capacity must be >= 0");
      std::size_t t = s, hops = 0;
      while (t != kDischarge && t < S && !a.enabled[t] && hops <= S) {
        t = spec.services[t].fallback;
        ++hops;
      }
      if (hops > S) out.push_back(w + ": the fallback chain from service " + spec.services[s].name + " loops without reaching a service the arm has");
    }
  }
  for (const InitialStock& st : spec.initial) {
    if (st.service >= S || st.group >= G) out.push_back("initial stock: service or group index out of range");
  }
  const OutcomeSpec& o = spec.outcomes;
  if (!(o.follow_up_days >= 0 && o.readmission_window_days >= 0 && o.goal_sustain_days >= 0)) {
    out.push_back("outcomes: day counts must be >= 0");
  }
  return out;
}

}  // namespace mhsim::models::pathway
