import pytest

from regverify.claims import Derivation, Expect, Identity

from regverify.registry import get, register
from regverify.registry import DuplicateDerivation


def test_registering_a_second_derivation_with_a_taken_id_names_both_modules():
    get("l2-shrinkage")        # the page registered first, whatever ran before this test
    other = Derivation(id="l2-shrinkage", title="x", sources=[], conventions="", assumptions=[],
                       symbols={}, claims=[], module="someone.else")
    with pytest.raises(DuplicateDerivation, match=r"derivations\.l2_shrinkage.*someone\.else"):
        register(other)
    assert get("l2-shrinkage").module == "regverify.derivations.l2_shrinkage"


def test_an_erratum_must_point_to_a_claim_of_its_own_derivation():
    claim = Identity(name="e", statement="", sample=None, lhs=None, rhs=None,
                     expect=Expect.ERRATUM, corrected_by="missing")
    with pytest.raises(ValueError, match="missing"):
        register(Derivation(id="test-only", title="", sources=[], conventions="", assumptions=[],
                            symbols={}, claims=[claim], module="tests"))


def test_an_unknown_id_lists_the_valid_ones():
    with pytest.raises(KeyError, match="valid ids"):
        get("nope")


def test_the_derivations_come_in_the_catalogs_order_and_the_catalog_lists_every_page(monkeypatch):
    from regverify import registry
    from regverify.derivations import CATALOG_ORDER
    ids = [d.id for d in registry.all_derivations()]
    assert ids == list(CATALOG_ORDER), "a page missing from CATALOG_ORDER comes last; list it there"
    # a page the catalog does not list comes after every listed one, and the order is not the import order
    extra = Derivation(id="aaa-unlisted", title="", sources=[], conventions="", assumptions=[],
                       symbols={}, claims=[], module="tests")
    monkeypatch.setitem(registry._REGISTRY, "aaa-unlisted", extra)
    monkeypatch.setattr(registry, "_REGISTRY", {"aaa-unlisted": extra, **dict(reversed(registry._REGISTRY.items()))})
    assert [d.id for d in registry.all_derivations()] == list(CATALOG_ORDER) + ["aaa-unlisted"]
