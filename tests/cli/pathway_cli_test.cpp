// SPDX-License-Identifier: MIT
// The pathway model through the real binary: the default scenario runs end to end and
// writes every arm's ledger, KPIs and checks; the file is the same at any thread count and
// after a killed run is resumed; validate reports a pathway scenario.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "analysis/pathway_results.hpp"
#include "analysis/results_file.hpp"
#include "cli/datasets.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;
namespace pw = mhsim::models::pathway;

namespace {
using mhsim::test::Datasets;
Datasets datasets_of(const fs::path& file) { return mhsim::test::datasets_of(file.string()); }

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_pathway_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

const std::string kDefault = std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml";
}  // namespace

TEST_CASE("Pathway CLI: the default scenario runs end to end and its results hold together", "[cli][pathway]") {
  const fs::path out = scratch("default.h5");
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "4", "--threads", "2", "--out",
                                           out.string(), "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ledger cost"));
  CHECK_THAT(r.out, Catch::Contains("Common random numbers"));

  const mhsim::analysis::ResultsReader file(out.string());
  CHECK(file.string_attribute("model") == "pathway");
  CHECK(file.uint_attribute("replications") == 4);
  CHECK(file.labels("arms/name") == std::vector<std::string>{"block", "living_well"});
  const std::vector<std::uint64_t> shape = file.shape("ledger/cost");
  REQUIRE(shape.size() == 5);
  CHECK(shape[0] == 4);
  CHECK(shape[1] == 2);
  CHECK(shape[2] == 3);
  const auto results = mhsim::analysis::read_pathway_results(file);
  REQUIRE(results.size() == 4);
  for (const pw::PathwayResult& rep : results) {
    for (const pw::ArmResult& arm : rep.arms) {
      // People and money are conserved in what was written, not only inside the model.
      CHECK(arm.arrived == arm.exited + arm.in_system);
      double by_service = 0, by_partner = 0, kpi_cost = 0;
      for (const double c : arm.cost) by_service += c;
      for (const double c : arm.partner_cost) by_partner += c;
      for (std::size_t y = 0; y < arm.years; ++y) kpi_cost += arm.sys(y, pw::SystemKpi::kCost);
      CHECK(by_partner == Approx(by_service).epsilon(1e-12));
      CHECK(kpi_cost == Approx(by_service).epsilon(1e-12));
      CHECK(by_service > 1e6);
    }
    // The same people arrive in both arms (common random numbers).
    for (std::size_t y = 0; y < 3; ++y) {
      CHECK(rep.arms[0].sys(y, pw::SystemKpi::kArrivals) == rep.arms[1].sys(y, pw::SystemKpi::kArrivals));
    }
  }

  // Every arm-year was settled, and money is conserved in what was written.
  const std::vector<std::uint64_t> ps = file.shape("payouts/partner");
  REQUIRE(ps.size() == 5);
  const std::size_t A = 2, Y = 3, P = static_cast<std::size_t>(ps[3]), F = 7, G = 14;
  const std::vector<double> partner = file.read_double("payouts/partner");
  const std::vector<double> arm = file.read_double("payouts/arm");
  for (std::size_t rep = 0; rep < 4; ++rep) {
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t y = 0; y < Y; ++y) {
        double payments = 0;
        for (std::size_t p = 0; p < P; ++p) payments += partner[(((rep * A + a) * Y + y) * P + p) * F + 0];
        const double* g = &arm[((rep * A + a) * Y + y) * G];
        CHECK(g[0] == payments);                                             // commissioner spend = sum of payments
        CHECK(g[5] + g[6] == Approx(g[4]).margin(1e-6 * std::max(1.0, std::fabs(g[4]))));  // share + residual = underrun
        CHECK(payments > 1e6);
      }
    }
  }

  // One thread gives the same bytes.
  const fs::path one = scratch("default_1.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "4", "--threads", "1", "--out",
                                    one.string(), "-q"})
              .exit_code == 0);
  CHECK(datasets_of(one) == datasets_of(out));
}

TEST_CASE("Pathway CLI: a killed run resumes to the datasets of an uninterrupted one", "[cli][pathway][reproducibility]") {
  const fs::path whole = scratch("whole.h5"), resumed = scratch("resumed.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "24", "--threads", "1", "--out",
                                    whole.string(), "-q"})
              .exit_code == 0);
  const auto killed = mhsim::test::run_process(
      {MHSIM_BINARY, "run", kDefault, "--reps", "24", "--threads", "1", "--out", resumed.string()}, "progress: 5/24",
      SIGKILL);
  REQUIRE(killed.exit_code == 128 + SIGKILL);
  CHECK_FALSE(fs::exists(resumed));
  const auto again = mhsim::test::run_process(
      {MHSIM_BINARY, "run", kDefault, "--reps", "24", "--threads", "1", "--out", resumed.string(), "-q", "--resume"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(datasets_of(resumed) == datasets_of(whole));
}

TEST_CASE("Pathway CLI: validate describes a pathway scenario", "[cli][pathway]") {
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "validate", kDefault});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("valid pathway scenario"));
  CHECK_THAT(r.out, Catch::Contains("arm living_well"));
}

TEST_CASE("Pathway CLI: a sweep re-settles stored ledgers and agrees with the run's own settlement", "[cli][pathway]") {
  const fs::path out = scratch("sweep_run.h5"), csv = scratch("sweep.csv");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "6", "--threads", "2", "--out",
                                    out.string(), "-q"})
              .exit_code == 0);
  const std::string alliance = "arms.living_well.contracts.living_well_alliance";
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                           alliance + ".share=0.3:0.7:0.1", "--set", alliance + ".pain_cap=0.1:1:0.1",
                                           "--out", csv.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("50 combinations"));
  CHECK_THAT(r.err, Catch::Contains("sweep / simulation"));

  // The combination share 0.5, pain cap 1 is the scenario's own terms: its mean gain/pain per
  // partner must equal the mean of payouts/partner gain_pain written by the run.
  const mhsim::analysis::ResultsReader file(out.string());
  const std::vector<std::uint64_t> ps = file.shape("payouts/partner");
  const std::size_t R = 6, A = 2, Y = 3, P = static_cast<std::size_t>(ps[3]), F = 7;
  const std::vector<double> partner = file.read_double("payouts/partner");
  const std::vector<std::string> partners = file.labels("partners/name");
  std::istringstream lines(mhsim::test::slurp_file(csv.string()));
  std::string line;
  std::getline(lines, line);  // header
  int matched = 0, rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    REQUIRE(f.size() == 12);
    if (std::stod(f[1]) != 0.5 || std::stod(f[2]) != 1.0 || f[3] != "living_well") continue;
    const std::size_t p = static_cast<std::size_t>(std::find(partners.begin(), partners.end(), f[4]) - partners.begin());
    REQUIRE(p < P);
    double mean = 0;
    for (std::size_t rep = 0; rep < R; ++rep) {
      for (std::size_t y = 0; y < Y; ++y) mean += partner[(((rep * A + 1) * Y + y) * P + p) * F + 5];
    }
    mean /= static_cast<double>(R * Y);
    CHECK(std::stod(f[7]) == Approx(mean).epsilon(1e-8).margin(1e-6));
    ++matched;
  }
  CHECK(matched >= 3);  // the alliance's three members (and the non-alliance contracts)
  CHECK(rows >= 50);

  // A term that cannot be set is refused with every problem and exit 2.
  const auto bad = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                             alliance + ".shar=0.1", "--set", "arms.nowhere.contracts.x.share=1:0:1"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--set " + alliance + ".shar"));
  CHECK_THAT(bad.err, Catch::Contains("from:to:step"));
}

TEST_CASE("Pathway CLI: shards are settled when merged, as a single run is", "[cli][pathway][reproducibility]") {
  const fs::path whole = scratch("shard_whole.h5"), s0 = scratch("shard0.h5"), s1 = scratch("shard1.h5"),
                 merged = scratch("shard_merged.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "6", "--out", whole.string(), "-q"})
              .exit_code == 0);
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "6", "--shard", "0/2", "--out",
                                    s0.string(), "-q"})
              .exit_code == 0);
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "6", "--shard", "1/2", "--out",
                                    s1.string(), "-q"})
              .exit_code == 0);
  CHECK(datasets_of(s0).count("payouts/partner") == 0);  // a shard alone cannot set an arm-based target
  const auto m = mhsim::test::run_process({MHSIM_BINARY, "merge", s1.string(), s0.string(), "--out", merged.string()});
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
  const Datasets a = datasets_of(whole), b = datasets_of(merged);
  CHECK(a.at("payouts/partner") == b.at("payouts/partner"));
  CHECK(a.at("payouts/arm") == b.at("payouts/arm"));
  CHECK(a.at("ledger/cost") == b.at("ledger/cost"));
}
