#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzes the scenario loader with libFuzzer (clang, ASan, UBSan) for a bounded time.
#   scripts/fuzz.sh [seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
bash scripts/install-deps.sh
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMHSIM_BUILD_FUZZ=ON -DMHSIM_BUILD_TESTS=OFF -DMHSIM_WERROR=ON -DMHSIM_SANITIZE="address;undefined" >/dev/null
cmake --build build/fuzz --target scenario_fuzz
work=$(mktemp -d)
cp tests/fuzz/corpus/*.toml "$work"/
./build/fuzz/tests/fuzz/scenario_fuzz -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$work" 2>&1 | tail -n 12
rm -rf "$work"
