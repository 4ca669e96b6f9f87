#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest fixture (issue 21): the default scenario's variant "respond", whose providers respond to
# their contracts, run and reported into DIR for the browser check of the behaviour section.
# On the way it checks what a run with a response must refuse: mhsim sweep re-settling its
# ledgers (exit 2, naming incentives, nothing written), and the report's terms explorer (left
# out, saying why).
#   make_respond.sh <mhsim binary> <DIR>
set -euo pipefail
mhsim="$1"
dir="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$mhsim" run "$root/scenarios/default.toml" --variant respond --reps 6 --threads 2 --out "$dir/respond.h5" -q >"$dir/run.txt"
"$mhsim" report "$dir/respond.h5" --html "$dir/respond.html" --json "$dir/respond.json" --csv "$dir/csv" --assets "$root/report"
[ -s "$dir/csv/behaviour.csv" ] || fail "report --csv wrote no behaviour.csv"
grep -q "The terms explorer is left out of this report: the run's providers respond to their contracts" "$dir/respond.html" \
  || fail "the report's terms explorer did not say why it is left out"
# The same run's scenario with the response written into it, so that sweep finds its own results.
sed 's/^gatekeeping = 0.0 .*/gatekeeping = 0.5/' "$root/scenarios/default.toml" >"$dir/on.toml"
"$mhsim" run "$dir/on.toml" --reps 2 --threads 2 --out "$dir/on.h5" -q >/dev/null
set +e
"$mhsim" sweep "$dir/on.toml" --results "$dir/on.h5" --out "$dir/sweep.csv" \
  --set arms.living_well.contracts.living_well_alliance.share=0.4,0.6 2>"$dir/sweep.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "mhsim sweep of a run with a response exited $rc, expected 2"
grep -q "incentives: expected results of a run whose providers do not respond" "$dir/sweep.err" || fail "sweep's message: $(cat "$dir/sweep.err")"
[ ! -e "$dir/sweep.csv" ] || fail "sweep wrote $dir/sweep.csv"
echo "ok: respond run reported; sweep refused (exit 2); the explorer left out"
