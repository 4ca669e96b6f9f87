// SPDX-License-Identifier: MIT
// The report's terms explorer as a WebAssembly module (built by em++ from CMake: target
// mhsim_explorer_wasm): analysis::explorer::Explorer, which settles with the project's own
// contracts::settle_year and risk definitions, bound for the page's JavaScript. The page
// passes what `mhsim report` inlined (report/explorer.js) and gets JSON back.
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "analysis/explorer.hpp"

namespace {

using mhsim::analysis::explorer::Explorer;

std::unique_ptr<Explorer> explorer;

// Base64 of little-endian doubles (what `mhsim report` writes) into doubles.
std::vector<double> doubles(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int table[256];
  for (int& t : table) t = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  std::vector<unsigned char> bytes;
  bytes.reserve(text.size() / 4 * 3);
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) continue;  // '=' padding
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<unsigned char>((buffer >> bits) & 0xFFu));
    }
  }
  std::vector<double> out(bytes.size() / sizeof(double));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(double));
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < text.size()) {
    const std::size_t nl = text.find('\n', from);
    out.push_back(text.substr(from, nl == std::string::npos ? std::string::npos : nl - from));
    if (nl == std::string::npos) break;
    from = nl + 1;
  }
  return out;
}

// Loads the run (`ledgers`: a Float64Array, inflated by the page); "" or what went wrong.
std::string load(const std::string& scenario_text, const std::string& scenario_file, const std::string& settings,
                 const emscripten::val& ledgers, const std::string& targets, const std::string& reserves, double risk_level,
                 unsigned horizon) {
  try {
    mhsim::analysis::explorer::Settings s;
    s.reserves = doubles(reserves);
    s.risk_level = risk_level;
    s.horizon = horizon;
    explorer = std::make_unique<Explorer>(scenario_text, scenario_file, lines(settings),
                                          emscripten::convertJSArrayToNumberVector<double>(ledgers),
                                          doubles(targets), s);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string controls() {
  try {
    return explorer ? mhsim::analysis::explorer::controls_json(explorer->controls()) : "[]";
  } catch (const std::exception&) {
    return "[]";
  }
}

// keys: one a line; values: base64 doubles, one per key. JSON (Explorer::settle) or
// {"error": ...}.
std::string settle(const std::string& keys, const std::string& values) {
  try {
    if (!explorer) return "{\"error\":\"the explorer is not loaded\"}";
    return explorer->settle(lines(keys), doubles(values));
  } catch (const std::exception& e) {
    std::string m = e.what();
    for (char& c : m) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return "{\"error\":\"" + m + "\"}";
  }
}

}  // namespace

EMSCRIPTEN_BINDINGS(mhsim_explorer) {
  emscripten::function("load", &load);
  emscripten::function("controls", &controls);
  emscripten::function("settle", &settle);
}
