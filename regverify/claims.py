"""Claims and derivations: the records that make up the answer key.

A claim is one closed form with one generic numeric checker per kind:

* ``Identity``       lhs = rhs under the assumptions;
* ``Inequality``     lhs ≥ rhs (or > with ``strict``) under the assumptions;
* ``Gradient``       claimed = ∂objective/∂wrt, every entry (a Jacobian for vector objectives);
* ``Minimizer``      the candidate minimizes the objective (no descent direction, and a zero
                     gradient where the objective is smooth);
* ``Approximation``  lhs ≈ rhs inside a stated regime; the error outside it is measured too;
* ``Limit``          f → value as a parameter approaches a point.

The numeric side of every kind evaluates a NumPy twin written independently of the SymPy
obligation it checks. Every claim is one of three kinds of statement: it ``HOLDS``, or it is an
``ERRATUM`` (printed wrongly in the material: it carries the quote, file and line) or a
``PITFALL`` (plausible, not printed); both of the latter name the claim that corrects them and
may state a ``premise`` (what the wrong statement assumes), which every sample satisfies, so that
the counterexample does too.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, ClassVar

import numpy as np
import sympy as sp

from . import material
from .forms import as_array, compile_form, is_form, latex
from .numerics.evidence import Evidence, NumericVerdict, json_ready
from .numerics.gradcheck import ComplexStepError, check_gradient, numeric_jacobian
from .prover import Obligation

Sample = Callable[[np.random.Generator, int], dict]


class Expect(str, Enum):
    HOLDS = "holds"
    ERRATUM = "erratum"   # printed in the material, wrong
    PITFALL = "pitfall"   # not printed, plausible, wrong

    @property
    def wrong(self) -> bool:
        return self is not Expect.HOLDS


@dataclass(frozen=True)
class Printed:
    """Where the material prints a statement: ``quote`` stands verbatim in ``file`` at ``line``.

    ``reading`` says how the OCR text is read where that is a choice; ``also`` lists other lines
    that print the same statement."""

    file: str
    line: int
    quote: str
    reading: str = ""
    also: tuple[int, ...] = ()

    def check(self) -> None:
        """Raise if the quote is not in the cited line of the bundled material."""
        text = material.line(self.file, self.line)
        if self.quote not in text:
            raise ValueError(f"the quote {self.quote!r} is not in {self.file}:{self.line}, "
                             f"which reads {text.strip()[:200]!r}")

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "quote": self.quote,
                "reading": self.reading, "also": list(self.also)}


@dataclass(frozen=True)
class Premise:
    """What a wrong statement takes for granted; its counterexample must satisfy it."""

    text: str
    holds: Callable[[dict], bool]


class PremiseNeverHolds(RuntimeError):
    pass


class NotConformable(ValueError):
    """A printed form that is not even defined (a product of non-conformable shapes): a twin
    raises it with the reason in words, and the claim is refuted by that reason."""


def shape_text(shape) -> str:
    return "×".join(map(str, shape)) if len(shape) > 1 else (f"a vector of {shape[0]}" if shape else "a scalar")


def counterexample(params: dict, **values) -> dict:
    return {"params": {k: json_ready(v) for k, v in params.items()},
            **{k: json_ready(v) for k, v in values.items()}}


@dataclass(kw_only=True)
class Claim:
    name: str
    statement: str
    sample: Sample
    expect: Expect = Expect.HOLDS
    corrected_by: str | None = None
    source: Printed | None = None         # required for an erratum, absent otherwise
    origin: str = ""                       # a pitfall: where the mistake comes from
    premise: Premise | None = None
    uses: tuple[str, ...] = ()             # "claim" in this derivation or "derivation/claim"
    # The obligation, built from the claim's stated form(s): ``symbolic(claim)``. (A builder that
    # takes no argument is the old style, which restates the form; ``one_formula`` is False then.)
    symbolic: Callable[..., Obligation] | None = None
    training: Callable[[int, bool], Evidence] | None = None
    trials: int = 6
    # Sample key -> the SymPy object it stands for (keys named like a symbol bind without this);
    # NumPy functions for the abstract SymPy functions a form uses (σ, g).
    bind: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict)
    _compiled: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    kind: ClassVar[str] = "claim"
    # What SymPy must have derived from the definition for a proof of this kind to count.
    derivation_required: ClassVar[str | None] = None
    # The fields that hold the claim's stated form (SymPy), in the order they are rendered.
    form_fields: ClassVar[tuple[str, ...]] = ()

    def check_numeric(self, rng: np.random.Generator) -> Evidence:
        raise NotImplementedError

    # --- one formula per claim -------------------------------------------------------------
    def forms(self) -> dict:
        """The claim's stated forms that are written in SymPy, by field name."""
        return {name: getattr(self, name) for name in self.form_fields
                if is_form(getattr(self, name, None))}

    @property
    def one_formula(self) -> bool:
        """The stated form is SymPy, and the obligation is built from the claim (so from it)."""
        return bool(self.forms()) and (self.symbolic is None or _takes_claim(self.symbolic))

    @property
    def form_latex(self) -> str:
        """The stated form(s) in LaTeX, for the report ("" when the claim has none in SymPy)."""
        shown = self.forms()
        if not shown:
            return ""
        if len(shown) == 2 and set(shown) == {"lhs", "rhs"}:
            relation = {"≥": "\\geq", ">": ">"}.get(getattr(self, "relation", "="), "=")
            return f"{latex(shown['lhs'])} {relation} {latex(shown['rhs'])}"
        return ",\\quad ".join(latex(f) for f in shown.values())

    def evaluate(self, side, params: dict, like=None):
        """A side of the claim at a sample: a SymPy form compiled once (lambdify), or a twin."""
        if isinstance(side, tuple) and is_form(side):
            return np.concatenate([np.ravel(self.evaluate(s, params)) for s in side])
        if is_form(side):
            key = side.as_immutable() if isinstance(side, sp.MatrixBase) else side   # hashable
            compiled = self._compiled.get(key)
            if compiled is None:
                compiled = self._compiled[key] = compile_form(side, self.bind, self.functions)
            return as_array(compiled(params), like)
        return side(params)

    def obligation(self) -> Obligation | None:
        """The proof obligation: the page's builder, given the claim, or the kind's own."""
        if self.symbolic is None:
            return self.default_obligation()
        return self.symbolic(self) if _takes_claim(self.symbolic) else self.symbolic()

    def default_obligation(self) -> Obligation | None:
        return None

    def draw(self, rng: np.random.Generator, trial: int, sample: Sample | None = None) -> dict:
        """A sample of the claim's domain that satisfies its premise, if it states one."""
        sample = sample or self.sample
        for _ in range(200):
            params = sample(rng, trial)
            if self.premise is None or self.premise.holds(params):
                return params
        raise PremiseNeverHolds(f"{self.name}: no sample in 200 satisfied the premise "
                                f"{self.premise.text!r}; the sampler must draw inside it")

    def counterexample(self, params: dict, shown: dict | None = None, **values) -> dict:
        """The failing point (``shown``: the part of it worth printing), with the premise
        re-checked there."""
        found = counterexample(params if shown is None else shown, **values)
        if self.premise is not None:
            found["premise"] = {"text": self.premise.text, "holds": bool(self.premise.holds(params))}
        return found


def _takes_claim(builder) -> bool:
    """A builder of the new style takes the claim: its first parameter has no default."""
    try:
        parameters = list(inspect.signature(builder).parameters.values())
    except (TypeError, ValueError):
        return False
    return bool(parameters) and parameters[0].default is inspect.Parameter.empty


@dataclass(kw_only=True)
class Identity(Claim):
    """lhs = rhs: each side a SymPy form (compiled for the numeric check) or a NumPy twin of the
    definition it is compared with."""

    lhs: object
    rhs: object
    rtol: float = 1e-10
    floor: float = np.finfo(float).tiny   # errors are relative to max(|lhs|, |rhs|, floor)
    method: str = "evaluate both sides"   # says so where a side is itself approximate (differences)
    kind: ClassVar[str] = "identity"
    form_fields: ClassVar[tuple[str, ...]] = ("lhs", "rhs")

    def default_obligation(self):
        if is_form(self.lhs) and is_form(self.rhs):
            return Obligation.identity(self.lhs, self.rhs)
        return None

    def sides(self, params):
        """Both sides at a sample; a form takes the other side's shape when they match in size."""
        if is_form(self.lhs) and not is_form(self.rhs):
            right = np.asarray(self.evaluate(self.rhs, params))
            return np.asarray(self.evaluate(self.lhs, params, like=right)), right
        left = np.asarray(self.evaluate(self.lhs, params))
        return left, np.asarray(self.evaluate(self.rhs, params, like=left))

    def check_numeric(self, rng):
        worst = 0.0
        for trial in range(self.trials):
            params = self.draw(rng, trial)
            try:
                left, right = self.sides(params)
            except NotConformable as undefined:
                return Evidence(NumericVerdict.FAILED, {
                    "method": self.method, "trial": trial, "reason": str(undefined),
                    "counterexample": self.counterexample(params)})
            if left.shape != right.shape:
                reason = (f"the printed form is {shape_text(left.shape)} where the definition gives "
                          f"{shape_text(right.shape)}")
                if left.ndim == 2 and left.T.shape == right.shape:   # the transposed reading, by value
                    gap = _relative_gap(left.T, right, self.floor)
                    reason += ("; transposed, it equals the definition" if gap <= self.rtol else
                               f"; transposed, it still differs (relative error {gap:.2g})")
                return Evidence(NumericVerdict.FAILED, {
                    "method": self.method, "trial": trial, "reason": reason,
                    "counterexample": self.counterexample(params, lhs=left, rhs=right)})
            error = _relative_gap(left, right, self.floor)
            worst = max(worst, error)
            if not error <= self.rtol:
                return Evidence(NumericVerdict.FAILED, {
                    "method": self.method, "max_rel_error": error,
                    "tolerance": self.rtol, "trial": trial,
                    "counterexample": self.counterexample(params, lhs=left, rhs=right)})
        return Evidence(NumericVerdict.PASSED, {"method": self.method,
                                                "max_rel_error": worst, "tolerance": self.rtol,
                                                "trials": self.trials})


def _relative_gap(left, right, floor) -> float:
    scale = max(np.max(np.abs(right), initial=0.0), np.max(np.abs(left), initial=0.0), floor)
    return float(np.max(np.abs(left - right), initial=0.0) / scale)


@dataclass(kw_only=True)
class Inequality(Claim):
    """lhs ≥ rhs (lhs > rhs with ``strict``), entry by entry, under the assumptions.

    Checked on sampled inputs: lhs − rhs may fall below 0 only by rounding, ``rtol`` relative to
    max(|lhs|, |rhs|, floor) (rounding cannot tell > from ≥: strictness is the symbolic side's).
    The symbolic side derives lhs − rhs ≥ 0 (> 0) from the definition."""

    lhs: object      # each side a SymPy form (compiled) or a NumPy twin, as for Identity
    rhs: object
    strict: bool = False
    rtol: float = 1e-12
    floor: float = np.finfo(float).tiny
    # "entries", or "loewner": lhs − rhs positive (semi)definite, checked by its least eigenvalue
    order: str = "entries"
    kind: ClassVar[str] = "inequality"
    form_fields: ClassVar[tuple[str, ...]] = ("lhs", "rhs")
    sides = Identity.sides

    @property
    def relation(self) -> str:
        if self.order == "loewner":
            return "≻" if self.strict else "⪰"
        return ">" if self.strict else "≥"

    def _least(self, difference) -> float:
        if self.order == "loewner":
            return float(np.min(np.linalg.eigvalsh((difference + difference.T) / 2)))
        return float(np.min(difference, initial=np.inf))

    def check_numeric(self, rng):
        closest = np.inf
        method = f"evaluate both sides: lhs − rhs {self.relation} 0"
        for trial in range(self.trials):
            params = self.draw(rng, trial)
            left, right = (np.asarray(side, dtype=float) for side in self.sides(params))
            scale = max(np.max(np.abs(right), initial=0.0), np.max(np.abs(left), initial=0.0), self.floor)
            margin = self._least(left - right) / scale   # < 0: violated
            closest = min(closest, margin)
            if not np.isfinite(margin) or margin < -self.rtol:
                return Evidence(NumericVerdict.FAILED, {
                    "method": method, "min_rel_gap": margin, "tolerance": self.rtol, "trial": trial,
                    "reason": f"lhs − rhs {self.relation} 0 fails: lhs − rhs = {margin:.3g} relative "
                              f"to the sides' size",
                    "counterexample": self.counterexample(params, lhs=left, rhs=right)})
        return Evidence(NumericVerdict.PASSED, {"method": method, "min_rel_gap": closest,
                                                "tolerance": self.rtol, "trials": self.trials})


@dataclass(kw_only=True)
class Gradient(Claim):
    """``form`` = ∂objective/∂wrt. ``form`` is the claimed gradient in SymPy; ``definition`` the
    objective in SymPy and ``over`` its variable, from which the engine derives the gradient
    (unless the page builds the obligation itself); ``objective`` the NumPy twin of the
    definition, differentiated numerically at the sample key ``wrt``."""

    objective: Callable[[dict], np.ndarray]
    wrt: str
    form: object = None
    claimed: Callable[[dict], np.ndarray] | None = None   # the old style: a NumPy copy of the form
    definition: object = None
    over: object = None
    substitutions: dict | None = None
    method: str = "complex-step"     # "richardson" where the objective is not analytic
    trials: int = 3
    kind: ClassVar[str] = "gradient"
    derivation_required: ClassVar[str] = "differentiation"
    form_fields: ClassVar[tuple[str, ...]] = ("form",)

    def __post_init__(self):
        if (self.form is None) == (self.claimed is None):
            raise ValueError(f"{self.name}: a gradient claim states its form once: form= (SymPy)")

    def default_obligation(self):
        if self.definition is None:
            return None
        return Obligation.gradient(self.definition, self.over, self.form, self.substitutions)

    def claimed_at(self, params):
        if self.form is not None:
            return self.evaluate(self.form, params, like=np.asarray(params[self.wrt]))
        return self.claimed(params)

    def check_numeric(self, rng):
        worst = None
        for trial in range(self.trials):
            params = self.draw(rng, trial)

            def f(x, params=params):
                return self.objective({**params, self.wrt: x})

            try:
                check = check_gradient(f, params[self.wrt], self.claimed_at(params), self.method)
            except (ComplexStepError, ValueError) as error:
                return Evidence(NumericVerdict.ERROR, {"method": self.method, "reason": str(error)})
            if not check.passed:
                return Evidence(NumericVerdict.FAILED, {
                    **check.as_dict(), "trial": trial,
                    "counterexample": self.counterexample(
                        params, shown={k: v for k, v in params.items() if np.size(v) <= 64},
                        entry=list(check.worst_entry),
                        claimed=check.claimed[check.worst_entry],
                        measured=check.measured[check.worst_entry])})
            if worst is None or check.margin < worst.margin:
                worst = check
        return Evidence(NumericVerdict.PASSED, {**worst.as_dict(), "trials": self.trials})


@dataclass(kw_only=True)
class Minimizer(Claim):
    """``form`` (the candidate, SymPy) minimizes the objective.

    Symbolic: from ``definition`` (SymPy) and ``over`` the engine derives the gradient and the
    Hessian (``Obligation.extremum``), unless the page builds the obligation from the claim
    itself. A proof must establish a minimum; one that establishes only a stationary point needs
    ``stationary_points``, the numeric global part, which is reported apart from it.

    Numeric, at the compiled ``form``: (1) no decrease of the twin ``objective(params, w)`` along
    ± every coordinate and random directions at steps from 1e-4 to 1 (relative to the
    candidate's scale), (2) for smooth objectives a gradient that vanishes relative to the
    gradient's size one unit away, and (3) with ``stationary_points(params)`` (the other
    stationary points, computed by the twin), a value no larger than at any of them.
    """

    objective: Callable[[dict, np.ndarray], float]
    form: object = None
    candidate: Callable[[dict], np.ndarray] | None = None   # the old style: a NumPy copy
    definition: object = None
    over: object = None
    substitutions: dict | None = None
    linear: tuple | None = None
    psd: tuple = ()
    assumptions_used: tuple = ()
    steps: tuple = ()
    stationary_points: Callable[[dict], list] | None = None
    shaped_like: str | None = None     # a sample key: one scalar form is the candidate for every entry
    smooth: bool = True
    rtol: float = 1e-9
    # Stated properties of the minimum, checked at the candidate: e.g. the value Ω(ρ) = 0.
    minimum_value: Callable[[dict], float] | None = None
    kind: ClassVar[str] = "minimizer"
    derivation_required: ClassVar[str] = "differentiation"
    form_fields: ClassVar[tuple[str, ...]] = ("form",)

    def __post_init__(self):
        if (self.form is None) == (self.candidate is None):
            raise ValueError(f"{self.name}: a minimizer claim states its candidate once: form= (SymPy)")

    def default_obligation(self):
        if self.definition is None:
            return None
        return Obligation.extremum(self.definition, self.over, self.form, substitutions=self.substitutions,
                                   linear=self.linear, psd=self.psd,
                                   assumptions_used=self.assumptions_used, steps=self.steps)

    def candidate_at(self, params):
        if self.form is not None:
            value = np.asarray(self.evaluate(self.form, params), dtype=float)
            if self.shaped_like is not None:
                value = np.broadcast_to(value, np.shape(params[self.shaped_like])).copy()
            return value
        return np.asarray(self.candidate(params), dtype=float)

    def check_numeric(self, rng):
        worst_gradient, global_margin = 0.0, None
        for trial in range(self.trials):
            params = self.draw(rng, trial)
            w = self.candidate_at(params)
            f0 = float(self.objective(params, w))
            if self.minimum_value is not None:
                stated = float(self.minimum_value(params))
                if not abs(f0 - stated) <= 1e-12 * max(1.0, abs(stated)):
                    return Evidence(NumericVerdict.FAILED, {
                        "method": "value at the candidate", "trial": trial,
                        "reason": f"the objective at the candidate is {f0:.4g}, {abs(f0 - stated):.2g} away from "
                                  f"the stated minimum value {stated:.4g}",
                        "counterexample": self.counterexample(params, candidate=w, value=f0)})
            if self.stationary_points is not None:
                others = [float(self.objective(params, np.asarray(z, dtype=float)))
                          for z in self.stationary_points(params)]
                margin = min(others) - f0 if others else 0.0
                if not others or margin < -self.rtol * max(1.0, abs(f0)):
                    return Evidence(NumericVerdict.FAILED, {
                        "method": "global (numeric): the value at every other stationary point",
                        "trial": trial, "points": len(others),
                        "reason": f"Expected the candidate's value {f0:.17g} to be the least, but "
                                  f"another stationary point has {min(others, default=float('nan')):.17g}",
                        "counterexample": self.counterexample(params, candidate=w, value=f0)})
                global_margin = margin if global_margin is None else min(global_margin, margin)
            scale = max(1.0, float(np.max(np.abs(w), initial=0.0)))
            directions = [d for e in np.eye(w.size) for d in (e, -e)]
            directions += list(rng.standard_normal((2 * w.size, w.size)))
            best = None     # the largest drop found: a counterexample whose gap shows when printed
            for d in directions:
                d = d.reshape(w.shape) / np.linalg.norm(d)
                for step in (1e-4, 1e-2, 1.0):
                    with np.errstate(all="ignore"):  # a step out of the domain gives nan: no descent
                        f1 = float(self.objective(params, w + step * scale * d))
                    if f1 < f0 - self.rtol * max(1.0, abs(f0)) and (best is None or f1 < best[0]):
                        best = (f1, step * scale, w + step * scale * d)
            if best is not None:
                f1, length, better = best
                return Evidence(NumericVerdict.FAILED, {
                    "method": "descent search", "trial": trial,
                    "reason": f"the objective drops by {f0 - f1:.2g} ({(f0 - f1) / max(1.0, abs(f0)):.2g} "
                              f"relative) a step {length:.2g} away from the candidate, from {f0:.4g} to {f1:.4g}",
                    "drop": f0 - f1,
                    "counterexample": self.counterexample(params, candidate=w, better=better,
                                                          value=f0, better_value=f1)})
            if self.smooth:
                relative, gradient = self._stationarity(params, w, scale, rng)
                worst_gradient = max(worst_gradient, relative)
                if not relative <= STATIONARITY_TOLERANCE:
                    return Evidence(NumericVerdict.FAILED, {
                        "method": "stationarity (complex step)", "trial": trial,
                        "max_rel_error": relative, "tolerance": STATIONARITY_TOLERANCE,
                        "counterexample": self.counterexample(params, candidate=w, gradient=gradient)})
        detail = {"method": "descent search" + (" + stationarity (complex step)" if self.smooth else "")
                  + (" + value at the candidate" if self.minimum_value else ""),
                  "trials": self.trials, "tolerance": self.rtol}
        if self.smooth:
            detail["max_rel_error"] = worst_gradient
        if self.stationary_points is not None:   # the global part, numeric, reported on its own
            detail["global"] = {"method": "numeric: the candidate's value against every other "
                                          "stationary point", "min_margin": global_margin,
                                "verdict": NumericVerdict.PASSED.value}
        return Evidence(NumericVerdict.PASSED, detail)


    def _stationarity(self, params, w, scale, rng):
        """‖∇f(w)‖∞ relative to ‖∇f‖∞ a step 1e-2·scale away: about 1e-14 at a true minimum."""
        def f(x):
            return self.objective(params, x)

        gradient = numeric_jacobian(f, w, "complex-step")
        direction = rng.standard_normal(w.shape)
        away = numeric_jacobian(f, w + 1e-2 * scale * direction / np.linalg.norm(direction),
                                "complex-step")
        return float(np.max(np.abs(gradient)) / max(np.max(np.abs(away)), 1e-300)), gradient


STATIONARITY_TOLERANCE = 1e-8


@dataclass(kw_only=True)
class Approximation(Claim):
    """lhs ≈ rhs where ``regime(params)`` ≤ ``inside``; measured inside and outside.

    ``rhs`` is the stated approximation (SymPy, compiled) and ``lhs`` the exact quantity (a twin).
    With ``order`` k and ``toward(params, t)`` (the sample moved toward the regime's limit by the
    factor t, e.g. λ → tλ), the error of the stated form is measured at t = 1, 1/2, …, 1/16 and
    must fall like tᵏ (the slope of log error against log t at least k − ¼): an O(λ²) two-term form
    whose second term is changed is then caught even where its error is small."""

    lhs: object
    rhs: object
    regime: Callable[[dict], float]
    regime_text: str
    inside: float
    rtol: float
    outside_sample: Sample
    # What the error is relative to: |rhs| unless given (a sum that can cancel needs the size of
    # its terms instead, or a near-zero rhs would make any error look large).
    scale: Callable[[dict], np.ndarray] | None = None
    trials: int = 40
    order: int | None = None
    toward: Callable[[dict, float], dict] | None = None
    kind: ClassVar[str] = "approximation"
    form_fields: ClassVar[tuple[str, ...]] = ("rhs",)
    ORDER_STEPS: ClassVar[tuple[float, ...]] = (1.0, 0.5, 0.25, 0.125, 0.0625)

    def _error(self, params, relative=True):
        left = np.asarray(self.evaluate(self.lhs, params))
        right = np.asarray(self.evaluate(self.rhs, params, like=left))
        if not relative:
            return float(np.max(np.abs(left - right))), float(np.max(np.abs(left)))
        size = np.abs(self.scale(params)) if self.scale else np.abs(right)
        return float(np.max(np.abs(left - right) / np.maximum(size, 1e-300)))

    def _errors(self, rng, sample):
        rows = []
        for trial in range(self.trials):
            params = self.draw(rng, trial, sample)
            rows.append((float(self.regime(params)), self._error(params), params))
        return rows

    def _order(self, rows):
        """The worst measured order of the error over the in-regime samples (None: all exact)."""
        worst, at = None, None
        for _, _, params in rows[:8]:
            errors = [self._error(self.toward(params, t), relative=False) for t in self.ORDER_STEPS]
            if min(e for e, _ in errors) <= 1e-13 * max(size for _, size in errors):
                continue    # at rounding level: nothing to measure
            slope = float(np.polyfit(np.log(self.ORDER_STEPS), np.log([e for e, _ in errors]), 1)[0])
            if worst is None or slope < worst:
                worst, at = slope, params
        return worst, at

    def check_numeric(self, rng):
        inside = self._errors(rng, self.sample)
        outside = self._errors(rng, self.outside_sample)
        stray = [r for r in inside if r[0] > self.inside]
        if stray:
            raise ValueError(f"the sampler for {self.name} left its regime: "
                             f"{self.regime_text} = {stray[0][0]:g}")
        worst_in = max(inside, key=lambda r: r[1])
        worst_out = max(outside, key=lambda r: r[1])
        detail = {"method": "evaluate both sides", "regime": self.regime_text,
                  "tolerance": self.rtol, "max_rel_error": worst_in[1],
                  "max_rel_error_outside": worst_out[1],
                  "outside_at": {"regime_value": worst_out[0]}, "trials": 2 * self.trials}
        if self.order is not None:
            slope, at = self._order(inside)
            detail.update({"order": self.order, "measured_order": slope,
                           "order_steps": list(self.ORDER_STEPS)})
            if slope is not None and slope < self.order - 0.25:
                return Evidence(NumericVerdict.FAILED, {
                    **detail, "reason": f"Expected the error of the stated form to fall like "
                                        f"t^{self.order} but got measured_order={slope:.3g}",
                    "counterexample": self.counterexample(at)})
        if worst_in[1] > self.rtol:
            return Evidence(NumericVerdict.FAILED, {**detail, "counterexample": self.counterexample(
                worst_in[2], regime_value=worst_in[0], rel_error=worst_in[1])})
        return Evidence(NumericVerdict.PASSED, detail)


@dataclass(kw_only=True)
class Limit(Claim):
    """f(params, t) → value(params) as t runs through ``approach`` (a sequence tending to the point)."""

    f: Callable[[dict, float], np.ndarray]
    value: object     # the stated limit: a SymPy form (compiled) or, in the old style, a callable
    approach: tuple = tuple(10.0 ** -k for k in range(1, 13))
    rtol: float = 1e-9
    kind: ClassVar[str] = "limit"
    derivation_required: ClassVar[str] = "limit"
    form_fields: ClassVar[tuple[str, ...]] = ("value",)

    def check_numeric(self, rng):
        worst = 0.0
        for trial in range(self.trials):
            params = self.draw(rng, trial)
            target = np.asarray(self.evaluate(self.value, params, like=self.f(params, self.approach[0])))
            gaps = [float(np.max(np.abs(np.asarray(self.f(params, t)) - target)) /
                          max(1.0, float(np.max(np.abs(target))))) for t in self.approach]
            worst = max(worst, gaps[-1])
            if gaps[-1] > self.rtol or gaps[-1] > gaps[0]:
                # shown at the middle of the approach: an ill-conditioned f (a singular H at
                # t = 1e-12) carries rounding error ~ε/t there too, far below the printed digits
                shown = self.approach[len(self.approach) // 2]
                return Evidence(NumericVerdict.FAILED, {
                    "method": "evaluate along the approach", "trial": trial,
                    "max_rel_error": gaps[-1], "tolerance": self.rtol,
                    "counterexample": self.counterexample(params, t=shown, f=self.f(params, shown),
                                                          value=target)})
        return Evidence(NumericVerdict.PASSED, {"method": "evaluate along the approach",
                                                "max_rel_error": worst, "tolerance": self.rtol,
                                                "trials": self.trials})


@dataclass(frozen=True)
class Source:
    file: str
    where: str

    def __str__(self):
        return f"{self.file} ({self.where})" if self.where else self.file


@dataclass
class Derivation:
    id: str
    title: str
    sources: list[Source]
    conventions: str
    assumptions: list[str]
    symbols: dict[str, str]
    claims: list[Claim]
    module: str = ""

    def claim(self, name: str) -> Claim:
        for claim in self.claims:
            if claim.name == name:
                return claim
        raise KeyError(f"{self.id} has no claim {name!r}; it has "
                       f"{', '.join(c.name for c in self.claims)}")
