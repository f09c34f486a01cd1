"""Dense retrieval in a few lines: score every document, keep the best ``k``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def top_k(query_vectors: np.ndarray, doc_vectors: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the ``k`` highest dot products per query, best first.

    With unit-length vectors (``encode(..., normalize=True)``) the dot product is the cosine.
    """
    q = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
    d = np.atleast_2d(np.asarray(doc_vectors, dtype=np.float32))
    if q.shape[1] != d.shape[1]:
        raise ValueError(f"query dimension {q.shape[1]} != document dimension {d.shape[1]}")
    if k < 1:
        raise ValueError("k must be at least 1")
    k = min(k, d.shape[0])
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
