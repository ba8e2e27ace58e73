"""Writing a rendering to a folder, and telling which files of a folder are stale, and why."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Rendered

FIGURES = "figures"


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
