"""tied-weights (a linear tied AE reaches the untied optimum) and backprop (softmax + NLL: g = ŷ − y,
not the elementwise f'(a) ⊙ L'(ŷ)): each new claim comes out as expected, and a planted error in its
form fails both the numeric check and the proof."""

import numpy as np
import pytest
import sympy as sp

from regverify.claims import NumericVerdict
from regverify.derivations import backprop, tied_weights
from regverify.prover import SymbolicVerdict

from .planting import verified_with

NEW = [(tied_weights, "tied-linear-optimum", "verified"), (backprop, "softmax-nll-g", "verified"),
       (backprop, "elementwise-g-with-softmax", "refuted")]


def verified(page, name, **changes):
    return verified_with(page.DERIVATION, name, **changes)


@pytest.mark.parametrize("page, name, status", NEW, ids=[n for _, n, _ in NEW])
def test_every_new_claim_comes_out_as_expected(page, name, status):
    result = verified(page, name)
    assert result.status == status and result.ok, (result.symbolic, result.numeric, result.training)


@pytest.mark.parametrize("page, name, form", [
    (tied_weights, "tied-linear-optimum", 2 * tied_weights.svd.V),                      # a factor
    (tied_weights, "tied-linear-optimum", tied_weights.svd.V + sp.OneMatrix(*tied_weights.svd.V.shape) / 10),  # shift
    (backprop, "softmax-nll-g", backprop.Y_S - backprop.Y_HAT),                           # sign flipped
    (backprop, "softmax-nll-g", backprop.Y_HAT),                                          # − y dropped
], ids=["tied-factor", "tied-shift", "softmax-sign", "softmax-dropped-y"])
def test_a_planted_error_fails_both_sides(page, name, form):
    result = verified(page, name, form=form)
    assert result.numeric.verdict is NumericVerdict.FAILED, result.numeric
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED, result.symbolic


def test_the_elementwise_g_differs_off_the_target():
    p = backprop.softmax_sample(np.random.default_rng(0), 0)
    claim = backprop.DERIVATION.claim("elementwise-g-with-softmax")
    g = claim.claimed_at(p)
    assert np.allclose(g[p["y"] == 0], 0)          # zero off the target, where ŷᵢ − yᵢ = ŷᵢ > 0


def test_the_tied_linear_run_rejects_a_one_sided_gradient():
    one_sided = lambda gram: lambda p: {"W": -2 * gram @ (np.eye(64) - p["W"] @ p["W"].T) @ p["W"]}   # noqa: E731
    assert tied_weights.train_tied_linear(0, True, gradient=one_sided).verdict is NumericVerdict.FAILED
    assert tied_weights.train_tied_linear(0, True).verdict is NumericVerdict.PASSED
