"""ModelScope fallback and LlamaIndex plumbing (no network: fake hub modules, the local MiniLM folder)."""

from __future__ import annotations

import sys
import time
from types import ModuleType

import numpy as np
import pytest

from embedlab import env, frameworks


def fake_modelscope(monkeypatch: pytest.MonkeyPatch, behaviour) -> list:
    calls: list = []
    module = ModuleType("modelscope")

    def snapshot_download(model_id, revision=None):
        calls.append((model_id, revision))
        return behaviour(model_id)

    module.snapshot_download = snapshot_download
    monkeypatch.setitem(sys.modules, "modelscope", module)
    return calls


def test_modelscope_success_returns_its_folder(monkeypatch, tmp_path, capsys) -> None:
    calls = fake_modelscope(monkeypatch, lambda mid: str(tmp_path / mid))
    snap = frameworks.modelscope_snapshot("BAAI/bge-small-zh-v1.5", revision="v1")
    assert calls == [("BAAI/bge-small-zh-v1.5", "v1")]
    assert snap.source == "modelscope" and not snap.fell_back
    assert snap.folder == tmp_path / "BAAI/bge-small-zh-v1.5"
    assert "ModelScope" in capsys.readouterr().out


def test_modelscope_failure_falls_back_with_message(monkeypatch, capsys) -> None:
    def fail(mid):
        raise ConnectionError("Failed to resolve 'modelscope.cn'")

    fake_modelscope(monkeypatch, fail)
    snap = frameworks.modelscope_snapshot("BAAI/bge-m3")
    assert snap.fell_back and snap.folder == frameworks.minilm_folder()
    assert (snap.folder / "config.json").exists()
    out = capsys.readouterr().out
    assert "'BAAI/bge-m3' failed" in out and "ConnectionError" in out and "all-MiniLM-L6-v2" in out
    with pytest.raises(ConnectionError):
        frameworks.modelscope_snapshot("BAAI/bge-m3", fallback=False)


@pytest.mark.parametrize("bad", ["bge-m3", "a/b/c", "/x", "", None])
def test_modelscope_bad_id(bad) -> None:
    with pytest.raises(ValueError, match="organisation/name"):
        frameworks.modelscope_snapshot(bad)


@pytest.mark.skipif(env.is_online(), reason="measures the offline fallback")
def test_real_modelscope_offline_fallback_is_fast() -> None:
    pytest.importorskip("modelscope")
    import modelscope  # noqa: F401  (import time is not what we measure)

    started = time.perf_counter()
    snap = frameworks.modelscope_snapshot("BAAI/bge-small-zh-v1.5", verbose=False)
    assert snap.fell_back
    assert time.perf_counter() - started < 2.0, "offline ModelScope should fail fast (retry variables)"


def test_llamaindex_retrieval_matches_sentence_transformers() -> None:
    pytest.importorskip("llama_index.embeddings.huggingface")
    from llama_index.core import Settings
    from sentence_transformers import SentenceTransformer

    embed = frameworks.huggingface_embedding(normalize=True)
    frameworks.use_local_settings(embed)
    assert Settings.embed_model is embed
    docs = {"pw": "How to reset a forgotten password", "cat": "A cat sleeps on the sofa",
            "rain": "Heavy rain is expected tomorrow"}
    index = frameworks.build_index(docs)
    hits = frameworks.retrieve(index, "I forgot my password", k=2)
    assert [h[0] for h in hits][0] == "pw" and len(hits) == 2
    st = SentenceTransformer(str(frameworks.minilm_folder()), device="cpu")
    q, d = st.encode(["I forgot my password", docs["pw"]], normalize_embeddings=True)
    assert hits[0][1] == pytest.approx(float(q @ d), abs=1e-4)
    v = np.asarray(embed.get_text_embedding("hello"))
    assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5)


def test_llamaindex_bad_input(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="not a model folder"):
        frameworks.huggingface_embedding(tmp_path)
    with pytest.raises(ValueError, match="no documents"):
        frameworks.build_index({})
    with pytest.raises(ValueError, match="empty"):
        frameworks.build_index({"a": "  "})
    with pytest.raises(ValueError, match="embed_model is None"):
        frameworks.use_local_settings(None)
