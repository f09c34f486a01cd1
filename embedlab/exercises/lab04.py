"""Checkers for lab 04, sentence embeddings in practice: search, normalisation, truncation, storage, and a prediction
of what truncation costs (exercise 6, a :class:`~embedlab.checks.Prediction`)."""

from __future__ import annotations

import numpy as np

from ..checks import Exercise, Prediction, call_answer, expect
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
               "one dot product per document row gives its score; you want the positions of the k largest scores, "
               "largest first.",
               solution="""
               def search(query_vec, doc_vecs, k):
                   scores = doc_vecs @ query_vec
                   return np.argsort(-scores, kind="stable")[:k]
               """)


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
               "each row has its own length: divide the row by it (one number per row, shaped so that "
               "numpy broadcasts it along the row).",
               solution="""
               def normalize(x):
                   return x / np.linalg.norm(x, axis=1, keepdims=True)
               """)


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
        expect(np.allclose(got, want, atol=1e-5), f"keep the FIRST {d} dimensions (not the last, nor any {d}), "
                                                  "then renormalise")


ex3 = Exercise("lab04", 3, "truncate and renormalise", _check_truncate,
               "keep the leading dimensions; cutting dimensions off shortens the rows, so they need scaling back to "
               "length 1 afterwards.",
               solution="""
               def truncate(x, d):
                   short = x[:, :d]
                   return short / np.linalg.norm(short, axis=1, keepdims=True)
               """)


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
               "score every query against every document at once, find each query's k best documents, and ask "
               "whether its gold document is among them; recall@k is the share of queries where it is.",
               solution="""
               def recall_at_k(query_vecs, doc_vecs, gold, k):
                   top = np.argsort(-(query_vecs @ doc_vecs.T), axis=1)[:, :k]
                   return float(np.mean([g in row for g, row in zip(gold, top)]))
               """)


# ------------------------------------------------------------------ exercise 5: storage
def _check_storage(storage_bytes) -> None:
    cases = [(1_000_000, 384, "float32"), (1_000_000, 1536, "float16"), (250_000, 256, "int8"), (3, 7, "float64")]
    for n, d, dtype in cases:
        got = call_answer(storage_bytes, n, d, dtype)
        want = n * d * np.dtype(dtype).itemsize
        expect(isinstance(got, (int, np.integer)), f"return a whole number of bytes (int), got {type(got).__name__}")
        expect(int(got) == want, f"{n:,} vectors of {d} dimensions in {dtype} take {want:,} bytes, you said {int(got):,}")


ex5 = Exercise("lab04", 5, "storage of n vectors", _check_storage,
               "n vectors of d numbers each, times the bytes one number of that dtype takes (numpy can tell you); "
               "the answer is a whole number.",
               solution="""
               def storage_bytes(n, d, dtype):
                   return int(n * d * np.dtype(dtype).itemsize)
               """)


# ------------------------------------------------------------------ exercise 6: predict what truncation costs
#: The ranges a learner picks from: how many points of recall@1 are lost when 64 of 384 dimensions are kept.
TRUNCATION_CHOICES = {"a": "a loss of under 2 points", "b": "a loss of 2 to 10 points",
                      "c": "a loss of 10 to 25 points", "d": "a loss of more than 25 points"}


def _truncation_outcome(measured) -> str:
    expect(isinstance(measured, dict) and {384, 64} <= set(measured)
           and all(isinstance(measured[d], (float, int, np.floating, np.integer)) and 0 <= measured[d] <= 1
                   for d in (384, 64)),
           "measured should be what the measurement cell builds: {384: recall@1, 64: recall@1}, shares between 0 and 1")
    points = 100 * (float(measured[384]) - float(measured[64]))
    return "a" if points < 2 else "b" if points < 10 else "c" if points < 25 else "d"


def _explain_truncation(measured) -> str:
    full, short = float(measured[384]), float(measured[64])
    points = 100 * (full - short)
    said = (f"Measured: recall@1 {full:.3f} with all 384 dimensions, {short:.3f} with the first 64, "
            f"{'a loss' if points >= 0 else 'a gain'} of {abs(points):.1f} points, for vectors 6 times smaller.")
    return (f"{said}\n   Why: all-MiniLM-L6-v2 was not trained to put its most useful information first (no "
            "Matryoshka training), so its first 64 dimensions are just 64 of 384 coordinates: the cosine on them is a "
            "noisy estimate of the full cosine, and close candidates swap places at rank 1. Models trained for "
            "truncation (Matryoshka representation learning, as in OpenAI's text-embedding-3 models) lose much less "
            "when cut.")


ex6 = Prediction("lab04", 6, "predict: what does keeping 64 of 384 dimensions cost?", TRUNCATION_CHOICES,
                 _truncation_outcome, _explain_truncation,
                 "was all-MiniLM-L6-v2 trained to keep its most useful information in its first dimensions? If not, "
                 "the first 64 are no better than any other 64: think of what a sixth of the coordinates of a "
                 "vector tells you about its cosine with another.",
                 solution="""
                 PREDICTION = "c"
                 """)
