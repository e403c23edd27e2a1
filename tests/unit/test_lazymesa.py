"""Mesa's spaces load on first use (``govsim.lazymesa``): a run does not import them, a user still can."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
import types

from govsim import lazymesa

SCRIPT = textwrap.dedent(
    """
    import sys
    import mesa
    from govsim.runner import simulate
    from govsim.compose import compose
    from govsim.model import GovernanceModel

    assert issubclass(GovernanceModel, mesa.Model)
    simulate(compose(["scenario=one_town", "horizon_days=3", "warmup_days=1", "output.progress=false"]))
    unused = [m for m in ("scipy.spatial", "networkx", "mesa.discrete_space.grid") if m in sys.modules]
    assert not unused, unused
    from mesa.discrete_space import OrthogonalMooreGrid
    from mesa.experimental.continuous_space import ContinuousSpace
    assert mesa.discrete_space.OrthogonalMooreGrid is OrthogonalMooreGrid
    assert mesa.experimental.continuous_space.ContinuousSpace is ContinuousSpace
    assert mesa.space.MultiGrid.__module__ == "mesa.space"
    assert "networkx" in sys.modules and "scipy.spatial" in sys.modules
    print("ok")
    """
)


def test_a_run_leaves_the_spaces_unloaded_and_a_user_can_still_use_them() -> None:
    """In a fresh interpreter, ``import govsim.cli`` first (as the ``govsim`` command does)."""
    out = subprocess.run(
        [sys.executable, "-c", "import govsim.cli\n" + SCRIPT], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_nothing_is_deferred_once_mesa_is_imported() -> None:
    import mesa  # imported by now in this process (the test session imports the model)

    assert "mesa" in sys.modules and mesa.Model is not None
    assert lazymesa.defer_spaces() is False and lazymesa.register() == []


def test_load_leaves_other_modules_alone() -> None:
    plain = types.ModuleType("plain")
    assert lazymesa.load(plain) is plain and type(plain) is types.ModuleType


def test_import_govsim_leaves_mesa_as_it_is() -> None:
    """The library has no import-time side effect on Mesa: only the ``govsim`` command defers its spaces."""
    script = "import sys, govsim, govsim.model\nimport mesa.discrete_space as d\nprint(type(d).__name__)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "module", out.stderr


COUNTRIES_SCRIPT = textwrap.dedent(
    """
    import sys
    import govsim.cli  # as the govsim command does: holidays' country package is deferred
    from govsim.officetime import build_calendar
    import holidays

    cal = build_calendar("2025-01-01", [], None)
    assert holidays.country_holidays("CN", years=[2025], language="zh_CN")
    loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries."))
    assert loaded == ["holidays.countries.china"], loaded
    assert holidays.countries.china.ChinaStaticHolidays is not None
    from holidays.countries import France  # another country still works, and loads the package
    assert holidays.countries.France is France and "holidays.countries.germany" in sys.modules
    import holidays.countries as countries
    assert type(countries).__name__ == "module"
    print("ok")
    """
)


def test_the_command_reads_chinas_calendar_without_the_other_countries() -> None:
    out = subprocess.run(
        [sys.executable, "-c", COUNTRIES_SCRIPT], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_import_govsim_leaves_holidays_as_it_is() -> None:
    script = "import sys, govsim.officetime, holidays.countries as c\nprint(type(c).__name__)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "module", out.stderr


LOGGING_SCRIPT = textwrap.dedent(
    """
    import logging, sys
    if sys.argv[1] == "command":
        import govsim.cli  # as the govsim command does
    import mesa
    import mesa.mesa_logging as ml

    messages = []
    class Keep(logging.Handler):
        def emit(self, record):
            messages.append(f"{record.name}: {record.getMessage()[:40]}")

    logging.getLogger("MESA").setLevel(logging.DEBUG)
    logging.getLogger("MESA").addHandler(Keep())
    mesa.Model(rng=1)
    print(sorted(ml._module_loggers), messages, type(ml.inspect).__name__)
    """
)


def test_mesas_loggers_are_named_as_without_the_command() -> None:
    """Mesa names its module loggers and method-logger classes from the stack: the same in the command."""
    out = {
        how: subprocess.run(
            [sys.executable, "-c", LOGGING_SCRIPT, how], capture_output=True, text=True, check=False
        )
        for how in ("library", "command")
    }
    assert all(o.returncode == 0 for o in out.values()), {k: o.stderr for k, o in out.items()}
    library, command = (out[k].stdout.strip().rsplit(" ", 1) for k in ("library", "command"))
    assert "'mesa.model'" in library[0] and "calling Model.__init__" in library[0]
    assert command[0] == library[0]
    assert (library[1], command[1]) == ("module", "FrameInspect")  # the light inspect was in use


def test_frame_inspect_gives_the_frames_and_modules_of_inspect() -> None:
    light = lazymesa.FrameInspect()

    def here() -> tuple[list[inspect.FrameInfo], list[inspect.FrameInfo]]:
        return light.stack(), inspect.stack(0)

    mine, theirs = here()
    assert [(f.frame, f.function, f.lineno) for f in mine] == [
        (f.frame, f.function, f.lineno) for f in theirs
    ]
    frame = inspect.currentframe()
    assert [f.function for f in light.getouterframes(frame)] == [
        f.function for f in inspect.getouterframes(frame, 0)
    ]
    assert light.getmodule(frame) is sys.modules[__name__] is inspect.getmodule(frame)
    assert light.getmodule(lazymesa.load) is lazymesa and light.cleandoc is inspect.cleandoc
