// SPDX-License-Identifier: MIT
// `mhsim report` and `mhsim compare` through the real binary on a real run: outputs appear
// whole, agree with each other, and bad input is refused with every error at once while
// files already there stay untouched. (The browser check of the HTML and the h5py read-back
// are separate ctest cases: tests/report/.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/results_file.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_report_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kMinimal = std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/pathway_minimal.toml";

// One run shared by the cases below.
const fs::path& results() {
  static const fs::path out = [] {
    const fs::path p = scratch("minimal.h5");
    const auto r = mhsim::test::run_process({MHSIM_BINARY, "run", kMinimal, "--reps", "6", "--threads", "2", "--out",
                                             p.string(), "-q"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return p;
  }();
  return out;
}

}  // namespace

TEST_CASE("Report CLI: JSON and CSV summaries of a run", "[cli][report]") {
  const fs::path json = scratch("summary.json"), csv = scratch("csv");
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--json", json.string(), "--csv",
                                           csv.string(), "--wtp", "20000,30000"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string doc = read_text(json);
  CHECK(doc.rfind("{\"schema\": \"mhsim-analysis/1\"", 0) == 0);
  CHECK(doc.find("\"replications\": 6") != std::string::npos);
  CHECK(doc.find("nan") == std::string::npos);
  for (const char* name : {"summary.csv", "differences.csv", "cea.csv", "ceac.csv", "evpi.csv", "risk.csv",
                           "kra_bands.csv", "tornado.csv", "psa.csv", "replications_needed.csv", "monthly.csv"}) {
    CHECK(fs::is_regular_file(csv / name));
  }
  // Every summary row: header + metrics x 2 arms; each line ends in CRLF (RFC 4180).
  const std::string summary = read_text(csv / "summary.csv");
  CHECK(summary.rfind("metric,label,unit,arm,n,mean,sd,se,ci_low,ci_high,q05,q25,q50,q75,q95\r\n", 0) == 0);
  CHECK(summary.find("\ncost,") != std::string::npos);
  // The monthly picture, long format: a row per arm, month, service and measure.
  const std::string monthly = read_text(csv / "monthly.csv");
  CHECK(monthly.rfind("arm,month,service,measure,mean,p05,p25,p50,p75,p95\r\n", 0) == 0);
  CHECK(monthly.find(",1,") != std::string::npos);
  CHECK(monthly.find(",waiting,") != std::string::npos);
  CHECK(monthly.find(",cost,") != std::string::npos);
  CHECK(doc.find("\"monthly\": {\"months\": ") != std::string::npos);
  // Nothing temporary is left beside the outputs.
  for (const auto& e : fs::directory_iterator(json.parent_path())) {
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  }
}

TEST_CASE("Report CLI: --replications writes one row per arm, replication, year and metric, and --excel marks CSV as UTF-8",
          "[cli][report]") {
  // The expected shape from the results file itself (the reader, not the table's writer).
  const mhsim::analysis::ResultsReader file(results().string());
  const std::vector<std::uint64_t> shape = file.shape("ledger/partner_cost");  // R, A, Y, P
  REQUIRE(shape.size() == 4);
  const std::uint64_t R = shape[0], A = shape[1], Y = shape[2], P = shape[3];
  const std::vector<std::string> names = file.datasets();
  const bool settled = std::find(names.begin(), names.end(), "payouts/partner") != names.end();
  const std::uint64_t metrics = 3 + (settled ? 1 : 0) + P * (1 + (settled ? 4 : 0));
  REQUIRE(Y == 2);
  const auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  const std::string header = "arm,replication,year,metric,partner,unit,value,discount_factor\r";

  const fs::path all = scratch("replications.csv"), first = scratch("replications_h1.csv");
  auto r = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--replications", all.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);  // --replications alone is an output
  const std::vector<std::string> rows = lines(read_text(all));
  REQUIRE(!rows.empty());
  CHECK(rows.front() == header);
  CHECK(rows.size() - 1 == A * R * Y * metrics);
  CHECK_THAT(r.err, Catch::Contains("(" + std::to_string(A * R * Y * metrics) + " rows"));
  // The first row: the first arm's first replication, year 1, its partners' costs added up.
  const std::vector<double> pc = file.read_double("ledger/partner_cost");
  double ledger_cost = 0;
  for (std::uint64_t p = 0; p < P; ++p) ledger_cost += pc[p];
  const std::string& row = rows.at(1);
  REQUIRE(row.find(",0,1,ledger_cost,,£,") != std::string::npos);
  const std::size_t at = row.find(",£,") + std::string(",£,").size();
  CHECK(std::stod(row.substr(at, row.find(',', at) - at)) == ledger_cost);
  CHECK(row.substr(row.rfind(',') + 1) == "1\r");  // year 1 is not discounted (year_start)

  // --horizon 1: only the first year, half the rows.
  r = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--replications", first.string(), "--horizon", "1",
                                "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(lines(read_text(first)).size() - 1 == A * R * 1 * metrics);

  // --excel: the same bytes after EF BB BF; without it, no mark (above: the header first).
  const fs::path marked = scratch("replications_excel.csv"), csv_dir = scratch("csv_excel");
  r = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--replications", marked.string(), "--csv",
                                csv_dir.string(), "--excel", "-q"});
  REQUIRE(r.exit_code == 0);
  const std::string plain_text = mhsim::test::slurp_file(all.string()), marked_text = mhsim::test::slurp_file(marked.string());
  CHECK(plain_text.compare(0, 3, "\xEF\xBB\xBF") != 0);
  CHECK(marked_text == "\xEF\xBB\xBF" + plain_text);
  std::size_t csv_files = 0;
  for (const auto& e : fs::directory_iterator(csv_dir)) {
    CHECK(mhsim::test::slurp_file(e.path().string()).compare(0, 3, "\xEF\xBB\xBF") == 0);
    ++csv_files;
  }
  CHECK(csv_files >= 10);
}

TEST_CASE("Report CLI: the terms explorer is left out of a run larger than --explorer-max-replications", "[cli][report]") {
  const fs::path small = scratch("explorer-small.html"), capped = scratch("explorer-capped.html");
  const std::string assets = std::string(MHSIM_SOURCE_DIR) + "/report";
  const auto a = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--html", small.string(), "--assets",
                                           assets, "-q"});
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  CHECK(read_text(small).find("left out of this report") == std::string::npos);  // 6 replications <= 2,000
  const auto b = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--html", capped.string(), "--assets",
                                           assets, "--explorer-max-replications", "5", "-q"});
  INFO(b.err);
  REQUIRE(b.exit_code == 0);
  const std::string page = read_text(capped);
  CHECK(page.find("left out of this report: the run has 6 replications, more than --explorer-max-replications (5)") !=
        std::string::npos);
  const auto bad = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--html", capped.string(),
                                             "--explorer-max-replications", "-1"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("Report CLI: --chart-samples thins the page's charts of a larger run, never the JSON file", "[cli][report]") {
  const fs::path page_path = scratch("thin.html"), json = scratch("thin.json"), same = scratch("same.html");
  const std::string assets = std::string(MHSIM_SOURCE_DIR) + "/report";
  const std::string token = "window.MHSIM_DATA = {\"schema\": ";
  // 6 replications, at most 5 per chart: order statistics (5 points) and 5 evenly spaced
  // replications, floor(i * 6 / 5) = 0, 1, 2, 3, 4, for the plane; the JSON file keeps all 6.
  const auto a = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--html", page_path.string(), "--json",
                                           json.string(), "--assets", assets, "--chart-samples", "5", "-q"});
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  const std::string page = read_text(page_path), doc = read_text(json);
  CHECK(page.find("\"chart_samples\": {\"replications\": 6, \"limit\": 5, \"quantile_points\": 5, \"shown_replications\": 5") !=
        std::string::npos);
  CHECK(page.find("\"samples\": [], ") != std::string::npos);
  CHECK(page.find("\"payout_samples\": [], ") != std::string::npos);
  CHECK(page.find("{\"replication\": 4, \"arm\": \"alliance\", \"base_arm\": \"block\"") != std::string::npos);
  CHECK(page.find("{\"replication\": 5, \"arm\": \"alliance\", \"base_arm\": \"block\"") == std::string::npos);
  CHECK(doc.find("chart_samples") == std::string::npos);
  CHECK(doc.find("{\"replication\": 5, \"arm\": \"alliance\", \"base_arm\": \"block\"") != std::string::npos);
  // At or under the limit (the default, 2,000) the page carries exactly the JSON file's document.
  const auto b = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--html", same.string(), "--assets",
                                           assets, "-q"});
  INFO(b.err);
  REQUIRE(b.exit_code == 0);
  const std::string full = read_text(same);
  const std::size_t at = full.find(token);
  REQUIRE(at != std::string::npos);
  // Two runs of mhsim report: the documents differ only in when they were analysed.
  const auto undated = [](std::string text) {
    const std::string key = "\"analysed_utc\": \"";
    const std::size_t from = text.find(key);
    if (from != std::string::npos) text.replace(from + key.size(), 20, "YYYY-MM-DDTHH:MM:SSZ");
    return text;
  };
  const std::string body = undated(doc.substr(0, doc.size() - 1));  // without the final newline
  CHECK(undated(full.substr(at + 20, body.size())) == body);
  const auto bad = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--html", same.string(),
                                             "--chart-samples", "-1"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("Compare CLI: arms side by side with paired differences", "[cli][report]") {
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "compare", results().string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("alliance - block"));
  CHECK_THAT(r.out, Catch::Contains("Cost-effectiveness against \"block\""));
  CHECK_THAT(r.out, Catch::Contains("P(loss > reserve)"));
  // The other way round: alliance as the base.
  const auto b = mhsim::test::run_process({MHSIM_BINARY, "compare", results().string(), "--arms", "alliance,block"});
  REQUIRE(b.exit_code == 0);
  CHECK_THAT(b.out, Catch::Contains("block - alliance"));
}

TEST_CASE("Report and compare CLI: value of information from a run with PSA", "[cli][report]") {
  // pathway_minimal with two uncertain inputs and a group of both, 40 replications.
  const fs::path scenario = scratch("voi.toml"), h5 = scratch("voi.h5"), csv = scratch("voi-csv");
  {
    std::ofstream out(scenario);
    out << read_text(kMinimal) << R"(
[analysis]
voi_decisions_per_year = 2
voi_years = 3

[analysis.groups.both]
parameters = ["diversion", "gp_cost"]
description = "one study of both"

[uncertainty.diversion]
key = "arms.alliance.front_door_diversion"
distribution = "beta"
mean = 0.3
sd = 0.1
source = "assumption"

[uncertainty.gp_cost]
key = "services.gp.cost_per_contact"
distribution = "gamma"
mean = 39
sd = 6
source = "assumption"

[uncertainty.block_loss]
key = "arms.block.handoff_loss"
distribution = "uniform"
low = 0.02
high = 0.08
source = "assumption"
)";
  }
  const auto run = mhsim::test::run_process({MHSIM_BINARY, "run", scenario.string(), "--reps", "40", "--out", h5.string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "compare", h5.string(), "--csv", csv.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Value of information (EVPPI per decision"));
  // 2 + 2/1.035 + 2/1.035^2 = 5.799: the population factor, printed to three figures.
  CHECK_THAT(r.out, Catch::Contains("Population: x 5.8 (2 decisions a year for 3 years, discounted)"));
  CHECK_THAT(r.out, Catch::Contains("both (group)"));
  CHECK_THAT(r.out, Catch::Contains("What drives each partner's risk"));
  // evppi.csv: a header and (3 inputs + 1 group) x 2 thresholds, ranked within each.
  const std::string evppi = read_text(csv / "evppi.csv");
  CHECK(evppi.rfind("wtp,rank,name,kind,parameters,method,evppi_per_decision,se,evpi_per_decision,population_evppi,"
                    "inmb_share,description\r\n", 0) == 0);
  CHECK(std::count(evppi.begin(), evppi.end(), '\n') == 1 + 4 * 2);
  // Tornado: an input set only in the block arm cannot move a partner's gain/pain share in the
  // alliance arm, so it has no bar there; it keeps its bar in the comparison of the two arms.
  std::istringstream tornado(read_text(csv / "tornado.csv"));
  std::string line;
  int alliance_rows = 0, block_loss_in_alliance = 0, block_loss_in_comparison = 0;
  while (std::getline(tornado, line)) {
    const bool alliance_output = line.rfind("gain_pain:alliance:", 0) == 0;
    alliance_rows += alliance_output ? 1 : 0;
    if (line.find(",block_loss,") == std::string::npos) continue;
    block_loss_in_alliance += alliance_output ? 1 : 0;
    block_loss_in_comparison += line.rfind("incremental_nmb:alliance", 0) == 0 ? 1 : 0;
  }
  CHECK(alliance_rows > 0);
  CHECK(block_loss_in_alliance == 0);
  CHECK(block_loss_in_comparison == 1);
  CHECK_THAT(evppi, Catch::Contains(",both,group,diversion gp_cost,gp,"));
  CHECK(fs::is_regular_file(csv / "evppi_convergence.csv"));
  CHECK(fs::is_regular_file(csv / "risk_attribution.csv"));
}

TEST_CASE("Report CLI: bad input is refused with every error at once, and nothing is overwritten", "[cli][report]") {
  const fs::path json = scratch("kept.json");
  {
    std::ofstream(json) << "precious";
  }
  SECTION("bad options all at once") {
    const auto r = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--json", json.string(),
                                             "--wtp", "20000,lots", "--reserve", "nobody=5", "--horizon", "9",
                                             "--effect", "happiness"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--wtp") && Catch::Contains("\"lots\""));
    CHECK_THAT(r.err, Catch::Contains("--reserve") && Catch::Contains("\"trust\""));
    CHECK_THAT(r.err, Catch::Contains("--horizon") && Catch::Contains("[1, 2]"));
    CHECK_THAT(r.err, Catch::Contains("--effect"));
    CHECK_THAT(r.err, Catch::Contains("4 errors; nothing was written"));
  }
  SECTION("a missing results file") {
    const auto r = mhsim::test::run_process({MHSIM_BINARY, "report", scratch("absent.h5").string(), "--json", json.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("absent.h5") && Catch::Contains("no such file"));
  }
  SECTION("a queueing-network run is not a pathway run") {
    const fs::path net = scratch("network.h5");
    const auto run = mhsim::test::run_process({MHSIM_BINARY, "run", std::string(MHSIM_SOURCE_DIR) +
                                               "/scenarios/examples/small_network.toml", "--reps", "2", "--out",
                                               net.string(), "-q"});
    REQUIRE(run.exit_code == 0);
    const auto r = mhsim::test::run_process({MHSIM_BINARY, "report", net.string(), "--json", json.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("network.h5") && Catch::Contains("pathway"));
  }
  SECTION("missing report assets: no output at all, not even the JSON") {
    const auto r = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--json", json.string(),
                                             "--html", scratch("r.html").string(), "--assets", scratch("nowhere").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("template.html") && Catch::Contains("npm ci"));
    CHECK_FALSE(fs::exists(scratch("r.html")));
  }
  SECTION("several results files: every problem with any of them at once") {
    // The second file is missing, a label is missing, and the third has the first's name.
    const auto r = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), scratch("gone.h5").string(),
                                             results().string(), "--label", "a,b", "--json", json.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("gone.h5") && Catch::Contains("no such file"));
    CHECK_THAT(r.err, Catch::Contains("--label") && Catch::Contains("one label per results file (3)"));
    const auto same = mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), results().string(), "--json",
                                                json.string()});
    CHECK(same.exit_code == 2);
    CHECK_THAT(same.err, Catch::Contains("\"minimal.h5\" twice"));
  }
  SECTION("no output asked for") {
    const auto r = mhsim::test::run_process({MHSIM_BINARY, "report", results().string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--html"));
  }
  CHECK(read_text(json) == "precious");
}

TEST_CASE("Design CLI: --json and --html carry the design with the run's report, all or nothing", "[cli][report][design]") {
  // pathway_minimal's alliance: share 0.5 and pain_cap 1 in the file; a grid of 2 x 2 around
  // them, every combination feasible (P(exhausted) <= 1, gain >= -£1e12): all on the plane,
  // and a frontier that cannot be empty.
  const std::string alliance = "arms.alliance.contracts.alliance";
  const std::vector<std::string> base = {MHSIM_BINARY, "design", kMinimal, "--results", results().string(), "--arm",
                                         "alliance", "--reserve", "trust=50000", "--set", alliance + ".share=0.3,0.7",
                                         "--set", alliance + ".pain_cap=0.5,1"};
  const auto design = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return mhsim::test::run_process(args);
  };
  const fs::path kept = scratch("design_kept.html");
  {
    std::ofstream(kept) << "precious";
  }
  SECTION("the document: the report's, with the design's object") {
    const fs::path csv = scratch("design.csv"), json = scratch("design.json"), plain = scratch("plain.json");
    const auto r = design({"--max-exhaustion", "1", "--min-gain", "-1e12", "--out", csv.string(), "--json", json.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("4 of 4 combinations") && Catch::Contains(json.string() + ": the report's document"));
    const std::string doc = read_text(json);
    CHECK(doc.rfind("{\"schema\": \"mhsim-analysis/1\"", 0) == 0);
    CHECK(doc.find("\"metrics\": [") != std::string::npos);  // the run's analysis, as mhsim report writes it
    const std::size_t at = doc.find("\"design\": {");
    REQUIRE(at != std::string::npos);
    const std::string d = doc.substr(at);
    CHECK_THAT(d, Catch::Contains("\"arm\": \"alliance\"") && Catch::Contains("\"horizon_years\": 2"));
    CHECK_THAT(d, Catch::Contains("\"constraints\": {\"max_p_exhausted\": 1, \"min_expected_gain\": -1000000000000, "
                                  "\"budget_per_year\": null, \"budget_over_horizon\": null}"));
    CHECK_THAT(d, Catch::Contains("{\"path\": \"" + alliance + ".share\", \"values\": [0.3, 0.7]}"));
    CHECK_THAT(d, Catch::Contains("{\"partner\": \"trust\", \"reserve\": 50000}"));
    // The reference point: the file's own terms (share = 0.5, pain_cap = 1), saving 0 by definition.
    CHECK_THAT(d, Catch::Contains("\"reference\": {\"terms\": [0.5, 1], \"commissioner_spend\": "));
    CHECK_THAT(d, Catch::Contains("\"saving\": 0, "));
    CHECK_THAT(d, Catch::Contains("\"combinations\": 4, \"feasible\": 4, "));
    // Each combination's flags as the CSV has them.
    const std::string table = read_text(csv);
    std::size_t csv_frontier = 0, lines = 0;
    std::istringstream in(table);
    for (std::string line; std::getline(in, line); ++lines) {
      if (lines > 0 && line.size() >= 2 && line.compare(line.size() - 2, 2, ",1") == 0) ++csv_frontier;
    }
    CHECK(lines == 5);
    CHECK(csv_frontier >= 1);
    std::size_t json_frontier = 0;
    for (std::size_t p = d.find("\"frontier\": true"); p != std::string::npos; p = d.find("\"frontier\": true", p + 1)) ++json_frontier;
    CHECK(json_frontier == csv_frontier);
    // The plain report of the run has no design.
    REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "report", results().string(), "--json", plain.string()}).exit_code == 0);
    CHECK(read_text(plain).find("\"design\"") == std::string::npos);
    for (const auto& e : fs::directory_iterator(json.parent_path())) {
      CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
    }
  }
  SECTION("bad values: every one at once, exit 2, nothing written") {
    const fs::path html = scratch("design_bad.html"), dir = scratch("design_dir");
    fs::create_directories(dir);
    const auto r = design({"--max-exhaustion", "lots", "--html", html.string(), "--json", html.string(), "--out",
                           dir.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--max-exhaustion: expected a probability in [0, 1], got \"lots\""));
    CHECK_THAT(r.err, Catch::Contains("--json: expected a file other than --html"));
    CHECK_THAT(r.err, Catch::Contains("--out: expected a file name, got \"" + dir.string() + "\", a directory"));
    CHECK_THAT(r.err, Catch::Contains("3 errors; nothing was written"));
    CHECK_FALSE(fs::exists(html));
    const auto k = design({"--html", kept.string(), "--set", alliance + ".share=2"});
    CHECK(k.exit_code == 2);
    CHECK_THAT(k.err, Catch::Contains(alliance + ".share"));
  }
  SECTION("a failure part-way writes nothing: the report's assets are missing") {
    const fs::path csv = scratch("design_failed.csv"), json = scratch("design_failed.json");
    const auto r = design({"--out", csv.string(), "--json", json.string(), "--html", kept.string(), "--assets",
                           scratch("nowhere").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("template.html") && Catch::Contains("npm ci") && Catch::Contains("nothing was written"));
    CHECK_FALSE(fs::exists(csv));
    CHECK_FALSE(fs::exists(json));
  }
  CHECK(read_text(kept) == "precious");
}
