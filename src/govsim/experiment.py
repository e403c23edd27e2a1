"""Experiments: a Hydra multirun of policy × design point × replication, resumable and checked.

``govsim-experiment +experiment=four_focus`` composes an experiment config (``configs/experiment/``),
whose ``hydra.sweeper.params`` list the swept keys, and launches one job per combination through a
Hydra launcher (joblib on two cores by default, ``hydra/launcher=slurm`` on a cluster, ``basic`` for
serial). Each job is one run of ``govsim.runner.run_to_dir`` in its own directory.

Identity and resume. A job's random streams come from ``(seed, replication)`` only (``govsim.streams``),
never from its index or launch order, so serial and parallel sweeps give the same results. The sweep
directory holds a manifest (``experiment.json``) with the expected jobs, the hash of the configuration
they share and the code version (a digest of the package source). A job writes ``job.json`` atomically
as its last act: ``complete`` with its own config hash, or ``failed`` with the error. Re-running the
same command skips complete jobs with matching hashes, reruns the rest, and refuses outright when the
shared configuration (kept in the manifest, so the refusal names the keys that changed) or the code
changed — results of two models are never mixed in one sweep.
Each job's own identity (``job_identity``: its whole config and the checksums of its input files) is
computed before launch, names its directory and is stored in the manifest and in ``job.json``;
duplicate swept values are merged and colliding directories refused (``govsim.sweep.plan_sweep``), a
job whose config or territory file changed is re-run, and each job runs in a child process
(``run_isolated``) so that a crash, a kill or a timeout fails that job only.
Running one job (its child process, its ``job.json``) is in ``govsim.jobrun``; the Hydra app and its
callback in ``govsim.sweep``; aggregation in ``govsim.aggregate``; the report in ``govsim.report``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from govsim.compose import expand_sweep, sweep_params
from govsim.config import GovsimConfig, register_configs
from govsim.identity import digest, flat_config, input_checksums, plain_config

MANIFEST = "experiment.json"
MARKER = "job.json"
DEFAULT_METRICS = [
    "resolution_mean",
    "backlog_mean",
    "on_time_rate",
    "overdue_rate",
    "escalation_rate",
    "satisfaction_rate",
    "discovery_delay",
]


class ExperimentMismatch(RuntimeError):
    """A sweep directory holds results of another configuration or code version."""


@dataclass
class Factor:
    """One factor of a global sensitivity analysis: a dotted config key and its range."""

    key: str = ""
    low: float = 0.0
    high: float = 1.0


@dataclass
class SensitivitySpec:
    """A SALib design: ``method`` none | morris | sobol over ``factors``.

    ``size`` is the number of Morris trajectories (``size·(k+1)`` runs) or Sobol base samples
    (``size·(k+2)`` runs); ``levels`` the Morris grid; ``seed`` the design's own seed (not the model's).
    """

    method: str = "none"
    factors: list[Factor] = field(default_factory=list)
    size: int = 4
    levels: int = 4
    seed: int = 0


@dataclass
class ExperimentSpec:
    """What an experiment compares and how its results are analysed (not how a run behaves).

    ``reference`` lists the ``key=value`` overrides that mark the reference arm of each stratum;
    ``strata`` the swept keys that define strata (uncertainties), each compared within itself;
    ``warmup`` is ``fixed`` (``warmup_days``) or ``mser5`` (detected on the daily backlog, applied at
    aggregation); ``precision`` the relative CI half-width the replication guidance aims at.
    """

    name: str = "experiment"
    question: str = ""
    reference: list[str] = field(default_factory=lambda: ["policy=baseline"])
    strata: list[str] = field(default_factory=list)
    replications: int = 3
    metrics: list[str] = field(default_factory=lambda: list(DEFAULT_METRICS))
    warmup: str = "fixed"
    precision: float = 0.05
    point: int = -1  # index of a sensitivity design point; swept automatically
    sensitivity: SensitivitySpec = field(default_factory=SensitivitySpec)
    progress: bool = True  # a bar across the runs of the sweep
    report: bool = True  # write the comparison report into the sweep directory at the end
    job_timeout_s: float = 21600.0  # a job running longer is killed and recorded failed; assumed: 6 h,
    # about 800 times the full Jiangmen year on one core (README "Performance": 25 s), so only a hung
    # or runaway job reaches it; 0 = no limit


@dataclass
class ExperimentRunConfig(GovsimConfig):
    """A run that belongs to an experiment: the run config plus the experiment's description."""

    experiment: ExperimentSpec = field(default_factory=ExperimentSpec)


def register_experiment_configs() -> None:
    """Register the schema with the ``experiment`` section under the name ``config.yaml`` uses."""
    from hydra.core.config_store import ConfigStore

    register_configs()
    ConfigStore.instance().store(name="govsim_schema", node=ExperimentRunConfig)


# --- identity -----------------------------------------------------------------------------------


def code_version() -> str:
    """Package version and a digest of the package's source and data files (changes with any edit).

    ``GOVSIM_CODE_VERSION`` in the environment replaces the digest: for a shared checkout being edited
    while a sweep runs (tests), or a cluster install known by its release tag. It is recorded as given.
    """
    pinned = os.environ.get("GOVSIM_CODE_VERSION")
    if pinned:
        return pinned
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if (
            path.is_file()
            and path.suffix in (".py", ".csv")
            and not {"__pycache__", "configs"} & set(rel.parts)
        ):
            digest.update(str(rel).encode())
            digest.update(path.read_bytes())
    try:
        version = metadata.version("govsim")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"{version}+{digest.hexdigest()[:12]}"


def config_hash(cfg: DictConfig, drop: list[str]) -> str:
    """Hash of the resolved config without the dotted keys in ``drop`` (and never ``hydra``)."""
    return _data_hash(config_data(cfg, drop))


def config_data(cfg: DictConfig, drop: list[str]) -> dict[str, Any]:
    """The resolved config as plain data, without the dotted keys in ``drop`` (and never ``hydra``)."""
    container = OmegaConf.to_container(
        OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"]), resolve=True
    )
    assert isinstance(container, dict)
    data = {str(k): v for k, v in container.items()}  # a config's top-level keys: names already
    for key in drop:
        *parents, last = key.lstrip("+~").split(".")
        node: Any = data
        for p in parents:
            node = node.get(p, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(last, None)
    return data


def _data_hash(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def job_hash(cfg: DictConfig) -> str:
    """Identity of one job's run: all that changes the simulation, nothing that only changes output."""
    return config_hash(cfg, ["output", "experiment"])


def job_identity(cfg: DictConfig) -> str:
    """Identity of one job (hex digest): what changes its simulation, and its input files' content.

    The config without ``output``, ``experiment`` and ``hydra``, with the sensitivity design point
    applied (and its index kept, so two equal points of a Morris design stay two jobs), and the
    SHA-256 of every input file (the territory CSV): a job run on an edited file is another job.
    Raises what ``run_view`` raises.
    """
    return view_identity(run_view(cfg))


def view_identity(job: DictConfig) -> str:
    """``job_identity`` of a job whose ``run_view`` is already made (``job``)."""
    data = plain_config(job, ("output", "experiment"))
    data["experiment.point"] = int(job.experiment.point) if "experiment" in job else -1
    return digest(data, input_checksums(data))


def run_view(cfg: DictConfig) -> DictConfig:
    """A job's config as it will run: a resolved copy without ``hydra``, its design point applied.

    ``cfg`` is left as it is. Raises ``ValueError`` for a design point outside the design, and
    OmegaConf's errors for a value that does not resolve.
    """
    job = OmegaConf.create(
        OmegaConf.to_container(
            OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"]), resolve=True
        )
    )
    assert isinstance(job, DictConfig)
    apply_design_point(job)
    return job


def _job_resolver(*, _root_: DictConfig) -> str:
    return job_identity(_root_)[:8]


if not OmegaConf.has_resolver("govsim_job"):
    OmegaConf.register_new_resolver("govsim_job", _job_resolver)


def job_key(overrides: list[str], sweep_keys: list[str]) -> tuple[str, str, int]:
    """``(key, arm, replication)`` of a job from its overrides.

    The key is the swept ``k=v`` pairs, the arm the same without the replication: independent of the
    job's index and of the overrides every job shares.
    """
    swept = {o.split("=", 1)[0]: o for o in overrides if o.split("=", 1)[0] in sweep_keys}
    pairs = [swept[k] for k in sweep_keys if k in swept]
    arm = ",".join(p for p in pairs if not p.startswith("replication="))
    rep = next((int(p.split("=", 1)[1]) for p in pairs if p.startswith("replication=")), 0)
    return ",".join(pairs), arm or "all", rep


# --- manifest -----------------------------------------------------------------------------------


def expand_jobs(config: DictConfig) -> tuple[list[list[str]], list[str]]:
    """The jobs Hydra's basic sweeper will launch (override lists) and the swept keys, in its order.

    Globs over a config group (``policy=glob(*)``) see the sweep's ``--config-dir`` too (``extra_dir``).
    """
    return expand_sweep([*sweep_params(config), *config.hydra.overrides.task], extra_dir(config))


def extra_dir(config: DictConfig) -> str | None:
    """The ``--config-dir`` of a composed sweep (Hydra's ``command-line`` config source), or None."""
    for source in OmegaConf.select(config, "hydra.runtime.config_sources") or []:
        if source.get("provider") == "command-line" and source.get("schema") == "file":
            return str(source.get("path"))
    return None


def prepare_manifest(
    config: DictConfig, identities: dict[str, str] | None = None, notes: list[str] | None = None
) -> dict[str, Any]:
    """Write or check the sweep's manifest; raise ``ExperimentMismatch`` if it belongs to another model.

    ``identities`` maps each job key to its ``job_identity`` (computed before launch): aggregation
    counts a job only if its marker carries that identity. ``notes`` (merged duplicates, warnings) are
    kept in the manifest, and so is ``configuration``: what every job shares (the config without
    ``output``, ``experiment`` and the swept keys, plus ``experiment.sensitivity``) as
    ``identity.flat_config``, for ``experimentchecks.check_same_sweep`` to name what a later command changed.
    """
    sweep = Path(config.hydra.sweep.dir)
    jobs, keys = expand_jobs(config)
    spec = OmegaConf.to_container(config.experiment, resolve=True)
    assert isinstance(spec, dict)
    shared = config_data(config, ["output", "experiment", *keys])
    base = _data_hash(shared) + "-" + config_hash(OmegaConf.create({"s": spec["sensitivity"]}), [])
    manifest = {
        "name": spec["name"],
        "base_hash": base,
        "configuration": flat_config({**shared, "experiment": {"sensitivity": spec["sensitivity"]}}),
        "code_version": code_version(),
        "sweep_keys": keys,
        "experiment": spec,
        "seed": int(config.seed),
        "horizon_days": float(config.horizon_days),
        "warmup_days": float(config.warmup_days),
        "scenario": str(config.scenario.name),
        "lang": str(config.output.lang),
        "jobs": [
            dict(zip(("key", "arm", "replication"), job_key(o, keys), strict=True), overrides=o) for o in jobs
        ],
        "notes": list(notes or []),
    }
    if identities is not None:
        for job in manifest["jobs"]:
            job["identity"] = identities[job["key"]]
    old = read_manifest(sweep) if (sweep / MANIFEST).is_file() else None
    if old is not None:
        from govsim.experimentchecks import check_same_sweep  # imports this module

        check_same_sweep(sweep, old, manifest)
    sweep.mkdir(parents=True, exist_ok=True)
    manifest["created"] = old["created"] if old else now()
    write_json(sweep / MANIFEST, manifest)
    return manifest


def read_manifest(sweep: Path) -> dict[str, Any]:
    """The manifest of a sweep directory."""
    path = Path(sweep) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{sweep}: no {MANIFEST}; not a govsim-experiment sweep directory")
    return json.loads(path.read_text(encoding="utf-8"))


def read_marker(job_dir: Path) -> dict[str, Any] | None:
    """A job's completion marker, or None if it never finished."""
    path = Path(job_dir) / MARKER
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# --- one job ------------------------------------------------------------------------------------


def apply_design_point(cfg: DictConfig) -> None:
    """Set the factors of sensitivity design point ``experiment.point`` in ``cfg`` (no-op otherwise)."""
    spec = cfg.experiment.sensitivity
    if spec.method == "none" or cfg.experiment.point < 0:
        return
    x = design_points(spec)
    if cfg.experiment.point >= len(x):
        raise ValueError(f"experiment.point={cfg.experiment.point}: the design has {len(x)} points")
    for factor, value in zip(spec.factors, x[cfg.experiment.point], strict=True):
        current = OmegaConf.select(cfg, factor.key, throw_on_missing=True)
        typed = (
            int(round(value)) if isinstance(current, int) and not isinstance(current, bool) else float(value)
        )
        OmegaConf.update(cfg, factor.key, typed, merge=False)


def design_points(spec: Any) -> Any:
    """The SALib design matrix of a sensitivity spec (a DictConfig or the manifest's dict), by point."""
    names = tuple(str(f["key"]) for f in spec["factors"])
    bounds = tuple((float(f["low"]), float(f["high"])) for f in spec["factors"])
    x = _design(str(spec["method"]), names, bounds, int(spec["size"]), int(spec["levels"]), int(spec["seed"]))
    return x.copy()


@functools.lru_cache(maxsize=8)
def _design(
    method: str,
    names: tuple[str, ...],
    bounds: tuple[tuple[float, float], ...],
    size: int,
    levels: int,
    seed: int,
) -> Any:
    """One SALib sample per design (every job of a sweep asks for its own point of the same design)."""
    from govsim.analysis import sensitivity_sample

    x = sensitivity_sample(method, list(names), list(bounds), size, levels, seed)
    x.flags.writeable = False
    return x


def now() -> str:
    """The current UTC time, ISO 8601 with microseconds (markers are ordered by it)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` as indented UTF-8 JSON, atomically (``govsim.atomic.write_text``)."""
    from govsim.atomic import write_text

    write_text(path, json.dumps(data, ensure_ascii=False, indent=2))
