"""Calibration: parameter recovery from a simulated log in the Chinese layout, specs, outputs.

Recovery (issue 16, item 5). A one-town year is simulated with known parameters — incident rate
0.25 per resident-year and handling days at 0.8 × the defaults — on seed 1005, exported in the
Chinese 12345 layout as GBK CSV, read back through the ``cn12345`` mapping, and calibrated from it on
other seeds (0, 1: the fit never sees the truth's random numbers). Targets: tickets per day (3 %),
median and restricted-mean resolution time (0.1 d, 0.25 d), all three taken from the log.

Which truth log, and why. The truth is one realisation; the check that the truth lies inside the range of
the good trials allows no sampling error of the log itself, so it needs a typical one. Tickets per day
after the warm-up at the true parameters, seeds 1000–1011 (measured after residents' traits moved to a
stream of their own): 15.77, 14.84, 14.59, 14.89, 14.27, 14.79, 14.92, 14.82, 14.30, 13.94, 14.17, 15.37
(mean 14.72, sd 0.50). Seed 1000, used until the reseeding, failed this check afterwards; the log was
then changed to seed 1005, the one closest to the median of the twelve (the rule chosen before that run).
Seed 1000 is the busiest (+2.1 sd); at that load one town is near saturation, so its resolution mean
(5.66 d) is 1.3 d above the candidates' mean at the true parameters (4.35 d), five tolerances: no
calibration at these tolerances could keep the truth among the good trials for that log.

Tolerances of the recovered values, and why. Incident rate within 15 % (12.5 % before office time; the
resolution targets are noisier now that closings bunch at office times): tickets per day over the
90 days vary by 3.4 % from seed to seed at rate 0.25 (14.72 ± 0.50 over seeds 1000–1011, measured
above), so the one truth log is off by about that much and the fitted rate also carries the two fitting
seeds' 3.4 %/√2: an estimator sd of about 4.2 %, and 15 % is 3.6 of them.
Handling scale within 0.15: near 0.8 the median resolution time moves about 1.75 d per unit of scale
(2.12 d at 0.6, 2.82 d at 1.0) with a seed-to-seed sd of 0.04–0.13 d, i.e. 0.02–0.07 in scale, and
the scale trades off against the rate (more tickets, more queueing); 0.15 is about two sds of that and
excludes the default 1.0. The range searched is [0.15, 0.4] × [0.5, 1.2]. Cost: 60 trials × 2 seeds
of a 120-day one-town run, about 70 s of CPU (40 trials left TPE short of the region on this log: best
loss 6.5 and the good trials spread over 31 % of the rate's range; with 60, measured: rate 0.241, scale
0.800, both truths inside the good ranges, the rate pinned).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim import calibrate
from govsim.calibrate import SpecError, Target, load_spec
from govsim.config import GovsimConfig
from govsim.logs import read_log, write_log
from govsim.observed import from_records

TRUE_RATE, TRUE_SCALE = 0.25, 0.8
HANDLING = {"dispute": 0.5, "safety_hazard": 0.25, "livelihood": 0.25, "city_management": 0.25,
            "petition": 1.0, "special_population": 0.25}  # fmt: skip  # config.default_categories()

SPEC = """
name: one_town_recovered
scenario: one_town
overrides: [horizon_days=120]
seeds: [0, 1]
report_seeds: [100, 101, 102]
trials: {trials}
log: {{path: truth.csv, mapping: cn12345}}
parameters:
  scenario.incident_rate: {{low: 0.15, high: 0.4}}
  scenario.categories.*.handling_days: {{low: 0.5, high: 1.2, scale: true}}
targets:
  volume_per_day: {{value: log, relative_tolerance: 0.03}}
  resolution_median: {{value: log, tolerance: 0.1}}
  resolution_mean: {{value: log, tolerance: 0.25}}
"""


def test_handling_defaults_are_what_the_test_scales(make_config: Callable[..., GovsimConfig]) -> None:
    cats = make_config("scenario=one_town").scenario.categories
    assert {k: c.handling_days for k, c in cats.items()} == HANDLING


def truth_log(make_config: Callable[..., GovsimConfig], path: Path) -> None:
    from govsim.runner import simulate

    handling = [f"scenario.categories.{k}.handling_days={v * TRUE_SCALE}" for k, v in HANDLING.items()]
    cfg = make_config("scenario=one_town", "horizon_days=120", "seed=1005",
                      f"scenario.incident_rate={TRUE_RATE}", *handling)  # fmt: skip
    table, _ = from_records(simulate(cfg).records, cfg.scenario.start_date)
    write_log(table, path, "cn12345", "gbk")


def test_parameter_recovery(make_config: Callable[..., GovsimConfig], tmp_path: Path) -> None:
    truth_log(make_config, tmp_path / "truth.csv")
    raw = (tmp_path / "truth.csv").read_bytes()
    assert "案件号".encode("gbk") in raw[:200]  # really GBK, really the Chinese layout
    assert read_log(tmp_path / "truth.csv", "cn12345").counts["read"] > 1000
    (tmp_path / "spec.yaml").write_text(SPEC.format(trials=60), encoding="utf-8")
    result = calibrate.run(load_spec(tmp_path / "spec.yaml"), progress=False)
    rate = result.best_params["scenario.incident_rate"]
    scale = result.best_params["scenario.categories.*.handling_days"]
    # Error budget of the best rate: the truth log is one realisation (tickets per day vary 3.4 % from
    # seed to seed, measured), the volume target allows 3 %, and the resolution targets are noisy under
    # office hours (closings bunch at office times), so 15 %. The stronger check is the next one: the
    # truth lies inside the range of good trials for both parameters, i.e. the data do not exclude it.
    assert abs(rate - TRUE_RATE) / TRUE_RATE <= 0.15, rate
    assert abs(scale - TRUE_SCALE) <= 0.15, scale
    ident = result.identification.set_index("parameter")
    for key, truth in (("scenario.incident_rate", TRUE_RATE),
                       ("scenario.categories.*.handling_days (scale)", TRUE_SCALE)):  # fmt: skip
        assert ident.loc[key, "good_low"] <= truth <= ident.loc[key, "good_high"], ident
    assert result.best["scenario.categories.dispute.handling_days"] == pytest.approx(0.5 * scale)
    # the fitted tickets per day also hold on fresh seeds (resolution times vary more than their
    # tolerances from seed to seed at this size, so they are not asserted there)
    assert result.targets.set_index("kpi").loc["volume_per_day", "inside"], result.targets
    assert ident.loc["scenario.incident_rate", "pinned"], ident


def test_target_miss_and_inside() -> None:
    value = Target("x", 10.0, 2.0)
    assert value.miss(13.0) == pytest.approx(1.5) and not value.inside(13.0) and value.inside(8.5)
    rng = Target("y", None, None, 0.4, 0.8)  # no tolerance declared: a tenth of the width, 0.04
    assert rng.miss(0.6) == 0.0 and rng.inside(0.6) and rng.inside(0.4) and rng.inside(0.8)
    assert rng.miss(0.9) == pytest.approx(2.5) and rng.miss(0.3) == pytest.approx(-2.5)
    assert not rng.inside(0.81) and rng.describe() == "[0.4, 0.8] (tol. 0.04)"
    assert np.isinf(value.miss(float("nan")))


def test_range_miss_is_priced_by_a_declared_tolerance(tmp_path: Path) -> None:
    """A range target's miss outside it is the distance ÷ its tolerance (declared, or a tenth of the
    width), not ÷ the half-width: under the half-width a miss of 0.044 below the 0.27-wide 直接办结率
    range cost 0.1 in the loss, and the Jiangmen fit left it outside."""
    path = tmp_path / "spec.yaml"
    path.write_text(RATE + "targets: {on_site_share: {range: [0.59, 0.859], tolerance: 0.01}}", "utf-8")
    (target,) = load_spec(path).targets
    assert target.tolerance == 0.01 and target.miss(0.546) == pytest.approx(-4.4)
    assert calibrate.loss(np.array([[0.546]]), (target,)) == pytest.approx(19.36)
    # the committed Jiangmen spec declares a tolerance on every range; the last fit's misses
    # (直接办结率 0.546, rework 0.043 %, fit_report.md of session 4) now cost more than a value target's
    # miss of one tolerance, where the half-width priced them at 0.11 and 0.008
    spec = load_spec(Path(__file__).parents[2] / "experiments/calibration/jiangmen.yaml")
    by_kpi = {t.kpi: t for t in spec.targets}
    assert all(t.tolerance is not None for t in spec.targets)
    assert by_kpi["on_site_share"].miss(0.5462) ** 2 > 1
    assert by_kpi["reopen_rate"].miss(0.0004329) ** 2 > 1
    path.write_text(RATE + "targets: {on_site_share: {range: [0.5, 0.9], tolerance: 0}}", "utf-8")
    with pytest.raises(SpecError, match=r"targets.on_site_share.tolerance=0.0: allowed: a positive"):
        load_spec(path)


def test_monitored_kpis_are_reported_not_fitted(tmp_path: Path) -> None:
    """``monitor``: KPIs measured beside the targets (e.g. 接通率 beside 直接办结率), outside the loss."""
    from govsim import fitreport

    path = tmp_path / "spec.yaml"
    path.write_text(RATE + "monitor: [answer_rate]\ntargets: {on_site_share: {range: [0.5, 0.9]}}", "utf-8")
    spec = load_spec(path)
    assert spec.kpis() == ("on_site_share", "answer_rate")
    sim = np.array([[0.6, 0.2], [0.7, 0.4]])  # seeds × (target, monitored)
    assert calibrate.loss(sim, spec.targets) == 0.0  # a poor 接通率 costs nothing: it is not a target
    table = fitreport.target_table(spec, sim).set_index("kpi")
    assert table.loc["answer_rate", "target"] == "not fitted" and table.loc["answer_rate", "inside"] == "—"
    assert table.loc["answer_rate", "simulated"] == pytest.approx(0.3)
    assert table.loc["on_site_share", "inside"] == True  # noqa: E712 - an object column (bools and "—")
    path.write_text(RATE + "monitor: [answer_rates]\n" + TICKETS, "utf-8")
    with pytest.raises(SpecError, match="monitor: answer_rates: unknown KPI"):
        load_spec(path)


TICKETS = "targets: {tickets: {value: 1, tolerance: 1}}"
RATE = "parameters: {scenario.incident_rate: {low: 0.1, high: 1}}\n"


def test_targets_use_the_kpi_module_names_old_names_are_aliases(tmp_path: Path) -> None:
    from govsim import kpis

    path = tmp_path / "spec.yaml"
    old = "{metrics:on_site_share: {range: [0.5, 0.9]}, resolution_rmean: {value: 3, tolerance: 1}, "
    path.write_text(RATE + f"targets: {old}extension_rate: {{value: 0.01, tolerance: 0.01}}}}", "utf-8")
    names = [t.kpi for t in load_spec(path).targets]
    assert names == ["on_site_share", "resolution_mean", "extension_rate"]
    assert all(n in kpis.BY_KEY for n in names)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("parameters: {policy.grid.staffing: {low: 1, high: 2}}\n" + TICKETS, "allowed: scenario.* keys"),
        ("parameters: {scenario.incident_rate: {low: 2, high: 1}}\n" + TICKETS, "with a < b"),
        (RATE + "targets: {tickets: {value: 1}}", "tolerance"),
        (RATE + "targets: {tickets: {value: log, tolerance: 1}}", "the spec has no log: section"),
        ("trails: 3", "trails: unknown key"),
        (RATE + "targets: {metrics:on_time: {value: 1, tolerance: 1}}", "unknown KPI; allowed: tickets, "),
    ],
)  # fmt: skip
def test_bad_spec_one_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SpecError, match=message) as exc:
        load_spec(path)
    assert "\n" not in str(exc.value)


def test_cli_bad_key_exit_2_nothing_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("parameters: {scenario.categories.*.handlingdays: {low: 0.1, high: 1, scale: true}}\n"
                    "targets: {tickets: {value: 1, tolerance: 1}}\n", encoding="utf-8")  # fmt: skip
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        calibrate.main([str(path), "--out", str(out)])
    assert exc.value.code == 2 and not out.exists()
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        f"govsim-calibrate: error: {path}: parameters.scenario.categories.*.handlingdays: "
        "unknown key in scenario.categories.* (did you mean 'handling_days'?); allowed: "
    )
    assert "\n" not in err


def test_cli_range_the_schema_refuses_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("parameters: {scenario.reopen_prob: {low: 0.5, high: 1.5}}\n" + TICKETS, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        calibrate.main([str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and "\n" not in err
    assert err.startswith(f"govsim-calibrate: error: {path}: parameters.scenario.reopen_prob.high=1.5: "), err


def test_calibrated_scenario_runs(tmp_path: Path, make_config: Callable[..., GovsimConfig]) -> None:
    """A short calibration writes a scenario that composes with the fitted values, and its report."""
    path = tmp_path / "spec.yaml"
    path.write_text(
        "name: t_cal\nscenario: one_town\noverrides: [horizon_days=45]\nseeds: [0]\nreport_seeds: [5, 6]\n"
        "trials: 3\nparameters: {scenario.incident_rate: {low: 0.1, high: 0.3}}\n"
        "targets: {volume_per_day: {value: 10, tolerance: 1, source: made up}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    calibrate.main([str(path), "--out", str(out)])
    trials = pd.read_csv(out / "trials.csv")
    best = float(trials.loc[trials["loss"].idxmin(), "scenario.incident_rate"])
    from govsim.compose import compose

    cfg = compose(["scenario=t_cal", f"hydra.searchpath=[file://{out}]"])
    assert cfg.scenario.name == "t_cal" and cfg.scenario.territory == "one_town"
    assert cfg.scenario.incident_rate == pytest.approx(best, abs=1e-6)
    report = (out / "fit_report.md").read_text(encoding="utf-8")
    assert "| volume_per_day | 10 ± 1 |" in report and "made up" in report


def test_same_spec_same_trials(tmp_path: Path) -> None:
    """Reproducible: the same spec and sampler seed give the same candidates and losses."""
    path = tmp_path / "spec.yaml"
    path.write_text(
        "scenario: one_town\noverrides: [horizon_days=40, warmup_days=10]\nseeds: [3]\ntrials: 3\n"
        "parameters: {scenario.incident_rate: {low: 0.1, high: 0.3}}\n"
        "targets: {volume_per_day: {value: 10, tolerance: 1}}\n",
        encoding="utf-8",
    )
    spec = load_spec(path)
    first, second = (calibrate.calibrate(spec, progress=False) for _ in range(2))
    pd.testing.assert_frame_equal(first, second)
    assert first["scenario.incident_rate"].nunique() == 3


def test_a_rates_interval_stays_within_0_and_1(tmp_path: Path) -> None:
    """Two report seeds give a wide t-interval; a proportion's is cut at 0 and 1 (reviewer: 1.104 shown)."""
    from govsim import fitreport

    path = tmp_path / "spec.yaml"
    path.write_text(
        RATE + "monitor: [reopen_rate, tickets]\ntargets: {on_site_share: {range: [0.5, 0.9]}}", "utf-8"
    )
    sim = np.array([[0.99, 0.001, 10.0], [0.90, 0.05, 30.0]])  # seeds x (target, monitored rate, a count)
    table = fitreport.target_table(load_spec(path), sim).set_index("kpi")
    assert table.loc["on_site_share", "interval_high"] == 1.0
    assert table.loc["reopen_rate", "interval_low"] == 0.0
    assert table.loc["on_site_share", "interval_low"] < 0.9  # the other side as the t-interval gives it
    assert table.loc["tickets", "interval_high"] > 30.0  # not a proportion: nothing to cut at 1


def test_a_log_target_sees_the_runs_through_the_logs_mapping(
    tmp_path: Path, make_config: Callable[..., GovsimConfig]
) -> None:
    """A spec's log read through boston311 (no handling end; few govsim categories named) is compared with
    the runs as that layout would carry them: a run's KPIs in the calibration equal those of its own export
    read back through the mapping, on-time judged at the close and unnamed categories ``other``."""
    from govsim.logs import load_mapping
    from govsim.observed import kpi_series, observed_kpis, observed_window
    from govsim.runner import simulate

    overrides = ["scenario=one_town", "horizon_days=40", "warmup_days=10", "output.progress=false",
                 "output.figures=false"]  # fmt: skip
    cfg = make_config(*overrides, "seed=3", "replication=0")
    table = from_records(simulate(cfg).records, cfg.scenario.start_date)[0]
    write_log(table, tmp_path / "b.csv", "boston311", "utf-8")
    read = read_log(tmp_path / "b.csv", "boston311")
    exported = kpi_series(observed_kpis(read.table, observed_window(read.table, read.as_of)))
    kpis = ("on_time_rate", "category_share[other]", "channel_share[other]", "tickets")
    seen = calibrate.simulate_kpis(overrides, (3,), kpis, load_mapping("boston311"))[0]
    assert exported["category_share[other]"] > 0.1  # the mapping cannot name every category: a real test
    assert list(seen) == pytest.approx([exported[k] for k in kpis], rel=1e-12)
