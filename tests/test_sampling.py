"""Samplers honour the assumptions they promise (property tests)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from regverify.numerics import sampling

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 8)


@settings(max_examples=60, deadline=None)
@given(seeds, sizes)
def test_spd_matrices_are_symmetric_with_positive_eigenvalues(seed, n):
    h = sampling.spd(np.random.default_rng(seed), n)
    assert np.allclose(h, h.T) and np.linalg.eigvalsh(h).min() > 0


@settings(max_examples=60, deadline=None)
@given(seeds, sizes)
def test_orthogonal_matrices_satisfy_qtq_equals_identity(seed, n):
    q = sampling.orthogonal(np.random.default_rng(seed), n)
    assert np.allclose(q.T @ q, np.eye(n), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(seeds, sizes)
def test_psd_matrices_are_singular_but_not_negative(seed, n):
    h = sampling.psd(np.random.default_rng(seed), n)
    eig = np.linalg.eigvalsh(h)
    assert eig.min() > -1e-10 * max(1.0, eig.max())


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_scalar_domains_are_respected(seed):
    rng = np.random.default_rng(seed)
    assert np.all((sampling.unit_interval(rng, 50) > 0) & (sampling.unit_interval(rng, 50) < 1))
    assert np.all(sampling.positive(rng, shape=50) > 0)
    assert np.all(sampling.signed(rng, 50) != 0)
    assert set(np.unique(sampling.binary(rng, 50))) <= {0.0, 1.0}
    assert 2 <= sampling.size(rng) <= 5


def test_signed_samples_have_both_signs():
    values = sampling.signed(np.random.default_rng(0), 100)
    assert (values > 0).any() and (values < 0).any()


def test_sizes_vary_between_trials():
    rng = np.random.default_rng(0)
    assert len({sampling.size(rng) for _ in range(30)}) > 1
