"""Faults a fresh-user review found in ``govsim-log`` and the calibration spec, each refused or fixed.

A run compared with its own export agrees; a misspelt govsim category or channel in a mapping is refused;
one run gives no spread (NaN and a warning) and the spread is named where it is read; the extract time
``--as-of`` counts every ticket by default and is refused inside or before the log; argument errors and
an unknown calibration parameter are one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from refusal import refused  # tests/unit on the path, as pytest puts it

from govsim import logtool
from govsim.config import GovsimConfig
from govsim.logs import MAPPINGS_DIR, LogError, load_mapping, read_log, write_log

BOSTON = Path(__file__).resolve().parents[1] / "data" / "boston311-100-sample.csv"


@pytest.fixture(scope="module")
def run_and_export(
    make_config: Callable[..., GovsimConfig], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A 40-day one_town run, and its measured period exported as a GBK 12345 log (cn12345 layout)."""
    from govsim.observed import from_records
    from govsim.runner import load_records, run_to_dir

    out = tmp_path_factory.mktemp("selfrun")
    run_to_dir(make_config("scenario=one_town", "horizon_days=40", "warmup_days=10"), out / "run")
    table, _ = from_records(load_records(out / "run"))
    write_log(table, out / "cn.csv", "cn12345", "gbk")
    return out / "run", out / "cn.csv"


@pytest.mark.parametrize("mapping", ["cn12345", "boston311"])
def test_a_run_compared_with_its_own_export_agrees(run_and_export, tmp_path: Path, mapping: str) -> None:
    """Both sides are the run seen through a log (``observed.from_records``), over the same period, and
    through the same mapping: Boston 311 has no handling-end time and names only some of govsim's
    categories and channels, so the simulated side is judged on-time at close and folds the names it
    cannot carry into ``other``, as its export read back does.

    Exact for counts and rates; the export writes times to the second, so a time KPI may move by under a
    second (1.2e-5 days)."""
    run, log = run_and_export
    if mapping != "cn12345":
        from govsim.observed import from_records
        from govsim.runner import load_records

        log = tmp_path / f"{mapping}.csv"
        write_log(from_records(load_records(run))[0], log, mapping, "utf-8")
    logtool.main(["compare", str(log), str(run), "--mapping", mapping, "--out", str(tmp_path / "self")])
    cmp = pd.read_csv(tmp_path / "self" / "compare.csv").set_index("kpi")
    assert cmp.loc["tickets", "observed"] > 100
    both = cmp[cmp["observed"].notna() | cmp["simulated_mean"].notna()]
    for kpi, row in both.iterrows():
        seconds = 1.2e-5 if "resolution" in str(kpi) or "days" in str(kpi) else 0.0
        assert row["observed"] == pytest.approx(row["simulated_mean"], abs=seconds, rel=1e-12), kpi


def _mapping(tmp_path: Path, old: str, new: str) -> Path:
    text = (MAPPINGS_DIR / "cn12345.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "hint"),
    [
        ("网格员巡查: patrol", "网格员巡查: patroll", "channels.网格员巡查='patroll'", "patrol"),
        ("矛盾纠纷: dispute", "矛盾纠纷: disput", "categories.矛盾纠纷='disput'", "dispute"),
    ],
)
def test_a_misspelt_govsim_name_in_a_mapping_is_refused(tmp_path, capsys, old, new, key, hint) -> None:
    path = _mapping(tmp_path, old, new)
    with pytest.raises(LogError) as exc:
        load_mapping(path)
    assert f"{key}: " in str(exc.value) and f"did you mean {hint!r}" in str(exc.value)
    assert "allowed: " in str(exc.value) and "other" in str(exc.value)
    out = tmp_path / "s"
    err = refused(logtool.main, ["summary", str(BOSTON), "--mapping", str(path), "--out", str(out)], capsys)
    assert err.startswith(f"govsim-log: error: {path}: {key}: ") and not out.exists()


def test_the_shipped_mappings_name_only_govsim_names() -> None:
    for name in ("boston311", "cn12345"):
        load_mapping(name)


def test_one_run_gives_no_spread_and_a_warning(run_and_export, tmp_path, capsys) -> None:
    run, _ = run_and_export
    logtool.main(["compare", str(BOSTON), str(run), "--mapping", "boston311", "--out", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert "govsim: warning: " in captured.err and "one replication" in captured.err
    cmp = pd.read_csv(tmp_path / "c" / "compare.csv")
    lo, hi = "simulated_p2.5", "simulated_p97.5"  # the spread named in the CSV itself
    assert cmp[lo].isna().all() and cmp[hi].isna().all()
    assert "2.5th and 97.5th percentiles of the replications" in captured.out


def test_the_spread_of_several_runs_is_their_percentiles(tmp_path: Path) -> None:
    frames = [pd.DataFrame({"kpi": ["tickets"], "group": ["all"], "value": [float(v)]}) for v in range(1, 42)]
    table = logtool.compare_table(frames[0], frames).set_index("kpi")
    values = np.arange(1, 42, dtype=float)
    assert table.loc["tickets", "simulated_p2.5"] == pytest.approx(np.quantile(values, 0.025))
    assert table.loc["tickets", "simulated_p97.5"] == pytest.approx(np.quantile(values, 0.975))


def test_a_mix_share_one_side_lacks_is_zero_on_that_side() -> None:
    """A channel the log never shows (or a run never draws) has share 0 there, not an empty cell."""
    observed = pd.DataFrame({"kpi": ["channel_share"], "group": ["app"], "value": [1.0]})
    simulated = pd.DataFrame({"kpi": ["channel_share"] * 2, "group": ["app", "other"], "value": [0.9, 0.1]})
    table = logtool.compare_table(observed, [simulated]).set_index("kpi")
    assert table.loc["channel_share[other]", "observed"] == 0.0
    assert table.loc["channel_share[app]", "simulated_mean"] == 0.9


def test_every_ticket_read_counts_by_default(run_and_export, tmp_path, capsys) -> None:
    """The default extract time is the end of the log's last day: the last ticket is in every KPI."""
    _, log = run_and_export
    read = read_log(log, "cn12345")
    logtool.main(["summary", str(log), "--mapping", "cn12345", "--out", str(tmp_path / "s")])
    kpis = pd.read_csv(tmp_path / "s" / "observed_kpis.csv").set_index("kpi")
    assert kpis.loc["tickets", "value"] == len(read.table)
    assert read.as_of == read.table["reported"].max().floor("D") + pd.Timedelta(days=1)


@pytest.mark.parametrize("as_of", ["2022-01-15", "2021-01-01"])
def test_an_extract_time_inside_or_before_the_log_is_refused(tmp_path, capsys, as_of) -> None:
    out = tmp_path / "s"
    argv = ["summary", str(BOSTON), "--mapping", "boston311", "--as-of", as_of, "--out", str(out)]
    err = refused(logtool.main, argv, capsys)
    assert err.startswith(f"govsim-log: error: --as-of={as_of!r}: ") and "allowed: " in err
    assert "at or after" in err and not out.exists()


def test_an_extract_time_after_the_log_is_used(tmp_path: Path) -> None:
    read = read_log(BOSTON, "boston311", "2023-01-01")
    assert read.as_of == pd.Timestamp("2023-01-01")


@pytest.mark.parametrize(
    "argv", [["summary", str(BOSTON)], ["summary"], ["compare", str(BOSTON), "--mapping", "x"], ["nosuch"]]
)
def test_argument_errors_are_one_line(capsys, argv) -> None:
    err = refused(logtool.main, argv, capsys)
    assert err.startswith("govsim-log") and ": error: " in err and "usage:" not in err


def _spec(tmp_path: Path, parameters: str, targets: str = "tickets: {value: 1, tolerance: 1}") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(f"parameters: {{{parameters}}}\ntargets: {{{targets}}}\n", encoding="utf-8")
    return path


def test_an_unknown_calibration_parameter_names_the_spec_and_the_allowed_keys(tmp_path: Path) -> None:
    from govsim.calspec import SpecError, load_spec

    path = _spec(tmp_path, "scenario.satisfaction_bse: {low: 0.5, high: 0.9}")
    with pytest.raises(SpecError) as exc:
        load_spec(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: parameters.scenario.satisfaction_bse") and "\n" not in msg
    assert "did you mean 'satisfaction_base'" in msg and "allowed: " in msg


def test_a_wildcard_parameter_is_checked_below_the_mapping(tmp_path: Path) -> None:
    from govsim.calspec import SpecError, load_spec

    body = "scenario.categories.*.%s: {low: 0.5, high: 1.2, scale: true}"
    with pytest.raises(SpecError, match="did you mean 'handling_days'"):
        load_spec(_spec(tmp_path, body % "handling_dys"))
    spec = load_spec(_spec(tmp_path, body % "handling_days"))
    assert spec.parameters[0].key == "scenario.categories.*.handling_days"


def test_the_fit_report_says_rates_are_clipped(tmp_path: Path) -> None:
    from govsim import fitreport
    from govsim.calspec import load_spec

    path = _spec(tmp_path, "scenario.incident_rate: {low: 0.1, high: 1}", "on_time_rate: {range: [0.5, 0.9]}")
    spec = load_spec(path)
    trials = pd.DataFrame(
        {"trial": [0, 1, 2], "scenario.incident_rate": [0.2, 0.5, 0.8], "loss": [3.0, 1.0, 2.0]}
    )
    targets = fitreport.target_table(spec, np.array([[0.99], [0.9]]))
    assert targets.loc[0, "interval_high"] == 1.0  # clipped: the label must say so
    meta = {"spec": str(path), "wall_seconds": 1.0, "out": str(tmp_path / "out")}
    text = fitreport.fit_report(spec, trials, targets, fitreport.identification(trials, spec), meta)
    assert "95 % t-interval" in text and "clipped to [0, 1]" in text
