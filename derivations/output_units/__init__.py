"""Output units and their likelihoods: sigmoid, softplus, tanh, softmax, Gaussian (004; GBC 6.2.2).

A Bernoulli output y ∈ {0, 1} with logit z has P(y) = e^{yz}/(1 + e^z) = σ((2y − 1)z), so its
negative log-likelihood is the softplus ζ((1 − 2y)z), with derivative σ(z) − y: it saturates only
when the answer is already right. Softmax is unchanged by a shift of its inputs, its log is
z − log Σ e^z, and log Σ e^z lies between max z and max z + log K. A Gaussian output turns the
NLL into least squares. The cost is the NEGATIVE log-likelihood: 004:100 drops the minus.
"""
import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from regverify.claims import (Derivation, Expect, Gradient, Identity, Inequality, Limit, Minimizer, Premise,
                              Printed, Source)
from regverify.numerics.gradcheck import numeric_jacobian
from regverify.numerics.evidence import Evidence, NumericVerdict
from regverify.prover import ENTRY_COLUMN, ENTRY_ROW, Obligation
from regverify.registry import register

M004 = "004_b86d6fd376fce36f.txt"

# --- symbols ------------------------------------------------------------------------------
z, c, m, mu = sp.symbols("z c m mu", real=True)
s = sp.Symbol("s", positive=True)
i, j, K = sp.symbols("i j K", integer=True, positive=True)
Z = sp.IndexedBase("z", real=True)
V = sp.IndexedBase("v", nonnegative=True)       # zⱼ = m − log(1 + vⱼ): every zⱼ ≤ m


def logsumexp(z):
    """SciPy's log Σ e^z, an oracle independent of the forms checked here (imported when used:
    scipy is slow to import)."""
    from scipy.special import logsumexp as scipy_logsumexp
    return scipy_logsumexp(z)


def gaussian_log_density(y, mean):
    """log N(y; mean, I) by SciPy, as the independent oracle."""
    from scipy.stats import multivariate_normal
    return multivariate_normal(mean, np.eye(mean.size)).logpdf(y)


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


# --- numeric twins (NumPy/SciPy, from the definitions) ------------------------------------
def sigmoid(t):
    return 1 / (1 + np.exp(-t))


def sample_labels01(rng, trial):
    return {"y": float(trial % 2), "z": rng.uniform(-8, 8, size=6)}


def sample_labels_pm1(rng, trial):
    return {"y": 2.0 * (trial % 2) - 1, "z": rng.uniform(-8, 8, size=6)}


def model_prob(p):                       # P(y) from the Bernoulli model, label y=1 ↔ e^z
    positive = p["y"] > 0
    return np.exp(positive * p["z"]) / (1 + np.exp(p["z"]))


def nll_slope(p, zz):                    # measured d/dz of −log P(y | z), at one z
    return float(numeric_jacobian(lambda v: np.logaddexp(0, (1 - 2 * p["y"]) * v),
                                  np.array(zz), "richardson"))


def sample_logits(rng, trial):           # ties, one dominant entry, and huge magnitudes
    k = int(rng.integers(2, 7))
    zz = rng.normal(0, 3, k) * [1, 1, 1e2, 1e300 ** 0.5][trial % 4]
    if trial % 3 == 1:
        zz[:] = zz[0]                    # all equal: the upper bound is attained
    if trial % 3 == 2:
        zz[0] += 1e3                     # one dominant entry: the lower bound is attained
    return {"z": zz, "c": float(rng.normal(0, 5)), "m": float(np.max(zz)), "K": zz.size}   # m = maxⱼ zⱼ


def sample_gaussian_fit(rng, trial):
    return {"y": rng.normal(rng.normal(0, 3), rng.uniform(0.5, 3), size=int(rng.integers(3, 9)))}


def printed_j(p, w):                     # 004:100 as printed: (1/t) Σ log N(yᵢ; μ, 1)
    return np.mean(-0.5 * (p["y"] - w[0]) ** 2 - 0.5 * np.log(2 * np.pi))


# --- softmax over K classes, every K: z, n (counts) K×1; proofs in their entries z[r], n[r] ------
r = sp.Symbol("r", integer=True, nonnegative=True)
ZV, NV = sp.MatrixSymbol("z", K, 1), sp.MatrixSymbol("n", K, 1)
NI, UI = sp.IndexedBase("n", positive=True), sp.IndexedBase("u", real=True)
SOFT = ZV.applyfunc(sp.exp) / sp.Sum(sp.exp(ZV[r, 0]), (r, 0, K - 1))     # softmax(z), K×1
LOSS = -sp.log(SOFT[0, 0])                                                  # −log softmax(z)_y, y = class 0


def mse(y):                              # ½(σ(z) − y)², the squared error of a sigmoid output
    return (sig(z) - y) ** 2 / 2


def softmax(v):                          # over the last axis
    e = np.exp(v - np.max(np.real(v), axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sample_counts(rng, trial):           # counts nᵢ ≥ 1 of K classes at one input, not all equal
    n = rng.integers(1, 30, int(rng.integers(2, 8))).astype(float)
    n[0] += n[0] == n.max() == n.min()
    return {"n": n}


def sample_correct(rng, trial):          # z_y = z₀ the largest, by a margin of 0 (a tie) to 20
    zz = rng.normal(0, 3, int(rng.integers(2, 7)))
    zz[0] = zz.max() + [0, 0.1, 1, 5, 20][trial % 5]
    return {"z": zz}


BINARY = "y ∈ {0, 1} (both cases), every real z"
DERIVATION = register(Derivation(
    id="output-units",
    title="Output units: sigmoid and softplus, tanh, softmax, log-sum-exp, Gaussian NLL",
    sources=[Source(M004, "output units, 004:95–210 (softplus, softmax, tanh, cost)")],
    conventions="σ(z) = 1/(1+e^{−z}), ζ(t) = log(1+eᵗ); labels y ∈ {0, 1} unless stated; "
                "the cost is the negative log-likelihood.",
    assumptions=["z real", "K ≥ 1 softmax inputs"],
    symbols={"z": "logit (scalar or vector(K))", "y": "label", "c": "scalar shift", "mu": "model mean"},
    claims=[
        Identity(name="bernoulli-sigmoid", statement="P(y) = e^{yz}/(1+e^z) = σ((2y−1)z) for y ∈ {0,1}",
                 symbolic=lambda claim: Obligation.identity(cases(bernoulli), label_cases(claim.rhs)),
                 sample=sample_labels01, lhs=model_prob, rhs=sig((2 * y_label - 1) * z)),
        Identity(name="softplus-nll", statement="−log P(y) = ζ((1 − 2y)z) for y ∈ {0,1}",
                 symbolic=lambda claim: Obligation.identity(cases(lambda y: -sp.log(bernoulli(y))),
                                                            label_cases(claim.rhs)),
                 sample=sample_labels01, lhs=lambda p: -np.log(model_prob(p)), rhs=nll(y_label),
                 uses=("bernoulli-sigmoid",)),
        Gradient(name="nll-derivative", statement="d/dz ζ((1 − 2y)z) = σ(z) − y for y ∈ {0,1}",
                 form=sig(z) - y_label,
                 symbolic=lambda claim: Obligation.gradient(cases(nll), z, label_cases(claim.form)),
                 sample=lambda rng, t: {"y": float(t % 2), "z": np.array(rng.uniform(-8, 8))},
                 objective=lambda p: np.log(1 + np.exp((1 - 2 * p["y"]) * p["z"])),
                 wrt="z", uses=("softplus-nll",)),
        Identity(name="pm-one-labels", statement="for labels y ∈ {−1, +1}, P(y) = σ(yz)",
                 symbolic=lambda claim: Obligation.identity(sp.Matrix([1 / (1 + sp.exp(z)), sp.exp(z) / (1 + sp.exp(z))]),
                                                            label_cases(claim.rhs, labels=(-1, 1))),
                 sample=sample_labels_pm1, lhs=model_prob, rhs=sig(y_label * z)),
        Identity(name="pm-one-with-01-form", statement="for labels y ∈ {−1, +1}, P(y) = σ((2y − 1)z)",
                 expect=Expect.PITFALL, corrected_by="pm-one-labels",
                 origin="the {0, 1} form σ((2y − 1)z) reused with ±1 labels: y = −1 gives σ(−3z)",
                 premise=Premise("labels are ±1", lambda p: abs(p["y"]) == 1),
                 sample=sample_labels_pm1, lhs=model_prob, rhs=sig((2 * y_label - 1) * z)),
        Identity(name="cross-entropy", statement="−[y log ŷ + (1−y) log(1−ŷ)] with ŷ = σ(z) is ζ((1−2y)z) (004:167)",
                 symbolic=lambda claim: Obligation.identity(
                     cases(lambda y: -(y * sp.log(sig(z)) + (1 - y) * sp.log(1 - sig(z)))),
                     label_cases(claim.rhs)),
                 sample=sample_labels01, rhs=nll(y_label),
                 lhs=lambda p: -(p["y"] * np.log(sigmoid(p["z"])) + (1 - p["y"]) * np.log(1 - sigmoid(p["z"])))),
        Limit(name="saturation-wrong-sign",
              statement="z of the wrong sign: (1−2y)z = |z| and |dζ((1−2y)z)/dz| → 1 as |z| → ∞ (004:166)",
              symbolic=lambda claim: merged([Obligation.limit(sp.Abs(sp.diff(nll(y), z)).subs(z, (1 - 2 * y) * s),
                                                              s, sp.oo, claim.value) for y in (0, 1)],
                                            steps=("wrong sign: z = (1 − 2y)s, s = |z| > 0", "|σ(z) − y| = σ(s) → 1")),
              sample=lambda rng, t: {"y": float(t % 2)}, value=sp.Integer(1),
              f=lambda p, t: abs(nll_slope(p, (1 - 2 * p["y"]) / t)), uses=("nll-derivative",)),
        Limit(name="saturation-right-sign",
              statement="z of the right sign: dζ((1−2y)z)/dz → 0 as |z| → ∞ (004:165)",
              symbolic=lambda: merged([Obligation.limit(sp.diff(nll(y), z).subs(z, (2 * y - 1) * s),
                                                        s, sp.oo, 0) for y in (0, 1)]),
              sample=lambda rng, t: {"y": float(t % 2)}, value=lambda p: 0.0,
              f=lambda p, t: nll_slope(p, (2 * p["y"] - 1) / t), uses=("nll-derivative",)),
        Identity(name="tanh-sigmoid", statement="tanh z = 2σ(2z) − 1 (004:200)",
                 symbolic=lambda claim: Obligation.identity(sp.tanh(z).rewrite(sp.exp), claim.rhs),
                 sample=lambda rng, t: {"z": rng.uniform(-10, 10, 8)},
                 lhs=lambda p: np.tanh(p["z"]), rhs=2 * sig(2 * z) - 1, rtol=1e-12),
        Identity(name="tanh-sigmoid-no-doubling", statement="tanh z = 2σ(z) − 1",
                 expect=Expect.PITFALL, corrected_by="tanh-sigmoid",
                 origin="the 2 inside σ(2z) dropped: 2σ(z) − 1 is tanh(z/2)",
                 sample=lambda rng, t: {"z": rng.uniform(-10, 10, 8)},
                 lhs=lambda p: np.tanh(p["z"]), rhs=2 * sig(z) - 1),
        Identity(name="log-softmax", statement="log softmax(z)ᵢ = zᵢ − log Σⱼ e^{zⱼ} (004:183)",
                 symbolic=lambda: Obligation.identity(sp.log(sp.exp(Z[i]) / sp.Sum(sp.exp(Z[j]), (j, 1, K))),
                                                      Z[i] - sp.log(sp.Sum(sp.exp(Z[j]), (j, 1, K)))),
                 sample=lambda rng, t: {"z": rng.normal(0, 3, int(rng.integers(2, 7)))},
                 lhs=lambda p: np.log(np.exp(p["z"]) / np.exp(p["z"]).sum()), rhs=lambda p: p["z"] - logsumexp(p["z"])),
        Identity(name="printed-logit-is-log-probability", statement="zᵢ = log P(y = i | x), P the softmax output (004:177)",
                 expect=Expect.ERRATUM, corrected_by="log-softmax",
                 source=Printed(M004, 177, r"z_i = \log P(y = i|\mathbf{x})_i",
                                reading="P(y = i | x) is the softmax output ŷᵢ (004:174). zᵢ is the unnormalised "
                                        "log P̃(y = i | x): log softmax(z)ᵢ = zᵢ − log Σⱼ e^{zⱼ}, which is zᵢ only "
                                        "where Σⱼ e^{zⱼ} = 1"),
                 sample=lambda rng, t: {"z": rng.normal(0, 3, int(rng.integers(2, 7)))},
                 lhs=lambda p: np.log(np.exp(p["z"]) / np.exp(p["z"]).sum()), rhs=z),
        Identity(name="softmax-shift", statement="softmax(z + c1) = softmax(z): one input can be fixed (004:194)",
                 symbolic=lambda: Obligation.identity(sp.exp(Z[i] + c) / sp.Sum(sp.exp(Z[j] + c), (j, 1, K)),
                                                      sp.exp(Z[i]) / sp.Sum(sp.exp(Z[j]), (j, 1, K)),
                                                      steps=("e^{zⱼ + c} = e^c e^{zⱼ}", "e^c leaves the sum and cancels")),
                 sample=lambda rng, t: {"z": rng.normal(0, 3, int(rng.integers(2, 7))), "c": float(rng.normal(0, 5))},
                 lhs=lambda p: np.exp(p["z"] + p["c"]) / np.exp(p["z"] + p["c"]).sum(),
                 rhs=lambda p: np.exp(p["z"]) / np.exp(p["z"]).sum()),
        Inequality(name="lse-lower-bound", statement="log Σⱼ e^{zⱼ} ≥ maxⱼ zⱼ (004:185), attained as the other zⱼ → −∞",
                   symbolic=lambda claim: lse_bounds("lower", claim.rhs), sample=sample_logits, rtol=1e-14, floor=1.0,
                   lhs=lambda p: logsumexp(p["z"]), rhs=m),
        Inequality(name="lse-upper-bound", statement="maxⱼ zⱼ + log K ≥ log Σⱼ e^{zⱼ}, attained at ties",
                   symbolic=lambda claim: lse_bounds("upper", claim.lhs), sample=sample_logits, rtol=1e-14, floor=1.0,
                   lhs=m + sp.log(K), rhs=lambda p: logsumexp(p["z"])),
        Inequality(name="lse-at-most-max", statement="maxⱼ zⱼ ≥ log Σⱼ e^{zⱼ}",
                   expect=Expect.PITFALL, corrected_by="lse-upper-bound",
                   origin="004:185's '≈ maxⱼ zⱼ' read as a bound; ties give max + log K",
                   sample=sample_logits, rtol=1e-14, floor=1.0,
                   lhs=m, rhs=lambda p: logsumexp(p["z"])),
        Identity(name="gaussian-nll", statement="−log N(y; f, I) = ½‖y − f‖² + (d/2) log 2π (004:102)",
                 symbolic=lambda claim: gaussian_nll(claim.rhs),
                 sample=lambda rng, t: {"y": rng.normal(0, 2, k := int(rng.integers(1, 6))), "f": rng.normal(0, 2, k)},
                 lhs=lambda p: -gaussian_log_density(p["y"], p["f"]),
                 rhs=((Y - F).T * (Y - F))[0, 0] / 2 + d * sp.log(2 * sp.pi) / 2),
        Minimizer(name="nll-minimizer", statement="the NLL −(1/t) Σ log N(yᵢ; μ, 1) is minimized by the MLE μ = ȳ, "
                                                  "where it is ½s² + ½ log 2π, s² = (1/t) Σ (yᵢ − ȳ)²",
                  symbolic=lambda claim: mean_log_likelihood(-1, claim.form, minimum=True, steps=(
                      "J'(μ) = (1/t) Σ (μ − yᵢ) = 0 at μ = ȳ", "J''(μ) = 1 > 0",
                      "J(ȳ) = (1/2t) Σ (yᵢ − ȳ)² + ½ log 2π, for every t")),
                  sample=sample_gaussian_fit, objective=lambda p, w: -printed_j(p, w), form=MEAN,
                  minimum_value=lambda p: 0.5 * np.var(p["y"]) + 0.5 * np.log(2 * np.pi), uses=("gaussian-nll",)),
        Minimizer(name="printed-cost", statement="J(θ) = E log p_model(y|x) (as printed) is minimized by the MLE",
                  expect=Expect.ERRATUM, corrected_by="nll-minimizer",
                  source=Printed(M004, 100, r"J(\boldsymbol{\theta}) = \mathbb{E}_{\mathbf{x}, \mathbf{y} \sim \hat{p}_{data}} \log p_{\text{model}}",
                                 reading="the minus of the NLL (heading 004:98) is missing: minimizing the printed J "
                                         "maximizes the NLL, so a model with lower likelihood has a lower J"),
                  symbolic=lambda claim: mean_log_likelihood(+1, claim.form),
                  sample=sample_gaussian_fit, objective=printed_j, form=MEAN),
        Identity(name="logit-is-log-odds", statement="z = log(σ(z)/(1 − σ(z))): the logit is the log-odds (004:148)",
                 symbolic=lambda claim: Obligation.identity(sp.log(sig(z) / (1 - sig(z))), claim.rhs),
                 sample=lambda rng, t: {"z": rng.uniform(-8, 8, 8)}, rhs=z,
                 lhs=lambda p: np.log(sigmoid(p["z"]) / (1 - sigmoid(p["z"])))),
        Identity(name="stable-log-sigmoid", statement="log σ(z) = −ζ(−z), the stable form: at z = −800 the float64 "
                                                      "log σ(z) is −inf, −ζ(800) = −800 (004:169)",
                 symbolic=lambda claim: Obligation.identity(sp.log(sig(z)), claim.rhs), floor=1.0,
                 sample=lambda rng, t: {"z": rng.uniform(-30, 30, 8)}, rhs=-zeta(-z),
                 lhs=lambda p: np.log(sigmoid(p["z"]))),
        Gradient(name="mse-sigmoid-slope", statement="d/dz ½(σ(z) − y)² = (σ(z) − y)σ(z)(1 − σ(z)) (004:168)",
                 form=(sig(z) - y_label) * sig(z) * (1 - sig(z)),
                 symbolic=lambda claim: Obligation.gradient(cases(mse), z, label_cases(claim.form)),
                 sample=lambda rng, t: {"y": float(t % 2), "z": np.array(rng.uniform(-8, 8))},
                 objective=lambda p: (sigmoid(p["z"]) - p["y"]) ** 2 / 2, wrt="z"),
        Limit(name="mse-saturates-wrong-sign",
              statement="z of the wrong sign, |z| → ∞: |d/dz ½(σ(z) − y)²| − |dζ((1−2y)z)/dz| → −1: the squared "
                        "error's slope → 0 where the NLL's stays 1, and learning may cease (004:168)",
              symbolic=lambda claim: merged([Obligation.limit(
                  (sp.Abs(sp.diff(mse(y), z)) - sp.Abs(sp.diff(nll(y), z))).subs(z, (1 - 2 * y) * s), s, sp.oo,
                  claim.value) for y in (0, 1)]), value=sp.Integer(-1),
              sample=lambda rng, t: {"y": float(t % 2)}, uses=("mse-sigmoid-slope", "saturation-wrong-sign"),
              f=lambda p, t: abs(float(numeric_jacobian(lambda v: (sigmoid(v) - p["y"]) ** 2 / 2, np.array(
                  (1 - 2 * p["y"]) / t), "richardson"))) - abs(nll_slope(p, (1 - 2 * p["y"]) / t))),
        Minimizer(name="softmax-fits-frequencies",
                  statement="−Σᵢ nᵢ log softmax(z)ᵢ (the NLL of the N = Σ nᵢ examples at one input, nᵢ > 0) is "
                            "convex and minimized at z = log n (+ c1), where softmax(z)ᵢ = nᵢ/N, the empirical "
                            "frequency, for every K (004:188–190)",
                  symbolic=lambda claim: frequency_minimum(claim.form), sample=sample_counts, form=NV.applyfunc(sp.log),
                  objective=lambda p, w: -np.sum(p["n"] * np.log(softmax(w))), uses=("log-softmax", "softmax-shift"),
                  training=lambda seed, quick: fit_frequencies(seed, quick)),
        Inequality(name="correct-example-still-costs",
                   statement="−log softmax(z)_y > 0 for K ≥ 2 at every z, also where z_y is the largest logit "
                             "(there ≤ log K: lse-upper-bound) (004:186)",
                   symbolic=lambda claim: costs_something(claim.lhs, claim.rhs), sample=sample_correct, strict=True,
                   lhs=LOSS, rhs=sp.Integer(0), uses=("log-softmax", "lse-upper-bound")),
        Identity(name="correct-example-costs-nothing", statement="the loss of a correctly classified example is 0",
                 expect=Expect.PITFALL, corrected_by="correct-example-still-costs",
                 origin="004:186 read as exact: z = (0.1, 0) is classified correctly and costs log(1 + e^{−0.1}) = 0.644",
                 premise=Premise("z_y is the largest logit", lambda p: p["z"][0] >= p["z"].max()),
                 sample=sample_correct, lhs=lambda p: -np.log(softmax(p["z"])[0]), rhs=sp.Integer(0)),
        Gradient(name="softmax-jacobian", statement="∂softmax(z)ᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ), i.e. diag(s) − ssᵀ, every K: "
                                                    "→ 0 as s tends to a one-hot vector (004:192)",
                 form=sp.HadamardProduct(sp.Identity(K), SOFT * sp.OneMatrix(1, K)) - SOFT * SOFT.T,
                 symbolic=lambda claim: softmax_jacobian(claim.form),
                 sample=lambda rng, t: {"z": rng.normal(0, 3, int(rng.integers(2, 7)))},
                 objective=lambda p: np.exp(p["z"]) / np.exp(p["z"]).sum(), wrt="z"),
    ]))


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


def fit_frequencies(seed, quick):
    """A softmax layer z = Wᵀx fitted by gradient descent to labels at 6 repeated one-hot inputs (so
    row x of W is x's logits), 4 classes: its probabilities must reach the empirical frequencies."""
    rng = np.random.default_rng(seed)
    table, (m, steps) = rng.dirichlet(np.ones(4), size=6), ((300, 1500) if quick else (1200, 4000))
    inputs = np.r_[rng.integers(0, 6, m), np.repeat(np.arange(6), 4)]               # every nᵢ ≥ 1
    labels = np.r_[[rng.choice(4, p=table[i]) for i in inputs[:m]], np.tile(np.arange(4), 6)]
    x, y, w, losses = np.eye(6)[inputs], np.eye(4)[labels], np.zeros((6, 4)), []
    lr = float(len(y) / x.sum(axis=0).max())                    # 1/(½ n_x/m), twice the largest curvature
    for _ in range(steps):
        prob = softmax(x @ w)
        losses.append(float(-np.mean(np.sum(y * np.log(prob), axis=1))))
        w = w - lr * x.T @ (prob - y) / len(y)
    gap = float(np.max(np.abs(softmax(w) - (x.T @ y) / x.sum(axis=0)[:, None])))
    return Evidence(NumericVerdict.PASSED if gap < 1e-6 else NumericVerdict.FAILED, {
        "data": f"{len(y)} examples at 6 repeated inputs, 4 classes", "steps": steps, "lr": lr,
        "max_gap_to_frequencies": gap, "tolerance": 1e-6, "loss_first": losses[0], "loss_last": losses[-1]})
