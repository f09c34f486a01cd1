"""The article's method on a tiny hand-made SQuAD set with a model whose vectors we choose."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.data import parse_squad
from embedlab.article_eval import (
    ARTICLE_N_QUESTIONS,
    ARTICLE_REPORTED,
    answer_appears,
    lenient_false_positives,
    library_vectors,
    article_evaluate,
    article_library,
)

P1 = "The Eiffel Tower is in Paris. It was built in 1889."
P2 = "Paris is the capital of France. The Louvre is in Paris."
P3 = "The Colosseum in Rome was finished in 80 AD."
RAW = {"data": [
    {"title": "Paris", "paragraphs": [
        {"context": P1, "qas": [
            {"id": "q1", "question": "Where is the Eiffel Tower?", "answers": [{"text": "Paris", "answer_start": 23}]},
            {"id": "q2", "question": "When was the tower built?", "answers": [{"text": "1889", "answer_start": 46}]},
        ]},
        {"context": P2, "qas": [
            {"id": "q3", "question": "What is the capital of France?", "answers": [{"text": "Paris", "answer_start": 0},
                                                                                   {"text": "paris", "answer_start": 0}]},
            {"id": "q4", "question": "What is the capital of Mars?", "answers": [], "is_impossible": True},
        ]},
    ]},
    {"title": "Rome", "paragraphs": [
        {"context": P3, "qas": [
            {"id": "q5", "question": "When was the Colosseum finished?", "answers": [{"text": "80 AD", "answer_start": 37}]},
        ]},
    ]},
]}

E = np.eye(3, dtype=np.float32)
VECTORS = {P1: E[0], P2: E[1], P3: E[2],
           "Where is the Eiffel Tower?": E[0],           # right
           "When was the tower built?": E[1],            # wrong paragraph, answer not in it
           "What is the capital of France?": E[0],       # wrong paragraph that contains "Paris": a false positive
           "When was the Colosseum finished?": E[2]}     # right


class ChosenVectors:
    """A stand-in model: each text's vector is looked up; remembers what it was asked to encode."""

    name = "chosen"

    def __init__(self) -> None:
        self.documents: list[str] = []
        self.queries: list[str] = []

    def encode_documents(self, texts):
        self.documents += list(texts)
        return np.stack([VECTORS[t] for t in texts])

    def encode_queries(self, texts):
        self.queries += list(texts)
        return np.stack([VECTORS[t] for t in texts])


@pytest.fixture
def dataset():
    return parse_squad(RAW, "tiny")


def test_reported_numbers_are_quoted_constants() -> None:
    assert ARTICLE_REPORTED == {"paraphrase-multilingual-MiniLM-L12-v2": 0.47, "text2vec-base-chinese-sentence": 0.22}
    assert ARTICLE_N_QUESTIONS == 100


def test_answer_appears() -> None:
    assert answer_appears("Paris", P2)
    assert not answer_appears("paris", P2)  # the article's check is case-sensitive
    with pytest.raises(ValueError, match="empty answer"):
        answer_appears("", P2)
    with pytest.raises(TypeError):
        answer_appears(None, P2)


def test_library_has_one_entry_per_answerable_question(dataset) -> None:
    library = article_library(dataset)
    assert library.texts == [P1, P1, P2, P3]  # q4 is unanswerable
    assert library.n_unique == 3
    with pytest.raises(TypeError, match="QADataset"):
        article_library({"data": []})


def test_library_vectors_encode_each_text_once(dataset) -> None:
    model = ChosenVectors()
    library = article_library(dataset)
    vectors = library_vectors(model, library.texts)
    np.testing.assert_array_equal(vectors, np.stack([VECTORS[t] for t in library.texts]))
    assert model.documents == [P1, P2, P3]


def test_article_evaluate(dataset) -> None:
    model = ChosenVectors()
    result = article_evaluate(model, dataset, n_questions=None)
    assert [q.id for q in result.questions] == ["q1", "q2", "q3", "q5"]
    assert model.queries == [q.text for q in result.questions]
    assert result.retrieved_paragraph_ids == ["Paris/0", "Paris/1", "Paris/0", "Rome/0"]
    assert result.lenient.tolist() == [True, False, True, True]
    assert result.gold.tolist() == [True, False, False, True]
    assert result.accuracy == 0.75 and result.gold_accuracy == 0.5 and result.false_positives == 1
    first_two = article_evaluate(ChosenVectors(), dataset, n_questions=2)
    assert [q.id for q in first_two.questions] == ["q1", "q2"] and first_two.accuracy == 0.5


def test_article_evaluate_bad_input(dataset) -> None:
    with pytest.raises(ValueError, match="n_questions"):
        article_evaluate(ChosenVectors(), dataset, n_questions=0)
    with pytest.raises(ValueError, match="2 vectors for a library of 4"):
        article_evaluate(ChosenVectors(), dataset, vectors=np.zeros((2, 3)))


def test_lenient_false_positives(dataset) -> None:
    run = {"q1": ["Paris/0"], "q2": ["Paris/1", "Paris/0"], "q3": ["Paris/0", "Paris/1"], "q5": []}
    assert lenient_false_positives(run, dataset) == (2, 1, 1)
    with pytest.raises(KeyError, match="q4"):
        lenient_false_positives({"q4": ["Paris/1"]}, dataset)


def test_top1_checks(dataset) -> None:
    from embedlab.article_eval import top1_checks

    lenient, gold = top1_checks({"q3": ["Paris/0"], "q1": ["Paris/0"], "q5": []}, dataset)
    assert lenient.tolist() == [True, True, False] and gold.tolist() == [False, True, False]
