"""Numeric twins of weight decay (l2-shrinkage): the definitions in NumPy/autograd (the quadratic L̂ and its
regularized minimizer, a logistic L and its Newton minimizer), the samplers, and the training run with weight
decay on the digits."""
import autograd.numpy as anp
import numpy as np
from autograd import grad, hessian

from regverify.claims import Evidence, NotConformable, NumericVerdict, shape_text
from regverify.numerics import sampling
from regverify.numerics.datasets import digits_regression
from regverify.numerics.training import relative_error, train_with_autograd_check


# --- numeric twins (NumPy, written from the definitions) -------------------------------------
def sample_quadratic(rng, trial):
    size = sampling.size(rng)
    hessian = sampling.spd(rng, size) if trial % 2 == 0 else sampling.psd(rng, size)
    return {"H": hessian, "w_star": sampling.normal(rng, size), "alpha": sampling.positive(rng)}


def quadratic_objective(p, w):
    d = w - p["w_star"]
    return 0.5 * d @ p["H"] @ d + 0.5 * p["alpha"] * w @ w


def shrunk(p):
    return np.linalg.solve(p["H"] + p["alpha"] * np.eye(len(p["w_star"])), p["H"] @ p["w_star"])


def sample_logistic(rng, trial):
    """A logistic L, not quadratic, so the check is not circular; "g" is ∇L(w) by autograd."""
    m, size = sampling.size(rng, 4, 8), sampling.size(rng)
    p = {"X": sampling.normal(rng, (m, size)), "y": sampling.binary(rng, m),
         "w": sampling.normal(rng, size), "alpha": sampling.positive(rng)}
    return {**p, "g": grad(lambda u: logistic_loss({**p, "w": u}))(p["w"])}


def logistic_loss(p):  # an L that is not quadratic, so the check is not circular
    z = p["X"] @ p["w"]
    return anp.sum(anp.log(1 + anp.exp(z))) - p["y"] @ z



def solved(p, rhs):      # (H + αI)⁻¹·rhs, traced by autograd and complex steps alike
    return anp.linalg.solve(p["H"] + p["alpha"] * anp.eye(len(p["H"])), rhs)


def sample_spectrum(rng, trial):
    lm, q = sampling.spectrum(rng, k := sampling.size(rng), 0.5, 5.0), sampling.orthogonal(rng, k)
    return {"H": q @ np.diag(lm) @ q.T, "lambda_high": lm[0], "lambda_low": lm[-1], "alpha": sampling.positive(rng, 0.01, 10)}


# --- a loss that is not quadratic: w̃ = (H + αI)⁻¹Hw* is its quadratic approximation (004:490–493) ---
def newton_minimizer(p, strength, start=None, steps=30):
    """argmin of the logistic L(w) + (strength/2)‖w‖², by Newton's method (no closed form):
    ∇ = Xᵀ(σ(Xw) − y) + strength·w, ∇² = Xᵀdiag(σ(1 − σ))X + strength·I."""
    x, w_ = p["X"], np.zeros(p["X"].shape[1]) if start is None else np.array(start, dtype=float)
    for _ in range(steps):
        s_ = 1 / (1 + np.exp(-x @ w_))
        step = np.linalg.solve(x.T @ (x * (s_ * (1 - s_))[:, None]) + strength * np.eye(len(w_)),
                               x.T @ (s_ - p["y"]) + strength * w_)
        w_ = w_ - step
        if np.max(np.abs(step)) <= 1e-15 * max(1.0, np.max(np.abs(w_))):
            break
    return w_


def sample_logistic_fit(rng, trial, strengths=(1e-3, 2e-2)):
    """Noisy labels (so that w* is finite), w* and H = ∇²L(w*) by Newton and autograd, α small."""
    m, size = 30, sampling.size(rng, 2, 4)
    x = sampling.normal(rng, (m, size))
    y = (rng.random(m) < 1 / (1 + np.exp(-x @ sampling.normal(rng, size)))).astype(float)
    p = {"X": x, "y": y}
    w_opt = newton_minimizer(p, 0.0)
    return {**p, "w_star": w_opt, "H": hessian(lambda u: logistic_loss({**p, "w": u}))(w_opt),   # autograd
            "alpha": float(np.exp(rng.uniform(*np.log(strengths))))}


def sample_logistic_far(rng, trial):
    return sample_logistic_fit(rng, trial, strengths=(5.0, 50.0))


def sample_columns(rng, trial):
    size = sampling.size(rng, 2, 5)   # the lecture's w is a vector: n ≥ 2
    return {"H": sampling.symmetric(rng, size), "w": sampling.normal(rng, (size, 1)),
            "w_star": sampling.normal(rng, (size, 1))}


def literal_product(*factors):
    """Left-to-right matrix product as printed; an undefined product (non-conformable shapes)
    raises NotConformable, saying which factors do not fit."""
    out = factors[0]
    for number, f in enumerate(factors[1:], 2):
        if out.shape[-1] != f.shape[0]:
            before = "factor 1" if number == 2 else f"factors 1 to {number - 1}"
            raise NotConformable(f"the printed product is undefined: {before} ({shape_text(out.shape)}) "
                                 f"times factor {number} ({shape_text(f.shape)}) does not conform")
        out = out @ f
    return out


def eigen_sample(rng, trial):
    p = sample_quadratic(rng, trial)
    lm, q = np.linalg.eigh(p["H"])
    return {**p, "lam": np.maximum(lm, 0.0), "Lambda": np.diag(np.maximum(lm, 0.0)), "Q": q}



# --- training: GD with weight decay on least squares on the digits reaches w̃ -----------------
def train_weight_decay(seed: int, quick: bool, gradient=None) -> Evidence:
    """``gradient(x, y, a)`` -> p ↦ {"w": ∇}: the update under test (default: ∇L + αw)."""
    x, y = digits_regression()
    m, a = len(x), 1.0
    hessian = x.T @ x / m
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]
    predicted = shrunk({"H": hessian, "alpha": a, "w_star": w_star})   # the claim's candidate, not a copy of it

    def loss(p):
        r = anp.dot(x, p["w"]) - y
        return anp.dot(r, r) / (2 * m) + 0.5 * a * anp.dot(p["w"], p["w"])

    closed_form = (gradient or (lambda x, y, a: lambda p: {"w": x.T @ (x @ p["w"] - y) / m + a * p["w"]}))(x, y, a)
    lr = 1.0 / (np.linalg.eigvalsh(hessian)[-1] + a)
    steps = 150 if quick else 400
    run, cross_check = train_with_autograd_check({"w": np.zeros_like(w_star)}, closed_form, loss, lr, steps,
                                                 record_path=True)
    distance = [float(np.linalg.norm(params["w"] - predicted)) for params in run.path]
    gap = relative_error(run.params["w"], predicted)
    figures = {"data": f"digits regression, {m}x{x.shape[1]}, alpha={a}", "steps": steps,
               "rel_error_to_w_tilde": gap if run.finite else float("nan"), **cross_check,
               "seconds": round(run.seconds, 3),
               "curves": {"distance_to_w_tilde": distance[:: max(1, steps // 199)][:200],
                          "loss": run.losses[:: max(1, steps // 199)][:200]}}
    ok = gap < 1e-6 and figures["max_param_rel_gap"] < 1e-10 and figures["max_loss_rel_gap"] < 1e-10
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)
