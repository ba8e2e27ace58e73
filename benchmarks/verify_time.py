"""Time of `regverify verify`, per derivation and in total, full and --quick.

    python benchmarks/verify_time.py

Per-derivation times are measured in one process (imports excluded); the totals are wall-clock
times of the command itself, start-up included. Targets: total ≤ 60 s, quick ≤ 15 s.
"""
import subprocess
import sys
import time

from tabulate import tabulate

from derivations import all_derivations
from derivations.verifier import verify

TARGETS = {"full": 60.0, "quick": 15.0}


def per_derivation():
    rows = []
    for derivation in all_derivations():
        row = [derivation.id, len(derivation.claims)]
        for quick in (False, True):
            start = time.perf_counter()
            results = list(verify([derivation], quick=quick))
            row.append(time.perf_counter() - start)
            assert all(r.ok for r in results), derivation.id
        rows.append(row)
    return rows


def command_wall_time(*flags):
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "regverify", "verify", *flags],
                          capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def main():
    rows = per_derivation()
    print(tabulate(rows, headers=["derivation", "claims", "full (s)", "quick (s)"],
                   floatfmt=".2f", tablefmt="github"))
    print()
    totals = []
    for label, flags in (("full", ()), ("quick", ("--quick",))):
        seconds, code = command_wall_time(*flags)
        totals.append([f"regverify verify {' '.join(flags)}".strip(), seconds, TARGETS[label],
                       seconds / TARGETS[label], code])
    print(tabulate(totals, headers=["command (wall, start-up included)", "seconds", "target",
                                    "ratio to target", "exit"], floatfmt=".2f", tablefmt="github"))


if __name__ == "__main__":
    main()
