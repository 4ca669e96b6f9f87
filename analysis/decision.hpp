// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

namespace mhsim::analysis::decision {

// Pure decision statistics over per-replication values (one double per replication).
// Nothing here reads files or re-runs the model. NaN values (a replication with no value)
// are left out everywhere, as in analysis::summarise; paired functions drop a replication
// when either side is NaN. Invalid arguments throw std::invalid_argument naming the
// function, the argument, its value and what was expected.

/// Sample quantile, Hyndman & Fan (1996) type 7 (R's and NumPy's default):
/// with the n sorted values x[0..n-1] and h = (n - 1) p, the result is
/// x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]).
/// `p` must lie in [0, 1]. NaN when no non-NaN value remains.
double quantile(std::vector<double> v, double p);

/// Monte Carlo summary of one metric, with type-7 quantiles.
struct Summary {
  std::uint64_t n = 0;        ///< replications with a value
  std::uint64_t missing = 0;  ///< replications with NaN
  double mean = 0;
  double sd = 0;              ///< sample SD (n - 1 denominator)
  double se = 0;              ///< Monte Carlo standard error of the mean: sd / sqrt(n)
  double ci_low = 0;          ///< 95% CI of the mean (Student t, n - 1 df, via analysis::t_critical)
  double ci_high = 0;
  double q05 = 0;             ///< 5th percentile (type 7)
  double q25 = 0;
  double q50 = 0;             ///< median
  double q75 = 0;
  double q95 = 0;
};

Summary summarise_values(const std::vector<double>& values);

// ---- Risk metrics ------------------------------------------------------------------------
// Sign convention: values are LOSSES, positive = bad (e.g. a provider's painshare in £, or
// an overspend). To analyse a payout or gain, pass its negation.

/// Value at risk at level `alpha` in (0, 1): the type-7 `alpha` quantile of the losses
/// (value_at_risk(v, 0.95) is the 95th percentile).
double value_at_risk(const std::vector<double>& losses, double alpha);

/// Expected shortfall (CVaR) at level `alpha`: the mean of the sample losses at or beyond
/// the sample VaR, i.e. mean{ x_i : x_i >= value_at_risk(losses, alpha) }. This estimator is
/// consistent for E[X | X >= VaR_alpha] for continuous losses; with ties or tiny samples it
/// averages over slightly more or fewer than n (1 - alpha) values. Never below VaR.
double expected_shortfall(const std::vector<double>& losses, double alpha);

/// Share of replications whose value is strictly above `threshold` (e.g. painshare above
/// the provider's reserves). NaN when no value remains.
double probability_above(const std::vector<double>& values, double threshold);

// ---- Reserves over a multi-year agreement ------------------------------------------------
// A partner's reserves move with its payouts: with opening reserves R_0 and gain (+) or
// pain (-) g_t in year t (cash), the reserves at the end of year k are
//   R_k = R_0 + g_1 + ... + g_k,
// so a gainshare in one year replenishes what a painshare took in another. The reserves
// are exhausted by year k when R_t < 0 for some t <= k (strictly: reserves that reach
// exactly 0 are spent, not exhausted). The lowest reserve of a replication is
// min(R_0, R_1, ..., R_H), the low point over the agreement, opening included.

/// One year k of the reserve path across replications.
struct ReserveYear {
  double mean = 0;            ///< mean of R_k
  double q05 = 0, q50 = 0, q95 = 0;  ///< type-7 quantiles of R_k
  double p_exhausted_by = 0;  ///< share of replications with R_t < 0 for some t <= k
};

struct ReservePath {
  std::vector<ReserveYear> years;  ///< years 1..H (index 0 is year 1)
  Summary lowest;                  ///< of each replication's lowest reserve
  double p_exhausted = 0;          ///< by the last year (= years.back().p_exhausted_by); 0 when H = 0
};

/// `gain_pain[r]` holds replication r's gain/pain by year (every row the same length H);
/// `opening` is R_0 (finite). Replications with a NaN year are left out.
ReservePath reserve_path(const std::vector<std::vector<double>>& gain_pain, double opening);

// ---- Paired comparison (common random numbers) -----------------------------------------

/// Replication-by-replication comparison of arm b against arm a, run on the same streams.
struct Paired {
  std::uint64_t n = 0;            ///< pairs with both values
  double mean_difference = 0;     ///< mean of (b_i - a_i)
  double se = 0;                  ///< SD of the differences / sqrt(n)
  double ci_low = 0;              ///< 95% CI of the mean difference (Student t, n - 1 df)
  double ci_high = 0;
  double prob_b_below_a = 0;      ///< share of pairs with b_i < a_i (ties count as not below)
};

/// `a` and `b` must have the same length (replication i of each is one pair).
Paired paired(const std::vector<double>& a, const std::vector<double>& b);

// ---- Cost-effectiveness -----------------------------------------------------------------

/// Where (delta_effect, delta_cost) of b versus a falls on the cost-effectiveness plane.
enum class IcerCase {
  b_dominates,  ///< dc <= 0 and de >= 0, not both zero: b no dearer and no worse
  a_dominates,  ///< dc >= 0 and de <= 0, not both zero: b no cheaper and no better
  north_east,   ///< dc > 0, de > 0: b dearer and better; adopt b if ratio <= lambda
  south_west,   ///< dc < 0, de < 0: b cheaper and worse; ratio is the saving per unit of
                ///< effect lost, adopt b if ratio >= lambda
  identical,    ///< dc == 0 and de == 0
};

/// The probability across paired replications at or above which the report states a
/// comparison as clear ("dominates", "clearly lower"); below it, it says "on average" and
/// gives the probability. One definition for every output that words a comparison.
inline constexpr double kClearProbability = 0.95;

struct Icer {
  IcerCase kind = IcerCase::identical;
  double delta_cost = 0;    ///< cost(b) - cost(a)
  double delta_effect = 0;  ///< effect(b) - effect(a)
  double ratio = 0;         ///< dc / de in the north-east and south-west; NaN otherwise
};

/// Classifies b versus a from dc = cost(b) - cost(a) and de = effect(b) - effect(a).
/// A ratio is reported only outside dominance, because a negative ICER is ambiguous
/// (it mixes "b dominates" and "a dominates").
Icer icer(double delta_cost, double delta_effect);

/// Whether b is preferred at willingness to pay `lambda` (£ per unit of effect); equivalent
/// to net_monetary_benefit(dc, de, lambda) > 0. Identical arms give false.
bool prefers_b(const Icer& result, double lambda);

/// NMB = lambda * effect - cost.
double net_monetary_benefit(double cost, double effect, double lambda);

/// Cost-effectiveness acceptability curve. `costs[arm][rep]` and `effects[arm][rep]` must
/// be rectangular with the same shape. Returns result[l][arm] = share of replications in
/// which `arm` has the highest NMB at lambdas[l]; a tie shares the replication equally
/// among the tied arms, so each row sums to 1.
std::vector<std::vector<double>> ceac(const std::vector<std::vector<double>>& costs,
                                      const std::vector<std::vector<double>>& effects,
                                      const std::vector<double>& lambdas);

/// Per-decision expected value of perfect information at `lambda`:
/// EVPI = mean_r[max_a NMB(a, r)] - max_a mean_r[NMB(a, r)] (>= 0). Same shapes as ceac.
double evpi(const std::vector<std::vector<double>>& costs,
            const std::vector<std::vector<double>>& effects, double lambda);

// ---- Discounting ------------------------------------------------------------------------

/// NICE reference-case discount rate for costs and health effects: 3.5% a year
/// (NICE health technology evaluations: the manual, PMG36, 2022, "Discounting").
inline constexpr double kNiceDiscountRate = 0.035;

enum class DiscountTiming {
  year_start,  ///< costs fall at the start of each year: year 0 is undiscounted
  mid_year,    ///< costs spread evenly over each year: discounted to year + 0.5
};

/// Factor 1 / (1 + rate)^t, with t = year (year_start, the default) or year + 0.5 (mid_year).
/// `year` counts from 0 = the first simulated year; `rate` must be > -1.
double discount_factor(int year, double rate = kNiceDiscountRate,
                       DiscountTiming timing = DiscountTiming::year_start);

// ---- Replications needed ------------------------------------------------------------------

/// Smallest n >= 2 with t_{n-1} * sd / sqrt(n) <= half_width, where t_{n-1} is the two-sided
/// Student-t critical value at `confidence` (analysis::t_critical). `sd` is a pilot estimate
/// of the per-replication SD, treated as known. Start from the normal-approximation answer
/// ceil((z sd / half_width)^2) and step up until the t condition holds.
std::uint64_t replications_for_half_width(double sd, double half_width,
                                          double confidence = 0.95);

}  // namespace mhsim::analysis::decision
