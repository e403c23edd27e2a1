"""The command's start-up does less work for the same result: composition, ``config.yaml``, provenance.

Each shortcut (``govsim.compose``: the composed node read without its ``hydra`` section, the config
store shared by the loader's copies; ``govsim.cli``: ``config.yaml`` from Hydra's saved text;
``govsim.runner``: versions from the metadata's headers, the git commands run together) is checked
against what the longer way gives.
"""

from __future__ import annotations

import copy
import subprocess
from dataclasses import asdict
from importlib import metadata, resources
from pathlib import Path

import pytest
from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf, open_dict, read_write

from govsim import compose, identity, runner

ONE = ["scenario=one_town", "horizon_days=20", "warmup_days=5", "output.figures=false"]


# ---- composing ----------------------------------------------------------------------------------------
def test_compose_run_gives_the_config_of_a_copy_without_hydra_and_keeps_the_node_whole() -> None:
    composed = compose.compose_run([*ONE, "policy=grid", "seed=3"])
    plain = copy.deepcopy(composed.node)  # the way it was done before
    with read_write(plain), open_dict(plain):
        del plain["hydra"]
    assert asdict(compose.to_config(plain)) == asdict(composed.config)
    assert list(composed.node) == ["hydra", *plain]  # the hydra section is back, in its place
    assert composed.node.hydra.job.name == "cli"


def test_the_hydra_section_comes_back_when_the_block_raises() -> None:
    node = compose.compose_run(ONE).node
    keys, text = list(node), OmegaConf.to_yaml(node)
    with pytest.raises(RuntimeError), compose._hydra_node_hidden(node) as seen:
        assert list(seen) == [k for k in keys if k != "hydra"] and "hydra" not in seen
        raise RuntimeError
    assert list(node) == keys and OmegaConf.to_yaml(node) == text


def test_a_composition_copies_the_loader_but_shares_the_config_store() -> None:
    loader = compose._make_loader(None)
    twin = copy.deepcopy(loader.repository)  # what every composition does (CachingConfigRepository)
    stores = [s for s in twin.sources if hasattr(s, "store")]
    assert stores and all(s.store is ConfigStore.instance() for s in stores)
    assert not any(a is b for a, b in zip(twin.sources, loader.repository.sources, strict=True))
    assert asdict(compose.compose(ONE)) == asdict(compose.compose(ONE))  # and composes as before


# ---- config.yaml --------------------------------------------------------------------------------------
def test_config_yaml_is_the_config_the_job_ran(tmp_path: Path, console) -> None:
    """Hydra's saved text when the job changed nothing; the job's own config when it made a path absolute."""
    towns = resources.files("govsim") / "data" / "territory" / "one_town.csv"
    (tmp_path / "towns.csv").write_text(towns.read_text(encoding="utf-8"), encoding="utf-8")
    runs = {
        "saved": [],
        "moved": ["scenario.territory=towns.csv"],  # made absolute by the job (cli.absolute_inputs)
        "unsaved": ["hydra.output_subdir=null"],  # no .hydra/ at all
    }
    for name, extra in runs.items():
        done = console("govsim", tmp_path, *ONE, *extra, f"hydra.run.dir={name}")
        assert done.returncode == 0, done.stderr[-2000:]
    saved = (tmp_path / "saved" / "config.yaml").read_text(encoding="utf-8")
    assert saved == (tmp_path / "saved" / ".hydra" / "config.yaml").read_text(encoding="utf-8")
    assert saved == OmegaConf.to_yaml(OmegaConf.create(saved))
    moved = OmegaConf.load(tmp_path / "moved" / "config.yaml")
    assert moved.scenario.territory == str((tmp_path / "towns.csv").resolve())
    assert OmegaConf.load(tmp_path / "moved" / ".hydra" / "config.yaml").scenario.territory == "towns.csv"
    assert not (tmp_path / "unsaved" / ".hydra").exists()
    assert (tmp_path / "unsaved" / "config.yaml").read_text(encoding="utf-8") == saved


# ---- provenance ---------------------------------------------------------------------------------------
def test_package_versions_are_those_importlib_metadata_gives() -> None:
    assert {n: runner.package_version(n) for n in runner.PACKAGES} == {
        n: metadata.version(n) for n in runner.PACKAGES
    }
    assert runner.package_version("no-such-package-govsim") is None
    assert runner.provenance()["versions"] == {n: metadata.version(n) for n in runner.PACKAGES}


def _git(here: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(here), *args], capture_output=True, text=True, check=True).stdout


def test_git_revision_is_the_commit_and_whether_tracked_files_differ() -> None:
    here = Path(runner.__file__).resolve().parent
    if subprocess.run(["git", "-C", str(here), "rev-parse"], capture_output=True, check=False).returncode:
        pytest.skip("govsim is not imported from a git checkout")
    head = _git(here, "rev-parse", "HEAD").strip()
    dirty = bool(_git(here, "status", "--porcelain", "--untracked-files=no").strip())
    assert runner.git_revision() == head + ("-dirty" if dirty else "")
    assert runner.provenance()["git_revision"] == runner.git_revision()


def test_git_revision_outside_a_checkout_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "__file__", str(tmp_path / "runner.py"))
    assert runner.git_revision() is None
    monkeypatch.setenv("PATH", str(tmp_path))  # no git at all
    assert runner.git_revision() is None


# ---- the run directory's digest -----------------------------------------------------------------------
def _masked(cfg, drop: tuple[str, ...] = ()) -> dict:  # the way it was done before
    keep = [str(k) for k in cfg if k != "hydra" and k not in drop]
    return OmegaConf.to_container(OmegaConf.masked_copy(cfg, keep), resolve=True)


@pytest.mark.parametrize("drop", [(), ("output",), ("output", "seed")])
def test_plain_config_is_the_masked_copy_converted(drop: tuple[str, ...]) -> None:
    node = compose.compose_run([*ONE, "policy=all_four", "seed=2"]).node
    assert identity.plain_config(node, drop) == _masked(node, drop)
    assert list(identity.plain_config(node, drop)) == list(_masked(node, drop))


def test_plain_config_resolves_and_keeps_missing_values_as_to_container_does() -> None:
    cfg = OmegaConf.create(
        {
            "hydra": {"job": {"name": "x"}},
            "seed": 3,
            "copy": "${seed}",
            "section": {"a": "${seed}", "b": "???", "c": None},
            "alias": "${section}",
            "todo": "???",
            "nothing": None,
            "items": [1, "${seed}"],
        }
    )
    assert identity.plain_config(cfg) == _masked(cfg)
    assert identity.plain_config(cfg)["alias"] == {"a": 3, "b": "???", "c": None}
    before = _masked(cfg)
    assert identity.config_digest(cfg) == identity.digest(before, identity.input_checksums(before))
