"""embedlab.selection: tidy MTEB tables, Pareto front, Borda rank (checked against mteb's own), fact checks,
local data for mteb tasks, and shortlist's results and error messages."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from embedlab import selection
from embedlab.selection import Check, borda_rank, fact_check_table, pareto_front, shortlist, verdict


# ---------------------------------------------------------------- tables
def test_board_joins_metadata() -> None:
    frame = selection.board("eng_v2")
    assert len(frame) == 308 and frame["Model"].is_unique
    e5 = frame.set_index("Model").loc["intfloat/multilingual-e5-small"]
    assert e5["memory_mb"] == 449 and e5["dim"] == 384 and e5["max_tokens"] == 512 and e5["licence"] == "mit"
    assert e5["open_weights"] is True or e5["open_weights"] == True  # noqa: E712 (numpy bool)
    assert any(lang.startswith("zho") for lang in e5["languages"]) and len(e5["languages"]) > 50
    assert "Summarization" not in selection.board("cmn_v1").columns


@pytest.mark.parametrize("bad", ["eng", "cmn", "", None])
def test_board_names_valid_values(bad) -> None:
    with pytest.raises(ValueError, match="valid values: 'eng_v2', 'eng_v1', 'cmn_v1'"):
        selection.board(bad)


def test_per_task_and_task_types() -> None:
    table = selection.per_task("cmn_v1")
    assert table.loc["intfloat/multilingual-e5-small", "LCQMC"] == pytest.approx(72.70)
    assert selection.task_types(["SciFact", "LCQMC", "STSBenchmark"]) == {"SciFact": "Retrieval", "LCQMC": "STS",
                                                                         "STSBenchmark": "STS"}
    with pytest.raises(ValueError, match="mteb does not know the task 'NoSuchTask'"):
        selection.task_types(["NoSuchTask"])


# ---------------------------------------------------------------- Pareto front
def brute_front(frame, score, cost):
    rows = frame.dropna(subset=[score, cost])
    keep = []
    for i, a in rows.iterrows():
        beaten = any((b[score] >= a[score]) and (b[cost] <= a[cost]) and ((b[score] > a[score]) or (b[cost] < a[cost]))
                     for j, b in rows.iterrows() if j != i)
        keep.append(not beaten)
    return set(rows[np.array(keep, dtype=bool)]["Model"])


def test_pareto_front_matches_the_definition_on_random_boards() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = 30
        frame = pd.DataFrame({"Model": [f"m{i}" for i in range(n)],
                              "score": rng.integers(40, 60, n).astype(float),      # integers: many ties
                              "memory": rng.integers(1, 15, n).astype(float) * 100})
        frame.loc[rng.choice(n, 3, replace=False), "memory"] = np.nan
        front = pareto_front(frame, "score", "memory")
        assert set(front["Model"]) == brute_front(frame, "score", "memory")
        assert front["memory"].is_monotonic_increasing
        assert front["score"].is_monotonic_increasing  # along the front, more memory buys a higher score


def test_pareto_front_twins_and_missing_columns() -> None:
    frame = pd.DataFrame({"Model": ["a", "b", "c"], "s": [1.0, 1.0, 0.5], "m": [10.0, 10.0, 10.0]})
    assert set(pareto_front(frame, "s", "m")["Model"]) == {"a", "b"}
    with pytest.raises(KeyError, match="no column 'memory'"):
        pareto_front(frame, "s", "memory")


# ---------------------------------------------------------------- Borda
def test_borda_rank_matches_mteb_implementation() -> None:
    """The course's Borda equals mteb's own leaderboard expression (polars), ties and missing tasks included."""
    import polars as pl
    from mteb.benchmarks._create_table import _get_borda_rank

    rng = np.random.default_rng(1)
    for _ in range(10):
        scores = pd.DataFrame(rng.integers(0, 6, size=(12, 5)).astype(float), columns=[f"t{i}" for i in range(5)],
                              index=[f"m{i}" for i in range(12)])
        scores = scores.mask(rng.random(scores.shape) < 0.15)
        ours = borda_rank(scores)
        theirs = pl.from_pandas(scores.reset_index(drop=True)).select(_get_borda_rank(list(scores.columns)))
        assert ours.tolist() == theirs.to_series().to_list()


def test_borda_small_example_by_hand() -> None:
    scores = pd.DataFrame({"t1": [3, 2, 1], "t2": [1, 3, 2]}, index=["x", "y", "z"])
    # points: x 2+0, y 1+2, z 0+1 -> y first, x second, z third
    assert borda_rank(scores).to_dict() == {"x": 2, "y": 1, "z": 3}
    with pytest.raises(ValueError, match="at least two models"):
        borda_rank(scores.iloc[:1])


# ---------------------------------------------------------------- fact checks
@pytest.mark.parametrize("value, expected", [(None, "unknown"), (float("nan"), "unknown"), ([], "unknown"),
                                             (7e9, "❌"), (1e8, "✅"), (["eng-Latn"], "✅")])
def test_verdict(value, expected) -> None:
    test = (lambda v: len(v) > 0) if isinstance(value, list) else (lambda p: p <= 5e8)
    assert verdict(value, test) == expected


def test_fact_check_table_counts_and_rejects_bad_rows() -> None:
    table = fact_check_table([Check("a", "light", "✅", "1 M"), Check("b", "light", "❌", "7 B"),
                              Check("c", "light", "unknown", "no data")])
    assert table.attrs["counts"] == {"✅": 1, "❌": 1, "unknown": 1}
    with pytest.raises(ValueError, match="verdict in"):
        fact_check_table([Check("a", "light", "yes", "")])


def test_find_model() -> None:
    names = ["Linq-AI-Research/Linq-Embed-Mistral", "intfloat/e5-small"]
    assert selection.find_model("linq-embed-mistral", names) == "Linq-AI-Research/Linq-Embed-Mistral"
    assert selection.find_model("gemini-embedding-exp-03-07", names) is None


# ---------------------------------------------------------------- mteb tasks from local data
def test_mteb_task_sts_layout_and_subset() -> None:
    task, subset = selection.mteb_task("LCQMC", n_pairs=50, seed=3)
    split = task.dataset["test"]
    assert task.data_loaded and split.column_names == ["sentence1", "sentence2", "score"] and len(split) == 50
    assert not subset.full and "NOT comparable" in subset.caveat() and "12,500" in subset.caveat()
    again, _ = selection.mteb_task("LCQMC", n_pairs=50, seed=3)
    assert again.dataset["test"]["sentence1"] == split["sentence1"]       # a fixed seed gives the same subset
    full, whole = selection.mteb_task("STSBenchmark")
    assert len(full.dataset["test"]) == 1379 and whole.full and "comparable" in whole.caveat()


def test_mteb_task_scifact_keeps_every_relevant_document() -> None:
    task, subset = selection.mteb_task("SciFact", n_queries=12, n_distractors=30)
    split = task.dataset["default"]["test"]
    ids = set(split["corpus"]["id"])
    relevant = {d for docs in split["relevant_docs"].values() for d in docs}
    assert len(split["queries"]) == 12 and relevant <= ids and len(ids) == len(relevant) + 30
    assert set(split["queries"]["id"]) == set(split["relevant_docs"])
    assert split["corpus"].column_names == ["id", "title", "text"]
    assert subset.kept == {"queries": 12, "documents": len(ids)} and subset.total == {"queries": 300, "documents": 5183}


@pytest.mark.parametrize("kwargs, words", [(dict(name="MSMARCO"), "unknown task 'MSMARCO'; valid values"),
                                           (dict(name="LCQMC", n_pairs=-1), "n_pairs must be a whole number"),
                                           (dict(name="SciFact", n_queries=2.5), "n_queries must be a whole number")])
def test_mteb_task_bad_input(kwargs, words) -> None:
    with pytest.raises(ValueError, match=words):
        selection.mteb_task(**kwargs)


# ---------------------------------------------------------------- shortlist
def test_shortlist_respects_every_constraint() -> None:
    picks = shortlist("chinese", "Retrieval", max_memory_mb=1000, min_max_tokens=512, open_weights=True,
                      licence="permissive", top=5)
    board = selection.board("cmn_v1").set_index("Model")
    assert list(picks["rank"]) == [1, 2, 3, 4, 5] and picks["score"].is_monotonic_decreasing
    for model in picks["Model"]:
        row = board.loc[model]
        assert row["memory_mb"] <= 1000 and row["max_tokens"] >= 512 and row["open_weights"]
        assert row["licence"] in selection.PERMISSIVE and any(lang.startswith("zho") for lang in row["languages"])
    assert all("<= 1,000 MB" in r for r in picks["reasons"])
    funnel = list(picks.attrs["funnel"].values())
    assert funnel == sorted(funnel, reverse=True)
    # nothing better was left out: every eligible model outside the list scores at most the last one
    eligible = board[(board["memory_mb"] <= 1000) & (board["max_tokens"] >= 512) & board["open_weights"]
                     & board["licence"].isin(selection.PERMISSIVE) & board["Retrieval"].notna()
                     & board["languages"].map(lambda ls: any(x.startswith("zho") for x in ls))]
    assert eligible["Retrieval"].nlargest(5).tolist() == picks["score"].tolist()


def test_shortlist_multilingual_needs_both_boards() -> None:
    picks = shortlist("multilingual", "Retrieval", top=3)
    en = selection.board("eng_v2").set_index("Model")["Retrieval"]
    zh = selection.board("cmn_v1").set_index("Model")["Retrieval"]
    for _, row in picks.iterrows():
        assert row["score"] == pytest.approx((en[row["Model"]] + zh[row["Model"]]) / 2)


@pytest.mark.parametrize("kwargs, words", [
    (dict(language="french"), "unknown language 'french'; valid values: 'english', 'chinese', 'multilingual'"),
    (dict(task="retrival"), "unknown task 'retrival'; valid values: 'Mean (Task)', 'Retrieval'"),
    (dict(language="chinese", task="Summarization"), "unknown task 'Summarization'"),
    (dict(licence="gpl"), "unknown licence 'gpl'; valid values: 'any', 'permissive'"),
    (dict(max_memory_mb=-5), "max_memory_mb must be a positive number"),
    (dict(open_weights="yes"), "open_weights must be True, False or None"),
    (dict(top=0), "top must be a whole number"),
])
def test_shortlist_bad_arguments_name_valid_values(kwargs, words) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        shortlist(**kwargs)


def test_shortlist_ignores_the_case_of_language_and_task() -> None:
    expected = shortlist("chinese", "Retrieval", top=3)
    pd.testing.assert_frame_equal(shortlist("Chinese", "retrieval", top=3), expected)
    pd.testing.assert_frame_equal(shortlist(" CHINESE ", "RETRIEVAL", top=3), expected)


def test_shortlist_impossible_constraints_say_what_to_relax() -> None:
    with pytest.raises(ValueError, match=r"'memory <= 20 MB' removes them all\. Relax max_memory_mb: the smallest "
                                         r"remaining model, .+, needs \d+ MB"):
        shortlist("chinese", max_memory_mb=20)
    with pytest.raises(ValueError, match="Relax min_max_tokens"):
        shortlist("english", min_max_tokens=10**7)
    with pytest.raises(ValueError, match="licence"):
        shortlist("chinese", open_weights=True, licence="cc0-1.0") if "cc0-1.0" in selection.licences() else \
            shortlist("chinese", open_weights=True, licence="no-such-licence")


def test_licences_listed() -> None:
    found = selection.licences()
    assert {"apache-2.0", "mit"} <= set(found) and found == sorted(found)


def test_pairs_of_constraints_only_shrink_the_list() -> None:
    base = len(shortlist("english", top=500))
    for mem, tokens in itertools.product([None, 2000], [None, 2048]):
        assert len(shortlist("english", max_memory_mb=mem, min_max_tokens=tokens, top=500)) <= base
