"""The audit's planted edits, each through `regverify verify ID` with its training run kept:
each makes the command exit 1 (not as expected). The edit is planted in the registered page for
the length of one test and undone after it."""
import dataclasses

import numpy as np
import pytest

from regverify.cli import main
from regverify.derivations import early_stopping, l2_shrinkage, max_activation
from regverify.registry import get


@pytest.fixture
def plant():
    undo = []

    def planting(derivation_id, claim_name, **changes):
        page = get(derivation_id)
        index = next(i for i, c in enumerate(page.claims) if c.name == claim_name)
        undo.append((page, index, page.claims[index]))
        page.claims[index] = dataclasses.replace(page.claims[index], **changes)
    yield planting
    for page, index, original in reversed(undo):
        page.claims[index] = original


def verify_exit(derivation_id):
    return main(["verify", derivation_id, "--quick", "--jobs", "1"])


def bottom_triplets(rng, trial):
    from regverify.derivations import linear_ae_svd
    p = linear_ae_svd.sample_triplets(rng, trial)
    u, s, vt = np.linalg.svd(p["X"], full_matrices=False)
    keep, rest = slice(len(s) - p["k"], len(s)), slice(0, len(s) - p["k"])
    return {**p, "U_k": u[:, keep], "Sigma_k": np.diag(s[keep]), "V_k": vt[keep].T,
            "U_r": u[:, rest], "Sigma_r": np.diag(s[rest]), "V_r": vt[rest].T}


def test_the_unplanted_pages_exit_0():
    for derivation_id in ("max-activation", "l2-shrinkage", "early-stopping"):
        assert verify_exit(derivation_id) == 0, derivation_id


def test_the_minimizer_planted_as_the_unit_norm_maximizer_exits_1(plant):
    plant("max-activation", "unit-norm-maximizer", rhs=-max_activation.w / max_activation.NORM)
    assert verify_exit("max-activation") == 1


def test_a_negative_penalty_with_its_stationary_point_exits_1(plant):
    m = l2_shrinkage
    plant("l2-shrinkage", "shrinkage-minimizer", definition=m.L_HAT - m.alpha / 2 * m.w.T * m.w,
          form=(m.H - m.alpha * m.I).I * m.H * m.w_star, linear=(m.H - m.alpha * m.I, m.H * m.w_star))
    assert verify_exit("l2-shrinkage") == 1


def test_eckart_young_at_the_bottom_triplets_exits_1(plant):
    plant("linear-ae-svd", "eckart-young", sample=bottom_triplets)
    assert verify_exit("linear-ae-svd") == 1


def test_early_stopping_with_tau_minus_one_exits_1(plant):
    e = early_stopping
    plant("early-stopping", "alpha-approximation", rhs=1 / (e.tau * e.eps) - e.lam * (e.tau - 1) / (2 * e.tau))
    assert verify_exit("early-stopping") == 1


def test_a_claim_cannot_be_relabelled_every_n():
    """The scope is no field of a claim: a page has nowhere to write "every n"."""
    claim = get("tied-weights").claim("decoder-path-only")     # refuted at explicit sizes
    with pytest.raises(TypeError):
        dataclasses.replace(claim, scope="every n")
    assert claim.obligation().scope.startswith("sizes")
