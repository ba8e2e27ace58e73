"""The points every answer to a question is tried on: fixed per question, covering by construction.

A question's trial set is drawn once, seeded by its id (never by the answer), so the verdict is
a function of the parsed expression only. It holds
* ``moderate`` trials (the middle of each domain, sizes 2–7), ``wide`` ones (positive scalars
  log-uniform over [1e-3, 1e3], sizes up to 12) and ``edge`` ones (0 for nonnegative, within
  1e-3 of the ends of (0, 1), declared bounds, sizes up to 12); scalar signed symbols alternate
  their sign, so both signs occur;
* for every declared kink of the key: the kink itself and a point on each side of it;
* for every piecewise function (max, min, abs, sign, relu) of the key *and of the answer*: a
  point where its switching expression is positive, one where it is negative, and one where it
  is 0 (found by bisection along one scalar symbol), when the domain has them.
The key's value on each trial is computed once and kept. Coverage trials added for a switch are
remembered per question, so equal switches cost nothing the second time.
"""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field

import numpy as np

from .bank import BankError, Question
from .expr import PIECEWISE, Evaluator, InvalidAnswer, Node, as_columns, symbols_in, walk

PLAN = (("moderate", 12), ("wide", 8), ("edge", 6))   # base trials per regime
MIN_TRIALS = 20
SEARCH_POOL = 60          # extra candidates, drawn only when a switch lacks a side
GRID = 41                 # points along one symbol when looking for a switch
BISECTIONS = 60
MAX_SEARCH_EVALUATIONS = 600
CONTINUOUS = {"real", "positive", "nonnegative", "unit", "nonzero"}


@dataclass(eq=False)   # compared by identity
class Trial:
    env: dict
    size_names: dict
    key: np.ndarray
    kink: bool = False
    regime: str = "moderate"
    _columns: dict | None = field(default=None, repr=False)
    # values of the question's own trees here (known mistakes, the key's terms), kept by the
    # tree's id: they are the same for every answer, so each is computed once per trial
    memo: dict = field(default_factory=dict, repr=False)

    def env_for(self, latex: bool) -> dict:
        if not latex:
            return self.env
        if self._columns is None:
            self._columns = as_columns(self.env)
        return self._columns


def _seed(question: Question, salt: str) -> int:
    return zlib.crc32(f"{question.id}\0{salt}".encode("utf-8", "surrogatepass"))


def key_value(question: Question, env: dict):
    """The key at env as a float array, or None where it is undefined (or cannot be evaluated)."""
    key = np.asarray(Evaluator(env)(question.key_tree), dtype=float)   # the evaluator ignores fp errors
    return key if np.isfinite(key).all() else None


def switches(tree: Node) -> list[Node]:
    """The expression whose sign picks the branch, for each piecewise function in the tree."""
    out = []
    for node in walk(tree):
        if node.op in ("max", "min"):
            out.append(Node("sub", node.args))
        elif node.op in PIECEWISE:
            out.append(node.args[0])
    return list(dict.fromkeys(out))


def _sides(values) -> set[str]:
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return set()
    tol = 1e-9 * max(1.0, float(np.max(np.abs(finite))))
    sides = set()
    if np.any(finite > tol):
        sides.add("+")
    if np.any(finite < -tol):
        sides.add("-")
    if np.any(np.abs(finite) <= tol):
        sides.add("0")
    return sides


class TrialSet:
    """A question's fixed trials, the key's values on them, and coverage trials per switch."""

    def __init__(self, question: Question):
        self.question = question
        self.base = self._base()
        if len(self.base) < MIN_TRIALS:
            raise BankError(f"{question.source}: question {question.id!r}: field 'key': the key "
                            f"{question.key!r} is undefined on too many trials ({len(self.base)} of "
                            f"{sum(n for _, n in PLAN)} usable; at least {MIN_TRIALS} are needed)")
        self.kinks = self._kinks()
        self._pool: list[Trial] | None = None
        self._coverage: dict[tuple[Node, bool], list[Trial]] = {}
        self.fixed = self.base + self.kinks
        for s in switches(question.key_tree):
            self.fixed += [t for t in self.cover(s, False, self.fixed) if t not in self.fixed]

    # --- drawing --------------------------------------------------------------------------------
    def _draw(self, salt: str, plan, attempts: int = 3) -> list[Trial]:
        rng = np.random.default_rng(_seed(self.question, salt))
        out = []
        for regime, count in plan:
            got = 0
            for t in range(attempts * count):
                if got == count:
                    break
                env, size_names = self.question.sample(rng, t, regime)
                key = key_value(self.question, env)
                if key is not None:
                    out.append(Trial(env, size_names, key, regime=regime))
                    got += 1
        return out

    def _base(self) -> list[Trial]:
        return self._draw("base", PLAN)

    def _kinks(self) -> list[Trial]:
        """Each declared kink, and a point on each side of it, in the moderate and wide regimes."""
        q, out = self.question, []
        kinked = [s for s in q.symbols.values() if s.kinks]
        if not kinked:
            return out
        rng = np.random.default_rng(_seed(q, "kinks"))
        for s in kinked:
            for k, kink in enumerate(s.kinks):
                for regime in ("moderate", "wide"):
                    for offset in (0.0, 0.5, -0.5):
                        for _ in range(3):
                            env, size_names = q.sample(rng, k, regime)
                            with np.errstate(all="ignore"):
                                at = np.asarray(Evaluator(env)(kink), dtype=float)
                            step = offset * np.maximum(np.abs(at), 0.1)
                            env[s.name] = np.broadcast_to(at + step, np.shape(env[s.name])).copy()
                            if np.shape(env[s.name]) == ():
                                env[s.name] = np.float64(env[s.name])
                            env = q.complete(env)
                            key = key_value(q, env)
                            if key is not None:
                                out.append(Trial(env, size_names, key, kink=offset == 0.0, regime=regime))
                                break
        return out

    def pool(self) -> list[Trial]:
        if self._pool is None:
            each = SEARCH_POOL // 3
            self._pool = self._draw("search", [(r, each) for r in ("moderate", "wide", "edge")])
        return self._pool

    # --- coverage -------------------------------------------------------------------------------
    def for_trees(self, trees: list[Node], latex: bool, deadline: float | None = None) -> list[Trial]:
        """The fixed trials, plus those that cover every switch of the given trees."""
        out = list(self.fixed)
        for tree in trees:
            for s in switches(tree):
                out += [t for t in self.cover(s, latex, out, deadline) if t not in out]
        return out

    def cover(self, s: Node, latex: bool, have: list[Trial], deadline: float | None = None) -> list[Trial]:
        """Trials that put the switch s on each side it lacks in ``have`` (remembered per switch)."""
        cache_key = (s, latex)
        if cache_key in self._coverage:
            return self._coverage[cache_key]
        found = self._sides_of(s, latex, have)
        if found is None:     # the switch cannot be evaluated on its own: the answer will say why
            return []
        sides, added = found, []
        if not {"+", "-"} <= sides:
            for trial in self.pool():
                if deadline is not None and time.perf_counter() > deadline:
                    break
                new = self._sides_of(s, latex, [trial]) or set()
                if new - sides:
                    added.append(trial)
                    sides |= new
                if {"+", "-"} <= sides:
                    break
        if "0" not in sides:
            root = self._solve(s, latex, have + added, deadline)
            if root is not None:
                added.append(root)
        self._coverage[cache_key] = added
        return added

    def _switch_values(self, s: Node, env: dict, latex: bool):
        with np.errstate(all="ignore"):
            return Evaluator(as_columns(env) if latex else env, columns=latex)(s)

    def _sides_of(self, s: Node, latex: bool, trials: list[Trial]):
        sides = set()
        for trial in trials:
            try:
                sides |= _sides(self._switch_values(s, trial.env, latex))
            except (InvalidAnswer, ValueError, TypeError, ZeroDivisionError, OverflowError):
                return None
        return sides

    def _grid(self, name: str, env: dict) -> np.ndarray:
        symbol = self.question.symbols[name]
        low, high = self.question.bounds(symbol, env, "wide")
        if symbol.domain == "unit":
            return low + (high - low) * np.linspace(1e-3, 1 - 1e-3, GRID)
        if symbol.domain in ("positive", "nonnegative"):
            grid = np.geomspace(max(low, 1e-3), high, GRID)
            return np.concatenate([[low], grid]) if symbol.domain == "nonnegative" else grid
        if np.isfinite(low) and np.isfinite(high):
            return np.linspace(low, high, GRID)
        magnitudes = np.geomspace(1e-3, 20.0, GRID // 2)
        return np.concatenate([-magnitudes[::-1], [0.0], magnitudes])

    def _solve(self, s: Node, latex: bool, trials: list[Trial], deadline) -> Trial | None:
        """A trial at which the scalar switch s is 0: bisection along one continuous scalar symbol."""
        q = self.question
        used = symbols_in(s)
        for name, tree in reversed(q.derived):
            if name in used:
                used |= symbols_in(tree)
        names = sorted(n for n in used if n in q.symbols and q.symbols[n].shape == "scalar"
                       and q.symbols[n].domain in CONTINUOUS)
        budget = MAX_SEARCH_EVALUATIONS
        for trial in trials[:8]:
            for name in names:
                if budget <= 0 or (deadline is not None and time.perf_counter() > deadline):
                    return None

                def at(x, name=name, env=trial.env):
                    changed = q.complete({k: v for k, v in env.items()} | {name: np.float64(x)})
                    value = np.asarray(self._switch_values(s, changed, latex), dtype=float)
                    return changed, (float(value) if value.size == 1 else np.nan)

                try:
                    grid = self._grid(name, trial.env)
                    values = [at(x)[1] for x in grid]
                except (InvalidAnswer, ValueError, TypeError, ZeroDivisionError, OverflowError):
                    return None
                budget -= len(grid)
                exact = next((i for i, v in enumerate(values) if v == 0.0), None)
                if exact is not None:
                    lo = hi = grid[exact]
                else:
                    pair = next((i for i in range(len(grid) - 1) if np.isfinite(values[i])
                                 and np.isfinite(values[i + 1]) and values[i] * values[i + 1] < 0), None)
                    if pair is None:
                        continue
                    lo, hi, f_lo = grid[pair], grid[pair + 1], values[pair]
                    for _ in range(BISECTIONS):
                        mid = 0.5 * (lo + hi)
                        f_mid = at(mid)[1]
                        if f_mid == 0.0:
                            lo = hi = mid
                            break
                        if (f_mid < 0) == (f_lo < 0):
                            lo, f_lo = mid, f_mid
                        else:
                            hi = mid
                    budget -= BISECTIONS
                best = min((lo, hi), key=lambda x: abs(at(x)[1]))
                env, _ = at(best)
                if not self._within_bounds(env):
                    continue
                key = key_value(q, env)
                if key is not None:
                    return Trial(env, trial.size_names, key, kink=True, regime=trial.regime)
        return None

    def _within_bounds(self, env: dict) -> bool:
        q = self.question
        for s in q.symbols.values():
            if s.shape == "scalar" and s.domain in CONTINUOUS:
                low, high = q.bounds(s, env, "wide")
                x = float(env[s.name])
                if not (low <= x <= high) or (s.domain == "positive" and x <= 0) or \
                        (s.domain == "unit" and not 0 < x < 1) or (s.domain == "nonzero" and x == 0):
                    return False
        return True


def trial_set(question: Question) -> TrialSet:
    if question._trial_set is None:
        question._trial_set = TrialSet(question)
    return question._trial_set

