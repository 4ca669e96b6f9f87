// SPDX-License-Identifier: MIT
#include "models/scenario/keys.hpp"

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <utility>

#include "models/pathway/pathway.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/uncertainty.hpp"

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

std::vector<std::string_view> uncertain_distributions() {
  return {kUncertainDistributionNames.begin(), kUncertainDistributionNames.end()};
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
    {"population.group_share", K::kByName, "fraction", 0, 1, false, "none", "Share of the catchment in each need group: a table by group (groups left out: 0), summing to 1. The simulation does not use it (groups carry arrival rates); need-weighted capitation does, and requires it when a contract has `need_weights`."},

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
    {"partners.<name>.reserves", K::kNumber, "pounds", 0, limits::kMaxMoney, false, "none (not stated)", "What the partner holds against painshare over the analysed horizon (`analysis.horizon_years`): the analysis reports P(painshare > reserves). The simulation and settlement never read it, so it cannot be an uncertain parameter."},

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
    {"arms.<name>.gatekeeping", K::kNumber, "probability", 0, 1, false, "0", "P(refuse a referral to a gatekept service) = gatekeeping x that service's occupancy. A number (every year) or an array of numbers, one per simulated year from year 1, the last repeated for later years (at most run.years; element i is `arms.<name>.gatekeeping[i]`); the year of the referral applies."},
    {"arms.<name>.handoff_loss", K::kNumber, "probability", 0, 1, false, "0", "Probability that a referral between services of different partners is lost. A number, or an array by simulated year as for `gatekeeping`; the year of the referral applies."},
    {"arms.<name>.front_door_diversion", K::kNumber, "probability", 0, 1, false, "0", "Probability that the front door keeps someone it would refer to secondary care. A number, or an array by simulated year as for `gatekeeping`; the year the front-door episode ends applies."},
    {"arms.<name>.diversion_to", K::kString, "", 0, 0, false, "none", "Where diverted people go: a service or \"discharge\" (required when front_door_diversion > 0 in any year)."},
    {"arms.<name>.redirect", K::kTable, "", 0, 0, false, "none", "A single point of access: `{ cmht = \"front_door\" }` sends referrals to a service from outside secondary care and the front door (primary care, new arrivals, relapses) to another service instead."},
    {"arms.<name>.redirect.<service>", K::kString, "", 0, 0, false, "none", "The service that takes such referrals to `<service>` in this arm."},
    {"arms.<name>.step_down_speed", K::kNumber, "", 0, 10, false, "1", "Long-term secondary-care episode lengths are divided by this (> 0). A number, or an array by simulated year as for `gatekeeping`; the year the episode starts applies."},

    // Contract terms (issue 4): models/contracts/settlement.hpp has the formulas.
    {"arms.<name>.contracts", K::kTableArray, "", 0, 0, false, "none (not settled)", "The arm's payment terms: `[[arms.<name>.contracts]]` tables, one per paid partner (an alliance covers several). An arm without contracts is simulated but not settled. A partner may be in one contract of an arm only; an arm has at most one alliance. `type` decides which of the keys below a contract takes; the others are errors."},
    {"arms.<name>.contracts.name", K::kString, "", 0, 0, true, "", "Unique within the arm; labels results and names the contract in `mhsim sweep --set arms.<arm>.contracts.<name>.<term>=...`."},
    {"arms.<name>.contracts.type", K::kChoice, "", 0, 0, true, "", "The payment model (brief 2 and 3.1).", {"block", "activity", "capitation", "outcomes", "blended", "alliance"}},
    {"arms.<name>.contracts.partner", K::kString, "", 0, 0, false, "required (not alliance)", "Block, activity, capitation, outcomes, blended: the partner paid (a name under `[partners]`)."},
    {"arms.<name>.contracts.annual", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "required (block)", "Block: the payment in year 1, whatever the activity."},
    {"arms.<name>.contracts.indexation", K::kNumber, "per year", -0.5, 1, false, "0", "Block: year y (0-based) pays annual x (1 + indexation)^y."},
    {"arms.<name>.contracts.tariffs", K::kTableArray, "", 0, 0, false, "none", "Activity: tariff lines, `[[arms.<name>.contracts.tariffs]]`; activity valued at tariff is V = sum of price x units."},
    {"arms.<name>.contracts.tariffs.measure", K::kChoice, "", 0, 0, true, "", "The ledger measure priced.", {"contacts", "days", "episodes", "team_years"}},
    {"arms.<name>.contracts.tariffs.service", K::kString, "", 0, 0, false, "all the partner's services", "Price only this service's activity: a service of the contract's partner."},
    {"arms.<name>.contracts.tariffs.price", K::kNumber, "pounds per unit", 0, 1e9, true, "", "Price per unit of the measure."},
    {"arms.<name>.contracts.tariffs.baseline_volume", K::kNumber, "units per year", 0, limits::kMaxMoney, false, "0", "Activity: the baseline volume A0 (cost and volume). In blended `variable` lines: the planned volume."},
    {"arms.<name>.contracts.baseline_payment", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "0", "Activity: B0. Pay = B0 + marginal_rate x (V - V0) at or above the baseline value V0, B0 - below_baseline_rate x (V0 - V) below it, then clamped to [floor, cap]."},
    {"arms.<name>.contracts.marginal_rate", K::kNumber, "", 0, 10, false, "1", "Activity: m, the fraction of the tariff paid above the baseline."},
    {"arms.<name>.contracts.below_baseline_rate", K::kNumber, "", 0, 10, false, "0", "Activity: refund per pound of tariff value short of the baseline (0: the baseline payment stands)."},
    {"arms.<name>.contracts.cap", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "none", "Activity: the most paid in a year."},
    {"arms.<name>.contracts.floor", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "none", "Activity: the least paid in a year (at most cap)."},
    {"arms.<name>.contracts.per_head", K::kNumber, "pounds per person per year", 0, 1e6, false, "required (capitation)", "Capitation: budget = per_head x population.size x need, need = 1 or the weighted need below."},
    {"arms.<name>.contracts.need_weights", K::kByName, "", 0, 100, false, "need = 1", "Capitation: relative cost weight of each need group (a table by group; groups left out weigh 0); need = sum of weight x population.group_share, which is then required."},
    {"arms.<name>.contracts.corridor", K::kTable, "", 0, 0, false, "none", "Capitation, blended: a risk-share corridor on the partner's cost C against the budget B, `{ width = 0.02, share = 0.5 }`: the payment changes by share x (|C - B| - width x B) beyond the corridor, up for an overspend, down for an underspend."},
    {"arms.<name>.contracts.corridor.width", K::kNumber, "fraction of the budget", 0, 1, true, "", "delta: the corridor's half-width [assumption in brief 3.1: 0-2%]."},
    {"arms.<name>.contracts.corridor.share", K::kNumber, "fraction", 0, 1, true, "", "rho: the commissioner's share beyond the corridor [assumption in brief 3.1: 0.5]."},
    {"arms.<name>.contracts.value", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "required (outcomes); 0 (blended)", "Outcomes: V, the contract value. Blended: V, the value quality_share applies to."},
    {"arms.<name>.contracts.at_risk", K::kNumber, "fraction", 0, 1, false, "0", "Outcomes: alpha, the share of V paid on the indicators (brief 3.1: 2-4% typical)."},
    {"arms.<name>.contracts.mode", K::kChoice, "", 0, 0, false, "\"withhold\"", "Outcomes: `bonus` pays V + alpha V A, `withhold` pays V (1 - alpha) + alpha V A, with A the weighted achievement.", {"bonus", "withhold"}},
    {"arms.<name>.contracts.indicators", K::kTableArray, "", 0, 0, false, "none", "Outcomes, blended: `[[arms.<name>.contracts.indicators]]`; achievement is linear in the KPI from zero_level (0) to full_level (1), clamped."},
    {"arms.<name>.contracts.indicators.name", K::kString, "", 0, 0, false, "the KPI's name", "A label for reports."},
    {"arms.<name>.contracts.indicators.kpi", K::kString, "", 0, 0, true, "", "A system KPI (e.g. `referrals_secondary`, `share_improved`) or, with `service`, a service KPI (e.g. `mean_wait`): the names of the results' kpi datasets."},
    {"arms.<name>.contracts.indicators.service", K::kString, "", 0, 0, false, "none (system KPI)", "The service whose KPI it is: required for a service KPI, not allowed for a system KPI."},
    {"arms.<name>.contracts.indicators.direction", K::kChoice, "", 0, 0, true, "", "Which way the KPI is good.", {"higher_is_better", "lower_is_better"}},
    {"arms.<name>.contracts.indicators.zero_level", K::kNumber, "the KPI's unit", -limits::kMaxLevel, limits::kMaxLevel, true, "", "The level with achievement 0."},
    {"arms.<name>.contracts.indicators.full_level", K::kNumber, "the KPI's unit", -limits::kMaxLevel, limits::kMaxLevel, true, "", "The level with achievement 1: >= zero_level for higher_is_better, <= for lower_is_better."},
    {"arms.<name>.contracts.indicators.weight", K::kNumber, "", 0, 1, true, "", "Weight; a contract's indicator weights sum to 1."},
    {"arms.<name>.contracts.fixed", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "required (blended)", "Blended: F, the fixed element (without the quality element)."},
    {"arms.<name>.contracts.variable", K::kTableArray, "", 0, 0, false, "none", "Blended: `[[arms.<name>.contracts.variable]]` tariff lines with the keys of `tariffs`, baseline_volume being the planned volume; pays variable_rate x price x (activity - plan)."},
    {"arms.<name>.contracts.variable_rate", K::kNumber, "", 0, 10, false, "1", "Blended: v, the fraction of the price paid per unit off plan."},
    {"arms.<name>.contracts.quality_share", K::kNumber, "fraction", 0, 1, false, "0", "Blended: q, the share of V paid on the indicators (CQUIN: 0.0125 [R27])."},
    {"arms.<name>.contracts.target", K::kTable, "", 0, 0, false, "required (alliance)", "Alliance: how the target outturn cost (TOC) is set: `{ fixed = 66000000 }`, or `{ arm = \"block\", percentile = 50, scale = 1 }` (per year, that percentile across replications of the members' simulated cost in another arm, times scale; brief 2.1)."},
    {"arms.<name>.contracts.target.fixed", K::kNumber, "pounds", 0, limits::kMaxMoney, false, "none", "A fixed TOC for year 1; later years grow by target_indexation. Give this or `arm`."},
    {"arms.<name>.contracts.target.arm", K::kString, "", 0, 0, false, "none", "The reference arm: another arm; alliances' reference arms must not form a cycle. Give this or `fixed`."},
    {"arms.<name>.contracts.target.percentile", K::kNumber, "percent", 0, 100, false, "50", "With `arm`: the percentile of the reference cost (brief 2.1: about P50)."},
    {"arms.<name>.contracts.target.scale", K::kNumber, "", 0, 10, false, "1", "With `arm`: multiplies the reference cost (0.95 for a target 5% below it)."},
    {"arms.<name>.contracts.target_indexation", K::kNumber, "per year", -0.5, 1, false, "0", "Alliance with a fixed target: TOC in year y (0-based) = fixed x (1 + target_indexation)^y."},
    {"arms.<name>.contracts.share", K::kNumber, "fraction", 0, 1, false, "0.5", "Alliance: s, the providers' share of an under- or overrun, where no bands are given [R1]."},
    {"arms.<name>.contracts.gain_bands", K::kTableArray, "", 0, 0, false, "none (the flat share)", "Alliance: sliding shares of an underrun, `[ { upper = 0.02, share = 0.5 }, ... ]`: the providers' share of the part of the underrun between the previous band's bound and upper x TOC; 0 beyond the last band [R7]."},
    {"arms.<name>.contracts.gain_bands.upper", K::kNumberOrNone, "fraction of the target", 0, 1e6, true, "", "The band's bound on the size of the under- or overrun, as a fraction of TOC, > 0 and strictly ascending; \"none\" for no bound."},
    {"arms.<name>.contracts.gain_bands.share", K::kNumber, "fraction", 0, 1, true, "", "The providers' share within the band."},
    {"arms.<name>.contracts.pain_bands", K::kTableArray, "", 0, 0, false, "none (the flat share)", "Alliance: sliding shares of an overrun, with the keys of gain_bands."},
    {"arms.<name>.contracts.pain_cap", K::kNumberOrNone, "fraction of the fee", 0, 100, false, "1", "Alliance: kappa. Painshare is capped at kappa x F, F the members' total fee: 1 puts the fee at risk but never Limb 1 [R1]; \"none\" leaves pain uncapped."},
    {"arms.<name>.contracts.gain_cap", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "none (uncapped)", "Alliance: C_gain, the most gainshare the providers receive in a year."},
    {"arms.<name>.contracts.floor_total", K::kBoolean, "", 0, 0, false, "true", "Alliance: Limb 3 as a whole (gain/pain plus the KRA component) is also >= -kappa F (needs a pain_cap)."},
    {"arms.<name>.contracts.reward_pool", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "0", "Alliance: R_pool. The KRA component is P x reward_pool when the KPI return P >= 0 (variant A of brief 2.3)."},
    {"arms.<name>.contracts.max_liability", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "0", "Alliance: L_max. The KRA component is P x max_liability when P < 0."},
    {"arms.<name>.contracts.modifier", K::kNumber, "", 0, 1, false, "0", "Alliance: mu. A gainshare is scaled by (1 + mu P) (variant B)."},
    {"arms.<name>.contracts.modifier_scope", K::kChoice, "", 0, 0, false, "\"gain_only\"", "Alliance: `both` also scales a painshare, by (1 - mu P).", {"gain_only", "both"}},
    {"arms.<name>.contracts.gate", K::kBoolean, "", 0, 0, false, "false", "Alliance: no gainshare unless every KRA reaches minimum (variant C)."},
    {"arms.<name>.contracts.allocation", K::kChoice, "", 0, 0, false, "\"budget_share\"", "Alliance: how Limb 3 is split among members: equally, by Limb 1 (cost), by fee, or by the members' fixed `allocation` shares [R19].", {"equal", "budget_share", "fee", "fixed"}},
    {"arms.<name>.contracts.shortfall", K::kChoice, "", 0, 0, false, "\"commissioner\"", "Alliance: who bears the pain a member's cap spares it: the commissioner, or the uncapped members pro rata.", {"commissioner", "reallocate"}},
    {"arms.<name>.contracts.members", K::kTableArray, "", 0, 0, false, "required (alliance)", "Alliance: the non-owner partners, `[[arms.<name>.contracts.members]]`, at least one."},
    {"arms.<name>.contracts.members.partner", K::kString, "", 0, 0, true, "", "The partner (a name under `[partners]`)."},
    {"arms.<name>.contracts.members.fee", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "0", "Limb 2 as a lump sum."},
    {"arms.<name>.contracts.members.fee_rate", K::kNumber, "fraction of Limb 1", 0, 1, false, "0", "Limb 2 as a fraction of the member's cost, added to fee (brief 2.5: 2-8%, an assumption)."},
    {"arms.<name>.contracts.members.allocation", K::kNumber, "fraction", 0, 1, false, "required with allocation = \"fixed\"", "The member's fixed share of Limb 3; only with allocation = \"fixed\", where the members' shares sum to 1."},
    {"arms.<name>.contracts.members.cap", K::kNumber, "fraction of its fee", 0, 100, false, "none (uncapped)", "kappa_i: the member's Limb 3 >= -cap x its fee, applied after allocation; the `shortfall` rule places the rest."},
    {"arms.<name>.contracts.kras", K::kTableArray, "", 0, 0, false, "none", "Alliance: key result areas, `[[arms.<name>.contracts.kras]]` (ideally 6 or fewer [R1]); the KPI return P is the weighted sum of their band scores."},
    {"arms.<name>.contracts.kras.name", K::kString, "", 0, 0, true, "", "Unique within the contract; names the KRA in results and sweeps."},
    {"arms.<name>.contracts.kras.kpi", K::kString, "", 0, 0, true, "", "A system KPI or, with `service`, a service KPI, as for indicators."},
    {"arms.<name>.contracts.kras.service", K::kString, "", 0, 0, false, "none (system KPI)", "The service whose KPI it is: required for a service KPI, not allowed for a system KPI."},
    {"arms.<name>.contracts.kras.direction", K::kChoice, "", 0, 0, true, "", "Which way the KPI is good.", {"higher_is_better", "lower_is_better"}},
    {"arms.<name>.contracts.kras.thresholds", K::kNumbers, "the KPI's unit", -limits::kMaxLevel, limits::kMaxLevel, true, "", "Five levels: failure, poor, minimum (MCOS), stretch, game_breaking; ascending for higher_is_better, descending for lower_is_better. The band is the best one whose level is reached (failure when not even poor is)."},
    {"arms.<name>.contracts.kras.scores", K::kNumbers, "", -1, 1, false, "[-1, -0.5, 0, 0.5, 1]", "The five band scores, non-decreasing (brief 2.3, an assumption)."},
    {"arms.<name>.contracts.kras.interpolate", K::kBoolean, "", 0, 0, false, "false", "Score piecewise linearly between the thresholds instead of by band."},
    {"arms.<name>.contracts.kras.weight", K::kNumber, "", 0, 1, true, "", "Weight; the KRAs' weights sum to 1."},

    {"initial", K::kTableArray, "", 0, 0, false, "none", "The starting caseload: `[[initial]]` tables, at most 10000000 people in all."},
    {"initial.service", K::kString, "", 0, 0, true, "", "The service they are at."},
    {"initial.group", K::kString, "", 0, 0, true, "", "Their need group."},
    {"initial.in_service", K::kInteger, "people", 0, limits::kMaxInitialPeople, false, "0", "People part-way through an episode at day 0."},
    {"initial.waiting", K::kInteger, "people", 0, limits::kMaxInitialPeople, false, "0", "People on the waiting list at day 0."},
    {"initial.remaining", K::kChoice, "", 0, 0, false, "\"uniform\"", "How much of their episode those in service have left at day 0. `uniform`: a uniform fraction of a fresh episode's length (the caseload thins quickly: fresh lengths under-represent long episodes). `stationary`: a uniform fraction of a length-biased draw (density x f(x) / E[X], mean E[X^2] / E[X]), the remaining time of an episode in progress at a random moment of a steady state (the inspection paradox), so a caseload that is in steady state stays there. Sessions are length-biased in their count. Drop-out and crisis apply as to any episode.", {"uniform", "stationary"}},

    {"outcomes", K::kTable, "", 0, 0, false, "defaults", "How outcomes are counted."},
    {"outcomes.follow_up_days", K::kNumber, "days", 0, 36500, false, "365", "Relapse watch after discharge; then the person leaves the system."},
    {"outcomes.readmission_window_days", K::kNumber, "days", 0, 36500, false, "365", "An admission within this many days of the last discharge from an inpatient service is a readmission."},
    {"outcomes.goal_sustain_days", K::kNumber, "days", 0, 36500, false, "182", "An achieved SIOF goal is sustained if it lasts this long."},
    {"outcomes.utility_intercept", K::kNumber, "", -10, 10, false, "0", "QALYs: utility = clamp(intercept + slope x WEMWBS, min_utility, 1), accrued from arrival to death, moving away or the horizon."},
    {"outcomes.utility_slope", K::kNumber, "per WEMWBS point", -1, 1, false, "0", "Slope of the utility mapping."},
    {"outcomes.min_utility", K::kNumber, "", -1, 1, false, "-0.594", "Lowest utility (the worst EQ-5D-3L state on the UK tariff)."},

    // How results are analysed (issue 5): models/scenario/analysis_settings.hpp.
    {"analysis", K::kTable, "", 0, 0, false, "defaults", "How the results are analysed: discounting, the effect measure, willingness to pay, the base arm, risk and precision. The simulation never reads these; the analysis reads them back from the scenario text stored in the results file, and command-line options override them."},
    {"analysis.discount_rate", K::kNumber, "per year", 0, 1, false, "0.035", "Discount rate of costs and effects (the NICE reference case uses 3.5% a year)."},
    {"analysis.discount_timing", K::kChoice, "", 0, 0, false, "\"year_start\"", "When a year is discounted: `year_start` (year 1 undiscounted, year y by (1 + r)^-(y-1)) or `mid_year` (by (1 + r)^-(y-0.5)).", {"year_start", "mid_year"}},
    {"analysis.horizon_years", K::kInteger, "years", 0, limits::kMaxYears, false, "0 (every simulated year)", "Years counted in costs, effects and risks, from year 1; at most run.years. 0 counts every simulated year."},
    {"analysis.willingness_to_pay", K::kNumbers, "pounds per unit of effect", 0, limits::kMaxMoney, false, "[20000, 30000]", "Thresholds at which net monetary benefit is reported: 1 to 20 values (NICE's £20,000 and £30,000 per QALY by default)."},
    {"analysis.ceac_max", K::kNumber, "pounds per unit of effect", 0, limits::kMaxMoney, false, "100000", "The cost-effectiveness acceptability curve and the EVPI curve run from 0 to this (> 0)."},
    {"analysis.ceac_points", K::kInteger, "", 2, 1001, false, "51", "Evenly spaced points on those curves."},
    {"analysis.effect", K::kChoice, "", 0, 0, false, "\"qalys\"", "The effect of ICERs, NMB, CEAC and EVPI: QALYs, or WEMWBS points gained.", {"qalys", "wemwbs_points"}},
    {"analysis.cost_basis", K::kChoice, "", 0, 0, false, "\"ledger\"", "The cost of cost-effectiveness: the ledger (the resource cost of the activity) or what the contracts pay (`commissioner_spend`, which needs contracts in every arm).", {"ledger", "commissioner_spend"}},
    {"analysis.base_arm", K::kString, "", 0, 0, false, "the first arm", "The arm that differences, ICERs and NMB are taken against (a name under `[arms]`)."},
    {"analysis.risk_level", K::kNumber, "", 0.5, 1, false, "0.95", "Level of value-at-risk and expected shortfall, strictly between 0.5 and 1."},
    {"analysis.commissioner_budget", K::kNumber, "pounds per year", 0, limits::kMaxMoney, false, "none (not stated)", "The commissioner's yearly budget for these services: the analysis reports P(spend > budget)."},
    {"analysis.precision", K::kTable, "", 0, 0, false, "none", "Wanted precision of means, `{ incremental_cost = 500000 }`: for each metric the half-width of the 95% confidence interval of its mean; the analysis reports the replications needed. Metrics: cost, qalys, wemwbs_points, commissioner_spend (per arm), incremental_cost, incremental_qalys, incremental_wemwbs_points, incremental_nmb (against the base arm)."},
    {"analysis.precision.<metric>", K::kNumber, "the metric's unit", 0, limits::kMaxMoney, false, "none", "The half-width (> 0) for that metric, in its unit (pounds, QALYs, WEMWBS points)."},

    // Probabilistic sensitivity analysis: models/scenario/uncertainty.hpp, docs/pathway-model.md.
    {"uncertainty", K::kTable, "", 0, 0, false, "none (no PSA)", "Probabilistic sensitivity analysis: one sub-table per uncertain parameter, `[uncertainty.<name>]`, giving a number of this file a distribution. Each replication draws every parameter once (a Gaussian copula, correlated by `[[correlation]]` groups) from a stream that depends on (seed, replication) only, and all arms of the replication run with the same values; the results record them (psa/*)."},
    {"uncertainty.<name>.key", K::kString, "", 0, 0, true, "", "Dotted path of the number it replaces, as written in this file: `arms.living_well.front_door_diversion`; array elements as `initial[0].in_service`; inside inline tables as `services.cmht.wemwbs_change.mean`. The number there is the base value, and the scenario must stay valid at the distribution's 0.001 and 0.999 quantiles. An integer in the file stays an integer: drawn values are rounded to the nearest integer (write 1.0, not 1, to draw fractions). Not allowed: keys under run, model, uncertainty, correlation and analysis, partners' reserves, and contract terms (`arms.<arm>.contracts`: policy choices, varied with `mhsim sweep`); two parameters on one key."},
    {"uncertainty.<name>.distribution", K::kChoice, "", 0, 0, true, "", "The family; its parameters are the other keys of the table.", uncertain_distributions()},
    {"uncertainty.<name>.alpha", K::kNumber, "", 0, limits::kMaxParameter, false, "", "Beta: first shape (> 0), with `beta`."},
    {"uncertainty.<name>.beta", K::kNumber, "", 0, limits::kMaxParameter, false, "", "Beta: second shape (> 0), with `alpha`."},
    {"uncertainty.<name>.shape", K::kNumber, "", 0, limits::kMaxParameter, false, "", "Gamma: shape k (> 0), with `scale`; mean k x scale."},
    {"uncertainty.<name>.scale", K::kNumber, "key's unit", 0, limits::kMaxParameter, false, "", "Gamma: scale (> 0), with `shape`."},
    {"uncertainty.<name>.meanlog", K::kNumber, "", -1000, 1000, false, "", "Lognormal: mean of the logarithm, with `sdlog`."},
    {"uncertainty.<name>.sdlog", K::kNumber, "", 0, 100, false, "", "Lognormal: standard deviation of the logarithm (> 0), with `meanlog`."},
    {"uncertainty.<name>.mean", K::kNumber, "key's unit", -limits::kMaxParameter, limits::kMaxParameter, false, "", "Normal: the mean, with `sd`. Gamma, lognormal and beta also take `mean` and `sd` of the variable itself instead of their own parameters (method of moments): gamma shape = mean^2 / sd^2, scale = sd^2 / mean (mean > 0); lognormal sdlog^2 = ln(1 + sd^2 / mean^2), meanlog = ln(mean) - sdlog^2 / 2 (mean > 0); beta alpha = mean c, beta = (1 - mean) c with c = mean (1 - mean) / sd^2 - 1 (0 < mean < 1, sd^2 < mean (1 - mean))."},
    {"uncertainty.<name>.sd", K::kNumber, "key's unit", 0, limits::kMaxParameter, false, "", "Standard deviation (> 0): normal; gamma, lognormal and beta with `mean`."},
    {"uncertainty.<name>.low", K::kNumber, "key's unit", -limits::kMaxParameter, limits::kMaxParameter, false, "", "Uniform, triangular: lower bound (< high)."},
    {"uncertainty.<name>.mode", K::kNumber, "key's unit", -limits::kMaxParameter, limits::kMaxParameter, false, "", "Triangular: most likely value, low <= mode <= high."},
    {"uncertainty.<name>.high", K::kNumber, "key's unit", -limits::kMaxParameter, limits::kMaxParameter, false, "", "Uniform, triangular: upper bound (> low)."},
    {"uncertainty.<name>.source", K::kString, "", 0, 0, true, "", "Where the distribution comes from: a source tag, or \"assumption: ...\" (required)."},
    {"correlation", K::kTableArray, "", 0, 0, false, "none (independent)", "Correlated groups of uncertain parameters, `[[correlation]]` tables. The matrix is the correlation of the parameters' normal scores in the Gaussian copula (close to, but not exactly, the rank correlation of the values). A parameter may be in one group at most; parameters in no group are independent."},
    {"correlation.parameters", K::kStrings, "", 0, 0, true, "", "Names of `[uncertainty.<name>]` tables, at least two, each once."},
    {"correlation.matrix", K::kMatrix, "", -1, 1, true, "", "The group's correlation matrix, rows and columns in the order of `parameters`: `[[1.0, 0.3], [0.3, 1.0]]`; symmetric, unit diagonal, entries in [-1, 1], positive definite."},
    // Named variants: models/scenario/variants.hpp, docs/pathway-model.md.
    {"variants", K::kTable, "", 0, 0, false, "none", "Named variants of the scenario, `[variants.<name>]`, each a set of numbers that replace the file's base values when run with `--variant <name>` (mhsim run, calibrate, reproduce): two readings of a published figure, a local option, a sensitivity case. Every other key of the table is a dotted key path of a number of this file, quoted when it has an index (`\"arms.living_well.front_door_diversion[1]\" = 0.3`) or written as TOML dotted keys (`arms.living_well.gatekeeping = 0.2`), with the [uncertainty] key rules; the scenario must be valid under each variant. A variant's value is the base value of an uncertain parameter on the same key."},
    {"variants.<name>.description", K::kString, "", 0, 0, false, "\"\"", "What this variant is (shown by mhsim reproduce and in results)."},
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
    case KeyType::kNumberOrNone: return "number or \"none\"";
    case KeyType::kMatrix: return "array of arrays of numbers";
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
    case KeyType::kNumberOrNone:
      return "a number in [" + number_text(min) + ", " + number_text(max) + "], or \"none\"";
    case KeyType::kMatrix:
      return "a square array of arrays of numbers in [" + number_text(min) + ", " + number_text(max) + "]";
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
    case KeyType::kNumberOrNone: return "[" + number_text(k.min) + ", " + number_text(k.max) + "] or \"none\"";
    case KeyType::kNumbers:
    case KeyType::kMatrix:
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
