"""embedlab.training: pairs, evaluation subsets, BM25 hard negatives, the reference InfoNCE, output folders."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from embedlab import training


def test_info_nce_equals_sentence_transformers_mnrl() -> None:
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    g = torch.Generator().manual_seed(0)
    q, d, n = torch.randn(6, 16, generator=g) * 2, torch.randn(6, 16, generator=g), torch.randn(6, 16, generator=g)
    for scale in (20.0, 5.0, 50.0):
        mnrl = MultipleNegativesRankingLoss(None, scale=scale)  # the model is only used to embed texts
        want = mnrl.compute_loss_from_embeddings([q, d], None).item()
        assert training.info_nce(q, d, 1 / scale).item() == pytest.approx(want, abs=1e-5)
        want_hn = mnrl.compute_loss_from_embeddings([q, d, n], None).item()
        assert training.info_nce(q, torch.cat([d, n]), 1 / scale).item() == pytest.approx(want_hn, abs=1e-5)


def test_info_nce_by_hand_and_bad_input() -> None:
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    d = torch.tensor([[2.0, 0.0], [0.0, 3.0]])  # cosine: identity matrix
    t = 0.5
    row = -np.log(np.exp(1 / t) / (np.exp(1 / t) + np.exp(0)))
    assert training.info_nce(q, d, t).item() == pytest.approx(row, rel=1e-6)
    with pytest.raises(ValueError, match="temperature"):
        training.info_nce(q, d, 0)
    with pytest.raises(ValueError, match="need"):
        training.info_nce(q, d[:1], 0.05)


def test_scifact_and_cmrc_pairs() -> None:
    pairs = training.scifact_pairs("train")
    assert len(pairs) == 919 and len(set(pairs.query_ids)) == 809
    some = training.scifact_pairs("train", n_pairs=20, seed=1)
    assert len(some) == 20 and some == training.scifact_pairs("train", n_pairs=20, seed=1)
    assert some != training.scifact_pairs("train", n_pairs=20, seed=2)
    zh = training.cmrc_pairs("trial", n_pairs=10)
    assert len(zh) == 10 and all(a and p for a, p in zip(zh.anchors, zh.positives))
    with pytest.raises(ValueError, match="n_pairs"):
        training.scifact_pairs("train", n_pairs=0)


def test_eval_subset_keeps_relevant_and_says_it_is_a_subset() -> None:
    corpus = {f"d{i}": f"text {i}" for i in range(50)}
    queries = {f"q{i}": f"query {i}" for i in range(10)}
    qrels = {f"q{i}": {f"d{i}": 1, f"d{i + 10}": 1} for i in range(10)}
    sub = training.eval_subset(corpus, queries, qrels, n_queries=4, n_distractors=5, seed=0)
    assert len(sub.queries) == 4 and len(sub.corpus) == 4 * 2 + 5
    assert all(d in sub.corpus for q in sub.queries for d in qrels[q])
    assert sub.is_subset and "SUBSET" in sub.describe("toy")
    full = training.eval_subset(corpus, queries, qrels)
    assert not full.is_subset and "SUBSET" not in full.describe("toy") and len(full.corpus) == 50
    with pytest.raises(ValueError, match="n_distractors"):
        training.eval_subset(corpus, queries, qrels, n_distractors=-1)


def test_mine_bm25_negatives_skips_positives() -> None:
    corpus = {"a": "red apple pie", "b": "red apple juice", "c": "green apple", "d": "blue sky"}
    assert training.mine_bm25_negatives(["red apple"], [{"a", "b"}], corpus) == ["c"]
    assert training.mine_bm25_negatives(["red apple"], ["a"], corpus) == ["b"]
    assert training.mine_bm25_negatives(["red apple"], ["a"], corpus, skip=1) == ["c"]
    with pytest.raises(ValueError, match="anchors"):
        training.mine_bm25_negatives(["x", "y"], ["a"], corpus)


def test_new_output_dir_never_reuses(tmp_path) -> None:
    first = training.new_output_dir("run", tmp_path)
    second = training.new_output_dir("run", tmp_path)
    assert first != second and first.is_dir() and second.is_dir()
    with pytest.raises(ValueError, match="folder name"):
        training.new_output_dir("../escape", tmp_path)


def test_weights_revision_changes_with_the_weights(tmp_path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"one")
    first = training.weights_revision(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"two")
    assert training.weights_revision(tmp_path) != first
    with pytest.raises(FileNotFoundError, match="saved model folder"):
        training.weights_revision(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="modules.json"):
        training.load_folder(tmp_path, "x")


def test_per_query_ndcg_and_paired_interval() -> None:
    from embedlab.metrics import evaluate_run

    run = {"q1": ["a", "b"], "q2": ["c", "d"]}
    qrels = {"q1": {"b": 1}, "q2": {"c": 1}}
    per = training.per_query_ndcg(run, qrels)
    assert per.mean() == pytest.approx(evaluate_run(run, qrels)["nDCG@10"])
    mean, lo, hi = training.paired_interval([0.1, 0.2, 0.3], [0.2, 0.3, 0.4])
    assert mean == pytest.approx(0.1) and lo == pytest.approx(0.1) and hi == pytest.approx(0.1)
