"""Checkers for lab 05, evaluating retrieval on SQuAD: metrics, the corpus, false positives, word overlap."""

from __future__ import annotations

import numpy as np

from ..checks import Exercise, call_answer, expect
from ..data import parse_squad
from ..lexical import QUESTION_STOPWORDS, word_overlap
from ..metrics import mrr_at_k, recall_at_k
from ..seed_eval import lenient_false_positives

# A tiny SQuAD-layout set: two questions share a paragraph, one is unanswerable, one paragraph has no answerable question.
_P = {
    "eiffel": "The Eiffel Tower is in Paris. It was finished in 1889 for the World's Fair.",
    "paris": "Paris is the capital of France. The Louvre, in Paris, opened in 1793.",
    "rome": "The Colosseum in Rome was finished in 80 AD under Titus.",
    "mars": "Mars has two small moons, Phobos and Deimos.",
}
_RAW = {"data": [
    {"title": "Paris", "paragraphs": [
        {"id": "eiffel", "context": _P["eiffel"], "qas": [
            {"id": "q1", "question": "Where is the Eiffel Tower?", "answers": [{"text": "Paris"}]},
            {"id": "q2", "question": "When was the tower finished?", "answers": [{"text": "1889"}, {"text": "in 1889"}]},
        ]},
        {"id": "paris", "context": _P["paris"], "qas": [
            {"id": "q3", "question": "What is the capital of France?", "answers": [{"text": "Paris"}]},
            {"id": "q4", "question": "What is the capital of Mars?", "answers": [], "is_impossible": True},
            {"id": "q5", "question": "When did the Louvre open?", "answers": [{"text": "1793"}]},
        ]},
    ]},
    {"title": "Rome", "paragraphs": [
        {"id": "rome", "context": _P["rome"], "qas": [
            {"id": "q6", "question": "When was the Colosseum finished?", "answers": [{"text": "80 AD"}]},
        ]},
        {"id": "mars", "context": _P["mars"], "qas": [
            {"id": "q7", "question": "Who built a city on Mars?", "answers": [], "is_impossible": True},
        ]},
    ]},
]}


def tiny_dataset():
    """The hand-made QADataset the checkers use (exposed so a learner can try it)."""
    return parse_squad(_RAW, "tiny SQuAD")


_GOLD = {"q1": "eiffel", "q2": "eiffel", "q3": "paris", "q5": "paris", "q6": "rome"}
_RUNS = [
    {"q1": ["eiffel", "paris"], "q2": ["paris", "rome", "eiffel"], "q3": ["eiffel", "mars", "rome", "paris"],
     "q5": ["rome"], "q6": ["mars", "rome"]},
    {"q1": ["paris", "eiffel"], "q2": ["eiffel"], "q3": [], "q5": ["paris", "eiffel"], "q6": ["rome"]},
    # gold at rank 11 for q1, missing q2
    {"q1": ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "eiffel"], "q3": ["paris"],
     "q5": ["eiffel", "rome", "paris"], "q6": ["eiffel", "paris", "mars", "rome"]},
]


def _recall_reference(run, gold, k):
    return float(np.mean([recall_at_k(list(run.get(q, [])), {g}, k) for q, g in gold.items()]))


def _mrr_reference(run, gold):
    return float(np.mean([mrr_at_k(list(run.get(q, [])), {g}, 10) for q, g in gold.items()]))


def _number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


# ------------------------------------------------------------------ exercise 1: recall@k
def _check_recall(recall_at_k) -> None:
    for i, run in enumerate(_RUNS):
        for k in (1, 2, 3, 10):
            got = call_answer(recall_at_k, run, dict(_GOLD), k)
            want = _recall_reference(run, _GOLD, k)
            expect(_number(got), f"return one number (the mean over questions), got {type(got).__name__}")
            expect(abs(float(got) - want) < 1e-9,
                   f"run {i}, k={k}: recall@k should be {want:.3f}, you returned {float(got):.3f} "
                   "(share of questions whose gold paragraph is in the first k; a question missing from the run counts 0)")


ex1 = Exercise("lab05", 1, "recall@k of a run", _check_recall,
               "for each question q: gold[q] in run.get(q, [])[:k] is True/False; the mean of those is recall@k.")


# ------------------------------------------------------------------ exercise 2: MRR@10
def _check_mrr(mrr_at_10) -> None:
    for i, run in enumerate(_RUNS):
        got = call_answer(mrr_at_10, run, dict(_GOLD))
        want = _mrr_reference(run, _GOLD)
        expect(_number(got), f"return one number (the mean over questions), got {type(got).__name__}")
        expect(abs(float(got) - want) < 1e-9,
               f"run {i}: MRR@10 should be {want:.4f}, you returned {float(got):.4f} (1/rank of the gold paragraph, "
               "rank counted from 1; 0 when it is not in the first 10 or the question is missing from the run)")


ex2 = Exercise("lab05", 2, "MRR@10 of a run", _check_mrr,
               "ranked = run.get(q, [])[:10]; if gold[q] in ranked the score is 1 / (ranked.index(gold[q]) + 1), "
               "else 0; average over the questions of gold.")


# ------------------------------------------------------------------ exercise 3: corpus and labels
def _check_task(build_task) -> None:
    dataset = tiny_dataset()
    got = call_answer(build_task, dataset)
    expect(isinstance(got, tuple) and len(got) == 2, "return two things: (corpus, gold)")
    corpus, gold = got
    expect(isinstance(corpus, dict) and isinstance(gold, dict), "corpus and gold should both be dicts")
    expect(len(corpus) == len(dataset.paragraphs),
           f"the corpus should hold each of the {len(dataset.paragraphs)} paragraphs once (also one with no answerable "
           f"question: it is still a paragraph a search can return), you have {len(corpus)} entries")
    expect(corpus == {p.id: p.context for p in dataset.paragraphs},
           "corpus should map each paragraph's id (p.id) to its text (p.context)")
    expect("q4" not in gold and "q7" not in gold,
           "unanswerable questions (is_impossible) have no gold paragraph to find: leave them out (dataset.answerable())")
    expect(gold == _GOLD, f"gold should map each answerable question's id to its paragraph_id: expected {_GOLD}, got {gold}")


ex3 = Exercise("lab05", 3, "each paragraph once, one gold paragraph per question", _check_task,
               "corpus = {p.id: p.context for p in dataset.paragraphs}; gold = {q.id: q.paragraph_id for q in "
               "dataset.answerable()}.")


# ------------------------------------------------------------------ exercise 4: lenient false positives
def _check_false_positives(count_false_positives) -> None:
    dataset = tiny_dataset()
    cases = [
        {"q1": ["paris"], "q2": ["eiffel"], "q3": ["eiffel"], "q5": ["rome"], "q6": ["rome"]},   # q1, q3 false positives
        {"q1": ["eiffel"], "q2": ["paris", "eiffel"], "q3": ["paris"], "q5": ["paris"], "q6": ["mars", "rome"]},  # none
        {"q1": ["mars", "paris"], "q3": ["rome", "eiffel"], "q5": ["eiffel", "paris"]},  # only rank 1 counts: none
        {"q2": ["paris"], "q3": ["eiffel", "paris"], "q6": ["eiffel"]},  # q3 only
    ]
    for i, run in enumerate(cases):
        got = call_answer(count_false_positives, run, dataset)
        want = lenient_false_positives(run, dataset)[2]
        expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool),
               f"return a count (int), got {type(got).__name__}")
        expect(int(got) == want,
               f"case {i} {run}: {want} false positive(s), you counted {int(got)} (a false positive: the top-1 paragraph "
               "contains the question's first answer text but is NOT its gold paragraph)")


ex4 = Exercise("lab05", 4, "count the lenient check's false positives", _check_false_positives,
               "for each question: top = ranked[0]; a false positive when top != q.paragraph_id and "
               "q.answers[0] in dataset.paragraph(top).context.")


# ------------------------------------------------------------------ exercise 5: word overlap
def _check_overlap(overlap) -> None:
    cases = [("What is the capital of Italy?", "Rome is the capital of Italy."),
             ("What is the capital of Italy?", "Paris is the capital of France."),
             ("When did the Louvre open to the public?", _P["paris"]),
             ("Who wrote Hamlet?", _P["rome"]),
             ("The the THE capital capital?", "capital"),
             ("What is it?", "anything")]
    for question, paragraph in cases:
        got = call_answer(overlap, question, paragraph)
        want = word_overlap(question, paragraph)
        expect(_number(got), f"return a number between 0 and 1, got {type(got).__name__}")
        expect(abs(float(got) - want) < 1e-9,
               f"overlap({question!r}, {paragraph[:40]!r}...) should be {want:.3f}, you returned {float(got):.3f} "
               "(distinct content words of the question, i.e. tokens not in STOPWORDS, found among the paragraph's "
               "tokens, divided by the number of distinct content words; 0 if there is none)")


ex5 = Exercise("lab05", 5, "word overlap of a question with a paragraph", _check_overlap,
               "words = {t for t in tokenize_en(question) if t not in STOPWORDS}; return len(words & "
               "set(tokenize_en(paragraph))) / len(words) (0.0 when words is empty).")

#: The stop-word list exercise 5 uses (the same as :func:`embedlab.lexical.word_overlap`).
STOPWORDS = QUESTION_STOPWORDS
