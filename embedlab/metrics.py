"""Similarity and evaluation metrics, written to be read (and checked against libraries in tests).

* similarity: :func:`cosine_matrix`, :func:`dot_matrix`, :func:`euclidean_matrix`
* correlation: :func:`rankdata`, :func:`pearson`, :func:`spearman`
* retrieval: :func:`recall_at_k`, :func:`mrr_at_k`, :func:`ndcg_at_k`, :func:`evaluate_run`
* uncertainty: :func:`bootstrap_ci`
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def _as_2d(x: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a vector or a matrix, got shape {arr.shape}")
    return arr


def cosine_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b`` (``a`` with itself if omitted)."""
    a = _as_2d(a, "a")
    b = a if b is None else _as_2d(b, "b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"dimension mismatch: {a.shape[1]} vs {b.shape[1]}")
    an = np.linalg.norm(a, axis=1, keepdims=True)
    bn = np.linalg.norm(b, axis=1, keepdims=True)
    if (an == 0).any() or (bn == 0).any():
        raise ValueError("cosine similarity is undefined for a zero vector")
    return (a / an) @ (b / bn).T


def dot_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Dot product of every row of ``a`` with every row of ``b``."""
    a = _as_2d(a, "a")
    b = a if b is None else _as_2d(b, "b")
    return a @ b.T


def euclidean_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Euclidean distance between every row of ``a`` and every row of ``b``."""
    a = _as_2d(a, "a")
    b = a if b is None else _as_2d(b, "b")
    sq = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(sq, 0, None))


def rankdata(x: Sequence[float] | np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties get the average of the ranks they span (as ``scipy.stats.rankdata``)."""
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype=np.float64)
    sorted_x = x[order]
    start = 0
    while start < len(x):
        end = start
        while end + 1 < len(x) and sorted_x[end + 1] == sorted_x[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def pearson(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Pearson correlation of two equally long sequences."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"need two 1-d sequences of equal length, got {x.shape} and {y.shape}")
    if len(x) < 2:
        raise ValueError("correlation needs at least two points")
    xc, yc = x - x.mean(), y - y.mean()
    denom = np.sqrt((xc**2).sum() * (yc**2).sum())
    if denom == 0:
        raise ValueError("correlation is undefined when one sequence is constant")
    return float((xc * yc).sum() / denom)


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Spearman rank correlation: the Pearson correlation of the ranks."""
    return pearson(rankdata(x), rankdata(y))


def _check_k(k: int) -> None:
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int] | set[str], k: int) -> float:
    """Share of the relevant documents found in the top ``k`` of ``ranked``."""
    _check_k(k)
    rel = {d for d in relevant if (relevant[d] > 0 if isinstance(relevant, Mapping) else True)}
    if not rel:
        raise ValueError("recall is undefined for a query with no relevant document")
    return len(rel.intersection(ranked[:k])) / len(rel)


def mrr_at_k(ranked: Sequence[str], relevant: Mapping[str, int] | set[str], k: int) -> float:
    """1 / rank of the first relevant document within the top ``k`` (0 if none)."""
    _check_k(k)
    for rank, doc in enumerate(ranked[:k], 1):
        if doc in relevant and (relevant[doc] > 0 if isinstance(relevant, Mapping) else True):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int] | set[str], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` (linear gains, as in trec_eval and BEIR)."""
    _check_k(k)
    gains = dict(relevant) if isinstance(relevant, Mapping) else {d: 1 for d in relevant}
    dcg = sum(gains.get(doc, 0) / np.log2(rank + 1) for rank, doc in enumerate(ranked[:k], 1))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / np.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    if idcg == 0:
        raise ValueError("nDCG is undefined for a query with no relevant document")
    return float(dcg / idcg)


def evaluate_run(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]],
                 ks: Sequence[int] = (1, 5, 10)) -> dict[str, float]:
    """Mean recall@k (each k), MRR@10 and nDCG@10 of a run ``{query id: ranked doc ids}``.

    Every query in ``qrels`` counts; a query missing from ``run`` scores 0.
    """
    if not qrels:
        raise ValueError("qrels is empty")
    names = [f"recall@{k}" for k in ks] + ["MRR@10", "nDCG@10"]
    per_query = {name: [] for name in names}
    for qid, rel in qrels.items():
        ranked = list(run.get(qid, []))
        for k in ks:
            per_query[f"recall@{k}"].append(recall_at_k(ranked, rel, k))
        per_query["MRR@10"].append(mrr_at_k(ranked, rel, 10))
        per_query["nDCG@10"].append(ndcg_at_k(ranked, rel, 10))
    return {name: float(np.mean(values)) for name, values in per_query.items()}


def bootstrap_ci(values: Sequence[float] | np.ndarray, *, confidence: float = 0.95, n_resamples: int = 2000,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean of ``values`` (e.g. per-question hits)."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError("bootstrap needs a 1-d sequence of at least two values")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n_resamples, len(values)))].mean(axis=1)
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))
