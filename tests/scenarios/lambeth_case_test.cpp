// SPDX-License-Identifier: MIT
// The Lambeth reproduction's contracts as the sources describe them (issue 15 item 5): the
// alliance is the rehabilitation alliance (IPSA) of five organisations [SEED 001] — SLaM,
// Certitude, Thames Reach and the London Borough of Lambeth as members, Lambeth CCG and the
// council as the commissioners pooling its budget — scoped to rehabilitation wards and
// placements, while the Living Well network and the rest of secondary care are on other
// contracts. Checked on the shipped scenario as loaded, and on a real run through the binary
// (each service's cost reaches one contract, the alliance settles on its scope, payouts
// conserve money).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "analysis/results_file.hpp"
#include "cli/process.hpp"
#include "models/contracts/settlement.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace fs = std::filesystem;
namespace contracts = mhsim::models::contracts;
namespace pathway = mhsim::models::pathway;

namespace {

const std::string kLambeth = std::string(MHSIM_SOURCE_DIR) + "/scenarios/lambeth_living_well.toml";

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  REQUIRE(it != names.end());
  return static_cast<std::size_t>(it - names.begin());
}

struct Names {
  std::vector<std::string> partners, services, arms;
  std::vector<std::size_t> owner;  // [S] each service's partner
};

Names names_of(const mhsim::scenario::PathwayScenario& sc) {
  Names n;
  for (const auto& p : sc.spec.partners) n.partners.push_back(p.name);
  for (const auto& s : sc.spec.services) {
    n.services.push_back(s.name);
    n.owner.push_back(s.partner);
  }
  for (const auto& a : sc.spec.arms) n.arms.push_back(a.name);
  return n;
}

// The partners a contract pays, read from its terms (not from contracts::pays).
std::set<std::size_t> paid(const contracts::Contract& c) {
  return std::visit(
      [](const auto& t) {
        using T = std::decay_t<decltype(t)>;
        std::set<std::size_t> out;
        if constexpr (std::is_same_v<T, contracts::AllianceTerms>) {
          for (const auto& m : t.members) out.insert(m.partner);
        } else {
          out.insert(t.partner);
        }
        return out;
      },
      c.terms);
}

// [S] the contracts whose cost each service reaches, by the rule of docs/contracts.md
// ("Several contracts for one partner"), worked out here afresh: a contract naming services
// covers those; a contract without them covers the services of the partners it pays that
// no contract names.
std::vector<std::vector<std::string>> reached(const contracts::Terms& terms, const Names& n) {
  std::vector<bool> named(n.services.size(), false);
  for (const auto& c : terms.contracts) {
    for (std::size_t s = 0; s < c.services.size(); ++s) named[s] = named[s] || c.services[s];
  }
  std::vector<std::vector<std::string>> out(n.services.size());
  for (const auto& c : terms.contracts) {
    const std::set<std::size_t> partners = paid(c);
    for (std::size_t s = 0; s < n.services.size(); ++s) {
      const bool covers = c.scoped() ? c.services.at(s) : (partners.count(n.owner[s]) > 0 && !named[s]);
      if (covers) out[s].push_back(c.name);
    }
  }
  return out;
}

const contracts::Contract& alliance_of(const contracts::Terms& terms) {
  const contracts::Contract* found = nullptr;
  for (const auto& c : terms.contracts) {
    if (std::holds_alternative<contracts::AllianceTerms>(c.terms)) {
      REQUIRE(found == nullptr);
      found = &c;
    }
  }
  REQUIRE(found != nullptr);
  return *found;
}

}  // namespace

TEST_CASE("Lambeth case: the alliance is the rehabilitation alliance of the five organisations, scoped to rehabilitation",
          "[scenario][lambeth]") {
  const auto sc = mhsim::scenario::load_pathway_scenario(kLambeth);
  const Names n = names_of(sc);
  const std::size_t lw = index_of(n.arms, "living_well");
  const contracts::Contract& alliance = alliance_of(sc.contracts.at(lw).terms);
  const auto& terms = std::get<contracts::AllianceTerms>(alliance.terms);

  // Its scope: exactly the rehabilitation wards and the placements, nothing of the network.
  REQUIRE(alliance.scoped());
  std::set<std::string> scope;
  for (std::size_t s = 0; s < n.services.size(); ++s) {
    if (alliance.services.at(s)) scope.insert(n.services[s]);
  }
  CHECK(scope == std::set<std::string>{"rehab", "placement"});
  for (std::size_t s = 0; s < n.services.size(); ++s) {
    const pathway::ServiceKind kind = sc.spec.services[s].kind;
    const bool rehabilitation = kind == pathway::ServiceKind::kRehab || kind == pathway::ServiceKind::kPlacement;
    INFO(n.services[s]);
    CHECK(alliance.services.at(s) == rehabilitation);
  }

  // Its members: the four providers of the five organisations [SEED 001] (brief 2.5).
  std::set<std::string> members;
  for (const auto& m : terms.members) members.insert(n.partners.at(m.partner));
  CHECK(members == std::set<std::string>{"slam", "certitude", "thames_reach", "council"});
  CHECK(sc.spec.partners.at(index_of(n.partners, "slam")).kind == "nhs_trust");
  CHECK(sc.spec.partners.at(index_of(n.partners, "certitude")).kind == "vcse");
  CHECK(sc.spec.partners.at(index_of(n.partners, "thames_reach")).kind == "vcse");
  CHECK(sc.spec.partners.at(index_of(n.partners, "council")).kind == "local_authority");
  // Every service in its scope belongs to a member.
  for (std::size_t s = 0; s < n.services.size(); ++s) {
    if (alliance.services.at(s)) CHECK(members.count(n.partners.at(n.owner[s])) == 1);
  }

  // The commissioners of the five, the CCG and the council, pool its budget.
  std::vector<std::string> commissioners;
  for (const auto& k : sc.commissioners) commissioners.push_back(k.name);
  CHECK(commissioners == std::vector<std::string>{"lambeth_ccg", "lambeth_council"});
  REQUIRE(alliance.funders.size() == 2);
  CHECK(alliance.funders[0] > 0);
  CHECK(alliance.funders[1] > 0);
  CHECK(alliance.funders[0] + alliance.funders[1] == Approx(1.0).epsilon(1e-12));

  // Its target is the block arm's cost of the same services (not the members' whole cost).
  REQUIRE(terms.target_rule.has_value());
  CHECK(terms.target_rule->arm == index_of(n.arms, "block"));
}

TEST_CASE("Lambeth case: each service's cost reaches exactly one contract in each arm", "[scenario][lambeth]") {
  const auto sc = mhsim::scenario::load_pathway_scenario(kLambeth);
  const Names n = names_of(sc);
  // The wider system where unmet need presents is in no contract of either arm.
  REQUIRE(n.arms == std::vector<std::string>{"block", "living_well"});
  REQUIRE(std::count(sc.spec.arms[0].enabled.begin(), sc.spec.arms[0].enabled.end(), true) == 14);
  REQUIRE(std::count(sc.spec.arms[1].enabled.begin(), sc.spec.arms[1].enabled.end(), true) == 17);
  const std::set<std::string> outside = {"acute_trust", "ambulance", "police"};
  for (std::size_t a = 0; a < n.arms.size(); ++a) {
    const contracts::Terms& terms = sc.contracts.at(a).terms;
    REQUIRE_FALSE(terms.contracts.empty());
    const auto by_rule = reached(terms, n);
    const std::vector<std::size_t> by_settlement = contracts::covering(terms, n.owner);
    for (std::size_t s = 0; s < n.services.size(); ++s) {
      INFO("arm " << n.arms[a] << ", service " << n.services[s]);
      if (outside.count(n.partners.at(n.owner[s]))) {
        CHECK(by_rule[s].empty());
        continue;
      }
      // A service the arm does not have (the block arm has no network) costs nothing there.
      if (!sc.spec.arms[a].enabled.at(s)) continue;
      REQUIRE(by_rule[s].size() == 1);
      // Settlement places the service's cost in the same contract.
      REQUIRE(by_settlement.at(s) < terms.contracts.size());
      CHECK(terms.contracts[by_settlement[s]].name == by_rule[s].front());
    }
  }
  // In the Living Well arm, by name: the network and the rest of secondary care are outside
  // the alliance.
  const std::size_t lw = index_of(n.arms, "living_well");
  const auto by_rule = reached(sc.contracts.at(lw).terms, n);
  const std::map<std::string, std::string> expected = {
      {"gp", "gp_outcomes"},
      {"talking_therapies", "slam_block"},
      {"front_door", "living_well_network_slam"},
      {"peer_support", "living_well_network_certitude"},
      {"cmht", "slam_block"},
      {"crisis", "slam_block"},
      {"acute", "slam_block"},
      {"out_of_area", "out_of_area_beds"},
      {"rehab", "rehab_alliance"},
      {"placement", "rehab_alliance"},
      {"alliance_support", "living_well_network_certitude"},
      {"liaison", "slam_block"},
      {"crisis_line", "slam_block"},
  };
  for (const auto& [service, contract] : expected) {
    INFO(service);
    const auto& got = by_rule.at(index_of(n.services, service));
    REQUIRE(got.size() == 1);
    CHECK(got.front() == contract);
  }
}

TEST_CASE("Lambeth case: a run settles the alliance on its scope and its payouts conserve money", "[scenario][lambeth][cli]") {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_lambeth_case_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / "lambeth.h5";
  const auto run = mhsim::test::run_process(
      {MHSIM_BINARY, "run", kLambeth, "--reps", "3", "--threads", "2", "--out", out.string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  const auto sc = mhsim::scenario::load_pathway_scenario(kLambeth);
  const Names n = names_of(sc);
  const mhsim::analysis::ResultsReader file(out.string());
  const std::vector<double> cost = file.read_double("ledger/cost");                 // [R][A][Y][S][M]
  const std::vector<double> partner = file.read_double("payouts/partner");          // [R][A][Y][P][F]
  const std::vector<double> arm = file.read_double("payouts/arm");                  // [R][A][Y][G]
  const std::vector<double> commissioner = file.read_double("payouts/commissioner");  // [R][A][Y][C]
  const auto shape = file.shape("ledger/cost");
  const std::size_t R = shape.at(0), A = shape.at(1), Y = shape.at(2), S = shape.at(3), M = shape.at(4);
  const std::size_t P = file.shape("payouts/partner").at(3), F = file.shape("payouts/partner").at(4);
  const std::size_t G = file.shape("payouts/arm").at(3), C = file.shape("payouts/commissioner").at(3);
  REQUIRE(R == 3);
  REQUIRE(S == n.services.size());
  REQUIRE(P == n.partners.size());
  CHECK(file.labels("payouts/commissioner_name") == std::vector<std::string>{"lambeth_ccg", "lambeth_council"});
  const auto partner_fields = file.labels("payouts/partner_field");
  const auto arm_fields = file.labels("payouts/arm_field");
  const std::size_t payment = index_of(partner_fields, "payment"), limb1 = index_of(partner_fields, "limb1"),
                    limb2 = index_of(partner_fields, "limb2"), gain_pain = index_of(partner_fields, "gain_pain");
  const std::size_t spend = index_of(arm_fields, "commissioner_spend"), actual = index_of(arm_fields, "actual");

  const auto service_cost = [&](std::size_t r, std::size_t a, std::size_t y, std::size_t s) {
    double c = 0;
    for (std::size_t m = 0; m < M; ++m) c += cost[(((r * A + a) * Y + y) * S + s) * M + m];
    return c;
  };
  const std::size_t lw = index_of(n.arms, "living_well");
  const std::size_t rehab = index_of(n.services, "rehab"), placement = index_of(n.services, "placement");
  const std::size_t certitude = index_of(n.partners, "certitude"), thames_reach = index_of(n.partners, "thames_reach");
  // Certitude's network contract, as the scenario states it.
  double certitude_annual = 0, certitude_indexation = 0;
  for (const auto& c : sc.contracts.at(lw).terms.contracts) {
    if (c.name == "living_well_network_certitude") {
      const auto& b = std::get<contracts::BlockTerms>(c.terms);
      certitude_annual = b.annual;
      certitude_indexation = b.indexation;
    }
  }
  REQUIRE(certitude_annual > 0);

  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t y = 0; y < Y; ++y) {
        INFO("replication " << r << ", arm " << n.arms[a] << ", year " << y);
        const double* g = &arm[((r * A + a) * Y + y) * G];
        const double* q = &partner[((r * A + a) * Y + y) * P * F];
        const double* k = &commissioner[((r * A + a) * Y + y) * C];
        // Money is conserved: what the commissioners spend is what the partners are paid,
        // and the two commissioners' spends add up to it.
        double payments = 0;
        for (std::size_t p = 0; p < P; ++p) payments += q[p * F + payment];
        CHECK(g[spend] == Approx(payments).epsilon(1e-12));
        CHECK(k[0] + k[1] == Approx(g[spend]).epsilon(1e-12));
        CHECK(k[0] > 0);
        CHECK(k[1] > 0);
        if (a != lw) continue;
        // The alliance's outturn is the cost of its scope, reimbursed as the members' Limb 1.
        const double scope = service_cost(r, a, y, rehab) + service_cost(r, a, y, placement);
        CHECK(g[actual] == Approx(scope).epsilon(1e-12));
        double limb1_total = 0;
        for (std::size_t p = 0; p < P; ++p) limb1_total += q[p * F + limb1];
        CHECK(limb1_total == Approx(scope).epsilon(1e-12));
        // The two charities have no modelled service in the scope: nothing in its limbs, and
        // Certitude is paid its network block contract, Thames Reach nothing.
        for (const std::size_t p : {certitude, thames_reach}) {
          CHECK(q[p * F + limb1] == 0.0);
          CHECK(q[p * F + limb2] == 0.0);
          CHECK(q[p * F + gain_pain] == 0.0);
        }
        double index = 1;
        for (std::size_t i = 0; i < y; ++i) index *= 1 + certitude_indexation;
        CHECK(q[certitude * F + payment] == Approx(certitude_annual * index).epsilon(1e-12));
        CHECK(q[thames_reach * F + payment] == 0.0);
      }
    }
  }
  fs::remove_all(dir);
}
