"""Checkers for lab 09, training sentence embedders: InfoNCE by hand, predicting what a higher temperature does, and
mining a hard negative with BM25."""

from __future__ import annotations

import numpy as np

from ..checks import Exercise, Incorrect, Prediction, call_answer, expect
from ..training import info_nce as _info_nce_reference
from ..training import mine_bm25_negatives


def _batches():
    """Fixed test batches: (queries, documents, temperature). Documents have B rows, or 2B with hard negatives."""
    import torch

    g = torch.Generator().manual_seed(9)
    out = []
    for b, extra, dim, t in [(4, 0, 8, 0.05), (6, 0, 16, 0.5), (5, 1, 8, 0.05), (3, 2, 12, 0.1), (4, 0, 8, 1.0)]:
        q = torch.randn(b, dim, generator=g) * 3          # not unit length: the loss must normalise them
        d = torch.randn(b * (1 + extra), dim, generator=g) * 0.5
        d[:b] += 0.8 * q                                  # positives resemble their queries
        out.append((q, d, t))
    return out


def _as_float(value) -> float:
    try:
        import torch

        if isinstance(value, torch.Tensor):
            expect(value.numel() == 1, f"return one number (the mean loss over the batch), got a tensor of shape "
                                       f"{tuple(value.shape)}: average the per-query losses")
            return float(value.detach())
    except ImportError:  # pragma: no cover
        pass
    expect(isinstance(value, (int, float, np.floating)) and not isinstance(value, bool),
           f"return the loss as a number or a 0-d tensor, got {type(value).__name__}")
    return float(value)


# ------------------------------------------------------------------ exercise 1: InfoNCE
def _check_info_nce(info_nce) -> None:
    import torch
    import torch.nn.functional as F

    for i, (q, d, t) in enumerate(_batches()):
        want = float(_info_nce_reference(q, d, t))
        got = _as_float(call_answer(info_nce, q.clone(), d.clone(), t))
        if abs(got - want) < 1e-4:
            continue
        b = len(q)
        dot = F.cross_entropy(q @ d.T / t, torch.arange(b)).item()
        times = F.cross_entropy(F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T * t, torch.arange(b)).item()
        square = _info_nce_reference(q, d[:b], t).item()
        cos = F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T / t
        summed = F.cross_entropy(cos, torch.arange(b), reduction="sum").item()
        transposed = F.cross_entropy(cos[:, :b].T, torch.arange(b)).item()
        expect(abs(got - dot) > 1e-4, "your similarities are raw dot products: normalise the query and document vectors "
                                      "to unit length first, so that the similarity is the cosine (as in "
                                      "MultipleNegativesRankingLoss)")
        expect(abs(got - times) > 1e-4, "you multiplied by the temperature: divide the similarities by it (a low "
                                        "temperature must sharpen the softmax)")
        expect(abs(got - summed) > 1e-4, "you summed the per-query losses: take their mean over the batch")
        expect(len(d) == b or abs(got - square) > 1e-4,
               f"batch {i} has {len(d) - b} hard-negative rows after the {b} positives, and your loss ignores them: "
               "every document row is a candidate for every query")
        expect(len(d) != b or abs(got - transposed) > 1e-4,
               "your rows are documents: each row of the similarity matrix must be one query against every document "
               "(queries @ documents.T), with the softmax over the documents")
        raise Incorrect(f"batch {i} ({b} queries, {len(d)} documents, temperature {t}): InfoNCE should be {want:.4f}, "
                        f"you returned {got:.4f}. The label of query i is document i (the diagonal), the cross-entropy "
                        "is taken over each row of cosine / temperature")


ex1 = Exercise("lab09", 1, "InfoNCE with in-batch negatives", _check_info_nce,
               "three steps: cosine similarities of every query with every document (normalise, then a matrix product), "
               "divide by the temperature, and a cross-entropy whose right answer for row i is column i.",
               solution="""
               def info_nce(query_vectors, doc_vectors, temperature):
                   q = F.normalize(query_vectors, dim=-1)
                   d = F.normalize(doc_vectors, dim=-1)
                   logits = q @ d.T / temperature
                   return F.cross_entropy(logits, torch.arange(len(q)))
               """)


# ------------------------------------------------------------------ exercise 2: predict, then measure the temperature
TEMPERATURE_CHOICES = {
    "a": "the loss goes up and the gradient spreads more evenly over the negatives",
    "b": "the loss goes up and the gradient concentrates on the hardest negative",
    "c": "the loss goes down and the gradient spreads more evenly over the negatives",
    "d": "the loss goes down and the gradient concentrates on the hardest negative",
}


def _temperature_outcome(measured) -> str:
    keys = {"loss_low", "loss_high", "share_low", "share_high"}
    expect(isinstance(measured, dict) and keys <= set(measured)
           and all(isinstance(measured[k], (int, float, np.floating)) and np.isfinite(measured[k]) for k in keys),
           "measured should be what the measurement cell builds: {'loss_low', 'loss_high', 'share_low', 'share_high'}")
    up = measured["loss_high"] > measured["loss_low"]
    spread = measured["share_high"] < measured["share_low"]
    return {(True, True): "a", (True, False): "b", (False, True): "c", (False, False): "d"}[(up, spread)]


def _explain_temperature(measured) -> str:
    said = (f"Measured: loss {measured['loss_low']:.3f} at the low temperature, {measured['loss_high']:.3f} at the high "
            f"one; the hardest negative's share of the negative gradient {measured['share_low']:.0%} -> "
            f"{measured['share_high']:.0%}.")
    return (f"{said}\n   Why: dividing by the temperature stretches the similarities before the softmax. A low "
            "temperature makes the softmax nearly a max: once the positive scores highest the loss is near 0, and what "
            "gradient remains goes to the negatives scoring closest to the positive. A high temperature flattens it: "
            "every candidate gets a similar probability, so the loss climbs towards log(number of candidates) even "
            "when the ranking is right, and each negative gets about the same push. That is why contrastive training "
            "uses a low temperature (0.01-0.1; 0.05 in MultipleNegativesRankingLoss).")


ex2 = Prediction("lab09", 2, "predict: a higher temperature", TEMPERATURE_CHOICES, _temperature_outcome,
                 _explain_temperature,
                 "write the softmax of one row with the similarities divided by a large number: how different are the "
                 "probabilities of the positive and of each negative then? And with a small number?",
                 solution="""
                 PREDICTION = "a"
                 """)


# ------------------------------------------------------------------ exercise 3: one hard negative with BM25
_CORPUS = {
    "d1": "Vitamin D supplements reduce the risk of bone fractures in older adults.",
    "d2": "Vitamin D deficiency is common in older adults and is linked to bone fractures and falls.",
    "d3": "Calcium intake and bone density in older adults: a cohort study of fractures.",
    "d4": "Vitamin C does not prevent the common cold in most adults.",
    "d5": "Exercise programmes reduce falls among elderly people living at home.",
    "d6": "A survey of coffee consumption in European capitals.",
}
_CASES = [
    ("Vitamin D supplements reduce fractures in older adults", {"d1"}),
    ("vitamin D deficiency and falls in older adults", {"d2", "d5"}),
    ("calcium and bone density", "d3"),
    ("vitamin D, bone fractures and older adults", {"d1", "d2"}),
]


def _check_hard_negative(mine_hard_negative) -> None:
    from ..lexical import bm25_scores

    for query, positives in _CASES:
        want = mine_bm25_negatives([query], [positives], _CORPUS)[0]
        got = call_answer(mine_hard_negative, query, positives, dict(_CORPUS))
        positive_set = {positives} if isinstance(positives, str) else set(positives)
        expect(isinstance(got, str), f"return one document id (a string such as 'd4'), got {type(got).__name__}")
        if got in _CORPUS.values():
            raise Incorrect("you returned the document's text: return its id (a key of corpus)")
        expect(got in _CORPUS, f"{got!r} is not a document id of the corpus ({', '.join(_CORPUS)})")
        expect(got not in positive_set, f"for {query!r} you returned {got!r}, which is labelled relevant (a positive): "
                                        "a negative must not be one of the query's positives")
        if got == want:
            continue
        scores = dict(zip(_CORPUS, bm25_scores(_CORPUS, {"q": query})[0]))
        others = sorted((d for d in _CORPUS if d not in positive_set), key=lambda d: -scores[d])
        expect(got != others[-1], f"for {query!r} you returned {got!r}, the non-relevant document BM25 scores lowest: "
                                  "that is an easy negative; a hard one scores highest")
        raise Incorrect(f"for {query!r} the hard negative is {want!r} (BM25 score {scores[want]:.2f}), you returned "
                        f"{got!r} (score {scores[got]:.2f}): take the best-scoring document that is not a positive")


ex3 = Exercise("lab09", 3, "mine one hard negative with BM25", _check_hard_negative,
               "score every document for the query with BM25, go down the documents from the best score, and stop at "
               "the first one that is not among the query's positives (positive_ids may be one id or a set of ids).",
               solution="""
               def mine_hard_negative(query, positive_ids, corpus):
                   positives = {positive_ids} if isinstance(positive_ids, str) else set(positive_ids)
                   scores = bm25_scores(corpus, {"q": query})[0]
                   doc_ids = list(corpus)
                   for j in np.argsort(-scores, kind="stable"):
                       if doc_ids[j] not in positives:
                           return doc_ids[j]
               """)


def tiny_corpus() -> dict[str, str]:
    """The six-abstract corpus exercise 3 checks with (try your function on it)."""
    return dict(_CORPUS)
