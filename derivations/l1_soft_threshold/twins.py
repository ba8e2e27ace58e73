"""Numeric twins of the soft threshold: the L1 objectives and the closed form in NumPy, J's smooth part
in autograd, the samplers (kinks, the band, the printed summed condition, a coupled H), and the
coordinate-descent training run on the digits."""
import autograd.numpy as anp
import numpy as np
from autograd import grad

from regverify.numerics import sampling
from regverify.numerics.datasets import digits_regression

from regverify.claims import Evidence, NumericVerdict


def smooth_part(x, w):
    return anp.sum(anp.cos(anp.dot(x, w)))


def sample_signed(rng, trial):
    p = {"w": sampling.signed(rng, n := sampling.size(rng)), "X": sampling.normal(rng, (6, n)),
         "alpha": sampling.positive(rng)}
    return {**p, "g": grad(lambda v: smooth_part(p["X"], v))(p["w"])}


def sample_scalar(rng, trial):
    """Both signs; every third trial sits exactly on a kink (w* = ±α/h or 0)."""
    n = sampling.size(rng)
    a, hh = sampling.positive(rng, 0.2, 3.0), sampling.positive(rng, 0.2, 3.0, shape=n)
    w_star = sampling.signed(rng, n, 0.01, 3.0) * np.maximum(1.0, a / hh)
    kinks = rng.choice([-1.0, 0.0, 1.0], size=n) * a / hh
    return {"w_star": kinks if trial % 3 == 0 else w_star, "alpha": a, "h": hh}


def sample_band(rng, trial):
    p = sample_scalar(rng, trial)
    return {**p, "w_star": sampling.signed(rng, len(p["h"]), 0.05, 1.0) * p["alpha"] / p["h"]}


def separable_objective(p, w):
    return np.sum(0.5 * p["h"] * (w - p["w_star"]) ** 2 + p["alpha"] * np.abs(w))


def soft_threshold(p):
    return np.sign(p["w_star"]) * np.maximum(np.abs(p["w_star"]) - p["alpha"] / p["h"], 0.0)


def summed_condition(p, w):
    """004:541 as printed: Σᵢ [hᵢ(wᵢ − wᵢ*) + α sign(wᵢ)]."""
    return float(np.sum(p["h"] * (w - p["w_star"]) + p["alpha"] * np.sign(w)))


def sample_summed(rng, trial):
    """A random point with no zero weight, its last coordinate moved (keeping its sign) so that
    the printed sum vanishes there."""
    n = sampling.size(rng)
    p = {"alpha": sampling.positive(rng, 0.2, 1.0), "h": sampling.positive(rng, 0.5, 2.0, shape=n),
         "w_star": sampling.signed(rng, n, 0.5, 3.0)}
    w = sampling.signed(rng, n, 0.2, 3.0)
    rest = summed_condition(p, w) - (p["h"][-1] * (w[-1] - p["w_star"][-1]) + p["alpha"] * np.sign(w[-1]))
    w[-1] = p["w_star"][-1] + (-rest - p["alpha"] * np.sign(w[-1])) / p["h"][-1]
    return {**p, "w": w}


def summed_premise(p):
    scale = np.sum(np.abs(p["h"] * (p["w"] - p["w_star"]))) + p["alpha"] * len(p["w"])
    return abs(summed_condition(p, p["w"])) <= 1e-12 * scale and bool(np.all(p["w"] != 0))


def sample_coupled(rng, trial):
    """A non-diagonal SPD H; "h" is its diagonal, which the coordinate-wise threshold reads."""
    hessian = sampling.spd(rng, n := sampling.size(rng), 0.5, 3.0)
    return {"H": hessian, "h": np.diag(hessian).copy(), "w_star": sampling.signed(rng, n, 0.1, 2.0),
            "alpha": sampling.positive(rng, 0.2, 2.0)}


def coupled_objective(p, w):     # Ĵ(w) − J(w*) = ½(w − w*)ᵀH(w − w*) + α‖w‖₁
    return 0.5 * (w - p["w_star"]) @ p["H"] @ (w - p["w_star"]) + p["alpha"] * np.sum(np.abs(w))


# --- training: coordinate descent with a generic 1-D minimizer on the digits -------------------
def golden_section(f, lo, hi, iterations=90):
    """Minimize a convex f on [lo, hi] by golden-section search (relative precision about √ε of
    the argument), then keep the better of the result and the objective's kink at 0 (|t| is not
    smooth there). No closed form is used."""
    ratio = (np.sqrt(5) - 1) / 2
    x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(iterations):
        if f1 < f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - ratio * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + ratio * (hi - lo)
            f2 = f(x2)
    t = (lo + hi) / 2
    return 0.0 if lo <= 0.0 <= hi and f(0.0) <= f(t) else t


def lasso_design():
    """The digits' pixels orthonormalised (QR), column i rescaled by dᵢ: XᵀX = diag(dᵢ²) = H."""
    x, y = digits_regression()
    q = np.linalg.qr(x)[0]
    scale = np.linspace(0.5, 3.0, q.shape[1])
    return q * scale, y


def train_coordinate_descent(seed: int, quick: bool, threshold=None) -> Evidence:
    """min ½‖y − Xw‖² + α‖w‖₁ by cyclic coordinate descent, each coordinate minimized by
    golden-section search on the full objective; compared with ``threshold`` (the closed form
    under test) at hᵢ = (XᵀX)ᵢᵢ, wᵢ* = (XᵀX)⁻¹Xᵀy."""
    x, y = lasso_design()
    hh, w_star = np.sum(x * x, axis=0), (x.T @ y) / np.sum(x * x, axis=0)
    ranked = np.sort(np.abs(w_star) * hh)         # α between two of them: half the weights go to 0,
    a = float(ranked[len(ranked) // 2 - 1: len(ranked) // 2 + 1].mean())   # none sits on a kink

    def objective(u):
        r = y - x @ u
        return 0.5 * r @ r + a * np.sum(np.abs(u))

    smooth_gradient = grad(lambda u: 0.5 * anp.sum((y - anp.dot(x, u)) ** 2))
    w, values, kkt = np.zeros(x.shape[1]), [objective(np.zeros(x.shape[1]))], []
    sweeps, bound = (2 if quick else 4), 2 * np.max(np.abs(w_star)) + 1
    increased = False
    for _ in range(sweeps):
        for i in range(len(w)):
            # the objective along coordinate i, less a constant: ½hᵢt² − bᵢt + α|t|,
            # bᵢ = xᵢᵀ(y − Σ_{j≠i} xⱼwⱼ) (without the constant, f(0) is exact)
            b = x[:, i] @ (y - x @ w + x[:, i] * w[i])
            w[i] = golden_section(lambda t, i=i, b=b: 0.5 * hh[i] * t * t - b * t + a * abs(t), -bound, bound)
            values.append(objective(w))
            increased |= values[-1] > values[-2] * (1 + 1e-13)
        g = smooth_gradient(w)       # autograd: the subgradient conditions at every sweep
        kkt.append(float(np.max(np.where(w != 0, np.abs(g + a * np.sign(w)), np.maximum(np.abs(g) - a, 0)))))
    target = (threshold or soft_threshold)({"w_star": w_star, "alpha": a, "h": hh})
    error = float(np.max(np.abs(w - target)) / np.max(np.abs(target)))
    finite = bool(np.all(np.isfinite(w)) and np.all(np.isfinite(values)))
    figures = {"method": "coordinate descent, golden-section search per coordinate",
               "data": f"digits pixels orthonormalised, {x.shape[0]}x{x.shape[1]}, columns scaled 0.5..3",
               "alpha": a, "sweeps": sweeps, "max_rel_error": error if finite else float("nan"),
               "zeros": int(np.sum(target == 0)), "zero_pattern_matches": bool(np.array_equal(w == 0, target == 0)),
               "objective_never_increases": not increased, "max_kkt_violation_autograd": kkt[-1],
               "finite": finite,
               "curves": {"closed_form": target.tolist(), "coordinate_descent": w.tolist(),
                          "kkt_violation_per_sweep": kkt}}
    ok = (finite and error < 1e-6 and figures["zero_pattern_matches"] and not increased
          and kkt[-1] < 1e-5 * a)
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)
