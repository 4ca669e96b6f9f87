// SPDX-License-Identifier: MIT
#pragma once
// The kernel benchmark's M/M/c queue on the engine (Simulation + Resource + Distribution),
// shared by bench_kernel and bench_pathway (which reports its own events/s as a ratio to this
// kernel's, measured in the same run, so the ratio holds on a busy machine).
#include <chrono>
#include <cstdint>
#include <optional>

#include "engine/distribution.hpp"
#include "engine/random.hpp"
#include "engine/resource.hpp"
#include "engine/simulation.hpp"

namespace mhsim::bench {

constexpr double kLambda = 9.0, kMu = 1.0;
constexpr int kServers = 10;

struct QueueRun {
  std::uint64_t events = 0;
  double mean_wait = 0;
  double seconds = 0;
};

// ---- the engine --------------------------------------------------------------------------
class EngineMmc {
 public:
  explicit EngineMmc(std::uint64_t customers)
      : customers_(customers),
        arrivals_(mhsim::engine::RandomStreams{1, 0}.stream("arrivals")),
        service_rng_(mhsim::engine::RandomStreams{1, 0}.stream("service")),
        gap_(mhsim::engine::dist::Exponential{1.0 / kLambda}),
        service_(mhsim::engine::dist::Exponential{1.0 / kMu}),
        pool_(sim_, "pool", kServers, mhsim::engine::Discipline::kFifo, std::nullopt,
              [this](mhsim::engine::Resource::Token, double) { start(); }) {}

  QueueRun run() {
    const auto t0 = std::chrono::steady_clock::now();
    arrive_next();
    sim_.run_until(mhsim::engine::kNever);
    QueueRun r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.events = sim_.events_executed();
    r.mean_wait = pool_.waits().mean();
    return r;
  }

 private:
  void arrive_next() {
    if (generated_ == customers_) return;
    ++generated_;
    sim_.schedule_in(gap_.sample(arrivals_), mhsim::engine::kDefaultPriority, [this] {
      if (pool_.request(generated_) == mhsim::engine::Resource::Outcome::kGranted) start();
      arrive_next();
    });
  }
  void start() {
    sim_.schedule_in(service_.sample(service_rng_), mhsim::engine::kReleasePriority, [this] { pool_.release(); });
  }

  std::uint64_t customers_;
  std::uint64_t generated_ = 0;
  mhsim::engine::Rng arrivals_, service_rng_;
  mhsim::engine::Distribution gap_, service_;
  mhsim::engine::Simulation sim_;
  mhsim::engine::Resource pool_;
};

}  // namespace mhsim::bench
