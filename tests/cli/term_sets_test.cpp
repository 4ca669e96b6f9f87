// SPDX-License-Identifier: MIT
// `--set path=from:to:step` grids (sweep, design, settle): the values are the decimals written.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/term_sets.hpp"

using mhsim::cli::parse_set;

namespace {
std::vector<double> values(const std::string& text) {
  std::vector<mhsim::scenario::Diagnostic> errors;
  const auto axis = parse_set(text, errors);
  REQUIRE(errors.empty());
  REQUIRE(axis);
  return axis->values;
}
}  // namespace

TEST_CASE("parse_set: a from:to:step grid holds the decimals written, not accumulated steps", "[cli][sweep]") {
  // 0.05 + 13 x 0.05 is 0.7000000000000001 in binary floating point; the grid names 0.7.
  const std::vector<double> caps = values("a.pain_cap=0.05:1:0.05");
  REQUIRE(caps.size() == 20);
  for (std::size_t k = 0; k < caps.size(); ++k) {
    INFO("value " << k);
    CHECK(caps[k] == std::stod(std::to_string(5 * (k + 1)) + "e-2"));  // the decimal (k + 1) x 0.05, parsed
  }
  CHECK(caps[13] == 0.7);
  CHECK(caps.back() == 1.0);
  CHECK(values("a.share=0.3:0.7:0.1") == std::vector<double>{0.3, 0.4, 0.5, 0.6, 0.7});
  CHECK(values("p.reserves=1000000:3000000:500000") == std::vector<double>{1e6, 1.5e6, 2e6, 2.5e6, 3e6});
  CHECK(values("a.retention=0:0.45:0.05").back() == 0.45);
  // With an exponent the steps are accumulated as before (and still end within step / 1e6 of `to`).
  const std::vector<double> e = values("a.share=1e-1:3e-1:1e-1");
  REQUIRE(e.size() == 3);
  CHECK(e[2] == Approx(0.3).epsilon(1e-12));
}

TEST_CASE("parse_set: a malformed grid is an error naming the option", "[cli][sweep]") {
  std::vector<mhsim::scenario::Diagnostic> errors;
  CHECK_FALSE(parse_set("a.share=0.7:0.3:0.1", errors));
  CHECK_FALSE(parse_set("a.share=0.3:0.7:0", errors));
  CHECK_FALSE(parse_set("a.share", errors));
  REQUIRE(errors.size() == 3);
  for (const auto& d : errors) CHECK(d.key == "--set");
}
