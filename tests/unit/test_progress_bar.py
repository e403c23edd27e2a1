"""A run stopped part-way (SIGTERM's ``Terminated``, Ctrl-C) closes its progress bar on the way out, so the
message printed next on stderr starts a line of its own.

Before the fix the bar was closed only when the run finished: ``govsim: terminated by SIGTERM ...`` was
appended to the bar's line (``simulating:  48%|... 177/365 [...]govsim: terminated ...``).
"""

from __future__ import annotations

import pytest

from govsim import model as model_module
from govsim.compose import compose
from govsim.model import GovernanceModel
from govsim.stopping import Terminated


def test_a_run_stopped_part_way_closes_its_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = []
    make_bar = model_module._progress

    def kept(total: float, enabled: bool):  # noqa: ANN202 - the model's own bar, kept to look at
        bars.append(make_bar(total, enabled))
        return bars[-1]

    monkeypatch.setattr(model_module, "_progress", kept)
    cfg = compose(["scenario=one_town", "horizon_days=30", "warmup_days=5", "output.progress=true"])
    m = GovernanceModel(cfg)
    days = []

    def stop(model: GovernanceModel) -> None:  # what SIGTERM does in the middle of a run
        days.append(model.env.now)
        if len(days) == 2:
            raise Terminated("SIGTERM")

    m.on_week.append(stop)
    with pytest.raises(Terminated):
        m.run(progress=True)
    (bar,) = bars
    assert bar is not None and 0 < bar.n < 30  # stopped part-way, with a bar that had moved
    assert bar.disable  # tqdm's mark of a closed bar: its line was ended
