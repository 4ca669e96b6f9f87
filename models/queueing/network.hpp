// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/random.hpp"
#include "engine/resource.hpp"
#include "engine/time.hpp"

namespace mhsim::models::queueing {

/// Route target meaning "leaves the network".
inline constexpr std::size_t kExit = std::numeric_limits<std::size_t>::max();

struct Route {
  std::size_t target;  ///< station index, or kExit
  double probability;
};

/// One service station: `servers` identical servers, a waiting line, a service-time
/// distribution (days), optional external arrivals, and where people go afterwards.
struct StationSpec {
  std::string name;
  std::int64_t servers = 1;
  engine::Discipline discipline = engine::Discipline::kFifo;
  /// Longest waiting line; arrivals finding it full are refused and leave the network.
  /// nullopt = unbounded; 0 = a loss system (M/M/c/c).
  std::optional<std::uint64_t> queue_limit;
  engine::Distribution service;
  /// Time between external arrivals (days). Poisson arrivals = exponential inter-arrivals.
  std::optional<engine::Distribution> interarrival;
  /// External Poisson arrivals per day as a scenario writes them (0 = none); the scenario
  /// derives `interarrival` from it. The simulation reads `interarrival` only.
  double arrival_rate = 0;
  /// Priority of external arrivals here (smaller is served first under kPriority).
  engine::Priority arrival_priority = 0;
  /// Probabilities sum to 1; a station with no routes sends everyone to kExit.
  std::vector<Route> routes;
};

struct NetworkSpec {
  std::vector<StationSpec> stations;
  engine::Days horizon = 365.0;
  /// Statistics are reset at this time; the state (queues, people in service) is kept.
  engine::Days warmup = 0.0;
  /// Safety limit: a replication with more people in the network at once stops with an
  /// error (an unstable network would otherwise exhaust memory).
  std::uint64_t max_in_system = 10'000'000;
};

/// Per-station results of one replication, over the measurement window (warm-up..horizon).
struct StationResult {
  std::uint64_t arrivals = 0;     ///< external + routed arrivals, including refused ones
  std::uint64_t completions = 0;  ///< services completed
  std::uint64_t refused = 0;      ///< arrivals that found the waiting line full
  double mean_wait = 0;           ///< days from arrival to start of service (granted requests)
  double mean_queue_length = 0;   ///< time-average number waiting
  double utilisation = 0;         ///< time-average busy servers / servers
  double mean_sojourn = 0;        ///< days from arrival to completion (completed services)
  double mean_in_station = 0;     ///< time-average number waiting or in service (L)
};

/// Network totals. entered/exited/refused/in_system_at_end cover the whole run, so
/// entered == exited + refused + in_system_at_end always (conservation of people).
struct NetworkResult {
  std::vector<StationResult> stations;
  std::uint64_t entered = 0;
  std::uint64_t exited = 0;
  std::uint64_t refused = 0;
  std::uint64_t in_system_at_end = 0;
  double mean_time_in_system = 0;  ///< days, for people who exited during the window
  std::uint64_t events = 0;
};

/// Simulates one replication. Random streams are named per station and purpose
/// ("station/<name>/arrivals", "/service", "/routing").
NetworkResult simulate_network(const NetworkSpec& spec, const engine::RandomStreams& streams);

/// Throws SimulationError when people were created or destroyed (`at`: the time checked).
void check_conservation(const NetworkResult& result, engine::Days at);

}  // namespace mhsim::models::queueing
