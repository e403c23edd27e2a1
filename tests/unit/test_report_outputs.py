"""The report's output directory: a sweep of the reference arm alone is reported (its KPIs, no
comparison), an explicit ``--out`` must be new or empty, the default ``SWEEP/report`` is rebuilt whole."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from refusal import stopped  # tests/unit on the path, as pytest puts it
from test_report import SMALL, build_sweep, experiment_configs  # tests/unit on the path, as pytest puts it

from govsim import report


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict[str, Path]:
    """A reference-only sweep (baseline × 2 replications) and a baseline-vs-grid one (1 replication)."""
    root = tmp_path_factory.mktemp("outsweeps")
    only = [o for o in SMALL if not o.startswith("hydra.sweeper.params.policy")]
    with experiment_configs():
        build_sweep(root / "ref", *only, "policy=baseline", "experiment.replications=2")  # policy swept
        build_sweep(root / "all", *only, "hydra.sweeper.params.policy=baseline", "experiment.replications=2")
        build_sweep(root / "two", *SMALL, "experiment.replications=1")
    return {"ref": root / "ref", "all": root / "all", "two": root / "two"}


def _copy(sweep: Path, tmp_path: Path) -> Path:
    dest = tmp_path / sweep.name
    shutil.copytree(sweep, dest)
    return dest


@pytest.mark.parametrize(("name", "lang"), [("ref", "en"), ("ref", "zh"), ("all", "en")])
def test_reference_arm_alone_reports_its_kpis_without_a_comparison(sweeps, tmp_path, capsys, name, lang):
    """The reference swept alone (``policy=baseline`` on the command line) or not swept at all."""
    sweep = _copy(sweeps[name], tmp_path)
    report.main([str(sweep), "--lang", lang])
    out = sweep / "report"
    md = report.named("report.md", lang)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["arms.csv", md, report.named("backlog_bands.png", lang), "report.json"]
    )
    arms = pd.read_csv(out / "arms.csv")
    assert set(arms["arm"]) == {"policy=baseline" if name == "ref" else "all"} and (arms["n"] == 2).all()
    text = (out / md).read_text(encoding="utf-8")
    assert "forest" not in text and "comparison" not in text.lower()
    assert "backlog_bands" in text and "|" in text  # the arm's KPI table
    assert ("has one arm" if lang == "en" else "只有一个组") in text  # and why there is no comparison
    assert "Traceback" not in capsys.readouterr().err


def test_explicit_out_that_is_not_empty_is_refused(sweeps, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        report.main([str(sweeps["two"]), "--out", str(out), "--lang", "en"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == (
        f"govsim-report: error: --out={str(out)!r}: the directory exists and is not empty; allowed: a new "
        "or empty directory"
    )
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_explicit_out_holding_another_report_is_refused(sweeps, tmp_path, capsys):
    out = tmp_path / "rep"
    report.main([str(sweeps["two"]), "--out", str(out), "--lang", "en"])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(SystemExit) as exit_info:
        report.main([str(sweeps["ref"]), "--out", str(out), "--lang", "en"])
    assert exit_info.value.code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_explicit_out_holding_this_sweeps_report_is_rebuilt_with_both_languages(sweeps, tmp_path, capsys):
    """``--out R --lang en`` then ``--out R --lang zh`` (the experiments' README reproduces its results
    folder so): the second was refused as an occupied folder, so no --out could hold both languages."""
    out = tmp_path / "results"
    report.main([str(sweeps["two"]), "--out", str(out), "--lang", "en"])
    report.main([str(sweeps["two"]), "--out", str(out), "--lang", "zh"])
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "report.en.md", "forest.png", "forest.en.png", "report.json"} <= names
    alone = tmp_path / "zh_alone"
    report.main([str(sweeps["two"]), "--out", str(alone), "--lang", "zh"])
    assert (out / "report.md").read_bytes() == (alone / "report.md").read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:  # another sweep's report there is still refused
        report.main([str(sweeps["ref"]), "--out", str(out), "--lang", "zh"])
    assert exit_info.value.code == 2
    assert "(it holds the report of another sweep)" in capsys.readouterr().err


def test_default_report_is_rebuilt_whole_and_keeps_both_languages(sweeps, tmp_path):
    sweep = _copy(sweeps["two"], tmp_path)
    report.main([str(sweep), "--lang", "zh"])
    out = sweep / "report"
    (out / "sensitivity_old.png").write_bytes(b"stale")  # an earlier state's file is not kept
    zh = (out / "report.md").read_text(encoding="utf-8")
    report.main([str(sweep), "--lang", "en"])
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "report.en.md", "comparison.md", "comparison.en.md", "arms.csv"} <= names
    assert "sensitivity_old.png" not in names and (out / "forest.en.png").stat().st_size > 10_000
    assert (out / "report.md").read_text(encoding="utf-8") == zh  # rebuilt, the same
    assert not [p for p in sweep.iterdir() if p.name.startswith(".report")]  # no temporary left
    report.main([str(sweep), "--out", str(out), "--lang", "en"])  # naming the default is the default
    assert "report.md" in {p.name for p in out.iterdir()}


def test_default_report_dir_holding_other_files_is_refused(sweeps, tmp_path, capsys):
    sweep = _copy(sweeps["two"], tmp_path)
    (sweep / "report").mkdir()
    (sweep / "report" / "draft.docx").write_bytes(b"mine")
    with pytest.raises(SystemExit) as exit_info:
        report.main([str(sweep), "--lang", "en"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "the directory exists and is not empty" in err
    # no --out was given: the message says the folder is the default and that another --out is allowed
    assert "is not empty (the default;" in err and err.rstrip().endswith("or another --out")
    assert [p.name for p in (sweep / "report").iterdir()] == ["draft.docx"]


def _as_sensitivity(sweep: Path) -> None:
    """The sweep's manifest turned into a Morris design's (its jobs as they are): enough for the report
    to need SALib."""
    path = sweep / "experiment.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["experiment"]["sensitivity"].update(
        method="morris", size=2, levels=4, factors=[{"key": "policy.grid.staffing", "low": 1.0, "high": 1.8}]
    )
    path.write_text(json.dumps(manifest), encoding="utf-8")


def _files(sweep: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and time of writing: a file rewritten with the same bytes still counts."""
    return {
        str(p.relative_to(sweep)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(sweep.rglob("*"))
        if p.is_file()
    }


def test_sensitivity_report_without_salib_names_the_extra_and_writes_nothing(
    sweeps, tmp_path, capsys, monkeypatch
):
    sweep = _copy(sweeps["two"], tmp_path)
    report.main([str(sweep), "--lang", "en"])  # an existing report, left as it is
    _as_sensitivity(sweep)
    before = _files(sweep)
    for name in ("SALib", "SALib.sample", "SALib.analyze"):  # as if the sensitivity extra were not installed
        monkeypatch.setitem(sys.modules, name, None)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        report.main([str(sweep), "--lang", "en"])
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "govsim-report: error: experiment.sensitivity.method='morris'"
    )
    assert 'pip install -e ".[sensitivity]"' in lines[0]
    assert _files(sweep) == before


def test_default_report_dir_holding_other_files_is_refused_before_aggregating(sweeps, tmp_path, capsys):
    sweep = _copy(sweeps["two"], tmp_path)
    (sweep / "report").mkdir()
    (sweep / "report" / "draft.docx").write_bytes(b"mine")
    before = _files(sweep)
    with pytest.raises(SystemExit) as exit_info:
        report.main([str(sweep), "--lang", "en"])
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "the directory exists and is not empty" in lines[0]
    assert _files(sweep) == before


REPORT_PROBE = """
import os, signal, sys
from govsim import report
how = sys.argv.pop(1)
write = report._write
def _write(agg, out, lang, partial, quiet):
    write(agg, out, lang, partial, quiet)
    if how == "int":
        raise KeyboardInterrupt  # Ctrl-C with the report half-built
    os.kill(os.getpid(), signal.SIGTERM)  # a time limit reached with the report half-built
report._write = _write
report.main(sys.argv[1:])
"""


@pytest.mark.parametrize(
    ("how", "signum", "said"), [("term", 15, "terminated by SIGTERM"), ("int", 2, "interrupted")]
)
def test_a_report_stopped_mid_rebuild_leaves_the_old_report_and_no_temporary(
    sweeps, tmp_path, how, signum, said
):
    """SIGTERM (``timeout``, a scheduler) while the report is built in its temporary sibling: Python's
    default ended the process at once and left ``SWEEP/.report.PID-XXXX.tmp`` beside the sweep's results;
    Ctrl-C printed a traceback. The old report stays as it was, the temporary goes, one line is printed and
    the process ends by the signal."""

    sweep = _copy(sweeps["two"], tmp_path)
    report.main([str(sweep), "--lang", "zh"])
    before = {p.name: p.read_bytes() for p in (sweep / "report").iterdir()}
    stopped(REPORT_PROBE, [how, str(sweep), "--lang", "en"], signum, f"govsim-report: {said}")
    assert not [p.name for p in sweep.iterdir() if p.name.startswith(".")]
    assert {p.name: p.read_bytes() for p in (sweep / "report").iterdir()} == before
