// SPDX-License-Identifier: MIT
// Providers respond to incentives (issue 21): the price of each decision under every contract
// family, computed by hand; the response's bounds and monotonicity; zero response changes
// nothing, byte for byte.
#include "models/incentives/incentives.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "models/contracts/pathway_ledger.hpp"
#include "models/pathway/pathway_fixtures.hpp"

namespace {

namespace ct = mhsim::models::contracts;
namespace inc = mhsim::models::incentives;
namespace pw = mhsim::models::pathway;
namespace dist = mhsim::engine::dist;
using mhsim::engine::Distribution;
using mhsim::engine::RandomStreams;
using mhsim::models::ledger::Measure;

constexpr std::size_t kGate = static_cast<std::size_t>(inc::Decision::kGatekeeping);
constexpr std::size_t kStep = static_cast<std::size_t>(inc::Decision::kStepDown);
constexpr std::size_t kDivert = static_cast<std::size_t>(inc::Decision::kDiversion);
constexpr auto idx(Measure m) { return static_cast<std::size_t>(m); }

// Partner 0 (a charity) runs the front door (service 0); partner 1 (a trust) runs a gatekept
// CMHT (service 1) and rehabilitation (service 2). The front door sends 60% to the CMHT.
pw::PathwaySpec system_of_three() {
  auto spec = mhsim::test::base_spec(100.0, 10000.0, 1);
  spec.partners = {pw::PartnerSpec{"charity", "vcse"}, pw::PartnerSpec{"trust", "nhs_trust"}};
  spec.services.clear();
  spec.services.push_back(mhsim::test::service("front door", Distribution(dist::Exponential{20.0})));
  spec.services.push_back(mhsim::test::service("cmht", Distribution(dist::Exponential{60.0}), 50));
  spec.services.push_back(mhsim::test::service("rehab", Distribution(dist::Exponential{300.0}), 20));
  spec.services[0].kind = pw::ServiceKind::kFrontDoor;
  spec.services[1].kind = pw::ServiceKind::kCmht;
  spec.services[2].kind = pw::ServiceKind::kRehab;
  spec.services[0].partner = 0;
  spec.services[1].partner = 1;
  spec.services[2].partner = 1;
  spec.services[1].gatekept = true;
  spec.services[0].routes = {pw::Route{1, 0.6}, pw::Route{pw::kDischarge, 0.4}};
  spec.services[0].cost_per_contact = 40;
  spec.services[1].cost_per_contact = 100;
  spec.services[1].cost_per_episode = 50;
  spec.services[2].cost_per_day = 200;
  spec.arms.clear();
  spec.arms.push_back(mhsim::test::arm(spec, "arm"));
  return spec;
}

// A year by hand. Front door: 400 episodes of 4 contacts at 40 (cost 64,000). CMHT: 100
// episodes, 1,000 contacts at 100 and 100 episodes at 50 (105,000): one more episode is 10
// contacts and 1,050 pounds. Rehab: 3,650 days at 200 (730,000): one more month is 365/12
// days and 6,083.33 pounds. The trust's cost is 835,000, the charity's 64,000.
inc::Position year_by_hand(const pw::PathwaySpec& spec) {
  inc::Position at;
  ct::YearInput& in = at.input;
  in.year = 0;
  in.service_partner = {0, 1, 1};
  in.service_activity.assign(3, {});
  at.measure_cost.assign(3, {});
  in.service_activity[0][idx(Measure::kContacts)] = 1600;
  in.service_activity[0][idx(Measure::kEpisodes)] = 400;
  at.measure_cost[0][idx(Measure::kContacts)] = 64000;
  in.service_activity[1][idx(Measure::kContacts)] = 1000;
  in.service_activity[1][idx(Measure::kEpisodes)] = 100;
  at.measure_cost[1][idx(Measure::kContacts)] = 100000;
  at.measure_cost[1][idx(Measure::kEpisodes)] = 5000;
  in.service_activity[2][idx(Measure::kDays)] = 3650;
  in.service_activity[2][idx(Measure::kEpisodes)] = 12;
  at.measure_cost[2][idx(Measure::kDays)] = 730000;
  in.service_cost = {64000, 105000, 730000};
  in.partner_cost = {64000, 835000};
  in.partner_activity.assign(2, {});
  for (std::size_t s = 0; s < 3; ++s) {
    for (std::size_t m = 0; m < mhsim::models::ledger::kMeasures; ++m) {
      in.partner_activity[in.service_partner[s]][m] += in.service_activity[s][m];
    }
  }
  in.population = spec.population.size;
  return at;
}

ct::Contract block(std::size_t partner, double annual) { return ct::Contract{"block", ct::BlockTerms{partner, annual, 0}}; }

ct::Terms alliance_terms(double share, double target, std::optional<double> pain_cap = 1.0) {
  ct::AllianceTerms a;
  a.members = {ct::AllianceMember{0, 10000, 0, 0, std::nullopt}, ct::AllianceMember{1, 40000, 0, 0, std::nullopt}};
  a.target_cost = target;
  a.share = share;
  a.pain_cap = pain_cap;
  a.allocation = ct::AllianceTerms::Allocation::kEqual;
  return ct::Terms{{ct::Contract{"alliance", a}}};
}

const double kEpisodeCost = 1050.0;
const double kMonthCost = 730000.0 / 3650.0 * (365.0 / 12.0);

}  // namespace

TEST_CASE("Incentives: the units of each decision come from the expected year", "[models][incentives]") {
  const pw::PathwaySpec spec = system_of_three();
  const inc::Position at = year_by_hand(spec);
  const inc::Unit e = inc::episode(at, 1);
  CHECK(e.cost == Approx(kEpisodeCost).epsilon(1e-12));
  CHECK(e.activity[idx(Measure::kContacts)] == Approx(10.0));
  CHECK(e.activity[idx(Measure::kEpisodes)] == 1.0);
  const inc::Unit m = inc::month(at, 2);
  CHECK(m.cost == Approx(kMonthCost).epsilon(1e-12));
  CHECK(m.activity[idx(Measure::kDays)] == Approx(365.0 / 12.0));
  CHECK(inc::month(at, 1).cost == 0.0);  // no days: no month to price
}

TEST_CASE("Incentives: each contract family prices a decision as computed by hand", "[models][incentives]") {
  const pw::PathwaySpec spec = system_of_three();
  const inc::Position at = year_by_hand(spec);
  ct::YearPayout scratch;

  SECTION("block: the provider bears every marginal pound (stake 1); the front door none of the CMHT's") {
    const ct::Terms terms{{block(0, 70000), block(1, 900000)}};
    const inc::Signals s = inc::signals(spec, 0, terms, at);
    CHECK(s.signal[kGate][1] == Approx(-kEpisodeCost).epsilon(1e-12));
    CHECK(s.stake[kGate][1] == Approx(1.0).epsilon(1e-12));
    CHECK(s.stake[kStep][2] == Approx(1.0).epsilon(1e-12));
    CHECK(s.signal[kStep][2] == Approx(-kMonthCost).epsilon(1e-12));
    CHECK(s.diversion[0 * 3 + 1] == 0.0);
    CHECK(s.stake[kDivert][0] == 0.0);
    CHECK(s.stake[kGate][0] == 0.0);  // not gatekept: no decision
  }
  SECTION("activity: a tariff of 80 a contact pays 800 of the episode's 1,050 (stake 250 / 1,050)") {
    ct::ActivityTerms a;
    a.partner = 1;
    a.tariffs = {ct::Tariff{Measure::kContacts, ct::Tariff::kPartnerServices, 80, 0}};
    const ct::Terms terms{{block(0, 70000), ct::Contract{"activity", a}}};
    const inc::Signals s = inc::signals(spec, 0, terms, at);
    CHECK(s.signal[kGate][1] == Approx(800.0 - kEpisodeCost).epsilon(1e-9));
    CHECK(s.stake[kGate][1] == Approx(250.0 / kEpisodeCost).epsilon(1e-9));
    // A tariff above cost makes the decision profitable: a negative stake.
    a.tariffs[0].price = 120;
    const inc::Signals rich = inc::signals(spec, 0, ct::Terms{{block(0, 70000), ct::Contract{"activity", a}}}, at);
    CHECK(rich.stake[kGate][1] == Approx((kEpisodeCost - 1200.0) / kEpisodeCost).epsilon(1e-9));
    CHECK(rich.stake[kGate][1] < 0.0);
  }
  SECTION("capitation: inside the corridor stake 1; beyond it the commissioner pays rho = 0.4 of the overspend") {
    ct::CapitationTerms c;
    c.partner = 1;
    c.per_head = 80;  // budget 800,000: the trust's 835,000 is 4.4% over
    c.corridor = ct::RiskCorridor{0.05, 0.4};
    const inc::Signals inside = inc::signals(spec, 0, ct::Terms{{block(0, 70000), ct::Contract{"cap", c}}}, at);
    CHECK(inside.stake[kGate][1] == Approx(1.0).epsilon(1e-12));
    c.per_head = 75;  // budget 750,000: 11.3% over, beyond the 5% corridor
    const inc::Signals beyond = inc::signals(spec, 0, ct::Terms{{block(0, 70000), ct::Contract{"cap", c}}}, at);
    CHECK(beyond.stake[kGate][1] == Approx(0.6).epsilon(1e-9));
  }
  SECTION("outcomes-based: the value is fixed and the indicators held, so stake 1") {
    ct::OutcomesTerms o;
    o.partner = 1;
    o.value = 900000;
    o.at_risk = 0.1;
    const inc::Signals s = inc::signals(spec, 0, ct::Terms{{block(0, 70000), ct::Contract{"outcomes", o}}}, at);
    CHECK(s.stake[kGate][1] == Approx(1.0).epsilon(1e-12));
  }
  SECTION("blended: half the price of each contact off plan is paid (0.5 x 80 x 10 = 400)") {
    ct::BlendedTerms b;
    b.partner = 1;
    b.fixed = 800000;
    b.variable = {ct::Tariff{Measure::kContacts, ct::Tariff::kPartnerServices, 80, 1000}};
    b.variable_rate = 0.5;
    const inc::Signals s = inc::signals(spec, 0, ct::Terms{{block(0, 70000), ct::Contract{"blended", b}}}, at);
    CHECK(s.stake[kGate][1] == Approx((kEpisodeCost - 400.0) / kEpisodeCost).epsilon(1e-9));
  }
  SECTION("alliance: Limb 1 repays the cost; each of two members carries half of the share s of the system's") {
    // Target far above cost: a gainshare, no cap binds. One more episode cuts the underrun by
    // 1,050, the providers' share by s x 1,050, each member's half of it by s x 525.
    for (const double share : {0.25, 0.5, 1.0}) {
      INFO("share " << share);
      const inc::Signals s = inc::signals(spec, 0, alliance_terms(share, 2e6), at);
      CHECK(s.signal[kGate][1] == Approx(-share * 525.0).epsilon(1e-9));
      CHECK(s.stake[kGate][1] == Approx(share / 2).epsilon(1e-9));
      CHECK(s.stake[kStep][2] == Approx(share / 2).epsilon(1e-9));
      // The front door shares the CMHT's cost: referring on costs it s x 525 of 1,050.
      CHECK(s.diversion[0 * 3 + 1] == Approx(share / 2).epsilon(1e-9));
      CHECK(s.stake[kDivert][0] == Approx(share / 2).epsilon(1e-9));
    }
    // Far over target, the painshare is at its cap (kappa x fees): one more episode costs the
    // members nothing more.
    const inc::Signals capped = inc::signals(spec, 0, alliance_terms(0.5, 1e5), at);
    CHECK(capped.stake[kGate][1] == Approx(0.0).margin(1e-9));
  }
  SECTION("an arm without contracts prices nothing") {
    const inc::Signals s = inc::signals(spec, 0, ct::Terms{}, at);
    CHECK(s.stake[kGate][1] == 0.0);
    CHECK(s.stake[kStep][2] == 0.0);
  }
}

TEST_CASE("Incentives: a KRA on the count a decision changes prices it too", "[models][incentives]") {
  // One interpolated KRA on gatekept refusals (lower is better), thresholds 200, 150, 100, 50,
  // 0 with scores -1, -0.5, 0, 0.5, 1: at 120 refusals the score is -0.2 and each more
  // refusal takes 0.01 off it; with a maximum liability of 100,000 a refusal costs the pool
  // 1,000 of Limb 3, 500 to each of the two members. Accepting costs the trust s x 525 of
  // the episode's 1,050; refusing costs it 500. Signal = -s x 525 + 500.
  const pw::PathwaySpec spec = system_of_three();
  inc::Position at = year_by_hand(spec);
  at.input.kpi.assign(mhsim::models::ledger::kSystemKpis, 0.0);
  at.input.kpi[static_cast<std::size_t>(mhsim::models::ledger::SystemKpi::kGatekeptRefusals)] = 120;
  ct::Terms terms = alliance_terms(0.5, 2e6);
  auto& a = std::get<ct::AllianceTerms>(terms.contracts[0].terms);
  ct::Kra kra;
  kra.name = "refusals";
  kra.kpi = ct::KpiRef::system(mhsim::models::ledger::SystemKpi::kGatekeptRefusals);
  kra.direction = ct::Direction::kLowerIsBetter;
  kra.thresholds = {200, 150, 100, 50, 0};
  kra.interpolate = true;
  kra.weight = 1;
  a.kras = {kra};
  a.max_liability = 100000;
  a.reward_pool = 100000;
  const inc::Signals s = inc::signals(spec, 0, terms, at);
  CHECK(s.signal[kGate][1] == Approx(-0.5 * 525.0 + 500.0).epsilon(1e-9));
  CHECK(s.stake[kGate][1] == Approx((0.5 * 525.0 - 500.0) / kEpisodeCost).epsilon(1e-9));
  CHECK(s.stake[kGate][1] < 0.0);  // with the KRA, accepting pays: the response lowers gatekeeping
}

TEST_CASE("Incentives: a refused referral that stays with the provider is no saving to it", "[models][incentives]") {
  pw::PathwaySpec spec = system_of_three();
  spec.services[1].rejected_to = 2;  // refused at the CMHT, the trust places them in rehab instead
  spec.arms[0] = mhsim::test::arm(spec, "arm");
  const inc::Position at = year_by_hand(spec);
  const inc::Signals s = inc::signals(spec, 0, ct::Terms{{block(0, 70000), block(1, 900000)}}, at);
  // One rehab episode at the expected year: 3,650 days / 12 episodes at 200 = 60,833.33.
  const double rehab_episode = 730000.0 / 12.0;
  CHECK(s.signal[kGate][1] == Approx(-kEpisodeCost + rehab_episode).epsilon(1e-9));
  CHECK(s.stake[kGate][1] == Approx((kEpisodeCost - rehab_episode) / kEpisodeCost).epsilon(1e-9));
}

TEST_CASE("Incentives: the response is bounded, 1 at zero elasticity, and monotone in the painshare share",
          "[models][incentives]") {
  CHECK(inc::factor(0.0, 0.7, 4.0) == 1.0);
  CHECK(inc::factor(1.3, 0.0, 4.0) == 1.0);
  CHECK(inc::factor(1.0, 1.0, 4.0) == Approx(std::exp(1.0)).epsilon(1e-15));
  CHECK(inc::factor(10.0, 1.0, 4.0) == 4.0);
  CHECK(inc::factor(10.0, -1.0, 4.0) == 0.25);
  // A larger painshare share never makes a provider accept more referrals (the episode has
  // a positive marginal cost): its stake, hence P(refuse), is nondecreasing in the share,
  // over target (pain, uncapped) and under it (gain).
  const pw::PathwaySpec spec = system_of_three();
  const inc::Position at = year_by_hand(spec);
  for (const double target : {5e5, 2e6}) {
    double last_stake = -1, last_factor = 0;
    for (int k = 0; k <= 20; ++k) {
      const double share = k / 20.0;
      const inc::Signals s = inc::signals(spec, 0, alliance_terms(share, target, std::nullopt), at);
      const double f = inc::factor(1.5, s.stake[kGate][1], 4.0);
      INFO("target " << target << ", share " << share);
      CHECK(s.stake[kGate][1] >= last_stake);
      CHECK(f >= last_factor);
      last_stake = s.stake[kGate][1];
      last_factor = f;
    }
    CHECK(last_stake == Approx(0.5).epsilon(1e-9));
  }
}

namespace {
bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
void check_identical(const pw::PathwayResult& x, const pw::PathwayResult& y) {
  REQUIRE(x.arms.size() == y.arms.size());
  for (std::size_t a = 0; a < x.arms.size(); ++a) {
    CHECK(same_bytes(x.arms[a].activity, y.arms[a].activity));
    CHECK(same_bytes(x.arms[a].cost, y.arms[a].cost));
    CHECK(same_bytes(x.arms[a].system, y.arms[a].system));
    CHECK(same_bytes(x.arms[a].service, y.arms[a].service));
    CHECK(same_bytes(x.arms[a].monthly, y.arms[a].monthly));
    CHECK(x.arms[a].events == y.arms[a].events);
  }
}
// The system of three with behaviour to respond: gatekeeping, diversion back to the front
// door's own support, and slow step-down, under block contracts.
pw::PathwaySpec responsive() {
  pw::PathwaySpec spec = system_of_three();
  spec.years = 2;
  spec.arms[0] = mhsim::test::arm(spec, "arm");
  spec.arms[0].gatekeeping = 0.2;
  spec.arms[0].front_door_diversion = 0.1;
  spec.arms[0].step_down_speed = 0.8;
  spec.services[0].routes = {pw::Route{1, 0.5}, pw::Route{2, 0.1}, pw::Route{pw::kDischarge, 0.4}};
  return spec;
}
std::vector<std::vector<inc::Signals>> priced(const pw::PathwaySpec& spec, const ct::Terms& terms,
                                               const pw::PathwayResult& pilot) {
  const ct::LedgerShape shape = ct::ledger_shape(spec);
  std::vector<std::vector<inc::Signals>> out(1);
  for (std::size_t y = 0; y < 2; ++y) {
    out[0].push_back(inc::signals(spec, 0, terms, inc::mean_position(shape, {&pilot.arms[0]}, y)));
  }
  return out;
}
}  // namespace

TEST_CASE("Incentives: with every elasticity 0 the model's results are byte-identical to stated behaviour",
          "[models][incentives][reproducibility]") {
  const pw::PathwaySpec spec = responsive();
  REQUIRE(pw::check_spec(spec).empty());
  const pw::PathwayResult stated = pw::simulate_pathway(spec, RandomStreams{2112, 0});
  const ct::Terms terms{{block(0, 70000), block(1, 900000)}};
  const auto signals = priced(spec, terms, stated);
  REQUIRE(signals[0][0].stake[kGate][1] == Approx(1.0));

  inc::IncentiveSpec none;
  pw::PathwaySpec same = spec;
  inc::respond(same, signals, none);
  CHECK(same.arms[0].response.empty());
  check_identical(stated, pw::simulate_pathway(same, RandomStreams{2112, 0}));

  // Factors of exactly 1 everywhere (a response whose stakes are all 0) change nothing either.
  pw::PathwaySpec ones = spec;
  ones.arms[0].response.gatekeeping.assign(3, pw::ByYear(1.0));
  ones.arms[0].response.step_down.assign(3, pw::ByYear(1.0));
  ones.arms[0].response.diversion.assign(9, pw::ByYear(1.0));
  REQUIRE(pw::check_spec(ones).empty());
  check_identical(stated, pw::simulate_pathway(ones, RandomStreams{2112, 0}));

  // A responding block provider refuses more, steps down sooner, and (bearing none of the
  // CMHT's cost, none of the front door's) the front door diverts as stated.
  inc::IncentiveSpec how;
  how.elasticity = {1.0, 1.0, 1.0};
  pw::PathwaySpec moved = spec;
  inc::respond(moved, signals, how);
  REQUIRE(pw::check_spec(moved).empty());
  CHECK(moved.arms[0].response.gatekeeping[1].in_year(0) == Approx(std::exp(1.0)));
  CHECK(moved.arms[0].response.step_down[2].in_year(1) == Approx(std::exp(1.0)));
  CHECK(moved.arms[0].response.diversion[0 * 3 + 1].in_year(0) == 1.0);
  const pw::PathwayResult r = pw::simulate_pathway(moved, RandomStreams{2112, 0});
  using mhsim::models::ledger::SystemKpi;
  CHECK(r.arms[0].sys(0, SystemKpi::kGatekeptRefusals) > stated.arms[0].sys(0, SystemKpi::kGatekeptRefusals));
  CHECK(r.arms[0].arrived == stated.arms[0].arrived);
  CHECK(r.arms[0].arrived == r.arms[0].exited + r.arms[0].in_system);  // conservation

  // In an alliance of the two, the charity's front door shares a quarter of a CMHT episode's
  // cost (share 0.5, two members equally), so it diverts exp(0.25) times as often, on the
  // same people; and the trust, bearing a quarter too, refuses exp(0.25) times as often.
  const auto shared = priced(spec, alliance_terms(0.5, 5e6), stated);
  REQUIRE(shared[0][0].diversion[0 * 3 + 1] == Approx(0.25).epsilon(1e-6));
  pw::PathwaySpec allied = spec;
  inc::respond(allied, shared, how);
  CHECK(allied.arms[0].response.diversion[0 * 3 + 1].in_year(0) == Approx(std::exp(0.25)).epsilon(1e-6));
  CHECK(allied.arms[0].response.diversion[1 * 3 + 0].in_year(0) == 1.0);  // (cmht, front door): no such decision
  const pw::PathwayResult a = pw::simulate_pathway(allied, RandomStreams{2112, 0});
  CHECK(a.arms[0].sys(0, SystemKpi::kDiverted) > 1.1 * stated.arms[0].sys(0, SystemKpi::kDiverted));
  CHECK(a.arms[0].arrived == a.arms[0].exited + a.arms[0].in_system);
}
