// SPDX-License-Identifier: MIT
#pragma once
// Numbers as text, one definition of each, on {fmt}: money and whole numbers for people (the
// terminal and report labels), numbers in CSV files for programs, and the terminal's tables.
// Used by the analysis outputs (CSV) and by every command that prints (cli/text.hpp).

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace mhsim::analysis {

/// A number in a CSV cell: the shortest text that reads back as the same double ({fmt}'s
/// "{}": 0.1 -> "0.1", 1234567.5 -> "1234567.5", 1e-07 -> "1e-07"); an empty cell when
/// it is NaN or infinite. Every CSV file mhsim writes uses this rule.
std::string csv_number(double x);

/// A number in JSON: the same text as csv_number, or null when it is NaN or infinite.
std::string json_number(double x);
/// A JSON string (nlohmann::json's escaping), with every '<' written \u003c so that the text
/// can be inlined in an HTML <script> element ("</script" or "<!--" would end or derail it).
/// Bytes that are not UTF-8 become U+FFFD.
std::string json_string(const std::string& s);
/// JSON text made safe to inline in a <script> element: every '<' (only ever inside a
/// string) written \u003c. Inline, so that the terms explorer's WebAssembly build, which links
/// no {fmt}, uses it too.
inline std::string script_safe_json(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

/// Whole number with thousands separators: "1,234", "-1,234"; never "-0" (-0.4 -> "0").
std::string thousands(double x);
/// Whole pounds with thousands separators: "£1,234", "-£1,234"; never "-£0".
std::string pounds(double x);
/// Pounds in short form: "£1.23m", "£456.7k", "£12"; "-" when not finite. A negative amount
/// that rounds to zero at the precision shown is "£0" (or "£0.0k"...), never "-£0".
std::string money(double x);

/// Characters as the terminal shows them (UTF-8 lead bytes).
std::size_t width_of(const std::string& s);
/// Rows as columns two spaces apart, each as wide as its widest cell: cells left-aligned,
/// those in columns `right_from` and after right-aligned (numbers). No trailing spaces. A cell
/// wider than `max_width` does not widen its column: it overflows it, on its own row (a long
/// description does not push every row's later columns to the right). A table wider than
/// `line_width` wraps: its columns are printed in blocks that fit, one after another with a
/// blank line between, each block led by the rows' names again (the fewest leading columns,
/// at most 3, that tell every row apart: "arm", or "arm" and "partner").
std::string table_text(const std::vector<std::vector<std::string>>& rows,
                       std::size_t right_from = std::numeric_limits<std::size_t>::max(),
                       std::size_t max_width = std::numeric_limits<std::size_t>::max(),
                       std::size_t line_width = std::numeric_limits<std::size_t>::max());
/// `text` as lines of at most `width` characters broken at spaces (a word longer than that
/// stands alone), the first line begun with `first` and the others indented by `indent` spaces.
std::string wrapped_text(const std::string& first, const std::string& text, std::size_t width, std::size_t indent);

}  // namespace mhsim::analysis
