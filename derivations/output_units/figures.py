"""output-units: the softplus NLL and its saturation; log-sum-exp between its bounds."""
import numpy as np
from scipy.special import logsumexp

from regverify.figures import figure, one_panel


@figure("output-units", "softplus-nll", alt="−log P = ζ((1−2y)z) against z for y = 0 and y = 1, with the "
        "magnitude of its slope σ(z) − y: flat (saturated) where the answer is right, slope ±1 where it is wrong")
def draw_nll(results):
    z = np.linspace(-8, 8, 400)
    fig, ax = one_panel()
    for y, colour in ((0, "tab:blue"), (1, "tab:orange")):
        ax.plot(z, np.logaddexp(0, (1 - 2 * y) * z), color=colour, label=f"ζ((1−2y)z), y = {y}")
        ax.plot(z, np.abs(1 / (1 + np.exp(-z)) - y), color=colour, ls="--", label=f"|σ(z) − y|, y = {y}")
    status = results.get("saturation-wrong-sign", {}).get("status", "not run")
    ax.set(xlabel="z", ylabel="loss / slope magnitude", ylim=(0, 8.5),
           title=f"Saturation only when right (wrong-sign limit: {status})")
    ax.legend(fontsize=7, loc="upper center")
    fig.tight_layout()
    return fig


@figure("output-units", "log-sum-exp-bounds", alt="log Σ e^{z} for K = 5 logits as the spread of the logits "
        "grows: it lies between max z and max z + log K, touching the upper bound at ties and the lower when one dominates")
def draw_lse(results):
    rng = np.random.default_rng(0)
    base = rng.normal(size=5)
    spread = np.linspace(0, 6, 200)
    values = np.array([s * base for s in spread])
    lse, top = logsumexp(values, axis=1), values.max(axis=1)
    fig, ax = one_panel()
    ax.fill_between(spread, top - top, np.full_like(top, np.log(5)), color="0.9", label="[max z, max z + log K] − max z")
    ax.plot(spread, lse - top, label="log Σ e^z − max z")
    ax.axhline(np.log(5), color="k", lw=0.8, ls="--")
    ax.axhline(0, color="k", lw=0.8)
    ax.set(xlabel="spread s of the logits z = s·z₀ (K = 5)", ylabel="distance above max z",
           title="log-sum-exp between its bounds (004:185)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
