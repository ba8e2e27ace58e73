"""Learning XOR: a linear model cannot, one ReLU layer can.

The four points x ∈ {0,1}² with f*(x) = x₁ XOR x₂ and J(θ) = ¼ Σ (f*(x) − f(x; θ))² (004:50–56).
The linear model f = xᵀw + b is fitted best by w = 0, b = ½ (J = 0.25: it predicts ½ everywhere).
The ReLU network f = wᵀ max{0, Wᵀx + c} + b with W = [[1,1],[1,1]], c = [0, −1], w = [1, −2], b = 0
fits exactly (004:68–78): two hidden units. One hidden unit, whatever its activation, reaches at
best J = 1/6 (004:227 prints "single hidden node is sufficient"; a single hidden *layer* is).
There are 2^(2^n) Boolean functions of n inputs (004:242).
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp

from regverify.claims import Derivation, Evidence, Expect, Identity, Minimizer, NumericVerdict, Printed, Source
from regverify.numerics.training import thinned, train_with_autograd_check
from regverify.prover import Obligation
from regverify.registry import register

POINTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)   # 004:50
TARGETS = np.array([0, 1, 1, 0], dtype=float)
W_PRINTED, C_PRINTED = np.array([[1, 1], [1, 1]], float), np.array([0, -1], float)

# --- symbols -------------------------------------------------------------------------------
w1, w2, b = sp.symbols("w_1 w_2 b", real=True)
V = sp.Matrix([w1, w2, b])
X_EXACT = [sp.Matrix(row).T for row in POINTS.astype(int).tolist()]


def mse(features) -> sp.Expr:
    """J = ¼ Σ (f* − [features, 1]·(w₁, w₂, b))² over the four points, exactly."""
    return sp.Rational(1, 4) * sum((int(t) - (f[0] * w1 + f[1] * w2 + b)) ** 2
                                   for f, t in zip(features, TARGETS))


def fit_obligation(features, candidate, value, what) -> Obligation:
    """Differentiate J in (w₁, w₂, b), substitute the candidate; J is a quadratic whose Hessian's
    leading minors must be positive (second order), and J at the candidate is ``value``."""
    j = mse(features)
    ob = Obligation.stationary(
        j, V, candidate, strict_minimum=True,
        assumptions_used=("J = ¼ Σ (f* − f)² as on 004:55",),
        steps=(f"J(w, b) = ¼ Σ (f*(x) − {what})² over the four points",
               "∇J = 0: the normal equations of the 4×3 design [features, 1]",
               "Hessian leading minors > 0: the stationary point is the unique minimum"))
    ob.zero.append(j.subs(dict(zip(V, candidate))) - value)
    return ob


def hidden_exact():
    """h = max{0, Wᵀx + c} for the printed W, c, exactly."""
    w, c = sp.Matrix(W_PRINTED.astype(int).tolist()), sp.Matrix(C_PRINTED.astype(int).tolist())
    return [(w.T * x.T + c).applyfunc(lambda a: sp.Max(0, a)) for x in X_EXACT]


n = sp.Symbol("n", integer=True, positive=True)
BOOLEAN_COUNT = 2 ** (2 ** n)          # Boolean functions of n inputs (004:242)


def count_obligation(count) -> Obligation:
    """Count the inputs by how many of their n bits are 1; a function picks 0 or 1 at each."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    inputs = sp.Sum(sp.binomial(n, k), (k, 0, n))
    return Obligation.identity(2 ** inputs, count,
                               steps=("an input in {0,1}ⁿ is fixed by which k of its n bits are 1: "
                                      "Σ_k C(n, k) inputs (= 2ⁿ, binomial theorem)",
                                      "a function chooses 0 or 1 at each input: 2^(Σ_k C(n, k))"))


# --- numeric twins -------------------------------------------------------------------------
def linear_objective(p, v):
    r = TARGETS - (POINTS @ v[:2] + v[2])
    return (r @ r) / 4


def relu_output_objective(p, v):
    """J of the network with the printed hidden layer, as a function of (w₁, w₂, b)."""
    h = np.maximum(0, POINTS @ W_PRINTED + C_PRINTED)
    return np.mean((TARGETS - (h @ v[:2] + v[2])) ** 2)       # ¼ Σ over the four points


SINGLE_UNIT_ACTIVATIONS = {"relu": lambda a: np.maximum(0, a), "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
                           "tanh": np.tanh}


def best_output_fit(h) -> np.ndarray:
    """J at the best (w, b) for each column of hidden values h (4 × S): least squares of the
    targets on [h, 1], in closed form (J = ¼(‖t − t̄‖² − cov(h, t)²/var(h)))."""
    hc, tc = h - h.mean(axis=0), TARGETS - TARGETS.mean()
    var, cov = np.sum(hc ** 2, axis=0), hc.T @ tc
    explained = np.divide(cov ** 2, var, out=np.zeros_like(var), where=var > 1e-300)
    return (tc @ tc - explained) / 4


def best_single_unit_fit(p) -> float:
    """The least J of f = w·g(vᵀx + c) + b over (v, c, w, b) that a search finds: (w, b) exact for
    each hidden unit, (v, c) from 20,000 random draws, the best ten refined by Nelder–Mead."""
    from scipy.optimize import minimize
    act, rng = SINGLE_UNIT_ACTIVATIONS[p["g"]], np.random.default_rng(p["seed"])
    unit = rng.normal(0, 5, (20_000, 3))
    values = best_output_fit(act(POINTS @ unit[:, :2].T + unit[:, 2]))

    def j(v):
        return float(best_output_fit(act(POINTS @ v[:2, None] + v[2]))[0])
    refined = [minimize(j, unit[i], method="Nelder-Mead") for i in np.argsort(values)[:10]]
    best = min(refined, key=lambda r: r.fun).x
    # the closed form is checked at the point found against a least-squares fit (a second route)
    design = np.c_[act(POINTS @ best[:2] + best[2]), np.ones(4)]
    residual = TARGETS - design @ np.linalg.lstsq(design, TARGETS, rcond=None)[0]
    if abs(residual @ residual / 4 - j(best)) > 1e-9:
        raise ArithmeticError("the closed-form output fit disagrees with least squares")
    return float(min(values.min(), j(best)))


def best_linear_hidden_fit(p) -> float:
    """The least J over 200 draws of a linear hidden layer h = Wᵀx + c (k units), the output
    layer (w, b) fitted exactly by least squares on [h, 1] each time."""
    rng, best = np.random.default_rng(p["seed"]), np.inf
    for _ in range(200):
        h = POINTS @ rng.normal(0, 2, (2, p["k"])) + rng.normal(0, 2, p["k"])
        design = np.c_[h, np.ones(4)]
        residual = TARGETS - design @ np.linalg.lstsq(design, TARGETS, rcond=None)[0]
        best = min(best, float(residual @ residual) / 4)
    return best


k, t = sp.symbols("k t", integer=True, positive=True)
W_LIN, C_LIN, OUT_W = sp.MatrixSymbol("W", 2, k), sp.MatrixSymbol("c", k, 1), sp.MatrixSymbol("w", k, 1)
X_ROWS, ONES, OUT_B = sp.MatrixSymbol("X", t, 2), sp.OneMatrix(t, 1), sp.Symbol("b", real=True)


def linear_hidden_obligation(claim) -> Obligation:
    """On any t inputs (the rows of X), the network with a linear f⁽¹⁾ is affine, every k:
    (XW + 1cᵀ)w + b1 = X(Ww) + (cᵀw + b)1; so its least J is the linear fit's, the value stated
    (J at the linear fit, derived)."""
    network = (X_ROWS * W_LIN + ONES * C_LIN.T) * OUT_W + OUT_B * ONES
    affine = X_ROWS * (W_LIN * OUT_W) + ONES * (C_LIN.T * OUT_W) + OUT_B * ONES
    linear_fit = mse(X_EXACT).subs({w1: 0, w2: 0, b: sp.Rational(1, 2)})
    return Obligation(zero=[network - affine, linear_fit - claim.rhs],
                      steps=("(XW + 1cᵀ)w + b1 = X(Ww) + (cᵀw + b)1: an affine function of the inputs",
                             "so the least J is the linear fit's, ¼ at w = 0, b = ½"))


def count_by_nand_closure(n: int) -> int:
    """Every Boolean function is built from the projections by NAND (functionally complete):
    close the set of truth tables (bitmasks over the 2ⁿ inputs) under NAND and count it."""
    full = (1 << (1 << n)) - 1
    tables = {sum(1 << row for row in range(1 << n) if row >> bit & 1) for bit in range(n)}
    frontier = set(tables)
    while frontier:
        new = {full & ~(a & b) for a in frontier for b in tables} - tables
        tables |= new
        frontier = new
    return len(tables)


# --- training run: a ReLU net learns XOR; closed-form gradient vs autograd at every step ------
def train_xor(seed: int, quick: bool, w_scale: float = 1.0) -> Evidence:
    """GD on J with hand-written backprop (the W gradient times ``w_scale``; the planted twin uses
    1.001) and with autograd's gradient: same trajectory, and all four targets reached."""
    k, lr = 16, 0.1
    steps, tolerance = (200, 0.05) if quick else (500, 0.01)
    rng = np.random.default_rng(seed)
    start = {"W": rng.normal(0, 1, (2, k)), "c": rng.uniform(0, 0.1, k),
             "w": rng.normal(0, 1 / np.sqrt(k), k), "b": np.zeros(1)}

    def loss(p):
        h = anp.maximum(0, anp.dot(POINTS, p["W"]) + p["c"])
        return anp.sum((anp.dot(h, p["w"]) + p["b"] - TARGETS) ** 2) / 4

    def gradient(p):
        a = POINTS @ p["W"] + p["c"]
        h = np.maximum(0, a)
        r = h @ p["w"] + p["b"] - TARGETS
        back = np.outer(r, p["w"]) * (a > 0) / 2
        return {"W": w_scale * POINTS.T @ back, "c": back.sum(axis=0), "w": h.T @ r / 2,
                "b": np.array([r.sum() / 2])}

    run, gaps = train_with_autograd_check(start, gradient, loss, lr, steps)
    q = run.params
    outputs = np.maximum(0, POINTS @ q["W"] + q["c"]) @ q["w"] + q["b"]
    miss = float(np.max(np.abs(outputs - TARGETS)))
    detail = {"network": f"2 -> {k} ReLU -> 1", "steps": steps, "lr": lr, **gaps,
              "outputs": outputs.tolist(), "max_target_error": miss, "tolerance": tolerance,
              "params": {key: value.tolist() for key, value in q.items()},
              "curves": {"loss": thinned(run.losses)}}
    ok = gaps["max_param_rel_gap"] < 1e-10 and gaps["max_loss_rel_gap"] < 1e-10 and miss < tolerance
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)


DERIVATION = register(Derivation(
    id="xor",
    title="Learning XOR: the linear fit, a ReLU network that solves it, 2^(2^n) functions",
    sources=[Source("004_b86d6fd376fce36f.txt", "Example: Learning XOR (47–78)"),
             Source("004_b86d6fd376fce36f.txt", "universal approximation, binary case (242)"),
             Source("GBC", "§6.1")],
    conventions="x ∈ {0,1}² a column; h = max{0, Wᵀx + c}, f = wᵀh + b; J = ¼ Σ over the four points.",
    assumptions=["the four training points of 004:50 with f* = XOR"],
    symbols={"w": "vector(2)", "b": "scalar", "W": "matrix(2,2)", "c": "vector(2)"},
    claims=[
        Minimizer(
            name="linear-fit",
            statement="argmin_{w,b} ¼ Σ (f*(x) − xᵀw − b)² = (w = 0, b = ½), with J = 0.25",
            form=sp.Matrix([0, 0, sp.Rational(1, 2)]),
            symbolic=lambda claim: fit_obligation(X_EXACT, claim.form, sp.Rational(1, 4), "xᵀw + b"),
            sample=lambda rng, trial: {}, trials=1, objective=linear_objective, minimum_value=lambda p: 0.25),
        Minimizer(
            name="relu-network",
            statement="with W = [[1,1],[1,1]], c = [0,−1], (w, b) = ([1,−2], 0) fits exactly: "
                      "f = [0,1,1,0] on the four points (J = 0, the least possible)",
            form=sp.Matrix([1, -2, 0]),
            symbolic=lambda claim: fit_obligation(hidden_exact(), claim.form, 0, "wᵀh + b"),
            sample=lambda rng, trial: {}, trials=1, objective=relu_output_objective, minimum_value=lambda p: 0.0,
            training=train_xor),
        Identity(
            name="linear-hidden-layer",
            statement="f⁽¹⁾ cannot be linear (004:68): with h = Wᵀx + c, any width k, the least J is ¼, the linear fit's",
            symbolic=linear_hidden_obligation, uses=("linear-fit",),
            sample=lambda rng, trial: {"k": int(rng.integers(1, 5)), "seed": trial}, trials=4,
            lhs=best_linear_hidden_fit, rhs=sp.Rational(1, 4)),
        Identity(
            name="printed-single-hidden-node",
            statement="a single hidden node is sufficient: one hidden unit fits XOR (J = 0) (004:227)",
            expect=Expect.ERRATUM, corrected_by="relu-network",
            source=Printed("004_b86d6fd376fce36f.txt", 227, "single hidden node is sufficient",
                           reading="as a statement about networks that fit a target such as XOR (004:47–78): "
                                   "one hidden unit g(vᵀx + c) with a linear output, for g ReLU, sigmoid or tanh, "
                                   "reaches at best J = 1/6 (it separates one point from the other three); the "
                                   "universal approximation theorem the slide goes on to (004:230–235) needs one "
                                   "hidden LAYER with enough units, and two ReLU units fit XOR exactly"),
            sample=lambda rng, trial: {"g": sorted(SINGLE_UNIT_ACTIVATIONS)[trial % 3], "seed": trial}, trials=3,
            lhs=best_single_unit_fit, rhs=sp.Integer(0), floor=1e-12),
        Identity(
            name="boolean-functions",
            statement="there are 2^(2^n) Boolean functions of n inputs (counted for n = 1, 2, 3)",
            symbolic=lambda claim: count_obligation(claim.rhs), sample=lambda rng, trial: {"n": trial % 3 + 1},
            trials=3, lhs=lambda p: count_by_nand_closure(p["n"]), rhs=BOOLEAN_COUNT),
        Identity(
            name="degrees-of-freedom",
            statement="a Boolean function of n inputs has 2ⁿ degrees of freedom: log₂ 2^(2ⁿ) = 2ⁿ, one value per input (004:243)",
            symbolic=lambda claim: Obligation.identity(sp.log(BOOLEAN_COUNT) / sp.log(2), claim.rhs,
                                                       steps=("log₂ 2^(2ⁿ) = 2ⁿ: the number of free binary choices",
                                                              "one choice per input, 2ⁿ inputs")),
            uses=("boolean-functions",), sample=lambda rng, trial: {"n": trial % 3 + 1}, trials=3,
            lhs=lambda p: count_by_nand_closure(p["n"]).bit_length() - 1, rhs=2 ** n),
    ]))
