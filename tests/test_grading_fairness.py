"""The grader is fair (the verdict depends on the expression only), covers the domain by
construction, is exact where it can be, and never loses a row of a batch."""
import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from regverify.cli import main
from regverify.grading import batch as batch_module
from regverify.grading.bank import BankError, _question, load_bank
from regverify.grading.grader import grade
from regverify.grading.steps import check_steps
from regverify.grading.trials import trial_set

BANK = load_bank()


def spacings(answer: str, count: int = 60) -> list[str]:
    """``count`` spellings of the answer that differ only in blanks, deterministically."""
    rng = np.random.default_rng(8)
    out = []
    for _ in range(count):
        out.append("".join(c + " " * int(rng.integers(0, 3)) if c not in "_." and not c.isalnum() else c
                           for c in answer).center(len(answer) + int(rng.integers(0, 4))))
    return out


@pytest.mark.parametrize("qid, answer", [
    ("l2-grad", "g + min(alpha, 4.5)*w"),
    ("l2-grad", "g + alpha*w"),
    ("l1-soft-threshold", "max(w_star - alpha/h, 0)"),
    ("kl-grad-W", "X.T @ H / m"),
    ("l2-eigen-factor", "lambda_i/(lambda_i + alpha)"),
])
def test_sixty_spacings_of_one_answer_get_one_grade(qid, answer):
    grades = {json.dumps(grade(BANK[qid], a).as_dict(), sort_keys=True, default=str) for a in spacings(answer)}
    assert len(grades) == 1, f"Expected one grade but got {len(grades)} for {answer!r}"


def test_an_answer_gets_the_same_grade_alone_and_in_a_batch():
    rows = [{"student": str(i), "question": "l2-grad", "answer": a} for i, a in enumerate(spacings("g + min(alpha, 6)*w", 10))]
    alone = grade(BANK["l2-grad"], "g + min(alpha, 6)*w")
    results = batch_module.grade_rows(BANK, rows)
    assert {(r["verdict"], r["feedback"], r["diagnosis"] or None) for r in results} == \
        {(alone.verdict, alone.feedback, alone.diagnosis)}


def test_a_grade_does_not_depend_on_the_hash_seed_of_the_process():
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-m", "regverify", "grade", "kl-grad-rho-hat", "--latex", "--json",
                               r"\frac{\hat\rho - \rho}{\hat\rho (1 - \hat\rho)} + \max(\rho - 0.5, 0)"],
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.add(done.stdout)
    assert len(outputs) == 1


# Each of these is wrong somewhere in the declared domain, and only a wide, covering trial set sees it.
@pytest.mark.parametrize("qid, answer", [
    ("l1-soft-threshold", "max(w_star - alpha/h, 0)"),             # the negative branch is missing
    ("l1-soft-threshold", "sign(w_star)*max(abs(w_star) - alpha/h, 0.001)"),
    ("l2-grad", "g + min(alpha, 4.5)*w"),                          # positive scalars beyond [0.1, 5]
    ("l2-grad", "g + min(alpha, 6)*w"),
    ("l2-grad", "g + max(alpha, 0.05)*w"),                         # ... and below
    ("kl-argmin", "min(rho, 0.99)"),                               # (0, 1) near its ends
    ("kl-argmin", "max(rho, 0.01)"),
    ("kl-grad-W", "X.T @ (H*(1-H) * (-rho/rho_hat + (1-rho)/(1-rho_hat))) / min(m, 7)"),   # sizes beyond 7
    ("l2-eigen-factor", "lambda_i/(lambda_i + alpha) + 1 - sign(lambda_i)"),  # λ = 0 is in the domain
    ("sigmoid-nll-grad", "sigmoid(z) - y + min(z, 0)*y*(1 - y)"),   # equal on {0,1}: this one is correct
])
def test_an_answer_wrong_only_outside_narrow_sampling_is_incorrect(qid, answer):
    result = grade(BANK[qid], answer)
    expected = "correct" if qid == "sigmoid-nll-grad" else "incorrect"
    assert result.verdict == expected, f"Expected {expected} but got verdict={result.verdict}"


def test_the_trial_set_has_wide_ranges_both_signs_and_the_domain_boundary():
    alphas = [float(t.env["alpha"]) for t in trial_set(BANK["l2-grad"]).fixed]
    rhos = [float(t.env["rho"]) for t in trial_set(BANK["kl-argmin"]).fixed]
    lambdas = [float(t.env["lambda_i"]) for t in trial_set(BANK["l2-eigen-factor"]).fixed]
    signs = {np.sign(float(t.env["z"])) for t in trial_set(BANK["tanh-via-sigmoid"]).fixed}
    sizes = [t.env["X"].shape for t in trial_set(BANK["kl-grad-W"]).fixed]
    assert min(alphas) <= 2e-3 and max(alphas) >= 500
    assert min(rhos) <= 1e-3 and max(rhos) >= 1 - 1e-3
    assert 0.0 in lambdas
    assert signs == {-1.0, 1.0}
    assert max(max(s) for s in sizes) >= 10


def test_sizes_are_distinct_within_every_trial():
    for t in trial_set(BANK["kl-grad-W"]).fixed:
        (m, n), k = t.env["X"].shape, t.env["W"].shape[1]
        assert len({m, n, k}) == 3, f"Expected distinct sizes but got m={m}, n={n}, k={k}"


def test_an_answers_own_switch_is_tried_on_both_sides_and_at_it():
    ts = trial_set(BANK["l2-grad"])
    from regverify.grading.plaintext import parse_plain
    tree = parse_plain("g + min(alpha, 4.5)*w", BANK["l2-grad"].names)
    alphas = [float(t.env["alpha"]) for t in ts.for_trees([tree], latex=False)]
    assert any(a < 4.5 for a in alphas) and any(a > 4.5 for a in alphas)
    assert any(abs(a - 4.5) < 1e-9 for a in alphas)


POLYNOMIAL = _question({"id": "poly", "prompt": "expand (x + 1)(x + 2680000000)", "symbols": {"x": {}},
                        "key": "x**2 + 2680000001*x + 2680000000"}, "test")


@pytest.mark.parametrize("question, answer", [
    (POLYNOMIAL, "x**2 + 2680000001*x + 2680000001"),      # constant term off by 1 in 2.68e9
    (BANK["kl-argmin"], "rho*(1 + 1/2680000000)"),
    (BANK["early-stopping-alpha"], "1/(tau*eps) + 1/10**12"),
])
def test_a_difference_below_the_float_tolerance_is_found_exactly(question, answer):
    result = grade(question, answer)
    assert result.verdict == "incorrect" and result.diagnosis == "exact-difference", result.feedback


def test_an_exactly_equal_rational_answer_stays_correct():
    assert grade(POLYNOMIAL, "(x + 1)*(x + 2680000000)").verdict == "correct"
    assert grade(BANK["early-stopping-exact-alpha"],
                 "lambda_i/((1 - eps*lambda_i)**(-tau) - 1)").verdict == "correct"


def test_a_question_can_state_its_own_float_tolerance():
    loose = _question({"id": "loose", "prompt": "p", "symbols": {"x": {}}, "key": "sin(x)",
                       "tolerance": {"rtol": 1e-2, "atol": 1e-3}}, "test")
    assert (loose.rtol, loose.atol) == (1e-2, 1e-3)
    assert grade(loose, "x - x**3/6 + x**5/120 - x**7/5040 + x**9/362880 - x**11/39916800").verdict in ("correct", "incorrect")
    assert grade(loose, "sin(x)*1.001").verdict == "correct"


# --- no answer can crash a batch ---------------------------------------------------------------
CRASHERS = [
    ("l2-grad", "kw_exp(w)", "text"),
    ("l2-grad", "sum(w, axis=0.0)", "text"),
    ("l2-grad", "sum(w, axis=0j)", "text"),
    ("sigmoid-nll", "inv(y)", "text"),
    ("sigmoid-nll", "y^{-1}", "latex"),
    ("l2-grad", "g" * 10_000_000, "text"),
    ("l2-grad", "\udcff", "text"),
]


@pytest.mark.parametrize("qid, answer, fmt", CRASHERS, ids=lambda v: repr(v[:30]) if isinstance(v, str) else v)
def test_an_answer_that_used_to_crash_is_one_graded_row_of_a_completed_batch(qid, answer, fmt):
    rows = [{"student": "a", "question": qid, "answer": answer, "format": fmt},
            {"student": "b", "question": "l2-grad", "answer": "g + alpha*w", "format": "text"}]
    results = batch_module.grade_rows(BANK, rows)
    assert [r["verdict"] for r in results][1:] == ["correct"] and results[0]["verdict"] in ("invalid", "incorrect")


def test_an_unexpected_error_is_that_rows_invalid_and_the_batch_goes_on(monkeypatch, capsys):
    real = batch_module.grade_tree

    def broken(question, tree, latex=False):
        if question.id == "tying-grad":
            raise RuntimeError("planted bug")
        return real(question, tree, latex)

    monkeypatch.setattr(batch_module, "grade_tree", broken)
    rows = [{"student": "a", "question": "tying-grad", "answer": "2*(w_A - w_B)"},
            {"student": "b", "question": "l2-grad", "answer": "g + alpha*w"}]
    results = batch_module.grade_rows(BANK, rows)
    assert [r["verdict"] for r in results] == ["invalid", "correct"]
    assert "internal error, reported" in results[0]["feedback"]
    assert "planted bug" in capsys.readouterr().err


def write_rows(path, rows, header=("student", "question", "answer", "format")):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_a_ten_megabyte_cell_is_that_rows_invalid_not_the_files(tmp_path):
    write_rows(tmp_path / "in.csv", [("a", "l2-grad", "g" * 10_000_000, "text"), ("b", "l2-grad", "g + alpha*w", "text")])
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.json")]) == 0
    assert [r["verdict"] for r in json.loads((tmp_path / "out.json").read_text())] == ["invalid", "correct"]


def test_a_batch_with_format_plain_is_graded_as_text(tmp_path):
    write_rows(tmp_path / "in.csv", [("a", "l2-grad", "g + alpha*w", "plain"), ("b", "l2-grad", "g", "Plain")])
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.json")]) == 0
    assert [r["verdict"] for r in json.loads((tmp_path / "out.json").read_text())] == ["correct", "incorrect"]


def bad_paths(tmp_path):
    (tmp_path / "locked").mkdir()
    os.chmod(tmp_path / "locked", 0o500)
    return [
        (["--out", "{in}"], "input file"),
        (["--totals", "{in}"], "input file"),
        (["--out", "{dir}/r.csv", "--totals", "{dir}/r.csv"], "same file"),
        (["--out", "{dir}/missing/out.csv"], "does not exist"),
        (["--out", "{dir}/locked/out.csv"], "not writable"),
        (["--totals", "{dir}/missing/totals.csv"], "does not exist"),
    ]


@pytest.mark.parametrize("case", range(6))
def test_a_bad_output_path_is_refused_before_any_grading(tmp_path, capsys, monkeypatch, case):
    if os.geteuid() == 0 and case == 4:
        pytest.skip("root can write a read-only folder")
    argv, words = bad_paths(tmp_path)[case]
    write_rows(tmp_path / "in.csv", [("a", "l2-grad", "g + alpha*w", "text")])
    before = (tmp_path / "in.csv").read_bytes()
    graded = []
    monkeypatch.setattr(batch_module, "grade_row", lambda *a, **k: graded.append(a))
    argv = [a.format(**{"in": tmp_path / "in.csv", "dir": tmp_path}) for a in argv]
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), *argv]) == 2
    assert words in capsys.readouterr().err and not graded
    assert (tmp_path / "in.csv").read_bytes() == before


@pytest.mark.parametrize("text, words", [
    ('student,question,answer\na,l2-grad,g\nb,l2-grad,"g + alpha*w\nc,l2-grad,g\n', "line 3"),
    ("student,answer\na,g\n", "question"),
])
def test_a_malformed_class_file_is_refused_naming_the_problem(tmp_path, capsys, text, words):
    (tmp_path / "in.csv").write_text(text, encoding="utf-8")
    assert main(["grade", "--batch", str(tmp_path / "in.csv")]) == 2
    assert words in capsys.readouterr().err


def test_a_steps_file_that_is_not_utf8_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "d.txt").write_bytes(b"g + alpha*w\n\xff\xfe g\n")
    assert main(["check-steps", "l2-grad", str(tmp_path / "d.txt")]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_check_steps_shows_the_previous_lines_values_not_the_keys():
    report = check_steps(BANK["l2-grad"], ["2*g", "3*g"])
    example = report.steps[1].counterexample
    g = np.asarray(example["values"]["g"])
    assert np.allclose(example["previous_line"], 2 * g, rtol=1e-3)


# --- bank validation ---------------------------------------------------------------------------
@pytest.mark.parametrize("entry, words", [
    ({"symbols": {"x": {}}, "key": "x**6000"}, "field 'key'"),
    ({"symbols": {"x": {}}, "key": "log(-abs(x) - 1)"}, "field 'key'"),
    ({"symbols": {"x": {}, "y": {}}, "latex": {"x": ["z"], "y": ["z"]}, "key": "x + y"}, "field 'latex'"),
    ({"symbols": {"lambda": {}, "lam": {}}, "key": "lambda + lam"}, "field 'latex'"),
    ({"symbols": {"x": {"low": 3, "high": 2}}, "key": "x"}, "'low' (3) exceeds field 'high' (2)"),
    ({"symbols": {"x": {"domain": "binary", "low": 1}}, "key": "x"}, "field 'low'"),
    ({"symbols": {"x": {"domain": "positive", "low": -1}}, "key": "x"}, "leave the domain"),
    ({"symbols": {"x": {}}, "key": "x", "tolerance": {"rtol": 2}}, "tolerance.rtol"),
    ({"symbols": {"x": {}}, "key": "x", "mistakes": [{"answer": "x**5000", "feedback": "f"}]}, "mistakes[0]"),
    ({"symbols": {"x": {}}, "key": "x", "hint": "h"}, "unknown field"),
    ({"symbols": {"A": {"shape": "vector(n)", "domain": "spd"}}, "key": "A"}, "square"),
])
def test_a_bank_error_names_its_question_and_field(tmp_path, entry, words):
    (tmp_path / "b.json").write_text(json.dumps([{"id": "named-q", "prompt": "p", **entry}]))
    with pytest.raises(BankError) as raised:
        load_bank(tmp_path)
    assert "'named-q'" in str(raised.value) and words in str(raised.value), str(raised.value)


def test_bounds_on_a_real_symbol_are_honoured():
    q = _question({"id": "r", "prompt": "p", "symbols": {"x": {"low": 2, "high": 3}}, "key": "log(x - 2)"}, "test")
    xs = [float(t.env["x"]) for t in trial_set(q).fixed]
    assert min(xs) >= 2 and max(xs) <= 3 and 3.0 in xs


def test_pi_e_sin_and_cos_are_part_of_the_syntax():
    q = _question({"id": "trig", "prompt": "p", "symbols": {"x": {}}, "key": "sin(pi*x)**2 + cos(e*x)"}, "test")
    assert grade(q, "1 - cos(pi*x)**2 + cos(x*e)").verdict == "correct"
    assert grade(q, r"\sin(\pi x)^2 + \cos(e x)", latex=True).verdict == "correct"


# --- reading answers as people write them ---------------------------------------------------
@pytest.mark.parametrize("qid, answer, latex, echo", [
    ("l2-grad", r"$g + \alpha w$", True, "g + alpha * w"),
    ("l2-grad", r"\(g + \alpha w\)", True, "g + alpha * w"),
    ("l2-grad", r"\mathbf{\mathbf{g}} + \alpha \boldsymbol{w}", True, "g + alpha * w"),
    ("l2-effective-params", r"\sum_i \frac{\lambda_i}{\lambda_i + \alpha}", True, "sum(lam / (lam + alpha))"),
    ("l2-effective-params", r"\sum_{i=1}^n \frac{\lambda}{\lambda + \alpha}", True, "sum(lam / (lam + alpha))"),
    ("log-softmax", r"z - \log \sum_i e^{z_i}", True, None),
    ("l2-grad", "g + α*w", False, "g + alpha * w  (α read as alpha)"),
    ("l2-update", "(1 − ε*alpha)*w − ε*g", False, None),
    ("l2-update", "(1 - ε×alpha)·w - ε*g", False, None),
    ("kl-grad-rho-hat", "-ρ/ρ̂ + (1-ρ)/(1-ρ̂)", False, None),
    ("backprop-weight-grad", "outer(g, h) + 2*λ*W", False, None),
    ("kl-grad-W", r"\frac{1}{m} X^\top \left(H \odot (1-H) \odot \left(-\frac{\rho}{\hat\rho} + \frac{1-\rho}{1-\hat\rho}\right)\right)",
     True, "1 / m * X.T @ (H * (1 - H) * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)))"),
])
def test_an_answer_written_as_people_write_it_is_read_and_correct(qid, answer, latex, echo):
    result = grade(BANK[qid], answer, latex=latex)
    assert result.verdict == "correct", f"Expected correct but got feedback={result.feedback}"
    if echo is not None:
        assert result.interpreted_as == echo


def test_the_echo_says_which_typed_characters_were_read_as_what():
    echo = grade(BANK["l2-update"], "(1 − ε*alpha)*w − ε*g").interpreted_as
    assert "ε read as eps" in echo and "− read as -" in echo


def test_a_column_matching_a_matrixs_rows_is_spread_along_them_and_echoed():
    q = _question({"id": "rows", "prompt": "p", "symbols": {"A": {"shape": "matrix(m,k)"}, "v": {"shape": "vector(m)"}},
                   "key": "diag(v) @ A"}, "test")
    result = grade(q, r"A \odot v", latex=True)
    assert result.verdict == "correct" and result.interpreted_as == "diag(v) @ A"


@pytest.mark.parametrize("qid, answer, absent", [
    ("l2-grad", "g + alpha*w + 1e-12*alpha", "1 times the key"),
    ("backprop-batch-grad", "H @ H", "H is t×p but H is t×p"),
])
def test_feedback_never_says_something_misleading(qid, answer, absent):
    assert absent not in grade(BANK[qid], answer).feedback


# --- slow tier: the same properties over the whole bank ---------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SPACED = [("l2-grad", "g + min(alpha, 4.5)*w"), ("l1-soft-threshold", "sign(w_star)*max(abs(w_star) - alpha/h, 0)"),
          ("kl-grad-W", "X.T @ (H*(1-H) * (-rho/rho_hat + (1-rho)/(1-rho_hat))) / m"),
          ("l2-eigen-factor", "lambda_i/(lambda_i + alpha) + 1/2680000000")]


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SPACED), st.lists(st.integers(0, 3), min_size=80, max_size=80))
def test_any_spacing_of_an_answer_gets_the_grade_of_the_unspaced_one(case, blanks):
    qid, answer = case
    spaced = "".join(c + " " * b if not (c.isalnum() or c in "_.") else c for c, b in zip(answer, blanks + [0] * len(answer)))
    assert grade(BANK[qid], spaced).as_dict() == grade(BANK[qid], answer).as_dict()


def clipped_variants():
    """For every question and every unbounded positive, unit or size symbol it uses: the key
    multiplied by a factor that is 1 only inside the old narrow sampling ranges."""
    for q in BANK.values():
        for name, s in q.symbols.items():
            if s.shape != "scalar" or s.low is not None or s.high is not None or name not in q.key:
                continue
            clips = {"positive": [f"min({name}, 5.5)/{name}", f"max({name}, 0.09)/{name}"],
                     "unit": [f"min({name}, 0.985)/{name}", f"max({name}, 0.015)/{name}"],
                     "size": [f"min({name}, 7)/{name}"],
                     "nonnegative": [f"min({name}, 5.5)/max({name}, 5.5)"]}.get(s.domain, [])
            for factor in clips:
                yield pytest.param(q.id, f"({q.key})*({factor})", id=f"{q.id}:{factor}")


@pytest.mark.slow
@pytest.mark.parametrize("qid, answer", list(clipped_variants()))
def test_a_key_clipped_to_the_old_narrow_ranges_is_incorrect(qid, answer):
    assert grade(BANK[qid], answer).verdict == "incorrect"


@pytest.mark.slow
@pytest.mark.parametrize("qid", list(BANK))
def test_every_key_is_correct_against_itself_in_latex_free_spacing_and_batch(qid):
    rows = [{"student": "s", "question": qid, "answer": a} for a in (BANK[qid].key, " " + BANK[qid].key + " ")]
    assert {r["verdict"] for r in batch_module.grade_rows(BANK, rows)} == {"correct"}


def test_an_unknown_format_refuses_the_file_before_grading(tmp_path, capsys):
    (tmp_path / "in.csv").write_text("student,question,answer,format\n"
                                     "a,l2-grad,g + alpha*w,markdown\nb,l2-grad,g + alpha*w,text\n")
    assert main(["grade", "--batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv")]) == 2
    assert not (tmp_path / "out.csv").exists()
    assert "line 2: unknown format 'markdown'" in capsys.readouterr().err


def test_a_bank_nested_too_deeply_is_a_bank_error_naming_the_file(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(BankError, match="deep.json"):
        load_bank(tmp_path)


@pytest.mark.parametrize("answer", [r"\frac{W_l}{||W_l||}", r"\frac{W_l}{\|W_l\|_2}",
                                    r"\frac{W_l}{\|W_l\|_{2}}", r"\frac{W_l}{\lVert W_l \rVert}"])
def test_the_ways_people_write_a_norm_in_latex_are_read_as_the_norm(answer):
    result = grade(load_bank()["max-activation"], answer, latex=True)
    assert result.verdict == "correct" and "norm(W_l)" in result.interpreted_as


def test_single_bars_stay_an_absolute_value():
    result = grade(load_bank()["max-activation"], r"\frac{W_l}{|W_l|}", latex=True)
    assert result.verdict == "incorrect" and "abs(W_l)" in result.interpreted_as
