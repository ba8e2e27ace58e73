"""The lecture's figure (003:317–339): hidden units' filters Wₗ/‖Wₗ‖ for q = 0, 0.25, 0.5."""
import numpy as np
from matplotlib.figure import Figure

from regverify.figures import figure


@figure("denoising", "filters", alt="The 16 hidden units' filters W_l/‖W_l‖ as 8×8 images, for a vanilla "
        "AE (q = 0) and denoising AEs with q = 0.25 and q = 0.5, trained on the digits")
def draw(results):
    runs = results["dae-gradient"]["training"]["runs"]
    fig = Figure(figsize=(7.5, 2.9), layout="constrained")
    panels = fig.subfigures(1, len(runs))
    for panel, (name, run) in zip(np.atleast_1d(panels), runs.items()):
        filters = np.asarray(run["filters"])
        limit = np.abs(filters).max()
        panel.suptitle(f"{'vanilla AE' if name == 'q=0.0' else 'denoising AE'}, {name.replace('=', ' = ')}",
                       fontsize=9)
        axes = panel.subplots(4, 4)
        for ax, f in zip(axes.ravel(), filters):
            ax.imshow(f.reshape(8, 8), cmap="gray", vmin=-limit, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
    return fig
