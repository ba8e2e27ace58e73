"""Per-derivation reports: the evidence behind every claim, in Markdown that GitHub renders.

One verification run feeds every report. ``generate`` verifies the derivations (and the ones
their claims build on), then ``render`` turns the results into files:

* ``<id>.md`` per derivation: sources, conventions, assumptions, symbols, the lecture's figures,
  then each claim — statement, kind, expectation, status, the symbolic verdict with its scope,
  assumptions, steps and the obligation that reduced to 0, the numeric evidence, the training
  run; errata with the printed quote (file:line), the reading, the counterexamples and the
  correcting claim; pitfalls in their own section; the seed, the command and the versions last;
* ``figures/<id>-<name>.png`` for every figure registered in ``regverify.figures``;
* ``README.md``, the index: one row per derivation and the claim dependency graph (Mermaid),
  coloured by status, with "verified together with everything it uses" a colour of its own.

The output is a function of the seed and the software versions only: no timings, no dates,
floats at fixed precision, PNGs without a timestamp or a software tag. ``check`` compares a
fresh rendering with a folder, file by file.
"""
from __future__ import annotations

import io
import math
import os
import platform
import re
import tempfile
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from regverify import material

INDEX = "README.md"
FIGURES = "figures"
DPI = 100
PNG_METADATA = {"Software": None}   # matplotlib would stamp its version; nothing else is added
MATERIAL_DIR = Path(material.__file__).resolve().parent

# Status colours of the graph (fill, stroke, text), and what each means.
COLOURS = {
    "complete": ("#1a7f37", "#0f5323", "#ffffff", "dark green: verified, and so is everything it uses"),
    "verified": ("#aceebb", "#1a7f37", "#000000", "light green: verified, but something it uses is not"),
    "refuted": ("#ffd8b5", "#bc4c00", "#000000", "orange: erratum or pitfall, refuted as expected"),
    "unverified": ("#fff8c5", "#9a6700", "#000000", "yellow: not as expected, unverified"),
    "failing": ("#ff8182", "#a40e26", "#000000", "red: not as expected, refuted or a check crashed"),
    "missing": ("#eaeef2", "#57606a", "#000000", "grey: not verified in this run"),
}
STATUS_MARK = {"verified": "✅", "refuted": "❌", "unverified": "❔", "error": "💥"}


@dataclass
class Rendered:
    """The files of one rendering (path relative to the output folder → bytes) and what went
    wrong while drawing them (a figure that crashed)."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    results: dict[str, dict] = field(default_factory=dict)   # "derivation/claim" → result dict


# --- measured figures, at the digits every machine agrees on ---------------------------------
# A float64 computation is exact only up to rounding, and rounding differs between machines
# (BLAS kernel, CPU, thread count). Every measured float a report or a figure prints goes through
# ``measured``: an error or gap below the floor of the method that measured it is printed as the
# bound it is under ("< 1e-12"), never as its digits; every other figure is rounded to digits
# far above the noise. The exact figures stay in ``verify --json``.
FLOORS = {
    # direct evaluation, complex step, autograd reruns: rounding (~1e-16) times the conditioning,
    # measured up to 1e-13 on the bundled material
    "evaluation": 1e-12,
    # the last point of a limit's approach is t = 1e-12: the gap there is ~1e-12 by construction
    "approach": 1e-10,
    # Richardson / central differences: cancellation, measured up to ~1e-12
    "differences": 1e-9,
    # golden-section search: √ε of the argument, measured up to ~1e-6 (absolute KKT violation)
    "line search": 1e-5,
}
PLOT_FLOOR = 1e-9   # a log-scale curve is clipped here (relative to its scale) before it is drawn
DIGITS = 4          # significant digits of a figure that is not an error
ERROR_DIGITS = 2    # of an error or gap above its floor
# Keys whose values are errors, gaps or distances (at rounding level when a claim holds).
ERROR_WORDS = ("error", "gap", "residual", "rel_diff", "violation", "distance", "_vs_", "lead_over")
# Measured differences whose sign is theirs (a lead may be a tie at rounding level, of either sign):
# under the floor they read "≈ 0", whatever sign the noise has on a machine.
SIGNED_WORDS = ("lead_over",)


def method_floor(method: str) -> float:
    """The floor of the method an evidence dict names (its "method"; evaluation if none)."""
    method = str(method or "").lower()
    if "golden-section" in method:
        return FLOORS["line search"]
    if "richardson" in method or "differences" in method:
        return FLOORS["differences"]
    if "approach" in method:
        return FLOORS["approach"]
    return FLOORS["evaluation"]


def floor_of(key: str, evidence: dict | None = None) -> float | None:
    """The floor under which the value at ``key`` of ``evidence`` is rounding noise; None for a
    figure that is not an error (it is printed at ``DIGITS``)."""
    if not is_error_key(key):
        return None
    if "jacobian" in key and "measured" in key:     # an instrument by finite differences
        return FLOORS["differences"]
    return method_floor((evidence or {}).get("method", ""))


def measured(value, floor: float | None = None, digits: int | None = None, tex: bool = True,
             signed: bool = False) -> str:
    """The one way a measured float is printed, in reports (``tex``: inline math) and in figure
    titles (plain text): below ``floor`` (an error at rounding level) the bound "< floor", or for
    a ``signed`` difference "≈ 0 (|·| < floor)"; otherwise ``digits`` significant digits
    (ERROR_DIGITS with a floor, DIGITS without). Zero has no sign."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return md(str(value)) if tex else str(value)
    if isinstance(value, int):
        return str(value)
    if value == 0:
        value = 0.0          # -0.0 is printed 0: the sign of a zero is rounding's
    if signed and floor is not None and not math.isnan(value) and abs(value) < floor:
        bound = _scientific(floor, 1, tex, bound=True)
        # no bars in a report: a "|" would end the Markdown table cell
        return f"$\\approx 0$ (in size {bound})" if tex else f"≈ 0 (|·| {bound})"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if floor is not None and abs(value) < floor:
        return _scientific(floor, 1, tex, bound=True)
    return _scientific(value, digits or (ERROR_DIGITS if floor is not None else DIGITS), tex)


def _scientific(value: float, digits: int, tex: bool, bound: bool = False) -> str:
    text = f"{value:.{digits}g}"
    prefix = ("< " if not tex else "< ") if bound else ""
    if "e" not in text:
        return f"${prefix}{text}$" if tex and bound else prefix + text
    mantissa, exponent = text.split("e")
    exponent = int(exponent)
    if not tex:
        return prefix + (f"{mantissa}e{exponent}")
    if mantissa in ("1", "-1"):
        return f"${prefix}{'-' if mantissa == '-1' else ''}10^{{{exponent}}}$"
    return f"${prefix}{mantissa}\\times10^{{{exponent}}}$"


def number(value, digits: int = DIGITS) -> str:
    """A float that is not an error, as inline math: 3.1e-16 → $3.1\\times10^{-16}$."""
    return measured(value, None, digits)


def error_figure(value, floor: float | None = None, signed: bool = False) -> str:
    """Errors, gaps and distances: the bound below ``floor``, else two significant digits."""
    if isinstance(value, str):     # a non-finite float, as --json writes it
        return md(value)
    return measured(value, floor if floor is not None else FLOORS["evaluation"], ERROR_DIGITS, signed=signed)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#$~])")


def md(text) -> str:
    """Plain text that Markdown shows as written (no emphasis, links, math or table breaks)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def code(text) -> str:
    text = str(text).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def fenced(text: str, info: str = "text") -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}{info}\n{text}\n{fence}"


def is_error_key(key: str) -> bool:
    key = str(key).lower()
    return any(word in key for word in ERROR_WORDS)


FULL_MATRIX = 64   # a matrix or vector of at most this many entries is printed whole


def summarise(value, key: str = "", floor: float | None = None, whole: bool = False) -> str:
    """A value of an evidence dict in one cell: an error below ``floor`` as its bound; a list of
    at most 8 entries, or with ``whole`` a matrix of at most FULL_MATRIX, in full (rows
    separated by ";"); a longer one as its size and range."""
    if isinstance(value, float) or (isinstance(value, str) and value in ("nan", "inf", "-inf")):
        signed = any(word in str(key).lower() for word in SIGNED_WORDS)
        return error_figure(value, floor, signed) if floor is not None else number(value)
    if isinstance(value, bool) or value is None:
        return code(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return md(value)
    if isinstance(value, dict):
        return "; ".join(f"{md(k)}: {summarise(v, str(k), floor if floor is not None else floor_of(str(k)), whole)}"
                         for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        flat = list(_flatten(value))
        shape = _shape(value)
        numbers = [v for v in flat if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if (len(flat) <= 8 and all(not isinstance(v, (list, dict)) for v in value)) or (
                whole and len(flat) <= FULL_MATRIX and len(numbers) == len(flat)):
            return matrix_text(value, floor)
        size = "×".join(map(str, shape)) if len(shape) > 1 else str(len(flat))
        if numbers and len(numbers) == len(flat):
            finite = [v for v in numbers if math.isfinite(v)]
            if not finite:
                return f"{size} values, none finite"
            show = (lambda v: error_figure(v, floor)) if floor is not None else number
            return (f"{size} values from {show(min(finite))} to {show(max(finite))}"
                    + ("" if len(finite) == len(numbers) else f" ({len(numbers) - len(finite)} not finite)"))
        return f"{size} values"
    return md(value)


def matrix_text(value, floor: float | None = None) -> str:
    """A vector as (a, b, c); a matrix as its rows, [a, b; c, d]; each entry as ``measured``
    prints it (exact where it is a short decimal: 0, 1, 0.1)."""
    def entry(v):
        if isinstance(v, (list, tuple)):
            return ", ".join(entry(x) for x in v)
        return summarise(v, "", floor)
    if value and all(isinstance(v, (list, tuple)) for v in value):
        return "[" + "; ".join(entry(row) for row in value) + "]"
    return "(" + entry(value) + ")"


def _flatten(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            yield from _flatten(v)
        else:
            yield v


def _shape(value) -> tuple:
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def without_timings(value):
    """Drop every timing (keys named ``seconds`` or ``*_seconds``) at any depth."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items()
                if not (k == "seconds" or str(k).endswith("_seconds"))}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def table(rows, headers=("", "")) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def anchor(claim: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", claim.lower()).strip("-") or "claim"


# --- the status of a claim, and of everything it uses ------------------------------------
def colour(result: dict | None, complete: bool) -> str:
    if result is None:
        return "missing"
    if not result["ok"]:
        return "unverified" if result["status"] == "unverified" else "failing"
    if result["expect"] != "holds":
        return "refuted"
    return "complete" if complete else "verified"


def completeness(results: dict[str, dict]) -> dict[str, bool]:
    """For each "derivation/claim": verified, and so is everything it uses, transitively."""
    memo: dict[str, bool] = {}

    def complete(key: str, seen: frozenset) -> bool:
        if key in memo:
            return memo[key]
        result = results.get(key)
        ok = (result is not None and result["ok"] and result["status"] == "verified"
              and key not in seen
              and all(complete(u, seen | {key}) for u in result["uses"]))
        memo[key] = ok
        return ok

    return {key: complete(key, frozenset()) for key in results}


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
                for name, field_ in (("scope", "scope"), ("parametrisation", "parametrisation"),
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
            what = ("What SymPy reduced to 0" + (f" ({md(plain_how(s['how']))})" if s["verdict"] == "proved" else "")
                    if s["verdict"] == "proved" else "The obligation")
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


LEGEND = (
    "How to read this report: **kind** is what a claim states (identity: both sides are equal; "
    "inequality: the left side is at least the right; gradient: the claimed form is the derivative; "
    "minimizer: no point nearby is lower; approximation: equal within a tolerance inside a regime; "
    "limit: the closed form tends to a value). "
    "The symbolic side names the SymPy rewriting that reduced the residual to 0 (expand: multiply "
    "out; cancel: one fraction in lowest terms; simplify: SymPy's general simplifier). "
    "Numeric errors are relative; a figure at rounding level is shown as the bound it is under: "
    f"< 1e-12 for direct evaluation and the complex step, < 1e-10 at the end of a limit's "
    f"approach, < 1e-9 for Richardson central differences, < 1e-5 for a golden-section search. "
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


def _zero_as_built(expr) -> bool:
    import sympy as sp
    if isinstance(expr, sp.MatrixBase):
        return all(e == 0 for e in expr)
    return expr == 0 or isinstance(expr, sp.ZeroMatrix)


TOO_LONG = "too long: "   # marks a summary standing for an expression too long to print
DECORATIONS = ("hat", "tilde", "bar", "check", "breve", "dot", "ddot", "vec")
_DECORATED = re.compile(r"(\\?[A-Za-z]+)_\{(" + "|".join(DECORATIONS) + r")(?: ([^{}]+))?\}")
COMBINING = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "check": "\u030c", "breve": "\u0306",
             "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7"}
_PLAIN_DECORATED = re.compile(r"\b([A-Za-z]+)_(" + "|".join(DECORATIONS) + r")(?:_(\w+))?\b")
SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def decorated(latex: str) -> str:
    r"""One rule for every decorated symbol: SymPy prints ``rho_hat`` as \rho_{hat} and
    ``rho_hat_3`` as \rho_{hat 3}; a name ending in _hat, _tilde, _bar, … is that accent over the
    name, its index below: \hat{\rho}, \hat{\rho}_{3}."""
    return _DECORATED.sub(lambda m: f"\\{m.group(2)}{{{m.group(1)}}}" + (f"_{{{m.group(3)}}}" if m.group(3) else ""),
                          latex)


def symbol_label(name: str) -> str:
    """An input by its symbol, for a table: alpha is α, rho_hat_l is ρ̂_l, w_star is w*."""
    return md(plain_symbol(str(name)).replace("_star", "*"))


def measured_label(key: str) -> str:
    """A measured figure's name in words, its symbols as letters: alpha_single is "α single"."""
    return symbol_label(key).replace("\\_", " ")


def plain_symbol(text: str) -> str:
    """The same rule in plain text: rho_hat_3 is ρ̂₃, w_tilde is w̃ (Greek names as letters)."""
    def one(m):
        base = m.group(1)
        letter = _greek(base)
        index = m.group(3) or ""
        return letter + COMBINING[m.group(2)] + (index.translate(SUBSCRIPT_DIGITS) if index.isdigit() else
                                                 f"_{index}" if index else "")
    return _PLAIN_GREEK.sub(lambda m: _greek(m.group(1)) + (m.group(2) or ""), _PLAIN_DECORATED.sub(one, text))


_PLAIN_GREEK = re.compile(r"\b([a-z]+)(_\w+)?\b")


GREEK_SHORT = {"eps": "epsilon"}     # the material's learning rate ε, named eps in code


def _greek(name: str) -> str:
    name = GREEK_SHORT.get(name, name)
    return unicodedata.lookup(f"GREEK SMALL LETTER {name.upper().replace('LAMBDA', 'LAMDA')}") if _is_greek(name) else name


def _is_greek(name: str) -> bool:
    name = GREEK_SHORT.get(name, name)
    try:
        unicodedata.lookup(f"GREEK SMALL LETTER {name.upper().replace('LAMBDA', 'LAMDA')}")
        return True
    except KeyError:
        return False


_BRACKETED_FRACTION = re.compile(r"\\left\((\\frac\{\d+\}\{\d+\})\\right\)(?!\^)")


def latex_of(expr) -> str:
    r"""SymPy's LaTeX with decorated names as accents, and a numeric coefficient of a matrix
    expression without the brackets SymPy puts round it (\frac{1}{2} w, not \left(\frac{1}{2}\right) w)."""
    import sympy as sp
    return _BRACKETED_FRACTION.sub(r"\1", decorated(sp.latex(expr)))


def expression_summary(expressions) -> str:
    """What a list of expressions too long to print is: shapes, terms and symbols, in words."""
    import sympy as sp
    parts, symbols = [], set()
    for expr in expressions:
        if isinstance(expr, sp.MatrixBase):
            terms = sum(len(sp.Add.make_args(e)) for e in expr)
            parts.append(f"a {expr.rows}×{expr.cols} matrix ({terms} terms)")
        else:
            parts.append(f"an expression of {len(sp.Add.make_args(expr))} terms")
        symbols |= {str(x) for x in getattr(expr, "free_symbols", ())}
    names = sorted(symbols)
    what = "one expression" if len(parts) == 1 else f"{len(parts)} expressions (one per size or condition built)"
    return (f"{what}: {', '.join(parts)}, in the {len(names)} scalar symbols "
            f"{', '.join(names[:12])}{', …' if len(names) > 12 else ''}; too long to print here")


def obligation_latex(claim, limit: int = 2000) -> str | None:
    """The residuals SymPy had to reduce to 0, in LaTeX, rebuilt from the claim; "" when every
    one was 0 as derived, None when there is nothing to show; TOO_LONG + a summary in words
    when the LaTeX would run over ``limit`` characters."""
    import sympy as sp

    from regverify.prover import ProofTimeout, time_limit

    try:
        with time_limit(10):
            obligation = claim.obligation()
            if obligation is None:
                return None
            zero = [z for z in obligation.zero if not _zero_as_built(z)]
            shown = [f"{latex_of(z)} = 0" for z in zero]
            shown += [f"{latex_of(p)} > 0" for p in obligation.positive]
            shown += [f"{latex_of(p)} \\geq 0" for p in obligation.nonnegative]
            text = " \\\\\n".join(shown)
            if len(text) > limit:
                return TOO_LONG + expression_summary(
                    [*zero, *obligation.positive, *obligation.nonnegative])
    except (Exception, ProofTimeout):   # the verdict above says what happened; this is a picture
        return None
    if not shown:
        return "" if obligation.zero else None
    return "\\begin{gathered}\n" + text + "\n\\end{gathered}" if len(shown) > 1 else text


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

    from regverify.cli import _plain
    return {f"{r.derivation}/{r.claim.name}": without_timings(json.loads(json.dumps(_plain(r.as_dict()))))
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
    # in id order: the registry's order is the order the pages were imported in, which differs
    # between a command and a test session or a notebook
    catalog = sorted(catalog or derivations, key=lambda d: d.id)
    derivations = sorted(derivations, key=lambda d: d.id)
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


# --- writing and checking ----------------------------------------------------------------------
def write_bytes(path: Path, data: bytes) -> None:
    """Atomically, with the user's umask (a temporary file is 0600; the result is not)."""
    from regverify.grading.batch import current_umask
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as handle:
        handle.write(data)
    os.chmod(handle.name, 0o666 & ~current_umask())
    os.replace(handle.name, path)


def write(rendered: Rendered, out: str | Path, prune_figures: bool = False) -> list[str]:
    """Write the files; with ``prune_figures`` (a full run) remove figures no longer drawn.
    Returns the paths written or removed, relative to ``out``."""
    out = Path(out)
    changed = []
    for relative, data in sorted(rendered.files.items()):
        path = out / relative
        if not path.is_file() or path.read_bytes() != data:
            write_bytes(path, data)
            changed.append(relative)
    if prune_figures and (out / FIGURES).is_dir():
        for stale in sorted((out / FIGURES).glob("*.png")):
            if f"{FIGURES}/{stale.name}" not in rendered.files:
                stale.unlink()
                changed.append(f"{FIGURES}/{stale.name} (removed)")
    return changed


def owned(out: Path) -> set[str]:
    """The files of a report folder that regverify writes: *.md and figures/*.png."""
    found = {p.name for p in out.glob("*.md")} if out.is_dir() else set()
    if (out / FIGURES).is_dir():
        found |= {f"{FIGURES}/{p.name}" for p in (out / FIGURES).glob("*.png")}
    return found


def compare(rendered: Rendered, out: str | Path, full: bool) -> list[str]:
    """Each file of ``out`` that differs from a fresh rendering, with why. ``full``: the whole
    folder was regenerated, so a report or figure that it no longer makes is stale too.

    The fresh files go through a temporary folder, as they would be written."""
    out = Path(out)
    differences = []
    with tempfile.TemporaryDirectory(prefix="regverify-report-") as fresh:
        write(rendered, fresh)
        for relative in sorted(rendered.files):
            mine, theirs = Path(fresh) / relative, out / relative
            if not theirs.is_file():
                differences.append(f"{theirs}: missing")
            elif theirs.read_bytes() != mine.read_bytes():
                differences.append(f"{theirs}: differs{_why(theirs, mine)}")
        if full:
            for relative in sorted(owned(out) - set(rendered.files)):
                differences.append(f"{out / relative}: not generated any more (stale; delete it)")
    return differences


def _why(old: Path, new: Path) -> str:
    """Where a stale file first differs: the line number and both versions of the line."""
    if old.suffix != ".md":
        return ": image differs" if old.suffix == ".png" else ""
    a = old.read_text(encoding="utf-8", errors="replace").splitlines()
    b = new.read_text(encoding="utf-8").splitlines()
    for number_, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            if x.startswith("Made with Python") and y.startswith("Made with Python"):
                return f" (line {number_}: made with other versions; this machine: {y[10:]})"
            return f" at line {number_}\n    committed: {_brief(x, y)}\n    fresh:     {_brief(y, x)}"
    return f" (its length: {len(a)} lines, fresh: {len(b)})"


def _brief(line: str, other: str, width: int = 100) -> str:
    """``line`` cut to ``width`` characters around where it starts to differ from ``other``."""
    if len(line) <= width:
        return line
    start = next((i for i, (x, y) in enumerate(zip(line, other)) if x != y), min(len(line), len(other)))
    start = max(0, min(start - width // 3, len(line) - width))
    return ("…" if start else "") + line[start:start + width] + ("…" if start + width < len(line) else "")
