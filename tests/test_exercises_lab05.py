"""Lab 05's checkers accept the reference answers and reject wrong and blank ones."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.exercises import lab05

from checker_suite import checker_suite
from embedlab.text import tokenize_en


def recall_at_k(run, gold, k):
    return float(np.mean([gold[q] in run.get(q, [])[:k] for q in gold]))


def mrr_at_10(run, gold):
    scores = []
    for q, g in gold.items():
        ranked = run.get(q, [])[:10]
        scores.append(1 / (ranked.index(g) + 1) if g in ranked else 0.0)
    return float(np.mean(scores))


def build_task(dataset):
    return {p.id: p.context for p in dataset.paragraphs}, {q.id: q.paragraph_id for q in dataset.answerable()}


def count_false_positives(run, dataset):
    questions = {q.id: q for q in dataset.answerable()}
    count = 0
    for qid, ranked in run.items():
        q = questions[qid]
        if ranked and ranked[0] != q.paragraph_id and q.answers[0] in dataset.paragraph(ranked[0]).context:
            count += 1
    return count


def overlap(question, paragraph):
    words = {t for t in tokenize_en(question) if t not in lab05.STOPWORDS}
    return len(words & set(tokenize_en(paragraph))) / len(words) if words else 0.0


def bm25_only(bm25_hit, dense_hit):
    return [q for q in bm25_hit if bm25_hit[q] and not dense_hit[q]]


def ndcg_at_k(ranked, relevance, k):
    dcg = sum(relevance.get(d, 0) / np.log2(rank + 1) for rank, d in enumerate(ranked[:k], start=1))
    ideal = sorted(relevance.values(), reverse=True)[:k]
    return dcg / sum(g / np.log2(rank + 1) for rank, g in enumerate(ideal, start=1))


def bootstrap_interval(values, n_resamples, seed):
    means = np.random.default_rng(seed).choice(values, size=(n_resamples, len(values))).mean(axis=1)
    return tuple(np.percentile(means, [2.5, 97.5]))


REFERENCE = {1: recall_at_k, 2: mrr_at_10, 3: build_task, 4: count_false_positives, 5: overlap, 6: bm25_only,
             7: ndcg_at_k, 8: bootstrap_interval}
WRONG = {
    1: [lambda run, gold, k: float(np.mean([gold[q] in run[q][:k] for q in run])),          # skips missing questions
        lambda run, gold, k: float(np.mean([gold[q] in run.get(q, [])[: k - 1] for q in gold])),  # off by one
        lambda run, gold, k: sum(gold[q] in run.get(q, [])[:k] for q in gold)],               # a count, not a share
    2: [lambda run, gold: float(np.mean([1 / (run.get(q, []).index(g) + 1) if g in run.get(q, []) else 0
                                         for q, g in gold.items()])),                        # no cut-off at 10
        lambda run, gold: float(np.mean([1 / run.get(q, []).index(g) if g in run.get(q, [])[1:10] else
                                         (1.0 if run.get(q, [])[:1] == [g] else 0) for q, g in gold.items()])),  # 0-based
        lambda run, gold: float(np.mean([g in run.get(q, [])[:1] for q, g in gold.items()]))],  # recall@1
    3: [lambda ds: ([p.context for p in ds.paragraphs], {q.id: q.paragraph_id for q in ds.answerable()}),
        lambda ds: ({q.paragraph_id: ds.paragraph(q.paragraph_id).context for q in ds.answerable()},
                    {q.id: q.paragraph_id for q in ds.answerable()}),                       # drops a paragraph
        lambda ds: ({p.id: p.context for p in ds.paragraphs}, {q.id: q.paragraph_id for q in ds.questions})],
    4: [lambda run, ds: sum(bool(r) and next(q for q in ds.answerable() if q.id == qid).answers[0]
                            in ds.paragraph(r[0]).context for qid, r in run.items()),       # lenient hits
        lambda run, ds: sum(bool(r) and r[0] != ds.paragraph(next(q for q in ds.answerable() if q.id == qid)
                                                             .paragraph_id).id for qid, r in run.items()),  # misses
        lambda run, ds: sum(any(d != next(q for q in ds.answerable() if q.id == qid).paragraph_id and
                                next(q for q in ds.answerable() if q.id == qid).answers[0] in ds.paragraph(d).context
                                for d in r if d in {p.id for p in ds.paragraphs}) for qid, r in run.items())],  # any rank
    5: [lambda qu, pa: len(set(tokenize_en(qu)) & set(tokenize_en(pa))) / len(set(tokenize_en(qu))),  # keeps stop words
        lambda qu, pa: overlap(pa, qu),                                                      # backwards
        lambda qu, pa: float(len({t for t in tokenize_en(qu) if t not in lab05.STOPWORDS} & set(tokenize_en(pa))))],
}


test_reference_passes, test_wrong_rejected, test_blank_rejected, test_every_exercise_is_tested = \
    checker_suite(lab05, REFERENCE, WRONG)


def test_reference_agrees_with_embedlab() -> None:
    """The checkers' references are the library's functions on the tiny set."""
    from embedlab.metrics import evaluate_run
    from embedlab.search import qa_retrieval_set
    from embedlab.article_eval import lenient_false_positives

    ds = lab05.tiny_dataset()
    task = qa_retrieval_set(ds)
    corpus, gold = build_task(ds)
    assert corpus == task.corpus and {q: {p: 1} for q, p in gold.items()} == task.qrels
    run = lab05._RUNS[0]
    metrics = evaluate_run(run, task.qrels)
    assert recall_at_k(run, gold, 5) == pytest.approx(metrics["recall@5"])
    assert mrr_at_10(run, gold) == pytest.approx(metrics["MRR@10"])
    fp_run = {"q1": ["paris"], "q2": ["eiffel"], "q3": ["eiffel"], "q5": ["rome"], "q6": ["rome"]}
    assert count_false_positives(fp_run, ds) == lenient_false_positives(fp_run, ds)[2] == 2


# ---------------------------------------------------------------- wrong answers the old fixtures let through (issue 9)
def mrr_at(cutoff):
    """MRR with the wrong cut-off (None: no cut-off at all)."""
    def mrr(run, gold):
        scores = []
        for q, g in gold.items():
            ranked = list(run.get(q, []))[:cutoff]
            scores.append(1 / (ranked.index(g) + 1) if g in ranked else 0.0)
        return float(np.mean(scores))
    return mrr


@pytest.mark.parametrize("cutoff", [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 20, None])
def test_ex2_rejects_mrr_with_another_cutoff(cutoff) -> None:
    assert mrr_at(10)(lab05._RUNS[0], lab05._GOLD) == mrr_at_10(lab05._RUNS[0], lab05._GOLD)  # the helper is right
    status, message = lab05.ex2.evaluate(mrr_at(cutoff))
    assert status == "wrong", message


def test_ex2_fixture_has_gold_past_every_wrong_cutoff() -> None:
    ranks = {list(run[q]).index(g) + 1 for run in lab05._RUNS for q, g in lab05._GOLD.items()
             if g in run.get(q, [])}
    # a gold paragraph at rank 10 is lost by any cut-off below 10, one at rank 11 is kept by any above
    assert {10, 11} <= ranks
    assert {5, 6, 7, 9} <= ranks  # and the ranks between are not only 1-4 (as before issue 9)


def fp_case_insensitive(run, dataset):
    questions = {q.id: q for q in dataset.answerable()}
    return sum(bool(r) and r[0] != questions[qid].paragraph_id
               and questions[qid].answers[0].lower() in dataset.paragraph(r[0]).context.lower()
               for qid, r in run.items())


def fp_any_answer(run, dataset):
    questions = {q.id: q for q in dataset.answerable()}
    return sum(bool(r) and r[0] != questions[qid].paragraph_id
               and any(a in dataset.paragraph(r[0]).context for a in questions[qid].answers)
               for qid, r in run.items())


def fp_any_answer_case_insensitive(run, dataset):
    questions = {q.id: q for q in dataset.answerable()}
    return sum(bool(r) and r[0] != questions[qid].paragraph_id
               and any(a.lower() in dataset.paragraph(r[0]).context.lower() for a in questions[qid].answers)
               for qid, r in run.items())


@pytest.mark.parametrize("answer", [fp_case_insensitive, fp_any_answer, fp_any_answer_case_insensitive],
                         ids=["case-insensitive", "any-answer", "any-answer-case-insensitive"])
def test_ex4_rejects_a_check_other_than_the_seeds(answer) -> None:
    status, message = lab05.ex4.evaluate(answer)
    assert status == "wrong", message
    assert "same upper and lower case" in message


def overlap_list(question, paragraph):
    words = [t for t in tokenize_en(question) if t not in lab05.STOPWORDS]
    para = set(tokenize_en(paragraph))
    return sum(w in para for w in words) / len(words) if words else 0.0


def overlap_set_over_list(question, paragraph):
    words = [t for t in tokenize_en(question) if t not in lab05.STOPWORDS]
    return len(set(words) & set(tokenize_en(paragraph))) / len(words) if words else 0.0


def overlap_list_over_set(question, paragraph):
    words = [t for t in tokenize_en(question) if t not in lab05.STOPWORDS]
    para = set(tokenize_en(paragraph))
    return sum(w in para for w in words) / len(set(words)) if words else 0.0


@pytest.mark.parametrize("answer", [overlap_list, overlap_set_over_list, overlap_list_over_set],
                         ids=["list", "set-over-list", "list-over-set"])
def test_ex5_rejects_a_list_where_a_set_is_needed(answer) -> None:
    status, message = lab05.ex5.evaluate(answer)
    assert status == "wrong", message


# ---------------------------------------------------------------- exercise 6: the questions only BM25 gets right
@pytest.mark.parametrize("answer, message", [
    (lambda b, d: [q for q in b if b[q]], "every question BM25 gets right"),
    (lambda b, d: [q for q in b if d[q] and not b[q]], "only the dense model gets right"),
    (lambda b, d: [q for q in b if bool(b[q]) != bool(d[q])], "disagree"),
    (lambda b, d: [q for q in b if b[q] and d[q]], "both systems get right"),
    (lambda b, d: [q for q in b if not b[q] and not d[q]], "both systems get wrong"),
    (lambda b, d: sum(bool(b[q]) and not d[q] for q in b), "not how many"),
    (lambda b, d: [q for q in b if b[q] is True and d[q] is False], "`is True` is false for 1.0"),
    (lambda b, d: [q for q in b if b[q] and not d[q]] * 2, "each question once"),
], ids=["all-bm25-hits", "the-other-way-round", "disagreements", "both-right", "both-wrong", "a-count",
        "is-True-misses-numpy-and-float-hits", "repeats"])
def test_ex6_wrong_answer_gets_a_specific_message(answer, message) -> None:
    status, text = lab05.ex6.evaluate(answer)
    assert status == "wrong", text
    assert message in text


def test_ex6_accepts_a_set_or_any_order() -> None:
    assert lab05.ex6.evaluate(lambda b, d: set(bm25_only(b, d)))[0] == "passed"
    assert lab05.ex6.evaluate(lambda b, d: bm25_only(b, d)[::-1])[0] == "passed"


# ---------------------------------------------------------------- exercise 7: nDCG@k
def ndcg_with(log=np.log2, start=1, gain=lambda g: g, ideal="judged", cut_ideal=True, cut_dcg=True, normalise="ideal",
              old=False):
    """nDCG@k as a learner may write it: the right one by default, one mistake per argument."""
    def discount(rank):
        return (1.0 if rank == 1 else log(rank)) if old else log(rank + 1)

    def dcg(gains):
        return sum(gain(g) / discount(rank) for rank, g in enumerate(gains, start=start))

    def ndcg(ranked, relevance, k):
        gains = [relevance.get(d, 0) for d in ranked]
        value = dcg(gains[:k] if cut_dcg else gains)
        best = sorted(relevance.values() if ideal == "judged" else gains[:k], reverse=True)
        if normalise == "none":
            return value
        if normalise == "count":
            return value / sum(g > 0 for g in relevance.values())
        return value / dcg(best[:k] if cut_ideal else best)
    return ndcg


def test_ex7_reference_agrees_with_embedlab() -> None:
    from embedlab.metrics import ndcg_at_k

    for ranked, relevance, k in lab05._NDCG_CASES:
        assert ndcg_with()(ranked, relevance, k) == pytest.approx(ndcg_at_k(ranked, relevance, k), abs=1e-12)
        assert lab05._ndcg_variants(ranked, relevance, k)["right"] == pytest.approx(ndcg_at_k(ranked, relevance, k))


def test_ex7_natural_log_is_right_too() -> None:
    """DCG and the ideal DCG share the log's base, so it cancels: nDCG is the same with ln (not a mistake)."""
    assert lab05.ex7.evaluate(ndcg_with(log=np.log))[0] == "passed"


@pytest.mark.parametrize("answer, message", [
    (ndcg_with(start=0), "Counting ranks from 0"),
    (ndcg_with(normalise="none"), "that is DCG, not nDCG"),
    (ndcg_with(normalise="count"), "divided DCG by the number of relevant documents"),
    (ndcg_with(cut_ideal=False), "the ideal ranking is cut at k too"),
    (ndcg_with(ideal="retrieved"), "only reorders the documents that were retrieved"),
    (ndcg_with(gain=lambda g: 2 ** g - 1), "2^grade − 1"),
    (ndcg_with(cut_dcg=False), "below rank k"),
    (ndcg_with(old=True), "older DCG"),
], ids=["rank-from-0", "no-ideal-dcg", "divided-by-relevant-count", "ideal-not-cut-at-k", "ideal-of-retrieved-only",
        "exponential-gain", "no-cut-at-k", "old-formula"])
def test_ex7_wrong_answer_gets_a_specific_message(answer, message) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        status, text = lab05.ex7.evaluate(answer)
    assert status == "wrong", text
    assert message in text


# ---------------------------------------------------------------- exercise 8: a 95% bootstrap interval
def bootstrap_with(low=2.5, high=97.5, replace=True, how="percentile", rng_kind="generator"):
    """A percentile bootstrap of the mean as a learner may write it: right by default, one mistake per argument."""
    def interval(values, n_resamples, seed):
        values = np.asarray(values, dtype=float)
        if how == "values":
            return tuple(np.percentile(values, [low, high]))
        if rng_kind == "generator":
            rng = np.random.default_rng(seed)
            means = np.array([rng.choice(values, size=len(values), replace=replace).mean() for _ in range(n_resamples)])
        else:  # the legacy global generator, seeded with np.random.seed
            np.random.seed(seed)
            means = np.random.choice(values, size=(n_resamples, len(values)), replace=replace).mean(axis=1)
        if how == "normal":
            return values.mean() - 1.96 * means.std(), values.mean() + 1.96 * means.std()
        if how == "std of values":
            return values.mean() - values.std(), values.mean() + values.std()
        if how == "fractions":
            return tuple(np.percentile(means, [low / 100, high / 100]))
        return tuple(np.percentile(means, [low, high]))
    return interval


@pytest.mark.parametrize("seed", range(5))
def test_ex8_right_answers_pass_whatever_their_random_numbers(seed) -> None:
    for answer in (bootstrap_with(), bootstrap_with(rng_kind="legacy"), bootstrap_interval_quantile):
        assert lab05.ex8.evaluate(lambda v, n, s: answer(v, n, s + 1000 * seed))[0] == "passed"


def bootstrap_interval_quantile(values, n_resamples, seed):
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n_resamples, len(values)))].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


@pytest.mark.parametrize("answer, message", [
    (bootstrap_with(replace=False), "WITH replacement"),
    (bootstrap_with(how="normal"), "symmetric around the mean"),
    (bootstrap_with(how="std of values"), "symmetric around the mean"),
    (bootstrap_with(low=5, high=95), "90% interval"),
    (bootstrap_with(how="fractions"), "does not contain the mean"),
    (bootstrap_with(how="values"), "spans the values themselves"),
    (lambda v, n, s: bootstrap_with()(v, n, s)[::-1], "the lower end first"),
    (lambda v, n, s: float(np.mean(v)), "two numbers"),
], ids=["no-replacement", "mean-plus-minus-1.96-std", "mean-plus-minus-std-of-values", "90-percent",
        "percentile-given-fractions", "percentiles-of-the-values", "high-first", "one-number"])
def test_ex8_wrong_answer_gets_a_specific_message(answer, message) -> None:
    status, text = lab05.ex8.evaluate(answer)
    assert status == "wrong", text
    assert message in text


def test_ex8_embedlabs_bootstrap_passes() -> None:
    from embedlab.metrics import bootstrap_ci

    assert lab05.ex8.evaluate(lambda v, n, s: bootstrap_ci(v, n_resamples=n, seed=s))[0] == "passed"


def test_ex8_fixtures_are_skewed_enough_to_catch_a_symmetric_interval() -> None:
    """The reference interval of the first fixture is clearly lopsided (the symmetric answers fail on it)."""
    from embedlab.metrics import bootstrap_ci

    values = lab05._BOOTSTRAP_CASES["twelve skewed values"]
    lo, hi = bootstrap_ci(values, n_resamples=40_000, seed=0)
    assert ((hi - values.mean()) - (values.mean() - lo)) / (hi - lo) > 0.1
