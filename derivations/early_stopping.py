"""Early stopping ≈ L2 regularization with α ≈ 1/(τε).

On the quadratic L̂(w) = ½(w − w*)ᵀH(w − w*), H = QΛQᵀ, τ steps of gradient descent with rate ε
from w⁽⁰⁾ = 0 give Qᵀw⁽τ⁾ = [I − (I − εΛ)^τ] Qᵀw*, while L2 gives Qᵀw̃ = [I − (Λ + αI)⁻¹α] Qᵀw*.
They agree in direction i exactly when αᵢ = λᵢrᵢ/(1 − rᵢ), rᵢ = (1 − ελᵢ)^τ, and
αᵢ = 1/(τε) − λᵢ(τ + 1)/(2τ) + O(λᵢ²): the slide's α ≈ 1/(τε) holds only while τελᵢ ≪ 1,
and no single α fits every direction.
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp

from regverify.numerics import sampling
from regverify.numerics.training import train_with_autograd_check

from regverify.claims import Approximation, Derivation, Evidence, Expect, Identity, NumericVerdict, Source
from regverify.prover import Obligation
from regverify.registry import register

eps, lam, alpha, v = sp.symbols("epsilon lambda alpha v", positive=True)
t = sp.Symbol("t", integer=True, nonnegative=True)
tau = sp.Symbol("tau", integer=True, positive=True)
r = sp.Symbol("r", positive=True)    # (1 − ελ)^τ ∈ (0, 1) when 0 < ελ < 1


def after(steps):
    """Component i of Qᵀw⁽ᵗ⁾ in closed form."""
    return (1 - (1 - eps * lam) ** steps) * v


def exact_alpha(s_lam, s_eps, s_tau):
    ratio = (1 - s_eps * s_lam) ** s_tau
    return s_lam * ratio / (1 - ratio)


# --- numeric twins -----------------------------------------------------------------------------
def sample_direction(rng, trial, s_range=(1e-4, 8.0)):
    """One eigen-direction with 0 < ελ < 1 and s = τελ spread over orders of magnitude."""
    steps = sampling.integer(rng, 1, 200)
    rate = sampling.positive(rng, 1e-3, 0.5)
    s = np.exp(rng.uniform(*np.log(s_range)))
    return {"tau": steps, "eps": rate, "lambda_i": min(s / (steps * rate), 0.99 / rate),
            "v_i": sampling.signed(rng)}


def sample_in_regime(rng, trial):
    return sample_direction(rng, trial, (1e-6, 1e-3))


def sample_out_of_regime(rng, trial):
    return sample_direction(rng, trial, (0.5, 8.0))


def regime(p):
    return p["tau"] * p["eps"] * p["lambda_i"]


def sample_problem(rng, trial):
    n = sampling.size(rng)
    rate = sampling.positive(rng, 0.01, 0.2)
    return {"Q": sampling.orthogonal(rng, n), "lam": rng.uniform(0.05, 0.95 / rate, n),
            "w_star": sampling.normal(rng, n), "eps": rate, "tau": sampling.integer(rng, 1, 60)}


def gd_iterate(p):
    """τ full-matrix gradient steps on ½(w − w*)ᵀH(w − w*) from 0 (no closed form used)."""
    h = p["Q"] @ np.diag(p["lam"]) @ p["Q"].T
    w = np.zeros_like(p["w_star"])
    for _ in range(p["tau"]):
        w = w - p["eps"] * h @ (w - p["w_star"])
    return w


def ridge(h, w_star, alphas):
    """argmin ½(w − w*)ᵀH(w − w*) + ½ Σ αᵢ (qᵢᵀw)²: one α per eigen-direction (or one for all)."""
    lm, q = np.linalg.eigh(h)
    return q @ ((lm / (lm + alphas)) * (q.T @ w_star))


# --- training run: τ steps of GD against ridge, across regimes --------------------------------
def gd_against_ridge(rng, top: float, n: int, rate: float, steps: int) -> dict:
    """τ steps of GD on a quadratic whose τελᵢ span [top/1000, top], against ridge with
    α = 1/(τε) and with the exact αᵢ (relative weight errors), and against autograd's run."""
    lam_i = np.geomspace(top * 1e-3, top, n) / (steps * rate)
    q = sampling.orthogonal(rng, n)
    h = q @ np.diag(lam_i) @ q.T
    w_star = rng.standard_normal(n)

    def loss(p):
        d = p["w"] - w_star
        return 0.5 * anp.dot(d, anp.dot(h, d))

    run, cross_check = train_with_autograd_check(
        {"w": np.zeros(n)}, lambda p: {"w": h @ (p["w"] - w_star)}, loss, rate, steps, steps)
    w_gd, lm = run.params["w"], np.linalg.eigvalsh(h)
    scale = np.linalg.norm(w_gd)
    return {
        "rel_error_alpha_one_over_tau_eps": float(np.linalg.norm(ridge(h, w_star, 1 / (steps * rate)) - w_gd) / scale),
        "rel_error_exact_alpha_i": float(np.linalg.norm(ridge(h, w_star, exact_alpha(lm, rate, steps)) - w_gd) / scale),
        "autograd_run_gap": cross_check["max_param_rel_gap"]}


def train_early_stopping(seed: int, quick: bool) -> Evidence:
    rng = np.random.default_rng(seed)
    n, rate, steps = 40, 0.01, 100                  # 1/(τε) = 1
    rows = {label: gd_against_ridge(rng, top, n, rate, steps)
            for label, top in (("inside (τελ ≤ 0.01)", 1e-2), ("across (τελ up to 10)", 10.0))}
    s = np.linspace(0.01, 10, 100000)
    gap = (1 - np.exp(-s)) - s / (1 + s)
    lam_table = np.array([0.01, 0.1, 0.5, 1, 3, 10])
    figures = {"eps": rate, "tau": steps, "regimes": rows,
               "alpha_i_at_lambda": dict(zip(map(str, lam_table), np.round(exact_alpha(lam_table, rate, steps), 4).tolist())),
               "max_shrinkage_gap": float(gap.max()), "at_s": float(s[gap.argmax()])}
    inside, across = rows["inside (τελ ≤ 0.01)"], rows["across (τελ up to 10)"]
    ok = (max(inside["autograd_run_gap"], across["autograd_run_gap"]) < 1e-12
          and inside["rel_error_exact_alpha_i"] < 1e-10 and across["rel_error_exact_alpha_i"] < 1e-10
          and inside["rel_error_alpha_one_over_tau_eps"] < 1e-2
          and across["rel_error_alpha_one_over_tau_eps"] > 10 * inside["rel_error_alpha_one_over_tau_eps"])
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)


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
            symbolic=lambda: Obligation(
                zero=[after(0), after(t + 1) - (after(t) - eps * lam * (after(t) - v))],
                steps=("t = 0: (1 − 1)v = 0 = w⁽⁰⁾",
                       "step: w⁽ᵗ⁺¹⁾ = w⁽ᵗ⁾ − ελ(w⁽ᵗ⁾ − v) in direction i; induction on t")),
            sample=sample_problem,
            lhs=lambda p: p["Q"].T @ gd_iterate(p),
            rhs=lambda p: (1 - (1 - p["eps"] * p["lam"]) ** p["tau"]) * (p["Q"].T @ p["w_star"]),
            rtol=1e-9),
        Identity(
            name="l2-eigen-form",
            statement="L2: Qᵀw̃ = [I − (Λ + αI)⁻¹α] Qᵀw*",
            symbolic=lambda: Obligation(zero=[lam / (lam + alpha) - (1 - alpha / (lam + alpha))]),
            sample=lambda rng, trial: {**sample_problem(rng, trial), "alpha": sampling.positive(rng)},
            lhs=lambda p: p["Q"].T @ np.linalg.solve(
                (h := p["Q"] @ np.diag(p["lam"]) @ p["Q"].T) + p["alpha"] * np.eye(len(h)), h @ p["w_star"]),
            rhs=lambda p: (1 - p["alpha"] / (p["lam"] + p["alpha"])) * (p["Q"].T @ p["w_star"]),
            rtol=1e-9),
        Identity(
            name="exact-alpha",
            statement="early stopping and L2 agree in direction i exactly at αᵢ = λᵢrᵢ/(1 − rᵢ), rᵢ = (1 − ελᵢ)^τ",
            symbolic=lambda: Obligation(zero=[(a := lam * r / (1 - r)) / (lam + a) - r],
                                        unit_interval=(r,),
                                        steps=("α/(λ + α) = r ⇔ α = λr/(1 − r)",)),
            sample=sample_direction,
            lhs=lambda p: (1 - (1 - p["eps"] * p["lambda_i"]) ** p["tau"]) * p["v_i"],
            rhs=lambda p: (lambda a: p["lambda_i"] / (p["lambda_i"] + a) * p["v_i"])(
                exact_alpha(p["lambda_i"], p["eps"], p["tau"])),
            rtol=1e-9, trials=40),
        Approximation(
            name="alpha-approximation",
            statement="αᵢ = 1/(τε) − λᵢ(τ + 1)/(2τ) + O(λᵢ²), so α ≈ 1/(τε) while τελᵢ ≪ 1",
            symbolic=lambda: Obligation(zero=[
                sp.series(exact_alpha(lam, eps, tau), lam, 0, 2).removeO()
                - (1 / (tau * eps) - lam * (tau + 1) / (2 * tau))]),
            sample=sample_in_regime, outside_sample=sample_out_of_regime,
            lhs=lambda p: exact_alpha(p["lambda_i"], p["eps"], p["tau"]),
            rhs=lambda p: 1 / (p["tau"] * p["eps"]),
            regime=regime, regime_text="s = τελᵢ", inside=1e-3, rtol=1e-3,
            training=train_early_stopping),
        Identity(
            name="alpha-exact-everywhere",
            statement="early stopping equals L2 with α = 1/(τε) (as printed, read as exact in every direction)",
            expect=Expect.ERRATUM, corrected_by="exact-alpha",
            symbolic=lambda: Obligation(zero=[exact_alpha(lam, eps, tau) - 1 / (tau * eps)],
                                        constraint=lambda pt: pt["epsilon"] * pt["lambda"] < 1),
            sample=sample_direction,
            lhs=lambda p: exact_alpha(p["lambda_i"], p["eps"], p["tau"]),
            rhs=lambda p: 1 / (p["tau"] * p["eps"]), trials=20),
    ]))
