"""Similarity and evaluation metrics, written to be read (and checked against libraries in tests).

* similarity: :func:`cosine_matrix`, :func:`dot_matrix`, :func:`euclidean_matrix`
* correlation: :func:`rankdata`, :func:`pearson`, :func:`spearman`
* retrieval: :func:`recall_at_k`, :func:`mrr_at_k`, :func:`ndcg_at_k`, :func:`evaluate_run`
* uncertainty: :func:`bootstrap_ci`

Relevance, one contract for every retrieval metric (see :func:`graded_relevance`): the
documents relevant to a query are given as

* one document id, ``"p12"`` (the format lab 05 uses: one gold paragraph per question);
* a set of ids, ``{"p12", "p40"}`` (a list or tuple of ids is read the same way);
* a dict of graded relevance, ``{"p12": 2, "p40": 1, "p7": 0}`` (a grade of 0 or less means
  judged *not* relevant; nDCG uses the grades as gains, the other metrics only ask "grade > 0").

A string is always one id, never a collection of characters. A ranking is a list of ids,
best first, each id at most once. A query with no relevant document raises ``ValueError`` in
every metric (its score would be undefined, and counting it as 0 would drag the mean down).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from numbers import Real
from typing import Union

import numpy as np

#: One query's relevance judgments: an id, a collection of ids, or ``{id: grade}``.
Relevance = Union[str, int, Collection, Mapping]


def _as_2d(x: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a vector or a matrix, got shape {arr.shape}")
    return arr


def _pair(a: np.ndarray, b: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` (``a`` itself when omitted) as 2-d arrays with the same number of columns."""
    a = _as_2d(a, "a")
    b = a if b is None else _as_2d(b, "b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"dimension mismatch: a has {a.shape[1]} dimensions, b has {b.shape[1]} "
                         f"(shapes {a.shape} and {b.shape}); compare vectors of the same model and size")
    return a, b


def cosine_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b`` (``a`` with itself if omitted)."""
    a, b = _pair(a, b)
    an = np.linalg.norm(a, axis=1, keepdims=True)
    bn = np.linalg.norm(b, axis=1, keepdims=True)
    if (an == 0).any() or (bn == 0).any():
        raise ValueError("cosine similarity is undefined for a zero vector")
    return (a / an) @ (b / bn).T


def dot_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Dot product of every row of ``a`` with every row of ``b``."""
    a, b = _pair(a, b)
    return a @ b.T


def euclidean_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Euclidean distance between every row of ``a`` and every row of ``b``."""
    a, b = _pair(a, b)
    sq = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(sq, 0, None))


def _no_nan(x: np.ndarray, name: str, *, finite: bool = False) -> np.ndarray:
    bad = ~np.isfinite(x) if finite else np.isnan(x)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} contains {x[first]} at position {first} ({int(bad.sum())} such value(s)); "
                         "a correlation needs real numbers: drop or fix those entries first")
    return x


def rankdata(x: Sequence[float] | np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties get the average of the ranks they span (as ``scipy.stats.rankdata``).

    NaN has no rank: it raises ``ValueError`` (scipy would return all-NaN ranks).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"rankdata needs a 1-d sequence, got shape {x.shape}")
    _no_nan(x, "x")
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
    """Pearson correlation of two equally long sequences (NaN or infinity raises ``ValueError``)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"need two 1-d sequences of equal length, got {x.shape} and {y.shape}")
    _no_nan(x, "x", finite=True)
    _no_nan(y, "y", finite=True)
    if len(x) < 2:
        raise ValueError("correlation needs at least two points")
    xc, yc = x - x.mean(), y - y.mean()
    denom = np.sqrt((xc**2).sum() * (yc**2).sum())
    if denom == 0:
        raise ValueError("correlation is undefined when one sequence is constant")
    return float((xc * yc).sum() / denom)


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Spearman rank correlation: the Pearson correlation of the ranks (NaN raises ``ValueError``)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"need two 1-d sequences of equal length, got {x.shape} and {y.shape}")
    _no_nan(x, "x")
    _no_nan(y, "y")
    return pearson(rankdata(x), rankdata(y))


def _check_k(k: int, name: str = "k") -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{name} must be a positive integer, got {k!r}")


def _is_id(x: object) -> bool:
    return isinstance(x, (str, np.integer)) or (isinstance(x, int) and not isinstance(x, bool))


def graded_relevance(relevant: Relevance) -> dict:
    """One query's relevance judgments as ``{doc id: grade}``; relevant means grade > 0.

    ``"p12"`` (one id) gives ``{"p12": 1}``; ``{"p12", "p40"}`` (a set, list or tuple of ids)
    gives grade 1 to each; a dict ``{id: grade}`` is kept as it is (grades are numbers). A string
    is one id: its characters are never read as ids.
    """
    if _is_id(relevant):
        return {relevant: 1}
    if isinstance(relevant, Mapping):
        grades = dict(relevant)
        for doc, grade in grades.items():
            if not _is_id(doc):
                raise TypeError(f"relevance judgments: document ids are strings (or integers), got {doc!r}")
            if isinstance(grade, bool) or not isinstance(grade, (Real, np.number)) or np.isnan(grade):
                raise TypeError(f"relevance judgments: the grade of {doc!r} must be a number, got {grade!r}")
        return grades
    if isinstance(relevant, (set, frozenset, list, tuple)):
        for doc in relevant:
            if not _is_id(doc):
                raise TypeError(f"relevant documents: ids are strings (or integers), got {doc!r} "
                                f"({type(doc).__name__}) in {type(relevant).__name__} {relevant!r}")
        return {doc: 1 for doc in relevant}
    raise TypeError("relevant must be one document id (a string), a set of ids, or a dict {id: grade}; "
                    f"got {type(relevant).__name__} {relevant!r}")


def _relevant(relevant: Relevance, metric: str) -> dict:
    """The graded judgments, which must hold at least one relevant document (grade > 0)."""
    grades = graded_relevance(relevant)
    if not any(g > 0 for g in grades.values()):
        raise ValueError(f"{metric} is undefined for a query with no relevant document "
                         f"(relevance judgments {grades!r})")
    return grades


def _ranking(ranked: Sequence[str]) -> list:
    """``ranked`` as a list of ids, checked: ordered, not a string, each id at most once."""
    if isinstance(ranked, (str, bytes)):
        raise TypeError(f"ranked must be a list of document ids, best first, not a string ({ranked!r}); "
                        f"for a single document write [{ranked!r}]")
    if isinstance(ranked, Mapping) or isinstance(ranked, (set, frozenset)):
        raise TypeError(f"ranked must be an ordered list of document ids, best first, got {type(ranked).__name__}"
                        + (" (a whole run? pass one query's list, run[qid], or use evaluate_run)"
                           if isinstance(ranked, Mapping) else ""))
    docs = list(ranked)
    seen: dict = {}
    for rank, doc in enumerate(docs, 1):
        if not _is_id(doc):
            raise TypeError(f"ranked: document ids are strings (or integers), got {doc!r} at rank {rank}")
        if doc in seen:
            raise ValueError(f"ranked lists {doc!r} twice (ranks {seen[doc]} and {rank}); a ranking holds each "
                             "document once (remove the repeats, keeping the first)")
        seen[doc] = rank
    return docs


def recall_at_k(ranked: Sequence[str], relevant: Relevance, k: int) -> float:
    """Share of the relevant documents found in the top ``k`` of ``ranked``.

    ``relevant``: one id, a set of ids, or ``{id: grade}`` (see the module docstring).
    Raises ``ValueError`` when the query has no relevant document, as :func:`mrr_at_k` and
    :func:`ndcg_at_k` do.
    """
    _check_k(k)
    docs = _ranking(ranked)
    rel = {d for d, g in _relevant(relevant, "recall").items() if g > 0}
    return len(rel.intersection(docs[:k])) / len(rel)


def mrr_at_k(ranked: Sequence[str], relevant: Relevance, k: int) -> float:
    """1 / rank of the first relevant document within the top ``k`` (0 if none is there).

    ``relevant``: one id, a set of ids, or ``{id: grade}`` (see the module docstring); ids are
    compared whole (``"p1"`` is not ``"p12"``). Raises ``ValueError`` when the query has no relevant
    document at all, as :func:`recall_at_k` and :func:`ndcg_at_k` do.
    """
    _check_k(k)
    docs = _ranking(ranked)
    grades = _relevant(relevant, "MRR")
    for rank, doc in enumerate(docs[:k], 1):
        if grades.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Relevance, k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` (linear gains, as in trec_eval and BEIR).

    ``relevant``: one id, a set of ids (gain 1 each), or ``{id: grade}`` (the grade is the gain).
    Raises ``ValueError`` when the query has no relevant document, as :func:`recall_at_k` and
    :func:`mrr_at_k` do, and when ``ranked`` lists a document twice.
    """
    _check_k(k)
    docs = _ranking(ranked)
    gains = _relevant(relevant, "nDCG")
    dcg = sum(gains.get(doc, 0) / np.log2(rank + 1) for rank, doc in enumerate(docs[:k], 1))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / np.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return float(dcg / idcg)


def evaluate_run(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Relevance],
                 ks: Sequence[int] = (1, 5, 10)) -> dict[str, float]:
    """Mean recall@k (each k), MRR@10 and nDCG@10 of a run ``{query id: ranked doc ids}``.

    ``qrels`` maps each query id to its relevant documents in any form the metrics take: one id
    (``{"q1": "p12"}``), a set of ids, or ``{id: grade}``. Every query in ``qrels`` counts; a query
    missing from ``run`` scores 0. A query with no relevant document raises ``ValueError``.
    """
    if not isinstance(run, Mapping):
        raise TypeError(f"run must be a dict {{query id: [doc ids, best first]}}, got {type(run).__name__}")
    if not isinstance(qrels, Mapping):
        raise TypeError(f"qrels must be a dict {{query id: relevant documents}}, got {type(qrels).__name__}")
    if not qrels:
        raise ValueError("qrels is empty")
    for k in ks:
        _check_k(k, "every k in ks")
    names = [f"recall@{k}" for k in ks] + ["MRR@10", "nDCG@10"]
    per_query = {name: [] for name in names}
    for qid, rel in qrels.items():
        try:
            ranked = _ranking(run.get(qid, []))
            for k in ks:
                per_query[f"recall@{k}"].append(recall_at_k(ranked, rel, k))
            per_query["MRR@10"].append(mrr_at_k(ranked, rel, 10))
            per_query["nDCG@10"].append(ndcg_at_k(ranked, rel, 10))
        except (TypeError, ValueError) as err:
            raise type(err)(f"query {qid!r}: {err}") from None
    return {name: float(np.mean(values)) for name, values in per_query.items()}


def bootstrap_ci(values: Sequence[float] | np.ndarray, *, confidence: float = 0.95, n_resamples: int = 2000,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean of ``values`` (e.g. per-question hits).

    ``n_resamples`` must be an integer of at least 100 (as :meth:`embedlab.sts.STSResult.interval`):
    fewer leave too few means in each 2.5 % tail to place the interval's ends.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError("bootstrap needs a 1-d sequence of at least two values")
    if not np.isfinite(values).all():
        first = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"values contains {values[first]} at position {first}; the mean needs real numbers")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)):
        raise ValueError(f"n_resamples must be a whole number, got {n_resamples!r}")
    if n_resamples < 100:
        raise ValueError(f"n_resamples must be at least 100, got {n_resamples}")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n_resamples, len(values)))].mean(axis=1)
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))
