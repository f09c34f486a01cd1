"""An on-disk cache of embeddings, so re-running a notebook does not re-encode.

One SQLite file holds every vector. A row's key is the SHA-256 of
``model id | weights revision | settings | text``, so changing any of them misses the
cache instead of returning a stale vector. Models save each batch as it is done, in
one SQLite transaction (atomic): an interrupted run keeps the finished batches and never
leaves half a batch. Turn the cache off with
``EMBEDLAB_CACHE=0`` (or ``cache=False`` on a model).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import env


def enabled() -> bool:
    """False when ``EMBEDLAB_CACHE`` is ``0``/``false``/``off``."""
    return os.environ.get("EMBEDLAB_CACHE", "1").strip().lower() not in {"0", "false", "no", "off"}


def text_key(model_id: str, revision: str, settings: str, text: str) -> str:
    """The cache key of one text under one model and settings."""
    return hashlib.sha256("\x1f".join((model_id, revision, settings, text)).encode("utf-8")).hexdigest()


def _open(path: Path, timeout: float = 60.0) -> sqlite3.Connection:
    """Connect and set up the file, waiting (up to ``timeout`` s) while another process holds it.

    SQLite's busy timeout does not cover switching a new file to WAL mode: when two
    notebooks open a fresh cache at the same moment, one of them gets "database is
    locked" at once. So the set-up is retried with a growing pause until the deadline.
    """
    deadline = time.monotonic() + timeout
    pause = 0.01
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
            if not busy or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


class EmbeddingCache:
    """Vectors by key in one SQLite file (``<cache dir>/embeddings.sqlite`` by default)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or env.cache_dir() / "embeddings.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = _open(self.path)

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys`` (missing keys are simply absent)."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for key, blob in self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors (float32) in one transaction."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self._db.close()
