// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace mhsim::cli {

/// Progress of a long run on stderr: a bar with an ETA on a terminal, plain lines at each
/// 10% otherwise (so logs of batch jobs stay readable). Never writes to stdout.
class Progress {
 public:
  Progress(std::uint64_t total, bool enabled);
  void step();   ///< one more unit done
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  bool enabled_;
  bool tty_;
  int last_decile_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace mhsim::cli
