// SPDX-License-Identifier: MIT
#include "analysis/design.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace mhsim::analysis {

bool meets(const DesignRow& r, const DesignConstraints& c) {
  return r.worst <= c.max_exhaustion && r.worst_cash <= c.max_cash_exhaustion && r.lowest_gain >= c.min_gain &&
         !(r.spend > c.budget_over_horizon());
}

void mark_frontier(std::vector<DesignRow>& rows, const DesignConstraints& c) {
  std::vector<DesignRow*> feasible;
  for (DesignRow& r : rows) {
    r.feasible = meets(r, c);
    r.frontier = false;
    if (r.feasible) feasible.push_back(&r);
  }
  // Sweep by spend (ties together): a row is dominated exactly when some row of lower spend
  // has worst <= its worst, or some row of equal spend has a lower worst.
  std::sort(feasible.begin(), feasible.end(),
            [](const DesignRow* a, const DesignRow* b) { return std::tie(a->spend, a->worst) < std::tie(b->spend, b->worst); });
  double best_below = std::numeric_limits<double>::infinity();  // the lowest worst among rows of lower spend
  for (std::size_t i = 0; i < feasible.size();) {
    std::size_t j = i;
    while (j < feasible.size() && feasible[j]->spend == feasible[i]->spend) ++j;
    const double least = feasible[i]->worst;  // the lowest worst at this spend (sorted)
    for (std::size_t k = i; k < j; ++k) {
      feasible[k]->frontier = feasible[k]->worst == least && !(best_below <= least);
    }
    best_below = std::min(best_below, least);
    i = j;
  }
}

std::vector<const DesignRow*> frontier_rows(const std::vector<DesignRow>& rows) {
  std::vector<const DesignRow*> out;
  for (const DesignRow& r : rows) {
    if (r.frontier) out.push_back(&r);
  }
  std::sort(out.begin(), out.end(), [](const DesignRow* a, const DesignRow* b) {
    return std::tie(a->spend, a->worst, a->combination) < std::tie(b->spend, b->worst, b->combination);
  });
  return out;
}

}  // namespace mhsim::analysis
