"""``benchmarks/bench.py`` records the machine it ran on: CPU model and the share of CPU time stolen.

A shared virtual machine's hypervisor gives its cores to other guests part of the time (``steal`` in
``/proc/stat``); absolute times then stretch while ratios within a run hold. Hand-made ``/proc`` text:
nothing is timed.
"""

from __future__ import annotations

import pytest
from benchscript import load_script  # tests/unit on the path, as pytest puts it

STAT = "cpu  {user} 0 {system} {idle} 0 0 0 {steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2 3\n"


def _bench():  # noqa: ANN202 - the script as a module
    return load_script("bench")


def test_steal_is_the_stolen_share_of_all_cpu_time_between_two_readings() -> None:
    b = _bench()
    before = b.parse_cpu_times(STAT.format(user=100, system=50, idle=800, steal=50))
    after = b.parse_cpu_times(STAT.format(user=400, system=100, idle=1100, steal=250))
    # between them: user 300, system 50, idle 300, steal 200 of 850 ticks
    assert b.steal_share(before, after) == pytest.approx(200 / 850)


def test_guest_time_is_not_counted_twice() -> None:
    """``guest`` and ``guest_nice`` (fields 9, 10) are already inside ``user`` and ``nice``."""
    b = _bench()
    before = b.parse_cpu_times("cpu  0 0 0 0 0 0 0 0 0 0\n")
    after = b.parse_cpu_times("cpu  100 0 0 100 0 0 0 100 1000 1000\n")
    assert b.steal_share(before, after) == pytest.approx(100 / 300)  # not 100 / 2,300


def test_no_reading_or_no_time_between_is_no_share() -> None:
    b = _bench()
    same = b.parse_cpu_times(STAT.format(user=1, system=1, idle=1, steal=1))
    assert b.steal_share(None, same) is None
    assert b.steal_share(same, same) is None


def test_a_kernel_without_steal_field_gives_no_share() -> None:
    b = _bench()
    before = b.parse_cpu_times("cpu  1 2 3 4 5 6 7\n")  # kernels before 2.6.11 had seven fields
    after = b.parse_cpu_times("cpu  11 12 13 14 15 16 17\n")  # time passed: only the field is missing
    assert b.steal_share(before, after) is None


def test_stat_text_without_the_cpu_line_is_no_reading() -> None:
    assert _bench().parse_cpu_times("intr 1 2 3\n") is None


def test_cpu_model_is_read_from_cpuinfo() -> None:
    b = _bench()
    text = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t: fpu\n"
    assert b.parse_cpu_model(text) == "AMD EPYC"
    assert b.parse_cpu_model("processor\t: 0\n") is None


def test_the_readme_table_names_the_cpu_and_the_stolen_share() -> None:
    table = load_script("readme_table")
    res = {"machine": "Linux", "python": "3.12", "load_before": "a", "load_after": "b"}
    assert "CPU" not in table.machine_line(res)
    res |= {"cpu_model": "AMD EPYC", "steal": 0.214}
    line = table.machine_line(res)
    assert "AMD EPYC" in line and "21 % of the CPU time stolen" in line
