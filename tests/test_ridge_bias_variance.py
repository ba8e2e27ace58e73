"""004:469: ridge's bias and variance for y = Xw₀ + ε, and the engine pieces they use."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from regverify.claims import NumericVerdict
from regverify.derivations import ridge
from regverify.eigenbasis import NotInEigenbasis, conjugated, eigenvalue_function
from regverify.moments import expect_gaussian_vector
from regverify.prover import Obligation, SymbolicVerdict, prove
from regverify.registry import get
from regverify.verifier import verify_claim

m, n = sp.symbols("m n", integer=True, positive=True)
EPS, X = sp.MatrixSymbol("epsilon", m, 1), sp.MatrixSymbol("X", m, n)
SIGMA = sp.Symbol("sigma", positive=True)


def test_gaussian_vector_moments_up_to_the_second():
    assert expect_gaussian_vector(X.T * EPS + X.T * X * sp.OneMatrix(n, 1), EPS, SIGMA) == X.T * X * sp.OneMatrix(n, 1)
    assert expect_gaussian_vector(X.T * EPS * EPS.T * X, EPS, SIGMA) == SIGMA ** 2 * X.T * X
    assert expect_gaussian_vector(EPS.T * EPS, EPS, SIGMA).doit() == m * SIGMA ** 2 * sp.Identity(1)
    with pytest.raises(NotImplementedError):
        expect_gaussian_vector(EPS.T * EPS * EPS.T * EPS, EPS, SIGMA)
    with pytest.raises(ValueError):     # no noise in it: E[c] = c restates, derives nothing
        expect_gaussian_vector(X.T * X, EPS, SIGMA)


def test_a_sum_and_inverse_of_conjugates_is_one_conjugate():
    q, lam_matrix, lam = sp.MatrixSymbol("Q", n, n), sp.MatrixSymbol("Lambda", n, n), sp.Symbol("lambda", positive=True)
    c = sp.Symbol("c", positive=True)
    shifted = (q * lam_matrix * q.T + c * sp.Identity(n)).I
    assert eigenvalue_function(conjugated(shifted, q), q, lam_matrix, lam) == 1 / (c + lam)
    with pytest.raises(NotInEigenbasis):      # a tail after Qᵀ: not Q·f(Λ)·Qᵀ
        eigenvalue_function(conjugated(shifted * sp.MatrixSymbol("R", n, n), q), q, lam_matrix, lam)


def test_the_claims_hold_and_the_printed_no_bias_is_refuted():
    derivation = get("ridge")
    for name in ("estimate-bias", "estimate-covariance", "variance-reduced"):
        result = verify_claim(derivation, derivation.claim(name), seed=0, quick=True)
        assert result.status == "verified" and result.symbolic.verdict is SymbolicVerdict.PROVED, name
        assert result.symbolic.scope.startswith("every"), name
    erratum = verify_claim(derivation, derivation.claim("printed-no-added-bias"), seed=0, quick=True)
    assert erratum.ok and erratum.numeric.verdict is NumericVerdict.FAILED


@pytest.mark.parametrize("planted", ["reversed", "halved covariance"])
def test_a_planted_variance_order_fails_both_sides(planted):
    derivation = get("ridge")
    claim = derivation.claim("variance-reduced")
    changed = (dataclasses.replace(claim, lhs=claim.rhs, rhs=claim.lhs) if planted == "reversed"
               else dataclasses.replace(claim, lhs=claim.lhs / 4))
    result = verify_claim(derivation, changed, seed=0, quick=True)
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED
    assert result.numeric.verdict is NumericVerdict.FAILED


def test_the_monte_carlo_run_finds_the_bias_and_fails_a_planted_one():
    assert ridge.monte_carlo_bias_variance(0, True).verdict is NumericVerdict.PASSED
    for planted in (lambda p: np.zeros(p["X"].shape[1]),                      # 004:469's "no bias"
                    lambda p: 2 * ridge.monte_carlo_bias_variance.__defaults__[0](p)):   # a doubled factor
        assert ridge.monte_carlo_bias_variance(0, True, bias=planted).verdict is NumericVerdict.FAILED


def test_the_mean_is_derived_from_the_estimate_not_restated():
    obligation = get("ridge").claim("estimate-bias").obligation()
    assert obligation.derived_by == "expectation"
    with_two = dataclasses.replace(get("ridge").claim("estimate-bias"), rhs=ridge.w0 - ridge.alpha * ridge.A_SLIDE.I * ridge.w0)
    assert prove(with_two.obligation()).verdict is not SymbolicVerdict.PROVED
    assert prove(Obligation.identity(ridge.times_a(ridge.MEAN), ridge.times_a(ridge.w0))).verdict is not SymbolicVerdict.PROVED
