import pytest

from regverify.registry import all_derivations


def every_claim():
    return [pytest.param(d, c, id=f"{d.id}/{c.name}")
            for d in all_derivations() for c in d.claims]


@pytest.fixture(autouse=True, scope="session")
def one_blas_thread():
    """The checks multiply tiny matrices: a BLAS thread pool only slows them down."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        yield
