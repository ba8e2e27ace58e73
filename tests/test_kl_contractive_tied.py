"""kl-sparsity, contractive and tied-weights: every claim comes out as expected, every erratum
quotes its lines, and every training run fails on its planted-error twin."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from regverify import material
from regverify.claims import Expect, NumericVerdict
from regverify.derivations import contractive, kl_sparsity, tied_weights
from regverify.prover import SymbolicVerdict, prove
from regverify.verifier import claim_rng, verify_claim

MODULES = (kl_sparsity, contractive, tied_weights)
CLAIMS = [pytest.param(m.DERIVATION, c, id=f"{m.DERIVATION.id}/{c.name}") for m in MODULES for c in m.DERIVATION.claims]
EXPECTED = {Expect.HOLDS: "verified", Expect.ERRATUM: "refuted", Expect.PITFALL: "refuted"}


@pytest.mark.parametrize("derivation, claim", CLAIMS)
def test_each_claim_comes_out_as_expected_in_quick_mode(derivation, claim):
    result = verify_claim(derivation, claim, seed=0, quick=True)
    assert result.status == EXPECTED[claim.expect] and result.ok, result.as_dict()
    if claim.expect is Expect.HOLDS:
        assert result.symbolic.scope, "a proof states its scope"


@pytest.mark.parametrize("derivation, claim", [p for p in CLAIMS if p.values[1].expect is Expect.ERRATUM])
def test_each_erratum_quote_stands_in_its_line_and_in_every_line_it_names(derivation, claim):
    source = claim.source
    for number in (source.line, *source.also):
        assert source.quote in material.line(source.file, number), f"{source.file}:{number}"


def test_a_misquoted_erratum_is_an_error():
    claim = kl_sparsity.DERIVATION.claim("slide-mean-activation-gradient")
    wrong = dataclasses.replace(claim, source=dataclasses.replace(claim.source, line=602))
    assert verify_claim(kl_sparsity.DERIVATION, wrong, quick=True).status == "error"


def test_the_chained_m_times_pitfall_is_diagnosed_as_a_factor_m():
    claim = kl_sparsity.DERIVATION.claim("chained-m-times")
    evidence = claim.check_numeric(claim_rng(0, "kl-sparsity", claim.name))
    m = len(evidence.detail["counterexample"]["params"]["X"])
    assert evidence.detail["diagnosis"] == "missing-factor"
    assert evidence.detail["diagnosis_detail"].startswith(f"claimed = {m} x")


def test_the_sum_over_n_counterexample_has_more_units_than_inputs():
    claim = kl_sparsity.DERIVATION.claim("sum-over-n")
    found = claim.check_numeric(np.random.default_rng(0)).detail["counterexample"]
    assert found["premise"]["holds"] and len(found["params"]["rho_hat"]) > found["params"]["n"]


def test_a_kl_twin_with_a_planted_constant_fails_the_minimum_value():
    claim = kl_sparsity.DERIVATION.claim("kl-minimum")
    planted = dataclasses.replace(claim, objective=lambda p, r: np.sum(
        p["rho"] * np.log(p["rho"] / r) + (1 - p["rho"]) * np.log((2 - p["rho"]) / (1 - r))))
    evidence = planted.check_numeric(np.random.default_rng(0))
    assert evidence.verdict is NumericVerdict.FAILED and "minimum value" in evidence.detail["reason"]


def test_a_pinsker_bound_twice_too_strong_fails():
    claim = kl_sparsity.DERIVATION.claim("pinsker")
    planted = dataclasses.replace(claim, rhs=lambda p: np.maximum(
        kl_sparsity.kl_terms(p["rho"], p["rho_hat"]), 4 * (p["rho"] - p["rho_hat"]) ** 2))
    assert planted.check_numeric(np.random.default_rng(0)).verdict is NumericVerdict.FAILED


def test_the_contractive_penalty_with_row_norms_fails_against_the_measured_jacobian():
    claim = contractive.DERIVATION.claim("frobenius-norm")
    planted = dataclasses.replace(claim, rhs=lambda p: np.sum(
        (contractive.code(p) * (1 - contractive.code(p))) ** 2 * np.sum(p["W"] ** 2, axis=1)[: len(p["b"])]))
    assert planted.check_numeric(np.random.default_rng(0)).verdict is NumericVerdict.FAILED


def test_the_slide_tied_gradient_of_one_path_is_never_proved():
    for claim in ("decoder-path-only", "encoder-path-only"):
        result = verify_claim(tied_weights.DERIVATION, tied_weights.DERIVATION.claim(claim), quick=True)
        assert result.symbolic.verdict is not SymbolicVerdict.PROVED


# --- training runs and their planted twins ----------------------------------------------------
def test_the_sparse_run_reaches_rho_and_records_its_curves():
    evidence = kl_sparsity.train_sparse_autoencoder(0, quick=True)
    assert evidence.verdict is NumericVerdict.PASSED
    curves = evidence.detail["curves"]
    assert len(curves["mean_activation_after"]) == kl_sparsity.twins.UNITS and len(curves["loss"]) <= 200


def test_the_sparse_run_without_the_kl_gradient_misses_rho():
    evidence = kl_sparsity.train_sparse_autoencoder(
        0, quick=True, gradient=lambda x: kl_sparsity.twins.sparse_autoencoder_gradient(x, kl_scale=0.0))
    assert evidence.verdict is NumericVerdict.FAILED
    assert evidence.detail["max_rho_gap_after"] > kl_sparsity.twins.REACHED   # the activations alone reject it


def test_the_sparse_run_with_the_kl_gradient_scaled_by_1_001_fails():
    evidence = kl_sparsity.train_sparse_autoencoder(
        0, quick=True, gradient=lambda x: kl_sparsity.twins.sparse_autoencoder_gradient(x, kl_scale=1.001))
    assert evidence.verdict is NumericVerdict.FAILED and evidence.detail["max_loss_rel_gap"] > 1e-10


def test_the_contractive_run_lowers_the_held_out_jacobian_norm():
    evidence = contractive.train_contractive(0, quick=True)
    assert evidence.verdict is NumericVerdict.PASSED and evidence.detail["ratio"] < contractive.LOWER
    curves = evidence.detail["curves"]
    assert len(curves["jacobian_norm_plain"]) == len(curves["jacobian_norm_contractive"]) == len(curves["step"])


def test_the_contractive_run_without_the_x_term_fails():
    evidence = contractive.train_contractive(
        0, quick=True, gradient=lambda x: contractive.cae_gradient(x, x_term=0.0))
    assert evidence.verdict is NumericVerdict.FAILED and evidence.detail["max_loss_rel_gap"] > 1e-10


def test_the_tied_run_with_the_decoder_path_only_fails():
    evidence = tied_weights.train_tied(
        0, quick=True, gradient=lambda x: tied_weights.twins.tied_gradient(x, ("decoder",)))
    assert evidence.verdict is NumericVerdict.FAILED


def test_a_tied_run_that_diverges_fails_on_its_non_finite_values():
    def exploding(x):
        gradient = tied_weights.twins.tied_gradient(x)
        return lambda p: {k: 1e200 * v for k, v in gradient(p).items()}
    with np.errstate(all="ignore"):
        evidence = tied_weights.train_tied(0, quick=True, gradient=exploding)
    assert evidence.verdict is NumericVerdict.FAILED and evidence.detail["finite"] is False


@pytest.mark.slow
@pytest.mark.parametrize("run", [kl_sparsity.train_sparse_autoencoder, contractive.train_contractive,
                                 tied_weights.train_tied])
def test_each_full_training_run_passes(run):
    assert run(0, quick=False).verdict is NumericVerdict.PASSED


def test_explicit_size_proofs_use_distinct_m_n_k_so_that_1_over_m_differs_from_1_over_n():
    assert all(len(set(size)) == len(size) for size in kl_sparsity.SIZES)
    # the batched tied gradient is proved for symbolic m, n, k: 1/m is never 1/n there
    assert tied_weights.DERIVATION.claim("batched-gradient").obligation().scope == "every k, m, n"


def test_the_contractive_run_checks_its_measuring_instrument_against_autograd(monkeypatch):
    good = contractive.train_contractive(0, True)
    assert good.verdict is NumericVerdict.PASSED and good.detail["measured_vs_autograd_jacobian"] < 1e-6
    original = contractive.measured_jacobian_norm
    # a one-sided difference divided as a central one: half the measured Jacobian, same ratio
    monkeypatch.setattr(contractive, "measured_jacobian_norm", lambda p, x, step=1e-5: original(p, x, step) / 4)
    assert contractive.train_contractive(0, True).verdict is NumericVerdict.FAILED


def shifted_kl(r, r_hat):                # a constant inside the log: the same slope, Ω(ρ) ≠ 0
    return r * sp.log(r / r_hat) + (1 - r) * sp.log((2 - r) / (1 - r_hat))


KL_MINIMUM = kl_sparsity.DERIVATION.claim("kl-minimum")
PINSKER = kl_sparsity.DERIVATION.claim("pinsker")


@pytest.mark.parametrize("build", [lambda *kl: kl_sparsity.kl_minimum_obligation(KL_MINIMUM, *kl),
                                   lambda *kl: kl_sparsity.pinsker_obligation(PINSKER, *kl)], ids=["kl-minimum", "pinsker"])
def test_a_kl_with_a_planted_constant_is_refuted_where_it_should_be_zero(build):
    assert prove(build()).verdict is SymbolicVerdict.PROVED
    assert prove(build(shifted_kl)).verdict is SymbolicVerdict.REFUTED


def test_the_parameter_count_erratum_holds_once_the_biases_are_counted_and_fails_without():
    claim = tied_weights.DERIVATION.claim("printed-parameters-by-half")
    n, k = tied_weights.n, tied_weights.k
    counted = dataclasses.replace(claim, rhs=n * k + n + k, expect=Expect.HOLDS, source=None)
    result = verify_claim(tied_weights.DERIVATION, counted, quick=True)
    assert result.status == "verified", result.as_dict()       # the twin counts what the form says
    halved = verify_claim(tied_weights.DERIVATION, claim, quick=True)
    assert halved.status == "refuted" and halved.symbolic.verdict is SymbolicVerdict.REFUTED
    dropped = dataclasses.replace(counted, rhs=n * k + n)        # a bias left out of the count
    assert verify_claim(tied_weights.DERIVATION, dropped, quick=True).status != "verified"


def test_the_x4_slip_is_refuted_and_would_hold_where_w41_is_zero_too():
    derivation = contractive.DERIVATION
    claim = derivation.claim("printed-insensitive-to-x4")
    assert verify_claim(derivation, claim, seed=0).status == "refuted"

    def w41_also_zero(rng, trial):        # planted: x₄ has no weight into h₁ either
        p = contractive.sample_insensitive_to_x1(rng, trial)
        p["W"][3, 0] = 0.0
        return p
    planted = verify_claim(derivation, dataclasses.replace(claim, sample=w41_also_zero), seed=0)
    assert planted.numeric.verdict is NumericVerdict.PASSED and not planted.ok
