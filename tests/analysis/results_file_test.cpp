// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/results_file.hpp"
#include "analysis/sha256.hpp"

namespace fs = std::filesystem;
using mhsim::analysis::ResultsReader;
using mhsim::analysis::ResultsWriter;

namespace {
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_results_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("ResultsFile: what is written reads back exactly", "[analysis]") {
  const fs::path path = scratch("roundtrip.h5");
  {
    ResultsWriter w(path.string(), 3);
    w.attribute("scenario_text", std::string("[run]\nseed = 1\n"));
    w.attribute("seed", std::uint64_t{18446744073709551615ULL});
    w.attribute("horizon_days", 365.25);
    w.labels("stations/name", {"triage", "ward"});
    w.define("stations/mean_wait", ResultsWriter::Type::kFloat64, 2);
    w.define("network/entered", ResultsWriter::Type::kUInt64);
    const double rows[3][2] = {{0.5, 1.5}, {2.5, 3.5}, {4.5, -0.0}};
    for (std::uint64_t r : {2u, 0u, 1u}) {  // any order: rows are addressed by index
      w.write("stations/mean_wait", r, rows[r]);
      const std::uint64_t n = 100 + r;
      w.write("network/entered", r, &n);
    }
    CHECK_FALSE(fs::exists(path));  // only the temporary file exists before commit
    w.commit();
  }
  REQUIRE(fs::exists(path));
  ResultsReader r(path.string());
  CHECK(r.string_attribute("scenario_text") == "[run]\nseed = 1\n");
  CHECK(r.uint_attribute("seed") == 18446744073709551615ULL);
  CHECK(r.double_attribute("horizon_days") == 365.25);
  CHECK(r.labels("stations/name") == std::vector<std::string>{"triage", "ward"});
  CHECK(r.shape("stations/mean_wait") == std::vector<std::uint64_t>{3, 2});
  CHECK(r.read_double("stations/mean_wait") == std::vector<double>{0.5, 1.5, 2.5, 3.5, 4.5, -0.0});
  CHECK(r.read_uint("network/entered") == std::vector<std::uint64_t>{100, 101, 102});
  // scales/replication: the replication numbers of the rows, the dimension scale of the
  // replication axis that the writer adds (issue 20).
  CHECK(r.datasets() ==
        std::vector<std::string>{"network/entered", "scales/replication", "stations/mean_wait", "stations/name"});
}

TEST_CASE("ResultsFile: an uncommitted writer leaves nothing and never touches an existing file", "[analysis]") {
  const fs::path path = scratch("precious.h5");
  { std::ofstream(path) << "an earlier result that must survive"; }
  std::string temp;
  {
    ResultsWriter w(path.string(), 2);
    temp = w.temporary_path();
    w.define("x", ResultsWriter::Type::kFloat64);
    CHECK(fs::exists(temp));
    // destroyed without commit, as when a run fails or is interrupted
  }
  CHECK_FALSE(fs::exists(temp));
  CHECK(slurp(path) == "an earlier result that must survive");
}

TEST_CASE("ResultsFile: unwritten rows read as NaN, never garbage", "[analysis]") {
  const fs::path path = scratch("partial.h5");
  ResultsWriter w(path.string(), 2);
  w.define("x", ResultsWriter::Type::kFloat64);
  const double one = 1.0;
  w.write("x", 0, &one);
  w.commit();
  const auto values = ResultsReader(path.string()).read_double("x");
  CHECK(values[0] == 1.0);
  CHECK(std::isnan(values[1]));
}

TEST_CASE("ResultsFile: errors name the file", "[analysis]") {
  CHECK_THROWS_WITH(ResultsWriter("/nonexistent-dir/x.h5", 1), Catch::Contains("/nonexistent-dir/x.h5.tmp-"));
  CHECK_THROWS_WITH(ResultsReader("/nonexistent-dir/x.h5"), Catch::StartsWith("/nonexistent-dir/x.h5: "));
  const fs::path path = scratch("errors.h5");
  ResultsWriter w(path.string(), 1);
  const double v = 0;
  CHECK_THROWS_WITH(w.write("undefined", 0, &v), Catch::Contains("never defined"));
  w.define("x", ResultsWriter::Type::kFloat64);
  CHECK_THROWS_WITH(w.write("x", 5, &v), Catch::Contains("replication 5 is out of range"));
}

TEST_CASE("sha256: FIPS 180-4 test vectors", "[analysis]") {
  using mhsim::analysis::sha256_hex;
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
