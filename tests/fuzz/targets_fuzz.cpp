// SPDX-License-Identifier: MIT
// libFuzzer target for the calibration targets loader (models/scenario/calibration_targets.hpp):
// any input must either load into a consistent CalibrationSpec or raise ScenarioError whose
// every diagnostic names the file, a line, a key (none for a TOML syntax error), what was
// expected and what was found.
// Anything else (another exception, a crash, a sanitizer report) is a bug.
//
// A targets file is read against a loaded scenario: each input is read against the three
// shipped pathway scenarios it can name keys of (pathway_minimal, Lambeth, Stockport). The
// variant and whether [parameters] are required (`mhsim calibrate` or `mhsim reproduce`)
// follow from the input's length, so that a given input is always read the same way.
// Build with clang: see tests/fuzz/README.md.
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/pathway_scenario.hpp"

#ifndef MHSIM_SOURCE_DIR
#error "MHSIM_SOURCE_DIR must name the source tree (the shipped scenarios)"
#endif

namespace {

using namespace mhsim::scenario;

constexpr const char* kFile = "fuzz.targets.toml";

std::vector<PathwayScenario> load_scenarios() {
  std::vector<PathwayScenario> out;
  for (const char* name : {"scenarios/examples/pathway_minimal.toml", "scenarios/lambeth_living_well.toml",
                           "scenarios/stockport_alliance.toml"}) {
    const std::string path = std::string(MHSIM_SOURCE_DIR) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(parse_pathway_scenario(text.str(), path));  // a shipped scenario loads
  }
  return out;
}

const std::vector<PathwayScenario>& scenarios() {
  static const std::vector<PathwayScenario> all = load_scenarios();
  return all;
}

void check_diagnostics(const ScenarioError& e) {
  if (e.diagnostics().empty()) std::abort();
  for (const Diagnostic& d : e.diagnostics()) {
    // A TOML syntax error names no key (models/scenario/toml_reader.hpp); every other names one.
    const bool syntax = d.expected == "valid TOML";
    if (d.file != kFile || d.line == 0 || d.key.empty() != syntax || d.expected.empty() || d.got.empty()) {
      std::fprintf(stderr, "targets_fuzz: ill-formed diagnostic: file \"%s\", line %u, key \"%s\": %s\n", d.file.c_str(),
                   static_cast<unsigned>(d.line), d.key.c_str(), d.to_string().c_str());
      std::abort();
    }
  }
}

void check_spec(const CalibrationSpec& spec, const PathwayScenario& sc, bool need_parameters) {
  const std::size_t arms = sc.spec.arms.size();
  if (need_parameters && (spec.parameters.empty() || spec.targets.empty())) std::abort();
  for (const CalibrationParameter& p : spec.parameters) {
    if (p.keys.empty() || !(p.low < p.high) || !(p.low < p.start && p.start < p.high)) std::abort();
    if (p.multiplier ? p.key_values.size() != p.keys.size() || p.integer.size() != p.keys.size()
                     : p.keys.size() != 1) {
      std::abort();
    }
  }
  for (const CalibrationTarget& t : spec.targets) {
    if (t.terms.empty() || t.arm >= arms || (t.relative && (t.relative_to >= arms || t.relative_to == t.arm)) ||
        t.year < 0 || t.year > static_cast<int>(sc.spec.years) || !(t.tolerance > 0) || t.source.empty()) {
      std::abort();
    }
    (void)t.criterion();
  }
  (void)spec.accounting(TargetRole::kCalibrate, spec.parameters.size());
  (void)spec.accounting(TargetRole::kValidate, spec.parameters.size());
  // The fit starts from the parameters' start values: the scenario at them either loads or
  // is refused with diagnostics (never another exception: every key came from the loader).
  std::vector<double> starts;
  for (const CalibrationParameter& p : spec.parameters) starts.push_back(p.start);
  const std::vector<std::string> keys = spec.keys();
  const std::vector<double> values = spec.key_values(starts);
  if (values.size() != keys.size()) std::abort();
  if (keys.empty()) return;
  try {
    (void)with_numbers(sc, keys, values);
  } catch (const ScenarioError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)scenarios();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const PathwayScenario& sc : scenarios()) {
    // "" (the scenario as written) or one of its variants; calibrate or reproduce.
    std::string variant;
    if (!sc.variants.empty() && size % 3 == 1) variant = sc.variants[(size / 3) % sc.variants.size()].name;
    const bool need_parameters = size % 2 == 0;
    try {
      check_spec(parse_calibration_targets(text, kFile, sc, variant, need_parameters), sc, need_parameters);
    } catch (const ScenarioError& e) {
      check_diagnostics(e);
    }
  }
  return 0;
}
