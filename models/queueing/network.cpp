// SPDX-License-Identifier: MIT
#include "models/queueing/network.hpp"

#include <cmath>
#include <memory>
#include <string>

#include <boost/random/uniform_01.hpp>

#include "engine/error.hpp"
#include "engine/simulation.hpp"
#include "engine/stats.hpp"

namespace mhsim::models::queueing {

namespace {

using engine::Days;

class NetworkModel {
 public:
  NetworkModel(const NetworkSpec& spec, const engine::RandomStreams& streams) : spec_(spec) {
    const std::size_t n = spec.stations.size();
    stations_.reserve(n);
    for (std::size_t s = 0; s < n; ++s) {
      const StationSpec& st = spec.stations[s];
      const std::string prefix = "station/" + st.name + "/";
      stations_.push_back(std::make_unique<Station>(
          engine::Resource(sim_, st.name, st.servers, st.discipline, st.queue_limit,
                           [this, s](engine::Resource::Token token, Days) {
                             start_service(static_cast<std::uint32_t>(token), s);
                           }),
          streams.stream(prefix + "arrivals"), streams.stream(prefix + "service"),
          streams.stream(prefix + "routing")));
    }
  }

  NetworkResult run() {
    sim_.set_namer([](engine::Simulation::Entity c) { return "customer " + std::to_string(c); });
    for (std::size_t s = 0; s < stations_.size(); ++s) {
      if (spec_.stations[s].interarrival) schedule_external_arrival(s);
    }
    if (spec_.warmup > 0.0) {
      sim_.schedule_at(spec_.warmup, engine::kObserverPriority, [this] { reset_statistics(); });
    }
    sim_.run_until(spec_.horizon);
    return collect();
  }

 private:
  struct Customer {
    Days entered;
    Days arrived_here;
    engine::Priority priority;
  };
  struct Station {
    Station(engine::Resource r, engine::Rng a, engine::Rng sv, engine::Rng rt)
        : resource(std::move(r)), arrivals_rng(a), service_rng(sv), routing_rng(rt) {}
    engine::Resource resource;
    engine::Rng arrivals_rng;
    engine::Rng service_rng;
    engine::Rng routing_rng;
    engine::Tally sojourn;
    engine::TimeWeighted in_station{0.0};
    std::uint64_t arrivals = 0;
    std::uint64_t completions = 0;
    std::vector<double> cumulative;    // routing CDF, filled lazily
    std::vector<std::size_t> targets;  // routes with probability > 0, in order
  };

  void schedule_external_arrival(std::size_t s) {
    Station& st = *stations_[s];
    const Days gap = spec_.stations[s].interarrival->sample(st.arrivals_rng);
    sim_.schedule_in(gap, engine::kDefaultPriority, [this, s] {
      const std::uint32_t c = new_customer(spec_.stations[s].arrival_priority);
      arrive(c, s);
      schedule_external_arrival(s);
    });
  }

  std::uint32_t new_customer(engine::Priority priority) {
    ++entered_;
    if (entered_ - exited_ - refused_ > spec_.max_in_system) {
      throw engine::SimulationError(
          "more than " + std::to_string(spec_.max_in_system) +
              " people are in the network at once (run.max_in_system); the network is "
              "probably unstable: check that every station's offered load is below its servers",
          "network", sim_.now());
    }
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
      customers_[id] = Customer{sim_.now(), 0.0, priority};
    } else {
      id = static_cast<std::uint32_t>(customers_.size());
      customers_.push_back(Customer{sim_.now(), 0.0, priority});
    }
    return id;
  }

  void arrive(std::uint32_t c, std::size_t s) {
    Station& st = *stations_[s];
    customers_[c].arrived_here = sim_.now();
    ++st.arrivals;
    switch (st.resource.request(c, customers_[c].priority)) {
      case engine::Resource::Outcome::kGranted:
        note_occupancy(st, +1);
        begin_service(c, s);
        break;
      case engine::Resource::Outcome::kQueued:
        note_occupancy(st, +1);
        break;
      case engine::Resource::Outcome::kRefused:
        ++refused_;
        free_.push_back(c);
        break;
    }
  }

  // Called by the resource when a queued request is granted.
  void start_service(std::uint32_t c, std::size_t s) { begin_service(c, s); }

  void begin_service(std::uint32_t c, std::size_t s) {
    Station& st = *stations_[s];
    const Days duration = spec_.stations[s].service.sample(st.service_rng);
    sim_.schedule_in(duration, engine::kReleasePriority, [this, c, s] { complete(c, s); }, c);
  }

  void complete(std::uint32_t c, std::size_t s) {
    Station& st = *stations_[s];
    ++st.completions;
    st.sojourn.add(sim_.now() - customers_[c].arrived_here);
    note_occupancy(st, -1);
    st.resource.release();  // may start the next person's service at this instant
    const std::size_t next = route(s);
    if (next == kExit) {
      ++exited_;
      if (customers_[c].entered >= spec_.warmup) time_in_system_.add(sim_.now() - customers_[c].entered);
      free_.push_back(c);
    } else {
      arrive(c, next);
    }
  }

  std::size_t route(std::size_t s) {
    Station& st = *stations_[s];
    if (st.targets.empty()) {
      // Routes written with probability 0 are never taken and draw nothing.
      double acc = 0.0;
      for (const Route& r : spec_.stations[s].routes) {
        if (!(r.probability > 0)) continue;
        st.targets.push_back(r.target);
        st.cumulative.push_back(acc += r.probability);
      }
      if (st.targets.empty()) st.targets.push_back(kExit);
    }
    if (st.targets.size() == 1) return st.targets.front();
    const double u = boost::random::uniform_01<double>()(st.routing_rng);
    for (std::size_t i = 0; i + 1 < st.targets.size(); ++i) {
      if (u < st.cumulative[i]) return st.targets[i];
    }
    return st.targets.back();  // absorbs rounding in the last cumulative value
  }

  void note_occupancy(Station& st, int delta) {
    st.in_station.update(sim_.now(), st.in_station.current() + delta);
  }

  void reset_statistics() {
    for (auto& st : stations_) {
      st->resource.reset_statistics();
      st->sojourn.reset();
      st->in_station.reset(sim_.now());
      st->arrivals = 0;
      st->completions = 0;
    }
    time_in_system_.reset();
  }

  NetworkResult collect() {
    NetworkResult r;
    for (auto& st : stations_) {
      StationResult out;
      out.arrivals = st->arrivals;
      out.completions = st->completions;
      out.refused = st->resource.refused();
      out.mean_wait = st->resource.waits().mean();
      out.mean_queue_length = st->resource.mean_queue_length();
      out.utilisation = st->resource.utilisation();
      out.mean_sojourn = st->sojourn.mean();
      out.mean_in_station = st->in_station.mean(sim_.now());
      r.stations.push_back(out);
    }
    r.entered = entered_;
    r.exited = exited_;
    r.refused = refused_;
    r.in_system_at_end = entered_ - exited_ - refused_;
    r.mean_time_in_system = time_in_system_.mean();
    r.events = sim_.events_executed();
    // Count the people actually present, independently of the counters above.
    r.in_system_at_end = customers_.size() - free_.size();
    return r;
  }

  const NetworkSpec& spec_;
  engine::Simulation sim_;
  std::vector<std::unique_ptr<Station>> stations_;
  std::vector<Customer> customers_;
  std::vector<std::uint32_t> free_;
  std::uint64_t entered_ = 0;
  std::uint64_t exited_ = 0;
  std::uint64_t refused_ = 0;
  engine::Tally time_in_system_;
};

}  // namespace

NetworkResult simulate_network(const NetworkSpec& spec, const engine::RandomStreams& streams) {
  NetworkModel model(spec, streams);
  NetworkResult result = model.run();
  check_conservation(result, spec.horizon);
  return result;
}

void check_conservation(const NetworkResult& r, engine::Days at) {
  if (r.entered != r.exited + r.refused + r.in_system_at_end) {
    throw engine::SimulationError(
        "people are not conserved: entered " + std::to_string(r.entered) + " != exited " +
            std::to_string(r.exited) + " + refused " + std::to_string(r.refused) +
            " + still in the network " + std::to_string(r.in_system_at_end),
        "network", at);
  }
}

}  // namespace mhsim::models::queueing
