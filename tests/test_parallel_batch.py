"""A batch graded in worker processes: the same rows, in order, as in one process; none lost."""
from __future__ import annotations

import os

from regverify.grading import batch
from regverify.grading.bank import load_bank

BANK = load_bank()


def rows(count=2 * batch.MIN_PARALLEL):
    out = []
    for i in range(count):
        q = list(BANK.values())[i % len(BANK)]
        answer = [f"({i + 2})*({q.key})/({i + 2})", f"({q.key}) + {i}", "(" + q.key][i % 3]
        out.append({"student": f"s{i}", "question": q.id, "answer": answer, "format": ""})
    out.append({"student": "x", "question": "l2-grad", "answer": "g + alpha*w", None: ["2"]})   # cut at a comma
    out.append({"student": "y", "question": "nope", "answer": "1"})
    # enough distinct answers that the batch really goes to worker processes
    assert len({batch._row_key(row) for row in out}) >= batch.MIN_PARALLEL
    return out


def test_workers_give_the_rows_one_process_gives():
    given = rows()
    one = batch.grade_rows(BANK, given, jobs=1)
    two = batch.grade_rows(load_bank(), given, jobs=2)
    assert len(two) == len(given) and two == one
    assert [r["student"] for r in two] == [r["student"] for r in given]
    assert {r["verdict"] for r in two} == {"correct", "incorrect", "invalid"}


def test_a_worker_that_dies_loses_no_row(monkeypatch, capsys):
    def die(keys):
        os._exit(9)     # as the out-of-memory killer would end it

    monkeypatch.setattr(batch, "_grade_chunk", die)
    given = rows()
    results = batch.grade_rows(BANK, given, jobs=2)
    assert len(results) == len(given)
    assert results == batch.grade_rows(BANK, given, jobs=1)
    assert "worker processes failed" in capsys.readouterr().err
