// SPDX-License-Identifier: MIT
#pragma once
// Runs the real mhsim binary as a child process (no shell), capturing stdout and stderr.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace mhsim::test {

struct ProcessResult {
  int exit_code = -1;  ///< exit status, or 128 + signal
  std::string out;
  std::string err;
};

inline std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Starts `args` (args[0] is the program). If `interrupt_when` is not empty, sends `signal`
/// once the child's stderr contains that text (polling for up to a minute), so the signal
/// arrives at a known stage however slowly the child starts (e.g. under sanitizers).
/// Waits for the child and returns what it printed.
inline ProcessResult run_process(const std::vector<std::string>& args, const std::string& interrupt_when = {},
                                 int signal = SIGINT) {
  const std::string base = "/tmp/mhsim_cli_test_" + std::to_string(::getpid());
  const std::string out_path = base + ".out", err_path = base + ".err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!std::freopen(out_path.c_str(), "w", stdout) || !std::freopen(err_path.c_str(), "w", stderr)) _exit(127);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  if (!interrupt_when.empty()) {
    for (int i = 0; i < 6000 && slurp_file(err_path).find(interrupt_when) == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, signal);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp_file(out_path);
  r.err = slurp_file(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

}  // namespace mhsim::test
