"""The derivations' reports (reports/*.md) as HTML pages, their mathematics as MathML.

The Markdown is rendered by markdown-it-py (CommonMark with tables), ``$...$`` and ``$$...$$``
by mdit-py-plugins' dollarmath with latex2mathml, so a browser shows the formulas without any
script or network access. Links between reports, to their figures and to the course material
are rewritten to the server's own addresses.
"""
from __future__ import annotations

import html
import posixpath
import re
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

REPORT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def default_reports_dir() -> Path | None:
    """The reports installed with the package (regverify/reports/ in a wheel), else the source
    checkout's reports/ (an editable install), else None."""
    import regverify
    package = Path(regverify.__file__).parent
    return next((folder for folder in (package / "reports", package.parent / "reports")
                 if (folder / "README.md").is_file()), None)


def material_dir() -> Path:
    return Path(str(resources.files("regverify.material")))


def _math(latex: str, display: str) -> str:
    from latex2mathml.converter import convert
    try:
        return convert(latex, display=display)
    except Exception:   # a formula latex2mathml cannot read is shown as its source
        print(f"regverify serve: cannot typeset {latex!r} in a report; shown as LaTeX", file=sys.stderr)
        return f"<code>{html.escape(latex)}</code>"


def local_address(href: str) -> str:
    """A link as written in a report (relative to reports/) as the server's address for it."""
    if not href or href.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) or href.startswith("/"):
        return href
    path, _, fragment = href.partition("#")
    target = posixpath.normpath(posixpath.join("reports", path))
    suffix = f"#{fragment}" if fragment else ""
    if target == "reports/README.md":
        return "/reports/" + suffix
    if target.startswith("reports/figures/"):
        return "/" + target
    if target.startswith("reports/") and target.endswith(".md"):
        return f"/reports/{target[len('reports/'):-3]}{suffix}"
    if target.startswith("regverify/material/"):
        return f"/material/{target[len('regverify/material/'):]}{suffix}"
    return href


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True,
           renderer=lambda latex, options: _math(latex, "block" if options.get("display_mode") else "inline"))
    default_link, default_image = md.renderer.rules.get("link_open"), md.renderer.rules.get("image")

    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        token.attrSet("href", local_address(token.attrGet("href") or ""))
        return default_link(tokens, idx, options, env) if default_link else self.renderToken(tokens, idx, options, env)

    def image(self, tokens, idx, options, env):
        token = tokens[idx]
        token.attrSet("src", local_address(token.attrGet("src") or ""))
        return default_image(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("image", image)
    return md


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body class="report">
<a class="skip" href="#report">Skip to the report</a>
<nav class="top" aria-label="Site"><a href="/">Practice questions</a> · <a href="/reports/">All reports</a></nav>
<main id="report">
{body}
</main>
</body>
</html>
"""


class Reports:
    """The reports of one folder: their ids, titles and pages (rendered once each)."""

    def __init__(self, directory: Path | None):
        self.directory = Path(directory) if directory is not None else None
        self._pages: dict[str, str] = {}

    def ids(self) -> list[str]:
        if self.directory is None:
            return []
        return sorted(p.stem for p in self.directory.glob("*.md") if REPORT_NAME.match(p.stem))

    def title(self, report_id: str) -> str | None:
        path = self._path(report_id)
        if path is None:
            return None
        with path.open(encoding="utf-8") as handle:
            first = handle.readline().strip()
        return first[2:].replace("\\", "") if first.startswith("# ") else None

    def _path(self, report_id: str) -> Path | None:
        if self.directory is None or not (report_id == "README" or REPORT_NAME.match(report_id)):
            return None
        path = self.directory / f"{report_id}.md"
        return path if path.is_file() else None

    def page(self, report_id: str) -> str | None:
        """The report as a whole HTML page, or None if there is no such report."""
        if report_id not in self._pages:
            path = self._path(report_id)
            if path is None:
                return None
            text = path.read_text(encoding="utf-8")
            title = self.title(report_id) or report_id
            self._pages[report_id] = PAGE.format(title=html.escape(title), body=_markdown().render(text))
        return self._pages[report_id]
