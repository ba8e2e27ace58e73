"""Grade one answer against the key: numeric equivalence on the declared domain, then diagnosis.

* ``correct``: the answer agrees with the key on every trial of the question's fixed trial set
  (trials.py: moderate, wide and edge points, both signs, sizes up to 12, the kinks of the key,
  and both sides of — and the switch of — every piecewise function in the key and the answer),
  and, when both are rational functions of scalars, exactly at rational points (exact.py);
* ``incorrect``: it evaluates but differs somewhere, has the wrong shape, or is undefined where
  the key is defined; the feedback names the mistake when a known mistake or a generic
  mutation of the key (a constant factor, a sign, a transpose, a missing term, two symbols
  swapped) reproduces it, and shows a counterexample with small numbers;
* ``invalid``: it cannot be read or evaluated; the feedback says why.

Every answer to a question is tried on the same points (seeded by the question, never by the
answer), so the verdict and the feedback are functions of the parsed expression only.
"""
from __future__ import annotations

import re
import sys
import time
import unicodedata
import traceback
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from . import exact
from .bank import BankError, Question
from .expr import Evaluator, InvalidAnswer, Node, diag_note, shape_text, symbols_in, to_text
from .latex import MAX_LENGTH as LATEX_LENGTH, parse_latex
from .plaintext import MAX_LENGTH as PLAIN_LENGTH, check_text, normalize_typed, parse_plain
from .trials import Trial, trial_set

TIME_LIMIT = 2.0          # seconds per answer


@dataclass
class Grade:
    question: str
    verdict: str                      # correct | incorrect | invalid
    interpreted_as: str | None
    feedback: str
    diagnosis: str | None = None
    counterexample: dict | None = None
    hint: str | None = None           # the feedback as the hint level shows it: never names the key
    mistake: str | None = None        # the known mistake the answer matches (its answer text)
    kind: str | None = None           # the generic kind of mistake (sign, factor, …), known mistakes too
    credit: float = 0.0               # the fraction of the points earned: 1 correct, a share for a mistake
    credit_reason: str | None = None

    def as_dict(self) -> dict:
        """Everything the grader found, the key's value included: for the instructor (feedback.py
        makes what a student sees)."""
        return {"question": self.question, "verdict": self.verdict, "interpreted_as": self.interpreted_as,
                "feedback": self.feedback, "diagnosis": self.diagnosis, "counterexample": self.counterexample}


# What an answer may be written with, for the commands' and the page's help.
SYNTAX_HELP = ("Plain text (NumPy semantics): + - * / ** ^ (power) @ (matrix product), .T, and "
               "exp log sqrt abs sign tanh sigmoid softplus relu sin cos max min sum mean outer diag "
               "inv trace norm; sum/mean take axis=0|1; constants pi and e; Greek letters, − × · "
               "are read as their names and operators. With --latex: juxtaposition or \\cdot is the "
               "matrix product, \\odot elementwise, ^\\top transpose, ^{-1} inverse, \\frac, "
               "\\sqrt, \\sigma(...), |x|, \\|x\\|, \\sum_i; $...$ around the answer is ignored.")


def read_answer(question: Question, answer: str, latex: bool = False) -> Node:
    return read_answer_with_notes(question, answer, latex)[0]


def read_answer_with_notes(question: Question, answer: str, latex: bool = False) -> tuple[Node, list[str]]:
    """The answer's tree, and notes on characters read as names or operators (α read as alpha)."""
    check_text(answer, LATEX_LENGTH if latex else PLAIN_LENGTH)   # before any rewriting: bounded work
    names = question.answer_names
    answer, notes = plain_letters(answer)
    if latex:
        tree = parse_latex(answer, question.latex_spellings())
        unknown = symbols_in(tree) - names
        if unknown:
            raise InvalidAnswer(f"unknown symbol {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(names))}")
        return tree, notes
    text, typed = normalize_typed(answer, names)
    text, indexed = entry_names(text, question)
    return parse_plain(text, names), notes + typed + indexed


def plain_letters(text: str) -> tuple[str, list[str]]:
    """Mathematical bold, italic and sans-serif letters (𝐰, 𝑋) and full-width ones (ｗ) as the
    letters they style, each reading noted."""
    if text.isascii():
        return text, []
    out, styled = [], {}
    for c in text:
        if 0x1D400 <= ord(c) <= 0x1D7FF or 0xFF01 <= ord(c) <= 0xFF5E:
            plain = unicodedata.normalize("NFKC", c)
            styled[c] = plain
            c = plain
        out.append(c)
    return "".join(out), [f"{k} read as {v}" for k, v in styled.items()]


def entry_names(text: str, question: Question) -> tuple[str, list[str]]:
    """x_j (or xⱼ) for the entries of a vector or matrix x, where the prompt writes its entries with
    that index: the answer is elementwise, so it is read as x."""
    indices = question.prompt_indices
    if not indices:
        return text, []
    arrays = {n for n, s in question.symbols.items() if s.kind != "scalar"}
    notes = {}

    def unindexed(match):
        name, index = match.group(1), match.group(2) or question.SUBSCRIPTS.get(match.group(3))
        if name in arrays and index in indices and f"{name}_{index}" not in question.answer_names:
            notes[match.group(0)] = name
            return name
        return match.group(0)

    pattern = r"\b([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*?)(?:_([a-z])\b|([" + "".join(question.SUBSCRIPTS) + "]))"
    text = re.sub(pattern, unindexed, text)
    return text, [f"{k} read as {v} (entrywise, as the prompt writes it)" for k, v in notes.items()]


def _as_key_shape(value, latex: bool):
    """Math semantics gives columns; the key is in NumPy semantics (1-D vectors)."""
    value = np.asarray(value, dtype=float)
    if latex and value.ndim == 2 and value.shape[1] == 1:
        return value[:, 0]
    return value


def _close(a, b, rtol: float = 1e-7, atol: float = 1e-10) -> bool:
    """Same shape and equal within tolerance, entrywise |a − b| ≤ atol·max(1, max|b|) + rtol·|b|
    (nan matches nan: keys are finite where graded)."""
    if a.shape != b.shape:
        return False
    magnitude = np.abs(b)
    top = float(magnitude.max()) if magnitude.size else 0.0
    if np.isfinite(top):    # the common case, in fewer NumPy calls
        with np.errstate(invalid="ignore"):
            if (np.abs(a - b) <= atol * max(1.0, top) + rtol * magnitude).all():
                return True
    finite = np.isfinite(magnitude)
    scale = max(1.0, float(magnitude[finite].max())) if finite.any() else 1.0
    with np.errstate(invalid="ignore"):
        ok = np.abs(a - b) <= atol * scale + rtol * magnitude
    if ok.all():
        return True
    both_nan = np.isnan(a) & np.isnan(b)
    same_inf = np.isinf(a) & (a == b)
    return bool((ok | both_nan | same_inf).all())


def _close_each(trials, rtol: float, atol: float) -> list[bool]:
    """_close(value, key) for each (trial, value); all at once when every value is a finite scalar."""
    if trials and all(value.shape == () and trial.key.shape == () for trial, value in trials):
        values = np.array([value for _, value in trials], dtype=float)
        keys = np.array([trial.key for trial, _ in trials], dtype=float)
        magnitude = np.abs(keys)
        with np.errstate(invalid="ignore"):
            ok = np.abs(values - keys) <= atol * np.maximum(1.0, magnitude) + rtol * magnitude
        if np.isfinite(magnitude).all() and np.isfinite(values).all():
            return ok.tolist()
    return [_close(value, trial.key, rtol, atol) for trial, value in trials]


def _allclose(a, b, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """np.allclose, in fewer NumPy calls when every value is finite."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        difference = np.abs(a - b)
        if np.isfinite(difference).all():
            return bool((difference <= atol + rtol * np.abs(b)).all())
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


class WrongShapeOrUndefined(Exception):
    def __init__(self, diagnosis: str, feedback: str, trial: Trial, value, interpreted: str, reference=None,
                 hint: str | None = None):
        super().__init__(feedback)
        self.diagnosis, self.feedback, self.trial, self.value = diagnosis, feedback, trial, value
        self.interpreted, self.reference, self.hint = interpreted, reference, hint


def evaluate_on(question: Question, tree: Node, latex: bool, chosen: list[Trial], start: float,
                reference=lambda trial: trial.key, reference_name: str = "the correct result",
                enough_when_wrong: int | None = None, closes: list | None = None) -> tuple[list, str]:
    """The answer's value on each trial, checked against ``reference(trial)`` (if given); and its echo.
    With ``enough_when_wrong``, evaluation stops once the answer is known to differ and that many
    trials are in hand: a wrong answer needs no more to be diagnosed.

    Raises InvalidAnswer (cannot be evaluated) or WrongShapeOrUndefined (evaluates, but has the
    wrong shape or is undefined where the reference is defined)."""
    values, interpreted, first_wrong = [], None, None
    closes = [] if closes is None else closes   # whether each value checked so far is close to the reference
    identity = identity_size(question, tree, latex, chosen[0]) if chosen else None
    at_once = values_at_once(tree, chosen) if identity is None else None
    for number, trial in enumerate(chosen):
        if time.perf_counter() - start > TIME_LIMIT:
            raise InvalidAnswer(f"grading took longer than the bound of {TIME_LIMIT:g} s")
        if at_once is not None and interpreted is not None:
            value = np.asarray(at_once[number])
        else:   # the first trial always on its own: it reads the answer back and says what is wrong
            env = trial.env_for(latex)
            if identity is not None:
                env = {**env, "I": np.eye(identity_of(trial, identity))}
            evaluator = Evaluator(env, trial.size_names, columns=latex)
            value = _as_key_shape(evaluator(tree), latex)
        if interpreted is None:
            interpreted = to_text(tree, evaluator.shapes if latex else None)
        values.append((trial, value))
        if reference is None:
            continue
        expected = reference(trial)
        if value.shape != expected.shape:
            yours, wanted = shape_text(value.shape, trial.size_names), shape_text(expected.shape, trial.size_names)
            note = diag_note(evaluator, tree)    # diag(M) meant as a matrix is the usual cause
            raise WrongShapeOrUndefined(
                "wrong-shape", f"your answer is {yours}; {reference_name} is {wanted}{note}", trial, value,
                interpreted, expected, f"the shape is wrong: your answer is {yours}, but {reference_name} is {wanted}{note}")
        if not np.isfinite(value).all() and np.isfinite(expected).all():
            raise WrongShapeOrUndefined(
                "undefined", f"your answer is not a number (it is inf or nan) at a point where {reference_name} is defined",
                trial, value, interpreted, expected,
                f"your answer is not a number (it is inf or nan) at the point shown, where {reference_name} is defined")
        if enough_when_wrong is not None and at_once is None:   # (values at once: all in hand already)
            closes.append(_close(value, expected, question.rtol, question.atol))
            if first_wrong is None and not closes[-1]:
                first_wrong = number
            if first_wrong is not None and number + 1 >= enough_when_wrong:
                break
    if enough_when_wrong is not None and at_once is not None and reference is not None:
        flags = _close_each(values, question.rtol, question.atol)
        if not all(flags):
            keep = max(flags.index(False) + 1, enough_when_wrong)
            values, closes[:] = values[:keep], flags[:keep]
        else:
            closes[:] = flags
    return values, interpreted


# Operations that act entry by entry; on scalars, the products and powers of LaTeX are those too.
ENTRYWISE = {"num", "sym", "const", "add", "sub", "mul", "div", "pow", "neg", "T", "exp", "log", "sqrt", "abs",
             "sign", "tanh", "sigmoid", "softplus", "relu", "sin", "cos", "max", "min"}
ON_SCALARS = {"matmul": "mul", "mpow": "pow"}


def _entrywise_form(tree: Node) -> Node | None:
    """The tree with scalar products and inverses as * and 1/x, or None if an operation in it is
    not entry by entry (a sum, a norm): then its trials cannot share one evaluation."""
    if tree.op == "inv":
        inner = _entrywise_form(tree.args[0])
        return None if inner is None else Node("div", (Node("num", value=1.0), inner))
    op = ON_SCALARS.get(tree.op, tree.op)
    if op not in ENTRYWISE:
        return None
    args = tuple(_entrywise_form(a) for a in tree.args)
    return None if any(a is None for a in args) else Node(op, args, tree.value)


def values_at_once(tree: Node, chosen: list[Trial]):
    """For an answer over scalars only, its values on every trial from one vectorised evaluation
    (each symbol a vector of its values across the trials), or None (then trial by trial)."""
    if not chosen or any(np.ndim(v) for v in chosen[0].env.values()):
        return None
    entrywise = _entrywise_form(tree)
    if entrywise is None:
        return None
    names = list(chosen[0].env)
    try:
        stacked = {name: np.array([t.env[name] for t in chosen], dtype=float) for name in names}
        value = np.asarray(Evaluator(stacked)(entrywise), dtype=float)
    except (InvalidAnswer, ValueError, TypeError, KeyError):
        return None        # trial by trial says precisely what is wrong
    return np.broadcast_to(value, (len(chosen),)) if value.shape in ((), (len(chosen),)) else None


def identity_of(trial: Trial, size: str) -> int:
    return next(value for value, name in trial.size_names.items() if name == size)


def identity_size(question: Question, tree: Node, latex: bool, trial: Trial) -> str | None:
    """The size of an undeclared I: the first of the question's sizes at which the answer can be
    evaluated (one choice per expression, so every answer that writes it the same way is read alike)."""
    if not question.implicit_identity or "I" not in symbols_in(tree):
        return None
    sizes = question.size_names()
    for size in sizes:
        env = {**trial.env_for(latex), "I": np.eye(identity_of(trial, size))}
        try:
            Evaluator(env, trial.size_names, columns=latex)(tree)
            return size
        except InvalidAnswer:
            continue
    return sizes[0]


def trials_for(question: Question, trees: list[Node], latex: bool, start: float | None = None) -> list[Trial]:
    """The question's fixed trials plus those covering the switches of the given trees."""
    start = time.perf_counter() if start is None else start
    return trial_set(question).for_trees(trees, latex, deadline=start + TIME_LIMIT / 2)


def grade(question: Question, answer: str, latex: bool = False) -> Grade:
    """The verdict on one answer: a function of its parsed expression only."""
    try:
        tree, notes = read_answer_with_notes(question, answer, latex)
    except InvalidAnswer as error:
        return Grade(question.id, "invalid", None, str(error))
    result = grade_tree(question, tree, latex)
    return with_notes(result, notes)


def with_notes(result: Grade, notes: list[str]) -> Grade:
    if not notes or result.interpreted_as is None:
        return result
    return replace(result, interpreted_as=f"{result.interpreted_as}  ({'; '.join(notes)})")


# A wrong answer is diagnosed on this many trials (a constant ratio or a missing term over 12
# random points is no coincidence); a correct one is checked on every trial.
DIAGNOSIS_TRIALS = 12


def grade_tree(question: Question, tree: Node, latex: bool = False,
               enough_when_wrong: int | None = DIAGNOSIS_TRIALS) -> Grade:
    start = time.perf_counter()
    interpreted = None
    try:
        chosen = trials_for(question, [tree], latex, start)
        closes: list[bool] = []
        trials, interpreted = evaluate_on(question, tree, latex, chosen, start, enough_when_wrong=enough_when_wrong,
                                          closes=closes)
    except InvalidAnswer as error:
        return Grade(question.id, "invalid", interpreted, str(error))
    except BankError as error:
        return Grade(question.id, "invalid", None, f"this question cannot be graded: {error}",
                     hint="this question cannot be graded; please tell the instructor")
    except WrongShapeOrUndefined as error:
        known = known_mistake(question, [(error.trial, np.asarray(error.value, dtype=float))])
        return with_mistake_credit(Grade(
            question.id, "incorrect", error.interpreted, known.feedback if known else error.feedback,
            "known-mistake" if known else error.diagnosis,
            _counterexample(error.trial, error.value, rtol=question.rtol, atol=question.atol),
            hint=known.hint_text if known else error.hint), known)
    flags = closes if len(closes) == len(trials) else _close_each(trials, question.rtol, question.atol)
    wrong = [tv for tv, close in zip(trials, flags) if not close]
    if wrong and exact.agrees(question, tree, [t for t, _ in wrong] + [t for t in chosen if t.regime == "moderate"]):
        if len(trials) < len(chosen):   # equal where it seemed to differ: every trial decides
            return grade_tree(question, tree, latex, enough_when_wrong=None)
        wrong = []    # the floats lost their precision (cancellation); exact arithmetic says equal
    if not wrong:
        differs = exact.difference(question, tree, [t for t in chosen if t.regime == "moderate"])
        if differs is None:
            return Grade(question.id, "correct", interpreted, "correct", credit=1.0)
        point, yours, key = differs
        return Grade(question.id, "incorrect", interpreted,
                     f"your answer differs from the key in exact arithmetic: yours − key = {yours - key} "
                     "at the point shown (too small for the float tolerance, but not 0)",
                     "exact-difference",
                     {"values": {k: str(v) for k, v in point.items()}, "your_answer": str(yours),
                      "key": str(key)},
                     hint="your answer differs from the correct result in exact (rational) arithmetic at "
                          "the point shown, by less than the float tolerance, but not by 0")
    diagnosis, feedback, hint, known = diagnose(question, trials)
    smallest = min(wrong, key=lambda tv: sum(np.size(v) for v in tv[0].env.values()))
    return with_mistake_credit(Grade(
        question.id, "incorrect", interpreted, feedback or "your answer differs from the key at the point shown",
        diagnosis, _counterexample(*smallest, rtol=question.rtol, atol=question.atol),
        hint=hint or "your answer differs from the correct result at the point shown",
        kind=kind_of(question, trials) if known is not None else diagnosis), known)


def with_mistake_credit(result: Grade, mistake) -> Grade:
    """The grade with the known mistake it matches, and the share of the points that mistake earns."""
    if mistake is None:
        return result
    reason = f"{mistake.credit:g} of the points for a known mistake" if mistake.credit else None
    return replace(result, mistake=mistake.answer, credit=mistake.credit, credit_reason=reason)


def with_credit(result: Grade, by_diagnosis: dict[str, float]) -> Grade:
    """The grade with an assignment's partial credit by diagnosis (the larger share wins)."""
    if result.verdict != "incorrect":
        return result
    kinds = [k for k in dict.fromkeys((result.diagnosis, result.kind)) if k in by_diagnosis]
    kind = max(kinds, key=lambda k: by_diagnosis[k], default=None)
    if kind is None or by_diagnosis[kind] <= result.credit:
        return result
    return replace(result, credit=by_diagnosis[kind],
                   credit_reason=f"{by_diagnosis[kind]:g} of the points for a mistake of the kind {kind}")


def grade_safely(question: Question, answer: str, latex: bool = False) -> Grade:
    """``grade``, with any unexpected exception turned into an ``invalid`` result (traceback on
    stderr), so that one answer can never stop a batch."""
    try:
        return grade(question, answer, latex)
    except Exception:   # the safety net: every other error is a bug, reported and contained
        print(f"regverify: internal error grading an answer to {question.id}:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return Grade(question.id, "invalid", None,
                     "internal error, reported: this answer could not be graded; please tell the instructor")


# --- diagnosis -------------------------------------------------------------------------------
def _agrees(candidate, trials) -> bool:
    """Does candidate(trial) reproduce the student's value on every trial?"""
    try:
        with np.errstate(all="ignore"):
            return all(_close(value, np.asarray(candidate(trial), dtype=float)) for trial, value in trials)
    except (InvalidAnswer, ValueError, ZeroDivisionError, TypeError):
        return False


def _evaluate(tree, trial: Trial):
    """A tree of the question (a known mistake, a term of the key) at a trial, computed once."""
    memo = trial.memo
    key = id(tree)
    if key not in memo:
        try:
            memo[key] = (tree, np.asarray(Evaluator(trial.env)(tree), dtype=float))
        except (InvalidAnswer, ValueError, ZeroDivisionError, TypeError) as error:
            memo[key] = (tree, error)
    value = memo[key][1]     # the tree is kept beside its value, so its id is never reused
    if isinstance(value, Exception):
        raise value
    return value


def _terms(tree: Node, sign: float = 1.0):
    """The additive terms of a sum, each with its sign."""
    if tree.op == "add":
        return _terms(tree.args[0], sign) + _terms(tree.args[1], sign)
    if tree.op == "sub":
        return _terms(tree.args[0], sign) + _terms(tree.args[1], -sign)
    return [(sign, tree)]


def _swap(tree: Node, a: str, b: str) -> Node:
    if tree.op == "sym" and tree.value in (a, b):
        return Node("sym", value=b if tree.value == a else a)
    return Node(tree.op, tuple(_swap(x, a, b) for x in tree.args), tree.value)


def _swapped(question: Question, a: str, b: str) -> Node:
    """The key with a and b swapped, built once per question (so its values are kept per trial)."""
    swaps = question.__dict__.setdefault("_swaps", {})
    if (a, b) not in swaps:
        swaps[(a, b)] = _swap(question.key_tree, a, b)
    return swaps[(a, b)]


def _nice(c: float) -> str:
    frac = Fraction(c).limit_denominator(12)
    return str(frac) if abs(float(frac) - c) <= 1e-9 * max(1.0, abs(c)) else f"{c:.4g}"


def _ratio(trials):
    """The answer's constant ratio to the key within each trial, or None."""
    ratios = []
    for trial, value in trials:
        magnitude = np.abs(trial.key)
        mask = magnitude > 1e-8 * max(1.0, float(np.max(magnitude)))
        if not mask.any() or not _allclose(value[~mask], 0.0, atol=1e-9):
            return None
        r = value[mask] / trial.key[mask]
        if not _allclose(r, r.flat[0], rtol=1e-7):
            return None
        ratios.append(float(r.flat[0]))
    return ratios


def known_mistake(question: Question, trials):
    """The first of the question's known mistakes that reproduces the answer, or None."""
    return next((m for m in question.mistakes
                 if _agrees(lambda t, m=m: _evaluate(m.tree, t), trials)), None)


# What the hint level says of each kind of mistake: the kind, never the key or a term of it.
HINTS = {
    "zero": "your answer is 0 wherever it is defined",
    "sign": "a sign is wrong somewhere",
    "constant-factor": "a constant factor is wrong",
    "factor": "a factor is wrong",
    "transpose": "a transpose is wrong",
    "missing-term": "a term is missing",
    "term-sign": "the sign of one term is wrong",
    "extra-term": "a term is counted more than once",
    "swapped": "two symbols stand in each other's place",
}


def diagnose(question: Question, trials) -> tuple[str | None, str | None, str | None, object]:
    """(diagnosis, feedback naming the key's part, hint naming only the kind, the known mistake
    matched or None), or Nones."""
    with np.errstate(all="ignore"):   # ratios to symbols that happen to be 0
        mistake = known_mistake(question, trials)
        if mistake is not None:
            return "known-mistake", mistake.feedback, mistake.hint_text, mistake
        diagnosis, feedback = _diagnose(question, trials)
        return diagnosis, feedback, HINTS.get(diagnosis), None


def kind_of(question: Question, trials) -> str | None:
    """The generic kind of mistake (sign, constant-factor, …) whether or not a known one matches."""
    with np.errstate(all="ignore"):
        return _diagnose(question, trials)[0]


def _constant(trials) -> bool:
    """The answer takes one value on every trial (it is a number, not a formula)."""
    first = trials[0][1]
    return all(np.shape(v) == np.shape(first) and _allclose(v, first, rtol=1e-12, atol=0) for _, v in trials)


def _diagnose(question: Question, trials) -> tuple[str | None, str | None]:
    if all(_allclose(value, 0.0, atol=1e-12) for _, value in trials):
        return "zero", "your answer is 0 wherever it is defined"
    if not symbols_in(question.key_tree) or _constant(trials):
        # Every number is a multiple of a numeric key, and a constant answer is the key times
        # something: a ratio names no mistake, so there is no factor, sign or term to name.
        return None, None
    ratios = _ratio(trials)
    if ratios is not None:
        if np.allclose(ratios, ratios[0], rtol=1e-7):
            c = ratios[0]
            if np.isclose(c, 1, rtol=1e-9, atol=0):
                return None, None   # equal up to rounding where it is defined: no factor to name
            if np.isclose(c, -1):
                return "sign", "the sign is flipped: your answer is −1 times the key"
            return "constant-factor", f"your answer is {_nice(c)} times the key: a constant factor is wrong"
        for name, s in question.symbols.items():
            if s.shape == "scalar":
                values = [float(t.env[name]) for t, _ in trials]
                if np.allclose(ratios, values, rtol=1e-7):
                    return "factor", f"your answer is {name} times the key: a factor {name} is wrong (missing /{name}?)"
                if np.allclose(ratios, 1 / np.asarray(values), rtol=1e-7):
                    return "factor", f"your answer is the key divided by {name}: a factor {name} is missing"
    if all(t.key.ndim == 2 for t, _ in trials) and _agrees(lambda t: t.key.T, trials):
        return "transpose", "your answer is the transpose of the key"
    terms = _terms(question.key_tree)
    if len(terms) > 1:
        for sign, term in terms:
            if _agrees(lambda t, s=sign, term=term: t.key - s * _evaluate(term, t), trials):
                return "missing-term", f"a term is missing: {'' if sign > 0 else '-'}{to_text(term)}"
            if _agrees(lambda t, s=sign, term=term: t.key - 2 * s * _evaluate(term, t), trials):
                return "term-sign", f"the sign of the term {to_text(term)} is flipped"
            if _agrees(lambda t, s=sign, term=term: t.key + s * _evaluate(term, t), trials):
                return "extra-term", f"the term {to_text(term)} is counted twice"
    names = [n for n in sorted(symbols_in(question.key_tree)) if n in question.symbols]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if question.symbols[a].shape == question.symbols[b].shape:
                swapped = _swapped(question, a, b)
                if _agrees(lambda t, s=swapped: _evaluate(s, t), trials):
                    return "swapped", f"{a} and {b} are swapped"
    return None, None


# --- counterexamples -------------------------------------------------------------------------
def _shown(x: float, digits: int):
    """A number as a student reads it: whole numbers without a decimal point (n = 3, not 3.0)."""
    x = float(x)
    if x.is_integer() and abs(x) < 2**53:    # exact: 65536 is never shown as 65540
        return int(x)
    return float(f"{x:.{digits}g}")


def _small(value, digits: int = 4):
    """The value rounded to ``digits``, a whole number shown as one (n = 3, not 3.0)."""
    value = np.asarray(value, dtype=float)
    if value.ndim == 0:
        return _shown(float(value), digits)
    return [_small(x, digits) for x in value]


def _digits(value, reference, rtol: float, atol: float, least: int = 4) -> int:
    """The fewest significant digits (at least ``least``) at which every entry that differs
    shows different numbers: 65536 and 65535 are never both shown as 65540."""
    if np.shape(value) != np.shape(reference):
        return least
    differ = ~np.isclose(value, reference, rtol=rtol, atol=atol) & np.isfinite(value) & np.isfinite(reference)
    yours, theirs = np.ravel(value[differ] if np.ndim(value) else value), np.ravel(reference[differ] if np.ndim(reference) else reference)
    for digits in range(least, 18):
        if all(f"{a:.{digits}g}" != f"{b:.{digits}g}" for a, b in zip(yours, theirs)):
            return digits
    return 17


def _counterexample(trial: Trial, value, reference=None, label: str = "key",
                    rtol: float = 1e-7, atol: float = 1e-10) -> dict:
    """The point, your value and the reference's (the key's, or the previous line's) there, with
    enough digits that the two differ where they differ."""
    reference = trial.key if reference is None else np.asarray(reference, dtype=float)
    value = np.asarray(value, dtype=float)
    digits = _digits(value, reference, rtol, atol)
    out = {"values": {k: _small(v) for k, v in trial.env.items()},
           "your_answer": _small(value, digits) if np.shape(value) != reference.shape or np.size(value) <= 16 else "…",
           label: _small(reference, digits) if reference.size <= 16 else "…"}
    if np.shape(value) == reference.shape and reference.ndim >= 1:
        differ = np.argwhere(~np.isclose(value, reference, rtol=rtol, atol=atol))[:5]
        fine = max(6, digits)
        out["entries_that_differ"] = [{"index": [int(i) for i in idx],
                                       "yours": _shown(value[tuple(idx)], fine),
                                       label: _shown(reference[tuple(idx)], fine)} for idx in differ]
    return out
