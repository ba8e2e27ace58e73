"""Numeric twins of ridge regression: the slide's and the halved objective in NumPy, their solutions, the
noisy-target sampler and the fits behind the estimate's mean and covariance, the Monte Carlo bias-variance run
and scikit-learn's Ridge as the oracle, both on the digits."""
import numpy as np

from regverify.claims import Evidence, NumericVerdict
from regverify.numerics import sampling
from regverify.numerics.datasets import digits_regression
from regverify.numerics.training import relative_error


# --- numeric twins -------------------------------------------------------------------------
def sample_ridge(rng, trial):
    rows, cols = sampling.size(rng, 2, 6), sampling.size(rng, 2, 5)
    return {"X": sampling.normal(rng, (rows, cols)), "y": sampling.normal(rng, rows),
            "alpha": float(sampling.positive(rng, 0.1, 10.0))}


def slide_objective(p, v):
    r = p["X"] @ v - p["y"]
    return r @ r + 0.5 * p["alpha"] * (v @ v)


def halved_objective(p, v):
    r = p["X"] @ v - p["y"]
    return 0.5 * (r @ r) + 0.5 * p["alpha"] * (v @ v)


def solve(p, shift):
    x = p["X"]
    return np.linalg.solve(x.T @ x + shift * np.eye(x.shape[1]), x.T @ p["y"])


def corrected(p):
    return solve(p, p["alpha"] / 2)


def printed(p):
    return solve(p, p["alpha"])


def sample_noisy_fit(rng, trial):
    rows = sampling.size(rng, 4, 8)
    cols = sampling.size(rng, 2, rows - 1)              # full column rank (almost surely)
    x = sampling.normal(rng, (rows, cols))
    return {"X": x, "G": x.T @ x, "w_0": sampling.normal(rng, cols),
            "sigma": float(sampling.positive(rng, 0.1, 3.0)), "alpha": float(sampling.positive(rng, 0.1, 10.0))}


def ridge_fit(p, targets):
    """The minimizer of the slide's objective as an augmented least-squares problem
    [X; √(α/2) I] w ≈ [y; 0]: another route than the normal equations."""
    x = p["X"]
    stacked = np.vstack([x, np.sqrt(p["alpha"] / 2) * np.eye(x.shape[1])])
    padded = np.vstack([targets.reshape(len(x), -1), np.zeros((x.shape[1], targets.reshape(len(x), -1).shape[1]))])
    return np.linalg.lstsq(stacked, padded, rcond=None)[0]


def estimate_mean(p):
    """E[ŵ]: ŵ is a linear map of y, so its mean is the fit of the noiseless E[y] = Xw₀."""
    return ridge_fit(p, p["X"] @ p["w_0"]).ravel()


def estimate_covariance(p):
    """σ²LLᵀ for the linear map L = ŵ(·), read off column by column from the fits of the unit targets."""
    linear_map = ridge_fit(p, np.eye(len(p["X"])))
    return p["sigma"] ** 2 * linear_map @ linear_map.T


def monte_carlo_bias_variance(seed: int, quick: bool, bias=lambda p: -p["alpha"] / 2 * np.linalg.solve(
        p["X"].T @ p["X"] + p["alpha"] / 2 * np.eye(p["X"].shape[1]), p["w_0"])) -> Evidence:
    """On the digits: w₀ the least-squares fit, y = Xw₀ + ε drawn many times, each draw fitted by
    ridge. The mean of the fits must sit on w₀ + bias (every coordinate within 5 standard errors),
    the bias must be far from 0 (what 004:469 denies), and the spread of the fits must be smaller
    than that of least squares (trace of the empirical covariances)."""
    x, target = digits_regression(seed)
    rng = np.random.default_rng(seed)
    w_true = np.linalg.lstsq(x, target, rcond=None)[0]
    p = {"X": x, "w_0": w_true, "alpha": 2000.0, "sigma": 1.0}
    draws = 200 if quick else 1000
    noise = rng.standard_normal((len(x), draws))
    ridge_fits = ridge_fit(p, (x @ w_true)[:, None] + noise)
    least_squares = np.linalg.lstsq(x, (x @ w_true)[:, None] + noise, rcond=None)[0]
    spread = ridge_fits.std(axis=1, ddof=1) / np.sqrt(draws)
    z = (ridge_fits.mean(axis=1) - w_true - bias(p)) / spread
    bias_z = np.linalg.norm(bias(p)) / np.linalg.norm(spread)
    variance_ratio = np.trace(np.cov(ridge_fits)) / np.trace(np.cov(least_squares))
    ok = bool(np.max(np.abs(z)) < 5 and bias_z > 20 and variance_ratio < 1)
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, {
        "data": f"digits, standardized pixels -> label, {x.shape[0]}x{x.shape[1]}; α = 2000, σ = 1",
        "draws": draws, "max_abs_z_of_mean_against_bias": float(np.max(np.abs(z))),
        "bias_norm_in_standard_errors": float(bias_z), "ridge_over_least_squares_variance": float(variance_ratio)})


# --- oracle: scikit-learn's Ridge on the digits ---------------------------------------------
def sklearn_oracle(seed: int, quick: bool, ridge_alpha=lambda a: a / 2) -> Evidence:
    """Our (XᵀX + (α/2)I)⁻¹Xᵀy against scikit-learn's Ridge(alpha=ridge_alpha(α)) (SVD solver,
    no intercept) on the standardized digits, across α; the printed form's distance is recorded.
    The planted twin passes the printed mapping a = α and must fail."""
    from sklearn.linear_model import Ridge

    x, target = digits_regression(seed)
    alphas = [0.1, 10.0, 1000.0] if quick else list(np.logspace(-1, 4, 11))
    ours, printed_gap = [], []
    for a in alphas:
        reference = Ridge(alpha=ridge_alpha(a), fit_intercept=False, solver="svd").fit(x, target).coef_
        p = {"X": x, "y": target, "alpha": a}
        ours.append(relative_error(corrected(p), reference))
        printed_gap.append(relative_error(printed(p), reference))
    detail = {"oracle": "sklearn.linear_model.Ridge(alpha=α/2, fit_intercept=False, solver='svd')",
              "data": f"digits, standardized pixels -> label, {x.shape[0]}x{x.shape[1]}",
              "max_rel_error": max(ours), "tolerance": 1e-8,
              "curves": {"alpha": alphas, "corrected_vs_sklearn": ours,
                         "printed_vs_sklearn": printed_gap}}
    ok = bool(np.all(np.isfinite(ours)) and max(ours) < 1e-8)
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)
