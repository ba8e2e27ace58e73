"""Grading: equivalent forms accepted, mistakes diagnosed, hostile input refused harmlessly."""
import os
import subprocess

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regverify.grading.bank import _question, load_bank
from regverify.grading.grader import grade

BANK = load_bank()


@pytest.mark.parametrize("qid, answer", [
    ("dae-gaussian-linear", "inv(X.T @ X + m*sigma**2*I) @ X.T @ X"),      # commuting factors
    ("l2-shrinkage", "w_star - alpha*inv(H + alpha*I) @ w_star"),          # expanded
    ("max-activation", "W_l/norm(W_l)"),                                   # norm for sqrt(v@v)
    ("sigmoid-nll", "log(1 + exp((1 - 2*y)*z))"),                           # softplus spelled out
    ("sigmoid-nll", "-y*log(sigmoid(z)) - (1-y)*log(1-sigmoid(z))"),        # equal on y ∈ {0,1} only
    ("l1-soft-threshold", "max(w_star - alpha/h, 0) + min(w_star + alpha/h, 0)"),   # piecewise
    ("l1-soft-threshold", "w_star - max(min(w_star, alpha/h), -alpha/h)"),           # clip form
    ("kl-grad-rho-hat", "(rho_hat - rho)/(rho_hat*(1 - rho_hat))"),         # factored
    ("tanh-via-sigmoid", "(1 - exp(-2*z))/(1 + exp(-2*z))"),
    ("ae-l2-grad", "lambda*W + W*lambda"),                                 # lambda is a name
    ("l2-update", "w - eps*(g + alpha*w)"),
    ("tied-grad", "2*(outer(x_hat - x, h) + outer(x, (W.T@(x_hat - x))*h*(1 - h)))"),
    ("cae-jacobian", "(W*(h*(1-h))).T"),
    ("cae-penalty", "norm(diag(h*(1-h)) @ W.T)**2"),
    ("log-softmax", "log(exp(z)/sum(exp(z)))"),
    ("backprop-batch-grad", "(G.T @ H).T"),
    ("l2-eigen-form", "inv(Q @ Lam @ Q.T + alpha*I) @ Q @ Lam @ Q.T @ w_star"),
    ("ridge-solution", "inv(2*X.T @ X + alpha*I) @ (2*X.T @ y)"),
    ("early-stopping-trajectory", "v_i - (1 - eps*lambda_i)^tau*v_i"),      # ^ is power
    ("tying-grad", "2*w_A - 2*w_B"),
    ("kl-grad-W", "X.T @ (H - H**2) @ diag(-rho/rho_hat + (1-rho)/(1-rho_hat)) / m"),
    ("l2-effective-params", "sum(lam/(lam + alpha), axis=0)"),
])
def test_an_equivalent_plain_text_form_is_correct(qid, answer):
    result = grade(BANK[qid], answer)
    assert result.verdict == "correct", f"Expected correct but got verdict={result.verdict}, feedback={result.feedback}"


@pytest.mark.parametrize("qid, answer, echo", [
    ("l2-shrinkage", r"(H+\alpha I)^{-1} H w^*", "inv(H + alpha * I) @ H @ w_star"),
    ("l2-shrinkage", r"\left(H + \alpha I\right)^{-1} H w^{*}", "inv(H + alpha * I) @ H @ w_star"),
    ("kl-grad-rho-hat", r"-\frac{\rho}{\hat\rho} + \frac{1-\rho}{1-\hat{\rho}}", None),
    ("kl-grad-rho-hat", r"-\frac{\rho}{\hat{\rho}_l} + \frac{1-\rho}{1-\hat\rho_l}", None),
    ("cae-jacobian", r"\operatorname{diag}(h \odot (1-h)) W^\top", "diag(h * (1 - h)) @ W.T"),
    ("tied-grad", r"2(\hat{x} - x)h^T + 2x\left((W^\top(\hat x - x)) \odot h \odot (1-h)\right)^\top", None),
    ("l1-soft-threshold", r"\operatorname{sign}(w^*)\max(|w^*| - \frac{\alpha}{h}, 0)", None),
    ("max-activation", r"\frac{W_l}{\|W_l\|}", "W_l / norm(W_l)"),
    ("early-stopping-alpha", r"\frac{1}{\tau\epsilon}", "1 / (tau * eps)"),
    ("early-stopping-trajectory", r"(1-(1-\varepsilon\lambda_i)^\tau) v_i", None),
    ("ridge-solution", r"(X^\top X + \frac{\alpha}{2} I)^{-1} X^\top y", None),
    ("l2-eigen-form", r"Q(\Lambda + \alpha I)^{-1}\Lambda Q^T w^*", None),
    ("sigmoid-nll-grad", r"\sigma(z) - y", "sigmoid(z) - y"),
    ("backprop-weight-grad", r"g h^\top + 2\lambda W", "outer(g, h) + 2 * lambda * W"),
    ("dae-mask-mean", r"(1-q)x", "(1 - q) * x"),
    ("l2-quadratic-grad", r"H \cdot (w - w^\star)", None),
    ("tying-grad", r"2(w_A - w_{B})", None),
    ("backprop-batch-grad", r"H^{T} G", "H.T @ G"),
])
def test_a_latex_form_is_correct_and_echoed_in_plain_text(qid, answer, echo):
    result = grade(BANK[qid], answer, latex=True)
    assert result.verdict == "correct", f"Expected correct but got feedback={result.feedback}"
    if echo is not None:
        assert result.interpreted_as == echo


def test_latex_does_not_broadcast_a_column_against_a_row():
    result = grade(BANK["l2-grad"], r"g + \alpha w^T", latex=True)
    assert result.verdict == "invalid" and "n×1" in result.feedback and "1×n" in result.feedback


def test_latex_juxtaposition_is_not_commutative():
    assert grade(BANK["l2-shrinkage"], r"H (H+\alpha I)^{-1} w^*", latex=True).verdict == "correct"  # they commute
    assert grade(BANK["backprop-batch-grad"], r"G^T H", latex=True).verdict == "incorrect"


@pytest.mark.parametrize("qid, answer, diagnosis, words", [
    ("l2-grad", "3*(g + alpha*w)", "constant-factor", "3 times"),
    ("l2-grad", "(g + alpha*w)/2", "constant-factor", "1/2 times"),
    ("tying-grad", "2*(w_B - w_A)", "sign", "flipped"),
    ("kl-grad-W", "X.T @ (H*(1-H) * (-rho/rho_hat + (1-rho)/(1-rho_hat))) / m**2", "factor", "divided by m"),
    ("dae-gaussian-linear", "m*X.T @ X @ inv(X.T @ X + m*sigma**2*I)", "factor", "m times"),
    ("l2-grad", "g", "missing-term", "alpha * w"),
    ("backprop-weight-grad", "outer(g, h)", "missing-term", "2 * lambda * W"),
    ("l2-grad", "g - alpha*w", "term-sign", "alpha * w"),
    ("l2-update", "(1 - eps*alpha)*g - eps*w", "swapped", "g and w"),
    ("cae-jacobian", "W @ diag(h*(1-h))", "known-mistake", "k×n"),
    ("backprop-batch-grad", "G.T @ H", "known-mistake", "transposed"),
    ("ridge-solution", "inv(X.T@X + alpha*I) @ X.T @ y", "known-mistake", "½‖Xw−y‖²"),
    ("tied-grad", "2*outer(x, (W.T @ (x_hat - x))*h*(1-h))", "known-mistake", "encoder path only"),
    ("max-activation", "W_l/(W_l @ W_l)", None, None),
    ("l2-grad", "g + alpha*w + log(alpha - alpha)", "undefined", "inf or nan"),
    ("l2-effective-params", "lam/(lam + alpha)", "wrong-shape", "vector of length n"),
])
def test_a_wrong_answer_is_incorrect_with_the_right_diagnosis(qid, answer, diagnosis, words):
    result = grade(BANK[qid], answer)
    assert result.verdict == "incorrect"
    assert result.diagnosis == diagnosis, f"Expected {diagnosis} but got diagnosis={result.diagnosis}, feedback={result.feedback}"
    if words:
        assert words in result.feedback
    assert result.counterexample is not None


def test_a_transposed_square_answer_is_diagnosed_as_a_transpose():
    q = _question({"id": "t", "prompt": "p", "symbols": {"A": {"shape": "matrix(n,n)"}, "B": {"shape": "matrix(n,n)"}},
                   "key": "A @ B"}, "test")
    assert grade(q, "B.T @ A.T").diagnosis == "transpose"


def test_a_wrong_matrix_answer_lists_the_entries_that_differ():
    result = grade(BANK["backprop-weight-grad"], "outer(g, h) + lambda*W")
    entries = result.counterexample["entries_that_differ"]
    assert entries and {"index", "yours", "key"} <= set(entries[0])


def test_the_same_answer_always_gets_the_same_grade():
    a = grade(BANK["kl-grad-W"], "X.T @ H / m")
    b = grade(BANK["kl-grad-W"], "X.T @ H / m")
    assert a.as_dict() == b.as_dict()


@pytest.mark.parametrize("qid, answer, words", [
    ("l2-grad", "foo + g", "unknown name 'foo'"),
    ("l2-grad", "g +", "ends too early"),
    ("l2-grad", "exp", "function"),
    ("l2-shrinkage", "H**-1 @ H @ w_star", "inv(H)"),
    ("dae-gaussian-linear", "X @ X.T + I", "m×m but I is n×n"),
    ("l2-grad", "g @ outer(g, alpha)", "vector"),
    ("l2-grad", "sum(g, axis=2)", "axis"),
    ("l2-grad", "norm(g, 2)", "1 argument"),
    ("l2-grad", "", "empty"),
    ("kl-grad-W", r"\frac{1}{m}", "looks like LaTeX"),
    ("l2-grad", "g + alpha w", "write every product with * or @"),
])
def test_an_unreadable_answer_is_invalid_and_says_why(qid, answer, words):
    result = grade(BANK[qid], answer)
    assert result.verdict == "invalid"
    assert words in result.feedback, result.feedback


CANARY = "/tmp/regverify-canary"

HOSTILE_TEXT = [
    f"__import__('os').system('touch {CANARY}')",
    "().__class__.__bases__[0].__subclasses__()",
    "g.__class__",
    "[g for g in (1, 2)]",
    "{g for g in (1, 2)}",
    "lambda: g",
    "g[0]",
    "2**2**2**2**2**2",
    "9**9**9",
    "(" * 100 + "g" + ")" * 100,
    "-" * 1500 + "g",
    "g" * 100_000,
    "g\x00",
    "exec('1')",
    "eval('g')",
    f"open('{CANARY}', 'w')",
    "'g'",
    "1j",
    "g if alpha else w",
    "g and w",
    "g < w",
    "*g",
    "g; w",
    "import os",
    "f'{g}'",
    "g.T.T.__dict__",
    "sum(g, axis=True)",
    "outer(outer(outer(outer(g, g), outer(g, g)), outer(outer(g, g), outer(g, g))), g)",
    "10**10000",
]
HOSTILE_LATEX = [
    r"\frac{1}{",
    r"|g",
    r"\input{/etc/passwd}",
    r"\def\x{1} \x",
    "\\" * 1000,
    "{" * 300 + "g" + "}" * 300,
    r"g^{2^{2^{2^{2^{2}}}}}",
    r"\|g",
    r"g \\ w",
    "|" * 400 + "w" + "|" * 400,          # bars nest as deep as brackets, and cost as much
]


@pytest.mark.parametrize("answer", HOSTILE_TEXT, ids=lambda a: repr(a[:40]))
def test_a_hostile_plain_text_answer_is_invalid_with_no_side_effect(answer):
    result = grade(BANK["l2-grad"], answer)
    assert result.verdict == "invalid", result.feedback
    assert not os.path.exists(CANARY)


@pytest.mark.parametrize("answer", HOSTILE_LATEX, ids=lambda a: repr(a[:40]))
def test_a_hostile_latex_answer_is_invalid_with_no_side_effect(answer):
    result = grade(BANK["l2-grad"], answer, latex=True)
    assert result.verdict == "invalid", result.feedback
    assert not os.path.exists(CANARY)


@pytest.fixture
def no_processes(monkeypatch):
    calls = []
    for module, name in ((os, "system"), (os, "popen"), (subprocess, "Popen")):
        monkeypatch.setattr(module, name, lambda *a, **k: calls.append(a))
    return calls


TOKENS = st.sampled_from(["g", "w", "alpha", "lambda", "(", ")", "+", "-", "*", "/", "**", "^", "@",
                          ".T", "exp(", "sum(", "axis=0", ",", "1", "2.5", "__", "import", "[", "]",
                          "'", "lambda:", "os", ".", "system", "inv(", "outer(", " "])
LATEX_TOKENS = st.sampled_from(["g", "w", "\\alpha", "(", ")", "{", "}", "^", "_", "\\frac", "\\sqrt",
                                "|", "\\|", "\\top", "-1", "\\cdot", "\\odot", "+", "-", "\\sigma",
                                "\\left(", "\\right)", "2", " ", "\\max", ",", "\\operatorname", "^{-1}"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=60), st.lists(TOKENS, max_size=25).map("".join)))
def test_random_text_never_crashes_the_grader_or_escapes_it(no_processes, answer):
    result = grade(BANK["l2-grad"], answer)
    assert result.verdict in ("correct", "incorrect", "invalid")
    assert not no_processes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=60), st.lists(LATEX_TOKENS, max_size=25).map("".join)))
def test_random_latex_never_crashes_the_grader_or_escapes_it(no_processes, answer):
    result = grade(BANK["l2-grad"], answer, latex=True)
    assert result.verdict in ("correct", "incorrect", "invalid")
    assert not no_processes


def test_numbers_in_a_counterexample_are_small_and_rounded():
    example = grade(BANK["l2-grad"], "g")
    values = example.counterexample["values"]
    assert all(len(str(v)) < 12 for v in np.ravel(values["g"]))
