"""Denoising autoencoders: what the corruption does in expectation (003; Vincent 2008; Bishop 1995).

Masking noise sets each component independently to 0 with probability q: x̃ = d ⊙ x, dⱼ = 1 with
probability 1 − q. Gaussian noise adds ε ~ N(0, σ²I); the slide's x̃ = x + N(0, 1) is σ = 1. The
loss compares the reconstruction of x̃ with the CLEAN x (003:116). For a linear reconstruction
W x̃ the expected loss is a penalized clean loss: Tikhonov (σ²‖W‖²_F) under Gaussian noise, a
per-column penalty q(1−q)Σⱼ xⱼ²‖W_{:,j}‖² (and a (1−q) shrink) under masking.
"""
import dataclasses

import autograd.numpy as anp
import numpy as np
import sympy as sp
from autograd import hessian, jacobian

from regverify.claims import (Approximation, Derivation, Evidence, Expect, Gradient, Identity, Minimizer,
                              NumericVerdict, Premise, Printed, Source)
from regverify.moments import expect_gaussian, expect_iid_entries as expectation
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits_split
from regverify.numerics.montecarlo import gaussian_expectation, mask_expectation, monte_carlo
from regverify.numerics.training import gradient_descent, thinned, train_with_autograd_check
from regverify.derivations.max_activation import unit_norm_columns
from regverify.prover import ENTRY_ROW, Obligation, sigma as logistic
from regverify.sums import entrywise, sums_merged
from regverify.registry import register
from regverify.forms import compile_form
from regverify.symbolic import at_explicit, symbol_vector
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

SLIDES = "003_c3291310eed8186c.txt"
q, sigma = sp.symbols("q sigma", positive=True)
m_, n_ = sp.symbols("m n", integer=True, positive=True)
x_s = sp.Symbol("x", real=True)                 # a component of x, for the componentwise forms
KEPT_MEAN = (1 - q) * x_s                        # the stated E[x̃ⱼ]
W_SQ, X_VEC = sp.MatrixSymbol("W", n_, n_), sp.MatrixSymbol("x", n_, 1)
MASK, NOISE = sp.MatrixSymbol("d", n_, 1), sp.MatrixSymbol("e", n_, 1)    # keep mask d, Gaussian ε
MASKED, GAUSSIAN = sp.hadamard_product(MASK, X_VEC), X_VEC + NOISE        # x̃ = d ⊙ x, x̃ = x + ε


def residual_norm(v):                            # ‖v‖² of a column, as a scalar form
    return sp.Trace(v.T * v)


def mask_mean(expr):                         # over the keep masks, E[dⱼ] = E[dⱼ²] = 1 − q
    return expectation(expr, MASK, 1 - q, 1 - q)


def at_entry(form):                          # a componentwise form at the generic entry xₚ of any n
    return form.xreplace({x_s: X_VEC[ENTRY_ROW, 0]})


def expected_loss_obligation(claim, corrupted, noise_moments, **details):
    """E‖W x̃ − x‖² at every n, taken entry by entry through the sums, against the stated form."""
    r = W_SQ * corrupted - X_VEC
    return Obligation.identity(expectation((r.T * r)[0, 0], *noise_moments), entrywise(claim.rhs),
                               derived_by="expectation", **details)


# --- numeric twins: exact enumeration of the masks, Gauss–Hermite quadrature -----------------
def kept_mean(drop, x, compiled=compile_form(KEPT_MEAN)):   # the stated E[x̃] = (1 − q)x, compiled
    return compiled({"q": drop, "x": x})


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


DAE_X = sp.MatrixSymbol("X", m_, n_)
DAE_A = DAE_X.T * DAE_X + m_ * sigma ** 2 * sp.Identity(n_)

# Masking, batched: Σᵢ of masking-penalty is ‖(1−q)XV − X‖²_F + q(1−q) tr(Vᵀ diag(C) V), V = Wᵀ, C = XᵀX.
GRAM, V_SQ, s_ = DAE_X.T * DAE_X, sp.MatrixSymbol("V", n_, n_), sp.Symbol("s", positive=True)
GRAM_DIAG = sp.hadamard_product(GRAM, sp.Identity(n_))          # diag(XᵀX): Σᵢ xᵢⱼ² on the diagonal


def scalar_out(expr):      # (cA) ∘ B = c(A ∘ B): SymPy's derivative leaves the scalar inside
    def pull(e):
        parts = [a.as_coeff_mmul() for a in e.args]
        return sp.Mul(*(c for c, _ in parts)) * sp.hadamard_product(*(sp.S(r).doit() for _, r in parts))
    return expr.replace(lambda e: isinstance(e, sp.HadamardProduct), pull)


def masking_dae_obligation(claim, diagonal=GRAM_DIAG):   # diagonal=GRAM: XᵀX diagonal; q = s/(1+s): Hessian terms > 0
    keep, r = 1 / (1 + s_), DAE_X * V_SQ / (1 + s_) - DAE_X
    obligation = Obligation.extremum(
        sp.Trace(r.T * r / m_ + s_ * keep ** 2 * V_SQ.T * diagonal * V_SQ / m_), V_SQ,
        claim.form.T.xreplace({q: s_ * keep, GRAM_DIAG: diagonal}), linear=(keep * GRAM + s_ * keep * diagonal, GRAM),
        factor=2 * keep / m_, psd=(GRAM,), pd=(diagonal, DAE_X), parametrisation="q = s/(1 + s), s > 0",
        assumptions_used=("0 < q < 1", "X of full column rank: XᵀX, diag(XᵀX) ≻ 0", "masking-penalty"),
        steps=("with V = Wᵀ, Σᵢ masking-penalty: J = (1/m)[‖(1−q)XV − X‖²_F + q(1−q) tr(Vᵀ diag(C) V)]",
               "∇_V J = (2(1−q)/m)[((1−q)C + q diag(C))V − C], C = XᵀX; Hessian ∝ (1−q)C + q diag(C) ≻ 0"))
    return dataclasses.replace(obligation, zero=[scalar_out(z) for z in obligation.zero])


def sample_masking_data(rng, trial, uncorrelated=False):   # uncorrelated: orthogonal columns, XᵀX diagonal
    size, x = sampling.size(rng, 2, 3), sampling.normal(rng, (sampling.size(rng, 4, 6), 3))
    x = np.linalg.qr(x[:, :size])[0] * sampling.positive(rng, 0.5, 2.0, size) if uncorrelated else x[:, :size]
    return {"X": x, "q": sampling.unit_interval(rng), "n": size}


UNCORRELATED = dict(objective=lambda p, w: np.mean([masked_loss({"x": x, "W": w, "q": p["q"]}) for x in p["X"]]),
                    premise=Premise("uncorrelated features: XᵀX diagonal", lambda p: np.allclose(
                        p["X"].T @ p["X"], np.diag(np.diag(p["X"].T @ p["X"])))), trials=3,
                    symbolic=lambda claim: masking_dae_obligation(claim, GRAM),
                    sample=lambda rng, t: sample_masking_data(rng, t, True))


# Monte Carlo witnesses: every one draws its corruption with masking() or gaussian_corruption().
def monte_carlo_variance(seed, quick, variance=lambda q, x: q * (1 - q) * x ** 2):
    """Masking noise by Monte Carlo: component 0's sample variance against the stated one (at
    q = 0.2, where the fourth central moment is half as large again: a wrong power shows)."""
    rng = np.random.default_rng(seed)
    x, drop, draws = 1.7, 0.2, 4000 if quick else 40000
    return monte_carlo((masking(rng, x, drop, draws) - kept_mean(drop, x)) ** 2, variance(drop, x))


def monte_carlo_mean(seed, quick, mean=kept_mean):
    rng = np.random.default_rng(seed)
    x, drop, draws = 1.7, 0.3, 4000 if quick else 40000
    return monte_carlo(masking(rng, x, drop, draws), mean(drop, x))


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
u_ = sp.Symbol("u", integer=True, positive=True)      # hidden units
DAE = {name: sp.MatrixSymbol(name, *shape) for name, shape in
       {"T": (m_, n_), "W": (n_, u_), "D": (u_, n_), "b": (1, u_), "c": (1, n_)}.items()}   # T is X̃
DAE_T = DAE["T"]
DAE_H = ElementwiseApplyFunction(logistic, DAE_T * DAE["W"] + sp.OneMatrix(m_, 1) * DAE["b"])
DAE_RESIDUAL = DAE_H * DAE["D"] + sp.OneMatrix(m_, 1) * DAE["c"] - DAE_X     # X̂ − X: the CLEAN X
DAE_GRADIENT = DAE_T.T * sp.hadamard_product(2 * DAE_RESIDUAL * DAE["D"].T / m_, DAE_H,
                                             sp.OneMatrix(m_, u_) - DAE_H)


def dae_gradient_obligation(claim):
    """SymPy differentiates L = (1/m)‖σ(X̃W + 1b)D + 1c − X‖²_F at a generic entry W[p, q] (σ
    abstract), every m, n, u; the two sides' sums are merged before the prover gathers them."""
    loss = sp.OneMatrix(1, m_) * sp.HadamardPower(DAE_RESIDUAL, 2) * sp.OneMatrix(n_, 1) / m_
    obligation = Obligation.gradient_at_entry(
        loss, DAE["W"], claim.form, parametrisation="σ abstract, σ' = σ(1 − σ)",
        steps=("L = (1/m) Σᵢⱼ Rᵢⱼ², R = X̂ − X; ∂/∂Wₚ_q at any entry (Kronecker deltas summed out)",
               "= (2/m) Σᵢ X̃ᵢₚ Hᵢ_q(1 − Hᵢ_q) Σⱼ Rᵢⱼ D_qⱼ = X̃ᵀ[(2/m)(R Dᵀ) ⊙ H ⊙ (1 − H)] at (p, q)"))
    return dataclasses.replace(obligation, zero=[sums_merged(z) for z in obligation.zero])


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


# --- small noise (Alain & Bengio 2014): the expansion, and the term a contractive reading drops --
J_R, R_OFF, LAPLACIAN = (sp.MatrixSymbol("J_r", n_, n_), sp.MatrixSymbol("e_r", n_, 1),   # e_r = r(x) − x
                         sp.MatrixSymbol("Delta_r", n_, 1))
TAYLOR = (sp.IndexedBase("T"), sp.IndexedBase("U"))       # r's second and third derivatives at x
NETWORK = {"bind": {"r_minus_x": R_OFF, "laplacian": LAPLACIAN, "J": J_R}}


def small_noise_obligation(claim):      # at n = 1, 2, r a general cubic map: the pitfall's exact counterexample
    zero = []
    for size in (1, 2):
        e, x = symbol_vector("e", size), symbol_vector("x", size, real=True)
        monomials = sorted(sp.itermonomials(list(e), 3), key=sp.default_sort_key)
        r = sp.Matrix([sum(sp.Symbol(f"c{i}_{k}", real=True) * mono for k, mono in enumerate(monomials))
                       for i in range(size)])      # r(x + e): a general cubic map around x
        at0 = {v: 0 for v in e}
        r0, jac = r.subs(at0), r.jacobian(e).subs(at0)
        laplacian = sum((r.diff(v, 2) for v in e), sp.zeros(size, 1)).subs(at0)
        excess = expect_gaussian(((r - x).T * (r - x))[0], e, sigma) - ((r0 - x).T * (r0 - x))[0]
        claimed = at_explicit(claim.rhs, {J_R: jac, R_OFF: r0 - x, LAPLACIAN: laplacian, n_: size})
        remainder = sp.expand(excess - claimed)      # must be O(σ⁴): no σ⁰, σ¹, σ², σ³ terms
        zero += [remainder.coeff(sigma, k) for k in range(4)]
    return Obligation.identity(sp.Matrix(zero), sp.zeros(len(zero), 1), derived_by="expectation",
                               steps=("r(x+ε) = r + Jε + ½εᵀ∇²r ε + O(ε³)",
                                      "E‖r(x+ε) − x‖² = ‖r − x‖² + σ²‖J‖²_F + σ²(r − x)·Δr + O(σ⁴)"))


def small_noise_every_n(claim):
    """Every n: r(x + ε) − x at entry i by order in ε, r's derivatives at x as J_r and tensors T, U."""
    i, j, k, l = sp.symbols("i j k l", integer=True)
    over, e = (lambda *v: [(a, 0, n_ - 1) for a in v]), (lambda a: NOISE[a, 0])
    parts = [R_OFF[i, 0], sp.Sum(J_R[i, j] * e(j), *over(j)), sp.Sum(TAYLOR[0][i, j, k] * e(j) * e(k), *over(j, k)) / 2,
             sp.Sum(TAYLOR[1][i, j, k, l] * e(j) * e(k) * e(l), *over(j, k, l)) / 6]
    order = [sp.Sum(sum(parts[a] * parts[p - a] for a in range(p + 1)), *over(i)) for p in range(4)]  # ‖·‖², order p
    flip = lambda f: f.replace(lambda y: isinstance(y, MatrixElement) and y.parent == NOISE, lambda y: -y)
    excess = sum(expectation(order[p], NOISE, 0, sigma ** 2) for p in (1, 2)) \
        + sums_merged(order[3] + flip(order[3])) / 2            # odd in ε: E[f(ε)] = E[f(−ε)] = 0
    claimed = entrywise(claim.rhs).replace(lambda y: isinstance(y, MatrixElement) and y.parent == LAPLACIAN,
                                           lambda y: sp.Sum(TAYLOR[0][y.i, j, j], *over(j)))    # Δrᵢ = Σⱼ Tᵢⱼⱼ
    return Obligation.identity(sums_merged(excess), sums_merged(claimed), derived_by="expectation", steps=(
        "r(x+ε)ᵢ − xᵢ = e_rᵢ + Σⱼ Jᵢⱼεⱼ + ½Σⱼₖ Tᵢⱼₖεⱼεₖ + ⅙Σⱼₖₗ Uᵢⱼₖₗεⱼεₖεₗ + O(ε⁴); order 0 is ‖r(x) − x‖²",
        "order 1: mean 0; order 2: σ²(Σᵢⱼ Jᵢⱼ² + Σᵢⱼ e_rᵢTᵢⱼⱼ); order 3 odd: mean 0; order ≥ 4: O(σ⁴)"))


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


PRINTED_JJ = Printed(SLIDES, 70, r"$(P(\widetilde{x}_{ij}|x_{jj}))$",
                     reading="taken as printed, component j of example i is corrupted from x_jj "
                             "(example j's component j); 003:75 conditions on x_ij")


def sample_rows(rng, trial):
    m, size = sampling.size(rng, 3, 4), sampling.size(rng, 2, 3)
    p = {"X": sampling.normal(rng, (m, size)), "q": sampling.unit_interval(rng), "i": int(rng.integers(0, m))}
    return {**p, "x_i": p["X"][p["i"]]}


DERIVATION = register(Derivation(
    id="denoising",
    title="Denoising autoencoders: masking and Gaussian noise in expectation",
    sources=[Source(SLIDES, "Denoising Autoencoders, 003:65–151 and 003:368–384")],
    conventions="X is m×n, one example per row; x is a column; linear reconstruction x̂ = W x̃ with W "
                "n×n (batched X̂ = X̃Wᵀ). Masking: each component independently 0 with probability q. "
                "Gaussian: ε ~ N(0, σ²I); the slide's N(0, 1) is σ = 1.",
    assumptions=["0 < q < 1", "σ > 0", "noise independent across components and examples"],
    symbols={"x": "vector(n)", "W": "matrix(n,n)", "X": "matrix(m,n)", "q": "masking probability",
             "sigma": "noise standard deviation"},
    claims=[
        Identity(name="masking-mean", statement="E[x̃] = (1 − q)x",
                 symbolic=lambda claim: Obligation.identity(
                     mask_mean(MASKED[ENTRY_ROW, 0]), at_entry(claim.rhs), derived_by="expectation",
                     steps=("at any entry p of any n, x̃ₚ = dₚxₚ depends on dₚ alone", "E[dₚ] = 1 − q")),
                 sample=sample_vector, lhs=lambda p: mask_moment(p, 1), rhs=KEPT_MEAN,
                 training=monte_carlo_mean),
        Identity(name="masking-variance", statement="Var[x̃ⱼ] = q(1 − q)xⱼ²",
                 symbolic=lambda claim: Obligation.identity(
                     mask_mean(MASKED[ENTRY_ROW, 0] ** 2) - mask_mean(MASKED[ENTRY_ROW, 0]) ** 2,
                     at_entry(claim.rhs), unit_interval=(q,), derived_by="expectation",
                     steps=("at any entry p: E[x̃ₚ²] = E[dₚ²]xₚ² = (1−q)xₚ², E[x̃ₚ]² = (1−q)²xₚ²",)),
                 sample=sample_vector, lhs=lambda p: mask_moment(p, 2) - mask_moment(p, 1) ** 2,
                 rhs=q * (1 - q) * x_s ** 2, rtol=1e-12,
                 training=monte_carlo_variance),
        Identity(name="printed-conditioning", expect=Expect.ERRATUM, source=PRINTED_JJ,
                 corrected_by="masking-mean", uses=("masking-mean",),
                 premise=Premise("m ≥ n, so that x_jj exists, and x_i is not the diagonal of X",
                                 lambda p: p["X"].shape[0] >= p["X"].shape[1]),
                 statement="x̃_ij drawn from P(x̃_ij | x_jj) still has E[x̃_ij] = (1 − q)x_ij",
                 sample=sample_rows,
                 lhs=lambda p: mask_moment({"x": np.diag(p["X"]), "q": p["q"]}, 1),   # x̃_ij masks x_jj
                 rhs=KEPT_MEAN, bind={"x_i": x_s}),
        Identity(name="gaussian-mean", statement="E[x + ε] = x (the slide's N(0, 1) is σ = 1)",
                 symbolic=lambda claim: Obligation.identity(
                     expectation(GAUSSIAN[ENTRY_ROW, 0], NOISE, 0, sigma ** 2), at_entry(claim.rhs),
                     derived_by="expectation", steps=("at any entry p of any n: E[xₚ + εₚ] = xₚ + E[εₚ] = xₚ",)),
                 sample=sample_vector, rhs=x_s, training=monte_carlo_gaussian_mean,
                 lhs=lambda p: gaussian_expectation(lambda e: noisy(p["x"], e), len(p["x"]), p["sigma"])),
        Identity(name="gaussian-tikhonov", statement="E‖W(x + ε) − x‖² = ‖Wx − x‖² + σ²‖W‖²_F",
                 symbolic=lambda claim: expected_loss_obligation(claim, GAUSSIAN, (NOISE, 0, sigma ** 2), steps=(
                     "‖W(x+ε) − x‖² = Σᵢ (Σⱼ Wᵢⱼ(xⱼ + εⱼ) − xᵢ)², a double Σ over j, k for each square",
                     "E[εⱼ] = 0, E[εⱼεₖ] = σ²δⱼₖ: E = ‖Wx − x‖² + σ² Σᵢⱼ Wᵢⱼ², for every n")),
                 sample=sample_vector, lhs=gaussian_loss, rtol=1e-12,
                 rhs=residual_norm(W_SQ * X_VEC - X_VEC) + sigma ** 2 * sp.Trace(W_SQ.T * W_SQ),
                 training=monte_carlo_tikhonov),
        Minimizer(name="linear-dae-minimizer", uses=("gaussian-tikhonov",),
                  statement="argmin_W (1/m) Σᵢ E‖W(xᵢ + ε) − xᵢ‖² = XᵀX(XᵀX + mσ²I)⁻¹",
                  form=DAE_X.T * DAE_X * DAE_A.I,
                  symbolic=lambda claim: (lambda X, V: (lambda A: Obligation.extremum(
                      sp.Trace((X * V - X).T * (X * V - X) / m_ + sigma ** 2 * V.T * V), V,
                      claim.form.T, linear=(A, X.T * X), factor=sp.Rational(2) / m_,
                      assumptions_used=("σ > 0", "gaussian-tikhonov"),
                      steps=("with V = Wᵀ: J = (1/m)‖XV − X‖²_F + σ²‖V‖²_F (batched X̂ = X̃Wᵀ)",
                             "∇_V J = (2/m)[(XᵀX + mσ²I)V − XᵀX]",
                             "V = (XᵀX + mσ²I)⁻¹XᵀX, so W = Vᵀ = XᵀX(XᵀX + mσ²I)⁻¹",
                             "Hessian (2/m)(XᵀX + mσ²I) ≻ 0 as σ > 0")))(
                      X.T * X + m_ * sigma ** 2 * sp.Identity(n_)))(
                      sp.MatrixSymbol("X", m_, n_), sp.MatrixSymbol("V", n_, n_)),
                  sample=sample_data, objective=dae_objective, trials=3),
        Identity(name="masking-penalty", uses=("masking-mean", "masking-variance"),
                 statement="E‖Wx̃ − x‖² = ‖(1 − q)Wx − x‖² + q(1 − q) Σⱼ xⱼ² ‖W_{:,j}‖²",
                 symbolic=lambda claim: expected_loss_obligation(claim, MASKED, (MASK, 1 - q, 1 - q), unit_interval=(q,),
                     steps=("‖W(d ⊙ x) − x‖² = Σᵢ (Σⱼ Wᵢⱼdⱼxⱼ − xᵢ)², a double Σ over j, k for each square",
                            "masks independent: E[dⱼ] = 1 − q, E[dⱼdₖ] = (1−q)² + q(1−q)δⱼₖ, for every n")),
                 sample=sample_vector, lhs=masked_loss, rtol=1e-12,
                 rhs=residual_norm((1 - q) * W_SQ * X_VEC - X_VEC) + q * (1 - q) * sp.Trace(   # Σⱼ xⱼ²‖W_{:,j}‖²
                     sp.OneMatrix(1, n_) * sp.HadamardPower(W_SQ, 2) * sp.HadamardPower(X_VEC, 2)),
                 training=monte_carlo_penalty),
        Minimizer(name="masking-dae-minimizer", uses=("masking-penalty",), objective=UNCORRELATED["objective"],
                  statement="argmin_W (1/m) Σᵢ E‖W(dᵢ ⊙ xᵢ) − xᵢ‖² = C[(1 − q)C + q·diag(C)]⁻¹, C = XᵀX "
                            "(≠ I unless C is diagonal: 003:129, copying x̃ is not optimal)",
                  form=GRAM * ((1 - q) * GRAM + q * GRAM_DIAG).I, symbolic=masking_dae_obligation,
                  sample=sample_masking_data, trials=3),
        Minimizer(name="masking-copy-uncorrelated", uses=("masking-dae-minimizer",), form=sp.Identity(n_),
                  statement="with uncorrelated features (XᵀX diagonal) copying is optimal under masking: "
                            "argmin_W = I, no (1 − q) rescaling (the limit of 003:129)", **UNCORRELATED),
        Minimizer(name="masking-rescaled-copy", expect=Expect.PITFALL, corrected_by="masking-copy-uncorrelated",
                  origin="003:129 read as 'copying is never optimal' with E[x̃] = (1 − q)x: undo the "
                         "shrink as inverted dropout does", form=sp.Identity(n_) / (1 - q),
                  statement="with uncorrelated features the masking DAE's minimizer is I/(1 − q), not I",
                  **UNCORRELATED),
        Gradient(name="dae-gradient", wrt="W",
                 statement="the DAE loss (1/m)‖σ(X̃W + b)D + c − X‖²_F compares the reconstruction of x̃ "
                           "with the clean X (003:116); ∂L/∂W = X̃ᵀ[(2/m)(X̂ − X)Dᵀ ⊙ H(1 − H)]",
                 symbolic=dae_gradient_obligation, sample=sample_network_data,
                 objective=lambda p: dae_loss(p, p["T"], p["X"]),
                 form=DAE_GRADIENT, functions={"sigma": sigmoid}, training=train_denoising),
        Approximation(name="small-noise-expansion",
                      statement="E‖r(x + ε)− x‖² − ‖r(x) − x‖² = σ²‖J_r‖²_F + σ²(r(x) − x)·Δr(x) + O(σ⁴)",
                      symbolic=small_noise_every_n, **NETWORK,
                      sample=lambda rng, t: sample_network(rng, sampling.positive(rng, 1e-3, 1e-2)),
                      outside_sample=lambda rng, t: sample_network(rng, sampling.positive(rng, 0.3, 1.0)),
                      lhs=noise_excess, rhs=sigma ** 2 * (sp.Trace(J_R.T * J_R) + sp.Trace(R_OFF.T * LAPLACIAN)),
                      regime=lambda p: p["sigma"], regime_text="σ", inside=1e-2, rtol=1e-2, trials=8),
        Approximation(name="contractive-only", expect=Expect.PITFALL, corrected_by="small-noise-expansion",
                      origin="the DAE ≈ contractive AE reading of Alain & Bengio 2014, with the "
                             "σ²(r − x)·Δr term dropped: it vanishes only where r(x) = x",
                      premise=Premise("σ small, away from the optimum: r(x) ≠ x",
                                      lambda p: np.linalg.norm(reconstruction(p, p["x"]) - p["x"]) > 0.1),
                      statement="E‖r(x + ε) − x‖² − ‖r(x) − x‖² ≈ σ²‖J_r‖²_F (the contractive penalty)",
                      symbolic=small_noise_obligation, **NETWORK,
                      sample=lambda rng, t: sample_network(rng, sampling.positive(rng, 1e-3, 1e-2)),
                      outside_sample=lambda rng, t: sample_network(rng, sampling.positive(rng, 0.3, 1.0)),
                      lhs=noise_excess, rhs=sigma ** 2 * sp.Trace(J_R.T * J_R),
                      regime=lambda p: p["sigma"], regime_text="σ", inside=1e-2, rtol=1e-2, trials=8),
    ]))
