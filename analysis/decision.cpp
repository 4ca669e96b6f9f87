// SPDX-License-Identifier: MIT
#include "analysis/decision.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/normal.hpp>

#include "analysis/summary.hpp"

namespace mhsim::analysis::decision {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void fail(const char* function, const char* name, double value, const char* expected) {
  std::ostringstream os;
  os << "decision::" << function << ": " << name << " is " << value << ", but must be " << expected;
  throw std::invalid_argument(os.str());
}

std::vector<double> without_nan(const std::vector<double>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (const double x : v) {
    if (!std::isnan(x)) out.push_back(x);
  }
  return out;
}

// Type-7 quantile of NaN-free values; reorders `v`.
double quantile_in_place(std::vector<double>& v, double p) {
  if (v.empty()) return kNaN;
  const double h = static_cast<double>(v.size() - 1) * p;
  const double lo_h = std::floor(h);
  const auto lo = static_cast<std::size_t>(lo_h);
  const auto lo_it = v.begin() + static_cast<std::ptrdiff_t>(lo);
  std::nth_element(v.begin(), lo_it, v.end());
  const double x_lo = *lo_it;
  if (lo + 1 >= v.size()) return x_lo;
  // After nth_element every element past lo is >= x_lo, so the next order statistic is their min.
  const double x_hi = *std::min_element(lo_it + 1, v.end());
  return x_lo + (h - lo_h) * (x_hi - x_lo);
}

void check_level(const char* function, double alpha) {
  if (!(alpha > 0.0 && alpha < 1.0)) fail(function, "alpha", alpha, "in (0, 1)");
}

// Checks costs/effects are rectangular, the same shape, with at least one arm and replication.
std::size_t check_shape(const char* function, const std::vector<std::vector<double>>& costs,
                        const std::vector<std::vector<double>>& effects) {
  if (costs.empty()) fail(function, "number of arms", 0.0, "at least 1");
  if (effects.size() != costs.size())
    fail(function, "number of effect arms", static_cast<double>(effects.size()),
         "equal to the number of cost arms");
  const std::size_t reps = costs.front().size();
  if (reps == 0) fail(function, "number of replications", 0.0, "at least 1");
  for (std::size_t a = 0; a < costs.size(); ++a) {
    if (costs[a].size() != reps || effects[a].size() != reps)
      fail(function, "replications of an arm", static_cast<double>(a),
           "the same for every arm, in costs and effects");
  }
  return reps;
}

}  // namespace

double quantile(std::vector<double> v, double p) {
  if (!(p >= 0.0 && p <= 1.0)) fail("quantile", "p", p, "in [0, 1]");
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  return quantile_in_place(v, p);
}

Summary summarise_values(const std::vector<double>& values) {
  const analysis::Summary base = analysis::summarise(values);
  Summary s;
  s.n = base.n;
  s.missing = base.missing;
  s.mean = base.mean;
  s.sd = base.sd;
  s.se = base.se;
  s.ci_low = base.ci_low;
  s.ci_high = base.ci_high;
  std::vector<double> clean = without_nan(values);
  std::sort(clean.begin(), clean.end());  // sorted once; quantile_in_place then costs O(n) each
  s.q05 = quantile_in_place(clean, 0.05);
  s.q25 = quantile_in_place(clean, 0.25);
  s.q50 = quantile_in_place(clean, 0.50);
  s.q75 = quantile_in_place(clean, 0.75);
  s.q95 = quantile_in_place(clean, 0.95);
  return s;
}

double value_at_risk(const std::vector<double>& losses, double alpha) {
  check_level("value_at_risk", alpha);
  return quantile(losses, alpha);
}

double expected_shortfall(const std::vector<double>& losses, double alpha) {
  check_level("expected_shortfall", alpha);
  const double var = value_at_risk(losses, alpha);
  if (std::isnan(var)) return kNaN;
  double sum = 0.0;
  std::uint64_t count = 0;
  for (const double x : losses) {
    if (x >= var) {  // NaN compares false, so missing replications drop out
      sum += x;
      ++count;
    }
  }
  // count >= 1: the sample maximum is always >= the type-7 quantile.
  return sum / static_cast<double>(count);
}

double probability_above(const std::vector<double>& values, double threshold) {
  std::uint64_t n = 0;
  std::uint64_t above = 0;
  for (const double x : values) {
    if (std::isnan(x)) continue;
    ++n;
    if (x > threshold) ++above;
  }
  return n ? static_cast<double>(above) / static_cast<double>(n) : kNaN;
}

ReservePath reserve_path(const std::vector<std::vector<double>>& gain_pain, double opening) {
  if (!std::isfinite(opening)) fail("reserve_path", "opening", opening, "a finite number of pounds");
  const std::size_t H = gain_pain.empty() ? 0 : gain_pain.front().size();
  std::vector<std::vector<double>> level(H);  // [year][replication]
  std::vector<std::uint64_t> exhausted(H, 0);
  std::vector<double> lowest;
  for (const std::vector<double>& row : gain_pain) {
    if (row.size() != H) fail("reserve_path", "a replication's year count", static_cast<double>(row.size()), "the same for every replication");
    if (std::any_of(row.begin(), row.end(), [](double g) { return std::isnan(g); })) continue;
    double reserve = opening, low = opening;
    bool gone = false;
    for (std::size_t k = 0; k < H; ++k) {
      reserve += row[k];
      low = std::min(low, reserve);
      gone = gone || reserve < 0;
      level[k].push_back(reserve);
      if (gone) ++exhausted[k];
    }
    lowest.push_back(low);
  }
  ReservePath out;
  out.lowest = summarise_values(lowest);
  const double n = static_cast<double>(lowest.size());
  for (std::size_t k = 0; k < H; ++k) {
    const Summary s = summarise_values(level[k]);
    out.years.push_back({s.mean, s.q05, s.q50, s.q95, n > 0 ? static_cast<double>(exhausted[k]) / n : kNaN});
  }
  out.p_exhausted = out.years.empty() ? 0.0 : out.years.back().p_exhausted_by;
  return out;
}

Paired paired(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    fail("paired", "size of b", static_cast<double>(b.size()), "equal to the size of a");
  std::vector<double> diff;
  diff.reserve(a.size());
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) continue;
    diff.push_back(b[i] - a[i]);
    if (b[i] < a[i]) ++below;
  }
  const analysis::Summary s = analysis::summarise(diff);
  Paired p;
  p.n = s.n;
  p.mean_difference = s.mean;
  p.se = s.se;
  p.ci_low = s.ci_low;
  p.ci_high = s.ci_high;
  p.prob_b_below_a = p.n ? static_cast<double>(below) / static_cast<double>(p.n) : kNaN;
  return p;
}

Icer icer(double delta_cost, double delta_effect) {
  if (std::isnan(delta_cost)) fail("icer", "delta_cost", delta_cost, "a number");
  if (std::isnan(delta_effect)) fail("icer", "delta_effect", delta_effect, "a number");
  Icer r;
  r.delta_cost = delta_cost;
  r.delta_effect = delta_effect;
  r.ratio = kNaN;
  if (delta_cost == 0.0 && delta_effect == 0.0) {
    r.kind = IcerCase::identical;
  } else if (delta_cost <= 0.0 && delta_effect >= 0.0) {
    r.kind = IcerCase::b_dominates;
  } else if (delta_cost >= 0.0 && delta_effect <= 0.0) {
    r.kind = IcerCase::a_dominates;
  } else {
    r.kind = delta_cost > 0.0 ? IcerCase::north_east : IcerCase::south_west;
    r.ratio = delta_cost / delta_effect;
  }
  return r;
}

bool prefers_b(const Icer& result, double lambda) {
  switch (result.kind) {
    case IcerCase::b_dominates: return true;
    case IcerCase::a_dominates: return false;
    case IcerCase::identical: return false;
    case IcerCase::north_east: return result.ratio < lambda;
    case IcerCase::south_west: return result.ratio > lambda;
  }
  return false;
}

double net_monetary_benefit(double cost, double effect, double lambda) {
  return lambda * effect - cost;
}

std::vector<std::vector<double>> ceac(const std::vector<std::vector<double>>& costs,
                                      const std::vector<std::vector<double>>& effects,
                                      const std::vector<double>& lambdas) {
  const std::size_t reps = check_shape("ceac", costs, effects);
  const std::size_t arms = costs.size();
  std::vector<std::vector<double>> out;
  out.reserve(lambdas.size());
  std::vector<double> nmb(arms);
  for (const double lambda : lambdas) {
    std::vector<double> wins(arms, 0.0);
    for (std::size_t r = 0; r < reps; ++r) {
      double best = -std::numeric_limits<double>::infinity();
      for (std::size_t a = 0; a < arms; ++a) {
        nmb[a] = net_monetary_benefit(costs[a][r], effects[a][r], lambda);
        best = std::max(best, nmb[a]);
      }
      const auto tied = static_cast<double>(std::count(nmb.begin(), nmb.end(), best));
      for (std::size_t a = 0; a < arms; ++a) {
        if (nmb[a] == best) wins[a] += 1.0 / tied;
      }
    }
    for (double& w : wins) w /= static_cast<double>(reps);
    out.push_back(std::move(wins));
  }
  return out;
}

double evpi(const std::vector<std::vector<double>>& costs,
            const std::vector<std::vector<double>>& effects, double lambda) {
  const std::size_t reps = check_shape("evpi", costs, effects);
  const std::size_t arms = costs.size();
  double sum_of_max = 0.0;
  std::vector<double> arm_sum(arms, 0.0);
  for (std::size_t r = 0; r < reps; ++r) {
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t a = 0; a < arms; ++a) {
      const double v = net_monetary_benefit(costs[a][r], effects[a][r], lambda);
      arm_sum[a] += v;
      best = std::max(best, v);
    }
    sum_of_max += best;
  }
  const double n = static_cast<double>(reps);
  double best_sum = -std::numeric_limits<double>::infinity();
  for (const double sum : arm_sum) best_sum = std::max(best_sum, sum);
  const double best_mean = best_sum / n;
  // Never negative in exact arithmetic; clamp rounding noise when one arm always wins.
  return std::max(0.0, sum_of_max / n - best_mean);
}

double discount_factor(int year, double rate, DiscountTiming timing) {
  if (year < 0) fail("discount_factor", "year", static_cast<double>(year), "0 or more");
  if (!(rate > -1.0)) fail("discount_factor", "rate", rate, "greater than -1");
  const double t = static_cast<double>(year) + (timing == DiscountTiming::mid_year ? 0.5 : 0.0);
  return std::pow(1.0 + rate, -t);
}

std::uint64_t replications_for_half_width(double sd, double half_width, double confidence) {
  const char* fn = "replications_for_half_width";
  if (!(sd >= 0.0) || std::isinf(sd)) fail(fn, "sd", sd, "finite and 0 or more");
  if (!(half_width > 0.0)) fail(fn, "half_width", half_width, "positive");
  if (!(confidence > 0.0 && confidence < 1.0)) fail(fn, "confidence", confidence, "in (0, 1)");
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + 0.5 * confidence);
  const double ratio = z * sd / half_width;
  const double start = std::ceil(ratio * ratio);
  if (start > 1e15) fail(fn, "required replications", start, "below 1e15 (sd / half_width too large)");
  std::uint64_t n = std::max<std::uint64_t>(2, static_cast<std::uint64_t>(start));
  // t_{n-1} > z, so the t answer is never below the normal one; the gap is a few replications.
  while (t_critical(confidence, n - 1) * sd / std::sqrt(static_cast<double>(n)) > half_width) ++n;
  return n;
}

}  // namespace mhsim::analysis::decision
