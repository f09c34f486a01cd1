"""embedlab.vectorsearch: exact top-k, recall against exact, latency percentiles, RRF, Milvus Lite paths."""

from __future__ import annotations

import time

import numpy as np
import pytest

from embedlab import vectorsearch as vs


def _unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return _unit(rng.normal(size=(500, 16))), _unit(rng.normal(size=(20, 16)))


def test_exact_top_k_matches_numpy_and_faiss(data) -> None:
    import faiss

    docs, queries = data
    ids, scores = vs.exact_top_k(queries, docs, 10)
    want = np.argsort(-(queries @ docs.T), axis=1, kind="stable")[:, :10]
    assert (ids == want).all()
    index = faiss.IndexFlatIP(docs.shape[1])
    index.add(docs)
    f_scores, f_ids = index.search(queries, 10)
    assert (f_ids == ids).all() and np.allclose(f_scores, scores, atol=1e-5)
    one, _ = vs.exact_top_k(queries[0], docs, 3)          # a single query vector
    assert one.shape == (1, 3)


@pytest.mark.parametrize("kwargs, words", [
    (dict(query_vectors=np.ones((2, 8)), doc_vectors=np.ones((5, 16)), k=3), "dimension mismatch"),
    (dict(query_vectors=np.ones((2, 8)), doc_vectors=np.ones((0, 8)), k=3), "corpus is empty"),
    (dict(query_vectors=np.ones((2, 8)), doc_vectors=np.zeros((0,)), k=3), "corpus is empty"),
    (dict(query_vectors=np.ones((2, 8)), doc_vectors=np.ones((5, 8)), k=0), "at least 1"),
    (dict(query_vectors=np.ones((2, 8)), doc_vectors=np.ones((5, 8)), k=-2), "at least 1"),
    (dict(query_vectors=np.ones((2, 8)), doc_vectors=np.ones((5, 8)), k=2.5), "whole number"),
    (dict(query_vectors=np.ones((2, 8)), doc_vectors=np.ones((5, 8)), k=True), "whole number"),
    (dict(query_vectors=np.array([["a"]]), doc_vectors=np.ones((5, 8)), k=2), "array of numbers"),
    (dict(query_vectors=np.ones((2, 8, 1)), doc_vectors=np.ones((5, 8)), k=2), "1-d or 2-d"),
], ids=["dims", "empty", "empty-1d", "k0", "k-negative", "k-float", "k-bool", "strings", "3d"])
def test_exact_top_k_errors_name_the_problem(kwargs, words) -> None:
    with pytest.raises(ValueError, match=words):
        vs.exact_top_k(**kwargs)


def test_recall_against_exact() -> None:
    exact = [[1, 2, 3], [4, 5, 6]]
    assert vs.recall_against_exact([[3, 2, 1], [4, 5, 6]], exact, 3) == 1.0
    assert vs.recall_against_exact([[1, -1, -1], [6, 9, 9, 4]], exact, 3) == pytest.approx((1 / 3 + 1 / 3) / 2)
    assert vs.recall_against_exact(np.array([[1, 9], [9, 4]]), np.array([[1, 2], [4, 5]]), 1) == 0.5
    with pytest.raises(ValueError, match="must match"):
        vs.recall_against_exact([[1]], exact, 1)
    with pytest.raises(ValueError, match="fewer than k"):
        vs.recall_against_exact([[1, 2]], [[1, 2]], 3)
    with pytest.raises(ValueError, match="no queries"):
        vs.recall_against_exact([], [], 3)


def test_recall_of_a_faiss_ivf_index_is_below_one_at_nprobe_1(data) -> None:
    import faiss

    docs, queries = data
    exact, _ = vs.exact_top_k(queries, docs, 10)
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(16), 16, 16, faiss.METRIC_INNER_PRODUCT)
    ivf.train(docs)
    ivf.add(docs)
    ivf.nprobe = 1
    low = vs.recall_against_exact(ivf.search(queries, 10)[1], exact, 10)
    ivf.nprobe = 16
    assert low < 1.0 and vs.recall_against_exact(ivf.search(queries, 10)[1], exact, 10) == 1.0


def test_latency_percentiles_match_numpy() -> None:
    seconds = np.random.default_rng(1).exponential(0.002, size=1000)
    got = vs.latency_percentiles(seconds)
    assert list(got) == ["p50", "p95", "p99"]
    for p in (50, 95, 99):
        assert got[f"p{p}"] == pytest.approx(np.percentile(seconds, p) * 1000)
    for bad, words in [([0.1], "at least two"), ([0.1, float("nan")], "finite"), ([0.1, -0.1], "non-negative")]:
        with pytest.raises(ValueError, match=words):
            vs.latency_percentiles(bad)
    with pytest.raises(ValueError, match="between 0 and 100"):
        vs.latency_percentiles([0.1, 0.2], percentiles=(50, 101))


def test_time_per_query_times_each_call() -> None:
    calls = []
    seconds = vs.time_per_query(lambda q: (calls.append(q), time.sleep(0.001)), [1, 2, 3, 4], warmup=2)
    assert calls == [1, 2, 1, 2, 3, 4] and seconds.shape == (4,) and (seconds >= 0.001).all()
    with pytest.raises(ValueError, match="no queries"):
        vs.time_per_query(lambda q: q, [])


def test_reference_rrf_by_hand() -> None:
    fused = vs.reference_rrf([["a", "b", "c"], ["b", "d"]], k=60)
    assert [d for d, _ in fused] == ["b", "a", "d", "c"]
    assert dict(fused)["b"] == pytest.approx(1 / 62 + 1 / 61) and dict(fused)["d"] == pytest.approx(1 / 62)
    assert vs.reference_rrf([["x", "y"], ["y", "x"]]) == [("x", 1 / 61 + 1 / 62), ("y", 1 / 62 + 1 / 61)]
    assert len(vs.reference_rrf([["a", "b", "c"]], limit=2)) == 2
    with pytest.raises(ValueError, match="non-negative"):
        vs.reference_rrf([["a"]], k=-1)
    with pytest.raises(TypeError, match="not a string"):
        vs.reference_rrf(["abc"])


def test_reference_rrf_matches_milvus_rrfranker(tmp_path) -> None:
    """The reference RRF gives Milvus Lite's hybrid_search + RRFRanker ranking, ids and scores."""
    from pymilvus import AnnSearchRequest, DataType, Function, FunctionType, MilvusClient, RRFRanker

    rng = np.random.default_rng(0)
    texts = ["python garbage collector", "java virtual machine garbage", "rust ownership", "go goroutines garbage",
             "c manual memory", "php web backend", "javascript browser", "ruby on rails web"]
    vectors = _unit(rng.normal(size=(len(texts), 8)))
    client = MilvusClient(str(tmp_path / "rrf.db"))
    try:
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("text", DataType.VARCHAR, max_length=200, enable_analyzer=True, analyzer_params={"type": "standard"})
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=8)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                     output_field_names=["sparse"]))
        params = client.prepare_index_params()
        params.add_index("dense", index_type="FLAT", metric_type="IP")
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        client.create_collection("c", schema=schema, index_params=params)
        client.insert("c", [{"id": i, "text": t, "dense": v.tolist()} for i, (t, v) in enumerate(zip(texts, vectors))])
        queries, qv = ["garbage collection", "web backend"], _unit(rng.normal(size=(2, 8)))
        sparse = client.search("c", data=queries, anns_field="sparse", limit=5, search_params={"metric_type": "BM25"})
        dense = client.search("c", data=qv.tolist(), anns_field="dense", limit=5, search_params={"metric_type": "IP"})
        fused = client.hybrid_search("c", [
            AnnSearchRequest(data=queries, anns_field="sparse", param={"metric_type": "BM25"}, limit=5),
            AnnSearchRequest(data=qv.tolist(), anns_field="dense", param={"metric_type": "IP"}, limit=5)],
            ranker=RRFRanker(60), limit=6)
    finally:
        client.close()
    for s, d, f in zip(sparse, dense, fused):
        ours = vs.reference_rrf([[h["id"] for h in s], [h["id"] for h in d]], 60, 6)
        assert vs.same_ranking(ours, [(h["id"], h["distance"]) for h in f])
    assert all(h["distance"] < 0 for row in sparse for h in row)   # BM25 distances are negative


def test_same_ranking() -> None:
    a = [("x", 0.5), ("y", 0.5), ("z", 0.1)]
    assert vs.same_ranking(a, [("y", 0.5), ("x", 0.5), ("z", 0.1)])
    assert not vs.same_ranking(a, [("x", 0.5), ("z", 0.5), ("y", 0.1)])
    assert not vs.same_ranking(a, a[:2])
    assert not vs.same_ranking(a, [("x", 0.5), ("y", 0.4), ("z", 0.1)])


def test_milvus_db_path_is_fresh_and_never_touches_existing(tmp_path) -> None:
    mine = tmp_path / "07_nb-keep.db"
    mine.mkdir()
    (mine / "data").write_text("a learner's collection")
    first = vs.milvus_db_path("07_nb", root=tmp_path)
    first.mkdir()
    second = vs.milvus_db_path("07_nb", root=tmp_path)
    assert first != second and not second.exists() and first.parent == tmp_path and first.name.startswith("07_nb-")
    assert (mine / "data").read_text() == "a learner's collection"
    for bad in ("", "a/b", None, "  "):
        with pytest.raises(ValueError, match="short name"):
            vs.milvus_db_path(bad, root=tmp_path)


def test_check_milvus_index_type() -> None:
    assert vs.check_milvus_index_type("hnsw") == "HNSW"
    for bad in ("IVF_PQ", "DISKANN", "SCANN", "IVF", 3):
        with pytest.raises(ValueError, match="IVF_FLAT"):
            vs.check_milvus_index_type(bad)


def test_wait_for_index_files_errors_and_timeout(tmp_path) -> None:
    (tmp_path / "db" / "collections" / "c").mkdir(parents=True)
    started = time.monotonic()
    assert vs.wait_for_index_files(tmp_path / "db", "c", "vector", timeout=0.3) == []
    assert time.monotonic() - started < 2
    with pytest.raises(ValueError, match="no collection 'x'"):
        vs.wait_for_index_files(tmp_path / "db", "x", "vector", timeout=0)
    with pytest.raises(ValueError, match="timeout"):
        vs.wait_for_index_files(tmp_path / "db", "c", "vector", timeout=-1)
    index = tmp_path / "db" / "collections" / "c" / "partitions" / "_default" / "indexes"
    index.mkdir(parents=True)
    (index / "data_000001_000010.vector.hnsw.idx").write_bytes(b"")
    assert [p.name for p in vs.wait_for_index_files(tmp_path / "db", "c", "vector", timeout=0)] == \
        ["data_000001_000010.vector.hnsw.idx"]
