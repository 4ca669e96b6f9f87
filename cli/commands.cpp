// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"
#include "cli/text.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "analysis/network_results.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/summary.hpp"
#include "cli/progress.hpp"
#include "pipeline/derived.hpp"
#include "pipeline/model_runs.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/merge.hpp"
#include "analysis/results_file.hpp"
#include "analysis/results_analysis.hpp"
#include "engine/work_plan.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/keys.hpp"
#include "models/scenario/network_scenario.hpp"
#include "models/scenario/pathway_scenario.hpp"
#include "models/scenario/variants.hpp"

#ifndef MHSIM_SCENARIO_DIR
#define MHSIM_SCENARIO_DIR "scenarios"
#endif

namespace mhsim::cli {

std::string installed_data(const std::string& what) {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return "";
  const std::filesystem::path dir = exe.parent_path().parent_path() / "share" / "mhsim" / what;
  return std::filesystem::exists(dir, ec) ? dir.string() : "";
}

std::string shipped_scenarios() {
  const char* env = std::getenv("MHSIM_SCENARIO_DIR");
  if (env != nullptr && *env != '\0') return env;
  if (std::string installed = installed_data("scenarios"); !installed.empty()) return installed;
  return MHSIM_SCENARIO_DIR;
}

std::optional<double> number_option(const std::string& text, const char* flag, double min, double max,
                                    const std::string& expected, std::vector<scenario::Diagnostic>& errors) {
  char* end = nullptr;
  const double v = text.empty() ? std::nan("") : std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v) || v < min || v > max) {
    errors.push_back(scenario::Diagnostic{"command line", 0, 0, flag, expected, "\"" + text + "\""});
    return std::nullopt;
  }
  return v;
}

namespace {

namespace q = models::queueing;
using scenario::Diagnostic;

std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) { g_interrupted.store(true); }

}  // namespace

// Parses a command-line integer against [min, max], reporting like a scenario key.
std::optional<std::uint64_t> parse_option(const std::string& text, const char* flag, double min, double max,
                                          std::vector<Diagnostic>& errors) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "an integer in [%.15g, %.15g]", min, max);
  bool digits = !text.empty();
  for (const char c : text) digits = digits && c >= '0' && c <= '9';
  if (!digits || text.size() > 19 || static_cast<double>(std::stoull(text)) < min ||
      static_cast<double>(std::stoull(text)) > max) {
    errors.push_back(Diagnostic{"command line", 0, 0, flag, buf, "\"" + text + "\""});
    return std::nullopt;
  }
  return std::stoull(text);
}

namespace {

std::string fixed(double x, int decimals) {
  char a[48];
  std::snprintf(a, sizeof a, "%.*f", decimals, x);
  return a;
}

// "mean ± half-width of the 95% confidence interval".
std::string cell(const analysis::MeanInterval& m, int decimals) {
  if (m.n == 0) return "-";
  if (m.n < 2) return fixed(m.mean, decimals);
  return fixed(m.mean, decimals) + " ± " + fixed(m.half_width, decimals);
}
std::string cell(const engine::Tally& t, int decimals) { return cell(analysis::mean_interval(t), decimals); }

}  // namespace

namespace {

std::string theory_cell(double x, int decimals) {
  return std::isinf(x) ? "unstable" : fixed(x, decimals);
}

void print_summary(const scenario::NetworkScenario& sc, const analysis::NetworkSummary& summary) {
  const q::NetworkSpec& net = sc.network;
  const double window = net.horizon - net.warmup;
  std::printf("\nPer station: mean over %llu replications ± 95%% confidence half-width (Student t)\n",
              static_cast<unsigned long long>(summary.replications()));
  std::vector<std::vector<std::string>> rows = {
      {"station", "arrivals/day", "wait (days)", "queue length", "utilisation", "sojourn (days)"}};
  const auto prediction = analysis::jackson_prediction(net);
  const std::vector<double> load = analysis::offered_load(net);
  const std::vector<double> lambda = analysis::arrival_rates(net);
  // station_metrics(): 0 arrivals, 3 mean_wait, 4 mean_queue_length, 5 utilisation, 6 mean_sojourn
  for (std::size_t s = 0; s < net.stations.size(); ++s) {
    rows.push_back({net.stations[s].name, cell(summary.station(0, s), 3), cell(summary.station(3, s), 4),
                    cell(summary.station(4, s), 3), cell(summary.station(5, s), 4), cell(summary.station(6, s), 4)});
    if (prediction) {
      const analysis::theory::MmcMeasures& m = (*prediction)[s];
      rows.push_back({"  theory (Jackson)", fixed(lambda[s], 3), theory_cell(m.mean_wait, 4), theory_cell(m.mean_queue, 3),
                      theory_cell(std::min(m.rho, 1.0), 4), theory_cell(m.mean_sojourn, 4)});
    }
  }
  print_table(rows, 1);
  for (std::size_t s = 0; s < net.stations.size(); ++s) {
    if (load[s] < 1.0) continue;
    if (const auto& limit = net.stations[s].queue_limit) {
      std::printf("note: station %s has offered load %.3f >= 1: its waiting line (at most %llu) stays near full and "
                  "refuses many arrivals; see \"refused\" below\n",
                  net.stations[s].name.c_str(), load[s], static_cast<unsigned long long>(*limit));
    } else {
      std::printf("warning: station %s has offered load %.3f >= 1: its queue grows without bound, so its "
                  "waits depend on the horizon, not on a steady state\n",
                  net.stations[s].name.c_str(), load[s]);
    }
  }
  std::printf("\nNetwork (whole run, per replication): entered %s, exited %s, refused %s, still in at end %s\n",
              cell(summary.network(0), 1).c_str(), cell(summary.network(1), 1).c_str(),
              cell(summary.network(2), 1).c_str(), cell(summary.network(3), 1).c_str());
  std::printf("Mean time in system (entered after warm-up): %s days over a %.0f-day window\n",
              cell(summary.network(4), 4).c_str(), window);
  if (!prediction) {
    std::printf("(No product-form prediction: it needs Poisson arrivals, exponential services, FIFO and "
                "unbounded waiting lines at every station.)\n");
  }
}

}  // namespace

namespace {

// "--shard i/N" -> (i, N), reported like any other bad option.
bool parse_shard(const std::string& text, std::uint64_t& index, std::uint64_t& count, std::vector<Diagnostic>& errors) {
  const auto slash = text.find('/');
  std::vector<Diagnostic> local;
  if (slash != std::string::npos) {
    const auto i = parse_option(text.substr(0, slash), "--shard", 0, 1e6, local);
    const auto n = parse_option(text.substr(slash + 1), "--shard", 1, 1e6, local);
    if (i && n && *i < *n) {
      index = *i;
      count = *n;
      return true;
    }
  }
  errors.push_back(Diagnostic{"command line", 0, 0, "--shard", "i/N with 0 <= i < N, such as 0/4", "\"" + text + "\""});
  return false;
}

}  // namespace

namespace {

// The scenario's model ("network" or "pathway") from its root `model` key. Problems are left
// to the loader, which reports them with the rest.
std::string model_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "network";
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return scenario::scenario_model(text.str(), path);
  } catch (const scenario::ScenarioError&) {
    return "network";
  }
}

// "mean ± half-width"; money in £ with thousands separators.
std::string money_cell(const analysis::MeanInterval& m) {
  if (m.n == 0) return "-";
  if (m.n < 2) return pounds(m.mean);
  return pounds(m.mean) + " ± " + thousands(m.half_width);
}
std::string money_cell(const engine::Tally& t) { return money_cell(analysis::mean_interval(t)); }

void print_pathway_summary(const scenario::PathwayScenario& sc, const analysis::PathwaySummary& summary) {
  namespace pw = models::pathway;
  const pw::PathwaySpec& spec = sc.spec;
  const std::size_t arms = spec.arms.size(), years = static_cast<std::size_t>(spec.years);
  std::printf("\nWhole run (%zu year%s), per replication: mean ± 95%% confidence half-width over %llu replications\n",
              years, years == 1 ? "" : "s", static_cast<unsigned long long>(summary.replications()));
  using Rows = std::vector<std::vector<std::string>>;
  Rows rows(1, {""});
  for (const pw::ArmSpec& a : spec.arms) rows[0].push_back(a.name);
  for (std::size_t a = 1; a < arms; ++a) rows[0].push_back(spec.arms[a].name + " - " + spec.arms[0].name);
  // One row: its name, each arm's cell, then each arm's paired difference from the first.
  const auto add = [&](std::string name, const auto& of_arm, const auto& difference) {
    std::vector<std::string> row = {std::move(name)};
    for (std::size_t a = 0; a < arms; ++a) row.push_back(of_arm(a));
    for (std::size_t a = 1; a < arms; ++a) row.push_back(difference(a));
    rows.push_back(std::move(row));
  };
  add("ledger cost (whole system)", [&](std::size_t a) { return money_cell(summary.total_cost(a)); },
      [&](std::size_t a) { return money_cell(summary.paired_cost_difference(a)); });
  add("of which presentations", [&](std::size_t a) { return money_cell(summary.system_total(a, pw::SystemKpi::kPresentationCost)); },
      [&](std::size_t a) { return money_cell(summary.paired_difference(a, pw::SystemKpi::kPresentationCost)); });
  struct Row {
    pw::SystemKpi k;
    int decimals;
  };
  const Row kpis[] = {{pw::SystemKpi::kArrivals, 0},           {pw::SystemKpi::kReferralsSecondary, 0},
                      {pw::SystemKpi::kFrontDoorSupported, 0}, {pw::SystemKpi::kDiverted, 0},
                      {pw::SystemKpi::kGatekeptRefusals, 0},   {pw::SystemKpi::kHandoffLosses, 0},
                      {pw::SystemKpi::kAdmissions, 0},         {pw::SystemKpi::kReadmissions, 0},
                      {pw::SystemKpi::kBedDays, 0},            {pw::SystemKpi::kOutOfAreaDays, 0},
                      {pw::SystemKpi::kCrises, 0},             {pw::SystemKpi::kCrisesOutside, 0},
                      {pw::SystemKpi::kPresentations, 0},      {pw::SystemKpi::kDeteriorations, 0},
                      {pw::SystemKpi::kRemitted, 0},           {pw::SystemKpi::kUntreatedPersonYears, 0},
                      {pw::SystemKpi::kShareImproved, 3},
                      {pw::SystemKpi::kWemwbsMeanChange, 2},   {pw::SystemKpi::kGoalsSet, 0},
                      {pw::SystemKpi::kGoalsAchieved, 0},      {pw::SystemKpi::kGoalsSustained, 0},
                      {pw::SystemKpi::kQalys, 1},              {pw::SystemKpi::kInSystemAtYearEnd, 0}};
  for (const Row& row : kpis) {
    add(std::string(pw::system_kpis()[static_cast<std::size_t>(row.k)].name),
        [&](std::size_t a) { return cell(summary.system_total(a, row.k), row.decimals); },
        [&](std::size_t a) { return cell(summary.paired_difference(a, row.k), row.decimals); });
  }
  print_table(rows, 1);
  // Waits where capacity can make them: services with a capacity in some arm.
  std::printf("\nWaits and caseloads in year %zu (days; people at year end)\n", years);
  rows = Rows(1, {"service"});
  for (const pw::ArmSpec& a : spec.arms) rows[0].push_back(a.name + " wait");
  for (const pw::ArmSpec& a : spec.arms) rows[0].push_back(a.name + " caseload");
  for (std::size_t s = 0; s < spec.services.size(); ++s) {
    bool capped = false;
    for (const pw::ArmSpec& a : spec.arms) capped = capped || (a.enabled[s] && a.capacity[s] > 0);
    if (!capped) continue;
    std::vector<std::string> row = {spec.services[s].name};
    for (std::size_t a = 0; a < arms; ++a) {
      row.push_back(spec.arms[a].enabled[s] ? cell(summary.service(a, years - 1, s, pw::ServiceKpi::kMeanWait), 1) : "-");
    }
    for (std::size_t a = 0; a < arms; ++a) {
      row.push_back(spec.arms[a].enabled[s] ? cell(summary.service(a, years - 1, s, pw::ServiceKpi::kCaseloadAtYearEnd), 0)
                                            : "-");
    }
    rows.push_back(std::move(row));
  }
  print_table(rows, 1);
  std::printf("\nCost by partner, whole run\n");
  rows = Rows(1, {"partner"});
  for (const pw::ArmSpec& a : spec.arms) rows[0].push_back(a.name);
  for (std::size_t p = 0; p < spec.partners.size(); ++p) {
    std::vector<std::string> row = {spec.partners[p].name};
    for (std::size_t a = 0; a < arms; ++a) {
      double mean = 0;
      for (std::size_t y = 0; y < years; ++y) mean += summary.partner_cost(a, y, p).mean();
      row.push_back(pounds(mean));
    }
    rows.push_back(std::move(row));
  }
  print_table(rows, 1);
  for (std::size_t a = 1; a < arms; ++a) {
    std::printf("\nCommon random numbers: var(paired cost difference %s - %s) / var(unpaired) = %.4f\n",
                spec.arms[a].name.c_str(), spec.arms[0].name.c_str(), summary.crn_variance_ratio(a));
  }
}

// Each partner's payouts per arm (analysis::summarise_payouts): means a year over
// replications, the chance of a painshare in a year, and the 5th percentile of the yearly
// gain/pain (a bad year).
void print_payouts(const analysis::ResultsReader& file, const scenario::PathwayScenario& sc) {
  const auto& spec = sc.spec;
  const std::vector<analysis::ArmPayoutSummary> arms = analysis::summarise_payouts(file);
  const std::uint64_t R = file.shape_at_least("payouts/partner", 1).at(0);
  std::printf("\nSettlement, per partner, a year: mean ± 95%% half-width over %llu replications (P(pain) and the 5th "
              "percentile over all %llu replication-years)\n",
              static_cast<unsigned long long>(R), static_cast<unsigned long long>(R * static_cast<std::uint64_t>(spec.years)));
  for (std::size_t a = 0; a < arms.size() && a < spec.arms.size(); ++a) {
    if (!arms[a].settled) continue;
    std::printf("arm %s\n", spec.arms[a].name.c_str());
    std::vector<std::vector<std::string>> rows = {{"  partner", "payment", "margin", "gain/pain", "P(pain)", "5th pct gain/pain"}};
    for (std::size_t p = 0; p < arms[a].partners.size() && p < spec.partners.size(); ++p) {
      const analysis::PartnerPayoutSummary& q = arms[a].partners[p];
      if (!q.in_contract) continue;
      char prob[32];
      std::snprintf(prob, sizeof prob, "%.3f", q.p_pain);
      rows.push_back({"  " + spec.partners[p].name, money_cell(q.payment), money_cell(q.margin), money_cell(q.gain_pain),
                      prob, pounds(q.p5_gain_pain)});
    }
    print_table(rows, 1);
    std::printf("  commissioner spend a year %s; painshare cap binds in %.1f%% of years\n",
                money_cell(arms[a].commissioner_spend).c_str(), 100.0 * arms[a].p_pain_cap_binds);
  }
}

}  // namespace

void print_warnings(const std::vector<Diagnostic>& ws) {
  for (const Diagnostic& w : ws) std::fprintf(stderr, "mhsim: warning: %s\n", w.to_string().c_str());
}

void print_diagnostics(const std::vector<Diagnostic>& ds) {
  for (const Diagnostic& d : ds) std::fprintf(stderr, "mhsim: %s\n", d.to_string().c_str());
  std::fprintf(stderr, "mhsim: %zu error%s; nothing was written\n", ds.size(), ds.size() == 1 ? "" : "s");
}

int run_command(const RunOptions& options, pipeline::Cluster& cluster) {
  const bool root = cluster.rank() == 0;
  std::vector<Diagnostic> errors;
  std::optional<std::uint64_t> reps, seed, threads;
  if (!options.reps.empty()) reps = parse_option(options.reps, "--reps", 1, scenario::limits::kMaxReplications, errors);
  if (!options.seed.empty()) seed = parse_option(options.seed, "--seed", 0, scenario::limits::kMaxSeed, errors);
  if (!options.threads.empty()) threads = parse_option(options.threads, "--threads", 1, 1024, errors);
  if (options.out.empty()) errors.push_back(Diagnostic{"command line", 0, 0, "--out", "a file name", "\"\""});
  std::error_code dir_error;
  if (!options.out.empty() && std::filesystem::is_directory(options.out, dir_error)) {
    // Found now, not when the finished results are renamed into place after the whole run.
    errors.push_back(Diagnostic{"command line", 0, 0, "--out", "a file name", "\"" + options.out + "\", a directory"});
  }
  std::uint64_t shard_index = 0, shard_count = 1;
  if (!options.shard.empty()) parse_shard(options.shard, shard_index, shard_count, errors);
  if (!options.shard.empty() && cluster.size() > 1) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--shard", "either --shard or mpirun, not both", "both"});
  }

  const bool pathway = model_of(options.scenario) == "pathway";
  std::optional<scenario::NetworkScenario> network;
  std::optional<scenario::PathwayScenario> pathway_sc, as_written;
  try {
    if (pathway) {
      pathway_sc = scenario::load_pathway_scenario(options.scenario);
      // Kept for the [derived] pass only when a variant will change the scenario.
      if (!pathway_sc->derived.empty() && !options.variant.empty()) as_written = pathway_sc;
    }
    else network = scenario::load_network_scenario(options.scenario);
    if (!options.variant.empty()) {
      if (!pathway) {
        errors.push_back(Diagnostic{"command line", 0, 0, "--variant", "a pathway scenario (variants are a pathway-scenario feature)",
                                    "a network scenario"});
      } else {
        pathway_sc = scenario::apply_variant(*pathway_sc, options.variant);
      }
    }
    if (!options.sets.empty()) {
      if (pathway) pathway_sc = scenario::apply_settings(*pathway_sc, options.sets);
      else network = scenario::apply_settings(*network, options.sets);
    }
  } catch (const scenario::ScenarioError& e) {
    errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
  } catch (const std::invalid_argument& e) {
    errors.push_back(Diagnostic{"command line", 0, 0, "--variant", "a variant the scenario declares", e.what()});
  }
  if (!errors.empty()) {
    if (root) print_diagnostics(errors);
    return kExitBadInput;
  }
  if (pathway && root) print_warnings(pathway_sc->warnings);
  scenario::RunSettings& run = pathway ? pathway_sc->run : network->run;
  const std::string& file = pathway ? pathway_sc->file : network->file;
  const std::string& name = pathway ? pathway_sc->name : network->name;
  if (reps) run.replications = *reps;
  if (seed) run.seed = *seed;
  const int n_threads = threads ? static_cast<int>(*threads)
                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const bool talk = root && !options.quiet;
  // [derived] numbers: a baseline pass of the scenario as run (its --set settings, its seed)
  // but without the variant, which is a what-if against the terms they set.
  if (pathway && !pathway_sc->derived.empty()) {
    try {
      std::optional<scenario::PathwayScenario> without_variant;
      if (as_written) {
        without_variant = options.sets.empty() ? *as_written : scenario::apply_settings(*as_written, options.sets);
        without_variant->run.seed = run.seed;
      }
      const scenario::PathwayScenario& base = without_variant ? *without_variant : *pathway_sc;
      if (talk) {
        std::fprintf(stderr, "mhsim run %s: resolving %zu [derived] number%s by a baseline pass of %llu replications\n",
                     file.c_str(), base.derived.size(), base.derived.size() == 1 ? "" : "s",
                     static_cast<unsigned long long>(base.baseline_replications));
      }
      pathway_sc = pipeline::apply_derived(*pathway_sc, pipeline::resolve_derived(base, n_threads));
    } catch (const scenario::ScenarioError& e) {
      if (root) print_diagnostics(e.diagnostics());
      return kExitBadInput;
    }
  }
  char extent[160];
  if (pathway) {
    std::snprintf(extent, sizeof extent, "%d year%s x %zu arm%s", pathway_sc->spec.years,
                  pathway_sc->spec.years == 1 ? "" : "s", pathway_sc->spec.arms.size(),
                  pathway_sc->spec.arms.size() == 1 ? "" : "s");
  } else {
    std::snprintf(extent, sizeof extent, "%g days (warm-up %g)", network->network.horizon, network->network.warmup);
  }

  // Interrupt, terminate and hang-up (a closed terminal or ssh session) all stop the run at
  // its next check, keep finished chunks for --resume, and exit 130.
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_signal);
  try {
    pipeline::RunConfig config;
    config.out = options.out;
    config.threads = n_threads;
    config.cancel = &g_interrupted;
    config.command_line = options.command_line;
    config.resume = options.resume;
    config.shard_index = shard_index;
    config.shard_count = shard_count;
    config.cluster = &cluster;
    const engine::Block block = engine::WorkPlan(run.replications).shard_block(shard_index, shard_count);
    if (talk) {
      std::fprintf(stderr, "mhsim run %s: %llu replications x %s, seed %llu, %d thread%s", file.c_str(),
                   static_cast<unsigned long long>(run.replications), extent,
                   static_cast<unsigned long long>(run.seed), n_threads, n_threads == 1 ? "" : "s");
      if (cluster.size() > 1) std::fprintf(stderr, " x %d MPI ranks", cluster.size());
      if (shard_count > 1) {
        std::fprintf(stderr, ", shard %llu/%llu (replications %llu..%llu)", static_cast<unsigned long long>(shard_index),
                     static_cast<unsigned long long>(shard_count), static_cast<unsigned long long>(block.first),
                     static_cast<unsigned long long>(block.end() - 1));
      }
      std::fprintf(stderr, "\n");
    }
    // Progress counts this process's replications (rank 0's share under MPI).
    Progress progress(block.count / static_cast<std::uint64_t>(cluster.size()), talk);
    config.on_replication = [&progress] { progress.step(); };
    const pipeline::RunOutcome outcome =
        pathway ? pipeline::run_pathway(*pathway_sc, config) : pipeline::run_network(*network, config);
    progress.finish();
    if (!outcome.completed) {
      if (root) {
        std::fprintf(stderr,
                     "mhsim: interrupted; %s is unchanged. Finished chunks are kept in %s: run the same command "
                     "with --resume to continue\n",
                     options.out.c_str(), outcome.partial_dir.c_str());
      }
      return kExitInterrupted;
    }
    if (!root) return kExitOk;
    std::printf("Scenario \"%s\" (%s)\n", name.c_str(), file.c_str());
    std::printf("%llu replications, seed %llu, %s, %d thread%s", static_cast<unsigned long long>(run.replications),
                static_cast<unsigned long long>(run.seed), extent, n_threads, n_threads == 1 ? "" : "s");
    if (cluster.size() > 1) std::printf(" x %d MPI ranks", cluster.size());
    std::printf(": %.2f s\n", outcome.wall_seconds);
    if (outcome.replications_resumed > 0) {
      std::printf("Resumed: %llu replications were already finished; %llu run now\n",
                  static_cast<unsigned long long>(outcome.replications_resumed),
                  static_cast<unsigned long long>(outcome.replications_run));
    }
    if (shard_count > 1) {
      std::printf("Shard %llu/%llu: replications %llu..%llu in %s (join shards with mhsim merge)\n",
                  static_cast<unsigned long long>(shard_index), static_cast<unsigned long long>(shard_count),
                  static_cast<unsigned long long>(outcome.first),
                  static_cast<unsigned long long>(outcome.first + outcome.count - 1), options.out.c_str());
    }
    if (pathway && !pathway_sc->derived_record.empty()) {
      std::printf("Derived numbers (recorded in the results file, root attribute \"derived\"):\n");
      for (const std::string& line : pathway_sc->derived_record) std::printf("  %s\n", line.c_str());
    }
    std::printf("Results: %s\n", options.out.c_str());
    const analysis::ResultsReader results(options.out);
    if (pathway) {
      print_pathway_summary(*pathway_sc, analysis::summarise_pathway_file(results));
      if (analysis::has_contracts(pathway_sc->contracts) && shard_count == 1) print_payouts(results, *pathway_sc);
    } else {
      const scenario::NetworkScenario& sc = *network;
      print_summary(sc, analysis::summarise_network_file(results, sc.network.stations.size(),
                                                         sc.network.horizon - sc.network.warmup));
    }
    return kExitOk;
  } catch (const pipeline::RunInputError& e) {
    if (root) std::fprintf(stderr, "mhsim: %s\n", e.what());
    if (cluster.size() > 1) cluster.abort_all(kExitBadInput);  // the other ranks wait on rank 0
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: run failed: %s\nmhsim: %s is unchanged\n", e.what(), options.out.c_str());
    if (cluster.size() > 1) cluster.abort_all(kExitFailure);
    return kExitFailure;
  }
}

int merge_command(const std::vector<std::string>& inputs, const std::string& out) {
  try {
    // A pathway run's payouts need every replication, so shards are settled when merged.
    std::function<void(analysis::ResultsWriter&, const std::vector<std::string>&)> settle;
    std::optional<scenario::PathwayScenario> pathway;
    {
      const analysis::ResultsReader first(inputs.at(0));
      bool settled = false;
      for (const std::string& d : first.datasets()) settled = settled || d.rfind("payouts/", 0) == 0;
      if (!settled && first.has_attribute("model") && first.string_attribute("model") == "pathway") {
        pathway = analysis::stored_scenario(first, inputs.at(0));
        if (analysis::has_contracts(pathway->contracts)) {
          settle = [&pathway](analysis::ResultsWriter& w, const std::vector<std::string>& blocks) {
            pipeline::settle_into(w, *pathway, blocks);
          };
        }
      }
    }
    analysis::merge_results(inputs, out, true, {{"merged_from", std::to_string(inputs.size()) + " files"}}, settle);
    const analysis::ResultsReader file(out);
    std::printf("%s: merged %zu files, replications 0..%llu\n", out.c_str(), inputs.size(),
                static_cast<unsigned long long>(file.uint_attribute("replications") - 1));
    return kExitOk;
  } catch (const analysis::MergeError& e) {
    for (const std::string& p : e.problems()) std::fprintf(stderr, "mhsim: %s\n", p.c_str());
    std::fprintf(stderr, "mhsim: %zu problem%s; nothing was written to %s\n", e.problems().size(),
                 e.problems().size() == 1 ? "" : "s", out.c_str());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mhsim: merge failed: %s\nmhsim: %s is unchanged and no temporary file is left\n", e.what(),
                 out.c_str());
    return kExitFailure;
  }
}

int validate_pathway(const std::string& path) {
  namespace pw = models::pathway;
  try {
    const scenario::PathwayScenario sc = scenario::load_pathway_scenario(path);
    print_warnings(sc.warnings);
    const pw::PathwaySpec& spec = sc.spec;
    std::printf("%s: valid pathway scenario: %zu need group%s, %zu service%s, %zu partner%s, %zu arm%s, %d year%s, "
                "%llu replications\n",
                path.c_str(), spec.population.groups.size(), spec.population.groups.size() == 1 ? "" : "s",
                spec.services.size(), spec.services.size() == 1 ? "" : "s", spec.partners.size(),
                spec.partners.size() == 1 ? "" : "s", spec.arms.size(), spec.arms.size() == 1 ? "" : "s", spec.years,
                spec.years == 1 ? "" : "s", static_cast<unsigned long long>(sc.run.replications));
    for (const pw::NeedGroup& g : spec.population.groups) {
      std::printf("  group %-20s %8.0f arrivals a year expected (%g per 1,000 of %g)\n", g.name.c_str(),
                  g.rate_per_1000_per_year * spec.population.size / 1000.0, g.rate_per_1000_per_year,
                  spec.population.size);
    }
    for (const pw::ArmSpec& a : spec.arms) {
      std::printf("  arm %s:", a.name.c_str());
      for (std::size_t s = 0; s < spec.services.size(); ++s) {
        if (!a.enabled[s]) continue;
        if (a.capacity[s] > 0) std::printf(" %s(%lld)", spec.services[s].name.c_str(), static_cast<long long>(a.capacity[s]));
        else std::printf(" %s", spec.services[s].name.c_str());
      }
      std::printf("\n");
    }
    if (!sc.derived.empty()) {
      std::printf("  %zu [derived] number%s, resolved by a baseline pass of %llu replications when the model runs:",
                  sc.derived.size(), sc.derived.size() == 1 ? "" : "s",
                  static_cast<unsigned long long>(sc.baseline_replications));
      for (const scenario::DerivedNumber& d : sc.derived) std::printf(" %s", d.name.c_str());
      std::printf("\n");
    }
    return kExitOk;
  } catch (const scenario::ScenarioError& e) {
    for (const Diagnostic& d : e.diagnostics()) std::fprintf(stderr, "mhsim: %s\n", d.to_string().c_str());
    std::fprintf(stderr, "mhsim: %zu error%s\n", e.diagnostics().size(), e.diagnostics().size() == 1 ? "" : "s");
    return kExitBadInput;
  }
}

int validate_command(const std::string& path) {
  if (model_of(path) == "pathway") return validate_pathway(path);
  try {
    const scenario::NetworkScenario sc = scenario::load_network_scenario(path);
    std::printf("%s: valid: %zu station%s, %llu replications, horizon %g days, warm-up %g days\n", path.c_str(),
                sc.network.stations.size(), sc.network.stations.size() == 1 ? "" : "s",
                static_cast<unsigned long long>(sc.run.replications), sc.network.horizon, sc.network.warmup);
    const std::vector<double> load = analysis::offered_load(sc.network);
    for (std::size_t s = 0; s < load.size(); ++s) {
      const bool bounded = sc.network.stations[s].queue_limit.has_value();
      std::printf("  %-22s servers %-8lld offered load %.3f%s\n", sc.network.stations[s].name.c_str(),
                  static_cast<long long>(sc.network.stations[s].servers), load[s],
                  load[s] < 1.0 ? ""
                  : bounded     ? "  (saturated: the finite waiting line refuses arrivals when full)"
                                : "  (unstable: the queue grows without bound)");
    }
    return kExitOk;
  } catch (const scenario::ScenarioError& e) {
    for (const Diagnostic& d : e.diagnostics()) std::fprintf(stderr, "mhsim: %s\n", d.to_string().c_str());
    std::fprintf(stderr, "mhsim: %zu error%s\n", e.diagnostics().size(), e.diagnostics().size() == 1 ? "" : "s");
    return kExitBadInput;
  }
}

int keys_command() {
  std::fputs(scenario::keys_markdown().c_str(), stdout);
  return kExitOk;
}

}  // namespace mhsim::cli
