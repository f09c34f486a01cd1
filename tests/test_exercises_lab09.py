"""Lab 09's checkers accept the reference answers and reject wrong and blank ones, each with its own message."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from embedlab.checks import ____
from embedlab.exercises import lab09
from embedlab.lexical import bm25_scores

from checker_suite import checker_suite


def info_nce(q, d, t):
    logits = F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T / t
    return F.cross_entropy(logits, torch.arange(len(q)))


def mine_hard_negative(query, positive_ids, corpus):
    positives = {positive_ids} if isinstance(positive_ids, str) else set(positive_ids)
    scores = bm25_scores(corpus, {"q": query})[0]
    ids = list(corpus)
    return next(ids[j] for j in np.argsort(-scores, kind="stable") if ids[j] not in positives)


def _ranked(query, corpus):
    scores = bm25_scores(corpus, {"q": query})[0]
    return [list(corpus)[j] for j in np.argsort(-scores, kind="stable")]


INFO_NCE_WRONG = {
    "dot product": (lambda q, d, t: F.cross_entropy(q @ d.T / t, torch.arange(len(q))), "normalise"),
    "times temperature": (lambda q, d, t: F.cross_entropy(F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T * t,
                                                          torch.arange(len(q))), "divide"),
    "sum": (lambda q, d, t: F.cross_entropy(F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T / t,
                                            torch.arange(len(q)), reduction="sum"), "mean"),
    "ignores negatives": (lambda q, d, t: info_nce(q, d[: len(q)], t), "hard-negative rows"),
    "transposed": (lambda q, d, t: F.cross_entropy((F.normalize(d, dim=-1) @ F.normalize(q, dim=-1).T / t)[: len(q)],
                                                   torch.arange(len(q))), "rows are documents"),
    "labels zero": (lambda q, d, t: F.cross_entropy(F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T / t,
                                                    torch.zeros(len(q), dtype=torch.long)), "diagonal"),
    "per-query vector": (lambda q, d, t: F.cross_entropy(F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T / t,
                                                         torch.arange(len(q)), reduction="none"), "one number"),
}
NEGATIVE_WRONG = {
    "top document": (lambda query, pos, corpus: _ranked(query, corpus)[0], "labelled relevant"),
    "second overall": (lambda query, pos, corpus: _ranked(query, corpus)[1], "labelled relevant"),
    "lowest": (lambda query, pos, corpus: [d for d in _ranked(query, corpus) if d not in
                                           ({pos} if isinstance(pos, str) else set(pos))][-1], "easy negative"),
    "text": (lambda query, pos, corpus: corpus[mine_hard_negative(query, pos, corpus)], "text"),
    "string as a set": (lambda query, pos, corpus: next(d for d in _ranked(query, corpus) if d not in set(pos)),
                        "labelled relevant"),
    "random": (lambda query, pos, corpus: "d4" if mine_hard_negative(query, pos, corpus) != "d4" else "d6",
               "best-scoring"),
}

REFERENCE = {1: info_nce, 3: mine_hard_negative}
WRONG = {1: [f for f, _ in INFO_NCE_WRONG.values()], 3: [f for f, _ in NEGATIVE_WRONG.values()]}
test_reference_passes, test_wrong_rejected, test_blank_rejected, _every = checker_suite(lab09, REFERENCE, WRONG)


def test_every_exercise_is_tested() -> None:
    from embedlab.checks import exercises_of

    assert [e.number for e in exercises_of(lab09)] == [1, 2, 3]


@pytest.mark.parametrize("name", list(INFO_NCE_WRONG))
def test_info_nce_wrong_answers_get_their_message(name) -> None:
    answer, words = INFO_NCE_WRONG[name]
    status, message = lab09.ex1.evaluate(answer)
    assert status == "wrong" and words in message, message


@pytest.mark.parametrize("name", list(NEGATIVE_WRONG))
def test_hard_negative_wrong_answers_get_their_message(name) -> None:
    answer, words = NEGATIVE_WRONG[name]
    status, message = lab09.ex3.evaluate(answer)
    assert status == "wrong" and words in message, message


def test_float_return_is_accepted() -> None:
    assert lab09.ex1.evaluate(lambda q, d, t: info_nce(q, d, t).item())[0] == "passed"


# ---------------------------------------------------------------- exercise 2: the prediction
UP_SPREAD = {"loss_low": 0.1, "loss_high": 1.5, "share_low": 0.8, "share_high": 0.2}


@pytest.mark.parametrize("measured, right", [
    (UP_SPREAD, "a"),
    ({"loss_low": 0.1, "loss_high": 1.5, "share_low": 0.2, "share_high": 0.8}, "b"),
    ({"loss_low": 2.0, "loss_high": 1.5, "share_low": 0.8, "share_high": 0.2}, "c"),
    ({"loss_low": 2.0, "loss_high": 1.5, "share_low": 0.2, "share_high": 0.8}, "d"),
])
def test_prediction_follows_the_measurement(measured, right) -> None:
    assert lab09.ex2.evaluate(right, measured)[0] == "passed"
    for other in set("abcd") - {right}:
        status, message = lab09.ex2.evaluate(other, measured)
        assert status == "wrong" and "Measured" in message


def test_prediction_blank_unmeasured_and_bad_values() -> None:
    assert lab09.ex2.evaluate(____, UP_SPREAD)[0] == "blank"
    assert lab09.ex2.evaluate("a", None)[0] == "blank"
    status, message = lab09.ex2.evaluate("e", UP_SPREAD)
    assert status == "wrong" and "one of" in message
    status, message = lab09.ex2.evaluate("a", {"loss_low": 1.0})
    assert status == "wrong" and "measurement cell" in message


def test_prediction_solution_matches_the_real_measurement() -> None:
    """On real MiniLM vectors of SciFact pairs (as the lab measures), a higher temperature gives answer "a"."""
    from embedlab import training
    from embedlab.models import load_model

    pairs = training.scifact_pairs("train", n_pairs=8, seed=0)
    model = load_model("all-MiniLM-L6-v2")
    q = torch.tensor(model.encode(pairs.anchors))
    d = torch.tensor(model.encode(pairs.positives))
    sims = q @ d.T
    measured = {}
    for label, t in (("low", 0.05), ("high", 0.5)):
        s = sims.clone().requires_grad_(True)
        loss = F.cross_entropy(s / t, torch.arange(len(s)))
        loss.backward()
        g = s.grad.abs().fill_diagonal_(0)
        measured[f"loss_{label}"], measured[f"share_{label}"] = loss.item(), (g.max(1).values / g.sum(1)).mean().item()
    assert lab09.ex2.evaluate("a", measured)[0] == "passed", measured
