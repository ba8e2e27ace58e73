"""Weight decay in an autoencoder: the penalty λ‖θ‖² adds 2λW to the gradient.

The slides (001:40, 003:47) regularize the reconstruction error with λ‖θ‖², no ½:
J = (1/m) Σᵢ Σⱼ (x̂ᵢⱼ − xᵢⱼ)² + λ‖θ‖², θ = (W, W*, b, c) stacked into one vector.
∂(λθᵀθ)/∂θ = 2λθ, so the penalty adds 2λW to ∂J/∂W. The slides say "λW", which is the gradient
of (λ/2)‖θ‖²; the lecturer says so aloud (000:155, "should have been 2 lambda w, but of course,
you do a half here").
"""
import dataclasses
from types import SimpleNamespace

import autograd.numpy as anp
import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.claims import Derivation, Evidence, Expect, Gradient, Identity, NumericVerdict, Premise, Printed, Source
from regverify.sums import sums_merged
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits
from regverify.numerics.gradcheck import numeric_jacobian
from regverify.numerics.training import thinned, train_with_autograd_check
from regverify.prover import Obligation, sigma
from regverify.registry import register
from regverify.symbolic import at_explicit, symbol_vector

# --- symbols: θ stacked as one vector, and the AE, at every size ------------------------------
p = sp.Symbol("p", integer=True, positive=True)
theta = sp.MatrixSymbol("theta", p, 1)
lam = sp.Symbol("lambda", positive=True)
m_, n_, k_ = sp.symbols("m n k", integer=True, positive=True)
X_, W_, V_ = sp.MatrixSymbol("X", m_, n_), sp.MatrixSymbol("W", n_, k_), sp.MatrixSymbol("V", n_, k_)
B_, C_ = sp.MatrixSymbol("b", k_, 1), sp.MatrixSymbol("c", n_, 1)
ONES = sp.OneMatrix(m_, 1)
H_ = ElementwiseApplyFunction(sigma, X_ * W_ + ONES * B_.T)          # H = σ(XW + 1bᵀ)
R_ = H_ * V_.T + ONES * C_.T - X_                                     # R = X̂ − X


# ∂J/∂W as stated: (2/m) Xᵀ[(RV) ⊙ H ⊙ (1 − H)] + 2λW
ERROR_GRADIENT = 2 / m_ * X_.T * sp.hadamard_product(R_ * V_, sp.hadamard_product(H_, sp.OneMatrix(m_, k_) - H_))
OBJECTIVE_GRADIENT = ERROR_GRADIENT + 2 * lam * W_
eta = sp.Symbol("eta", positive=True)                                 # the learning rate


def as_step(claim, variable):     # a stated step v − η·g is a claim on g = (v − step)/η, derived as a gradient
    return SimpleNamespace(form=(variable - claim.rhs) / eta)


def penalty_obligation(claim, scale=1, size=None) -> Obligation:
    """∂/∂θ of scale·λ θᵀθ against the claim's form (2λθ for the slides' λ‖θ‖², λθ for
    (λ/2)‖θ‖²). ``size``: at an explicit θ of that many entries instead of every size."""
    t = theta if size is None else symbol_vector("theta", size, real=True)
    claimed = claim.form if size is None else at_explicit(claim.form, {theta: t})
    return Obligation.gradient(
        scale * lam * t.T * t, t, claimed,
        assumptions_used=("‖θ‖² = θᵀθ over all parameters stacked",),
        steps=("‖θ‖² = θᵀθ", "∂(θᵀθ)/∂θ = 2θ", f"so ∂({scale}·λ‖θ‖²)/∂θ = {2 * scale}λθ; "
               "its W block is the W term"))


def squared_norm(matrix):                      # ‖M‖²_F as a 1×1 matrix: Σ of the squared entries
    return sp.OneMatrix(1, matrix.shape[0]) * sp.HadamardPower(matrix, 2) * sp.OneMatrix(matrix.shape[1], 1)


def ae_obligation(claim) -> Obligation:
    """The whole objective, differentiated at a generic entry W[p, q] for every m, n, k, against the
    claim's form there; both sides' sums merged before the prover gathers them."""
    j = squared_norm(R_) / m_ + lam * (squared_norm(W_) + squared_norm(V_) + squared_norm(B_) + squared_norm(C_))
    obligation = Obligation.gradient_at_entry(
        j, W_, claim.form, assumptions_used=("σ logistic, σ' = σ(1 − σ)", "θ = (W, V = W*, b, c)"),
        steps=("J = (1/m) Σᵢⱼ Rᵢⱼ² + λ(‖W‖² + ‖V‖² + ‖b‖² + ‖c‖²), R = σ(XW + 1bᵀ)Vᵀ + 1cᵀ − X",
               "∂/∂Wₚ_q of the error: (2/m) Σᵢ Xᵢₚ Hᵢ_q(1 − Hᵢ_q) Σⱼ Rᵢⱼ Vⱼ_q, for every m, n, k",
               "∂/∂Wₚ_q of λ‖θ‖²: 2λWₚ_q"))
    return dataclasses.replace(obligation, zero=[sums_merged(z) for z in obligation.zero])


# --- numeric twins (NumPy; the objective is written once, the gradient by hand) --------------
def sample_ae(rng, trial):
    m, n, k = sampling.size(rng, 2, 5), sampling.size(rng, 2, 5), sampling.size(rng, 2, 5)
    return {"X": sampling.normal(rng, (m, n)), "W": sampling.normal(rng, (n, k)),
            "V": sampling.normal(rng, (n, k)), "b": sampling.normal(rng, k),
            "c": sampling.normal(rng, n), "lambda": float(sampling.positive(rng, 0.05, 5.0))}


def objective(p):
    h = sigmoid(p["X"] @ p["W"] + p["b"])
    r = h @ p["V"].T + p["c"] - p["X"]
    norm2 = sum(np.sum(p[key] ** 2) for key in ("W", "V", "b", "c"))
    return np.sum(r * r) / len(p["X"]) + p["lambda"] * norm2


def sample_theta(rng, trial):   # θ = (W, V, b, c) stacked
    q = sample_ae(rng, trial)
    return {"theta": np.concatenate([np.ravel(q[key]) for key in ("W", "V", "b", "c")]), "lambda": q["lambda"]}


def stacked_penalty(q, scale=1.0):
    return scale * q["lambda"] * np.sum(q["theta"] ** 2)


def stepped(p, key, loss):        # v − η ∂loss/∂v, the gradient by complex step on the twin
    return p[key] - p["eta"] * numeric_jacobian(lambda v: loss({**p, key: v}), p[key], "complex-step")


def with_rate(sample):
    return lambda rng, trial: {**sample(rng, trial), "eta": float(sampling.positive(rng, 1e-3, 0.5))}


NO_HALF = Premise("the objective is λ‖θ‖² (no ½), λ > 0, θ ≠ 0",
                  lambda p: p["lambda"] > 0 and np.any(p["theta"] != 0))


# --- training run: a digits AE with weight decay, closed form vs autograd at every step -------
def train_weight_decay(seed: int, quick: bool, factor: float = 2.0, lam_value: float = 1e-3) -> Evidence:
    """Train with the closed-form gradient (penalty term ``factor``·λW; the planted twin uses 1)
    and with autograd's gradient of the same λ‖θ‖² loss: both must follow one trajectory."""
    x = digits(300, seed)
    rng = np.random.default_rng(seed)
    n, k = x.shape[1], 16
    start = {"W": rng.normal(0, 0.1, (n, k)), "V": rng.normal(0, 0.1, (n, k)),
             "b": np.zeros(k), "c": np.zeros(n)}

    def loss(q):
        h = sigmoid(anp.dot(x, q["W"]) + q["b"])
        r = anp.dot(h, q["V"].T) + q["c"] - x
        return anp.sum(r * r) / len(x) + lam_value * sum(anp.sum(q[key] ** 2) for key in q)

    def gradient(q):
        h = sigmoid(x @ q["W"] + q["b"])
        r = h @ q["V"].T + q["c"] - x
        back = (r @ q["V"]) * h * (1 - h)
        decay = {key: factor * lam_value * value for key, value in q.items()}
        return {"W": 2 * x.T @ back / len(x) + decay["W"], "V": 2 * r.T @ h / len(x) + decay["V"],
                "b": 2 * back.sum(axis=0) / len(x) + decay["b"],
                "c": 2 * r.sum(axis=0) / len(x) + decay["c"]}

    steps = 40 if quick else 120
    run, gaps = train_with_autograd_check(start, gradient, loss, 0.05, steps)
    detail = {"data": f"digits {x.shape[0]}x{n}, AE {n}->{k}->{n}", "lambda": lam_value,
              "penalty_term": f"{factor:g}·λW", "steps": steps, **gaps,
              "loss_first": run.losses[0], "loss_last": run.losses[-1],
              "curves": {"loss (closed form)": thinned(run.losses)}}
    ok = gaps["max_param_rel_gap"] < 1e-10 and gaps["max_loss_rel_gap"] < 1e-10 \
        and run.losses[-1] < run.losses[0]
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)


SLIDES_001, SLIDES_003 = "001_70756d2e651c3bac.txt", "003_c3291310eed8186c.txt"
READING = ("the objective on the slide above (001:40, 003:47) is λ‖θ‖² without ½; the transcript "
           "corrects it aloud at 000:155 (\"should have been 2 lambda w\"). λW is the gradient "
           "of (λ/2)‖θ‖²")

DERIVATION = register(Derivation(
    id="ae-weight-decay",
    title="Weight decay in an autoencoder: λ‖θ‖² adds 2λW to the gradient",
    sources=[Source("000_d1f253078589f78b.txt", "transcript: L2 penalty, \"should have been 2 lambda w\" (155)"),
             Source(SLIDES_001, "module 7.3 slides: the L2-regularized objective (40–42)"),
             Source(SLIDES_003, "Autoencoder Part-II: L2 regularization (47–48)")],
    conventions="W is n×k; H = σ(XW + 1bᵀ), X̂ = HVᵀ + 1cᵀ with V = W* (untied); rows are examples; "
                "θ = (W, V, b, c) stacked; the penalty is λ‖θ‖² as printed (no ½).",
    assumptions=["λ > 0", "σ is the logistic sigmoid"],
    symbols={"X": "matrix(m,n)", "W": "matrix(n,k)", "V": "matrix(n,k)", "b": "vector(k)",
             "c": "vector(n)", "lambda": "scalar > 0"},
    claims=[
        Gradient(
            name="penalty-gradient",
            statement="∂(λ‖θ‖²)/∂θ = 2λθ; its W block is 2λW",
            form=2 * lam * theta, symbolic=lambda claim: penalty_obligation(claim, 1),
            sample=sample_theta, wrt="theta", objective=stacked_penalty),
        Gradient(
            name="objective-gradient",
            statement="∂J/∂W = (2/m) Xᵀ[(RV) ⊙ H ⊙ (1 − H)] + 2λW for J = (1/m)ΣΣ(x̂ − x)² + λ‖θ‖²",
            form=OBJECTIVE_GRADIENT, symbolic=ae_obligation, functions={"sigma": sigmoid},
            sample=sample_ae, wrt="W", objective=objective, uses=("penalty-gradient",),
            training=train_weight_decay),
        Identity(
            name="decay-update", uses=("objective-gradient",),
            statement="the update on J adds −η·2λW to the update on the error (000:153–154): "
                      "W − η∂J/∂W = W − η(2/m)Xᵀ[(RV) ⊙ H ⊙ (1 − H)] − 2ηλW",
            rhs=W_ - eta * ERROR_GRADIENT - 2 * eta * lam * W_, functions={"sigma": sigmoid},
            symbolic=lambda claim: ae_obligation(as_step(claim, W_)),
            sample=with_rate(sample_ae), lhs=lambda p: stepped(p, "W", objective), rtol=1e-12),
        Identity(
            name="decay-shrink", uses=("penalty-gradient",),
            statement="a step on Ω(θ) = λ‖θ‖² (003:851, no ½) shrinks θ by 1 − 2ηλ: θ − η∇Ω = (1 − 2ηλ)θ",
            rhs=(1 - 2 * eta * lam) * theta, symbolic=lambda claim: penalty_obligation(as_step(claim, theta)),
            sample=with_rate(sample_theta), lhs=lambda p: stepped(p, "theta", stacked_penalty), rtol=1e-12),
        Gradient(
            name="half-penalty-gradient",
            statement="for (λ/2)‖θ‖² the penalty adds λW (where the slides' λW is right)",
            form=lam * theta, symbolic=lambda claim: penalty_obligation(claim, sp.Rational(1, 2)),
            sample=sample_theta, wrt="theta", objective=lambda q: stacked_penalty(q, 0.5)),
        Gradient(
            name="printed-lambda-w",
            statement="λ‖θ‖² \"just adds a term λW to the gradient\" (001:42)",
            expect=Expect.ERRATUM, corrected_by="objective-gradient", premise=NO_HALF,
            source=Printed(SLIDES_001, 42, r"just adds a term  $\lambda W$  to the gradient",
                           reading=READING),
            form=lam * theta, symbolic=lambda claim: penalty_obligation(claim, 1, size=3),
            sample=sample_theta, wrt="theta", objective=stacked_penalty),
        Gradient(
            name="printed-lambda-w-part-ii",
            statement="λ‖θ‖² \"just adds a term λW to the gradient\" (003:48)",
            expect=Expect.ERRATUM, corrected_by="objective-gradient", premise=NO_HALF,
            source=Printed(SLIDES_003, 48, "just adds a term λW to the gradient", reading=READING),
            form=lam * theta, symbolic=lambda claim: penalty_obligation(claim, 1, size=3),
            sample=sample_theta, wrt="theta", objective=stacked_penalty),
    ]))
