"""Students write their answers by hand: whatever the file holds, it is read, never a crash."""
import codecs

import pytest

from regverify.grading.assignment import AssignmentError, load_assignment, parse_assignment
from regverify.grading.submission import parse_submission

IDS = ["l2-grad", "kl-grad-rho-hat", "l2-shrinkage"]


def test_one_answer_a_line_with_comments_and_blank_lines():
    text = ("# Ann Lee, homework 3\n\n"
            "l2-grad: g + alpha*w   # the half cancels\n"
            "kl-grad-rho-hat [latex]: -\\frac{\\rho}{\\hat\\rho} + \\frac{1-\\rho}{1-\\hat\\rho}\n")
    sub = parse_submission(text, IDS)
    assert sub.problems == []
    assert sub.answers["l2-grad"].text == "g + alpha*w" and sub.answers["l2-grad"].format is None
    assert sub.answers["kl-grad-rho-hat"].format == "latex" and sub.answers["kl-grad-rho-hat"].line == 4


def test_question_ids_are_matched_ignoring_case():
    assert parse_submission("L2-Grad: g", IDS).answers["l2-grad"].text == "g"


def test_an_answer_in_dollars_is_read_as_latex():
    assert parse_submission("l2-grad: $g + \\alpha w$", IDS).answers["l2-grad"].format == "latex"


def test_an_indented_line_continues_the_answer_above():
    sub = parse_submission("l2-shrinkage: inv(H + alpha*I)\n    @ H @ w_star\n", IDS)
    assert sub.answers["l2-shrinkage"].text == "inv(H + alpha*I) @ H @ w_star" and sub.problems == []


def test_the_last_of_two_answers_counts_and_the_student_is_told():
    sub = parse_submission("l2-grad: g\nl2-grad: g + alpha*w\n", IDS)
    assert sub.answers["l2-grad"].text == "g + alpha*w"
    assert "answered again" in sub.problems[0]


def test_an_escaped_hash_is_not_a_comment():
    assert parse_submission("l2-grad [latex]: g \\# x", IDS).answers["l2-grad"].text == "g \\# x"


def test_a_csv_submission_with_a_format_column():
    sub = parse_submission("question,answer,format\nl2-grad,g + alpha*w,\nl2-shrinkage,\"(H+\\alpha I)^{-1} H w^*\",latex\n",
                           IDS, "answers.csv")
    assert sub.problems == []
    assert sub.answers["l2-shrinkage"].format == "latex" and sub.answers["l2-grad"].format is None


def test_utf16_with_a_bom_as_notepad_saves_it():
    raw = codecs.BOM_UTF16_LE + "l2-grad: g + α*w\n".encode("utf-16-le")
    assert parse_submission(raw, IDS).answers["l2-grad"].text == "g + α*w"


@pytest.mark.parametrize("raw, problem", [
    (b"", None),
    (b"\xff\xfe\x00\xd8", None),                              # UTF-16 BOM, then half a surrogate
    (b"\x00\x01\x02binary\xff\xfe", "expected 'QID: answer'"),
    (b"nope: 3", "unknown question id 'nope'"),
    (b"g + alpha*w", "expected 'QID: answer'"),
    (b"l2-grad [markdown]: g", None),
    (b"l2-grad" + b" " * 5000 + b": g", None),
    (b"x" * 3_000_000, "only its beginning was read"),
    (b"\n" * 100_000, None),
    (b"l2-grad: " + b"(" * 10_000, None),
    ("l2-grad: g\u202e + alpha*w".encode(), None),
    (b"__import__('os').system('true'): 1", "expected 'QID: answer'"),
    (b"l2-grad:", None),
], ids=lambda v: repr(v)[:30])
def test_hostile_text_is_read_without_raising(raw, problem):
    sub = parse_submission(raw, IDS)
    if problem:
        assert any(problem in p for p in sub.problems), sub.problems


@pytest.mark.parametrize("raw", [
    b"question,answer\n\"unterminated,g\n",
    b"question,answer\nl2-grad,g\x00+alpha*w\n",
    b"answer only\ng\n",
    b"question,answer,format\n,,\n,g,\nl2-grad\n",
    b"question,answer\n" + b"l2-grad," + b"g" * 2_000_000 + b"\n",
], ids=["unterminated quote", "NUL byte", "no header", "empty and short rows", "one huge cell"])
def test_hostile_csv_is_read_without_raising(raw):
    parse_submission(raw, IDS, "answers.csv")


def test_a_csv_without_its_header_says_which_columns_it_needs():
    assert "question,answer" in parse_submission(b"l2-grad,g\n", IDS, "a.csv").problems[0]


ASSIGNMENT = {"title": "Regularization homework", "submission": "answers.txt", "visibility": "visible",
              "bank": None, "questions": [{"id": "l2-grad", "points": 2},
                                          {"id": "kl-grad-rho-hat", "points": 1, "format": "latex"}]}


def test_the_documented_assignment_reads_as_written():
    a = parse_assignment(ASSIGNMENT)
    assert [(q.id, q.points, q.format) for q in a.questions] == [("l2-grad", 2, "text"),
                                                                 ("kl-grad-rho-hat", 1, "latex")]
    assert a.max_score == 3 and a.visibility == "visible" and a.bank_dir() is None


@pytest.mark.parametrize("change, message", [
    ({"questions": []}, "non-empty list"),
    ({"questions": "l2-grad"}, "non-empty list"),
    ({"questions": [{"id": "l2-grad", "points": 0}]}, "points=0"),
    ({"questions": [{"id": "l2-grad", "points": float("nan")}]}, "points=nan"),
    ({"questions": [{"id": "l2-grad", "points": True}]}, "points=True"),
    ({"questions": [{"id": "l2-grad", "points": "2"}]}, "points='2'"),
    ({"questions": [{"id": "l2-grad", "format": "markdown"}]}, "format='markdown'"),
    ({"questions": [{"id": "l2-grad", "weight": 2}]}, "unknown field"),
    ({"questions": [{"id": "l2-grad"}, {"id": "l2-grad"}]}, "listed twice"),
    ({"questions": ["l2-grad"]}, "expected an object"),
    ({"questions": [{"points": 1}]}, "id=None"),
    ({"visibility": "public"}, "visibility='public'"),
    ({"submission": "../../source/bank/regularization.json"}, "inside the student's submission"),
    ({"submission": "/etc/passwd"}, "inside the student's submission"),
    ({"bank": 3}, "bank=3"),
    ({"due": "friday"}, "unknown field"),
], ids=lambda v: str(v)[:40])
def test_a_bad_assignment_is_refused_with_the_field_named(change, message):
    with pytest.raises(AssignmentError, match=None) as error:
        parse_assignment({**ASSIGNMENT, **change})
    assert message in str(error.value)


def test_an_assignment_that_is_not_json_is_refused(tmp_path):
    (tmp_path / "a.json").write_text("{'title': 'x'}")
    with pytest.raises(AssignmentError, match="not valid JSON"):
        load_assignment(tmp_path / "a.json")
