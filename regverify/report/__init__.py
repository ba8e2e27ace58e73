"""Per-derivation reports: the evidence behind every claim, in Markdown that GitHub renders.

One verification run feeds every report. ``generate`` verifies the derivations (and the ones
their claims build on), then ``render`` turns the results into files:

* ``<id>.md`` per derivation: sources, conventions, assumptions, symbols, the lecture's figures,
  then each claim — statement, kind, expectation, status, the symbolic verdict with its scope,
  assumptions, steps and the obligation it proved, the numeric evidence, the training
  run; errata with the printed quote (file:line), the reading, the counterexamples and the
  correcting claim; pitfalls in their own section; the seed, the command and the versions last;
* ``figures/<id>-<name>.png`` for every figure registered in ``regverify.figures``;
* ``README.md``, the index: one row per derivation and the claim dependency graph (Mermaid),
  coloured by status, with "verified together with everything it uses" a colour of its own.

The output is a function of the seed and the software versions only: no timings, no dates,
floats at fixed precision, PNGs without a timestamp or a software tag. ``check`` compares a
fresh rendering with a folder, file by file.

One module a job: ``numbers`` (a measured float as every machine prints it), ``symbols`` (names
and expressions in LaTeX and plain text), ``markdown``, ``page`` (one derivation's report),
``index`` (the index and its graph), ``status`` (a claim's colour), ``images`` (figures to PNG),
``files`` (writing, and telling what is stale).
"""
from __future__ import annotations

import math
import os
import platform
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from regverify.registry import catalog_position

from .files import FIGURES, compare, write
from .images import draw_figures
from .index import index_page
from ..markdown import anchor, md, table
from ..numbers import FLOORS, PLOT_FLOOR, floor_of, measured, number, summarise, without_timings
from .page import INDEX, Page
from .status import completeness
from .symbols import decorated, latex_of, obligation_latex, plain_symbol

# the commands' and the notebook's way in; the rest is in the modules, one job each
__all__ = ["FLOORS", "PLOT_FLOOR", "PERTURB_VARIABLE", "Rendered", "anchor", "compare", "decorated", "floor_of",
           "generate", "latex_of", "md", "measured", "number", "perturbed", "plain_symbol", "render",
           "summarise", "table", "versions", "write"]


@dataclass
class Rendered:
    """The files of one rendering (path relative to the output folder → bytes) and what went
    wrong while drawing them (a figure that crashed)."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    results: dict[str, dict] = field(default_factory=dict)   # "derivation/claim" → result dict


# --- the whole set ----------------------------------------------------------------------------
def versions() -> str:
    import matplotlib
    import numpy
    import sympy
    # Python's minor version, not its patch: a patch release changes no number the reports print
    python = ".".join(platform.python_version_tuple()[:2])
    return (f"Made with Python {python}, SymPy {sympy.__version__}, "
            f"NumPy {numpy.__version__} and matplotlib {matplotlib.__version__}.")


def result_dicts(results) -> dict[str, dict]:
    """{"derivation/claim": result as ``verify --json`` writes it, timings dropped}."""
    import json

    from regverify.numerics.evidence import json_ready
    return {f"{r.derivation}/{r.claim.name}": without_timings(json.loads(json.dumps(json_ready(r.as_dict()))))
            for r in results}


PERTURB_VARIABLE = "REGVERIFY_PERTURB"


def perturbed(value, relative: float, path: str = ""):
    """``value`` (a result dict as ``verify --json`` writes it) with every float moved as another
    machine's rounding could move it: each by a relative ``relative`` (the sign from a hash of
    its place, so neighbours move apart), and each error, gap or distance that lies under its
    floor (``floor_of``) replaced by another value under it — at rounding level the digits are
    anything. Evidence values, counterexamples and training curves alike."""
    def walk(v, key, where, evidence):
        if isinstance(v, dict):
            context = v if "verdict" in v or "method" in v else evidence
            return {k: walk(x, k, f"{where}/{k}", context) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x, key, f"{where}/{i}", evidence) for i, x in enumerate(v)]
        if isinstance(v, float) and math.isfinite(v) and v != 0.0:
            mix = zlib.crc32(where.encode()) / 2 ** 32            # in [0, 1), fixed per place
            floor = floor_of(key, evidence)
            if floor is not None and abs(v) < floor:
                return math.copysign(floor * (0.05 + 0.9 * mix), v)
            return v * (1 + relative * (1 if mix < 0.5 else -1))
        return v
    return walk(value, "", path, {})


def render(derivations, results, seed: int, out: str | Path, catalog=None,
           index: bool = True, perturb: float | None = None) -> Rendered:
    """The files for ``derivations`` (reports, figures and, with ``index``, README.md).

    ``results`` are ClaimResults of these derivations and of those their claims use;
    ``catalog`` (default: ``derivations``) is every derivation, for "used by" links. Links to
    the material are relative to ``out``. ``perturb`` (default: the environment variable
    REGVERIFY_PERTURB, e.g. 1e-13) renders ``perturbed`` results instead: the reports must not
    change, which is what ``report --check`` on a perturbed run shows."""
    out = Path(out).resolve()
    # in the catalog's order, whatever order they were given in
    catalog = sorted(catalog or derivations, key=lambda d: catalog_position(d.id))
    derivations = sorted(derivations, key=lambda d: catalog_position(d.id))
    claims = {f"{r.derivation}/{r.claim.name}": r.claim for r in results}
    by_key = result_dicts(results)
    if perturb is None and os.environ.get(PERTURB_VARIABLE):
        perturb = float(os.environ[PERTURB_VARIABLE])
    if perturb:
        by_key = {k: perturbed(v, perturb, k) for k, v in by_key.items()}
    complete = completeness(by_key)
    used_by: dict[str, list[str]] = {}
    for d in catalog:
        for c in d.claims:
            for u in c.uses:
                used_by.setdefault(u if "/" in u else f"{d.id}/{u}", []).append(f"{d.id}/{c.name}")
    stamp = versions()
    rendered = Rendered(results=by_key)
    for d in derivations:
        mine = {k: v for k, v in by_key.items() if k.startswith(f"{d.id}/")}
        drawn, problems = draw_figures(d.id, {k.split("/", 1)[1]: v for k, v in mine.items()})
        rendered.problems += problems
        for name, _, data in drawn:
            rendered.files[f"{FIGURES}/{name}"] = data
        obligations = {f"{d.id}/{c.name}": obligation_latex(claims[f"{d.id}/{c.name}"])
                       for c in d.claims if f"{d.id}/{c.name}" in claims}
        page = Page(d, by_key, complete, used_by, [(f"{FIGURES}/{n}", alt) for n, alt, _ in drawn],
                    seed, obligations, out, stamp, problems, index or (out / INDEX).is_file())
        rendered.files[f"{d.id}.md"] = page.render().encode("utf-8")
    if index:
        rendered.files[INDEX] = index_page(derivations, by_key, complete, seed, stamp).encode("utf-8")
    return rendered


def with_ancestors(derivations, catalog) -> list:
    """The derivations and, transitively, every derivation one of their claims uses."""
    known = {d.id: d for d in catalog}
    chosen = {d.id: d for d in derivations}
    todo = list(derivations)
    while todo:
        d = todo.pop()
        for c in d.claims:
            for u in c.uses:
                other = u.split("/", 1)[0] if "/" in u else d.id
                if other not in chosen and other in known:
                    chosen[other] = known[other]
                    todo.append(known[other])
    return [d for d in catalog if d.id in chosen] + [d for d in derivations if d.id not in known]


def generate(derivations, out: str | Path, seed: int = 0, quick: bool = False, jobs: int = 1,
             catalog=None, index: bool = True, progress=None, perturb: float | None = None) -> Rendered:
    """Verify once (the derivations and what they use) and render their reports."""
    from regverify.verifier import verify
    catalog = list(catalog or derivations)
    results = verify(with_ancestors(derivations, catalog), seed=seed, quick=quick, jobs=jobs,
                     progress=progress)
    return render(derivations, results, seed, out, catalog, index, perturb)
