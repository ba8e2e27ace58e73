"""The l2-shrinkage, l1-soft-threshold and early-stopping pages: every claim as expected, every
training run rejects its planted twin, the printed summed condition's counterexample satisfies it,
and the old tautologies are not proofs."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from regverify.claims import NumericVerdict
from regverify.derivations import early_stopping, l1_soft_threshold, l2_shrinkage
from regverify.prover import Obligation, SymbolicVerdict, prove
from regverify.verifier import verify_claim

PAGES = (l2_shrinkage.DERIVATION, l1_soft_threshold.DERIVATION, early_stopping.DERIVATION)
EXPECTED = {"holds": "verified", "erratum": "refuted", "pitfall": "refuted"}


@pytest.mark.parametrize("derivation, claim", [pytest.param(d, c, id=f"{d.id}/{c.name}")
                                               for d in PAGES for c in d.claims])
def test_each_claim_comes_out_as_expected(derivation, claim):
    result = verify_claim(derivation, claim, quick=True)
    assert result.status == EXPECTED[claim.expect.value] and result.ok, result.as_dict()
    if claim.expect.value == "holds":
        assert result.symbolic.scope      # every proof states for which sizes it holds


# --- training runs reject their planted twins ---------------------------------------------------
def test_weight_decay_run_passes_with_the_true_gradient():
    assert l2_shrinkage.train_weight_decay(0, True).verdict is NumericVerdict.PASSED


@pytest.mark.parametrize("planted", [
    lambda x, y, a: lambda p: {"w": 1.001 * (x.T @ (x @ p["w"] - y) / len(x) + a * p["w"])},   # scaled
    lambda x, y, a: lambda p: {"w": x.T @ (x @ p["w"] - y) / len(x) + 1.001 * a * p["w"]},     # decay term
    lambda x, y, a: lambda p: {"w": x.T @ (x @ p["w"] - y) / len(x)},                          # no decay
])
def test_weight_decay_run_rejects_a_planted_gradient(planted):
    assert l2_shrinkage.train_weight_decay(0, True, gradient=planted).verdict is NumericVerdict.FAILED


def test_weight_decay_run_tests_the_claims_own_candidate(monkeypatch):
    # (H − αI)⁻¹Hw* planted in the candidate: the run reaches w̃, so it must disagree with the claim
    monkeypatch.setattr(l2_shrinkage.twins, "shrunk", lambda p: np.linalg.solve(
        p["H"] - p["alpha"] * np.eye(len(p["w_star"])), p["H"] @ p["w_star"]))
    assert l2_shrinkage.train_weight_decay(0, True).verdict is NumericVerdict.FAILED


def test_weight_decay_run_fails_when_it_diverges():
    diverging = lambda x, y, a: lambda p: {"w": 1e3 * (x.T @ (x @ p["w"] - y) / len(x) + a * p["w"])}
    evidence = l2_shrinkage.train_weight_decay(0, True, gradient=diverging)
    assert evidence.verdict is NumericVerdict.FAILED


def test_coordinate_descent_confirms_the_soft_threshold_and_its_zeros():
    evidence = l1_soft_threshold.train_coordinate_descent(0, True)
    assert evidence.verdict is NumericVerdict.PASSED
    assert 0 < evidence.detail["zeros"] < len(evidence.detail["curves"]["closed_form"])


@pytest.mark.parametrize("wrong", [
    lambda p: np.sign(p["w_star"]) * np.maximum(np.abs(p["w_star"]) - p["alpha"], 0),          # α, not α/h
    lambda p: np.sign(p["w_star"]) * np.maximum(np.abs(p["w_star"]) - 1.001 * p["alpha"] / p["h"], 0),
    lambda p: p["w_star"] - np.sign(p["w_star"]) * p["alpha"] / p["h"],                        # max() dropped
])
def test_coordinate_descent_rejects_a_planted_threshold(wrong):
    assert l1_soft_threshold.train_coordinate_descent(0, True, threshold=wrong).verdict is NumericVerdict.FAILED


def test_early_stopping_run_rejects_tau_eps_for_one_over_tau_eps():
    assert early_stopping.train_early_stopping(0, True).verdict is NumericVerdict.PASSED
    swapped = early_stopping.train_early_stopping(0, True, alpha_rule=lambda tau, eps: tau * eps)
    assert swapped.verdict is NumericVerdict.FAILED


def test_early_stopping_run_carries_its_curves():
    curves = early_stopping.train_early_stopping(0, True).detail["curves"]
    assert len(curves["gd_path_i"]) == len(curves["gd_path_j"]) <= 201
    assert len(curves["lambda"]) == len(curves["alpha_i"])


# --- premises and tautologies ----------------------------------------------------------------
def test_the_printed_summed_condition_holds_at_its_counterexample():
    d = l1_soft_threshold.DERIVATION
    result = verify_claim(d, d.claim("printed-summed-stationarity"), quick=True)
    found = result.numeric.detail["counterexample"]
    assert found["premise"]["holds"] is True
    p = {k: np.asarray(v) for k, v in found["params"].items()}
    assert abs(l1_soft_threshold.twins.summed_condition(p, p["w"])) < 1e-9
    assert not np.allclose(p["w"], l1_soft_threshold.soft_threshold(p))


def test_the_summed_sampler_never_hands_out_the_minimizer():
    rng = np.random.default_rng(0)
    for trial in range(20):
        p = l1_soft_threshold.sample_summed(rng, trial)
        if l1_soft_threshold.summed_premise(p):
            assert np.max(np.abs(p["w"] - l1_soft_threshold.soft_threshold(p))) > 1e-6


def test_the_old_eigen_factor_obligation_is_not_a_proof():
    lam, alpha = sp.symbols("lambda alpha", positive=True)
    old = Obligation.identity((lam + alpha) * (lam / (lam + alpha)), lam)
    assert prove(old).verdict is SymbolicVerdict.UNPROVED


def test_the_printed_ridge_like_minimizer_is_not_proved():
    w, w_star, h, alpha, eye = l2_shrinkage.w, l2_shrinkage.w_star, l2_shrinkage.H, l2_shrinkage.alpha, l2_shrinkage.I
    objective = l2_shrinkage.L_HAT + alpha / 2 * w.T * w
    for candidate in ((h + alpha * eye).I * w_star, (h + 2 * alpha * eye).I * h * w_star):
        obligation = Obligation.stationary(objective, w, candidate, substitutions={h.T: h},
                                           linear=(h + alpha * eye, h * w_star))
        assert prove(obligation, required="differentiation").verdict is not SymbolicVerdict.PROVED


def test_alpha_to_zero_is_false_for_a_singular_h():
    d = l2_shrinkage.DERIVATION
    claim = dataclasses.replace(d.claim("alpha-to-zero"), sample=d.claim("alpha-to-zero-for-psd-h").sample)
    assert verify_claim(d, claim).numeric.verdict is NumericVerdict.FAILED


def test_a_wrong_catalog_figure_is_caught_by_both_checks():
    d = early_stopping.DERIVATION
    wrong = sp.Matrix([sp.Rational(a) for a in ("0.995", "0.950", "0.768", "0.578", "0.150", "2.7e-4")])
    result = verify_claim(d, dataclasses.replace(d.claim("alpha-table"), rhs=wrong), quick=True)
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED
    assert result.numeric.verdict is NumericVerdict.FAILED


def test_the_gap_maximum_is_where_the_derivative_vanishes():
    s = float(early_stopping.DERIVATION.claim("largest-shrinkage-gap").candidate_at({})[0])
    assert abs(np.exp(-s) - 1 / (1 + s) ** 2) < 1e-14 and abs(s - 2.51) < 0.005


@pytest.mark.parametrize("planted", ["swapped", "equal strength"])
def test_the_low_variance_ordering_fails_when_planted_wrong(planted):
    claim = l2_shrinkage.DERIVATION.claim("low-variance-shrinks-more")
    if planted == "swapped":       # the high-variance weight shrunk more
        wrong = dataclasses.replace(claim, lhs=claim.rhs, rhs=claim.lhs)
    else:                          # no α in the low one: a constant shift of its factor
        wrong = dataclasses.replace(claim, rhs=sp.S.One)
    result = verify_claim(l2_shrinkage.DERIVATION, wrong, quick=True)
    assert result.numeric.verdict is NumericVerdict.FAILED
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED and result.status != "verified"
