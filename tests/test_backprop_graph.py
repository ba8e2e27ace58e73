"""The grad table on a computational graph, ∂a/∂W of a layer, and the O(N²) edge count: each
check fails on a planted error (a dropped path, a factor, a wrong count)."""
import dataclasses

import numpy as np

from regverify.claims import NumericVerdict
from regverify.derivations import backprop_graph as page
from regverify.prover import SymbolicVerdict, prove
from regverify.verifier import verify_claim


def planted(claim_name, **changes):
    claim = dataclasses.replace(page.DERIVATION.claim(claim_name), **changes)
    return verify_claim(page.DERIVATION, claim, seed=0)


def test_every_claim_is_verified():
    for claim in page.DERIVATION.claims:
        result = verify_claim(page.DERIVATION, claim, seed=0)
        assert result.status == "verified", (claim.name, result.symbolic, result.numeric)


def dropping_the_first_child(parents, local, output, one=1):
    """A planted grad table that forgets the first child of every node: a missing path."""
    grad, products = {output: one}, 0
    for j in range(output - 1, -1, -1):
        children = [i for i in range(j + 1, output + 1) if j in parents[i]]
        grad[j] = sum((grad[i] * local(i, j) for i in children[1:]), 0 * one)
        products += len(children)
    return grad, products


def test_a_grad_table_with_a_missing_path_fails_both_sides(monkeypatch):
    monkeypatch.setattr(page, "grad_table", dropping_the_first_child)
    result = planted("grad-table")
    assert result.numeric.verdict is NumericVerdict.FAILED
    assert prove(page.grad_table_obligation()).verdict is not SymbolicVerdict.PROVED


def test_a_slice_with_a_planted_factor_fails_both_sides():
    doubled = planted("weight-jacobian-slice", form=2 * page.E * page.X.T)
    assert doubled.numeric.verdict is NumericVerdict.FAILED, doubled.numeric
    assert doubled.symbolic.verdict is not SymbolicVerdict.PROVED


def test_a_wrong_edge_count_fails_both_sides():
    result = planted("worst-case-edges", rhs=page.nodes * (page.nodes + 1) / 2, training=None)
    assert result.numeric.verdict is NumericVerdict.FAILED and result.symbolic.verdict is not SymbolicVerdict.PROVED


def test_the_count_run_fails_when_the_table_counts_an_edge_twice(monkeypatch):
    original = page.grad_table

    def counting_twice(*args, **kwargs):
        grad, products = original(*args, **kwargs)
        return grad, 2 * products
    monkeypatch.setattr(page, "grad_table", counting_twice)
    assert page.count_complete_graphs(0, True).verdict is NumericVerdict.FAILED
    assert page.count_complete_graphs(0, True).detail["random_within_bound"] is False


def test_the_grad_table_is_the_chain_rule_on_a_random_graph():
    rng = np.random.default_rng(5)
    p = page.random_graph(rng, 0)
    np.testing.assert_allclose(page.table_at_inputs(p), page.complex_step_gradient(p), rtol=1e-12)


def test_the_count_run_fails_when_a_product_is_counted_beyond_the_edges(monkeypatch):
    original = page.back_propagated

    def one_extra(*args, **kwargs):         # e.g. a node with one parent used twice counted as two edges
        grad, products = original(*args, **kwargs)
        return grad, products + 1
    monkeypatch.setattr(page, "back_propagated", one_extra)
    evidence = page.count_complete_graphs(0, True)
    assert evidence.verdict is NumericVerdict.FAILED and evidence.detail["random_one_product_per_edge"] is False
