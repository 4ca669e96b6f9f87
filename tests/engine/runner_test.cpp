// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <numeric>
#include <vector>

#include <boost/random/uniform_01.hpp>

#include "engine/error.hpp"
#include "engine/runner.hpp"
#include "engine/work_plan.hpp"

using mhsim::engine::ReplicationContext;
using mhsim::engine::Runner;

namespace {
// A replication's "result": a few draws of a named stream, which must depend on
// (seed, replication) only.
std::vector<double> draws(const ReplicationContext& rep) {
  auto rng = rep.streams().stream("work");
  std::vector<double> out;
  for (int i = 0; i < 100; ++i) out.push_back(boost::random::uniform_01<double>()(rng));
  return out;
}

std::vector<std::vector<double>> run_all(int threads, std::vector<std::uint64_t> order) {
  Runner::Options o;
  o.seed = 99;
  o.order = std::move(order);
  o.threads = threads;
  std::vector<std::vector<double>> by_index(o.order.size());
  Runner(o).run<std::vector<double>>(draws, [&](std::uint64_t index, std::vector<double>&& r) {
    by_index[index] = std::move(r);
  });
  return by_index;
}
}  // namespace

TEST_CASE("Runner: results arrive in the requested order at any thread count", "[engine][reproducibility]") {
  for (int threads : {1, 2, 3, 4}) {
    Runner::Options o;
    o.seed = 1;
    o.order = Runner::first(64);
    o.threads = threads;
    std::vector<std::uint64_t> seen;
    Runner(o).run<std::uint64_t>([](const ReplicationContext& rep) { return rep.index; },
                                 [&](std::uint64_t index, std::uint64_t&& value) {
                                   CHECK(index == value);
                                   seen.push_back(index);
                                 });
    CHECK(seen == Runner::first(64));
  }
}

TEST_CASE("Runner: a replication's numbers do not depend on threads or order", "[engine][reproducibility]") {
  const auto reference = run_all(1, Runner::first(40));
  std::vector<std::uint64_t> shuffled = Runner::first(40);
  std::reverse(shuffled.begin(), shuffled.end());
  std::rotate(shuffled.begin(), shuffled.begin() + 7, shuffled.end());
  CHECK(run_all(2, Runner::first(40)) == reference);
  CHECK(run_all(4, Runner::first(40)) == reference);
  CHECK(run_all(3, shuffled) == reference);
  CHECK(reference[0] != reference[1]);
}

TEST_CASE("Runner: no more replications are alive than max_in_flight", "[engine]") {
  Runner::Options o;
  o.seed = 1;
  o.order = Runner::first(200);
  o.threads = 2;
  o.max_in_flight = 3;
  std::atomic<int> alive{0};
  std::atomic<int> peak{0};
  Runner(o).run<int>(
      [&](const ReplicationContext&) {
        const int now = ++alive;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        return 0;
      },
      [&](int&&) { --alive; });
  CHECK(peak.load() <= 3);
  CHECK(alive.load() == 0);
}

TEST_CASE("Runner: a failing replication names its replication and seed", "[engine]") {
  Runner::Options o;
  o.seed = 20240601;
  o.order = Runner::first(10);
  o.threads = 2;
  auto fail_at_7 = [](const ReplicationContext& rep) -> int {
    if (rep.index == 7) throw mhsim::engine::SimulationError("length of stay is -3", "person 1", 4.5);
    return 0;
  };
  CHECK_THROWS_WITH(Runner(o).run<int>(fail_at_7, [](int&&) {}),
                    Catch::Contains("(replication 7, seed 20240601)"));
  auto other_failure = [](const ReplicationContext& rep) -> int {
    if (rep.index == 3) throw std::invalid_argument("bad thing");
    return 0;
  };
  CHECK_THROWS_WITH(Runner(o).run<int>(other_failure, [](int&&) {}),
                    Catch::Equals("bad thing (replication 3, seed 20240601)"));
}

TEST_CASE("Runner: cancellation stops new replications and consumes those started", "[engine]") {
  Runner::Options o;
  o.seed = 1;
  o.order = Runner::first(1000);
  o.threads = 2;
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  std::uint64_t consumed = 0;
  Runner(o).run<int>([](const ReplicationContext&) { return 0; },
                     [&](int&&) {
                       if (++consumed == 10) cancel = true;
                     });
  CHECK(consumed >= 10);
  CHECK(consumed < 1000);
}

TEST_CASE("Runner: threads below 1 are refused", "[engine]") {
  Runner::Options o;
  o.threads = 0;
  CHECK_THROWS_WITH(Runner(o), Catch::Contains("threads is 0, but must be >= 1"));
}

TEST_CASE("WorkPlan: chunks and shards cover every replication once", "[engine]") {
  using mhsim::engine::WorkPlan;
  CHECK(WorkPlan::default_chunk_size(1) == 1);
  CHECK(WorkPlan::default_chunk_size(50) == 1);
  CHECK(WorkPlan::default_chunk_size(51) == 2);
  CHECK(WorkPlan::default_chunk_size(400) == 8);
  CHECK(WorkPlan::default_chunk_size(10'000'000) == 1000);
  for (std::uint64_t reps : {1u, 7u, 10u, 97u, 400u}) {
    for (std::uint64_t chunk : {0u, 1u, 3u}) {
      const WorkPlan plan(reps, chunk);
      for (std::uint64_t shards : {1u, 2u, 3u, 5u}) {
        std::uint64_t next = 0;
        for (std::uint64_t i = 0; i < shards; ++i) {
          const auto b = plan.shard_block(i, shards);
          if (b.count == 0) continue;
          CHECK(b.first == next);  // contiguous, no gaps or overlaps
          next = b.end();
        }
        CHECK(next == reps);
      }
      std::uint64_t covered = 0;
      for (std::uint64_t k = 0; k < plan.chunks(); ++k) {
        CHECK(plan.chunk(k).first == covered);
        CHECK(plan.chunk_of(plan.chunk(k).first) == k);
        covered += plan.chunk(k).count;
      }
      CHECK(covered == reps);
    }
  }
  CHECK_THROWS(WorkPlan(10).shard_chunks(3, 3));
}

TEST_CASE("Runner: cancellation stops a replication part-way through its events, it is not consumed", "[engine]") {
  // Replication 3 sets the flag (as a signal handler would) at day 5 of a 1,000-day run of
  // one event every 0.01 days, so it stops within Simulation::kCheckEvery events of day 5.
  Runner::Options o;
  o.seed = 1;
  o.order = Runner::first(10);
  o.threads = 1;
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  std::vector<std::uint64_t> consumed;
  mhsim::engine::Days stopped_at = -1;
  Runner(o).run<int>(
      [&](const ReplicationContext& rep) {
        mhsim::engine::Simulation sim;
        std::function<void()> tick = [&] {
          if (rep.index == 3 && sim.now() >= 5.0) cancel = true;
          stopped_at = sim.now();
          sim.schedule_in(0.01, 0, tick);
        };
        sim.schedule_in(0.0, 0, tick);
        sim.run_until(1000.0);
        return 0;
      },
      [&](std::uint64_t index, int&&) { consumed.push_back(index); });
  CHECK(consumed == std::vector<std::uint64_t>{0, 1, 2});
  CHECK(stopped_at >= 5.0);
  CHECK(stopped_at <= 5.0 + 0.01 * static_cast<double>(mhsim::engine::Simulation::kCheckEvery));
}
