"""The unchecked corners of issue 15: one-line refusals (key, value, allowed), warnings kept in metadata.

Each test here failed on the code before issue 15 (noted in the branch report).
"""

from __future__ import annotations

import json
import tracemalloc
from importlib import resources
from pathlib import Path

import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir

from govsim import experiment as ex
from govsim import experimentchecks
from govsim.compose import InputError, compose, config_dir
from govsim.config import register_configs

ONE = [
    "scenario=one_town",
    "horizon_days=20",
    "warmup_days=5",
    "output.figures=false",
    "output.progress=false",
]
TOWNS = (resources.files("govsim") / "data" / "territory" / "one_town.csv").read_text(encoding="utf-8")
HEADER = "county,county_kind,town,population,communities"


# ---- the experiment section --------------------------------------------------------------------------
@pytest.fixture
def primary(monkeypatch):
    monkeypatch.setenv("GOVSIM_CODE_VERSION", "test-code")
    ex.register_experiment_configs()

    def make(*overrides: str, name: str = "four_focus"):
        with initialize_config_dir(config_dir(), version_base=None):
            return hydra_compose("config", [f"+experiment={name}", *overrides], return_hydra_config=True)

    yield make
    register_configs()


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        (["experiment.replications=0"], "experiment.replications=0: allowed: an integer >= 1"),
        (["experiment.replications=-2"], "experiment.replications=-2: allowed: an integer >= 1"),
        (
            ["+experiment.replicatons=3"],
            "experiment.replicatons=3: unknown key in experiment (did you mean 'replications'?); allowed: "
            "name,",
        ),
        (["experiment.warmup=mser"], "experiment.warmup='mser': allowed: fixed, mser5"),
        (["experiment.job_timeout_s=-1"], "experiment.job_timeout_s=-1"),
    ],
)
def test_bad_experiment_section_is_refused(primary, overrides, fragment) -> None:
    with pytest.raises(ValueError) as info:
        experimentchecks.check_experiment(primary(*overrides))
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        (["experiment.sensitivity.size=1"], "experiment.sensitivity.size=1: allowed: an integer >= 2"),
        (
            ["experiment.sensitivity.factors.0.key=policy.grid.stafing"],
            "experiment.sensitivity.factors[0].key='policy.grid.stafing': allowed: a numeric key",
        ),
        (
            ["experiment.sensitivity.factors.0.low=3.0"],
            "experiment.sensitivity.factors[0].high=1.8: allowed: more than low (3)",
        ),
    ],
)
def test_bad_sensitivity_design_is_refused(primary, overrides, fragment) -> None:
    with pytest.raises(ValueError) as info:
        experimentchecks.check_experiment(primary(*overrides, name="sensitivity"))
    assert fragment in str(info.value)


def test_shipped_experiments_pass_the_section_check(primary) -> None:
    for path in sorted((Path(config_dir()) / "experiment").glob("*.yaml")):
        experimentchecks.check_experiment(primary(name=path.stem))


def test_misspelt_experiment_key_exits_2_and_writes_nothing(tmp_path: Path, console) -> None:
    p = console(
        "govsim-experiment",
        tmp_path,
        "+experiment=four_focus",
        *ONE,
        "+experiment.replicatons=3",
        "hydra.sweep.dir=s",
        "hydra/launcher=basic",
        env={"GOVSIM_CODE_VERSION": "corners"},
    )
    assert p.returncode == 2
    last = p.stderr.strip().splitlines()
    assert len(last) == 1 and last[0].startswith("govsim-experiment: error: experiment.replicatons=3")
    assert not (tmp_path / "s").exists()


# ---- values the run config let through -----------------------------------------------------------------
@pytest.mark.parametrize(
    "override, fragment",
    [
        ("scenario.incident_rate=0", "scenario.incident_rate=0.0: allowed: a number > 0"),
        ("policy.grid.training_hours=100", "policy.grid.training_hours=100.0: allowed: at most 16"),
        ("scenario.max_reopens=1000000000", "scenario.max_reopens=1000000000: allowed: an integer in [0, 2]"),
        ("scenario.max_reopens=3", "scenario.max_reopens=3"),  # crashed mid-run: 3 rounds of work drawn
    ],
)
def test_values_beyond_what_the_model_holds_are_refused(override: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        compose([*ONE, override])
    assert fragment in str(info.value)


def test_training_fits_beside_fewer_admitted_tasks() -> None:
    """20 h of training is refused beside the default tasks (24 h of a 40 h week), kept beside 16 h."""
    with pytest.raises(InputError, match="training_hours=20.0: allowed: at most 16"):
        compose([*ONE, "policy.grid.training_hours=20"])
    cfg = compose([*ONE, "policy.grid.training_hours=20", "policy.grid.admission=reviewed"])  # 16 h of tasks
    assert cfg.policy.grid.training_hours == 20.0 and cfg.policy.grid.admission == "reviewed"


@pytest.mark.parametrize(
    "overrides, key",
    [
        (["horizon_days=1e9"], "horizon_days=1000000000.0"),
        (["scenario.population_scale=1000"], "scenario.population_scale=1000.0"),
        (["policy.grid.staffing=1e6"], "policy.grid.staffing=1000000.0"),
    ],
)
def test_runs_that_would_exhaust_memory_are_refused_with_the_estimate(overrides: list[str], key: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as info:
            compose(["output.progress=false", *overrides])  # the default scenario: Jiangmen
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert message.startswith(key) and "GiB" in message and "would need about" in message
    assert peak < 200e6  # refused before anything is allocated: the run itself would take GiBs


def test_memory_estimate_tracks_a_measured_run() -> None:
    from govsim.validate import memory_estimate

    cfg = compose(["scenario=jiangmen", "scenario.population_scale=0.1", "horizon_days=365"])
    from govsim.scenario import read_towns, territory_path

    parts = memory_estimate(cfg, read_towns(territory_path(cfg.scenario.territory)))
    # measured with ru_maxrss: 276 MB peak for 102,675 tickets (see BYTES_PER_TICKET); within a factor 1.5
    assert 276e6 / 1.5 < sum(parts.values()) < 276e6 * 1.5


# ---- territory files -------------------------------------------------------------------------------------
def _territory(tmp_path: Path, text: str, bom: bool = False) -> str:
    path = tmp_path / "towns.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return str(path)


def test_excel_utf8_with_bom_is_read(tmp_path: Path) -> None:
    cfg = compose([*ONE, f"scenario.territory={_territory(tmp_path, TOWNS, bom=True)}"])
    assert cfg.scenario.territory.endswith("towns.csv")


@pytest.mark.parametrize(
    "text, fragment",
    [
        (f"{HEADER}\nA,district,a,100,2\nA,district,b,100,2,extra\n", "line 3: 6 fields; allowed: 5"),
        (
            f"{HEADER}\nA,district,a,100,2\nA,district,a,300,3\n",
            "town='a' in county 'A' is already on line 2",
        ),
        (f"{HEADER}\nA,district,a,20000,100000000\n", "communities=100000000; allowed: at most the town's"),
    ],
)
def test_malformed_territory_rows_are_refused(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        compose([*ONE, f"scenario.territory={_territory(tmp_path, text)}"])
    assert fragment in str(info.value)


def test_a_town_of_a_hundred_million_communities_is_refused_by_its_size(tmp_path: Path) -> None:
    text = f"{HEADER}\nA,district,a,1000000000,100000000\n"
    with pytest.raises(InputError, match=r"would need about [\d,.]+ GiB") as info:
        compose([*ONE, f"scenario.territory={_territory(tmp_path, text)}"])
    assert str(info.value).startswith("scenario.")


def test_relative_territory_with_chdir_is_the_file_that_was_checked(tmp_path: Path, console) -> None:
    (tmp_path / "towns.csv").write_text(TOWNS, encoding="utf-8")
    done = console("govsim", tmp_path, *ONE, "scenario.territory=towns.csv", "hydra.job.chdir=true")
    assert done.returncode == 0, done.stderr[-2000:]
    (run,) = tmp_path.glob("outputs/one_town/baseline/*/run.json")
    assert json.loads(run.read_text(encoding="utf-8"))["status"] == "complete"


# ---- warnings kept, not only printed ---------------------------------------------------------------------
def test_utilisation_warning_is_recorded_in_run_json(tmp_path: Path, console) -> None:
    done = console("govsim", tmp_path, *ONE, "policy.mechanism.department_staffing=0.3")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "govsim: warning: 部门" in done.stderr  # warnings speak the run's language (zh by default)
    (run,) = tmp_path.glob("outputs/one_town/baseline/*/run.json")
    warnings = json.loads(run.read_text(encoding="utf-8"))["warnings"]
    assert any("估计利用率" in w for w in warnings)


# ---- govsim-regress ------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", ["0", "1", "-0.1", "nan"])
def test_regress_alpha_outside_zero_one_is_refused(alpha: str, capsys: pytest.CaptureFixture[str]) -> None:
    from govsim import regress

    with pytest.raises(SystemExit) as info:
        regress.main([f"--alpha={alpha}", "--only=one_town_baseline"])
    assert info.value.code == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .startswith(f"govsim-regress: error: --alpha={float(alpha):g}: allowed")
    )
