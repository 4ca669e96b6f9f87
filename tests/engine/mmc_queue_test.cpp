// SPDX-License-Identifier: MIT
// Queues built from engine/ headers alone (plus the closed forms in analysis/): the kernel
// needs no domain words. Method for every statistical check: R independent replications,
// each with a warm-up; each replication's mean is one observation; the grand mean is
// compared with theory within 3 standard errors of the across-replication mean (a false
// alarm has probability 0.27% per check for a correct engine; seeds are fixed, so the
// outcome is deterministic). Replications are independent, so their autocorrelation
// inside a run does not bias the standard error.
#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "analysis/queueing_theory.hpp"
#include "engine/distribution.hpp"
#include "engine/random.hpp"
#include "engine/resource.hpp"
#include "engine/simulation.hpp"
#include "engine/stats.hpp"

namespace dist = mhsim::engine::dist;
namespace theory = mhsim::analysis::theory;
using mhsim::engine::Distribution;
using mhsim::engine::Resource;

namespace {

struct Class {
  double lambda;
  mhsim::engine::Priority priority;
};

struct QueueSpec {
  std::vector<Class> classes;
  Distribution service;
  std::int64_t servers;
  mhsim::engine::Discipline discipline = mhsim::engine::Discipline::kFifo;
  std::optional<std::uint64_t> queue_limit;
  double horizon;
  double warmup;
};

struct QueueResult {
  std::vector<double> class_wait;  // mean wait per class, after warm-up
  double mean_wait;
  double mean_queue;               // time-average number waiting
  double arrival_rate;             // requests per day in the window
  double blocked;                  // refused / requests
};

// One G/G/c queue with Poisson classes, driven by the kernel only.
class Queue {
 public:
  Queue(const QueueSpec& spec, std::uint64_t seed, std::uint64_t rep)
      : spec_(spec),
        streams_(seed, rep),
        service_rng_(streams_.stream("service")),
        resource_(sim_, "queue", spec.servers, spec.discipline, spec.queue_limit,
                  [this](Resource::Token token, double waited) { granted(token, waited); }),
        waits_(spec.classes.size()) {
    for (std::size_t k = 0; k < spec.classes.size(); ++k) {
      arrival_rngs_.push_back(streams_.stream("arrivals/" + std::to_string(k)));
    }
  }

  QueueResult run() {
    for (std::size_t k = 0; k < spec_.classes.size(); ++k) next_arrival(k);
    sim_.schedule_at(spec_.warmup, mhsim::engine::kObserverPriority, [this] {
      resource_.reset_statistics();
      for (auto& w : waits_) w.reset();
    });
    sim_.run_until(spec_.horizon);
    QueueResult r;
    for (const auto& w : waits_) r.class_wait.push_back(w.mean());
    r.mean_wait = resource_.waits().mean();
    r.mean_queue = resource_.mean_queue_length();
    r.arrival_rate = static_cast<double>(resource_.requests()) / (spec_.horizon - spec_.warmup);
    r.blocked = static_cast<double>(resource_.refused()) / static_cast<double>(resource_.requests());
    return r;
  }

 private:
  void next_arrival(std::size_t k) {
    const double gap = Distribution(dist::Exponential{1.0 / spec_.classes[k].lambda}).sample(arrival_rngs_[k]);
    sim_.schedule_in(gap, mhsim::engine::kDefaultPriority, [this, k] {
      if (resource_.request(k, spec_.classes[k].priority) == Resource::Outcome::kGranted) granted(k, 0.0);
      next_arrival(k);
    });
  }
  void granted(Resource::Token k, double waited) {
    waits_[k].add(waited);
    sim_.schedule_in(spec_.service.sample(service_rng_), mhsim::engine::kReleasePriority, [this] { resource_.release(); });
  }

  const QueueSpec& spec_;
  mhsim::engine::RandomStreams streams_;
  mhsim::engine::Rng service_rng_;
  std::vector<mhsim::engine::Rng> arrival_rngs_;
  mhsim::engine::Simulation sim_;
  Resource resource_;
  std::vector<mhsim::engine::Tally> waits_;
};

// Across-replication tallies of the per-replication results.
struct Replicated {
  mhsim::engine::Tally wait, queue, rate, blocked;
  std::vector<mhsim::engine::Tally> class_wait;
};

Replicated replicate(const QueueSpec& spec, std::uint64_t seed, int replications) {
  Replicated out;
  out.class_wait.resize(spec.classes.size());
  for (int r = 0; r < replications; ++r) {
    const QueueResult q = Queue(spec, seed, static_cast<std::uint64_t>(r)).run();
    out.wait.add(q.mean_wait);
    out.queue.add(q.mean_queue);
    out.rate.add(q.arrival_rate);
    out.blocked.add(q.blocked);
    for (std::size_t k = 0; k < q.class_wait.size(); ++k) out.class_wait[k].add(q.class_wait[k]);
  }
  return out;
}

bool within(const mhsim::engine::Tally& t, double expected, double z = 3.0) {
  return std::fabs(t.mean() - expected) <= z * t.standard_error();
}

}  // namespace

TEST_CASE("M/M/1: mean wait matches rho / (mu - lambda)", "[engine][statistical]") {
  // lambda 0.8, mu 1: Wq = 0.8 / 0.2 = 4 days.
  const QueueSpec spec{{{0.8, 0}}, dist::Exponential{1.0}, 1, {}, {}, 20000.0, 2000.0};
  const Replicated r = replicate(spec, 101, 30);
  INFO("simulated " << r.wait.mean() << " +- " << r.wait.standard_error() << ", theory 4");
  CHECK(within(r.wait, 4.0));
  CHECK(theory::mmc(0.8, 1.0, 1).mean_wait == Approx(4.0));
}

TEST_CASE("M/M/c: mean wait matches Erlang C, and a wrong model is rejected", "[engine][statistical]") {
  // c 3, lambda 2.4, mu 1 (rho 0.8): Erlang C = 0.64719, Wq = 0.64719 / (3 - 2.4) = 1.0787.
  const QueueSpec spec{{{2.4, 0}}, dist::Exponential{1.0}, 3, {}, {}, 10000.0, 1000.0};
  const Replicated r = replicate(spec, 102, 30);
  const double wq = theory::mmc(2.4, 1.0, 3).mean_wait;
  INFO("simulated " << r.wait.mean() << " +- " << r.wait.standard_error() << ", theory " << wq);
  CHECK(wq == Approx(1.0787).epsilon(1e-3));
  CHECK(within(r.wait, wq));
  // Power: the same data must reject a 10% error in the service rate (Wq 0.585 for mu 1.1),
  // so the tolerance above is tight enough to catch a real modelling error.
  CHECK_FALSE(within(r.wait, theory::mmc(2.4, 1.1, 3).mean_wait));
  // Little's law for the waiting line: Lq = lambda Wq. Finite-window edge effects are
  // O(1 / window), far below the Monte Carlo error, so compare within 3 SE of Lq.
  CHECK(std::fabs(r.queue.mean() - r.rate.mean() * r.wait.mean()) <= 3.0 * r.queue.standard_error());
  CHECK(within(r.queue, theory::mmc(2.4, 1.0, 3).mean_queue));
}

TEST_CASE("M/M/c/c: the refused fraction matches Erlang B", "[engine][statistical]") {
  // c 5, a = lambda / mu = 0.3 x 10 = 3 erlangs: B(5, 3) = 0.110054.
  const QueueSpec spec{{{0.3, 0}}, dist::Exponential{10.0}, 5, {}, std::uint64_t{0}, 10000.0, 500.0};
  const Replicated r = replicate(spec, 103, 30);
  INFO("simulated " << r.blocked.mean() << " +- " << r.blocked.standard_error());
  CHECK(within(r.blocked, theory::erlang_b(5, 3.0)));
  CHECK(r.wait.mean() == 0.0);  // nobody waits in a loss system
}

TEST_CASE("M/D/1: mean wait matches Pollaczek-Khinchine", "[engine][statistical]") {
  // lambda 0.8, deterministic service 1: Wq = lambda E[S^2] / (2 (1 - rho)) = 0.8 / 0.4 = 2.
  const QueueSpec spec{{{0.8, 0}}, dist::Deterministic{1.0}, 1, {}, {}, 20000.0, 2000.0};
  const Replicated r = replicate(spec, 104, 30);
  CHECK(theory::mg1_mean_wait(0.8, 1.0, 0.0) == Approx(2.0));
  CHECK(within(r.wait, 2.0));
}

TEST_CASE("M/G/1 with gamma service: mean wait matches Pollaczek-Khinchine", "[engine][statistical]") {
  // lambda 0.5, gamma(shape 0.5, scale 2): E[S] = 1, Var 2, E[S^2] = 3; Wq = 0.5 x 3 / (2 x 0.5) = 1.5.
  const QueueSpec spec{{{0.5, 0}}, dist::Gamma{0.5, 2.0}, 1, {}, {}, 20000.0, 2000.0};
  const Replicated r = replicate(spec, 105, 30);
  CHECK(theory::mg1_mean_wait(0.5, 1.0, 2.0) == Approx(1.5));
  CHECK(within(r.wait, 1.5));
}

TEST_CASE("Priority M/M/1: class waits match Cobham's formula", "[engine][statistical]") {
  // Non-preemptive, classes 0 (lambda 0.3) and 1 (lambda 0.4), exponential service mean 1:
  // W0 = sum lambda_k E[S^2] / 2 = 0.7 x 2 / 2 = 0.7; class 0 waits 0.7 / 0.7 = 1,
  // class 1 waits 0.7 / (0.7 x 0.3) = 3.333.
  const QueueSpec spec{{{0.3, 0}, {0.4, 1}}, dist::Exponential{1.0}, 1, mhsim::engine::Discipline::kPriority, {},
                       20000.0, 2000.0};
  const Replicated r = replicate(spec, 106, 30);
  const auto w = theory::priority_mg1_waits({0.3, 0.4}, {1.0, 1.0}, {2.0, 2.0});
  CHECK(w[0] == Approx(1.0));
  CHECK(w[1] == Approx(10.0 / 3.0));
  INFO("class 0 " << r.class_wait[0].mean() << ", class 1 " << r.class_wait[1].mean());
  CHECK(within(r.class_wait[0], w[0]));
  CHECK(within(r.class_wait[1], w[1]));
  // Under FIFO both classes would wait the M/M/1 value, 0.7 / 0.3 = 2.333: rejected for both.
  CHECK_FALSE(within(r.class_wait[0], 0.7 / 0.3));
  CHECK_FALSE(within(r.class_wait[1], 0.7 / 0.3));
}
