"""Ridge regression: which ½ goes where.

004:513 writes the sum of squared errors plus half the squared norm,
J(w) = (Xw − y)ᵀ(Xw − y) + ½αwᵀw, and 004:517 gives its solution as (XᵀX + αI)⁻¹Xᵀy. Setting
the derived gradient 2Xᵀ(Xw − y) + αw to 0 gives (XᵀX + (α/2)I)w = Xᵀy instead; the printed form
minimizes ½‖Xw − y‖² + (α/2)‖w‖² (GBC 7.17 makes the same slip). scikit-learn's Ridge minimizes
‖y − Xw‖² + a‖w‖², so it is an independent oracle with a = α/2.
"""
import numpy as np
import sympy as sp

from regverify.claims import Derivation, Evidence, Expect, Minimizer, NumericVerdict, Premise, Printed, Source
from regverify.numerics import sampling
from regverify.numerics.datasets import digits_regression
from regverify.numerics.training import relative_error
from regverify.prover import Obligation
from regverify.registry import register

# --- symbols: every size -------------------------------------------------------------------
m, n = sp.symbols("m n", integer=True, positive=True)
X, y, w = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("y", m, 1), sp.MatrixSymbol("w", n, 1)
alpha = sp.Symbol("alpha", positive=True)
I = sp.Identity(n)
SLIDE = (X * w - y).T * (X * w - y) + sp.Rational(1, 2) * alpha * w.T * w          # 004:513
HALVED = sp.Rational(1, 2) * (X * w - y).T * (X * w - y) + alpha / 2 * w.T * w     # GBC 7.16
A_SLIDE, A_PRINTED = X.T * X + alpha / 2 * I, X.T * X + alpha * I
A_WRITTEN = {A_SLIDE: "XᵀX + (α/2)I", A_PRINTED: "XᵀX + αI"}


def minimizer_obligation(objective, a, factor):
    """Differentiate the objective; it must be factor·(A w − Xᵀy), A·candidate = Xᵀy, and the
    Hessian derived from the objective (2XᵀX + αI, or XᵀX + αI) positive definite."""
    return lambda claim: Obligation.extremum(
        objective, w, claim.form, linear=(a, X.T * y), factor=factor,
        assumptions_used=("α > 0: uᵀ∇²J u = c‖Xu‖² + α‖u‖² > 0 for u ≠ 0 (c > 0)",),
        steps=("∂/∂w (Xw − y)ᵀ(Xw − y) = 2Xᵀ(Xw − y);  ∂/∂w ½αwᵀw = αw",
               f"∇J = {'' if factor == 1 else f'{factor}·'}(A w − Xᵀy) with A = {A_WRITTEN[a]}",
               "∇J = 0 ⇔ A w = Xᵀy ⇔ w = A⁻¹Xᵀy",
               "uᵀ∇²J u = twice the u² term of J(w + tu): a ‖Xu‖² term plus α‖u‖² > 0"))


# --- numeric twins -------------------------------------------------------------------------
def sample_ridge(rng, trial):
    rows, cols = sampling.size(rng, 2, 6), sampling.size(rng, 2, 5)
    return {"X": sampling.normal(rng, (rows, cols)), "y": sampling.normal(rng, rows),
            "alpha": float(sampling.positive(rng, 0.1, 10.0))}


def slide_objective(p, v):
    r = p["X"] @ v - p["y"]
    return r @ r + 0.5 * p["alpha"] * (v @ v)


def halved_objective(p, v):
    r = p["X"] @ v - p["y"]
    return 0.5 * (r @ r) + 0.5 * p["alpha"] * (v @ v)


def solve(p, shift):
    x = p["X"]
    return np.linalg.solve(x.T @ x + shift * np.eye(x.shape[1]), x.T @ p["y"])


def corrected(p):
    return solve(p, p["alpha"] / 2)


def printed(p):
    return solve(p, p["alpha"])


# --- oracle: scikit-learn's Ridge on the digits ---------------------------------------------
def sklearn_oracle(seed: int, quick: bool, ridge_alpha=lambda a: a / 2) -> Evidence:
    """Our (XᵀX + (α/2)I)⁻¹Xᵀy against scikit-learn's Ridge(alpha=ridge_alpha(α)) (SVD solver,
    no intercept) on the standardized digits, across α; the printed form's distance is recorded.
    The planted twin passes the printed mapping a = α and must fail."""
    from sklearn.linear_model import Ridge

    x, target = digits_regression(seed)
    alphas = [0.1, 10.0, 1000.0] if quick else list(np.logspace(-1, 4, 11))
    ours, printed_gap = [], []
    for a in alphas:
        reference = Ridge(alpha=ridge_alpha(a), fit_intercept=False, solver="svd").fit(x, target).coef_
        p = {"X": x, "y": target, "alpha": a}
        ours.append(relative_error(corrected(p), reference))
        printed_gap.append(relative_error(printed(p), reference))
    detail = {"oracle": "sklearn.linear_model.Ridge(alpha=α/2, fit_intercept=False, solver='svd')",
              "data": f"digits, standardized pixels -> label, {x.shape[0]}x{x.shape[1]}",
              "max_rel_error": max(ours), "tolerance": 1e-8,
              "curves": {"alpha": alphas, "corrected_vs_sklearn": ours,
                         "printed_vs_sklearn": printed_gap}}
    ok = bool(np.all(np.isfinite(ours)) and max(ours) < 1e-8)
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)


PRINTED = Printed(
    "004_b86d6fd376fce36f.txt", 517,
    r"\mathbf{w} = (\mathbf{X}^T\mathbf{X} + \alpha\mathbf{I})^{-1}\mathbf{X}^T\mathbf{y}",
    reading="the solution of 004:513's J(w) = (Xw − y)ᵀ(Xw − y) + ½αwᵀw (no ½ on the error); "
            "the printed form is the minimizer of ½‖Xw − y‖² + (α/2)‖w‖²")

DERIVATION = register(Derivation(
    id="ridge",
    title="Ridge regression: the minimizer of (Xw − y)ᵀ(Xw − y) + ½αwᵀw",
    sources=[Source("004_b86d6fd376fce36f.txt", "L2 regularization, sum of squared errors (511–517)"),
             Source("GBC", "7.15–7.17")],
    conventions="X is m×n, one example per row; y ∈ ℝᵐ; w ∈ ℝⁿ; α > 0.",
    assumptions=["α > 0"],
    symbols={"X": "matrix(m,n)", "y": "vector(m)", "w": "vector(n)", "alpha": "scalar > 0"},
    claims=[
        Minimizer(
            name="minimizer",
            statement="argmin (Xw − y)ᵀ(Xw − y) + ½αwᵀw = (XᵀX + (α/2)I)⁻¹Xᵀy",
            symbolic=minimizer_obligation(SLIDE, A_SLIDE, 2), form=A_SLIDE.I * X.T * y,
            sample=sample_ridge, objective=slide_objective,
            training=sklearn_oracle),
        Minimizer(
            name="halved-objective-minimizer",
            statement="argmin ½‖Xw − y‖² + (α/2)‖w‖² = (XᵀX + αI)⁻¹Xᵀy (where the printed form is right)",
            symbolic=minimizer_obligation(HALVED, A_PRINTED, 1), form=A_PRINTED.I * X.T * y,
            sample=sample_ridge, objective=halved_objective),
        Minimizer(
            name="printed-minimizer",
            statement="argmin (Xw − y)ᵀ(Xw − y) + ½αwᵀw = (XᵀX + αI)⁻¹Xᵀy (004:517)",
            expect=Expect.ERRATUM, corrected_by="minimizer", source=PRINTED,
            premise=Premise("α > 0 and Xᵀy ≠ 0 (else both forms give w = 0)",
                            lambda p: p["alpha"] > 0 and np.linalg.norm(p["X"].T @ p["y"]) > 1e-8),
            symbolic=minimizer_obligation(SLIDE, A_PRINTED, 2), form=A_PRINTED.I * X.T * y,
            sample=sample_ridge, objective=slide_objective),
    ]))
