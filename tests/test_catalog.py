"""The catalog parametrizes the suite: every claim of every derivation comes out as expected."""
import pytest

from regverify.claims import Expect, NumericVerdict

from regverify.prover import SymbolicVerdict

from regverify.registry import all_derivations
from regverify.verifier import verify_claim

from .conftest import every_claim

DESIGN_CARD = {"l2-shrinkage", "l1-soft-threshold", "kl-sparsity", "contractive",
               "tied-weights", "early-stopping"}


def test_the_six_design_card_derivations_are_registered():
    assert DESIGN_CARD <= {d.id for d in all_derivations()}


@pytest.mark.parametrize("derivation, claim", every_claim())
def test_claim_comes_out_as_expected(derivation, claim):
    result = verify_claim(derivation, claim, seed=0, quick=True)
    assert result.ok, (f"Expected {claim.expect.value} but got status={result.status}, "
                       f"symbolic={result.symbolic.as_dict()}, numeric={result.numeric.as_dict()}")
    if claim.expect is Expect.HOLDS:
        assert result.numeric.verdict is NumericVerdict.PASSED
    else:
        assert result.numeric.verdict is NumericVerdict.FAILED
        assert result.symbolic.verdict is not SymbolicVerdict.PROVED
        assert "counterexample" in result.numeric.detail


@pytest.mark.parametrize("derivation, claim", every_claim())
def test_every_erratum_and_pitfall_points_to_a_claim_that_holds(derivation, claim):
    if claim.expect.wrong:
        assert claim.corrected_by is not None
        assert derivation.claim(claim.corrected_by).expect is Expect.HOLDS


@pytest.mark.parametrize("derivation, claim", every_claim())
def test_every_claim_that_holds_has_a_symbolic_proof_obligation(derivation, claim):
    assert claim.expect.wrong or claim.obligation() is not None


def test_each_design_card_derivation_has_a_training_run():
    for d in all_derivations():
        if d.id in DESIGN_CARD:
            assert any(c.training is not None for c in d.claims), d.id


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("derivation, claim", every_claim())
def test_claim_comes_out_as_expected_with_full_training_and_other_seeds(derivation, claim, seed):
    result = verify_claim(derivation, claim, seed=seed, quick=False)
    assert result.ok, f"Expected ok but got status={result.status}, training={result.training.as_dict()}"
