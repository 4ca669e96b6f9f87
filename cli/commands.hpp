// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "cli/cluster.hpp"

namespace mhsim::cli {

/// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      ///< the run failed (simulation or I/O error)
inline constexpr int kExitBadInput = 2;     ///< the scenario or the command line is wrong
inline constexpr int kExitInterrupted = 130;

/// Options of `mhsim run`, as typed: validated by run_command so that their errors are
/// reported together with the scenario's.
struct RunOptions {
  std::string scenario;
  std::string reps;     ///< "" = the scenario's run.replications
  std::string seed;     ///< "" = the scenario's run.seed
  std::string threads;  ///< "" = all hardware threads
  std::string out = "results.h5";
  bool quiet = false;
  bool resume = false;
  std::string shard;    ///< "i/N" or ""
  std::string command_line;
};

/// Options of `mhsim sweep`.
struct SweepOptions {
  std::string scenario;
  std::string results;            ///< the run's results file (its ledgers are re-settled)
  std::vector<std::string> sets;  ///< "path=from:to:step", "path=a,b,c" or "path=v"
  std::string out;                ///< CSV file ("" = standard output)
};

int run_command(const RunOptions& options, Cluster& cluster);
int sweep_command(const SweepOptions& options);
int merge_command(const std::vector<std::string>& inputs, const std::string& out);
int validate_command(const std::string& scenario);
int keys_command();

}  // namespace mhsim::cli
