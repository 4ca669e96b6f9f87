// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

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

/// Two-sided Student-t critical value for confidence `level` with `df` degrees of freedom.
double t_critical(double level, std::uint64_t df);

}  // namespace mhsim::analysis
