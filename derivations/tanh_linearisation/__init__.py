"""A tanh network is nearly linear for small activations, with a cubic error (004:207).

004:207: ŷ = wᵀ tanh(Uᵀ tanh(Vᵀx)) ≈ wᵀUᵀVᵀx "when activations are small". tanh is odd with
tanh u = u − u³/3 + O(u⁵), so there is no quadratic term: with a = Vᵀx,

    ŷ − wᵀUᵀVᵀx = −⅓ wᵀ[Uᵀa³ + (Uᵀa)³] + O(‖x‖⁵)     (cubes entrywise),

an error O(‖x‖³), i.e. relative error O(‖x‖²). The sigmoid is not close to the identity near 0
(σ(u) ≈ ½ + u/4), so the same linearisation of a sigmoid network is wrong at any size.
"""
import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.claims import Approximation, Derivation, Expect, Source
from regverify.sums import evaluated, sums_merged
from regverify.prover import Obligation
from regverify.registry import register

M004 = "004_b86d6fd376fce36f.txt"
t = sp.Symbol("t", real=True)

# --- the stated forms, every n, k₁, k₂; cubes entrywise -----------------------------------------
n, k1, k2 = sp.symbols("n k_1 k_2", integer=True, positive=True)
X, V = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("V", n, k1)
U, W = sp.MatrixSymbol("U", k1, k2), sp.MatrixSymbol("w", k2, 1)
A = V.T * X
LINEAR = W.T * U.T * V.T * X
CUBIC_TERM = -W.T * (U.T * sp.HadamardPower(A, 3) + sp.HadamardPower(U.T * A, 3)) / 3


def taylor(claim):
    """SymPy differentiates ŷ(tx) = Σₗ wₗ tanh(Σⱼ Uⱼₗ tanh(t Σᵢ Vᵢⱼxᵢ)) at t = 0, every n, k₁, k₂:
    orders 1, 2 and 3 against the linearisation, 0 and the stated cubic term."""
    y_hat = (W.T * ElementwiseApplyFunction(sp.tanh, U.T * ElementwiseApplyFunction(sp.tanh, V.T * X * t)))[0, 0]
    derivatives = [sp.diff(y_hat, t)]
    while len(derivatives) < 3:
        derivatives.append(sp.diff(derivatives[-1], t))
    order = [evaluated(d.subs(t, 0)) / sp.factorial(k) for k, d in enumerate(derivatives, 1)]
    return Obligation(zero=[sums_merged(order[0] - LINEAR[0, 0]), sums_merged(order[1]),
                            sums_merged(order[2] - claim.rhs[0, 0])],
                      steps=("ŷ(tx) is odd in t: no t² term", "d/dt ŷ(tx) at 0 = wᵀUᵀVᵀx",
                             "(1/3!) d³/dt³ ŷ(tx) at 0 = −⅓wᵀ[Uᵀa³ + (Uᵀa)³], for every n, k₁, k₂"))


# --- numeric twins: the networks in NumPy ---------------------------------------------------
def network(p, f=np.tanh):
    return p["w"] @ f(p["U"].T @ f(p["V"].T @ p["x"]))


def linear(p):
    return p["w"] @ p["U"].T @ p["V"].T @ p["x"]


def cubic_size(p):
    """The size of the cubic term's parts, which can cancel in their sum."""
    a = p["V"].T @ p["x"]
    return np.abs(p["w"]) @ (np.abs(p["U"].T) @ np.abs(a) ** 3 + np.abs(p["U"].T @ a) ** 3) / 3


def activation_size(p):
    return float(np.max(np.abs(p["V"].T @ p["x"])))


def sampler(low, high):
    def draw(rng, trial):
        n, k1, k2 = (int(rng.integers(2, 6)) for _ in range(3))
        p = {"x": rng.normal(size=n), "V": rng.normal(size=(n, k1)), "U": rng.normal(size=(k1, k2)),
             "w": rng.normal(size=k2)}
        p["x"] *= rng.uniform(low, high) / activation_size(p)   # the first layer's largest activation
        return p
    return draw


REGIME = "largest first-layer activation max|Vᵀx|"
DERIVATION = register(Derivation(
    id="tanh-linearisation",
    title="A tanh network linearised for small activations: the error is cubic",
    sources=[Source(M004, "004:205–207, tanh close to the identity near zero")],
    conventions="V is n×k₁, U is k₁×k₂, w has k₂ entries (004:207's transposes); cubes entrywise.",
    assumptions=["weights of order 1", "activations small: max|Vᵀx| ≤ 3·10⁻³"],
    symbols={"x": "vector(n)", "V": "matrix(n,k1)", "U": "matrix(k1,k2)", "w": "vector(k2)"},
    claims=[
        Approximation(
            name="cubic-error",
            statement="wᵀtanh(Uᵀtanh(Vᵀx)) − wᵀUᵀVᵀx = −⅓wᵀ[Uᵀa³ + (Uᵀa)³] + O(‖x‖⁵), a = Vᵀx: "
                      "the linearisation of 004:207 errs by O(‖x‖³)",
            symbolic=taylor,
            sample=sampler(1e-4, 3e-3), outside_sample=sampler(0.3, 2.0),
            lhs=lambda p: network(p) - linear(p), rhs=CUBIC_TERM, scale=cubic_size,
            regime=activation_size, regime_text=REGIME, inside=3e-3, rtol=1e-3),
        Approximation(
            name="sigmoid-linearisation",
            statement="wᵀσ(Uᵀσ(Vᵀx)) ≈ wᵀUᵀVᵀx for small activations",
            expect=Expect.PITFALL, corrected_by="cubic-error",
            origin="004:207's tanh approximation carried over to σ, which is ½ + u/4 + O(u³) near 0",
            sample=sampler(1e-4, 3e-3), outside_sample=sampler(0.3, 2.0),
            lhs=lambda p: network(p, lambda u: 1 / (1 + np.exp(-u))), rhs=LINEAR,
            regime=activation_size, regime_text=REGIME, inside=3e-3, rtol=1e-3),
    ]))
