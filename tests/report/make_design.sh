#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest fixture: on the report fixture's results (make_report.sh, 20 replications of the
# default scenario), designs the Living Well alliance's share and pain cap twice: once as a
# board's analyst would for the table (--out design.csv, the printout in design.txt), once for
# the report (--html design.html --json design.json). The browser check compares the two.
#   make_design.sh <mhsim binary> <DIR>
set -euo pipefail
mhsim="$1"
dir="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
A=arms.living_well.contracts.living_well_alliance
# slam's reserves of £1m and a budget a little under the scenario's own spend: at 20 replications
# the frontier trades saving against risk over several points, and every constraint binds somewhere.
grid=(--arm living_well --set "$A.share=0.3:0.7:0.1" --set "$A.pain_cap=0.05:1:0.05" --reserve slam=1000000
      --max-exhaustion 0.2 --budget 40950000)
rm -f "$dir"/design.csv "$dir"/design.txt "$dir"/design.html "$dir"/design.json "$dir"/design-report.txt
"$mhsim" design "$root/scenarios/default.toml" --results "$dir/results.h5" "${grid[@]}" --out "$dir/design.csv" >"$dir/design.txt"
"$mhsim" design "$root/scenarios/default.toml" --results "$dir/results.h5" "${grid[@]}" \
  --html "$dir/design.html" --json "$dir/design.json" --assets "$root/report" >"$dir/design-report.txt"
cat "$dir/design.txt"
