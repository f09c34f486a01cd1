"""Lab 06's checkers accept the reference answers and reject wrong and blank ones, each with its specific message."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from embedlab.checks import ____, exercises_of
from embedlab.exercises import lab06
from embedlab.selection import borda_rank

from checker_suite import checker_suite


# ---------------------------------------------------------------- reference answers (as in the solution)
def pareto(points):
    known = {n: (s, c) for n, (s, c) in points.items() if s is not None and c is not None}
    front = set()
    for name, (s, c) in known.items():
        beaten = any(s2 >= s and c2 <= c and (s2 > s or c2 < c) for other, (s2, c2) in known.items() if other != name)
        if not beaten:
            front.add(name)
    return front


def check_claims(facts):
    def verdict(value, test):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "unknown"
        return "✅" if test(value) else "❌"

    return {"A": verdict(facts["Linq-Embed-Mistral"]["params"], lambda p: p <= lab06.LIGHT_PARAMS),
            "B": verdict(facts["multilingual-e5-large-instruct"]["max_tokens"], lambda t: t >= lab06.LONG_TOKENS)}


def borda(scores):
    ranks = scores.rank(axis=0, ascending=False, method="average")
    points = (len(scores) - ranks).fillna(0).sum(axis=1)
    return points.rank(ascending=False, method="min").astype(int)


# ---------------------------------------------------------------- wrong answers a learner would write
def pareto_strict(points):
    """Drops a model only when another is strictly better on BOTH: keeps the score-tie with more memory."""
    known = {n: v for n, v in points.items() if None not in v}
    return {n for n, (s, c) in known.items()
            if not any(s2 > s and c2 < c for o, (s2, c2) in known.items() if o != n)}


def pareto_weak(points):
    """Drops a model when another is >= and <= (no strictness): twins knock each other out."""
    known = {n: v for n, v in points.items() if None not in v}
    return {n for n, (s, c) in known.items()
            if not any(s2 >= s and c2 <= c for o, (s2, c2) in known.items() if o != n)}


def pareto_with_missing(points):
    """Forgets missing values (treats None as 0 memory / 0 score)."""
    return pareto({n: (s or 0, c or 0) for n, (s, c) in points.items()})


def pareto_best_only(points):
    known = {n: v for n, v in points.items() if None not in v}
    return {max(known, key=lambda n: known[n][0])}


def claims_bool(facts):
    return {"A": facts["Linq-Embed-Mistral"]["params"] <= lab06.LIGHT_PARAMS,
            "B": facts["multilingual-e5-large-instruct"]["max_tokens"] >= lab06.LONG_TOKENS}


def claims_no_unknown(facts):
    p, t = facts["Linq-Embed-Mistral"]["params"], facts["multilingual-e5-large-instruct"]["max_tokens"]
    return {"A": "✅" if p is not None and p <= lab06.LIGHT_PARAMS else "❌",
            "B": "✅" if t is not None and t >= lab06.LONG_TOKENS else "❌"}


def claims_strict(facts):
    def verdict(value, test):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "unknown"
        return "✅" if test(value) else "❌"
    return {"A": verdict(facts["Linq-Embed-Mistral"]["params"], lambda p: p < lab06.LIGHT_PARAMS),
            "B": verdict(facts["multilingual-e5-large-instruct"]["max_tokens"], lambda t: t >= lab06.LONG_TOKENS)}


def borda_mean(scores):
    return scores.mean(axis=1).rank(ascending=False, method="min").astype(int)


def borda_upside_down(scores):
    ranks = scores.rank(axis=0, ascending=False, method="average")
    points = (len(scores) - ranks).fillna(0).sum(axis=1)
    return points.rank(ascending=True, method="min").astype(int)


def borda_missing_as_worst(scores):
    ranks = scores.fillna(-1e9).rank(axis=0, ascending=False, method="average")
    points = (len(scores) - ranks).sum(axis=1)
    return points.rank(ascending=False, method="min").astype(int)


REFERENCE = {1: pareto, 2: check_claims, 3: borda}
WRONG = {1: [pareto_strict, pareto_weak, pareto_with_missing, pareto_best_only],
         2: [claims_bool, claims_no_unknown, claims_strict],
         3: [borda_mean, borda_upside_down, borda_missing_as_worst]}

test_reference_passes, test_wrong_rejected, test_blank_rejected, _ = checker_suite(lab06, REFERENCE, WRONG)


def test_every_exercise_is_tested() -> None:
    assert [e.number for e in exercises_of(lab06)] == sorted(REFERENCE) + [4]


@pytest.mark.parametrize("answer, words", [
    (pareto_strict, "is not on the front"), (pareto_weak, "belongs on the front"),
    (pareto_with_missing, "missing score or memory"), (pareto_best_only, "belongs on the front")])
def test_ex1_wrong_answers_get_their_own_message(answer, words) -> None:
    status, message = lab06.ex1.evaluate(answer)
    assert status == "wrong" and words in message, message


@pytest.mark.parametrize("answer, words", [
    (claims_bool, "not True/False"), (claims_no_unknown, "'unknown'"), (claims_strict, "includes LIGHT_PARAMS itself")])
def test_ex2_wrong_answers_get_their_own_message(answer, words) -> None:
    status, message = lab06.ex2.evaluate(answer)
    assert status == "wrong" and words in message, message


@pytest.mark.parametrize("answer, words", [
    (borda_mean, "order of the mean"), (borda_upside_down, "upside down"), (borda_missing_as_worst, "0 points")])
def test_ex3_wrong_answers_get_their_own_message(answer, words) -> None:
    status, message = lab06.ex3.evaluate(answer)
    assert status == "wrong" and words in message, message


def test_pareto_reference_agrees_with_selection() -> None:
    from embedlab.selection import pareto_front

    for points in lab06.PARETO_CASES:
        frame = pd.DataFrame([{"Model": n, "score": s, "memory": c} for n, (s, c) in points.items()])
        frame = frame.astype({"score": float, "memory": float})
        assert set(pareto_front(frame, "score", "memory")["Model"]) == lab06.pareto_reference(points)


def test_borda_cases_separate_borda_from_the_mean() -> None:
    case = lab06.borda_cases()[0]
    assert not (borda_rank(case) == case.mean(axis=1).rank(ascending=False, method="min")).all()


# ---------------------------------------------------------------- exercise 4: the prediction
def measured(e5, bm25):
    return {"multilingual-e5-small": np.array(e5, dtype=float), "BM25": np.array(bm25, dtype=float)}


CLEAR_E5 = measured([1.0] * 30 + [0.8] * 30, [0.5] * 30 + [0.6] * 30)
CLEAR_BM25 = measured([0.3] * 60, [0.9] * 30 + [0.7] * 30)
TIE = measured([1.0, 0.5] * 30, [0.5, 1.0] * 30)


@pytest.mark.parametrize("data, right", [(CLEAR_E5, "a"), (CLEAR_BM25, "b"), (TIE, "c")], ids=["e5", "bm25", "tie"])
def test_ex4_the_right_choice_follows_the_measurement(data, right) -> None:
    for choice in lab06.WINNER_CHOICES:
        status, message = lab06.ex4.evaluate(choice, data)
        assert status == ("passed" if choice == right else "wrong"), message
        assert "paired 95% interval" in message and "segmenter" in message


def test_ex4_blank_and_missing_measurement() -> None:
    assert lab06.ex4.evaluate(____, None)[0] == "blank"
    assert lab06.ex4.evaluate(____, TIE)[0] == "blank"
    status, message = lab06.ex4.evaluate("c", None)
    assert status == "blank" and "noted" in message


@pytest.mark.parametrize("prediction", ["d", "e5", 1])
def test_ex4_prediction_must_be_a_letter(prediction) -> None:
    status, message = lab06.ex4.evaluate(prediction, TIE)
    assert status == "wrong" and "PREDICTION should be one of" in message


@pytest.mark.parametrize("data", [{"multilingual-e5-small": [1.0, 0.5]}, measured([1.0, 0.5], [1.0]), (0.9, 0.8)],
                         ids=["missing-bm25", "different-lengths", "a-tuple"])
def test_ex4_measurement_must_be_the_cells_dict(data) -> None:
    status, message = lab06.ex4.evaluate("c", data)
    assert status == "wrong" and "measured" in message
