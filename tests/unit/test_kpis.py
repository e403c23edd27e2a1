"""Each KPI computed by hand on a tiny table of tickets (period [10, 20)) and compared with ``govsim.kpis``.

The tickets (real unless said; days):
  0 routed, reported 11, handled 12–13 (deadline 15: on time), closed 14, satisfied
  1 routed, reported 12, started 14 (dispatched 12.1: late response), handled by 18 (deadline 16: late),
    reopened once, closed 19 unsatisfied, became a petition, reminded (rung 1)
  2 routed, reported 15, waiting at the department at the end, deadline 18: due and open → overdue
  3 routed, reported 18, in handling at the end, deadline 25: not due; mis-routed once
  4 found by patrol, resolved on site at 13–13.1, satisfied
  5 duplicate of 0, handled (not merged);  6 duplicate of 1, merged at intake;  7 false report
  8 reported at 5 (before the period), deadline 12, handled 11: due in the period and on time
  9 latent: occurred 17, not reported by the end
 10 routed, reported 10.5, handled by 19.5 (deadline 19: late), feedback not given by the end, lifted (rung 3)
 11 routed, reported 16, handled, reopened, back in the department's hands at the end
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from govsim import kpis

NAN = math.nan
COLUMNS = (
    "is_false duplicate_of end_state channel t_occur t_report t_triage_start t_triage_end t_dept_arrive "
    "t_handle_start t_handle_end t_close deadline department on_site reopen_count satisfied petitioned "
    "escalation_level n_misroutes"
).split()
ROWS = [
    # false dup  end ch occur rep  tri_s tri_e arrive start end  close  dl dept onsite reo sat pet esc mis
    (False, -1, 0, 1, 10.0, 11.0, 11.0, 11.1, 11.5, 12.0, 13.0, 14.0, 15, 0, False, 0, 1, False, 0, 0),
    (False, -1, 0, 1, 11.0, 12.0, 12.0, 12.1, 12.6, 14.0, 18.0, 19.0, 16, 0, False, 1, 0, True, 1, 0),
    (False, -1, 1, 1, 13.0, 15.0, 15.1, 15.2, 15.5, NAN, NAN, NAN, 18, 0, False, 0, -1, False, 2, 0),
    (False, -1, 1, 1, 17.5, 18.0, 18.0, 18.1, 18.5, 18.6, NAN, NAN, 25, 0, False, 0, -1, False, 0, 1),
    (False, -1, 0, 0, 12.5, 13.0, NAN, NAN, NAN, 13.0, 13.1, 13.1, 16, -1, True, 0, 1, False, 0, 0),
    (False, 0, 0, 2, 10.0, 11.5, 11.5, 11.6, 12.0, 12.5, 13.0, 14.0, 15, 0, False, 0, 1, False, 0, 0),
    (False, 1, 2, 3, 11.0, 12.5, NAN, NAN, NAN, NAN, NAN, NAN, 16, -1, False, 0, -1, False, 0, 0),
    (True, -1, 0, 1, NAN, 14.0, 14.0, 14.1, NAN, NAN, NAN, 14.1, NAN, -1, False, 0, -1, False, 0, 0),
    (False, -1, 0, 1, 4.0, 5.0, 5.0, 5.1, 5.5, 6.0, 11.0, 12.0, 12, 0, False, 0, 1, False, 0, 0),
    (False, -1, 1, 0, 17.0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, -1, False, 0, -1, False, 0, 0),
    (False, -1, 1, 1, 10.2, 10.5, 10.5, 10.6, 10.9, 16.0, 19.5, NAN, 19, 0, False, 0, 1, False, 3, 0),
    (False, -1, 1, 1, 15.5, 16.0, 16.0, 16.2, 16.3, 16.5, NAN, NAN, 30, 0, False, 1, -1, False, 0, 0),
]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """The tickets, with a response limit of one day after dispatch (the working-day rule has its own
    test) and no extension (延期) approved."""
    t = pd.DataFrame(ROWS, columns=COLUMNS)
    return t.assign(response_due=t["t_triage_end"] + 1.0, extended=False)


@pytest.fixture(scope="module")
def k(table) -> dict[str, float]:
    return kpis.compute(table, 10.0, 20.0)


HAND = {
    # key: (numerator, denominator) worked out from the docstring's tickets
    "on_time_rate": (2, 5),  # due: 0, 1, 2, 8, 10; on time: 0, 8
    "overdue_rate": (3, 5),  # 1 late, 2 open past its deadline, 10 late
    "closure_rate": (4, 5),  # handled by 20: 0, 1, 8, 10
    "extension_rate": (0, 5),  # no extension approved
    "on_site_share": (1, 7),  # reported in the period: 0, 1, 2, 3, 4, 10, 11
    "response_rate": (3, 6),  # limit = dispatch + 1 in the period: 0, 1, 2, 3, 10, 11; in time: 0, 3, 11
    "followup_rate": (3, 4),  # handled: 0, 1, 4, 10; called back by 20: 0, 1, 4
    "satisfaction_rate": (2, 3),  # closed with feedback: 0, 1, 4; satisfied: 0, 4
    "reopen_rate": (2, 4),  # routed and handled at least once: 0, 1, 10, 11; reopened: 1, 11
    "petition_rate": (1, 7),
    "open_share": (4, 7),  # 2, 3, 10, 11 not closed by 20
    "patrol_share": (1, 7),
    "escalation_rate": (3, 6),  # routed reported: 0, 1, 2, 3, 10, 11; rung >= 1: 1, 2, 10
    "lifted_rate": (1, 6),
    "misroute_rate": (1, 6),
}


@pytest.mark.parametrize("key", list(HAND))
def test_each_rate_by_hand(k, key):
    num, den = HAND[key]
    assert (k[f"{key}_num"], k[f"{key}_den"]) == (num, den)
    assert k[key] == pytest.approx(num / den)


def test_on_time_and_overdue_make_all_cases_due(table):
    """On-time + overdue = 100 % of cases due, exactly: counts, not a rate within a tolerance.

    Ticket 10 (deadline 19, handled 19.5) had an extension (延期) approved that moved its deadline to 19.6:
    it is on time, as practice counts it, and extended. Due: 0, 1, 2, 8, 10; on time: 0, 8, 10;
    overdue: 1 (handled late) and 2 (open at the end, past its deadline 18).
    """
    ext = table.assign(extended=table.index == 10, deadline=table["deadline"].where(table.index != 10, 19.6))
    k = kpis.compute(ext, 10.0, 20.0)
    dens = {k[f"{r}_den"] for r in ("on_time_rate", "overdue_rate", "closure_rate", "extension_rate")}
    assert dens == {5.0}
    assert (k["on_time_rate_num"], k["overdue_rate_num"], k["extension_rate_num"]) == (3, 2, 1)
    assert k["on_time_rate_num"] + k["overdue_rate_num"] == k["on_time_rate_den"]
    assert k["closure_rate_num"] == 4  # ticket 2, open and overdue, is due but not handled


def test_on_time_and_overdue_partition_the_due_cases_of_a_run(make_config):
    """The same, exactly, on an overloaded run with open-and-overdue and extended cases: the due cohort,
    its on-time and its overdue cases counted independently from the records."""
    from govsim.model import GovernanceModel

    cfg = make_config("scenario=one_town", "horizon_days=60", "policy.mechanism.department_staffing=0.5")
    rec = GovernanceModel(cfg).run()
    inc, a, b = rec.incidents, rec.warmup, rec.horizon
    k = kpis.compute(inc, a, b)
    real = ~inc["is_false"] & (inc["duplicate_of"] < 0)
    due = real & (inc["department"] >= 0) & (inc["deadline"] > a) & (inc["deadline"] <= b)  # (a, b]
    on_time = due & (inc["t_handle_end"] <= inc["deadline"])
    open_overdue = due & inc["t_handle_end"].isna()
    extended = due & inc["extended"]
    assert open_overdue.sum() > 0 and extended.sum() > 0  # the cases the identity must hold for
    assert (extended & (inc["deadline"] > inc["deadline_initial"])).sum() == extended.sum()
    assert k["on_time_rate_den"] == k["overdue_rate_den"] == due.sum()
    assert k["on_time_rate_num"] == on_time.sum()
    assert k["overdue_rate_num"] == (due & ~on_time).sum() >= open_overdue.sum()
    assert k["on_time_rate_num"] + k["overdue_rate_num"] == k["on_time_rate_den"]
    assert k["extension_rate_num"] == extended.sum()
    # the record's own flag says the same of every case due in the run, including one whose deadline is
    # the horizon itself (the end of the last day) and is still open there
    run_due = real & (inc["department"] >= 0) & (inc["deadline"] <= b)
    at_end = run_due & (inc["deadline"] == b) & inc["t_handle_end"].isna()
    assert at_end.sum() > 0  # the edge this is about
    late = ~(inc["t_handle_end"] <= inc["deadline"])
    assert (inc.loc[run_due, "overdue"] == late[run_due]).all()


def test_response_limit_counts_working_days():
    """响应率 counts its limit in working days (``WorkCalendar.due``), as practice does.

    Dispatched Friday 5 January 2024 at 17:00 (day 4.708), first contact Monday 8 January at 10:00
    (day 7.417): within one working day (the limit ends with Monday, day 8.0). Counted in calendar time
    (dispatch + 1 day = Saturday 17:00) it would be late.
    """
    from govsim.extensions import response_due
    from govsim.officetime import build_calendar

    cal = build_calendar("2024-01-01")
    dispatch = 4 + 17 / 24
    due = response_due(np.array([dispatch, np.nan]), cal, kpis.RESPONSE_WORKING_DAYS)
    assert due[0] == 8.0 and np.isnan(due[1])
    t = pd.DataFrame({"t_report": [4.6], "t_triage_end": [dispatch], "t_handle_start": [7 + 10 / 24]})
    t = t.assign(department=0, response_due=due[:1])
    k = kpis.compute(t, 0.0, 10.0)
    assert (k["response_rate_num"], k["response_rate_den"]) == (1, 1)


def test_counts_by_hand(k):
    assert k["incidents"] == 7  # real tickets reported in [10, 20)
    assert (k["duplicate_tickets"], k["merged_duplicates"], k["false_reports"]) == (1, 1, 1)


def test_resolution_time_is_censored_by_hand(k):
    """Report → close, open tickets censored at 20: 0.1, 2+, 3, 4+, 5+, 7, 9.5+ (+ = still open).

    Kaplan–Meier: S = 6/7 from 0.1, × 4/5 = 24/35 from 3, × 1/2 = 12/35 from 7. Restricted mean to 9.5:
    0.1 + 2.9·6/7 + 4·24/35 + 2.5·12/35. Median 7 (first S ≤ 1/2); p90 unknown (S never ≤ 0.1).
    """
    assert k["resolution_mean"] == pytest.approx(0.1 + 2.9 * 6 / 7 + 4 * 24 / 35 + 2.5 * 12 / 35)
    assert k["resolution_median"] == 7.0
    assert math.isnan(k["resolution_p90"])
    assert (k["resolution_n"], k["resolution_open"]) == (7, 4)
    closed_only = np.mean([3.0, 7.0, 0.1])
    assert k["resolution_mean"] > closed_only  # what leaving the open cases out used to report


def test_other_times_by_hand(k):
    # discovery, occurrence in [10, 20): 0.3, 0.5, 0.5, 0.5, 1, 1, 2, and ticket 9 latent for 3+
    assert k["discovery_delay"] == pytest.approx(0.3 + 0.2 * 7 / 8 + 0.5 * 4 / 8 + 1 * 2 / 8 + 1 * 1 / 8)
    assert k["triage_wait"] == pytest.approx(0.1 / 6)  # only ticket 2 waited (0.1)
    assert k["routing_time"] == pytest.approx((0.4 + 0.5 + 0.3 + 0.4 + 0.3 + 0.1) / 6)
    # department wait: 0.1, 0.2, 0.5, 1.4, 4.5+ (ticket 2), 5.1
    expected = 0.1 + 0.1 * 5 / 6 + 0.3 * 4 / 6 + 0.9 * 3 / 6 + 3.7 * 2 / 6
    assert k["department_wait"] == pytest.approx(expected)


def test_numerators_and_denominators_pool_exactly(table):
    """Two halves of the table (two 'towns'): summed numerators over summed denominators = the whole."""
    whole = kpis.compute(table, 10.0, 20.0)
    a, b = kpis.compute(table.iloc[::2], 10.0, 20.0), kpis.compute(table.iloc[1::2], 10.0, 20.0)
    for key in kpis.RATES:
        num, den = a[f"{key}_num"] + b[f"{key}_num"], a[f"{key}_den"] + b[f"{key}_den"]
        assert (num, den) == (whole[f"{key}_num"], whole[f"{key}_den"]), key


def test_a_log_without_some_columns_gives_nan_for_those_kpis_only(table):
    log = table.drop(columns=["t_occur", "satisfied", "escalation_level", "t_triage_start"])
    k = kpis.compute(log, 10.0, 20.0)
    assert math.isnan(k["discovery_delay"]) and math.isnan(k["satisfaction_rate"])
    assert math.isnan(k["escalation_rate"]) and math.isnan(k["triage_wait"])
    assert k["on_time_rate"] == pytest.approx(2 / 5) and k["resolution_median"] == 7.0


def test_a_period_must_have_positive_length(table):
    with pytest.raises(ValueError, match="end must be after start"):
        kpis.compute(table, 20.0, 20.0)


def test_kaplan_meier_equals_scipy_ecdf_on_censored_data():
    rng = np.random.default_rng(3)
    t = np.round(rng.exponential(5.0, 400), 1)  # rounded: ties between events and censorings
    c = np.round(rng.exponential(8.0, 400), 1)
    d, obs = np.minimum(t, c), t <= c
    times, s = kpis.kaplan_meier(d, obs)
    ref = stats.ecdf(stats.CensoredData(uncensored=d[obs], right=d[~obs])).sf
    last = np.r_[times[1:] != times[:-1], True]  # S after all the tickets of a tied time
    np.testing.assert_allclose(s[last], ref.evaluate(times[last]), rtol=1e-12)
    got = kpis.censored_times(d, obs)
    grid = np.linspace(0.0, d.max(), 200_001)
    assert got.restricted_mean == pytest.approx(np.trapezoid(ref.evaluate(grid), grid), rel=1e-3)


def test_with_nothing_open_the_times_are_plain_means():
    x = np.array([0.5, 1.0, 1.0, 4.0])
    got = kpis.censored_times(x, np.ones(4, bool))
    assert got.restricted_mean == pytest.approx(x.mean())
    assert got.median == 1.0 and got.n_open == 0


def test_every_kpi_has_its_names_formula_and_source_and_is_in_the_docs():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "kpis.md").read_text(encoding="utf-8")
    for d in kpis.DEFINITIONS:
        assert d.zh and d.en and d.formula and d.source and d.kind in ("rate", "time", "count")
        if d.kind != "count":
            assert f"`{d.key}`" in doc or d.key in doc, d.key


def test_a_log_without_false_or_duplicate_flags_counts_every_ticket_as_real():
    log = pd.DataFrame(
        {"t_report": [11.0, 12.0, 19.0], "t_close": [12.0, np.nan, np.nan], "deadline": [13.0, 15.0, 25.0]}
    ).assign(department=0, t_handle_end=lambda d: d["t_close"])
    k = kpis.compute(log, 10.0, 20.0)
    assert k["incidents"] == 3 and k["false_reports"] == 0 and k["duplicate_tickets"] == 0
    assert (k["on_time_rate_num"], k["on_time_rate_den"]) == (1, 2)  # 12.0 open past its deadline 15
    assert k["open_share"] == pytest.approx(2 / 3) and math.isnan(k["merged_duplicates"])
