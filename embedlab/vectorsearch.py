"""Plumbing for notebook 07 (vector search): exact top-k with clear errors, recall of an ANN result against
exact search, latency percentiles, a reference reciprocal-rank fusion, and per-notebook Milvus Lite paths.

The notebook itself calls FAISS and ``pymilvus.MilvusClient`` directly, and writes its own RRF by hand; these
helpers only check inputs, measure, and keep learners' files safe.
"""

from __future__ import annotations

import os
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from . import env
from .search import top_k

#: The vector index types Milvus Lite 3.2 builds (measured in notebook 07). Others are accepted by
#: ``create_collection``/``create_index`` but never built: IVF_PQ fails in a background thread, and search falls
#: back to brute force.
MILVUS_LITE_INDEX_TYPES: tuple[str, ...] = ("FLAT", "IVF_FLAT", "IVF_SQ8", "HNSW", "HNSW_SQ", "AUTOINDEX")


def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a whole number of results, got {k!r} ({type(k).__name__})")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return int(k)


def exact_top_k(query_vectors: np.ndarray, doc_vectors: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force inner-product top-k: ``(indices, scores)``, each ``(n queries, k)``, best first.

    The ground truth an ANN index is measured against. With unit vectors the inner product is the cosine.
    Raises ``ValueError`` naming the problem for an empty corpus, ``k`` below 1, a dimension mismatch, or
    vectors that are not 1-d/2-d arrays of numbers.
    """
    k = _check_k(k)
    docs = np.asarray(doc_vectors)
    queries = np.asarray(query_vectors)
    for name, arr in (("doc_vectors", docs), ("query_vectors", queries)):
        if arr.ndim not in (1, 2) or not np.issubdtype(arr.dtype, np.number):
            raise ValueError(f"{name} must be a 1-d or 2-d array of numbers, got shape {arr.shape} dtype {arr.dtype}")
    if docs.size == 0 or docs.ndim == 1 and docs.shape[0] == 0:
        raise ValueError("the corpus is empty: doc_vectors has no rows; insert documents before searching")
    docs, queries = np.atleast_2d(docs), np.atleast_2d(queries)
    if docs.shape[0] == 0:
        raise ValueError("the corpus is empty: doc_vectors has no rows; insert documents before searching")
    if queries.shape[1] != docs.shape[1]:
        raise ValueError(f"dimension mismatch: queries have {queries.shape[1]} dimensions, documents "
                         f"{docs.shape[1]}; encode both with the same model")
    return top_k(queries, docs, k)


def recall_against_exact(ann_ids: Sequence[Sequence[Hashable]] | np.ndarray,
                         exact_ids: Sequence[Sequence[Hashable]] | np.ndarray, k: int = 10) -> float:
    """Mean share of each query's exact top-``k`` that the ANN result's first ``k`` contains (recall@k vs exact).

    Both are per-query lists of ids, best first (``-1`` padding from FAISS counts as a miss). 1.0 means the
    index returned exactly what brute force returns.
    """
    k = _check_k(k)
    ann, exact = list(ann_ids), list(exact_ids)
    if len(ann) != len(exact):
        raise ValueError(f"ann_ids has {len(ann)} queries, exact_ids {len(exact)}: they must match")
    if not exact:
        raise ValueError("no queries: exact_ids is empty")
    shares = []
    for row, (got, want) in enumerate(zip(ann, exact)):
        want_k = list(want)[:k]
        if len(want_k) < k:
            raise ValueError(f"query {row}: the exact result has {len(want_k)} ids, fewer than k={k}")
        shares.append(len(set(list(got)[:k]) & set(want_k)) / k)
    return float(np.mean(shares))


def latency_percentiles(seconds: Iterable[float], percentiles: Sequence[float] = (50, 95, 99)) -> dict[str, float]:
    """``{"p50": ms, "p95": ms, "p99": ms}`` from raw per-query timings in seconds (reported in milliseconds)."""
    values = np.asarray(list(seconds), dtype=np.float64)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError("latency_percentiles needs at least two timings (seconds per query)")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("timings must be finite, non-negative numbers of seconds")
    for p in percentiles:
        if not 0 <= p <= 100:
            raise ValueError(f"percentiles lie between 0 and 100, got {p}")
    return {f"p{p:g}": float(np.percentile(values, p) * 1000) for p in percentiles}


def time_per_query(search, queries: Sequence, *, warmup: int = 3) -> np.ndarray:
    """Seconds taken by ``search(query)`` for each query, one at a time (after ``warmup`` untimed calls)."""
    if len(queries) == 0:
        raise ValueError("no queries to time")
    for q in list(queries)[:warmup]:
        search(q)
    out = np.empty(len(queries))
    for i, q in enumerate(queries):
        started = time.perf_counter()
        search(q)
        out[i] = time.perf_counter() - started
    return out


def reference_rrf(rankings: Sequence[Sequence[Hashable]], k: float = 60, limit: int | None = None
                  ) -> list[tuple[Hashable, float]]:
    """Reciprocal-rank fusion: ``[(id, score)]`` best first, ``score = sum over rankings of 1 / (k + rank)``.

    Ranks count from 1. A document missing from a ranking gets nothing from it. Equal scores keep the order
    in which the documents first appear (ranking by ranking), as Milvus Lite's ``RRFRanker`` does. Used by the
    lab's checker and the tests; notebook 07 writes its own.
    """
    if isinstance(k, bool) or not isinstance(k, (int, float, np.integer, np.floating)) or k < 0:
        raise ValueError(f"k must be a non-negative number (Milvus' default is 60), got {k!r}")
    if limit is not None:
        limit = _check_k(limit)
    scores: dict[Hashable, float] = {}
    for ranking in rankings:
        if isinstance(ranking, (str, bytes)):
            raise TypeError("each ranking must be a list of ids, not a string")
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    fused = sorted(scores.items(), key=lambda item: item[1], reverse=True)  # stable: ties keep first appearance
    return fused if limit is None else fused[:limit]


def same_ranking(a: Sequence[tuple[Hashable, float]], b: Sequence[tuple[Hashable, float]],
                 tol: float = 1e-6) -> bool:
    """True when two fused rankings ``[(id, score)]`` agree: the same scores in order, and the same ids at each
    score (documents with equal scores may come in either order)."""
    if len(a) != len(b):
        return False
    if any(abs(float(x[1]) - float(y[1])) > tol for x, y in zip(a, b)):
        return False
    groups_a: dict[int, set] = {}
    groups_b: dict[int, set] = {}
    for groups, ranking in ((groups_a, a), (groups_b, b)):
        for doc, score in ranking:
            groups.setdefault(round(float(score) / tol), set()).add(doc)
    # a tie cut by the limit can leave different members at the last score: compare the rest strictly
    last = round(float(a[-1][1]) / tol) if a else None
    return all(groups_a[s] == groups_b.get(s) for s in groups_a if s != last) and \
        (last is None or len(groups_a[last]) == len(groups_b.get(last, ())))


def milvus_db_path(notebook: str, *, root: Path | None = None) -> Path:
    """A fresh Milvus Lite path for one run of one notebook: ``build/milvus/<notebook>-<time>-<pid>.db``.

    Milvus Lite lets one process open a ``.db`` at a time, and the tests run a notebook, its solution and its
    lab at once, so each run gets its own path. Nothing existing is reused, overwritten or deleted: a learner's
    own ``.db`` files stay as they are (delete old runs' folders under ``build/milvus/`` when you no longer
    need them).
    """
    if not isinstance(notebook, str) or not notebook.strip() or any(c in notebook for c in "/\\"):
        raise ValueError(f"notebook must be a short name such as '07_vector_search', got {notebook!r}")
    folder = (root if root is not None else env.PROJECT_ROOT / "build" / "milvus")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{notebook}-{stamp}-{os.getpid()}.db"
    n = 0
    while path.exists():
        n += 1
        path = folder / f"{notebook}-{stamp}-{os.getpid()}-{n}.db"
    return path


def check_milvus_index_type(index_type: str) -> str:
    """``index_type`` upper-cased if Milvus Lite builds it; otherwise ``ValueError`` listing the ones it does.

    Milvus Lite itself accepts e.g. ``IVF_PQ`` and then never builds it (search silently stays brute force).
    """
    if not isinstance(index_type, str) or index_type.upper() not in MILVUS_LITE_INDEX_TYPES:
        raise ValueError(f"unknown or unsupported Milvus Lite index type {index_type!r}; Milvus Lite builds "
                         f"{', '.join(MILVUS_LITE_INDEX_TYPES)} (IVF_PQ, DISKANN and SCANN are accepted but never built)")
    return index_type.upper()


def wait_for_index_files(db_path: str | Path, collection: str, field: str, *, timeout: float = 20.0,
                         poll: float = 0.2) -> list[Path]:
    """Wait until Milvus Lite has written an index file for ``field`` of ``collection``; the files found.

    Milvus Lite builds indexes in a background thread after ``flush()``; until then search is brute force.
    Returns an empty list when no index file appears within ``timeout`` seconds (an index type it cannot
    build never gets one). Reads Milvus Lite 3.2's on-disk layout (``collections/<name>/.../indexes``).
    """
    if timeout < 0 or poll <= 0:
        raise ValueError("timeout must be >= 0 and poll > 0 seconds")
    folder = Path(db_path) / "collections" / collection
    if not folder.exists():
        raise ValueError(f"no collection {collection!r} under {db_path} (folders there: "
                         f"{sorted(p.name for p in (Path(db_path) / 'collections').glob('*'))})")
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(p for p in folder.rglob(f"*.{field}.*.idx"))
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(poll)
