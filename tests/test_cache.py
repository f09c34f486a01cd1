"""The embedding cache, through the Embedder base class that uses it."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from embedlab import cache
from embedlab.models import Embedder


class FakeEmbedder(Embedder):
    """A 4-d model whose raw vector of a text is (length, number of 'a', 1 or -1 for the kind, 2).

    It records every call to ``_embed`` and can fail on its ``fail_on_call``-th call.
    """

    dim = 4

    def __init__(self, revision: str = "r1", *, fail_on_call: int | None = None, use_cache: bool = True) -> None:
        super().__init__(use_cache)
        self.name, self.revision = "fake-model", revision
        self.calls: list[tuple[list[str], str]] = []
        self.fail_on_call = fail_on_call

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        self.calls.append((list(texts), kind))
        if self.fail_on_call is not None and len(self.calls) == self.fail_on_call:
            raise RuntimeError("the model crashed")
        return np.array([raw(t, kind) for t in texts], dtype=np.float32)

    @property
    def embedded(self) -> list[str]:
        return [t for texts, _ in self.calls for t in texts]


def raw(text: str, kind: str = "document") -> np.ndarray:
    if not text:
        return np.zeros(4, dtype=np.float32)
    return np.array([len(text), text.count("a"), 1.0 if kind == "document" else -1.0, 2.0], dtype=np.float32)


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


TEXTS = ["a cat", "banana", "the dog sat"]


def test_second_encode_hits_the_cache(cache_root: Path) -> None:
    first = FakeEmbedder()
    v1 = first.encode(TEXTS)
    assert sorted(first.embedded) == sorted(TEXTS)  # which texts, each once (encode orders them by length)
    assert len(cache.EmbeddingCache(cache_root / "embeddings.sqlite")) == 3

    again = FakeEmbedder()  # a new process would build a new object: the cache is on disk
    v2 = again.encode(TEXTS)
    assert again.calls == []
    np.testing.assert_array_equal(v1, v2)
    np.testing.assert_allclose(v2[1], unit(raw("banana")), rtol=1e-6)

    first.encode(TEXTS)
    assert len(first.calls) == 1


def test_only_the_missing_texts_are_embedded(cache_root: Path) -> None:
    model = FakeEmbedder()
    model.encode(["a cat", "banana"])
    vectors = model.encode(["banana", "new text", "a cat"], normalize=False)
    assert sorted(model.embedded) == sorted(["a cat", "banana", "new text"])  # which texts, each once (encode orders them by length)
    np.testing.assert_array_equal(vectors, np.array([raw("banana"), raw("new text"), raw("a cat")]))


def test_other_revision_kind_or_text_misses(cache_root: Path) -> None:
    FakeEmbedder().encode(TEXTS)

    other_revision = FakeEmbedder(revision="r2")
    other_revision.encode(TEXTS)
    assert sorted(other_revision.embedded) == sorted(TEXTS)  # which texts, each once (encode orders them by length)

    queries = FakeEmbedder()
    vectors = queries.encode_queries(TEXTS, normalize=False)
    assert queries.calls == [(sorted(TEXTS, key=len, reverse=True), "query")]  # one batch, longest first
    np.testing.assert_array_equal(vectors[0], raw("a cat", "query"))

    changed = FakeEmbedder()
    changed.encode(["a cat!"])
    assert sorted(changed.embedded) == sorted(["a cat!"])  # which texts, each once (encode orders them by length)


def test_text_key_depends_on_every_part() -> None:
    base = cache.text_key("m", "r", "document", "text")
    assert len(base) == 64
    assert base == cache.text_key("m", "r", "document", "text")
    others = {cache.text_key("m2", "r", "document", "text"), cache.text_key("m", "r2", "document", "text"),
              cache.text_key("m", "r", "query", "text"), cache.text_key("m", "r", "document", "text ")}
    assert base not in others and len(others) == 4
    # the separator keeps the parts apart: ("ab", "c") is not ("a", "bc")
    assert cache.text_key("ab", "c", "s", "t") != cache.text_key("a", "bc", "s", "t")


@pytest.mark.parametrize("value", ["0", "false", "OFF"])
def test_environment_variable_turns_the_cache_off(cache_root: Path, monkeypatch: pytest.MonkeyPatch,
                                                  value: str) -> None:
    monkeypatch.setenv("EMBEDLAB_CACHE", value)
    assert not cache.enabled()
    model = FakeEmbedder()
    model.encode(TEXTS)
    model.encode(TEXTS)
    assert len(model.calls) == 2
    assert not (cache_root / "embeddings.sqlite").exists()


def test_use_cache_false_turns_the_cache_off(cache_root: Path) -> None:
    model = FakeEmbedder(use_cache=False)
    model.encode(TEXTS)
    model.encode(TEXTS)
    assert sorted(model.embedded) == sorted(TEXTS + TEXTS)  # which texts, each once (encode orders them by length)
    assert not (cache_root / "embeddings.sqlite").exists()


def test_failure_in_a_later_batch_keeps_the_finished_batches(cache_root: Path) -> None:
    texts = [f"text {i}" for i in range(5)]
    crashing = FakeEmbedder(fail_on_call=2)
    with pytest.raises(RuntimeError, match="crashed"):
        crashing.encode(texts, batch_size=2)
    assert crashing.embedded == texts[:4]  # batch 1 succeeded, batch 2 crashed
    assert len(cache.EmbeddingCache(cache_root / "embeddings.sqlite")) == 2  # batch 1 only, nothing half-written

    rerun = FakeEmbedder()
    vectors = rerun.encode(texts, batch_size=2, normalize=False)
    assert rerun.embedded == texts[2:]  # the interrupted run's first batch is not encoded again
    assert [len(batch) for batch, _ in rerun.calls] == [2, 1]
    np.testing.assert_array_equal(vectors, np.array([raw(t) for t in texts]))


def test_retry_after_a_failure_reuses_the_open_cache(cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []

    class CountingCache(cache.EmbeddingCache):
        def __init__(self, path: Path | None = None) -> None:
            super().__init__(path)
            opened.append(self.path)

    monkeypatch.setattr(cache, "EmbeddingCache", CountingCache)
    model = FakeEmbedder(fail_on_call=1)
    with pytest.raises(RuntimeError):
        model.encode(TEXTS)
    model.encode(TEXTS)
    model.encode(TEXTS)
    assert opened == [cache_root.resolve() / "embeddings.sqlite"]


def test_embedding_cache_round_trip(tmp_path: Path) -> None:
    store = cache.EmbeddingCache(tmp_path / "c.sqlite")
    vectors = {f"k{i}": np.full(3, i, dtype=np.float64) for i in range(1200)}  # more than one 500-key chunk
    store.put_many(vectors)
    found = store.get_many([f"k{i}" for i in range(1200)] + ["absent"])
    assert len(store) == 1200 and len(found) == 1200 and "absent" not in found
    assert found["k1100"].dtype == np.float32
    np.testing.assert_array_equal(found["k1100"], [1100.0, 1100.0, 1100.0])
    store.close()


def test_bad_input_gives_clear_errors(cache_root: Path) -> None:
    model = FakeEmbedder()
    with pytest.raises(TypeError, match="item 1 is int"):
        model.encode(["fine", 3])
    with pytest.raises(TypeError, match="item 0 is NoneType"):
        model.encode([None])
    with pytest.raises(ValueError, match="kind must be 'query' or 'document', not 'passage'"):
        model.encode(["fine"], kind="passage")
    with pytest.raises(ValueError, match="batch_size must be a whole number of at least 1"):
        model.encode(["fine"], batch_size=0)
    assert model.calls == []


def test_normalize_on_and_off(cache_root: Path) -> None:
    model = FakeEmbedder()
    normalized = model.encode(TEXTS)
    plain = model.encode(TEXTS, normalize=False)
    assert normalized.dtype == np.float32 and plain.dtype == np.float32
    assert normalized.shape == (3, 4)
    np.testing.assert_allclose(np.linalg.norm(normalized, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(plain, np.array([raw(t) for t in TEXTS]))
    np.testing.assert_allclose(normalized, plain / np.linalg.norm(plain, axis=1, keepdims=True), rtol=1e-6)


def test_zero_vector_stays_zero_when_normalized(cache_root: Path) -> None:
    vectors = FakeEmbedder().encode(["", "a"])
    np.testing.assert_array_equal(vectors[0], np.zeros(4))
    assert not np.isnan(vectors).any()


def test_single_string_gives_one_row(cache_root: Path) -> None:
    model = FakeEmbedder()
    vector = model.encode("banana")
    assert vector.shape == (4,)
    np.testing.assert_allclose(vector, unit(raw("banana")), rtol=1e-6)
    np.testing.assert_array_equal(model.encode(["banana"])[0], vector)
    assert model.encode([]).shape == (0, 4)


_real_connect = cache.sqlite3.connect


class _BusyConnection:
    """A stand-in for a connection whose set-up fails ``busy_times`` times, as SQLite does
    when another process is switching a fresh file to WAL mode."""

    opened = 0
    busy_times = 0
    message = "database is locked"

    def __init__(self, path: Path, timeout: float) -> None:
        type(self).opened += 1
        self.real = _real_connect(path, timeout=timeout)

    def execute(self, sql: str, *args: object):  # noqa: ANN201 - mirrors sqlite3
        if type(self).opened <= type(self).busy_times:
            raise cache.sqlite3.OperationalError(type(self).message)
        return self.real.execute(sql, *args)

    def close(self) -> None:
        self.real.close()


def _busy(monkeypatch: pytest.MonkeyPatch, times: int, message: str = "database is locked") -> type[_BusyConnection]:
    conn = type("Busy", (_BusyConnection,), {"opened": 0, "busy_times": times, "message": message})
    monkeypatch.setattr(cache.sqlite3, "connect", conn)
    return conn


def test_open_waits_while_another_process_sets_up_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _busy(monkeypatch, times=3)
    db = cache._open(tmp_path / "c.sqlite", timeout=5)
    assert conn.opened == 4
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_open_gives_up_at_the_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _busy(monkeypatch, times=10**6)
    with pytest.raises(cache.sqlite3.OperationalError, match="locked"):
        cache._open(tmp_path / "c.sqlite", timeout=0.2)


def test_open_does_not_retry_other_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _busy(monkeypatch, times=1, message="attempt to write a readonly database")
    with pytest.raises(cache.sqlite3.OperationalError, match="readonly"):
        cache._open(tmp_path / "c.sqlite", timeout=5)
    assert conn.opened == 1


def test_open_retries_a_passing_disk_io_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # seen in `make test` when notebooks 05 and 08 opened a fresh cache at the same moment
    conn = _busy(monkeypatch, times=2, message="disk I/O error")
    db = cache._open(tmp_path / "c.sqlite", timeout=5)
    assert conn.opened == 3
    db.close()


def test_open_gives_up_on_a_lasting_disk_io_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _busy(monkeypatch, times=10**6, message="disk I/O error")
    with pytest.raises(cache.sqlite3.OperationalError, match="disk I/O"):
        cache._open(tmp_path / "c.sqlite", timeout=60)
    assert conn.opened == cache._IO_RETRIES + 1


def _fill(path: str, worker: int) -> None:
    store = cache.EmbeddingCache(Path(path))
    store.put_many({f"{worker}-{i}": np.full(8, i, np.float32) for i in range(200)})
    store.close()


def test_notebooks_opening_a_fresh_cache_at_once(tmp_path: Path) -> None:
    """Several processes create the same cache file at the same moment (two notebooks in CI)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    for trial in range(3):
        path = str(tmp_path / f"t{trial}.sqlite")
        with ctx.Pool(4) as pool:
            pool.starmap(_fill, [(path, w) for w in range(4)])
        assert len(cache.EmbeddingCache(Path(path))) == 800


# ---------------------------------------------------------------- a damaged cache file (issue 9, item 5)
GARBAGE = b"not a database: my notes, a half-copied file, anything\n" * 40


def _asides(folder: Path) -> list[Path]:
    return sorted(folder.glob("embeddings.corrupt-*.sqlite"))


def _cache_file(cache_root: Path, content: bytes) -> Path:
    cache_root.mkdir(parents=True, exist_ok=True)
    path = cache_root / "embeddings.sqlite"
    path.write_bytes(content)
    return path


def _filled_then_damaged(path: Path) -> bytes:
    """A real cache of 2,000 vectors whose pages after the first (the schema) are overwritten."""
    store = cache.EmbeddingCache(path)
    store.put_many({f"k{i}": np.full(64, i, np.float32) for i in range(2000)})
    store.close()  # the last connection checkpoints the WAL into the file
    assert not Path(f"{path}-wal").exists()
    with path.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xff" * (path.stat().st_size - 4096))
    return path.read_bytes()


def test_garbage_cache_file_is_moved_aside_not_deleted(cache_root: Path) -> None:
    path = _cache_file(cache_root, GARBAGE)
    with pytest.warns(cache.CacheCorruptedWarning) as caught:
        store = cache.EmbeddingCache(path)
    [aside] = _asides(cache_root)
    assert aside.read_bytes() == GARBAGE  # the damaged file, byte for byte, under a new name
    message = str(caught[0].message)
    assert str(path) in message and str(aside) in message
    assert "not an SQLite database: it starts with b'not a database: " in message
    assert "nothing was deleted" in message and "fresh, empty cache" in message
    # the cache works again, and a new process opens it without a warning
    store.put_many({"k": np.arange(3)})
    np.testing.assert_array_equal(store.get_many(["k"])["k"], [0, 1, 2])
    store.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(cache.EmbeddingCache(path)) == 1
    assert _asides(cache_root) == [aside]


def test_model_encodes_through_a_damaged_cache(cache_root: Path) -> None:
    path = _cache_file(cache_root, GARBAGE)
    model = FakeEmbedder()
    with pytest.warns(cache.CacheCorruptedWarning, match=re.escape(str(path))):
        vectors = model.encode(TEXTS, normalize=False)
    np.testing.assert_array_equal(vectors, np.array([raw(t) for t in TEXTS]))
    assert sorted(model.embedded) == sorted(TEXTS)
    again = FakeEmbedder()
    np.testing.assert_array_equal(again.encode(TEXTS, normalize=False), vectors)
    assert again.calls == []  # the fresh cache holds them
    [aside] = _asides(cache_root)
    assert aside.read_bytes() == GARBAGE


def test_damage_found_by_a_read_or_a_write_is_recovered(cache_root: Path) -> None:
    path = cache_root / "embeddings.sqlite"
    cache_root.mkdir(parents=True)
    damaged = _filled_then_damaged(path)
    store = cache.EmbeddingCache(path)  # the schema page is intact: opening succeeds
    with pytest.warns(cache.CacheCorruptedWarning, match="malformed"):
        assert store.get_many(["k1", "k1000", "k1999"]) == {}
    [aside] = _asides(cache_root)
    assert aside.read_bytes() == damaged
    store.put_many({"new": np.ones(2)})
    assert len(store) == 1 and list(store.get_many(["new"])) == ["new"]
    store.close()

    damaged_again = _filled_then_damaged(path)
    writer = cache.EmbeddingCache(path)
    with pytest.warns(cache.CacheCorruptedWarning):
        writer.put_many({f"k{i}": np.zeros(64, np.float32) for i in range(1500)})  # touches the damaged pages
    assert len(writer) == 1500  # written to the fresh cache
    writer.close()
    assert sorted(p.read_bytes() == damaged_again for p in _asides(cache_root)) == [False, True]


def test_an_earlier_aside_copy_is_never_overwritten(cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache.time, "strftime", lambda fmt: "20250101-120000")
    earlier = cache_root / "embeddings.corrupt-20250101-120000.sqlite"
    cache_root.mkdir(parents=True)
    earlier.write_bytes(b"an earlier damaged cache")
    path = _cache_file(cache_root, GARBAGE)
    Path(f"{path}-wal").write_bytes(b"a stale write-ahead log")
    with pytest.warns(cache.CacheCorruptedWarning, match="embeddings.corrupt-20250101-120000-1.sqlite"):
        store = cache.EmbeddingCache(path)
    assert earlier.read_bytes() == b"an earlier damaged cache"
    aside = cache_root / "embeddings.corrupt-20250101-120000-1.sqlite"
    assert aside.read_bytes() == GARBAGE
    # the log moved with its file: the fresh cache does not replay it
    assert Path(f"{aside}-wal").read_bytes() == b"a stale write-ahead log"
    store.put_many({"k": np.ones(2)})
    assert len(store) == 1
    store.close()


def test_two_handles_on_one_damaged_file_move_it_aside_once(cache_root: Path) -> None:
    path = cache_root / "embeddings.sqlite"
    cache_root.mkdir(parents=True)
    _filled_then_damaged(path)
    first, second = cache.EmbeddingCache(path), cache.EmbeddingCache(path)  # two notebooks
    with pytest.warns(cache.CacheCorruptedWarning):
        assert first.get_many(["k5"]) == {}
    first.put_many({"from first": np.ones(2)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second finds the file already replaced: no second move
        assert list(second.get_many(["k5", "from first"])) == ["from first"]
    assert len(_asides(cache_root)) == 1
    first.close()
    second.close()


@pytest.mark.parametrize("content", [b"x", b"\x00" * 5000, b"SQLite format 2\x00" + b"\x00" * 4080],
                         ids=["one-byte", "zeros", "other-header"])
def test_any_file_that_is_not_sqlite_is_moved_aside(cache_root: Path, content: bytes) -> None:
    path = _cache_file(cache_root, content)
    with pytest.warns(cache.CacheCorruptedWarning, match="not an SQLite database"):
        store = cache.EmbeddingCache(path)
    [aside] = _asides(cache_root)
    assert aside.read_bytes() == content
    assert len(store) == 0
    store.close()


def test_an_empty_file_is_a_new_cache(cache_root: Path) -> None:
    path = _cache_file(cache_root, b"")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = cache.EmbeddingCache(path)
    store.put_many({"k": np.ones(2)})
    assert len(store) == 1 and _asides(cache_root) == []
    store.close()


def test_other_database_errors_do_not_move_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"")
    _busy(monkeypatch, times=10**6, message="disk I/O error")
    with pytest.raises(cache.sqlite3.OperationalError, match="disk I/O"):
        cache.EmbeddingCache(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite"]


def test_a_file_that_cannot_be_moved_aside_gives_a_clear_error(cache_root: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = _cache_file(cache_root, GARBAGE)

    def refuse(source, target):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(cache.os, "replace", refuse)
    with pytest.raises(cache.CacheError, match=f"{re.escape(str(path))} is damaged .* could not be moved aside "
                                               r"\(read-only folder\).*EMBEDLAB_CACHE=0"):
        cache.EmbeddingCache(path)
    assert path.read_bytes() == GARBAGE


# ---------------------------------------------------------------- text_key and lone surrogates (issue 9, item 7)
@pytest.mark.parametrize("text, position", [("\ud800", 0), ("smile \ud83d please", 6), ("\udfff end", 0)])
def test_text_key_names_a_lone_surrogate(text: str, position: int) -> None:
    with pytest.raises(ValueError, match=f"text contains a lone surrogate .* at position {position} .*not valid "
                                         "Unicode text"):
        cache.text_key("m", "r", "document", text)


def test_text_key_other_parts_and_types() -> None:
    with pytest.raises(ValueError, match="model_id contains a lone surrogate"):
        cache.text_key("m\udc80", "r", "document", "fine")
    with pytest.raises(TypeError, match="text must be a string, got bytes"):
        cache.text_key("m", "r", "document", b"bytes")
    # a whole surrogate pair, written as one character, is fine
    assert len(cache.text_key("m", "r", "document", "smile \U0001F600")) == 64


def test_encode_reports_a_lone_surrogate(cache_root: Path) -> None:
    model = FakeEmbedder()
    with pytest.raises(ValueError, match="lone surrogate"):
        model.encode(["fine", "broken \ud83d"])
    assert model.calls == []


def test_a_second_handle_keeps_the_first_ones_locks(tmp_path: Path) -> None:
    # SQLite's "How To Corrupt" 2.2: closing any descriptor of the database file drops all of this process's POSIX
    # locks on it. The header check used to open() and close() the file for every new handle, so another process
    # closing its connection took the database for unused and deleted the write-ahead log this process was using
    # (seen in `make test` as "disk I/O error" and "database disk image is malformed" in notebooks 05 and 06).
    path = tmp_path / "embeddings.sqlite"
    first = cache.EmbeddingCache(path)
    first.put_many({"k": np.ones(4)})
    assert Path(f"{path}-wal").exists()
    second = cache.EmbeddingCache(path)  # a second model in the same notebook
    other_process = ("import sys; from pathlib import Path; from embedlab.cache import EmbeddingCache; "
                     "c = EmbeddingCache(Path(sys.argv[1])); len(c); c.close()")
    subprocess.run([sys.executable, "-c", other_process, str(path)], check=True, timeout=120)
    assert Path(f"{path}-wal").exists(), "another process deleted the WAL while this one still had the cache open"
    first.put_many({"after": np.ones(4)})
    assert set(second.get_many(["k", "after"])) == {"k", "after"}
    first.close()
    second.close()


def test_a_passing_malformed_error_does_not_move_a_sound_file(cache_root: Path) -> None:
    path = cache_root / "embeddings.sqlite"
    cache_root.mkdir(parents=True)
    store = cache.EmbeddingCache(path)
    store.put_many({"k": np.ones(2)})
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise cache.sqlite3.DatabaseError("database disk image is malformed")
        return "done"

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CacheCorruptedWarning: the file is sound
        assert store._run(flaky) == "done"
    assert len(calls) == 2 and _asides(cache_root) == []
    assert list(store.get_many(["k"])) == ["k"]
    store.close()
