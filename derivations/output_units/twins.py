"""Numeric twins of the output units: the definitions in NumPy/SciPy (sigmoid, softmax, the Bernoulli
model's P(y), SciPy's log-sum-exp and Gaussian log-density as oracles), the samplers, and the softmax
layer fitted to label frequencies by gradient descent."""
import numpy as np

from regverify.numerics.gradcheck import numeric_jacobian
from regverify.numerics.evidence import Evidence, NumericVerdict


def logsumexp(z):
    """SciPy's log Σ e^z, an oracle independent of the forms checked here (imported when used:
    scipy is slow to import)."""
    from scipy.special import logsumexp as scipy_logsumexp
    return scipy_logsumexp(z)


def gaussian_log_density(y, mean):
    """log N(y; mean, I) by SciPy, as the independent oracle."""
    from scipy.stats import multivariate_normal
    return multivariate_normal(mean, np.eye(mean.size)).logpdf(y)


# --- numeric twins (NumPy/SciPy, from the definitions) ------------------------------------
def sigmoid(t):
    return 1 / (1 + np.exp(-t))


def sample_labels01(rng, trial):
    return {"y": float(trial % 2), "z": rng.uniform(-8, 8, size=6)}


def sample_labels_pm1(rng, trial):
    return {"y": 2.0 * (trial % 2) - 1, "z": rng.uniform(-8, 8, size=6)}


def model_prob(p):                       # P(y) from the Bernoulli model, label y=1 ↔ e^z
    positive = p["y"] > 0
    return np.exp(positive * p["z"]) / (1 + np.exp(p["z"]))


def nll_slope(p, zz):                    # measured d/dz of −log P(y | z), at one z
    return float(numeric_jacobian(lambda v: np.logaddexp(0, (1 - 2 * p["y"]) * v),
                                  np.array(zz), "richardson"))


def sample_logits(rng, trial):           # ties, one dominant entry, and huge magnitudes
    k = int(rng.integers(2, 7))
    zz = rng.normal(0, 3, k) * [1, 1, 1e2, 1e300 ** 0.5][trial % 4]
    if trial % 3 == 1:
        zz[:] = zz[0]                    # all equal: the upper bound is attained
    if trial % 3 == 2:
        zz[0] += 1e3                     # one dominant entry: the lower bound is attained
    return {"z": zz, "c": float(rng.normal(0, 5)), "m": float(np.max(zz)), "K": zz.size}   # m = maxⱼ zⱼ


def sample_gaussian_fit(rng, trial):
    return {"y": rng.normal(rng.normal(0, 3), rng.uniform(0.5, 3), size=int(rng.integers(3, 9)))}


def printed_j(p, w):                     # 004:100 as printed: (1/t) Σ log N(yᵢ; μ, 1)
    return np.mean(-0.5 * (p["y"] - w[0]) ** 2 - 0.5 * np.log(2 * np.pi))


def softmax(v):                          # over the last axis
    e = np.exp(v - np.max(np.real(v), axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sample_counts(rng, trial):           # counts nᵢ ≥ 1 of K classes at one input, not all equal
    n = rng.integers(1, 30, int(rng.integers(2, 8))).astype(float)
    n[0] += n[0] == n.max() == n.min()
    return {"n": n}


def sample_correct(rng, trial):          # z_y = z₀ the largest, by a margin of 0 (a tie) to 20
    zz = rng.normal(0, 3, int(rng.integers(2, 7)))
    zz[0] = zz.max() + [0, 0.1, 1, 5, 20][trial % 5]
    return {"z": zz}


def fit_frequencies(seed, quick):
    """A softmax layer z = Wᵀx fitted by gradient descent to labels at 6 repeated one-hot inputs (so
    row x of W is x's logits), 4 classes: its probabilities must reach the empirical frequencies."""
    rng = np.random.default_rng(seed)
    table, (m, steps) = rng.dirichlet(np.ones(4), size=6), ((300, 1500) if quick else (1200, 4000))
    inputs = np.r_[rng.integers(0, 6, m), np.repeat(np.arange(6), 4)]               # every nᵢ ≥ 1
    labels = np.r_[[rng.choice(4, p=table[i]) for i in inputs[:m]], np.tile(np.arange(4), 6)]
    x, y, w, losses = np.eye(6)[inputs], np.eye(4)[labels], np.zeros((6, 4)), []
    lr = float(len(y) / x.sum(axis=0).max())                    # 1/(½ n_x/m), twice the largest curvature
    for _ in range(steps):
        prob = softmax(x @ w)
        losses.append(float(-np.mean(np.sum(y * np.log(prob), axis=1))))
        w = w - lr * x.T @ (prob - y) / len(y)
    gap = float(np.max(np.abs(softmax(w) - (x.T @ y) / x.sum(axis=0)[:, None])))
    return Evidence(NumericVerdict.PASSED if gap < 1e-6 else NumericVerdict.FAILED, {
        "data": f"{len(y)} examples at 6 repeated inputs, 4 classes", "steps": steps, "lr": lr,
        "max_gap_to_frequencies": gap, "tolerance": 1e-6, "loss_first": losses[0], "loss_last": losses[-1]})
