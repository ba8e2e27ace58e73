"""The reports read as an instructor writes: decorated names as accents, exact residuals as
fractions, counterexamples that are visibly non-zero, one index base, no SymPy code in prose."""
from __future__ import annotations

import re
from pathlib import Path

import sympy as sp

from regverify import registry
from regverify.numerics.gradcheck import power_of_ten
from regverify.prover import VISIBLE, find_counterexample
from regverify.report import latex_of, plain_symbol
from regverify.symbolic import symbol_matrix, symbol_vector

REPORTS = sorted((Path(__file__).parent.parent / "reports").glob("*.md"))


def test_a_decorated_name_with_an_index_is_an_accent_with_a_subscript():
    assert latex_of(sp.Symbol("rho_hat_3")) == r"\hat{\rho}_{3}"
    assert latex_of(sp.Symbol("rho_hat")) == r"\hat{\rho}"
    assert latex_of(sp.Symbol("w_tilde")) == r"\tilde{w}"
    assert plain_symbol("rho_hat_3") == "ρ̂₃" and plain_symbol("rho") == "ρ" and plain_symbol("W_01") == "W_01"


def test_no_committed_report_prints_a_decoration_as_a_subscript_or_a_raw_name():
    for path in REPORTS:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"_\{(hat|tilde|bar)\b", text), path.name
        assert "rho_hat" not in text, path.name


def test_a_rational_residual_is_printed_as_a_fraction():
    x, y = sp.symbols("x y", real=True)
    found = find_counterexample([x / 3 + y / 7 + sp.Rational(1, 5)])
    assert found is not None and "/" in found["residual"] and "." not in found["residual"]
    assert sp.Rational(found["residual"]) == sp.Rational(found["point"]["x"]) / 3 \
        + sp.Rational(found["point"]["y"]) / 7 + sp.Rational(1, 5)


def test_an_irrational_residual_is_rounded_not_printed_to_17_digits():
    x = sp.Symbol("x", positive=True)
    found = find_counterexample([sp.sqrt(x) + 1])
    assert found["residual"].startswith("≈ ") and len(found["residual"]) <= 12


def test_a_counterexample_is_visibly_non_zero_where_one_exists():
    x = sp.Symbol("x", real=True)
    # Tiny (about e^{-40 x²}) at most points drawn, visible near 0: the visible point is the one shown.
    found = find_counterexample([sp.exp(-40 * x ** 2)])
    assert abs(float(sp.N(sp.sympify(found["residual"].lstrip("≈ "))))) >= VISIBLE


def test_numbered_symbols_count_from_0_as_arrays_do():
    assert [str(s) for s in symbol_matrix("W", 2, 2)] == ["W_00", "W_01", "W_10", "W_11"]
    assert [str(s) for s in symbol_vector("x", 2)] == ["x_0", "x_1"]


def test_a_tolerance_rule_is_written_with_powers_of_ten():
    assert power_of_ten(1e-11) == "10⁻¹¹" and power_of_ten(2e-9) == "2·10⁻⁹"
    for path in REPORTS:
        assert "1e-13*max" not in path.read_text(encoding="utf-8"), path.name


def test_no_report_step_is_sympy_code():
    for path in REPORTS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\d+\. ", line):
                assert not re.search(r"\.T\\?\*|[A-Za-z0-9]\\\*[A-Za-z0-9]|\*\*", line), f"{path.name}: {line}"


def test_a_matrix_coefficient_is_not_bracketed():
    w, h = sp.MatrixSymbol("w", 3, 1), sp.MatrixSymbol("H", 3, 3)
    assert latex_of(h * (sp.Rational(1, 2) * w)) == r"\frac{1}{2} H w"
    assert latex_of(sp.Rational(1, 2) ** sp.Symbol("x")) == r"\left(\frac{1}{2}\right)^{x}"


def test_the_log_sum_exp_bounds_are_inequalities():
    claims = {c.name: c for d in registry.all_derivations() for c in d.claims}
    for name in ("lse-lower-bound", "lse-upper-bound", "lse-at-most-max", "pinsker"):
        assert claims[name].kind == "inequality", name


def test_a_zero_has_no_sign_and_a_tied_lead_reads_as_zero_whatever_its_sign():
    from regverify.report import FLOORS, measured, summarise
    assert measured(-0.0) == "0" and summarise([[-0.0, 1.5]], whole=True) == "[0, 1.5]"
    floor = FLOORS["evaluation"]
    tie = [summarise(v, "least_lead_over_competitors", floor) for v in (-1.1e-15, 2e-16, 0.0)]
    assert len(set(tie)) == 1 and "approx 0" in tie[0] and "|" not in tie[0]   # a bar would end the table cell
    assert summarise(-0.25, "least_lead_over_competitors", floor).startswith("-0.25")   # a real loss shows


def test_counterexample_rows_name_inputs_by_their_symbols_and_values_in_words():
    rows = "\n".join(line for path in REPORTS for line in path.read_text(encoding="utf-8").splitlines()
                     if line.startswith("| "))
    for raw in ("| alpha |", "| lambda |", "| tau |", "| eps |", "| w\\_star |", "| rho\\_hat |", "\\_value |"):
        assert raw not in rows, raw


def test_an_unproved_claim_shows_what_is_left_of_its_obligation():
    text = (Path(__file__).parent.parent / "reports" / "ridge.md").read_text(encoding="utf-8")
    section = text[text.index("printed-minimizer"):]
    assert "What is left of it after expanding" in section and "(-alpha)*w" in section
    assert "Steps, as the claim's derivation goes (unproved" in section
