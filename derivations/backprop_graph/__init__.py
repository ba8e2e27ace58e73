"""Back-propagation on a computational graph: the grad table, ∂a/∂W, and what it costs (004:280–444).

Number the nodes u₁ … u_N of a graph in an order where every node comes after its parents
(inputs first, the output u_N last). The grad table (004:286; GBC Alg. 6.2) starts at
grad[u_N] = 1 and, going down, sums over the children: grad[u_j] = Σ_{i: j ∈ Pa(i)} grad[u_i]
∂u_i/∂u_j. That is the chain rule: grad[u_j] = ∂u_N/∂u_j. Each edge is used once, one product per
edge, and a graph of n nodes has at most n(n − 1)/2 edges (each pair once, forward), so the work
is O(n²) in the worst case (004:443–444). For one affine layer a = Wx + b, ∂a/∂W is a 3-D tensor:
its i-th slice ∂aᵢ/∂W holds xᵀ in row i and zeros elsewhere (004:386–390).
"""
import numpy as np
import sympy as sp

from regverify.claims import Derivation, Evidence, Gradient, Identity, NumericVerdict, Source
from regverify.numerics.gradcheck import numeric_jacobian
from regverify.prover import Obligation
from regverify.registry import register

M004 = "004_b86d6fd376fce36f.txt"


def grad_table(parents: dict, local, output: int, one=1):
    """GBC Alg. 6.2, for numbers or SymPy alike: ``parents[i]`` the parents of node i (nodes in
    an order where parents come first), ``local(i, j)`` = ∂u_i/∂u_j along the edge j → i.
    Returns grad[u_j] = ∂u_output/∂u_j for every j, and the number of edge products it took."""
    grad, products = {output: one}, 0
    for j in range(output - 1, -1, -1):
        total = 0 * one
        for i in range(j + 1, output + 1):
            if j in parents[i]:
                total = total + grad[i] * local(i, j)
                products += 1
        grad[j] = total
    return grad, products


# --- the nodes: u_i = a_i u_p u_q + b_i sin u_p + c_i exp u_q (one parent: p = q) -----------------
def node_value(op, values, np_=np):
    a, b, c, p, q = op
    return a * values[p] * values[q] + b * np_.sin(values[p]) + c * np_.exp(values[q])


def node_slopes(op, values, np_=np):
    """∂u_i/∂u_p and ∂u_i/∂u_q of one node (summed where p = q)."""
    a, b, c, p, q = op
    slopes = {p: a * values[q] + b * np_.cos(values[p])}
    slopes[q] = slopes.get(q, 0) + a * values[p] + c * np_.exp(values[q])
    return slopes


def forward(graph, inputs, np_=np):
    values = dict(enumerate(inputs))
    for i, op in sorted(graph["ops"].items()):
        values[i] = node_value(op, values, np_)
    return values


def back_propagated(graph, inputs, np_=np):
    """The grad table on the graph at the inputs, the local slopes read off each node."""
    values = forward(graph, inputs, np_)
    slopes = {i: node_slopes(op, values, np_) for i, op in graph["ops"].items()}
    parents = {i: () for i in range(graph["inputs"])} | {i: tuple(slopes[i]) for i in slopes}
    return grad_table(parents, lambda i, j: slopes[i][j], max(parents))


def random_graph(rng, trial):
    """A graph of 2–4 inputs and 4–12 operation nodes, each with one or two earlier parents."""
    inputs, size = int(rng.integers(2, 5)), int(rng.integers(4, 13))
    ops = {}
    for i in range(inputs, inputs + size):
        p, q = (int(v) for v in rng.integers(0, i, 2))
        ops[i] = (*rng.normal(0, 0.5, 3), p, q)
    return {"graph": {"inputs": inputs, "ops": ops}, "x": rng.normal(0, 1, inputs)}


def table_at_inputs(p):
    grad, _ = back_propagated(p["graph"], p["x"])
    return np.array([grad[j] for j in range(p["graph"]["inputs"])])


def complex_step_gradient(p):           # the output's gradient by the complex step, independently
    graph = p["graph"]
    return numeric_jacobian(lambda x: forward(graph, x)[max(graph["ops"])], p["x"], "complex-step")


def grad_table_obligation() -> Obligation:
    """The grad table against SymPy's derivative of the composed output, on a graph with a
    diamond and a skip edge (u₂ = f(u₀, u₁), u₃ = f(u₀, u₂), u₄ = f(u₂, u₃)), coefficients symbolic."""
    x = sp.symbols("x0 x1", real=True)
    a, b, c = (sp.symbols(f"{s}2:5", real=True) for s in "abc")
    graph = {"inputs": 2, "ops": {2: (a[0], b[0], c[0], 0, 1), 3: (a[1], b[1], c[1], 0, 2),
                                  4: (a[2], b[2], c[2], 2, 3)}}
    grad, _ = back_propagated(graph, x, sp)
    output = forward(graph, x, sp)[4]
    return Obligation(zero=[grad[k] - sp.diff(output, x[k]) for k in range(2)], derived_by="differentiation",
                      steps=("grad[u₄] = 1; grad[u₃] = ∂u₄/∂u₃; grad[u₂] = grad[u₄]∂u₄/∂u₂ + grad[u₃]∂u₃/∂u₂",
                             "grad[x_k] sums grad[child]·∂child/∂x_k over the children of x_k",
                             "which is SymPy's chain rule on the composed u₄(x₀, x₁)"))


# --- ∂a/∂W of one layer a = Wx + b: slice i is e_i xᵀ ------------------------------------------
m_, n_ = sp.symbols("m n", integer=True, positive=True)
W, X, B, E = (sp.MatrixSymbol("W", m_, n_), sp.MatrixSymbol("x", n_, 1), sp.MatrixSymbol("b", m_, 1),
              sp.MatrixSymbol("e_i", m_, 1))


def sample_layer(rng, trial):
    m, n = (int(v) for v in rng.integers(1, 6, 2))
    i = int(rng.integers(0, m))
    return {"W": rng.normal(size=(m, n)), "x": rng.normal(size=n), "b": rng.normal(size=m),
            "i": i, "e_i": np.eye(m)[i]}


# --- the edge count ----------------------------------------------------------------------------
nodes, k_ = sp.symbols("N k", integer=True, positive=True)


def complete_graph_products(p):
    """The grad table's edge products on the DAG where every node feeds every later one (the most
    edges an ordered graph of N nodes can have: each pair once, forward)."""
    n = p["N"]
    parents = {i: tuple(range(i)) for i in range(n)}
    _, products = grad_table(parents, lambda i, j: 1.0, n - 1)
    return products


def count_complete_graphs(seed, quick) -> Evidence:
    """The products the grad table does on complete DAGs of 2 … 60 nodes against N(N − 1)/2, and
    on random graphs exactly one per edge ("scales linearly with the number of edges", 004:295),
    never more than N(N − 1)/2."""
    rng = np.random.default_rng(seed)
    sizes = range(2, 30 if quick else 61)
    counted = [complete_graph_products({"N": n}) for n in sizes]
    random_counts = []
    for trial in range(20):
        p = random_graph(rng, trial)
        _, products = back_propagated(p["graph"], p["x"])
        edges = sum(len({op[3], op[4]}) for op in p["graph"]["ops"].values())    # distinct parents
        random_counts.append((len(p["graph"]["ops"]) + p["graph"]["inputs"], products, edges))
    one_per_edge = all(products == edges for _, products, edges in random_counts)
    ok = (all(c == n * (n - 1) // 2 for n, c in zip(sizes, counted)) and one_per_edge
          and all(products <= n * (n - 1) // 2 for n, products, _ in random_counts))
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, {
        "complete_graphs": f"N = {sizes.start} … {sizes.stop - 1}", "products_at_largest": counted[-1],
        "random_graphs": len(random_counts), "random_one_product_per_edge": one_per_edge,
        "random_within_bound": ok})


DERIVATION = register(Derivation(
    id="backprop-graph",
    title="Back-propagation on a computational graph: the grad table, ∂a/∂W, and O(n²) edges",
    sources=[Source(M004, "004:280–290 the grad table; 004:380–390 ∂a/∂W; 004:440–444 its cost")],
    conventions="nodes are numbered so that parents come first, the output last; a = Wx + b with W m×n; "
                "the slice index i counts from 0 in the sample, from 1 on the slide.",
    assumptions=["every node's operation is differentiable at the point"],
    symbols={"W": "matrix(m,n)", "x": "vector(n)", "b": "vector(m)", "e_i": "vector(m)", "N": "integer"},
    claims=[
        Identity(name="grad-table",
                 statement="grad[u_N] = 1, grad[u_j] = Σ over children i of grad[u_i] ∂u_i/∂u_j gives ∂u_N/∂u_j (004:286)",
                 symbolic=grad_table_obligation, sample=random_graph, trials=8,
                 lhs=table_at_inputs, rhs=complex_step_gradient, rtol=1e-12),
        Gradient(name="weight-jacobian-slice",
                 statement="a = Wx + b: ∂aᵢ/∂W, slice i of the tensor ∂a/∂W, is xᵀ in row i and 0 elsewhere (004:386, 390)",
                 form=E * X.T,
                 symbolic=lambda claim: Obligation.gradient(sp.Trace(E.T * (W * X + B)), W, claim.form,
                                                            steps=("aᵢ = e_iᵀ(Wx + b) = tr(e_iᵀWx) + bᵢ",
                                                                   "∂ tr(e_iᵀWx)/∂W = e_i xᵀ: row i is xᵀ")),
                 sample=sample_layer, wrt="W", objective=lambda p: (p["W"] @ p["x"] + p["b"])[p["i"]]),
        Identity(name="worst-case-edges",
                 statement="the grad table does one product per edge (004:295), on a DAG of N nodes at most N(N − 1)/2: O(N²) (004:443–444)",
                 symbolic=lambda claim: Obligation.identity(sp.Sum(k_ - 1, (k_, 1, nodes)), claim.rhs,
                                                            steps=("node k can have the k − 1 nodes before it as parents",
                                                                   "Σ_{k=1}^{N} (k − 1) = N(N − 1)/2")),
                 sample=lambda rng, trial: {"N": int(rng.integers(2, 40))},
                 lhs=complete_graph_products, rhs=nodes * (nodes - 1) / 2, bind={"N": nodes},
                 training=count_complete_graphs),
    ]))
