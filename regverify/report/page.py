"""The Markdown of one derivation's report."""
from __future__ import annotations

import os
import re
from pathlib import Path

from regverify import material

from ..markdown import anchor, code, fenced, md, table
from ..numbers import FLOORS, error_figure, floor_of, scientific, summarise
from .status import STATUS_MARK
from .symbols import TOO_LONG, measured_label, plain_symbol, symbol_label

INDEX = "README.md"
MATERIAL_DIR = Path(material.__file__).resolve().parent


# --- one derivation -------------------------------------------------------------------------
class Page:
    """The Markdown of one derivation's report."""

    def __init__(self, derivation, results: dict[str, dict], complete: dict[str, bool],
                 used_by: dict[str, list[str]], figures: list[tuple[str, str]], seed: int,
                 obligations: dict[str, str | None], out: Path, versions: str, problems=(),
                 index: bool = True):
        self.problems, self.index = list(problems), index
        self.d, self.results, self.complete = derivation, results, complete
        self.used_by, self.figures, self.seed = used_by, figures, seed
        self.obligations, self.out, self.versions = obligations, out, versions

    def material_link(self, file: str, line: int | None = None) -> str:
        target = os.path.relpath(MATERIAL_DIR / file, self.out).replace(os.sep, "/")
        label = f"{file}:{line}" if line else file
        return f"[{code(label)}]({target}{f'#L{line}' if line else ''})"

    def claim_link(self, key: str) -> str:
        derivation, name = key.split("/", 1)
        if derivation == self.d.id:
            return f"[{code(name)}](#{anchor(name)})"
        return f"[{code(key)}]({derivation}.md#{anchor(name)})"

    def render(self) -> str:
        d = self.d
        parts = [f"# {md(d.title or d.id)}", "",
                 f"Derivation {code(d.id)}" + (f" · [all reports]({INDEX})" if self.index else ""), ""]
        if d.sources:
            parts += ["## Sources", ""]
            for source in d.sources:
                shown = (self.material_link(source.file) if source.file.endswith(".txt")
                         and (MATERIAL_DIR / source.file).is_file() else md(source.file))
                parts.append(f"- {shown}" + (f": {md(source.where)}" if source.where else ""))
            parts.append("")
        if d.conventions:
            parts += ["## Conventions", "", md(d.conventions), ""]
        if d.assumptions:
            parts += ["## Assumptions", "", *[f"- {md(a)}" for a in d.assumptions], ""]
        if d.symbols:
            parts += ["## Symbols", "", table([(code(plain_symbol(k)), md(v)) for k, v in d.symbols.items()],
                                              ("symbol", "meaning")), ""]
        parts += [f"> **{md(problem)}**\n" for problem in self.problems]
        parts += ["## Claims", "", table([self.summary_row(c) for c in d.claims],
                                         ("claim", "kind", "expected", "status", "symbolic",
                                          "numeric", "training")), "", legend(), ""]
        if self.figures:
            parts += ["## Figures", ""]
            for path, alt in self.figures:
                parts += [f"![{md(alt)}]({path})", "", f"*{md(alt)}*", ""]
        for expect, heading, blurb in (
                ("holds", "Claims that hold", ""),
                ("erratum", "Errata", "Printed in the material, and wrong: each is refuted by a "
                                      "counterexample and corrected by a claim that holds."),
                ("pitfall", "Pitfalls", "Not printed, but plausible mistakes: each is refuted by "
                                        "a counterexample and corrected by a claim that holds.")):
            claims = [c for c in d.claims if c.expect.value == expect]
            if claims:
                parts += [f"## {heading}", ""] + ([blurb, ""] if blurb else [])
                for claim in claims:
                    parts += [self.claim_section(claim), ""]
        parts += ["## Reproduce", "",
                  f"Seed {self.seed}. Regenerate this report (and its figures) with:", "",
                  fenced(f"regverify report {d.id} --seed {self.seed}", "sh"), "",
                  self.versions, ""]
        return "\n".join(parts)

    def key(self, claim) -> str:
        return f"{self.d.id}/{claim.name}"

    def status_text(self, claim) -> str:
        result = self.results.get(self.key(claim))
        if result is None:
            return "not verified in this run"
        text = f"{STATUS_MARK.get(result['status'], '')} {result['status']}"
        if result["status"] == "verified" and result["ok"]:
            text += (" with everything it uses" if self.complete.get(self.key(claim))
                     else " (something it uses is not verified)") if result["uses"] else ""
        if result["expect"] != "holds" and result["ok"]:
            text += " as expected"
        if not result["ok"]:
            text += " — **not as expected**"
        return text

    def summary_row(self, claim) -> tuple:
        result = self.results.get(self.key(claim), {})
        numeric = result.get("numeric", {})
        worst = "".join(f" ({label}{error_figure(numeric[k], floor_of(k, numeric))})"
                        for k, label in (("max_rel_error", ""), ("min_rel_gap", "smallest gap "))
                        if k in numeric)
        return (f"[{code(claim.name)}](#{anchor(claim.name)})", claim.kind, claim.expect.value,
                self.status_text(claim), result.get("symbolic", {}).get("verdict", "—"),
                numeric.get("verdict", "—") + worst,
                result.get("training", {}).get("verdict", "—"))

    def claim_section(self, claim) -> str:
        key = self.key(claim)
        r = self.results.get(key)
        lines = [f'<a id="{anchor(claim.name)}"></a>', "", f"### {code(claim.name)}", "",
                 f"> {md(claim.statement)}", ""]
        rows = [("kind", claim.kind), ("expected", claim.expect.value),
                ("status", self.status_text(claim))]
        uses = [u if "/" in u else f"{self.d.id}/{u}" for u in claim.uses]
        if uses:
            rows.append(("uses", ", ".join(self.claim_link(u) for u in uses)))
        if self.used_by.get(key):
            rows.append(("used by", ", ".join(self.claim_link(u) for u in self.used_by[key])))
        if claim.premise is not None:
            rows.append(("premise", md(claim.premise.text)))
        if claim.origin:
            rows.append(("where the mistake comes from", md(claim.origin)))
        if claim.corrected_by:
            rows.append(("corrected by", self.claim_link(f"{self.d.id}/{claim.corrected_by}")))
        lines += [table(rows, ("", "")), ""]
        if r is None:
            return "\n".join(lines + ["Not verified in this run."])
        if r.get("problem"):
            lines += [f"**Problem:** {md(r['problem'])}", ""]
        if claim.source is not None:
            lines += self.printed(claim.source)
        if r.get("form"):      # the claim's one formula: what the proof and the numeric check both use
            lines += ["Stated form:", "", fenced(r["form"], "math"), ""]
        lines += self.symbolic(key, r["symbolic"])
        lines += self.evidence("Numeric evidence", r["numeric"])
        if r["training"].get("verdict") != "skipped":
            lines += self.evidence("Training run", r["training"])
        return "\n".join(lines).rstrip()

    def printed(self, source) -> list[str]:
        also = ", ".join(self.material_link(source.file, line) for line in source.also)
        lines = [f"**Printed at** {self.material_link(source.file, source.line)}:", "",
                 fenced(source.quote), ""]
        if source.reading:
            lines += [f"**Reading:** {md(source.reading)}", ""]
        if also:
            lines += [f"Also printed at {also}.", ""]
        return lines

    def symbolic(self, key: str, s: dict) -> list[str]:
        lines = [f"**Symbolic verdict: {s['verdict']}**" + (f" — {md(plain_how(s['how']))}" if s.get("how") else ""), ""]
        rows = [(name, md(s[field_]) if isinstance(s.get(field_), str) else
                 ", ".join(md(a) for a in s.get(field_) or []))
                for name, field_ in (("scope", "scope"), ("why these sizes", "sized_because"),
                                     ("parametrisation", "parametrisation"),
                                     ("assumptions used", "assumptions_used"),
                                     ("derived by", "derived_by"), ("establishes", "establishes"))
                if s.get(field_)]
        if rows:
            lines += [table(rows, ("", "")), ""]
        if s.get("steps"):
            heading = "Steps:" if s["verdict"] == "proved" else (
                f"Steps, as the claim's derivation goes ({s['verdict']}: they do not add up to a proof; "
                "the residual below is what is left of the obligation):")
            lines += [heading, "", *[f"{i}. {md(step)}" for i, step in enumerate(s["steps"], 1)], ""]
        shown = self.obligations.get(key)
        if shown:
            # each line is a residual = 0 or a sign condition > 0 (≥ 0), as the obligation has it
            what = f"What SymPy proved ({md(plain_how(s['how']))})" if s["verdict"] == "proved" else "The obligation"
            if shown.startswith(TOO_LONG):
                lines += [f"{what}: {md(shown[len(TOO_LONG):])}", ""]
            else:
                lines += [f"{what}:", "", fenced(shown, "math"), ""]
            if s["verdict"] == "unproved" and s.get("residual") and not s["residual"].endswith("…"):
                lines += ["What is left of it after expanding (as SymPy prints it):", "", fenced(s["residual"]), ""]
        elif shown == "" and s.get("derived_by"):
            lines += [f"What SymPy derived by {md(s['derived_by'])} matches the claimed form as "
                      f"built: the residual is 0 with no rewriting.", ""]
        elif s.get("residual") and not s["residual"].endswith("…"):
            lines += ["Residual (as SymPy prints it):", "", fenced(s["residual"]), ""]
        elif s.get("residual"):
            lines += [f"Residual: {md(expression_summary_text(s['residual']))}", ""]
        if s.get("counterexample"):
            found = s["counterexample"]
            point = ", ".join(f"{plain_symbol(k)} = {v}" for k, v in found.get("point", {}).items())
            lines += [f"Exact counterexample: at {code(point)} the residual is "
                      f"{code(found.get('residual', '?'))}.", ""]
        return lines

    def evidence(self, title: str, e: dict) -> list[str]:
        e = dict(e)
        context = dict(e)
        verdict = e.pop("verdict", "—")
        e.pop("traceback", None)      # absolute paths: the reason line says what crashed
        found = e.pop("counterexample", None)
        curves = e.pop("curves", None)
        worst = e.get("max_rel_error")
        if (verdict == "passed" and isinstance(worst, float)
                and abs(worst) < floor_of("max_rel_error", context)):
            # at rounding level, which entry was worst and the margin over it are noise too
            e.pop("worst_entry", None)
            e.pop("margin", None)
        if verdict == "failed":
            e.pop("margin", None)   # the tolerance over a gross error: a tiny ratio that says nothing more
        lines = [f"**{title}: {verdict}**", ""]
        if e:
            lines += [table([(measured_label(k), summarise(v, k, floor_of(k, context)))
                             for k, v in e.items() if v is not None], ("", "")), ""]
        if isinstance(curves, dict) and curves:
            lines += ["Curves (plotted in the figures): " + "; ".join(
                f"{md(name)}: {summarise(values, name, floor_of(name, context))}"
                for name, values in curves.items()) + ".", ""]
        if found:
            # the inputs by their symbols (α, ρ̂, w*), the measured values in words
            rows = [(symbol_label(k), summarise(v, k, floor_of(k, context), whole=True))
                    for k, v in found.get("params", {}).items()]
            rows += [(measured_label(k), summarise(v, k, floor_of(k, context), whole=True))
                     for k, v in found.items() if k != "params"]
            lines += ["Counterexample (indices count from 0; a matrix is shown row by row, "
                      "[row 0; row 1; …]):", "", table(rows, ("", "")), ""]
        return lines


def _bound(method: str) -> str:
    return scientific(FLOORS[method], 1, tex=False)


LEGEND = (
    "How to read this report: **kind** is what a claim states (identity: both sides are equal; "
    "inequality: the left side is at least the right; gradient: the claimed form is the derivative; "
    "minimizer: no point nearby is lower; approximation: equal within a tolerance inside a regime; "
    "limit: the closed form tends to a value). "
    "The symbolic side names the SymPy rewriting that reduced the residual to 0 (expand: multiply "
    "out; cancel: one fraction in lowest terms; simplify: SymPy's general simplifier). "
    "Numeric errors are relative; a figure at rounding level is shown as the bound it is under: "
    f"< {_bound('evaluation')} for direct evaluation and the complex step, < {_bound('approach')} at the end "
    f"of a limit's approach, < {_bound('differences')} for Richardson central differences, "
    f"< {_bound('line search')} for a golden-section search. "
    "The margin of a gradient check is its tolerance divided by the error at its worst entry "
    "(above 1 passes). Indices count from 0, as in NumPy: entries, units l, columns, and the numbered symbols of a residual (W_01 is row 0, column 1); names the lecture numbers itself (w_1, h_1) keep its numbering. Other figures are rounded to 4 significant digits, errors to 2; "
    "`regverify verify --json -` has them exact.")


def legend() -> str:
    return LEGEND


HOW_WORDS = {"sign as stated": "SymPy reads the sign off the expression as it stands (from the symbols' declared signs)",
             "sign together+factor": "SymPy reads the sign off the expression once it is written as one factored fraction",
             "constants out of sums": "constant factors taken out of the sums",
             "non-zero at an exact point": "non-zero at an exact (rational) point"}


def plain_how(how: str) -> str:
    """How a proof went, in words: the prover's short names of its steps spelled out."""
    return ", ".join(HOW_WORDS.get(part.strip(), part.strip()) for part in str(how).split(","))


def expression_summary_text(printed: str) -> str:
    """What a residual too long to print is, from its printed form: its size and symbols."""
    names = sorted(set(re.findall(r"[A-Za-z][A-Za-z_0-9]*", printed))
                   - {"Matrix", "sigma", "g", "g_prime", "exp", "log", "tanh", "sqrt", "Sum"})
    return (f"too long to print here (its start has {len(names)} symbols: "
            f"{', '.join(names[:12])}{', …' if len(names) > 12 else ''}); "
            f"`regverify verify --json -` has its beginning")
