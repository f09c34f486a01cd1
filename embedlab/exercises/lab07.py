"""Checkers for lab 07, vector search: reciprocal-rank fusion (checked against Milvus in the lab), recall@k of an
ANN result against exact search, choosing nprobe for a recall target, and a prediction of which query hybrid
search helps (a :class:`~embedlab.checks.Prediction`)."""

from __future__ import annotations

import numpy as np

from ..checks import Exercise, Incorrect, Prediction, call_answer, expect
from ..vectorsearch import recall_against_exact, reference_rrf, same_ranking

# ------------------------------------------------------------------ exercise 1: reciprocal-rank fusion
#: Rankings (best first) the checker fuses: documents in one list only, ties, lists of different lengths.
RRF_CASES = [
    ([["a", "b", "c"], ["b", "a", "d"]], 60),
    ([["p1", "p2", "p3", "p4"], ["p4", "p9"]], 60),
    ([["x", "y"], ["y", "x"]], 60),                      # a tie: both score 1/61 + 1/62
    ([["d1", "d2", "d3"], ["d3", "d2", "d1"], ["d2"]], 60),  # three routes
    ([["a", "b", "c"], ["c", "b", "a"]], 0),             # k = 0: 1/rank
    ([["a", "b", "c", "d", "e"], ["e"]], 1),
    ([["only", "one"]], 60),
]


def _as_pairs(got, where: str) -> list[tuple]:
    expect(isinstance(got, (list, tuple)), f"{where}: return a list of (document id, score) pairs, best first; "
                                           f"got {type(got).__name__}")
    pairs = []
    for item in got:
        expect(isinstance(item, (list, tuple)) and len(item) == 2,
               f"{where}: each item should be a (document id, score) pair, got {item!r}")
        doc, score = item
        expect(isinstance(score, (int, float, np.integer, np.floating)) and not isinstance(score, bool),
               f"{where}: the score of {doc!r} should be a number, got {score!r}")
        pairs.append((doc, float(score)))
    return pairs


def _check_rrf(rrf) -> None:
    for rankings, k in RRF_CASES:
        want = reference_rrf(rankings, k)
        where = f"rrf({rankings}, k={k})"
        got = _as_pairs(call_answer(rrf, [list(r) for r in rankings], k), where)
        wanted_ids, got_ids = {d for d, _ in want}, [d for d, _ in got]
        expect(len(got_ids) == len(set(got_ids)), f"{where}: each document should appear once, with its summed score")
        missing = wanted_ids - set(got_ids)
        expect(not missing, f"{where}: {sorted(missing)} are missing: a document found by only one ranking still "
                            "counts, with that ranking's share only")
        expect(set(got_ids) <= wanted_ids, f"{where}: {sorted(set(got_ids) - wanted_ids)} are in no ranking")
        scores = dict(got)
        first = want[0][0]
        if abs(scores[first] - dict(want)[first]) > 1e-9:
            ranks = [r.index(first) for r in rankings if first in r]
            zero_based = sum(1 / (k + i) if k + i else float("inf") for i in ranks)
            if abs(scores[first] - zero_based) < 1e-9:
                raise Incorrect(f"{where}: the score of {first!r} is {scores[first]:.5f}; it should be "
                                f"{dict(want)[first]:.5f}. Ranks count from 1 (the best document has rank 1), not 0.")
            raise Incorrect(f"{where}: the score of {first!r} should be {dict(want)[first]:.5f} (the sum over "
                            f"rankings of 1 / (k + rank)), you gave {scores[first]:.5f}")
        expect(all(abs(scores[d] - s) < 1e-9 for d, s in want),
               f"{where}: some scores differ from the sum over rankings of 1 / (k + rank): expected "
               f"{[(d, round(s, 5)) for d, s in want]}")
        expect(same_ranking(got, want, tol=1e-9), f"{where}: the scores are right but the order is not: sort by "
                                                  "score, highest first")


ex1 = Exercise("lab07", 1, "reciprocal-rank fusion", _check_rrf,
               "every ranking gives each of its documents 1 / (k + rank), rank counted from 1; add up what a document "
               "gets from all rankings (a document in one ranking only gets just that share), then sort by the sum, "
               "highest first.",
               solution="""
               def rrf(rankings, k=60):
                   scores = {}
                   for ranking in rankings:
                       for rank, doc in enumerate(ranking, start=1):
                           scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
                   return sorted(scores.items(), key=lambda item: item[1], reverse=True)
               """)


# ------------------------------------------------------------------ exercise 2: recall@k against exact search
_EXACT = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31],
          [5, 4, 3, 2, 1, 40, 41, 42, 43, 44, 45, 46]]
_ANN = [
    [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29], [5, 4, 3, 2, 1, 40, 41, 42, 43, 44]],
    [[1, 0, 99, 3, 4, 5, 6, 7, 8, 10, 11, 2], [31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20], [9, 8, 7, 6]],
    [[0, 1, 2, 3, 4], [-1, -1, 20, 21, 22, 23, 24, 25, 26, 27], [46, 45, 44, 43, 42, 41, 40, 1, 2, 3, 4, 5]],
]


def _check_recall(recall_at_k) -> None:
    for i, ann in enumerate(_ANN):
        for k in (1, 5, 10):
            want = recall_against_exact(ann, _EXACT, k)
            got = call_answer(recall_at_k, [list(r) for r in ann], [list(r) for r in _EXACT], k)
            expect(isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, bool),
                   f"return one number (the mean over queries), got {type(got).__name__}")
            expect(0 <= float(got) <= 1, f"a recall lies between 0 and 1, got {got} (a count instead of a share?)")
            expect(abs(float(got) - want) < 1e-9,
                   f"case {i}, k={k}: recall@{k} should be {want:.3f}, you returned {float(got):.3f}. Per query, "
                   f"count how many of the exact top {k} are among the first {k} the index returned, divide by {k}; "
                   "then average over queries")


ex2 = Exercise("lab07", 2, "recall@k of an ANN index against exact search", _check_recall,
               "the truth is exact search's top k; only the index's first k results count (an index may return more "
               "or fewer), and order inside the k does not matter. Divide the overlap by k, then average over queries.",
               solution="""
               def recall_at_k(ann_ids, exact_ids, k=10):
                   return float(np.mean([len(set(list(a)[:k]) & set(list(e)[:k])) / k
                                         for a, e in zip(ann_ids, exact_ids)]))
               """)


# ------------------------------------------------------------------ exercise 3: nprobe for a recall target
_SWEEPS = [
    ({1: 0.52, 2: 0.71, 4: 0.86, 8: 0.95, 16: 0.99, 32: 1.0}, 0.9, 8),
    ({1: 0.52, 2: 0.71, 4: 0.86, 8: 0.95, 16: 0.99, 32: 1.0}, 0.95, 8),    # exactly at the target counts
    ({32: 1.0, 1: 0.4, 8: 0.93, 4: 0.8, 16: 0.97}, 0.9, 8),                # not in order
    ({1: 0.3, 4: 0.6, 16: 0.8}, 0.9, None),                               # never reaches it
    ({1: 0.97, 4: 0.99, 16: 1.0}, 0.9, 1),
]


def _check_pick(pick_nprobe) -> None:
    for sweep, target, want in _SWEEPS:
        got = call_answer(pick_nprobe, dict(sweep), target)
        where = f"pick_nprobe({sweep}, target={target})"
        if want is None:
            expect(got is None, f"{where}: no nprobe reaches {target}; return None (and measure larger values), "
                                f"got {got!r}")
            continue
        expect(got is not None, f"{where}: nprobe={want} reaches recall {sweep[want]} >= {target}; you returned None")
        expect(got in sweep, f"{where}: return one of the measured nprobe values {sorted(sweep)}, got {got!r}")
        expect(sweep[got] >= target, f"{where}: nprobe={got} has recall {sweep[got]}, below the target {target}")
        expect(got == want, f"{where}: nprobe={got} reaches the target, but a smaller one does too ({want}, recall "
                            f"{sweep[want]}): a larger nprobe scans more cells and is slower")


ex3 = Exercise("lab07", 3, "pick nprobe for a recall target", _check_pick,
               "latency grows with nprobe, so you want the smallest nprobe whose measured recall is at least the "
               "target (reaching it exactly is enough); look at the values in increasing order, whatever order the "
               "dict has, and return None when none reaches the target.",
               solution="""
               def pick_nprobe(recalls, target):
                   return next((n for n in sorted(recalls) if recalls[n] >= target), None)
               """)


# ------------------------------------------------------------------ exercise 4: which query does hybrid help?
HYBRID_QUERIES = {
    "a": "In what year did the Norman's invade at Bannow Bay?",
    "b": "What is the original meaning of the word Norman?",
    "c": "In what country is Normandy located?",
}


def _gain(ranks) -> int:
    dense, hybrid = ranks
    return (dense or 11) - (hybrid or 11)


def _outcome(measured) -> str:
    if not isinstance(measured, dict) or set(measured) != set(HYBRID_QUERIES) or not all(
            isinstance(v, tuple) and len(v) == 2 for v in measured.values()):
        raise Incorrect("measured should be the dict the measurement cell builds: {'a': (dense rank, hybrid rank), "
                        "'b': ..., 'c': ...}")
    best = max(measured, key=lambda key: _gain(measured[key]))
    if _gain(measured[best]) <= 0:
        raise Incorrect("in this measurement hybrid moved no gold paragraph up; rerun the measurement cell unchanged")
    return best


def _explain(measured) -> str:
    def rank(r):
        return "not in the top 10" if r is None else f"rank {r}"
    parts = [f"{key}: dense {rank(d)}, hybrid {rank(h)}" for key, (d, h) in sorted(measured.items())]
    return ("gold paragraph, " + "; ".join(parts) + ". Question a names a rare place (Bannow Bay) that its "
            "paragraph repeats word for word, which BM25 rewards, so RRF can lift it; a question the dense model "
            "already answers at rank 1 (b) has nothing to gain; in c the words 'Normandy' and 'country' occur in "
            "many of these paragraphs, so BM25 has little to offer and fusion can even pull the gold paragraph down. "
            "Hybrid helps where the query's words are rare and exact.")


ex4 = Prediction("lab07", 4, "predict: which question does hybrid search help?",
                 {"a": f"question a ({HYBRID_QUERIES['a']!r})", "b": f"question b ({HYBRID_QUERIES['b']!r})",
                  "c": f"question c ({HYBRID_QUERIES['c']!r})"},
                 _outcome, _explain,
                 "BM25 rewards words that are rare in the corpus and appear in the paragraph exactly (names, numbers); "
                 "in a corpus about the Normans, which words are rare? And RRF can only lift a paragraph that BM25 "
                 "ranks higher than the dense model does.",
                 solution="""
                 PREDICTION = "a"
                 """)
