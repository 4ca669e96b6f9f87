// SPDX-License-Identifier: MIT
// `mhsim stress`, end to end: bad input refused at once, the base case is the run's own risk,
// and the terms are held at signing (an alliance's target does not follow an adverse case).
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "cli/process.hpp"

namespace fs = std::filesystem;
using mhsim::test::run_process;

namespace {

const std::string kBin = MHSIM_BINARY;
const std::string kDefault = std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml";

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_stress_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::remove_all(dir / name);
  return dir / name;
}

std::vector<std::vector<std::string>> csv_rows(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  FAIL("no column " << name);
  return 0;
}

// The rows of one case (or of risk.csv when `which` is empty), keyed by "arm/partner".
std::map<std::string, std::vector<std::string>> by_partner(const std::vector<std::vector<std::string>>& rows,
                                                           const std::string& which) {
  std::map<std::string, std::vector<std::string>> out;
  const auto& h = rows.at(0);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (!which.empty() && rows[i].at(column(h, "case")) != which) continue;
    out[rows[i].at(column(h, "arm")) + "/" + rows[i].at(column(h, "partner"))] = rows[i];
  }
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("mhsim stress: bad input is refused at once with exit 2 and nothing written", "[cli][stress]") {
  const fs::path out = scratch("full");
  fs::create_directories(out);
  std::ofstream(out / "keep.txt") << "mine";
  const auto r = run_process({kBin, "stress", kDefault, "--cases", "demand_surge,no_such,demand_surge", "--reps", "0",
                              "--out", out.string()});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--reps") != std::string::npos);
  CHECK(r.err.find("\"no_such\"") != std::string::npos);
  CHECK(r.err.find("\"demand_surge\" twice") != std::string::npos);
  CHECK(r.err.find("a new or empty directory") != std::string::npos);
  CHECK(r.err.find("4 errors; nothing was written") != std::string::npos);
  CHECK(slurp(out / "keep.txt") == "mine");
  CHECK(std::distance(fs::directory_iterator(out), fs::directory_iterator{}) == 1);

  // A scenario without adverse cases to test.
  const auto none = run_process({kBin, "stress", std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/pathway_minimal.toml"});
  INFO(none.err);
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("[variants.<name>] tables") != std::string::npos);
}

TEST_CASE("mhsim stress: the base case is the run's own risk, and an alliance's target is held at the base case's",
          "[cli][stress]") {
  // The default scenario with one more case that changes only the reference (block) arm: its
  // step-down speed (not an [uncertainty] key). The living_well arm simulates the same people
  // the same way, so with its target held at signing its payouts, and every risk figure of
  // its partners, are those of the base case exactly; the block arm's costs do change.
  const fs::path scenario = scratch("with_block_case.toml");
  {
    std::ofstream f(scenario);
    f << slurp(kDefault) << "\n[variants.block_only]\ndescription = \"the block arm steps down faster\"\n"
      << "\"arms.block.step_down_speed\" = 1.3  # test\n";
  }
  const fs::path dir = scratch("stress_out");
  const auto s = run_process({kBin, "stress", scenario.string(), "--cases", "block_only", "--reps", "4", "--reserve",
                              "slam=2000000", "--out", dir.string()});
  INFO(s.out << s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(s.out.find("alliance living_well_alliance (arm living_well): target held at the base case's") !=
        std::string::npos);
  const auto rows = csv_rows(dir / "stress.csv");
  const auto base = by_partner(rows, "base"), block_only = by_partner(rows, "block_only");
  const auto& h = rows.at(0);
  int held = 0;
  for (const auto& [key, row] : base) {
    if (key.rfind("living_well/", 0) != 0) continue;
    INFO(key);
    // Every figure, to the last digit (after the case's name).
    CHECK(std::vector<std::string>(block_only.at(key).begin() + 1, block_only.at(key).end()) ==
          std::vector<std::string>(row.begin() + 1, row.end()));
    ++held;
  }
  CHECK(held >= 4);  // slam, certitude, council and the commissioner at least
  CHECK(block_only.at("block/slam").at(column(h, "mean_margin")) != base.at("block/slam").at(column(h, "mean_margin")));
  CHECK(fs::exists(dir / "base.h5"));
  CHECK(fs::exists(dir / "block_only.h5"));

  // The base case against `mhsim run` and `mhsim report` with the same seed, replications and
  // reserves: one definition of the risk.
  const fs::path run = scratch("base_run.h5"), csv = scratch("base_report");
  REQUIRE(run_process({kBin, "run", kDefault, "--reps", "4", "--out", run.string(), "-q"}).exit_code == 0);
  const auto rep = run_process({kBin, "report", run.string(), "--csv", csv.string(), "--reserve", "slam=2000000", "-q"});
  INFO(rep.err);
  REQUIRE(rep.exit_code == 0);
  const auto risk_rows = csv_rows(csv / "risk.csv");
  const auto risk = by_partner(risk_rows, "");
  int compared = 0;
  for (const auto& [key, row] : base) {
    if (risk.count(key) == 0) continue;
    INFO(key);
    for (const std::string name : {"mean_payment", "mean_painshare", "var", "es", "p_above_reserve", "p_exhausted"}) {
      INFO(name);
      const std::string a = row.at(column(h, name)), b = risk.at(key).at(column(risk_rows.at(0), name));
      REQUIRE(a.empty() == b.empty());
      if (!a.empty()) CHECK(std::stod(a) == Approx(std::stod(b)).epsilon(1e-12).margin(1e-6));
    }
    ++compared;
  }
  CHECK(compared >= 8);
  CHECK(base.at("living_well/slam").at(column(h, "reserve")) == "2000000");
}

TEST_CASE("mhsim stress: an interrupt stops the case under way, exit 130, and leaves nothing behind", "[cli][stress]") {
  // 1,000 replications a case take minutes; the signal comes once the first case has started.
  // `timeout` kills a command that does not stop (exit 128 + SIGKILL, not 130).
  for (const int signal : {SIGINT, SIGTERM}) {
    INFO("signal " << signal);
    const fs::path dir = scratch("interrupted_" + std::to_string(signal));
    const auto r = run_process({"/usr/bin/timeout", "-s", "KILL", "120", kBin, "stress", kDefault, "--reps", "1000",
                                "--threads", "1", "--out", dir.string()},
                               "running case \"base\"", signal);
    CHECK(r.exit_code == 130);
    CHECK(r.err.find("interrupted; nothing was kept") != std::string::npos);
    CHECK_FALSE(fs::exists(dir));
  }
}
