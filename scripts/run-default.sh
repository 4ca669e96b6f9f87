#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: install what is missing, build mhsim (Release), run the shipped default
# scenario and analyse it: results/default.h5 (every replication), results/default.html (the
# report), results/default.json and results/default-csv/ (summaries).
# Extra arguments go to `mhsim run` (e.g. --reps 50 --threads 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target mhsim
./build/release/cli/mhsim run scenarios/default.toml --out results/default.h5 "$@"
./build/release/cli/mhsim report results/default.h5 --html results/default.html --json results/default.json \
  --csv results/default-csv
