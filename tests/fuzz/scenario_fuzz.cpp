// SPDX-License-Identifier: MIT
// libFuzzer target for the scenario loader: any input must either load or raise
// ScenarioError with at least one well-formed diagnostic. Anything else (another exception,
// a crash, a sanitizer report) is a bug. Build with clang: see tests/fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "models/scenario/network_scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto sc = mhsim::scenario::parse_network_scenario(text, "fuzz.toml");
    // A scenario that loads is complete and consistent.
    if (sc.run.replications < 1 || sc.network.stations.empty() || !(sc.network.horizon > 0.0) ||
        !(sc.network.warmup < sc.network.horizon)) {
      std::abort();
    }
    for (const auto& st : sc.network.stations) {
      if (st.servers < 1) std::abort();
      double total = 0.0;
      for (const auto& r : st.routes) total += r.probability;
      if (!st.routes.empty() && (total < 1.0 - 1e-9 || total > 1.0 + 1e-9)) std::abort();
    }
  } catch (const mhsim::scenario::ScenarioError& e) {
    if (e.diagnostics().empty()) std::abort();
    for (const auto& d : e.diagnostics()) {
      if (d.expected.empty() || d.got.empty() || d.file != "fuzz.toml") std::abort();
    }
  }
  return 0;
}
