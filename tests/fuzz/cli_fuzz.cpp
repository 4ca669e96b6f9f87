// SPDX-License-Identifier: MIT
// libFuzzer target for the command-line parser (cli/args.hpp, parse_args): the input is split
// on NUL and newline into arguments after argv[0] = "mhsim" (so a seed is one argument a line;
// a separator at the very end adds no empty argument).
// parse_args must never throw, and its result must be one of: a command to run (no exit code,
// nothing to print), help or version (exit 0 and text for standard output), or an error (exit
// 2 with CLI11's message, or diagnostics naming an option given an empty value). Anything
// else (an exception, a crash, a sanitizer report, an inconsistent result) is a bug.
// Build with clang: see tests/fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/args.hpp"

namespace {

using mhsim::cli::Args;
using mhsim::cli::Command;

void check(const Args& a) {
  if (!a.exit_code) {
    // A command to run, and nothing to print.
    if (a.command == Command::kNone || !a.out.empty() || !a.err.empty() || !a.errors.empty()) std::abort();
    if (a.command == Command::kRun && a.run.command_line.empty()) std::abort();
    return;
  }
  if (a.command != Command::kNone) std::abort();
  if (*a.exit_code == mhsim::cli::kExitOk) {
    // --help or --version: text for standard output only.
    if (a.out.empty() || !a.err.empty() || !a.errors.empty()) std::abort();
    return;
  }
  if (*a.exit_code != mhsim::cli::kExitBadInput || !a.out.empty()) std::abort();
  if (a.err.empty() == a.errors.empty()) std::abort();  // CLI11's message, or diagnostics
  for (const auto& d : a.errors) {
    if (d.file != "command line" || d.key.empty() || d.expected != "a value" || d.got != "\"\"") std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"mhsim"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\0' || c == '\n') {
      args.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  // The last argument; a separator at the very end ends the last line and adds none.
  if (size > 0 && data[size - 1] != '\0' && data[size - 1] != '\n') args.push_back(current);
  std::vector<const char*> argv;
  for (const std::string& s : args) argv.push_back(s.c_str());
  argv.push_back(nullptr);
  const Args a = mhsim::cli::parse_args(static_cast<int>(args.size()), argv.data());
  check(a);
  return 0;
}
