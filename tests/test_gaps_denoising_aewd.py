"""New claims on denoising (the masking linear DAE's minimizer, copying under uncorrelated
features, the small-noise expansion at every n) and ae-weight-decay (the update with its learning
rate, the 1 − 2ηλ shrink): each verifies as expected, and a planted error in each new form fails
both the numeric check and the proof."""

import pytest
import sympy as sp

from regverify.claims import Expect, NumericVerdict
from regverify.derivations import ae_weight_decay as aewd, denoising as dn
from regverify.prover import SymbolicVerdict

from .planting import verified_with

PAGES = {"denoising": dn, "ae-weight-decay": aewd}
NEW = [("denoising", "masking-dae-minimizer"), ("denoising", "masking-copy-uncorrelated"),
       ("denoising", "masking-rescaled-copy"), ("denoising", "small-noise-expansion"),
       ("ae-weight-decay", "decay-update"), ("ae-weight-decay", "decay-shrink")]


def verified(page, name, **changes):
    return verified_with(PAGES[page].DERIVATION, name, quick=False, **changes)


@pytest.mark.parametrize("page, name", NEW, ids=[n for _, n in NEW])
def test_every_new_claim_comes_out_as_expected(page, name):
    claim = PAGES[page].DERIVATION.claim(name)
    result = verified(page, name)
    if claim.expect is Expect.HOLDS:
        assert result.status == "verified", result.as_dict()
        assert result.symbolic.verdict is SymbolicVerdict.PROVED and result.symbolic.scope.startswith("every")
    else:
        assert result.status == "refuted" and result.numeric.verdict is NumericVerdict.FAILED
        assert result.numeric.detail["counterexample"].get("premise", {"holds": True})["holds"]


C, D, q = dn.GRAM, dn.GRAM_DIAG, dn.q
PLANTED = [
    ("denoising", "masking-dae-minimizer", {"form": C * ((1 - q) * C + D).I}),               # q dropped on diag(C)
    ("denoising", "masking-dae-minimizer", {"form": C * ((1 - q) * C - q * D).I}),           # a flipped sign
    ("denoising", "masking-copy-uncorrelated", {"form": (1 - q) * sp.Identity(dn.n_)}),     # a factor planted
    ("denoising", "small-noise-expansion",                                                # ½ of the Δr term
     {"rhs": dn.sigma ** 2 * (sp.Trace(dn.J_R.T * dn.J_R) + sp.Trace(dn.R_OFF.T * dn.LAPLACIAN) / 2)}),
    pytest.param("ae-weight-decay", "decay-update",                                       # η dropped: "add −2λW"
                 {"rhs": aewd.W_ - aewd.eta * aewd.ERROR_GRADIENT - 2 * aewd.lam * aewd.W_},
                 marks=pytest.mark.slow),     # its residual takes the prover's whole budget (20 s)
    ("ae-weight-decay", "decay-shrink", {"rhs": (1 - aewd.eta * aewd.lam) * aewd.theta}),  # the ½ convention
    ("ae-weight-decay", "decay-shrink",                                                   # a constant shift
     {"rhs": (1 - 2 * aewd.eta * aewd.lam) * aewd.theta + sp.OneMatrix(aewd.p, 1)}),
]


@pytest.mark.parametrize("page, name, change", PLANTED,
                         ids=[f"{(p.values if hasattr(p, 'values') else p)[1]}-{i}" for i, p in enumerate(PLANTED)])
def test_a_planted_error_fails_both_sides(page, name, change):
    result = verified(page, name, **change)
    assert result.numeric.verdict is NumericVerdict.FAILED, result.numeric
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED, result.symbolic


def test_the_masking_minimizer_is_the_identity_only_for_diagonal_gram():
    import numpy as np
    claim = dn.DERIVATION.claim("masking-dae-minimizer")
    rng = np.random.default_rng(0)
    correlated, uncorrelated = dn.sample_masking_data(rng, 0), dn.sample_masking_data(rng, 0, True)
    assert not np.allclose(claim.candidate_at(correlated), np.eye(correlated["n"]))
    assert np.allclose(claim.candidate_at(uncorrelated), np.eye(uncorrelated["n"]))


def test_the_contractive_pitfall_keeps_its_exact_counterexample():
    assert verified("denoising", "contractive-only").symbolic.verdict is SymbolicVerdict.REFUTED
