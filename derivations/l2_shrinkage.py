"""Weight decay rescales w* along the eigenvectors of H.

L̃(w) = L(w) + (α/2)‖w‖². Near the unregularized optimum w*, L is the quadratic
L̂(w) = L(w*) + ½(w − w*)ᵀH(w − w*), and the regularized optimum is w̃ = (H + αI)⁻¹Hw*.
In the eigenbasis of H = QΛQᵀ, component i of w* is scaled by λᵢ/(λᵢ + α).
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp
from autograd import grad

from regverify.numerics import sampling
from regverify.numerics.datasets import digits_regression
from regverify.numerics.training import gradient_descent, train_with_autograd_check

from regverify.claims import Derivation, Evidence, Gradient, Identity, Limit, Minimizer, NumericVerdict, Source
from regverify.symbolic import cayley_orthogonal
from regverify.prover import Obligation
from regverify.registry import register

# --- symbols (general n: MatrixSymbol proofs hold for every size) -------------------------
n = sp.Symbol("n", integer=True, positive=True)
w, w_star, g_vec = sp.MatrixSymbol("w", n, 1), sp.MatrixSymbol("w^*", n, 1), sp.MatrixSymbol("g", n, 1)
H, I = sp.MatrixSymbol("H", n, n), sp.Identity(n)
alpha, eps = sp.symbols("alpha epsilon", positive=True)
lam = sp.Symbol("lambda", nonnegative=True)


def explicit_eigen(size: int):
    q = cayley_orthogonal(size)
    lams = sp.symbols(f"lambda1:{size + 1}", nonnegative=True)
    v = sp.Matrix(sp.symbols(f"v1:{size + 1}", real=True))
    return q, sp.diag(*lams), v


# --- numeric twins (NumPy, written from the definitions, not from the SymPy forms) --------
def sample_quadratic(rng, trial):
    size = sampling.size(rng)
    hessian = sampling.spd(rng, size) if trial % 2 == 0 else sampling.psd(rng, size)
    return {"H": hessian, "w_star": sampling.normal(rng, size), "alpha": sampling.positive(rng),
            "w": sampling.normal(rng, size)}


def quadratic_objective(p, w):
    d = w - p["w_star"]
    return 0.5 * d @ p["H"] @ d + 0.5 * p["alpha"] * w @ w


def shrunk(p):
    return np.linalg.solve(p["H"] + p["alpha"] * np.eye(len(p["w_star"])), p["H"] @ p["w_star"])


def sample_logistic(rng, trial):
    m, size = sampling.size(rng, 4, 8), sampling.size(rng)
    return {"X": sampling.normal(rng, (m, size)), "y": sampling.binary(rng, m),
            "w": sampling.normal(rng, size), "alpha": sampling.positive(rng)}


def logistic_loss(p):  # an L that is not quadratic, so the check is not circular
    z = p["X"] @ p["w"]
    return anp.sum(anp.log(1 + anp.exp(z))) - p["y"] @ z


# --- training run: GD with weight decay reaches w̃ (real data, and a synthetic quadratic) --
def train_weight_decay(seed: int, quick: bool) -> Evidence:
    x, y = digits_regression()
    m = len(x)
    hessian = x.T @ x / m
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]
    a = 1.0
    predicted = np.linalg.solve(hessian + a * np.eye(len(w_star)), hessian @ w_star)

    def loss(p):
        r = anp.dot(x, p["w"]) - y
        return anp.dot(r, r) / (2 * m) + 0.5 * a * anp.dot(p["w"], p["w"])

    def closed_form(p):  # ∇L + αw, the verified update
        return {"w": x.T @ (x @ p["w"] - y) / m + a * p["w"]}

    lr = 1.0 / (np.linalg.eigvalsh(hessian)[-1] + a)
    steps = 150 if quick else 600
    run, cross_check = train_with_autograd_check({"w": np.zeros_like(w_star)}, closed_form, loss, lr, steps)
    gap_real = float(np.linalg.norm(run.params["w"] - predicted) / np.linalg.norm(predicted))

    rng = np.random.default_rng(seed)
    quad = {"H": sampling.spd(rng, 20, 0.5, 5.0), "w_star": rng.standard_normal(20), "alpha": 0.3}
    qrun = gradient_descent({"w": np.zeros(20)}, lambda p: {"w": grad(
        lambda w: quadratic_objective(quad, w))(p["w"])}, 1 / 5.3, 400 if quick else 1500)
    gap_quad = float(np.linalg.norm(qrun.params["w"] - shrunk(quad)) / np.linalg.norm(shrunk(quad)))
    figures = {"data": f"digits regression, {m}x{x.shape[1]}, alpha={a}", "steps": steps,
               "rel_error_to_w_tilde": gap_real, "synthetic_quadratic_rel_error": gap_quad,
               **cross_check, "seconds": round(run.seconds, 3)}
    ok = gap_real < 1e-6 and gap_quad < 1e-8 and figures["max_param_rel_gap"] < 1e-10
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)


DERIVATION = register(Derivation(
    id="l2-shrinkage",
    title="Weight decay rescales w* along the eigenvectors of H",
    sources=[Source("002_2162f055e9d421d0.txt", "module 8.4, Taylor expansion at w* and eigen-decomposition"),
             Source("004_b86d6fd376fce36f.txt", "L2 regularization: update rule, quadratic analysis")],
    conventions="Vectors are columns; L̃(w) = L(w) + (α/2)‖w‖² (with the ½).",
    assumptions=["α > 0", "H symmetric positive semi-definite", "∇L(w*) = 0",
                 "H = QΛQᵀ with Q orthogonal and Λ diagonal ≥ 0"],
    symbols={"w": "vector(n)", "w*": "vector(n)", "H": "matrix(n,n) symmetric PSD",
             "alpha": "scalar > 0", "eps": "scalar > 0 (learning rate)"},
    claims=[
        Gradient(
            name="penalty-gradient",
            statement="∇[L(w) + (α/2)‖w‖²] = ∇L(w) + αw",
            symbolic=lambda: Obligation(zero=[(alpha / 2 * (w.T * w)).diff(w) - alpha * w],
                                        steps=("∂/∂w (α/2) wᵀw = (α/2)·2w = αw", "∇ is linear")),
            sample=sample_logistic,
            objective=lambda p: logistic_loss(p) + 0.5 * p["alpha"] * p["w"] @ p["w"],
            claimed=lambda p: grad(lambda v: logistic_loss({**p, "w": v}))(p["w"]) + p["alpha"] * p["w"],
            wrt="w"),
        Identity(
            name="update-rule",
            statement="w − ε(αw + ∇L) = (1 − εα)w − ε∇L (shrinkage factor 1 − εα)",
            symbolic=lambda: Obligation(zero=[sp.expand((w - eps * (alpha * w + g_vec))
                                                        - ((1 - eps * alpha) * w - eps * g_vec))]),
            sample=lambda rng, t: {"w": sampling.normal(rng, 4), "g": sampling.normal(rng, 4),
                                   "alpha": sampling.positive(rng), "eps": sampling.positive(rng, 1e-3, 1)},
            lhs=lambda p: p["w"] - p["eps"] * (p["alpha"] * p["w"] + p["g"]),
            rhs=lambda p: (1 - p["eps"] * p["alpha"]) * p["w"] - p["eps"] * p["g"]),
        Gradient(
            name="quadratic-gradient",
            statement="∇L̂(w) = H(w − w*) for symmetric H",
            symbolic=lambda: Obligation(
                zero=[(sp.Rational(1, 2) * (w - w_star).T * H * (w - w_star)).diff(w).subs(H.T, H)
                      - H * (w - w_star)],
                steps=("∂/∂w ½(w−w*)ᵀH(w−w*) = ½(H + Hᵀ)(w − w*)", "= H(w − w*) as Hᵀ = H")),
            sample=lambda rng, t: {"H": sampling.symmetric(rng, n := sampling.size(rng)),
                                   "w": sampling.normal(rng, n), "w_star": sampling.normal(rng, n)},
            objective=lambda p: 0.5 * (p["w"] - p["w_star"]) @ p["H"] @ (p["w"] - p["w_star"]),
            claimed=lambda p: p["H"] @ (p["w"] - p["w_star"]),
            wrt="w"),
        Minimizer(
            name="shrinkage-minimizer",
            statement="argmin L̂(w) + (α/2)‖w‖² is w̃ = (H + αI)⁻¹Hw*",
            symbolic=lambda: Obligation(
                zero=[(H + alpha * I) * ((H + alpha * I).I * H * w_star) - H * w_star],
                positive=[lam + alpha],
                steps=("stationarity: H(w̃ − w*) + αw̃ = 0", "⇔ (H + αI)w̃ = Hw* (multiply through)",
                       "Hessian H + αI has eigenvalues λᵢ + α > 0: the stationary point is the minimum")),
            sample=sample_quadratic, objective=quadratic_objective, candidate=shrunk,
            training=train_weight_decay),
        Identity(
            name="eigen-form",
            statement="w̃ = Q(Λ + αI)⁻¹ΛQᵀw* when H = QΛQᵀ",
            symbolic=lambda: (lambda q, lm, v: Obligation(
                zero=[((q * lm * q.T + alpha * sp.eye(2)) * (q * (lm + alpha * sp.eye(2)).inv() * lm * q.T * v)
                       - q * lm * q.T * v)],
                steps=("Q from the Cayley transform of a skew 2×2 S (rational entries)",
                       "multiply through by H + αI; cancel each entry")))(*explicit_eigen(2)),
            sample=sample_quadratic,
            lhs=lambda p: (lambda lm, q: q @ np.diag(lm / (lm + p["alpha"])) @ q.T @ p["w_star"])(
                *np.linalg.eigh(p["H"])),
            rhs=shrunk),
        Identity(
            name="eigen-factor",
            statement="component i of Qᵀw* is scaled by λᵢ/(λᵢ + α)",
            symbolic=lambda: Obligation(zero=[(lam + alpha) * (lam / (lam + alpha)) - lam],
                                        steps=("in the eigenbasis (λᵢ + α)ṽᵢ = λᵢvᵢ",)),
            sample=sample_quadratic,
            lhs=lambda p: np.linalg.eigh(p["H"])[1].T @ shrunk(p),
            rhs=lambda p: (lambda lm, q: lm / (lm + p["alpha"]) * (q.T @ p["w_star"]))(
                *np.linalg.eigh(p["H"])),
            rtol=1e-9),
        Limit(
            name="alpha-to-zero",
            statement="w̃ → w* as α → 0 (H positive definite)",
            symbolic=lambda: Obligation(zero=[sp.limit(lam / (lam + alpha), alpha, 0, "+") - 1]),
            sample=lambda rng, t: {"H": sampling.spd(rng, n := sampling.size(rng), 0.5, 5),
                                   "w_star": sampling.normal(rng, n)},
            f=lambda p, a: shrunk({**p, "alpha": a}),
            value=lambda p: p["w_star"],
            approach=tuple(10.0 ** -k for k in range(1, 13)), rtol=1e-10),
        Limit(
            name="alpha-to-infinity",
            statement="w̃ → 0 as α → ∞ (every component with λᵢ ≪ α is sent to 0)",
            symbolic=lambda: Obligation(zero=[sp.limit(lam / (lam + alpha), alpha, sp.oo)]),
            sample=lambda rng, t: {"H": sampling.spd(rng, n := sampling.size(rng), 0.5, 5),
                                   "w_star": sampling.normal(rng, n)},
            f=lambda p, a: shrunk({**p, "alpha": a}),
            value=lambda p: np.zeros_like(p["w_star"]),
            approach=tuple(10.0 ** k for k in range(1, 13)), rtol=1e-10),
        Identity(
            name="effective-parameters",
            statement="Σᵢ λᵢ/(λᵢ + α) = tr(H(H + αI)⁻¹)",
            symbolic=lambda: (lambda q, lm, v: Obligation(
                zero=[sp.cancel((q * lm * q.T * (q * lm * q.T + alpha * sp.eye(2)).inv()).trace())
                      - sum(lm[i, i] / (lm[i, i] + alpha) for i in range(2))],
                steps=("the trace is invariant under H ↦ QᵀHQ",)))(*explicit_eigen(2)),
            sample=sample_quadratic,
            lhs=lambda p: np.sum((lm := np.linalg.eigvalsh(p["H"])) / (lm + p["alpha"])),
            rhs=lambda p: np.trace(p["H"] @ np.linalg.inv(p["H"] + p["alpha"] * np.eye(len(p["H"]))))),
    ]))
