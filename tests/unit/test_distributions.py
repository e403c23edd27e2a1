"""Sampled means of every distribution the model draws from equal their configured means (issue #5).

Each check draws through the model's own sampler from its named stream (``govsim.streams``), or reads
a model run's records, and compares a sample mean with the configured value. The tolerance is four
standard errors of the sample mean, computed from the distribution's own variance (a false alarm about
once in 16,000 checks): wide enough never to flake for a fixed seed, narrow enough that a wrong
parameter, a wrong stream or a wrong formula (treat-sim's wrong-stream bug, STYLE §11) moves it out.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from govsim.agents import Residents
from govsim.config import CHANNELS
from govsim.model import GovernanceModel
from govsim.scenario import build_scenario, build_territory
from govsim.streams import make_streams, standard_work

Z = 4.0
N_DRAWS = 200_000
JIANGMEN_SMALL = ("scenario=jiangmen", "scenario.population_scale=0.05", "horizon_days=180")


def assert_mean(sample: np.ndarray | float, expected: float, se: float, what: str) -> None:
    """|sample mean − expected| ≤ Z standard errors."""
    mean = float(np.mean(sample))
    msg = f"{what}: sample mean {mean:.6g}, configured {expected:.6g}, standard error {se:.3g}"
    assert abs(mean - expected) <= Z * se, msg


def assert_share(hits: np.ndarray, p: float, what: str) -> None:
    """A Bernoulli share against its probability (binomial standard error)."""
    assert len(hits) > 0, f"{what}: no observations"
    assert_mean(hits.astype(float), p, math.sqrt(p * (1 - p) / len(hits)), what)


def raw_moments(family: str, cv: float, orders: tuple[int, ...]) -> list[float]:
    """E[X^k] of the mean-1 work distribution with coefficient of variation ``cv`` (closed forms)."""
    if family == "exponential":
        return [float(math.factorial(k)) for k in orders]
    if family == "gamma":  # shape k = 1/cv², scale cv²: E[X^n] = Γ(k+n) / (Γ(k) k^n)
        shape = 1 / cv**2
        return [math.exp(math.lgamma(shape + n) - math.lgamma(shape)) / shape**n for n in orders]
    if family == "lognormal":  # σ² = ln(1 + cv²), μ = −σ²/2: E[X^n] = exp(nμ + n²σ²/2)
        s2 = math.log1p(cv**2)
        return [math.exp(-n * s2 / 2 + n * n * s2 / 2) for n in orders]
    return [1.0 for _ in orders]


@pytest.mark.parametrize(
    ("family", "cv"),
    [
        ("exponential", 1.0),
        ("gamma", 0.5),
        ("gamma", 1.0),
        ("gamma", 1.5),
        ("lognormal", 0.5),
        ("lognormal", 1.0),
        ("deterministic", 1.0),
    ],
)
@pytest.mark.parametrize("stream", ["service", "triage"])
def test_work_content_has_mean_one_and_the_configured_cv(family, cv, stream):
    """``standard_work``: mean 1 and E[X²] = 1 + cv² (exponential: cv 1; deterministic: exactly 1)."""
    x = standard_work(make_streams(0, 0)[stream], family, cv, N_DRAWS)
    m1, m2, m3, m4 = raw_moments(family, cv, (1, 2, 3, 4))
    assert_mean(x, m1, math.sqrt(max(m2 - m1**2, 0.0) / N_DRAWS), f"{family} cv {cv} mean")
    assert_mean(x**2, m2, math.sqrt(max(m4 - m2**2, 0.0) / N_DRAWS), f"{family} cv {cv} second moment")
    assert m2 == pytest.approx(1 + (0.0 if family == "deterministic" else cv**2))


@pytest.fixture(scope="module")
def jiangmen_small(make_config):
    """One baseline run of a small Jiangmen (5 % of the population, 180 days): about 24,000 tickets."""
    cfg = make_config(*JIANGMEN_SMALL)
    model = GovernanceModel(cfg)
    return cfg, model, model.run()


def test_occurrences_are_poisson_with_the_configured_rate_and_uniform_in_the_day(jiangmen_small):
    cfg, model, rec = jiangmen_small
    inc = rec.incidents
    real = inc[~inc["is_false"] & (inc["duplicate_of"] < 0)]
    expected = cfg.scenario.incident_rate * model.scenario_data.population * cfg.horizon_days / 365
    assert_mean(len(real), expected, math.sqrt(expected), "incidents occurred (Poisson count)")
    frac = np.mod(real["t_occur"].to_numpy(), 1.0)
    assert_mean(frac, 0.5, math.sqrt(1 / 12 / len(frac)), "occurrence time within the day (uniform)")


def test_categories_and_initial_severities_follow_their_shares(jiangmen_small):
    cfg, model, rec = jiangmen_small
    sc = model.scenario_data
    real = rec.incidents[~rec.incidents["is_false"] & (rec.incidents["duplicate_of"] < 0)]
    cat = real["category_initial"].to_numpy()
    for k, name in enumerate(sc.categories):
        assert_share(cat == k, float(sc.cat_share[k]), f"share of {name}")
        probs = np.asarray(cfg.scenario.categories[name].severity_probs, dtype=float)
        sev = real["severity_initial"].to_numpy()[cat == k]
        for s in (1, 2, 3):
            assert_share(sev == s, probs[s - 1] / probs.sum(), f"{name} initial severity {s}")


def test_resident_channels_duplicates_and_false_reports(jiangmen_small):
    cfg, model, rec = jiangmen_small
    s, inc, horizon = cfg.scenario, rec.incidents, rec.horizon
    real = inc[~inc["is_false"] & (inc["duplicate_of"] < 0)]
    by_resident = real["channel"].to_numpy()[real["channel"].to_numpy() != CHANNELS.index("patrol")]
    mix = np.asarray(s.channel_mix) / sum(s.channel_mix)
    for j, p in enumerate(mix):
        assert_share(by_resident == j + 1, float(p), f"resident channel {CHANNELS[j + 1]}")
    res, grid = model.residents, real["grid"].to_numpy()
    rank = real["reporter"].to_numpy() - res.grid_offset[grid]  # reporter's place among the grid's agents
    assert ((rank >= 0) & (rank < res.grid_count[grid])).all()
    u = (rank + 0.5) / res.grid_count[grid]
    assert_mean(u, 0.5, math.sqrt(1 / 12 / len(u)), "reporter uniform over the grid's resident agents")
    dup = inc[inc["duplicate_of"] >= 0]
    assert_share(np.isin(real.index, dup["duplicate_of"]), s.duplicate_prob, "incidents reported twice")
    orig_t = inc["t_report"].to_numpy()[dup["duplicate_of"].to_numpy()]
    seen = orig_t < horizon - 20 * s.duplicate_lag_days  # lags of these are never censored in practice
    lag = dup["t_report"].to_numpy()[seen] - orig_t[seen]
    assert not np.isnan(lag).any()
    assert_mean(lag, s.duplicate_lag_days, s.duplicate_lag_days / math.sqrt(len(lag)), "duplicate lag")
    expected = model.levers.false_rate * model.scenario_data.population * cfg.horizon_days / 365
    assert_mean(inc["is_false"].sum(), expected, math.sqrt(expected), "false reports (Poisson count)")


def test_triage_time_misroutes_and_on_site_satisfaction(jiangmen_small):
    cfg, model, rec = jiangmen_small
    s, inc = cfg.scenario, rec.incidents
    both = inc[["t_triage_start", "t_triage_end"]].dropna().to_numpy()
    hours = model.scenario_data.centre_hours  # triage work is in staff-days of the centre's office hours
    triage = hours.office_v(both[:, 1]) - hours.office_v(both[:, 0])
    assert_mean(triage, s.triage_days, s.triage_days / math.sqrt(len(triage)), "triage time (exponential)")
    app_or_hotline = inc["channel"].isin([CHANNELS.index(c) for c in ("app", "hotline")])
    routed = inc[(inc["department"] >= 0) & app_or_hotline]
    p = 1 - cfg.policy.fusion.routing_accuracy
    assert_share(routed["n_misroutes"].to_numpy() > 0, p, "mis-routed app/hotline tickets")
    on_site = inc[inc["on_site"] & (inc["satisfied"] >= 0)]
    assert_share(on_site["satisfied"].to_numpy() == 1, s.satisfaction_base, "satisfied after on-site work")


def test_on_site_handling_time_has_the_configured_mean_and_spread(jiangmen_small):
    """On-site durations (handled − reported) are lognormal draws of the ``onsite_time`` stream.

    Mean ``onsite_hours`` within Z standard errors (sd = cv × mean); log-durations have the lognormal's
    standard deviation sqrt(ln(1 + cv²)) within Z standard errors of a normal sample sd (σ/sqrt(2n)).
    Every on-site case closing in exactly one hour (the old model) fails both the spread check and the
    test that the durations are not all equal.
    """
    cfg, _, rec = jiangmen_small
    w, inc = cfg.scenario.worker, rec.incidents
    on_site = inc[inc["on_site"] & inc["t_close"].notna()]  # closed after the horizon: blanked
    hours = ((on_site["t_handle_end"] - on_site["t_report"]) * 24).to_numpy()
    assert len(hours) > 1000 and np.ptp(hours) > 0.5
    mean, sd = w.onsite_hours, w.onsite_cv * w.onsite_hours
    assert_mean(hours, mean, sd / math.sqrt(len(hours)), "on-site handling time, hours")
    sigma = math.sqrt(math.log1p(w.onsite_cv**2))
    log_sd = float(np.std(np.log(hours), ddof=1))
    assert abs(log_sd - sigma) <= Z * sigma / math.sqrt(2 * len(hours)), f"log sd {log_sd:.4f} vs {sigma:.4f}"
    assert (on_site["t_close"] == on_site["t_handle_end"]).all()


def test_department_work_has_the_configured_mean(make_config):
    """Handling time / (handling_days × severity_work): the ``service`` stream's gamma draws, mean 1.

    Run with every reporter satisfied, so a case is handled exactly once and its busy time is one draw.
    """
    cfg = make_config(
        *JIANGMEN_SMALL,
        "horizon_days=120",
        "scenario.satisfaction_base=1.0",
        "scenario.satisfaction_late_penalty=0.0",
    )
    model = GovernanceModel(cfg)
    inc = model.run().incidents
    sc = model.scenario_data
    early = inc[(inc["department"] >= 0) & (inc["t_dept_arrive"] < 60)]  # all finished: no censoring
    assert early["t_handle_end"].notna().all() and (early["reopen_count"] == 0).all()
    sev, dup = early["severity"].to_numpy(), early["duplicate_of"].to_numpy() >= 0
    base = sc.cat_handling_days[early["category"].to_numpy()] * model.levers.work_multiplier[sev - 1]
    s = cfg.scenario
    x = early["handle_days"].to_numpy() / (base * np.where(dup, s.duplicate_work, 1.0))
    assert_mean(x, 1.0, s.service_cv / math.sqrt(len(x)), f"work ({s.service_family}, cv {s.service_cv})")


def test_discovery_race_against_its_hazards(make_config):
    """Delay = min(E1/hp, E2/hr) for patrol and resident hazards: (hp + hr) × delay ~ Exp(1), and
    P(found by patrol) = hp / (hp + hr)."""
    model = GovernanceModel(make_config(*JIANGMEN_SMALL))
    model.start_week()
    sc, lv, res, rng = model.scenario_data, model.levers, model.residents, make_streams(0, 0)
    n = N_DRAWS
    grid = rng["occurrence"].integers(0, sc.territory.n_grids, n)
    cat = rng["occurrence"].integers(0, len(sc.categories), n)
    reporter = res.pick(grid, rng["reporting"].random(n))
    clocks = rng["discovery"].exponential(1.0, (n, 2))
    delay, by_patrol = model.loop.discovery_delay(grid, cat, reporter, clocks)
    hp = model.workforce.hazard[grid] * sc.cat_visibility[cat]
    hr = (
        sc.cfg.resident_report_rate
        * res.trust[reporter]
        * res.propensity[reporter]
        * sc.cat_propensity[cat]
        * lv.report_multiplier[grid]
    )
    assert_mean(delay * (hp + hr), 1.0, 1 / math.sqrt(n), "discovery delay × total hazard")
    p = hp / (hp + hr)
    assert_mean(by_patrol - p, 0.0, math.sqrt((p * (1 - p)).sum()) / n, "found by patrol − its probability")


def test_resident_propensity_territory_demand_and_worker_turnover(make_config):
    cfg = make_config("scenario=jiangmen")
    s = cfg.scenario
    tr = build_territory(s, make_streams(0, 0)["territory"])
    log_d = np.log(tr.grid_demand)
    assert_mean(
        (log_d - log_d.mean()) ** 2,
        s.demand_dispersion**2,
        s.demand_dispersion**2 * math.sqrt(2 / len(log_d)),
        "grid demand log-variance",
    )
    sc = build_scenario(s, make_streams(0, 0)["territory"])
    res = Residents(sc, make_streams(0, 0)["residents"])
    sd = math.sqrt(math.expm1(0.5**2))  # lognormal(−σ²/2, σ = 0.5): mean 1 (agents.py, assumed)
    assert_mean(res.propensity, 1.0, sd / math.sqrt(len(res.propensity)), "resident reporting propensity")
    model = GovernanceModel(cfg)  # the grid worker agents decide whether to leave, with the week's uniforms
    workers, rng, left = model.workers.to_list(), make_streams(0, 0)["workforce"], []
    for _ in range(52):
        for w in workers:
            w.tenure_weeks = 1
        model.workforce.draw_week(rng)
        model.workers.do("turn_over")
        left.append(np.array([w.tenure_weeks == 0 for w in workers]))
    p = 1 - math.exp(-s.worker.turnover_per_year / 52)
    assert_share(np.concatenate(left), p, "weekly turnover of grid workers")
