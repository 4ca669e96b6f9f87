// SPDX-License-Identifier: MIT
#pragma once
// The keys of a pathway scenario's need groups, partners, services, arms, starting caseload
// and outcomes: each declared once, beside the structs of models/pathway/pathway.hpp
// (models/schema/schema.hpp says how). models/scenario reads, checks, sets and documents
// them from these declarations; scenarios/KEYS.md is generated from them.

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/pathway/pathway.hpp"
#include "models/pathway/progress.hpp"
#include "models/schema/limits.hpp"
#include "models/schema/schema.hpp"

namespace mhsim::models::pathway {

inline constexpr std::array<std::string_view, 2> kDisciplineNames = {"fifo", "priority"};
inline constexpr std::array<std::string_view, 9> kPartnerKindNames = {
    "nhs_trust", "vcse", "user_led", "gp_practices", "local_authority", "commissioner", "ambulance_service", "police",
    "other"};
inline constexpr std::array<std::string_view, 2> kRemainingNames = {"uniform", "stationary"};

template <class V>
void describe_change(V& v, ScoreChange& c);

template <class V>
void describe(V& v, UnmetNeed& u) {
  using namespace schema;
  v(number("crisis_per_year", u.crisis_per_year).range(0, 1000).unit("per year")
        .otherwise("the needed service's crisis_per_year (0 for people who need no service in particular)")
        .doc("Hazard of a crisis while waiting or with unmet need (times the person's risk multiplier, and "
             "deteriorated_risk once deteriorated): the person leaves any waiting list and is referred to crisis_to."));
  v(reference("crisis_to", u.crisis_to, "services", "service").otherwise("the needed service's crisis_to")
        .doc("Where such a crisis sends the person (required when crisis_per_year > 0)."));
  v(map("presentations", u.presentations, "services", "service").otherwise("none")
        .doc("Presentations a year at services of kind \"presentation\" (A&E, NHS 111, 999, police, crisis lines): "
             "`{ ae = 0.56, nhs_111 = 0.66 }`, each times the risk multiplier (and deteriorated_risk). Each is one "
             "contact there, at its cost_per_contact, on its partner's ledger."),
    [&](V& w, double& x, std::string_view service) {
      w(number(service, x).range(0, 1000).unit("per year").otherwise("0")
            .doc("Presentations a year at that service while waiting or with unmet need."));
    });
  v(number("represent_per_year", u.represent_per_year).range(0, 1000).unit("per year").otherwise("0")
        .doc("Hazard of seeking help again (people outside services, not those waiting): they are referred through "
             "represent_to."));
  v(routes("represent_to", u.represent_to, "services", "service").exit("discharge").unit("probability")
        .otherwise("the arm's entry routes for the group")
        .doc("Where re-presentation takes people: `{ gp = 0.7, front_door = 0.3 }`; an arm's redirect applies."));
  v(number("deteriorate_per_year", u.deteriorate_per_year).range(0, 1000).unit("per year").otherwise("0")
        .doc("Hazard of deteriorating (once per spell without a service): P(deteriorated after t years untreated) "
             "= 1 - exp(-rate t)."));
  v(table("deterioration", u.deterioration).otherwise("{ mean = 0, sd = 0 }")
        .doc("WEMWBS change when someone deteriorates (normal, applied once)."),
    [&](V& w, ScoreChange& c) { describe_change(w, c); });
  v(number("deteriorated_risk", u.deteriorated_risk).range(0, 1000).otherwise("1")
        .doc("Multiplier of the crisis and presentation hazards once deteriorated, until the next episode starts."));
  v(number("remit_per_year", u.remit_per_year).range(0, 1000).unit("per year").otherwise("0")
        .doc("Hazard that the need resolves without treatment: the person leaves the system (KPI remitted)."));
  v(table("remission", u.remission).otherwise("{ mean = 0, sd = 0 }")
        .doc("WEMWBS change at remission (normal, applied once)."),
    [&](V& w, ScoreChange& c) { describe_change(w, c); });
  v.check([&](auto& c) {
    if (u.crisis_per_year.value_or(0.0) > 0.0 && !c.present("crisis_to")) {
      c.error("crisis_to",
              "the name of a service (required when crisis_per_year > 0; one of " + c.names("services") + ")",
              "nothing (the key is missing)");
    }
  });
}

template <class V>
void describe(V& v, NeedGroup& g) {
  using namespace schema;
  v(number("rate_per_1000_per_year", g.rate_per_1000_per_year).range(0, 1e6).unit("per 1,000 people per year").required()
        .doc("New arrivals of this group (a Poisson process, times the month's multiplier)."));
  v(numbers("monthly_multiplier", g.monthly_multiplier).range(0, 100).otherwise("all 1")
        .size(12, "an array of exactly 12 numbers (one per month, January first)")
        .doc("Seasonality: exactly 12 multipliers of the rate, January first (mean about 1)."));
  v(number("trend_per_year", g.trend_per_year).range(-0.5, 1).unit("per year").otherwise("0")
        .doc("Demand over time: the rate grows continuously by this a year, x (1 + trend)^(day / 365) (e.g. a "
             "population projection)."));
  v(tables("rate_changes", g.rate_changes).otherwise("none")
        .doc("Steps and shocks: `rate_changes = [ { from_day = 365, multiplier = 1.2 }, { from_day = 400, to_day = "
             "490, multiplier = 1.5 } ]` multiply the rate from from_day (until to_day, for a temporary shock); "
             "overlapping changes multiply."),
    [&](V& w, RateChange& c, std::size_t) {
      w(number("from_day", c.from_day).range(0, 1e6).unit("days").required()
            .doc("The day (from the start of the run) the change takes effect."));
      w(number("to_day", c.to_day).range(0, 1e6).unit("days").otherwise("none (a permanent step)")
            .doc("The day the change ends (a temporary shock); after from_day."));
      w(number("multiplier", c.multiplier).range(0, 100).required().doc("What the rate is multiplied by meanwhile."));
      w.check([&](auto& k) {
        if (k.present("to_day") && k.ok("to_day") && k.ok("from_day") && !(c.to_day > c.from_day)) {
          k.error("to_day", "a day after from_day (" + k.number(c.from_day) + ")", k.written("to_day"));
        }
      });
    });
  v(table("risk").otherwise("{ a = 1, b = 1 }")
        .doc("Each person's risk in [0, 1] ~ Beta(a, b): it scales crisis hazards and orders priority waiting lists."),
    [&](V& w) {
      w(number("a", g.risk_beta_a).range(0, 1e4).positive().otherwise("1").doc("First Beta shape parameter (> 0)."));
      w(number("b", g.risk_beta_b).range(0, 1e4).positive().otherwise("1").doc("Second Beta shape parameter (> 0)."));
    });
  v(number("wemwbs_mean", g.wemwbs_mean).range(14, 70).unit("WEMWBS points").otherwise("49.4")
        .doc("Mean baseline WEMWBS (normal, rounded and clamped to 14-70)."));
  v(number("wemwbs_sd", g.wemwbs_sd).range(0, 56).positive().unit("WEMWBS points").otherwise("8.96")
        .doc("Standard deviation of baseline WEMWBS (> 0)."));
  v(number("goals_mean", g.goals_mean).range(0, 50).unit("goals").otherwise("0")
        .doc("Mean number of SIOF goals a person sets (Poisson)."));
  v(map("goal_domain_weights", g.goal_domain_weights, "", "SIOF domain").choices(kSiofDomainNames).or_number()
        .range(0, 1e9).otherwise("all 1")
        .doc("Relative weights of the SIOF domains goals fall in: a number (every domain) or a table by domain, domains "
             "left out weighing 0; at least one > 0 when goals_mean > 0. Domains: mental_wellbeing, "
             "community_participation, social_networks, physical_health, education_training, volunteering, employment, "
             "finance."));
  v(number("death_per_year", g.death_per_year).range(0, 1000).unit("per year").otherwise("0")
        .doc("Hazard of death while in the system."));
  v(number("move_away_per_year", g.move_away_per_year).range(0, 1000).unit("per year").otherwise("0")
        .doc("Hazard of moving out of the catchment while in the system."));
  v(table("unmet", g.unmet).otherwise("the needed service's crisis hazard; nothing else")
        .doc("What happens to people of this group with need and no service: waiting, refused, lost at a hand-off, "
             "diverted without a service, dropped out or never referred (docs/pathway-model.md). Competing hazards "
             "per year; they stay in the population until a service takes them, they remit, die or move away."),
    [&](V& w, UnmetNeed& u) { describe(w, u); });
  v.check([&](auto& c) {
    bool any = false;
    for (const double w : g.goal_domain_weights) any = any || w > 0.0;
    if (g.goals_mean > 0.0 && !any && c.ok("goal_domain_weights")) {
      c.error("goal_domain_weights", "at least one weight > 0 (goals_mean is " + c.number(g.goals_mean) + ")",
              "every weight 0");
    }
  });
}

template <class V>
void describe(V& v, PartnerSpec& p) {
  using namespace schema;
  v(choice("kind", p.kind, kPartnerKindNames).required().doc("What the organisation is."));
  v(number("reserves", p.reserves).range(0, limits::kMaxMoney).unit("pounds").otherwise("none (not stated)")
        .vary(Vary::kAnalysis)
        .doc("What the partner holds against painshare over the analysed horizon (`analysis.horizon_years`): the "
             "analysis reports P(painshare > reserves). The simulation and settlement never read it, so it cannot be "
             "an uncertain parameter."));
}

template <class V>
void describe_change(V& v, ScoreChange& c) {
  using namespace schema;
  v(number("mean", c.mean).range(-56, 56).unit("WEMWBS points").otherwise("0").doc("Mean change."));
  v(number("sd", c.sd).range(0, 56).unit("WEMWBS points").otherwise("0").doc("Standard deviation of the change."));
}

template <class V>
void describe(V& v, ServiceSpec& s) {
  using namespace schema;
  v(choice("kind", s.kind, kServiceKindNames).required()
        .doc("What the service is, for KPIs and the arm's behaviour parameters."));
  v(reference("partner", s.partner, "partners", "partner").required()
        .doc("The partner that owns the service (a name under `[partners]`)."));
  v(integer("capacity", s.capacity).range(0, limits::kMaxServers).unit("slots").otherwise("0 (unlimited)")
        .doc("Caseload slots or beds; 0 = unlimited (nobody waits). Arms may override it."));
  v(choice("discipline", s.discipline, kDisciplineNames).otherwise("\"fifo\"")
        .doc("Who is seen next when a slot frees: first come first served, or higher risk first."));
  v(reference("overflow", s.overflow, "services", "service").otherwise("none (wait)")
        .doc("When full, referrals go at once to this service instead of waiting; it must have capacity 0 (unlimited) "
             "or an overflow of its own, and overflow chains must end."));
  v(distribution("duration", s.duration).unit("days").otherwise("none")
        .doc("Episode length. Give this or `sessions`, not both."));
  v(distribution("sessions", s.sessions).unit("sessions").otherwise("none")
        .doc("Sessions per episode (rounded, at least 1), `session_interval_days` apart. Give this or `duration`, not "
             "both."));
  v(number("session_interval_days", s.session_interval_days).range(0, 365).positive().unit("days").otherwise("7")
        .doc("Days between sessions (> 0)."));
  v(number("contacts_per_week", s.contacts_per_week).range(0, 100).unit("contacts per week").otherwise("0")
        .doc("Contacts during duration-based episodes."));
  v(number("dropout_probability", s.dropout_probability).range(0, 1).unit("probability").otherwise("0")
        .doc("Probability of leaving part-way (after a uniform fraction of the episode)."));
  v(number("recovery_probability", s.recovery_probability).range(0, 1).unit("probability").otherwise("0")
        .doc("Probability that someone who completes the episode recovers."));
  v(table("wemwbs_change", s.wemwbs_change).otherwise("{ mean = 0, sd = 0 }")
        .doc("WEMWBS change at completion, not recovered (normal, applied once)."),
    [&](V& w, ScoreChange& c) { describe_change(w, c); });
  v(table("wemwbs_change_recovered", s.wemwbs_change_recovered).otherwise("{ mean = 0, sd = 0 }")
        .doc("WEMWBS change at completion, recovered."),
    [&](V& w, ScoreChange& c) { describe_change(w, c); });
  v(number("cost_per_contact", s.cost_per_contact).range(0, 1e9).unit("pounds").otherwise("0")
        .doc("Unit cost per contact or session."));
  v(number("cost_per_day", s.cost_per_day).range(0, 1e9).unit("pounds").otherwise("0")
        .doc("Unit cost per occupied day (bed-day, placement day)."));
  v(number("cost_per_episode", s.cost_per_episode).range(0, 1e9).unit("pounds").otherwise("0")
        .doc("Unit cost per episode started."));
  v(number("annual_fixed_cost", s.annual_fixed_cost).range(0, 1e12).unit("pounds per year").otherwise("0")
        .doc("Fixed cost for each year the service exists in an arm; under a capacity schedule (`arms.<name>.capacity_changes`), pro rata to the capacity in force over the arm's own capacity."));
  v(map("cost_mix", s.cost_mix, "cost_categories", "cost category").range(0, 1).unit("fraction")
        .otherwise("none (unit costs do not inflate)")
        .entry_doc("The share of the service's unit costs in that category.")
        .doc("How the service's unit costs split among the cost categories, `{ pay = 0.7, non_pay = 0.3 }`, summing "
             "to 1: in year y (0-based) every unit cost is x sum_k share_k (1 + inflation_k)^y. Needs "
             "`[cost_categories.<name>]`."));
  v.check([&](auto& c) {
    if (!c.present("cost_mix") || !c.ok("cost_mix")) return;
    double sum = 0;
    for (const double x : s.cost_mix) sum += x;
    c.sums_to_one("cost_mix", "cost shares", sum);
  });
  v(number("crisis_per_year", s.crisis_per_year).range(0, 1000).unit("per year").otherwise("0")
        .doc("Hazard of a crisis during an episode (times the person's risk multiplier); a crisis ends the episode."));
  v(reference("crisis_to", s.crisis_to, "services", "service").otherwise("none")
        .doc("The service a crisis sends the person to (required when crisis_per_year > 0)."));
  v(number("relapse_per_year", s.relapse_per_year).range(0, 1000).unit("per year").otherwise("0")
        .doc("Hazard of relapse in follow-up after discharge from here."));
  v(reference("relapse_to", s.relapse_to, "services", "service").otherwise("none")
        .doc("The service a relapse sends the person to (required when relapse_per_year > 0)."));
  v(routes("routes", s.routes, "services", "service").exit("discharge").unit("probability")
        .otherwise("everyone is discharged")
        .doc("Where people go when the episode completes: `{ other_service = p, discharge = q }`; probabilities in "
             "[0, 1] summing to 1, drawn in the order written."));
  v(map("routes_by_group", s.routes_by_group, "groups", "need group").otherwise("none")
        .doc("Per need group overrides of `routes`: `[services.<name>.routes_by_group]` holding `<group> = { ... }`."),
    [&](V& w, std::optional<Routes>& r, std::string_view group) {
      w(routes(group, r, "services", "service").exit("discharge").unit("probability").otherwise("`routes`")
            .doc("Routes for people of that need group."));
    });
  v(reference("fallback", s.fallback, "services", "service").discharge().otherwise("\"discharge\"")
        .doc("Where referrals here go in arms without this service: another service or \"discharge\"; the chain must "
             "reach a service the arm has, or discharge."));
  v(boolean("gatekept", s.gatekept).otherwise("false").doc("Whether the arm's gatekeeping applies to referrals here."));
  v(reference("rejected_to", s.rejected_to, "services", "service").discharge().otherwise("\"discharge\"")
        .doc("Where a refused (gatekept) referral goes: a service or \"discharge\"."));
  v(table("staff", s.staff).otherwise("none (places fixed by capacity)")
        .doc("The service's staff: its places in force are round(capacity x (filled + agency_cover x vacant) / posts), "
             "and its annual_fixed_cost (the full establishment's staff cost a year) accrues at (filled + (1 + "
             "agency_premium) x agency_cover x vacant) / posts. Filled posts leave and vacancies are filled at random "
             "(exponential times), from the same random numbers in every arm. Needs a finite capacity in every arm "
             "that has the service."),
    [&](V& w, StaffSpec& st) {
      w(integer("posts", st.posts).range(1, 1000000).unit("posts").required().doc("Funded posts (whole-time equivalents)."));
      w(number("vacancy", st.vacancy).range(0, 1).unit("fraction").otherwise("0")
            .doc("The share of posts vacant at day 0, rounded to whole posts."));
      w(number("turnover_per_year", st.turnover_per_year).range(0, 10).unit("per year").otherwise("0")
            .doc("Leavers a year per filled post (each post leaves after an exponential time)."));
      w(number("recruitment_days", st.recruitment_days).range(0, 3650).positive().unit("days").otherwise("90")
            .doc("Mean time to fill a vacancy (exponential). With turnover t a year and recruitment r years, the "
                 "long-run vacancy is t r / (1 + t r)."));
      w(number("agency_cover", st.agency_cover).range(0, 1).unit("fraction").otherwise("0")
            .doc("The share of vacant posts covered by agency staff (they count as places)."));
      w(number("agency_premium", st.agency_premium).range(0, 10).unit("fraction").otherwise("0")
            .doc("What an agency-covered post costs over a substantive one: 0.6 = 60% more."));
    });
  v(table("goals", s.goals).otherwise("none").doc("SIOF goal dynamics; only for services of kind \"alliance_support\"."),
    [&](V& w, GoalDynamics& g) {
      const auto rates = [&](std::string_view key, std::array<double, kSiofDomains>& into, std::string_view doc) {
        w(map(key, into, "", "SIOF domain").choices(kSiofDomainNames).or_number().range(0, 1000).unit("per year")
              .otherwise("0").doc(doc));
      };
      rates("achieve_per_year", g.achieve_per_year,
            "Rate at which an open goal is achieved: a number (every domain) or a table by SIOF domain (domains left "
            "out: 0).");
      rates("close_per_year", g.close_per_year,
            "Rate at which an open goal is closed (withdrawn); number or table by domain.");
      rates("fail_per_year", g.fail_per_year,
            "Rate at which an open goal resolves as not achieved; number or table by domain.");
      rates("lapse_per_year", g.lapse_per_year,
            "Rate at which an achieved goal lapses (sustained if it lasts outcomes.goal_sustain_days); number or "
            "table by domain.");
      w(number("wemwbs_per_goal_achieved", g.wemwbs_per_goal_achieved).range(-56, 56).unit("WEMWBS points")
            .otherwise("0").doc("WEMWBS points added at discharge per goal achieved."));
      w(boolean("support_ends_with_goals", g.support_ends_with_goals).otherwise("false")
            .doc("Support lasts while goals are open: the episode ends when the person's last goal resolves, or at its "
                 "drawn duration (then a maximum) if that comes first; without goals, at the drawn duration."));
    });
  v.check([&](auto& c) {
    if (s.kind == ServiceKind::kPresentation) {
      // Presentations are contacts: no episode, no capacity, no onward routes.
      for (const std::string_view key : {"duration", "sessions", "capacity", "routes", "routes_by_group", "overflow",
                                         "crisis_per_year", "relapse_per_year", "gatekept"}) {
        if (c.present(key)) {
          c.error(key, "no " + std::string(key) + " (a service of kind \"presentation\" has contacts, not episodes)",
                  c.written(key));
        }
      }
    } else if (c.present("duration") && c.present("sessions")) {
      c.error("sessions", "either duration or sessions, not both", "both");
    } else if (!c.present("duration") && !c.present("sessions")) {
      c.error_here("an episode length: a \"duration\" or a \"sessions\" distribution", "neither");
    }
    const auto needs = [&](std::string_view rate_key, double rate, std::string_view to_key) {
      if (rate > 0.0 && !c.present(to_key)) {
        c.error(to_key,
                "the name of a service (required when " + std::string(rate_key) + " > 0; one of " +
                    c.names("services") + ")",
                "nothing (the key is missing)");
      }
    };
    needs("crisis_per_year", s.crisis_per_year, "crisis_to");
    needs("relapse_per_year", s.relapse_per_year, "relapse_to");
    if (c.present("goals") && c.ok("kind") && s.kind != ServiceKind::kAllianceSupport) {
      c.error("goals", "no goals table (goals are for services of kind \"alliance_support\")",
              "a goals table on a service of kind \"" + std::string(kind_name(s.kind)) + "\"");
    }
  });
}

template <class V>
void describe(V& v, ArmSpec& a) {
  using namespace schema;
  v(names("services", a.enabled, "services", "service").otherwise("every service")
        .doc("The services this arm has; referrals to the others follow their `fallback`."));
  v(map("capacity", a.capacity_override, "services", "service").otherwise("each service's own")
        .doc("Capacity overrides in this arm: `{ cmht = 500 }`."),
    [&](V& w, std::optional<std::int64_t>& x, std::string_view service) {
      w(integer(service, x).range(0, limits::kMaxServers).unit("slots").otherwise("the service's capacity")
            .doc("Capacity of that service in this arm (0 = unlimited)."));
    });
  const std::string in_arm = "in arm \"" + a.name + "\"";
  v(map("entry", a.entry, "groups", "need group").required().every()
        .doc("Where new arrivals go: one key per need group, every group required."),
    [&](V& w, Routes& r, std::string_view group) {
      w(routes(group, r, "services", "service").exit("discharge").only(a.enabled, in_arm).unit("probability").required()
            .doc("`{ service = p, ..., discharge = q }`: services this arm has, or \"discharge\" (not served); "
                 "probabilities summing to 1."));
    });
  v(by_year("gatekeeping", a.gatekeeping).range(0, 1).unit("probability").otherwise("0")
        .doc("P(refuse a referral to a gatekept service) = gatekeeping x that service's occupancy. A number (every "
             "year) or an array of numbers, one per simulated year from year 1, the last repeated for later years (at "
             "most run.years; element i is `arms.<name>.gatekeeping[i]`); the year of the referral applies."));
  v(by_year("handoff_loss", a.handoff_loss).range(0, 1).unit("probability").otherwise("0")
        .doc("Probability that a referral between services of different partners is lost. A number, or an array by "
             "simulated year as for `gatekeeping`; the year of the referral applies."));
  v(by_year("front_door_diversion", a.front_door_diversion).range(0, 1).unit("probability").otherwise("0")
        .doc("Probability that the front door keeps someone it would refer to secondary care. A number, or an array "
             "by simulated year as for `gatekeeping`; the year the front-door episode ends applies."));
  v(reference("diversion_to", a.diversion_to, "services", "service").discharge().otherwise("none")
        .doc("Where diverted people go: a service or \"discharge\" (required when front_door_diversion > 0 in any "
             "year)."));
  v(map("redirect", a.redirect, "services", "service").otherwise("none")
        .doc("A single point of access: `{ cmht = \"front_door\" }` sends referrals to a service from outside "
             "secondary care and the front door (primary care, new arrivals, relapses) to another service instead."),
    [&](V& w, std::size_t& to, std::string_view service) {
      w(reference(service, to, "services", "service").otherwise("none")
            .doc("The service that takes such referrals to `<service>` in this arm."));
    });
  v(by_year("step_down_speed", a.step_down_speed).range(0, 10).positive().otherwise("1")
        .doc("Long-term secondary-care episode lengths are divided by this (> 0). A number, or an array by simulated "
             "year as for `gatekeeping`; the year the episode starts applies."));
  v(tables("capacity_changes", a.capacity_changes).otherwise("none (each capacity fixed for the run)")
        .doc("Capacity schedules in this arm: `capacity_changes = [ { service = \"rehab\", day = 365, capacity = 30 }, "
             "{ service = \"rehab\", day = 548, capacity = 0, when_reduced = \"transfer\", transfer_to = "
             "\"placement\" } ]` (opening, phased decommissioning, closing). Applied at their days, after the "
             "starting caseload is placed; a rise starts the waiting list's episodes at once."),
    [&](V& w, CapacityChange& c, std::size_t) {
      w(reference("service", c.service, "services", "service").required()
            .doc("The service whose capacity changes: one this arm has, with a finite capacity in it (not 0, "
                 "unlimited)."));
      w(number("day", c.day).range(0, 1e6).unit("days").required()
            .doc("The day (from the start of the run) the new capacity applies."));
      w(integer("capacity", c.capacity).range(0, limits::kMaxServers).unit("slots").required()
            .doc("The capacity from that day; 0 closes the service (nobody starts; its waiting list waits)."));
      w(choice("when_reduced", c.excess, kExcessNames).otherwise("\"finish\"")
            .doc("When the new capacity is below the people in service: `finish` (they finish their episodes and "
                 "nobody new starts until the caseload is below it), `discharge` (the excess, those in service "
                 "longest, leave now with their need for the service unmet, as after a dropout) or `transfer` (the "
                 "excess are referred now to `transfer_to`)."));
      w(reference("transfer_to", c.transfer_to, "services", "service").otherwise("none")
            .doc("With when_reduced = \"transfer\": the service that takes the excess (a referral from this "
                 "service, so hand-off loss and capacity apply)."));
      w.check([&](auto& k) {
        const bool transfers = k.ok("when_reduced") && c.excess == Excess::kTransfer;
        if (transfers && !k.present("transfer_to")) {
          k.error("transfer_to", "a service (required when when_reduced = \"transfer\")", "nothing (the key is missing)");
        }
        if (!transfers && k.present("transfer_to") && k.ok("when_reduced")) {
          k.error("transfer_to", "no transfer_to (it applies only with when_reduced = \"transfer\")",
                  k.written("transfer_to"));
        }
      });
    });
  v(tables("one_off_costs", a.one_off_costs).otherwise("none")
        .doc("One-off costs in this arm (set-up, a transition team, premises, IT): `one_off_costs = [ { service = "
             "\"front_door\", day = 0, amount = 250000, what = \"premises and IT\" } ]`. Each is posted on its day to "
             "the service's partner, in that day's year, as written (cost inflation does not apply). It is part of "
             "the partner's and the system's cost; each contract's `one_off_costs` says whether it counts against "
             "the contract (\"inside\") or is paid on top (\"outside\")."),
    [&](V& w, OneOffCost& c, std::size_t) {
      w(reference("service", c.service, "services", "service").required()
            .doc("The service the cost belongs to (one this arm has, not a presentation service); its partner bears it."));
      w(number("day", c.day).range(0, 1e6).unit("days").required()
            .doc("The day (from the start of the run) the cost falls; within the run (before run.years x 365)."));
      w(number("amount", c.amount).range(0, limits::kMaxMoney).unit("pounds").required()
            .doc("The cost, in pounds."));
      w(text("what", c.what).otherwise("\"\"").doc("What it pays for (for reports)."));
    });
  v(tables("history_routes", a.history_routes).otherwise("none (every service's routes are its own)")
        .doc("Routes that depend on a person's history in this arm: `history_routes = [ { service = \"acute\", "
             "counted = [\"acute\", \"out_of_area\"], at_least = 7, routes = { rehab = 1.0 } } ]`. When an episode "
             "at `service` completes and the person has had at least `at_least` episodes at the `counted` services "
             "in the run (the one ending included; an episode in progress at day 0 counts), `routes` replace the "
             "service's routes (its own or its group's). Of several rules for a service that hold, the one with "
             "the highest `at_least` applies (the first written of equals). No random number is drawn for it."),
    [&](V& w, HistoryRoutes& h, std::size_t) {
      w(reference("service", h.service, "services", "service").required()
            .doc("The service whose routes on completion the rule replaces."));
      w(names("counted", h.counted, "services", "service").required()
            .doc("The services whose episodes are counted (admissions at inpatient services), e.g. "
                 "`[\"acute\", \"out_of_area\"]`."));
      w(integer("at_least", h.at_least).range(0, 1000).unit("episodes").required()
            .doc("The rule holds from the completion of the person's `at_least`-th counted episode of the run; 0: always "
                 "(the arm's own routes for the service, below a higher rule)."));
      w(names("groups", h.groups, "groups", "need group").otherwise("every need group")
            .doc("The need groups the rule applies to."));
      w(routes("routes", h.routes, "services", "service").exit("discharge").unit("probability").required()
            .doc("`{ service = p, ..., discharge = q }`: the routes while the rule holds; probabilities summing to 1, "
                 "drawn in the order written, with the same uniform as the routes they replace."));
    });
  v.check([&](auto& c) {
    bool diverts = false;
    for (const double d : a.front_door_diversion.values()) diverts = diverts || d > 0.0;
    if (diverts && !c.present("diversion_to")) {
      c.error("diversion_to",
              "a service or \"discharge\" (required when front_door_diversion > 0; one of " +
                  c.names("services", true) + ")",
              "nothing (the key is missing)");
    }
  });
}

/// What an arm derives from what is written (idempotent): every service when it lists
/// none, and each service's capacity unless the arm overrides it.
inline void finalize(ArmSpec& a, const std::vector<ServiceSpec>& services) {
  const std::size_t S = services.size();
  if (a.enabled.size() != S) a.enabled.assign(S, true);
  // Presentation services (A&E, NHS 111, 999, police) are outside any arm's commissioning.
  for (std::size_t s = 0; s < S; ++s) {
    if (services[s].kind == ServiceKind::kPresentation) a.enabled[s] = true;
  }
  a.capacity.resize(S);
  for (std::size_t s = 0; s < S; ++s) {
    const bool over = s < a.capacity_override.size() && a.capacity_override[s].has_value();
    a.capacity[s] = over ? *a.capacity_override[s] : services[s].capacity;
  }
}

template <class V>
void describe(V& v, InitialStock& st) {
  using namespace schema;
  v(reference("service", st.service, "services", "service").required().doc("The service they are at."));
  v(reference("group", st.group, "groups", "need group").required().doc("Their need group."));
  v(integer("in_service", st.in_service).range(0, limits::kMaxInitialPeople).unit("people").otherwise("0")
        .doc("People part-way through an episode at day 0."));
  v(integer("waiting", st.waiting).range(0, limits::kMaxInitialPeople).unit("people").otherwise("0")
        .doc("People on the waiting list at day 0."));
  v(choice("remaining", st.stationary, kRemainingNames).otherwise("\"uniform\"")
        .doc("How much of their episode those in service have left at day 0. `uniform`: a uniform fraction of a fresh "
             "episode's length (the caseload thins quickly: fresh lengths under-represent long episodes). "
             "`stationary`: a uniform fraction of a length-biased draw (density x f(x) / E[X], mean E[X^2] / E[X]), "
             "the remaining time of an episode in progress at a random moment of a steady state (the inspection "
             "paradox), so a caseload that is in steady state stays there. Sessions are length-biased in their count. "
             "Drop-out and crisis apply as to any episode."));
}

template <class V>
void describe(V& v, OutcomeSpec& o) {
  using namespace schema;
  v(number("follow_up_days", o.follow_up_days).range(0, 36500).unit("days").otherwise("365")
        .doc("Relapse watch after discharge; then the person leaves the system."));
  v(number("readmission_window_days", o.readmission_window_days).range(0, 36500).unit("days").otherwise("365")
        .doc("An admission within this many days of the last discharge from an inpatient service is a readmission."));
  v(number("goal_sustain_days", o.goal_sustain_days).range(0, 36500).unit("days").otherwise("182")
        .doc("An achieved SIOF goal is sustained if it lasts this long."));
  v(number("utility_intercept", o.utility_intercept).range(-10, 10).otherwise("0")
        .doc("QALYs: utility = clamp(intercept + slope x WEMWBS, min_utility, 1), accrued from arrival to death, "
             "moving away or the horizon."));
  v(number("utility_slope", o.utility_slope).range(-1, 1).unit("per WEMWBS point").otherwise("0")
        .doc("Slope of the utility mapping."));
  v(number("min_utility", o.min_utility).range(-1, 1).otherwise("-0.594")
        .doc("Lowest utility (the worst EQ-5D-3L state on the UK tariff)."));
}

/// The rules of the flows between services: overflow chains end at a service that never
/// fills, arms do not make an overflow target one that fills, and every arm's fallback chains
/// reach a service it has (or discharge). `c` is a checker at the root.
/// Follows `next` from s; the services visited (s first) when the walk comes back to s
/// without reaching `stop`, else nothing.
template <class Next, class Stop>
 std::optional<std::vector<std::size_t>> cycle_from(const PathwaySpec& spec, std::size_t s, Next next, Stop stop) {
  std::vector<std::size_t> path{s};
  std::size_t t = next(s);
  while (t != kDischarge && !stop(t) && path.size() <= spec.services.size()) {
    if (t == s) return path;
    path.push_back(t);
    t = next(t);
  }
  return std::nullopt;
}

inline std::string chain_text(const PathwaySpec& spec, const std::vector<std::size_t>& path) {
  std::string out;
  for (std::size_t s : path) out += spec.services[s].name + " -> ";
  return out + spec.services[path.front()].name;
}

template <class C>
void check_flows(C& c, const PathwaySpec& spec) {
  const auto& services = spec.services;
  // Presentation services take presentations, never referrals.
  const auto referral = [&](std::size_t t, const std::string& at) {
    if (t != kDischarge && t < services.size() && services[t].kind == ServiceKind::kPresentation) {
      c.error_at(at, "a service that takes referrals (\"" + services[t].name + "\" is of kind \"presentation\": people "
                 "present there, with the group's unmet.presentations)", "\"" + services[t].name + "\"");
    }
  };
  const auto routed = [&](const Routes& rs, const std::string& at) {
    for (const Route& r : rs) referral(r.target, at);
  };
  for (const ServiceSpec& v : services) {
    const std::string at = "services." + v.name + ".";
    referral(v.overflow, at + "overflow");
    referral(v.crisis_to, at + "crisis_to");
    referral(v.relapse_to, at + "relapse_to");
    referral(v.fallback, at + "fallback");
    referral(v.rejected_to, at + "rejected_to");
    routed(v.routes, at + "routes");
    for (std::size_t g = 0; g < v.routes_by_group.size() && g < spec.population.groups.size(); ++g) {
      if (v.routes_by_group[g]) routed(*v.routes_by_group[g], at + "routes_by_group." + spec.population.groups[g].name);
    }
  }
  for (const NeedGroup& n : spec.population.groups) {
    referral(n.unmet.crisis_to, "groups." + n.name + ".unmet.crisis_to");
    routed(n.unmet.represent_to, "groups." + n.name + ".unmet.represent_to");
    for (std::size_t s = 0; s < n.unmet.presentations.size() && s < services.size(); ++s) {
      if (n.unmet.presentations[s] > 0 && services[s].kind != ServiceKind::kPresentation) {
        c.error_at("groups." + n.name + ".unmet.presentations." + services[s].name,
                   "a service of kind \"presentation\" (A&E, NHS 111, 999, police, crisis line)",
                   "\"" + services[s].name + "\", of kind \"" + std::string(kind_name(services[s].kind)) + "\"");
      }
    }
  }
  for (const ArmSpec& arm : spec.arms) {
    referral(arm.diversion_to, "arms." + arm.name + ".diversion_to");
    for (std::size_t g = 0; g < arm.entry.size() && g < spec.population.groups.size(); ++g) {
      routed(arm.entry[g], "arms." + arm.name + ".entry." + spec.population.groups[g].name);
    }
    for (std::size_t s = 0; s < arm.redirect.size() && s < services.size(); ++s) {
      referral(arm.redirect[s], "arms." + arm.name + ".redirect." + services[s].name);
    }
    for (std::size_t k = 0; k < arm.history_routes.size(); ++k) {
      const HistoryRoutes& h = arm.history_routes[k];
      const std::string at = "arms." + arm.name + ".history_routes[" + std::to_string(k) + "]";
      routed(h.routes, at + ".routes");
      if (h.service >= services.size() || arm.enabled.size() != services.size()) continue;
      const ServiceSpec& v = services[h.service];
      if (!arm.enabled[h.service] || v.kind == ServiceKind::kPresentation) {
        c.error_at(at + ".service", "a service arm \"" + arm.name + "\" has that takes referrals",
                   "\"" + v.name + "\"" + (!arm.enabled[h.service] ? ", which the arm does not have" : ", a presentation service"));
      }
    }
  }
  const auto never = [](std::size_t) { return false; };
  for (std::size_t s = 0; s < services.size(); ++s) {
    const std::size_t o = services[s].overflow;
    if (o == kDischarge) continue;
    const std::string at = "services." + services[s].name + ".overflow";
    if (auto cycle = cycle_from(spec, s, [&](std::size_t x) { return services[x].overflow; }, never)) {
      // Reported once, at the first service of the cycle.
      if (*std::min_element(cycle->begin(), cycle->end()) == s) {
        c.error_at(at, "an overflow chain that ends (at a service without an overflow)", "a cycle: " + chain_text(spec, *cycle));
      }
      continue;
    }
    if (services[o].capacity > 0 && services[o].overflow == kDischarge) {
      c.error_at(at, "an overflow target with unlimited capacity (capacity = 0) or an overflow of its own",
                 "\"" + services[o].name + "\", with capacity " + std::to_string(services[o].capacity) + " and no overflow");
    }
  }
  // An arm's capacity override must not make an overflow target one that fills up.
  for (const ArmSpec& arm : spec.arms) {
    std::set<std::size_t> reported;
    for (std::size_t s = 0; s < services.size(); ++s) {
      const std::size_t o = services[s].overflow;
      if (!arm.enabled[s] || o == kDischarge || !arm.enabled[o] || reported.count(o) != 0) continue;
      if (arm.capacity[o] == services[o].capacity || arm.capacity[o] == 0 || services[o].overflow != kDischarge) continue;
      reported.insert(o);
      c.error_at("arms." + arm.name + ".capacity." + services[o].name,
                 "0 (unlimited): \"" + services[o].name + "\" is the overflow of \"" + services[s].name +
                     "\" and has no overflow of its own",
                 std::to_string(arm.capacity[o]));
    }
  }
  // Staff drive places: a staffed service needs a finite capacity in every arm that has it.
  for (const ArmSpec& arm : spec.arms) {
    for (std::size_t s = 0; s < services.size() && s < arm.enabled.size(); ++s) {
      if (!services[s].staff || !arm.enabled[s] || arm.capacity[s] > 0) continue;
      c.error_at("services." + services[s].name + ".staff",
                 "a service with a finite capacity in every arm that has it (staff set its places)",
                 "capacity 0 (unlimited) in arm \"" + arm.name + "\"");
    }
  }
  // Capacity schedules: of services the arm has with a finite capacity; one change of a
  // service a day; a transfer to another service of the arm that takes referrals.
  for (const ArmSpec& arm : spec.arms) {
    std::set<std::pair<std::size_t, double>> seen;
    for (std::size_t k = 0; k < arm.capacity_changes.size(); ++k) {
      const CapacityChange& ch = arm.capacity_changes[k];
      if (ch.service >= services.size() || arm.enabled.size() != services.size()) continue;
      const std::string at = "arms." + arm.name + ".capacity_changes[" + std::to_string(k) + "]";
      const std::string name = "\"" + services[ch.service].name + "\"";
      if (!arm.enabled[ch.service] || arm.capacity[ch.service] <= 0 ||
          services[ch.service].kind == ServiceKind::kPresentation) {
        c.error_at(at + ".service", "a service arm \"" + arm.name + "\" has, with a finite capacity in it",
                   name + (!arm.enabled[ch.service] ? ", which the arm does not have"
                           : services[ch.service].kind == ServiceKind::kPresentation ? ", a presentation service"
                                                                                     : ", with capacity 0 (unlimited)"));
      } else if (!seen.insert({ch.service, ch.day}).second) {
        c.error_at(at + ".day", "one change of " + name + " a day", "a second change on day " + c.number(ch.day));
      }
      const std::size_t t = ch.transfer_to;
      if (ch.excess == Excess::kTransfer && t < services.size() &&
          (t == ch.service || !arm.enabled[t] || services[t].kind == ServiceKind::kPresentation)) {
        c.error_at(at + ".transfer_to", "another service arm \"" + arm.name + "\" has that takes referrals",
                   "\"" + services[t].name + "\"");
      }
    }
  }
  // One-off costs: of a service the arm has, within the run.
  for (const ArmSpec& arm : spec.arms) {
    for (std::size_t k = 0; k < arm.one_off_costs.size(); ++k) {
      const OneOffCost& o = arm.one_off_costs[k];
      const std::string at = "arms." + arm.name + ".one_off_costs[" + std::to_string(k) + "]";
      if (o.service < services.size() && arm.enabled.size() == services.size() &&
          (!arm.enabled[o.service] || services[o.service].kind == ServiceKind::kPresentation)) {
        c.error_at(at + ".service", "a service arm \"" + arm.name + "\" has (not a presentation service)",
                   "\"" + services[o.service].name + "\"" +
                       (!arm.enabled[o.service] ? ", which the arm does not have" : ", a presentation service"));
      }
      const double horizon = static_cast<double>(spec.years) * kDaysPerYear;
      if (!(o.day < horizon)) {
        c.error_at(at + ".day", "a day within the run (before " + c.number(horizon) + ", run.years x 365)",
                   c.number(o.day));
      }
    }
  }
  for (const ArmSpec& arm : spec.arms) {
    const auto in_arm = [&](std::size_t s) { return static_cast<bool>(arm.enabled[s]); };
    for (std::size_t s = 0; s < services.size(); ++s) {
      if (arm.enabled[s]) continue;
      const auto cycle = cycle_from(spec, s, [&](std::size_t x) { return services[x].fallback; }, in_arm);
      if (!cycle || *std::min_element(cycle->begin(), cycle->end()) != s) continue;
      c.error_at("services." + services[s].name + ".fallback",
                 "a fallback chain that reaches a service in arm \"" + arm.name + "\" or discharge",
                 "a cycle of services the arm does not have: " + chain_text(spec, *cycle));
    }
  }
  if (c.reported_under("services") || c.reported_under("arms")) return;  // the proofs follow chains that must end
  for (const FlowProblem& p : progress_problems(spec)) c.error_at(p.key, p.expected, p.got);
}

}  // namespace mhsim::models::pathway
