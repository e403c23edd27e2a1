"""Reading real incident logs: the Boston 311 sample, the Chinese layout, refusals and bad input.

Expected numbers are computed here from the raw file with pandas one-liners, independently of
``govsim.logs``; the Boston sample's own ``ontime`` flag checks the on-time definition.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim import kpis as kpi_module
from govsim import logtool
from govsim.logs import MAPPINGS_DIR, REASONS, LogError, load_mapping, read_log, write_log
from govsim.observed import log_records, observed_kpis, observed_window

DATA = Path(__file__).resolve().parents[1] / "data"
BOSTON = DATA / "boston311-100-sample.csv"
# subjects the shipped Boston mapping names; the others are read as "other" (written out by hand)
MAPPED_SUBJECTS = {
    "Public Works Department", "Transportation - Traffic Division", "Parks & Recreation Department",
    "Boston Water & Sewer Commission", "Inspectional Services", "Boston Police Department", "Animal Control",
}  # fmt: skip


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(BOSTON, dtype=str, keep_default_na=False)


def _t(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col.replace("", None), format="%Y-%m-%d %H:%M:%S")


def test_boston_sample_counts_by_reason(raw: pd.DataFrame) -> None:
    log = read_log(BOSTON, "boston311")
    opened, closed = _t(raw["open_dt"]), _t(raw["closed_dt"])
    expected = {
        "read": len(raw) - 0,
        "missing id": int((raw["case_enquiry_id"].str.strip() == "").sum()),
        "missing report time": int(opened.isna().sum()),
        "duplicate id": int(raw["case_enquiry_id"].duplicated().sum()),
        "unknown status": int((~raw["case_status"].isin(["Open", "Closed"])).sum()),
        "closed without close time": int(((raw["case_status"] == "Closed") & closed.isna()).sum()),
        "open with close time": int(((raw["case_status"] == "Open") & closed.notna()).sum()),
        "closed before reported": int((closed < opened).sum()),
        "unknown category": 0,  # the mapping sends unknown subjects to "other"
        "unknown channel": 0,
    }
    assert log.counts == expected
    assert log.to_other == {"category": int((~raw["subject"].isin(MAPPED_SUBJECTS)).sum())} == {"category": 7}
    assert (log.table["status"] == "open").sum() == (raw["case_status"] == "Open").sum() == 15
    assert log.table["duplicate"].sum() == (raw["closure_kind"] == "Duplicate").sum() == 5
    # the default extract time: the end of the log's last day (every ticket read counts)
    assert log.as_of == max(opened.max(), closed.max()).floor("D") + pd.Timedelta(days=1)
    text = log.report()
    assert all(f"refused, {r}: " in text for r in REASONS) and "read as 'other': 7" in text


def test_boston_kpis_by_hand(raw: pd.DataFrame) -> None:
    log = read_log(BOSTON, "boston311")
    kpis = observed_kpis(log.table, observed_window(log.table, log.as_of)).set_index(["kpi", "group"])[
        "value"
    ]
    opened, target, closed = _t(raw["open_dt"]), _t(raw["target_dt"]), _t(raw["closed_dt"])
    as_of = max(opened.max(), closed.max()).floor("D") + pd.Timedelta(days=1)  # the default
    real = raw["closure_kind"] != "Duplicate"
    days = (opened.max().floor("D") + pd.Timedelta(days=1) - opened.min().floor("D")).days
    assert kpis["volume_per_day", "all"] == pytest.approx(len(raw) / days)
    assert kpis["duplicate_share", "all"] == pytest.approx(5 / 100)
    assert kpis["open_share", "all"] == pytest.approx((closed.isna() & real).sum() / real.sum())
    worker = ((raw["source"] == "City Worker App") & real).sum() / real.sum()
    assert kpis["channel_share", "patrol"] == pytest.approx(worker)
    # practice (govsim.kpis): due = a deadline inside the period [first report's day, as_of]; open and
    # past it is overdue
    due = real & (target >= opened.min().floor("D")) & (target <= as_of)
    hand = ((closed <= target) & due).sum() / due.sum()
    assert kpis["on_time_rate", "all"] == pytest.approx(hand)
    # Kaplan–Meier median written out by hand: product over close times of (1 - d/n at risk)
    dur = np.where(closed.notna(), (closed - opened).dt.total_seconds(), (as_of - opened).dt.total_seconds())[
        real
    ]
    event = closed.notna().to_numpy()[real]
    s, median = 1.0, None
    for x in np.unique(dur[event]):
        s *= 1 - ((dur == x) & event).sum() / (dur >= x).sum()
        if s <= 0.5 and median is None:
            median = x / 86400
    assert kpis["resolution_median", "all"] == pytest.approx(median)


def test_on_time_matches_boston_own_flag(raw: pd.DataFrame) -> None:
    """Boston marks a closed case ONTIME exactly when closed by its target: so must we."""
    log = read_log(BOSTON, "boston311")
    t = log.table
    done = t[t["closed"].notna() & t["deadline"].notna() & ~t["duplicate"]]  # duplicates are not assessed
    flags = raw.set_index("case_enquiry_id").loc[done["id"], "ontime"]
    rec = log_records(done, done["reported"].min().floor("D"))
    k = kpi_module.compute(rec, -1.0, float(rec["deadline"].max()) + 1.0)  # every one of them due
    assert k["on_time_rate_den"] == len(done)
    assert k["on_time_rate"] == pytest.approx((flags == "ONTIME").mean())
    assert 0 < (flags == "OVERDUE").sum() < len(flags)  # both kinds present: the check can fail


def _broken(tmp_path: Path, raw: pd.DataFrame) -> Path:
    bad = raw.copy()
    bad.loc[0, "closed_dt"] = "2022-01-01 00:00:00"  # open case 0 reported 01-21: closed before reported
    bad.loc[0, "case_status"] = "Closed"
    bad.loc[1, "open_dt"] = ""  # missing report time
    bad.loc[2, "case_enquiry_id"] = bad.loc[3, "case_enquiry_id"]  # row 3 repeats row 2's id
    bad.loc[5, "case_status"] = "Pending"  # unknown status
    bad.loc[6, "source"] = "Twitter"  # unknown channel -> other (mapping says so)
    opened = bad.index[(bad["case_status"] == "Open") & (bad.index > 6)][0]
    shut = bad.index[(bad["case_status"] == "Closed") & (bad.index > 6)][0]
    bad.loc[opened, "case_status"] = "Closed"  # closed without close time
    bad.loc[shut, "case_status"] = "Open"  # open with close time
    path = tmp_path / "broken.csv"
    bad.to_csv(path, index=False)
    return path


def test_refusals_counted_by_reason(tmp_path: Path, raw: pd.DataFrame) -> None:
    log = read_log(_broken(tmp_path, raw), "boston311")
    c = log.counts
    reasons = ("closed before reported", "missing report time", "duplicate id", "unknown status")
    assert [c[r] for r in reasons] == [1, 1, 1, 1]
    assert c["closed without close time"] == c["open with close time"] == 1
    assert c["read"] == 94 and len(log.refused) == 6
    assert {2, 3, 5, 7} < set(log.refused["row"])  # file lines (header is line 1); the 2nd of the pair
    assert log.to_other == {"category": 7, "channel": 1}


def test_unknown_category_refused_unless_mapping_says_other(tmp_path: Path) -> None:
    text = MAPPINGS_DIR / "boston311.yaml"
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        text.read_text(encoding="utf-8").replace("unknown_category: other", "unknown_category: refuse")
    )
    log = read_log(BOSTON, strict)
    assert log.counts["unknown category"] == 7 and log.counts["read"] == 93


def _cn_table() -> pd.DataFrame:
    t = pd.Timestamp("2024-03-01 08:00:00")
    h = pd.Timedelta(hours=1)
    frame = pd.DataFrame(
        {
            "id": ["A1", "A2", "A3"],
            "reported": [t, t + h, t + 2 * h],
            "deadline": [t + 72 * h, t + 72 * h, pd.NaT],
            "handled": [t + 10 * h, t + 90 * h, pd.NaT],
            "closed": [t + 20 * h, t + 100 * h, pd.NaT],
            "category": ["dispute", "livelihood", "petition"],
            "channel": ["patrol", "hotline", "walkin"],
            "town": ["环市街道", "白沙街道", np.nan],
            "status": ["closed", "closed", "open"],
            "duplicate": [False, True, False],
        }
    )
    return frame.astype({c: "datetime64[ns]" for c in ("reported", "deadline", "handled", "closed")})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "xlsx", "xlsx-dates"])
def test_chinese_layout_round_trip(tmp_path: Path, encoding: str) -> None:
    table = _cn_table()
    path = tmp_path / "export.csv"
    write_log(table, path, "cn12345", "utf-8" if encoding.startswith("xlsx") else encoding)
    head = path.read_bytes()[:3]
    assert (head == b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    if encoding.startswith("xlsx"):  # text cells, or real Excel date cells
        xlsx = tmp_path / "export.xlsx"
        times = ["上报时间", "处置截止时间", "处置结束时间", "结案时间"] if encoding == "xlsx-dates" else []
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame[times] = frame[times].apply(lambda c: pd.to_datetime(c.replace("", None)))
        frame.to_excel(xlsx, index=False)
        path = xlsx
    log = read_log(path, "cn12345")
    assert log.counts["read"] == 3 and len(log.refused) == 0
    pd.testing.assert_frame_equal(log.table, table, check_dtype=False)


def test_time_formats_are_declared_not_guessed(tmp_path: Path) -> None:
    src = MAPPINGS_DIR / "boston311.yaml"
    text = src.read_text(encoding="utf-8")
    ambiguous = tmp_path / "ambiguous.yaml"
    ambiguous.write_text(text.replace('["%Y-%m-%d %H:%M:%S"]', '["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"]'))
    with pytest.raises(LogError, match="day/month order is ambiguous"):
        load_mapping(ambiguous)
    undeclared = tmp_path / "undeclared.yaml"
    undeclared.write_text(text.replace('datetime_formats: ["%Y-%m-%d %H:%M:%S"]', ""))
    with pytest.raises(LogError, match="datetime_formats"):
        load_mapping(undeclared)
    us = tmp_path / "us.yaml"
    us.write_text(text.replace('["%Y-%m-%d %H:%M:%S"]', '["%m/%d/%Y %H:%M"]'))
    with pytest.raises(LogError, match=r"row 2, column 'open_dt': '2022-01-21 13:47:00' is not a time"):
        read_log(BOSTON, us)


def test_cli_bad_log_one_line_exit_2_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes("案件号,上报时间\n1,2024-01-01 08:00:00\n".encode("utf-16"))
    out = tmp_path / "out"
    for argv in (
        ["summary", str(bad), "--mapping", "cn12345", "--out", str(out)],
        ["summary", str(BOSTON), "--mapping", "cn12345", "--out", str(out)],
        ["summary", str(BOSTON), "--mapping", "no_such_mapping", "--out", str(out)],
    ):
        with pytest.raises(SystemExit) as exc:
            logtool.main(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("govsim-log: error: ") and "\n" not in err
        assert not out.exists()
    assert "bad.csv: cannot decode" in logtool_error(bad, out, capsys)


def logtool_error(bad: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        logtool.main(["summary", str(bad), "--mapping", "cn12345", "--out", str(out)])
    return capsys.readouterr().err


def test_cli_summary_writes_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "boston"
    logtool.main(["summary", str(BOSTON), "--mapping", "boston311", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "100 rows, 100 read, 0 refused" in printed and "on_time_rate" in printed
    kpis = pd.read_csv(out / "observed_kpis.csv")
    assert kpis.loc[kpis["kpi"] == "tickets", "value"].item() == 100
    vols = pd.read_csv(out / "volumes.csv")
    assert vols.groupby("period")["tickets"].sum().to_dict() == {"day": 100, "month": 100, "week": 100}


def test_cli_refuses_an_occupied_output_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An --out directory that holds anything is refused (exit 2, one line, nothing touched): a summary
    written over another log's, or a compare over a summary, would otherwise mix two results silently."""
    out = tmp_path / "boston"
    logtool.main(["summary", str(BOSTON), "--mapping", "boston311", "--out", str(out)])
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(SystemExit) as exc:
        logtool.main(["summary", str(BOSTON), "--mapping", "boston311", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and "\n" not in err
    assert err == (f"govsim-log: error: --out={str(out)!r}: the directory exists and is not empty; "
                   "allowed: a new or empty directory")  # fmt: skip
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    empty = tmp_path / "empty"
    empty.mkdir()
    logtool.main(["summary", str(BOSTON), "--mapping", "boston311", "--out", str(empty)])
    assert (empty / "observed_kpis.csv").is_file()
