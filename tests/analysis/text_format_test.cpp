// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "analysis/text_format.hpp"

using namespace mhsim::analysis;

TEST_CASE("money: short form, and a loss that rounds to nothing is \"£0\", never \"-£0\"", "[analysis][text]") {
  CHECK(money(1234567.0) == "£1.23m");
  CHECK(money(-1234567.0) == "-£1.23m");
  CHECK(money(456700.0) == "£456.7k");
  CHECK(money(12.4) == "£12");
  CHECK(money(-12.6) == "-£13");
  // mhsim compare printed "-£0" for a difference of -0.3 pounds: what rounds to 0 has no sign.
  CHECK(money(-0.3) == "£0");
  CHECK(money(-0.5) == "£0");  // a tie rounds to even, as printf did
  CHECK(money(-0.0) == "£0");
  CHECK(money(-0.6) == "-£1");
  CHECK(money(std::numeric_limits<double>::quiet_NaN()) == "-");
  CHECK(money(-std::numeric_limits<double>::infinity()) == "-");
}

TEST_CASE("pounds and thousands: grouped in threes, no \"-0\"", "[analysis][text]") {
  CHECK(thousands(0) == "0");
  CHECK(thousands(999.4) == "999");
  CHECK(thousands(1000) == "1,000");
  CHECK(thousands(-1234567.6) == "-1,234,568");
  CHECK(thousands(-0.4) == "0");
  CHECK(pounds(20000) == "£20,000");
  CHECK(pounds(-1234) == "-£1,234");
  CHECK(pounds(-0.2) == "£0");
}

TEST_CASE("csv_number: the shortest text that reads back as the same double, empty when not finite", "[analysis][text]") {
  CHECK(csv_number(0.1) == "0.1");
  CHECK(csv_number(1234567.5) == "1234567.5");
  CHECK(csv_number(3) == "3");
  CHECK(csv_number(-2.5e-7) == "-2.5e-07");
  CHECK(csv_number(std::numeric_limits<double>::quiet_NaN()).empty());
  CHECK(csv_number(std::numeric_limits<double>::infinity()).empty());
  // Round trip for awkward values (17 significant digits needed for some).
  for (const double x : {0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0 * 1e9, 5e-324, 1.7976931348623157e308, -123456.789012345678}) {
    const std::string t = csv_number(x);
    CHECK(std::strtod(t.c_str(), nullptr) == x);
  }
}

TEST_CASE("table_text: columns as wide as their widest cell, counted in characters", "[analysis][text]") {
  // "£" and "±" are two bytes each but one column on the terminal.
  const std::string t = table_text({{"arm", "cost", "±"}, {"block", "£1,234", "12"}, {"x", "£5", "1"}}, 1);
  CHECK(t == "arm      cost   ±\n"
             "block  £1,234  12\n"
             "x          £5   1\n");
  // A cell wider than max_width overflows its column on its own row only.
  CHECK(table_text({{"a", "b"}, {"a very long name", "1"}, {"ab", "2"}}, 1, 4) ==
        "a   b\n"
        "a very long name  1\n"
        "ab  2\n");
}

TEST_CASE("table_text: a table wider than the line wraps in blocks of columns, each led by the rows' names",
          "[analysis][text]") {
  // Widths 5, 6, 6, 3: 5 + 2 + 6 + 2 + 6 = 21 fits in 21, the third column does not.
  const std::vector<std::vector<std::string>> rows = {
      {"arm", "cost", "effect", "p"}, {"block", "£1,234", "30.5", "1%"}, {"x", "£5", "2", "99%"}};
  CHECK(table_text(rows, 1, std::numeric_limits<std::size_t>::max(), 21) ==
        "arm      cost  effect\n"
        "block  £1,234    30.5\n"
        "x          £5       2\n"
        "\n"
        "arm      p\n"
        "block   1%\n"
        "x      99%\n");
  // Wide enough: one block, as without a limit; and a column wider than the line still prints.
  CHECK(table_text(rows, 1, std::numeric_limits<std::size_t>::max(), 26) == table_text(rows, 1));
  CHECK(table_text({{"name", "a long cell"}}, 0, std::numeric_limits<std::size_t>::max(), 8) == "name  a long cell\n");
  // Rows named by two columns (an arm's partners): both lead every block.
  CHECK(table_text({{"arm", "partner", "a", "b"}, {"x", "p", "1", "2"}, {"x", "q", "3", "4"}}, 2,
                   std::numeric_limits<std::size_t>::max(), 15) ==
        "arm  partner  a\n"
        "x    p        1\n"
        "x    q        3\n"
        "\n"
        "arm  partner  b\n"
        "x    p        2\n"
        "x    q        4\n");
}

TEST_CASE("wrapped_text: words to the width, later lines indented", "[analysis][text]") {
  CHECK(wrapped_text("  t: ", "one two three four", 14, 4) == "  t: one two\n    three four\n");
  CHECK(wrapped_text("- ", "abcdefghijklmnop q", 6, 2) == "- abcdefghijklmnop\n  q\n");
  CHECK(wrapped_text("x", "", 10, 2) == "x\n");
}
