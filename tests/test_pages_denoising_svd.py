"""Denoising, the linear autoencoder's SVD optimum and dropout on linear regression: every claim
comes out as expected, every planted error is caught, every erratum quotes its line."""
import dataclasses
import numpy as np
import pytest
import sympy as sp

from regverify import material
from regverify.claims import Expect, Printed
from regverify.derivations import denoising, dropout_linear, linear_ae_svd
from regverify.registry import get
from regverify.numerics.montecarlo import monte_carlo
from regverify.numerics.training import train_with_autograd_check
from regverify.prover import Obligation, SymbolicVerdict, prove
from regverify.verifier import verify_claim

PAGES = (denoising.DERIVATION, linear_ae_svd.DERIVATION, dropout_linear.DERIVATION)
CLAIMS = [pytest.param(d, c, id=f"{d.id}/{c.name}") for d in PAGES for c in d.claims]


@pytest.mark.parametrize("derivation, claim", CLAIMS)
def test_every_claim_comes_out_as_expected(derivation, claim):
    result = verify_claim(derivation, claim, quick=True)
    assert result.ok, (result.status, result.symbolic.how, result.numeric.detail.get("reason"))
    assert result.status == ("verified" if claim.expect is Expect.HOLDS else "refuted")
    if result.symbolic.verdict is SymbolicVerdict.PROVED:
        assert result.symbolic.scope
    if claim.expect.wrong:
        assert result.numeric.detail["counterexample"].get("premise", {"holds": True})["holds"]


@pytest.mark.slow
@pytest.mark.parametrize("derivation, claim", [p for p in CLAIMS if p.values[1].training])
def test_every_full_training_run_passes(derivation, claim):
    assert verify_claim(derivation, claim, quick=False).ok


ERRATA = [c for d in PAGES for c in d.claims if c.expect is Expect.ERRATUM]


@pytest.mark.parametrize("claim", ERRATA, ids=lambda c: c.name)
def test_each_erratum_quote_stands_verbatim_in_its_line(claim):
    source = claim.source
    assert source.quote in material.line(source.file, source.line)
    source.check()
    misquoted = Printed(source.file, source.line, source.quote.replace("j", "i").replace("U", "V"))
    with pytest.raises(ValueError, match="quote"):
        misquoted.check()


def test_the_lectures_printed_errata_are_the_ones_encoded():
    assert {(c.source.file[:3], c.source.line) for c in ERRATA} == {("003", 70), ("003", 842)}


# --- planted errors in the training runs -----------------------------------------------------
def test_the_denoising_run_passes_with_the_clean_target_and_its_criterion_rejects_the_controls():
    evidence = denoising.train_denoising(0, True)
    assert evidence.verdict.value == "passed"
    assert all(run["denoises"] and not run["control_passes"] for run in evidence.detail["runs"].values())


def test_a_denoising_run_that_reconstructs_the_corrupted_input_fails():
    evidence = denoising.train_denoising(0, True, noise=(0.25,), target="corrupted")
    assert evidence.verdict.value == "failed"
    assert not evidence.detail["runs"]["q=0.25"]["denoises"]


def test_a_denoising_gradient_off_by_a_thousandth_fails_the_autograd_check():
    def planted(xt, target):
        right = denoising.twins.dae_gradient(xt, target)
        return lambda p: {k: (1.001 * v if k == "W" else v) for k, v in right(p).items()}
    evidence = denoising.train_denoising(0, True, noise=(0.25,), gradient=planted)
    assert evidence.verdict.value == "failed"
    assert not evidence.detail["runs"]["q=0.25"]["max_param_rel_gap"] < 1e-10


def test_the_linear_ae_run_on_uncentred_digits_misses_the_pca_optimum():
    evidence = linear_ae_svd.train_linear_ae(0, True, centre=False)
    assert evidence.verdict.value == "failed" and abs(evidence.detail["relative_excess"]) > 1e-2


def test_a_linear_ae_gradient_missing_its_factor_two_fails():
    def planted(gram):
        right = linear_ae_svd.ae_gradient(gram)
        return lambda p: {k: v / 2 for k, v in right(p).items()}
    assert linear_ae_svd.train_linear_ae(0, True, gradient=planted).verdict.value == "failed"


# --- Monte Carlo checks fail on a planted wrong variance or penalty ---------------------------
def test_monte_carlo_accepts_the_masking_variance_and_rejects_q_x_squared():
    assert denoising.monte_carlo_variance(0, True).verdict.value == "passed"
    planted = denoising.monte_carlo_variance(0, True, variance=lambda q, x: q * x ** 2)
    assert planted.verdict.value == "failed" and planted.detail["gap_in_standard_errors"] > 5


def test_a_monte_carlo_witness_over_heavy_tailed_draws_is_an_error_never_a_pass():
    rng = np.random.default_rng(0)
    x, s = 1.7, 0.7
    sound = monte_carlo(denoising.twins.gaussian_corruption(rng, x, s, 4000), x)
    cauchy = monte_carlo(x + s / rng.standard_normal(4000), x)      # ε = s/z: no mean, no variance
    assert sound.verdict.value == "passed" and cauchy.verdict.value == "error"


def test_monte_carlo_rejects_the_dropout_penalty_without_the_variance_factor():
    assert dropout_linear.monte_carlo_dropout(0, True).verdict.value == "passed"
    wrong = dropout_linear.ridge_form(1 - dropout_linear.p_keep)
    assert dropout_linear.monte_carlo_dropout(0, True, stated=wrong).verdict.value == "failed"


# --- the proofs start from the definitions ---------------------------------------------------
def test_the_linear_dae_minimizer_without_m_is_not_proved_from_the_objective():
    m, n = sp.symbols("m n", integer=True, positive=True)
    x, v, sigma = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("V", n, n), sp.Symbol("sigma", positive=True)
    objective = sp.Trace((x * v - x).T * (x * v - x) / m + sigma ** 2 * v.T * v)
    wrong = x.T * x + sigma ** 2 * sp.Identity(n)
    proof = prove(Obligation.stationary(objective, v, (x.T * x * wrong.I).T, linear=(wrong, x.T * x),
                                        factor=sp.Rational(2) / m), required="differentiation")
    assert proof.verdict is not SymbolicVerdict.PROVED


def test_the_contractive_only_reading_is_refuted_symbolically_too():
    proof = prove(denoising.small_noise_obligation(denoising.DERIVATION.claim("contractive-only")))
    assert proof.verdict is SymbolicVerdict.REFUTED


def test_the_small_noise_expansion_error_grows_outside_its_regime():
    result = verify_claim(denoising.DERIVATION, denoising.DERIVATION.claim("small-noise-expansion"), quick=True)
    assert result.numeric.detail["max_rel_error_outside"] > 10 * result.numeric.detail["max_rel_error"]


def test_the_printed_full_svd_counterexample_has_an_undercomplete_code():
    claim = linear_ae_svd.DERIVATION.claim("printed-full-svd")
    found = verify_claim(linear_ae_svd.DERIVATION, claim, quick=True).numeric.detail["counterexample"]
    assert found["premise"]["holds"] and found["params"]["k"] < min(np.shape(found["params"]["X"]))


def test_a_twin_of_the_autograd_check_catches_a_wrong_linear_ae_gradient_every_step():
    gram = np.diag([3.0, 2.0, 1.0])
    import autograd.numpy as anp

    def loss(p):
        rest = np.eye(3) - anp.dot(p["E"], p["D"])
        return anp.sum(rest * anp.dot(gram, rest))
    start = {"E": np.full((3, 1), 0.1), "D": np.full((1, 3), 0.1)}
    _, right = train_with_autograd_check(start, linear_ae_svd.ae_gradient(gram), loss, 0.05, 20)
    _, wrong = train_with_autograd_check(start, lambda p: {k: 1.001 * v for k, v in
                                                           linear_ae_svd.ae_gradient(gram)(p).items()}, loss, 0.05, 20)
    assert right["max_param_rel_gap"] < 1e-12 < wrong["max_param_rel_gap"]


def test_monte_carlo_rejects_the_kept_fraction_taken_as_q():
    assert denoising.monte_carlo_mean(0, True).verdict.value == "passed"
    assert denoising.monte_carlo_mean(0, True, mean=lambda q, x: q * x).verdict.value == "failed"


def test_the_dae_gradient_claim_is_checked_against_the_clean_target():
    claim = denoising.DERIVATION.claim("dae-gradient")
    planted = dataclasses.replace(claim, form=claim.form.xreplace({denoising.DAE_X: denoising.proofs.DAE_T}),
                                  symbolic=None, training=None)
    assert planted.check_numeric(np.random.default_rng(0)).verdict.value == "failed"


def test_a_wrong_decoder_is_not_stationary_even_with_orthonormality_used():
    svd = linear_ae_svd
    h, w = sp.MatrixSymbol("H", svd.m, svd.k), sp.MatrixSymbol("W", svd.k, svd.n)
    objective = sp.Trace((svd.X_SVD - h * w).T * (svd.X_SVD - h * w))
    wrong = svd.with_orthonormality(Obligation.stationary(objective.xreplace({h: svd.X_SVD * svd.V}), w,
                                                          2 * svd.V.T))
    assert wrong.scope == "every k, m, n, r"
    assert prove(wrong, required="differentiation").verdict is not SymbolicVerdict.PROVED
    right = svd.stationarity(get("linear-ae-svd").claim("eckart-young"))
    assert prove(right, required="differentiation").verdict is SymbolicVerdict.PROVED
