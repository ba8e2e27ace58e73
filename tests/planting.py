"""Shared by the tests of new claims: a claim verified with planted changes, and what a new claim
must come out as."""
import dataclasses

from regverify.claims import Expect
from regverify.prover import SymbolicVerdict
from regverify.verifier import verify_claim

EXPECTED = {Expect.HOLDS: "verified", Expect.ERRATUM: "refuted", Expect.PITFALL: "refuted"}


def verified_with(derivation, name, quick=True, **changes):
    """The claim ``name`` of ``derivation`` with ``changes`` planted (dataclasses.replace), verified at seed 0."""
    return verify_claim(derivation, dataclasses.replace(derivation.claim(name), **changes), seed=0, quick=quick)


def assert_as_expected(claim, result):
    """A new claim: its expected status, one formula, a fast proof with a scope when it holds, and
    a counterexample inside its premise when it is wrong."""
    assert result.status == EXPECTED[claim.expect] and result.ok, result.as_dict()
    assert claim.one_formula
    if claim.expect is Expect.HOLDS:
        assert result.symbolic.verdict is SymbolicVerdict.PROVED and result.symbolic.scope
        assert result.symbolic.seconds < 2
    else:
        assert result.numeric.detail["counterexample"].get("premise", {"holds": True})["holds"]
