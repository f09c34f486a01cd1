"""The STS scorer: cosines per pair, Spearman checked against scipy, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from embedlab.data.loaders import SentencePair
from embedlab.sts import STSResult, average_random_cosine, embed_pairs, row_cosines, score_cosines, score_pairs

VECTORS = {"a": [1.0, 0.0], "b": [1.0, 1.0], "c": [0.0, 3.0], "d": [-1.0, 0.5], "e": [2.0, 0.1]}
PAIRS = [SentencePair("a", "b", 4.0), SentencePair("a", "c", 1.0), SentencePair("b", "c", 3.5),
         SentencePair("a", "d", 0.0), SentencePair("e", "a", 5.0), SentencePair("d", "c", 2.0)]


def toy_encoder(texts: list[str]) -> np.ndarray:
    return np.array([VECTORS[t] for t in texts])


class ToyEmbedder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return toy_encoder(texts)


def test_row_cosines() -> None:
    assert np.allclose(row_cosines(np.array([[1, 0], [1, 1]]), np.array([[0, 2], [2, 2]])), [0, 1])


def test_spearman_matches_scipy() -> None:
    result = score_pairs(PAIRS, toy_encoder)
    cosines = [np.dot(VECTORS[p.sentence1], VECTORS[p.sentence2])
               / np.linalg.norm(VECTORS[p.sentence1]) / np.linalg.norm(VECTORS[p.sentence2]) for p in PAIRS]
    assert np.allclose(result.cosines, cosines)
    assert result.spearman == pytest.approx(stats.spearmanr(cosines, [p.score for p in PAIRS]).statistic)
    assert isinstance(result, STSResult) and "n_pairs=6" in repr(result)


def test_embedder_object_and_each_text_encoded_once() -> None:
    model = ToyEmbedder()
    assert score_pairs(PAIRS, model).spearman == pytest.approx(score_pairs(PAIRS, toy_encoder).spearman)
    assert len(model.calls) == 1 and sorted(model.calls[0]) == sorted(VECTORS)


def test_scale_does_not_matter_but_direction_does() -> None:
    scaled = score_pairs(PAIRS, lambda texts: 8 * toy_encoder(texts))
    assert scaled.spearman == pytest.approx(score_pairs(PAIRS, toy_encoder).spearman)
    first, second = embed_pairs(PAIRS, toy_encoder)
    assert first.shape == second.shape == (6, 2)


def test_score_cosines_with_ties_matches_scipy() -> None:
    sims = [0.5, 0.5, 0.2, 0.9, 0.9, 0.1]
    assert score_cosines(sims, PAIRS).spearman == pytest.approx(
        stats.spearmanr(sims, [p.score for p in PAIRS]).statistic)


def test_bad_input_is_explained() -> None:
    with pytest.raises(ValueError, match="no sentence pairs"):
        score_pairs([], toy_encoder)
    with pytest.raises(ValueError, match="one row per text"):
        score_pairs(PAIRS, lambda texts: np.zeros((1, 2)))
    with pytest.raises(ValueError, match="zero vector"):
        score_pairs(PAIRS, lambda texts: np.zeros((len(texts), 2)))
    with pytest.raises(TypeError, match="Embedder or a function"):
        score_pairs(PAIRS, 42)
    with pytest.raises(ValueError, match="3 similarities for 6 pairs"):
        score_cosines([0.1, 0.2, 0.3], PAIRS)
    with pytest.raises(ValueError, match="same shape"):
        row_cosines(np.ones((2, 2)), np.ones((3, 2)))


def test_average_random_cosine() -> None:
    same_direction = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    assert average_random_cosine(same_direction, 50) == pytest.approx(1.0)
    opposite = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert average_random_cosine(opposite, 50) == pytest.approx(-1.0)  # never pairs a row with itself
    rng = np.random.default_rng(1)
    assert abs(average_random_cosine(rng.normal(size=(500, 64)), 3000)) < 0.02
    with pytest.raises(ValueError, match="at least two rows"):
        average_random_cosine(np.ones((1, 3)))


def test_interval_agrees_with_scipy_bootstrap() -> None:
    rng = np.random.default_rng(1)
    gold = rng.uniform(0, 5, 300)
    cosines = gold + rng.normal(0, 2.0, 300)
    result = STSResult(stats.spearmanr(cosines, gold).statistic, cosines, gold)
    low, high = result.interval(n_resamples=2000)
    assert low < result.spearman < high
    reference = stats.bootstrap((cosines, gold), lambda x, y: stats.spearmanr(x, y).statistic, paired=True,
                                vectorized=False, n_resamples=2000, method="percentile", rng=0).confidence_interval
    assert low == pytest.approx(reference.low, abs=0.02)
    assert high == pytest.approx(reference.high, abs=0.02)
    # fewer pairs, wider interval; same seed, same interval
    small = STSResult(result.spearman, cosines[:50], gold[:50]).interval()
    assert small[1] - small[0] > high - low
    assert result.interval(n_resamples=2000) == (low, high)


def test_interval_bad_input() -> None:
    result = score_cosines([0.1, 0.5, 0.9, 0.2], [SentencePair("a", "b", s) for s in (1, 2, 3, 4)])
    with pytest.raises(ValueError, match="confidence"):
        result.interval(confidence=95)
    with pytest.raises(ValueError, match="100 resamples"):
        result.interval(n_resamples=10)
    with pytest.raises(ValueError, match="three pairs"):
        STSResult(1.0, np.array([0.1, 0.2]), np.array([1.0, 2.0])).interval()
