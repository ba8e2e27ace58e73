"""SymPy side of weight decay (l2-shrinkage): the symbols (MatrixSymbol, so proofs hold for every n), the stated
forms the claims use (L̂, w̃ = (H + αI)⁻¹Hw*, the eigen-factor λ/(λ + α)) and the builders of the obligations
(the eigenbasis split of traces, α-slopes, norm, rank and condition bounds, first order in α)."""
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.eigenbasis import conjugated, eigenvalue_function, scalar_residuals
from regverify.prover import Obligation

# --- symbols (MatrixSymbol proofs hold for every n) ------------------------------------------
n = sp.Symbol("n", integer=True, positive=True)
w, w_star, g_vec = sp.MatrixSymbol("w", n, 1), sp.MatrixSymbol("w^*", n, 1), sp.MatrixSymbol("g", n, 1)
H, I = sp.MatrixSymbol("H", n, n), sp.Identity(n)
alpha, eps = sp.symbols("alpha epsilon", positive=True)
lam, v = sp.Symbol("lambda", positive=True), sp.Symbol("v", real=True)
lam_low, lam_high, gap = sp.symbols("lambda_low lambda_high d", positive=True)   # two variances, d apart
L_HAT = sp.Rational(1, 2) * (w - w_star).T * H * (w - w_star)      # L̂ − L(w*)
BIND = {"w_star": w_star, "eps": eps, "g": g_vec}     # sample keys whose names differ from the symbols
Q_, LAM = sp.MatrixSymbol("Q", n, n), sp.MatrixSymbol("Lambda", n, n)   # H = QΛQᵀ
EIGENVALUES = sp.MatrixSymbol("lambda", n, 1)                                # Λ's diagonal
H_EIGEN = Q_ * LAM * Q_.T


def unit_columns(expr):
    """Σₐ Q_ab² = (QᵀQ)_bb = 1 (Q orthogonal), in each Σ over a row index a of Q that holds Q_ab² alone."""
    def rule(total):
        for place, (a, low, high) in enumerate(total.limits):
            squares = [f for f in sp.Mul.make_args(total.function) if f.is_Pow and f.exp == 2
                       and getattr(f.base, "parent", None) == Q_ and f.base.i == a and not f.base.j.has(a)]
            rest = total.function / squares[0] if squares else None
            if squares and (low, high) == (0, n - 1) and not rest.has(a):
                others = total.limits[:place] + total.limits[place + 1:]
                return sp.Sum(rest, *others) if others else rest
        return total
    return expr.replace(lambda e: isinstance(e, sp.Sum), rule)


def effective_parameters_obligation():
    """H(H + αI)⁻¹ = QDQᵀ (in the eigenbasis, multiplied through by H + αI), D = (Λ + αI)⁻¹Λ acting on
    each λⱼ by the f read off there; the trace of QDQᵀ with D = diag(f(λⱼ)) as an indexed sum."""
    d = (LAM + alpha * I).I * LAM
    f = sp.Lambda(lam, scalar_residuals(Q_ * d * Q_.T, Q_, LAM, lam)[0])
    diagonal = sp.hadamard_product(I, sp.OneMatrix(n, 1) * ElementwiseApplyFunction(f, EIGENVALUES).T)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    trace = unit_columns(sp.Sum((Q_ * diagonal * Q_.T)[j, j], (j, 0, n - 1)).doit())
    obligation = Obligation.in_eigenbasis(
        H_EIGEN - Q_ * d * Q_.T * (H_EIGEN + alpha * I), Q_, LAM, lam, assumptions_used=("Q orthogonal", "α > 0"),
        steps=("H = QDQᵀ(H + αI) with D = (Λ + αI)⁻¹Λ, so H(H + αI)⁻¹ = QDQᵀ (in the eigenbasis)",
               "D = diag(λⱼ/(λⱼ + α)); tr(QDQᵀ) = Σᵢ Σⱼ Qᵢⱼ² Dⱼⱼ", "Σᵢ Qᵢⱼ² = (QᵀQ)ⱼⱼ = 1: tr = Σⱼ λⱼ/(λⱼ + α)"))
    obligation.zero.append(trace - sp.Sum(shrink_factor(EIGENVALUES[j, 0], alpha), (j, 0, n - 1)))
    return obligation


W_TILDE = (H + alpha * I).I * H * w_star
EIGEN = ("H = QΛQᵀ, Q orthogonal, v = Qᵀw*", "λᵢ > 0, α > 0 (a direction with λᵢ = 0 adds 0 to every sum)")


def eigen_split(scalar):
    """Σ c·tr(w*ᵀMw*) + Σ c·tr(M) + c₀ (each M built from H, I) in the eigenbasis is Σᵢ f(λᵢ)vᵢ² +
    Σᵢ g(λᵢ) + c₀ (v = Qᵀw*: tr(QDQᵀ) = tr D, w*ᵀQDQᵀw* = vᵀDv); returns (f, g, c₀)."""
    parts, constant = {True: sp.S.Zero, False: sp.S.Zero}, sp.S.Zero
    for term in sp.Add.make_args(sp.expand(scalar)):
        traces = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Trace)]
        if not traces:
            constant += term
            continue
        c, product = traces[0].arg.as_coeff_mmul()
        factors = list(product.args) if isinstance(product, sp.MatMul) else [product]
        quadratic = factors[0] == w_star.T and factors[-1] == w_star
        middle = sp.MatMul(*factors[1:-1]).doit() if quadratic and len(factors) > 2 else I if quadratic else product
        m = sp.expand(conjugated(middle.subs(H.T, H).xreplace({H: H_EIGEN}).subs(LAM.T, LAM), Q_))
        for t in m.args if isinstance(m, sp.MatAdd) else (m,):
            scale, rest = t.as_coeff_mmul()
            value = scale if rest.doit() == I else eigenvalue_function(t, Q_, LAM, lam)
            parts[quadratic] += term / traces[0] * c * value
    return sp.simplify(parts[True]), sp.simplify(parts[False]), constant


def alpha_slope_obligation(definition):
    """d/dα of the definition Σ F(λᵢ)vᵢ² + Σ G(λᵢ), per term, is the claimed Σ f(λᵢ)vᵢ² + Σ g(λᵢ), ≤ 0."""
    def build(claim):
        (f, g, c), (big_f, big_g, _) = eigen_split(claim.form), eigen_split(definition)
        return Obligation(zero=[sp.diff(big_f, alpha) - f, sp.diff(big_g, alpha) - g, c], positive=[-(f + g)],
                          nonnegative=[-f, -g], derived_by="differentiation", sources=(claim.form, definition),
                          assumptions_used=EIGEN, steps=("write the definition in the eigenbasis",
                                                         "differentiate each eigen-term in α: ≤ 0, < 0 for λᵢ > 0"))
    return build


def norm_obligation(claim):       # ‖w*‖² − ‖w̃‖² = Σᵢ (1 − (λᵢ/(λᵢ + α))²)vᵢ²
    f, g, c = eigen_split(claim.lhs - sp.Trace(W_TILDE.T * W_TILDE))
    return Obligation(positive=[f], nonnegative=[g, c], sources=(claim.lhs, W_TILDE), assumptions_used=EIGEN,
                      steps=("‖w̃‖² = Σᵢ (λᵢ/(λᵢ + α))²vᵢ² (eigen-form), ‖w*‖² = Σᵢ vᵢ²",
                             "the difference is Σᵢ α(2λᵢ + α)/(λᵢ + α)² vᵢ² > 0 for v ≠ 0"))


def below_rank_obligation(claim):    # rank H = #{λᵢ > 0}; tr(H(H + αI)⁻¹) = Σᵢ g(λᵢ)
    f, g, c = eigen_split(claim.rhs)
    return Obligation(positive=[1 - g], zero=[g.subs(lam, 0)], nonnegative=[-f, -c], sources=(claim.rhs,),
                      assumptions_used=EIGEN, steps=("tr(H(H + αI)⁻¹) = Σᵢ λᵢ/(λᵢ + α) (effective-parameters)",
                                                     "λᵢ/(λᵢ + α) < 1 for λᵢ > 0 and = 0 for λᵢ = 0"))


def condition_obligation(claim):   # H + αI = Q(Λ + αI)Qᵀ: eigenvalues s(λᵢ) = λᵢ + α, increasing in λ
    s = eigenvalue_function(conjugated(H_EIGEN + alpha * I, Q_), Q_, LAM, lam)
    shifted = (claim.lhs - s.subs(lam, lam_high) / s.subs(lam, lam_low)).subs(lam_high, lam_low + gap)
    return Obligation(positive=[sp.together(shifted), sp.diff(s, lam)], sources=(claim.lhs,),
                      assumptions_used=("0 < λ_min < λ_max = λ_min + d", "α > 0"),
                      steps=("H + αI = Q(Λ + αI)Qᵀ: eigenvalues λᵢ + α, in the same order",
                             "λ_max/λ_min − (λ_max + α)/(λ_min + α) = αd/(λ_min(λ_min + α)) > 0"))


def shrink_factor(eigenvalue, strength):
    """λᵢ/(λᵢ + α): how much of w*'s component along qᵢ survives weight decay."""
    return eigenvalue / (eigenvalue + strength)


def eigen_component(eigenvalue, strength, component):
    return shrink_factor(eigenvalue, strength) * component


def along_eigenvector(form):
    """The component along qᵢ of a stated vector c·w*: with w* = Qv it is c·vᵢ (read off at n = 1,
    where w* is the single entry v)."""
    if form.free_symbols & {H, Q_, LAM, w, g_vec}:
        raise ValueError(f"{form} is not a multiple of w*: its component is not read off this way")
    at_one = form.xreplace({w_star: sp.ImmutableMatrix([[v]])}).subs(n, 1).doit()
    return sp.Matrix(at_one)[0, 0] if isinstance(at_one, (sp.MatrixBase, sp.MatrixExpr)) else at_one


# --- a loss that is not quadratic: w̃ = (H + αI)⁻¹Hw* is its quadratic approximation (004:490–493) ---
def first_order_obligation(claim):
    """The stated form and the exact minimizer w(α) agree to first order at α = 0: w(0) = w*, and
    differentiating its condition ∇L(w(α)) + αw(α) = 0 in α gives H w′(0) + w* = 0 (H = ∇²L(w*)),
    against the form's own value and α-derivative at 0. What is left is O(α²), measured."""
    condition_in_alpha = sp.diff(alpha * w_star, alpha)          # ∂/∂α of the penalty's gradient αw
    exact_slope = -H.I * condition_in_alpha
    shifted = H + alpha * I
    # SymPy cannot differentiate (H + αI)⁻¹ in α: d(A⁻¹) = −A⁻¹(dA)A⁻¹, with dA/dα = I derived
    form_slope = claim.rhs.replace(lambda e: e == shifted.I, lambda e: -shifted.I * sp.diff(shifted, alpha) * shifted.I)
    if form_slope == claim.rhs:
        raise ValueError(f"{claim.rhs} is not A⁻¹·(…) with A = H + αI: its α-derivative is not taken this way")
    at_zero = {alpha: 0}
    return Obligation(zero=[claim.rhs.subs(at_zero).doit() - w_star, form_slope.subs(at_zero).doit() - exact_slope],
                      derived_by="differentiation", assumptions_used=("H = ∇²L(w*) invertible",),
                      steps=("at α = 0 both are w*", "d/dα [(H + αI)⁻¹Hw*] = −(H + αI)⁻²Hw* = −H⁻¹w* at α = 0",
                             "∇L(w(α)) + αw(α) = 0 ⇒ H w′(0) + w* = 0 ⇒ w′(0) = −H⁻¹w*"))
