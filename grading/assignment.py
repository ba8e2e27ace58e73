"""An assignment: which questions, for how many points, read how, from which file.

The assignment file is JSON (documented in docs/gradescope.md)::

    {"title": "Regularization homework", "submission": "answers.txt", "visibility": "visible",
     "bank": null,
     "questions": [{"id": "l2-grad", "points": 2},
                   {"id": "kl-grad-rho-hat", "points": 1, "format": "latex"}]}

``bank`` is an instructor bank folder, relative to the assignment file (null: the bundled bank);
``feedback`` (for the assignment or one question) is what a student is shown: ``full``, ``hint``
or ``verdict`` (feedback.py; Gradescope's default is ``hint``); ``full_feedback_after_due_date``
adds, for each question not answered correctly, a zero-point test with the full explanation
that Gradescope shows only after the due date;
``visibility`` is one of Gradescope's values; ``format`` is how an answer to that question is read
when the submission does not say (``text`` if absent). Everything is checked when the file is
loaded, so a TA learns of a typo when building the autograder, not when students submit.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
FORMATS = ("text", "latex")
FIELDS = {"title", "submission", "visibility", "bank", "questions", "feedback", "full_feedback_after_due_date",
          "partial_credit"}
QUESTION_FIELDS = {"id", "points", "format", "feedback", "partial_credit"}
# The kinds of mistake the grader names (grader.py); a partial_credit key that is none of them is an answer.
DIAGNOSES = ("known-mistake", "sign", "constant-factor", "factor", "transpose", "missing-term", "term-sign",
             "extra-term", "swapped", "wrong-shape", "undefined", "exact-difference")
FEEDBACK_LEVELS = ("full", "hint", "verdict")
MAX_BYTES = 1 << 20


class AssignmentError(ValueError):
    """The assignment file cannot be used; the message names the field and what to write."""


@dataclass(frozen=True)
class Item:
    id: str
    points: float = 1.0
    format: str = "text"
    feedback: str | None = None       # None: the assignment's
    partial_credit: tuple = ()        # ((diagnosis or answer, fraction), ...)


@dataclass
class Assignment:
    title: str
    questions: list[Item]
    submission: str = "answers.txt"
    visibility: str = "visible"
    bank: str | None = None
    feedback: str | None = None       # None: the front end's default (hint for Gradescope)
    full_feedback_after_due_date: bool = False
    partial_credit: tuple = ()        # ((diagnosis, fraction), ...) for every question
    path: Path | None = field(default=None, compare=False)

    def credit_by_diagnosis(self, qid: str) -> dict[str, float]:
        """The shares of the points a question's mistakes earn by their kind (the question's win)."""
        item = next((q for q in self.questions if q.id == qid), None)
        rules = dict(self.partial_credit)
        rules.update((k, v) for k, v in (item.partial_credit if item else ()) if k in DIAGNOSES)
        return rules

    def credit_by_answer(self, qid: str) -> dict[str, float]:
        item = next((q for q in self.questions if q.id == qid), None)
        return {k: v for k, v in (item.partial_credit if item else ()) if k not in DIAGNOSES}

    def feedback_level(self, qid: str | None, default: str) -> str:
        """The level a question's feedback is shown at: the question's, the assignment's, or ``default``."""
        item = next((q for q in self.questions if q.id == qid), None)
        return (item.feedback if item is not None and item.feedback else None) or self.feedback or default

    @property
    def max_score(self) -> float:
        return sum(item.points for item in self.questions)

    def bank_dir(self) -> Path | None:
        """The instructor bank folder (relative paths are read from the assignment's folder)."""
        if self.bank is None:
            return None
        folder = Path(self.bank)
        if not folder.is_absolute() and self.path is not None:
            folder = self.path.parent / folder
        return folder

    def as_dict(self) -> dict:
        out = {"title": self.title, "submission": self.submission, "visibility": self.visibility,
               "bank": self.bank,
               "questions": [{"id": q.id, "points": q.points, "format": q.format,
                              **({"feedback": q.feedback} if q.feedback else {}),
                              **({"partial_credit": dict(q.partial_credit)} if q.partial_credit else {})}
                             for q in self.questions]}
        if self.feedback:
            out["feedback"] = self.feedback
        if self.full_feedback_after_due_date:
            out["full_feedback_after_due_date"] = True
        if self.partial_credit:
            out["partial_credit"] = dict(self.partial_credit)
        return out     # parse_assignment(as_dict()) is this assignment again: the autograder grades as it does

    def check_against(self, bank: dict) -> None:
        """Every question id must be in the bank."""
        unknown = [q.id for q in self.questions if q.id not in bank]
        if unknown:
            raise AssignmentError(f"{self._where()}: unknown question id(s) {', '.join(map(repr, unknown))}; "
                                  f"the bank has: {', '.join(bank)}")

    def _where(self) -> str:
        return str(self.path) if self.path else "the assignment"


def _points(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise AssignmentError(f"{where}: expected points to be a positive number but got points={value!r}")
    return float(value)


def _item(entry, where: str) -> Item:
    if not isinstance(entry, dict):
        raise AssignmentError(f"{where}: expected an object like {{\"id\": \"l2-grad\", \"points\": 1}} "
                              f"but got {entry!r}")
    unknown = set(entry) - QUESTION_FIELDS
    if unknown:
        raise AssignmentError(f"{where}: unknown field(s) {sorted(unknown)}; a question has "
                              f"{sorted(QUESTION_FIELDS)}")
    qid = entry.get("id")
    if not isinstance(qid, str) or not qid.strip():
        raise AssignmentError(f"{where}: expected a question id (a string) but got id={qid!r}")
    fmt = entry.get("format", "text")
    if fmt not in FORMATS:
        raise AssignmentError(f"{where}: expected format to be one of {list(FORMATS)} but got format={fmt!r}")
    return Item(qid.strip(), _points(entry.get("points", 1), where), fmt, _feedback(entry.get("feedback"), where),
                _partial_credit(entry.get("partial_credit"), where, answers=True))


def _partial_credit(value, where: str, answers: bool) -> tuple:
    """{"sign": 0.5, "g + 2*alpha*w": 0.25}: a kind of mistake (or, for a question, an answer) and
    the fraction of the points it earns."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise AssignmentError(f"{where}: expected partial_credit to be an object like {{\"sign\": 0.5}} "
                              f"but got partial_credit={value!r}")
    out = []
    for key, share in value.items():
        if not answers and key not in DIAGNOSES:
            raise AssignmentError(f"{where}: partial_credit: {key!r} is not a kind of mistake; use one of "
                                  f"{', '.join(DIAGNOSES)} (an answer can be given credit in its question's "
                                  "partial_credit)")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share < 1:
            raise AssignmentError(f"{where}: expected partial_credit[{key!r}] to be a fraction of the points "
                                  f"from 0 up to 1 (not included) but got {share!r}")
        out.append((key, float(share)))
    return tuple(out)


def _feedback(value, where: str) -> str | None:
    if value is not None and value not in FEEDBACK_LEVELS:
        raise AssignmentError(f"{where}: expected feedback to be one of {list(FEEDBACK_LEVELS)} "
                              f"but got feedback={value!r}")
    return value


def _submission_name(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AssignmentError(f"{where}: expected submission to be a file name but got submission={value!r}")
    name = PurePosixPath(value.strip())
    if name.is_absolute() or ".." in name.parts or "\\" in value:
        raise AssignmentError(f"{where}: submission must be a path inside the student's submission "
                              f"(like answers.txt) but got submission={value!r}")
    return str(name)


def parse_assignment(document, path: Path | None = None) -> Assignment:
    where = str(path) if path else "the assignment"
    if not isinstance(document, dict):
        raise AssignmentError(f"{where}: expected a JSON object with a questions list")
    unknown = set(document) - FIELDS
    if unknown:
        raise AssignmentError(f"{where}: unknown field(s) {sorted(unknown)}; an assignment has {sorted(FIELDS)}")
    questions = document.get("questions")
    if not isinstance(questions, list) or not questions:
        raise AssignmentError(f"{where}: expected questions to be a non-empty list but got questions={questions!r}")
    items = [_item(entry, f"{where}: questions[{i}]") for i, entry in enumerate(questions)]
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise AssignmentError(f"{where}: question {item.id!r} is listed twice")
        seen.add(item.id)
    visibility = document.get("visibility", "visible")
    if visibility not in VISIBILITIES:
        raise AssignmentError(f"{where}: expected visibility to be one of {list(VISIBILITIES)} "
                              f"but got visibility={visibility!r}")
    bank = document.get("bank")
    if bank is not None and (not isinstance(bank, str) or not bank.strip()):
        raise AssignmentError(f"{where}: expected bank to be a folder name or null but got bank={bank!r}")
    title = document.get("title", path.stem if path else "Assignment")
    if not isinstance(title, str):
        raise AssignmentError(f"{where}: expected title to be a string but got title={title!r}")
    after = document.get("full_feedback_after_due_date", False)
    if not isinstance(after, bool):
        raise AssignmentError(f"{where}: expected full_feedback_after_due_date to be true or false "
                              f"but got full_feedback_after_due_date={after!r}")
    return Assignment(title=title, questions=items,
                      submission=_submission_name(document.get("submission", "answers.txt"), where),
                      visibility=visibility, bank=bank, feedback=_feedback(document.get("feedback"), where),
                      full_feedback_after_due_date=after,
                      partial_credit=_partial_credit(document.get("partial_credit"), where, answers=False), path=path)


def load_assignment(path: str | Path) -> Assignment:
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise AssignmentError(f"cannot read {path}: {error.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise AssignmentError(f"{path} is larger than {MAX_BYTES} bytes; is it the assignment file?")
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AssignmentError(f"{path}: not valid JSON: {error}") from None
    except RecursionError:
        raise AssignmentError(f"{path}: nested too deeply to be an assignment file") from None
    return parse_assignment(document, path.resolve())


def load_bank_for(assignment: Assignment) -> dict:
    """The assignment's question bank, checked to hold every question it lists; an answer a question
    gives partial credit becomes one more known mistake of it."""
    from .bank import BankError, Mistake, load_bank
    from .expr import InvalidAnswer
    from .plaintext import parse_plain
    try:
        bank = load_bank(assignment.bank_dir())
    except BankError as error:
        raise AssignmentError(f"the question bank of {assignment._where()} cannot be read: {error}") from None
    assignment.check_against(bank)
    for item in assignment.questions:   # an answer given credit is one more known mistake of its question
        question = bank[item.id]
        for answer, share in assignment.credit_by_answer(item.id).items():
            try:
                tree = parse_plain(answer, question.names)
            except InvalidAnswer as error:
                raise AssignmentError(f"{assignment._where()}: question {item.id!r}: partial_credit: {answer!r} "
                                      f"is neither a kind of mistake ({', '.join(DIAGNOSES)}) nor an answer "
                                      f"that can be read: {error}") from None
            listed = next((m for m in question.mistakes if m.tree == tree), None)
            if listed is not None:
                listed.credit = share
            else:
                question.mistakes.append(Mistake(answer, "this answer is one the instructor gives partial credit",
                                                 tree, "your answer earns partial credit, but it is not correct",
                                                 share))
    return bank
