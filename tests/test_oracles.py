"""Independent oracles: scikit-learn and autograd agree with the closed forms."""
import autograd
import numpy as np
import pytest
from sklearn.linear_model import Lasso, Ridge

from regverify.claims import Expect, Gradient

from regverify.registry import all_derivations
from regverify.derivations.l1_soft_threshold import soft_threshold
from regverify.derivations.l2_shrinkage import shrunk
from regverify.verifier import claim_rng


@pytest.fixture
def regression():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 5))
    return x, x @ rng.standard_normal(5) + 0.1 * rng.standard_normal(40)


def test_ridge_matches_shrinkage_for_half_squared_error_at_a_equal_alpha(regression):
    x, y = regression
    alpha = 2.5
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]
    closed = shrunk({"H": x.T @ x, "w_star": w_star, "alpha": alpha})
    oracle = Ridge(alpha=alpha, fit_intercept=False, solver="cholesky").fit(x, y).coef_
    assert np.allclose(closed, oracle, rtol=1e-10, atol=1e-12)


def test_ridge_matches_the_printed_ridge_objective_at_a_equal_half_alpha(regression):
    """(Xw−y)ᵀ(Xw−y) + (α/2)wᵀw is minimized by (XᵀX + (α/2)I)⁻¹Xᵀy (the corrected ridge)."""
    x, y = regression
    alpha = 3.0
    closed = np.linalg.solve(x.T @ x + alpha / 2 * np.eye(5), x.T @ y)
    oracle = Ridge(alpha=alpha / 2, fit_intercept=False, solver="cholesky").fit(x, y).coef_
    assert np.allclose(closed, oracle, rtol=1e-10, atol=1e-12)
    printed = np.linalg.solve(x.T @ x + alpha * np.eye(5), x.T @ y)
    assert not np.allclose(printed, oracle, rtol=1e-6)


def test_lasso_on_an_orthonormal_design_is_the_soft_threshold():
    """Lasso minimizes (1/2m)‖y − Xw‖² + a‖w‖₁; with XᵀX = I that is h = 1/m, w* = Xᵀy, α = a."""
    rng = np.random.default_rng(3)
    m, n = 50, 6
    x = np.linalg.qr(rng.standard_normal((m, n)))[0]
    y = x @ np.array([3.0, -2.0, 0.05, -0.01, 1.0, 0.0]) + 0.01 * rng.standard_normal(m)
    a = 0.01
    oracle = Lasso(alpha=a, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(x, y).coef_
    closed = soft_threshold({"w_star": x.T @ y, "alpha": a, "h": np.full(n, 1.0 / m)})
    assert np.allclose(closed, oracle, atol=1e-9)
    assert np.array_equal(closed == 0, oracle == 0)


def gradient_claims():
    return [pytest.param(d, c, id=f"{d.id}/{c.name}") for d in all_derivations()
            for c in d.claims if isinstance(c, Gradient) and c.expect is Expect.HOLDS]


@pytest.mark.parametrize("derivation, claim", gradient_claims())
def test_autograd_agrees_with_every_closed_form_gradient(derivation, claim):
    rng = claim_rng(11, derivation.id, claim.name)
    for trial in range(3):
        p = claim.sample(rng, trial)

        def f(v, p=p):
            return claim.objective({**p, claim.wrt: v})

        differentiate = autograd.jacobian if np.ndim(f(p[claim.wrt])) else autograd.grad
        reference = differentiate(f)(p[claim.wrt])
        assert np.allclose(claim.claimed_at(p), reference, rtol=1e-12, atol=1e-14 * np.max(np.abs(reference)))


def test_the_digits_are_scikit_learns_bundled_digits():
    from sklearn.datasets import load_digits

    from regverify.numerics import datasets
    pixels, labels = datasets._digits()
    bunch = load_digits()
    assert np.array_equal(pixels, bunch.data / 16.0) and np.array_equal(labels, bunch.target)
    assert pixels.shape == (1797, 64) and labels.dtype == bunch.target.dtype
