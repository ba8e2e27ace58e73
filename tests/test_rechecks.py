"""Remembering SymPy's index checks and a Σ's free symbols changes no answer, and ends with the run."""
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
