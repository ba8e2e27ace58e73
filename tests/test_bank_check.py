"""bank check: every problem of every question at once, and the questions' own tests."""
from __future__ import annotations

import json

from regverify.cli import main
from regverify.grading.bank import load_bank
from regverify.grading.bank_check import check_bank


def test_the_bundled_bank_passes_its_own_tests_and_lists_key_and_mistakes():
    assert check_bank() == []
    for q in load_bank().values():
        listed = {(t["answer"], t["verdict"]) for t in q.tests}
        assert (q.key, "correct") in listed, q.id
        assert all((m.answer, "incorrect") in listed for m in q.mistakes), q.id


BAD = {"questions": [
    {"id": "a", "prompt": "p", "symbols": {"x": {"shape": "vektor(n)"}}, "key": "x"},
    {"id": "b", "prompt": "p", "symbols": {"x": {}}, "key": "2*x",
     "tests": [{"answer": "x + x", "verdict": "correct"}, {"answer": "x", "verdict": "correct"}],
     "mistakes": [{"answer": "x", "hint": "h", "feedback": "f", "credit": 0.5}]},
    {"id": "c", "prompt": "p", "symbols": {"x": {}}, "key": "x +"},
    {"id": "d", "prompt": "p", "symbols": {"x": {}}, "key": "x",
     "tests": [{"answer": "2*x", "verdict": "incorrect", "credit": 0.5}]},
    {"id": "e", "prompt": "p", "symbols": {"x": {}}, "key": "x",
     "mistakes": [{"answer": "x", "feedback": "the key itself, planted as a mistake"}]},
]}


def test_every_problem_of_every_question_is_reported_with_its_field(tmp_path, capsys):
    (tmp_path / "q.json").write_text(json.dumps(BAD))
    problems = check_bank(tmp_path)
    assert [(p.question, p.field) for p in problems] == [
        ("a", "symbols.x"), ("b", "tests[1]"), ("c", "key"), ("d", "tests[0]"), ("e", "mistakes[0]")]
    assert "use scalar, vector(n)" in problems[0].message
    assert "expects correct" in problems[1].message and "expects 0.5" in problems[3].message
    assert main(["bank", "check", str(tmp_path)]) == 1
    assert "tests[1]" in capsys.readouterr().out


def test_a_good_bank_checks_clean(tmp_path, capsys):
    (tmp_path / "q.json").write_text(json.dumps({"questions": [BAD["questions"][1] | {"tests": []}]}))
    assert main(["bank", "check", str(tmp_path)]) == 0
    assert "grades as expected" in capsys.readouterr().out


def test_every_problem_within_one_question_is_reported(tmp_path):
    (tmp_path / "q.json").write_text(json.dumps({"questions": [
        {"id": "many", "prompt": "p", "symbols": {"x": {"shape": "vektor(n)"}, "y": {"domain": "postive"}},
         "key": "x + y +", "mistakes": [{"answer": "x"}, {"answer": "2*", "feedback": "f"}],
         "tolerance": {"rtol": 2}, "extra": 1}]}))
    fields = [p.field for p in check_bank(tmp_path)]
    assert fields == ["extra", "symbols.x", "symbols.y", "tolerance.rtol", "key", "mistakes[0]",
                      "mistakes[1].answer"]
