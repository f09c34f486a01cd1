"""Checkers for lab 01 (one-hot vs dense vectors)."""

from __future__ import annotations

import numpy as np

from ..checks import Exercise, Incorrect, call_answer, expect

_VOCAB = {"the": 0, "cat": 1, "dog": 2, "car": 3, "猫": 4, "狗": 5}


def _check_one_hot(one_hot) -> None:
    for word, index in _VOCAB.items():
        vec = np.asarray(call_answer(one_hot, word, _VOCAB))
        expect(vec.shape == (len(_VOCAB),), f"one_hot({word!r}, vocab) should have shape ({len(_VOCAB)},), got {vec.shape}")
        expected = np.zeros(len(_VOCAB))
        expected[index] = 1
        expect(np.array_equal(vec, expected),
               f"one_hot({word!r}, vocab) should be 1 at position {index} and 0 elsewhere, got {vec.tolist()}")
    try:
        call_answer(one_hot, "unicorn", _VOCAB)
    except KeyError:
        return
    raise Incorrect("one_hot('unicorn', vocab) should raise KeyError: the word is not in the vocabulary")


def _check_cosine(cosine) -> None:
    rng = np.random.default_rng(1)
    for _ in range(5):
        a, b = rng.normal(size=7), rng.normal(size=7)
        want = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
        got = call_answer(cosine, a, b)
        expect(np.isclose(float(got), want, atol=1e-6), f"cosine of two random vectors should be {want:.4f}, got {got}")
    got = call_answer(cosine, np.array([1.0, 0.0]), np.array([5.0, 0.0]))
    expect(np.isclose(float(got), 1.0), f"cosine ignores length: [1,0] vs [5,0] should be 1.0, got {got}")


def reference_neighbours(vectors: np.ndarray, words: list[str], word: str, k: int) -> list[str]:
    """The ``k`` nearest words to ``word`` by cosine, excluding the word itself."""
    index = {w: i for i, w in enumerate(words)}
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = unit @ unit[index[word]]
    scores[index[word]] = -np.inf
    return [words[i] for i in np.argsort(-scores)[:k]]


def _check_neighbours(nearest, vectors, words) -> None:
    vectors = np.asarray(vectors)
    words = list(words)
    for word in ("cat", "paris", "king"):
        want = reference_neighbours(vectors, words, word, 5)
        got = list(call_answer(nearest, word, 5))
        expect(word not in got, f"nearest({word!r}) should not return {word!r} itself")
        expect(got == want, f"nearest({word!r}, 5) should be {want}, got {got}")


def _check_memory(bytes_per_one_hot, bytes_per_dense) -> None:
    numbers = (int, float, np.integer, np.floating)
    expect(all(isinstance(b, numbers) for b in (bytes_per_one_hot, bytes_per_dense)),
           "give the answers as numbers of bytes")
    expect(bytes_per_one_hot == 100_000 * 4,
           f"a float32 one-hot vector over 100,000 words has 100,000 numbers of 4 bytes each, not {bytes_per_one_hot}")
    expect(bytes_per_dense == 50 * 4, f"a 50-d float32 vector takes 50 x 4 bytes, not {bytes_per_dense}")


ex1 = Exercise("lab 01", 1, "one-hot vector", _check_one_hot,
               "a one-hot vector has one position per vocabulary word: all zeros except a single 1 at the position "
               "the vocabulary gives the word. Looking up a word the vocabulary lacks already fails on its own.",
               solution="""
               def one_hot(word: str, vocab: dict[str, int]) -> np.ndarray:
                   vec = np.zeros(len(vocab), dtype=np.float32)
                   vec[vocab[word]] = 1.0
                   return vec
               """)
ex2 = Exercise("lab 01", 2, "cosine similarity", _check_cosine,
               "the cosine is the dot product of the two vectors once each has been scaled to length 1, so their "
               "lengths drop out.",
               solution="""
               def cosine(a: np.ndarray, b: np.ndarray) -> float:
                   return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
               """)
ex3 = Exercise("lab 01", 3, "nearest neighbours with GloVe", _check_neighbours,
               "the cosine only sees directions: make every row length 1 once, outside the function, and one "
               "matrix-vector product then scores all 400,000 words. Keep the word itself out of its own neighbours.",
               solution="""
               unit = glove.vectors / np.linalg.norm(glove.vectors, axis=1, keepdims=True)


               def nearest(word: str, k: int) -> list[str]:
                   scores = unit @ unit[glove.index[word]]
                   scores[glove.index[word]] = -np.inf
                   return [glove.words[i] for i in np.argsort(-scores)[:k]]
               """)
ex4 = Exercise("lab 01", 4, "memory of one vector", _check_memory,
               "count how many numbers each vector stores, then how many bytes one float32 number takes.",
               solution="""
               bytes_one_hot = 100_000 * np.dtype(np.float32).itemsize
               bytes_dense = 50 * np.dtype(np.float32).itemsize
               """)
