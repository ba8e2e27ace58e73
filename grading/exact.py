"""Exact comparison in rational arithmetic, where the key and the answer allow it.

When both use only numbers, scalar symbols, + − * / and whole powers, they are rational
functions, and can be compared exactly (``fractions.Fraction``) at rational points of the
domain: a difference there is a difference, whatever the float tolerance says. Numbers stay
bounded: points have small denominators, exponents are at most MAX_POWER and any value whose
numerator or denominator would exceed MAX_BITS bits stops the exact comparison (the float
verdict then stands). When the float comparison finds a difference, the exact one decides for
rational answers (``agrees``): float cancellation (an expanded polynomial with large
coefficients) loses precision, not equality.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .bank import Question
from .expr import Node

MAX_BITS = 4_096
MAX_POWER = 256
DENOMINATOR = 64
MAX_POINTS = 8


class NotExact(Exception):
    """This tree (or this point) cannot be evaluated exactly within the bounds."""


def _bits(x: Fraction) -> int:
    return max(x.numerator.bit_length(), x.denominator.bit_length())


def _checked(x: Fraction) -> Fraction:
    if _bits(x) > MAX_BITS:
        raise NotExact(f"more than {MAX_BITS} bits")
    return x


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator != 1 or abs(exponent) > MAX_POWER:
        raise NotExact("not a small whole power")
    k = int(exponent)
    if _bits(base) * abs(k) > MAX_BITS:
        raise NotExact("the power is too large")
    if base == 0 and k < 0:
        raise ZeroDivisionError
    return base ** k


BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "matmul": lambda a, b: a * b, "div": lambda a, b: a / b, "pow": _power, "mpow": _power}


def value(tree: Node, env: dict) -> Fraction:
    """The tree at env (name → Fraction). Raises NotExact or ZeroDivisionError."""
    op = tree.op
    if op == "num":
        return Fraction(repr(float(tree.value)))
    if op == "sym":
        if tree.value not in env:
            raise NotExact(f"{tree.value} is not a rational scalar")
        return env[tree.value]
    if op in BINARY:
        return _checked(BINARY[op](value(tree.args[0], env), value(tree.args[1], env)))
    if op == "neg":
        return -value(tree.args[0], env)
    if op == "T":
        return value(tree.args[0], env)
    if op == "inv":
        return _checked(1 / value(tree.args[0], env))
    raise NotExact(f"{op} is not rational")


def is_rational(tree: Node, question: Question) -> bool:
    """Only + − * / and powers of numbers and scalar symbols (derived ones rational too)."""
    derived = dict(question.derived)
    scalar = {n for n, s in question.symbols.items() if s.shape == "scalar"}
    for node in _walk(tree):
        if node.op == "sym":
            name = node.value
            if name in derived:
                if not is_rational(derived[name], question):
                    return False
            elif name not in scalar:
                return False
        elif node.op not in ("num", "neg", "T", "inv") and node.op not in BINARY:
            return False
    return True


def _walk(tree: Node):
    yield tree
    for a in tree.args:
        yield from _walk(a)


def points(question: Question, trials, limit: int = MAX_POINTS) -> list[dict]:
    """Rational points near the given trials' values that stay inside the domain and its bounds."""
    out = []
    for trial in trials:
        if "rational point" not in trial.memo:    # the same for every answer: found once per trial
            trial.memo["rational point"] = _point_near(question, trial)
        env = trial.memo["rational point"]
        if env is not None:
            out.append(dict(env))
            if len(out) == limit:
                break
    return out


def _point_near(question: Question, trial) -> dict | None:
    env, rounded = {}, dict(trial.env)
    for name, s in question.symbols.items():
        if s.shape != "scalar":
            continue
        x = float(trial.env[name])
        r = Fraction(x).limit_denominator(DENOMINATOR) if np.isfinite(x) else None
        if r is None or not _inside(s, r, x):
            return None
        env[name] = r
        rounded[name] = np.float64(float(r))
    if not _bounds_hold(question, rounded):
        return None
    try:
        for name, tree in question.derived:
            env[name] = value(tree, env)
    except (NotExact, ZeroDivisionError):
        return None
    return env


def _inside(s, r: Fraction, x: float) -> bool:
    if s.domain in ("integer", "binary", "size"):
        return r == x
    return not (s.domain == "positive" and r <= 0 or s.domain == "nonzero" and r == 0
                or s.domain == "nonnegative" and r < 0 or s.domain == "unit" and not 0 < r < 1)


def _bounds_hold(question: Question, env: dict) -> bool:
    """Every declared bound (λ ≤ 0.99/ε included) still holds at the rounded point."""
    for s in question.symbols.values():
        if s.shape == "scalar" and ((s.name, "low") in question._bounds or (s.name, "high") in question._bounds):
            low, high = question.bounds(s, env)
            if not low <= float(env[s.name]) <= high:
                return False
    return True


class _NotComparable(Exception):
    pass


def _compared(question: Question, tree: Node, trials, limit: int):
    """(point, yours, key) at each rational point near the trials where both are defined; raises
    _NotComparable when the two cannot be compared exactly."""
    if not (is_rational(tree, question) and is_rational(question.key_tree, question)):
        raise _NotComparable
    for env in points(question, trials, limit):
        try:
            key = value(question.key_tree, env)
            yours = value(tree, env)
        except ZeroDivisionError:
            continue
        except NotExact:
            raise _NotComparable from None
        yield env, yours, key


def difference(question: Question, tree: Node, trials) -> tuple[dict, Fraction, Fraction] | None:
    """A rational point where the answer and the key differ exactly: (point, yours, key), or None
    (equal at every point, or not comparable exactly)."""
    try:
        return next(((env, yours, key) for env, yours, key in _compared(question, tree, trials, MAX_POINTS)
                     if yours != key), None)
    except _NotComparable:
        return None


def agrees(question: Question, tree: Node, trials) -> bool | None:
    """Do the answer and the key agree exactly at rational points near every given trial? None
    when they cannot be compared exactly (not rational, or no point within the bounds)."""
    compared = 0
    try:
        for _, yours, key in _compared(question, tree, trials, len(trials)):
            if yours != key:
                return False
            compared += 1
    except _NotComparable:
        return None
    return True if compared else None
