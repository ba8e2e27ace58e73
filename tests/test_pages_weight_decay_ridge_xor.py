"""ae-weight-decay, ridge, parameter-tying, xor and max-activation: every claim comes out as
expected, every planted error in a training run or oracle is rejected, every erratum's quote
stands in its line of the material."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from regverify import material
from regverify.claims import Expect, NumericVerdict, Printed
from regverify.derivations import ae_weight_decay, max_activation, parameter_tying, ridge, xor
from regverify.prover import Obligation, SymbolicVerdict, prove
from regverify.verifier import verify_claim

PAGES = (ae_weight_decay, ridge, parameter_tying, xor, max_activation)
CLAIMS = [(page.DERIVATION, c) for page in PAGES for c in page.DERIVATION.claims]


@pytest.mark.parametrize("derivation, claim", CLAIMS, ids=[f"{d.id}/{c.name}" for d, c in CLAIMS])
def test_every_claim_comes_out_as_expected(derivation, claim):
    result = verify_claim(derivation, claim, quick=True)
    assert result.status == ("verified" if claim.expect is Expect.HOLDS else "refuted"), result.as_dict()
    assert result.ok
    if claim.expect is Expect.HOLDS:
        assert result.symbolic.verdict is SymbolicVerdict.PROVED and result.symbolic.scope


def test_each_page_has_the_errata_and_pitfalls_of_the_catalog():
    kinds = {page.DERIVATION.id: sorted(c.expect.value for c in page.DERIVATION.claims if c.expect.wrong)
             for page in PAGES}
    assert kinds == {"ae-weight-decay": ["erratum", "erratum"], "ridge": ["erratum", "erratum"],
                     "parameter-tying": ["pitfall"], "xor": ["erratum"],
                     "max-activation": ["erratum", "pitfall"]}


ERRATA = [c for _, c in CLAIMS if c.expect is Expect.ERRATUM]


@pytest.mark.parametrize("claim", ERRATA, ids=lambda c: c.name)
def test_each_erratum_quote_stands_in_its_line_and_not_in_the_next(claim):
    source = claim.source
    assert source.quote in material.line(source.file, source.line)
    with pytest.raises(ValueError, match="quote"):
        Printed(source.file, source.line + 1, source.quote).check()


def test_the_units_erratum_cites_every_printing_of_the_list():
    lines = [material.line("003_c3291310eed8186c.txt", k) for k in (269, 283, 285, 301, 303)]
    assert all("W_n" in text or "1 to n" in text for text in lines)
    assert "(W₁, W₂...W_k)" in material.line("003_c3291310eed8186c.txt", 306)


def test_the_weight_decay_reading_cites_the_transcripts_own_correction():
    assert "should have been 2 lambda w" in material.line("000_d1f253078589f78b.txt", 155)
    assert "000:155" in ae_weight_decay.READING


# --- planted errors in training runs and oracles --------------------------------------------
def test_the_weight_decay_run_rejects_the_printed_lambda_w_gradient():
    assert ae_weight_decay.train_weight_decay(0, True).verdict.value == "passed"
    planted = ae_weight_decay.train_weight_decay(0, True, factor=1.0)
    assert planted.verdict.value == "failed" and planted.detail["max_param_rel_gap"] > 1e-6


def test_the_sklearn_oracle_rejects_the_printed_alpha():
    planted = ridge.sklearn_oracle(0, True, ridge_alpha=lambda a: a)
    assert planted.verdict.value == "failed"


def test_the_printed_ridge_form_is_visibly_off_on_the_digits():
    curves = ridge.sklearn_oracle(0, True).detail["curves"]
    assert min(curves["printed_vs_sklearn"]) > 1e-6 > max(curves["corrected_vs_sklearn"])


def test_the_xor_run_rejects_a_gradient_scaled_by_1_001():
    planted = xor.train_xor(0, True, w_scale=1.001)
    assert planted.verdict.value == "failed" and planted.detail["max_param_rel_gap"] > 1e-10


def test_the_xor_run_reaches_the_four_targets():
    run = xor.train_xor(0, True)
    assert run.verdict.value == "passed"
    assert np.allclose(run.detail["outputs"], [0, 1, 1, 0], atol=0.05)


@pytest.mark.parametrize("planted", [lambda w: -max_activation.twins.unit_norm_columns(w),
                                     lambda w: 1.001 * max_activation.twins.unit_norm_columns(w),
                                     lambda w: np.roll(max_activation.twins.unit_norm_columns(w), 1, axis=1)],
                         ids=["sign", "scale", "wrong-unit"])
def test_the_max_activation_run_rejects_a_wrong_maximizer(planted):
    assert max_activation.train_max_activation(0, True, maximizer=planted).verdict.value == "failed"


# --- planted errors in the twins and obligations ---------------------------------------------
def test_the_boolean_count_twin_rejects_two_to_the_two_n():
    counts = [xor.count_by_nand_closure(n) for n in (1, 2, 3)]
    assert counts == [4, 16, 256] and counts[2] != 2 ** (2 * 3)


def test_one_hidden_unit_fits_xor_at_best_to_a_sixth_and_two_units_fit_it_exactly():
    for g in xor.SINGLE_UNIT_ACTIVATIONS:
        assert xor.best_single_unit_fit({"g": g, "seed": 0}) == pytest.approx(1 / 6, abs=1e-9)
    two_units = np.maximum(0, xor.POINTS @ xor.W_PRINTED + xor.C_PRINTED)   # the printed hidden layer
    direct = np.linalg.lstsq(np.c_[two_units, np.ones(4)], xor.TARGETS, rcond=None)[0]
    assert np.allclose(np.c_[two_units, np.ones(4)] @ direct, xor.TARGETS)


def two_unit_fit(p) -> float:
    """J of the best output layer on the printed two ReLU units: 0."""
    design = np.c_[np.maximum(0, xor.POINTS @ xor.W_PRINTED + xor.C_PRINTED), np.ones(4)]
    residual = xor.TARGETS - design @ np.linalg.lstsq(design, xor.TARGETS, rcond=None)[0]
    return float(residual @ residual / 4)


def test_the_single_node_erratum_is_not_refuted_when_the_search_is_given_two_units():
    """Planted: the search is over two hidden units; it reaches J = 0, so the printed statement
    would hold and the erratum must not come out refuted."""
    claim = xor.DERIVATION.claim("printed-single-hidden-node")
    result = verify_claim(xor.DERIVATION, dataclasses.replace(claim, lhs=two_unit_fit), seed=0)
    assert result.numeric.verdict is NumericVerdict.PASSED and not result.ok


def test_a_linear_hidden_layer_with_a_planted_value_or_a_relu_search_fails():
    claim = xor.DERIVATION.claim("linear-hidden-layer")
    sixth = verify_claim(xor.DERIVATION, dataclasses.replace(claim, rhs=sp.Rational(1, 6)), seed=0)
    assert sixth.numeric.verdict is NumericVerdict.FAILED and sixth.symbolic.verdict is not SymbolicVerdict.PROVED
    relu_search = verify_claim(xor.DERIVATION, dataclasses.replace(claim, lhs=two_unit_fit), seed=0)
    assert relu_search.numeric.verdict is NumericVerdict.FAILED    # a nonlinear f⁽¹⁾ does better than ¼


def test_the_degrees_of_freedom_fail_with_a_planted_exponent():
    claim = xor.DERIVATION.claim("degrees-of-freedom")
    planted = verify_claim(xor.DERIVATION, dataclasses.replace(claim, rhs=2 * xor.n), seed=0)
    assert planted.numeric.verdict is NumericVerdict.FAILED and planted.symbolic.verdict is not SymbolicVerdict.PROVED


def test_the_linear_xor_fit_rejects_a_planted_bias():
    planted = xor.fit_obligation(xor.X_EXACT, sp.Matrix([0, 0, sp.Rational(1, 4)]), sp.Rational(1, 4), "")
    assert prove(planted).verdict is SymbolicVerdict.REFUTED


def test_the_lagrange_proof_rejects_the_unnormalized_maximizer():
    m = max_activation
    planted = Obligation.stationary(m.LAGRANGIAN, m.x, m.w).zero[0].subs(m.mu, m.NORM / 2)
    proof = prove(Obligation(zero=[planted], derived_by="differentiation"))
    assert proof.verdict is not SymbolicVerdict.PROVED


@pytest.mark.parametrize("sense, sign", [("max", 1), ("min", -1)])
def test_the_lagrange_proof_rejects_a_wrong_constraint(sense, sign):
    m = max_activation
    point = sign * m.w / m.NORM
    on_sphere = Obligation.extremum(m.w.T * m.x, m.x, point, sense=sense, constraint=m.x.T * m.x - sp.Identity(1),
                                    assume_positive=(sp.Trace(m.w.T * m.w),))
    planted = Obligation.extremum(m.w.T * m.x, m.x, point, sense=sense, constraint=m.x.T * m.x + sp.Identity(1),
                                  assume_positive=(sp.Trace(m.w.T * m.w),))     # xᵀx = −1: the point is not on it
    assert prove(on_sphere).verdict is SymbolicVerdict.PROVED
    assert prove(planted).verdict is not SymbolicVerdict.PROVED


def test_the_activation_peak_rejects_a_peak_value_without_the_bias():
    m = max_activation
    claim = m.DERIVATION.claim("activation-maximizer")
    planted = dataclasses.replace(claim, rhs=lambda p: m.claimed_peak({**p, "b_l": 0.0}, m.ACTIVATIONS))
    assert planted.check_numeric(np.random.default_rng(0)).verdict is NumericVerdict.FAILED


def test_the_printed_units_list_is_refuted_only_where_k_differs_from_n():
    rng = np.random.default_rng(0)
    square = {"W": rng.standard_normal((4, 4)), "n": 4, "k": 4, "seed": 0}
    assert np.allclose(max_activation.printed_list(square), max_activation.unit_peaks(square))
    under = {"W": rng.standard_normal((5, 3)), "n": 5, "k": 3, "seed": 0}
    assert max_activation.printed_list(under).shape != max_activation.unit_peaks(under).shape


@pytest.mark.slow
@pytest.mark.parametrize("run", [lambda: ae_weight_decay.train_weight_decay(0, False),
                                 lambda: ridge.sklearn_oracle(0, False),
                                 lambda: xor.train_xor(0, False),
                                 lambda: max_activation.train_max_activation(0, False)],
                         ids=["ae-weight-decay", "ridge", "xor", "max-activation"])
def test_the_full_runs_pass(run):
    assert run().verdict.value == "passed"


@pytest.mark.parametrize("derivation, claim, name", [("xor", "relu-network", "boundary"),
                                                     ("max-activation", "every-hidden-unit", "maximizing-inputs"),
                                                     ("ridge", "minimizer", "printed-vs-corrected")])
def test_each_figure_draws_from_its_verification_result(derivation, claim, name):
    from regverify.figures import figures_for
    page = {p.DERIVATION.id: p.DERIVATION for p in PAGES}[derivation]
    result = verify_claim(page, page.claim(claim), quick=True).as_dict()
    spec = next(f for f in figures_for(derivation) if f.name == name)
    fig = spec.draw({claim: result})
    assert fig.axes and spec.alt
