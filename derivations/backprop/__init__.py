"""Backpropagation: chain rules, per-layer and batched gradients, and why it is cheap (004; GBC 6.5).

The chain rule ∇ₓz = (∂y/∂x)ᵀ∇_y z, applied layer by layer from the loss down (a = b + Wh,
h = f(a)): g ← g ⊙ f'(a); ∇_W J = g hᵀ + 2λW for Ω = ‖W‖²; g ← Wᵀg. With the examples as rows
(A₁ = XW₁, H = ReLU(A₁), A₂ = HW₂, G = ∂J/∂A₂): ∇_{W₂}J = HᵀG and ∇_{W₁}J = Xᵀ[(GW₂ᵀ) ⊙ 1[A₁>0]].
Summing products over every path gives the same derivative, but a layered graph of width w
and depth d has w^d paths and only about d·w² edges: backprop visits each edge once.
"""
import itertools

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from regverify.claims import Derivation, Expect, Gradient, Identity, Premise, Printed, Source
from regverify.numerics.gradcheck import numeric_jacobian
from regverify.prover import Obligation, g, g_prime
from regverify.registry import register
from regverify.symbolic import at_explicit, symbol_matrix, symbol_vector

from .twins import (RELU, RELU_SQUARE, RELU_STEP, SIGMOID_SLOPE, TWO_LAYER, affine_sample, batch_objective,
                    chain_claimed, chain_sample, chain_y, count_paths_and_edges, forward_layers, layered_graph,
                    measured_da_dh, measured_grad_h, mlp_backprop, mlp_loss, mlp_sample, output_loss, output_sample,
                    path_sum, sizes, softmax_sample, tensor_claimed, train_digits)

M004 = "004_b86d6fd376fce36f.txt"
SIZES = ((2, 3), (3, 2))
LAM, W_SCALAR = sp.Symbol("lambda", positive=True), sp.Symbol("w", real=True)
# h = ReLU(Wx + b), W out×in; R(a) = diag(1[a > 0]) as Heaviside(a) over W's columns; ∇ₓ(uᵀh) = (∂h/∂x)ᵀu
p_, r_ = sp.symbols("p r", integer=True, positive=True)
W_R, X_R, B_R, U_R = sp.MatrixSymbol("W", p_, r_), sp.MatrixSymbol("x", r_, 1), sp.MatrixSymbol("b", p_, 1), sp.MatrixSymbol("u", p_, 1)
STEP_R = ElementwiseApplyFunction(sp.Heaviside, B_R + W_R * X_R)
RELU_R = ElementwiseApplyFunction(sp.Lambda(V_R := sp.Symbol("v", real=True), sp.Max(0, V_R)), B_R + W_R * X_R)
RELU_STEPS = ("hⱼ = max(0, aⱼ), a = b + Wx; for any u, ∂(uᵀh)/∂x_p = Σⱼ uⱼ 1[aⱼ > 0] Wⱼₚ, for every size",)
W_SQ, X_SQ, B_SQ = sp.MatrixSymbol("W", p_, p_), sp.MatrixSymbol("x", p_, 1), sp.MatrixSymbol("b", p_, 1)
# batched, rows are examples: A₁ = XW₁, A₂ = HW₂, G = ∂J/∂A₂ (t×K)
t_, n_in, n_, K_ = sp.symbols("t m n K", integer=True, positive=True)
X_B, W1_B, W2_B = sp.MatrixSymbol("X", t_, n_in), sp.MatrixSymbol("W1", n_in, n_), sp.MatrixSymbol("W2", n_, K_)
H_B, G_B = sp.MatrixSymbol("H", t_, n_), sp.MatrixSymbol("G", t_, K_)
BATCH = {"lam": LAM}
# one affine layer a = b + Wh (W out×in), g = ∇_a J measured at the point
o_, i_ = sp.symbols("n_out n_in", integer=True, positive=True)
W_A, H_A, G_A = sp.MatrixSymbol("W", o_, i_), sp.MatrixSymbol("h", i_, 1), sp.MatrixSymbol("g", o_, 1)
A_A = sp.MatrixSymbol("b", o_, 1) + W_A * H_A
# one output unit ŷ = f(a), a = wᵀh; L' at the prediction (004:366) or at the target (004:370)
W_O, H_O = sp.MatrixSymbol("w", i_, 1), sp.MatrixSymbol("h", i_, 1)
A_O, DL_AT_PREDICTION, DL_AT_TARGET = sp.Trace(W_O.T * H_O), sp.Symbol("dL_at_prediction"), sp.Symbol("dL_at_target")
# softmax output ŷ = e^a/Σe^a, J = −yᵀ log ŷ (NLL), y one-hot; the elementwise g of 004:403 with f' = ŷ(1 − ŷ), L' = −y/ŷ
K_S = sp.Symbol("K", integer=True, positive=True)
A_S, Y_S = sp.MatrixSymbol("a", K_S, 1), sp.MatrixSymbol("y", K_S, 1)
Y_HAT = ElementwiseApplyFunction(sp.exp, A_S) / (sp.OneMatrix(1, K_S) * ElementwiseApplyFunction(sp.exp, A_S))[0, 0]
ELEMENTWISE_G = sp.hadamard_product(Y_HAT, sp.OneMatrix(K_S, 1) - Y_HAT, -Y_S, ElementwiseApplyFunction(sp.Lambda(V_R, 1 / V_R), Y_HAT))


def merged(obligations, **details):
    return Obligation(zero=[r for o in obligations for r in o.zero], derived_by=obligations[0].derived_by,
                      built_at=tuple(m for o in obligations for m in o.built_at),
                      sources=tuple(m for o in obligations for m in o.sources), **details)


def loss_gradient(loss, args):           # ∇ of an abstract loss L(args), as SymPy writes it
    dummies = sp.symbols(f"q1:{len(args) + 1}", real=True)
    return sp.Matrix([sp.diff(loss(*dummies), d).subs(dict(zip(dummies, args))) for d in dummies])


# --- obligations (abstract f = g with derivative g', abstract loss L) ----------------------
def vector_chain(m, n):
    x = symbol_vector("x", m, real=True)
    y = [sp.Function(f"y{k + 1}")(*x) for k in range(n)]
    jac = sp.Matrix(n, m, lambda k, i: sp.diff(y[k], x[i]))
    return Obligation.gradient(sp.Function("f")(*y), x, jac.T * loss_gradient(sp.Function("f"), y))


def tensor_chain(t, k):                 # Y_j any functions of the matrix X; j runs over index pairs
    x = symbol_matrix("x", t, k, real=True)
    y = [sp.Function(f"Y{a}{b}")(*x) for a in range(k) for b in range(t)]
    return Obligation.gradient(sp.Function("z")(*y), x, sum(
        (x.applyfunc(lambda e: sp.diff(yj, e)) * dz for yj, dz in zip(y, loss_gradient(sp.Function("z"), y))),
        sp.zeros(t, k)))


def at_entry(objective, wrt, claimed, *steps):   # ∂/∂wrt[p, q] for every size
    return Obligation.gradient_at_entry(objective, wrt, claimed, steps=steps)


def entry_sum(l, r):                    # Σ of the entries of l ⊙ r
    return sp.OneMatrix(1, l.shape[0]) * sp.hadamard_product(l, r) * sp.OneMatrix(l.shape[1], 1)


def layer():                            # J's first-order term gᵀf(a) + λ‖W‖², g = ∇J at the layer's output f(a)
    j = G_A.T * ElementwiseApplyFunction(g, A_A) + LAM * entry_sum(W_A, W_A)
    back = sp.hadamard_product(G_A, ElementwiseApplyFunction(g_prime, A_A))
    return merged([at_entry(j, W_A, back * H_A.T + 2 * LAM * W_A), at_entry(j, H_A, W_A.T * back)],
                  assumptions_used=("Ω = ‖W‖², so λ∇_WΩ = 2λW",), steps=("J = J₀ + gᵀ(f(a) − f(a₀)) + λ‖W‖² near the point, g = ∇J at f(a)",
                  "∂J/∂W_pq = g_p f'(a_p) h_q + 2λW_pq and ∂J/∂h_p = Σⱼ gⱼ f'(aⱼ) Wⱼₚ, for every size"))


def output_weight(claim):               # J = L(f(a)), a = wᵀh, any L; L' at the prediction ŷ = f(a)
    a, loss = (W_O.T * H_O)[0, 0], sp.Function("L")
    form = claim.form.replace(lambda e: isinstance(e, sp.Trace), lambda t: t.arg[0, 0])   # tr(wᵀh) as its Σ
    return at_entry(loss(g(a)), W_O, form.xreplace({DL_AT_PREDICTION: loss_gradient(loss, [g(a)])[0]}),
                    "a = Σⱼ wⱼhⱼ, ŷ = f(a), J = L(ŷ)", "∂J/∂w_p = L'(ŷ) f'(a) h_p, for every size")


def printed_output_weight(form, n):     # L = ½(ŷ − y)², L'(y) = 0 (004:370): refuted at explicit n
    w, h, y, q = symbol_vector("w", n, real=True), symbol_vector("h", n, real=True), *sp.symbols("y q", real=True)
    loss = sp.Lambda(q, (q - y) ** 2 / 2)
    return Obligation.gradient(loss(g((w.T * h)[0])), w, at_explicit(form, {W_O: w, H_O: h}).xreplace({DL_AT_TARGET: loss_gradient(loss, [y])[0]}))


def softmax_nll(claim):                 # ∂J/∂a_p for every K, then Σᵢ c yᵢ = c (one-hot y: Σᵢ yᵢ = 1)
    def one_hot(s):
        c = sp.diff(s.function, Y_S[s.variables[0], 0])
        return c if s.variables[0] not in c.free_symbols and sp.expand(s.function - c * Y_S[s.variables[0], 0]) == 0 else s
    o = at_entry(-(Y_S.T * ElementwiseApplyFunction(sp.log, Y_HAT))[0, 0], A_S, claim.form,
                 "J = −Σᵢ yᵢ log ŷᵢ, ŷ = softmax(a): ∂J/∂a_p = ŷ_p Σᵢ yᵢ − y_p, every K", "one-hot y: Σᵢ yᵢ = 1")
    o.zero = [z.replace(lambda s: isinstance(s, sp.Sum) and s.function.has(Y_S), one_hot) for z in o.zero]
    return o


def batched_w2(claim):
    # one Trace: SymPy 1.14 differentiates a sum of Traces to 0
    return Obligation.gradient(sp.Trace(G_B.T * H_B * W2_B + LAM * W2_B.T * W2_B), W2_B, claim.form,
                               steps=("dJ = tr(Gᵀ dA₂) = tr(Gᵀ H dW₂)", "so ∇_{W₂}J = HᵀG"))


def layered(width, depth):              # the output's derivative by the input j: SymPy vs the path sum
    x = symbol_vector("x", width, real=True)
    ws = [symbol_matrix(f"a{k}", width, width, real=True) for k in range(depth)]
    acts, us = [], [x]
    for w in ws:
        acts.append(w * us[-1])
        us.append(acts[-1].applyfunc(g))
    paths = sum(sp.Mul(*[g_prime(acts[k][nodes[k + 1]]) * ws[k][nodes[k + 1], nodes[k]] for k in range(depth)])
                for nodes in ((0,) + rest for rest in itertools.product(range(width), repeat=depth)))
    return Obligation.gradient(sum(us[-1]), x[0], paths)


ALL_PATHS = "the sum enumerates the w^d paths of an explicit layered graph; SymPy has no d-fold product, d symbolic"
ARBITRARY_FUNCTIONS = "y (or Y) and z are arbitrary functions, and SymPy can write such a function only of an explicit list of arguments, not of a vector of symbolic size"
DERIVATION = register(Derivation(
    id="backprop",
    title="Backpropagation: chain rules, layer and batch gradients, paths against edges",
    sources=[Source(M004, "004:257–452, chain rule, back-propagation, its complexity")],
    conventions="W is out×in, a = b + Wh (GBC Alg. 6.4); batched: rows are examples, A₁ = XW₁, A₂ = HW₂; "
                "Ω = Σ‖W‖² so λ∇Ω = 2λW; 004:381 lays out da/dx with rows indexed by x.",
    assumptions=["f differentiable (ReLU: away from a = 0)", "G = ∂J/∂A₂ at the point"],
    symbols={"W": "matrix(out,in)", "h": "vector(in)", "g": "vector(out)", "X": "matrix(t,n_in)",
             "H": "matrix(t,n)", "W2": "matrix(n,K)", "G": "matrix(t,K)", "lambda": "scalar > 0"},
    claims=[
        Gradient(name="vector-chain-rule", statement="∇ₓz = (∂y/∂x)ᵀ∇_y z (004:271)",
                 symbolic=lambda: merged([vector_chain(*s) for s in SIZES], sized_because=ARBITRARY_FUNCTIONS),
                 sample=chain_sample, wrt="x", claimed=chain_claimed,
                 objective=lambda p: np.log(np.sum(np.exp(chain_y(p, p["x"]))))),
        Gradient(name="tensor-chain-rule", statement="∇_X z = Σⱼ (∇_X Yⱼ) ∂z/∂Yⱼ, j a tuple of indices (004:279)",
                 symbolic=lambda: merged([tensor_chain(*s) for s in SIZES], sized_because=ARBITRARY_FUNCTIONS),
                 sample=lambda rng, t: (lambda t_, k, K: {"X": rng.normal(size=(t_, k)), "W": rng.normal(size=(k, K)),
                                                          "C": rng.normal(size=(t_, K))})(*sizes(rng)),
                 wrt="X", claimed=tensor_claimed, objective=lambda p: np.sum(p["C"] * np.tanh(p["X"] @ p["W"]))),
        Gradient(name="repeated-chain", statement="d/dw f(f(f(w))) = f'(y) f'(x) f'(w), x = f(w), y = f(x) (004:305)",
                 form=g_prime(g(g(W_SCALAR))) * g_prime(g(W_SCALAR)) * g_prime(W_SCALAR),
                 symbolic=lambda claim: Obligation.gradient(g(g(g(W_SCALAR))), W_SCALAR, claim.form),
                 functions={"g": np.tanh, "g_prime": lambda v: 1 - np.tanh(v) ** 2},
                 sample=lambda rng, t: {"w": np.array(rng.normal(0, 1.5))}, wrt="w",
                 objective=lambda p: np.tanh(np.tanh(np.tanh(p["w"])))),
        Gradient(name="layer-gradients",
                 statement="per layer g ← g ⊙ f'(a); ∇_W J = g hᵀ + 2λW (Ω = ‖W‖²); ∇_b J = g; g ← Wᵀg (004:348–358)",
                 symbolic=layer,
                 sample=mlp_sample, wrt="theta", objective=lambda p: mlp_loss(p), claimed=mlp_backprop),
        Gradient(name="output-weight-gradient", statement="dJ/dw⁽²⁾ = h f'(a⁽²⁾) L'(ŷ) (004:366)",
                 form=H_O * g_prime(A_O) * DL_AT_PREDICTION, functions=SIGMOID_SLOPE,
                 symbolic=output_weight,
                 sample=output_sample, wrt="w", objective=output_loss),
        Gradient(name="printed-output-gradient", statement="dJ/dw⁽²⁾ = h f'(a⁽²⁾) L'(y)",
                 expect=Expect.ERRATUM, corrected_by="output-weight-gradient",
                 source=Printed(M004, 370, "= h f'(a^{(2)}) L'(y)$$",
                                reading="L' evaluated at the target y rather than the prediction ŷ (004:366 has L'(ŷ)); "
                                        "for L = ½(ŷ − y)², L'(y) = 0 and the printed gradient vanishes"),
                 premise=Premise("the prediction misses the target: ŷ ≠ y", lambda p: abs(
                     1 / (1 + np.exp(-p["w"] @ p["h"])) - p["y"]) > 1e-3),
                 form=H_O * g_prime(A_O) * DL_AT_TARGET, functions=SIGMOID_SLOPE,
                 symbolic=lambda claim: merged([printed_output_weight(claim.form, n) for n in (2, 3)]),
                 sample=output_sample, wrt="w", objective=output_loss),
        Gradient(name="softmax-nll-g", statement="softmax output, NLL, one-hot y: g = ∇_a J = Jᵀ∇_ŷL = ŷ − y (004:401–405)",
                 form=Y_HAT - Y_S, symbolic=softmax_nll, sample=softmax_sample, wrt="a",
                 objective=lambda p: -p["y"] @ np.log(np.exp(p["a"]) / np.sum(np.exp(p["a"])))),
        Gradient(name="elementwise-g-with-softmax", statement="softmax + NLL: g = f'(a) ⊙ L'(ŷ), f'(aᵢ) = ŷᵢ(1 − ŷᵢ) (004:403)",
                 expect=Expect.PITFALL, corrected_by="softmax-nll-g", form=ELEMENTWISE_G, symbolic=softmax_nll,
                 origin="004:403's g for an elementwise f, kept for softmax, whose ŷᵢ depends on every aⱼ",
                 sample=softmax_sample, wrt="a", objective=lambda p: -p["y"] @ np.log(np.exp(p["a"]) / np.sum(np.exp(p["a"])))),
        Gradient(name="relu-jacobian", statement="h = ReLU(Wx + b): ∂h/∂x = diag(1[a > 0]) W (row j zero when aⱼ ≤ 0)",
                 form=sp.hadamard_product(STEP_R * sp.OneMatrix(1, r_), W_R),
                 symbolic=lambda claim: at_entry(U_R.T * RELU_R, X_R, claim.form.T * U_R, *RELU_STEPS),
                 sample=RELU, wrt="x", method="richardson", objective=lambda p: np.maximum(0, p["W"] @ p["x"] + p["b"])),
        Identity(name="relu-gradient-transposed", statement="∇ₓh = (dh/dx in 004:381's layout) = WᵀR(a), R = diag(1[a > 0]) (004:383)",
                 symbolic=lambda claim: at_entry(U_R.T * RELU_R, X_R, claim.rhs * U_R, *RELU_STEPS),
                 sample=RELU, lhs=measured_grad_h, rhs=sp.hadamard_product(W_R.T, sp.OneMatrix(r_, 1) * STEP_R.T),
                 rtol=1e-8, uses=("relu-jacobian",), method="evaluate both sides (the left by Richardson differences)"),
        Identity(name="printed-column-j", statement="∇ₓh = W⁽¹⁾R(a⁽¹⁾), whose column j is zero when aⱼ ≤ 0",
                 expect=Expect.ERRATUM, corrected_by="relu-gradient-transposed",
                 source=Printed(M004, 385, r"Column j of $\mathbf{W}^{(1)} \mathbf{R}(\mathbf{a}^{(1)})$",
                                reading="the matrix just derived at 004:383, (W⁽¹⁾)ᵀR(a⁽¹⁾), written without its transpose; "
                                        "the product exists only for square W⁽¹⁾"),
                 premise=Premise("W⁽¹⁾ square (the printed product exists)", lambda p: p["W"].shape[0] == p["W"].shape[1]),
                 sample=RELU_SQUARE, lhs=measured_grad_h, rtol=1e-8,
                 rhs=sp.hadamard_product(W_SQ, sp.OneMatrix(p_, 1) * ElementwiseApplyFunction(sp.Heaviside, B_SQ + W_SQ * X_SQ).T)),
        Gradient(name="hidden-gradient", statement="a = b + Wh: da/dh = Wᵀ (004:381's layout), so ∇_h J = Wᵀg, g = ∇_a J (004:415)",
                 form=W_A.T * G_A, symbolic=lambda claim: at_entry(G_A.T * A_A, H_A, claim.form,   # J's first-order term
                     "near the point J = J₀ + gᵀ(a − a₀), g = ∇_a J, a = b + Wh", "∂J/∂h_p = Σⱼ gⱼ Wⱼₚ, for every size"),
                 sample=affine_sample, wrt="h", objective=lambda p: np.sum(p["c"] * np.tanh(p["b"] + p["W"] @ p["h"]))),
        Identity(name="printed-da-dh", statement="the matrix displayed at 004:413, [wᵢⱼ], is da/dh = Wᵀ",
                 expect=Expect.ERRATUM, corrected_by="hidden-gradient",
                 source=Printed(M004, 413, r"w_{n1} & w_{n2} & \dots & w_{nm} \end{bmatrix} = \mathbf{W}^T$$", also=(411,),
                                reading="da/dh in 004:381's layout (rows indexed by h) is Wᵀ, m×n; the displayed [wᵢⱼ] is W, n×m"),
                 sample=affine_sample, lhs=W_A, rhs=measured_da_dh),
        Gradient(name="batched-output-weights", statement="A₂ = HW₂, G = ∂J/∂A₂ (t×K): ∇_{W₂}J = HᵀG (+ 2λW₂), n×K",
                 form=H_B.T * G_B + 2 * LAM * W2_B, bind=BATCH, symbolic=batched_w2,
                 sample=TWO_LAYER, wrt="W2", objective=batch_objective),
        Identity(name="printed-batch-shape", statement="dJ/dW⁽²⁾ = H^T_{n×t} G'_{t×n} is n×n",
                 expect=Expect.ERRATUM, corrected_by="batched-output-weights",
                 source=Printed(M004, 436, r"\mathbf{H}^T_{n \times t} \mathbf{G}'_{t \times n}",
                                reading="G' = ∂J/∂A⁽²⁾ has a row per example and a column per OUTPUT unit (t×K), so the "
                                        "gradient is n×K, the shape of W⁽²⁾; the label t×n makes it n×n"),
                 premise=Premise("K ≠ n outputs", lambda p: p["W2"].shape[1] != p["W2"].shape[0]),
                 sample=TWO_LAYER, rhs=lambda p: np.array([p["W2"].shape[0]] * 2, dtype=float),
                 lhs=lambda p: np.array(numeric_jacobian(lambda v: batch_objective({**p, "W2": v}), p["W2"]).shape, dtype=float)),
        Gradient(name="batched-hidden-weights", statement="∇_{W₁}J = XᵀG' with G' = (GW₂ᵀ) ⊙ 1[A₁ > 0] (+ 2λW₁)",
                 form=X_B.T * sp.hadamard_product(G_B * W2_B.T, ElementwiseApplyFunction(g_prime, X_B * W1_B)) + 2 * LAM * W1_B,
                 bind=BATCH, functions=RELU_STEP,
                 symbolic=lambda claim: at_entry(   # J's first-order term tr(GᵀA₂) + λ‖W₁‖²
                     entry_sum(G_B, ElementwiseApplyFunction(g, X_B * W1_B) * W2_B) + LAM * entry_sum(W1_B, W1_B), W1_B,
                     claim.form, "J = Σᵢₖ Gᵢₖ(A₂)ᵢₖ + λ‖W₁‖², A₂ = f(XW₁)W₂, G = ∂J/∂A₂ at the point",
                     "∂J/∂(W₁)_pq = Σᵢₖ Gᵢₖ(W₂)_qk f'((A₁)ᵢq) Xᵢₚ + 2λ(W₁)_pq, for every size"),
                 sample=TWO_LAYER, wrt="W1", method="richardson", objective=batch_objective,
                 training=train_digits, uses=("batched-output-weights",)),
        Identity(name="path-sum", statement="∂u⁽ⁿ⁾/∂u⁽ʲ⁾ = Σ over paths j → n of Π ∂u⁽πₖ⁾/∂u⁽πₖ₋₁⁾ (004:450): w^d paths, d·w² + w edges",
                 symbolic=lambda: merged([layered(2, d) for d in (2, 3)], sized_because=ALL_PATHS),
                 sample=lambda rng, t: layered_graph(rng, int(rng.integers(2, 4)), int(rng.integers(1, 5))),
                 lhs=lambda p: path_sum(p)[0], rhs=lambda p: numeric_jacobian(
                     lambda v: forward_layers(p, v)[-1].sum(), p["x"], "complex-step")[0], training=count_paths_and_edges),
    ]))
