"""Sparse autoencoders: the KL sparsity penalty and its gradient.

The mean activation of hidden unit l over the m examples is ρ̂_l = (1/m) Σᵢ h(xᵢ)_l. The penalty
Ω = Σ_l ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l)) is 0 exactly when every ρ̂_l = ρ. Its
gradient reaches W through ρ̂ only: with H = σ(XW + b) and d_l = ∂Ω/∂ρ̂_l,
∂Ω/∂W = (1/m) Xᵀ[H ⊙ (1 − H) ⊙ 1dᵀ].
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp

from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits
from regverify.numerics.training import train_with_autograd_check

from regverify.claims import Derivation, Evidence, Expect, Gradient, Minimizer, NumericVerdict, Source
from regverify.symbolic import gradient_matrix, symbol_matrix, symbol_vector
from regverify.prover import Obligation, sigma
from regverify.registry import register

rho, rho_hat = sp.symbols("rho rho_hat", positive=True)   # both in (0, 1)


def kl(r, r_hat):
    return r * sp.log(r / r_hat) + (1 - r) * sp.log((1 - r) / (1 - r_hat))


def kl_slope(r, r_hat):
    return -r / r_hat + (1 - r) / (1 - r_hat)


# --- the symbolic sparse layer: explicit 3×2 data, 2×2 weights, abstract σ ----------------
M, N, K = 3, 2, 2


def sparse_layer():
    x = symbol_matrix("x", M, N, real=True)
    w = symbol_matrix("W", N, K, real=True)
    b = symbol_vector("b", K, real=True)
    h = (x * w + sp.ones(M, 1) * b.T).applyfunc(sigma)
    means = [sum(h[i, l] for i in range(M)) / M for l in range(K)]
    return x, w, h, means


def penalty_gradient_obligation(scale=1) -> Obligation:
    """∂Ω/∂W from the chain rule, against (scale/m) Xᵀ[H⊙(1−H) ⊙ 1dᵀ]."""
    x, w, h, means = sparse_layer()
    omega = sum(kl(rho, r) for r in means)
    slopes = sp.Matrix(1, K, [kl_slope(rho, r) for r in means])
    claimed = scale * x.T * h.applyfunc(lambda v: v * (1 - v)).multiply_elementwise(
        sp.ones(M, 1) * slopes) / M
    return Obligation(zero=[gradient_matrix(omega, w) - claimed], unit_interval=(rho,),
                      steps=("∂Ω/∂W = Σ_l (∂Ω/∂ρ̂_l)(∂ρ̂_l/∂W)",
                             "∂ρ̂_l/∂W_jl = (1/m) Σᵢ σ'(aᵢₗ) xᵢⱼ, other columns 0",
                             "σ' = σ(1 − σ); expand"))


def mean_gradient_obligation(slide: bool) -> Obligation:
    """∂ρ̂₁/∂W: the column form (1/m) Σᵢ σ'(W₁ᵀxᵢ + b₁) xᵢ, or the slide's xᵢ σ'(Wᵀxᵢ + b)ᵀ."""
    x, w, h, means = sparse_layer()
    slope = h.applyfunc(lambda v: v * (1 - v))
    if slide:
        claimed = x[0, :].T * slope[0, :]
    else:
        claimed = sp.zeros(N, K)
        claimed[:, 0] = sum((slope[i, 0] * x[i, :].T for i in range(M)), sp.zeros(N, 1)) / M
    return Obligation(zero=[gradient_matrix(means[0], w) - claimed])


# --- numeric twins ---------------------------------------------------------------------------
def penalty(r, r_hat):
    return np.sum(r * np.log(r / r_hat) + (1 - r) * np.log((1 - r) / (1 - r_hat)))


def mean_activations(p):
    return np.mean(sigmoid(p["X"] @ p["W"] + p["b"]), axis=0)


def sample_layer(rng, trial):
    m, n, k = sampling.size(rng, 3, 7), sampling.size(rng), sampling.size(rng)
    return {"X": sampling.normal(rng, (m, n)), "W": sampling.normal(rng, (n, k)),
            "b": sampling.normal(rng, k), "rho": sampling.unit_interval(rng, margin=0.05),
            "l": int(rng.integers(0, k))}


def penalty_gradient(p, scale=1.0):
    h = sigmoid(p["X"] @ p["W"] + p["b"])
    r_hat = h.mean(axis=0)
    d = -p["rho"] / r_hat + (1 - p["rho"]) / (1 - r_hat)
    return scale * p["X"].T @ (h * (1 - h) * d) / len(p["X"])


def mean_gradient_column(p):
    h = sigmoid(p["X"] @ p["W"] + p["b"])
    out = np.zeros_like(p["W"])
    out[:, p["l"]] = p["X"].T @ (h[:, p["l"]] * (1 - h[:, p["l"]])) / len(p["X"])
    return out


def mean_gradient_slide(p):
    a = p["W"].T @ p["X"][0] + p["b"]
    return np.outer(p["X"][0], sigmoid(a) * (1 - sigmoid(a)))


def sample_rates(rng, trial):
    k = sampling.size(rng)
    return {"rho": sampling.unit_interval(rng, margin=0.05),
            "rho_hat": sampling.unit_interval(rng, k, margin=0.05)}


# --- training run: a sparse autoencoder on the digits --------------------------------------
def sparse_autoencoder_loss(x, rho_target, beta):
    def loss(p):
        h = sigmoid(anp.dot(x, p["W"]) + p["b"])
        r = anp.dot(h, p["V"]) + p["c"] - x
        r_hat = anp.mean(h, axis=0)
        kl_term = anp.sum(rho_target * anp.log(rho_target / r_hat)
                          + (1 - rho_target) * anp.log((1 - rho_target) / (1 - r_hat)))
        return anp.sum(r * r) / (2 * len(x)) + beta * kl_term
    return loss


def sparse_autoencoder_gradient(x, rho_target, beta):
    m = len(x)

    def gradient(p):
        h = sigmoid(x @ p["W"] + p["b"])
        r = (h @ p["V"] + p["c"] - x) / m
        slope = h * (1 - h)
        d = -rho_target / h.mean(axis=0) + (1 - rho_target) / (1 - h.mean(axis=0))
        delta = (r @ p["V"].T) * slope
        kl_w = x.T @ (slope * d) / m                  # the verified closed form
        kl_b = (slope * d).sum(axis=0) / m
        return {"W": x.T @ delta + beta * kl_w, "b": delta.sum(axis=0) + beta * kl_b,
                "V": h.T @ r, "c": r.sum(axis=0)}
    return gradient


def train_sparse_autoencoder(seed: int, quick: bool) -> Evidence:
    x = digits()
    rng = np.random.default_rng(seed)
    n, k, target, beta = x.shape[1], 25, 0.1, 3.0
    start = {"W": rng.normal(0, 0.1, (n, k)), "b": np.zeros(k),
             "V": rng.normal(0, 0.1, (k, n)), "c": np.zeros(n)}
    loss = sparse_autoencoder_loss(x, target, beta)
    closed = sparse_autoencoder_gradient(x, target, beta)
    steps, lr = (300 if quick else 1500), 0.5
    run, cross_check = train_with_autograd_check(start, closed, loss, lr, steps)
    before = np.abs(sigmoid(x @ start["W"] + start["b"]).mean(axis=0) - target).mean()
    after = np.abs(sigmoid(x @ run.params["W"] + run.params["b"]).mean(axis=0) - target).mean()
    figures = {"data": f"digits {x.shape[0]}x{n}, k={k}, rho={target}, beta={beta}",
               "steps": steps, "mean_abs_rho_gap_before": float(before),
               "mean_abs_rho_gap_after": float(after), "loss_first": run.losses[0],
               "loss_last": run.losses[-1], **cross_check, "seconds": round(run.seconds, 3)}
    ok = after < 0.25 * before and figures["max_loss_rel_gap"] < 1e-10
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)


DERIVATION = register(Derivation(
    id="kl-sparsity",
    title="Sparse autoencoder: the KL penalty and its gradient",
    sources=[Source("003_c3291310eed8186c.txt", "Sparse autoencoders: ρ̂_l, Ω(θ), ∂Ω/∂ρ̂_l, ∂ρ̂_l/∂W"),
             Source("UFLDL", "CS294A sparse autoencoder notes")],
    conventions="W is n×k, column l is unit l's weights; H = σ(XW + b) is m×k, one example per row.",
    assumptions=["ρ ∈ (0, 1)", "ρ̂_l ∈ (0, 1) (sigmoid units)", "m examples, k hidden units"],
    symbols={"X": "matrix(m,n)", "W": "matrix(n,k)", "b": "vector(k)", "rho": "scalar in (0,1)",
             "rho_hat": "vector(k) in (0,1)"},
    claims=[
        Gradient(
            name="kl-derivative",
            statement="∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)",
            symbolic=lambda: Obligation(zero=[sp.diff(kl(rho, rho_hat), rho_hat) - kl_slope(rho, rho_hat)],
                                        unit_interval=(rho, rho_hat)),
            sample=sample_rates,
            objective=lambda p: penalty(p["rho"], p["rho_hat"]),
            claimed=lambda p: -p["rho"] / p["rho_hat"] + (1 - p["rho"]) / (1 - p["rho_hat"]),
            wrt="rho_hat"),
        Minimizer(
            name="kl-minimum",
            statement="Ω ≥ 0 with its minimum 0 exactly at ρ̂_l = ρ; strictly convex in ρ̂_l",
            symbolic=lambda: Obligation(
                zero=[kl_slope(rho, rho), kl(rho, rho)],
                positive=[sp.diff(kl(rho, rho_hat), rho_hat, 2)], unit_interval=(rho, rho_hat),
                steps=("∂Ω/∂ρ̂ = 0 at ρ̂ = ρ, where Ω = 0",
                       "∂²Ω/∂ρ̂² = ρ/ρ̂² + (1 − ρ)/(1 − ρ̂)² > 0")),
            sample=sample_rates,
            objective=lambda p, r_hat: penalty(p["rho"], r_hat),
            candidate=lambda p: np.full_like(p["rho_hat"], p["rho"])),
        Gradient(
            name="mean-activation-gradient",
            statement="∂ρ̂_l/∂W has column l equal to (1/m) Σᵢ σ'(W_lᵀxᵢ + b_l) xᵢ and 0 elsewhere",
            symbolic=lambda: mean_gradient_obligation(slide=False),
            sample=sample_layer,
            objective=lambda p: mean_activations(p)[p["l"]],
            claimed=mean_gradient_column, wrt="W"),
        Gradient(
            name="penalty-gradient",
            statement="∂Ω/∂W = (1/m) Xᵀ[H ⊙ (1 − H) ⊙ 1dᵀ], d_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)",
            symbolic=penalty_gradient_obligation,
            sample=sample_layer,
            objective=lambda p: penalty(p["rho"], mean_activations(p)),
            claimed=penalty_gradient, wrt="W",
            training=train_sparse_autoencoder),
        Gradient(
            name="slide-mean-activation-gradient",
            statement="∂ρ̂_l/∂W = xᵢ(g'(Wᵀxᵢ + b))ᵀ (as printed: one example, no (1/m)Σᵢ, every column)",
            expect=Expect.ERRATUM, corrected_by="mean-activation-gradient",
            symbolic=lambda: mean_gradient_obligation(slide=True),
            sample=sample_layer,
            objective=lambda p: mean_activations(p)[p["l"]],
            claimed=mean_gradient_slide, wrt="W"),
        Gradient(
            name="slide-penalty-gradient-without-mean",
            statement="∂Ω/∂W = Σᵢ xᵢ[g'(Wᵀxᵢ + b) ⊙ d]ᵀ (the slide's ∂ρ̂/∂W chained: m times too large)",
            expect=Expect.ERRATUM, corrected_by="penalty-gradient",
            symbolic=lambda: penalty_gradient_obligation(scale=M),
            sample=sample_layer,
            objective=lambda p: penalty(p["rho"], mean_activations(p)),
            claimed=lambda p: penalty_gradient(p, scale=len(p["X"])), wrt="W"),
        Gradient(
            name="older-ufldl-derivative",
            statement="∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/ρ̂_l (an older UFLDL revision)",
            expect=Expect.ERRATUM, corrected_by="kl-derivative",
            symbolic=lambda: Obligation(zero=[sp.diff(kl(rho, rho_hat), rho_hat) - (-rho / rho_hat + (1 - rho) / rho_hat)],
                                        unit_interval=(rho, rho_hat)),
            sample=sample_rates,
            objective=lambda p: penalty(p["rho"], p["rho_hat"]),
            claimed=lambda p: -p["rho"] / p["rho_hat"] + (1 - p["rho"]) / p["rho_hat"],
            wrt="rho_hat"),
    ]))
