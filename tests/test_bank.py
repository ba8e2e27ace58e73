"""The question bank: the public contract of QUESTIONS.md, and agreement with the derivations."""
import json

import numpy as np
import pytest

from regverify.registry import get
from regverify.derivations import early_stopping, kl_sparsity, l1_soft_threshold, l2_shrinkage, tied_weights
from regverify.grading.bank import BankError, UnknownQuestion, load_bank, load_question
from regverify.grading.expr import Evaluator
from regverify.grading.grader import grade
from regverify.grading.trials import trial_set

BANK = load_bank()
QUESTION_IDS = [
    "ae-l2-grad", "l2-grad", "l2-update", "l2-quadratic-grad", "l2-shrinkage", "l2-eigen-form",
    "l2-eigen-factor", "l2-effective-params", "ridge-solution", "l1-grad", "l1-soft-threshold",
    "kl-argmin", "kl-grad-rho-hat", "kl-grad-W", "cae-jacobian", "cae-penalty", "tied-grad",
    "early-stopping-alpha", "early-stopping-trajectory", "early-stopping-exact-alpha",
    "max-activation", "dae-mask-mean", "dae-gaussian-linear", "tying-grad", "sigmoid-nll",
    "sigmoid-nll-grad", "tanh-via-sigmoid", "log-softmax", "backprop-weight-grad", "backprop-batch-grad"]


def test_the_bank_has_exactly_the_thirty_public_question_ids():
    assert [q for q in BANK if BANK[q].source == "regularization.json"] == QUESTION_IDS


@pytest.mark.parametrize("qid, names", [
    ("kl-grad-W", {"X", "W", "b", "rho", "m", "H", "rho_hat"}),
    ("tied-grad", {"x", "c", "W", "b", "h", "x_hat"}),
    ("l2-eigen-form", {"Q", "Lam", "alpha", "w_star", "I"}),
    ("early-stopping-trajectory", {"eps", "lambda_i", "tau", "v_i"}),
    ("backprop-batch-grad", {"H", "W2", "G"}),
    ("ae-l2-grad", {"lambda", "W"}),
])
def test_symbol_names_are_the_public_ones(qid, names):
    assert BANK[qid].names == names


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_every_key_is_graded_correct_against_itself(qid):
    assert grade(BANK[qid], BANK[qid].key).verdict == "correct"


@pytest.mark.parametrize("qid, mistake", [(q.id, m) for q in BANK.values() for m in q.mistakes],
                         ids=lambda v: v if isinstance(v, str) else v.answer)
def test_every_known_mistake_gets_its_own_feedback(qid, mistake):
    result = grade(BANK[qid], mistake.answer)
    assert result.verdict == "incorrect" and result.diagnosis == "known-mistake"
    assert result.feedback == mistake.feedback


# The derivations' own NumPy closed forms, as functions of a question's sampled symbols.
def stated(derivation_id, claim_name, side, env):
    """A side of a claim at env, whether it is a SymPy form (compiled) or a NumPy function."""
    claim = get(derivation_id).claim(claim_name)
    value = getattr(claim, side)
    if side in ("form", "claimed") and value is None:
        value = claim.claimed if side == "form" else claim.form
    return claim.evaluate(value, env)


CLOSED_FORMS = {
    "l2-grad": lambda e: e["g"] + e["alpha"] * e["w"],
    "l2-update": lambda e: stated("l2-shrinkage", "update-rule", "rhs", e),
    "l2-quadratic-grad": lambda e: stated("l2-shrinkage", "quadratic-gradient", "form", e),
    "l2-shrinkage": l2_shrinkage.shrunk,
    "l2-eigen-form": lambda e: l2_shrinkage.shrunk({**e, "H": e["Q"] @ e["Lam"] @ e["Q"].T}),
    "l2-effective-params": lambda e: get("l2-shrinkage").claim("effective-parameters").lhs(
        {"H": np.diag(e["lam"]), "alpha": e["alpha"]}),
    "l1-soft-threshold": l1_soft_threshold.soft_threshold,
    "kl-argmin": lambda e: get("kl-sparsity").claim("kl-minimum").candidate_at(
        {"rho": e["rho"], "rho_hat": np.array([0.5])})[0],
    "kl-grad-rho-hat": lambda e: get("kl-sparsity").claim("kl-derivative").claimed_at(e),
    "kl-grad-W": lambda e: get("kl-sparsity").claim("penalty-gradient").claimed_at(e),
    "cae-jacobian": lambda e: get("contractive").claim("encoder-jacobian").claimed_at(e),
    "cae-penalty": lambda e: stated("contractive", "frobenius-norm", "rhs", e),
    "tied-grad": lambda e: get("tied-weights").claim("two-path-gradient").claimed_at(e),
    # the question asks for α ≈ 1/(τε): the stated two-term form's leading term (λ → 0)
    "early-stopping-alpha": lambda e: stated("early-stopping", "alpha-approximation", "rhs", {**e, "lambda_i": 0.0}),
    "early-stopping-trajectory": lambda e: get("early-stopping").claim("exact-alpha").lhs(e),
    "early-stopping-exact-alpha": lambda e: early_stopping.exact_alpha(e["lambda_i"], e["eps"], e["tau"]),
    "l2-effective-params-slope": lambda e: stated("l2-shrinkage", "effective-parameters-decrease", "form",
                                                  {"H": np.diag(e["lam"]), "alpha": e["alpha"]}),
    "l2-diagonal-coordinate": lambda e: l2_shrinkage.shrunk({"H": np.diag(e["h"]), "alpha": e["alpha"],
                                                             "w_star": e["w_star"]}),
}


@pytest.mark.parametrize("qid", sorted(CLOSED_FORMS))
def test_the_key_agrees_with_its_derivations_closed_form(qid):
    question = BANK[qid]
    assert get(question.derivation)   # the derivation exists
    rng = np.random.default_rng(1)
    for trial in range(12):
        env, _ = question.sample(rng, trial)
        key = Evaluator(env)(question.key_tree)
        assert np.allclose(key, CLOSED_FORMS[qid](env), rtol=1e-10, atol=1e-12), f"trial {trial}"


def test_every_question_with_an_existing_derivation_is_checked_against_it():
    from regverify.registry import all_derivations

    from .test_keys_denoising_svd import CLOSED_FORMS as DENOISING_SVD
    from .test_keys_output_backprop import CLOSED_FORMS as OUTPUT_BACKPROP
    from .test_keys_weight_decay_ridge_xor import CLOSED_FORMS as WEIGHT_DECAY_RIDGE_XOR
    checked = set(CLOSED_FORMS) | set(DENOISING_SVD) | set(OUTPUT_BACKPROP) | set(WEIGHT_DECAY_RIDGE_XOR)
    existing = {d.id for d in all_derivations()}
    assert all(q.derivation in existing for q in BANK.values()), "every question names a derivation"
    unchecked = {q.id for q in BANK.values()} - checked
    assert unchecked <= {"l2-eigen-factor", "l1-grad"}, unchecked   # scalar forms, covered by the claims


def test_samplers_honour_domains_and_joint_bounds():
    rng = np.random.default_rng(0)
    for trial in range(60):
        env, _ = BANK["early-stopping-trajectory"].sample(rng, trial)
        assert 0 < env["eps"] * env["lambda_i"] < 1 and env["tau"] >= 1 and float(env["tau"]).is_integer()
        env, _ = BANK["l2-eigen-form"].sample(rng, trial)
        assert np.allclose(env["Q"].T @ env["Q"], np.eye(len(env["Q"])))
        assert np.all(np.diag(env["Lam"]) > 0)
        env, _ = BANK["sigmoid-nll"].sample(rng, trial)
        assert env["y"] in (0.0, 1.0)
        env, _ = BANK["kl-grad-rho-hat"].sample(rng, trial)
        assert 0 < env["rho"] < 1 and 0 < env["rho_hat"] < 1


def test_kinks_of_the_soft_threshold_are_tried_with_a_point_on_each_side():
    q = BANK["l1-soft-threshold"]
    ratios = {round(float(t.env["w_star"]) / (t.env["alpha"] / t.env["h"]), 9) for t in trial_set(q).fixed}
    assert {1.0, -1.0, 0.0} <= ratios
    assert any(r < -1 for r in ratios) and any(-1 < r < 0 for r in ratios) and any(r > 1 for r in ratios)


def test_sizes_differ_within_a_trial_and_vary_between_trials():
    q, rng = BANK["kl-grad-W"], np.random.default_rng(0)
    shapes = set()
    for trial in range(10):
        env, _ = q.sample(rng, trial)
        m, n = env["X"].shape
        k = env["W"].shape[1]
        assert len({m, n, k}) == 3
        shapes.add((m, n, k))
    assert len(shapes) > 3


def write_bank(tmp_path, questions):
    (tmp_path / "mine.json").write_text(json.dumps({"questions": questions}))
    return tmp_path


@pytest.mark.parametrize("entry, message", [
    ({"id": "q", "prompt": "p", "symbols": {"x": {"shape": "tensor(n)"}}, "key": "x"}, "shape"),
    ({"id": "q", "prompt": "p", "symbols": {"x": {"domain": "complex"}}, "key": "x"}, "domain"),
    ({"id": "q", "prompt": "p", "symbols": {"x": {}}, "key": "y"}, "unknown name 'y'"),
    ({"id": "q", "prompt": "p", "symbols": {"x": {}}, "key": "__import__('os')"}, "not an allowed function"),
    ({"id": "q", "prompt": "p", "symbols": {"x": {"colour": 1}}, "key": "x"}, "unknown fields"),
    ({"id": "q", "symbols": {}, "key": "1"}, "lacks prompt"),
])
def test_a_bad_bank_entry_is_an_error_that_names_file_and_question(tmp_path, entry, message):
    with pytest.raises(BankError, match=message) as raised:
        load_bank(write_bank(tmp_path, [entry]))
    assert "mine.json" in str(raised.value)


def test_a_duplicate_question_id_names_both_files(tmp_path):
    q = {"id": "dup", "prompt": "p", "symbols": {"x": {}}, "key": "x"}
    (tmp_path / "a.json").write_text(json.dumps([q]))
    (tmp_path / "b.json").write_text(json.dumps([q]))
    with pytest.raises(BankError, match="a.json.*b.json"):
        load_bank(tmp_path)


def test_an_instructor_bank_is_just_a_directory_of_json(tmp_path):
    bank = load_bank(write_bank(tmp_path, [{"id": "square", "prompt": "d/dx x²",
                                            "symbols": {"x": {"shape": "vector(n)"}}, "key": "2*x",
                                            "mistakes": [{"answer": "x", "feedback": "the 2 from the power"}]}]))
    assert grade(bank["square"], "x + x").verdict == "correct"
    assert grade(bank["square"], "x").feedback == "the 2 from the power"


# --- one question, as one `grade` loads it ---------------------------------------------------
def test_one_question_is_the_bank_s_question():
    for qid in ("l2-grad", "kl-grad-W", "backprop-batch-grad"):
        alone = load_question(qid)
        assert (alone.key, alone.symbols.keys(), alone.rtol, alone.atol, len(alone.mistakes)) == \
            (BANK[qid].key, BANK[qid].symbols.keys(), BANK[qid].rtol, BANK[qid].atol, len(BANK[qid].mistakes))


def test_an_unknown_question_names_every_id_in_bank_order():
    with pytest.raises(UnknownQuestion) as raised:
        load_question("no-such-question")
    assert raised.value.ids == list(BANK)


def _write(folder, name, entries):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps(entries))


def test_the_asked_question_is_checked_in_full_and_the_others_only_read(tmp_path):
    good = {"id": "good", "prompt": "p", "symbols": {"x": {}}, "key": "2*x"}
    broken = {"id": "broken", "prompt": "p", "symbols": {"x": {}}, "key": "x +"}
    _write(tmp_path, "a.json", [good, broken])
    assert load_question("good", tmp_path).key == "2*x"
    with pytest.raises(BankError, match="'broken'"):
        load_question("broken", tmp_path)
    with pytest.raises(BankError):
        load_bank(tmp_path)          # the whole bank still refuses it


def test_an_id_in_two_files_is_refused_whichever_is_asked_for(tmp_path):
    entry = {"id": "twice", "prompt": "p", "symbols": {"x": {}}, "key": "x"}
    _write(tmp_path, "a.json", [entry])
    _write(tmp_path, "b.json", [entry])
    _write(tmp_path, "c.json", [{**entry, "id": "once"}])
    for asked in ("twice", "once"):
        with pytest.raises(BankError, match="'twice' appears in a.json and in b.json"):
            load_question(asked, tmp_path)


@pytest.mark.parametrize("content, words", [
    ("5", "a list of questions"),
    ('{"questions": 3}', "a list of questions"),
    ('[{"id": 7, "prompt": "p", "symbols": {}, "key": "1"}]', "field 'id' must be text"),
    ('[{"id": "q", "prompt": 5, "symbols": {}, "key": "1"}]', "field 'prompt' must be text"),
    ('[{"id": "q", "prompt": "p", "symbols": {"x": {}}, "key": "x", "derived": [["y"]]}]', "field 'derived'"),
])
def test_an_ill_shaped_file_is_refused_with_a_reason(tmp_path, content, words):
    (tmp_path / "a.json").write_text(content)
    for load in (load_bank, lambda folder: load_question("q", folder)):
        with pytest.raises(BankError, match=words):
            load(tmp_path)


def test_a_file_that_cannot_be_read_is_refused_with_a_reason(tmp_path):
    (tmp_path / "sub.json").mkdir()
    with pytest.raises(BankError, match="cannot be read"):
        load_bank(tmp_path)
