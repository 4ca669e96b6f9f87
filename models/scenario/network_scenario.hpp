// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>
#include <string>
#include <string_view>

#include "models/queueing/network.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/run_settings.hpp"

namespace mhsim::schema {
struct Source;
}

namespace mhsim::scenario {

/// A validated queueing-network scenario: typed, complete, and immutable once loaded.
struct NetworkScenario {
  std::string file;         ///< path as given
  std::string text;         ///< the file's exact bytes (stored in results for provenance)
  std::string name;
  std::string description;
  RunSettings run;
  models::queueing::NetworkSpec network;
  /// `key=value` settings applied after loading (`mhsim run --set`), in order.
  std::vector<std::string> settings;
  /// Where everything is in the file (shared by copies): values set later are checked with
  /// messages located in it.
  std::shared_ptr<const schema::Source> source;
};

/// Reads and validates a scenario file. Throws ScenarioError listing every problem
/// (file:line:col: key.path: expected ..., got ...); never returns a partial scenario.
NetworkScenario load_network_scenario(const std::string& path);

/// The same, from text already in memory (`file` is used in messages only).
NetworkScenario parse_network_scenario(std::string_view text, const std::string& file);

/// The scenario with `key=value` settings applied (`mhsim run --set`), each typed value set
/// directly and the result checked as the loader checks a file; recorded in `settings`.
/// Throws ScenarioError naming each bad setting (or what the values break).
NetworkScenario apply_settings(const NetworkScenario& sc, const std::vector<std::string>& settings);

}  // namespace mhsim::scenario
