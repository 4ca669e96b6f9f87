// SPDX-License-Identifier: MIT
#include "cli/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mhsim::cli {

std::string percent(double p) {
  if (!std::isfinite(p)) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * p);
  return buf;
}

std::size_t terminal_width() {
  const char* columns = std::getenv("COLUMNS");
  if (columns != nullptr) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n >= 40 && n <= 1000) return static_cast<std::size_t>(n);
  }
  return 120;
}

void print_table(const std::vector<std::vector<std::string>>& rows, std::size_t right_from) {
  std::fputs(analysis::table_text(rows, right_from, std::numeric_limits<std::size_t>::max(), terminal_width()).c_str(),
             stdout);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : text) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string names_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + ("\"" + names[i] + "\"");
  return out;
}

}  // namespace mhsim::cli
