// SPDX-License-Identifier: MIT
#pragma once

#include <limits>

namespace mhsim::engine {

/// Simulated time, in days since the start of the run. A plain double: never compiled with
/// -ffast-math, so the IEEE order of operations (and therefore every result) is reproducible.
using Days = double;

/// A time that never comes: the end of an open-ended run, or "no event pending".
inline constexpr Days kNever = std::numeric_limits<Days>::infinity();

/// Days in a settlement year. Calendar detail (leap years) is deliberately ignored.
inline constexpr Days kDaysPerYear = 365.0;

}  // namespace mhsim::engine
