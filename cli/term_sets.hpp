// SPDX-License-Identifier: MIT
#pragma once
// `--set path=...` of the commands that set contract terms (sweep, design, settle).

#include <optional>
#include <string>
#include <vector>

#include "models/scenario/diagnostics.hpp"

namespace mhsim::cli {

/// A contract term and the values it takes.
struct Axis {
  std::string path;
  std::vector<double> values;
};

/// "path=v", "path=a,b,c" or "path=from:to:step" (inclusive of `to` within step/1e6). A listed
/// value may be "inf" (how a limit such as pain_cap is removed; the term's own rules decide
/// whether it takes one); ranges are finite. A malformed text is added to `errors`.
std::optional<Axis> parse_set(const std::string& text, std::vector<scenario::Diagnostic>& errors);

}  // namespace mhsim::cli
