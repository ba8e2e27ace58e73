"""The grading commands as a TA meets them: exit codes, JSON, batch files, step checks."""
import csv
import json

import pytest

from regverify.cli import main


@pytest.mark.parametrize("argv, code", [
    (["grade", "l2-grad", "g + alpha*w"], 0),
    (["grade", "l2-grad", "g + 2*alpha*w"], 1),
    (["grade", "l2-grad", "g +"], 3),
    (["grade", "l2-grad", "--", "-(-g - alpha*w)"], 0),
    (["grade", "l2-grad", "--latex", r"g + \alpha w"], 0),
    (["grade", "no-such-question", "g"], 2),
    (["grade"], 2),
    (["grade", "l2-grad", "g", "--batch", "x.csv"], 2),
    (["show", "no-such-question"], 2),
])
def test_grade_exit_codes(argv, code, capsys):
    assert main(argv) == code


def test_grade_json_follows_the_contract(capsys):
    assert main(["grade", "kl-grad-W", "X.T @ (H*(1-H) * (-rho/rho_hat + (1-rho)/(1-rho_hat)))", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"question", "verdict", "interpreted_as", "feedback", "diagnosis", "counterexample"}
    assert out["verdict"] == "incorrect" and out["diagnosis"] == "known-mistake" and "/m" in out["feedback"]


def test_questions_lists_every_id(capsys):
    assert main(["questions"]) == 0
    out = capsys.readouterr().out
    assert "kl-grad-W" in out and "backprop-batch-grad" in out


def test_show_json_has_id_prompt_symbols_and_key(capsys):
    assert main(["show", "tied-grad", "--key", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["id"] == "tied-grad" and "W" in out["symbols"] and out["key"].startswith("2*outer")
    assert out["symbols"]["W"] == {"shape": "matrix(n,k)", "domain": "real"}


def test_show_without_key_hides_it(capsys):
    assert main(["show", "l2-grad"]) == 0
    assert "g + alpha*w" not in capsys.readouterr().out


def write_csv(path, rows, header=("student", "question", "answer", "format")):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


ROWS = [("ann", "l2-grad", "g + alpha*w", "text"),
        ("bob", "l2-grad", "g + 2*alpha*w", ""),
        ("cat", "nope", "g", "text"),
        ("dan", "l2-grad", "", "text"),
        ("eve", "l2-shrinkage", r"(H+\alpha I)^{-1} H w^*", "latex"),
        ("fay", "l2-grad", "__import__('os').system('true')", "text"),
        ("gus", "l2-grad", "g" * 100_000, "text"),
        ("hal", "l2-grad", "g + alpha*w", "plain")]


def test_batch_gives_one_row_per_input_row_in_order(tmp_path, capsys):
    write_csv(tmp_path / "in.csv", ROWS)
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv")]) == 0
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        out = list(csv.DictReader(handle))
    assert [r["student"] for r in out] == [r[0] for r in ROWS]
    assert [r["verdict"] for r in out] == ["correct", "incorrect", "invalid", "invalid", "correct",
                                           "invalid", "invalid", "correct"]
    assert "graded 8/8" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.tmp"))


def test_batch_json_output(tmp_path):
    write_csv(tmp_path / "in.csv", ROWS[:3])
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.json")]) == 0
    rows = json.loads((tmp_path / "out.json").read_text())
    assert [r["verdict"] for r in rows] == ["correct", "incorrect", "invalid"]


def test_the_class_wide_gradescope_flag_is_gone_in_favour_of_totals(tmp_path, capsys):
    write_csv(tmp_path / "in.csv", ROWS[:1])
    with pytest.raises(SystemExit) as exit_:
        main(["grade", "--batch", str(tmp_path / "in.csv"), "--gradescope", str(tmp_path / "r.json")])
    assert exit_.value.code == 2 and not (tmp_path / "r.json").exists()


def test_batch_without_the_format_column_reads_text(tmp_path):
    write_csv(tmp_path / "in.csv", [("ann", "l2-grad", "g + alpha*w")], header=("student", "question", "answer"))
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.json")]) == 0
    assert json.loads((tmp_path / "out.json").read_text())[0]["verdict"] == "correct"


def test_an_unquoted_comma_before_the_format_cell_costs_only_its_row(tmp_path):
    (tmp_path / "in.csv").write_text("student,question,answer,format\nann,l2-grad,max(g,alpha*w),\n"
                                     "bob,l2-grad,g + alpha*w,text\n")
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.json")]) == 0
    ann, bob = json.loads((tmp_path / "out.json").read_text())
    assert ann["verdict"] == "invalid" and "comma" in ann["feedback"] and bob["verdict"] == "correct"


def test_a_row_that_omits_its_empty_format_cell_and_is_cut_at_a_comma_costs_only_its_row(tmp_path):
    # the answer's rest lands in the format cell: no format word, so no typo of the file's
    (tmp_path / "in.csv").write_text("student,question,answer,format\nann,l2-grad,max(g,w)+alpha*w\n"
                                     "cat,l2-grad,g + alpha*w,2\nbob,l2-grad,g + alpha*w,text\n")
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.json")]) == 0
    ann, cat, bob = json.loads((tmp_path / "out.json").read_text())
    for cut in (ann, cat):
        assert cut["verdict"] == "invalid" and "comma outside double quotes" in cut["feedback"]
        assert cut["format"] == "" and "alpha" not in cut["format"]   # the spilled text is no format
    assert bob["verdict"] == "correct"


def test_an_unknown_format_is_still_the_files_error(tmp_path, capsys):
    (tmp_path / "in.csv").write_text("student,question,answer,format\nann,l2-grad,g,tetx\n")
    assert main(["grade", "--batch", str(tmp_path / "in.csv")]) == 2
    assert "unknown format 'tetx'" in capsys.readouterr().err


def test_batch_with_missing_columns_is_a_usage_error(tmp_path, capsys):
    write_csv(tmp_path / "in.csv", [("ann", "g")], header=("student", "answer"))
    assert main(["grade", "--batch", str(tmp_path / "in.csv")]) == 2
    assert "question" in capsys.readouterr().err


def test_a_custom_bank_directory(tmp_path, capsys):
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "q.json").write_text(json.dumps([{"id": "twice", "prompt": "2x", "symbols": {"x": {}},
                                                           "key": "2*x"}]))
    assert main(["grade", "twice", "x + x", "--bank", str(tmp_path / "bank")]) == 0
    assert main(["grade", "l2-grad", "g", "--bank", str(tmp_path / "bank")]) == 2


def test_check_steps_accepts_a_sound_derivation(tmp_path, capsys):
    (tmp_path / "d.txt").write_text("inv(H + alpha*I) @ H @ w_star\n"
                                    "# multiply through\n"
                                    "inv(H + alpha*I) @ (H + alpha*I - alpha*I) @ w_star\n"
                                    "w_star - alpha*inv(H + alpha*I) @ w_star\n")
    assert main(["check-steps", "l2-shrinkage", str(tmp_path / "d.txt")]) == 0
    assert "last line equals the key: yes" in capsys.readouterr().out


def test_check_steps_names_the_first_broken_step(tmp_path, capsys):
    (tmp_path / "d.txt").write_text("H @ (w - w_star)\nH @ w - H @ w_star\nH @ w - w_star\nH @ (w - w_star)\n")
    assert main(["check-steps", "l2-quadratic-grad", str(tmp_path / "d.txt"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["first_broken_step"] == 3
    assert report["steps"][2]["counterexample"] is not None
    assert report["last_line_equals_key"] is True


def test_check_steps_in_latex(tmp_path, capsys):
    (tmp_path / "d.tex").write_text("(H+\\alpha I)^{-1} H w^*\n(H+\\alpha I)^{-1} (H + \\alpha I - \\alpha I) w^*\n")
    assert main(["check-steps", "l2-shrinkage", str(tmp_path / "d.tex"), "--latex"]) == 0


def test_check_steps_with_an_unreadable_line_is_invalid(tmp_path, capsys):
    (tmp_path / "d.txt").write_text("g + alpha*w\ng + alpha*\n")
    assert main(["check-steps", "l2-grad", str(tmp_path / "d.txt")]) == 3


def test_a_class_file_that_is_not_utf8_is_refused_naming_its_line(tmp_path, capsys):
    (tmp_path / "in.csv").write_bytes("student,question,answer\nann,l2-grad,g\nJosé,l2-grad,g\n".encode("latin-1"))
    assert main(["grade", "--batch", str(tmp_path / "in.csv")]) == 2
    error = capsys.readouterr().err
    assert "line 3 is not UTF-8" in error and "CSV UTF-8" in error
    (tmp_path / "ok.csv").write_bytes("\ufeffstudent,question,answer\nJosé,l2-grad,g\n".encode("utf-8"))
    assert main(["grade", "--batch", str(tmp_path / "ok.csv"), "--out", str(tmp_path / "o.json")]) == 0
    assert json.loads((tmp_path / "o.json").read_text())[0]["student"] == "José"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])   # with a byte-order mark and without
def test_a_utf16_class_file_is_named_as_such(tmp_path, capsys, encoding):
    (tmp_path / "in.csv").write_bytes("student,question,answer\nann,l2-grad,g\n".encode(encoding))
    assert main(["grade", "--batch", str(tmp_path / "in.csv")]) == 2
    assert "is UTF-16 text" in capsys.readouterr().err
