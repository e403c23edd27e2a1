"""Residents' daily trust drift (``Residents.drift``), done block by block, equals the whole-array update.

The block-wise update keeps one temporary for the run and works on ``DRIFT_BLOCK`` residents at a time
(for the cache); it must give the very same bits as ``trust += (initial - trust) * rate`` done as three
elementwise passes over the whole array, at sizes below, at and across block boundaries.
"""

from __future__ import annotations

import numpy as np
import pytest

from govsim.agents import Residents


def _residents(n: int, block: int) -> Residents:
    res = Residents.__new__(Residents)  # only the trust columns: the territory is not needed here
    res.trust = np.random.default_rng(n).random(n)
    res._initial_trust = 0.55
    res.DRIFT_BLOCK = block
    res._step = np.empty(min(n, block))
    return res


@pytest.mark.parametrize("n", [1, 7, 64, 65, 128, 300])
def test_blockwise_drift_equals_the_whole_array_update(n: int) -> None:
    res = _residents(n, block=64)
    whole = res.trust.copy()
    for day in range(30):
        step = np.subtract(0.55, whole)
        step *= 1 / 365
        whole += step
        res.drift()
        assert np.array_equal(res.trust, whole), (n, day)
    assert not np.array_equal(whole, _residents(n, 64).trust)  # trust did move
