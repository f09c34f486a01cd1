"""Plumbing for notebook 09 (training and fine-tuning): training pairs, evaluation subsets, BM25 hard negatives,
a reference InfoNCE, fresh output folders and a cached embedder for a fine-tuned folder.

The notebook itself calls the real APIs (``BertForMaskedLM``, ``SentenceTransformerTrainer``,
``MultipleNegativesRankingLoss``); this module only prepares data and keeps the bookkeeping honest:

* :func:`scifact_pairs` / :func:`cmrc_pairs` turn a labelled set into (query, positive) training pairs;
* :func:`eval_subset` builds a smaller evaluation task (every relevant document of the kept queries plus a
  fixed random sample of distractors) and says how it was built;
* :func:`mine_bm25_negatives` picks, for each query, the best-scoring BM25 document that is not labelled relevant;
* :func:`info_nce` is the reference the lab's checker uses (checked against sentence-transformers in the tests);
* :func:`new_output_dir` never reuses a folder, and :func:`load_folder` gives a fine-tuned folder its own cache key
  (a hash of its weights), so its vectors are never confused with the base model's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .env import PROJECT_ROOT

#: Where fine-tuned models go by default (inside the project's build folder, which git ignores).
FINETUNED_ROOT = PROJECT_ROOT / "build" / "finetuned"


@dataclass(frozen=True)
class PairSet:
    """Training pairs: ``anchors[i]`` (a query) goes with ``positives[i]`` (a relevant text).

    ``query_ids[i]`` and ``doc_ids[i]`` say where each pair came from.
    """

    anchors: list[str]
    positives: list[str]
    query_ids: list[str]
    doc_ids: list[str]

    def __len__(self) -> int:
        return len(self.anchors)


def _check_limit(n: int | None, name: str) -> None:
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"{name} must be a whole number of at least 1, or None for all; got {n!r}")


def _sample(items: list, n: int | None, seed: int) -> list:
    if n is None or n >= len(items):
        return list(items)
    keep = np.sort(np.random.default_rng(seed).choice(len(items), size=n, replace=False))
    return [items[i] for i in keep]


def scifact_pairs(split: str = "train", n_pairs: int | None = None, seed: int = 0) -> PairSet:
    """(claim, relevant abstract) pairs from SciFact's qrels (``split`` ``"train"``: 919 pairs, 809 claims).

    ``n_pairs`` draws that many pairs at random with ``seed`` (None keeps them all, in qrels order).
    """
    from .data import load_scifact

    _check_limit(n_pairs, "n_pairs")
    data = load_scifact(split)
    rows = [(q, d) for q, rel in data.qrels.items() if q in data.queries for d, grade in rel.items()
            if grade > 0 and d in data.corpus]
    rows = _sample(rows, n_pairs, seed)
    return PairSet([data.queries[q] for q, _ in rows], [data.corpus[d] for _, d in rows],
                   [q for q, _ in rows], [d for _, d in rows])


def cmrc_pairs(split: str = "trial", n_pairs: int | None = None, seed: int = 0) -> PairSet:
    """(question, its paragraph) pairs from CMRC 2018 (``"trial"``: 1,002 questions on 256 paragraphs).

    Several questions share a paragraph, so train with a batch sampler that keeps duplicates out of a batch
    (``BatchSamplers.NO_DUPLICATES``): otherwise a paragraph can be its own in-batch "negative".
    """
    from .data import load_cmrc2018

    _check_limit(n_pairs, "n_pairs")
    data = load_cmrc2018(split)
    rows = _sample([(q.id, q.paragraph_id) for q in data.answerable()], n_pairs, seed)
    text = {q.id: q.text for q in data.questions}
    return PairSet([text[q] for q, _ in rows], [data.paragraph(p).context for _, p in rows],
                   [q for q, _ in rows], [p for _, p in rows])


@dataclass(frozen=True)
class EvalSubset:
    """A retrieval task: ``corpus`` {id: text}, ``queries`` {id: text}, ``qrels`` {query id: {doc id: grade}}."""

    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    full_corpus_size: int
    full_query_count: int

    @property
    def is_subset(self) -> bool:
        return len(self.corpus) < self.full_corpus_size or len(self.queries) < self.full_query_count

    def describe(self, name: str) -> str:
        """One line saying what is searched, with the caveat when it is a subset."""
        line = (f"{name}: {len(self.queries):,} of {self.full_query_count:,} queries over {len(self.corpus):,} of "
                f"{self.full_corpus_size:,} documents")
        if self.is_subset:
            line += (" (a SUBSET: every relevant document plus random distractors; fewer distractors make the task "
                     "easier, so these scores are higher than on the full set; compare systems within this table only)")
        return line


def eval_subset(corpus: Mapping[str, str], queries: Mapping[str, str], qrels: Mapping[str, Mapping[str, int]], *,
                n_queries: int | None = None, n_distractors: int | None = None, seed: int = 0) -> EvalSubset:
    """Keep ``n_queries`` random queries, all their relevant documents, and ``n_distractors`` other random documents.

    ``None`` keeps every query / the whole corpus. The sample depends only on ``seed``, so every model is evaluated
    on the same documents.
    """
    _check_limit(n_queries, "n_queries")
    if n_distractors is not None and (isinstance(n_distractors, bool) or not isinstance(n_distractors, (int, np.integer))
                                      or n_distractors < 0):
        raise ValueError(f"n_distractors must be a whole number of at least 0, or None for the whole corpus; "
                         f"got {n_distractors!r}")
    qids = [q for q in queries if q in qrels and any(d in corpus for d in qrels[q])]
    if not qids:
        raise ValueError("no query has a relevant document in the corpus")
    qids = _sample(qids, n_queries, seed)
    relevant = {d for q in qids for d in qrels[q] if d in corpus}
    if n_distractors is None:
        keep = set(corpus)
    else:
        others = [d for d in corpus if d not in relevant]
        keep = relevant | set(_sample(others, n_distractors, seed + 1))
    return EvalSubset({d: t for d, t in corpus.items() if d in keep}, {q: queries[q] for q in qids},
                      {q: {d: g for d, g in qrels[q].items() if d in keep} for q in qids},
                      len(corpus), len([q for q in queries if q in qrels]))


def mine_bm25_negatives(anchors: Sequence[str], positive_ids: Sequence[Sequence[str] | str], corpus: Mapping[str, str],
                        *, tokenizer: Callable[[str], list[str]] | None = None, skip: int = 0) -> list[str]:
    """For each anchor, the id of the best BM25 document that is not one of its positives.

    ``positive_ids[i]`` is the id (or ids) labelled relevant for ``anchors[i]``. ``skip`` passes over that many more
    non-positive documents first (a common guard against unlabelled true positives at the very top).
    """
    from .lexical import bm25_scores
    from .text import tokenize_en

    if len(anchors) != len(positive_ids):
        raise ValueError(f"{len(anchors)} anchors but {len(positive_ids)} positive id lists")
    if isinstance(skip, bool) or not isinstance(skip, (int, np.integer)) or skip < 0:
        raise ValueError(f"skip must be a whole number of at least 0, got {skip!r}")
    doc_ids = list(corpus)
    scores = bm25_scores(corpus, {str(i): a for i, a in enumerate(anchors)}, tokenizer=tokenizer or tokenize_en)
    negatives = []
    for row, positives in zip(scores, positive_ids):
        positives = {positives} if isinstance(positives, str) else set(positives)
        ranked = (doc_ids[j] for j in np.argsort(-row, kind="stable"))
        candidates = [d for d in ranked if d not in positives]
        if len(candidates) <= skip:
            raise ValueError("the corpus has too few documents besides the positives to mine a negative")
        negatives.append(candidates[skip])
    return negatives


def info_nce(query_vectors, doc_vectors, temperature: float = 0.05):
    """InfoNCE with in-batch negatives (the reference for lab 09): a torch scalar.

    ``query_vectors`` is ``(B, d)``; ``doc_vectors`` is ``(B, d)`` (positives) or ``(k*B, d)`` (positives first,
    then hard negatives). Cosine similarity divided by ``temperature``; query ``i``'s right answer is document ``i``.
    Equal to sentence-transformers' ``MultipleNegativesRankingLoss`` with ``scale = 1 / temperature``.
    """
    import torch
    import torch.nn.functional as F

    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    q, d = torch.as_tensor(query_vectors), torch.as_tensor(doc_vectors)
    if q.ndim != 2 or d.ndim != 2 or q.shape[1] != d.shape[1] or d.shape[0] < q.shape[0]:
        raise ValueError(f"need (B, d) queries and (>=B, d) documents, got {tuple(q.shape)} and {tuple(d.shape)}")
    logits = F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T / temperature
    return F.cross_entropy(logits, torch.arange(q.shape[0], device=logits.device))


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def new_output_dir(name: str, root: str | Path | None = None) -> Path:
    """A new, empty folder ``<root>/<name>-<date>-<time>`` for one training run (created here).

    Never reuses a folder: a fine-tuned model someone saved earlier is never overwritten.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be letters, digits, '.', '_' or '-' (a folder name), got {name!r}")
    root = Path(root) if root is not None else FINETUNED_ROOT
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        folder = root / (f"{name}-{stamp}" + (f"-{n}" if n else ""))
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise RuntimeError(f"could not find a free folder name for {name!r} under {root}")  # pragma: no cover


def weights_revision(folder: str | Path) -> str:
    """A revision string for a model folder: the SHA-256 of its weights file (changes whenever training does)."""
    from .data.store import sha256_of

    folder = Path(folder)
    weights = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("pytorch_model*.bin"))
    if not weights:
        raise FileNotFoundError(f"{folder} has no model.safetensors or pytorch_model.bin: is it a saved model folder?")
    return "sha256-" + "-".join(sha256_of(w)[:16] for w in weights)


def load_folder(folder: str | Path, name: str, *, query_prefix: str = "", document_prefix: str = "",
                use_cache: bool = True, batch_size: int = 32):
    """A saved sentence-transformers folder as an :class:`embedlab.models.Embedder`, keyed in the embedding cache by
    ``name`` and the hash of its weights (:func:`weights_revision`)."""
    from .models import SentenceTransformerEmbedder

    folder = Path(folder)
    if not (folder / "modules.json").exists():
        raise FileNotFoundError(f"{folder} is not a sentence-transformers folder (no modules.json); "
                                "save one with model.save_pretrained(folder)")
    return SentenceTransformerEmbedder(name, folder, weights_revision(folder), query_prefix=query_prefix,
                                       document_prefix=document_prefix, use_cache=use_cache, batch_size=batch_size)


def per_query_ndcg(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], k: int = 10) -> np.ndarray:
    """nDCG@k of each query of ``qrels`` (in qrels order), for bootstrap intervals; uses :mod:`embedlab.metrics`."""
    from .metrics import ndcg_at_k

    return np.array([ndcg_at_k(list(run.get(q, [])), rel, k) for q, rel in qrels.items()], dtype=np.float64)


def paired_interval(a: Sequence[float], b: Sequence[float], *, n_resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``b - a`` per query and its 95% bootstrap interval (the same resampled queries for both systems)."""
    from .metrics import bootstrap_ci

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired scores need the same queries: {a.shape} vs {b.shape}")
    diff = b - a
    lo, hi = bootstrap_ci(diff, n_resamples=n_resamples, seed=seed)
    return float(diff.mean()), lo, hi
