// SPDX-License-Identifier: MIT
#include "cli/report_explorer.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "analysis/explorer.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/results_file.hpp"
#include "analysis/text_format.hpp"
#include "cli/commands.hpp"

#ifndef MHSIM_EXPLORER_MODULE
#define MHSIM_EXPLORER_MODULE ""
#endif

namespace mhsim::cli {
namespace {

std::vector<unsigned char> bytes_of(const std::vector<double>& values) {
  std::vector<unsigned char> bytes(values.size() * sizeof(double));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());  // little-endian, as WebAssembly
  return bytes;
}

// The zlib stream of `bytes` (what the page's DecompressionStream("deflate") reads): more than
// half of the ledger fields are zeros, so the page carries about a quarter of the doubles' bytes.
std::vector<unsigned char> deflated(const std::vector<unsigned char>& bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::vector<unsigned char> out(size);
  if (compress2(out.data(), &size, bytes.data(), static_cast<uLong>(bytes.size()), 6) != Z_OK) {
    throw std::runtime_error("the terms explorer's ledgers could not be compressed (zlib)");
  }
  out.resize(size);
  return out;
}

std::string base64(const std::vector<unsigned char>& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) | (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                            (i + 2 < bytes.size() ? std::uint32_t{bytes[i + 2]} : 0);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

using analysis::json_string;  // nlohmann::json's escaping, never a literal '<' (analysis/text_format.hpp)

// window.MHSIM_EXPLORER's data: the stored scenario and settings, the packed ledgers and targets.
std::string data_script(const std::string& results_path, const analysis::Analysis& a);

std::string module_path() {
  if (const char* env = std::getenv("MHSIM_EXPLORER_MODULE"); env != nullptr && *env != '\0') return env;
  // An installed mhsim: cmake --install puts the module beside the report's other assets.
  if (std::string installed = installed_data("report/mhsim_explorer.js"); !installed.empty()) return installed;
  return MHSIM_EXPLORER_MODULE;
}

}  // namespace

std::string explorer_script(const std::string& results_path, const analysis::Analysis& a,
                            std::uint64_t max_replications) {
  // First, as it holds however mhsim was built: re-settling holds behaviour fixed.
  if (const analysis::ResultsReader file(results_path);
      file.has_attribute("incentives") && file.string_attribute("incentives") == "respond") {
    return "window.MHSIM_EXPLORER = {\"missing\": " +
           json_string("The terms explorer is left out of this report: the run's providers respond to their contracts "
                       "([incentives]), so other terms would change what they do, and the explorer re-settles the run's "
                       "ledgers with behaviour held fixed. Run other terms with mhsim run --set, or mhsim stress.") +
           "};\n";
  }
  if (a.replications > max_replications) {
    return "window.MHSIM_EXPLORER = {\"missing\": " +
           json_string("The terms explorer is left out of this report: the run has " + std::to_string(a.replications) +
                       " replications, more than --explorer-max-replications (" + std::to_string(max_replications) +
                       "), and its ledgers would make the page too large to stay responsive. Re-settle other terms with "
                       "mhsim sweep, or write the report again with a larger --explorer-max-replications.") +
           "};\n";
  }
  const std::string module = module_path();
  if (module.empty() || !std::filesystem::is_regular_file(module)) {
    const std::string why = module.empty() ? "mhsim was built without em++ (Debian package emscripten; CMake option MHSIM_WASM)"
                                           : "the module " + module + " is missing (build the target mhsim_explorer_wasm)";
    return "window.MHSIM_EXPLORER = {\"missing\": " + json_string("The terms explorer was not built: " + why + ".") + "};\n";
  }
  std::ifstream in(module, std::ios::binary);
  std::stringstream code;
  code << in.rdbuf();
  try {
    return data_script(results_path, a) + code.str() + "\n";
  } catch (const std::exception& e) {  // the rest of the report stands without the explorer
    return "window.MHSIM_EXPLORER = {\"missing\": " +
           json_string(std::string("The terms explorer cannot settle this run: ") + e.what()) + "};\n";
  }
}

namespace {

std::string data_script(const std::string& results_path, const analysis::Analysis& a) {
  const analysis::ResultsReader file(results_path);
  const scenario::PathwayScenario sc = analysis::stored_scenario(file, results_path);
  const std::vector<models::pathway::PathwayResult> results = analysis::read_pathway_results(file);
  const std::size_t Y = static_cast<std::size_t>(sc.spec.years), P = sc.spec.partners.size(), S = sc.spec.services.size();
  const std::vector<double> ledgers = analysis::explorer::pack_ledgers(results, Y, P, S);
  const std::vector<double> targets =
      analysis::explorer::pack_targets(analysis::resolve_terms(sc.spec, sc.contracts, results).arms);
  std::string settings;
  for (const std::string& s : analysis::stored_settings(file)) settings += s + "\n";
  std::vector<double> reserves = a.settings.reserves;
  reserves.resize(P, std::numeric_limits<double>::quiet_NaN());
  const std::size_t horizon = a.settings.horizon_years == 0 ? Y : a.settings.horizon_years;
  nlohmann::ordered_json data;
  data["scenario_text"] = sc.text;
  data["scenario_file"] = file.has_attribute("scenario_file") ? file.string_attribute("scenario_file") : "scenario";
  data["settings"] = settings;
  data["replications"] = results.size();
  data["horizon"] = horizon;
  data["risk_level"] = a.settings.risk_level;  // nlohmann writes the shortest text that reads back as the same double
  data["reserves"] = base64(bytes_of(reserves));
  data["targets"] = base64(bytes_of(targets));
  data["ledgers_deflated"] = base64(deflated(bytes_of(ledgers)));
  return "window.MHSIM_EXPLORER = " +
         analysis::script_safe_json(data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)) + ";\n";
}

}  // namespace

}  // namespace mhsim::cli
