#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages mhsim needs to build and test, if any are missing.
# Safe to run repeatedly: it does nothing when everything is present.
set -euo pipefail

packages=(
  g++ cmake ninja-build
  libboost-dev libeigen3-dev libhdf5-dev libtbb-dev
  libtomlplusplus-dev libcli11-dev catch2
  hdf5-tools   # h5dump: the tests read results back with HDF5's own tools
  libopenmpi-dev openmpi-bin   # optional MPI build (preset "ci"); mpirun runs the MPI tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
