// SPDX-License-Identifier: MIT
#include "analysis/chart_samples.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mhsim::analysis {

Quantiles quantiles(std::vector<double> values, std::size_t points) {
  if (points == 0) throw std::invalid_argument("quantiles: points must be at least 1");
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  std::sort(values.begin(), values.end());
  Quantiles q;
  q.n = values.size();
  if (q.n == 0) return q;
  double sum = 0;
  for (const double v : values) sum += v;
  q.mean = sum / static_cast<double>(q.n);
  // Ranks (0-based) of the points kept: the minimum, then ceil(i n / points) - 1.
  std::vector<std::size_t> ranks;
  if (points >= q.n) {
    ranks.resize(q.n);
    for (std::size_t r = 0; r < q.n; ++r) ranks[r] = r;
  } else {
    ranks.reserve(points + 1);
    ranks.push_back(0);
    for (std::size_t i = 1; i <= points; ++i) ranks.push_back((i * q.n + points - 1) / points - 1);
  }
  q.values.reserve(ranks.size());
  q.at_most.reserve(ranks.size());
  for (const std::size_t r : ranks) {
    const double v = values[r];
    q.values.push_back(v);
    q.at_most.push_back(static_cast<std::size_t>(std::upper_bound(values.begin() + static_cast<std::ptrdiff_t>(r), values.end(), v) -
                                                 values.begin()));
  }
  return q;
}

std::vector<std::size_t> shown_replications(std::size_t replications, std::size_t limit) {
  std::vector<std::size_t> shown;
  if (replications <= limit) {
    shown.resize(replications);
    for (std::size_t r = 0; r < replications; ++r) shown[r] = r;
    return shown;
  }
  shown.reserve(limit);
  for (std::size_t i = 0; i < limit; ++i) shown.push_back(i * replications / limit);
  return shown;
}

}  // namespace mhsim::analysis
