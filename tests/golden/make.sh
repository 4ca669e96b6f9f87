#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes tests/golden/<name>.digests for the cases of tests/golden/cases.txt named (all when
# none is) with the mhsim binary given. Run it only when a change moves a shipped scenario's
# results on purpose, in that change's commit, and say why in cases.txt; the test
# (check.sh) never rewrites these files.
#   bash tests/golden/make.sh path/to/mhsim [case ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
mhsim="$1"
shift
only=" $* "
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' tests/golden/cases.txt | while read -r name file reps extra; do
  [ -n "$name" ] || continue
  [ "$only" = "  " ] || [[ "$only" == *" $name "* ]] || continue
  # shellcheck disable=SC2086
  "$mhsim" run "$file" --reps "$reps" --threads 1 --quiet --out "$tmp/$name.h5" $extra >/dev/null
  /usr/bin/python3 tests/golden/digests.py "$tmp/$name.h5" > "tests/golden/$name.digests"
  echo "$name: $(wc -l < "tests/golden/$name.digests") datasets"
done
