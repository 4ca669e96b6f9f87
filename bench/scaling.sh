#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scale-out benchmark (issue 7): strong scaling from 1 to 2 threads and from 1 to 2 MPI ranks
# on the default scenario, and peak memory per rank against the number of replications.
# Figures go to docs/scaling.md with this command:  bash bench/scaling.sh [replications]
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-800}"
bash scripts/install-deps.sh
for p in time bc; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
cmake -S . -B build/bench-mpi -G Ninja -DCMAKE_BUILD_TYPE=Release -DMHSIM_WITH_MPI=ON -DMHSIM_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench-mpi --target mhsim >/dev/null
bin=build/bench-mpi/cli/mhsim
mpirun=(mpirun --allow-run-as-root --oversubscribe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() {  # wall seconds of a command, median of 3
  local t=()
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t+=("$(echo "$e - $s" | bc)")
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "scenario: scenarios/examples/small_network.toml, $reps replications (median of 3 runs, wall time incl. start-up and merge)"
t1=$(seconds "$bin" run scenarios/examples/small_network.toml --reps "$reps" --threads 1 --out "$work/a.h5" -q)
t2=$(seconds "$bin" run scenarios/examples/small_network.toml --reps "$reps" --threads 2 --out "$work/b.h5" -q)
r1=$(seconds "${mpirun[@]}" -np 1 "$bin" run scenarios/examples/small_network.toml --reps "$reps" --threads 1 --out "$work/c.h5" -q)
r2=$(seconds "${mpirun[@]}" -np 2 "$bin" run scenarios/examples/small_network.toml --reps "$reps" --threads 1 --out "$work/d.h5" -q)
printf '1 process x 1 thread:   %6.2f s\n' "$t1"
printf '1 process x 2 threads:  %6.2f s   speed-up %.2fx\n' "$t2" "$(echo "$t1 / $t2" | bc -l)"
printf '1 MPI rank x 1 thread:  %6.2f s\n' "$r1"
printf '2 MPI ranks x 1 thread: %6.2f s   speed-up %.2fx\n' "$r2" "$(echo "$r1 / $r2" | bc -l)"

echo "peak resident memory per rank (2 ranks x 1 thread), by replications:"
for n in 100 1000 10000; do
  rm -f "$work/m.h5"
  "${mpirun[@]}" -np 2 bash -c '/usr/bin/time -f %M -o "$0/rss.$OMPI_COMM_WORLD_RANK" "$@"' "$work" \
    "$bin" run scenarios/examples/small_network.toml --reps "$n" --threads 1 --out "$work/m.h5" -q >/dev/null 2>&1
  printf '  %6d replications: rank 0 %6d KiB, rank 1 %6d KiB, results file %s KiB\n' "$n" \
    "$(cat "$work/rss.0")" "$(cat "$work/rss.1")" "$(du -k "$work/m.h5" | cut -f1)"
done
