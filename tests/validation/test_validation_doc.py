"""docs/validation.md carries the table of every validation case, and it matches a fresh run of its script."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from queue_cases import CASES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "validation.md"
SCRIPT = ROOT / "scripts" / "validation_table.py"


def _script():
    spec = importlib.util.spec_from_file_location("validation_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doc_has_a_passing_table_for_every_case():
    doc = DOC.read_text(encoding="utf-8")
    script = _script()
    block = doc.split(script.START, 1)[1].split(script.END, 1)[0]
    shown = re.findall(r"`scenario=([\w]+)`", block)
    assert shown == [c.scenario for c in CASES.values()], "regenerate: python scripts/validation_table.py"
    rows = [line for line in block.splitlines() if line.startswith("| ") and not line.startswith("| metric")]
    assert rows and all(line.rstrip().endswith("| yes |") for line in rows), "a comparison in the doc fails"


@pytest.mark.slow
def test_doc_table_matches_a_fresh_run_of_its_script():
    assert _script().main(["--check"]) == 0
