// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/queueing_theory.hpp"
#include "analysis/results_file.hpp"
#include "engine/stats.hpp"
#include "models/queueing/network.hpp"

namespace mhsim::analysis {

/// One per-station metric as stored in results files and printed in summaries.
struct StationMetric {
  const char* name;  ///< dataset stations/<name>
  const char* unit;
  const char* doc;
};
/// The per-station metrics, in dataset order (documented in docs/results-schema.md).
const std::vector<StationMetric>& station_metrics();
/// The network-level metrics (datasets network/<name>).
const std::vector<StationMetric>& network_metrics();

/// Defines the datasets of a queueing-network run: stations/name, stations/<metric>
/// [replications, stations], network/<metric> [replications].
void define_network_datasets(ResultsWriter& out, const models::queueing::NetworkSpec& spec);
/// Writes one replication's row of every dataset.
void write_network_result(ResultsWriter& out, std::uint64_t replication,
                          const models::queueing::NetworkResult& result);

/// Streaming summary across replications (fed in replication order, so deterministic):
/// keeps Tallies, not values, so memory does not grow with replications.
class NetworkSummary {
 public:
  NetworkSummary(std::size_t stations, double window_days);
  void add(const models::queueing::NetworkResult& result);
  /// Tally of station metric `metric` (index into station_metrics()) at `station`.
  const engine::Tally& station(std::size_t metric, std::size_t station) const;
  const engine::Tally& network(std::size_t metric) const;
  std::uint64_t replications() const noexcept { return replications_; }

 private:
  std::size_t stations_;
  double window_;
  std::vector<engine::Tally> station_;  // metric-major
  std::vector<engine::Tally> network_;
  std::uint64_t replications_ = 0;
};

/// Reads every replication of a queueing-network results file back into NetworkResults
/// (index order), the inverse of write_network_result.
std::vector<models::queueing::NetworkResult> read_network_results(const ResultsReader& file);
/// Rows [first, first + count) of the file only (for streaming large files).
std::vector<models::queueing::NetworkResult> read_network_results(const ResultsReader& file, std::uint64_t first,
                                                                  std::uint64_t count);

/// Summary of a results file, replications folded in index order, read in slabs so memory
/// does not grow with the number of replications.
NetworkSummary summarise_network_file(const ResultsReader& file, std::size_t stations, double window_days);

/// Writes a block of replications [first, first + results.size()) as a self-contained results
/// file (`attributes` at the root, plus first_replication and replications_in_file).
void write_network_block(ResultsWriter& out, const models::queueing::NetworkSpec& spec,
                         const std::map<std::string, AttributeValue>& attributes, std::uint64_t first,
                         const std::vector<models::queueing::NetworkResult>& results);

/// Station values of one replication in station_metrics() order (arrival counts per day).
std::vector<double> station_row(const models::queueing::StationResult& r, double window_days);

/// Product-form predictions when the network is an open Jackson network (Poisson external
/// arrivals, exponential services, FIFO, unbounded waiting lines); nullopt otherwise.
/// Each element corresponds to a station.
std::optional<std::vector<theory::MmcMeasures>> jackson_prediction(const models::queueing::NetworkSpec& spec);

/// Arrival rate per station (a day), lambda = gamma + P^T lambda: the traffic equations.
std::vector<double> arrival_rates(const models::queueing::NetworkSpec& spec);

/// Offered load per station, lambda_i E[S_i] / c_i, from the traffic equations (any service
/// distribution; refusals ignored). Values >= 1 mark stations whose queue grows without bound.
std::vector<double> offered_load(const models::queueing::NetworkSpec& spec);

}  // namespace mhsim::analysis
