// SPDX-License-Identifier: MIT
#include "cli/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mhsim::cli {

std::string percent(double p) {
  if (!std::isfinite(p)) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * p);
  return buf;
}

void print_table(const std::vector<std::vector<std::string>>& rows, std::size_t right_from) {
  std::fputs(analysis::table_text(rows, right_from).c_str(), stdout);
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
