"""BM25 and TF-IDF runs: hand-checked scores, the run shape, ties, Chinese tokens and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from embedlab.lexical import bm25_run, bm25_scores, rank_scores, tfidf_run, tfidf_scores
from embedlab.metrics import evaluate_run

CORPUS = {
    "cats": "The cat sat on the mat. Cats like warm mats.",
    "dogs": "Dogs chase the ball in the park.",
    "paris": "Paris is the capital of France.",
    "rome": "Rome is the capital of Italy, and Rome is old.",
}
QUERIES = {"q1": "capital of Italy", "q2": "where do dogs play ball", "q3": "cat on a mat", "q4": "zebra"}


def _bm25_by_hand(query: list[str], docs: list[list[str]], k1: float = 1.5, b: float = 0.75) -> np.ndarray:
    """Lucene BM25: idf = ln(1 + (N - df + 0.5) / (df + 0.5)); tf part = tf / (tf + k1 (1 - b + b |d| / avgdl))."""
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)
    out = np.zeros(n)
    for term in set(query):
        df = sum(term in d for d in docs)
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for j, d in enumerate(docs):
            tf = d.count(term)
            out[j] += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
    return out


def test_bm25_scores_match_the_formula() -> None:
    from embedlab.text import tokenize_en

    docs = [tokenize_en(t) for t in CORPUS.values()]
    scores = bm25_scores(CORPUS, QUERIES)
    assert scores.shape == (4, 4)
    for row, text in enumerate(QUERIES.values()):
        np.testing.assert_allclose(scores[row], _bm25_by_hand(tokenize_en(text), docs), rtol=1e-5)


def test_bm25_run_shape_and_order() -> None:
    run = bm25_run(CORPUS, QUERIES, k=2)
    assert list(run) == list(QUERIES)
    assert all(len(docs) == 2 for docs in run.values())
    assert run["q1"][0] == "rome"
    assert run["q2"][0] == "dogs"
    assert run["q3"][0] == "cats"
    assert run["q4"] == ["cats", "dogs"]  # no shared word: all scores 0, ties keep corpus order
    assert evaluate_run(run, {"q1": {"rome": 1}, "q2": {"dogs": 1}}, ks=(1,))["recall@1"] == 1.0


def test_k_larger_than_corpus() -> None:
    assert len(bm25_run(CORPUS, QUERIES, k=50)["q1"]) == 4
    assert len(tfidf_run(CORPUS, QUERIES, k=50)["q1"]) == 4


def test_tfidf_matches_sklearn_cosine() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vec = TfidfVectorizer().fit(CORPUS.values())  # default tokenizer agrees with tokenize_en on this text
    want = cosine_similarity(vec.transform(QUERIES.values()), vec.transform(CORPUS.values()))
    np.testing.assert_allclose(tfidf_scores(CORPUS, QUERIES), want, atol=1e-6)
    run = tfidf_run(CORPUS, QUERIES, k=1)
    assert run["q1"] == ["rome"] and run["q2"] == ["dogs"]


def test_chinese_with_jieba_tokens() -> None:
    from embedlab.text import segment_zh

    corpus = {"bj": "北京是中国的首都，有很多历史建筑。", "sh": "上海是中国最大的城市之一，经济发达。",
              "cat": "猫喜欢在温暖的地方睡觉。"}
    queries = {"q": "中国的首都是哪里", "c": "猫在哪里睡觉"}
    for run in (bm25_run(corpus, queries, tokenizer=segment_zh, k=1),
                tfidf_run(corpus, queries, tokenizer=segment_zh, k=1)):
        assert run == {"q": ["bj"], "c": ["cat"]}


def test_rank_scores_ties_keep_column_order() -> None:
    scores = np.array([[0.1, 0.5, 0.5, 0.2], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(rank_scores(scores, 3), [[1, 2, 3], [0, 1, 2]])


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="corpus is empty"):
        bm25_run({}, QUERIES)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        bm25_run(CORPUS, QUERIES, k=0)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        tfidf_run(CORPUS, QUERIES, k=2.5)
    with pytest.raises(TypeError, match="mappings"):
        bm25_run(list(CORPUS.values()), QUERIES)
    with pytest.raises(TypeError, match="query 'q' is int"):
        tfidf_run(CORPUS, {"q": 3})
    with pytest.raises(ValueError, match="empty after tokenization"):
        bm25_run({"a": "!!", "b": "..."}, QUERIES)
    with pytest.raises(ValueError, match="vocabulary"):
        tfidf_run({"a": "!!", "b": "..."}, QUERIES)


def test_word_overlap() -> None:
    from embedlab.lexical import content_words, word_overlap

    assert content_words("What is the capital of Italy?") == {"capital", "italy"}
    assert word_overlap("What is the capital of Italy?", CORPUS["rome"]) == 1.0
    assert word_overlap("What is the capital of Italy?", CORPUS["paris"]) == 0.5
    assert word_overlap("What is the capital of Italy?", CORPUS["dogs"]) == 0.0
    assert word_overlap("what is it", CORPUS["rome"]) == 0.0  # no content word
    assert word_overlap("Cats?", "cats", stopwords=set()) == 1.0
    with pytest.raises(TypeError, match="strings"):
        word_overlap(None, "x")
