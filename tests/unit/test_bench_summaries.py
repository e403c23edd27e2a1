"""``benchmarks/bench.py``'s summaries of hand-made rounds: start-up, scaling, memory slope, network."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from benchscript import load_script  # tests/unit on the path, as pytest puts it

ROOT = Path(__file__).resolve().parents[2]


def _bench():  # noqa: ANN202 - the script as a module
    return load_script("bench")


def _run(wall: float, simulate: float, peak_mb: float, tickets: int, build: float = 0.0) -> dict[str, object]:
    phases = {"build": build, "simulate": simulate}
    return {
        "wall": wall, "user": wall, "sys": 0.0, "peak_mb": peak_mb, "tickets": tickets,
        "phases": phases, "cpu_phases": dict(phases),
    }  # fmt: skip


def test_start_up_is_the_median_of_each_rounds_rest_of_the_wall() -> None:
    bench = _bench()
    runs = [_run(10.0, 9.0, 1, 1), _run(12.0, 8.0, 1, 1), _run(11.0, 10.0, 1, 1)]  # rests 1, 4, 1
    # median wall 11 minus median simulate 9 would say 2
    assert bench.summary(runs)["phases"]["start-up"] == pytest.approx(1.0)


def test_the_time_per_ticket_spread_is_judged_on_the_median_of_rounds() -> None:
    bench = _bench()
    runs = {
        "1.0": [_run(2, 1.0, 300, 1000), _run(2, 1.0, 300, 1000), _run(2, 1.0, 300, 1000)],
        # a round disturbed downwards would make the fastest-round spread 2.0; the medians say 1.1
        "2.0": [_run(3, 1.0, 400, 2000), _run(3, 2.2, 400, 2000), _run(3, 2.4, 400, 2000)],
    }
    sc = bench.scaling_summary(runs)
    assert sc["sim_spread"] == pytest.approx(1.1)
    assert sc["sim_spread_fastest"] == pytest.approx(2.0)
    assert sc["by_scale"]["2.0"]["sim_us_per_ticket"] == pytest.approx(1100.0)
    assert sc["by_scale"]["2.0"]["sim_us_per_ticket_min"] == pytest.approx(500.0)
    (row,) = [r for r in bench.verdict({"scaling": sc}) if "µs per ticket" in r["measure"]]
    assert row["value"] == pytest.approx(1.1) and "median" in row["measure"]


def test_the_memory_each_added_ticket_costs_is_a_target_too() -> None:
    bench = _bench()
    runs = {  # peak MB 200 + slope: 0.5 KB per ticket, then 0.75
        "1.0": [_run(1, 1, 200 + 1000 * 0.5 / 1024, 1000)] * 3,
        "2.0": [_run(1, 2, 200 + 2000 * 0.5 / 1024, 2000)] * 3,
        "4.0": [_run(1, 4, 200 + (2000 * 0.5 + 2000 * 0.75) / 1024, 4000)] * 3,
    }
    sc = bench.scaling_summary(runs)
    assert sc["by_scale"]["4.0"]["marginal_kb_per_ticket"] == pytest.approx(0.75)
    assert sc["memory_spread"] == pytest.approx(1.5)
    (row,) = [r for r in bench.verdict({"scaling": sc}) if "memory" in r["measure"]]
    assert (row["target"], row["met"]) == (1.2, False)


def test_a_falling_peak_between_scales_is_no_flat_memory() -> None:
    bench = _bench()
    assert math.isinf(bench.spread([0.5, -0.1, 0.4]))
    assert bench.spread([0.5, 0.4]) == pytest.approx(1.25)


def test_the_network_comes_from_the_servers_and_the_warm_up_runs_tickets() -> None:
    bench = _bench()
    servers = {
        "centre_servers": [2, 1, 1],
        "desk_servers": [10, 20, 30, 40],
        "town_county": [0, 0, 1],
        "n_departments": 2,
    }
    nan = np.nan
    tickets = {  # six tickets: one never reaches a centre (on site), one is served at the centre only
        "town": np.array([0, 0, 1, 2, 2, 1]),
        "department": np.array([1, 1, 0, 3, -1, -1]),
        "t_triage_start": np.array([1.0, 2.0, 3.0, 4.0, 5.0, nan]),
        "t_dept_arrive": np.array([1.5, 2.5, 3.5, 4.5, nan, nan]),
    }
    net = bench.network_from(servers, tickets)
    assert net["centre_servers"] == [2, 1, 1] and net["desk_servers"] == [10, 20, 30, 40]
    assert net["centre_desks"] == [[0, 1], [0, 1], [2, 3]]
    assert net["centre_weights"] == [2, 1, 2]
    assert net["desk_weights"] == [1, 2, 0, 1]
    assert net["centre_share"] == pytest.approx(5 / 6)
    assert net["department_share"] == pytest.approx(4 / 6)
    summary = bench.network_summary(net)
    assert summary["centre_servers"] == 4 and summary["desk_servers"] == 100
    assert (summary["centres"], summary["desks"]) == (3, 4)
