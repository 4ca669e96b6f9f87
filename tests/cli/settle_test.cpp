// SPDX-License-Identifier: MIT
// mhsim settle: one arm's terms settled on a ledger the user supplies (tidy CSV), checked
// against hand-computed payouts, against the run's own settlement of its ledgers, and on bad
// ledgers (every error at once, exit 2, nothing written).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "analysis/results_file.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kBin = MHSIM_BINARY;
const std::string kScenario = std::string(MHSIM_SOURCE_DIR) + "/tests/data/settle/alliance.toml";
const std::string kLedger = std::string(MHSIM_SOURCE_DIR) + "/tests/data/settle/ledger.csv";
const std::string kTarget = "arms.alliance.contracts.alliance.target=3000000";

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_settle_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// partner_payouts.csv as (year, partner) -> field -> value.
std::map<std::pair<int, std::string>, std::map<std::string, double>> payouts(const fs::path& file) {
  std::map<std::pair<int, std::string>, std::map<std::string, double>> out;
  std::istringstream lines(mhsim::test::slurp_file(file.string()));
  std::string line;
  std::vector<std::string> header;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    if (header.empty()) {
      header = f;
      continue;
    }
    REQUIRE(f.size() == header.size());
    auto& row = out[{std::stoi(f[0]), f[1]}];
    for (std::size_t i = 2; i < f.size(); ++i) row[header[i]] = std::stod(f[i]);
  }
  return out;
}

}  // namespace

TEST_CASE("mhsim settle: an alliance and an outcomes contract settled on a supplied ledger, by hand", "[cli][settle]") {
  const fs::path out = scratch("hand");
  fs::remove_all(out);
  const auto r = mhsim::test::run_process(
      {kBin, "settle", kScenario, "--ledger", kLedger, "--arm", "alliance", "--set", kTarget, "--out", out.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto p = payouts(out / "partner_payouts.csv");
  // Year 1. The trust's Limb 1 is its services' costs, 1,200,000 + 1,500,000; the charity's
  // 400,000. AOC = 3,100,000 against TOC = 3,000,000: U = -100,000, the providers' half
  // -50,000 (inside the pain cap 1 x F = 150,000), allocated by Limb 1 share:
  // trust -50,000 x 27/31 = -43,548.387..., charity -50,000 x 4/31 = -6,451.612....
  CHECK(p.at({1, "trust"}).at("limb1") == 2700000);
  CHECK(p.at({1, "trust"}).at("limb2") == 100000);
  CHECK(p.at({1, "trust"}).at("gain_pain") == Approx(-50000.0 * 27 / 31).epsilon(1e-14));
  CHECK(p.at({1, "trust"}).at("payment") == Approx(2700000 + 100000 - 50000.0 * 27 / 31).epsilon(1e-14));
  CHECK(p.at({1, "charity"}).at("gain_pain") == Approx(-50000.0 * 4 / 31).epsilon(1e-14));
  CHECK(p.at({1, "charity"}).at("payment") == Approx(400000 + 50000 - 50000.0 * 4 / 31).epsilon(1e-14));
  // The council's outcomes contract withholds 4% of 800,000; share_improved 0.45 is half-way
  // from 0.3 to 0.6, so half of it is earned: 768,000 + 16,000. Its cost is the placement's.
  CHECK(p.at({1, "council"}).at("payment") == Approx(784000).epsilon(1e-14));
  CHECK(p.at({1, "council"}).at("margin") == Approx(184000).epsilon(1e-14));
  // Year 2: AOC 2,800,000, U = +200,000, the providers' half +100,000: trust 100,000 x 25/28.
  // share_improved 0.75 is past full achievement: the whole 800,000.
  CHECK(p.at({2, "trust"}).at("gain_pain") == Approx(100000.0 * 25 / 28).epsilon(1e-14));
  CHECK(p.at({2, "charity"}).at("gain_pain") == Approx(100000.0 * 3 / 28).epsilon(1e-14));
  CHECK(p.at({2, "council"}).at("payment") == Approx(800000).epsilon(1e-14));
  // A partner in no contract of the arm settles to zeros.
  CHECK(p.at({2, "practices"}).at("payment") == 0);
  // The arm's rows: the commissioner pays every payment; it keeps the other half of U.
  const std::string arm = mhsim::test::slurp_file((out / "arm_payouts.csv").string());
  CHECK_THAT(arm, Catch::StartsWith("year,commissioner_spend,target,actual,fee_total,underrun,providers_share,"));
  CHECK_THAT(arm, Catch::Contains("\n1,3984000,3000000,3100000,150000,-100000,-50000,-50000,"));
  CHECK_THAT(arm, Catch::Contains("\n2,3850000,3000000,2800000,150000,200000,100000,100000,"));
  CHECK_THAT(r.out, Catch::Contains("£2,756,452"));

  // The block arm: a block contract indexed at 2% a year pays 2,000,000 then 2,040,000.
  const fs::path block = scratch("block");
  fs::remove_all(block);
  const auto b = mhsim::test::run_process(
      {kBin, "settle", kScenario, "--ledger", kLedger, "--arm", "block", "--out", block.string()});
  INFO(b.err);
  REQUIRE(b.exit_code == 0);
  const auto q = payouts(block / "partner_payouts.csv");
  CHECK(q.at({1, "trust"}).at("payment") == 2000000);
  CHECK(q.at({2, "trust"}).at("payment") == Approx(2040000).epsilon(1e-15));
  CHECK(q.at({2, "trust"}).at("margin") == Approx(2040000 - 2500000).epsilon(1e-15));
}

TEST_CASE("mhsim settle: the ledger of a run's replication settles exactly as the run settled it", "[cli][settle]") {
  // The test scenario with a fixed target (the run cannot settle a ledger-free rule either way),
  // the alliance paid on account with its balance a quarter after each year, and reserves
  // for the charity.
  std::string text = mhsim::test::slurp_file(kScenario);
  const std::string rule = "target = { arm = \"block\", percentile = 50 }";
  REQUIRE(text.find(rule) != std::string::npos);
  text.replace(text.find(rule), rule.size(), "target = { fixed = 30000 }\ninterim = true\nreconciliation_lag = 1");
  const std::string charity = "[partners.charity]\n";
  REQUIRE(text.find(charity) != std::string::npos);
  text.insert(text.find(charity) + charity.size(), "reserves = 2000\n");
  const fs::path scenario = scratch("fixed.toml"), results = scratch("fixed.h5");
  write(scenario, text);
  fs::remove(results);
  const auto run = mhsim::test::run_process({kBin, "run", scenario.string(), "--reps", "2", "--out", results.string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  const mhsim::analysis::ResultsReader f(results.string());
  const std::vector<std::string> services = f.labels("services/name"), partners = f.labels("partners/name");
  const std::vector<std::string> kpis = f.labels("kpi/system_name"), skpis = f.labels("kpi/service_name");
  const std::vector<std::string> arms = f.labels("arms/name");
  const std::size_t A = arms.size(), Y = 2, S = services.size(), P = partners.size(), M = 4, K = kpis.size(),
                    KS = skpis.size(), F = 7;
  const std::vector<double> activity = f.read_double("ledger/activity"), cost = f.read_double("ledger/cost"),
                            partner_cost = f.read_double("ledger/partner_cost"), sys = f.read_double("kpi/system"),
                            svc = f.read_double("kpi/service"), pay = f.read_double("payouts/partner"),
                            cash = f.read_double("payouts/cash");
  const std::size_t Q = 4 * Y + 1;
  REQUIRE(f.shape("payouts/cash") == std::vector<std::uint64_t>{2, A, Q, P, 2});
  const char* measures[] = {"contacts", "days", "episodes", "team_years"};
  const auto exact = [](double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return std::string(buf);
  };
  const std::size_t r = 1;  // the second replication
  for (std::size_t a = 0; a < A; ++a) {
    std::string csv = "year,partner,service,quantity,value\n";
    for (std::size_t y = 0; y < Y; ++y) {
      const std::string year = std::to_string(y + 1);
      for (std::size_t s = 0; s < S; ++s) {
        double c = 0;  // summed over measures in order, as the run does
        for (std::size_t m = 0; m < M; ++m) {
          const std::size_t i = (((r * A + a) * Y + y) * S + s) * M + m;
          c += cost[i];
          csv += year + ",," + services[s] + "," + measures[m] + "," + exact(activity[i]) + "\n";
        }
        csv += year + ",," + services[s] + ",cost," + exact(c) + "\n";
        for (std::size_t k = 0; k < KS; ++k) {
          csv += year + ",," + services[s] + ",kpi." + skpis[k] + "," + exact(svc[(((r * A + a) * Y + y) * S + s) * KS + k]) + "\n";
        }
      }
      for (std::size_t p = 0; p < P; ++p) {
        csv += year + "," + partners[p] + ",,cost," + exact(partner_cost[((r * A + a) * Y + y) * P + p]) + "\n";
      }
      for (std::size_t k = 0; k < K; ++k) {
        csv += year + ",,,kpi." + kpis[k] + "," + exact(sys[((r * A + a) * Y + y) * K + k]) + "\n";
      }
    }
    const fs::path ledger = scratch("run_" + arms[a] + ".csv"), out = scratch("run_" + arms[a]);
    write(ledger, csv);
    fs::remove_all(out);
    const auto s = mhsim::test::run_process(
        {kBin, "settle", scenario.string(), "--ledger", ledger.string(), "--arm", arms[a], "--out", out.string()});
    INFO(arms[a] << ": " << s.err);
    REQUIRE(s.exit_code == 0);
    const auto got = payouts(out / "partner_payouts.csv");
    const char* fields[] = {"payment", "cost", "margin", "limb1", "limb2", "gain_pain", "capped_amount"};
    int compared = 0;
    for (std::size_t y = 0; y < Y; ++y) {
      for (std::size_t p = 0; p < P; ++p) {
        for (std::size_t k = 0; k < F; ++k) {
          INFO(arms[a] << " year " << y + 1 << " " << partners[p] << " " << fields[k]);
          CHECK(got.at({static_cast<int>(y + 1), partners[p]}).at(fields[k]) == pay[(((r * A + a) * Y + y) * P + p) * F + k]);
          ++compared;
        }
      }
    }
    CHECK(compared == static_cast<int>(Y * P * F));
    // Cash by quarter in the alliance arm: the run's payouts/cash, bit for bit, and the
    // position against the reserves (the charity's 2,000, the others' 0) by its formula,
    // C_q = R_0 + sum_{j<=q} (receipts_j - costs_j) - sum_y (margin_y - gain_pain_y) e_y(q) / 4.
    if (arms[a] != "alliance") {
      CHECK_FALSE(fs::exists(out / "cash.csv"));
      continue;
    }
    std::istringstream lines(mhsim::test::slurp_file((out / "cash.csv").string()));
    std::string line;
    std::getline(lines, line);
    CHECK(line == "quarter,partner,receipts,costs,net,cumulative,position");
    std::size_t quarters = 0;
    std::map<std::string, double> lowest;
    while (std::getline(lines, line)) {
      std::vector<std::string> v;
      std::stringstream ss(line);
      for (std::string x; std::getline(ss, x, ',');) v.push_back(x);
      REQUIRE(v.size() == 7);
      const std::size_t q = std::stoul(v[0]) - 1;
      const std::size_t p = static_cast<std::size_t>(std::find(partners.begin(), partners.end(), v[1]) - partners.begin());
      REQUIRE(p < P);
      INFO("quarter " << q + 1 << " " << v[1]);
      CHECK(std::stod(v[2]) == cash[(((r * A + a) * Q + q) * P + p) * 2]);
      CHECK(std::stod(v[3]) == cash[(((r * A + a) * Q + q) * P + p) * 2 + 1]);
      double spent = 0;
      for (std::size_t y = 0; y < Y; ++y) {
        const double elapsed = static_cast<double>(std::min<std::size_t>(4, q + 1 > 4 * y ? q + 1 - 4 * y : 0));
        const double* row = &pay[(((r * A + a) * Y + y) * P + p) * F];
        spent += (row[2] - row[5]) * elapsed / 4;
      }
      const double reserve = v[1] == "charity" ? 2000 : 0;
      CHECK(std::stod(v[6]) == Approx(reserve + std::stod(v[5]) - spent).margin(1e-6));
      lowest[v[1]] = std::min(lowest.count(v[1]) ? lowest[v[1]] : reserve, std::stod(v[6]));
      ++quarters;
    }
    CHECK(quarters == Q * P);
    CHECK(lowest.at("charity") <= 2000);
    INFO(s.out);
    CHECK(s.out.find("Cash paid on account") != std::string::npos);
  }
}

TEST_CASE("mhsim settle: a bad ledger and bad options are refused with every error at once, nothing written",
          "[cli][settle]") {
  const fs::path ledger = scratch("bad.csv"), out = scratch("bad_out");
  fs::remove_all(out);
  write(ledger,
        "year,partner,service,quantity,value\n"
        "0,trust,therapy,cost,100\n"             // line 2: year 0
        "1,trust,nowhere,cost,100\n"             // line 3: no such service
        "1,charity,therapy,cost,100\n"           // line 4: the therapy is the trust's
        "1,,therapy,visits,100\n"                // line 5: no such quantity
        "1,,therapy,cost,abc\n"                  // line 6: not a number
        "1,,cmht,cost,100\n"
        "1,trust,cmht,cost,200\n"                // line 8: cmht's cost given twice
        "1,,cmht,contacts,-5\n"                  // line 9: negative activity
        "1,,,cost,5\n"                           // line 10: cost of nothing
        "1,,therapy,\"cost,5\n"                  // line 11: a quote left open
        "2,,cmht,cost,100\n");                   // year 2 has no share_improved, which the council's contract reads
  const auto r = mhsim::test::run_process({kBin, "settle", kScenario, "--ledger", ledger.string(), "--arm", "alliance",
                                           "--set", kTarget, "--out", out.string()});
  CHECK(r.exit_code == 2);
  const std::string l = ledger.string();
  CHECK_THAT(r.err, Catch::Contains(l + ":2:1: year: expected a whole number of years from 1"));
  CHECK_THAT(r.err, Catch::Contains(l + ":3:3: service: expected a service of the scenario"));
  CHECK_THAT(r.err, Catch::Contains(l + ":4:2: partner: expected the partner that runs \"therapy\" (\"trust\"), got \"charity\""));
  CHECK_THAT(r.err, Catch::Contains(l + ":5:4: quantity: expected cost, contacts, days, episodes, team_years"));
  CHECK_THAT(r.err, Catch::Contains(l + ":6:5: value: expected a finite number, got \"abc\""));
  CHECK_THAT(r.err, Catch::Contains(l + ":8:4: cost: expected one value for each year, service or partner, and quantity, got a "
                                        "second one (the first is on line 7)"));
  CHECK_THAT(r.err, Catch::Contains(l + ":9:5: value: expected a number >= 0 for contacts"));
  CHECK_THAT(r.err, Catch::Contains(l + ":10:2: partner: expected a service (its cost) or a partner"));
  CHECK_THAT(r.err, Catch::Contains(l + ":11:1: expected fields separated by commas, quotes closed"));
  CHECK_THAT(r.err, Catch::Contains("kpi.share_improved: expected a row for year 1 (contract \"council_outcomes\" indicator "
                                    "\"wellbeing\" reads it)"));
  CHECK_THAT(r.err, Catch::Contains("kpi.share_improved: expected a row for year 2"));
  CHECK_THAT(r.err, Catch::Contains("11 errors; nothing was written"));
  CHECK_FALSE(fs::exists(out));

  // Options: an arm that does not exist, a term that cannot be set, a file that is not there.
  const auto o = mhsim::test::run_process({kBin, "settle", kScenario, "--ledger", scratch("missing.csv").string(), "--arm",
                                           "nowhere", "--set", "arms.alliance.contracts.alliance.shar=1", "--out",
                                           out.string()});
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("--arm: expected an arm of the scenario (\"block\", \"alliance\"), got \"nowhere\""));
  CHECK_THAT(o.err, Catch::Contains("missing.csv: expected a readable CSV file (the ledger)"));
  CHECK_FALSE(fs::exists(out));
  // An alliance target set from another arm's simulated cost needs a value in pounds.
  const auto t = mhsim::test::run_process({kBin, "settle", kScenario, "--ledger", kLedger, "--arm", "alliance"});
  CHECK(t.exit_code == 2);
  CHECK_THAT(t.err, Catch::Contains("--set arms.alliance.contracts.alliance.target=POUNDS"));
  // A header without the columns settlement needs.
  write(ledger, "year,amount\n1,5\n");
  const auto h = mhsim::test::run_process({kBin, "settle", kScenario, "--ledger", ledger.string(), "--arm", "block"});
  CHECK(h.exit_code == 2);
  CHECK_THAT(h.err, Catch::Contains(l + ":1:2: amount: expected a column of"));
  CHECK_THAT(h.err, Catch::Contains(l + ":1:1: quantity: expected a header naming the column \"quantity\""));
  CHECK_THAT(h.err, Catch::Contains("3 errors"));  // amount, quantity, value: not "no rows" besides
  // A directory given as the ledger.
  const auto d = mhsim::test::run_process({kBin, "settle", kScenario, "--ledger", scratch("").string(), "--arm", "block"});
  CHECK(d.exit_code == 2);
  CHECK_THAT(d.err, Catch::Contains("expected a CSV file (the ledger), got a directory"));
  // An empty file.
  write(ledger, "");
  const auto e = mhsim::test::run_process({kBin, "settle", kScenario, "--ledger", ledger.string(), "--arm", "block"});
  CHECK(e.exit_code == 2);
  CHECK_THAT(e.err, Catch::Contains("expected a header line and one row or more, got an empty file"));
}
