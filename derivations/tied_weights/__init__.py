"""Tied weights: one matrix, two paths (000:183–212, 001, 003).

With the decoder tied to the encoder (W* = Wᵀ under the slides' notation), h = σ(Wᵀx + b),
x̂ = Wh + c and L = ‖x̂ − x‖². W reaches L twice, and the transcript sums the two paths
(000:183–198): with r = x̂ − x,
∂L/∂W = 2 r hᵀ (decoder path) + 2 x [(Wᵀr) ⊙ h ⊙ (1 − h)]ᵀ (encoder path).
Either path alone is wrong. Tying halves the weight count: nk instead of 2nk (000:211–212).
A LINEAR tied AE loses nothing at the optimum: min_W ‖X − XWWᵀ‖²_F = Σ_{i>k} σᵢ² at W = V_k.
"""
import itertools

import sympy as sp
from sympy.concrete.delta import deltasummation

from regverify.claims import Derivation, Expect, Gradient, Identity, Minimizer, Printed, Source
from regverify.derivations import linear_ae_svd as svd
from regverify.numerics import sampling
from regverify.numerics.activations import sigmoid
from regverify.prover import ENTRY_COLUMN, ENTRY_ROW, DerivativeError, Obligation, sigma
from regverify.registry import register
from regverify.symbolic import at_explicit, symbol_matrix, symbol_vector

from .twins import (batch_loss, parameter_count, reconstruction_error, sample_batch, sample_tied, tied_linear_loss,
                    train_tied, train_tied_linear, weights)

STEPS = ("L = ‖W σ(Wᵀx + b) + c − x‖²; W appears in the decoder and in the encoder",
         "decoder path (h fixed): ∂L/∂W_pq = 2 r_p h_q; encoder path (the outer W fixed): 2 x_p (Wᵀr)_q σ'(a_q)",
         "the total derivative is the sum of the two (000:183–198), at a generic entry (p, q): every n, k")

# --- the stated forms: every n, k (m examples); σ elementwise ------------------------------------
m, n, k = sp.symbols("m n k", integer=True, positive=True)
X, x, c = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("c", n, 1)
W, b = sp.MatrixSymbol("W", n, k), sp.MatrixSymbol("b", k, 1)
h = (W.T * x + b).applyfunc(sigma)
r = W * h + c - x
DECODER_PATH = 2 * r * h.T
ENCODER_PATH = 2 * x * sp.hadamard_product(W.T * r, h, sp.OneMatrix(k, 1) - h).T
H = (X * W + sp.OneMatrix(m, 1) * b.T).applyfunc(sigma)
R = H * W.T + sp.OneMatrix(m, 1) * c.T - X
BATCHED = 2 * (R.T * H + X.T * sp.hadamard_product(R * W, H, sp.OneMatrix(m, k) - H)) / m
SIGMOID = {"sigma": sigmoid}
CODE, p, q = sp.IndexedBase("h"), ENTRY_ROW, ENTRY_COLUMN     # h[i, l] = σ(a_il), named once differentiated


# --- ∂L/∂W at a generic entry (p, q), every size. SymPy's doit() runs Gosper's algorithm on every
# σ-sum (seconds each): so entries stay unevaluated, δ-sums are done term by term, σ(a) is named h
# once differentiated, and nested sums become one Σ with its ranges in one order.
def entry(form, row=p, col=q):          # form[row, col]; a Σ over one index value is its term
    e = form._entry(row, col, expand=False)
    return e.replace(lambda s: isinstance(s, sp.Sum) and all(lo == hi for _, lo, hi in s.limits),
                     lambda s: s.function.xreplace({v: lo for v, lo, _ in s.limits}))


def named(expr, pre):                   # σ(a) → h[i, l] only where a is exactly pre[i, l]
    sizes = {d for s in pre.free_symbols for d in getattr(s, "shape", ())}

    def rename(e):
        free = [s for s in e.args[0].free_symbols if not isinstance(s, sp.MatrixSymbol) and s not in sizes]
        return next((CODE[i, l] for i, l in itertools.product([*free, sp.S.Zero], repeat=2)
                     if sp.expand(e.args[0]).as_dummy() == sp.expand(entry(pre, i, l)).as_dummy()), e)
    return expr.replace(lambda e: isinstance(e, sigma), rename)


def deltas_summed(s):                   # Σ of δ-terms by deltasummation, the other terms left as Σ
    out = s.function
    for limit in reversed(s.limits):
        out = sp.Add(*[deltasummation(t, limit) if any(limit[0] in d.free_symbols for d in t.atoms(sp.KroneckerDelta))
                       else sp.Sum(t, limit) for t in sp.Add.make_args(sp.expand(out))])
    return out


def one_sum(s):                         # Σᵢ a Σⱼ b = Σᵢⱼ ab (j's range free of i); ranges in one order
    def ends(t):
        return set().union(*(sp.S(e).free_symbols for _, *bounds in t.limits for e in bounds))
    inner = [f for f in sp.Mul.make_args(s.function) if isinstance(f, sp.Sum)]
    if len(inner) == 1 and not ((s.function / inner[0]).free_symbols & set(inner[0].variables)
                                or ends(inner[0]) & set(s.variables)):
        s = sp.Sum(s.function / inner[0] * inner[0].function, *inner[0].limits, *s.limits)
    return s if ends(s) & set(s.variables) else sp.Sum(s.function, *sorted(s.limits, key=lambda limit: str(limit[1:])))


def gradient_obligation(objective, claimed, pre, steps) -> Obligation:
    derived = sp.diff(objective[0, 0], W[p, q])
    if derived == 0:
        raise DerivativeError(f"SymPy returned 0 for ∂/∂W[p, q] of {objective}")
    derived = named(derived, pre).replace(lambda e: isinstance(e, sp.Sum) and e.function.has(sp.KroneckerDelta),
                                          deltas_summed)
    residual = sp.expand(derived - named(entry(claimed), pre)).replace(lambda e: isinstance(e, sp.Sum), one_sum)
    return Obligation(zero=[residual], derived_by="differentiation", sources=(objective, W, claimed), steps=steps)


def paths_obligation(claimed) -> Obligation:
    """A one-path pitfall against SymPy's derivative of L at W 2×3 and 3×4: refuted at an exact point."""
    at = [{x: symbol_vector("x", rows, real=True), c: symbol_vector("c", rows, real=True), b: symbol_vector(
        "b", cols, real=True), W: symbol_matrix("W", rows, cols, real=True)} for rows, cols in ((2, 3), (3, 4))]
    parts = [Obligation.gradient(at_explicit(r.T * r, v)[0], v[W], at_explicit(claimed, v)) for v in at]
    return Obligation(zero=[z for o in parts for z in o.zero], sources=tuple(s for o in parts for s in o.sources),
                      derived_by="differentiation", steps=STEPS,
                      sized_because="a counterexample is a point: exact numbers for every entry of W, x, b and c")


def parameter_count_obligation(stated_tied) -> Obligation:
    """The tied model's parameters counted entry by entry (W, b, c) against the stated count."""
    j, l = sp.symbols("j l", integer=True, positive=True)
    counted = sp.Sum(1, (j, 1, n), (l, 1, k)) + sp.Sum(1, (l, 1, k)) + sp.Sum(1, (j, 1, n))
    return Obligation(zero=[counted - stated_tied],
                      steps=("tied: W (n×k), b (k) and c (n), Σⱼ Σ_l 1 + Σ_l 1 + Σⱼ 1 = nk + k + n",
                             "half of the untied count is (2nk + n + k)/2 = nk + (n + k)/2"))


def weight_count_obligation(tied_count, untied_count) -> Obligation:
    """Count the weights as Σ of 1 over every entry of every weight matrix, for every n, k."""
    j, l = sp.symbols("j l", integer=True, positive=True)
    tied = sp.Sum(1, (j, 1, n), (l, 1, k))                               # W (n×k), used twice
    untied = sp.Sum(1, (j, 1, n), (l, 1, k)) + sp.Sum(1, (l, 1, k), (j, 1, n))   # W and W* (k×n)
    return Obligation(zero=[tied - tied_count, untied - untied_count],
                      steps=("untied: W (n×k) and W* (k×n), Σⱼ Σ_l 1 + Σ_l Σⱼ 1",
                                      "swap the order of the second sum: 2 Σⱼ Σ_l 1 = 2nk; tied: nk"))


# --- a linear tied AE, X = U_kΣ_kV_kᵀ + U_rΣ_rV_rᵀ (svd's split): stationary at W = V_k, value Σ_{i>k} σᵢ²
RELATIONS = {**svd.ORTHONORMAL, svd.U.T * svd.U: sp.Identity(k), svd.U2.T * svd.U2: sp.Identity(svd.r),
             svd.V2.T * svd.V2: sp.Identity(svd.r), svd.U2.T * svd.U: sp.ZeroMatrix(svd.r, k)}


def cycled(t):                          # tr(QA) = tr(AQ) for Q orthonormal (U_k, U_r, V_k, V_r), then the relations
    c, f = t.as_coeff_mmul()
    f = list(f.args) if isinstance(f, sp.MatMul) else [f]
    return c * sp.Trace(sp.MatMul(*f[1:], f[0]).doit().subs(RELATIONS) if f[0] in (svd.U, svd.U2, svd.V, svd.V2) else t)


def tied_linear_obligation(claim) -> Obligation:
    w = sp.MatrixSymbol("W", svd.n, k)
    rest = svd.X_SVD - svd.X_SVD * w * w.T
    o = Obligation.stationary(sp.Trace(rest.T * rest), w, claim.form, value=sp.Trace(svd.S2.T * svd.S2), steps=(
        "∇_W = −2(XᵀR + RᵀX)W, R = X − XWWᵀ; at W = V_k, R = U_rΣ_rV_rᵀ ⊥ V_k, U_k; tr(RᵀR) = tr(Σ_rᵀΣ_r)",),
        assumptions_used=("U, V orthonormal", "global: (H, W*) = (XW, Wᵀ) is an untied pair, so Eckart–Young "
                                              "bounds every tied W below by Σ_{i>k} σᵢ², which W = V_k attains"))
    o.zero = [sp.expand(sp.expand(z.doit()).subs(RELATIONS).replace(lambda e: isinstance(e, sp.Trace), lambda e: sp.Add(
        *map(cycled, sp.Add.make_args(sp.expand(e.arg)))))) for z in o.zero]
    return o


DERIVATION = register(Derivation(
    id="tied-weights",
    title="Tied weights: one matrix, two paths",
    sources=[Source("000_d1f253078589f78b.txt", "000:183–212 the two paths summed; half the parameters"),
             Source("001_70756d2e651c3bac.txt", "module 7.3 slides: tie the weights, W* = Wᵀ"),
             Source("003_c3291310eed8186c.txt", "L2 and tied weights")],
    conventions="W is n×k; h = σ(Wᵀx + b), x̂ = Wh + c (batched: H = σ(XW + b), X̂ = HWᵀ + c).",
    assumptions=["σ is the logistic sigmoid", "L = ‖x̂ − x‖² (batched: the mean over rows)"],
    symbols={"x": "vector(n)", "c": "vector(n)", "W": "matrix(n,k)", "b": "vector(k)"},
    claims=[
        Gradient(
            name="two-path-gradient", statement="∂L/∂W = 2 r hᵀ + 2 x [(Wᵀr) ⊙ h ⊙ (1 − h)]ᵀ, r = x̂ − x",
            form=DECODER_PATH + ENCODER_PATH,
            symbolic=lambda claim: gradient_obligation(r.T * r, claim.form, W.T * x + b, STEPS),
            functions=SIGMOID, sample=sample_tied, objective=reconstruction_error, wrt="W", training=train_tied),
        Gradient(
            name="decoder-path-only", statement="∂L/∂W = 2 r hᵀ (the decoder path alone)",
            expect=Expect.PITFALL, corrected_by="two-path-gradient",
            origin="differentiating x̂ = Wh + c with h held fixed, as for an untied decoder W*",
            form=DECODER_PATH, symbolic=lambda claim: paths_obligation(claim.form), functions=SIGMOID,
            sample=sample_tied, objective=reconstruction_error, wrt="W"),
        Gradient(
            name="encoder-path-only", statement="∂L/∂W = 2 x [(Wᵀr) ⊙ h ⊙ (1 − h)]ᵀ (the encoder path alone)",
            expect=Expect.PITFALL, corrected_by="two-path-gradient",
            origin="backpropagating into the encoder's W and forgetting that the decoder uses it too",
            form=ENCODER_PATH, symbolic=lambda claim: paths_obligation(claim.form), functions=SIGMOID,
            sample=sample_tied, objective=reconstruction_error, wrt="W"),
        Gradient(
            name="batched-gradient",
            statement="for L = (1/m) Σᵢ ‖x̂ᵢ − xᵢ‖²: ∂L/∂W = (2/m)[RᵀH + Xᵀ((RW) ⊙ H ⊙ (1 − H))]",
            uses=("two-path-gradient",), form=BATCHED, symbolic=lambda claim: gradient_obligation(
                sp.OneMatrix(1, m) * sp.hadamard_product(R, R) * sp.OneMatrix(n, 1) / m, claim.form,
                X * W + sp.OneMatrix(m, 1) * b.T, ("L = (1/m) Σᵢⱼ Rᵢⱼ², R = σ(XW + 1bᵀ)Wᵀ + 1cᵀ − X",
                                                   "∂L/∂W_pq at a generic entry: the mean over rows of the "
                                                   "two paths, every m, n, k")),
            functions=SIGMOID, sample=sample_batch, objective=batch_loss, wrt="W"),
        Identity(
            name="half-the-weights", statement="tying W* = Wᵀ halves the weight count: nk instead of 2nk",
            symbolic=lambda claim: weight_count_obligation(*claim.rhs),
            sample=lambda rng, trial: {"n": sampling.size(rng, 2, 9), "k": sampling.size(rng, 2, 9)},
            lhs=lambda p: [sum(a.size for a in weights(p["n"], p["k"], tied)) for tied in (True, False)],
            rhs=(n * k, 2 * n * k)),
        Identity(
            name="printed-parameters-by-half",
            statement="tying W* = Wᵀ halves the number of parameters: nk + n + k = (2nk + n + k)/2",
            expect=Expect.ERRATUM, corrected_by="half-the-weights",
            source=Printed("000_d1f253078589f78b.txt", 211, "we are reducing the number of parameters by",
                           reading="\"by half.\" (000:212) of every parameter the autoencoder learns, its "
                                   "biases b and c included: true of the weights alone (nk of 2nk), not of "
                                   "the parameters (nk + n + k of 2nk + n + k)"),
            symbolic=lambda claim: parameter_count_obligation(claim.rhs),
            sample=lambda rng, trial: {"n": sampling.size(rng, 2, 9), "k": sampling.size(rng, 2, 9)},
            lhs=lambda p: parameter_count(p["n"], p["k"], tied=True), rhs=(2 * n * k + n + k) / 2),
        Minimizer(
            name="tied-linear-optimum", uses=("linear-ae-svd/eckart-young",),
            statement="linear, tied (001:58, 003:63): min_W ‖X − XWWᵀ‖²_F = Σ_{i>k} σᵢ² at W = V_k, the untied optimum",
            form=svd.V, symbolic=tied_linear_obligation, sample=svd.sample_triplets,
            objective=tied_linear_loss, minimum_value=lambda p: svd.tail(p["X"], p["k"]),
            stationary_points=lambda p: [z[len(p["X"]) * p["k"]:].reshape(p["k"], -1).T for z in svd.other_stationary_points(p)],
            trials=2, training=train_tied_linear),
    ]))
