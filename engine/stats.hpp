// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "engine/time.hpp"

namespace mhsim::engine {

/// Running moments of a sample (Welford), with no per-observation storage.
/// Two Tallies merge exactly as if one had seen both samples (Chan et al.).
class Tally {
 public:
  void add(double x) noexcept {
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x - mean_);
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }

  void merge(const Tally& other) noexcept {
    if (other.n_ == 0) return;
    if (n_ == 0) {
      *this = other;
      return;
    }
    const double n = static_cast<double>(n_ + other.n_);
    const double delta = other.mean_ - mean_;
    mean_ += delta * static_cast<double>(other.n_) / n;
    m2_ += other.m2_ + delta * delta * static_cast<double>(n_) * static_cast<double>(other.n_) / n;
    n_ += other.n_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  void reset() noexcept { *this = Tally{}; }

  std::uint64_t count() const noexcept { return n_; }
  /// Mean of the observations; NaN when there are none (an honest "no data").
  double mean() const noexcept { return n_ ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
  /// Sample variance (n - 1 denominator); NaN with fewer than two observations.
  double variance() const noexcept {
    return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : std::numeric_limits<double>::quiet_NaN();
  }
  double stddev() const noexcept { return std::sqrt(variance()); }
  /// Standard error of the mean.
  double standard_error() const noexcept { return std::sqrt(variance() / static_cast<double>(n_)); }
  double min() const noexcept { return n_ ? min_ : std::numeric_limits<double>::quiet_NaN(); }
  double max() const noexcept { return n_ ? max_ : std::numeric_limits<double>::quiet_NaN(); }

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

/// The time-average of a piecewise-constant quantity (queue length, busy servers),
/// integrated exactly between changes; keeps no history.
class TimeWeighted {
 public:
  explicit TimeWeighted(Days start = 0.0, double value = 0.0) noexcept
      : start_(start), last_(start), value_(value) {}

  /// The quantity changes to `value` at time `now` (now >= the previous change).
  void update(Days now, double value) noexcept {
    accumulate(now);
    value_ = value;
    max_ = std::max(max_, value);
  }

  /// Forgets the past (e.g. at the end of a warm-up period) but keeps the current value.
  void reset(Days now) noexcept {
    start_ = now;
    last_ = now;
    area_ = 0.0;
    max_ = value_;
  }

  double current() const noexcept { return value_; }
  /// Time-average over [start, now]; the current value if no time has passed.
  double mean(Days now) const noexcept {
    const double span = now - start_;
    if (!(span > 0.0)) return value_;
    return (area_ + value_ * (now - last_)) / span;
  }
  double max() const noexcept { return max_; }

 private:
  void accumulate(Days now) noexcept {
    area_ += value_ * (now - last_);
    last_ = now;
  }

  Days start_;
  Days last_;
  double value_;
  double area_ = 0.0;
  double max_ = value_;
};

}  // namespace mhsim::engine
