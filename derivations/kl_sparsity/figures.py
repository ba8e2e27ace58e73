"""kl-sparsity: each hidden unit's mean activation before and after training, against ρ."""
import numpy as np

from regverify.figures import figure, one_panel, shown


@figure("kl-sparsity", "mean-activations",
        alt="Mean activation of each hidden unit on the digits before and after training with the "
            "KL penalty; after training every unit sits near the target rho")
def draw(results):
    training = results["penalty-gradient"]["training"]
    curves = training["curves"]
    before, after = np.asarray(curves["mean_activation_before"]), np.asarray(curves["mean_activation_after"])
    units = np.arange(1, len(before) + 1)
    fig, ax = one_panel()
    ax.bar(units - 0.2, before, 0.4, label="before training", color="0.7")
    ax.bar(units + 0.2, after, 0.4, label=f"after {training['steps']} steps", color="tab:blue")
    ax.axhline(curves["rho"][0], color="tab:red", ls="--", label=f"ρ = {shown(curves['rho'][0])}", snap=False)
    ax.set_xlabel("hidden unit l")
    ax.set_ylabel("mean activation ρ̂_l")
    ax.set_title("Sparse autoencoder on the digits")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
