#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest fixture: runs the default scenario (20 replications) with its Living Well alliance
# paid on account (balances two quarters after each year, so the report's cash by quarter
# departs from the year-end reserves) and writes its report, JSON and CSV summaries into DIR,
# for the h5py read-back and the browser check.
#   make_report.sh <mhsim binary> <DIR>
set -euo pipefail
mhsim="$1"
dir="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$dir"
mkdir -p "$dir"
"$mhsim" run "$root/scenarios/default.toml" --reps 20 --threads 2 --out "$dir/results.h5" -q \
  --set 'arms.living_well.contracts[2].interim=true' --set 'arms.living_well.contracts[2].reconciliation_lag=2' \
  >"$dir/run.txt"
"$mhsim" report "$dir/results.h5" --html "$dir/report.html" --json "$dir/summary.json" --csv "$dir/csv" --h5 "$dir/voi.h5" \
  --assets "$root/report"
