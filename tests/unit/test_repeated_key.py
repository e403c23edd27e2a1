"""A key given twice on the command line: Hydra applies the last value, so a refusal names that one."""

from __future__ import annotations

import pytest

from govsim.compose import InputError, compose

BASE = ["scenario=one_town"]


@pytest.mark.parametrize(
    ("overrides", "named", "not_named"),
    [
        (["horizon_days=30", "horizon_days=abc"], "horizon_days=abc: wrong type", "horizon_days=30"),
        (["policy.grid.staffing=1", "policy.grid.staffing=x"], "policy.grid.staffing=x: wrong", "=1:"),
    ],
)
def test_a_key_given_twice_is_refused_with_the_value_hydra_applied(
    overrides: list[str], named: str, not_named: str
) -> None:
    with pytest.raises(InputError) as info:
        compose([*BASE, *overrides])
    message = str(info.value)
    assert named in message and not_named not in message, message
