// SPDX-License-Identifier: MIT
#pragma once
// The command line of `mhsim`, parsed without side effects: parse_args() prints nothing,
// exits nothing and runs nothing. main() prints what it returns and dispatches the command;
// tests/fuzz/cli_fuzz.cpp feeds it arbitrary argument vectors.

#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "models/scenario/diagnostics.hpp"

namespace mhsim::cli {

/// The subcommand given (kNone only when parsing stopped: see Args::exit_code).
enum class Command { kNone, kRun, kMerge, kValidate, kKeys, kSweep, kDesign, kSettle, kReport, kCompare, kCalibrate, kReproduce, kStress, kInit };

/// A parsed command line: the command and its options as typed (the commands check them),
/// or, when the command is not to be run, what to print and the exit code.
struct Args {
  Command command = Command::kNone;
  RunOptions run;
  std::vector<std::string> merge_inputs;
  std::string merge_out;
  std::string validate_path;
  SweepOptions sweep;
  SettleOptions settle;
  DesignOptions design;
  ReportOptions report;
  CompareOptions compare;
  CalibrateOptions calibrate;
  ReproduceOptions reproduce;
  StressOptions stress;
  InitOptions init;
  /// --excel (report, compare, sweep, design, settle, stress): CSV files begin with a UTF-8
  /// byte order mark (main() passes it to analysis::set_excel_csv).
  bool excel = false;

  /// Set when the command line is not to be run: kExitOk after --help, --version, -V or
  /// `mhsim version`, kExitBadInput for an error. Then `out` is the text for standard output
  /// (help, version), `err` the message for standard error (CLI11's error, or an unknown
  /// command with the nearest one, every line begun "mhsim: "), and
  /// `errors` the options given an empty value (to print with print_diagnostics); an error
  /// has `err` or `errors`, never neither.
  std::optional<int> exit_code;
  std::string out;
  std::string err;
  std::vector<scenario::Diagnostic> errors;
};

/// Parses argv[0..argc) (argv[0] is the program). Never throws for any argument vector
/// (only std::bad_alloc): every problem is in the result.
Args parse_args(int argc, const char* const* argv);

}  // namespace mhsim::cli
