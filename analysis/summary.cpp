// SPDX-License-Identifier: MIT
#include "analysis/summary.hpp"

#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>

#include "engine/stats.hpp"

namespace mhsim::analysis {

double t_critical(double level, std::uint64_t df) {
  if (df == 0) return std::numeric_limits<double>::infinity();
  const boost::math::students_t t(static_cast<double>(df));
  return boost::math::quantile(t, 0.5 + 0.5 * level);
}

Summary summarise(const std::vector<double>& values) {
  engine::Tally tally;
  Summary s;
  for (const double v : values) {
    if (std::isnan(v)) ++s.missing;
    else tally.add(v);
  }
  s.n = tally.count();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  s.mean = s.n ? tally.mean() : nan;
  s.sd = s.n > 1 ? tally.stddev() : nan;
  s.se = s.n > 1 ? tally.standard_error() : nan;
  const double half = s.n > 1 ? t_critical(0.95, s.n - 1) * s.se : nan;
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  return s;
}

MeanInterval mean_interval(const engine::Tally& t, double level) {
  MeanInterval m;
  m.n = t.count();
  if (m.n == 0) return m;
  m.mean = t.mean();
  if (m.n > 1) m.half_width = t_critical(level, m.n - 1) * t.standard_error();
  return m;
}

}  // namespace mhsim::analysis
