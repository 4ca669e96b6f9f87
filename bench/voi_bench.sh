#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How long value of information takes on a large PSA run (issue 23): pathway_minimal with
# five uncertain inputs and a group of three, run for N replications, then `mhsim compare`
# (read + every summary + EVPPI of 5 inputs and the group at 2 thresholds, its convergence
# at 8 sample sizes, iNMB shares and risk attribution). Each input needs one spline fit per
# output, the group one Gaussian-process fit, on TBB's workers.
#   bash bench/voi_bench.sh [replications]   (default 10000; Release build)
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-10000}"
cmake --preset release >/dev/null
cmake --build --preset release --target mhsim >/dev/null
mhsim=./build/release/cli/mhsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  cat scenarios/examples/pathway_minimal.toml
  cat <<'TOML'

[analysis.groups.front_door]
parameters = ["diversion", "step_down", "change"]
description = "a pilot of the front door"

[uncertainty.diversion]
key = "arms.alliance.front_door_diversion"
distribution = "beta"
mean = 0.3
sd = 0.1
source = "assumption"

[uncertainty.step_down]
key = "arms.alliance.step_down_speed"
distribution = "triangular"
low = 1.0
mode = 1.5
high = 2.0
source = "assumption"

[uncertainty.stock]
key = "initial[0].in_service"
distribution = "uniform"
low = 10
high = 20
source = "assumption"

[uncertainty.change]
key = "services.therapy.wemwbs_change.mean"
distribution = "normal"
mean = 2
sd = 1
source = "assumption"

[uncertainty.gp_cost]
key = "services.gp.cost_per_contact"
distribution = "gamma"
mean = 39
sd = 6
source = "assumption"
TOML
} >"$work/psa.toml"
echo "run: $reps replications x 2 arms, 5 uncertain inputs, 1 group"
/usr/bin/time -f "run: %e s wall, %M KiB peak" "$mhsim" run "$work/psa.toml" --reps "$reps" --out "$work/r.h5" -q >/dev/null
/usr/bin/time -f "compare with value of information: %e s wall, %M KiB peak" "$mhsim" compare "$work/r.h5" >"$work/c.txt"
grep -A9 "^Value of information" "$work/c.txt"
