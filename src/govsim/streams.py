"""Named random streams: one per stochastic process, keyed on (seed, replication, name); shared draws.

design.md §4: one ``numpy.random.SeedSequence((seed, replication))`` spawned into named streams. A
stream's key is a stable hash of its *name* (not its position in a list, and never the policy), so
adding a stream does not move the others, and two policies run with the same seed and replication
see the same incidents (common random numbers).
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

STREAM_NAMES: tuple[str, ...] = (
    "territory",  # the built world: grid demand heterogeneity (``scenario.build_scenario``)
    "occurrence",  # counts, times, places and categories of latent incidents
    "severity",  # initial severity and growth clocks
    "discovery",  # unit exponentials racing patrol against resident report
    "reporting",  # reporter, channel
    "duplicates",  # second reports through another channel
    "false_reports",  # reports of things that did not happen
    "onsite",  # on-site resolution uniforms
    "triage",  # centre handling times
    "routing",  # mis-route uniforms
    "service",  # department work content
    "feedback",  # satisfaction, reopen and petition uniforms
    "workforce",  # grid-worker turnover
    "agents",  # handed to Mesa as its ``rng``; govsim draws nothing from Mesa's ``random``
    "onsite_time",  # grid-worker hours of each on-site resolution (one draw per ticket)
    "residents",  # residents' fixed traits: reporting propensity (``agents.Residents``)
    "grading",  # graded triage: mis-grading uniform (one draw per ticket)
    "extension",  # approval of deadline extensions (延期), one uniform per ticket (govsim.extensions)
    "calls",  # 12345 hotline: consultation calls, patience and seat times of first attempts, app shift
    "call_retry",  # 12345 hotline: retry decisions and delays, later attempts, where lost callers go
    "overseas",  # 侨乡 demands: counts, places, report times and departments needed
)


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name (CRC-32, identical across runs and platforms)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The named stream of (seed, replication), alone: the same draws as ``make_streams(...)[name]``."""
    if name not in STREAM_NAMES:
        raise KeyError(f"stream {name!r}: allowed: {', '.join(STREAM_NAMES)}")
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=(replication, stream_key(name))))
    )


def make_streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """Return one independent ``Generator`` per name in ``STREAM_NAMES``."""
    return {name: stream(seed, replication, name) for name in STREAM_NAMES}


def standard_work(rng: np.random.Generator, family: str, cv: float, size: Any) -> np.ndarray:
    """Draws with mean 1 and coefficient of variation ``cv`` from the named family."""
    if family == "exponential":
        return rng.exponential(1.0, size)
    if family == "gamma":
        k = 1.0 / cv**2
        return rng.gamma(k, 1.0 / k, size)
    if family == "lognormal":
        s2 = np.log1p(cv**2)
        return rng.lognormal(-s2 / 2, np.sqrt(s2), size)
    return np.ones(size)


def pick(cum: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index drawn by uniforms ``u`` from cumulative probabilities ``cum`` (last = 1)."""
    # the array method: ``np.searchsorted`` is a Python wrapper, a cost per call that small runs feel
    return np.minimum(cum.searchsorted(u, side="right"), len(cum) - 1)
