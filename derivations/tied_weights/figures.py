"""tied-weights: loss curves of the two-path gradient, autograd's, and the decoder path alone."""
import numpy as np

from regverify.figures import figure, one_panel, shown
from regverify.numbers import FLOORS


@figure("tied-weights", "loss-curves",
        alt="Training loss of a tied autoencoder on the digits with the two-path gradient and with "
            "autograd (the curves coincide), and with the decoder path only (it departs)")
def draw(results):
    training = results["two-path-gradient"]["training"]
    curves = training["curves"]
    steps = np.linspace(0, training["steps"], len(curves["loss_closed_form"]))
    fig, ax = one_panel()
    ax.plot(steps, curves["loss_autograd"], color="0.6", lw=4, label="autograd")
    ax.plot(steps, curves["loss_closed_form"], color="tab:blue", lw=1.2, label="two-path closed form")
    ax.plot(steps, curves["loss_decoder_only"], color="tab:red", ls="--", label="decoder path only")
    ax.set_xlabel("gradient step")
    ax.set_yscale("log")
    ax.set_ylabel("mean reconstruction error (log scale)")
    ax.set_title(f"Tied autoencoder (max loss gap {shown(training['max_loss_rel_gap'], FLOORS['evaluation'])})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
