#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the report's terms explorer as one JavaScript file holding its WebAssembly
# (-sSINGLE_FILE, -sMODULARIZE: `mhsim report` inlines it like Vega, and the page works from
# file://). It compiles the project's own sources, the same settlement, scenario and risk
# code the native build links (never a second settlement), with Debian's em++.
#   build.sh <em++> <source dir> <output .js> <object dir>
# Called by CMake (target mhsim_explorer_wasm); objects are rebuilt when older than their source.
set -euo pipefail
empp="$1"
src="$(cd "$2" && pwd)"
out="$3"
obj="$4"
mkdir -p "$obj/include" "$(dirname "$out")"
# Boost, Eigen, toml++ and nlohmann-json are header-only: an include directory holding only them (never all
# of /usr/include, whose glibc headers do not suit emscripten's libc).
ln -sfn /usr/include/boost "$obj/include/boost"
ln -sfn /usr/include/eigen3/Eigen "$obj/include/Eigen"
ln -sfn /usr/include/toml++ "$obj/include/toml++"
ln -sfn /usr/include/nlohmann "$obj/include/nlohmann"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
# The sources: what settling a run's ledgers under terms set by key path needs. Left out: the
# simulation's runner (TBB), the results file (HDF5) and the calibration-targets loader
# (models/scenario/calibration_targets.cpp, which no explorer path calls).
sources=(
  engine/distribution.cpp engine/error.cpp engine/random.cpp
  models/schema/diagnostics.cpp models/schema/distributions.cpp models/schema/docs.cpp models/schema/paths.cpp
  models/schema/source.cpp
  models/psa/uncertainty.cpp
  models/queueing/network.cpp
  models/pathway/pathway.cpp models/pathway/population.cpp models/pathway/progress.cpp models/pathway/statistics.cpp
  models/pathway/unmet_need.cpp
  models/scenario/keys.cpp models/scenario/network_scenario.cpp
  models/scenario/pathway_scenario.cpp models/scenario/toml_reader.cpp models/scenario/uncertainty.cpp
  models/scenario/variants.cpp
  models/contracts/settlement.cpp
  analysis/summary.cpp analysis/decision.cpp analysis/partner_risk.cpp analysis/payout_fields.cpp analysis/explorer.cpp
  report/wasm/explorer_module.cpp)
flags=(-std=c++17 -O2 -fexceptions -DNDEBUG -I"$src" -isystem "$obj/include" -Wall -Wextra -Werror -Wno-unused-command-line-argument)
objects=()
pids=()
for s in "${sources[@]}"; do
  o="$obj/$(echo "$s" | tr '/' '_').o"
  objects+=("$o")
  # Rebuilt when the source or any project header is newer than the object.
  if [[ ! -f "$o" || "$src/$s" -nt "$o" || -n "$(find "$src/engine" "$src/models" "$src/analysis" -name '*.hpp' -newer "$o" -print -quit)" ]]; then
    "$empp" "${flags[@]}" -c "$src/$s" -o "$o" &
    pids+=($!)
    if (( ${#pids[@]} >= ${MHSIM_WASM_JOBS:-2} )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done
"$empp" -O2 -fexceptions --bind -sSINGLE_FILE=1 -sMODULARIZE=1 -sEXPORT_NAME=MhsimExplorer -sALLOW_MEMORY_GROWTH=1 \
  -sENVIRONMENT=web,node "${objects[@]}" -o "$out.tmp.js"
mv "$out.tmp.js" "$out"
