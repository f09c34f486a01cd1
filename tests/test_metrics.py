"""embedlab.metrics checked against pytrec_eval (trec_eval) and scipy on tiny hand-made inputs."""

from __future__ import annotations

import re

import numpy as np
import pytest
import pytrec_eval
from scipy import stats

from embedlab.metrics import (
    bootstrap_ci,
    cosine_matrix,
    evaluate_run,
    mrr_at_k,
    ndcg_at_k,
    pearson,
    rankdata,
    recall_at_k,
    spearman,
)

# Ranked lists without ties (pytrec_eval sorts by score; we give strictly decreasing scores).
RUN = {
    "q1": ["d3", "d1", "d7", "d2", "d9", "d4", "d5", "d6", "d8", "d0", "d10", "d11"],
    "q2": ["d5", "d6", "d7", "d8", "d9", "d0", "d1", "d2", "d3", "d4"],
    "q3": ["d2", "d4"],
    "q4": ["d8", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d9", "d10", "d0"],
    "q5": ["d1", "d0"],
}
QRELS = {
    "q1": {"d1": 1, "d9": 1},           # two relevant, at ranks 2 and 5
    "q2": {"d4": 1},                    # relevant at rank 10
    "q3": {"d7": 1},                    # never retrieved
    "q4": {"d0": 2, "d3": 1, "d8": 1},  # graded; d0 at rank 11 (outside the top 10)
    "q5": {"d1": 1},                    # relevant first
}


def _trec(run: dict[str, list[str]], qrels: dict[str, dict[str, int]], measures: set[str]) -> dict:
    scored = {q: {d: float(len(docs) - i) for i, d in enumerate(docs)} for q, docs in run.items()}
    return pytrec_eval.RelevanceEvaluator(qrels, measures).evaluate(scored)


@pytest.mark.parametrize("k", [1, 2, 5, 10])
def test_recall_matches_trec_eval(k: int) -> None:
    trec = _trec(RUN, QRELS, {f"recall.{k}"})
    for qid in QRELS:
        assert recall_at_k(RUN[qid], QRELS[qid], k) == pytest.approx(trec[qid][f"recall_{k}"])


def test_mrr_matches_trec_eval_recip_rank() -> None:
    cut = {q: docs[:10] for q, docs in RUN.items()}  # recip_rank has no cut-off: give it the top 10 only
    trec = _trec(cut, QRELS, {"recip_rank"})
    for qid in QRELS:
        assert mrr_at_k(RUN[qid], QRELS[qid], 10) == pytest.approx(trec[qid]["recip_rank"])
    assert mrr_at_k(RUN["q1"], QRELS["q1"], 1) == 0.0  # first relevant at rank 2
    assert mrr_at_k(RUN["q1"], QRELS["q1"], 2) == 0.5


@pytest.mark.parametrize("k", [1, 3, 10])
def test_ndcg_matches_trec_eval(k: int) -> None:
    trec = _trec(RUN, QRELS, {f"ndcg_cut.{k}"})
    for qid in QRELS:
        assert ndcg_at_k(RUN[qid], QRELS[qid], k) == pytest.approx(trec[qid][f"ndcg_cut_{k}"])


def test_evaluate_run_is_the_mean_of_trec_eval() -> None:
    got = evaluate_run(RUN, QRELS)
    trec = _trec({q: d[:10] for q, d in RUN.items()}, QRELS, {"recall.1,5,10", "recip_rank", "ndcg_cut.10"})
    mean = {m: np.mean([trec[q][m] for q in QRELS]) for m in ("recall_1", "recall_5", "recall_10",
                                                              "recip_rank", "ndcg_cut_10")}
    assert set(got) == {"recall@1", "recall@5", "recall@10", "MRR@10", "nDCG@10"}
    assert got["recall@1"] == pytest.approx(mean["recall_1"])
    assert got["recall@5"] == pytest.approx(mean["recall_5"])
    assert got["recall@10"] == pytest.approx(mean["recall_10"])
    assert got["MRR@10"] == pytest.approx(mean["recip_rank"])
    assert got["nDCG@10"] == pytest.approx(mean["ndcg_cut_10"])


def test_evaluate_run_by_hand() -> None:
    run = {"a": ["x", "y", "z"], "b": ["z", "y", "x"]}
    qrels = {"a": {"y": 1}, "b": {"z": 1}}
    got = evaluate_run(run, qrels, ks=(1, 2))
    assert got["recall@1"] == 0.5 and got["recall@2"] == 1.0
    assert got["MRR@10"] == pytest.approx((0.5 + 1) / 2)
    assert got["nDCG@10"] == pytest.approx((1 / np.log2(3) + 1) / 2)


def test_evaluate_run_counts_missing_queries_as_zero() -> None:
    got = evaluate_run({"a": ["y"]}, {"a": {"y": 1}, "b": {"z": 1}})
    assert got["recall@1"] == 0.5 and got["MRR@10"] == 0.5


def test_set_relevance_equals_binary_mapping() -> None:
    assert recall_at_k(["a", "b"], {"b"}, 1) == 0.0
    assert mrr_at_k(["a", "b"], {"b"}, 10) == 0.5
    assert ndcg_at_k(["a", "b"], {"b"}, 10) == pytest.approx(ndcg_at_k(["a", "b"], {"b": 1}, 10))
    # a judged-but-irrelevant document (grade 0) is not relevant
    assert mrr_at_k(["a", "b"], {"a": 0, "b": 1}, 10) == 0.5


def test_retrieval_metrics_bad_input() -> None:
    for bad_k in (0, -1, 1.5, "3"):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            recall_at_k(["a"], {"a": 1}, bad_k)
        with pytest.raises(ValueError, match="k must be a positive integer"):
            mrr_at_k(["a"], {"a": 1}, bad_k)
        with pytest.raises(ValueError, match="k must be a positive integer"):
            ndcg_at_k(["a"], {"a": 1}, bad_k)
    with pytest.raises(ValueError, match="no relevant document"):
        recall_at_k(["a"], {"a": 0}, 1)
    with pytest.raises(ValueError, match="no relevant document"):
        ndcg_at_k(["a"], {}, 1)
    with pytest.raises(ValueError, match="qrels is empty"):
        evaluate_run({"a": ["x"]}, {})


def test_correlations_match_scipy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=50)
    y = x + rng.normal(scale=0.7, size=50)
    assert pearson(x, y) == pytest.approx(stats.pearsonr(x, y)[0])
    assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y)[0])
    tied = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    np.testing.assert_allclose(rankdata(tied), stats.rankdata(tied))
    other = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4]
    assert spearman(tied, other) == pytest.approx(stats.spearmanr(tied, other)[0])


def test_correlations_bad_input() -> None:
    with pytest.raises(ValueError, match="equal length"):
        pearson([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least two points"):
        pearson([1.0], [2.0])
    with pytest.raises(ValueError, match="constant"):
        spearman([1, 1, 1], [1, 2, 3])


def test_cosine_matrix_against_scipy() -> None:
    from scipy.spatial.distance import cdist

    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(4, 6)), rng.normal(size=(3, 6))
    np.testing.assert_allclose(cosine_matrix(a, b), 1 - cdist(a, b, "cosine"), atol=1e-12)
    with pytest.raises(ValueError, match="zero vector"):
        cosine_matrix(np.zeros((1, 6)), b)
    with pytest.raises(ValueError, match="dimension mismatch"):
        cosine_matrix(a, b[:, :5])


def test_bootstrap_ci_sanity() -> None:
    rng = np.random.default_rng(5)
    hits = (rng.random(400) < 0.3).astype(float)
    low, high = bootstrap_ci(hits)
    assert low < hits.mean() < high
    # close to the normal approximation of a proportion's interval
    se = np.sqrt(hits.mean() * (1 - hits.mean()) / len(hits))
    assert low == pytest.approx(hits.mean() - 1.96 * se, abs=0.01)
    assert high == pytest.approx(hits.mean() + 1.96 * se, abs=0.01)
    # more data, narrower interval; higher confidence, wider interval; same seed, same answer
    small = bootstrap_ci(hits[:100])
    assert small[1] - small[0] > high - low
    wide = bootstrap_ci(hits, confidence=0.99)
    assert wide[0] < low and wide[1] > high
    assert bootstrap_ci(hits) == (low, high)
    assert bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)


def test_bootstrap_ci_bad_input() -> None:
    with pytest.raises(ValueError, match="at least two values"):
        bootstrap_ci([1.0])
    with pytest.raises(ValueError, match="at least two values"):
        bootstrap_ci(np.ones((3, 3)))
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci([0.0, 1.0], confidence=1.5)


# ---------------------------------------------------------------- one relevance contract (issue 9, item 6)
RELEVANCE_FORMS = {
    "one id": "p12",
    "set": {"p12"},
    "frozenset": frozenset({"p12"}),
    "list": ["p12"],
    "dict": {"p12": 1},
    "dict with a judged non-relevant": {"p12": 1, "x": 0},
}


@pytest.mark.parametrize("form", RELEVANCE_FORMS, ids=list(RELEVANCE_FORMS))
@pytest.mark.parametrize("metric", [recall_at_k, mrr_at_k, ndcg_at_k], ids=["recall", "mrr", "ndcg"])
def test_every_metric_reads_every_relevance_form_alike(metric, form: str) -> None:
    relevant = RELEVANCE_FORMS[form]
    assert metric(["p12", "x"], relevant, 1) == 1.0
    assert metric(["x", "p12"], relevant, 1) == 0.0
    assert metric(["x", "p12"], relevant, 2) == pytest.approx(
        {recall_at_k: 1.0, mrr_at_k: 0.5, ndcg_at_k: 1 / np.log2(3)}[metric])


@pytest.mark.parametrize("metric", [recall_at_k, mrr_at_k, ndcg_at_k], ids=["recall", "mrr", "ndcg"])
def test_a_string_is_one_id_never_its_characters(metric) -> None:
    # 'p1' is a substring of 'p12' and '1' one of its characters: neither is the document p12
    assert metric(["p1", "1", "p", "2"], "p12", 4) == 0.0
    assert metric(["p1"], {"p12"}, 1) == 0.0
    assert metric(["p12"], "p12", 1) == 1.0


def test_issue_examples() -> None:
    assert recall_at_k(["p12", "x"], "p12", 1) == 1.0
    assert mrr_at_k(["p12", "x"], "p12", 1) == 1.0
    assert mrr_at_k(["p1"], "p12", 1) == 0.0
    assert ndcg_at_k(["p12", "x"], "p12", 1) == 1.0


def test_evaluate_run_with_string_gold_as_lab_05_teaches() -> None:
    run = {"q1": ["p12", "p1"], "q2": ["p3", "p40"], "q3": ["p1"]}
    by_id = evaluate_run(run, {"q1": "p12", "q2": "p40", "q3": "p12"}, ks=(1, 2))
    by_dict = evaluate_run(run, {"q1": {"p12": 1}, "q2": {"p40": 1}, "q3": {"p12": 1}}, ks=(1, 2))
    assert by_id == by_dict
    assert by_id["recall@1"] == pytest.approx(1 / 3) and by_id["recall@2"] == pytest.approx(2 / 3)
    assert by_id["MRR@10"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert by_id["nDCG@10"] == pytest.approx((1 + 1 / np.log2(3) + 0) / 3)


@pytest.mark.parametrize("metric", [recall_at_k, mrr_at_k, ndcg_at_k], ids=["recall", "mrr", "ndcg"])
def test_bad_relevance_and_ranking_give_clear_errors(metric) -> None:
    for bad in (None, 3.5, b"p12", [["p1"]]):
        with pytest.raises(TypeError, match="relevant|ids are strings"):
            metric(["p1"], bad, 1)
    with pytest.raises(TypeError, match="grade of 'p1' must be a number"):
        metric(["p1"], {"p1": "yes"}, 1)
    with pytest.raises(TypeError, match="not a string"):
        metric("p12", "p12", 1)
    with pytest.raises(TypeError, match="a whole run"):
        metric({"q1": ["p12"]}, "p12", 1)


# ---------------------------------------------------------------- odd inputs (issue 9, item 7)
@pytest.mark.parametrize("metric", [recall_at_k, mrr_at_k, ndcg_at_k], ids=["recall", "mrr", "ndcg"])
def test_a_document_twice_in_a_ranking_raises(metric) -> None:
    with pytest.raises(ValueError, match=r"ranked lists 'a' twice \(ranks 1 and 2\)"):
        metric(["a", "a"], {"a"}, 2)
    with pytest.raises(ValueError, match="twice"):
        metric(["a", "b", "a"], {"a"}, 1)  # a malformed run is malformed at every k
    with pytest.raises(ValueError, match="query 'q1': ranked lists 'a' twice"):
        evaluate_run({"q1": ["a", "b", "a"]}, {"q1": "a"})


@pytest.mark.parametrize("metric", [recall_at_k, mrr_at_k, ndcg_at_k], ids=["recall", "mrr", "ndcg"])
@pytest.mark.parametrize("relevant", [set(), {}, {"a": 0}, {"a": 0, "b": -1}], ids=["set", "dict", "grade0", "neg"])
def test_no_relevant_document_raises_in_every_metric(metric, relevant) -> None:
    with pytest.raises(ValueError, match="undefined for a query with no relevant document"):
        metric(["a", "b"], relevant, 2)


def test_evaluate_run_names_the_query_without_relevant_documents() -> None:
    with pytest.raises(ValueError, match="query 'q2': recall is undefined"):
        evaluate_run({"q1": ["a"]}, {"q1": "a", "q2": set()})
    with pytest.raises(ValueError, match="every k in ks must be a positive integer, got 0"):
        evaluate_run({"q1": ["a"]}, {"q1": "a"}, ks=(0,))
    with pytest.raises(TypeError, match="query 'q1': ranked must be a list of document ids"):
        evaluate_run({"q1": "a"}, {"q1": "a"})


@pytest.mark.parametrize("bad", [[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]])
def test_spearman_and_pearson_refuse_nan(bad) -> None:
    with pytest.raises(ValueError, match="x contains nan at position"):
        spearman(bad, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="y contains nan at position"):
        spearman([1.0, 2.0, 3.0], bad)
    with pytest.raises(ValueError, match="contains nan"):
        pearson(bad, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="contains nan"):
        rankdata(bad)
    with pytest.raises(ValueError, match="y contains inf at position 1"):
        pearson([1.0, 2.0, 3.0], [1.0, np.inf, 3.0])


def test_dot_and_euclidean_matrix_dimension_mismatch() -> None:
    from embedlab.metrics import dot_matrix, euclidean_matrix

    a, b = np.ones((2, 3)), np.ones((4, 5))
    for function in (dot_matrix, euclidean_matrix, cosine_matrix):
        with pytest.raises(ValueError, match=r"dimension mismatch: a has 3 dimensions, b has 5"):
            function(a, b)
    np.testing.assert_allclose(dot_matrix(a, np.ones((4, 3))), np.full((2, 4), 3.0))
    np.testing.assert_allclose(euclidean_matrix(a, np.zeros((4, 3))), np.full((2, 4), np.sqrt(3)))


@pytest.mark.parametrize("n_resamples, message", [
    (0, "at least 100, got 0"), (-5, "at least 100, got -5"), (99, "at least 100, got 99"),
    (2.5, "a whole number, got 2.5"), ("2000", "a whole number, got '2000'"), (True, "a whole number, got True"),
])
def test_bootstrap_ci_n_resamples(n_resamples, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"n_resamples must be {message}")):
        bootstrap_ci([0.0, 1.0, 1.0], n_resamples=n_resamples)


def test_bootstrap_ci_small_but_valid_resamples_and_nan() -> None:
    low, high = bootstrap_ci([0.0, 1.0, 1.0, 0.0], n_resamples=100)
    assert 0.0 <= low <= 0.5 <= high <= 1.0
    assert bootstrap_ci([0.0, 1.0], n_resamples=np.int64(200)) == bootstrap_ci([0.0, 1.0], n_resamples=200)
    with pytest.raises(ValueError, match="values contains nan at position 1"):
        bootstrap_ci([0.0, np.nan, 1.0])
