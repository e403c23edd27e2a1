"""A bad value in a lesson cell is one line naming the value and what is allowed, as the ``govsim``
command prints it; the teaching API neither mangles nor silently accepts input; and the command a lesson
prints reproduces the lesson's run."""

from __future__ import annotations

import pytest

from govsim import teaching
from govsim.rules import InputError

pytest.importorskip("hydra")


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and text.strip(), text
    return text


@pytest.mark.parametrize(
    ("levers", "named"),
    [
        ({"routing_accuracy": "高"}, ["routing_accuracy", "'高'", "allowed", "0", "1"]),
        ({"staffing": "two"}, ["staffing", "'two'", "allowed", "> 0"]),
        ({"deadline_scale": None}, ["deadline_scale", "None", "allowed"]),
        ({"staffing": True}, ["staffing", "True", "allowed"]),
    ],
)
def test_a_lever_that_is_not_a_number_is_one_line_naming_lever_value_and_range(levers, named):
    with pytest.raises(InputError) as caught:
        teaching.town_config(**levers)
    line = _one_line(caught.value)
    for word in named:
        assert word in line, (word, line)


def test_unknown_policy_and_bad_lever_value_are_input_errors_of_one_line():
    for kwargs in ({"policy": "grids"}, {"staffing": 0}, {"staff": 2.0}):
        with pytest.raises(InputError) as caught:
            teaching.town_config(**kwargs)
        assert "allowed" in _one_line(caught.value)


def test_one_category_name_for_stationed_is_one_category_not_its_letters():
    cfg = teaching.town_config(stationed="dispute")
    assert list(cfg.policy.platform.stationed) == ["dispute"]
    assert teaching.lever_overrides({"stationed": "dispute"}) == ["policy.platform.stationed=[dispute]"]


def test_an_unknown_stationed_category_is_refused_in_one_line():
    with pytest.raises(InputError) as caught:
        teaching.town_config(stationed=["dispute", "noise"])
    line = _one_line(caught.value)
    assert "noise" in line and "allowed" in line and "dispute" in line


@pytest.mark.parametrize("lang", ["fr", "EN", ""])
def test_an_unknown_language_is_refused_in_one_line(lang):
    town = teaching.run_town(seed=0, horizon_days=60)
    with pytest.raises(InputError) as caught:
        teaching.compare_kpis({"a": town}, lang=lang)
    line = _one_line(caught.value)
    assert f"lang={lang!r}" in line and "allowed: zh, en" in line
    with pytest.raises(InputError):
        teaching.policy_label("grid", lang)


def test_lever_panel_refuses_an_unknown_language_before_running():
    pytest.importorskip("ipywidgets")
    from govsim.teaching_widgets import LeverPanel

    with pytest.raises(InputError, match=r"lang='fr'.*allowed: zh, en"):
        LeverPanel(lang="fr", horizon_days=30)


def test_the_printed_command_composes_the_lessons_configuration():
    from govsim.compose import compose

    setting = {"staffing": 1.5, "stationed": ["dispute", "livelihood"]}
    for kwargs in ({"seed": 1}, {"seed": 3, "policy": "grid", "horizon_days": 200.0}, {}):
        line = teaching.command_line(**kwargs, **setting)
        words = line.split()
        assert words[0] == "govsim"
        composed = compose([*words[1:], "output.progress=false", "output.figures=false"])
        assert composed == teaching.town_config(**kwargs, **setting), line
    assert "seed=1" in teaching.command_line(seed=1).split()


def _shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("teaching.run_town(policy='grids')", "govsim: error: policy='grids': unknown policy; allowed: "),
        ("teaching.run_town(staffing=0)", "govsim: error: policy.grid.staffing=0.0: allowed: a number > 0"),
        ("teaching.run_town(routing_accuracy='高')", "govsim: error: routing_accuracy='高': not a number"),
    ],
)
def test_in_ipython_a_refused_value_shows_one_line_and_no_traceback(cell, expected, capsys):
    pytest.importorskip("IPython")
    shell = _shell()
    assert teaching.one_line_errors(shell)
    shell.run_cell("from govsim import teaching")
    result = shell.run_cell(cell)
    assert isinstance(result.error_in_exec, InputError)  # the cell failed: "run all" stops there
    out, err = capsys.readouterr()
    shown = [line for line in (out + err).splitlines() if line.strip()]
    assert len(shown) == 1 and shown[0].startswith(expected), shown
    other = shell.run_cell("1 / 0")  # any other error keeps its traceback
    assert isinstance(other.error_in_exec, ZeroDivisionError)
    assert "Traceback" in "".join(capsys.readouterr())


def test_outside_ipython_nothing_is_registered():
    assert teaching.one_line_errors(None) is False


def test_following_a_ticket_refuses_an_unknown_language_and_kind():
    town = teaching.run_town(seed=0, horizon_days=60)
    i = teaching.pick_incident(town.records, "routed")
    with pytest.raises(InputError, match=r"lang='fr'.*allowed: zh, en"):
        teaching.follow_incident(town.records, i, "fr")
    with pytest.raises(InputError) as caught:
        teaching.pick_incident(town.records, "lost")
    assert "'lost'" in _one_line(caught.value) and "misrouted" in str(caught.value)
    with pytest.raises(InputError, match=r"lang='fr'"):
        teaching.how_to_use("fr")
