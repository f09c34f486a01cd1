"""Lab 01 checkers, both ways: reference answers pass; wrong answers and the blank do not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from embedlab.checks import ____
from embedlab.exercises import lab01

WORDS = ["cat", "dog", "kitten", "paris", "london", "king", "queen", "car"]


@pytest.fixture
def verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``verdict(exercise, *answers)`` checks and returns the logged status."""
    log = tmp_path / "checks.jsonl"
    monkeypatch.setenv("EMBEDLAB_CHECK_LOG", str(log))

    def check(exercise, *answers) -> str:
        exercise.check(*answers)
        return json.loads(log.read_text(encoding="utf-8").splitlines()[-1])["status"]

    return check


@pytest.fixture
def glove_like() -> tuple[np.ndarray, list[str]]:
    """Eight fake word vectors (rows of different lengths, so cosine and dot product rank differently)."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(WORDS), 6)) * rng.uniform(0.5, 5.0, size=(len(WORDS), 1))
    return vectors.astype(np.float32), list(WORDS)


# ---------------------------------------------------------------- exercise 1: one-hot
def one_hot(word, vocab):
    vec = np.zeros(len(vocab), dtype=np.float32)
    vec[vocab[word]] = 1.0
    return vec


def one_hot_ones(word, vocab):
    return np.ones(len(vocab))


def one_hot_one_based(word, vocab):
    vec = np.zeros(len(vocab) + 1)
    vec[vocab[word] + 1] = 1
    return vec[1:] if vocab[word] + 1 < len(vocab) else vec


def one_hot_unknown_is_zero(word, vocab):
    vec = np.zeros(len(vocab))
    if word in vocab:
        vec[vocab[word]] = 1
    return vec


def one_hot_blank(word, vocab):
    return ____


def test_ex1_reference_passes(verdict) -> None:
    assert verdict(lab01.ex1, one_hot) == "passed"
    assert verdict(lab01.ex1, lambda w, v: [1 if i == v[w] else 0 for i in range(len(v))]) == "passed"


@pytest.mark.parametrize("answer", [one_hot_ones, one_hot_one_based, one_hot_unknown_is_zero])
def test_ex1_wrong(verdict, answer) -> None:
    assert verdict(lab01.ex1, answer) == "wrong"


def test_ex1_wrong_message_names_the_word(verdict, capsys: pytest.CaptureFixture[str]) -> None:
    verdict(lab01.ex1, one_hot_ones)
    assert "one_hot('the', vocab) should be 1 at position 0 and 0 elsewhere" in capsys.readouterr().out
    verdict(lab01.ex1, one_hot_unknown_is_zero)
    assert "one_hot('unicorn', vocab) should raise KeyError" in capsys.readouterr().out


def test_ex1_blank_and_error(verdict) -> None:
    assert verdict(lab01.ex1, ____) == "blank"
    assert verdict(lab01.ex1, one_hot_blank) == "blank"
    assert verdict(lab01.ex1, lambda w, v: np.zeros(3)[v[w] + 10]) == "error"


# ---------------------------------------------------------------- exercise 2: cosine
def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_ex2_reference_passes(verdict) -> None:
    assert verdict(lab01.ex2, cosine) == "passed"


@pytest.mark.parametrize("answer", [
    lambda a, b: float(a @ b),                               # forgets to divide
    lambda a, b: float(a @ b / np.linalg.norm(a)),           # divides by one length only
    lambda a, b: float(np.linalg.norm(a - b)),               # a distance, not a similarity
], ids=["no-division", "one-norm", "distance"])
def test_ex2_wrong(verdict, answer) -> None:
    assert verdict(lab01.ex2, answer) == "wrong"


def test_ex2_blank(verdict) -> None:
    assert verdict(lab01.ex2, ____) == "blank"
    assert verdict(lab01.ex2, lambda a, b: ____) == "blank"


# ---------------------------------------------------------------- exercise 3: nearest neighbours
def make_nearest(vectors: np.ndarray, words: list[str], *, drop_self: bool = True, cosine: bool = True):
    index = {w: i for i, w in enumerate(words)}
    rows = vectors / np.linalg.norm(vectors, axis=1, keepdims=True) if cosine else vectors

    def nearest(word, k):
        scores = rows @ rows[index[word]]
        if drop_self:
            scores[index[word]] = -np.inf
        return [words[i] for i in np.argsort(-scores)[:k]]

    return nearest


def test_ex3_reference_passes(verdict, glove_like) -> None:
    vectors, words = glove_like
    assert verdict(lab01.ex3, make_nearest(vectors, words), vectors, words) == "passed"


def test_ex3_wrong(verdict, glove_like, capsys: pytest.CaptureFixture[str]) -> None:
    vectors, words = glove_like
    assert verdict(lab01.ex3, make_nearest(vectors, words, drop_self=False), vectors, words) == "wrong"
    assert "nearest('cat') should not return 'cat' itself" in capsys.readouterr().out
    assert verdict(lab01.ex3, make_nearest(vectors, words, cosine=False), vectors, words) == "wrong"
    everything = make_nearest(vectors, words)
    farthest = lambda w, k: everything(w, len(words) - 1)[::-1][:k]  # noqa: E731 - the least similar first
    assert verdict(lab01.ex3, farthest, vectors, words) == "wrong"
    assert verdict(lab01.ex3, lambda w, k: make_nearest(vectors, words)(w, k - 1), vectors, words) == "wrong"


def test_ex3_blank(verdict, glove_like) -> None:
    vectors, words = glove_like
    assert verdict(lab01.ex3, ____, vectors, words) == "blank"
    assert verdict(lab01.ex3, lambda w, k: ____, vectors, words) == "blank"


def test_reference_neighbours_by_angle() -> None:
    angles = np.radians([0, 10, 25, 45, 90, 180])
    lengths = np.array([1, 7, 0.5, 3, 1, 2])[:, None]  # length must not matter
    vectors = np.c_[np.cos(angles), np.sin(angles)] * lengths
    words = ["a", "b", "c", "d", "e", "f"]
    assert lab01.reference_neighbours(vectors, words, "a", 3) == ["b", "c", "d"]
    assert lab01.reference_neighbours(vectors, words, "e", 2) == ["d", "c"]


# ---------------------------------------------------------------- exercise 4: memory
def test_ex4_reference_passes(verdict) -> None:
    assert verdict(lab01.ex4, 100_000 * np.dtype(np.float32).itemsize, 50 * np.dtype(np.float32).itemsize) == "passed"
    assert verdict(lab01.ex4, 400_000.0, np.int64(200)) == "passed"


@pytest.mark.parametrize("answers", [
    (100_000, 200),        # forgot the 4 bytes per number
    (400_000, 50),
    (800_000, 400),        # float64
    (400_000.5, 200),      # not a whole number of bytes
    ("400000", 200),
    (400_000, "200"),
    (400_000, None),
], ids=["one-hot-count", "dense-count", "float64", "fraction", "text-one-hot", "text-dense", "none-dense"])
def test_ex4_wrong(verdict, answers) -> None:
    assert verdict(lab01.ex4, *answers) == "wrong"


def test_ex4_blank(verdict) -> None:
    assert verdict(lab01.ex4, ____, ____) == "blank"
    assert verdict(lab01.ex4, 400_000, ____) == "blank"


def test_every_exercise_is_covered() -> None:
    from embedlab.checks import exercises_of

    assert [e.number for e in exercises_of(lab01)] == [1, 2, 3, 4]
