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

A proof states its scope ("every n" for MatrixSymbol or indexed-sum proofs, otherwise the
explicit sizes), the parametrisation it used, and the assumptions it relied on; a proof with no
stated scope is not counted.

Rewritings are tried cheapest first (expand, cancel, together, simplify), each under a
time limit, because ``simplify`` on the wrong form can run for minutes.
"""
from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable

import numpy as np
import sympy as sp


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


def derivative(objective, wrt):
    """∂objective/∂wrt as SymPy derives it: ``.diff`` for a MatrixSymbol (every size), entry by
    entry for an explicit matrix, ``sp.diff`` for a scalar."""
    if isinstance(wrt, sp.MatrixBase):
        scalar = objective[0, 0] if isinstance(objective, sp.MatrixBase) else objective
        return wrt.applyfunc(lambda entry: sp.diff(scalar, entry))
    if isinstance(wrt, sp.MatrixSymbol):
        return objective.diff(wrt)
    return sp.diff(objective, wrt)


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
class Obligation:
    """What must be shown: each of ``zero`` is 0, each of ``positive`` > 0, of ``nonnegative`` ≥ 0.

    Build it with ``identity``, ``gradient``, ``stationary`` or ``limit``: each derives what it
    compares from the definition and records how (``derived_by``). ``scope`` is for which sizes
    the proof holds ("every n", or "sizes 2×3 and 3×4"); ``parametrisation`` how a structured
    matrix was written (e.g. "Q by Cayley transform, and one reflection"); ``assumptions_used``
    the assumptions the proof relied on. ``unit_interval`` symbols lie in (0, 1); the prover
    writes them as u/(1+u) with u > 0 so that SymPy sees 1 − ρ > 0 too. ``steps`` is the
    derivation as the lecture page would write it, for the report.
    """

    zero: list = field(default_factory=list)
    positive: list = field(default_factory=list)
    nonnegative: list = field(default_factory=list)
    unit_interval: tuple = ()
    steps: tuple = ()
    constraint: Callable[[dict], bool] | None = None   # joint domain, e.g. ελ < 1
    scope: str = ""
    parametrisation: str = ""
    assumptions_used: tuple = ()
    derived_by: str = ""      # "differentiation", "limit", or "" (an identity as written)

    @classmethod
    def identity(cls, lhs, rhs, **details) -> "Obligation":
        """lhs − rhs reduces to 0."""
        return cls(zero=[lhs - rhs], **details)

    @classmethod
    def gradient(cls, objective, wrt, claimed, substitutions=None, **details) -> "Obligation":
        """SymPy differentiates the objective; the claimed gradient must equal what it derives.
        ``substitutions`` apply stated assumptions afterwards (e.g. Hᵀ → H for symmetric H)."""
        if not _depends_on(objective, wrt):
            return cls(zero=[], **details)      # differentiates nothing: nothing to prove
        derived = derivative(objective, wrt)
        if substitutions:
            derived = derived.subs(substitutions)
        return cls(zero=[derived - claimed], derived_by="differentiation", **details)

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
            return cls(zero=zero, derived_by="differentiation", **details)
        if not _depends_on(objective, wrt):
            return cls(zero=[], **details)
        at = _at(wrt, candidate)
        if strict_minimum:
            if not isinstance(wrt, sp.MatrixBase) or len(wrt) != len(candidate):
                raise ValueError("strict_minimum needs a column of symbols and one candidate value each")
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
        return cls(zero=zero, derived_by="differentiation", **details)

    @classmethod
    def limit(cls, expr, variable, point, value, direction="+", **details) -> "Obligation":
        """SymPy takes the limit of the closed form itself; it must equal the stated value."""
        if not expr.has(variable):
            return cls(zero=[], **details)
        return cls(zero=[sp.limit(expr, variable, point, direction) - value],
                   derived_by="limit", **details)


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

    def as_dict(self) -> dict:
        out = {"verdict": self.verdict.value, "how": self.how, "seconds": round(self.seconds, 3),
               "scope": self.scope, "parametrisation": self.parametrisation,
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


REWRITES: list[tuple[str, Callable]] = [
    ("expand", sp.expand),
    ("expand, constants out of sums", _constants_out_of_sums),
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
        except (ProofTimeout, TypeError, AttributeError, NotImplementedError):
            continue   # a rewrite that does not apply to this kind of expression proves nothing
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
               "derived_by": obligation.derived_by, "steps": tuple(obligation.steps)}
    if required and obligation.derived_by != required:
        return Proof(SymbolicVerdict.UNPROVED, f"nothing to prove: the obligation must come from "
                     f"{required} of the definition, and it does not", 0.0, **details)
    if not obligation.zero and not obligation.positive and not obligation.nonnegative:
        return Proof(SymbolicVerdict.UNPROVED, "nothing to prove: the obligation is empty", 0.0, **details)
    if not obligation.derived_by and obligation.zero and all(_built_zero(z) for z in obligation.zero):
        return Proof(SymbolicVerdict.UNPROVED, "nothing to prove: every residual is 0 as built",
                     0.0, **details)
    unit = _unit_substitution(obligation.unit_interval)
    residuals = [e for z in obligation.zero for e in _entries(z)]
    details["residual"] = _short(obligation.zero[0]) if obligation.zero else ""
    conditions = [(c, True) for c in obligation.positive] + [(c, False) for c in obligation.nonnegative]
    per_try = max(1.0, budget / max(1, len(residuals) + len(conditions)))
    hows, unreduced = set(), 0
    for residual in residuals:
        how = _reduces_to_zero(residual.subs(unit) if unit else residual, per_try, REWRITES[:3])
        if how is None:
            found = find_counterexample([residual], obligation.unit_interval, seed,
                                        obligation.constraint)
            if found is not None:
                return Proof(SymbolicVerdict.REFUTED, "non-zero at an exact point",
                             time.perf_counter() - start, found, **details)
            how = _reduces_to_zero(residual.subs(unit) if unit else residual, per_try, REWRITES[3:])
        if how is None:
            unreduced += 1
        else:
            hows.add(how)
    unshown = []
    for condition, strict in conditions:
        how = _shown(sp.S(condition).subs(unit), per_try, strict)
        if how is None:
            unshown.append(condition)
        else:
            hows.add(f"sign {how}")
    elapsed = time.perf_counter() - start
    if not unreduced and not unshown:
        if not obligation.scope:
            return Proof(SymbolicVerdict.UNPROVED, "reduced, but the proof states no scope "
                         "(every n, or which sizes)", elapsed, **details)
        return Proof(SymbolicVerdict.PROVED, ", ".join(sorted(hows)) or "as derived", elapsed, **details)
    what = f"{unreduced} residual(s) not reduced to 0" if unreduced else \
        f"sign of {', '.join(map(str, unshown))} not shown"
    return Proof(SymbolicVerdict.UNPROVED, what, elapsed, **details)


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
