// SPDX-License-Identifier: MIT
#pragma once
// The report's terms explorer (issue 17 item 1): what `mhsim report` inlines for it.

#include <cstdint>
#include <string>

#include "analysis/results_analysis.hpp"

namespace mhsim::cli {

/// The script text of the page's explorer: `window.MHSIM_EXPLORER = {...};` carrying the
/// stored scenario, the run's settings, every (replication, arm) ledger settlement reads and
/// the targets resolved from them (analysis/explorer.hpp), then the WebAssembly module built
/// from the project's own settlement (report/wasm/). When the module was not built (no em++),
/// or the run cannot be settled in the page (its ledgers cannot be read), MHSIM_EXPLORER says
/// so instead and carries no data: the rest of the report is written as before. The module is found at
/// $MHSIM_EXPLORER_MODULE, else where the build wrote it.
/// A run of more than `max_replications` replications gets no explorer data (its ledgers grow
/// the page linearly: about 5 MB compressed per 1,000 replications of the default scenario);
/// MHSIM_EXPLORER then says so and how to include it.
std::string explorer_script(const std::string& results_path, const analysis::Analysis& a,
                            std::uint64_t max_replications);

}  // namespace mhsim::cli
