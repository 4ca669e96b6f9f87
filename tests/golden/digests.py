#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints one line per dataset of an HDF5 results file: its path, type, shape and the
SHA-256 of its values, read with h5py (independently of mhsim's own reader).

A dataset X with a sibling X_name naming its last axis (kpi/system and kpi/system_name,
kpi/service and kpi/service_name) is printed one line per named column, `X[name]`, so
that a KPI added later leaves the digests of the others comparable.

Used to keep the results of every shipped scenario byte-identical across changes that
must not move them (tests/golden/check.sh)."""
import hashlib
import sys

import h5py
import numpy as np


def digest_values(data, dtype):
    h = hashlib.sha256()
    if dtype.kind == "O" or h5py.check_string_dtype(dtype) is not None:
        items = np.asarray(data, dtype=object).ravel()
        for item in items:
            h.update(item if isinstance(item, bytes) else str(item).encode("utf-8"))
            h.update(b"\0")
    else:
        h.update(np.ascontiguousarray(data).tobytes())
    return h.hexdigest()


def main(path):
    lines = []

    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            names = f.get(name + "_name")
            data = obj[()]
            if isinstance(names, h5py.Dataset) and obj.ndim >= 1 and names.shape == (obj.shape[-1],):
                for i, n in enumerate(names[()]):
                    n = n.decode() if isinstance(n, bytes) else str(n)
                    lines.append(f"{name}[{n}] {obj.dtype.str} {list(obj.shape[:-1])} "
                                 f"{digest_values(data[..., i], obj.dtype)}")
            else:
                lines.append(f"{name} {obj.dtype.str} {list(obj.shape)} {digest_values(data, obj.dtype)}")

        f.visititems(visit)
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main(sys.argv[1])
