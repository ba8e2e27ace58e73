"""The three-valued prover: proves, refutes only with a counterexample, else says unproved."""
import time

import pytest
import sympy as sp

from regverify.prover import Obligation, ProofTimeout, SymbolicVerdict, prove, sigma, time_limit

x, y = sp.symbols("x y", real=True)
a = sp.Symbol("a", positive=True)


def test_an_identity_is_proved_and_says_how():
    proof = prove(Obligation.identity((x + y) ** 2, x ** 2 + 2 * x * y + y ** 2))
    assert proof.verdict is SymbolicVerdict.PROVED and proof.how == "expand"
    assert proof.scope == "scalars"      # read off the obligation: no matrices in it


def test_a_dropped_factor_is_refuted_with_an_exact_rational_counterexample():
    proof = prove(Obligation(zero=[sp.diff(x ** 2, x) - x]))
    assert proof.verdict is SymbolicVerdict.REFUTED
    point = proof.counterexample["point"]
    assert sp.Rational(point["x"]) != 0


def test_the_derivative_of_the_abstract_sigmoid_is_sigma_times_one_minus_sigma():
    proof = prove(Obligation.gradient(sigma(x), x, sigma(x) * (1 - sigma(x))),
                  required="differentiation")
    assert proof.verdict is SymbolicVerdict.PROVED


def test_a_counterexample_through_the_abstract_sigmoid_evaluates_the_real_one():
    proof = prove(Obligation(zero=[sp.diff(sigma(x), x) - sigma(x)]))
    assert proof.verdict is SymbolicVerdict.REFUTED


def test_unit_interval_symbols_make_one_minus_rho_positive():
    rho = sp.Symbol("rho", positive=True)
    proof = prove(Obligation(positive=[rho / (1 - rho)], unit_interval=(rho,)))
    assert proof.verdict is SymbolicVerdict.PROVED
    assert prove(Obligation(positive=[rho / (1 - rho)])).verdict is SymbolicVerdict.UNPROVED


def test_a_failed_simplification_alone_is_unproved_never_refuted():
    n = sp.Symbol("n", integer=True, positive=True)
    h = sp.MatrixSymbol("H", n, n)
    w = sp.MatrixSymbol("w", n, 1)
    # true only for symmetric H; with nothing to evaluate at, there is no counterexample
    proof = prove(Obligation(zero=[(w.T * h * w / 2).diff(w) - h * w]))
    assert proof.verdict is SymbolicVerdict.UNPROVED


def test_a_joint_constraint_keeps_counterexamples_inside_the_domain():
    e, l = sp.symbols("epsilon lambda", positive=True)
    proof = prove(Obligation(zero=[e * l - 2], constraint=lambda pt: pt["epsilon"] * pt["lambda"] < 1))
    assert proof.verdict is SymbolicVerdict.REFUTED
    point = {k: sp.Rational(v) for k, v in proof.counterexample["point"].items()}
    assert point["epsilon"] * point["lambda"] < 1


def test_an_unsatisfiable_positivity_is_not_proved():
    assert prove(Obligation(positive=[-a])).verdict is not SymbolicVerdict.PROVED


def test_the_time_limit_interrupts_a_long_computation():
    start = time.perf_counter()
    with pytest.raises(ProofTimeout):
        with time_limit(0.2):
            while True:
                sum(range(10_000))
    assert time.perf_counter() - start < 2


def test_a_rewrite_that_runs_past_its_budget_leaves_the_claim_unproved_in_time():
    start = time.perf_counter()
    proof = prove(Obligation(zero=[sp.Function("F")(x) - sp.Function("G")(x)]), budget=2)
    assert proof.verdict is SymbolicVerdict.UNPROVED
    assert time.perf_counter() - start < 20


def test_strict_minimum_refuses_a_saddle_and_proves_a_bowl():
    u, v = sp.symbols("u v", real=True)
    vars_ = sp.Matrix([u, v])
    bowl = Obligation.stationary(u ** 2 + v ** 2, vars_, sp.Matrix([0, 0]), strict_minimum=True)
    saddle = Obligation.stationary(u ** 2 - v ** 2, vars_, sp.Matrix([0, 0]), strict_minimum=True)
    assert prove(bowl).verdict is SymbolicVerdict.PROVED
    assert prove(saddle).verdict is not SymbolicVerdict.PROVED


def test_joint_stationarity_needs_every_variable():
    u, v = sp.symbols("u v", real=True)
    f = (u - 1) ** 2 + (v - u) ** 2
    assert prove(Obligation.stationary(f, (u, v), (1, 1))).verdict is SymbolicVerdict.PROVED
    # stationary in u at (1, 2)? ∂f/∂u = 2(u − 1) − 2(v − u) = −2 ≠ 0; in v it is 2(v − u) = 2
    assert prove(Obligation.stationary(f, (u, v), (1, 2))).verdict is SymbolicVerdict.REFUTED


def test_a_figure_agrees_with_its_printed_digits_only_to_half_a_unit():
    from regverify.symbolic import agrees_with_printed, printed_decimals
    assert printed_decimals("0.950") == 3 and printed_decimals("2.7e-4") == 5
    assert agrees_with_printed(sp.Rational(2036, 10000) + sp.Rational(3, 10 ** 6), "0.2036") > 0
    assert agrees_with_printed(sp.Rational(2036, 10000) + sp.Rational(6, 10 ** 5), "0.2036") < 0

def test_a_stated_minimum_value_is_checked_where_the_gradient_cannot_see_it():
    objective = (x - a) ** 2 + 3            # a constant term: its gradient is that of (x − a)²
    right = Obligation.stationary(objective, x, a, positive=[sp.Integer(2)], value=3)
    wrong = Obligation.stationary(objective, x, a, positive=[sp.Integer(2)], value=2)
    assert prove(right, required="differentiation").verdict is SymbolicVerdict.PROVED
    assert prove(wrong, required="differentiation").verdict is SymbolicVerdict.REFUTED


def test_joint_stationarity_refuses_what_it_cannot_check():
    u, v = sp.symbols("u v", real=True)
    with pytest.raises(ValueError):
        Obligation.stationary(u ** 2 - v ** 2, (u, v), (0, 0), strict_minimum=True)
    with pytest.raises(ValueError):
        Obligation.stationary(u ** 2 + v ** 2, (u, v), (0,))   # a candidate missing
    assert Obligation.stationary(u ** 2, u, 0, strict_minimum=True).positive == [2]   # d²/du², derived


def test_a_printed_figure_must_be_plain_ascii_and_its_exponent_counts():
    from regverify.symbolic import printed_decimals
    assert printed_decimals("2.7E-4") == printed_decimals("2.7e-4") == 5
    for text in ("−0.2", "2.51…", "1,000"):
        with pytest.raises(ValueError):
            printed_decimals(text)


def test_the_scope_names_each_explicit_matrix_it_was_built_at():
    q2, q3 = sp.Matrix(2, 2, lambda i, j: x + i + j), sp.Matrix(3, 3, lambda i, j: x + i - j)
    named = prove(Obligation(zero=[x - x], built_at=(("Q", q2), ("Q", q3))))
    assert named.scope == "sizes Q 2×2 and 3×3"
    assert prove(Obligation(zero=[x - x], built_at=(q2, q3))).scope == "sizes 2×2 and 3×3"   # unnamed
