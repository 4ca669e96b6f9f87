// SPDX-License-Identifier: MIT
#include "pipeline/model_runs.hpp"

#include <optional>
#include <stdexcept>
#include <utility>

#include "analysis/network_results.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/payout_results.hpp"
#include "models/contracts/pathway_ledger.hpp"
#include "models/incentives/incentives.hpp"
#include "pipeline/derived.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace mhsim::pipeline {

namespace {
namespace q = models::queueing;
namespace pw = models::pathway;

std::string joined_settings(const std::vector<std::string>& settings) {
  std::string s;
  for (const std::string& line : settings) s += line + "\n";
  return s;
}
namespace inc = models::incentives;

/// The pilot's replications are numbered from here, far beyond any run's own (at most 10^7),
/// so that its random streams are never those of a replication of the run.
constexpr std::uint64_t kPilotFirstReplication = std::uint64_t{1} << 62;

/// Whether a replication may have a provider respond: the scenario's elasticities, or an
/// uncertain parameter that draws one.
bool may_respond(const scenario::PathwayScenario& sc) {
  if (sc.incentives.on()) return true;
  for (const scenario::UncertainParameter& p : sc.uncertainty.parameters) {
    if (p.key.rfind("incentives.", 0) == 0 || p.key.find(".elasticity.") != std::string::npos) return true;
  }
  return false;
}

/// The price of each provider's decisions at its expected position: a pilot of the scenario
/// without any response (sc.incentives.pilot_replications replications on their own
/// streams), its alliance targets resolved from the pilot as the run resolves them from its
/// own ledgers, and each arm's mean year settled with and without each decision.
/// [arm][year]. Deterministic: the pilot's replications are combined in index order.
std::vector<std::vector<inc::Signals>> pilot_signals(const scenario::PathwayScenario& sc, int threads) {
  const auto R = static_cast<std::size_t>(sc.incentives.pilot_replications);
  std::vector<pw::PathwayResult> pilot(R);
  tbb::task_arena arena(std::max(1, threads));
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, R), [&](const tbb::blocked_range<std::size_t>& range) {
      for (std::size_t r = range.begin(); r != range.end(); ++r) {
        pilot[r] = pw::simulate_pathway(sc.spec, engine::RandomStreams(sc.run.seed, kPilotFirstReplication + r));
      }
    });
  });
  const analysis::ResolvedTerms terms = analysis::resolve_terms(sc.spec, sc.contracts, pilot);
  const models::contracts::LedgerShape shape = models::contracts::ledger_shape(sc.spec, sc.group_share);
  std::vector<std::vector<inc::Signals>> out(sc.spec.arms.size());
  for (std::size_t a = 0; a < sc.spec.arms.size(); ++a) {
    std::vector<const pw::ArmResult*> arm;
    for (const pw::PathwayResult& r : pilot) arm.push_back(&r.arms[a]);
    for (std::size_t y = 0; y < static_cast<std::size_t>(sc.spec.years); ++y) {
      out[a].push_back(inc::signals(sc.spec, a, terms.arms[a], inc::mean_position(shape, arm, y)));
    }
  }
  return out;
}

/// What each decision was worth and how behaviour moved, for PathwayResult::response:
/// [arm][year][decision][service][signal, stake, factor]. Diversion: per front-door service,
/// the factor of its route-weighted stake (the model applies one per destination).
std::vector<double> response_record(const pw::PathwaySpec& spec, const std::vector<std::vector<inc::Signals>>& signals,
                                    const inc::IncentiveSpec& how) {
  std::vector<double> out;
  const std::size_t S = spec.services.size();
  for (std::size_t a = 0; a < spec.arms.size(); ++a) {
    for (std::size_t y = 0; y < static_cast<std::size_t>(spec.years); ++y) {
      const inc::Signals& sig = signals[a][y];
      for (std::size_t d = 0; d < inc::kDecisions; ++d) {
        for (std::size_t s = 0; s < S; ++s) {
          const double e = how.of(spec.services[s].partner, static_cast<inc::Decision>(d));
          out.push_back(sig.signal[d][s]);
          out.push_back(sig.stake[d][s]);
          out.push_back(inc::factor(e, sig.stake[d][s], how.max_factor));
        }
      }
    }
  }
  return out;
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

RunOutcome run_pathway(const scenario::PathwayScenario& given, const RunConfig& config) {
  // [derived] numbers come resolved from a caller that applied a variant (from the scenario
  // without it: pipeline/derived.hpp); the scenario as written is resolved here.
  std::optional<scenario::PathwayScenario> resolved;
  if (!given.derived.empty() && given.derived_record.empty()) {
    if (!given.variant.empty()) {
      throw std::logic_error("run_pathway: resolve the [derived] numbers of \"" + given.file +
                             "\" before applying variant \"" + given.variant + "\"");
    }
    resolved = with_derived(given, config.threads);
  }
  const scenario::PathwayScenario& sc = resolved ? *resolved : given;
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
  if (!sc.derived_record.empty()) job.attributes["derived"] = joined_settings(sc.derived_record);
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
  // Providers' responses to their contracts (issue 21): the prices come from a pilot before
  // the run; each replication scales its arms' behaviour by its own elasticities.
  std::vector<std::vector<inc::Signals>> signals;
  std::optional<pw::PathwaySpec> responding;
  std::vector<double> record;
  if (may_respond(sc)) {
    signals = pilot_signals(sc, config.threads);
    job.attributes["incentives"] = std::string("respond");
    job.attributes["incentives_pilot_replications"] = static_cast<std::uint64_t>(sc.incentives.pilot_replications);
    if (sc.uncertainty.empty()) {
      responding = sc.spec;
      inc::respond(*responding, signals, sc.incentives);
      record = response_record(sc.spec, signals, sc.incentives);
    }
  }
  job.simulate = [&sc, &signals, &responding, &record](const engine::ReplicationContext& rep) {
    if (responding) {
      pw::PathwayResult result = pw::simulate_pathway(*responding, rep.streams());
      result.response = record;
      return result;
    }
    if (sc.uncertainty.empty()) return pw::simulate_pathway(sc.spec, rep.streams());
    std::vector<double> values = scenario::draw_parameters(sc.uncertainty, rep.seed, rep.index);
    std::optional<scenario::PathwayScenario> drawn;
    try {
      drawn = scenario::with_parameters(sc, values);
    } catch (const scenario::ScenarioError& e) {
      throw std::runtime_error("replication " + std::to_string(rep.index) + " (seed " + std::to_string(rep.seed) +
                               "): the uncertain parameters drawn make the scenario invalid:\n" + e.what());
    }
    if (!signals.empty()) inc::respond(drawn->spec, signals, drawn->incentives);
    pw::PathwayResult result = pw::simulate_pathway(drawn->spec, rep.streams());
    result.psa_values = std::move(values);
    if (!signals.empty()) result.response = response_record(drawn->spec, signals, drawn->incentives);
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
