// SPDX-License-Identifier: MIT
#pragma once
// The two models through the replication pipeline: each is a ModelRun<Result> with its
// own Result type (queueing::NetworkResult, pathway::PathwayResult), provenance attributes
// and results-file writer.

#include <string>
#include <vector>

#include "analysis/results_file.hpp"
#include "models/scenario/network_scenario.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "pipeline/replications.hpp"

namespace mhsim::pipeline {

/// The queueing-network model: every replication's station statistics.
RunOutcome run_network(const scenario::NetworkScenario& scenario, const RunConfig& config);

/// The pathway model: every arm of every replication on the same people; under
/// [uncertainty], each replication's parameter draws (psa/values); for a complete run with
/// contracts, the settlement of every ledger (payouts/*).
RunOutcome run_pathway(const scenario::PathwayScenario& scenario, const RunConfig& config);

/// Settles the ledgers of a complete pathway run held in `blocks` (in replication order)
/// under the scenario's contracts and writes the payouts datasets into `out`.
void settle_into(analysis::ResultsWriter& out, const scenario::PathwayScenario& scenario,
                 const std::vector<std::string>& blocks);

}  // namespace mhsim::pipeline
