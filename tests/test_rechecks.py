"""Remembering SymPy's index checks and a Σ's free symbols changes no answer, and ends with the run."""
import numpy as np
import pytest
import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.matrices.expressions.matexpr import MatrixExpr

from regverify import rechecks

n, k = sp.symbols("n k", integer=True, positive=True)
i, j, p = sp.symbols("i j p", integer=True, nonnegative=True)
W = sp.MatrixSymbol("W", n, k)
x = sp.MatrixSymbol("x", n, 1)


def answers():
    """What the two remembered checks answer, on nodes a proof builds (and on ones out of range)."""
    total = sp.Sum(W[i, p] * x[i, 0], (i, 0, n - 1))
    nested = sp.Sum(sp.Sum(W[i, j] ** 2, (i, 0, n - 1)), (j, 0, k - 1))
    bound = sp.Sum(i * p, (i, 0, p))
    explicit = sp.MatrixSymbol("A", 2, 3)
    return {
        "free": [total.free_symbols, nested.free_symbols, bound.free_symbols,
                 sp.Sum(x[i, 0], (i, 0, n - 1)).xreplace({n: k}).free_symbols],
        "valid": [W.valid_index(i, p), explicit.valid_index(1, 2), explicit.valid_index(2, 0),
                  explicit.valid_index(0, -4), explicit.valid_index(i, j)],
        "derivative": sp.diff(total, x[p, 0]).doit(),
    }


def test_the_same_answers_inside_and_outside():
    outside = answers()
    with rechecks.remembered():
        inside, again = answers(), answers()
    assert inside == outside == again
    assert outside["valid"][2] is False and outside["valid"][3] is False     # out of range stays out


def test_sympy_is_itself_again_after_the_run():
    valid_index, free_symbols = MatrixExpr.__dict__["valid_index"], ExprWithLimits.__dict__["free_symbols"]
    try:
        with rechecks.remembered():
            assert MatrixExpr.__dict__["valid_index"] is not valid_index
            raise RuntimeError("a failing run")
    except RuntimeError:
        pass
    assert MatrixExpr.__dict__["valid_index"] is valid_index
    assert ExprWithLimits.__dict__["free_symbols"] is free_symbols


def test_a_caller_may_change_the_set_it_gets():
    total = sp.Sum(W[i, p], (i, 0, n - 1))
    with rechecks.remembered():
        first = total.free_symbols
        first.add(sp.Symbol("planted"))
        assert total.free_symbols == {W, p, n}


def test_a_remembered_answer_that_were_wrong_would_be_caught(monkeypatch):
    """The comparison above can fail: a free-symbol set that drops an index's bound differs."""
    dropping = lambda compute: (lambda node: compute(node) - {n})    # noqa: E731  (a planted fault)
    monkeypatch.setattr(rechecks, "_remembered_free_symbols", dropping)
    outside = answers()
    with rechecks.remembered():
        assert answers() != outside


def test_what_sympy_answers_under_evaluate_false_stays_there():
    """SymPy's answers depend on its evaluate switch too: an index out of range still raises."""
    A, past, zero = sp.MatrixSymbol("A", n, 3), n + 1, sp.Integer(0)
    x_ = sp.Symbol("x_")
    lazy = sp.Sum(sp.Mul(0, x_, i, evaluate=False), (i, 1, n))
    with rechecks.remembered():
        with sp.evaluate(False):
            assert A.valid_index(past, zero)          # unevaluated, n + 1 < n is not False
            unevaluated = lazy.free_symbols
        with pytest.raises(IndexError):
            A[past, zero]
        assert lazy.free_symbols == {n} and unevaluated == {x_, n}


def test_indices_that_are_not_sympy_objects_are_asked_afresh():
    A = sp.MatrixSymbol("A", 2, 3)
    outside = [A.valid_index(1, 0), A.valid_index(1.0, 0), A.valid_index(np.int64(1), 0)]
    with rechecks.remembered():
        A.valid_index(np.int64(1), 0)
        assert [A.valid_index(1, 0), A.valid_index(1.0, 0), A.valid_index(np.int64(1), 0)] == outside


def test_overlapping_runs_share_one_installation():
    valid_index = MatrixExpr.__dict__["valid_index"]
    first, second = rechecks.remembered(), rechecks.remembered()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert MatrixExpr.__dict__["valid_index"] is not valid_index     # the second run is still on
    second.__exit__(None, None, None)
    assert MatrixExpr.__dict__["valid_index"] is valid_index


def test_an_installation_that_fails_halfway_is_undone(monkeypatch):
    valid_index = MatrixExpr.__dict__["valid_index"]

    def broken(compute):
        raise RuntimeError("planted")
    monkeypatch.setattr(rechecks, "_remembered_free_symbols", broken)
    with pytest.raises(RuntimeError):
        with rechecks.remembered():
            pass
    assert MatrixExpr.__dict__["valid_index"] is valid_index and rechecks._runs == 0
