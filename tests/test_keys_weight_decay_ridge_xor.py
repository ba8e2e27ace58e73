"""The bank's keys for ae-weight-decay, ridge, parameter-tying, xor and max-activation agree with
those derivations' own closed forms (the lecture pages are imported directly)."""
import functools

import numpy as np
import pytest

from regverify.derivations import ae_weight_decay, max_activation, parameter_tying, ridge, xor
from regverify.grading.bank import load_bank
from regverify.grading.expr import Evaluator

BANK = load_bank()
PAGES = {page.DERIVATION.id: page.DERIVATION
         for page in (ae_weight_decay, max_activation, parameter_tying, ridge, xor)}


def claim(derivation, name):
    return PAGES[derivation].claim(name)


def _xor_fit(_env):
    best = claim("xor", "linear-fit")
    return best.candidate_at({})


def stated(derivation_id, claim_name, side, env):
    """A side of a claim at env: a SymPy form (compiled) or a NumPy function."""
    found = claim(derivation_id, claim_name)
    return found.evaluate(getattr(found, side), env)


def w_block(claim_name, env):
    """The W block of a gradient stated over θ stacked: the form at θ = W's entries."""
    found = claim("ae-weight-decay", claim_name)
    return found.evaluate(found.form, {"theta": env["W"].ravel(), "lambda": env["lambda"]}).reshape(env["W"].shape)


CLOSED_FORMS = {
    "ae-l2-grad": lambda e: w_block("penalty-gradient", e),
    "ae-l2-half-grad": lambda e: w_block("half-penalty-gradient", e),
    "ridge-solution": lambda e: claim("ridge", "minimizer").candidate_at(e),
    "ridge-halved-solution": lambda e: claim("ridge", "halved-objective-minimizer").candidate_at(e),
    "tying-grad": lambda e: claim("parameter-tying", "gradient-a").claimed_at(e),
    "tying-grad-b": lambda e: claim("parameter-tying", "gradient-b").claimed_at(e),
    "max-activation": lambda e: stated("max-activation", "unit-norm-maximizer", "rhs", e),
    "max-activation-value": lambda e: stated("max-activation", "maximum-value", "rhs", e),
    "max-activation-minimizer": lambda e: stated("max-activation", "minimizer", "rhs", e),
    "xor-linear-bias": lambda e: _xor_fit(e)[2],
    "xor-linear-loss": lambda e: claim("xor", "linear-fit").minimum_value({}),
    "boolean-function-count": lambda e: xor.count_by_nand_closure(int(e["n"])),
    "xor-single-unit-loss": lambda e: _single_unit_search(),
    # the least-squares twin's mean, not the stated form: the key is checked against the definition
    "ridge-bias": lambda e: ridge.estimate_mean({"X": e["X"], "w_0": e["w0"], "alpha": e["alpha"]}) - e["w0"],
}


@functools.cache
def _single_unit_search():                # the erratum's search, over one ReLU unit
    return xor.best_single_unit_fit({"g": "relu", "seed": 0})


@pytest.mark.parametrize("qid", sorted(CLOSED_FORMS))
def test_the_key_agrees_with_its_derivations_closed_form(qid):
    question = BANK[qid]
    assert question.derivation in PAGES
    rng = np.random.default_rng(1)
    for trial in range(12):
        env, _ = question.sample(rng, trial)
        if qid == "boolean-function-count" and env["n"] > 3:
            continue     # the closure enumerates 2^(2^n) truth tables: n ≤ 3 keeps it fast
        key = Evaluator(env)(question.key_tree)
        assert np.allclose(key, CLOSED_FORMS[qid](env), rtol=1e-10, atol=1e-12), f"trial {trial}"


def test_every_question_on_these_derivations_is_checked_against_them():
    on_mine = {q.id for q in BANK.values() if q.derivation in PAGES}
    assert on_mine == set(CLOSED_FORMS)


@pytest.mark.parametrize("qid, planted", [
    ("ridge-solution", "inv(X.T@X + alpha*I) @ X.T @ y"),
    ("ae-l2-grad", "lambda*W"),
    ("tying-grad-b", "2*(w_A - w_B)"),
    ("max-activation-value", "W_l @ W_l"),
    ("boolean-function-count", "2**(2*n)"),
    ("xor-single-unit-loss", "0"),
    ("ridge-bias", "0*w0"),
    ("ridge-bias", "-alpha*inv(X.T @ X + alpha/2*I) @ w0"),
])
def test_a_planted_wrong_key_disagrees_with_the_derivation(qid, planted):
    question = BANK[qid]
    tree = next(m.tree for m in question.mistakes if m.answer == planted)
    rng = np.random.default_rng(1)
    disagreements = 0
    for trial in range(12):
        env, _ = question.sample(rng, trial)
        if qid == "boolean-function-count" and env["n"] > 3:
            continue
        disagreements += not np.allclose(Evaluator(env)(tree), CLOSED_FORMS[qid](env), rtol=1e-10)
    assert disagreements > 0


def test_the_new_questions_live_in_their_own_bank_file():
    new = [q for q in BANK.values() if q.source == "more_regularization.json"]
    assert len(new) >= 4 and all(q.mistakes for q in new)
