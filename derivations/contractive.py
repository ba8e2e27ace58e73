"""Contractive autoencoders: the Frobenius norm of the encoder's Jacobian.

Ω(x) = ‖J_x(h)‖²_F = Σⱼ Σ_l (∂h_l/∂xⱼ)² penalizes how much the code h moves when the input
moves. For h = σ(Wᵀx + b), J_x(h) = diag(h ⊙ (1 − h)) Wᵀ, so Ω = Σ_l (h_l(1 − h_l))² ‖W_l‖²
with W_l the l-th column of W (row norms under the transposed convention).
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp
from autograd import jacobian

from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits_split
from regverify.numerics.training import gradient_descent, train_with_autograd_check

from regverify.claims import Derivation, Evidence, Expect, Gradient, Identity, NumericVerdict, Source
from regverify.symbolic import gradient_matrix, symbol_matrix, symbol_vector
from regverify.prover import Obligation, g, g_prime, sigma
from regverify.registry import register

N, K = 4, 3   # explicit sizes for the symbolic proofs: 4 inputs, 3 hidden units


def encoder(activation=sigma):
    x = symbol_vector("x", N, real=True)
    w = symbol_matrix("W", N, K, real=True)
    b = symbol_vector("b", K, real=True)
    return x, w, (w.T * x + b).applyfunc(activation)


def squared_column_norm(w, l):
    return sum(w[j, l] ** 2 for j in range(w.rows))


def jacobian_obligation() -> Obligation:
    x, w, h = encoder()
    return Obligation(zero=[h.jacobian(x) - sp.diag(*[v * (1 - v) for v in h]) * w.T],
                      steps=("∂h_l/∂xⱼ = σ'(a_l) ∂a_l/∂xⱼ = h_l(1 − h_l) W_jl",))


def frobenius_obligation(activation=sigma, slope=lambda h, a: h * (1 - h), index_slip=False):
    x, w, h = encoder(activation)
    a = w.T * x + sp.Matrix(K, 1, lambda l, _: sp.Symbol(f"b_{l + 1}", real=True))
    jac = h.jacobian(x)
    frobenius = sum(entry ** 2 for entry in jac)
    if index_slip:   # Σ_{i=1}^n Σ_l (∂h_l/∂x_j)²: the sum runs over i, j stays free (j = 1)
        return Obligation(zero=[frobenius - N * sum(jac[l, 0] ** 2 for l in range(K))])
    closed = sum(slope(h[l], a[l]) ** 2 * squared_column_norm(w, l) for l in range(K))
    return Obligation(zero=[frobenius - closed],
                      steps=("(J Jᵀ) is diag(g'(a)) WᵀW diag(g'(a)); its trace is Σ_l g'(a_l)² ‖W_l‖²",))


def penalty_gradient_obligation() -> Obligation:
    x, w, h = encoder()
    omega = sum(entry ** 2 for entry in h.jacobian(x))
    claimed = sp.Matrix(N, K, lambda j, l: 2 * (h[l] * (1 - h[l])) ** 2 * (
        w[j, l] + (1 - 2 * h[l]) * squared_column_norm(w, l) * x[j]))
    return Obligation(zero=[gradient_matrix(omega, w) - claimed],
                      steps=("∂/∂W_jl of (h_l(1−h_l))² ‖W_l‖²",
                             "= 2(h_l(1−h_l))² W_jl + ‖W_l‖² · 2 h_l(1−h_l) · (1 − 2h_l) · h_l(1−h_l) xⱼ"))


# --- numeric twins ---------------------------------------------------------------------------
def sample_encoder(rng, trial):
    n, k = sampling.size(rng), sampling.size(rng)
    return {"x": sampling.normal(rng, n), "W": sampling.normal(rng, (n, k)), "b": sampling.normal(rng, k)}


def code(p):
    return sigmoid(p["W"].T @ p["x"] + p["b"])


def penalty_by_definition(p):
    """Σⱼ Σ_l (∂h_l/∂xⱼ)² with ∂h_l/∂xⱼ = σ'(a_l) W_jl from the one-layer chain rule."""
    s = sigmoid(p["W"].T @ p["x"] + p["b"])
    entries = (s * (1 - s))[:, None] * p["W"].T
    return np.sum(entries * entries)


def autograd_jacobian_norm(p, activation=sigmoid):
    jac = jacobian(lambda x: activation(anp.dot(p["W"].T, x) + p["b"]))(p["x"])
    return np.sum(jac ** 2)


def closed_form_penalty(p):
    h = code(p)
    return np.sum((h * (1 - h)) ** 2 * np.sum(p["W"] ** 2, axis=0))


def closed_form_penalty_gradient(p):
    h = code(p)
    s2 = (h * (1 - h)) ** 2
    return 2 * s2 * (p["W"] + np.outer(p["x"], (1 - 2 * h) * np.sum(p["W"] ** 2, axis=0)))


# --- training run: the penalty lowers the held-out Jacobian norm ---------------------------
def cae_loss(x, strength):
    def loss(p):
        h = sigmoid(anp.dot(x, p["W"]) + p["b"])
        r = anp.dot(h, p["V"]) + p["c"] - x
        penalty = anp.mean(anp.dot((h * (1 - h)) ** 2, anp.sum(p["W"] ** 2, axis=0)))
        return anp.sum(r * r) / (2 * len(x)) + strength * penalty
    return loss


def cae_gradient(x, strength):
    m = len(x)

    def gradient(p):
        h = sigmoid(x @ p["W"] + p["b"])
        r = (h @ p["V"] + p["c"] - x) / m
        slope = h * (1 - h)
        delta = (r @ p["V"].T) * slope
        s2, norms = slope ** 2, np.sum(p["W"] ** 2, axis=0)
        # the verified per-example gradient, averaged over the rows
        penalty_w = 2 * p["W"] * s2.mean(axis=0) + 2 * x.T @ (s2 * (1 - 2 * h)) * norms / m
        penalty_b = 2 * (s2 * (1 - 2 * h)).mean(axis=0) * norms
        return {"W": x.T @ delta + strength * penalty_w, "b": delta.sum(axis=0) + strength * penalty_b,
                "V": h.T @ r, "c": r.sum(axis=0)}
    return gradient


def mean_jacobian_norm(p, x):
    h = sigmoid(x @ p["W"] + p["b"])
    return float(np.mean((h * (1 - h)) ** 2 @ np.sum(p["W"] ** 2, axis=0)))


def train_contractive(seed: int, quick: bool) -> Evidence:
    train, held_out = digits_split(600, 600, seed)
    rng = np.random.default_rng(seed)
    n, k = train.shape[1], 32
    start = {"W": rng.normal(0, 0.3, (n, k)), "b": np.zeros(k),
             "V": rng.normal(0, 0.1, (k, n)), "c": np.zeros(n)}
    steps, lr, strength = (300 if quick else 800), 0.5, 0.3
    plain = gradient_descent(start, cae_gradient(train, 0.0), lr, steps)
    contractive, cross_check = train_with_autograd_check(
        start, cae_gradient(train, strength), cae_loss(train, strength), lr, steps)
    figures = {"data": f"digits, {len(train)} train / {len(held_out)} held out, k={k}, lambda={strength}",
               "steps": steps, "held_out_jacobian_norm_plain": mean_jacobian_norm(plain.params, held_out),
               "held_out_jacobian_norm_contractive": mean_jacobian_norm(contractive.params, held_out),
               **cross_check,
               "seconds": round(plain.seconds + contractive.seconds, 3)}
    figures["ratio"] = figures["held_out_jacobian_norm_contractive"] / figures["held_out_jacobian_norm_plain"]
    ok = figures["ratio"] < 0.8 and figures["max_loss_rel_gap"] < 1e-10
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)


DERIVATION = register(Derivation(
    id="contractive",
    title="Contractive autoencoder: the Frobenius norm of the encoder Jacobian",
    sources=[Source("003_c3291310eed8186c.txt", "Contractive autoencoders: J_x(h) and ‖J_x(h)‖²_F"),
             Source("Rifai et al. 2011; GBC 14.18", "")],
    conventions="W is n×k, column l is unit l's weights, h = σ(Wᵀx + b); J_x(h) is k×n, entry (l, j) = ∂h_l/∂xⱼ.",
    assumptions=["g elementwise and differentiable (σ in the lecture)"],
    symbols={"x": "vector(n)", "W": "matrix(n,k)", "b": "vector(k)"},
    claims=[
        Gradient(
            name="encoder-jacobian",
            statement="J_x(h) = diag(h ⊙ (1 − h)) Wᵀ",
            symbolic=jacobian_obligation,
            sample=sample_encoder, objective=code,
            claimed=lambda p: np.diag(code(p) * (1 - code(p))) @ p["W"].T, wrt="x"),
        Identity(
            name="frobenius-norm",
            statement="‖J_x(h)‖²_F = Σ_l (h_l(1 − h_l))² ‖W_l‖² (column norms)",
            symbolic=frobenius_obligation,
            sample=sample_encoder, lhs=autograd_jacobian_norm, rhs=closed_form_penalty),
        Identity(
            name="any-activation",
            statement="for any elementwise g: ‖J_x(h)‖²_F = Σ_l g'(a_l)² ‖W_l‖² (checked numerically with tanh)",
            symbolic=lambda: frobenius_obligation(g, lambda h, a: g_prime(a)),
            sample=sample_encoder, lhs=lambda p: autograd_jacobian_norm(p, anp.tanh),
            rhs=lambda p: np.sum((1 - np.tanh(p["W"].T @ p["x"] + p["b"]) ** 2) ** 2
                                 * np.sum(p["W"] ** 2, axis=0))),
        Gradient(
            name="penalty-gradient",
            statement="∂Ω/∂W_jl = 2(h_l(1 − h_l))² [W_jl + (1 − 2h_l) ‖W_l‖² xⱼ]",
            symbolic=penalty_gradient_obligation,
            sample=sample_encoder, objective=penalty_by_definition,
            claimed=closed_form_penalty_gradient, wrt="W", training=train_contractive),
        Identity(
            name="slide-sum-over-i",
            statement="‖J_x(h)‖²_F = Σ_{i=1}^n Σ_l (∂h_l/∂xⱼ)² (as printed: summed over i, j left free)",
            expect=Expect.ERRATUM, corrected_by="frobenius-norm",
            symbolic=lambda: frobenius_obligation(index_slip=True),
            sample=sample_encoder, lhs=autograd_jacobian_norm,
            rhs=lambda p: len(p["x"]) * np.sum((code(p) * (1 - code(p)) * p["W"][0]) ** 2)),
    ]))
