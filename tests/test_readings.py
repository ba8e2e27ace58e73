"""Standard LaTeX and plain-text readings of correct answers, and messages in the user's words."""
from __future__ import annotations

import subprocess
import sys

import pytest

from regverify.grading.bank import load_bank
from regverify.grading.batch import BatchError, grade_rows, read_rows
from regverify.grading.grader import grade

BANK = load_bank()


@pytest.mark.parametrize("qid,answer", [
    ("ae-l2-half-grad", r"\tfrac{\lambda}{1} W"),                       # \tfrac
    ("ridge-solution", r"(X^\top X + \dfrac{\alpha}{2} I)^{-1} X^\top y"),   # \dfrac
    ("sigmoid-via-tanh", r"\frac{1 + \tanh\frac{z}{2}}{2}"),           # \frac as a function's argument
    ("sigmoid-via-tanh", r"\frac12 (1 + \tanh\frac z2)"),               # unbraced arguments
    ("l2-shrinkage", r"(H+\alpha I)^{-1} H w^\ast"),                   # w^\ast
    ("l2-shrinkage", r"(H+\alpha I)^{-1} H w^{\ast}"),
    ("dae-mask-variance", r"q(1-q)x_j^2"),                             # the prompt's subscript
    ("dae-mask-variance", r"𝐱^2 q (1-q)"),                              # math bold
    ("l2-quadratic-grad", r"\operatorname{Tr}(I) H (w - w^*) / \operatorname{Tr}(I)"),   # \operatorname{Tr}, I
    ("dropout-ridge-weights", r"(pX^\top X + (1-p)\operatorname{diag}(\operatorname{diag}(X^\top X)) + 0 I)^{-1} X^\top y"),
])
def test_latex_readings_are_accepted(qid, answer):
    result = grade(BANK[qid], answer, latex=True)
    assert result.verdict == "correct", (answer, result.feedback)


@pytest.mark.parametrize("qid,answer", [
    ("dae-mask-variance", "q*(1 - q)*x_j**2"),
    ("dae-mask-variance", "q*(1 - q)*xⱼ**2"),
    ("dae-mask-variance", "q*(1 - q)*𝐱**2"),
    ("ae-l2-grad", "2*lambda*W @ I"),              # I where the question has matrices but no I
    ("backprop-weight-grad", "outer(g, h) + 2*lambda*I @ W"),
])
def test_plain_readings_are_accepted(qid, answer):
    result = grade(BANK[qid], answer)
    assert result.verdict == "correct", (answer, result.feedback)


def test_the_readings_do_not_accept_wrong_answers():
    """A planted error in each reading is still caught."""
    assert grade(BANK["sigmoid-via-tanh"], r"\frac12 (1 + \tanh\frac z3)", latex=True).verdict == "incorrect"
    assert grade(BANK["dae-mask-variance"], "q*(1 - q)*x_j", ).verdict == "incorrect"
    assert grade(BANK["ae-l2-grad"], "lambda*W @ I").verdict == "incorrect"
    assert grade(BANK["l2-shrinkage"], r"(H+\alpha I)^{-1} w^\ast", latex=True).verdict == "incorrect"
    # an index the prompt does not use is not dropped
    assert grade(BANK["l2-grad"], "g + alpha*w_j").verdict == "invalid"


def test_diag_of_a_matrix_in_a_quadratic_form_says_what_diag_means():
    result = grade(BANK["dropout-linear-loss"],
                   r"\|y - pXw\|^2 + p(1-p) w^\top \operatorname{diag}(X^\top X) w", latex=True)
    assert result.verdict == "invalid"
    assert "vector of its diagonal entries" in result.feedback and "diag(diag(X.T @ X))" in result.feedback


@pytest.mark.parametrize("qid, answer, latex", [
    ("dropout-linear-loss", "sum((y - p*X@w)**2) + p*(1-p)* w @ diag(X.T@X) @ w", False),   # a wrong shape
    ("dropout-ridge-weights", r"(pX^\top X + (1-p)\operatorname{diag}(X^\top X))^{-1} X^\top y", True),  # a sum
])
def test_diag_of_a_matrix_is_explained_wherever_it_breaks_the_answer(qid, answer, latex):
    result = grade(BANK[qid], answer, latex=latex)
    assert result.verdict in ("invalid", "incorrect")
    assert "vector of its diagonal entries" in result.feedback, result.feedback
    assert "p @" not in result.feedback      # a scalar's product written back as *, as it reads


@pytest.mark.parametrize("answer,words", [
    ("g + (alpha*w", "'(' at column 5 is never closed: add ')'"),
    ("g + alpha*w)", "closes nothing"),
    ("g + alpha*w, 2", "comma outside a function's parentheses"),
])
def test_plain_messages_say_what_is_wrong_and_how_to_write_it(answer, words):
    result = grade(BANK["l2-grad"], answer)
    assert result.verdict == "invalid" and words in result.feedback
    assert "EOF" not in result.feedback and "Tuple" not in result.feedback


def run(*args):
    return subprocess.run([sys.executable, "-m", "regverify", *args], capture_output=True, text=True)


def test_an_answer_that_starts_with_a_minus_is_an_answer():
    done = run("grade", "l2-grad", "-g")
    assert done.returncode == 1 and "unrecognized arguments" not in done.stderr
    assert "read as: -g" in done.stdout
    typo = run("grade", "l2-grad", "g", "--jsn")
    assert typo.returncode == 2 and "put -- before" not in typo.stderr and "can also follow --" in typo.stderr


def test_batch_unknown_format_is_refused_before_grading(tmp_path):
    path = tmp_path / "class.csv"
    path.write_text("student,question,answer,format\nann,l2-grad,g + alpha*w,text\nbob,l2-grad,g,latx\n")
    with pytest.raises(BatchError, match="line 3: unknown format 'latx'"):
        read_rows(path)
    done = run("grade", "--batch", str(path), "--out", str(tmp_path / "out.csv"))
    assert done.returncode == 2 and not (tmp_path / "out.csv").exists()


def test_batch_unquoted_comma_is_invalid_never_correct(tmp_path):
    path = tmp_path / "class.csv"
    path.write_text("student,question,answer\nann,l2-grad,g + alpha*w, 2\nbob,l2-grad,\"g + alpha*w\"\n")
    results = grade_rows(BANK, read_rows(path))
    assert results[0]["verdict"] == "invalid" and "double quotes" in results[0]["feedback"]
    assert results[1]["verdict"] == "correct"


@pytest.mark.parametrize("answer,words", [
    (r"g + \alpha w +", "ends too early"),
    (r"g )( w", "')' is not expected there"),
    (r"\frac{g}", r"\frac needs two arguments"),
])
def test_latex_messages_are_in_the_users_words(answer, words):
    result = grade(BANK["l2-grad"], answer, latex=True)
    assert result.verdict == "invalid" and words in result.feedback
    assert "terminal" not in result.feedback and "$END" not in result.feedback


def test_an_over_long_answer_is_refused_before_it_is_rewritten():
    result = grade(BANK["l2-grad"], "w_" * 100_000 + "x")
    assert result.verdict == "invalid" and "the bound is 2000" in result.feedback


def test_a_csv_submission_cut_at_an_unquoted_comma_is_not_graded_and_says_why():
    from regverify.grading.submission import parse_submission
    submission = parse_submission("question,answer\nl2-grad,g + alpha*w, 2\n", ["l2-grad"], "answers.csv")
    assert "l2-grad" not in submission.answers
    assert "comma outside double quotes" in submission.problems[0]
    spilled = parse_submission("question,answer,format\nl2-grad,max(g,w)+alpha*w\n", ["l2-grad"], "answers.csv")
    assert "l2-grad" not in spilled.answers and "comma outside double quotes" in spilled.problems[0]


def test_answers_that_need_no_rewriting_read_as_the_tokenizer_reads_them(monkeypatch):
    from regverify.grading import plaintext
    texts = [t["answer"] for q in BANK.values() for t in q.tests] + ["1e5*x", "x.T.T", "sum(x, axis=0)", "x = y"]
    fast = []
    for text in texts:
        try:
            fast.append(plaintext.parse_plain(text))
        except Exception as error:   # the message may differ in its column only
            fast.append(type(error))
    monkeypatch.setattr(plaintext, "_needs_no_rewriting", lambda text: False)
    slow = []
    for text in texts:
        try:
            slow.append(plaintext.parse_plain(text))
        except Exception as error:
            slow.append(type(error))
    assert fast == slow
    monkeypatch.undo()
    assert "**" in plaintext._lex("x^2") and "kw_lambda" in plaintext._lex("lambda*w")   # rewritten still


def test_full_width_letters_are_read_and_the_reading_is_noted():
    result = grade(load_bank()["kl-argmin"], "ｒｈｏ")
    assert result.verdict == "correct" and "ｒ read as r" in result.interpreted_as
