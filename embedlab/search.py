"""Dense retrieval in a few lines: score every document, keep the best ``k``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def top_k(query_vectors: np.ndarray, doc_vectors: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the ``k`` highest dot products per query, best first.

    With unit-length vectors (``encode(..., normalize=True)``) the dot product is the cosine.
    ``k`` is a whole number of at least 1; a ``k`` larger than the number of documents returns them all.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a whole number of documents, got {k!r} ({type(k).__name__})")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    q = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
    d = np.atleast_2d(np.asarray(doc_vectors, dtype=np.float32))
    if q.shape[1] != d.shape[1]:
        raise ValueError(f"query dimension {q.shape[1]} != document dimension {d.shape[1]}")
    k = int(min(k, d.shape[0]))
    scores = q @ d.T
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(part_scores, order, axis=1)


def dense_run(query_ids: Sequence[str], query_vectors: np.ndarray, doc_ids: Sequence[str],
              doc_vectors: np.ndarray, k: int = 10) -> dict[str, list[str]]:
    """A run ``{query id: [doc ids, best first]}`` for :func:`embedlab.metrics.evaluate_run`."""
    if len(query_ids) != len(query_vectors) or len(doc_ids) != len(doc_vectors):
        raise ValueError("ids and vectors must have the same length")
    idx, _ = top_k(query_vectors, doc_vectors, k)
    return {qid: [doc_ids[j] for j in row] for qid, row in zip(query_ids, idx)}


def qa_retrieval_set(dataset, n_questions: int | None = None, seed: int = 0):
    """A retrieval task from a SQuAD-layout set: unique paragraphs, answerable questions, gold paragraph.

    ``corpus`` holds every paragraph once (by its stable id); each question's only relevant
    document is the paragraph it was written about. ``n_questions`` draws that many questions
    at random (fixed ``seed``); ``None`` keeps them all.
    """
    from .data import QADataset, RetrievalSet

    if not isinstance(dataset, QADataset):
        raise TypeError(f"expected a QADataset (from embedlab.data.load_squad), got {type(dataset).__name__}")
    questions = dataset.answerable()
    if n_questions is not None:
        if n_questions < 1:
            raise ValueError("n_questions must be at least 1 (or None for all)")
        rng = np.random.default_rng(seed)
        keep = sorted(rng.choice(len(questions), size=min(n_questions, len(questions)), replace=False))
        questions = [questions[i] for i in keep]
    corpus = {p.id: p.context for p in dataset.paragraphs}
    queries = {q.id: q.text for q in questions}
    qrels = {q.id: {q.paragraph_id: 1} for q in questions}
    return RetrievalSet(corpus, queries, qrels)


def answer_position(context: str, answers: Sequence[str], starts: Sequence[int]) -> int | None:
    """Where a question's answer starts in its paragraph, or ``None`` when that cannot be told.

    The first answer whose annotated start really points at its text wins; otherwise the first answer
    that occurs exactly once in the paragraph. An answer that occurs several times with no valid mark
    is ambiguous (``None``): guessing would put some gold labels on the wrong sentence.
    """
    for answer, start in zip(answers, starts):
        if answer and start >= 0 and context[start:start + len(answer)] == answer:
            return start
    for answer in answers:
        if answer and context.count(answer) == 1:
            return context.index(answer)
    return None


def answer_sentence_set(dataset, paragraph_ids, question_ids=None, *, sentence_spans=None):
    """A harder retrieval task from a SQuAD-layout set: find the *sentence* that holds the answer.

    The corpus is every sentence of the given paragraphs (id ``"<paragraph id>#<n>"``); a question's
    only relevant document is the sentence where its answer starts (:func:`answer_position`).
    The other sentences of the same paragraph share its topic and words, which is what makes this
    harder than finding the paragraph (the idea of ReQA, Ahmad et al. 2019). ``question_ids`` keeps
    only those questions (they must be about the given paragraphs; ``None``: all answerable ones).
    Questions whose answer cannot be placed are left out: compare ``len(result.queries)`` with the
    number asked for. ``sentence_spans`` splits a paragraph (default: Chinese,
    :func:`embedlab.text.sentence_spans_zh`).
    """
    from .data import QADataset, RetrievalSet
    from .text import sentence_spans_zh

    if not isinstance(dataset, QADataset):
        raise TypeError(f"expected a QADataset (from embedlab.data.load_cmrc2018), got {type(dataset).__name__}")
    for name, ids in (("paragraph_ids", paragraph_ids), ("question_ids", question_ids)):
        if isinstance(ids, str):
            raise TypeError(f"{name} must be a collection of ids, not one string ({ids!r})")
    spans_of = sentence_spans or sentence_spans_zh
    wanted = list(dict.fromkeys(paragraph_ids))
    if not wanted:
        raise ValueError("paragraph_ids is empty: give at least one paragraph id")
    known = {p.id for p in dataset.paragraphs}
    unknown = [pid for pid in wanted if pid not in known]
    if unknown:
        raise ValueError(f"{dataset.name}: unknown paragraph id(s) {unknown[:5]}")
    keep = set(wanted)
    questions = [q for q in dataset.answerable() if q.paragraph_id in keep]
    if question_ids is not None:
        by_id = {q.id: q for q in dataset.answerable()}
        asked = list(dict.fromkeys(question_ids))
        missing = [qid for qid in asked if qid not in by_id]
        if missing:
            raise ValueError(f"{dataset.name}: no answerable question with id(s) {missing[:5]}")
        outside = [qid for qid in asked if by_id[qid].paragraph_id not in keep]
        if outside:
            raise ValueError(f"question(s) {outside[:5]} are about paragraphs outside paragraph_ids")
        questions = [by_id[qid] for qid in asked]
    corpus: dict[str, str] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for pid in wanted:
        context = dataset.paragraph(pid).context
        spans[pid] = spans_of(context)
        for n, (start, end) in enumerate(spans[pid]):
            corpus[f"{pid}#{n}"] = context[start:end]
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for q in questions:
        position = answer_position(dataset.paragraph(q.paragraph_id).context, q.answers, q.answer_starts)
        if position is None:
            continue
        hit = next((n for n, (start, end) in enumerate(spans[q.paragraph_id]) if start <= position < end), None)
        if hit is None:
            continue
        queries[q.id] = q.text
        qrels[q.id] = {f"{q.paragraph_id}#{hit}": 1}
    return RetrievalSet(corpus, queries, qrels)
