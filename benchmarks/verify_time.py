"""Time of `regverify verify`: per derivation, idle against loaded, one job against two, start-up.

    python benchmarks/verify_time.py [--skip-per-derivation]

Every figure is a wall-clock time of the command as a user runs it (start-up included), measured
side by side in this one run, so the ratios hold on a noisy machine where absolute seconds do
not. "Loaded" is the same command with two CPU-bound processes running beside it. Per-derivation
times are measured in one process (imports excluded, one job).

Targets: full ≤ 40 s and --quick ≤ 12 s (default jobs); loaded ≤ 2.5 × idle; --jobs 2 at least
1.6 × faster than --jobs 1 (full); `--help` ≤ 0.3 s and one `grade` ≤ 0.4 s.
"""
import argparse
import contextlib
import multiprocessing
import subprocess
import sys
import time

from tabulate import tabulate

TARGETS = {"full": 40.0, "quick": 12.0}


def wall(*command) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(list(command), capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def regverify(*args) -> tuple[float, int]:
    return wall(sys.executable, "-m", "regverify", *args)


def _spin():
    while True:
        pass


@contextlib.contextmanager
def busy_processes(count: int = 2):
    """CPU-bound neighbours, as on a shared machine."""
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(count)]
    for p in spinners:
        p.start()
    try:
        yield
    finally:
        for p in spinners:
            p.terminate()
            p.join()


def per_derivation():
    from regverify.registry import all_derivations
    from regverify.verifier import verify
    rows = []
    for derivation in all_derivations():
        row = [derivation.id, len(derivation.claims)]
        for quick in (False, True):
            start = time.perf_counter()
            results = verify([derivation], quick=quick)
            row.append(time.perf_counter() - start)
            assert all(r.ok for r in results), derivation.id
        rows.append(row)
    return rows


def main():
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--skip-per-derivation", action="store_true")
    args = options.parse_args()
    if not args.skip_per_derivation:
        print(tabulate(per_derivation(), headers=["derivation", "claims", "full (s)", "quick (s)"],
                       floatfmt=".2f", tablefmt="github"))
        print()

    rows = []
    for label, flags in (("quick", ("--quick",)), ("full", ())):
        idle, code_idle = regverify("verify", *flags)
        with busy_processes():
            loaded, code_loaded = regverify("verify", *flags)
        rows.append([f"regverify verify {' '.join(flags)}".strip(), idle, TARGETS[label],
                     idle / TARGETS[label], loaded, loaded / idle, max(code_idle, code_loaded)])
    print(tabulate(rows, headers=["command (default jobs)", "idle s", "target s", "idle / target",
                                  "loaded s", "loaded / idle (≤ 2.5)", "exit"],
                   floatfmt=".2f", tablefmt="github"))
    print()

    one, code_one = regverify("verify", "--jobs", "1")
    two, code_two = regverify("verify", "--jobs", "2")
    print(tabulate([["regverify verify --jobs 1", one, 1.0, code_one],
                    ["regverify verify --jobs 2", two, one / two, code_two]],
                   headers=["full run", "seconds", "speed-up over --jobs 1 (≥ 1.6)", "exit"],
                   floatfmt=".2f", tablefmt="github"))
    print()

    python, _ = wall(sys.executable, "-c", "pass")
    start_up = [["python -c pass", python, None, None]]
    for label, target, command in (("regverify --help", 0.3, ("--help",)),
                                   ("regverify grade (one answer)", 0.4,
                                    ("grade", "l2-grad", "g + alpha*w"))):
        seconds = min(regverify(*command)[0] for _ in range(5))
        start_up.append([label, seconds, seconds / python, seconds / target])
    print(tabulate(start_up, headers=["start-up (best of 5)", "seconds", "ratio to python",
                                      "ratio to target"], floatfmt=".2f", tablefmt="github"))


if __name__ == "__main__":
    main()
