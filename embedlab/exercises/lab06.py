"""Checkers for lab 06, choosing a model with MTEB: the Pareto front, fact-checking two claims against the metadata,
Borda rank vs the mean, and predicting which system wins on a local Chinese set."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..checks import Exercise, Prediction, call_answer, expect
from ..metrics import bootstrap_ci
from ..selection import borda_rank

# ------------------------------------------------------------------ exercise 1: the Pareto front
#: Small boards the checker tries: {model: (score, memory in MB)}; None is a missing value.
PARETO_CASES = [
    {"tiny": (55.0, 90), "small": (62.0, 450), "medium": (61.0, 1200), "large": (70.0, 2200), "huge": (69.5, 28000)},
    # a tie in score with more memory is beaten; an exact duplicate is not beaten by its twin
    {"a": (60.0, 100), "b": (60.0, 300), "c": (65.0, 300), "d": (65.0, 300), "e": (50.0, 50)},
    # missing values cannot be placed: leave them out
    {"known": (58.0, 200), "no-memory": (80.0, None), "no-score": (None, 10), "bigger": (59.0, 900)},
    # the smallest model is on the front even with the lowest score; a model with equal memory and a lower score is not
    {"m1": (40.0, 20), "m2": (45.0, 20), "m3": (70.0, 5000), "m4": (68.0, 6000)},
]


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pareto_reference(points: dict) -> set:
    """The names on the front (the checker's reference; the same rule as ``embedlab.selection.pareto_front``)."""
    known = {n: v for n, v in points.items() if not _missing(v[0]) and not _missing(v[1])}
    front = set()
    for name, (s, c) in known.items():
        beaten = any(s2 >= s and c2 <= c and (s2 > s or c2 < c) for other, (s2, c2) in known.items() if other != name)
        if not beaten:
            front.add(name)
    return front


def _beater(points: dict, name: str) -> str:
    s, c = points[name]
    for other, (s2, c2) in points.items():
        if other != name and not _missing(s2) and not _missing(c2) and s2 >= s and c2 <= c and (s2 > s or c2 < c):
            return other
    return "?"


def _check_pareto(pareto) -> None:
    for i, points in enumerate(PARETO_CASES):
        got = call_answer(pareto, dict(points))
        expect(isinstance(got, (set, list, tuple, frozenset)), f"return the names on the front (a set or a list), got "
                                                               f"{type(got).__name__}")
        got = set(got)
        want = pareto_reference(points)
        unknown = got - set(points)
        expect(not unknown, f"case {i}: {sorted(unknown)} are not models of the input")
        missing_values = {n for n in got if _missing(points[n][0]) or _missing(points[n][1])}
        expect(not missing_values, f"case {i}: {sorted(missing_values)} has a missing score or memory: a model that "
                                   "cannot be placed cannot be on the front, leave it out")
        extra = got - want
        if extra:
            name = sorted(extra)[0]
            other = _beater(points, name)
            expect(False, f"case {i}: {name} {points[name]} is not on the front: {other} {points[other]} has a score at "
                          "least as high AND memory at most as large, and is strictly better on one of them")
        lost = want - got
        if lost:
            name = sorted(lost)[0]
            expect(False, f"case {i}: {name} {points[name]} belongs on the front: no other model is at least as good on "
                          "both score and memory and strictly better on one (a tie on both is not a win)")


ex1 = Exercise("lab06", 1, "the Pareto front: score vs memory", _check_pareto,
               "a model is off the front when SOME other model is at least as good on both axes (score >=, memory <=) "
               "and strictly better on at least one; check that for every model against every other, and skip models "
               "with a missing value.",
               solution="""
               def pareto(points):
                   known = {n: (s, c) for n, (s, c) in points.items() if s is not None and c is not None}
                   front = set()
                   for name, (s, c) in known.items():
                       beaten = any(s2 >= s and c2 <= c and (s2 > s or c2 < c)
                                    for other, (s2, c2) in known.items() if other != name)
                       if not beaten:
                           front.add(name)
                   return front
               """)


# ------------------------------------------------------------------ exercise 2: fact-check two claims
LIGHT_PARAMS = 0.5e9   # "lightweight": at most 500 M parameters
LONG_TOKENS = 8192     # "long text": at least 8,192 tokens
CLAIMS = {"A": "Linq-Embed-Mistral is lightweight (at most LIGHT_PARAMS parameters)",
          "B": "multilingual-e5-large-instruct suits long text (reads at least LONG_TOKENS tokens)"}
_FACTS = {"Linq-Embed-Mistral": {"params": 7_110_660_096, "max_tokens": 32768},
          "multilingual-e5-large-instruct": {"params": 560_000_000, "max_tokens": 514}}


def claims_reference(facts: dict) -> dict:
    def v(value, test):
        return "unknown" if _missing(value) else ("✅" if test(value) else "❌")

    return {"A": v(facts["Linq-Embed-Mistral"]["params"], lambda p: p <= LIGHT_PARAMS),
            "B": v(facts["multilingual-e5-large-instruct"]["max_tokens"], lambda t: t >= LONG_TOKENS)}


def _variants() -> list[tuple[str, dict]]:
    def change(model, key, value):
        facts = {m: dict(f) for m, f in _FACTS.items()}
        facts[model][key] = value
        return facts

    return [("the metadata", {m: dict(f) for m, f in _FACTS.items()}),
            ("Linq-Embed-Mistral with 300 M parameters", change("Linq-Embed-Mistral", "params", 300_000_000)),
            ("Linq-Embed-Mistral with exactly LIGHT_PARAMS parameters", change("Linq-Embed-Mistral", "params", 500_000_000)),
            ("Linq-Embed-Mistral with no parameter count", change("Linq-Embed-Mistral", "params", None)),
            ("e5-large-instruct reading 8,192 tokens", change("multilingual-e5-large-instruct", "max_tokens", 8192)),
            ("e5-large-instruct with no max_tokens", change("multilingual-e5-large-instruct", "max_tokens", float("nan")))]


def _check_claims(check_claims) -> None:
    for label, facts in _variants():
        got = call_answer(check_claims, {m: dict(f) for m, f in facts.items()})
        expect(isinstance(got, dict) and set(got) == {"A", "B"},
               f"return a dict with the keys 'A' and 'B' (one verdict per claim), got {got!r}")
        bools = [k for k, v in got.items() if isinstance(v, (bool, np.bool_))]
        expect(not bools, "a verdict is one of the strings '✅', '❌' or 'unknown', not True/False: a missing value must "
                          "be able to say 'unknown'")
        bad = [v for v in got.values() if v not in ("✅", "❌", "unknown")]
        expect(not bad, f"a verdict is one of '✅', '❌' or 'unknown'; got {bad[0] if bad else None!r}")
        want = claims_reference(facts)
        for key in ("A", "B"):
            if got[key] == want[key]:
                continue
            if want[key] == "unknown":
                expect(False, f"{label}: claim {key} has no value to test, so its verdict is 'unknown', not "
                              f"{got[key]!r}: never guess (check for None and NaN first)")
            if "exactly" in label:
                expect(False, f"{label}: 'at most LIGHT_PARAMS' includes LIGHT_PARAMS itself, so claim A is '✅'")
            expect(False, f"{label}: claim {key} ({CLAIMS[key]}) should be {want[key]!r}, you said {got[key]!r}")


ex2 = Exercise("lab06", 2, "fact-check two claims of the 12-model list", _check_claims,
               "look up the one number each claim is about (parameters for A, max_tokens for B); when it is missing "
               "(None or NaN) the verdict is 'unknown'; otherwise compare it with the threshold the claim names.",
               solution="""
               def check_claims(facts):
                   def verdict(value, test):
                       if value is None or (isinstance(value, float) and math.isnan(value)):
                           return "unknown"
                       return "✅" if test(value) else "❌"
                   return {"A": verdict(facts["Linq-Embed-Mistral"]["params"], lambda p: p <= LIGHT_PARAMS),
                           "B": verdict(facts["multilingual-e5-large-instruct"]["max_tokens"], lambda t: t >= LONG_TOKENS)}
               """)


# ------------------------------------------------------------------ exercise 3: Borda rank
def borda_cases() -> list[pd.DataFrame]:
    """Per-task score tables (models x tasks) the checker ranks."""
    nan = float("nan")
    return [
        # the specialist wins the mean with one huge score; Borda prefers the model that is good everywhere
        pd.DataFrame({"t1": [99, 70, 65, 60], "t2": [50, 64, 63, 55], "t3": [50, 64, 63, 61]},
                     index=["specialist", "all-rounder", "steady", "small"]),
        pd.DataFrame({"t1": [70, 70, 50], "t2": [30, 60, 60]}, index=["x", "y", "z"]),      # ties share a rank
        pd.DataFrame({"t1": [80, 60, 50], "t2": [nan, 62, 55], "t3": [nan, 61, 70]},      # missing tasks earn nothing
                     index=["one-task star", "complete", "also complete"]),
        pd.DataFrame({"t1": [80, 60, 50, 45], "t2": [nan, nan, 55, 60], "t3": [nan, 61, 70, 50]},  # two miss a task
                     index=["star", "half", "steady", "late"]),
    ]


def _check_borda(borda) -> None:
    for i, scores in enumerate(borda_cases()):
        got = call_answer(borda, scores.copy())
        expect(isinstance(got, pd.Series), f"return a pandas Series (rank per model), got {type(got).__name__}")
        expect(set(got.index) == set(scores.index), f"case {i}: the Series' index should be the models "
                                                     f"{list(scores.index)}, got {list(got.index)}")
        want = borda_rank(scores)
        got = got.reindex(want.index)
        if (got.astype(float) == want.astype(float)).all():
            continue
        mean_rank = scores.mean(axis=1).rank(ascending=False, method="min")
        if (got.astype(float) == mean_rank.astype(float)).all() and not (mean_rank == want).all():
            expect(False, f"case {i}: that is the order of the mean score; Borda counts, on each task, how many models "
                          "each model beats, and adds those points up")
        if got.astype(float).corr(want.astype(float), method="spearman") < 0:
            expect(False, f"case {i}: rank 1 must be the BEST model (most points); your order is upside down")
        if scores.isna().any().any():
            expect(False, f"case {i}: a task a model did not run must earn it 0 points (not a rank among the others, "
                          f"and not a failed sum): expected {want.to_dict()}, got {got.to_dict()}")
        expect(False, f"case {i}: expected ranks {want.to_dict()}, got {got.to_dict()} (on each task rank the models, "
                      "best = 1, ties sharing the average rank; points = number of models - rank; rank the totals, "
                      "ties sharing the better rank)")


ex3 = Exercise("lab06", 3, "Borda rank from per-task scores", _check_borda,
               "work task by task: scores.rank(ascending=False) gives 1 to the best model of each task; a model's points "
               "on a task are (number of models - that rank), 0 where it has no score; add the points per model, then "
               "rank the totals (most points = rank 1).",
               solution="""
               def borda(scores):
                   ranks = scores.rank(axis=0, ascending=False, method="average")
                   points = (len(scores) - ranks).fillna(0).sum(axis=1)
                   return points.rank(ascending=False, method="min").astype(int)
               """)


# ------------------------------------------------------------------ exercise 4: predict the local winner
WINNER_CHOICES = {"a": "multilingual-e5-small wins clearly (the paired interval is above 0)",
                  "b": "BM25 over jieba words wins clearly (the paired interval is below 0)",
                  "c": "the two are not told apart (the paired interval contains 0)"}
_E5, _BM25 = "multilingual-e5-small", "BM25"


def _paired(measured) -> tuple[float, float, float]:
    expect(isinstance(measured, dict) and {_E5, _BM25} <= set(measured),
           f"measured should be what the measurement cell builds: {{'{_E5}': per-question nDCG@10, '{_BM25}': ...}}")
    a, b = (np.asarray(measured[k], dtype=float) for k in (_E5, _BM25))
    expect(a.ndim == 1 and a.shape == b.shape and len(a) >= 2,
           "measured holds one nDCG@10 per question for each system, the same questions for both")
    diff = a - b
    lo, hi = bootstrap_ci(diff)
    return float(diff.mean()), lo, hi


def _winner_outcome(measured) -> str:
    _, lo, hi = _paired(measured)
    return "a" if lo > 0 else "b" if hi < 0 else "c"


def _explain_winner(measured) -> str:
    mean, lo, hi = _paired(measured)
    a, b = (float(np.mean(measured[k])) for k in (_E5, _BM25))
    return (f"Measured nDCG@10: {_E5} {a:.3f}, BM25 (jieba) {b:.3f}; e5 - BM25 = {mean:+.3f}, paired 95% interval "
            f"[{lo:+.3f}, {hi:+.3f}].\n   Why the leaderboard is no guide here: C-MTEB's BM25 (mteb/baseline-bm25s) "
            "splits text on spaces, and Chinese has none, so it scores almost nothing; with a Chinese word segmenter "
            "the same algorithm is strong, and CMRC's questions were written while reading the paragraph, so they reuse "
            "its words. A few dozen paragraphs also make the task easy for both: near the ceiling, differences shrink.")


ex4 = Prediction("lab06", 4, "predict: e5 or BM25 on a Chinese slice?", WINNER_CHOICES, _winner_outcome,
                 _explain_winner,
                 "the C-MTEB table puts e5 far above BM25, but ask how that BM25 cut Chinese into words, and how the CMRC "
                 "questions were written (notebook 05, section 4).",
                 solution="""
                 PREDICTION = "c"
                 """)
