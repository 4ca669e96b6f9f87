#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How long analysis takes on a large run: 10,000 replications x 3 arms read from HDF5 and
# turned into every summary, the JSON, the CSV tables and the HTML report (its charts thinned
# at the default --chart-samples 2000), and the page again with every replication (--chart-samples 0).
#   bash bench/analysis_bench.sh [replications]   (default 10000; Release build)
# The run uses scenarios/examples/pathway_minimal.toml with a third arm added here (the
# alliance arm with a faster step-down, unsettled), so that the file has three arms.
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-10000}"
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target mhsim >/dev/null
mhsim=./build/release/cli/mhsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed '/^# ---- starting caseload/i [arms.alliance_fast]\ncapacity = { cmht = 30, acute = 12 }      # assumption\ngatekeeping = 0.2                         # assumption\nhandoff_loss = 0.01                       # assumption\nfront_door_diversion = 0.3                # assumption\ndiversion_to = "recovery"\nredirect = { cmht = "front_door" }\nstep_down_speed = 2.5                     # assumption: a faster step-down\n[arms.alliance_fast.entry]\ncommon = { recovery = 0.4, gp = 0.6 }     # assumption\nsevere = { gp = 1 }                       # assumption\n' \
  scenarios/examples/pathway_minimal.toml >"$work/three_arms.toml"
echo "run: $reps replications x 3 arms"
/usr/bin/time -f "run: %e s wall, %M KiB peak" "$mhsim" run "$work/three_arms.toml" --reps "$reps" --out "$work/r.h5" -q >/dev/null
ls -l "$work/r.h5" | awk '{printf "results file: %.1f MB\n", $5 / 1e6}'
/usr/bin/time -f "compare (read + analyse + print): %e s wall, %M KiB peak" "$mhsim" compare "$work/r.h5" >/dev/null
/usr/bin/time -f "report (read + analyse + JSON + CSV + HTML): %e s wall, %M KiB peak" \
  "$mhsim" report "$work/r.h5" --html "$work/r.html" --json "$work/r.json" --csv "$work/csv" -q
# The same page with every replication in its charts, as before --chart-samples (issue 17, item 4).
"$mhsim" report "$work/r.h5" --html "$work/r_every.html" --chart-samples 0 -q
ls -l "$work/r.html" "$work/r_every.html" "$work/r.json" | awk '{n = split($9, p, "/"); printf "%s: %.1f MB\n", p[n], $5 / 1e6}'
if [ -x /usr/bin/chromium ] && [ -d report/node_modules/playwright-core ]; then
  node report/check_report.mjs "$work/r.html" | sed -n 1p
  node report/check_report.mjs "$work/r_every.html" | sed -n 1p
fi
