"""The workbook's town sheet (按镇街) counts reports as the indicator sheet (指标) does.

Its reports (上报事件数) are the real tickets of the period, as the KPI ``incidents``, so the towns add up
to the KPI; the intake including duplicates and false reports is a separate, separately named column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim import labels, tables
from govsim.kpis import compute
from govsim.records import Records

NAN = np.nan
# town, reported, false report, duplicate of
TICKETS = [
    (0, 5.0, False, -1),  # warm-up: not in the period [10, 20)
    (0, 11.0, False, -1),
    (0, 12.0, False, 1),  # a duplicate of the ticket above
    (0, 13.0, True, -1),  # a false report
    (1, 14.0, False, -1),
    (1, 15.5, False, -1),
    (1, 19.9, False, 4),  # a duplicate
    (1, 20.0, False, -1),  # at the horizon: not in [10, 20)
    (1, NAN, False, -1),  # latent: not reported
]


@pytest.fixture(scope="module")
def rec() -> Records:
    """Two towns of 1,000 and 2,000 residents, the period [10, 20) (10 days)."""
    town, t_report, is_false, dup = (np.array(c) for c in zip(*TICKETS, strict=True))
    inc = pd.DataFrame(
        {"town": town, "t_report": t_report, "is_false": is_false, "duplicate_of": dup, "county": 0}
    )
    ts = pd.DataFrame({"day": np.repeat(np.arange(20), 2), "town": np.tile([0, 1], 20), "closures": 1})
    seen = ~np.isnan(t_report) & (t_report < 20)
    day = np.floor(t_report[seen]).astype(int)
    ts["arrivals"] = np.bincount(day * 2 + town[seen], minlength=40)  # every ticket, as town_day_series
    ts["backlog"] = 2
    grids = pd.DataFrame({"town": [0, 1, 1], "population": [1000, 1500, 500], "county_name": "示范县"})
    return Records(inc, ts, grids, (), (), ("甲镇", "乙镇"), ("示范县",), horizon=20.0, warmup=10.0)


def test_town_reports_are_the_kpis_incidents_and_add_up_to_them(rec):
    town = tables.town_table(rec)
    assert town["incidents"].tolist() == [1, 2]  # real tickets reported in [10, 20)
    assert town["incidents"].sum() == compute(rec.incidents, rec.warmup, rec.horizon)["incidents"]
    per_1000 = np.array([1 / 1000, 2 / 2000]) * 1000 * 365 / 10  # a year is 36.5 periods of 10 days
    np.testing.assert_allclose(town["reports_per_1000"], per_1000)


def test_town_sheet_keeps_the_intake_with_duplicates_and_false_reports_apart(rec):
    town = tables.town_table(rec)
    assert town["reports_all"].tolist() == [3, 3]  # plus the duplicates and the false report
    assert "arrivals" not in town  # the old ambiguous "reports" (上报数) column is gone


@pytest.mark.parametrize(
    ("lang", "reports", "all_reports"),
    [
        ("zh", "上报事件数", "上报工单总数(含重复、虚假上报)"),
        ("en", "incidents reported", "all tickets reported (incl. duplicates and false reports)"),
    ],
)
def test_town_headers_say_which_reports_in_both_languages(rec, lang, reports, all_reports):
    shown = tables.localise(tables.town_table(rec), lang).columns.tolist()
    assert reports in shown and all_reports in shown
    assert labels.column("incidents", lang) == reports  # the indicator sheet's own name for it
    assert tables.number_format("reports_all") == tables.INTEGER
