"""Feedback levels: at ``hint`` nothing a student sees names the key, a key term they did not
write, or the key's value; ``full`` keeps the explanation; ``verdict`` says only the verdict."""
from __future__ import annotations

import json
import math
import re

import pytest

from regverify.grading.bank import load_bank
from regverify.grading.expr import Node, to_text
from regverify.grading.feedback import Level, for_student, render_text, steps_for_student
from regverify.grading.grader import _terms, grade
from regverify.grading.gradescope import grade_item, results_for
from regverify.grading.assignment import Item, parse_assignment
from regverify.grading.steps import check_steps
from regverify.grading.submission import Answer

BANK = load_bank()
# The pattern the project's pre-stop check greps results.json for (a key or a part of it shown).
LEAK = re.compile(r'the answer|"key"|a term is missing: -eps|Hw\*|1/\(τε\)', re.I)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", str(text))


def dropped_factor(tree: Node) -> Node | None:
    """The key with its first factor left out (for a key of one term)."""
    if tree.op in ("mul", "matmul", "div"):
        return tree.args[1] if tree.op != "div" else tree.args[0]
    if tree.op == "neg":
        return dropped_factor(tree.args[0])
    return None


def wrong_answers(q) -> list[str]:
    """Each known mistake, the key with each term (or its first factor) dropped, and 0."""
    answers = [m.answer for m in q.mistakes]
    terms = _terms(q.key_tree)
    if len(terms) > 1:
        for i in range(len(terms)):
            kept = [(s, t) for j, (s, t) in enumerate(terms) if j != i]
            answers.append(" + ".join(f"({'' if s > 0 else '-'}({to_text(t)}))" for s, t in kept))
    else:
        factor = dropped_factor(q.key_tree)
        if factor is not None:
            answers.append(to_text(factor))
    answers.append("0")
    return list(dict.fromkeys(answers))


CASES = [(qid, answer) for qid, q in BANK.items() for answer in wrong_answers(q)]


def numbers(value) -> list[float]:
    if isinstance(value, dict):   # an entry's index is a position, not a value
        return [x for k, v in value.items() if k != "index" for x in numbers(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in numbers(v)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    return []


def key_leaks(q, answer: str, result, view: dict) -> list[str]:
    """What of the key the student-facing view shows (an empty list when nothing)."""
    leaks = []
    shown = squeeze(view["feedback"]) + squeeze(json.dumps(view["counterexample"], ensure_ascii=False))
    if '"key"' in json.dumps(view):
        leaks.append("a field named key")
    for text in {q.key, to_text(q.key_tree)}:
        if q.key_tree.op in ("sym", "num"):    # a bare name or number: as a word of the feedback
            if re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", view["feedback"]):
                leaks.append(f"the key {text!r}")
        elif squeeze(text) in shown:
            leaks.append(f"the key {text!r}")
    written = squeeze(answer)
    for _, term in _terms(q.key_tree) if len(_terms(q.key_tree)) > 1 else []:
        text = squeeze(to_text(term))
        if term.op in ("sym", "num"):    # a name is also an input's: as a word of the feedback
            if not re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", answer) and \
                    re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", view["feedback"]):
                leaks.append(f"the key term {text!r} the answer lacks")
        elif text not in written and text in shown:
            leaks.append(f"the key term {text!r} the answer lacks")
    example = result.counterexample or {}
    if "key" in example and isinstance(example["key"], str):          # exact: a fraction
        if example["key"] in shown and example["key"] != example.get("your_answer"):
            leaks.append(f"the key's exact value {example['key']}")
    elif "key" in example and example["key"] != "…":
        key = numbers(example["key"])
        yours = numbers(example.get("your_answer", []))
        inputs = numbers(example.get("values", {}))
        for i, k in enumerate(key):
            same = (i < len(yours) and math.isclose(yours[i], k, rel_tol=1e-3, abs_tol=1e-9))
            if same or any(math.isclose(k, x, rel_tol=1e-4, abs_tol=1e-12) for x in inputs + yours):
                continue
            if any(math.isclose(k, n, rel_tol=1e-4, abs_tol=1e-12) for n in numbers(view["counterexample"])):
                leaks.append(f"the key's value {k}")
    return leaks


@pytest.mark.parametrize("qid,answer", CASES, ids=[f"{q}:{a}" for q, a in CASES])
def test_hint_never_shows_the_key(qid, answer):
    q = BANK[qid]
    result = grade(q, answer)
    assert result.verdict in ("incorrect", "invalid"), (qid, answer, result.verdict)
    view = for_student(result, Level.HINT)
    assert key_leaks(q, answer, result, view) == []
    text = render_text(view)
    assert not LEAK.search(text) and "key:" not in text
    test = grade_item(Item(qid), BANK, Answer(qid, answer, None, 1), "hint")
    body = "\n".join(line for line in test["output"].splitlines()
                     if not line.startswith(("Your answer", "Read as", "*")))
    assert not LEAK.search(json.dumps(test, ensure_ascii=False)) or LEAK.search(answer)
    if q.key_tree.op not in ("sym", "num"):
        assert squeeze(q.key) not in squeeze(body)


def test_the_leak_check_catches_full_feedback():
    """The check above fails on today's full feedback: a planted leak is found."""
    found = 0
    for qid, answer in CASES:
        q = BANK[qid]
        result = grade(q, answer)
        found += bool(key_leaks(q, answer, result, for_student(result, Level.FULL)))
    assert found >= len(CASES) // 2
    q = BANK["l2-update"]
    result = grade(q, "(1 - eps*alpha)*w")
    assert "the key term 'eps*g' the answer lacks" in key_leaks(q, "(1 - eps*alpha)*w", result,
                                                               for_student(result, Level.FULL))


def test_hint_names_the_kind_and_where():
    q = BANK["l2-update"]
    view = for_student(grade(q, "(1 - eps*alpha)*w"), "hint")
    assert view["diagnosis"] == "missing-term" and view["feedback"].startswith("a term is missing")
    assert set(view["counterexample"]) >= {"values", "your_answer"} and "key" not in view["counterexample"]
    sign = for_student(grade(BANK["sigmoid-nll-grad"], "-(sigmoid(z) - y)"), "hint")
    assert "sign" in sign["feedback"]
    shape = for_student(grade(BANK["l2-grad"], "outer(g, w)"), "hint")
    assert shape["diagnosis"] == "wrong-shape" and "shape is wrong" in shape["feedback"]
    known = for_student(grade(BANK["l2-shrinkage"], "inv(H + alpha*I) @ w_star"), "hint")
    assert known["feedback"] == BANK["l2-shrinkage"].mistakes[0].hint


def test_full_keeps_the_explanation_and_verdict_says_only_the_verdict():
    result = grade(BANK["l2-shrinkage"], "inv(H + alpha*I) @ w_star")
    assert "Hw*" in for_student(result, "full")["feedback"]
    assert for_student(result, "full")["counterexample"]["key"]
    verdict = for_student(result, Level.VERDICT)
    assert verdict["feedback"] == "your answer is not correct"
    assert verdict["counterexample"] is None and verdict["diagnosis"] is None
    invalid = for_student(grade(BANK["l2-grad"], "g +"), "verdict")
    assert invalid["verdict"] == "invalid" and invalid["feedback"]    # still says why it cannot be read
    with pytest.raises(ValueError, match="full, hint, verdict"):
        Level.parse("everything")


def test_every_bundled_mistake_has_a_hint_and_keeps_its_explanation():
    rewritten = 0
    for q in BANK.values():
        for m in q.mistakes:
            assert m.hint and m.feedback, (q.id, m.answer)
            rewritten += m.hint != m.feedback
    assert rewritten >= 70    # most explanations show the key, so their hint is written anew


def test_check_steps_final_at_hint_hides_the_key():
    q = BANK["l2-update"]
    report = check_steps(q, ["w - eps*(g + alpha*w)", "(1 - eps*alpha)*w"])
    view = steps_for_student(report, "hint")
    assert view["first_broken_step"] == 2
    assert '"key"' not in json.dumps(view) and "eps * g" not in json.dumps(view)
    assert "eps * g" in json.dumps(steps_for_student(report, "full"))


def test_gradescope_default_is_hint_and_full_explanation_after_the_due_date(tmp_path):
    def run(document):
        assignment = parse_assignment(document)
        (tmp_path / "submission").mkdir(exist_ok=True)
        (tmp_path / "submission" / "answers.txt").write_text(
            "l2-update: (1 - eps*alpha)*w\nl2-shrinkage: inv(H + alpha*I) @ w_star\nearly-stopping-alpha: 1\n"
            "l2-grad: g + alpha*w\n")
        return results_for(assignment, BANK, tmp_path / "submission")

    questions = [{"id": i} for i in ("l2-update", "l2-shrinkage", "early-stopping-alpha", "l2-grad")]
    default = run({"questions": questions})
    assert not LEAK.search(json.dumps(default, ensure_ascii=False))
    assert len(default["tests"]) == 4
    after = run({"questions": questions, "full_feedback_after_due_date": True})
    late = [t for t in after["tests"] if t.get("visibility") == "after_due_date"]
    assert len(late) == 3 and all(t["max_score"] == 0 and t["score"] == 0 for t in late)
    assert any("Hw\\*" in t["output"] for t in late)       # the explanation, Markdown-escaped
    assert after["score"] == default["score"] == 1
    visible = [t for t in after["tests"] if t.get("visibility") != "after_due_date"]
    assert not LEAK.search(json.dumps(visible, ensure_ascii=False))
    one = run({"questions": [{"id": "l2-update", "feedback": "full"}, {"id": "l2-grad"}]})
    assert "eps \\* g" in one["tests"][0]["output"]


def test_the_notebook_at_hint_holds_nothing_of_the_key():
    from regverify.notebook import check_steps as notebook_steps, grade as notebook_grade
    result = notebook_grade("l2-update", "(1 - eps*alpha)*w", feedback="hint")
    shown = result._repr_markdown_() + result._repr_html_() + json.dumps(vars(result), default=str)
    assert "eps * g" not in shown and "missing: -eps" not in shown and "'key'" not in shown and '"key"' not in shown
    assert "missing: -eps" in notebook_grade("l2-update", "(1 - eps*alpha)*w")._repr_markdown_()
    report = notebook_steps("l2-update", "w - eps*(g + alpha*w)\n(1 - eps*alpha)*w", feedback="hint")
    assert "eps * g" not in json.dumps(vars(report.final), default=str)
