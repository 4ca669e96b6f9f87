// SPDX-License-Identifier: MIT
// mhsim: the command-line program. The command line is parsed in cli/args.cpp; the
// subcommands do their work in cli/commands.cpp and its neighbours.
#include <iostream>
#include <memory>

#include "cli/args.hpp"
#include "analysis/results_file.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace mhsim::cli;
  // Under mpirun this joins MPI_COMM_WORLD (and finalizes MPI when `cluster` goes away).
  const std::unique_ptr<mhsim::pipeline::Cluster> cluster = mhsim::pipeline::join_cluster(argc, argv);
  const Args args = parse_args(argc, argv);
  if (args.exit_code) {
    std::cout << args.out << std::flush;
    std::cerr << args.err << std::flush;
    if (!args.errors.empty()) print_diagnostics(args.errors);
    return *args.exit_code;
  }
  mhsim::analysis::set_excel_csv(args.excel);
  switch (args.command) {
    case Command::kRun: return run_command(args.run, *cluster);
    case Command::kMerge: return merge_command(args.merge_inputs, args.merge_out);
    case Command::kValidate: return validate_command(args.validate_path);
    case Command::kKeys: return keys_command();
    case Command::kSweep: return sweep_command(args.sweep);
    case Command::kSettle: return settle_command(args.settle);
    case Command::kDesign: return design_command(args.design);
    case Command::kReport: return report_command(args.report);
    case Command::kCompare: return compare_command(args.compare);
    case Command::kCalibrate: return calibrate_command(args.calibrate);
    case Command::kReproduce: return reproduce_command(args.reproduce);
    case Command::kStress: return stress_command(args.stress);
    case Command::kInit: return init_command(args.init);
    case Command::kNone: break;
  }
  return kExitBadInput;
}
