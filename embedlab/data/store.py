"""Find, verify and download data files.

The rule is simple: **local copy (verified) -> official download (verified) -> clear error**.
A file whose SHA-256 is not one the registry accepts is never used and never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .. import env
from .registry import REGISTRY, DataFile, get


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
            "The file was left untouched. Move it aside (it may be corrupt or a different "
            "version) and run again to download a fresh copy."
        )
    return None


def _where_to_put(entry: DataFile, root: Path) -> str:
    return str(root / entry.path)


def download(entry: DataFile, root: Path, timeout: float = 30.0) -> Path:
    """Download ``entry`` from its official URL to the data folder, atomically.

    The bytes go to a temporary file beside the target, are checked, and only then
    renamed into place; an existing file is never replaced.
    """
    if entry.url is None:
        raise DataError(f"{entry.key!r} has no download source. {entry.notes}")
    from tqdm.auto import tqdm

    target = root / entry.path
    if target.exists():
        raise DataError(f"{target} exists already; refusing to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(entry.url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or entry.size
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"download {entry.path}") as bar:
                for block in iter(lambda: resp.read(1 << 16), b""):
                    out.write(block)
                    digest.update(block)
                    bar.update(len(block))
        found = digest.hexdigest()
        if found != entry.copies[0].sha256:
            raise ChecksumError(
                f"download of {entry.url} has SHA-256 {found}, expected {entry.copies[0].sha256}; "
                "nothing was saved. The source may have changed: please report it."
            )
        os.replace(tmp_name, target)  # atomic on the same file system
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


def fetch(key: str | DataFile, root: Path | None = None) -> Path:
    """The path of a verified copy of ``key``, downloading it first when needed and possible."""
    entry = _entry(key)
    root = root or env.data_dir()
    found = locate(entry, root)
    if found is not None:
        return found.path
    where = _where_to_put(entry, root)
    if entry.url is None:
        raise DataError(
            f"Data file {entry.key!r} is missing and has no download source.\n"
            f"  Put it at: {where}\n  ({entry.notes})\n"
            "  Or point EMBEDLAB_DATA_DIR at a folder that holds the course data."
        )
    if not env.is_online():
        raise DataError(
            f"Data file {entry.key!r} is missing and this machine is offline.\n"
            f"  Download it from: {entry.url}\n  Put it at: {where}\n"
            "  Or point EMBEDLAB_DATA_DIR at a folder that holds the course data."
        )
    try:
        return download(entry, root)
    except OSError as err:  # network errors: name the file and the manual way out
        raise DataError(
            f"Could not download {entry.key!r} from {entry.url}: {err}\n  Put the file at: {where}"
        ) from err


@dataclass(frozen=True)
class StatusRow:
    """One line of ``python -m embedlab.data status``."""

    key: str
    dataset: str
    state: str  # "verified", "missing" or "BAD CHECKSUM"
    detail: str


def status(root: Path | None = None) -> list[StatusRow]:
    """The state of every registered file in the data folder (nothing is downloaded)."""
    root = root or env.data_dir()
    rows = []
    for entry in REGISTRY.values():
        try:
            found = locate(entry, root)
        except ChecksumError as err:
            rows.append(StatusRow(entry.key, entry.dataset, "BAD CHECKSUM", str(err).splitlines()[0]))
            continue
        if found is None:
            source = entry.url or "no download source"
            rows.append(StatusRow(entry.key, entry.dataset, "missing", source))
        else:
            rows.append(StatusRow(entry.key, entry.dataset, "verified", f"{found.label}: {found.path}"))
    return rows
