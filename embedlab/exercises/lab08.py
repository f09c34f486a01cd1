"""Checkers for lab 08, RAG with a local LLM: the prompt builder, token F1, choosing a chunk size for a target
recall, reciprocal-rank fusion, and a prediction: does a bigger k or hybrid retrieval put the answer in the prompt
more often (exercise 5, a :class:`~embedlab.checks.Prediction`)?"""

from __future__ import annotations

import collections

import numpy as np

from ..checks import Exercise, Prediction, call_answer, expect
from ..metrics import bootstrap_ci
from ..rag import normalize_answer, token_f1 as _token_f1

#: The prompt's fixed parts, as in notebook 08.
INSTRUCTION = "Answer each question with the shortest span copied from its context.\n\n"
SHOTS = ("Context: The Eiffel Tower in Paris was finished in 1889 for the World's Fair.\n"
         "Question: When was the Eiffel Tower finished?\nAnswer: 1889\n\n"
         "Context: Mars has two small moons, Phobos and Deimos, named after the sons of Ares.\n"
         "Question: What are the moons of Mars called?\nAnswer: Phobos and Deimos\n\n")

__all__ = ["INSTRUCTION", "SHOTS", "normalize_answer", "ex1", "ex2", "ex3", "ex4", "ex5"]


def _reference_prompt(question, passages):
    if not question.strip():
        raise ValueError("the question is empty")
    context = f"Context: {' '.join(p.strip() for p in passages)}\n" if passages else ""
    return INSTRUCTION + SHOTS + context + f"Question: {question.strip()}\nAnswer:"


# ------------------------------------------------------------------ exercise 1: the prompt builder
_PROMPT_CASES = [
    ("When did the Louvre open?", ["The Louvre, in Paris, opened in 1793."]),
    ("  Who painted the Mona Lisa? ", ["Leonardo da Vinci painted it. ", " It hangs in the Louvre."]),
    ("What is the capital of France?", []),
]


def _check_prompt(build_prompt) -> None:
    for question, passages in _PROMPT_CASES:
        got = call_answer(build_prompt, question, list(passages))
        want = _reference_prompt(question, passages)
        expect(isinstance(got, str), f"return the prompt as one string, got {type(got).__name__}")
        expect(got.startswith(INSTRUCTION + SHOTS),
               "start with lab08.INSTRUCTION + lab08.SHOTS: a base model needs the instruction and the two worked "
               "examples before the new question")
        expect(not got.endswith(" ") and not got.endswith("\n"),
               "end with 'Answer:' and nothing after it: the model writes the space itself, as in the examples "
               "(a trailing space or newline changes the first token it predicts)")
        expect(got.endswith("\nAnswer:"), "end with a line break and 'Answer:' (the examples' pattern)")
        if not passages:
            expect("Context:" not in got[len(INSTRUCTION + SHOTS):],
                   "with no passages (closed-book) leave the Context line out entirely, not 'Context: ' with nothing")
        else:
            expect(f"Question: {question.strip()}\n" in got,
                   f"the question line should read 'Question: {question.strip()}' (strip the question's spaces)")
            expect(got == want,
                   f"for passages {passages!r} the prompt should end with:\n{want[len(INSTRUCTION + SHOTS):]!r}\n   "
                   f"you built:\n{got[len(INSTRUCTION + SHOTS):]!r}\n   (one 'Context: ' line: the stripped passages "
                   "joined by one space, then a newline)")
        expect(got == want, f"for question {question!r} the prompt should end with "
                            f"{want[len(INSTRUCTION + SHOTS):]!r}, you built {got[len(INSTRUCTION + SHOTS):]!r}")
    for blank in ("", "   "):
        try:
            call_answer(build_prompt, blank, ["some passage"])
        except ValueError:
            continue
        expect(False, f"build_prompt({blank!r}, ...) should raise ValueError: an empty question is an error, "
                      "not a prompt the model answers anyway")


ex1 = Exercise("lab08", 1, "the prompt builder", _check_prompt,
               "instruction, examples, then (only when there are passages) one Context line, the question line, and "
               "'Answer:' with nothing after it; check the question first and raise ValueError when it is blank.",
               solution="""
               def build_prompt(question, passages):
                   if not question.strip():
                       raise ValueError("the question is empty")
                   context = f"Context: {' '.join(p.strip() for p in passages)}\\n" if passages else ""
                   return lab08.INSTRUCTION + lab08.SHOTS + context + f"Question: {question.strip()}\\nAnswer:"
               """)


# ------------------------------------------------------------------ exercise 2: token F1
_F1_CASES = [("Denver Broncos", "Denver Broncos"), ("the Denver Broncos.", "Denver Broncos"),
             ("in 1889 for the fair", "1889"), ("Broncos", "Denver Broncos"), ("Carolina Panthers", "Denver Broncos"),
             ("New York New York", "New York"), ("York New", "New York"), ("", "1889"), ("the", "a"),
             ("Phobos, and Deimos", "Phobos and Deimos")]


def _check_f1(token_f1) -> None:
    for prediction, gold in _F1_CASES:
        got = call_answer(token_f1, prediction, gold)
        want = _token_f1(prediction, [gold])
        expect(isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, bool),
               f"return one number between 0 and 1, got {type(got).__name__}")
        if abs(float(got) - want) < 1e-9:
            continue
        p, g = normalize_answer(prediction).split(), normalize_answer(gold).split()
        if not p or not g:
            expect(False, f"token_f1({prediction!r}, {gold!r}) should be {want}: when either side has no tokens after "
                          "normalising, F1 is 1 if both are empty and 0 otherwise (no division by zero)")
        common = sum((collections.Counter(p) & collections.Counter(g)).values())
        if prediction == "New York New York":
            expect(False, f"token_f1({prediction!r}, {gold!r}) should be {want:.3f}, you returned {float(got):.3f}: "
                          "count shared tokens as bags (collections.Counter &), not as sets: the prediction has four "
                          "tokens, of which two are shared")
        expect(common > 0 or got == 0,
               f"token_f1({prediction!r}, {gold!r}) should be 0: after normalising they share no token")
        expect(False, f"token_f1({prediction!r}, {gold!r}) should be {want:.3f}, you returned {float(got):.3f} "
                      f"(normalise both with lab08.normalize_answer, split into tokens; precision = shared / "
                      f"prediction tokens, recall = shared / gold tokens, F1 = 2PR / (P + R))")


ex2 = Exercise("lab08", 2, "token F1", _check_f1,
               "normalise both answers, split them into words, and count the words they share, with repeats (a "
               "multiset); precision divides by the prediction's length, recall by the gold's; mind the empty case.",
               solution="""
               def token_f1(prediction, gold):
                   p = lab08.normalize_answer(prediction).split()
                   g = lab08.normalize_answer(gold).split()
                   if not p or not g:
                       return float(p == g)
                   common = sum((collections.Counter(p) & collections.Counter(g)).values())
                   if common == 0:
                       return 0.0
                   precision, recall = common / len(p), common / len(g)
                   return 2 * precision * recall / (precision + recall)
               """)


# ------------------------------------------------------------------ exercise 3: a chunk size for a target recall
_SIZE_CASES = [({32: 0.61, 64: 0.74, 128: 0.83, 256: 0.86}, 0.80, 128),
               ({256: 0.86, 32: 0.61, 128: 0.83, 64: 0.74}, 0.80, 128),     # not sorted by size
               ({32: 0.61, 64: 0.80, 128: 0.83, 256: 0.86}, 0.80, 64),      # exactly on the target counts
               ({32: 0.90, 64: 0.74, 128: 0.83}, 0.80, 32),                 # recall need not grow with size
               ({32: 0.61, 64: 0.74}, 0.95, None)]                          # nothing reaches the target


def _check_size(choose_chunk_size) -> None:
    for recalls, target, want in _SIZE_CASES:
        try:
            got = call_answer(choose_chunk_size, dict(recalls), target)
        except ValueError as err:
            expect(want is not None, f"with recalls {recalls} no size reaches {target}, and your code raised "
                                     f"ValueError ({err}): return None instead, so the caller can try something else")
            raise
        if want is None:
            expect(got is None, f"with recalls {recalls} no size reaches {target}: return None (you returned {got!r}), "
                                "so the caller knows to try something else than chunk size")
            continue
        expect(got == want, f"recalls {recalls}, target {target}: the smallest size whose recall is at least the "
                            f"target is {want}, you returned {got!r} (smaller chunks mean shorter prompts, so take "
                            "the smallest that is good enough; 'at least' includes equal)")


ex3 = Exercise("lab08", 3, "choose a chunk size for a target recall", _check_size,
               "keep the sizes whose recall reaches the target (>=), then take the smallest of those; when there are "
               "none, there is no answer.",
               solution="""
               def choose_chunk_size(recalls, target):
                   good = [size for size, recall in recalls.items() if recall >= target]
                   return min(good) if good else None
               """)


# ------------------------------------------------------------------ exercise 4: reciprocal-rank fusion
def _reference_rrf(rankings, k=60):
    scores: dict = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda d: -scores[d])


_RRF_CASES = [([["a", "b", "c"], ["c", "a", "d"]], 60), ([["a", "b", "c"], ["c", "a", "d"]], 1),
              ([["x", "y"], ["z", "w", "y"], ["y"]], 60), ([["p", "q", "r", "s"], ["s", "r", "q", "p"]], 60),
              ([["h", "a"], ["g", "e", "a", "d", "c"]], 1), ([["a", "d", "f", "b", "g", "c"], ["d", "g"]], 1),
              ([["a", "d", "f", "b", "g", "c"], ["d", "g"]], 2)]


def _check_rrf(rrf) -> None:
    for rankings, k in _RRF_CASES:
        got = call_answer(rrf, [list(r) for r in rankings], k)
        want = _reference_rrf(rankings, k)
        expect(isinstance(got, (list, tuple)), f"return a list of ids, best first, got {type(got).__name__}")
        got = list(got)
        expect(set(got) == set(want), f"rrf({rankings}, k={k}) should rank every id that appears in any ranking "
                                      f"({sorted(want)}), you returned {got}")
        expect(got == want, f"rrf({rankings}, k={k}) should give {want}, you returned {got} (score each id "
                            f"1 / (k + rank) in every ranking it appears in, rank counted from 1, summed; best first; "
                            "ties keep the order in which ids first appear)")


ex4 = Exercise("lab08", 4, "reciprocal-rank fusion", _check_rrf,
               "a document's fused score is a sum over the rankings that contain it of 1 / (k + its rank there), "
               "with ranks starting at 1; sort by that score, highest first (a stable sort keeps first-seen order on "
               "ties).",
               solution="""
               def rrf(rankings, k=60):
                   scores = {}
                   for ranking in rankings:
                       for rank, doc in enumerate(ranking, start=1):
                           scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
                   return sorted(scores, key=lambda d: -scores[d])
               """)


# ------------------------------------------------------------------ exercise 5: predict, then measure
#: What a learner predicts: which change, from dense top-1, puts the answer in the prompt more often.
CHOICES = {"k": "a bigger k (dense top-3) helps more", "hybrid": "hybrid top-1 (dense + BM25 fused) helps more",
           "same": "the two are not told apart on these questions"}
_KEYS = ("dense top-1", "dense top-3", "hybrid top-1")


def _valid(measured) -> dict:
    ok = (isinstance(measured, dict) and set(_KEYS) <= set(measured)
          and len({len(measured[key]) for key in _KEYS}) == 1 and len(measured[_KEYS[0]]) >= 2
          and all(set(np.unique(np.asarray(measured[key], dtype=float))) <= {0.0, 1.0} for key in _KEYS))
    expect(ok, "measured should be what the measurement cell builds: {'dense top-1': hits, 'dense top-3': hits, "
               "'hybrid top-1': hits}, one 0/1 hit per question for each, the same questions in the same order")
    return {key: np.asarray(measured[key], dtype=float) for key in _KEYS}


def _difference(measured):
    hits = _valid(measured)
    diff = hits["dense top-3"] - hits["hybrid top-1"]        # paired: the same questions
    return hits, diff, bootstrap_ci(diff)


def _outcome(measured) -> str:
    _, _, (low, high) = _difference(measured)
    return "k" if low > 0 else "hybrid" if high < 0 else "same"


def _explain(measured) -> str:
    hits, diff, (low, high) = _difference(measured)
    base = hits["dense top-1"].mean()
    said = (f"Measured on {len(diff)} questions: the answer is in the prompt for {base:.1%} with dense top-1, "
            f"{hits['dense top-3'].mean():.1%} with dense top-3 ({hits['dense top-3'].mean() - base:+.1%}), "
            f"{hits['hybrid top-1'].mean():.1%} with hybrid top-1 ({hits['hybrid top-1'].mean() - base:+.1%}); "
            f"top-3 minus hybrid {diff.mean():+.1%}, 95% interval [{low:+.1%}, {high:+.1%}].")
    return (f"{said}\n   Why: a bigger k gives the answer two more chances, whatever the ranker; fusion only "
            "reorders, so it helps at k = 1 only when BM25 lifts the gold chunk to the very top. But context recall "
            "is not the whole story: three chunks are three times the prompt, slower to read for the LLM and with "
            "more places to copy a wrong span from; notebook 08 measures what that does to the answers.")


ex5 = Prediction("lab08", 5, "predict: bigger k or hybrid retrieval?", CHOICES, _outcome, _explain,
                 "how many chances does each change give the gold chunk to be in the prompt? Fusion changes the order "
                 "of the same candidates; a bigger k keeps more of them.",
                 solution="""
                 PREDICTION = "k"
                 """)
