"""An on-disk cache of embeddings, so re-running a notebook does not re-encode.

One SQLite file holds every vector. A row's key is the SHA-256 of
``model id | weights revision | settings | text``, so changing any of them misses the
cache instead of returning a stale vector. SQLite commits are atomic: an interrupted
run leaves either the whole batch or none of it. Turn the cache off with
``EMBEDLAB_CACHE=0`` (or ``cache=False`` on a model).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
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


class EmbeddingCache:
    """Vectors by key in one SQLite file (``<cache dir>/embeddings.sqlite`` by default)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or env.cache_dir() / "embeddings.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")

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
