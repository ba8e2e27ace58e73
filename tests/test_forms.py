"""Compiled forms: the NumPy function of a stated form computes what the SymPy form says."""
import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.forms import compile_form
from regverify.prover import sigma


def logistic(t):
    return 1 / (1 + np.exp(-t))


def test_an_elementwise_sigmoid_of_a_matrix_product_compiles_to_the_entrywise_sigmoid():
    m, n, k = sp.symbols("m n k", integer=True, positive=True)
    x, w = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("W", n, k)
    h = ElementwiseApplyFunction(sigma, x * w)
    compiled = compile_form(x.T * sp.hadamard_product(h, sp.OneMatrix(m, k) - h), functions={"sigma": logistic})
    rng = np.random.default_rng(0)
    p = {"X": rng.standard_normal((4, 3)), "W": rng.standard_normal((3, 2))}
    a = logistic(p["X"] @ p["W"])
    np.testing.assert_allclose(compiled(p), p["X"].T @ (a * (1 - a)), rtol=1e-14)
    wrong = compile_form(x.T * sp.hadamard_product(h, h), functions={"sigma": logistic})
    assert not np.allclose(wrong(p), p["X"].T @ (a * (1 - a)))


def test_a_form_at_explicit_matrices_is_the_same_expression_built_entry_by_entry():
    from regverify.symbolic import at_explicit, symbol_matrix
    m, n = sp.symbols("m n", integer=True, positive=True)
    x, w = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("W", n, n)
    form = sp.Trace(x.T * sp.hadamard_product(ElementwiseApplyFunction(sigma, x * w), sp.OneMatrix(m, n))
                    * sp.HadamardPower(w + sp.Identity(n), 2).T) / m
    values = {x: symbol_matrix("x", 3, 2), w: symbol_matrix("w", 2, 2), m: 3, n: 2}
    xs, ws = values[x], values[w]
    by_hand = (xs.T * (xs * ws).applyfunc(sigma).multiply_elementwise(sp.ones(3, 2))
               * (ws + sp.eye(2)).applyfunc(lambda a: a ** 2).T).trace() / 3
    assert sp.expand(at_explicit(form, values) - by_hand) == 0
    assert sp.expand(at_explicit(2 * form, values) - by_hand) != 0


def test_a_form_without_a_value_for_one_of_its_matrices_names_it():
    import pytest
    from regverify.symbolic import at_explicit
    n = sp.Symbol("n", integer=True, positive=True)
    with pytest.raises(KeyError, match="W"):
        at_explicit(sp.MatrixSymbol("W", n, n) * sp.MatrixSymbol("V", n, n), {sp.MatrixSymbol("V", n, n): sp.eye(2), n: 2})
