// SPDX-License-Identifier: MIT
// The pathway model through the real binary: the default scenario runs end to end and
// writes every arm's ledger, KPIs and checks; the file is the same at any thread count and
// after a killed run is resumed; validate reports a pathway scenario.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>

#include "analysis/pathway_results.hpp"
#include "analysis/results_file.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;
namespace pw = mhsim::models::pathway;

namespace {
using Datasets = std::map<std::string, std::vector<unsigned char>>;

Datasets datasets_of(const fs::path& file) {
  mhsim::analysis::ResultsReader r(file.string());
  Datasets out;
  for (const std::string& name : r.datasets()) out[name] = r.raw(name);
  return out;
}

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
