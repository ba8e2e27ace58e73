"""Dropout on linear regression is a data-dependent ridge penalty (beyond the material; GBC 7.12;
Wager et al. 2013).

Each input entry is kept independently with probability p: the design becomes R ⊙ X with
Rᵢⱼ ~ Bernoulli(p). In expectation over the masks,
    E‖y − (R ⊙ X)w‖² = ‖y − pXw‖² + p(1 − p)‖Γw‖²,   Γ = diag(XᵀX)^½,
so training with dropout minimizes a ridge objective whose penalty on wⱼ grows with ‖X_{:,j}‖²:
w = (pXᵀX + (1 − p)Γ²)⁻¹Xᵀy.
"""
import numpy as np
import sympy as sp

from regverify.claims import Derivation, Expect, Identity, Minimizer, Source
from regverify.forms import compile_form
from regverify.moments import expect_bernoulli
from regverify.numerics import sampling
from regverify.numerics.montecarlo import mask_expectation, monte_carlo
from regverify.moments import expect_iid_entries as expectation
from regverify.sums import entrywise
from regverify.prover import Obligation
from regverify.registry import register
from regverify.symbolic import at_explicit, symbol_matrix, symbol_vector

p_keep = sp.Symbol("p", positive=True)
m_, n_ = sp.symbols("m n", integer=True, positive=True)
X_, Y_, W_ = sp.MatrixSymbol("X", m_, n_), sp.MatrixSymbol("y", m_, 1), sp.MatrixSymbol("w", n_, 1)
GAMMA = sp.MatrixSymbol("Gamma", n_, n_)          # diag(XᵀX)^½
MASKS = sp.MatrixSymbol("R", m_, n_)
_i, _j = sp.symbols("i j", integer=True)
GAMMA_DEFINED = sp.FunctionMatrix(n_, n_, sp.Lambda((_i, _j),       # Γ written out, for every n
                                                    sp.KroneckerDelta(_i, _j) * sp.sqrt((X_.T * X_)[_j, _j])))
A_DROPOUT = p_keep * X_.T * X_ + (1 - p_keep) * GAMMA * GAMMA


def ridge_form(penalty):
    """‖y − pXw‖² + penalty·‖Γw‖²: the expected loss as stated, penalty p(1 − p) (or a wrong one)."""
    fit = Y_ - p_keep * X_ * W_
    return fit.T * fit + penalty * W_.T * GAMMA.T * GAMMA * W_


def penalty_obligation(claim):
    """E over the masks at every m, n: each square (y − (R ⊙ X)w)ᵢ² is a double Σ over j, k, whose
    E[RᵢⱼRᵢₖ] = p² + p(1 − p)δⱼₖ; against the stated form with Γ written out as diag(XᵀX)^½."""
    residual = Y_ - sp.hadamard_product(MASKS, X_) * W_
    return Obligation.identity(expectation((residual.T * residual)[0, 0], MASKS, p_keep, p_keep),
                               entrywise(claim.rhs.xreplace({GAMMA: GAMMA_DEFINED})),
                               derived_by="expectation", unit_interval=(p_keep,),
                               steps=("E[Rᵢⱼ] = E[Rᵢⱼ²] = p, entries independent: E[RᵢⱼRᵢₖ] = p² + p(1 − p)δⱼₖ",
                                      "E‖y − (R⊙X)w‖² = ‖y − pXw‖² + p(1 − p) Σᵢⱼ Xᵢⱼ² wⱼ², for every m, n",
                                      "Σᵢ Xᵢⱼ² = (XᵀX)ⱼⱼ = Γⱼⱼ²: the penalty is p(1 − p)‖Γw‖²"))


def sized_penalty_obligation(claim):
    """The same expectation over every mask at 2×3 and 3×2, where a wrong penalty meets an exact
    counterexample: the prover has no values to give the entries of a matrix of symbolic size."""
    zero = []
    for rows, cols in ((2, 3), (3, 2)):
        x, r = symbol_matrix("X", rows, cols, real=True), symbol_matrix("R", rows, cols)
        y, w = symbol_vector("y", rows, real=True), symbol_vector("w", cols, real=True)
        residual = y - x.multiply_elementwise(r) * w
        derived = expect_bernoulli((residual.T * residual)[0], list(r), p_keep)
        gamma = sp.diag(*[sp.sqrt(sum(x[i, j] ** 2 for i in range(rows))) for j in range(cols)])
        stated = at_explicit(claim.rhs, {X_: x, Y_: y, W_: w, GAMMA: gamma})
        zero.append(derived - stated[0])
    return Obligation(zero=[sp.Matrix(zero)], derived_by="expectation", unit_interval=(p_keep,),
                      sized_because="a wrong penalty is refuted by an exact counterexample, and the "
                                    "prover finds none among entries of matrices of symbolic size",
                      steps=("E[Rᵢⱼ] = E[Rᵢⱼ²] = p, entries independent",
                             "E[(R⊙X)w] = pXw; Var[Σⱼ Rᵢⱼ Xᵢⱼ wⱼ] = p(1 − p) Σⱼ Xᵢⱼ² wⱼ²",
                             "summed over i: p(1 − p) Σⱼ (XᵀX)ⱼⱼ wⱼ² = p(1 − p)‖Γw‖²"))


def minimizer_obligation(claim):
    x, y, w, g, a = X_, Y_, W_, GAMMA, A_DROPOUT
    objective = (y - p_keep * x * w).T * (y - p_keep * x * w) + p_keep * (1 - p_keep) * w.T * g.T * g * w
    return Obligation.extremum(objective, w, claim.form, substitutions={g.T: g},
                                 linear=(a, x.T * y), factor=2 * p_keep, pd=(g,), unit_interval=(p_keep,),
                                 assumptions_used=("Γ diagonal (Γᵀ = Γ)", "0 < p < 1"),
                                 steps=("∇ = −2pXᵀ(y − pXw) + 2p(1 − p)Γ²w",
                                        "= 2p[(pXᵀX + (1 − p)Γ²)w − Xᵀy]"))


# --- numeric twins: all 2^(mn) masks, and Monte Carlo ----------------------------------------
def sample_problem(rng, trial):
    rows, cols = (2, 3) if trial % 2 else (3, 2)
    x = sampling.normal(rng, (rows, cols))
    return {"X": x, "y": sampling.normal(rng, rows), "w": sampling.normal(rng, cols),
            "p": sampling.unit_interval(rng), "Gamma": np.diag(np.sqrt(np.diag(x.T @ x)))}


def dropout_loss(p):   # exact: every mask of R with its probability
    return mask_expectation(lambda r: np.sum((p["y"] - (r * p["X"]) @ p["w"]) ** 2), p["X"].shape, p["p"])


EXPECTED_LOSS = ridge_form(p_keep * (1 - p_keep))


def monte_carlo_dropout(seed, quick, stated=EXPECTED_LOSS):
    rng = np.random.default_rng(seed)
    problem = {"X": rng.standard_normal((6, 4)), "y": rng.standard_normal(6), "w": rng.standard_normal(4), "p": 0.6}
    draws = 4000 if quick else 40000
    masks = rng.random((draws,) + problem["X"].shape) < problem["p"]
    values = np.sum((problem["y"] - np.einsum("dij,ij,j->di", masks, problem["X"], problem["w"])) ** 2, axis=1)
    problem["Gamma"] = np.diag(np.sqrt(np.diag(problem["X"].T @ problem["X"])))
    return monte_carlo(values, float(np.squeeze(compile_form(stated)(problem))))


DERIVATION = register(Derivation(
    id="dropout-linear",
    title="Dropout on linear regression is a ridge penalty scaled by diag(XᵀX)",
    sources=[Source("Goodfellow, Bengio and Courville, Deep Learning (MIT Press, 2016)",
                    "§7.12, dropout on a linear model; beyond the course material")],
    conventions="X is m×n, one example per row; R is an m×n keep mask (1 with probability p), "
                "Γ = diag(XᵀX)^½; no rescaling of the kept inputs by 1/p.",
    assumptions=["0 < p < 1", "mask entries independent"],
    symbols={"X": "matrix(m,n)", "y": "vector(m)", "w": "vector(n)", "p": "keep probability"},
    claims=[
        Identity(name="expected-loss", statement="E‖y − (R ⊙ X)w‖² = ‖y − pXw‖² + p(1 − p)‖Γw‖²",
                 symbolic=penalty_obligation, sample=sample_problem, lhs=dropout_loss, rhs=EXPECTED_LOSS,
                 rtol=1e-12, training=monte_carlo_dropout),
        Identity(name="penalty-without-variance-factor", expect=Expect.PITFALL, corrected_by="expected-loss",
                 origin="the penalty's factor taken as (1 − p) (the drop rate) instead of the "
                        "Bernoulli variance p(1 − p)",
                 statement="E‖y − (R ⊙ X)w‖² = ‖y − pXw‖² + (1 − p)‖Γw‖²",
                 symbolic=sized_penalty_obligation, sample=sample_problem, lhs=dropout_loss,
                 rhs=ridge_form(1 - p_keep)),
        Minimizer(name="dropout-ridge-weights", uses=("expected-loss",),
                  statement="argmin_w E‖y − (R ⊙ X)w‖² = (pXᵀX + (1 − p)Γ²)⁻¹Xᵀy",
                  symbolic=minimizer_obligation, sample=sample_problem,
                  objective=lambda p, w: dropout_loss({**p, "w": w}), form=A_DROPOUT.I * X_.T * Y_,
                  trials=3),
    ]))
