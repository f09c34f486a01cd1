"""Checkers for lab 05, evaluating retrieval on SQuAD: metrics, the corpus, false positives, word overlap, the
questions BM25 wins, nDCG@k, a bootstrap interval."""

from __future__ import annotations

import numpy as np

from ..checks import Exercise, call_answer, expect
from ..data import parse_squad
from ..lexical import QUESTION_STOPWORDS, word_overlap
from ..metrics import bootstrap_ci, mrr_at_k, recall_at_k
from ..metrics import ndcg_at_k as metrics_ndcg
from ..article_eval import lenient_false_positives

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


# A second set for exercise 4: answer texts that appear in a wrong paragraph only in another case
# ("Apple" vs "apple"), and a second answer that appears where the first does not ("Leonardo").
_CASES_RAW = {"data": [
    {"title": "Cases", "paragraphs": [
        {"id": "apple-inc", "context": "Apple makes the iPhone and the Mac in California.", "qas": [
            {"id": "c1", "question": "Which company makes the iPhone?", "answers": [{"text": "Apple"}]},
        ]},
        {"id": "orchard", "context": "An apple a day keeps the doctor away; the orchard grows apple trees.", "qas": [
            {"id": "c2", "question": "Which fruit grows in the orchard?", "answers": [{"text": "apple"}]},
        ]},
        {"id": "mona-lisa", "context": "The Mona Lisa was painted by Leonardo da Vinci in Florence.", "qas": [
            {"id": "c3", "question": "Who painted the Mona Lisa?",
             "answers": [{"text": "Leonardo da Vinci"}, {"text": "Leonardo"}]},
        ]},
        {"id": "titanic", "context": "Titanic, the 1997 film, starred Leonardo DiCaprio and Kate Winslet.", "qas": [
            {"id": "c4", "question": "Who starred in Titanic with Kate Winslet?",
             "answers": [{"text": "Leonardo DiCaprio"}]},
        ]},
        {"id": "vinci", "context": "Vinci, the Tuscan town where Leonardo da Vinci was born, has a museum.", "qas": []},
    ]},
]}


def cases_dataset():
    """The second hand-made set exercise 4 checks with (case and second-answer traps)."""
    return parse_squad(_CASES_RAW, "tiny SQuAD, case traps")


_GOLD = {"q1": "eiffel", "q2": "eiffel", "q3": "paris", "q5": "paris", "q6": "rome"}
_RUNS = [
    {"q1": ["eiffel", "paris"], "q2": ["paris", "rome", "eiffel"], "q3": ["eiffel", "mars", "rome", "paris"],
     "q5": ["rome"], "q6": ["mars", "rome"]},
    {"q1": ["paris", "eiffel"], "q2": ["eiffel"], "q3": [], "q5": ["paris", "eiffel"], "q6": ["rome"]},
    # gold at rank 11 for q1, missing q2
    {"q1": ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "eiffel"], "q3": ["paris"],
     "q5": ["eiffel", "rome", "paris"], "q6": ["eiffel", "paris", "mars", "rome"]},
    # gold at ranks 5 to 10: a cut-off anywhere from 4 to 9 loses some of them
    {"q1": ["d1", "d2", "d3", "d4", "eiffel"], "q2": ["d1", "d2", "d3", "d4", "d5", "d6", "eiffel", "rome"],
     "q3": ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "paris", "rome"],
     "q5": ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "paris"], "q6": ["d1", "d2", "d3", "d4", "d5", "rome"]},
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
               "go over the questions of gold, not of the run: each counts 1 when its gold paragraph is among the "
               "first k of its ranking and 0 otherwise (also when the run has no ranking for it); average those.",
               solution="""
               def recall_at_k(run, gold, k):
                   return float(np.mean([gold[q] in list(run.get(q, []))[:k] for q in gold]))
               """)


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
               "only the first 10 of a ranking count, and ranks start at 1; a question scores 1/rank of its gold "
               "paragraph, or 0 when the gold paragraph is not there. Average over every question of gold.",
               solution="""
               def mrr_at_10(run, gold):
                   scores = []
                   for q, g in gold.items():
                       ranked = list(run.get(q, []))[:10]
                       scores.append(1 / (ranked.index(g) + 1) if g in ranked else 0.0)
                   return float(np.mean(scores))
               """)


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
               "build the corpus from the dataset's paragraphs, not from its questions, so each paragraph is there "
               "exactly once; the labels come from the answerable questions only.",
               solution="""
               def build_task(dataset):
                   corpus = {p.id: p.context for p in dataset.paragraphs}
                   gold = {q.id: q.paragraph_id for q in dataset.answerable()}
                   return corpus, gold
               """)


# ------------------------------------------------------------------ exercise 4: lenient false positives
def _check_false_positives(count_false_positives) -> None:
    tiny, traps = tiny_dataset(), cases_dataset()
    cases = [
        (tiny, {"q1": ["paris"], "q2": ["eiffel"], "q3": ["eiffel"], "q5": ["rome"], "q6": ["rome"]}),  # q1, q3
        (tiny, {"q1": ["eiffel"], "q2": ["paris", "eiffel"], "q3": ["paris"], "q5": ["paris"], "q6": ["mars", "rome"]}),
        (tiny, {"q1": ["mars", "paris"], "q3": ["rome", "eiffel"], "q5": ["eiffel", "paris"]}),  # only rank 1 counts
        (tiny, {"q2": ["paris"], "q3": ["eiffel", "paris"], "q6": ["eiffel"]}),  # q3 only
        # "Apple" is not in orchard, "apple" is not in apple-inc: the check is case-sensitive, so none
        (traps, {"c1": ["orchard"], "c2": ["apple-inc"]}),
        # "Leonardo" (c3's second answer) is in titanic, the first answer is not: none
        (traps, {"c3": ["titanic"], "c4": ["mona-lisa"]}),
        # c3's first answer is in vinci (a false positive); c1 and c3 traps again: one
        (traps, {"c1": ["orchard"], "c2": ["apple-inc"], "c3": ["vinci"], "c4": ["titanic"]}),
    ]
    for i, (dataset, run) in enumerate(cases):
        got = call_answer(count_false_positives, run, dataset)
        want = lenient_false_positives(run, dataset)[2]
        expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool),
               f"return a count (int), got {type(got).__name__}")
        expect(int(got) == want,
               f"case {i} {run} on {dataset.name!r}: {want} false positive(s), you counted {int(got)} (a false positive: "
               "the top-1 paragraph contains the question's first answer text, with the same upper and lower case, "
               "but is NOT its gold paragraph)")


ex4 = Exercise("lab05", 4, "count the lenient check's false positives", _check_false_positives,
               "look at rank 1 only. Reproduce the article's check exactly (the first answer text, case-sensitive, "
               "inside the top paragraph's text), and count the questions it accepts although the top paragraph is "
               "not their gold one.",
               solution="""
               def count_false_positives(run, dataset):
                   questions = {q.id: q for q in dataset.answerable()}   # question id -> Question (.paragraph_id, .answers)
                   count = 0
                   for qid, ranked in run.items():
                       q = questions[qid]
                       if ranked and ranked[0] != q.paragraph_id and q.answers[0] in dataset.paragraph(ranked[0]).context:
                           count += 1
                   return count
               """)


# ------------------------------------------------------------------ exercise 5: word overlap
def _check_overlap(overlap) -> None:
    cases = [("What is the capital of Italy?", "Rome is the capital of Italy."),
             ("What is the capital of Italy?", "Paris is the capital of France."),
             ("When did the Louvre open to the public?", _P["paris"]),
             ("Who wrote Hamlet?", _P["rome"]),
             ("The the THE capital capital?", "capital"),
             ("What is it?", "anything"),
             # a repeated content word counts once: {paris, rome} -> 1/2, not [paris, paris, rome] -> 2/3
             ("Paris, Paris or Rome?", _P["paris"]),
             ("Rome, Rome, or Paris: which city has the Colosseum?", _P["paris"])]
    for question, paragraph in cases:
        got = call_answer(overlap, question, paragraph)
        want = word_overlap(question, paragraph)
        expect(_number(got), f"return a number between 0 and 1, got {type(got).__name__}")
        expect(abs(float(got) - want) < 1e-9,
               f"overlap({question!r}, {paragraph[:40]!r}...) should be {want:.3f}, you returned {float(got):.3f} "
               "(distinct content words of the question, i.e. tokens not in STOPWORDS, found among the paragraph's "
               "tokens, divided by the number of distinct content words; 0 if there is none)")


ex5 = Exercise("lab05", 5, "word overlap of a question with a paragraph", _check_overlap,
               "count distinct words: a word the question repeats counts once, above and below the fraction line. "
               "Leave the stop words out first, and decide what a question with no content word scores.",
               solution="""
               def overlap(question, paragraph):
                   words = {t for t in tokenize_en(question) if t not in lab05.STOPWORDS}
                   return len(words & set(tokenize_en(paragraph))) / len(words) if words else 0.0
               """)


#: The stop-word list exercise 5 uses (the same as :func:`embedlab.lexical.word_overlap`).
STOPWORDS = QUESTION_STOPWORDS


# ------------------------------------------------------------------ exercise 6: the questions only BM25 gets right
_HIT_CASES = [
    ({"q1": True, "q2": True, "q3": False, "q4": False, "q5": True, "q6": True},
     {"q1": True, "q2": False, "q3": True, "q4": False, "q5": False, "q6": True}),
    # per-question hits as numbers (what `.astype(float)` gives) and as numpy booleans
    ({"a": 1.0, "b": 0.0, "c": 1.0, "d": 0.0}, {"a": 0.0, "b": 1.0, "c": 1.0, "d": 0.0}),
    ({"x": np.bool_(True), "y": np.bool_(False), "z": np.bool_(True)},
     {"x": np.bool_(False), "y": np.bool_(False), "z": np.bool_(False)}),
    # BM25 wins nowhere
    ({"m": False, "n": True}, {"m": True, "n": True}),
]


def _check_bm25_only(bm25_only) -> None:
    for bm25_hit, dense_hit in _HIT_CASES:
        got = call_answer(bm25_only, dict(bm25_hit), dict(dense_hit))
        expect(not _number(got), f"return the question ids, not how many there are (you returned {got!r})")
        expect(isinstance(got, (list, tuple, set, frozenset, np.ndarray)) and not isinstance(got, dict),
               f"return a list of question ids, got {type(got).__name__}")
        got_list = list(got)
        expect(len(got_list) == len(set(got_list)), f"list each question once; you returned {got_list}")
        ids = set(got_list)
        bm25 = {q for q, h in bm25_hit.items() if h}
        dense = {q for q, h in dense_hit.items() if h}
        want = bm25 - dense
        if ids == want:
            continue
        where = f"with BM25 right on {sorted(bm25)} and the dense model right on {sorted(dense)}"
        expect(not (ids == bm25 and want != bm25), f"{where} you returned every question BM25 gets right, "
               "including those the dense model gets right too; keep only those the dense model gets wrong")
        expect(ids != dense - bm25, f"{where} you returned the questions only the dense model gets right: "
               "the other way round")
        expect(ids != bm25 ^ dense, f"{where} you returned every question where the two systems disagree, in both "
               "directions; keep those where BM25 is the one that is right")
        expect(ids != bm25 & dense, f"{where} you returned the questions both systems get right")
        expect(ids != set(bm25_hit) - bm25 - dense, f"{where} you returned the questions both systems get wrong")
        strict = {q for q in bm25_hit if bm25_hit[q] is True and dense_hit[q] is False}
        expect(ids != strict, f"{where} (given as {type(next(iter(bm25_hit.values()))).__name__} values) you missed "
               "hits that are not Python's own True and False: `is True` is false for 1.0 and for numpy's True; test "
               "the value's truth instead")
        expect(False, f"{where} the questions only BM25 gets right are {sorted(want)}; you returned {sorted(ids, key=str)}")


ex6 = Exercise("lab05", 6, "the questions only BM25 gets right", _check_bm25_only,
               "for each question you know two yes/no facts: did BM25 put the gold paragraph at rank 1, and did the "
               "dense model? You want the questions where the first is yes and the second is no. The hits may be "
               "True/False or 1.0/0.0, so test their truth, not their identity.",
               solution="""
               def bm25_only(bm25_hit, dense_hit):
                   return [q for q in bm25_hit if bm25_hit[q] and not dense_hit[q]]
               """)


# ------------------------------------------------------------------ exercise 7: nDCG@k
_NDCG_CASES = [  # (ranked, relevance grades, k)
    (["d3", "d1", "d7", "d2", "d9"], {"d1": 2, "d2": 3, "d5": 1}, 3),     # graded; d5 was never retrieved
    (["a", "b", "c", "d"], {"c": 1}, 10),                                    # binary: one relevant, at rank 3
    (["r1", "n1", "r2", "r3", "r4"], {f"r{i}": 1 for i in range(1, 6)}, 3),  # more relevant documents than k
    (["x", "y", "g"], {"g": 1}, 2),                                          # the relevant one is below rank k
    (["z", "p2", "p1"], {"z": 0, "p1": 3, "p2": 1}, 5),                      # a document judged not relevant (0)
    (["p1", "p2", "p3"], {"p1": 3, "p2": 2, "p3": 1}, 3),                    # the ideal ranking itself
]


def _dcg(gains: list[float], discount) -> float:
    return float(sum(g / discount(rank) for rank, g in enumerate(gains, 1)))


def _ndcg_variants(ranked: list[str], relevance: dict[str, float], k: int) -> dict[str, float]:
    """nDCG@k and the numbers a learner's usual mistakes give instead."""
    log2 = lambda rank: np.log2(rank + 1)                          # noqa: E731
    old = lambda rank: 1.0 if rank == 1 else np.log2(rank)          # noqa: E731 - the first rank undiscounted
    gains = [relevance.get(d, 0) for d in ranked]
    ideal = sorted((g for g in relevance.values() if g > 0), reverse=True)
    dcg, idcg = _dcg(gains[:k], log2), _dcg(ideal[:k], log2)
    exp = lambda gs: [2.0 ** g - 1 for g in gs]                     # noqa: E731
    retrieved_ideal = _dcg(sorted(gains[:k], reverse=True), log2)
    return {
        "right": dcg / idcg,
        "dcg": dcg,
        "per relevant document": dcg / len(ideal),
        "ideal not cut": dcg / _dcg(ideal, log2),
        "ideal of the retrieved": dcg / retrieved_ideal if retrieved_ideal else np.nan,
        "exponential gains": _dcg(exp(gains[:k]), log2) / _dcg(exp(ideal[:k]), log2),
        "no cut": _dcg(gains, log2) / idcg,
        "old formula": _dcg(gains[:k], old) / _dcg(ideal[:k], old),
    }


_NDCG_MISTAKES = {
    "dcg": "that is DCG, not nDCG: divide it by the ideal DCG (the DCG of the best possible ranking, cut at k), so "
           "that a perfect ranking scores 1",
    "per relevant document": "you divided DCG by the number of relevant documents; divide by the ideal DCG, the DCG "
                             "of the best possible ranking",
    "ideal not cut": "your ideal DCG counts every relevant document; the ideal ranking is cut at k too (with more "
                     "relevant documents than k, only the k best fit in the top k)",
    "ideal of the retrieved": "your ideal ranking only reorders the documents that were retrieved; the ideal puts the "
                              "best judged documents first, retrieved or not",
    "exponential gains": "you used 2^grade − 1 as the gain; here the gain is the grade itself (linear gains, as in "
                         "trec_eval and BEIR)",
    "no cut": "you counted documents below rank k; nDCG@k looks at the first k only",
    "old formula": "that is the older DCG (the first rank undiscounted, then log2(rank)); discount every rank r, the "
                   "first one included, by log2(r + 1)",
}


def _check_ndcg(ndcg_at_k) -> None:
    for ranked, relevance, k in _NDCG_CASES:
        got = call_answer(ndcg_at_k, list(ranked), dict(relevance), k)
        expect(_number(got), f"return one number, got {type(got).__name__}")
        variants = _ndcg_variants(ranked, relevance, k)
        want = metrics_ndcg(ranked, relevance, k)
        where = f"ranked={ranked}, relevance={relevance}, k={k}"
        expect(bool(np.isfinite(got)),
               f"{where}: you returned {got}, not a finite number. Counting ranks from 0 makes the first discount "
               "log2(0 + 1) = 0, a division by zero: ranks start at 1, and rank r is discounted by log2(r + 1)")
        if abs(float(got) - want) < 1e-9:
            continue
        for name, message in _NDCG_MISTAKES.items():
            expect(not np.isclose(float(got), variants[name], rtol=0, atol=1e-9), f"{where}: {message}")
        expect(False, f"{where}: nDCG@{k} is {want:.4f}, you returned {float(got):.4f} (DCG = Σ grade / log2(rank + 1) "
                      "over the first k, divided by the same sum for the ideal ranking)")


ex7 = Exercise("lab05", 7, "nDCG@k with graded relevance", _check_ndcg,
               "first add up the gains of the top k, each grade shrunk by a discount that grows with the rank (the "
               "first rank's discount is 1). Then do the same for the best ranking the judgments allow, which may "
               "include documents the system never returned, and divide the first sum by the second.",
               solution="""
               def ndcg_at_k(ranked, relevance, k):
                   dcg = sum(relevance.get(d, 0) / np.log2(rank + 1) for rank, d in enumerate(ranked[:k], start=1))
                   ideal = sorted(relevance.values(), reverse=True)[:k]
                   idcg = sum(g / np.log2(rank + 1) for rank, g in enumerate(ideal, start=1))
                   return dcg / idcg
               """)


# ------------------------------------------------------------------ exercise 8: a bootstrap interval
_BOOTSTRAP_CASES = {
    # twelve skewed values (e.g. seconds per query): the interval of their mean is far from symmetric
    "twelve skewed values": np.array([0.1, 0.2, 0.2, 0.3, 0.5, 0.9, 1.4, 3.0, 7.5, 0.4, 0.2, 12.0]),
    "forty skewed values": np.round(np.random.default_rng(11).lognormal(0.0, 1.2, size=40), 3),
}
_BOOTSTRAP_RESAMPLES = 10_000
#: How far (a share of the interval's width) each end may lie from the reference: the resampling's own noise is
#: about 0.005 of the width with 10,000 resamples, a 90% interval's ends lie 0.1 away.
_BOOTSTRAP_TOLERANCE = 0.05


def _check_bootstrap(bootstrap_interval) -> None:
    for name, values in _BOOTSTRAP_CASES.items():
        got = call_answer(bootstrap_interval, values.copy(), _BOOTSTRAP_RESAMPLES, 1)
        expect(isinstance(got, (tuple, list, np.ndarray)) and len(got) == 2 and all(_number(x) for x in got),
               f"return two numbers (low, high), got {got!r}")
        lo, hi = (float(x) for x in got)
        expect(bool(np.isfinite([lo, hi]).all()) and lo <= hi, f"return (low, high), the lower end first; got {got!r}")
        ref_lo, ref_hi = bootstrap_ci(values, n_resamples=40_000, seed=0)
        width, mean = ref_hi - ref_lo, float(values.mean())
        if abs(lo - ref_lo) <= _BOOTSTRAP_TOLERANCE * width and abs(hi - ref_hi) <= _BOOTSTRAP_TOLERANCE * width:
            continue
        where = f"for the {name} (mean {mean:.3f})"
        expect(hi - lo > 1e-9 * max(1.0, abs(mean)),
               f"{where} your interval has no width, [{lo:.3f}, {hi:.3f}]: every resample had the same mean, so you "
               "drew without replacement (a shuffle of the same values). Draw len(values) values WITH replacement")
        expect(lo <= mean <= hi,
               f"{where} your interval [{lo:.3f}, {hi:.3f}] does not contain the mean, which a bootstrap interval of "
               "the mean always does. If you used np.percentile: it takes percents (2.5 and 97.5); np.quantile takes "
               "fractions (0.025 and 0.975)")
        asymmetry = abs((hi - mean) - (mean - lo)) / (hi - lo)
        expect(not (asymmetry < 0.03 and abs((ref_hi - mean) - (mean - ref_lo)) / width > 0.1),
               f"{where} your interval [{lo:.3f}, {hi:.3f}] is symmetric around the mean, as mean ± some standard "
               "deviations is; the percentile bootstrap takes the 2.5th and 97.5th percentiles of the resampled means, "
               f"and they follow the skew of the data: about [{ref_lo:.3f}, {ref_hi:.3f}]")
        ratio = (hi - lo) / width
        expect(not 0.78 < ratio < 0.9,
               f"{where} your interval [{lo:.3f}, {hi:.3f}] is about a sixth too narrow: that is a 90% interval (the "
               "5th to 95th percentiles); a 95% interval leaves 2.5% of the resampled means in each tail")
        data_lo, data_hi = np.percentile(values, [2.5, 97.5])
        expect(not (abs(lo - data_lo) < 0.05 * (data_hi - data_lo) and abs(hi - data_hi) < 0.05 * (data_hi - data_lo)),
               f"{where} your interval [{lo:.3f}, {hi:.3f}] spans the values themselves; the interval is for their "
               "MEAN: resample the values many times, take the mean of each resample, then the percentiles of those "
               "means")
        expect(False, f"{where} a 95% percentile bootstrap of the mean gives about [{ref_lo:.3f}, {ref_hi:.3f}]; yours is "
                      f"[{lo:.3f}, {hi:.3f}]")


ex8 = Exercise("lab05", 8, "a 95% bootstrap interval of a mean", _check_bootstrap,
               "pretend the sample is the population: draw a new sample of the same size from it, with replacement, "
               "and note its mean; repeat n_resamples times. The middle 95% of those means is the interval: cut "
               "2.5% off each end (percentiles, not a standard deviation).",
               solution="""
               def bootstrap_interval(values, n_resamples, seed):
                   rng = np.random.default_rng(seed)
                   samples = rng.choice(values, size=(n_resamples, len(values)), replace=True)
                   means = samples.mean(axis=1)
                   low, high = np.percentile(means, [2.5, 97.5])
                   return low, high
               """)
