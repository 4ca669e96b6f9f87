// SPDX-License-Identifier: MIT
#include "models/scenario/keys.hpp"

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <utility>

#include "models/pathway/pathway.hpp"
#include "models/scenario/diagnostics.hpp"

namespace mhsim::scenario {

namespace {

// Appends `keys` to `out`, marking them as belonging to `model`.
void add(std::vector<KeySpec>& out, KeyModel model, std::initializer_list<KeySpec> keys) {
  for (KeySpec k : keys) {
    k.model = model;
    out.push_back(std::move(k));
  }
}

std::vector<std::string_view> service_kinds() {
  return {models::pathway::kServiceKindNames.begin(), models::pathway::kServiceKindNames.end()};
}

std::vector<KeySpec> make_keys() {
  using K = KeyType;
  using M = KeyModel;
  std::vector<KeySpec> keys;
  // Sections keep the order each model's keys are listed in (messages and docs).
  // clang-format off
  add(keys, M::kBoth, {
    {"model", K::kChoice, "", 0, 0, false, "\"network\"", "Which model the file describes: a general queueing network, or the mental-health pathway model (which must say `model = \"pathway\"`).", {"network", "pathway"}},
    {"scenario", K::kTable, "", 0, 0, false, "", "Describes the scenario."},
    {"scenario.name", K::kString, "", 0, 0, false, "file name", "Short name shown in summaries and stored in results."},
    {"scenario.description", K::kString, "", 0, 0, false, "\"\"", "What the scenario represents and where its numbers come from."},
    {"run", K::kTable, "", 0, 0, true, "", "How to run the scenario."},
    {"run.seed", K::kInteger, "", 0, limits::kMaxSeed, true, "", "Master seed; with the replication index and a stream name it fixes every random draw. `--seed` overrides it."},
    {"run.replications", K::kInteger, "", 1, limits::kMaxReplications, true, "", "Independent replications. `--reps` overrides it."},
  });
  add(keys, M::kNetwork, {
    {"run.horizon_days", K::kNumber, "days", 0, limits::kMaxHorizonDays, true, "", "Simulated time per replication (must be > 0)."},
    {"run.warmup_days", K::kNumber, "days", 0, limits::kMaxHorizonDays, false, "0", "Statistics are reset at this time (must be < horizon_days); queues and people in service are kept."},
  });
  add(keys, M::kPathway, {
    {"run.years", K::kInteger, "years", 1, limits::kMaxYears, true, "", "Simulated years per replication; activity, cost and KPIs are reported per year."},
  });
  add(keys, M::kBoth, {
    {"run.max_in_system", K::kInteger, "people", 1, limits::kMaxInSystem, false, "10000000", "A replication with more people in the system at once stops with an error (guards against unstable scenarios)."},
  });
  add(keys, M::kNetwork, {
    {"stations", K::kTable, "", 0, 0, true, "", "One sub-table per station, named by the user (`[stations.triage]`). Stations keep the order of the file."},
    {"stations.<name>.servers", K::kInteger, "servers", 1, limits::kMaxServers, true, "", "Identical servers (staff, slots, beds) working in parallel."},
    {"stations.<name>.service", K::kDistribution, "days", 0, 0, true, "", "Service time of one person at this station."},
    {"stations.<name>.discipline", K::kChoice, "", 0, 0, false, "\"fifo\"", "Who is served next: first come first served, or smallest priority first (non-preemptive).", {"fifo", "priority"}},
    {"stations.<name>.queue_limit", K::kInteger, "people", 0, 1e12, false, "unbounded", "Longest waiting line; arrivals finding it full are refused and leave (0 = a loss system such as M/M/c/c)."},
    {"stations.<name>.arrival_rate", K::kNumber, "per day", 0, 1e9, false, "none", "External Poisson arrivals (must be > 0). Give this or `interarrival`, not both."},
    {"stations.<name>.interarrival", K::kDistribution, "days", 0, 0, false, "none", "Time between external arrivals, for renewal (non-Poisson) arrival processes."},
    {"stations.<name>.arrival_priority", K::kInteger, "", -1e6, 1e6, false, "0", "Priority of external arrivals here; smaller is served first where discipline = \"priority\"."},
    {"stations.<name>.routes", K::kRoutes, "probability", 0, 1, false, "everyone exits", "Where people go after service: `{ other_station = p, exit = q }`; probabilities in [0, 1] summing to 1."},
  });
  add(keys, M::kBoth, {
    {"<dist>.distribution", K::kChoice, "", 0, 0, true, "", "The family; its parameters are the other keys of the table.",
     {"exponential", "deterministic", "uniform", "triangular", "gamma", "erlang", "lognormal", "weibull"}},
    {"<dist>.mean", K::kNumber, "key's unit", 0, 1e9, false, "", "Mean (> 0): exponential (or `rate`), gamma (with `cv`), erlang (with `k`), lognormal (with `sd`)."},
    {"<dist>.rate", K::kNumber, "per key's unit", 0, 1e12, false, "", "Rate (> 0) of an exponential, instead of `mean`."},
    {"<dist>.value", K::kNumber, "key's unit", 0, 1e9, false, "", "The constant of a deterministic distribution."},
    {"<dist>.min", K::kNumber, "key's unit", 0, 1e9, false, "", "Lower bound: uniform, triangular."},
    {"<dist>.mode", K::kNumber, "key's unit", 0, 1e9, false, "", "Most likely value: triangular (min <= mode <= max)."},
    {"<dist>.max", K::kNumber, "key's unit", 0, 1e9, false, "", "Upper bound: uniform, triangular (> min)."},
    {"<dist>.shape", K::kNumber, "", 0, 1e6, false, "", "Shape (> 0): gamma (with `scale`), weibull."},
    {"<dist>.scale", K::kNumber, "key's unit", 0, 1e9, false, "", "Scale (> 0): gamma (with `shape`), weibull."},
    {"<dist>.cv", K::kNumber, "", 0, 100, false, "", "Coefficient of variation (> 0): gamma, with `mean`."},
    {"<dist>.k", K::kInteger, "", 1, 1000, false, "", "Number of phases: erlang."},
    {"<dist>.sd", K::kNumber, "key's unit", 0, 1e9, false, "", "Standard deviation (> 0) of the variable itself: lognormal, with `mean`."},
  });
  add(keys, M::kPathway, {
    {"population", K::kTable, "", 0, 0, true, "", "The catchment whose residents may arrive."},
    {"population.size", K::kNumber, "people", 0, limits::kMaxPopulation, true, "", "People in the catchment (must be > 0); arrival rates are per 1,000 of them."},

    {"groups", K::kTable, "", 0, 0, true, "", "One sub-table per need group (`[groups.common_mental_disorder]`), at most 100; file order is index order."},
    {"groups.<name>.rate_per_1000_per_year", K::kNumber, "per 1,000 people per year", 0, 1e6, true, "", "New arrivals of this group (a Poisson process, times the month's multiplier)."},
    {"groups.<name>.monthly_multiplier", K::kNumbers, "", 0, 100, false, "all 1", "Seasonality: exactly 12 multipliers of the rate, January first (mean about 1)."},
    {"groups.<name>.risk", K::kTable, "", 0, 0, false, "{ a = 1, b = 1 }", "Each person's risk in [0, 1] ~ Beta(a, b): it scales crisis hazards and orders priority waiting lists."},
    {"groups.<name>.risk.a", K::kNumber, "", 0, 1e4, false, "1", "First Beta shape parameter (> 0)."},
    {"groups.<name>.risk.b", K::kNumber, "", 0, 1e4, false, "1", "Second Beta shape parameter (> 0)."},
    {"groups.<name>.wemwbs_mean", K::kNumber, "WEMWBS points", 14, 70, false, "49.4", "Mean baseline WEMWBS (normal, rounded and clamped to 14-70)."},
    {"groups.<name>.wemwbs_sd", K::kNumber, "WEMWBS points", 0, 56, false, "8.96", "Standard deviation of baseline WEMWBS (> 0)."},
    {"groups.<name>.goals_mean", K::kNumber, "goals", 0, 50, false, "0", "Mean number of SIOF goals a person sets (Poisson)."},
    {"groups.<name>.goal_domain_weights", K::kByName, "", 0, 1e9, false, "all 1", "Relative weights of the SIOF domains goals fall in: a number (every domain) or a table by domain, domains left out weighing 0; at least one > 0 when goals_mean > 0. Domains: mental_wellbeing, community_participation, social_networks, physical_health, education_training, volunteering, employment, finance."},
    {"groups.<name>.death_per_year", K::kNumber, "per year", 0, 1000, false, "0", "Hazard of death while in the system."},
    {"groups.<name>.move_away_per_year", K::kNumber, "per year", 0, 1000, false, "0", "Hazard of moving out of the catchment while in the system."},

    {"partners", K::kTable, "", 0, 0, true, "", "One sub-table per partner organisation that owns services (`[partners.trust]`); file order."},
    {"partners.<name>.kind", K::kChoice, "", 0, 0, true, "", "What the organisation is.",
     {"nhs_trust", "vcse", "user_led", "gp_practices", "local_authority", "commissioner", "other"}},

    {"services", K::kTable, "", 0, 0, true, "", "One sub-table per service (`[services.talking_therapies]`), at most 1000; file order is index order. No service may be called \"discharge\"."},
    {"services.<name>.kind", K::kChoice, "", 0, 0, true, "", "What the service is, for KPIs and the arm's behaviour parameters.", service_kinds()},
    {"services.<name>.partner", K::kString, "", 0, 0, true, "", "The partner that owns the service (a name under `[partners]`)."},
    {"services.<name>.capacity", K::kInteger, "slots", 0, limits::kMaxServers, false, "0 (unlimited)", "Caseload slots or beds; 0 = unlimited (nobody waits). Arms may override it."},
    {"services.<name>.discipline", K::kChoice, "", 0, 0, false, "\"fifo\"", "Who is seen next when a slot frees: first come first served, or higher risk first.", {"fifo", "priority"}},
    {"services.<name>.overflow", K::kString, "", 0, 0, false, "none (wait)", "When full, referrals go at once to this service instead of waiting; it must have capacity 0 (unlimited) or an overflow of its own, and overflow chains must end."},
    {"services.<name>.duration", K::kDistribution, "days", 0, 0, false, "none", "Episode length. Give this or `sessions`, not both."},
    {"services.<name>.sessions", K::kDistribution, "sessions", 0, 0, false, "none", "Sessions per episode (rounded, at least 1), `session_interval_days` apart. Give this or `duration`, not both."},
    {"services.<name>.session_interval_days", K::kNumber, "days", 0, 365, false, "7", "Days between sessions (> 0)."},
    {"services.<name>.contacts_per_week", K::kNumber, "contacts per week", 0, 100, false, "0", "Contacts during duration-based episodes."},
    {"services.<name>.dropout_probability", K::kNumber, "probability", 0, 1, false, "0", "Probability of leaving part-way (after a uniform fraction of the episode)."},
    {"services.<name>.recovery_probability", K::kNumber, "probability", 0, 1, false, "0", "Probability that someone who completes the episode recovers."},
    {"services.<name>.wemwbs_change", K::kTable, "", 0, 0, false, "{ mean = 0, sd = 0 }", "WEMWBS change at completion, not recovered (normal, applied once)."},
    {"services.<name>.wemwbs_change.mean", K::kNumber, "WEMWBS points", -56, 56, false, "0", "Mean change."},
    {"services.<name>.wemwbs_change.sd", K::kNumber, "WEMWBS points", 0, 56, false, "0", "Standard deviation of the change."},
    {"services.<name>.wemwbs_change_recovered", K::kTable, "", 0, 0, false, "{ mean = 0, sd = 0 }", "WEMWBS change at completion, recovered."},
    {"services.<name>.wemwbs_change_recovered.mean", K::kNumber, "WEMWBS points", -56, 56, false, "0", "Mean change."},
    {"services.<name>.wemwbs_change_recovered.sd", K::kNumber, "WEMWBS points", 0, 56, false, "0", "Standard deviation of the change."},
    {"services.<name>.cost_per_contact", K::kNumber, "pounds", 0, 1e9, false, "0", "Unit cost per contact or session."},
    {"services.<name>.cost_per_day", K::kNumber, "pounds", 0, 1e9, false, "0", "Unit cost per occupied day (bed-day, placement day)."},
    {"services.<name>.cost_per_episode", K::kNumber, "pounds", 0, 1e9, false, "0", "Unit cost per episode started."},
    {"services.<name>.annual_fixed_cost", K::kNumber, "pounds per year", 0, 1e12, false, "0", "Fixed cost for each year the service exists in an arm."},
    {"services.<name>.crisis_per_year", K::kNumber, "per year", 0, 1000, false, "0", "Hazard of a crisis during an episode (times the person's risk multiplier); a crisis ends the episode."},
    {"services.<name>.crisis_to", K::kString, "", 0, 0, false, "none", "The service a crisis sends the person to (required when crisis_per_year > 0)."},
    {"services.<name>.relapse_per_year", K::kNumber, "per year", 0, 1000, false, "0", "Hazard of relapse in follow-up after discharge from here."},
    {"services.<name>.relapse_to", K::kString, "", 0, 0, false, "none", "The service a relapse sends the person to (required when relapse_per_year > 0)."},
    {"services.<name>.routes", K::kRoutes, "probability", 0, 1, false, "everyone is discharged", "Where people go when the episode completes: `{ other_service = p, discharge = q }`; probabilities in [0, 1] summing to 1, drawn in the order written."},
    {"services.<name>.routes_by_group", K::kTable, "", 0, 0, false, "none", "Per need group overrides of `routes`: `[services.<name>.routes_by_group]` holding `<group> = { ... }`."},
    {"services.<name>.routes_by_group.<group>", K::kRoutes, "probability", 0, 1, false, "`routes`", "Routes for people of that need group."},
    {"services.<name>.fallback", K::kString, "", 0, 0, false, "\"discharge\"", "Where referrals here go in arms without this service: another service or \"discharge\"; the chain must reach a service the arm has, or discharge."},
    {"services.<name>.gatekept", K::kBoolean, "", 0, 0, false, "false", "Whether the arm's gatekeeping applies to referrals here."},
    {"services.<name>.rejected_to", K::kString, "", 0, 0, false, "\"discharge\"", "Where a refused (gatekept) referral goes: a service or \"discharge\"."},
    {"services.<name>.goals", K::kTable, "", 0, 0, false, "none", "SIOF goal dynamics; only for services of kind \"alliance_support\"."},
    {"services.<name>.goals.achieve_per_year", K::kByName, "per year", 0, 1000, false, "0", "Rate at which an open goal is achieved: a number (every domain) or a table by SIOF domain (domains left out: 0)."},
    {"services.<name>.goals.close_per_year", K::kByName, "per year", 0, 1000, false, "0", "Rate at which an open goal is closed (withdrawn); number or table by domain."},
    {"services.<name>.goals.fail_per_year", K::kByName, "per year", 0, 1000, false, "0", "Rate at which an open goal resolves as not achieved; number or table by domain."},
    {"services.<name>.goals.lapse_per_year", K::kByName, "per year", 0, 1000, false, "0", "Rate at which an achieved goal lapses (sustained if it lasts outcomes.goal_sustain_days); number or table by domain."},
    {"services.<name>.goals.wemwbs_per_goal_achieved", K::kNumber, "WEMWBS points", -56, 56, false, "0", "WEMWBS points added at discharge per goal achieved."},

    {"arms", K::kTable, "", 0, 0, true, "", "One sub-table per arm (`[arms.alliance]`), at most 100, compared on the same people; file order."},
    {"arms.<name>.services", K::kStrings, "", 0, 0, false, "every service", "The services this arm has; referrals to the others follow their `fallback`."},
    {"arms.<name>.capacity", K::kTable, "", 0, 0, false, "each service's own", "Capacity overrides in this arm: `{ cmht = 500 }`."},
    {"arms.<name>.capacity.<service>", K::kInteger, "slots", 0, limits::kMaxServers, false, "the service's capacity", "Capacity of that service in this arm (0 = unlimited)."},
    {"arms.<name>.entry", K::kTable, "", 0, 0, true, "", "Where new arrivals go: one key per need group, every group required."},
    {"arms.<name>.entry.<group>", K::kRoutes, "probability", 0, 1, true, "", "`{ service = p, ..., discharge = q }`: services this arm has, or \"discharge\" (not served); probabilities summing to 1."},
    {"arms.<name>.gatekeeping", K::kNumber, "probability", 0, 1, false, "0", "P(refuse a referral to a gatekept service) = gatekeeping x that service's occupancy."},
    {"arms.<name>.handoff_loss", K::kNumber, "probability", 0, 1, false, "0", "Probability that a referral between services of different partners is lost."},
    {"arms.<name>.front_door_diversion", K::kNumber, "probability", 0, 1, false, "0", "Probability that the front door keeps someone it would refer to secondary care."},
    {"arms.<name>.diversion_to", K::kString, "", 0, 0, false, "none", "Where diverted people go: a service or \"discharge\" (required when front_door_diversion > 0)."},
    {"arms.<name>.redirect", K::kTable, "", 0, 0, false, "none", "A single point of access: `{ cmht = \"front_door\" }` sends referrals to a service from outside secondary care and the front door (primary care, new arrivals, relapses) to another service instead."},
    {"arms.<name>.redirect.<service>", K::kString, "", 0, 0, false, "none", "The service that takes such referrals to `<service>` in this arm."},
    {"arms.<name>.step_down_speed", K::kNumber, "", 0, 10, false, "1", "Long-term secondary-care episode lengths are divided by this (> 0)."},

    {"initial", K::kTableArray, "", 0, 0, false, "none", "The starting caseload: `[[initial]]` tables, at most 10000000 people in all."},
    {"initial.service", K::kString, "", 0, 0, true, "", "The service they are at."},
    {"initial.group", K::kString, "", 0, 0, true, "", "Their need group."},
    {"initial.in_service", K::kInteger, "people", 0, limits::kMaxInitialPeople, false, "0", "People part-way through an episode at day 0."},
    {"initial.waiting", K::kInteger, "people", 0, limits::kMaxInitialPeople, false, "0", "People on the waiting list at day 0."},

    {"outcomes", K::kTable, "", 0, 0, false, "defaults", "How outcomes are counted."},
    {"outcomes.follow_up_days", K::kNumber, "days", 0, 36500, false, "365", "Relapse watch after discharge; then the person leaves the system."},
    {"outcomes.readmission_window_days", K::kNumber, "days", 0, 36500, false, "365", "An admission within this many days of the last discharge from an inpatient service is a readmission."},
    {"outcomes.goal_sustain_days", K::kNumber, "days", 0, 36500, false, "182", "An achieved SIOF goal is sustained if it lasts this long."},
    {"outcomes.utility_intercept", K::kNumber, "", -10, 10, false, "0", "QALYs: utility = clamp(intercept + slope x WEMWBS, min_utility, 1), accrued from arrival to death, moving away or the horizon."},
    {"outcomes.utility_slope", K::kNumber, "per WEMWBS point", -1, 1, false, "0", "Slope of the utility mapping."},
    {"outcomes.min_utility", K::kNumber, "", -1, 1, false, "-0.594", "Lowest utility (the worst EQ-5D-3L state on the UK tariff)."},
  });
  // clang-format on
  return keys;
}

const char* type_name(KeyType t) {
  switch (t) {
    case KeyType::kString: return "string";
    case KeyType::kInteger: return "integer";
    case KeyType::kNumber: return "number";
    case KeyType::kChoice: return "string (choice)";
    case KeyType::kTable: return "table";
    case KeyType::kDistribution: return "distribution table";
    case KeyType::kRoutes: return "table of probabilities";
    case KeyType::kBoolean: return "boolean";
    case KeyType::kNumbers: return "array of numbers";
    case KeyType::kStrings: return "array of names";
    case KeyType::kByName: return "number, or table of numbers by name";
    case KeyType::kTableArray: return "array of tables";
  }
  return "?";
}

}  // namespace

std::string_view KeySpec::leaf() const noexcept {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::string KeySpec::expectation() const {
  switch (type) {
    case KeyType::kString: return "a string";
    case KeyType::kInteger:
      return "an integer in [" + number_text(min) + ", " + number_text(max) + "]";
    case KeyType::kNumber:
      return "a number in [" + number_text(min) + ", " + number_text(max) + "]";
    case KeyType::kChoice: {
      std::string s = "one of ";
      for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i) s += ", ";
        s += "\"" + std::string(choices[i]) + "\"";
      }
      return s;
    }
    case KeyType::kTable: return "a table";
    case KeyType::kDistribution: return "a distribution table such as { distribution = \"exponential\", mean = 2.0 }";
    case KeyType::kRoutes:
      return model == KeyModel::kPathway ? "a table of probabilities such as { next_service = 0.3, discharge = 0.7 }"
                                         : "a table of probabilities such as { next_station = 0.3, exit = 0.7 }";
    case KeyType::kBoolean: return "true or false";
    case KeyType::kNumbers: return "an array of numbers in [" + number_text(min) + ", " + number_text(max) + "]";
    case KeyType::kStrings: return "an array of names (strings)";
    case KeyType::kByName:
      return "a number in [" + number_text(min) + ", " + number_text(max) + "], or a table of such numbers by name";
    case KeyType::kTableArray: return "an array of tables ([[" + std::string(leaf()) + "]])";
  }
  return "?";
}

const std::vector<KeySpec>& all_keys() {
  static const std::vector<KeySpec> keys = make_keys();
  return keys;
}

namespace {
std::vector<KeySpec> keys_of(KeyModel m) {
  std::vector<KeySpec> out;
  for (const KeySpec& k : all_keys()) {
    if (k.applies_to(m)) out.push_back(k);
  }
  return out;
}

std::string range_text(const KeySpec& k) {
  switch (k.type) {
    case KeyType::kInteger:
    case KeyType::kNumber: return "[" + number_text(k.min) + ", " + number_text(k.max) + "]";
    case KeyType::kNumbers:
    case KeyType::kByName: return "[" + number_text(k.min) + ", " + number_text(k.max) + "] each";
    case KeyType::kChoice: return k.expectation().substr(7);
    case KeyType::kRoutes: return "[0, 1], sum 1";
    case KeyType::kBoolean: return "true, false";
    default: return "";
  }
}

void markdown_table(std::string& md, KeyModel m) {
  md += "| key | type | unit | range | required / default | meaning |\n"
        "|---|---|---|---|---|---|\n";
  for (const KeySpec& k : all_keys()) {
    if (k.model != m) continue;
    const std::string req = k.required ? "required" : std::string(k.default_text.empty() ? "optional" : k.default_text);
    md += "| `" + std::string(k.path) + "` | " + type_name(k.type) + " | " + std::string(k.unit) + " | " +
          range_text(k) + " | " + req + " | " + std::string(k.doc) + " |\n";
  }
}
}  // namespace

const std::vector<KeySpec>& network_keys() {
  static const std::vector<KeySpec> keys = keys_of(KeyModel::kNetwork);
  return keys;
}

const std::vector<KeySpec>& pathway_keys() {
  static const std::vector<KeySpec> keys = keys_of(KeyModel::kPathway);
  return keys;
}

const KeySpec& key(std::string_view path) {
  for (const KeySpec& k : all_keys()) {
    if (k.path == path) return k;
  }
  throw std::logic_error("undeclared scenario key: " + std::string(path));
}

std::string keys_markdown() {
  std::string md =
      "# Scenario keys\n\n"
      "Generated by `mhsim keys` from the key table in `models/scenario/keys.cpp`; do not edit by hand.\n"
      "`<name>` is a name you choose; `<group>` and `<service>` are names of a need group or service\n"
      "declared in the file; `<dist>` is any key that holds a distribution table.\n"
      "Every number in a shipped scenario carries a comment saying where it comes from.\n\n"
      "The root key `model` selects the model: `\"network\"` (the default) or `\"pathway\"`. A file\n"
      "may hold the keys of every scenario and those of its own model; any other key is an error.\n\n"
      "## Keys of every scenario\n\n";
  markdown_table(md, KeyModel::kBoth);
  md += "\n## Queueing-network scenarios (`model = \"network\"`)\n\n";
  markdown_table(md, KeyModel::kNetwork);
  md += "\n## Pathway scenarios (`model = \"pathway\"`)\n\n";
  markdown_table(md, KeyModel::kPathway);
  return md;
}

}  // namespace mhsim::scenario
