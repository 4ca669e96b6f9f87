// SPDX-License-Identifier: MIT
// `mhsim stress`, end to end: bad input refused at once, the base case is the run's own risk,
// and the terms are held at signing (an alliance's target does not follow an adverse case).
#include <catch2/catch.hpp>

#include <cctype>
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

namespace {

// The flat objects of one JSON array (each element an object of strings, numbers, true, false
// and null, as analysis_output writes the stress rows), by field: a string's text, a number's
// text, "" for null. Enough for the document mhsim writes; not a general JSON reader.
std::vector<std::map<std::string, std::string>> json_objects(const std::string& doc, std::size_t from) {
  std::vector<std::map<std::string, std::string>> out;
  std::size_t i = doc.find('[', from);
  REQUIRE(i != std::string::npos);
  const auto skip = [&] { while (i < doc.size() && std::isspace(static_cast<unsigned char>(doc[i]))) ++i; };
  const auto string = [&] {
    std::string s;
    REQUIRE(doc[i] == '"');
    for (++i; doc[i] != '"'; ++i) {
      if (doc[i] == '\\') ++i;
      s += doc[i];
    }
    ++i;
    return s;
  };
  ++i;
  for (skip(); doc[i] != ']'; skip()) {
    if (doc[i] == ',') {
      ++i;
      continue;
    }
    REQUIRE(doc[i] == '{');
    ++i;
    std::map<std::string, std::string> o;
    for (skip(); doc[i] != '}'; skip()) {
      if (doc[i] == ',') {
        ++i;
        continue;
      }
      const std::string key = string();
      skip();
      REQUIRE(doc[i] == ':');
      ++i;
      skip();
      if (doc[i] == '"') {
        o[key] = string();
      } else {
        const std::size_t end = doc.find_first_of(",}", i);
        const std::string v = doc.substr(i, end - i);
        o[key] = v == "null" ? "" : v;
        i = end;
      }
    }
    ++i;
    out.push_back(o);
  }
  return out;
}

}  // namespace

TEST_CASE("mhsim stress --json: the report's stress object has stress.csv's figures, and the report is the base's",
          "[cli][stress][report]") {
  const fs::path dir = scratch("report_out"), json = scratch("stress.json");
  const auto s = run_process({kBin, "stress", kDefault, "--cases", "demand_surge", "--reps", "4", "--reserve",
                              "slam=2000000", "--out", dir.string(), "--json", json.string()});
  INFO(s.out << s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(s.out.find(json.string() + ": the report's document with the stress tests") != std::string::npos);
  const std::string doc = slurp(json);
  CHECK(doc.rfind("{\"schema\": \"mhsim-analysis/1\"", 0) == 0);
  const std::size_t at = doc.find("\"stress\": {");
  REQUIRE(at != std::string::npos);
  CHECK(doc.find("\"replications\": 4", at) != std::string::npos);
  CHECK(doc.find("{\"name\": \"demand_surge\", \"description\": \"Demand 15% above plan", at) != std::string::npos);
  CHECK(doc.find("alliance living_well_alliance (arm living_well): target held at the base case's", at) != std::string::npos);

  // Every row of stress.csv is a row of the stress object, every figure the same double.
  const auto rows = csv_rows(dir / "stress.csv");
  const auto& h = rows.at(0);
  const auto stress_rows = json_objects(doc, doc.find("\"rows\": [", at));
  REQUIRE(stress_rows.size() == rows.size() - 1);
  std::map<std::string, const std::map<std::string, std::string>*> by_key;
  for (const auto& o : stress_rows) by_key[o.at("case") + "/" + o.at("arm") + "/" + o.at("partner")] = &o;
  int compared = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const std::string key = row.at(column(h, "case")) + "/" + row.at(column(h, "arm")) + "/" + row.at(column(h, "partner"));
    INFO(key);
    REQUIRE(by_key.count(key) == 1);
    const auto& o = *by_key.at(key);
    CHECK((o.at("commissioner") == "true") == (row.at(column(h, "commissioner")) == "1"));
    for (std::size_t c = 4; c < h.size(); ++c) {
      INFO(h[c]);
      const std::string a = row.at(c), b = o.at(h[c]);
      REQUIRE(a.empty() == b.empty());
      if (!a.empty()) CHECK(std::stod(a) == std::stod(b));  // exact: both round-trip the same double
      ++compared;
    }
  }
  CHECK(compared >= 15 * 8);  // 15 figures a row; two cases of at least four rows
  // The commissioner's interval and change from the base, as stress.csv gives them.
  const auto base = by_partner(rows, "base"), surge = by_partner(rows, "demand_surge");
  const auto& spend = base.at("living_well/commissioner");
  CHECK(std::stod(spend.at(column(h, "spend_q05"))) <= std::stod(spend.at(column(h, "mean_payment"))));
  CHECK(std::stod(spend.at(column(h, "mean_payment"))) <= std::stod(spend.at(column(h, "spend_q95"))));
  CHECK(by_key.at("base/living_well/commissioner")->at("change_from_base").empty());
  CHECK(std::stod(by_key.at("demand_surge/living_well/commissioner")->at("change_from_base")) ==
        std::stod(surge.at("living_well/commissioner").at(column(h, "mean_payment"))) -
            std::stod(spend.at(column(h, "mean_payment"))));

  // The rest of the document is the base case's report: its risk rows are the base case's.
  const auto risk = json_objects(doc, doc.find("\"risk\": ["));
  int same = 0;
  for (const auto& r : risk) {
    const auto& o = *by_key.at("base/" + r.at("arm") + "/" + r.at("partner"));
    for (const std::string name : {"mean_payment", "var", "es", "p_above_reserve", "p_exhausted"}) {
      INFO(r.at("arm") << "/" << r.at("partner") << " " << name);
      CHECK(r.at(name) == o.at(name));
    }
    ++same;
  }
  CHECK(same == static_cast<int>(base.size()));
  // The reserve path of every case, for slam (whose reserves were stated), each year.
  const auto paths = json_objects(doc, doc.find("\"reserve_paths\": [", at));
  int slam_years = 0;
  for (const auto& p : paths) slam_years += p.at("partner") == "slam" && p.at("arm") == "living_well" ? 1 : 0;
  CHECK(slam_years == 2 * 3);  // two cases, the three-year agreement
}

TEST_CASE("mhsim stress --html/--json: bad output options are refused before any case runs, and a failed write keeps nothing",
          "[cli][stress][report]") {
  const fs::path dir = scratch("bad_report_out"), html = scratch("same.html");
  {
    const auto r = run_process({kBin, "stress", kDefault, "--reps", "4", "--out", dir.string(), "--html", html.string(),
                                "--json", html.string(), "--assets", scratch("nowhere").string()});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--json: expected a file other than --html") != std::string::npos);
    CHECK(r.err.find("template.html") != std::string::npos);
    CHECK(r.err.find("running case") == std::string::npos);
    CHECK_FALSE(fs::exists(html));
    CHECK_FALSE(fs::exists(dir));
  }
  {
    // The JSON cannot be written (its directory is a file): exit 1, and neither it, stress.csv
    // nor the cases' results files are kept.
    const fs::path blocker = scratch("a_file");
    std::ofstream(blocker) << "x";
    const auto r = run_process({kBin, "stress", kDefault, "--cases", "demand_surge", "--reps", "2", "--out", dir.string(),
                                "--json", (blocker / "stress.json").string()});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("nothing was written") != std::string::npos);
    CHECK_FALSE(fs::exists(dir));
    CHECK(slurp(blocker) == "x");
  }
}
