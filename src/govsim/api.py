"""The Python API: ``govsim.run`` one scenario under one policy, ``govsim.load`` a finished run directory.

Both validate inside: ``run`` composes and checks its configuration through ``govsim.compose`` (the
route the ``govsim`` command takes), ``load`` checks the stored ``config.yaml`` and that the run is
complete. Bad input raises ``govsim.validate.InputError`` with the one line the command would print.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from govsim.compose import compose, to_config
from govsim.config import GovsimConfig
from govsim.explain import explain
from govsim.identity import occupied, taken
from govsim.records import Records
from govsim.runner import kpi_frame, load_records, run_to_dir, simulate
from govsim.validate import InputError, config_warnings


@dataclass(frozen=True)
class RunResult:
    """One finished run, in memory.

    - ``config``: the checked configuration it ran (``govsim.config.GovsimConfig``).
    - ``records``: the record tables (``govsim.records.Records``): ``records.incidents`` has one row
      per incident (codes and times in days, ``records.INCIDENT_SCHEMA``), ``records.timeseries`` one
      row per town and day, ``records.grids`` one row per grid, ``records.hotline`` the 12345 day
      table (``hotline.parquet``; None when ``scenario.hotline.enabled`` is false).
    - ``kpis``: tidy KPI table, one row per ``(by, group)`` with ``by`` in ``all``, ``category``,
      ``county`` (columns as ``govsim.metrics.kpi_table``; definitions in docs/kpis.md).
    - ``run_dir``: the run directory (``run.json``, ``config.yaml``, Parquet records, tables), or
      ``None`` for a run kept in memory.
    - ``warnings``: the configuration's warnings (e.g. utilisation at or above 1).
    """

    config: GovsimConfig
    records: Records
    kpis: pd.DataFrame
    run_dir: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def incidents(self) -> pd.DataFrame:
        """The incident records (``records.incidents``)."""
        return self.records.incidents


def run(overrides: list[str] | tuple[str, ...] = (), out: str | Path | None = None) -> RunResult:
    """Run ``govsim overrides`` from Python: in memory, or into the new or empty directory ``out``.

    ``overrides`` are the command line's (``["scenario=one_town", "policy=grid", "seed=3"]``); a sweep
    (``seed=1,2``) is refused, as ``govsim`` without ``-m`` refuses it. Raises ``InputError`` (one line:
    key, value, what is allowed) on bad input, before anything is written; a single string (not a list)
    is refused too, since its characters would be read as overrides one by one.
    """
    if isinstance(overrides, str):
        raise InputError(
            f"overrides={overrides!r}: a string; allowed: a list of overrides, e.g. {overrides.split()!r}"
        )
    cfg = compose(list(overrides))
    notes = tuple(config_warnings(cfg))
    if out is None:
        result = simulate(cfg, checked=True)
        return RunResult(cfg, result.records, result.kpis, None, notes)
    where = Path(out).resolve()
    if occupied(where):
        raise InputError(taken("out", out))
    result = run_to_dir(cfg, where, warnings=list(notes), checked=True)
    return RunResult(cfg, result.records, result.kpis, where, notes)


def load(path: str | Path) -> RunResult:
    """A finished run directory (``govsim`` or ``govsim.run(out=...)``) back in memory.

    The stored ``config.yaml`` is checked as a new run's would be; the KPI table is recomputed from the
    records (with a hotline run's day table) by the code that computed it for the run
    (``govsim.runner.kpi_frame``), so it equals the run's ``kpis.csv``. Raises ``InputError`` if ``path``
    is not a complete run directory, its config is not allowed, or it is a 12345-hotline run whose
    ``hotline.parquet`` is missing (written before govsim kept it).
    """
    where = Path(path)
    if not (where / "run.json").is_file() or not (where / "config.yaml").is_file():
        raise InputError(
            f"{path}: not a govsim run directory; allowed: a directory holding run.json and config.yaml"
        )
    try:
        records = load_records(where)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    stored = OmegaConf.load(where / "config.yaml")
    if not isinstance(stored, DictConfig):
        raise InputError(f"{where / 'config.yaml'}: not a mapping; allowed: a run's resolved configuration")
    run_keys = [f.name for f in fields(GovsimConfig)]  # a sweep job's config also holds its ``experiment``
    try:
        node = OmegaConf.merge(OmegaConf.structured(GovsimConfig), OmegaConf.masked_copy(stored, run_keys))
        cfg = to_config(node)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - a config.yaml that is not a run's: one line, as for overrides
        raise InputError(f"{where / 'config.yaml'}: {explain(exc, [])}") from None
    return RunResult(cfg, records, kpi_frame(records), where.resolve(), tuple(config_warnings(cfg)))


__all__ = ["RunResult", "load", "run"]
