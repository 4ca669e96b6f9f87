// SPDX-License-Identifier: MIT
// Shipped scenarios are data with provenance: each must load, and every line that sets a
// number must say where the number comes from ([SEED n], [Rn], [DERIVED] or "assumption").
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include "models/scenario/keys.hpp"
#include "models/scenario/network_scenario.hpp"
#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/variants.hpp"

namespace fs = std::filesystem;

namespace {
std::vector<fs::path> shipped() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(MHSIM_SOURCE_DIR) / "scenarios")) {
    const std::string name = e.path().filename().string();
    const bool targets = name.size() > 13 && name.compare(name.size() - 13, 13, ".targets.toml") == 0;
    if (e.path().extension() == ".toml" && !targets) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("Shipped scenarios: all load without errors", "[scenario]") {
  const auto files = shipped();
  REQUIRE(files.size() >= 5);
  for (const auto& f : files) {
    INFO(f.string());
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    try {
      if (mhsim::scenario::scenario_model(text.str(), f.string()) == "pathway") {
        (void)mhsim::scenario::load_pathway_scenario(f.string());
      } else {
        (void)mhsim::scenario::load_network_scenario(f.string());
      }
    } catch (const mhsim::scenario::ScenarioError& e) {
      FAIL(e.what());
    }
  }
}

namespace {
// True when the line assigns a value that contains a digit (outside any comment); a plain
// string value (a name or description) is text, not a number.
bool sets_number(const std::string& line) {
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string::npos || line[start] == '#' || line[start] == '[') return false;
  const auto eq = line.find('=');
  if (eq == std::string::npos) return false;
  const std::string value = line.substr(eq + 1, line.find('#') == std::string::npos ? std::string::npos
                                                                                    : line.find('#') - eq - 1);
  const auto v = value.find_first_not_of(" \t");
  if (v == std::string::npos || value[v] == '"') return false;
  return value.find_first_of("0123456789") != std::string::npos;
}

// A comment citing a seed document, a published reference, a derivation or an assumption.
bool has_provenance(const std::string& line) {
  const auto hash = line.find('#');
  if (hash == std::string::npos) return false;
  std::string comment = line.substr(hash);
  for (char& c : comment) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (comment.find("assumption") != std::string::npos || comment.find("[derived]") != std::string::npos ||
      comment.find("[seed ") != std::string::npos || comment.find("calibrated:") != std::string::npos) {
    return true;
  }
  // [R12]: the brief's references; [U23]: docs/evidence/unmet-need.md's.
  for (const char* tag : {"[r", "[u"}) {
    for (auto r = comment.find(tag); r != std::string::npos; r = comment.find(tag, r + 1)) {
      if (r + 2 < comment.size() && std::isdigit(static_cast<unsigned char>(comment[r + 2]))) return true;
    }
  }
  return false;
}
}  // namespace

TEST_CASE("Shipped scenarios: the provenance rule recognises what it should", "[scenario]") {
  CHECK(sets_number("servers = 3   # assumption"));
  CHECK(sets_number("service = { distribution = \"exponential\", mean = 0.25 }"));
  CHECK_FALSE(sets_number("name = \"M/M/1, rho = 0.8\""));
  CHECK_FALSE(sets_number("# seed = 4"));
  CHECK(has_provenance("x = 1  # [R36] [DERIVED] 1.69m / 56m"));
  CHECK(has_provenance("x = 1  # Assumption: round number"));
  CHECK(has_provenance("x = 1  # [SEED 000] quote"));
  CHECK(has_provenance("x = 280  # [U23] NCC 2024/25"));
  CHECK_FALSE(has_provenance("x = 1  # [U] unnumbered"));
  CHECK(has_provenance("x = 1  # calibrated: mhsim calibrate to the 40 targets of t.toml (200 replications, seed 1)"));
  CHECK_FALSE(has_provenance("x = 1  # chosen to look right"));
  CHECK_FALSE(has_provenance("x = 1  # see [Rx]"));
}

TEST_CASE("Shipped scenarios: every number carries its provenance", "[scenario]") {
  for (const auto& f : shipped()) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!sets_number(line)) continue;
      INFO(f.string() << ":" << n << ": " << line);
      CHECK(has_provenance(line));
    }
  }
}

TEST_CASE("Shipped scenarios: scenarios/KEYS.md is the generated key reference", "[scenario]") {
  std::ifstream in(fs::path(MHSIM_SOURCE_DIR) / "scenarios" / "KEYS.md");
  REQUIRE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  // Regenerate with: mhsim keys > scenarios/KEYS.md
  CHECK(buf.str() == mhsim::scenario::keys_markdown());
}

TEST_CASE("Shipped reproductions: every target's source cites where it comes from", "[scenario]") {
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(fs::path(MHSIM_SOURCE_DIR) / "scenarios")) {
    const std::string name = e.path().filename().string();
    if (name.size() <= 13 || name.compare(name.size() - 13, 13, ".targets.toml") != 0) continue;
    ++files;
    const std::string scenario = e.path().string().substr(0, e.path().string().size() - 13) + ".toml";
    const mhsim::scenario::PathwayScenario sc = mhsim::scenario::load_pathway_scenario(scenario);
    // The file reads against its scenario (and against each variant, for the variants' targets).
    std::vector<std::string> variants = {""};
    for (const auto& v : sc.variants) variants.push_back(v.name);
    for (const std::string& v : variants) {
      const mhsim::scenario::CalibrationSpec spec = mhsim::scenario::load_calibration_targets(
          e.path().string(), v.empty() ? sc : mhsim::scenario::apply_variant(sc, v), v);
      for (const auto& t : spec.targets) {
        INFO(name << ": " << t.name << ": " << t.source);
        CHECK(has_provenance("# " + t.source));
      }
    }
  }
  CHECK(files >= 2);
}
