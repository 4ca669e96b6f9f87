// SPDX-License-Identifier: MIT
#include "cli/progress.hpp"

#include <unistd.h>

namespace mhsim::cli {

Progress::Progress(std::uint64_t total, bool enabled)
    : total_(total), enabled_(enabled && total > 0), tty_(::isatty(STDERR_FILENO) != 0) {}

void Progress::step() {
  ++done_;
  if (!enabled_) return;
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  if (tty_) {
    if (done_ != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "\r[%s] %3.0f%%  %llu/%llu replications  %.1fs elapsed, ETA %.1fs ", bar,
                 100.0 * fraction, static_cast<unsigned long long>(done_),
                 static_cast<unsigned long long>(total_), elapsed, eta);
    std::fflush(stderr);
    return;
  }
  const int decile = static_cast<int>(fraction * 10.0);
  if (decile > last_decile_) {
    last_decile_ = decile;
    std::fprintf(stderr, "progress: %llu/%llu replications (%d%%), %.1fs elapsed, ETA %.1fs\n",
                 static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_),
                 decile * 10, elapsed, eta);
  }
}

void Progress::finish() {
  if (enabled_ && tty_) std::fprintf(stderr, "\n");
}

}  // namespace mhsim::cli
