"""Where things live and whether we are online.

Importing :mod:`embedlab` calls :func:`configure` once. It decides whether the
course runs *offline* (classroom mode) or *online*, and when offline it sets the
variables that make Hugging Face, ModelScope and friends fail at once instead of
retrying for minutes. That only works if it happens **before** those libraries are
imported, which is why every notebook starts with ``import embedlab``.

Environment variables (all optional):

``EMBEDLAB_OFFLINE``   ``1`` forces offline mode, ``0`` forces online mode;
                       unset: probe the network once (under a second).
``EMBEDLAB_DATA_DIR``  where data sets are read from and downloaded to.
``EMBEDLAB_CACHE_DIR`` where computed embeddings are cached.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Variables that make the hub libraries give up at once when there is no network.
OFFLINE_VARS: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "MODELSCOPE_API_MAX_RETRIES": "1",
    "MODELSCOPE_REPO_TREE_PAGE_MAX_ATTEMPTS": "1",
}

#: Hosts the course downloads from; reaching one of them counts as "online".
PROBE_HOSTS: tuple[tuple[str, int], ...] = (("huggingface.co", 443), ("github.com", 443))

_online: bool | None = None


def _in_checkout() -> bool:
    """True when embedlab runs from a clone of the course (not from site-packages)."""
    return (PROJECT_ROOT / "notebooks").is_dir() and (PROJECT_ROOT / "embedlab").is_dir()


def _can_connect(host: str, port: int, timeout: float) -> bool:
    """Try one TCP connection; DNS look-up included, bounded by ``timeout`` seconds."""
    result: list[bool] = []

    def attempt() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(result and result[0])


def is_online(timeout: float = 0.8) -> bool:
    """Whether the course may use the network (decided once per process)."""
    global _online
    if _online is None:
        flag = os.environ.get("EMBEDLAB_OFFLINE", "").strip().lower()
        if flag in {"1", "true", "yes", "on"}:
            _online = False
        elif flag in {"0", "false", "no", "off"}:
            _online = True
        else:
            _online = any(_can_connect(h, p, timeout) for h, p in PROBE_HOSTS)
    return _online


def configure() -> bool:
    """Set the hub libraries' offline variables when offline; return :func:`is_online`.

    Variables the user already set are left alone.
    """
    online = is_online()
    if not online:
        for key, value in OFFLINE_VARS.items():
            os.environ.setdefault(key, value)
    return online


def _folder(variable: str, in_checkout: Path, elsewhere: Path) -> Path:
    configured = os.environ.get(variable)
    if configured:
        return Path(configured).expanduser().resolve()
    return in_checkout if _in_checkout() else elsewhere


def data_dir() -> Path:
    """The folder data sets are read from and downloaded to (``EMBEDLAB_DATA_DIR``)."""
    return _folder("EMBEDLAB_DATA_DIR", PROJECT_ROOT / "data" / "external", Path.home() / "embedlab_data")


def cache_dir() -> Path:
    """The folder computed embeddings are cached in (``EMBEDLAB_CACHE_DIR``)."""
    return _folder("EMBEDLAB_CACHE_DIR", PROJECT_ROOT / "build" / "cache", Path.home() / ".cache" / "embedlab")
