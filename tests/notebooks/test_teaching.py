"""The classroom helpers: levers mean the config keys they name, a ticket's path reads in order,
figures carry Chinese text, and the slider panel reruns with what the sliders say."""

from __future__ import annotations

import time

import pytest

from govsim import teaching
from govsim.config import GovsimConfig

pytest.importorskip("hydra")


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def town():
    return teaching.run_town(seed=1, horizon_days=120)


def test_levers_set_the_same_config_as_the_command_line():
    from hydra import compose, initialize_config_dir

    from govsim.compose import config_dir, to_config
    from govsim.config import register_configs

    levers = {
        "staffing": 1.5,
        "admission_cap_hours": 10,
        "resident_points": 2,
        "routing_accuracy": 0.95,
        "deadline_scale": 0.5,
        "stationed": ["dispute", "livelihood"],
    }
    register_configs()
    with initialize_config_dir(config_dir(), version_base=None):
        composed = to_config(
            compose(
                "config",
                [
                    "scenario=one_town",
                    "output.progress=false",
                    "output.figures=false",
                    *teaching.lever_overrides(levers),
                ],
            )
        )
    ours = teaching.town_config(**levers)
    assert isinstance(ours, GovsimConfig)
    assert ours.policy == composed.policy
    assert ours.policy.grid.admission == "cap"


def test_unknown_lever_is_refused():
    with pytest.raises(ValueError, match="unknown lever 'staff'"):
        teaching.town_config(staff=2.0)


def test_out_of_range_lever_is_refused_by_the_config_check():
    from govsim.validate import ConfigError

    with pytest.raises(ConfigError, match="routing_accuracy"):
        teaching.town_config(routing_accuracy=1.5)


def test_follow_incident_is_the_loop_in_order(town):
    rec = town.records
    i = teaching.pick_incident(rec, "misrouted")
    table = teaching.follow_incident(rec, i, "zh")
    days = table["第几天"].to_list()
    assert days == sorted(days)
    assert table["环节"].iloc[0] == "发生(潜在)" and table["环节"].iloc[-1] == "反馈"
    assert {"流转", "到达部门", "处置", "办结"} <= set(table["环节"])
    assert "误派" in table.loc[table["环节"] == "到达部门", "说明"].iloc[0]
    waits = table["间隔(天)"].iloc[1:]
    steps = [b - a for a, b in zip(days, days[1:], strict=False)]
    assert waits.to_list() == pytest.approx(steps, abs=0.011)  # both sides rounded to 0.01


def test_on_site_ticket_skips_the_centre_and_department(town):
    rec = town.records
    table = teaching.follow_incident(rec, teaching.pick_incident(rec, "on_site"), "en")
    assert "dispatched" not in set(table["stage"]) and "at the department" not in set(table["stage"])
    assert table["detail"].str.contains("on the spot").any()


def test_figures_draw_chinese_labels(town):
    import matplotlib.pyplot as plt

    from govsim.teaching_widgets import lever_figure

    rec = town.records
    figs = [
        teaching.plot_incident(teaching.follow_incident(rec, teaching.pick_incident(rec, "routed"))),
        lever_figure(town, town, "zh"),
        teaching.plot_hotspot_comparison({"uniform": town, "hotspot": town}, "zh"),
    ]
    for fig in figs:
        fig.canvas.draw()
        texts = [t.get_text() for t in fig.findobj(plt.Text)]
        assert any(_cjk(t) for t in texts)
        plt.close(fig)


def test_slider_update_reruns_with_the_slider_values():
    """Moving a slider reruns the year with that lever; prints the update time (no timed assertion)."""
    pytest.importorskip("ipywidgets")
    from govsim.teaching_widgets import LeverPanel

    panel = LeverPanel(lang="zh", seed=0)
    before = panel.image.value
    start = time.perf_counter()
    panel.controls["staffing"].value = 1.5  # what releasing the slider does
    seconds = time.perf_counter() - start
    print(f"\nslider update on one_town: {seconds:.2f} s")
    assert panel.config.policy.grid.staffing == 1.5
    assert bytes(panel.image.value) != bytes(before) and bytes(panel.image.value).startswith(b"\x89PNG")
    assert "更新用时" in panel.status.value


def test_lever_figure_redrawn_in_place_is_the_fresh_figure():
    """A slider redraws the dashboard in place (``LeverFigure.update``): the PNG of a new figure, bytewise."""
    from govsim.teaching_widgets import LeverFigure, lever_figure

    base = teaching.run_town(seed=0, horizon_days=60)
    moves = ({"staffing": 1.5}, {"staffing": 2.0, "stationed": ["dispute"]})
    runs = [teaching.run_town(seed=0, horizon_days=60, **lv) for lv in moves]
    shown = LeverFigure(base, base, "zh")
    first = teaching.png_bytes(shown.figure)
    for r in runs:
        assert teaching.png_bytes(shown.update(r)) == teaching.png_bytes(lever_figure(r, base, "zh")) != first


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_indicator_names_are_whole(lang):
    """The bars' names drop a qualifier after a comma but never leave a bracket open (发现时滞(受限均值)."""
    from govsim.teaching_widgets import DAY_KPIS, RATE_KPIS, short_kpi_label

    names = [short_kpi_label(k, lang) for k in DAY_KPIS + RATE_KPIS]
    for name in names:
        assert name.count("(") == name.count(")") and name.count("\uff08") == name.count("\uff09"), name
        assert "," not in name and "\uff0c" not in name, name
    assert names[0] == ("发现时滞" if lang == "zh" else "discovery delay")
    assert names[1] == teaching.kpi_label("department_wait", lang)  # nothing to drop: kept whole


def test_notebook_pngs_are_faster_to_encode_but_the_same_pixels(town):
    """``png_bytes`` compresses less than Pillow's default (``PNG_COMPRESS_LEVEL``): same image."""
    import io

    import numpy as np
    from PIL import Image

    from govsim.teaching_widgets import lever_figure

    fig = lever_figure(town, town, "zh")
    ours = teaching.png_bytes(fig)
    default = io.BytesIO()
    fig.savefig(default, format="png", dpi=100)
    assert ours != default.getvalue()  # the level is applied ...
    pixels = [np.asarray(Image.open(io.BytesIO(b))) for b in (ours, default.getvalue())]
    assert pixels[0].shape == pixels[1].shape and np.array_equal(*pixels)  # ... to the very same pixels
