#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest: an installed mhsim writes its report without the source or build tree (issue 20).
# Installs the build tree into a temporary prefix, marks the installed template (and the
# installed terms-explorer module, when the build has one) with a comment that the source
# tree's copies do not have, then, from a directory outside both trees and with every
# asset-locating variable unset, runs the installed binary on an installed scenario and
# writes a report. The page must carry the marks: the installed assets were the ones used,
# not the source tree's (which an installed binary without them falls back to).
#   check_install.sh <cmake> <build dir> <source dir> <built|missing (the explorer module)>
set -euo pipefail
cmake="$1"
build="$2"
src="$(cd "$3" && pwd)"
explorer="$4"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.txt"
mhsim="$prefix/bin/mhsim"
share="$prefix/share/mhsim"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$mhsim" ] || fail "cmake --install wrote no $mhsim"
[ -f "$share/scenarios/default.toml" ] || fail "cmake --install wrote no $share/scenarios/default.toml"
for f in template.html report.js explorer.js; do
  [ -f "$share/report/$f" ] || fail "cmake --install wrote no $share/report/$f (the report's assets)"
done
mark="mhsim-install-check-$$"
printf '\n<!-- %s -->\n' "$mark" >>"$share/report/template.html"
if [ "$explorer" = built ]; then
  [ -f "$share/report/mhsim_explorer.js" ] || fail "cmake --install wrote no $share/report/mhsim_explorer.js"
  printf '\n// %s-explorer\n' "$mark" >>"$share/report/mhsim_explorer.js"
fi
mkdir "$work/run"
cd "$work/run"
unset MHSIM_REPORT_ASSETS MHSIM_EXPLORER_MODULE MHSIM_SCENARIO_DIR
"$mhsim" run "$share/scenarios/default.toml" --reps 4 --threads 2 --out results.h5 -q >run.txt
"$mhsim" report results.h5 --html report.html
[ -s report.html ] || fail "mhsim report wrote no report.html"
grep -qF "<!-- $mark -->" report.html ||
  fail "the report was not made from the installed template ($share/report/template.html): its mark is missing"
if [ "$explorer" = built ]; then
  grep -qF "// $mark-explorer" report.html ||
    fail "the report's terms explorer is not the installed module ($share/report/mhsim_explorer.js)"
fi
# The Vega libraries are inlined, not referenced: the page holds vega-embed's code.
grep -qF "vegaEmbed" report.html || fail "the report does not carry the Vega libraries"
grep -qF "$src/report" report.html && fail "the report refers to the source tree's report/ ($src/report)"
grep -qF "$build" report.html && fail "the report refers to the build tree ($build)"
echo "ok: $(wc -c <report.html) bytes from the installed assets in $share/report"
