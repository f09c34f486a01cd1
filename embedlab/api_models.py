"""An optional adapter for OpenAI's embedding API (``text-embedding-3-*``), behind the course's Embedder.

The course runs offline; this adapter only matters to a learner with an API key. It
lets notebook 04 run the same dimension experiment on ``text-embedding-3-small`` with
``dimensions=`` (256, 512, ...), which OpenAI trained Matryoshka-style so that shortened
vectors keep most of their quality.

Nothing here reads a key from code: the ``openai`` client takes ``OPENAI_API_KEY`` from
the environment. Tests pass a fake client (anything with ``.embeddings.create``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .models import Embedder

#: Native sizes of OpenAI's embedding models (``dimensions=`` may ask for fewer).
OPENAI_DIMS: dict[str, int] = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


def openai_key_present() -> bool:
    """True when ``OPENAI_API_KEY`` is set (to something non-empty)."""
    return bool(os.environ.get("OPENAI_API_KEY", "").strip())


def openai_status() -> str:
    """``"ready"``, or a sentence saying why the API model cannot be used here."""
    if not openai_key_present():
        return "OPENAI_API_KEY is not set"
    try:
        import openai  # noqa: F401
    except ImportError:
        return "the openai package is not installed (pip install openai)"
    from . import env

    if not env.is_online():
        return "this machine is offline"
    return "ready"


class OpenAIEmbedder(Embedder):
    """``text-embedding-3-*`` through the OpenAI client, optionally shortened with ``dimensions``.

    ``client`` defaults to ``openai.OpenAI()`` (which reads ``OPENAI_API_KEY``). The
    cache key includes the model and ``dimensions``, so different sizes never mix.
    """

    def __init__(self, model: str = "text-embedding-3-small", *, dimensions: int | None = None,
                 client: Any = None, use_cache: bool = True) -> None:
        super().__init__(use_cache)
        if model not in OPENAI_DIMS:
            raise ValueError(f"unknown OpenAI embedding model {model!r}; known: {', '.join(OPENAI_DIMS)}")
        native = OPENAI_DIMS[model]
        if dimensions is not None:
            if model == "text-embedding-ada-002":
                raise ValueError("text-embedding-ada-002 does not support dimensions=; use text-embedding-3-*")
            if not isinstance(dimensions, (int, np.integer)) or not 1 <= dimensions <= native:
                raise ValueError(f"dimensions must be an integer from 1 to {native} for {model}, got {dimensions!r}")
        if client is None:
            if not openai_key_present():
                raise RuntimeError("OPENAI_API_KEY is not set; export it in your shell (never write it in a notebook)")
            import openai

            client = openai.OpenAI()
        self.client = client
        self.model_id = model
        self.dimensions = int(dimensions) if dimensions is not None else None
        self.dim = self.dimensions or native
        self.name = f"openai:{model}" + (f"@{self.dimensions}" if self.dimensions else "")
        self.revision = f"openai-{model}-{self.dim}"

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        kwargs: dict[str, Any] = {"model": self.model_id, "input": texts}
        if self.dimensions is not None:
            kwargs["dimensions"] = self.dimensions
        response = self.client.embeddings.create(**kwargs)
        rows = sorted(response.data, key=lambda item: item.index)
        if len(rows) != len(texts):
            raise RuntimeError(f"the API returned {len(rows)} vectors for {len(texts)} texts")
        out = np.asarray([row.embedding for row in rows], dtype=np.float32)
        if out.shape != (len(texts), self.dim):
            raise RuntimeError(f"the API returned vectors of shape {out.shape}, expected {(len(texts), self.dim)}")
        return out
