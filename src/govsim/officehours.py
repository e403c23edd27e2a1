"""Office hours: a unit's open intervals over the run and the office-time clock they define.

Each kind of unit has a schedule, the open intervals of each day it works. Work in hand is measured in
*office time*, the cumulative open time of the schedule in units of one scheduled day (a staff-day): a
desk that works 7 hours a day turns 0.25 staff-days of work into 1.75 open hours, spread over as many open
intervals as it takes. ``office(t)`` maps calendar time to office time and ``wall(o)`` back, by bisection
on the sorted open intervals, so a closed office adds no event: work simply resumes at the next opening.

The working days the intervals fall on come from ``govsim.officetime.WorkCalendar``.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

import numpy as np

from govsim.officetime import CalendarError

if TYPE_CHECKING:
    from govsim.officetime import WorkCalendar

__all__ = ["OfficeHours", "parse_hours"]


def parse_hours(spec: list[str] | tuple[str, ...], key: str = "hours") -> list[tuple[float, float]]:
    """Open intervals of a day from ``["08:30-12:00", ...]`` as (start, end) fractions of a day.

    Raises ``CalendarError`` on a malformed, empty, reversed or overlapping interval.
    """
    out: list[tuple[float, float]] = []
    for i, s in enumerate(spec):
        try:
            a, b = (x.strip() for x in str(s).split("-"))
            ha, ma = (int(x) for x in a.split(":"))
            hb, mb = (int(x) for x in b.split(":"))
            lo, hi = (ha * 60 + ma) / 1440, (hb * 60 + mb) / 1440
            ok = 0 <= ma < 60 and 0 <= mb < 60 and 0 <= lo < hi <= 1.0
        except ValueError:
            ok = False
        if not ok or (out and lo < out[-1][1]):
            raise CalendarError(
                f"{key}[{i}]={s!r}; allowed: HH:MM-HH:MM within 00:00-24:00, ascending, not overlapping"
            )
        out.append((lo, hi))
    if not out:
        raise CalendarError(f"{key}={list(spec)!r}; allowed: at least one interval HH:MM-HH:MM")
    return out


class OfficeHours:
    """A unit's open intervals over the run and the office-time clock they define.

    ``starts``/``ends`` are the open intervals in days since the start (sorted, disjoint); office time
    is their cumulative length in units of one scheduled day (``day_length`` days of open time), so
    a staff member's office time is staff-days of work. Conversions are scalar (``bisect`` on plain
    lists, for the desks' event loop) or vectorised (``numpy.searchsorted``, for centre triage).
    """

    __slots__ = ("starts", "ends", "cum", "cend", "scale", "_s", "_e", "_c", "_ce")

    def __init__(self, intervals: list[tuple[float, float]], day_length: float) -> None:
        merged: list[list[float]] = []
        for a, b in intervals:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]
        self.scale = 1.0 / day_length  # office days per open calendar day
        cum, cend, acc = [], [], 0.0
        for a, b in merged:
            cum.append(acc)
            acc += (b - a) * self.scale
            cend.append(acc)  # exactly the next interval's cum: an interval's end and the next start agree
        self.cum, self.cend = cum, cend
        self._s, self._e = np.array(self.starts), np.array(self.ends)
        self._c, self._ce = np.array(self.cum), np.array(self.cend)

    @classmethod
    def build(cls, cal: WorkCalendar, hours: list[tuple[float, float]], every_day: bool) -> OfficeHours:
        """Open intervals on each working day of ``cal`` (every day if ``every_day``) at ``hours``."""
        days = np.arange(len(cal.is_work)) if every_day else cal.work_days
        iv = [(float(d) + a, float(d) + b) for d in days.tolist() for a, b in hours]
        return cls(iv, sum(b - a for a, b in hours))

    # scalar, for the desks
    def is_open(self, t: float) -> bool:
        """Whether ``t`` falls in an open interval ``[start, end)``."""
        i = bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def next_open(self, t: float) -> float:
        """The first opening strictly after ``t`` (``inf`` past the last)."""
        i = bisect_right(self.starts, t)
        return self.starts[i] if i < len(self.starts) else math.inf

    def effective(self, t: float) -> float:
        """``t`` if open then, else the next opening: when an arrival at ``t`` can first be acted on."""
        i = bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        return self.starts[i + 1] if i + 1 < len(self.starts) else math.inf

    def office(self, t: float) -> float:
        """Office time at calendar time ``t``: open time elapsed since the start, in scheduled days."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0.0
        if t >= self.ends[i]:
            return self.cend[i]
        return self.cum[i] + (t - self.starts[i]) * self.scale

    def wall(self, o: float) -> float:
        """The first calendar time at which office time reaches ``o`` (a completion time)."""
        i = bisect_left(self.cend, o)
        if i >= len(self.cend):
            return math.inf
        if o >= self.cend[i]:
            return self.ends[i]
        if o <= self.cum[i]:
            return self.starts[i]
        return min(self.starts[i] + (o - self.cum[i]) / self.scale, self.ends[i])

    # vectorised, for triage
    def office_v(self, t: np.ndarray) -> np.ndarray:
        """``office`` of each time."""
        i = self._s.searchsorted(t, side="right") - 1
        ic = np.maximum(i, 0)
        o = self._c[ic] + np.minimum(t - self._s[ic], self._e[ic] - self._s[ic]) * self.scale
        return np.where(i < 0, 0.0, o)

    def wall_v(self, o: np.ndarray) -> np.ndarray:
        """``wall`` of each office time (a completion: the end of an interval when it ends one)."""
        i = np.minimum(self._ce.searchsorted(o, side="left"), len(self._ce) - 1)
        t = self._s[i] + np.maximum(o - self._c[i], 0.0) / self.scale
        return np.minimum(t, self._e[i])

    def begin_v(self, o: np.ndarray) -> np.ndarray:
        """When work at office time ``o`` begins: within an interval, or at the next opening from its end."""
        i = np.minimum(self._c.searchsorted(o, side="right") - 1, len(self._c) - 1)
        i = np.maximum(i, 0)
        t = self._s[i] + (o - self._c[i]) / self.scale
        return np.where(o >= self._ce[i], self._e[i], t)

    def time(self, t0: float, t1: float) -> float:
        """Scheduled office time in ``[t0, t1)``, in scheduled days."""
        return self.office(t1) - self.office(t0)
