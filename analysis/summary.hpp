// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/stats.hpp"

namespace mhsim::analysis {

/// Monte Carlo summary of one metric across replications. NaN values (a replication in
/// which, e.g., nobody waited) are left out and counted in `missing`.
struct Summary {
  std::uint64_t n = 0;        ///< replications with a value
  std::uint64_t missing = 0;  ///< replications with NaN
  double mean = 0;
  double sd = 0;
  double se = 0;              ///< Monte Carlo standard error of the mean: sd / sqrt(n)
  double ci_low = 0;          ///< 95% confidence interval for the mean (Student t, n - 1 df)
  double ci_high = 0;
};

Summary summarise(const std::vector<double>& values);

/// A mean with the half-width of its confidence interval (Student t, n - 1 df): what the
/// printouts show as "mean ± half-width". half_width is NaN with fewer than two observations,
/// and mean is NaN with none.
struct MeanInterval {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double half_width = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;
};
MeanInterval mean_interval(const engine::Tally& t, double level = 0.95);

/// Two-sided Student-t critical value for confidence `level` with `df` degrees of freedom.
double t_critical(double level, std::uint64_t df);

}  // namespace mhsim::analysis
