"""Every KPI defined as a rate (``govsim.kpis.RATES``) is shown as a per cent, in ``summary.txt`` and in
``results.xlsx`` alike; the others are not.

Before the fix 15秒接通率 and 30秒接通率 (``answered_15s``, ``answered_30s``) were shown as 0.90 beside 93.5 %
for 接通率: the rate test looked only at the key's ending (``rate``, ``share``).
"""

from __future__ import annotations

import pytest

from govsim import kpis, labels
from govsim.metrics import format_kpi
from govsim.tables import PERCENT, number_format


def test_the_hotline_service_levels_are_rates() -> None:
    assert {"answered_15s", "answered_30s", "answer_rate", "on_site_share"} <= set(kpis.RATES)


@pytest.mark.parametrize("key", kpis.RATES)
def test_every_rate_is_shown_as_a_per_cent(key: str) -> None:
    assert labels.is_rate(key)
    assert format_kpi(key, 0.9) == "90.0%"
    assert number_format(key) == PERCENT


@pytest.mark.parametrize("key", [k.key for k in kpis.DEFINITIONS if k.kind != "rate"])
def test_no_other_kpi_is_shown_as_a_per_cent(key: str) -> None:
    assert not labels.is_rate(key)
    assert "%" not in format_kpi(key, 0.9)
    assert number_format(key) != PERCENT
