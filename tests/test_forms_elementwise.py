"""A stated form with an elementwise activation (σ.(Wᵀx + b)) compiles to NumPy, and evaluates at
explicit symbol matrices for a proof built at explicit sizes."""
import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.forms import compile_form
from regverify.prover import sigma
from regverify.symbolic import at_explicit, symbol_matrix, symbol_vector

n, k = sp.symbols("n k", integer=True, positive=True)
x, W, b = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("W", n, k), sp.MatrixSymbol("b", k, 1)
CODE = ElementwiseApplyFunction(sigma, W.T * x + b)
SLOPE = sp.hadamard_product(CODE, sp.OneMatrix(k, 1) - CODE)


def test_an_elementwise_sigma_compiles_and_a_planted_factor_shows():
    rng = np.random.default_rng(0)
    p = {"x": rng.normal(size=3), "W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    h = 1 / (1 + np.exp(-(p["W"].T @ p["x"] + p["b"])))
    logistic = {"sigma": lambda t: 1 / (1 + np.exp(-t))}
    value = compile_form(SLOPE, functions=logistic)(p)
    np.testing.assert_allclose(value.ravel(), h * (1 - h), rtol=1e-14)
    assert not np.allclose(compile_form(2 * SLOPE, functions=logistic)(p).ravel(), h * (1 - h))


def test_a_form_at_explicit_matrices_has_the_entries_of_the_definition():
    xe, we, be = symbol_vector("x", 3, real=True), symbol_matrix("W", 3, 2, real=True), symbol_vector("b", 2, real=True)
    explicit = at_explicit(SLOPE, {x: xe, W: we, b: be})
    a = we.T * xe + be
    assert explicit.shape == (2, 1)
    assert all(sp.expand(explicit[l] - sigma(a[l]) * (1 - sigma(a[l]))) == 0 for l in range(2))
    scalar = at_explicit(x.T * x, {x: xe})
    assert scalar.shape == (1, 1) and sp.expand(scalar[0] - sum(e ** 2 for e in xe)) == 0


def test_explicit_matrices_of_clashing_sizes_are_refused():
    import pytest
    with pytest.raises(ValueError, match="n = 3"):
        at_explicit(W.T * x, {x: symbol_vector("x", 3), W: symbol_matrix("W", 2, 2)})
