#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How long `mhsim design` and `mhsim sweep` take on the issue's size (issue 16): 1,000
# combinations of alliance terms (share x pain_cap x retention, 10 values each) re-settled
# over 1,000 replications x 2 arms x 5 years of the default scenario, against one
# settlement pass (a grid of one combination) of the same file.
#   bash bench/design_bench.sh [repeats] [SCENARIO RESULTS]   (default 3; Release build)
# Without SCENARIO and RESULTS it writes the default scenario with `years = 5` and
# `replications = 1000` and runs it first (about 15 minutes on 2 cores); give the pair to
# time an existing run (RESULTS must be `mhsim run SCENARIO`'s, with an alliance arm named
# living_well as in the default). MHSIM=path uses that binary instead of building
# build/release. Each command prints its own cost line too: the in-run time of the grid
# and of its first combination ("one settlement pass").
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
if [ -z "${MHSIM:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target mhsim >/dev/null
fi
mhsim="${MHSIM:-./build/release/cli/mhsim}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 3 ]; then
  scenario="$2"
  results="$3"
else
  scenario="$work/default5.toml"
  results="$work/r1000.h5"
  sed -e 's/^replications = 100 /replications = 1000/' -e 's/^years = 3 /years = 5 /' scenarios/default.toml >"$scenario"
  grep -q '^years = 5 ' "$scenario" && grep -q '^replications = 1000 ' "$scenario" ||
    { echo "design_bench.sh: scenarios/default.toml no longer has the run lines this script edits" >&2; exit 1; }
  /usr/bin/time -f "run: %e s wall, %M KiB peak" "$mhsim" run "$scenario" --out "$results" -q >/dev/null
fi
nproc | awk '{printf "%d processors (TBB uses them all)\n", $1}'
a=arms.living_well.contracts.living_well_alliance
grid=(--set "$a.share=0.3:0.75:0.05" --set "$a.pain_cap=0.1:1:0.1" --set "$a.retention=0:0.45:0.05")
for i in $(seq "$repeats"); do
  /usr/bin/time -f "design, 1000 combinations: %e s wall, %U s user, %M KiB peak" \
    "$mhsim" design "$scenario" --results "$results" --arm living_well "${grid[@]}" --out "$work/design.csv" 2>&1 >/dev/null
  /usr/bin/time -f "design, 1 combination: %e s wall, %U s user, %M KiB peak" \
    "$mhsim" design "$scenario" --results "$results" --arm living_well --set "$a.share=0.5" 2>&1 >/dev/null
  /usr/bin/time -f "sweep, 1000 combinations: %e s wall, %U s user, %M KiB peak" \
    "$mhsim" sweep "$scenario" --results "$results" "${grid[@]}" --out "$work/sweep.csv" 2>&1 >/dev/null
done
