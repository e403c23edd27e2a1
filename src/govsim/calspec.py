"""Calibration specs (``govsim-calibrate``): parameters, targets and their misses, checked on load.

A spec (YAML) names a base scenario and policy, the run settings every candidate uses, the parameters to
fit with their ranges, the targets, and optionally KPIs to monitor beside them. The format and the loss
are described in ``govsim.calibrate``; this module reads and checks a spec (``load_spec``) and prices a
target's miss (``Target.miss``).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from govsim.safety import read_yaml_mapping

if TYPE_CHECKING:
    from govsim.logs import LogMapping

SPEC_KEYS = frozenset(
    {"name", "scenario", "policy", "overrides", "seeds", "report_seeds", "trials", "n_jobs",
     "sampler_seed", "parameters", "targets", "log", "monitor"}
)  # fmt: skip
LOG_KEYS = ("path", "mapping", "as_of")  # the keys of the spec's log: section

RANGE_TOLERANCE = 0.1
"""Default miss scale of a range target, as a share of the range's width; assumed. A miss of a tenth of
the width outside the range costs as much as a value target's miss of one tolerance. (Until session 5 it
was half the width: a miss of 0.04 below a 0.27-wide range then cost 0.1 in the loss, too cheap for the
optimiser to trade anything for, and the Jiangmen fit stayed outside two ranges.)"""


SPEC_ALLOWED = "a UTF-8 YAML mapping of keys, laid out as experiments/calibration/*.yaml"


class SpecError(ValueError):
    """A calibration spec govsim cannot use; one line naming the key, the value and what is allowed."""


@dataclass(frozen=True)
class Parameter:
    """One fitted quantity: a scenario key (``*`` over a mapping's names), its range, and its kind.

    ``scale: true`` fits a multiplier on the base values of every matched key (e.g. one handling-time
    scale over all categories) instead of the value itself.
    """

    key: str
    low: float
    high: float
    scale: bool = False
    log: bool = False


@dataclass(frozen=True)
class Target:
    """A KPI to match: ``value`` ± ``tolerance``, or inside [``low``, ``high``]; ``source`` cited.

    A range target's ``tolerance`` (the KPI's unit) scales its miss outside the range, as a value
    target's does: declared in the spec, or ``RANGE_TOLERANCE`` of the range's width if not.
    """

    kpi: str
    value: float | None
    tolerance: float | None
    low: float | None = None
    high: float | None = None
    source: str = ""

    def miss(self, sim: float) -> float:
        """Standardised miss: (sim − value)/tolerance; for a range, the distance outside it / tolerance.

        0 anywhere inside a range; negative below it, positive above.
        """
        if math.isnan(sim):
            return math.inf
        if self.value is not None and self.tolerance is not None:
            return (sim - self.value) / self.tolerance
        lo, hi = float(self.low), float(self.high)  # type: ignore[arg-type]
        return (min(sim - lo, 0.0) + max(sim - hi, 0.0)) / self.range_tolerance

    @property
    def range_tolerance(self) -> float:
        """The miss scale of a range target: the declared tolerance, else ``RANGE_TOLERANCE`` × width."""
        if self.tolerance is not None:
            return self.tolerance
        return RANGE_TOLERANCE * (float(self.high) - float(self.low))  # type: ignore[arg-type]

    def inside(self, sim: float) -> bool:
        """Within the tolerance of a value, or inside the range itself (its tolerance only prices misses)."""
        return abs(self.miss(sim)) <= 1.0 if self.value is not None else self.miss(sim) == 0.0

    def describe(self) -> str:
        """The target as written in the report (a range with the tolerance that prices a miss)."""
        if self.value is not None:
            return f"{self.value:.4g} ± {self.tolerance:.3g}"
        return f"[{self.low:.4g}, {self.high:.4g}] (tol. {self.range_tolerance:.3g})"


@dataclass(frozen=True)
class Spec:
    """A checked calibration spec (see the module docstring)."""

    name: str
    scenario: str
    policy: str
    overrides: tuple[str, ...]
    seeds: tuple[int, ...]
    report_seeds: tuple[int, ...]
    trials: int
    n_jobs: int
    sampler_seed: int
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    log_view: LogMapping | None = None  # the spec's log's mapping: runs are compared as logs of its layout
    monitor: tuple[str, ...] = ()  # KPIs reported beside the targets (trials, fit report), not fitted
    log_report: str = ""  # the log's account of its rows (``LogRead.report``), printed once the spec passes
    log_warnings: tuple[str, ...] = ()  # ``LogRead.warnings``: a mapping that refused most rows, a late as_of

    def kpis(self) -> tuple[str, ...]:
        """The KPIs every candidate is measured on: the targets', then the monitored ones."""
        return (*(t.kpi for t in self.targets), *self.monitor)


def load_spec(path: str | Path) -> Spec:
    """Read and check a spec; ``value: log`` targets are filled from its log. ``SpecError`` if bad.

    Nothing is printed: the log's report and warnings are kept (``Spec.log_report``, ``log_warnings``) for
    the caller to show once the whole spec has passed.
    """
    path = Path(path)
    if not path.is_file():
        what = "a directory, not a spec file" if path.is_dir() else "no such calibration spec file"
        raise SpecError(
            f"{path}: {what}; allowed: an existing YAML spec, e.g. experiments/calibration/*.yaml"
        )
    raw = read_yaml_mapping(
        path,
        SpecError,
        unreadable="{path}: not a readable YAML file ({kind}); allowed: " + SPEC_ALLOWED,
        not_mapping="{path}: a YAML {kind}, not a mapping of keys; allowed: " + SPEC_ALLOWED,
    )
    try:
        return _spec(raw, path)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, SpecError):
            raise
        raise SpecError(f"{path}: {exc}; allowed: numbers where the spec takes numbers") from None


def _number(key: str, v: Any, path: Path) -> float:
    """``float(v)``, or ``SpecError`` naming the spec's ``key`` and the value."""
    try:
        return float(v)
    except (TypeError, ValueError):
        raise SpecError(f"{path}: {key}={v!r}: not a number; allowed: a number") from None


def _integer(key: str, v: Any, path: Path) -> int:
    """``int(v)`` of an integer (``3``, ``"3"``), or ``SpecError`` naming ``key`` and the value."""
    try:
        if float(v) == int(v):
            return int(v)
    except (TypeError, ValueError):
        pass
    raise SpecError(f"{path}: {key}={v!r}: not an integer; allowed: an integer")


def _integers(key: str, v: Any, path: Path) -> tuple[int, ...]:
    if not isinstance(v, list):
        raise SpecError(f"{path}: {key}={v!r}: not a list; allowed: a list of integers, e.g. [0, 1]")
    return tuple(_integer(f"{key}[{i}]", s, path) for i, s in enumerate(v))


def _refuse_unknown(raw: dict[str, Any], allowed: list[str], path: Path, prefix: str = "") -> None:
    """Raise ``SpecError`` for the first key of ``raw`` not in ``allowed``, with the closest allowed one."""
    unknown = sorted(set(raw) - set(allowed), key=str)
    if unknown:
        hint = difflib.get_close_matches(str(unknown[0]), allowed, n=1)
        maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise SpecError(f"{path}: {prefix}{unknown[0]}: unknown key{maybe}; allowed: {', '.join(allowed)}")


def _spec(raw: dict[str, Any], path: Path) -> Spec:
    _refuse_unknown(raw, sorted(SPEC_KEYS), path)
    params = tuple(_parameter(k, v, path) for k, v in (raw.get("parameters") or {}).items())
    observed, mapping, report, doubt = _log_kpis(raw["log"], path) if raw.get("log") else (None,) * 4
    targets = tuple(_target(k, v, observed, path) for k, v in (raw.get("targets") or {}).items())
    if not params:
        raise SpecError(f"{path}: parameters: none given; allowed: at least one scenario key with its range, "
                        "e.g. scenario.incident_rate: {low: 0.1, high: 1}")  # fmt: skip
    if not targets:
        raise SpecError(f"{path}: targets: none given; allowed: at least one KPI with a value and tolerance "
                        "or a range, e.g. on_time_rate: {range: [0.75, 1.0]}")  # fmt: skip
    seeds = _integers("seeds", raw.get("seeds", [0, 1]), path)
    spec = Spec(
        name=str(raw.get("name", f"{raw.get('scenario', 'one_town')}_calibrated")),
        scenario=str(raw.get("scenario", "one_town")),
        policy=str(raw.get("policy", "baseline")),
        overrides=tuple(str(o) for o in raw.get("overrides", [])),
        seeds=seeds,
        report_seeds=_integers("report_seeds", raw.get("report_seeds", [100 + i for i in range(5)]), path),
        trials=_integer("trials", raw.get("trials", 40), path),
        n_jobs=_integer("n_jobs", raw.get("n_jobs", 1), path),
        sampler_seed=_integer("sampler_seed", raw.get("sampler_seed", 0), path),
        parameters=params,
        targets=targets,
        log_view=mapping,
        monitor=tuple(_monitored(k, path) for k in raw.get("monitor") or []),
        log_report=report or "",
        log_warnings=tuple(doubt or ()),
    )
    for key, value in (("trials", spec.trials), ("n_jobs", spec.n_jobs)):
        if value < 1:
            raise SpecError(f"{path}: {key}={value}: allowed: an integer >= 1")
    if not spec.seeds:
        raise SpecError(f"{path}: seeds=[]: allowed: at least one seed, e.g. [0, 1]")
    return spec


def _parameter(key: str, v: Any, path: Path) -> Parameter:
    if not key.startswith("scenario.") or key.startswith("scenario.name"):
        raise SpecError(f"{path}: parameters.{key}: allowed: scenario.* keys (calibration fits the world)")
    if not isinstance(v, dict) or not {"low", "high"} <= set(v):
        raise SpecError(f"{path}: parameters.{key}={v!r}: allowed: {{low: a, high: b}} with a < b")
    low, high = (_number(f"parameters.{key}.{end}", v[end], path) for end in ("low", "high"))
    if not low < high:
        raise SpecError(f"{path}: parameters.{key}={v!r}: allowed: {{low: a, high: b}} with a < b")
    extra = set(v) - {"low", "high", "scale", "log"}
    if extra:
        raise SpecError(
            f"{path}: parameters.{key}.{sorted(extra)[0]}: unknown; allowed: low, high, scale, log"
        )
    _in_schema(key, path)
    return Parameter(key, low, high, bool(v.get("scale", False)), bool(v.get("log", False)))


def _in_schema(key: str, path: Path) -> None:
    """``SpecError`` naming the first part of ``key`` the schema lacks (``explain.unknown_key``).

    The message has a close match and the allowed names; ``*`` stands for any name of a mapping.
    """
    from govsim.explain import schema_type, unknown_key

    parts = key.split(".")
    for i in range(2, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if schema_type(prefix) is None:
            raise SpecError(f"{path}: parameters.{unknown_key(prefix, [])}")


def _target(name: str, v: Any, observed: pd.Series | None, path: Path) -> Target:
    where = f"{path}: targets.{name}"
    if not known_kpi(name):
        raise SpecError(f"{where}: unknown KPI; allowed: {', '.join(_allowed_kpis())}")
    kpi = canonical(name)
    if not isinstance(v, dict):
        raise SpecError(f"{where}={v!r}: allowed: {{value, tolerance}}, {{range: [lo, hi], tolerance}}")
    src = str(v.get("source", ""))
    if "range" in v:
        rng = v["range"]
        if not isinstance(rng, list) or len(rng) != 2:
            raise SpecError(f"{where}.range={rng!r}: allowed: [lo, hi] with lo < hi")
        lo, hi = (_number(f"targets.{name}.range[{i}]", x, path) for i, x in enumerate(rng))
        if not lo < hi:
            raise SpecError(f"{where}.range={rng!r}: allowed: [lo, hi] with lo < hi")
        rtol = _number(f"targets.{name}.tolerance", v["tolerance"], path) if "tolerance" in v else None
        if rtol is not None and not rtol > 0:
            raise SpecError(f"{where}.tolerance={rtol}: allowed: a positive number (the miss scale)")
        return Target(kpi, None, rtol, lo, hi, src)
    value = v.get("value")
    if value == "log":
        if observed is None:
            raise SpecError(f"{where}: value: log, but the spec has no log: section; allowed: log: {{path: "
                            "FILE, mapping: M} beside the targets, or a number as value")  # fmt: skip
        if kpi not in observed.index or pd.isna(observed[kpi]):
            raise SpecError(f"{where}: value: log, but the spec's log has no value for {kpi}; allowed: a "
                            "number as value, or a KPI the log measures")  # fmt: skip
        value, src = float(observed[kpi]), src or "observed log"
    if value is None or ("tolerance" not in v and "relative_tolerance" not in v):
        raise SpecError(f"{where}={v!r}: allowed: value with tolerance or relative_tolerance, or range")
    value = _number(f"targets.{name}.value", value, path)
    if "tolerance" in v:
        tol = _number(f"targets.{name}.tolerance", v["tolerance"], path)
    else:
        tol = abs(value) * _number(f"targets.{name}.relative_tolerance", v["relative_tolerance"], path)
    if not tol > 0:
        raise SpecError(f"{where}: tolerance={tol}: allowed: a positive number")
    return Target(kpi, value, tol, source=src)


def _monitored(name: Any, path: Path) -> str:
    if not known_kpi(str(name)):
        raise SpecError(f"{path}: monitor: {name}: unknown KPI; allowed: {', '.join(_allowed_kpis())}")
    return canonical(str(name))


def canonical(kpi: str) -> str:
    """The KPI module's name of a target: ``metrics:KEY`` → ``KEY``; ``observed.ALIASES`` resolved."""
    from govsim.observed import ALIASES

    kpi = kpi.removeprefix("metrics:")
    return ALIASES.get(kpi, kpi)


def known_kpi(kpi: str) -> bool:
    """A KPI of the KPI table (``observed.SCALAR_KPIS``; mixes as ``category_share[name]``) or an alias."""
    from govsim.observed import SCALAR_KPIS

    kpi = canonical(kpi)
    mix = kpi.partition("[")[0] in ("category_share", "channel_share") and kpi.endswith("]")
    return kpi in SCALAR_KPIS or mix


def _allowed_kpis() -> list[str]:
    from govsim.observed import SCALAR_KPIS

    return [*SCALAR_KPIS, "category_share[NAME]", "channel_share[NAME]"]


def _log_kpis(log: Any, path: Path) -> tuple[pd.Series, LogMapping, str, list[str]]:
    """The KPIs of the spec's log, the mapping it was read through, its report and warnings."""
    from govsim.logs import LogError, read_log, shipped_mappings
    from govsim.observed import kpi_series, observed_kpis, observed_window

    _refuse_unknown(log if isinstance(log, dict) else {}, list(LOG_KEYS), path, "log.")
    if not isinstance(log, dict) or not {"path", "mapping"} <= set(log):
        raise SpecError(f"{path}: log={log!r}: allowed: {{path: FILE, mapping: M, as_of: optional}}")
    file = Path(log["path"]) if Path(log["path"]).is_absolute() else path.parent / log["path"]
    if file.is_dir():
        raise SpecError(f"{path}: log.path={log['path']!r}: a directory, not a log file; allowed: a CSV or "
                        "XLSX export (a file), absolute or relative to the spec's folder")  # fmt: skip
    if not file.is_file():
        raise SpecError(f"{path}: log.path={log['path']!r}: no such file ({file}); allowed: a CSV or XLSX "
                        "export, absolute or relative to the spec's folder")  # fmt: skip
    mapping = log["mapping"]
    if (path.parent / str(mapping)).is_file():
        mapping = path.parent / str(mapping)
    elif not Path(str(mapping)).is_file() and str(mapping) not in shipped_mappings():
        shipped = ", ".join(shipped_mappings())
        raise SpecError(f"{path}: log.mapping={mapping!r}: no such file or shipped mapping; allowed: a "
                        f"mapping YAML (relative to the spec's folder) or {shipped}")  # fmt: skip
    as_of = None if log.get("as_of") is None else str(log["as_of"])
    try:
        read = read_log(file, mapping, as_of, option="log.as_of")
        kpis = kpi_series(observed_kpis(read.table, observed_window(read.table, read.as_of)))
        return kpis, read.mapping, read.report(), read.warnings()
    except LogError as exc:  # the log's own messages name its file, column or row
        raise SpecError(f"{path}: {'' if str(exc).startswith('log.') else 'log: '}{exc}") from None
