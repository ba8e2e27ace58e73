"""Hidden units: softplus, the smooth rectifier, and linear units that collapse (004:196–214).

Softplus ζ(z) = log(1 + eᶻ) (004:219) is a smooth version of the rectifier max(0, z): it lies
above it, never by more than log 2 (the gap log(1 + e^{−|z|}) is largest at z = 0 and vanishes
as |z| → ∞), and its derivative is the sigmoid σ(z), a smooth step where the rectifier's jumps.
Consecutive layers without a nonlinearity collapse into one (004:211): W₂ᵀ(W₁ᵀx + c₁) + c₂ =
(W₁W₂)ᵀx + (W₂ᵀc₁ + c₂), one affine layer; what a narrow middle layer can save is parameters:
nk + km weights against nm, fewer exactly when k < nm/(n + m).

Sigmoid and tanh are "strongly sensitive only when z is close to zero" (004:202): their slopes
peak there, σ′(0) = 1/4 and tanh′(0) = 1, and σ′(z) ≤ e^{−|z|} dies away on both sides.
"""
import numpy as np
import sympy as sp
from scipy.special import expit

from regverify.claims import Derivation, Gradient, Identity, Inequality, Source
from regverify.numerics import sampling
from regverify.prover import Obligation
from regverify.registry import register

M004 = "004_b86d6fd376fce36f.txt"
z = sp.Symbol("z", real=True)
u = sp.Symbol("u", positive=True)           # u = e^{−|z|} ∈ (0, 1]
SOFTPLUS, SIGMOID = sp.log(1 + sp.exp(z)), 1 / (1 + sp.exp(-z))


RECTIFIER = sp.Max(0, z)
CASES = ((-sp.log(u), -sp.log(u)), (sp.log(u), sp.S.Zero))   # (z, max(0, z)) for z ≥ 0 and z < 0, u = e^{−|z|}


def ordered_by_sign_of_z(upper, lower, strict, **details) -> Obligation:
    """upper ≥ lower (> with ``strict``) for every real z, case by case: z ≥ 0 written z = −log u,
    z < 0 written z = log u, u ∈ (0, 1), max(0, z) replaced by its value in each case. log is
    increasing, so each case compares e^{upper − max} with e^{lower − max}."""
    conditions = []
    for at, rectified in CASES:
        side = [sp.expand_log(e.xreplace({RECTIFIER: rectified}).subs(z, at) - rectified, force=True)
                for e in (upper, lower)]
        conditions.append(sp.exp(side[0]) - sp.exp(side[1]))
    return Obligation(**{"positive" if strict else "nonnegative": conditions}, unit_interval=(u,), **details)


def above_obligation(claim) -> Obligation:
    return ordered_by_sign_of_z(claim.lhs, RECTIFIER, strict=True, steps=(
        "z ≥ 0: ζ(z) − z = log(1 + e^{−z}); z < 0: ζ(z) − 0 = log(1 + e^{z})",
        "so e^{ζ(z) − max(0, z)} = 1 + u with u = e^{−|z|} > 0: more than e⁰ = 1"))


def within_log2_obligation(claim) -> Obligation:
    ob = ordered_by_sign_of_z(claim.lhs, SOFTPLUS, strict=False, steps=(
        "e^{ζ(z) − max(0, z)} = 1 + u, u = e^{−|z|} ∈ (0, 1]", "1 + u ≤ 2 = e^{log 2}",
        "equality at z = 0, where ζ(0) = log 2"))
    ob.zero.append((claim.lhs - SOFTPLUS).subs(z, 0))     # attained at z = 0: the bound is the least
    return ob


# --- the slopes of the squashing units (004:202) ---------------------------------------------
SIGMOID_SLOPE, TANH_SLOPE = sp.diff(SIGMOID, z), sp.diff(sp.tanh(z), z)     # from the definitions


def peak_obligation(slope, *steps):
    """bound − slope ≥ 0 for every real z (a square over a positive denominator once brought to one
    fraction), and 0 at z = 0: the bound is attained, so it is the least."""
    return lambda claim: Obligation(nonnegative=[claim.lhs - slope], zero=[(claim.lhs - slope).subs(z, 0)],
                                    derived_by="differentiation", steps=steps)


def decay_obligation(claim) -> Obligation:
    """e^{−|z|} − σ′(z) ≥ 0 case by case: z = ∓log u with u = e^{−|z|} ∈ (0, 1)."""
    return Obligation(nonnegative=[claim.lhs.subs(sp.Abs(z), -sp.log(u)) - SIGMOID_SLOPE.subs(z, at)
                                   for at in (-sp.log(u), sp.log(u))], unit_interval=(u,),
                      derived_by="differentiation",
                      steps=("σ′(z) = e^{−z}/(1 + e^{−z})² = u/(1 + u)² for z ≥ 0 and for z < 0, u = e^{−|z|}",
                             "u/(1 + u)² ≤ u since (1 + u)² ≥ 1"))


def sigmoid_slope(p):                   # σ(z)(1 − σ(z)) with 1 − σ(z) = σ(−z): no cancellation far out
    return expit(p["z"]) * expit(-p["z"])


# --- a narrow middle layer ------------------------------------------------------------------------
def sample_narrow(rng, trial):
    outer = [sampling.size(rng, 2, 40) for _ in range(2)]
    widest = int(np.ceil(outer[0] * outer[1] / sum(outer))) - 1       # the largest k with k(n + m) < nm
    return {"n": outer[0], "m": outer[1], "k": int(rng.integers(1, widest + 1))}


def narrow_obligation(claim) -> Obligation:
    """1 − k(n + m)/(nm) > 0 for k < nm/(n + m): with k = (nm − t)/(n + m), t > 0, it is t/(nm)."""
    t = sp.Symbol("t", positive=True)
    return Obligation(positive=[(claim.lhs - claim.rhs).subs(k, (n * m - t) / (n + m))],
                      steps=("W₁ (n×k) and W₂ (k×m) hold nk + km weights; W₁W₂ (n×m) holds nm",
                             "k < nm/(n + m): write k = (nm − t)/(n + m) with t > 0; 1 − k(n + m)/(nm) = t/(nm) > 0"))


def sample_logits(rng, trial):           # small, moderate and large |z|, where the gap vanishes
    return {"z": rng.normal(0, [0.5, 3, 20][trial % 3], 16)}


def sample_logit(rng, trial):
    return {"z": np.array(rng.normal(0, [0.5, 3, 20][trial % 3]))}


# --- linear layers -------------------------------------------------------------------------------
n, k, m = sp.symbols("n k m", integer=True, positive=True)
W1, W2, X = sp.MatrixSymbol("W_1", n, k), sp.MatrixSymbol("W_2", k, m), sp.MatrixSymbol("x", n, 1)
C1, C2 = sp.MatrixSymbol("c_1", k, 1), sp.MatrixSymbol("c_2", m, 1)
TWO_LINEAR_LAYERS = W2.T * (W1.T * X + C1) + C2
BIND = {"W1": W1, "W2": W2, "c1": C1, "c2": C2}


def sample_layers(rng, trial):
    sizes = [sampling.size(rng, 1, 6) for _ in range(3)]
    return {"W1": rng.normal(size=sizes[:2]), "W2": rng.normal(size=sizes[1:]), "x": rng.normal(size=sizes[0]),
            "c1": rng.normal(size=sizes[1]), "c2": rng.normal(size=sizes[2])}


def layers_applied(p):                  # the two layers, one after the other
    hidden = p["W1"].T @ p["x"] + p["c1"]
    return p["W2"].T @ hidden + p["c2"]


DERIVATION = register(Derivation(
    id="hidden-units",
    title="Hidden units: softplus is a smooth rectifier within log 2; linear layers collapse",
    sources=[Source(M004, "004:196–220 hidden units: sigmoid, tanh, linear units, softplus")],
    conventions="ζ(z) = log(1 + eᶻ), σ(z) = 1/(1 + e^{−z}), elementwise over a vector z; a linear layer "
                "maps h to Wᵀh + c (W₁ n×k, W₂ k×m).",
    assumptions=["z real"],
    symbols={"z": "vector(d)", "x": "vector(n)", "W_1": "matrix(n,k)", "W_2": "matrix(k,m)"},
    claims=[
        Inequality(name="softplus-above-rectifier", statement="ζ(z) > max(0, z) for every z (004:219)",
                   strict=True, symbolic=above_obligation, sample=sample_logits, rtol=1e-15, floor=1.0,
                   lhs=SOFTPLUS, rhs=lambda p: np.maximum(0, p["z"])),
        Inequality(name="softplus-within-log-2", statement="ζ(z) ≤ max(0, z) + log 2, with equality at z = 0",
                   symbolic=within_log2_obligation, sample=sample_logits, rtol=1e-15, floor=1.0,
                   lhs=sp.Max(0, z) + sp.log(2), rhs=lambda p: np.logaddexp(0, p["z"])),
        Gradient(name="softplus-slope-is-sigmoid", statement="dζ/dz = σ(z): a smooth step where max(0, z) jumps",
                 form=SIGMOID, definition=SOFTPLUS, over=z, sample=sample_logit, wrt="z", trials=9,
                 objective=lambda p: np.log1p(np.exp(p["z"]))),
        Identity(name="linear-layers-collapse",
                 statement="W₂ᵀ(W₁ᵀx + c₁) + c₂ = (W₁W₂)ᵀx + (W₂ᵀc₁ + c₂): consecutive linear layers are one (004:211)",
                 symbolic=lambda claim: Obligation.identity(TWO_LINEAR_LAYERS, claim.rhs,
                                                            steps=("expand W₂ᵀ(W₁ᵀx + c₁)", "(W₁W₂)ᵀ = W₂ᵀW₁ᵀ")),
                 sample=sample_layers, lhs=layers_applied, rhs=(W1 * W2).T * X + W2.T * C1 + C2, bind=BIND),
        Inequality(name="sigmoid-slope-at-most-quarter",
                   statement="σ′(z) = σ(z)(1 − σ(z)) ≤ 1/4, with equality at z = 0 (004:202)",
                   symbolic=peak_obligation(SIGMOID_SLOPE, "σ′(z) = e^{−z}/(1 + e^{−z})²",
                                            "1/4 − σ′(z) = (1 − e^{−z})²/(4(1 + e^{−z})²) ≥ 0, 0 at z = 0"),
                   sample=sample_logits, rtol=1e-15, floor=1.0, lhs=sp.Rational(1, 4), rhs=sigmoid_slope),
        Inequality(name="tanh-slope-at-most-one", statement="tanh′(z) = 1 − tanh²(z) ≤ 1, with equality at z = 0",
                   symbolic=peak_obligation(TANH_SLOPE, "tanh′(z) = 1 − tanh²(z)", "1 − tanh′(z) = tanh²(z) ≥ 0"),
                   sample=sample_logits, rtol=1e-15, floor=1.0, lhs=sp.S.One, rhs=lambda p: 1 / np.cosh(p["z"]) ** 2),
        Inequality(name="sigmoid-slope-decays", statement="σ′(z) ≤ e^{−|z|}: far from 0 the sigmoid barely responds",
                   symbolic=decay_obligation, sample=sample_logits, rtol=1e-15, floor=1e-300,
                   lhs=sp.exp(-sp.Abs(z)), rhs=sigmoid_slope),
        Inequality(name="narrow-layer-saves-parameters",
                   statement="(nk + km)/(nm) < 1 when k < nm/(n + m): a narrow linear middle layer holds fewer "
                             "weights than the collapsed layer (004:211)",
                   symbolic=narrow_obligation, sample=sample_narrow, strict=True, rtol=0.0, floor=1.0,
                   lhs=sp.S.One, rhs=k * (n + m) / (n * m)),
    ]))
