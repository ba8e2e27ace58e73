"""Two of SymPy's re-checks remembered while a verification runs.

SymPy 1.14 rebuilds an expression node by node whenever it substitutes into it, and two nodes
redo work on every rebuild that depends only on the node itself:

* a matrix entry W[i, j] re-asks whether its indices lie in range (four inequalities, each put
  to the assumptions system), and
* a Σ works out its free symbols by substituting into its whole summand, which rebuilds every
  entry inside it, which re-asks again.

Both answers are a function of the (immutable) node alone, so they are remembered for the
length of a run: a quarter of the symbolic time of ``verify``, with every expression and every
verdict the same (``tests/test_rechecks.py`` holds both to SymPy's own answers). Outside
``remembered()`` SymPy is untouched.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager

from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.matrices.expressions.matexpr import MatrixExpr

SIZE = 1 << 16     # nodes remembered; far above what one run builds


def _remembered_free_symbols(compute):
    @functools.lru_cache(maxsize=SIZE)
    def frozen(node):
        return frozenset(compute(node))

    def free_symbols(node):
        return set(frozen(node))     # a fresh set: callers add to and remove from what they get
    return free_symbols


@contextmanager
def remembered():
    """Inside: a matrix's index check and a Σ's free symbols computed once per node."""
    valid_index = MatrixExpr.__dict__["valid_index"]
    free_symbols = ExprWithLimits.__dict__["free_symbols"]
    MatrixExpr.valid_index = functools.lru_cache(maxsize=SIZE)(valid_index)
    ExprWithLimits.free_symbols = property(_remembered_free_symbols(free_symbols.fget),
                                           doc=free_symbols.__doc__)
    try:
        yield
    finally:
        MatrixExpr.valid_index = valid_index
        ExprWithLimits.free_symbols = free_symbols
