"""Find, verify, download and build data files.

The rule is simple: **local copy (verified) -> online source (verified) -> clear error**.
An online source is a file to download as is, upstream files to convert (pinned
revision), or a table a pinned package builds; whatever it yields is kept only when
its SHA-256 is the pinned one. A file whose SHA-256 is not one the registry accepts is
never used and never overwritten, and nothing is ever written over an existing file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import env
from .registry import REGISTRY, Built, DataFile, GitHubFile, HubFiles, get


class DataError(RuntimeError):
    """A data file is missing, cannot be downloaded, or fails its checksum."""


class ChecksumError(DataError):
    """A file is present but its SHA-256 is not one the registry accepts."""


@dataclass(frozen=True)
class Located:
    """A verified local file and which accepted version it is."""

    key: str
    path: Path
    sha256: str
    label: str


#: The top-level folders of the course data folder (``squad/``, ``stsb/``, ...).
COURSE_FOLDERS: tuple[str, ...] = tuple(sorted({c.path.split("/")[0] for e in REGISTRY.values() for c in e.copies}))

_digest_memo: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path) -> str:
    """SHA-256 of a file (remembered per path, size and mtime within a process)."""
    stat = path.stat()
    memo_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo_key not in _digest_memo:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _digest_memo[memo_key] = digest.hexdigest()
    return _digest_memo[memo_key]


def _entry(key_or_entry: str | DataFile) -> DataFile:
    return key_or_entry if isinstance(key_or_entry, DataFile) else get(key_or_entry)


def _needs_network(entry: DataFile) -> bool:
    return entry.url is not None or isinstance(entry.source, (HubFiles, GitHubFile)) or (
        isinstance(entry.source, Built) and entry.source.needs_network)


def builds_offline(entry: DataFile) -> bool:
    """Whether the course can make this file with no network (a table built from an installed package)."""
    return entry.obtainable and not _needs_network(entry)


def replace_advice(entry: DataFile) -> str:
    """The one thing to do about a local copy with a wrong digest, online or offline."""
    if entry.obtainable and (env.is_online() or not _needs_network(entry)):
        if isinstance(entry.source, Built):
            return (f"Move it aside (it may be corrupt or a different version): the next run builds a verified "
                    f"copy ({entry.source.recipe}).")
        return (f"Move it aside (it may be corrupt or a different version): the next run downloads a verified "
                f"copy from {entry.origin}.")
    return (f"Replace it with {entry.path} from the course data folder (your instructor's copy); "
            "the course does not overwrite it.")


def locate(key: str | DataFile, root: Path | None = None) -> Located | None:
    """The verified local copy of a file, or ``None`` when no copy is present.

    Raises :class:`ChecksumError` when a copy is present but its digest is wrong.
    """
    entry = _entry(key)
    root = root or env.data_dir()
    for copy in entry.copies:
        candidate = root / copy.path
        if not candidate.is_file():
            continue
        found = sha256_of(candidate)
        for accepted in entry.copies:
            if found == accepted.sha256:
                return Located(entry.key, candidate, found, accepted.label)
        expected = ", ".join(f"{c.sha256} ({c.label})" for c in entry.copies)
        raise ChecksumError(
            f"{candidate} is not a copy of {entry.key!r} the course accepts.\n"
            f"  found SHA-256 {found}\n  expected {expected}\n"
            f"The file was left untouched. {replace_advice(entry)}"
        )
    return None


def _where_to_put(entry: DataFile, root: Path) -> str:
    return str(root / entry.path)


def data_dir_problem(root: Path, *, online: bool) -> str | None:
    """What is wrong with a data folder that ``EMBEDLAB_DATA_DIR`` names, with the one thing to do; ``None`` if fine.

    A folder that does not exist, is not a folder, or holds none of the course's data folders
    (e.g. ``shared/`` instead of ``shared/data``) is a mistake. Online, an existing empty folder
    is fine: files download into it.
    """
    shown = ", ".join(f + "/" for f in COURSE_FOLDERS)
    if not root.exists():
        if online:
            return (f"EMBEDLAB_DATA_DIR={root} does not exist. Create it (mkdir -p {root}) to download the "
                    "course data there, or correct the path.")
        return (f"EMBEDLAB_DATA_DIR={root} does not exist. Point it at the course data folder "
                f"(the folder that holds {shown}).")
    if not root.is_dir():
        return f"EMBEDLAB_DATA_DIR={root} is a file, not a folder. Point it at the course data folder."
    if any((root / folder).is_dir() for folder in COURSE_FOLDERS):
        return None
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:  # unreadable folder: nothing to suggest
        children = []
    for child in children:
        if any((child / folder).is_dir() for folder in COURSE_FOLDERS):
            return (f"EMBEDLAB_DATA_DIR={root} holds none of the course's data folders, but {child} does: "
                    f"set EMBEDLAB_DATA_DIR={child}")
    if root.name in COURSE_FOLDERS and any((root.parent / f).is_dir() for f in COURSE_FOLDERS):
        return (f"EMBEDLAB_DATA_DIR={root} is one of the course's data folders, not the folder that holds them: "
                f"set EMBEDLAB_DATA_DIR={root.parent}")
    if online:
        return None
    return (f"EMBEDLAB_DATA_DIR={root} holds none of the course's data folders ({shown}) and this machine is "
            "offline. Point EMBEDLAB_DATA_DIR at the course data folder (your instructor's copy).")


def _configured_problem(root: Path) -> str | None:
    """The data folder problem, when the folder comes from ``EMBEDLAB_DATA_DIR``."""
    if os.environ.get("EMBEDLAB_DATA_DIR") and root == env.data_dir():
        return data_dir_problem(root, online=env.is_online())
    return None


def _write_new(target: Path, blocks: Iterable[bytes], expected: str, what: str) -> Path:
    """Write ``blocks`` to a new file ``target`` if their SHA-256 is ``expected``: temporary file, check, rename.

    An existing ``target`` is never replaced; on a digest mismatch nothing is saved.
    """
    if target.exists():
        raise DataError(f"{target} exists already; refusing to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for block in blocks:
                out.write(block)
                digest.update(block)
        found = digest.hexdigest()
        if found != expected:
            raise ChecksumError(
                f"{what} has SHA-256 {found}, expected {expected}; nothing was saved. "
                "The source may have changed: please report it."
            )
        if target.exists():  # appeared meanwhile (another process): keep theirs
            raise DataError(f"{target} exists already; refusing to overwrite it")
        os.replace(tmp_name, target)  # atomic on the same file system
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


def download(entry: DataFile, root: Path, timeout: float = 30.0) -> Path:
    """Download ``entry`` from its URL to the data folder, atomically.

    The bytes go to a temporary file beside the target, are checked, and only then
    renamed into place; an existing file is never replaced.
    """
    if entry.url is None:
        raise DataError(f"{entry.key!r} has no download source. {entry.notes}")
    from tqdm.auto import tqdm

    target = root / entry.path
    if target.exists():
        raise DataError(f"{target} exists already; refusing to overwrite it")

    def blocks() -> Iterable[bytes]:
        with urllib.request.urlopen(entry.url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or entry.size
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"download {entry.path}") as bar:
                for block in iter(lambda: resp.read(1 << 16), b""):
                    bar.update(len(block))
                    yield block

    return _write_new(target, blocks(), entry.copies[0].sha256, f"download of {entry.url}")


def produce(entry: DataFile, root: Path) -> Path:
    """Convert (``HubFiles``, ``GitHubFile``) or build (``Built``) ``entry`` into the data folder, verified and atomically."""
    from . import convert, mteb_tables, upstream

    source = entry.source
    target = root / entry.path
    if target.exists():
        raise DataError(f"{target} exists already; refusing to overwrite it")
    if isinstance(source, (HubFiles, GitHubFile)):
        if isinstance(source, HubFiles):
            get, make = (lambda: upstream.hub_files(source)), (lambda groups: convert.CONVERTERS[source.converter](*groups))
        else:
            get, make = (lambda: upstream.github_file(source)), (lambda raw: convert.crlf_text(raw, source.prefix))
        try:
            fetched = get()
        except upstream.UpstreamError as err:
            raise DataError(f"Could not download {entry.key!r}: {err}\n  Or put the file at: {target}") from err
        try:
            content = make(fetched)
        except ValueError as err:
            raise DataError(
                f"Could not convert {entry.key!r} from {source.describe()}: {err}\n"
                "Nothing was saved. The upstream layout may have changed: please report it."
            ) from err
        what = f"conversion of {source.describe()}"
    elif isinstance(source, Built):
        try:
            content = mteb_tables.BUILDERS[source.builder](entry)
        except (mteb_tables.BuildError, ValueError) as err:
            raise DataError(f"Could not build {entry.key!r}: {err}\n  Or put the file at: {target}") from err
        what = f"build of {entry.key!r} ({source.recipe})"
    else:
        raise DataError(f"{entry.key!r} has no source the course can download or build: {entry.origin}")
    try:
        return _write_new(target, [content], entry.copies[0].sha256, what)
    except ChecksumError as err:
        raise ChecksumError(f"{err}\n  Or copy {entry.path} from the course data folder to: {target}") from err


def fetch(key: str | DataFile, root: Path | None = None) -> Path:
    """The path of a verified copy of ``key``, downloading or building it first when needed and possible."""
    entry = _entry(key)
    root = root or env.data_dir()
    found = locate(entry, root)
    if found is not None:
        return found.path
    where = _where_to_put(entry, root)
    problem = _configured_problem(root)
    tail = f"\n  Note: {problem}" if problem else ""
    if not entry.obtainable:
        raise DataError(
            f"Data file {entry.key!r} is missing and has no download source.\n"
            f"  Put it at: {where}\n  ({entry.notes})\n"
            "  Or point EMBEDLAB_DATA_DIR at a folder that holds the course data." + tail
        )
    if _needs_network(entry) and not env.is_online():
        source_line = f"Download it from: {entry.url}" if entry.url else f"Online it comes from: {entry.origin}"
        raise DataError(
            f"Data file {entry.key!r} is missing and this machine is offline.\n"
            f"  Point EMBEDLAB_DATA_DIR at the course data folder, or put the file at: {where}\n"
            f"  ({source_line})" + tail
        )
    try:
        return download(entry, root) if entry.url is not None else produce(entry, root)
    except OSError as err:  # network errors: name the file and the manual way out
        raise DataError(
            f"Could not download {entry.key!r} from {entry.origin}: {err}\n  Put the file at: {where}"
        ) from err


@dataclass(frozen=True)
class StatusRow:
    """One line of ``python -m embedlab.data status``."""

    key: str
    dataset: str
    state: str  # "verified", "missing" or "BAD CHECKSUM"
    detail: str
    source: str = ""


def status(root: Path | None = None) -> list[StatusRow]:
    """The state and online source of every registered file in the data folder (nothing is downloaded)."""
    root = root or env.data_dir()
    rows = []
    for entry in REGISTRY.values():
        try:
            found = locate(entry, root)
        except ChecksumError as err:
            lines = str(err).splitlines()
            rows.append(StatusRow(entry.key, entry.dataset, "BAD CHECKSUM", f"{lines[0]} {lines[-1]}", entry.origin))
            continue
        if found is None:
            rows.append(StatusRow(entry.key, entry.dataset, "missing", _where_to_put(entry, root), entry.origin))
        else:
            rows.append(StatusRow(entry.key, entry.dataset, "verified", f"{found.label}: {found.path}", entry.origin))
    return rows
