// SPDX-License-Identifier: MIT
// [derived] numbers end to end: `mhsim run` prints and records them and the report carries
// them; a variant that changes demand changes the run but not the amounts (the pass runs
// without it, as agreed terms do not move with a what-if); `mhsim stress` settles every case
// against the same amounts; a value the scenario refuses stops the run with exit 2 and
// nothing written.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "analysis/results_file.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;
using mhsim::test::run_process;

namespace {

const std::string kBin = MHSIM_BINARY;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_derived_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::remove_all(dir / name);
  return dir / name;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The minimal example with a demand variant and two rules; `scale` multiplies the KRA level's.
fs::path scenario(const std::string& name, const std::string& kra_scale = "1") {
  const fs::path p = scratch(name);
  std::ofstream f(p);
  f << read(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/pathway_minimal.toml")
    << "\n[variants.surge]\n\"groups.severe.rate_per_1000_per_year\" = 4  # test: twice the severe demand\n"
    << "\n[derived.\"arms.block.contracts[0].annual\"]\nof = \"contract_cost\"\nstatistic = \"median\"\n"
    << "\n[derived.\"arms.alliance.contracts[1].kras[1].thresholds[2]\"]\nof = \"kpi\"\nkpi = \"mean_wait\"\n"
    << "service = \"cmht\"\narm = \"block\"\nscale = " << kra_scale << "\n";
  return p;
}

/// The line of `out` that starts (after spaces) with `key = `.
std::string line_of(const std::string& out, const std::string& key) {
  const std::size_t at = out.find("  " + key + " = ");
  if (at == std::string::npos) return "";
  return out.substr(at, out.find('\n', at) - at);
}

}  // namespace

TEST_CASE("mhsim run: [derived] numbers are printed, recorded and reported, and a variant does not move them",
          "[cli][derived]") {
  const fs::path toml = scenario("derived.toml"), h5 = scratch("derived.h5"), surge = scratch("surge.h5"),
                 json = scratch("derived.json");
  const auto run = run_process({kBin, "run", toml.string(), "--reps", "3", "--threads", "2", "--set",
                                "run.baseline_replications=5", "--out", h5.string()});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("resolving 2 [derived] numbers by a baseline pass of 5 replications") != std::string::npos);
  const std::string annual = line_of(run.out, "arms.block.contracts[0].annual");
  CHECK(annual.find("the median over 5 baseline replications of the cost in arm \"block\"") != std::string::npos);
  const mhsim::analysis::ResultsReader file(h5.string());
  CHECK(file.string_attribute("derived").find(annual.substr(2)) != std::string::npos);
  CHECK(file.string_attribute("settings").find("run.baseline_replications=5\narms.block.contracts[0].annual=") == 0);

  const auto report = run_process({kBin, "report", h5.string(), "--json", json.string(), "-q"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  CHECK(read(json).find("\"derived\": [\"arms.block.contracts[0].annual = ") != std::string::npos);

  // Twice the severe demand: another run, the same amounts.
  const auto with_surge = run_process({kBin, "run", toml.string(), "--reps", "3", "--threads", "1", "--set",
                                       "run.baseline_replications=5", "--variant", "surge", "--out", surge.string()});
  INFO(with_surge.err);
  REQUIRE(with_surge.exit_code == 0);
  CHECK(line_of(with_surge.out, "arms.block.contracts[0].annual") == annual);
  const mhsim::analysis::ResultsReader surged(surge.string());
  CHECK(surged.raw("ledger/cost") != file.raw("ledger/cost"));
}

TEST_CASE("mhsim stress: every case settles against the [derived] amounts of the base case", "[cli][derived]") {
  const fs::path toml = scenario("stress.toml"), dir = scratch("stress_out");
  const auto s = run_process({kBin, "stress", toml.string(), "--cases", "surge", "--reps", "2", "--threads", "2",
                              "--out", dir.string()});
  INFO(s.out << s.err);
  REQUIRE(s.exit_code == 0);
  const mhsim::analysis::ResultsReader base((dir / "base.h5").string()), surge((dir / "surge.h5").string());
  CHECK(!base.string_attribute("derived").empty());
  CHECK(base.string_attribute("derived") == surge.string_attribute("derived"));
  CHECK(base.string_attribute("settings") == surge.string_attribute("settings"));
}

TEST_CASE("mhsim run: a [derived] value the scenario refuses stops the run, exit 2, nothing written", "[cli][derived]") {
  // Ten times the mean wait puts the KRA's "minimum" level above its "poor" one (45 days).
  const fs::path toml = scenario("refused.toml", "10"), h5 = scratch("refused.h5");
  const auto run = run_process({kBin, "run", toml.string(), "--reps", "2", "--set", "run.baseline_replications=3",
                                "--out", h5.string()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("derived.arms.alliance.contracts[1].kras[1].thresholds[2]: expected values of the [derived] rules "
                     "under which the scenario is valid") != std::string::npos);
  CHECK(run.err.find("nothing was written") != std::string::npos);
  CHECK(!fs::exists(h5));
}
