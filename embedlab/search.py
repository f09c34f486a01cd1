"""Dense retrieval in a few lines: score every document, keep the best ``k``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def top_k(query_vectors: np.ndarray, doc_vectors: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the ``k`` highest dot products per query, best first.

    With unit-length vectors (``encode(..., normalize=True)``) the dot product is the cosine.
    ``k`` is a whole number of at least 1; a ``k`` larger than the number of documents returns them all.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a whole number of documents, got {k!r} ({type(k).__name__})")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    q = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
    d = np.atleast_2d(np.asarray(doc_vectors, dtype=np.float32))
    if q.shape[1] != d.shape[1]:
        raise ValueError(f"query dimension {q.shape[1]} != document dimension {d.shape[1]}")
    k = int(min(k, d.shape[0]))
    scores = q @ d.T
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(part_scores, order, axis=1)


def dense_run(query_ids: Sequence[str], query_vectors: np.ndarray, doc_ids: Sequence[str],
              doc_vectors: np.ndarray, k: int = 10) -> dict[str, list[str]]:
    """A run ``{query id: [doc ids, best first]}`` for :func:`embedlab.metrics.evaluate_run`."""
    if len(query_ids) != len(query_vectors) or len(doc_ids) != len(doc_vectors):
        raise ValueError("ids and vectors must have the same length")
    idx, _ = top_k(query_vectors, doc_vectors, k)
    return {qid: [doc_ids[j] for j in row] for qid, row in zip(query_ids, idx)}


def qa_retrieval_set(dataset, n_questions: int | None = None, seed: int = 0):
    """A retrieval task from a SQuAD-layout set: unique paragraphs, answerable questions, gold paragraph.

    ``corpus`` holds every paragraph once (by its stable id); each question's only relevant
    document is the paragraph it was written about. ``n_questions`` draws that many questions
    at random (fixed ``seed``); ``None`` keeps them all.
    """
    from .data import QADataset, RetrievalSet

    if not isinstance(dataset, QADataset):
        raise TypeError(f"expected a QADataset (from embedlab.data.load_squad), got {type(dataset).__name__}")
    questions = dataset.answerable()
    if n_questions is not None:
        if n_questions < 1:
            raise ValueError("n_questions must be at least 1 (or None for all)")
        rng = np.random.default_rng(seed)
        keep = sorted(rng.choice(len(questions), size=min(n_questions, len(questions)), replace=False))
        questions = [questions[i] for i in keep]
    corpus = {p.id: p.context for p in dataset.paragraphs}
    queries = {q.id: q.text for q in questions}
    qrels = {q.id: {q.paragraph_id: 1} for q in questions}
    return RetrievalSet(corpus, queries, qrels)
