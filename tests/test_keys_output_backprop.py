"""The bank's output-unit and backprop keys agree with the derivations' own closed forms
(the key-vs-derivation check of test_bank.py, for the questions of output-units and backprop)."""
import numpy as np
import pytest
from scipy.special import logit, logsumexp, softmax

from regverify.derivations import backprop, backprop_graph, hidden_units, output_units
from regverify.grading.bank import load_bank
from regverify.grading.expr import Evaluator

BANK = load_bank()
OUT, BP, GRAPH, HIDDEN = output_units.DERIVATION, backprop.DERIVATION, backprop_graph.DERIVATION, hidden_units.DERIVATION


def relu_jacobian(e):
    return BP.claim("relu-jacobian").claimed_at({"W": e["W"], "x": e["x"], "b": e["b"]})


CLOSED_FORMS = {
    "sigmoid-nll": lambda e: OUT.claim("softplus-nll").lhs({"y": e["y"], "z": np.atleast_1d(e["z"])})[0],
    "sigmoid-nll-grad": lambda e: OUT.claim("nll-derivative").claimed_at({"y": e["y"], "z": np.array(e["z"])}),
    "tanh-via-sigmoid": lambda e: OUT.claim("tanh-sigmoid").lhs({"z": e["z"]}),
    "log-softmax": lambda e: OUT.claim("log-softmax").lhs({"z": e["z"]}),
    "backprop-weight-grad": lambda e: backprop.twins.weight_gradient(e["g"], e["h"], e["W"], e["lambda"]),
    "backprop-batch-grad": lambda e: backprop.twins.grad_w2(e["H"], e["G"]),
    "softmax-shift": lambda e: OUT.claim("softmax-shift").lhs({"z": e["z"], "c": e["c"]}),
    "lse-upper-bound": lambda e: logsumexp(np.full(int(e["K"]), e["m"])),   # attained at ties
    "relu-jacobian": relu_jacobian,
    "sigmoid-via-tanh": lambda e: output_units.sigmoid(e["z"]),
    "backprop-batch-grad-W1": lambda e: backprop.twins.grad_w1(e["X"], e["W2"], e["X"] @ e["W1"], e["G"]),
    "sigmoid-nll-pm1": lambda e: -np.log(output_units.model_prob({"y": e["y"], "z": np.atleast_1d(e["z"])}))[0],
    "backprop-path-count": lambda e: backprop.path_sum(
        backprop.layered_graph(np.random.default_rng(0), int(e["w"]), int(e["d"])))[1],
    "backprop-dag-edges": lambda e: backprop_graph.complete_graph_products({"N": int(e["N"])}),
    # the slope's largest value on a fine grid around its peak, from the stable twin
    "sigmoid-slope-peak": lambda e: hidden_units.sigmoid_slope({"z": np.linspace(-1, 1, 20001)}).max(),
    # softmax at the minimizing logits z = log n (the claim's candidate), by SciPy
    "softmax-empirical-frequencies": lambda e: softmax(np.log(e["n"])),
    "logit-log-odds": lambda e: logit(e["p"]),
}
MINE = {q.id for q in BANK.values() if q.derivation in (OUT.id, BP.id, GRAPH.id, HIDDEN.id)}


def test_every_output_unit_and_backprop_question_is_checked_against_its_derivation():
    assert MINE == set(CLOSED_FORMS)


@pytest.mark.parametrize("qid", sorted(CLOSED_FORMS))
def test_the_key_agrees_with_its_derivations_closed_form(qid):
    question = BANK[qid]
    assert question.derivation in (OUT.id, BP.id, GRAPH.id, HIDDEN.id)
    rng = np.random.default_rng(1)
    for trial in range(12):
        env, _ = question.sample(rng, trial)
        key = Evaluator(env)(question.key_tree)
        assert np.allclose(key, CLOSED_FORMS[qid](env), rtol=1e-10, atol=1e-12), f"trial {trial}"


@pytest.mark.parametrize("qid", sorted(CLOSED_FORMS))
def test_every_known_mistake_disagrees_with_the_derivation(qid):
    question, rng = BANK[qid], np.random.default_rng(2)
    for mistake in question.mistakes:
        differs = False
        for trial in range(6):
            env, _ = question.sample(rng, trial)
            try:
                value = Evaluator(env)(mistake.tree)
            except ValueError:
                differs = True      # a shape error is a difference too
                break
            truth = CLOSED_FORMS[qid](env)
            differs |= np.shape(value) != np.shape(truth) or not np.allclose(value, truth, rtol=1e-8)
        assert differs, mistake.answer


def test_the_upper_bound_key_is_what_the_derivation_checks():
    rng = np.random.default_rng(3)
    for trial in range(12):
        env, _ = BANK["lse-upper-bound"].sample(rng, trial)
        z = np.append(env["m"], env["m"] - rng.exponential(size=int(env["K"]) - 1))
        claim, key = OUT.claim("lse-upper-bound"), Evaluator(env)(BANK["lse-upper-bound"].key_tree)
        bound = float(claim.evaluate(claim.lhs, {"m": np.max(z), "K": z.size}))
        assert bound == pytest.approx(key, rel=1e-12)   # the bound the derivation checks
        assert claim.rhs({"z": z}) == pytest.approx(logsumexp(z), rel=1e-12) and logsumexp(z) <= key + 1e-12
