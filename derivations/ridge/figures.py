"""ridge: distance of the printed and the corrected minimizer from scikit-learn's Ridge (a = α/2)."""
import numpy as np

from regverify.figures import clipped, figure, one_panel


@figure("ridge", "printed-vs-corrected",
        alt="Relative distance from scikit-learn's Ridge with a = α/2 on the digits, across α: the "
            "corrected (XᵀX + (α/2)I)⁻¹Xᵀy at rounding level (drawn at the 1e-9 floor), the printed (XᵀX + αI)⁻¹Xᵀy far off")
def draw(results):
    curves = results["minimizer"]["training"]["curves"]
    alpha = np.asarray(curves["alpha"])
    fig, ax = one_panel()
    ax.loglog(alpha, clipped(curves["printed_vs_sklearn"]), "o-", color="#c0601a",
              label="printed (XᵀX + αI)⁻¹Xᵀy (004:517)")
    ax.loglog(alpha, clipped(curves["corrected_vs_sklearn"]), "s-", color="#1f5f9f",
              label="corrected (XᵀX + (α/2)I)⁻¹Xᵀy, clipped at 1e-9 (rounding level)")
    ax.axhline(1e-8, color="grey", lw=0.8, ls="--", label="oracle tolerance")
    ax.set(xlabel="α", ylabel="‖w − w_sklearn‖ / ‖w_sklearn‖",
           title="J = ‖Xw − y‖² + ½α‖w‖² on the digits vs sklearn Ridge(a = α/2)")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7)
    return fig
