// SPDX-License-Identifier: MIT
// `mhsim init`: a commented scenario for another borough (pipeline/borough.hpp says how each
// number is derived). Checks every option at once, never overwrites a file, and writes
// nothing unless the new scenario loads.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis_output.hpp"
#include "cli/commands.hpp"
#include "cli/text.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/schema/limits.hpp"
#include "pipeline/borough.hpp"

namespace mhsim::cli {

namespace {

using scenario::Diagnostic;

/// "name=value" settings of one flag.
std::vector<std::pair<std::string, double>> pairs(const std::vector<std::string>& items, const char* flag,
                                                  double max, const std::string& what, std::vector<Diagnostic>& errors) {
  std::vector<std::pair<std::string, double>> out;
  for (const std::string& item : items) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      errors.push_back(Diagnostic{"command line", 0, 0, flag, "name=value", "\"" + item + "\""});
      continue;
    }
    if (const auto x = number_option(item.substr(eq + 1), flag, 0, max, what, errors)) out.emplace_back(item.substr(0, eq), *x);
  }
  return out;
}

}  // namespace

int init_command(const InitOptions& o) {
  std::vector<Diagnostic> errors;
  pipeline::BoroughInputs in;
  if (const auto n = number_option(o.population, "--population", 1, schema::limits::kMaxPopulation,
                                   "a number of people in [1, 1e9]", errors)) {
    in.population = *n;
  }
  in.rates = pairs(o.rates, "--rate", 1e6, "group=rate with a rate in [0, 1e6] per 1,000 a year", errors);
  in.capacities = pairs(o.capacities, "--capacity", 1e7, "service=slots with slots in [0, 1e7]", errors);
  for (const auto& [s, c] : in.capacities) {
    if (c != static_cast<double>(static_cast<long long>(c))) {
      errors.push_back(Diagnostic{"command line", 0, 0, "--capacity", "a whole number of slots", s + "=" + std::to_string(c)});
    }
  }
  if (!o.budget.empty()) {
    in.budget = number_option(o.budget, "--budget", 0, schema::limits::kMaxMoney, "pounds a year in [0, 1e12]", errors);
  }
  if (const auto r = parse_option(o.pilot_reps, "--pilot-reps", 1, 10000, errors)) in.pilot_replications = *r;
  in.derived = o.derived;
  if (!o.threads.empty()) {
    if (const auto t = parse_option(o.threads, "--threads", 1, 1024, errors)) in.threads = static_cast<int>(*t);
  }
  in.name = o.name;
  std::error_code ec;
  if (std::filesystem::exists(o.out, ec)) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--out", "a new file (mhsim init never overwrites one)",
                                "\"" + o.out + "\", which exists"});
  }
  const std::string from = o.from.empty() ? (std::filesystem::path(shipped_scenarios()) / "default.toml").string() : o.from;
  in.template_label = o.from.empty() ? "the shipped default scenario (scenarios/default.toml)" : o.from;
  std::optional<scenario::PathwayScenario> tmpl;
  try {
    tmpl = scenario::load_pathway_scenario(from);
  } catch (const scenario::ScenarioError& e) {
    errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  if (!errors.empty()) {
    print_diagnostics(errors);
    return kExitBadInput;
  }
  std::fprintf(stderr, "mhsim init: a baseline pass of %llu replications of the template and of the borough\n",
               static_cast<unsigned long long>(in.pilot_replications));
  pipeline::Borough borough;
  try {
    borough = pipeline::init_borough(*tmpl, in);
  } catch (const scenario::ScenarioError& e) {
    print_diagnostics(e.diagnostics());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: %s\n", e.what());
    return kExitFailure;
  }
  try {
    analysis::write_file_atomically(o.out, borough.text);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: %s\n", e.what());
    return kExitFailure;
  }
  std::printf("%s: a borough of %s people from %s; demand ratio %.4f\n", o.out.c_str(), thousands(in.population).c_str(),
              o.from.empty() ? "scenarios/default.toml" : o.from.c_str(), borough.demand_ratio);
  std::vector<std::vector<std::string>> rows{{"key", "template", "borough"}};
  for (const pipeline::Derivation& d : borough.derived) {
    char a[32], b[32];
    std::snprintf(a, sizeof a, "%.10g", d.from);
    std::snprintf(b, sizeof b, "%.10g", d.to);
    rows.push_back({d.key, a, b});
  }
  print_table(rows, 1);
  std::printf("Each changed line's comment in %s says how it was derived.\n", o.out.c_str());
  return kExitOk;
}

}  // namespace mhsim::cli
