"""Output units and their likelihoods: sigmoid, softplus, tanh, softmax, Gaussian (004; GBC 6.2.2).

A Bernoulli output y ∈ {0, 1} with logit z has P(y) = e^{yz}/(1 + e^z) = σ((2y − 1)z), so its
negative log-likelihood is the softplus ζ((1 − 2y)z), with derivative σ(z) − y: it saturates only
when the answer is already right. Softmax is unchanged by a shift of its inputs, its log is
z − log Σ e^z, and log Σ e^z lies between max z and max z + log K. A Gaussian output turns the
NLL into least squares. The cost is the NEGATIVE log-likelihood: 004:100 drops the minus.
"""
import numpy as np
import sympy as sp

from regverify.claims import (Derivation, Expect, Gradient, Identity, Inequality, Limit, Minimizer, Premise,
                              Printed, Source)
from regverify.numerics.gradcheck import numeric_jacobian
from regverify.prover import Obligation
from regverify.registry import register

from .proofs import (LOSS, MEAN, NV, SOFT, F, K, Y, Z, bernoulli, c, cases, costs_something, d, frequency_minimum,
                     gaussian_nll, i, j, label_cases, lse_bounds, m, mean_log_likelihood, merged, mse, nll, s, sig,
                     softmax_jacobian, y_label, z, zeta)
from .twins import (fit_frequencies, gaussian_log_density, logsumexp, model_prob, nll_slope, printed_j,
                    sample_correct, sample_counts, sample_gaussian_fit, sample_labels01, sample_labels_pm1,
                    sample_logits, sigmoid, softmax)

M004 = "004_b86d6fd376fce36f.txt"


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
