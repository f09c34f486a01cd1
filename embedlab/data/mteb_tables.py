"""The course's MTEB tables, rebuilt by the pinned ``mteb`` package.

* ``mteb/mteb_model_meta.csv`` is mteb's own model registry (``mteb.get_model_metas()``):
  it is built from the installed package alone, offline included.
* The six leaderboard tables (``mteb_{eng_v2,eng_v1,cmn_v1}_{summary,per_task}.csv``) are
  mteb's leaderboard aggregation of the public results repository
  (embeddings-benchmark/results) at the pinned commit: ``python -m embedlab.data fetch mteb``
  clones that repository (git, online) and builds them.

The store keeps a built table only when its SHA-256 is the pinned one, so a build that
differs (another mteb, another results commit, a changed recipe) saves nothing.

The serialisers (:func:`model_meta_csv`, :func:`per_task_csv`, :func:`summary_csv`) are pure
functions from mteb's in-memory tables to the course's bytes; the tests check them on
tables reconstructed from the course copies.
"""

from __future__ import annotations

import csv
import functools
import io
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import env

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .registry import DataFile

MTEB_VERSION = "2.26.24"
RESULTS_REMOTE = "https://github.com/embeddings-benchmark/results"
RESULTS_COMMIT = "f4cc6c8"
#: The course's short names -> mteb benchmark names.
BENCHMARKS = {"eng_v2": "MTEB(eng, v2)", "eng_v1": "MTEB(eng, v1)", "cmn_v1": "MTEB(cmn, v1)"}
MODEL_META_COLUMNS = (
    "name", "revision", "release_date", "n_parameters", "n_active_parameters", "memory_usage_mb", "embed_dim",
    "max_tokens", "license", "open_weights", "similarity_fn_name", "use_instructions", "is_cross_encoder",
    "reference", "languages",
)
#: Columns the course adds to mteb's summary table, from each model's metadata.
SUMMARY_EXTRA = {"License": "license", "Open Weights": "open_weights", "Reference": "reference"}
_NOT_SCORES = {"Rank (Borda)", "Model", "Zero-shot", "Active Parameters (B)", "Total Parameters (B)",
               "Embedding Dimensions", "Max Tokens", "Release Date", *SUMMARY_EXTRA}


class BuildError(RuntimeError):
    """A table cannot be built here (wrong mteb version, no git, no network, ...)."""


# ---------------------------------------------------------------- pure serialisers
def _meta_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ";".join(value)  # languages
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return str(value.value)  # enums (similarity function)
    return str(value)


def model_meta_csv(metas: Iterable[Any]) -> bytes:
    """mteb ``ModelMeta`` objects -> the course's ``mteb_model_meta.csv`` (csv module, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MODEL_META_COLUMNS)
    n = 0
    for meta in metas:
        writer.writerow([_meta_cell(getattr(meta, column)) for column in MODEL_META_COLUMNS])
        n += 1
    if n == 0:
        raise ValueError("model_meta_csv: no models")
    return buffer.getvalue().encode("utf-8")


def _score(value: object) -> float | None:
    """A 0-1 score as the leaderboard shows it: x100, two decimals (mteb.leaderboard.table._format_scores)."""
    if value is None or value != value:  # None or NaN
        return None
    return round(float(value) * 100, 2)


def per_task_csv(table: pd.DataFrame) -> bytes:
    """mteb's per-task table (``Model`` + one column of 0-1 scores per task) -> the course's CSV.

    Rows sorted by model name, task columns sorted, scores x100 with two decimals, no score -> empty.
    """
    if "Model" not in table.columns:
        raise ValueError(f"per_task_csv: no 'Model' column (columns: {list(table.columns)[:5]}...)")
    tasks = sorted(c for c in table.columns if c != "Model" and not c.startswith("_"))
    if not tasks:
        raise ValueError("per_task_csv: no task columns")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Model", *tasks])
    for _, row in table.sort_values("Model").iterrows():
        cells = [_score(row[t]) for t in tasks]
        writer.writerow([row["Model"], *("" if c is None else f"{c:.2f}" for c in cells)])
    return buffer.getvalue().encode("utf-8")


def summary_csv(table: pd.DataFrame, metas: Mapping[str, Mapping[str, object]]) -> bytes:
    """mteb's summary table (scores 0-1) + each model's licence, open weights and reference -> the course's CSV.

    Rows stay in mteb's order (by Borda rank; mteb decides the order of ties). ``metas`` maps a model name to ``{"license": ..., "open_weights": ..., "reference": ...}``.
    """
    import pandas as pd

    missing = [c for c in ("Rank (Borda)", "Model", "Release Date") if c not in table.columns]
    if missing:
        raise ValueError(f"summary_csv: not an mteb summary table, no column {', '.join(missing)}")
    frame = table[[c for c in table.columns if not c.startswith("_")]].copy()
    for column in frame.columns:
        if column not in _NOT_SCORES:
            frame[column] = [_score(v) for v in frame[column]]
            frame[column] = frame[column].astype("float64")
    for column, field in SUMMARY_EXTRA.items():
        values = []
        for model in frame["Model"]:
            if model not in metas:
                raise ValueError(f"summary_csv: no metadata for model {model!r}")
            values.append(metas[model].get(field))
        frame[column] = pd.Series(values, index=frame.index, dtype="object")
    if not frame["Rank (Borda)"].is_monotonic_increasing:
        raise ValueError("summary_csv: rows must come in mteb's order (by 'Rank (Borda)'); ties keep mteb's order")
    return frame.to_csv(index=False).encode("utf-8")


# ---------------------------------------------------------------- builders (need mteb, and for the board: git + network)
def _check_mteb() -> Any:
    try:
        import mteb
    except ImportError as err:  # pragma: no cover - mteb is pinned in requirements.txt
        raise BuildError(f"mteb is not installed; install the course's pins: pip install -r requirements.txt ({err})")
    if mteb.__version__ != MTEB_VERSION:
        raise BuildError(
            f"these tables are pinned to mteb {MTEB_VERSION}, but mteb {mteb.__version__} is installed: "
            f"pip install mteb=={MTEB_VERSION}"
        )
    return mteb


def build_model_meta(entry: DataFile | None = None) -> bytes:
    """``mteb_model_meta.csv`` from the installed mteb (no network needed)."""
    mteb = _check_mteb()
    return model_meta_csv(mteb.get_model_metas())


def results_checkout(root: Path | None = None) -> Path:
    """A clone of the MTEB results repository at :data:`RESULTS_COMMIT` (cloned on first use; git needed)."""
    root = root or env.cache_dir() / "mteb-results"
    repo = root / "remote"  # where mteb.ResultCache(root) looks for the remote results
    if not env.is_online():
        raise BuildError("rebuilding the MTEB leaderboard tables needs the network (it clones "
                         f"{RESULTS_REMOTE}); run it online, or use the course data folder (EMBEDLAB_DATA_DIR)")
    git = shutil.which("git")
    if git is None:
        raise BuildError("rebuilding the MTEB leaderboard tables needs git: install git and run again")

    def run(*args: str, cwd: Path | None = None) -> str:
        done = subprocess.run([git, *args], cwd=cwd, capture_output=True, text=True)
        if done.returncode != 0:
            raise BuildError(f"git {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
        return done.stdout.strip()

    if not repo.exists():
        root.mkdir(parents=True, exist_ok=True)
        run("clone", "--filter=blob:none", "--no-checkout", RESULTS_REMOTE, str(repo))
    elif run("config", "--get", "remote.origin.url", cwd=repo) != RESULTS_REMOTE:
        raise BuildError(f"{repo} is not a clone of {RESULTS_REMOTE}; move it aside and run again")
    if subprocess.run([git, "cat-file", "-e", f"{RESULTS_COMMIT}^{{commit}}"], cwd=repo,
                      capture_output=True).returncode != 0:
        run("fetch", "origin", cwd=repo)
    run("checkout", "--quiet", "--detach", RESULTS_COMMIT, cwd=repo)
    return root


@functools.lru_cache(maxsize=1)
def _board_tables() -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """(summary, per-task) tables of each benchmark, built once per process."""
    mteb = _check_mteb()
    cache = mteb.ResultCache(cache_path=results_checkout())
    tables = {}
    for short, name in BENCHMARKS.items():
        benchmark = mteb.get_benchmark(name)
        results = cache.load_results(tasks=benchmark, include_remote=True)
        long = results._to_results_df(tasks=benchmark.tasks)
        tables[short] = (benchmark._create_summary_table(long).df.to_pandas(),
                         benchmark._create_per_task_table(long).to_pandas())
    return tables


def build_board_table(entry: DataFile) -> bytes:
    """One of the six leaderboard tables (``entry.path`` is ``mteb/mteb_<benchmark>_<summary|per_task>.csv``)."""
    stem = Path(entry.path).stem.removeprefix("mteb_")
    for short in BENCHMARKS:
        if stem.startswith(short + "_"):
            kind = stem[len(short) + 1:]
            break
    else:
        raise BuildError(f"{entry.key}: not one of the MTEB leaderboard tables")
    summary, per_task = _board_tables()[short]
    if kind == "per_task":
        return per_task_csv(per_task)
    mteb = _check_mteb()
    metas = {m.name: {f: getattr(m, f) for f in SUMMARY_EXTRA.values()} for m in mteb.get_model_metas()}
    return summary_csv(summary, metas)


#: Builders by the name the registry uses.
BUILDERS: dict[str, Callable[[DataFile], bytes]] = {
    "mteb-model-meta": build_model_meta,
    "mteb-leaderboard": build_board_table,
}
