"""Checkers of lab 02 (Word2Vec): skip-gram pairs, the negative-sampling loss, nearest neighbour, analogy, the CBOW
hidden layer."""

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
               "every position is the centre once; its context words are the other tokens at most `window` positions "
               "away on either side, and the window stops at the ends of the sentence.",
               solution="""
               def make_pairs(tokens, window):
                   pairs = []
                   for i, centre in enumerate(tokens):
                       for j in range(max(0, i - window), min(len(tokens), i + window + 1)):
                           if j != i:
                               pairs.append((centre, tokens[j]))
                   return pairs
               """)


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
        expect(not np.allclose(dv, -want_dv, rtol=1e-5, atol=1e-6),
               f"your loss is right but your gradient with respect to v is minus the true one (with {k} negatives): "
               "check the sign of each term")
        expect(np.allclose(dv, want_dv, rtol=1e-5, atol=1e-6),
               f"your loss is right but the gradient with respect to v is off (with {k} negatives): differentiate "
               "each term of the loss, the positive one and every negative one")


ex2 = Exercise("lab02", 2, "negative-sampling loss and gradient", _check_loss_grad,
               "the loss has one log σ term for the true context word and one for each negative, whose score enters "
               "with the opposite sign. For the gradient with respect to v, differentiate term by term: "
               "d/dx log σ(x) = 1 − σ(x), then the chain rule through the dot product.",
               solution="""
               def loss_and_grad(v, u_pos, u_neg):
                   sigmoid = lambda x: 1 / (1 + np.exp(-x))
                   s_pos, s_neg = sigmoid(u_pos @ v), sigmoid(u_neg @ v)
                   loss = -np.log(s_pos) - np.log(1 - s_neg).sum()
                   dv = (s_pos - 1) * u_pos + s_neg @ u_neg
                   return loss, dv
               """)


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
               "the fixture's vectors have very different lengths, so a raw dot product favours long vectors: compare "
               "directions only, and make sure the word cannot be its own neighbour.",
               solution="""
               def nearest_word(word, vectors, words, index):
                   unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
                   sims = unit @ unit[index[word]]
                   sims[index[word]] = -np.inf
                   return words[int(np.argmax(sims))]
               """)


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
               "'a is to b as c is to ?': move from c by the offset that leads from a to b (with unit-length vectors), "
               "then look for the word closest to that point by cosine; the three question words do not count.",
               solution="""
               def analogy(a, b, c, vectors, words, index):
                   unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
                   target = unit[index[b]] - unit[index[a]] + unit[index[c]]
                   sims = unit @ target
                   for w in (a, b, c):
                       sims[index[w]] = -np.inf
                   return words[int(np.argmax(sims))]
               """)


# ---------------------------------------------------------------- exercise 5
_CBOW_CASES = [  # (tokens, position of the centre word, window)
    (["the", "cat", "sat", "on", "the", "mat"], 2, 2),
    (["the", "cat", "sat", "on", "the", "mat"], 4, 4),   # the other "the" is context, not the centre
    (["the", "cat", "sat", "on", "the", "mat"], 0, 2),   # at the start: no word on the left
    (["the", "cat", "sat", "on", "the", "mat"], 5, 1),   # at the end: no word on the right
    (["滚滚", "长江", "东", "逝水"], 1, 1),
    (["滚滚", "长江", "东", "逝水"], 1, 5),                 # the window is longer than the sentence
]


def _cbow_fixture() -> tuple[np.ndarray, dict[str, int]]:
    words = ["the", "cat", "sat", "on", "mat", "滚滚", "长江", "东", "逝水"]
    vectors = np.random.default_rng(5).normal(size=(len(words), 6))
    return vectors, {w: i for i, w in enumerate(words)}


def _cbow_context(tokens: list[str], i: int, left: int, right: int, *, centre: bool = False, wrap: bool = False,
                  same_word: bool = True) -> list[str]:
    """The words around position ``i`` (``left`` before, ``right`` after), optionally with a learner's mistake."""
    first = i - left if wrap else max(0, i - left)
    positions = [j for j in range(first, min(len(tokens), i + right + 1)) if centre or j != i]
    return [tokens[j] for j in positions if same_word or centre or tokens[j] != tokens[i]]


def _check_cbow(func) -> None:
    vectors, index = _cbow_fixture()

    def mean_of(words: list[str]) -> np.ndarray:
        return vectors[[index[w] for w in words]].mean(axis=0) if words else np.full(vectors.shape[1], np.nan)

    for tokens, i, window in _CBOW_CASES:
        got = call_answer(func, list(tokens), i, window, vectors.copy(), dict(index))
        got = np.asarray(got, dtype=float)
        context = _cbow_context(tokens, i, window, window)
        where = f"for {tokens} with the centre at position {i} ({tokens[i]!r}) and window={window}"
        expect(got.shape != (len(context), vectors.shape[1]),
               f"{where} you returned the {len(context)} context vectors, shape {got.shape}: average them into one "
               f"vector of shape ({vectors.shape[1]},)")
        expect(got.shape == (vectors.shape[1],),
               f"{where} return one vector of shape ({vectors.shape[1]},) (the hidden layer), got shape {got.shape}"
               + (": you averaged over the wrong axis" if got.shape == (len(context),) else ""))
        want = mean_of(context)
        if np.allclose(got, want, atol=1e-8):
            continue
        n = len(context)
        expect(not np.allclose(got, want * n, atol=1e-8),
               f"{where} you added up the {n} context vectors; CBOW averages them (divide by how many there are)")
        expect(not np.allclose(got, want * n / (2 * window), atol=1e-8),
               f"{where} you divided by 2 × window = {2 * window}, but only {n} context words are there: near the "
               "ends of a sentence the window holds fewer words; divide by the number of context words")
        expect(not np.allclose(got, mean_of(_cbow_context(tokens, i, window, window, centre=True)), atol=1e-8),
               f"{where} your average includes the centre word {tokens[i]!r}: CBOW predicts the centre word from "
               "the words around it, so leave it out")
        expect(not np.allclose(got, mean_of(_cbow_context(tokens, i, window, window, wrap=True)), atol=1e-8),
               f"{where} your window wrapped around to the end of the sentence: a negative index counts from the end "
               "in Python, so the window must stop at position 0")
        expect(not np.allclose(got, mean_of(_cbow_context(tokens, i, window, window, same_word=False)), atol=1e-8),
               f"{where} you left out every {tokens[i]!r} in the window; only the centre position itself is left out "
               "(the same word elsewhere in the window is context)")
        off_by_one = [(window + 1, window + 1), (window - 1, window - 1), (window, window - 1), (window - 1, window)]
        expect(not any(np.allclose(got, mean_of(_cbow_context(tokens, i, left, right)), atol=1e-8)
                       for left, right in off_by_one),
               f"{where} your window is off by one: the context is every token at most {window} positions before or "
               f"after the centre, here {context}")
        expect(False, f"{where} the hidden vector should be the mean of the input vectors of {context}; yours is not")


ex5 = Exercise("lab02", 5, "CBOW hidden layer", _check_cbow,
               "CBOW turns skip-gram around: the words around a position predict the word at that position. Collect "
               "the context as in exercise 1 (the same window, clipped at both ends of the sentence, without the "
               "centre position), look up each context word's input vector, and combine them into one vector whose "
               "size does not depend on how many context words there are.",
               solution="""
               def cbow_hidden(tokens, position, window, vectors, index):
                   start, stop = max(0, position - window), min(len(tokens), position + window + 1)
                   context = [tokens[j] for j in range(start, stop) if j != position]
                   return vectors[[index[w] for w in context]].mean(axis=0)
               """)
