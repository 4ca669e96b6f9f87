// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "engine/time.hpp"

namespace mhsim::engine {

/// A failure inside a running replication. It carries enough to replay the failure:
/// what went wrong, to whom, when, and which (seed, replication) produced it.
/// The kernel raises it with `what`, `entity` and `at`; the runner adds replication and seed.
class SimulationError : public std::runtime_error {
 public:
  SimulationError(std::string what, std::string entity, Days at)
      : std::runtime_error(what), what_(std::move(what)), entity_(std::move(entity)), at_(at) {
    refresh();
  }

  /// Adds the replication context; called by the Runner while the error propagates.
  void set_context(std::uint64_t replication, std::uint64_t seed, std::string arm = {}) {
    replication_ = replication;
    seed_ = seed;
    if (!arm.empty()) arm_ = std::move(arm);  // the runner adds (replication, seed) later without an arm
    has_context_ = true;
    refresh();
  }

  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& entity() const noexcept { return entity_; }
  Days at() const noexcept { return at_; }

 private:
  void refresh();

  std::string what_;
  std::string entity_;
  Days at_;
  std::string arm_;
  std::uint64_t replication_ = 0;
  std::uint64_t seed_ = 0;
  bool has_context_ = false;
  std::string message_;
};

}  // namespace mhsim::engine
