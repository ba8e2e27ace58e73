"""The lecture's pictures: each derivation's own, in ``figures.py`` beside its page
(``derivations/l2_shrinkage/figures.py`` for ``l2-shrinkage``).

A module registers each picture with ``@figure(derivation_id, name, alt)``; the function takes the
derivation's verification results ({claim name: result as in ``verify --json``}, training
figures and curves included; timings dropped, so that a picture cannot depend on them) and
returns a matplotlib Figure. The report writer saves it as a PNG with fixed dpi and no metadata
stamp, under matplotlib's default style (a user's matplotlibrc does not apply), so regenerating
gives the same bytes. Titles print measured floats through ``shown`` and log-scale curves of
errors go through ``clipped``, so that no pixel depends on rounding noise.
``figures_for`` finds them beside the pages, as the registry finds the pages.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class FigureSpec:
    derivation: str
    name: str          # the file stem: reports/figures/<derivation>-<name>.png
    alt: str           # what the picture shows, for the report's alt text
    draw: Callable     # results -> matplotlib.figure.Figure


_FIGURES: list[FigureSpec] = []


def figure(derivation: str, name: str, alt: str):
    def register(draw):
        if any(f.derivation == derivation and f.name == name for f in _FIGURES):
            raise ValueError(f"figure {derivation}/{name} is registered twice")
        _FIGURES.append(FigureSpec(derivation, name, alt, draw))
        return draw
    return register


def one_panel(size=(5, 3.5)):
    """A figure with one set of axes, at the size every report figure shares."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=size)
    return fig, fig.add_subplot()


def shown(value, floor: float | None = None, digits: int | None = None) -> str:
    """A measured float in a title or label, as the reports print it (``numbers.measured``): an
    error under its floor as the bound, anything else at digits every machine agrees on."""
    from regverify.numbers import measured
    return measured(value, floor, digits, tex=False)


def clipped(values, scale: float = 1.0):
    """A curve for a log axis, raised to PLOT_FLOOR × ``scale`` where it falls below: under it
    the values are rounding noise, and their pixels would move from machine to machine."""
    import numpy as np

    from regverify.numbers import PLOT_FLOOR
    return np.maximum(np.asarray(values, dtype=float), PLOT_FLOOR * scale)


def figures_for(derivation: str) -> list[FigureSpec]:
    from regverify.registry import LECTURE_PAGES
    for info in pkgutil.iter_modules(importlib.import_module(LECTURE_PAGES).__path__):
        if info.ispkg and importlib.util.find_spec(f"{LECTURE_PAGES}.{info.name}.figures"):
            importlib.import_module(f"{LECTURE_PAGES}.{info.name}.figures")
    return [f for f in _FIGURES if f.derivation == derivation]
