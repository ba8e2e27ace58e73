"""A holding claim is proved for every size where SymPy can give it; the few built at explicit sizes
say on their page why a size-free proof is out of reach."""
import pytest

from regverify.claims import Expect
from regverify.registry import all_derivations

AT_MOST_SIZED = 12


def holding_obligations():
    return [(f"{d.id}/{c.name}", c.obligation()) for d in all_derivations() for c in d.claims
            if c.expect is Expect.HOLDS and c.symbolic is not None]


@pytest.mark.slow
def test_few_holding_claims_are_proved_only_at_explicit_sizes_and_each_says_why():
    sized = {name: o for name, o in holding_obligations() if o is not None and o.scope.startswith("sizes")}
    assert len(sized) <= AT_MOST_SIZED, sorted(sized)
    unexplained = [name for name, o in sized.items() if len(o.sized_because.split()) < 6]
    assert not unexplained, unexplained
