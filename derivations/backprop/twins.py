"""Numeric twins of backpropagation: the chain rules, the MLP and the batched two-layer network in
NumPy/autograd, their samplers (away from the ReLU kinks), the layered graph's path sum and reverse
accumulation, and the training run on the digits."""
import itertools

import autograd.numpy as anp
import numpy as np

from regverify.claims import Evidence, NumericVerdict
from regverify.numerics.datasets import digits_labelled
from regverify.numerics.gradcheck import numeric_jacobian
from regverify.numerics.training import relative_error, thinned, train_with_autograd_check

# --- numeric twins -------------------------------------------------------------------------
SIGMOID_SLOPE = {"g_prime": lambda a: (lambda s: s * (1 - s))(1 / (1 + np.exp(-a)))}
RELU_STEP = {"g_prime": lambda a: (a > 0).astype(float)}     # g = ReLU away from its kink


def softmax_sample(rng, trial):
    n = int(rng.integers(2, 7))
    return {"a": rng.normal(size=n), "y": np.eye(n)[rng.integers(n)]}


def away_from_kinks(draw, key, margin=0.1):
    def sample(rng, trial):
        while True:
            p = draw(rng, trial)
            if np.min(np.abs(key(p))) >= margin:
                return p
    return sample


def sizes(rng, k=3):
    return [int(v) for v in rng.choice(np.arange(2, 7), k, replace=False)]


def relu_layer(rng, trial, square=False):
    p_, r = sizes(rng, 2)
    r = p_ if square else r
    return {"W": rng.normal(size=(p_, r)), "b": rng.normal(size=p_), "x": rng.normal(size=r)}


def measured_grad_h(p):                 # ∇ₓh in 004:381's layout (rows indexed by x), Richardson
    return numeric_jacobian(lambda v: np.maximum(0, p["W"] @ v + p["b"]), p["x"], "richardson").T


def softmax_rows(a):
    e = np.exp(a - np.max(a.real, axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(a, y):                # mean −log softmax(a)[label]; complex-analytic
    return np.mean(np.log(np.sum(np.exp(a), axis=1)) - np.sum(a * y, axis=1))


def two_layer(rng, trial):
    """The network at a point, with H and G = ∂J/∂A₂ (complex step of the cross-entropy) measured."""
    t, n, K = sizes(rng)
    p = {"X": rng.normal(size=(t, 3)), "W1": rng.normal(size=(3, n)), "W2": rng.normal(size=(n, K)),
         "Y": np.eye(K)[rng.integers(0, K, t)], "lam": 0.1}
    h = np.maximum(0, p["X"] @ p["W1"])
    g_out = numeric_jacobian(lambda a: cross_entropy(a, p["Y"]), h @ p["W2"], "complex-step")
    return {**p, "H": h, "G": np.reshape(g_out, (t, K))}


def batch_objective(p):
    h = np.maximum(0, p["X"] @ p["W1"])
    return cross_entropy(h @ p["W2"], p["Y"]) + p["lam"] * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))


def grad_w2(h, gg):                     # ∇_{W₂}J = HᵀG
    return h.T @ gg


def grad_w1(x, w2, a1, gg, mask=RELU_STEP["g_prime"]):   # ∇_{W₁}J = Xᵀ[(GW₂ᵀ) ⊙ 1[A₁ > 0]]
    return x.T @ ((gg @ w2.T) * mask(a1))


def batch_gradients(p, mask=RELU_STEP["g_prime"], penalty=2.0):
    """The closed forms with G = (softmax(A₂) − Y)/t and the penalty's 2λW."""
    a1 = p["X"] @ p["W1"]
    h = np.maximum(0, a1)
    gg = (softmax_rows(h @ p["W2"]) - p["Y"]) / len(p["X"])
    return {"W1": grad_w1(p["X"], p["W2"], a1, gg, mask) + penalty * p["lam"] * p["W1"],
            "W2": grad_w2(h, gg) + penalty * p["lam"] * p["W2"]}


def train_digits(seed, quick, gradient=batch_gradients):
    """Two-layer ReLU network on the digits; the closed forms against autograd at every step."""
    x, labels = digits_labelled(400 if quick else 1200, seed)
    rng = np.random.default_rng(seed)
    data = {"X": x, "Y": np.eye(10)[labels], "lam": 1e-3}
    start = {"W1": rng.normal(0, 0.3, (64, 24)), "W2": rng.normal(0, 0.3, (24, 10))}

    def loss(q):
        h = anp.maximum(0, anp.dot(data["X"], q["W1"]))
        a = anp.dot(h, q["W2"])
        return (anp.mean(anp.log(anp.sum(anp.exp(a), axis=1)) - anp.sum(a * data["Y"], axis=1))
                + data["lam"] * (anp.sum(q["W1"] ** 2) + anp.sum(q["W2"] ** 2)))

    steps = 20 if quick else 60
    run, check = train_with_autograd_check(start, lambda q: gradient({**data, **q}), loss, 0.5, steps)
    ok = (check["finite"] and check["max_param_rel_gap"] < 1e-10 and check["max_loss_rel_gap"] < 1e-10
          and run.losses[-1] < 0.8 * run.losses[0])
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, {
        "data": f"digits, {len(x)} rows, 64-24-10 ReLU, softmax cross-entropy, λ = 1e-3", "steps": steps,
        **check, "loss_first": run.losses[0], "loss_last": run.losses[-1], "seconds": round(run.seconds, 3),
        "curves": {"loss (closed form)": thinned(run.losses)}})


def forward_layers(p, x):
    us = [x]
    for w in p["A"]:
        us.append(np.tanh(w @ us[-1]))
    return us


def path_sum(p):                        # Σ over paths of Π local derivatives, input node 0 → output
    us, total, count = forward_layers(p, p["x"]), 0.0, 0
    slopes = [(1 - us[k + 1] ** 2)[:, None] * w for k, w in enumerate(p["A"])]
    for nodes in itertools.product(range(len(p["x"])), repeat=len(p["A"])):
        path = (0,) + nodes
        total += np.prod([slopes[k][path[k + 1], path[k]] for k in range(len(p["A"]))])
        count += 1
    return total, count


def reverse_accumulation(p):            # backprop: one multiply-add per edge
    us = forward_layers(p, p["x"])
    grad, edges = np.ones(len(p["x"])), len(p["x"])   # the output Σ u: one edge per last-layer node
    for k in reversed(range(len(p["A"]))):
        local = grad * (1 - us[k + 1] ** 2)
        grad = np.zeros(len(p["x"]))
        for i, l in itertools.product(range(len(p["x"])), repeat=2):
            grad[l] += local[i] * p["A"][k][i, l]
            edges += 1
    return grad[0], edges


def layered_graph(rng, width, depth):
    return {"x": rng.normal(size=width), "A": [rng.normal(0, 0.8, (width, width)) for _ in range(depth)]}


def count_paths_and_edges(seed, quick, backprop=reverse_accumulation):
    """The measured table: paths enumerated by the path sum vs edges visited by backprop."""
    rng, rows = np.random.default_rng(seed), []
    for width, depth in itertools.product((2, 3, 4), range(1, (6 if quick else 8) + 1)):
        if width ** depth > (4096 if quick else 70000):
            continue
        p = layered_graph(rng, width, depth)
        (by_paths, paths), (by_edges, edges) = path_sum(p), backprop(p)
        rows.append({"width": width, "depth": depth, "paths": paths, "edges": edges,
                     "rel_diff": relative_error(by_paths, by_edges)})
    ok = bool(rows) and all(r["paths"] == r["width"] ** r["depth"] and r["edges"] == r["depth"] * r["width"] ** 2 + r["width"]
             and r["rel_diff"] < 1e-12 for r in rows)
    three = [r for r in rows if r["width"] == 3]
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, {
        "table": rows, "rule": "paths = w^d, edges = d·w² + w, path sum = backprop to 1e-12",
        "curves": {"depth (w=3)": [r["depth"] for r in three], "paths (w=3)": [r["paths"] for r in three],
                   "edges (w=3)": [r["edges"] for r in three]}})


def chain_sample(rng, trial):
    m, n = sizes(rng, 2)
    return {"x": rng.normal(size=m), "A": rng.normal(size=(n, m)), "B": rng.normal(size=(n, m))}


def chain_y(p, x):
    return np.tanh(p["A"] @ x) + (p["B"] @ x) ** 2


def chain_claimed(p):                   # (∂y/∂x)ᵀ ∇_y z, z = log Σ e^y
    jac = (1 - np.tanh(p["A"] @ p["x"]) ** 2)[:, None] * p["A"] + 2 * (p["B"] @ p["x"])[:, None] * p["B"]
    return jac.T @ softmax_rows(chain_y(p, p["x"])[None])[0]


def tensor_claimed(p):                  # Σ over index pairs j of (∇_X Y_j) ∂z/∂Y_j, Y = XW
    y, total = p["X"] @ p["W"], np.zeros_like(p["X"])
    for (a, b), _ in np.ndenumerate(y):
        grad_y = np.zeros_like(p["X"])
        grad_y[a] = p["W"][:, b]
        total += grad_y * p["C"][a, b] * (1 - np.tanh(y[a, b]) ** 2)
    return total


def mlp_sample(rng, trial):
    widths = [int(v) for v in rng.integers(2, 6, 4)]
    return {"x": rng.normal(size=widths[0]), "y": rng.normal(size=widths[-1]), "lam": 0.1, "widths": widths,
            "theta": rng.normal(size=sum(o * i + o for i, o in zip(widths, widths[1:])))}


def mlp_layers(p, theta):
    out, at = [], 0
    for i, o in zip(p["widths"], p["widths"][1:]):
        out.append((theta[at:at + o * i].reshape(o, i), theta[at + o * i:at + o * i + o]))
        at += o * i + o
    return out


def mlp_loss(p):
    h, layers = p["x"], mlp_layers(p, p["theta"])
    for w, b in layers:
        h = np.tanh(b + w @ h)
    return 0.5 * np.sum((h - p["y"]) ** 2) + p["lam"] * sum(np.sum(w ** 2) for w, _ in layers)


def weight_gradient(g_a, h, w, lam):    # ∇_W J = g hᵀ + λ∇_W‖W‖² = g hᵀ + 2λW
    return np.outer(g_a, h) + 2 * lam * w


def mlp_backprop(p):                    # 004:342–358, Ω = Σ‖W‖² (biases not penalized)
    hs, acts, layers = [p["x"]], [], mlp_layers(p, p["theta"])
    for w, b in layers:
        acts.append(b + w @ hs[-1])
        hs.append(np.tanh(acts[-1]))
    grad, parts = hs[-1] - p["y"], []
    for k in reversed(range(len(layers))):
        grad = grad * (1 - np.tanh(acts[k]) ** 2)
        parts = [weight_gradient(grad, hs[k], layers[k][0], p["lam"]).ravel(), grad] + parts
        grad = layers[k][0].T @ grad
    return np.concatenate(parts)


def output_sample(rng, trial):           # with L'(ŷ) and L'(y) measured by the complex step
    n = int(rng.integers(2, 6))
    p = {"w": rng.normal(size=n), "h": rng.normal(size=n), "y": float(rng.uniform(0.05, 0.95))}
    y_hat = 1 / (1 + np.exp(-p["w"] @ p["h"]))
    slope = [float(numeric_jacobian(lambda q: 0.5 * (q - p["y"]) ** 2, np.array(at), "complex-step"))
             for at in (y_hat, p["y"])]
    return {**p, "dL_at_prediction": slope[0], "dL_at_target": slope[1]}


def output_loss(p):                     # L(ŷ) = ½(ŷ − y)², ŷ = σ(w·h)
    return 0.5 * (1 / (1 + np.exp(-p["w"] @ p["h"])) - p["y"]) ** 2


def affine_sample(rng, trial):           # with g = ∇_a J of J = Σ cᵢ tanh aᵢ, by the complex step
    n, m = sizes(rng, 2)
    m = n if trial % 2 else m
    p = {"W": rng.normal(size=(n, m)), "b": rng.normal(size=n), "h": rng.normal(size=m), "c": rng.normal(size=n)}
    return {**p, "g": numeric_jacobian(lambda a: np.sum(p["c"] * np.tanh(a)), p["b"] + p["W"] @ p["h"], "complex-step")}


def measured_da_dh(p):                  # 004:381's layout: entry (i, j) = ∂aⱼ/∂hᵢ
    return numeric_jacobian(lambda v: p["b"] + p["W"] @ v, p["h"], "complex-step").T


RELU = away_from_kinks(relu_layer, lambda p: p["W"] @ p["x"] + p["b"])
RELU_SQUARE = away_from_kinks(lambda rng, t: relu_layer(rng, t, square=True), lambda p: p["W"] @ p["x"] + p["b"])
TWO_LAYER = away_from_kinks(two_layer, lambda p: p["X"] @ p["W1"])
