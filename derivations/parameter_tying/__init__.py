"""Parameter tying: a penalty that pulls two sets of weights together.

004:600 regularizes two parameter vectors that should be similar with
Ω = ‖w⁽ᴬ⁾ − w⁽ᴮ⁾‖²₂ (written Ω(w⁽ᴬ⁾ − w⁽ᴮ⁾), a function of the difference). Its gradients are
∇_{w⁽ᴬ⁾}Ω = 2(w⁽ᴬ⁾ − w⁽ᴮ⁾) and ∇_{w⁽ᴮ⁾}Ω = −2(w⁽ᴬ⁾ − w⁽ᴮ⁾): equal and opposite, so a gradient step
moves both vectors toward each other and leaves their mean where it was. The slide prints the
penalty only, and prints it right.
"""
import autograd
import autograd.numpy as anp
import numpy as np
import sympy as sp

from regverify.claims import Derivation, Expect, Gradient, Identity, Source
from regverify.numerics import sampling
from regverify.prover import Obligation, derivative
from regverify.registry import register

n = sp.Symbol("n", integer=True, positive=True)
wa, wb = sp.MatrixSymbol("w_A", n, 1), sp.MatrixSymbol("w_B", n, 1)
eps = sp.Symbol("epsilon", positive=True)
OMEGA = (wa - wb).T * (wa - wb)
GRADIENT_A = 2 * (wa - wb)              # ∇_{w_A}Ω; the pitfall below takes it for ∇_{w_B}Ω too
STEPS = ("Ω = (w_A − w_B)ᵀ(w_A − w_B) = w_Aᵀw_A − 2w_Aᵀw_B + w_Bᵀw_B",
         "∂/∂w_A: 2w_A − 2w_B;  ∂/∂w_B: −2w_A + 2w_B (the inner derivative of −w_B is −1)")


def gradient_obligation(wrt, claimed) -> Obligation:
    return Obligation.gradient(OMEGA, wrt, claimed, steps=STEPS)


def step_obligation(difference, total) -> Obligation:
    """One gradient step of size ε with the gradients SymPy derives: the difference and the sum
    after it are the stated ones (every n)."""
    a1, b1 = wa - eps * derivative(OMEGA, wa), wb - eps * derivative(OMEGA, wb)
    return Obligation(zero=[(a1 - b1) - difference, (a1 + b1) - total], steps=STEPS + (
                          "w_A − ε∇_A − (w_B − ε∇_B) = (1 − 4ε)(w_A − w_B)",
                          "∇_A + ∇_B = 0, so w_A + w_B does not move"))


# --- numeric twins: the penalty in NumPy, the gradients by hand and by autograd ----------------
def sample_pair(rng, trial):
    size = sampling.size(rng, 1, 7)
    return {"w_A": sampling.normal(rng, size), "w_B": sampling.normal(rng, size)}


def omega(p):
    d = p["w_A"] - p["w_B"]
    return d @ d


def sample_step(rng, trial):
    return {**sample_pair(rng, trial), "eps": float(sampling.positive(rng, 0.01, 0.5))}


def _omega_autograd(a, b):
    return anp.sum((a - b) ** 2)


def autograd_step(p):
    """One step with autograd's gradients; returns (new difference, new sum)."""
    a = p["w_A"] - p["eps"] * autograd.grad(_omega_autograd, 0)(p["w_A"], p["w_B"])
    b = p["w_B"] - p["eps"] * autograd.grad(_omega_autograd, 1)(p["w_A"], p["w_B"])
    return np.concatenate([a - b, a + b])


DERIVATION = register(Derivation(
    id="parameter-tying",
    title="Parameter tying: the gradients of ‖w⁽ᴬ⁾ − w⁽ᴮ⁾‖²",
    sources=[Source("004_b86d6fd376fce36f.txt", "Parameter Tying and Parameter Sharing (596–603)")],
    conventions="w⁽ᴬ⁾, w⁽ᴮ⁾ ∈ ℝⁿ are two sets of parameters of the same shape; Ω = ‖w⁽ᴬ⁾ − w⁽ᴮ⁾‖²₂.",
    assumptions=["w⁽ᴬ⁾ and w⁽ᴮ⁾ have the same shape"],
    symbols={"w_A": "vector(n)", "w_B": "vector(n)"},
    claims=[
        Gradient(
            name="gradient-a",
            statement="∇_{w⁽ᴬ⁾}Ω = 2(w⁽ᴬ⁾ − w⁽ᴮ⁾)",
            form=GRADIENT_A, symbolic=lambda claim: gradient_obligation(wa, claim.form),
            sample=sample_pair, objective=omega, wrt="w_A"),
        Gradient(
            name="gradient-b",
            statement="∇_{w⁽ᴮ⁾}Ω = −2(w⁽ᴬ⁾ − w⁽ᴮ⁾)",
            form=-2 * (wa - wb), symbolic=lambda claim: gradient_obligation(wb, claim.form),
            sample=sample_pair, objective=omega, wrt="w_B"),
        Identity(
            name="gradient-step",
            statement="one step of size ε on Ω: w⁽ᴬ⁾ − w⁽ᴮ⁾ shrinks by 1 − 4ε, w⁽ᴬ⁾ + w⁽ᴮ⁾ is kept "
                      "(∇_{w⁽ᴬ⁾}Ω = −∇_{w⁽ᴮ⁾}Ω)",
            symbolic=lambda claim: step_obligation(*claim.rhs), sample=sample_step, bind={"eps": eps},
            uses=("gradient-a", "gradient-b"),
            lhs=autograd_step, rhs=((1 - 4 * eps) * (wa - wb), wa + wb)),
        Gradient(
            name="same-sign-gradient-b",
            statement="∇_{w⁽ᴮ⁾}Ω = 2(w⁽ᴬ⁾ − w⁽ᴮ⁾) = ∇_{w⁽ᴬ⁾}Ω (the inner −1 forgotten)",
            expect=Expect.PITFALL, corrected_by="gradient-b",
            origin="differentiating ‖w⁽ᴬ⁾ − w⁽ᴮ⁾‖² as if w⁽ᴮ⁾ entered with a plus sign; "
                   "not printed in the material (004:600 prints only Ω)",
            form=GRADIENT_A, symbolic=lambda claim: gradient_obligation(wb, claim.form),
            sample=sample_pair, objective=omega, wrt="w_B"),
    ]))
