"""``atomic.WriteBeside``: a file written on a thread appears whole on ``commit``, or never.

And the run that uses it (``runner.run_to_dir`` writes ``incidents.parquet`` beside the KPI pass): a
failure or an interrupt of the KPI pass while the file is still being written leaves neither the file
nor a temporary, stops the writer, and ``run.json`` says failed even if a second interrupt comes.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import govsim.recordfiles
import govsim.runner
from govsim.atomic import WriteBeside, temporaries
from govsim.compose import compose
from govsim.runner import RECORD_FILES, run_to_dir


class Boom(RuntimeError):
    pass


def _gated(text: str, gate: threading.Event, fail: bool = False):  # noqa: ANN202 - a writer
    """A writer that puts half of ``text`` into its file, waits for ``gate``, then finishes or fails."""

    def write(path: Path, stop: threading.Event) -> None:
        path.write_text(text[: len(text) // 2], encoding="utf-8")
        assert gate.wait(10)
        if fail:
            raise Boom("disk full")
        path.write_text(text, encoding="utf-8")

    return write


def _started(target: Path, write) -> WriteBeside:  # noqa: ANN001 - a writer
    w = WriteBeside(target)
    w.start(write)
    return w


def test_commit_renames_the_whole_file_into_place_only_then(tmp_path: Path) -> None:
    gate, target = threading.Event(), tmp_path / "t.txt"
    w = _started(target, _gated("hello world", gate))
    assert not target.exists()  # still being written: only the temporary is there
    assert len(temporaries(tmp_path)) == 1
    gate.set()
    w.commit()
    assert target.read_text(encoding="utf-8") == "hello world"
    assert temporaries(tmp_path) == []
    w.commit()  # again: nothing changes
    w.discard()  # after a commit: the file stays
    assert target.read_text(encoding="utf-8") == "hello world"
    with pytest.raises(RuntimeError, match="already committed"):
        w.start(_gated("again", gate))


def test_a_failed_write_raises_at_commit_every_time_and_leaves_nothing(tmp_path: Path) -> None:
    gate, target = threading.Event(), tmp_path / "t.txt"
    w = _started(target, _gated("hello world", gate, fail=True))
    gate.set()
    with pytest.raises(Boom, match="disk full"):
        w.commit()
    with pytest.raises(Boom, match="disk full"):  # not a silent success the second time
        w.commit()
    assert list(tmp_path.iterdir()) == []


def test_discard_waits_for_the_writer_and_removes_its_file(tmp_path: Path) -> None:
    gate, target = threading.Event(), tmp_path / "t.txt"
    w = _started(target, _gated("hello world", gate))
    threading.Timer(0.2, gate.set).start()  # the writer is still writing when discard is called
    w.discard()
    assert gate.is_set()  # it returned only after the writer had gone on past the gate, and ended
    assert list(tmp_path.iterdir()) == []  # so the writer cannot recreate the file after it
    with pytest.raises(RuntimeError, match="discarded"):
        w.commit()  # after a discard nothing is renamed into place, and the caller is told
    assert list(tmp_path.iterdir()) == []


def test_discard_stops_a_writer_that_checks_its_event(tmp_path: Path) -> None:
    parts, first = [], threading.Event()

    def write(path: Path, stop: threading.Event) -> None:
        for k in range(1000):
            if stop.is_set():
                return
            parts.append(k)
            first.set()
            stop.wait(0.01)

    w = _started(tmp_path / "t.txt", write)
    assert first.wait(10)
    w.discard()
    assert 0 < len(parts) < 1000  # it stopped part-way, and discard waited for that
    assert list(tmp_path.iterdir()) == []


def test_one_never_started_has_nothing_to_discard_or_commit(tmp_path: Path) -> None:
    w = WriteBeside(tmp_path / "t.txt")
    w.discard()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="discarded"):
        w.commit()
    with pytest.raises(RuntimeError, match="new, nothing to commit"):
        WriteBeside(tmp_path / "u.txt").commit()


@pytest.fixture
def small_groups(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - the run's config
    """A short one_town run whose incident table is written in row groups of 50 rows (a dozen or more)."""
    monkeypatch.setattr(govsim.recordfiles, "ROW_GROUP_ROWS", 50)
    return compose(["scenario=one_town", "horizon_days=40", "warmup_days=10", "output.figures=false"])


def _slow_writer(monkeypatch: pytest.MonkeyPatch, gate: threading.Event) -> tuple[threading.Event, list[int]]:
    """``write_table`` as on a slow disk, counting the row groups written: the first group waits for
    ``gate``; every later one waits until the run has called ``WriteBeside.discard`` (so the writer is
    mid-file whenever the run fails, whatever the machine's load), then goes on."""
    started, written, discarding = threading.Event(), [], threading.Event()
    write_table, discard = pq.ParquetWriter.write_table, WriteBeside.discard

    def slow(self, table, *args, **kwargs):  # noqa: ANN001, ANN202 - pyarrow's signature
        started.set()
        assert (discarding if written else gate).wait(10)
        written.append(table.num_rows)
        return write_table(self, table, *args, **kwargs)

    def noticed(self: WriteBeside) -> None:
        discarding.set()
        discard(self)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", slow)
    monkeypatch.setattr(WriteBeside, "discard", noticed)
    return started, written


def _assert_nothing_left(out: Path) -> None:
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "failed"
    assert not any((out / name).exists() for name in RECORD_FILES)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("stop", [Boom("metrics"), KeyboardInterrupt()])
def test_kpis_failing_while_the_incident_table_is_written_stop_it_and_leave_no_file(
    small_groups, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: BaseException
) -> None:
    gate = threading.Event()
    started, written = _slow_writer(monkeypatch, gate)

    def kpis_fail(*_args: object, **_kwargs: object) -> None:
        assert started.wait(10)  # the incident table is being written on its thread, its first group held
        gate.set()
        raise stop

    rows: list[int] = []
    incident_writer = govsim.runner.incident_writer

    def counting(rec, *args):  # noqa: ANN001, ANN202 - the table's rows, as the writer gets them
        rows.append(len(rec.incidents))
        return incident_writer(rec, *args)

    monkeypatch.setattr(govsim.runner, "incident_writer", counting)
    monkeypatch.setattr(govsim.runner, "kpi_tables", kpis_fail)
    with pytest.raises(type(stop)):
        run_to_dir(small_groups, tmp_path)
    _assert_nothing_left(tmp_path)
    groups = -(-rows[0] // 50)
    assert written and len(written) <= 2 < groups  # the writer stopped at its next group after discard


def test_a_second_interrupt_while_the_writer_stops_still_leaves_run_json_failed(
    small_groups, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    started, _ = _slow_writer(monkeypatch, gate)

    def kpis_fail(*_args: object, **_kwargs: object) -> None:
        assert started.wait(10)
        raise KeyboardInterrupt  # the first Ctrl-C

    discard = WriteBeside.discard

    def interrupted(self: WriteBeside) -> None:
        gate.set()
        discard(self)  # the writer is stopped and its file removed, then the second Ctrl-C lands
        raise KeyboardInterrupt

    monkeypatch.setattr(govsim.runner, "kpi_tables", kpis_fail)
    monkeypatch.setattr(WriteBeside, "discard", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_to_dir(small_groups, tmp_path)
    _assert_nothing_left(tmp_path)
    info = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert info["error"] == "KeyboardInterrupt: interrupted (Ctrl-C)"
