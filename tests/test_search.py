"""Dense retrieval: top_k against brute force, runs, and the SQuAD retrieval task."""

from __future__ import annotations

import re

import numpy as np
import pytest

from embedlab.data import parse_squad
from embedlab.search import answer_position, answer_sentence_set, dense_run, qa_retrieval_set, top_k
from embedlab.text import sentence_spans_zh


@pytest.fixture
def vectors() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.normal(size=(5, 8)).astype(np.float32), rng.normal(size=(40, 8)).astype(np.float32)


def test_top_k_matches_brute_force(vectors: tuple[np.ndarray, np.ndarray]) -> None:
    queries, docs = vectors
    idx, scores = top_k(queries, docs, k=7)
    full = queries @ docs.T
    want = np.argsort(-full, axis=1)[:, :7]
    assert idx.shape == scores.shape == (5, 7)
    np.testing.assert_array_equal(idx, want)
    np.testing.assert_allclose(scores, np.take_along_axis(full, want, axis=1), rtol=1e-6)
    assert (np.diff(scores, axis=1) <= 0).all()


def test_top_k_with_k_larger_than_the_corpus(vectors: tuple[np.ndarray, np.ndarray]) -> None:
    queries, docs = vectors
    idx, scores = top_k(queries, docs[:3], k=10)
    assert idx.shape == (5, 3)
    np.testing.assert_array_equal(idx, np.argsort(-(queries @ docs[:3].T), axis=1))


def test_top_k_single_query_and_cosine() -> None:
    docs = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0]])
    idx, scores = top_k(np.array([0.8, 0.6]), docs, k=2)
    np.testing.assert_array_equal(idx, [[1, 0]])
    np.testing.assert_allclose(scores, [[0.96, 0.8]], rtol=1e-6)


def test_top_k_bad_input(vectors: tuple[np.ndarray, np.ndarray]) -> None:
    queries, docs = vectors
    with pytest.raises(ValueError, match="query dimension 8 != document dimension 6"):
        top_k(queries, docs[:, :6])
    with pytest.raises(ValueError, match="k must be at least 1"):
        top_k(queries, docs, k=0)


def test_dense_run(vectors: tuple[np.ndarray, np.ndarray]) -> None:
    queries, docs = vectors
    doc_ids = [f"d{i}" for i in range(len(docs))]
    run = dense_run(["q0", "q1", "q2", "q3", "q4"], queries, doc_ids, docs, k=3)
    want = np.argsort(-(queries @ docs.T), axis=1)[:, :3]
    assert list(run) == ["q0", "q1", "q2", "q3", "q4"]
    assert run["q2"] == [f"d{j}" for j in want[2]]
    with pytest.raises(ValueError, match="same length"):
        dense_run(["q0"], queries, doc_ids, docs)
    with pytest.raises(ValueError, match="same length"):
        dense_run(["q0", "q1", "q2", "q3", "q4"], queries, doc_ids[:-1], docs)


def squad_dict() -> dict:
    """Two articles; one paragraph has its own id, one question is unanswerable, one paragraph has only that."""
    return {"version": "v2.0", "data": [
        {"title": "Cats", "paragraphs": [
            {"context": "Cats purr when they are content.", "qas": [
                {"id": "q1", "question": "When do cats purr?", "answers": [{"text": "when they are content",
                                                                            "answer_start": 10}]},
                {"id": "q2", "question": "Why do cats bark?", "answers": [], "is_impossible": True},
            ]},
            {"context": "Lions live in prides.", "qas": [
                {"id": "q3", "question": "Where do lions live?", "answers": [{"text": "in prides",
                                                                              "answer_start": 11}]},
            ]},
        ]},
        {"title": "Paris", "paragraphs": [
            {"id": "par-7", "context": "Paris is the capital of France.", "qas": [
                {"id": "q4", "question": "What is the capital of France?", "answers": [{"text": "Paris",
                                                                                        "answer_start": 0}]},
                {"id": "q5", "question": "Which country has Paris as capital?",
                 "answers": [{"text": "France", "answer_start": 24}]},
            ]},
            {"context": "The Seine flows through Paris.", "qas": [
                {"id": "q6", "question": "Who built the Seine?", "answers": [], "is_impossible": True},
            ]},
        ]},
    ]}


def test_qa_retrieval_set_all_questions() -> None:
    task = qa_retrieval_set(parse_squad(squad_dict(), "tiny"))
    assert task.corpus == {
        "Cats/0": "Cats purr when they are content.",
        "Cats/1": "Lions live in prides.",
        "par-7": "Paris is the capital of France.",
        "Paris/1": "The Seine flows through Paris.",  # a distractor: its only question is unanswerable
    }
    assert len(set(task.corpus.values())) == len(task.corpus)
    assert task.queries == {"q1": "When do cats purr?", "q3": "Where do lions live?",
                            "q4": "What is the capital of France?", "q5": "Which country has Paris as capital?"}
    assert task.qrels == {"q1": {"Cats/0": 1}, "q3": {"Cats/1": 1}, "q4": {"par-7": 1}, "q5": {"par-7": 1}}


def test_qa_retrieval_set_sampling_is_seeded() -> None:
    dataset = parse_squad(squad_dict(), "tiny")
    first = qa_retrieval_set(dataset, n_questions=2, seed=3)
    again = qa_retrieval_set(dataset, n_questions=2, seed=3)
    assert first.queries == again.queries and first.qrels == again.qrels
    assert len(first.queries) == 2 and set(first.queries) <= {"q1", "q3", "q4", "q5"}
    assert set(first.qrels) == set(first.queries)
    assert len(first.corpus) == 4  # the corpus keeps every paragraph
    assert len({tuple(qa_retrieval_set(dataset, n_questions=2, seed=s).queries) for s in range(10)}) > 1
    assert set(qa_retrieval_set(dataset, n_questions=99).queries) == {"q1", "q3", "q4", "q5"}


def test_qa_retrieval_set_bad_input() -> None:
    dataset = parse_squad(squad_dict(), "tiny")
    with pytest.raises(ValueError, match="n_questions must be at least 1"):
        qa_retrieval_set(dataset, n_questions=0)
    with pytest.raises(TypeError, match="expected a QADataset .* got dict"):
        qa_retrieval_set(squad_dict())


@pytest.mark.parametrize("k, message", [
    (2.5, "k must be a whole number of documents, got 2.5 (float)"),
    ("3", "k must be a whole number of documents, got '3' (str)"),
    (True, "k must be a whole number of documents, got True (bool)"),
    (None, "k must be a whole number of documents, got None (NoneType)"),
    (0, "k must be at least 1, got 0"),
    (-2, "k must be at least 1, got -2"),
])
def test_top_k_rejects_a_k_that_is_not_a_count(vectors: tuple[np.ndarray, np.ndarray], k, message: str) -> None:
    queries, docs = vectors
    with pytest.raises(ValueError, match=re.escape(message)):
        top_k(queries, docs, k=k)
    with pytest.raises(ValueError, match=re.escape(message)):
        dense_run([f"q{i}" for i in range(len(queries))], queries, [f"d{i}" for i in range(len(docs))], docs, k=k)


def test_top_k_accepts_numpy_integers(vectors: tuple[np.ndarray, np.ndarray]) -> None:
    queries, docs = vectors
    idx, _ = top_k(queries, docs, k=np.int64(3))
    np.testing.assert_array_equal(idx, top_k(queries, docs, k=3)[0])


def zh_dict() -> dict:
    """A tiny CMRC-like set: annotated starts that are right, wrong, missing, and an ambiguous answer."""
    return {"data": [{"title": "长城", "paragraphs": [
        {"id": "P1", "context": "长城位于中国北方。它全长两万多千米。修建始于春秋战国时期！",
         "qas": [
             {"id": "q-right", "question": "长城有多长？", "answers": [{"text": "两万多千米", "answer_start": 12}]},
             {"id": "q-wrong-mark", "question": "长城什么时候开始修建？",
              "answers": [{"text": "春秋战国", "answer_start": 0}]},          # the mark is off; the text occurs once
             {"id": "q-second-answer", "question": "长城在哪里？",
              "answers": [{"text": "中国南方", "answer_start": 4}, {"text": "中国北方", "answer_start": 4}]},
         ]},
        {"id": "P2", "context": "北京是首都。北京有长城。",
         "qas": [
             {"id": "q-ambiguous", "question": "哪里有长城？", "answers": [{"text": "北京", "answer_start": -1}]},
             {"id": "q-later", "question": "北京有什么？", "answers": [{"text": "长城", "answer_start": 9}]},
         ]},
        {"id": "P3", "context": "没有问题的段落。也会进入语料。", "qas": []},
    ]}]}


def test_sentence_spans_zh_offsets() -> None:
    text = "他说：“你好。”然后走了！\n\n  第二段？最后没有句号 "
    spans = sentence_spans_zh(text)
    assert [text[a:b] for a, b in spans] == ["他说：“你好。”", "然后走了！", "第二段？", "最后没有句号"]
    assert sentence_spans_zh("") == [] and sentence_spans_zh(" \n ") == []
    with pytest.raises(TypeError, match="text must be a str, got bytes"):
        sentence_spans_zh("你好".encode())


def test_answer_position_prefers_a_valid_mark_then_a_unique_occurrence() -> None:
    context = "北京是首都。北京有长城。"
    assert answer_position(context, ["长城"], [9]) == 9              # the mark is right
    assert answer_position(context, ["长城"], [0]) == 9              # wrong mark, but the text occurs once
    assert answer_position(context, ["北京"], [6]) == 6              # the mark picks one of two occurrences
    assert answer_position(context, ["北京"], [-1]) is None          # two occurrences and no mark: ambiguous
    assert answer_position(context, ["上海", "首都"], [0, -1]) == 3   # the first answer is absent, the second is found
    assert answer_position(context, [""], [0]) is None


def test_answer_sentence_set_labels_the_sentence_that_holds_the_answer() -> None:
    dataset = parse_squad(zh_dict(), "tiny zh")
    task = answer_sentence_set(dataset, ["P1", "P2", "P3"])
    assert task.corpus == {
        "P1#0": "长城位于中国北方。", "P1#1": "它全长两万多千米。", "P1#2": "修建始于春秋战国时期！",
        "P2#0": "北京是首都。", "P2#1": "北京有长城。",
        "P3#0": "没有问题的段落。", "P3#1": "也会进入语料。",
    }
    assert task.qrels == {"q-right": {"P1#1": 1}, "q-wrong-mark": {"P1#2": 1}, "q-second-answer": {"P1#0": 1},
                          "q-later": {"P2#1": 1}}   # q-ambiguous is left out: its answer cannot be placed
    assert set(task.queries) == set(task.qrels) and task.queries["q-right"] == "长城有多长？"


def test_answer_sentence_set_keeps_only_the_questions_asked() -> None:
    dataset = parse_squad(zh_dict(), "tiny zh")
    task = answer_sentence_set(dataset, ["P2", "P1"], ["q-later", "q-right"])
    assert list(task.queries) == ["q-later", "q-right"]
    assert list(task.corpus)[:2] == ["P2#0", "P2#1"]   # the paragraphs' order is kept
    assert len(answer_sentence_set(dataset, ["P1"]).queries) == 3


@pytest.mark.parametrize("paragraphs, questions, error, message", [
    ("P1", None, TypeError, "paragraph_ids must be a collection of ids, not one string"),
    (["P1"], "q-right", TypeError, "question_ids must be a collection of ids, not one string"),
    ([], None, ValueError, "paragraph_ids is empty"),
    (["P1", "P9"], None, ValueError, r"unknown paragraph id\(s\) \['P9'\]"),
    (["P1"], ["q-nope"], ValueError, r"no answerable question with id\(s\) \['q-nope'\]"),
    (["P1"], ["q-later"], ValueError, r"\['q-later'\] are about paragraphs outside paragraph_ids"),
])
def test_answer_sentence_set_bad_input(paragraphs, questions, error, message) -> None:
    with pytest.raises(error, match=message):
        answer_sentence_set(parse_squad(zh_dict(), "tiny zh"), paragraphs, questions)
    with pytest.raises(TypeError, match="expected a QADataset"):
        answer_sentence_set(zh_dict(), ["P1"])
