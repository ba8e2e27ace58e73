"""Contractive autoencoders: the Frobenius norm of the encoder's Jacobian (003:660–712).

Ω(x) = ‖J_x(h)‖²_F = Σⱼ Σ_l (∂h_l/∂xⱼ)² penalizes how much the code h moves when the input
moves. Differentiating h = σ(Wᵀx + b) gives ∂h_l/∂xⱼ = h_l(1 − h_l) W_jl, so
J_x(h) = diag(h ⊙ (1 − h)) Wᵀ and Ω = Σ_l (h_l(1 − h_l))² ‖W_l‖² with W_l the l-th column of W
(row norms under the transposed convention); differentiating Ω by W_jl gives
∂Ω/∂W_jl = 2(h_l(1 − h_l))² [W_jl + (1 − 2h_l)‖W_l‖² xⱼ].
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from autograd import jacobian

from regverify.claims import Derivation, Evidence, Expect, Gradient, Identity, NumericVerdict, Premise, Printed, Source
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.datasets import digits_split
from regverify.numerics.training import gradient_descent, train_with_autograd_check
from regverify.prover import ENTRY_COLUMN, ENTRY_ROW, Obligation, g, g_prime, sigma
from regverify.registry import register
from regverify.symbolic import at_explicit, symbol_matrix, symbol_vector

SLIDES = "003_c3291310eed8186c.txt"

# --- the stated forms (every n, k), with h = σ(Wᵀx + b) elementwise ------------------------
n_, k_ = sp.symbols("n k", integer=True, positive=True)
X_, W_, B_ = sp.MatrixSymbol("x", n_, 1), sp.MatrixSymbol("W", n_, k_), sp.MatrixSymbol("b", k_, 1)
A_ = W_.T * X_ + B_
H_ = ElementwiseApplyFunction(sigma, A_)
SLOPE = sp.hadamard_product(H_, sp.OneMatrix(k_, 1) - H_)                   # h ⊙ (1 − h)
COLUMN_NORMS = sp.HadamardPower(W_, 2).T * sp.OneMatrix(n_, 1)                # ‖W_l‖², k×1


def column_norm_penalty(slope):
    """Σ_l slope_l² ‖W_l‖²."""
    return sp.OneMatrix(1, n_) * sp.HadamardPower(W_, 2) * sp.HadamardPower(slope, 2)


# --- the proofs, for every n and k: SymPy differentiates the entries of h = g(Wᵀx + b) --------
def jacobian_entry(l, j, activation=sigma):
    """∂h_l/∂xⱼ, derived from the indexed sum h_l = g(Σᵢ W_il xᵢ + b_l)."""
    return sp.diff(ElementwiseApplyFunction(activation, A_)[l, 0], X_[j, 0]).doit()


def derived_penalty(activation=sigma):
    """Ω = Σⱼ Σ_l (∂h_l/∂xⱼ)² with the derived Jacobian."""
    j, l = sp.symbols("j l", integer=True, nonnegative=True)
    return sp.Sum(jacobian_entry(l, j, activation) ** 2, (j, 0, n_ - 1), (l, 0, k_ - 1))


def jacobian_obligation(claim):
    return Obligation(zero=[jacobian_entry(ENTRY_ROW, ENTRY_COLUMN) - claim.form[ENTRY_ROW, ENTRY_COLUMN]],
                      derived_by="differentiation", sources=(H_, X_, claim.form),
                      steps=("h_l = σ(a_l), a_l = Σᵢ W_il xᵢ + b_l", "∂h_l/∂xⱼ = σ'(a_l) ∂a_l/∂xⱼ = h_l(1 − h_l) W_jl"))


def frobenius_obligation(claim, activation=sigma):
    return Obligation.identity(derived_penalty(activation), claim.rhs[0, 0],
                               steps=("Ω = Σⱼ Σ_l (g'(a_l) W_jl)² with the derived Jacobian",
                                      "= Σ_l g'(a_l)² Σⱼ W_jl² = Σ_l g'(a_l)² ‖W_l‖²"))


def penalty_gradient_obligation(claim):
    return Obligation.gradient_at_entry(derived_penalty(), W_, claim.form, steps=(
        "∂/∂W_jl of Σ_l (h_l(1−h_l))² ‖W_l‖², with ∂h_l/∂W_jl = h_l(1−h_l) xⱼ",
        "= 2(h_l(1−h_l))² W_jl + ‖W_l‖² · 2h_l(1−h_l)(1 − 2h_l) · h_l(1−h_l) xⱼ"))


def explicit_frobenius_obligation(claim):
    """At W 2×3 and 3×4, for the erratum."""
    derived, stated = [], []
    for n, k in ((2, 3), (3, 4)):
        x, w, b = (symbol_vector("x", n, real=True), symbol_matrix("W", n, k, real=True),
                   symbol_vector("b", k, real=True))
        derived.append(sum(e ** 2 for e in (w.T * x + b).applyfunc(sigma).jacobian(x)))
        stated.append(at_explicit(claim.rhs, {X_: x, W_: w, B_: b})[0])
    return Obligation.identity(sp.Matrix(derived), sp.Matrix(stated), sized_because=(
        "a refutation needs a point to evaluate the residual at, which only explicit matrices give"))


# --- numeric twins: the Jacobian is measured, never taken from the closed form ---------------
def sample_encoder(rng, trial):
    n, k = sampling.size(rng), sampling.size(rng)
    return {"x": sampling.normal(rng, n), "W": sampling.normal(rng, (n, k)), "b": sampling.normal(rng, k)}


def sample_insensitive_to_x1(rng, trial):    # ∂h₁/∂x₁ = h₁(1 − h₁)W₁₁ = 0: W₁₁ = 0, at least 4 inputs
    p = sample_encoder(rng, trial)
    n, k = max(len(p["x"]), 4), p["W"].shape[1]
    p = {"x": sampling.normal(rng, n), "W": sampling.normal(rng, (n, k)), "b": p["b"]}
    p["W"][0, 0] = 0.0
    return p


def sensitivity_to_x4(p):
    return measured_jacobian(p)[0, 3]       # ∂h₁/∂x₄ by autograd (entry (l, j) = ∂h_l/∂xⱼ)


def code(p):
    return sigmoid(p["W"].T @ p["x"] + p["b"])


def measured_jacobian(p, activation=sigmoid):
    return jacobian(lambda x: activation(anp.dot(p["W"].T, x) + p["b"]))(p["x"])


def autograd_jacobian_norm(p, activation=sigmoid):
    return np.sum(measured_jacobian(p, activation) ** 2)


LOGISTIC, TANH_SLOPE = {"sigma": sigmoid}, {"g_prime": lambda t: 1 - np.tanh(t) ** 2}


# --- training run: the penalty lowers the measured held-out Jacobian norm ------------------
STRENGTH, UNITS, LOWER = 0.3, 16, 0.8   # pass: held-out norm with the penalty < LOWER × without


def cae_loss(x, strength=STRENGTH):
    def loss(p):
        h = sigmoid(anp.dot(x, p["W"]) + p["b"])
        r = anp.dot(h, p["V"]) + p["c"] - x
        penalty = anp.mean(anp.dot((h * (1 - h)) ** 2, anp.sum(p["W"] ** 2, axis=0)))
        return anp.sum(r * r) / (2 * len(x)) + strength * penalty
    return loss


def cae_gradient(x, strength=STRENGTH, x_term=1.0):
    """The closed-form gradient; ``x_term`` = 0 plants the error of dropping ∂h/∂W's x-term."""
    m = len(x)

    def gradient(p):
        h = sigmoid(x @ p["W"] + p["b"])
        r = (h @ p["V"] + p["c"] - x) / m
        slope = h * (1 - h)
        delta = (r @ p["V"].T) * slope
        s2, norms = slope ** 2, np.sum(p["W"] ** 2, axis=0)
        # the verified per-example gradient, averaged over the rows
        penalty_w = 2 * p["W"] * s2.mean(axis=0) + x_term * 2 * x.T @ (s2 * (1 - 2 * h)) * norms / m
        penalty_b = 2 * (s2 * (1 - 2 * h)).mean(axis=0) * norms
        return {"W": x.T @ delta + strength * penalty_w, "b": delta.sum(axis=0) + strength * penalty_b,
                "V": h.T @ r, "c": r.sum(axis=0)}
    return gradient


def measured_jacobian_norm(p, x, step=1e-5):
    """Mean over the rows of ‖J_x(h)‖²_F, each entry by central differences in x."""
    total = 0.0
    for j in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[j] = step
        column = (sigmoid((x + e) @ p["W"] + p["b"]) - sigmoid((x - e) @ p["W"] + p["b"])) / (2 * step)
        total = total + np.sum(column ** 2, axis=1)
    return float(np.mean(total))


def recording(gradient, held_out, every, curve):
    def step(p):
        if step.calls % every == 0:
            curve.append(measured_jacobian_norm(p, held_out))
        step.calls += 1
        return gradient(p)
    step.calls = 0
    return step


def train_contractive(seed: int, quick: bool, gradient=cae_gradient) -> Evidence:
    train, held_out = digits_split(400, 400, seed)
    rng = np.random.default_rng(seed)
    n = train.shape[1]
    start = {"W": rng.normal(0, 0.3, (n, UNITS)), "b": np.zeros(UNITS),
             "V": rng.normal(0, 0.1, (UNITS, n)), "c": np.zeros(n)}
    steps, lr = (100 if quick else 300), 0.2
    every = max(1, steps // (10 if quick else 25))   # each point of the curve is 2k sigmoid sweeps
    plain_curve, penalty_curve = [], []
    plain = gradient_descent(start, recording(cae_gradient(train, 0.0), held_out, every, plain_curve), lr, steps)
    run, cross_check = train_with_autograd_check(
        start, recording(gradient(train), held_out, every, penalty_curve), cae_loss(train), lr, steps)
    plain_curve.append(measured_jacobian_norm(plain.params, held_out))
    penalty_curve.append(measured_jacobian_norm(run.params, held_out))
    with np.errstate(invalid="ignore"):
        ratio = penalty_curve[-1] / plain_curve[-1]
        sample = held_out[:20]
        by_autograd = np.mean([autograd_jacobian_norm({**run.params, "x": row}) for row in sample])
        instrument = abs(measured_jacobian_norm(run.params, sample) / by_autograd - 1)   # the instrument checked
    detail = {"data": f"digits, {len(train)} train / {len(held_out)} held out, k={UNITS}, lambda={STRENGTH}",
              "steps": steps, "criterion": f"held-out ||J||_F^2 ratio < {LOWER} and loss gap < 1e-10",
              "held_out_jacobian_norm_plain": plain_curve[-1], "held_out_jacobian_norm_contractive": penalty_curve[-1],
              "ratio": ratio, "measured_vs_autograd_jacobian": instrument, **cross_check, "seconds": round(plain.seconds + run.seconds, 3),
              "curves": {"step": list(range(0, steps, every)) + [steps], "jacobian_norm_plain": plain_curve,
                         "jacobian_norm_contractive": penalty_curve}}
    ok = (ratio < 1 and ratio < LOWER and cross_check["max_loss_rel_gap"] < 1e-10 and plain.finite
          and instrument < 1e-6)
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)


DERIVATION = register(Derivation(
    id="contractive",
    title="Contractive autoencoder: the Frobenius norm of the encoder Jacobian",
    sources=[Source(SLIDES, "003:660–712 J_x(h) and ‖J_x(h)‖²_F"), Source("Rifai et al. 2011; GBC 14.18", "")],
    conventions="W is n×k, column l is unit l's weights, h = σ(Wᵀx + b); J_x(h) is k×n, entry (l, j) = ∂h_l/∂xⱼ.",
    assumptions=["g elementwise and differentiable (σ in the lecture)"],
    symbols={"x": "vector(n)", "W": "matrix(n,k)", "b": "vector(k)"},
    claims=[
        Gradient(
            name="encoder-jacobian", statement="J_x(h) = diag(h ⊙ (1 − h)) Wᵀ",
            form=sp.hadamard_product(SLOPE * sp.OneMatrix(1, n_), W_.T), functions=LOGISTIC,
            symbolic=jacobian_obligation, sample=sample_encoder, objective=code, wrt="x"),
        Identity(
            name="frobenius-norm", statement="‖J_x(h)‖²_F = Σ_l (h_l(1 − h_l))² ‖W_l‖² (column norms)",
            uses=("encoder-jacobian",), symbolic=frobenius_obligation, functions=LOGISTIC,
            sample=sample_encoder, lhs=autograd_jacobian_norm, rhs=column_norm_penalty(SLOPE)),
        Identity(
            name="any-activation",
            statement="for any elementwise g: ‖J_x(h)‖²_F = Σ_l g'(a_l)² ‖W_l‖² (checked numerically with tanh)",
            symbolic=lambda claim: frobenius_obligation(claim, g), functions=TANH_SLOPE,
            sample=sample_encoder, lhs=lambda p: autograd_jacobian_norm(p, anp.tanh),
            rhs=column_norm_penalty(ElementwiseApplyFunction(g_prime, A_))),
        Gradient(
            name="penalty-gradient", statement="∂Ω/∂W_jl = 2(h_l(1 − h_l))² [W_jl + (1 − 2h_l) ‖W_l‖² xⱼ]",
            form=2 * sp.hadamard_product(sp.OneMatrix(n_, 1) * sp.HadamardPower(SLOPE, 2).T,
                                         W_ + X_ * sp.hadamard_product(sp.OneMatrix(k_, 1) - 2 * H_, COLUMN_NORMS).T),
            uses=("frobenius-norm",), symbolic=penalty_gradient_obligation, functions=LOGISTIC,
            sample=sample_encoder, objective=autograd_jacobian_norm, method="richardson",
            wrt="W", training=train_contractive),
        Identity(
            name="slide-sum-over-i", statement="‖J_x(h)‖²_F = Σ_{i=1}^n Σ_{l=1}^k (∂h_l/∂xⱼ)² (summed over i, j left free)",
            expect=Expect.ERRATUM, corrected_by="frobenius-norm",
            source=Printed(SLIDES, 708, r"\sum_{i=1}^n \sum_{l=1}^k \left(\frac{\partial h_l}{\partial x_j}\right)^2",
                           reading="j is free (take j = 1); the sum over i adds n copies of Σ_l (∂h_l/∂x₁)²"),
            symbolic=explicit_frobenius_obligation, functions=LOGISTIC, sample=sample_encoder, lhs=autograd_jacobian_norm,
            rhs=n_ * sp.HadamardPower(W_, 2)[0, :] * sp.HadamardPower(SLOPE, 2)),   # ∂h_l/∂x₁ = h_l(1 − h_l)W_1l
        Identity(
            name="printed-insensitive-to-x4",
            statement="∂h₁/∂x₁ = 0 means h₁ is not sensitive to variations in x₄: ∂h₁/∂x₄ = 0 (003:744)",
            expect=Expect.ERRATUM, corrected_by="encoder-jacobian",
            source=Printed(SLIDES, 744, "not very sensitive to variations in the input x₄",
                           reading="the slide asks what ∂h₁/∂x₁ = 0 means (003:742), and the same slide one build "
                                   "earlier answers 'the input x₁' (003:735): x₄ is a slip. By the Jacobian, "
                                   "∂h₁/∂xⱼ = h₁(1 − h₁)Wⱼ₁, so ∂h₁/∂x₁ = 0 (W₁₁ = 0) leaves ∂h₁/∂x₄ = h₁(1 − h₁)W₄₁ free"),
            premise=Premise("∂h₁/∂x₁ = 0 and there are at least 4 inputs",
                            lambda p: len(p["x"]) >= 4 and abs(measured_jacobian(p)[0, 0]) == 0),
            sample=sample_insensitive_to_x1, lhs=sensitivity_to_x4, rhs=sp.Integer(0), floor=1e-12),
    ]))
