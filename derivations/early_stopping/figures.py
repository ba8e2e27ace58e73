"""Pictures for early-stopping: the GD path against the ridge path, αᵢ against λᵢ, and the gap
between the two shrinkage factors."""
import numpy as np
from matplotlib.figure import Figure

from regverify.derivations.early_stopping import S_STAR, gap
from regverify.figures import figure, one_panel, shown

S_BEST = float(S_STAR)             # the claim's s*, where (1 + s)² = eˢ
GAP_BEST = float(gap(S_STAR))      # and its gap: the figure and the claim print one value


def _curves(results):
    return results.get("alpha-approximation", {}).get("training", {}).get("curves", {})


@figure("early-stopping", "trajectory-vs-ridge",
        alt="In two eigen-directions of the digits' least-squares Hessian (one with small τελ, one with "
            "large), the gradient-descent iterates w⁽ᵗ⁾ against the ridge solutions at α = 1/(tε): the "
            "paths start together at 0 and part where τελ grows")
def draw_paths(results) -> Figure:
    fig, ax = one_panel()
    c = _curves(results)
    if c:
        ax.plot(c["gd_path_i"], c["gd_path_j"], ".-", ms=3, label="gradient descent, t = 0…τ")
        ax.plot([0.0] + c["ridge_path_i"], [0.0] + c["ridge_path_j"], ".-", ms=3,
                label="ridge at α = 1/(tε)")
        s_i, s_j = c["s_i_j"]
        ax.set_xlabel(f"(Qᵀw)ᵢ, τελᵢ = {shown(s_i, digits=2)}"), ax.set_ylabel(f"(Qᵀw)ⱼ, τελⱼ = {shown(s_j, digits=2)}")
        ax.set_title("early stopping vs ridge in two eigen-directions", fontsize=9)
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no training curve", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


@figure("early-stopping", "alpha-vs-lambda",
        alt="The exact αᵢ = λᵢrᵢ/(1 − rᵢ) that makes ridge match τ steps of gradient descent, against λᵢ "
            "for every eigenvalue of the digits' Hessian, with the single α = 1/(τε): they agree only "
            "where τελᵢ ≪ 1")
def draw_alpha(results) -> Figure:
    fig, ax = one_panel()
    c = _curves(results)
    detail = results.get("alpha-approximation", {}).get("training", {})
    if c:
        lam, alpha = np.array(c["lambda"]), np.array(c["alpha_i"])
        ax.loglog(lam, alpha, "o", ms=3, label="exact αᵢ (digits)")
        single = detail.get("alpha_single", 1 / (detail.get("tau", 1) * detail.get("eps", 1)))
        ax.axhline(single, color="tab:orange", snap=False, label=f"1/(τε) = {shown(single, digits=3)}")
        ax.set_xlabel("λᵢ"), ax.set_ylabel("αᵢ")
        ax.set_title(f"ε = {shown(detail.get('eps'))}, τ = {shown(detail.get('tau'))}", fontsize=9)
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no training curve", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


@figure("early-stopping", "shrinkage-gap",
        alt="The shrinkage factors 1 − e⁻ˢ (early stopping) and s/(1 + s) (ridge at α = 1/(τε)) against "
            "s = τελ, and their difference, largest (≈ " + shown(GAP_BEST, digits=3) + ") at s ≈ " + shown(S_BEST, digits=3))
def draw_gap(results) -> Figure:
    fig, ax = one_panel()
    s = np.geomspace(1e-2, 1e2, 4000)
    early, ridge = 1 - np.exp(-s), s / (1 + s)
    ax.semilogx(s, early, label="1 − e⁻ˢ (early stopping)")
    ax.semilogx(s, ridge, label="s/(1 + s) (ridge)")
    ax.semilogx(s, early - ridge, label="difference")
    ax.axvline(S_BEST, color="gray", ls=":", lw=0.8)
    ax.annotate(f"max {shown(GAP_BEST, digits=3)} at s ≈ {shown(S_BEST, digits=3)}", (S_BEST, GAP_BEST),
                (0.02, 0.45), textcoords="axes fraction", fontsize=8, arrowprops={"arrowstyle": "->"})
    ax.set_xlabel("s = τελ"), ax.set_ylabel("shrinkage factor")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
