"""Lexical (word-matching) retrieval baselines: BM25 (via ``bm25s``) and TF-IDF (via scikit-learn).

Both take a corpus ``{doc id: text}`` and queries ``{query id: text}`` and return a run
``{query id: [doc ids, best first]}``, the same shape as :func:`embedlab.search.dense_run`,
ready for :func:`embedlab.metrics.evaluate_run`. The tokenizer is a parameter, so the same
code serves English (:func:`embedlab.text.tokenize_en`) and Chinese
(:func:`embedlab.text.segment_zh`, jieba words).

Ties (e.g. a query sharing no word with any document scores 0 everywhere) are broken by
corpus order, so a run is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .text import tokenize_en

Tokenizer = Callable[[str], list[str]]


def _check_inputs(corpus: Mapping[str, str], queries: Mapping[str, str], k: int) -> None:
    if not isinstance(corpus, Mapping) or not isinstance(queries, Mapping):
        raise TypeError("corpus and queries must be mappings {id: text}")
    if not corpus:
        raise ValueError("the corpus is empty")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    for kind, mapping in (("document", corpus), ("query", queries)):
        bad = next((key for key, text in mapping.items() if not isinstance(text, str)), None)
        if bad is not None:
            raise TypeError(f"{kind} {bad!r} is {type(mapping[bad]).__name__}, not a string")


def rank_scores(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` best scores in each row, best first; ties keep column order."""
    scores = np.atleast_2d(np.asarray(scores))
    k = min(k, scores.shape[1])
    # stable sort of the negated scores: equal scores stay in corpus order
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def bm25_scores(corpus: Mapping[str, str], queries: Mapping[str, str], *, tokenizer: Tokenizer = tokenize_en,
                k1: float = 1.5, b: float = 0.75) -> np.ndarray:
    """BM25 score of every document for every query: an array ``(n queries, n documents)``.

    ``bm25s`` with its default Lucene variant; the texts are split by ``tokenizer`` (no
    stemming, no stop-word list, so the baseline is easy to reason about).
    """
    import bm25s

    _check_inputs(corpus, queries, 1)
    doc_tokens = [tokenizer(text) for text in corpus.values()]
    if not any(doc_tokens):
        raise ValueError("every document is empty after tokenization")
    retriever = bm25s.BM25(k1=k1, b=b)
    retriever.index(doc_tokens, show_progress=False)
    scores = np.zeros((len(queries), len(corpus)), dtype=np.float32)
    for row, text in enumerate(queries.values()):
        ids = retriever.get_tokens_ids(tokenizer(text))  # words the corpus never uses are dropped
        if ids:
            scores[row] = retriever.get_scores_from_ids(ids)
    return scores


def bm25_run(corpus: Mapping[str, str], queries: Mapping[str, str], *, k: int = 10,
             tokenizer: Tokenizer = tokenize_en, k1: float = 1.5, b: float = 0.75) -> dict[str, list[str]]:
    """A BM25 run ``{query id: [top-k doc ids]}`` (see :func:`bm25_scores`)."""
    _check_inputs(corpus, queries, k)
    doc_ids = list(corpus)
    order = rank_scores(bm25_scores(corpus, queries, tokenizer=tokenizer, k1=k1, b=b), k)
    return {qid: [doc_ids[j] for j in row] for qid, row in zip(queries, order)}


def tfidf_scores(corpus: Mapping[str, str], queries: Mapping[str, str], *,
                 tokenizer: Tokenizer = tokenize_en) -> np.ndarray:
    """Cosine similarity of TF-IDF vectors (scikit-learn's ``TfidfVectorizer``, fit on the corpus)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    _check_inputs(corpus, queries, 1)
    vectorizer = TfidfVectorizer(tokenizer=tokenizer, lowercase=False, token_pattern=None)
    try:
        docs = vectorizer.fit_transform(list(corpus.values()))
    except ValueError as err:  # "empty vocabulary"
        raise ValueError(f"TF-IDF could not build a vocabulary from the corpus: {err}") from None
    if not queries:
        return np.zeros((0, len(corpus)), dtype=np.float32)
    # rows are L2-normalised, so the dot product is the cosine
    return np.asarray((vectorizer.transform(list(queries.values())) @ docs.T).todense(), dtype=np.float32)


def tfidf_run(corpus: Mapping[str, str], queries: Mapping[str, str], *, k: int = 10,
              tokenizer: Tokenizer = tokenize_en) -> dict[str, list[str]]:
    """A TF-IDF run ``{query id: [top-k doc ids]}`` (see :func:`tfidf_scores`)."""
    _check_inputs(corpus, queries, k)
    doc_ids = list(corpus)
    order = rank_scores(tfidf_scores(corpus, queries, tokenizer=tokenizer), k)
    return {qid: [doc_ids[j] for j in row] for qid, row in zip(queries, order)}


#: Words that say little about a question's topic: Lucene's English stop words (as in ``bm25s``)
#: plus question words and common auxiliaries. Used by :func:`word_overlap`.
QUESTION_STOPWORDS: frozenset[str] = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these "
    "they this to was will with what which who whom whose when where why how did do does done was were has "
    "have had can could would should may might its from than one two".split()
)


def content_words(text: str, *, tokenizer: Tokenizer = tokenize_en,
                  stopwords: frozenset[str] | set[str] = QUESTION_STOPWORDS) -> set[str]:
    """The distinct tokens of ``text`` that are not stop words."""
    return {t for t in tokenizer(text) if t not in stopwords}


def word_overlap(query: str, text: str, *, tokenizer: Tokenizer = tokenize_en,
                 stopwords: frozenset[str] | set[str] = QUESTION_STOPWORDS) -> float:
    """Share of the query's distinct content words that also occur in ``text`` (0 to 1).

    A quick way to explain a retrieval result: BM25 wins when the gold paragraph repeats the
    question's words, and loses when the question paraphrases them. 0 when the query has no
    content word.
    """
    if not isinstance(query, str) or not isinstance(text, str):
        raise TypeError("query and text must be strings")
    words = content_words(query, tokenizer=tokenizer, stopwords=stopwords)
    if not words:
        return 0.0
    return len(words & set(tokenizer(text))) / len(words)
