"""Reconstruction error against the code size k: the trained linear AE against Σ_{i>k} σᵢ²."""
from matplotlib.figure import Figure

from regverify.figures import figure


@figure("linear-ae-svd", "error-vs-k", alt="Reconstruction error ‖X − HW*‖²_F of the centred digits against "
        "the code size k: Σ_{i>k} σᵢ² from the SVD (line) and gradient-descent-trained linear autoencoders (dots)")
def draw(results):
    training = results["pca-on-centred-data"]["training"]
    curves = training["curves"]
    svd = curves["svd_error_by_k"]
    fig = Figure(figsize=(5, 3.5), layout="constrained")
    ax = fig.subplots()
    rank = sum(v > 1e-9 * svd[0] for v in svd)   # beyond X's rank the tail is 0 (constant pixels)
    ax.plot(range(rank), svd[:rank], label=r"SVD: $\sum_{i>k}\sigma_i^2$", color="C0")
    ax.plot(training["figure_sizes"], curves["trained_error_by_k"], "o", color="C3",
            label=f"linear AE, {training['steps']} GD steps")
    ax.set_yscale("log")
    ax.set_xlabel("code size k")
    ax.set_ylabel(r"$\|X - HW^*\|_F^2$ (centred digits)")
    ax.set_title("A linear AE reaches the truncated SVD", fontsize=10)
    ax.legend(fontsize=8)
    return fig
