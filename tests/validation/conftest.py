"""Validation tests: the slow, high-precision ones run only on request.

The default CI run (``pytest -n 2 -q``) keeps the fast validation cases; tests marked ``slow`` here (the
high-precision runs behind ``docs/validation.md``) are skipped unless the marker expression asks for
them (``pytest -m slow tests/validation``) or ``GOVSIM_SLOW=1`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("GOVSIM_SLOW") == "1" or "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow validation: `pytest -m slow tests/validation` or GOVSIM_SLOW=1")
    for item in items:
        if "slow" in item.keywords and HERE in item.path.parents:
            item.add_marker(skip)
