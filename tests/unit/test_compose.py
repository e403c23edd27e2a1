"""One route to a checked config: a run is composed and checked once; no module imports the CLI;
sweep expansion is one function; importing govsim's modules sets nothing (no Matplotlib backend).

On the code before issue 12 a single ``govsim`` run composed its config four times (Hydra's config
loader: sweep planning, the check, the output-directory check, Hydra's mode probe and Hydra's own run
— five calls) and checked it twice; the import and backend tests failed there too.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl

from govsim import cli, experiment, planning, validate
from govsim.compose import compose_multirun, expand_sweep, sweep_params
from govsim.config import GovsimConfig, register_configs

SRC = Path(__file__).resolve().parents[2] / "src" / "govsim"


def test_a_govsim_run_composes_and_checks_its_config_once(
    tmp_path: Path, quick: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted in every process: the plan may be made in a forked child (``govsim.planfork``)."""
    calls = tmp_path / "calls"
    load, check_fields = ConfigLoaderImpl.load_configuration, validate.check_fields

    def count(what: str) -> None:
        with calls.open("a") as f:
            f.write(what + "\n")

    def counted_load(self, *args, **kwargs):  # every Hydra composition, govsim's and Hydra's own
        count("compose")
        return load(self, *args, **kwargs)

    def counted_check(node, *args, **kwargs):  # the field check every route to a checked config runs
        if isinstance(node, GovsimConfig):  # the whole config, not its sections (recursion)
            count("check")
        return check_fields(node, *args, **kwargs)

    monkeypatch.setattr(ConfigLoaderImpl, "load_configuration", counted_load)
    monkeypatch.setattr(validate, "check_fields", counted_check)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["govsim", *quick, "hydra.run.dir=run"])
    cli.main()
    assert (tmp_path / "run" / "run.json").is_file()
    assert sorted(calls.read_text().split()) == ["check", "compose"]


IMPORTS_CLI = re.compile(
    r"(from govsim\.cli import|import govsim\.cli\b|from \.cli import|from govsim import [^#\n]*\bcli\b)"
)
CLI_TESTS = {
    "test_cli.py",
    "test_config_safety.py",
    "test_compose.py",
    "test_identity.py",
    "test_lazymesa.py",
    "test_mallocarena.py",
}
"""Tests of the ``govsim`` command itself (``cli.main``, ``plan``, ``preflight``): they may import it."""


def test_no_module_but_the_entry_points_imports_the_cli() -> None:
    """Nothing imports ``govsim.cli`` but the tests of the command: not the library, benchmarks, scripts,
    notebooks, experiments or other tests (a line that imports it, also inside a ``python -c`` string)."""
    root = SRC.parents[1]
    files = [p for p in SRC.glob("*.py") if p.name != "cli.py"]
    for folder in ("benchmarks", "scripts", "notebooks", "experiments", "tests"):
        files += [p for p in (root / folder).rglob("*") if p.suffix in (".py", ".ipynb")]
    scanned = [p for p in files if not (p.parent.parent == root / "tests" and p.name in CLI_TESTS)]
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(scanned)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if IMPORTS_CLI.search(line)
    ]
    assert len(scanned) > 50 and any(p.parent.name == "benchmarks" for p in scanned)
    assert found == []


def test_hydra_private_classes_are_used_in_compose_only() -> None:
    users = sorted(p.name for p in SRC.glob("*.py") if "hydra._internal" in p.read_text(encoding="utf-8"))
    assert users == ["compose.py"]


@pytest.mark.parametrize(
    "overrides",
    [
        ["+experiment=four_focus", "policy=baseline,grid", "seed=0,1"],
        ["+experiment=four_focus", "scenario=one_town", "policy.grid.staffing=1.0,1.5"],
    ],
)
def test_govsim_m_and_govsim_experiment_expand_a_sweep_alike(overrides: list[str]) -> None:
    """``govsim -m`` (``planning.plan_jobs``) and ``govsim-experiment`` (``experiment.expand_jobs``) agree."""
    cfg = compose_multirun(overrides, schema=experiment.register_experiment_configs)  # as govsim-experiment
    jobs, keys = experiment.expand_jobs(cfg)
    assert jobs == expand_sweep([*sweep_params(cfg), *overrides])[0]
    assert jobs == planning.plan_jobs(overrides, multirun=True)
    assert {"policy", "replication"} <= set(keys) or "policy.grid.staffing" in keys
    assert len(jobs) == len({tuple(j) for j in jobs}) > 1


def test_govsim_m_and_govsim_experiment_plan_a_glob_and_range_sweep_alike(
    tmp_path: Path, quick: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A choice sweep listed from the search path (``policy=glob(*)``) and a ``range()`` sweep are planned
    (identities, duplicates merged) by ``govsim -m`` (``planning.plan``) and ``govsim-experiment``
    (``sweep.plan_sweep``) into the same jobs, without crashing.

    Before the fix both planners crashed in ``identity.plan_unique``, which expanded the sweep again
    with a parser that had no config loader: ``HydraException: ConfigLoader is not set``.
    """
    from hydra import initialize_config_dir

    from govsim.compose import config_dir
    from govsim.sweep import plan_sweep

    swept = ["policy=glob(*)", "seed=range(0,2)"]
    policies = sorted(p.stem for p in (Path(config_dir()) / "policy").glob("*.yaml"))
    expected = {(p, s) for p in policies for s in (0, 1)}

    planned = planning.plan(["-m", *quick, *swept, f"hydra.sweep.dir={tmp_path / 'm'}"])
    assert sorted((c.policy.name, c.seed) for c in planned.configs) == sorted(expected)

    monkeypatch.setenv("GOVSIM_CODE_VERSION", "test-code")
    try:
        overrides = ["+experiment=four_focus", *quick, "experiment.replications=1", *swept]
        with initialize_config_dir(config_dir(), version_base=None):
            cfg = compose_multirun(
                [*overrides, f"hydra.sweep.dir={tmp_path / 'e'}"],
                schema=experiment.register_experiment_configs,
            )
            identities, merged, _ = plan_sweep(cfg)
    finally:
        register_configs()  # the plain schema back for the other tests
    jobs, keys = experiment.expand_jobs(cfg)
    assert merged == [] and {"policy", "seed"} <= set(keys)
    assert len(identities) == len(jobs) == len(expected) == len(set(identities.values()))
    picks = [dict(o.split("=", 1) for o in job) for job in jobs]
    assert {(p["policy"], int(p["seed"])) for p in picks} == expected


def test_importing_govsim_sets_no_matplotlib_backend_and_leaves_pyplot_alone() -> None:
    code = (
        "import sys, matplotlib as m\n"
        "before = m.rcParams._get_backend_or_none()\n"
        "import govsim.plots, govsim.report, govsim.runner, govsim.cli, govsim.sweep, govsim.api\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "import govsim.teaching\n"
        "after = m.rcParams._get_backend_or_none()\n"
        "assert after == before, (before, after)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_import_govsim_is_light() -> None:
    """``import govsim`` (every console script runs it first) loads neither Hydra nor Mesa nor pandas."""
    heavy = "{'hydra', 'mesa', 'pandas'}"
    code = f"import sys, govsim; print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy}))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip() == "[]"
