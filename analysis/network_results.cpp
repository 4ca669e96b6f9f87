// SPDX-License-Identifier: MIT
#include "analysis/network_results.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace mhsim::analysis {

namespace q = models::queueing;

const std::vector<StationMetric>& station_metrics() {
  static const std::vector<StationMetric> m = {
      {"arrivals", "people", "arrivals in the measurement window (external and routed, including refused)"},
      {"completions", "people", "services completed in the window"},
      {"refused", "people", "arrivals refused because the waiting line was full"},
      {"mean_wait", "days", "mean time from arrival to start of service"},
      {"mean_queue_length", "people", "time-average number waiting"},
      {"utilisation", "fraction", "time-average busy servers / servers"},
      {"mean_sojourn", "days", "mean time from arrival to end of service"},
      {"mean_in_station", "people", "time-average number waiting or in service"},
  };
  return m;
}

const std::vector<StationMetric>& network_metrics() {
  static const std::vector<StationMetric> m = {
      {"entered", "people", "people who entered during the whole run (including warm-up)"},
      {"exited", "people", "people who left by an exit route during the whole run"},
      {"refused", "people", "people who left because a waiting line was full, whole run"},
      {"in_system_at_end", "people", "people still in the network at the horizon"},
      {"mean_time_in_system", "days", "mean time from entry to exit, for people entering after warm-up"},
      {"events", "events", "events executed by the kernel"},
  };
  return m;
}

namespace {
bool is_count(const char* name) {
  const std::string n = name;
  return n == "arrivals" || n == "completions" || n == "refused" || n == "entered" || n == "exited" ||
         n == "in_system_at_end" || n == "events";
}
std::vector<std::uint64_t> network_counts(const q::NetworkResult& r) {
  return {r.entered, r.exited, r.refused, r.in_system_at_end, 0, r.events};
}
}  // namespace

void define_network_datasets(ResultsWriter& out, const q::NetworkSpec& spec) {
  std::vector<std::string> names;
  for (const q::StationSpec& s : spec.stations) names.push_back(s.name);
  out.labels("stations/name", names);
  for (const StationMetric& m : station_metrics()) {
    out.define(std::string("stations/") + m.name,
               is_count(m.name) ? ResultsWriter::Type::kUInt64 : ResultsWriter::Type::kFloat64, names.size());
  }
  for (const StationMetric& m : network_metrics()) {
    out.define(std::string("network/") + m.name,
               is_count(m.name) ? ResultsWriter::Type::kUInt64 : ResultsWriter::Type::kFloat64);
  }
}

void write_network_result(ResultsWriter& out, std::uint64_t rep, const q::NetworkResult& r) {
  const std::size_t n = r.stations.size();
  std::vector<std::uint64_t> counts(n);
  std::vector<double> values(n);
  auto put_u = [&](const char* name, std::uint64_t q::StationResult::*field) {
    for (std::size_t s = 0; s < n; ++s) counts[s] = r.stations[s].*field;
    out.write(std::string("stations/") + name, rep, counts.data());
  };
  auto put_d = [&](const char* name, double q::StationResult::*field) {
    for (std::size_t s = 0; s < n; ++s) values[s] = r.stations[s].*field;
    out.write(std::string("stations/") + name, rep, values.data());
  };
  put_u("arrivals", &q::StationResult::arrivals);
  put_u("completions", &q::StationResult::completions);
  put_u("refused", &q::StationResult::refused);
  put_d("mean_wait", &q::StationResult::mean_wait);
  put_d("mean_queue_length", &q::StationResult::mean_queue_length);
  put_d("utilisation", &q::StationResult::utilisation);
  put_d("mean_sojourn", &q::StationResult::mean_sojourn);
  put_d("mean_in_station", &q::StationResult::mean_in_station);
  const std::vector<std::uint64_t> totals = network_counts(r);
  const auto& nm = network_metrics();
  for (std::size_t i = 0; i < nm.size(); ++i) {
    const std::string path = std::string("network/") + nm[i].name;
    if (is_count(nm[i].name)) out.write(path, rep, &totals[i]);
    else out.write(path, rep, &r.mean_time_in_system);
  }
}

std::vector<double> station_row(const q::StationResult& r, double window) {
  return {static_cast<double>(r.arrivals) / window,
          static_cast<double>(r.completions) / window,
          static_cast<double>(r.refused) / window,
          r.mean_wait,
          r.mean_queue_length,
          r.utilisation,
          r.mean_sojourn,
          r.mean_in_station};
}

std::vector<q::NetworkResult> read_network_results(const ResultsReader& file) {
  return read_network_results(file, 0, file.shape_at_least("stations/mean_wait", 1).at(0));
}

namespace {
template <class T>
std::vector<T> rows_as(const ResultsReader& file, const std::string& path, std::uint64_t first, std::uint64_t count,
                       std::size_t width) {
  const std::vector<unsigned char> bytes = file.raw_rows(path, first, count);
  const std::size_t expected = static_cast<std::size_t>(count) * width;
  if (bytes.size() != expected * sizeof(T)) {
    // A damaged or foreign file: its datasets do not have the shapes this reader needs.
    throw std::runtime_error(file.file_path() + ": " + path + ": expected " + std::to_string(expected) + " values of " +
                             std::to_string(sizeof(T)) + " bytes in rows " + std::to_string(first) + ".." +
                             std::to_string(first + count) + ", got " + std::to_string(bytes.size()) + " bytes");
  }
  std::vector<T> out(expected);
  if (expected > 0) std::memcpy(out.data(), bytes.data(), expected * sizeof(T));
  return out;
}
}  // namespace

std::vector<q::NetworkResult> read_network_results(const ResultsReader& file, std::uint64_t first,
                                                   std::uint64_t count) {
  const std::size_t rows = static_cast<std::size_t>(count);
  const std::vector<std::uint64_t> shape = file.shape("stations/mean_wait");
  if (shape.size() != 2) {
    throw std::runtime_error(file.file_path() + ": stations/mean_wait: expected a table of replications x stations");
  }
  const std::size_t n = static_cast<std::size_t>(shape[1]);
  std::vector<q::NetworkResult> out(rows);
  for (auto& r : out) r.stations.resize(n);
  auto get_u = [&](const char* name, std::uint64_t q::StationResult::*field) {
    const auto v = rows_as<std::uint64_t>(file, std::string("stations/") + name, first, count, n);
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t s = 0; s < n; ++s) out[i].stations[s].*field = v[i * n + s];
  };
  auto get_d = [&](const char* name, double q::StationResult::*field) {
    const auto v = rows_as<double>(file, std::string("stations/") + name, first, count, n);
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t s = 0; s < n; ++s) out[i].stations[s].*field = v[i * n + s];
  };
  get_u("arrivals", &q::StationResult::arrivals);
  get_u("completions", &q::StationResult::completions);
  get_u("refused", &q::StationResult::refused);
  get_d("mean_wait", &q::StationResult::mean_wait);
  get_d("mean_queue_length", &q::StationResult::mean_queue_length);
  get_d("utilisation", &q::StationResult::utilisation);
  get_d("mean_sojourn", &q::StationResult::mean_sojourn);
  get_d("mean_in_station", &q::StationResult::mean_in_station);
  const auto entered = rows_as<std::uint64_t>(file, "network/entered", first, count, 1);
  const auto exited = rows_as<std::uint64_t>(file, "network/exited", first, count, 1);
  const auto refused = rows_as<std::uint64_t>(file, "network/refused", first, count, 1);
  const auto inside = rows_as<std::uint64_t>(file, "network/in_system_at_end", first, count, 1);
  const auto events = rows_as<std::uint64_t>(file, "network/events", first, count, 1);
  const auto time = rows_as<double>(file, "network/mean_time_in_system", first, count, 1);
  for (std::size_t i = 0; i < rows; ++i) {
    out[i].entered = entered[i];
    out[i].exited = exited[i];
    out[i].refused = refused[i];
    out[i].in_system_at_end = inside[i];
    out[i].events = events[i];
    out[i].mean_time_in_system = time[i];
  }
  return out;
}

NetworkSummary summarise_network_file(const ResultsReader& file, std::size_t stations, double window_days) {
  NetworkSummary summary(stations, window_days);
  const std::uint64_t rows = file.shape_at_least("stations/mean_wait", 1).at(0);
  constexpr std::uint64_t kSlab = 4096;
  for (std::uint64_t first = 0; first < rows; first += kSlab) {
    for (const q::NetworkResult& r : read_network_results(file, first, std::min(kSlab, rows - first))) summary.add(r);
  }
  return summary;
}

void write_network_block(ResultsWriter& out, const q::NetworkSpec& spec,
                         const std::map<std::string, AttributeValue>& attributes, std::uint64_t first,
                         const std::vector<q::NetworkResult>& results) {
  for (const auto& [name, value] : attributes) out.attribute(name, value);
  out.attribute("first_replication", first);
  out.attribute("replications_in_file", static_cast<std::uint64_t>(results.size()));
  define_network_datasets(out, spec);
  for (std::size_t i = 0; i < results.size(); ++i) write_network_result(out, first + i, results[i]);
}

NetworkSummary::NetworkSummary(std::size_t stations, double window_days)
    : stations_(stations),
      window_(window_days),
      station_(station_metrics().size() * stations),
      network_(network_metrics().size()) {}

void NetworkSummary::add(const q::NetworkResult& r) {
  if (r.stations.size() != stations_) {
    throw std::runtime_error("a replication with " + std::to_string(r.stations.size()) + " stations, expected " +
                             std::to_string(stations_));
  }
  for (std::size_t s = 0; s < stations_; ++s) {
    const std::vector<double> row = station_row(r.stations[s], window_);
    for (std::size_t m = 0; m < row.size(); ++m) {
      if (!std::isnan(row[m])) station_[m * stations_ + s].add(row[m]);
    }
  }
  const std::vector<double> net = {static_cast<double>(r.entered), static_cast<double>(r.exited),
                                   static_cast<double>(r.refused), static_cast<double>(r.in_system_at_end),
                                   r.mean_time_in_system, static_cast<double>(r.events)};
  for (std::size_t m = 0; m < net.size(); ++m) {
    if (!std::isnan(net[m])) network_[m].add(net[m]);
  }
  ++replications_;
}

const engine::Tally& NetworkSummary::station(std::size_t metric, std::size_t s) const {
  return station_.at(metric * stations_ + s);
}
const engine::Tally& NetworkSummary::network(std::size_t metric) const { return network_.at(metric); }

namespace {
struct Linear {
  Eigen::VectorXd gamma;
  Eigen::MatrixXd routing;
};
Linear linear_system(const q::NetworkSpec& spec) {
  const auto n = static_cast<Eigen::Index>(spec.stations.size());
  Linear l{Eigen::VectorXd::Zero(n), Eigen::MatrixXd::Zero(n, n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    const q::StationSpec& s = spec.stations[static_cast<std::size_t>(i)];
    if (s.interarrival) l.gamma(i) = 1.0 / s.interarrival->mean();
    for (const q::Route& r : s.routes) {
      if (r.target != q::kExit) l.routing(i, static_cast<Eigen::Index>(r.target)) += r.probability;
    }
  }
  return l;
}
}  // namespace

std::optional<std::vector<theory::MmcMeasures>> jackson_prediction(const q::NetworkSpec& spec) {
  Eigen::VectorXd mu(static_cast<Eigen::Index>(spec.stations.size()));
  std::vector<std::int64_t> servers;
  for (std::size_t i = 0; i < spec.stations.size(); ++i) {
    const q::StationSpec& s = spec.stations[i];
    const bool poisson = !s.interarrival || s.interarrival->is_exponential();
    if (!poisson || !s.service.is_exponential() || s.queue_limit || s.discipline != engine::Discipline::kFifo) {
      return std::nullopt;
    }
    mu(static_cast<Eigen::Index>(i)) = 1.0 / s.service.mean();
    servers.push_back(s.servers);
  }
  const Linear l = linear_system(spec);
  return theory::jackson(l.gamma, l.routing, mu, servers);
}

std::vector<double> arrival_rates(const q::NetworkSpec& spec) {
  const Linear l = linear_system(spec);
  const Eigen::VectorXd lambda = theory::traffic_rates(l.gamma, l.routing);
  return std::vector<double>(lambda.data(), lambda.data() + lambda.size());
}

std::vector<double> offered_load(const q::NetworkSpec& spec) {
  const std::vector<double> lambda = arrival_rates(spec);
  std::vector<double> rho;
  for (std::size_t i = 0; i < spec.stations.size(); ++i) {
    rho.push_back(lambda[i] * spec.stations[i].service.mean() / static_cast<double>(spec.stations[i].servers));
  }
  return rho;
}

}  // namespace mhsim::analysis
