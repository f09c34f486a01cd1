"""Unit tests of embedlab.word2vec on tiny fixtures (analogies checked against gensim)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from embedlab import word2vec as w2v


def test_skipgram_pairs_small_window() -> None:
    assert w2v.skipgram_pairs(["a", "b", "c"], 1) == [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")]
    assert w2v.skipgram_pairs(["x"], 3) == []
    assert len(w2v.skipgram_pairs(list("abcde"), 2)) == 2 * (4 + 3)


def test_skipgram_pairs_rejects_bad_window() -> None:
    with pytest.raises(ValueError, match="window"):
        w2v.skipgram_pairs(["a", "b"], 0)


def test_corpus_pairs_match_per_sentence_pairs() -> None:
    sentences = [[0, 1, 2, 3], [4], [5, 6, 1], []]
    got = Counter(map(tuple, w2v.corpus_pairs(sentences, 2).tolist()))
    want = Counter(p for s in sentences for p in w2v.skipgram_pairs(s, 2))
    assert got == want
    assert w2v.corpus_pairs([[], []], 1).shape == (0, 2)


def test_negative_table_follows_unigram_power() -> None:
    counts = np.array([100, 10, 1, 0])
    table = w2v.negative_table(counts, size=100_000)
    share = np.bincount(table, minlength=4) / len(table)
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(share, expected, atol=1e-4)
    assert share[0] < counts[0] / counts.sum()  # the power flattens the distribution
    with pytest.raises(ValueError):
        w2v.negative_table([0, 0])


def test_subsample_keeps_rare_and_thins_frequent_words() -> None:
    counts = np.array([10_000, 5])
    sentences = [np.array([0] * 1000 + [1] * 5)]
    kept = w2v.subsample(sentences, counts, threshold=1e-3, seed=0)[0]
    assert (kept == 1).sum() == 5
    assert (kept == 0).sum() < 200


def test_sgns_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    v, u_pos, u_neg = rng.normal(size=5), rng.normal(size=5), rng.normal(size=(3, 5))
    loss, dv, du_pos, du_neg = w2v.sgns_loss_grad(v, u_pos, u_neg)
    eps = 1e-6

    def numeric(which: int, arr: np.ndarray) -> np.ndarray:
        grad = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            plus, minus = [v.copy(), u_pos.copy(), u_neg.copy()], [v.copy(), u_pos.copy(), u_neg.copy()]
            plus[which][idx] += eps
            minus[which][idx] -= eps
            grad[idx] = (w2v.sgns_loss_grad(*plus)[0] - w2v.sgns_loss_grad(*minus)[0]) / (2 * eps)
        return grad

    np.testing.assert_allclose(dv, numeric(0, v), atol=1e-6)
    np.testing.assert_allclose(du_pos, numeric(1, u_pos), atol=1e-6)
    np.testing.assert_allclose(du_neg, numeric(2, u_neg), atol=1e-6)
    assert loss > 0
    with pytest.raises(ValueError, match="shapes"):
        w2v.sgns_loss_grad(v, u_pos[:3], u_neg)


def test_sgd_step_equals_per_example_updates() -> None:
    rng = np.random.default_rng(1)
    W_in, W_out = rng.normal(size=(10, 4)), rng.normal(size=(10, 4))
    centres, contexts, negatives = np.array([0, 1]), np.array([2, 3]), np.array([[4, 5], [6, 7]])
    expected_in, expected_out = W_in.copy(), W_out.copy()
    losses = []
    for c, o, negs in zip(centres, contexts, negatives):  # distinct ids: updates do not interact
        loss, dv, du_pos, du_neg = w2v.sgns_loss_grad(W_in[c], W_out[o], W_out[negs])
        losses.append(loss)
        expected_in[c] -= 0.1 * dv
        expected_out[o] -= 0.1 * du_pos
        expected_out[negs] -= 0.1 * du_neg
    mean_loss = w2v.sgd_step(W_in, W_out, centres, contexts, negatives, lr=0.1)
    assert mean_loss == pytest.approx(np.mean(losses))
    np.testing.assert_allclose(W_in, expected_in)
    np.testing.assert_allclose(W_out, expected_out)


def test_train_lowers_the_loss_on_a_toy_corpus() -> None:
    rng = np.random.default_rng(0)
    # two topics that never share a sentence: words of one topic should end up together
    topic_a, topic_b = ["cat", "dog", "pet", "fur"], ["car", "road", "wheel", "drive"]
    sentences = [list(rng.choice(topic_a if i % 2 else topic_b, size=6)) for i in range(600)]
    vocab = {w: i for i, w in enumerate(topic_a + topic_b)}
    model = w2v.train(sentences, vocab, dim=8, window=2, epochs=3, batch_size=32, lr=0.05, sample=None,
                      progress=False)
    assert np.mean(model.losses[-20:]) < np.mean(model.losses[:20]) - 0.5
    neighbours = [w for w, _ in w2v.nearest(model.vectors, model.words, "cat", k=3)]
    assert set(neighbours) == {"dog", "pet", "fur"}
    with pytest.raises(KeyError, match="plane"):
        model.vector("plane")


def test_train_rejects_bad_vocab() -> None:
    with pytest.raises(ValueError, match="0 .. len"):
        w2v.train([["a"]], {"a": 1}, progress=False)
    with pytest.raises(ValueError, match="no word"):
        w2v.train([["zzz"]], {"a": 0}, progress=False)


def test_nearest_excludes_query_and_handles_vectors() -> None:
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]])
    words = ["a", "b", "c", "d"]
    assert w2v.nearest(vectors, words, "a", k=1)[0][0] == "b"
    assert w2v.nearest(vectors, words, np.array([0.0, 2.0]), k=1)[0][0] == "c"
    with pytest.raises(KeyError):
        w2v.nearest(vectors, words, "zz")
    with pytest.raises(ValueError, match="zero"):
        w2v.nearest(vectors, words, np.zeros(2))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_analogy_accuracy_matches_gensim(tmp_path: Path) -> None:
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    vectors = rng.normal(size=(40, 6)).astype(np.float32)
    # make a few analogies hold exactly so both right and wrong answers occur
    vectors[3] = vectors[1] - vectors[0] + vectors[2]
    lines = [": family"] + [" ".join(rng.choice(words, size=4, replace=False)) for _ in range(60)]
    lines += ["w0 w1 w2 w3", "w0 w1 w2 unknown", ": other", "w5 w6 w7 w8"]
    path = _write(tmp_path / "q.txt", "\n".join(lines) + "\n")
    questions = [q for qs in w2v.read_analogies(path).values() for q in qs]
    kv = KeyedVectors(6)
    kv.add_vectors(words, vectors)
    for restrict in (None, 30):
        mine = w2v.analogy_accuracy(vectors, words, questions, restrict_vocab=restrict)
        _, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=restrict or 40, case_insensitive=False,
                                                 dummy4unknown=False)
        total = sections[-1]
        assert mine.correct == len(total["correct"])
        assert mine.attempted == len(total["correct"]) + len(total["incorrect"])
    assert mine.total == 63 and 0 < mine.coverage < 1


def test_read_analogies_and_pairs_reject_bad_lines(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="line 2"):
        w2v.read_analogies(_write(tmp_path / "a.txt", ": s\na b c\n"))
    pairs = w2v.read_word_pairs(_write(tmp_path / "p.tsv", "# header\nTiger\tcat\t7.35\n"))
    assert pairs == [("tiger", "cat", 7.35)]
    with pytest.raises(ValueError, match="line 1"):
        w2v.read_word_pairs(_write(tmp_path / "bad.tsv", "a b 1\n"))


def test_word_similarity_matches_gensim(tmp_path: Path) -> None:
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(30)]
    vectors = rng.normal(size=(30, 5)).astype(np.float32)
    rows = [(f"w{rng.integers(30)}", f"w{rng.integers(30)}", float(rng.integers(0, 100)) / 10) for _ in range(40)]
    rows += [("w1", "nowhere", 5.0)]
    path = _write(tmp_path / "ws.tsv", "# header\n" + "".join(f"{a}\t{b}\t{s}\n" for a, b, s in rows))
    mine = w2v.word_similarity(vectors, words, w2v.read_word_pairs(path))
    kv = KeyedVectors(5)
    kv.add_vectors(words, vectors)
    _, (rho, _), oov_ratio = kv.evaluate_word_pairs(str(path), case_insensitive=False)
    assert mine.spearman == pytest.approx(rho, abs=1e-6)
    assert mine.covered == 40 and mine.total == 41 and mine.oov_pairs == (("w1", "nowhere"),)
    with pytest.raises(ValueError, match="only 0 of 1"):
        w2v.word_similarity(vectors, words, [("x", "y", 1.0)])
