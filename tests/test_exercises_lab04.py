"""Lab 04's checkers accept the reference answers and reject wrong and blank ones."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.checks import ____, exercises_of
from embedlab.exercises import lab04

from checker_suite import checker_suite


def search(query, docs, k):
    return np.argsort(-(docs @ query), kind="stable")[:k]


def normalize(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def truncate(x, d):
    return normalize(x[:, :d])


def recall(query_vecs, doc_vecs, gold, k):
    top = np.argsort(-(query_vecs @ doc_vecs.T), axis=1)[:, :k]
    return float(np.mean([g in row for g, row in zip(gold, top)]))


def storage(n, d, dtype):
    return int(n * d * np.dtype(dtype).itemsize)


REFERENCE = {1: search, 2: normalize, 3: truncate, 4: recall, 5: storage}
WRONG = {
    1: [lambda q, docs, k: np.argsort(docs @ q)[:k],           # worst first
        lambda q, docs, k: np.argsort(docs @ q)[::-1][:k][::-1],  # right set, wrong order
        lambda q, docs, k: np.arange(k)],
    2: [lambda x: x / np.linalg.norm(x), lambda x: x, lambda x: x / np.abs(x).max(axis=1, keepdims=True)],
    3: [lambda x, d: x[:, :d], lambda x, d: normalize(x)[:, -d:], lambda x, d: normalize(x)],
    4: [lambda q, docs, g, k: float(np.mean(np.argmax(q @ docs.T, axis=1) == g)),  # recall@1 for every k
        lambda q, docs, g, k: 5.0, lambda q, docs, g, k: [0.5]],
    5: [lambda n, d, dtype: n * d * 4, lambda n, d, dtype: float(n * d * np.dtype(dtype).itemsize),
        lambda n, d, dtype: n * d * np.dtype(dtype).itemsize * 8],
}


# exercises 1-5 take one answer (a function); exercise 6 is a prediction, tested below
test_reference_passes, test_wrong_rejected, test_blank_rejected, _ = checker_suite(lab04, REFERENCE, WRONG)


# ------------------------------------------------------------------ exercise 6: predict, then measure
MEASURED = {384: 0.825, 64: 0.645}  # what the lab's measurement printed (200 questions, 400 paragraphs)


def test_every_exercise_is_tested() -> None:
    assert [e.number for e in exercises_of(lab04)] == sorted(REFERENCE) + [6]


def test_prediction_right_passes_and_explains() -> None:
    status, message = lab04.ex6.evaluate("c", dict(MEASURED))
    assert status == "passed" and message.startswith(f"✅ {lab04.ex6.label}: correct!")
    assert "0.825 with all 384 dimensions, 0.645 with the first 64, a loss of 18.0 points" in message
    assert "Matryoshka" in message


@pytest.mark.parametrize("prediction", ["a", "b", "d"])
def test_wrong_range_is_recorded_as_wrong_with_what_was_measured_and_why(prediction) -> None:
    status, message = lab04.ex6.evaluate(prediction, dict(MEASURED))
    assert status == "wrong"
    assert f"you predicted {lab04.TRUNCATION_CHOICES[prediction]}, but the measurement says a loss of 10 to 25" in message
    assert "a loss of 18.0 points" in message and "Why:" in message and "not yet" not in message


@pytest.mark.parametrize("full, short, right", [(0.80, 0.79, "a"), (0.80, 0.81, "a"), (0.80, 0.75, "b"),
                                                (0.80, 0.60, "c"), (0.80, 0.50, "d")])
def test_the_right_range_follows_the_measurement(full, short, right) -> None:
    for choice in lab04.TRUNCATION_CHOICES:
        assert lab04.ex6.evaluate(choice, {384: full, 64: short})[0] == ("passed" if choice == right else "wrong")


def test_blank_prediction_stays_blank_and_a_missing_measurement_waits() -> None:
    assert lab04.ex6.evaluate(____, None)[0] == "blank"
    assert lab04.ex6.evaluate(____, dict(MEASURED))[0] == "blank"
    status, message = lab04.ex6.evaluate("c", None)
    assert status == "blank" and "noted" in message


@pytest.mark.parametrize("prediction", ["e", "10-25", 18, "c)"])
def test_prediction_must_be_a_letter(prediction) -> None:
    status, message = lab04.ex6.evaluate(prediction, dict(MEASURED))
    assert status == "wrong" and "PREDICTION should be one of 'a', 'b', 'c' or 'd'" in message


@pytest.mark.parametrize("measured", [{384: 0.8}, {384: 82.5, 64: 64.5}, (0.825, 0.645)],
                         ids=["missing-64", "percent-not-share", "a-tuple"])
def test_measurement_must_be_the_cells_dict(measured) -> None:
    status, message = lab04.ex6.evaluate("c", measured)
    assert status == "wrong" and "measured should be" in message
