"""Lab 08's checkers accept the reference answers and reject blank and wrong ones, each with its specific message."""

from __future__ import annotations

import collections

import pytest

from embedlab.checks import ____, exercises_of
from embedlab.exercises import lab08

from checker_suite import checker_suite


def build_prompt(question, passages):
    if not question.strip():
        raise ValueError("the question is empty")
    context = f"Context: {' '.join(p.strip() for p in passages)}\n" if passages else ""
    return lab08.INSTRUCTION + lab08.SHOTS + context + f"Question: {question.strip()}\nAnswer:"


def token_f1(prediction, gold):
    p, g = lab08.normalize_answer(prediction).split(), lab08.normalize_answer(gold).split()
    if not p or not g:
        return float(p == g)
    common = sum((collections.Counter(p) & collections.Counter(g)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def choose_chunk_size(recalls, target):
    good = [size for size, recall in recalls.items() if recall >= target]
    return min(good) if good else None


def rrf(rankings, k=60):
    scores = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda d: -scores[d])


def _prompt_without_check(question, passages):
    context = f"Context: {' '.join(p.strip() for p in passages)}\n" if passages else ""
    return lab08.INSTRUCTION + lab08.SHOTS + context + f"Question: {question.strip()}\nAnswer:"


def _set_f1(prediction, gold):
    p, g = set(lab08.normalize_answer(prediction).split()), set(lab08.normalize_answer(gold).split())
    if not p or not g:
        return float(p == g)
    common = len(p & g)
    return 0.0 if common == 0 else 2 * (common / len(p)) * (common / len(g)) / (common / len(p) + common / len(g))


def _raw_f1(prediction, gold):   # no normalisation
    p, g = prediction.split(), gold.split()
    if not p or not g:
        return float(p == g)
    common = sum((collections.Counter(p) & collections.Counter(g)).values())
    return 0.0 if common == 0 else 2 * (common / len(p)) * (common / len(g)) / (common / len(p) + common / len(g))


def _zero_empty_f1(prediction, gold):
    p, g = lab08.normalize_answer(prediction).split(), lab08.normalize_answer(gold).split()
    if not p or not g:
        return 0.0
    return token_f1(prediction, gold)


def _rrf_zero_based(rankings, k=60):
    scores = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda d: -scores[d])


def _rrf_rank_sum(rankings, k=60):
    ranks = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            ranks[doc] = ranks.get(doc, 0) + rank
    return sorted(ranks, key=lambda d: ranks[d])


def _rrf_only_shared(rankings, k=60):
    shared = set(rankings[0]).intersection(*map(set, rankings[1:]))
    return [d for d in rrf(rankings, k) if d in shared]


REFERENCE = {1: build_prompt, 2: token_f1, 3: choose_chunk_size, 4: rrf}
WRONG = {
    1: [_prompt_without_check,
        lambda q, ps: build_prompt(q, ps) + " ",                                            # trailing space
        lambda q, ps: lab08.SHOTS + build_prompt(q, ps)[len(lab08.INSTRUCTION + lab08.SHOTS):],   # no instruction
        lambda q, ps: build_prompt(q, ps) if ps or not q.strip() else
        "Context: \nQuestion:".join(build_prompt(q, ps).rsplit("Question:", 1)),           # empty Context line
        lambda q, ps: build_prompt(q, ps).replace(" ".join(p.strip() for p in ps), "".join(ps)) if ps else build_prompt(q, ps),
        lambda q, ps: build_prompt(q, ps).replace(q.strip(), q) if q.strip() else build_prompt(q, ps)],   # unstripped
    2: [_set_f1, _raw_f1, _zero_empty_f1,
        lambda p, g: (lambda a, b: sum((collections.Counter(a) & collections.Counter(b)).values()) / len(a) if a else 0.0)(
            lab08.normalize_answer(p).split(), lab08.normalize_answer(g).split())],        # precision only
    3: [lambda recalls, target: max(recalls, key=recalls.get),                               # the best, not the smallest
        lambda recalls, target: min((s for s, r in recalls.items() if r > target), default=None),   # > not >=
        lambda recalls, target: max((s for s, r in recalls.items() if r >= target), default=None),  # the largest
        lambda recalls, target: min(s for s, r in recalls.items() if r >= target)],           # raises when none
    4: [_rrf_zero_based, _rrf_rank_sum, _rrf_only_shared,
        lambda rankings, k=60: rrf(rankings, 60)],                                          # ignores k
}

test_reference_passes, test_wrong_rejected, test_blank_rejected, _ = checker_suite(lab08, REFERENCE, WRONG)


def test_every_exercise_is_tested() -> None:
    assert [e.number for e in exercises_of(lab08)] == sorted(REFERENCE) + [5]


@pytest.mark.parametrize("index, words", [(0, "should raise ValueError"), (1, "nothing after it"),
                                          (2, "start with lab08.INSTRUCTION"), (3, "leave the Context line out"),
                                          (4, "joined by one space"), (5, "strip the question")])
def test_prompt_messages_name_the_mistake(index, words) -> None:
    status, message = lab08.ex1.evaluate(WRONG[1][index])
    assert status == "wrong" and words in message, message


@pytest.mark.parametrize("index, words", [(0, "as bags"), (1, "normalise both"), (2, "F1 is 1 if both are empty"),
                                          (3, "normalise both")])
def test_f1_messages_name_the_mistake(index, words) -> None:
    status, message = lab08.ex2.evaluate(WRONG[2][index])
    assert status == "wrong" and words in message, message


@pytest.mark.parametrize("index, words", [(0, "smallest size"), (1, "includes equal"), (2, "smallest size"),
                                          (3, "return None instead")])
def test_chunk_size_messages_name_the_mistake(index, words) -> None:
    status, message = lab08.ex3.evaluate(WRONG[3][index])
    assert status in {"wrong", "error"} and words in message, message


@pytest.mark.parametrize("index, words", [(0, "rank counted from 1"), (1, "1 / (k + rank)"), (2, "every id"),
                                          (3, "k=1")])
def test_rrf_messages_name_the_mistake(index, words) -> None:
    status, message = lab08.ex4.evaluate(WRONG[4][index])
    assert status == "wrong" and words in message, message


# ------------------------------------------------------------------ exercise 5: predict, then measure
def measured(top1, top3, hybrid):
    return {"dense top-1": top1, "dense top-3": top3, "hybrid top-1": hybrid}


K_WINS = measured([1, 0, 0, 1, 0, 1, 0, 0] * 10, [1, 1, 1, 1, 0, 1, 1, 0] * 10, [1, 0, 1, 1, 0, 1, 0, 0] * 10)
HYBRID_WINS = measured([1, 0, 0, 1, 0, 1, 0, 0] * 10, [1, 0, 0, 1, 0, 1, 1, 0] * 10, [1, 1, 1, 1, 1, 1, 0, 0] * 10)
SAME = measured([1, 0, 0, 1] * 10, [1, 1, 0, 1] * 10, [1, 0, 1, 1] * 10)


@pytest.mark.parametrize("data, right", [(K_WINS, "k"), (HYBRID_WINS, "hybrid"), (SAME, "same")])
def test_prediction_follows_the_measurement(data, right) -> None:
    for choice in lab08.CHOICES:
        status, message = lab08.ex5.evaluate(choice, data)
        assert status == ("passed" if choice == right else "wrong"), message
        assert "Measured on" in message and "Why:" in message


def test_prediction_blank_and_missing_measurement() -> None:
    assert lab08.ex5.evaluate(____, None)[0] == "blank"
    assert lab08.ex5.evaluate(____, K_WINS)[0] == "blank"
    status, message = lab08.ex5.evaluate("k", None)
    assert status == "blank" and "noted" in message


@pytest.mark.parametrize("prediction", ["bigger k", "top-3", 3])
def test_prediction_must_be_a_choice(prediction) -> None:
    status, message = lab08.ex5.evaluate(prediction, K_WINS)
    assert status == "wrong" and "PREDICTION should be one of" in message


@pytest.mark.parametrize("data", [{"dense top-1": [1, 0]}, measured([1, 0], [1, 1, 0], [1, 0]),
                                  measured([0.5, 1], [1, 1], [1, 0])], ids=["missing", "lengths", "not-0-1"])
def test_measurement_must_be_the_cells_dict(data) -> None:
    status, message = lab08.ex5.evaluate("k", data)
    assert status == "wrong" and "measured should be" in message
