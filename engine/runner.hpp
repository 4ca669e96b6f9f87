// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "engine/error.hpp"
#include "engine/random.hpp"
#include "engine/simulation.hpp"

namespace mhsim::engine {

/// What one replication is given: its index and its seed, from which all its random
/// streams derive. Nothing here depends on the thread that runs it.
struct ReplicationContext {
  std::uint64_t index;
  std::uint64_t seed;

  RandomStreams streams() const noexcept { return RandomStreams{seed, index}; }
};

/// Maps replication indices to results on a TBB pipeline with three stages:
///   serial source of indices -> parallel simulate -> serial, in-order consume.
/// Results reach `consume` in the order of `order` whatever the thread count, and at most
/// `max_in_flight` replications exist at once, so memory is bounded by that, not by the
/// number of replications.
class Runner {
 public:
  struct Options {
    std::uint64_t seed = 0;
    /// Replication indices, in the order they are to be consumed (normally 0..N-1).
    std::vector<std::uint64_t> order;
    int threads = 1;
    /// Live replications at most; 0 chooses 2 x threads.
    std::size_t max_in_flight = 0;
    /// When set (e.g. by a signal handler), no further replication is started; those in
    /// flight stop at their next check (Simulation::kCheckEvery events) and are not
    /// consumed; run() returns normally. Those consumed before are complete.
    const std::atomic<bool>* cancel = nullptr;
  };

  explicit Runner(Options options) : options_(std::move(options)) {
    if (options_.threads < 1) {
      throw std::invalid_argument("Runner: threads is " + std::to_string(options_.threads) +
                                  ", but must be >= 1");
    }
    if (options_.max_in_flight == 0) options_.max_in_flight = 2 * static_cast<std::size_t>(options_.threads);
  }

  /// Indices 0..n-1 in order.
  static std::vector<std::uint64_t> first(std::uint64_t n) {
    std::vector<std::uint64_t> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), std::uint64_t{0});
    return v;
  }

  /// `simulate(const ReplicationContext&) -> Result` runs on any thread;
  /// `consume(std::uint64_t replication, Result&&)` (or `consume(Result&&)`) runs on one
  /// thread at a time, in the order of Options::order. An exception from a
  /// replication stops the run and is rethrown here; a SimulationError gains the
  /// replication and seed so the failure can be replayed from the message.
  template <class Result, class Simulate, class Consume>
  void run(Simulate&& simulate, Consume&& consume) const {
    const std::vector<std::uint64_t>& order = options_.order;
    const std::uint64_t seed = options_.seed;
    std::size_t next = 0;

    // A global_control cap plus an arena of the same size: TBB will not use more workers.
    tbb::global_control cap(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(options_.threads));
    tbb::task_arena arena(options_.threads);
    arena.execute([&] {
      try {
      tbb::parallel_pipeline(
          options_.max_in_flight,
          tbb::make_filter<void, std::uint64_t>(
              tbb::filter_mode::serial_in_order,
              [&](tbb::flow_control& fc) -> std::uint64_t {
                if (next == order.size() ||
                    (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed))) {
                  fc.stop();
                  return 0;
                }
                return order[next++];
              }) &
              tbb::make_filter<std::uint64_t, std::pair<std::uint64_t, Result>>(
                  tbb::filter_mode::parallel,
                  [&](std::uint64_t index) -> std::pair<std::uint64_t, Result> {
                    const ReplicationContext context{index, seed};
                    const CancellationScope scope(options_.cancel);
                    try {
                      return {index, simulate(context)};
                    } catch (const Cancelled&) {
                      throw;
                    } catch (SimulationError& e) {
                      e.set_context(index, seed);
                      throw;
                    } catch (const std::exception& e) {
                      throw std::runtime_error(std::string(e.what()) + " (replication " +
                                               std::to_string(index) + ", seed " +
                                               std::to_string(seed) + ")");
                    }
                  }) &
              tbb::make_filter<std::pair<std::uint64_t, Result>, void>(
                  tbb::filter_mode::serial_in_order, [&](std::pair<std::uint64_t, Result> item) {
                    if constexpr (std::is_invocable_v<Consume&, std::uint64_t, Result&&>) {
                      consume(item.first, std::move(item.second));
                    } else {
                      consume(std::move(item.second));
                    }
                  }));
      } catch (const Cancelled&) {
        // Replications in flight stopped part-way: none of them was consumed.
      }
    });
  }

  const Options& options() const noexcept { return options_; }

 private:
  Options options_;
};

}  // namespace mhsim::engine
