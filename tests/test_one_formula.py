"""One formula per claim: a planted change in a claim's stated form fails the symbolic side and
the numeric side, because both are built from that one SymPy expression. Extremum proofs prove
an extremum, approximations are checked to their order, and the scope is the engine's."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from regverify.claims import Inequality, NumericVerdict
from regverify.derivations import early_stopping, l2_shrinkage, linear_ae_svd, max_activation, ridge
from regverify.forms import compile_form
from regverify.prover import DerivativeError, Obligation, SymbolicVerdict, derivative, g, prove
from regverify.registry import get
from regverify.verifier import verify_claim


def planted(derivation_id, claim_name, **changes):
    derivation = get(derivation_id)
    claim = dataclasses.replace(derivation.claim(claim_name), training=None, **changes)
    return verify_claim(derivation, claim, seed=0)


def assert_fails_both_sides(result):
    assert not result.ok and result.status != "verified"
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED, result.symbolic
    assert result.numeric.verdict is NumericVerdict.FAILED, result.numeric.detail


# --- the audit's planted edits --------------------------------------------------------------
def test_max_activation_with_the_minimizer_as_candidate_fails_both_sides():
    w, norm = max_activation.w, max_activation.NORM
    assert_fails_both_sides(planted("max-activation", "unit-norm-maximizer", rhs=-w / norm))


def test_the_minimizer_on_the_sphere_is_not_proved_a_maximum():
    w, x, norm = max_activation.w, max_activation.x, max_activation.NORM
    ob = Obligation.extremum(w.T * x, x, -w / norm, sense="max", constraint=x.T * x - sp.Identity(1),
                             assume_positive=(sp.Trace(w.T * w),))
    assert prove(ob).verdict is SymbolicVerdict.UNPROVED
    ob = Obligation.extremum(w.T * x, x, -w / norm, sense="min", constraint=x.T * x - sp.Identity(1),
                             assume_positive=(sp.Trace(w.T * w),))
    assert prove(ob).verdict is SymbolicVerdict.PROVED


def test_l2_with_a_negative_penalty_and_its_stationary_point_fails_both_sides():
    m = l2_shrinkage
    result = planted("l2-shrinkage", "shrinkage-minimizer",
                     definition=m.L_HAT - m.alpha / 2 * m.w.T * m.w,
                     form=(m.H - m.alpha * m.I).I * m.H * m.w_star,
                     linear=(m.H - m.alpha * m.I, m.H * m.w_star))
    assert_fails_both_sides(result)
    assert "not shown" in result.symbolic.how      # stationary, but the derived Hessian is not PD


def test_the_l2_hessian_is_derived_from_the_objective():
    m = l2_shrinkage
    claim = get("l2-shrinkage").claim("shrinkage-minimizer")
    (curvature,) = claim.obligation().curvature
    u = curvature.direction
    assert sp.expand(curvature.form - (u.T * m.H * u + m.alpha * u.T * u)) == sp.ZeroMatrix(1, 1)


def test_eckart_young_at_the_bottom_triplets_is_stationary_but_loses_globally():
    def bottom(rng, trial):
        p = linear_ae_svd.sample_triplets(rng, trial)
        u, s, vt = np.linalg.svd(p["X"], full_matrices=False)
        keep = slice(len(s) - p["k"], len(s))
        rest = slice(0, len(s) - p["k"])
        return {**p, "U_k": u[:, keep], "Sigma_k": np.diag(s[keep]), "V_k": vt[keep].T,
                "U_r": u[:, rest], "Sigma_r": np.diag(s[rest]), "V_r": vt[rest].T}
    result = planted("linear-ae-svd", "eckart-young", sample=bottom)
    assert result.status == "refuted" and not result.ok
    assert result.symbolic.establishes == "stationary point"     # the proved part says only that


def test_eckart_young_reports_stationarity_and_the_numeric_global_part_apart():
    result = verify_claim(get("linear-ae-svd"), get("linear-ae-svd").claim("eckart-young"))
    assert result.ok and result.symbolic.establishes == "stationary point"
    assert result.symbolic.scope == "every k, m, n, r"
    assert result.numeric.detail["global"]["method"].startswith("numeric")


def test_early_stopping_with_tau_minus_one_fails_both_sides():
    e = early_stopping
    result = planted("early-stopping", "alpha-approximation",
                     rhs=1 / (e.tau * e.eps) - e.lam * (e.tau - 1) / (2 * e.tau))
    assert_fails_both_sides(result)
    assert result.numeric.detail["measured_order"] < 1.5


def test_a_dropped_second_term_fails_the_order_check():
    e = early_stopping
    result = planted("early-stopping", "alpha-approximation", rhs=1 / (e.tau * e.eps))
    assert_fails_both_sides(result)


# --- scope: derived, never declared -----------------------------------------------------------
def test_a_page_cannot_declare_a_scope():
    with pytest.raises(TypeError):
        Obligation(zero=[sp.Symbol("x")], **{"scope": "every n"})


def test_a_fixed_size_obligation_cannot_get_every_n():
    from regverify.symbolic import symbol_vector
    a, b = symbol_vector("W", 3, real=True), symbol_vector("x", 4, real=True)
    ob = Obligation(zero=[(a[0] + b[0]) ** 2 - a[0] ** 2 - 2 * a[0] * b[0] - b[0] ** 2])
    assert ob.scope == "sizes W 3×1; x 4×1"
    assert prove(ob).scope.startswith("sizes")


def test_symbolic_dimensions_give_every_n():
    claim = get("ridge").claim("minimizer")
    assert claim.obligation().scope == "every m, n"
    ob = Obligation.identity(sp.Sum(sp.Indexed("a", sp.Symbol("i")), (sp.Symbol("i"), 1, sp.Symbol("K"))), 0)
    assert ob.scope == "every K"


def test_an_obligation_without_matrices_has_scalar_scope():
    a = sp.Symbol("a")
    assert Obligation.identity(a + a, 2 * a).scope == "scalars"


# --- derivatives SymPy gets wrong are errors --------------------------------------------------
def test_a_derivative_sympy_returns_as_zero_is_an_error():
    n = sp.Symbol("n", integer=True, positive=True)
    w, h = sp.MatrixSymbol("w", n, 1), sp.MatrixSymbol("h", n, 1)
    objective = g(sp.Trace(w.T * h))
    assert objective.diff(w) == 0 or isinstance(objective.diff(w), sp.ZeroMatrix) or True
    with pytest.raises(DerivativeError):
        derivative(sp.Function("L")(g(sp.Trace(w.T * h))), w)


def test_a_derivative_that_disagrees_with_central_differences_is_an_error(monkeypatch):
    n = sp.Symbol("n", integer=True, positive=True)
    w, a = sp.MatrixSymbol("w", n, 1), sp.MatrixSymbol("A", n, n)
    objective = w.T * a * w
    monkeypatch.setattr(sp.MatrixExpr, "diff", lambda self, v: 2 * a * v)   # wrong for non-symmetric A
    with pytest.raises(DerivativeError):
        derivative(objective, w)


def test_a_gradient_claim_with_a_sympy_zero_derivative_is_an_error_not_a_proof():
    n = sp.Symbol("n", integer=True, positive=True)
    w, h = sp.MatrixSymbol("w", n, 1), sp.MatrixSymbol("h", n, 1)
    ob_builder = lambda claim: Obligation.gradient(sp.Function("L")(g(sp.Trace(w.T * h))), w, sp.ZeroMatrix(n, 1))
    result = planted("l2-shrinkage", "quadratic-gradient", symbolic=ob_builder)
    assert result.status == "error" and result.symbolic.verdict is SymbolicVerdict.ERROR


# --- one planted edit per claim kind and per extremum type, both sides --------------------------
PLANTS = [
    # gradient
    ("l2-shrinkage", "quadratic-gradient", lambda c: {"form": 2 * c.form}),
    # identity (both sides SymPy)
    ("l2-shrinkage", "update-rule", lambda c: {"rhs": c.rhs + l2_shrinkage.eps * l2_shrinkage.w}),
    # minimizer with a derived Hessian (unconstrained)
    ("ridge", "minimizer", lambda c: {"form": ridge.A_PRINTED.I * ridge.X.T * ridge.y}),
    # constrained maximum
    ("max-activation", "unit-norm-maximizer", lambda c: {"rhs": 2 * c.rhs}),
    # approximation
    ("early-stopping", "alpha-approximation", lambda c: {"rhs": c.rhs - early_stopping.lam / 2}),
    # inequality (Pinsker's bound doubled: false near ρ = ½)
    ("kl-sparsity", "pinsker", lambda c: {"rhs": 2 * c.rhs}),
    # limit
    ("l2-shrinkage", "alpha-to-zero", lambda c: {"value": 2 * c.value}),
]


@pytest.mark.parametrize("derivation_id, claim_name, change", PLANTS, ids=[p[1] for p in PLANTS])
def test_a_planted_change_in_the_stated_form_fails_both_sides(derivation_id, claim_name, change):
    claim = get(derivation_id).claim(claim_name)
    assert claim.one_formula
    assert_fails_both_sides(planted(derivation_id, claim_name, **change(claim)))


def test_a_planted_stationary_point_without_the_global_part_is_not_a_proved_minimizer():
    result = planted("linear-ae-svd", "eckart-young", stationary_points=None)
    assert not result.ok and result.status == "unverified"


def test_the_compiled_form_reads_sizes_off_the_sample():
    n = sp.Symbol("n", integer=True, positive=True)
    w, h = sp.MatrixSymbol("w^*", n, 1), sp.MatrixSymbol("H", n, n)
    compiled = compile_form((h + sp.Identity(n)).I * w, bind={"w_star": w})
    for size in (2, 5):
        value = compiled({"H": np.eye(size), "w_star": np.ones(size)})
        np.testing.assert_allclose(value.ravel(), np.full(size, 0.5))


def test_the_report_can_render_the_form():
    claim = get("l2-shrinkage").claim("shrinkage-minimizer")
    assert "\\alpha" in claim.form_latex and "^{-1}" in claim.form_latex


# --- every claim in the one-formula style ----------------------------------------------------
def one_formula_claims():
    from regverify.registry import all_derivations
    return [pytest.param(d, c, id=f"{d.id}/{c.name}") for d in all_derivations() for c in d.claims
            if c.one_formula and not c.expect.wrong]


def scaled(form):
    """The form with a factor planted: 2·form (each entry of a tuple of forms); a zero, which a
    factor leaves as it is, gets a constant shift instead (a matrix of ones)."""
    if isinstance(form, tuple):
        return tuple(scaled(f) for f in form)
    if isinstance(form, sp.ZeroMatrix):
        return sp.OneMatrix(*form.shape)
    return 1 if form == 0 else 2 * form


@pytest.mark.slow
@pytest.mark.parametrize("derivation, claim", one_formula_claims())
def test_every_one_formula_claim_fails_when_its_form_is_scaled(derivation, claim):
    field_name = next(iter(claim.forms()))
    if field_name == "lhs" and "rhs" in claim.forms():
        field_name = "rhs"
    form = getattr(claim, field_name)
    if isinstance(claim, Inequality):
        # 2·(the larger side) of a positive inequality still holds: shift each side towards the other
        shift = sp.Identity(form.shape[0]) if claim.order == "loewner" else 1
        planted = form - shift if field_name == "lhs" else form + shift
    else:
        planted = scaled(form)
    changed = dataclasses.replace(claim, training=None, **{field_name: planted})
    result = verify_claim(derivation, changed, seed=0)
    assert not result.ok and result.status != "verified"
    assert result.symbolic.verdict is not SymbolicVerdict.PROVED
    assert result.numeric.verdict is NumericVerdict.FAILED


def test_the_claims_still_in_the_older_style_are_the_listed_ones():
    """Each claim without a SymPy form is listed with the reason it has none (the README's list);
    converting one means taking it off the list."""
    from regverify.registry import all_derivations
    old = {f"{d.id}/{c.name}" for d in all_derivations() for c in d.claims if not c.one_formula}
    assert old == set(OLDER_STYLE), (sorted(old - set(OLDER_STYLE)), sorted(set(OLDER_STYLE) - old))
    assert not {f"{d}/{c}" for d, c in CONVERTED} & old


NOT_A_MATRIX_EXPRESSION = "the printed form is not a well-formed matrix expression, so SymPy cannot hold it"
AN_ALGORITHM = "its side is an algorithm over a sampled structure, not one closed form"
SVD = "its sides are singular vectors or explained variances, computed numerically; SymPy has no closed form"
INDEXED = "an indexed sum over symbolic K; compiled forms take MatrixSymbols, and SciPy's logsumexp is the oracle"
PER_SAMPLE_ACTIVATION = "the activation g is drawn per sample from a table; a compiled form fixes its functions"
OLDER_STYLE = {
    "l2-shrinkage/printed-quadratic-form": NOT_A_MATRIX_EXPRESSION + " ((w − w*)H(w − w*) of columns)",
    "l2-shrinkage/effective-parameters": "its left side sums H's eigenvalues, which a sample has only as "
                                         "numbers (eigvalsh): the proof works in H = QΛQᵀ, and both sides "
                                         "are eigenvalue and trace twins",
    "l1-soft-threshold/printed-summed-stationarity": "one equation in n unknowns: a condition, not a candidate",
    "max-activation/activation-maximizer": PER_SAMPLE_ACTIVATION,
    "max-activation/any-activation": PER_SAMPLE_ACTIVATION,
    "max-activation/every-hidden-unit": AN_ALGORITHM + " (one search per hidden unit)",
    "max-activation/printed-units-1-to-n": NOT_A_MATRIX_EXPRESSION + " (W_j for j up to n, with k columns)",
    "linear-ae-svd/printed-full-svd": SVD,
    "linear-ae-svd/unique-up-to-A": SVD,
    "linear-ae-svd/pca-on-centred-data": SVD,
    "linear-ae-svd/uncentred-is-pca": SVD,
    "output-units/saturation-right-sign": "a limit along a sequence of the NLL's slope, by cases of y",
    "output-units/log-softmax": INDEXED,
    "output-units/softmax-shift": INDEXED,
    "backprop/vector-chain-rule": "a rule for any functions y(x), z(y): its form holds abstract Jacobians",
    "backprop/tensor-chain-rule": "a rule for any functions Y(X), z(Y): its form holds abstract Jacobians",
    "backprop/layer-gradients": AN_ALGORITHM + " (the recursion over an MLP of sampled depth)",
    "backprop/printed-batch-shape": "a statement about a shape, compared as shapes",
    "backprop/path-sum": AN_ALGORITHM + " (the sum over the paths of a sampled graph)",
    "backprop-graph/grad-table": AN_ALGORITHM + " (the grad table on a sampled graph)",
}
CONVERTED = [("l2-shrinkage", "penalty-gradient"), ("l2-shrinkage", "update-rule"),
             ("l2-shrinkage", "quadratic-gradient"), ("l2-shrinkage", "shrinkage-minimizer"),
             ("l2-shrinkage", "eigen-form"), ("l2-shrinkage", "eigen-factor"), ("l2-shrinkage", "alpha-to-zero"),
             ("l2-shrinkage", "alpha-to-zero-for-psd-h"), ("l2-shrinkage", "alpha-to-infinity"),
             ("ridge", "minimizer"), ("ridge", "halved-objective-minimizer"), ("ridge", "printed-minimizer"),
             ("max-activation", "unit-norm-maximizer"), ("max-activation", "minimizer"), ("max-activation", "maximum-value"),
             ("backprop", "output-weight-gradient"), ("backprop", "printed-output-gradient"),
             ("backprop", "hidden-gradient"), ("backprop", "printed-da-dh"),
             ("linear-ae-svd", "eckart-young"), ("linear-ae-svd", "optimum-is-truncation"),
             ("early-stopping", "alpha-approximation"),
             ("kl-sparsity", "kl-derivative"), ("kl-sparsity", "kl-minimum"), ("output-units", "nll-derivative"),
             ("l1-soft-threshold", "soft-threshold"), ("xor", "linear-fit"), ("xor", "relu-network"),
             ("dropout-linear", "dropout-ridge-weights"), ("denoising", "linear-dae-minimizer")]


def test_a_family_of_scalars_built_at_several_sizes_states_those_sizes():
    from regverify.symbolic import symbol_vector
    # scalar residuals in the entries of explicit vectors: the sizes they were built at, never "scalars"
    residuals = [sum(sp.Abs(e) for e in symbol_vector("w", size, real=True)) - 1 for size in (2, 3)]
    assert Obligation(zero=residuals).scope == "sizes w 2×1 and 3×1"
