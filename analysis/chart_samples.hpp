// SPDX-License-Identifier: MIT
#pragma once
// What the report's charts need from a large run, in place of every replication (issue 17,
// item 4): a histogram or an exceedance curve is drawn from a fixed number of order
// statistics of the values, each with the exact count of values at or below it; a scatter
// plot (the cost-effectiveness plane) from an evenly spaced subset of the replications.
// Tables and every probability in text come from all replications, elsewhere; this is for
// drawing only.

#include <cstddef>
#include <vector>

namespace mhsim::analysis {

/// Order statistics of a sample: values[0] is the minimum and, for i = 1..points,
/// values[i] is the i/points quantile as the inverse of the empirical distribution
/// function, x_(ceil(i n / points)) (1-based order statistics of the n finite values).
/// at_most[i] is the exact number of values <= values[i] (ties included), so
/// (n - at_most[i]) / n is P(X > values[i]) over the whole sample, and
/// at_most[i] - at_most[i-1] (at_most[0] for i = 0) the values each point stands for in a
/// histogram (their sum is n). With points >= n every value is kept (values sorted).
struct Quantiles {
  std::size_t n = 0;             ///< finite values
  double mean = 0;               ///< of the finite values (0 without any)
  std::vector<double> values;    ///< ascending
  std::vector<std::size_t> at_most;
};

/// NaN and infinities are left out (n counts the rest). points >= 1.
Quantiles quantiles(std::vector<double> values, std::size_t points);

/// The replications a scatter plot shows when it may show at most `limit` of `replications`:
/// all of them when replications <= limit, else the `limit` evenly spaced indices
/// floor(i * replications / limit), i = 0..limit-1 (ascending, distinct, starting at 0).
/// Evenly spaced rather than the first ones, so that a file merged from shards run on
/// different seeds is shown from every shard.
std::vector<std::size_t> shown_replications(std::size_t replications, std::size_t limit);

}  // namespace mhsim::analysis
