"""``recordfiles.incident_arrow`` (the incident table built as Arrow columns) is ``labelled_incidents`` as
``pyarrow.Table.from_pandas`` makes it: the same schema, pandas metadata and values, so
``incidents.parquet``, written from it a row group at a time (``write_incidents``), is the same file,
byte for byte, as the pandas route writes it — with one row group, several, or an empty table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from govsim import recordfiles
from govsim.config import CHANNELS
from govsim.recordfiles import as_dates, incident_arrow, labelled_incidents, to_parquet, write_incidents
from govsim.runner import simulate


@pytest.fixture(scope="module")
def rec(make_config):
    return simulate(make_config("scenario=one_town", "horizon_days=30", "warmup_days=5")).records


def test_the_arrow_table_is_the_labelled_frame_from_pandas(rec):
    want = pa.Table.from_pandas(labelled_incidents(rec, "2024-03-01", CHANNELS), preserve_index=False)
    got = incident_arrow(rec, "2024-03-01", CHANNELS)
    assert got.schema.equals(want.schema, check_metadata=True)
    assert got.equals(want)
    assert got.column("department_name").null_count == int((rec.incidents["department"] < 0).sum())


def test_codes_out_of_range_and_odd_days_become_nulls_as_pandas_makes_them(rec):
    inc = rec.incidents.copy()
    inc.loc[0, "channel"] = 9  # not a channel: an empty name
    inc.loc[1, "t_close"] = np.inf  # not a time: NaT beside it
    inc.loc[2, "t_report"] = 1.5 / 86_400  # a half second: rounds to even
    odd = type(rec)(**{**rec.__dict__, "incidents": inc})
    want = pa.Table.from_pandas(labelled_incidents(odd, "2024-03-01", CHANNELS), preserve_index=False)
    assert incident_arrow(odd, "2024-03-01", CHANNELS).equals(want)
    assert as_dates(np.array([np.nan, 0.5]), "2024-03-01").tolist()[1].isoformat() == "2024-03-01T12:00:00"


def _same_file(rec, tmp_path) -> int:
    """Both routes' files are the same bytes; returns their number of row groups."""
    to_parquet(labelled_incidents(rec, "2024-03-01", CHANNELS), tmp_path / "pandas.parquet")
    write_incidents(rec, "2024-03-01", CHANNELS, tmp_path / "arrow.parquet")
    assert (tmp_path / "pandas.parquet").read_bytes() == (tmp_path / "arrow.parquet").read_bytes()
    return pq.ParquetFile(tmp_path / "arrow.parquet").metadata.num_row_groups


def test_the_parquet_files_are_the_same_bytes(rec, tmp_path):
    assert len(rec.incidents) <= recordfiles.ROW_GROUP_ROWS
    assert _same_file(rec, tmp_path) == 1


def test_written_a_row_group_at_a_time_the_file_is_the_same_bytes(rec, tmp_path, monkeypatch):
    n = len(rec.incidents)
    monkeypatch.setattr(recordfiles, "ROW_GROUP_ROWS", n // 3 + 1)  # three groups, the last one short
    assert _same_file(rec, tmp_path) == 3
    assert pq.read_table(tmp_path / "arrow.parquet").num_rows == n


def test_an_empty_incident_table_is_the_same_bytes(rec, tmp_path):
    empty = type(rec)(**{**rec.__dict__, "incidents": rec.incidents.iloc[:0]})
    assert _same_file(empty, tmp_path) == 1
    assert pq.read_table(tmp_path / "arrow.parquet").num_rows == 0
