"""The status of a claim, and of everything it uses, as a colour of the graph and a mark."""
from __future__ import annotations

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
