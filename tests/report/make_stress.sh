#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest fixture: stress tests of the default scenario, small enough to run in a test (8
# replications of the base and two adverse cases, slam's reserves stated), with the report:
# stress/stress.csv (as a board's analyst keeps it), stress.html and stress.json, and the
# printout in stress.txt. The browser check compares the page's tables with stress.csv.
#   make_stress.sh <mhsim binary> <DIR>
set -euo pipefail
mhsim="$1"
dir="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$dir"
rm -rf "$dir/stress" "$dir/stress.html" "$dir/stress.json" "$dir/stress.txt"
"$mhsim" stress "$root/scenarios/default.toml" --cases demand_surge,combined --reps 8 --reserve slam=1000000 \
  --out "$dir/stress" --html "$dir/stress.html" --json "$dir/stress.json" --assets "$root/report" >"$dir/stress.txt"
cat "$dir/stress.txt"
