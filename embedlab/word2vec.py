"""Skip-gram with negative sampling (SGNS), from scratch in numpy, plus word-vector evaluations.

The model (Mikolov et al., 2013): every word has an input vector ``W_in[w]`` (the
embedding we keep) and an output vector ``W_out[w]``. For a (centre, context) pair
seen in the text and ``k`` "negative" words drawn at random, one training step lowers

    loss = -log σ(u_o · v_c) - Σ_k log σ(-u_k · v_c)

where ``v_c = W_in[centre]``, ``u_o = W_out[context]``, ``u_k = W_out[negative_k]``.

* pairs: :func:`skipgram_pairs` (one sentence), :func:`corpus_pairs` (a whole corpus)
* negatives: :func:`negative_table`, frequent-word thinning: :func:`subsample`
* one step: :func:`sgns_loss_grad` (one example, to read), :func:`sgd_step` (a batch, in place)
* training: :func:`train` (tqdm progress bar, returns the loss history)
* evaluation: :func:`nearest`, :func:`read_analogies`, :func:`analogy_accuracy`, :func:`read_word_pairs`,
  :func:`word_similarity`
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def _check_window(window: int) -> None:
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")


# ---------------------------------------------------------------- training pairs
def skipgram_pairs(tokens: Sequence, window: int) -> list[tuple]:
    """(centre, context) pairs of one sentence: every token with each neighbour at most ``window`` away.

    >>> skipgram_pairs(["a", "b", "c"], 1)
    [('a', 'b'), ('b', 'a'), ('b', 'c'), ('c', 'b')]
    """
    _check_window(window)
    pairs = []
    for i, centre in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window + 1)):
            if j != i:
                pairs.append((centre, tokens[j]))
    return pairs


def corpus_pairs(sentences: Sequence[Sequence[int]], window: int) -> np.ndarray:
    """All skip-gram pairs of a corpus of word-id sentences, as an ``(n, 2)`` int array (centre, context).

    The same pairs as :func:`skipgram_pairs` on each sentence (in another order), computed per
    offset with numpy: a pair never crosses a sentence boundary.
    """
    _check_window(window)
    lengths = [len(s) for s in sentences]
    if sum(lengths) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in sentences if len(s)])
    sentence_of = np.repeat(np.arange(len(lengths)), lengths)
    chunks = []
    for offset in range(1, window + 1):
        same = sentence_of[:-offset] == sentence_of[offset:]
        left, right = ids[:-offset][same], ids[offset:][same]
        chunks += [np.stack([left, right], axis=1), np.stack([right, left], axis=1)]
    return np.concatenate(chunks)


def subsample(sentences: Sequence[Sequence[int]], counts: np.ndarray, threshold: float = 1e-3,
              seed: int = 0) -> list[np.ndarray]:
    """Randomly drop frequent words: word ``w`` with frequency ``f`` is kept with probability
    ``(sqrt(f / threshold) + 1) * threshold / f`` (capped at 1), as in the word2vec C tool.

    "the" and "," then make far fewer (uninformative) pairs; rare words are always kept.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if threshold <= 0:
        raise ValueError("threshold must be positive")
    freq = counts / counts.sum()
    keep = np.minimum(1.0, (np.sqrt(freq / threshold) + 1) * threshold / np.maximum(freq, 1e-300))
    rng = np.random.default_rng(seed)
    out = []
    for sentence in sentences:
        ids = np.asarray(sentence, dtype=np.int64)
        out.append(ids[rng.random(len(ids)) < keep[ids]])
    return out


def negative_table(counts: Sequence[float] | np.ndarray, power: float = 0.75, size: int = 1_000_000) -> np.ndarray:
    """A table of word ids in which word ``w`` fills a share ``count[w]**power / Σ count**power``.

    Drawing uniformly from the table samples negatives from the unigram distribution raised
    to ``power`` (0.75 in word2vec: rare words are drawn more often than their raw frequency).
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or len(counts) == 0 or (counts < 0).any() or counts.sum() == 0:
        raise ValueError("counts must be a non-empty 1-d array of non-negative numbers, not all zero")
    probs = counts**power
    probs /= probs.sum()
    return np.repeat(np.arange(len(counts)), np.round(probs * size).astype(np.int64))


# ---------------------------------------------------------------- one step
def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, clipped so that ``exp`` never overflows."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def sgns_loss_grad(v: np.ndarray, u_pos: np.ndarray, u_neg: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Loss of one (centre, context, negatives) example and its gradients.

    ``v`` is the centre's input vector ``(d,)``, ``u_pos`` the context's output vector ``(d,)``,
    ``u_neg`` the negatives' output vectors ``(k, d)``. Returns ``(loss, dv, du_pos, du_neg)``.
    """
    v, u_pos, u_neg = np.asarray(v, float), np.asarray(u_pos, float), np.atleast_2d(np.asarray(u_neg, float))
    if v.shape != u_pos.shape or u_neg.shape[1:] != v.shape:
        raise ValueError(f"shapes do not fit: v {v.shape}, u_pos {u_pos.shape}, u_neg {u_neg.shape}")
    s_pos = sigmoid(u_pos @ v)  # probability that the true context is "real"
    s_neg = sigmoid(u_neg @ v)  # probabilities that the negatives are "real"
    loss = -np.log(s_pos + 1e-12) - np.log(1 - s_neg + 1e-12).sum()
    dv = (s_pos - 1) * u_pos + s_neg @ u_neg
    return float(loss), dv, (s_pos - 1) * v, s_neg[:, None] * v[None, :]


def sgd_step(W_in: np.ndarray, W_out: np.ndarray, centres: np.ndarray, contexts: np.ndarray,
             negatives: np.ndarray, lr: float) -> float:
    """One SGD step on a batch of examples, updating ``W_in`` and ``W_out`` in place; returns the mean loss.

    ``centres`` and ``contexts`` are ``(b,)`` word ids, ``negatives`` is ``(b, k)``. Each example's
    gradient is :func:`sgns_loss_grad`'s; a word used several times in the batch gets the sum.
    """
    centres, contexts, negatives = np.asarray(centres), np.asarray(contexts), np.asarray(negatives)
    if negatives.ndim != 2 or not (len(centres) == len(contexts) == len(negatives)):
        raise ValueError("need centres (b,), contexts (b,) and negatives (b, k) for the same b")
    v = W_in[centres]                                   # (b, d)
    u = W_out[np.concatenate([contexts[:, None], negatives], axis=1)]  # (b, 1 + k, d): true context first
    labels = np.zeros(u.shape[:2])
    labels[:, 0] = 1.0
    scores = sigmoid(np.einsum("bkd,bd->bk", u, v))     # (b, 1 + k)
    loss = -np.log(np.where(labels == 1, scores, 1 - scores) + 1e-12).sum(axis=1).mean()
    g = scores - labels                                 # d loss / d (u · v)
    grad_v = np.einsum("bk,bkd->bd", g, u)
    grad_u = g[:, :, None] * v[:, None, :]
    # np.add.at sums the updates of a word that occurs several times (cast first: it is slow across dtypes)
    np.add.at(W_in, centres, (-lr * grad_v).astype(W_in.dtype))
    np.add.at(W_out, np.concatenate([contexts[:, None], negatives], axis=1), (-lr * grad_u).astype(W_out.dtype))
    return float(loss)


# ---------------------------------------------------------------- training
@dataclass
class SGNSModel:
    """Trained (or freshly initialised) skip-gram vectors; ``vectors`` are the input vectors."""

    words: list[str]
    W_in: np.ndarray
    W_out: np.ndarray
    losses: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}

    @property
    def vectors(self) -> np.ndarray:
        return self.W_in

    def vector(self, word: str) -> np.ndarray:
        """The embedding of one word; ``KeyError`` names an out-of-vocabulary word."""
        if word not in self.index:
            raise KeyError(f"{word!r} is not in this model's {len(self.words):,}-word vocabulary")
        return self.W_in[self.index[word]]


def init_model(words: Sequence[str], dim: int = 50, seed: int = 0) -> SGNSModel:
    """Small random input vectors and zero output vectors (the word2vec C tool's start)."""
    if dim < 1 or not words:
        raise ValueError("need a non-empty vocabulary and dim >= 1")
    rng = np.random.default_rng(seed)
    W_in = ((rng.random((len(words), dim)) - 0.5) / dim).astype(np.float32)
    return SGNSModel(list(words), W_in, np.zeros((len(words), dim), dtype=np.float32))


def train(sentences: Sequence[Sequence[str]], vocab: Mapping[str, int], *, dim: int = 50, window: int = 2,
          negatives: int = 5, epochs: int = 1, lr: float = 0.025, batch_size: int = 256,
          sample: float | None = 1e-3, seed: int = 0, progress: bool = True) -> SGNSModel:
    """Train SGNS vectors on tokenised sentences; words outside ``vocab`` are skipped.

    ``vocab`` maps word -> id (0..V-1, e.g. :func:`embedlab.text.vocabulary`). Per epoch: drop
    frequent words (``sample``; ``None`` keeps all), make the pairs, shuffle, and take SGD steps
    on batches, the learning rate falling linearly to ``lr / 1000``. ``model.losses`` holds the
    mean loss of every batch.
    """
    from tqdm.auto import tqdm

    if epochs < 1 or batch_size < 1 or negatives < 1:
        raise ValueError("epochs, batch_size and negatives must be at least 1")
    words = sorted(vocab, key=vocab.__getitem__)
    if [vocab[w] for w in words] != list(range(len(words))):
        raise ValueError("vocab ids must be 0 .. len(vocab) - 1")
    ids = [np.array([vocab[t] for t in s if t in vocab], dtype=np.int64) for s in sentences]
    counts = np.bincount(np.concatenate(ids), minlength=len(words)) if ids else np.zeros(len(words))
    if counts.sum() == 0:
        raise ValueError("no word of the sentences is in the vocabulary")
    model = init_model(words, dim, seed)
    table = negative_table(counts + 1e-9)  # a word never seen gets (almost) no share
    rng = np.random.default_rng(seed)
    epoch_pairs = []
    for epoch in range(epochs):
        kept = subsample(ids, counts, sample, seed + epoch) if sample else ids
        pairs = corpus_pairs(kept, window)
        epoch_pairs.append(pairs[rng.permutation(len(pairs))])
    total = sum(int(np.ceil(len(p) / batch_size)) for p in epoch_pairs)
    step = 0
    with tqdm(total=total, desc="SGNS training", unit="batch", disable=not progress) as bar:
        for pairs in epoch_pairs:
            for start in range(0, len(pairs), batch_size):
                batch = pairs[start : start + batch_size]
                negs = table[rng.integers(0, len(table), size=(len(batch), negatives))]
                rate = lr * max(1e-3, 1 - step / total)
                model.losses.append(sgd_step(model.W_in, model.W_out, batch[:, 0], batch[:, 1], negs, rate))
                step += 1
                bar.update(1)
                if step % 200 == 0:
                    bar.set_postfix(loss=f"{np.mean(model.losses[-200:]):.3f}")
    return model


# ---------------------------------------------------------------- evaluation
def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def nearest(vectors: np.ndarray, words: Sequence[str], query: str | np.ndarray, k: int = 5,
            exclude: Sequence[str] = ()) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the highest cosine with ``query`` (a word or a vector).

    A query word is left out of its own answer, as are the words in ``exclude``.
    """
    index = {w: i for i, w in enumerate(words)}
    if isinstance(query, str):
        if query not in index:
            raise KeyError(f"{query!r} is not in the vocabulary")
        exclude = [*exclude, query]
        q = np.asarray(vectors[index[query]], dtype=np.float32)
    else:
        q = np.asarray(query, dtype=np.float32)
    norm = np.linalg.norm(q)
    if norm == 0:
        raise ValueError("the query vector is zero")
    sims = _unit_rows(vectors) @ (q / norm)
    for w in exclude:
        if w in index:
            sims[index[w]] = -np.inf
    top = np.argsort(-sims)[:k]
    return [(words[i], float(sims[i])) for i in top]


def read_analogies(path: str | Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Analogy questions ``a b c d`` ("a is to b as c is to d") by section (``: capital-common-countries``...).

    The layout of word2vec's ``questions-words.txt``; words are lower-cased.
    """
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = None
    for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith(":"):
            current = line[1:].strip()
            sections[current] = []
            continue
        parts = line.lower().split()
        if current is None or len(parts) != 4:
            raise ValueError(f"{path} line {line_no}: expected ': section' or four words")
        sections[current].append((parts[0], parts[1], parts[2], parts[3]))
    return sections


@dataclass(frozen=True)
class AnalogyResult:
    """Accuracy on the questions whose four words are all in the (restricted) vocabulary."""

    correct: int
    attempted: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempted if self.attempted else float("nan")

    @property
    def coverage(self) -> float:
        return self.attempted / self.total if self.total else float("nan")


def analogy_accuracy(vectors: np.ndarray, words: Sequence[str], questions: Sequence[tuple[str, str, str, str]],
                     restrict_vocab: int | None = None, batch_size: int = 512) -> AnalogyResult:
    """3CosAdd analogy accuracy, as gensim's ``evaluate_word_analogies``.

    For ``a b c d`` the answer is the word closest (cosine) to ``unit(b) - unit(a) + unit(c)``,
    leaving out ``a``, ``b`` and ``c``. Only the first ``restrict_vocab`` words (the most frequent,
    when ``words`` is sorted by frequency) are candidates; questions with a word outside them are
    skipped and counted in ``total`` but not in ``attempted``.
    """
    limit = len(words) if restrict_vocab is None else min(restrict_vocab, len(words))
    unit = _unit_rows(np.asarray(vectors)[:limit])
    index = {w: i for i, w in enumerate(words[:limit])}
    todo = [tuple(index[w] for w in q) for q in questions if all(w in index for w in q)]
    correct = 0
    for start in range(0, len(todo), batch_size):
        batch = np.array(todo[start : start + batch_size])
        target = unit[batch[:, 1]] - unit[batch[:, 0]] + unit[batch[:, 2]]
        sims = target @ unit.T
        rows = np.arange(len(batch))
        for col in range(3):
            sims[rows, batch[:, col]] = -np.inf
        correct += int((sims.argmax(axis=1) == batch[:, 3]).sum())
    return AnalogyResult(correct, len(todo), len(questions))


def read_word_pairs(path: str | Path) -> list[tuple[str, str, float]]:
    """Word pairs with a human similarity score (``wordsim353.tsv`` layout; ``#`` lines are comments)."""
    pairs = []
    for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path} line {line_no}: expected word<TAB>word<TAB>score")
        pairs.append((parts[0].lower(), parts[1].lower(), float(parts[2])))
    return pairs


@dataclass(frozen=True)
class WordSimResult:
    """Spearman correlation of model cosines with human scores, on the pairs the model covers."""

    spearman: float
    covered: int
    total: int
    oov_pairs: tuple[tuple[str, str], ...]


def word_similarity(vectors: np.ndarray, words: Sequence[str], pairs: Sequence[tuple[str, str, float]]) -> WordSimResult:
    """Rank agreement between cosine similarity and human judgements (e.g. WordSim-353).

    Pairs with a word missing from ``words`` are skipped (listed in ``oov_pairs``), as gensim's
    ``evaluate_word_pairs`` does by default.
    """
    from .metrics import spearman

    index = {w: i for i, w in enumerate(words)}
    known = [(a, b, s) for a, b, s in pairs if a in index and b in index]
    if len(known) < 2:
        raise ValueError(f"only {len(known)} of {len(pairs)} pairs have both words in the vocabulary")
    unit = _unit_rows(np.asarray(vectors)[[index[w] for a, b, _ in known for w in (a, b)]])
    cosines = (unit[0::2] * unit[1::2]).sum(axis=1)
    oov = tuple((a, b) for a, b, _ in pairs if a not in index or b not in index)
    return WordSimResult(spearman(cosines, [s for _, _, s in known]), len(known), len(pairs), oov)
