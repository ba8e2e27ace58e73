"""A Gradescope autograder: build the zip a TA uploads, and grade one submission inside it.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once when it builds the
image, then for every submission puts the student's files in ``/autograder/submission``, runs
``run_autograder`` and reads ``/autograder/results/results.json`` (gradescope/autograder_samples,
docs/specs.md). ``run`` always writes that file, whatever the submission holds; its shape is the
JSON Schema ``gradescope_results.schema.json`` beside this module. See docs/gradescope.md.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .assignment import Assignment, AssignmentError, Item, load_assignment, load_bank_for
from .batch import atomic_write, current_umask
from .submission import Answer, Submission, parse_submission

DEFAULT_ROOT = "/autograder"
ASSIGNMENT_NAME = "assignment.json"
SCHEMA_NAME = "gradescope_results.schema.json"
ANSWER_SUFFIXES = (".txt", ".csv", ".tex", ".md", ".text")
MAX_LISTED = 200          # files looked at when the submission's file has another name

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image. It installs the regverify
# wheel bundled beside this script (the exact version the TA built the zip with); its
# dependencies come from PyPI. It uses whatever python3 is first on PATH.
set -euo pipefail
cd "$(dirname "$0")"
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "regverify needs Python 3.10 or newer; python3 is $(python3 --version 2>&1)." >&2
    echo "Choose a newer base image in the autograder settings (Ubuntu 22.04 has 3.10)." >&2
    exit 1
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3-pip
fi
python3 -m pip install --no-cache-dir ./regverify-*.whl
python3 -m regverify --version
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope copies this script to /autograder/run_autograder and runs it for each submission.
# It grades /autograder/submission and writes /autograder/results/results.json; if regverify
# itself cannot start, it still writes a results.json that says so (score 0).
ROOT="${GRADESCOPE_ROOT:-/autograder}"
export GRADESCOPE_ROOT="$ROOT"
mkdir -p "$ROOT/results"
status=0
python3 -m regverify gradescope run "$ROOT/source/assignment.json" || status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
    printf '{"score": 0, "output": "The autograder could not start (exit %s). Your instructor can see its log; please tell them.", "output_format": "md", "tests": []}\\n' "$status" > "$ROOT/results/results.json"
fi
exit "$status"
"""


class BuildError(RuntimeError):
    """The autograder zip cannot be built; the message says what to do instead."""


# --- Markdown ------------------------------------------------------------------------------------
def md_code(text: str, limit: int = 400) -> str:
    """``text`` as an inline code span, whatever backticks it holds (it may come from a student)."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    if not text:
        return "(empty)"
    run = longest = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_text(text: str) -> str:
    """Plain text in Markdown: characters that Markdown or HTML would act on are escaped."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + ch if ch in "\\`*_[]#|" else ch for ch in text)


def counterexample_md(example: dict | None) -> str:
    """A small table: the values of the point, the answer there, the key there."""
    if not example:
        return ""
    rows = [(name, value) for name, value in example.get("values", {}).items()]
    for name, label in (("your_answer", "your answer"), ("key", "the answer"), ("previous_line", "previous line")):
        if name in example and example[name] != "…":
            rows.append((label, example[name]))
    lines = ["| at | value |", "|---|---|"]
    lines += [f"| {md_code(name)} | {md_code(json.dumps(value))} |" for name, value in rows]
    other = "the previous line" if "previous_line" in example else "the answer"
    for entry in example.get("entries_that_differ", [])[:5]:
        reference = entry.get("previous_line", entry.get("key"))
        lines.append(f"| entry {md_code(tuple(entry['index']))} | yours {md_code(entry['yours'])}"
                     + (f", {other} {md_code(reference)}" if reference is not None else "") + " |")
    return "\n".join(lines)


# --- grading one submission ------------------------------------------------------------------------
def _points_text(x: float) -> str:
    return f"{x:g}"


def _of_points(score: float, points: float) -> str:
    return f"{_points_text(score)} of {_points_text(points)} point{'' if points == 1 else 's'}"


def grade_item(item: Item, bank: dict, answer: Answer | None, level: str = "hint",
               explain_after_due_date: bool = False, credit: dict | None = None) -> dict | list[dict]:
    """One question as a Gradescope test (a dict), its feedback shown at ``level``; with
    ``explain_after_due_date``, a list: that test and, when the answer is not correct, a
    zero-point test with the full explanation that Gradescope shows after the due date.
    ``credit`` gives a kind of mistake a share of the points. Never raises for anything in ``answer``."""
    from .feedback import Level, for_student
    from .grader import Grade, grade, with_credit
    question = bank[item.id]
    base = {"name": item.id, "max_score": item.points, "output_format": "md"}
    if answer is None or not answer.text.strip():
        why = f"no answer for {item.id}" if answer is None else f"the answer to {item.id} on line {answer.line} is empty"
        test = {**base, "score": 0, "status": "failed",
                "output": f"**no answer**: {_of_points(0, item.points)}\n\n{md_text(why)}",
                "extra_data": {"question": item.id, "verdict": "missing"}}
        return [test] if explain_after_due_date else test
    fmt = answer.format or item.format
    if fmt not in ("text", "latex"):
        result = Grade(item.id, "invalid", None, f"unknown format [{fmt}]; write [latex] or nothing (plain text)")
    else:
        result = with_credit(grade(question, answer.text, latex=fmt == "latex"), credit or {})
    score = item.points * result.credit
    test = {**base, "score": score, "status": "passed" if result.verdict == "correct" else "failed",
            "output": _test_output(question, item, answer, fmt, for_student(result, level), score),
            "extra_data": {"question": item.id, "verdict": result.verdict,
                           "diagnosis": for_student(result, level)["diagnosis"], "format": fmt}}
    if not explain_after_due_date:
        return test
    tests = [test]
    if result.verdict != "correct" and Level.parse(level) is not Level.FULL:
        full = for_student(result, Level.FULL)
        tests.append({"name": f"{item.id}: explanation (shown after the due date)", "score": 0, "max_score": 0,
                      "status": "failed", "visibility": "after_due_date", "output_format": "md",
                      "output": _test_output(question, item, answer, fmt, full, score),
                      "extra_data": {"question": item.id, "verdict": result.verdict,
                                     "diagnosis": full["diagnosis"], "format": fmt}})
    return tests


def _test_output(question, item: Item, answer: Answer, fmt: str, view: dict, score: float) -> str:
    """A test's Markdown: the verdict and points, the prompt, the answer, its reading, the feedback."""
    how = "LaTeX" if fmt == "latex" else "plain text" if fmt == "text" else fmt
    parts = [f"**{view['verdict']}**: {_of_points(score, item.points)}",
             f"*{md_text(question.prompt)}*",
             f"Your answer (line {answer.line}, {md_text(how)}): {md_code(answer.text)}"]
    if view["interpreted_as"]:
        parts.append(f"Read as: {md_code(view['interpreted_as'])}")
    if view["verdict"] != "correct":
        parts.append(f"Feedback: {md_text(view['feedback'])}")
    if view.get("credit_reason"):
        parts.append(f"Partial credit: {md_text(view['credit_reason'])}")
    if view["counterexample"]:
        parts.append("Counterexample:\n\n" + counterexample_md(view["counterexample"]))
    return "\n\n".join(parts)


def _crashed(item: Item, error: BaseException) -> dict:
    print(f"regverify: grading {item.id} failed:", file=sys.stdout)
    traceback.print_exception(type(error), error, error.__traceback__, file=sys.stdout)
    return {"name": item.id, "score": 0, "max_score": item.points, "status": "failed", "output_format": "md",
            "output": f"**error**: {_of_points(0, item.points)}\n\nThe grader failed on this answer "
                      f"({md_text(type(error).__name__)}). Your instructor can see the details; please tell them.",
            "extra_data": {"question": item.id, "verdict": "error"}}


DEFAULT_FEEDBACK = "hint"    # students see the kind of mistake, never the key


def grade_submission(assignment: Assignment, bank: dict, submission: Submission) -> list[dict]:
    tests = []
    for number, item in enumerate(assignment.questions, start=1):
        try:
            made = grade_item(item, bank, submission.answers.get(item.id),
                              assignment.feedback_level(item.id, DEFAULT_FEEDBACK), explain_after_due_date=True,
                              credit=assignment.credit_by_diagnosis(item.id))
            if not assignment.full_feedback_after_due_date:
                made = made[:1]
        except Exception as error:   # the safety net: one bad answer never costs the others
            made = [_crashed(item, error)]
        tests += [{**test, "number": str(number)} for test in made]
    return tests


def _inside(folder: Path, path: Path) -> bool:
    """A regular file that is, once every link is resolved, still inside ``folder``."""
    try:
        return (path.is_file() and not path.is_symlink()
                and path.resolve().is_relative_to(folder.resolve()))
    except OSError:
        return False


def find_submission(folder: Path, name: str) -> tuple[Path | None, str | None]:
    """The student's answer file, and a note when it is not the one the assignment names.

    Symbolic links are never followed: a submission could point one at the autograder's key."""
    wanted = folder / name
    if _inside(folder, wanted):
        return wanted, None
    files: list[Path] = []
    if folder.is_dir() and not folder.is_symlink():
        for dirpath, dirnames, filenames in os.walk(folder):   # os.walk does not follow links
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__MACOSX")
            for f in sorted(filenames):
                path = Path(dirpath) / f
                if not f.startswith(".") and _inside(folder, path):
                    files.append(path)
            if len(files) > MAX_LISTED:
                break
    same_name = [p for p in files if p.name.lower() == Path(name).name.lower()]
    candidates = same_name or [p for p in files if p.suffix.lower() in ANSWER_SUFFIXES]
    if len(candidates) == 1:
        return candidates[0], (f"There is no file named {md_code(name)} in your submission; "
                               f"{md_code(candidates[0].relative_to(folder))} was graded instead.")
    found = ", ".join(md_code(p.relative_to(folder)) for p in files[:10]) or "no files"
    return None, (f"There is no file named {md_code(name)} in your submission (found {found}). "
                  f"Submit your answers as {md_code(name)}, one `QID: answer` per line.")


MAX_NOTES = 20    # a garbled file can raise thousands; the first ones say what is wrong


def _summary(assignment: Assignment, tests: list[dict], notes: list[str]) -> str:
    graded = [t for t in tests if t["max_score"] > 0]    # not the explanations shown after the due date
    score = sum(t["score"] for t in graded)
    correct = sum(t["status"] == "passed" for t in graded)
    lines = [f"## {md_text(assignment.title)}",
             f"**{_of_points(score, assignment.max_score)}**: "
             f"{correct} of {len(graded)} questions correct."]
    if notes:
        shown = notes[:MAX_NOTES] + ([f"… and {len(notes) - MAX_NOTES} more like these"]
                                     if len(notes) > MAX_NOTES else [])
        lines.append("Notes on your submission:\n\n" + "\n".join(f"- {note}" for note in shown))
    return "\n\n".join(lines)


def results_for(assignment: Assignment, bank: dict, submission_dir: Path) -> dict:
    """Gradescope's results.json document for the submission in ``submission_dir``."""
    start = time.perf_counter()
    path, note = find_submission(submission_dir, assignment.submission)
    notes = [note] if note else []
    if path is None:
        submission = Submission()
    else:
        try:
            with open(path, "rb") as handle:
                raw = handle.read((1 << 20) + 1)
        except OSError as error:
            raw = b""
            notes.append(f"Your file could not be read ({md_text(error.strerror or error)}).")
        submission = parse_submission(raw, [q.id for q in assignment.questions], path.name)
        notes += [md_text(p) for p in submission.problems]
    tests = grade_submission(assignment, bank, submission)
    from regverify import __version__
    return {"score": sum(t["score"] for t in tests), "output": _summary(assignment, tests, notes),
            "output_format": "md", "execution_time": round(time.perf_counter() - start, 3),
            "visibility": assignment.visibility,
            "extra_data": {"regverify": __version__, "submission_file": str(path.relative_to(submission_dir)) if path else None},
            "tests": tests}


def broken_results(message: str, visibility: str = "visible") -> dict:
    """Score 0 and a message: what is written when the autograder itself cannot grade."""
    return {"score": 0, "output": md_text(message), "output_format": "md", "execution_time": 0,
            "visibility": visibility, "tests": []}


def write_results(root: Path, results: dict) -> Path:
    folder = root / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results.json"
    atomic_write(path, json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    return path


def run(assignment_path: str | Path, root: str | Path | None = None) -> tuple[int, Path]:
    """Grade ``$root/submission`` and write ``$root/results/results.json``; always writes it.

    Returns (exit status, path): 0 when the submission was graded (whatever its score), 2 when
    the assignment or its bank cannot be used (the results then say the autograder is broken)."""
    root = Path(root or os.environ.get("GRADESCOPE_ROOT") or DEFAULT_ROOT)
    try:
        assignment = load_assignment(assignment_path)
        bank = load_bank_for(assignment)
    except AssignmentError as error:
        print(f"regverify: {error}", file=sys.stderr)
        return 2, write_results(root, broken_results(
            "The autograder is misconfigured and could not grade your submission; your instructor "
            "can see why. Please tell them."))
    try:
        results = results_for(assignment, bank, root / "submission")
    except Exception as error:   # the last safety net: results.json is written whatever happens
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stdout)
        results = broken_results("The autograder failed on this submission; your instructor can see "
                                 "why. Please tell them.", assignment.visibility)
    return 0, write_results(root, results)


# --- building the zip ----------------------------------------------------------------------------
def project_source() -> Path:
    """The source tree regverify was installed from (an editable install or a checkout)."""
    root = Path(__file__).resolve().parent.parent      # grading/ stands in the source tree's root
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or 'name = "regverify"' not in pyproject.read_text(encoding="utf-8", errors="replace"):
        raise BuildError(f"regverify is installed without its source tree (it lives in {root}), so there is "
                         "no project to build a wheel from. Install it from a clone with "
                         "'pip install -e .', or pass a wheel you built with --wheel FILE.whl.")
    return root


def _package_folders(pyproject: Path) -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:   # Python 3.10: the folders as pyproject.toml maps them today
        return ["regverify", "derivations", "numerics", "grading"]
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return sorted(set(config["tool"]["setuptools"]["package-dir"].values()))


def build_wheel(out_dir: Path) -> Path:
    """A wheel of the installed project, built from a copy of its source (the tree stays clean)."""
    source = project_source()
    with tempfile.TemporaryDirectory(prefix="regverify-src-") as scratch:
        copy = Path(scratch) / "regverify"
        copy.mkdir()
        for name in ["pyproject.toml", "README.md", *(p.name for p in source.glob("LICENSE*"))]:
            if (source / name).is_file():
                shutil.copy2(source / name, copy / name)
        for folder in _package_folders(source / "pyproject.toml"):
            shutil.copytree(source / folder, copy / folder,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.tmp"))
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                               "--wheel-dir", str(out_dir), str(copy)],
                              capture_output=True, text=True)
    wheels = sorted(out_dir.glob("regverify-*.whl"))
    if done.returncode != 0 or not wheels:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BuildError(f"pip could not build the regverify wheel:\n{tail}")
    return wheels[-1]


@dataclass
class Built:
    path: Path
    wheel: str
    members: list[str]


def self_check(assignment: Assignment, bank: dict) -> None:
    """Each question's key must earn full marks, as the students' answers will be graded."""
    from .grader import grade
    failing = [f"{q.id} ({result.verdict}: {result.feedback})" for q in assignment.questions
               if (result := grade(bank[q.id], bank[q.id].key)).verdict != "correct"]
    if failing:
        raise AssignmentError("the key of these questions does not grade as correct, so no student "
                              f"could get the points: {'; '.join(failing)}")
    from .bank_check import giveaways
    leaking = [f"{q.id} {where}: {why}" for q in assignment.questions
               for where, why in giveaways(bank[q.id], list(bank.values()))
               if where == "prompt" or where.endswith(".hint")]
    if leaking:
        raise AssignmentError("these questions give a key away to every student: " + "; ".join(leaking))


def _zip_entry(name: str, executable: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))   # the same files give the same zip
    info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def build(assignment_path: str | Path, out: str | Path, wheel: str | Path | None = None) -> Built:
    """The zip Gradescope takes: setup.sh, run_autograder, assignment.json, the wheel, the bank."""
    assignment = load_assignment(assignment_path)
    bank = load_bank_for(assignment)
    self_check(assignment, bank)
    out = Path(out)
    bundled = dict(assignment.as_dict())
    bank_files = sorted(assignment.bank_dir().glob("*.json")) if assignment.bank is not None else []
    bundled["bank"] = "bank" if bank_files else None
    with tempfile.TemporaryDirectory(prefix="regverify-wheel-") as scratch:
        if wheel is None:
            wheel_path = build_wheel(Path(scratch))
        else:
            wheel_path = Path(wheel)
            if not wheel_path.is_file() or not wheel_path.name.startswith("regverify-") or wheel_path.suffix != ".whl":
                raise BuildError(f"expected a regverify wheel (regverify-*.whl) but got --wheel {wheel}")
        entries = [(_zip_entry("setup.sh", True), SETUP_SH.encode()),
                   (_zip_entry("run_autograder", True), RUN_AUTOGRADER.encode()),
                   (_zip_entry(ASSIGNMENT_NAME), (json.dumps(bundled, indent=2, ensure_ascii=False) + "\n").encode()),
                   (_zip_entry(wheel_path.name), wheel_path.read_bytes())]
        entries += [(_zip_entry(f"bank/{p.name}"), p.read_bytes()) for p in bank_files]
    with tempfile.NamedTemporaryFile(dir=out.parent.resolve(), delete=False, suffix=".tmp") as handle:
        try:
            with zipfile.ZipFile(handle, "w") as archive:
                for info, data in entries:
                    archive.writestr(info, data)
        except BaseException:
            os.unlink(handle.name)
            raise
    os.chmod(handle.name, 0o666 & ~current_umask())
    os.replace(handle.name, out)
    return Built(out, wheel_path.name, [info.filename for info, _ in entries])


def schema() -> dict:
    """The JSON Schema that every results.json written by ``run`` follows."""
    from importlib import resources
    return json.loads((resources.files(__package__) / SCHEMA_NAME).read_text(encoding="utf-8"))
