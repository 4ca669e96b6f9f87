#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzes mhsim's input readers with libFuzzer (clang, ASan, UBSan) for a bounded time each:
#   scenario  the scenario loaders           (tests/fuzz/scenario_fuzz.cpp)
#   targets   the calibration targets loader (tests/fuzz/targets_fuzz.cpp)
#   results   the HDF5 results-file reader   (tests/fuzz/results_fuzz.cpp)
#   cli       the command-line parser        (tests/fuzz/cli_fuzz.cpp)
#   scripts/fuzz.sh [seconds per target] [target ...]   (default 15 s, every target)
# Each runs in one process from a copy of its seed corpus, tests/fuzz/corpus/<target>/. A
# finding stops the script with the fuzzer's report; the input is left as
# build/fuzz/findings/<target>/crash-* (or leak-*, timeout-*, oom-*). The results fuzzer goes
# on past crashes inside the HDF5 library itself and lists them (below).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario targets results cli)

bash scripts/install-deps.sh
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# fuzzer-no-link: every library, not only the harness, carries libFuzzer's coverage
# instrumentation, so that the fuzzer is guided by the branches of the code under test.
CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMHSIM_BUILD_FUZZ=ON -DMHSIM_BUILD_TESTS=OFF -DMHSIM_WERROR=ON -DMHSIM_SANITIZE="address;undefined;fuzzer-no-link" >/dev/null
cmake --build build/fuzz --target "${targets[@]/%/_fuzz}"

# Longest input per target: the largest seed (the Stockport targets file is 28 KB, the
# pathway results seed 60 KB; an edit list of the results fuzzer is a few bytes).
max_len() {
  case "$1" in
    scenario) echo 4096 ;;
    targets) echo 32768 ;;
    results) echo 65536 ;;
    cli) echo 1024 ;;
    *) echo "fuzz.sh: unknown target '$1' (scenario, targets, results, cli)" >&2; exit 2 ;;
  esac
}

# The first frame of a report's first stack that is neither the sanitizers', libFuzzer's nor
# libc's: where the fault is.
fault_frame() {
  awk '/ERROR: |runtime error|deadly signal|ABORTING/ { on = 1 }
       on && /^ *#[0-9]+ / {
         if ($0 ~ /__interceptor_|__asan|__sanitizer|__ubsan|sysdeps|libc\.so|\/nptl\/|\/stdlib\/|\/csu\/|__memcpy|__memmove|fuzzer::|__cxa_|__gnu_cxx|std::terminate|libstdc\+\+| in (malloc|calloc|realloc|free) /) next
         print; exit }
       on && /^$/ && seen { exit }
       on && /^ *#/ { seen = 1 }' "$1"
}

# Replays an input that ran out of memory so that the report names the code that used the
# memory: libFuzzer's own RSS report names only its frames. A single allocation over 1 GiB is
# reported with its stack (-malloc_limit_mb); memory that grows otherwise (HDF5 copying a
# tampered size, whose shadow checks fill the resident set under ASan) is stopped at 2 GiB by
# a SIGABRT, which ASan reports with the stack of the code running (handle_abort=1). Returns
# the replay's exit status (0: it passed alone).
replay_oom() {
  local input="$1" pid rss waited=0
  ASAN_OPTIONS="$ASAN_OPTIONS:handle_abort=1" ./build/fuzz/tests/fuzz/results_fuzz -rss_limit_mb=0 \
    -malloc_limit_mb=1024 -timeout=0 "$input" >"$input.log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    if [ "${rss:-0}" -gt 2097152 ] || [ "$waited" -gt 600 ]; then kill -ABRT "$pid" 2>/dev/null || true; break; fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait "$pid"
}

for t in "${targets[@]}"; do
  len=$(max_len "$t")
  work=$(mktemp -d)
  cp tests/fuzz/corpus/"$t"/* "$work"/
  findings="build/fuzz/findings/$t"
  rm -rf "$findings"
  mkdir -p "$findings"
  log="$findings/fuzz.log"
  echo "fuzz.sh: $t for ${seconds} s (-max_len=$len)"
  # -timeout: an input that takes 10 s is a hang; the exit status is the fuzzer's.
  flags=(-max_total_time="$seconds" -max_len="$len" -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/")
  export ASAN_OPTIONS="" LSAN_OPTIONS=""
  if [ "$t" = results ]; then
    # Debian's HDF5 1.10.8 itself reads past its buffers, crashes, leaks and allocates by
    # tampered sizes on some files (tests/fuzz/results*.supp): its faults are not mhsim's.
    # The fuzzer runs one child process at a time (-fork=1) and goes on after a crash, a
    # hang or running out of memory; each such input is replayed below and fails the run
    # unless the fault lies inside libhdf5.
    export ASAN_OPTIONS="suppressions=$PWD/tests/fuzz/results.supp"
    export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/results.lsan.supp"
    flags+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    # In fork mode the exit status says only that some child failed: the replays decide.
    ./build/fuzz/tests/fuzz/results_fuzz "${flags[@]}" "$work" >"$log" 2>&1 || true
    if ! grep -q '^INFO: fuzzed for' "$log"; then
      tail -n 80 "$log"
      echo "fuzz.sh: results: the fuzzer stopped early (log in $log)" >&2
      exit 1
    fi
    grep -E '^#[0-9]+: ' "$log" | tail -n 1
    library=0 alone=0
    for input in "$findings"/crash-* "$findings"/leak-* "$findings"/timeout-* "$findings"/oom-*; do
      [ -e "$input" ] || continue
      # (A longer timeout than the fuzzer's: symbolising the report of a busy machine is slow.)
      if [[ "$(basename "$input")" == oom-* ]]; then ok=0; replay_oom "$input" || ok=$?
      else ok=0; ./build/fuzz/tests/fuzz/results_fuzz -timeout=60 "$input" >"$input.log" 2>&1 || ok=$?; fi
      if [ "$ok" -eq 0 ]; then
        # Failed in the fuzzing process only (after earlier inputs had run in the library).
        alone=$((alone + 1))
        continue
      fi
      frame=$(fault_frame "$input.log")
      if [[ "$frame" == *libhdf5* ]]; then
        library=$((library + 1))
      else
        tail -n 60 "$input.log"
        echo "fuzz.sh: results: finding in mhsim: $input (fault: ${frame:-unknown})" >&2
        exit 1
      fi
    done
    echo "fuzz.sh: results: no finding in mhsim; $library input(s) fail inside libhdf5 itself, $alone only after" \
      "other inputs (in $findings/)"
  else
    if ! ./build/fuzz/tests/fuzz/"$t"_fuzz "${flags[@]}" "$work" >"$log" 2>&1; then
      tail -n 80 "$log"
      echo "fuzz.sh: $t: finding (input and log in $findings/)" >&2
      rm -rf "$work"
      exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || tail -n 12 "$log"
  fi
  rm -rf "$work"
done
