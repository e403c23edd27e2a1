"""Command-line entry points (Hydra apps). Model logic lives in the library, never here.

``govsim`` runs one scenario under one policy: ``govsim scenario=one_town policy=grid seed=3``;
``govsim -m ...`` sweeps through a Hydra launcher. Configs are searched in the package's ``configs``
(installed) or the checkout's top-level ``configs/``; add your own with
``hydra.searchpath=[file:///path/to/configs]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from govsim.config import GovsimConfig, register_configs
from govsim.validate import ConfigError, check


def config_dir() -> str:
    """Where the shipped YAML configs are: inside the installed package, else the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "configs", here.parents[1] / "configs"):
        if (candidate / "config.yaml").is_file():
            return str(candidate)
    raise FileNotFoundError("govsim configs not found beside the package or in the checkout")


def to_config(cfg: DictConfig) -> GovsimConfig:
    """The typed, checked configuration object from Hydra's composed config."""
    obj = OmegaConf.to_object(cfg)
    assert isinstance(obj, GovsimConfig)
    check(obj)
    return obj


@hydra.main(version_base=None, config_path=config_dir(), config_name="config")
def _run(cfg: DictConfig) -> None:
    from govsim.runner import run_to_dir

    try:
        obj = to_config(cfg)
    except ConfigError as exc:
        print(f"govsim: error: {exc}", file=sys.stderr)
        sys.exit(2)
    out = Path(HydraConfig.get().runtime.output_dir)
    result = run_to_dir(obj, out, OmegaConf.to_yaml(cfg))
    from govsim.metrics import summary_text

    print(f"\n{obj.scenario.name} · {obj.policy.name} · seed {obj.seed} rep {obj.replication} · "
          f"{result.wall_seconds:.1f} s\n")
    print(summary_text(result.kpis[result.kpis["by"] == "all"], obj.output.lang))
    print(f"\nrun directory: {out}")


def main() -> None:
    """``govsim`` console script."""
    register_configs()
    _run()
