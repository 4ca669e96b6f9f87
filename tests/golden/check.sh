#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every case of tests/golden/cases.txt with the mhsim binary given and compares the
# SHA-256 of each dataset with tests/golden/<name>.digests, written by the build before the
# scenario-layer redesign (issue 13): every shipped scenario must keep its dataset bytes.
#   bash tests/golden/check.sh path/to/mhsim
set -euo pipefail
cd "$(dirname "$0")/../.."
mhsim="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failed=0
while read -r name file reps extra; do
  case "$name" in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086
  "$mhsim" run "$file" --reps "$reps" --threads 2 --quiet --out "$tmp/$name.h5" $extra >/dev/null
  /usr/bin/python3 tests/golden/digests.py "$tmp/$name.h5" > "$tmp/$name.digests"
  if diff -u "tests/golden/$name.digests" "$tmp/$name.digests"; then
    echo "$name: $(wc -l < "$tmp/$name.digests") datasets identical"
  else
    echo "$name: datasets differ from the pre-redesign build" >&2
    failed=1
  fi
done < tests/golden/cases.txt
exit "$failed"
