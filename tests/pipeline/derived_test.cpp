// SPDX-License-Identifier: MIT
// [derived] numbers (pipeline/derived.cpp) on the minimal example: each rule's value equals its
// statistic recomputed here from the simulation's own results over the baseline pass's
// streams (replications 2^61 + r, by hand: the ledger read with contracts::from_arm_result,
// the services a contract covers found from the partners that own them), the same at any
// thread count; a key set by --set keeps its value; a value the scenario refuses is named at
// its rule; and a run records every value, so that the stored scenario settles with it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "analysis/results_analysis.hpp"
#include "analysis/results_file.hpp"
#include "engine/random.hpp"
#include "models/contracts/pathway_ledger.hpp"
#include "models/ledger/ledger.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "pipeline/derived.hpp"
#include "pipeline/model_runs.hpp"

namespace sc = mhsim::scenario;
namespace pw = mhsim::models::pathway;
namespace ct = mhsim::models::contracts;
namespace ld = mhsim::models::ledger;
namespace fs = std::filesystem;
using mhsim::pipeline::ResolvedNumber;

namespace {

constexpr std::uint64_t kPass = 6;  // baseline replications: enough for a median of an even count

std::string minimal_text() {
  std::ifstream in(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/pathway_minimal.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Five rules, one of each kind of measurement the example can take.
const char* const kRules = R"(
[derived."arms.block.contracts[0].annual"]
of = "contract_cost"
statistic = "median"
year = 1

[derived."arms.alliance.contracts[0].per_head"]
of = "contract_cost"
arm = "block"
per_head = true

[derived."partners.trust.reserves"]
of = "partner_cost"
partner = "trust"
arm = "block"
scale = 0.1

[derived."arms.alliance.contracts[1].kras[1].thresholds[2]"]
of = "kpi"
kpi = "mean_wait"
service = "cmht"
arm = "block"
statistic = "percentile"
percentile = 25
year = 2

[derived."arms.alliance.contracts[1].reward_pool"]
of = "activity"
services = ["crisis", "acute"]
measure = "days"
arm = "alliance"
scale = 2
)";

sc::PathwayScenario derived_scenario(const std::string& extra = "") {
  sc::PathwayScenario s = sc::parse_pathway_scenario(minimal_text() + kRules + extra, "derived.toml");
  s.baseline_replications = kPass;
  return s;
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

/// Type-7 quantile, written out: h = (n - 1) p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
double type7(std::vector<double> x, double p) {
  std::sort(x.begin(), x.end());
  const double h = static_cast<double>(x.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(h);
  const double frac = h - static_cast<double>(lo);
  return lo + 1 < x.size() ? x[lo] + frac * (x[lo + 1] - x[lo]) : x[lo];
}

double find(const std::vector<ResolvedNumber>& v, const std::string& key) {
  for (const ResolvedNumber& n : v) {
    if (n.key == key) return n.value;
  }
  FAIL("no resolved number for " << key);
  return 0;
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_derived_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("derived: each rule is its statistic over the baseline pass, recomputed by hand", "[pipeline][derived]") {
  const sc::PathwayScenario s = derived_scenario();
  const std::vector<ResolvedNumber> got = mhsim::pipeline::resolve_derived(s, 2);
  REQUIRE(got.size() == 5);

  std::vector<std::string> services, partners, arms;
  for (const auto& x : s.spec.services) services.push_back(x.name);
  for (const auto& x : s.spec.partners) partners.push_back(x.name);
  for (const auto& x : s.spec.arms) arms.push_back(x.name);
  const std::size_t block = index_of(arms, "block"), alliance = index_of(arms, "alliance");
  const std::size_t trust = index_of(partners, "trust"), practices = index_of(partners, "practices");
  const std::size_t cmht = index_of(services, "cmht");
  const ct::LedgerShape shape = ct::ledger_shape(s.spec, s.group_share);
  const double population = s.spec.population.size;

  std::vector<double> trust_year1, practices_per_head, trust_cost, wait_year2, bed_days;
  for (std::uint64_t r = 0; r < kPass; ++r) {
    const pw::PathwayResult result =
        pw::simulate_pathway(s.spec, mhsim::engine::RandomStreams(s.run.seed, (std::uint64_t{1} << 61) + r));
    double t1 = 0, gp = 0, tc = 0, w2 = 0, beds = 0;
    for (std::size_t y = 0; y < 2; ++y) {
      const ct::YearInput b = ct::from_arm_result(shape, result.arms[block], y);
      const ct::YearInput a = ct::from_arm_result(shape, result.arms[alliance], y);
      for (std::size_t k = 0; k < services.size(); ++k) {
        // The block arm's trust contract has no `services`: it covers every service the trust owns;
        // the capitation covers the practices' services.
        if (s.spec.services[k].partner == trust && y == 0) t1 += b.service_cost[k];
        if (s.spec.services[k].partner == practices) gp += b.service_cost[k] / population / 2;
        if (services[k] == "crisis" || services[k] == "acute") beds += 2 * a.service_activity[k][1] / 2;  // days
      }
      tc += b.partner_cost[trust] / 2;
      if (y == 1) w2 = b.service_kpi[cmht * ld::kServiceKpis + static_cast<std::size_t>(ld::ServiceKpi::kMeanWait)];
    }
    trust_year1.push_back(t1);
    practices_per_head.push_back(gp);
    trust_cost.push_back(tc);
    wait_year2.push_back(w2);
    bed_days.push_back(beds);
  }
  const auto mean = [](const std::vector<double>& x) {
    double sum = 0;
    for (const double v : x) sum += v;
    return sum / static_cast<double>(x.size());
  };
  CHECK(find(got, "arms.block.contracts[0].annual") == Approx(type7(trust_year1, 0.5)).epsilon(1e-12));
  CHECK(find(got, "arms.alliance.contracts[0].per_head") == Approx(mean(practices_per_head)).epsilon(1e-12));
  CHECK(find(got, "partners.trust.reserves") == Approx(0.1 * mean(trust_cost)).epsilon(1e-12));
  CHECK(find(got, "arms.alliance.contracts[1].kras[1].thresholds[2]") == Approx(type7(wait_year2, 0.25)).epsilon(1e-12));
  CHECK(find(got, "arms.alliance.contracts[1].reward_pool") == Approx(mean(bed_days)).epsilon(1e-12));
  // The pass measured something: a cost is not the file's figure, nor zero.
  CHECK(find(got, "arms.block.contracts[0].annual") > 0);
  CHECK(find(got, "arms.block.contracts[0].annual") != 540000);

  // The same numbers, bit for bit, at one thread.
  const std::vector<ResolvedNumber> one = mhsim::pipeline::resolve_derived(s, 1);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(one[i].value == got[i].value);
}

TEST_CASE("derived: a key set by --set keeps its value, and a value the scenario refuses is named at its rule",
          "[pipeline][derived]") {
  const sc::PathwayScenario s = sc::apply_settings(derived_scenario(), {"arms.block.contracts[0].annual=600000"});
  const std::vector<ResolvedNumber> got = mhsim::pipeline::resolve_derived(s, 2);
  CHECK(got[0].kept);
  CHECK(got[0].value == 600000);
  const sc::PathwayScenario applied = mhsim::pipeline::apply_derived(s, got);
  CHECK(sc::number_at(applied, "arms.block.contracts[0].annual") == 600000.0);
  CHECK(sc::number_at(applied, "partners.trust.reserves") == got[2].value);
  CHECK(applied.derived_record.size() == 5);
  CHECK(applied.settings.size() == 5);  // the --set, and the four rules applied

  // A year that `--set run.years=1` removed after loading is an error at the rule, not a 0.
  try {
    (void)mhsim::pipeline::resolve_derived(sc::apply_settings(derived_scenario(), {"run.years=1"}), 2);
    FAIL("a rule measured a year the run does not simulate");
  } catch (const sc::ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].key == "derived.arms.alliance.contracts[1].kras[1].thresholds[2].year");
  }

  // Ten times the wait puts the KRA's "minimum" level above its "poor" one (45 days).
  sc::PathwayScenario bad = derived_scenario();
  bad.derived[3].scale = 10;
  try {
    mhsim::pipeline::with_derived(bad, 2);
    FAIL("a refused value was applied");
  } catch (const sc::ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].key == "derived.arms.alliance.contracts[1].kras[1].thresholds[2]");
    CHECK(e.diagnostics()[0].line > 0);
    CHECK(e.diagnostics()[0].got.find("above poor (45)") != std::string::npos);
  }
}

TEST_CASE("derived: a run records each value and its rule, and the stored scenario settles with them",
          "[pipeline][derived]") {
  sc::PathwayScenario s = derived_scenario();
  s.run.replications = 2;
  const std::vector<ResolvedNumber> expected = mhsim::pipeline::resolve_derived(s, 2);
  mhsim::pipeline::RunConfig config;
  config.out = scratch("derived.h5").string();
  config.threads = 2;
  REQUIRE(mhsim::pipeline::run_pathway(s, config).completed);  // resolved inside: the scenario has no variant
  const mhsim::analysis::ResultsReader file(config.out);
  const std::string record = file.string_attribute("derived");
  CHECK(record.find("arms.block.contracts[0].annual = ") == 0);
  CHECK(record.find("the median over 6 baseline replications") != std::string::npos);
  const sc::PathwayScenario stored = mhsim::analysis::stored_scenario(file, config.out);
  for (const ResolvedNumber& n : expected) CHECK(sc::number_at(stored, n.key) == n.value);
  fs::remove_all(scratch("").parent_path());
}
