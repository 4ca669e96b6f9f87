// SPDX-License-Identifier: MIT
// The analysis of a results file against hand computations: a results file is built with
// known ledgers, KPIs and payouts (not simulated), so every summary, difference, ICER, NMB,
// risk figure and KRA share below is worked out on paper from those numbers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/random/mersenne_twister.hpp>
#include <tbb/global_control.h>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "analysis/analysis_output.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/results_analysis.hpp"
#include "analysis/results_file.hpp"

#include <hdf5.h>

namespace fs = std::filesystem;
namespace pw = mhsim::models::pathway;
using mhsim::analysis::Analysis;
using mhsim::analysis::ResultsReader;
using mhsim::analysis::ResultsWriter;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr std::size_t R = 4, A = 2, Y = 2;
const double kDf1 = 1.0 / 1.035;  // discount factor of year 1 at 3.5%, start-of-year timing

// gain_pain of the charity (partner 1) in the alliance arm, by replication and year.
const double kGainPain[R][Y] = {{-100, 0}, {-300, 50}, {0, 0}, {-1000, -500}};

// A results file of pathway_minimal's shape (arms block and alliance; partners trust,
// charity, practices; two years) holding the numbers the tests below compute by hand.
fs::path build_file(const mhsim::scenario::PathwayScenario& sc) {
  const fs::path path = fs::temp_directory_path() / ("mhsim_analysis_" + std::to_string(::getpid()) + ".h5");
  const pw::PathwaySpec& spec = sc.spec;
  const std::size_t S = spec.services.size(), P = spec.partners.size();
  REQUIRE(spec.arms.size() == A);
  REQUIRE(static_cast<std::size_t>(spec.years) == Y);
  REQUIRE(P == 3);
  ResultsWriter out(path.string(), R);
  out.attribute("model", std::string("pathway"));
  out.attribute("scenario_text", sc.text);
  out.attribute("scenario_file", std::string("pathway_minimal.toml"));
  out.attribute("replications", std::uint64_t{R});
  out.attribute("first_replication", std::uint64_t{0});
  out.attribute("seed", std::uint64_t{7});
  mhsim::analysis::define_pathway_datasets(out, spec);
  mhsim::analysis::define_payout_datasets(out, spec, sc.contracts);
  const auto K = pw::kSystemKpis;
  for (std::size_t r = 0; r < R; ++r) {
    pw::PathwayResult res;
    for (std::size_t a = 0; a < A; ++a) {
      pw::ArmResult arm;
      arm.years = Y;
      arm.services = S;
      arm.partners = P;
      arm.activity.assign(Y * S * pw::kMeasures, 0.0);
      arm.cost.assign(Y * S * pw::kMeasures, 0.0);
      arm.partner_cost.assign(Y * P, 0.0);
      arm.system.assign(Y * K, 0.0);
      arm.service.assign(Y * S * pw::kServiceKpis, 0.0);
      arm.goals.assign(Y * pw::kSiofDomains * pw::kGoalStatuses, 0.0);
      for (std::size_t y = 0; y < Y; ++y) {
        for (std::size_t p = 0; p < P; ++p) {
          arm.partner_cost[y * P + p] = 1000.0 * static_cast<double>((a + 1) * (p + 1)) + 10.0 * static_cast<double>(r) +
                                        static_cast<double>(y);
        }
        const auto set = [&](pw::SystemKpi k, double v) { arm.system[y * K + static_cast<std::size_t>(k)] = v; };
        set(pw::SystemKpi::kQalys, 100.0 + 2.0 * static_cast<double>(a) + static_cast<double>(r) + 0.5 * static_cast<double>(y));
        set(pw::SystemKpi::kWemwbsMeanChange, 1.0 + static_cast<double>(a));
        set(pw::SystemKpi::kWemwbsImproved, 10);
        set(pw::SystemKpi::kWemwbsDecreased, 5);
        set(pw::SystemKpi::kWemwbsUnchanged, 5);
        set(pw::SystemKpi::kReferralsSecondary, 50.0 - 10.0 * static_cast<double>(a) + static_cast<double>(y));
      }
      res.arms.push_back(arm);
    }
    mhsim::analysis::write_pathway_result(out, r, res);

    std::vector<double> partner(A * Y * P * mhsim::analysis::kPartnerPayoutFieldCount, 0.0);
    std::vector<double> arm_row(A * Y * mhsim::analysis::kArmPayoutFieldCount, 0.0);
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t y = 0; y < Y; ++y) {
        arm_row[(a * Y + y) * mhsim::analysis::kArmPayoutFieldCount + 0] = 50000.0 + static_cast<double>(r);
      }
    }
    for (std::size_t y = 0; y < Y; ++y) {
      double* f = &partner[((1 * Y + y) * P + 1) * mhsim::analysis::kPartnerPayoutFieldCount];
      f[5] = kGainPain[r][y];  // gain_pain
      f[4] = 30000;            // limb2 (fee)
      f[1] = 20000;            // cost
      f[0] = 20000 + 30000 + kGainPain[r][y];  // payment = limb1 + limb2 + gain_pain
      f[2] = f[0] - f[1];      // margin
      f[6] = (r == 3 && y == 1) ? 200.0 : 0.0;  // capped_amount: the cap bound once
    }
    out.write("payouts/partner", r, partner.data());
    out.write("payouts/arm", r, arm_row.data());
    std::vector<double> bands(A * Y * 2, std::nan(""));
    for (std::size_t y = 0; y < Y; ++y) bands[(1 * Y + y) * 2 + 0] = static_cast<double>((r + y) % 5);
    out.write("payouts/kra_band", r, bands.data());
  }
  out.commit();
  return path;
}

// Rewrites `path` as files before issue 20 held payouts/kra_name: one flattened list of
// "<arm>/<kra>", arm-major, "" where an arm has fewer key result areas.
void to_flattened_kra_names(const fs::path& path, const std::vector<std::string>& arms) {
  std::vector<std::string> names;
  std::vector<std::uint64_t> shape;
  {
    const ResultsReader r(path.string());
    names = r.labels("payouts/kra_name");
    shape = r.shape("payouts/kra_name");
  }
  REQUIRE(shape.size() == 2);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!names[i].empty()) names[i] = arms.at(i / shape[1]) + "/" + names[i];
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  REQUIRE(H5Ldelete(file, "payouts/kra_name", H5P_DEFAULT) >= 0);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  const hsize_t n = names.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t ds = H5Dcreate2(file, "payouts/kra_name", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<const char*> ptrs;
  for (const std::string& x : names) ptrs.push_back(x.c_str());
  CHECK(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) >= 0);
  H5Dclose(ds);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(file);
}

const mhsim::analysis::MetricRow& metric(const Analysis& a, const std::string& id, const std::string& arm) {
  for (const auto& m : a.metrics) {
    if (m.metric == id && m.arm == arm) return m;
  }
  FAIL("no metric " << id << " for arm " << arm);
  throw std::logic_error("unreachable");
}

const mhsim::analysis::RiskRow& risk(const Analysis& a, const std::string& arm, const std::string& partner) {
  for (const auto& r : a.risk) {
    if (r.arm == arm && r.partner == partner) return r;
  }
  FAIL("no risk row for " << partner << " in " << arm);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Analysis of a results file matches hand computations", "[analysis]") {
  const mhsim::scenario::PathwayScenario sc =
      mhsim::scenario::parse_pathway_scenario(read_text(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/pathway_minimal.toml"),
                                              "pathway_minimal.toml");
  const fs::path path = build_file(sc);
  const ResultsReader file(path.string());
  mhsim::scenario::AnalysisSettings s;  // 3.5%, start of year, QALYs, ledger cost, base arm 0
  s.willingness_to_pay = {1000, 20000};
  s.reserves = {std::nan(""), 250.0, std::nan("")};
  s.commissioner_budget = 50000;
  const Analysis a = mhsim::analysis::analyse_pathway(file, path.string(), sc, s);

  SECTION("discounted cost and effects per arm") {
    // Ledger cost of (r, a, y) = sum over partners = 6000 (a + 1) + 30 r + 3 y; mean over r of 30 r = 45.
    const auto& block = metric(a, "cost", "block").summary;
    CHECK(block.n == R);
    CHECK(block.mean == Approx(6045.0 + 6048.0 * kDf1).epsilon(1e-12));
    // SD over r of 30 r (1 + kDf1): 30 (1 + kDf1) x SD(0, 1, 2, 3) = 30 (1 + kDf1) sqrt(5/3).
    CHECK(block.sd == Approx(30.0 * (1 + kDf1) * std::sqrt(5.0 / 3.0)).epsilon(1e-12));
    CHECK(metric(a, "qalys", "alliance").summary.mean == Approx(103.5 + 104.0 * kDf1).epsilon(1e-12));
    // WEMWBS points = mean change x discharges: (1 + a) x 20 a year.
    CHECK(metric(a, "wemwbs_points", "alliance").summary.mean == Approx(40.0 * (1 + kDf1)).epsilon(1e-12));
    // Undiscounted KPI totals by their whole-run rule: referrals summed over the years.
    CHECK(metric(a, "kpi.referrals_secondary", "alliance").summary.mean == Approx(40.0 + 41.0));
    CHECK(metric(a, "partner_cost.charity", "alliance").summary.mean == Approx(2.0 * 4000 + 2 * 15 + 1));
    // Every partner is paid by a contract of some arm: all of the cost is contracted.
    CHECK(metric(a, "cost_contracted", "block").summary.mean == Approx(block.mean).epsilon(1e-12));
    CHECK(metric(a, "cost_wider_system", "alliance").summary.mean == 0.0);
  }

  SECTION("contracted and wider-system cost: partners in no contract of any arm are the wider system") {
    // Without the practices' contracts (activity in block, capitation in the alliance) the
    // practices (partner 2) are in no contract: their cost, 1000 (a + 1) 3 + 10 r + y, is the
    // wider system's; the trust's and the charity's is contracted. Mean over r of 10 r = 15.
    mhsim::scenario::PathwayScenario unpaid = sc;
    for (auto& arm : unpaid.contracts) {
      auto& c = arm.terms.contracts;
      c.erase(std::remove_if(c.begin(), c.end(), [](const auto& k) { return k.name.rfind("gp_", 0) == 0; }), c.end());
    }
    const Analysis u = mhsim::analysis::analyse_pathway(file, path.string(), unpaid, s);
    for (std::size_t arm = 0; arm < A; ++arm) {
      const std::string name = arm == 0 ? "block" : "alliance";
      const double k = static_cast<double>(arm + 1);
      const double wider = (3000 * k + 15) + (3000 * k + 16) * kDf1;
      const double total = (6000 * k + 45) + (6000 * k + 48) * kDf1;  // all three partners
      CHECK(metric(u, "cost_wider_system", name).summary.mean == Approx(wider).epsilon(1e-12));
      CHECK(metric(u, "cost_contracted", name).summary.mean == Approx(total - wider).epsilon(1e-12));
      CHECK(metric(u, "cost", name).summary.mean == Approx(total).epsilon(1e-12));
    }
  }

  SECTION("paired differences, ICER and NMB") {
    const double dc = 6000.0 * (1 + kDf1), de = 2.0 * (1 + kDf1);
    bool found = false;
    for (const auto& d : a.differences) {
      if (d.metric != "cost") continue;
      found = true;
      CHECK(d.arm == "alliance");
      CHECK(d.base_arm == "block");
      CHECK(d.paired.mean_difference == Approx(dc).epsilon(1e-12));
      CHECK(d.paired.se == Approx(0).margin(1e-9));
      CHECK(d.paired.prob_b_below_a == 0.0);
      CHECK(d.prob_higher == 1.0);
    }
    CHECK(found);
    REQUIRE(a.icers.size() == 1);
    CHECK(a.icers[0].icer.kind == mhsim::analysis::decision::IcerCase::north_east);
    CHECK(a.icers[0].icer.ratio == Approx(3000.0).epsilon(1e-12));
    // Dearer and better in every replication: never both cheaper and better, nor the reverse.
    CHECK(a.icers[0].prob_dominates == 0.0);
    CHECK(a.icers[0].prob_dominated == 0.0);
    REQUIRE(a.nmb.size() == 2);
    CHECK(a.nmb[0].incremental.mean_difference == Approx(1000 * de - dc).epsilon(1e-12));
    CHECK(a.nmb[0].prob_positive == 0.0);
    CHECK(a.nmb[1].incremental.mean_difference == Approx(20000 * de - dc).epsilon(1e-12));
    CHECK(a.nmb[1].prob_positive == 1.0);
    // CEAC on the default grid (0 to 100,000 in steps of 2,000): block below the ICER of 3,000, alliance above.
    REQUIRE(a.ceac.size() == 51);
    CHECK(a.ceac[1].wtp == 2000.0);
    CHECK(a.ceac[1].values == std::vector<double>{1.0, 0.0});
    CHECK(a.ceac[2].values == std::vector<double>{0.0, 1.0});
    // No replication disagrees with the mean decision: perfect information is worth nothing.
    for (const auto& e : a.evpi) CHECK(e.values[0] == Approx(0).margin(1e-9));
  }

  SECTION("risk: painshare, value at risk, reserves, caps and the commissioner") {
    // Charity's painshare per replication: 100, 300, 0, 1500 (sum over years of max(0, -gain_pain)).
    const auto& c = risk(a, "alliance", "charity");
    CHECK(c.mean_painshare == Approx(475.0));
    // The same painshares per replication reach the report's exceedance curves.
    std::vector<double> samples;
    for (const auto& ps : a.payout_samples) {
      if (a.arms[ps.arm] == "alliance" && a.partners[ps.partner] == "charity") samples.push_back(ps.painshare);
    }
    CHECK(samples == std::vector<double>{100, 300, 0, 1500});
    // Type-7 95th percentile of {0, 100, 300, 1500}: h = 3 x 0.95 = 2.85 -> 300 + 0.85 x 1200.
    CHECK(c.var == Approx(1320.0));
    CHECK(c.es == Approx(1500.0));
    REQUIRE(c.reserve);
    CHECK(*c.reserve == 250.0);
    CHECK(*c.p_above_reserve == 0.5);
    CHECK(c.p_any_painshare == 0.75);
    REQUIRE(c.p_cap_binds);
    CHECK(*c.p_cap_binds == 0.25);
    REQUIRE(c.cap);
    CHECK(*c.cap == Approx(60000.0));  // kappa 1 x fee 30,000 x 2 years
    CHECK(c.mean_payment == Approx(100000.0 - 475.0 + 12.5));
    // Partners with nothing in the payouts have no row; the commissioner has one per settled arm.
    for (const auto& r : a.risk) CHECK((r.partner == "charity" || r.partner == "commissioner"));
    const auto& com = risk(a, "block", "commissioner");
    CHECK(com.mean_payment == Approx(100003.0));
    REQUIRE(com.reserve);
    CHECK(*com.reserve == 100000.0);
    CHECK(*com.p_above_reserve == 0.75);  // spend 100000 + 2r exceeds the budget for r = 1, 2, 3
  }

  SECTION("key result area bands over replications and years") {
    // Bands (r + y) mod 5 for r = 0..3, y = 0..1: 0,1,1,2,2,3,3,4 -> shares 1/8, 2/8, 2/8, 2/8, 1/8.
    std::vector<double> shares;
    for (const auto& k : a.kra_bands) {
      CHECK(k.arm == "alliance");
      CHECK(k.kra == "wellbeing");
      shares.push_back(k.share);
    }
    CHECK(shares == std::vector<double>{0.125, 0.25, 0.25, 0.25, 0.125});
    // The file is [arm, kra] without the arm in the name (issue 20)...
    CHECK(file.shape("payouts/kra_name") == std::vector<std::uint64_t>{A, 2});
    CHECK(file.labels("payouts/kra_name")[2] == "wellbeing");
    // ...and a file of the layout before it (flattened "<arm>/<kra>") reads the same.
    const fs::path old = path.string() + ".old.h5";
    fs::copy_file(path, old, fs::copy_options::overwrite_existing);
    to_flattened_kra_names(old, {"block", "alliance"});
    const ResultsReader old_file(old.string());
    CHECK(old_file.shape("payouts/kra_name") == std::vector<std::uint64_t>{A * 2});
    CHECK(old_file.labels("payouts/kra_name")[2] == "alliance/wellbeing");
    const Analysis b = mhsim::analysis::analyse_pathway(old_file, old.string(), sc, s);
    REQUIRE(b.kra_bands.size() == a.kra_bands.size());
    for (std::size_t i = 0; i < a.kra_bands.size(); ++i) {
      CHECK(b.kra_bands[i].arm == a.kra_bands[i].arm);
      CHECK(b.kra_bands[i].kra == a.kra_bands[i].kra);
      CHECK(b.kra_bands[i].share == a.kra_bands[i].share);
    }
    fs::remove(old);
  }

  SECTION("a shorter horizon counts only its years") {
    mhsim::scenario::AnalysisSettings one = s;
    one.horizon_years = 1;
    const Analysis b = mhsim::analysis::analyse_pathway(file, path.string(), sc, one);
    CHECK(metric(b, "cost", "block").summary.mean == Approx(6045.0));
    CHECK(risk(b, "alliance", "charity").mean_painshare == Approx((100.0 + 300 + 0 + 1000) / 4));
    mhsim::scenario::AnalysisSettings too_long = s;
    too_long.horizon_years = 3;
    CHECK_THROWS_WITH(mhsim::analysis::analyse_pathway(file, path.string(), sc, too_long),
                      Catch::Contains("horizon of 3 years: the run simulated 2"));
  }

  SECTION("JSON and CSV carry the same numbers, with no NaN") {
    const std::string json = mhsim::analysis::analysis_json(a);
    CHECK(json.find("nan") == std::string::npos);
    CHECK(json.find("\"schema\": \"mhsim-analysis/1\"") != std::string::npos);
    CHECK(json.find("\"kind\": \"north_east\", \"ratio\": ") != std::string::npos);
    // Inlined in a <script> element: no '<' may survive, whatever a scenario's text says.
    Analysis hostile = a;
    hostile.scenario_description = "<!-- <script> </script> & \"quotes\"";
    const std::string escaped = mhsim::analysis::analysis_json(hostile);
    CHECK(escaped.find('<') == std::string::npos);
    CHECK(escaped.find("\\u003c!-- \\u003cscript> \\u003c/script> & \\\"quotes\\\"") != std::string::npos);
    const auto tables = mhsim::analysis::analysis_csv_tables(a);
    bool risk_found = false;
    for (const auto& [name, text] : tables) {
      if (name != "risk.csv") continue;
      risk_found = true;
      CHECK(text.find("alliance,charity,painshare,") != std::string::npos);
    }
    CHECK(risk_found);
  }
  fs::remove(path);
}

TEST_CASE("Analysis refuses files it cannot analyse, naming the file", "[analysis]") {
  const fs::path path = fs::temp_directory_path() / ("mhsim_analysis_net_" + std::to_string(::getpid()) + ".h5");
  {
    ResultsWriter out(path.string(), 2);
    out.attribute("model", std::string("queueing-network"));
    out.commit();
  }
  const ResultsReader file(path.string());
  CHECK_THROWS_WITH(mhsim::analysis::stored_scenario(file, path.string()),
                    Catch::Contains(path.string()) && Catch::Contains("model = \"queueing-network\""));
  fs::remove(path);
}

TEST_CASE("Linear metamodel: exact on a linear output, zero effect for a constant parameter", "[analysis]") {
  boost::random::mt19937_64 rng(11);
  boost::random::uniform_real_distribution<double> u(0.0, 1.0);
  const std::size_t n = 50;
  std::vector<std::vector<double>> x(3, std::vector<double>(n));
  std::vector<double> y(n);
  for (std::size_t r = 0; r < n; ++r) {
    x[0][r] = u(rng);
    x[1][r] = 10 * u(rng);
    x[2][r] = 4.0;  // never varied
    y[r] = 3.0 + 2.0 * x[0][r] - 5.0 * x[1][r];
  }
  const double m0 = std::accumulate(x[0].begin(), x[0].end(), 0.0) / n;
  const double m1 = std::accumulate(x[1].begin(), x[1].end(), 0.0) / n;
  const auto mm = mhsim::analysis::linear_metamodel(x, y, {0.1, 1.0, 3.0}, {0.9, 9.0, 5.0});
  REQUIRE(mm.at_low.size() == 3);
  CHECK(mm.base == Approx(3.0 + 2.0 * m0 - 5.0 * m1).epsilon(1e-10));
  CHECK(mm.r_squared == Approx(1.0).epsilon(1e-12));
  CHECK(mm.at_low[0] == Approx(3.0 + 2.0 * 0.1 - 5.0 * m1).epsilon(1e-10));
  CHECK(mm.at_high[1] == Approx(3.0 + 2.0 * m0 - 5.0 * 9.0).epsilon(1e-10));
  CHECK(mm.at_low[2] == Approx(mm.base).epsilon(1e-10));
  CHECK(mm.at_high[2] == Approx(mm.base).epsilon(1e-10));

  SECTION("with noise, the slope's error stays within 4 standard errors") {
    // y = 1 + 3 x + e, e ~ N(0, 1), x ~ U(0, 1), n = 2000: SE(slope) = 1 / (sqrt(n) SD(x)) = sqrt(12 / 2000).
    boost::random::normal_distribution<double> e(0.0, 1.0);
    const std::size_t m = 2000;
    std::vector<std::vector<double>> xs(1, std::vector<double>(m));
    std::vector<double> ys(m);
    for (std::size_t r = 0; r < m; ++r) {
      xs[0][r] = u(rng);
      ys[r] = 1.0 + 3.0 * xs[0][r] + e(rng);
    }
    const auto fit = mhsim::analysis::linear_metamodel(xs, ys, {0.0}, {1.0});
    const double slope = fit.at_high[0] - fit.at_low[0];
    CHECK(std::fabs(slope - 3.0) < 4.0 * std::sqrt(12.0 / m));
  }
  CHECK(mhsim::analysis::linear_metamodel(x, std::vector<double>(3, 0.0), {0, 0, 0}, {1, 1, 1}).at_low.empty());
}

TEST_CASE("Value of information from PSA draws: EVPPI per input and group, population, risk attribution",
          "[analysis][statistical]") {
  // Two arms; arm 1's effect is (a + x1 + e) / 1000 with a = 0.2 and no cost, so at lambda =
  // 1000 its incremental net benefit is a + x1 + e: EVPPI(x1) is the normal loss
  // a Phi(a) + phi(a) - a = 0.3069; x2 does not enter (EVPPI ~ 0). A partner's gain/pain is
  // 2 x2 + e (share of x2: 4 / 5, of x1: 0). Tolerances: 4 standard errors, as in
  // tests/analysis/voi_test.cpp; a share (an R^2 of rho^2) has standard error about
  // 2 rho (1 - rho^2) / sqrt(n): 0.025 at 0.5 and 0.0127 at 0.8 for n = 800.
  const std::size_t n = 800;
  boost::random::mt19937 rng(5);
  boost::random::normal_distribution<double> z;
  std::vector<std::vector<double>> x(2, std::vector<double>(n));
  std::vector<std::vector<double>> cost(2, std::vector<double>(n, 0.0)), effect = cost;
  std::vector<std::vector<std::vector<double>>> gp(2, std::vector<std::vector<double>>(1)), pain = gp;
  gp[1][0].resize(n);
  pain[1][0].resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    x[0][r] = z(rng);
    x[1][r] = z(rng);
    effect[1][r] = (0.2 + x[0][r] + z(rng)) / 1000.0;  // NMB difference at lambda = 1000
    gp[1][0][r] = 2 * x[1][r] + z(rng);
    pain[1][0][r] = std::max(0.0, -gp[1][0][r]);
  }
  mhsim::scenario::UncertainParameter p1, p2;
  p1.name = "x1";
  p2.name = "x2";
  Analysis a;
  a.arms = {"base", "new"};
  a.partners = {"provider"};
  a.replications = n;
  a.settings.willingness_to_pay = {1000.0, 0.0};
  a.settings.voi_decisions_per_year = 3;
  a.settings.voi_years = 2;
  a.settings.discount_rate = 0.035;
  a.settings.reserves = {1.5};
  a.settings.groups = {{"both", {"x2", "x1"}, "a study of both"}, {"absent", {"x1", "nope"}, ""}};
  mhsim::analysis::value_of_information(a, x, {&p1, &p2}, cost, effect, gp, pain);

  CHECK(a.voi_population_factor == Approx(3 + 3 / 1.035).epsilon(1e-14));
  // Two thresholds x (two inputs + one group; the group naming an input not drawn is left out).
  REQUIRE(a.evppi.size() == 6);
  const auto& top = a.evppi[0];
  CHECK(top.wtp == 1000.0);
  const double truth = 0.2 * std::erfc(-0.2 / std::sqrt(2.0)) / 2 + std::exp(-0.02) / std::sqrt(2 * M_PI) - 0.2;
  // Ranked: the group (which contains x1) or x1 itself first; x2 last.
  CHECK((top.name == "x1" || top.name == "both"));
  CHECK(a.evppi[2].name == "x2");
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& e = a.evppi[i];
    INFO(e.name << " EVPPI " << e.evppi << " +- " << e.se << " (truth for x1 " << truth << ")");
    CHECK(e.population_evppi == Approx(e.evppi * a.voi_population_factor));
    CHECK(e.evppi <= e.evpi + 4 * e.se);
    if (e.name == "x2") {
      CHECK(e.kind == "parameter");
      CHECK(e.method == "gam");
      CHECK(e.evppi <= 4 * e.se);
      CHECK(e.inmb_share < 0.02);
    } else {
      // 0.018: Monte Carlo SE of the mean of max(0, -(a + x1)) over 800 draws (its SD is 0.515).
      CHECK(std::fabs(e.evppi - truth) <= 4 * std::hypot(e.se, 0.018));
      CHECK(e.inmb_share == Approx(0.5).margin(4 * 0.025));             // 1 / (1 + 1) of the variance
    }
    if (e.name == "both") {
      CHECK(e.kind == "group");
      CHECK(e.method == "gp");
      CHECK(e.parameters == std::vector<std::string>{"x2", "x1"});
      CHECK(e.description == "a study of both");
    }
  }
  // At lambda = 0 nothing differs between the arms: no value at all.
  for (std::size_t i = 3; i < 6; ++i) {
    CHECK(a.evppi[i].wtp == 0.0);
    CHECK(a.evppi[i].evppi == 0.0);
    CHECK(a.evppi[i].evpi == 0.0);
  }
  // Convergence at n = 100, 200, ..., 800 for each of the three.
  CHECK(a.evppi_convergence.size() == 8 * 3);
  CHECK(a.evppi_convergence.front().n == 100);
  CHECK(a.evppi_convergence.back().n == 800);
  // Risk: only the partner in arm 1 takes part; gain/pain and P(painshare > 1.5) attributed.
  REQUIRE(a.risk_attribution.size() == 6);
  CHECK(a.risk_attribution[0].output == "gain_pain");
  CHECK(a.risk_attribution[0].arm == "new");
  for (const auto& r : a.risk_attribution) {
    INFO(r.output << " " << r.name << " " << r.share);
    if (r.output == "gain_pain" && r.name == "x2") CHECK(r.share == Approx(0.8).margin(4 * 0.0127));
    if (r.name == "x1") CHECK(r.share < 0.02);
    if (r.output == "painshare_above_reserve" && r.name != "x1") CHECK(r.share > 0.1);
  }
  // The inputs run on TBB's workers, each into its own slot: one worker gives the same bits.
  Analysis serial = a;
  serial.evppi.clear();
  serial.evppi_convergence.clear();
  serial.risk_attribution.clear();
  {
    tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    mhsim::analysis::value_of_information(serial, x, {&p1, &p2}, cost, effect, gp, pain);
  }
  REQUIRE(serial.evppi.size() == a.evppi.size());
  for (std::size_t i = 0; i < a.evppi.size(); ++i) {
    CHECK(serial.evppi[i].name == a.evppi[i].name);
    CHECK(serial.evppi[i].evppi == a.evppi[i].evppi);
    CHECK(serial.evppi[i].se == a.evppi[i].se);
    CHECK(serial.evppi[i].inmb_share == a.evppi[i].inmb_share);
  }
  REQUIRE(serial.evppi_convergence.size() == a.evppi_convergence.size());
  for (std::size_t i = 0; i < a.evppi_convergence.size(); ++i) CHECK(serial.evppi_convergence[i].evppi == a.evppi_convergence[i].evppi);
  REQUIRE(serial.risk_attribution.size() == a.risk_attribution.size());
  for (std::size_t i = 0; i < a.risk_attribution.size(); ++i) CHECK(serial.risk_attribution[i].share == a.risk_attribution[i].share);
  // A replication without a number leaves value of information out, not the analysis.
  Analysis gap = serial;
  gap.evppi.clear();
  gap.evppi_convergence.clear();
  gap.risk_attribution.clear();
  auto holed = cost;
  holed[0][3] = std::nan("");
  mhsim::analysis::value_of_information(gap, x, {&p1, &p2}, holed, effect, gp, pain);
  CHECK(gap.evppi.empty());
  CHECK(gap.risk_attribution.empty());
}
