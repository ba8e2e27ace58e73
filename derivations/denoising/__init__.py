"""Denoising autoencoders: what the corruption does in expectation (003; Vincent 2008; Bishop 1995).

Masking noise sets each component independently to 0 with probability q: x̃ = d ⊙ x, dⱼ = 1 with
probability 1 − q. Gaussian noise adds ε ~ N(0, σ²I); the slide's x̃ = x + N(0, 1) is σ = 1. The
loss compares the reconstruction of x̃ with the CLEAN x (003:116). For a linear reconstruction
W x̃ the expected loss is a penalized clean loss: Tikhonov (σ²‖W‖²_F) under Gaussian noise, a
per-column penalty q(1−q)Σⱼ xⱼ²‖W_{:,j}‖² (and a (1−q) shrink) under masking.
"""
import numpy as np
import sympy as sp

from regverify.claims import (Approximation, Derivation, Expect, Gradient, Identity, Minimizer, Premise, Printed,
                              Source)
from regverify.moments import expect_iid_entries as expectation
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.numerics.montecarlo import gaussian_expectation, monte_carlo
from regverify.prover import ENTRY_ROW, Obligation
from regverify.registry import register
from regverify.forms import compile_form

from .proofs import (DAE_A, DAE_GRADIENT, DAE_X, GAUSSIAN, GRAM, GRAM_DIAG, J_R, KEPT_MEAN, LAPLACIAN, MASK, MASKED,
                     NOISE, R_OFF, W_SQ, X_VEC, at_entry, dae_gradient_obligation, expected_loss_obligation, m_,
                     mask_mean, masking_dae_obligation, n_, q, residual_norm, sigma, small_noise_every_n,
                     small_noise_obligation, x_s)
from .twins import (dae_loss, dae_objective, gaussian_loss, mask_moment, masked_loss, masking, monte_carlo_gaussian_mean,
                    monte_carlo_penalty, monte_carlo_tikhonov, noise_excess, noisy, reconstruction, sample_data,
                    sample_masking_data, sample_network, sample_network_data, sample_rows, sample_vector, train_denoising)

SLIDES = "003_c3291310eed8186c.txt"


# Monte Carlo witnesses of the stated moments: kept_mean compiles the stated form, so they stay on the page
def kept_mean(drop, x, compiled=compile_form(KEPT_MEAN)):   # the stated E[x̃] = (1 − q)x, compiled
    return compiled({"q": drop, "x": x})


UNCORRELATED = dict(objective=lambda p, w: np.mean([masked_loss({"x": x, "W": w, "q": p["q"]}) for x in p["X"]]),
                    premise=Premise("uncorrelated features: XᵀX diagonal", lambda p: np.allclose(
                        p["X"].T @ p["X"], np.diag(np.diag(p["X"].T @ p["X"])))), trials=3,
                    symbolic=lambda claim: masking_dae_obligation(claim, GRAM),
                    sample=lambda rng, t: sample_masking_data(rng, t, True))


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


NETWORK = {"bind": {"r_minus_x": R_OFF, "laplacian": LAPLACIAN, "J": J_R}}


PRINTED_JJ = Printed(SLIDES, 70, r"$(P(\widetilde{x}_{ij}|x_{jj}))$",
                     reading="taken as printed, component j of example i is corrupted from x_jj "
                             "(example j's component j); 003:75 conditions on x_ij")


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
