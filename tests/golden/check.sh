#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every case of tests/golden/cases.txt with the mhsim binary given and compares the
# SHA-256 of each dataset (each named KPI column) with tests/golden/<name>.digests. Every
# recorded line must be reproduced exactly; lines the file lacks (a KPI or dataset added
# since) are listed and allowed. A change that moves a shipped scenario's results on
# purpose rewrites the file with make.sh, in the same commit, saying why (cases.txt).
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
  missing="$(comm -23 <(sort "tests/golden/$name.digests") <(sort "$tmp/$name.digests"))"
  added="$(comm -13 <(cut -d' ' -f1 "tests/golden/$name.digests" | sort) <(cut -d' ' -f1 "$tmp/$name.digests" | sort))"
  if [ -n "$missing" ]; then
    echo "$name: recorded datasets not reproduced:" >&2
    echo "$missing" >&2
    failed=1
  else
    echo "$name: $(wc -l < "tests/golden/$name.digests") recorded datasets identical${added:+; new: $(echo $added)}"
  fi
done < tests/golden/cases.txt
exit "$failed"
