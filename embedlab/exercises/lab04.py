"""Checkers for lab 04, sentence embeddings in practice: search, normalisation, truncation, storage."""

from __future__ import annotations

import numpy as np

from ..checks import Exercise, call_answer, expect
from ..search import top_k


def _data(seed: int, n: int = 40, d: int = 24) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x * rng.uniform(0.5, 3.0, size=(n, 1)).astype(np.float32)  # rows of different lengths


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# ------------------------------------------------------------------ exercise 1: top-k search
def _check_top_k(search) -> None:
    docs = _unit(_data(1))
    query = _unit(_data(2, n=1))[0]
    for k in (1, 3, 7):
        got = call_answer(search, query, docs, k)
        got = np.asarray(got)
        expect(got.shape == (k,), f"search(query, docs, k={k}) should return {k} document indices, got shape {got.shape}")
        expect(np.issubdtype(got.dtype, np.integer), f"return integer row indices, got dtype {got.dtype}")
        scores = docs @ query
        want = np.argsort(-scores, kind="stable")[:k]
        if set(got.tolist()) == set(want.tolist()) and list(got) != list(want):
            expect(False, "you found the right documents but not best-first: sort by score, highest first")
        expect(list(got) == list(want), f"for k={k} the best documents are {want.tolist()}, you returned {got.tolist()} "
                                        "(score = dot product of the query with each document row)")


ex1 = Exercise("lab04", 1, "top-k semantic search", _check_top_k,
               "scores = docs @ query gives one score per document; np.argsort(-scores)[:k] are the best k.")


# ------------------------------------------------------------------ exercise 2: normalise
def _check_normalize(normalize) -> None:
    x = _data(3)
    got = call_answer(normalize, x.copy())
    got = np.asarray(got, dtype=np.float64)
    expect(got.shape == x.shape, f"normalize should keep the shape {x.shape}, got {got.shape}")
    norms = np.linalg.norm(got, axis=1)
    expect(np.allclose(norms, 1, atol=1e-5), f"every row should have length 1; yours have lengths "
                                              f"{norms.min():.3f} to {norms.max():.3f} (divide each row by its own norm)")
    cos = _unit(x.astype(np.float64)) @ _unit(x.astype(np.float64)).T
    expect(np.allclose(got @ got.T, cos, atol=1e-5), "after normalising, the dot products should equal the cosines; "
                                                    "did you change a row's direction?")


ex2 = Exercise("lab04", 2, "normalise so that dot == cosine", _check_normalize,
               "np.linalg.norm(x, axis=1, keepdims=True) is one length per row; divide x by it.")


# ------------------------------------------------------------------ exercise 3: truncate + renormalise
def _check_truncate(truncate) -> None:
    x = _unit(_data(4, d=32))
    for d in (32, 16, 5):
        got = call_answer(truncate, x.copy(), d)
        got = np.asarray(got, dtype=np.float64)
        expect(got.shape == (len(x), d), f"truncate(x, {d}) should have shape {(len(x), d)}, got {got.shape}")
        norms = np.linalg.norm(got, axis=1)
        expect(np.allclose(norms, 1, atol=1e-5), f"after keeping {d} dimensions, renormalise: your rows have lengths "
                                                  f"{norms.min():.3f} to {norms.max():.3f}, not 1")
        want = _unit(x[:, :d].astype(np.float64))
        expect(np.allclose(got, want, atol=1e-5), f"keep the FIRST {d} dimensions (x[:, :{d}]), then renormalise")


ex3 = Exercise("lab04", 3, "truncate and renormalise", _check_truncate,
               "x[:, :d] keeps the first d dimensions; then divide each row by its new length.")


# ------------------------------------------------------------------ exercise 4: recall@k
def _recall_reference(query_vecs: np.ndarray, doc_vecs: np.ndarray, gold: np.ndarray, k: int) -> float:
    top, _ = top_k(query_vecs, doc_vecs, k)
    return float(np.mean([g in row for g, row in zip(gold, top)]))


def _check_recall(recall) -> None:
    docs = _unit(_data(5, n=60, d=16))
    rng = np.random.default_rng(6)
    gold = rng.integers(0, len(docs), size=30)
    queries = _unit(docs[gold] + rng.normal(scale=0.9, size=(30, 16)).astype(np.float32))
    for k in (1, 5, 10):
        got = call_answer(recall, queries, docs, gold, k)
        want = _recall_reference(queries, docs, gold, k)
        expect(isinstance(got, (float, np.floating, int, np.integer)), f"return one number, got {type(got).__name__}")
        expect(0 <= got <= 1, f"recall@k is a share of queries, between 0 and 1; you returned {got}")
        expect(abs(float(got) - want) < 1e-9, f"recall@{k} should be {want:.3f} here, you returned {float(got):.3f} "
                                              "(share of queries whose gold document is among the k best)")


ex4 = Exercise("lab04", 4, "recall@k of a dense search", _check_recall,
               "scores = query_vecs @ doc_vecs.T; for each query row take the k best indices and ask if gold[i] is in them; "
               "average the yes/no answers.")


# ------------------------------------------------------------------ exercise 5: storage
def _check_storage(storage_bytes) -> None:
    cases = [(1_000_000, 384, "float32"), (1_000_000, 1536, "float16"), (250_000, 256, "int8"), (3, 7, "float64")]
    for n, d, dtype in cases:
        got = call_answer(storage_bytes, n, d, dtype)
        want = n * d * np.dtype(dtype).itemsize
        expect(isinstance(got, (int, np.integer)), f"return a whole number of bytes (int), got {type(got).__name__}")
        expect(int(got) == want, f"{n:,} vectors of {d} dimensions in {dtype} take {want:,} bytes, you said {int(got):,}")


ex5 = Exercise("lab04", 5, "storage of n vectors", _check_storage,
               "bytes = n × d × bytes per number; np.dtype('float16').itemsize is 2. Return int(...).")
