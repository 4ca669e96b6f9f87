// SPDX-License-Identifier: MIT
// The command line itself (cli/args.cpp), through the real binary: a mistyped command, the
// version, the exit codes, error messages that say they are mhsim's, and each command's help.
#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/results_file.hpp"
#include "cli/commands.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;
using mhsim::test::run_process;
using mhsim::test::slurp_file;

namespace {
const std::string kBin = MHSIM_BINARY;
const std::string kSrc = MHSIM_SOURCE_DIR;

const std::vector<std::string> kCommands = {"run",     "merge",   "validate",  "sweep",     "design",
                                            "settle",  "report",  "compare",   "calibrate", "reproduce",
                                            "stress",  "init",    "keys",      "version"};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// Every line of `err` (a failed command's standard error) begins "mhsim: ".
void check_every_line_is_mhsims(const std::string& err) {
  REQUIRE_FALSE(err.empty());
  for (const std::string& line : lines_of(err)) {
    INFO(err);
    CHECK(line.rfind("mhsim: ", 0) == 0);
  }
}
}  // namespace

TEST_CASE("mhsim: a mistyped command names the nearest one, exit 2", "[cli]") {
  const auto rn = run_process({kBin, "rn"});
  CHECK(rn.exit_code == mhsim::cli::kExitBadInput);
  CHECK(rn.err == "mhsim: unknown command 'rn'; did you mean 'run'?\n");
  CHECK(rn.out.empty());
  // A swap of two letters is one edit; the rest of the line does not matter.
  CHECK(run_process({kBin, "reprot", "results.h5", "--html", "r.html"}).err ==
        "mhsim: unknown command 'reprot'; did you mean 'report'?\n");
  CHECK(run_process({kBin, "stres"}).err == "mhsim: unknown command 'stres'; did you mean 'stress'?\n");
  CHECK(run_process({kBin, "verison"}).err == "mhsim: unknown command 'verison'; did you mean 'version'?\n");
  // Nothing close enough: no guess, the list of commands instead.
  const auto far = run_process({kBin, "explode"});
  CHECK(far.exit_code == 2);
  CHECK(far.err.find("did you mean") == std::string::npos);
  CHECK_THAT(far.err, Catch::StartsWith("mhsim: unknown command 'explode'; the commands are run, merge, validate"));
  // A scenario given without a command is no command either.
  const auto file = run_process({kBin, "scenarios/default.toml"});
  CHECK(file.exit_code == 2);
  CHECK_THAT(file.err, Catch::StartsWith("mhsim: unknown command 'scenarios/default.toml'; the commands are"));
}

TEST_CASE("mhsim --version, -V and version print the version every results file records", "[cli]") {
  const auto long_flag = run_process({kBin, "--version"});
  const auto short_flag = run_process({kBin, "-V"});
  const auto command = run_process({kBin, "version"});
  for (const auto* r : {&long_flag, &short_flag, &command}) {
    CHECK(r->exit_code == 0);
    CHECK(r->err.empty());
  }
  CHECK(short_flag.out == long_flag.out);
  CHECK(command.out == long_flag.out);
  const std::vector<std::string> lines = lines_of(long_flag.out);
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[1], Catch::StartsWith("compiler "));
  CHECK_THAT(lines[2], Catch::StartsWith("Boost ") && Catch::Contains(", CLI11 "));
  // The first line is the version a run records as its provenance.
  const fs::path out = fs::temp_directory_path() / ("mhsim_version_" + std::to_string(::getpid()) + ".h5");
  REQUIRE(run_process({kBin, "run", kSrc + "/scenarios/examples/mm1.toml", "--reps", "1", "--out", out.string(), "-q"})
              .exit_code == 0);
  const mhsim::analysis::ResultsReader file(out.string());
  CHECK(lines[0] == "mhsim " + file.string_attribute("mhsim_version"));
  fs::remove(out);
}

TEST_CASE("mhsim: every exit code the program uses is listed by --help and the README", "[cli]") {
  using namespace mhsim::cli;
  const auto help = run_process({kBin, "--help"});
  REQUIRE(help.exit_code == kExitOk);
  const std::string readme = slurp_file(kSrc + "/README.md");
  const std::size_t at = readme.find("Exit codes (every command):");
  REQUIRE(at != std::string::npos);
  const std::string paragraph = readme.substr(at, readme.find("\n\n", at) - at);
  for (const int code : {kExitOk, kExitFailure, kExitBadInput, kExitTargetsMissed, kExitInterrupted}) {
    INFO("exit code " << code);
    const auto listed = [code](const std::string& text) {
      const std::string c = std::to_string(code) + " ";
      return text.find(": " + c) != std::string::npos || text.find("; " + c) != std::string::npos;
    };
    CHECK(listed(help.out));
    CHECK(listed(paragraph));
  }
  // And the codes are what they say: 0 for help, 2 for a bad command line, 1 for a failed run.
  CHECK(run_process({kBin, "run"}).exit_code == kExitBadInput);
  CHECK(run_process({kBin, "run", kSrc + "/scenarios/examples/mm1.toml", "--reps", "1", "--out",
                     "/proc/forbidden/results.h5", "-q"})
            .exit_code == kExitFailure);
}

TEST_CASE("mhsim: every line of an error begins 'mhsim: ', CLI11's own errors included", "[cli]") {
  // CLI11's parse errors, with where to look.
  const auto unknown_option = run_process({kBin, "run", "x.toml", "--frobnicate"});
  CHECK(unknown_option.exit_code == 2);
  CHECK_THAT(unknown_option.err, Catch::StartsWith("mhsim: The following argument was not expected: --frobnicate"));
  CHECK_THAT(unknown_option.err, Catch::Contains("mhsim: see 'mhsim run --help'"));
  check_every_line_is_mhsims(unknown_option.err);
  check_every_line_is_mhsims(run_process({kBin}).err);
  check_every_line_is_mhsims(run_process({kBin, "--frobnicate"}).err);
  check_every_line_is_mhsims(run_process({kBin, "sweep", "x.toml"}).err);
  // The commands' own: located diagnostics, a failed write, a bad shard set.
  const auto bad = run_process({kBin, "run", kSrc + "/tests/data/bad/many_errors.toml", "--reps", "0", "-q"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("mhsim: command line: --reps: expected an integer in [1, 10000000], got \"0\""));
  check_every_line_is_mhsims(bad.err);
  check_every_line_is_mhsims(run_process({kBin, "validate", kSrc + "/tests/data/bad/many_errors.toml"}).err);
  check_every_line_is_mhsims(run_process({kBin, "run", kSrc + "/scenarios/examples/mm1.toml", "--reps", "1", "--out",
                                          "/proc/forbidden/results.h5", "-q"})
                                 .err);
  check_every_line_is_mhsims(
      run_process({kBin, "merge", kSrc + "/scenarios/default.toml", "--out", "/tmp/never_written.h5"}).err);
}

TEST_CASE("mhsim merge: a shard file that does not exist is a bad command line (exit 2), not a failed merge", "[cli]") {
  // It used to exit 1 ("merge failed: ... cannot open as an HDF5 results file").
  const std::string missing = "/nonexistent/shard0.h5";
  const auto r = run_process({kBin, "merge", missing, "--out", "/tmp/never_written.h5"});
  CHECK(r.exit_code == mhsim::cli::kExitBadInput);
  CHECK_THAT(r.err, Catch::StartsWith("mhsim: inputs: File does not exist: " + missing));
  check_every_line_is_mhsims(r.err);
  CHECK_FALSE(fs::exists("/tmp/never_written.h5"));
}

TEST_CASE("mhsim: each command's --help ends with an example on files that exist, and names no option TEXT", "[cli]") {
  // Paths in the source tree that an example names: scenarios/... or tests/... ending in .toml
  // or .csv. (Scanned by hand: GCC 12 warns inside <regex> under the sanitizers' -O2.)
  const auto files_in_tree = [](const std::string& text) {
    std::vector<std::string> out;
    const auto allowed = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '/' || c == '-';
    };
    for (std::size_t at = 0; at < text.size(); ++at) {
      if (text.compare(at, 10, "scenarios/") != 0 && text.compare(at, 6, "tests/") != 0) continue;
      std::size_t end = at;
      while (end < text.size() && allowed(text[end])) ++end;
      std::string run = text.substr(at, end - at);
      while (!run.empty() && !(run.size() > 5 && run.compare(run.size() - 5, 5, ".toml") == 0) &&
             !(run.size() > 4 && run.compare(run.size() - 4, 4, ".csv") == 0)) {
        run.pop_back();
      }
      if (run.find('/') != std::string::npos && run.size() > run.find('/') + 1) {
        out.push_back(run);
        at += run.size() - 1;
      }
    }
    return out;
  };
  for (const std::string& command : kCommands) {
    INFO("mhsim " << command << " --help");
    const auto help = run_process({kBin, command, "--help"});
    REQUIRE(help.exit_code == 0);
    const std::size_t at = help.out.find("Example (in the source tree):\n");
    REQUIRE(at != std::string::npos);
    const std::string example = help.out.substr(at);
    CHECK_THAT(example, Catch::Contains("\n  mhsim " + command + (command == "keys" || command == "version" ? "" : " ")));
    const std::vector<std::string> files = files_in_tree(example);
    for (const std::string& f : files) {
      INFO(f);
      CHECK(fs::is_regular_file(kSrc + "/" + f));
    }
    // Numbers, files and names say so (INT, FILE, DIR, NAME, ...), not CLI11's TEXT.
    CHECK(help.out.find(" TEXT") == std::string::npos);
  }
}
