#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The three experiments of issue 14 on a reference scenario: does the model move the way a
commissioner expects when capacity falls, demand rises, or the alliance arm behaves like
block? Runs `mhsim run` on the scenario with [uncertainty] and [[correlation]] removed
(the scenario's own values), once per experiment, and prints whole-run means per arm.

  scripts/unmet-experiments.py [--mhsim build/release/cli/mhsim] [--reps 20]
      [--variant further] [--only NAME] [scenario.toml]

Each experiment is a set of `--set key=value` edits; the comparison is against the base run
with the same seed (common random numbers), so differences are paired.

  scripts/unmet-experiments.py --decompose [--reps 40] [--variant ""] scenarios/default.toml

instead adds the hazards of need without a service (groups.<g>.unmet) one mechanism at a
time, from none to all, and prints each arm's cost and QALYs and the paired difference from
the first arm at each step: where the difference between arms comes from.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import tomllib

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def without_uncertainty(path, out):
    lines, skip = [], False
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("["):
            skip = line.startswith("[uncertainty.") or line.startswith("[[correlation]]")
        if not skip:
            lines.append(line)
    open(out, "w", encoding="utf-8").write("\n".join(lines))


def run(mhsim, scenario, variant, reps, sets, out):
    cmd = [mhsim, "run", scenario, "-r", str(reps), "-t", "2", "-q", "-o", out]
    if variant:
        cmd += ["--variant", variant]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with h5py.File(out, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["kpi/system_name"][()]]
        system = f["kpi/system"][()]            # (rep, arm, year, kpi)
        svc_names = [n.decode() if isinstance(n, bytes) else n for n in f["services/name"][()]]
        svc_kpi = [n.decode() if isinstance(n, bytes) else n for n in f["kpi/service_name"][()]]
        service = f["kpi/service"][()]          # (rep, arm, year, service, kpi)
        cost = f["ledger/partner_cost"][()].sum(axis=(2, 3))   # (rep, arm)
        arms = [n.decode() if isinstance(n, bytes) else n for n in f["arms/name"][()]]
    k = {n: i for i, n in enumerate(names)}
    per = {
        "crises": system[:, :, :, k["crises"]].sum(axis=2),
        "crises_outside_services": system[:, :, :, k["crises_outside_services"]].sum(axis=2),
        "admissions": system[:, :, :, k["admissions"]].sum(axis=2),
        "out_of_area_days": system[:, :, :, k["out_of_area_days"]].sum(axis=2),
        "presentation_cost": system[:, :, :, k["presentation_cost"]].sum(axis=2),
        "untreated_person_years": system[:, :, :, k["untreated_person_years"]].sum(axis=2),
        "cost": cost,
        "qalys": system[:, :, :, k["qalys"]].sum(axis=2),
    }
    if "cmht" in svc_names:
        per["cmht_mean_wait_y_last"] = service[:, :, -1, svc_names.index("cmht"), svc_kpi.index("mean_wait")]
    return arms, per


MECHANISMS = [  # (name, keys of groups.<g>.unmet it switches on)
    ("remission", ["remit_per_year"]),
    ("re-presentation", ["represent_per_year"]),
    ("deterioration", ["deteriorate_per_year"]),
    ("presentations (A&E, 111, 999, police, crisis lines)", ["presentations"]),
    ("crises outside services", ["crisis_per_year"]),
]


def decompose(a, sc, tmp):
    with open(sc, "rb") as f:
        doc = tomllib.load(f)
    off = {}  # mechanism key -> the --set edits that switch it off in every group
    for g, table in doc.get("groups", {}).items():
        u = table.get("unmet", {})
        for _, keys in MECHANISMS:
            for k in keys:
                if k == "presentations":
                    off.setdefault(k, []).extend(f"groups.{g}.unmet.presentations.{s}=0" for s in u.get(k, {}))
                elif k in u:
                    off.setdefault(k, []).append(f"groups.{g}.unmet.{k}=0")
    print(f"{a.scenario}{', variant ' + a.variant if a.variant else ''}, {a.reps} replications, uncertainty off; "
          "whole-run means per replication (undiscounted); differences paired, from the first arm")
    prev = None
    for step in range(len(MECHANISMS) + 1):
        sets = [e for _, keys in MECHANISMS[step:] for k in keys for e in off.get(k, [])]
        arms, per = run(a.mhsim, sc, a.variant, a.reps, sets, os.path.join(tmp, "d.h5"))
        name = "no hazards outside services" if step == 0 else "+ " + MECHANISMS[step - 1][0]
        dc = per["cost"][:, 1] - per["cost"][:, 0]
        dq = per["qalys"][:, 1] - per["qalys"][:, 0]
        se = lambda d: d.std(ddof=1) / np.sqrt(len(d))
        line = (f"{name:55s} cost {arms[0]} £{per['cost'][:, 0].mean() / 1e6:7.2f}m {arms[1]} £{per['cost'][:, 1].mean() / 1e6:7.2f}m"
                f"  diff £{dc.mean() / 1e6:+6.2f}m ± {1.96 * se(dc) / 1e6:.2f}"
                f"  QALYs diff {dq.mean():+7.1f} ± {1.96 * se(dq):.1f}")
        if prev is not None:
            line += f"  step: cost £{(dc.mean() - prev[0]) / 1e6:+.2f}m, QALYs {dq.mean() - prev[1]:+.1f}"
        print(line)
        prev = (dc.mean(), dq.mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default=os.path.join(ROOT, "scenarios/lambeth_living_well.toml"))
    ap.add_argument("--mhsim", default=os.path.join(ROOT, "build/release/cli/mhsim"))
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--variant", default="further")
    ap.add_argument("--only", default="", help="run only the experiments whose name contains this (and the base)")
    ap.add_argument("--decompose", action="store_true", help="add the unmet-need mechanisms one at a time")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mhsim-unmet-")
    sc = os.path.join(tmp, "scenario.toml")
    without_uncertainty(a.scenario, sc)
    if a.decompose:
        return decompose(a, sc, tmp)
    lw = "arms.living_well"
    experiments = [
        ("base", []),
        ("community-team capacity halved", ["services.cmht.capacity=925", f"{lw}.capacity.cmht=733"]),
        ("population doubled", ["population.size=640000"]),
        ("Living Well behaviour set equal to block's",
         [f"{lw}.gatekeeping=0.3", f"{lw}.handoff_loss=0.05", f"{lw}.step_down_speed=1.0",
          f"{lw}.front_door_diversion[0]=0", f"{lw}.front_door_diversion[1]=0"]),
    ]
    print(f"{a.scenario}, variant {a.variant}, {a.reps} replications, uncertainty off; whole-run means per replication")
    base = None
    for name, sets in experiments:
        if name != "base" and a.only not in name:
            continue
        arms, per = run(a.mhsim, sc, a.variant, a.reps, sets, os.path.join(tmp, "r.h5"))
        print(f"\n{name}" + (f"  ({', '.join(sets)})" if sets else ""))
        for key, v in per.items():
            means = v.mean(axis=0)
            row = "  ".join(f"{arm} {m:14,.1f}" for arm, m in zip(arms, means))
            extra = ""
            if base is not None:
                b = base[key].mean(axis=0)
                extra = "   vs base: " + "  ".join(
                    f"{(m / bb - 1) * 100:+.0f}%" if bb else "n/a" for m, bb in zip(means, b))
            print(f"  {key:28s} {row}{extra}")
        c = per["cost"].mean(axis=0)
        print(f"  {'cost ratio ' + arms[1] + '/' + arms[0]:28s} {c[1] / c[0]:.3f}")
        if base is None:
            base = per


if __name__ == "__main__":
    sys.exit(main())
