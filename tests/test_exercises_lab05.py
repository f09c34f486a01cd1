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


REFERENCE = {1: recall_at_k, 2: mrr_at_10, 3: build_task, 4: count_false_positives, 5: overlap}
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
    from embedlab.seed_eval import lenient_false_positives

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
