// SPDX-License-Identifier: MIT
#include "engine/error.hpp"

#include <cstdio>

namespace mhsim::engine {

void SimulationError::refresh() {
  char day[64];
  std::snprintf(day, sizeof day, "%.2f", at_);
  message_ = entity_.empty() ? std::string{} : entity_ + " ";
  message_ += "at day " + std::string(day) + ": " + what_;
  if (has_context_) {
    message_ += " (";
    if (!arm_.empty()) message_ += "arm \"" + arm_ + "\", ";
    message_ += "replication " + std::to_string(replication_) + ", seed " + std::to_string(seed_) + ")";
  }
}

}  // namespace mhsim::engine
