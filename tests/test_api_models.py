"""The OpenAI adapter, with a fake client (no network, no key)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from embedlab.api_models import OpenAIEmbedder, openai_key_present, openai_status


class FakeEmbeddings:
    """Records calls; returns deterministic vectors (in shuffled order, as indices allow)."""

    def __init__(self, dim: int) -> None:
        self.dim, self.calls = dim, []

    def create(self, *, model, input, dimensions=None):
        self.calls.append({"model": model, "input": list(input), "dimensions": dimensions})
        size = dimensions or self.dim
        rows = [SimpleNamespace(index=i, embedding=[float(len(t))] + [float(i + 1)] * (size - 1))
                for i, t in enumerate(input)]
        return SimpleNamespace(data=list(reversed(rows)))


def fake_client(dim: int = 1536) -> SimpleNamespace:
    return SimpleNamespace(embeddings=FakeEmbeddings(dim))


def test_encode_passes_dimensions_and_keeps_order() -> None:
    client = fake_client()
    model = OpenAIEmbedder("text-embedding-3-small", dimensions=256, client=client, use_cache=False)
    vecs = model.encode(["a", "bbb"], normalize=False)
    assert vecs.shape == (2, 256) and model.dim == 256
    # encode sends the longest text first (batches of similar length); the rows come back in input order
    assert client.embeddings.calls == [{"model": "text-embedding-3-small", "input": ["bbb", "a"], "dimensions": 256}]
    assert vecs[0, 0] == 1.0 and vecs[1, 0] == 3.0  # rows back in input order despite reversed response
    unit = model.encode(["a", "bbb"])
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0, rtol=1e-6)


def test_native_size_omits_dimensions_and_names_differ() -> None:
    client = fake_client(3072)
    full = OpenAIEmbedder("text-embedding-3-large", client=client, use_cache=False)
    assert full.dim == 3072
    full.encode("x")
    assert client.embeddings.calls[0]["dimensions"] is None
    short = OpenAIEmbedder("text-embedding-3-large", dimensions=512, client=client, use_cache=False)
    assert short.name != full.name and short.revision != full.revision


@pytest.mark.parametrize("dims", [0, 1537, 2.5, "256"])
def test_bad_dimensions_rejected(dims) -> None:
    with pytest.raises(ValueError, match="dimensions"):
        OpenAIEmbedder("text-embedding-3-small", dimensions=dims, client=fake_client())


def test_unknown_model_and_ada_dimensions_rejected() -> None:
    with pytest.raises(ValueError, match="unknown OpenAI"):
        OpenAIEmbedder("gpt-4", client=fake_client())
    with pytest.raises(ValueError, match="does not support"):
        OpenAIEmbedder("text-embedding-ada-002", dimensions=256, client=fake_client())


def test_wrong_response_shape_is_reported() -> None:
    client = fake_client()
    client.embeddings.create = lambda **kw: SimpleNamespace(data=[SimpleNamespace(index=0, embedding=[1.0] * 256)])
    model = OpenAIEmbedder(dimensions=256, client=client, use_cache=False)
    with pytest.raises(RuntimeError, match="returned 1 vectors for 2 texts"):
        model.encode(["a", "b"])


def test_no_key_no_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert not openai_key_present()
    assert openai_status() == "OPENAI_API_KEY is not set"
    with pytest.raises(RuntimeError, match="OPENAI_API_KEY is not set"):
        OpenAIEmbedder()


def test_cache_keeps_sizes_apart(cache_root) -> None:
    client = fake_client()
    a = OpenAIEmbedder(dimensions=8, client=client)
    b = OpenAIEmbedder(dimensions=16, client=client)
    assert a.encode("same text").shape == (8,)
    assert b.encode("same text").shape == (16,)
    a.encode("same text")
    assert len(client.embeddings.calls) == 2  # the third call came from the cache
