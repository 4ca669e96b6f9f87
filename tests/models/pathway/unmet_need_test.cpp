// SPDX-License-Identifier: MIT
// Need without a service (issue 14), the pure part: unmet_rates and choose_unmet_event
// (models/pathway/unmet_need.hpp) against hazards and draws worked out by hand beside each
// test; and the system KPI name table (models/ledger/ledger.hpp) the new KPIs were added to.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/ledger/ledger.hpp"
#include "models/pathway/pathway.hpp"
#include "models/pathway/unmet_need.hpp"

namespace pw = mhsim::models::pathway;
namespace ledger = mhsim::models::ledger;
using pw::UnmetEvent;

namespace {

// The services of every case here, by index.
constexpr std::size_t kCmht = 0;        // community team: crisis 0.7 a year in an episode, crisis_to kCrisisTeam
constexpr std::size_t kCrisisTeam = 1;  // crisis team: no crisis hazard, no crisis_to
constexpr std::size_t kAe = 2;          // presentation service
constexpr std::size_t k111 = 3;         // presentation service
constexpr std::size_t kOther = 4;       // not a presentation service
constexpr double kCmhtCrisis = 0.7;

std::vector<pw::ServiceSpec> services() {
  std::vector<pw::ServiceSpec> s(5);
  s[kCmht].name = "cmht";
  s[kCmht].kind = pw::ServiceKind::kCmht;
  s[kCmht].crisis_per_year = kCmhtCrisis;
  s[kCmht].crisis_to = kCrisisTeam;
  s[kCrisisTeam].name = "crisis";
  s[kCrisisTeam].kind = pw::ServiceKind::kCrisis;
  s[kAe].name = "ae";
  s[kAe].kind = pw::ServiceKind::kPresentation;
  s[k111].name = "nhs_111";
  s[k111].kind = pw::ServiceKind::kPresentation;
  s[kOther].name = "other";
  s[kOther].kind = pw::ServiceKind::kOther;
  return s;
}

// The worked example: crisis 0.2 (to the crisis team), presentations A&E 0.5 and NHS 111
// 1.0, re-presentation 0.4, deterioration 1.0, remission 0.3, deteriorated_risk 2.
pw::UnmetNeed example() {
  pw::UnmetNeed u;
  u.crisis_per_year = 0.2;
  u.crisis_to = kCrisisTeam;
  u.presentations = {0.0, 0.0, 0.5, 1.0, 0.0};
  u.represent_per_year = 0.4;
  u.deteriorate_per_year = 1.0;
  u.remit_per_year = 0.3;
  u.deteriorated_risk = 2.0;
  return u;
}

// A variant whose hazards are dyadic (risk multiplier 1), so u x total and every subtraction
// in choose_unmet_event are exact and boundaries can be hit exactly:
//   crisis 0.25, A&E 0.5, NHS 111 1.0, re-presentation 0.5, deterioration 1.0, remission 0.75
//   total 4, so u = x / 4 with x on the cumulative scale
//   crisis [0, 0.25)  A&E [0.25, 0.75)  111 [0.75, 1.75)  represent [1.75, 2.25)
//   deteriorate [2.25, 3.25)  remit [3.25, 4)
//   in u: 0 | 0.0625 | 0.1875 | 0.4375 | 0.5625 | 0.8125 | 1
pw::UnmetNeed dyadic() {
  pw::UnmetNeed u;
  u.crisis_per_year = 0.25;
  u.crisis_to = kCrisisTeam;
  u.presentations = {0.0, 0.0, 0.5, 1.0};
  u.represent_per_year = 0.5;
  u.deteriorate_per_year = 1.0;
  u.remit_per_year = 0.75;
  u.deteriorated_risk = 2.0;
  return u;
}

double below(double x) { return std::nextafter(x, 0.0); }

constexpr double kTight = 1e-12;

}  // namespace

TEST_CASE("Unmet need: the hazards of the worked example, computed by hand", "[models][pathway][unmet]") {
  // Risk multiplier 1.5, need: the community team (its own crisis hazard is not used: the
  // group has one). Not deteriorated, not waiting: multiplier m = 1.5
  //   crisis        0.2 x 1.5         = 0.3
  //   presentations (0.5 + 1.0) x 1.5 = 2.25
  //   represent     0.4 (not x m)     = 0.4
  //   deteriorate   1.0 (not x m)     = 1.0
  //   remit         0.3 (not x m)     = 0.3
  //   total                           = 4.25
  const auto svc = services();
  const pw::UnmetNeed u = example();
  const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.5, false, false);
  CHECK(r.multiplier == 1.5);
  CHECK(r.crisis_to == kCrisisTeam);
  CHECK(r.crisis == Approx(0.3).epsilon(kTight));
  CHECK(r.presentations == Approx(2.25).epsilon(kTight));
  CHECK(r.represent == 0.4);
  CHECK(r.deteriorate == 1.0);
  CHECK(r.remit == 0.3);
  CHECK(r.total() == Approx(4.25).epsilon(kTight));

  SECTION("waiting: no re-presentation (they are already referred), everything else unchanged") {
    // total 4.25 - 0.4 = 3.85
    const pw::UnmetRates w = pw::unmet_rates(u, svc, kCmht, 1.5, false, true);
    CHECK(w.represent == 0.0);
    CHECK(w.crisis == r.crisis);
    CHECK(w.presentations == r.presentations);
    CHECK(w.deteriorate == r.deteriorate);
    CHECK(w.remit == r.remit);
    CHECK(w.multiplier == r.multiplier);
    CHECK(w.crisis_to == r.crisis_to);
    CHECK(w.total() == Approx(3.85).epsilon(kTight));
  }
  SECTION("deteriorated: no second deterioration; crisis and presentations x deteriorated_risk 2") {
    // m = 1.5 x 2 = 3: crisis 0.2 x 3 = 0.6, presentations 1.5 x 3 = 4.5, represent 0.4,
    // deteriorate 0, remit 0.3; total 5.8
    const pw::UnmetRates d = pw::unmet_rates(u, svc, kCmht, 1.5, true, false);
    CHECK(d.multiplier == 3.0);
    CHECK(d.crisis == Approx(0.6).epsilon(kTight));
    CHECK(d.crisis == Approx(2.0 * r.crisis).epsilon(kTight));
    CHECK(d.presentations == Approx(4.5).epsilon(kTight));
    CHECK(d.presentations == Approx(2.0 * r.presentations).epsilon(kTight));
    CHECK(d.represent == 0.4);
    CHECK(d.deteriorate == 0.0);
    CHECK(d.remit == 0.3);
    CHECK(d.total() == Approx(5.8).epsilon(kTight));
  }
  SECTION("deteriorated and waiting: both at once") {
    // 0.6 + 4.5 + 0 + 0 + 0.3 = 5.4
    const pw::UnmetRates dw = pw::unmet_rates(u, svc, kCmht, 1.5, true, true);
    CHECK(dw.represent == 0.0);
    CHECK(dw.deteriorate == 0.0);
    CHECK(dw.total() == Approx(5.4).epsilon(kTight));
  }
  SECTION("the risk multiplier scales crisis and presentations only") {
    // m = 1: crisis 0.2, presentations 1.5, represent 0.4, deteriorate 1, remit 0.3; total 3.4
    const pw::UnmetRates one = pw::unmet_rates(u, svc, kCmht, 1.0, false, false);
    CHECK(one.crisis == 0.2);
    CHECK(one.presentations == 1.5);
    CHECK(one.total() == Approx(3.4).epsilon(kTight));
    // m = 0 (risk 0): only the unscaled hazards remain: 0.4 + 1.0 + 0.3 = 1.7
    const pw::UnmetRates zero = pw::unmet_rates(u, svc, kCmht, 0.0, false, false);
    CHECK(zero.crisis == 0.0);
    CHECK(zero.presentations == 0.0);
    CHECK(zero.total() == Approx(1.7).epsilon(kTight));
  }
}

TEST_CASE("Unmet need: without a crisis hazard of its own a group takes the needed service's", "[models][pathway][unmet]") {
  const auto svc = services();
  pw::UnmetNeed u = example();

  SECTION("no crisis_per_year and no crisis_to: the community team's 0.7 a year, to its crisis_to") {
    u.crisis_per_year.reset();
    u.crisis_to = pw::kDischarge;
    const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.5, false, false);
    CHECK(r.crisis_to == kCrisisTeam);
    CHECK(r.crisis == Approx(kCmhtCrisis * 1.5).epsilon(kTight));  // 1.05
    // Deteriorated: 0.7 x 1.5 x 2 = 2.1
    CHECK(pw::unmet_rates(u, svc, kCmht, 1.5, true, false).crisis == Approx(2.1).epsilon(kTight));
  }
  SECTION("no crisis_per_year, crisis_to written: the service's hazard, the group's destination") {
    u.crisis_per_year.reset();
    u.crisis_to = kOther;
    const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.5, false, false);
    CHECK(r.crisis_to == kOther);
    CHECK(r.crisis == Approx(1.05).epsilon(kTight));
  }
  SECTION("crisis_per_year written, no crisis_to: the group's hazard, the service's destination") {
    // (check_spec and the scenario loader require crisis_to with a written rate; the pure
    // function still takes the needed service's destination.)
    u.crisis_to = pw::kDischarge;
    const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.5, false, false);
    CHECK(r.crisis_to == kCrisisTeam);
    CHECK(r.crisis == Approx(0.3).epsilon(kTight));
  }
  SECTION("crisis_per_year written as 0: no crisis, not the service's hazard") {
    u.crisis_per_year = 0.0;
    const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.5, false, false);
    CHECK(r.crisis == 0.0);
    CHECK(r.crisis_to == kCrisisTeam);
    CHECK(r.total() == Approx(4.25 - 0.3).epsilon(kTight));
  }
  SECTION("nowhere to send a crisis: hazard 0 whatever the written rate") {
    u.crisis_to = pw::kDischarge;
    // No particular need (never referred, left unserved): no service to take a destination from.
    pw::UnmetRates r = pw::unmet_rates(u, svc, pw::kDischarge, 1.5, false, false);
    CHECK(r.crisis_to == pw::kDischarge);
    CHECK(r.crisis == 0.0);
    CHECK(r.total() == Approx(2.25 + 0.4 + 1.0 + 0.3).epsilon(kTight));
    // The needed service has no crisis_to either (the crisis team).
    r = pw::unmet_rates(u, svc, kCrisisTeam, 1.5, false, false);
    CHECK(r.crisis_to == pw::kDischarge);
    CHECK(r.crisis == 0.0);
    // A need index past the services is no service.
    r = pw::unmet_rates(u, svc, 99, 1.5, false, false);
    CHECK(r.crisis_to == pw::kDischarge);
    CHECK(r.crisis == 0.0);
    // And with no rate either: the fallback to a service without one is 0 too.
    u.crisis_per_year.reset();
    r = pw::unmet_rates(u, svc, kCrisisTeam, 1.5, false, false);
    CHECK(r.crisis == 0.0);
  }
  SECTION("no particular need, group destination written: the group's rate only") {
    const pw::UnmetRates r = pw::unmet_rates(u, svc, pw::kDischarge, 1.5, false, false);
    CHECK(r.crisis_to == kCrisisTeam);
    CHECK(r.crisis == Approx(0.3).epsilon(kTight));
    u.crisis_per_year.reset();  // ... and without a rate: 0 (no needed service to take one from)
    CHECK(pw::unmet_rates(u, svc, pw::kDischarge, 1.5, false, false).crisis == 0.0);
  }
}

TEST_CASE("Unmet need: presentations count only at presentation services that exist", "[models][pathway][unmet]") {
  // 5 a year at the community team and 7 at "other" (not presentation services: check_spec
  // rejects them; the pure function ignores them), 9 at an index past the services: only
  // A&E 0.5 + NHS 111 1.0 = 1.5 count, x m 2 = 3.
  const auto svc = services();
  pw::UnmetNeed u = example();
  u.presentations = {5.0, 0.0, 0.5, 1.0, 7.0, 9.0};
  const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 2.0, false, false);
  CHECK(r.presentations == 3.0);
  for (const double x : {0.0, 0.1, 0.3, 0.6, 0.9, 0.999}) {
    const pw::UnmetChoice c = pw::choose_unmet_event(r, u, svc, x);
    if (c.event == UnmetEvent::kPresentation) {
      CHECK((c.service == kAe || c.service == k111));
    }
  }
  // No presentations written at all: 0.
  u.presentations.clear();
  CHECK(pw::unmet_rates(u, svc, kCmht, 2.0, false, false).presentations == 0.0);
}

TEST_CASE("Unmet need: a draw u picks each event on its share of the total, boundaries exact", "[models][pathway][unmet]") {
  // The dyadic variant (see dyadic()): boundaries in u at 0.0625, 0.1875, 0.4375, 0.5625,
  // 0.8125. At a boundary the later event is picked (intervals are closed on the left); just
  // below it (the next double down), the earlier one.
  const auto svc = services();
  const pw::UnmetNeed u = dyadic();
  const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.0, false, false);
  REQUIRE(r.total() == 4.0);
  REQUIRE(r.crisis == 0.25);
  REQUIRE(r.presentations == 1.5);

  struct Case {
    double u;
    UnmetEvent event;
    std::size_t service;
  };
  const std::vector<Case> cases = {
      {0.0, UnmetEvent::kCrisis, pw::kDischarge},
      {below(0.0625), UnmetEvent::kCrisis, pw::kDischarge},
      {0.0625, UnmetEvent::kPresentation, kAe},
      {0.125, UnmetEvent::kPresentation, kAe},
      {below(0.1875), UnmetEvent::kPresentation, kAe},
      {0.1875, UnmetEvent::kPresentation, k111},
      {0.3, UnmetEvent::kPresentation, k111},
      {below(0.4375), UnmetEvent::kPresentation, k111},
      {0.4375, UnmetEvent::kRepresent, pw::kDischarge},
      {below(0.5625), UnmetEvent::kRepresent, pw::kDischarge},
      {0.5625, UnmetEvent::kDeteriorate, pw::kDischarge},
      {below(0.8125), UnmetEvent::kDeteriorate, pw::kDischarge},
      {0.8125, UnmetEvent::kRemit, pw::kDischarge},
      {below(1.0), UnmetEvent::kRemit, pw::kDischarge},
  };
  for (const Case& k : cases) {
    const pw::UnmetChoice c = pw::choose_unmet_event(r, u, svc, k.u);
    INFO("u = " << k.u);
    CHECK(c.event == k.event);
    CHECK(c.service == k.service);
    if (c.event != UnmetEvent::kRepresent) CHECK(c.u == 0.0);
  }
}

TEST_CASE("Unmet need: the re-presentation branch hands on a fresh uniform x / represent", "[models][pathway][unmet]") {
  // Re-presentation covers x in [1.75, 2.25) (u in [0.4375, 0.5625)), width 0.5. With
  // u = 0.4375 + k / 64, x = 1.75 + k / 16, so the offset into the branch is k / 16 and the
  // fresh uniform (offset / 0.5) is k / 8, exactly.
  const auto svc = services();
  const pw::UnmetNeed u = dyadic();
  const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.0, false, false);
  for (int k = 0; k < 8; ++k) {
    const double draw = 0.4375 + k / 64.0;
    const pw::UnmetChoice c = pw::choose_unmet_event(r, u, svc, draw);
    INFO("k = " << k);
    REQUIRE(c.event == UnmetEvent::kRepresent);
    CHECK(c.u == k / 8.0);
  }
  // At the top of the branch the fresh uniform stays below 1: (0.5 - 2^-51) / 0.5 = 1 - 2^-50.
  const pw::UnmetChoice top = pw::choose_unmet_event(r, u, svc, below(0.5625));
  REQUIRE(top.event == UnmetEvent::kRepresent);
  CHECK(top.u < 1.0);
  CHECK(top.u == 1.0 - std::ldexp(1.0, -50));
}

TEST_CASE("Unmet need: once deteriorated, the A&E / 111 split is of the multiplied hazards", "[models][pathway][unmet]") {
  // Dyadic hazards, deteriorated, m = 2: crisis 0.5, A&E 1.0, 111 2.0, represent 0.5,
  // deteriorate 0, remit 0.75; total 4.75. Cumulative: crisis [0, 0.5), A&E [0.5, 1.5),
  // 111 [1.5, 3.5), represent [3.5, 4), remit [4, 4.75). At x = 1.25 it is A&E (a split that
  // forgot the multiplier, A&E [0.5, 1.0), would say 111); x = 4.5 remits (never deteriorates).
  const auto svc = services();
  const pw::UnmetNeed u = dyadic();
  const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.0, true, false);
  REQUIRE(r.total() == 4.75);
  const auto at = [&](double x) { return pw::choose_unmet_event(r, u, svc, x / 4.75); };
  CHECK(at(0.25).event == UnmetEvent::kCrisis);
  CHECK(at(1.25).event == UnmetEvent::kPresentation);
  CHECK(at(1.25).service == kAe);
  CHECK(at(1.75).service == k111);
  CHECK(at(3.25).service == k111);
  CHECK(at(3.75).event == UnmetEvent::kRepresent);
  CHECK(at(3.75).u == Approx(0.5).epsilon(1e-9));
  CHECK(at(4.5).event == UnmetEvent::kRemit);
}

TEST_CASE("Unmet need: a presentation service without a hazard is never picked, and rounding goes to the last with one",
          "[models][pathway][unmet]") {
  const auto svc = services();
  SECTION("A&E 0: every presentation is at NHS 111") {
    pw::UnmetNeed u = dyadic();
    u.presentations = {0.0, 0.0, 0.0, 1.0};
    // crisis [0, 0.25), 111 [0.25, 1.25), represent [1.25, 1.75), deteriorate [1.75, 2.75),
    // remit [2.75, 3.5): total 3.5
    const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.0, false, false);
    REQUIRE(r.total() == 3.5);
    for (const double x : {0.25, 0.5, 1.0, below(1.25)}) {
      const pw::UnmetChoice c = pw::choose_unmet_event(r, u, svc, x / 3.5);
      INFO("x = " << x);
      CHECK(c.event == UnmetEvent::kPresentation);
      CHECK(c.service == k111);
    }
  }
  SECTION("u at the very top (which u x total can reach by rounding) with no remission hazard") {
    // Waiting, deteriorated, no remission: only crisis and presentations have hazards. The
    // top of the range must go to the last event with one (NHS 111), never to remission.
    pw::UnmetNeed u = dyadic();
    u.remit_per_year = 0.0;
    const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.0, true, true);
    REQUIRE(r.remit == 0.0);
    REQUIRE(r.deteriorate == 0.0);
    REQUIRE(r.represent == 0.0);
    pw::UnmetChoice c = pw::choose_unmet_event(r, u, svc, 1.0);
    CHECK(c.event == UnmetEvent::kPresentation);
    CHECK(c.service == k111);
    // Only a crisis hazard: the top is a crisis.
    u.presentations.clear();
    const pw::UnmetRates only_crisis = pw::unmet_rates(u, svc, kCmht, 1.0, true, true);
    c = pw::choose_unmet_event(only_crisis, u, svc, 1.0);
    CHECK(c.event == UnmetEvent::kCrisis);
    // With deterioration still to come, the top deteriorates.
    const pw::UnmetRates not_yet = pw::unmet_rates(u, svc, kCmht, 1.0, false, true);
    CHECK(pw::choose_unmet_event(not_yet, u, svc, 1.0).event == UnmetEvent::kDeteriorate);
    // With a remission hazard the top remits (the last interval).
    const pw::UnmetRates full = pw::unmet_rates(dyadic(), svc, kCmht, 1.0, false, false);
    CHECK(pw::choose_unmet_event(full, dyadic(), svc, 1.0).event == UnmetEvent::kRemit);
  }
}

TEST_CASE("Unmet need: picked in proportion to the hazards over a fine grid of u", "[models][pathway][unmet]") {
  // u on the midpoints of 100,000 equal cells of [0, 1) (no randomness): each event's share
  // is its hazard / total to within one cell (1e-5). The worked example, m = 1.5:
  // crisis 0.3, A&E 0.75, 111 1.5, represent 0.4, deteriorate 1.0, remit 0.3 of 4.25.
  const auto svc = services();
  const pw::UnmetNeed u = example();
  const pw::UnmetRates r = pw::unmet_rates(u, svc, kCmht, 1.5, false, false);
  constexpr int kCells = 100000;
  double crisis = 0, ae = 0, nhs111 = 0, represent = 0, deteriorate = 0, remit = 0;
  for (int k = 0; k < kCells; ++k) {
    const pw::UnmetChoice c = pw::choose_unmet_event(r, u, svc, (k + 0.5) / kCells);
    switch (c.event) {
      case UnmetEvent::kCrisis: crisis += 1; break;
      case UnmetEvent::kPresentation: (c.service == kAe ? ae : nhs111) += 1; break;
      case UnmetEvent::kRepresent: represent += 1; break;
      case UnmetEvent::kDeteriorate: deteriorate += 1; break;
      case UnmetEvent::kRemit: remit += 1; break;
    }
  }
  const double n = kCells, tol = 2.0 / kCells;
  CHECK(std::fabs(crisis / n - 0.3 / 4.25) <= tol);
  CHECK(std::fabs(ae / n - 0.75 / 4.25) <= tol);
  CHECK(std::fabs(nhs111 / n - 1.5 / 4.25) <= tol);
  CHECK(std::fabs(represent / n - 0.4 / 4.25) <= tol);
  CHECK(std::fabs(deteriorate / n - 1.0 / 4.25) <= tol);
  CHECK(std::fabs(remit / n - 0.3 / 4.25) <= tol);
}

TEST_CASE("Ledger: every system and service KPI has a unique, non-empty name, a unit and a doc", "[models][ledger][unmet]") {
  std::set<std::string_view> names;
  for (std::size_t k = 0; k < ledger::kSystemKpis; ++k) {
    const ledger::KpiInfo& info = ledger::system_kpis()[k];
    INFO("system KPI " << k << " \"" << std::string(info.name) << "\"");
    CHECK_FALSE(info.name.empty());
    CHECK_FALSE(info.unit.empty());
    CHECK_FALSE(info.doc.empty());
    CHECK(names.insert(info.name).second);
  }
  CHECK(names.size() == ledger::kSystemKpis);
  std::set<std::string_view> service_names;
  for (std::size_t k = 0; k < ledger::kServiceKpis; ++k) {
    const ledger::KpiInfo& info = ledger::service_kpis()[k];
    INFO("service KPI " << k << " \"" << std::string(info.name) << "\"");
    CHECK_FALSE(info.name.empty());
    CHECK_FALSE(info.unit.empty());
    CHECK(service_names.insert(info.name).second);
  }
  // The issue-14 KPIs sit at their enum positions (the table is in dataset column order).
  using K = ledger::SystemKpi;
  const auto name = [](K k) { return ledger::system_kpis()[static_cast<std::size_t>(k)].name; };
  CHECK(name(K::kCrises) == "crises");
  CHECK(name(K::kCrisesOutside) == "crises_outside_services");
  CHECK(name(K::kPresentations) == "presentations");
  CHECK(name(K::kRepresentations) == "represented");
  CHECK(name(K::kDeteriorations) == "deteriorated");
  CHECK(name(K::kRemitted) == "remitted");
  CHECK(name(K::kUntreatedPersonYears) == "untreated_person_years");
  CHECK(name(K::kUntreatedAtYearEnd) == "untreated_at_year_end");
  CHECK(name(K::kPresentationCost) == "presentation_cost");
  CHECK(name(K::kCost) == "cost");
}
