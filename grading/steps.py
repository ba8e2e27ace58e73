"""Check a derivation step by step: each line must equal the one before on the question's domain.

The lines are compared on the same seeded points as answers are graded on; the report names
the first step that breaks, with a counterexample, and says whether the last line is the key.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .bank import Question
from .expr import InvalidAnswer
from .grader import (Grade, WrongShapeOrUndefined, _close, _counterexample, evaluate_on, grade,
                     read_answer, trials_for)

MAX_LINES = 50


@dataclass
class Step:
    number: int
    text: str
    interpreted_as: str | None
    verdict: str            # start | equivalent | not-equivalent | invalid
    feedback: str = ""
    counterexample: dict | None = None


@dataclass
class StepReport:
    question: str
    steps: list[Step] = field(default_factory=list)
    first_broken: int | None = None
    final: Grade | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken is None and self.final is not None and self.final.verdict == "correct"

    def as_dict(self) -> dict:
        return {"question": self.question, "first_broken_step": self.first_broken,
                "last_line_equals_key": self.final is not None and self.final.verdict == "correct",
                "final": self.final.as_dict() if self.final else None,
                "steps": [vars(s) for s in self.steps]}


def check_steps(question: Question, lines: list[str], latex: bool = False) -> StepReport:
    lines = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    report = StepReport(question.id)
    if not lines:
        raise InvalidAnswer("the derivation has no lines")
    if len(lines) > MAX_LINES:
        raise InvalidAnswer(f"the derivation has {len(lines)} lines; the bound is {MAX_LINES}")
    previous = None     # (tree, text) of the line before
    for number, text in enumerate(lines, start=1):
        start = time.perf_counter()
        try:
            tree = read_answer(question, text, latex)
            trees = [tree] if previous is None else [previous[0], tree]
            chosen = trials_for(question, trees, latex, start)
            before = {}
            if previous is not None:
                earlier, _ = evaluate_on(question, previous[0], latex, chosen, start, reference=None)
                before = {id(t): v for t, v in earlier}
            reference = None if previous is None else (lambda t: before[id(t)])
            values, interpreted = evaluate_on(question, tree, latex, chosen, start, reference,
                                              "the previous line")
        except InvalidAnswer as error:
            report.steps.append(Step(number, text, None, "invalid", str(error)))
            report.first_broken = report.first_broken or number
            return report
        except WrongShapeOrUndefined as error:
            report.steps.append(Step(number, text, error.interpreted, "not-equivalent", error.feedback,
                                     _counterexample(error.trial, error.value, error.reference, "previous_line")))
            report.first_broken = report.first_broken or number
            return report
        if previous is None:
            report.steps.append(Step(number, text, interpreted, "start"))
        else:
            broken = next(((t, v) for t, v in values
                           if not _close(v, before[id(t)], question.rtol, question.atol)), None)
            if broken is None:
                report.steps.append(Step(number, text, interpreted, "equivalent"))
            else:
                trial, value = broken
                example = _counterexample(trial, value, before[id(trial)], "previous_line",
                                          question.rtol, question.atol)
                report.steps.append(Step(number, text, interpreted, "not-equivalent",
                                         f"line {number} differs from line {number - 1}", example))
                report.first_broken = report.first_broken or number
        previous = (tree, text)
    report.final = grade(question, lines[-1], latex)
    return report
