"""Ridge regression: which ½ goes where.

004:513 writes the sum of squared errors plus half the squared norm,
J(w) = (Xw − y)ᵀ(Xw − y) + ½αwᵀw, and 004:517 gives its solution as (XᵀX + αI)⁻¹Xᵀy. Setting
the derived gradient 2Xᵀ(Xw − y) + αw to 0 gives (XᵀX + (α/2)I)w = Xᵀy instead; the printed form
minimizes ½‖Xw − y‖² + (α/2)‖w‖² (GBC 7.17 makes the same slip). scikit-learn's Ridge minimizes
‖y − Xw‖² + a‖w‖², so it is an independent oracle with a = α/2.

004:469 says regularization is "primarily to reduce variance without increasing the bias". With
targets y = Xw₀ + ε, ε ~ N(0, σ²I), the ridge estimate ŵ = A⁻¹Xᵀy (A = XᵀX + (α/2)I) has mean
A⁻¹XᵀXw₀, so its bias is −(α/2)A⁻¹w₀ ≠ 0 for w₀ ≠ 0; what it buys is a smaller covariance,
σ²A⁻¹XᵀXA⁻¹ ≺ σ²(XᵀX)⁻¹ (the trade the slide's "variance-bias dilemma" names, 004:468).
"""
import numpy as np
import sympy as sp

from regverify.claims import Derivation, Expect, Identity, Inequality, Minimizer, Premise, Printed, Source
from regverify.eigenbasis import conjugated
from regverify.moments import expect_gaussian_vector
from regverify.prover import Obligation
from regverify.registry import register

from .twins import (estimate_covariance, estimate_mean, halved_objective, monte_carlo_bias_variance, sample_noisy_fit,
                    sample_ridge, sklearn_oracle, slide_objective)

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


# --- y = Xw₀ + ε: the estimate's bias and covariance (every m, n) --------------------------
w0, eps, sigma = sp.MatrixSymbol("w_0", n, 1), sp.MatrixSymbol("epsilon", m, 1), sp.Symbol("sigma", positive=True)
ESTIMATE = A_SLIDE.I * X.T * (X * w0 + eps)              # the minimizer at y = Xw₀ + ε
MEAN = expect_gaussian_vector(ESTIMATE, eps, sigma)
G, Q, LAM, lam = (sp.MatrixSymbol("G", n, n), sp.MatrixSymbol("Q", n, n), sp.MatrixSymbol("Lambda", n, n),
                  sp.Symbol("lambda", positive=True))
COVARIANCE = sigma ** 2 * (G + alpha / 2 * I).I * G * (G + alpha / 2 * I).I     # with G = XᵀX


def times_a(expr):
    """A·expr term by term, so that A·A⁻¹ cancels in each (multiplying through by an invertible A)."""
    return sp.MatAdd(*(A_SLIDE * t for t in (expr.args if isinstance(expr, sp.MatAdd) else (expr,))))


def mean_obligation(claim):
    return Obligation.identity(times_a(MEAN), times_a(claim.rhs), derived_by="expectation",
                               assumptions_used=("E[ε] = 0", "A = XᵀX + (α/2)I is invertible (α > 0)"),
                               steps=("E[ŵ] = A⁻¹XᵀE[y] = A⁻¹XᵀXw₀ (ŵ is linear in y)",
                                      "multiply through by A: XᵀXw₀ against A·(the stated mean)"))


def covariance_obligation(claim):
    centred = ESTIMATE - MEAN
    return Obligation.identity(expect_gaussian_vector(centred * centred.T, eps, sigma), claim.rhs,
                               derived_by="expectation", assumptions_used=("E[εεᵀ] = σ²I",),
                               steps=("ŵ − E[ŵ] = A⁻¹Xᵀε", "E[A⁻¹XᵀεεᵀXA⁻¹] = σ²A⁻¹XᵀXA⁻¹ (Aᵀ = A)"))


def variance_obligation(claim):
    return Obligation.loewner_in_eigenbasis(
        conjugated((claim.lhs - claim.rhs).xreplace({G: Q * LAM * Q.T}), Q), Q, LAM, lam, strict=True,
        assumptions_used=("X has full column rank: G = XᵀX = QΛQᵀ with every λᵢ > 0",),
        steps=("with G = QΛQᵀ, both sides are Q·diag(f(λᵢ))·Qᵀ",
               "σ²/λ − σ²λ/(λ + α/2)² = σ²(α/2)(2λ + α/2)/(λ(λ + α/2)²) > 0"))


NO_BIAS = Printed("004_b86d6fd376fce36f.txt", 469,
                  "Regularization is primarily to reduce variance without increasing the bias",
                  reading="the ridge estimate is unbiased: E[ŵ] = w₀")

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
    conventions="X is m×n, one example per row; y ∈ ℝᵐ; w ∈ ℝⁿ; α > 0. For bias and variance, "
                "y = Xw₀ + ε with ε ~ N(0, σ²I).",
    assumptions=["α > 0", "bias and variance: E[ε] = 0, E[εεᵀ] = σ²I; X of full column rank"],
    symbols={"X": "matrix(m,n)", "y": "vector(m)", "w": "vector(n)", "alpha": "scalar > 0",
             "w_0": "vector(n)", "sigma": "scalar > 0"},
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
        Identity(
            name="estimate-bias",
            statement="E[ŵ] = w₀ − (α/2)(XᵀX + (α/2)I)⁻¹w₀ for y = Xw₀ + ε: ridge adds the bias −(α/2)A⁻¹w₀",
            symbolic=mean_obligation, sample=sample_noisy_fit, uses=("minimizer",),
            lhs=estimate_mean, rhs=w0 - alpha / 2 * A_SLIDE.I * w0, training=monte_carlo_bias_variance),
        Identity(
            name="printed-no-added-bias",
            statement="regularization reduces variance without increasing the bias: E[ŵ] = w₀ (004:469)",
            expect=Expect.ERRATUM, corrected_by="estimate-bias", source=NO_BIAS,
            premise=Premise("α > 0 and w₀ ≠ 0", lambda p: p["alpha"] > 0 and np.linalg.norm(p["w_0"]) > 1e-8),
            symbolic=mean_obligation, sample=sample_noisy_fit, lhs=estimate_mean, rhs=w0),
        Identity(
            name="estimate-covariance",
            statement="Cov(ŵ) = σ²(XᵀX + (α/2)I)⁻¹XᵀX(XᵀX + (α/2)I)⁻¹",
            symbolic=covariance_obligation, sample=sample_noisy_fit, uses=("minimizer",),
            lhs=estimate_covariance, rhs=COVARIANCE.subs(G, X.T * X)),
        Inequality(
            name="variance-reduced",
            statement="σ²(XᵀX)⁻¹ ≻ Cov(ŵ): the least-squares covariance (α = 0) exceeds ridge's, G = XᵀX",
            symbolic=variance_obligation, sample=sample_noisy_fit, uses=("estimate-covariance",),
            order="loewner", strict=True, rtol=1e-12, lhs=sigma ** 2 * G.I, rhs=COVARIANCE),
    ]))
