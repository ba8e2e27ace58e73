"""Sparse autoencoders: the KL sparsity penalty and its gradient (003:405–657; UFLDL).

Unit l's mean activation over the m examples is ρ̂_l = (1/m) Σᵢ h(xᵢ)_l (003:447). The penalty
Ω = Σ_{l=1}^{k} ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l)) (003:439) sums a Bernoulli KL
divergence per hidden unit; it is ≥ 0 and 0 exactly when every ρ̂_l = ρ. It reaches W through ρ̂
only: with H = σ(XW + b) and d_l = ∂Ω/∂ρ̂_l, ∂Ω/∂W = (1/m) Xᵀ[H ⊙ (1 − H) ⊙ 1dᵀ]: column l of
∂ρ̂_l/∂W is (1/m) Σᵢ σ'(W_lᵀxᵢ + b_l) xᵢ, the other columns are 0 (003:647–652 derive it so).
"""
import dataclasses

import sympy as sp

from regverify.claims import (Derivation, Expect, Gradient, Identity, Inequality, Minimizer, Premise, Printed,
                              Source)
from regverify.numerics.activations import sigmoid
from regverify.prover import ENTRY_COLUMN, ENTRY_ROW, Obligation, sigma
from regverify.registry import register
from regverify.sums import evaluated
from regverify.symbolic import at_explicit, symbol_matrix, symbol_vector
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from .twins import (kl_terms, mean_activations, penalty, sample_layer, sample_rates, sample_units,
                    train_sparse_autoencoder)

SLIDES = "003_c3291310eed8186c.txt"
rho, rho_hat = sp.symbols("rho rho_hat", positive=True)   # both in (0, 1)
UNIT = ("ρ ∈ (0, 1)", "ρ̂_l ∈ (0, 1) (sigmoid units)")
SIZES = ((2, 3, 4), (4, 2, 3))        # m examples, n inputs, k units, all distinct: the errata's sizes
REFUTED_AT_SIZES = "a refutation needs a point to evaluate the residual at, which only explicit matrices give"


def kl(r, r_hat):
    return r * sp.log(r / r_hat) + (1 - r) * sp.log((1 - r) / (1 - r_hat))


def kl_expanded(r, r_hat):     # 003:508 as printed, the logs of the quotients split
    return r * sp.log(r) - r * sp.log(r_hat) + (1 - r) * sp.log(1 - r) - (1 - r) * sp.log(1 - r_hat)


def kl_slope(r, r_hat):
    return -r / r_hat + (1 - r) / (1 - r_hat)


# --- the stated forms: H = σ(XW + 1bᵀ) for m, n, k of any size, σ abstract ---------------------
m_, n_, k_ = sp.symbols("m n k", integer=True, positive=True)
X, W, B = sp.MatrixSymbol("X", m_, n_), sp.MatrixSymbol("W", n_, k_), sp.MatrixSymbol("b", k_, 1)
UNIT_L, EXAMPLE_1 = sp.MatrixSymbol("e_l", k_, 1), sp.MatrixSymbol("e_1", m_, 1)   # one-hot selectors
H = ElementwiseApplyFunction(sigma, X * W + sp.OneMatrix(m_, 1) * B.T)
SLOPE = sp.hadamard_product(H, sp.OneMatrix(m_, k_) - H)                         # σ' = σ(1 − σ), entrywise
MEANS = sp.OneMatrix(1, m_) * H / m_                                            # the row of ρ̂_l
SLOPES = -rho * sp.HadamardPower(MEANS, -1) + (1 - rho) * sp.HadamardPower(sp.OneMatrix(1, k_) - MEANS, -1)
PENALTY_GRADIENT = X.T * sp.hadamard_product(SLOPE, sp.OneMatrix(m_, 1) * SLOPES) / m_
LAYER = {"functions": {"sigma": sigmoid}, "bind": {"e_l": UNIT_L, "e_1": EXAMPLE_1}}


# --- the proofs for every m, n, k: SymPy differentiates the entry ρ̂_l = (1/m) Σᵢ σ(aᵢₗ) -------------
RATES, L_UNIT = sp.IndexedBase("rho_hat"), sp.Symbol("l", integer=True, nonnegative=True)   # ρ̂ and unit l


def one_hot(expr):
    """e_l's entries as δ(c, l) on 0..k−1, summed out (the innermost Σ last, so that each meets its δ)."""
    expr = expr.replace(lambda e: getattr(e, "parent", None) == UNIT_L,
                        lambda e: sp.KroneckerDelta(e.i, L_UNIT, (0, k_ - 1)))
    return evaluated(expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: sp.Sum(e.function, *reversed(e.limits))))


def rate_named(expr):
    """ρ̂_q as one symbol, whatever its index is called (the prover names nested indices by depth)."""
    mean, rate = (m_ * MEANS[0, ENTRY_COLUMN]).as_dummy(), sp.Symbol("rhohat_q", positive=True)
    return expr.replace(lambda e: isinstance(e, sp.Sum) and e.as_dummy() == mean, lambda e: m_ * rate)


def mean_gradient_obligation(claim):
    derived = evaluated(sp.diff(MEANS[0, L_UNIT], W[ENTRY_ROW, ENTRY_COLUMN]))
    return Obligation(zero=[derived - one_hot(claim.form[ENTRY_ROW, ENTRY_COLUMN])], derived_by="differentiation",
                      sources=(MEANS, W, claim.form), steps=(
        "ρ̂_l = (1/m) Σᵢ σ(Σⱼ xᵢⱼ Wⱼₗ + b_l) has column l of W only",
        "∂ρ̂_l/∂W_pq = (1/m) Σᵢ σ'(aᵢₗ) xᵢₚ δ_lq (003:647–652), e_l the one-hot δ(·, l)"))


def penalty_gradient_obligation(claim):
    omega = sp.Sum(kl(rho, MEANS[0, L_UNIT]), (L_UNIT, 0, k_ - 1))          # Ω from its definition
    obligation = Obligation.gradient_at_entry(omega, W, claim.form, assumptions_used=UNIT, steps=(
        "∂Ω/∂W_pq = Σ_l (∂Ω/∂ρ̂_l)(∂ρ̂_l/∂W_pq): only l = q is not 0", "∂ρ̂_q/∂W_pq = (1/m) Σᵢ σ'(aᵢ_q) xᵢₚ, σ' = σ(1 − σ)"))
    return dataclasses.replace(obligation, zero=[rate_named(z) for z in obligation.zero])


# --- the errata at explicit sizes ------------------------------------------------------------
def at_sizes(build) -> Obligation:
    """build(W, [ρ̂_l], at_layer) at each size in SIZES (explicit data and weights, σ abstract)."""
    assert all(len(set(size)) == 3 for size in SIZES), "m, n and k must differ, or a transpose could hide"
    parts = []
    for m, n, k in SIZES:
        x, w, b = symbol_matrix("x", m, n, real=True), symbol_matrix("W", n, k, real=True), symbol_vector("b", k, real=True)
        h = (x * w + sp.ones(m, 1) * b.T).applyfunc(sigma)      # unit l and example i: the first ones
        values = {X: x, W: w, B: b, UNIT_L: sp.eye(k)[:, 0], EXAMPLE_1: sp.eye(m)[:, 0], m_: m, n_: n, k_: k}
        parts.append(build(w, [sum(h[:, l]) / m for l in range(k)], lambda form: at_explicit(form, values)))
    return dataclasses.replace(parts[0], zero=[z for p in parts for z in p.zero], sources=tuple(
        m for p in parts for m in p.sources), sized_because=REFUTED_AT_SIZES)


def sum_over_n_obligation(claim):
    """At n = 2 inputs and k = 3 units: Σ_{l≤k} against the printed Σ_{l≤n}."""
    rates = sp.symbols("rho_hat_1:4", positive=True)
    printed = claim.rhs.subs(n_, 2).doit().xreplace({RATES[i]: r for i, r in enumerate(rates)})
    return Obligation.identity(sum(kl(rho, r) for r in rates), printed, unit_interval=(rho, *rates))


def kl_minimum_obligation(claim, divergence=kl):
    """Stationary at ρ̂ = ρ and 0 there (a gradient alone cannot see a constant); the curvature
    SymPy derives is the stated one, which is positive: strictly convex."""
    curvature = rho / rho_hat ** 2 + (1 - rho) / (1 - rho_hat) ** 2
    obligation = Obligation.stationary(
        divergence(rho, rho_hat), rho_hat, claim.form, strict_minimum=True, positive=[curvature], value=0,
        unit_interval=(rho, rho_hat), assumptions_used=UNIT,
        steps=("∂Ω/∂ρ̂ = 0 at ρ̂ = ρ", "∂²Ω/∂ρ̂² = ρ/ρ̂² + (1 − ρ)/(1 − ρ̂)² > 0: strictly convex",
               "so ρ̂ = ρ is the only minimum, Ω(ρ) = 0 and Ω ≥ 0"))
    obligation.zero.append(sp.diff(divergence(rho, rho_hat), rho_hat, 2) - curvature)
    return obligation


def pinsker_obligation(claim, divergence=kl):
    gap = divergence(rho, rho_hat) - claim.rhs
    factor = (2 * rho_hat - 1) ** 2 / (rho_hat * (1 - rho_hat))
    obligation = Obligation.gradient(gap, rho_hat, (rho_hat - rho) * factor, unit_interval=(rho, rho_hat),
                                     nonnegative=[factor], assumptions_used=UNIT,
                                     steps=("lhs − rhs = f(ρ̂) = KL(ρ‖ρ̂) − 2(ρ − ρ̂)², f(ρ) = 0",
                                            "f'(ρ̂) = (ρ̂ − ρ)(2ρ̂ − 1)²/(ρ̂(1 − ρ̂)): ≤ 0 below ρ, ≥ 0 above",
                                            "so f ≥ f(ρ) = 0"))
    obligation.zero.append(gap.subs(rho_hat, rho))      # f(ρ) = 0, where the sign argument starts
    return obligation


DERIVATION = register(Derivation(
    id="kl-sparsity",
    title="Sparse autoencoder: the KL penalty and its gradient",
    sources=[Source(SLIDES, "003:405–657 ρ̂_l, Ω(θ), ∂Ω/∂ρ̂_l, ∂ρ̂_l/∂W"),
             Source("UFLDL", "CS294A sparse autoencoder notes")],
    conventions="W is n×k, column l is unit l's weights; H = σ(XW + b) is m×k, one example per row.",
    assumptions=["ρ ∈ (0, 1)", "ρ̂_l ∈ (0, 1) (sigmoid units)", "m examples, n inputs, k hidden units"],
    symbols={"X": "matrix(m,n)", "W": "matrix(n,k)", "b": "vector(k)", "rho": "scalar in (0,1)",
             "rho_hat": "vector(k) in (0,1)"},
    claims=[
        Gradient(
            name="kl-derivative", statement="∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)",
            form=kl_slope(rho, rho_hat),
            symbolic=lambda claim: Obligation.gradient(kl(rho, rho_hat), rho_hat, claim.form,
                                                       unit_interval=(rho, rho_hat), assumptions_used=UNIT),
            sample=sample_rates, objective=lambda p: penalty(p["rho"], p["rho_hat"]), wrt="rho_hat"),
        Minimizer(
            name="kl-minimum", statement="Ω ≥ 0 with its minimum 0 exactly at ρ̂_l = ρ; strictly convex in ρ̂_l",
            uses=("kl-derivative",),
            symbolic=kl_minimum_obligation,
            sample=sample_rates, objective=lambda p, r_hat: penalty(p["rho"], r_hat),
            form=rho, shaped_like="rho_hat", minimum_value=lambda p: 0.0),
        Inequality(
            name="pinsker", statement="each term KL(ρ‖ρ̂_l) ≥ 2(ρ − ρ̂_l)² (Pinsker's inequality)",
            symbolic=pinsker_obligation, sample=sample_rates,
            lhs=lambda p: kl_terms(p["rho"], p["rho_hat"]), rhs=2 * (rho - rho_hat) ** 2),
        Gradient(
            name="mean-activation-gradient",
            statement="∂ρ̂_l/∂W has column l equal to (1/m) Σᵢ σ'(W_lᵀxᵢ + b_l) xᵢ and 0 elsewhere",
            symbolic=mean_gradient_obligation, sample=sample_layer, **LAYER,
            objective=lambda p: mean_activations(p)[p["l"]], form=X.T * SLOPE * UNIT_L * UNIT_L.T / m_, wrt="W"),
        Gradient(
            name="penalty-gradient",
            statement="∂Ω/∂W = (1/m) Xᵀ[H ⊙ (1 − H) ⊙ 1dᵀ], d_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)",
            uses=("kl-derivative", "mean-activation-gradient"),
            symbolic=penalty_gradient_obligation, sample=sample_layer, **LAYER,
            objective=lambda p: penalty(p["rho"], mean_activations(p)),
            form=PENALTY_GRADIENT, wrt="W", training=train_sparse_autoencoder),
        Gradient(
            name="slide-mean-activation-gradient",
            statement="∂ρ̂_l/∂W = xᵢ(g'(Wᵀxᵢ + b))ᵀ (one example's term, no (1/m)Σᵢ, every column)",
            expect=Expect.ERRATUM, corrected_by="mean-activation-gradient",
            source=Printed(SLIDES, 603, r"\frac{\partial \hat{\rho}_l}{\partial W} = \mathbf{x}_i (g'(W^T \mathbf{x}_i + \mathbf{b}))^T",
                           reading="g = σ; i is one example (the first)", also=(625, 657)),
            symbolic=lambda claim: at_sizes(lambda w, means, at: Obligation.gradient(means[0], w, at(claim.form))),
            sample=sample_layer, **LAYER,
            objective=lambda p: mean_activations(p)[p["l"]], form=X.T * EXAMPLE_1 * EXAMPLE_1.T * SLOPE, wrt="W"),
        Gradient(
            name="chained-m-times",
            statement="∂Ω/∂W = Σᵢ xᵢ[g'(Wᵀxᵢ + b) ⊙ d]ᵀ (003:603's term summed over i without 1/m)",
            expect=Expect.PITFALL, corrected_by="penalty-gradient",
            origin="chaining 003:603's one-example ∂ρ̂_l/∂W over all examples and forgetting the 1/m of ρ̂_l",
            symbolic=lambda claim: at_sizes(lambda w, means, at: Obligation.gradient(
                sum(kl(rho, r) for r in means), w, at(claim.form), unit_interval=(rho,))), sample=sample_layer, **LAYER,
            objective=lambda p: penalty(p["rho"], mean_activations(p)), form=m_ * PENALTY_GRADIENT, wrt="W"),
        Gradient(
            name="older-ufldl-derivative", statement="∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/ρ̂_l",
            expect=Expect.PITFALL, corrected_by="kl-derivative",
            origin="a typo once found in the UFLDL notes, not in the course material",
            symbolic=lambda claim: Obligation.gradient(kl(rho, rho_hat), rho_hat, claim.form, unit_interval=(rho, rho_hat)),
            sample=sample_rates, objective=lambda p: penalty(p["rho"], p["rho_hat"]),
            form=-rho / rho_hat + (1 - rho) / rho_hat, wrt="rho_hat"),
        Identity(
            name="expanded-penalty", statement="Ω = Σ_{l=1}^{k} ρ log ρ − ρ log ρ̂_l + (1 − ρ) log(1 − ρ) − "
                                               "(1 − ρ) log(1 − ρ̂_l), the KL sum re-written (003:508, 516)",
            symbolic=lambda claim: Obligation.identity(
                claim.lhs, sp.Sum(sp.expand_log(kl(rho, RATES[L_UNIT]), force=True), (L_UNIT, 0, k_ - 1)),
                assumptions_used=UNIT, steps=("ρ, 1 − ρ, ρ̂_l, 1 − ρ̂_l > 0: log(a/b) = log a − log b in each term",)),
            sample=lambda rng, t: {**(p := sample_rates(rng, t)), "k": len(p["rho_hat"])}, bind={"rho_hat": RATES.label},
            lhs=sp.Sum(kl_expanded(rho, RATES[L_UNIT]), (L_UNIT, 0, k_ - 1)), rhs=lambda p: penalty(p["rho"], p["rho_hat"])),
        Identity(
            name="sum-over-n", statement="Ω = Σ_{l=1}^{n} KL(ρ‖ρ̂_l) (the sum over the n inputs, not the k units)",
            expect=Expect.ERRATUM, corrected_by="kl-minimum",
            source=Printed(SLIDES, 497, r"\Omega(\theta) = \sum_{l=1}^{n}", also=(514, 528, 588, 611),
                           reading="l runs over the first n hidden units: with k > n (an overcomplete "
                                   "code) units n+1..k drop out; with k < n the terms l > k are undefined"),
            premise=Premise("k > n: more hidden units than inputs", lambda p: len(p["rho_hat"]) > p["n"]),
            symbolic=sum_over_n_obligation, sample=sample_units, lhs=lambda p: penalty(p["rho"], p["rho_hat"]),
            rhs=sp.Sum(kl(rho, RATES[L_UNIT]), (L_UNIT, 0, n_ - 1)), bind={"rho_hat": RATES.label}),
        Identity(
            name="unindexed-mean", statement="ρ̂_l = (1/m) Σᵢ h(xᵢ) (no unit index on h)",
            expect=Expect.ERRATUM, corrected_by="mean-activation-gradient",
            source=Printed(SLIDES, 417, r"\hat{\rho}_l = \frac{1}{m} \sum_{i=1}^m h(\mathbf{x}_i)$$", also=(423,),
                           reading="the right side has no l, so every unit gets the same number: the mean "
                                   "of the whole code h over examples and units, not of unit l (003:447)"),
            premise=Premise("k ≥ 2 hidden units", lambda p: p["W"].shape[1] >= 2),
            symbolic=lambda claim: at_sizes(lambda w, means, at: Obligation.identity(sp.Matrix(means).T, at(claim.rhs))),
            sample=sample_layer, lhs=mean_activations, **LAYER,
            rhs=sp.OneMatrix(1, m_) * H * sp.OneMatrix(k_, k_) / (m_ * k_)),
    ]))
