"""Numeric twins of the denoising page: the corruptions and expected losses in NumPy (exact
enumeration of the masks, Gauss–Hermite quadrature), the samplers, the Monte Carlo witnesses, the
denoising AEs trained on the digits and the small-noise test network (autograd)."""
import autograd.numpy as anp
import numpy as np
from autograd import hessian, jacobian

from regverify.claims import Evidence, NumericVerdict
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits_split
from regverify.numerics.montecarlo import gaussian_expectation, mask_expectation, monte_carlo
from regverify.numerics.training import gradient_descent, thinned, train_with_autograd_check
from regverify.derivations.max_activation.twins import unit_norm_columns


# --- numeric twins: exact enumeration of the masks, Gauss–Hermite quadrature -----------------
def masking(rng, x, q, draws=None):      # x̃ = d ⊙ x, each dⱼ = 0 with probability q (one x̃ per draw)
    shape = np.shape(x) if draws is None else (draws, *np.shape(x))
    return x * (rng.random(shape) >= q)


def noisy(x, e):                         # x̃ = x + ε, for every Gaussian twin and witness
    return x + e


def gaussian_corruption(rng, x, s, draws):   # ε ~ N(0, s²I), one x̃ per draw
    return noisy(x, s * rng.standard_normal((draws, *np.shape(x))))


def sample_vector(rng, trial):
    size = sampling.size(rng, 2, 4)
    return {"x": sampling.normal(rng, size), "W": sampling.normal(rng, (size, size)),
            "q": sampling.unit_interval(rng), "sigma": sampling.positive(rng, 0.1, 3.0) if trial else 1.0}


def mask_moment(p, power):
    return mask_expectation(lambda d: (d * p["x"]) ** power, p["x"].shape, 1 - p["q"])


def masked_loss(p):
    return mask_expectation(lambda d: np.sum((p["W"] @ (d * p["x"]) - p["x"]) ** 2), p["x"].shape, 1 - p["q"])


def gaussian_loss(p, w=None):
    w = p["W"] if w is None else w
    return gaussian_expectation(lambda e: np.sum((w @ noisy(p["x"], e) - p["x"]) ** 2), len(p["x"]), p["sigma"])


def sample_data(rng, trial):
    m, size = sampling.size(rng, 4, 7), sampling.size(rng, 2, 3)
    return {"X": sampling.normal(rng, (m, size)), "sigma": sampling.positive(rng, 0.1, 2.0)}


def dae_objective(p, w):   # (1/m) Σᵢ E‖W(xᵢ + ε) − xᵢ‖², the expectation by quadrature
    return np.mean([gaussian_loss({"x": x, "sigma": p["sigma"]}, w) for x in p["X"]])


def sample_masking_data(rng, trial, uncorrelated=False):   # uncorrelated: orthogonal columns, XᵀX diagonal
    size, x = sampling.size(rng, 2, 3), sampling.normal(rng, (sampling.size(rng, 4, 6), 3))
    x = np.linalg.qr(x[:, :size])[0] * sampling.positive(rng, 0.5, 2.0, size) if uncorrelated else x[:, :size]
    return {"X": x, "q": sampling.unit_interval(rng), "n": size}


# Monte Carlo witnesses: every one draws its corruption with masking() or gaussian_corruption().
def monte_carlo_gaussian_mean(seed, quick):
    rng = np.random.default_rng(seed)
    x, s, draws = 1.7, 1.0, 4000 if quick else 40000    # the slide's N(0, 1)
    return monte_carlo(gaussian_corruption(rng, x, s, draws), x)


def monte_carlo_penalty(seed, quick):
    rng = np.random.default_rng(seed)
    w, x, drop, draws = rng.standard_normal((5, 5)), rng.standard_normal(5), 0.3, 4000 if quick else 40000
    values = np.sum((masking(rng, x, drop, draws) @ w.T - x) ** 2, axis=1)
    return monte_carlo(values, float(np.sum(((1 - drop) * w @ x - x) ** 2)
                                     + drop * (1 - drop) * np.sum(x ** 2 * np.sum(w ** 2, axis=0))))


def monte_carlo_tikhonov(seed, quick):
    rng = np.random.default_rng(seed)
    w, x, s, draws = rng.standard_normal((5, 5)), rng.standard_normal(5), 0.7, 4000 if quick else 40000
    values = np.sum((gaussian_corruption(rng, x, s, draws) @ w.T - x) ** 2, axis=1)
    return monte_carlo(values, float(np.sum((w @ x - x) ** 2) + s ** 2 * np.sum(w ** 2)))


# --- training: denoising AEs on the digits (the lecture's experiment) -----------------------
def sample_network_data(rng, trial):
    rows, cols, units = sampling.size(rng, 3, 5), sampling.size(rng, 2, 4), sampling.size(rng, 1, 3)
    x = rng.random((rows, cols))
    return {"X": x, "T": masking(rng, x, 0.3), "W": sampling.normal(rng, (cols, units)),
            "b": sampling.normal(rng, units), "D": sampling.normal(rng, (units, cols)), "c": sampling.normal(rng, cols)}


def reconstruct(p, inputs):              # X̂ = σ(X̃W + b)D + c (NumPy and autograd alike)
    return sigmoid(inputs @ p["W"] + p["b"]) @ p["D"] + p["c"]


def squared_error(a, b):                # (1/m)‖A − B‖²_F: the mean over rows of the squared error
    r = a - b
    return anp.sum(r * r) / len(r)


def dae_loss(p, inputs, targets):       # the slide's objective (003:116): reconstruct the CLEAN x from x̃
    return squared_error(reconstruct(p, inputs), targets)


def dae_gradient(xt, target):
    """Closed form for L = (1/m)‖σ(X̃W + b)D + c − X‖²_F: backpropagate R = X̂ − X."""
    def gradient(p):
        h = sigmoid(xt @ p["W"] + p["b"])
        g = 2 * (h @ p["D"] + p["c"] - target) / len(xt)
        ga = (g @ p["D"].T) * h * (1 - h)
        return {"W": xt.T @ ga, "b": ga.sum(0), "D": h.T @ g, "c": g.sum(0)}
    return gradient


def train_denoising(seed, quick, noise=(0.0, 0.25, 0.5), target="clean", gradient=dae_gradient):
    """One DAE per q, masks drawn once per run. Passes if every step matches autograd and, on
    held-out digits, the reconstruction of x̃ is closer to the clean x than to x̃ (q > 0), or
    beats the mean image by 25 % (q = 0); and if the same criterion rejects its negative control:
    an AE trained to reconstruct x̃ (q > 0), the untrained AE (q = 0). ``target="corrupted"`` is
    the planted mistake."""
    x, test = digits_split(250, 300, seed)
    rng, steps, lr, runs, ok = np.random.default_rng(seed), 100 if quick else 200, 0.12, {}, True
    mean_image = float(squared_error(np.broadcast_to(x.mean(0), test.shape), test))
    for level in noise:
        xt, tt = masking(rng, x, level), masking(rng, test, level)
        goal = x if target == "clean" else xt

        def loss(p, xt=xt, goal=goal):
            return dae_loss(p, xt, goal)

        def held_out(p, tt=tt, level=level):     # errors to the clean and the corrupted test digits, and the criterion
            to_clean, to_noisy = float(dae_loss(p, tt, test)), float(dae_loss(p, tt, tt))
            return to_clean, to_noisy, bool(to_clean < 0.9 * to_noisy if level > 0 else to_clean < 0.75 * mean_image)
        start = {"W": rng.normal(0, 0.03, (64, 16)), "b": np.zeros(16), "D": rng.normal(0, 0.03, (16, 64)),
                 "c": x.mean(0)}
        run, check = train_with_autograd_check(start, gradient(xt, goal), loss, lr, steps)
        p = run.params
        to_clean, to_noisy, denoises = held_out(p)
        control = gradient_descent(start, gradient(xt, xt), lr, steps).params if level > 0 else start
        control_passes = held_out(control)[2]
        ok = ok and denoises and not control_passes and check["max_param_rel_gap"] < 1e-10
        filters = unit_norm_columns(p["W"])      # W_l/‖W_l‖: the input each unit responds to most
        runs[f"q={level}"] = {**check, "held_out_error_to_clean": to_clean, "held_out_error_to_corrupted": to_noisy,
                              "mean_image_error": mean_image, "denoises": denoises,
                              "control": "trained to reconstruct x̃" if level > 0 else "untrained",
                              "control_passes": control_passes,
                              "filters": np.round(filters.T, 4).tolist(), "curve": thinned(run.losses)}
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, {
        "data": "digits 250 train / 300 held out, 16 sigmoid units, linear decoder, lr 0.12, init N(0, 0.03²)",
        "steps": steps, "rule": "autograd gap < 1e-10 every step; q > 0: ‖r(x̃) − x‖² < 0.9‖r(x̃) − x̃‖²; "
                                "q = 0: < 0.75 × mean-image error; the control must fail the same criterion",
        "runs": runs, "curves": {k: v["curve"] for k, v in runs.items()}})


def reconstruction(p, v):   # a one-hidden-layer r: R² → R²
    return anp.dot(p["A"], anp.tanh(anp.dot(p["B"], v) + p["b"])) + p["c"]


def sample_network(rng, s):
    """A network and, by autograd at x, its Jacobian J, Laplacian Δr and offset r(x) − x."""
    p = {"A": rng.standard_normal((2, 3)), "B": rng.standard_normal((3, 2)), "b": rng.standard_normal(3),
         "c": rng.standard_normal(2), "x": rng.standard_normal(2), "sigma": s}
    f = lambda v: reconstruction(p, v)
    return {**p, "J": jacobian(f)(p["x"]), "laplacian": np.trace(hessian(f)(p["x"]), axis1=1, axis2=2),
            "r_minus_x": f(p["x"]) - p["x"]}


def noise_excess(p):   # E‖r(x+ε) − x‖² − ‖r(x) − x‖², by 12-point Gauss–Hermite quadrature
    clean = np.sum((reconstruction(p, p["x"]) - p["x"]) ** 2)
    return gaussian_expectation(lambda e: np.sum((reconstruction(p, noisy(p["x"], e)) - p["x"]) ** 2),
                                2, p["sigma"], points=12) - clean


def sample_rows(rng, trial):
    m, size = sampling.size(rng, 3, 4), sampling.size(rng, 2, 3)
    p = {"X": sampling.normal(rng, (m, size)), "q": sampling.unit_interval(rng), "i": int(rng.integers(0, m))}
    return {**p, "x_i": p["X"][p["i"]]}
