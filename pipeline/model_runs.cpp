// SPDX-License-Identifier: MIT
#include "pipeline/model_runs.hpp"

#include <optional>
#include <stdexcept>
#include <utility>

#include "analysis/network_results.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/payout_results.hpp"

namespace mhsim::pipeline {

namespace {
namespace q = models::queueing;
namespace pw = models::pathway;

std::string joined_settings(const std::vector<std::string>& settings) {
  std::string s;
  for (const std::string& line : settings) s += line + "\n";
  return s;
}
}  // namespace

void settle_into(analysis::ResultsWriter& out, const scenario::PathwayScenario& sc,
                 const std::vector<std::string>& blocks) {
  const analysis::ResolvedTerms terms = analysis::resolve_terms(sc.spec, sc.contracts, blocks);
  std::vector<std::string> commissioners;
  for (const auto& c : sc.commissioners) commissioners.push_back(c.name);
  analysis::define_payout_datasets(out, sc.spec, sc.contracts, commissioners);
  analysis::write_payouts(out, sc.spec, sc.contracts, terms, blocks, sc.group_share, commissioners);
}

RunOutcome run_network(const scenario::NetworkScenario& sc, const RunConfig& config) {
  ModelRun<q::NetworkResult> job;
  job.model = "queueing-network";
  job.file = sc.file;
  job.name = sc.name;
  job.text = sc.text;
  job.settings = joined_settings(sc.settings);
  job.seed = sc.run.seed;
  job.replications = sc.run.replications;
  job.attributes = {{"horizon_days", sc.network.horizon}, {"warmup_days", sc.network.warmup}};
  job.simulate = [&sc](const engine::ReplicationContext& rep) { return q::simulate_network(sc.network, rep.streams()); };
  job.write_block = [&sc](analysis::ResultsWriter& out, const Attributes& attrs, std::uint64_t first,
                          const std::vector<q::NetworkResult>& rows) {
    analysis::write_network_block(out, sc.network, attrs, first, rows);
  };
  return run_replications(job, config);
}

RunOutcome run_pathway(const scenario::PathwayScenario& sc, const RunConfig& config) {
  ModelRun<pw::PathwayResult> job;
  job.model = "pathway";
  job.file = sc.file;
  job.name = sc.name;
  job.text = sc.text;
  job.settings = joined_settings(sc.settings);
  job.seed = sc.run.seed;
  job.replications = sc.run.replications;
  job.attributes = {{"years", static_cast<std::uint64_t>(sc.spec.years)},
                    {"arms", static_cast<std::uint64_t>(sc.spec.arms.size())},
                    {"variant", sc.variant}};
  // Probabilistic sensitivity analysis: each replication draws the uncertain parameters from
  // its own "psa" stream (seed, replication) and runs every arm on the one scenario they
  // give, so arms stay paired; the values are recorded in psa/values.
  analysis::PsaParameters psa;
  for (const scenario::UncertainParameter& p : sc.uncertainty.parameters) {
    psa.name.push_back(p.name);
    psa.key.push_back(p.key);
    psa.distribution.emplace_back(scenario::kUncertainDistributionNames[static_cast<std::size_t>(p.distribution)]);
    psa.base.push_back(p.base);
  }
  job.simulate = [&sc](const engine::ReplicationContext& rep) {
    if (sc.uncertainty.empty()) return pw::simulate_pathway(sc.spec, rep.streams());
    std::vector<double> values = scenario::draw_parameters(sc.uncertainty, rep.seed, rep.index);
    std::optional<scenario::PathwayScenario> drawn;
    try {
      drawn = scenario::with_parameters(sc, values);
    } catch (const scenario::ScenarioError& e) {
      throw std::runtime_error("replication " + std::to_string(rep.index) + " (seed " + std::to_string(rep.seed) +
                               "): the uncertain parameters drawn make the scenario invalid:\n" + e.what());
    }
    pw::PathwayResult result = pw::simulate_pathway(drawn->spec, rep.streams());
    result.psa_values = std::move(values);
    return result;
  };
  job.write_block = [&sc, psa](analysis::ResultsWriter& out, const Attributes& attrs, std::uint64_t first,
                               const std::vector<pw::PathwayResult>& rows) {
    analysis::write_pathway_block(out, sc.spec, attrs, first, rows, psa);
  };
  if (analysis::has_contracts(sc.contracts)) {
    job.finalise = [&sc](analysis::ResultsWriter& out, const std::vector<std::string>& blocks) {
      settle_into(out, sc, blocks);
    };
  }
  return run_replications(job, config);
}

}  // namespace mhsim::pipeline
