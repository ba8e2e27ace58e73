"""The three-valued symbolic prover.

A claim hands the prover an ``Obligation``: expressions that must reduce to 0 and
expressions that must be positive, under the symbols' assumptions. The prover answers

* ``proved``: every residual reduced to 0 (it says which rewriting did it) and every
  positivity condition was shown;
* ``refuted``: a residual is non-zero at a concrete point (exact rationals, evaluated to 30
  digits) — a counterexample, never a mere failure to simplify;
* ``unproved``: neither, within the time bound, or nothing to prove: an obligation whose
  residuals are 0 as built, or one of a kind that must derive something (a gradient must
  differentiate the objective, a limit must take the limit of the closed form) and did not.

A proof carries its scope, read off the obligation by the engine ("every n" for MatrixSymbol or
indexed-sum proofs over symbolic sizes, otherwise the explicit sizes it was built at; a page
cannot state it), the parametrisation it used, and the assumptions it relied on. A derivative
SymPy returns as 0 although the objective depends on the variable, or one that disagrees with
numeric differentiation of the objective, is an error (``DerivativeError``), never a proof.

Rewritings are tried cheapest first (expand, cancel, together, simplify), each under a
time limit, because ``simplify`` on the wrong form can run for minutes.
"""
from __future__ import annotations

import functools
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable

import numpy as np
import sympy as sp
from .sums import entry, evaluated, sum_out_deltas


class SymbolicVerdict(str, Enum):
    PROVED = "proved"
    REFUTED = "refuted"
    UNPROVED = "unproved"
    SKIPPED = "skipped"
    ERROR = "error"        # building the obligation crashed: never a verdict


class sigma(sp.Function):
    """The logistic sigmoid kept abstract, with σ' = σ(1 − σ): expansions stay polynomial."""

    def fdiff(self, argindex=1):
        s = sigma(self.args[0])
        return s * (1 - s)


class g(sp.Function):
    """Any differentiable elementwise activation; its derivative is the abstract g'."""

    def fdiff(self, argindex=1):
        return g_prime(self.args[0])


class g_prime(sp.Function):
    pass


_t = sp.Symbol("t", real=True)
# What the abstract functions are, for evaluating a residual at a counterexample.
CONCRETE = {sigma: sp.Lambda(_t, 1 / (1 + sp.exp(-_t))),
            g: sp.Lambda(_t, sp.tanh(_t)), g_prime: sp.Lambda(_t, 1 - sp.tanh(_t) ** 2)}


# A generic entry (p, q) of a symbolic-size matrix: what holds there holds at every entry.
ENTRY_ROW, ENTRY_COLUMN = sp.symbols("p q", integer=True, nonnegative=True)


def _generic_entry(matrix) -> tuple:
    """(p, q); (p, 0) in a column and (0, q) in a row, whose one index is no variable."""
    rows, columns = matrix.shape
    return (0 if rows == 1 else ENTRY_ROW), (0 if columns == 1 else ENTRY_COLUMN)


class DerivativeError(ArithmeticError):
    """SymPy's derivative cannot be trusted here: it is 0 although the objective depends on the
    variable, or it disagrees with numeric differentiation of the same objective."""


def derivative(objective, wrt, check: bool = True):
    """∂objective/∂wrt as SymPy derives it, once per (objective, wrt): claims of a page that start from
    one definition share it (an explicit matrix, which is mutable, is derived afresh)."""
    if isinstance(objective, sp.MatrixBase) or isinstance(wrt, sp.MatrixBase):
        return _derivative.__wrapped__(objective, wrt, check)
    return _derivative(objective, wrt, check)


@functools.lru_cache(maxsize=256)
def _derivative(objective, wrt, check: bool = True):
    """∂objective/∂wrt as SymPy derives it: ``.diff`` for a MatrixSymbol (every size), entry by
    entry for an explicit matrix, ``sp.diff`` for a scalar.

    A MatrixSymbol derivative is checked by a second route before it is used (SymPy 1.14 returns 0
    for ∂/∂w of L(g(wᵀh)) and mis-differentiates the trace of a sum): a derivative that is 0
    although the objective depends on wrt, or that disagrees with central differences of the
    objective at a random explicit-size point, raises DerivativeError: an error, never a proof."""
    if isinstance(wrt, sp.MatrixBase):
        scalar = objective[0, 0] if isinstance(objective, sp.MatrixBase) else objective
        derived = wrt.applyfunc(lambda entry: sp.diff(scalar, entry))
    elif isinstance(wrt, sp.MatrixSymbol):
        derived = objective.diff(wrt)
    else:
        derived = sp.diff(objective, wrt)
    if check and _depends_on(objective, wrt) and _all_zero(derived):
        raise DerivativeError(f"SymPy returned 0 for the derivative in {wrt} of an objective that "
                              f"depends on it ({_short(objective, 120)}); write it at explicit "
                              f"sizes or in another form")
    if check and isinstance(wrt, sp.MatrixSymbol):
        second_route(objective, wrt, derived)
    return derived


def _all_zero(expr) -> bool:
    if isinstance(expr, sp.MatrixBase):
        return all(e == 0 for e in expr)
    return expr == 0 or isinstance(expr, sp.ZeroMatrix)


NUMERIC_FUNCTIONS = {"sigma": lambda t: 1 / (1 + np.exp(-t)), "g": np.tanh,
                     "g_prime": lambda t: 1 - np.tanh(t) ** 2}


def _random_point(objects, rng) -> dict:
    """Sizes 2, 3, 4, … for the symbolic dimensions; a random value for every symbol."""
    from .forms import _size_symbols
    sizes = {d: 2 + i for i, d in enumerate(_size_symbols(objects))}
    point = {}
    for obj in objects:
        if isinstance(obj, sp.MatrixSymbol):
            shape = tuple(int(sp.S(d).xreplace(sizes)) for d in obj.shape)
            point[obj.name] = rng.standard_normal(shape)
        elif obj not in sizes:
            if obj.is_integer:
                point[obj.name] = int(rng.integers(2, 5))
            elif obj.is_positive or obj.is_nonnegative:
                point[obj.name] = float(rng.uniform(0.2, 0.8))
            else:
                point[obj.name] = float(rng.uniform(-1, 1))
    return point


def second_route(objective, wrt, derived, seed: int = 0) -> None:
    """Compare SymPy's ∂objective/∂wrt with central differences of the compiled objective at an
    explicit-size random point; raise DerivativeError when they disagree. A form the compiler
    cannot print (an unevaluated Derivative) is left to the other checks."""
    from .forms import FormError, compile_form, free_objects
    rng = np.random.default_rng(seed)
    objects = free_objects(objective) | free_objects(derived) | {wrt}
    point = _random_point(objects, rng)
    try:
        f = compile_form(objective, functions=NUMERIC_FUNCTIONS)
        d = compile_form(derived, functions=NUMERIC_FUNCTIONS)
        claimed = np.asarray(d(point), dtype=float)
    except (FormError, TypeError, NameError, AttributeError, NotImplementedError, KeyError):
        return
    except Exception:   # sympy printing errors come in several kinds: nothing to compare
        return
    base = np.asarray(point[wrt.name], dtype=float)
    measured = np.zeros(base.shape)
    step = 1e-6
    for index in np.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[index] += step
        down[index] -= step
        measured[index] = (float(np.sum(f({**point, wrt.name: up}))) -
                           float(np.sum(f({**point, wrt.name: down})))) / (2 * step)
    claimed = claimed.reshape(measured.shape) if claimed.size == measured.size else claimed
    if claimed.shape != measured.shape or not np.allclose(claimed, measured, rtol=1e-5,
                                                          atol=1e-6 * max(1.0, np.max(np.abs(measured)))):
        raise DerivativeError(f"SymPy's derivative in {wrt} disagrees with central differences of the "
                              f"objective at a random {base.shape[0]}×{base.shape[1]} point "
                              f"(derived {np.ravel(claimed)[:4]}, measured {np.ravel(measured)[:4]}); "
                              f"write the objective at explicit sizes or in another form")


def _at(wrt, candidate):
    """Substitute the candidate for wrt (entry by entry for an explicit matrix)."""
    if isinstance(wrt, sp.MatrixBase):
        return lambda expr: expr.subs(dict(zip(wrt, candidate)), simultaneous=True)
    return lambda expr: expr.xreplace({wrt: candidate})


def _depends_on(expr, wrt) -> bool:
    if isinstance(wrt, sp.MatrixBase):
        return any(expr.has(entry) for entry in wrt)
    return expr.has(wrt)


@dataclass
class Curvature:
    """A second-order condition derived from an objective: ``form`` is uᵀ(∇²f)u (u the symbolic
    ``direction``), which must be positive for every u ≠ 0 (``sense`` +1) or negative (−1).
    ``psd``: the matrices the assumptions make positive semi-definite."""

    form: sp.Basic
    direction: sp.Basic
    sense: int = 1
    psd: tuple = ()
    pd: tuple = ()       # matrices the assumptions make positive definite (or invertible, in AᵀA)


@dataclass
class Obligation:
    """What must be shown: each of ``zero`` is 0, each of ``positive`` > 0, of ``nonnegative`` ≥ 0,
    each ``curvature`` form definite.

    Build it with ``identity``, ``gradient``, ``stationary``, ``extremum`` or ``limit``: each
    derives what it compares from the definition and records how (``derived_by``). The scope
    (for which sizes the proof holds) is never stated: ``prove`` reads it off the obligation,
    "every n" from the symbolic dimensions of its MatrixSymbols and the symbolic bounds of its
    sums, otherwise the sizes of the explicit matrices it was built from (``built_at``, and any
    explicit matrix residual). ``parametrisation`` says how a structured matrix was written (e.g.
    "Q by Cayley transform, and one reflection"); ``assumptions_used`` the assumptions the proof
    relied on; ``assume_positive`` expressions the assumptions make > 0 (e.g. ‖W_l‖² for
    W_l ≠ 0), for the sign conditions. ``unit_interval`` symbols lie in (0, 1); the prover writes
    them as u/(1+u) with u > 0 so that SymPy sees 1 − ρ > 0 too. ``steps`` is the derivation as
    the lecture page would write it, for the report. ``establishes`` says what a proof of an
    extremum shows ("minimum", "maximum", "stationary point").
    """

    zero: list = field(default_factory=list)
    positive: list = field(default_factory=list)
    nonnegative: list = field(default_factory=list)
    curvature: list = field(default_factory=list)
    unit_interval: tuple = ()
    steps: tuple = ()
    constraint: Callable[[dict], bool] | None = None   # joint domain, e.g. ελ < 1
    built_at: tuple = ()          # explicit matrices the obligation was built at (e.g. a Cayley Q), or (name, matrix)
    sources: tuple = ()           # what the builders derived it from (definition, variable, form)
    parametrisation: str = ""
    assumptions_used: tuple = ()
    assume_positive: tuple = ()
    derived_by: str = ""      # "differentiation", "limit", or "" (an identity as written)
    establishes: str = ""
    sized_because: str = ""   # built at explicit sizes: why a proof for every size is out of reach

    @property
    def scope(self) -> str:
        return derive_scope(self)

    @classmethod
    def identity(cls, lhs, rhs, **details) -> "Obligation":
        """lhs − rhs reduces to 0."""
        return cls(zero=[lhs - rhs], **_built_from(details, lhs, rhs))

    @classmethod
    def in_eigenbasis(cls, residual, q, diagonal, eigenvalue, **details) -> "Obligation":
        """A matrix ``residual`` built from H = QΛQᵀ (``q`` orthogonal, ``diagonal`` Λ) is 0 for
        every size: the scalar function of one ``eigenvalue`` that each of its parts applies
        (``regverify.eigenbasis``) reduces to 0. Raises NotInEigenbasis for another shape."""
        from .eigenbasis import scalar_residuals
        return cls(zero=scalar_residuals(residual, q, diagonal, eigenvalue), **_built_from(details, residual))

    @classmethod
    def loewner_in_eigenbasis(cls, difference, q, diagonal, eigenvalue, strict=False, **details) -> "Obligation":
        """A matrix ``difference`` built from H = QΛQᵀ is positive (semi)definite for every size:
        it is Q·diag(f(λᵢ))·Qᵀ, and f(λ) > 0 (≥ 0) under the eigenvalue's assumptions."""
        from .eigenbasis import eigenvalue_function
        f = eigenvalue_function(difference, q, diagonal, eigenvalue)
        signs = {"positive": [f]} if strict else {"nonnegative": [f]}
        return cls(**signs, **_built_from(details, difference))

    @classmethod
    def gradient(cls, objective, wrt, claimed, substitutions=None, **details) -> "Obligation":
        """SymPy differentiates the objective; the claimed gradient must equal what it derives.
        ``substitutions`` apply stated assumptions afterwards (e.g. Hᵀ → H for symmetric H)."""
        details = _built_from(details, objective, wrt, claimed)
        if not _depends_on(objective, wrt):
            return cls(zero=[], **details)      # differentiates nothing: nothing to prove
        derived = derivative(objective, wrt)
        if substitutions:
            derived = derived.subs(substitutions)
        return cls(zero=[derived - claimed], derived_by="differentiation", **details)

    @classmethod
    def gradient_at_entry(cls, objective, wrt, claimed, **details) -> "Obligation":
        """∂objective/∂wrt[p, q] at a generic entry (p, q) of a symbolic-size MatrixSymbol: every
        matrix product is an indexed Σ over its symbolic size, and SymPy differentiates that entry by
        entry (Kronecker deltas), where ``wrt``'s whole-matrix ``.diff`` fails on compositions such
        as L(g(wᵀh)). The claimed gradient's (p, q) entry must equal what it derives, for every size."""
        details = _built_from(details, objective, wrt, claimed)
        scalar = entry(objective, 0, 0) if isinstance(objective, sp.MatrixExpr) else objective
        if not _depends_on(scalar, wrt):
            return cls(zero=[], **details)
        if tuple(claimed.shape) != tuple(wrt.shape):     # an entry of another shape proves nothing
            return cls(zero=[], **{**details, "steps": (*details.get("steps", ()), f"the claimed gradient is "
                       f"{claimed.shape[0]}×{claimed.shape[1]}, {wrt} is {wrt.shape[0]}×{wrt.shape[1]}")})
        row, column = _generic_entry(wrt)
        derived = sum_out_deltas(sp.diff(scalar, wrt[row, column]))
        if derived == 0:
            raise DerivativeError(f"SymPy returned 0 for ∂/∂{wrt}[p, q] of an objective that depends "
                                  f"on it ({_short(scalar, 120)})")
        return cls(zero=[derived - entry(claimed, row, column)], derived_by="differentiation", **details)

    @classmethod
    def identity_at_entry(cls, lhs, rhs, **details) -> "Obligation":
        """lhs[p, q] − rhs[p, q] reduces to 0 at a generic entry of symbolic-size matrices."""
        row, column = _generic_entry(lhs)
        return cls.identity(entry(lhs, row, column), entry(rhs, row, column), **details)

    @classmethod
    def stationary(cls, objective, wrt, candidate, substitutions=None, linear=None, factor=1,
                   strict_minimum=False, value=None, **details) -> "Obligation":
        """The gradient SymPy derives from the objective vanishes at the candidate.

        With ``linear=(A, b)`` (a gradient affine in wrt, the multiply-through form): the derived
        gradient must equal factor·(A·wrt − b), and A·candidate − b must reduce to 0 (a scalar
        factor stays outside A so that A·A⁻¹ cancels). The second-order conditions go in
        ``positive`` / ``nonnegative``; ``strict_minimum=True`` adds them for a vector of symbols:
        every leading minor of the Hessian at the candidate > 0 (Sylvester's criterion).
        ``value``: the stated minimum, which the objective must take at the candidate (a gradient
        alone cannot see a constant term). A tuple of variables (with a tuple of candidates) asks
        for a stationary point in all of them."""
        details = _built_from(details, objective, wrt, candidate)
        if isinstance(wrt, tuple):   # jointly stationary: the gradient in each variable, at all candidates
            if strict_minimum or linear is not None or len(wrt) != len(candidate):
                raise ValueError("a tuple of variables takes one candidate each, and neither "
                                 "strict_minimum nor linear")
            at_all = dict(zip(wrt, candidate))
            zero = []
            for variable, point in zip(wrt, candidate):
                others = objective.xreplace({o: c for o, c in at_all.items() if o != variable})
                zero += cls.stationary(others, variable, point, substitutions).zero
            if value is not None:
                zero.append(objective.xreplace(at_all) - value)
            return cls(zero=zero, derived_by="differentiation", establishes="stationary point", **details)
        if not _depends_on(objective, wrt):
            return cls(zero=[], **details)
        at = _at(wrt, candidate)
        if strict_minimum:   # the second order derived from the objective: d²/dx² or Sylvester
            if isinstance(wrt, sp.Symbol):
                minors = [at(sp.diff(objective, wrt, 2))]
            elif not isinstance(wrt, sp.MatrixBase) or len(wrt) != len(candidate):
                raise ValueError("strict_minimum needs a scalar, or a column of symbols and one "
                                 "candidate value each")
            else:
                hessian = at(sp.hessian(objective, list(wrt)))
                minors = [hessian[:k, :k].det() for k in range(1, hessian.rows + 1)]
            details["positive"] = [*details.get("positive", ()), *minors]
        derived = derivative(objective, wrt)
        if substitutions:
            derived = derived.subs(substitutions)
        if linear is not None:
            a, b = linear
            zero = [derived - factor * (a * wrt - b), a * candidate - b]
        else:
            zero = [at(derived)]
        if value is not None:
            zero.append(at(objective) - value)
        return cls(zero=zero, derived_by="differentiation",
                   establishes="minimum" if strict_minimum else "stationary point", **details)

    @classmethod
    def extremum(cls, objective, over, candidate, *, sense: str = "min", substitutions=None,
                 linear=None, factor=1, psd=(), pd=(), value=None, constraint=None,
                 **details) -> "Obligation":
        """The candidate is a strict local minimum (``sense="min"``) or maximum of the objective,
        everything derived from the objective:

        * stationarity: SymPy's gradient vanishes at the candidate (with ``linear=(A, b)``: the
          derived gradient equals factor·(A·over − b) and A·candidate − b reduces to 0);
        * second order: the Hessian, derived by expanding objective(candidate + t·u) to second
          order in t (uᵀ∇²f u, u a symbolic direction) for a MatrixSymbol, by ``sp.hessian`` for
          a column of symbols, by d²/dx² for a scalar, shown definite from the assumptions (the
          matrices in ``psd`` are positive semi-definite).

        ``constraint`` (an expression c with c(candidate) = 0 the feasible set) makes it a
        constrained extremum: the multiplier μ is derived from ∇f = μ∇c at the candidate, the
        Lagrangian f − μc must be stationary there, c(candidate) must be 0, and its Hessian along
        every direction must have the sign of the sense (a maximum: −∇²(f − μc) positive
        definite), which separates the maximum from the minimum."""
        sign = {"min": 1, "max": -1}[sense]
        details = _built_from(details, objective, over, candidate)
        if isinstance(over, tuple):
            raise ValueError("an extremum in several variables at once: use stationary() and state "
                             "the global part separately")
        if not _depends_on(objective, over):
            return cls(zero=[], **details)
        at = _at(over, candidate)
        zero, positive, curvature = [], list(details.pop("positive", ())), []
        lagrangian, multiplier = objective, {}
        if constraint is not None:
            mu = sp.Dummy("mu")    # differentiated as a constant, then the derived value put in
            multiplier = {mu: _multiplier(objective, constraint, over, candidate, substitutions)}
            lagrangian = objective - mu * constraint
            zero.append(_scalar(at(constraint)))
        derived = derivative(lagrangian, over).xreplace(multiplier)
        if substitutions:
            derived = derived.subs(substitutions)
        if linear is not None:
            a, b = linear
            zero += [derived - factor * (a * over - b), a * candidate - b]
        else:
            zero.append(at(derived))
        if value is not None:
            zero.append(at(objective) - value)
        if isinstance(over, sp.MatrixSymbol):
            form = _second_order_form(lagrangian, over).xreplace(multiplier)
            curvature.append(Curvature(form, sp.MatrixSymbol("u", *over.shape), sign, tuple(psd), tuple(pd)))
        elif isinstance(over, sp.MatrixBase):
            hessian = at(sp.hessian(_scalar(lagrangian), list(over))).xreplace(multiplier)
            if substitutions:
                hessian = hessian.subs(substitutions)
            positive += [(sign ** k) * hessian[:k, :k].det() for k in range(1, hessian.rows + 1)]
        else:
            second = at(sp.diff(lagrangian, over, 2)).xreplace(multiplier)
            positive.append(sign * (second.subs(substitutions) if substitutions else second))
        return cls(zero=zero, positive=positive, curvature=curvature, derived_by="differentiation",
                   establishes={"min": "minimum", "max": "maximum"}[sense], **details)

    @classmethod
    def limit(cls, expr, variable, point, value, direction="+", **details) -> "Obligation":
        """SymPy takes the limit of the closed form itself; it must equal the stated value."""
        details = _built_from(details, expr, value)
        if not expr.has(variable):
            return cls(zero=[], **details)
        return cls(zero=[sp.limit(expr, variable, point, direction) - value],
                   derived_by="limit", **details)


def _built_from(details: dict, *sources) -> dict:
    """``details`` with the builder's inputs added to what the scope is read from."""
    kept = tuple(x for s in sources for x in (s if isinstance(s, tuple) else (s,))
                 if isinstance(x, (sp.Basic, sp.MatrixBase)))
    return {**details, "sources": (*details.get("sources", ()), *kept)}


def _scalar(expr):
    """A 1×1 matrix expression as the scalar it is."""
    if isinstance(expr, sp.MatrixBase) and expr.shape == (1, 1):
        return expr[0, 0]
    if isinstance(expr, sp.MatrixExpr) and expr.shape == (1, 1):
        return sp.Trace(expr).doit()
    return expr


def _multiplier(objective, constraint, over, candidate, substitutions):
    """μ with ∇f = μ∇c at the candidate, derived: μ = (∇c·∇f)/(∇c·∇c) there."""
    at = _at(over, candidate)
    df, dc = derivative(objective, over), derivative(constraint, over)
    if substitutions:
        df, dc = df.subs(substitutions), dc.subs(substitutions)
    df, dc = at(df), at(dc)
    if isinstance(over, sp.MatrixSymbol):
        return sp.Trace(dc.T * df).doit() / sp.Trace(dc.T * dc).doit()
    if isinstance(over, sp.MatrixBase):
        return (dc.T * df)[0, 0] / (dc.T * dc)[0, 0]
    return df / dc


def _second_order_form(objective, over):
    """uᵀ∇²f u, the same at every point: twice the t² coefficient of f(t·u), expanded. Only an f of
    degree at most 2 in ``over`` has a constant Hessian, and a higher power of t (or a non-polynomial
    term) raises: a degree-d part of f gives t^d at any point alike, so f(t·u) shows it as
    f(candidate + t·u) would, from a much smaller expansion. No substitution is applied (Hᵀ → H
    would hide the Gram structure AᵀA the sign test reads)."""
    t = sp.Dummy("t")
    direction = sp.MatrixSymbol("u", *over.shape)
    moved = objective.xreplace({over: t * direction})
    expanded = sp.expand(moved.doit() if hasattr(moved, "doit") else moved)
    expanded = sp.expand(expanded.replace(lambda e: isinstance(e, sp.Trace),
                                          lambda e: sp.Trace(sp.expand(e.arg)).doit()))
    terms = expanded.args if isinstance(expanded, (sp.MatAdd, sp.Add)) else (expanded,)
    quadratic = []
    for term in terms:
        traced = False
        if isinstance(term, sp.Mul) and any(isinstance(a, sp.Trace) for a in term.args):
            trace = [a for a in term.args if isinstance(a, sp.Trace)][0]
            term, traced = sp.Mul(*[a for a in term.args if a is not trace]) * trace.arg, True
        elif isinstance(term, sp.Trace):
            term, traced = term.arg, True
        coefficient, rest = term.as_coeff_mmul() if isinstance(term, sp.MatrixExpr) else (term, sp.S.One)
        rest = sp.Trace(rest) if traced else rest
        if coefficient.has(t) and not coefficient.is_polynomial(t):
            raise DerivativeError(f"the Hessian in {over} is not read off: the objective is not a "
                                  f"polynomial in it; write it at explicit sizes")
        power = sp.degree(coefficient, t) if coefficient.has(t) else 0
        if power > 2 or (rest.has(t) if hasattr(rest, "has") else False):
            raise DerivativeError(f"the Hessian in {over} is not read off: the objective is not a "
                                  f"quadratic polynomial in it; write it at explicit sizes")
        if power == 2:
            quadratic.append(2 * coefficient.coeff(t, 2) * rest)
    form = sp.Add(*quadratic) if quadratic and not isinstance(quadratic[0], sp.MatrixExpr) else \
        (sp.MatAdd(*quadratic).doit() if quadratic else sp.ZeroMatrix(1, 1))
    return form


def _transposed(factor):
    return factor.T if hasattr(factor, "T") else factor


def quadratic_form_definite(form, direction, psd=(), sense: int = 1, positive=(), pd=()) -> str | None:
    """Show sense·form > 0 for every direction u ≠ 0 term by term: each term of sense·form must be
    c·uᵀMu with c ≥ 0 and M assumed PSD or a Gram product AᵀA (so ≥ 0), and at least one must be
    strictly positive for u ≠ 0: c·uᵀu with c > 0, c·uᵀMu with M assumed positive definite, or
    c·uᵀAᵀAu with A assumed invertible. (A matrix variable's form is a trace: tr(uᵀ…u).)
    Returns how it was shown, or None."""
    expanded = sp.expand(sense * form)
    if isinstance(expanded, sp.ZeroMatrix) or expanded == 0:
        return None
    terms = expanded.args if isinstance(expanded, (sp.MatAdd, sp.Add)) else (expanded,)
    strict, kinds = False, set()
    pd = set(pd) | {m.T for m in pd}
    psd = set(psd) | {m.T for m in psd} | pd
    for term in terms:
        if isinstance(term, sp.Mul) and any(isinstance(a, sp.Trace) for a in term.args):
            scalar = sp.Mul(*[a for a in term.args if not isinstance(a, sp.Trace)])
            term = scalar * [a for a in term.args if isinstance(a, sp.Trace)][0].arg
        elif isinstance(term, sp.Trace):
            term = term.arg
        coefficient, product = term.as_coeff_mmul() if isinstance(term, sp.MatrixExpr) else (term, None)
        coefficient = sp.factor(_sign_ready(sp.S(coefficient), positive))
        factors = list(product.args) if isinstance(product, sp.MatMul) else [product]
        if len(factors) < 2 or factors[0] != direction.T or factors[-1] != direction:
            return None
        middle = factors[1:-1]
        if not middle:
            if not coefficient.is_positive:
                return None
            strict = True
            kinds.add("c·uᵀu, c > 0")
        elif len(middle) == 1 and middle[0] in psd:
            if not coefficient.is_nonnegative:
                return None
            if middle[0] in pd and coefficient.is_positive:
                strict = True
                kinds.add("uᵀMu, M PD")
            else:
                kinds.add("uᵀMu, M PSD")
        elif len(middle) % 2 == 0 and all(_transposed(a) == b for a, b in
                                           zip(middle[:len(middle) // 2], reversed(middle[len(middle) // 2:]))):
            if not coefficient.is_nonnegative:
                return None
            if coefficient.is_positive and all(a in pd for a in middle):
                strict = True
                kinds.add("‖Au‖², A invertible")
            else:
                kinds.add("uᵀAᵀAu = ‖Au‖²")
        else:
            return None
    return ("Hessian definite: " + " + ".join(sorted(kinds))) if strict else None


def _sign_ready(expr, positive=()):
    """expr with the expressions the assumptions make positive replaced by positive symbols."""
    for i, p in enumerate(positive):
        expr = expr.xreplace({p: sp.Dummy(f"p{i}", positive=True)})
    return expr


def derive_scope(obligation) -> str:
    """For which sizes the proof holds, read off the obligation itself: the sizes of the explicit
    matrices it was built from (their entries know their matrix: ``symbolic.Entry``; and
    ``built_at``), otherwise "every n, …" for the symbolic dimensions of its MatrixSymbols and the
    symbolic bounds of its sums, otherwise "scalars" (no matrices at all)."""
    from .symbolic import Entry
    expressions = [*obligation.zero, *obligation.positive, *obligation.nonnegative,
                   *(c.form for c in obligation.curvature)]
    dimensions, explicit = set(), set()
    built = [m if isinstance(m, tuple) else ("", m) for m in obligation.built_at]
    for name, source in built:
        if isinstance(source, sp.MatrixBase) and not source.atoms(Entry) and source.shape != (1, 1):
            explicit.add((name, source.shape))     # e.g. a parametrised orthogonal Q
    for expr in [*expressions, *(m for _, m in built), *obligation.sources]:
        if not isinstance(expr, (sp.Basic, sp.MatrixBase)):
            continue
        explicit |= {(e.matrix, e.matrix_shape) for e in expr.atoms(Entry)}
        for node in expr.atoms(sp.MatrixSymbol, sp.Identity, sp.ZeroMatrix):
            dimensions |= {d for d in node.shape if isinstance(d, sp.Symbol)}
        for total in expr.atoms(sp.Sum):
            for _, low, high in total.limits:
                dimensions |= (sp.S(low).free_symbols | sp.S(high).free_symbols)
    if explicit:
        named: dict[str, set] = {}
        for name, shape in explicit:
            named.setdefault(name, set()).add(shape)
        return "sizes " + "; ".join(
            (f"{name} " if name else "") + " and ".join(f"{r}×{c}" for r, c in sorted(shapes))
            for name, shapes in sorted(named.items()))
    if dimensions:
        return "every " + ", ".join(sorted(d.name for d in dimensions))
    return "scalars"


@dataclass
class Proof:
    verdict: SymbolicVerdict
    how: str = ""
    seconds: float = 0.0
    counterexample: dict | None = None
    scope: str = ""
    parametrisation: str = ""
    assumptions_used: tuple = ()
    derived_by: str = ""
    steps: tuple = ()
    residual: str = ""
    establishes: str = ""     # for an extremum: "minimum", "maximum" or "stationary point"
    sized_because: str = ""   # why a proof at explicit sizes is not made for every size

    def as_dict(self) -> dict:
        out = {"verdict": self.verdict.value, "how": self.how, "seconds": round(self.seconds, 3),
               "scope": self.scope, "sized_because": self.sized_because, "establishes": self.establishes,
               "parametrisation": self.parametrisation,
               "assumptions_used": list(self.assumptions_used), "derived_by": self.derived_by,
               "steps": list(self.steps), "residual": self.residual}
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
        return out


def _constants_out_of_sums(expr):
    """expand, with each Σ's summand expanded and its constant factors taken out of the Σ."""
    return sp.expand(sp.expand(expr).replace(
        lambda e: isinstance(e, sp.Sum),
        lambda s: sp.factor_terms(sp.Sum(sp.expand(s.function), *s.limits))))


def _renamed_indices(expr, depth: int = 0, taken: frozenset | None = None):
    """Each Σ's indices renamed by its nesting depth and place (i0_0, i0_1, i1_0, …), so that two
    sums that differ only in the names of their indices are one expression. A nested Σ is one level
    deeper, so a renamed index is never captured; a name a free symbol already has is primed; a
    range that depends on another index of the same Σ is renamed with it."""
    if taken is None:
        taken = frozenset(str(s) for s in sp.S(expr).free_symbols)
    if not isinstance(expr, sp.Basic) or not expr.has(sp.Sum):
        return expr         # nothing to rename: not rebuilt (a matrix entry checks its indices anew)

    def fresh(place):
        name = f"i{depth}_{place}"
        while name in taken:
            name += "'"
        return sp.Symbol(name, integer=True)

    if isinstance(expr, sp.Sum):
        names = {var: fresh(place) for place, (var, *_) in enumerate(expr.limits)}
        return sp.Sum(_renamed_indices(expr.function.xreplace(names), depth + 1, taken),
                      *[(names[var], sp.S(low).xreplace(names), sp.S(high).xreplace(names))
                        for var, low, high in expr.limits])
    return expr.func(*[_renamed_indices(a, depth, taken) for a in expr.args])


def _one_sum(total):
    """Σᵢ a·Σₖ b as one Σᵢ,ₖ a·b, when a does not involve k, neither index is the other's, and
    neither Σ's range names the other's index (a free symbol there would be captured)."""
    inner = [f for f in sp.Mul.make_args(total.function) if isinstance(f, sp.Sum)]
    if len(inner) != 1:
        return total
    outside = total.function / inner[0]
    inner_indices, outer_indices = set(inner[0].variables), set(total.variables)

    def named_by(limits, indices):
        return any(sp.S(bound).free_symbols & indices for _, *bounds in limits for bound in bounds)
    if (outside.free_symbols & inner_indices or inner_indices & outer_indices    # captured or shadowed
            or named_by(inner[0].limits, outer_indices) or named_by(total.limits, inner_indices)):
        return total
    return sp.Sum(outside * inner[0].function, *total.limits, *inner[0].limits)


def summed_by_range(expr):
    """Σ over symbolic ranges: Kronecker deltas summed out and closed forms taken where they exist
    (``sums.evaluated``), nested Σs joined, indices renamed alike, the
    terms c·Σ f over the same ranges gathered into one Σ (c f + …) and its summand expanded: how
    Σⱼ Σ_l (∂h_l/∂xⱼ)² meets the stated Σ_l (h_l(1 − h_l))²‖W_l‖² for every n, k."""
    expr = _renamed_indices(sp.expand(evaluated(expr)).replace(lambda e: isinstance(e, sp.Sum), _one_sum))
    gathered: dict[tuple, list] = {}
    rest = []
    for term in sp.Add.make_args(sp.expand(expr)):
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        if len(sums) != 1:
            rest.append(term)
            continue
        coefficient = term / sums[0]
        if coefficient.free_symbols & {var for var, *_ in sums[0].limits}:
            rest.append(term)
            continue
        gathered.setdefault(sums[0].limits, []).append(coefficient * sums[0].function)
    total = sp.Add(*rest)
    for limits, summands in gathered.items():
        summand = sp.expand(sp.Add(*summands))
        if summand != 0:
            total += sp.Sum(summand, *limits)
    return total


REWRITES: list[tuple[str, Callable]] = [
    ("expand", sp.expand),
    ("expand, constants out of sums", _constants_out_of_sums),
    ("sums over the same ranges gathered", summed_by_range),
    ("cancel", sp.cancel),
    ("together+expand", lambda e: sp.expand(sp.together(e))),
    ("simplify", sp.simplify),
]


class ProofTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Raise ProofTimeout after ``seconds`` (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or seconds is None:
        yield
        return

    def on_alarm(signum, frame):
        raise ProofTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _entries(expr) -> list:
    """Explicit matrices are checked entry by entry; a symbolic-size one as a whole."""
    if isinstance(expr, sp.MatrixBase):
        return list(expr)
    if isinstance(expr, sp.MatrixExpr):
        return list(sp.Matrix(expr)) if all(d.is_Integer for d in expr.shape) else [expr]
    return [sp.S(expr)]   # the key's own expression (a number or SymPy), never user input


def _is_zero(expr) -> bool:
    return expr == 0 or isinstance(expr, sp.ZeroMatrix)


def _unit_substitution(symbols) -> dict:
    return {s: (u := sp.Symbol(f"{s.name}_u", positive=True)) / (1 + u) for s in symbols}


def _reduces_to_zero(expr, budget: float, rewrites=REWRITES) -> str | None:
    for name, rewrite in rewrites:
        try:
            with time_limit(budget):
                if _is_zero(rewrite(expr)):
                    return name
        except (ProofTimeout, TypeError, AttributeError, NotImplementedError, ValueError, StopIteration, RecursionError):
            continue   # a rewrite that does not apply (or that SymPy itself trips over) proves nothing
    return None


def _shown(expr, budget: float, strict: bool) -> str | None:
    for name, rewrite in [("as stated", lambda e: e), ("together+factor",
                                                        lambda e: sp.factor(sp.together(e)))]:
        try:
            with time_limit(budget):
                rewritten = rewrite(expr)
                if rewritten.is_positive if strict else rewritten.is_nonnegative:
                    return name
        except ProofTimeout:
            continue
    return None


def _built_zero(expr) -> bool:
    """0 before any rewriting: SymPy's constructors already cancelled it."""
    return all(_is_zero(e) for e in _entries(expr))


def prove(obligation: Obligation, seed: int = 0, budget: float = 20.0,
          required: str | None = None) -> Proof:
    """Discharge the obligation, or find an exact counterexample, or say neither.

    ``required`` is what the claim's kind must derive ("differentiation", "limit"): an
    obligation that did not is refused. Per residual: the cheap rewrites first (expand, cancel); if that leaves
    something, look for an exact point where it is non-zero before spending the budget on
    heavier rewrites."""
    start = time.perf_counter()
    details = {"scope": obligation.scope, "parametrisation": obligation.parametrisation,
               "assumptions_used": tuple(obligation.assumptions_used),
               "derived_by": obligation.derived_by, "steps": tuple(obligation.steps),
               "establishes": obligation.establishes, "sized_because": obligation.sized_because}
    if required and obligation.derived_by != required:
        return Proof(SymbolicVerdict.UNPROVED, f"nothing to prove: the obligation must come from "
                     f"{required} of the definition, and it does not", 0.0, **details)
    if not (obligation.zero or obligation.positive or obligation.nonnegative or obligation.curvature):
        return Proof(SymbolicVerdict.UNPROVED, "nothing to prove: the obligation is empty", 0.0, **details)
    if (not obligation.derived_by and obligation.zero and all(_built_zero(z) for z in obligation.zero)
            and not (obligation.positive or obligation.nonnegative or obligation.curvature)):
        return Proof(SymbolicVerdict.UNPROVED, "nothing to prove: every residual is 0 as built",
                     0.0, **details)
    unit = _unit_substitution(obligation.unit_interval)
    residuals = [e for z in obligation.zero for e in _entries(z)]
    details["residual"] = _short(obligation.zero[0]) if obligation.zero else ""
    conditions = [(_sign_ready(sp.S(c), obligation.assume_positive), True) for c in obligation.positive] + \
        [(_sign_ready(sp.S(c), obligation.assume_positive), False) for c in obligation.nonnegative]
    per_try = max(1.0, budget / max(1, len(residuals) + len(conditions)))
    hows, unreduced = set(), 0
    for residual in residuals:
        how = _reduces_to_zero(residual.subs(unit) if unit else residual, per_try, REWRITES[:4])
        if how is None:
            found = find_counterexample([residual], obligation.unit_interval, seed,
                                        obligation.constraint)
            if found is not None:
                return Proof(SymbolicVerdict.REFUTED, "non-zero at an exact point",
                             time.perf_counter() - start, found, **details)
            how = _reduces_to_zero(residual.subs(unit) if unit else residual, per_try, REWRITES[4:])
        if how is None:
            unreduced += 1
            if unreduced == 1:     # the report shows what is left, not the obligation as built
                details["residual"] = _left_over(residual, min(per_try, 5.0)) or details["residual"]
        else:
            hows.add(how)
    unshown = []
    for condition, strict in conditions:
        how = _shown(sp.S(condition).subs(unit), per_try, strict)
        if how is None:
            unshown.append(condition)
        else:
            hows.add(f"sign {how}")
    for curvature in obligation.curvature:
        how = quadratic_form_definite(curvature.form.subs(unit) if unit else curvature.form,
                                      curvature.direction, curvature.psd,
                                      curvature.sense, obligation.assume_positive, curvature.pd)
        if how is None:
            unshown.append(f"{'−' if curvature.sense < 0 else ''}uᵀ∇²u = {curvature.form}")
        else:
            hows.add(how)
    elapsed = time.perf_counter() - start
    if not unreduced and not unshown:
        if not details["scope"]:
            return Proof(SymbolicVerdict.UNPROVED, "reduced, but the proof states no scope "
                         "(every n, or which sizes)", elapsed, **details)
        return Proof(SymbolicVerdict.PROVED, ", ".join(sorted(hows)) or "as derived", elapsed, **details)
    what = f"{unreduced} residual(s) not reduced to 0" if unreduced else \
        f"sign of {', '.join(map(str, unshown))} not shown"
    return Proof(SymbolicVerdict.UNPROVED, what, elapsed, **details)


def _left_over(residual, budget: float) -> str | None:
    """The residual expanded (αw − 2αw + … is −αw), or None if expanding takes too long."""
    try:
        with time_limit(budget):
            return _short(sp.expand(residual))
    except (ProofTimeout, TypeError, AttributeError, NotImplementedError):
        return None


def _short(expr, limit: int = 400) -> str:
    text = str(expr)
    return text if len(text) <= limit else text[:limit] + " …"


def _rational_for(symbol, rng, unit_symbols) -> sp.Rational:
    if symbol in unit_symbols:
        return sp.Rational(int(rng.integers(1, 20)), 20)
    if symbol.is_integer:
        return sp.Integer(int(rng.integers(1, 8)) * (1 if symbol.is_positive else int(rng.choice([-1, 1]))))
    magnitude = sp.Rational(int(rng.integers(1, 10)), int(rng.integers(1, 5)))
    if symbol.is_positive or symbol.is_nonnegative:
        return magnitude
    return magnitude * int(rng.choice([-1, 1]))


VISIBLE = 1e-6   # a residual this large is no rounding artefact of any kind: a counterexample to show


def find_counterexample(residuals, unit_symbols=(), seed: int = 0, constraint=None,
                        tries: int = 24) -> dict | None:
    """A point (exact rationals, inside the domain) where some residual is clearly non-zero: the
    first where it is at least VISIBLE, else the largest found. The residual is printed exactly
    when it is rational (−20/3), else to 6 significant digits."""
    rng = np.random.default_rng(seed)
    best = None
    for residual in residuals:
        if isinstance(residual, sp.MatrixExpr):   # symbolic size: nothing concrete to evaluate
            continue
        concrete = residual.replace(lambda e: e.func in CONCRETE,
                                    lambda e: CONCRETE[e.func](*e.args))
        free = sorted(concrete.free_symbols, key=lambda s: s.name)
        for _ in range(tries):
            point = {s: _rational_for(s, rng, unit_symbols) for s in free}
            if constraint is not None and not constraint({s.name: v for s, v in point.items()}):
                continue
            try:
                with time_limit(5):
                    exact = concrete.subs(point).doit()   # sums over symbolic ranges too
                    value = sp.N(exact, 30)
            except (ProofTimeout, ArithmeticError, TypeError, ValueError, AttributeError):
                continue
            if not (value.is_number and value.is_finite and abs(value) > 1e-20):
                continue
            if best is None or abs(value) > best[0]:
                shown = str(exact) if exact.is_Rational else f"≈ {float(value):.6g}"
                best = (abs(value), {"point": {s.name: str(v) for s, v in point.items()},
                                     "residual": shown, "seed": seed})
            if best[0] >= VISIBLE:
                return best[1]
    return best[1] if best else None
