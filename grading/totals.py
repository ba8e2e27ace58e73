"""Gradebook totals: one row per student, ready for an LMS's CSV grade import (Canvas, Moodle).

Columns: ``student``, one column per question (the points that answer earned), ``total``,
``max``. The questions and their points come from an assignment file when one is given, else
every known question that appears in the batch, one point each. Student ids are compared
ignoring case and spacing (the first spelling is shown, and ids merged so are reported); a
student's last row for a question counts, and more than one is reported; a question they did not
answer scores 0. The batch's ``score`` is in points, as the totals are.
"""
from __future__ import annotations

import csv
import io

from .assignment import Assignment, Item


def apply_default_formats(rows: list[dict], assignment: Assignment | None) -> list[dict]:
    """Rows whose format is empty are read as the assignment says for that question."""
    if assignment is None:
        return rows
    formats = {item.id: item.format for item in assignment.questions}
    out = []
    for row in rows:
        qid = (row.get("question") or "").strip()
        if not (row.get("format") or "").strip() and qid in formats:
            row = {**row, "format": formats[qid]}
        out.append(row)
    return out


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


def totals(results: list[dict], bank: dict, assignment: Assignment | None = None) -> tuple[list[dict], list[str], list[str]]:
    """(rows, columns, warnings) of the gradebook for batch ``results`` (grade_rows' output)."""
    if assignment is not None:
        items = list(assignment.questions)
    else:
        seen: dict[str, Item] = {}
        for r in results:
            if r["question"] in bank and r["question"] not in seen:
                seen[r["question"]] = Item(r["question"], 1.0)
        items = list(seen.values())
    points = {item.id: item.points for item in items}
    earned: dict[str, dict[str, float]] = {}
    spelled: dict[str, str] = {}          # a student's id as first written, by its normalized form
    answered: dict[tuple[str, str], int] = {}
    warnings, ignored = [], set()
    for r in results:
        written = " ".join((r.get("student") or "").split())
        if not written:
            warnings.append(f"a row for {r['question'] or '(no question)'} has no student; it is not in the totals")
            continue
        student = written.casefold()   # Ann, ann and ' ANN ' are one student
        if spelled.setdefault(student, written) != written and f"ids {spelled[student]!r} and {written!r}" not in " ".join(warnings):
            warnings.append(f"the student ids {spelled[student]!r} and {written!r} differ only in case or "
                            f"spacing and are counted as one student, {spelled[student]!r}")
        scores = earned.setdefault(student, {})
        if r["question"] not in points:
            ignored.add(r["question"] or "(empty)")
            continue
        answered[(student, r["question"])] = answered.get((student, r["question"]), 0) + 1
        # the batch's score is already in points (of max_score); a score without max_score is a fraction
        score = float(r.get("score") or 0)
        scores[r["question"]] = score if r.get("max_score") not in (None, "") else points[r["question"]] * score
    duplicates = sorted(f"{spelled[s]} ({q}, {n} rows)" for (s, q), n in answered.items() if n > 1)
    if duplicates:
        warnings.append("more than one row for the same student and question (after ignoring case and "
                        f"spacing; the last row counts): {', '.join(duplicates)}")
    if ignored:
        warnings.append(f"rows for question(s) not in the assignment are not in the totals: {', '.join(sorted(ignored))}")
    maximum = sum(points.values())
    columns = ["student", *points, "total", "max"]
    rows = []
    for student, scores in earned.items():
        row = {"student": spelled[student]}
        row.update({qid: _number(scores.get(qid, 0.0)) for qid in points})
        row["total"] = _number(sum(scores.get(qid, 0.0) for qid in points))
        row["max"] = _number(maximum)
        rows.append(row)
    return rows, columns, warnings


def render_totals(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
