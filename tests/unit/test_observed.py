"""Observed KPIs: a hand-worked tiny log, simulated records through the same function, compare."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim import kpis, logtool
from govsim.config import GovsimConfig
from govsim.logs import FIELDS
from govsim.observed import Window, from_records, observed_kpis, simulated_kpis

T0 = pd.Timestamp("2024-01-01")
D = pd.Timedelta(days=1)


def tiny() -> pd.DataFrame:
    """Five tickets over a 10-day window, censored at day 12; worked by hand in the test below."""
    nat = pd.NaT
    frame = pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5"],
            "reported": [T0, T0 + D, T0 + 2 * D, T0 + 3 * D, T0 + 9 * D],
            "deadline": [T0 + 3 * D, T0 + 3 * D, T0 + 5 * D, T0 + 20 * D, T0 + 4 * D],
            "handled": [T0 + 1 * D, T0 + 4 * D, nat, nat, T0 + 10 * D],
            "closed": [T0 + 2 * D, T0 + 5 * D, nat, nat, T0 + 10 * D],
            "category": ["a", "a", "b", "b", "a"],
            "channel": ["patrol", "app", "app", "app", "app"],
            "town": ["x"] * 5,
            "status": ["closed", "closed", "open", "open", "closed"],
            "duplicate": [False, False, False, False, True],
        }
    )
    return frame.astype({c: "datetime64[ns]" for c in ("reported", "deadline", "handled", "closed")})


def test_tiny_log_by_hand() -> None:
    k = observed_kpis(tiny(), Window(T0, T0 + 10 * D, T0 + 12 * D)).set_index(["kpi", "group"])["value"]
    assert k["tickets", "all"] == 5
    assert k["volume_per_day", "all"] == pytest.approx(0.5)
    assert k["duplicate_share", "all"] == pytest.approx(1 / 5)
    # non-duplicates 1–4: #1 on time, #2 late, #3 open past its deadline (overdue), #4 undecided
    assert k["on_time_rate", "all"] == pytest.approx(1 / 3)
    assert k["open_share", "all"] == pytest.approx(2 / 4)
    # resolution: 2 d and 4 d closed; 10 d and 9 d censored. KM: S(2)=3/4, S(4)=3/4·2/3=1/2
    assert k["resolution_median", "all"] == pytest.approx(4.0)
    assert np.isnan(k["resolution_p90", "all"])
    # restricted mean (govsim.kpis): area under S to the longest time observed, 10 d
    assert k["resolution_mean", "all"] == pytest.approx(2 * 1 + 2 * 0.75 + 6 * 0.5)
    assert k["category_share", "a"] == pytest.approx(0.5) and k["channel_share", "patrol"] == pytest.approx(
        0.25
    )
    assert k["patrol_share", "all"] == pytest.approx(0.25)  # the KPI module's name for the same share
    assert (k["on_time_rate_num", "all"], k["on_time_rate_den", "all"]) == (1, 3)
    # what a log cannot say is empty, never guessed
    assert np.isnan(k["on_site_share", "all"]) and np.isnan(k["satisfaction_rate", "all"])
    assert np.isnan(k["extension_rate", "all"]) and np.isnan(k["response_rate", "all"])


@pytest.fixture(scope="module")
def short_run(make_config: Callable[..., GovsimConfig], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from govsim.runner import run_to_dir

    out = tmp_path_factory.mktemp("runs")
    for seed in (0, 1):
        run_to_dir(make_config("scenario=one_town", "horizon_days=60", f"seed={seed}"), out / f"seed{seed}")
    return out


def test_simulated_records_become_the_same_table(short_run: Path) -> None:
    from govsim.runner import load_records

    rec = load_records(short_run / "seed0")
    table, window = from_records(rec, "2024-01-01")
    inc = rec.incidents[rec.incidents["t_report"] >= rec.warmup]
    assert list(table.columns) == list(FIELDS) and len(table) == len(inc)
    assert window == Window(T0 + 30 * D, T0 + 60 * D, T0 + 60 * D)
    k = observed_kpis(table, window).set_index(["kpi", "group"])["value"]
    assert k["tickets", "all"] == len(inc)
    assert k["duplicate_share", "all"] == pytest.approx((inc["duplicate_of"] >= 0).mean())
    real = inc[inc["duplicate_of"] < 0]
    assert k["channel_share", "patrol"] == pytest.approx((real["channel"] == 0).mean())
    assert k["open_share", "all"] == pytest.approx(real["t_close"].isna().mean())


def test_a_run_gives_the_kpis_of_the_kpi_module(short_run: Path) -> None:
    """One code path: the KPI table of a run is ``kpis.compute`` of its records (so, the run's kpis.csv)."""
    from govsim.metrics import kpi_table
    from govsim.runner import load_records

    rec = load_records(short_run / "seed0")
    k = simulated_kpis(rec).set_index(["kpi", "group"])["value"]
    ref = kpi_table(rec).iloc[0]
    for d in kpis.DEFINITIONS:
        got, want = k[d.key, "all"], ref[d.key]
        assert (np.isnan(got) and np.isnan(want)) or got == want, d.key


def test_compare_puts_observed_beside_replications(short_run: Path, tmp_path: Path) -> None:
    boston = Path(__file__).resolve().parents[1] / "data" / "boston311-100-sample.csv"
    out = tmp_path / "cmp"
    logtool.main(["compare", str(boston), str(short_run), "--mapping", "boston311", "--out", str(out)])
    cmp = pd.read_csv(out / "compare.csv").set_index("kpi")
    assert (out / "resolution_time.png").stat().st_size > 0
    assert cmp.loc["tickets", "observed"] == 100 and cmp.loc["tickets", "replications"] == 2
    from govsim.runner import load_records

    n = [len(from_records(load_records(short_run / f"seed{s}"))[0]) for s in (0, 1)]
    assert cmp.loc["tickets", "simulated_mean"] == pytest.approx(np.mean(n))
    assert cmp.loc["tickets", "simulated_p2.5"] >= min(n) and cmp.loc["tickets", "simulated_p97.5"] <= max(n)


def test_hotline_run_kpis_count_seat_resolved_consultations(make_config: Callable[..., GovsimConfig]) -> None:
    """With the 12345 hotline on, the KPI table a calibration fits is the run's kpis.csv: 直接办结率
    counts the consultations resolved at the seat (docs/kpis.md) and 接通率 is there. A table computed
    without the hotline's day table (as before) had the ticket-only share and no 接通率."""
    from govsim.metrics import kpi_table
    from govsim.runner import simulate

    cfg = make_config("scenario=one_town", "scenario.hotline.enabled=true", "horizon_days=20",
                      "warmup_days=5")  # fmt: skip
    rec = simulate(cfg).records
    k = simulated_kpis(rec).set_index(["kpi", "group"])["value"]
    ref = kpi_table(rec).iloc[0]
    seat = int(rec.hotline.loc[(rec.hotline["day"] >= 5) & (rec.hotline["day"] < 20), "seat_resolved"].sum())
    assert seat > 0 and ref["on_site_share_num"] > seat  # consultations and on-site tickets both count
    for key in ("on_site_share", "on_site_share_num", "on_site_share_den", "answer_rate", "abandon_rate"):
        assert k[key, "all"] == ref[key], key
    assert 0 < k["answer_rate", "all"] <= 1
