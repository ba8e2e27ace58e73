"""Numeric twins of tied weights: the tied autoencoder's losses and samplers in NumPy, its weight and
parameter arrays, the two-path gradient trained on the digits against autograd, and the tied linear AE
trained on the centred digits."""
import autograd.numpy as anp
import numpy as np

from regverify.claims import Evidence, NumericVerdict
from regverify.derivations import linear_ae_svd as svd
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits
from regverify.numerics.training import (autograd_gradient, gradient_descent, thinned, trajectory_gap,
                                         train_with_autograd_check)


def tied_linear_gradient(gram):         # L = tr(ECE), E = I − WWᵀ, C = XᵀX/m: ∇_W L = −2(CE + EC)W
    return lambda p: {"W": -2 * (gram @ (e := np.eye(len(gram)) - p["W"] @ p["W"].T) + e @ gram) @ p["W"]}


def train_tied_linear(seed, quick, code=8, gradient=tied_linear_gradient):
    """GD on a tied linear AE (centred digits, W 64×k), every step against autograd: passes if it ends within
    2e-3 (quick) / 1e-3 of the untied optimum Σ_{i>k} σᵢ²/m, never below, and 200 random orthonormal W do worse."""
    x, rng = svd.centred_digits(), np.random.default_rng(seed)
    gram, optimum, tol = x.T @ x / len(x), svd.tail(x, code) / len(x), 2e-3 if quick else 1e-3
    loss = lambda p: anp.sum((e := np.eye(64) - anp.dot(p["W"], p["W"].T)) * anp.dot(gram, e))   # noqa: E731
    run, check = train_with_autograd_check({"W": rng.normal(0, 0.1, (64, code))}, gradient(gram), loss,
                                           0.25 / np.linalg.eigvalsh(gram)[-1], 200 if quick else 400)
    excess, rand = run.losses[-1] / optimum - 1, [loss({"W": np.linalg.qr(rng.normal(size=(64, code)))[0]}) for _ in range(200)]
    return Evidence(NumericVerdict.PASSED if check["max_param_rel_gap"] < 1e-10 and -1e-9 <= excess <= tol and min(
        rand) >= optimum else NumericVerdict.FAILED, {"data": f"centred digits {x.shape}, tied linear 64->{code}->64",
        "final_loss": run.losses[-1], "optimum": optimum, "relative_excess": excess, "tolerance": tol,
        "best_random_W": float(min(rand)), **check, "curves": {"loss": thinned(run.losses)}})


# --- numeric twins -----------------------------------------------------------------------------
def sample_tied(rng, trial):
    n, k = sampling.size(rng), sampling.size(rng)
    return {"x": sampling.normal(rng, n), "c": sampling.normal(rng, n),
            "W": sampling.normal(rng, (n, k)), "b": sampling.normal(rng, k)}


def reconstruction_error(p):
    r = p["W"] @ sigmoid(p["W"].T @ p["x"] + p["b"]) + p["c"] - p["x"]
    return r @ r


def sample_batch(rng, trial):
    m, n, k = sampling.size(rng, 3, 6), sampling.size(rng), sampling.size(rng)
    return {"X": sampling.normal(rng, (m, n)), "c": sampling.normal(rng, n),
            "W": sampling.normal(rng, (n, k)), "b": sampling.normal(rng, k)}


def batch_loss(p):
    r = sigmoid(p["X"] @ p["W"] + p["b"]) @ p["W"].T + p["c"] - p["X"]
    return np.sum(r * r) / len(p["X"])


def weights(n, k, tied):
    """The weight arrays an autoencoder n → k → n actually allocates."""
    return [np.zeros((n, k))] + ([] if tied else [np.zeros((k, n))])


def parameters(n, k, tied):
    """Every array the autoencoder learns: its weights, then its biases b (k) and c (n)."""
    return weights(n, k, tied) + [np.zeros(k), np.zeros(n)]


def parameter_count(n, k, tied) -> int:
    return sum(a.size for a in parameters(n, k, tied))


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


def train_tied(seed: int, quick: bool, gradient=tied_gradient) -> Evidence:
    """Passes if the run with ``gradient`` follows autograd's at every step (loss and parameter
    gaps < 1e-10, all finite); the decoder-only run is drawn beside it for contrast."""
    x = digits(600, seed)
    rng = np.random.default_rng(seed)
    n, k = x.shape[1], 32
    start = {"W": rng.normal(0, 0.1, (n, k)), "b": np.zeros(k), "c": np.zeros(n)}
    loss = tied_loss(x)
    steps, lr = (60 if quick else 200), 0.2
    run = gradient_descent(start, gradient(x), lr, steps, loss)
    reference = gradient_descent(start, autograd_gradient(loss), lr, steps, loss)   # every step
    cross_check = {"compared_steps": steps, **trajectory_gap(run, reference)}
    decoder_only = gradient_descent(start, tied_gradient(x, ("decoder",)), lr, steps, loss)
    detail = {"data": f"digits {len(x)}x{n}, tied {n}->{k}->{n}, lr={lr}", "steps": steps,
              "criterion": "loss and parameter gaps to autograd < 1e-10 at every step",
              "loss_first": run.losses[0], "loss_last": run.losses[-1], **cross_check,
              "decoder_only_loss_last": decoder_only.losses[-1], "seconds": round(run.seconds, 3),
              "curves": {"loss_closed_form": thinned(run.losses), "loss_autograd": thinned(reference.losses),
                         "loss_decoder_only": thinned(decoder_only.losses)}}
    ok = cross_check["max_loss_rel_gap"] < 1e-10 and cross_check["max_param_rel_gap"] < 1e-10
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)


def tied_linear_loss(p, w):             # ‖X − XWWᵀ‖²_F; W n×k (a k = 1 candidate may come as a vector)
    w = np.reshape(w, (p["X"].shape[1], -1))
    return np.sum((p["X"] - p["X"] @ w @ w.T) ** 2)
