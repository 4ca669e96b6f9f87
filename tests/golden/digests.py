#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints one line per dataset of an HDF5 results file: its path, type, shape and the
SHA-256 of its values, read with h5py (independently of mhsim's own reader).

Used to keep the results of every shipped scenario byte-identical across a redesign: the
digests in tests/golden/*.digests were written by the build before the scenario-layer
redesign (issue 13) and are compared with those of the current build
(tests/scenario/golden_test.cpp)."""
import hashlib
import sys

import h5py
import numpy as np


def digest(ds):
    data = ds[()]
    h = hashlib.sha256()
    if ds.dtype.kind == "O" or h5py.check_string_dtype(ds.dtype) is not None:
        items = np.asarray(data, dtype=object).ravel()
        for item in items:
            h.update(item if isinstance(item, bytes) else str(item).encode("utf-8"))
            h.update(b"\0")
    else:
        h.update(np.ascontiguousarray(data).tobytes())
    return h.hexdigest()


def main(path):
    lines = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            lines.append(f"{name} {obj.dtype.str} {list(obj.shape)} {digest(obj)}")

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main(sys.argv[1])
