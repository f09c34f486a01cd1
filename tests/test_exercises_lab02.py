"""Lab 02 checkers: the reference answers pass; wrong answers and the blank are rejected."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import word2vec as w2v
from embedlab.checks import ____
from embedlab.exercises import lab02


@pytest.fixture(autouse=True)
def _log(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CHECK_LOG", str(tmp_path / "log.jsonl"))


def pairs_ref(tokens, window):
    return w2v.skipgram_pairs(tokens, window)


def pairs_no_bounds(tokens, window):  # forgets that the window is two-sided
    return [(tokens[i], tokens[j]) for i in range(len(tokens)) for j in range(i + 1, min(len(tokens), i + window + 1))]


def loss_grad_ref(v, u_pos, u_neg):
    loss, dv, _, _ = w2v.sgns_loss_grad(v, u_pos, u_neg)
    return loss, dv


def loss_grad_sign_error(v, u_pos, u_neg):
    loss, dv = loss_grad_ref(v, u_pos, u_neg)
    return loss, -dv


def nearest_ref(word, vectors, words, index):
    return w2v.nearest(vectors, words, word, k=1)[0][0]


def nearest_dot(word, vectors, words, index):  # dot product instead of cosine
    scores = vectors @ vectors[index[word]]
    scores[index[word]] = -np.inf
    return words[int(np.argmax(scores))]


def analogy_ref(a, b, c, vectors, words, index):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    target = unit[index[b]] - unit[index[a]] + unit[index[c]]
    return w2v.nearest(vectors, words, target, k=1, exclude=[a, b, c])[0][0]


def analogy_no_exclusion(a, b, c, vectors, words, index):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    target = unit[index[b]] - unit[index[a]] + unit[index[c]]
    return w2v.nearest(vectors, words, target, k=1)[0][0]


@pytest.mark.parametrize("exercise, right, wrong", [
    (lab02.ex1, pairs_ref, pairs_no_bounds),
    (lab02.ex2, loss_grad_ref, loss_grad_sign_error),
    (lab02.ex3, nearest_ref, nearest_dot),
    (lab02.ex4, analogy_ref, analogy_no_exclusion),
])
def test_checker_both_ways(exercise, right, wrong, capsys) -> None:
    assert exercise.check(right) is True
    assert exercise.check(wrong) is False
    assert "not yet" in capsys.readouterr().out
    assert exercise.check(____) is False
    assert exercise.check(lambda *args: ____) is False
    assert "not answered yet" in capsys.readouterr().out


def test_exercises_are_numbered() -> None:
    from embedlab.checks import exercises_of

    assert [e.number for e in exercises_of(lab02)] == [1, 2, 3, 4]
