// SPDX-License-Identifier: MIT
#include "cli/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mhsim::cli {

std::string thousands(double x) {
  if (std::fabs(x) < 0.5) x = 0.0;  // no "-0"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", x);
  std::string digits = buf, out;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string pounds(double x) {
  const std::string t = thousands(x);
  return t[0] == '-' ? "-£" + t.substr(1) : "£" + t;
}

std::string money(double x) {
  if (!std::isfinite(x)) return "-";
  char buf[48];
  const double a = std::fabs(x);
  if (a >= 1e6) std::snprintf(buf, sizeof buf, "%s£%.2fm", x < 0 ? "-" : "", a / 1e6);
  else if (a >= 1e3) std::snprintf(buf, sizeof buf, "%s£%.1fk", x < 0 ? "-" : "", a / 1e3);
  else std::snprintf(buf, sizeof buf, "%s£%.0f", x < 0 ? "-" : "", a);
  return buf;
}

std::string percent(double p) {
  if (!std::isfinite(p)) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * p);
  return buf;
}

std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  return n;
}

void print_table(const std::vector<std::vector<std::string>>& rows, std::size_t right_from) {
  std::vector<std::size_t> w;
  for (const auto& r : rows) {
    if (w.size() < r.size()) w.resize(r.size(), 0);
    for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width_of(r[i]));
  }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      const std::string pad(w[i] - width_of(r[i]), ' ');
      if (i > 0) line += "  ";
      if (i >= right_from) line += pad + r[i];
      else line += i + 1 < r.size() ? r[i] + pad : r[i];
    }
    std::printf("%s\n", line.c_str());
  }
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
