"""The ``govsim-experiment`` Hydra app: launch an experiment's jobs, then aggregate and report.

``govsim-experiment +experiment=NAME [overrides]`` composes ``configs/experiment/NAME.yaml`` (multirun
mode, its ``hydra.sweeper.params``) and launches one job per combination through the configured
launcher. ``ExperimentCallback`` runs in the launching process: before the jobs it writes or checks
the manifest (``govsim.experiment.prepare_manifest``: a sweep directory of another configuration or
code version is refused, exit 2) and starts a progress bar across the runs; after them it aggregates
the job directories (``govsim.aggregate``), prints expected vs completed, writes the report when
nothing is missing, and exits 1 when something is.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, open_dict, read_write

from govsim.cli import config_dir
from govsim.experiment import (
    ExperimentMismatch,
    design_points,
    expand_jobs,
    now,
    prepare_manifest,
    read_manifest,
    register_experiment_configs,
    run_config,
    run_job,
)
from govsim.validate import ConfigError, warn_single_replication


class ExperimentCallback(Callback):
    """Manifest and progress bar before the sweep; aggregation, report and exit status after it."""

    def __init__(self) -> None:
        self._progress: _Progress | None = None

    def __getstate__(self) -> dict[str, Any]:  # jobs get a copy without the parent's thread
        return {"_progress": None}

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Add the sensitivity design to the sweep; write or check the manifest (exit 2 on a mismatch)."""
        _exit_on_error(self._start, config)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Aggregate the job directories; write the report when complete; exit 1 when not."""
        _exit_on_error(self._end, config)

    def _start(self, config: DictConfig) -> None:
        if config.experiment.sensitivity.method != "none":
            with read_write(config.hydra), open_dict(config.hydra):
                n = len(design_points(config.experiment.sensitivity))
                config.hydra.sweeper.params["experiment.point"] = f"range(0,{n})"
        check_shared(config)
        warn_single_replication(int(config.experiment.replications), str(config.output.lang))  # stderr
        manifest = prepare_manifest(config)
        if config.experiment.progress:
            self._progress = _Progress(Path(config.hydra.sweep.dir), manifest)
            self._progress.start()

    def _end(self, config: DictConfig) -> None:
        from govsim.aggregate import aggregate, status_text

        if self._progress is not None:
            self._progress.stop()
        sweep = Path(config.hydra.sweep.dir)
        agg = aggregate(sweep)
        print(status_text(agg.summary), file=sys.stderr)
        if not agg.summary["complete"]:
            sys.exit(1)
        if config.experiment.report:
            from govsim.report import write_report

            out = write_report(agg, sweep / "report", str(config.output.lang))
            print(f"report: {out}", file=sys.stderr)


def check_shared(config: DictConfig) -> None:
    """Refuse up front a bad value that every job shares; a bad swept value fails only its own jobs."""
    _, keys = expand_jobs(config)
    try:
        run_config(config)
    except ConfigError as exc:
        if not any(exc.key == k or exc.key.startswith(k + ".") for k in keys):
            raise


def _exit_on_error(step: Callable[[DictConfig], None], config: DictConfig) -> None:
    """Run a callback step; Hydra turns a callback's exception into a warning, so exit here instead."""
    try:
        step(config)
    except (ExperimentMismatch, FileNotFoundError, ValueError) as exc:
        print(f"govsim-experiment: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception:
        traceback.print_exc()
        sys.exit(1)


class _Progress(threading.Thread):
    """A bar across the runs of a sweep, fed by the completion markers (works for any launcher)."""

    def __init__(self, sweep: Path, manifest: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.sweep, self.manifest, self.started = sweep, manifest, now()
        self._stop_event = threading.Event()

    def run(self) -> None:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(self.manifest["jobs"]), desc=self.manifest["name"], unit="run", mininterval=0.5)
        while not self._stop_event.wait(0.5):
            self._advance(bar)
        self._advance(bar)
        bar.close()

    def _advance(self, bar: Any) -> None:
        done = self._done()
        if done > bar.n:
            bar.update(done - bar.n)

    def _done(self) -> int:
        from govsim.aggregate import scan_markers

        markers = scan_markers(self.sweep, self.manifest)
        return sum(
            m["status"] == "complete" or m.get("finished", "") >= self.started for m in markers.values()
        )

    def stop(self) -> None:
        """Draw the final count and close the bar."""
        self._stop_event.set()
        self.join(timeout=5)


@hydra.main(version_base=None, config_path=config_dir(), config_name="config")
def _job(cfg: DictConfig) -> dict[str, Any]:
    hc = HydraConfig.get()
    if "experiment" not in hc.runtime.choices:
        print(
            "govsim-experiment: error: name an experiment: +experiment=four_focus (configs/experiment/)",
            file=sys.stderr,
        )
        sys.exit(2)
    manifest = read_manifest(Path(hc.sweep.dir))
    return run_job(cfg, Path(hc.runtime.output_dir), manifest, list(hc.overrides.task))


def main() -> None:
    """``govsim-experiment`` console script: ``govsim-experiment +experiment=NAME [overrides]``."""
    register_experiment_configs()
    _job()
