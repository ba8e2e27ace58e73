"""The gaps of output-units: each new claim comes out as expected, and a planted error (a dropped
factor, a flipped sign, a constant shift) in each new stated form fails the numeric check and leaves
the proof unproved."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from regverify.claims import NumericVerdict
from regverify.derivations import output_units as page
from regverify.prover import SymbolicVerdict
from regverify.verifier import verify_claim

from .planting import assert_as_expected

NEW = ["logit-is-log-odds", "stable-log-sigmoid", "mse-sigmoid-slope", "mse-saturates-wrong-sign",
       "softmax-fits-frequencies", "correct-example-still-costs", "correct-example-costs-nothing", "softmax-jacobian"]
z, y, SOFT, K = page.z, page.y_label, page.SOFT, page.K


def verified(name, budget=20.0, **changes):
    claim = dataclasses.replace(page.DERIVATION.claim(name), **changes)
    return verify_claim(page.DERIVATION, claim, seed=0, quick=True, budget=budget)


@pytest.mark.parametrize("name", NEW)
def test_each_new_claim_comes_out_as_expected(name):
    claim = page.DERIVATION.claim(name)
    result = verified(name)
    assert_as_expected(claim, result)


def test_the_softmax_claims_are_proved_for_every_k():
    for name in ("softmax-fits-frequencies", "correct-example-still-costs", "softmax-jacobian"):
        assert verified(name).symbolic.scope == "every K", name
    assert verified("softmax-fits-frequencies").symbolic.establishes == "minimum"


JACOBIAN = page.DERIVATION.claim("softmax-jacobian").form
PLANTED = [
    ("logit-is-log-odds", {"rhs": z + 1}),                                                  # a constant shift
    ("logit-is-log-odds", {"rhs": -z}),                                                     # the odds inverted
    ("stable-log-sigmoid", {"rhs": -page.zeta(z)}),                                         # the sign inside ζ
    ("stable-log-sigmoid", {"rhs": page.zeta(-z)}),                                         # the outer minus dropped
    ("mse-sigmoid-slope", {"form": (page.sig(z) - y) * page.sig(z)}),                       # σ' dropped to σ
    ("mse-sigmoid-slope", {"form": (y - page.sig(z)) * page.sig(z) * (1 - page.sig(z))}),   # a flipped sign
    ("mse-saturates-wrong-sign", {"value": sp.Integer(0)}),                                 # the NLL's slope dropped
    ("mse-saturates-wrong-sign", {"value": sp.Integer(1)}),                                 # a flipped sign
    ("softmax-fits-frequencies", {"form": 2 * page.NV.applyfunc(sp.log)}),                  # log n² ≠ log n + c
    ("softmax-fits-frequencies", {"form": -page.NV.applyfunc(sp.log)}),                     # a flipped sign
    ("correct-example-still-costs", {"rhs": sp.Integer(1)}),                                # a bound shifted up
    ("softmax-jacobian", {"form": sp.HadamardProduct(sp.Identity(K), SOFT * sp.OneMatrix(1, K))}),  # −ssᵀ dropped
    ("softmax-jacobian", {"form": sp.HadamardProduct(sp.Identity(K), SOFT * sp.OneMatrix(1, K)) + SOFT * SOFT.T}),
    ("softmax-jacobian", {"form": 2 * JACOBIAN}),
]


@pytest.mark.parametrize("name, change", PLANTED, ids=[f"{p[0]}-{i}" for i, p in enumerate(PLANTED)])
def test_a_planted_error_fails_both_sides(name, change):
    result = verified(name, budget=4.0, training=None, **change)
    assert result.numeric.verdict is NumericVerdict.FAILED, result.numeric.detail
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED, result.symbolic


def test_the_reviewers_counterexample_a_correct_example_with_a_small_margin_costs_0_644():
    loss = -np.log(page.softmax(np.array([0.1, 0.0]))[0])
    assert loss == pytest.approx(np.log1p(np.exp(-0.1))) and round(loss, 3) == 0.644
    assert 0 < loss <= np.log(2)


def test_the_naive_log_sigmoid_underflows_where_the_stable_form_does_not():
    with np.errstate(all="ignore"):
        assert np.log(page.sigmoid(-800.0)) == -np.inf
    assert -np.logaddexp(0, 800.0) == -800.0


def test_the_training_run_fits_the_frequencies():
    run = page.fit_frequencies(0, True)
    assert run.verdict is NumericVerdict.PASSED and run.detail["max_gap_to_frequencies"] < 1e-6
    assert run.detail["loss_last"] < run.detail["loss_first"]


def test_the_minimum_is_the_frequencies_and_other_logits_cost_more():
    rng = np.random.default_rng(1)
    n = np.array([3.0, 1.0, 6.0])
    best = -np.sum(n * np.log(page.softmax(np.log(n))))
    np.testing.assert_allclose(page.softmax(np.log(n) + 4.0), n / n.sum())
    assert all(-np.sum(n * np.log(page.softmax(rng.normal(0, 3, 3)))) > best for _ in range(200))
