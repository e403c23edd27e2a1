"""Scenario regression in CI: the project's cases still match their baselines; a changed parameter does not.

The baselines (``baselines/*.json``) are seeded numbers: a record of what the model gave, never theory.
After an intended change of the model, regenerate them with ``govsim-regress --update`` and commit them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from govsim import regress

BASELINES = Path(__file__).parent / "baselines"


def _main(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        regress.main(argv)
    return int(info.value.code or 0)


def test_project_cases_match_their_baselines(capsys: pytest.CaptureFixture[str]) -> None:
    """One test for all cases, so that parallel workers do not run the cases twice."""
    status = _main(["--baselines", str(BASELINES)])
    out = capsys.readouterr().out
    assert status == 0, f"scenario drift (intended? run govsim-regress --update and commit):\n{out}"
    compared = len(regress.DEFAULT_CASES) * len(regress.KPIS)
    assert sum(line.endswith("  ok") for line in out.splitlines()) == compared


def test_doubled_handling_time_is_caught(capsys: pytest.CaptureFixture[str]) -> None:
    """The deliberate change: livelihood cases (a third of demand) take twice the department work."""
    status = _main(
        [
            "--baselines",
            str(BASELINES),
            "--only",
            "one_town_baseline",
            "scenario.categories.livelihood.handling_days=0.5",
        ]
    )
    out = capsys.readouterr().out
    assert status == 1
    drifted = {line.split()[0] for line in out.splitlines() if line.endswith("DRIFT")}
    assert {"department_wait", "resolution_mean", "backlog_mean", "on_time_rate"} <= drifted
    assert "govsim-regress: DRIFT" in out


def test_other_seed_stays_within_the_bands(capsys: pytest.CaptureFixture[str]) -> None:
    """Unchanged model, independent random numbers: the bands are statistical, not exact floats."""
    status = _main(["--baselines", str(BASELINES), "--only", "one_town_baseline", "--seed", "1"])
    out = capsys.readouterr().out
    assert status == 0, out
    row = next(line.split() for line in out.splitlines() if line.split()[:1] == ["resolution_mean"])
    assert float(row[5]) != 0.0  # the numbers did change


def test_researcher_case_update_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A researcher's own scenario and policy, from their own config directory."""
    configs = tmp_path / "configs"
    for path, text in (
        ("scenario/my_town.yaml", "name: my_town\nterritory: one_town\nincident_rate: 0.25\n"),
        ("policy/my_policy.yaml", "name: my_policy\ngrid:\n  staffing: 1.5\n"),
    ):
        (configs / path).parent.mkdir(parents=True, exist_ok=True)
        (configs / path).write_text(text, encoding="utf-8")
    case = [
        "--config-dir",
        str(configs),
        "--baselines",
        str(tmp_path / "bl"),
        "--replications",
        "3",
        "--case",
        "mine: scenario=my_town policy=my_policy horizon_days=40 warmup_days=10",
    ]
    assert _main([*case, "--update"]) == 0
    doc = json.loads((tmp_path / "bl" / "mine.json").read_text(encoding="utf-8"))
    assert doc["overrides"] == ["scenario=my_town", "policy=my_policy", "horizon_days=40", "warmup_days=10"]
    assert doc["seed"] == 0 and doc["replications"] == 3 and set(doc["kpis"]) == set(regress.KPIS)
    assert _main(case) == 0
    assert "govsim-regress: no drift" in capsys.readouterr().out


# ---- the tolerance band, on made-up summaries -----------------------------------------------------------
def _s(mean: float, sd: float, n: int = 8) -> dict[str, float]:
    return {"mean": mean, "sd": sd, "n": n}


def test_band_is_the_bonferroni_welch_critical_difference() -> None:
    from scipy import stats

    # equal sd and n: Welch's dof is 2(n - 1) = 14 and the standard error sd * sqrt(2 / n)
    expected = stats.t.ppf(1 - 0.01 / (2 * 10), 14) * 1.0 * math.sqrt(2 / 8)
    assert regress.band(_s(5.0, 1.0), _s(5.0, 1.0), m=10) == pytest.approx(expected + 5e-6, rel=1e-9)


def test_compare_flags_only_what_moved_beyond_its_band() -> None:
    base = {"a": _s(1.0, 0.1), "b": _s(1.0, 0.1), "c": _s(100.0, 0.0), "d": _s(math.nan, 0.0, 0)}
    now = {"a": _s(1.05, 0.1), "b": _s(1.5, 0.1), "c": _s(100.0 * (1 + 1e-9), 0.0), "d": _s(math.nan, 0.0, 0)}
    table = regress.compare(base, now).set_index("kpi")
    assert table["ok"].to_dict() == {"a": True, "b": False, "c": True, "d": True}
    now["c"] = _s(101.0, 0.0)  # a KPI without spread (a cost) that changes is a drift
    now["d"] = _s(0.5, 0.1)  # a KPI that appears where there was none is a drift
    table = regress.compare(base, now).set_index("kpi")
    assert not table.loc["c", "ok"] and not table.loc["d", "ok"]


# ---- bad input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--only", "nope"], "--only='nope': no such case; allowed: one_town_baseline"),
        (["--case", "no colon here"], "--case 'no colon here': allowed: \"NAME: override"),
        (
            ["--case", "x: scenario=one_town", "--baselines", "/no/such/dir"],
            "--baselines=/no/such/dir: no such folder",
        ),
        (
            ["--case", "x: scenario=one_town", "--baselines", str(BASELINES.parent)],  # no x.json there
            "no baseline; allowed: create it",
        ),
        (
            ["--case", "x: policy=nonexistent", "--update", "--baselines", "/no/such/dir"],
            "policy='nonexistent'",
        ),
        (["--update", "seed=3"], "seed=3: an override with --update would not be stored"),
        (["--replications", "1"], "--replications=1: allowed: 2 or more"),
    ],
    ids=[
        "unknown case",
        "bad case",
        "no baselines folder",
        "no baseline",
        "bad override",
        "update with override",
        "one replication",
    ],
)
def test_bad_input_is_refused_with_status_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("govsim-regress: error: ") and expected in err and err.count("\n") == 1


def test_run_outside_the_checkout_names_the_folder_it_looked_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default folder is relative: from another folder, say where it looked, not "create it"."""
    monkeypatch.chdir(tmp_path)
    assert _main([]) == 2
    err = capsys.readouterr().err
    assert f"--baselines={tmp_path / 'tests' / 'regression' / 'baselines'}: no such folder" in err
    assert "run from the project's checkout" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_baseline_of_another_case_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((BASELINES / "one_town_baseline.json").read_text(encoding="utf-8"))
    (tmp_path / "one_town_baseline.json").write_text(json.dumps({**doc, "overrides": ["scenario=jiangmen"]}))
    assert _main(["--only", "one_town_baseline", "--baselines", str(tmp_path)]) == 2
    assert "its baseline was made from 'scenario=jiangmen'" in capsys.readouterr().err
