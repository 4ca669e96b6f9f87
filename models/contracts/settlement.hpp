// SPDX-License-Identifier: MIT
#pragma once
// Contract terms and settlement (issue 4): pure functions from one arm's one financial year
// (ledger activity and cost, KPIs) and a set of payment terms to payouts per partner.
//
// No clock, no random numbers, no I/O, and no provider behaviour: how providers act under a
// contract is a parameter of the pathway arm, never of settlement. Settlement is cheap so a
// stored ledger can be re-settled over grids of terms; settle(terms, input, out) reuses the
// buffers of `out` and does not allocate once they have reached their size.
//
// Formulas follow shared/domain/brief.md sections 2 (alliance: three limbs, gain/pain, KRAs,
// allocation among partners, worked example 2.6) and 3.1 (block, cost and volume, capitation,
// outcomes-based, blended, risk-share corridor). Every choice the brief leaves open is stated
// beside the field that makes it. Money is in pounds; "share" and "fraction" are in [0, 1].

#include <array>
#include <cstdint>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/ledger/ledger.hpp"

namespace mhsim::models::contracts {

using ledger::Measure;
using ledger::kMeasures;

// ---------------------------------------------------------------------------------------
// Input: what settlement reads about one year of one arm.

/// One financial year of one arm, as settlement sees it. Build it with from_arm_result, or
/// by hand in tests and sweeps. Indices: P partners, S services, G need groups.
struct YearInput {
  int year = 0;                                          ///< 0-based settlement year
  std::vector<double> partner_cost;                      ///< [P] cost incurred (Limb 1 basis), pounds
  std::vector<std::array<double, kMeasures>> partner_activity;  ///< [P][Measure] over the partner's services
  std::vector<double> service_cost;                      ///< [S] pounds, all measures and one-off costs
  /// [S] the one-off costs in service_cost (set-up, transition); empty = none. A contract
  /// with one_off = kOutside pays them on top and leaves them out of what it settles on.
  std::vector<double> service_one_off = {};
  std::vector<std::array<double, kMeasures>> service_activity;  ///< [S][Measure]
  std::vector<std::size_t> service_partner;              ///< [S] owning partner
  std::vector<double> kpi;                               ///< [SystemKpi] the year's system KPIs
  std::vector<double> service_kpi;                       ///< [S * kServiceKpis] row-major
  double population = 0;                                 ///< head count for capitation
  /// [G] population share by need group for need-adjusted capitation; may be empty.
  std::vector<double> group_share;

  std::size_t partners() const noexcept { return partner_cost.size(); }
  std::size_t services() const noexcept { return service_cost.size(); }
};

/// What settlement needs to know about the system behind an arm's ledger, beyond the
/// ledger itself. models/contracts/pathway_ledger.hpp builds it from a pathway spec.
struct LedgerShape {
  std::vector<std::size_t> service_partner;  ///< [S] the partner owning each service
  std::size_t partners = 0;                  ///< P
  double population = 0;                     ///< head count for capitation
  std::vector<double> group_share;           ///< [G] population share by need group, or empty
};

/// Year `year` of an arm's result: costs and activity per service and per partner, system
/// and service KPIs, and the population. Throws std::out_of_range if the year or the
/// result's shape does not match `shape`.
YearInput from_arm_result(const LedgerShape& shape, const ledger::ArmResult& result, std::size_t year);
/// As above, into `out` (reusing its buffers).
void from_arm_result(const LedgerShape& shape, const ledger::ArmResult& result, std::size_t year, YearInput& out);

// ---------------------------------------------------------------------------------------
// Terms.

/// Which way a KPI is good.
enum class Direction { kHigherIsBetter, kLowerIsBetter };

/// A KPI that settlement reads: a system KPI, or a service KPI of one service. Names are
/// resolved by the scenario loader; here it is indices only.
struct KpiRef {
  enum class Scope { kSystem, kService };
  Scope scope = Scope::kSystem;
  std::size_t index = 0;    ///< static_cast<std::size_t>(SystemKpi or ServiceKpi)
  std::size_t service = 0;  ///< kService only

  static KpiRef system(ledger::SystemKpi k) noexcept { return {Scope::kSystem, static_cast<std::size_t>(k), 0}; }
  static KpiRef of_service(std::size_t service, ledger::ServiceKpi k) noexcept {
    return {Scope::kService, static_cast<std::size_t>(k), service};
  }
};

/// The value of KPI `ref` in `in` (what indicators and KRAs settle on). Throws
/// std::invalid_argument when `in` has no such KPI.
double kpi_value(const KpiRef& ref, const YearInput& in);

/// An outcome indicator: achievement a in [0, 1] is linear in the KPI between `zero_level`
/// (a = 0) and `full_level` (a = 1), clamped outside. For kHigherIsBetter full >= zero, for
/// kLowerIsBetter full <= zero; when they are equal achievement is a step at that level.
struct Indicator {
  std::string name;
  KpiRef kpi;
  Direction direction = Direction::kHigherIsBetter;
  double zero_level = 0;
  double full_level = 1;
  double weight = 0;  ///< weights of a contract's indicators sum to 1
  std::string kpi_name = {};             ///< as the scenario names it; resolved into `kpi` by the scenario
  std::size_t kpi_service = std::numeric_limits<std::size_t>::max();  ///< ... with its service (max: none)
};

/// A sliding share band: a share of the part of a deviation up to `upper` x a base (and
/// above the previous band's bound). Beyond the last band the share is 0 (NEC-style cap).
struct ShareBand {
  double upper = 0;  ///< bound of the deviation as a fraction of the base, ascending; may be +inf
  double share = 0;
};

/// sum_b share_b x (min(size, upper_b x base) - previous bound)+ : the banded share of a
/// deviation of `size` >= 0 against `base`.
double banded(const std::vector<ShareBand>& bands, double size, double base) noexcept;

/// Risk-share corridor (brief 3.1). With C the partner's cost and B the budget:
///   adjustment = +rho * max(0, |C - B| - delta * B) * sign(C - B)
/// is ADDED to the partner's payment: the commissioner pays rho of an overspend beyond the
/// corridor and claws back rho of an underspend beyond it. (The brief's RS has the opposite
/// sign: it is the same amount seen as the commissioner's saving.) Tiers (issue 16 item 3):
/// `over` replaces (delta, rho) for an overspend by the commissioner's banded shares of
/// C - B (bounds as fractions of B), `under` likewise for an underspend; so a corridor can be
/// asymmetric and tiered. (delta, rho) equals the bands [{delta, 0}, {inf, rho}].
struct RiskCorridor {
  double width = 0;  ///< delta, as a fraction of the budget
  double share = 0;  ///< rho, commissioner's share beyond the corridor
  std::vector<ShareBand> over = {};   ///< commissioner's shares of an overspend by band (empty: delta, rho)
  std::vector<ShareBand> under = {};  ///< ... of an underspend (empty: delta, rho)
};

/// A tariff line: price per unit of a measure, for one service or for all of the contract
/// partner's services (service == kPartnerServices).
struct Tariff {
  static constexpr std::size_t kPartnerServices = std::numeric_limits<std::size_t>::max();
  Measure measure = Measure::kContacts;
  std::size_t service = kPartnerServices;
  double price = 0;           ///< pounds per unit
  double baseline_volume = 0; ///< cost and volume: A0; blended: planned activity A_plan
};

/// Block: payment_y = annual * (1 + indexation)^year, whatever the activity.
struct BlockTerms {
  std::size_t partner = 0;
  double annual = 0;
  double indexation = 0;  ///< per year, e.g. 0.02
};

/// Activity-based and cost and volume. With V = sum_l price_l * A_l (activity valued at
/// tariff) and V0 = sum_l price_l * A0_l (the baseline valued the same way):
///   Pay = B0 + m * (V - V0)              if V >= V0   (= B0 + p m (A - A0) for one line)
///   Pay = B0 - m_below * (V0 - V)        if V <  V0   (m_below = 0: the block B0 stands)
/// then clamped to [floor, cap]. Plain activity payment: B0 = 0, A0 = 0, m = 1 (the default).
struct ActivityTerms {
  std::size_t partner = 0;
  std::vector<Tariff> tariffs;
  double baseline_payment = 0;        ///< B0
  double marginal_rate = 1;           ///< m, above the baseline
  double below_baseline_rate = 0;     ///< m_below, refund rate per pound of shortfall below the baseline
  std::optional<double> cap;          ///< maximum payment
  std::optional<double> floor;        ///< minimum payment
};

/// Capitation: Budget = per_head * population * need, need = sum_g weight_g * share_g (need =
/// 1 when no weights are given; weights need group shares of the same size in the input).
/// Pay = Budget (+ corridor adjustment on the partner's cost, if any).
struct CapitationTerms {
  std::size_t partner = 0;
  double per_head = 0;
  std::vector<double> need_weights;  ///< [G] relative cost weights, may be empty
  std::optional<RiskCorridor> corridor;
};

/// Outcomes-based (brief 3.1): V contract value, alpha at risk, a_k achievement:
///   bonus:    Pay = V + alpha V sum_k w_k a_k
///   withhold: Pay = V (1 - alpha) + alpha V sum_k w_k a_k
struct OutcomesTerms {
  enum class Mode { kBonus, kWithhold };
  std::size_t partner = 0;
  double value = 0;     ///< V
  double at_risk = 0;   ///< alpha
  Mode mode = Mode::kWithhold;
  std::vector<Indicator> indicators;
};

/// Blended (brief 3.1, 2019/20 MH default; API with CQUIN):
///   Pay = F + v * sum_l price_l (A_l - Aplan_l) + q V sum_k w_k a_k + RS
/// The corridor's budget is the payment at full quality achievement before risk share,
/// F + variable + q V, so volume the variable element already pays for is not shared twice
/// and the quality withhold is not refunded through the corridor.
struct BlendedTerms {
  std::size_t partner = 0;
  double fixed = 0;                 ///< F (excludes the withheld quality element)
  std::vector<Tariff> variable;     ///< prices with planned volumes (Tariff::baseline_volume)
  double variable_rate = 1;         ///< v, fraction of the price paid per unit off plan
  double quality_share = 0;         ///< q, e.g. 0.0125 for CQUIN
  double value = 0;                 ///< V, the contract value q applies to
  std::vector<Indicator> indicators;
  std::optional<RiskCorridor> corridor;
};

/// A key result area: five thresholds in the order failure, poor, minimum (MCOS), stretch,
/// game-breaking, ascending in goodness (ascending values for kHigherIsBetter, descending for
/// kLowerIsBetter). The band is the best one whose threshold is reached (failure when not even
/// "poor" is); its score is scores[band]. With `interpolate` the score is piecewise linear
/// through (threshold_b, score_b), clamped at both ends.
struct Kra {
  std::string name;
  KpiRef kpi;
  Direction direction = Direction::kHigherIsBetter;
  std::array<double, 5> thresholds{};
  std::array<double, 5> scores{-1.0, -0.5, 0.0, 0.5, 1.0};
  bool interpolate = false;
  double weight = 0;  ///< weights of the KRAs sum to 1
  std::string kpi_name = {};             ///< as the scenario names it; resolved into `kpi` by the scenario
  std::size_t kpi_service = std::numeric_limits<std::size_t>::max();  ///< ... with its service (max: none)
};
inline constexpr std::array<std::string_view, 5> kKraBandNames = {"failure", "poor", "minimum", "stretch", "game_breaking"};

/// An alliance partner (non-owner participant).
struct AllianceMember {
  std::size_t partner = 0;
  double fee = 0;                   ///< Limb 2 lump sum, pounds
  double fee_rate = 0;              ///< Limb 2 as a fraction of the partner's Limb 1 (added to `fee`)
  double allocation = 0;            ///< fixed fraction of Limb 3 (Allocation::kFixed only)
  std::optional<double> cap;        ///< kappa_i: L3_i >= -kappa_i * fee_i after allocation
  double fee_of_target = 0;         ///< Limb 2 as a fraction of the year's TOC (added to `fee`)
};

/// How an alliance's target outturn cost (TOC) is set. Settlement never reads it: the caller
/// resolves it into AllianceTerms::target_cost (a rule from another arm's simulated costs can
/// only be resolved after simulation).
struct TargetRule {
  enum class Kind {
    kFixed,    ///< `amount` pounds in year 1 (a pooled budget or a negotiated figure); the
               ///< alliance terms' target_indexation / target_cost_by_year apply after
    kArmCost,  ///< a percentile of another arm's simulated cost of the alliance members'
               ///< partners (of the services the alliance covers, when a member is split
               ///< by scoped contracts), per year, across replications, times `scale`
  };
  Kind kind = Kind::kFixed;
  double amount = 0;
  std::size_t arm = std::numeric_limits<std::size_t>::max();  ///< kArmCost: the reference arm
  double percentile = 50;   ///< kArmCost: in [0, 100]
  double scale = 1;         ///< kArmCost: e.g. 0.95 for a target 5% below the reference
};

/// Alliance (brief 2.1-2.4). Per year, with TOC the target and AOC = sum of members' costs:
///   Limb 1 = each member's cost;  Limb 2 = fee_i = fee + fee_rate * Limb1_i + fee_of_target * TOC;  F = sum fee_i
///   U = TOC - AOC;  G_cost = s U (or by sliding bands), then
///     modifier: G_cost *= (1 + mu P) for a gain; with kBoth a pain is scaled by (1 - mu P),
///               so good performance lightens it and poor performance deepens it
///     gate: G_cost = min(G_cost, 0) unless every KRA reaches "minimum"
///     caps: G_cost <= min(gain_cap, gain_cap_of_target TOC),
///           G_cost >= -min(kappa F, pain_cap_of_target TOC)
///   providers_share = G_cost;  commissioner_residual = U - G_cost
///   G_kra = P * reward_pool if P >= 0, P * max_liability if P < 0
///   L3 = G_cost + G_kra, floored at that pain cap when floor_total
///   L3 is allocated (equal / Limb 1 share / fee share / fixed), then partner caps apply and a
///   capped partner's shortfall goes to the commissioner or is reallocated pro rata to
///   uncapped partners (iterating until no new cap binds; any remainder to the commissioner).
/// The modifier and gate act before the caps, so the caps are the outermost limits.
struct AllianceTerms {
  enum class Allocation { kEqual, kBudgetShare, kFee, kFixed };
  enum class Shortfall { kCommissioner, kReallocate };
  enum class ModifierScope { kGainOnly, kBoth };

  std::vector<AllianceMember> members;
  std::optional<TargetRule> target_rule;   ///< how the scenario sets the TOC (settlement ignores it)
  double target_cost = 0;                  ///< TOC in year 0 (resolved by the caller)
  double target_indexation = 0;            ///< TOC_y = target_cost * (1 + i)^y ...
  std::vector<double> target_cost_by_year; ///< ... unless given here (last value repeats)
  double share = 0.5;                      ///< s, providers' share (when no bands)
  std::vector<ShareBand> gain_bands;       ///< sliding shares of an underrun (empty: flat s)
  std::vector<ShareBand> pain_bands;       ///< sliding shares of an overrun (empty: flat s)
  std::optional<double> pain_cap = 1.0;    ///< kappa: painshare cap = kappa * F (nullopt: uncapped)
  std::optional<double> gain_cap;          ///< C_gain, pounds (nullopt: uncapped)
  std::optional<double> pain_cap_of_target;  ///< painshare cap as a fraction of TOC (the tighter of it and kappa F)
  std::optional<double> gain_cap_of_target;  ///< gainshare cap as a fraction of TOC (the tighter of it and C_gain)
  bool floor_total = true;                 ///< L3 >= -kappa F (needs pain_cap)

  std::vector<Kra> kras;
  double reward_pool = 0;                  ///< R_pool, pounds (variant A; 0 = no pool)
  double max_liability = 0;                ///< L_max, pounds (variant A)
  double modifier = 0;                     ///< mu in [0, 1] (variant B; 0 = off)
  ModifierScope modifier_scope = ModifierScope::kGainOnly;
  bool gate = false;                       ///< variant C

  Allocation allocation = Allocation::kBudgetShare;
  Shortfall shortfall = Shortfall::kCommissioner;

  /// [K] how the commissioners split the pooled budget's out-turn (below); empty: as the
  /// contract's funders. With f the funders and r this split, commissioner k pays
  ///   f_k x (TOC + F) - r_k x (TOC + F - the alliance's payments)
  /// so the funders fund the pooled budget (target plus fees) in their shares and share what
  /// it saves or overspends in theirs; the k sum to the alliance's payments.
  std::vector<double> residual_split = {};

  // Over the life of the agreement (issue 16; settle_year, applied year after year):
  double retention = 0;                    ///< rho: share of each member's yearly gainshare withheld until the last year
  std::optional<double> pain_cap_life;     ///< kappa_L: a member's painshare to date <= kappa_L x its fees to date
  enum class Settlement { kAnnual, kCumulative };
  /// kCumulative: the cost share is trued up against the cumulative target (see settle_year).
  Settlement settlement = Settlement::kAnnual;
  bool carry_forward = false;              ///< annual: what the cost-share caps hold back is added to next year's share
  std::optional<double> pool_pain_cap_life;  ///< the providers' painshare to date <= this x all fees to date
  std::optional<double> pool_gain_cap_life;  ///< the providers' gainshare to date <= this, pounds
  int rebase_every = 0;                    ///< n: the target is rebased in years n, 2n, ... (0-based; 0 = never)
  double rebase_weight = 1;                ///< w: at a rebase the TOC moves w of the way to the previous year's outturn
  /// Cash timing (quarterly_cash; settlement never reads it): the members are paid the
  /// target plus their fees on account in four equal quarterly instalments, and the balance
  /// after `reconciliation_lag` quarters from the year's end.
  bool interim = false;
  int reconciliation_lag = 1;              ///< quarters after the year's end (0: with the last instalment)
};

using ContractTerms =
    std::variant<BlockTerms, ActivityTerms, CapitationTerms, OutcomesTerms, BlendedTerms, AllianceTerms>;

/// Where a contract puts the one-off costs (set-up, transition) of the services it covers.
enum class OneOffCosts : std::uint8_t { kInside, kOutside };
inline constexpr std::array<std::string_view, 2> kOneOffCostsNames = {"inside", "outside"};

struct Contract {
  std::string name;  ///< for messages and results
  ContractTerms terms;
  /// [S] the services whose cost and activity the contract covers (issue 16 item 3), or
  /// empty: the services of its partner(s) that no scoped contract covers. See covering().
  std::vector<bool> services = {};
  /// [K] each commissioner's share of what the contract pays (issue 16 item 3: a pooled
  /// budget of several commissioners), summing to 1; empty: commissioner 0 pays it all.
  std::vector<double> funders = {};
  /// One-off costs (set-up, transition) of the services the contract covers: false
  /// ("inside") they are cost like any other, counted against the contract's budget or
  /// target; true ("outside") they are paid on top, pound for pound, and left out of the
  /// cost the contract settles on (Limb 1, the target's outturn, corridors, fee rates).
  OneOffCosts one_off = OneOffCosts::kInside;
  bool one_off_outside() const noexcept { return one_off == OneOffCosts::kOutside; }
  bool scoped() const noexcept { return !services.empty(); }
};

/// An arm's payment terms (an alliance covers several partners). A partner may hold several
/// contracts when each of its services is covered by exactly one of them: a contract with
/// `services` covers those, and at most one contract of the partner without `services`
/// covers the rest. There is at most one alliance. Partners in no contract are outside the
/// arm's commissioning and settle to zeros.
struct Terms {
  std::vector<Contract> contracts;
  bool scoped() const noexcept {
    for (const Contract& c : contracts) {
      if (c.scoped()) return true;
    }
    return false;
  }
};

inline constexpr std::size_t kNoContract = std::numeric_limits<std::size_t>::max();

/// True when contract `c` pays partner `p` (its partner, or one of its alliance's members).
bool pays(const Contract& c, std::size_t p) noexcept;

/// [S] the index of the contract covering each service, given each service's owner: the
/// contract paying the owner whose `services` include it, else the owner's contract without
/// `services`, else kNoContract. Without scoped contracts a service is covered by the
/// contract paying its owner. (check_terms refuses terms where two contracts would cover it.)
void covering(const Terms& terms, const std::vector<std::size_t>& service_partner, std::vector<std::size_t>& out);
std::vector<std::size_t> covering(const Terms& terms, const std::vector<std::size_t>& service_partner);
/// [S] the services the arm's alliance covers when some member also holds a contract scoped to
/// services (so that the alliance's target is the reference cost of those services), or empty
/// when the terms are not scoped (the alliance covers its members' whole ledgers).
std::vector<bool> alliance_scope(const Terms& terms, const std::vector<std::size_t>& service_partner);

// ---------------------------------------------------------------------------------------
// Output.

struct PartnerPayout {
  double payment = 0;        ///< limb1 + limb2 + gain_pain for alliance members; the contract payment otherwise
  double cost = 0;           ///< the partner's cost in the year
  double margin = 0;         ///< payment - cost
  double limb1 = 0;          ///< alliance: cost reimbursed
  double limb2 = 0;          ///< alliance: fee
  double gain_pain = 0;      ///< alliance: Limb 3 share; capitation/blended: corridor adjustment
  double capped_amount = 0;  ///< alliance: pain the partner cap spared it (cap floor - its share when the cap bound), >= 0
  bool capped = false;       ///< alliance: the partner cap binds
  double limb3 = 0;          ///< alliance: the member's Limb 3 alone (gain_pain also holds any corridor adjustment)
};

struct KraResult {
  int band = 0;      ///< 0 failure, 1 poor, 2 minimum, 3 stretch, 4 game-breaking
  double score = 0;  ///< sigma
};

struct YearPayout {
  std::vector<PartnerPayout> partners;  ///< [P]
  double commissioner_spend = 0;        ///< sum of payments (computed from them)
  // Alliance only (zeros otherwise):
  double target = 0;                    ///< TOC this year
  double actual = 0;                    ///< AOC = Limb 1 total
  double fee_total = 0;                 ///< F
  double underrun = 0;                  ///< U = TOC - AOC
  double providers_share = 0;           ///< G_cost after modifier, gate and caps
  double commissioner_residual = 0;     ///< U - providers_share
  double kra_component = 0;             ///< G_kra
  double limb3 = 0;                     ///< L3 after the overall floor, before partner caps
  double cap_shortfall = 0;             ///< partner-cap shortfall borne by the commissioner (>= 0)
  double kpi_return = 0;                ///< P in [-1, 1]
  std::vector<KraResult> kras;          ///< [K]
  std::vector<double> contract_payment; ///< [C] what each contract pays (sums to commissioner_spend)
  /// [commissioners()] each commissioner's spend (Contract::funders, AllianceTerms::residual_split);
  /// one commissioner (all of commissioner_spend) unless the terms name funders.
  std::vector<double> commissioner;
  // Scratch of settle() with scoped contracts, kept here so that re-settling reuses buffers.
  std::vector<std::size_t> scratch_cover;                         ///< [S] covering()
  std::vector<double> scratch_cost;                               ///< [P] one contract's cost basis
  std::vector<std::array<double, kMeasures>> scratch_activity;    ///< [P] ... and activity basis
  bool gate_passed = true;
  bool pain_cap_binds = false;          ///< the cost painshare cap, the overall floor or the pool's life cap binds
  bool gain_cap_binds = false;          ///< the gainshare cap or the pool's life cap binds
  double carried = 0;                   ///< carry_forward: what this year's caps held back, into next year's share
  /// Sum of members' Limb 3 = limb3 + cap_shortfall (up to rounding).
  double providers_limb3() const noexcept { return limb3 + cap_shortfall; }
};

/// The number of commissioners the terms name (the longest funders or residual split), >= 1.
std::size_t commissioners(const Terms& terms) noexcept;

/// Fills pay.commissioner from pay.contract_payment and the year's target and fees (settle
/// and carry call it; exposed for tests).
void split_spend(const Terms& terms, YearPayout& pay);

/// Settles one year. Pure; throws std::invalid_argument when the terms refer to partners,
/// services, KPIs or need groups the input does not have. Run check_terms first for the
/// readable list of problems with the terms themselves.
YearPayout settle(const Terms& terms, const YearInput& in);
/// As above into `out`, reusing its buffers (no allocation once they have their size).
void settle(const Terms& terms, const YearInput& in, YearPayout& out);

/// What an alliance's pool carries from one year to the next (settle_year). "To date" is
/// over the years settled before the current one.
struct PoolState {
  int years = 0;              ///< years settled
  double target = 0;          ///< TOC to date
  double actual = 0;          ///< AOC to date
  double fees = 0;            ///< F to date
  double last_target = 0;     ///< the previous year's TOC (rebasing)
  double last_actual = 0;     ///< the previous year's AOC (rebasing)
  double rebase = 1;          ///< the factor rebasing has put on the scheduled TOC
  double share = 0;           ///< cumulative: the providers' cost share to date, modified, before the caps (M)
  double paid = 0;            ///< the providers' cost share to date after the caps (Q)
  double limb3 = 0;           ///< Limb 3 to date
  double carried = 0;         ///< carry_forward: what the last year's caps held back
  double pain = 0;            ///< painshare charged to date (sum of max(0, -L3))
  double gain = 0;            ///< gainshare paid to date (sum of max(0, L3))
};

/// What an agreement carries from one year to the next: the pool's history, and per
/// partner what contracts::carry needs.
struct AgreementState {
  PoolState pool = {};
  std::vector<double> retained = {};  ///< [P] gainshare withheld and not yet paid
  std::vector<double> fees = {};      ///< [P] Limb 2 to date
  std::vector<double> charged = {};   ///< [P] painshare charged to date (after the life cap)
};

/// Settles year `in.year` of an agreement whose earlier years `state` holds (from a
/// default-constructed state, in year order, one per replication and arm), then applies
/// carry(); updates `state`. For an alliance, with TOC_y the scheduled target (target_cost x
/// (1 + i)^y or target_cost_by_year) and the pool's history:
///   rebasing (rebase_every n, rebase_weight w): in years y = n, 2n, ... the factor R on the
///     scheduled TOC becomes R x (1 - w + w AOC_{y-1} / TOC_{y-1}); TOC_y = R x scheduled;
///   cumulative settlement: with T, A, F the target, outturn and fees to date (this year's
///     included) and G(T, A) = cost_share(T - A, T), the year's change
///     D = G(T, A) - G(T_prev, A_prev) is modified and gated with this year's KPI return as an
///     annual share is; M += D; the paid share to date Q = M clamped to the caps to date
///     (-min(kappa F, pain_cap_of_target T) and min(gain_cap x years, gain_cap_of_target T));
///     the year's providers' share is Q - Q_prev. So what a cap holds back is paid (or
///     charged) in a later year when the cumulative position comes back inside it; the
///     overall floor is L3 to date >= -(the pain cap to date);
///   carry_forward (annual settlement): the part of the year's share the caps held back is
///     added to the next year's share (after that year's modifier and gate, before its
///     caps); what is held back in the last year is dropped;
///   pool life caps: the providers' painshare to date (sum of max(0, -L3)) <= pool_pain_cap_life
///     x F to date, their gainshare to date <= pool_gain_cap_life; L3 is limited before it is
///     allocated, so the commissioner keeps what the caps hold back.
/// Without these keys, settle_year is settle() followed by carry(), bit for bit; year 1 of
/// a cumulative agreement is its annual settlement.
void settle_year(const Terms& terms, const YearInput& in, bool last_year, AgreementState& state, YearPayout& pay);

/// Applies an alliance's rules over the life of the agreement to one year, settled by
/// settle(), in year order from a default-constructed state (one per replication and arm).
/// For each member i with this year's gain/pain g_i and fee f_i:
///   life cap (pain_cap_life kappa_L): a pain is charged only up to
///     kappa_L x (fees to date, this year's included) - pain charged before;
///     what it spares is borne by the commissioner (capped_amount, cap_shortfall);
///   retention (rho): rho x a gainshare is withheld into the member's pot; a later
///     painshare is met from the pot first; in the agreement's last year (`last_year`) the
///     pot is paid out.
/// The member's payment, margin and gain_pain become the year's cash; the commissioner's
/// spend follows. Retention alone moves cash between years: the payments summed over the
/// agreement are unchanged. Without retention or a life cap this changes nothing.
void carry(const Terms& terms, bool last_year, AgreementState& state, YearPayout& pay);

/// The alliance of these terms that is paid on account (`interim`), or nullptr.
const AllianceTerms* interim_alliance(const Terms& terms) noexcept;

/// The quarters of cash an agreement of `years` years spans: 4 x years, plus the
/// reconciliation lag of an alliance paid on account (its last balance comes after the end).
std::size_t cash_quarters(const Terms& terms, std::size_t years) noexcept;

/// Adds year `year` (0-based) of an agreement, settled (settle_year) into `pay`, to each
/// partner's quarterly cash: receipts[q x P + p] and costs[q x P + p], q < cash_quarters.
/// Costs accrue evenly through the year (a quarter of the year's cost each quarter: the
/// ledger is yearly). A partner is paid each contract's payment in four equal quarterly
/// instalments, except a member of an alliance with `interim`: on account, a quarter of
///   on_account_i = TOC x Limb1_i / AOC + Limb2_i
/// (its share, by this year's costs, of the target, plus its fee; equal shares when AOC is 0)
/// each quarter, and its alliance payment (Limb 1 + 2 + 3) minus on_account_i in quarter
/// 4 year + 3 + reconciliation_lag. Summed over the quarters, receipts are the payments and
/// costs the costs. Throws std::invalid_argument when the buffers are too small.
void quarterly_cash(const Terms& terms, const YearPayout& pay, std::size_t year, std::vector<double>& receipts,
                    std::vector<double>& costs);

/// [partners] true for the partners these terms pay (a contract's partner, an alliance's
/// members): the commissioned side of the ledger; the others are the wider system.
std::vector<bool> paid_partners(const Terms& terms, std::size_t partners);

/// Pieces, exposed for tests and for reports.
double kra_score(const Kra& kra, double level, int* band = nullptr) noexcept;
double achievement(const Indicator& indicator, double level) noexcept;
/// Providers' share of an underrun U (negative = overrun) before modifiers and caps.
double cost_share(const AllianceTerms& terms, double underrun, double target) noexcept;

/// Problems with the terms, each a readable sentence naming the contract, the field, the
/// value and the expectation; empty when sound. `services` (when known) bounds service
/// indices in tariffs and KPI references.
/// `service_partner` (when known) gives each service's owner, to check that each service of a
/// partner with scoped contracts is covered by exactly one contract.
std::vector<std::string> check_terms(const Terms& terms, std::size_t partners,
                                     std::size_t services = std::numeric_limits<std::size_t>::max(),
                                     const std::vector<std::size_t>& service_partner = {});

}  // namespace mhsim::models::contracts
