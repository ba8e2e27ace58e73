"""The figures of a derivation, drawn to PNG bytes that are the same on every machine."""
from __future__ import annotations

import io

DPI = 100
PNG_METADATA = {"Software": None}   # matplotlib would stamp its version; nothing else is added


# --- figures -------------------------------------------------------------------------------
def draw_figures(derivation_id: str, results: dict[str, dict]) -> tuple[list, list[str]]:
    """[(file name, alt, PNG bytes)] for the derivation's registered figures, and the problems."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from regverify.figures import figures_for

    drawn, problems = [], []
    for spec in figures_for(derivation_id):
        name = f"{spec.derivation}-{spec.name}.png"
        with matplotlib.rc_context():
            matplotlib.rcdefaults()          # a user's matplotlibrc must not change the bytes
            matplotlib.rcParams["svg.hashsalt"] = "regverify"
            try:
                figure = spec.draw(results)
                if not isinstance(figure, Figure):
                    raise TypeError(f"draw returned {type(figure).__name__}, not a matplotlib Figure")
                FigureCanvasAgg(figure)
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA,
                               bbox_inches="tight", pad_inches=0.05)
            except Exception as error:   # one broken figure must not lose the reports
                problems.append(f"figure {spec.derivation}/{spec.name} could not be drawn: "
                                f"{type(error).__name__}: {error}")
                continue
        drawn.append((name, spec.alt, buffer.getvalue()))
    return drawn, problems
