// SPDX-License-Identifier: MIT
#include "analysis/summary.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstddef>
#include <limits>

#include <boost/math/distributions/students_t.hpp>

#include "engine/stats.hpp"

namespace mhsim::analysis {

double t_critical(double level, std::uint64_t df) {
  if (df == 0) return std::numeric_limits<double>::infinity();
  // The quantile costs microseconds and summaries ask for the same few (level, df) again and
  // again (a sweep: every statistic of every combination), so each thread keeps the last
  // few. The value is the same computation's, bit for bit; df 0 marks an empty slot.
  struct Entry {
    double level = 0;
    std::uint64_t df = 0;
    double value = 0;
  };
  thread_local std::array<Entry, 4> cache{};
  thread_local std::size_t next = 0;
  for (const Entry& e : cache) {
    if (e.df == df && e.level == level) return e.value;
  }
  const boost::math::students_t t(static_cast<double>(df));
  const double value = boost::math::quantile(t, 0.5 + 0.5 * level);
  cache[next] = Entry{level, df, value};
  next = (next + 1) % cache.size();
  return value;
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
