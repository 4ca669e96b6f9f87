// SPDX-License-Identifier: MIT
// A pathway scenario file: its root keys declared once (the rest beside their structs), read
// by the generic Reader, checked by the generic Validator, set by key path by the Setter and
// documented by Docs, all walking the same declarations.
#include "models/scenario/pathway_scenario.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "models/contracts/terms_schema.hpp"
#include "models/pathway/pathway_schema.hpp"
#include "models/schema/check.hpp"
#include "models/schema/docs.hpp"
#include "models/schema/paths.hpp"
#include "models/scenario/toml_reader.hpp"
#include "models/psa/uncertainty_schema.hpp"

namespace mhsim::scenario {

namespace {

namespace ct = models::contracts;
namespace pw = models::pathway;
namespace ledger = models::ledger;
using schema::Vary;

constexpr std::array<std::string_view, 2> kModelNames = {"network", "pathway"};
constexpr std::array<std::string_view, 2> kTimingNames = {"year_start", "mid_year"};
constexpr std::array<std::string_view, 2> kEffectNames = {"qalys", "wemwbs_points"};
constexpr std::array<std::string_view, 2> kCostBasisNames = {"ledger", "commissioner_spend"};

template <class V>
void describe_analysis(V& v, AnalysisSettings& a) {
  using namespace schema;
  v(number("discount_rate", a.discount_rate).range(0, 1).unit("per year").otherwise("0.035").vary(Vary::kAnalysis)
        .doc("Discount rate of costs and effects (the NICE reference case uses 3.5% a year)."));
  v(choice("discount_timing", a.mid_year, kTimingNames).otherwise("\"year_start\"").vary(Vary::kAnalysis)
        .doc("When a year is discounted: `year_start` (year 1 undiscounted, year y by (1 + r)^-(y-1)) or `mid_year` "
             "(by (1 + r)^-(y-0.5))."));
  v(integer("horizon_years", a.horizon_years).range(0, limits::kMaxYears).unit("years")
        .otherwise("0 (every simulated year)").vary(Vary::kAnalysis)
        .doc("Years counted in costs, effects and risks, from year 1; at most run.years. 0 counts every simulated "
             "year."));
  v(numbers("willingness_to_pay", a.willingness_to_pay).range(0, limits::kMaxMoney).unit("pounds per unit of effect")
        .otherwise("[20000, 30000]").vary(Vary::kAnalysis)
        .doc("Thresholds at which net monetary benefit is reported: 1 to 20 values (NICE's £20,000 and £30,000 per "
             "QALY by default)."));
  v(number("ceac_max", a.ceac_max).range(0, limits::kMaxMoney).positive().unit("pounds per unit of effect")
        .otherwise("100000").vary(Vary::kAnalysis)
        .doc("The cost-effectiveness acceptability curve and the EVPI curve run from 0 to this (> 0)."));
  v(integer("ceac_points", a.ceac_points).range(2, 1001).otherwise("51").vary(Vary::kAnalysis)
        .doc("Evenly spaced points on those curves."));
  v(choice("effect", a.effect, kEffectNames).otherwise("\"qalys\"").vary(Vary::kAnalysis)
        .doc("The effect of ICERs, NMB, CEAC and EVPI: QALYs, or WEMWBS points gained."));
  v(choice("cost_basis", a.cost_basis, kCostBasisNames).otherwise("\"ledger\"").vary(Vary::kAnalysis)
        .doc("The cost of cost-effectiveness: the ledger (the resource cost of the activity) or what the contracts pay "
             "(`commissioner_spend`, which needs contracts in every arm)."));
  v(reference("base_arm", a.base_arm, "arms", "arm").otherwise("the first arm").vary(Vary::kAnalysis)
        .doc("The arm that differences, ICERs and NMB are taken against (a name under `[arms]`)."));
  v(number("risk_level", a.risk_level).range(0.5, 1).otherwise("0.95").vary(Vary::kAnalysis)
        .doc("Level of value-at-risk and expected shortfall, strictly between 0.5 and 1."));
  v(number("commissioner_budget", a.commissioner_budget).range(0, limits::kMaxMoney).unit("pounds per year")
        .otherwise("none (not stated)").vary(Vary::kAnalysis)
        .doc("The commissioner's yearly budget for these services: the analysis reports P(spend > budget)."));
  v(map("precision", a.precision_by_metric, "", "metric").choices(kPrecisionMetrics).range(0, limits::kMaxMoney)
        .unit("the metric's unit").otherwise("none").vary(Vary::kAnalysis)
        .entry_doc("The half-width (> 0) for that metric, in its unit (pounds, QALYs, WEMWBS points).")
        .doc("Wanted precision of means, `{ incremental_cost = 500000 }`: for each metric the half-width of the 95% "
             "confidence interval of its mean; the analysis reports the replications needed. Metrics: cost, qalys, "
             "wemwbs_points, commissioner_spend (per arm), incremental_cost, incremental_qalys, "
             "incremental_wemwbs_points, incremental_nmb (against the base arm)."));
  v(number("voi_decisions_per_year", a.voi_decisions_per_year).range(0, limits::kMaxPopulation).unit("decisions per year")
        .otherwise("1").vary(Vary::kAnalysis)
        .doc("Commissioning decisions a year that resolving an uncertainty would inform (this borough's is 1; a "
             "national study informs many): population EVPI and EVPPI are the per-decision values times the "
             "discounted count over `voi_years`."));
  v(integer("voi_years", a.voi_years).range(1, 100).unit("years").otherwise("1").vary(Vary::kAnalysis)
        .doc("Years over which that information keeps informing decisions, discounted at `discount_rate`."));
  v(named("groups", a.groups, "parameter group").otherwise("none").max_entries(100).vary(Vary::kAnalysis)
        .doc("Groups of uncertain inputs whose value of information is assessed together, one sub-table each "
             "(`[analysis.groups.front_door]`): what one study or pilot would measure at once. Every input is also "
             "assessed on its own."),
    [&](V& w, ParameterGroup& g, std::size_t) {
      w(names("parameters", g.parameters, "", "uncertain parameter").required().vary(Vary::kAnalysis)
            .doc("Names of `[uncertainty.<name>]` tables, 1 to 20, each once."));
      w(text("description", g.description).otherwise("\"\"").vary(Vary::kAnalysis)
            .doc("What studying the group would mean (shown beside its value)."));
    });
}

namespace inc = models::incentives;

/// The elasticity of each decision (`gatekeeping`, `step_down`, `diversion`).
template <class V>
void describe_elasticities(V& v, std::array<double, inc::kDecisions>& e, const char* otherwise) {
  using namespace schema;
  v(number("gatekeeping", e[0]).range(-20, 20).otherwise(otherwise)
        .doc("Elasticity of gatekeeping in the stake of accepting a referral to a gatekept service the provider owns "
             "(against refusing it): P(refuse) = min(1, gatekeeping x factor) x occupancy. Positive: a provider that "
             "bears the cost refuses more."));
  v(number("step_down", e[1]).range(-20, 20).otherwise(otherwise)
        .doc("Elasticity of step-down speed in the stake of keeping someone one more month at a long-term service "
             "the provider owns: speed = step_down_speed x factor. Positive: a provider that bears the cost steps "
             "people down sooner."));
  v(number("diversion", e[2]).range(-20, 20).otherwise(otherwise)
        .doc("Elasticity of front-door diversion in the stake of referring someone on from a front-door service the "
             "provider owns to a secondary service (against keeping them: the arm's diversion_to): P(divert) = min(1, "
             "front_door_diversion x factor). Positive: a front door that shares the cost of secondary care keeps "
             "more."));
}

// Rules that span the whole file, reported through the Validator `c` at the root.
void check_whole(Validator& c, const PathwayScenario& sc);

template <class V>
void describe(V& v, PathwayScenario& sc) {
  using namespace schema;
  std::string model = "pathway";
  v(choice("model", model, kModelNames).otherwise("\"network\"").vary(Vary::kRun)
        .doc("Which model the file describes: a general queueing network, or the mental-health pathway model (which "
             "must say `model = \"pathway\"`)."));
  v(table("scenario").doc("Describes the scenario.").vary(Vary::kRun), [&](V& w) {
    w(text("name", sc.name).otherwise("file name").vary(Vary::kRun).doc("Short name shown in summaries and stored in results."));
    w(text("description", sc.description).otherwise("\"\"").vary(Vary::kRun)
          .doc("What the scenario represents and where its numbers come from."));
  });
  v(table("run").required().vary(Vary::kRun).doc("How to run the scenario."), [&](V& w) {
    w(integer("seed", sc.run.seed).range(0, limits::kMaxSeed).required().vary(Vary::kRun)
          .doc("Master seed; with the replication index and a stream name it fixes every random draw. `--seed` "
               "overrides it."));
    w(integer("replications", sc.run.replications).range(1, limits::kMaxReplications).required().vary(Vary::kRun)
          .doc("Independent replications. `--reps` overrides it."));
    w(integer("years", sc.spec.years).range(1, limits::kMaxYears).unit("years").required().vary(Vary::kRun)
          .doc("Simulated years per replication; activity, cost and KPIs are reported per year."));
    w(integer("baseline_replications", sc.baseline_replications).range(1, 100000).unit("replications").otherwise("40")
          .vary(Vary::kRun)
          .doc("Replications of the baseline pass that resolves `[derived]` numbers before the run (their own random "
               "streams; unused without `[derived]`)."));
    w(integer("max_in_system", sc.spec.max_in_system).range(1, limits::kMaxInSystem).unit("people")
          .otherwise("10000000").vary(Vary::kRun)
          .doc("A replication with more people in the system at once stops with an error (guards against unstable "
               "scenarios)."));
  });
  v(table("population").required().doc("The catchment whose residents may arrive."), [&](V& w) {
    w(number("size", sc.spec.population.size).range(0, limits::kMaxPopulation).positive().unit("people").required()
          .doc("People in the catchment (must be > 0); arrival rates are per 1,000 of them."));
    w(map("group_share", sc.group_share, "groups", "need group").or_number().range(0, 1).unit("fraction").otherwise("none")
          .doc("Share of the catchment in each need group: a table by group (groups left out: 0), summing to 1. The "
               "simulation does not use it (groups carry arrival rates); need-weighted capitation does, and requires "
               "it when a contract has `need_weights`."));
  });
  v(named("groups", sc.spec.population.groups, "need group").required().max_entries(limits::kMaxGroups)
        .doc("One sub-table per need group (`[groups.common_mental_disorder]`), at most 100; file order is index order."),
    [&](V& w, pw::NeedGroup& g, std::size_t) { pw::describe(w, g); });
  v(named("partners", sc.spec.partners, "partner").required().max_entries(limits::kMaxServices)
        .doc("One sub-table per partner organisation that owns services (`[partners.trust]`); file order."),
    [&](V& w, pw::PartnerSpec& p, std::size_t i) {
      pw::describe(w, p);
      auto& own = sc.incentives.partner;
      constexpr double kDefault = std::numeric_limits<double>::quiet_NaN();
      if (own.size() <= i) own.resize(i + 1, {kDefault, kDefault, kDefault});
      w(table("elasticity").otherwise("`[incentives]`'s")
            .doc("This partner's own elasticities, overriding `[incentives]` (docs/incentives.md): how strongly it "
                 "responds to the price its contracts put on each decision."),
        [&](V& x) { describe_elasticities(x, own[i], "the `[incentives]` value"); });
    });
  v(named("cost_categories", sc.spec.cost_categories, "cost category").otherwise("none (unit costs do not inflate)")
        .max_entries(limits::kMaxArms)
        .doc("Categories of cost whose unit costs rise at their own rate (`[cost_categories.pay]`, "
             "`[cost_categories.placements]`; file order), separately from any contract's indexation or uplift: a "
             "service's `cost_mix` says how its unit costs split among them."),
    [&](V& w, pw::CostCategory& k, std::size_t) {
      w(text("description", k.description).otherwise("none").doc("What the category holds."));
      w(number("inflation", k.inflation).range(-0.5, 1).unit("per year").otherwise("0")
            .doc("The yearly rise of the category's unit costs: in year y (0-based) they are x (1 + inflation)^y."));
    });
  v(named("services", sc.spec.services, "service").required().max_entries(limits::kMaxServices)
        .doc("One sub-table per service (`[services.talking_therapies]`), at most 1000; file order is index order. No "
             "service may be called \"discharge\"."),
    [&](V& w, pw::ServiceSpec& s, std::size_t) { pw::describe(w, s); });
  v(named("commissioners", sc.commissioners, "commissioner").otherwise("one commissioner pays every contract")
        .max_entries(limits::kMaxArms).vary(Vary::kPolicy)
        .doc("Several commissioners pooling a budget (`[commissioners.icb]`, `[commissioners.council]`; file order): "
             "each contract's `funders` split what it pays among them, and results give each one's spend "
             "(docs/contracts.md, \"A pooled budget\")."),
    [&](V& w, ct::Commissioner& c, std::size_t) {
      w(text("description", c.description).otherwise("none").vary(Vary::kPolicy).doc("Who the commissioner is."));
      w(number("budget", c.budget).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("none (not stated)")
            .vary(Vary::kAnalysis)
            .doc("What the commissioner has a year for these services: the analysis reports P(its spend over the horizon "
                 "> budget x years). Settlement never reads it."));
    });
  v(named("arms", sc.spec.arms, "arm").required().max_entries(limits::kMaxArms).inherits()
        .doc("One sub-table per arm (`[arms.alliance]`), at most 100, compared on the same people; file order."),
    [&](V& w, pw::ArmSpec& a, std::size_t i) {
      if (sc.contracts.size() <= i) sc.contracts.resize(i + 1);
      pw::describe(w, a);
      w(tables("contracts", sc.contracts[i].terms.contracts).otherwise("none (not settled)").vary(Vary::kPolicy)
            .key_field("name")
            .doc("The arm's payment terms: `[[arms.<name>.contracts]]` tables (an alliance covers several partners). "
                 "An arm without contracts is simulated but not settled. A partner holds one contract of an arm, or "
                 "several that each name their `services`; an arm has at most one alliance. `type` decides which of "
                 "the keys below a contract takes; the others are errors."),
        [&](V& x, ct::Contract& c, std::size_t) { ct::describe(x, c); });
    });
  v(tables("initial", sc.spec.initial).otherwise("none")
        .doc("The starting caseload: `[[initial]]` tables, at most 10000000 people in all."),
    [&](V& w, pw::InitialStock& s, std::size_t) { pw::describe(w, s); });
  v(table("outcomes", sc.spec.outcomes).otherwise("defaults").doc("How outcomes are counted."),
    [&](V& w, pw::OutcomeSpec& o) { pw::describe(w, o); });
  v(table("incentives", sc.incentives).otherwise("none (providers do not respond)")
        .doc("Providers respond to incentives (docs/incentives.md): the price a provider's contract puts on accepting a "
             "referral, keeping someone a month longer, or referring on from the front door (found by settling its "
             "expected year with and without the decision) scales the arm's gatekeeping, step-down speed and "
             "front-door diversion by clamp(exp(elasticity x stake), 1 / max_factor, max_factor). With every elasticity "
             "0 (the default) nothing responds and results are those of the stated behaviour. When any is not 0, the "
             "arms' stated behaviour parameters are read as the behaviour of a provider with no financial stake."),
    [&](V& w, inc::IncentiveSpec& i) {
      describe_elasticities(w, i.elasticity, "0");
      w(number("max_factor", i.max_factor).range(1, 100).otherwise("4")
            .doc("A response multiplies a behaviour parameter by at most this and at least its inverse (assumption: "
                 "providers' room to change practice is bounded)."));
      w(integer("pilot_replications", i.pilot_replications).range(1, 100000).unit("replications").otherwise("20")
            .vary(Vary::kRun)
            .doc("Replications of a pilot run without response (its own random streams) whose mean year is each "
                 "provider's expected position: the point at which its contract's prices are found."));
    });
  v(table("analysis", sc.analysis).otherwise("defaults").vary(Vary::kAnalysis)
        .doc("How the results are analysed: discounting, the effect measure, willingness to pay, the base arm, risk "
             "and precision. The simulation never reads these; the analysis reads them back from the scenario text "
             "stored in the results file, and command-line options override them."),
    [&](V& w, AnalysisSettings& a) { describe_analysis(w, a); });
  v(named("uncertainty", sc.uncertainty.parameters, "uncertain parameter").max_entries(limits::kMaxUncertain)
        .otherwise("none (no PSA)").vary(Vary::kMeta)
        .doc("Probabilistic sensitivity analysis: one sub-table per uncertain parameter, `[uncertainty.<name>]`, giving "
             "a number of this file a distribution. Each replication draws every parameter once (a Gaussian copula, "
             "correlated by `[[correlation]]` groups) from a stream that depends on (seed, replication) only, and all "
             "arms of the replication run with the same values; the results record them (psa/*)."),
    [&](V& w, UncertainParameter& p, std::size_t) { models::psa::describe(w, p); });
  v(tables("correlation", sc.uncertainty.groups).otherwise("none (independent)").vary(Vary::kMeta)
        .doc("Correlated groups of uncertain parameters, `[[correlation]]` tables. The matrix is the correlation of the "
             "parameters' normal scores in the Gaussian copula (close to, but not exactly, the rank correlation of "
             "the values). A parameter may be in one group at most; parameters in no group are independent."),
    [&](V& w, CorrelationGroup& g, std::size_t) { models::psa::describe(w, g); });
  v(named("variants", sc.variants, "variant").max_entries(limits::kMaxArms).otherwise("none").vary(Vary::kMeta).open()
        .doc("Named variants of the scenario, `[variants.<name>]`, each a set of numbers that replace the file's base "
             "values when run with `--variant <name>` (mhsim run, calibrate, reproduce): two readings of a published "
             "figure, a local option, a sensitivity case. Every other key of the table is a dotted key path of a "
             "number of this file, quoted when it has an index (`\"arms.living_well.front_door_diversion[1]\" = 0.3`) "
             "or written as TOML dotted keys (`arms.living_well.gatekeeping = 0.2`), with the [uncertainty] key "
             "rules; the scenario must be valid under each variant. A variant's value is the base value of an "
             "uncertain parameter on the same key."),
    [&](V& w, ScenarioVariant& x, std::size_t) {
      w(text("description", x.description).otherwise("\"\"").vary(Vary::kMeta).expect("a string: what this variant is")
            .doc("What this variant is (shown by mhsim reproduce and in results)."));
    });
  v(named("derived", sc.derived, "derived number").max_entries(1000).otherwise("none").vary(Vary::kMeta)
        .doc("Numbers the run measures instead of reading: `[derived.\"<key>\"]`, where <key> is the dotted path of "
             "a contract term, a partner's `reserves` or a commissioner's budget of this file (as `[variants]` write "
             "it, e.g. `\"arms.block.contracts[0].annual\"`). Before it simulates, the run (mhsim run, stress, "
             "reproduce) simulates `run.baseline_replications` replications of the scenario on their own random "
             "streams, at the file's base values (no variant, no uncertainty draws, no incentive response), "
             "measures the quantity below in each, and sets the key to the statistic x `scale`. The results file "
             "records every value and the rule it came from (root attributes `settings` and `derived`); a key set "
             "with `--set` keeps that value. A key written in the file keeps its written value wherever nothing "
             "runs the model (mhsim keys, the file's own checks); required keys must still be written."),
    [&](V& w, DerivedNumber& d, std::size_t) { describe(w, d); });
  v.check([&](auto& c) { check_whole(c, sc); });
}

// ---- derived values -----------------------------------------------------------------------

/// A [derived] rule's own arm and contract (from its key) and its KPI (from its name).
void finalize_derived(PathwayScenario& sc) {
  const auto& sys = ledger::system_kpis();
  const auto& svc = ledger::service_kpis();
  for (DerivedNumber& d : sc.derived) {
    d.own_arm = d.own_contract = schema::kNone;
    const auto steps = schema::parse_path(d.name);
    if (steps && steps->size() >= 2 && (*steps)[0].key == "arms" && (*steps)[0].indices.empty()) {
      for (std::size_t a = 0; a < sc.spec.arms.size(); ++a) {
        if (sc.spec.arms[a].name == (*steps)[1].key) d.own_arm = a;
      }
    }
    if (d.own_arm != schema::kNone && d.own_arm < sc.contracts.size() && steps->size() >= 3 &&
        (*steps)[2].key == "contracts") {
      const auto& contracts = sc.contracts[d.own_arm].terms.contracts;
      const PathStep& step = (*steps)[2];
      if (step.indices.size() == 1 && step.indices[0] < contracts.size()) d.own_contract = step.indices[0];
      for (std::size_t c = 0; step.indices.empty() && steps->size() >= 4 && c < contracts.size(); ++c) {
        if (contracts[c].name == (*steps)[3].key) d.own_contract = c;
      }
    }
    for (std::size_t i = 0; i < sys.size(); ++i) {
      if (sys[i].name == d.kpi_name) d.kpi = ct::KpiRef::system(static_cast<ledger::SystemKpi>(i));
    }
    for (std::size_t i = 0; i < svc.size() && d.kpi_service != schema::kNone; ++i) {
      if (svc[i].name == d.kpi_name) d.kpi = ct::KpiRef::of_service(d.kpi_service, static_cast<ledger::ServiceKpi>(i));
    }
  }
}

/// Everything the structs derive from what is written: run after reading and after every
/// change, so it depends only on the written values (and is idempotent).
void finalize(PathwayScenario& sc, const Source& source) {
  pw::PathwaySpec& spec = sc.spec;
  for (pw::ServiceSpec& s : spec.services) s.routes_by_group.resize(spec.population.groups.size());
  if (sc.name.empty()) {
    const auto slash = sc.file.find_last_of('/');
    sc.name = sc.file.substr(slash == std::string::npos ? 0 : slash + 1);
  }
  for (pw::ArmSpec& a : spec.arms) pw::finalize(a, spec.services);
  for (ct::ArmContracts& arm : sc.contracts) ct::finalize(arm.terms);
  finalize_derived(sc);
  AnalysisSettings& a = sc.analysis;
  a.reserves.clear();
  for (const pw::PartnerSpec& p : spec.partners) a.reserves.push_back(p.reserves);
  // Precision targets in the order the file writes them.
  std::vector<std::pair<Position, PrecisionTarget>> precision;
  for (std::size_t m = 0; m < kPrecisionMetrics.size(); ++m) {
    if (!(a.precision_by_metric[m] > 0)) continue;
    const std::string path = "analysis.precision." + std::string(kPrecisionMetrics[m]);
    const auto it = source.at.find(path);
    precision.push_back({it == source.at.end() ? Position{0, static_cast<std::uint32_t>(m)} : it->second,
                         PrecisionTarget{std::string(kPrecisionMetrics[m]), a.precision_by_metric[m]}});
  }
  std::stable_sort(precision.begin(), precision.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  a.precision.clear();
  for (auto& [at, target] : precision) a.precision.push_back(std::move(target));
}

// ---- whole-file rules ---------------------------------------------------------------------

std::string arm_path(const PathwayScenario& sc, std::size_t a) { return "arms." + sc.spec.arms[a].name; }

/// The keys the flows between services are made of.
constexpr const char* kFlowSections[] = {"services", "arms", "groups", "population", "partners", "initial"};

void check_whole(Validator& c, const PathwayScenario& sc) {
  const Source& src = c.source();
  const pw::PathwaySpec& spec = sc.spec;
  for (const pw::ServiceSpec& s : spec.services) {
    if (s.name != "discharge") continue;
    const std::string at = "services.discharge";
    const auto [line, col] = src.table_position(at);
    c.add_at(at, Position{line, col}, "a service name other than \"discharge\" (it names the way out of services)",
             "a service called \"discharge\"");
  }
  if (src.present("population.group_share") && src.ok("population.group_share")) {
    double sum = 0;
    for (const double x : sc.group_share) sum += x;
    if (std::fabs(sum - 1.0) > 1e-9) c.error_at("population.group_share", "shares that sum to 1", "a sum of " + c.number(sum));
  }
  double total = 0;
  for (const pw::InitialStock& st : spec.initial) total += static_cast<double>(st.in_service) + static_cast<double>(st.waiting);
  if (total > limits::kMaxInitialPeople) {
    c.error_at("initial", "at most " + number_text(limits::kMaxInitialPeople) + " people in the starting caseload",
               number_text(total));
  }
  // Contracts, and alliances whose targets are set from each other's arms in a cycle.
  std::vector<std::size_t> target(spec.arms.size(), schema::kNone);
  for (std::size_t a = 0; a < spec.arms.size() && a < sc.contracts.size(); ++a) {
    std::vector<std::size_t> owner;
    for (const pw::ServiceSpec& svc : spec.services) owner.push_back(svc.partner);
    ct::check_arm_contracts(c, sc.contracts[a].terms, arm_path(sc, a), a, owner);
    const ct::TargetRule* rule = sc.contracts[a].target();
    if (rule != nullptr && rule->arm != schema::kNone && rule->arm != a) target[a] = rule->arm;
  }
  for (std::size_t a = 0; a < target.size(); ++a) {
    if (target[a] == schema::kNone) continue;
    std::vector<std::size_t> chain{a};
    std::size_t b = target[a];
    while (b != a && b != schema::kNone && chain.size() <= target.size()) {
      chain.push_back(b);
      b = target[b];
    }
    if (b != a || *std::min_element(chain.begin(), chain.end()) != a) continue;
    std::string text;
    for (std::size_t i : chain) text += spec.arms[i].name + " -> ";
    text += spec.arms[a].name;
    for (std::size_t i = 0; i < sc.contracts[a].terms.contracts.size(); ++i) {
      if (!std::holds_alternative<ct::AllianceTerms>(sc.contracts[a].terms.contracts[i].terms)) continue;
      c.error_at(arm_path(sc, a) + ".contracts[" + std::to_string(i) + "].target.arm",
                 "a reference arm whose alliance target does not lead back to this arm", "a cycle: " + text);
    }
  }
  // Analysis settings against the rest of the file.
  const AnalysisSettings& an = sc.analysis;
  const bool years_ok = src.present("run.years") && src.ok("run.years");
  if (years_ok && an.horizon_years > static_cast<std::size_t>(spec.years) && src.ok("analysis.horizon_years")) {
    c.error_at("analysis.horizon_years",
               "an integer in [0, " + std::to_string(spec.years) + "] (at most run.years; 0 = every year)",
               std::to_string(an.horizon_years));
  }
  if (src.present("analysis.willingness_to_pay") && src.ok("analysis.willingness_to_pay") &&
      (an.willingness_to_pay.empty() || static_cast<double>(an.willingness_to_pay.size()) > limits::kMaxThresholds)) {
    c.error_at("analysis.willingness_to_pay", "1 to " + number_text(limits::kMaxThresholds) + " thresholds",
               std::to_string(an.willingness_to_pay.size()));
  }
  if (src.present("analysis.risk_level") && src.ok("analysis.risk_level") && !(an.risk_level > 0.5 && an.risk_level < 1.0)) {
    c.error_at("analysis.risk_level", "a number in (0.5, 1), both ends excluded", c.number(an.risk_level));
  }
  if (an.cost_basis == "commissioner_spend") {
    std::vector<std::string> without;
    for (std::size_t i = 0; i < sc.contracts.size() && i < spec.arms.size(); ++i) {
      if (sc.contracts[i].terms.contracts.empty()) without.push_back(spec.arms[i].name);
    }
    if (!without.empty()) {
      c.error_at("analysis.cost_basis", "\"ledger\", or contracts in every arm for \"commissioner_spend\" (what the contracts pay)",
                 "\"commissioner_spend\" with arm" + std::string(without.size() == 1 ? " " : "s ") + quoted(without) +
                     " settled by no contract");
    }
  }
  for (std::size_t m = 0; m < kPrecisionMetrics.size(); ++m) {
    const std::string at = "analysis.precision." + std::string(kPrecisionMetrics[m]);
    if (src.present(at) && src.ok(at) && !(an.precision_by_metric[m] > 0)) c.error_at(at, "a half-width > 0", c.number(an.precision_by_metric[m]));
  }
  // Value-of-information groups name uncertain parameters, each once, at most 20.
  for (const ParameterGroup& g : an.groups) {
    const std::string at = "analysis.groups." + g.name + ".parameters";
    if (!src.present(at) || !src.ok(at)) continue;
    if (g.parameters.empty() || g.parameters.size() > 20) {
      c.error_at(at, "1 to 20 names of uncertain parameters", std::to_string(g.parameters.size()) + " names");
    }
    for (std::size_t i = 0; i < g.parameters.size(); ++i) {
      const std::string& name = g.parameters[i];
      const std::string item = at + "[" + std::to_string(i) + "]";
      const bool known = std::any_of(sc.uncertainty.parameters.begin(), sc.uncertainty.parameters.end(),
                                     [&](const auto& u) { return u.name == name; });
      if (!known) {
        std::vector<std::string> defined;
        for (const auto& u : sc.uncertainty.parameters) defined.push_back(u.name);
        c.error_at(item, defined.empty() ? std::string("the name of an uncertain parameter (the file has no [uncertainty] tables)")
                                         : "the name of an uncertain parameter (one of " + quoted(defined) + ")",
                   "an unknown parameter \"" + name + "\"");
      } else if (std::find(g.parameters.begin(), g.parameters.begin() + static_cast<std::ptrdiff_t>(i), name) !=
                 g.parameters.begin() + static_cast<std::ptrdiff_t>(i)) {
        c.error_at(item, "each parameter once in a group", "\"" + name + "\" a second time");
      }
    }
  }
  // A parameter in two correlation groups.
  std::map<std::string, std::string> group_of;
  for (std::size_t g = 0; g < sc.uncertainty.groups.size(); ++g) {
    const std::string at = "correlation[" + std::to_string(g) + "]";
    if (!src.ok(at + ".parameters")) continue;
    const auto& names = sc.uncertainty.groups[g].parameters;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
          names.begin() + static_cast<std::ptrdiff_t>(i)) {
        continue;
      }
      const auto [it, fresh] = group_of.emplace(names[i], at);
      if (!fresh) {
        c.error_at(at + ".parameters[" + std::to_string(i) + "]", "a parameter in no other correlation group",
                   "\"" + names[i] + "\", already in " + it->second);
      }
    }
  }
  // The flows between services are checked once the keys they are made of read cleanly, so
  // that their errors come with the others (an error elsewhere, say in run.seed, does not
  // hide them); the model's whole-spec check only once everything does.
  const bool flows_read = std::all_of(std::begin(kFlowSections), std::end(kFlowSections),
                                      [&](const char* section) { return c.clean_under(section); });
  if (flows_read) pw::check_flows(c, spec);
  if (!c.clean()) return;
  // A safety net: the model's own consistency check should find nothing left.
  for (const std::string& problem : pw::check_spec(spec)) {
    c.add_at("", Position{0, 0}, "a consistent pathway specification", problem);
  }
}

// ---- keys, set by path ----------------------------------------------------------------------

const char* const kKeySyntax =
    "a dotted key path such as \"arms.living_well.front_door_diversion\", \"initial[0].in_service\" or "
    "\"services.cmht.wemwbs_change.mean\"";

bool permitted(Settable who, const schema::Info& info) {
  switch (who) {
    case Settable::kAny: return info.vary != Vary::kMeta;
    case Settable::kModel: return info.vary == Vary::kModel;
    case Settable::kContracts: return info.vary == Vary::kPolicy;
  }
  return false;
}

/// Why a key may not take values drawn, fitted or varied.
std::string refusal(const schema::Info& info) {
  switch (info.vary) {
    case Vary::kModel: return "";
    case Vary::kRun: return "a key the simulation reads (not under run, model or scenario: run settings are not uncertain)";
    case Vary::kMeta: return "a key of the scenario, not of its uncertainty or variants";
    case Vary::kAnalysis:
      return "a key the simulation reads (analysis settings and partners' reserves are not simulated)";
    case Vary::kPolicy:
      return "a key that is not a contract term (contract terms are policy choices, not uncertain: vary them with "
             "mhsim sweep)";
  }
  return "";
}

/// Walks the scenario to `path`, reading (value == nullptr) or setting what `who` may set.
SetResult walk_to(PathwayScenario& sc, const std::vector<PathStep>& steps, const SetValue* value,
                  Settable who = Settable::kAny) {
  Setter::Request r{steps, value, sc.source.get(), {}, [who](const Info& info) {
                      if (permitted(who, info)) return std::string();
                      return who == Settable::kContracts ? std::string("a contract term") : refusal(info);
                    }};
  Setter s(r, 0);
  describe(s, sc);
  if (!r.result.found && r.result.missing.empty()) {
    std::string keys;
    for (const std::string_view n : s.names()) keys += (keys.empty() ? "" : ", ") + std::string(n);
    r.result.missing = "no key \"" + steps.front().key + "\" in the file (its keys: " + keys + ")";
  }
  return r.result;
}

/// Sets each key to its value, then checks the whole scenario as the loader would.
std::vector<Diagnostic> assign(PathwayScenario& sc, const std::vector<std::string>& keys,
                               const std::vector<SetValue>& values, Settable who);

std::vector<Diagnostic> validate(PathwayScenario& sc, bool years_ok) {
  Diagnostics diag;
  Validator::Context ctx{*sc.source, diag, sc.spec.years, years_ok};
  Validator v(ctx, "");
  describe(v, sc);
  return diag.items();
}

std::vector<Diagnostic> assign(PathwayScenario& sc, const std::vector<std::string>& keys,
                               const std::vector<SetValue>& values, Settable who) {
  std::vector<Diagnostic> out;
  for (std::size_t i = 0; i < keys.size() && i < values.size(); ++i) {
    const auto steps = parse_path(keys[i]);
    const SetResult r = steps ? walk_to(sc, *steps, &values[i], who) : SetResult{};
    if (!steps) out.push_back(Diagnostic{sc.file, 0, 0, keys[i], kKeySyntax, "\"" + keys[i] + "\""});
    else if (!r.found) out.push_back(Diagnostic{sc.file, 0, 0, keys[i], "a key of the scenario", "\"" + keys[i] + "\": " + r.missing});
    else if (!r.ok()) out.push_back(sc.source->diagnostic(keys[i], r.expected, r.got));
  }
  if (!out.empty()) return out;
  finalize(sc, *sc.source);
  return validate(sc, true);
}

// ---- reading --------------------------------------------------------------------------------



/// A key that [uncertainty], [variants] or calibration may give values: a number the
/// simulation reads, written in the file (its value is the base). "" and its current value,
/// or what was expected and what was found.
struct KeyCheck {
  std::string expected, got;
  SetResult found;
};
KeyCheck check_number_key(const PathwayScenario& sc, const std::string& key, const char* in) {
  KeyCheck out;
  const auto steps = parse_path(key);
  if (!steps) {
    out.expected = kKeySyntax;
    out.got = "\"" + key + "\"";
    return out;
  }
  PathwayScenario copy = sc;  // walked, not changed
  out.found = walk_to(copy, *steps, nullptr);
  const std::string path = path_text(*steps, steps->size());
  const Source& src = *sc.source;
  if (out.found.found && !refusal(out.found.info).empty()) {
    out.expected = refusal(out.found.info);
    out.got = "\"" + key + "\"";
  } else if (!out.found.current || !src.present(path)) {
    out.expected = std::string("the dotted path of a number in ") + in;
    const auto written = src.written.find(path);
    out.got = "\"" + key + "\", " +
              (written != src.written.end() ? "which holds " + written->second
               : out.found.found            ? std::string("which it does not write (the default applies)")
                                            : "which it does not have (" + out.found.missing + ")");
  }
  return out;
}

/// `[variants.<name>]`: the dotted keys each sets (quoted, or TOML dotted keys), in file order.
void read_variants(PathwayScenario& sc, const toml::table& doc, Diagnostics& diag) {
  const toml::node* vs = doc.get("variants");
  if (vs == nullptr || !vs->is_table()) return;
  std::vector<ScenarioVariant> good;
  for (ScenarioVariant& v : sc.variants) {
    const toml::table* t = vs->as_table()->get_as<toml::table>(v.name);
    if (t == nullptr) continue;
    struct Entry {
      std::string key;
      const toml::node* value;
      Position where;
    };
    std::vector<Entry> entries;
    const auto collect = [&](const toml::table& table, const std::string& prefix, const auto& self) -> void {
      for (const auto& [k, node] : table) {
        const std::string key = prefix + std::string(k.str());
        if (prefix.empty() && k.str() == "description") continue;
        if (const toml::table* sub = node.as_table()) self(*sub, key + ".", self);
        else entries.push_back(Entry{key, &node, key_position(k, node, &table)});
      }
    };
    collect(*t, "", collect);
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.where < b.where; });
    bool ok = true;
    std::set<std::string> seen;
    for (const Entry& e : entries) {
      const std::string path = "variants." + v.name + "." + e.key;
      const KeyCheck k = check_number_key(sc, e.key, "the scenario");
      const auto bad = [&](std::string expected, std::string got) {
        diag.add(Diagnostic{sc.file, e.where.first, e.where.second, path, std::move(expected), std::move(got)});
        ok = false;
      };
      if (!k.expected.empty()) {
        bad(k.expected, k.got);
      } else if (!seen.insert(e.key).second) {
        bad("a key the variant sets once", "\"" + e.key + "\" again");
      } else if (!e.value->is_integer() && !e.value->is_floating_point()) {
        bad("a number: the value of " + e.key + " in this variant", node_text(*e.value));
      } else {
        v.keys.push_back(e.key);
        v.values.push_back(*number_of(*e.value));
        v.lines.push_back(e.where.first);
      }
    }
    if (ok) good.push_back(std::move(v));
  }
  sc.variants = std::move(good);
}

/// Each uncertain parameter's keys: settable numbers written in the file, each varied once.
void resolve_uncertain_keys(PathwayScenario& sc, Diagnostics& diag) {
  std::map<std::string, std::string> varied;
  for (UncertainParameter& p : sc.uncertainty.parameters) {
    const std::string base = "uncertainty." + p.name;
    const std::string leaf = sc.source->present(base + ".keys") ? "keys" : "key";
    if (!sc.source->ok(base + "." + leaf)) continue;
    for (std::size_t i = 0; i < p.keys.size(); ++i) {
      const std::string& key = p.keys[i];
      const std::string at = leaf == "keys" ? base + ".keys[" + std::to_string(i) + "]" : base + ".key";
      const KeyCheck k = check_number_key(sc, key, "this file");
      if (!k.expected.empty()) {
        diag.add(sc.source->diagnostic(at, k.expected, k.got));
        continue;
      }
      const std::string canonical = path_text(*parse_path(key), parse_path(key)->size());
      if (const auto [it, fresh] = varied.emplace(canonical, p.name); !fresh) {
        diag.add(sc.source->diagnostic(at, "a key no other uncertain parameter varies",
                                       "\"" + key + "\", already varied by \"" + it->second + "\""));
        continue;
      }
      if (i == 0) {
        p.base = *k.found.current;
        p.integer = k.found.integer;
      }
    }
  }
}

/// `[derived."<key>"]`: each key a number of a contract, a partner's reserves or a budget,
/// written or defaulted, set by one rule; each rule given the keys its quantity reads and no
/// others.
void check_derived(PathwayScenario& sc, Diagnostics& diag) {
  const Source& src = *sc.source;
  std::map<std::string, std::string> rules;  // canonical key -> the rule's name
  for (const DerivedNumber& d : sc.derived) {
    const std::string base = "derived." + d.name;
    const auto bad = [&](const std::string& leaf, std::string expected, std::string got) {
      const std::string at = leaf.empty() ? base : base + "." + leaf;
      if (!leaf.empty() && src.present(at)) return diag.add(src.diagnostic(at, std::move(expected), std::move(got)));
      const Position where = src.table_position(base);
      diag.add(Diagnostic{sc.file, where.first, where.second, at, std::move(expected), std::move(got)});
    };
    const auto steps = parse_path(d.name);
    if (!steps) {
      bad("", std::string("a table named by ") + kKeySyntax, "\"" + d.name + "\"");
      continue;
    }
    PathwayScenario copy = sc;  // walked, not changed
    const SetResult r = walk_to(copy, *steps, nullptr);
    const char* const kWhat =
        "the dotted path of a number of a contract, a partner's reserves or a commissioner's budget in this file (what "
        "the model's baseline pass can measure without changing)";
    if (!r.found) {
      bad("", kWhat, "\"" + d.name + "\", which the file does not have (" + r.missing + ")");
      continue;
    }
    if (!r.current || r.integer || (r.info.vary != Vary::kPolicy && r.info.vary != Vary::kAnalysis)) {
      const std::string why = !r.current || r.integer ? std::string("which is not a number of pounds, a rate or a level")
                              : r.info.vary == Vary::kModel ? std::string("a number the simulation reads")
                                                            : std::string("a setting of how the scenario is run");
      bad("", kWhat, "\"" + d.name + "\", " + why);
      continue;
    }
    const std::string canonical = path_text(*steps, steps->size());
    if (const auto [it, fresh] = rules.emplace(canonical, d.name); !fresh) {
      bad("", "one rule per key", "\"" + d.name + "\", the key of [derived.\"" + it->second + "\"] too");
      continue;
    }
    const auto q = static_cast<std::size_t>(d.quantity);
    const std::string of = "of = \"" + std::string(kDerivedQuantityNames[q]) + "\"";
    if (d.arm == schema::kNone && d.own_arm == schema::kNone && !src.present(base + ".arm")) {
      bad("arm", "the name of the arm measured (required: \"" + d.name + "\" is not an arm's key)", "nothing");
    }
    // The keys each quantity reads; any other is a mistake worth naming.
    const bool reads_partner = d.quantity == DerivedQuantity::kPartnerCost;
    const bool reads_services = d.quantity == DerivedQuantity::kServiceCost || d.quantity == DerivedQuantity::kActivity;
    const bool reads_kpi = d.quantity == DerivedQuantity::kKpi;
    const std::pair<const char*, bool> reads[] = {{"partner", reads_partner},
                                                  {"services", reads_services},
                                                  {"measure", d.quantity == DerivedQuantity::kActivity},
                                                  {"kpi", reads_kpi},
                                                  {"service", reads_kpi},
                                                  {"percentile", d.statistic == DerivedStatistic::kPercentile}};
    for (const auto& [leaf, read] : reads) {
      if (read || !src.present(base + "." + leaf)) continue;
      const std::string by = std::string(leaf) == "percentile" ? std::string("statistic = \"percentile\"") : of;
      bad(leaf, "no " + std::string(leaf) + " (only " + by + " reads it)", src.written.count(base + "." + leaf) != 0
                                                                             ? src.written.at(base + "." + leaf)
                                                                             : std::string("a value"));
    }
    if (d.quantity == DerivedQuantity::kContractCost && d.own_contract == schema::kNone) {
      bad("of", "a quantity that needs no contract (\"contract_cost\" measures what the key's own contract covers, so "
                "its key must be a term of one: arms.<arm>.contracts[i]...)", "\"contract_cost\" for \"" + d.name + "\"");
    }
    if (reads_partner && d.partner == schema::kNone && src.ok(base + ".partner")) {
      bad("partner", "the name of a partner (required with " + of + "; one of " + quoted(src.names_of("partners")) + ")",
          "nothing (the key is missing)");
    }
    if (reads_services && std::none_of(d.services.begin(), d.services.end(), [](bool b) { return b; }) &&
        src.ok(base + ".services")) {
      bad("services", "at least one service (required with " + of + ")", src.present(base + ".services") ? "[]" : "nothing");
    }
    if (reads_kpi && !src.present(base + ".kpi")) {
      bad("kpi", "the name of a KPI (required with " + of + ")", "nothing (the key is missing)");
    }
    if (d.year && (*d.year != std::floor(*d.year) || *d.year > static_cast<double>(sc.spec.years))) {
      bad("year", "a simulated year, 1 to run.years (" + std::to_string(sc.spec.years) + "), or \"all\"",
          number_text(*d.year));
    }
  }
}

/// Values that make the scenario invalid, as one message: "with this variant, key: expected ...".
std::string summary(const std::vector<Diagnostic>& ds) {
  if (ds.empty()) return "";
  const Diagnostic& d = ds.front();
  std::string what = (d.key.empty() ? "" : d.key + ": ") + "expected " + d.expected + ", got " + d.got;
  if (ds.size() > 1) what += " (and " + std::to_string(ds.size() - 1) + " more)";
  return what;
}

void check_uncertainty_quantiles(const PathwayScenario& sc, const std::vector<Diagnostic>& base, Diagnostics& diag) {
  for (const UncertainParameter& p : sc.uncertainty.parameters) {
    const std::string path = "uncertainty." + p.name;
    const Position at = sc.source->position(path + ".distribution");
    for (const double q : {0.001, 0.999}) {
      double value = 0;
      try {
        value = p.integer ? std::round(p.quantile(q)) : p.quantile(q);
      } catch (const std::exception& e) {  // boost::math's domain, overflow or evaluation errors
        diag.add(Diagnostic{sc.file, at.first, at.second, path, "a distribution whose quantiles can be computed",
                            "an error at its " + number_text(q) + " quantile: " + e.what()});
        break;
      }
      PathwayScenario trial = sc;
      const std::vector<double> values(p.keys.size(), value);
      std::vector<Diagnostic> ds = set_numbers(trial, p.keys, values, Settable::kModel);
      // Errors the file has anyway are reported once, as themselves.
      ds.erase(std::remove_if(ds.begin(), ds.end(),
                              [&](const Diagnostic& d) {
                                return std::any_of(base.begin(), base.end(),
                                                   [&](const Diagnostic& b) { return b.to_string() == d.to_string(); });
                              }),
               ds.end());
      if (ds.empty()) continue;
      diag.add(Diagnostic{sc.file, at.first, at.second, path,
                          "a distribution under which the scenario stays valid at its 0.001 and 0.999 quantiles (the "
                          "other parameters at their base values)",
                          "at its " + number_text(q) + " quantile " + p.key + " = " + number_text(value) +
                              ", which the loader refuses: " + summary(ds)});
    }
  }
}

/// The rules broken under each variant and not without it (reported at the variant).
void check_variants(const PathwayScenario& sc, const std::vector<Diagnostic>& base, Diagnostics& diag) {
  for (const ScenarioVariant& v : sc.variants) {
    PathwayScenario trial = sc;
    const Position at = sc.source->table_position("variants." + v.name);
    for (const Diagnostic& d : set_numbers(trial, v.keys, v.values, Settable::kModel)) {
      const bool known = std::any_of(base.begin(), base.end(), [&](const Diagnostic& b) { return b.to_string() == d.to_string(); });
      if (known) continue;
      diag.add(Diagnostic{sc.file, at.first, at.second, "variants." + v.name, "numbers under which the scenario is valid",
                          "with this variant, " + (d.key.empty() ? std::string() : d.key + ": ") + "expected " + d.expected +
                              ", got " + d.got});
    }
  }
}

/// Warns about arms that extend another but not the uncertainty on the other's keys.
void warn_lost_uncertainty(PathwayScenario& sc) {
  const Source& src = *sc.source;
  std::set<std::string> varied;
  for (const UncertainParameter& p : sc.uncertainty.parameters) varied.insert(p.keys.begin(), p.keys.end());
  for (const UncertainParameter& p : sc.uncertainty.parameters) {
    for (const std::string& key : p.keys) {
      for (const auto& [entry, base] : src.extends) {
        if (key.compare(0, base.size() + 1, base + ".") != 0) continue;
        const std::string copy = entry + key.substr(base.size());
        if (src.at.count(copy) != 0 || varied.count(copy) != 0) continue;  // written there, or varied too
        const Position at = src.position(entry + ".extends");
        sc.warnings.push_back(Diagnostic{sc.file, at.first, at.second, copy,
                                         "the uncertainty of \"" + key + "\" on its copy too (add \"" + copy +
                                             "\" to the keys of uncertainty." + p.name + ")",
                                         "a copy of " + key + " that keeps its base value in every replication"});
      }
    }
  }
}

void check_model(const toml::table& doc, const std::string& file) {
  Diagnostics diag;
  if (!doc.contains("model")) {
    const auto [line, col] = position(doc);
    diag.add(Diagnostic{file, line, col, "model", "model = \"pathway\" (required in a pathway scenario)",
                        "nothing (the key is missing)"});
  } else if (const auto* m = doc.get("model")->as_string(); m != nullptr && m->get() != "pathway" &&
                                                            (m->get() == "network")) {
    const auto [line, col] = position(*doc.get("model"), &doc);
    diag.add(Diagnostic{file, line, col, "model", "\"pathway\" (this is the pathway loader)", "the string \"" + m->get() + "\""});
  } else if (m == nullptr || m->get() != "pathway") {
    const auto [line, col] = position(*doc.get("model"), &doc);
    diag.add(Diagnostic{file, line, col, "model", "one of \"network\", \"pathway\"", node_text(*doc.get("model"))});
  }
  // Reading a file of another model as a pathway would only add noise.
  diag.throw_if_any();
}

}  // namespace

// ---- public ---------------------------------------------------------------------------------

PathwayScenario parse_pathway_scenario(std::string_view text, const std::string& file) {
  const toml::table doc = parse_toml(text, file);
  check_model(doc, file);
  auto source = std::make_shared<Source>();
  source->file = file;
  PathwayScenario sc;
  sc.file = file;
  sc.text = std::string(text);
  Diagnostics diag;
  NameScan scan(*source, doc);
  describe(scan, sc);
  Reader::Context ctx{*source, diag, &sc.spec.years};
  Reader root(ctx, doc, "");
  describe(root, sc);
  root.finish();
  sc.source = source;
  // An arm that extends another and writes no contracts has the other's (contracts sit beside
  // the arms, which the reader copied).
  for (std::size_t pass = 0; pass < sc.spec.arms.size(); ++pass) {  // chains: a copy of a copy
    for (std::size_t a = 0; a < sc.spec.arms.size() && a < sc.contracts.size(); ++a) {
      const std::string path = "arms." + sc.spec.arms[a].name;
      const auto base = source->extends.find(path);
      if (base == source->extends.end() || source->at.count(path + ".contracts") != 0) continue;
      const auto& names = source->names_of("arms");
      const auto from = std::find(names.begin(), names.end(), base->second.substr(5));
      if (from != names.end()) sc.contracts[a] = sc.contracts[static_cast<std::size_t>(from - names.begin())];
    }
  }
  finalize(sc, *source);
  models::psa::finish_uncertainty(sc.uncertainty);
  read_variants(sc, doc, diag);
  resolve_uncertain_keys(sc, diag);
  check_derived(sc, diag);
  const bool years_ok = source->present("run.years") && source->ok("run.years");
  const std::vector<Diagnostic> base = validate(sc, years_ok);
  for (const Diagnostic& d : base) diag.add(d);
  // Values other than the file's (uncertainty quantiles, variants) are checked even when the
  // file has errors of its own, which are then not repeated: every error at once.
  const bool uncertainty_read = std::none_of(diag.items().begin(), diag.items().end(), [](const Diagnostic& d) {
    return d.key.rfind("uncertainty", 0) == 0 || d.key.rfind("correlation", 0) == 0;
  });
  if (uncertainty_read) check_uncertainty_quantiles(sc, base, diag);
  check_variants(sc, base, diag);
  diag.throw_if_any();
  warn_lost_uncertainty(sc);
  return sc;
}

PathwayScenario load_pathway_scenario(const std::string& path) {
  return parse_pathway_scenario(read_scenario_file(path), path);
}

std::vector<Diagnostic> set_values(PathwayScenario& sc, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& values, Settable who) {
  std::vector<SetValue> parsed;
  for (const std::string& v : values) parsed.push_back(SetValue::parse(v));
  return assign(sc, keys, parsed, who);
}

std::vector<Diagnostic> set_numbers(PathwayScenario& sc, const std::vector<std::string>& keys,
                                    const std::vector<double>& values, Settable who) {
  std::vector<SetValue> numbers;
  for (const double x : values) numbers.push_back(SetValue::of(x));
  return assign(sc, keys, numbers, who);
}

PathwayScenario apply_settings(const PathwayScenario& sc, const std::vector<std::string>& settings) {
  std::vector<std::string> keys;
  std::vector<SetValue> values;
  std::vector<Diagnostic> bad;  // malformed settings, reported with the others' problems
  for (const std::string& s : settings) {
    std::string key;
    SetValue value;
    if (split_setting(s, key, value)) {
      keys.push_back(std::move(key));
      values.push_back(std::move(value));
    } else {
      bad.push_back(Diagnostic{"command line", 0, 0, "--set", "key=value", "\"" + s + "\""});
    }
  }
  PathwayScenario out = sc;
  std::vector<Diagnostic> ds = assign(out, keys, values, Settable::kAny);
  for (Diagnostic& d : ds) d.expected += " (with --set " + (d.key.empty() ? std::string("values") : d.key) + ")";
  ds.insert(ds.begin(), bad.begin(), bad.end());
  if (!ds.empty()) throw ScenarioError(std::move(ds));
  // A value set on the key of an uncertain parameter is its base value (as a variant's is).
  for (UncertainParameter& p : out.uncertainty.parameters) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == p.keys.front() && values[i].number) p.base = *values[i].number;
    }
  }
  out.settings.insert(out.settings.end(), settings.begin(), settings.end());
  return out;
}

std::vector<WrittenNumber> written_numbers(const PathwayScenario& sc) {
  static const std::set<std::string, std::less<>> kLeftOut = {"run", "variants", "uncertainty", "correlation", "analysis",
                                                              "scenario", "model", "calibration"};
  const toml::table doc = parse_toml(sc.text, sc.file);
  PathwayScenario copy = sc;  // walked, not changed
  std::vector<WrittenNumber> out;
  const auto visit = [&](const auto& self, const toml::node& node, const std::string& path) -> void {
    if (const toml::table* t = node.as_table()) {
      for (const auto& [k, child] : *t) {
        const std::string key(k.str());
        if (path.empty() && kLeftOut.count(key) != 0) continue;
        const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
        });
        self(self, child, schema::child_path(path, bare ? key : "\"" + key + "\""));
      }
    } else if (const toml::array* a = node.as_array()) {
      for (std::size_t i = 0; i < a->size(); ++i) self(self, *a->get(i), path + "[" + std::to_string(i) + "]");
    } else if (node.is_integer() || node.is_floating_point()) {
      const auto steps = parse_path(path);
      if (!steps) return;
      const SetResult r = walk_to(copy, *steps, nullptr);
      if (!r.found || !r.current) return;
      out.push_back(WrittenNumber{path, *r.current, r.integer, std::string(r.info.unit),
                                  steps->size() >= 3 && (*steps)[0].key == "arms" && (*steps)[2].key == "contracts"});
    }
  };
  visit(visit, doc, "");
  return out;
}

SettableNumber settable_number(const PathwayScenario& sc, const std::string& key, const char* in) {
  const KeyCheck k = check_number_key(sc, key, in);
  SettableNumber out{std::nullopt, k.found.integer, k.expected, k.got};
  if (k.expected.empty()) out.value = k.found.current;
  return out;
}

std::optional<double> number_at(const PathwayScenario& sc, const std::string& key) {
  const auto steps = parse_path(key);
  if (!steps) return std::nullopt;
  PathwayScenario copy = sc;  // walked, not changed
  return walk_to(copy, *steps, nullptr).current;
}

std::string canonical_key(const std::string& key) {
  const auto steps = parse_path(key);
  return steps ? path_text(*steps, steps->size()) : key;
}

namespace {

// set_contract_term (value != nullptr) and contract_term_value (value == nullptr: reads the
// term's current number into *current, changing nothing that is not restored by the caller's copy).
std::optional<std::string> contract_term(PathwayScenario& sc, std::string_view path, const double* value,
                                         std::optional<double>* current) {
  const std::string where(path);
  constexpr std::string_view kForm = "arms.<arm>.contracts.<contract>.<term>";
  if (value != nullptr && std::isnan(*value)) return where + ": the value is not a number";
  auto steps = parse_path(path);
  if (!steps || steps->size() < 5 || (*steps)[0].key != "arms" || (*steps)[2].key != "contracts") {
    return where + ": expected a path of the form " + std::string(kForm);
  }
  // Short names kept from earlier versions: target (fixed, in pounds), target_scale, target_percentile.
  PathStep& last = steps->back();
  const std::size_t arm = static_cast<std::size_t>(
      std::find_if(sc.spec.arms.begin(), sc.spec.arms.end(), [&](const pw::ArmSpec& a) { return a.name == (*steps)[1].key; }) -
      sc.spec.arms.begin());
  ct::TargetRule* rule = nullptr;
  for (std::size_t k = 0; arm < sc.contracts.size() && k < sc.contracts[arm].terms.contracts.size(); ++k) {
    ct::Contract& c = sc.contracts[arm].terms.contracts[k];
    auto* a = std::get_if<ct::AllianceTerms>(&c.terms);
    if (a == nullptr || where.compare(0, (*steps)[0].key.size() + (*steps)[1].key.size() + 12 + c.name.size(),
                                      "arms." + (*steps)[1].key + ".contracts." + c.name) != 0) {
      continue;
    }
    if (a->target_rule && steps->size() == 5) rule = &*a->target_rule;
    // The flat share applies only to a side without sliding bands: with both, it is never read.
    if (last.key == "share" && steps->size() == 5 && !a->gain_bands.empty() && !a->pain_bands.empty()) {
      return where + ": this contract splits both under- and overruns by gain_bands and pain_bands, so share is "
                     "never read; set a band's share (e.g. gain_bands[0].share)";
    }
    // Member shares mean something only when Limb 3 is split by them.
    if (last.key == "allocation" && where.find(".members.") != std::string::npos &&
        a->allocation != ct::AllianceTerms::Allocation::kFixed) {
      return where + ": member allocations apply only with allocation = \"fixed\"";
    }
  }
  if (rule != nullptr && (last.key == "target" || last.key == "target_scale" || last.key == "target_percentile")) {
    const bool from_arm = rule->kind == ct::TargetRule::Kind::kArmCost;
    if (last.key == "target") {
      if (value == nullptr) {
        if (from_arm) return where + ": the target is set from another arm's cost, not a number";
      } else {
        if (!(*value >= 0) || std::isinf(*value)) return where + ": a fixed target must be a finite number >= 0";
        rule->arm = schema::kNone;
      }
      last.key = "fixed";
    } else if (!from_arm) {
      return where + ": " + last.key + " applies to a target set from another arm; this one is fixed (set target)";
    } else {
      last.key = last.key == "target_scale" ? "scale" : "percentile";
    }
    steps->insert(steps->end() - 1, PathStep{"target", {}});
  }
  const SetResult r = walk_to(sc, *steps, nullptr);
  if (!r.found) return where + ": expected " + std::string(kForm) + " naming a term of the scenario (" + r.missing + ")";
  if (r.info.vary != Vary::kPolicy) return where + ": not a contract term";
  if (value == nullptr) {
    *current = r.current;
    return std::nullopt;
  }
  const SetValue v = SetValue::of(*value);
  const SetResult s = walk_to(sc, *steps, &v);
  if (!s.ok()) return where + ": expected " + s.expected + ", got " + s.got;
  finalize(sc, *sc.source);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> set_contract_term(PathwayScenario& sc, std::string_view path, double value) {
  return contract_term(sc, path, &value, nullptr);
}

std::optional<double> contract_term_value(const PathwayScenario& sc, std::string_view path) {
  PathwayScenario copy = sc;
  std::optional<double> current;
  if (contract_term(copy, path, nullptr, &current)) return std::nullopt;
  return current;
}

std::string scenario_model(std::string_view text, const std::string& file) {
  const toml::table doc = parse_toml(text, file);
  const toml::node* m = doc.get("model");
  if (m == nullptr) return "network";
  const auto* s = m->as_string();
  if (s == nullptr || (s->get() != "network" && s->get() != "pathway")) {
    const auto [line, col] = position(*m, &doc);
    throw ScenarioError({Diagnostic{file, line, col, "model", "one of \"network\", \"pathway\"", node_text(*m)}});
  }
  return s->get();
}

void document_pathway(DocRows& rows) {
  PathwayScenario sc;
  Docs docs(rows);
  describe(docs, sc);
}

}  // namespace mhsim::scenario
