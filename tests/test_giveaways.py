"""What a question's text, or the grader's hint, could give away: planted in a bank, each is found."""
from __future__ import annotations

import json

import pytest

from regverify.grading.bank import load_bank
from regverify.grading.bank_check import check_bank, formulas_in
from regverify.grading.grader import HINTS, grade

SHRINKAGE = {"id": "shrink", "prompt": "Minimizer of L̂(w) + (α/2)‖w‖²", "derivation": "l2-shrinkage",
             "symbols": {"H": {"shape": "matrix(n,n)", "domain": "spd"}, "alpha": {"domain": "positive"},
                         "w_star": {"shape": "vector(n)"}, "I": {"shape": "identity(n)"}},
             "key": "inv(H + alpha*I) @ H @ w_star"}
SIGMOID = {"id": "sig", "prompt": "σ(z) in terms of tanh", "symbols": {"z": {}}, "key": "(1 + tanh(z/2))/2",
           "mistakes": [{"answer": "(1 + tanh(z))/2", "hint": "the argument of tanh is rescaled",
                         "feedback": "f"}]}


def problems_of(tmp_path, *questions):
    (tmp_path / "q.json").write_text(json.dumps({"questions": list(questions)}, ensure_ascii=False))
    return [(p.question, p.field, p.message) for p in check_bank(tmp_path)]


def test_a_clean_pair_of_questions_gives_nothing_away(tmp_path):
    assert problems_of(tmp_path, SHRINKAGE, SIGMOID) == []


def test_a_prompt_that_states_another_questions_key_in_prose_math_is_found(tmp_path):
    eigen = SHRINKAGE | {"id": "eigen", "prompt": "With H = QΛQᵀ, write w̃ = (H + αI)⁻¹Hw* using Q"}
    found = problems_of(tmp_path, SHRINKAGE, eigen)
    assert [(q, f) for q, f, _ in found] == [("eigen", "prompt")]
    assert "'shrink'" in found[0][2] and "'eigen'" in found[0][2]


def test_a_prompt_that_states_an_identity_in_parentheses_is_found(tmp_path):
    tanh = {"id": "tanh", "prompt": "tanh(z) in terms of σ", "symbols": {"z": {}}, "key": "2*sigmoid(2*z) - 1"}
    leaky = SIGMOID | {"prompt": "σ(z) in terms of tanh (tanh z = 2σ(2z) − 1)"}
    assert [(q, f) for q, f, _ in problems_of(tmp_path, tanh, leaky)] == [("sig", "prompt")]


def test_a_bare_number_in_a_prompt_is_no_formula(tmp_path):
    assert formulas_in("n = 4, so") == ["n", "4"]
    count = {"id": "count", "prompt": "How many? (for n = 2 it is 4)", "symbols": {}, "key": "4"}
    assert problems_of(tmp_path, count) == []


def test_a_hint_that_states_the_key_is_found_written_or_in_prose(tmp_path):
    written = SIGMOID | {"mistakes": [{"answer": "(1 + tanh(z))/2", "hint": "use (1 + tanh(z/2))/2",
                                       "feedback": "f"}]}
    prose = SIGMOID | {"id": "sig2", "mistakes": [{"answer": "(1 + tanh(z))/2",
                                                   "hint": "the argument: σ(z) = (1 + tanh(z/2))/2", "feedback": "f"}]}
    found = [(q, f) for q, f, _ in problems_of(tmp_path, written, prose)]
    assert found == [("sig", "mistakes[0].hint"), ("sig2", "mistakes[0].hint")]


def test_two_mistakes_that_are_one_answer_are_found(tmp_path):
    twice = SIGMOID | {"mistakes": SIGMOID["mistakes"] + [{"answer": "0.5 + tanh(z)/2", "feedback": "f"}]}
    found = [(q, f) for q, f, m in problems_of(tmp_path, twice) if "same answer" in m]
    assert found == [("sig", "mistakes[1]")]


def test_an_unknown_derivation_id_is_found_with_every_other_problem(tmp_path):
    typo = SHRINKAGE | {"derivation": "l2-shrinkgae"}
    leaky = SIGMOID | {"prompt": "σ(z) in terms of tanh (tanh z = 2σ(2z) − 1)",
                       "mistakes": [{"answer": "(1 + tanh(z))/2", "hint": "use (1 + tanh(z/2))/2", "feedback": "f"}]}
    tanh = {"id": "tanh", "prompt": "p", "symbols": {"z": {}}, "key": "2*sigmoid(2*z) - 1"}
    found = [(q, f) for q, f, _ in problems_of(tmp_path, typo, leaky, tanh)]
    assert sorted(found) == [("shrink", "derivation"), ("sig", "mistakes[0].hint"), ("sig", "prompt")]


def test_the_bundled_prompts_and_hints_give_no_key_away():
    assert check_bank() == []


@pytest.mark.parametrize("qid, answer", [("l2-grad", "0*w"), ("l2-grad", "w - w"), ("l1-grad", "0*sign(w)"),
                                         ("backprop-path-count", "0"), ("backprop-path-count", "w - w")])
def test_a_zero_answer_earns_nothing_and_is_called_zero(qid, answer):
    result = grade(load_bank()[qid], answer)
    assert result.verdict == "incorrect" and result.credit == 0
    assert result.diagnosis == "zero" and "constant" not in result.feedback


def test_a_number_for_a_numeric_key_names_no_factor():
    numeric = load_bank()["xor-linear-loss"]
    assert not numeric.names
    result = grade(numeric, "7")
    assert result.verdict == "incorrect" and result.credit == 0
    assert result.diagnosis is None and "times" not in result.feedback


def test_a_genuine_constant_factor_is_still_named():
    question = load_bank()["l2-shrinkage"]
    result = grade(question, "2*inv(H + alpha*I) @ H @ w_star")
    assert result.diagnosis == "constant-factor" and "2 times" in result.feedback


def test_no_hint_names_the_operation_that_gives_the_key():
    for kind, hint in HINTS.items():
        assert "correct result" not in hint and "times" not in hint and "question's symbols" not in hint, kind


def test_a_constant_answer_to_a_formula_names_no_factor():
    result = grade(load_bank()["kl-argmin"], "1")
    assert result.verdict == "incorrect" and result.diagnosis is None and result.credit == 0


def test_at_hint_the_digits_shown_do_not_tell_how_near_the_key_an_answer_is():
    from regverify.grading.feedback import for_student

    def digits_shown(answer):
        example = for_student(grade(load_bank()["l2-grad"], answer), "hint")["counterexample"]
        return {len(repr(abs(v)).replace(".", "").lstrip("0")) for v in example["your_answer"]}
    near, far = digits_shown("g + 1.000001*alpha*w"), digits_shown("g + 1.5*alpha*w")
    assert max(near) <= 4 and max(far) <= 4, (near, far)   # at full the near one needs 7 digits to differ
