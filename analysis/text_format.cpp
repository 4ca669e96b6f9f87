// SPDX-License-Identifier: MIT
#include "analysis/text_format.hpp"

#include <algorithm>
#include <cmath>
#include <set>

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
                       std::size_t max_width, std::size_t line_width) {
  std::vector<std::size_t> w;
  for (const auto& r : rows) {
    if (w.size() < r.size()) w.resize(r.size(), 0);
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width_of(r[i]) <= max_width) w[i] = std::max(w[i], width_of(r[i]));
    }
  }
  // The rows' names: the fewest leading columns (at most 3) whose cells tell every row apart
  // ("arm" alone, or "arm" and "partner" where an arm has several partners).
  std::size_t keys = 1;
  while (keys < 3 && keys + 1 < w.size()) {
    std::set<std::vector<std::string>> seen;
    bool unique = true;
    for (const auto& r : rows) {
      std::vector<std::string> key(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(std::min(keys, r.size())));
      unique = seen.insert(std::move(key)).second && unique;
    }
    if (unique) break;
    ++keys;
  }
  // Blocks of columns that fit in line_width, each led by the names (one block when it all fits).
  std::vector<std::vector<std::size_t>> blocks;
  std::size_t names_width = 0;
  for (std::size_t k = 0; k < keys && k < w.size(); ++k) names_width += (k > 0 ? 2 : 0) + w[k];
  for (std::size_t i = std::min(keys, w.size()); i < w.size() || blocks.empty();) {
    std::vector<std::size_t> block;
    for (std::size_t k = 0; k < keys && k < w.size(); ++k) block.push_back(k);
    std::size_t width = names_width;
    const std::size_t first = block.size();
    while (i < w.size() && (block.size() == first || width + 2 + w[i] <= line_width)) {
      width += 2 + w[i];
      block.push_back(i++);
    }
    blocks.push_back(std::move(block));
  }
  std::string out;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (b > 0) out += "\n";
    const std::vector<std::size_t>& cols = blocks[b];
    for (const auto& r : rows) {
      std::string line;
      for (std::size_t k = 0; k < cols.size() && cols[k] < r.size(); ++k) {
        const std::size_t i = cols[k];
        const bool last = k + 1 == cols.size() || cols[k + 1] >= r.size();
        // {fmt} pads by code points, as the terminal shows "£" and "±".
        if (k > 0) line += "  ";
        if (i >= right_from) line += fmt::format("{:>{}}", r[i], w[i]);
        else line += !last ? fmt::format("{:<{}}", r[i], w[i]) : r[i];
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

std::string wrapped_text(const std::string& first, const std::string& text, std::size_t width, std::size_t indent) {
  std::string out = first;
  std::size_t used = width_of(first);
  std::size_t at = 0;
  bool fresh = true;  // nothing written on this line after its lead
  while (at < text.size()) {
    const std::size_t end = std::min(text.find(' ', at), text.size());
    const std::string word = text.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    if (!fresh && used + 1 + width_of(word) > width) {
      out += "\n" + std::string(indent, ' ');
      used = indent;
      fresh = true;
    }
    if (!fresh) {
      out += ' ';
      ++used;
    }
    out += word;
    used += width_of(word);
    fresh = false;
  }
  return out + "\n";
}

}  // namespace mhsim::analysis
