"""``regverify bank check``: every problem of a question bank at once, each question graded
against its own tests, and what a prompt or a hint gives away of a key."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .bank import ATOL, RTOL, BankError, Question, _question, _tolerance, default_bank_dir, read_question_file
from .expr import Evaluator, Node
from .grader import grade


@dataclass
class Problem:
    source: str
    question: str
    field: str
    message: str


def _field_of(message: str) -> str:
    found = re.search(r"field '([^']+)'|symbol '([^']+)'|unknown field\(s\) \['([^']+)'", message)
    if not found:
        return "question"
    return found.group(1) or (f"symbols.{found.group(2)}" if found.group(2) else found.group(3))


def check_bank(directory: str | Path | None = None) -> list[Problem]:
    """Every problem of every question at once (not only the first): each file, each question,
    and each question's tests (its key correct, its mistakes incorrect, and the answers it lists
    with their expected verdict and credit)."""
    directory = Path(directory) if directory is not None else default_bank_dir()
    if not directory.is_dir():
        return [Problem(str(directory), "", "", "no question bank directory here; give a folder of *.json files")]
    files = sorted(directory.glob("*.json"))
    if not files:
        return [Problem(str(directory), "", "", "holds no *.json question files")]
    problems, seen, loaded = [], {}, []
    for path in files:
        try:
            entries, tolerance_written = read_question_file(path)
        except BankError as error:
            problems.append(Problem(path.name, "", "", str(error).removeprefix(f"{path}: ")))
            continue
        tolerance = (RTOL, ATOL)
        try:
            tolerance = _tolerance(tolerance_written, path.name, tolerance)
        except BankError as error:
            problems.append(Problem(path.name, "", "tolerance", str(error)))
        for entry in entries:
            qid = str(entry.get("id", "?")) if isinstance(entry, dict) else "?"
            try:
                question = _question(entry, path.name, tolerance)
            except BankError as error:
                problems += [Problem(path.name, qid, _field_of(str(e)), str(e))
                             for e in getattr(error, "errors", [error])]
                continue
            if qid in seen:
                problems.append(Problem(path.name, qid, "id", f"the id {qid!r} is also used in {seen[qid]}; "
                                                              "give each question its own id"))
            seen[qid] = path.name
            loaded.append(question)
            problems += [Problem(path.name, qid, f, m) for f, m in question_test_failures(question)]
    return problems + [Problem(q.source, q.id, f, m) for q in loaded for f, m in giveaways(q, loaded)] \
        + unknown_derivations(loaded)


def giveaways(question: Question, bank: list[Question]) -> list[tuple[str, str]]:
    """(field, what is wrong) where the question's prompt states a key of the bank, or one of its
    hints states its own key, or two of its mistakes are one answer."""
    out = [("prompt", f"the prompt states the key of {', '.join(repr(k) for k in keys)} in one of its "
                      "equations; a student could copy it: say what it is, not its formula")
           for keys in [stated_keys(question.prompt, bank)] if keys]
    written = re.sub(r"\s+", "", question.key)
    for i, m in enumerate(question.mistakes):
        if m.hint and (written in re.sub(r"\s+", "", m.hint) or stated_keys(m.hint, [question])):
            out.append((f"mistakes[{i}].hint", "the hint states the key; name the kind of mistake instead"))
        same = next((j for j in range(i) if _evaluates_alike(question, question.mistakes[j].tree, m.tree)), None)
        if same is not None:
            out.append((f"mistakes[{i}]", f"is the same answer as mistakes[{same}]; keep one of them"))
    return out


def _evaluates_alike(question: Question, a: Node, b: Node) -> bool:
    rng = np.random.default_rng(0)
    for t in range(3):
        env, _ = question.sample(rng, t)
        with np.errstate(all="ignore"):
            x, y = (np.asarray(Evaluator(env)(tree), dtype=float) for tree in (a, b))
        if x.shape != y.shape or not np.allclose(x, y, rtol=question.rtol, atol=question.atol, equal_nan=True):
            return False
    return True


def unknown_derivations(bank: list[Question]) -> list[Problem]:
    """Questions that name a derivation the key does not have."""
    from regverify import registry
    known = {d.id for d in registry.all_derivations()}
    return [Problem(q.source, q.id, "derivation", f"names the derivation {q.derivation!r}, which the key does "
                                                  f"not have; use one of `regverify list`'s ids")
            for q in bank if q.derivation is not None and q.derivation not in known]


def question_test_failures(question: Question) -> list[tuple[str, str]]:
    """(field, what is wrong) for each of the question's tests that does not grade as it says."""
    cases = [("key", question.key, "correct", None, "text")]
    cases += [(f"mistakes[{i}]", m.answer, "incorrect", m.credit, "text") for i, m in enumerate(question.mistakes)]
    cases += [(f"tests[{i}]", t["answer"], t["verdict"], t.get("credit"), t.get("format", "text"))
              for i, t in enumerate(question.tests)]
    out = []
    for where, answer, verdict, credit, fmt in cases:
        result = grade(question, answer, latex=fmt == "latex")
        if result.verdict != verdict:
            out.append((where, f"{answer!r} is graded {result.verdict} ({result.feedback}) but the test expects "
                               f"{verdict}; mend the answer, the key or the expected verdict"))
        elif credit is not None and verdict == "incorrect" and abs(result.credit - credit) > 1e-12:
            out.append((where, f"{answer!r} earns {result.credit:g} of the points but the test expects {credit:g}; "
                               "give the matching mistake that credit"))
        elif where.startswith("mistakes") and result.mistake != answer:
            out.append((where, f"{answer!r} is not recognised as this known mistake (diagnosis "
                               f"{result.diagnosis}); an earlier mistake or the key may agree with it"))
    return out


# --- what a question's text gives away ---------------------------------------------------------
_STOPS = re.compile(r",|;|\?|:|\b(?:using|with|in terms of|for|where|and|if|write|let|then|of)\b", re.IGNORECASE)


def _as_latex(text: str) -> str:
    """Prose math as LaTeX the answer reader takes: α → \\alpha, x⁻¹ → x^{-1}, Qᵀ → Q^{T}, w* → w^*."""
    out, script = [], None
    for ch in text + " ":
        decomposition = unicodedata.decomposition(ch)
        kind = "^" if decomposition.startswith("<super>") else "_" if decomposition.startswith("<sub>") else None
        if kind != script and script is not None:
            out.append("}")
        if kind is not None:
            out.append(("" if kind == script else kind + "{") + unicodedata.normalize("NFKC", ch).replace("−", "-"))
        else:
            name = unicodedata.name(ch, "")
            if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) and " WITH " not in name:
                letter = name.rsplit(" ", 1)[1].lower().replace("lamda", "lambda")
                out.append("\\" + (letter if "SMALL" in name else letter.capitalize()) + " ")
            else:
                out.append({"−": "-", "·": " ", "×": "\\times "}.get(ch, ch))
        script = kind
    return re.sub(r"(?<=\w)\*", "^*", "".join(out)).strip()


def _balanced(fragment: str) -> str:
    """The fragment without parentheses it does not open or close itself."""
    while fragment.count(")") > fragment.count("(") and ")" in fragment:
        fragment = fragment[:fragment.rindex(")")] if fragment.endswith(")") else fragment[fragment.index(")") + 1:]
    while fragment.count("(") > fragment.count(")"):
        fragment = fragment[fragment.index("(") + 1:]
    return fragment.strip()


def formulas_in(text: str) -> list[str]:
    """The two sides of each equation the text states, as LaTeX: what a reader could copy."""
    sides = []
    pieces = text.split("=")
    for left, right in zip(pieces, pieces[1:]):
        sides.append(_balanced(_STOPS.split(left)[-1]))
        sides.append(_balanced(_STOPS.split(right)[0]))
    return [_as_latex(s) for s in sides if s]


def stated_keys(text: str, questions) -> list[str]:
    """The ids of the questions whose key the text states in one of its equations (a bare
    number is no formula: "n = 4" gives nothing away)."""
    formulas = [f for f in formulas_in(text) if re.search(r"[A-Za-z\\]", f)]
    return [q.id for q in questions
            if any(grade(q, formula, latex=True).verdict == "correct" for formula in formulas)]
