"""What input excites a hidden unit most? The unit-norm maximizer W_l/‖W_l‖.

Hidden unit l of an autoencoder computes h_l = g(W_lᵀx + b_l), W_l the l-th column of the n×k W
(003:240). Over inputs with ‖x‖ = 1 (003:245), W_lᵀx ≤ ‖W_l‖‖x‖ = ‖W_l‖ (Cauchy–Schwarz), with
equality at x = W_l/‖W_l‖; the Lagrangian W_lᵀx − μ(xᵀx − 1) is stationary there with μ = ‖W_l‖/2.
−W_l/‖W_l‖ is the minimizer. g increasing keeps the maximizer of h_l (a decreasing g turns it
into the minimizer). There is one such input per hidden unit, l = 1 … k (003:306); 003:269–271
list n of them, "hidden neurons 1 to n", with n the input size.
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from regverify.claims import Derivation, Expect, Identity, Premise, Printed, Source
from regverify.prover import ENTRY_COLUMN, ENTRY_ROW, Obligation, g, g_prime
from regverify.registry import register

from .twins import (ACTIVATIONS, DECREASING, activation_peak, claimed_peak, per_unit, printed_list, sample_activation,
                    sample_layer, sample_unit, searched, train_max_activation, unit_peaks)

# --- symbols -------------------------------------------------------------------------------
n = sp.Symbol("n", integer=True, positive=True)
w, x = sp.MatrixSymbol("W_l", n, 1), sp.MatrixSymbol("x", n, 1)
mu = sp.Symbol("mu", real=True)
k = sp.Symbol("k", integer=True, positive=True)
W, X, MU = sp.MatrixSymbol("W", n, k), sp.MatrixSymbol("X", n, k), sp.MatrixSymbol("mu", k, 1)   # a layer: k units
i, j = sp.symbols("i j", integer=True, nonnegative=True)
NORM = sp.sqrt(sp.Trace(w.T * w))
LAGRANGIAN = w.T * x - mu * (x.T * x - sp.Identity(1))
LAGRANGE_STEPS = ("L(x, μ) = W_lᵀx − μ(xᵀx − 1)", "∂L/∂x = W_l − 2μx = 0 ⇒ x = W_l/(2μ)",
                  "∂L/∂μ = 0 ⇒ xᵀx = 1 ⇒ 2μ = ±‖W_l‖: + the maximum, − the minimum")


def extremum_on_sphere(sense):
    """From the claim's stated point: W_lᵀx restricted to xᵀx = 1, with the multiplier derived
    (∇f = μ∇c at the point), the Lagrangian stationary there, and its Hessian's sign telling the
    maximum (μ > 0) from the minimum (μ < 0), every n."""
    return lambda claim: Obligation.extremum(
        w.T * x, x, claim.rhs, sense=sense, constraint=x.T * x - sp.Identity(1),
        assume_positive=(sp.Trace(w.T * w),), assumptions_used=("W_l ≠ 0: ‖W_l‖² > 0",),
        steps=(*LAGRANGE_STEPS, "uᵀ∇²L u = −2μ uᵀu: negative for μ > 0 (a maximum), positive for μ < 0"))


def at_point(variable, point):          # variable = point, entry by entry in the indexed sums
    return lambda expr: expr.replace(lambda e: isinstance(e, MatrixElement) and e.parent == variable,
                                     lambda e: point(e.i, e.j))


def column_norm(matrix, l):             # ‖W_l‖ = (Σᵢ W_il²)^½
    return sp.sqrt(sp.Sum(matrix[i, l] ** 2, (i, 0, n - 1)))


def cauchy_schwarz_obligation(claim) -> Obligation:
    """The stated maximum is the value at W_l/‖W_l‖, and it is the largest by Lagrange's identity
    ‖W‖²‖x‖² − (Wᵀx)² = ½ Σᵢⱼ (Wᵢxⱼ − Wⱼxᵢ)² ≥ 0, both for every n."""
    # ‖W‖²‖x‖² − (Wᵀx)², each product of two Σ as one Σ over i, j; then i ↔ j relabelled in half of it
    wi, xj, wxi, wxj = [s.function.xreplace({s.variables[0]: index}) for s, index in (
        ((w.T * w)[0, 0], i), ((x.T * x)[0, 0], j), ((w.T * x)[0, 0], i), ((w.T * x)[0, 0], j))]
    gap = wi * xj - wxi * wxj
    ranges = ((i, 0, n - 1), (j, 0, n - 1))
    lagrange = sp.Sum((gap + gap.xreplace({i: j, j: i})) / 2, *ranges) - sp.Sum(
        (w[i, 0] * x[j, 0] - w[j, 0] * x[i, 0]) ** 2 / 2, *ranges)
    return Obligation(zero=[sp.Trace(w.T * w / NORM) - claim.rhs, lagrange], steps=(
        "‖W‖²‖x‖² − (Wᵀx)² = Σᵢⱼ (Wᵢ²xⱼ² − WᵢxᵢWⱼxⱼ), relabelled i ↔ j in half of it",
        "= ½ Σᵢⱼ (Wᵢxⱼ − Wⱼxᵢ)² ≥ 0 (Lagrange's identity, every n)",
        "so Wᵀx ≤ ‖W‖ when ‖x‖ = 1, with equality iff x ∥ W, x = W/‖W‖",
        "W_lᵀ(W_l/‖W_l‖) = ‖W_l‖²/‖W_l‖ = ‖W_l‖ (every n)"))


def activation_obligation() -> Obligation:
    """∂/∂x_p of g(Wᵀx + b) − μ(xᵀx − 1) vanishes at x = W/‖W‖ with μ = g'(a)‖W‖/2, where h = g(‖W‖ + b),
    every n; sums get canonical indices (as_dummy), so that ‖W‖ reads the same wherever it appears."""
    bias, norm = sp.Symbol("b", real=True), column_norm(w, 0)
    objective = g((w.T * x)[0, 0] + bias) - mu * ((x.T * x)[0, 0] - 1)
    at = at_point(x, lambda row, col: w[row, col] / norm)
    stationary = at(sp.diff(objective, x[ENTRY_ROW, 0]).doit()).subs(mu, g_prime(norm + bias) * norm / 2)
    return Obligation(zero=[stationary.as_dummy(), (at((w.T * x)[0, 0]) - norm).as_dummy()],   # W_lᵀx = ‖W_l‖ there
                      derived_by="differentiation", sources=(objective, x),
                      assumptions_used=("g differentiable and increasing: g' > 0 makes μ > 0, a maximum",),
                      steps=("∂/∂x_p g(W_lᵀx + b_l) = g'(a) W_lp, parallel to W_l",
                             "so the stationary points on the sphere are ±W_l/‖W_l‖; g' > 0 keeps + the maximum",
                             "at x = W_l/‖W_l‖, W_lᵀx = ‖W_l‖ and h_l = g(‖W_l‖ + b_l), for every n"))


def layer_obligation() -> Obligation:
    """Σ_l [W_lᵀx_l − μ_l(x_lᵀx_l − 1)] over the k columns of an n×k W, differentiated at a generic
    entry X_pq of X = [x_1 … x_k] and in μ_q: zero at X_l = W_l/‖W_l‖ with μ_l = ‖W_l‖/2, every n, k."""
    ones = sp.OneMatrix
    objective = (ones(1, n) * sp.hadamard_product(W, X) * ones(k, 1)
                 - (ones(1, n) * sp.hadamard_product(X, X) - ones(1, k)) * MU)[0, 0]
    at_x = at_point(X, lambda row, col: W[row, col] / column_norm(W, col))
    at_mu = at_point(MU, lambda row, col: column_norm(W, row) / 2)
    zero = [at_mu(at_x(sp.diff(objective, v).doit())).as_dummy() for v in (X[ENTRY_ROW, ENTRY_COLUMN], MU[ENTRY_COLUMN, 0])]
    return Obligation(zero=zero, derived_by="differentiation", sources=(objective, X),
                      assumptions_used=("every column W_l ≠ 0",),
                      steps=("the k problems separate: unit l sees only column W_l", *LAGRANGE_STEPS))


SLIDES = "003_c3291310eed8186c.txt"

DERIVATION = register(Derivation(
    id="max-activation",
    title="The input that maximally activates a hidden unit: W_l/‖W_l‖",
    sources=[Source(SLIDES, "visualizing an AE: maximally activating inputs (192–306)"),
             Source("UFLDL", "Visualizing a trained autoencoder")],
    conventions="W is n×k (n inputs, k hidden units), column l is unit l's W_l; h_l = g(W_lᵀx + b_l); "
                "inputs are constrained to ‖x‖ = 1 (003:245).",
    assumptions=["W_l ≠ 0", "g increasing (σ, tanh, softplus)"],
    symbols={"W_l": "vector(n)", "x": "vector(n)", "W": "matrix(n,k)", "b_l": "scalar"},
    claims=[
        Identity(
            name="unit-norm-maximizer",
            statement="argmax_{‖x‖=1} W_lᵀx = W_l/‖W_l‖ (Lagrange)",
            symbolic=extremum_on_sphere("max"), sample=sample_unit, uses=("maximum-value",), rtol=1e-9,
            lhs=lambda p: searched(p, lambda v: anp.dot(p["W_l"], v)), rhs=w / NORM),
        Identity(
            name="maximum-value",
            statement="max_{‖x‖=1} W_lᵀx = ‖W_l‖ (Cauchy–Schwarz)",
            symbolic=cauchy_schwarz_obligation, sample=sample_unit, rtol=1e-12,
            lhs=lambda p: p["W_l"] @ searched(p, lambda v: anp.dot(p["W_l"], v)), rhs=NORM),
        Identity(
            name="minimizer",
            statement="argmin_{‖x‖=1} W_lᵀx = −W_l/‖W_l‖",
            symbolic=extremum_on_sphere("min"), sample=sample_unit, rtol=1e-9,
            uses=("unit-norm-maximizer",),
            lhs=lambda p: searched(p, lambda v: -anp.dot(p["W_l"], v)), rhs=-w / NORM),
        Identity(
            name="activation-maximizer",
            statement="for g increasing, argmax_{‖x‖=1} g(W_lᵀx + b_l) = W_l/‖W_l‖, where h_l = g(‖W_l‖ + b_l)",
            symbolic=activation_obligation, sample=sample_activation, rtol=1e-9,
            uses=("unit-norm-maximizer", "maximum-value"),
            lhs=lambda p: activation_peak(p, ACTIVATIONS), rhs=lambda p: claimed_peak(p, ACTIVATIONS)),
        Identity(
            name="any-activation",
            statement="W_l/‖W_l‖ maximizes g(W_lᵀx + b_l), reaching g(‖W_l‖ + b_l), whatever the activation g",
            expect=Expect.PITFALL, corrected_by="activation-maximizer",
            origin="dropping the premise that g is increasing (003:240 uses σ, which is)",
            premise=Premise("g is a differentiable activation (a decreasing one: the statement does not exclude it)",
                            lambda p: DECREASING[p["g"]](1.0) < DECREASING[p["g"]](0.0)),
            sample=lambda rng, trial: sample_activation(rng, trial, DECREASING), rtol=1e-9,
            lhs=lambda p: activation_peak(p, DECREASING), rhs=lambda p: claimed_peak(p, DECREASING)),
        Identity(
            name="every-hidden-unit",
            statement="the inputs W_1/‖W_1‖, …, W_k/‖W_k‖ make hidden units 1 … k fire maximally (003:306)",
            symbolic=layer_obligation, sample=sample_layer, rtol=1e-9, uses=("unit-norm-maximizer",),
            lhs=unit_peaks, rhs=lambda p: per_unit(p, lambda col: col @ col / np.linalg.norm(col)),
            training=train_max_activation),
        Identity(
            name="printed-units-1-to-n",
            statement="the inputs W_1/‖W_1‖, …, W_n/‖W_n‖ make hidden neurons 1 to n fire maximally (003:269–271)",
            expect=Expect.ERRATUM, corrected_by="every-hidden-unit",
            source=Printed(SLIDES, 271, "will respectively cause hidden neurons 1 to n to maximally fire",
                           reading="n is the input size (x ∈ ℝⁿ, W n×k) and the list at 003:269 runs "
                                   "W_1 … W_n; the AE has k hidden units, W_1 … W_k (003:306). With "
                                   "k < n there is no W_j for j > k; with k > n units n+1 … k are left out",
                           also=(269, 283, 285, 301, 303)),
            premise=Premise("the AE is under- or overcomplete: k ≠ n", lambda p: p["k"] != p["n"]),
            sample=sample_layer, lhs=printed_list, rhs=unit_peaks),
    ]))
