// SPDX-License-Identifier: MIT
// Bad input: every file under tests/data/bad states the diagnostics it must produce in
// "# expect: line:col: key: expected ..., got ..." comments. Positions were checked by hand
// against the file (they point at the offending value, or at the key for unknown keys).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/scenario/diagnostics.hpp"
#include "models/scenario/keys.hpp"
#include "models/scenario/network_scenario.hpp"

namespace fs = std::filesystem;
using mhsim::scenario::Diagnostic;
using mhsim::scenario::ScenarioError;

namespace {

std::vector<std::string> expectations(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  std::string line;
  const std::string tag = "# expect: ";
  while (std::getline(in, line)) {
    if (line.rfind(tag, 0) == 0) out.push_back(line.substr(tag.size()));
  }
  return out;
}

std::vector<Diagnostic> diagnostics_of(const std::string& path) {
  try {
    mhsim::scenario::load_network_scenario(path);
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

const char* kMinimal = R"(
[run]
seed = 7
replications = 3
horizon_days = 50

[stations.only]
arrival_rate = 1.0
servers = 1
service = { distribution = "exponential", mean = 0.5 }
)";

}  // namespace

TEST_CASE("Scenario loader: every bad file reports exactly its expected diagnostics", "[scenario]") {
  const fs::path dir = fs::path(MHSIM_SOURCE_DIR) / "tests" / "data" / "bad";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 12);
  for (const fs::path& file : files) {
    INFO("file: " << file.string());
    const std::vector<std::string> expected = expectations(file);
    REQUIRE_FALSE(expected.empty());
    const std::vector<Diagnostic> got = diagnostics_of(file.string());
    std::string all;
    for (const Diagnostic& d : got) all += d.to_string() + "\n";
    INFO("diagnostics:\n" << all);
    CHECK(got.size() == expected.size());
    for (const std::string& e : expected) {
      const std::string want = file.string() + ":" + e;
      const bool found = std::any_of(got.begin(), got.end(),
                                     [&](const Diagnostic& d) { return d.to_string().rfind(want, 0) == 0; });
      CHECK(found);
    }
    // Every message names file, position, key (where there is one), expectation and finding.
    for (const Diagnostic& d : got) {
      CHECK(d.file == file.string());
      CHECK(d.line > 0);
      CHECK(d.column > 0);
      CHECK_FALSE(d.expected.empty());
      CHECK_FALSE(d.got.empty());
    }
  }
}

TEST_CASE("Scenario loader: diagnostics come sorted by position", "[scenario]") {
  const auto got = diagnostics_of(std::string(MHSIM_SOURCE_DIR) + "/tests/data/bad/many_errors.toml");
  REQUIRE(got.size() == 5);
  for (std::size_t i = 1; i < got.size(); ++i) {
    CHECK(std::make_pair(got[i - 1].line, got[i - 1].column) <= std::make_pair(got[i].line, got[i].column));
  }
}

TEST_CASE("Scenario loader: a missing file is one clear error", "[scenario]") {
  const auto got = diagnostics_of("/nonexistent/scenario.toml");
  REQUIRE(got.size() == 1);
  CHECK(got[0].to_string() == "/nonexistent/scenario.toml: expected a readable scenario file, got No such file or directory");
}

TEST_CASE("Scenario loader: a minimal scenario gets the documented defaults", "[scenario]") {
  const auto sc = mhsim::scenario::parse_network_scenario(kMinimal, "minimal.toml");
  CHECK(sc.name == "minimal.toml");
  CHECK(sc.run.seed == 7);
  CHECK(sc.run.replications == 3);
  CHECK(sc.network.horizon == 50.0);
  CHECK(sc.network.warmup == 0.0);
  REQUIRE(sc.network.stations.size() == 1);
  const auto& st = sc.network.stations[0];
  CHECK(st.servers == 1);
  CHECK(st.discipline == mhsim::engine::Discipline::kFifo);
  CHECK_FALSE(st.queue_limit.has_value());
  CHECK(st.routes.empty());  // everyone exits
  REQUIRE(st.interarrival.has_value());
  CHECK(st.interarrival->mean() == 1.0);
  CHECK(st.service.mean() == 0.5);
}

TEST_CASE("Scenario loader: stations keep file order and routes map to station indices", "[scenario]") {
  const char* text = R"(
[run]
seed = 1
replications = 2
horizon_days = 10
[stations.zeta]
arrival_rate = 2
servers = 1
service = { distribution = "gamma", mean = 2.0, cv = 0.5 }
routes = { alpha = 0.25, exit = 0.75 }
[stations.alpha]
servers = 4
discipline = "priority"
queue_limit = 0
service = { distribution = "erlang", k = 3, mean = 1.5 }
)";
  const auto sc = mhsim::scenario::parse_network_scenario(text, "order.toml");
  REQUIRE(sc.network.stations.size() == 2);
  CHECK(sc.network.stations[0].name == "zeta");
  CHECK(sc.network.stations[1].name == "alpha");
  REQUIRE(sc.network.stations[0].routes.size() == 2);
  CHECK(sc.network.stations[0].routes[0].target == 1);
  CHECK(sc.network.stations[0].routes[0].probability == 0.25);
  CHECK(sc.network.stations[0].routes[1].target == mhsim::models::queueing::kExit);
  // gamma by mean and cv: shape = 1/cv^2 = 4, scale = mean cv^2 = 0.5
  CHECK(sc.network.stations[0].service.mean() == Approx(2.0));
  CHECK(sc.network.stations[0].service.variance() == Approx(1.0));
  CHECK(sc.network.stations[1].discipline == mhsim::engine::Discipline::kPriority);
  CHECK(sc.network.stations[1].queue_limit == std::optional<std::uint64_t>(0));
  CHECK(sc.network.stations[1].service.variance() == Approx(0.75));  // 1.5^2 / 3
}

TEST_CASE("Scenario keys: every key the loader reads is declared, and the docs list them all", "[scenario]") {
  const std::string md = mhsim::scenario::keys_markdown();
  for (const auto& k : mhsim::scenario::network_keys()) {
    CHECK(md.find("`" + std::string(k.path) + "`") != std::string::npos);
  }
  CHECK_THROWS_AS(mhsim::scenario::key("stations.<name>.nonsense"), std::logic_error);
}
