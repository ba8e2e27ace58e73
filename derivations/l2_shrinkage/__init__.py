"""Weight decay rescales w* along the eigenvectors of H (002 module 8.4; 004:481–519).

L̃(w) = L(w) + (α/2)‖w‖². Near the unregularized optimum w*, L is the quadratic
L̂(w) = L(w*) + ½(w − w*)ᵀH(w − w*), and the regularized optimum is w̃ = (H + αI)⁻¹Hw*.
In the eigenbasis of H = QΛQᵀ, component i of w* is scaled by λᵢ/(λᵢ + α).

Proofs: the gradients and the minimizer are derived by SymPy for every n (MatrixSymbol ``.diff``);
the eigen forms too, in the eigenbasis (``Obligation.in_eigenbasis``: with QᵀQ = I, what stands
between Q and Qᵀ is a function of the diagonal Λ, so one scalar λ carries the proof). The
effective number of parameters adds a trace, expanded as an indexed sum: tr(QDQᵀ) = Σᵢⱼ Qᵢⱼ² Dⱼⱼ,
and the columns of an orthogonal Q have Σᵢ Qᵢⱼ² = 1.
"""
import autograd.numpy as anp
import numpy as np
import sympy as sp
from autograd import grad, hessian
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.claims import (Approximation, Derivation, Evidence, Expect, Gradient, Identity, Inequality, Limit, Minimizer, NotConformable,
                              NumericVerdict, Premise, Printed, Source, shape_text)
from regverify.eigenbasis import conjugated, eigenvalue_function, scalar_residuals
from regverify.numerics import sampling
from regverify.numerics.datasets import digits_regression
from regverify.numerics.training import relative_error, train_with_autograd_check
from regverify.prover import Obligation
from regverify.registry import register

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


def solved(p, rhs):      # (H + αI)⁻¹·rhs, traced by autograd and complex steps alike
    return anp.linalg.solve(p["H"] + p["alpha"] * anp.eye(len(p["H"])), rhs)


def sample_spectrum(rng, trial):
    lm, q = sampling.spectrum(rng, k := sampling.size(rng), 0.5, 5.0), sampling.orthogonal(rng, k)
    return {"H": q @ np.diag(lm) @ q.T, "lambda_high": lm[0], "lambda_low": lm[-1], "alpha": sampling.positive(rng, 0.01, 10)}


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


# --- numeric twins (NumPy, written from the definitions) -------------------------------------
def sample_quadratic(rng, trial):
    size = sampling.size(rng)
    hessian = sampling.spd(rng, size) if trial % 2 == 0 else sampling.psd(rng, size)
    return {"H": hessian, "w_star": sampling.normal(rng, size), "alpha": sampling.positive(rng)}


def quadratic_objective(p, w):
    d = w - p["w_star"]
    return 0.5 * d @ p["H"] @ d + 0.5 * p["alpha"] * w @ w


def shrunk(p):
    return np.linalg.solve(p["H"] + p["alpha"] * np.eye(len(p["w_star"])), p["H"] @ p["w_star"])


def sample_logistic(rng, trial):
    """A logistic L, not quadratic, so the check is not circular; "g" is ∇L(w) by autograd."""
    m, size = sampling.size(rng, 4, 8), sampling.size(rng)
    p = {"X": sampling.normal(rng, (m, size)), "y": sampling.binary(rng, m),
         "w": sampling.normal(rng, size), "alpha": sampling.positive(rng)}
    return {**p, "g": grad(lambda u: logistic_loss({**p, "w": u}))(p["w"])}


def logistic_loss(p):  # an L that is not quadratic, so the check is not circular
    z = p["X"] @ p["w"]
    return anp.sum(anp.log(1 + anp.exp(z))) - p["y"] @ z


# --- a loss that is not quadratic: w̃ = (H + αI)⁻¹Hw* is its quadratic approximation (004:490–493) ---
def newton_minimizer(p, strength, start=None, steps=30):
    """argmin of the logistic L(w) + (strength/2)‖w‖², by Newton's method (no closed form):
    ∇ = Xᵀ(σ(Xw) − y) + strength·w, ∇² = Xᵀdiag(σ(1 − σ))X + strength·I."""
    x, w_ = p["X"], np.zeros(p["X"].shape[1]) if start is None else np.array(start, dtype=float)
    for _ in range(steps):
        s_ = 1 / (1 + np.exp(-x @ w_))
        step = np.linalg.solve(x.T @ (x * (s_ * (1 - s_))[:, None]) + strength * np.eye(len(w_)),
                               x.T @ (s_ - p["y"]) + strength * w_)
        w_ = w_ - step
        if np.max(np.abs(step)) <= 1e-15 * max(1.0, np.max(np.abs(w_))):
            break
    return w_


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


def sample_logistic_fit(rng, trial, strengths=(1e-3, 2e-2)):
    """Noisy labels (so that w* is finite), w* and H = ∇²L(w*) by Newton and autograd, α small."""
    m, size = 30, sampling.size(rng, 2, 4)
    x = sampling.normal(rng, (m, size))
    y = (rng.random(m) < 1 / (1 + np.exp(-x @ sampling.normal(rng, size)))).astype(float)
    p = {"X": x, "y": y}
    w_opt = newton_minimizer(p, 0.0)
    return {**p, "w_star": w_opt, "H": hessian(lambda u: logistic_loss({**p, "w": u}))(w_opt),   # autograd
            "alpha": float(np.exp(rng.uniform(*np.log(strengths))))}


def sample_logistic_far(rng, trial):
    return sample_logistic_fit(rng, trial, strengths=(5.0, 50.0))


def sample_columns(rng, trial):
    size = sampling.size(rng, 2, 5)   # the lecture's w is a vector: n ≥ 2
    return {"H": sampling.symmetric(rng, size), "w": sampling.normal(rng, (size, 1)),
            "w_star": sampling.normal(rng, (size, 1))}


def literal_product(*factors):
    """Left-to-right matrix product as printed; an undefined product (non-conformable shapes)
    raises NotConformable, saying which factors do not fit."""
    out = factors[0]
    for number, f in enumerate(factors[1:], 2):
        if out.shape[-1] != f.shape[0]:
            before = "factor 1" if number == 2 else f"factors 1 to {number - 1}"
            raise NotConformable(f"the printed product is undefined: {before} ({shape_text(out.shape)}) "
                                 f"times factor {number} ({shape_text(f.shape)}) does not conform")
        out = out @ f
    return out


def eigen_sample(rng, trial):
    p = sample_quadratic(rng, trial)
    lm, q = np.linalg.eigh(p["H"])
    return {**p, "lam": np.maximum(lm, 0.0), "Lambda": np.diag(np.maximum(lm, 0.0)), "Q": q}


# --- training: GD with weight decay on least squares on the digits reaches w̃ -----------------
def train_weight_decay(seed: int, quick: bool, gradient=None) -> Evidence:
    """``gradient(x, y, a)`` -> p ↦ {"w": ∇}: the update under test (default: ∇L + αw)."""
    x, y = digits_regression()
    m, a = len(x), 1.0
    hessian = x.T @ x / m
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]
    predicted = shrunk({"H": hessian, "alpha": a, "w_star": w_star})   # the claim's candidate, not a copy of it

    def loss(p):
        r = anp.dot(x, p["w"]) - y
        return anp.dot(r, r) / (2 * m) + 0.5 * a * anp.dot(p["w"], p["w"])

    closed_form = (gradient or (lambda x, y, a: lambda p: {"w": x.T @ (x @ p["w"] - y) / m + a * p["w"]}))(x, y, a)
    lr = 1.0 / (np.linalg.eigvalsh(hessian)[-1] + a)
    steps = 150 if quick else 400
    run, cross_check = train_with_autograd_check({"w": np.zeros_like(w_star)}, closed_form, loss, lr, steps,
                                                 record_path=True)
    distance = [float(np.linalg.norm(params["w"] - predicted)) for params in run.path]
    gap = relative_error(run.params["w"], predicted)
    figures = {"data": f"digits regression, {m}x{x.shape[1]}, alpha={a}", "steps": steps,
               "rel_error_to_w_tilde": gap if run.finite else float("nan"), **cross_check,
               "seconds": round(run.seconds, 3),
               "curves": {"distance_to_w_tilde": distance[:: max(1, steps // 199)][:200],
                          "loss": run.losses[:: max(1, steps // 199)][:200]}}
    ok = gap < 1e-6 and figures["max_param_rel_gap"] < 1e-10 and figures["max_loss_rel_gap"] < 1e-10
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, figures)


DERIVATION = register(Derivation(
    id="l2-shrinkage",
    title="Weight decay rescales w* along the eigenvectors of H",
    sources=[Source("002_2162f055e9d421d0.txt", "module 8.4, Taylor expansion at w* and eigen-decomposition"),
             Source("004_b86d6fd376fce36f.txt", "L2 regularization, 481–519")],
    conventions="Vectors are columns; L̃(w) = L(w) + (α/2)‖w‖² (with the ½). QΛQᵀ with Λ ≠ I is "
                "symmetric, not a rotation (002:151–171 says 'rotated': rotate, scale per axis, rotate back).",
    assumptions=["α > 0", "H symmetric positive semi-definite", "∇L(w*) = 0",
                 "H = QΛQᵀ with Q orthogonal and Λ diagonal ≥ 0"],
    symbols={"w": "vector(n)", "w*": "vector(n)", "H": "matrix(n,n) symmetric PSD",
             "alpha": "scalar > 0", "eps": "scalar > 0 (learning rate)"},
    claims=[
        Gradient(
            name="penalty-gradient",
            statement="∇[L(w) + (α/2)‖w‖²] = ∇L(w) + αw",
            form=alpha * w + g_vec,
            symbolic=lambda claim: Obligation.gradient(
                alpha / 2 * w.T * w + g_vec.T * w, w, claim.form,
                assumptions_used=("∇ is linear; gᵀw stands for L's first-order part, ∇(gᵀw) = g",),
                steps=("∂/∂w (α/2) wᵀw = (α/2)·2w = αw", "∇(L + Ω) = ∇L + ∇Ω")),
            sample=sample_logistic,
            objective=lambda p: logistic_loss(p) + 0.5 * p["alpha"] * p["w"] @ p["w"],
            wrt="w"),
        Identity(
            name="update-rule",
            statement="w − ε(αw + ∇L) = (1 − εα)w − ε∇L (shrinkage factor 1 − εα; 004:490–491)",
            symbolic=lambda claim: Obligation.identity(claim.lhs, claim.rhs, steps=("distribute ε; collect w",)),
            sample=lambda rng, t: {"w": sampling.normal(rng, 4), "g": sampling.normal(rng, 4),
                                   "alpha": sampling.positive(rng), "eps": sampling.positive(rng, 1e-3, 1)},
            lhs=w - eps * (alpha * w + g_vec), rhs=(1 - eps * alpha) * w - eps * g_vec, bind=BIND),
        Gradient(
            name="quadratic-gradient",
            statement="L̂(w) = L(w*) + ½(w − w*)ᵀH(w − w*) has ∇L̂(w) = H(w − w*) for symmetric H",
            form=H * (w - w_star), definition=L_HAT, over=w, substitutions={H.T: H}, bind=BIND,
            symbolic=lambda claim: Obligation.gradient(
                claim.definition, claim.over, claim.form, claim.substitutions,
                assumptions_used=("H symmetric",),
                steps=("∂/∂w ½(w−w*)ᵀH(w−w*) = ½(H + Hᵀ)(w − w*)", "= H(w − w*) as Hᵀ = H")),
            sample=lambda rng, t: {"H": sampling.symmetric(rng, k := sampling.size(rng)),
                                   "w": sampling.normal(rng, k), "w_star": sampling.normal(rng, k)},
            objective=lambda p: 0.5 * (p["w"] - p["w_star"]) @ p["H"] @ (p["w"] - p["w_star"]),
            wrt="w"),
        Identity(
            name="printed-quadratic-form",
            statement="Ĵ(w) = J(w*) + ½(w − w*)H(w − w*) (as printed, no ᵀ) is the quadratic expansion",
            expect=Expect.ERRATUM, corrected_by="quadratic-gradient",
            source=Printed("004_b86d6fd376fce36f.txt", 496,
                           r"\frac{1}{2}(\mathbf{w} - \mathbf{w}^*)\mathbf{H}(\mathbf{w} - \mathbf{w}^*)",
                           reading="vectors are columns, as the same slide writes wᵀw (004:486, 500): "
                                   "(w − w*)H(w − w*) is then n×1 · n×n · n×1, undefined for n ≥ 2. "
                                   "No reading that keeps the printed order gives another scalar "
                                   "(d∘(Hd) summed, or tr(H ddᵀ), equal dᵀHd), so the check is the "
                                   "definition's: the printed product must be the 1×1 value dᵀHd."),
            premise=Premise("w is a vector with n ≥ 2 entries (a column)",
                            lambda p: p["w"].shape[0] >= 2 and p["w"].shape[1] == 1),
            sample=sample_columns,
            lhs=lambda p: literal_product(p["w"] - p["w_star"], p["H"], p["w"] - p["w_star"]),
            rhs=lambda p: (p["w"] - p["w_star"]).T @ p["H"] @ (p["w"] - p["w_star"])),
        Minimizer(
            name="shrinkage-minimizer",
            statement="argmin L̂(w) + (α/2)‖w‖² is w̃ = (H + αI)⁻¹Hw* (004:500)",
            definition=L_HAT + alpha / 2 * w.T * w, over=w, form=(H + alpha * I).I * H * w_star,
            substitutions={H.T: H}, linear=(H + alpha * I, H * w_star), psd=(H,), bind=BIND,
            assumptions_used=("H symmetric", "α > 0", "H PSD: uᵀHu ≥ 0"),
            steps=("∇ = H(w − w*) + αw = (H + αI)w − Hw*", "= 0 at w̃: (H + αI)w̃ = Hw*",
                   "uᵀ∇²u = uᵀHu + α uᵀu > 0 for u ≠ 0 (H PSD, α > 0): the stationary point is the minimum"),
            sample=sample_quadratic, objective=quadratic_objective,
            uses=("quadratic-gradient", "penalty-gradient"), training=train_weight_decay),
        Approximation(
            name="quadratic-approximation",
            statement="for a loss that is not quadratic (logistic), (H + αI)⁻¹Hw* with H = ∇²L(w*) is the "
                      "regularized minimizer up to O(α²): exact only for the quadratic L̂ (004:490–493)",
            symbolic=first_order_obligation, sample=sample_logistic_fit, outside_sample=sample_logistic_far, bind=BIND,
            lhs=lambda p: newton_minimizer(p, p["alpha"], start=p["w_star"]), rhs=(H + alpha * I).I * H * w_star,
            scale=lambda p: np.linalg.norm(p["w_star"]) * np.ones_like(p["w_star"]),
            order=2, toward=lambda p, t: {**p, "alpha": 0.004 * t},
            regime=lambda p: p["alpha"], regime_text="α", inside=0.02, rtol=5e-3, trials=8,
            uses=("shrinkage-minimizer",)),
        Identity(
            name="eigen-form",
            statement="w̃ = Q(Λ + αI)⁻¹ΛQᵀw* when H = QΛQᵀ",
            symbolic=lambda claim: Obligation.in_eigenbasis(
                (H_EIGEN + alpha * I) * claim.lhs - H_EIGEN * w_star, Q_, LAM, lam,
                assumptions_used=("Q orthogonal", "Λ diagonal", "α > 0"),
                steps=("w̃ solves (H + αI)w̃ = Hw* (H + αI invertible)",
                       "substitute the candidate and H = QΛQᵀ, expand, and use QᵀQ = QQᵀ = I",
                       "between Q and Qᵀ every factor is built from the diagonal Λ: it acts on each λᵢ alone",
                       "cancel the scalar function of λ")),
            sample=eigen_sample, uses=("shrinkage-minimizer",), bind=BIND,
            lhs=Q_ * (LAM + alpha * I).I * LAM * Q_.T * w_star, rhs=shrunk),
        Identity(
            name="eigen-factor",
            statement="Qᵀ(H + αI)⁻¹HQ = diag(λᵢ/(λᵢ + α)): component i of Qᵀw* is scaled by λᵢ/(λᵢ + α)",
            symbolic=lambda claim: Obligation.in_eigenbasis(   # Q invertible: multiply through by (H + αI)Q
                (H_EIGEN + alpha * I) * Q_ * claim.rhs - H_EIGEN * w_star, Q_, LAM, lam,
                assumptions_used=("Q orthogonal", "Λ diagonal", "α > 0"),
                steps=("Qᵀ(H + αI)⁻¹Hw* = DQᵀw* ⇔ (H + αI)QDQᵀw* = Hw* (Q and H + αI invertible)",
                       "substitute H = QΛQᵀ, expand, and use QᵀQ = QQᵀ = I",
                       "between Q and Qᵀ every factor is built from the diagonal Λ: it acts on each λᵢ alone",
                       "cancel the scalar function of λ")),
            sample=eigen_sample, uses=("shrinkage-minimizer",), bind=BIND,
            lhs=lambda p: p["Q"].T @ shrunk(p), rhs=(LAM + alpha * I).I * LAM * Q_.T * w_star,
            rtol=1e-9),
        Limit(
            name="alpha-to-zero",
            statement="w̃ → w* as α → 0 when H is positive definite (every λᵢ > 0)",
            symbolic=lambda claim: Obligation.limit(
                eigen_component(lam, alpha, v), alpha, 0, along_eigenvector(claim.value),
                assumptions_used=("λᵢ > 0 (H positive definite)",),
                steps=("(Qᵀw̃)ᵢ = λᵢ/(λᵢ + α)·(Qᵀw*)ᵢ (eigen-factor)", "→ (Qᵀw*)ᵢ as α → 0⁺ since λᵢ > 0")),
            sample=lambda rng, t: {"H": sampling.spd(rng, k := sampling.size(rng), 0.5, 5),
                                   "w_star": sampling.normal(rng, k)},
            f=lambda p, a: shrunk({**p, "alpha": a}), value=w_star, bind=BIND,
            uses=("eigen-factor",), rtol=1e-10),
        Limit(
            name="alpha-to-zero-for-psd-h",
            statement="w̃ → w* as α → 0 for any PSD H (λᵢ = 0 allowed)",
            expect=Expect.ERRATUM, corrected_by="alpha-to-zero",
            source=Printed("002_2162f055e9d421d0.txt", 79, "if alpha tends to 0 what would be w tilde be w star",
                           reading="under the slide's premise, \"If H is symmetric Positive Semi Definite\" "
                                   "(002:83): a PSD H may be singular, and along an eigenvector with λᵢ = 0 "
                                   "the component of w̃ is 0 for every α > 0; 002:107 says the same of "
                                   "α = 0 (\"you will end up getting the same solution\")"),
            premise=Premise("H is singular (some λᵢ = 0) and w* has a component in its null space",
                            lambda p: abs(np.linalg.eigh(p["H"])[1][:, 0] @ p["w_star"]) > 1e-3
                            and np.linalg.eigvalsh(p["H"])[0] < 1e-12 * np.linalg.eigvalsh(p["H"])[-1]),
            sample=lambda rng, t: {"H": sampling.psd(rng, k := sampling.size(rng)),
                                   "w_star": sampling.normal(rng, k)},
            f=lambda p, a: shrunk({**p, "alpha": a}), value=w_star, bind=BIND),
        Limit(
            name="alpha-to-infinity",
            statement="w̃ → 0 as α → ∞ (every component with λᵢ ≪ α is sent to 0)",
            symbolic=lambda claim: Obligation.limit(
                eigen_component(lam, alpha, v), alpha, sp.oo, along_eigenvector(claim.value),
                assumptions_used=("λᵢ ≥ 0",), steps=("λᵢ/(λᵢ + α) → 0 as α → ∞",)),
            sample=lambda rng, t: {"H": sampling.spd(rng, k := sampling.size(rng), 0.5, 5),
                                   "w_star": sampling.normal(rng, k), "n": k},   # n: the size of the zero
            f=lambda p, a: shrunk({**p, "alpha": a}), value=sp.ZeroMatrix(n, 1), bind=BIND,
            uses=("eigen-factor",), approach=tuple(10.0 ** k for k in range(1, 13)), rtol=1e-10),
        Inequality(
            name="low-variance-shrinks-more",
            statement="αI adds the same α to every feature's variance λᵢ, which is relatively more for a "
                      "low-variance feature, and a weight along a low-variance direction is shrunk more: "
                      "λ_low < λ_high gives λ_high/(λ_high + α) > λ_low/(λ_low + α) (004:519, read as relative)",
            symbolic=lambda claim: Obligation(
                positive=[sp.together((claim.lhs - claim.rhs).subs(lam_high, lam_low + gap))],
                sources=(claim.lhs, claim.rhs),
                assumptions_used=("0 < λ_low < λ_high: λ_high = λ_low + d, d > 0", "α > 0"),
                steps=("write λ_high = λ_low + d with d > 0",
                       "λ_high/(λ_high + α) − λ_low/(λ_low + α) = αd/((λ_low + d + α)(λ_low + α)) > 0")),
            sample=lambda rng, t: {"lambda_low": (low := sampling.positive(rng)),
                                   "lambda_high": low + sampling.positive(rng), "alpha": sampling.positive(rng)},
            lhs=shrink_factor(lam_high, alpha), rhs=shrink_factor(lam_low, alpha), strict=True,
            uses=("eigen-factor",)),
        Identity(
            name="effective-parameters",
            statement="Σᵢ λᵢ/(λᵢ + α) = tr(H(H + αI)⁻¹) (PRML 3.91)",
            # Older style: the sides take H's eigenvalues and a trace numerically; the proof works in H = QΛQᵀ
            symbolic=effective_parameters_obligation,
            sample=sample_quadratic, uses=("eigen-factor",),
            lhs=lambda p: np.sum((lm := np.linalg.eigvalsh(p["H"])) / (lm + p["alpha"])),
            rhs=lambda p: np.trace(p["H"] @ np.linalg.inv(p["H"] + p["alpha"] * np.eye(len(p["H"]))))),
        Inequality(
            name="norm-shrinks", statement="‖w̃‖ < ‖w*‖ for α > 0, w* ≠ 0 and any PSD H (002:77, 165)",
            symbolic=norm_obligation, sample=sample_quadratic, uses=("eigen-form",), bind=BIND,
            lhs=sp.Trace(w_star.T * w_star), rhs=lambda p: shrunk(p) @ shrunk(p), strict=True),
        Inequality(
            name="every-coordinate-shrinks", statement="|w̃ᵢ| ≤ |wᵢ*| for every i and any H (002:165–167 beyond its figure)",
            expect=Expect.PITFALL, corrected_by="norm-shrinks",
            origin="002:165–167 sees the figure's (diagonal H) coordinates scaled by λᵢ/(λᵢ + α); for a rotated H "
                   "only eigen-components are: H = Q·diag(10, 0.1)·Qᵀ (45°), w* = (1, 0), α = 1 give w̃ ≈ (0.5, 0.409)",
            premise=Premise("H is not diagonal", lambda p: not np.allclose(p["H"], np.diag(np.diag(p["H"])))),
            sample=sample_quadratic, bind=BIND, lhs=ElementwiseApplyFunction(sp.Abs, w_star),
            rhs=lambda p: np.abs(shrunk(p))),
        Gradient(
            name="decay-grows-with-alpha", statement="d/dα ‖w̃‖² = −2w̃ᵀ(H + αI)⁻¹w̃ = −2Σᵢ λᵢ²vᵢ²/(λᵢ + α)³ < 0 "
                                                     "when Hw* ≠ 0: a larger α, smaller weights (004:94, 002:77)",
            form=-2 * sp.Trace(W_TILDE.T * (H + alpha * I).I * W_TILDE), bind=BIND, uses=("eigen-form",),
            symbolic=alpha_slope_obligation(sp.Trace(W_TILDE.T * W_TILDE)), sample=sample_quadratic,
            objective=lambda p: anp.sum(solved(p, p["H"] @ p["w_star"]) ** 2), wrt="alpha"),
        Inequality(
            name="effective-parameters-below-rank", statement="tr(H(H + αI)⁻¹) < rank H for H ≠ 0 (002:129–131)",
            symbolic=below_rank_obligation, sample=sample_quadratic, uses=("effective-parameters",), strict=True,
            lhs=lambda p: np.linalg.matrix_rank(p["H"]), rhs=sp.Trace(H * (H + alpha * I).I)),
        Gradient(
            name="effective-parameters-decrease", statement="d/dα tr(H(H + αI)⁻¹) = −tr(H(H + αI)⁻²) < 0 for H ≠ 0 (002:131)",
            form=-sp.Trace(H * (H + alpha * I).I ** 2), symbolic=alpha_slope_obligation(sp.Trace(H * (H + alpha * I).I)),
            sample=sample_quadratic, uses=("effective-parameters",), wrt="alpha",
            objective=lambda p: anp.trace(solved(p, p["H"]))),
        Inequality(
            name="better-conditioned", statement="κ(H + αI) = (λ_max + α)/(λ_min + α) < λ_max/λ_min = κ(H): "
                                                 "\"more stability\" (004:502)",
            symbolic=condition_obligation, sample=sample_spectrum, strict=True,
            lhs=lam_high / lam_low, rhs=lambda p: np.linalg.cond(p["H"] + p["alpha"] * np.eye(len(p["H"])))),
    ]))
