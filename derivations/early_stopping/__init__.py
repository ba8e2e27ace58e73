"""Early stopping ≈ L2 regularization with α ≈ 1/(τε).

On the quadratic L̂(w) = ½(w − w*)ᵀH(w − w*), H = QΛQᵀ, τ steps of gradient descent with rate ε
from w⁽⁰⁾ = 0 give Qᵀw⁽τ⁾ = [I − (I − εΛ)^τ] Qᵀw*, while L2 gives Qᵀw̃ = [I − (Λ + αI)⁻¹α] Qᵀw*.
They agree in direction i exactly when αᵢ = λᵢrᵢ/(1 − rᵢ), rᵢ = (1 − ελᵢ)^τ, and
αᵢ = 1/(τε) − λᵢ(τ + 1)/(2τ) + O(λᵢ²): the slide's α ≈ 1/(τε) holds only while τελᵢ ≪ 1,
and no single α fits every direction.
"""
import numpy as np
import sympy as sp

from regverify.claims import Approximation, Derivation, Expect, Identity, Minimizer, Premise, Source
from regverify.numerics import sampling
from regverify.prover import Obligation
from regverify.registry import register
from regverify.symbolic import agrees_with_printed

from .twins import (TABLE, best_ridge_match, exact_alpha, gd_iterate, gd_map_trace, lambert_w, measured_alpha,
                    regime, remainder, ridge_factor, sample_direction, sample_in_regime, sample_out_of_regime,
                    sample_overshoot, sample_problem, sample_with_start, train_early_stopping)

eps, lam, alpha, v = sp.symbols("epsilon lambda alpha v", positive=True)
t = sp.Symbol("t", integer=True, nonnegative=True)
tau = sp.Symbol("tau", integer=True, positive=True)
r = sp.Symbol("r", positive=True)    # (1 − ελ)^τ ∈ (0, 1) when 0 < ελ < 1


def after(steps, start=0):
    """Component i of Qᵀw⁽ᵗ⁾ in closed form, from (Qᵀw⁽⁰⁾)ᵢ = start."""
    return start + (1 - remainder(eps, lam, steps)) * (v - start)


# --- odd τ with 1 < ελ < 2; a start w⁽⁰⁾ ≠ 0; the effective number of parameters ---------------
x_over = sp.Symbol("x", positive=True)                 # ελ − 1 ∈ (0, 1)
tau_odd = sp.Symbol("tau", odd=True, positive=True)
c0 = sp.Symbol("c_0", real=True)                       # (Qᵀw⁽⁰⁾)ᵢ
alpha_nonneg, c = sp.Symbol("alpha", nonnegative=True), sp.Symbol("c", real=True)


def overshoot_obligation(claim) -> Obligation:
    """rᵢ from its definition at ελᵢ = 1 + x; the gap is GD's factor minus ridge's, as a function
    of α: positive at α = 0 and increasing (derived), so its smallest absolute value is its value
    at 0, which must be the stated one."""
    over = {eps: (1 + x_over) / lam}
    gap_in_alpha = (1 - remainder(eps, lam, tau_odd).subs(over)) - ridge_factor(lam, alpha_nonneg)
    return Obligation(
        zero=[gap_in_alpha.subs(alpha_nonneg, 0) - claim.rhs.subs(over)], derived_by="differentiation",
        positive=[gap_in_alpha.subs(alpha_nonneg, 0), sp.diff(gap_in_alpha, alpha_nonneg)], unit_interval=(x_over,),
        assumptions_used=("ελᵢ = 1 + x, 0 < x < 1", "τ odd"),
        steps=("rᵢ = (1 − ελᵢ)^τ = (−x)^τ = −x^τ < 0 for odd τ",
               "gap(α) = (1 − rᵢ) − λ/(λ + α): gap(0) = −rᵢ > 0 and d gap/dα = λ/(λ + α)² > 0",
               "so min over α ≥ 0 of |gap(α)| = gap(0) = −rᵢ: no α ≥ 0 matches"))


def trajectory_obligation(component, start, **details) -> Obligation:
    """``component`` (a form in τ) is GD's iterate in direction i: it is ``start`` at τ = 0 and
    takes one gradient step w ← w − ελ(w − v) from τ to τ + 1 (induction on τ)."""
    at = lambda steps: component.xreplace({tau: steps})
    return Obligation(zero=[at(0) - start, at(t + 1) - (at(t) - eps * lam * (at(t) - v))], **details)


def centred_ridge(centre):
    """Direction i of argmin ½λ(c − v)² + ½α(c − centre)² at the exact αᵢ."""
    a = exact_alpha(lam, eps, tau)
    return (lam * v + a * centre) / (lam + a)


R_TAU = remainder(eps, lam, tau)     # rᵢ written out, replaced by the symbol r in the proofs
ONE_DIRECTION = {"lambda_i": lam, "eps": eps, "v_i": v}   # sample keys of a direction / a problem
EVERY_DIRECTION = {"lam": lam, "eps": eps}


def centred_obligation(claim) -> Obligation:
    """GD from c₀ is c₀ + (1 − r)(v − c₀) (induction); the stated form is the stationary point of
    ½λ(c − v)² + ½α(c − c₀)² at α = λr/(1 − r) (derived) and equals GD's iterate."""
    stated = claim.rhs.xreplace({R_TAU: r})
    obligation = trajectory_obligation(
        after(tau, c0), c0, unit_interval=(r,), assumptions_used=("0 < rᵢ < 1", "QᵀHQ = Λ"),
        steps=("Qᵀw⁽ᵗ⁾ = c₀ + (1 − (1 − ελ)^t)(v − c₀): base and induction step",
               "argmin ½λ(c − v)² + ½α(c − c₀)² = (λv + αc₀)/(λ + α) (derived)",
               "at α = λr/(1 − r) it is c₀ + (1 − r)(v − c₀)"))
    obligation.zero += [after(tau, c0).xreplace({R_TAU: r}) - stated, *Obligation.stationary(
        lam / 2 * (c - v) ** 2 + lam * r / (1 - r) / 2 * (c - c0) ** 2, c, stated).zero]
    return obligation


I_DIR, N_DIRS = sp.Symbol("i", integer=True, nonnegative=True), sp.Symbol("n", integer=True, positive=True)
LAMBDAS, VS = sp.IndexedBase("lambda"), sp.IndexedBase("v")


def in_direction(expr, i):
    """A one-direction expression for direction i of n: λ → λᵢ, v → vᵢ."""
    return expr.xreplace({lam: LAMBDAS[i], v: VS[i]})


def effective_obligation(claim) -> Obligation:
    """tr ∂w⁽τ⁾/∂w* = Σᵢ ∂(Qᵀw⁽τ⁾)ᵢ/∂vᵢ (the trace is invariant under Qᵀ·Q), each derived."""
    trace = sp.Sum(sp.diff(in_direction(after(tau), I_DIR), VS[I_DIR]), (I_DIR, 0, N_DIRS - 1))
    return Obligation(zero=[trace - claim.rhs], derived_by="differentiation",
                      assumptions_used=("w⁽⁰⁾ = 0", "the trace is invariant under Qᵀ·Q"),
                      steps=("∂(Qᵀw⁽τ⁾)ᵢ/∂vᵢ = 1 − (1 − ελᵢ)^τ",
                             "tr ∂w⁽τ⁾/∂w* = tr Q diag(…) Qᵀ = Σᵢ[1 − (1 − ελᵢ)^τ]"))


# --- the measured figures of the catalog, and the largest shrinkage gap ------------------------
def table_obligation(claim) -> Obligation:
    """Each stated figure within half a unit of its last printed digit of the exact αᵢ."""
    e, t = sp.Rational(1, 100), TABLE["tau"]
    within = []
    for lam_i, printed, stated in zip(TABLE["lambda"], TABLE["alpha"], claim.rhs):
        half_unit = agrees_with_printed(sp.Rational(printed), printed)
        within.append(half_unit - sp.Abs(exact_alpha(sp.nsimplify(lam_i), e, t) - stated))
    return Obligation(positive=within,
                      assumptions_used=("ε = 1/100, τ = 100",),
                      steps=("rᵢ = (1 − ελᵢ)^τ exactly", "αᵢ = λᵢrᵢ/(1 − rᵢ)",
                             "|αᵢ − printed| < half a unit in the last printed digit"))


s_sym = sp.Symbol("s", positive=True)
W_BRANCH = sp.LambertW(-sp.exp(-sp.Rational(1, 2)) / 2, -1)
S_STAR = -1 - 2 * W_BRANCH                       # (1 + s)² = eˢ, the root > 0


def gap(s):
    return 1 - sp.exp(-s) - s / (1 + s)


def gap_obligation(claim) -> Obligation:
    """The derivative of −gap at s* reduces to 0 using W e^W = x (the definition of Lambert W);
    second order and the catalog's figures are signs of exact numbers."""
    stationary = Obligation.stationary(-gap(s_sym), s_sym, claim.form[0], strict_minimum=True)
    x = -sp.exp(-sp.Rational(1, 2)) / 2
    stationary.zero = [sp.expand(z).xreplace({sp.exp(2 * W_BRANCH): (x / W_BRANCH) ** 2}) for z in stationary.zero]
    stationary.positive += [agrees_with_printed(gap(S_STAR), "0.2036"), agrees_with_printed(S_STAR, "2.513")]
    stationary.assumptions_used = ("s > 0", "s* = −1 − 2W₋₁(−e^{−1/2}/2)")
    stationary.steps = ("d/ds[1 − e⁻ˢ − s/(1 + s)] = e⁻ˢ − 1/(1 + s)² = 0 ⇔ (1 + s)² = eˢ",
                        "1 + s = −2W₋₁(−e^{−1/2}/2) solves it (W e^W = x)",
                        "second derivative < 0 there; gap(s*) = 0.2036… and s* = 2.513… to the digits shown "
                        "(so ≈ 0.204 and ≈ 2.51)")
    return stationary


DERIVATION = register(Derivation(
    id="early-stopping",
    title="Early stopping ≈ L2 with α ≈ 1/(τε)",
    sources=[Source("004_b86d6fd376fce36f.txt", "Early stopping: α ≈ 1/(τε) (GBC 7.33–7.45)")],
    conventions="Quadratic L̂ with H = QΛQᵀ; w⁽⁰⁾ = 0; learning rate ε; τ steps; L2 as (α/2)‖w‖².",
    assumptions=["0 < ελᵢ < 1 (so 0 < rᵢ < 1)", "w⁽⁰⁾ = 0 (otherwise the penalty is centred at w⁽⁰⁾)"],
    symbols={"tau": "integer ≥ 1", "eps": "scalar > 0", "lambda_i": "scalar > 0", "v_i": "(Qᵀw*)ᵢ"},
    claims=[
        Identity(
            name="gd-trajectory",
            statement="Qᵀw⁽τ⁾ = [I − (I − εΛ)^τ] Qᵀw* (component i: (1 − (1 − ελᵢ)^τ) vᵢ)",
            symbolic=lambda claim: trajectory_obligation(
                claim.rhs, 0, assumptions_used=("w⁽⁰⁾ = 0", "QᵀHQ = Λ: GD decouples into eigen-directions"),
                steps=("t = 0: (1 − 1)v = 0 = w⁽⁰⁾",
                       "step: w⁽ᵗ⁺¹⁾ = w⁽ᵗ⁾ − ελ(w⁽ᵗ⁾ − v) in direction i; induction on t")),
            sample=sample_problem, lhs=lambda p: p["Q"].T @ gd_iterate(p), rhs=after(tau), bind=EVERY_DIRECTION, rtol=1e-9),
        Identity(
            name="l2-eigen-form",
            statement="L2: Qᵀw̃ = [I − (Λ + αI)⁻¹α] Qᵀw*",
            symbolic=lambda claim: Obligation.identity(ridge_factor(lam, alpha) * v, claim.rhs,
                                                       steps=("λ/(λ + α) = 1 − α/(λ + α)",)),
            uses=("l2-shrinkage/eigen-factor",),
            sample=lambda rng, trial: {**sample_problem(rng, trial), "alpha": sampling.positive(rng)},
            lhs=lambda p: p["Q"].T @ np.linalg.solve(
                (h := p["Q"] @ np.diag(p["lam"]) @ p["Q"].T) + p["alpha"] * np.eye(len(h)), h @ p["w_star"]),
            rhs=(1 - alpha / (lam + alpha)) * v, bind=EVERY_DIRECTION, rtol=1e-9),
        Identity(
            name="exact-alpha",
            statement="early stopping and L2 agree in direction i exactly at αᵢ = λᵢrᵢ/(1 − rᵢ), rᵢ = (1 − ελᵢ)^τ",
            symbolic=lambda claim: Obligation.identity(
                claim.rhs.xreplace({R_TAU: r}), (1 - r) * v, unit_interval=(r,), assumptions_used=("0 < ελᵢ < 1",),
                steps=("α/(λ + α) = r ⇔ α = λr/(1 − r)",)),
            uses=("gd-trajectory", "l2-eigen-form"),
            sample=sample_direction,
            lhs=lambda p: (1 - remainder(p["eps"], p["lambda_i"], p["tau"])) * p["v_i"],
            rhs=ridge_factor(lam, exact_alpha(lam, eps, tau)) * v, bind=ONE_DIRECTION, rtol=1e-9, trials=40),
        Approximation(
            name="alpha-approximation",
            statement="αᵢ = 1/(τε) − λᵢ(τ + 1)/(2τ) + O(λᵢ²), so α ≈ 1/(τε) while τελᵢ ≪ 1 (004:590–592)",
            symbolic=lambda claim: Obligation.identity(
                sp.series(exact_alpha(lam, eps, tau), lam, 0, 2).removeO(), claim.rhs,
                steps=("expand rᵢ = (1 − ελᵢ)^τ to second order in λᵢ", "series of λr/(1 − r) at λ = 0")),
            uses=("exact-alpha",),
            sample=sample_in_regime, outside_sample=sample_out_of_regime,
            lhs=lambda p: exact_alpha(p["lambda_i"], p["eps"], p["tau"]),
            rhs=1 / (tau * eps) - lam * (tau + 1) / (2 * tau), bind={"lambda_i": lam, "eps": eps},
            # the order is measured from s = τελ = 0.3 down to 0.3/16, where the λ² term is far
            # above rounding (inside the regime it is at s² ≤ 1e-6, next to 1e-16/s of rounding)
            order=2, toward=lambda p, t: {**p, "lambda_i": 0.3 * t / (p["tau"] * p["eps"])},
            regime=regime, regime_text="s = τελᵢ", inside=1e-3, rtol=1e-3,
            training=train_early_stopping),
        Identity(
            name="alpha-exact-everywhere",
            statement="early stopping equals L2 with α = 1/(τε) exactly, in every direction",
            expect=Expect.PITFALL, corrected_by="exact-alpha",
            origin="the slide's α ≈ 1/(τε) (004:592) read as an equality",
            symbolic=lambda claim: Obligation.identity(exact_alpha(lam, eps, tau), claim.rhs,
                                                       constraint=lambda pt: pt["epsilon"] * pt["lambda"] < 1),
            sample=sample_direction,
            lhs=lambda p: exact_alpha(p["lambda_i"], p["eps"], p["tau"]), rhs=1 / (tau * eps), bind=ONE_DIRECTION, trials=20),
        Identity(
            name="no-alpha-when-overshooting",
            statement="if 1 < ελᵢ < 2 and τ is odd, rᵢ < 0 and no α ≥ 0 matches: min over α ≥ 0 of "
                      "|λᵢ/(λᵢ + α) − (1 − rᵢ)| = −rᵢ > 0 (at α = 0)",
            symbolic=overshoot_obligation,
            sample=sample_overshoot, lhs=best_ridge_match,
            rhs=-remainder(eps, lam, tau_odd), bind=ONE_DIRECTION, rtol=1e-10, trials=20),
        Identity(
            name="penalty-centred-at-start",
            statement="from w⁽⁰⁾ ≠ 0, τ steps of GD equal L2 with the exact αᵢ and the penalty centred at w⁽⁰⁾: "
                      "½Σᵢαᵢ(qᵢᵀ(w − w⁽⁰⁾))²",
            symbolic=centred_obligation, uses=("exact-alpha",), sample=sample_with_start,
            lhs=lambda p: p["Q"].T @ gd_iterate(p), rhs=centred_ridge(c0), bind=EVERY_DIRECTION, rtol=1e-8),
        Identity(
            name="penalty-centred-at-zero",
            statement="from w⁽⁰⁾ ≠ 0, τ steps of GD still equal L2 with the penalty centred at 0",
            expect=Expect.PITFALL, corrected_by="penalty-centred-at-start",
            origin="the equivalence is derived from w⁽⁰⁾ = 0 and then applied to any start",
            premise=Premise("w⁽⁰⁾ ≠ 0", lambda p: bool(np.any(p["w0"] != 0))),
            sample=sample_with_start, lhs=lambda p: p["Q"].T @ gd_iterate(p), rhs=centred_ridge(0), bind=EVERY_DIRECTION, rtol=1e-8),
        Identity(
            name="effective-parameters",
            statement="effective number of parameters after τ steps: tr(∂w⁽τ⁾/∂w*) = Σᵢ[1 − (1 − ελᵢ)^τ]",
            symbolic=effective_obligation, uses=("gd-trajectory", "l2-shrinkage/effective-parameters"),
            sample=lambda rng, trial: {**(p := sample_problem(rng, trial)), "n": len(p["lam"])}, lhs=gd_map_trace,
            rhs=sp.Sum(in_direction(1 - R_TAU, I_DIR), (I_DIR, 0, N_DIRS - 1)),
            bind={"lam": LAMBDAS.label, "eps": eps}, rtol=1e-10),
        Identity(
            name="alpha-table",
            statement="at ε = 0.01, τ = 100: αᵢ = 0.995, 0.950, 0.768, 0.577, 0.150, 2.7e-4 for "
                      "λᵢ = 0.01, 0.1, 0.5, 1, 3, 10 (the catalog's figures, to the digits printed)",
            symbolic=table_obligation,
            sample=lambda rng, trial: {"eps": TABLE["eps"], "tau": TABLE["tau"], "lambda": np.array(TABLE["lambda"], float)},
            lhs=measured_alpha, rhs=sp.Matrix([sp.Rational(a) for a in TABLE["alpha"]]),
            rtol=1e-12, trials=1, uses=("exact-alpha",)),
        Minimizer(
            name="largest-shrinkage-gap",
            statement="the shrinkage factors 1 − e⁻ˢ (early stopping, small ελ) and s/(1 + s) (ridge at "
                      "α = 1/(τε)), s = τελ, differ at most by ≈ 0.204, at s ≈ 2.51 where (1 + s)² = eˢ",
            symbolic=gap_obligation,
            sample=lambda rng, trial: {},
            objective=lambda p, u: -(1 - np.exp(-u[0]) - u[0] / (1 + u[0])),
            form=sp.Matrix([S_STAR]), functions={"LambertW": lambert_w}, minimum_value=lambda p: -float(gap(S_STAR)), trials=1),
    ]))
