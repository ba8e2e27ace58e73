"""max-activation: the unit-norm inputs W_l/‖W_l‖ that maximally activate a digits AE's hidden units."""
import numpy as np
from matplotlib.figure import Figure

from regverify.figures import figure


@figure("max-activation", "maximizing-inputs",
        alt="For each hidden unit of an autoencoder trained on the 8x8 digits, the unit-norm input "
            "W_l/‖W_l‖ that activates it most, shown as an 8x8 image")
def draw(results):
    training = results["every-hidden-unit"]["training"]
    images = np.asarray(training["images"])
    cols = 8
    rows = int(np.ceil(len(images) / cols))
    fig = Figure(figsize=(5, 0.65 * rows + 0.45))
    limit = float(np.max(np.abs(images)))
    for l, image in enumerate(images):
        ax = fig.add_subplot(rows, cols, l + 1)
        ax.imshow(image.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"unit {l}", fontsize=6, pad=2)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.8, wspace=0.15, hspace=0.35)
    fig.suptitle(f"W_l/‖W_l‖ for the {len(images)} hidden units (AE trained {training['steps']} steps)",
                 fontsize=8)
    return fig
