"""``atomic.WriteBeside``: a file written on a thread appears whole on ``commit``, or never.

And the run that uses it (``runner.run_to_dir`` writes ``incidents.parquet`` beside the KPI pass): a
failure of the KPI pass while the file is still being written leaves neither the file nor a temporary.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import govsim.runner
from govsim.atomic import WriteBeside, temporaries
from govsim.compose import compose
from govsim.runner import RECORD_FILES, run_to_dir


class Boom(RuntimeError):
    pass


def _gated(text: str, gate: threading.Event, fail: bool = False):  # noqa: ANN202 - a writer
    """A writer that puts half of ``text`` into its file, waits for ``gate``, then finishes or fails."""

    def write(path: Path) -> None:
        path.write_text(text[: len(text) // 2], encoding="utf-8")
        assert gate.wait(10)
        if fail:
            raise Boom("disk full")
        path.write_text(text, encoding="utf-8")

    return write


def test_commit_renames_the_whole_file_into_place_only_then(tmp_path: Path) -> None:
    gate, target = threading.Event(), tmp_path / "t.txt"
    w = WriteBeside(target, _gated("hello world", gate))
    assert not target.exists()  # still being written: only the temporary is there
    assert len(temporaries(tmp_path)) == 1
    gate.set()
    w.commit()
    assert target.read_text(encoding="utf-8") == "hello world"
    assert temporaries(tmp_path) == []
    w.commit()  # again: nothing changes
    w.discard()  # after a commit: the file stays
    assert target.read_text(encoding="utf-8") == "hello world"


def test_a_failed_write_raises_at_commit_and_leaves_nothing(tmp_path: Path) -> None:
    gate, target = threading.Event(), tmp_path / "t.txt"
    w = WriteBeside(target, _gated("hello world", gate, fail=True))
    gate.set()
    with pytest.raises(Boom, match="disk full"):
        w.commit()
    assert list(tmp_path.iterdir()) == []


def test_discard_waits_for_the_writer_and_removes_its_file(tmp_path: Path) -> None:
    gate, target = threading.Event(), tmp_path / "t.txt"
    w = WriteBeside(target, _gated("hello world", gate))
    threading.Timer(0.2, gate.set).start()  # the writer is still writing when discard is called
    w.discard()
    assert gate.is_set()  # it returned only after the writer had gone on past the gate, and ended
    assert list(tmp_path.iterdir()) == []  # so the writer cannot recreate the file after it
    w.commit()  # after a discard: nothing is renamed into place
    assert list(tmp_path.iterdir()) == []


def test_kpis_failing_while_the_incident_table_is_written_leave_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = compose(["scenario=one_town", "horizon_days=40", "warmup_days=10", "output.figures=false"])
    started, gate = threading.Event(), threading.Event()
    write_table = pq.ParquetWriter.write_table

    def slow(self, table, *args, **kwargs):  # noqa: ANN001, ANN202 - pyarrow's signature
        started.set()
        assert gate.wait(10)  # held mid-file until the KPI pass has failed
        return write_table(self, table, *args, **kwargs)

    def kpis_fail(*_args: object, **_kwargs: object) -> None:
        assert started.wait(10)  # the incident table is being written on its thread
        threading.Timer(0.2, gate.set).start()
        raise Boom("metrics")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", slow)
    monkeypatch.setattr(govsim.runner, "kpi_tables", kpis_fail)
    with pytest.raises(Boom):
        run_to_dir(cfg, tmp_path)
    assert json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))["status"] == "failed"
    assert not any((tmp_path / name).exists() for name in RECORD_FILES)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
