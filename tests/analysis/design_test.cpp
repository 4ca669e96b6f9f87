// SPDX-License-Identifier: MIT
// analysis/design: which combinations meet a board's constraints and the Pareto frontier
// among them, on hand-built rows worked out by hand, and against the definition (no feasible
// row beats a frontier row on both spend and worst risk) on random rows with many ties.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "analysis/design.hpp"

using mhsim::analysis::DesignConstraints;
using mhsim::analysis::DesignRow;

namespace {

DesignRow row(std::size_t c, double spend, double worst, double lowest_gain = 1000) {
  DesignRow r;
  r.combination = c;
  r.spend = spend;
  r.worst = worst;
  r.lowest_gain = lowest_gain;
  r.lowest_partner = "trust";
  return r;
}

std::vector<std::size_t> frontier_combinations(const std::vector<DesignRow>& rows) {
  std::vector<std::size_t> out;
  for (const DesignRow* r : mhsim::analysis::frontier_rows(rows)) out.push_back(r->combination);
  return out;
}

}  // namespace

TEST_CASE("Design: feasibility and the frontier of hand-built terms", "[analysis][design]") {
  // Constraints: P(exhausted) <= 0.05, expected gain >= 0, spend <= 100 a year x 3 years = 300.
  DesignConstraints c;
  c.max_exhaustion = 0.05;
  c.min_gain = 0;
  c.budget_per_year = 100;
  c.horizon_years = 3;
  CHECK(c.budget_over_horizon() == 300);
  std::vector<DesignRow> rows = {
      row(0, 280, 0.04),      // feasible; beaten by 1 (lower spend, same risk): off
      row(1, 270, 0.04),      // feasible, frontier: nothing cheaper at 0.04 or less
      row(2, 260, 0.05),      // feasible (0.05 is at the limit), frontier: the cheapest feasible
      row(3, 250, 0.06),      // infeasible: too risky (it would beat 2 on spend; it must not count)
      row(4, 290, 0.00),      // feasible, frontier: the least risk
      row(5, 290, 0.01),      // feasible; beaten by 4 (same spend, lower risk): off
      row(6, 240, 0.00, -1),  // infeasible: a partner expects to lose (it would dominate everything)
      row(7, 301, 0.00),      // infeasible: over budget
      row(8, 270, 0.04),      // the same figures as 1: neither beats the other, both on the frontier
      row(9, 300, 0.00),      // feasible (300 is the budget); beaten by 4: off
  };
  // Partners who share no risk: lowest gain +inf and no partner; the gain constraint holds.
  rows.push_back(row(10, 295, 0.02, std::numeric_limits<double>::infinity()));
  rows.back().lowest_partner.clear();
  mhsim::analysis::mark_frontier(rows, c);
  const std::vector<bool> feasible = {true, true, true, false, true, true, false, false, true, true, true};
  const std::vector<bool> frontier = {false, true, true, false, true, false, false, false, true, false, false};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("combination " << i);
    CHECK(rows[i].feasible == feasible[i]);
    CHECK(rows[i].frontier == frontier[i]);
  }
  // Printed by spend (the largest saving first), then risk, then combination.
  CHECK(frontier_combinations(rows) == std::vector<std::size_t>{2, 1, 8, 4});

  // Without a budget row 7 is feasible and, at risk 0 and spend 301, beaten by 4 (290, 0).
  c.budget_per_year = std::numeric_limits<double>::quiet_NaN();
  mhsim::analysis::mark_frontier(rows, c);
  CHECK(rows[7].feasible);
  CHECK_FALSE(rows[7].frontier);
  // A looser risk limit lets 3 in: the cheapest (250) but riskier than 2 (0.06 > 0.05), so
  // neither beats the other and both are on the frontier, with 1 and 8 (270, 0.04) and 4 (290, 0).
  c.max_exhaustion = 0.1;
  mhsim::analysis::mark_frontier(rows, c);
  CHECK(frontier_combinations(rows) == std::vector<std::size_t>{3, 2, 1, 8, 4});
  // Nothing feasible: no frontier.
  c.max_exhaustion = 0;
  c.min_gain = 1e9;
  mhsim::analysis::mark_frontier(rows, c);
  CHECK(frontier_combinations(rows).empty());
  CHECK(std::none_of(rows.begin(), rows.end(), [](const DesignRow& r) { return r.feasible; }));
}

TEST_CASE("Design: the frontier is exactly the feasible rows no feasible row dominates (random rows with ties)",
          "[analysis][design]") {
  boost::random::mt19937 rng(20261206);
  boost::random::uniform_int_distribution<int> small(0, 6), size(0, 40);
  for (int trial = 0; trial < 2000; ++trial) {
    DesignConstraints c;
    c.max_exhaustion = small(rng) / 6.0;
    c.min_gain = small(rng) - 3;
    c.budget_per_year = trial % 3 == 0 ? std::numeric_limits<double>::quiet_NaN() : 10.0 + small(rng);
    c.horizon_years = 1;
    std::vector<DesignRow> rows;
    const int n = size(rng);
    for (int i = 0; i < n; ++i) {
      // Few distinct values: ties in spend, in risk and in both.
      rows.push_back(row(static_cast<std::size_t>(i), 10.0 + small(rng), small(rng) / 6.0, small(rng) - 3.0));
    }
    mhsim::analysis::mark_frontier(rows, c);
    for (const DesignRow& r : rows) {
      const bool ok = r.worst <= c.max_exhaustion && r.lowest_gain >= c.min_gain &&
                      (std::isnan(c.budget_per_year) || r.spend <= c.budget_per_year);
      REQUIRE(r.feasible == ok);
      const bool dominated = std::any_of(rows.begin(), rows.end(), [&](const DesignRow& o) {
        return o.feasible && o.spend <= r.spend && o.worst <= r.worst && (o.spend < r.spend || o.worst < r.worst);
      });
      REQUIRE(r.frontier == (r.feasible && !dominated));
    }
    // Along the frontier, by spend: a lower spend always comes with a higher risk.
    const auto f = mhsim::analysis::frontier_rows(rows);
    for (std::size_t i = 1; i < f.size(); ++i) {
      REQUIRE(f[i - 1]->spend <= f[i]->spend);
      if (f[i - 1]->spend < f[i]->spend) REQUIRE(f[i - 1]->worst > f[i]->worst);
      else REQUIRE(f[i - 1]->worst == f[i]->worst);
    }
  }
}
