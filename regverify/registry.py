"""One registration per derivation, and discovery of every derivation's page.

Adding a derivation means adding one folder to ``regverify.derivations`` whose page calls
``register``; nothing else needs to change. The engine never imports a lecture page by name: it
finds them in that package.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

from regverify.claims import Derivation, Expect

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
        where = f"{derivation.id}/{claim.name} ({derivation.module})"
        if claim.corrected_by is not None and claim.corrected_by not in names:
            raise ValueError(f"{where} is corrected by {claim.corrected_by!r}, which "
                             f"{derivation.id} does not have")
        if claim.expect.wrong and claim.corrected_by is None:
            raise ValueError(f"{where} is a{'n' if claim.expect is Expect.ERRATUM else ''} "
                             f"{claim.expect.value}: name the claim that corrects it (corrected_by=)")
        if (claim.expect is Expect.ERRATUM) != (claim.source is not None):
            raise ValueError(f"{where}: an erratum, and only an erratum, quotes the material "
                             f"(source=Printed(file, line, quote)); a wrong statement that is not "
                             f"printed is a pitfall")
    _REGISTRY[derivation.id] = derivation
    return derivation


LECTURE_PAGES = "regverify.derivations"


def discover() -> None:
    """Import every lecture page (a folder's ``__init__.py``) so that each registers its derivation."""
    package = importlib.import_module(LECTURE_PAGES)
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{LECTURE_PAGES}.{info.name}")


def catalog_position(derivation_id: str) -> tuple[int, str]:
    """Where a derivation stands in the catalog (``CATALOG_ORDER`` of the lecture pages); one
    the catalog does not list comes after, by id."""
    order = getattr(importlib.import_module(LECTURE_PAGES), "CATALOG_ORDER", ())
    return (order.index(derivation_id) if derivation_id in order else len(order), derivation_id)


def all_derivations() -> list[Derivation]:
    """Every derivation, in the catalog's order (never the order its pages were imported in)."""
    discover()
    check_uses()
    return sorted(_REGISTRY.values(), key=lambda d: catalog_position(d.id))


def check_uses() -> None:
    """Every claim a claim builds on exists ("claim" here, or "derivation/claim")."""
    known = {f"{d.id}/{c.name}" for d in _REGISTRY.values() for c in d.claims}
    for derivation in _REGISTRY.values():
        for claim in derivation.claims:
            for used in claim.uses:
                full = used if "/" in used else f"{derivation.id}/{used}"
                if full not in known:
                    raise ValueError(f"{derivation.id}/{claim.name} uses {used!r}, which is not a "
                                     f"registered claim")


def get(derivation_id: str) -> Derivation:
    discover()
    try:
        return _REGISTRY[derivation_id]
    except KeyError:
        raise KeyError(f"unknown derivation {derivation_id!r}; valid ids: "
                       f"{', '.join(sorted(_REGISTRY))}") from None
