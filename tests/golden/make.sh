#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes tests/golden/<name>.digests for every case in tests/golden/cases.txt with the mhsim
# binary given (run once, with the build before the redesign; the test compares later builds
# against these files and never rewrites them).
#   bash tests/golden/make.sh path/to/mhsim
set -euo pipefail
cd "$(dirname "$0")/../.."
mhsim="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' tests/golden/cases.txt | while read -r name file reps extra; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086
  "$mhsim" run "$file" --reps "$reps" --threads 1 --quiet --out "$tmp/$name.h5" $extra >/dev/null
  /usr/bin/python3 tests/golden/digests.py "$tmp/$name.h5" > "tests/golden/$name.digests"
  echo "$name: $(wc -l < "tests/golden/$name.digests") datasets"
done
