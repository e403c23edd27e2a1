"""The levers of the four focuses (四个着力): one definition each, from which the rest is derived.

``LEVERS`` holds, per policy parameter, what the project knows about it apart from its mechanism: the
config key, its focus, unit, allowed range (``validate`` builds its rule from it), the cost items it
commits (``policies.COST_FOCUS`` is derived from them; prices in ``ScenarioConfig.cost``), the source
of the lever (a row of ``docs/levers.md``, which quotes the article passage) and, for the levers a
class moves with a slider, the classroom range (``teaching.LEVERS`` and the slider panel read it).
The default is the schema's (``config.py``, with its source there), read here, never copied; display
labels are in ``govsim.labels.LEVER``. The mechanism of each lever is in ``policies.resolve_levers``.

Adding a lever: a field in the policy dataclass (default and its source), a row here, and its mechanism.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from govsim.config import (
    ADMISSION_RULES,
    CHANNELS,
    DEMONSTRATION_RULES,
    FusionPolicy,
    GridPolicy,
    MechanismPolicy,
    PlatformPolicy,
    default_tasks,
)

FOCUS_POLICY: dict[str, type] = {
    "grid": GridPolicy,
    "platform": PlatformPolicy,
    "fusion": FusionPolicy,
    "mechanism": MechanismPolicy,
}
"""The policy dataclass of each focus; a lever's config key is ``policy.<focus>.<name>``."""

ADMIT_ALL_HOURS = float(sum(t.hours_per_week for t in default_tasks().values()))
"""Weekly hours of every default admitted task: a cap at or above it admits everything."""


@dataclass(frozen=True)
class Slider:
    """The classroom range of a lever (a choice for teaching, inside the allowed range)."""

    lo: float
    hi: float
    step: float
    start: float | None = None  # where the slider starts; None: at the schema default


@dataclass(frozen=True)
class Lever:
    """One lever: its kind and allowed range, unit, cost items, source and classroom slider.

    ``kind``: ``number`` (``lo <= v <= hi``, ``lo < v`` if ``strict``, whole if ``integer``), ``flag``,
    ``choice`` (one of ``choices``) or ``choices`` (a list of ``choices``).
    """

    focus: str
    name: str
    kind: str
    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    strict: bool = False
    integer: bool = False
    choices: tuple[str, ...] = ()
    cost: tuple[str, ...] = ()  # items of policies.annual_cost
    source: str = "docs/levers.md"
    slider: Slider | None = None

    @property
    def key(self) -> str:
        """The config key, as on the command line: ``policy.grid.staffing``."""
        return f"policy.{self.focus}.{self.name}"

    @property
    def default(self) -> object:
        """The schema default (``config.py``)."""
        return getattr(FOCUS_POLICY[self.focus](), self.name)


def _num(focus: str, name: str, unit: str, lo: float, hi: float | None = None, **kw: object) -> Lever:
    return Lever(focus, name, "number", unit, lo, hi, **kw)  # type: ignore[arg-type]


def _flag(focus: str, name: str, cost: tuple[str, ...] = ()) -> Lever:
    return Lever(focus, name, "flag", cost=cost)


_TABLE: tuple[Lever, ...] = (
    # 强网格
    _num("grid", "staffing", "× workers per grid", 0.0, strict=True, cost=("grid_workers",),
         slider=Slider(1.0, 2.0, 0.1)),  # from 1: below one worker per grid the model keeps one (一格一员)
    _num("grid", "part_time_share", "share of workers", 0.0, 1.0, cost=("grid_workers",)),
    _num("grid", "training_hours", "h per worker-week", 0.0, 168.0, cost=("training",)),
    _flag("grid", "mentoring", ("mentoring",)),
    Lever("grid", "admission", "choice", choices=ADMISSION_RULES),
    _num("grid", "admission_cap_hours", "h per worker-week", 0.0,
         slider=Slider(0.0, ADMIT_ALL_HOURS, 1.0, start=ADMIT_ALL_HOURS)),
    _flag("grid", "incentives", ("incentives",)),
    _num("grid", "resident_points", "points per real report", 0.0, cost=("resident_points",),
         slider=Slider(0.0, 3.0, 0.5)),
    _flag("grid", "portal", ("portal",)),
    # 强平台
    _num("platform", "triage_staffing", "× triage staff", 0.0, strict=True, cost=("triage_staff",)),
    Lever("platform", "demonstration", "choice", choices=DEMONSTRATION_RULES, cost=("demonstration",)),
    _num("platform", "demonstration_per_county", "towns per county", 0.0, integer=True,
         cost=("demonstration",), source="docs/levers.md; sources.md §1"),
    Lever("platform", "stationed", "choices", cost=("stationed",)),  # names checked against the scenario
    _flag("platform", "one_window", ("one_window",)),
    _flag("platform", "liaison", ("liaison",)),
    _flag("platform", "graded_triage", ("graded_triage",)),
    _num("platform", "hotline_seats", "× 12345 seats", 0.0, strict=True, cost=("hotline_seats",),
         source="docs/levers.md; sources.md §13"),
    _num("platform", "hotline_app", "share of would-be callers", 0.0, 1.0, cost=("hotline_app",),
         source="docs/levers.md; sources.md §13"),
    _flag("platform", "qiao_window", ("qiao_window",)),
    # 强数智融合
    Lever("fusion", "integrated", "choices", choices=CHANNELS[1:], cost=("integration",)),
    _flag("fusion", "dedup", ("dedup",)),
    _num("fusion", "routing_accuracy", "probability", 0.0, 1.0, cost=("routing",),
         slider=Slider(0.6, 1.0, 0.01)),
    _flag("fusion", "hotspot_patrol", ("hotspot",)),
    _num("fusion", "data_import", "share of data-collection hours", 0.0, 1.0, cost=("data_import",)),
    _flag("fusion", "visits_discover", ("visits_on_platform",)),
    # 强机制协同
    _num("mechanism", "deadline_scale", "× time limits", 0.0, strict=True, slider=Slider(0.5, 2.0, 0.1)),
    _flag("mechanism", "accountability", ("accountability",)),
    _num("mechanism", "mediators_per_town", "mediators per town", 0.0, cost=("mediators",)),
    _num("mechanism", "stations_per_town", "stations per town", 0.0, integer=True, cost=("stations",)),
    _flag("mechanism", "case_library", ("case_library",)),
    _flag("mechanism", "worker_points", ("worker_points",)),
    _num("mechanism", "department_staffing", "× department staff", 0.0, strict=True,
         cost=("department_staff",)),
)  # fmt: skip
LEVERS: dict[str, Lever] = {lv.key: lv for lv in _TABLE}
"""Every lever by config key, in schema order (checked against the policy dataclasses at import)."""

_SCHEMA_KEYS = [f"policy.{f}.{x.name}" for f, cls in FOCUS_POLICY.items() for x in fields(cls)]
if list(LEVERS) != _SCHEMA_KEYS:  # pragma: no cover - a policy field added without its definition
    raise ImportError(
        f"levers.LEVERS is out of step with the policy schema: {sorted(set(LEVERS) ^ set(_SCHEMA_KEYS))}"
    )


def of_focus(focus: str) -> dict[str, Lever]:
    """The levers of one focus, by field name."""
    return {lv.name: lv for lv in _TABLE if lv.focus == focus}


def classroom() -> dict[str, Lever]:
    """The levers a class moves with a slider, by field name (``teaching.LEVERS``)."""
    return {lv.name: lv for lv in _TABLE if lv.slider is not None}
