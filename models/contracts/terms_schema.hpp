// SPDX-License-Identifier: MIT
#pragma once
// The keys of a contract (`[[arms.<arm>.contracts]]`): each type's terms declared once,
// beside the structs of models/contracts/settlement.hpp (models/schema/schema.hpp says how).
// The scenario reads, checks, sweeps and documents contracts from these declarations alone.

#include <algorithm>
#include <set>
#include <string>

#include "models/contracts/arm_terms.hpp"
#include "models/schema/limits.hpp"
#include "models/schema/schema.hpp"

namespace mhsim::models::contracts {

inline constexpr std::array<std::string_view, 6> kContractTypeNames = {"block",    "activity", "capitation",
                                                                      "outcomes", "blended",  "alliance"};
static_assert(std::variant_size_v<ContractTerms> == kContractTypeNames.size());
inline constexpr std::array<std::string_view, 2> kDirectionNames = {"higher_is_better", "lower_is_better"};
inline constexpr std::array<std::string_view, 2> kModeNames = {"bonus", "withhold"};
inline constexpr std::array<std::string_view, 4> kAllocationNames = {"equal", "budget_share", "fee", "fixed"};
inline constexpr std::array<std::string_view, 2> kShortfallNames = {"commissioner", "reallocate"};
inline constexpr std::array<std::string_view, 2> kModifierScopeNames = {"gain_only", "both"};
inline constexpr std::array<std::string_view, 2> kSettlementNames = {"annual", "cumulative"};

namespace schema_detail {

using schema::Vary;

template <class V>
void describe_tariff(V& v, Tariff& t) {
  using namespace schema;
  v(choice("measure", t.measure, ledger::kMeasureNames).required().vary(Vary::kPolicy).doc("The ledger measure priced."));
  v(reference("service", t.service, "services", "service").otherwise("all the partner's services").vary(Vary::kPolicy)
        .doc("Price only this service's activity: a service of the contract's partner."));
  v(number("price", t.price).range(0, 1e9).unit("pounds per unit").required().vary(Vary::kPolicy)
        .doc("Price per unit of the measure."));
  v(number("baseline_volume", t.baseline_volume).range(0, schema::limits::kMaxMoney).unit("units per year")
        .otherwise("0").vary(Vary::kPolicy)
        .doc("The baseline volume A0 (cost and volume); in blended `variable` lines, the planned volume."));
}

/// The rule of a KPI an indicator or KRA names: a system KPI, or a service KPI with its service.
template <class C>
void check_kpi(C& c, const std::string& name) {
  if (!c.ok("kpi") || !c.present("kpi")) return;
  const auto& sys = ledger::system_kpis();
  const auto& svc = ledger::service_kpis();
  const auto is = [&](const ledger::KpiInfo& k) { return k.name == name; };
  const bool has_service = c.present("service");
  if (std::find_if(sys.begin(), sys.end(), is) != sys.end()) {
    if (has_service) c.error("service", "no service (\"" + name + "\" is a system KPI)", c.written("service"));
    return;
  }
  if (std::find_if(svc.begin(), svc.end(), is) != svc.end()) {
    if (!has_service) {
      c.error("service",
              "the name of a service (required for the service KPI \"" + name + "\"; one of " + c.names("services") + ")",
              "nothing (the key is missing)");
    }
    return;
  }
  std::string sys_names, svc_names;
  for (const auto& k : sys) sys_names += (sys_names.empty() ? "\"" : ", \"") + std::string(k.name) + "\"";
  for (const auto& k : svc) svc_names += (svc_names.empty() ? "\"" : ", \"") + std::string(k.name) + "\"";
  c.error("kpi", "a system KPI (one of " + sys_names + ") or a service KPI with a service (one of " + svc_names + ")",
          "an unknown KPI \"" + name + "\"");
}

/// A KPI named by `kpi` (a system KPI, or with `service` a service KPI), resolved into `ref`
/// by the scenario.
template <class V, class K>
void describe_kpi(V& v, K& k) {
  using namespace schema;
  v(text("kpi", k.kpi_name).required().vary(Vary::kPolicy)
        .doc("A system KPI (e.g. `referrals_secondary`, `share_improved`) or, with `service`, a service KPI (e.g. "
             "`mean_wait`): the names of the results' kpi datasets."));
  v(reference("service", k.kpi_service, "services", "service").otherwise("none (system KPI)").vary(Vary::kPolicy)
        .doc("The service whose KPI it is: required for a service KPI, not allowed for a system KPI."));
  v(choice("direction", k.direction, kDirectionNames).required().vary(Vary::kPolicy).doc("Which way the KPI is good."));
}

template <class V>
void describe_indicators(V& v, std::vector<Indicator>& indicators) {
  using namespace schema;
  v(tables("indicators", indicators).otherwise("none").vary(Vary::kPolicy).key_field("name")
        .doc("`[[arms.<name>.contracts.indicators]]`; achievement is linear in the KPI from zero_level (0) to "
             "full_level (1), clamped."),
    [&](V& w, Indicator& k, std::size_t) {
      w(text("name", k.name).otherwise("the KPI's name").vary(Vary::kPolicy).doc("A label for reports."));
      describe_kpi(w, k);
      w(number("zero_level", k.zero_level).range(-schema::limits::kMaxLevel, schema::limits::kMaxLevel)
            .unit("the KPI's unit").required().vary(Vary::kPolicy).doc("The level with achievement 0."));
      w(number("full_level", k.full_level).range(-schema::limits::kMaxLevel, schema::limits::kMaxLevel)
            .unit("the KPI's unit").required().vary(Vary::kPolicy)
            .doc("The level with achievement 1: >= zero_level for higher_is_better, <= for lower_is_better."));
      w(number("weight", k.weight).range(0, 1).required().vary(Vary::kPolicy)
            .doc("Weight; a contract's indicator weights sum to 1."));
      w.check([&](auto& c) { check_kpi(c, k.kpi_name); });
    });
  v.check([&](auto& c) {
    double sum = 0;
    for (const Indicator& k : indicators) sum += k.weight;
    if (!indicators.empty() && c.all_ok("indicators", "weight")) c.sums_to_one("indicators", "indicator weights", sum);
  });
}

template <class V>
void describe_bands(V& v, std::string_view key, std::vector<ShareBand>& bands, std::string_view doc,
                    std::string_view base = "the target") {
  using namespace schema;
  v(tables(key, bands).otherwise("none (the flat share)").vary(Vary::kPolicy).doc(doc),
    [&](V& w, ShareBand& b, std::size_t) {
      const bool target = base == "the target";
      w(number_or_none("upper", b.upper).range(0, 1e6).unit(target ? "fraction of the target" : "fraction of the budget")
            .required().vary(Vary::kPolicy)
            .doc(target ? "The band's bound on the size of the under- or overrun, as a fraction of TOC, > 0 and strictly "
                          "ascending; \"none\" for no bound."
                        : "The band's bound on the size of the over- or underspend, as a fraction of the budget, > 0 and "
                          "strictly ascending; \"none\" for no bound."));
      w(number("share", b.share).range(0, 1).unit("fraction").required().vary(Vary::kPolicy)
            .doc(target ? "The providers' share within the band." : "The commissioner's share within the band."));
    });
}

template <class V>
void describe_corridor(V& v, std::optional<RiskCorridor>& corridor) {
  using namespace schema;
  v(table("corridor", corridor).otherwise("none").vary(Vary::kPolicy)
        .doc("A risk-share corridor on the partner's cost C against the budget B, `{ width = 0.02, share = 0.5 }`: "
             "the payment changes by share x (|C - B| - width x B) beyond the corridor, up for an overspend, down for "
             "an underspend."),
    [&](V& w, RiskCorridor& r) {
      w(number("width", r.width).range(0, 1).unit("fraction of the budget")
            .otherwise("required unless both over and under are given").vary(Vary::kPolicy)
            .doc("delta: the corridor's half-width [assumption in brief 3.1: 0-2%]."));
      w(number("share", r.share).range(0, 1).unit("fraction").otherwise("required unless both over and under are given")
            .vary(Vary::kPolicy).doc("rho: the commissioner's share beyond the corridor [assumption in brief 3.1: 0.5]."));
      describe_bands(w, "over", r.over,
                     "Tiers for an overspend, replacing width and share on that side: `[ { upper = 0.02, share = 0 }, "
                     "{ upper = 0.1, share = 0.5 }, { upper = \"none\", share = 0.75 } ]`, the commissioner's share of "
                     "the part of C - B between the previous bound and upper x B; 0 beyond the last tier.",
                     "the budget");
      describe_bands(w, "under", r.under, "Tiers for an underspend (B - C), with the keys of over.", "the budget");
      w.check([&](auto& c) {
        const bool tiers = c.present("over") && c.present("under");
        for (const char* leaf : {"width", "share"}) {
          if (!tiers && !c.present(leaf)) {
            c.error(leaf, std::string("a number in [0, 1] (") + leaf + " is required unless both over and under are given)",
                    "nothing (the key is missing)");
          }
        }
      });
    });
}

/// Commissioners' shares of a contract, when written and read: they sum to 1.
template <class C>
void check_shares(C& c, const char* key, const char* what, const std::vector<double>& shares) {
  if (!c.present(key) || !c.ok(key)) return;
  double sum = 0;
  for (const double x : shares) sum += x;
  c.sums_to_one(key, what, sum);
}

template <class V>
void describe_partner(V& v, std::size_t& partner) {
  v(schema::reference("partner", partner, "partners", "partner").required().vary(Vary::kPolicy)
        .doc("The partner paid (a name under `[partners]`)."));
}

}  // namespace schema_detail

template <class V>
void describe(V& v, BlockTerms& t) {
  using namespace schema;
  schema_detail::describe_partner(v, t.partner);
  v(number("annual", t.annual).range(0, limits::kMaxMoney).unit("pounds per year").required().vary(Vary::kPolicy)
        .doc("The payment in year 1, whatever the activity."));
  v(number("indexation", t.indexation).range(-0.5, 1).unit("per year").otherwise("0").vary(Vary::kPolicy)
        .doc("Year y (0-based) pays annual x (1 + indexation)^y."));
}

template <class V>
void describe(V& v, ActivityTerms& t) {
  using namespace schema;
  schema_detail::describe_partner(v, t.partner);
  v(tables("tariffs", t.tariffs).otherwise("none").vary(Vary::kPolicy)
        .doc("Tariff lines, `[[arms.<name>.contracts.tariffs]]`; activity valued at tariff is V = sum of price x units."),
    [&](V& w, Tariff& l, std::size_t) { schema_detail::describe_tariff(w, l); });
  v(number("baseline_payment", t.baseline_payment).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("0")
        .vary(Vary::kPolicy)
        .doc("B0. Pay = B0 + marginal_rate x (V - V0) at or above the baseline value V0, B0 - below_baseline_rate x "
             "(V0 - V) below it, then clamped to [floor, cap]."));
  v(number("marginal_rate", t.marginal_rate).range(0, 10).otherwise("1").vary(Vary::kPolicy)
        .doc("m, the fraction of the tariff paid above the baseline."));
  v(number("below_baseline_rate", t.below_baseline_rate).range(0, 10).otherwise("0").vary(Vary::kPolicy)
        .doc("Refund per pound of tariff value short of the baseline (0: the baseline payment stands)."));
  v(number("cap", t.cap).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("none").vary(Vary::kPolicy)
        .doc("The most paid in a year."));
  v(number("floor", t.floor).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("none").vary(Vary::kPolicy)
        .doc("The least paid in a year (at most cap)."));
}

template <class V>
void describe(V& v, CapitationTerms& t) {
  using namespace schema;
  schema_detail::describe_partner(v, t.partner);
  v(number("per_head", t.per_head).range(0, 1e6).unit("pounds per person per year").required().vary(Vary::kPolicy)
        .doc("Budget = per_head x population.size x need, need = 1 or the weighted need below."));
  v(map("need_weights", t.need_weights, "groups", "need group").or_number().range(0, 100).otherwise("need = 1")
        .vary(Vary::kPolicy)
        .doc("Relative cost weight of each need group (a table by group; groups left out weigh 0); need = sum of "
             "weight x population.group_share, which is then required."));
  schema_detail::describe_corridor(v, t.corridor);
}

template <class V>
void describe(V& v, OutcomesTerms& t) {
  using namespace schema;
  schema_detail::describe_partner(v, t.partner);
  v(number("value", t.value).range(0, limits::kMaxMoney).unit("pounds per year").required().vary(Vary::kPolicy)
        .doc("V, the contract value."));
  v(number("at_risk", t.at_risk).range(0, 1).unit("fraction").otherwise("0").vary(Vary::kPolicy)
        .doc("alpha, the share of V paid on the indicators (brief 3.1: 2-4% typical)."));
  v(choice("mode", t.mode, kModeNames).otherwise("\"withhold\"").vary(Vary::kPolicy)
        .doc("`bonus` pays V + alpha V A, `withhold` pays V (1 - alpha) + alpha V A, with A the weighted "
             "achievement."));
  schema_detail::describe_indicators(v, t.indicators);
}

template <class V>
void describe(V& v, BlendedTerms& t) {
  using namespace schema;
  schema_detail::describe_partner(v, t.partner);
  v(number("fixed", t.fixed).range(0, limits::kMaxMoney).unit("pounds per year").required().vary(Vary::kPolicy)
        .doc("F, the fixed element (without the quality element)."));
  v(tables("variable", t.variable).otherwise("none").vary(Vary::kPolicy)
        .doc("`[[arms.<name>.contracts.variable]]` tariff lines with the keys of `tariffs`, baseline_volume being the "
             "planned volume; pays variable_rate x price x (activity - plan)."),
    [&](V& w, Tariff& l, std::size_t) { schema_detail::describe_tariff(w, l); });
  v(number("variable_rate", t.variable_rate).range(0, 10).otherwise("1").vary(Vary::kPolicy)
        .doc("v, the fraction of the price paid per unit off plan."));
  v(number("quality_share", t.quality_share).range(0, 1).unit("fraction").otherwise("0").vary(Vary::kPolicy)
        .doc("q, the share of V paid on the indicators (CQUIN: 0.0125 [R27])."));
  v(number("value", t.value).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("0").vary(Vary::kPolicy)
        .doc("V, the value quality_share applies to."));
  schema_detail::describe_indicators(v, t.indicators);
  schema_detail::describe_corridor(v, t.corridor);
}

template <class V>
void describe(V& v, AllianceTerms& t) {
  using namespace schema;
  v(table("target", t.target_rule).required().vary(Vary::kPolicy)
        .expect("a target table such as { fixed = 66000000 } or { arm = \"block\", percentile = 50 }")
        .doc("How the target outturn cost (TOC) is set: `{ fixed = 66000000 }`, or `{ arm = \"block\", percentile = "
             "50, scale = 1 }` (per year, that percentile across replications of the members' simulated cost in "
             "another arm, times scale; brief 2.1)."),
    [&](V& w, TargetRule& r) {
      w(number("fixed", r.amount).range(0, limits::kMaxMoney).unit("pounds").otherwise("none").vary(Vary::kPolicy)
            .doc("A fixed TOC for year 1; later years grow by target_indexation. Give this or `arm`."));
      w(reference("arm", r.arm, "arms", "arm").otherwise("none").vary(Vary::kPolicy)
            .doc("The reference arm: another arm; alliances' reference arms must not form a cycle. Give this or "
                 "`fixed`."));
      w(number("percentile", r.percentile).range(0, 100).unit("percent").otherwise("50").vary(Vary::kPolicy)
            .doc("With `arm`: the percentile of the reference cost (brief 2.1: about P50)."));
      w(number("scale", r.scale).range(0, 10).otherwise("1").vary(Vary::kPolicy)
            .doc("With `arm`: multiplies the reference cost (0.95 for a target 5% below it)."));
      w.check([&](auto& c) {
        const bool fixed = c.present("fixed"), by_arm = c.present("arm");
        if (fixed && by_arm) {
          c.error_here("either fixed = <pounds> or arm = \"<arm>\"", "both");
        } else if (!fixed && !by_arm) {
          c.error_here("either fixed = <pounds> or arm = \"<arm>\"", "neither");
        } else if (fixed) {
          for (const char* leaf : {"percentile", "scale"}) {
            if (c.present(leaf)) {
              c.error(leaf, std::string("no ") + leaf + " with a fixed target (percentile and scale go with arm)",
                      c.written(leaf));
            }
          }
        }
      });
    });
  v(number("target_indexation", t.target_indexation).range(-0.5, 1).unit("per year").otherwise("0").vary(Vary::kPolicy)
        .doc("With a fixed target: TOC in year y (0-based) = fixed x (1 + target_indexation)^y."));
  v(number("share", t.share).range(0, 1).unit("fraction").otherwise("0.5").vary(Vary::kPolicy)
        .doc("s, the providers' share of an under- or overrun, where no bands are given [R1]."));
  schema_detail::describe_bands(v, "gain_bands", t.gain_bands,
                                "Sliding shares of an underrun, `[ { upper = 0.02, share = 0.5 }, ... ]`: the "
                                "providers' share of the part of the underrun between the previous band's bound and "
                                "upper x TOC; 0 beyond the last band [R7].");
  schema_detail::describe_bands(v, "pain_bands", t.pain_bands, "Sliding shares of an overrun, with the keys of gain_bands.");
  v(number_or_none("pain_cap", t.pain_cap).range(0, 100).unit("fraction of the fee").otherwise("1").vary(Vary::kPolicy)
        .doc("kappa. Painshare is capped at kappa x F, F the members' total fee: 1 puts the fee at risk but never "
             "Limb 1 [R1]; \"none\" leaves pain uncapped."));
  v(number("gain_cap", t.gain_cap).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("none (uncapped)")
        .vary(Vary::kPolicy).doc("C_gain, the most gainshare the providers receive in a year."));
  v(number("pain_cap_of_target", t.pain_cap_of_target).range(0, 10).unit("fraction of the target")
        .otherwise("none").vary(Vary::kPolicy)
        .doc("A painshare cap as a fraction of the year's TOC; with pain_cap the tighter of the two applies."));
  v(number("gain_cap_of_target", t.gain_cap_of_target).range(0, 10).unit("fraction of the target")
        .otherwise("none").vary(Vary::kPolicy)
        .doc("A gainshare cap as a fraction of the year's TOC; with gain_cap the tighter of the two applies."));
  v(boolean("floor_total", t.floor_total).otherwise("true").vary(Vary::kPolicy)
        .doc("Limb 3 as a whole (gain/pain plus the KRA component) is also >= -kappa F (needs a pain_cap)."));
  v(number("reward_pool", t.reward_pool).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("0")
        .vary(Vary::kPolicy).doc("R_pool. The KRA component is P x reward_pool when the KPI return P >= 0 (variant A of brief 2.3)."));
  v(number("max_liability", t.max_liability).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("0")
        .vary(Vary::kPolicy).doc("L_max. The KRA component is P x max_liability when P < 0."));
  v(number("modifier", t.modifier).range(0, 1).otherwise("0").vary(Vary::kPolicy)
        .doc("mu. A gainshare is scaled by (1 + mu P) (variant B)."));
  v(choice("modifier_scope", t.modifier_scope, kModifierScopeNames).otherwise("\"gain_only\"").vary(Vary::kPolicy)
        .doc("`both` also scales a painshare, by (1 - mu P)."));
  v(boolean("gate", t.gate).otherwise("false").vary(Vary::kPolicy)
        .doc("No gainshare unless every KRA reaches minimum (variant C)."));
  v(choice("allocation", t.allocation, kAllocationNames).otherwise("\"budget_share\"").vary(Vary::kPolicy)
        .doc("How Limb 3 is split among members: equally, by Limb 1 (cost), by fee, or by the members' fixed "
             "`allocation` shares [R19]."));
  v(choice("shortfall", t.shortfall, kShortfallNames).otherwise("\"commissioner\"").vary(Vary::kPolicy)
        .doc("Who bears the pain a member's cap spares it: the commissioner, or the uncapped members pro rata."));
  v(number("retention", t.retention).range(0, 1).unit("fraction").otherwise("0").vary(Vary::kPolicy)
        .doc("rho. Over the agreement: this share of each member's yearly gainshare is withheld, meets a later "
             "painshare of that member first, and is paid in the agreement's last year (docs/contracts.md, \"Over "
             "the life of the agreement\")."));
  v(number_or_none("pain_cap_life", t.pain_cap_life).range(0, 100).unit("fraction of the fees to date")
        .otherwise("none (no cap over the agreement)").vary(Vary::kPolicy)
        .doc("kappa_L. Over the agreement: a member's painshare to date is capped at kappa_L x its fees to date; "
             "what the cap spares the commissioner bears."));
  v(choice("settlement", t.settlement, kSettlementNames).otherwise("\"annual\"").vary(Vary::kPolicy)
        .doc("`cumulative` trues the cost share up each year against the target to date: the providers are paid "
             "their share of the cumulative under- or overrun less what they were paid before, and the caps bound "
             "the share to date (docs/contracts.md, \"Over the life of the agreement\")."));
  v(boolean("carry_forward", t.carry_forward).otherwise("false").vary(Vary::kPolicy)
        .doc("With annual settlement: the part of a year's cost share that the caps hold back is added to the "
             "next year's share (what the last year's caps hold back is dropped)."));
  v(number_or_none("pool_pain_cap_life", t.pool_pain_cap_life).range(0, 100)
        .unit("fraction of all members' fees to date").otherwise("none (no pool cap over the agreement)")
        .vary(Vary::kPolicy)
        .doc("Over the agreement: the providers' painshare to date (Limb 3 pains summed) is capped at this x the "
             "members' fees to date; the commissioner keeps what the cap holds back."));
  v(number_or_none("pool_gain_cap_life", t.pool_gain_cap_life).range(0, limits::kMaxMoney)
        .unit("pounds over the agreement").otherwise("none (no pool cap over the agreement)").vary(Vary::kPolicy)
        .doc("Over the agreement: the providers' gainshare to date (Limb 3 gains summed) is capped at this."));
  v(integer("rebase_every", t.rebase_every).range(0, 100).unit("years").otherwise("0 (never)").vary(Vary::kPolicy)
        .doc("n. In years n, 2n, ... (0-based, so 1 rebases every year after the first) the target is rebased: "
             "its factor on the scheduled TOC moves rebase_weight of the way to the previous year's outturn "
             "over target."));
  v(number("rebase_weight", t.rebase_weight).range(0, 1).unit("fraction").otherwise("1").vary(Vary::kPolicy)
        .doc("w. At a rebase, TOC factor R becomes R x (1 - w + w x AOC / TOC of the previous year): 1 rebases to "
             "the outturn, 0 keeps the schedule."));
  v(boolean("interim", t.interim).otherwise("false").vary(Vary::kPolicy)
        .doc("Cash timing (results' quarterly cash; settlement is unchanged): the members are paid the target plus "
             "their fees on account in four equal quarterly instalments (split by their share of the year's Limb 1), "
             "and the year's balance after reconciliation_lag quarters. Without it every payment arrives in four "
             "equal instalments."));
  v(integer("reconciliation_lag", t.reconciliation_lag).range(0, 8).unit("quarters").otherwise("1").vary(Vary::kPolicy)
        .doc("With interim: quarters after the year's end at which the balance is paid (0: with the last "
             "instalment)."));
  v.check([&](auto& c) {
    if (!t.interim && c.present("reconciliation_lag") && c.ok("reconciliation_lag")) {
      c.error("reconciliation_lag", "no reconciliation_lag without interim = true (nothing is paid on account)",
              c.written("reconciliation_lag"));
    }
    if (t.settlement == AllianceTerms::Settlement::kCumulative && t.carry_forward && c.ok("settlement") && c.ok("carry_forward")) {
      c.error("carry_forward",
              "no carry_forward with settlement = \"cumulative\" (cumulative settlement already pays or charges "
              "what a cap held back once the position to date comes back inside it)",
              "true");
    }
    if (t.rebase_every == 0 && c.present("rebase_weight") && c.ok("rebase_weight")) {
      c.error("rebase_weight", "no rebase_weight without rebase_every (the target is never rebased)",
              c.written("rebase_weight"));
    }
  });
  v(map("residual_split", t.residual_split, "commissioners", "commissioner").range(0, 1).unit("fraction")
        .otherwise("as the contract's funders").vary(Vary::kPolicy)
        .entry_doc("That commissioner's share of what the pooled budget saves or overspends.")
        .doc("How the commissioners share what the pooled budget (target plus fees) saves or overspends, `{ icb = 0.5, "
             "council = 0.5 }`, summing to 1: commissioner k pays funders_k x (TOC + F) - residual_split_k x (TOC + F - "
             "the alliance's payments)."));
  v.check([&](auto& k) { schema_detail::check_shares(k, "residual_split", "residual shares", t.residual_split); });
  const bool fixed = t.allocation == AllianceTerms::Allocation::kFixed;
  v(tables("members", t.members).required().vary(Vary::kPolicy).key_field("partner")
        .doc("The non-owner partners, `[[arms.<name>.contracts.members]]`, at least one."),
    [&](V& w, AllianceMember& m, std::size_t) {
      w(reference("partner", m.partner, "partners", "partner").required().vary(Vary::kPolicy)
            .doc("The partner (a name under `[partners]`)."));
      w(number("fee", m.fee).range(0, limits::kMaxMoney).unit("pounds per year").otherwise("0").vary(Vary::kPolicy)
            .doc("Limb 2 as a lump sum."));
      w(number("fee_rate", m.fee_rate).range(0, 1).unit("fraction of Limb 1").otherwise("0").vary(Vary::kPolicy)
            .doc("Limb 2 as a fraction of the member's cost, added to fee (brief 2.5: 2-8%, an assumption)."));
      w(number("fee_of_target", m.fee_of_target).range(0, 1).unit("fraction of the target").otherwise("0")
            .vary(Vary::kPolicy).doc("Limb 2 as a fraction of the year's TOC, added to fee and fee_rate's part."));
      w(number("allocation", m.allocation).range(0, 1).unit("fraction").otherwise("required with allocation = \"fixed\"")
            .vary(Vary::kPolicy)
            .doc("The member's fixed share of Limb 3; only with allocation = \"fixed\", where the members' shares sum "
                 "to 1."));
      w(number("cap", m.cap).range(0, 100).unit("fraction of its fee").otherwise("none (uncapped)").vary(Vary::kPolicy)
            .doc("kappa_i: the member's Limb 3 >= -cap x its fee, applied after allocation; the `shortfall` rule places "
                 "the rest."));
      w.check([&, fixed](auto& c) {
        if (c.present("allocation") && !fixed) {
          c.error("allocation", "no allocation (member shares apply only with allocation = \"fixed\")",
                  c.written("allocation"));
        } else if (!c.present("allocation") && fixed) {
          c.error("allocation", "a number in [0, 1] (required with allocation = \"fixed\")",
                  "nothing (the key is missing)");
        }
      });
    });
  v(tables("kras", t.kras).otherwise("none").vary(Vary::kPolicy).key_field("name")
        .doc("Key result areas, `[[arms.<name>.contracts.kras]]` (ideally 6 or fewer [R1]); the KPI return P is the "
             "weighted sum of their band scores."),
    [&](V& w, Kra& k, std::size_t) {
      w(text("name", k.name).required().vary(Vary::kPolicy)
            .doc("Unique within the contract; names the KRA in results and sweeps."));
      schema_detail::describe_kpi(w, k);
      w(numbers("thresholds", k.thresholds).range(-limits::kMaxLevel, limits::kMaxLevel).unit("the KPI's unit")
            .required().vary(Vary::kPolicy).choices(kKraBandNames)
            .size(5, "exactly 5 levels (failure, poor, minimum, stretch, game_breaking)")
            .doc("Five levels: failure, poor, minimum (MCOS), stretch, game_breaking; ascending for higher_is_better, "
                 "descending for lower_is_better. The band is the best one whose level is reached (failure when not "
                 "even poor is)."));
      w(numbers("scores", k.scores).range(-1, 1).otherwise("[-1, -0.5, 0, 0.5, 1]").vary(Vary::kPolicy)
            .size(5, "exactly 5 scores (failure, poor, minimum, stretch, game_breaking)")
            .doc("The five band scores, non-decreasing (brief 2.3, an assumption)."));
      w(boolean("interpolate", k.interpolate).otherwise("false").vary(Vary::kPolicy)
            .doc("Score piecewise linearly between the thresholds instead of by band."));
      w(number("weight", k.weight).range(0, 1).required().vary(Vary::kPolicy).doc("Weight; the KRAs' weights sum to 1."));
      w.check([&](auto& c) {
        if (c.ok("name") && k.name.empty()) {
          c.error("name", "a non-empty name", "the string \"\"");
        } else if (c.ok("name")) {
          for (const Kra* other = t.kras.data(); other != &k; ++other) {
            if (other->name != k.name) continue;
            c.error("name", "a KRA name unique within the contract", "a second KRA named \"" + k.name + "\"");
            break;
          }
        }
        schema_detail::check_kpi(c, k.kpi_name);
        if (!c.ok("thresholds") || !c.ok("direction")) return;
        const bool higher = k.direction == Direction::kHigherIsBetter;
        const double sign = higher ? 1.0 : -1.0;
        for (std::size_t b = 1; b < 5; ++b) {
          if (sign * k.thresholds[b] >= sign * k.thresholds[b - 1]) continue;
          c.error("thresholds",
                  std::string("levels failure, poor, minimum, stretch, game_breaking in ") +
                      (higher ? "ascending order (a higher_is_better KPI)" : "descending order (a lower_is_better KPI)"),
                  std::string(kKraBandNames[b]) + " (" + c.number(k.thresholds[b]) + ") " + (higher ? "below " : "above ") +
                      std::string(kKraBandNames[b - 1]) + " (" + c.number(k.thresholds[b - 1]) + ")");
          break;
        }
      });
    });
  v.check([&](auto& c) {
    if (c.present("members") && t.members.empty() && c.ok("members")) c.error("members", "at least one member", "none");
    if (fixed && !t.members.empty() && c.all_ok("members", "allocation")) {
      double sum = 0;
      for (const AllianceMember& m : t.members) sum += m.allocation;
      if (std::fabs(sum - 1.0) > 1e-9) {
        c.error("members", "member allocations that sum to 1 (allocation = \"fixed\")", "a sum of " + c.number(sum));
      }
    }
    double sum = 0;
    for (const Kra& k : t.kras) sum += k.weight;
    if (!t.kras.empty() && c.all_ok("kras", "weight")) c.sums_to_one("kras", "KRA weights", sum);
  });
}

/// One `[[arms.<arm>.contracts]]` table: a name, and the terms its `type` chooses.
template <class V>
void describe(V& v, Contract& c) {
  using namespace schema;
  v(text("name", c.name).required().vary(Vary::kPolicy)
        .doc("Unique within the arm; labels results and names the contract in `mhsim sweep --set "
             "arms.<arm>.contracts.<name>.<term>=...`."));
  v(variant("type", c.terms, kContractTypeNames).required().noun("contract").vary(Vary::kPolicy)
        .doc("The payment model (brief 2 and 3.1); it decides which of the keys below the contract takes."),
    [&](V& w, auto& terms) { describe(w, terms); });
  v(map("funders", c.funders, "commissioners", "commissioner").range(0, 1).unit("fraction")
        .otherwise("the first commissioner pays it all").vary(Vary::kPolicy)
        .entry_doc("That commissioner's share of what the contract pays.")
        .doc("Each commissioner's share of what the contract pays, `{ icb = 0.8, council = 0.2 }` (commissioners left "
             "out: 0), summing to 1; needs `[commissioners.<name>]`."));
  v.check([&](auto& k) { schema_detail::check_shares(k, "funders", "funders' shares", c.funders); });
  v(choice("one_off_costs", c.one_off, kOneOffCostsNames).otherwise("\"inside\"").vary(Vary::kPolicy)
        .doc("The one-off costs (`arms.<arm>.one_off_costs`: set-up, transition) of the services this contract "
             "covers: `inside`, cost like any other, counted against the contract (a block absorbs it; an "
             "alliance reimburses it in Limb 1 and counts it in the outturn against the target); `outside`, "
             "paid on top pound for pound and left out of what the contract settles on."));
  v(names("services", c.services, "services", "service")
        .otherwise("the services of its partner(s) that no contract with `services` names").vary(Vary::kPolicy)
        .doc("The services whose cost and activity this contract covers, services of the partner(s) it pays: "
             "`[\"rehab\", \"placements\"]`. A partner may hold several contracts in an arm when each of its "
             "services is covered by exactly one: those naming it, or the partner's one contract without "
             "`services` (docs/contracts.md, \"Several contracts for one partner\")."));
}

/// What the terms derive from what is written (idempotent; after reading and every change):
/// the KPIs named by indicators and KRAs, an indicator's default name, and the kind of an
/// alliance's target (and its amount, when fixed).
inline void finalize(Terms& terms) {
  const auto resolve = [](auto& k) {
    const auto& sys = ledger::system_kpis();
    const auto& svc = ledger::service_kpis();
    for (std::size_t i = 0; i < sys.size(); ++i) {
      if (sys[i].name == k.kpi_name) k.kpi = KpiRef::system(static_cast<ledger::SystemKpi>(i));
    }
    for (std::size_t i = 0; i < svc.size() && k.kpi_service != schema::kNone; ++i) {
      if (svc[i].name == k.kpi_name) k.kpi = KpiRef::of_service(k.kpi_service, static_cast<ledger::ServiceKpi>(i));
    }
  };
  for (Contract& c : terms.contracts) {
    std::visit(
        [&](auto& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, OutcomesTerms> || std::is_same_v<T, BlendedTerms>) {
            for (Indicator& k : t.indicators) {
              resolve(k);
              if (k.name.empty()) k.name = k.kpi_name;
            }
          }
          if constexpr (std::is_same_v<T, AllianceTerms>) {
            for (Kra& k : t.kras) resolve(k);
            if (t.target_rule) {
              TargetRule& r = *t.target_rule;
              r.kind = r.arm != schema::kNone ? TargetRule::Kind::kArmCost : TargetRule::Kind::kFixed;
              if (r.kind == TargetRule::Kind::kFixed) t.target_cost = r.amount;
            }
          }
        },
        c.terms);
  }
}

/// The rules of one arm's contracts together: names unique, a partner paid by one contract,
/// one alliance, tariffs on the paid partner's own services (`service_owner`: each
/// service's partner), need weights with group shares, a target from another arm; then
/// settlement's own check_terms as a safety net. `c` is a checker at the root.
template <class C>
void check_arm_contracts(C& c, const Terms& terms, const std::string& arm_path, std::size_t arm_index,
                         const std::vector<std::size_t>& service_owner) {
  const std::vector<Contract>& contracts = terms.contracts;
  const std::string arm = arm_path.substr(arm_path.find('.') + 1);
  const std::string base = arm_path + ".contracts";
  const auto& src = c.source();
  const std::vector<std::string>& partners = src.names_of("partners");
  const std::vector<std::string>& services = src.names_of("services");
  const std::vector<std::string>& arms = src.names_of("arms");
  std::vector<std::string> paid_by(partners.size());   // the partner's contract without services
  std::vector<std::string> scoped_by(services.size());  // the contract whose services name it
  std::vector<bool> split(partners.size(), false);      // the partner holds a contract with services
  std::set<std::string> names;
  std::string alliance;
  bool problems = !src.ok(base) || c.reported_under(base);
  const auto names_in = [&](const std::vector<bool>& in) {
    std::vector<std::string> out;
    for (std::size_t s = 0; s < in.size() && s < services.size(); ++s) {
      if (in[s]) out.push_back(services[s]);
    }
    return schema::quoted(out);
  };
  const auto error = [&](const std::string& path, std::string expected, std::string got) {
    c.error_at(path, std::move(expected), std::move(got));
    problems = true;
  };
  for (std::size_t i = 0; i < contracts.size(); ++i) {
    const Contract& k = contracts[i];
    const std::string at = base + "[" + std::to_string(i) + "]";
    const std::string label = src.ok(at + ".name") && src.present(at + ".name") ? k.name : "contracts[" + std::to_string(i) + "]";
    if (src.ok(at + ".name") && src.present(at + ".name")) {
      if (k.name.empty()) {
        error(at + ".name", "a non-empty name", "the string \"\"");
      } else if (!names.insert(k.name).second) {
        error(at + ".name", "a contract name unique within arm \"" + arm + "\"", "a second contract named \"" + k.name + "\"");
      }
    }
    if (!src.ok(at + ".type") || !src.present(at + ".type")) continue;
    const bool scoped = src.ok(at + ".services") && src.present(at + ".services");
    const auto claim = [&](const std::string& path, std::size_t p) {
      if (!src.ok(path) || !src.present(path) || p >= partners.size()) return;
      if (scoped) {
        split[p] = true;
        return;
      }
      if (paid_by[p].empty()) {
        paid_by[p] = label;
        return;
      }
      error(path,
            "a partner in no other contract without `services` in arm \"" + arm +
                "\" (a partner's further contracts name their services)",
            "\"" + partners[p] + "\", already in contract \"" + paid_by[p] + "\"");
    };
    if (scoped) {
      const std::string path = at + ".services";
      if (std::none_of(k.services.begin(), k.services.end(), [](bool b) { return b; })) {
        error(path, "at least one service", "an empty list");
        continue;  // nothing to place; its partner's services are not checked for cover
      }
      for (std::size_t s = 0; s < k.services.size() && s < services.size(); ++s) {
        if (!k.services[s]) continue;
        const std::size_t owner = service_owner[s];
        if (owner < partners.size() && !pays(k, owner)) {
          error(path, "services of the partner(s) the contract pays",
                "the service \"" + services[s] + "\", of partner \"" + partners[owner] + "\", which it does not pay");
        } else if (!scoped_by[s].empty()) {
          error(path, "a service in no other contract's services",
                "\"" + services[s] + "\", already in the services of contract \"" + scoped_by[s] + "\"");
        } else {
          scoped_by[s] = label;
        }
      }
    }
    std::visit(
        [&](const auto& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, AllianceTerms>) {
            if (!alliance.empty()) {
              error(at + ".type", "at most one alliance contract in an arm", "a second alliance (\"" + alliance + "\" is one)");
            } else {
              alliance = label;
            }
            for (std::size_t m = 0; m < t.members.size(); ++m) {
              claim(at + ".members[" + std::to_string(m) + "].partner", t.members[m].partner);
            }
          } else {
            claim(at + ".partner", t.partner);
          }
          const auto tariffs = [&](const std::vector<Tariff>& lines, const char* key) {
            for (std::size_t l = 0; l < lines.size(); ++l) {
              const std::string path = at + "." + key + "[" + std::to_string(l) + "].service";
              const std::size_t s = lines[l].service;
              if (s == Tariff::kPartnerServices || !src.ok(path) || !src.ok(at + ".partner") || s >= services.size()) continue;
              if constexpr (!std::is_same_v<T, AllianceTerms>) {
                const std::size_t owner = service_owner[s];
                if (owner == t.partner && scoped && (s >= k.services.size() || !k.services[s])) {
                  error(path, "one of the contract's services (" + names_in(k.services) + ")",
                        "the service \"" + services[s] + "\", which another contract covers");
                  continue;
                }
                if (owner == t.partner) continue;
                std::vector<std::string> own;
                for (std::size_t j = 0; j < services.size(); ++j) {
                  if (service_owner[j] == t.partner) own.push_back(services[j]);
                }
                error(path,
                      "a service of the contract's partner \"" + partners[t.partner] + "\" (one of " +
                          (own.empty() ? std::string("none") : schema::quoted(own)) + ")",
                      "the service \"" + services[s] + "\", of partner \"" +
                          (owner < partners.size() ? partners[owner] : std::string("?")) + "\"");
              }
            }
          };
          if constexpr (std::is_same_v<T, ActivityTerms>) tariffs(t.tariffs, "tariffs");
          if constexpr (std::is_same_v<T, BlendedTerms>) tariffs(t.variable, "variable");
          if constexpr (std::is_same_v<T, CapitationTerms>) {
            if (src.present(at + ".need_weights") && !src.present("population.group_share")) {
              error(at + ".need_weights",
                    "population.group_share as well (need weights apply to the population's share in each need group)",
                    "need weights without population.group_share");
            }
          }
          if constexpr (std::is_same_v<T, AllianceTerms>) {
            if (t.target_rule && t.target_rule->arm == arm_index && src.ok(at + ".target.arm")) {
              std::vector<std::string> others;
              for (std::size_t j = 0; j < arms.size(); ++j) {
                if (j != arm_index) others.push_back(arms[j]);
              }
              error(at + ".target.arm", "another arm (one of " + (others.empty() ? std::string("none") : schema::quoted(others)) + ")",
                    "the arm \"" + arm + "\" itself");
            }
          }
        },
        k.terms);
  }
  // Each service of a partner with a contract naming services is covered by exactly one.
  for (std::size_t s = 0; s < services.size() && s < service_owner.size(); ++s) {
    const std::size_t p = service_owner[s];
    if (p >= partners.size() || !split[p] || !scoped_by[s].empty() || !paid_by[p].empty()) continue;
    c.error_at(base, "each service of partner \"" + partners[p] + "\" in one contract of arm \"" + arm +
                         "\" (name it in a contract's services, or give the partner a contract without services)",
               "the service \"" + services[s] + "\" in none");
    problems = true;
  }
  // Settlement's own check, as a safety net for what the rules above do not cover; it would
  // repeat what they found, so only when they found nothing.
  if (problems || contracts.empty()) return;
  for (const std::string& problem : check_terms(terms, partners.size(), services.size(), service_owner)) {
    std::size_t at = 0;
    std::string text = problem;
    for (std::size_t i = 0; i < contracts.size(); ++i) {
      const std::string where = "contract " + std::to_string(i) + " \"" + contracts[i].name + "\" (" +
                                std::string(kContractTypeNames[contracts[i].terms.index()]) + "): ";
      if (problem.rfind(where, 0) == 0) {
        at = i;
        text = problem.substr(where.size());
        break;
      }
    }
    c.error_at_table(base + "[" + std::to_string(at) + "]", "contract terms that settlement accepts", text);
  }
}

}  // namespace mhsim::models::contracts
