#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages mhsim needs to build and test, if any are missing.
# Safe to run repeatedly: it does nothing when everything is present.
set -euo pipefail

packages=(
  g++ cmake ninja-build
  libboost-dev libeigen3-dev libhdf5-dev libtbb-dev
  libtomlplusplus-dev libcli11-dev catch2 zlib1g-dev
  libssl-dev     # OpenSSL's libcrypto: the SHA-256 of the scenario text in every results file
  nlohmann-json3-dev   # JSON: the analysis files and the data inlined in the HTML report (escaping, numbers)
  libfmt-dev           # number formatting: money, CSV numbers (shortest round-trip) and terminal tables
  libnlopt-cxx-dev     # NLopt: Nelder-Mead, Subplex and BOBYQA for `mhsim calibrate` and the EVPPI fit
  hdf5-tools   # h5dump: the tests read results back with HDF5's own tools
  libopenmpi-dev openmpi-bin   # optional MPI build (preset "ci"); mpirun runs the MPI tests
  python3-h5py   # a test reads results back with h5py, independently of the C++ reader
  python3-pandas # a test reads every dataset as a tidy table by its dimension scales (docs/results-schema.md)
  r-cran-hdf5r   # and the same in R (Rscript), so R users get labelled tables without knowing the layout
  chromium       # the HTML report's browser test (headless, driven by playwright-core)
  emscripten     # em++: the report's terms explorer, mhsim's settlement compiled to WebAssembly
)
# Node.js and npm fetch the report's charting libraries (Vega-Lite) from the npm registry;
# the machine usually has them, else Debian's.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The report's JavaScript (report/package-lock.json): vega, vega-lite, vega-embed, inlined
# into every HTML report, and playwright-core for its browser test.
report_dir="$(cd "$(dirname "$0")/../report" && pwd)"
if [ ! -f "$report_dir/node_modules/.package-lock.json" ] || [ "$report_dir/package-lock.json" -nt "$report_dir/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in report/" >&2
  (cd "$report_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
