"""The course article's SQuAD retrieval experiment, reproduced as it was written (notebook 05).

The article built a "vector library" from the context of every answerable SQuAD 2.0 dev
question (one entry per question, so a paragraph with five questions is in it five
times: 5,928 entries for 1,204 distinct paragraphs), asked the first 100 questions,
kept the top-1 entry by cosine similarity, and counted a question as correct when the
answer text appears in the retrieved paragraph. :func:`article_evaluate` does exactly that
and also records whether the retrieved paragraph is the question's gold paragraph, so
the lenient check can be compared with the proper label.

:data:`ARTICLE_REPORTED` holds the two numbers the article reported, quoted (not recomputed:
their models need a download).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .data import QADataset, Question
from .search import top_k

#: Top-1 "answer appears" accuracy on the first 100 answerable SQuAD 2.0 dev questions, as
#: REPORTED by the course seed (quoted numbers, not computed here; the models need a download).
ARTICLE_REPORTED: dict[str, float] = {
    "paraphrase-multilingual-MiniLM-L12-v2": 0.47,
    "text2vec-base-chinese-sentence": 0.22,
}

#: How many questions the article asked (the first ones, in file order).
ARTICLE_N_QUESTIONS = 100


def answer_appears(answer: str, paragraph: str) -> bool:
    """The article's check: the answer text occurs in the paragraph (case-sensitive substring)."""
    if not isinstance(answer, str) or not isinstance(paragraph, str):
        raise TypeError("answer and paragraph must be strings")
    if not answer:
        raise ValueError("an empty answer appears in every paragraph; the check is meaningless")
    return answer in paragraph


@dataclass(frozen=True)
class ArticleLibrary:
    """The article's vector library: one entry per answerable question (paragraph texts repeat)."""

    texts: list[str]
    paragraph_ids: list[str]

    @property
    def n_unique(self) -> int:
        """How many distinct paragraphs the library holds."""
        return len(set(self.paragraph_ids))


def article_library(dataset: QADataset) -> ArticleLibrary:
    """The library as the article built it: each answerable question's context, duplicates included."""
    if not isinstance(dataset, QADataset):
        raise TypeError(f"expected a QADataset (from embedlab.data.load_squad), got {type(dataset).__name__}")
    questions = dataset.answerable()
    return ArticleLibrary([dataset.paragraph(q.paragraph_id).context for q in questions],
                       [q.paragraph_id for q in questions])


def library_vectors(model, texts: Sequence[str]) -> np.ndarray:
    """Document vectors of ``texts``, one row per entry, each distinct text encoded once.

    A model maps the same text to the same vector, so this equals encoding every entry
    (which is what the article did, and what notebook 05 times separately) at a fifth of the cost.
    """
    unique = list(dict.fromkeys(texts))
    row = {text: i for i, text in enumerate(unique)}
    vectors = model.encode_documents(unique)
    return vectors[[row[t] for t in texts]]


@dataclass
class ArticleResult:
    """Per-question outcome of the article's method for one model."""

    model: str
    questions: list[Question]
    retrieved_paragraph_ids: list[str]
    lenient: np.ndarray  # bool: the first answer text appears in the retrieved paragraph (the article's check)
    gold: np.ndarray  # bool: the retrieved paragraph is the one the question was written about

    @property
    def accuracy(self) -> float:
        """The article's number: share of questions whose retrieved paragraph contains the answer."""
        return float(self.lenient.mean())

    @property
    def gold_accuracy(self) -> float:
        """Share of questions whose retrieved paragraph is the gold one (recall@1)."""
        return float(self.gold.mean())

    @property
    def false_positives(self) -> int:
        """Questions the article counted correct although the retrieved paragraph is not the gold one."""
        return int((self.lenient & ~self.gold).sum())


def article_evaluate(model, dataset: QADataset, n_questions: int | None = ARTICLE_N_QUESTIONS,
                  library: ArticleLibrary | None = None, vectors: np.ndarray | None = None) -> ArticleResult:
    """Run the article's experiment: top-1 by cosine over the duplicated library, "answer appears" check.

    ``n_questions`` first answerable questions in file order (``None``: all). Queries go through
    ``encode_queries`` (for the article's own models that is plain ``encode``; e5 needs its ``query:``
    prefix). Pass ``library``/``vectors`` to reuse them across calls.
    """
    questions = dataset.answerable()
    if n_questions is not None:
        if not isinstance(n_questions, (int, np.integer)) or n_questions < 1:
            raise ValueError(f"n_questions must be a positive integer or None, got {n_questions!r}")
        questions = questions[:n_questions]
    library = library or article_library(dataset)
    if vectors is None:
        vectors = library_vectors(model, library.texts)
    if len(vectors) != len(library.texts):
        raise ValueError(f"{len(vectors)} vectors for a library of {len(library.texts)} entries")
    query_vectors = model.encode_queries([q.text for q in questions])
    best, _ = top_k(query_vectors, vectors, k=1)
    retrieved = [library.paragraph_ids[i] for i in best[:, 0]]
    lenient = np.array([answer_appears(q.answers[0], dataset.paragraph(pid).context)
                        for q, pid in zip(questions, retrieved)], dtype=bool)
    gold = np.array([pid == q.paragraph_id for q, pid in zip(questions, retrieved)], dtype=bool)
    return ArticleResult(getattr(model, "name", "?"), questions, retrieved, lenient, gold)


def top1_checks(run: Mapping[str, Sequence[str]], dataset: QADataset) -> tuple[np.ndarray, np.ndarray]:
    """Judge the top-1 of every query of a run (in run order) both ways: (lenient, gold), two bool arrays.

    Lenient (the article's check): the retrieved paragraph contains the question's first answer text.
    Gold: the retrieved paragraph is the one the question was written about. An empty ranking fails both.
    """
    questions = {q.id: q for q in dataset.answerable()}
    lenient, gold = [], []
    for qid, ranked in run.items():
        if qid not in questions:
            raise KeyError(f"query {qid!r} is not an answerable question of {dataset.name}")
        q = questions[qid]
        top = ranked[0] if len(ranked) else None
        lenient.append(top is not None and answer_appears(q.answers[0], dataset.paragraph(top).context))
        gold.append(top == q.paragraph_id)
    return np.array(lenient, dtype=bool), np.array(gold, dtype=bool)


def lenient_false_positives(run: Mapping[str, Sequence[str]], dataset: QADataset) -> tuple[int, int, int]:
    """For the top-1 of a run: (lenient hits, gold hits, lenient hits that are not gold)."""
    lenient, gold = top1_checks(run, dataset)
    return int(lenient.sum()), int(gold.sum()), int((lenient & ~gold).sum())
