"""output-units, backprop and tanh-linearisation: every claim as expected, every printed erratum
quoted from its line, and every planted error caught (by the numeric twin or the training run)."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from regverify import material
from regverify.claims import Expect, NumericVerdict
from regverify.derivations import backprop, output_units, tanh_linearisation
from regverify.prover import SymbolicVerdict
from regverify.verifier import verify_claim

MINE = [output_units.DERIVATION, backprop.DERIVATION, tanh_linearisation.DERIVATION]
CLAIMS = [pytest.param(d, c, id=f"{d.id}/{c.name}") for d in MINE for c in d.claims]


@pytest.mark.parametrize("derivation, claim", CLAIMS)
def test_every_claim_comes_out_as_expected(derivation, claim):
    result = verify_claim(derivation, claim, quick=True)
    assert result.ok, (result.status, result.numeric.detail, result.symbolic.how)
    assert result.status == ("verified" if claim.expect is Expect.HOLDS else "refuted")
    if claim.expect is Expect.HOLDS:
        assert result.symbolic.scope            # every proof says for which sizes it holds
    else:
        found = result.numeric.detail["counterexample"]
        assert found.get("premise", {"holds": True})["holds"]
        assert result.symbolic.verdict is not SymbolicVerdict.PROVED


ERRATA = [pytest.param(c, id=f"{d.id}/{c.name}") for d in MINE for c in d.claims if c.expect is Expect.ERRATUM]


def test_the_errata_are_the_six_printed_lines():
    assert sorted((c.values[0].source.line) for c in ERRATA) == [100, 177, 370, 385, 413, 436]


@pytest.mark.parametrize("claim", ERRATA)
def test_each_erratum_quote_stands_in_its_line(claim):
    claim.source.check()
    assert claim.source.quote in material.line(claim.source.file, claim.source.line)
    assert claim.source.reading


@pytest.mark.parametrize("claim", ERRATA)
def test_a_misquoted_erratum_is_an_error(claim):
    bad = dataclasses.replace(claim, source=dataclasses.replace(claim.source, line=claim.source.line + 1))
    derivation = next(d for d in MINE if claim in d.claims)
    assert verify_claim(derivation, bad, quick=True).status == "error"


def planted(derivation, name, **changes):
    claim = derivation.claim(name)
    return verify_claim(derivation, dataclasses.replace(claim, **changes), quick=True)


OUT, BP, TANH = (d for d in MINE)


@pytest.mark.parametrize("derivation, name, changes", [
    (OUT, "nll-derivative", {"form": output_units.sig(output_units.z) + output_units.y_label}),
    (OUT, "cross-entropy", {"rhs": output_units.zeta((2 * output_units.y_label - 1) * output_units.z)}),
    (OUT, "softmax-shift", {"rhs": lambda p: np.exp(p["z"] + p["c"]) / np.exp(p["z"]).sum()}),
    (OUT, "lse-upper-bound", {"lhs": output_units.m + sp.log(output_units.K) / 2}),   # log K halved
    (OUT, "nll-minimizer", {"form": output_units.MEAN + sp.Matrix([[sp.Rational(1, 10)]])}),
    (OUT, "nll-minimizer", {"minimum_value": lambda p: 0.5 * np.var(p["y"])}),
    (OUT, "saturation-wrong-sign", {"value": sp.Rational(1, 2)}),
    (BP, "layer-gradients", {"claimed": lambda p: planted_penalty(p)}),
    (BP, "relu-jacobian", {"form": backprop.W_R}),                            # the mask dropped
    (BP, "batched-hidden-weights", {"form": backprop.X_B.T * backprop.G_B * backprop.W2_B.T + 2 * backprop.LAM * backprop.W1_B}),
    (BP, "batched-output-weights", {"form": backprop.H_B.T * backprop.G_B + backprop.LAM * backprop.W2_B}),
    (BP, "tensor-chain-rule", {"claimed": lambda p: backprop.tensor_claimed(p) * 1.001}),
    (BP, "path-sum", {"lhs": lambda p: backprop.path_sum(p)[0] * 1.001}),
    (TANH, "cubic-error", {"rhs": tanh_linearisation.CUBIC_TERM * 3 / 2}),
])
def test_a_planted_error_in_a_closed_form_is_caught(derivation, name, changes):
    result = planted(derivation, name, **changes)
    assert result.status == "refuted" and not result.ok


def planted_penalty(p):                 # λW where the penalty λ‖W‖² gives 2λW
    return backprop.mlp_backprop({**p, "lam": p["lam"] / 2})


@pytest.mark.parametrize("twin", [
    lambda p: backprop.twins.batch_gradients(p, mask=np.ones_like),                        # mask dropped
    lambda p: backprop.twins.batch_gradients(p, penalty=1.0),                              # λW for 2λW
    lambda p: {k: 1.001 * v for k, v in backprop.twins.batch_gradients(p).items()},        # a factor
], ids=["relu-mask-dropped", "lambda-W-penalty", "scaled-by-1.001"])
def test_the_digits_run_rejects_its_planted_twin(twin):
    assert backprop.train_digits(0, True, gradient=twin).verdict is NumericVerdict.FAILED


def test_the_digits_run_passes_with_the_closed_forms_and_records_its_curve():
    run = backprop.train_digits(0, True)
    assert run.verdict is NumericVerdict.PASSED and run.detail["compared_steps"] == 20
    assert len(run.detail["curves"]["loss (closed form)"]) == 21


def overwriting_backprop(p):            # forgets to accumulate over fan-out: g[l] = … instead of +=
    us = backprop.forward_layers(p, p["x"])
    grad, edges = np.ones(len(p["x"])), len(p["x"])
    for k in reversed(range(len(p["A"]))):
        local = grad * (1 - us[k + 1] ** 2)
        grad = np.zeros(len(p["x"]))
        for i in range(len(p["x"])):
            for l in range(len(p["x"])):
                grad[l] = local[i] * p["A"][k][i, l]
                edges += 1
    return grad[0], edges


def test_the_path_table_rejects_a_backprop_that_does_not_accumulate():
    assert backprop.count_paths_and_edges(0, True, backprop=overwriting_backprop).verdict is NumericVerdict.FAILED


def test_the_path_table_measures_exponential_paths_against_quadratic_edges():
    table = backprop.count_paths_and_edges(0, True)
    assert table.verdict is NumericVerdict.PASSED
    deep = max((r for r in table.detail["table"] if r["width"] == 3), key=lambda r: r["depth"])
    assert deep["paths"] == 3 ** deep["depth"] and deep["edges"] == 9 * deep["depth"] + 3
    assert deep["paths"] > 10 * deep["edges"]


def test_the_printed_cost_is_refuted_by_a_worse_model_with_a_lower_printed_j():
    result = verify_claim(OUT, OUT.claim("printed-cost"), quick=True)
    found = result.numeric.detail["counterexample"]
    y = np.array(found["params"]["y"])
    better, mle = np.array(found["better"]), np.array(found["candidate"])
    nll = lambda mu: np.mean(0.5 * (y - mu) ** 2)
    assert output_units.printed_j({"y": y}, better) < output_units.printed_j({"y": y}, mle)
    assert nll(better[0]) > nll(mle[0])     # the lower printed J belongs to the less likely model


def test_the_printed_batch_shape_fails_only_where_outputs_and_hidden_units_differ():
    claim = BP.claim("printed-batch-shape")
    rng = np.random.default_rng(0)
    p = backprop.TWO_LAYER(rng, 0)
    assert p["W2"].shape[0] != p["W2"].shape[1] and not np.array_equal(claim.lhs(p), claim.rhs(p))
    n = p["W2"].shape[0]
    assert not claim.premise.holds({**p, "W2": np.zeros((n, n))})


def test_the_logit_erratum_holds_once_the_normaliser_is_subtracted():
    claim = output_units.DERIVATION.claim("printed-logit-is-log-probability")
    assert claim.rhs == output_units.z
    assert verify_claim(output_units.DERIVATION, claim, quick=True).status == "refuted"
    # with log Σ e^{zⱼ} taken off, the form is log softmax: the same twin then agrees with it
    normalised = dataclasses.replace(claim, expect=Expect.HOLDS, source=None, corrected_by=None,
                                     rhs=lambda p: p["z"] - np.log(np.exp(p["z"]).sum()))
    assert verify_claim(output_units.DERIVATION, normalised, quick=True).numeric.verdict is NumericVerdict.PASSED
    shifted = dataclasses.replace(normalised, rhs=lambda p: p["z"] - np.log(np.exp(p["z"]).sum()) + 1e-3)
    assert verify_claim(output_units.DERIVATION, shifted, quick=True).numeric.verdict is NumericVerdict.FAILED
