"""In a lesson's kernel, a refused value reads as one line, as the ``govsim`` command prints it."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


def test_a_bad_value_in_a_lesson_cell_shows_one_line(tmp_path: Path):
    cells = [
        "from govsim import teaching",
        "teaching.run_town(policy='grids')",
        "teaching.run_town(routing_accuracy='高')",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    for cell, start in zip(nb.cells[1:], ("policy='grids'", "routing_accuracy='高'"), strict=True):
        text = [
            line
            for o in cell.outputs
            for line in (o.get("text", "") + "\n".join(o.get("traceback", []))).splitlines()
            if line.strip()
        ]
        assert len(text) == 1 and text[0].startswith(f"govsim: error: {start}"), text
        assert "allowed" in text[0]
