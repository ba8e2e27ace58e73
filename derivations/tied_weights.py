"""Tied weights: one matrix, two paths.

With the decoder tied to the encoder (W* = Wᵀ under the slides' notation), h = σ(Wᵀx + b),
x̂ = Wh + c and L = ‖x̂ − x‖². W reaches L twice, so with r = x̂ − x
∂L/∂W = 2 r hᵀ (decoder path) + 2 x [(Wᵀr) ⊙ h ⊙ (1 − h)]ᵀ (encoder path).
Either path alone is wrong; tying halves the weight count (nk instead of 2nk).
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp

from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits
from regverify.numerics.training import autograd_gradient, gradient_descent, train_with_autograd_check, trajectory_gap

from regverify.claims import Derivation, Evidence, Expect, Gradient, NumericVerdict, Source
from regverify.symbolic import gradient_matrix, symbol_matrix, symbol_vector
from regverify.prover import Obligation, sigma
from regverify.registry import register

N, K = 3, 2


def paths_obligation(decoder=True, encoder=True) -> Obligation:
    x, c = symbol_vector("x", N, real=True), symbol_vector("c", N, real=True)
    w, b = symbol_matrix("W", N, K, real=True), symbol_vector("b", K, real=True)
    h = (w.T * x + b).applyfunc(sigma)
    r = w * h + c - x
    loss = (r.T * r)[0]
    slope = h.applyfunc(lambda v: v * (1 - v))
    claimed = sp.zeros(N, K)
    if decoder:
        claimed += 2 * r * h.T
    if encoder:
        claimed += 2 * x * (w.T * r).multiply_elementwise(slope).T
    return Obligation(zero=[gradient_matrix(loss, w) - claimed],
                      steps=("L = ‖W σ(Wᵀx + b) + c − x‖²; W appears in the decoder and in the encoder",
                             "decoder path (h fixed): ∂/∂W ‖Wh + c − x‖² = 2 r hᵀ",
                             "encoder path (the outer W fixed): 2 x [(Wᵀr) ⊙ σ'(a)]ᵀ",
                             "the total derivative is the sum of the two"))


def batched_obligation() -> Obligation:
    m, n, k = 2, 2, 2
    x = symbol_matrix("x", m, n, real=True)
    w, b = symbol_matrix("W", n, k, real=True), symbol_vector("b", k, real=True)
    c = symbol_vector("c", n, real=True)
    h = (x * w + sp.ones(m, 1) * b.T).applyfunc(sigma)
    r = h * w.T + sp.ones(m, 1) * c.T - x
    loss = sum(e ** 2 for e in r) / m
    claimed = 2 * (r.T * h + x.T * (r * w).multiply_elementwise(h.applyfunc(lambda v: v * (1 - v)))) / m
    return Obligation(zero=[gradient_matrix(loss, w) - claimed])


# --- numeric twins -----------------------------------------------------------------------------
def sample_tied(rng, trial):
    n, k = sampling.size(rng), sampling.size(rng)
    return {"x": sampling.normal(rng, n), "c": sampling.normal(rng, n),
            "W": sampling.normal(rng, (n, k)), "b": sampling.normal(rng, k)}


def reconstruction_error(p):
    r = p["W"] @ sigmoid(p["W"].T @ p["x"] + p["b"]) + p["c"] - p["x"]
    return r @ r


def decoder_path(p):
    h = sigmoid(p["W"].T @ p["x"] + p["b"])
    return 2 * np.outer(p["W"] @ h + p["c"] - p["x"], h)


def encoder_path(p):
    h = sigmoid(p["W"].T @ p["x"] + p["b"])
    r = p["W"] @ h + p["c"] - p["x"]
    return 2 * np.outer(p["x"], (p["W"].T @ r) * h * (1 - h))


def sample_batch(rng, trial):
    m, n, k = sampling.size(rng, 3, 6), sampling.size(rng), sampling.size(rng)
    return {"X": sampling.normal(rng, (m, n)), "c": sampling.normal(rng, n),
            "W": sampling.normal(rng, (n, k)), "b": sampling.normal(rng, k)}


def batch_loss(p):
    r = sigmoid(p["X"] @ p["W"] + p["b"]) @ p["W"].T + p["c"] - p["X"]
    return np.sum(r * r) / len(p["X"])


def batch_gradient(p):
    """Rows are examples: (2/m)[Rᵀ H + Xᵀ((R W) ⊙ H ⊙ (1 − H))]."""
    h = sigmoid(p["X"] @ p["W"] + p["b"])
    r = h @ p["W"].T + p["c"] - p["X"]
    return 2 * (r.T @ h + p["X"].T @ ((r @ p["W"]) * h * (1 - h))) / len(p["X"])


# --- training run: the two-path gradient follows autograd step for step -------------------
def tied_loss(x):
    def loss(p):
        h = sigmoid(anp.dot(x, p["W"]) + p["b"])
        r = anp.dot(h, p["W"].T) + p["c"] - x
        return anp.sum(r * r) / len(x)
    return loss


def tied_gradient(x, paths=("decoder", "encoder")):
    m = len(x)

    def gradient(p):
        h = sigmoid(x @ p["W"] + p["b"])
        r = h @ p["W"].T + p["c"] - x
        back = (r @ p["W"]) * h * (1 - h)
        w = np.zeros_like(p["W"])
        if "decoder" in paths:
            w = w + 2 * r.T @ h / m
        if "encoder" in paths:
            w = w + 2 * x.T @ back / m
        return {"W": w, "b": 2 * back.sum(axis=0) / m, "c": 2 * r.sum(axis=0) / m}
    return gradient


def train_tied(seed: int, quick: bool) -> Evidence:
    x = digits()
    rng = np.random.default_rng(seed)
    n, k = x.shape[1], 32
    start = {"W": rng.normal(0, 0.1, (n, k)), "b": np.zeros(k), "c": np.zeros(n)}
    loss = tied_loss(x)
    steps, lr = (60 if quick else 200), 0.2
    two_paths, cross_check = train_with_autograd_check(start, tied_gradient(x), loss, lr, steps, steps)
    decoder_only = gradient_descent(start, tied_gradient(x, ("decoder",)), lr, steps, loss)
    reference = gradient_descent(start, autograd_gradient(loss), lr, steps, loss)
    figures = {"data": f"digits {x.shape[0]}x{n}, tied {n}->{k}->{n}", "steps": steps,
               "loss_first": two_paths.losses[0], "loss_last": two_paths.losses[-1],
               **cross_check,
               "decoder_only_param_gap": trajectory_gap(decoder_only, reference)["max_param_rel_gap"],
               "seconds": round(two_paths.seconds, 3)}
    ok = figures["max_param_rel_gap"] < 1e-10 and figures["decoder_only_param_gap"] > 1e-6
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)


DERIVATION = register(Derivation(
    id="tied-weights",
    title="Tied weights: one matrix, two paths",
    sources=[Source("000_d1f253078589f78b.txt", "transcript: tied weights W* = Wᵀ and the two-path gradient"),
             Source("001_70756d2e651c3bac.txt", "module 7.3 slides: tie the weights, W* = Wᵀ"),
             Source("003_c3291310eed8186c.txt", "L2 and tied weights")],
    conventions="W is n×k; h = σ(Wᵀx + b), x̂ = Wh + c (batched: H = σ(XW + b), X̂ = HWᵀ + c).",
    assumptions=["σ is the logistic sigmoid", "L = ‖x̂ − x‖² (batched: the mean over rows)"],
    symbols={"x": "vector(n)", "c": "vector(n)", "W": "matrix(n,k)", "b": "vector(k)"},
    claims=[
        Gradient(
            name="two-path-gradient",
            statement="∂L/∂W = 2 r hᵀ + 2 x [(Wᵀr) ⊙ h ⊙ (1 − h)]ᵀ, r = x̂ − x",
            symbolic=paths_obligation, sample=sample_tied, objective=reconstruction_error,
            claimed=lambda p: decoder_path(p) + encoder_path(p), wrt="W", training=train_tied),
        Gradient(
            name="decoder-path-only",
            statement="∂L/∂W = 2 r hᵀ (the decoder path alone)",
            expect=Expect.ERRATUM, corrected_by="two-path-gradient",
            symbolic=lambda: paths_obligation(encoder=False), sample=sample_tied,
            objective=reconstruction_error, claimed=decoder_path, wrt="W"),
        Gradient(
            name="encoder-path-only",
            statement="∂L/∂W = 2 x [(Wᵀr) ⊙ h ⊙ (1 − h)]ᵀ (the encoder path alone)",
            expect=Expect.ERRATUM, corrected_by="two-path-gradient",
            symbolic=lambda: paths_obligation(decoder=False), sample=sample_tied,
            objective=reconstruction_error, claimed=encoder_path, wrt="W"),
        Gradient(
            name="batched-gradient",
            statement="for L = (1/m) Σᵢ ‖x̂ᵢ − xᵢ‖²: ∂L/∂W = (2/m)[RᵀH + Xᵀ((RW) ⊙ H ⊙ (1 − H))]",
            symbolic=batched_obligation, sample=sample_batch, objective=batch_loss,
            claimed=batch_gradient, wrt="W"),
    ]))
