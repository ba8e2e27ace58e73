"""Read a student's submission: a file written by hand, one answer a line, or a CSV.

Text form (any file not ending in .csv)::

    # Regularization homework, Ann Lee
    l2-grad: g + alpha*w
    kl-grad-rho-hat [latex]: -\\frac{\\rho}{\\hat\\rho} + \\frac{1-\\rho}{1-\\hat\\rho}

One ``QID: answer`` per line, ``QID [latex]: answer`` (or ``[text]``) to say how to read it; an
answer wrapped in ``$…$`` or ``\\(…\\)`` is read as LaTeX. ``#`` starts a comment (``\\#`` does
not); blank lines are skipped; an indented line that does not start with ``QID:`` continues the
answer above it. Question ids are matched ignoring case. If a question is answered twice, the
last answer counts. CSV form: a header with ``question,answer`` and optionally ``format``.

Reading never fails: whatever cannot be used becomes a ``problem`` (a sentence for the
student), and the questions it would have answered get no answer.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from .batch import CUT_AT_A_COMMA, FORMATS, cut_at_a_comma

MAX_BYTES = 1 << 20
LINE = re.compile(r"^([A-Za-z0-9][\w.\-]*)\s*(?:\[\s*([^\]]*?)\s*\])?\s*:(.*)$", re.S)
COMMENT = re.compile(r"(?<!\\)#")
FORMAT_NAMES = {**FORMATS, "": None}   # an empty cell: the assignment's default


@dataclass
class Answer:
    question: str
    text: str
    format: str | None      # "text", "latex", None (the assignment's default), or what was written
    line: int


@dataclass
class Submission:
    answers: dict[str, Answer] = field(default_factory=dict)   # by question id, as the assignment spells it
    problems: list[str] = field(default_factory=list)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), or UTF-16 with a BOM as some editors save; never raises."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    return raw.decode("utf-8-sig", errors="replace")


def _looks_latex(text: str) -> bool:
    t = text.strip()
    return (len(t) >= 2 and t[0] == "$" and t[-1] == "$") or (t.startswith("\\(") and t.endswith("\\)"))


class _Collector:
    def __init__(self, ids: list[str]):
        self.by_key = {qid.lower(): qid for qid in ids}
        self.ids = ids
        self.submission = Submission()

    def add(self, qid: str, text: str, fmt: str | None, line: int) -> None:
        out = self.submission
        known = self.by_key.get(qid.strip().lower())
        if known is None:
            out.problems.append(f"line {line}: unknown question id {qid.strip()!r}; this assignment's "
                                f"questions are {', '.join(self.ids)}")
            return
        text = text.strip()
        if fmt is not None:
            fmt = FORMAT_NAMES.get(fmt.strip().lower(), fmt.strip())
        if fmt is None and _looks_latex(text):
            fmt = "latex"
        if known in out.answers:
            out.problems.append(f"line {line}: {known} is answered again (first on line "
                                f"{out.answers[known].line}); the last answer counts")
        out.answers[known] = Answer(known, text, fmt, line)


def parse_text(text: str, ids: list[str]) -> Submission:
    collector = _Collector(ids)
    current: Answer | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = COMMENT.split(raw, maxsplit=1)[0].rstrip()
        if not line.strip():
            continue
        match = LINE.match(line.strip())
        if match and not (line[0].isspace() and match.group(1).lower() not in collector.by_key):
            qid, fmt, answer = match.groups()
            collector.add(qid, answer, fmt, number)
            added = collector.submission.answers.get(collector.by_key.get(qid.strip().lower(), ""))
            current = added if added is not None and added.line == number else None
        elif line[0].isspace() and current is not None:
            current.text = f"{current.text} {line.strip()}".strip()
            if current.format is None and _looks_latex(current.text):
                current.format = "latex"
        else:
            shown = line.strip()
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            collector.submission.problems.append(f"line {number}: expected 'QID: answer' but got {shown!r}")
    return collector.submission


def parse_csv(text: str, ids: list[str]) -> Submission:
    collector = _Collector(ids)
    reader = csv.DictReader(io.StringIO(text.replace("\0", ""), newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "question" not in columns or "answer" not in columns:
        collector.submission.problems.append(
            "the CSV file needs a header line with the columns question,answer (and optionally format)")
        return collector.submission
    reader.fieldnames = columns
    try:
        for row in reader:
            question = row.get("question")
            if not isinstance(question, str) or not question.strip():
                if any(isinstance(v, str) and v.strip() for v in row.values()):
                    collector.submission.problems.append(f"line {reader.line_num}: no question id")
                continue
            answer = row.get("answer") if isinstance(row.get("answer"), str) else ""
            fmt = row.get("format") if isinstance(row.get("format"), str) else None
            if cut_at_a_comma(row):
                collector.submission.problems.append(
                    f"line {reader.line_num}: the answer to {question.strip()} is not graded: {CUT_AT_A_COMMA}")
                continue
            collector.add(question, answer, fmt, reader.line_num)
    except csv.Error as error:
        collector.submission.problems.append(f"line {reader.line_num}: the CSV cannot be read further ({error})")
    return collector.submission


def parse_submission(raw: bytes | str, ids: list[str], filename: str = "answers.txt") -> Submission:
    """The answers in a submission for the question ``ids``; problems instead of exceptions."""
    text = decode(raw[:MAX_BYTES]) if isinstance(raw, bytes) else raw[:MAX_BYTES]
    problems = []
    if isinstance(raw, (bytes, str)) and len(raw) > MAX_BYTES:
        problems.append(f"the file is larger than {MAX_BYTES // 1024} KiB; only its beginning was read")
    if filename.lower().endswith(".csv"):
        submission = parse_csv(text, ids)
    else:
        submission = parse_text(text, ids)
    submission.problems[:0] = problems
    return submission
