// SPDX-License-Identifier: MIT
// mhsim: the command-line program. Subcommands parse their options here and do their work
// in cli/*_command.cpp.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

#ifndef MHSIM_VERSION
#define MHSIM_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace mhsim::cli;
  // Under mpirun this joins MPI_COMM_WORLD (and finalizes MPI when `cluster` goes away).
  const std::unique_ptr<Cluster> cluster = join_cluster(argc, argv);
  CLI::App app{"mhsim: discrete-event Monte Carlo simulation of care pathways and contracts", "mhsim"};
  app.set_version_flag("--version", std::string("mhsim ") + MHSIM_VERSION);
  app.require_subcommand(1);

  RunOptions run;
  for (int i = 0; i < argc; ++i) run.command_line += (i ? " " : "") + std::string(argv[i]);
  CLI::App* run_cmd = app.add_subcommand("run", "Run a scenario's replications and write results to HDF5");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
  run_cmd->add_option("--reps,-r", run.reps, "Replications (default: the scenario's run.replications)");
  run_cmd->add_option("--seed,-s", run.seed, "Master seed (default: the scenario's run.seed)");
  run_cmd->add_option("--threads,-t", run.threads, "Worker threads (default: all hardware threads)");
  run_cmd->add_option("--out,-o", run.out, "Results file to write (HDF5)")->capture_default_str();
  run_cmd->add_flag("--quiet,-q", run.quiet, "No progress output on stderr");
  run_cmd->add_flag("--resume", run.resume, "Continue an interrupted run from <out>.partial");
  run_cmd->add_option("--shard", run.shard, "Run only shard i of N (i/N, e.g. 0/4) for array jobs; join with mhsim merge");

  std::vector<std::string> merge_inputs;
  std::string merge_out;
  CLI::App* merge_cmd = app.add_subcommand("merge", "Join shard files of one run into a single results file");
  merge_cmd->add_option("inputs", merge_inputs, "Shard files (any order)")->required();
  merge_cmd->add_option("--out,-o", merge_out, "Merged results file")->required();

  std::string validate_path;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a scenario file without running it");
  validate_cmd->add_option("scenario", validate_path, "Scenario file (TOML)")->required();

  SweepOptions sweep;
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep", "Re-settle a run's stored ledgers over a grid of contract terms (no re-simulation)");
  sweep_cmd->add_option("scenario", sweep.scenario, "Scenario file (TOML) the results were run from")->required();
  sweep_cmd->add_option("--results", sweep.results, "Results file of `mhsim run` on this scenario (HDF5)")->required();
  sweep_cmd->add_option("--set", sweep.sets,
                        "Term to vary: arms.<arm>.contracts.<contract>.<key>=from:to:step (or =a,b,c or =v); repeat "
                        "for a grid")
      ->required();
  sweep_cmd->add_option("--out,-o", sweep.out, "CSV file to write (default: standard output)");

  CLI::App* keys_cmd = app.add_subcommand("keys", "Print the reference of every scenario key (Markdown)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  }
  if (*run_cmd) return run_command(run, *cluster);
  if (*merge_cmd) return merge_command(merge_inputs, merge_out);
  if (*validate_cmd) return validate_command(validate_path);
  if (*keys_cmd) return keys_command();
  if (*sweep_cmd) return sweep_command(sweep);
  return kExitBadInput;
}
