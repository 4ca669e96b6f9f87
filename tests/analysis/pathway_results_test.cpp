// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <hdf5.h>

#include "analysis/merge.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/results_file.hpp"

namespace fs = std::filesystem;
namespace pw = mhsim::models::pathway;
using mhsim::analysis::AttributeValue;
using mhsim::analysis::PathwaySummary;
using mhsim::analysis::ResultsReader;
using mhsim::analysis::ResultsWriter;
using mhsim::engine::Tally;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_pathway_results_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

void save(const fs::path& p, const std::vector<unsigned char>& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

constexpr std::size_t kArms = 2, kYears = 2, kServices = 3, kPartners = 2;

// 2 arms, 2 years, 3 services (owned by 2 partners), 2 need groups. Only what the schema
// reads (names, kinds, owners) matters here.
pw::PathwaySpec small_spec() {
  pw::PathwaySpec spec;
  spec.years = static_cast<int>(kYears);
  spec.partners = {{"trust", "nhs_trust"}, {"mind", "vcse"}};
  pw::ServiceSpec gp, cmht, front;
  gp.name = "gp";
  gp.kind = pw::ServiceKind::kGp;
  gp.partner = 0;
  cmht.name = "cmht";
  cmht.kind = pw::ServiceKind::kCmht;
  cmht.partner = 0;
  front.name = "living_well";
  front.kind = pw::ServiceKind::kFrontDoor;
  front.partner = 1;
  spec.services = {gp, cmht, front};
  pw::ArmSpec base, alliance;
  base.name = "block";
  alliance.name = "alliance";
  spec.arms = {base, alliance};
  pw::NeedGroup cmd, smi;
  cmd.name = "common";
  smi.name = "severe";
  spec.population.groups = {cmd, smi};
  return spec;
}

pw::ArmResult empty_arm() {
  pw::ArmResult a;
  a.years = kYears;
  a.services = kServices;
  a.partners = kPartners;
  a.activity.assign(kYears * kServices * pw::kMeasures, 0.0);
  a.cost.assign(kYears * kServices * pw::kMeasures, 0.0);
  a.partner_cost.assign(kYears * kPartners, 0.0);
  a.system.assign(kYears * pw::kSystemKpis, 0.0);
  a.service.assign(kYears * kServices * pw::kServiceKpis, 0.0);
  a.goals.assign(kYears * pw::kSiofDomains * pw::kGoalStatuses, 0.0);
  return a;
}

// Every cell distinct: value = f(dataset, rep, arm, flat index of (year, service, column)).
pw::PathwayResult distinct(std::uint64_t rep) {
  pw::PathwayResult r;
  for (std::size_t arm = 0; arm < kArms; ++arm) {
    pw::ArmResult a = empty_arm();
    const auto fill = [&](std::vector<double>& v, double dataset) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = dataset * 1e6 + static_cast<double>(rep) * 1e4 + static_cast<double>(arm) * 1e3 +
               static_cast<double>(i) + 0.25;
      }
    };
    fill(a.activity, 1);
    fill(a.cost, 2);
    fill(a.partner_cost, 3);
    fill(a.system, 4);
    fill(a.service, 5);
    fill(a.goals, 6);
    a.months = kYears * pw::kMonthsPerYear;
    a.monthly.assign(a.months * kServices * pw::kMonthlyMeasures, 0.0);
    fill(a.monthly, 7);
    a.arrived = 1000 * rep + 10 * arm + 1;
    a.exited = 1000 * rep + 10 * arm + 2;
    a.in_system = 1000 * rep + 10 * arm + 3;
    a.events = (std::uint64_t{1} << 40) + 1000 * rep + 10 * arm + 4;
    r.arms.push_back(std::move(a));
  }
  return r;
}

void require_same(const pw::PathwayResult& got, const pw::PathwayResult& want) {
  REQUIRE(got.arms.size() == want.arms.size());
  for (std::size_t a = 0; a < want.arms.size(); ++a) {
    INFO("arm " << a);
    const pw::ArmResult& g = got.arms[a];
    const pw::ArmResult& w = want.arms[a];
    CHECK(g.years == w.years);
    CHECK(g.services == w.services);
    CHECK(g.partners == w.partners);
    CHECK(g.activity == w.activity);
    CHECK(g.cost == w.cost);
    CHECK(g.partner_cost == w.partner_cost);
    CHECK(g.system == w.system);
    CHECK(g.service == w.service);
    CHECK(g.goals == w.goals);
    if (!w.monthly.empty()) {
      CHECK(g.months == w.months);
      CHECK(g.monthly == w.monthly);
    }
    CHECK(g.arrived == w.arrived);
    CHECK(g.exited == w.exited);
    CHECK(g.in_system == w.in_system);
    CHECK(g.events == w.events);
  }
}

bool same_tally(const Tally& a, const Tally& b) {
  const auto eq = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
  return a.count() == b.count() && eq(a.mean(), b.mean()) && eq(a.variance(), b.variance()) && eq(a.min(), b.min()) &&
         eq(a.max(), b.max());
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (const std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

const std::vector<std::string> kLabelPaths = {
    "arms/name",       "services/name",   "services/kind",    "services/partner", "partners/name",
    "partners/kind",   "groups/name",     "kpi/system_name",  "kpi/system_unit",  "kpi/service_name",
    "kpi/service_unit", "ledger/measure", "goals/domain",     "goals/status"};

}  // namespace

TEST_CASE("pathway results: every array reads back exactly, in memory and from a file", "[analysis]") {
  const pw::PathwaySpec spec = small_spec();
  const std::vector<pw::PathwayResult> results = {distinct(0), distinct(1), distinct(2)};
  const fs::path disk = scratch("roundtrip.h5");
  const fs::path image = scratch("roundtrip-image.h5");
  {
    ResultsWriter w(disk.string(), results.size());
    mhsim::analysis::define_pathway_datasets(w, spec);
    for (std::size_t i = 0; i < results.size(); ++i) mhsim::analysis::write_pathway_result(w, i, results[i]);
    w.commit();
  }
  {
    ResultsWriter w = ResultsWriter::in_memory(results.size());
    mhsim::analysis::define_pathway_datasets(w, spec);
    // Out of order: rows are addressed by replication.
    for (const std::size_t i : {2U, 0U, 1U}) mhsim::analysis::write_pathway_result(w, i, results[i]);
    save(image, w.image());
  }
  const ResultsReader from_disk(disk.string());
  const ResultsReader from_image(image.string());
  for (const ResultsReader* f : {&from_disk, &from_image}) {
    const std::vector<pw::PathwayResult> back = mhsim::analysis::read_pathway_results(*f);
    REQUIRE(back.size() == results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      INFO("replication " << i);
      require_same(back[i], results[i]);
    }
    const std::vector<pw::PathwayResult> middle = mhsim::analysis::read_pathway_results(*f, 1, 2);
    REQUIRE(middle.size() == 2);
    require_same(middle[0], results[1]);
    require_same(middle[1], results[2]);
    CHECK(f->uint_attribute("years") == kYears);
  }
  // Same datasets, byte for byte, whatever order rows were written in.
  CHECK(from_disk.datasets() == from_image.datasets());
  for (const std::string& path : from_disk.datasets()) {
    INFO(path);
    CHECK(from_disk.raw(path) == from_image.raw(path));
  }

  // Labels.
  CHECK(from_disk.labels("arms/name") == std::vector<std::string>{"block", "alliance"});
  CHECK(from_disk.labels("services/name") == std::vector<std::string>{"gp", "cmht", "living_well"});
  CHECK(from_disk.labels("services/kind") == std::vector<std::string>{"gp", "cmht", "front_door"});
  CHECK(from_disk.labels("services/partner") == std::vector<std::string>{"trust", "trust", "mind"});
  CHECK(from_disk.labels("partners/name") == std::vector<std::string>{"trust", "mind"});
  CHECK(from_disk.labels("partners/kind") == std::vector<std::string>{"nhs_trust", "vcse"});
  CHECK(from_disk.labels("groups/name") == std::vector<std::string>{"common", "severe"});
  CHECK(from_disk.labels("ledger/measure") ==
        std::vector<std::string>{"contacts", "days", "episodes", "team_years"});
  CHECK(from_disk.labels("goals/status").size() == pw::kGoalStatuses);
  CHECK(from_disk.labels("goals/domain").front() == "mental_wellbeing");
  const std::vector<std::string> system_names = from_disk.labels("kpi/system_name");
  REQUIRE(system_names.size() == pw::kSystemKpis);
  CHECK(from_disk.labels("kpi/system_unit").size() == pw::kSystemKpis);
  CHECK(from_disk.labels("kpi/service_name").size() == pw::kServiceKpis);
  CHECK(from_disk.labels("kpi/service_unit").size() == pw::kServiceKpis);
  for (std::size_t k = 0; k < pw::kSystemKpis; ++k) CHECK(system_names[k] == pw::system_kpis()[k].name);

  // Shapes and types, as the docs list them.
  const auto shape = [&](const std::string& p) { return from_disk.shape(p); };
  using S = std::vector<std::uint64_t>;
  CHECK(shape("ledger/activity") == S{3, 2, 2, 3, 4});
  CHECK(shape("ledger/cost") == S{3, 2, 2, 3, 4});
  CHECK(shape("ledger/partner_cost") == S{3, 2, 2, 2});
  CHECK(shape("kpi/system") == S{3, 2, 2, pw::kSystemKpis});
  CHECK(shape("kpi/service") == S{3, 2, 2, 3, pw::kServiceKpis});
  CHECK(shape("goals/by_domain") == S{3, 2, 2, 8, 6});
  for (const char* p : {"checks/arrived", "checks/exited", "checks/in_system", "checks/events"}) {
    CHECK(shape(p) == S{3, 2});
  }
  // Row-major: element [r, a, y, s, m] of ledger/cost.
  const std::vector<double> cost = from_disk.read_double("ledger/cost");
  CHECK(cost[(((2 * 2 + 1) * 2 + 1) * 3 + 2) * 4 + 3] == results[2].arms[1].cst(1, 2, pw::Measure::kTeamYears));
  CHECK(from_disk.read_uint("checks/events")[2 * 2 + 1] == results[2].arms[1].events);
  fs::remove_all(disk.parent_path());
}

TEST_CASE("pathway results: a block file carries its attributes and replications", "[analysis]") {
  const pw::PathwaySpec spec = small_spec();
  const std::vector<pw::PathwayResult> results = {distinct(5), distinct(6), distinct(7)};
  const std::map<std::string, AttributeValue> attrs = {
      {"model", std::string("pathway")}, {"seed", std::uint64_t{20261123}}, {"replications", std::uint64_t{10}},
      {"horizon_days", 730.0}};
  const fs::path path = scratch("block.h5");
  {
    ResultsWriter w = ResultsWriter::in_memory(results.size(), 5);
    mhsim::analysis::write_pathway_block(w, spec, attrs, 5, results);
    save(path, w.image());
  }
  const ResultsReader f(path.string());
  const auto got = f.attributes();
  CHECK(std::get<std::string>(got.at("model")) == "pathway");
  CHECK(std::get<std::uint64_t>(got.at("seed")) == 20261123);
  CHECK(std::get<std::uint64_t>(got.at("replications")) == 10);
  CHECK(std::get<double>(got.at("horizon_days")) == 730.0);
  CHECK(std::get<std::uint64_t>(got.at("first_replication")) == 5);
  CHECK(std::get<std::uint64_t>(got.at("replications_in_file")) == 3);
  CHECK(std::get<std::uint64_t>(got.at("years")) == kYears);
  const std::vector<pw::PathwayResult> back = mhsim::analysis::read_pathway_results(f);
  REQUIRE(back.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) require_same(back[i], results[i]);
  fs::remove_all(path.parent_path());
}

TEST_CASE("pathway results: h5dump lists every dataset with its shape", "[analysis]") {
  const std::string h5dump = run("command -v h5dump 2>/dev/null");
  if (h5dump.empty()) {
    WARN("SKIPPED: h5dump not found (Debian package hdf5-tools)");
    return;
  }
  const pw::PathwaySpec spec = small_spec();
  const fs::path path = scratch("dump.h5");
  {
    ResultsWriter w(path.string(), 3);
    mhsim::analysis::write_pathway_block(w, spec, {}, 0, {distinct(0), distinct(1), distinct(2)});
    w.commit();
  }
  const std::string K = std::to_string(pw::kSystemKpis), KS = std::to_string(pw::kServiceKpis);
  struct Expect {
    std::string path, type, dims;
  };
  std::vector<Expect> expected = {
      {"/ledger/activity", "H5T_IEEE_F64LE", "( 3, 2, 2, 3, 4 )"},
      {"/ledger/cost", "H5T_IEEE_F64LE", "( 3, 2, 2, 3, 4 )"},
      {"/ledger/partner_cost", "H5T_IEEE_F64LE", "( 3, 2, 2, 2 )"},
      {"/kpi/system", "H5T_IEEE_F64LE", "( 3, 2, 2, " + K + " )"},
      {"/kpi/service", "H5T_IEEE_F64LE", "( 3, 2, 2, 3, " + KS + " )"},
      {"/goals/by_domain", "H5T_IEEE_F64LE", "( 3, 2, 2, 8, 6 )"},
      {"/checks/arrived", "H5T_STD_U64LE", "( 3, 2 )"},
      {"/checks/exited", "H5T_STD_U64LE", "( 3, 2 )"},
      {"/checks/in_system", "H5T_STD_U64LE", "( 3, 2 )"},
      {"/checks/events", "H5T_STD_U64LE", "( 3, 2 )"},
      {"/arms/name", "H5T_STRING", "( 2 )"},
      {"/services/partner", "H5T_STRING", "( 3 )"},
      {"/partners/kind", "H5T_STRING", "( 2 )"},
      {"/kpi/system_name", "H5T_STRING", "( " + K + " )"},
      {"/kpi/service_unit", "H5T_STRING", "( " + KS + " )"},
      {"/goals/domain", "H5T_STRING", "( 8 )"},
      {"/goals/status", "H5T_STRING", "( 6 )"},
  };
  std::string command = "h5dump -H";
  for (const Expect& e : expected) command += " -d " + e.path;
  const std::string out = run(command + " '" + path.string() + "' 2>&1");
  INFO(out);
  for (const Expect& e : expected) {
    INFO(e.path);
    const std::size_t at = out.find("DATASET \"" + e.path + "\" {");
    REQUIRE(at != std::string::npos);
    const std::size_t end = out.find("\n}", at);
    const std::string block = out.substr(at, end - at);
    CHECK(block.find(e.type) != std::string::npos);
    CHECK(block.find("DATASPACE  SIMPLE { " + e.dims + " / " + e.dims + " }") != std::string::npos);
  }
  // And the whole listing has every group.
  const std::string all = run("h5dump -H '" + path.string() + "' 2>&1");
  for (const char* g : {"arms", "services", "partners", "groups", "kpi", "ledger", "goals", "checks"}) {
    CHECK(all.find("GROUP \"" + std::string(g) + "\"") != std::string::npos);
  }
  fs::remove_all(path.parent_path());
}

TEST_CASE("pathway results: a result whose shape disagrees is refused, naming it", "[analysis]") {
  ResultsWriter w = ResultsWriter::in_memory(1);
  mhsim::analysis::define_pathway_datasets(w, small_spec());
  pw::PathwayResult r = distinct(0);
  r.arms[1].cost.pop_back();
  CHECK_THROWS_WITH(mhsim::analysis::write_pathway_result(w, 0, r),
                    Catch::Contains("replication 0, arm 1") && Catch::Contains("ledger/cost"));
  PathwaySummary s(kArms, kYears, kServices, kPartners);
  CHECK_THROWS_AS(s.add(r), std::invalid_argument);
  CHECK(s.replications() == 0);
}

namespace {
// Hand-made replications for the summary: arm 0's cost sits in (year y, service 0, contacts).
pw::PathwayResult costs(double base_y0, double base_y1, double arm1_y0, double arm1_y1) {
  pw::PathwayResult r{{empty_arm(), empty_arm()}};
  const auto put = [](pw::ArmResult& a, double y0, double y1) {
    a.cost[(0 * kServices + 0) * pw::kMeasures + 0] = y0;
    a.cost[(1 * kServices + 0) * pw::kMeasures + 0] = y1;
  };
  put(r.arms[0], base_y0, base_y1);
  put(r.arms[1], arm1_y0, arm1_y1);
  return r;
}
double& sys(pw::ArmResult& a, std::size_t y, pw::SystemKpi k) {
  return a.system[y * pw::kSystemKpis + static_cast<std::size_t>(k)];
}
}  // namespace

TEST_CASE("pathway summary: totals, means and variances against hand-computed values", "[analysis]") {
  using K = pw::SystemKpi;
  // Arm 0 total costs 30, 36, 27: mean 31, squared deviations 1 + 25 + 16 = 42, variance 21.
  std::vector<pw::PathwayResult> reps = {costs(10, 20, 15, 25), costs(12, 24, 17, 29), costs(9, 18, 14, 23)};
  // System KPIs of replication 0, arm 0, and of arm 1 (the same plus 10 arrivals a year).
  for (std::size_t arm = 0; arm < 2; ++arm) {
    pw::ArmResult& a = reps[0].arms[arm];
    sys(a, 0, K::kArrivals) = 100 + 10.0 * static_cast<double>(arm);
    sys(a, 1, K::kArrivals) = 50 + 10.0 * static_cast<double>(arm);
    sys(a, 0, K::kInSystemAtYearEnd) = 7;
    sys(a, 1, K::kInSystemAtYearEnd) = 9;
    sys(a, 0, K::kGoalsProgressing) = 4;
    sys(a, 1, K::kGoalsProgressing) = 2;
    // Year 0: 3 improved, 1 decreased, mean change 2; year 1: 1, 2, 1 unchanged, mean change -1.
    sys(a, 0, K::kWemwbsImproved) = 3;
    sys(a, 0, K::kWemwbsDecreased) = 1;
    sys(a, 0, K::kWemwbsMeanChange) = 2;
    sys(a, 0, K::kShareImproved) = 0.75;
    sys(a, 1, K::kWemwbsImproved) = 1;
    sys(a, 1, K::kWemwbsDecreased) = 2;
    sys(a, 1, K::kWemwbsUnchanged) = 1;
    sys(a, 1, K::kWemwbsMeanChange) = -1;
    sys(a, 1, K::kShareImproved) = 0.25;
    a.service[(1 * kServices + 2) * pw::kServiceKpis + static_cast<std::size_t>(pw::ServiceKpi::kMeanWait)] = 12.5;
    a.partner_cost[1 * kPartners + 1] = 40;
  }
  const pw::ArmResult& a0 = reps[0].arms[0];
  CHECK(mhsim::analysis::whole_run_value(a0, K::kArrivals) == 150);
  CHECK(mhsim::analysis::whole_run_value(a0, K::kInSystemAtYearEnd) == 9);  // last year
  CHECK(mhsim::analysis::whole_run_value(a0, K::kGoalsProgressing) == 2);
  CHECK(mhsim::analysis::whole_run_value(a0, K::kWemwbsImproved) == 4);
  CHECK(mhsim::analysis::whole_run_value(a0, K::kWemwbsMeanChange) == 0.5);  // (2 x 4 - 1 x 4) / 8
  CHECK(mhsim::analysis::whole_run_value(a0, K::kShareImproved) == 0.5);     // 4 / 8
  CHECK(mhsim::analysis::whole_run_value(reps[1].arms[0], K::kShareImproved) == 0);  // nobody discharged
  CHECK(mhsim::analysis::whole_run_cost(a0) == 30);

  PathwaySummary s(kArms, kYears, kServices, kPartners);
  for (const auto& r : reps) s.add(r);
  CHECK(s.replications() == 3);
  CHECK(s.total_cost(0).mean() == Approx(31));
  CHECK(s.total_cost(0).variance() == Approx(21));
  CHECK(s.total_cost(1).mean() == Approx(41));
  // Arm 1 = arm 0 + 10 in every replication: the paired difference has no variance.
  CHECK(s.paired_cost_difference(1).mean() == Approx(10));
  CHECK(s.paired_cost_difference(1).variance() == Approx(0).margin(1e-12));
  CHECK(s.crn_variance_ratio(1) == Approx(0).margin(1e-12));
  CHECK(std::isnan(s.crn_variance_ratio(0)));
  CHECK(s.paired_cost_difference(0).mean() == 0);

  // Per-year and whole-run KPIs: year 0 arrivals 100, 0, 0 (mean 100/3, variance 10000/3).
  CHECK(s.system(0, 0, K::kArrivals).mean() == Approx(100.0 / 3));
  CHECK(s.system(0, 0, K::kArrivals).variance() == Approx(10000.0 / 3));
  CHECK(s.system_total(0, K::kArrivals).mean() == Approx(50));
  CHECK(s.system_total(0, K::kArrivals).max() == 150);
  CHECK(s.system_total(1, K::kArrivals).max() == 170);
  CHECK(s.system_total(0, K::kWemwbsMeanChange).max() == 0.5);
  CHECK(s.system_total(0, K::kInSystemAtYearEnd).mean() == Approx(3));
  // Paired difference of whole-run arrivals: 20, 0, 0.
  CHECK(s.paired_difference(1, K::kArrivals).mean() == Approx(20.0 / 3));
  CHECK(s.paired_difference(1, K::kArrivals).variance() == Approx(400.0 / 3));
  CHECK(s.paired_difference(1, K::kInSystemAtYearEnd).max() == 0);
  CHECK(s.service(1, 1, 2, pw::ServiceKpi::kMeanWait).mean() == Approx(12.5 / 3));
  CHECK(s.service(1, 1, 2, pw::ServiceKpi::kMeanWait).count() == 3);
  CHECK(s.partner_cost(0, 1, 1).mean() == Approx(40.0 / 3));
  CHECK(s.partner_cost(0, 0, 1).mean() == 0);
  CHECK_THROWS_AS(s.system(2, 0, K::kArrivals), std::out_of_range);
  CHECK_THROWS_AS(s.service(0, 0, 3, pw::ServiceKpi::kMeanWait), std::out_of_range);

  SECTION("independent arms: the paired variance is hand-computed") {
    // Arm 1 totals 35, 29, 38 (mean 34, variance 21); differences 5, -7, 11 (mean 3,
    // squared deviations 4 + 100 + 64 = 168, variance 84): ratio 84 / (21 + 21) = 2.
    PathwaySummary t(kArms, kYears, kServices, kPartners);
    t.add(costs(10, 20, 35, 0));
    t.add(costs(12, 24, 29, 0));
    t.add(costs(9, 18, 38, 0));
    CHECK(t.total_cost(1).variance() == Approx(21));
    CHECK(t.paired_cost_difference(1).mean() == Approx(3));
    CHECK(t.paired_cost_difference(1).variance() == Approx(84));
    CHECK(t.crn_variance_ratio(1) == Approx(2));
  }
  SECTION("fewer than two replications: the ratio is NaN") {
    PathwaySummary t(kArms, kYears, kServices, kPartners);
    t.add(costs(10, 20, 35, 0));
    CHECK(std::isnan(t.crn_variance_ratio(1)));
  }
}

TEST_CASE("pathway summary: summarising a file equals summarising the results in memory", "[analysis]") {
  const pw::PathwaySpec spec = small_spec();
  constexpr std::size_t kReps = 300;  // more than one 256-row slab
  const fs::path path = scratch("summary.h5");
  PathwaySummary direct(kArms, kYears, kServices, kPartners);
  {
    ResultsWriter w(path.string(), kReps);
    mhsim::analysis::define_pathway_datasets(w, spec);
    std::uint64_t state = 88172645463325252ULL;  // xorshift64: made-up values with spread
    const auto next = [&] {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    for (std::size_t rep = 0; rep < kReps; ++rep) {
      pw::PathwayResult r{{empty_arm(), empty_arm()}};
      for (pw::ArmResult& a : r.arms) {
        for (auto* v : {&a.activity, &a.cost, &a.partner_cost, &a.system, &a.service, &a.goals}) {
          for (double& x : *v) x = std::floor(next() * 1000.0) / 4.0;
        }
        a.arrived = rep;
      }
      direct.add(r);
      mhsim::analysis::write_pathway_result(w, rep, r);
    }
    w.commit();
  }
  const ResultsReader f(path.string());
  const PathwaySummary from_file = mhsim::analysis::summarise_pathway_file(f);
  REQUIRE(from_file.replications() == kReps);
  REQUIRE(from_file.arms() == kArms);
  REQUIRE(from_file.years() == kYears);
  REQUIRE(from_file.services() == kServices);
  REQUIRE(from_file.partners() == kPartners);
  for (std::size_t a = 0; a < kArms; ++a) {
    CHECK(same_tally(from_file.total_cost(a), direct.total_cost(a)));
    CHECK(same_tally(from_file.paired_cost_difference(a), direct.paired_cost_difference(a)));
    const double ra = from_file.crn_variance_ratio(a), rb = direct.crn_variance_ratio(a);
    CHECK((ra == rb || (std::isnan(ra) && std::isnan(rb))));
    for (std::size_t k = 0; k < pw::kSystemKpis; ++k) {
      const auto kpi = static_cast<pw::SystemKpi>(k);
      CHECK(same_tally(from_file.system_total(a, kpi), direct.system_total(a, kpi)));
      CHECK(same_tally(from_file.paired_difference(a, kpi), direct.paired_difference(a, kpi)));
      for (std::size_t y = 0; y < kYears; ++y) CHECK(same_tally(from_file.system(a, y, kpi), direct.system(a, y, kpi)));
    }
    for (std::size_t y = 0; y < kYears; ++y) {
      for (std::size_t p = 0; p < kPartners; ++p) CHECK(same_tally(from_file.partner_cost(a, y, p), direct.partner_cost(a, y, p)));
      for (std::size_t sv = 0; sv < kServices; ++sv) {
        for (std::size_t k = 0; k < pw::kServiceKpis; ++k) {
          const auto kpi = static_cast<pw::ServiceKpi>(k);
          CHECK(same_tally(from_file.service(a, y, sv, kpi), direct.service(a, y, sv, kpi)));
        }
      }
    }
  }
  CHECK(direct.total_cost(1).count() == kReps);
  CHECK(std::isfinite(direct.crn_variance_ratio(1)));
  fs::remove_all(path.parent_path());
}

TEST_CASE("pathway results: the monthly summary is the mean and type-7 quantiles across replications, by hand",
          "[analysis][monthly]") {
  // Five replications; in every cell of arm a the value is rep + 10 a, except measure
  // "places", NaN in every replication (an unlimited service), and measure "staff", NaN in
  // replications 0 and 1. Mean of 0..4 = 2; type 7: p05 = 0.2, p25 = 1, p50 = 2, p75 = 3,
  // p95 = 3.8. Staff: 2, 3, 4 -> mean 3, p05 2.1, p25 2.5, p50 3, p75 3.5, p95 3.9.
  const fs::path path = scratch("monthly.h5");
  {
    ResultsWriter w(path.string(), 5);
    mhsim::analysis::define_pathway_datasets(w, small_spec());
    for (std::uint64_t rep = 0; rep < 5; ++rep) {
      pw::PathwayResult r{{empty_arm(), empty_arm()}};
      for (std::size_t a = 0; a < kArms; ++a) {
        pw::ArmResult& arm = r.arms[a];
        arm.months = kYears * pw::kMonthsPerYear;
        arm.monthly.assign(arm.months * kServices * pw::kMonthlyMeasures, static_cast<double>(rep) + 10.0 * static_cast<double>(a));
        for (std::size_t c = 0; c < arm.months * kServices; ++c) {
          arm.monthly[c * pw::kMonthlyMeasures + static_cast<std::size_t>(pw::MonthlyMeasure::kPlacesAtEnd)] =
              std::numeric_limits<double>::quiet_NaN();
          if (rep < 2) {
            arm.monthly[c * pw::kMonthlyMeasures + static_cast<std::size_t>(pw::MonthlyMeasure::kStaffAtEnd)] =
                std::numeric_limits<double>::quiet_NaN();
          }
        }
      }
      mhsim::analysis::write_pathway_result(w, rep, r);
    }
    w.commit();
  }
  const ResultsReader f(path.string());
  REQUIRE(mhsim::analysis::has_monthly(f));
  CHECK(f.labels("monthly/measure") == std::vector<std::string>{"waiting", "in_service", "places", "staff", "episodes", "mean_wait", "cost"});
  CHECK(f.shape("monthly/values") == std::vector<std::uint64_t>{5, kArms, kYears * 12, kServices, pw::kMonthlyMeasures});
  const mhsim::analysis::MonthlySummary m = mhsim::analysis::summarise_monthly(f);
  REQUIRE(m.months == kYears * 12);
  const std::array<double, 6> plain = {2, 0.2, 1, 2, 3, 3.8}, staff = {3, 2.1, 2.5, 3, 3.5, 3.9};
  for (std::size_t a = 0; a < kArms; ++a) {
    for (const std::size_t mo : {std::size_t{0}, m.months - 1}) {
      for (std::size_t s = 0; s < kServices; ++s) {
        for (std::size_t k = 0; k < 6; ++k) {
          INFO("arm " << a << ", month " << mo << ", service " << s << ", statistic " << k);
          const double shift = 10.0 * static_cast<double>(a);
          CHECK(m.at(a, mo, s, 0, k) == Approx(plain[k] + shift).epsilon(1e-12));
          CHECK(m.at(a, mo, s, 6, k) == Approx(plain[k] + shift).epsilon(1e-12));
          CHECK(std::isnan(m.at(a, mo, s, 2, k)));
          CHECK(m.at(a, mo, s, 3, k) == Approx(staff[k] + shift).epsilon(1e-12));
        }
      }
    }
  }
  // The long table: a row per arm, month, service and measure.
  const mhsim::analysis::Table t = mhsim::analysis::monthly_table(m);
  REQUIRE(t.columns.size() == 10);
  CHECK(t.columns[0].name == "arm");
  CHECK(t.columns[9].name == "p95");
  CHECK(t.columns[1].numbers.size() == kArms * kYears * 12 * kServices * pw::kMonthlyMeasures);
  CHECK(t.columns[1].numbers.front() == 1.0);
  fs::remove_all(path.parent_path());
}

TEST_CASE("pathway results: psa/base is float64, describes itself, merges, and the text of older files still reads",
          "[analysis]") {
  const pw::PathwaySpec spec = small_spec();
  mhsim::analysis::PsaParameters psa;
  psa.name = {"a", "b"};
  psa.key = {"arms.x.y", "services.s.cost"};
  psa.distribution = {"beta", "gamma"};
  psa.base = {0.1, 1.0 / 3.0};  // 1/3 needs 17 digits as text; as float64 it is simply itself
  std::vector<pw::PathwayResult> results = {distinct(0), distinct(1), distinct(2)};
  for (pw::PathwayResult& r : results) r.psa_values = {0.2, 0.5};
  const std::map<std::string, AttributeValue> attrs = {{"model", std::string("pathway")},
                                                       {"replications", std::uint64_t{3}}};
  const fs::path a = scratch("psa_a.h5"), b = scratch("psa_b.h5"), merged = scratch("psa_merged.h5");
  {
    ResultsWriter w = ResultsWriter::in_memory(2, 0);
    mhsim::analysis::write_pathway_block(w, spec, attrs, 0, {results[0], results[1]}, psa);
    save(a, w.image());
  }
  {
    ResultsWriter v = ResultsWriter::in_memory(1, 2);
    mhsim::analysis::write_pathway_block(v, spec, attrs, 2, {results[2]}, psa);
    save(b, v.image());
  }
  mhsim::analysis::merge_results({a.string(), b.string()}, merged.string(), true);
  for (const fs::path& p : {a, merged}) {
    INFO(p.string());
    const ResultsReader f(p.string());
    CHECK_FALSE(f.is_text("psa/base"));
    CHECK(f.read_double("psa/base") == psa.base);
    CHECK(mhsim::analysis::read_psa_parameters(f).base == psa.base);
    // The replication scale numbers the rows of the file, from its first replication.
    const std::vector<std::uint64_t> reps = f.read_uint("scales/replication");
    CHECK(reps == (p == a ? std::vector<std::uint64_t>{0, 1} : std::vector<std::uint64_t>{0, 1, 2}));
    CHECK(f.read_uint("scales/year") == std::vector<std::uint64_t>{1, 2});
  }
  CHECK(mhsim::analysis::read_pathway_results(ResultsReader(merged.string())).at(2).psa_values ==
        std::vector<double>{0.2, 0.5});

  // A file of the layout before issue 20: psa/base as exact decimal text.
  {
    const hid_t file = H5Fopen(a.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    REQUIRE(H5Ldelete(file, "psa/base", H5P_DEFAULT) >= 0);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hsize_t n = 2;
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t ds = H5Dcreate2(file, "psa/base", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const std::array<const char*, 2> text = {"0.1", "0.33333333333333331"};
    CHECK(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()) >= 0);
    H5Dclose(ds);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
  }
  const ResultsReader old(a.string());
  CHECK(old.is_text("psa/base"));
  CHECK(mhsim::analysis::read_psa_parameters(old).base == psa.base);
  fs::remove_all(a.parent_path());
}
