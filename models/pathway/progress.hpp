// SPDX-License-Identifier: MIT
#pragma once
// Proofs of progress for a pathway specification: in every arm, for every need group, the
// flows between services let people leave and let the clock move. The scenario loader
// reports what these find at the keys they name; the model relies on them (a cycle of
// steps that take no time would never advance the clock).

#include <string>
#include <vector>

#include "models/pathway/pathway.hpp"

namespace mhsim::models::pathway {

/// One broken rule of flow: the key to report at (a dotted path of the scenario), what was
/// expected there and what was found.
struct FlowProblem {
  std::string key, expected, got;
};

/// The arm's flows, as the model follows them (fallbacks for services the arm does not have,
/// the arm's redirects, front-door diversion, refusals at gatekeeping, overflows and crises),
/// checked for three things, each reported once at the first key that shows it:
///  - a redirect whose target is itself redirected (a redirect applies once, so a chain or
///    a cycle of redirects cannot mean what it says);
///  - a cycle of steps that can all take no time: completions of episodes whose length can
///    be 0, refusals at gatekeeping and overflows (people would go round it at one instant);
///  - services that people can reach and never leave: no path from them to discharge, a
///    drop-out, or a refusal or diversion that leaves them without a service (a cycle of
///    routes with probability 1 and no exit).
/// Assumes the spec passes the loader's earlier checks (indices in range, fallback and
/// overflow chains that end).
std::vector<FlowProblem> progress_problems(const PathwaySpec& spec);

}  // namespace mhsim::models::pathway
