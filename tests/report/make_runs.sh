#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest fixture: several results side by side. Beside the report fixture's run of the default
# scenario (20 replications), the demand-surge variant on the same seed and replications (the
# same people: its change is paired) and the scenario as written on another seed with 10
# replications (different people: unpaired); one report of the three, with side_by_side.csv.
#   make_runs.sh <mhsim binary> <DIR>
set -euo pipefail
mhsim="$1"
dir="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$dir/runs" && mkdir -p "$dir/runs"
"$mhsim" run "$root/scenarios/default.toml" --variant demand_surge --reps 20 --threads 2 --out "$dir/runs/surge.h5" -q >/dev/null
"$mhsim" run "$root/scenarios/default.toml" --seed 99 --reps 10 --threads 2 --out "$dir/runs/seed99.h5" -q >/dev/null
"$mhsim" report "$dir/results.h5" "$dir/runs/surge.h5" "$dir/runs/seed99.h5" --label "as written,demand surge,seed 99" \
  --html "$dir/runs/runs.html" --json "$dir/runs/runs.json" --csv "$dir/runs/csv" --assets "$root/report"
