// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace mhsim::scenario {

/// How many replications to run and from which master seed ([run] in every model).
struct RunSettings {
  std::uint64_t seed = 0;
  std::uint64_t replications = 1;
};

}  // namespace mhsim::scenario
