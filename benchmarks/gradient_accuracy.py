"""Gradient-check accuracy, and the smallest error each gradient claim's check detects.

    python benchmarks/gradient_accuracy.py

Table 1: for every gradient claim that holds, the worst entry's error |numeric − closed form| /
‖g‖∞ per finite-difference method (the closed form is the proved one, so this is the method's
own error against the float64 floor).
Table 2: for every gradient claim, perturb one entry of the proved gradient at a time by a
relative amount p and report the smallest p (powers of ten) that the claim's own check flags
on every non-zero entry. Target: 1e-6 or smaller.
"""
import numpy as np
from tabulate import tabulate

from regverify.claims import Expect, Gradient

from regverify.registry import all_derivations
from regverify.verifier import claim_rng
from regverify.numerics.gradcheck import check_gradient, numeric_jacobian

METHODS = ["complex-step", "richardson", "central", "forward"]
LEVELS = [10.0 ** -k for k in range(2, 14)]


def gradient_claims():
    return [(d, c) for d in all_derivations() for c in d.claims
            if isinstance(c, Gradient) and c.expect is Expect.HOLDS]


def setup(derivation, claim, trial=0):
    params = claim.sample(claim_rng(0, derivation.id, claim.name), trial)

    def f(x):
        return claim.objective({**params, claim.wrt: x})

    return f, params[claim.wrt], np.asarray(claim.claimed(params), dtype=float)


def accuracy_table():
    rows = []
    for derivation, claim in gradient_claims():
        f, x, exact = setup(derivation, claim)
        row = [f"{derivation.id}/{claim.name}"]
        for method in METHODS:
            if method == "complex-step" and claim.method != "complex-step":
                row.append("n/a (not analytic)")
                continue
            error = np.max(np.abs(numeric_jacobian(f, x, method) - exact)) / np.max(np.abs(exact))
            row.append(f"{error:.1e}")
        rows.append(row)
    return rows


def smallest_detected(f, x, exact, method):
    exact = np.asarray(exact, dtype=float)
    measured = numeric_jacobian(f, x, method)
    worst = 0.0
    for index in zip(*np.nonzero(np.atleast_1d(exact))):
        index = index if exact.ndim else ()      # a scalar gradient has one entry, at ()
        detected = None
        for p in LEVELS:
            claimed = exact.copy()
            claimed[index] *= 1 + p
            if not check_gradient(f, x, claimed, method, measured=measured).passed:
                detected = p
            else:
                break
        worst = max(worst, detected if detected is not None else np.inf)
    return worst


def detection_table():
    rows = []
    for derivation, claim in gradient_claims():
        f, x, exact = setup(derivation, claim)
        p = smallest_detected(f, x, exact, claim.method)
        rows.append([f"{derivation.id}/{claim.name}", claim.method, int(np.count_nonzero(exact)),
                     f"{p:.0e}", "yes" if p <= 1e-6 else "NO"])
    return rows


def main():
    print(tabulate(accuracy_table(), headers=["gradient claim", *METHODS], tablefmt="github"))
    print()
    print(tabulate(detection_table(), headers=["gradient claim", "method", "entries checked",
                                               "smallest relative error detected on every entry",
                                               "≤ 1e-6"], tablefmt="github"))


if __name__ == "__main__":
    main()
