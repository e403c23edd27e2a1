"""What ``govsim-log`` and ``govsim-calibrate`` say about bad input and doubtful logs.

Every refusal is one line naming the key, the value and what is allowed (``allowed: ...``), exit status
2, nothing written. A mapping that refuses most rows of a log still writes its outputs, with a one-line
warning naming how many rows, the main reason and the mapping key to check. The extract time shows the
seconds the user gave.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from refusal import refused  # tests/unit on the path, as pytest puts it

from govsim import calibrate, logtool
from govsim.logs import MAPPINGS_DIR

BOSTON = Path(__file__).resolve().parents[1] / "data" / "boston311-100-sample.csv"
BOSTON_MAPPING = (MAPPINGS_DIR / "boston311.yaml").read_text(encoding="utf-8")
RATE = "parameters: {scenario.incident_rate: {low: 0.1, high: 1}}\n"
TICKETS = "targets: {tickets: {value: 1, tolerance: 1}}\n"


def _boston(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped Boston mapping with one piece of text replaced."""
    assert old in BOSTON_MAPPING
    path = tmp_path / "mine.yaml"
    path.write_text(BOSTON_MAPPING.replace(old, new), encoding="utf-8")
    return path


def _log_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    out = tmp_path / "out"
    err = refused(logtool.main, [*argv, "--out", str(out)], capsys)
    assert err.startswith("govsim-log: error: ") and "allowed: " in err, err
    assert not out.exists()
    return err


@pytest.mark.parametrize("as_of", ["garbage", "2022-02-30", "2022-02-01 25:00"])
def test_a_garbage_extract_time_names_the_option_the_value_and_the_allowed_format(
    tmp_path, capsys, as_of
) -> None:
    err = _log_refusal(tmp_path, capsys, "summary", str(BOSTON), "--mapping", "boston311", "--as-of", as_of)
    assert err.startswith(f"govsim-log: error: --as-of={as_of!r}: "), err
    assert "ISO date-time" in err and "'%Y-%m-%d %H:%M:%S'" in err


def test_a_missing_calibration_spec_names_the_path_and_what_is_allowed(tmp_path, capsys) -> None:
    path = tmp_path / "nope.yaml"
    err = refused(calibrate.main, [str(path), "--out", str(tmp_path / "out")], capsys)
    assert err.startswith(f"govsim-calibrate: error: {path}: no such calibration spec"), err
    assert "allowed: an existing YAML spec" in err and "experiments/calibration/" in err


def test_a_mapped_column_missing_from_the_log_names_the_key_the_column_and_the_columns(
    tmp_path, capsys
) -> None:
    mapping = _boston(tmp_path, "closed: closed_dt", "closed: close_time")
    err = _log_refusal(tmp_path, capsys, "summary", str(BOSTON), "--mapping", str(mapping))
    assert "columns.closed='close_time'" in err
    header = BOSTON.read_text(encoding="utf-8").splitlines()[0].split(",")
    allowed = err.split("allowed: ", 1)[1]
    assert all(col in allowed for col in header), err


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        ('["%Y-%m-%d %H:%M:%S"]', '["%d/%m/%Y %H:%M", "%m/%d/%Y"]', "datetime_formats="),
        ('datetime_formats: ["%Y-%m-%d %H:%M:%S"]', "", "datetime_formats="),
        ("  id: case_enquiry_id\n", "", "columns.id="),
        ('["%Y-%m-%d %H:%M:%S"]', '["%m/%d/%Y %H:%M"]', "column 'open_dt'"),
        ("name: boston311", "name: [boston311", "mine.yaml"),
        ("encoding: auto", "encoding: utf-16", "encoding="),
    ],
)
def test_every_mapping_refusal_says_what_is_allowed(tmp_path, capsys, old, new, names) -> None:
    mapping = _boston(tmp_path, old, new)
    err = _log_refusal(tmp_path, capsys, "summary", str(BOSTON), "--mapping", str(mapping))
    assert names in err


def test_a_mapping_that_is_not_a_mapping_says_what_is_allowed(tmp_path, capsys) -> None:
    mapping = tmp_path / "list.yaml"
    mapping.write_text("- columns\n", encoding="utf-8")
    err = _log_refusal(tmp_path, capsys, "summary", str(BOSTON), "--mapping", str(mapping))
    assert f"{mapping}: " in err and "list" in err


@pytest.mark.parametrize(
    ("name", "content", "names"),
    [
        ("missing.csv", None, "missing.csv: no such file"),
        ("empty.csv", b"", "empty.csv: not a readable CSV"),
        ("utf16.csv", "case_enquiry_id,open_dt\n1,2024-01-01 08:00:00\n".encode("utf-16"), "cannot decode"),
        ("fake.xlsx", b"not a workbook", "fake.xlsx: not a readable XLSX"),
        ("header.csv", BOSTON.read_bytes().splitlines(keepends=True)[0], "no row could be read"),
    ],
)
def test_every_log_refusal_says_what_is_allowed(tmp_path, capsys, name, content, names) -> None:
    log = tmp_path / name
    if content is not None:
        log.write_bytes(content)
    err = _log_refusal(tmp_path, capsys, "summary", str(log), "--mapping", "boston311")
    assert names in err


def test_a_compare_without_a_complete_run_says_what_is_allowed(tmp_path, capsys) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    err = _log_refusal(tmp_path, capsys, "compare", str(BOSTON), str(runs), "--mapping", "boston311")
    assert f"{runs}: no complete run" in err and "run.json" in err


def _spec_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(body, encoding="utf-8")
    err = refused(calibrate.main, [str(path), "--check", "--out", str(tmp_path / "out")], capsys)
    assert err.startswith(f"govsim-calibrate: error: {path}: ") and "allowed: " in err, err
    assert err.count(str(path)) == 1, err
    return err


@pytest.mark.parametrize(
    ("body", "names"),
    [
        (RATE, "targets: none"),
        (TICKETS, "parameters: none"),
        (RATE + "targets: {tickets: {value: abc, tolerance: 1}}\n", "targets.tickets.value='abc'"),
        (RATE + "targets: {tickets: {value: 1, tolerance: x}}\n", "targets.tickets.tolerance='x'"),
        (RATE + "targets: {tickets: {range: [1], tolerance: 1}}\n", "targets.tickets.range=[1]"),
        ("parameters: {scenario.incident_rate: {low: a, high: 1}}\n" + TICKETS,
         "parameters.scenario.incident_rate.low='a'"),
        (RATE + TICKETS + "seeds: 3\n", "seeds=3"),
        (RATE + TICKETS + "trials: many\n", "trials='many'"),
        (RATE + TICKETS + "name: [x\n", "not a readable YAML"),
        ("- 1\n", "list"),
    ],
)  # fmt: skip
def test_every_spec_refusal_names_the_key_the_value_and_what_is_allowed(
    tmp_path, capsys, body, names
) -> None:
    err = _spec_refusal(tmp_path, capsys, body)
    assert names in err
    assert "numbers where the spec takes numbers" not in err


@pytest.mark.parametrize(
    ("log", "names"),
    [
        ("{path: nofile.csv, mapping: boston311}", "log.path='nofile.csv'"),
        (f"{{path: {BOSTON}, mapping: boston311, as_of: garbage}}", "log.as_of='garbage'"),
        (f"{{path: {BOSTON}, mapping: nosuch}}", "log.mapping='nosuch'"),
        (
            f"{{path: {BOSTON.parent}, mapping: boston311}}",
            f"log.path='{BOSTON.parent}': a directory, not a log",
        ),
    ],
)
def test_a_spec_log_refusal_names_the_spec_key(tmp_path, capsys, log, names) -> None:
    err = _spec_refusal(
        tmp_path, capsys, RATE + "targets: {tickets: {value: log, tolerance: 1}}\n" + f"log: {log}\n"
    )
    assert names in err
    assert "numbers where the spec takes numbers" not in err


def test_a_spec_log_column_missing_names_the_mapping_key(tmp_path, capsys) -> None:
    mapping = _boston(tmp_path, "closed: closed_dt", "closed: close_time")
    body = RATE + TICKETS + f"log: {{path: {BOSTON}, mapping: {mapping}}}\n"
    err = _spec_refusal(tmp_path, capsys, body)
    assert "columns.closed='close_time'" in err and "closed_dt" in err


def _mostly_refusing(tmp_path: Path) -> Path:
    """boston311 with only Constituent Call mapped (30 of the 100 rows) and unknown channels refused."""
    old = "  City Worker App: patrol\n  Citizens Connect App: app\n  Self Service: app\n"
    mapping = _boston(tmp_path, old, "")
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace("unknown_channel: other", "unknown_channel: refuse")
    )
    return mapping


def test_a_mapping_that_refuses_most_rows_warns_and_still_writes(tmp_path, capsys) -> None:
    """Only Constituent Call (30 of the sample's 100 rows) is mapped and unknown channels are refused."""
    mapping = _mostly_refusing(tmp_path)
    out = tmp_path / "s"
    logtool.main(["summary", str(BOSTON), "--mapping", str(mapping), "--out", str(out)])
    err = capsys.readouterr().err.strip()
    raw = pd.read_csv(BOSTON, dtype=str)
    refused_rows = int((raw["source"] != "Constituent Call").sum())
    assert refused_rows == 70
    assert err == (
        f"govsim: warning: {BOSTON}: the mapping {str(mapping)!r} refused {refused_rows} of 100 rows, "
        f"{refused_rows} for unknown channel; check the mapping's channels (or unknown_channel: other)"
    )
    assert len(pd.read_csv(out / "refused.csv")) == refused_rows
    assert pd.read_csv(out / "observed_kpis.csv").set_index("kpi").loc["tickets", "value"] == 30


def test_a_mapping_that_reads_most_rows_does_not_warn(tmp_path, capsys) -> None:
    logtool.main(["summary", str(BOSTON), "--mapping", "boston311", "--out", str(tmp_path / "s")])
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("as_of", "shown"),
    [("2023-01-01 10:20:30", "2023-01-01 10:20:30"), ("2023-01-01 10:20:00", "2023-01-01 10:20)"),
     ("2023-01-01", "2023-01-01 00:00)")],
)  # fmt: skip
def test_the_extract_time_is_shown_as_given(tmp_path, capsys, as_of, shown) -> None:
    logtool.main(
        ["summary", str(BOSTON), "--mapping", "boston311", "--as-of", as_of, "--out", str(tmp_path / "s")]
    )
    assert f"open (censored at {shown}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("run_json", "names"), [('{"status": "complete"}', "not a readable run directory"), ("{", "run.json: ")]
)
def test_a_broken_run_directory_is_refused_in_one_line(tmp_path, capsys, run_json, names) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(run_json, encoding="utf-8")
    err = _log_refusal(tmp_path, capsys, "compare", str(BOSTON), str(run), "--mapping", "boston311")
    assert f"{run}" in err and names in err


def test_an_output_folder_under_a_file_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    out = blocker / "out"
    err = refused(logtool.main, ["summary", str(BOSTON), "--mapping", "boston311", "--out", str(out)], capsys)
    allowed = "allowed: a new or empty directory in a folder that can be written"
    assert err == f"govsim-log: error: --out={str(out)!r}: {blocker} is a file; {allowed}"
    spec = tmp_path / "spec.yaml"
    spec.write_text(RATE + TICKETS, encoding="utf-8")
    monkeypatch.setattr(calibrate, "run", lambda *a, **k: pytest.fail("the calibration ran"))
    err = refused(calibrate.main, [str(spec), "--out", str(out)], capsys)
    assert err == f"govsim-calibrate: error: --out={str(out)!r}: {blocker} is a file; {allowed}"


def test_a_parameter_that_is_not_a_number_names_what_it_is(tmp_path, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("parameters: {scenario.worker: {low: 0, high: 1}}\n" + TICKETS, encoding="utf-8")
    err = refused(calibrate.main, [str(spec), "--check", "--out", str(tmp_path / "out")], capsys)
    assert err.startswith(f"govsim-calibrate: error: {spec}: parameters.scenario.worker: "), err
    assert "not a number" in err and "allowed: numeric scenario keys, e.g. scenario.worker." in err


def test_a_run_without_a_ticket_in_its_period_names_the_run(tmp_path, capsys, make_config) -> None:
    from govsim.runner import run_to_dir

    run = tmp_path / "empty"
    cfg = make_config(
        "scenario=one_town", "horizon_days=3", "warmup_days=2", "scenario.incident_rate=0.00001"
    )
    run_to_dir(cfg, run)
    err = _log_refusal(tmp_path, capsys, "compare", str(BOSTON), str(run), "--mapping", "boston311")
    assert err.startswith(f"govsim-log: error: {run}: no ticket reported in the period"), err


def test_a_spec_log_that_the_mapping_mostly_refuses_warns(tmp_path, capsys) -> None:
    mapping = _mostly_refusing(tmp_path)
    spec = tmp_path / "spec.yaml"
    body = (
        RATE
        + "targets: {tickets: {value: log, tolerance: 1}}\n"
        + f"log: {{path: {BOSTON}, mapping: mine.yaml}}\n"
    )
    spec.write_text(body, encoding="utf-8")
    calibrate.main([str(spec), "--check", "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        f"govsim: warning: {BOSTON}: the mapping '{mapping}' refused 70 of 100 rows, 70 for unknown channel; "
        "check the mapping's channels (or unknown_channel: other)"
    )
    assert "target tickets: 30 ± 1" in captured.out


@pytest.mark.parametrize(
    ("extra", "names"),
    [("asof: '2022-05-01'", "log.asof: unknown key (did you mean 'as_of'?)"),
     ("encoding: gbk", "log.encoding: unknown key")],
)  # fmt: skip
def test_a_misspelt_spec_log_key_is_refused_with_a_close_match(tmp_path, capsys, extra, names) -> None:
    """A misspelt key under log: was ignored (the log then read to its last day, silently)."""
    body = RATE + TICKETS + f"log: {{path: {BOSTON}, mapping: boston311, {extra}}}\n"
    err = _spec_refusal(tmp_path, capsys, body)
    assert names in err and err.endswith("allowed: path, mapping, as_of"), err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, where no folder can be made")
def test_an_output_folder_that_cannot_be_made_is_refused_before_anything_is_printed(
    tmp_path, capsys, monkeypatch
) -> None:
    """--out /proc/x printed the KPI table, then a FileNotFoundError traceback (exit 1)."""
    out = "/proc/govsim-out"
    allowed = "allowed: a new or empty directory in a folder that can be written"
    with pytest.raises(SystemExit) as exc:
        logtool.main(["summary", str(BOSTON), "--mapping", "boston311", "--out", out])
    got = capsys.readouterr()
    assert exc.value.code == 2 and got.out == "", got.out
    assert got.err.strip().startswith(f"govsim-log: error: --out='{out}': no folder can be made in /proc ")
    assert got.err.strip().endswith(allowed) and "\n" not in got.err.strip()
    spec = tmp_path / "spec.yaml"
    spec.write_text(RATE + TICKETS, encoding="utf-8")
    monkeypatch.setattr(calibrate, "run", lambda *a, **k: pytest.fail("the calibration ran"))
    err = refused(calibrate.main, [str(spec), "--out", out], capsys)
    assert err.startswith(f"govsim-calibrate: error: --out='{out}': no folder can be made in /proc ")
    assert err.endswith(allowed)


def test_a_value_log_target_without_a_log_says_the_spec_has_no_log(tmp_path, capsys) -> None:
    """It said 'the spec's log has no value for on_time_rate', as if a log had been read."""
    err = _spec_refusal(tmp_path, capsys, RATE + "targets: {on_time_rate: {value: log, tolerance: 0.05}}\n")
    assert "targets.on_time_rate: value: log, but the spec has no log: section" in err, err
    assert err.endswith("allowed: log: {path: FILE, mapping: M} beside the targets, or a number as value")


def test_the_example_for_a_group_parameter_is_a_key_that_can_be_fitted(tmp_path, capsys) -> None:
    """It suggested scenario.categories.*.share, which no fit can move alone (the shares sum to 1)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text("parameters: {scenario.categories: {low: 0.1, high: 1}}\n" + TICKETS, encoding="utf-8")
    err = refused(calibrate.main, [str(spec), "--check", "--out", str(tmp_path / "out")], capsys)
    assert err.endswith("allowed: numeric scenario keys, e.g. scenario.categories.*.handling_days"), err


@pytest.mark.parametrize(
    ("body", "start"),
    [("parameters: {scenario.incident_rate: {low: 0, high: 1}}\n" + TICKETS,
      "parameters.scenario.incident_rate.low=0: allowed: a number > 0"),
     ("scenario: nosuch\n" + RATE + TICKETS, "scenario='nosuch': unknown scenario; allowed: ")],
)  # fmt: skip
def test_a_range_end_or_scenario_the_schema_refuses_names_the_spec_and_the_parameter(
    tmp_path, capsys, body, start
) -> None:
    """They were refused as scenario.incident_rate=0.0 / scenario='nosuch', without the spec file."""
    err = _spec_refusal(tmp_path, capsys, body)
    assert err.startswith(f"govsim-calibrate: error: {tmp_path / 'spec.yaml'}: {start}"), err


@pytest.mark.parametrize(
    "bad",
    ["targets: {tickets: {value: log, tolerance: 1}, nosuch_kpi: {value: 1, tolerance: 1}}\n" + RATE,
     "targets: {tickets: {value: log, tolerance: 1}}\n"
     "parameters: {scenario.incident_rate: {low: 0, high: 1}}\n"],
)  # fmt: skip
def test_a_spec_refusal_comes_before_the_log_summary_is_printed(tmp_path, capsys, bad) -> None:
    """The log's account of its rows was printed on stdout, then the spec was refused on stderr."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(bad + f"log: {{path: {BOSTON}, mapping: boston311}}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        calibrate.main([str(spec), "--check", "--out", str(tmp_path / "out")])
    got = capsys.readouterr()
    assert exc.value.code == 2 and got.err.startswith(f"govsim-calibrate: error: {spec}: ")
    assert got.out == "", got.out


def test_a_checked_spec_prints_its_log_summary_before_the_plan(tmp_path, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    body = RATE + "targets: {tickets: {value: log, tolerance: 1}}\n"
    spec.write_text(body + f"log: {{path: {BOSTON}, mapping: boston311}}\n", encoding="utf-8")
    calibrate.main([str(spec), "--check", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert str(BOSTON) in out and "target tickets: " in out
    assert out.index(str(BOSTON)) < out.index("target tickets: ")


def test_a_folder_given_as_the_log_is_called_a_directory(tmp_path, capsys) -> None:
    """It was refused as 'no such file', though the folder exists."""
    err = _log_refusal(tmp_path, capsys, "summary", str(BOSTON.parent), "--mapping", "boston311")
    assert err == (
        f"govsim-log: error: {BOSTON.parent}: a directory, not a log file; allowed: a CSV or XLSX export "
        "(a file)"
    )


@pytest.mark.parametrize(
    ("config", "names"),
    [("just words\n", "a YAML str, not a mapping of keys"), ("scenario: 5\n", "scenario=5: not a mapping"),
     ("a: [1\n", "not a readable YAML file")],
)  # fmt: skip
def test_a_run_with_a_garbage_config_names_the_file_without_python_internals(
    tmp_path, capsys, make_config, config, names
) -> None:
    """It was 'not a readable run directory (AttributeError: 'str' object has no attribute 'get')'."""
    from govsim.runner import run_to_dir

    run = tmp_path / "run"
    run_to_dir(make_config("scenario=one_town", "horizon_days=3", "warmup_days=0"), run)
    (run / "config.yaml").write_text(config, encoding="utf-8")
    err = _log_refusal(tmp_path, capsys, "compare", str(BOSTON), str(run), "--mapping", "boston311")
    assert err.startswith(f"govsim-log: error: {run / 'config.yaml'}: "), err
    assert names in err and "Error" not in err and "attribute" not in err
    assert err.endswith("allowed: the config.yaml govsim wrote in the run directory"), err


def test_an_extract_time_long_after_the_log_warns_and_still_writes(tmp_path, capsys) -> None:
    """A year typo (2023 for 2022) was taken silently, and every open case's time ran to it."""
    raw = pd.read_csv(BOSTON, dtype=str)
    times = pd.to_datetime(pd.concat([raw["open_dt"], raw["closed_dt"]]), errors="coerce")
    last = times.max()
    late = (last + pd.Timedelta(days=31)).strftime("%Y-%m-%d %H:%M:%S")
    out = tmp_path / "s"
    logtool.main(["summary", str(BOSTON), "--mapping", "boston311", "--as-of", late, "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"govsim: warning: --as-of={late!r}: 31 days after the log's last event "), err
    assert "\n" not in err and (out / "observed_kpis.csv").is_file()
    near = (last + pd.Timedelta(days=29)).strftime("%Y-%m-%d %H:%M:%S")
    logtool.main(
        ["summary", str(BOSTON), "--mapping", "boston311", "--as-of", near, "--out", str(tmp_path / "n")]
    )
    assert "warning" not in capsys.readouterr().err


def test_a_misspelt_top_level_spec_key_gets_a_close_match(tmp_path, capsys) -> None:
    """``trails: 2`` named only the allowed keys, where a misspelt ``log:`` key got the one meant."""
    err = _spec_refusal(tmp_path, capsys, RATE + TICKETS + "trails: 2\n")
    assert "trails: unknown key (did you mean 'trials'?); allowed: " in err, err
