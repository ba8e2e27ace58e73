"""regverify in a notebook: grade and check_steps without the command line, shown as rich output."""
import subprocess
import sys

import pytest


def test_the_notebook_names_import_from_the_package_without_sympy_or_autograd():
    code = ("import sys\nfrom regverify import grade, check_steps, show\n"
            "print(grade('l2-grad', 'g + alpha*w').verdict)\n"
            "print(sorted(m for m in ('sympy', 'autograd') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.stdout.split() == ["correct", "[]"], done.stderr


def test_importing_regverify_alone_loads_no_grading_code():
    code = "import sys, regverify\nprint('numpy' in sys.modules, 'regverify.grading.grader' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.stdout.split() == ["False", "False"], done.stderr


def test_a_wrong_answer_renders_its_verdict_reading_feedback_and_counterexample():
    from regverify import grade
    result = grade("l2-grad", "g + 2*alpha*w")
    markdown, page = result._repr_markdown_(), result._repr_html_()
    for text in (markdown, page):
        assert "incorrect" in text and "cancels the 2" in text
    assert r"$$g + 2 \, \alpha \, w$$" in markdown          # the reading, typeset
    assert "| `alpha` |" in markdown and "<table>" in page    # the counterexample table
    assert not result.ok and repr(result).startswith("incorrect (l2-grad)\nread as: g + 2 * alpha * w")


def test_a_correct_latex_answer_renders_without_feedback():
    from regverify import grade
    result = grade("l2-shrinkage", r"(H+\alpha I)^{-1} H w^*", latex=True)
    assert result.ok and "feedback" not in result._repr_markdown_()
    assert r"{\left(H + \alpha \, I\right)}^{-1}" in result._repr_markdown_()


def test_an_unreadable_answer_renders_why():
    from regverify import grade
    result = grade("l2-grad", "g +")
    assert result.verdict == "invalid" and "feedback" in result._repr_markdown_()


@pytest.mark.parametrize("answer", ["<script>alert(1)</script>", "g + alpha*w </p><script>", "`` ` ``"])
def test_student_text_cannot_become_markup_in_the_html(answer):
    from regverify import grade
    assert "<script>" not in grade("l2-grad", answer)._repr_html_()


def test_show_renders_the_prompt_and_the_symbols_in_latex():
    from regverify import show
    markdown = show("kl-grad-rho-hat")._repr_markdown_()
    assert "KL" in markdown or "ρ" in markdown
    assert r"$\hat" in markdown and "| `rho` |" in markdown


def test_check_steps_takes_a_string_and_renders_the_first_broken_step():
    from regverify import check_steps
    report = check_steps("l2-quadratic-grad", "H @ (w - w_star)\nH @ w - H @ w_star\nH @ w - w_star\n")
    assert report.first_broken == 3 and not report.ok
    assert "step 3 does not follow" in report._repr_markdown_()


def test_an_unknown_question_names_the_valid_ones():
    from regverify import grade
    with pytest.raises(KeyError, match="l2-grad"):
        grade("no-such-question", "g")


def test_the_result_is_still_the_graders_grade():
    from regverify import grade
    from regverify.grading.grader import Grade
    result = grade("l2-grad", "g + alpha*w")
    assert isinstance(result, Grade) and result.as_dict()["verdict"] == "correct"


@pytest.mark.parametrize("answer", [None, 5, b"g + alpha*w"])
def test_an_answer_that_is_not_a_string_is_refused_saying_so(answer):
    from regverify import grade
    with pytest.raises(TypeError, match="as a string"):
        grade("l2-grad", answer)


def test_every_notebook_object_reads_as_text_and_renders_as_html():
    from regverify.notebook import check_steps, grade, show
    objects = [show("l2-grad"), grade("l2-grad", "g"), check_steps("l2-grad", ["g + alpha*w", "g"])]
    for shown in objects:
        assert "<" not in repr(shown)[:1] and "object at 0x" not in repr(shown), repr(shown)
        assert "l2-grad" in str(shown) or shown.verdict in str(shown)
        assert shown._repr_html_().startswith("<p>")
    steps = check_steps("l2-grad", ["g + alpha*w", "g"])
    assert "step 2 does not follow" in str(steps) and "not-equivalent" in str(steps)
    assert "firebrick" in steps._repr_html_() and "alpha" in show("l2-grad")._repr_html_()
