"""Shared fixtures: small configured runs, cached per session so tests stay fast."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hydra import compose, initialize_config_dir

from govsim.cli import config_dir, to_config
from govsim.config import GovsimConfig, register_configs


@pytest.fixture(scope="session")
def make_config() -> Callable[..., GovsimConfig]:
    """Compose a checked config from Hydra overrides, as the CLI would."""
    register_configs()

    def make(*overrides: str) -> GovsimConfig:
        with initialize_config_dir(config_dir(), version_base=None):
            base = ["output.progress=false", "output.figures=false"]
            return to_config(compose("config", [*base, *overrides]))

    return make
