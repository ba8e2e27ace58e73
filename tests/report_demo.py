"""Two small derivations that exercise every part of a report: claims that hold (one with a
training run and a figure), an erratum quoted from the material, a pitfall, a planted failing
claim, and ``uses`` links within and across derivations. They are not lecture pages: the tests
render them where the real catalog would be."""
import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from regverify.claims import (Derivation, Evidence, Expect, Gradient, Identity, NumericVerdict,
                              Premise, Printed, Source)
from regverify.figures import figure
from regverify.prover import Obligation

x, a = sp.symbols("x a", positive=True)
eps, alpha = sp.symbols("epsilon alpha", positive=True)
QUOTE = r"(1 - \epsilon\alpha)"
QUOTE_FILE, QUOTE_LINE = "004_b86d6fd376fce36f.txt", 491


def sample(rng, trial):
    return {"x": float(rng.uniform(0.5, 2)), "a": float(rng.uniform(0.5, 2)),
            "eps": float(rng.uniform(0.01, 0.2)), "alpha": float(rng.uniform(0.1, 2))}


def train_square(seed: int, quick: bool, gradient=None) -> Evidence:
    """Gradient descent on a(x − 1)², with the closed-form gradient (or a planted one)."""
    gradient = gradient or (lambda p, v: 2 * p * (v - 1))
    value, losses = 3.0, []
    for _ in range(20 if quick else 60):
        losses.append((value - 1) ** 2)
        value -= 0.1 * gradient(1.5, value)
    gap = abs(value - 1)
    return Evidence(NumericVerdict.PASSED if gap < 1e-2 else NumericVerdict.FAILED,
                    {"data": "a(x − 1)² with a = 1.5, from x = 3", "predicate": "|x − 1| < 1e-2",
                     "final_gap": gap, "seconds": 0.123, "closed_form_seconds": 0.05,
                     "curves": {"loss": losses}})


def demo_derivations(planted: bool = True) -> list[Derivation]:
    claims = [
        Identity(name="square-of-sum", statement="(x + a)² = x² + 2ax + a²", sample=sample,
                 lhs=lambda p: (p["x"] + p["a"]) ** 2,
                 rhs=lambda p: p["x"] ** 2 + 2 * p["a"] * p["x"] + p["a"] ** 2,
                 symbolic=lambda: Obligation.identity((x + a) ** 2, x ** 2 + 2 * a * x + a ** 2)),
        Gradient(name="square-gradient", statement="∂(a x²)/∂x = 2 a x", sample=sample,
                 objective=lambda p: p["a"] * p["x"] ** 2, claimed=lambda p: 2 * p["a"] * p["x"],
                 wrt="x", uses=("square-of-sum",), training=train_square,
                 symbolic=lambda: Obligation.gradient(a * x ** 2, x, 2 * a * x,
                                                      assumptions_used=("a > 0",),
                                                      steps=("d(x²)/dx = 2x", "times a"))),
        Identity(name="shrinkage-squared", statement="one step of decay scales w by (1 − εα)²",
                 sample=sample, expect=Expect.ERRATUM, corrected_by="shrinkage",
                 source=Printed(QUOTE_FILE, QUOTE_LINE, QUOTE, reading="the factor, read as squared"),
                 lhs=lambda p: (1 - p["eps"] * p["alpha"]) ** 2, rhs=lambda p: 1 - p["eps"] * p["alpha"],
                 premise=Premise("εα < 1", lambda p: p["eps"] * p["alpha"] < 1),
                 symbolic=lambda: Obligation.identity((1 - eps * alpha) ** 2, 1 - eps * alpha)),
        Identity(name="shrinkage", statement="w − ε(αw) = (1 − εα)w: one step of decay scales w "
                                             "by 1 − εα", sample=sample,
                 lhs=lambda p: p["x"] - p["eps"] * p["alpha"] * p["x"],
                 rhs=lambda p: (1 - p["eps"] * p["alpha"]) * p["x"],
                 symbolic=lambda: Obligation.identity(x - eps * alpha * x, (1 - eps * alpha) * x)),
        Identity(name="triple", statement="x + x = 3x", sample=sample, expect=Expect.PITFALL,
                 corrected_by="square-of-sum", origin="counting the terms wrongly",
                 lhs=lambda p: p["x"] + p["x"], rhs=lambda p: 3 * p["x"],
                 symbolic=lambda: Obligation.identity(x + x, 3 * x + 0 * a)),
    ]
    if planted:
        claims += [
            Identity(name="planted-square", statement="x · x = 2x (planted: fails)", sample=sample,
                     uses=("square-of-sum",), lhs=lambda p: p["x"] * p["x"], rhs=lambda p: 2 * p["x"],
                     symbolic=lambda: Obligation.identity(x * x, 2 * x + 0 * a)),
            Identity(name="after-planted", statement="(x + 1)(x − 1) = x² − 1", sample=sample,
                     uses=("planted-square",), lhs=lambda p: (p["x"] + 1) * (p["x"] - 1),
                     rhs=lambda p: p["x"] ** 2 - 1,
                     symbolic=lambda: Obligation.identity((x + 1) * (x - 1), x ** 2 - 1)),
        ]
    first = Derivation(id="report-demo", title="A demo derivation: doubling and decay",
                       sources=[Source(QUOTE_FILE, "L2 update rule"), Source("a textbook", "")],
                       conventions="x > 0 is a scalar; a | b is not a table cell",
                       assumptions=["a > 0", "ε α < 1"], symbols={"x": "a scalar", "a": "a weight"},
                       claims=claims, module="tests.report_demo")
    second = Derivation(id="report-demo-b", title="A second demo: built on the first",
                        sources=[], conventions="", assumptions=[], symbols={},
                        claims=[Identity(name="double-sum", statement="(2x + a)² = 4x² + 4ax + a²",
                                         sample=sample, uses=("report-demo/square-of-sum",),
                                         lhs=lambda p: (2 * p["x"] + p["a"]) ** 2,
                                         rhs=lambda p: 4 * p["x"] ** 2 + 4 * p["a"] * p["x"] + p["a"] ** 2,
                                         symbolic=lambda: Obligation.identity(
                                             (2 * x + a) ** 2, 4 * x ** 2 + 4 * a * x + a ** 2))],
                        module="tests.report_demo")
    return [first, second]


@figure("report-demo", "loss", alt="loss of gradient descent on a(x − 1)² per step")
def draw_loss(results):
    losses = results["square-gradient"]["training"]["curves"]["loss"]
    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot()
    ax.plot(np.arange(len(losses)), losses, label="closed-form gradient")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    return fig
