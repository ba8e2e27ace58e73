"""The SymPy side of the denoising page: the symbols (q, σ, the corrupted columns x̃ = d ⊙ x and x + ε),
the stated forms (KEPT_MEAN, the DAE's gradient) and the obligation builders that take the expectations
over the masks and the Gaussian noise entry by entry, the masking-DAE minimizer's extremum, the DAE
gradient at a generic entry, and the two small-noise (Alain & Bengio 2014) expansions."""
import dataclasses

import sympy as sp

from regverify.moments import expect_gaussian, expect_iid_entries as expectation
from regverify.prover import ENTRY_ROW, Obligation, sigma as logistic
from regverify.sums import entrywise, sums_merged
from regverify.symbolic import at_explicit, symbol_vector
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

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


# --- small noise (Alain & Bengio 2014): the expansion, and the term a contractive reading drops --
J_R, R_OFF, LAPLACIAN = (sp.MatrixSymbol("J_r", n_, n_), sp.MatrixSymbol("e_r", n_, 1),   # e_r = r(x) − x
                         sp.MatrixSymbol("Delta_r", n_, 1))
TAYLOR = (sp.IndexedBase("T"), sp.IndexedBase("U"))       # r's second and third derivatives at x


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
