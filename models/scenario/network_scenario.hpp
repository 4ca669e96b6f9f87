// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "models/queueing/network.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/run_settings.hpp"

namespace mhsim::scenario {

/// A validated queueing-network scenario: typed, complete, and immutable once loaded.
struct NetworkScenario {
  std::string file;         ///< path as given
  std::string text;         ///< the file's exact bytes (stored in results for provenance)
  std::string name;
  std::string description;
  RunSettings run;
  models::queueing::NetworkSpec network;
};

/// Reads and validates a scenario file. Throws ScenarioError listing every problem
/// (file:line:col: key.path: expected ..., got ...); never returns a partial scenario.
NetworkScenario load_network_scenario(const std::string& path);

/// The same, from text already in memory (`file` is used in messages only).
NetworkScenario parse_network_scenario(std::string_view text, const std::string& file);

}  // namespace mhsim::scenario
