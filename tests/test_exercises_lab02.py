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
    assert exercise.check(right).passed is True
    assert exercise.check(wrong).passed is False
    assert "not yet" in capsys.readouterr().out
    assert exercise.check(____).passed is False
    assert exercise.check(lambda *args: ____).passed is False
    assert "not answered yet" in capsys.readouterr().out


def test_exercises_are_numbered() -> None:
    from embedlab.checks import exercises_of

    assert [e.number for e in exercises_of(lab02)] == [1, 2, 3, 4, 5]


# ---------------------------------------------------------------- exercise 5: CBOW hidden layer
def cbow_window(left, right, *, wrap=False, centre=False, same_word=True):
    """A CBOW hidden layer with a window of ``left`` / ``right`` words, optionally with a learner's mistake."""
    def cbow(tokens, position, window, vectors, index):
        lo = position - (window + left) if wrap else max(0, position - (window + left))
        js = [j for j in range(lo, min(len(tokens), position + window + right + 1)) if centre or j != position]
        words = [tokens[j] for j in js if same_word or tokens[j] != tokens[position]]
        return vectors[[index[w] for w in words]].mean(axis=0)
    return cbow


cbow_ref = cbow_window(0, 0)


def cbow_sum(tokens, position, window, vectors, index):
    start, stop = max(0, position - window), min(len(tokens), position + window + 1)
    return vectors[[index[tokens[j]] for j in range(start, stop) if j != position]].sum(axis=0)


def cbow_divide_by_2_window(tokens, position, window, vectors, index):
    start, stop = max(0, position - window), min(len(tokens), position + window + 1)
    return vectors[[index[tokens[j]] for j in range(start, stop) if j != position]].sum(axis=0) / (2 * window)


def cbow_stacked(tokens, position, window, vectors, index):  # forgets to average
    start, stop = max(0, position - window), min(len(tokens), position + window + 1)
    return vectors[[index[tokens[j]] for j in range(start, stop) if j != position]]


def cbow_wrong_axis(tokens, position, window, vectors, index):
    return cbow_stacked(tokens, position, window, vectors, index).mean(axis=1)


def test_cbow_reference_passes() -> None:
    assert lab02.ex5.evaluate(cbow_ref) == ("passed", "✅ lab02 exercise 5 (CBOW hidden layer): correct!")


def test_cbow_blank() -> None:
    assert lab02.ex5.evaluate(____)[0] == "blank"
    assert lab02.ex5.evaluate(lambda *args: ____)[0] == "blank"


@pytest.mark.parametrize("answer, message", [
    (cbow_sum, "you added up"),
    (cbow_divide_by_2_window, "divided by 2 × window"),
    (cbow_window(0, 0, centre=True), "includes the centre word"),
    (cbow_window(0, 0, wrap=True), "wrapped around"),
    (cbow_window(0, 0, same_word=False), "left out every 'the'"),
    (cbow_window(1, 1), "off by one"),
    (cbow_window(0, -1), "off by one"),       # range(i - window, i + window): the right end is lost
    (cbow_window(-1, -1), "off by one"),
    (cbow_stacked, "average them into one vector"),
    (cbow_wrong_axis, "wrong axis"),
], ids=["sum", "divide-by-2-window", "centre-included", "wrap-around", "drops-the-same-word", "window-plus-one",
        "right-end-lost", "window-minus-one", "not-averaged", "wrong-axis"])
def test_cbow_wrong_answer_gets_a_specific_message(answer, message) -> None:
    status, text = lab02.ex5.evaluate(answer)
    assert status == "wrong", text
    assert message in text


def test_cbow_fixture_tells_the_mistakes_apart() -> None:
    """Each mistake changes the answer in at least one case (else the checker could not see it)."""
    vectors, index = lab02._cbow_fixture()
    for answer in (cbow_sum, cbow_divide_by_2_window, cbow_window(0, 0, centre=True), cbow_window(0, 0, wrap=True),
                   cbow_window(0, 0, same_word=False), cbow_window(1, 1), cbow_window(0, -1)):
        assert any(not np.allclose(answer(t, i, w, vectors, index), cbow_ref(t, i, w, vectors, index))
                   for t, i, w in lab02._CBOW_CASES)
