"""Grade a whole class: one output row per input row, in order, whatever the row holds.

Input CSV columns: student, question, answer, and optionally format (text | latex). An unknown
question id, an empty answer or an unknown format is an ``invalid`` row, never a crash. Output is
CSV or JSON by the file's extension, written atomically. Gradebook totals are in totals.py,
the Gradescope autograder in gradescope.py.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Callable

from .bank import Question
from .grader import Grade, grade

REQUIRED = ("student", "question", "answer")
OUTPUT_COLUMNS = ("student", "question", "format", "verdict", "score", "diagnosis", "interpreted_as",
                  "feedback")
MAX_FIELD = 1 << 20   # a longer cell is cut by the csv reader's own bound, then refused by length


class BatchError(ValueError):
    """The file itself cannot be graded (missing columns, unreadable)."""


def atomic_write(path: str | Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it over: never half a file."""
    path = Path(path)
    with tempfile.NamedTemporaryFile("w", dir=path.parent.resolve(), delete=False, suffix=".tmp",
                                     encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(handle.name, 0o666 & ~current_umask())   # a temporary file is 0600; the result is not
    os.replace(handle.name, path)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_rows(path: str | Path) -> list[dict]:
    csv.field_size_limit(MAX_FIELD)
    try:
        text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError as error:
        raise BatchError(f"cannot read {path}: {error.strerror}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise BatchError(f"{path} lacks the column(s) {', '.join(missing)}; the header must have "
                         "student,question,answer and optionally format")
    try:
        return [dict(row) for row in reader]
    except csv.Error as error:
        raise BatchError(f"{path}: line {reader.line_num}: {error}") from None


def grade_row(bank: dict[str, Question], row: dict) -> tuple[str, Grade]:
    question_id = (row.get("question") or "").strip()
    answer = row.get("answer") or ""
    fmt = (row.get("format") or "text").strip().lower() or "text"
    if fmt not in ("text", "latex"):
        return fmt, Grade(question_id, "invalid", None, f"unknown format {fmt!r}; use text or latex")
    if question_id not in bank:
        return fmt, Grade(question_id, "invalid", None,
                          f"unknown question id {question_id!r}; see 'regverify questions'")
    return fmt, grade(bank[question_id], answer, latex=fmt == "latex")


def grade_rows(bank, rows, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    out = []
    for i, row in enumerate(rows):
        fmt, result = grade_row(bank, row)
        out.append({"student": row.get("student") or "", "question": result.question, "format": fmt,
                    "verdict": result.verdict, "score": int(result.verdict == "correct"),
                    "diagnosis": result.diagnosis or "", "interpreted_as": result.interpreted_as or "",
                    "feedback": result.feedback, "counterexample": result.counterexample})
        if progress:
            progress(i + 1, len(rows))
    return out


def render(results: list[dict], path: str | Path) -> str:
    if str(path).lower().endswith(".json"):
        return json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=OUTPUT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(results)
    return buffer.getvalue()
