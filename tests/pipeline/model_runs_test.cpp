// SPDX-License-Identifier: MIT
// A pathway run with uncertain parameters: each replication records the values it drew
// (psa/*), which are draw_parameters' for (seed, replication); every arm of a replication
// ran with them; the datasets are byte-identical at 1 and 2 threads, in any replication
// order and chunking; a run without uncertainty writes no psa datasets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "analysis/pathway_results.hpp"
#include "analysis/results_analysis.hpp"
#include "analysis/results_file.hpp"
#include "cli/datasets.hpp"
#include "cli/process.hpp"
#include "engine/runner.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/psa_fixtures.hpp"
#include "models/scenario/variants.hpp"
#include "pipeline/model_runs.hpp"

namespace fs = std::filesystem;
namespace pw = mhsim::models::pathway;
namespace sc = mhsim::scenario;

namespace {

using Datasets = std::map<std::string, std::vector<unsigned char>>;

Datasets datasets_of(const std::string& file) {
  const mhsim::analysis::ResultsReader r(file);
  Datasets out;
  for (const std::string& name : r.datasets()) out[name] = r.raw(name);
  return out;
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_psa_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

std::string run(const sc::PathwayScenario& s, int threads, const std::string& name, std::uint64_t chunk = 0,
                std::vector<std::uint64_t> order = {}) {
  mhsim::pipeline::RunConfig config;
  config.out = scratch(name).string();
  config.threads = threads;
  config.chunk_size = chunk;
  config.order = std::move(order);
  REQUIRE(mhsim::pipeline::run_pathway(s, config).completed);
  return config.out;
}

}  // namespace

TEST_CASE("PSA run: each replication records its draws, and every arm ran with them", "[scenario][reproducibility]") {
  sc::PathwayScenario s = sc::parse_pathway_scenario(mhsim::test::minimal_with_uncertainty(), "psa.toml");
  s.run.replications = 6;
  s.run.seed = 314;  // as --seed would: the run's seed, not the file's, drives the draws
  const std::string one = run(s, 1, "psa1.h5");

  const mhsim::analysis::ResultsReader file(one);
  CHECK(file.labels("psa/name") == std::vector<std::string>{"diversion", "step_down", "stock", "change", "gp_cost"});
  CHECK(file.labels("psa/key") ==
        std::vector<std::string>{"arms.alliance.front_door_diversion", "arms.alliance.step_down_speed",
                                 "initial[0].in_service", "services.therapy.wemwbs_change.mean",
                                 "services.gp.cost_per_contact"});
  CHECK(file.labels("psa/distribution") ==
        std::vector<std::string>{"beta", "triangular", "uniform", "normal", "gamma"});
  CHECK(file.read_double("psa/base") == std::vector<double>{0.3, 1.5, 15, 2, 39});  // float64 since issue 20
  CHECK(file.shape("psa/values") == std::vector<std::uint64_t>{6, 5});
  const mhsim::analysis::PsaParameters labels = mhsim::analysis::read_psa_parameters(file);
  CHECK(labels.base == std::vector<double>{0.3, 1.5, 15, 2, 39});

  const std::vector<pw::PathwayResult> results = mhsim::analysis::read_pathway_results(file);
  REQUIRE(results.size() == 6);
  const std::size_t gp = 0;
  for (std::uint64_t r = 0; r < 6; ++r) {
    INFO("replication " << r);
    const std::vector<double> drawn = sc::draw_parameters(s.uncertainty, 314, r);
    CHECK(results[r].psa_values == drawn);
    // Both arms priced GP contacts at the drawn cost: the same values in every arm.
    for (const pw::ArmResult& arm : results[r].arms) {
      double contacts = 0, cost = 0;
      for (std::size_t y = 0; y < arm.years; ++y) {
        contacts += arm.act(y, gp, pw::Measure::kContacts);
        cost += arm.cst(y, gp, pw::Measure::kContacts);
      }
      REQUIRE(contacts > 0);
      CHECK(cost / contacts == Approx(drawn[4]).epsilon(1e-12));
    }
    // The same people arrive in both arms (the values do not change arrivals).
    CHECK(results[r].arms[0].sys(0, pw::SystemKpi::kArrivals) == results[r].arms[1].sys(0, pw::SystemKpi::kArrivals));
  }
  CHECK(results[0].psa_values != results[1].psa_values);

  // Threads, replication order and chunking do not change a byte.
  const Datasets reference = datasets_of(one);
  CHECK(datasets_of(run(s, 2, "psa2.h5")) == reference);
  CHECK(datasets_of(run(s, 2, "psa_chunks.h5", 4)) == reference);
  CHECK(datasets_of(run(s, 2, "psa_order.h5", 0, {5, 3, 1, 0, 2, 4})) == reference);
}

TEST_CASE("PSA run: a scenario without uncertainty writes no psa datasets", "[scenario]") {
  sc::PathwayScenario s = sc::parse_pathway_scenario(mhsim::test::minimal_text(), "m.toml");
  s.run.replications = 2;
  const mhsim::analysis::ResultsReader file(run(s, 2, "plain.h5"));
  for (const std::string& d : file.datasets()) CHECK(d.rfind("psa/", 0) == std::string::npos);
  CHECK(mhsim::analysis::read_psa_parameters(file).empty());
  for (const pw::PathwayResult& r : mhsim::analysis::read_pathway_results(file)) CHECK(r.psa_values.empty());
}

// ---------------------------------------------------------------------------------------
// Same (scenario, seed) -> byte-identical datasets, whatever the thread count, the order in
// which replications run, or the process that ran them.
namespace {
using mhsim::test::Datasets;
Datasets datasets_of(const fs::path& file) { return mhsim::test::datasets_of(file.string()); }

fs::path run(const mhsim::scenario::NetworkScenario& sc, int threads, std::vector<std::uint64_t> order,
             const std::string& name) {
  mhsim::pipeline::RunConfig config;
  config.out = scratch(name).string();
  config.threads = threads;
  config.order = std::move(order);
  REQUIRE(mhsim::pipeline::run_network(sc, config).completed);
  return config.out;
}
}  // namespace

TEST_CASE("Reproducibility: 1, 2 and 4 threads and shuffled order give byte-identical datasets",
          "[reproducibility]") {
  auto sc = mhsim::scenario::load_network_scenario(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/small_network.toml");
  sc.run.replications = 12;
  const Datasets one = datasets_of(run(sc, 1, {}, "t1.h5"));
  REQUIRE(one.size() >= 15);
  CHECK(datasets_of(run(sc, 2, {}, "t2.h5")) == one);
  CHECK(datasets_of(run(sc, 4, {}, "t4.h5")) == one);
  std::vector<std::uint64_t> shuffled = mhsim::engine::Runner::first(12);
  std::reverse(shuffled.begin(), shuffled.end());
  std::swap(shuffled[2], shuffled[9]);
  CHECK(datasets_of(run(sc, 2, shuffled, "shuffled.h5")) == one);

  sc.run.seed += 1;
  const Datasets other_seed = datasets_of(run(sc, 2, {}, "seed.h5"));
  CHECK(other_seed.at("stations/mean_wait") != one.at("stations/mean_wait"));
  CHECK(other_seed.at("stations/name") == one.at("stations/name"));
}

TEST_CASE("Reproducibility: two runs of the binary agree byte for byte", "[reproducibility][cli]") {
  const std::string scenario = std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/jackson.toml";
  const fs::path a = scratch("run_a.h5"), b = scratch("run_b.h5");
  for (const fs::path& p : {a, b}) {
    const auto r = mhsim::test::run_process(
        {MHSIM_BINARY, "run", scenario, "--reps", "6", "--threads", p == a ? "1" : "2", "--out", p.string(), "-q"});
    REQUIRE(r.exit_code == 0);
  }
  CHECK(datasets_of(a) == datasets_of(b));
}

TEST_CASE("Reproducibility: chunk size does not change the datasets", "[reproducibility]") {
  auto sc = mhsim::scenario::load_network_scenario(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/mm1.toml");
  sc.run.replications = 7;
  sc.network.horizon = 2000;
  sc.network.warmup = 200;
  std::vector<Datasets> results;
  for (std::uint64_t chunk : {1u, 3u, 7u}) {
    mhsim::pipeline::RunConfig config;
    config.out = scratch("chunk" + std::to_string(chunk) + ".h5").string();
    config.threads = 2;
    config.chunk_size = chunk;
    REQUIRE(mhsim::pipeline::run_network(sc, config).completed);
    CHECK_FALSE(fs::exists(config.out + ".partial"));  // checkpoints are removed once merged
    results.push_back(datasets_of(config.out));
  }
  CHECK(results[1] == results[0]);
  CHECK(results[2] == results[0]);
}

#ifdef MHSIM_WITH_MPI
TEST_CASE("Reproducibility: mpirun -np 2 gives the single-process datasets byte for byte", "[reproducibility][cli][mpi]") {
  const std::string scenario = std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/small_network.toml";
  const fs::path single = scratch("mpi_single.h5"), ranks = scratch("mpi_ranks.h5"), resumed = scratch("mpi_resumed.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", scenario, "--reps", "30", "--out", single.string(), "-q"})
              .exit_code == 0);
  const std::vector<std::string> mpirun = {"/usr/bin/mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2"};
  auto with_mpi = [&](std::vector<std::string> args) {
    args.insert(args.begin(), mpirun.begin(), mpirun.end());
    return args;
  };
  const auto r = mhsim::test::run_process(
      with_mpi({MHSIM_BINARY, "run", scenario, "--reps", "30", "--threads", "1", "--out", ranks.string(), "-q"}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("x 2 MPI ranks"));
  CHECK(datasets_of(ranks) == datasets_of(single));
  CHECK(mhsim::analysis::ResultsReader(ranks.string()).uint_attribute("processes") == 2);

  // A partial run left by one process resumes under MPI (rank 0 shares what is done).
  const auto killed = mhsim::test::run_process(
      {MHSIM_BINARY, "run", scenario, "--reps", "30", "--threads", "1", "--out", resumed.string()},
      "progress: 9/30", SIGKILL);
  REQUIRE(killed.exit_code == 128 + SIGKILL);
  const auto again = mhsim::test::run_process(with_mpi(
      {MHSIM_BINARY, "run", scenario, "--reps", "30", "--threads", "1", "--out", resumed.string(), "-q", "--resume"}));
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("Resumed: "));
  CHECK(datasets_of(resumed) == datasets_of(single));
}
#endif

// ---------------------------------------------------------------------------------------
// An alliance paid on account: payouts/cash holds each partner's quarterly receipts and
// costs, which add up to its payments and costs over the agreement, with the on-account
// instalments recomputed from the stored yearly payouts.
TEST_CASE("Cash: a run with interim payments writes quarterly receipts and costs that add to the payouts",
          "[pipeline][cash]") {
  std::ifstream in(std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string t = text.str();
  // The scenario's own interim keys (if any) give way to these.
  for (const std::string key : {"\ninterim = ", "\nreconciliation_lag = "}) {
    const auto line = t.find(key);
    if (line != std::string::npos) t.erase(line + 1, t.find('\n', line + 1) - line);
  }
  const std::string anchor = "shortfall = \"commissioner\"";
  const auto at = t.find(anchor);
  REQUIRE(at != std::string::npos);
  t.insert(at, "interim = true\nreconciliation_lag = 2\n");
  sc::PathwayScenario s = sc::parse_pathway_scenario(t, "interim.toml");
  s.run.replications = 3;
  const mhsim::analysis::ResultsReader file(run(s, 2, "interim.h5"));
  const std::uint64_t R = 3, A = s.spec.arms.size(), Y = static_cast<std::uint64_t>(s.spec.years),
                      P = s.spec.partners.size(), Q = 4 * Y + 2;
  REQUIRE(file.shape("payouts/cash") == std::vector<std::uint64_t>{R, A, Q, P, 2});
  const std::vector<double> cash = file.read_double("payouts/cash");
  const std::vector<double> partner = file.read_double("payouts/partner");  // [R][A][Y][P][7]
  const std::vector<double> arm = file.read_double("payouts/arm");          // [R][A][Y][14]
  constexpr std::size_t F = 7, G = 14;
  std::size_t members_checked = 0;
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t p = 0; p < P; ++p) {
        double receipts = 0, costs = 0, paid = 0, spent = 0;
        for (std::size_t q = 0; q < Q; ++q) {
          receipts += cash[(((r * A + a) * Q + q) * P + p) * 2];
          costs += cash[(((r * A + a) * Q + q) * P + p) * 2 + 1];
        }
        for (std::size_t y = 0; y < Y; ++y) {
          paid += partner[(((r * A + a) * Y + y) * P + p) * F + 0];
          spent += partner[(((r * A + a) * Y + y) * P + p) * F + 1];
        }
        CHECK(receipts == Approx(paid).margin(1e-6));
        CHECK(costs == Approx(spent).margin(1e-6));
        // A member (Limb 2 > 0) of the alliance arm: the third quarter of year 1 (no balance
        // lands there) is a quarter of TOC x Limb1 / AOC + Limb2.
        const double* row = &partner[(((r * A + a) * Y + 0) * P + p) * F];
        const double* arm_row = &arm[((r * A + a) * Y + 0) * G];
        if (s.spec.arms[a].name != "living_well" || !(row[4] > 0)) continue;
        const double on_account = arm_row[1] * row[3] / arm_row[2] + row[4];
        CHECK(cash[(((r * A + a) * Q + 2) * P + p) * 2] == Approx(on_account / 4).epsilon(1e-12));
        ++members_checked;
      }
    }
  }
  CHECK(members_checked == 3 * R);  // slam, certitude and council in every replication
}

// ---------------------------------------------------------------------------------------
// Providers respond to incentives (issue 21, docs/incentives.md), through the whole run.
namespace {
sc::PathwayScenario default_scenario(std::uint64_t reps) {
  sc::PathwayScenario s = sc::load_pathway_scenario(std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml");
  s.run.replications = reps;
  s.incentives.pilot_replications = 4;
  return s;
}
double mean_refusals(const std::string& file, std::size_t arm) {
  double t = 0;
  const auto results = mhsim::analysis::read_pathway_results(mhsim::analysis::ResultsReader(file));
  for (const pw::PathwayResult& r : results) {
    for (std::size_t y = 0; y < r.arms[arm].years; ++y) t += r.arms[arm].sys(y, pw::SystemKpi::kGatekeptRefusals);
  }
  return t / static_cast<double>(results.size());
}
}  // namespace

TEST_CASE("Incentives: a response whose every factor is 1 leaves every dataset of the run byte-identical",
          "[incentives][reproducibility]") {
  // The police own no gatekept, long-term or front-door service: an elasticity of theirs turns
  // the response on (the pilot runs, incentives/response is written) and moves nothing.
  const sc::PathwayScenario off = default_scenario(3);
  sc::PathwayScenario on = off;
  constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
  on.incentives.partner.assign(on.spec.partners.size(), {kUnset, kUnset, kUnset});
  const auto police = std::find_if(on.spec.partners.begin(), on.spec.partners.end(),
                                   [](const pw::PartnerSpec& p) { return p.kind == "police"; });
  REQUIRE(police != on.spec.partners.end());
  on.incentives.partner[static_cast<std::size_t>(police - on.spec.partners.begin())] = {2.0, 2.0, 2.0};
  REQUIRE(on.incentives.on());
  const Datasets a = datasets_of(run(off, 2, "resp_off.h5")), b = datasets_of(run(on, 2, "resp_ones.h5"));
  REQUIRE(b.count("incentives/response") == 1);
  std::size_t compared = 0;
  for (const auto& [name, bytes] : a) {
    INFO(name);
    REQUIRE(b.count(name) == 1);
    CHECK(b.at(name) == bytes);
    ++compared;
  }
  CHECK(compared >= 20);
  const mhsim::analysis::ResultsReader file(scratch("resp_ones.h5").string());
  for (const double x : file.read_double("incentives/response")) CHECK(std::isfinite(x));
}

TEST_CASE("Incentives: the respond variant reproduces at 1 and 2 threads, and the block trust refuses more",
          "[incentives][reproducibility]") {
  const sc::PathwayScenario stated = default_scenario(3);
  const sc::PathwayScenario respond = sc::apply_variant(stated, "respond");
  REQUIRE(respond.incentives.on());
  const std::string one = run(respond, 1, "respond1.h5"), two = run(respond, 2, "respond2.h5");
  CHECK(datasets_of(one) == datasets_of(two));
  const std::string base = run(stated, 2, "stated.h5");
  // The block arm (arm 0) gatekeeps its community team; the trust bears every marginal pound
  // (stake 1), so P(refuse) rises by exp(0.5) = 1.65 on the same people.
  CHECK(mean_refusals(one, 0) > 1.3 * mean_refusals(base, 0));

  const mhsim::analysis::ResultsReader file(one);
  const sc::PathwayScenario stored = mhsim::analysis::stored_scenario(file, one);
  const mhsim::analysis::Analysis a = mhsim::analysis::analyse_pathway(file, one, stored, stored.analysis);
  const mhsim::analysis::BehaviourRow* block = nullptr;
  const mhsim::analysis::BehaviourRow* alliance = nullptr;
  for (const mhsim::analysis::BehaviourRow& r : a.behaviour) {
    if (r.decision != "gatekeeping" || r.service != "cmht") continue;
    (r.arm == "block" ? block : alliance) = &r;
  }
  REQUIRE(block != nullptr);
  REQUIRE(alliance != nullptr);
  CHECK(block->stake == Approx(1.0).epsilon(1e-9));
  CHECK(block->factor == Approx(std::exp(0.5)).epsilon(1e-9));
  CHECK(block->in_force == Approx(std::min(1.0, block->stated * block->factor)).epsilon(1e-12));
  // The alliance member carries part of the pool's gain and pain: a stake strictly between 0 and 1.
  CHECK(alliance->stake > 0.0);
  CHECK(alliance->stake < 1.0);
  // The split of the difference from the base arm (block) is exact.
  CHECK(alliance->explicit_part + alliance->response_part ==
        Approx(alliance->stated * alliance->factor - block->stated * block->factor).margin(1e-12));
}

TEST_CASE("Incentives: an elasticity the PSA draws scales each replication's response by its own draw",
          "[incentives][scenario]") {
  // The file states the gatekeeping elasticity as 0 (no response); [uncertainty] draws it, so
  // the pilot runs and each replication's block factor is exp(drawn elasticity x stake 1).
  std::ifstream in(std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml");
  std::stringstream text;
  text << in.rdbuf() << R"toml(
[uncertainty.gatekeeping_elasticity]
key = "incentives.gatekeeping"
distribution = "triangular"
low = 0.0
mode = 0.0
high = 1.0
source = "assumption (a test)"
)toml";
  sc::PathwayScenario s = sc::parse_pathway_scenario(text.str(), "default_with_elasticity.toml");
  s.run.replications = 3;
  s.incentives.pilot_replications = 3;
  REQUIRE_FALSE(s.incentives.on());
  const mhsim::analysis::ResultsReader file(run(s, 2, "psa_elasticity.h5"));
  const std::vector<std::string> names = file.labels("psa/name");
  const auto k = static_cast<std::size_t>(std::find(names.begin(), names.end(), "gatekeeping_elasticity") - names.begin());
  REQUIRE(k < names.size());
  const auto results = mhsim::analysis::read_pathway_results(file);
  const std::size_t S = s.spec.services.size(), Y = static_cast<std::size_t>(s.spec.years);
  std::size_t cmht = 0;
  while (s.spec.services[cmht].name != "cmht") ++cmht;
  std::vector<double> factors;
  for (const pw::PathwayResult& r : results) {
    REQUIRE(r.response.size() == s.spec.arms.size() * Y * 3 * S * 3);
    // arm 0 (block), year 1, gatekeeping, cmht: signal, stake, factor
    const double* row = &r.response[((0 * Y + 0) * 3 + 0) * S * 3 + cmht * 3];
    const double e = r.psa_values.at(k);
    CHECK(row[1] == Approx(1.0).epsilon(1e-9));
    CHECK(row[2] == Approx(std::exp(e * row[1])).epsilon(1e-12));
    factors.push_back(row[2]);
  }
  CHECK(factors[0] != factors[1]);  // the draws differ, so do the responses
}
