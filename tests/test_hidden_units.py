"""Softplus against the rectifier, its slope, and collapsing linear layers: verified as stated,
and each check fails on a planted error (a constant shift, a wrong factor, a missing term)."""

import pytest
import sympy as sp

from regverify.claims import NumericVerdict
from regverify.derivations import hidden_units as page
from regverify.prover import SymbolicVerdict

from .planting import verified_with


def verified(claim_name, **changes):
    return verified_with(page.DERIVATION, claim_name, quick=False, **changes)


@pytest.mark.parametrize("claim", page.DERIVATION.claims, ids=lambda c: c.name)
def test_every_claim_is_verified(claim):
    assert verified(claim.name).status == "verified"


@pytest.mark.parametrize("claim_name, change", [
    ("softplus-above-rectifier", {"lhs": page.SOFTPLUS - sp.log(2) / 2}),          # shifted below at z = 0
    ("softplus-within-log-2", {"lhs": sp.Max(0, page.z) + sp.log(2) / 2}),          # a bound too tight
    ("softplus-slope-is-sigmoid", {"form": page.SIGMOID * (1 - page.SIGMOID)}),      # σ' for σ
    ("linear-layers-collapse", {"rhs": (page.W1 * page.W2).T * page.X + page.C2}),   # W₂ᵀc₁ dropped
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_planted_error_fails_both_sides(claim_name, change):
    result = verified(claim_name, **change)
    assert result.numeric.verdict is NumericVerdict.FAILED, result.numeric
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED, result.symbolic


@pytest.mark.parametrize("name, planted", [
    ("sigmoid-slope-at-most-quarter", {"lhs": sp.Rational(1, 5)}),
    ("tanh-slope-at-most-one", {"lhs": sp.Rational(9, 10)}),
    ("sigmoid-slope-decays", {"lhs": sp.exp(-2 * sp.Abs(page.z))}),
    ("narrow-layer-saves-parameters", {"rhs": (page.k + 1) * (page.n + page.m) / (page.n * page.m)}),
])
def test_a_planted_bound_fails_both_sides(name, planted):
    result = verified(name, **planted)
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED
    assert result.numeric.verdict is NumericVerdict.FAILED


def test_the_slope_bounds_are_attained_at_zero():
    for name in ("sigmoid-slope-at-most-quarter", "tanh-slope-at-most-one"):
        obligation = page.DERIVATION.claim(name).obligation()
        assert obligation.zero and obligation.derived_by == "differentiation"
