"""Online/offline decision and folder settings."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from embedlab import env


@pytest.fixture(autouse=True)
def fresh_decision(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(env, "_online", None)
    for key in env.OFFLINE_VARS:
        monkeypatch.delenv(key, raising=False)
    yield


def test_forced_offline_sets_hub_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDLAB_OFFLINE", "1")
    assert env.configure() is False
    import os

    for key, value in env.OFFLINE_VARS.items():
        assert os.environ[key] == value


def test_user_setting_is_not_overwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDLAB_OFFLINE", "1")
    monkeypatch.setenv("MODELSCOPE_API_MAX_RETRIES", "3")
    env.configure()
    import os

    assert os.environ["MODELSCOPE_API_MAX_RETRIES"] == "3"


def test_forced_online_does_not_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDLAB_OFFLINE", "0")
    monkeypatch.setattr(env, "_can_connect", lambda *a: pytest.fail("must not probe"))
    assert env.configure() is True
    import os

    assert "HF_HUB_OFFLINE" not in os.environ


def test_probe_decides_quickly_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMBEDLAB_OFFLINE", raising=False)
    monkeypatch.setattr(env, "PROBE_HOSTS", (("unreachable.invalid", 443),))
    started = time.perf_counter()
    assert env.is_online(timeout=0.5) is False
    assert time.perf_counter() - started < 1.5


def test_probe_times_out_on_a_silent_host(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(address, timeout=None):
        time.sleep(2)
        raise OSError("no answer")

    monkeypatch.setattr(env.socket, "create_connection", hang)
    started = time.perf_counter()
    assert env._can_connect("example.org", 443, timeout=0.3) is False
    assert time.perf_counter() - started < 1.0


def test_folders_follow_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EMBEDLAB_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path / "c"))
    assert env.data_dir() == (tmp_path / "d").resolve()
    assert env.cache_dir() == (tmp_path / "c").resolve()
    monkeypatch.delenv("EMBEDLAB_DATA_DIR")
    assert env.data_dir() == env.PROJECT_ROOT / "data" / "external"
