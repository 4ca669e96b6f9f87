#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reads an mhsim results file back with h5py (independently of the C++ reader) and checks
it against `mhsim report --json` on the same file:

  * the provenance attributes are there, and scenario_sha256 is the SHA-256 of scenario_text;
  * every per-replication dataset has the replications as its first dimension and no NaN;
  * the discounted ledger cost, QALYs and each partner's painshare recomputed here from the
    raw datasets equal the report's means (to 1e-9 relative: the same sums in another order);
  * each partner's cash position by quarter against its reserves (docs/analysis.md, "Cash by
    quarter against the reserves"), recomputed here from payouts/partner and payouts/cash
    (four equal instalments where the file has no cash), gives the report's P(cash
    exhausted), mean lowest cash and cash path.

  * EVPI at each willingness to pay, recomputed here from the raw datasets, equals the EVPI
    the value-of-information rows carry, and no input's EVPPI exceeds it by more than 4 SE;
  * with voi.h5 (`mhsim report --h5`): the value-of-information tables read back labelled
    (a `columns` attribute, `unit` and `description` on every column) and equal the JSON.

Usage: check_h5py.py results.h5 summary.json [voi.h5]   (exit 0 = all checks passed)
"""
import hashlib
import json
import math
import sys

import h5py
import numpy as np


def main(results_path, json_path, voi_path=None):
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    doc = json.load(open(json_path))
    with h5py.File(results_path, "r") as f:
        attrs = f.attrs

        def text(name):
            v = attrs[name]
            return v.decode() if isinstance(v, bytes) else str(v)

        for name in ("format", "model", "scenario_text", "scenario_sha256", "seed", "replications", "mhsim_version",
                     "boost_version", "hdf5_version", "tbb_version", "rng", "stream_allocation", "threads",
                     "created_utc", "cpu_model", "hostname"):
            check(name in attrs, f"root attribute {name} is missing")
        check(hashlib.sha256(text("scenario_text").encode()).hexdigest() == text("scenario_sha256"),
              "scenario_sha256 is not the SHA-256 of scenario_text")
        R = int(attrs["replications"])
        check(R == doc["meta"]["replications"], "replications differ between the file and the JSON")

        arms = [a.decode() for a in f["arms/name"][()]]
        partners = [p.decode() for p in f["partners/name"][()]]
        check(arms == doc["arms"], "arm names differ")
        check(partners == doc["partners"], "partner names differ")

        for group in ("ledger", "kpi", "goals", "checks", "payouts", "psa"):
            if group not in f:
                continue
            for name, ds in f[group].items():
                if ds.dtype.kind == "f" and ds.ndim >= 2:
                    check(ds.shape[0] == R, f"{group}/{name}: first dimension {ds.shape[0]} != {R} replications")
                    if name != "kra_band":  # NaN there means "no band" by design
                        check(not np.isnan(ds[()]).any(), f"{group}/{name} holds NaN")

        settings = doc["settings"]
        rate, H = settings["discount_rate"], settings["horizon_years"]
        timing = 0.5 if settings["discount_timing"] == "mid_year" else 0.0
        df = np.array([(1 + rate) ** -(y + timing) for y in range(H)])
        pc = f["ledger/partner_cost"][()]  # [R, A, Y, P]
        cost = (pc[:, :, :H, :].sum(axis=3) * df).sum(axis=2)  # [R, A]
        kpi_names = [k.decode() for k in f["kpi/system_name"][()]]
        q = f["kpi/system"][()][:, :, :H, kpi_names.index("qalys")]
        qalys = (q * df).sum(axis=2)

        def report_mean(metric, arm):
            for m in doc["metrics"]:
                if m["metric"] == metric and m["arm"] == arm:
                    return m["mean"]
            raise KeyError((metric, arm))

        def close(a, b):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)

        for a, arm in enumerate(arms):
            if settings["cost_basis"] == "ledger":
                check(close(cost[:, a].mean(), report_mean("cost", arm)),
                      f"discounted ledger cost of {arm}: h5py {cost[:, a].mean()} vs report {report_mean('cost', arm)}")
            check(close(qalys[:, a].mean(), report_mean("qalys", arm)),
                  f"QALYs of {arm}: h5py {qalys[:, a].mean()} vs report {report_mean('qalys', arm)}")

        if "payouts" in f:
            fields = [x.decode() for x in f["payouts/partner_field"][()]]
            gp = f["payouts/partner"][()][:, :, :H, :, fields.index("gain_pain")]  # [R, A, Y, P]
            pain = np.maximum(0.0, -gp).sum(axis=2)  # [R, A, P]
            for row in doc["risk"]:
                if row["partner"] == "commissioner":
                    continue
                a, p = arms.index(row["arm"]), partners.index(row["partner"])
                check(close(pain[:, a, p].mean(), row["mean_painshare"]),
                      f"painshare of {row['partner']} in {row['arm']}: h5py {pain[:, a, p].mean()} vs report "
                      f"{row['mean_painshare']}")

            # Cash by quarter: C_q = R_0 + sum_{j<=q} (receipts_j - costs_j)
            #                        - sum_y (margin_y - gain_pain_y) e_y(q) / 4.
            allpay = f["payouts/partner"][()]  # [R, A, Y, P, F]
            Y = allpay.shape[2]
            if "payouts/cash" in f:
                cash = f["payouts/cash"][()]  # [R, A, Q, P, 2]
            else:  # no alliance paid on account: four equal instalments against even costs
                cash = np.zeros((R, len(arms), 4 * Y, len(partners), 2))
                for y in range(Y):
                    for k in range(4):
                        cash[:, :, 4 * y + k, :, 0] = allpay[:, :, y, :, fields.index("payment")] / 4
                        cash[:, :, 4 * y + k, :, 1] = allpay[:, :, y, :, fields.index("cost")] / 4
            outside = allpay[..., fields.index("margin")] - allpay[..., fields.index("gain_pain")]  # [R, A, Y, P]
            paths = doc.get("cash_paths", [])
            seen = 0
            for row in doc["risk"]:
                if row["partner"].startswith("commissioner") or row.get("p_cash_exhausted") is None:
                    continue
                a, p = arms.index(row["arm"]), partners.index(row["partner"])
                mine = [c for c in paths if c["arm"] == row["arm"] and c["partner"] == row["partner"]]
                n = max(c["quarter"] for c in mine)
                check(n - 4 * H in range(0, 9), f"cash path of {row['partner']} in {row['arm']} ends in quarter {n}")
                q = np.arange(n)
                elapsed = np.clip(q[:, None] + 1 - 4 * np.arange(Y)[None, :], 0, 4) / 4  # [n, Y]
                net = np.cumsum(cash[:, a, :n, p, 0] - cash[:, a, :n, p, 1], axis=1)  # [R, n]
                position = row["reserve"] + net - outside[:, a, :, p] @ elapsed.T
                lowest = np.minimum(row["reserve"], position.min(axis=1))
                exhausted = (position < -1e-6).any(axis=1).mean()
                what = f"cash of {row['partner']} in {row['arm']}"
                check(abs(exhausted - row["p_cash_exhausted"]) < 1e-12,
                      f"{what}: P(exhausted) h5py {exhausted} vs report {row['p_cash_exhausted']}")
                check(math.isclose(lowest.mean(), row["lowest_cash_mean"], rel_tol=1e-9, abs_tol=1e-3),
                      f"{what}: mean lowest h5py {lowest.mean()} vs report {row['lowest_cash_mean']}")
                for c in mine:
                    check(math.isclose(position[:, c["quarter"] - 1].mean(), c["mean"], rel_tol=1e-9, abs_tol=1e-3),
                          f"{what}: quarter {c['quarter']} mean h5py {position[:, c['quarter'] - 1].mean()} vs report {c['mean']}")
                seen += 1
            check(seen > 0 or not paths, "cash paths in the JSON but no partner row with P(cash exhausted)")

        # The monthly picture (monthly/values [R, A, months, S, Q]): the months of each year
        # sum to that year's ledger cost (with its one-off costs) and episodes, month 12 of each year is the year-end
        # caseload and waiting list, and the JSON's fan-chart series are the mean and type-7
        # quantiles (numpy's "linear") recomputed here.
        monthly = None
        if "monthly/values" in f:
            mv = f["monthly/values"][()]
            qn = [x.decode() for x in f["monthly/measure"][()]]
            check(mv.shape[0] == R and mv.shape[2] == 12 * f["ledger/cost"].shape[2], f"monthly/values shape {mv.shape}")
            Y = f["ledger/cost"].shape[2]
            ledger = f["ledger/cost"][()].sum(axis=4)  # [R, A, Y, S]
            if "ledger/one_off" in f:  # one-off costs fall in their month too
                ledger = ledger + f["ledger/one_off"][()]
            by_year = mv[:, :, :, :, qn.index("cost")].reshape(mv.shape[0], mv.shape[1], Y, 12, mv.shape[3]).sum(axis=3)
            check(np.allclose(by_year, ledger, rtol=1e-9, atol=1e-6), "monthly cost: the months of a year do not sum to its ledger cost")
            sk = [k.decode() for k in f["kpi/service_name"][()]]
            kp = f["kpi/service"][()]  # [R, A, Y, S, KS]
            eps = mv[:, :, :, :, qn.index("episodes")].reshape(mv.shape[0], mv.shape[1], Y, 12, mv.shape[3]).sum(axis=3)
            check(np.array_equal(eps, kp[..., sk.index("episodes")]), "monthly episodes do not sum to the year's episodes")
            for y in range(Y):
                m = 12 * y + 11
                check(np.array_equal(mv[:, :, m, :, qn.index("waiting")], kp[:, :, y, :, sk.index("waiting_at_year_end")]),
                      f"waiting at month {m + 1} != waiting at the end of year {y + 1}")
                check(np.array_equal(mv[:, :, m, :, qn.index("in_service")], kp[:, :, y, :, sk.index("caseload_at_year_end")]),
                      f"in service at month {m + 1} != caseload at the end of year {y + 1}")
            services = [x.decode() for x in f["services/name"][()]]
            series = doc.get("monthly", {}).get("series", [])
            check(len(series) > 0, "the JSON has no monthly series")
            stats = {}
            for x in series:
                a, s_, q_ = arms.index(x["arm"]), services.index(x["service"]), qn.index(x["measure"])
                v = mv[:, a, :, s_, q_]  # [R, months]
                with np.errstate(all="ignore"):
                    want = {"mean": np.nanmean(v, axis=0)}
                    for k, p_ in (("p05", 5), ("p25", 25), ("p50", 50), ("p75", 75), ("p95", 95)):
                        want[k] = np.nanpercentile(v, p_, axis=0)
                for k, w in want.items():
                    got = np.array([np.nan if g is None else g for g in x[k]], dtype=float)
                    check(np.allclose(got, w, rtol=1e-9, atol=1e-9, equal_nan=True),
                          f"monthly {x['arm']}/{x['service']}/{x['measure']} {k}: JSON differs from h5py")
                stats[(x["arm"], x["service"], x["measure"])] = want
            monthly = (stats, mv.shape[2])

        # Value of information: EVPI recomputed from the raw sums (ledger cost, QALYs).
        if settings["cost_basis"] == "ledger" and settings["effect"] == "qalys" and doc.get("evppi"):
            for wtp in settings["willingness_to_pay"]:
                nmb = wtp * qalys - cost  # [R, A]
                evpi = max(0.0, nmb.max(axis=1).mean() - nmb.mean(axis=0).max())
                rows = [e for e in doc["evppi"] if e["wtp"] == wtp]
                check(len(rows) > 0, f"no EVPPI rows at wtp {wtp}")
                for e in rows:
                    check(close(e["evpi"], evpi), f"EVPI at {wtp}: h5py {evpi} vs report {e['evpi']}")
                    check(0 <= e["evppi"] <= evpi + 4 * e["se"] + 1e-9,
                          f"EVPPI of {e['name']} at {wtp} is {e['evppi']}, outside [0, EVPI + 4 SE]")

    if voi_path is not None:
        factor = doc["settings"]["voi_population_factor"]
        with h5py.File(voi_path, "r") as v:
            check(v.attrs["schema"] in ("mhsim-voi/1", b"mhsim-voi/1"), "voi.h5: schema attribute")
            check(math.isclose(float(v.attrs["population_factor"]), factor, rel_tol=1e-12), "voi.h5: population factor")
            for table, json_key in (("evppi", "evppi"), ("evppi_convergence", "evppi_convergence"),
                                    ("risk_attribution", "risk_attribution")):
                check(table in v, f"voi.h5: table {table} is missing")
                if table not in v:
                    continue
                g = v[table]
                cols = g.attrs["columns"]
                cols = (cols.decode() if isinstance(cols, bytes) else str(cols)).split(",")
                check(sorted(cols) == sorted(g.keys()), f"voi.h5: {table}'s columns attribute lists {cols}")
                for c in cols:
                    check("unit" in g[c].attrs and "description" in g[c].attrs, f"voi.h5: {table}/{c} lacks unit or description")
                    check(g[c].shape == (len(doc[json_key]),), f"voi.h5: {table}/{c} has {g[c].shape} rows, JSON {len(doc[json_key])}")

                def column(c):
                    x = g[c][()]
                    return [t.decode() if isinstance(t, bytes) else t for t in x]

                for i, row in enumerate(doc[json_key]):
                    for key in row:
                        if key in cols and key != "parameters":
                            got = column(key)[i]
                            want = row[key]
                            ok = got == want if isinstance(want, str) else close(float(got), float(want))
                            check(ok, f"voi.h5: {table}[{i}].{key} = {got}, JSON {want}")
                if table == "evppi":
                    for i, row in enumerate(doc["evppi"]):
                        check(close(row["population_evppi"], row["evppi"] * factor),
                              f"population EVPPI of {row['name']} is not EVPPI x {factor}")
                    check(g["evppi"].attrs["unit"] in ("pounds", b"pounds"), "voi.h5: evppi's unit is not pounds")

            if monthly is not None:
                # The monthly table (`mhsim report --h5`, group monthly): long format, its figures
                # those recomputed from monthly/values above.
                check("monthly" in v, "voi.h5: table monthly is missing")
                if "monthly" in v:
                    g = v["monthly"]
                    cols = g.attrs["columns"]
                    cols = (cols.decode() if isinstance(cols, bytes) else str(cols)).split(",")
                    check(cols == ["arm", "month", "service", "measure", "mean", "p05", "p25", "p50", "p75", "p95"],
                          f"voi.h5: monthly's columns are {cols}")
                    col = {c: g[c][()] for c in cols}
                    txt = {c: [t.decode() if isinstance(t, bytes) else t for t in col[c]] for c in ("arm", "service", "measure")}
                    stats, months = monthly
                    seen = 0
                    for i in range(len(col["month"])):
                        key = (txt["arm"][i], txt["service"][i], txt["measure"][i])
                        if key not in stats:
                            continue
                        m = int(col["month"][i]) - 1
                        for k in ("mean", "p05", "p25", "p50", "p75", "p95"):
                            w = stats[key][k][m]
                            check((np.isnan(w) and np.isnan(col[k][i])) or close(float(col[k][i]), float(w)),
                                  f"voi.h5: monthly row {i} {key} month {m + 1} {k} = {col[k][i]}, h5py {w}")
                        seen += 1
                    check(seen == len(stats) * months, f"voi.h5: monthly has {seen} rows of the JSON's series, expected {len(stats) * months}")

    for failure in failures:
        print("FAIL:", failure)
    print(f"check_h5py: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
