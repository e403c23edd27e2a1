"""Words shown to a reader live in ``govsim.labels``: plots, report, teaching and metrics keep no copy."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "govsim"
USERS = ("plots.py", "report.py", "metrics.py", "teaching.py", "teaching_widgets.py")
USERS += ("teaching_experiment.py", "teaching_views.py", "figstyle.py", "hotspotmap.py")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _docstrings(tree: ast.Module) -> set[int]:
    """Strings standing alone as statements: docstrings of modules, classes, functions and attributes."""
    return {
        id(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
    }


def test_no_chinese_text_outside_the_labels_module() -> None:
    """Docstrings and comments may name a Chinese term; strings the code shows may not."""
    found = []
    for name in USERS:
        tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                if CJK.search(node.value):
                    found.append(f"{name}:{node.lineno}")
    assert found == []
