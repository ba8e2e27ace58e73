"""A checker that cannot fail is a defect: plant an error in a true claim of each kind and
require it to come back refuted (or unproved), never verified, with a message naming it."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from regverify.claims import Expect, NumericVerdict

from regverify.prover import SymbolicVerdict

from regverify.registry import get
from regverify.derivations import early_stopping, kl_sparsity, l1_soft_threshold, l2_shrinkage, tied_weights
from regverify.prover import Obligation
from regverify.verifier import verify_claim
from regverify.cli import explain


def planted(derivation_id, claim_name, **changes):
    derivation = get(derivation_id)
    claim = dataclasses.replace(derivation.claim(claim_name), training=None, **changes)
    return verify_claim(derivation, claim, seed=0)


def assert_caught(result):
    assert result.status in ("refuted", "unverified") and not result.ok
    assert result.numeric.verdict is NumericVerdict.FAILED
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED


# --- gradient claims ------------------------------------------------------------------------
def test_gradient_with_a_dropped_factor_is_refuted_as_a_missing_factor():
    w, w_star, h = l2_shrinkage.w, l2_shrinkage.w_star, l2_shrinkage.H
    result = planted("l2-shrinkage", "quadratic-gradient", form=2 * h * (w - w_star))
    assert_caught(result)
    assert result.numeric.detail["diagnosis"] == "missing-factor"


def test_gradient_with_a_flipped_sign_is_refuted_as_a_sign():
    result = planted("kl-sparsity", "kl-derivative",
                     form=-kl_sparsity.kl_slope(kl_sparsity.rho, kl_sparsity.rho_hat))
    assert_caught(result)
    assert result.numeric.detail["diagnosis"] == "sign"


def test_gradient_missing_a_path_is_refuted():
    result = planted("tied-weights", "two-path-gradient", form=tied_weights.DECODER_PATH)
    assert_caught(result)


def test_gradient_with_a_wrong_per_unit_term_is_diagnosed_as_one_column():
    def one_column_off(p):
        g = stated.claimed_at(p).copy()
        g[:, 0] *= 1.1
        return g

    stated = get("contractive").claim("penalty-gradient")
    result = planted("contractive", "penalty-gradient", form=None, claimed=one_column_off, symbolic=None)
    assert result.numeric.verdict is NumericVerdict.FAILED
    assert result.numeric.detail["diagnosis"] == "one-column"


def test_gradient_missing_the_mean_over_examples_is_diagnosed_as_a_factor_m():
    d = get("kl-sparsity")
    result = verify_claim(d, d.claim("chained-m-times"))
    assert result.numeric.detail["diagnosis"] == "missing-factor"
    m = len(result.numeric.detail["counterexample"]["params"]["X"])
    assert f"claimed = {m} x" in result.numeric.detail["diagnosis_detail"]


def test_gradient_checked_without_a_needed_assumption_is_refuted():
    """∇½(w−w*)ᵀH(w−w*) = H(w−w*) needs H symmetric: drop it and the check must fail."""
    result = planted("l2-shrinkage", "quadratic-gradient",
                     sample=lambda rng, t: {"H": rng.standard_normal((3, 3)), "w": rng.standard_normal(3),
                                            "w_star": rng.standard_normal(3)},
                     symbolic=lambda: Obligation.gradient(
                         l2_shrinkage.L_HAT, l2_shrinkage.w, l2_shrinkage.H * (l2_shrinkage.w - l2_shrinkage.w_star)))
    assert_caught(result)
    assert result.symbolic.verdict is SymbolicVerdict.UNPROVED   # symbolic failure alone never refutes


# --- identity, minimizer, approximation, limit ---------------------------------------------
def test_identity_with_q_and_qt_swapped_is_refuted():
    def swapped(p):
        lm, q = np.linalg.eigh(p["H"])
        return q.T @ np.diag(lm / (lm + p["alpha"])) @ q @ p["w_star"]

    assert_caught(planted("l2-shrinkage", "eigen-form", lhs=swapped, symbolic=None))


def test_minimizer_with_a_dropped_hessian_is_refuted():
    result = planted("l2-shrinkage", "shrinkage-minimizer",
                     form=(l2_shrinkage.H + l2_shrinkage.alpha * l2_shrinkage.I).I * l2_shrinkage.w_star)
    assert_caught(result)


WS, A_, H_ = l1_soft_threshold.w_star_sym, l1_soft_threshold.alpha, l1_soft_threshold.h


@pytest.mark.parametrize("wrong_threshold", [
    sp.sign(WS) * sp.Max(sp.Abs(WS) - A_, 0),         # α, not α/h
    sp.Max(sp.Abs(WS) - A_ / H_, 0),                  # sign() missing
    WS - sp.sign(WS) * A_ / H_,                       # max() missing
], ids=["alpha-not-alpha-over-h", "sign-missing", "max-missing"])
def test_soft_threshold_with_a_planted_mistake_is_refuted(wrong_threshold):
    result = planted("l1-soft-threshold", "soft-threshold", form=wrong_threshold)
    assert result.numeric.verdict is NumericVerdict.FAILED and not result.ok
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED


def test_approximation_with_a_wrong_leading_term_is_refuted():
    e = early_stopping
    result = planted("early-stopping", "alpha-approximation",
                     rhs=2 / (e.tau * e.eps) - e.lam * (e.tau + 1) / (2 * e.tau))
    assert result.numeric.verdict is NumericVerdict.FAILED and not result.ok


def test_limit_with_a_wrong_value_is_refuted():
    result = planted("l2-shrinkage", "alpha-to-zero", value=lambda p: np.zeros_like(p["w_star"]),
                     symbolic=None)
    assert result.numeric.verdict is NumericVerdict.FAILED and not result.ok


# --- errata taken at face value --------------------------------------------------------------
@pytest.mark.parametrize("derivation_id, claim_name", [
    ("l1-soft-threshold", "printed-threshold"),
    ("l1-soft-threshold", "printed-summed-stationarity"),
    ("l2-shrinkage", "printed-quadratic-form"),
    ("kl-sparsity", "chained-m-times"),
    ("tied-weights", "decoder-path-only"),
    ("tied-weights", "encoder-path-only"),
    ("early-stopping", "alpha-exact-everywhere"),
    ("contractive", "slide-sum-over-i"),
])
def test_an_erratum_claimed_to_hold_is_not_verified(derivation_id, claim_name):
    result = planted(derivation_id, claim_name, expect=Expect.HOLDS)
    assert result.status == "refuted" and not result.ok


def test_the_failure_message_names_the_derivation_and_the_claim(capsys):
    from regverify.cli import main

    d = get("l2-shrinkage")
    wrong = dataclasses.replace(d.claim("update-rule"), name="planted-update",
                                rhs=(1 + l2_shrinkage.eps * l2_shrinkage.alpha) * l2_shrinkage.w
                                - l2_shrinkage.eps * l2_shrinkage.g_vec)
    d.claims.append(wrong)
    try:
        code = main(["verify", "l2-shrinkage", "--quick"])
    finally:
        d.claims.remove(wrong)
    err = capsys.readouterr().err
    assert code == 1
    assert "l2-shrinkage/planted-update: refuted" in err
    assert "numeric failed" in explain(verify_claim(d, wrong))


# --- inequality claims ----------------------------------------------------------------------
def test_an_inequality_that_holds_passes_and_a_violated_one_fails_with_its_point():
    from regverify.claims import Inequality

    def sample(rng, trial):
        return {"x": rng.uniform(-3, 3, 5)}

    holds = Inequality(name="square-above-line", statement="x² ≥ 2x − 1", sample=sample,
                       lhs=lambda p: p["x"] ** 2, rhs=lambda p: 2 * p["x"] - 1)
    assert holds.kind == "inequality" and holds.relation == "≥"
    passed = holds.check_numeric(np.random.default_rng(0))
    assert passed.verdict is NumericVerdict.PASSED and passed.detail["min_rel_gap"] >= 0
    for wrong in (lambda p: 2 * p["x"],            # a constant dropped: x² ≥ 2x fails on (0, 2)
                  lambda p: 2 * p["x"] - 1 + 1e-3):  # a constant shift: fails near x = 1
        violated = dataclasses.replace(holds, rhs=wrong, trials=40)
        found = violated.check_numeric(np.random.default_rng(0))
        assert found.verdict is NumericVerdict.FAILED and "lhs − rhs ≥ 0 fails" in found.detail["reason"]
        assert {"lhs", "rhs", "params"} <= set(found.detail["counterexample"])


def test_pinsker_with_a_flipped_side_is_refuted():
    result = planted("kl-sparsity", "pinsker", lhs=lambda p: 2 * (p["rho"] - p["rho_hat"]) ** 2,
                     rhs=lambda p: kl_sparsity.kl_terms(p["rho"], p["rho_hat"]), symbolic=None)
    assert result.status == "refuted" and result.numeric.verdict is NumericVerdict.FAILED


def test_a_non_conformable_printed_product_is_refuted_in_words():
    from regverify.claims import NotConformable
    with pytest.raises(NotConformable, match=r"factor 1 \(3×1\) times factor 2 \(2×2\)"):
        l2_shrinkage.literal_product(np.ones((3, 1)), np.ones((2, 2)))
