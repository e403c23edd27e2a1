"""docs/levers.md and the policy schema name the same parameters."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from govsim.config import PolicyConfig

DOC = Path(__file__).resolve().parents[2] / "docs" / "levers.md"


def schema_parameters() -> set[str]:
    out = set()
    for group in dataclasses.fields(PolicyConfig):
        if group.name == "name":
            continue
        for f in dataclasses.fields(group.default_factory()):  # type: ignore[misc]
            out.add(f"policy.{group.name}.{f.name}")
    return out


def test_every_documented_parameter_exists_and_every_parameter_is_documented():
    documented = set(re.findall(r"`(policy\.[a-z_]+\.[a-z_]+)`", DOC.read_text(encoding="utf-8")))
    schema = schema_parameters()
    assert documented - schema == set(), "documented but not in the schema"
    assert schema - documented == set(), "in the schema but not documented"


def test_documented_responses_costs_and_scenario_keys_exist():
    from govsim.config import CostConfig, ResponseConfig, ScenarioConfig

    text = DOC.read_text(encoding="utf-8")
    for prefix, cls in (("response", ResponseConfig), ("cost", CostConfig), ("scenario", ScenarioConfig)):
        names = {f.name for f in dataclasses.fields(cls)}
        for key in re.findall(rf"`{prefix}\.([a-z_]+)`", text):
            assert key in names, f"{prefix}.{key} is documented but not in {cls.__name__}"
