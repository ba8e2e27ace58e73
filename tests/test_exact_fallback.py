"""Exact arithmetic where floats lose their precision, and shown values that differ where they do."""
from __future__ import annotations

import json

import pytest
import sympy

from regverify.grading.bank import load_bank
from regverify.grading.feedback import for_student, render_text
from regverify.grading.grader import grade

FACTORED = "512*(2*x + 5)**7*(5*x - 1)**5*(70*x + 67)"


@pytest.fixture(scope="module")
def poly(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bank")
    (folder / "poly.json").write_text(json.dumps({"questions": [
        {"id": "poly", "prompt": "Expand 512(2x+5)^7(5x-1)^5(70x+67)", "symbols": {"x": {}}, "key": FACTORED}]}))
    return load_bank(folder)["poly"]


def expanded(shift: int = 0) -> str:
    x = sympy.Symbol("x")
    return str(sympy.expand(512*(2*x + 5)**7*(5*x - 1)**5*(70*x + 67) + shift))


def test_the_expansion_with_integer_coefficients_is_correct_against_the_factored_key(poly):
    text = expanded()
    assert text.startswith("14336000000*x**13")
    assert grade(poly, text).verdict == "correct"


def test_an_expansion_off_by_one_is_still_incorrect_with_values_that_differ(poly):
    result = grade(poly, expanded(1))
    assert result.verdict == "incorrect"
    example = result.counterexample
    assert example["your_answer"] != example["key"]


def test_values_shown_have_enough_digits_to_differ():
    q = load_bank()["boolean-function-count"]
    result = grade(q, "2**(2**n) - 1")
    assert result.verdict == "incorrect"
    shown = render_text(for_student(result, "full"))
    assert "65540.0" not in shown and "65535" in shown and "65536" in shown
    assert "65536" not in render_text(for_student(result, "hint"))


def test_whole_numbers_are_shown_as_integers_in_counterexamples():
    from regverify.grading.bank import load_bank
    from regverify.grading.feedback import for_student
    from regverify.grading.grader import grade
    result = grade(load_bank()["boolean-function-count"], "2**n + 1")
    example = result.counterexample
    n = example["values"]["n"]
    assert isinstance(n, int) and isinstance(example["your_answer"], int)
    assert example["key"] == 2 ** (2 ** n) and example["your_answer"] == 2 ** n + 1
    assert "." not in str(for_student(result, "hint")["counterexample"])
