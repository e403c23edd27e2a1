"""Office time: the official calendar (days off and make-up working days, 调休) and deadlines.

Office hours, the open intervals of each working day and the office-time clock they define, are in
``govsim.officehours``.

**The calendar.** Which dates are working days in China is set each year by a State Council General
Office notice (国务院办公厅关于××年部分节假日安排的通知, published around November for the next year):
the statutory holidays, the weekdays given as days off to bridge them, and the weekend days worked in
exchange (make-up working days, 调休上班). govsim takes them from the ``holidays`` package (python-holidays,
``holidays.China``), chosen over ``chinese-calendar`` because it is a maintained multi-country library
released about monthly with the notices' texts cited per year, already a kept library of the project,
and carries the Chinese names (``language="zh_CN"``) govsim uses as labels; ``chinese-calendar`` is
updated by hand once a year and covers one country only. A year is *covered* when the library holds that
year's notice (its table of substituted days, ``ChinaStaticHolidays.special_public_holidays``): for a
later year the library still lists the fixed-date holidays but not the bridges and make-up days, so
govsim refuses a run that needs such a year (``check_coverage``) unless the user gives a calendar file.

**A calendar file** (``scenario.calendar_file``) is a CSV ``date,kind[,name]`` with ``kind`` one of
``workday`` or ``dayoff``; its dates override the library's, and every year it names counts as covered
(dates it does not list follow the weekday rule and the library's fixed-date holidays). It serves local
extra days and future years whose notice the installed library does not have yet.

**Deadlines** (``WorkCalendar.after``) count working days as the 12345 rules do: a report received
after office hours or on a day off counts from the next working day; a limit of ``k`` working days ends
at the close of the ``k``-th working day after the day the report counts from; a rung of the escalation
ladder ``k`` working days after a deadline ends at the close of the ``k``-th working day after the
deadline's day. That rule is written once, in ``after``.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from govsim.config import GovsimConfig

WORKDAY, DAYOFF = "workday", "dayoff"
KINDS = (WORKDAY, DAYOFF)
MAKEUP_LABEL = "调休上班"  # a weekend day worked in exchange for a bridge day off
WEEKEND_LABEL = "周末"


class CalendarError(ValueError):
    """The calendar cannot serve a run: names the key, the value and what is allowed (one line)."""


def library_years() -> tuple[int, int, str]:
    """First and last year whose State Council notice the installed ``holidays`` holds, and its version."""
    import holidays
    from holidays.countries.china import ChinaStaticHolidays

    years = sorted(ChinaStaticHolidays.special_public_holidays)
    return years[0], years[-1], str(holidays.__version__)


@functools.lru_cache(maxsize=16)
def official_days(first: int, last: int) -> tuple[dict[date, str], frozenset[date]]:
    """Days off other than weekends (with Chinese names) and make-up working days, years ``first..last``.

    Returns ``(off, makeup)``: ``off`` maps each statutory holiday or bridge day to its name as the
    library gives it in ``zh_CN`` (e.g. 春节, 休息日（由 2024-09-29 调休）); ``makeup`` holds the weekend
    dates worked. Cached: the library's first call in a process costs about 0.2 s (plus 0.3 s to import
    it), paid once per process however many runs it makes. The mapping is shared: do not modify it.
    """
    import holidays

    cal = holidays.country_holidays("CN", years=range(first, last + 1), language="zh_CN")
    off = {d: str(n) for d, n in cal.items() if first <= d.year <= last}
    makeup = frozenset(d for d in cal.weekend_workdays if first <= d.year <= last)
    return off, makeup


def read_calendar_file(path: str) -> dict[date, tuple[bool, str]]:
    """Read a calendar CSV ``date,kind[,name]``: each date → (is a working day, label).

    Raises ``CalendarError`` (key ``scenario.calendar_file``, line number, value, what is allowed).
    """
    key = "scenario.calendar_file"
    p = Path(path)
    if not p.is_file():
        raise CalendarError(f"{key}={path!r}: file not found; allowed: a CSV file date,kind[,name]")
    try:
        with p.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(f"{key}={path!r}: {type(exc).__name__}; allowed: a readable UTF-8 CSV") from None
    if not rows or [c.strip() for c in rows[0][:2]] != ["date", "kind"]:
        raise CalendarError(f"{key}={path!r}: header must start date,kind (then optionally name)")
    out: dict[date, tuple[bool, str]] = {}
    for i, r in enumerate(rows[1:], start=2):
        if not r or not "".join(r).strip():
            continue
        try:
            d = date.fromisoformat(r[0].strip())
        except ValueError:
            raise CalendarError(f"{key} line {i}: date={r[0]!r}; allowed: a date YYYY-MM-DD") from None
        kind = r[1].strip() if len(r) > 1 else ""
        if kind not in KINDS:
            raise CalendarError(f"{key} line {i}: kind={kind!r}; allowed: {', '.join(KINDS)}")
        name = r[2].strip() if len(r) > 2 and r[2].strip() else ("" if kind == WORKDAY else "休息日")
        out[d] = (kind == WORKDAY, name)
    return out


@dataclass(frozen=True)
class WorkCalendar:
    """Working days from ``start`` (day 0) to the last covered date, and the deadline rule.

    ``is_work[d]`` says whether day ``d`` (days since start) is a working day; ``labels[d]`` names a day
    off or a make-up working day in Chinese ("" for an ordinary day). ``close`` is the time of day
    (fraction of a day) after which a report counts from the next working day: the centre's closing
    time, or 1.0 (midnight) when office hours are off.
    """

    start: date
    is_work: np.ndarray  # bool, one per day
    labels: tuple[str, ...]
    covered_until: date
    source: str  # where the classification came from, for messages and docs
    close: float = 1.0

    @functools.cached_property
    def work_days(self) -> np.ndarray:
        """Day numbers of the working days, ascending.

        Computed once (the calendar is read-only): every deadline and ladder rung reads it, several
        times a simulated day, and a scan of every covered day each time was most of their cost.
        """
        wd = np.flatnonzero(self.is_work)
        wd.flags.writeable = False  # shared by every caller
        return wd

    def day(self, d: date) -> int:
        """Day number of a date."""
        return (d - self.start).days

    def date_of(self, day: int) -> date:
        """Date of a day number."""
        return self.start + timedelta(days=int(day))

    def receipt_day(self, t: np.ndarray) -> np.ndarray:
        """The working day a report at time ``t`` (days since start) counts from.

        The day it falls on if that is a working day and ``t`` is before ``close``; else the next
        working day.
        """
        t = np.asarray(t, dtype=np.float64)
        d = np.floor(t).astype(np.int64)
        wd = self.work_days
        same = self.is_work[d] & (t - d < self.close)
        nxt = wd[wd.searchsorted(d, side="right")]
        return np.where(same, d, nxt)

    def after(self, day: np.ndarray, k: np.ndarray | int) -> np.ndarray:
        """The rule: end (days since start) of the ``k``-th working day after day ``day`` (``k >= 0``).

        ``k = 0`` gives the end of ``day`` itself (a working day here). Raises ``IndexError`` past the
        covered dates, which ``check_coverage`` rules out before a run.
        """
        day = np.asarray(day, dtype=np.int64)
        wd = self.work_days
        if isinstance(k, int) and k > 0:  # one limit for all (a ladder rung): no choice to make per day
            return wd[wd.searchsorted(day, side="right") + (k - 1)].astype(np.float64) + 1.0
        k = np.asarray(k, dtype=np.int64)
        pos = wd.searchsorted(day, side="right") + k - 1  # index of the k-th working day after
        end = np.where(k > 0, wd[np.maximum(pos, 0)], day)
        return end.astype(np.float64) + 1.0

    def due(self, t: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Deadline of a report at ``t`` with a limit of ``k >= 0`` working days (end of a day, in days).

        ``after(receipt_day(t), k)`` in one step: the receipt day is a working day, the ``i``-th of
        ``work_days``, so its ``k``-th working day after is the ``i + k``-th (``k = 0``: itself), and
        ``i`` is the count of working days up to ``t``'s day, less one if that day is the receipt day.
        """
        t = np.asarray(t, dtype=np.float64)
        d = np.floor(t).astype(np.int64)
        same = self.is_work[d] & (t - d < self.close)
        return self.work_days[self.work_count[d] - same + k].astype(np.float64) + 1.0

    @functools.cached_property
    def work_count(self) -> np.ndarray:
        """Working days up to and including each day (one per day), for ``due``."""
        wc = self.work_days.searchsorted(np.arange(len(self.is_work)), side="right")
        wc.flags.writeable = False  # shared by every caller
        return wc

    def past_deadline(self, deadline: np.ndarray, k: np.ndarray | int) -> np.ndarray:
        """End of the ``k``-th working day after a deadline (a ladder rung, the liaison hand-off)."""
        return self.after(np.ceil(np.asarray(deadline)).astype(np.int64) - 1, k)

    def label(self, day: int) -> str:
        """Chinese label of a day: the holiday's name, 调休上班, 周末, or "" for an ordinary working day."""
        return self.labels[day]


def _covered(first_lib: int, last_lib: int, file_days: dict[date, tuple[bool, str]], start: date) -> date:
    """Last date of the unbroken run of covered years from the start's year."""
    years = set(range(first_lib, last_lib + 1)) | {d.year for d in file_days}
    y = start.year
    if y not in years:
        return start - timedelta(days=1)
    while y + 1 in years:
        y += 1
    return date(y, 12, 31)


def build_calendar(
    start_date: str, extra_off: list[str] | tuple[str, ...] = (), calendar_file: str = "", close: float = 1.0
) -> WorkCalendar:
    """The working-day calendar from ``start_date`` to the last covered date.

    Official days from ``holidays``; ``extra_off`` (ISO dates) are local extra days off; a calendar file
    overrides both for the dates it lists. Raises ``CalendarError`` if the start itself is not covered.
    """
    start = date.fromisoformat(start_date)
    first_lib, last_lib, version = library_years()
    file_days = read_calendar_file(calendar_file) if calendar_file else {}
    until = _covered(first_lib, last_lib, file_days, start)
    if until < start:
        raise CalendarError(
            f"scenario.start_date={start_date!r}: not covered by the official calendar (holidays {version}: "
            f"{first_lib}-01-01 to {last_lib}-12-31); allowed: a date in those years, or "
            "scenario.calendar_file listing that year"
        )
    off: dict[date, str] = {}
    makeup: frozenset[date] = frozenset()
    if start.year <= last_lib:
        off, makeup = official_days(start.year, min(until.year, last_lib))
    n = (until - start).days + 1
    is_work = np.empty(n, dtype=bool)
    labels = []
    extra = {date.fromisoformat(x) for x in extra_off}
    for i in range(n):
        d = start + timedelta(days=i)
        weekend = d.weekday() >= 5
        if d in file_days:
            work, name = file_days[d]
        elif d in extra:
            work, name = False, "休息日"
        elif d in off:
            work, name = False, off[d]
        elif d in makeup:
            work, name = True, MAKEUP_LABEL
        else:
            work, name = not weekend, WEEKEND_LABEL if weekend else ""
        if work and weekend and not name:
            name = MAKEUP_LABEL
        is_work[i] = work
        labels.append(name)
    src = f"holidays {version} (State Council notices {first_lib}–{last_lib})"
    if calendar_file:
        src += f" + {calendar_file}"
    return WorkCalendar(start, is_work, tuple(labels), until, src, close)


def longest_working_days(cfg: GovsimConfig) -> int:
    """The longest time limit plus the last ladder rung or the 延期 length, whichever is longer.

    ``deadline_scale`` is applied as ``policies`` does; an extension (govsim.extensions) moves a deadline.
    """
    s = cfg.scenario
    scale = cfg.policy.mechanism.deadline_scale
    limits = [c.deadline_working_days for c in s.categories.values()] or [1]
    longest = int(max(1, np.round(max(limits) * scale)))
    after = max(int(max(s.escalation_working_days, default=0)), int(getattr(s, "extension_working_days", 0)))
    return longest + after  # an extension (govsim.extensions) moves a deadline that far too


def check_coverage(cal: WorkCalendar, horizon_days: float, longest_working_days: int) -> None:
    """Refuse (``CalendarError``, one line) a run whose dates reach past the covered calendar.

    The run touches every day up to the horizon and, for a report on its last day, the deadline and the
    whole ladder: ``longest_working_days`` working days after the day that report counts from.
    """
    last_report = int(math.ceil(horizon_days)) - 1
    wd = cal.work_days
    pos = np.searchsorted(wd, last_report, side="right") + longest_working_days
    if last_report >= len(cal.is_work) or pos >= len(wd):
        raise CalendarError(
            f"scenario.start_date={cal.start.isoformat()!r}: with horizon_days={horizon_days:g} and deadlines"
            " "
            f"plus ladder up to {longest_working_days} working days the run reaches past "
            f"{cal.covered_until.isoformat()}, the last date covered by {cal.source}; allowed: a run ending "
            "by then, or scenario.calendar_file listing the later years"
        )
