#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reads an mhsim results file as a stranger would: without knowing its layout. Walks every
dataset; each one whose dimensions carry HDF5 dimension scales becomes a tidy (long) pandas
table with one column per dimension, named by the dimension's label and holding the values
of the scale attached to it (positions 0, 1, ... where a dimension has no scale), plus a
`value` column. Then checks (issue 20, "HDF5 that describes itself"):

  * every numeric dataset has `units` and `description` attributes, and every dimension of
    every per-replication dataset a label and a dimension scale (kra, flow and combination
    included: scales/kra, scales/flow, scales/combination);
  * the labels are the scenario's (arms, partners and uncertain parameters as named in the
    stored scenario_text, in its order), years 1..years and replications 0..R-1;
  * each tidy table holds every cell once, and its total equals the array's (conservation);
  * known relations, computed from the tidy tables only: arrived = exited + in_system for
    every (replication, arm); the system KPI `cost` = the partners' ledger costs summed, for
    every (replication, arm, year); an arm's commissioner spend = its partners' payments; a
    KRA band only where its arm has that KRA (scales/kra joined to payouts/kra_name); cash
    flows are named receipts and costs and quarters count from 1;
  * psa/base is float64 and equals the value written in the scenario at each psa/key.

The helper tidy() is the one docs/results-schema.md shows ("A tidy table in Python").
Usage: check_tidy.py results.h5   (exit 0 = all checks passed; Debian python3-h5py, python3-pandas)
"""
import sys
import tomllib

import h5py
import numpy as np
import pandas as pd


# --- the snippet of docs/results-schema.md ------------------------------------------------
def tidy(ds):
    """A dataset with dimension scales as a long table: one column per dimension, named by
    its label, holding its scale's values, and `value`."""
    columns, names = [], []
    for i, dim in enumerate(ds.dims):
        names.append(dim.label or f"dim{i}")
        if len(dim) > 0:
            scale = dim[0].asstr()[()] if h5py.check_string_dtype(dim[0].dtype) else dim[0][()]
        else:
            scale = np.arange(ds.shape[i])
        columns.append(scale)
    index = pd.MultiIndex.from_product(columns, names=names)
    return pd.DataFrame({"value": ds[()].ravel()}, index=index).reset_index()
# -------------------------------------------------------------------------------------------


def snippet(path, begin, end):
    text = open(path).read()
    return text[text.index(begin):text.index(end)]


def main(path):
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    # The snippets the documentation shows are the functions these tests run.
    here = __file__.rsplit("/", 1)[0]
    doc = open(f"{here}/../../docs/results-schema.md").read()
    python = snippet(__file__, "def tidy(ds):", "# ---")
    r = snippet(f"{here}/check_tidy.R", "tidy <- function(file, path) {", "# ---")
    check(python.strip() in doc, "docs/results-schema.md does not show check_tidy.py's tidy()")
    check(r.strip() in doc, "docs/results-schema.md does not show check_tidy.R's tidy()")

    tables = {}
    with h5py.File(path, "r") as f:
        scenario = tomllib.loads(f.attrs["scenario_text"])
        R = int(f.attrs["replications_in_file"])
        first = int(f.attrs["first_replication"])
        numeric = []
        f.visititems(lambda name, obj: numeric.append(name)
                     if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu" else None)
        check(len(numeric) > 10, f"only {len(numeric)} numeric datasets")
        for name in numeric:
            ds = f[name]
            for a in ("units", "description"):
                check(a in ds.attrs and len(ds.attrs[a]) > 0, f"{name}: no {a} attribute")
            if ds.attrs.get("CLASS") == b"DIMENSION_SCALE":
                continue
            labels = [d.label for d in ds.dims]
            check(all(labels), f"{name}: a dimension without a label: {labels}")
            check(all(len(d) == 1 for d in ds.dims), f"{name}: a dimension without a scale: "
                  f"{[lab for lab, d in zip(labels, ds.dims) if len(d) != 1]}")
            check(labels[0] == "replication" or name == "psa/base", f"{name}: first dimension is {labels[0]!r}")
            t = tidy(ds)
            tables[name] = t
            check(len(t) == ds.size, f"{name}: {len(t)} rows for {ds.size} cells")
            check(list(t.columns) == labels + ["value"], f"{name}: columns {list(t.columns)}")
            total, tidy_total = np.nansum(ds[()]), np.nansum(t["value"].to_numpy())
            check(total == tidy_total or abs(total - tidy_total) <= 1e-12 * abs(total),
                  f"{name}: tidy total {tidy_total} != array total {total}")

        # Labels are the scenario's.
        arms, partners = list(scenario["arms"]), list(scenario["partners"])
        cost = tables["ledger/cost"]
        check(list(cost["arm"].unique()) == arms, f"arms {list(cost['arm'].unique())} != scenario's {arms}")
        check(list(tables["ledger/partner_cost"]["partner"].unique()) == partners, "partners differ from the scenario's")
        check(sorted(cost["year"].unique()) == list(range(1, int(f.attrs["years"]) + 1)), "years are not 1..years")
        check(sorted(cost["replication"].unique()) == list(range(first, first + R)), "replications are not 0..R-1")
        check(f["ledger/cost"].attrs["units"] == "GBP", "ledger/cost is not in GBP")
        check(f["checks/person_days"].attrs["units"] == "days", "checks/person_days is not in days")

        # Known relations, from the tidy tables alone.
        checks = pd.concat([tables[f"checks/{n}"].assign(what=n) for n in ("arrived", "exited", "in_system")])
        wide = checks.pivot_table(index=["replication", "arm"], columns="what", values="value", aggfunc="sum")
        check(len(wide) == R * len(arms) and (wide["arrived"] == wide["exited"] + wide["in_system"]).all(),
              "arrived != exited + in_system somewhere")
        kpi = tables["kpi/system"]
        kpi_cost = kpi[kpi["kpi"] == "cost"].set_index(["replication", "arm", "year"])["value"]
        by_partner = tables["ledger/partner_cost"].groupby(["replication", "arm", "year"], sort=False)["value"].sum()
        diff = (kpi_cost - by_partner.reindex(kpi_cost.index)).abs() / kpi_cost.abs().clip(lower=1)
        check(len(kpi_cost) == R * len(arms) * int(f.attrs["years"]) and diff.max() < 1e-9,
              f"kpi cost != sum of partner costs (worst relative {diff.max():.3g})")
        units = dict(zip(f["kpi/system_name"].asstr()[()], f["kpi/system_unit"].asstr()[()]))
        check(f["kpi/system"].attrs["units_by"] == "kpi/system_unit" and units["cost"] == "pounds",
              "kpi/system units_by does not lead to the KPI units")
        if "payouts/arm" in tables:
            arm = tables["payouts/arm"]
            spend = arm[arm["field"] == "commissioner_spend"].dropna().set_index(["replication", "arm", "year"])["value"]
            partner = tables["payouts/partner"]
            paid = partner[partner["field"] == "payment"].groupby(["replication", "arm", "year"])["value"].sum()
            check(len(spend) > 0 and (spend - paid.reindex(spend.index)).abs().max() < 1e-6 * spend.abs().max(),
                  "commissioner spend != sum of payments")
        if "payouts/kra_name" in f:
            kra = f["payouts/kra_name"]
            check(kra.ndim == 2 and kra.shape[0] == len(arms), f"payouts/kra_name shape {kra.shape}")
            check(h5py.check_string_dtype(kra.dtype).encoding == "utf-8", "payouts/kra_name is not UTF-8")
            check(not any("/" in k for k in kra.asstr()[()].ravel()), "payouts/kra_name still prefixed by arm")
            # scales/kra numbers a KRA's position in its arm's list; with the arm it names it.
            names = kra.asstr()[()]
            band = tables["payouts/kra_band"]
            check(sorted(band["kra"].unique()) == list(range(kra.shape[1])), "kra scale is not 0..K-1")
            named = [names[arms.index(a), k] for a, k in zip(band["arm"], band["kra"])]
            band = band.assign(name=named)
            check((band["name"] != "").any() and band[band["name"] == ""]["value"].isna().all(),
                  "a KRA band where its arm has no such KRA")
        if "payouts/cash" in tables:
            cash = tables["payouts/cash"]
            check(list(cash["flow"].unique()) == ["receipts", "costs"], f"cash flows {list(cash['flow'].unique())}")
            check(cash["quarter"].min() == 1, "quarters do not start at 1")
        if "psa/base" in f:
            base = tables["psa/base"]
            check(f["psa/base"].dtype == np.float64, f"psa/base is {f['psa/base'].dtype}")
            check(list(base["parameter"]) == list(scenario["uncertainty"]), "psa parameters differ from the scenario's")
            for keys, value in zip(f["psa/key"].asstr()[()], base["value"]):
                key = keys.split(", ")[0]  # a parameter may replace several keys: the base is the first's
                node = scenario
                for part in key.split("."):
                    node = node.get(part) if isinstance(node, dict) else None
                if isinstance(node, (int, float)):
                    check(float(node) == value, f"psa/base {key}: {value} != scenario's {node}")
                else:
                    check(False, f"psa/key {key} does not lead to a number in the scenario")

    print(f"{path}: {len(tables)} datasets read as tidy tables")
    if failures:
        print("\n".join("FAIL: " + x for x in failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
