"""Evidence an instructor can trust: proofs derive from definitions, state their scope, quote the
material exactly, and a crash is never a verdict."""
import numpy as np
import pytest
import sympy as sp

from regverify.claims import Derivation, Expect, Gradient, Identity, Premise, Printed
from regverify.numerics.training import Trajectory, thinned, trajectory_gap
from regverify.prover import Obligation, SymbolicVerdict, prove
from regverify.registry import register
from regverify.verifier import verify_claim

n, m = sp.symbols("n m", integer=True, positive=True)
X, y, w = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("y", m, 1), sp.MatrixSymbol("w", n, 1)
alpha = sp.Symbol("alpha", positive=True)
I = sp.Identity(n)
# 004:517's objective: (Xw − y)ᵀ(Xw − y) + ½αwᵀw
RIDGE = (X * w - y).T * (X * w - y) + sp.Rational(1, 2) * alpha * w.T * w


def test_the_printed_ridge_minimizer_is_never_proved():
    printed = (X.T * X + alpha * I).I * X.T * y
    for obligation in (Obligation.stationary(RIDGE, w, printed),
                       Obligation.stationary(RIDGE, w, printed, linear=(X.T * X + alpha * I, X.T * y))):
        assert prove(obligation).verdict is not SymbolicVerdict.PROVED


def test_the_corrected_ridge_minimizer_is_proved_for_every_n_from_the_objective():
    a = X.T * X + alpha / 2 * I
    proof = prove(Obligation.stationary(RIDGE, w, a.I * X.T * y, linear=(a, X.T * y), factor=2), required="differentiation")
    assert proof.verdict is SymbolicVerdict.PROVED and proof.scope == "every m, n"
    assert proof.derived_by == "differentiation"


def test_a_residual_that_is_zero_as_built_proves_nothing():
    x, z = sp.symbols("x z", positive=True)
    proof = prove(Obligation.identity(x * (z / x), z))
    assert proof.verdict is SymbolicVerdict.UNPROVED and "nothing to prove" in proof.how


def test_a_gradient_obligation_that_differentiates_nothing_proves_nothing():
    restated = Obligation(zero=[alpha * w - alpha * w + w - w])
    assert "nothing to prove" in prove(restated, required="differentiation").how
    constant = Obligation.gradient(alpha * y.T * y, w, sp.ZeroMatrix(n, 1))
    assert "nothing to prove" in prove(constant, required="differentiation").how


def test_a_proofs_scope_is_read_off_its_obligation():
    proof = prove(Obligation.gradient(alpha / 2 * w.T * w, w, alpha * w))
    assert proof.verdict is SymbolicVerdict.PROVED and proof.scope == "every n"


def test_a_limit_must_be_taken_of_the_closed_form():
    lam = sp.Symbol("lambda", positive=True)
    proof = prove(Obligation.limit(lam / (lam + alpha), alpha, 0, 1),
                  required="limit")
    assert proof.verdict is SymbolicVerdict.PROVED
    assert prove(Obligation.limit(lam / (lam + alpha), alpha, 0, 0),
                 required="limit").verdict is not SymbolicVerdict.PROVED


# --- small claims, to check the verifier's rules ------------------------------------------
def _scalar(rng, trial):
    return {"x": float(rng.uniform(-2, 2)), "a": float(rng.uniform(0.5, 2))}


def _claim(**overrides):
    base = dict(name="double", statement="2x = x + x", sample=_scalar,
                lhs=lambda p: 2 * p["x"], rhs=lambda p: p["x"] + p["x"],
                symbolic=lambda: Obligation.identity(2 * sp.Symbol("x") + 0 * sp.Symbol("y"),
                                                     sp.Symbol("x") * 2))
    return Identity(**{**base, **overrides})


def _derivation(*claims):
    return Derivation(id="test-evidence", title="", sources=[], conventions="", assumptions=[],
                      symbols={}, claims=list(claims), module="tests")


def _wrong(**overrides):
    base = dict(name="wrong", statement="x² = x", expect=Expect.PITFALL, corrected_by="double",
                origin="a test", lhs=lambda p: p["x"] ** 2, rhs=lambda p: p["x"],
                symbolic=lambda: Obligation.identity(sp.Symbol("x") ** 2, sp.Symbol("x")))
    return _claim(**{**base, **overrides})


def test_a_crashing_symbolic_check_is_an_error_even_for_an_erratum():
    def crash():
        raise RuntimeError("planted")
    result = verify_claim(_derivation(), _wrong(symbolic=crash))
    assert result.symbolic.verdict is SymbolicVerdict.ERROR
    assert result.status == "error" and not result.ok


def test_a_crashing_numeric_check_is_an_error_even_for_a_pitfall():
    def crash(p):
        raise ZeroDivisionError("planted")
    result = verify_claim(_derivation(), _wrong(lhs=crash))
    assert result.status == "error" and not result.ok


def test_every_sample_of_a_wrong_statement_satisfies_its_premise():
    premise = Premise("x > 1", lambda p: p["x"] > 1)
    result = verify_claim(_derivation(), _wrong(premise=premise))
    assert result.status == "refuted" and result.ok
    found = result.numeric.detail["counterexample"]
    assert found["params"]["x"] > 1 and found["premise"] == {"text": "x > 1", "holds": True}


def test_a_premise_no_sample_satisfies_is_an_error_not_a_refutation():
    result = verify_claim(_derivation(), _wrong(premise=Premise("x > 10", lambda p: p["x"] > 10)))
    assert result.status == "error" and "premise" in result.numeric.detail["reason"]


def test_an_erratum_whose_quote_is_not_in_the_cited_line_is_an_error():
    misquoted = Printed("004_b86d6fd376fce36f.txt", 545, r"\max \left(|w_i^*| - \frac{\alpha}")
    result = verify_claim(_derivation(), _wrong(expect=Expect.ERRATUM, source=misquoted, origin=""))
    assert result.status == "error" and "quote" in result.problem


def test_an_erratum_quoted_exactly_is_refuted():
    quoted = Printed("004_b86d6fd376fce36f.txt", 545, r"\max \left(|w_i| - \frac{\alpha}{h_{ii}}, 0 \right)")
    result = verify_claim(_derivation(), _wrong(expect=Expect.ERRATUM, source=quoted, origin=""))
    assert result.status == "refuted" and result.ok


@pytest.mark.parametrize("claim, complaint", [
    (_wrong(expect=Expect.ERRATUM), "quotes the material"),
    (_wrong(source=Printed("004_b86d6fd376fce36f.txt", 545, "w_i")), "quotes the material"),
    (_wrong(corrected_by=None), "corrected_by"),
])
def test_the_registry_refuses_a_wrong_statement_without_its_paperwork(claim, complaint):
    with pytest.raises(ValueError, match=complaint):
        register(_derivation(_claim(), claim))


def test_a_gradient_claim_with_a_restated_obligation_is_not_verified():
    claim = Gradient(name="restated", statement="∇(a/2)x² = ax", sample=_scalar, wrt="x",
                     objective=lambda p: p["a"] / 2 * p["x"] ** 2, claimed=lambda p: p["a"] * p["x"],
                     symbolic=lambda: Obligation(zero=[sp.Symbol("a") * sp.Symbol("x") * 0 + sp.Symbol("x") - sp.Symbol("x") + sp.Symbol("a") - sp.Symbol("a") + sp.Symbol("x") ** 2 - sp.Symbol("x") ** 2 + 1 - 1]))
    result = verify_claim(_derivation(), claim)
    assert result.status == "unverified" and "nothing to prove" in result.symbolic.how


def test_a_nan_anywhere_in_a_run_fails_every_gap_predicate():
    good = Trajectory({"w": np.ones(3)}, [1.0, 0.5])
    diverged = Trajectory({"w": np.array([1.0, np.nan, 1.0])}, [1.0, np.inf])
    gaps = trajectory_gap(good, diverged)
    assert not gaps["finite"]
    assert not gaps["max_param_rel_gap"] < 1e-10 and not gaps["max_loss_rel_gap"] < 1e-10
    assert trajectory_gap(good, good)["max_param_rel_gap"] == 0.0


@pytest.mark.parametrize("length", [1, 61, 200, 201, 401, 4001])
def test_a_thinned_curve_keeps_at_most_200_evenly_spaced_points_from_the_first(length):
    curve = thinned(np.arange(length))
    assert 1 <= len(curve) <= 200 and curve[0] == 0.0
    assert len(set(np.diff(curve))) <= 1 and (length > 200 or len(curve) == length)


def test_a_symbolic_counterexample_alone_never_marks_a_claim_that_holds_wrong():
    broken_proof = _claim(symbolic=lambda: Obligation.identity(sp.Symbol("x") ** 2, sp.Symbol("x")))
    result = verify_claim(_derivation(), broken_proof)
    assert result.symbolic.verdict is SymbolicVerdict.REFUTED and result.numeric.verdict.value == "passed"
    assert result.status == "unverified" and not result.ok


def test_an_approximation_that_states_its_series_must_prove_it():
    from regverify.claims import Approximation
    base = dict(name="approx", statement="sin x ≈ x", sample=lambda rng, t: {"x": float(rng.uniform(1e-4, 1e-3))},
                outside_sample=lambda rng, t: {"x": float(rng.uniform(1, 2))}, lhs=lambda p: np.sin(p["x"]),
                rhs=lambda p: p["x"], regime=lambda p: p["x"], regime_text="x", inside=1e-3, rtol=1e-5)
    x = sp.Symbol("x")
    def series(claimed):   # the first-order term of sin, by differentiating at 0
        return lambda: Obligation(zero=[sp.diff(sp.sin(x), x).subs(x, 0) * x - claimed], derived_by="differentiation")
    right, wrong = Approximation(**base, symbolic=series(x)), Approximation(**base, symbolic=series(2 * x))
    assert verify_claim(_derivation(), right).status == "verified"
    assert verify_claim(_derivation(), wrong).status != "verified"
