"""L1 regularization with a diagonal Hessian: the soft threshold.

J̃(w) = α‖w‖₁ + J(w). With the quadratic approximation and H diagonal (entries hᵢ > 0) the
problem separates into n scalar problems ½hᵢ(wᵢ − wᵢ*)² + α|wᵢ|, each solved by
wᵢ = sign(wᵢ*) max(|wᵢ*| − α/hᵢ, 0): weights with |wᵢ*| ≤ α/hᵢ become exactly 0, the rest
move toward 0 by α/hᵢ.

|·| and max are not smooth, so the proofs go by cases on signed symbols (SymPy's ``solve``
silently drops branches with Abs) and the numeric checks sample the kinks ±α/h and 0.
"""
import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.claims import (Derivation, Expect, Gradient, Identity, Inequality, Minimizer, Premise, Printed,
                              Source)
from regverify.forms import compile_form
from regverify.prover import ENTRY_ROW, Obligation
from regverify.registry import register

from .twins import (coupled_objective, sample_band, sample_coupled, sample_scalar, sample_signed, sample_summed,
                    separable_objective, smooth_part, soft_threshold, summed_premise, train_coordinate_descent)

alpha, h, d = sp.symbols("alpha h delta", positive=True)   # δ > 0: distance past a kink
w_pos, w_neg = sp.Symbol("w", positive=True), sp.Symbol("w", negative=True)
w_any, g_any = sp.Symbol("w", real=True), sp.Symbol("g", real=True)      # an entry of w and of ∇J(w)


def scalar_objective(w, w_star, a, hh):
    return sp.Rational(1, 2) * hh * (w - w_star) ** 2 + a * sp.Abs(w)


n = sp.Symbol("n", integer=True, positive=True)
W_VEC, G_VEC = sp.MatrixSymbol("w", n, 1), sp.MatrixSymbol("g", n, 1)     # w and ∇J(w), any size n


def l1_gradient_obligation(claim) -> Obligation:
    """SymPy differentiates α Σᵢ |wᵢ| + gᵀw at a generic entry w_p of a w of any size (gᵀw is J's
    first-order part at w, all that its gradient sees). SymPy's |·|' is complex-valued, so re wᵢ = wᵢ
    and im wᵢ = 0 are put in: for real wᵢ ≠ 0 it is sign(wᵢ)."""
    objective = alpha * sp.OneMatrix(1, n) * ElementwiseApplyFunction(sp.Abs, W_VEC) + G_VEC.T * W_VEC
    derived = sp.diff(objective[0, 0], W_VEC[ENTRY_ROW, 0]).replace(sp.re, lambda e: e).replace(sp.im, lambda e: 0)
    claimed = claim.form.xreplace({w_any: W_VEC[ENTRY_ROW, 0], g_any: G_VEC[ENTRY_ROW, 0]})
    return Obligation(zero=[derived.doit() - claimed], derived_by="differentiation", sources=(objective, W_VEC),
                      assumptions_used=("w real, no wᵢ is 0", "J differentiable; ∇(gᵀw) = g = ∇J(w)"),
                      steps=("∂/∂w_p Σᵢ |wᵢ| = Σᵢ sign(wᵢ) δᵢₚ = sign(w_p) for real wᵢ ≠ 0",
                             "∇ is linear: add ∇J"))


w_star_sym = sp.Symbol("w^*", real=True)
SOFT_THRESHOLD = sp.sign(w_star_sym) * sp.Max(sp.Abs(w_star_sym) - alpha / h, 0)


def soft_threshold_cases(claim) -> Obligation:
    """The claim's form in each case of w*: where |w*| > α/h, the derived derivative (the sign of
    w fixed so |·| is a polynomial there) vanishes at it; where |w*| ≤ α/h, it is 0 and the
    one-sided derivatives at 0 (derived) have opposite signs (0 is in the subdifferential)."""
    above = alpha / h + d                       # |w*| > α/h
    outside = [z for w_s, sign in ((w_pos, 1), (w_neg, -1))
               for z in Obligation.stationary(scalar_objective(w_s, sign * above, alpha, h), w_s,
                                              claim.form.xreplace({w_star_sym: sign * above})).zero]
    c = sp.Symbol("c", nonnegative=True)        # |w*| = α/(h(1 + c)) ≤ α/h; c = 0 is the kink
    one_sided = []
    for inside in (alpha / (h * (1 + c)), -alpha / (h * (1 + c)), sp.Integer(0)):
        outside.append(claim.form.xreplace({w_star_sym: inside}))      # the form gives 0 there
        right = sp.diff(scalar_objective(w_pos, inside, alpha, h), w_pos).subs(w_pos, 0)
        left = sp.diff(scalar_objective(w_neg, inside, alpha, h), w_neg).subs(w_neg, 0)
        one_sided += [right, -left]             # f'(0⁺) ≥ 0 ≥ f'(0⁻)
    curvature = [sp.diff(scalar_objective(w_s, sign * above, alpha, h), w_s, 2)    # derived: h in each case
                 for w_s, sign in ((w_pos, 1), (w_neg, -1))]
    return Obligation(
        zero=outside, positive=curvature, nonnegative=one_sided, derived_by="differentiation",
        establishes="minimum",
        assumptions_used=("hᵢ > 0", "α > 0"),
        steps=("case w* > α/h: w = w* − α/h > 0 and h(w − w*) + α = 0",
               "case w* < −α/h: w = w* + α/h < 0 and h(w − w*) − α = 0",
               "case |w*| ≤ α/h: f'(0⁺) = α − hw* ≥ 0 ≥ −α − hw* = f'(0⁻), so 0 is the minimum",
               "h > 0: strictly convex, so the stationary point is the unique minimum"))


def band_obligation(claim) -> Obligation:
    """|wᵢ*| = α/(h(1 + c)) ≤ α/h, either sign: the page's soft threshold (its Max simplified) is 0, the claimed
    L2 coordinate is not."""
    c = sp.Symbol("c", nonnegative=True)
    at = [{w_star_sym: sign * alpha / (h * (1 + c))} for sign in (1, -1)]
    l1_sizes = [sp.Abs(SOFT_THRESHOLD.xreplace(x).replace(sp.Max, lambda *a: sp.Max(*map(sp.together, a)))) for x in at]
    return Obligation(positive=[claim.lhs.xreplace(x) - size for x, size in zip(at, l1_sizes)], sources=(claim.lhs,),
                      assumptions_used=("hᵢ > 0", "α > 0", "0 < |wᵢ*| ≤ α/hᵢ"),
                      steps=("in the band the soft threshold gives 0 (soft-threshold)",
                             "L2 gives wᵢ*hᵢ/(hᵢ + α) (l2-shrinkage/eigen-factor, H diagonal), 0 only if wᵢ* = 0"))


def printed_threshold_residual(claim) -> Obligation:
    """Case w* = α/h + δ: the minimizer is δ, but the printed rule gives max(δ − α/h, 0)."""
    return Obligation.identity(*(side.xreplace({w_any: d, w_star_sym: alpha / h + d}) for side in (claim.lhs, claim.rhs)))


def summed_condition_residual() -> Obligation:
    """At w = w̃ + (δ, −δh₁/h₂) the printed sum vanishes; SymPy's gradient there does not."""
    h1, h2, a1, a2 = sp.symbols("h_1 h_2 a_1 a_2", positive=True)
    w1, w2 = sp.symbols("w_1 w_2", positive=True)
    ws = sp.Matrix([w1, w2])
    objective = scalar_objective(w1, alpha / h1 + a1, alpha, h1) + scalar_objective(w2, alpha / h2 + a2, alpha, h2)
    return Obligation.stationary(objective, ws, sp.Matrix([a1 + d, a2 - d * h1 / h2]))


def sample_above(rng, trial):
    """Some |wᵢ*| > α/hᵢ, so that some weight is not 0; "w" is the minimizer (soft-threshold's form)."""
    p = sample_scalar(rng, trial + 1 if trial % 3 == 0 else trial)
    return {**p, "w": MINIMIZER(p)}


MINIMIZER = compile_form(SOFT_THRESHOLD, {"w_star": w_star_sym})


DERIVATION = register(Derivation(
    id="l1-soft-threshold",
    title="L1 with a diagonal Hessian: the soft threshold",
    sources=[Source("004_b86d6fd376fce36f.txt", "L1 regularization slides (GBC 7.20–7.23)")],
    conventions="J̃(w) = α‖w‖₁ + J(w); H = diag(h₁, …, hₙ) with hᵢ > 0.",
    assumptions=["α > 0", "hᵢ > 0", "no wᵢ is 0 where the gradient is taken (a subgradient at 0)"],
    symbols={"w": "vector(n)", "w*": "vector(n)", "h": "vector(n) > 0", "alpha": "scalar > 0"},
    claims=[
        Gradient(
            name="l1-gradient",
            statement="∇(α‖w‖₁ + J(w)) = α sign(w) + ∇J(w) where no wᵢ is 0 (004:528)",
            symbolic=l1_gradient_obligation, form=alpha * sp.sign(w_any) + g_any,
            sample=sample_signed,   # "g" is ∇J(w) by autograd, J(w) = Σ cos(Xw) (not quadratic)
            objective=lambda p: p["alpha"] * np.sum(np.abs(p["w"])) + smooth_part(p["X"], p["w"]),
            wrt="w", method="richardson"),
        Minimizer(
            name="soft-threshold",
            statement="argmin ½hᵢ(wᵢ − wᵢ*)² + α|wᵢ| = sign(wᵢ*) max(|wᵢ*| − α/hᵢ, 0)",
            symbolic=soft_threshold_cases, form=SOFT_THRESHOLD, bind={"w_star": w_star_sym},
            sample=sample_scalar, objective=separable_objective,
            smooth=False, trials=9, training=train_coordinate_descent),
        Inequality(
            name="sparser-than-l2",
            statement="where 0 < |wᵢ*| ≤ α/hᵢ, L1 gives wᵢ = 0 but L2 keeps |wᵢ*|hᵢ/(hᵢ + α) > 0: L1's zeros include "
                      "L2's (only wᵢ* = 0) and this band: sparser (004:560)",
            symbolic=band_obligation, sample=sample_band, bind={"w_star": w_star_sym}, strict=True, trials=9,
            uses=("soft-threshold", "l2-shrinkage/eigen-factor"),
            lhs=sp.Abs(w_star_sym) * h / (h + alpha), rhs=lambda p: np.abs(soft_threshold(p))),
        Identity(
            name="printed-threshold",
            statement="the minimizer satisfies wᵢ = sign(wᵢ*) max(|wᵢ| − α/hᵢ, 0) (as printed: |wᵢ|, not |wᵢ*|)",
            expect=Expect.ERRATUM, corrected_by="soft-threshold",
            source=Printed("004_b86d6fd376fce36f.txt", 545,
                           r"w_i = \text{sign}(w_i^*) \cdot \max \left(|w_i| - \frac{\alpha}{h_{ii}}, 0 \right)",
                           reading="wᵢ stands on both sides. Solved for wᵢ, its only solution is 0 (wᵢ ≠ 0 "
                                   "would need |wᵢ| = |wᵢ| − α/hᵢ); read as a condition, the true minimizer "
                                   "fails it wherever |wᵢ*| > α/hᵢ"),
            premise=Premise("some |wᵢ*| > α/hᵢ (a weight that is not 0)",
                            lambda p: bool(np.any(np.abs(p["w_star"]) > p["alpha"] / p["h"]))),
            symbolic=printed_threshold_residual, sample=sample_above, bind={"w_star": w_star_sym},
            lhs=w_any, rhs=sp.sign(w_star_sym) * sp.Max(sp.Abs(w_any) - alpha / h, 0), trials=9),
        Minimizer(
            name="coordinate-wise-for-any-h",
            statement="wᵢ = sign(wᵢ*) max(|wᵢ*| − α/Hᵢᵢ, 0) minimizes ½(w − w*)ᵀH(w − w*) + α‖w‖₁ for a "
                      "non-diagonal H too (004:558 asks for quadratic programming)",
            expect=Expect.PITFALL, corrected_by="soft-threshold",
            origin="applying the diagonal case's threshold coordinate by coordinate: with H = [[2, 1.5], [1.5, 2]], "
                   "w* = (1, 0.2), α = 0.5 it gives (0.75, 0), Ĵ = 0.5525, while min Ĵ ≈ 0.5286 near (0.86, 0.056)",
            premise=Premise("H is not diagonal", lambda p: not np.allclose(p["H"], np.diag(p["h"]))),
            form=SOFT_THRESHOLD, bind={"w_star": w_star_sym}, sample=sample_coupled, objective=coupled_objective,
            smooth=False),
        Minimizer(
            name="printed-summed-stationarity",
            statement="a w with Σᵢ[hᵢ(wᵢ − wᵢ*) + α sign(wᵢ)] = 0 minimizes Ĵ (as printed: one sum, "
                      "not n equations)",
            expect=Expect.ERRATUM, corrected_by="soft-threshold",
            source=Printed("004_b86d6fd376fce36f.txt", 541,
                           r"\sum_{i=1}^n [h_{ii}(w_i - w_i^*) + \alpha \text{sign}(w_i)] = 0",
                           reading="the sum over i of the n stationarity conditions set to 0, as the "
                                   "condition for w̃ (004:543 itself says 'n independent equations')"),
            premise=Premise("the printed summed condition holds at w (and no wᵢ is 0)", summed_premise),
            symbolic=summed_condition_residual,
            sample=sample_summed, objective=separable_objective, candidate=lambda p: p["w"],
            smooth=False),
    ]))
