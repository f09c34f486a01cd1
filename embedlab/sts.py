"""Scoring an encoder on sentence-pair similarity (STS), the way MTEB does it.

For every pair, embed both sentences, take the cosine of the two vectors, and report
the Spearman rank correlation between those cosines and the gold scores. Only the
*ranking* of the cosines matters, so a model whose cosines all sit between 0.7 and 0.9
can still score well.

    >>> result = score_pairs(pairs, model)            # an Embedder, or any texts -> vectors function
    >>> result.spearman, result.cosines[:3]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .data.loaders import SentencePair
from .metrics import spearman

Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class STSResult:
    """The Spearman correlation of cosine vs gold, with the per-pair cosines and gold scores."""

    spearman: float
    cosines: np.ndarray
    gold: np.ndarray

    def __repr__(self) -> str:
        return f"STSResult(spearman={self.spearman:.4f}, n_pairs={len(self.gold)})"

    def interval(self, *, confidence: float = 0.95, n_resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
        """Percentile bootstrap interval of the Spearman correlation: resample the pairs with replacement.

        It says how far a score on this many pairs may sit from the score on all pairs
        like them, e.g. when a notebook scores a sample of a test set.
        """
        n = len(self.gold)
        if n < 3:
            raise ValueError("a bootstrap interval needs at least three pairs")
        if not 0 < confidence < 1:
            raise ValueError("confidence must be between 0 and 1")
        if n_resamples < 100:
            raise ValueError("use at least 100 resamples")
        rng = np.random.default_rng(seed)
        stats = np.empty(n_resamples)
        for r in range(n_resamples):
            idx = rng.integers(0, n, size=n)
            stats[r] = spearman(self.cosines[idx], self.gold[idx])
        alpha = (1 - confidence) / 2
        return float(np.nanquantile(stats, alpha)), float(np.nanquantile(stats, 1 - alpha))


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of row ``i`` of ``a`` with row ``i`` of ``b`` (a zero row raises)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"need two matrices of the same shape, got {a.shape} and {b.shape}")
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    if (na == 0).any() or (nb == 0).any():
        raise ValueError("cosine similarity is undefined for a zero vector (an empty or all-unknown text?)")
    return (a * b).sum(axis=1) / (na * nb)


def _encoder_fn(encoder) -> Encoder:
    if hasattr(encoder, "encode") and callable(encoder.encode):
        return lambda texts: encoder.encode(texts)
    if callable(encoder):
        return encoder
    raise TypeError(f"encoder must be an Embedder or a function texts -> vectors, got {type(encoder).__name__}")


def embed_pairs(pairs: Sequence[SentencePair], encoder) -> tuple[np.ndarray, np.ndarray]:
    """Vectors of the first and of the second sentences; each distinct sentence is encoded once."""
    if not pairs:
        raise ValueError("no sentence pairs given")
    texts = list(dict.fromkeys(t for p in pairs for t in (p.sentence1, p.sentence2)))
    vectors = np.asarray(_encoder_fn(encoder)(texts))
    if vectors.ndim != 2 or len(vectors) != len(texts):
        raise ValueError(f"the encoder returned shape {vectors.shape} for {len(texts)} texts; "
                         "expected one row per text")
    row = {t: i for i, t in enumerate(texts)}
    return (vectors[[row[p.sentence1] for p in pairs]], vectors[[row[p.sentence2] for p in pairs]])


def score_cosines(cosines: Sequence[float] | np.ndarray, pairs: Sequence[SentencePair]) -> STSResult:
    """Spearman of given per-pair similarities against the pairs' gold scores."""
    cosines = np.asarray(cosines, dtype=np.float64)
    gold = np.array([p.score for p in pairs], dtype=np.float64)
    if cosines.shape != gold.shape:
        raise ValueError(f"{len(cosines)} similarities for {len(gold)} pairs")
    if len(gold) < 2:
        raise ValueError("Spearman needs at least two pairs")
    return STSResult(spearman(cosines, gold), cosines, gold)


def score_pairs(pairs: Sequence[SentencePair], encoder) -> STSResult:
    """Embed every pair with ``encoder`` (an Embedder or a texts -> vectors function) and score it."""
    first, second = embed_pairs(pairs, encoder)
    return score_cosines(row_cosines(first, second), pairs)


def average_random_cosine(vectors: np.ndarray, n_pairs: int = 2000, *, seed: int = 0) -> float:
    """Mean cosine of ``n_pairs`` random pairs of *different* rows: near 0 for an isotropic space.

    A large value means the vectors crowd into a narrow cone (anisotropy).
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ValueError(f"need a matrix with at least two rows, got shape {vectors.shape}")
    if n_pairs < 1:
        raise ValueError("n_pairs must be at least 1")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(vectors), n_pairs)
    j = (i + rng.integers(1, len(vectors), n_pairs)) % len(vectors)  # never the same row
    return float(row_cosines(vectors[i], vectors[j]).mean())
