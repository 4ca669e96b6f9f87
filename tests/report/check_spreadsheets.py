#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Spreadsheet outputs (issue 20), on the report fixture's run (20 replications of the
default scenario, settled):

  * --excel: every CSV file of `mhsim report --csv/--replications`, `mhsim compare --csv`,
    `mhsim settle --out` and `mhsim sweep` (standard output) begins with exactly EF BB BF
    and is otherwise byte for byte the file written without the option; without the
    option no file begins with it, and report's CSV tables equal the fixture's (written
    by make_report.sh without --excel).
  * `mhsim report --replications`: the tidy table has the documented header; its rows are
    arms x replications x years x metrics, counted here from the HDF5 file's own shapes
    (h5py); each row's value equals the dataset it comes from, read with h5py; and the
    values times their discount factors, summed over the years, give the report's
    per-replication cost and effect (JSON samples) and each partner's painshare and
    gain/pain (JSON payout_samples), to 1e-9 relative (the same sums, possibly in another
    order).

Usage: check_spreadsheets.py <mhsim> <fixture dir> <source dir>   (exit 0 = all passed)
"""
import csv
import io
import json
import math
import os
import subprocess
import sys
import shutil
import tempfile

import h5py

BOM = b"\xef\xbb\xbf"
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def run(args, cwd=None):
    p = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} exited {p.returncode}:\n{p.stderr.decode()}")
    return p.stdout


def files_in(d):
    return sorted(n for n in os.listdir(d) if n.endswith(".csv"))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def main():
    mhsim, fixture, src = sys.argv[1], sys.argv[2], sys.argv[3]
    results = os.path.join(fixture, "results.h5")
    tmp = tempfile.mkdtemp(prefix="mhsim-spreadsheets-")
    plain, excel = os.path.join(tmp, "plain"), os.path.join(tmp, "excel")

    # ---- the byte order mark, only with --excel -------------------------------------------
    run([mhsim, "report", results, "--csv", plain, "--replications", os.path.join(plain, "replications.csv"),
         "--json", os.path.join(tmp, "summary.json"), "-q"])
    run([mhsim, "report", results, "--csv", excel, "--replications", os.path.join(excel, "replications.csv"),
         "-q", "--excel"])
    names = files_in(plain)
    check("replications.csv" in names and "summary.csv" in names, f"report wrote {names}")
    check(names == files_in(excel), f"with --excel report wrote {files_in(excel)}, without {names}")
    for n in names:
        a, b = read(os.path.join(plain, n)), read(os.path.join(excel, n))
        check(not a.startswith(BOM), f"{n} begins with a byte order mark without --excel")
        check(b[:3] == BOM, f"{n} with --excel begins with {b[:3].hex()}, not efbbbf")
        check(b[3:] == a, f"{n} with --excel is not the file without it after the mark")
    for n in files_in(os.path.join(fixture, "csv")):
        check(read(os.path.join(fixture, "csv", n)) == read(os.path.join(plain, n)),
              f"{n} differs from the fixture's (make_report.sh, no --excel)")

    cmp_plain, cmp_excel = os.path.join(tmp, "cmp_plain"), os.path.join(tmp, "cmp_excel")
    run([mhsim, "compare", results, "--csv", cmp_plain])
    run([mhsim, "compare", results, "--csv", cmp_excel, "--excel"])
    for n in files_in(cmp_plain):
        a, b = read(os.path.join(cmp_plain, n)), read(os.path.join(cmp_excel, n))
        check(not a.startswith(BOM) and b == BOM + a, f"compare --csv: {n} with and without --excel")

    settle = [mhsim, "settle", "tests/data/settle/alliance.toml", "--ledger", "tests/data/settle/ledger.csv", "--arm",
              "alliance", "--set", "arms.alliance.contracts.alliance.target=3000000"]
    run(settle + ["--out", os.path.join(tmp, "settle_plain")], cwd=src)
    run(settle + ["--out", os.path.join(tmp, "settle_excel"), "--excel"], cwd=src)
    settled = files_in(os.path.join(tmp, "settle_plain"))
    check(len(settled) >= 2, f"settle wrote {settled}")
    for n in settled:
        a, b = read(os.path.join(tmp, "settle_plain", n)), read(os.path.join(tmp, "settle_excel", n))
        check(not a.startswith(BOM) and b == BOM + a, f"settle --out: {n} with and without --excel")

    sweep = [mhsim, "sweep", os.path.join(src, "scenarios/default.toml"), "--results", results, "--set",
             "arms.living_well.contracts.living_well_alliance.share=0.3,0.5"]
    a, b = run(sweep), run(sweep + ["--excel"])
    check(a.startswith(b"combination") and b == BOM + a, "sweep's CSV on standard output with and without --excel")

    # ---- the tidy per-replication table --------------------------------------------------
    with open(os.path.join(tmp, "summary.json")) as f:
        doc = json.load(f)
    text = read(os.path.join(plain, "replications.csv")).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, rows = rows[0], rows[1:]
    check(header == ["arm", "replication", "year", "metric", "partner", "unit", "value", "discount_factor"],
          f"replications.csv header {header}")
    settings = doc["settings"]
    H = settings["horizon_years"]
    with h5py.File(results, "r") as f:
        arms = [x.decode() for x in f["arms/name"][()]]
        partners = [x.decode() for x in f["partners/name"][()]]
        pc = f["ledger/partner_cost"][()]  # [R, A, Y, P]
        R, A, Y, P = pc.shape
        settled_run = "payouts/partner" in f and "payouts/arm" in f
        kpi_names = [k.decode() for k in f["kpi/system_name"][()]]
        kpi = f["kpi/system"][()]
        pay = f["payouts/partner"][()] if settled_run else None
        arm_pay = f["payouts/arm"][()] if settled_run else None
        partner_fields = [x.decode() for x in f["payouts/partner_field"][()]] if settled_run else []
        arm_fields = [x.decode() for x in f["payouts/arm_field"][()]] if settled_run else []
    check(settled_run, "the fixture's run is expected to be settled (payouts/*)")
    check(A == len(arms) and P == len(partners) and 1 <= H <= Y, f"shapes R={R} A={A} Y={Y} P={P} H={H}")
    arm_metrics = 3 + (1 if settled_run else 0)
    partner_metrics = 1 + (4 if settled_run else 0)
    expected_rows = A * R * H * (arm_metrics + P * partner_metrics)
    check(len(rows) == expected_rows, f"replications.csv has {len(rows)} rows, expected "
          f"{A} arms x {R} replications x {H} years x ({arm_metrics} + {P} partners x {partner_metrics}) = {expected_rows}")
    print(f"replications.csv: {len(rows)} rows = {A} x {R} x {H} x ({arm_metrics} + {P} x {partner_metrics})")

    value = {}
    for arm, rep, year, metric, partner, unit, v, dfac in rows:
        key = (arm, int(rep), int(year), metric, partner)
        check(key not in value, f"row {key} twice")
        value[key] = (float(v) if v != "" else float("nan"), float(dfac))
    rate, timing = settings["discount_rate"], 0.5 if settings["discount_timing"] == "mid_year" else 0.0

    checked = 0
    for a, arm in enumerate(arms):
        for r in range(R):
            for y in range(H):
                k = (arm, r, y + 1)
                # Exactly the datasets' numbers (17 significant digits read back).
                check(value[k + ("qalys", "")][0] == kpi[r, a, y, kpi_names.index("qalys")], f"qalys {k}")
                # The partners' costs added in order, as the analysis adds them: the same double.
                check(value[k + ("ledger_cost", "")][0] == sum(float(pc[r, a, y, p]) for p in range(P)), f"ledger_cost {k}")
                check(value[k + ("commissioner_spend", "")][0] ==
                      arm_pay[r, a, y, arm_fields.index("commissioner_spend")], f"commissioner_spend {k}")
                check(math.isclose(value[k + ("qalys", "")][1], (1 + rate) ** -(y + timing), rel_tol=1e-15),
                      f"discount factor {k}")
                for p, partner in enumerate(partners):
                    check(value[k + ("partner_cost", partner)][0] == pc[r, a, y, p], f"partner_cost {k} {partner}")
                    for m in ("payment", "margin", "gain_pain"):
                        check(value[k + (m, partner)][0] == pay[r, a, y, p, partner_fields.index(m)], f"{m} {k} {partner}")
                    check(value[k + ("painshare", partner)][0] ==
                          max(0.0, -pay[r, a, y, p, partner_fields.index("gain_pain")]), f"painshare {k} {partner}")
                    checked += 1

    # Against the report: discounted sums over the years are its per-replication samples.
    cost_metric = "commissioner_spend" if settings["cost_basis"] == "commissioner_spend" else "ledger_cost"
    effect_metric = settings["effect"]  # qalys or wemwbs_points
    discounted = lambda arm, r, metric, partner="": sum(
        value[(arm, r, y, metric, partner)][0] * value[(arm, r, y, metric, partner)][1] for y in range(1, H + 1))
    undiscounted = lambda arm, r, metric, partner: sum(value[(arm, r, y, metric, partner)][0] for y in range(1, H + 1))
    for s in doc["samples"]:
        arm, r = s["arm"], s["replication"]
        check(close(discounted(arm, r, cost_metric), s["cost"]), f"cost of {arm} replication {r}: "
              f"{discounted(arm, r, cost_metric)} here, {s['cost']} in the report")
        check(close(discounted(arm, r, effect_metric), s["effect"]), f"effect of {arm} replication {r}")
        check(close(discounted(arm, r, "commissioner_spend"), s["commissioner_spend"]),
              f"commissioner spend of {arm} replication {r}")
    check(len(doc["samples"]) == A * R, f"{len(doc['samples'])} samples in the JSON")
    check(len(doc["payout_samples"]) > 0, "no payout_samples in the JSON")
    for s in doc["payout_samples"]:
        arm, r, partner = s["arm"], s["replication"], s["partner"]
        check(close(undiscounted(arm, r, "painshare", partner), s["painshare"]),
              f"painshare of {partner} in {arm} replication {r}: {undiscounted(arm, r, 'painshare', partner)} here, "
              f"{s['painshare']} in the report")
        check(close(undiscounted(arm, r, "gain_pain", partner), s["gain_pain"]),
              f"gain/pain of {partner} in {arm} replication {r}")
    print(f"checked {checked} partner-years against h5py, {len(doc['samples'])} samples and "
          f"{len(doc['payout_samples'])} payout samples against the JSON")

    shutil.rmtree(tmp)
    if failures:
        for m in failures[:40]:
            print("FAIL:", m, file=sys.stderr)
        print(f"{len(failures)} failures", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
