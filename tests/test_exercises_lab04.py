"""Lab 04's checkers accept the reference answers and reject wrong and blank ones."""

from __future__ import annotations

import numpy as np

from embedlab.exercises import lab04

from checker_suite import checker_suite


def search(query, docs, k):
    return np.argsort(-(docs @ query), kind="stable")[:k]


def normalize(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def truncate(x, d):
    return normalize(x[:, :d])


def recall(query_vecs, doc_vecs, gold, k):
    top = np.argsort(-(query_vecs @ doc_vecs.T), axis=1)[:, :k]
    return float(np.mean([g in row for g, row in zip(gold, top)]))


def storage(n, d, dtype):
    return int(n * d * np.dtype(dtype).itemsize)


REFERENCE = {1: search, 2: normalize, 3: truncate, 4: recall, 5: storage}
WRONG = {
    1: [lambda q, docs, k: np.argsort(docs @ q)[:k],           # worst first
        lambda q, docs, k: np.argsort(docs @ q)[::-1][:k][::-1],  # right set, wrong order
        lambda q, docs, k: np.arange(k)],
    2: [lambda x: x / np.linalg.norm(x), lambda x: x, lambda x: x / np.abs(x).max(axis=1, keepdims=True)],
    3: [lambda x, d: x[:, :d], lambda x, d: normalize(x)[:, -d:], lambda x, d: normalize(x)],
    4: [lambda q, docs, g, k: float(np.mean(np.argmax(q @ docs.T, axis=1) == g)),  # recall@1 for every k
        lambda q, docs, g, k: 5.0, lambda q, docs, g, k: [0.5]],
    5: [lambda n, d, dtype: n * d * 4, lambda n, d, dtype: float(n * d * np.dtype(dtype).itemsize),
        lambda n, d, dtype: n * d * np.dtype(dtype).itemsize * 8],
}


test_reference_passes, test_wrong_rejected, test_blank_rejected, test_every_exercise_is_tested = \
    checker_suite(lab04, REFERENCE, WRONG)
