#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest: the report's terms explorer against mhsim sweep (issue 17 item 1). On the report
# fixture's results (make_report.sh), re-settles with one term moved by `mhsim sweep --set`,
# then opens the fixture's report in headless Chromium, moves the same control and compares
# (report/check_explorer.mjs). With "missing" as the third argument (a build without em++),
# checks instead that the page says the explorer was not built.
#   check_explorer.sh <mhsim binary> <DIR> [built|missing]
set -euo pipefail
mhsim="$1"
dir="$2"
mode="${3:-built}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
key="arms.living_well.contracts.living_well_alliance.share"
value="0.3"
if [[ "$mode" == missing ]]; then
  node "$root/report/check_explorer.mjs" "$dir/report.html" --expect-missing
  exit
fi
"$mhsim" sweep "$root/scenarios/default.toml" --results "$dir/results.h5" --set "$key=$value" --out "$dir/explorer_sweep.csv" \
  2>"$dir/explorer_sweep.txt"
node "$root/report/check_explorer.mjs" "$dir/report.html" --set "$key=$value" --sweep-csv "$dir/explorer_sweep.csv" \
  --screenshot "$dir/explorer.png"
# The alliance's target: the page resolves it again from its ledgers (the block arm's median
# cost of the members, times the scale) as mhsim sweep resolves it from the results file.
key="arms.living_well.contracts.living_well_alliance.target_scale"
value="0.97"
"$mhsim" sweep "$root/scenarios/default.toml" --results "$dir/results.h5" --set "$key=$value" \
  --out "$dir/explorer_target_sweep.csv" 2>"$dir/explorer_target_sweep.txt"
node "$root/report/check_explorer.mjs" "$dir/report.html" --set "$key=$value" --sweep-csv "$dir/explorer_target_sweep.csv"
