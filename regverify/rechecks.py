"""Two of SymPy's re-checks remembered while a verification runs.

SymPy 1.14 rebuilds an expression node by node whenever it substitutes into it, and two nodes
redo work on every rebuild that depends only on the node itself:

* a matrix entry W[i, j] re-asks whether its indices lie in range (four inequalities, each put
  to the assumptions system), and
* a Σ works out its free symbols by substituting into its whole summand, which rebuilds every
  entry inside it, which re-asks again.

Both answers are a function of the (immutable) node and of SymPy's ``evaluate`` switch, so they
are remembered under both for the length of a run: a tenth of the time of ``verify``, with every
expression and every verdict the same (``tests/test_rechecks.py`` holds both to SymPy's own
answers). Indices that are not SymPy objects (1.0, a NumPy integer) are asked afresh: they hash
alike but SymPy answers them differently. Outside ``remembered()`` SymPy is untouched; nested
or overlapping runs share one installation, removed when the last one ends.
"""
from __future__ import annotations

import functools
import threading
from contextlib import contextmanager

from sympy import Basic
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.core.parameters import global_parameters
from sympy.matrices.expressions.matexpr import MatrixExpr

SIZE = 1 << 15     # nodes remembered per check; a run builds a few thousand

_ORIGINAL_VALID_INDEX = MatrixExpr.__dict__["valid_index"]
_ORIGINAL_FREE_SYMBOLS = ExprWithLimits.__dict__["free_symbols"]
_lock = threading.Lock()
_runs = 0


def _remembered_valid_index(check):
    @functools.lru_cache(maxsize=SIZE)
    def remembered(matrix, i, j, evaluate):
        return check(matrix, i, j)

    def valid_index(matrix, i, j):
        if isinstance(i, Basic) and isinstance(j, Basic):
            return remembered(matrix, i, j, global_parameters.evaluate)
        return check(matrix, i, j)
    return valid_index


def _remembered_free_symbols(compute):
    @functools.lru_cache(maxsize=SIZE)
    def frozen(node, evaluate):
        return frozenset(compute(node))

    def free_symbols(node):
        return set(frozen(node, global_parameters.evaluate))     # a fresh set: callers change theirs
    return free_symbols


def _install() -> None:
    MatrixExpr.valid_index = _remembered_valid_index(_ORIGINAL_VALID_INDEX)
    ExprWithLimits.free_symbols = property(_remembered_free_symbols(_ORIGINAL_FREE_SYMBOLS.fget),
                                           doc=_ORIGINAL_FREE_SYMBOLS.__doc__)


def _restore() -> None:
    MatrixExpr.valid_index = _ORIGINAL_VALID_INDEX
    ExprWithLimits.free_symbols = _ORIGINAL_FREE_SYMBOLS


@contextmanager
def remembered():
    """Inside: a matrix's index check and a Σ's free symbols computed once per node."""
    global _runs
    with _lock:
        _runs += 1
        try:
            if _runs == 1:
                _install()
        except BaseException:
            _runs -= 1
            _restore()
            raise
    try:
        yield
    finally:
        with _lock:
            _runs -= 1
            if _runs == 0:
                _restore()      # the caches go with the functions that held them
