import pytest

import derivations


def every_claim():
    return [pytest.param(d, c, id=f"{d.id}/{c.name}")
            for d in derivations.all_derivations() for c in d.claims]
