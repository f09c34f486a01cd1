"""load_model: the offline models answer one interface; unavailable models fail fast and clearly."""

from __future__ import annotations

import time

import numpy as np
import pytest

import embedlab
from embedlab import env, models
from embedlab.models import ModelUnavailable, load_model

OFFLINE = ["all-MiniLM-L6-v2", "multilingual-e5-small", "glove-6B-50d"]


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
    assert [loaded[n].dim for n in OFFLINE] == [384, 384, 50]


def test_minilm_is_the_official_release(loaded) -> None:
    assert loaded["all-MiniLM-L6-v2"].revision == models.MINILM_HF_REVISION
    ours = loaded["all-MiniLM-L6-v2"].encode(["hello world"])
    theirs = loaded["all-MiniLM-L6-v2"].model.encode(["hello world"], normalize_embeddings=True)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_e5_embeds_queries_and_passages_differently(loaded) -> None:
    e5 = loaded["multilingual-e5-small"]
    q, p = e5.encode_queries("how do I reset my password"), e5.encode_documents("how do I reset my password")
    assert not np.allclose(q, p) and float(q @ p) > 0.8


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
    assert "Available offline: all-MiniLM-L6-v2, multilingual-e5-small, glove-6B-50d" in str(err.value)


def test_catalogue_is_consistent() -> None:
    assert set(models.available_offline()) == set(OFFLINE)
    for card in models.CATALOGUE.values():
        assert card.offline == (card.provider != "hub")
        assert "/" in card.hub_id or card.provider == "glove-package"
    assert embedlab.ONLINE in (True, False)
