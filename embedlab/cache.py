"""An on-disk cache of embeddings, so re-running a notebook does not re-encode.

One SQLite file holds every vector. A row's key is the SHA-256 of
``model id | weights revision | settings | text``, so changing any of them misses the
cache instead of returning a stale vector. Models save each batch as it is done, in
one SQLite transaction (atomic): an interrupted run keeps the finished batches and never
leaves half a batch. Turn the cache off with
``EMBEDLAB_CACHE=0`` (or ``cache=False`` on a model).

A damaged cache file (a crash mid-write on a bad disk, a copy cut short, any other
file under that name) is never deleted: it is renamed to
``embeddings.corrupt-<date>-<time>.sqlite`` next to it, a fresh cache starts, and a
:class:`CacheCorruptedWarning` names both files. The vectors are then computed again.

Several notebooks (processes) share one cache file. Two rules keep that safe, both from SQLite's
"How To Corrupt An SQLite Database File":

* this module never opens the database file with plain ``open()`` while this process has a
  connection to it: closing any descriptor of the file drops every POSIX lock the process holds
  on it, and another process may then take the database as unused, checkpoint it and delete the
  write-ahead log under the feet of this one ("disk I/O error", then "database disk image is
  malformed"). The header check for a foreign file runs only before the first connection;
* an error that says "malformed" is checked with ``PRAGMA quick_check`` on a fresh connection
  before the file is moved aside, so a passing error never moves a file other processes use.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from . import env


def enabled() -> bool:
    """False when ``EMBEDLAB_CACHE`` is ``0``/``false``/``off``."""
    return os.environ.get("EMBEDLAB_CACHE", "1").strip().lower() not in {"0", "false", "no", "off"}


def text_key(model_id: str, revision: str, settings: str, text: str) -> str:
    """The cache key of one text under one model and settings.

    Every part must be a string of valid Unicode text: a lone surrogate (such as ``"\\ud83d"``, half of
    an emoji, left by cutting a string in the wrong place or by decoding bytes with
    ``errors="surrogateescape"``) raises :class:`ValueError` saying which part and where.
    """
    parts = (model_id, revision, settings, text)
    try:
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    except (TypeError, UnicodeEncodeError):
        pass
    for name, part in zip(("model_id", "revision", "settings", "text"), parts):
        if not isinstance(part, str):
            raise TypeError(f"text_key: {name} must be a string, got {type(part).__name__}")
        try:
            part.encode("utf-8")
        except UnicodeEncodeError as err:
            bad = part[err.start : err.end].encode("utf-8", "backslashreplace").decode()
            around = part[max(0, err.start - 20) : err.end + 20].encode("utf-8", "backslashreplace").decode()
            raise ValueError(
                f"{name} contains a lone surrogate {bad} at position {err.start} (in {around!r}): half of a "
                "character, not valid Unicode text. Fix it where the text was read or cut; for example "
                "text.encode('utf-8', 'replace').decode('utf-8') turns it into '?'."
            ) from None
    raise AssertionError("unreachable: the parts were joined and encoded above")  # pragma: no cover


class CacheCorruptedWarning(UserWarning):
    """The cache file was damaged: it was moved aside (not deleted) and a fresh cache started."""


class CacheError(RuntimeError):
    """The cache file is damaged and could not be moved aside."""


def _is_corrupt(error: sqlite3.DatabaseError) -> bool:
    """True when SQLite says the file is not a database or is malformed (never for "locked"/"busy")."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(error)
    return "file is not a database" in text or "malformed" in text


def _aside_name(path: Path) -> Path:
    """A free name next to ``path`` for a damaged copy; an earlier one is never overwritten."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    n = 0
    while any(Path(f"{candidate}{extra}").exists() for extra in ("", "-wal", "-shm")):
        n += 1
        candidate = path.with_name(f"{path.stem}.corrupt-{stamp}-{n}{path.suffix}")
    return candidate


_HEADER = b"SQLite format 3\x00"

# How many connections this process has open to each cache file (by real path). While there is one, the file
# must not be opened with open(): closing that descriptor would drop the connection's POSIX locks.
_CONNECTIONS: dict[str, int] = {}
_CONNECTIONS_LOCK = threading.RLock()


def _connected(path: Path) -> bool:
    return _CONNECTIONS.get(os.path.realpath(path), 0) > 0


def _count(path: Path, change: int) -> None:
    key = os.path.realpath(path)
    with _CONNECTIONS_LOCK:
        _CONNECTIONS[key] = max(0, _CONNECTIONS.get(key, 0) + change)


def _intact(path: Path) -> bool:
    """True when a fresh connection finds the file sound (``PRAGMA quick_check``): the error was a passing one."""
    try:
        db = sqlite3.connect(path, timeout=60.0)
    except sqlite3.Error:
        return False
    try:
        return db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.Error:
        return False
    finally:
        db.close()


def _not_sqlite(path: Path) -> str | None:
    """Why the file at ``path`` is not an SQLite database, or None (missing, empty, or SQLite's header)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_HEADER))
    except FileNotFoundError:
        return None
    if _HEADER.startswith(head):  # empty (a cache being created) or SQLite's own header
        return None
    return f"not an SQLite database: it starts with {head!r}"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


_IO_RETRIES = 8  # how often _open retries "disk I/O error" (a race with another process setting up the file)


def _open(path: Path, timeout: float = 60.0) -> sqlite3.Connection:
    """Connect and set up the file, waiting (up to ``timeout`` s) while another process holds it.

    SQLite's busy timeout does not cover switching a new file to WAL mode: when two
    notebooks open a fresh cache at the same moment, one of them gets "database is
    locked" at once, or (seen when two notebooks start together under `make test`)
    "disk I/O error" while the other creates the WAL index. So the set-up is retried
    with a growing pause until the deadline; an I/O error only a few times, since a
    lasting one is a real problem with the disk.
    """
    deadline = time.monotonic() + timeout
    pause = 0.01
    io_errors = 0
    while True:
        db = sqlite3.connect(path, timeout=timeout)
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
            return db
        except sqlite3.OperationalError as error:
            db.close()
            busy = "locked" in str(error) or "busy" in str(error)
            io_error = (getattr(error, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_IOERR or "disk I/O" in str(error)
            io_errors += io_error
            if not (busy or (io_error and io_errors <= _IO_RETRIES)) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
        except BaseException:  # e.g. "file is not a database": close before the caller moves the file
            db.close()
            raise


_T = TypeVar("_T")


class EmbeddingCache:
    """Vectors by key in one SQLite file (``<cache dir>/embeddings.sqlite`` by default).

    A damaged file is moved aside and replaced by a fresh cache, with a :class:`CacheCorruptedWarning`
    (when it is found on opening, or later by a read or a write, which then runs on the fresh cache).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or env.cache_dir() / "embeddings.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = _identity(self.path)
        with _CONNECTIONS_LOCK:  # the header check and the first connection, with no other thread in between
            # Only before this process's first connection to the file (see the module's docstring).
            problem = None if _connected(self.path) else _not_sqlite(self.path)
            if problem:  # moved before SQLite touches it (SQLite would drop a -wal file it cannot read)
                self._recover(problem, connected=False)
                return
            try:
                self._db = _open(self.path)
            except sqlite3.DatabaseError as error:
                if not _is_corrupt(error):
                    raise
                self._recover(error, connected=False)
            else:
                _count(self.path, +1)
                self._file = _identity(self.path)

    def _recover(self, error: sqlite3.DatabaseError | str, *, connected: bool = True) -> None:
        """Move the damaged file (and its -wal/-shm companions) aside and open a fresh cache."""
        if connected:
            self.close()
        current = _identity(self.path)
        if current is not None and current == self._file:  # not already replaced by another process
            aside = _aside_name(self.path)
            try:
                for extra in ("", "-wal", "-shm"):
                    source = Path(f"{self.path}{extra}")
                    if source.exists():
                        os.replace(source, f"{aside}{extra}")
            except OSError as move_error:
                raise CacheError(
                    f"the embedding cache {self.path} is damaged ({error}) and could not be moved aside "
                    f"({move_error}). Move or rename it yourself, or turn the cache off with EMBEDLAB_CACHE=0."
                ) from None
            warnings.warn(
                f"the embedding cache {self.path} is damaged ({error}). It was moved aside to {aside} (nothing was "
                f"deleted) and a fresh, empty cache was started, so vectors are computed again. Delete {aside} "
                "when you no longer need it.",
                CacheCorruptedWarning,
                stacklevel=2,
            )
        self._db = _open(self.path)
        _count(self.path, +1)
        self._file = _identity(self.path)

    def _run(self, operation: Callable[[], _T]) -> _T:
        """Run ``operation`` on the database; if the file turns out damaged, recover and run it again."""
        try:
            return operation()
        except sqlite3.DatabaseError as error:
            if not _is_corrupt(error):
                raise
            if _identity(self.path) == self._file and _intact(self.path):  # a passing error: try once more
                return operation()
            self._recover(error)
            return operation()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys`` (missing keys are simply absent)."""

        def read() -> dict[str, np.ndarray]:
            found: dict[str, np.ndarray] = {}
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
            return found

        return self._run(read)

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors (float32) in one transaction."""
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items.items()]

        def write() -> None:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)

        self._run(write)

    def __len__(self) -> int:
        return self._run(lambda: int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]))

    def close(self) -> None:
        if getattr(self, "_db", None) is not None:
            self._db.close()
            self._db = None
            _count(self.path, -1)
