// SPDX-License-Identifier: MIT
#include "analysis/text_format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mhsim::analysis {

namespace {

/// "-" dropped when what is shown is zero ("-0", "-0.0k"): a loss too small to show is none.
std::string signed_text(bool negative, const std::string& body) {
  const bool zero = body.find_first_of("123456789") == std::string::npos;
  return negative && !zero ? "-" + body : body;
}

/// Digits grouped in threes from the right: "1234567" -> "1,234,567".
std::string grouped(const std::string& digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string csv_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : std::string(); }

std::string json_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : std::string("null"); }

std::string json_string(const std::string& s) {
  return script_safe_json(nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string thousands(double x) { return signed_text(x < 0, grouped(fmt::format("{:.0f}", std::fabs(x)))); }

std::string pounds(double x) { return signed_text(x < 0, "£" + grouped(fmt::format("{:.0f}", std::fabs(x)))); }

std::string money(double x) {
  if (!std::isfinite(x)) return "-";
  const double a = std::fabs(x);
  const std::string body = a >= 1e6   ? fmt::format("£{:.2f}m", a / 1e6)
                           : a >= 1e3 ? fmt::format("£{:.1f}k", a / 1e3)
                                      : fmt::format("£{:.0f}", a);
  return signed_text(x < 0, body);
}

std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  return n;
}

std::string table_text(const std::vector<std::vector<std::string>>& rows, std::size_t right_from,
                       std::size_t max_width) {
  std::vector<std::size_t> w;
  for (const auto& r : rows) {
    if (w.size() < r.size()) w.resize(r.size(), 0);
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width_of(r[i]) <= max_width) w[i] = std::max(w[i], width_of(r[i]));
    }
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      // {fmt} pads by code points, as the terminal shows "£" and "±".
      if (i > 0) line += "  ";
      if (i >= right_from) line += fmt::format("{:>{}}", r[i], w[i]);
      else line += i + 1 < r.size() ? fmt::format("{:<{}}", r[i], w[i]) : r[i];
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace mhsim::analysis
