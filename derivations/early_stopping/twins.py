"""Numeric twins of early stopping: GD on the quadratic and ridge in NumPy, rᵢ and the exact αᵢ
(also the page's definitions), the samplers, the catalog's α table measured by GD, and the run of
GD against ridge on the digits' least squares."""
import autograd.numpy as anp
import numpy as np

from regverify.claims import Evidence, NumericVerdict
from regverify.numerics import sampling
from regverify.numerics.datasets import _digits
from regverify.numerics.training import relative_error, train_with_autograd_check
from regverify.symbolic import printed_decimals


def remainder(s_eps, s_lam, s_tau):
    """rᵢ = (1 − ελᵢ)^τ: the part of direction i that τ steps have not yet learned."""
    return (1 - s_eps * s_lam) ** s_tau


def exact_alpha(s_lam, s_eps, s_tau):
    ratio = remainder(s_eps, s_lam, s_tau)
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
    q, lm, w_star = sampling.orthogonal(rng, n), rng.uniform(0.05, 0.95 / rate, n), sampling.normal(rng, n)
    return {"Q": q, "lam": lm, "w_star": w_star, "v": q.T @ w_star, "eps": rate, "tau": sampling.integer(rng, 1, 60)}


def gd_iterate(p):
    """τ full-matrix gradient steps on ½(w − w*)ᵀH(w − w*) from w⁽⁰⁾ (0 unless given; no closed form used)."""
    h = p["Q"] @ np.diag(p["lam"]) @ p["Q"].T
    w = np.array(p.get("w0", np.zeros_like(p["w_star"])), dtype=float)
    for _ in range(p["tau"]):
        w = w - p["eps"] * h @ (w - p["w_star"])
    return w


def ridge_factor(lm, alphas):
    """L2's shrinkage of direction i, λᵢ/(λᵢ + α)."""
    return lm / (lm + alphas)


def sample_overshoot(rng, trial):
    """1 < ελ < 2, τ odd, with |rᵢ| ≥ 5e-4 so that 1 − rᵢ is not rounded to 1."""
    rate = sampling.positive(rng, 0.01, 0.5)
    return {"eps": rate, "lambda_i": rng.uniform(1.5, 1.98) / rate, "tau": 2 * sampling.integer(rng, 0, 5) + 1}


def scalar_gd(rate, curvature, steps):
    """w⁽τ⁾ of τ gradient steps on ½λ(w − 1)² from 0: GD's shrinkage factor, measured."""
    w_t = 0.0
    for _ in range(steps):
        w_t -= rate * curvature * (w_t - 1.0)
    return w_t


def best_ridge_match(p):
    """min over α ≥ 0 (0 and a log grid to 1e8) of |λ/(λ + α) − GD factor|."""
    alphas = np.concatenate([[0.0], np.geomspace(1e-8, 1e8, 2001)])
    gd_factor = scalar_gd(p["eps"], p["lambda_i"], p["tau"])
    return np.min(np.abs(p["lambda_i"] / (p["lambda_i"] + alphas) - gd_factor))


def sample_with_start(rng, trial):
    p = sample_problem(rng, trial)
    p["lam"] = np.minimum(p["lam"], 0.95 / p["eps"])
    w0 = sampling.signed(rng, len(p["w_star"]))
    return {**p, "w0": w0, "c_0": p["Q"].T @ w0}


def gd_map_trace(p):
    """tr(∂w⁽τ⁾/∂w*): run GD for τ steps with each unit vector as w* and sum the diagonal."""
    n = len(p["lam"])
    return sum(gd_iterate({**p, "w_star": e})[i] for i, e in enumerate(np.eye(n)))


# --- training: τ steps of GD on least squares on the digits against ridge -----------------------
def digits_least_squares():
    """Pixels (constant ones dropped), centred, not rescaled: H = XᵀX/m has λ from 1.6e-6 to 0.70,
    so τελ spans the regime where α ≈ 1/(τε) holds and where it does not."""
    x, y = _digits()
    x = x[:, x.std(axis=0) > 0]
    return x - x.mean(axis=0), y - y.mean()


SHOWN_AT = (0.5, 20.0)   # the figure follows the two directions with s = τελ nearest these


def train_early_stopping(seed: int, quick: bool, alpha_rule=None) -> Evidence:
    """``alpha_rule(tau, eps)``: the single α under test (default 1/(τε))."""
    x, y = digits_least_squares()
    m, rate, steps = len(x), 1.0, (60 if quick else 100)
    hessian = x.T @ x / m
    lm, q = np.linalg.eigh(hessian)
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]

    def loss(p):
        r = anp.dot(x, p["w"]) - y
        return anp.dot(r, r) / (2 * m)

    run, cross_check = train_with_autograd_check(
        {"w": np.zeros(len(w_star))}, lambda p: {"w": x.T @ (x @ p["w"] - y) / m}, loss, rate, steps,
        record_path=True)
    rule = alpha_rule or (lambda tau, eps: 1 / (tau * eps))
    exact = exact_alpha(lm, rate, steps)
    v, w_end = q.T @ w_star, run.params["w"]
    path = [q.T @ params["w"] for params in run.path]      # the run in eigen-coordinates
    factor_gd = path[-1] / v                               # measured shrinkage per direction
    ridge_path = [ridge_factor(lm, rule(t, rate)) for t in range(1, steps + 1)]   # ridge at α(t)
    factor_single, factor_exact = ridge_path[-1], ridge_factor(lm, exact)
    s = steps * rate * lm
    inside, outside = s <= 1e-2, s >= 1.0
    rel = np.abs(factor_single / factor_gd - 1)

    errors = {"rel_error_exact_alpha_i": relative_error(q @ (factor_exact * v), w_end),
              "rel_error_single_alpha": relative_error(q @ (factor_single * v), w_end),
              "factor_rel_error_inside_max": float(rel[inside].max()),
              "factor_rel_error_outside_max": float(rel[outside].max())}
    i, j = (int(np.argmin(np.abs(s - shown))) for shown in SHOWN_AT)
    figures = {"data": f"digits least squares (pixels, centred), {m}x{x.shape[1]}", "eps": rate, "tau": steps,
               "alpha_single": rule(steps, rate), "directions_inside_s_le_0.01": int(inside.sum()),
               "directions_outside_s_ge_1": int(outside.sum()), **errors, **cross_check,
               "curves": {"lambda": lm.tolist(), "alpha_i": exact.tolist(),
                          "gd_path_i": [float(c[i]) for c in path], "gd_path_j": [float(c[j]) for c in path],
                          "ridge_path_i": [float(f[i] * v[i]) for f in ridge_path],
                          "ridge_path_j": [float(f[j] * v[j]) for f in ridge_path],
                          "s_i_j": [float(s[i]), float(s[j])]}}
    ok = (cross_check["finite"] and cross_check["max_param_rel_gap"] < 1e-10
          and errors["rel_error_exact_alpha_i"] < 1e-8
          and errors["factor_rel_error_inside_max"] < 1e-2           # s/2 + O(s²) with s ≤ 0.01
          and errors["factor_rel_error_outside_max"] > 5e-2)         # the approximation fails there
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)


TABLE = {"eps": 0.01, "tau": 100, "lambda": (0.01, 0.1, 0.5, 1, 3, 10),
         "alpha": ("0.995", "0.950", "0.768", "0.577", "0.150", "2.7e-4")}


def measured_alpha(p):
    """αᵢ measured: run τ steps of GD on ½λ(w − 1)² from 0, then the α at which ridge's factor
    λ/(λ + α) equals the GD factor w⁽τ⁾; rounded to the digits printed."""
    out = []
    for lam_i, printed in zip(p["lambda"], TABLE["alpha"]):
        w_t = scalar_gd(p["eps"], lam_i, p["tau"])
        a = lam_i * (1 - w_t) / w_t
        out.append(round(a, printed_decimals(printed)))
    return np.array(out)


def lambert_w(x, branch):
    """W_k(x) for real x in (−1/e, 0), SciPy's (imported when used: scipy is slow to import)."""
    from scipy.special import lambertw
    return float(np.real(lambertw(x, branch)))
