"""Checkers of lab 02 (Word2Vec): skip-gram pairs, the negative-sampling loss, nearest neighbour, analogy."""

from __future__ import annotations

from collections import Counter

import numpy as np

from embedlab import word2vec as w2v
from embedlab.checks import Exercise, call_answer, expect


def _fixture(n_words: int = 300, dim: int = 64, seed: int = 2) -> tuple[np.ndarray, list[str], dict[str, int]]:
    """Random word vectors of unequal lengths with made-up names: the answers are known from the reference,
    and the dot product (which favours long vectors) often disagrees with the cosine."""
    rng = np.random.default_rng(seed)
    scale = rng.lognormal(0.0, 0.7, size=(n_words, 1))
    vectors = (rng.normal(size=(n_words, dim)) * scale).astype(np.float32)
    words = [f"w{i}" for i in range(n_words)]
    return vectors, words, {w: i for i, w in enumerate(words)}


# ---------------------------------------------------------------- exercise 1
_PAIR_CASES = [
    (["the", "cat", "sat", "on", "the", "mat"], 1),
    (["the", "cat", "sat", "on", "the", "mat"], 2),
    (["滚滚", "长江", "东", "逝水"], 3),
    (["only"], 2),
    (["a", "b"], 5),
]


def _check_pairs(func) -> None:
    for tokens, window in _PAIR_CASES:
        got = call_answer(func, list(tokens), window)
        expect(isinstance(got, (list, tuple)), f"return a list of (centre, context) tuples, got {type(got).__name__}")
        got = [tuple(p) for p in got]
        want = w2v.skipgram_pairs(tokens, window)
        expect(len(got) == len(want),
               f"for {tokens} with window={window} expected {len(want)} pairs, got {len(got)}")
        expect(Counter(got) == Counter(want),
               f"for {tokens} with window={window} the pairs differ, e.g. expected {sorted(want)[:4]}")


ex1 = Exercise("lab02", 1, "skip-gram pairs", _check_pairs,
               "For each position i, pair tokens[i] with tokens[j] for every j within `window` of i, j != i "
               "(and inside the sentence).")


# ---------------------------------------------------------------- exercise 2
def _check_loss_grad(func) -> None:
    rng = np.random.default_rng(7)
    for k in (1, 3, 5):
        v, u_pos, u_neg = rng.normal(size=8), rng.normal(size=8), rng.normal(size=(k, 8))
        got = call_answer(func, v.copy(), u_pos.copy(), u_neg.copy())
        expect(isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (loss, gradient with respect to v)")
        loss, dv = got
        want_loss, want_dv, _, _ = w2v.sgns_loss_grad(v, u_pos, u_neg)
        expect(np.ndim(loss) == 0, "the loss is one number for the example")
        expect(np.isclose(float(loss), want_loss, rtol=1e-5, atol=1e-6),
               f"loss {float(loss):.5f}, expected {want_loss:.5f} (with {k} negatives): "
               "-log σ(u_pos·v) - Σ log σ(-u_neg·v)")
        dv = np.asarray(dv, dtype=float)
        expect(dv.shape == v.shape, f"the gradient has the shape of v {v.shape}, got {dv.shape}")
        expect(np.allclose(dv, want_dv, rtol=1e-5, atol=1e-6),
               "the gradient with respect to v is off: (σ(u_pos·v) - 1)·u_pos + Σ σ(u_neg·v)·u_neg")


ex2 = Exercise("lab02", 2, "negative-sampling loss and gradient", _check_loss_grad,
               "Use sigmoid(x) = 1 / (1 + exp(-x)); log σ(-x) = log(1 - σ(x)). Differentiate each term with respect to v.")


# ---------------------------------------------------------------- exercise 3
def _check_nearest(func) -> None:
    vectors, words, index = _fixture()
    for word in ("w0", "w17", "w123", "w299"):
        got = call_answer(func, word, vectors, words, index)
        want = w2v.nearest(vectors, words, word, k=1)[0][0]
        expect(isinstance(got, str), f"return the neighbour as a word (a string), got {type(got).__name__}")
        expect(got != word, "a word's nearest neighbour must be another word (leave the query out)")
        expect(got == want, f"nearest neighbour of {word!r}: expected {want!r}, got {got!r} "
                            "(cosine similarity, not the dot product or the distance)")


ex3 = Exercise("lab02", 3, "cosine nearest neighbour", _check_nearest,
               "Normalise all rows to unit length, take dot products with the unit query vector, "
               "set the query word's own score to -inf, and take the argmax.")


# ---------------------------------------------------------------- exercise 4
def _check_analogy(func) -> None:
    vectors, words, index = _fixture()
    for a, b, c in (("w1", "w2", "w3"), ("w10", "w42", "w77"), ("w200", "w5", "w150")):
        got = call_answer(func, a, b, c, vectors, words, index)
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        # gensim's 3CosAdd adds unit vectors; adding the raw vectors is accepted too
        targets = (unit[index[b]] - unit[index[a]] + unit[index[c]], vectors[index[b]] - vectors[index[a]] + vectors[index[c]])
        want = [w2v.nearest(vectors, words, t, k=1, exclude=[a, b, c])[0][0] for t in targets]
        expect(isinstance(got, str), f"return the answer as a word (a string), got {type(got).__name__}")
        expect(got not in (a, b, c), f"{a}:{b} :: {c}:? returned {got!r}, one of the question's words; leave them out")
        expect(got in want, f"{a}:{b} :: {c}:? expected {want[0]!r}, got {got!r} "
                            "(3CosAdd: unit(b) - unit(a) + unit(c), then the cosine nearest word)")


ex4 = Exercise("lab02", 4, "analogy by vector arithmetic", _check_analogy,
               "'a is to b as c is to ?': target = unit(b) - unit(a) + unit(c); answer with the word of highest "
               "cosine to target, excluding a, b and c.")
