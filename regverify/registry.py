"""One registration per derivation, and discovery of every derivation module.

Adding a derivation means adding one module to ``regverify.derivations`` that calls
``register``; nothing else needs to change. The engine never imports a lecture page by name: it
finds them in that package.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

from regverify.claims import Derivation

_REGISTRY: dict[str, Derivation] = {}


class DuplicateDerivation(ValueError):
    pass


def register(derivation: Derivation) -> Derivation:
    """Record a derivation under its id; a second one with the same id is an error."""
    derivation.module = derivation.module or sys._getframe(1).f_globals.get("__name__", "?")
    existing = _REGISTRY.get(derivation.id)
    if existing is not None and existing.module != derivation.module:
        raise DuplicateDerivation(
            f"derivation id {derivation.id!r} is registered twice: by {existing.module} and by "
            f"{derivation.module}; rename one of them")
    names = [c.name for c in derivation.claims]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{derivation.id} ({derivation.module}) repeats claim names {repeated}")
    for claim in derivation.claims:
        if claim.corrected_by is not None and claim.corrected_by not in names:
            raise ValueError(f"{derivation.id}/{claim.name} is corrected by "
                             f"{claim.corrected_by!r}, which {derivation.id} does not have")
    _REGISTRY[derivation.id] = derivation
    return derivation


LECTURE_PAGES = "regverify.derivations"


def discover() -> None:
    """Import every lecture page so that each registers its derivation."""
    package = importlib.import_module(LECTURE_PAGES)
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{LECTURE_PAGES}.{info.name}")


def all_derivations() -> list[Derivation]:
    discover()
    return list(_REGISTRY.values())


def get(derivation_id: str) -> Derivation:
    discover()
    try:
        return _REGISTRY[derivation_id]
    except KeyError:
        raise KeyError(f"unknown derivation {derivation_id!r}; valid ids: "
                       f"{', '.join(sorted(_REGISTRY))}") from None
