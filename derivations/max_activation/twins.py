"""Numeric twins of the maximally activating input: an independent search over the unit sphere
(autograd's gradient), the samplers, the activation tables, and the training run of a digits AE
whose every hidden unit's maximizer is checked against competitors."""
import autograd
import autograd.numpy as anp
import numpy as np

from regverify.claims import Evidence, NumericVerdict
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits
from regverify.numerics.training import thinned, train_with_autograd_check

# --- numeric twins: an independent search over the unit sphere ------------------------------
def search_max(f, size, rng, samples=256, steps=80):
    """The best of random unit vectors, then projected gradient ascent (autograd's gradient)."""
    starts = rng.standard_normal((samples, size))
    starts /= np.linalg.norm(starts, axis=1, keepdims=True)
    best = max(starts, key=f)
    ascend = autograd.grad(f)
    for _ in range(steps):
        step = ascend(best)
        best = best + step / max(np.linalg.norm(step), 1e-300)
        best = best / np.linalg.norm(best)
    return best


def sample_unit(rng, trial):
    size = sampling.size(rng, 2, 8)
    return {"W_l": sampling.normal(rng, size), "b_l": float(sampling.normal(rng)), "seed": trial}


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": anp.tanh, "softplus": lambda t: anp.log1p(anp.exp(t))}
DECREASING = {"exp(-t)": lambda t: anp.exp(-t), "1 - sigmoid": lambda t: 1 - sigmoid(t)}


def sample_activation(rng, trial, table=ACTIVATIONS):
    return {**sample_unit(rng, trial), "g": sorted(table)[trial % len(table)]}


def searched(p, objective):
    return search_max(objective, len(p["W_l"]), np.random.default_rng(p["seed"]))


def per_unit(p, value):
    return np.array([value(p["W"][:, l]) for l in range(p["W"].shape[1])])


def sample_layer(rng, trial):
    inputs, hidden = sampling.size(rng, 2, 7), sampling.size(rng, 2, 7)
    return {"W": sampling.normal(rng, (inputs, hidden)), "n": inputs, "k": hidden, "seed": trial}


def printed_list(p):
    """003:269's list W_1/‖W_1‖ … W_n/‖W_n‖ (n = input size), one per hidden unit 1 … n: the peak of
    unit j reached by the j-th entry; NaN where the AE has no column W_j (j > k)."""
    w_ = p["W"]
    return np.array([w_[:, j] @ w_[:, j] / np.linalg.norm(w_[:, j]) if j < w_.shape[1] else np.nan
                     for j in range(w_.shape[0])])


def unit_peaks(p):
    """The largest W_lᵀx over unit x found by the independent search, for each unit l = 1 … k."""
    rng = np.random.default_rng(p["seed"])
    return per_unit(p, lambda col: col @ search_max(lambda v: anp.dot(col, v), len(col), rng))


# --- training run: a digits AE, then the maximizing input of every hidden unit ----------------
def unit_norm_columns(w_):
    return w_ / np.linalg.norm(w_, axis=0)


def train_max_activation(seed: int, quick: bool, maximizer=unit_norm_columns) -> Evidence:
    """Train a sigmoid AE on the digits (closed-form gradient vs autograd at every step), then
    check ``maximizer(W)`` (columns = inputs) against every competitor: 500 random unit inputs,
    every digit scaled to unit norm, and projected gradient ascent. The planted twins (−W_l/‖W_l‖,
    a scaled W_l/‖W_l‖) must fail."""
    x = digits(300, seed)
    rng = np.random.default_rng(seed)
    size, k = x.shape[1], 16
    start = {"W": rng.normal(0, 0.1, (size, k)), "V": rng.normal(0, 0.1, (size, k)),
             "b": np.zeros(k), "c": np.zeros(size)}

    def loss(q):
        r = anp.dot(sigmoid(anp.dot(x, q["W"]) + q["b"]), q["V"].T) + q["c"] - x
        return anp.sum(r * r) / len(x)

    def gradient(q):
        h = sigmoid(x @ q["W"] + q["b"])
        r = h @ q["V"].T + q["c"] - x
        back = (r @ q["V"]) * h * (1 - h)
        return {"W": 2 * x.T @ back / len(x), "V": 2 * r.T @ h / len(x),
                "b": 2 * back.sum(axis=0) / len(x), "c": 2 * r.sum(axis=0) / len(x)}

    steps = 60 if quick else 400
    run, gaps = train_with_autograd_check(start, gradient, loss, 0.1, steps)
    w_ = run.params["W"]
    inputs = maximizer(w_)
    norms_ok = bool(np.allclose(np.linalg.norm(inputs, axis=0), 1.0, rtol=0, atol=1e-12))
    reached = np.sum(w_ * inputs, axis=0)
    competitors = rng.standard_normal((500, size))
    competitors = np.vstack([competitors / np.linalg.norm(competitors, axis=1, keepdims=True),
                             digits() / np.linalg.norm(digits(), axis=1, keepdims=True)])
    competitors_unit = bool(np.allclose(np.linalg.norm(competitors, axis=1), 1.0, rtol=0, atol=1e-12))
    sampled_best = np.max(competitors @ w_, axis=0)
    ascent = np.array([w_[:, l] @ search_max(lambda v, l=l: anp.dot(w_[:, l], v), size, rng, 64, 60)
                       for l in range(k)])
    margin = float(np.min(reached - np.maximum(sampled_best, ascent)))
    ascent_gap = float(np.max(np.abs(ascent - reached) / np.abs(reached)))
    detail = {"data": f"digits {x.shape[0]}x{size}, AE {size}->{k}->{size}", "steps": steps, **gaps,
              "loss_first": run.losses[0], "loss_last": run.losses[-1],
              "unit_norm": norms_ok, "competitors_unit_norm": competitors_unit, "least_lead_over_competitors": margin,
              "ascent_rel_gap": ascent_gap, "competitors": len(competitors),
              "images": inputs.T.tolist(),
              "curves": {"loss": thinned(run.losses)}}
    ok = (gaps["max_param_rel_gap"] < 1e-10 and gaps["max_loss_rel_gap"] < 1e-10 and norms_ok
          and competitors_unit and margin >= -1e-12 and ascent_gap < 1e-9)
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)


def activation_peak(p, table):
    """The searched maximizer of h_l = g(W_lᵀx + b_l) over unit x, and the value h_l takes there."""
    act, col, bias = table[p["g"]], p["W_l"], p["b_l"]

    def unit(v):
        return act(anp.dot(col, v) + bias)
    best = searched(p, unit)
    return np.append(best, unit(best))


def claimed_peak(p, table):             # x = W_l/‖W_l‖, where h_l = g(‖W_l‖ + b_l)
    norm = np.linalg.norm(p["W_l"])
    return np.append(p["W_l"] / norm, table[p["g"]](norm + p["b_l"]))
