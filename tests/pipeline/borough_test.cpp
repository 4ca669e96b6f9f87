// SPDX-License-Identifier: MIT
// mhsim init's borough (pipeline/borough.cpp) from the shipped default scenario: stated
// inputs written as given, sizes scaled by the demand ratio worked out here by hand, contract
// amounts and KRA levels moved by the baseline pass's cost and KPI ratios recomputed here
// from the simulation's own results (not through the code under test), every other line
// the template's, the same text at any thread count, and every bad input named at once.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "engine/random.hpp"
#include "models/ledger/ledger.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/schema/source.hpp"
#include "pipeline/borough.hpp"

namespace sc = mhsim::scenario;
namespace pw = mhsim::models::pathway;
namespace ld = mhsim::models::ledger;
using mhsim::pipeline::BoroughInputs;
using mhsim::pipeline::init_borough;

namespace {

const std::string kDefault = std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml";
constexpr std::uint64_t kPilot = 4;

double written_at(const sc::PathwayScenario& s, const std::string& key) {
  for (const sc::WrittenNumber& w : sc::written_numbers(s)) {
    if (w.key == key) return w.value;
  }
  FAIL("no number at " << key);
  return 0;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// Yearly mean over replications 0..R-1 of `f(result)` (the baseline pass's replications).
template <class F>
double pass_mean(const sc::PathwayScenario& s, std::uint64_t R, F f) {
  double sum = 0;
  for (std::uint64_t r = 0; r < R; ++r) {
    sum += f(pw::simulate_pathway(s.spec, mhsim::engine::RandomStreams(s.run.seed, r)));
  }
  return sum / static_cast<double>(R) / static_cast<double>(s.spec.years);
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& n) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == n) return i;
  }
  FAIL("no " << n);
  return 0;
}

}  // namespace

TEST_CASE("init: twice the population at the template's rates doubles every size, and every other line is the template's",
          "[pipeline][init]") {
  const sc::PathwayScenario tmpl = sc::load_pathway_scenario(kDefault);
  BoroughInputs in;
  in.population = 2 * tmpl.spec.population.size;
  in.pilot_replications = kPilot;
  const mhsim::pipeline::Borough b = init_borough(tmpl, in);
  CHECK(b.demand_ratio == 2.0);  // same rates, twice the people: exactly 2
  const sc::PathwayScenario out = sc::parse_pathway_scenario(b.text, "borough.toml");
  CHECK(out.spec.population.size == in.population);
  for (std::size_t s = 0; s < tmpl.spec.services.size(); ++s) {
    INFO(tmpl.spec.services[s].name);
    CHECK(out.spec.services[s].capacity == 2 * tmpl.spec.services[s].capacity);
    // Fixed yearly costs are derived numbers: 4 significant figures.
    CHECK(out.spec.services[s].annual_fixed_cost == Approx(2 * tmpl.spec.services[s].annual_fixed_cost).epsilon(5e-4));
  }
  for (std::size_t i = 0; i < tmpl.spec.initial.size(); ++i) {
    CHECK(out.spec.initial[i].in_service == 2 * tmpl.spec.initial[i].in_service);
    CHECK(out.spec.initial[i].waiting == 2 * tmpl.spec.initial[i].waiting);
  }
  for (std::size_t g = 0; g < tmpl.spec.population.groups.size(); ++g) {
    CHECK(out.spec.population.groups[g].rate_per_1000_per_year == tmpl.spec.population.groups[g].rate_per_1000_per_year);
  }
  // The header, then the template line for line: each line as it was, or changed with a comment saying how.
  const std::vector<std::string> t = lines_of(tmpl.text), o = lines_of(b.text);
  std::size_t header = 0;
  while (header < o.size() && o[header].rfind("#", 0) == 0 && o[header] != t.front()) ++header;
  REQUIRE(o.size() == t.size() + header);
  std::size_t changed = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (o[header + i] == t[i]) continue;
    INFO(t[i] << "\n -> " << o[header + i]);
    const bool name_line = t[i].rfind("name = ", 0) == 0;
    CHECK((name_line || o[header + i].find("# mhsim init: ") != std::string::npos));
    ++changed;
  }
  // A line holds one derived number or several (an inline table, a KRA's levels), plus the name.
  CHECK(changed <= b.derived.size() + 1);
  CHECK(changed > 40);
}

TEST_CASE("init: contract amounts and KRA levels move with the simulated cost and KPI of what they cover", "[pipeline][init]") {
  const sc::PathwayScenario tmpl = sc::load_pathway_scenario(kDefault);
  BoroughInputs in;
  in.population = 150000;
  in.rates = {{"smi", 4.0}};
  in.pilot_replications = kPilot;
  const mhsim::pipeline::Borough b = init_borough(tmpl, in);
  const sc::PathwayScenario out = sc::parse_pathway_scenario(b.text, "borough.toml");
  // The block trust's block contract covers every slam service in arm block: its yearly cost
  // is slam's partner cost there (one-off costs included), read straight off the results.
  const std::size_t block = index_of(tmpl.source->names_of("arms"), "block");
  const std::size_t living_well = index_of(tmpl.source->names_of("arms"), "living_well");
  const std::size_t slam = index_of(tmpl.source->names_of("partners"), "slam");
  const auto slam_cost = [&](const sc::PathwayScenario& s) {
    const std::size_t P = s.spec.partners.size();
    return pass_mean(s, kPilot, [&](const pw::PathwayResult& r) {
      double c = 0;
      for (std::size_t y = 0; y < static_cast<std::size_t>(s.spec.years); ++y) c += r.arms[block].partner_cost[y * P + slam];
      return c;
    });
  };
  const double cost_ratio = slam_cost(out) / slam_cost(tmpl);
  const double annual = written_at(out, "arms.block.contracts[0].annual");
  INFO("cost ratio " << cost_ratio);
  CHECK(annual == Approx(29000000 * cost_ratio).epsilon(5e-4));  // 4 significant figures
  CHECK(written_at(out, "partners.slam.reserves") == Approx(3000000 * cost_ratio).epsilon(5e-4));
  // The alliance's readmissions KRA: its levels move with readmissions in arm living_well.
  const auto readmissions = [&](const sc::PathwayScenario& s) {
    return pass_mean(s, kPilot, [&](const pw::PathwayResult& r) {
      double k = 0;
      for (std::size_t y = 0; y < static_cast<std::size_t>(s.spec.years); ++y) {
        k += r.arms[living_well].system[y * ld::kSystemKpis + static_cast<std::size_t>(ld::SystemKpi::kReadmissions)];
      }
      return k;
    });
  };
  const double kpi_ratio = readmissions(out) / readmissions(tmpl);
  INFO("KPI ratio " << kpi_ratio);
  const double levels[5] = {55, 51, 46, 37, 28};  // the template's
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(written_at(out, "arms.living_well.contracts[2].kras[2].thresholds[" + std::to_string(i) + "]") ==
          Approx(levels[i] * kpi_ratio).epsilon(5e-4));
  }
  // Stated: the rate as given; the demand ratio by hand from the template's rates
  // (cmd 40, smi 3, complex 0.3, latent 6 per 1,000), and the demand-surge variant's smi
  // rate still 15% above its base.
  CHECK(out.spec.population.groups[1].rate_per_1000_per_year == 4.0);
  CHECK(b.demand_ratio == Approx(150000.0 * (40 + 4 + 0.3 + 6) / (320000.0 * (40 + 3 + 0.3 + 6))).epsilon(1e-12));
  const sc::PathwayScenario surge = sc::parse_pathway_scenario(b.text, "borough.toml");
  bool found = false;
  for (const sc::ScenarioVariant& v : surge.variants) {
    for (std::size_t i = 0; v.name == "demand_surge" && i < v.keys.size(); ++i) {
      if (v.keys[i] != "groups.smi.rate_per_1000_per_year") continue;
      CHECK(v.values[i] == Approx(3.45 * 4.0 / 3.0).epsilon(5e-4));
      found = true;
    }
  }
  CHECK(found);
}

TEST_CASE("init: a stated rate moves each service by its own demand, the referrals its need groups send it",
          "[pipeline][init]") {
  // SMI's rate up by half at the template's size: the community team and rehabilitation, which
  // SMI uses, must grow by more than the demand ratio; talking therapies, used mostly by the
  // common-mental-disorder group, by less. Expected: the template's capacity x the size ratio x
  // the service's referrals (summed over arms and years) with the new rate against without,
  // from the simulation's results read here.
  const sc::PathwayScenario tmpl = sc::load_pathway_scenario(kDefault);
  BoroughInputs in;
  in.population = 240000;
  in.rates = {{"smi", 4.5}};
  in.pilot_replications = kPilot;
  const mhsim::pipeline::Borough b = init_borough(tmpl, in);
  const sc::PathwayScenario out = sc::parse_pathway_scenario(b.text, "borough.toml");
  sc::PathwayScenario rated = sc::load_pathway_scenario(kDefault);
  const std::size_t smi = index_of(tmpl.source->names_of("groups"), "smi");
  rated.spec.population.groups[smi].rate_per_1000_per_year = 4.5;
  const auto referrals = [&](const sc::PathwayScenario& s, std::size_t service) {
    return pass_mean(s, kPilot, [&](const pw::PathwayResult& r) {
      double n = 0;
      for (const auto& arm : r.arms) {
        for (std::size_t y = 0; y < static_cast<std::size_t>(s.spec.years); ++y) n += arm.svc(y, service, ld::ServiceKpi::kReferrals);
      }
      return n;
    });
  };
  const std::vector<std::string> names = tmpl.source->names_of("services");
  const double size = 240000.0 / 320000.0;
  for (const std::string name : {"cmht", "rehab", "talking_therapies", "crisis"}) {
    const std::size_t s = index_of(names, name);
    const double k = size * referrals(rated, s) / referrals(tmpl, s);
    INFO(name << ": demand ratio " << k << " against the overall " << b.demand_ratio);
    CHECK(out.spec.services[s].capacity == std::llround(static_cast<double>(tmpl.spec.services[s].capacity) * k));
    if (name == std::string("talking_therapies")) {
      CHECK(k < b.demand_ratio);
    } else if (name != std::string("crisis")) {
      CHECK(k > b.demand_ratio);
    }
  }
  // A starting caseload moves with its service's ratio too (initial[0] is the community team's).
  const std::size_t cmht = index_of(names, "cmht");
  REQUIRE(tmpl.spec.initial[0].service == cmht);
  CHECK(static_cast<double>(out.spec.initial[0].in_service) ==
        Approx(static_cast<double>(tmpl.spec.initial[0].in_service) * static_cast<double>(out.spec.services[cmht].capacity) /
               static_cast<double>(tmpl.spec.services[cmht].capacity)).epsilon(0.01));
}

TEST_CASE("init: a stated capacity and budget are written, the text is the same at any thread count", "[pipeline][init]") {
  const sc::PathwayScenario tmpl = sc::load_pathway_scenario(kDefault);
  BoroughInputs in;
  in.population = 200000;
  in.capacities = {{"acute", 31}, {"peer_support", 12}};  // peer_support has no capacity in the template: inserted
  in.budget = 41000000;
  in.pilot_replications = kPilot;
  in.threads = 1;
  const mhsim::pipeline::Borough one = init_borough(tmpl, in);
  in.threads = 2;
  const mhsim::pipeline::Borough two = init_borough(tmpl, in);
  CHECK(one.text == two.text);
  const sc::PathwayScenario out = sc::parse_pathway_scenario(one.text, "borough.toml");
  const std::size_t acute = index_of(tmpl.source->names_of("services"), "acute");
  const std::size_t peer = index_of(tmpl.source->names_of("services"), "peer_support");
  CHECK(out.spec.services[acute].capacity == 31);
  CHECK(out.spec.services[peer].capacity == 12);
  CHECK(out.analysis.commissioner_budget == 41000000);
  CHECK(one.text.find("commissioner_budget = 41000000   # mhsim init: stated") != std::string::npos);
}

TEST_CASE("init: every bad input is named at once", "[pipeline][init]") {
  const sc::PathwayScenario tmpl = sc::load_pathway_scenario(kDefault);
  BoroughInputs in;
  in.population = 0;
  in.rates = {{"anxiety", 5}, {"smi", 3}, {"smi", 4}};
  in.capacities = {{"wards", 10}};
  try {
    (void)init_borough(tmpl, in);
    FAIL("accepted");
  } catch (const sc::ScenarioError& e) {
    std::string keys;
    for (const sc::Diagnostic& d : e.diagnostics()) keys += d.key + " ";
    CHECK(keys == "--rate --rate --capacity --population ");
    CHECK(e.diagnostics()[0].got == "\"anxiety\"");
  }
}

TEST_CASE("init --derived: the pass's numbers are also rules whose scale is the template's relation to what they measure",
          "[pipeline][init]") {
  const sc::PathwayScenario tmpl = sc::load_pathway_scenario(kDefault);
  BoroughInputs in;
  in.population = 150000;
  in.pilot_replications = kPilot;
  in.derived = true;
  const mhsim::pipeline::Borough b = init_borough(tmpl, in);
  const sc::PathwayScenario out = sc::parse_pathway_scenario(b.text, "borough.toml");
  CHECK(out.baseline_replications == kPilot);  // the pass's replications, stated in [run]
  const auto rule = [&](const std::string& key) -> const sc::DerivedNumber& {
    for (const sc::DerivedNumber& d : out.derived) {
      if (d.name == key) return d;
    }
    FAIL("no [derived] rule for " << key);
    return out.derived.front();
  };
  // The block contract: the template's £29m over slam's cost in arm block (what it covers),
  // both by hand from the template's own replications 0..R-1.
  const std::size_t block = index_of(tmpl.source->names_of("arms"), "block");
  const std::size_t living_well = index_of(tmpl.source->names_of("arms"), "living_well");
  const std::size_t slam = index_of(tmpl.source->names_of("partners"), "slam");
  const std::size_t P = tmpl.spec.partners.size(), Y = static_cast<std::size_t>(tmpl.spec.years);
  const double slam_cost = pass_mean(tmpl, kPilot, [&](const pw::PathwayResult& r) {
    double c = 0;
    for (std::size_t y = 0; y < Y; ++y) c += r.arms[block].partner_cost[y * P + slam];
    return c;
  });
  const sc::DerivedNumber& annual = rule("arms.block.contracts[0].annual");
  CHECK(annual.quantity == sc::DerivedQuantity::kContractCost);
  CHECK(annual.arm == mhsim::schema::kNone);  // its own arm
  CHECK(annual.scale == Approx(29000000 / slam_cost).epsilon(5e-4));  // 4 significant figures
  const sc::DerivedNumber& reserves = rule("partners.slam.reserves");
  CHECK(reserves.quantity == sc::DerivedQuantity::kPartnerCost);
  CHECK(reserves.partner == slam);
  CHECK(reserves.arm == 0);
  CHECK(reserves.scale == Approx(3000000 / slam_cost).epsilon(5e-4));
  // A level of the readmissions KRA: 46 over readmissions in arm living_well.
  const double readmissions = pass_mean(tmpl, kPilot, [&](const pw::PathwayResult& r) {
    double k = 0;
    for (std::size_t y = 0; y < Y; ++y) {
      k += r.arms[living_well].system[y * ld::kSystemKpis + static_cast<std::size_t>(ld::SystemKpi::kReadmissions)];
    }
    return k;
  });
  const sc::DerivedNumber& level = rule("arms.living_well.contracts[2].kras[2].thresholds[2]");
  CHECK(level.quantity == sc::DerivedQuantity::kKpi);
  CHECK(level.kpi_name == "readmissions");
  CHECK(level.scale == Approx(46 / readmissions).epsilon(5e-4));
  // The figures written are init's own; without --derived the text has no rules.
  in.derived = false;
  const mhsim::pipeline::Borough plain = init_borough(tmpl, in);
  CHECK(plain.text.find("[derived.") == std::string::npos);
  CHECK(written_at(out, "arms.block.contracts[0].annual") ==
        written_at(sc::parse_pathway_scenario(plain.text, "plain.toml"), "arms.block.contracts[0].annual"));
}
