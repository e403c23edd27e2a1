"""The cyclic garbage collector around one run: it scans what the run allocates, not the caller's heap.

A run allocates hundreds of thousands of objects and then collects on purpose (``runner.simulate``
after dropping the model graph), and the collector's automatic full collections fire while the model is
built. Each full collection walks every tracked object of the process: in a notebook that is the kernel,
pandas, Matplotlib, ipywidgets and the previous results — about 200,000 objects in notebook 02's slider
panel, where the deliberate collections (then two a run) found nothing or a few hundred objects yet took
0.1 s each, a third of a one_town year's update (measured with
``gc.callbacks``; ``benchmarks/bench_slider.py``). ``caller_heap_frozen`` moves the objects alive at the
start of a run to the permanent generation (``gc.freeze``) and puts them back at its end
(``gc.unfreeze``): the run's own garbage is collected exactly as before, the caller's objects are only
not rescanned while it runs, and nothing stays frozen afterwards, so no garbage of the caller's is kept
for good. The standard library offers this pair for this purpose (scanning a large long-lived heap);
there is no library to reach for instead.

A process that freezes its heap for good (the ``govsim`` command, through ``freeze_for_good`` from
``cli.freeze_start_up``) manages the permanent generation: it is left as it is, since ``gc.unfreeze``
cannot tell its objects from the run's. So is a process found with more frozen objects than the
interpreter's own when govsim was imported (someone else froze them).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["caller_heap_frozen", "freeze_for_good"]

PERMANENT_AT_IMPORT = gc.get_freeze_count()
"""Objects in the permanent generation when govsim was imported (the interpreter's own start-up, e.g.
375 under CPython 3.12); more than this means the process froze objects itself."""
_frozen_for_good = False  # set by freeze_for_good: this process keeps its permanent generation


def freeze_for_good() -> None:
    """Move every object alive now to the permanent generation for the rest of the process; collect on.

    Marks the process so that ``caller_heap_frozen`` leaves the permanent generation alone, whatever
    the order in which modules were imported. Only the ``govsim`` command's single run calls it
    (``cli.freeze_start_up``, which says why).
    """
    global _frozen_for_good
    _frozen_for_good = True
    gc.freeze()
    gc.enable()


@contextmanager
def caller_heap_frozen() -> Iterator[None]:
    """Freeze the objects alive now for the body, unfreeze them after (also on error). See the module.

    A no-op if the process froze its heap for good (``freeze_for_good``), froze objects of its own
    otherwise (``gc.get_freeze_count()`` above ``PERMANENT_AT_IMPORT``) or the collector is disabled.
    The interpreter's own frozen start-up objects are unfrozen with the rest at the end: they become
    ordinary old objects, as in any process that never froze.
    """
    if _frozen_for_good or gc.get_freeze_count() > PERMANENT_AT_IMPORT or not gc.isenabled():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
