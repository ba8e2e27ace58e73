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
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.claims import (Approximation, Derivation, Expect, Gradient, Identity, Inequality, Limit, Minimizer, Premise,
                              Printed, Source)
from regverify.numerics import sampling
from regverify.prover import Obligation
from regverify.registry import register

from .proofs import (BIND, H, H_EIGEN, I, L_HAT, LAM, Q_, W_TILDE, alpha, alpha_slope_obligation, along_eigenvector,
                     below_rank_obligation, condition_obligation, effective_parameters_obligation, eigen_component, eps,
                     first_order_obligation, g_vec, gap, lam, lam_high, lam_low, n, norm_obligation, shrink_factor, v,
                     w, w_star)
from .twins import (eigen_sample, literal_product, logistic_loss, newton_minimizer, quadratic_objective, sample_columns,
                    sample_logistic, sample_logistic_far, sample_logistic_fit, sample_quadratic, sample_spectrum, shrunk,
                    solved, train_weight_decay)


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
