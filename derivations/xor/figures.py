"""XOR: the four points and the boundary f(x) = ½ of the ReLU network trained in the key."""
import numpy as np

from regverify.figures import figure, one_panel

POINTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
TARGETS = np.array([0, 1, 1, 0])


@figure("xor", "boundary", alt="The four XOR inputs coloured by target, and the region where the "
                              "trained ReLU network's output exceeds one half, with its boundary")
def draw(results):
    training = results["relu-network"]["training"]
    p = {k: np.asarray(v) for k, v in training["params"].items()}
    grid = np.linspace(-0.5, 1.5, 201)
    gx, gy = np.meshgrid(grid, grid)
    x = np.column_stack([gx.ravel(), gy.ravel()])
    f = (np.maximum(0, x @ p["W"] + p["c"]) @ p["w"] + p["b"]).reshape(gx.shape)
    fig, ax = one_panel()
    # drawn from f > ½ on the grid, not from f's values: the boundary then runs through grid
    # midpoints, and no pixel moves with the rounding of the trained weights
    above = (f > 0.5).astype(float)
    ax.contourf(gx, gy, above, levels=[-0.5, 0.5, 1.5], colors=["#dde6f0", "#f6e0c8"])
    ax.contour(gx, gy, above, levels=[0.5], colors="k", linewidths=1)
    for target, marker, colour in ((0, "o", "#1f5f9f"), (1, "s", "#c0601a")):
        chosen = POINTS[TARGETS == target]
        ax.scatter(chosen[:, 0], chosen[:, 1], marker=marker, s=70, c=colour, label=f"f* = {target}",
                   edgecolors="k", zorder=3)
    ax.set(xlabel="x₁", ylabel="x₂", aspect="equal", xlim=(-0.5, 1.5), ylim=(-0.5, 1.5),
           title=f"ReLU net after {training['steps']} GD steps: f = ½ boundary")
    ax.legend(loc="center", fontsize=8, framealpha=0.9)
    return fig
