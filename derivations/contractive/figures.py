"""contractive: the measured held-out Jacobian norm over training, with and without the penalty."""

from regverify.figures import figure, one_panel, shown


@figure("contractive", "held-out-jacobian",
        alt="Mean squared Frobenius norm of the encoder Jacobian on held-out digits, measured by "
            "finite differences during training, with and without the contractive penalty")
def draw(results):
    training = results["penalty-gradient"]["training"]
    curves = training["curves"]
    fig, ax = one_panel()
    ax.plot(curves["step"], curves["jacobian_norm_plain"], label="no penalty", color="0.5")
    ax.plot(curves["step"], curves["jacobian_norm_contractive"], label="contractive penalty", color="tab:blue")
    ax.set_xlabel("gradient step")
    ax.set_ylabel("held-out mean ‖J_x(h)‖²_F")
    ax.set_title(f"Held-out Jacobian norm (ratio at the end {shown(training['ratio'], digits=2)})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
