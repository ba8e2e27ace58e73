"""What a student sees of a grade: one function per report, at one of three feedback levels.

* ``full``: everything the grader found: the explanation of a known mistake (which may show the
  key), the missing term itself, the key's value at the counterexample;
* ``hint``: the kind of mistake (a missing term, a sign, a factor, a transpose, a shape) and
  where (the counterexample's inputs and the student's own value there), never the key, a term
  of the key the student did not write, or the key's value;
* ``verdict``: the verdict only (and, for an unreadable answer, why it cannot be read).

Every front end (``grade``, ``grade --batch``, ``check-steps``, the Gradescope autograder, the
notebook) shows a student ``for_student(grade, level)`` or ``steps_for_student(report, level)``
and nothing else, so a level means the same everywhere::

    >>> from regverify.grading.feedback import Level, for_student, render_text
    >>> view = for_student(grade, Level.HINT)        # a JSON-ready dict
    >>> print(render_text(view))
"""
from __future__ import annotations

import json
from enum import Enum

from .grader import Grade
from .steps import StepReport


class Level(str, Enum):
    FULL = "full"
    HINT = "hint"
    VERDICT = "verdict"

    @classmethod
    def parse(cls, value, where: str = "feedback") -> "Level":
        """The level named by ``value`` (a Level or its name); ValueError naming the choices."""
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise ValueError(f"expected {where} to be one of {', '.join(l.value for l in cls)} "
                             f"but got {where}={value!r}") from None


VERDICT_ONLY = {"incorrect": "your answer is not correct"}


def _hint_counterexample(example: dict | None) -> dict | None:
    """The point and the student's own value there; nothing of the key (nor of its value)."""
    if not example:
        return None
    shown = {name: example[name] for name in ("values",) if name in example}
    if "your_answer" in example:
        shown["your_answer"] = _hint_digits(example["your_answer"])
    if "entries_that_differ" in example:
        shown["entries_that_differ"] = [{"index": e["index"], "yours": _hint_digits(e["yours"])}
                                        for e in example["entries_that_differ"]]
    return shown


HINT_DIGITS = 4


def _hint_digits(value):
    """The student's value to a fixed 4 digits. At full the digits grow until the value differs
    from the key's; at hint that count would tell how near the key an answer is."""
    if isinstance(value, list):
        return [_hint_digits(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{HINT_DIGITS}g}")
    return value          # a whole number or an exact fraction: the student's own, exactly


def for_student(grade: Grade, level: Level | str = Level.FULL) -> dict:
    """The grade as a student sees it at ``level``: a JSON-ready dict with the keys question,
    verdict, interpreted_as, feedback, diagnosis, counterexample, credit (the fraction of the
    points earned), credit_reason and feedback_level."""
    level = Level.parse(level)
    view = {"question": grade.question, "verdict": grade.verdict, "interpreted_as": grade.interpreted_as,
            "feedback": grade.feedback, "diagnosis": grade.diagnosis, "counterexample": grade.counterexample,
            "credit": grade.credit, "credit_reason": grade.credit_reason, "feedback_level": level.value}
    if level is Level.FULL or grade.verdict == "correct":
        return view
    # Below full, an unreadable answer still says why (its text is the student's own), unless the
    # grader gave a hint instead (a question that cannot be graded names its key in the message).
    hint = grade.hint if grade.hint is not None or grade.verdict != "invalid" else grade.feedback
    if level is Level.HINT:
        return {**view, "feedback": hint or "your answer differs from the correct result at the point shown",
                "counterexample": _hint_counterexample(grade.counterexample)}
    return {**view, "feedback": VERDICT_ONLY.get(grade.verdict, hint), "diagnosis": None,
            "counterexample": None, "credit_reason": "partial credit" if grade.credit_reason else None}


def steps_for_student(report: StepReport, level: Level | str = Level.FULL) -> dict:
    """check-steps' report as a student sees it at ``level``: each line is compared with the line
    before it (the student's own), the last line with the key through ``for_student``."""
    level = Level.parse(level)
    steps = []
    for step in report.steps:
        shown = dict(vars(step))
        if level is Level.VERDICT and step.verdict != "invalid":
            shown.update(feedback="", counterexample=None)
        steps.append(shown)
    return {"question": report.question, "first_broken_step": report.first_broken,
            "last_line_equals_key": report.final is not None and report.final.verdict == "correct",
            "final": for_student(report.final, level) if report.final else None,
            "steps": steps, "feedback_level": level.value}


# --- text ---------------------------------------------------------------------------------------
LABELS = {"your_answer": "your answer", "key": "key", "previous_line": "previous line"}


def format_counterexample(example: dict) -> str:
    """One line per value, numbers as the grader rounded them."""
    lines = [f"  {name} = {json.dumps(value)}" for name, value in example.get("values", {}).items()]
    for name, label in LABELS.items():
        if name in example and example[name] != "…":
            lines.append(f"  {label}: {json.dumps(example[name])}")
    for entry in example.get("entries_that_differ", []):
        other = next(((LABELS[name], entry[name]) for name in ("previous_line", "key") if name in entry), None)
        lines.append(f"  entry {tuple(entry['index'])}: yours {entry['yours']}"
                     + (f", {other[0]} {other[1]}" if other else ""))
    return "\n".join(lines)


def render_text(view: dict) -> str:
    """``for_student``'s view as the command line prints it."""
    lines = [view["verdict"]]
    if view.get("interpreted_as"):
        lines.append(f"read as: {view['interpreted_as']}")
    if view["verdict"] != "correct":
        lines.append(f"feedback: {view['feedback']}")
    if view.get("credit_reason"):
        lines.append(f"credit: {view['credit_reason']}")
    if view.get("counterexample"):
        lines += ["counterexample:", format_counterexample(view["counterexample"])]
    return "\n".join(lines)
