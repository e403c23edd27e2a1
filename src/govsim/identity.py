"""Identity of runs and sweep jobs: config digests, input checksums, safe names, the sweep lock.

A run or job directory must be a function of what the run *is*, so that two different runs never share
a directory and a re-run of the same job finds its own result. What a run is: its whole resolved
configuration (without Hydra's own ``hydra`` node) and the *content* of the files it reads (the
territory CSV), not their paths. ``config_digest`` hashes both.

Hydra names directories from templates in ``configs/config.yaml`` and the experiment configs; the
resolvers registered here put the digest in those names:

- ``${govsim_hash:}`` the first 8 hex digits of the digest of the config being resolved (``_root_``);
- ``${govsim_dirname:${hydra.job.override_dirname}}`` that text made a single safe path component.

Names that go into paths (``scenario.name``, ``policy.name``, ``experiment.name``) are checked by
``check_name`` (``govsim.validate``), so no config can write outside its output root.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from pathlib import Path
from typing import IO, Any

from omegaconf import Container, DictConfig, Node, OmegaConf

UNSAFE = re.compile(r"[^\w.=,+@-]")  # \w includes CJK: Chinese names stay readable in paths


def input_files(plain: dict[str, Any]) -> list[Path]:
    """The data files a resolved config (a plain dict, as ``OmegaConf.to_container``) reads."""
    from govsim.scenario import ScenarioError, territory_path

    scenario = plain.get("scenario") or {}
    files: list[Path] = []
    territory = scenario.get("territory")
    if isinstance(territory, str):
        try:
            files.append(territory_path(territory))
        except ScenarioError:
            pass  # validation refuses it with a proper message; nothing to checksum here
    calendar = scenario.get("calendar_file")  # the user's official-calendar file (days off, make-up days)
    if isinstance(calendar, str) and calendar and Path(calendar).is_file():
        files.append(Path(calendar))
    return files


def file_checksum(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_checksums(plain: dict[str, Any]) -> dict[str, str]:
    """``{file name: sha256}`` of the input files of a resolved config (by name, not by path)."""
    return {p.name: file_checksum(p) for p in input_files(plain)}


def plain_config(cfg: DictConfig, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The resolved config as plain data, without ``hydra`` and without the top-level keys in ``drop``.

    Each kept top-level entry is converted where it is (``OmegaConf.to_container`` of the section,
    the value of a plain entry), as ``to_container`` of the whole would convert it: the same data as
    converting ``OmegaConf.masked_copy(cfg, keep)``, without first deep-copying every kept node (the
    copy was 27 of the 35 ms each ``govsim_hash`` took, and the command's default run directory
    resolves it twice). Uses OmegaConf's node accessors (``_get_node``, ``_dereference_node``,
    ``_value``), which ``to_container`` uses for the same step.
    """
    data: dict[str, Any] = {}
    for key in cfg:
        if key == "hydra" or key in drop:
            continue
        node = cfg._get_node(key)
        assert isinstance(node, Node)
        node = node._dereference_node()  # an interpolated entry: its target, as resolve=True does
        data[str(key)] = (
            OmegaConf.to_container(node, resolve=True) if isinstance(node, Container) else node._value()
        )
    return data


def digest(data: dict[str, Any], checksums: dict[str, str]) -> str:
    """SHA-256 (hex) of plain config data and the checksums of its input files."""
    text = json.dumps({"config": data, "inputs": checksums}, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def config_digest(cfg: DictConfig) -> str:
    """Digest of a whole resolved config (without ``hydra``) and of the content of its input files."""
    data = plain_config(cfg)
    return digest(data, input_checksums(data))


def flat_config(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Plain config data as ``{dotted key: value}``, JSON-ready, for a manifest to keep and compare.

    Nested sections are unfolded, lists and empty sections kept whole (``{"scenario": {"grid_size":
    1500}}`` → ``{"scenario.grid_size": 1500}``); a value JSON cannot hold (a date) is kept as its text,
    as ``digest`` hashes it.
    """
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flat_config(value, f"{name}."))
        else:
            flat[name] = json.loads(json.dumps(value, default=str, ensure_ascii=False))
    return flat


def config_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """The keys whose values differ between two ``flat_config``: ``(key, old, new)`` sorted by key.

    Compared as ``digest`` sees them (JSON text: ``1`` and ``1.0`` differ); each value shown as an
    override would give it (a string as it is, anything else as JSON), ``None`` where the key is absent.
    """
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, _ABSENT), new.get(key, _ABSENT)
        if _json(a) != _json(b):
            changes.append((key, _shown(a), _shown(b)))
    return changes


_ABSENT = object()


def _json(value: Any) -> str | None:
    return None if value is _ABSENT else json.dumps(value, sort_keys=True, default=str)


def _shown(value: Any) -> str | None:
    if value is _ABSENT:
        return None
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def safe_component(text: str, limit: int = 120) -> str:
    """``text`` as one path component: separators and other unsafe characters become ``_``.

    Never empty, never ``.``/``..``, never starting with a dot; long names are cut and keep a digest of
    the whole so that two long names stay distinct.
    """
    name = UNSAFE.sub("_", str(text)).lstrip(".") or "_"
    if len(name) > limit:
        name = name[: limit - 9] + "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return name


def _hash_resolver(*, _root_: DictConfig) -> str:
    return config_digest(_root_)[:8]


def _dirname_resolver(text: Any) -> str:
    return safe_component(str(text)) if str(text) else "default"


def register_resolvers() -> None:
    """Register ``govsim_hash`` and ``govsim_dirname`` with OmegaConf (idempotent)."""
    if not OmegaConf.has_resolver("govsim_hash"):
        OmegaConf.register_new_resolver("govsim_hash", _hash_resolver)
    if not OmegaConf.has_resolver("govsim_dirname"):
        OmegaConf.register_new_resolver("govsim_dirname", _dirname_resolver)


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or below it, after resolving ``..`` and symbolic links."""
    p, r = Path(path).resolve(), Path(root).resolve()
    return p == r or r in p.parents


def occupied(path: Path, ignore: tuple[str, ...] = ()) -> bool:
    """Whether ``path`` exists and holds anything (a file, or a directory with entries not in ``ignore``)."""
    p = Path(path)
    if not p.exists():
        return False
    if not p.is_dir():
        return True
    return any(child.name not in ignore for child in p.iterdir())


def taken(key: str, path: Path | str, reason: str = "", allowed: str = "a new or empty directory") -> str:
    """The one-line refusal of an output folder that ``occupied`` found taken: key, path, what, allowed.

    ``KEY='PATH': the directory exists and is not empty[ REASON]; allowed: ALLOWED`` (``a file`` for a
    file): the one wording of every command that never writes into another result's folder.
    """
    what = "a file" if Path(path).is_file() else "the directory exists and is not empty"
    return f"{key}={str(path)!r}: {what}{' ' + reason if reason else ''}; allowed: {allowed}"


class SweepLocked(RuntimeError):
    """Another process is writing this sweep directory."""


class SweepLock:
    """An exclusive lock on a sweep directory (``<sweep>/.lock``) while a sweep writes it.

    Written on ``fcntl.flock`` rather than the ``filelock`` package: govsim does not otherwise depend
    on it, and ``flock`` is released by the kernel when the holding process dies (a crashed or killed
    sweep never leaves a stale lock behind). POSIX only, like the launchers govsim ships configs for.
    The lock file keeps the holder's pid and host for the refusal message.
    """

    def __init__(self, sweep: Path) -> None:
        self.path = Path(sweep) / ".lock"
        self._file: IO[str] | None = None

    def acquire(self) -> SweepLock:
        """Take the lock or raise ``SweepLocked`` at once (never waits)."""
        import fcntl
        import platform

        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            f.seek(0)
            holder = f.read().strip() or "another process"
            f.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise SweepLocked(
                    f"{self.path.parent}: a sweep ({holder}) is writing this directory; wait for it to "
                    "finish or choose another hydra.sweep.dir"
                ) from None
            raise
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()} on {platform.node()}\n")
        f.flush()
        self._file = f
        return self

    def release(self) -> None:
        """Release the lock (the file stays; an unlocked file means nothing)."""
        if self._file is not None:
            import fcntl

            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> SweepLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


# ---- the jobs of a sweep: duplicates merged, collisions refused, before launch ------------------------
class SweepPlanError(ValueError):
    """Two jobs of a sweep would run the same configuration, or write into one directory."""


def _quote(value: str) -> str:
    return value if re.fullmatch(r"[\w.+\-/:@]+", value) else "'" + value.replace("'", "\\'") + "'"


def plan_unique(
    lines: list[str], identity: Any, extra_dir: str | None = None, lang: str = "en"
) -> tuple[dict[str, str], list[str], list[tuple[list[str], str]]]:
    """Merge duplicate values of swept keys and refuse jobs that would still coincide.

    ``lines`` are the sweep's overrides as Hydra's basic sweeper reads them (``hydra.sweeper.params``
    first, then the command line); they are expanded into jobs by ``govsim.compose.sweep_jobs``, the
    one sweep expansion (choice sweeps over config groups, ``policy=glob(*)``, listed from the search
    path of ``extra_dir``). ``identity(job_overrides) -> str`` gives a job's identity (a digest of its
    whole config and input files). A value of a swept key whose jobs have the identity of an earlier
    value's (``policy=baseline,baseline``, ``staffing=1.0,1``) is dropped, so an arm is never counted
    twice from the same runs. Returns ``{key: values}`` for each swept key to rewrite (its remaining
    values, comma-separated), one message per merged value, and ``(overrides, identity)`` of every
    job in the sweeper's order. Raises ``SweepPlanError`` if two jobs still share an identity (values
    of different keys that cancel out).
    """
    from govsim.compose import sweep_jobs  # compose imports this module (register_resolvers)
    from govsim.labels import warning_text

    expanded = sweep_jobs(lines, extra_dir)
    choices = {k: list(vs) for k, vs in expanded.values.items()}
    first = expanded.jobs[0]  # every key at its first value; the i-th line sets the i-th key of choices
    heads = list(choices)  # the keys as the lines spell them (+key, ~key)

    def job(position: int, value: str) -> list[str]:
        return [*first[:position], f"{heads[position]}={value}", *first[position + 1 :]]

    merged: list[str] = []  # one message per merged value, in ``lang``
    for position, (key, values) in enumerate(expanded.values.items()):
        if len(values) < 2:
            continue
        seen: dict[str, str] = {}
        for v in values:
            ident = identity(job(position, v))
            if ident in seen:
                merged.append(warning_text("merged", lang, name=key, value=v, first=seen[ident]))
            else:
                seen[ident] = v
        choices[key] = list(seen.values())
    rewrites = {k: ",".join(_quote(v) for v in vs) for k, vs in choices.items() if vs != expanded.values[k]}
    # the sweeper's jobs on the kept values: a value dropped as an earlier one's duplicate leaves its jobs
    # out, a repeated value (baseline,baseline) its repeated jobs
    kept = [{f"{head}={v}" for v in vs} for head, vs in zip(heads, choices.values(), strict=True)]
    jobs = [
        list(o)
        for o in dict.fromkeys(map(tuple, expanded.jobs))
        if all(line in lines_kept for line, lines_kept in zip(o, kept, strict=True))
    ]
    planned: list[tuple[list[str], str]] = []
    by_identity: dict[str, list[str]] = {}
    for overrides in jobs:
        ident = identity(overrides)
        if ident in by_identity:
            raise SweepPlanError(
                f"jobs {' '.join(by_identity[ident])} and {' '.join(overrides)} run the same configuration; "
                "allowed: swept values that make different runs"
            )
        by_identity[ident] = overrides
        planned.append((overrides, ident))
    return rewrites, merged, planned


def rewrite_lines(lines: list[str], rewrites: dict[str, str]) -> list[str]:
    """``lines`` with each rewritten key's first override replaced by ``key=values``, later ones dropped."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    out, done = [], set()
    for line, o in zip(lines, OverridesParser.create().parse_overrides(list(lines)), strict=True):
        key = o.get_key_element()
        if key not in rewrites:
            out.append(line)
        elif key not in done:
            out.append(f"{key}={rewrites[key]}")
            done.add(key)
    return out
