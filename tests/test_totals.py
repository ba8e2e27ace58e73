"""Gradebook totals: one row per student that Canvas or Moodle can import as it is."""
import csv
import json
import os
import stat

import pytest

from regverify.cli import main


def write_csv(path, rows, header=("student", "question", "answer", "format")):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


CLASS = [("ann", "l2-grad", "g + alpha*w", ""),
         ("ann", "kl-grad-rho-hat", r"-\frac{\rho}{\hat\rho} + \frac{1-\rho}{1-\hat\rho}", ""),
         ("bob", "l2-grad", "g + 2*alpha*w", ""),
         ("bob", "nope", "3", ""),
         ("cat", "kl-grad-rho-hat", "-rho/rho_hat + (1-rho)/(1-rho_hat)", "text"),
         ("ann", "l2-grad", "g", "")]          # ann's last answer to l2-grad is the one that counts

ASSIGNMENT = {"title": "hw", "questions": [{"id": "l2-grad", "points": 2},
                                           {"id": "kl-grad-rho-hat", "points": 1.5, "format": "latex"}]}


def test_totals_have_one_row_per_student_and_a_column_per_question(tmp_path, capsys):
    write_csv(tmp_path / "in.csv", CLASS)
    (tmp_path / "hw.json").write_text(json.dumps(ASSIGNMENT))
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv"),
                 "--totals", str(tmp_path / "totals.csv"), "--assignment", str(tmp_path / "hw.json")]) == 0
    assert read_csv(tmp_path / "totals.csv") == [
        ["student", "l2-grad", "kl-grad-rho-hat", "total", "max"],
        ["ann", "0", "1.5", "1.5", "3.5"],
        ["bob", "0", "0", "0", "3.5"],
        ["cat", "0", "1.5", "1.5", "3.5"]]
    assert "nope" in capsys.readouterr().err   # a row the totals leave out is named


def test_the_assignment_says_how_an_answer_without_a_format_is_read(tmp_path):
    write_csv(tmp_path / "in.csv", CLASS[1:2])
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "plain.json")]) == 0
    assert json.loads((tmp_path / "plain.json").read_text())[0]["verdict"] == "invalid"
    (tmp_path / "hw.json").write_text(json.dumps(ASSIGNMENT))
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "latex.json"),
                 "--assignment", str(tmp_path / "hw.json")]) == 0
    assert json.loads((tmp_path / "latex.json").read_text())[0]["verdict"] == "correct"


def test_without_an_assignment_each_known_question_is_one_point(tmp_path, capsys):
    write_csv(tmp_path / "in.csv", CLASS)
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv"),
                 "--totals", str(tmp_path / "totals.csv")]) == 0
    rows = read_csv(tmp_path / "totals.csv")
    assert rows[0] == ["student", "l2-grad", "kl-grad-rho-hat", "total", "max"]
    assert {r[0]: r[-2:] for r in rows[1:]} == {"ann": ["0", "2"], "bob": ["0", "2"], "cat": ["1", "2"]}


def test_the_totals_file_imports_as_a_plain_grid_of_numbers(tmp_path):
    """The shape an LMS import expects: one header, same width everywhere, numbers only."""
    write_csv(tmp_path / "in.csv", CLASS)
    (tmp_path / "hw.json").write_text(json.dumps(ASSIGNMENT))
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.csv"),
                 "--totals", str(tmp_path / "t.csv"), "--assignment", str(tmp_path / "hw.json")]) == 0
    raw = (tmp_path / "t.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 4
    rows = read_csv(tmp_path / "t.csv")
    assert len({len(r) for r in rows}) == 1
    students = [r[0] for r in rows[1:]]
    assert len(students) == len(set(students))
    for row in rows[1:]:
        numbers = [float(x) for x in row[1:]]
        assert numbers[-2] == pytest.approx(sum(numbers[:-2])) and 0 <= numbers[-2] <= numbers[-1]


def test_totals_follow_the_umask_and_leave_no_temporary_file(tmp_path):
    write_csv(tmp_path / "in.csv", CLASS[:1])
    previous = os.umask(0o077)
    try:
        assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.csv"),
                     "--totals", str(tmp_path / "t.csv")]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "t.csv").stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("argv_tail, message", [
    (["--totals", "/no/such/folder/t.csv"], "does not exist"),
    (["--assignment", "/no/such/hw.json"], "cannot read"),
    (["--assignment", "{bank}", "--bank", "/tmp"], "not with --bank"),
], ids=["unwritable totals", "missing assignment", "two banks"])
def test_bad_totals_options_are_usage_errors_before_any_grading(tmp_path, capsys, argv_tail, message):
    write_csv(tmp_path / "in.csv", CLASS[:1])
    (tmp_path / "hw.json").write_text(json.dumps(ASSIGNMENT))
    argv_tail = [a.replace("{bank}", str(tmp_path / "hw.json")) for a in argv_tail]
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), *argv_tail]) == 2
    err = capsys.readouterr().err
    assert message in err and "graded" not in err


def test_student_ids_are_one_student_whatever_their_case_and_duplicates_are_reported():
    from regverify.grading.bank import load_bank
    from regverify.grading.totals import totals
    results = [{"student": "Ann", "question": "l2-grad", "score": 0, "max_score": 1},
               {"student": " ann ", "question": "l2-grad", "score": 1, "max_score": 1},
               {"student": "ANN", "question": "tying-grad", "score": 1, "max_score": 1},
               {"student": "bob", "question": "l2-grad", "score": 1, "max_score": 1}]
    rows, _, warnings = totals(results, load_bank())
    assert [(r["student"], r["total"]) for r in rows] == [("Ann", "2"), ("bob", "1")]
    assert any("'Ann' and 'ann'" in w for w in warnings) and any("'Ann' and 'ANN'" in w for w in warnings)
    assert any("Ann (l2-grad, 2 rows)" in w for w in warnings)
    assert not any("bob" in w for w in warnings)
