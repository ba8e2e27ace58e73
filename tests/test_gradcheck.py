"""The gradient checker: accurate where it should pass, and it fails on planted errors."""
import numpy as np
import pytest

from regverify.numerics.gradcheck import ComplexStepError, check_gradient, numeric_jacobian


def f(x):
    return np.sum(np.sin(x) * np.exp(x[::-1]))


def grad_f(x):
    return np.cos(x) * np.exp(x[::-1]) + (np.sin(x[::-1]) * np.exp(x))


X = np.linspace(-1.0, 1.2, 7)


def test_complex_step_agrees_with_the_true_gradient_to_float64_precision():
    assert np.max(np.abs(numeric_jacobian(f, X) - grad_f(X))) < 1e-15 * np.max(np.abs(grad_f(X)))


def test_richardson_agrees_to_about_1e_11():
    error = np.max(np.abs(numeric_jacobian(f, X, "richardson") - grad_f(X)))
    assert error < 1e-10 * np.max(np.abs(grad_f(X)))


def test_a_correct_gradient_passes_both_methods():
    assert check_gradient(f, X, grad_f(X)).passed
    assert check_gradient(f, X, grad_f(X), "richardson").passed


def test_a_dropped_factor_fails_and_is_diagnosed_as_a_constant_factor():
    check = check_gradient(f, X, 0.5 * grad_f(X))
    assert not check.passed and check.diagnosis == "missing-factor"
    assert "1/2" in check.diagnosis_detail


def test_a_flipped_sign_fails_and_is_diagnosed_as_a_sign():
    check = check_gradient(f, X, -grad_f(X))
    assert not check.passed and check.diagnosis == "sign"


def test_an_error_in_one_column_is_diagnosed_as_a_per_unit_term():
    w = np.arange(1.0, 13.0).reshape(3, 4) / 10

    def g(m):
        return np.sum(np.sin(m) ** 2)

    claimed = 2 * np.sin(w) * np.cos(w)
    claimed[:, 2] *= 1.5
    check = check_gradient(g, w, claimed)
    assert not check.passed and check.diagnosis == "one-column"


@pytest.mark.parametrize("entry", range(len(X)))
def test_a_relative_error_of_1e_6_in_any_single_entry_is_detected(entry):
    claimed = grad_f(X).copy()
    claimed[entry] *= 1 + 1e-6
    check = check_gradient(f, X, claimed)
    assert not check.passed and check.worst_entry == (entry,)


def test_a_complex_step_through_a_non_analytic_objective_is_an_error_not_a_pass():
    def h(x):
        return np.sum(np.abs(x).real)

    with pytest.raises(ComplexStepError):
        check_gradient(h, X, np.sign(X))


def test_a_gradient_of_the_wrong_shape_is_an_error():
    with pytest.raises(ValueError, match="Expected a gradient of shape"):
        check_gradient(f, X, grad_f(X)[:-1])


def test_a_jacobian_is_checked_entry_by_entry():
    a = np.arange(6.0).reshape(2, 3)
    good = check_gradient(lambda x: np.tanh(a @ x), X[:3], (1 - np.tanh(a @ X[:3]) ** 2)[:, None] * a)
    bad = check_gradient(lambda x: np.tanh(a @ x), X[:3], a)
    assert good.passed and not bad.passed
