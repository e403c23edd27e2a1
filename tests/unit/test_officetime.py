"""Executable specification of office time: the official calendar, the deadline rule, office hours.

Expected dates are worked by hand from the State Council General Office notices (docs/ODD.md "Time"):
2024 — 国办发明电〔2023〕7号 (2023-10-25); 2025 — 国办发明电〔2024〕12号 (2024-11-12). The rule
(12345 handling rules, docs/ODD.md): a report received after the centre's close (17:30) or on a day off
counts from the next working day; a limit of k working days ends with the k-th working day after it; a
ladder rung k working days after a deadline ends with the k-th working day after the deadline's day.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from govsim.compose import InputError, compose
from govsim.model import GovernanceModel
from govsim.officehours import OfficeHours, parse_hours
from govsim.officetime import CalendarError, build_calendar, check_coverage

CLOSE = 17.5 / 24  # the default centre close, 17:30

# The notices, typed from their text (an oracle independent of the library).
OFF_2024 = [
    "2024-01-01",
    *(f"2024-02-{d}" for d in range(10, 18)),
    "2024-04-04",
    "2024-04-05",
    "2024-04-06",
    *(f"2024-05-0{d}" for d in range(1, 6)),
    "2024-06-10",
    "2024-09-15",
    "2024-09-16",
    "2024-09-17",
    *(f"2024-10-0{d}" for d in range(1, 8)),
]
MAKEUP_2024 = [
    "2024-02-04",
    "2024-02-18",
    "2024-04-07",
    "2024-04-28",
    "2024-05-11",
    "2024-09-14",
    "2024-09-29",
    "2024-10-12",
]
OFF_2025 = [
    "2025-01-01",
    *(f"2025-01-{d}" for d in range(28, 32)),
    *(f"2025-02-0{d}" for d in range(1, 5)),
    "2025-04-04",
    "2025-04-05",
    "2025-04-06",
    *(f"2025-05-0{d}" for d in range(1, 6)),
    "2025-05-31",
    "2025-06-01",
    "2025-06-02",
    *(f"2025-10-0{d}" for d in range(1, 9)),
]
MAKEUP_2025 = ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]


@pytest.fixture(scope="module")
def cal():
    return build_calendar("2024-01-01", close=CLOSE)


def due(cal, when: str, k: int, hour: float = 10.0) -> str:
    """Deadline date of a report on ``when`` at ``hour`` o'clock with a limit of ``k`` working days."""
    t = cal.day(date.fromisoformat(when)) + hour / 24
    end = cal.due(np.array([t]), np.array([k]))[0]
    assert end == int(end)  # a deadline is the end of a day
    return cal.date_of(int(end) - 1).isoformat()


def after_deadline(cal, deadline_date: str, k: int) -> str:
    end_of_day = cal.day(date.fromisoformat(deadline_date)) + 1.0
    return cal.date_of(int(cal.past_deadline(np.array([end_of_day]), np.array([k]))[0]) - 1).isoformat()


def test_every_day_of_2024_and_2025_matches_the_notices(cal) -> None:
    """Working day ⇔ a make-up day, or a weekday that is no day off (every one of 731 days)."""
    off = {date.fromisoformat(d) for d in OFF_2024 + OFF_2025}
    makeup = {date.fromisoformat(d) for d in MAKEUP_2024 + MAKEUP_2025}
    for i in range(731):
        d = date(2024, 1, 1) + timedelta(days=i)
        expected = d in makeup or (d.weekday() < 5 and d not in off)
        assert bool(cal.is_work[i]) == expected, d
    assert cal.is_work[:366].sum() == 251 and cal.is_work[366:731].sum() == 248


def test_make_up_sundays_are_working_days_and_labelled(cal) -> None:
    """Fails if make-up days are dropped: each is a weekend day the notices make a working day."""
    for d in MAKEUP_2024 + MAKEUP_2025:
        day = cal.day(date.fromisoformat(d))
        assert date.fromisoformat(d).weekday() >= 5 and cal.is_work[day], d
        assert cal.label(day) == "调休上班"
    assert cal.label(cal.day(date(2024, 10, 1))) == "国庆节"
    assert cal.label(cal.day(date(2025, 1, 29))) == "春节"


def test_saturday_before_national_day_2024(cal) -> None:
    """Sat 09-28 counts from make-up Sun 09-29; 1 working day → Mon 09-30 (10-08 if make-up days dropped)."""
    assert due(cal, "2024-09-28", 1) == "2024-09-30"


def test_report_on_a_make_up_sunday(cal) -> None:
    """Sun 2024-09-29 is worked: in office hours it counts that day; after 17:30 it counts from 09-30."""
    assert due(cal, "2024-09-29", 1) == "2024-09-30"
    assert due(cal, "2024-09-29", 3) == "2024-10-09"  # 09-30, (10-01..07 off), 10-08, 10-09
    assert due(cal, "2024-09-29", 1, hour=18.0) == "2024-10-08"
    assert due(cal, "2024-09-29", 5, hour=18.0) == "2024-10-12"  # 10-08..11, then make-up Sat 10-12


def test_eve_of_the_spring_festival(cal) -> None:
    """2024: the eve (Fri 02-09) is a working day, 02-10..17 off, Sun 02-18 worked.

    2025: the eve (Tue 01-28) is itself a day off, 01-28..02-04 off.
    """
    assert due(cal, "2024-02-09", 1) == "2024-02-18"
    assert due(cal, "2024-02-09", 3) == "2024-02-20"
    assert due(cal, "2024-02-09", 1, hour=20.0) == "2024-02-19"  # after hours: counts from Sun 02-18
    assert due(cal, "2025-01-27", 1) == "2025-02-05"
    assert due(cal, "2025-01-28", 1) == "2025-02-06"  # counts from Wed 02-05
    assert due(cal, "2025-01-25", 1) == "2025-01-27"  # Sat 01-25 counts from make-up Sun 01-26


def test_new_years_eve_runs_into_the_next_year(cal) -> None:
    """Tue 2024-12-31, 3 working days: 2025-01-01 off, then Thu 01-02, Fri 01-03, Mon 01-06."""
    assert due(cal, "2024-12-31", 3) == "2025-01-06"
    assert due(cal, "2024-12-31", 1, hour=23.0) == "2025-01-03"  # counts from 01-02


def test_ladder_rungs_land_exactly_k_working_days_after_the_deadline(cal) -> None:
    """Mon 2024-03-04 with 1 working day → Tue 03-05; rungs 1/5/10/20 → 03-06, 03-12, 03-19, 04-02.

    (Before this change they landed one working day late: 03-07, 03-13, 03-20, 04-03.)
    """
    assert due(cal, "2024-03-04", 1) == "2024-03-05"
    rungs = [after_deadline(cal, "2024-03-05", k) for k in (1, 5, 10, 20)]
    assert rungs == ["2024-03-06", "2024-03-12", "2024-03-19", "2024-04-02"]
    # across National Day: 5 working days after 09-30 → 10-08, 09, 10, 11 and make-up Sat 10-12
    assert after_deadline(cal, "2024-09-30", 5) == "2024-10-12"


def test_due_in_one_step_is_the_rule_after_the_receipt_day(cal) -> None:
    """``due`` is ``after(receipt_day(t), k)`` (the rule, two steps) to the bit, for any report time.

    Report times over the covered years: random, at midnight, at the close and just before it, with
    limits of 0 to 19 working days; both give the end of a day as a float.
    """
    rng = np.random.default_rng(0)
    days = np.floor(rng.random(2000) * (len(cal.is_work) - 40))
    spread = rng.random(20_000) * (len(cal.is_work) - 40)
    t = np.concatenate([spread, days, days + CLOSE, days + CLOSE - 1e-9])
    for k in (np.zeros(len(t), dtype=np.int64), rng.integers(0, 20, len(t))):
        rule = cal.after(cal.receipt_day(t), k)
        assert rule.dtype == cal.due(t, k).dtype == np.float64
        assert np.array_equal(cal.due(t, k), rule)
    # a Friday report after the close counts from Monday: 1 working day → Tuesday's end
    friday = cal.day(date(2024, 3, 8))
    assert cal.date_of(int(cal.due(np.array([friday + CLOSE]), np.array([1]))[0]) - 1) == date(2024, 3, 12)


def test_one_limit_for_all_is_the_rule_per_day(cal) -> None:
    """``after(day, k)`` with one int ``k >= 1`` (a ladder rung) equals the same limit given per day."""
    day = np.random.default_rng(1).integers(0, len(cal.is_work) - 60, 20_000)
    for k in (1, 2, 5, 10, 20):
        assert np.array_equal(cal.after(day, k), cal.after(day, np.full(len(day), k)))
    assert cal.date_of(int(cal.after(np.array([cal.day(date(2024, 3, 8))]), 1)[0]) - 1) == date(2024, 3, 11)


def test_run_past_the_covered_years_is_refused_in_one_line() -> None:
    with pytest.raises(InputError) as err:
        compose(["scenario=one_town", "scenario.start_date=2026-06-01", "horizon_days=365"])
    msg = str(err.value)
    assert "\n" not in msg
    assert "scenario.start_date='2026-06-01'" in msg and "2026-12-31" in msg and "calendar_file" in msg


def test_a_calendar_file_covers_a_later_year_and_wins(tmp_path: Path) -> None:
    f = tmp_path / "cal.csv"
    f.write_text("date,kind,name\n2027-02-08,dayoff,春节\n2027-02-06,workday\n2026-10-07,workday\n", "utf-8")
    cal = build_calendar("2026-06-01", calendar_file=str(f), close=CLOSE)
    assert cal.covered_until == date(2027, 12, 31)
    check_coverage(cal, 365.0, 62)  # accepted now
    assert not cal.is_work[cal.day(date(2027, 2, 8))] and cal.label(cal.day(date(2027, 2, 8))) == "春节"
    assert cal.is_work[cal.day(date(2027, 2, 6))]  # a Saturday the file makes a working day
    assert cal.is_work[cal.day(date(2026, 10, 7))]  # the file wins over the library (a bridge day off)
    f.write_text("date,kind\n2027-02-08,holiday\n", "utf-8")
    with pytest.raises(CalendarError, match=r"calendar_file line 2: kind='holiday'; allowed: workday"):
        build_calendar("2026-06-01", calendar_file=str(f))


def test_a_start_outside_the_covered_years_is_refused() -> None:
    with pytest.raises(CalendarError, match=r"scenario.start_date='2031-01-01'.*allowed"):
        build_calendar("2031-01-01")


def oracle_due(t: float, k: int, start: date) -> float:
    """Deadline by the rule, day by day, on the notices' lists typed above."""
    off = set(OFF_2024 + OFF_2025)
    makeup = set(MAKEUP_2024 + MAKEUP_2025)

    def work(i: int) -> bool:
        d = start + timedelta(days=i)
        return d.isoformat() in makeup or (d.weekday() < 5 and d.isoformat() not in off)

    day = int(np.floor(t))
    if not (work(day) and t - day < CLOSE):
        day += 1
        while not work(day):
            day += 1
    for _ in range(k):
        day += 1
        while not work(day):
            day += 1
    return day + 1.0


@pytest.mark.parametrize(("start", "horizon"), [("2025-01-01", 60), ("2024-12-01", 75)])
def test_runs_in_2025_and_across_2024_2025_have_the_notices_deadlines(start: str, horizon: int) -> None:
    """Every routed case's deadline equals the day-by-day rule; departments start work only when open."""
    cfg = compose(["scenario=one_town", f"scenario.start_date={start}", f"horizon_days={horizon}"])
    inc = GovernanceModel(cfg).run().incidents
    r = inc[inc["department"] >= 0]
    cats = {c: cfg.scenario.categories[c].deadline_working_days for c in cfg.scenario.categories}
    names = list(cfg.scenario.categories)
    s = date.fromisoformat(start)
    # the limit as issued; an approved extension (govsim.extensions) moves `deadline` afterwards
    for t, cat, dl in zip(r["t_report"], r["category"], r["deadline_initial"], strict=True):
        assert dl == oracle_due(t, cats[names[cat]], s)
    started = r["t_handle_start"].dropna().to_numpy()
    frac = started - np.floor(started)
    morning = (frac >= 8.5 / 24 - 1e-9) & (frac <= 12 / 24)
    in_hours = morning | ((frac >= 14 / 24 - 1e-9) & (frac <= 17.5 / 24))
    assert in_hours.all()
    off = {date.fromisoformat(d) for d in OFF_2024 + OFF_2025}
    assert not any(s + timedelta(days=int(x)) in off for x in started)
    assert len(started) > 100


def test_office_hours_parse_and_refuse() -> None:
    assert parse_hours(["08:30-12:00", "14:00-17:30"]) == [(8.5 / 24, 0.5), (14 / 24, 17.5 / 24)]
    for bad in (["12:00-08:30"], ["08:00-12:00", "11:00-13:00"], ["8h-12h"], []):
        with pytest.raises(CalendarError, match="allowed"):
            parse_hours(bad)


def test_office_clock_maps_open_time_both_ways() -> None:
    """Open 6 h a day ([0.25, 0.5) of each day): a scheduled day is 0.25 calendar days of open time."""
    h = OfficeHours([(0.25, 0.5), (1.25, 1.5)], 0.25)
    assert h.office(0.0) == 0.0 and h.office(0.375) == 0.5 and h.office(1.0) == 1.0 and h.office(1.5) == 2.0
    assert h.wall(0.5) == 0.375 and h.wall(1.0) == 0.5 and h.wall(1.25) == 1.3125
    assert h.is_open(0.25) and not h.is_open(0.5) and h.next_open(0.5) == 1.25
    assert h.time(0.3, 1.3) == pytest.approx(1.0)
    np.testing.assert_allclose(h.begin_v(np.array([1.0, 0.5])), [1.25, 0.375])


def test_weekday_and_month_multipliers_shape_occurrences() -> None:
    """All categories ×1.4 Monday–Friday and 0 at weekends; disputes 0 in February.

    Expected weekday occurrences: 1.4 × incident_rate × population / 365 a day (Poisson, ~1,300 in the
    window: 10 % is more than 3 standard errors); none at weekends; no dispute in February.
    """
    week = "[1.4,1.4,1.4,1.4,1.4,0,0]"
    cats = ("dispute", "safety_hazard", "livelihood", "city_management", "petition", "special_population")
    cfg = compose(
        [
            "scenario=one_town",
            "horizon_days=120",
            "scenario.categories.dispute.month_rate=[1,0,1,1,1,1,1,1,1,1,1,1]",
        ]
        + [f"scenario.categories.{c}.weekday_rate={week}" for c in cats]
    )
    model = GovernanceModel(cfg)
    inc = model.run().incidents
    real = inc[~inc["is_false"] & (inc["duplicate_of"] < 0)]
    day = np.floor(real["t_occur"].to_numpy()).astype(int)
    dates = [date(2024, 1, 1) + timedelta(days=int(d)) for d in day]
    weekday = np.array([d.weekday() for d in dates])
    assert (weekday < 5).all()
    n_weekdays = sum((date(2024, 1, 1) + timedelta(days=i)).weekday() < 5 for i in range(120))
    expected = 1.4 * cfg.scenario.incident_rate * model.scenario_data.population / 365 * n_weekdays
    assert len(real) == pytest.approx(expected, rel=0.10)
    dispute = list(cfg.scenario.categories).index("dispute")
    feb = np.array([d.month == 2 for d in dates])
    assert not (feb & (real["category_initial"].to_numpy() == dispute)).any()
    assert (~feb & (real["category_initial"].to_numpy() == dispute)).sum() > 20
