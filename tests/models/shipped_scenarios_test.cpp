// SPDX-License-Identifier: MIT
// Shipped scenarios are data with provenance: each must load, and every line that sets a
// number must say where the number comes from ([SEED n], [Rn], [DERIVED] or "assumption").
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "models/scenario/keys.hpp"
#include "models/scenario/network_scenario.hpp"

namespace fs = std::filesystem;

namespace {
std::vector<fs::path> shipped() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(MHSIM_SOURCE_DIR) / "scenarios")) {
    if (e.path().extension() == ".toml") out.push_back(e.path());
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
    CHECK_NOTHROW(mhsim::scenario::load_network_scenario(f.string()));
  }
}

TEST_CASE("Shipped scenarios: every number carries its provenance", "[scenario]") {
  // A line that assigns a value containing a digit, outside a comment; a plain string value
  // (a name or description) is text, not a number.
  const std::regex sets_number(R"(^\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*(?![\s"])[^#]*[0-9])");
  const std::regex provenance(R"(#.*(\[SEED [0-9]+\]|\[R[0-9]+[a-z]?\]|\[DERIVED\]|assumption))", std::regex::icase);
  for (const auto& f : shipped()) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!std::regex_search(line, sets_number)) continue;
      INFO(f.string() << ":" << n << ": " << line);
      CHECK(std::regex_search(line, provenance));
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
