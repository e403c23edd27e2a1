"""What ``govsim`` prints at the end of a run is ``summary.txt`` (KPIs and the cost lines), in the run's
language, between a header line (scenario, policy, seed, replication, wall time) and the run directory."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("lang", "header_words", "foreign"),
    [
        ("zh", ("现状", "随机种子 0", "重复 0", "秒"), (" seed ", " rep ")),
        ("en", ("status quo", "seed 0 rep 0"), ("随机",)),  # the policy named as labels.POLICY names it
    ],
)
def test_the_printed_summary_is_summary_txt_in_the_runs_language(
    console, quick, tmp_path: Path, lang: str, header_words: tuple[str, ...], foreign: tuple[str, ...]
) -> None:
    done = console("govsim", tmp_path, *quick, f"output.lang={lang}", "hydra.run.dir=run")
    assert done.returncode == 0, done.stderr
    summary = (tmp_path / "run" / "summary.txt").read_text(encoding="utf-8").rstrip("\n")
    assert "合计" in summary if lang == "zh" else "total" in summary  # the cost lines are in the file
    lines = done.stdout.strip("\n").split("\n")
    header, body, where = lines[0], "\n".join(lines[2:-2]), lines[-1]
    assert body == summary  # the very text of the file, cost lines included
    assert lines[1] == lines[-2] == ""
    for word in header_words:
        assert word in header, header
    for word in foreign:
        assert word not in header, header
    assert where.endswith(str(tmp_path / "run")) or where.endswith("run"), where
