// SPDX-License-Identifier: MIT
#pragma once
// The small pathway example with uncertain parameters appended, for the PSA tests.

#include <fstream>
#include <sstream>
#include <string>

namespace mhsim::test {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string minimal_text() {
  return read_text(std::string(MHSIM_SOURCE_DIR) + "/scenarios/examples/pathway_minimal.toml");
}

/// pathway_minimal.toml plus four uncertain parameters: a probability (beta, by moments),
/// a speed (triangular), an integer key (initial[0].in_service, uniform), a number written
/// as an integer in an inline table (normal), the GP's cost per contact (gamma), and one
/// correlation group.
inline std::string minimal_with_uncertainty() {
  return minimal_text() + R"(
[uncertainty.diversion]
key = "arms.alliance.front_door_diversion"
distribution = "beta"
mean = 0.3
sd = 0.1
source = "assumption"

[uncertainty.step_down]
key = "arms.alliance.step_down_speed"
distribution = "triangular"
low = 1.0
mode = 1.5
high = 2.0
source = "assumption"

[uncertainty.stock]
key = "initial[0].in_service"
distribution = "uniform"
low = 10
high = 20
source = "assumption"

[uncertainty.change]
key = "services.therapy.wemwbs_change.mean"
distribution = "normal"
mean = 2
sd = 1
source = "assumption"

[uncertainty.gp_cost]
key = "services.gp.cost_per_contact"
distribution = "gamma"
mean = 39
sd = 6
source = "assumption"

[[correlation]]
parameters = ["diversion", "step_down"]
matrix = [[1.0, 0.5], [0.5, 1.0]]
)";
}

}  // namespace mhsim::test
