"""Every bad input is refused with one line naming the key, the value and what is allowed.

Most inputs are tried as a new user would type them (command-line overrides, composed by Hydra exactly as
``govsim`` does); a few only a Python user can make (booleans for numbers, a typo set as an attribute).
Warnings (an overloaded department, a single replication) are checked here too: they must not refuse.
"""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import pytest

from govsim.compose import InputError, compose, config_dir
from govsim.config import CategoryConfig, DepartmentConfig, GovsimConfig
from govsim.validate import RULES, ConfigError, check, check_data, config_warnings, warn_single_replication
from govsim.workload import offered_load

BASE = ["scenario=one_town"]

# (overrides, fragments the one-line message must contain)
BAD_OVERRIDES: list[tuple[list[str], tuple[str, ...]]] = [
    # names of config groups, keys and options
    (["policy=nonexistent"], ("policy='nonexistent'", "unknown policy", "baseline", "all_four")),
    (["scenario=atlantis"], ("scenario='atlantis'", "one_town", "jiangmen")),
    (["foo=1"], ("foo=1", "unknown key at the top level", "horizon_days")),
    (["+foo=1"], ("foo=1", "unknown key at the top level", "warmup_days")),
    (["+policy.grid.foo=2"], ("policy.grid.foo=2", "unknown key in policy.grid", "staffing")),
    (["policy.grid.stafing=2"], ("policy.grid.stafing=2", "did you mean 'staffing'", "part_time_share")),
    (["scenario.categories.dispute.sharee=0.2"], ("sharee", "did you mean 'share'")),
    # a mapping's entries are names, not schema fields: listed from the configuration's defaults
    (
        ["scenario.categories.disput.handling_days=1"],
        ("did you mean 'dispute'", "allowed: dispute, safety_hazard,"),
    ),
    (["+seed=3"], ("+seed=3", "already in the configuration", "seed=...")),
    (["~seed"], ("~seed", "cannot be deleted")),
    (["+scenario.categories.newcat.share=0.1"], ("newcat", "cannot be added on the command line", "YAML")),
    (["output.lang=fr"], ("output.lang='fr'", "zh, en")),
    # types: booleans are not numbers, numbers are not booleans, NaN and inf are not numbers here
    (["policy.grid.staffing=abc"], ("policy.grid.staffing=abc", "wrong type", "a number")),
    (["policy.grid.staffing=true"], ("policy.grid.staffing=true", "a number")),
    (["policy.grid.mentoring=1"], ("policy.grid.mentoring=1", "true or false")),
    (["policy.fusion.dedup=yes"], ("policy.fusion.dedup='yes'", "true or false")),
    (["seed=1.5"], ("seed=1.5", "an integer")),
    (["horizon_days=nan"], ("horizon_days=nan", "allowed: a finite number > 0")),
    (["horizon_days=inf"], ("horizon_days=inf", "allowed: a finite number > 0")),
    (["scenario.channel_mix=[a,b,c,d]"], ("scenario.channel_mix[0]", "a number")),
    (["seed=[1"], ("cannot read override 'seed=[1'",)),
    (["seed=1,2"], ("seed=1,2", "several values make a sweep", "-m")),
    (["horizon_days=${nope}"], ("horizon_days", "'nope' not found")),
    # ranges
    (["seed=-1"], ("seed=-1", "an integer >= 0")),
    (["horizon_days=0"], ("horizon_days=0.0", "a number > 0")),
    (["policy.grid.part_time_share=1.5"], ("policy.grid.part_time_share=1.5", "in [0, 1]")),
    (["policy.fusion.routing_accuracy=-0.1"], ("policy.fusion.routing_accuracy=-0.1", "in [0, 1]")),
    (["policy.mechanism.department_staffing=0"], ("policy.mechanism.department_staffing=0.0", "> 0")),
    (["scenario.worker.hours_per_week=200"], ("scenario.worker.hours_per_week=200.0", "(0, 168]")),
    (["scenario.categories.dispute.handling_days=-1"], ("dispute.handling_days=-1.0", "a number > 0")),
    (["scenario.categories.petition.deadline_working_days=0"], ("deadline_working_days=0", "integer >= 1")),
    (["scenario.cost.grid_worker=-5"], ("scenario.cost.grid_worker=-5.0", ">= 0")),
    (["scenario.start_date=2024-13-01"], ("scenario.start_date='2024-13-01'", "YYYY-MM-DD")),
    (["scenario.holidays=[2024-02-30]"], ("scenario.holidays[0]='2024-02-30'", "YYYY-MM-DD")),
    (["scenario.department_hours.hours=[08:30-12:00,11:00-13:00]"], ("department_hours.hours=", "HH:MM")),
    (["scenario.calendar_file=nope.csv"], ("scenario.calendar_file='nope.csv'", "file not found")),
    (["scenario.start_date=2026-09-01"], ("scenario.start_date='2026-09-01'", "2026-12-31", "calendar_file")),
    (["scenario.categories.dispute.weekday_rate=[1,1]"], ("categories.dispute.weekday_rate", "7 values")),
    (["policy.name=''"], ("policy.name=''", "a non-empty name")),
    # choices
    (["policy.grid.admission=some"], ("policy.grid.admission='some'", "admit_all, cap, reviewed")),
    (["policy.platform.demonstration=maybe"], ("'maybe'", "none, proposed, all")),
    (["scenario.service_family=weibull"], ("'weibull'", "exponential, gamma, lognormal, deterministic")),
    (["policy.fusion.integrated=[patrol]"], ("policy.fusion.integrated[0]='patrol'", "hotline")),
    # cross-field consistency
    (["horizon_days=20", "warmup_days=30"], ("warmup_days=30.0", "less than horizon_days (20)")),
    (["scenario.channel_mix=[0.5,0.5,0.5,0.5]"], ("scenario.channel_mix", "summing to 1 (these sum to 2)")),
    (["scenario.channel_mix=[0.5,0.5]"], ("scenario.channel_mix", "a list of 4 values")),
    (["scenario.categories.dispute.severity_probs=[0.5,0.5,0.5]"], ("dispute.severity_probs", "sum to 1.5")),
    (["scenario.categories.dispute.share=0.5"], ("scenario.categories.*.share", "sum to 1.35")),
    (["~scenario.categories.petition"], ("scenario.categories.*.share", "sum to 0.97")),
    (["scenario.categories.dispute.department=police"], ("'police'", "no such department", "justice")),
    (["scenario.departments.justice.staff_per_100k=0"], ("staff_per_100k=0.0", "routed here (dispute)")),
    (["scenario.escalation_working_days=[1,5,5,20]"], ("working_days=[1, 5, 5, 20]", "increasing")),
    (["scenario.escalation_working_days=[0,5,10,20]"], ("escalation_working_days[0]=0", "an integer >= 1")),
    (["scenario.worker.part_time_hours_per_week=60"], ("part_time_hours_per_week=60.0", "per_week (40)")),
    (["policy.platform.stationed=[disput]"], ("stationed[0]='disput'", "dispute, safety_hazard")),
    (["policy.platform.stationed=[dispute,dispute]"], ("policy.platform.stationed", "at most once")),
    (["scenario.response.demonstration_stationed=[riots]"], ("stationed[0]='riots'", "livelihood")),
    # the 12345 hotline
    (
        ["scenario.hotline.lost_mix=[0.5,0.5,0.5]"],
        ("scenario.hotline.lost_mix", "summing to 1 (these sum to 1.5)"),
    ),
    (["scenario.hotline.retry_prob=2"], ("scenario.hotline.retry_prob=2", "a number in [0, 1]")),
    (["scenario.hotline.hours=[25:00-26:00]"], ("scenario.hotline.hours=", "HH:MM")),
    (["policy.platform.hotline_app=1.5"], ("policy.platform.hotline_app=1.5", "a number in [0, 1]")),
    # scenario data files
    (["scenario.territory=atlantis"], ("scenario.territory='atlantis'", "one_town")),
    (["scenario.territory=/no/such/file.csv"], ("scenario.territory='/no/such/file.csv'", "file not found")),
    (["scenario.population_scale=1e-9"], ("scenario.population_scale=1e-09", "keeps a resident")),
    # an experiment named to govsim: its own command, or (a name that is none) the experiments there are
    (["+experiment=four_focus"], ("own command", "govsim-experiment +experiment=four_focus")),
    (["+experiment=base"], ("+experiment=base", "no such experiment", "four_focus, levers_uncertainties")),
]


@pytest.mark.parametrize(
    ("overrides", "fragments"), BAD_OVERRIDES, ids=[" ".join(o) for o, _ in BAD_OVERRIDES]
)
def test_bad_override_is_refused_in_one_line(overrides: list[str], fragments: tuple[str, ...]) -> None:
    with pytest.raises(InputError) as info:
        compose([*BASE, *overrides])
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def _set(path: str, value: Any) -> GovsimConfig:
    cfg = GovsimConfig()
    *parents, leaf = path.split(".")
    obj: Any = cfg
    for p in parents:
        obj = obj[p] if isinstance(obj, dict) else getattr(obj, p)
    if isinstance(obj, dict):
        obj[leaf] = value
    else:
        setattr(obj, leaf, value)
    return cfg


# What only Python code can do: values OmegaConf would have refused or converted, and typos as attributes.
BAD_OBJECTS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("horizon_days", True, ("horizon_days=True", "a number > 0")),
    ("seed", True, ("seed=True", "an integer")),
    ("scenario.grid_size", 1.5, ("scenario.grid_size=1.5", "an integer >= 1")),
    ("policy.grid.staffing", "1.2", ("policy.grid.staffing='1.2'", "a number")),
    ("policy.grid.mentoring", 1, ("policy.grid.mentoring=1", "true or false")),
    ("scenario.incident_rate", math.nan, ("scenario.incident_rate=nan", "a finite number > 0")),
    ("scenario.categories.dispute.share", -math.inf, ("share=-inf", "a finite number in [0, 1]")),
    ("horizon_day", 10, ("horizon_day=10", "unknown key at the top level", "horizon_days")),
    ("policy.grid.stafing", 2.0, ("policy.grid.stafing=2.0", "unknown key in policy.grid")),
    ("scenario.categories", {}, ("scenario.categories={}", "a non-empty mapping")),
    ("scenario.tasks.extra", "oops", ("scenario.tasks.extra='oops'", "a TaskConfig section")),
    ("scenario.departments.", DepartmentConfig(), ("scenario.departments name=''", "a non-empty name")),
    ("scenario", None, ("scenario=None", "a ScenarioConfig section")),
    ("scenario.severity_work", (1.0, 2.0), ("scenario.severity_work", "a list of 3 values")),
]


@pytest.mark.parametrize(("path", "value", "fragments"), BAD_OBJECTS, ids=[p for p, _, _ in BAD_OBJECTS])
def test_bad_python_value_is_refused(path: str, value: Any, fragments: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError) as info:
        check(_set(path, value))
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {str(info.value)!r}"


def test_not_a_config_is_refused() -> None:
    with pytest.raises(ConfigError, match="a GovsimConfig"):
        check({"seed": 0})  # type: ignore[arg-type]


def test_mixes_within_rounding_of_one_pass() -> None:
    cfg = _set("scenario.channel_mix", [0.1, 0.2, 0.3, 0.4 + 1e-9])
    cfg.scenario.categories["dispute"].severity_probs = [0.0, 0.0, 1.0]  # a probability may be 0 or 1
    check(cfg)


# ---- every field has a rule; nothing shipped is refused --------------------------------------------------
def _sections(t: Any, seen: set[type]) -> set[type]:
    if get_origin(t) in (dict, list):
        return set().union(*(_sections(a, seen) for a in get_args(t)))
    if not is_dataclass(t) or t in seen:
        return seen
    seen.add(t)
    for hint in get_type_hints(t).values():
        _sections(hint, seen)
    return seen


@pytest.mark.parametrize(
    "section", sorted(_sections(GovsimConfig, set()), key=lambda t: t.__name__), ids=lambda t: t.__name__
)
def test_every_field_has_a_rule(section: type) -> None:
    missing = [f.name for f in fields(section) if f.name not in RULES.get(section, {})]
    stale = [name for name in RULES.get(section, {}) if name not in {f.name for f in fields(section)}]
    assert not missing, f"add a rule to govsim.validate.RULES[{section.__name__}] for: {', '.join(missing)}"
    assert not stale, f"govsim.validate.RULES[{section.__name__}] names fields that no longer exist: {stale}"


def _shipped(group: str) -> list[str]:
    return sorted(p.stem for p in (Path(config_dir()) / group).glob("*.yaml"))


@pytest.mark.parametrize(
    "overrides",
    [[f"scenario={s}"] for s in _shipped("scenario")]
    + [["scenario=one_town", f"policy={p}"] for p in _shipped("policy")],
    ids=str,
)
def test_shipped_configs_are_accepted(overrides: list[str]) -> None:
    cfg = compose(overrides)
    assert cfg.scenario.name == overrides[0].split("=")[1]


def test_schema_defaults_are_accepted() -> None:
    cfg = GovsimConfig()
    check(cfg)
    check_data(cfg)


# ---- territory files ----------------------------------------------------------------------------------
BAD_TERRITORIES = [
    ("county,town,population\nA,a,100\n", "header must be county,county_kind,town,population,communities"),
    ("county,county_kind,town,population,communities\nA,district,a,many,2\n", "population='many'"),
    ("county,county_kind,town,population,communities\nA,district,a,100,0\n", "communities='0'"),
    ("county,county_kind,town,population,communities\nA,district,a,100\n", "line 2: 4 fields; allowed: 5"),
    (
        "county,county_kind,town,population,communities\nA,district,,100,2\n",
        "line 2: town=''; allowed: a non-empty name",
    ),
    ("county,county_kind,town,population,communities\nA,planet,a,100,2\n", "line 2: county_kind='planet'"),
    ("", "header must be"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_TERRITORIES)
def test_malformed_territory_file_is_refused(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "towns.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="scenario.territory") as info:
        compose([*BASE, f"scenario.territory={path}"])
    assert fragment in str(info.value)


def test_territory_file_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "towns.csv"
    path.write_bytes(
        "county,county_kind,town,population,communities\n江门,district,镇,100,2\n".encode("gb18030")
    )
    with pytest.raises(InputError, match="a readable UTF-8 CSV file"):
        compose([*BASE, f"scenario.territory={path}"])


# ---- warnings, not errors ---------------------------------------------------------------------------------
def _single_queue(rate: float, handling: float, staff: float) -> GovsimConfig:
    """One category, one desk, reported at once, no on-site work, no reopen or duplicate: an M/M/c input."""
    cfg = GovsimConfig()
    s = cfg.scenario
    routine = CategoryConfig(
        share=1.0,
        severity_probs=[1.0, 0.0, 0.0],
        onsite_possible=False,
        department="desk",
        handling_days=handling,
    )
    s.categories = {"routine": routine}
    s.departments = {"desk": DepartmentConfig(staff_per_100k=staff, route_days=0.0)}
    s.response.demonstration_stationed = []
    s.incident_rate, s.instant_discovery, s.duplicate_prob, s.satisfaction_base = rate, True, 0.0, 1.0
    s.severity_work = [1.0, 1.0, 1.0]
    s.office_hours = False  # 7x24 staff: the M/M/c reading
    if staff > 0:
        check(cfg)
    return cfg


def test_offered_load_is_lambda_times_work_over_staff() -> None:
    # lambda = 0.365 per resident-year = 100 a day per 100k; work 0.04 staff-days; 5 staff: rho = 0.8
    assert offered_load(_single_queue(0.365, 0.04, 5.0))["desk"] == pytest.approx(0.8, rel=1e-12)
    assert offered_load(_single_queue(0.365, 0.08, 5.0))["desk"] == pytest.approx(1.6, rel=1e-12)
    assert offered_load(_single_queue(0.365, 0.04, 0.0))["desk"] == math.inf
    # with office hours a staff member gives 250 scheduled days in the run's 365 (2024-01-01 to 12-30: the
    # notice's 251 working days of 2024 less Tue 12-31)
    cfg = _single_queue(0.365, 0.04, 5.0)
    cfg.scenario.office_hours = True
    assert offered_load(cfg)["desk"] == pytest.approx(0.8 * 365 / 250, rel=1e-12)


def test_offered_load_tracks_simulated_department_work() -> None:
    """The first-order estimate against the staff time departments actually spent, within 15 %.

    Departments below saturation only (a saturated desk never starts part of its work). Nominal staff
    (per 100k, not rounded up per county) on both sides.
    """
    from govsim.runner import simulate

    cfg = compose(
        [
            "scenario=one_town",
            "scenario.population_scale=5",
            "horizon_days=200",
            "output.progress=false",
            "output.figures=false",
        ]
    )
    rec = simulate(cfg).records
    inc = rec.incidents[(rec.incidents["t_report"] >= rec.warmup) & (rec.incidents["department"] >= 0)]
    busy = inc.groupby(inc["department"] % len(rec.departments))["handle_days"].sum()
    estimate = offered_load(cfg)
    population = float(rec.grids["population"].sum())
    from govsim.officetime import build_calendar

    scheduled_days = build_calendar(cfg.scenario.start_date).is_work[int(rec.warmup) : int(rec.horizon)].sum()
    for k, dept in enumerate(rec.departments):
        if estimate[dept] < 0.9:
            staff = population / 1e5 * cfg.scenario.departments[dept].staff_per_100k
            simulated = busy.get(k, 0.0) / (scheduled_days * staff)
            assert estimate[dept] == pytest.approx(simulated, rel=0.15), dept


def test_overloaded_department_warns_and_is_not_refused() -> None:
    cfg = compose([*BASE, "policy.mechanism.department_staffing=0.3", "output.lang=en"])
    messages = config_warnings(cfg)
    assert any(m.startswith("department civil_affairs: estimated utilisation") for m in messages)
    assert all(">= 1" in m for m in messages)
    zh = config_warnings(compose([*BASE, "policy.mechanism.department_staffing=0.3", "output.lang=zh"]))
    assert len(zh) == len(messages) and any(m.startswith("部门 civil_affairs(民政):估计利用率") for m in zh)


def test_single_replication_warns_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert warn_single_replication(5) is None
    message = warn_single_replication(1)
    assert message is not None and "single replication" in message
    assert capsys.readouterr().err == f"govsim: warning: {message}\n"
    assert "只有一次重复" in (warn_single_replication(1, "zh") or "")


def test_staffing_under_one_worker_per_grid_warns() -> None:
    """Every grid keeps its own worker (policies._grid_workers), so staffing under 1/per_grid is a no-op."""
    cfg = compose([*BASE, "policy.grid.staffing=0.6", "output.lang=en"])
    messages = config_warnings(cfg)
    assert [m for m in messages if m.startswith("policy.grid.staffing=0.6:")], messages
    assert "one worker per grid" in " ".join(messages)
    zh = config_warnings(compose([*BASE, "policy.grid.staffing=0.6", "output.lang=zh"]))
    assert any(m.startswith("policy.grid.staffing=0.6:") and "一格一员" in m for m in zh)
    assert not [m for m in config_warnings(compose(BASE)) if m.startswith("policy.grid.staffing")]
    assert not [m for m in config_warnings(compose([*BASE, "policy.grid.staffing=1.5"])) if "staffing" in m]


def test_a_staffing_that_makes_millions_of_agents_warns_with_the_time_they_take() -> None:
    """One_town at staffing=1e6 is 15 million grid-worker agents: allowed (it fits in memory), but it ran
    for many minutes without a word. It now says how many agents and about how long their steps take."""
    messages = config_warnings(compose([*BASE, "policy.grid.staffing=1e6", "output.lang=en"]))
    slow = [m for m in messages if m.startswith("policy.grid.staffing=1e+06:")]
    assert len(slow) == 1 and "15,000,000 grid-worker agents" in slow[0], messages
    minutes = float(slow[0].split("about ")[1].split(" min")[0])
    assert 10 < minutes < 30  # 15 M agents x (10 us built + 53 weeks x 1.1 us stepped), measured
    zh = config_warnings(compose([*BASE, "policy.grid.staffing=1e6", "output.lang=zh"]))
    assert any("网格员智能体" in m for m in zh)
    # the Jiangmen default (3,166 agents) and a tenfold staffing are far from it
    for overrides in ([], ["policy.grid.staffing=10"]):
        assert not [m for m in config_warnings(compose(overrides)) if "agents" in m]
