"""Grade a whole class: one output row per input row, in order, whatever the row holds.

Input CSV columns: student, question, answer, and optionally format (text | latex; plain, txt and
tex are read as those). An unknown question id, an empty, unreadable or over-long answer, or a
row cut at an unquoted comma (cells beyond the header, or the answer's rest in the format cell) is an ``invalid`` row, never a crash; so is any answer whose grading fails unexpectedly
("internal error, reported", with the traceback on stderr). The file itself is refused
(``BatchError``, naming the line) when it is not CSV with the needed columns, has an unterminated
quote, names an unknown format, or exceeds MAX_FILE bytes. Identical answers to a question are graded once. Output is CSV
or JSON by the file's extension, written atomically. Gradebook totals are in totals.py, the
Gradescope autograder in gradescope.py.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Callable, Mapping

from .bank import Question
from .expr import InvalidAnswer
from .grader import Grade, grade_tree, read_answer_with_notes, with_notes

REQUIRED = ("student", "question", "answer")
OUTPUT_COLUMNS = ("student", "question", "format", "verdict", "score", "max_score", "diagnosis", "interpreted_as",
                  "feedback", "credit_reason")
MAX_FILE = 64 << 20    # bytes; a larger class file is refused whole (a class of 1,000 writes well under 1 MB)
MAX_CELL = 10_000      # characters; a longer answer is refused in its row (the readers stop at 2,000)
REFUSED = "answer refused"   # the reason a row's answer was dropped while reading
FORMATS = {"": "text", "text": "text", "plain": "text", "plaintext": "text", "txt": "text",
           "latex": "latex", "tex": "latex"}
CUT_AT_A_COMMA = ("the answer has a comma outside double quotes, so it was cut there and its rest "
                  "went to the next cell; put an answer that holds a comma in double quotes, as in \"max(g, 0)\"")
INTERNAL_ERROR = "internal error, reported: this answer could not be graded; please tell the instructor"


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
    """The rows of a class file, read as a stream (memory follows the longest cell, not the
    file). Raises BatchError (naming the line) for a file that cannot be graded as a whole; a bad
    answer, however long, is never the file's problem: it is that row's invalid answer."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE:
            raise BatchError(f"{path} is {size} bytes; the bound is {MAX_FILE}")
        csv.field_size_limit(MAX_FILE)   # an over-long cell is that row's invalid answer, not the file's
        _check_encoding(path)
        with _opened(path) as stream:
            _check_quotes(stream, path)
        with _opened(path) as stream:
            return list(_rows(csv.DictReader(stream), path))
    except OSError as error:
        raise BatchError(f"cannot read {path}: {error.strerror}") from None


def _check_encoding(path) -> None:
    """A file that is not UTF-8 (a spreadsheet's Latin-1 or UTF-16 export) would come out with
    replacement characters in names and answers: refuse it, naming the line and the fix."""
    decoder, lines = codecs.getincrementaldecoder("utf-8")(), 1
    with open(path, "rb") as handle:
        head = handle.read(4096)
        # UTF-16 (Excel's "Unicode text") starts with a byte-order mark or, without one, puts a zero
        # byte beside every ASCII letter, which is valid UTF-8 and would be read as garbage
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(0) * 4 > len(head):
            raise BatchError(f"{path} is UTF-16 text (a spreadsheet's \"Unicode text\"), not UTF-8; save the "
                             "file as CSV UTF-8 and grade it again")
        handle.seek(0)
        while chunk := handle.read(1 << 20):      # in pieces: a huge cell costs no memory here
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line = lines + chunk.count(b"\n", 0, max(error.start, 0))
                raise BatchError(f"{path}: line {line} is not UTF-8 text (it holds the byte "
                                 f"{chunk[max(error.start, 0)]:#04x}); save the file as CSV UTF-8 and grade it "
                                 "again") from None
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise BatchError(f"{path}: its last line is not UTF-8 text (it ends inside a character); save the "
                             "file as CSV UTF-8 and grade it again") from None


def _opened(path):
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def _rows(reader: csv.DictReader, path):
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise BatchError(f"{path} lacks the column(s) {', '.join(missing)}; the header must have "
                         "student,question,answer and optionally format")
    try:
        for row in reader:
            fmt = (row.get("format") or "").strip().lower()
            if fmt not in FORMATS and not cut_at_a_comma(row):   # a typo in a column of the file
                raise BatchError(f"{path}: line {reader.line_num}: unknown format {fmt!r}; write text or "
                                 "latex (or plain, plaintext, txt / tex), or leave the cell empty for text")
            row = dict(row)
            if len(row.get("answer") or "") > MAX_CELL:   # dropped at once: only its length is kept
                row["answer"], row[REFUSED] = "", (f"the answer is {len(row['answer'])} characters long; "
                                                   f"the bound is {MAX_CELL}")
            yield row
    except csv.Error as error:
        raise BatchError(f"{path}: line {reader.line_num}: {error}") from None


def cut_at_a_comma(row: Mapping) -> bool:
    """A row cut at an unquoted comma: cells beyond the header (csv puts them under None), or the
    answer's rest in the format cell. That row is invalid, not the file."""
    fmt = (row.get("format") or "").strip().lower()
    return bool(row.get(None)) or (fmt not in FORMATS and answer_spilled(fmt, row.get("answer") or ""))


def answer_spilled(format_cell: str, answer: str) -> bool:
    """A format cell that is no word (``w)+alpha*w``), or an answer whose brackets do not close
    (``max(g``), is the rest of an answer cut at a comma; a typo of a format is one word."""
    return not format_cell.replace("-", "").isalpha() or any(
        answer.count(a) != answer.count(b) for a, b in ("()", "[]", "{}"))


def _check_quotes(stream, path) -> None:
    """A quote that is never closed would swallow every row after it: refuse, naming its line."""
    reader = csv.reader(stream, strict=True)
    ended = 0
    try:
        for _ in reader:
            ended = reader.line_num
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            raise BatchError(f"{path}: line {ended + 1}: a quoted cell starts here and is never closed "
                             "(an unterminated \")") from None
        # any other irregularity is read leniently, as spreadsheets write it


def grade_row(bank: dict[str, Question], row: dict, cache: dict | None = None) -> tuple[str, Grade]:
    """One row's format and grade; never raises (an unexpected error is an invalid row)."""
    question_id = (row.get("question") or "").strip()
    fmt = (row.get("format") or "").strip().lower()
    fmt = FORMATS.get(fmt, fmt)
    if row.get(REFUSED):
        return fmt, Grade(question_id, "invalid", None, row[REFUSED])
    if cut_at_a_comma(row):   # neither the answer nor the format cell holds what its header says
        return "", Grade(question_id, "invalid", None, CUT_AT_A_COMMA)
    try:
        return fmt, _grade_row(bank, question_id, row.get("answer") or "", fmt, cache if cache is not None else {})
    except Exception:   # the safety net: report the bug, grade the rest
        print(f"regverify: internal error grading a row (question {question_id!r}):", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return fmt, Grade(question_id, "invalid", None, INTERNAL_ERROR)


def _grade_row(bank, question_id: str, answer: str, fmt: str, cache: dict) -> Grade:
    if fmt not in ("text", "latex"):
        return Grade(question_id, "invalid", None, f"unknown format {fmt!r}; use text or latex")
    if question_id not in bank and question_id.lower() in bank:
        question_id = question_id.lower()   # ids are lower case; a spreadsheet's capital is no new question
    if question_id not in bank:
        return Grade(question_id, "invalid", None, f"unknown question id {question_id!r}; see 'regverify questions'")
    text_key = (question_id, fmt, answer)
    if text_key in cache:
        return cache[text_key]
    question, latex = bank[question_id], fmt == "latex"
    try:
        tree, notes = read_answer_with_notes(question, answer, latex)
    except InvalidAnswer as error:
        result = Grade(question_id, "invalid", None, str(error))
    else:
        tree_key = (question_id, latex, tree)
        if tree_key not in cache:
            cache[tree_key] = grade_tree(question, tree, latex)
        result = with_notes(cache[tree_key], notes)
    if len(answer) <= 10_000:
        cache[text_key] = result
    return result


CHUNK = 500              # distinct answers a worker grades at a time
MIN_PARALLEL = 200        # distinct answers below which worker processes cost more than they save
_WORKER_BANK: dict = {}   # the bank a forked worker grades against (inherited, never pickled)


def _row_key(row: dict) -> tuple:
    return (row.get("question") or "", row.get("format") or "", row.get("answer") or "")


def _grade_chunk(keys: list[tuple]) -> list[tuple]:
    """In a worker: grade the distinct answers of one question (its trial set is drawn once)."""
    cache: dict = {}
    return [(key, grade_row(_WORKER_BANK, {"question": key[0], "format": key[1], "answer": key[2]}, cache))
            for key in keys]


def grade_distinct_in_parallel(bank, rows, jobs: int, progress: Callable | None = None) -> dict:
    """Each distinct answer's (format, grade), graded in ``jobs`` forked worker processes, one
    question's answers together. A chunk a worker fails on is graded here, so no row is lost;
    the grades are those of one process (a grade depends on the expression and the question only)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    chunks: dict[str, list] = {}
    for row in rows:
        if not row.get(REFUSED) and not cut_at_a_comma(row):
            chunks.setdefault((row.get("question") or "").strip(), {})[_row_key(row)] = None
    # Big ones first, in pieces small enough that progress is seen (the trials are the question's own,
    # so a piece grades as the whole would).
    ordered = sorted((keys[i:i + CHUNK] for keys in map(list, chunks.values()) for i in range(0, len(keys), CHUNK)),
                     key=len, reverse=True)
    total = sum(map(len, ordered))
    graded: dict = {}
    global _WORKER_BANK
    _WORKER_BANK = bank
    try:    # an executor, not a Pool: a worker that dies (killed, out of memory) is reported, not waited for
        with ProcessPoolExecutor(min(jobs, len(ordered)), mp_context=multiprocessing.get_context("fork")) as pool:
            total = sum(len(keys) for keys in ordered)
            for done in as_completed([pool.submit(_grade_chunk, keys) for keys in ordered]):
                graded.update(done.result())
                if progress:
                    progress(len(graded), total, "distinct answers")
    except Exception as error:   # a worker lost (killed, out of memory): grade the rest here
        print(f"regverify: worker processes failed ({type(error).__name__}: {error}); grading the rest "
              "in this process", file=sys.stderr)
    finally:
        _WORKER_BANK = {}
    for keys in ordered:
        missing = [k for k in keys if k not in graded]
        if missing:
            cache: dict = {}
            graded.update((k, grade_row(bank, {"question": k[0], "format": k[1], "answer": k[2]}, cache))
                          for k in missing)
    return graded


def grade_rows(bank, rows, progress: Callable[[int, int], None] | None = None,
               levels: Mapping[str, str] | None = None, credit: Mapping[str, dict] | None = None,
               jobs: int = 1, points: Mapping[str, float] | None = None) -> list[dict]:
    """One result per row, in order, each as a student sees it at its question's feedback level
    (``levels``: question id → level; default full), its score the fraction of the points earned
    (``credit``: question id → {diagnosis: share}); ``score`` is in points, of ``max_score`` (``points``:
    question id → points, default 1), the unit the totals add up. Identical answers to a question are graded once;
    with ``jobs`` > 1 the distinct answers are graded in that many worker processes."""
    from .feedback import for_student
    from .grader import with_credit
    out, cache = [], {}
    distinct = {_row_key(row) for row in rows} if jobs > 1 else ()
    graded = grade_distinct_in_parallel(bank, rows, jobs, progress) if len(distinct) >= MIN_PARALLEL else {}
    for i, row in enumerate(rows):
        key = None if row.get(REFUSED) or cut_at_a_comma(row) else _row_key(row)
        fmt, result = graded[key] if key in graded else grade_row(bank, row, cache)
        if credit is not None:
            result = with_credit(result, credit.get(result.question, {}))
        view = for_student(result, levels[result.question] if levels is not None else "full")
        worth = points.get(result.question, 1.0) if points is not None else 1.0
        out.append({"student": row.get("student") or "", "question": result.question, "format": fmt,
                    "verdict": result.verdict, "score": _points(result.credit * worth),
                    "max_score": _points(worth),
                    "credit_reason": view["credit_reason"] or "",
                    "diagnosis": view["diagnosis"] or "", "interpreted_as": result.interpreted_as or "",
                    "feedback": view["feedback"], "counterexample": view["counterexample"]})
        if progress:
            progress(i + 1, len(rows))
    return out


def _points(x: float):
    """Points as the gradebook shows them: whole numbers without a decimal point."""
    return int(x) if float(x).is_integer() else round(float(x), 6)


def render(results: list[dict], path: str | Path) -> str:
    if str(path).lower().endswith(".json"):
        return json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=OUTPUT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(results)
    return buffer.getvalue()
