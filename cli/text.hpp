// SPDX-License-Identifier: MIT
#pragma once
// Text the commands print on the terminal: numbers, money and tables, one definition of each
// (run's summary, compare, sweep and design, settle).

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace mhsim::cli {

/// Whole number with thousands separators: "1,234", "-1,234" (never "-0").
std::string thousands(double x);
/// Whole pounds with thousands separators: "£1,234", "-£1,234".
std::string pounds(double x);
/// Pounds in short form: "£1.23m", "£456.7k", "£12"; "-" when not finite.
std::string money(double x);
/// "12.3%" of a share in [0, 1]; "-" when not finite.
std::string percent(double p);
/// `text` cut at each `sep`, spaces dropped: "a, b" -> {"a", "b"} (an option's list).
std::vector<std::string> split(const std::string& text, char sep);
/// "\"a\", \"b\"": names quoted and listed, for a message.
std::string names_list(const std::vector<std::string>& names);
/// Characters as the terminal shows them (UTF-8 lead bytes).
std::size_t width_of(const std::string& s);
/// Prints rows as columns two spaces apart, each as wide as its widest cell: cells left-aligned,
/// those in columns `right_from` and after right-aligned (numbers).
void print_table(const std::vector<std::vector<std::string>>& rows,
                 std::size_t right_from = std::numeric_limits<std::size_t>::max());

}  // namespace mhsim::cli
