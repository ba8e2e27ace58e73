"""Partial credit: a known mistake, by its kind or by a listed answer, earns a share of the points."""
from __future__ import annotations

import csv
import json

import jsonschema
import pytest

from regverify.cli import main
from regverify.grading.assignment import AssignmentError, load_assignment, load_bank_for, parse_assignment
from regverify.grading.gradescope import results_for, schema


def write(tmp_path, document, answers):
    (tmp_path / "hw.json").write_text(json.dumps(document))
    (tmp_path / "submission").mkdir(exist_ok=True)
    (tmp_path / "submission" / "answers.txt").write_text(answers)
    assignment = load_assignment(tmp_path / "hw.json")
    return results_for(assignment, load_bank_for(assignment), tmp_path / "submission")


DOCUMENT = {"partial_credit": {"sign": 0.5},
            "questions": [{"id": "sigmoid-nll-grad", "points": 2},
                          {"id": "l2-grad", "points": 4, "partial_credit": {"g + 2*alpha*w": 0.25}},
                          {"id": "l2-update", "points": 1, "partial_credit": {"missing-term": 0.5}},
                          {"id": "tying-grad", "points": 1}]}


def test_results_carry_the_fractional_score_and_say_why(tmp_path):
    results = write(tmp_path, DOCUMENT, "sigmoid-nll-grad: -(sigmoid(z) - y)\nl2-grad: g + 2*alpha*w\n"
                                        "l2-update: (1 - eps*alpha)*w\ntying-grad: w_A - w_B\n")
    jsonschema.validate(results, schema())
    scores = [t["score"] for t in results["tests"]]
    assert scores == [1.0, 1.0, 0.5, 0.0]          # 2×0.5, 4×0.25, 1×0.5, a mistake without credit
    assert results["score"] == 2.5
    assert all(t["status"] == "failed" for t in results["tests"])
    assert "Partial credit: 0.5 of the points for a mistake of the kind sign" in results["tests"][0]["output"]
    assert "Partial credit: 0.25 of the points for a known mistake" in results["tests"][1]["output"]


def test_a_correct_answer_still_earns_all_and_credit_does_not_leak_the_key(tmp_path):
    results = write(tmp_path, DOCUMENT, "sigmoid-nll-grad: sigmoid(z) - y\nl2-update: (1 - eps*alpha)*w\n")
    assert results["tests"][0]["score"] == 2 and "eps * g" not in json.dumps(results)


def test_batch_and_totals_carry_the_share_in_points(tmp_path):
    (tmp_path / "hw.json").write_text(json.dumps(DOCUMENT))
    (tmp_path / "class.csv").write_text("student,question,answer\nann,sigmoid-nll-grad,y - sigmoid(z)\n"
                                        "ann,l2-grad,g + 2*alpha*w\nbob,l2-grad,g + alpha*w\n")
    assert main(["grade", "--batch", str(tmp_path / "class.csv"), "--out", str(tmp_path / "out.csv"),
                 "--totals", str(tmp_path / "totals.csv"), "--assignment", str(tmp_path / "hw.json")]) == 0
    rows = list(csv.DictReader(open(tmp_path / "out.csv")))
    # one unit in the batch and the totals: points, of max_score (0.5 of 2, 0.25 of 4, all of 4)
    assert [(r["score"], r["max_score"]) for r in rows] == [("1", "2"), ("1", "4"), ("4", "4")]
    assert "kind sign" in rows[0]["credit_reason"] and rows[2]["credit_reason"] == ""
    totals = {r["student"]: r for r in csv.DictReader(open(tmp_path / "totals.csv"))}
    assert totals["ann"]["sigmoid-nll-grad"] == "1" and totals["ann"]["l2-grad"] == "1"
    assert totals["ann"]["total"] == "2" and totals["bob"]["total"] == "4"


def test_without_partial_credit_a_mistake_scores_0(tmp_path):
    results = write(tmp_path, {"questions": [{"id": "sigmoid-nll-grad"}]}, "sigmoid-nll-grad: y - sigmoid(z)\n")
    assert results["score"] == 0


@pytest.mark.parametrize("document,words", [
    ({"partial_credit": {"sign": 1.5}, "questions": [{"id": "l2-grad"}]}, "fraction of the points"),
    ({"partial_credit": {"g + 2*alpha*w": 0.5}, "questions": [{"id": "l2-grad"}]}, "not a kind of mistake"),
    ({"questions": [{"id": "l2-grad", "partial_credit": []}]}, "an object like"),
])
def test_a_bad_partial_credit_is_refused_naming_the_field(document, words):
    with pytest.raises(AssignmentError, match=words):
        parse_assignment(document)


def test_an_unreadable_credited_answer_is_refused_when_the_bank_is_read(tmp_path):
    (tmp_path / "hw.json").write_text(json.dumps({"questions": [{"id": "l2-grad", "partial_credit": {"g +": 0.5}}]}))
    with pytest.raises(AssignmentError, match="nor an answer that can be read"):
        load_bank_for(load_assignment(tmp_path / "hw.json"))


FULL = {"title": "hw", "submission": "hw.txt", "visibility": "after_due_date", "feedback": "verdict",
        "full_feedback_after_due_date": True, "partial_credit": {"sign": 0.5, "missing-term": 0.25},
        "questions": [{"id": "l2-grad", "points": 4, "format": "latex", "feedback": "full",
                       "partial_credit": {"g + 2*alpha*w": 0.75, "factor": 0.1}},
                      {"id": "l2-update", "points": 1}]}


def test_an_assignment_written_out_reads_back_the_same():
    # the autograder grades with the written-out copy: every field must survive it
    assignment = parse_assignment(FULL)
    assert parse_assignment(assignment.as_dict()) == assignment
    assert set(assignment.as_dict()) == set(FULL) | {"bank"}


def test_the_built_autograder_gives_the_partial_credit_the_assignment_file_gives(tmp_path):
    import zipfile
    (tmp_path / "hw.json").write_text(json.dumps(DOCUMENT))
    assert main(["gradescope", "build", str(tmp_path / "hw.json"), "--out", str(tmp_path / "ag.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        bundled = json.loads(archive.read("assignment.json"))
    assert parse_assignment(bundled).partial_credit == load_assignment(tmp_path / "hw.json").partial_credit
    assert [q.partial_credit for q in parse_assignment(bundled).questions] == \
        [q.partial_credit for q in load_assignment(tmp_path / "hw.json").questions]


def test_a_batch_graded_with_an_assignment_that_sets_no_level_is_shown_at_hint(tmp_path):
    (tmp_path / "hw.json").write_text(json.dumps({"questions": [{"id": "l2-grad", "points": 2}]}))
    (tmp_path / "class.csv").write_text("student,question,answer\nann,l2-grad,g\n")
    assert main(["grade", "--batch", str(tmp_path / "class.csv"), "--assignment", str(tmp_path / "hw.json"),
                 "--out", str(tmp_path / "out.json")]) == 0
    (row,) = json.loads((tmp_path / "out.json").read_text())
    assert row["verdict"] == "incorrect" and "alpha * w" not in json.dumps(row), row   # the missing αw unnamed
    assert main(["grade", "--batch", str(tmp_path / "class.csv"), "--out", str(tmp_path / "full.json")]) == 0
    assert "alpha * w" in (tmp_path / "full.json").read_text()     # without an assignment: the instructor's view
