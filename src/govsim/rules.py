"""The rules a configuration value is checked by, and the errors a bad value raises.

A rule is a function ``rule(key, value)`` that returns if the value is allowed and otherwise raises
``ConfigError`` naming the key, the value and what is allowed. The building blocks (numbers in a range,
flags, names, dates, office hours, lists) are here; ``govsim.validate`` assigns one to every field of
the schema (``RULES``) and checks nested sections with them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

__all__ = [
    "ConfigError",
    "InputError",
    "Rule",
    "flag",
    "iso_date",
    "non_negative",
    "num",
    "office_hours",
    "path_name",
    "positive",
    "prob",
    "seq",
    "show",
    "text",
    "word",
]


class InputError(Exception):
    """Bad input from the user: the message is one line, printed as it is (``govsim: error: ...``)."""


class ConfigError(ValueError, InputError):
    """A configuration value is not allowed: names the key, the value and what is allowed."""

    def __init__(self, key: str, value: Any, allowed: str, problem: str | None = None) -> None:
        self.key, self.value, self.allowed, self.problem = key, value, allowed, problem
        why = f"{problem}; " if problem else ""
        super().__init__(f"{key}={show(value)}: {why}allowed: {allowed}")


def show(value: Any, limit: int = 60) -> str:
    """A value as the user would recognise it (strings quoted), shortened to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- rules: one per field ------------------------------------------------------------------------
Rule = Callable[[str, Any], None]


def num(
    lo: float | None = None, hi: float | None = None, *, strict: bool = False, integer: bool = False
) -> Rule:
    """A finite number (an integer if ``integer``), ``lo <= v`` (``lo < v`` if ``strict``), ``v <= hi``.

    Booleans are refused although Python counts them as integers: ``staffing: true`` is a mistake.
    """
    what = "an integer" if integer else "a number"
    if lo is not None and hi is not None:
        what += f" in {'(' if strict else '['}{lo:g}, {hi:g}]"
    elif lo is not None:
        what += f" {'>' if strict else '>='} {lo:g}"

    def rule(key: str, v: Any) -> None:
        kind_ok = isinstance(v, int) if integer else isinstance(v, (int, float))
        if isinstance(v, bool) or not kind_ok:
            raise ConfigError(key, v, what)
        if not math.isfinite(v):  # inf is > 0: say what it is not
            raise ConfigError(key, v, what.replace("a number", "a finite number", 1))
        if (lo is not None and (v <= lo if strict else v < lo)) or (hi is not None and v > hi):
            raise ConfigError(key, v, what)

    return rule


prob = num(0.0, 1.0)
positive = num(0.0, strict=True)
non_negative = num(0.0)


def flag(key: str, v: Any) -> None:
    """A boolean: ``true`` or ``false`` (not 0/1, not 'yes')."""
    if not isinstance(v, bool):
        raise ConfigError(key, v, "true or false")


def word(*choices: str) -> Rule:
    """Non-empty text; one of ``choices`` if any are given."""

    def rule(key: str, v: Any) -> None:
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(key, v, ", ".join(choices) if choices else "a non-empty name")
        if choices and v not in choices:
            raise ConfigError(key, v, ", ".join(choices))

    return rule


def path_name(key: str, v: Any) -> None:
    """A name that becomes a directory name: one path component, no separator, not starting with a dot.

    Run and sweep directories are named after ``scenario.name``, ``policy.name`` and ``experiment.name``
    (configs/config.yaml): ``../..`` or ``/etc`` there would write outside the output root.
    """
    from govsim.identity import safe_component

    word()(key, v)
    if safe_component(v) != v:
        raise ConfigError(
            key, v, "a name of letters, digits, '_', '-', '.', '=', ',', '+' or '@', not starting with '.'"
        )


def iso_date(key: str, v: Any) -> None:
    """A calendar date written YYYY-MM-DD."""
    try:
        date.fromisoformat(v)
    except (TypeError, ValueError):
        raise ConfigError(key, v, "a date YYYY-MM-DD") from None


def text(key: str, v: Any) -> None:
    """Text, possibly empty (an optional path)."""
    if not isinstance(v, str):
        raise ConfigError(key, v, "a text (empty for none)")


def office_hours(key: str, v: Any) -> None:
    """Open intervals of a day, ``["HH:MM-HH:MM", ...]``, ascending and not overlapping."""
    from govsim.officehours import parse_hours
    from govsim.officetime import CalendarError

    if not isinstance(v, (list, tuple)):
        raise ConfigError(key, v, "a list of HH:MM-HH:MM intervals")
    try:
        parse_hours(v, key)
    except CalendarError as exc:
        raise ConfigError(key, list(v), str(exc).partition("allowed: ")[2]) from None


def seq(item: Rule, n: int | None = None) -> Rule:
    """A list (of exactly ``n`` items if given), each item checked by ``item`` as ``key[i]``."""

    def rule(key: str, v: Any) -> None:
        if not isinstance(v, (list, tuple)) or (n is not None and len(v) != n):
            raise ConfigError(key, v, f"a list of {n} values" if n is not None else "a list")
        for i, x in enumerate(v):
            item(f"{key}[{i}]", x)

    return rule
