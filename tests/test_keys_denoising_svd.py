"""The key's questions on denoising, the linear AE and dropout agree with their derivations."""
import dataclasses
import numpy as np
import pytest

from regverify.derivations import denoising, dropout_linear, linear_ae_svd
from regverify.grading.bank import load_bank
from regverify.grading.expr import Evaluator
from regverify.grading.grader import grade
from regverify.numerics import sampling

BANK = load_bank()
PAGES = {d.id: d for d in (denoising.DERIVATION, linear_ae_svd.DERIVATION, dropout_linear.DERIVATION)}


# Oracles written apart from the pages' forms (NumPy solves of the normal equations)
def dae_minimizer(p):   # XᵀX(XᵀX + mσ²I)⁻¹
    gram, m = p["X"].T @ p["X"], len(p["X"])
    return gram @ np.linalg.inv(gram + m * p["sigma"] ** 2 * np.eye(len(gram)))


def dropout_weights(p):
    x, y = p["X"], p["y"]
    return np.linalg.solve(p["p"] * x.T @ x + (1 - p["p"]) * np.diag(np.diag(x.T @ x)), x.T @ y)


def matrix_with_singular_values(rng, values, rows):
    cols = len(values)
    u = np.linalg.qr(rng.standard_normal((rows, cols)))[0]
    return u * values @ sampling.orthogonal(rng, cols).T


def linear_ae_optimum(env):   # X built with those singular values; the derivation's optimum on it
    rng, values = np.random.default_rng(0), np.concatenate([env["s_top"], env["s_rest"]])
    x = matrix_with_singular_values(rng, values, len(values) + 2)
    p = {"X": x, "k": len(env["s_top"])}
    value = linear_ae_svd.reconstruction_error(p, linear_ae_svd.svd_candidate(p))
    assert np.isclose(value, linear_ae_svd.tail(x, p["k"]), rtol=1e-9)
    return value


def dropout_loss(env):   # exact enumeration of the masks where that is small, else the verified form
    p = {"X": env["X"], "y": env["y"], "w": env["w"], "p": env["p"]}
    if env["X"].size <= 12:
        return dropout_linear.dropout_loss(p)
    stated = dropout_linear.DERIVATION.claim("expected-loss")
    return float(np.squeeze(stated.evaluate(stated.rhs, {**p, "Gamma": np.diag(np.linalg.norm(p["X"], axis=0))})))


# The derivations' own twins (exact enumeration, quadrature, the verified closed forms).
CLOSED_FORMS = {
    "dae-mask-mean": lambda e: denoising.mask_moment(e, 1),
    "dae-mask-variance": lambda e: denoising.mask_moment(e, 2) - denoising.mask_moment(e, 1) ** 2,
    "dae-mask-penalty": denoising.masked_loss,
    "dae-gaussian-mean": lambda e: denoising.DERIVATION.claim("gaussian-mean").lhs(e),
    "dae-gaussian-penalty": denoising.gaussian_loss,
    "dae-gaussian-linear": dae_minimizer,
    "linear-ae-optimum": linear_ae_optimum,
    "dropout-linear-loss": dropout_loss,
    "dropout-ridge-weights": dropout_weights,
}


def small_samples(question, trials=12):
    """The question's own samples, where the twin is affordable (2ⁿ masks, 3ⁿ quadrature nodes)."""
    rng = np.random.default_rng(1)
    for trial in range(trials):
        env, _ = question.sample(rng, trial)
        if "x" in env and np.size(env["x"]) > 5:
            continue
        yield env


@pytest.mark.parametrize("qid", sorted(CLOSED_FORMS))
def test_the_key_agrees_with_its_derivation(qid):
    question = BANK[qid]
    assert question.derivation in PAGES
    checked = 0
    for env in small_samples(question):
        key = Evaluator(env)(question.key_tree)
        assert np.allclose(key, CLOSED_FORMS[qid](env), rtol=1e-9, atol=1e-12), env
        checked += 1
    assert checked >= 3


def test_every_question_on_these_pages_is_checked_against_them():
    on_pages = {q.id for q in BANK.values() if q.derivation in PAGES}
    assert on_pages == set(CLOSED_FORMS)


def test_the_linear_dae_key_minimizes_the_derivations_objective():
    question, rng = BANK["dae-gaussian-linear"], np.random.default_rng(2)
    claim = denoising.DERIVATION.claim("linear-dae-minimizer")
    checked = 0
    for trial in range(12):
        env, _ = question.sample(rng, trial)
        if env["X"].shape[1] > 3 or checked == 2:
            continue
        checked += 1
        key = Evaluator(env)(question.key_tree)
        found = dataclasses.replace(claim, candidate=lambda p, key=key: key, form=None,
                                    sample=lambda r, t, env=env: {"X": env["X"], "sigma": env["sigma"]})
        assert found.check_numeric(rng).verdict.value == "passed"
    assert checked == 2


@pytest.mark.parametrize("qid", sorted(CLOSED_FORMS))
def test_every_known_mistake_disagrees_with_the_derivation(qid):
    question = BANK[qid]
    assert question.mistakes
    for mistake in question.mistakes:
        assert any(not np.allclose(Evaluator(env)(mistake.tree), CLOSED_FORMS[qid](env), rtol=1e-6)
                   for env in small_samples(question)), mistake.answer
        assert grade(question, mistake.answer).verdict == "incorrect"


def test_the_new_questions_grade_their_own_keys_correct():
    for qid in CLOSED_FORMS:
        assert grade(BANK[qid], BANK[qid].key).verdict == "correct"
