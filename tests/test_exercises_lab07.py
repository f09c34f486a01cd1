"""Lab 07's checkers accept the reference answers and reject wrong and blank ones."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.checks import ____, exercises_of
from embedlab.exercises import lab07
from embedlab.vectorsearch import reference_rrf

from checker_suite import checker_suite


def rrf(rankings, k=60):
    scores = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def rrf_ties_reversed(rankings, k=60):
    """Right, but breaks ties the other way (by id, descending): must pass."""
    items = sorted(rrf(rankings, k), key=lambda item: str(item[0]), reverse=True)
    return sorted(items, key=lambda item: round(item[1], 12), reverse=True)


def recall_at_k(ann_ids, exact_ids, k=10):
    return float(np.mean([len(set(list(a)[:k]) & set(list(e)[:k])) / k for a, e in zip(ann_ids, exact_ids)]))


def pick_nprobe(recalls, target):
    return next((n for n in sorted(recalls) if recalls[n] >= target), None)


# wrong RRFs a learner would write
def rrf_zero_based(rankings, k=60):
    scores = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank) if k + rank else scores.get(doc, 0.0) + 1e9
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def rrf_intersection_only(rankings, k=60):
    common = set(rankings[0]).intersection(*map(set, rankings[1:]))
    return [(d, s) for d, s in rrf(rankings, k) if d in common]


def rrf_max_not_sum(rankings, k=60):
    scores = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = max(scores.get(doc, 0.0), 1.0 / (k + rank))
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def rrf_ascending(rankings, k=60):
    return rrf(rankings, k)[::-1]


def rrf_ignores_k(rankings, k=60):
    return rrf(rankings, 60)


def rrf_ids_only(rankings, k=60):
    return [d for d, _ in rrf(rankings, k)]


def rrf_rank_not_reciprocal(rankings, k=60):
    scores = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + (k + rank)
    return sorted(scores.items(), key=lambda item: item[1])


REFERENCE = {1: rrf, 2: recall_at_k, 3: pick_nprobe}
WRONG = {
    1: [rrf_zero_based, rrf_intersection_only, rrf_max_not_sum, rrf_ascending, rrf_ignores_k, rrf_ids_only,
        rrf_rank_not_reciprocal],
    2: [lambda a, e, k=10: float(np.mean([len(set(x) & set(y[:k])) / k for x, y in zip(a, e)])),     # all of ann
        lambda a, e, k=10: float(np.mean([len(set(x[:k]) & set(y[:k])) / max(len(x), 1) for x, y in zip(a, e)])),
        lambda a, e, k=10: [len(set(x[:k]) & set(y[:k])) / k for x, y in zip(a, e)],                # a list
        lambda a, e, k=10: float(np.mean([len(set(x[:k]) & set(y)) / k for x, y in zip(a, e)])),    # all of exact
        lambda a, e, k=10: float(np.mean([sum(p == q for p, q in zip(x[:k], y[:k])) / k for x, y in zip(a, e)])),
        lambda a, e, k=10: sum(len(set(x[:k]) & set(y[:k])) for x, y in zip(a, e))],                # a count
    3: [lambda r, t: next((n for n in sorted(r, reverse=True) if r[n] >= t), None),                # largest
        lambda r, t: next((n for n in sorted(r) if r[n] > t), None),                               # strictly above
        lambda r, t: next((n for n in r if r[n] >= t), None),                                      # dict order
        lambda r, t: min(r, key=lambda n: abs(r[n] - t)),                                          # closest
        lambda r, t: next((n for n in sorted(r) if r[n] >= t), max(r))],                           # never None
}

test_reference_passes, test_wrong_rejected, test_blank_rejected, _ = checker_suite(lab07, REFERENCE, WRONG)


def test_every_exercise_is_tested() -> None:
    assert [e.number for e in exercises_of(lab07)] == sorted(REFERENCE) + [4]


def test_rrf_with_other_tie_order_passes() -> None:
    assert rrf_ties_reversed([["x", "y"], ["y", "x"]]) != rrf([["x", "y"], ["y", "x"]])  # the order really differs
    assert lab07.ex1.evaluate(rrf_ties_reversed)[0] == "passed"


def test_rrf_fixtures_have_a_tie_and_a_document_in_one_ranking_only() -> None:
    tie = any(len({round(s, 12) for _, s in reference_rrf(r, k)}) < len(reference_rrf(r, k)) for r, k in lab07.RRF_CASES)
    single = any(set(rs[0]) ^ set(rs[1]) for rs, _ in lab07.RRF_CASES if len(rs) > 1)
    assert tie and single


@pytest.mark.parametrize("answer, words", [
    (rrf_zero_based, "Ranks count from 1"), (rrf_intersection_only, "only one ranking still counts"),
    (rrf_ascending, "highest first"), (rrf_ids_only, "(document id, score) pair"),
], ids=["zero-based", "intersection", "ascending", "ids-only"])
def test_rrf_mistakes_get_their_own_message(answer, words) -> None:
    status, message = lab07.ex1.evaluate(answer)
    assert status == "wrong" and words in message, message


def test_pick_nprobe_messages() -> None:
    assert "smaller one does too" in lab07.ex3.evaluate(WRONG[3][0])[1]
    assert "return None" in lab07.ex3.evaluate(WRONG[3][4])[1]


# ------------------------------------------------------------------ exercise 4: predict, then measure
MEASURED = {"a": (8, 1), "b": (1, 1), "c": (6, None)}   # what the lab's measurement printed


def test_prediction_right_passes_and_explains() -> None:
    status, message = lab07.ex4.evaluate("a", dict(MEASURED))
    assert status == "passed" and message.startswith(f"✅ {lab07.ex4.label}: correct!")
    assert "a: dense rank 8, hybrid rank 1" in message and "c: dense rank 6, hybrid not in the top 10" in message


@pytest.mark.parametrize("prediction", ["b", "c", " B "])
def test_wrong_prediction_is_wrong_with_the_measurement(prediction) -> None:
    status, message = lab07.ex4.evaluate(prediction, dict(MEASURED))
    assert status == "wrong" and "but the measurement says question a" in message and "not yet" not in message


def test_the_outcome_follows_the_measurement() -> None:
    assert lab07.ex4.evaluate("c", {"a": (1, 1), "b": (2, 2), "c": (None, 3)})[0] == "passed"
    status, message = lab07.ex4.evaluate("a", {"a": (1, 1), "b": (2, 2), "c": (3, 3)})
    assert status == "wrong" and "moved no gold paragraph up" in message


def test_blank_prediction_stays_blank_and_a_missing_measurement_waits() -> None:
    assert lab07.ex4.evaluate(____, None)[0] == "blank"
    assert lab07.ex4.evaluate(____, dict(MEASURED))[0] == "blank"
    status, message = lab07.ex4.evaluate("a", None)
    assert status == "blank" and "noted" in message


@pytest.mark.parametrize("measured", [{"a": (8, 1)}, {"a": 8, "b": 1, "c": 6}, [(8, 1), (1, 1), (6, None)]],
                         ids=["missing-keys", "not-pairs", "a-list"])
def test_measurement_must_be_the_cells_dict(measured) -> None:
    status, message = lab07.ex4.evaluate("a", measured)
    assert status == "wrong" and "measured should be" in message
