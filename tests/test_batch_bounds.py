"""A class file is read as a stream: one enormous cell costs its row, never the others, and
memory follows the file's bound, not the cell."""
from __future__ import annotations

import csv
import subprocess
import sys

from regverify.grading.batch import MAX_CELL, read_rows

MEASURE = """
import resource, sys
from regverify.grading.batch import read_rows
rows = read_rows(sys.argv[1])
print(len(rows), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def write_class(path, cell_chars: int):
    with open(path, "w") as f:
        f.write('student,question,answer\na,l2-grad,g + alpha*w\nb,l2-grad,"' + "g+" * (cell_chars // 2)
                + 'g"\nc,l2-grad,"max(g, 0)"\n')


def test_an_over_long_answer_is_its_rows_refusal_and_the_other_rows_are_kept(tmp_path):
    write_class(tmp_path / "c.csv", MAX_CELL + 10)
    rows = read_rows(tmp_path / "c.csv")
    assert [r["student"] for r in rows] == ["a", "b", "c"]
    assert rows[1]["answer"] == "" and "characters long; the bound is" in rows[1]["answer refused"]
    assert rows[2]["answer"] == "max(g, 0)"


def peak_megabytes(path) -> int:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) == 3
    return int(out[1])


def test_a_long_cell_costs_a_few_bytes_a_character_once(tmp_path):
    # The slope between two sizes: about 6.5 bytes a character read as a stream (the csv module's
    # buffer and the one string), about 10 when the whole file was read into memory first.
    write_class(tmp_path / "small.csv", 10_000_000)
    write_class(tmp_path / "large.csv", 40_000_000)
    slope = (peak_megabytes(tmp_path / "large.csv") - peak_megabytes(tmp_path / "small.csv")) / 30
    assert slope < 8.5, f"{slope:.1f} bytes a character"


def test_the_graded_file_says_why_the_long_answer_was_refused(tmp_path):
    from regverify.cli import main
    write_class(tmp_path / "c.csv", MAX_CELL + 10)
    assert main(["grade", "--batch", str(tmp_path / "c.csv"), "--out", str(tmp_path / "o.csv")]) in (0, 1)
    graded = list(csv.DictReader(open(tmp_path / "o.csv")))
    assert [g["verdict"] for g in graded] == ["correct", "invalid", "incorrect"]
    assert "the bound is" in graded[1]["feedback"]


def test_progress_is_reported_while_a_parallel_batch_runs():
    from regverify.grading.bank import load_bank
    from regverify.grading.batch import CHUNK, grade_rows
    rows = [{"student": f"s{k}", "question": "l2-grad", "answer": f"g + {k}*alpha*w"} for k in range(3 * CHUNK)]
    seen = []
    results = grade_rows(load_bank(), rows, lambda done, total, what="answers": seen.append((done, total, what)),
                         jobs=2)
    assert len(results) == len(rows) and results[1]["verdict"] == "correct"
    during = [done for done, total, what in seen if what == "distinct answers"]
    assert len(during) == 3 and during[-1] == 3 * CHUNK and during[0] < during[-1]


def test_the_command_prints_a_progress_line_at_least_once_a_second(capsys):
    from regverify.cli import Progress
    progress = Progress(interval=0.0)
    for i in range(1, 4):
        progress(i, 3)
    assert capsys.readouterr().err.count("graded ") == 3
    quiet = Progress(interval=3600)
    for i in range(1, 4):
        quiet(i, 3)
    assert capsys.readouterr().err.count("graded ") == 1   # only the end


def test_a_question_id_in_capitals_is_the_same_question():
    from regverify.grading.bank import load_bank
    from regverify.grading.batch import grade_rows
    rows = [{"student": "a", "question": "L2-Grad", "answer": "g + alpha*w"},
            {"student": "b", "question": "l2-grad", "answer": "g + alpha*w"},
            {"student": "c", "question": "L2-Gard", "answer": "g + alpha*w"}]
    results = grade_rows(load_bank(), rows)
    assert [(r["question"], r["verdict"]) for r in results] == [("l2-grad", "correct"), ("l2-grad", "correct"),
                                                                ("L2-Gard", "invalid")]
