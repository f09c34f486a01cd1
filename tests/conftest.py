"""Shared fixtures: a throw-away data folder and cache for the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder that EMBEDLAB_DATA_DIR points at."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("EMBEDLAB_DATA_DIR", str(root))
    return root


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty embedding cache folder that EMBEDLAB_CACHE_DIR points at."""
    root = tmp_path / "cache"
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(root))
    monkeypatch.setenv("EMBEDLAB_CACHE", "1")
    return root
