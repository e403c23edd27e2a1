"""``collector.caller_heap_frozen``: the caller's objects are skipped while a run collects, and given back."""

from __future__ import annotations

import gc
import weakref

import pytest

from govsim import collector
from govsim.collector import PERMANENT_AT_IMPORT, caller_heap_frozen, freeze_for_good


class Node:
    """A reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def is_frozen(obj: object) -> bool:
    """Whether ``obj`` (a tracked object) is in the permanent generation: the generations 0-2 lack it.

    Tests ask this of one object of their own rather than compare ``gc.get_freeze_count()`` before and
    after: frozen objects freed meanwhile leave the count, and another thread of the process (pytest-xdist's
    execnet receiver) may free some at any time; CI saw the count fall by 2 between two lines.
    """
    return not any(o is obj for o in gc.get_objects())


@pytest.fixture
def collector_on(monkeypatch):
    """The collector on, nothing frozen, the process not marked: whatever earlier tests here left."""
    monkeypatch.setattr(collector, "_frozen_for_good", False)
    was = gc.isenabled()
    gc.unfreeze()  # an in-process run of the command in this pytest worker may have frozen its heap
    gc.enable()
    yield
    gc.unfreeze()
    if not was:
        gc.disable()


def test_the_callers_objects_are_frozen_inside_and_given_back_after(collector_on) -> None:
    old = Node()
    assert gc.get_freeze_count() <= PERMANENT_AT_IMPORT
    assert not is_frozen(old)
    with caller_heap_frozen():
        assert is_frozen(old)  # the old heap is out of the collector's way
        young = weakref.ref(Node())  # garbage made by the run: collected inside, as before
        gc.collect()
        assert young() is None
        gone = weakref.ref(old)
        del old  # the caller's cycle becomes garbage while frozen: kept for now ...
        gc.collect()
        assert gone() is not None
    assert gc.get_freeze_count() == 0  # ... nothing stays frozen after the run
    gc.collect()
    assert gone() is None  # ... and the caller's garbage is collected as in any process


def test_given_back_when_the_body_raises(collector_on) -> None:
    with pytest.raises(RuntimeError), caller_heap_frozen():
        raise RuntimeError("run failed")
    assert gc.get_freeze_count() == 0


def test_a_process_that_froze_its_own_objects_is_left_as_it_is(collector_on) -> None:
    theirs = Node()
    gc.freeze()  # as the govsim command does at start-up (cli.freeze_start_up)
    try:
        assert gc.get_freeze_count() > PERMANENT_AT_IMPORT
        young = Node()
        with caller_heap_frozen():
            assert not is_frozen(young)  # not frozen by the run
        assert is_frozen(theirs)  # not unfrozen by the run
    finally:
        gc.unfreeze()


def test_a_process_frozen_for_good_is_left_frozen_whatever_the_counts(collector_on, monkeypatch) -> None:
    """The command's freeze (``freeze_for_good``) holds even if govsim was imported after it froze."""
    theirs = Node()
    freeze_for_good()
    monkeypatch.setattr(collector, "PERMANENT_AT_IMPORT", gc.get_freeze_count())  # as if imported late
    young = Node()
    with caller_heap_frozen():
        assert not is_frozen(young)  # not frozen by the run
    assert is_frozen(theirs)  # not unfrozen by the run


def test_simulate_collects_with_the_callers_heap_frozen(collector_on, monkeypatch) -> None:
    """``runner.simulate`` runs inside it: its deliberate collection sees the run's objects only."""
    from govsim import runner
    from govsim.teaching import town_config

    seen: list[int] = []
    real_collect = gc.collect

    def collect(*args: int) -> int:
        seen.append(gc.get_freeze_count())
        return real_collect(*args)

    monkeypatch.setattr(runner.gc, "collect", collect)
    runner.simulate(town_config(seed=0, horizon_days=40))
    assert seen and all(n > PERMANENT_AT_IMPORT for n in seen)
    assert gc.get_freeze_count() == 0
