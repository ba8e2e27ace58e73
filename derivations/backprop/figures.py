"""backprop: paths against edges as the graph deepens; the digits run against autograd."""
import numpy as np

from regverify.numbers import FLOORS

from regverify.figures import figure, one_panel, shown


@figure("backprop", "paths-vs-edges", alt="Number of input-to-output paths (w^d) and of edges backprop "
        "visits (d·w² + w) in a layered graph of width 3, against depth, log scale (measured)")
def draw_paths(results):
    curves = results["path-sum"]["training"]["curves"]
    depth = np.array(curves["depth (w=3)"])
    fig, ax = one_panel()
    ax.semilogy(depth, curves["paths (w=3)"], "o-", label="paths summed by 004:450 (w^d)")
    ax.semilogy(depth, curves["edges (w=3)"], "s-", label="edges visited by backprop (d·w² + w)")
    ax.set(xlabel="depth d (width w = 3)", ylabel="count", title="Path sum vs backprop (measured)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


@figure("backprop", "digits-training", alt="Training loss of a 64-24-10 ReLU network on the digits with the "
        "closed-form batched gradients; the autograd rerun follows it to rounding level")
def draw_training(results):
    run = results["batched-hidden-weights"]["training"]
    loss = run["curves"]["loss (closed form)"]
    fig, ax = one_panel()
    ax.plot(loss, label="closed form (HᵀG, Xᵀ[(GW₂ᵀ) ⊙ 1[A₁>0]])")
    ax.set(xlabel="step", ylabel="cross-entropy + λ‖W‖²",
           title=f"Digits: autograd loss gap {shown(run['max_loss_rel_gap'], FLOORS['evaluation'])} "
                 "at every step")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
