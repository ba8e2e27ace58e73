"""Plain text, code and tables as Markdown shows them."""
from __future__ import annotations

import re

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


def table(rows, headers=("", "")) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def anchor(claim: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", claim.lower()).strip("-") or "claim"
