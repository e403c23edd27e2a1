"""The README's log commands on the Boston 311 sample run as written (section "Your own city")."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from conftest import command

ROOT = Path(__file__).resolve().parents[2]


def readme_block(after: str) -> list[str]:
    """The command lines of the first ```bash block after the line containing ``after``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(after, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_boston_commands_of_the_readme_run_as_written(tmp_path: Path) -> None:
    lines = readme_block("Try it on the real Boston 311 sample")
    assert [shlex.split(line)[0] for line in lines] == ["govsim-log", "govsim", "govsim-log"]
    (tmp_path / "tests").symlink_to(ROOT / "tests")  # the README runs from the repository root
    for line in lines:
        name, *args = shlex.split(line)
        if name == "govsim":
            args = [*args, "output.progress=false"]
        done = subprocess.run([*command(name), *args], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, (line, done.stderr[-2000:])
    summary = (tmp_path / "boston" / "observed_kpis.csv").read_text(encoding="utf-8-sig")
    assert "on_time_rate" in summary or "按期办结率" in summary
    assert (tmp_path / "boston_vs_sim" / "compare.csv").is_file()
    assert (tmp_path / "boston_vs_sim" / "resolution_time.png").stat().st_size > 1000


def test_the_readme_load_records_example_shows_what_a_run_gives(tmp_path: Path) -> None:
    """The first row printed under "Load a run in Python" is the default one_town run's (seed 0), to the
    second: it had drifted (a close time of 01-04 15:46 when runs gave 01-05 10:19) as the model changed."""
    from govsim.compose import compose
    from govsim.runner import load_records, run_to_dir

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("Load a run in Python:", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    columns = block.split(".head()")[0].split("rec.incidents[")[1].strip("[]")
    shown = next(line for line in block.splitlines() if line.startswith("# 0 ")).split()[2:]
    run_to_dir(compose(["scenario=one_town", "output.figures=false"]), tmp_path)
    row = load_records(tmp_path).incidents[[c.strip(" '\"") for c in columns.split(",")]].iloc[0]
    assert [str(v) for v in row] == [shown[0], shown[1], " ".join(shown[2:4]), " ".join(shown[4:6])]
