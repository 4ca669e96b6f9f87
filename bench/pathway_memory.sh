#!/usr/bin/env bash
# Peak resident memory of `mhsim run` on the default pathway scenario at 100 and 1,000
# replications (issue 3): memory should follow the people in the system, not the number of
# replications. Usage: bash bench/pathway_memory.sh [threads]   (needs build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { sudo -n true 2>/dev/null && s=sudo || s=; $s apt-get install -y -qq time >/dev/null; }
bin=./build/release/cli/mhsim
threads=${1:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in 100 1000; do
  /usr/bin/time -f "%M %e" -o "$work/t" "$bin" run scenarios/default.toml --reps "$n" --threads "$threads" \
    --out "$work/m.h5" -q >/dev/null
  read -r kb secs <"$work/t"
  echo "replications $n, $threads threads: peak RSS $((kb / 1024)) MiB, wall ${secs} s, file $(du -h "$work/m.h5" | cut -f1)"
done
