"""Time of `regverify verify`: per derivation, idle against loaded, one job against two, start-up.

    python benchmarks/verify_time.py [--skip-per-derivation]

Every figure is a wall-clock time of the command as a user runs it (start-up included), measured
side by side in this one run, so the ratios hold on a noisy machine where absolute seconds do
not. "Loaded" is the same command with two CPU-bound processes running beside it. Per-derivation
times are measured in one process (imports excluded, one job).

Targets (2 idle cores): `verify --quick` ≤ 5 s and `verify` ≤ 8 s (default jobs); loaded ≤ 2.5 × idle;
`--jobs 2` at least 1.8 × faster than `--jobs 1` (full); `--help` ≤ 0.3 s; one `grade` at most 0.2 s
over Python's own start-up. Each idle figure is the median of ``--runs`` runs, the commands taken in
turn within a round, so that a noisy stretch of the machine falls on all of them alike.
"""
import argparse
import contextlib
import multiprocessing
import statistics
import subprocess
import sys
import time

from tabulate import tabulate

TARGETS = {"full": 8.0, "quick": 5.0}
HOST_WORKLOAD = ("import sympy; x, y, z = sympy.symbols('x y z'); "
                 "[sympy.expand((x + y + z + i) ** 12) for i in range(8)]")
SPEED_UP, GRADE_OVER_PYTHON = 1.8, 0.2


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
    options.add_argument("--runs", type=int, default=3, help="rounds of the idle commands (median)")
    args = options.parse_args()
    if not args.skip_per_derivation:
        print(tabulate(per_derivation(), headers=["derivation", "claims", "full (s)", "quick (s)"],
                       floatfmt=".2f", tablefmt="github"))
        print()

    commands = {"quick": ("verify", "--quick"), "full": ("verify",),
                "jobs 1": ("verify", "--jobs", "1"), "jobs 2": ("verify", "--jobs", "2")}
    times = {name: [] for name in commands}
    codes = {name: 0 for name in commands}
    for _ in range(args.runs):                 # in turn: the same noise for every command
        for name, command in commands.items():
            seconds, code = regverify(*command)
            times[name].append(seconds)
            codes[name] = max(codes[name], code)
    idle = {name: statistics.median(seconds) for name, seconds in times.items()}

    rows = []
    for label in ("quick", "full"):
        with busy_processes():
            loaded, code_loaded = regverify(*commands[label])
        rows.append([f"regverify {' '.join(commands[label])}", idle[label], TARGETS[label],
                     idle[label] / TARGETS[label], loaded, loaded / idle[label], max(codes[label], code_loaded)])
    print(tabulate(rows, headers=["command (default jobs)", f"idle s (median of {args.runs})", "target s",
                                  "idle / target (≤ 1)", "loaded s", "loaded / idle (≤ 2.5)", "exit"],
                   floatfmt=".2f", tablefmt="github"))
    print()
    print(tabulate([["regverify verify --jobs 1", idle["jobs 1"], 1.0, codes["jobs 1"]],
                    ["regverify verify --jobs 2", idle["jobs 2"], idle["jobs 1"] / idle["jobs 2"], codes["jobs 2"]]],
                   headers=["full run", f"seconds (median of {args.runs})",
                            f"speed-up over --jobs 1 (≥ {SPEED_UP})", "exit"],
                   floatfmt=".2f", tablefmt="github"))
    print()

    python = min(wall(sys.executable, "-c", "pass")[0] for _ in range(5))
    # The targets are seconds on some machine; this fixed SymPy workload says how fast this one is,
    # so that figures taken on two machines can be read side by side.
    host = min(wall(sys.executable, "-c", HOST_WORKLOAD)[0] for _ in range(3))
    print(f"this machine: the reference SymPy workload takes {host:.2f} s (best of 3)")
    print()
    start_up = [["python -c pass", python, None, None]]
    for label, target, command in (("regverify --help", 0.3, ("--help",)),
                                   ("regverify grade (one answer)", python + GRADE_OVER_PYTHON,
                                    ("grade", "l2-grad", "g + alpha*w"))):
        seconds = min(regverify(*command)[0] for _ in range(5))
        start_up.append([label, seconds, seconds - python, seconds / target])
    print(tabulate(start_up, headers=["start-up (best of 5)", "seconds", "over python's start-up",
                                      "ratio to target (≤ 1)"], floatfmt=".2f", tablefmt="github"))


if __name__ == "__main__":
    main()
