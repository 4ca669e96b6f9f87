// SPDX-License-Identifier: MIT
#pragma once
// Text the commands print on the terminal: numbers, money and tables, one definition of each
// (run's summary, compare, sweep and design, settle).

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "analysis/text_format.hpp"

namespace mhsim::cli {

// Money, whole numbers and column widths: analysis/text_format.hpp (shared with the analysis
// outputs, so the terminal and the report's labels agree).
using analysis::money;
using analysis::pounds;
using analysis::thousands;
using analysis::width_of;
/// "12.3%" of a share in [0, 1]; "-" when not finite.
std::string percent(double p);
/// `text` cut at each `sep`, spaces dropped: "a, b" -> {"a", "b"} (an option's list).
std::vector<std::string> split(const std::string& text, char sep);
/// "\"a\", \"b\"": names quoted and listed, for a message.
std::string names_list(const std::vector<std::string>& names);
/// The width tables and wrapped text are printed for: $COLUMNS when it is a number from 40 to
/// 1000 (a shell sets it to the terminal's width), else 120.
std::size_t terminal_width();
/// Prints rows as columns two spaces apart, each as wide as its widest cell: cells left-aligned,
/// those in columns `right_from` and after right-aligned (numbers); a table wider than
/// terminal_width() in blocks of columns that fit, each led by the rows' names.
void print_table(const std::vector<std::vector<std::string>>& rows,
                 std::size_t right_from = std::numeric_limits<std::size_t>::max());

}  // namespace mhsim::cli
