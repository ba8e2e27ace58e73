"""A form with an elementwise function (X.applyfunc(σ)) compiles, and a MatrixSymbol form taken at
explicit matrices is the same expression entry by entry."""
import numpy as np
import pytest
import sympy as sp

from regverify.forms import compile_form
from regverify.prover import sigma
from regverify.symbolic import at_explicit, symbol_matrix, symbol_vector

n, k = sp.symbols("n k", integer=True, positive=True)
W, x = sp.MatrixSymbol("W", n, k), sp.MatrixSymbol("x", n, 1)


def logistic(t):
    return 1 / (1 + np.exp(-t))


def test_an_elementwise_sigma_compiles_to_the_numpy_function():
    compiled = compile_form((W.T * x).applyfunc(sigma), functions={"sigma": logistic})
    rng = np.random.default_rng(0)
    p = {"W": rng.normal(size=(3, 2)), "x": rng.normal(size=3)}
    np.testing.assert_allclose(compiled(p).ravel(), logistic(p["W"].T @ p["x"]), rtol=1e-15)
    planted = compile_form(2 * (W.T * x).applyfunc(sigma), functions={"sigma": logistic})
    assert not np.allclose(planted(p).ravel(), logistic(p["W"].T @ p["x"]))


def test_a_form_at_explicit_matrices_is_the_same_expression():
    w, v = symbol_matrix("W", 2, 3), symbol_vector("x", 2)
    form = (W.T * x).applyfunc(sigma) + sp.HadamardPower(W.T * x, 3) + n * sp.OneMatrix(k, 1)
    explicit = at_explicit(form, {W: w, x: v})
    expected = (w.T * v).applyfunc(sigma) + (w.T * v).applyfunc(lambda e: e ** 3) + 2 * sp.ones(3, 1)
    assert explicit.shape == (3, 1) and sp.expand(explicit - expected) == sp.zeros(3, 1)


def test_explicit_matrices_of_clashing_sizes_are_refused():
    with pytest.raises(ValueError, match="Expected x to have n = 2"):
        at_explicit(W.T * x, {W: symbol_matrix("W", 2, 3), x: symbol_vector("x", 3)})


def test_an_entry_of_a_product_and_a_slice_are_evaluated_at_explicit_matrices():
    # SymPy writes an entry of a product of symbolic size as a Sum over a dummy index
    y, f = symbol_vector("y", 2), symbol_vector("f", 2)
    entry = at_explicit(((x - x).T * x)[0, 0] + (x.T * x)[0, 0], {x: y})
    assert sp.expand(entry - (y.T * y)[0, 0]) == 0
    assert sp.expand(entry - (f.T * f)[0, 0]) != 0
    w = symbol_matrix("W", 3, 2)
    assert at_explicit(W[0:2, :], {W: w}) == w[0:2, :]
