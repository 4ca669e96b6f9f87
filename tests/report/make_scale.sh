#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest fixture (issue 17, item 4): a report of 10,000 replications stays small. Runs the
# smallest pathway scenario with contracts (scenarios/examples/pathway_minimal.toml: two arms,
# an alliance with a painshare cap, GP capitation) made cheap with --set (a town of 200, one
# year; the alliance's target lowered to £150,000 so that its members pay painshare in about a
# fifth of replications) 10,000 times, writes its report with a reserve of £5,000 for the trust
# (so that the exceedance curve has a reserve to be checked at) and checks that the page is under 3 MB (it carries
# order statistics and 2,000 replications for the charts: mhsim report --chart-samples) while
# the JSON file keeps every replication. The browser check then runs on the page.
#   make_scale.sh <mhsim binary> <DIR>
set -euo pipefail
mhsim="$1"
dir="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
reps=10000
limit=3000000
rm -rf "$dir"
mkdir -p "$dir"
"$mhsim" run "$root/scenarios/examples/pathway_minimal.toml" --reps "$reps" --threads 2 --out "$dir/scale.h5" -q \
  --set population.size=200 --set run.years=1 --set 'arms.alliance.contracts[1].target.fixed=150000' >"$dir/run.txt"
"$mhsim" report "$dir/scale.h5" --html "$dir/scale.html" --json "$dir/scale.json" --reserve trust=5000 \
  --assets "$root/report" -q
size=$(stat -c %s "$dir/scale.html")
echo "scale.html: $size bytes for $reps replications (bound $limit)"
if [ "$size" -ge "$limit" ]; then
  echo "FAIL: the page of $reps replications is $size bytes, not under $limit" >&2
  exit 1
fi
# mhsim design's page of the same run is thinned the same way (its JSON file is not).
"$mhsim" design "$root/scenarios/examples/pathway_minimal.toml" --results "$dir/scale.h5" --arm alliance \
  --set 'arms.alliance.contracts.alliance.share=0.3:0.7:0.2' --reserve trust=5000 \
  --html "$dir/design.html" --json "$dir/design.json" --assets "$root/report" >"$dir/design.txt"
size=$(stat -c %s "$dir/design.html")
echo "design.html: $size bytes for $reps replications (bound $limit)"
if [ "$size" -ge "$limit" ]; then
  echo "FAIL: mhsim design's page of $reps replications is $size bytes, not under $limit" >&2
  exit 1
fi
# The JSON file is not thinned: every replication of every arm, and no chart_samples.
/usr/bin/python3 - "$dir/scale.json" "$reps" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
reps = int(sys.argv[2])
arms = len(d["arms"])
assert "chart_samples" not in d, "the JSON file has chart_samples"
assert len(d["samples"]) == reps * arms, (len(d["samples"]), reps * arms)
assert len(d["paired_samples"]) == reps * (arms - 1), len(d["paired_samples"])
print(f"scale.json: {len(d['samples'])} samples ({reps} replications x {arms} arms), {len(d['payout_samples'])} payout samples")
PY
