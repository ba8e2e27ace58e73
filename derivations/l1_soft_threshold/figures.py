"""Pictures for l1-soft-threshold: the soft threshold beside L2 shrinkage, and the solver's check."""
import numpy as np
from matplotlib.figure import Figure

from regverify.figures import figure, one_panel


@figure("l1-soft-threshold", "threshold-vs-shrinkage",
        alt="The regularized weight wᵢ as a function of wᵢ* for h = 1, α = 1: L1's soft threshold is 0 on "
            "[−α/h, α/h] and moves every other weight toward 0 by α/h; L2's h/(h + α)·wᵢ* scales it and "
            "never reaches 0")
def draw_threshold(results) -> Figure:
    fig, ax = one_panel()
    h, alpha = 1.0, 1.0
    w_star = np.linspace(-3, 3, 401)
    ax.plot(w_star, w_star, color="lightgray", ls="--", label="no penalty: w = w*")
    ax.plot(w_star, np.sign(w_star) * np.maximum(np.abs(w_star) - alpha / h, 0), label="L1: soft threshold")
    ax.plot(w_star, h / (h + alpha) * w_star, label="L2: h/(h + α)·w*")
    ax.axvspan(-alpha / h, alpha / h, color="tab:blue", alpha=0.08)
    ax.set_xlabel("wᵢ*"), ax.set_ylabel("wᵢ")
    ax.set_title("L1 sets |wᵢ*| ≤ α/h to 0; L2 only scales (h = α = 1)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


@figure("l1-soft-threshold", "solver-vs-closed-form",
        alt="Per coordinate of the orthonormalised digits design: the soft threshold (closed form) and the "
            "coordinate-descent solver with golden-section search, which contains no threshold; they "
            "coincide, zeros included")
def draw_solver(results) -> Figure:
    fig, ax = one_panel()
    curves = results.get("soft-threshold", {}).get("training", {}).get("curves", {})
    if curves:
        closed, solver = np.array(curves["closed_form"]), np.array(curves["coordinate_descent"])
        index = np.arange(len(closed))
        ax.bar(index, closed, color="tab:blue", alpha=0.5, label="soft threshold (closed form)")
        ax.plot(index, solver, "k.", ms=4, label="coordinate descent + golden section")
        ax.axhline(0, color="gray", lw=0.5)
        ax.set_xlabel("coordinate i"), ax.set_ylabel("wᵢ")
        ax.set_title(f"{int(np.sum(closed == 0))} of {len(closed)} weights are 0 in both", fontsize=9)
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no training curve", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig
