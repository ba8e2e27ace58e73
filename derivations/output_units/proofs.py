"""SymPy side of the output units: the symbols (the logit z, the K×1 softmax inputs and counts, the
Gaussian outputs and observations), the stated forms the claims use (σ, ζ, the Bernoulli model, the NLL,
softmax(z), the MLE ȳ) and the obligation builders that derive each claim from its definition, for
every K, d and t (the log-sum-exp bounds, the Gaussian NLL and its minimizer, the frequency fit, the
softmax Jacobian)."""
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from regverify.prover import ENTRY_COLUMN, ENTRY_ROW, Obligation


# --- symbols ------------------------------------------------------------------------------
z, c, m, mu = sp.symbols("z c m mu", real=True)
s = sp.Symbol("s", positive=True)
i, j, K = sp.symbols("i j K", integer=True, positive=True)
Z = sp.IndexedBase("z", real=True)
V = sp.IndexedBase("v", nonnegative=True)       # zⱼ = m − log(1 + vⱼ): every zⱼ ≤ m


def sig(t):
    return 1 / (1 + sp.exp(-t))


def zeta(t):
    return sp.log(1 + sp.exp(t))


def bernoulli(y):                        # the model's P(y) for y ∈ {0, 1}
    return sp.exp(y * z) / (1 + sp.exp(z))


def nll(y):                              # the claimed −log P(y) = ζ((1 − 2y)z), written once
    return zeta((1 - 2 * y) * z)


def cases(f):                            # a statement about y ∈ {0, 1}, proved case by case
    return sp.Matrix([f(0), f(1)])


y_label = sp.Symbol("y", real=True)      # a label, in a form: each case substitutes 0 and 1


def label_cases(form, labels=(0, 1)):
    return sp.Matrix([form.xreplace({y_label: label}) for label in labels])


def merged(obligations, **details):
    """One obligation from the same derivation at several sizes or cases."""
    first = obligations[0]
    return Obligation(zero=[r for o in obligations for r in o.zero],
                      positive=[p for o in obligations for p in o.positive],
                      built_at=tuple(m for o in obligations for m in o.built_at),
                      sources=tuple(m for o in obligations for m in o.sources),
                      derived_by=first.derived_by, establishes=first.establishes, **details)


def normal_density(v, mean):             # N(v; mean, 1)
    return sp.exp(-(v - mean) ** 2 / 2) / sp.sqrt(2 * sp.pi)


d, T = sp.symbols("d t", integer=True, positive=True)      # d outputs; t observations
l = sp.Symbol("l", integer=True, nonnegative=True)         # their index, 0 … d − 1 (0 … t − 1)
Y, F, Y_OBSERVED = sp.MatrixSymbol("y", d, 1), sp.MatrixSymbol("f", d, 1), sp.MatrixSymbol("y", T, 1)
MEAN = sp.OneMatrix(1, T) * Y_OBSERVED / T                 # ȳ, the MLE


def gaussian_nll(form):                  # −log N(y; f, I), N(y; f, I) = Πⱼ N(yⱼ; fⱼ, 1), every d
    density = sp.Product(normal_density(Y[l, 0], F[l, 0]), (l, 0, d - 1))
    log_density = sp.expand_log(sp.log(density), force=True).expand().doit()   # Σⱼ log N(yⱼ; fⱼ, 1)
    return Obligation.identity(-log_density, sp.expand_log(form, force=True),
                               steps=("log Πⱼ N(yⱼ; fⱼ, 1) = Σⱼ [−(yⱼ − fⱼ)²/2 − ½ log 2π]",
                                      "Σⱼ ½ log 2π = (d/2) log 2π, for every d"))


def mean_log_likelihood(sign, candidate, minimum=False, **details):
    """sign·(1/t) Σᵢ log N(yᵢ; μ, 1), the NLL (−1) or 004:100 (+1), for every t: stationary at the
    candidate, and J''(μ) > 0 there (a minimum)."""
    logs = sp.expand_log(sp.log(normal_density(Y_OBSERVED[l, 0], mu)), force=True)
    j_mu = (sign * sp.Sum(logs, (l, 0, T - 1)) / T).expand().doit()
    mean = candidate[0, 0]
    value = sp.Sum((Y_OBSERVED[l, 0] - mean) ** 2, (l, 0, T - 1)) / (2 * T) + sp.log(2 * sp.pi) / 2
    value = sp.expand_log(value, force=True).expand().doit() if minimum else None
    return Obligation.stationary(j_mu, mu, mean, strict_minimum=True, value=value, **details)


# --- softmax over K classes, every K: z, n (counts) K×1; proofs in their entries z[r], n[r] ------
r = sp.Symbol("r", integer=True, nonnegative=True)
ZV, NV = sp.MatrixSymbol("z", K, 1), sp.MatrixSymbol("n", K, 1)
NI, UI = sp.IndexedBase("n", positive=True), sp.IndexedBase("u", real=True)
SOFT = ZV.applyfunc(sp.exp) / sp.Sum(sp.exp(ZV[r, 0]), (r, 0, K - 1))     # softmax(z), K×1
LOSS = -sp.log(SOFT[0, 0])                                                  # −log softmax(z)_y, y = class 0


def mse(y):                              # ½(σ(z) − y)², the squared error of a sigmoid output
    return (sig(z) - y) ** 2 / 2


def lse_bounds(which, bound):
    """Σⱼ e^{zⱼ} against e^bound for every K, the maximum w.l.o.g. z₁ = m and zⱼ = m − log(1 + vⱼ),
    vⱼ ≥ 0. Lower: e^{z₁} taken out of the sum as Σⱼ [j = 1] e^{zⱼ} leaves positive terms. Upper:
    e^bound shared out as Σⱼ e^bound/K, each share ≥ e^{zⱼ}. The slack tends to 0 where the sampler
    puts its extreme cases (the other vⱼ → ∞ for the lower bound, every vⱼ → 0 for the upper):
    neither bound can be improved."""
    lower = which == "lower"
    if lower:
        summand = sp.exp(Z[j]) - sp.Piecewise((1, sp.Eq(j, 1)), (0, True)) * sp.exp(bound.subs(m, Z[j]))
    else:
        summand = sp.expand(sp.exp(bound)) / K - sp.exp(Z[j])
    summand = sp.factor(sp.together(sp.piecewise_fold(summand.xreplace({Z[j]: m - sp.log(1 + V[j])}))))
    other = sp.Dummy("t", integer=True, nonnegative=True)       # j = other + 2 runs over 2 … K
    slack = summand.subs(j, 1).xreplace({V[1]: 0}) + sp.Sum(
        summand.subs(j, other + 2).xreplace({V[other + 2]: s}), (other, 0, K - 2)).doit()
    return Obligation(nonnegative=[sp.Sum(summand, (j, 1, K))], zero=[sp.limit(slack, s, sp.oo if lower else 0)],
                      derived_by="limit", parametrisation="max z₁ = m, zⱼ = m − log(1 + vⱼ), vⱼ ≥ 0",
                      steps=("Σⱼ e^{zⱼ} − e^{z₁} = Σ_{j≠1} e^{zⱼ} ≥ 0" if lower else
                             "K e^m − Σⱼ e^{zⱼ} = Σⱼ e^m vⱼ/(1 + vⱼ) ≥ 0", "log is increasing",
                             "equality as every other zⱼ → −∞" if lower else "equality when all zⱼ tie"))



def entries(expr):
    """A form in the entries of the K×1 z, n as the indexed z[r] (real), n[r] (positive); a generic
    entry p lies in 0 … K − 1 (the in-range branch of a Piecewise, a δ without its range)."""
    expr = expr.replace(lambda e: isinstance(e, MatrixElement) and e.parent in (ZV, NV),
                        lambda e: {ZV: Z, NV: NI}[e.parent][e.i])
    expr = expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])
    return expr.replace(lambda e: isinstance(e, sp.KroneckerDelta), lambda e: sp.KroneckerDelta(*e.args[:2]))


def split(expr):
    """Each Σ split into one Σ per term of its expanded summand, the factors free of its index out
    and the index named r (a rewriting: no Σ is left inside another)."""
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    expr = expr.func(*[split(a) for a in expr.args])
    if not isinstance(expr, sp.Sum):
        return expr
    (var, low, high), = expr.limits
    parts = [(sp.Mul(*[f for f in sp.Mul.make_args(t) if f.has(var)]), t) for t in sp.Add.make_args(sp.expand(expr.function))]
    return sp.Add(*[t / inside * sp.Sum(inside.xreplace({var: r}), (r, low, high)) for inside, t in parts])


def frequency_minimum(candidate):
    """F(z) = −Σ_l n_l log softmax(z)_l, every K: ∂F/∂z_p derived at a generic p vanishes at the
    candidate, softmax there is n/N, and d²/dt² F(z + tu) at every z is the stated N Σ s_l(u_l − ū)² ≥ 0."""
    t, p = sp.Symbol("t", real=True), ENTRY_ROW
    f = sp.expand_log(-sp.Sum(NI[l] * sp.log(entries(SOFT[l, 0])), (l, 0, K - 1)), force=True)

    def at(expr, to=lambda e: entries(candidate[e.indices[0], 0])):
        return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == Z, to)

    s_, total = lambda i: sp.exp(Z[i]) / sp.Sum(sp.exp(Z[r]), (r, 0, K - 1)), sp.Sum(NI[r], (r, 0, K - 1))
    quadratic = total * sp.Sum(s_(l) * (UI[l] - sp.Sum(s_(r) * UI[r], (r, 0, K - 1))) ** 2, (l, 0, K - 1))
    second = sp.diff(at(f, lambda e: e + t * UI[e.indices[0]]), t, 2).subs(t, 0).doit()
    return Obligation(zero=[at(split(entries(sp.diff(f, Z[p]).doit()))), split(second) - split(quadratic),
                            split(at(s_(p)) - NI[p] / total)], nonnegative=[quadratic], sources=(candidate,),
                      derived_by="differentiation", establishes="minimum", parametrisation="generic entry p",
                      steps=("∂F/∂z_p = N e^{z_p}/Σ e^{z_r} − n_p = 0 at z = log n", "softmax(log n)_p = n_p/N",
                             "uᵀ∇²F u = N Σ s_l(u_l − ū)² ≥ 0: F convex, the minimum global; 0 only for u ∝ 1"))


def costs_something(loss, bound):        # e^{loss} − e^{bound} > 0: e^{loss} = Σ_r e^{z_r − z₀}, its r = 0 term 1
    grown = entries(sp.exp(loss)).replace(lambda e: isinstance(e, sp.Sum),
                                          lambda e: e.function.subs(r, 0) + sp.Sum(e.function, (r, 1, K - 1)))
    return Obligation(positive=[sp.expand(grown - sp.exp(bound))], assume_positive=(sp.Sum(sp.exp(Z[r]), (r, 1, K - 1)),),
                      assumptions_used=("K ≥ 2: Σ_{r≥1} e^{z_r} > 0",), sources=(loss, bound),
                      steps=("e^{−log softmax(z)₀} = Σ_r e^{z_r}/e^{z₀} = 1 + Σ_{r≥1} e^{z_r − z₀} > 1",))


def softmax_jacobian(jacobian):          # ∂s_p/∂z_q derived at a generic entry (p, q), every K
    p, q = ENTRY_ROW, ENTRY_COLUMN
    return Obligation(zero=[entries(sp.diff(entries(SOFT[p, 0]), Z[q]).doit()) - entries(jacobian[p, q])],
                      derived_by="differentiation", sources=(jacobian,), steps=("∂s_p/∂z_q = δ_pq s_p − s_p s_q",))
