"""The checks of an experiment before it runs: its ``experiment`` section, SALib, its sweep directory.

``check_experiment`` refuses a bad ``experiment`` section in one line; ``check_salib`` a design without
SALib; ``check_sweep_dir`` a sweep directory holding other files, ``check_same_sweep`` one holding a
sweep of another configuration or code; ``job_dirs`` and ``check_job_markers`` a resumed sweep whose
job directories would hold another job's result. ``govsim.sweep`` (planning a sweep),
``govsim.experiment.prepare_manifest`` and ``govsim.report`` call them before anything runs or is written.
"""

from __future__ import annotations

import difflib
import importlib.util
from dataclasses import fields
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from govsim.compose import InputError, schema_type
from govsim.experiment import (
    MANIFEST,
    ExperimentMismatch,
    ExperimentSpec,
    Factor,
    SensitivitySpec,
    read_marker,
)
from govsim.identity import SweepPlanError, config_changes, flat_config, occupied, taken
from govsim.validate import ConfigError, num, path_name, word

__all__ = [
    "check_experiment",
    "check_job_markers",
    "check_salib",
    "check_same_sweep",
    "check_sweep_dir",
    "job_dirs",
]


def check_experiment(config: DictConfig) -> None:
    """Refuse a bad ``experiment`` section in one line (``ConfigError``: key, value, allowed).

    Misspelt keys (``+experiment.replicatons=3`` is otherwise accepted and ignored), replications
    below 1, a sensitivity factor naming no numeric config key or with ``low >= high``, a design too
    small to estimate anything (Morris or Sobol ``size`` below 2, ``levels`` below 2), an unknown
    method or warm-up rule, a precision outside (0, 1), a negative job timeout, and a design when
    SALib (the optional ``sensitivity`` extra) is not installed.
    """
    spec = OmegaConf.to_container(config.experiment, resolve=True)
    assert isinstance(spec, dict)
    for cls, node, prefix in (
        (ExperimentSpec, spec, "experiment"),
        (SensitivitySpec, spec.get("sensitivity") or {}, "experiment.sensitivity"),
        *(
            (Factor, f, f"experiment.sensitivity.factors[{i}]")
            for i, f in enumerate((spec.get("sensitivity") or {}).get("factors") or [])
        ),
    ):
        names = [f.name for f in fields(cls)]
        if not isinstance(node, dict):
            raise ConfigError(prefix, node, f"a section with keys {', '.join(names)}")
        for key in node:
            if key not in names:
                hint = difflib.get_close_matches(str(key), names, n=1)
                maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise ConfigError(
                    f"{prefix}.{key}", node[key], ", ".join(names), problem=f"unknown key in {prefix}{maybe}"
                )
    path_name("experiment.name", spec["name"])  # names the default sweep directory
    num(1, integer=True)("experiment.replications", spec["replications"])
    word("fixed", "mser5")("experiment.warmup", spec["warmup"])
    num(0, 1, strict=True)("experiment.precision", spec["precision"])
    if spec["precision"] >= 1:
        raise ConfigError("experiment.precision", spec["precision"], "a number in (0, 1)")
    num(0)("experiment.job_timeout_s", spec["job_timeout_s"])
    if not spec["metrics"]:
        raise ConfigError("experiment.metrics", spec["metrics"], "a non-empty list of KPI names")
    sens = spec["sensitivity"]
    word("none", "morris", "sobol")("experiment.sensitivity.method", sens["method"])
    if sens["method"] == "none":
        return
    check_salib(sens["method"])
    num(2, integer=True)("experiment.sensitivity.size", sens["size"])
    num(2, integer=True)("experiment.sensitivity.levels", sens["levels"])
    if not sens["factors"]:
        raise ConfigError("experiment.sensitivity.factors", [], "at least one factor {key, low, high}")
    for i, f in enumerate(sens["factors"]):
        key = f"experiment.sensitivity.factors[{i}]"
        if schema_type(str(f["key"])) not in (int, float) or str(f["key"]).startswith(
            ("experiment", "seed", "replication")
        ):
            raise ConfigError(
                f"{key}.key", f["key"], "a numeric key of the run config, e.g. policy.grid.staffing"
            )
        for side in ("low", "high"):
            num()(f"{key}.{side}", f[side])
        if not f["low"] < f["high"]:
            raise ConfigError(f"{key}.high", f["high"], f"more than low ({f['low']:g})")


def check_salib(method: str) -> None:
    """Refuse a sensitivity ``method`` other than ``none`` when SALib is not installed.

    Raises ``ConfigError`` naming the ``sensitivity`` extra: the one home of this message, for
    ``govsim-experiment`` (``check_experiment``) and ``govsim-report``.
    """
    if method != "none" and importlib.util.find_spec("SALib") is None:
        raise ConfigError(
            "experiment.sensitivity.method",
            method,
            'none, or SALib installed with the sensitivity extra: pip install -e ".[sensitivity]"',
            problem="the design needs SALib, which is not installed",
        )


def check_sweep_dir(sweep: Path) -> None:
    """Refuse a sweep directory that exists, is not empty and holds no experiment (``InputError``).

    An experiment writes into ``hydra.sweep.dir`` (its manifest, job directories, tables, report), so a
    directory of other files would be written into; one that holds a manifest (``MANIFEST``) is an
    experiment's sweep, resumed (``prepare_manifest`` refuses it if it is another experiment's). A
    lock file alone (a sweep stopped before its manifest) does not count.
    """
    if occupied(sweep, ignore=(".lock",)) and not (Path(sweep) / MANIFEST).is_file():
        raise InputError(
            taken(
                "hydra.sweep.dir",
                sweep,
                "and holds no experiment",
                "a new or empty directory, or an experiment's sweep directory to resume",
            )
        )


def check_same_sweep(sweep: Path, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Refuse to resume the sweep of manifest ``old`` (in ``sweep``) as that of ``new`` if they differ.

    Raises ``ExperimentMismatch`` naming each key of the shared configuration that differs (that
    sweep's value → the new one), or the two code versions, and what is allowed: that sweep's
    configuration (code version), or another ``hydra.sweep.dir``.
    """
    what = f"hydra.sweep.dir={str(sweep)!r}: the directory holds a sweep of another"
    if old["base_hash"] != new["base_hash"]:
        changes = config_changes(_recorded(old, new), _recorded(new, old))
        shown = "; ".join(f"{k}: {_or_unset(a)} → {_or_unset(b)}" for k, a, b in changes[:MAX_SHOWN])
        more = f"; and {len(changes) - MAX_SHOWN} more" if len(changes) > MAX_SHOWN else ""
        given = " ".join(f"{k}={a}" if a is not None else f"~{k}" for k, a, _ in changes[:MAX_SHOWN])
        raise ExperimentMismatch(
            f"{what} configuration ({shown + more if changes else 'a key its manifest does not record'}); "
            f"allowed: that sweep's configuration{f' ({given})' if changes else ''} to resume it, "
            "or another hydra.sweep.dir"
        )
    if old["code_version"] != new["code_version"]:
        raise ExperimentMismatch(
            f"{what} code version ({old['code_version']} → {new['code_version']}); allowed: that sweep's "
            f"code version ({old['code_version']}) to resume it, or another hydra.sweep.dir"
        )


MAX_SHOWN = 6  # keys named in the refusal; the rest counted


def _or_unset(value: str | None) -> str:
    return "(unset)" if value is None else value


def _recorded(manifest: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """A manifest's shared configuration (``flat_config``), in what both manifests recorded of it.

    A manifest written before it kept its ``configuration`` recorded a few keys only, outside it.
    """
    if "configuration" in manifest and "configuration" in other:
        return dict(manifest["configuration"])
    spec = {"experiment": {"sensitivity": manifest["experiment"]["sensitivity"]}}
    few = {k: manifest[k] for k in ("seed", "horizon_days", "warmup_days")} | {
        "scenario.name": manifest["scenario"]
    }
    return {k: v for k, v in (few | flat_config(spec)).items() if k not in manifest["sweep_keys"]}


def job_dirs(config: DictConfig, jobs: list[tuple[str, DictConfig]]) -> dict[str, Path]:
    """Each job's directory by job key, as Hydra's basic and joblib launchers will name it.

    ``jobs``: each job's key and composed config, in the launcher's order. ``hydra.sweep.subdir`` is
    resolved with the job's number (``hydra.job.num``) and id (``hydra.job.id``, ``NAME_NUM``) set as
    those launchers set them, below the sweep directory of ``config`` (the launching process's). A
    launcher that numbers its jobs otherwise (submitit's ids are the cluster's) may name others.
    Raises OmegaConf's errors for a subdir that does not resolve.
    """
    sweep = Path(str(config.hydra.sweep.dir))
    dirs = {}
    for idx, (key, node) in enumerate(jobs):
        with read_write(node.hydra), open_dict(node.hydra):
            node.hydra.job.num, node.hydra.job.id = idx, f"{node.hydra.job.name}_{idx}"
        dirs[key] = sweep / str(OmegaConf.select(node, "hydra.sweep.subdir"))
    return dirs


def check_job_markers(config: DictConfig, dirs: dict[str, Path]) -> None:
    """Refuse a resumed sweep in which a job's directory holds another job's result (``SweepPlanError``).

    ``dirs``: each job's directory by job key (``job_dirs``). A subdir named by the job's number
    (``job${hydra.job.num}``) gives job 0 to another configuration when the arms are reordered or
    the replications extended; the job would then meet the other's ``job.json`` and end the sweep
    (``jobrun.run_job`` refuses to overwrite it) after others had run. Refused here, before anything
    runs or is written, naming ``hydra.sweep.subdir`` as it was given.
    """
    given = OmegaConf.to_container(config.hydra.sweep, resolve=False)
    assert isinstance(given, dict)
    for key, where in dirs.items():
        try:
            marker = read_marker(where)
        except (OSError, ValueError):
            continue  # unreadable: the job records it (``run_job``), as before
        if marker is not None and marker.get("key") != key:
            raise SweepPlanError(
                f"hydra.sweep.subdir={given.get('subdir')!r}: the directory of job {key} ({where}) holds "
                f"the result of job {marker.get('key')}; allowed: a hydra.sweep.subdir made from the swept "
                "values, not the job's number (the experiment's own, e.g. "
                "${policy.name}/rep${replication}_${govsim_job:}), or a new hydra.sweep.dir"
            )
