"""The teaching notebooks run headless from their jupytext sources, and their figures render Chinese.

Each notebook is converted with jupytext and executed by nbclient in a fresh kernel, with a first cell
that turns Matplotlib's "Glyph ... missing from font(s)" warning into an error, so a figure with a
missing Chinese glyph fails the cell. The PNGs the notebook displays are collected and checked.
"""

from __future__ import annotations

import base64
import re
import warnings
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ipywidgets")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
GLYPH_GUARD = 'import warnings\nwarnings.filterwarnings("error", message=r"Glyph .* missing from font")'


def test_the_four_notebooks_are_there():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_"]


def test_glyph_guard_catches_a_missing_glyph():
    """The guard the notebooks run under does fail on a font without Chinese glyphs."""
    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("闭环")
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=r"Glyph .* missing from font")
            with pytest.raises(UserWarning, match="missing from font"):
                fig.savefig(Path("/dev/null"), format="png")
        plt.close(fig)


def execute(path: Path, workdir: Path) -> nbformat.NotebookNode:
    """Run the notebook ``path`` headless in ``workdir``; raise on the first failing cell."""
    nb = jupytext.read(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GLYPH_GUARD))
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_headless_with_chinese_figures(path: Path, tmp_path: Path):
    nb = execute(path, tmp_path)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "missing from font" not in stderr
    html = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    for table in html:  # tables a class reads: no NaN cell, no count shown as 3693.000
        assert "NaN" not in table and not re.search(r">\s*-?[\d,]+\.000\s*<", table), table[:300]
    shown = "".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "Shift+Enter" in shown  # run headless like JupyterLab: the Lab instructions, not Voilà's
    pngs = [base64.b64decode(o.data["image/png"]) for o in outputs if "image/png" in o.get("data", {})]
    assert pngs, f"{path.name} displayed no figure"
    for k, png in enumerate(pngs):
        assert png.startswith(b"\x89PNG")
        (tmp_path / f"{path.stem}_{k}.png").write_bytes(png)
