// SPDX-License-Identifier: MIT
// The mhsim binary, end to end: exit codes, all errors at once, and outputs that are
// either complete or absent (an existing file is never damaged).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <hdf5.h>

#include "analysis/pathway_results.hpp"
#include "analysis/results_file.hpp"
#include "analysis/sha256.hpp"
#include "cli/datasets.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;
using mhsim::test::run_process;
using mhsim::test::slurp_file;
namespace pw = mhsim::models::pathway;

namespace {
const std::string kBin = MHSIM_BINARY;
const std::string kSrc = MHSIM_SOURCE_DIR;

fs::path scratch_dir() {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::size_t files_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}
}  // namespace

TEST_CASE("mhsim validate: a good scenario passes with exit 0", "[cli]") {
  const auto r = run_process({kBin, "validate", kSrc + "/scenarios/examples/small_network.toml"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("valid: 4 stations"));
}

TEST_CASE("mhsim run: bad scenario -> exit 2, every error, no output, existing file untouched", "[cli]") {
  const fs::path dir = scratch_dir() / "bad";
  fs::create_directories(dir);
  const fs::path out = dir / "results.h5";
  { std::ofstream(out) << "earlier results"; }
  const std::string bad = kSrc + "/tests/data/bad/many_errors.toml";
  const auto r = run_process({kBin, "run", bad, "--out", out.string(), "--reps", "1000000000000"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("command line: --reps: expected an integer in [1, 10000000], got \"1000000000000\""));
  CHECK_THAT(r.err, Catch::Contains(bad + ":8:8: run.seed: expected an integer"));
  CHECK_THAT(r.err, Catch::Contains(bad + ":16:10: stations.triage.routes: expected probabilities that sum to 1"));
  CHECK_THAT(r.err, Catch::Contains("6 errors; nothing was written"));
  CHECK(slurp_file(out.string()) == "earlier results");
  CHECK(files_in(dir) == 1);  // no temporary left behind
  CHECK(r.out.empty());
}

TEST_CASE("mhsim run: a bad output directory fails cleanly", "[cli]") {
  const auto r = run_process({kBin, "run", kSrc + "/scenarios/examples/mm1.toml", "--reps", "2", "--out",
                              "/proc/forbidden/results.h5", "-q"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("mhsim: /proc/forbidden/results.h5 is unchanged"));
}

TEST_CASE("mhsim: unknown options and subcommands exit 2", "[cli]") {
  CHECK(run_process({kBin, "run", "x.toml", "--frobnicate"}).exit_code == 2);
  CHECK(run_process({kBin, "explode"}).exit_code == 2);
  CHECK(run_process({kBin}).exit_code == 2);
  const auto help = run_process({kBin, "run", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--threads"));
}

TEST_CASE("mhsim: an empty option value and a directory as the scenario are refused before any work", "[cli]") {
  // `--reps ""` (an unset shell variable) used to mean "the scenario's count", and a
  // directory read as an empty file ("expected a table, got nothing").
  const fs::path out = fs::temp_directory_path() / ("mhsim_empty_option_" + std::to_string(::getpid()) + ".h5");
  const auto r = run_process({kBin, "run", kSrc + "/scenarios/examples/mm1.toml", "--reps", "", "--seed", "", "--out",
                              out.string(), "-q"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("command line: --reps: expected a value, got \"\""));
  CHECK_THAT(r.err, Catch::Contains("command line: --seed: expected a value, got \"\""));
  CHECK_THAT(r.err, Catch::Contains("2 errors; nothing was written"));
  CHECK_FALSE(fs::exists(out));
  const auto d = run_process({kBin, "validate", kSrc + "/scenarios"});
  CHECK(d.exit_code == 2);
  CHECK_THAT(d.err, Catch::Contains("scenarios: expected a readable scenario file, got a directory"));
  const auto s = run_process({kBin, "run", kSrc + "/scenarios", "--out", out.string(), "-q"});
  CHECK(s.exit_code == 2);
  CHECK_THAT(s.err, Catch::Contains("got a directory"));
  CHECK_FALSE(fs::exists(out));
  // An output that is a directory is refused before the simulation, not after it.
  const auto o = run_process({kBin, "run", kSrc + "/scenarios/examples/mm1.toml", "--reps", "2", "--out",
                              fs::temp_directory_path().string(), "-q"});
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("--out: expected a file name, got") && Catch::Contains("a directory"));
}

TEST_CASE("mhsim run: writes a complete HDF5 file with provenance", "[cli]") {
  const fs::path out = scratch_dir() / "good" / "mm1.h5";  // parent directory is created
  const std::string scenario = kSrc + "/scenarios/examples/mm1.toml";
  const auto r = run_process({kBin, "run", scenario, "--reps", "3", "--seed", "11", "--threads", "2", "--out",
                              out.string(), "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("theory (Jackson)"));
  mhsim::analysis::ResultsReader f(out.string());
  CHECK(f.string_attribute("format") == "mhsim-results");
  CHECK(f.uint_attribute("seed") == 11);
  CHECK(f.uint_attribute("replications") == 3);
  CHECK(f.uint_attribute("threads") == 2);
  const std::string text = slurp_file(scenario);
  CHECK(f.string_attribute("scenario_text") == text);
  CHECK(f.string_attribute("scenario_sha256") == mhsim::analysis::sha256_hex(text));
  CHECK(f.string_attribute("rng") == "boost::random::mt19937_64");
  CHECK(f.uint_attribute("rng_scheme") == 2);  // Marsaglia-Tsang gamma draws (issue 19)
  CHECK(f.shape("stations/mean_wait") == std::vector<std::uint64_t>{3, 1});
  CHECK(f.labels("stations/name") == std::vector<std::string>{"server"});
  for (double w : f.read_double("stations/mean_wait")) CHECK(w > 0.0);
  // Conservation of people, replication by replication, read back from the file.
  const auto entered = f.read_uint("network/entered"), exited = f.read_uint("network/exited"),
             refused = f.read_uint("network/refused"), inside = f.read_uint("network/in_system_at_end");
  for (std::size_t i = 0; i < entered.size(); ++i) CHECK(entered[i] == exited[i] + refused[i] + inside[i]);
}

TEST_CASE("mhsim run: the file is readable by HDF5's own tools", "[cli]") {
  const fs::path out = scratch_dir() / "h5dump.h5";
  REQUIRE(run_process({kBin, "run", kSrc + "/scenarios/examples/erlang_loss.toml", "--reps", "2", "--out",
                       out.string(), "-q"})
              .exit_code == 0);
  const auto dump = run_process({"/usr/bin/h5dump", "-H", out.string()});
  REQUIRE(dump.exit_code == 0);
  CHECK_THAT(dump.out, Catch::Contains("DATASET \"mean_wait\""));
  CHECK_THAT(dump.out, Catch::Contains("DATASPACE  SIMPLE { ( 2, 1 ) / ( 2, 1 ) }"));
  CHECK_THAT(dump.out, Catch::Contains("ATTRIBUTE \"scenario_sha256\""));
}

namespace {
std::map<std::string, std::vector<unsigned char>> datasets_of(const fs::path& file) {
  mhsim::analysis::ResultsReader r(file.string());
  std::map<std::string, std::vector<unsigned char>> out;
  for (const std::string& name : r.datasets()) out[name] = r.raw(name);
  return out;
}
std::size_t chunk_files(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".h5";
  return n;
}
}  // namespace

TEST_CASE("mhsim run: interrupted or killed runs resume to the identical file", "[cli][reproducibility]") {
  const fs::path dir = scratch_dir() / "resume";
  fs::create_directories(dir);
  const std::string scenario = kSrc + "/scenarios/examples/small_network.toml";
  const std::vector<std::string> common = {"--reps", "400", "--threads", "1", "--seed", "77"};
  auto args = [&](const fs::path& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {kBin, "run", scenario, "--out", out.string()};
    a.insert(a.end(), common.begin(), common.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  // The reference: one uninterrupted run.
  const fs::path reference = dir / "reference.h5";
  REQUIRE(run_process(args(reference, {"-q"})).exit_code == 0);

  for (const int signal : {SIGINT, SIGKILL}) {
    INFO("signal " << signal);
    const fs::path out = dir / ("results-" + std::to_string(signal) + ".h5");
    { std::ofstream(out) << "earlier results"; }
    // Stop the run once it has written some chunks ("progress:" lines come every 10%).
    const auto stopped = run_process(args(out), "progress: 80/400", signal);
    CHECK(stopped.exit_code == (signal == SIGINT ? 130 : 128 + SIGKILL));
    CHECK(slurp_file(out.string()) == "earlier results");  // untouched
    const fs::path partial = out.string() + ".partial";
    REQUIRE(fs::exists(partial));
    const std::size_t kept = chunk_files(partial);
    CHECK(kept >= 8);   // at least 80 of 400 replications in chunks of 8
    CHECK(kept < 50);   // not finished
    // Without --resume the checkpoint is not overwritten.
    const auto refused = run_process(args(out, {"-q"}));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("expected --resume to continue it"));
    // Another seed cannot resume it.
    auto other_seed = args(out, {"-q", "--resume"});
    *std::find(other_seed.begin(), other_seed.end(), "77") = "78";
    const auto wrong = run_process(other_seed);
    CHECK(wrong.exit_code == 2);
    CHECK_THAT(wrong.err, Catch::Contains("seed: expected 78 (this run), got 77"));
    // Resume: runs only what is missing and ends with the same datasets as the reference.
    const auto resumed = run_process(args(out, {"-q", "--resume"}));
    REQUIRE(resumed.exit_code == 0);
    CHECK_THAT(resumed.out, Catch::Contains("Resumed: " + std::to_string(kept * 8) + " replications were already finished"));
    CHECK_FALSE(fs::exists(partial));
    CHECK(datasets_of(out) == datasets_of(reference));
  }
}

namespace {
// A pathway of two services; `a_routes` is services.a.routes.
std::string two_service_pathway(const std::string& population, const std::string& rate, const std::string& years,
                                const std::string& mean_days, const std::string& a_routes) {
  return "model = \"pathway\"\n[run]\nseed = 1\nreplications = 2\nyears = " + years +
         "\n[population]\nsize = " + population + "\n[groups.common]\nrate_per_1000_per_year = " + rate +
         "\n[partners.trust]\nkind = \"nhs_trust\"\n"
         "[services.a]\nkind = \"gp\"\npartner = \"trust\"\nduration = { distribution = \"exponential\", mean = " +
         mean_days + " }\nroutes = " + a_routes +
         "\n[services.b]\nkind = \"cmht\"\npartner = \"trust\"\nduration = { distribution = \"exponential\", mean = " +
         mean_days + " }\nroutes = { a = 1 }\n[arms.only]\n[arms.only.entry]\ncommon = { a = 1 }\n";
}
}  // namespace

TEST_CASE("mhsim validate and run: a saturated finite waiting line is not called unbounded", "[cli]") {
  // The M/M/5/5 loss example at twice its demand (offered load 1.6): the queue cannot grow,
  // arrivals are refused. Without queue_limit the same load is unstable.
  const fs::path dir = scratch_dir() / "saturated";
  fs::create_directories(dir);
  std::string text = slurp_file(kSrc + "/scenarios/examples/erlang_loss.toml");
  text.replace(text.find("arrival_rate = 0.3"), 18, "arrival_rate = 0.8");
  const fs::path bounded = dir / "bounded.toml", unbounded = dir / "unbounded.toml";
  std::ofstream(bounded) << text;
  std::string open = text;
  open.erase(open.find("queue_limit"), open.find('\n', open.find("queue_limit")) - open.find("queue_limit") + 1);
  std::ofstream(unbounded) << open;
  const auto v = run_process({kBin, "validate", bounded.string()});
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::Contains("offered load 1.600  (saturated: the finite waiting line refuses arrivals when full)"));
  CHECK_THAT(v.out, !Catch::Contains("without bound"));
  const auto r = run_process({kBin, "run", bounded.string(), "--reps", "2", "--out", (dir / "b.h5").string(), "-q"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("note: station beds has offered load 1.600 >= 1: its waiting line (at most 0)"));
  CHECK_THAT(r.out, !Catch::Contains("without bound"));
  const auto u = run_process({kBin, "validate", unbounded.string()});
  CHECK(u.exit_code == 0);
  CHECK_THAT(u.out, Catch::Contains("(unstable: the queue grows without bound)"));
}

TEST_CASE("mhsim run: INT, TERM and HUP stop a long replication part-way, output untouched, exit 130", "[cli]") {
  // One replication of this scenario takes minutes (18 million arrivals); the signal comes
  // as soon as the run has started, so only a check inside the event loop stops it in time.
  // `timeout` relays the signal to mhsim and kills it after 120 s: a run that only stops
  // between replications ends with 128 + SIGKILL, not 130.
  const fs::path dir = scratch_dir() / "long_replication";
  fs::create_directories(dir);
  const fs::path scenario = dir / "long.toml";
  std::ofstream(scenario) << two_service_pathway("3000000", "300", "20", "30", "{ b = 0.5, discharge = 0.5 }");
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) {
    INFO("signal " << signal);
    const fs::path out = dir / ("out-" + std::to_string(signal) + ".h5");
    { std::ofstream(out) << "earlier results"; }
    const auto r = run_process({"/usr/bin/timeout", "-s", "KILL", "120", kBin, "run", scenario.string(), "--out",
                                out.string(), "--threads", "1"},
                               "mhsim run", signal);
    CHECK(r.exit_code == 130);
    CHECK_THAT(r.err, Catch::Contains("interrupted"));
    CHECK(slurp_file(out.string()) == "earlier results");
    const fs::path partial = out.string() + ".partial";
    if (fs::exists(partial)) CHECK(chunk_files(partial) == 0);  // stopped inside the first replication
    fs::remove_all(partial);
  }
}

TEST_CASE("mhsim run: a clock that stops moving is a located error (person, arm, replication, seed), not a hang",
          "[cli]") {
  // Episodes of about 1e-9 days, routed a -> b -> a with an exit so rare that people go round
  // for ever: validation cannot refuse it (each step takes time), the stuck-clock bound must.
  const fs::path dir = scratch_dir() / "stuck_clock";
  fs::create_directories(dir);
  const fs::path scenario = dir / "stuck.toml";
  std::ofstream(scenario) << two_service_pathway("10000", "10", "1", "1e-9",
                                                 "{ b = 0.999999999, discharge = 0.000000001 }");
  REQUIRE(run_process({kBin, "validate", scenario.string()}).exit_code == 0);
  const fs::path out = dir / "stuck.h5";
  { std::ofstream(out) << "earlier results"; }
  const auto r = run_process({kBin, "run", scenario.string(), "--out", out.string(), "--threads", "1", "-q"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("person 0 of need group \"common\""));
  CHECK_THAT(r.err, Catch::Contains("the clock is stuck"));
  CHECK_THAT(r.err, Catch::Contains("(arm \"only\", replication 0, seed 1)"));
  CHECK(slurp_file(out.string()) == "earlier results");
  CHECK_FALSE(fs::exists(out.string() + ".partial"));

  // The network model too: a station that serves in no time and sends nearly everyone back.
  const fs::path network = dir / "network.toml";
  std::ofstream(network) << "[run]\nseed = 1\nreplications = 1\nhorizon_days = 100\nwarmup_days = 0\n"
                            "[stations.a]\narrival_rate = 1\nservers = 1\n"
                            "service = { distribution = \"deterministic\", value = 0 }\n"
                            "routes = { a = 0.999999999, exit = 0.000000001 }\n";
  const auto n = run_process({kBin, "run", network.string(), "--out", (dir / "network.h5").string(), "-q"});
  CHECK(n.exit_code == 1);
  CHECK_THAT(n.err, Catch::Contains("customer 0 at day"));
  CHECK_THAT(n.err, Catch::Contains("the clock is stuck"));
  CHECK_THAT(n.err, Catch::Contains("(replication 0, seed 1)"));
  CHECK_FALSE(fs::exists(dir / "network.h5"));
}

TEST_CASE("mhsim run --shard and mhsim merge: shards join to the single-run datasets", "[cli][reproducibility]") {
  const fs::path dir = scratch_dir() / "shards";
  fs::create_directories(dir);
  const std::string scenario = kSrc + "/scenarios/examples/jackson.toml";
  const fs::path single = dir / "single.h5";
  REQUIRE(run_process({kBin, "run", scenario, "--reps", "10", "--out", single.string(), "-q"}).exit_code == 0);
  std::vector<std::string> shards;
  for (int i = 0; i < 3; ++i) {
    const fs::path shard = dir / ("shard" + std::to_string(i) + ".h5");
    const auto r = run_process({kBin, "run", scenario, "--reps", "10", "--shard", std::to_string(i) + "/3", "--out",
                                shard.string(), "-q", "--threads", "1"});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Shard " + std::to_string(i) + "/3"));
    shards.push_back(shard.string());
  }
  const fs::path merged = dir / "merged.h5";
  // Any order of inputs.
  const auto m = run_process({kBin, "merge", shards[2], shards[0], shards[1], "--out", merged.string()});
  REQUIRE(m.exit_code == 0);
  CHECK(datasets_of(merged) == datasets_of(single));
  CHECK(mhsim::analysis::ResultsReader(merged.string()).uint_attribute("replications_in_file") == 10);

  // Missing, overlapping and foreign inputs are refused, every problem listed, nothing written.
  const fs::path bad = dir / "bad.h5";
  const auto missing = run_process({kBin, "merge", shards[0], shards[2], "--out", bad.string()});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains(": expected in one of the inputs, got none (missing)"));
  const auto overlap = run_process({kBin, "merge", shards[0], shards[0], shards[1], shards[2], "--out", bad.string()});
  CHECK(overlap.exit_code == 2);
  CHECK_THAT(overlap.err, Catch::Contains("(overlap)"));
  const fs::path foreign = dir / "foreign.h5";
  REQUIRE(run_process({kBin, "run", scenario, "--reps", "10", "--seed", "5", "--shard", "1/3", "--out",
                       foreign.string(), "-q"})
              .exit_code == 0);
  const auto mixed = run_process({kBin, "merge", shards[0], foreign.string(), shards[2], "--out", bad.string()});
  CHECK(mixed.exit_code == 2);
  CHECK_THAT(mixed.err, Catch::Contains("seed: expected 4"));
  CHECK_THAT(mixed.err, Catch::Contains("(not the same run)"));
  CHECK_FALSE(fs::exists(bad));
  // A shard drawn under another RNG scheme (here one whose attribute says scheme 1, as a build
  // before issue 19 would have written) is not the same run, whatever else agrees.
  const fs::path old_scheme = dir / "old_scheme.h5";
  fs::copy_file(shards[1], old_scheme, fs::copy_options::overwrite_existing);
  {
    const hid_t file = H5Fopen(old_scheme.string().c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    const hid_t attr = H5Aopen(file, "rng_scheme", H5P_DEFAULT);
    REQUIRE(attr >= 0);
    const unsigned long long one = 1;
    CHECK(H5Awrite(attr, H5T_NATIVE_ULLONG, &one) >= 0);
    H5Aclose(attr);
    H5Fclose(file);
  }
  const auto scheme = run_process({kBin, "merge", shards[0], old_scheme.string(), shards[2], "--out", bad.string()});
  CHECK(scheme.exit_code == 2);
  CHECK_THAT(scheme.err, Catch::Contains("rng_scheme: expected 2"));
  CHECK_THAT(scheme.err, Catch::Contains("got 1 (not the same run)"));
  CHECK_FALSE(fs::exists(bad));
  CHECK(run_process({kBin, "run", scenario, "--shard", "3/3", "--out", bad.string()}).exit_code == 2);
}

// ---------------------------------------------------------------------------------------
// The pathway model through the real binary: the default scenario runs end to end and
// writes every arm's ledger, KPIs and checks; the file is the same at any thread count and
// after a killed run is resumed; validate reports a pathway scenario.
namespace {
using mhsim::test::Datasets;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_pathway_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

const std::string kDefault = std::string(MHSIM_SOURCE_DIR) + "/scenarios/default.toml";
}  // namespace

TEST_CASE("Pathway CLI: the default scenario runs end to end and its results hold together", "[cli][pathway]") {
  const fs::path out = scratch("default.h5");
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "4", "--threads", "2", "--out",
                                           out.string(), "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ledger cost"));
  CHECK_THAT(r.out, Catch::Contains("Common random numbers"));

  const mhsim::analysis::ResultsReader file(out.string());
  CHECK(file.string_attribute("model") == "pathway");
  CHECK(file.uint_attribute("replications") == 4);
  CHECK(file.labels("arms/name") == std::vector<std::string>{"block", "living_well"});
  const std::vector<std::uint64_t> shape = file.shape("ledger/cost");
  REQUIRE(shape.size() == 5);
  CHECK(shape[0] == 4);
  CHECK(shape[1] == 2);
  CHECK(shape[2] == 3);
  const auto results = mhsim::analysis::read_pathway_results(file);
  REQUIRE(results.size() == 4);
  for (const pw::PathwayResult& rep : results) {
    for (const pw::ArmResult& arm : rep.arms) {
      // People and money are conserved in what was written, not only inside the model.
      CHECK(arm.arrived == arm.exited + arm.in_system);
      double by_service = 0, by_partner = 0, kpi_cost = 0;
      for (const double c : arm.cost) by_service += c;
      for (const double c : arm.one_off) by_service += c;  // set-up costs, in partner and system cost
      for (const double c : arm.partner_cost) by_partner += c;
      for (std::size_t y = 0; y < arm.years; ++y) kpi_cost += arm.sys(y, pw::SystemKpi::kCost);
      CHECK(by_partner == Approx(by_service).epsilon(1e-12));
      CHECK(kpi_cost == Approx(by_service).epsilon(1e-12));
      CHECK(by_service > 1e6);
    }
    // The same people arrive in both arms (common random numbers).
    for (std::size_t y = 0; y < 3; ++y) {
      CHECK(rep.arms[0].sys(y, pw::SystemKpi::kArrivals) == rep.arms[1].sys(y, pw::SystemKpi::kArrivals));
    }
  }

  // Every arm-year was settled, and money is conserved in what was written.
  const std::vector<std::uint64_t> ps = file.shape("payouts/partner");
  REQUIRE(ps.size() == 5);
  const std::size_t A = 2, Y = 3, P = static_cast<std::size_t>(ps[3]), F = 7, G = 14;
  const std::vector<double> partner = file.read_double("payouts/partner");
  const std::vector<double> arm = file.read_double("payouts/arm");
  for (std::size_t rep = 0; rep < 4; ++rep) {
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t y = 0; y < Y; ++y) {
        double payments = 0;
        for (std::size_t p = 0; p < P; ++p) payments += partner[(((rep * A + a) * Y + y) * P + p) * F + 0];
        const double* g = &arm[((rep * A + a) * Y + y) * G];
        CHECK(g[0] == payments);                                             // commissioner spend = sum of payments
        CHECK(g[5] + g[6] == Approx(g[4]).margin(1e-6 * std::max(1.0, std::fabs(g[4]))));  // share + residual = underrun
        CHECK(payments > 1e6);
      }
    }
  }

  // One thread gives the same bytes.
  const fs::path one = scratch("default_1.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "4", "--threads", "1", "--out",
                                    one.string(), "-q"})
              .exit_code == 0);
  CHECK(datasets_of(one) == datasets_of(out));
}

TEST_CASE("Pathway CLI: a killed run resumes to the datasets of an uninterrupted one", "[cli][pathway][reproducibility]") {
  const fs::path whole = scratch("whole.h5"), resumed = scratch("resumed.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "24", "--threads", "1", "--out",
                                    whole.string(), "-q"})
              .exit_code == 0);
  const auto killed = mhsim::test::run_process(
      {MHSIM_BINARY, "run", kDefault, "--reps", "24", "--threads", "1", "--out", resumed.string()}, "progress: 5/24",
      SIGKILL);
  REQUIRE(killed.exit_code == 128 + SIGKILL);
  CHECK_FALSE(fs::exists(resumed));
  const auto again = mhsim::test::run_process(
      {MHSIM_BINARY, "run", kDefault, "--reps", "24", "--threads", "1", "--out", resumed.string(), "-q", "--resume"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(datasets_of(resumed) == datasets_of(whole));
}

TEST_CASE("Pathway CLI: validate describes a pathway scenario", "[cli][pathway]") {
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "validate", kDefault});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("valid pathway scenario"));
  CHECK_THAT(r.out, Catch::Contains("arm living_well"));
}

TEST_CASE("Pathway CLI: a sweep re-settles stored ledgers and agrees with the run's own settlement", "[cli][pathway]") {
  const fs::path out = scratch("sweep_run.h5"), csv = scratch("sweep.csv");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "6", "--threads", "2", "--out",
                                    out.string(), "-q"})
              .exit_code == 0);
  const std::string alliance = "arms.living_well.contracts.living_well_alliance";
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                           alliance + ".share=0.3:0.7:0.1", "--set", alliance + ".pain_cap=0.1:1:0.1",
                                           "--out", csv.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("50 combinations"));
  CHECK_THAT(r.err, Catch::Contains("sweep / simulation"));

  // The combination share 0.5, pain cap 1 is the scenario's own terms: its mean gain/pain per
  // partner must equal the mean of payouts/partner gain_pain written by the run.
  const mhsim::analysis::ResultsReader file(out.string());
  const std::vector<std::uint64_t> ps = file.shape("payouts/partner");
  const std::size_t R = 6, A = 2, Y = 3, P = static_cast<std::size_t>(ps[3]), F = 7;
  const std::vector<double> partner = file.read_double("payouts/partner");
  const std::vector<std::string> partners = file.labels("partners/name");
  std::istringstream lines(mhsim::test::slurp_file(csv.string()));
  std::string line;
  std::getline(lines, line);  // header
  int matched = 0, rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    REQUIRE(f.size() == 26);
    if (std::stod(f[1]) != 0.5 || std::stod(f[2]) != 1.0 || f[3] != "living_well") continue;
    const std::size_t p = static_cast<std::size_t>(std::find(partners.begin(), partners.end(), f[4]) - partners.begin());
    REQUIRE(p < P);
    double mean = 0;
    for (std::size_t rep = 0; rep < R; ++rep) {
      for (std::size_t y = 0; y < Y; ++y) mean += partner[(((rep * A + 1) * Y + y) * P + p) * F + 5];
    }
    mean /= static_cast<double>(R * Y);
    CHECK(std::stod(f[7]) == Approx(mean).epsilon(1e-8).margin(1e-6));
    ++matched;
  }
  CHECK(matched >= 3);  // the alliance's three members (and the non-alliance contracts)
  CHECK(rows >= 50);

  // A term that cannot be set is refused with every problem and exit 2.
  const auto bad = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                             alliance + ".shar=0.1", "--set", "arms.nowhere.contracts.x.share=1:0:1"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--set " + alliance + ".shar"));
  CHECK_THAT(bad.err, Catch::Contains("from:to:step"));

  // "inf" removes a limit: a pain cap of inf settles exactly as one (100 x the fee) that never
  // binds; a term that takes no infinity, and -inf or nan anywhere, are refused.
  const fs::path caps = scratch("sweep_caps.csv");
  const auto uncapped = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                                  alliance + ".pain_cap=100,inf", "--out", caps.string()});
  INFO(uncapped.err);
  REQUIRE(uncapped.exit_code == 0);
  // cap -> its rows without the two first columns and without p_partner_cap_binds, which is
  // 0 under a cap that never binds and empty (no cap) under inf; every payout is the same.
  std::map<std::string, std::vector<std::string>> by_cap;
  std::map<std::string, std::set<std::string>> binds;  // cap -> the values of p_partner_cap_binds
  std::istringstream cap_lines(mhsim::test::slurp_file(caps.string()));
  std::getline(cap_lines, line);
  std::vector<std::string> header;
  {
    std::stringstream hs(line);
    for (std::string x; std::getline(hs, x, ',');) header.push_back(x);
  }
  const std::size_t bind_col = static_cast<std::size_t>(
      std::find(header.begin(), header.end(), "p_partner_cap_binds") - header.begin());
  REQUIRE(bind_col < header.size());
  while (std::getline(cap_lines, line)) {
    std::vector<std::string> f;
    std::size_t start = 0;
    for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1) {
      f.push_back(line.substr(start, comma - start));
    }
    f.push_back(line.substr(start));
    REQUIRE(f.size() == header.size());
    binds[f[1]].insert(f[bind_col]);
    std::string rest;
    for (std::size_t k = 2; k < f.size(); ++k) {
      if (k != bind_col) rest += f[k] + ",";
    }
    by_cap[f[1]].push_back(rest);
  }
  REQUIRE(by_cap.size() == 2);
  CHECK(by_cap["inf"].size() >= 3);
  CHECK(by_cap["inf"] == by_cap["100"]);
  CHECK(binds["100"].count("0") == 1);  // a partner under the shared cap: it never binds
  CHECK(binds["100"].count("1") == 0);
  for (const std::string& term : {alliance + ".share=inf", alliance + ".pain_cap=-inf", alliance + ".pain_cap=nan"}) {
    const auto refused = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set", term});
    CHECK(refused.exit_code == 2);
  }
}

namespace {

// A CSV file as rows of fields (no quoted commas in these tables).
std::vector<std::vector<std::string>> csv_rows(const fs::path& file) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(mhsim::test::slurp_file(file.string()));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // the report's CSV ends lines in CRLF
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    if (!line.empty() && line.back() == ',') f.emplace_back();
    rows.push_back(f);
  }
  return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  REQUIRE(it != header.end());
  return static_cast<std::size_t>(it - header.begin());
}

}  // namespace

TEST_CASE("Pathway CLI: sweep's risk columns over the agreement equal the report's at the scenario's own terms",
          "[cli][pathway][reserves]") {
  const fs::path out = scratch("sweep_risk_run.h5"), csv = scratch("sweep_risk.csv"), dir = scratch("sweep_risk_report");
  fs::remove_all(dir);
  // The alliance as the scenario writes it but not paid on account (so the cash position's
  // figures are the reserve path's, below); the run records the setting and sweep applies it.
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "8", "--out", out.string(), "-q", "--set",
                                    "arms.living_well.contracts[2].interim=false"})
              .exit_code == 0);
  // The scenario's own share (0.5) and a second value; reserves and horizon from the command line.
  const std::string alliance = "arms.living_well.contracts.living_well_alliance";
  const auto sweep = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                               alliance + ".share=0.5,0.9", "--reserve", "slam=2000000", "--horizon",
                                               "2", "--out", csv.string()});
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const auto report = mhsim::test::run_process({MHSIM_BINARY, "report", out.string(), "--csv", dir.string(),
                                                "--reserve", "slam=2000000", "--horizon", "2", "-q"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const auto s = csv_rows(csv), r = csv_rows(dir / "risk.csv");
  const auto& sh = s.at(0);
  const auto& rh = r.at(0);
  int compared = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i].at(1) != "0.5" || s[i].at(column(sh, "arm")) != "living_well") continue;
    const std::string partner = s[i].at(column(sh, "partner"));
    for (std::size_t j = 1; j < r.size(); ++j) {
      if (r[j].at(column(rh, "arm")) != "living_well" || r[j].at(column(rh, "partner")) != partner) continue;
      INFO(partner);
      CHECK(s[i].at(column(sh, "horizon_years")) == "2");
      for (const auto& [ours, theirs] : std::vector<std::pair<std::string, std::string>>{
               {"mean_painshare", "mean_painshare"}, {"var_painshare", "var"}, {"es_painshare", "es"},
               {"p_painshare_above_reserve", "p_above_reserve"}, {"p_reserves_exhausted", "p_exhausted"},
               {"lowest_reserve_q05", "lowest_reserve_q05"}, {"reserves_needed", "reserves_needed"},
               {"p_partner_cap_binds", "p_cap_binds"}, {"reserve", "reserve"}, {"p_cash_exhausted", "p_cash_exhausted"},
               {"lowest_cash_q05", "lowest_cash_q05"}}) {
        INFO(ours);
        const std::string a = s[i].at(column(sh, ours)), b = r[j].at(column(rh, theirs));
        REQUIRE(a.empty() == b.empty());
        if (!a.empty()) CHECK(std::stod(a) == Approx(std::stod(b)).epsilon(1e-9).margin(1e-6));
      }
      ++compared;
    }
    if (partner == "slam") {
      CHECK(s[i].at(column(sh, "reserve")) == "2000000");
      CHECK_FALSE(s[i].at(column(sh, "p_reserves_exhausted")).empty());
    }
    // No alliance is paid on account: the cash position runs straight between the year-end
    // reserves, so its figures are the reserve path's.
    CHECK(s[i].at(column(sh, "p_cash_exhausted")) == s[i].at(column(sh, "p_reserves_exhausted")));
    CHECK(s[i].at(column(sh, "lowest_cash_q05")) == s[i].at(column(sh, "lowest_reserve_q05")));
  }
  CHECK(compared >= 3);  // the alliance's members and the other contracted partners

  // Retention over the agreement (contracts::carry), swept: each partner's mean payment a year
  // is that of annual settlement (cash only moves between years); a run with the same
  // retention writes payouts whose means are the sweep's (one settlement path for both).
  const fs::path kept = scratch("sweep_retention.csv"), kept_run = scratch("sweep_retention.h5");
  const auto ret = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                             alliance + ".retention=0,0.5", "--out", kept.string()});
  INFO(ret.err);
  REQUIRE(ret.exit_code == 0);
  const auto k = csv_rows(kept);
  std::map<std::string, std::map<std::string, double>> payment;  // retention -> partner -> mean payment
  for (std::size_t i = 1; i < k.size(); ++i) {
    if (k[i].at(column(k[0], "arm")) != "living_well") continue;
    payment[k[i].at(1)][k[i].at(column(k[0], "partner"))] = std::stod(k[i].at(column(k[0], "mean_payment")));
  }
  REQUIRE(payment.size() == 2);
  for (const auto& [partner, value] : payment["0"]) {
    INFO(partner);
    CHECK(payment["0.5"].at(partner) == Approx(value).epsilon(1e-12));
  }
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "8", "--set",
                                    "arms.living_well.contracts[2].retention=0.5", "--out", kept_run.string(), "-q"})
              .exit_code == 0);
  const mhsim::analysis::ResultsReader kf(kept_run.string()), base(out.string());
  const std::vector<double> kp = kf.read_double("payouts/partner"), bp = base.read_double("payouts/partner");
  REQUIRE(kp.size() == bp.size());
  CHECK(kp != bp);  // the years' cash differs ...
  const std::size_t F = 7, P = kf.labels("partners/name").size();
  for (std::size_t p = 0; p < P; ++p) {  // ... but not the sum over the agreement
    for (std::size_t rep = 0; rep < 8; ++rep) {
      double a = 0, b = 0;
      for (std::size_t y = 0; y < 3; ++y) {
        a += kp[(((rep * 2 + 1) * 3 + y) * P + p) * F];
        b += bp[(((rep * 2 + 1) * 3 + y) * P + p) * F];
      }
      CHECK(a == Approx(b).epsilon(1e-12));
    }
  }

  // mhsim design over a grid: its feasible terms and frontier, recomputed here from the
  // sweep's columns for the same grid (every partner's P(reserves exhausted) <= 0.2; each
  // risk-sharing partner's expected gain/pain over the agreement >= 0; the frontier: feasible
  // terms no other feasible terms beat on both spend and the worst P(exhausted)).
  const fs::path grid = scratch("design_grid.csv"), designed = scratch("design.csv");
  const std::vector<std::string> axes = {"--set", alliance + ".share=0.2,0.5,0.9", "--set", alliance + ".pain_cap=0.1,0.5,1"};
  std::vector<std::string> sweep_args = {MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--reserve",
                                         "slam=1000000", "--out", grid.string()};
  std::vector<std::string> design_args = {MHSIM_BINARY, "design", kDefault, "--results", out.string(), "--arm",
                                          "living_well", "--reserve", "slam=1000000", "--max-exhaustion", "0.2",
                                          "--out", designed.string()};
  sweep_args.insert(sweep_args.end(), axes.begin(), axes.end());
  design_args.insert(design_args.end(), axes.begin(), axes.end());
  const auto gs = mhsim::test::run_process(sweep_args);
  REQUIRE(gs.exit_code == 0);
  const auto ds = mhsim::test::run_process(design_args);
  INFO(ds.err);
  REQUIRE(ds.exit_code == 0);
  struct Expect {
    double spend = 0, worst = 0, lowest = 1e300;
    bool feasible = false, frontier = false;
  };
  std::map<std::string, Expect> expect;  // combination -> recomputed
  const auto sg = csv_rows(grid);
  for (std::size_t i = 1; i < sg.size(); ++i) {
    const auto& f = sg[i];
    if (f.at(column(sg[0], "arm")) != "living_well") continue;
    Expect& e = expect[f.at(0)];
    e.spend = std::stod(f.at(column(sg[0], "commissioner_spend_horizon")));
    const std::string ex = f.at(column(sg[0], "p_reserves_exhausted"));
    if (!ex.empty()) e.worst = std::max(e.worst, std::stod(ex));
    const double per_year = std::stod(f.at(column(sg[0], "mean_gain_pain")));
    const bool shares_risk = std::stod(f.at(column(sg[0], "p_pain"))) > 0 || per_year != 0;
    if (shares_risk) e.lowest = std::min(e.lowest, 3 * per_year);  // the horizon is the run's 3 years
  }
  REQUIRE(expect.size() == 9);
  for (auto& [c, e] : expect) e.feasible = e.worst <= 0.2 && e.lowest >= -1e-6;
  for (auto& [c, e] : expect) {
    e.frontier = e.feasible && std::none_of(expect.begin(), expect.end(), [&](const auto& o) {
      return o.second.feasible && o.second.spend <= e.spend && o.second.worst <= e.worst &&
             (o.second.spend < e.spend || o.second.worst < e.worst);
    });
  }
  const auto dg = csv_rows(designed);
  REQUIRE(dg.size() == 10);
  int feasible = 0, frontier = 0;
  for (std::size_t i = 1; i < dg.size(); ++i) {
    const auto& f = dg[i];
    const Expect& e = expect.at(f.at(0));
    INFO("combination " << f.at(0));
    CHECK(std::stod(f.at(column(dg[0], "commissioner_spend"))) == Approx(e.spend).epsilon(1e-9));
    CHECK(std::stod(f.at(column(dg[0], "worst_p_exhausted"))) == Approx(e.worst).margin(1e-12));
    CHECK((f.at(column(dg[0], "feasible")) == "1") == e.feasible);
    CHECK((f.at(column(dg[0], "frontier")) == "1") == e.frontier);
    feasible += e.feasible ? 1 : 0;
    frontier += e.frontier ? 1 : 0;
  }
  CHECK(feasible > 0);
  CHECK(frontier > 0);
  CHECK_THAT(ds.out, Catch::Contains(std::to_string(feasible) + " of 9 combinations"));
  // Design needs reserves to constrain, and an arm with contracts.
  const auto nd = mhsim::test::run_process({MHSIM_BINARY, "design", kDefault, "--results", out.string(), "--arm", "nowhere",
                                            "--max-exhaustion", "2", "--set", alliance + ".share=0.5"});
  CHECK(nd.exit_code == 2);
  CHECK_THAT(nd.err, Catch::Contains("--max-exhaustion: expected a probability in [0, 1]") &&
                         Catch::Contains("--arm: expected an arm of the scenario"));

  // A reserve for no partner, a negative reserve and a horizon past the run are refused together.
  const auto bad = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                             alliance + ".share=0.5", "--reserve", "nobody=5", "--reserve", "slam=-1",
                                             "--horizon", "9"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("nobody=5") && Catch::Contains("pounds >= 0, got \"-1\"") && Catch::Contains("--horizon") &&
                          Catch::Contains("3 errors"));
}

TEST_CASE("Pathway CLI: shards are settled when merged, as a single run is", "[cli][pathway][reproducibility]") {
  const fs::path whole = scratch("shard_whole.h5"), s0 = scratch("shard0.h5"), s1 = scratch("shard1.h5"),
                 merged = scratch("shard_merged.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "6", "--out", whole.string(), "-q"})
              .exit_code == 0);
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "6", "--shard", "0/2", "--out",
                                    s0.string(), "-q"})
              .exit_code == 0);
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "6", "--shard", "1/2", "--out",
                                    s1.string(), "-q"})
              .exit_code == 0);
  CHECK(datasets_of(s0).count("payouts/partner") == 0);  // a shard alone cannot set an arm-based target
  // A shard is not a run: sweep refuses it as report and compare do, with the same words.
  for (const char* command : {"sweep", "compare"}) {
    const auto refused = command == std::string("sweep")
                             ? mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", s1.string(), "--set",
                                                         "arms.living_well.contracts.living_well_alliance.share=0.4"})
                             : mhsim::test::run_process({MHSIM_BINARY, "compare", s1.string()});
    INFO(command << ": " << refused.err);
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("holds replications 3 to 5 of a run of 6") &&
                                Catch::Contains("mhsim merge"));
  }
  const auto m = mhsim::test::run_process({MHSIM_BINARY, "merge", s1.string(), s0.string(), "--out", merged.string()});
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
  const Datasets a = datasets_of(whole), b = datasets_of(merged);
  CHECK(a.at("payouts/partner") == b.at("payouts/partner"));
  CHECK(a.at("payouts/arm") == b.at("payouts/arm"));
  CHECK(a.at("ledger/cost") == b.at("ledger/cost"));
}

TEST_CASE("mhsim run --set: the datasets of the file edited to that value, recorded, checked, and part of the run's identity",
          "[cli][pathway]") {
  const fs::path dir = scratch("set");
  fs::remove_all(dir);
  fs::create_directories(dir);
  // The same scenario with the CMHT caseload edited in the text.
  std::ostringstream read;
  read << std::ifstream(kDefault).rdbuf();
  std::string text = read.str();
  const std::string from = "capacity = 1850 ";
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), "capacity = 1200 ");
  const fs::path edited = dir / "edited.toml";
  std::ofstream(edited) << text;
  const fs::path by_text = dir / "text.h5", by_set = dir / "set.h5";
  const auto a = mhsim::test::run_process({MHSIM_BINARY, "run", edited.string(), "--reps", "2", "--out", by_text.string(), "-q"});
  REQUIRE(a.exit_code == 0);
  const auto b = mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "2", "--set", "services.cmht.capacity=1200",
                                           "--out", by_set.string(), "-q"});
  REQUIRE(b.exit_code == 0);
  CHECK(mhsim::test::datasets_of(by_set.string()) == mhsim::test::datasets_of(by_text.string()));
  const mhsim::analysis::ResultsReader file(by_set.string());
  CHECK(file.string_attribute("settings") == "services.cmht.capacity=1200\n");
  CHECK(mhsim::analysis::ResultsReader(by_text.string()).string_attribute("settings").empty());

  // A bad value, an unknown key and a malformed setting: every error at once, exit 2, nothing written.
  const fs::path bad = dir / "bad.h5";
  const auto c = mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "2", "--set", "services.cmht.capacity=-3",
                                           "--set", "services.cmhtt.capacity=3", "--set", "run.years", "--out", bad.string()});
  CHECK(c.exit_code == 2);
  CHECK_THAT(c.err, Catch::Contains("services.cmht.capacity"));
  CHECK_THAT(c.err, Catch::Contains("cmhtt"));
  CHECK_THAT(c.err, Catch::Contains("run.years"));
  CHECK_THAT(c.err, Catch::Contains("3 errors"));
  CHECK_FALSE(fs::exists(bad));

  // A run interrupted under one setting may not be resumed under another.
  const fs::path partial = dir / "resume.h5";
  fs::create_directories(partial.string() + ".partial");
  fs::copy_file(by_set, fs::path(partial.string() + ".partial") / "chunk-000000000000.h5");
  const auto d = mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "2", "--set", "services.cmht.capacity=1300",
                                           "--resume", "--out", partial.string(), "-q"});
  CHECK(d.exit_code == 2);
  CHECK_THAT(d.err, Catch::Contains("settings"));
}

// The default scenario's text with `keys` added to its Living Well alliance.
std::string default_alliance_with(const std::string& keys) {
  std::ifstream in(kDefault);
  std::stringstream text;
  text << in.rdbuf();
  std::string toml = text.str();
  const std::string anchor = "name = \"living_well_alliance\"\n";
  REQUIRE(toml.find(anchor) != std::string::npos);
  // A key given replaces the alliance's own line of that key (the keys that follow the name).
  for (std::size_t at = 0; at < keys.size();) {
    const std::size_t eq = keys.find(" = ", at), end = keys.find('\n', at);
    if (eq == std::string::npos || end == std::string::npos) break;
    const std::string line_start = "\n" + keys.substr(at, eq - at) + " = ";
    const std::size_t own = toml.find(line_start, toml.find(anchor));
    if (own != std::string::npos) toml.erase(own + 1, toml.find('\n', own + 1) - own);
    at = end + 1;
  }
  toml.replace(toml.find(anchor), anchor.size(), anchor + keys);
  return toml;
}

TEST_CASE("Pathway CLI: an alliance scoped to services settles on them, with its target from their reference cost",
          "[cli][pathway][scoped]") {
  // The default scenario with a Lambeth-style alliance over rehab, placements and the
  // recovery services only; slam's other services on a block contract in the same arm.
  std::string toml = default_alliance_with("services = [\"rehab\", \"placement\", \"peer_support\", \"alliance_support\"]\n");
  toml += "\n[[arms.living_well.contracts]]\nname = \"slam_block\"\ntype = \"block\"\npartner = \"slam\"\nannual = 20000000\n";
  const fs::path scenario = scratch("scoped.toml"), out = scratch("scoped.h5");
  { std::ofstream(scenario) << toml; }
  const auto run = mhsim::test::run_process({MHSIM_BINARY, "run", scenario.string(), "--reps", "8", "--out", out.string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  const mhsim::analysis::ResultsReader file(out.string());
  const std::vector<double> cost = file.read_double("ledger/cost");          // [R][A][Y][S][M]
  const std::vector<double> partner = file.read_double("payouts/partner");   // [R][A][Y][P][F]
  const std::vector<double> arm = file.read_double("payouts/arm");           // [R][A][Y][G]
  const std::vector<std::uint64_t> shape = file.shape("ledger/cost");
  const std::size_t R = shape.at(0), A = shape.at(1), Y = shape.at(2), S = shape.at(3), M = shape.at(4);
  const std::size_t P = file.shape("payouts/partner").at(3), F = file.shape("payouts/partner").at(4);
  const std::size_t G = file.shape("payouts/arm").at(3);
  REQUIRE(R == 8);
  // Indices in the default scenario's order: arms block 0, living_well 1; services rehab 8,
  // placement 9, peer_support 3, alliance_support 10; partner slam 0.
  const std::vector<std::size_t> scope = {3, 8, 9, 10};
  // A service's cost is its ledger/cost plus its one-off costs (ledger/one_off [R][A][Y][S]:
  // the default's alliance_support has its mobilisation in the living_well arm's year 1).
  const std::vector<double> one_off = file.read_double("ledger/one_off");
  REQUIRE(one_off.size() == R * A * Y * S);
  const auto service_cost = [&](std::size_t r, std::size_t a, std::size_t y, std::size_t s) {
    double c = 0;
    for (std::size_t m = 0; m < M; ++m) c += cost[(((r * A + a) * Y + y) * S + s) * M + m];
    return c + one_off[((r * A + a) * Y + y) * S + s];
  };
  for (std::size_t y = 0; y < Y; ++y) {
    // TOC: the type-7 median over replications of the block arm's cost of the four services.
    std::vector<double> reference;
    for (std::size_t r = 0; r < R; ++r) {
      double c = 0;
      for (const std::size_t s : scope) c += service_cost(r, 0, y, s);
      reference.push_back(c);
    }
    std::sort(reference.begin(), reference.end());
    const double median = (reference[3] + reference[4]) / 2;  // type 7 at p = 0.5 with n = 8
    for (std::size_t r = 0; r < R; ++r) {
      INFO("year " << y << ", replication " << r);
      const double* a = &arm[((r * A + 1) * Y + y) * G];
      CHECK(a[1] == Approx(median).epsilon(1e-12));  // target
      double actual = 0;
      for (const std::size_t s : scope) actual += service_cost(r, 1, y, s);
      CHECK(a[2] == Approx(actual).epsilon(1e-12));  // AOC: the scope's cost, not the members' whole cost
      // slam: Limb 1 is its rehab cost; its payment adds the block's 20m.
      const double* q = &partner[((r * A + 1) * Y + y) * P * F];
      CHECK(q[3] == Approx(service_cost(r, 1, y, 8)).epsilon(1e-12));
      CHECK(q[0] == Approx(20e6 + q[3] + q[4] + q[5]).epsilon(1e-12));
    }
  }
}

TEST_CASE("Pathway CLI: a pooled budget's commissioners each get their spend, as the split's formula gives it",
          "[cli][pathway][pooled]") {
  // The default scenario with an ICB and a council pooling the alliance's budget 80/20 and
  // sharing its out-turn 50/50; the ICB alone pays the other contracts (their default).
  std::string toml =
      default_alliance_with("funders = { icb = 0.8, council = 0.2 }\nresidual_split = { icb = 0.5, council = 0.5 }\n");
  const std::string arms = "\n[arms.block]";
  REQUIRE(toml.find(arms) != std::string::npos);
  toml.insert(toml.find(arms), "\n[commissioners.icb]\nbudget = 30000000\n[commissioners.council]\n");
  const fs::path scenario = scratch("pooled.toml"), out = scratch("pooled.h5");
  { std::ofstream(scenario) << toml; }
  const auto run = mhsim::test::run_process({MHSIM_BINARY, "run", scenario.string(), "--reps", "4", "--out", out.string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  const mhsim::analysis::ResultsReader file(out.string());
  CHECK(file.labels("payouts/commissioner_name") == std::vector<std::string>{"icb", "council"});
  const std::vector<double> spend = file.read_double("payouts/commissioner");  // [R][A][Y][2]
  const std::vector<double> partner = file.read_double("payouts/partner");     // [R][A][Y][P][F]
  const std::vector<double> arm = file.read_double("payouts/arm");             // [R][A][Y][G]
  const std::vector<std::uint64_t> shape = file.shape("payouts/partner");
  const std::size_t R = shape.at(0), A = shape.at(1), Y = shape.at(2), P = shape.at(3), F = shape.at(4);
  const std::size_t G = file.shape("payouts/arm").at(3);
  REQUIRE(file.shape("payouts/commissioner") == std::vector<std::uint64_t>{R, A, Y, 2});
  // Partners: slam 0, gp_practices 1, certitude 2, council 3 (members: 0, 2, 3).
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t y = 0; y < Y; ++y) {
      INFO("replication " << r << ", year " << y);
      const double* a = &arm[((r * A + 1) * Y + y) * G];
      const double* q = &partner[((r * A + 1) * Y + y) * P * F];
      const double alliance = q[0 * F] + q[2 * F] + q[3 * F];
      const double budget = a[1] + a[3];  // target + fee_total
      const double* k = &spend[((r * A + 1) * Y + y) * 2];
      CHECK(k[1] == Approx(0.2 * budget - 0.5 * (budget - alliance)).epsilon(1e-12));
      CHECK(k[0] + k[1] == Approx(a[0]).epsilon(1e-12));  // commissioner_spend
      // The block arm has no funders: the ICB (first commissioner) pays it all.
      const double* b = &spend[((r * A + 0) * Y + y) * 2];
      CHECK(b[0] == arm[((r * A + 0) * Y + y) * G]);
      CHECK(b[1] == 0.0);
    }
  }
  // The report's risk rows: each commissioner's spend over the three years, and the ICB's
  // chance of spending more than its budget (30m a year x 3), recomputed from the dataset.
  const fs::path dir = scratch("pooled_report");
  fs::remove_all(dir);
  const auto report = mhsim::test::run_process({MHSIM_BINARY, "report", out.string(), "--csv", dir.string(), "-q"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const auto rows = csv_rows(dir / "risk.csv");
  const auto& h = rows.at(0);
  int seen = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].at(column(h, "arm")) != "living_well") continue;
    const std::string who = rows[i].at(column(h, "partner"));
    if (who != "commissioner: icb" && who != "commissioner: council") continue;
    const std::size_t k = who == "commissioner: icb" ? 0 : 1;
    double mean = 0, above = 0;
    for (std::size_t r = 0; r < R; ++r) {
      double total = 0;
      for (std::size_t y = 0; y < Y; ++y) total += spend[((r * A + 1) * Y + y) * 2 + k];
      mean += total / static_cast<double>(R);
      above += total > 90e6 ? 1.0 / static_cast<double>(R) : 0.0;
    }
    INFO(who);
    CHECK(std::stod(rows[i].at(column(h, "mean_payment"))) == Approx(mean).epsilon(1e-12));
    if (k == 0) {
      CHECK(rows[i].at(column(h, "reserve")) == "90000000");
      CHECK(std::stod(rows[i].at(column(h, "p_above_reserve"))) == Approx(above));
    } else {
      CHECK(rows[i].at(column(h, "reserve")).empty());
    }
    ++seen;
  }
  CHECK(seen == 2);
}

namespace {

// The type-7 quantile at p of `v` (decision::quantile's definition, computed here afresh).
double type7(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double h = (static_cast<double>(v.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  return lo + 1 < v.size() ? v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]) : v[lo];
}

}  // namespace

TEST_CASE("Pathway CLI: sweep and design give each pooling commissioner its spend, VaR and P(over budget)",
          "[cli][pathway][pooled][sweep]") {
  // As above: an ICB (budget 30m a year) and a council (no budget) pool the alliance's budget.
  std::string toml =
      default_alliance_with("funders = { icb = 0.8, council = 0.2 }\nresidual_split = { icb = 0.5, council = 0.5 }\n");
  toml.insert(toml.find("\n[arms.block]"), "\n[commissioners.icb]\nbudget = 30000000\n[commissioners.council]\n");
  const fs::path scenario = scratch("pooled_sweep.toml"), out = scratch("pooled_sweep.h5"), csv = scratch("pooled_sweep.csv"),
                 designed = scratch("pooled_design.csv"), per_rep = scratch("pooled_sweep_per_rep.h5");
  { std::ofstream(scenario) << toml; }
  const auto run = mhsim::test::run_process({MHSIM_BINARY, "run", scenario.string(), "--reps", "8", "--out", out.string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string alliance = "arms.living_well.contracts.living_well_alliance";
  const auto sweep = mhsim::test::run_process({MHSIM_BINARY, "sweep", scenario.string(), "--results", out.string(), "--set",
                                               alliance + ".share=0.5,0.9", "--horizon", "2", "--out", csv.string(),
                                               "--per-replication", per_rep.string()});
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);

  // The scenario's own terms (share 0.5): each commissioner's columns recomputed from the
  // run's payouts/commissioner over the first two years.
  const mhsim::analysis::ResultsReader file(out.string());
  const std::vector<double> spend = file.read_double("payouts/commissioner");  // [R][A][Y][2]
  const std::size_t R = 8, A = 2, Y = 3, H = 2;
  // The per-replication file has each commissioner's spend as the run writes it: for the
  // scenario's own terms (combination 0), the run's own, bit for bit; another share moves it.
  const mhsim::analysis::ResultsReader rows_file(per_rep.string());
  CHECK(rows_file.labels("sweep/commissioner_name") == std::vector<std::string>{"icb", "council"});
  REQUIRE(rows_file.shape("sweep/commissioner") == std::vector<std::uint64_t>{2, A, R, Y, 2});
  const std::vector<std::string> stored = rows_file.datasets();
  CHECK(std::find(stored.begin(), stored.end(), "sweep/cash") != stored.end());  // the alliance is paid on account
  const std::vector<double> swept = rows_file.read_double("sweep/commissioner");  // [N][A][R][Y][2]
  std::size_t differ = 0, moved = 0;
  for (std::size_t a = 0; a < A; ++a) {
    for (std::size_t r = 0; r < R; ++r) {
      for (std::size_t k = 0; k < Y * 2; ++k) {
        differ += swept[(a * R + r) * Y * 2 + k] != spend[(r * A + a) * Y * 2 + k];
        moved += swept[((A + a) * R + r) * Y * 2 + k] != spend[(r * A + a) * Y * 2 + k];
      }
    }
  }
  CHECK(differ == 0);
  CHECK(moved > 0);
  const auto rows = csv_rows(csv);
  const auto& h = rows.at(0);
  const std::vector<std::string> names = {"icb", "council"};
  int checked = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& f = rows[i];
    REQUIRE(f.size() == h.size());
    const std::size_t a = f.at(column(h, "arm")) == "block" ? 0 : 1;
    double sum = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      const std::string c = "commissioner." + names[k] + ".";
      INFO(f.at(1) << " " << f.at(column(h, "arm")) << " " << c);
      sum += std::stod(f.at(column(h, c + "spend_horizon")));
      if (k == 1) CHECK(f.at(column(h, c + "p_over_budget")).empty());  // the council states no budget
      if (f.at(1) != "0.5") continue;
      std::vector<double> total(R, 0.0);
      for (std::size_t r = 0; r < R; ++r) {
        for (std::size_t y = 0; y < H; ++y) total[r] += spend[((r * A + a) * Y + y) * 2 + k];
      }
      double mean = 0, above = 0;
      for (const double t : total) {
        mean += t / static_cast<double>(R);
        above += t > 60e6 ? 1.0 / static_cast<double>(R) : 0.0;  // 30m a year x 2 years
      }
      CHECK(std::stod(f.at(column(h, c + "spend_horizon"))) == Approx(mean).epsilon(1e-9));
      CHECK(std::stod(f.at(column(h, c + "var_spend"))) == Approx(type7(total, 0.95)).epsilon(1e-9));
      if (k == 0) CHECK(std::stod(f.at(column(h, c + "p_over_budget"))) == Approx(above).margin(1e-12));
      ++checked;
    }
    // Every term's spend is split between the two, whatever the share.
    CHECK(sum == Approx(std::stod(f.at(column(h, "commissioner_spend_horizon")))).epsilon(1e-9));
  }
  CHECK(checked >= 4);  // both commissioners in both arms at share 0.5
  // Design shares the columns: for the same combination they are the sweep's.
  const auto design = mhsim::test::run_process({MHSIM_BINARY, "design", scenario.string(), "--results", out.string(),
                                                "--arm", "living_well", "--set", alliance + ".share=0.5,0.9", "--horizon",
                                                "2", "--reserve", "slam=1000000", "--out", designed.string()});
  INFO(design.err);
  REQUIRE(design.exit_code == 0);
  const auto d = csv_rows(designed);
  REQUIRE(d.size() == 3);
  int matched = 0;
  for (std::size_t i = 1; i < d.size(); ++i) {
    for (std::size_t j = 1; j < rows.size(); ++j) {
      if (rows[j].at(0) != d[i].at(0) || rows[j].at(column(h, "arm")) != "living_well") continue;
      for (const char* c : {"commissioner.icb.spend_horizon", "commissioner.icb.var_spend",
                                   "commissioner.icb.p_over_budget", "commissioner.council.spend_horizon",
                                   "commissioner.council.p_over_budget"}) {
        CHECK(d[i].at(column(d[0], c)) == rows[j].at(column(h, c)));
      }
      ++matched;
      break;
    }
  }
  CHECK(matched == 2);
}

TEST_CASE("Pathway CLI: with the alliance paid on account, sweep's cash columns are the report's and the documented "
          "position's, and its per-replication file holds the run's cash", "[cli][pathway][sweep][cash]") {
  // The default scenario with its alliance paid on account, each year's balance two quarters
  // after its end; the scenario's reserves (slam 3m, gp_practices 100k, certitude 250k,
  // council 1m), certitude's set to 0 so that its cash is exhausted in some replications.
  const fs::path scenario = scratch("interim.toml"), out = scratch("interim.h5"), csv = scratch("interim_sweep.csv"),
                 h5 = scratch("interim_sweep.h5"), dir = scratch("interim_report"), designed = scratch("interim_design.csv");
  fs::remove_all(dir);
  { std::ofstream(scenario) << default_alliance_with("interim = true\nreconciliation_lag = 2\n"); }
  const auto run = mhsim::test::run_process({MHSIM_BINARY, "run", scenario.string(), "--reps", "8", "--out", out.string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string alliance = "arms.living_well.contracts.living_well_alliance";
  // Combination 0 (share 0.5, lag 2) is the scenario's own terms; lag 0 pays each balance
  // with the year's last instalment. Over the first two years: quarters 1 to 10 (8 + lag).
  const auto sweep = mhsim::test::run_process({MHSIM_BINARY, "sweep", scenario.string(), "--results", out.string(), "--set",
                                               alliance + ".share=0.5,0.8", "--set", alliance + ".reconciliation_lag=2,0",
                                               "--reserve", "certitude=0", "--horizon", "2", "--out", csv.string(),
                                               "--per-replication", h5.string()});
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const auto report = mhsim::test::run_process({MHSIM_BINARY, "report", out.string(), "--csv", dir.string(), "--reserve",
                                                "certitude=0", "--horizon", "2", "-q"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);

  // The per-replication file: combination 0's cash is the run's payouts/cash, bit for bit.
  const mhsim::analysis::ResultsReader run_file(out.string()), f(h5.string());
  const std::size_t N = 4, A = 2, R = 8, Y = 3, Q = 14, H = 2;
  const std::vector<std::string> partners = run_file.labels("partners/name"), arms = run_file.labels("arms/name");
  const std::size_t P = partners.size(), F = 7;
  REQUIRE(run_file.shape("payouts/cash") == std::vector<std::uint64_t>{R, A, Q, P, 2});
  REQUIRE(f.shape("sweep/cash") == std::vector<std::uint64_t>{N, A, R, Q, P, 2});
  const std::vector<double> own = run_file.read_double("payouts/cash"), cash = f.read_double("sweep/cash"),
                            pay = f.read_double("sweep/partner");
  std::size_t differ = 0;
  for (std::size_t a = 0; a < A; ++a) {
    for (std::size_t r = 0; r < R; ++r) {
      for (std::size_t k = 0; k < Q * P * 2; ++k) differ += cash[(a * R + r) * Q * P * 2 + k] != own[(r * A + a) * Q * P * 2 + k];
    }
  }
  CHECK(differ == 0);
  const auto receipt = [&](std::size_t c, std::size_t a, std::size_t r, std::size_t q, std::size_t p, std::size_t k) {
    return cash[((((c * A + a) * R + r) * Q + q) * P + p) * 2 + k];
  };
  const auto payout = [&](std::size_t c, std::size_t a, std::size_t r, std::size_t y, std::size_t p, std::size_t k) {
    return pay[((((c * A + a) * R + r) * Y + y) * P + p) * F + k];
  };
  // slam, an alliance member, is paid on account: not a quarter of its year's payment. With
  // lag 0 (combination 1) nothing is paid after the agreement's twelfth quarter.
  const std::size_t slam = static_cast<std::size_t>(std::find(partners.begin(), partners.end(), "slam") - partners.begin());
  CHECK(receipt(0, 1, 0, 0, slam, 0) != payout(0, 1, 0, 0, slam, 0) / 4);
  for (std::size_t r = 0; r < R; ++r) CHECK(receipt(1, 1, r, 12, slam, 0) == 0);

  // Every CSV row's cash columns recomputed here from the file's rows by the documented
  // formula, C_q = R_0 + sum_{j<=q} (receipts_j - costs_j) - sum_y (margin_y - gain_pain_y) e_y(q) / 4,
  // over quarters 1 .. 4H + lag (the lag of the combination, 0 in the block arm).
  const std::map<std::string, double> reserves = {{"slam", 3e6}, {"gp_practices", 1e5}, {"certitude", 0}, {"council", 1e6}};
  const auto s = csv_rows(csv);
  const auto& sh = s.at(0);
  int recomputed = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const std::size_t c = std::stoul(s[i].at(0));
    const std::size_t a = static_cast<std::size_t>(std::find(arms.begin(), arms.end(), s[i].at(column(sh, "arm"))) - arms.begin());
    const std::string name = s[i].at(column(sh, "partner"));
    const std::size_t p = static_cast<std::size_t>(std::find(partners.begin(), partners.end(), name) - partners.begin());
    REQUIRE(c < N);
    REQUIRE(a < A);
    if (reserves.count(name) == 0 || s[i].at(column(sh, "p_cash_exhausted")).empty()) continue;
    const std::size_t lag = a == 1 && s[i].at(2) == "2" ? 2 : 0, n = 4 * H + lag;
    std::vector<double> lowest;
    double exhausted = 0;
    for (std::size_t r = 0; r < R; ++r) {
      double net = 0, low = reserves.at(name);
      bool gone = false;
      for (std::size_t q = 0; q < n; ++q) {
        net += receipt(c, a, r, q, p, 0) - receipt(c, a, r, q, p, 1);
        double spent = 0;  // the margin outside the risk share, accrued to date
        for (std::size_t y = 0; y < Y; ++y) {
          const double elapsed = static_cast<double>(std::min<std::size_t>(4, q + 1 > 4 * y ? q + 1 - 4 * y : 0));
          spent += (payout(c, a, r, y, p, 2) - payout(c, a, r, y, p, 5)) * elapsed / 4;
        }
        const double position = reserves.at(name) + net - spent;
        low = std::min(low, position);
        gone = gone || position < -1e-6;
      }
      lowest.push_back(low);
      exhausted += gone ? 1.0 / R : 0.0;
    }
    INFO("combination " << c << ", " << arms[a] << ", " << name);
    CHECK(std::stod(s[i].at(column(sh, "p_cash_exhausted"))) == Approx(exhausted).margin(1e-12));
    CHECK(std::stod(s[i].at(column(sh, "lowest_cash_q05"))) == Approx(type7(lowest, 0.05)).epsilon(1e-9).margin(1e-3));
    if (a == 0) {  // the block arm pays no one on account
      CHECK(s[i].at(column(sh, "p_cash_exhausted")) == s[i].at(column(sh, "p_reserves_exhausted")));
      CHECK(s[i].at(column(sh, "lowest_cash_q05")) == s[i].at(column(sh, "lowest_reserve_q05")));
    }
    ++recomputed;
  }
  CHECK(recomputed >= 4 * 2 * 3);

  // The scenario's own terms: the sweep's cash columns are the report's.
  const auto rr = csv_rows(dir / "risk.csv");
  const auto& rh = rr.at(0);
  int compared = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i].at(0) != "0") continue;
    for (std::size_t j = 1; j < rr.size(); ++j) {
      if (rr[j].at(column(rh, "arm")) != s[i].at(column(sh, "arm")) || rr[j].at(column(rh, "partner")) != s[i].at(column(sh, "partner"))) continue;
      INFO(s[i].at(column(sh, "arm")) << " " << s[i].at(column(sh, "partner")));
      for (const char* k : {"p_cash_exhausted", "lowest_cash_q05"}) {
        const std::string x = s[i].at(column(sh, k)), y = rr[j].at(column(rh, k));
        REQUIRE(x.empty() == y.empty());
        if (!x.empty()) CHECK(std::stod(x) == Approx(std::stod(y)).epsilon(1e-9).margin(1e-6));
      }
      ++compared;
    }
  }
  CHECK(compared >= 6);
  // The report's cash path ends each partner's horizon in quarter 10 (8 + the lag of 2).
  const auto cp = csv_rows(dir / "cash_paths.csv");
  std::size_t last = 0;
  for (std::size_t i = 1; i < cp.size(); ++i) {
    if (cp[i].at(column(cp[0], "arm")) == "living_well") last = std::max<std::size_t>(last, std::stoul(cp[i].at(column(cp[0], "quarter"))));
  }
  CHECK(last == 10);

  // Design's worst cash risk is the sweep's highest P(cash exhausted) in the arm, and
  // --max-cash-exhaustion keeps only combinations at or below it.
  const auto design = mhsim::test::run_process(
      {MHSIM_BINARY, "design", scenario.string(), "--results", out.string(), "--arm", "living_well", "--set",
       alliance + ".share=0.5,0.8", "--set", alliance + ".reconciliation_lag=2,0", "--reserve", "certitude=0", "--horizon",
       "2", "--max-exhaustion", "1", "--min-gain", "-1e12", "--max-cash-exhaustion", "0.3", "--out", designed.string()});
  INFO(design.err);
  REQUIRE(design.exit_code == 0);
  const auto d = csv_rows(designed);
  REQUIRE(d.size() == N + 1);
  for (std::size_t i = 1; i < d.size(); ++i) {
    double worst = 0;
    for (std::size_t j = 1; j < s.size(); ++j) {
      const std::string e = s[j].at(column(sh, "p_cash_exhausted"));
      if (s[j].at(0) == d[i].at(0) && s[j].at(column(sh, "arm")) == "living_well" && !e.empty()) worst = std::max(worst, std::stod(e));
    }
    INFO("combination " << d[i].at(0));
    CHECK(std::stod(d[i].at(column(d[0], "worst_p_cash_exhausted"))) == Approx(worst).margin(1e-12));
    CHECK((d[i].at(column(d[0], "feasible")) == "1") == (worst <= 0.3));
  }

  // The same terms set on the command line of the run (`mhsim run --set`) rather than in the
  // scenario's text: the sweep of the default scenario over that run settles with the run's
  // own terms, so its CSV is the one above, byte for byte.
  const fs::path by_set = scratch("interim_by_set.h5"), by_set_csv = scratch("interim_by_set.csv");
  const auto set_run = mhsim::test::run_process(
      {MHSIM_BINARY, "run", kDefault, "--reps", "8", "--set", "arms.living_well.contracts[2].interim=true", "--set",
       "arms.living_well.contracts[2].reconciliation_lag=2", "--out", by_set.string(), "-q"});
  INFO(set_run.err);
  REQUIRE(set_run.exit_code == 0);
  const auto set_sweep = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", by_set.string(), "--set",
                                                   alliance + ".share=0.5,0.8", "--set", alliance + ".reconciliation_lag=2,0",
                                                   "--reserve", "certitude=0", "--horizon", "2", "--out", by_set_csv.string()});
  INFO(set_sweep.err);
  REQUIRE(set_sweep.exit_code == 0);
  CHECK(mhsim::test::slurp_file(by_set_csv.string()) == mhsim::test::slurp_file(csv.string()));
}

TEST_CASE("Pathway CLI: one commissioner's sweep has exactly the columns it always had", "[cli][pathway][sweep]") {
  const fs::path out = scratch("one_commissioner.h5"), csv = scratch("one_commissioner.csv");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "3", "--out", out.string(), "-q"}).exit_code == 0);
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                           "arms.living_well.contracts.living_well_alliance.share=0.4", "--out", csv.string()});
  REQUIRE(r.exit_code == 0);
  const std::string text = mhsim::test::slurp_file(csv.string());
  CHECK(text.substr(0, text.find('\n')) ==
        "combination,arms.living_well.contracts.living_well_alliance.share,arm,partner,mean_payment,mean_margin,"
        "mean_gain_pain,p_pain,p5_gain_pain,p_pain_cap_binds,mean_commissioner_spend,horizon_years,mean_painshare,"
        "var_painshare,es_painshare,p_partner_cap_binds,reserve,p_painshare_above_reserve,p_reserves_exhausted,"
        "lowest_reserve_q05,reserves_needed,p_cash_exhausted,lowest_cash_q05,commissioner_spend_horizon,"
        "var_commissioner_spend");
}

TEST_CASE("Pathway CLI: a partner's reserves as a sweep axis move only the reserve columns, as recomputed",
          "[cli][pathway][reserves][sweep]") {
  const fs::path out = scratch("reserve_axis.h5"), csv = scratch("reserve_axis.csv"), fixed = scratch("reserve_fixed.csv");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "8", "--out", out.string(), "-q"}).exit_code == 0);
  const std::string alliance = "arms.living_well.contracts.living_well_alliance";
  const auto r = mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                           alliance + ".share=0.5", "--set", "partners.slam.reserves=0:4000000:1000000",
                                           "--out", csv.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto s = csv_rows(csv);
  const auto& h = s.at(0);
  REQUIRE(h.at(2) == "partners.slam.reserves");
  // slam's gain/pain per replication and year under the scenario's own terms (share 0.5).
  const mhsim::analysis::ResultsReader file(out.string());
  const std::vector<double> partner = file.read_double("payouts/partner");  // [R][A][Y][P][F]
  const std::vector<std::string> partners = file.labels("partners/name");
  const std::size_t R = 8, A = 2, Y = 3, P = partners.size(), F = 7;
  const std::size_t slam = static_cast<std::size_t>(std::find(partners.begin(), partners.end(), "slam") - partners.begin());
  REQUIRE(slam < P);
  std::set<std::string> reserves_seen;
  std::map<std::string, std::string> payouts;  // partner and arm -> the columns before the risk ones
  double last_exhausted = 2;
  std::set<double> exhaustion;  // the values P(exhausted) takes along the axis
  for (std::size_t i = 1; i < s.size(); ++i) {
    const auto& f = s[i];
    std::string before;
    for (std::size_t k = column(h, "arm"); k < column(h, "mean_painshare"); ++k) before += f[k] + ",";
    const std::string who = f.at(column(h, "arm")) + "/" + f.at(column(h, "partner"));
    if (!payouts.count(who)) payouts[who] = before;
    CHECK(payouts[who] == before);  // reserves are not a term of any contract
    if (f.at(column(h, "partner")) != "slam" || f.at(column(h, "arm")) != "living_well") continue;
    const double reserve = std::stod(f.at(2));
    reserves_seen.insert(f.at(2));
    CHECK(std::stod(f.at(column(h, "reserve"))) == reserve);
    double above = 0, exhausted = 0;
    for (std::size_t rep = 0; rep < R; ++rep) {
      double position = reserve, painshare = 0;
      bool out_of_reserves = false;
      for (std::size_t y = 0; y < Y; ++y) {
        const double g = partner[(((rep * A + 1) * Y + y) * P + slam) * F + 5];
        painshare += std::max(0.0, -g);
        position += g;
        out_of_reserves = out_of_reserves || position < 0;
      }
      above += painshare > reserve ? 1.0 / R : 0.0;
      exhausted += out_of_reserves ? 1.0 / R : 0.0;
    }
    INFO("reserve " << reserve);
    CHECK(std::stod(f.at(column(h, "p_painshare_above_reserve"))) == Approx(above).margin(1e-12));
    CHECK(std::stod(f.at(column(h, "p_reserves_exhausted"))) == Approx(exhausted).margin(1e-12));
    CHECK(exhausted <= last_exhausted);
    last_exhausted = exhausted;
    exhaustion.insert(exhausted);
  }
  CHECK(reserves_seen == std::set<std::string>{"0", "1000000", "2000000", "3000000", "4000000"});
  CHECK(exhaustion.size() >= 2);  // the axis reaches reserves that change the answer
  // One value of the axis is the same as --reserve with that value, column for column.
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set",
                                    alliance + ".share=0.5", "--reserve", "slam=1000000", "--out", fixed.string()})
              .exit_code == 0);
  const auto x = csv_rows(fixed);
  std::size_t same = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    for (std::size_t j = 1; j < s.size(); ++j) {
      if (s[j].at(2) != "1000000" || s[j].at(column(h, "partner")) != x[i].at(column(x[0], "partner")) ||
          s[j].at(column(h, "arm")) != x[i].at(column(x[0], "arm"))) {
        continue;
      }
      CHECK(std::vector<std::string>(s[j].begin() + 3, s[j].end()) == std::vector<std::string>(x[i].begin() + 2, x[i].end()));
      ++same;
    }
  }
  CHECK(same == x.size() - 1);

  // An unknown partner, another key, inf, and an axis beside --reserve for the same partner:
  // every problem at once, exit 2, nothing written.
  const fs::path kept = scratch("reserve_refused.csv"), h5 = scratch("reserve_refused.h5");
  { std::ofstream(kept) << "earlier sweep"; }
  fs::remove(h5);
  const auto bad = mhsim::test::run_process(
      {MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--set", "partners.nobody.reserves=1,2", "--set",
       "partners.slam.reserve=1", "--set", "partners.certitude.reserves=0,inf", "--set", "partners.council.reserves=5",
       "--reserve", "council=7", "--out", kept.string(), "--per-replication", h5.string()});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--set partners.nobody.reserves: expected partners.<partner>.reserves with a partner "
                                      "of the run (\"slam\""));
  CHECK_THAT(bad.err, Catch::Contains("--set partners.slam.reserve: expected partners.<partner>.reserves"));
  CHECK_THAT(bad.err, Catch::Contains("--set partners.certitude.reserves: expected opening reserves in pounds") &&
                          Catch::Contains("got inf"));
  CHECK_THAT(bad.err, Catch::Contains("--set partners.council.reserves: expected either --reserve council=pounds or the axis"));
  CHECK_THAT(bad.err, Catch::Contains("4 errors; nothing was written"));
  CHECK(mhsim::test::slurp_file(kept.string()) == "earlier sweep");
  CHECK_FALSE(fs::exists(h5));
}

TEST_CASE("Pathway CLI: sweep --per-replication writes every settled payout, whose means are the CSV's",
          "[cli][pathway][sweep][reproducibility]") {
  const fs::path out = scratch("per_rep_run.h5"), csv = scratch("per_rep.csv"), h5 = scratch("per_rep.h5"),
                 csv1 = scratch("per_rep_one_cpu.csv"), h51 = scratch("per_rep_one_cpu.h5");
  REQUIRE(mhsim::test::run_process({MHSIM_BINARY, "run", kDefault, "--reps", "5", "--out", out.string(), "-q"}).exit_code == 0);
  const std::string alliance = "arms.living_well.contracts.living_well_alliance";
  const std::vector<std::string> grid = {"--set", alliance + ".share=0.5,0.8", "--set", alliance + ".pain_cap=1,inf",
                                         "--set", "partners.slam.reserves=0,1000000"};
  std::vector<std::string> args = {MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--out", csv.string(),
                                   "--per-replication", h5.string()};
  args.insert(args.end(), grid.begin(), grid.end());
  const auto r = mhsim::test::run_process(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains(h5.string() + ": 8 combinations x 5 replications"));

  const mhsim::analysis::ResultsReader f(h5.string());
  const mhsim::analysis::ResultsReader run(out.string());
  CHECK(f.string_attribute("format") == "mhsim-sweep");
  CHECK(f.string_attribute("scenario_sha256") == run.string_attribute("scenario_sha256"));
  CHECK(f.uint_attribute("combinations") == 8);
  const std::vector<std::string> partners = run.labels("partners/name");
  const std::size_t N = 8, A = 2, R = 5, Y = 3, P = partners.size(), F = 7, G = 14;
  CHECK(f.labels("sweep/partner_name") == partners);
  CHECK(f.labels("sweep/arm_name") == run.labels("arms/name"));
  CHECK(f.labels("sweep/partner_field") == run.labels("payouts/partner_field"));
  CHECK(f.labels("sweep/term_path") ==
        std::vector<std::string>{alliance + ".share", alliance + ".pain_cap", "partners.slam.reserves"});
  REQUIRE(f.shape("sweep/partner") == std::vector<std::uint64_t>{N, A, R, Y, P, F});
  REQUIRE(f.shape("sweep/arm") == std::vector<std::uint64_t>{N, A, R, Y, G});
  REQUIRE(f.shape("sweep/terms") == std::vector<std::uint64_t>{N, 3});
  const std::vector<double> pay = f.read_double("sweep/partner"), arm = f.read_double("sweep/arm"),
                            terms = f.read_double("sweep/terms");
  // The grid, the last axis turning fastest, infinity kept.
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> expected_terms = {0.5, 1, 0,       0.5, 1, 1e6,     0.5, inf, 0,       0.5, inf, 1e6,
                                              0.8, 1, 0,       0.8, 1, 1e6,     0.8, inf, 0,       0.8, inf, 1e6};
  CHECK(terms == expected_terms);

  // Combination 0 is the scenario's own terms: its rows are the run's own settlement, bit
  // for bit ([R][A][Y][P][F] there, [A][R][Y][P][F] here).
  const std::vector<double> own = run.read_double("payouts/partner");
  std::size_t differ = 0;
  for (std::size_t a = 0; a < A; ++a) {
    for (std::size_t rep = 0; rep < R; ++rep) {
      for (std::size_t k = 0; k < Y * P * F; ++k) differ += pay[(a * R + rep) * Y * P * F + k] != own[(rep * A + a) * Y * P * F + k];
    }
  }
  CHECK(differ == 0);

  // Every CSV row's means and shares, recomputed from the file's rows.
  const auto s = csv_rows(csv);
  const auto& h = s.at(0);
  const std::vector<std::string> arms = run.labels("arms/name");
  std::size_t compared = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const auto& row = s[i];
    const std::size_t c = std::stoul(row.at(0));
    const std::size_t a = static_cast<std::size_t>(std::find(arms.begin(), arms.end(), row.at(column(h, "arm"))) - arms.begin());
    const std::size_t p =
        static_cast<std::size_t>(std::find(partners.begin(), partners.end(), row.at(column(h, "partner"))) - partners.begin());
    REQUIRE(c < N);
    REQUIRE(a < A);
    REQUIRE(p < P);
    double payment = 0, margin = 0, gain_pain = 0, pain = 0, spend = 0;
    for (std::size_t rep = 0; rep < R; ++rep) {
      for (std::size_t y = 0; y < Y; ++y) {
        const double* q = &pay[((((c * A + a) * R + rep) * Y + y) * P + p) * F];
        payment += q[0];
        margin += q[2];
        gain_pain += q[5];
        pain += q[5] < 0 ? 1 : 0;
        spend += arm[(((c * A + a) * R + rep) * Y + y) * G];
      }
    }
    const double n = static_cast<double>(R * Y);
    INFO("combination " << c << ", " << row.at(column(h, "arm")) << ", " << row.at(column(h, "partner")));
    CHECK(std::stod(row.at(column(h, "mean_payment"))) == Approx(payment / n).epsilon(1e-9));
    CHECK(std::stod(row.at(column(h, "mean_margin"))) == Approx(margin / n).epsilon(1e-9).margin(1e-6));
    CHECK(std::stod(row.at(column(h, "mean_gain_pain"))) == Approx(gain_pain / n).epsilon(1e-9).margin(1e-6));
    CHECK(std::stod(row.at(column(h, "p_pain"))) == Approx(pain / n).margin(1e-12));
    CHECK(std::stod(row.at(column(h, "mean_commissioner_spend"))) == Approx(spend / n).epsilon(1e-9));
    ++compared;
  }
  CHECK(compared >= N * 3);
  // Another share moves payouts (else the comparisons above would not tell combinations apart).
  CHECK(std::vector<double>(pay.begin(), pay.begin() + static_cast<std::ptrdiff_t>(A * R * Y * P * F)) !=
        std::vector<double>(pay.begin() + static_cast<std::ptrdiff_t>(4 * A * R * Y * P * F),
                            pay.begin() + static_cast<std::ptrdiff_t>(5 * A * R * Y * P * F)));

  // On one processor: the same CSV, byte for byte, and the same datasets.
  std::vector<std::string> one = {"/usr/bin/taskset", "-c", "0", MHSIM_BINARY, "sweep", kDefault, "--results", out.string(),
                                  "--out", csv1.string(), "--per-replication", h51.string()};
  one.insert(one.end(), grid.begin(), grid.end());
  const auto r1 = mhsim::test::run_process(one);
  INFO(r1.err);
  REQUIRE(r1.exit_code == 0);
  CHECK(mhsim::test::slurp_file(csv1.string()) == mhsim::test::slurp_file(csv.string()));
  CHECK(datasets_of(h51) == datasets_of(h5));

  // All or nothing: when the CSV cannot be written, an existing per-replication file is left
  // as it was, and no temporary stays beside it.
  const fs::path dir = scratch("per_rep_fail");
  fs::remove_all(dir);
  fs::create_directories(dir);
  { std::ofstream(dir / "kept.h5") << "earlier file"; }
  std::vector<std::string> failing = {MHSIM_BINARY, "sweep", kDefault, "--results", out.string(), "--out",
                                      "/proc/forbidden/sweep.csv", "--per-replication", (dir / "kept.h5").string()};
  failing.insert(failing.end(), grid.begin(), grid.end());
  const auto fr = mhsim::test::run_process(failing);
  CHECK(fr.exit_code == 1);
  CHECK_THAT(fr.err, Catch::Contains((dir / "kept.h5").string() + " is unchanged"));
  CHECK(mhsim::test::slurp_file((dir / "kept.h5").string()) == "earlier file");
  CHECK(files_in(dir) == 1);
}
