// SPDX-License-Identifier: MIT
// libFuzzer target for the scenario loaders: any input must either load or raise
// ScenarioError with at least one well-formed diagnostic. Like the command line, it reads
// the root key `model` first and hands the text to that model's loader. Anything else
// (another exception, a crash, a sanitizer report) is a bug. Build with clang: see
// tests/fuzz/README.md.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "models/pathway/pathway.hpp"
#include "models/scenario/network_scenario.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/variants.hpp"

namespace {

bool sums_to_one(double total) { return total >= 1.0 - 1e-9 && total <= 1.0 + 1e-9; }

template <class Routes>
bool routes_ok(const Routes& routes) {
  double total = 0.0;
  for (const auto& r : routes) total += r.probability;
  return routes.empty() || sums_to_one(total);
}

void check_network(std::string_view text) {
  const auto sc = mhsim::scenario::parse_network_scenario(text, "fuzz.toml");
  // A scenario that loads is complete and consistent.
  if (sc.run.replications < 1 || sc.network.stations.empty() || !(sc.network.horizon > 0.0) ||
      !(sc.network.warmup < sc.network.horizon)) {
    std::abort();
  }
  for (const auto& st : sc.network.stations) {
    if (st.servers < 1 || !routes_ok(st.routes)) std::abort();
  }
}

void check_pathway(std::string_view text) {
  const auto sc = mhsim::scenario::parse_pathway_scenario(text, "fuzz.toml");
  const auto& spec = sc.spec;
  const std::size_t groups = spec.population.groups.size(), services = spec.services.size();
  if (sc.run.replications < 1 || spec.years < 1 || !(spec.population.size > 0.0) || groups == 0 ||
      services == 0 || spec.arms.empty() || spec.population.groups.size() != groups) {
    std::abort();
  }
  // The loader's own checks must leave nothing for the model's safety net.
  if (!mhsim::models::pathway::check_spec(spec).empty()) std::abort();
  for (const auto& s : spec.services) {
    // A presentation service (A&E, NHS 111 ...) has no episodes: neither duration nor
    // sessions; every other service exactly one of them.
    const bool episodes = !mhsim::models::pathway::is_presentation(s.kind);
    if ((episodes ? s.duration.has_value() == s.sessions.has_value() : s.duration || s.sessions) ||
        !routes_ok(s.routes) || s.routes_by_group.size() != groups) {
      std::abort();
    }
    for (const auto& r : s.routes_by_group) {
      if (r && !routes_ok(*r)) std::abort();
    }
  }
  for (const auto& a : spec.arms) {
    if (a.enabled.size() != services || a.capacity.size() != services || a.entry.size() != groups) std::abort();
    for (const auto& e : a.entry) {
      if (!routes_ok(e)) std::abort();
    }
  }
  // Every declared variant was checked by the loader, so applying it must give a scenario
  // that loads (never a ScenarioError) with the variant's numbers.
  for (const auto& v : sc.variants) {
    try {
      const auto applied = mhsim::scenario::apply_variant(sc, v.name);
      if (applied.variant != v.name || !mhsim::models::pathway::check_spec(applied.spec).empty()) std::abort();
    } catch (const mhsim::scenario::ScenarioError&) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    if (mhsim::scenario::scenario_model(text, "fuzz.toml") == "pathway") check_pathway(text);
    else check_network(text);
  } catch (const mhsim::scenario::ScenarioError& e) {
    if (e.diagnostics().empty()) std::abort();
    for (const auto& d : e.diagnostics()) {
      if (d.expected.empty() || d.got.empty() || d.file != "fuzz.toml") std::abort();
    }
  }
  return 0;
}
