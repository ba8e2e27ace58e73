"""The index of the reports: one row per derivation and the graph of how the claims build on each other."""
from __future__ import annotations

from ..markdown import code, fenced, md, table
from .status import COLOURS, colour


# --- the index --------------------------------------------------------------------------------
def index_page(derivations, results: dict[str, dict], complete: dict[str, bool], seed: int,
               versions: str) -> str:
    rows = []
    for d in derivations:
        mine = [results.get(f"{d.id}/{c.name}") for c in d.claims]
        got = [r for r in mine if r is not None]
        scopes: dict[str, int] = {}
        for r in got:
            if r["symbolic"]["verdict"] == "proved" and r["symbolic"].get("scope"):
                scopes[r["symbolic"]["scope"]] = scopes.get(r["symbolic"]["scope"], 0) + 1
        # the four counts partition the claims: each is exactly one of them
        rows.append((f"[{code(d.id)}]({d.id}.md)", md(d.title), len(d.claims),
                     sum(r["status"] == "verified" and r["ok"] for r in got),
                     sum(r["expect"] == "erratum" and r["ok"] for r in got),
                     sum(r["expect"] == "pitfall" and r["ok"] for r in got),
                     sum(not r["ok"] for r in got) + len(d.claims) - len(got),
                     sum(r["expect"] == "holds" and r["ok"] and r["symbolic"]["verdict"] != "proved"
                         for r in got),
                     "; ".join(f"{md(s)} ({n})" for s, n in sorted(scopes.items())) or "—"))
    parts = ["# Reports", "",
             "One report per derivation of the course material: every claim with its statement, "
             "its symbolic proof (scope, assumptions, steps), its numeric and training evidence, "
             "and the lecture's figures. Errata are quoted from the material with file:line.", "",
             table(rows, ("derivation", "title", "claims", "verified", "errata refuted",
                          "pitfalls refuted", "not as expected or not run",
                          "of the verified: without a proof", "proof scopes")), "",
             "Each claim is counted in exactly one of *verified*, *errata refuted*, *pitfalls "
             "refuted* and *not as expected or not run*: the four add up to *claims*. A verified "
             "claim without a proof is an approximation that states no series (its error is "
             "measured instead). A proof scope says for which sizes the proof holds, read off its "
             "obligation (*every n*: symbolic sizes; *sizes W 2×3 and 3×4*: the explicit matrices it "
             "was built from; *scalars*: no vector or matrix in it, so it holds wherever its scalar "
             "symbols satisfy their assumptions), with the number of proofs of that scope.", "",
             "## How the claims build on each other", "",
             "A solid arrow goes from a claim to a claim that uses it; a dotted arrow from an "
             "erratum or pitfall to the claim that corrects it. Colours:", "",
             table([(f"{name}", text) for name, (_, _, _, text) in COLOURS.items()],
                   ("colour class", "meaning")), "",
             fenced(mermaid(derivations, results, complete), "mermaid"), "",
             "## Reproduce", "", f"Seed {seed}. Regenerate every report with:", "",
             fenced(f"regverify report --seed {seed}", "sh"), "",
             "and check that the committed reports are fresh with "
             f"{code(f'regverify report --seed {seed} --check')}.", "", versions, ""]
    return "\n".join(parts)


def mermaid(derivations, results: dict[str, dict], complete: dict[str, bool]) -> str:
    """A flowchart with one subgraph per derivation; node ids are positions, so stable."""
    ids, lines, edges = {}, ["flowchart LR"], []
    for d in derivations:
        for c in d.claims:
            ids[f"{d.id}/{c.name}"] = f"c{len(ids)}"
    extra = sorted({u for d in derivations for c in d.claims for u in
                    (x if "/" in x else f"{d.id}/{x}" for x in c.uses)} - set(ids))
    for key in extra:
        ids[key] = f"c{len(ids)}"
    classes: dict[str, list[str]] = {}
    for i, d in enumerate(derivations):
        lines.append(f'  subgraph d{i}["{_label(d.id)}"]')
        for c in d.claims:
            key = f"{d.id}/{c.name}"
            lines.append(f'    {ids[key]}["{_label(c.name)}"]')
            classes.setdefault(colour(results.get(key), complete.get(key, False)), []).append(ids[key])
            for used in c.uses:
                full = used if "/" in used else f"{d.id}/{used}"
                edges.append(f"  {ids[full]} --> {ids[key]}")
            if c.corrected_by and f"{d.id}/{c.corrected_by}" in ids:
                edges.append(f"  {ids[key]} -.-> {ids[f'{d.id}/{c.corrected_by}']}")
        lines.append("  end")
    for key in extra:
        lines.append(f'  {ids[key]}["{_label(key)}"]')
        classes.setdefault(colour(results.get(key), complete.get(key, False)), []).append(ids[key])
    lines += edges
    for name, (fill, stroke, text, _) in COLOURS.items():
        lines.append(f"  classDef {name} fill:{fill},stroke:{stroke},color:{text}")
    for name in COLOURS:
        if classes.get(name):
            lines.append(f"  class {','.join(classes[name])} {name}")
    return "\n".join(lines)


def _label(text: str) -> str:
    return str(text).replace('"', "#quot;")
