"""backprop: the closed-form gradients are proved for every size, a planted error in one is not,
and the claims still proved at explicit sizes say why."""
import dataclasses

import pytest
import sympy as sp

from regverify.derivations import backprop as page
from regverify.prover import SymbolicVerdict, prove

EVERY_SIZE = {"layer-gradients": "every n_in, n_out", "output-weight-gradient": "every n_in", "relu-jacobian": "every p, r",
              "relu-gradient-transposed": "every p, r", "hidden-gradient": "every n_in, n_out",
              "batched-hidden-weights": "every K, m, n, t"}


@pytest.mark.parametrize("name, scope", EVERY_SIZE.items())
def test_proved_for_every_size(name, scope):
    proof = prove(page.DERIVATION.claim(name).obligation())
    assert proof.verdict is SymbolicVerdict.PROVED and proof.scope == scope and proof.seconds < 3


@pytest.mark.parametrize("name", ["vector-chain-rule", "tensor-chain-rule", "path-sum"])
def test_a_sized_proof_says_why(name):
    obligation = page.DERIVATION.claim(name).obligation()
    assert obligation.scope.startswith("sizes") and len(obligation.sized_because.split()) >= 6


E = page.ElementwiseApplyFunction


@pytest.mark.parametrize("name, field, planted", [
    ("output-weight-gradient", "form", -page.H_O * page.g_prime(page.A_O) * page.DL_AT_PREDICTION),
    ("relu-gradient-transposed", "rhs", page.W_R.T),                                        # the mask dropped
    ("hidden-gradient", "form", page.W_A.T * page.G_A * 2),
    ("batched-hidden-weights", "form", page.X_B.T * sp.hadamard_product(page.G_B * page.W2_B.T, E(page.g_prime, page.X_B * page.W1_B))
     + page.LAM * page.W1_B),                                                                # λW₁ for 2λW₁
])
def test_a_planted_error_is_not_proved(name, field, planted):
    claim = dataclasses.replace(page.DERIVATION.claim(name), **{field: planted})
    assert prove(claim.obligation()).verdict is not SymbolicVerdict.PROVED


def test_a_layer_gradient_without_the_slope_is_not_proved():
    j = page.G_A.T * E(page.g, page.A_A)
    assert prove(page.at_entry(j, page.H_A, page.W_A.T * page.G_A)).verdict is not SymbolicVerdict.PROVED
    slope = sp.hadamard_product(page.G_A, E(page.g_prime, page.A_A))
    assert prove(page.at_entry(j, page.H_A, page.W_A.T * slope)).verdict is SymbolicVerdict.PROVED
