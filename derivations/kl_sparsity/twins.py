"""Numeric twins of the KL sparsity penalty: Ω and ρ̂ in NumPy/autograd, the samplers, and the
sparse autoencoder trained on the digits against autograd."""
import autograd.numpy as anp
import numpy as np

from regverify.claims import Evidence, NumericVerdict
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits
from regverify.numerics.training import thinned, train_with_autograd_check


# --- numeric twins, from the definitions -----------------------------------------------------
def penalty(r, r_hat):
    """Σ_l KL(Bernoulli(ρ) ‖ Bernoulli(ρ̂_l)) = Σ_l Σ_outcomes p log(p/q) (autograd can trace it)."""
    return anp.sum(kl_terms(r, r_hat))


def kl_terms(r, r_hat):
    """KL(Bernoulli(ρ) ‖ Bernoulli(ρ̂_l)) for each l: Σ over the two outcomes of p log(p/q)."""
    ones = anp.ones_like(r_hat)
    p, q = anp.stack([r * ones, (1 - r) * ones]), anp.stack([r_hat, 1 - r_hat])
    return anp.sum(p * anp.log(p / q), axis=0)


def hidden(x, w, b):                     # H = σ(XW + b), one example per row: every twin and the run use it
    return sigmoid(x @ w + b)


def code(p):
    return hidden(p["X"], p["W"], p["b"])


def mean_activations(p):
    return np.mean(code(p), axis=0)


def sample_layer(rng, trial):
    m, n, k = sampling.size(rng, 3, 7), sampling.size(rng), sampling.size(rng)
    p = {"X": sampling.normal(rng, (m, n)), "W": sampling.normal(rng, (n, k)),
         "b": sampling.normal(rng, k), "rho": sampling.unit_interval(rng, margin=0.05),
         "l": int(rng.integers(0, k))}
    return {**p, "e_l": np.eye(k)[p["l"]], "e_1": np.eye(m)[0]}


def sample_rates(rng, trial):
    k = sampling.size(rng)
    return {"rho": sampling.unit_interval(rng, margin=0.05),
            "rho_hat": sampling.unit_interval(rng, k, margin=0.05)}


def sample_units(rng, trial):
    n = sampling.size(rng, 2, 4)
    return {**sample_rates(rng, trial), "n": n,
            "rho_hat": sampling.unit_interval(rng, n + sampling.size(rng, 1, 3), margin=0.05)}



# --- training run: a sparse autoencoder on the digits --------------------------------------
TARGET, BETA, UNITS, ROWS = 0.1, 3.0, 16, 500
REACHED = 0.02     # the run passes if every unit's mean activation ends within this of ρ


def rho_gap(mean_activation):            # max_l |ρ̂_l − ρ|, what the run is judged by
    with np.errstate(invalid="ignore"):
        return float(np.max(np.abs(mean_activation - TARGET)))


def sparse_autoencoder_loss(x, target=TARGET, beta=BETA):
    def loss(p):                         # the penalty is the twin the claims check
        h = hidden(x, p["W"], p["b"])
        r = anp.dot(h, p["V"]) + p["c"] - x
        return anp.sum(r * r) / (2 * len(x)) + beta * penalty(target, anp.mean(h, axis=0))
    return loss


def sparse_autoencoder_gradient(x, target=TARGET, beta=BETA, kl_scale=1.0):
    """The closed-form gradient of the loss; ``kl_scale`` plants errors in the verified KL part."""
    m = len(x)

    def gradient(p):
        h = hidden(x, p["W"], p["b"])
        r = (h @ p["V"] + p["c"] - x) / m
        slope, r_hat = h * (1 - h), h.mean(axis=0)
        d = -target / r_hat + (1 - target) / (1 - r_hat)
        delta = (r @ p["V"].T) * slope
        kl_w = kl_scale * x.T @ (slope * d) / m                 # the verified closed form
        kl_b = kl_scale * (slope * d).sum(axis=0) / m
        return {"W": x.T @ delta + beta * kl_w, "b": delta.sum(axis=0) + beta * kl_b,
                "V": h.T @ r, "c": r.sum(axis=0)}
    return gradient


def train_sparse_autoencoder(seed: int, quick: bool, gradient=sparse_autoencoder_gradient) -> Evidence:
    """Passes if every mean activation ends within REACHED of ρ and the run follows autograd's
    at every step (relative loss and parameter gaps < 1e-10, all finite)."""
    x = digits(ROWS, seed)
    rng = np.random.default_rng(seed)
    n = x.shape[1]
    start = {"W": rng.normal(0, 0.1, (n, UNITS)), "b": np.zeros(UNITS),
             "V": rng.normal(0, 0.1, (UNITS, n)), "c": np.zeros(n)}
    steps, lr = (150 if quick else 400), 0.5
    run, cross_check = train_with_autograd_check(start, gradient(x), sparse_autoencoder_loss(x), lr, steps)
    before = hidden(x, start["W"], start["b"]).mean(axis=0)
    after = hidden(x, run.params["W"], run.params["b"]).mean(axis=0)
    worst = rho_gap(after)
    detail = {"data": f"digits {len(x)}x{n}, k={UNITS}, rho={TARGET}, beta={BETA}, lr={lr}",
              "steps": steps, "criterion": f"max_l |rho_hat_l - rho| <= {REACHED}, loss and parameter gaps < 1e-10",
              "max_rho_gap_before": rho_gap(before), "max_rho_gap_after": worst,
              "loss_first": run.losses[0], "loss_last": run.losses[-1], **cross_check,
              "seconds": round(run.seconds, 3),
              "curves": {"mean_activation_before": before.tolist(), "mean_activation_after": after.tolist(),
                         "rho": [TARGET] * UNITS, "loss": thinned(run.losses)}}
    ok = (worst <= REACHED and cross_check["max_loss_rel_gap"] < 1e-10
          and cross_check["max_param_rel_gap"] < 1e-10)
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)
