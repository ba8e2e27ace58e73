"""Pictures for l2-shrinkage: the contour picture of L̂ with the L2 ball, and the shrinkage factors."""
import math

import numpy as np
from matplotlib.figure import Figure

from regverify.figures import clipped, figure, one_panel

H_EXAMPLE = np.array([[2.5, 0.9], [0.9, 0.6]])
W_STAR = np.array([1.4, 1.6])
ALPHA = 0.8


def _times2(a, v):
    return np.array([a[0, 0] * v[0] + a[0, 1] * v[1], a[1, 0] * v[0] + a[1, 1] * v[1]])


def _solve2(a, b):
    det = a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]
    return np.array([(a[1, 1] * b[0] - a[0, 1] * b[1]) / det, (a[0, 0] * b[1] - a[1, 0] * b[0]) / det])


def _eigen2(a):
    """Eigenpairs of a symmetric 2×2 matrix with a[0, 1] ≠ 0, smallest first, unit vectors."""
    mean, half = (a[0, 0] + a[1, 1]) / 2, math.hypot((a[0, 0] - a[1, 1]) / 2, a[0, 1])
    pairs = []
    for lam in (mean - half, mean + half):
        v = np.array([a[0, 1], lam - a[0, 0]])
        pairs.append((lam, v / math.hypot(v[0], v[1])))
    return pairs


@figure("l2-shrinkage", "contours",
        alt="Ellipses of the quadratic L̂ around w*, the L2 ball through w̃ = (H + αI)⁻¹Hw*, and the two "
            "points: w̃ sits where an ellipse touches the ball, pulled furthest along the flat eigen-direction")
def draw_contours(results) -> Figure:
    fig, ax = one_panel()
    # 2×2 closed forms in plain float arithmetic, not LAPACK: no pixel moves with the BLAS kernel
    w_tilde = _solve2(H_EXAMPLE + ALPHA * np.eye(2), _times2(H_EXAMPLE, W_STAR))
    g1, g2 = np.meshgrid(np.linspace(-1, 3, 300), np.linspace(-1, 3, 300))
    d1, d2 = g1 - W_STAR[0], g2 - W_STAR[1]
    loss = 0.5 * (H_EXAMPLE[0, 0] * d1 ** 2 + 2 * H_EXAMPLE[0, 1] * d1 * d2 + H_EXAMPLE[1, 1] * d2 ** 2)
    d = w_tilde - W_STAR
    level = 0.5 * float(d[0] * (H_EXAMPLE[0, 0] * d[0] + H_EXAMPLE[0, 1] * d[1])
                        + d[1] * (H_EXAMPLE[1, 0] * d[0] + H_EXAMPLE[1, 1] * d[1]))
    ax.contour(g1, g2, loss, levels=sorted({level * f for f in (0.1, 0.35, 1.0, 2.0, 3.5)}), colors="tab:blue",
               linewidths=0.8)
    t = np.linspace(0, 2 * np.pi, 200)
    radius = math.hypot(w_tilde[0], w_tilde[1])
    ax.plot(radius * np.cos(t), radius * np.sin(t), color="tab:orange", label="L2 ball ‖w‖ = ‖w̃‖")
    ax.plot(*W_STAR, "o", color="tab:blue", label="w* (unregularized)")
    ax.plot(*w_tilde, "s", color="tab:red", label="w̃ = (H + αI)⁻¹Hw*")
    for lam, q in _eigen2(H_EXAMPLE):
        ax.annotate("", W_STAR + 0.8 * q, W_STAR, arrowprops={"arrowstyle": "->", "color": "gray"})
        ax.text(*(W_STAR + 0.85 * q), f"λ={lam:.2f}", fontsize=7, color="gray")
    ax.set_aspect("equal")
    ax.set_xlim(-1, 3), ax.set_ylim(-1, 3)
    ax.set_xlabel("w₁"), ax.set_ylabel("w₂")
    ax.set_title(f"L̂ contours and the L2 ball (α = {ALPHA})", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


@figure("l2-shrinkage", "shrinkage-factors",
        alt="The factor λ/(λ + α) by which weight decay scales the component of w* along an eigenvector, "
            "against λ/α on a log axis: about 1 for λ ≫ α, about 0 for λ ≪ α, ½ at λ = α; and the "
            "weight-decay run's distance to w̃ per step on the digits")
def draw_factors(results) -> Figure:
    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot(1, 2, 1)
    ratio = np.geomspace(1e-3, 1e3, 200)
    ax.semilogx(ratio, ratio / (ratio + 1))
    ax.axvline(1, color="gray", lw=0.6, ls=":")
    ax.set_xlabel("λᵢ / α"), ax.set_ylabel("λᵢ / (λᵢ + α)")
    ax.set_title("shrinkage per eigen-direction", fontsize=9)
    distance = (results.get("shrinkage-minimizer", {}).get("training", {}).get("curves", {})
                .get("distance_to_w_tilde"))
    ax2 = fig.add_subplot(1, 2, 2)
    if distance:
        ax2.semilogy(clipped(distance, max(distance)))
        ax2.set_xlabel("recorded step"), ax2.set_ylabel("‖w⁽ᵗ⁾ − w̃‖ (floor 1e-9 × start)")
        ax2.set_title("GD with weight decay (digits)", fontsize=9)
    else:
        ax2.text(0.5, 0.5, "no training curve", ha="center", transform=ax2.transAxes)
    fig.tight_layout()
    return fig
